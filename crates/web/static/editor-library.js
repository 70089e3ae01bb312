// jixiao editor: help from the indicator library (指标库) on target tables.
//   * typing a 三级指标 name lists what filings wrote (GET /api/library/suggest): the usual
//     指标性质 and unit and the range of targets comparable filings set; choosing one fills
//     the name, and an empty 一级/二级 and 指标值 with the usual ones;
//   * 参考同类项目的指标 lists what similar projects used (GET /api/library/similar), each
//     with 添加.
// Only aggregates come back: never another unit's filing.
// Stable hooks for browser tests: #lib-suggest (the list; li[data-key] > button),
// button[data-lib="similar"] per form, .lib-similar (li[data-key] > button[data-lib="add"]),
// .lib-hint (the range under a chosen name).
import { el, call, announce } from "./editor-util.js";

const TARGET_KINDS = new Set(["project", "department_overall"]);
const NAME = /^f(\d+):indicators\[(\d+)\]\.name$/;

// `≥ 95%～100%（中位数98%，6份）`: what an entry tells about its targets.
function describe(s) {
  const parts = [];
  const usual = [s.comparator, s.unit ? "单位 " + s.unit : ""].filter(Boolean).join(" · ");
  if (usual) parts.push("常用 " + usual);
  if (s.range) {
    const u = s.range.unit || "";
    const span = s.range.q1 === s.range.q3 ? s.range.q1 + u : s.range.q1 + u + "～" + s.range.q3 + u;
    parts.push("同类目标 " + span + "（中位数" + s.range.median + u + "，" + s.range.n + "份）");
  } else if (s.usual_value) parts.push("参考值 " + s.usual_value);
  if (s.achieved) parts.push("自评完成率中位数 " + s.achieved.median + "%");
  if (s.common) parts.push("共性指标");
  return parts.join("；");
}

// The target a suggestion proposes: the usual value as written, else comparator, median, unit.
function proposed(s) {
  if (s.range) return (s.comparator || "") + s.range.median + (s.range.unit || "");
  return s.usual_value || "";
}

export function library(root, api) {
  const list = el("ul", { id: "lib-suggest", class: "lib-suggest", role: "listbox", "aria-label": "指标库中的三级指标", hidden: true });
  document.body.append(list);
  let target = null, timer = null, asked = 0, items = [];

  function close() { list.hidden = true; list.textContent = ""; items = []; if (target) target.removeAttribute("aria-expanded"); }
  function place(t) {
    const r = t.getBoundingClientRect();
    list.style.left = (window.scrollX + r.left) + "px";
    list.style.top = (window.scrollY + r.bottom + 2) + "px";
    list.style.minWidth = Math.max(r.width, 320) + "px";
  }
  async function ask(t) {
    const q = t.value.trim();
    if (q.length < 2) return close();
    const n = ++asked;
    const r = await call("GET", "/api/library/suggest?q=" + encodeURIComponent(q));
    if (n !== asked || target !== t) return;
    items = r.ok && Array.isArray(r.body) ? r.body : [];
    list.textContent = "";
    if (!items.length) return close();
    items.forEach((s, i) => list.append(el("li", { "data-key": s.key, role: "option", id: "lib-opt-" + i },
      el("button", { type: "button", tabindex: "-1", "data-i": i },
        el("strong", { text: s.name }), el("span", { class: "lib-meta", text: [s.level1, s.level2].filter(Boolean).join(" / ") }),
        el("span", { class: "lib-meta", text: describe(s) })))));
    place(t);
    list.hidden = false;
    t.setAttribute("aria-expanded", "true");
    announce("指标库中有" + items.length + "条相近的指标，按向下键选择");
  }

  function choose(i) {
    const s = items[i], t = target;
    if (!s || !t) return;
    const m = NAME.exec(t.dataset.path);
    close();
    api.fillRow(Number(m[1]), Number(m[2]), { name: s.name, level1: s.level1, level2: s.level2, value: proposed(s) });
    const again = root.querySelector('[data-path="' + t.dataset.path + '"]');
    if (again) {
      hint(again, s);
      again.focus();
    }
    announce("已填入“" + s.name + "”" + (describe(s) ? "：" + describe(s) : ""));
  }
  function hint(t, s) {
    const old = t.parentElement.querySelector(".lib-hint");
    if (old) old.remove();
    const text = describe(s);
    if (text) t.parentElement.append(el("span", { class: "lib-hint cell-note", text }));
  }

  root.addEventListener("input", (e) => {
    const t = e.target;
    if (!t.dataset || !NAME.test(t.dataset.path || "")) return;
    const k = Number(NAME.exec(t.dataset.path)[1]);
    if (!TARGET_KINDS.has(api.kind(k))) return;
    target = t;
    t.setAttribute("aria-controls", "lib-suggest");
    t.setAttribute("aria-autocomplete", "list");
    clearTimeout(timer);
    timer = setTimeout(() => ask(t), 200);
  });
  root.addEventListener("keydown", (e) => {
    if (list.hidden || e.target !== target) return;
    const opts = [...list.querySelectorAll("li")];
    const cur = opts.findIndex((o) => o.getAttribute("aria-selected") === "true");
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const next = e.key === "ArrowDown" ? Math.min(cur + 1, opts.length - 1) : Math.max(cur - 1, 0);
      opts.forEach((o, i) => o.setAttribute("aria-selected", i === next ? "true" : "false"));
      target.setAttribute("aria-activedescendant", opts[next].id);
    } else if (e.key === "Enter" && cur >= 0) {
      e.preventDefault();
      choose(cur);
    } else if (e.key === "Escape") close();
  });
  list.addEventListener("mousedown", (e) => e.preventDefault()); // keep the cell focused
  list.addEventListener("click", (e) => {
    const b = e.target.closest("button[data-i]");
    if (b) choose(Number(b.dataset.i));
  });
  root.addEventListener("focusout", (e) => { if (e.target === target) setTimeout(() => { if (document.activeElement !== target) close(); }, 150); });

  // ------------------------------------------------ similar projects
  root.addEventListener("click", async (e) => {
    const b = e.target.closest("button[data-lib]");
    if (!b) return;
    const sec = b.closest("section[data-form]");
    const k = Number(sec.dataset.form);
    if (b.dataset.lib === "similar") {
      let box = sec.querySelector(".lib-similar");
      if (!box) { box = el("div", { class: "lib-similar", role: "region", "aria-label": "同类项目常用的指标" }); b.after(box); }
      box.textContent = "正在查找同类项目……";
      const r = await call("GET", "/api/library/similar?dossier=" + api.dossier + "&form=" + k);
      box.textContent = "";
      if (!r.ok) { box.append(el("p", { class: "error", text: r.body.error || "查找失败" })); return; }
      const have = new Set(api.names(k));
      const rows = (r.body.indicators || []).filter((x) => !have.has(x.name));
      if (!rows.length) { box.append(el("p", { text: "指标库中还没有与本项目相近、且本表尚未使用的指标（至少两个单位用过的指标才会列出）。" })); return; }
      box.append(el("p", { class: "lib-meta", text: "名称相近的项目常用以下指标（只列汇总，不显示其他单位的填报）：" }));
      box.append(el("ul", null, rows.map((x) => el("li", { "data-key": x.key },
        el("strong", { text: x.name }), " ", el("span", { class: "lib-meta", text: [x.level1, x.level2].filter(Boolean).join(" / ") + "；" + x.of + "个同类项目中" + x.projects + "个使用" + (describe(x) ? "；" + describe(x) : "") }),
        " ", el("button", { type: "button", "data-lib": "add", "data-key": x.key, text: "添加", "aria-label": "添加指标" + x.name })))));
      box._rows = rows;
      return;
    }
    if (b.dataset.lib === "add") {
      const box = b.closest(".lib-similar");
      const x = (box._rows || []).find((y) => y.key === b.dataset.key);
      if (!x) return;
      b.closest("li").remove();
      api.addRow(k, { name: x.name, level1: x.level1, level2: x.level2, value: proposed(x) });
      // The form was drawn again: the list stays under its button.
      const again = root.querySelector('section[data-form="' + k + '"] button[data-lib="similar"]');
      if (again) again.after(box);
      announce("已添加指标“" + x.name + "”");
    }
  });
}
