//! Arithmetic and consistency: sums inside a form, facts shared between forms, cost caps.

use std::collections::HashSet;

use rust_decimal::Decimal;

use crate::calc;
use crate::finding::Finding;
use crate::model::{
    DepartmentOverall, Dossier, FiledForm, Form, Indicator, Project, SpecialFundSummary,
    SummaryItem,
};
use crate::money::Money;
use crate::report::{MoneyRow, Monitoring, MonitoringMoneyRow, SelfEvaluation};
use crate::value::Comparator;

use super::support::{
    checked_sum, differs, has_content, in_wan, money, squash, sum_given, unreadable_paths, wan,
};
use super::Ctx;

/// A stated total that disagrees with the sum of its parts.
pub(crate) struct SumFailure {
    /// Position of the form in the dossier.
    pub form: usize,
    pub path: String,
    pub message: String,
    pub expected: Decimal,
    pub actual: Decimal,
}

const SOURCE_PARTS: &str = "一般公共预算拨款、政府性基金拨款、其他资金";
const NATURE_PARTS: &str = "基本支出、项目支出";

/// All in-form sum failures of a dossier. Where the other forms (or the other breakdown)
/// show which number of a failing sum is wrong, the failure points at that number.
pub(crate) fn sum_failures(d: &Dossier, tol: Decimal) -> Vec<SumFailure> {
    let summaries: Vec<&SpecialFundSummary> = d
        .forms
        .iter()
        .filter_map(|ff| match &ff.form {
            Form::SpecialFundSummary(s) => Some(s),
            _ => None,
        })
        .collect();
    let summary_total = match summaries.as_slice() {
        [s] => in_wan(&s.total),
        _ => None,
    };
    let project_amounts: Vec<(String, Decimal)> = d
        .forms
        .iter()
        .filter_map(|ff| match &ff.form {
            Form::Project(p) => Some((squash(&p.name), in_wan(&p.amount)?)),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for (pos, ff) in d.forms.iter().enumerate() {
        let bad = unreadable_paths(ff);
        match &ff.form {
            Form::DepartmentOverall(f) => {
                department_sums(pos, f, tol, summary_total, &bad, &mut out)
            }
            Form::SpecialFundSummary(f) => {
                summary_sums(pos, f, tol, &project_amounts, &bad, &mut out)
            }
            Form::Project(f) => project_sums(pos, f, tol, &bad, &mut out),
            Form::SelfEvaluation(f) => self_evaluation_sums(pos, f, tol, &bad, &mut out),
            Form::Monitoring(f) => monitoring_sums(pos, f, tol, &bad, &mut out),
        }
    }
    out
}

/// One column of a report's money block: the total's path, label and amount, and the
/// breakdowns that must add up to it (by source; by nature on department-wide forms).
fn column_sums(
    pos: usize,
    total: (String, String, &Option<Money>),
    breakdowns: &[Breakdown],
    tol: Decimal,
    bad: &HashSet<String>,
    out: &mut Vec<SumFailure>,
) {
    let (total_path, total_label, total) = total;
    if bad.contains(&total_path) {
        return;
    }
    let Some(total) = in_wan(total) else { return };
    let sums: Vec<Option<Decimal>> = breakdowns.iter().map(|b| b.sum(bad)).collect();
    for (k, br) in breakdowns.iter().enumerate() {
        let Some(sum) = sums[k].filter(|s| differs(*s, total, tol)) else {
            continue;
        };
        // Another breakdown that agrees with the total points at this one's parts.
        let confirmed = breakdowns
            .iter()
            .zip(&sums)
            .enumerate()
            .find(|(j, (_, s))| *j != k && s.is_some_and(|s| !differs(s, total, tol)))
            .map(|(_, (other, _))| other.names.clone());
        let given = br.given();
        let failure = match (&confirmed, given.as_slice()) {
            (Some(other), [(path, label, value)]) => SumFailure {
                form: pos,
                path: path.clone(),
                message: format!(
                    "{label}{}与{total_label}{}不符，而{total_label}与{other}之和相符，请核对{label}",
                    wan(*value),
                    wan(total)
                ),
                expected: total,
                actual: *value,
            },
            (Some(other), _) => SumFailure {
                form: pos,
                path: total_path.clone(),
                message: format!(
                    "{}之和{}与{total_label}{}不一致，而{total_label}与{other}之和相符，请核对{}各项金额",
                    br.names,
                    wan(sum),
                    wan(total),
                    br.names
                ),
                expected: sum,
                actual: total,
            },
            (None, _) => SumFailure {
                form: pos,
                path: total_path.clone(),
                message: format!(
                    "{total_label}{}与{}之和{}不一致，请核对各项金额或合计数",
                    wan(total),
                    br.names,
                    wan(sum)
                ),
                expected: sum,
                actual: total,
            },
        };
        out.push(failure);
    }
}

/// The self-evaluation's 年度资金总额 against its 其中 rows (by source and, on
/// department-wide forms, by nature), column by column, and against its 预算明细.
fn self_evaluation_sums(
    pos: usize,
    f: &SelfEvaluation,
    tol: Decimal,
    bad: &HashSet<String>,
    out: &mut Vec<SumFailure>,
) {
    let m = &f.money;
    type Column = fn(&MoneyRow) -> &Option<Money>;
    let columns: [(&str, &str, Column); 3] = [
        ("initial", "年初预算数", |r| &r.initial),
        ("annual", "全年预算数", |r| &r.annual),
        ("executed", "全年执行数", |r| &r.executed),
    ];
    for (col, col_label, get) in columns {
        let path = |row: &str| format!("money.{row}.{col}");
        let source = Breakdown::of_given(vec![
            (path("fiscal"), "本年财政拨款", get(&m.fiscal)),
            (
                path("government_fund"),
                "政府性基金拨款",
                get(&m.government_fund),
            ),
            (path("carryover"), "上年结转资金", get(&m.carryover)),
            (path("other"), "其他资金", get(&m.other)),
        ]);
        let nature = Breakdown::of_given(vec![
            (path("basic"), "基本支出", get(&m.basic)),
            (path("project"), "项目支出", get(&m.project)),
        ]);
        column_sums(
            pos,
            (
                format!("money.total.{col}"),
                format!("年度资金总额的{col_label}"),
                get(&m.total),
            ),
            &[source, nature],
            tol,
            bad,
            out,
        );
    }
    budget_item_sums(pos, f, tol, bad, out);
}

/// 预算明细 (a report's budget by use) against the budget it splits.
fn budget_item_sums(
    pos: usize,
    f: &SelfEvaluation,
    tol: Decimal,
    bad: &HashSet<String>,
    out: &mut Vec<SumFailure>,
) {
    let items = &f.budget_items;
    if items.is_empty()
        || (0..items.len()).any(|i| bad.contains(&format!("budget_items[{i}].amount")))
    {
        return;
    }
    let (Some(total), Some(sum)) = (
        in_wan(&f.money.total.annual).or(in_wan(&f.money.total.initial)),
        sum_given(items.iter().map(|i| &i.amount)),
    ) else {
        return;
    };
    if !differs(sum, total, tol) {
        return;
    }
    let amounts: Vec<String> = items
        .iter()
        .filter_map(|i| i.amount.as_ref().map(money))
        .collect();
    let shares: Option<Vec<Decimal>> = items.iter().map(|i| i.share).collect();
    let share_note = match shares {
        Some(sh) if !sh.is_empty() => match checked_sum(sh) {
            Some(total) if total != Decimal::ONE_HUNDRED => {
                format!("，所列占比之和{}%也不是100%", total.normalize())
            }
            _ => String::new(),
        },
        _ => String::new(),
    };
    out.push(SumFailure {
        form: pos,
        path: "budget_items".into(),
        message: format!(
            "预算明细各部分（{}）之和{}与预算资金{}不一致{share_note}，请核对各部分金额",
            amounts.join("、"),
            wan(sum),
            wan(total)
        ),
        expected: total,
        actual: sum,
    });
}

/// The monitoring form's 年度资金总额 against its 其中 rows, column by column.
fn monitoring_sums(
    pos: usize,
    f: &Monitoring,
    tol: Decimal,
    bad: &HashSet<String>,
    out: &mut Vec<SumFailure>,
) {
    let m = &f.money;
    type Column = fn(&MonitoringMoneyRow) -> &Option<Money>;
    let columns: [(&str, &str, &Option<Money>, Column); 3] = [
        ("annual", "年初预算数", &m.annual, |r| &r.annual),
        ("executed", "期间执行数", &m.executed, |r| &r.executed),
        ("forecast", "全年预计执行数", &m.forecast, |r| {
            &r.forecast
        }),
    ];
    for (col, col_label, total, get) in columns {
        let parts = Breakdown::of_given(vec![
            (format!("money.fiscal.{col}"), "财政拨款", get(&m.fiscal)),
            (format!("money.other.{col}"), "其他资金", get(&m.other)),
        ]);
        column_sums(
            pos,
            (
                format!("money.{col}"),
                format!("年度资金总额的{col_label}"),
                total,
            ),
            &[parts],
            tol,
            bad,
            out,
        );
    }
}

/// One breakdown of a total: its parts as (path, label, amount).
struct Breakdown<'a> {
    names: String,
    parts: Vec<(String, &'static str, &'a Option<Money>)>,
}

impl<'a> Breakdown<'a> {
    /// A breakdown named after all its parts.
    fn new(parts: Vec<(String, &'static str, &'a Option<Money>)>) -> Self {
        let names = parts
            .iter()
            .map(|(_, l, _)| *l)
            .collect::<Vec<_>>()
            .join("、");
        Breakdown { names, parts }
    }

    /// A breakdown named after the parts the form fills (a report lists every 其中 row,
    /// most of them blank).
    fn of_given(parts: Vec<(String, &'static str, &'a Option<Money>)>) -> Self {
        let names = parts
            .iter()
            .filter(|(_, _, m)| m.is_some())
            .map(|(_, l, _)| *l)
            .collect::<Vec<_>>()
            .join("、");
        Breakdown { names, parts }
    }

    /// The sum of the given parts; `None` when none is given or one could not be read.
    fn sum(&self, bad: &HashSet<String>) -> Option<Decimal> {
        if self.parts.iter().any(|(p, _, _)| bad.contains(p)) {
            return None;
        }
        sum_given(self.parts.iter().map(|(_, _, m)| *m))
    }
    fn given(&self) -> Vec<(String, &'static str, Decimal)> {
        self.parts
            .iter()
            .filter_map(|(p, l, m)| Some((p.clone(), *l, in_wan(m)?)))
            .collect()
    }
}

fn department_sums(
    pos: usize,
    f: &DepartmentOverall,
    tol: Decimal,
    summary_total: Option<Decimal>,
    bad: &HashSet<String>,
    out: &mut Vec<SumFailure>,
) {
    let Some(total) = in_wan(&f.budget.total) else {
        return;
    };
    let b = &f.budget;
    let source = Breakdown::new(vec![
        (
            "budget.by_source.general_public".into(),
            "一般公共预算拨款",
            &b.by_source.general_public,
        ),
        (
            "budget.by_source.government_fund".into(),
            "政府性基金拨款",
            &b.by_source.government_fund,
        ),
        (
            "budget.by_source.other".into(),
            "其他资金",
            &b.by_source.other,
        ),
    ]);
    let nature = Breakdown::new(vec![
        (
            "budget.by_nature.basic".into(),
            "基本支出",
            &b.by_nature.basic,
        ),
        (
            "budget.by_nature.project".into(),
            "项目支出",
            &b.by_nature.project,
        ),
    ]);
    let fails = |br: &Breakdown| br.sum(bad).filter(|s| differs(*s, total, tol));
    match (fails(&source), fails(&nature)) {
        (None, None) => {}
        // Both breakdowns agree with each other: the total is the odd one out.
        (Some(s), Some(n)) if !differs(s, n, tol) => out.push(SumFailure {
            form: pos,
            path: "budget.total".into(),
            message: format!(
                "资金总额{}与按收入性质分（{}）之和{}、按支出性质分（{}）之和{}均不一致，请核对资金总额",
                wan(total),
                SOURCE_PARTS,
                wan(s),
                NATURE_PARTS,
                wan(n)
            ),
            expected: s,
            actual: total,
        }),
        (s, n) => {
            for (br, sum, other) in [(&source, s, &nature), (&nature, n, &source)] {
                let Some(sum) = sum else { continue };
                // The other breakdown confirms the total: the wrong number is a part of this one.
                let confirmed = other.sum(bad).is_some_and(|o| !differs(o, total, tol));
                let culprit = if confirmed {
                    department_culprit(br, total, sum, summary_total, tol)
                } else {
                    None
                };
                let failure = match culprit {
                    Some((path, label, value, evidence)) => SumFailure {
                        form: pos,
                        path,
                        message: format!(
                            "{label}{}与资金总额{}不符：{}之和为{}，而资金总额与{}之和相符{evidence}，请核对{label}",
                            wan(value),
                            wan(total),
                            br.names,
                            wan(sum),
                            other.names
                        ),
                        expected: value - (sum - total),
                        actual: value,
                    },
                    None => SumFailure {
                        form: pos,
                        path: "budget.total".into(),
                        message: format!(
                            "资金总额{}与{}之和{}不一致，请核对各项金额或合计数",
                            wan(total),
                            br.names,
                            wan(sum)
                        ),
                        expected: sum,
                        actual: total,
                    },
                };
                out.push(failure);
            }
        }
    }
}

/// Which part of a failing breakdown is wrong, when that can be told: the only part
/// given, or 项目支出 / 基本支出 decided by the summary's 合计.
fn department_culprit(
    br: &Breakdown,
    total: Decimal,
    sum: Decimal,
    summary_total: Option<Decimal>,
    tol: Decimal,
) -> Option<(String, &'static str, Decimal, String)> {
    let given = br.given();
    if let [(path, label, value)] = given.as_slice() {
        return Some((path.clone(), label, *value, String::new()));
    }
    let st = summary_total?;
    let project = given
        .iter()
        .find(|(p, _, _)| *p == "budget.by_nature.project")?;
    let basic = given
        .iter()
        .find(|(p, _, _)| *p == "budget.by_nature.basic")?;
    let evidence = format!("，专项资金绩效目标汇总表合计为{}", wan(st));
    if !differs(project.2, st, tol) {
        Some((basic.0.clone(), basic.1, basic.2, evidence))
    } else if !differs(project.2 - (sum - total), st, tol) {
        Some((project.0.clone(), project.1, project.2, evidence))
    } else {
        None
    }
}

fn children_sum(it: &SummaryItem) -> Option<Decimal> {
    sum_given(it.children.iter().map(|c| &c.amount))
}

/// A 专项's amount, or the sum of its 支出方向 when the amount is blank.
fn effective_amount(it: &SummaryItem) -> Option<Decimal> {
    in_wan(&it.amount).or_else(|| children_sum(it))
}

/// The sum of the 专项 amounts (each as [`effective_amount`]); `None` when none is given.
fn items_sum(items: &[SummaryItem]) -> Option<Decimal> {
    items
        .iter()
        .filter_map(effective_amount)
        .fold(None, |a: Option<Decimal>, x| {
            Some(a.unwrap_or_default() + x)
        })
}

fn summary_sums(
    pos: usize,
    f: &SpecialFundSummary,
    tol: Decimal,
    project_amounts: &[(String, Decimal)],
    bad: &HashSet<String>,
    out: &mut Vec<SumFailure>,
) {
    let item_bad = |k: usize| {
        bad.contains(&format!("items[{k}].amount"))
            || (0..f.items[k].children.len())
                .any(|j| bad.contains(&format!("items[{k}].children[{j}].amount")))
    };
    struct CatFail {
        k: usize,
        stated: Decimal,
        sum: Decimal,
    }
    let cat_fails: Vec<CatFail> = f
        .items
        .iter()
        .enumerate()
        .filter_map(|(k, it)| {
            if item_bad(k) {
                return None;
            }
            let stated = in_wan(&it.amount)?;
            let sum = children_sum(it)?;
            differs(stated, sum, tol).then_some(CatFail { k, stated, sum })
        })
        .collect();
    let total_fail = match (in_wan(&f.total), items_sum(&f.items)) {
        _ if (0..f.items.len()).any(item_bad) => None,
        (Some(t), Some(s)) if differs(t, s, tol) => Some((t, s)),
        _ => None,
    };
    // One 专项 amount that breaks its own sum and the 合计, and explains both: report it once.
    if let (Some((t, s)), [c]) = (total_fail, cat_fails.as_slice()) {
        if !differs(t, s - c.stated + c.sum, tol) {
            let it = &f.items[c.k];
            out.push(SumFailure {
                form: pos,
                path: format!("items[{}].amount", c.k),
                message: format!(
                    "专项“{}”的金额{}与其支出方向金额之和{}不一致，也使合计{}与各专项之和{}不符，请核对该专项金额",
                    it.name,
                    wan(c.stated),
                    wan(c.sum),
                    wan(t),
                    wan(s)
                ),
                expected: c.sum,
                actual: c.stated,
            });
            return;
        }
    }
    if let Some((t, s)) = total_fail {
        out.push(SumFailure {
            form: pos,
            path: "total".into(),
            message: format!(
                "合计{}与各专项金额之和{}不一致，请核对各专项金额或合计数",
                wan(t),
                wan(s)
            ),
            expected: s,
            actual: t,
        });
    }
    for c in cat_fails {
        let it = &f.items[c.k];
        if let Some((j, value, evidence, expected)) = summary_child_culprit(
            it,
            c.stated,
            c.sum,
            total_fail.is_none() && f.total.is_some(),
            project_amounts,
            tol,
        ) {
            out.push(SumFailure {
                form: pos,
                path: format!("items[{}].children[{j}].amount", c.k),
                message: format!(
                    "支出方向“{}”的金额{}使专项“{}”的支出方向金额之和{}与专项金额{}不一致（{evidence}），请核对该支出方向金额",
                    it.children[j].name,
                    wan(value),
                    it.name,
                    wan(c.sum),
                    wan(c.stated)
                ),
                expected,
                actual: value,
            });
            continue;
        }
        out.push(SumFailure {
            form: pos,
            path: format!("items[{}].amount", c.k),
            message: format!(
                "专项“{}”的金额{}与其支出方向金额之和{}不一致，请核对各支出方向金额或专项金额",
                it.name,
                wan(c.stated),
                wan(c.sum)
            ),
            expected: c.sum,
            actual: c.stated,
        });
    }
}

/// The 支出方向 that breaks its 专项's sum, when that can be told: the only one whose
/// project table disagrees with it, or the only one when the 专项 fits the 合计.
fn summary_child_culprit(
    it: &SummaryItem,
    stated: Decimal,
    sum: Decimal,
    category_fits_total: bool,
    project_amounts: &[(String, Decimal)],
    tol: Decimal,
) -> Option<(usize, Decimal, String, Decimal)> {
    let project_of = |c: &SummaryItem| {
        let name = squash(&c.name);
        project_amounts
            .iter()
            .find(|(n, _)| !n.is_empty() && *n == name)
            .map(|(_, a)| *a)
    };
    let mut disagree = Vec::new();
    let mut witnessed = false;
    for (j, c) in it.children.iter().enumerate() {
        let (Some(a), Some(p)) = (in_wan(&c.amount), project_of(c)) else {
            continue;
        };
        witnessed = true;
        if differs(a, p, tol) {
            disagree.push((j, a, p));
        }
    }
    if let [(j, a, p)] = disagree.as_slice() {
        if !differs(stated, sum - a + p, tol) {
            return Some((*j, *a, format!("支出方向表中该项目金额为{}", wan(*p)), *p));
        }
        return None;
    }
    if disagree.is_empty() && !witnessed && category_fits_total {
        if let [c] = it.children.as_slice() {
            let a = in_wan(&c.amount)?;
            return Some((0, a, "专项金额与合计相符".into(), a - (sum - stated)));
        }
    }
    None
}

fn project_sums(
    pos: usize,
    f: &Project,
    tol: Decimal,
    bad: &HashSet<String>,
    out: &mut Vec<SumFailure>,
) {
    let detail_sum = sum_given(f.details.iter().map(|d| &d.amount))
        .filter(|_| (0..f.details.len()).all(|i| !bad.contains(&format!("details[{i}].amount"))));
    let stated_total = in_wan(&f.details_total);
    let mut total_fails = false;
    if let (Some(t), Some(s)) = (stated_total, detail_sum) {
        if differs(t, s, tol) {
            total_fails = true;
            if let Some(failure) = detail_culprit(pos, f, t, s, tol) {
                out.push(failure);
            } else {
                out.push(SumFailure {
                    form: pos,
                    path: "details_total".into(),
                    message: format!(
                        "支出明细合计{}与各条支出明细金额之和{}不一致，请核对各条金额或合计数",
                        wan(t),
                        wan(s)
                    ),
                    expected: s,
                    actual: t,
                });
            }
        }
    }
    let Some(amount) = in_wan(&f.amount) else {
        return;
    };
    // When the 合计 row already disagrees with its lines, that finding explains a gap to
    // 项目金额 too; 项目金额 is reported only if it matches neither.
    let off = match (detail_sum, stated_total) {
        (Some(s), Some(t)) if total_fails => {
            (differs(amount, s, tol) && differs(amount, t, tol)).then_some((s, "支出明细金额之和"))
        }
        (Some(s), _) => differs(amount, s, tol).then_some((s, "支出明细金额之和")),
        (None, Some(t)) => differs(amount, t, tol).then_some((t, "支出明细合计")),
        (None, None) => None,
    };
    if let Some((base, what)) = off {
        out.push(SumFailure {
            form: pos,
            path: "amount".into(),
            message: format!(
                "项目金额{}与{}{}不一致，请核对项目金额或支出明细",
                wan(amount),
                what,
                wan(base)
            ),
            expected: base,
            actual: amount,
        });
    }
}

/// The 支出明细 line that breaks the 合计 while the 合计 agrees with 项目金额: the only
/// line whose own 测算依据 states a different total that would close the gap.
fn detail_culprit(
    pos: usize,
    f: &Project,
    stated: Decimal,
    sum: Decimal,
    tol: Decimal,
) -> Option<SumFailure> {
    let amount = in_wan(&f.amount)?;
    if differs(amount, stated, tol) {
        return None;
    }
    let off: Vec<(usize, Decimal, Decimal)> = f
        .details
        .iter()
        .enumerate()
        .filter_map(|(i, det)| {
            let a = in_wan(&det.amount)?;
            if det.basis.trim().is_empty() {
                return None;
            }
            let t = calc::analyze(&det.basis, det.amount).total?.in_wan();
            differs(a, t, tol).then_some((i, a, t))
        })
        .collect();
    let [(i, a, t)] = off.as_slice() else {
        return None;
    };
    if differs(stated, sum - a + t, tol) {
        return None;
    }
    Some(SumFailure {
        form: pos,
        path: format!("details[{i}].amount"),
        message: format!(
            "第{}条支出明细的金额{}使各条明细金额之和{}与支出明细合计{}、项目金额不一致（其测算依据算得{}），请核对该条金额",
            i + 1,
            wan(*a),
            wan(sum),
            wan(stated),
            wan(*t)
        ),
        expected: *t,
        actual: *a,
    })
}

/// `sum-mismatch`: a stated total differs from the sum of its parts.
pub(crate) fn sum_mismatch(d: &Dossier, ctx: &Ctx) -> Vec<Finding> {
    sum_failures(d, ctx.profile.sum_tolerance)
        .into_iter()
        .map(|f| {
            ctx.finding("sum-mismatch", &d.forms[f.form], &f.path, f.message)
                .with_values(wan(f.expected), wan(f.actual))
        })
        .collect()
}

/// A quantity indicator: 数量指标 with a count (not a rate, not money).
fn quantity<'a>(ctx: &Ctx, ind: &'a Indicator) -> Option<(Decimal, &'a str)> {
    if !ctx.category(ind).is_quantity() || ind.value.as_money().is_some() || ind.value.is_percent()
    {
        return None;
    }
    Some((ind.value.number?, ind.value.unit.as_deref()?))
}

/// A count in a 测算依据 (`39个*1000元/个` → 39 个) and the words labelling it.
struct BasisCount {
    detail: usize,
    label: String,
    number: Decimal,
}

fn basis_counts(p: &Project, unit: &str) -> Vec<BasisCount> {
    let mut out = Vec::new();
    if unit.is_empty() {
        return out;
    }
    for (i, det) in p.details.iter().enumerate() {
        for clause in det.basis.split(['；', ';', '。', '\n']) {
            let clause = crate::text::fold_width(clause);
            let mut search = 0;
            while let Some(rel) = clause[search..].find(unit) {
                let at = search + rel;
                search = at + unit.len();
                let digits: String = clause[..at]
                    .chars()
                    .rev()
                    .take_while(|c| c.is_ascii_digit() || *c == '.')
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                let next = clause[at + unit.len()..].chars().next();
                // `3个月` is not a count of 个.
                if digits.is_empty() || next.is_some_and(super::support::is_han) {
                    continue;
                }
                let Some(number) = crate::text::parse_decimal(&digits) else {
                    continue;
                };
                // Per-unit prices (`1000元/个`) end in the unit after a slash.
                if clause[..at - digits.len()].ends_with('/') {
                    continue;
                }
                let label = format!(
                    "{}{}{}",
                    det.content,
                    det.item,
                    &clause[..at - digits.len()]
                );
                out.push(BasisCount {
                    detail: i,
                    label,
                    number,
                });
            }
        }
    }
    out
}

/// The count in this project's 测算依据 that an indicator refers to: the labels must
/// share a distinctive two-character word with the indicator's name.
fn matching_basis_count(
    ctx: &Ctx,
    p: &Project,
    ind: &Indicator,
    unit: &str,
) -> Option<(Decimal, usize)> {
    let counts = basis_counts(p, unit);
    if counts.is_empty() {
        return None;
    }
    let stop = &ctx.profile.stop_chars;
    let generic = &ctx.profile.generic_words;
    let name_grams: Vec<String> = super::support::bigrams(&ind.name, stop)
        .into_iter()
        .filter(|g| !generic.iter().any(|w| w == g))
        .collect();
    let scored: Vec<(usize, &BasisCount)> = counts
        .iter()
        .map(|c| {
            let label = super::support::bigrams(&c.label, stop);
            (name_grams.iter().filter(|g| label.contains(g)).count(), c)
        })
        .collect();
    let best = scored.iter().map(|(s, _)| *s).max().unwrap_or(0);
    if best == 0 {
        return None;
    }
    let top: Vec<&BasisCount> = scored
        .iter()
        .filter(|(s, _)| *s == best)
        .map(|(_, c)| *c)
        .collect();
    let value = ind.value.number?;
    if top.iter().any(|c| c.number == value) {
        return Some((value, top[0].detail));
    }
    match top.as_slice() {
        [one] => Some((one.number, one.detail)),
        _ => None,
    }
}

/// `cross-form-mismatch`: one fact stated differently in two forms of the dossier (or in
/// an indicator and its own 测算依据).
pub(crate) fn cross_form_mismatch(d: &Dossier, ctx: &Ctx) -> Vec<Finding> {
    const RULE: &str = "cross-form-mismatch";
    let tol = ctx.profile.sum_tolerance;
    let mut out = Vec::new();
    let mut depts: Vec<(usize, &FiledForm, &DepartmentOverall)> = Vec::new();
    let mut summaries: Vec<(usize, &FiledForm, &SpecialFundSummary)> = Vec::new();
    let mut projects: Vec<(usize, &FiledForm, &Project)> = Vec::new();
    for (i, ff) in d.forms.iter().enumerate() {
        match &ff.form {
            Form::DepartmentOverall(f) => depts.push((i, ff, f)),
            Form::SpecialFundSummary(f) => summaries.push((i, ff, f)),
            Form::Project(f) => projects.push((i, ff, f)),
            Form::SelfEvaluation(_) | Form::Monitoring(_) => {}
        }
    }

    // 部门整体 项目支出 vs 汇总表 合计.
    for &(_, dff, dept) in &depts {
        let Some(project_spend) = in_wan(&dept.budget.by_nature.project) else {
            continue;
        };
        for &(_, _, s) in &summaries {
            let total = in_wan(&s.total).or_else(|| items_sum(&s.items));
            let Some(total) = total else { continue };
            if differs(project_spend, total, tol) {
                out.push(
                    ctx.finding(
                        RULE,
                        dff,
                        "budget.by_nature.project",
                        format!(
                            "部门整体支出绩效目标表的项目支出{}与专项资金绩效目标汇总表的合计{}不一致，请核对两表",
                            wan(project_spend),
                            wan(total)
                        ),
                    )
                    .with_values(wan(total), wan(project_spend)),
                );
            }
        }
    }

    // 汇总表 line vs the 支出方向表 of the same name; 所属专项 金额 vs the 汇总表 专项.
    for &(_, pff, p) in &projects {
        let pname = squash(&p.name);
        for &(_, _, s) in &summaries {
            let mut line: Option<(usize, Option<usize>)> = None;
            if !pname.is_empty() {
                'find: for (k, it) in s.items.iter().enumerate() {
                    for (j, c) in it.children.iter().enumerate() {
                        if squash(&c.name) == pname {
                            line = Some((k, Some(j)));
                            break 'find;
                        }
                    }
                }
                if line.is_none() {
                    line = s
                        .items
                        .iter()
                        .position(|it| it.children.is_empty() && squash(&it.name) == pname)
                        .map(|k| (k, None));
                }
            }
            if let Some((k, j)) = line {
                let it = match j {
                    Some(j) => &s.items[k].children[j],
                    None => &s.items[k],
                };
                if let (Some(a), Some(b)) = (in_wan(&p.amount), in_wan(&it.amount)) {
                    if differs(a, b, tol) {
                        out.push(
                            ctx.finding(
                                RULE,
                                pff,
                                "amount",
                                format!(
                                    "项目金额{}与专项资金绩效目标汇总表中“{}”的金额{}不一致，请核对两表",
                                    wan(a),
                                    it.name,
                                    wan(b)
                                ),
                            )
                            .with_values(wan(b), wan(a)),
                        );
                    }
                }
            }
            let Some(parent) = &p.parent else { continue };
            let pn = squash(&parent.name);
            let cat = s
                .items
                .iter()
                .position(|it| !pn.is_empty() && squash(&it.name) == pn)
                .or(line.filter(|(_, j)| j.is_some()).map(|(k, _)| k));
            let Some(k) = cat else { continue };
            let it = &s.items[k];
            if let (Some(a), Some(b)) = (in_wan(&parent.amount), effective_amount(it)) {
                if differs(a, b, tol) {
                    out.push(
                        ctx.finding(
                            RULE,
                            pff,
                            "parent.amount",
                            format!(
                                "所属专项“{}”的金额{}与专项资金绩效目标汇总表中该专项的金额{}不一致，请核对两表",
                                it.name,
                                wan(a),
                                wan(b)
                            ),
                        )
                        .with_values(wan(b), wan(a)),
                    );
                }
            }
        }
    }

    // Quantity indicators: department vs the one project carrying the same indicator, and
    // each project's indicator vs the count in its own 测算依据.
    let mut dept_pairs: Vec<(usize, usize, usize, usize)> = Vec::new(); // (dept pos, dept ind, project pos, project ind)
    for &(dp, _, dept) in &depts {
        for (di, dind) in dept.indicators.iter().enumerate() {
            let Some((_, unit)) = quantity(ctx, dind) else {
                continue;
            };
            let name = squash(&dind.name);
            let carriers: Vec<(usize, usize)> = projects
                .iter()
                .flat_map(|&(pp, _, p)| {
                    p.indicators
                        .iter()
                        .enumerate()
                        .filter(|(_, pi)| {
                            squash(&pi.name) == name
                                && quantity(ctx, pi).is_some_and(|(_, u)| u == unit)
                        })
                        .map(move |(pi, _)| (pp, pi))
                })
                .collect();
            if let [(pp, pi)] = carriers.as_slice() {
                dept_pairs.push((dp, di, *pp, *pi));
            }
        }
    }
    for &(pp, pff, p) in &projects {
        for (pi, pind) in p.indicators.iter().enumerate() {
            let Some((value, unit)) = quantity(ctx, pind) else {
                continue;
            };
            let basis = matching_basis_count(ctx, p, pind, unit).filter(|(n, _)| *n != value);
            let dept = dept_pairs
                .iter()
                .find(|(_, _, q, i)| *q == pp && *i == pi)
                .and_then(|&(dp, di, _, _)| {
                    let Form::DepartmentOverall(f) = &d.forms[dp].form else {
                        return None;
                    };
                    let n = f.indicators[di].value.number?;
                    (n != value).then_some((dp, di, n))
                });
            let fmt = |n: Decimal| format!("{}{}", n.normalize(), unit);
            // The project's value is off: `expected` is what the other number says.
            let project_off = |expected: Decimal, msg: String| {
                let path = format!("indicators[{pi}].value");
                ctx.finding(RULE, pff, &path, msg)
                    .with_values(fmt(expected), pind.value.text.clone())
            };
            match (dept, basis) {
                (None, None) => {}
                (None, Some((n, det))) => out.push(project_off(
                    n,
                    format!(
                        "数量指标“{}”的指标值{}与第{}条支出明细测算依据中的{}不一致，请核对指标值或测算依据",
                        pind.name,
                        pind.value.text,
                        det + 1,
                        fmt(n)
                    ),
                )),
                (Some((dp, di, n)), basis) => {
                    let dff = &d.forms[dp];
                    let Form::DepartmentOverall(df) = &dff.form else { continue };
                    let dind = &df.indicators[di];
                    match basis {
                        // The project's own 测算依据 agrees with the department: the project is off.
                        Some((b, det)) if b == n => out.push(project_off(
                            n,
                            format!(
                                "数量指标“{}”的指标值{}与部门整体支出绩效目标表的{}及第{}条支出明细测算依据中的{}不一致，请核对指标值",
                                pind.name,
                                pind.value.text,
                                dind.value.text,
                                det + 1,
                                fmt(b)
                            ),
                        )),
                        Some((b, det)) => out.push(project_off(
                            n,
                            format!(
                                "数量指标“{}”的指标值{}与部门整体支出绩效目标表的{}、第{}条支出明细测算依据中的{}均不一致，请核对三处数量",
                                pind.name,
                                pind.value.text,
                                dind.value.text,
                                det + 1,
                                fmt(b)
                            ),
                        )),
                        // The department is the odd one out (or nothing decides): report it there.
                        None => out.push(
                            ctx.finding(
                                RULE,
                                dff,
                                &format!("indicators[{di}].value"),
                                format!(
                                    "数量指标“{}”的指标值{}与{}中的{}不一致，请核对两表",
                                    dind.name,
                                    dind.value.text,
                                    pff.form.display_name(),
                                    pind.value.text
                                ),
                            )
                            .with_values(pind.value.text.clone(), dind.value.text.clone()),
                        ),
                    }
                }
            }
        }
    }
    out
}

/// `cost-over-budget`: a 成本指标 cap above the form's budget, or a cost written with `≥`.
pub(crate) fn cost_over_budget(d: &Dossier, ctx: &Ctx) -> Vec<Finding> {
    const RULE: &str = "cost-over-budget";
    let tol = ctx.profile.sum_tolerance;
    let failures = sum_failures(d, tol);
    let mut out = Vec::new();
    for (pos, ff) in d.forms.iter().enumerate() {
        let (budget, budget_path, budget_label) = match &ff.form {
            Form::DepartmentOverall(f) => (in_wan(&f.budget.total), "budget.total", "资金总额"),
            Form::Project(f) => (in_wan(&f.amount), "amount", "项目金额"),
            Form::SpecialFundSummary(_) | Form::SelfEvaluation(_) | Form::Monitoring(_) => continue,
        };
        // A budget that sum-mismatch already names as wrong is replaced by the sum of its
        // parts, so one wrong amount does not also make every cost cap look too high.
        let budget = failures
            .iter()
            .find(|f| f.form == pos && f.path == budget_path)
            .map(|f| f.expected)
            .or(budget);
        for (i, ind) in ff.form.indicators().iter().enumerate() {
            if !has_content(ind) || !ctx.category(ind).is_cost() {
                continue;
            }
            let v = &ind.value;
            let path = format!("indicators[{i}].value");
            let monetary =
                v.as_money().is_some() || v.unit.as_deref().is_some_and(|u| u.contains('元'));
            match v.comparator {
                Some(Comparator::Ge | Comparator::Gt) if monetary => out.push(
                    ctx.finding(
                        RULE,
                        ff,
                        &path,
                        format!(
                            "成本指标“{}”的指标值{}使用了“{}”，成本是反向指标，应写成“≤”上限，请改为“≤”并填写单位成本或分项成本",
                            ind.name,
                            v.text,
                            v.comparator.map_or("", Comparator::symbol)
                        ),
                    )
                    .with_values(
                        match (v.number, &v.unit) {
                            (Some(n), Some(u)) => format!("≤{}{}", n.normalize(), u),
                            _ => "≤".to_string(),
                        },
                        v.text.clone(),
                    ),
                ),
                _ => {
                    let (Some(m), Some(b)) = (v.as_money(), budget) else { continue };
                    if m.in_wan() > b + tol {
                        out.push(
                            ctx.finding(
                                RULE,
                                ff,
                                &path,
                                format!(
                                    "成本指标“{}”的指标值{}高于{}{}，成本上限不应超过预算，请核对指标值或预算金额",
                                    ind.name,
                                    v.text,
                                    budget_label,
                                    wan(b)
                                ),
                            )
                            .with_values(format!("≤{}", wan(b)), v.text.clone()),
                        );
                    }
                }
            }
        }
    }
    out
}
