//! Exact arithmetic: evaluating a written expression, and comparing a computed value with
//! a stated one under the readings of its unit (a bare `40000` after a money product may be
//! 元 or 万元) and the precision it was written with.

use rust_decimal::{Decimal, RoundingStrategy};

use super::lexer::{Token, TokenKind};
use super::number::Number;
use super::units::WrittenUnit;
use super::MAX_EXPR_DEPTH;
use crate::money::MoneyUnit;

pub(super) fn round_half_up(v: Decimal, dp: u32) -> Decimal {
    v.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero)
}

/// Equal, or (when `tolerant`) equal once rounded half-up to the `dp` decimals the stated
/// value was written with.
pub(super) fn agrees(computed: Decimal, stated: Decimal, dp: u32, tolerant: bool) -> bool {
    computed == stated || (tolerant && round_half_up(computed, dp) == stated)
}

/// `v` rounded to at most `dp` decimals, without trailing zeros.
pub(super) fn format_decimal(v: Decimal, dp: u32) -> String {
    round_half_up(v, dp.min(20)).normalize().to_string()
}

/// How many 元 one `u` is.
pub(super) fn yuan_per(u: MoneyUnit) -> Decimal {
    u.yuan_factor()
}

/// The money units a bare number may be read in: `first`, then 元, then 万元.
pub(super) fn unit_candidates(first: Option<MoneyUnit>) -> Vec<MoneyUnit> {
    let mut v = Vec::new();
    for u in [first, Some(MoneyUnit::Yuan), Some(MoneyUnit::Wan)]
        .into_iter()
        .flatten()
    {
        if !v.contains(&u) {
            v.push(u);
        }
    }
    v
}

/// A value during evaluation: money is carried in 元.
#[derive(Clone, Copy, Debug)]
pub(super) struct Value {
    pub(super) amount: Decimal,
    pub(super) is_money: bool,
    /// The money unit it was written in, for showing the result in the same unit.
    pub(super) unit_hint: Option<MoneyUnit>,
    /// A division was made: the result may be a rounded one.
    pub(super) divided: bool,
}

impl Value {
    pub(super) fn bare(amount: Decimal) -> Value {
        Value {
            amount,
            is_money: false,
            unit_hint: None,
            divided: false,
        }
    }

    /// A bare number read as money in `unit` (`10万+5+2`: the 5 and 2 are 万元).
    fn into_money(self, unit: MoneyUnit) -> Option<Value> {
        if self.is_money {
            return Some(self);
        }
        Some(Value {
            amount: self.amount.checked_mul(yuan_per(unit))?,
            is_money: true,
            unit_hint: Some(unit),
            divided: self.divided,
        })
    }
}

/// The value of a number token; `None` for noise or an overflow.
fn number_value(n: &Number) -> Option<Value> {
    if n.noise {
        return None;
    }
    Some(match &n.unit {
        WrittenUnit::Money(u) => Value {
            amount: n.value.checked_mul(yuan_per(*u))?,
            is_money: true,
            unit_hint: Some(*u),
            divided: false,
        },
        WrittenUnit::Percent => Value::bare(n.value.checked_div(Decimal::ONE_HUNDRED)?),
        WrittenUnit::Bare | WrittenUnit::Count(_) => Value::bare(n.value),
    })
}

/// A recursive-descent evaluator over the tokens `indices` of a run.
pub(super) struct ExprParser<'a> {
    tokens: &'a [Token],
    indices: &'a [usize],
    pos: usize,
    /// The unit a bare number added to money is taken in.
    bare_unit: MoneyUnit,
    depth: u32,
}

impl<'a> ExprParser<'a> {
    /// The value of the whole expression, or `None` when it does not parse or overflows.
    pub(super) fn evaluate(
        tokens: &'a [Token],
        indices: &'a [usize],
        bare_unit: MoneyUnit,
    ) -> Option<Value> {
        let mut p = ExprParser {
            tokens,
            indices,
            pos: 0,
            bare_unit,
            depth: 0,
        };
        let v = p.sum()?;
        (p.pos == indices.len()).then_some(v)
    }

    fn peek(&self) -> Option<&'a TokenKind> {
        let tokens = self.tokens;
        self.indices.get(self.pos).map(|&i| &tokens[i].kind)
    }

    fn sum(&mut self) -> Option<Value> {
        let mut v = self.product()?;
        while let Some(TokenKind::Operator(c @ ('+' | '-'))) = self.peek() {
            self.pos += 1;
            let r = self.product()?;
            let (a, b) = if v.is_money == r.is_money {
                (v, r)
            } else {
                (v.into_money(self.bare_unit)?, r.into_money(self.bare_unit)?)
            };
            let amount = if *c == '+' {
                a.amount.checked_add(b.amount)?
            } else {
                a.amount.checked_sub(b.amount)?
            };
            v = Value {
                amount,
                is_money: a.is_money,
                unit_hint: a.unit_hint.or(b.unit_hint),
                divided: a.divided || b.divided,
            };
        }
        Some(v)
    }

    fn product(&mut self) -> Option<Value> {
        let mut v = self.factor()?;
        while let Some(TokenKind::Operator(c @ ('*' | '/'))) = self.peek() {
            self.pos += 1;
            let r = self.factor()?;
            v = if *c == '*' {
                Value {
                    amount: v.amount.checked_mul(r.amount)?,
                    is_money: v.is_money || r.is_money,
                    unit_hint: v.unit_hint.or(r.unit_hint),
                    divided: v.divided || r.divided,
                }
            } else {
                if r.amount.is_zero() {
                    return None;
                }
                Value {
                    amount: v.amount.checked_div(r.amount)?,
                    is_money: v.is_money && !r.is_money,
                    unit_hint: v.unit_hint,
                    divided: true,
                }
            };
        }
        Some(v)
    }

    fn factor(&mut self) -> Option<Value> {
        self.depth += 1;
        if self.depth > MAX_EXPR_DEPTH {
            return None;
        }
        let v = match self.peek()? {
            TokenKind::Operator('-') => {
                self.pos += 1;
                let v = self.factor()?;
                Some(Value {
                    amount: -v.amount,
                    ..v
                })
            }
            TokenKind::Open => {
                self.pos += 1;
                let v = self.sum()?;
                match self.peek() {
                    Some(TokenKind::Close) => self.pos += 1,
                    _ => return None,
                }
                Some(v)
            }
            TokenKind::Number(n) => {
                self.pos += 1;
                number_value(n)
            }
            _ => None,
        };
        self.depth -= 1;
        v
    }
}

/// A value the text states: a number with its unit as written.
#[derive(Clone)]
pub(super) struct StatedValue {
    pub(super) value: Decimal,
    pub(super) digits: String,
    pub(super) decimals: u32,
    pub(super) unit: WrittenUnit,
}

impl StatedValue {
    pub(super) fn from_number(n: &Number) -> StatedValue {
        StatedValue {
            value: n.value,
            digits: n.digits.clone(),
            decimals: n.decimals,
            unit: n.unit.clone(),
        }
    }

    pub(super) fn display(&self) -> String {
        format!("{}{}", self.digits, self.unit.label())
    }
}

/// The outcome of comparing a computed value with a stated one.
pub(super) struct Comparison {
    pub(super) holds: bool,
    /// The computed value as shown, in the unit of the reading used.
    pub(super) computed: String,
    /// The money unit the stated value was read in (a bare number after a money product).
    pub(super) resolved_unit: Option<MoneyUnit>,
}

/// Compare a computed value with a stated one, trying the readings of its unit; the first
/// reading that agrees wins, else the first reading is reported.
pub(super) fn compare(computed: &Value, stated: &StatedValue) -> Option<Comparison> {
    let tolerant = stated.decimals >= 2 || computed.divided || stated.unit == WrittenUnit::Percent;
    // (value in the stated unit, money unit of the reading, unit label)
    let mut readings: Vec<(Decimal, Option<MoneyUnit>, String)> = Vec::new();
    match &stated.unit {
        WrittenUnit::Money(u) if computed.is_money => {
            readings.push((
                computed.amount.checked_div(yuan_per(*u))?,
                Some(*u),
                u.label().to_string(),
            ));
        }
        // `8*50*100=40000元`, `50*4*300=6万元`: a bare left side is in the stated unit or in 元
        WrittenUnit::Money(u) => {
            for r in unit_candidates(Some(*u)) {
                let c = computed
                    .amount
                    .checked_mul(yuan_per(r))?
                    .checked_div(yuan_per(*u))?;
                readings.push((c, Some(*u), u.label().to_string()));
            }
        }
        WrittenUnit::Percent => {
            if let Some(c) = computed.amount.checked_mul(Decimal::ONE_HUNDRED) {
                readings.push((c, None, "%".into()));
            }
            readings.push((computed.amount, None, "%".into()));
        }
        WrittenUnit::Bare if computed.is_money => {
            for u in unit_candidates(computed.unit_hint) {
                readings.push((
                    computed.amount.checked_div(yuan_per(u))?,
                    Some(u),
                    u.label().to_string(),
                ));
            }
        }
        WrittenUnit::Bare => readings.push((computed.amount, None, String::new())),
        WrittenUnit::Count(c) => {
            let a = match (computed.is_money, computed.unit_hint) {
                (true, Some(h)) => computed.amount.checked_div(yuan_per(h))?,
                _ => computed.amount,
            };
            readings.push((a, None, c.clone()));
        }
    }
    let (pick, holds) = readings
        .iter()
        .position(|r| agrees(r.0, stated.value, stated.decimals, tolerant))
        .map(|p| (p, true))
        .unwrap_or((0, false));
    let r = &readings[pick];
    Some(Comparison {
        holds,
        computed: format!("{}{}", format_decimal(r.0, stated.decimals.max(2) + 4), r.2),
        resolved_unit: r.1,
    })
}
