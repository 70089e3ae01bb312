//! Reading one number as written: digits with thousands separators and decimals, the unit
//! after it (with its magnitude), what it is per (`元/个`, `每人`), and whether it is only
//! approximate (`10余万元`) or no amount at all (a list marker, a date, a code).

use std::str::FromStr;

use rust_decimal::Decimal;

use super::lexer::{separator_of, Separator};
use super::normalize::is_cjk;
use super::units::{per_unit_at, starts_with_at, unit_at, WrittenUnit};
use super::MAX_DIGITS;
use crate::text::{is_chinese_numeral_char, read_chinese_numeral};

/// A number and what is written around it.
#[derive(Clone, Debug)]
pub(super) struct Number {
    /// The value in its unit, magnitude applied (`5万人` → 50000 人, `3千元` → 3000 元).
    pub(super) value: Decimal,
    /// The number as written, without thousands separators.
    pub(super) digits: String,
    /// Decimals as written: the precision a rounded result is held to.
    pub(super) decimals: u32,
    pub(super) unit: WrittenUnit,
    /// `元/个`, `100元每人`: what the amount is per.
    pub(super) per: Vec<String>,
    /// `10余万元`, `5万元左右`.
    pub(super) approximate: bool,
    /// A list marker, a year, a date part, a code next to letters: never an amount.
    pub(super) noise: bool,
    /// `1、`, `1.`, `(1)` opening a phrase: the number of a section.
    pub(super) list_marker: bool,
    /// Where the number and its unit end (before any `/个`).
    pub(super) core_end: usize,
}

/// Read the number starting at `i` (an ASCII digit); returns it and where it ends.
pub(super) fn read_number(chars: &[char], i: usize) -> (Number, usize) {
    let n = chars.len();
    let mut j = i;
    let mut digits = String::new();
    while j < n && chars[j].is_ascii_digit() {
        digits.push(chars[j]);
        j += 1;
    }
    if digits.len() <= 3 {
        // 1,329,120.67
        while j + 3 < n
            && chars[j] == ','
            && chars[j + 1..j + 4].iter().all(|c| c.is_ascii_digit())
            && chars.get(j + 4).is_none_or(|c| !c.is_ascii_digit())
        {
            digits.extend(&chars[j + 1..j + 4]);
            j += 4;
        }
    }
    let mut decimals = 0u32;
    let mut noise = false;
    if j + 1 < n && chars[j] == '.' && chars[j + 1].is_ascii_digit() {
        digits.push('.');
        j += 1;
        while j < n && chars[j].is_ascii_digit() {
            digits.push(chars[j]);
            j += 1;
            decimals += 1;
        }
        // 2023.07.01: a date or a version, not a number
        while j + 1 < n && chars[j] == '.' && chars[j + 1].is_ascii_digit() {
            noise = true;
            j += 1;
            while j < n && chars[j].is_ascii_digit() {
                j += 1;
            }
        }
    }
    let prev = i.checked_sub(1).map(|p| chars[p]);
    if prev.is_some_and(|p| p.is_ascii_alphabetic() || p == '第' || p == '.')
        || chars.get(j).is_some_and(|c| c.is_ascii_alphabetic())
        || digits.len() > MAX_DIGITS
    {
        noise = true;
    }
    let value = Decimal::from_str(&digits).unwrap_or_else(|_| {
        noise = true;
        Decimal::ZERO
    });
    let after = read_unit(chars, j, value, decimals);
    // `1、`, `1.`, `(1)` at the start of a phrase are list markers
    let mut list_marker = false;
    if after.unit == WrittenUnit::Bare && after.decimals == 0 {
        let boundary = prev.is_none_or(|p| {
            p == ' ' || p == '(' || separator_of(p).is_some_and(|s| s != Separator::Space)
        });
        let next = chars.get(j).copied();
        let marker = matches!(next, Some('、'))
            || (next == Some('.') && chars.get(j + 1).is_none_or(|c| !c.is_ascii_digit()))
            || (next == Some(')') && prev == Some('('));
        list_marker = boundary && marker;
    }
    let end = after.end;
    let number = after.into_number(digits, noise || list_marker, list_marker);
    (number, end)
}

/// A number written in Chinese numerals starting at `i` (`十二万元`, `三千五百元`,
/// `两万`, `十二个月`), read like an Arabic one. Only a numeral of two characters or more
/// followed by a money or quantity unit is an amount: `一般`, `三元里`, `十一五规划` and
/// `第十二` are words.
pub(super) fn read_chinese_amount(chars: &[char], i: usize) -> Option<(Number, usize)> {
    let prev = i.checked_sub(1).map(|p| chars[p]);
    if prev.is_some_and(|p| p == '第' || is_chinese_numeral_char(p)) {
        return None;
    }
    let (whole, len) = read_chinese_numeral(&chars[i..])?;
    if len < 2 || chars[i..i + len].iter().any(|c| c.is_ascii_digit()) {
        return None;
    }
    // `十二万元`: the trailing 万 is read as the unit, like the 万 of `12万元`
    let end = i + len;
    let (value, unit_start) = match chars[end - 1] {
        '万' => (whole / Decimal::from(10_000), end - 1),
        '亿' => (whole / Decimal::from(100_000_000), end - 1),
        _ => (whole, end),
    };
    let value = value.normalize();
    let after = read_unit(chars, unit_start, value, value.scale());
    let amount = match &after.unit {
        WrittenUnit::Money(_) => true,
        WrittenUnit::Count(u) => !u.is_empty(),
        _ => false,
    };
    if !amount || after.overflow {
        return None;
    }
    let end = after.end;
    Some((after.into_number(value.to_string(), false, false), end))
}

/// What follows the digits of a number: its unit (with the magnitude applied to `value`),
/// what it is per, and whether it is approximate.
struct AfterDigits {
    value: Decimal,
    decimals: u32,
    unit: WrittenUnit,
    approximate: bool,
    per: Vec<String>,
    /// Applying the unit's magnitude overflowed.
    overflow: bool,
    core_end: usize,
    end: usize,
}

impl AfterDigits {
    fn into_number(self, digits: String, noise: bool, list_marker: bool) -> Number {
        Number {
            value: self.value,
            digits,
            decimals: self.decimals,
            unit: self.unit,
            per: self.per,
            approximate: self.approximate,
            noise: noise || self.overflow,
            list_marker,
            core_end: self.core_end,
        }
    }
}

/// Read the unit and the words that qualify a number whose digits end at `j`.
fn read_unit(chars: &[char], j: usize, value: Decimal, decimals: u32) -> AfterDigits {
    let n = chars.len();
    let (mut value, mut decimals) = (value, decimals);
    let mut overflow = false;

    // the unit, possibly after `余`/`多` (approximate) or blanks
    let mut approximate = false;
    let mut k = j;
    if k < n && matches!(chars[k], '余' | '多') && unit_at(chars, k + 1).is_some() {
        approximate = true;
        k += 1;
    }
    let mut found = unit_at(chars, k);
    if found.is_none() {
        let mut after_blanks = k;
        while after_blanks < n && chars[after_blanks] == ' ' {
            after_blanks += 1;
        }
        // `100 元`; after a blank only money and `%` (`900.47 项目支出` is a label)
        if after_blanks > k {
            if let Some(u) = unit_at(chars, after_blanks)
                .filter(|u| matches!(u.0, WrittenUnit::Money(_) | WrittenUnit::Percent))
            {
                k = after_blanks;
                found = Some(u);
            }
        }
    }
    let unit = match found {
        Some((unit, magnitude, len)) => {
            k += len;
            match value.checked_mul(magnitude) {
                Some(v) => value = v,
                None => overflow = true,
            }
            if magnitude > Decimal::ONE && matches!(unit, WrittenUnit::Money(_)) {
                decimals = decimals.saturating_sub(3);
            }
            unit
        }
        // a Chinese word right after the number: a quantity of an unknown unit, except a
        // keyword that starts the next phrase (`2030.12其中`)
        None if chars.get(k).is_some_and(|c| is_cjk(*c)) && !starts_with_at(chars, k, "其中") => {
            WrittenUnit::Count(String::new())
        }
        None => WrittenUnit::Bare,
    };
    // `10万余元`
    if matches!(unit, WrittenUnit::Money(_))
        && k + 1 < n
        && matches!(chars[k], '余' | '多')
        && chars[k + 1] == '元'
    {
        approximate = true;
        k += 2;
    }
    let core_end = k;
    let mut per = Vec::new();
    while k < n && per.len() < 4 {
        let c = chars[k];
        let slash = c == '/';
        if slash || c == '每' || (c == '·' && !per.is_empty()) {
            if let Some((u, l)) = per_unit_at(chars, k + 1, slash) {
                per.push(u);
                k += 1 + l;
                continue;
            }
        }
        break;
    }
    if starts_with_at(chars, k, "左右") {
        approximate = true;
        k += 2;
    } else if ["以上", "以内", "以下"]
        .iter()
        .any(|s| starts_with_at(chars, k, s))
    {
        approximate = true;
    }
    AfterDigits {
        value,
        decimals,
        unit,
        approximate,
        per,
        overflow,
        core_end,
        end: k,
    }
}
