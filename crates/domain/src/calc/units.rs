//! Units written after a number: money (`元`, `万元`, a bare `万`), `%`, and quantities
//! (`个`, `人次`, `平方米`), with the magnitude a unit carries (`5万人` is 50000 人).

use rust_decimal::Decimal;

use super::normalize::is_cjk;
use crate::money::MoneyUnit;

/// The unit a number was written with.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum WrittenUnit {
    /// No unit: `8*50*100`, `2030.12`.
    Bare,
    Money(MoneyUnit),
    Percent,
    /// A quantity: `个`, `人次`, `平方米`; empty for a Chinese word that is no known unit.
    Count(String),
}

impl WrittenUnit {
    /// As shown after the number in an equation (`万元`, `%`, `人次`).
    pub(super) fn label(&self) -> &str {
        match self {
            WrittenUnit::Bare => "",
            WrittenUnit::Money(m) => m.label(),
            WrittenUnit::Percent => "%",
            WrittenUnit::Count(c) => c,
        }
    }
}

/// Units of quantities; matched longest first.
#[rustfmt::skip]
const COUNT_UNITS: &[&str] = &[
    "平方公里", "平方千米", "平方米", "立方米", "平米", "公里", "千米", "厘米", "毫米", "公斤", "千克", "公顷",
    "人次", "人天", "人日", "人月", "户次", "场次", "批次", "车次", "架次", "台次", "班次", "课时", "学时",
    "小时", "个月", "季度", "年度", "个", "人", "次", "天", "日", "月", "年", "周", "户", "场", "期", "批",
    "家", "名", "所", "台", "套", "份", "册", "本", "件", "张", "辆", "处", "项", "座", "条", "间", "吨", "斤",
    "支", "组", "队", "班", "篇", "部", "块", "盏", "株", "棵", "头", "只", "顿", "餐", "桌", "晚", "轮", "届",
    "村", "位", "米", "亩", "门", "箱", "包", "瓶", "盒", "把", "双", "副", "根", "片", "栋", "层", "幅", "面",
    "堂", "首", "集", "季", "号", "节", "课", "校", "床", "艘", "起", "宗", "例", "笔", "单", "封", "夜", "卷",
    "枚", "㎡",
];

/// Quantity units of an area (checked as length × width).
pub(super) const AREA_UNITS: &[&str] = &["平方米", "平米", "㎡"];
/// Quantity units of a volume (checked as length × width × height).
pub(super) const VOLUME_UNITS: &[&str] = &["立方米"];

/// The quantity unit written at `k` (longest match) and its length in chars.
pub(super) fn match_count_unit(chars: &[char], k: usize) -> Option<(&'static str, usize)> {
    (1..=4).rev().find_map(|len| {
        let seg = chars.get(k..k + len)?;
        COUNT_UNITS
            .iter()
            .find(|u| u.chars().eq(seg.iter().copied()))
            .map(|u| (*u, len))
    })
}

pub(super) fn starts_with_at(chars: &[char], k: usize, s: &str) -> bool {
    s.chars()
        .enumerate()
        .all(|(o, c)| chars.get(k + o) == Some(&c))
}

/// The unit written at `k` after a number: (unit, magnitude to multiply by, chars used).
pub(super) fn unit_at(chars: &[char], k: usize) -> Option<(WrittenUnit, Decimal, usize)> {
    let one = Decimal::ONE;
    if starts_with_at(chars, k, "亿元") {
        return Some((WrittenUnit::Money(MoneyUnit::Yi), one, 2));
    }
    if starts_with_at(chars, k, "万元") {
        return Some((WrittenUnit::Money(MoneyUnit::Wan), one, 2));
    }
    if starts_with_at(chars, k, "千元") {
        return Some((WrittenUnit::Money(MoneyUnit::Yuan), Decimal::from(1000), 2));
    }
    if starts_with_at(chars, k, "元") {
        return Some((WrittenUnit::Money(MoneyUnit::Yuan), one, 1));
    }
    if let Some((u, l)) = match_count_unit(chars, k) {
        if u.starts_with('千') {
            return Some((WrittenUnit::Count(u.to_string()), one, l));
        }
    }
    let c = *chars.get(k)?;
    if matches!(c, '万' | '亿' | '千') {
        let magnitude = Decimal::from(match c {
            '万' => 10_000,
            '亿' => 100_000_000,
            _ => 1000,
        });
        // `5万人次` is a count; a bare `12万` on these forms is money
        if let Some((u, l)) = match_count_unit(chars, k + 1) {
            return Some((WrittenUnit::Count(u.to_string()), magnitude, 1 + l));
        }
        return Some(match c {
            '万' => (WrittenUnit::Money(MoneyUnit::Wan), one, 1),
            '亿' => (WrittenUnit::Money(MoneyUnit::Yi), one, 1),
            _ => (WrittenUnit::Bare, magnitude, 1),
        });
    }
    if c == '%' {
        return Some((WrittenUnit::Percent, one, 1));
    }
    match_count_unit(chars, k).map(|(u, l)| (WrittenUnit::Count(u.to_string()), one, l))
}

/// The unit after `/` or `每`: a known unit, or after `/` any one Chinese character.
pub(super) fn per_unit_at(chars: &[char], k: usize, slash: bool) -> Option<(String, usize)> {
    if let Some((u, l)) = match_count_unit(chars, k) {
        return Some((u.to_string(), l));
    }
    let c = *chars.get(k)?;
    (slash && is_cjk(c) && !matches!(c, '每' | '万' | '元' | '亿')).then(|| (c.to_string(), 1))
}
