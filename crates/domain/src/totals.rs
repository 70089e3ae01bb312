//! Totals of a form as the editor and the upload preview show them beside the cells: the
//! amounts as filled in and the sums of their parts, exact, in 万元. The rules judge the
//! same sums (`sum-mismatch`); this is what a user sees while typing.

use serde::Serialize;

use crate::model::{Form, FormKind};
use crate::money::Money;

/// Totals of one form, as exact decimal strings in 万元 (null where nothing is filled in).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FormTotals {
    /// Index of the form.
    pub form: usize,
    pub kind: FormKind,
    pub name: String,
    /// Number of indicator rows.
    pub indicators: usize,
    /// 项目金额 (project), 资金总额 (department), 合计 (special-fund summary), as filled in.
    pub amount: Option<String>,
    /// Project forms: the 支出明细 amounts summed ("0" when none is filled in).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details_sum: Option<String>,
    /// Project forms: the 合计 row as filled in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details_total: Option<String>,
    /// Project forms: rows of 支出明细, and how many of them have no amount.
    pub details: usize,
    pub details_missing: usize,
    /// Department form: 按收入性质分 and 按支出性质分, each summed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by_source_sum: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by_nature_sum: Option<String>,
    /// Special-fund summary: the 专项 amounts summed, and each 专项's 支出方向 summed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items_sum: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children_sums: Vec<Option<String>>,
}

/// The sum of the amounts given, in 万元; `None` when none is (or on overflow).
fn sum<'a>(amounts: impl IntoIterator<Item = &'a Option<Money>>) -> Option<String> {
    let mut total = rust_decimal::Decimal::ZERO;
    let mut any = false;
    for m in amounts.into_iter().flatten() {
        total = total.checked_add(m.in_wan())?;
        any = true;
    }
    any.then(|| Money::wan(total).wan_string())
}

fn wan(m: &Option<Money>) -> Option<String> {
    m.as_ref().map(Money::wan_string)
}

/// Totals of every form.
pub fn totals(forms: &[Form]) -> Vec<FormTotals> {
    forms
        .iter()
        .enumerate()
        .map(|(form, f)| {
            let mut t = FormTotals {
                form,
                kind: f.kind(),
                name: f.display_name(),
                indicators: f.indicators().len(),
                amount: None,
                details_sum: None,
                details_total: None,
                details: 0,
                details_missing: 0,
                by_source_sum: None,
                by_nature_sum: None,
                items_sum: None,
                children_sums: Vec::new(),
            };
            match f {
                Form::DepartmentOverall(d) => {
                    let b = &d.budget;
                    t.amount = wan(&b.total);
                    t.by_source_sum = sum([
                        &b.by_source.general_public,
                        &b.by_source.government_fund,
                        &b.by_source.other,
                    ]);
                    t.by_nature_sum = sum([&b.by_nature.basic, &b.by_nature.project]);
                }
                Form::SpecialFundSummary(s) => {
                    t.amount = wan(&s.total);
                    t.items_sum = sum(s.items.iter().map(|i| &i.amount));
                    t.children_sums = s
                        .items
                        .iter()
                        .map(|i| sum(i.children.iter().map(|c| &c.amount)))
                        .collect();
                }
                Form::Project(p) => {
                    t.amount = wan(&p.amount);
                    t.details = p.details.len();
                    t.details_missing = p.details.iter().filter(|d| d.amount.is_none()).count();
                    t.details_sum =
                        sum(p.details.iter().map(|d| &d.amount)).or_else(|| Some("0".into()));
                    t.details_total = wan(&p.details_total);
                }
                Form::SelfEvaluation(e) => t.amount = wan(&e.money.total.annual),
                Form::Monitoring(m) => t.amount = wan(&m.money.annual),
            }
            t
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Budget, BySource, DepartmentOverall};
    use crate::money::MoneyUnit;

    #[test]
    fn department_sums_convert_units_exactly() {
        let m = |s: &str, u| Some(Money::new(s.parse().unwrap(), u));
        let d = Form::DepartmentOverall(DepartmentOverall {
            budget: Budget {
                total: m("185.91", MoneyUnit::Wan),
                by_source: BySource {
                    general_public: m("1859000", MoneyUnit::Yuan),
                    government_fund: None,
                    other: m("0.1", MoneyUnit::Wan),
                },
                ..Default::default()
            },
            ..Default::default()
        });
        let t = &totals(&[d])[0];
        assert_eq!(t.amount.as_deref(), Some("185.91"));
        assert_eq!(t.by_source_sum.as_deref(), Some("186"));
        assert_eq!(t.by_nature_sum, None, "nothing filled in");
    }
}
