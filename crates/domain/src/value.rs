//! 指标值及单位: a comparator, a number and a unit when the value is quantitative,
//! otherwise qualitative text. The original text is always kept.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::{Money, MoneyUnit};
use crate::text::{fold_width, parse_decimal, to_simplified};

/// The comparison a target value states (指标性质).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Comparator {
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = "=")]
    Eq,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = "<")]
    Lt,
}

impl Comparator {
    pub fn symbol(self) -> &'static str {
        match self {
            Comparator::Ge => "≥",
            Comparator::Le => "≤",
            Comparator::Eq => "=",
            Comparator::Gt => ">",
            Comparator::Lt => "<",
        }
    }

    /// Read a comparator at the start of `s`; returns it and the rest.
    /// Accepts the glyph variants seen on real forms (≥ ≧ >= ＞＝ ⩾ 不低于 …).
    pub fn strip_prefix(s: &str) -> (Option<Comparator>, &str) {
        const TABLE: &[(&str, Comparator)] = &[
            (">=", Comparator::Ge),
            ("≥", Comparator::Ge),
            ("≧", Comparator::Ge),
            ("⩾", Comparator::Ge),
            ("大于等于", Comparator::Ge),
            ("大于或等于", Comparator::Ge),
            ("不低于", Comparator::Ge),
            ("不少于", Comparator::Ge),
            ("不小于", Comparator::Ge),
            ("达到", Comparator::Ge),
            ("<=", Comparator::Le),
            ("≤", Comparator::Le),
            ("≦", Comparator::Le),
            ("⩽", Comparator::Le),
            ("小于等于", Comparator::Le),
            ("小于或等于", Comparator::Le),
            ("不超过", Comparator::Le),
            ("不高于", Comparator::Le),
            ("不大于", Comparator::Le),
            ("控制在", Comparator::Le),
            ("==", Comparator::Eq),
            ("=", Comparator::Eq),
            ("═", Comparator::Eq),
            ("﹦", Comparator::Eq),
            ("等于", Comparator::Eq),
            (">", Comparator::Gt),
            ("大于", Comparator::Gt),
            ("高于", Comparator::Gt),
            ("<", Comparator::Lt),
            ("小于", Comparator::Lt),
            ("低于", Comparator::Lt),
        ];
        for (glyph, cmp) in TABLE {
            if let Some(rest) = s.strip_prefix(glyph) {
                return (Some(*cmp), rest);
            }
        }
        (None, s)
    }
}

/// A target value as written, with its parsed reading when it has a number.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct IndicatorValue {
    /// Exactly what the form says.
    pub text: String,
    pub comparator: Option<Comparator>,
    /// The number, exact; `None` for a qualitative value.
    #[serde(with = "opt_decimal")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub number: Option<Decimal>,
    /// The unit as written after the number (`个`, `%`, `万元`, `人次`), normalised.
    pub unit: Option<String>,
}

/// Serde for an optional exact decimal as a JSON string (`"99.6"`) or null.
pub(crate) mod opt_decimal {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serializer};
    use std::str::FromStr;

    pub fn serialize<S: Serializer>(v: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(d) => s.serialize_str(&d.normalize().to_string()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        let v: Option<String> = Option::deserialize(d)?;
        v.map(|s| Decimal::from_str(&s).map_err(serde::de::Error::custom))
            .transpose()
    }
}

impl IndicatorValue {
    /// Parse one 指标值及单位 cell: `2个`, `100%`, `≤37万元`, `≧95%`, `及时`.
    pub fn parse(text: &str) -> IndicatorValue {
        let original = text.trim().to_string();
        let folded = to_simplified(&fold_width(&original));
        let compact: String = folded.chars().filter(|c| !c.is_whitespace()).collect();
        let (comparator, rest) = Comparator::strip_prefix(&compact);
        let (number, unit) = split_number_unit(rest);
        match number {
            Some(n) => IndicatorValue {
                text: original,
                comparator,
                number: Some(n),
                unit: unit.map(normalize_unit),
            },
            None => IndicatorValue {
                text: original,
                comparator: None,
                number: None,
                unit: None,
            },
        }
    }

    /// Build from the split columns 指标性质 / 指标值 / 度量单位 used by one-system forms.
    pub fn from_parts(nature: &str, value: &str, unit: &str) -> IndicatorValue {
        let nature = fold_width(nature.trim());
        let (cmp, _) = Comparator::strip_prefix(nature.trim());
        let unit = unit.trim();
        let value = value.trim();
        let mut text = String::new();
        if cmp.is_some() {
            text.push_str(nature.trim());
        }
        text.push_str(value);
        // The unit column is appended only to a bare number; a value that already carries a
        // unit (`28.8万元`) or is qualitative keeps its own text.
        let bare_number = parse_decimal(value).is_some();
        if bare_number && unit.chars().count() <= 6 {
            text.push_str(unit);
        }
        let mut v = IndicatorValue::parse(&text);
        v.text = text;
        if v.comparator.is_none() {
            v.comparator = cmp;
        }
        if v.number.is_none() {
            v.comparator = None;
        }
        v
    }

    pub fn is_empty(&self) -> bool {
        self.text.trim().is_empty()
    }

    /// A cell that holds only a unit (and maybe a comparator), its number never entered:
    /// `公里`, `万人`, `≧ %` left from a template.
    pub fn is_unit_only(&self) -> bool {
        if self.number.is_some() {
            return false;
        }
        let compact: String = to_simplified(&fold_width(&self.text))
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let (_, rest) = Comparator::strip_prefix(&compact);
        MEASURE_UNITS.contains(&rest)
    }

    pub fn is_quantitative(&self) -> bool {
        self.number.is_some()
    }

    pub fn is_percent(&self) -> bool {
        self.unit.as_deref() == Some("%")
    }

    /// The value as money when its unit is 元/万元/亿元.
    pub fn as_money(&self) -> Option<Money> {
        let n = self.number?;
        let unit = match self.unit.as_deref()? {
            "元" => MoneyUnit::Yuan,
            "万元" | "万" => MoneyUnit::Wan,
            "亿元" | "亿" => MoneyUnit::Yi,
            _ => return None,
        };
        Some(Money::new(n, unit))
    }
}

/// A number with its unit, as read from a measured value (see [`IndicatorValue::measured`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quantity {
    pub number: Decimal,
    pub unit: Option<String>,
}

/// Words written before the number of a measured value (`已完成100%`, `实际完成550万粒`),
/// longest first.
const MEASURE_PREFIXES: &[&str] = &[
    "实际完成",
    "已完成",
    "完成了",
    "已达到",
    "累计",
    "实际",
    "完成",
    "达到",
    "共计",
    "已",
    "共",
    "约",
];

/// Words that mark a measured value as a completion percentage of the whole task.
const COMPLETION_PREFIXES: &[&str] = &["已完成", "完成率", "完成"];

fn money_factor(unit: &str) -> Option<Decimal> {
    match unit {
        "元" => Some(Decimal::ONE),
        "万元" => Some(Decimal::from(10_000)),
        "亿元" => Some(Decimal::from(100_000_000)),
        _ => None,
    }
}

impl IndicatorValue {
    /// The number of a measured value (实际完成值, 期间执行情况): the parsed number, or
    /// the number after a verb put in front of it (`已完成100%`, `实际完成550万粒`).
    /// Qualitative text gives `None`.
    pub fn measured(&self) -> Option<Quantity> {
        if let Some(number) = self.number {
            return Some(Quantity {
                number,
                unit: self.unit.clone(),
            });
        }
        let compact: String = to_simplified(&fold_width(&self.text))
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let rest = MEASURE_PREFIXES
            .iter()
            .find_map(|p| compact.strip_prefix(p))?;
        let v = IndicatorValue::parse(rest);
        Some(Quantity {
            number: v.number?,
            unit: v.unit,
        })
    }

    /// A measured value written as the share of the task done (`已完成100%`, `完成率80%`),
    /// in percent; `None` for any other value.
    pub fn completion_percent(&self) -> Option<Decimal> {
        let compact: String = to_simplified(&fold_width(&self.text))
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let rest = COMPLETION_PREFIXES
            .iter()
            .find_map(|p| compact.strip_prefix(p))?;
        let v = IndicatorValue::parse(rest);
        (v.is_percent() && v.comparator.is_none()).then_some(v.number?)
    }

    /// This target and a value measured against it as two numbers in one unit, when they
    /// can be compared: the units agree, one side leaves the unit out (the 度量单位 column
    /// holds it once), or both are money (元/万元/亿元, converted). Otherwise `None`: a
    /// value in 个 is not compared with one in 人, nor a date with a count.
    pub fn against(&self, measured: &IndicatorValue) -> Option<(Decimal, Decimal)> {
        let t = self.number?;
        let a = measured.measured()?;
        match (self.unit.as_deref(), a.unit.as_deref()) {
            (Some(tu), Some(au)) if tu == au => Some((t, a.number)),
            (Some(tu), Some(au)) => {
                let (ft, fa) = (money_factor(tu)?, money_factor(au)?);
                Some((t.checked_mul(ft)?, a.number.checked_mul(fa)?))
            }
            _ => Some((t, a.number)),
        }
    }
}

/// Split `2.5万元` into (2.5, "万元"); a value whose number is followed by more digits or
/// date punctuation (`2023.07-2024.01`) is not a quantity.
/// Units of measure a template leaves in a value cell without its number. Words that
/// are also answers (`是`, `年度`) are not here.
const MEASURE_UNITS: &[&str] = &[
    "%",
    "公里",
    "千米",
    "米",
    "平方米",
    "万平方米",
    "亩",
    "万亩",
    "公顷",
    "人",
    "万人",
    "人次",
    "万人次",
    "个",
    "户",
    "万户",
    "次",
    "件",
    "项",
    "座",
    "处",
    "台",
    "套",
    "辆",
    "所",
    "家",
    "吨",
    "万吨",
    "元",
    "万元",
    "亿元",
    "天",
    "日",
    "小时",
    "km",
    "m",
    "m2",
    "㎡",
];

fn split_number_unit(s: &str) -> (Option<Decimal>, Option<&str>) {
    let end = s
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || *c == '.' || *c == ','))
        .map(|(i, _)| i)
        .unwrap_or(s.len());
    if end == 0 {
        return (None, None);
    }
    let num = parse_decimal(&s[..end]);
    let unit = s[end..].trim();
    if num.is_none() {
        return (None, None);
    }
    if unit.starts_with(['-', '—', '~', '～', '至', '/'])
        && unit[1..].chars().next().is_some_and(|c| c.is_ascii_digit())
    {
        return (None, None);
    }
    if unit.chars().count() > 8 {
        // `2个以上的服务点覆盖…` is prose, not a unit.
        return (None, None);
    }
    (num, if unit.is_empty() { None } else { Some(unit) })
}

fn normalize_unit(u: &str) -> String {
    match u {
        "百分比" | "％" | "%以上" | "%及以上" => "%".to_string(),
        "万" => "万元".to_string(),
        _ => {
            let mut u = u;
            for suffix in ["以上", "以内", "以下"] {
                u = u.strip_suffix(suffix).unwrap_or(u);
            }
            u.to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Option<Decimal> {
        Some(Decimal::from_str(s).unwrap())
    }

    #[test]
    fn unit_only_values() {
        for t in ["公里", "万人", "≧ %", "≥%", " 个 "] {
            assert!(IndicatorValue::parse(t).is_unit_only(), "{t}");
        }
        for t in ["2公里", "是", "", "及时", "≥95%"] {
            assert!(!IndicatorValue::parse(t).is_unit_only(), "{t}");
        }
    }

    #[test]
    fn seed_values() {
        let v = IndicatorValue::parse("2个");
        assert_eq!(
            (v.comparator, v.number, v.unit.as_deref()),
            (None, d("2"), Some("个"))
        );
        let v = IndicatorValue::parse("≤185.91万元");
        assert_eq!(
            (v.comparator, v.number, v.unit.as_deref()),
            (Some(Comparator::Le), d("185.91"), Some("万元"))
        );
        assert_eq!(
            v.as_money().unwrap().in_wan(),
            Decimal::from_str("185.91").unwrap()
        );
        let v = IndicatorValue::parse("100%");
        assert!(v.is_percent());
        let v = IndicatorValue::parse("及时");
        assert!(!v.is_quantitative());
        assert_eq!(v.text, "及时");
    }

    #[test]
    fn glyph_variants() {
        assert_eq!(
            IndicatorValue::parse("≧95%").comparator,
            Some(Comparator::Ge)
        );
        assert_eq!(
            IndicatorValue::parse("＞＝95％").comparator,
            Some(Comparator::Ge)
        );
        assert_eq!(
            IndicatorValue::parse("﹦72890元").comparator,
            Some(Comparator::Eq)
        );
        assert_eq!(
            IndicatorValue::parse("═100%").comparator,
            Some(Comparator::Eq)
        );
        assert_eq!(
            IndicatorValue::parse("≥100百分比").unit.as_deref(),
            Some("%")
        );
        assert_eq!(IndicatorValue::parse("2023.07-2024.01").number, None);
    }

    #[test]
    fn measured_values() {
        let q = |t: &str| {
            IndicatorValue::parse(t)
                .measured()
                .map(|q| (q.number, q.unit))
        };
        assert_eq!(q("98%"), Some((d("98").unwrap(), Some("%".into()))));
        assert_eq!(q("已完成100%"), Some((d("100").unwrap(), Some("%".into()))));
        assert_eq!(
            q("实际完成550万粒"),
            Some((d("550").unwrap(), Some("万粒".into())))
        );
        assert_eq!(q("是"), None);
        assert_eq!(q("基本达到"), None);
        assert_eq!(
            IndicatorValue::parse("已完成100%").completion_percent(),
            d("100")
        );
        assert_eq!(IndicatorValue::parse("100%").completion_percent(), None);
        assert_eq!(IndicatorValue::parse("完成3次").completion_percent(), None);
    }

    #[test]
    fn targets_against_actuals() {
        let t = IndicatorValue::from_parts("﹦", "72890", "元");
        assert_eq!(
            t.against(&IndicatorValue::parse("72890")),
            Some((d("72890").unwrap(), d("72890").unwrap())),
            "the actual column leaves the unit to 度量单位"
        );
        // 万元 against 元: converted to 元.
        let t = IndicatorValue::parse("≤20万元");
        assert_eq!(
            t.against(&IndicatorValue::parse("185000元")),
            Some((d("200000").unwrap(), d("185000").unwrap()))
        );
        // Different units are not comparable.
        assert_eq!(
            IndicatorValue::parse("60人").against(&IndicatorValue::parse("60个")),
            None
        );
        assert_eq!(
            IndicatorValue::parse("550万粒").against(&IndicatorValue::parse("5500000粒")),
            None
        );
        assert_eq!(
            IndicatorValue::parse("及时").against(&IndicatorValue::parse("100%")),
            None
        );
    }

    #[test]
    fn split_columns() {
        let v = IndicatorValue::from_parts("≥", "95", "%");
        assert_eq!(v.text, "≥95%");
        assert_eq!((v.comparator, v.number), (Some(Comparator::Ge), d("95")));
        let v = IndicatorValue::from_parts("定性", "优", "");
        assert_eq!(v.text, "优");
        assert_eq!(v.comparator, None);
        let v = IndicatorValue::from_parts("﹦", "72890", "元");
        assert_eq!(
            v.as_money().unwrap().in_wan(),
            Decimal::from_str("7.289").unwrap()
        );
    }
}
