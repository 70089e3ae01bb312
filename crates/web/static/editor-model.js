// jixiao editor: the page model the server embeds (`<script id="model">`) and what follows
// from it: the kinds of table and the labels of every field (the domain's one label table,
// sent as `blank.labels`).
import { $ } from "./editor-util.js";

function read() {
  const el = $("model");
  if (!el) return null;
  try { return JSON.parse(el.textContent); } catch (e) { return null; }
}
export const M = read();
const blank = M ? M.blank : { kinds: [], labels: { fields: {}, lists: {} } };
export const MONEY = /^\d+(\.\d+)?$/;
export const YEAR = /^\d{4}$/;
export const SEV = { error: "错误", warning: "警告", info: "提示" };
export const KIND = {};
for (const [code, label] of blank.kinds) KIND[code] = label;
const REPORT_NAME = { self_evaluation: (f) => f.variant === "department" ? "部门整体支出绩效自评表" : "项目支出绩效自评表", monitoring: () => "项目支出绩效目标执行监控表" };
const named = (base, f) => base + (f.name ? "《" + f.name + "》" : "");
export const formName = (f) => f.kind === "project" ? named(KIND[f.variant] || "项目绩效目标表", f)
  : REPORT_NAME[f.kind] ? named(REPORT_NAME[f.kind](f), f) : KIND[f.kind] || "表";

// Labels come from the server (the domain's one label table, `blank.labels`), so the
// editor, the findings and the exports name a field alike. Money fields add （万元）.
export const L = blank.labels;
export const isMoney = (p) => /(^|\.)(amount|total|details_total|general_public|government_fund|other|basic)$/.test(p) || p === "budget.by_nature.project";
export const FIELD = { variant: "表的类型" };
for (const [p, l] of Object.entries(L.fields)) FIELD[p] = l + (isMoney(p) ? "（万元）" : "");
const cols = (list, keys) => keys.map((k) => [k, ((L.lists[list] || { fields: {} }).fields[k] || k) + (isMoney(k) ? "（万元）" : "")]);
export const COLS = {
  indicators: cols("indicators", ["level1", "level2", "name", "value", "standard", "weight"]),
  details: cols("details", ["content", "item", "amount", "basis"]),
  key_tasks: cols("key_tasks", ["item", "owner", "goal"]),
  children: cols("children", ["seq", "name", "amount", "period_goal", "annual_goal"]),
  items: cols("items", ["seq", "name", "amount", "period_goal", "annual_goal"]),
};
export const NOUN = { indicators: "指标", details: "支出明细", key_tasks: "重点工作", items: "专项", children: "支出方向" };
export const LONG = new Set(["basis", "goal", "period_goal", "annual_goal", "deviation", "measures", "override_reason"]);

// `indicators[3].name` → 第4条指标的三级指标, as the server's messages say it.
export function label(path) {
  if (FIELD[path]) return FIELD[path].replace("（万元）", "");
  const m = /^(\w+)\[(\d+)\](?:\.children\[(\d+)\])?(?:\.(\w+))?/.exec(path || "");
  if (!m || !L.lists[m[1]]) return path || "";
  let list = L.lists[m[1]];
  let s = "第" + (+m[2] + 1) + list.entry;
  if (m[3] != null) { list = L.lists.children; s += "第" + (+m[3] + 1) + list.entry; }
  const f = m[4] && list.fields[m[4]];
  return f ? s + "的" + f : s;
}
