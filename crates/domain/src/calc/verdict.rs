//! The text's own total, its comparison with the row's 金额, and the verdict.

use rust_decimal::Decimal;

use super::arith::{agrees, format_decimal, unit_candidates, yuan_per};
use super::keywords::Role;
use super::reader::{Addend, Figure, Reader};
use super::{CalcReport, Equation, Verdict};
use crate::money::{Money, MoneyUnit};

impl Reader<'_> {
    /// What the whole text adds up to: its one remaining top-level amount (a checked or
    /// stated total), or several top-level amounts when they clearly itemise the row.
    fn text_total(&self) -> Option<(Vec<Addend>, String)> {
        let top: Vec<&Figure> = self
            .figures
            .iter()
            .filter(|f| f.role == Role::Part && !f.used && f.place.depth == 0)
            .collect();
        match top.as_slice() {
            [] => None,
            [one] => (one.is_total || one.derived).then(|| (vec![one.addend()], one.label.clone())),
            many => {
                // several amounts itemise the row only when nothing else is going on
                let clean = !self.has_rate
                    && !self
                        .figures
                        .iter()
                        .any(|f| matches!(f.role, Role::Reference | Role::Change(_)))
                    && !self.groups.iter().any(|g| !g.used && !g.prices.is_empty())
                    && many
                        .iter()
                        .all(|f| (f.money_unit.is_some() || f.derived) && !f.approximate)
                    // a stated total nobody checked (`总投资100万元`) is not one of the parts
                    && many.iter().all(|f| !f.is_total || f.derived);
                // `2022年预算10万元，2023年预算12万元` compares, it does not itemise
                let distinct = many.iter().enumerate().all(|(a, x)| {
                    many[..a]
                        .iter()
                        .all(|y| y.lead != x.lead || (x.lead.is_empty() && x.derived))
                });
                if !clean || !distinct {
                    return None;
                }
                let addends: Vec<Addend> = many.iter().map(|f| f.addend()).collect();
                let label = addends
                    .iter()
                    .map(|t| t.label.as_str())
                    .collect::<Vec<_>>()
                    .join("+");
                Some((addends, label))
            }
        }
    }

    /// Compare the text's total with the row's `amount` and give the verdict.
    pub(super) fn report(mut self, amount: Option<Money>) -> CalcReport {
        let mut total = None;
        if let Some((addends, label)) = self.text_total() {
            let first_money = addends.iter().find_map(|t| t.money_unit);
            let all_derived = addends.iter().all(|t| t.derived);
            // the unit bare numbers are read in: a computed result is in 元, a bare amount
            // on these forms in 万元
            let default_unit = first_money.unwrap_or(if all_derived {
                MoneyUnit::Yuan
            } else {
                MoneyUnit::Wan
            });
            let sum_in = |u: MoneyUnit| -> Option<Decimal> {
                addends.iter().try_fold(Decimal::ZERO, |acc, t| {
                    let y = if t.money_unit.is_some() {
                        t.amount
                    } else {
                        t.amount.checked_mul(yuan_per(u))?
                    };
                    acc.checked_add(y)
                })
            };
            let report_unit = |u: MoneyUnit| -> MoneyUnit {
                if addends.iter().any(|t| t.money_unit == Some(MoneyUnit::Wan))
                    || (first_money.is_none() && u == MoneyUnit::Wan)
                {
                    MoneyUnit::Wan
                } else {
                    first_money.unwrap_or(u)
                }
            };
            let mut unit_used = default_unit;
            if let Some(row) = amount {
                let tolerant = row.amount().scale() >= 2;
                // bare numbers: 元 or 万元, the likelier first
                let units = if first_money.is_some() {
                    vec![default_unit]
                } else {
                    unit_candidates(Some(default_unit))
                };
                let mut first: Option<String> = None;
                let mut held = None;
                for u in units {
                    let Some(s) = sum_in(u).and_then(|s| s.checked_div(yuan_per(row.unit())))
                    else {
                        continue;
                    };
                    let shown = format!(
                        "{}{}",
                        format_decimal(s, row.amount().scale().max(2) + 4),
                        row.unit().label()
                    );
                    if agrees(s, row.amount(), row.amount().scale(), tolerant) {
                        held = Some((u, shown));
                        break;
                    }
                    first.get_or_insert(shown);
                }
                let holds = held.is_some();
                // `预算12万元，申请12万元` restates the row, it does not itemise it
                let restates = addends.len() > 1
                    && addends.iter().any(|t| {
                        let y = match t.money_unit {
                            Some(_) => Some(t.amount),
                            None => t.amount.checked_mul(yuan_per(default_unit)),
                        };
                        y.and_then(|y| y.checked_div(yuan_per(row.unit()))) == Some(row.amount())
                    });
                let computed = match held {
                    Some((u, shown)) => {
                        unit_used = u;
                        shown
                    }
                    None => first.unwrap_or_default(),
                };
                if !computed.is_empty() && (holds || !restates) {
                    self.equations.push(Equation {
                        text: format!("文本合计{}，金额{}", label, row.display()),
                        computed,
                        stated: row.display(),
                        holds,
                    });
                }
            }
            let shown_unit = report_unit(unit_used);
            total = sum_in(unit_used)
                .and_then(|s| s.checked_div(yuan_per(shown_unit)))
                .map(|v| Money::new(v.normalize(), shown_unit));
        }
        let mut unchecked_totals: Vec<String> = Vec::new();
        for &t in &self.unchecked {
            let f = &self.figures[t];
            let lead: Vec<char> = f.lead.chars().collect();
            let name: String = lead[lead.len().saturating_sub(12)..].iter().collect();
            let shown = format!("{name}{}", f.label);
            if !f.derived && !unchecked_totals.contains(&shown) {
                unchecked_totals.push(shown);
            }
        }
        let verdict = if self.equations.iter().any(|e| !e.holds) {
            Verdict::Inconsistent
        } else if self.equations.is_empty() || !unchecked_totals.is_empty() {
            Verdict::Unverifiable
        } else {
            Verdict::Consistent
        };
        CalcReport {
            verdict,
            equations: self.equations,
            total,
            unchecked_totals,
            over_limit: false,
        }
    }
}
