// jixiao editor: the report forms (绩效自评表, 绩效运行监控表). The unit enters actuals or
// progress; the scores, 总分, 等级 and warning lights are the server's (POST /api/check
// answers them as `scores`), shown beside the cells as they are typed, never computed here.
// A unit may state a lower 得分 than the computed one with its reason (score-mismatch then
// stays silent); a higher one is always a finding.
//
// Stable hooks: output[data-computed="f{k}:{i}"] (a row's 计算得分 or 预警灯),
// [data-sum="f{k}:scores"] (the form's 执行率, 总分, 等级 or lights).
import { el } from "./editor-util.js";

export const REPORT_KINDS = new Set(["self_evaluation", "monitoring"]);
export const LIGHT = { red: "红灯", yellow: "黄灯", green: "绿灯", blue: "蓝灯" };
export const POSSIBILITY = [["", "请选择"], ["certain", "确定能"], ["possible", "有可能"], ["impossible", "不可能"]];
const GRADES = [["", "（未填）"], ["优", "优"], ["良", "良"], ["中", "中"], ["差", "差"]];
const MONTHS = [["", "请选择"]].concat(Array.from({ length: 12 }, (_, i) => [String(i + 1), "1–" + (i + 1) + "月"]));

export const REPORT_COLS = {
  self_evaluation: [["level1", "一级指标"], ["level2", "二级指标"], ["name", "三级指标"], ["target", "年度指标值"],
    ["actual", "实际完成值"], ["weight", "分值"], ["score", "得分"], ["computed", "计算得分"],
    ["override_reason", "得分低于计算得分的理由"], ["deviation", "偏差原因分析及改进措施"]],
  monitoring: [["level1", "一级指标"], ["level2", "二级指标"], ["name", "三级指标"], ["target", "年度指标值"],
    ["progress", "期间执行情况"], ["forecast", "全年预计完成情况"], ["possibility", "完成目标可能性"],
    ["deviation", "偏差原因分析"], ["measures", "改进措施"], ["computed", "预警灯"]],
  goals: [["expected", "预期目标"], ["actual", "实际完成情况"]],
};

// The sections of a report form, built with the editor's own helpers (`ui`).
export function reportSections(k, f, ui, head) {
  const { field, table, addButton, box } = ui;
  head.push(field(k, "name", { wide: true, label: "项目名称" }), field(k, "department", { w2: true }), field(k, "implementer", { w2: true }));
  const scores = el("p", { class: "ed-sub ed-scores", "data-sum": "f" + k + ":scores", role: "status" });
  if (f.kind === "self_evaluation") {
    const m = (row, col, label) => field(k, "money." + row + "." + col, { kind: col === "weight" || col === "score" ? "weight" : "money", label });
    return [
      box("基本信息", el("div", { class: "ed-grid" }, head)),
      box("项目资金（万元）",
        el("div", { class: "ed-grid" }, m("total", "initial", "年初预算数"), m("total", "annual", "全年预算数"), m("total", "executed", "全年执行数"),
          m("total", "weight", "执行率分值"), m("total", "score", "执行率得分（填报）"))),
      box("年度总体目标", table(k, "goals", REPORT_COLS.goals, "目标", "年度总体目标完成情况"), addButton("goals", "添加一行目标")),
      box("绩效指标", table(k, "indicators", REPORT_COLS.self_evaluation, "指标", "绩效指标完成情况"), addButton("indicators", "添加一行指标")),
      box("总分与自评等级", scores,
        el("div", { class: "ed-grid" }, field(k, "total_score", { kind: "weight", label: "总分（填报）" }),
          field(k, "grade", { kind: "choice", choices: GRADES, label: "自评等级（填报）" })),
        field(k, "deviation", { wide: true, area: true, rows: 3, label: "偏差原因分析" }),
        field(k, "measures", { wide: true, area: true, rows: 3, label: "改进措施" })),
    ];
  }
  return [
    box("基本信息", el("div", { class: "ed-grid" }, head, field(k, "period_months", { kind: "month", choices: MONTHS, label: "监控期间" }))),
    box("项目资金（万元）", scores,
      el("div", { class: "ed-grid" }, field(k, "money.annual", { kind: "money", label: "全年预算数" }),
        field(k, "money.executed", { kind: "money", label: "期间执行数" }), field(k, "money.forecast", { kind: "money", label: "全年预计执行数" }))),
    box("年度总体目标", table(k, "goals", REPORT_COLS.goals, "目标", "年度总体目标执行情况"), addButton("goals", "添加一行目标")),
    box("绩效指标", table(k, "indicators", REPORT_COLS.monitoring, "指标", "绩效指标执行情况"), addButton("indicators", "添加一行指标")),
    box("偏差原因与改进措施", field(k, "deviation", { wide: true, area: true, rows: 3, label: "偏差或不能完成目标原因分析" }),
      field(k, "measures", { wide: true, area: true, rows: 3, label: "相关建议或举措" })),
  ];
}

const pct = (x) => x == null ? "—" : x + "%";

// The server's scores beside the cells and under the form.
export function showScores(root, scores) {
  for (const o of root.querySelectorAll("output[data-computed]")) { o.textContent = ""; o.className = ""; }
  for (const s of scores || []) {
    const sum = root.querySelector('[data-sum="f' + s.form + ':scores"]');
    const out = (i) => root.querySelector('output[data-computed="f' + s.form + ":" + i + '"]');
    if (s.kind === "self_evaluation") {
      s.rows.forEach((v, i) => { const o = out(i); if (o) o.textContent = v == null ? "—" : v; });
      if (sum) sum.textContent = "执行率 " + pct(s.execution_rate) + "，执行率得分 " + (s.execution_score == null ? "—" : s.execution_score) +
        "；计算总分 " + (s.total == null ? "—" : s.total) + "，计算等级 " + (s.grade || "—");
    } else {
      s.rows.forEach((v, i) => { const o = out(i); if (o) { o.textContent = v ? LIGHT[v] : "—"; o.className = v ? "light light-" + v : ""; } });
      if (sum) sum.textContent = "执行率 " + pct(s.rate) + "，预算执行 " + (s.money_light ? LIGHT[s.money_light] : "—") + "；本表最差 " + (s.light ? LIGHT[s.light] : "—");
    }
  }
}
