//! Field paths of the JSON contract (`indicators[3].value`) and their Chinese labels: the
//! one label table that the rules, the importer's explanations, the web pages and the
//! editor use (the editor gets it from the server), and the order fields take on a form.

use std::collections::BTreeMap;

use serde::Serialize;

/// A field path such as `items[0].children[1].amount`: names, each with an optional
/// `[index]`, joined by dots.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FieldPath(String);

impl FieldPath {
    pub fn new(path: impl Into<String>) -> FieldPath {
        FieldPath(path.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The segments: a name and an optional index each.
    pub fn segments(&self) -> Vec<(&str, Option<usize>)> {
        segments(&self.0)
    }

    /// The Chinese label: `第4条指标的指标值及单位`.
    pub fn label(&self) -> String {
        field_label(&self.0)
    }

    /// A sort key that orders paths as the fields appear on the form.
    pub fn order_key(&self) -> Vec<usize> {
        field_order(&self.0)
    }
}

impl std::fmt::Display for FieldPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn segments(path: &str) -> Vec<(&str, Option<usize>)> {
    path.split('.')
        .map(|seg| match seg.find('[') {
            Some(open) if seg.ends_with(']') => {
                let idx = seg[open + 1..seg.len() - 1].parse().ok();
                (&seg[..open], idx)
            }
            _ => (seg, None),
        })
        .collect()
}

/// Fields outside lists, by their whole path.
const FIELDS: &[(&str, &str)] = &[
    ("title", "表名"),
    ("unit", "填报单位"),
    ("year", "年度"),
    ("total", "合计"),
    ("name", "项目名称"),
    ("parent", "所属专项"),
    ("parent.name", "所属专项名称"),
    ("parent.amount", "所属专项金额"),
    ("department", "主管部门"),
    ("amount", "项目金额"),
    ("period", "项目实施期"),
    ("period_goal", "实施期绩效目标"),
    ("annual_goal", "年度绩效目标"),
    ("duties", "部门职责概述"),
    ("key_tasks", "年度重点工作计划"),
    ("indicators", "年度绩效指标"),
    ("details", "支出明细及测算说明"),
    ("details_total", "支出明细合计"),
    ("items", "专项资金明细"),
    ("budget", "年度预算申请"),
    ("budget.total", "资金总额"),
    ("budget.by_source", "按收入性质分"),
    ("budget.by_source.general_public", "一般公共预算拨款"),
    ("budget.by_source.government_fund", "政府性基金拨款"),
    ("budget.by_source.other", "其他资金"),
    ("budget.by_nature", "按支出性质分"),
    ("budget.by_nature.basic", "基本支出"),
    ("budget.by_nature.project", "项目支出"),
    ("signoff", "签字栏"),
    ("signoff.head", "单位负责人签字"),
    ("signoff.preparer", "填表人"),
    ("signoff.phone", "联系电话"),
    ("implementer", "实施单位"),
    ("period_months", "监控期间"),
    ("money", "项目资金"),
    ("money.annual", "年初预算数"),
    ("money.executed", "期间执行数"),
    ("money.forecast", "全年预计执行数"),
    ("money.rate", "执行率"),
    ("money.light", "预算执行预警灯"),
    ("budget_items", "预算明细"),
    ("goals", "年度总体目标"),
    ("subtotals", "一级指标小计"),
    ("total_score", "总分"),
    ("computed_total", "计算总分"),
    ("grade", "自评等级"),
    ("computed_grade", "计算等级"),
    ("deviation", "偏差原因分析"),
    ("measures", "改进措施"),
    ("light", "预警灯"),
];

/// An indicator row's fields (target and report forms).
const INDICATOR: &[(&str, &str)] = &[
    ("level1", "一级指标"),
    ("level2", "二级指标"),
    ("name", "三级指标"),
    ("value", "指标值及单位"),
    ("standard", "绩效标准"),
    ("weight", "权重"),
    ("target", "年度指标值"),
    ("actual", "实际完成值"),
    ("score", "得分"),
    ("computed_score", "计算得分"),
    ("deviation", "偏差原因分析"),
    ("override_reason", "调整得分理由"),
    ("progress", "期间执行情况"),
    ("forecast", "全年预计完成情况"),
    ("possibility", "完成目标可能性"),
    ("measures", "改进措施"),
    ("remark", "备注"),
    ("light", "预警灯"),
];

/// A report's 年度总体目标 row.
const GOAL: &[(&str, &str)] = &[("expected", "预期目标"), ("actual", "实际完成情况")];

/// A 一级指标 subtotal of a self-evaluation.
const SUBTOTAL: &[(&str, &str)] = &[
    ("level1", "一级指标"),
    ("weight", "分值"),
    ("score", "得分"),
];

/// A 预算明细 row.
const BUDGET_ITEM: &[(&str, &str)] = &[("name", "用途"), ("amount", "金额"), ("share", "占比")];

/// A 支出明细 row, as the column heads of the form.
const DETAIL: &[(&str, &str)] = &[
    ("content", "支出内容简介"),
    ("item", "支出明细"),
    ("amount", "金额"),
    ("basis", "支出测算依据及过程说明"),
];

/// A 年度重点工作 row.
const TASK: &[(&str, &str)] = &[
    ("item", "事项"),
    ("owner", "责任单位/科室"),
    ("goal", "工作目标"),
];

/// A special fund of the summary.
const ITEM: &[(&str, &str)] = &[
    ("seq", "序号"),
    ("name", "专项名称"),
    ("amount", "金额"),
    ("period_goal", "实施期绩效目标"),
    ("annual_goal", "年度绩效目标"),
];

/// An expenditure direction (支出方向) of a special fund.
const CHILD: &[(&str, &str)] = &[
    ("seq", "序号"),
    ("name", "支出方向"),
    ("amount", "金额"),
    ("period_goal", "实施期绩效目标"),
    ("annual_goal", "年度绩效目标"),
];

/// The rows of a report's money block.
const MONEY_ROWS: &[(&str, &str)] = &[
    ("total", "年度资金总额"),
    ("fiscal", "财政拨款"),
    ("government_fund", "政府性基金拨款"),
    ("carryover", "上年结转资金"),
    ("other", "其他资金"),
    ("basic", "基本支出"),
    ("project", "项目支出"),
];

/// The columns of a report's money block.
const MONEY_COLUMNS: &[(&str, &str)] = &[
    ("initial", "年初预算数"),
    ("annual", "全年预算数"),
    ("executed", "执行数"),
    ("forecast", "全年预计执行数"),
    ("rate", "执行率"),
    ("weight", "分值"),
    ("score", "得分"),
];

/// A list of a form: its path name, what one entry is called (`第3条指标`), and the
/// labels of an entry's fields.
struct List {
    name: &'static str,
    entry: &'static str,
    fields: &'static [(&'static str, &'static str)],
}

const LISTS: &[List] = &[
    List {
        name: "indicators",
        entry: "条指标",
        fields: INDICATOR,
    },
    List {
        name: "details",
        entry: "条支出明细",
        fields: DETAIL,
    },
    List {
        name: "key_tasks",
        entry: "项重点工作",
        fields: TASK,
    },
    List {
        name: "items",
        entry: "项专项",
        fields: ITEM,
    },
    List {
        name: "children",
        entry: "个支出方向",
        fields: CHILD,
    },
    List {
        name: "goals",
        entry: "项年度总体目标",
        fields: GOAL,
    },
    List {
        name: "subtotals",
        entry: "个一级指标小计",
        fields: SUBTOTAL,
    },
    List {
        name: "budget_items",
        entry: "项预算明细",
        fields: BUDGET_ITEM,
    },
];

fn find(table: &[(&str, &'static str)], key: &str) -> Option<&'static str> {
    table.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// Chinese label for a field path, for messages: `budget.total` → 资金总额,
/// `indicators[3].value` → 第4条指标的指标值及单位. Unknown paths come back unchanged.
pub fn field_label(path: &str) -> String {
    if let Some(l) = find(FIELDS, path) {
        return l.to_string();
    }
    if let Some(l) = money_label(path) {
        return l;
    }
    list_label(&segments(path)).unwrap_or_else(|| path.to_string())
}

/// `money.total.rate` → 年度资金总额的执行率.
fn money_label(path: &str) -> Option<String> {
    let rest = path.strip_prefix("money.")?;
    let (row, col) = rest.split_once('.')?;
    Some(format!(
        "{}的{}",
        find(MONEY_ROWS, row)?,
        find(MONEY_COLUMNS, col)?
    ))
}

/// `第{i}条指标`, `第{i}项专项第{j}个支出方向`, and either with `的{field}`.
fn list_label(segs: &[(&str, Option<usize>)]) -> Option<String> {
    let [(list, Some(i)), rest @ ..] = segs else {
        return None;
    };
    let mut entry = LISTS
        .iter()
        .find(|l| l.name == *list && l.name != "children")?;
    let mut label = format!("第{}{}", i + 1, entry.entry);
    let rest = match rest {
        [("children", Some(j)), rest @ ..] if *list == "items" => {
            entry = LISTS.iter().find(|l| l.name == "children")?;
            label.push_str(&format!("第{}{}", j + 1, entry.entry));
            rest
        }
        _ => rest,
    };
    match rest {
        [] => Some(label),
        [(f, None)] => find(entry.fields, f).map(|f| format!("{label}的{f}")),
        _ => None,
    }
}

/// The whole table, as the editor gets it from the server (`labels` of its model).
#[derive(Clone, Debug, Serialize)]
pub struct LabelTable {
    /// Fields outside lists, by path.
    pub fields: BTreeMap<&'static str, &'static str>,
    /// Per list: what one entry is called and its fields' labels.
    pub lists: BTreeMap<&'static str, ListLabels>,
    pub money_rows: BTreeMap<&'static str, &'static str>,
    pub money_columns: BTreeMap<&'static str, &'static str>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ListLabels {
    /// `条指标`: shown as `第3条指标`.
    pub entry: &'static str,
    pub fields: BTreeMap<&'static str, &'static str>,
}

/// The label table as data.
pub fn label_table() -> LabelTable {
    let map = |t: &[(&'static str, &'static str)]| t.iter().copied().collect();
    LabelTable {
        fields: map(FIELDS),
        lists: LISTS
            .iter()
            .map(|l| {
                (
                    l.name,
                    ListLabels {
                        entry: l.entry,
                        fields: map(l.fields),
                    },
                )
            })
            .collect(),
        money_rows: map(MONEY_ROWS),
        money_columns: map(MONEY_COLUMNS),
    }
}

/// Field names in the order they appear on the forms (siblings are compared only with
/// each other, so one list serves all three kinds of form).
const ORDER: &[&str] = &[
    "title",
    "unit",
    "year",
    "seq",
    "level1",
    "level2",
    "name",
    "parent",
    "department",
    "content",
    "item",
    "owner",
    "amount",
    "total",
    "period",
    "implementer",
    "period_months",
    "budget",
    "money",
    "budget_items",
    "by_source",
    "fiscal",
    "general_public",
    "government_fund",
    "carryover",
    "other",
    "by_nature",
    "basic",
    "project",
    "duties",
    "key_tasks",
    "items",
    "children",
    "period_goal",
    "annual_goal",
    "goal",
    "goals",
    "expected",
    "indicators",
    "value",
    "target",
    "actual",
    "progress",
    "initial",
    "annual",
    "executed",
    "forecast",
    "rate",
    "possibility",
    "standard",
    "weight",
    "score",
    "light",
    "subtotals",
    "total_score",
    "grade",
    "deviation",
    "measures",
    "remark",
    "basis",
    "details",
    "details_total",
    "signoff",
    "head",
    "preparer",
    "phone",
];

/// A sort key that orders field paths as the fields appear on the form.
pub fn field_order(path: &str) -> Vec<usize> {
    let mut key = Vec::new();
    for (name, idx) in segments(path) {
        key.push(ORDER.iter().position(|n| *n == name).unwrap_or(ORDER.len()));
        key.push(idx.map_or(0, |i| i + 1));
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(field_label("budget.total"), "资金总额");
        assert_eq!(
            field_label("indicators[3].value"),
            "第4条指标的指标值及单位"
        );
        assert_eq!(
            field_label("details[1].basis"),
            "第2条支出明细的支出测算依据及过程说明"
        );
        assert_eq!(
            field_label("items[0].children[1].amount"),
            "第1项专项第2个支出方向的金额"
        );
        assert_eq!(field_label("items[1].amount"), "第2项专项的金额");
        assert_eq!(field_label("key_tasks[0].goal"), "第1项重点工作的工作目标");
        assert_eq!(
            field_label("budget.by_source.general_public"),
            "一般公共预算拨款"
        );
        assert_eq!(field_label("signoff.phone"), "联系电话");
        assert_eq!(field_label("something.else"), "something.else");
        assert_eq!(field_label("money.total.rate"), "年度资金总额的执行率");
        assert_eq!(field_label("money.fiscal.annual"), "财政拨款的全年预算数");
        assert_eq!(field_label("money.rate"), "执行率");
        assert_eq!(field_label("indicators[2].score"), "第3条指标的得分");
        assert_eq!(field_label("indicators[0].target"), "第1条指标的年度指标值");
        assert_eq!(
            field_label("subtotals[0].weight"),
            "第1个一级指标小计的分值"
        );
        assert_eq!(field_label("total_score"), "总分");
        assert_eq!(field_label("budget_items"), "预算明细");
        assert_eq!(field_label("items[0].name"), "第1项专项的专项名称");
        assert_eq!(
            field_label("items[0].children[2].name"),
            "第1项专项第3个支出方向的支出方向"
        );
        assert_eq!(
            FieldPath::new("indicators[3].value").label(),
            "第4条指标的指标值及单位"
        );
    }

    #[test]
    fn the_table_holds_every_label() {
        let t = label_table();
        assert_eq!(t.fields["signoff.phone"], "联系电话");
        assert_eq!(t.lists["indicators"].entry, "条指标");
        assert_eq!(t.lists["details"].fields["basis"], "支出测算依据及过程说明");
        assert_eq!(t.lists["children"].fields["name"], "支出方向");
        assert_eq!(t.money_columns["rate"], "执行率");
        for (path, label) in &t.fields {
            assert_eq!(field_label(path), *label);
        }
    }

    #[test]
    fn order_follows_the_form() {
        let mut paths = vec![
            "signoff.phone",
            "details_total",
            "details[1].amount",
            "details[0].basis",
            "indicators[10].value",
            "indicators[2].value",
            "annual_goal",
            "amount",
            "name",
            "unit",
        ];
        paths.sort_by_key(|p| field_order(p));
        assert_eq!(
            paths,
            [
                "unit",
                "name",
                "amount",
                "annual_goal",
                "indicators[2].value",
                "indicators[10].value",
                "details[0].basis",
                "details[1].amount",
                "details_total",
                "signoff.phone"
            ]
        );
        assert!(field_order("budget.total") < field_order("budget.by_nature.project"));
        assert!(field_order("total") < field_order("items[0].amount"));
        assert!(field_order("items[0].amount") < field_order("items[0].children[0].amount"));
        assert!(field_order("items[0].children[0].amount") < field_order("items[1].amount"));
        // Report forms: money rows and columns, then indicators, then totals.
        assert!(field_order("money.total.annual") < field_order("money.fiscal.annual"));
        assert!(field_order("money.total.annual") < field_order("money.total.executed"));
        assert!(field_order("money.total.rate") < field_order("money.total.score"));
        assert!(field_order("money.other.initial") < field_order("money.basic.initial"));
        assert!(field_order("money.total.score") < field_order("goals[0].expected"));
        assert!(field_order("indicators[0].target") < field_order("indicators[0].actual"));
        assert!(field_order("indicators[0].score") < field_order("indicators[0].deviation"));
        assert!(field_order("indicators[9].deviation") < field_order("total_score"));
        assert!(field_order("total_score") < field_order("deviation"));
    }
}
