//! Written equations: runs of numbers and operators (`8*50*100=40000元`,
//! `5个*5000元/个=2.5万元`, `1075.8-466.42=609.38万元`), evaluated exactly and compared with
//! the result written after `=`.

use rust_decimal::Decimal;

use super::arith::{
    compare, format_decimal, round_half_up, yuan_per, Comparison, ExprParser, StatedValue, Value,
};
use super::keywords::{classify, has_price_word, Role};
use super::lexer::{words_before, Separator, Token, TokenKind};
use super::number::Number;
use super::reader::{Figure, Reader};
use super::units::WrittenUnit;
use super::Equation;
use crate::money::MoneyUnit;

/// `10人×12个月=6万元`: quantities only, to be priced by the words before
/// (`每人每月500元`).
#[derive(Clone)]
pub(super) struct UnpricedProduct {
    pub(super) quantities: Value,
    pub(super) stated: StatedValue,
    pub(super) text: String,
}

/// A written equation (or a bare money expression) found in the token stream.
pub(super) struct WrittenEquation {
    /// Its checks (one per `=`).
    pub(super) checks: Vec<Equation>,
    /// The figure of the stated result, taken by the reader when it reaches the equation.
    pub(super) result: Option<Figure>,
    /// The left side as a pure product of numbers, for matching the words before it.
    pub(super) factors: Option<Vec<Decimal>>,
    pub(super) left: Option<Value>,
    pub(super) left_text: String,
    /// The money unit of the stated result, in which a bare left side is read.
    pub(super) stated_unit: Option<MoneyUnit>,
    pub(super) sentence: usize,
    pub(super) unpriced: Option<UnpricedProduct>,
}

/// Runs of numbers, operators and parentheses that contain an operator or `=`.
pub(super) fn find_runs(tokens: &[Token]) -> Vec<Vec<usize>> {
    let mut runs: Vec<Vec<usize>> = Vec::new();
    let mut cur: Vec<usize> = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        match &t.kind {
            TokenKind::Separator(Separator::Space) => {}
            TokenKind::Number(_)
            | TokenKind::Operator(_)
            | TokenKind::Equals
            | TokenKind::Open
            | TokenKind::Close => {
                let starts_operand = matches!(t.kind, TokenKind::Number(_) | TokenKind::Open);
                let after_operand = cur.last().is_some_and(|&p| {
                    matches!(tokens[p].kind, TokenKind::Number(_) | TokenKind::Close)
                });
                if starts_operand && after_operand {
                    runs.push(std::mem::take(&mut cur));
                }
                cur.push(i);
            }
            _ => {
                if !cur.is_empty() {
                    runs.push(std::mem::take(&mut cur));
                }
            }
        }
    }
    if !cur.is_empty() {
        runs.push(cur);
    }
    runs.into_iter()
        .map(|r| trim_run(tokens, r))
        .filter(|r| {
            r.iter()
                .any(|&i| matches!(tokens[i].kind, TokenKind::Operator(_) | TokenKind::Equals))
                && r.iter()
                    .any(|&i| matches!(tokens[i].kind, TokenKind::Number(_)))
        })
        .collect()
}

/// Drop dangling operators and unbalanced parentheses at the ends of a run.
fn trim_run(tokens: &[Token], r: Vec<usize>) -> Vec<usize> {
    let mut opens = r
        .iter()
        .filter(|&&i| matches!(tokens[i].kind, TokenKind::Open))
        .count();
    let mut closes = r
        .iter()
        .filter(|&&i| matches!(tokens[i].kind, TokenKind::Close))
        .count();
    let (mut lo, mut hi) = (0, r.len());
    while lo < hi {
        let first = &tokens[r[lo]].kind;
        let last = &tokens[r[hi - 1]].kind;
        if matches!(
            first,
            TokenKind::Operator(_) | TokenKind::Close | TokenKind::Equals
        ) || (opens > closes && matches!(first, TokenKind::Open))
        {
            match first {
                TokenKind::Open => opens -= 1,
                TokenKind::Close => closes -= 1,
                _ => {}
            }
            lo += 1;
        } else if matches!(
            last,
            TokenKind::Operator(_) | TokenKind::Open | TokenKind::Equals
        ) || (closes > opens && matches!(last, TokenKind::Close))
        {
            match last {
                TokenKind::Open => opens -= 1,
                TokenKind::Close => closes -= 1,
                _ => {}
            }
            hi -= 1;
        } else {
            break;
        }
    }
    r[lo..hi].to_vec()
}

/// The left side as `a*b*c` of plain numbers, for matching the words before it.
fn product_factors(tokens: &[Token], seg: &[usize]) -> Option<Vec<Decimal>> {
    let mut out = Vec::new();
    for (p, &i) in seg.iter().enumerate() {
        match (&tokens[i].kind, p % 2) {
            (TokenKind::Number(n), 0) if !n.noise => out.push(n.value),
            (TokenKind::Operator('*'), 1) => {}
            _ => return None,
        }
    }
    (seg.len() % 2 == 1).then_some(out)
}

impl Reader<'_> {
    /// Evaluate one run of numbers and operators.
    pub(super) fn read_equation(&self, run: &[usize]) -> Option<WrittenEquation> {
        let tokens = self.tokens;
        let segments: Vec<&[usize]> = run
            .split(|&i| matches!(tokens[i].kind, TokenKind::Equals))
            .collect();
        let first = *run.first()?;
        let last = *run.last()?;
        let lead = words_before(tokens, first);
        let sentence = tokens[last].place.sentence;
        let single = |s: &[usize]| -> Option<&Number> {
            match (s.len(), s.first().map(|&i| &tokens[i].kind)) {
                (1, Some(TokenKind::Number(n))) if !n.noise => Some(n),
                _ => None,
            }
        };
        let money_unit = |s: &[usize]| -> Option<MoneyUnit> {
            s.iter().find_map(|&i| match &tokens[i].kind {
                TokenKind::Number(Number {
                    unit: WrittenUnit::Money(u),
                    ..
                }) => Some(*u),
                _ => None,
            })
        };
        let segment_text = |s: &[usize]| -> String {
            match (s.first(), s.last()) {
                (Some(&a), Some(&b)) => self.text(tokens[a].start, tokens[b].end),
                _ => String::new(),
            }
        };
        let stated_unit = segments
            .last()
            .and_then(|s| single(s))
            .and_then(|n| match n.unit {
                WrittenUnit::Money(u) => Some(u),
                _ => None,
            });
        let bare_unit = stated_unit
            .or_else(|| money_unit(run))
            .unwrap_or(MoneyUnit::Yuan);

        if segments.len() < 2 {
            // an expression with no stated result: an amount only when it is money
            let v = ExprParser::evaluate(tokens, run, bare_unit)?;
            if !v.is_money {
                return None;
            }
            let u = v.unit_hint.unwrap_or(MoneyUnit::Yuan);
            let value = v.amount.checked_div(yuan_per(u))?;
            let mut figure = self.derived_figure(last, &lead, value, Some(u), segment_text(run));
            figure.amount = v.amount;
            return Some(WrittenEquation {
                checks: Vec::new(),
                result: Some(figure),
                factors: None,
                left: Some(v),
                left_text: segment_text(run),
                stated_unit: None,
                sentence,
                unpriced: None,
            });
        }

        let mut checks = Vec::new();
        let mut last_comparison: Option<(Comparison, Value)> = None;
        let mut first_left = None;
        let mut unpriced = None;
        for p in 0..segments.len() - 1 {
            let (l, r) = (segments[p], segments[p + 1]);
            if l.is_empty() || r.is_empty() {
                last_comparison = None;
                continue;
            }
            // a bare `40000元=4万元` is a conversion; otherwise the left side must compute
            if p == 0 && l.len() == 1 {
                let both_money = matches!(single(l).map(|n| &n.unit), Some(WrittenUnit::Money(_)))
                    && matches!(single(r).map(|n| &n.unit), Some(WrittenUnit::Money(_)));
                if !both_money {
                    last_comparison = None;
                    continue;
                }
            }
            let Some(left) = ExprParser::evaluate(tokens, l, bare_unit) else {
                last_comparison = None;
                continue;
            };
            if p == 0 {
                first_left = Some(left);
            }
            let text = format!("{}={}", segment_text(l), segment_text(r));
            if let Some(n) = single(r) {
                let stated = StatedValue::from_number(n);
                let Some(cmp) = compare(&left, &stated) else {
                    last_comparison = None;
                    continue;
                };
                let quantities_only = l.iter().all(|&i| match &tokens[i].kind {
                    TokenKind::Number(n) => {
                        matches!(&n.unit, WrittenUnit::Count(u) if !u.is_empty())
                    }
                    _ => true,
                });
                if p == 0
                    && !cmp.holds
                    && quantities_only
                    && matches!(stated.unit, WrittenUnit::Money(_))
                {
                    unpriced = Some(UnpricedProduct {
                        quantities: left,
                        stated,
                        text,
                    });
                    last_comparison = None;
                    continue;
                }
                checks.push(Equation {
                    text,
                    computed: cmp.computed.clone(),
                    stated: stated.display(),
                    holds: cmp.holds,
                });
                last_comparison = Some((cmp, left));
            } else {
                // `a*b=c*d`: both sides computed, held to equality
                let Some(right) = ExprParser::evaluate(tokens, r, bare_unit) else {
                    last_comparison = None;
                    continue;
                };
                if left.is_money != right.is_money {
                    last_comparison = None;
                    continue;
                }
                let holds = left.amount == right.amount
                    || ((left.divided || right.divided)
                        && round_half_up(left.amount, 6) == round_half_up(right.amount, 6));
                let label = if left.is_money { "元" } else { "" };
                checks.push(Equation {
                    text,
                    computed: format!("{}{}", format_decimal(left.amount, 8), label),
                    stated: format!("{}{}", format_decimal(right.amount, 8), label),
                    holds,
                });
                last_comparison = None;
            }
        }
        if checks.is_empty() && unpriced.is_none() {
            return None;
        }
        let result = segments.last().and_then(|s| single(s)).and_then(|n| {
            let unit = match (&n.unit, &last_comparison) {
                (WrittenUnit::Money(u), _) => Some(*u),
                (WrittenUnit::Bare, Some((cmp, left))) if left.is_money => cmp.resolved_unit,
                (WrittenUnit::Bare, Some(_)) => None,
                _ => return None,
            };
            Some(self.derived_figure(
                last,
                &lead,
                n.value,
                unit,
                self.text(tokens[last].start, n.core_end),
            ))
        });
        let factors = segments.first().and_then(|s| product_factors(tokens, s));
        Some(WrittenEquation {
            checks,
            result,
            factors,
            left: first_left,
            left_text: segments
                .first()
                .map(|s| segment_text(s))
                .unwrap_or_default(),
            stated_unit,
            sentence,
            unpriced,
        })
    }

    /// The figure of a computed amount (an equation's result): a part, never a price.
    fn derived_figure(
        &self,
        token: usize,
        lead: &str,
        value: Decimal,
        unit: Option<MoneyUnit>,
        label: String,
    ) -> Figure {
        let amount = unit
            .and_then(|u| value.checked_mul(yuan_per(u)))
            .unwrap_or(value);
        let role = classify(lead, false, has_price_word(lead));
        let role = if role == Role::Price {
            Role::Part
        } else {
            role
        };
        let decimals = value.scale();
        Figure {
            amount,
            money_unit: unit,
            value,
            digits: value.to_string(),
            decimals,
            core_label: label.clone(),
            label,
            derived: true,
            ..Figure::at(self.tokens, token, role, lead.to_string())
        }
    }
}
