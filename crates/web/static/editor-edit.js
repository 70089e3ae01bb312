// jixiao: the dossier editor (/dossiers/{id}/edit). It edits the forms' JSON model; the
// server checks the rules and computes every total (POST /api/check), never this file.
import { $, say, announce, el, copy, csrf, call, refreshCsrf, loginLink, existsLink, parsePath, getP, setP, remap, toWan } from "./editor-util.js";
import { M, YEAR, SEV, KIND, formName, L, isMoney, FIELD, COLS, NOUN, LONG, label } from "./editor-model.js";
import { REPORT_KINDS, POSSIBILITY, reportSections, showScores } from "./editor-report.js";
import { library } from "./editor-library.js";

// Cells holding an indicator value (指标值, 年度指标值, 实际完成值, 期间执行情况, 全年预计完成情况).
const VALUE = new Set(["value", "target", "actual", "progress", "forecast"]);

export function editor() {
  const root = $("editor"), saveBtn = $("save-btn"), saveState = $("save-state");
  const findingsEl = $("findings"), totalsEl = $("totals"), checkState = $("check-state");
  const reasonEl = $("reason");
  const DKEY = "jixiao-draft-" + M.id;
  let forms = copy(M.forms);
  let base = M.version;
  let raw = {};      // data-path → text of an input that is not valid yet (kept, never sent)
  let dirty = false, saving = false, adjust = !!M.adjust;
  let totals = [];
  let scores = [];   // the server's scores and lights of report forms (POST /api/check)
  const level1s = M.framework.map((x) => x.level1);
  const allLevel2 = [...new Set(M.framework.flatMap((x) => x.level2))];
  const level2Of = (l1) => { const f = M.framework.find((x) => x.level1 === l1); return f ? f.level2 : allLevel2; };

  // ---------------------------------------------------------- inputs
  function control(k, path, aria, opts) {
    opts = opts || {};
    const dp = "f" + k + ":" + path;
    const form = forms[k];
    const kind = opts.kind || (isMoney(path) ? "money" : "text");
    let v = getP(form, path);
    if (kind === "value") v = v ? v.text : "";
    const attrs = { "data-path": dp, "data-kind": kind, id: "i" + dp.replace(/[^\w]/g, "_"), "aria-label": aria };
    let e;
    if (kind === "select" || kind === "choice" || kind === "month") {
      e = el("select", attrs);
      for (const [val, text] of opts.choices) e.append(el("option", { value: val, text }));
      e.value = v == null ? "" : String(v);
    } else if (opts.area || LONG.has(path.split(".").pop())) {
      const text = v == null ? "" : String(v);
      e = el("textarea", Object.assign(attrs, { rows: opts.rows || Math.min(6, Math.max(2, Math.ceil(text.length / 22))) }));
      e.value = text;
    } else if (kind === "text" || kind === "value") {
      // A one-line entry that wraps when its text is longer than the cell (a long
      // indicator name or 指标值 stays readable at 1366 px); Enter does not break it.
      e = el("textarea", Object.assign(attrs, { rows: 1, class: "line", "data-single": "1" }));
      e.value = v == null ? "" : String(v);
    } else {
      if (kind === "money") Object.assign(attrs, { inputmode: "decimal", autocomplete: "off", class: "money" });
      if (kind === "year") Object.assign(attrs, { inputmode: "numeric", size: 6 });
      e = el("input", attrs);
      e.value = v == null ? "" : String(v);
    }
    if (raw[dp] != null) { e.value = raw[dp]; invalid(e, true); }
    return e;
  }
  // A refused entry: marked, and the reason written beside the cell (not only a tooltip).
  function invalid(e, bad, why) {
    e.classList.toggle("invalid", bad);
    const reason = why || (e.dataset.kind === "year" ? "年度应为四位数字，如 2024" : "金额格式不正确：请填数字，可带单位，如 12.5、12万元、120000元");
    if (bad) { e.setAttribute("aria-invalid", "true"); e.title = reason; }
    else { e.removeAttribute("aria-invalid"); e.removeAttribute("title"); }
    note(e, bad ? reason : "", bad);
  }
  // The line under a cell: a refusal, or how a typed amount was read (`= 12 万元`).
  function note(e, text, bad) {
    let n = e.nextElementSibling && e.nextElementSibling.classList.contains("cell-note") ? e.nextElementSibling : null;
    if (!text) { if (n) n.remove(); e.removeAttribute("aria-describedby"); return; }
    if (!n) { n = el("span", { class: "cell-note", id: e.id + "-note" }); e.after(n); }
    n.textContent = text;
    n.classList.toggle("bad", !!bad);
    e.setAttribute("aria-describedby", n.id);
  }
  // A labelled field outside the tables.
  function field(k, path, opts) {
    const c = control(k, path, null, opts);
    c.removeAttribute("aria-label");
    return el("div", { class: "ed-field" + (opts && opts.wide ? " wide" : opts && opts.w2 ? " w2" : "") }, el("label", { for: c.id, text: (opts && opts.label) || FIELD[path] }), c);
  }
  function levelChoices(list, current, note) {
    const out = [["", "请选择"]];
    for (const x of list) out.push([x, x]);
    if (current && !list.includes(current)) out.push([current, current + note]);
    return out;
  }

  // ---------------------------------------------------------- tables
  function rowButtons(k, list, i, n, noun) {
    const b = (act, text, aria, dis) => el("button", { type: "button", "data-act": act, "data-list": list, "data-i": i, "aria-label": aria + "第" + (i + 1) + "行" + noun, disabled: dis, text });
    return el("td", { class: "act" }, b("up", "上移", "上移", i === 0), b("down", "下移", "下移", i === n - 1), b("del", "删除", "删除", false));
  }
  function addButton(list, text) {
    return el("button", { type: "button", class: "ed-add", "data-add": list, text });
  }
  function table(k, list, cols, noun, caption, extraRows) {
    const rows = getP(forms[k], list) || [];
    const tbody = el("tbody");
    rows.forEach((r, i) => {
      const tr = el("tr", { "data-row": list + "[" + i + "]" }, el("td", { class: "n", text: String(i + 1) }));
      for (const [key, head] of cols) {
        const path = list + "[" + i + "]." + key;
        const aria = "第" + (i + 1) + "行" + noun + "的" + head.replace("（万元）", "");
        if (key === "computed") {
          tr.append(el("td", { class: "c-computed" }, el("output", { "data-computed": "f" + k + ":" + i, "aria-label": aria })));
          continue;
        }
        let c;
        if (list === "goals") c = control(k, path, aria, { area: true, rows: 2 });
        else if (key === "possibility") c = control(k, path, aria, { kind: "choice", choices: POSSIBILITY });
        else if (key === "score") c = control(k, path, aria, { kind: "weight" });
        else if (list === "indicators" && key === "level1") c = control(k, path, aria, { kind: "select", choices: levelChoices(level1s, r.level1, "（不在指标框架中）") });
        else if (list === "indicators" && key === "level2") c = control(k, path, aria, { kind: "select", choices: levelChoices(level2Of(r.level1), r.level2, "（不在所选一级指标下）") });
        else if (VALUE.has(key)) c = control(k, path, aria, { kind: "value" });
        else if (key === "weight") c = control(k, path, aria, { kind: "weight" });
        else c = control(k, path, aria);
        tr.append(el("td", { class: "c-" + key }, c));
      }
      tr.append(rowButtons(k, list, i, rows.length, noun));
      tbody.append(tr);
    });
    const thead = el("thead", null, el("tr", null, el("th", { scope: "col", text: cols[0][0] === "seq" ? "行号" : "序号" }), cols.map(([, h]) => el("th", { scope: "col", text: h })), el("th", { scope: "col", text: "操作" })));
    const t = el("table", { class: "ed-table t-" + list.replace(/\W.*/, "") }, el("caption", { class: "sr", text: caption }), thead, tbody);
    if (extraRows) t.append(el("tfoot", null, extraRows));
    return el("div", { class: "ed-table-wrap" }, t, rows.length ? null : el("p", { class: "empty", text: "还没有" + noun + "，点下面的按钮添加。" }));
  }
  // 指标库: what similar projects used (editor-library.js), for a saved dossier.
  const similarButton = () => M.id ? el("button", { type: "button", class: "ed-add", "data-lib": "similar", text: "参考同类项目的指标" }) : null;
  const sumNote = (k, key) => el("span", { class: "ed-sum", "data-sum": "f" + k + ":" + key });

  // ---------------------------------------------------------- one form
  function renderForm(k) {
    const f = forms[k];
    const h = el("h2", { id: "form-" + k + "-h", tabindex: "-1", text: "第" + (k + 1) + "张表：" + formName(f) });
    const sec = el("section", { class: "ed-form", "data-form": k, id: "form-" + k, "aria-labelledby": h.id },
      el("div", { class: "ed-head" }, h, el("button", { type: "button", class: "danger-link", "data-act": "del-form", "aria-label": "删除第" + (k + 1) + "张表", text: "删除此表" })));
    const box = (legend, ...kids) => el("fieldset", null, el("legend", { text: legend }), kids);
    const head = [field(k, "title", { wide: true }), field(k, "unit", { w2: true }), field(k, "year", { kind: "year" })];
    if (f.kind === "project") {
      const variants = M.blank.kinds.filter(([c]) => M.blank.forms[c].kind === "project");
      head.push(field(k, "variant", { kind: "select", choices: variants }), field(k, "name", { wide: true }), field(k, "department", { w2: true }),
        field(k, "parent.name"), field(k, "parent.amount"), field(k, "amount"), field(k, "period"));
      sec.append(box("基本信息", el("div", { class: "ed-grid" }, head)),
        box("绩效目标", field(k, "period_goal", { wide: true, rows: 3 }), field(k, "annual_goal", { wide: true, rows: 3 })),
        box("年度绩效指标", table(k, "indicators", COLS.indicators, "指标", "年度绩效指标"), addButton("indicators", "添加一行指标"), similarButton()),
        box("支出明细及测算说明",
          table(k, "details", COLS.details, "支出明细", "支出明细及测算说明",
            el("tr", null, el("th", { scope: "row", colspan: 3, text: "合计" }), el("td", null, control(k, "details_total", "支出明细合计（万元）")), el("td", { colspan: 2 }, sumNote(k, "details_sum")))),
          addButton("details", "添加一行支出明细")));
    } else if (f.kind === "department_overall") {
      sec.append(box("基本信息", el("div", { class: "ed-grid" }, head)),
        box("年度预算申请（万元）",
          el("div", { class: "ed-grid" }, field(k, "budget.total")),
          el("p", { class: "ed-sub" }, "按收入性质分 ", sumNote(k, "by_source_sum")),
          el("div", { class: "ed-grid" }, field(k, "budget.by_source.general_public"), field(k, "budget.by_source.government_fund"), field(k, "budget.by_source.other")),
          el("p", { class: "ed-sub" }, "按支出性质分 ", sumNote(k, "by_nature_sum")),
          el("div", { class: "ed-grid" }, field(k, "budget.by_nature.basic"), field(k, "budget.by_nature.project"))),
        box("部门职责与目标", field(k, "duties", { wide: true, area: true, rows: 4 }), field(k, "annual_goal", { wide: true, rows: 3, label: "年度总体目标" })),
        box("年度重点工作计划", table(k, "key_tasks", COLS.key_tasks, "重点工作", "年度重点工作计划"), addButton("key_tasks", "添加一项重点工作")),
        box("年度绩效指标", table(k, "indicators", COLS.indicators, "指标", "年度绩效指标"), addButton("indicators", "添加一行指标"), similarButton()));
    } else if (REPORT_KINDS.has(f.kind)) {
      sec.append(...reportSections(k, f, { field, table, addButton, box }, head));
    } else {
      head.push(field(k, "total"));
      const items = el("div", { class: "ed-items" });
      (f.items || []).forEach((it, i) => {
        const p = "items[" + i + "]";
        const fs = el("fieldset", { class: "ed-item", "data-row": p }, el("legend", { text: "第" + (i + 1) + "项专项" }),
          el("div", { class: "ed-grid" }, COLS.items.map(([key, head]) => field(k, p + "." + key, { label: head, wide: LONG.has(key) }))),
          el("h4", null, "支出方向 ", sumNote(k, "children_sums." + i)),
          table(k, p + ".children", COLS.children, "支出方向", "第" + (i + 1) + "项专项的支出方向"),
          addButton(p + ".children", "添加一个支出方向"),
          el("table", { class: "ed-item-act" }, el("tbody", null, el("tr", null, rowButtons(k, "items", i, f.items.length, "专项")))));
        items.append(fs);
      });
      sec.append(box("基本信息", el("div", { class: "ed-grid" }, head), el("p", { class: "ed-sub" }, sumNote(k, "items_sum"))),
        box("专项资金明细", items, addButton("items", "添加一项专项")));
    }
    sec.append(box("签字栏", el("div", { class: "ed-grid" }, field(k, "signoff.head"), field(k, "signoff.preparer"), field(k, "signoff.phone"))));
    return sec;
  }

  // Reviewers' open remarks beside the cells they point at (carried from the version they
  // were made on; 已修改 once the cell changed since), and listed in the side panel.
  const remarksEl = $("remarks");
  function showRemarks() {
    for (const x of root.querySelectorAll(".cell-remark")) x.remove();
    if (!remarksEl) return;
    remarksEl.textContent = "";
    (M.remarks || []).forEach((c, n) => {
      const i = c.field.indexOf(":");
      const t = i > 0 ? target(Number(c.field.slice(1, i)), c.field.slice(i + 1)) : null;
      const state = c.changed === true ? "（已修改）" : "";
      const who = "— " + c.author + "，第" + c.version + "版" + state;
      if (t && t.dataset.path) {
        t.after(el("span", { class: "cell-remark" + (c.changed ? " changed" : ""), id: "remark-" + (n + 1), text: "审核意见：" + c.body + " " + who }));
      }
      const msg = t ? el("button", { type: "button", class: "link jump", "data-target": t.id, text: c.body }) : el("span", { text: c.body });
      remarksEl.append(el("li", { class: "remark" + (c.changed ? " changed" : "") }, msg, el("div", { class: "where", text: who })));
    });
    const box = remarksEl.closest("section");
    if (box) box.hidden = !(M.remarks || []).length;
  }
  remarksEl && remarksEl.addEventListener("click", (e) => {
    const b = e.target.closest("button.jump");
    const t = b && $(b.dataset.target);
    if (t) { t.scrollIntoView({ block: "center" }); t.focus(); }
  });

  function renderAll() {
    root.textContent = "";
    forms.forEach((f, k) => root.append(renderForm(k)));
    const kinds = el("select", { id: "add-form-kind" }, M.blank.kinds.map(([c, l]) => el("option", { value: c, text: l })));
    root.append(el("div", { class: "ed-addform" }, el("label", { for: "add-form-kind", text: "添加一张表：" }), kinds,
      el("button", { type: "button", id: "add-form-btn", text: "添加" })));
    showTotals();
    showRemarks();
    showScores(root, scores);
  }
  function rerender(k) {
    const old = root.querySelector('section[data-form="' + k + '"]');
    if (old) old.replaceWith(renderForm(k));
    showTotals();
    showRemarks();
    showScores(root, scores);
  }

  // ---------------------------------------------------------- editing
  function onEdit(t) {
    const dp = t.dataset.path, i = dp.indexOf(":");
    const k = Number(dp.slice(1, i)), path = dp.slice(i + 1), f = forms[k], kind = t.dataset.kind;
    if (!f) return;
    let v = t.value;
    if (kind === "money") {
      const r = toWan(v);
      invalid(t, !!r.error, r.error);
      if (r.error) { raw[dp] = v; changed(); return; }
      delete raw[dp];
      v = r.wan;
      // Read another way than typed: say how; it is written normalised once the cell is left.
      if (v !== null && v !== t.value.trim()) note(t, "= " + v + " 万元");
    } else if (kind === "year") {
      const s = v.trim();
      const ok = s === "" || YEAR.test(s);
      invalid(t, !ok);
      if (!ok) { raw[dp] = v; changed(); return; }
      delete raw[dp];
      v = s === "" ? null : Number(s);
    } else if (kind === "value") {
      v = { text: v, comparator: null, number: null, unit: null };
    } else if (kind === "weight") {
      v = v.trim() === "" ? null : v.trim();
    } else if (kind === "choice") {
      v = v === "" ? null : v;
    } else if (kind === "month") {
      v = v === "" ? null : Number(v);
    }
    if (path.startsWith("parent.") && !f.parent) f.parent = { name: "", amount: null };
    setP(f, path, v);
    if (f.parent && !f.parent.name && f.parent.amount == null) f.parent = null;
    if (f.sources) delete f.sources[path];
    if (path.endsWith(".level1")) {
      const l2 = root.querySelector('[data-path="f' + k + ":" + path.replace(/level1$/, "level2") + '"]');
      const row = getP(f, path.replace(/\.level1$/, ""));
      const inFramework = allLevel2.includes(row.level2);
      if (inFramework && !level2Of(v).includes(row.level2)) row.level2 = "";
      if (l2) {
        l2.textContent = "";
        for (const [val, text] of levelChoices(level2Of(v), row.level2, "（不在所选一级指标下）")) l2.append(el("option", { value: val, text }));
        l2.value = row.level2;
      }
    }
    if (path === "name" || path === "variant") {
      const h = $("form-" + k + "-h");
      if (h) h.textContent = "第" + (k + 1) + "张表：" + formName(f);
    }
    changed();
  }
  root.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && e.target.dataset && e.target.dataset.single) e.preventDefault();
  });
  root.addEventListener("input", (e) => { const t = e.target.closest("[data-path]"); if (t) onEdit(t); });
  root.addEventListener("change", (e) => { const t = e.target.closest("select[data-path]"); if (t) onEdit(t); });
  // Leaving an amount cell writes what was read in the form's unit (12万元 → 12).
  root.addEventListener("focusout", (e) => {
    const t = e.target.closest("input[data-kind=money]");
    if (!t || t.getAttribute("aria-invalid") === "true") return;
    const r = toWan(t.value);
    if (!r.error && r.wan !== null && r.wan !== t.value) { t.value = r.wan; note(t, ""); }
  });

  function focusIn(k, sel) {
    const sec = root.querySelector('section[data-form="' + k + '"]');
    const t = sec && sec.querySelector(sel);
    if (t) { t.focus(); t.scrollIntoView({ block: "nearest" }); }
    return !!t;
  }
  root.addEventListener("click", (e) => {
    const b = e.target.closest("button");
    if (!b || !root.contains(b)) return;
    const sec = b.closest("section[data-form]");
    if (b.id === "add-form-btn") return addForm($("add-form-kind").value);
    if (!sec) return;
    const k = Number(sec.dataset.form);
    if (b.dataset.add) return rowOp(k, b.dataset.add, "add", 0);
    if (b.dataset.act === "del-form") return delForm(k);
    if (b.dataset.act) rowOp(k, b.dataset.list, b.dataset.act, Number(b.dataset.i));
  });

  function blankRow(list, k) {
    const name = list.replace(/^.*\./, "");
    const kind = forms[k] && forms[k].kind;
    if (REPORT_KINDS.has(kind)) return copy(M.blank.rows[name === "goals" ? "goals" : kind + "_indicators"]);
    return copy(M.blank.rows[name === "children" ? "items" : name]);
  }
  function rowOp(k, list, act, i) {
    const f = forms[k];
    let arr = getP(f, list);
    if (!arr) { setP(f, list, []); arr = getP(f, list); }
    let fn = null, to = i;
    if (act === "add") { arr.push(blankRow(list, k)); to = arr.length - 1; }
    else if (act === "del") {
      if (!confirmDelete(arr[i], label(list + "[" + i + "]"))) return;
      arr.splice(i, 1); fn = (j) => j === i ? null : j > i ? j - 1 : j; to = Math.min(i, arr.length - 1);
    } else {
      to = act === "up" ? i - 1 : i + 1;
      if (to < 0 || to >= arr.length) return;
      [arr[i], arr[to]] = [arr[to], arr[i]];
      fn = (j) => j === i ? to : j === to ? i : j;
    }
    if (fn) { f.sources = remap(f.sources, "", list, fn); raw = remap(raw, "f" + k + ":", list, fn); }
    rerender(k);
    const row = '[data-row="' + list + "[" + to + ']"]', own = '[data-list="' + list + '"]';
    if (act === "add") focusIn(k, row + " [data-path]");
    else if (act === "del") { if (to < 0 || !focusIn(k, row + " " + own + '[data-act="del"]')) focusIn(k, '[data-add="' + list + '"]'); }
    else focusIn(k, row + " " + own + '[data-act="' + act + '"]:not([disabled])') || focusIn(k, row + " [data-path]");
    announce(act === "add" ? "已添加第" + (to + 1) + "行" : act === "del" ? "已删除一行" : "已移动到第" + (to + 1) + "行");
    changed();
  }
  // Deleting a row that has content asks first.
  function confirmDelete(row, what) {
    const filled = JSON.stringify(row || {}).replace(/"[a-z_0-9]+":/g, "").replace(/null|\[\]|\{\}|""|[,{}[\]:]/g, "").length > 0;
    return !filled || confirm("确定删除" + what + "吗？其中已填写的内容会一并删除。");
  }
  function addForm(code) {
    const f = copy(M.blank.forms[code]);
    const unit = (forms.find((x) => x.unit) || {}).unit || M.unit_name || "";
    f.unit = unit; f.year = M.year; f.title = M.year + "年" + KIND[code];
    forms.push(f);
    renderAll();
    focusIn(forms.length - 1, "[data-path]");
    changed();
  }
  function delForm(k) {
    if (!confirm("确定删除第" + (k + 1) + "张表“" + formName(forms[k]) + "”吗？表中的全部内容会一并删除（保存前仍可在本机草稿中找回）。")) return;
    forms.splice(k, 1);
    const out = {};
    for (const key of Object.keys(raw)) {
      const j = Number(key.slice(1, key.indexOf(":")));
      if (j !== k) out[j > k ? "f" + (j - 1) + key.slice(key.indexOf(":")) : key] = raw[key];
    }
    raw = out;
    renderAll();
    const h = $("form-" + Math.min(k, forms.length - 1) + "-h") || $("add-form-btn");
    if (h) h.focus();
    changed();
  }

  // ---------------------------------------------------------- change tracking
  let draftTimer = null, checkTimer = null, checkSeq = 0, storageWarned = false;
  function changed() {
    dirty = true;
    saveBtn.disabled = false;
    saveState.textContent = "有未保存的修改";
    clearTimeout(draftTimer); draftTimer = setTimeout(saveDraft, 250);
    clearTimeout(checkTimer); checkTimer = setTimeout(runCheck, 500);
    findingsEl.dataset.checked = "false";
  }
  function saveDraft() {
    try {
      localStorage.setItem(DKEY, JSON.stringify({ forms, base, raw, reason: reasonEl ? reasonEl.value : "", at: Date.now() }));
    } catch (e) {
      if (!storageWarned) { storageWarned = true; say("浏览器无法在本机保存草稿（存储空间已满或被禁用），请及时保存。", "error"); }
    }
  }
  function readDraft() { try { return JSON.parse(localStorage.getItem(DKEY) || "null"); } catch (e) { return null; } }
  function clearDraft() { try { localStorage.removeItem(DKEY); } catch (e) { /* nothing to clear */ } }
  if (reasonEl) reasonEl.addEventListener("input", () => { clearTimeout(draftTimer); draftTimer = setTimeout(saveDraft, 250); });
  window.addEventListener("beforeunload", (e) => {
    if (!dirty) return;
    saveDraft();
    e.preventDefault(); e.returnValue = "";
  });
  document.addEventListener("keydown", (e) => {
    // Ctrl+S does what the button does: nothing while there is nothing to save.
    if ((e.ctrlKey || e.metaKey) && (e.key === "s" || e.key === "S")) {
      e.preventDefault();
      if (saveBtn.disabled) { saveState.textContent = "没有需要保存的修改。"; return; }
      save();
    }
  });
  saveBtn.addEventListener("click", () => save());

  // ---------------------------------------------------------- live check
  function firstInvalid() { return root.querySelector(".invalid"); }
  async function runCheck() {
    if (Object.keys(raw).length) { checkState.textContent = "有格式不正确的金额或年度，改正后再检查"; return; }
    const seq = ++checkSeq;
    checkState.textContent = "正在检查…";
    findingsEl.setAttribute("aria-busy", "true");
    const r = await call("POST", "/api/check", { forms, dossier: M.id });
    if (seq !== checkSeq) return;
    findingsEl.removeAttribute("aria-busy");
    if (r.ok) {
      totals = r.body.totals || []; scores = r.body.scores || [];
      showFindings(r.body.findings || []); showTotals(); showScores(root, scores);
      findingsEl.dataset.checked = "true";
    }
    else if (r.status === 401) checkState.textContent = "登录已过期，暂时无法检查";
    else checkState.textContent = "检查失败：" + r.body.error;
  }

  // The input a finding's field points at: the same path, else the first inside it,
  // else the nearest enclosing one.
  function target(k, fieldPath) {
    const sec = root.querySelector('section[data-form="' + k + '"]');
    if (!sec) return null;
    if (!fieldPath) return $("form-" + k + "-h");
    const pre = "f" + k + ":";
    const inputs = [...sec.querySelectorAll("[data-path]")];
    const rel = (x) => x.dataset.path.slice(pre.length);
    const under = (p, q) => p.startsWith(q + ".") || p.startsWith(q + "[");
    let hit = inputs.find((x) => rel(x) === fieldPath) || inputs.find((x) => under(rel(x), fieldPath));
    if (!hit) for (const x of inputs) if (under(fieldPath, rel(x)) && (!hit || rel(x).length > rel(hit).length)) hit = x;
    return hit || $("form-" + k + "-h");
  }
  function showFindings(list) {
    for (const x of root.querySelectorAll(".sev-error,.sev-warning,.sev-info")) {
      x.classList.remove("sev-error", "sev-warning", "sev-info");
      x.removeAttribute("aria-describedby");
    }
    findingsEl.textContent = "";
    const count = { error: 0, warning: 0, info: 0 };
    const rank = { error: 0, warning: 1, info: 2 };
    list.forEach((f, n) => {
      count[f.severity] = (count[f.severity] || 0) + 1;
      const loc = f.location || {};
      const t = loc.form != null ? target(loc.form, loc.field) : null;
      const id = "finding-" + (n + 1);
      const where = [loc.form != null ? "第" + (loc.form + 1) + "张表" : "", loc.form_name || "", loc.field ? label(loc.field) : ""].filter(Boolean).join(" ");
      const msg = t ? el("button", { type: "button", class: "link jump", "data-target": t.id, text: f.message }) : el("span", { text: f.message });
      findingsEl.append(el("li", { class: "finding sev-" + f.severity, id, "data-rule": f.rule },
        el("span", { class: "sev", text: SEV[f.severity] || f.severity }), " ", msg,
        el("div", { class: "where", text: where }),
        f.expected || f.actual ? el("div", { class: "values", text: (f.expected ? "应为：" + f.expected : "") + (f.actual ? " 实际：" + f.actual : "") }) : null));
      if (t && t.dataset.path) {
        const worse = ["sev-error", "sev-warning", "sev-info"].find((c) => t.classList.contains(c));
        if (!worse || rank[worse.slice(4)] > rank[f.severity]) { if (worse) t.classList.remove(worse); t.classList.add("sev-" + f.severity); }
        t.setAttribute("aria-describedby", ((t.getAttribute("aria-describedby") || "") + " " + id).trim());
      }
    });
    checkState.textContent = list.length ? "错误 " + count.error + " · 警告 " + count.warning + " · 提示 " + count.info : "没有发现问题";
    if (!list.length) findingsEl.append(el("li", { class: "empty", text: "没有发现问题。" }));
  }
  findingsEl.addEventListener("click", (e) => {
    const b = e.target.closest("button.jump");
    const t = b && $(b.dataset.target);
    if (!t) return;
    t.scrollIntoView({ block: "center" });
    t.focus();
    t.classList.remove("flash"); void t.offsetWidth; t.classList.add("flash");
  });

  function showTotals() {
    totalsEl.textContent = "";
    for (const x of root.querySelectorAll("[data-sum]")) x.textContent = "";
    if (!totals.length) { totalsEl.append(el("p", { class: "muted", text: "正在核对…" })); return; }
    const w = (s) => s == null ? "未填" : s + " 万元";
    for (const t of totals) {
      const rows = [];
      const line = (name, value, bad) => rows.push(el("dt", { text: name }), el("dd", { class: bad ? "sev-error" : null, text: value }));
      const sum = (key, text, bad) => {
        const s = root.querySelector('[data-sum="f' + t.form + ":" + key + '"]');
        if (s) { s.textContent = text; s.classList.toggle("sev-error", !!bad); }
      };
      if (t.kind === "project") {
        const bad = t.details_total != null && t.details_total !== t.details_sum;
        line("支出明细合计（按各行计算）", w(t.details_sum));
        line("支出明细合计（表中填写）", w(t.details_total), bad);
        line("项目金额", w(t.amount), t.amount != null && t.amount !== t.details_sum);
        if (t.details_missing) line("未填金额的明细", t.details_missing + " 行", true);
        sum("details_sum", "按各行计算：" + w(t.details_sum) + (bad ? "（与填写的合计不符）" : ""), bad);
      } else if (REPORT_KINDS.has(t.kind)) {
        const s = scores.find((x) => x.form === t.form);
        if (s && s.kind === "self_evaluation") { line("计算总分", s.total == null ? "—" : s.total); line("计算等级", s.grade || "—"); }
        if (s && s.kind === "monitoring") line("执行率", s.rate == null ? "—" : s.rate + "%");
      } else if (t.kind === "department_overall") {
        line("资金总额", w(t.amount));
        line("按收入性质分之和", w(t.by_source_sum), t.by_source_sum != null && t.by_source_sum !== t.amount);
        line("按支出性质分之和", w(t.by_nature_sum), t.by_nature_sum != null && t.by_nature_sum !== t.amount);
        sum("by_source_sum", "（之和：" + w(t.by_source_sum) + "）");
        sum("by_nature_sum", "（之和：" + w(t.by_nature_sum) + "）");
      } else {
        line("合计（表中填写）", w(t.amount));
        line("各专项金额之和", w(t.items_sum), t.items_sum != null && t.items_sum !== t.amount);
        sum("items_sum", "各专项金额之和：" + w(t.items_sum));
        (t.children_sums || []).forEach((s, i) => sum("children_sums." + i, "（各支出方向之和：" + w(s) + "）"));
      }
      line("指标", t.indicators + " 条");
      totalsEl.append(el("section", { class: "ed-total" }, el("h3", { text: "第" + (t.form + 1) + "张表 " + t.name }), el("dl", null, rows)));
    }
  }

  // ---------------------------------------------------------- save
  async function save() {
    if (saving) return;
    const bad = firstInvalid();
    if (bad || Object.keys(raw).length) {
      saveState.textContent = "有格式不正确的金额或年度（已标红），改正后再保存。金额只填数字，单位为万元，如 12.5。";
      if (bad) bad.focus();
      return;
    }
    const body = { forms, base_version: base };
    if (adjust) {
      const why = reasonEl ? reasonEl.value.trim() : "";
      if (!why) { saveState.textContent = "请先填写调整原因。"; if (reasonEl) reasonEl.focus(); return; }
      body.reason = why;
    }
    saving = true; saveBtn.disabled = true;
    saveState.textContent = "正在保存…";
    const sent = JSON.stringify(forms);
    let r = await call("PUT", "/api/dossiers/" + M.id, body);
    if (r.status === 403 && /CSRF/.test(r.body.error || "") && await refreshCsrf()) r = await call("PUT", "/api/dossiers/" + M.id, body);
    saving = false; saveBtn.disabled = false;
    if (r.ok) {
      base = r.body.version;
      root.dataset.version = base;
      const same = JSON.stringify(forms) === sent;
      clearTimeout(draftTimer);
      if (same) { dirty = false; clearDraft(); saveBtn.disabled = true; } else saveDraft();
      if (adjust) { adjust = false; const box = $("adjust-box"); if (box) box.hidden = true; }
      const st = $("ed-status");
      if (st && r.body.status) { st.className = "badge st-" + r.body.status; st.textContent = { draft: "草稿", returned: "退回修改", adjusting: "调整中" }[r.body.status] || st.textContent; }
      $("ed-version").textContent = "当前为第" + base + "版";
      saveState.textContent = "已保存为第" + base + "版（" + new Date().toLocaleTimeString("zh-CN") + "）" + (same ? "" : "，之后的修改尚未保存");
      $("conflict").hidden = true;
      showFindings(r.body.findings || []);
    } else if (r.status === 409 && r.body.current_version) {
      saveState.textContent = "保存冲突：档案已被他人修改。";
      conflict();
    } else if (r.status === 401) {
      saveDraft();
      saveState.textContent = "";
      saveState.append("登录已过期。修改已保存在本机，不会丢失。请", loginLink(), "，然后 ",
        el("button", { type: "button", id: "retry-save", text: "重试保存", onclick: async () => { await refreshCsrf(); save(); } }));
    } else {
      saveState.textContent = "保存失败：" + r.body.error;
      if (r.body.findings) showFindings(r.body.findings);
    }
  }

  // ---------------------------------------------------------- conflicts
  function flat(form, out, prefix) {
    for (const key of Object.keys(form || {})) {
      if (key === "sources" && !prefix) continue;
      const v = form[key], p = prefix ? (Array.isArray(form) ? prefix + "[" + key + "]" : prefix + "." + key) : key;
      if (key === "value" && v && typeof v === "object" && "text" in v) out[p] = v.text;
      else if (v && typeof v === "object") flat(v, out, p);
      else out[p] = v == null ? "" : String(v);
    }
    return out;
  }
  async function conflict() {
    const box = $("conflict");
    box.hidden = false;
    box.textContent = "正在取回服务器上的当前版本…";
    const r = await call("GET", "/api/dossiers/" + M.id);
    if (!r.ok) { box.textContent = "无法取回服务器版本：" + r.body.error; return; }
    const theirs = r.body.forms || [], version = r.body.version;
    const tb = el("tbody");
    let n = 0;
    for (let k = 0; k < Math.max(theirs.length, forms.length); k++) {
      const a = theirs[k], b = forms[k];
      if (!a || !b || a.kind !== b.kind) {
        tb.append(el("tr", null, el("td", { text: "第" + (k + 1) + "张表" }), el("td", { text: a ? formName(a) : "（无）" }), el("td", { text: b ? formName(b) : "（无）" })));
        n++; continue;
      }
      const fa = flat(a, {}), fb = flat(b, {});
      for (const p of new Set([...Object.keys(fa), ...Object.keys(fb)])) {
        if ((fa[p] || "") === (fb[p] || "")) continue;
        if (++n > 300) break;
        tb.append(el("tr", null, el("td", { text: "第" + (k + 1) + "张表 " + label(p) }), el("td", { text: fa[p] || "（空）" }), el("td", { text: fb[p] || "（空）" })));
      }
    }
    box.textContent = "";
    box.append(el("h2", { text: "保存冲突：他人已把档案保存为第" + version + "版" }),
      el("p", { text: "你的这次保存没有覆盖对方的修改，已另存为冲突版本（可在版本历史中查看），本页的内容也都还在。下面列出两个版本不同的 " + n + " 处，请选择保留哪一个：" }),
      el("div", { class: "ed-table-wrap" }, el("table", { class: "ed-table ed-diff" },
        el("thead", null, el("tr", null, el("th", { scope: "col", text: "位置" }), el("th", { scope: "col", text: "服务器版本（第" + version + "版）" }), el("th", { scope: "col", text: "我的版本" }))), tb)),
      el("div", { class: "row" },
        el("button", { type: "button", class: "primary", id: "keep-mine", text: "保留我的版本", onclick: () => { base = version; box.hidden = true; save(); } }),
        el("button", { type: "button", id: "take-server", text: "采用服务器版本", onclick: () => {
          if (!confirm("采用服务器版本后，本页未保存的修改将被放弃（冲突版本仍保存在版本历史中）。继续吗？")) return;
          forms = copy(theirs); base = version; raw = {}; dirty = false; clearDraft();
          root.dataset.version = base;
          box.hidden = true; renderAll(); runCheck(); saveBtn.disabled = true;
          $("ed-version").textContent = "当前为第" + base + "版";
          saveState.textContent = "已采用服务器上的第" + base + "版。";
        } })));
    box.focus();
  }

  // ---------------------------------------------------------- start
  function offerDraft() {
    const d = readDraft();
    if (!d || !Array.isArray(d.forms)) return;
    const same = JSON.stringify(d.forms) === JSON.stringify(M.forms) && !Object.keys(d.raw || {}).length;
    if (same) { clearDraft(); return; }
    const box = $("draft-offer");
    box.hidden = false;
    box.append(el("div", null, el("p", { text: "本机有一份尚未保存的修改（" + new Date(d.at).toLocaleString("zh-CN") + "，基于第" + d.base + "版）。" }),
      d.base < M.version ? el("p", { text: "此后服务器上已有第" + M.version + "版；恢复后保存时会提示冲突，可以逐项比较后再决定。" }) : null),
      el("div", { class: "row" },
        el("button", { type: "button", class: "primary", id: "restore-draft", text: "恢复未保存的修改", onclick: () => {
          forms = d.forms; base = d.base; raw = d.raw || {};
          if (reasonEl && d.reason) reasonEl.value = d.reason;
          box.hidden = true; renderAll(); changed();
          saveState.textContent = "已恢复本机草稿，请检查后保存。";
        } }),
        el("button", { type: "button", id: "discard-draft", text: "放弃这些修改", onclick: () => {
          if (!confirm("放弃本机保存的修改吗？放弃后无法找回。")) return;
          clearDraft(); box.hidden = true;
        } })));
  }
  // Rows filled from the indicator library: the name, and 一级/二级/指标值 where empty.
  function fillFrom(row, x) {
    row.name = x.name;
    if (!row.level1 && x.level1) row.level1 = x.level1;
    if (!row.level2 && x.level2 && level2Of(row.level1).includes(x.level2)) row.level2 = x.level2;
    if ((!row.value || !row.value.text) && x.value) row.value = { text: x.value, comparator: null, number: null, unit: null };
  }
  library(root, {
    dossier: M.id,
    kind: (k) => forms[k] && forms[k].kind,
    names: (k) => ((forms[k] && forms[k].indicators) || []).map((r) => r.name),
    fillRow: (k, i, x) => {
      const row = forms[k] && forms[k].indicators && forms[k].indicators[i];
      if (!row) return;
      fillFrom(row, x);
      rerender(k);
      changed();
    },
    addRow: (k, x) => {
      const f = forms[k];
      if (!f.indicators) f.indicators = [];
      const row = blankRow("indicators", k);
      fillFrom(row, x);
      f.indicators.push(row);
      rerender(k);
      changed();
    },
  });
  root.dataset.version = base;
  renderAll();
  offerDraft();
  saveBtn.disabled = !dirty;
  runCheck();
}
