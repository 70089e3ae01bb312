// jixiao: the little JavaScript of the pages. Every change goes through the JSON API
// with the session's CSRF token; without JavaScript the pages still read fine.
"use strict";
(function () {
  const meta = document.querySelector('meta[name="csrf-token"]');
  const csrf = meta ? meta.content : "";
  const notice = document.getElementById("notice");

  function say(text, kind) {
    if (!notice) return;
    notice.textContent = "";
    notice.className = "notice " + (kind || "");
    // The message scrolls inside a bar of at most a third of the screen, and can be closed.
    const body = document.createElement("div");
    body.className = "notice-body";
    if (typeof text === "string") body.textContent = text; else body.appendChild(text);
    const close = document.createElement("button");
    close.type = "button";
    close.className = "notice-close";
    close.id = "notice-close";
    close.setAttribute("aria-label", "关闭提示");
    close.textContent = "×";
    close.addEventListener("click", () => { notice.hidden = true; });
    notice.append(body, close);
    notice.hidden = false;
    notice.scrollIntoView({ block: "nearest" });
  }

  // A message that outlives the reload after an action (and the page it leads to); the
  // next page shows it (below).
  const later = (text) => sessionStorage.setItem("jixiao-notice", text);

  // Calls the API; resolves to {ok, status, body}. A lost session says so instead of failing silently.
  async function api(method, url, body) {
    const opts = { method, headers: { "X-CSRF-Token": csrf }, credentials: "same-origin" };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    let res;
    try { res = await fetch(url, opts); } catch (e) {
      return { ok: false, status: 0, body: { error: "网络连接失败，请检查网络后重试" } };
    }
    let data = {};
    try { data = await res.json(); } catch (e) { data = {}; }
    if (res.status === 401) {
      const p = document.createElement("span");
      p.append("登录已过期，请 ");
      const a = document.createElement("a");
      a.href = "/login?next=" + encodeURIComponent(location.pathname + location.search);
      a.target = "_blank"; a.textContent = "在新窗口重新登录";
      p.append(a, "，然后再试一次（本页内容不会丢失）。");
      say(p, "error");
    }
    return { ok: res.ok, status: res.status, body: data };
  }

  function findingList(findings) {
    const ul = document.createElement("ul");
    for (const f of findings || []) {
      const li = document.createElement("li");
      li.textContent = (f.severity === "error" ? "错误：" : "警告：") + f.message;
      ul.appendChild(li);
    }
    return ul;
  }

  function busy(btn, on) {
    if (!btn) return;
    btn.disabled = on;
    if (on) { btn.dataset.label = btn.textContent; btn.textContent = "处理中…"; }
    else if (btn.dataset.label) btn.textContent = btn.dataset.label;
  }

  // Jump from a finding or comment to its cell and make it flash.
  function flash(id) {
    const el = document.getElementById(id);
    if (!el) return;
    const cell = el.closest("td,th,.sheet") || el;
    cell.classList.remove("flash"); void cell.offsetWidth; cell.classList.add("flash");
  }
  document.addEventListener("click", (e) => {
    const a = e.target.closest("a.jump, a.fmark");
    if (a && a.dataset.target) flash(a.dataset.target);
  });
  window.addEventListener("hashchange", () => flash(location.hash.slice(1)));

  // 撤回提交: back to 草稿 after a confirmation that says what follows.
  const withdrawBtn = document.getElementById("withdraw-btn");
  if (withdrawBtn) withdrawBtn.addEventListener("click", async () => {
    if (!window.confirm("撤回后档案回到草稿，可以继续修改，改好后需要重新提交审核。确定撤回吗？")) return;
    busy(withdrawBtn, true);
    const r = await api("POST", "/api/dossiers/" + withdrawBtn.dataset.id + "/withdraw",
      { version: Number(withdrawBtn.dataset.version) });
    busy(withdrawBtn, false);
    if (r.ok) { later("已撤回，档案回到草稿。"); location.reload(); }
    else if (r.status !== 401) say(r.body.error || "撤回失败", "error");
  });

  // 删除草稿: after a confirmation, to the list with a message that outlives the page.
  const deleteBtn = document.getElementById("delete-btn");
  if (deleteBtn) deleteBtn.addEventListener("click", async () => {
    const name = deleteBtn.dataset.name;
    if (!window.confirm("确定删除" + name + "的草稿吗？删除后档案从列表中消失，该年度可以重新新建；如需找回，请联系管理员恢复。")) return;
    busy(deleteBtn, true);
    const r = await api("DELETE", "/api/dossiers/" + deleteBtn.dataset.id,
      { version: Number(deleteBtn.dataset.version) });
    busy(deleteBtn, false);
    if (r.ok) {
      later("已删除" + name + "的草稿。如需找回，请联系管理员恢复。");
      location.href = "/dossiers";
    } else if (r.status !== 401) say(r.body.error || "删除失败", "error");
  });

  // 待办 badge: to-do items and unread notices, fetched after the page is shown so no
  // page waits for it. On the 待办 page itself the notices shown are marked read.
  const badge = document.getElementById("todo-badge");
  if (badge) fetch("/api/todo", { credentials: "same-origin" })
    .then((r) => (r.ok ? r.json() : null))
    .then((t) => {
      if (!t) return;
      const n = t.item_count + t.unread;
      if (n > 0) { badge.textContent = String(n); badge.hidden = false; }
      badge.parentElement.setAttribute("aria-label", "待办 " + t.item_count + " 项，未读消息 " + t.unread + " 条");
    }, () => {});
  const noticeList = document.getElementById("notices");
  if (noticeList && noticeList.dataset.latest && noticeList.querySelector(".unread")) {
    api("POST", "/api/todo/read", { seq: Number(noticeList.dataset.latest) });
  }

  // 填报进度: 催报 one unit or all that have not handed in; the admin's deadline.
  document.addEventListener("click", async (e) => {
    const b = e.target.closest("button.remind, #remind-all");
    if (!b) return;
    const body = { year: Number(b.dataset.year) };
    if (b.dataset.unit) body.unit_ids = [Number(b.dataset.unit)];
    busy(b, true);
    const r = await api("POST", "/api/progress/remind", body);
    busy(b, false);
    if (r.ok) say("已催报 " + r.body.reminded + " 个单位，对方会在“待办”中看到消息。", "ok");
    else if (r.status !== 401) say(r.body.error || "催报失败", "error");
  });
  const deadlineForm = document.getElementById("deadline-form");
  if (deadlineForm) deadlineForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    const r = await api("PUT", "/api/progress/deadline",
      { year: Number(deadlineForm.dataset.year), date: document.getElementById("deadline-date").value });
    if (r.ok) {
      later("已保存截止日期。");
      location.reload();
    } else if (r.status !== 401) say(r.body.error || "保存失败", "error");
  });

  // A message left by the page before (删除 leaves the page it was on).
  const left = sessionStorage.getItem("jixiao-notice");
  if (left) { sessionStorage.removeItem("jixiao-notice"); say(left, "ok"); }

  // 提交审核, after a confirmation that says what follows.
  const submitBtn = document.getElementById("submit-btn");
  if (submitBtn) submitBtn.addEventListener("click", async () => {
    if (!window.confirm("提交后，审核完成前不能再修改（审核人员查看前可以撤回）。确定提交审核吗？")) return;
    busy(submitBtn, true);
    const r = await api("POST", "/api/dossiers/" + submitBtn.dataset.id + "/submit",
      { version: Number(submitBtn.dataset.version) });
    busy(submitBtn, false);
    if (r.ok) { later("已提交审核。审核人员会在审核队列中看到这份档案。"); location.reload(); return; }
    if (r.status === 401) return;
    const box = document.createElement("div");
    box.append(r.body.error || "提交失败");
    if (r.body.findings) box.appendChild(findingList(r.body.findings));
    say(box, "error");
  });

  // 开启监控 (reviewers, administrators): every approved target of their units gets a report.
  const roundForm = document.getElementById("round-form");
  if (roundForm) roundForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    const btn = roundForm.querySelector("button");
    const due = document.getElementById("round-due").value;
    busy(btn, true);
    const r = await api("POST", "/api/rounds", { year: Number(roundForm.dataset.year), period_months: Number(document.getElementById("round-months").value), due: due || null });
    busy(btn, false);
    if (r.ok) { later("已开启监控：生成 " + r.body.created + " 张监控表" + (r.body.skipped ? "，" + r.body.skipped + " 个已有或无项目" : "") + "。"); location.href = "/monitoring?year=" + r.body.round.year + "&round=" + r.body.round.id; }
    else if (r.status !== 401) say(r.body.error || "操作失败", "error");
  });

  // 绩效运行监控 / 绩效自评: a report prefilled from the approved targets, then its editor.
  const startReport = async (id, body, btn) => {
    busy(btn, true);
    const r = await api("POST", "/api/dossiers/" + id + "/reports", body);
    busy(btn, false);
    if (r.ok) location.href = "/dossiers/" + r.body.id + "/edit";
    else if (r.status !== 401) say(r.body.error || "操作失败", "error");
  };
  const monitorForm = document.getElementById("start-monitoring");
  if (monitorForm) monitorForm.addEventListener("submit", (e) => {
    e.preventDefault();
    startReport(monitorForm.dataset.id, { kind: "monitoring", period_months: Number(monitorForm.months.value) }, monitorForm.querySelector("button"));
  });
  const selfEval = document.getElementById("start-self-eval");
  if (selfEval) selfEval.addEventListener("click", () => startReport(selfEval.dataset.id, { kind: "self_evaluation" }, selfEval));

  // 审核：通过 / 退回
  const review = document.getElementById("review-form");
  if (review) {
    const url = (action) => "/api/dossiers/" + review.dataset.id + "/" + action;
    // A report (监控、自评) is approved with its evaluation grade, without the four criteria.
    const isReport = review.dataset.report === "1";
    const val = (n) => review[n] ? review[n].value : "";
    const opinions = () => ({
      completeness: val("completeness"), relevance: val("relevance"),
      appropriateness: val("appropriateness"), feasibility: val("feasibility"),
    });
    const version = Number(review.dataset.version);
    const done = (r, text) => {
      if (r.ok) { later(text); location.reload(); }
      else if (r.status !== 401) say(r.body.error || "操作失败", "error");
    };
    const approve = async () => {
      const g = review.querySelector('input[name="grade"]:checked');
      if (!g) {
        say("请先选择审核等级（优/良/中/差）", "error");
        // Take the reviewer to the grades, not away from them.
        const first = review.querySelector('input[name="grade"]');
        if (first) { first.scrollIntoView({ block: "center" }); first.focus(); }
        return;
      }
      // The four opinions are required for a decision with a grade: say which are empty.
      const empty = isReport ? [] : [["completeness", "完整性"], ["relevance", "相关性"], ["appropriateness", "适当性"], ["feasibility", "可行性"]]
        .filter(([k]) => !review[k].value.trim());
      if (empty.length) {
        say("请填写" + empty.map(([, l]) => l).join("、") + "审核意见后再审核通过", "error");
        review[empty[0][0]].scrollIntoView({ block: "center" });
        review[empty[0][0]].focus();
        return;
      }
      const back = !isReport && (g.value === "中" || g.value === "差");
      const question = isReport ? "确定审核通过此报告（评价等级“" + g.value + "”）吗？通过后报告锁定。" : back
        ? "等级为“" + g.value + "”时，档案将退回单位修改后重新提交" + (g.value === "差" ? "，且该目标不得纳入预算安排" : "") + "。确定吗？"
        : "确定审核通过（等级“" + g.value + "”）吗？通过后档案锁定，单位只能申请调整。";
      if (!window.confirm(question)) return;
      busy(approveBtn, true);
      const r = await api("POST", url("approve"), { grade: g.value, opinions: opinions(), version });
      busy(approveBtn, false);
      done(r, back ? "已评为“" + g.value + "”，档案已退回单位修改。" : "已审核通过（等级“" + g.value + "”），" + (isReport ? "报告" : "档案") + "已锁定。");
    };
    const sendBack = async () => {
      if (!window.confirm("确定退回单位修改吗？单位会在“待办”中看到退回意见。")) return;
      busy(returnBtn, true);
      const r = await api("POST", url("return"), { opinions: opinions(), comment: review.comment.value, version });
      busy(returnBtn, false);
      done(r, "已退回单位修改，单位会在“待办”中看到。");
    };
    const approveBtn = document.getElementById("approve-btn");
    const returnBtn = document.getElementById("return-btn");
    approveBtn.addEventListener("click", approve);
    returnBtn.addEventListener("click", sendBack);
    // The sticky bar at the bottom of the screen does the same, wherever the reviewer is.
    const bar = document.getElementById("review-bar");
    if (bar) {
      // Shown only while the form's own buttons are out of sight.
      const own = approveBtn.closest(".row") || approveBtn;
      const show = (on) => { bar.hidden = !on; document.body.classList.toggle("has-review-bar", on); };
      if ("IntersectionObserver" in window) {
        new IntersectionObserver((es) => show(!es[es.length - 1].isIntersecting)).observe(own);
      } else show(true);
      document.getElementById("bar-approve").addEventListener("click", approve);
      document.getElementById("bar-return").addEventListener("click", sendBack);
    }
  }

  // 意见：点击单元格选择位置
  const paper = document.getElementById("paper");
  const cform = document.getElementById("comment-form");
  if (paper && cform) {
    const field = document.getElementById("comment-field");
    const place = document.getElementById("comment-place");
    const clear = document.getElementById("comment-clear");
    const pick = (td) => {
      paper.querySelectorAll("td.picked").forEach((x) => x.classList.remove("picked"));
      if (!td) { field.value = ""; place.textContent = "整个档案"; clear.hidden = true; return; }
      const form = td.closest(".sheet");
      td.classList.add("picked");
      field.value = "f" + form.dataset.form + ":" + td.dataset.field;
      const row = td.closest("tr");
      const head = row && row.querySelector("th");
      const text = (td.firstChild && td.firstChild.textContent || "").trim().slice(0, 30);
      place.textContent = (form.getAttribute("aria-label") || "") + " · " + (head ? head.textContent.trim() + " · " : "") + (text || td.dataset.field);
      clear.hidden = false;
    };
    paper.addEventListener("click", (e) => {
      if (e.target.closest("a")) return;
      const td = e.target.closest("td[data-field],th[data-field]");
      if (td) { pick(td); document.getElementById("comment-body").focus(); }
    });
    clear.addEventListener("click", () => pick(null));
    // From the keyboard: a finding's "对此提意见" picks the cell it points at.
    document.addEventListener("click", (e) => {
      const b = e.target.closest("button.comment-on");
      if (!b) return;
      const a = document.getElementById(b.dataset.target);
      const td = a && a.closest("td[data-field],th[data-field]");
      if (td) { pick(td); document.getElementById("comment-body").focus(); }
    });
    cform.addEventListener("submit", async (e) => {
      e.preventDefault();
      const body = cform.body.value.trim();
      if (!body) { say("请填写意见内容", "error"); return; }
      const btn = cform.querySelector("button[type=submit]");
      busy(btn, true);
      const r = await api("POST", "/api/dossiers/" + cform.dataset.id + "/comments",
        { field: field.value, body, version: Number(cform.dataset.version) });
      busy(btn, false);
      if (r.ok) { location.reload(); } else if (r.status !== 401) say(r.body.error || "保存意见失败", "error");
    });
  }

  // 导入修改后的文件: the previewed forms saved as the next version after the one compared.
  const reimportBtn = document.getElementById("reimport-save");
  if (reimportBtn) reimportBtn.addEventListener("click", async () => {
    const forms = JSON.parse(document.getElementById("reimport-forms").textContent);
    busy(reimportBtn, true);
    const r = await api("PUT", "/api/dossiers/" + reimportBtn.dataset.id,
      { forms, base_version: Number(reimportBtn.dataset.base) });
    busy(reimportBtn, false);
    if (r.ok) {
      later("已将导入的文件保存为第" + r.body.version + "版。");
      location.href = "/dossiers/" + reimportBtn.dataset.id;
    } else if (r.status === 409) {
      say("比较之后档案又有了新的版本" + (r.body.current_version ? "（第" + r.body.current_version + "版）" : "") +
        "，导入的内容已另存为冲突版本（见版本历史），没有覆盖别人的修改。请回到档案，与最新版本比较后重新导入。", "error");
    } else if (r.status !== 401) say(r.body.error || "保存失败", "error");
  });

  // 标记已解决 / 重新打开 a remark.
  document.addEventListener("click", async (e) => {
    const b = e.target.closest("button.resolve");
    if (!b) return;
    const resolved = b.dataset.resolved === "true";
    busy(b, true);
    const r = await api("POST", "/api/dossiers/" + b.dataset.id + "/comments/" + b.dataset.comment + "/resolve", { resolved });
    busy(b, false);
    if (r.ok) { later(resolved ? "已标记为已解决。" : "已重新打开这条意见。"); location.reload(); }
    else if (r.status !== 401) say(r.body.error || "操作失败", "error");
  });

  // 批量导出: the picked dossiers or every approved one of the year, made in the background;
  // the page polls the job and offers its file when done.
  const batch = document.getElementById("batch-form");
  if (batch) {
    const status = document.getElementById("batch-status");
    const pickedBtn = document.getElementById("batch-picked");
    const picks = () => [...document.querySelectorAll("input.pick:checked")].map((x) => Number(x.value));
    const recount = () => {
      const n = picks().length;
      document.getElementById("picked-count").textContent = String(n);
      pickedBtn.disabled = n === 0;
    };
    document.addEventListener("change", (e) => {
      if (e.target.id === "pick-all") document.querySelectorAll("input.pick").forEach((x) => { x.checked = e.target.checked; });
      if (e.target.matches("input.pick, #pick-all")) recount();
    });
    const show = (text, kind) => { status.textContent = text; status.className = kind ? "alert " + kind : "muted"; };
    const start = async (ids) => {
      const body = { year: Number(batch.year.value), format: batch.format.value };
      if (ids) body.ids = ids;
      const buttons = [document.getElementById("batch-approved"), pickedBtn];
      buttons.forEach((b) => { b.disabled = true; });
      const r = await api("POST", "/api/exports", body);
      if (!r.ok) {
        buttons[0].disabled = false; recount();
        if (r.status !== 401) show(r.body.error || "导出失败", "error");
        return;
      }
      const poll = async () => {
        const j = await api("GET", "/api/jobs/" + r.body.id);
        if (!j.ok) { show(j.body.error || "导出失败", "error"); buttons[0].disabled = false; recount(); return; }
        if (j.body.status === "done") {
          status.textContent = "";
          status.className = "alert ok";
          const a = document.createElement("a");
          a.href = j.body.download; a.id = "batch-download"; a.textContent = "下载 " + j.body.file_name;
          status.append("已完成 " + j.body.total + " 份：", a);
          buttons[0].disabled = false; recount();
        } else if (j.body.status === "failed") {
          show("导出失败：" + (j.body.error || ""), "error"); buttons[0].disabled = false; recount();
        } else {
          show((j.body.status === "queued" ? "排队中…" : "正在生成 ") + j.body.done + " / " + j.body.total + " 份…");
          setTimeout(poll, 1000);
        }
      };
      show("已开始，共 " + r.body.total + " 份…");
      poll();
    };
    batch.addEventListener("submit", (e) => { e.preventDefault(); start(null); });
    pickedBtn.addEventListener("click", () => start(picks()));
  }

  // 预算公开 (admin): publish or take back a year's approved dossiers.
  const publishForm = document.getElementById("publish-form");
  if (publishForm) {
    const send = async (method) => {
      const body = { year: Number(publishForm.year.value) };
      if (publishForm.unit.value) body.unit = publishForm.unit.value;
      if (publishForm.parent.value) body.parent = publishForm.parent.value;
      if (method === "DELETE" && !window.confirm("撤回后公众将看不到这些档案。确定撤回公开吗？")) return;
      const r = await api(method, "/api/publications", body);
      if (r.ok) say(method === "POST" ? "已公开 " + r.body.published + " 份档案。" : "已撤回 " + r.body.unpublished + " 份档案的公开。", "ok");
      else if (r.status !== 401) say(r.body.error || "操作失败", "error");
    };
    publishForm.addEventListener("submit", (e) => { e.preventDefault(); send("POST"); });
    document.getElementById("unpublish-btn").addEventListener("click", () => send("DELETE"));
  }

  // Long downloads (PDF) show that something is happening.
  document.addEventListener("click", (e) => {
    const a = e.target.closest("a[data-export]");
    if (a && a.dataset.export === "pdf") say("正在生成 PDF，请稍候…");
  });

  window.jixiao = { api, say, busy, findingList };
})();
