//! `calc-mismatch` and `calc-unverifiable`: the arithmetic written inside each 测算依据,
//! evaluated by the calculation-basis engine.

use crate::finding::Finding;
use crate::model::{Dossier, ExpenditureDetail, FiledForm, Form};

use std::cell::RefCell;

use super::support::money;
use super::Ctx;
use crate::calc::{self, CalcReport, Verdict};
use crate::money::Money;

thread_local! {
    /// The last few analyses on this thread: both calc rules read every 测算依据 of a
    /// dossier, so the second reads them from here instead of parsing the prose again.
    static RECENT: RefCell<Vec<(String, Option<Money>, CalcReport)>> = const { RefCell::new(Vec::new()) };
}

/// `calc::analyze`, remembered for the last 32 texts of this thread (it is a pure function).
fn analyze(text: &str, amount: Option<Money>) -> CalcReport {
    if let Some(hit) = RECENT.with(|r| {
        r.borrow()
            .iter()
            .find(|(t, a, _)| t == text && *a == amount)
            .map(|(_, _, rep)| rep.clone())
    }) {
        return hit;
    }
    let report = calc::analyze(text, amount);
    RECENT.with(|r| {
        let mut r = r.borrow_mut();
        if r.len() >= 32 {
            r.remove(0);
        }
        r.push((text.to_string(), amount, report.clone()));
    });
    report
}

/// Every 支出明细 of the dossier's project forms that has a 测算依据, with its form and
/// its index among the details.
fn details_with_basis(
    d: &Dossier,
) -> impl Iterator<Item = (&FiledForm, usize, &ExpenditureDetail)> {
    d.forms.iter().flat_map(|ff| {
        let details: &[ExpenditureDetail] = match &ff.form {
            Form::Project(p) => &p.details,
            _ => &[],
        };
        details
            .iter()
            .enumerate()
            .filter(|(_, det)| !det.basis.trim().is_empty())
            .map(move |(i, det)| (ff, i, det))
    })
}

/// `calc-mismatch`: one finding per equation of a 测算依据 that does not hold, including
/// the text's own total against the row's 金额.
pub(crate) fn calc_mismatch(d: &Dossier, ctx: &Ctx) -> Vec<Finding> {
    const RULE: &str = "calc-mismatch";
    let mut out = Vec::new();
    for (ff, i, det) in details_with_basis(d) {
        let report = analyze(&det.basis, det.amount);
        if !matches!(report.verdict, Verdict::Inconsistent) {
            continue;
        }
        // The checks inside the text alone; the others compare it with the row's 金额.
        let internal = calc::analyze(&det.basis, None).equations;
        let path = format!("details[{i}].basis");
        let failing: Vec<_> = report.equations.iter().filter(|e| !e.holds).collect();
        for e in &failing {
            let against_amount = !internal.contains(e);
            let msg = if against_amount {
                format!(
                    "第{}条支出明细的测算依据算得{}，与该行金额{}不一致，请核对金额或测算依据",
                    i + 1,
                    e.computed,
                    e.stated
                )
            } else {
                format!(
                    "第{}条支出明细的测算依据中“{}”按算式应为{}，与所写{}不一致，请改正算式或结果",
                    i + 1,
                    e.text.trim(),
                    e.computed,
                    e.stated
                )
            };
            out.push(
                ctx.finding(RULE, ff, &path, msg)
                    .with_values(e.computed.to_string(), e.stated.to_string()),
            );
        }
        if failing.is_empty() {
            // Inconsistent without a failing equation: the text's total against 金额.
            let msg = match (report.total, det.amount) {
                (Some(t), Some(a)) => format!(
                    "第{}条支出明细的测算依据合计{}与该行金额{}不一致，请核对金额或测算依据",
                    i + 1,
                    money(&t),
                    money(&a)
                ),
                _ => format!(
                    "第{}条支出明细的测算依据计算有误，请核对测算过程或金额",
                    i + 1
                ),
            };
            let mut f = ctx.finding(RULE, ff, &path, msg);
            if let (Some(t), Some(a)) = (report.total, det.amount) {
                f = f.with_values(money(&t), money(&a));
            }
            out.push(f);
        }
    }
    out
}

/// `calc-unverifiable`: a 测算依据 the engine cannot check (info): no arithmetic, a stated
/// total it cannot tie to its parts, or a text beyond its limits.
pub(crate) fn calc_unverifiable(d: &Dossier, ctx: &Ctx) -> Vec<Finding> {
    const RULE: &str = "calc-unverifiable";
    details_with_basis(d)
        .filter_map(|(ff, i, det)| {
            let report = analyze(&det.basis, det.amount);
            if !matches!(report.verdict, Verdict::Unverifiable) {
                return None;
            }
            let n = i + 1;
            let msg = if report.over_limit {
                format!("第{n}条支出明细的测算依据过长或层次过深，未能核验，请精简为数量×单价=金额等测算过程")
            } else if !report.unchecked_totals.is_empty() {
                format!(
                    "第{n}条支出明细的测算依据中“{}”无法与所列分项逐一核对，请写明各分项金额",
                    report.unchecked_totals.join("”“")
                )
            } else {
                format!("第{n}条支出明细的测算依据没有可核验的算式，请写明数量×单价=金额等测算过程")
            };
            Some(
                ctx.finding(RULE, ff, &format!("details[{i}].basis"), msg)
                    .with_actual(det.basis.clone()),
            )
        })
        .collect()
}
