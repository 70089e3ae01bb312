// jixiao: the new-dossier page (/dossiers/new): upload with a preview, copy a former
// year's dossier, or start blank.
import { $, say, announce, el, copy, csrf, call, refreshCsrf, loginLink, existsLink, parsePath, getP, setP, remap } from "./editor-util.js";
import { M, MONEY, YEAR, SEV, KIND, formName, L, isMoney, FIELD, COLS, NOUN, LONG, label } from "./editor-model.js";

export function newPage() {
  let previewed = null, previewedFile = null, previewedYear = null;
  const year = (input, state) => {
    const s = input.value.trim();
    if (YEAR.test(s)) return Number(s);
    state.textContent = "请填写四位数字的年度，如 2025。";
    input.setAttribute("aria-invalid", "true"); input.focus();
    return null;
  };
  const done = (state, r, edit) => {
    if (r.ok) { state.textContent = "已建立，正在打开…"; location.href = "/dossiers/" + r.body.id + (edit ? "/edit" : ""); return; }
    state.textContent = "";
    if (r.status === 401) state.append("登录已过期，请", loginLink(), "后再试。");
    else state.append(existsLink(r.body, edit));
  };

  // 一、上传文件 → 预览
  const file = $("upload-file"), bar = $("upload-progress"), ustate = $("upload-state"), ubtn = $("upload-btn");
  $("upload-form").addEventListener("submit", (e) => { e.preventDefault(); upload(); });
  file.addEventListener("change", () => { if (file.files && file.files[0]) upload(); });
  function upload() {
    const f = file.files && file.files[0];
    if (!f) { ustate.textContent = "请先选择要上传的文件。"; file.focus(); return; }
    const fd = new FormData();
    fd.append("file", f);
    const x = new XMLHttpRequest();
    x.open("POST", "/api/preview");
    x.setRequestHeader("X-CSRF-Token", csrf());
    bar.hidden = false; bar.value = 0; ubtn.disabled = true;
    ustate.textContent = "正在上传“" + f.name + "”…";
    x.upload.onprogress = (ev) => { if (ev.lengthComputable) { bar.value = Math.round(ev.loaded * 100 / ev.total); ustate.textContent = "正在上传… " + bar.value + "%"; } };
    x.upload.onload = () => { bar.removeAttribute("value"); ustate.textContent = "已上传，正在读取文件内容…"; };
    const end = () => { bar.hidden = true; ubtn.disabled = false; };
    x.onerror = () => { end(); ustate.textContent = "网络连接失败，请检查网络后重试。"; };
    x.onload = () => {
      end();
      let body = {};
      try { body = JSON.parse(x.responseText); } catch (err) { body = { error: "服务器没有正常响应（" + x.status + "）" }; }
      if (x.status === 200) { ustate.textContent = "读取完成，请查看下方的预览。"; preview(body); }
      else if (x.status === 401) { ustate.textContent = ""; ustate.append("登录已过期，请", loginLink(), "后再试。"); }
      else ustate.textContent = "读取失败：" + (body.error || x.status);
    };
    x.send(fd);
  }

  function preview(p) {
    const box = $("preview"), body = $("preview-body");
    body.textContent = "";
    previewed = p.status === "ok" && p.forms && p.forms.length ? p.forms : null;
    previewedFile = file.files && file.files[0]; previewedYear = p.year;
    body.append(el("p", null, "文件：", el("strong", { text: p.file })));
    if (p.status !== "ok") body.append(el("p", { class: "alert error", role: "alert", text: "这个文件无法读取：" + (p.error || "") }));
    (p.forms || []).forEach((f, k) => {
      const t = (p.totals || [])[k] || {};
      const w = (s) => s == null ? "未填" : s + " 万元";
      const sec = el("section", { class: "pv-form" }, el("h3", { text: "第" + (k + 1) + "张表：" + (f.title || formName(f)) }),
        el("dl", { class: "pv-meta" }, el("dt", { text: "单位" }), el("dd", { text: f.unit || "（未填）" }),
          el("dt", { text: "年度" }), el("dd", { text: f.year == null ? "（未填）" : f.year + "年" }),
          el("dt", { text: f.kind === "project" ? "项目金额" : f.kind === "department_overall" ? "资金总额" : "合计" }), el("dd", { text: w(t.amount) }),
          f.kind === "project" ? [el("dt", { text: "项目名称" }), el("dd", { text: f.name || "（未填）" })] : null));
      const tbl = (caption, heads, rows, foot) => el("div", { class: "ed-table-wrap" }, el("table", { class: "ed-table pv" },
        el("caption", { text: caption }), el("thead", null, el("tr", null, heads.map((h) => el("th", { scope: "col", text: h })))),
        el("tbody", null, rows.map((r) => el("tr", null, r.map((c) => el("td", { text: c == null ? "" : String(c) }))))), foot ? el("tfoot", null, foot) : null));
      const report = f.kind === "self_evaluation" || f.kind === "monitoring";
      const txt = (v) => v && v.text;
      if (f.indicators && f.indicators.length) sec.append(report
        ? tbl("绩效指标（" + f.indicators.length + " 条）", ["一级指标", "二级指标", "三级指标", "年度指标值", f.kind === "monitoring" ? "执行情况" : "实际完成值"],
          f.indicators.map((i) => [i.level1, i.level2, i.name, txt(i.target), txt(f.kind === "monitoring" ? i.progress : i.actual)]))
        : tbl("年度绩效指标（" + f.indicators.length + " 条）", ["一级指标", "二级指标", "三级指标", "指标值及单位", "绩效标准"],
          f.indicators.map((i) => [i.level1, i.level2, i.name, txt(i.value), i.standard])));
      if (f.kind === "project") sec.append(tbl(L.fields.details, COLS.details.map((c) => c[1]),
        (f.details || []).map((d) => [d.content, d.item, d.amount, d.basis]),
        [el("tr", null, el("th", { scope: "row", colspan: 2, text: "合计" }), el("td", { text: f.details_total == null ? "未填" : f.details_total }),
          el("td", { text: "按各行计算：" + w(t.details_sum) + (f.details_total != null && f.details_total !== t.details_sum ? "（与填写的合计不符）" : "") }))]));
      if (f.items && f.items.length) sec.append(tbl("专项资金明细", ["序号", "名称", "金额（万元）", "年度绩效目标"],
        f.items.flatMap((i) => [[i.seq, i.name, i.amount, i.annual_goal]].concat((i.children || []).map((c) => [c.seq, "　" + c.name, c.amount, c.annual_goal])))));
      if (f.key_tasks && f.key_tasks.length) sec.append(tbl("年度重点工作计划", ["事项", "责任单位/科室", "工作目标"], f.key_tasks.map((x) => [x.item, x.owner, x.goal])));
      body.append(sec);
    });
    const fs = p.findings || [];
    const ol = el("ol", { class: "findings" }, fs.map((f) => el("li", { class: "finding sev-" + f.severity },
      el("span", { class: "sev", text: SEV[f.severity] || f.severity }), " ", f.message,
      el("div", { class: "where", text: [f.location && f.location.form != null ? "第" + (f.location.form + 1) + "张表" : "", f.location && f.location.field ? label(f.location.field) : "", f.location && f.location.cell && f.location.cell.text ? "原文：" + f.location.cell.text : ""].filter(Boolean).join(" · ") }))));
    body.append(el("h3", { text: "读取提示与检查结果（" + fs.length + " 条）" }), fs.length ? ol : el("p", { class: "empty", text: "没有提示。" }));
    // 未识别的内容: what the reader left unused, so a user sees why a layout reads wrong.
    const un = p.unread || [];
    if (un.length) {
      const more = p.unread_omitted ? "，另有 " + p.unread_omitted + " 处未列出" : "";
      body.append(el("details", { class: "pv-unread" },
        el("summary", { text: "未识别的内容（" + un.length + " 处" + more + "）" }),
        el("p", { class: "hint", text: "以下内容没有读入任何字段。若其中有应读入的数据，请核对表格格式，或在编辑器中手工补填。" }),
        el("div", { class: "ed-table-wrap" }, el("table", { class: "ed-table pv" },
          el("thead", null, el("tr", null, ["所在表", "位置", "原文", "原因"].map((h) => el("th", { scope: "col", text: h })))),
          el("tbody", null, un.map((c) => el("tr", null,
            [c.form == null ? "表外" : "第" + (c.form + 1) + "张表", c.place, c.text, c.reason].map((x) => el("td", { text: x })))))))));
    }
    $("preview-save").hidden = !previewed;
    $("create-year").value = p.year || "";
    const cu = $("create-unit");
    if (cu) cu.value = [...cu.options].some((o) => o.value === p.unit) ? p.unit : "";
    $("create-state").textContent = "";
    box.hidden = false;
    box.focus();
    box.scrollIntoView({ block: "start" });
  }
  $("create-btn").addEventListener("click", async (e) => {
    const st = $("create-state");
    if (!previewed) return;
    const y = year($("create-year"), st);
    if (y == null) return;
    const req = { forms: previewed, year: y };
    const cu = $("create-unit");
    if (cu && cu.value) req.unit = cu.value;
    e.target.disabled = true; st.textContent = "正在保存…";
    // The file's own year: store the upload itself, so its parse warnings stay with the
    // dossier; another year: the previewed forms.
    let r;
    if (previewedFile && y === previewedYear) {
      const fd = new FormData();
      fd.append("file", previewedFile);
      if (req.unit) fd.append("unit", req.unit);
      r = await call("POST", "/api/dossiers", fd);
    } else r = await call("POST", "/api/dossiers/create", req);
    e.target.disabled = false;
    done(st, r, false);
  });

  // 二、从往年档案复制
  $("copy-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const st = $("copy-state"), src = $("copy-source").value;
    if (!src) { st.textContent = "还没有可以复制的档案。"; return; }
    const y = year($("copy-year"), st);
    if (y == null) return;
    st.textContent = "正在复制…";
    done(st, await call("POST", "/api/dossiers/" + src + "/copy", { year: y }), true);
  });

  // 三、空白档案
  $("blank-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const st = $("blank-state");
    const y = year($("blank-year"), st);
    if (y == null) return;
    const us = $("blank-unit");
    if (us && !us.value) { st.textContent = "请选择单位。"; us.focus(); return; }
    const unit = us ? us.value : M.unit_name || "";
    const blank = (code, rows) => {
      const f = copy(M.blank.forms[code]);
      f.title = y + "年" + KIND[code]; f.year = y; f.unit = unit;
      f.indicators = rows;
      return f;
    };
    const row = (l1, l2) => Object.assign(copy(M.blank.rows.indicators), { level1: l1, level2: l2 });
    const forms = [blank("department_overall", [row("产出指标", "数量指标"), row("效益指标", "社会效益指标"), row("满意度指标", "服务对象满意度指标")]),
      blank("project", [row("产出指标", "数量指标"), row("产出指标", "质量指标"), row("产出指标", "时效指标"), row("效益指标", "社会效益指标"), row("满意度指标", "服务对象满意度指标")])];
    forms[1].details = [copy(M.blank.rows.details)];
    const req = { forms, year: y };
    if (us) req.unit = unit;
    st.textContent = "正在建立…";
    done(st, await call("POST", "/api/dossiers/create", req), true);
  });
}
