//! Exact money: a decimal amount that remembers the unit it was written in.
//!
//! The forms mix 元, 万元 and (rarely) 亿元; comparisons always convert, never round
//! silently. The database keeps whole 分 (`to_fen`).

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::text::{fold_width, parse_decimal};

/// The unit a money amount was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum MoneyUnit {
    /// 元
    Yuan,
    /// 万元 (10,000 元), the default unit of the forms.
    Wan,
    /// 亿元 (100,000,000 元)
    Yi,
}

impl MoneyUnit {
    /// How many 元 one of this unit is.
    pub fn yuan_factor(self) -> Decimal {
        match self {
            MoneyUnit::Yuan => Decimal::ONE,
            MoneyUnit::Wan => Decimal::from(10_000),
            MoneyUnit::Yi => Decimal::from(100_000_000),
        }
    }

    /// The Chinese name shown to users.
    pub fn label(self) -> &'static str {
        match self {
            MoneyUnit::Yuan => "元",
            MoneyUnit::Wan => "万元",
            MoneyUnit::Yi => "亿元",
        }
    }
}

/// An exact amount of money with its unit. The fields are private so that an amount
/// read from outside (a cell through [`Money::parse`], JSON through `Deserialize`) is
/// always one that passed their checks; computed amounts are built with [`Money::new`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Money {
    amount: Decimal,
    unit: MoneyUnit,
}

/// Why a text is not an amount of money.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("金额为空")]
    Empty,
    #[error("“{0}”不是有效的金额")]
    NotANumber(String),
    #[error("金额“{0}”为负数")]
    Negative(String),
    #[error("金额“{0}”过大，超出合理范围")]
    TooLarge(String),
    /// JSON amounts are decimal strings in 万元 (docs/json.md).
    #[error("“{0}”不是有效的金额，请只填写数字，单位为万元（如 12.5）")]
    NotDecimalText(String),
    #[error("金额 {0} 应写成带引号的文本（如 \"12.5\"），单位为万元")]
    Unquoted(String),
    #[error("金额“{0}”的小数位数过多（单位为万元，最多 {MAX_FRACTION_DIGITS} 位小数）")]
    TooPrecise(String),
}

/// Longest integer part of a JSON amount in 万元: 10^11 万元 is 10^15 元, the limit of
/// [`Money::parse`].
const MAX_INT_DIGITS: usize = 11;
const MAX_FRACTION_DIGITS: usize = 20;

impl Money {
    /// A computed amount (sums, products of checked parts); text from outside goes through
    /// [`Money::parse`] or `Deserialize`.
    pub fn new(amount: Decimal, unit: MoneyUnit) -> Self {
        Money { amount, unit }
    }

    /// The number as written, in [`Money::unit`].
    pub fn amount(&self) -> Decimal {
        self.amount
    }

    /// The unit it was written in.
    pub fn unit(&self) -> MoneyUnit {
        self.unit
    }

    /// An amount as the JSON contract has it: a non-negative decimal string in 万元
    /// (`"12.5"`), at most 11 integer and 20 fraction digits.
    pub fn from_wan_text(text: &str) -> Result<Money, MoneyError> {
        let text = text.trim();
        let (int, frac) = text.split_once('.').unwrap_or((text, ""));
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(int) || (text.contains('.') && !digits(frac)) {
            return Err(MoneyError::NotDecimalText(text.to_string()));
        }
        if int.trim_start_matches('0').len() > MAX_INT_DIGITS {
            return Err(MoneyError::TooLarge(text.to_string()));
        }
        if frac.len() > MAX_FRACTION_DIGITS {
            return Err(MoneyError::TooPrecise(text.to_string()));
        }
        Decimal::from_str(text)
            .map(Money::wan)
            .map_err(|_| MoneyError::NotDecimalText(text.to_string()))
    }

    pub fn wan(amount: Decimal) -> Self {
        Money::new(amount, MoneyUnit::Wan)
    }

    pub fn yuan(amount: Decimal) -> Self {
        Money::new(amount, MoneyUnit::Yuan)
    }

    /// The amount in 元, exact; saturates for absurd amounts (over about 7.9×10^20 元),
    /// which `parse` refuses anyway.
    pub fn in_yuan(&self) -> Decimal {
        self.amount.checked_mul(self.unit.yuan_factor()).unwrap_or(
            if self.amount.is_sign_negative() {
                Decimal::MIN
            } else {
                Decimal::MAX
            },
        )
    }

    /// The amount in 万元, exact (no rounding).
    pub fn in_wan(&self) -> Decimal {
        (self.in_yuan() / Decimal::from(10_000)).normalize()
    }

    /// Whole 分 for storage, or `None` when the amount is finer than one 分 or too large.
    pub fn to_fen(&self) -> Option<i64> {
        let fen = self
            .amount
            .checked_mul(self.unit.yuan_factor())?
            .checked_mul(Decimal::from(100))?;
        if fen.fract() != Decimal::ZERO {
            return None;
        }
        i64::try_from(fen).ok()
    }

    /// Rebuild from whole 分 (as stored), expressed in 万元.
    pub fn from_fen(fen: i64) -> Self {
        Money::wan((Decimal::from(fen) / Decimal::from(1_000_000)).normalize())
    }

    /// Parse a money cell such as `185.91`, `12万元`, `17万`, `40000元`, `1,740,000.00`.
    /// A bare number takes `default_unit` (the table's 金额单位).
    pub fn parse(text: &str, default_unit: MoneyUnit) -> Result<Money, MoneyError> {
        let folded = fold_width(text);
        let t: String = folded
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .trim_end_matches(['。', '.', ';', '；', ','])
            .to_string();
        if t.is_empty() {
            return Err(MoneyError::Empty);
        }
        let (num, unit) = if let Some(n) = t.strip_suffix("万元").or_else(|| t.strip_suffix('万'))
        {
            (n, MoneyUnit::Wan)
        } else if let Some(n) = t.strip_suffix("亿元").or_else(|| t.strip_suffix('亿')) {
            (n, MoneyUnit::Yi)
        } else if let Some(n) = t.strip_suffix('元') {
            (n, MoneyUnit::Yuan)
        } else {
            (t.as_str(), default_unit)
        };
        let num = num.trim_start_matches(['¥', '￥']);
        let value =
            parse_decimal(num).ok_or_else(|| MoneyError::NotANumber(text.trim().to_string()))?;
        if value.is_sign_negative() && !value.is_zero() {
            return Err(MoneyError::Negative(text.trim().to_string()));
        }
        let money = Money::new(value, unit);
        // 10^15 元 is far beyond any budget; larger numbers are typing or extraction errors.
        if money
            .amount
            .checked_mul(unit.yuan_factor())
            .is_none_or(|y| y > Decimal::from(1_000_000_000_000_000i64))
        {
            return Err(MoneyError::TooLarge(text.trim().to_string()));
        }
        Ok(money)
    }

    /// Shown as `12万元`.
    pub fn display(&self) -> String {
        format!("{}{}", self.amount.normalize(), self.unit.label())
    }

    /// Shown in 万元 without unit, e.g. `43.4`.
    pub fn wan_string(&self) -> String {
        self.in_wan().to_string()
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

/// JSON carries amounts as decimal strings in 万元 (the contract in docs/json.md).
impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.wan_string())
    }
}

/// Only what [`Money::from_wan_text`] accepts; the error is the Chinese reason, so a
/// request body's error can name the field and say what to fix.
impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Wan;
        impl serde::de::Visitor<'_> for Wan {
            type Value = Money;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("数字文本形式的金额（单位为万元，如 \"12.5\"）")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Money, E> {
                Money::from_wan_text(v).map_err(E::custom)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Money, E> {
                Err(E::custom(MoneyError::Unquoted(v.to_string())))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Money, E> {
                Err(E::custom(MoneyError::Unquoted(v.to_string())))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Money, E> {
                Err(E::custom(MoneyError::Unquoted(v.to_string())))
            }
        }
        d.deserialize_any(Wan)
    }
}

/// In schemas an amount is what its `Deserialize` accepts: a decimal string in 万元.
#[cfg(feature = "schema")]
impl schemars::JsonSchema for Money {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Money".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": r"^\d{1,11}(\.\d{1,20})?$",
            "description": "金额，单位为万元的十进制数字文本（如 \"12.5\"）"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn parses_the_forms_spellings() {
        assert_eq!(
            Money::parse("185.91", MoneyUnit::Wan).unwrap().in_wan(),
            d("185.91")
        );
        assert_eq!(
            Money::parse("12万元", MoneyUnit::Wan).unwrap().in_wan(),
            d("12")
        );
        assert_eq!(
            Money::parse("17万", MoneyUnit::Yuan).unwrap().in_wan(),
            d("17")
        );
        assert_eq!(
            Money::parse("40000元", MoneyUnit::Wan).unwrap().in_wan(),
            d("4")
        );
        assert_eq!(
            Money::parse("1,740,000.00", MoneyUnit::Yuan)
                .unwrap()
                .in_wan(),
            d("174")
        );
        assert_eq!(
            Money::parse("１２．５万元", MoneyUnit::Yuan)
                .unwrap()
                .in_wan(),
            d("12.5")
        );
        assert!(Money::parse("", MoneyUnit::Wan).is_err());
        assert!(Money::parse("约十万", MoneyUnit::Wan).is_err());
        assert!(Money::parse("-3", MoneyUnit::Wan).is_err());
        assert!(matches!(
            Money::parse("99999999999999999999999", MoneyUnit::Wan),
            Err(MoneyError::TooLarge(_))
        ));
        let huge = Money::new(Decimal::MAX, MoneyUnit::Yi);
        assert_eq!(huge.to_fen(), None);
        assert_eq!(huge.in_yuan(), Decimal::MAX);
    }

    #[test]
    fn fen_round_trip() {
        let m = Money::parse("185.91", MoneyUnit::Wan).unwrap();
        assert_eq!(m.to_fen(), Some(185_910_000));
        assert_eq!(Money::from_fen(185_910_000).in_wan(), d("185.91"));
        assert_eq!(
            Money::parse("0.001", MoneyUnit::Yuan).unwrap().to_fen(),
            None
        );
    }
}
