//! Text normalisation shared by importers, rules and the calculation engine.
//!
//! Forms arrive with full-width digits, traditional script, stray spaces inside labels and
//! pinyin annotations inserted by mirror sites. Matching is done on a normalised copy;
//! the original text is always kept by the caller.

use std::str::FromStr;
use std::sync::OnceLock;

use rust_decimal::Decimal;

use crate::money::{Money, MoneyError, MoneyUnit};

/// Traditional → simplified pairs for the characters that occur in these forms (data).
const T2S: &str = include_str!("../profiles/t2s.txt");

/// First code point of the table: traditional characters used on forms all lie in
/// U+3400..U+FAFF.
const T2S_BASE: u32 = 0x3400;
const T2S_LEN: usize = (0xFB00 - 0x3400) as usize;

/// Direct lookup table, traditional → simplified (0 where the character is unchanged):
/// one array index per character, the importer's hottest path.
fn t2s_map() -> &'static [u32] {
    static MAP: OnceLock<Vec<u32>> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut m = vec![0u32; T2S_LEN];
        for line in T2S.lines() {
            let line = line.trim();
            if line.starts_with('#') {
                continue;
            }
            for pair in line.split_whitespace() {
                let mut cs = pair.chars();
                if let (Some(t), Some(s), None) = (cs.next(), cs.next(), cs.next()) {
                    if let Some(slot) = (t as u32)
                        .checked_sub(T2S_BASE)
                        .and_then(|i| m.get_mut(i as usize))
                    {
                        *slot = s as u32;
                    }
                }
            }
        }
        m
    })
}

fn simplify_char(c: char) -> char {
    let Some(i) = (c as u32).checked_sub(T2S_BASE) else {
        return c;
    };
    match t2s_map().get(i as usize) {
        Some(&s) if s != 0 => char::from_u32(s).unwrap_or(c),
        _ => c,
    }
}

/// One character of full-width ASCII (or the ideographic space) to ASCII.
pub fn fold_char(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' | '\u{00A0}' => ' ',
        _ => c,
    }
}

/// One character width-folded and simplified, as [`normalize_label`] reads it (without
/// dropping anything, so positions in the text stay the same).
pub fn canonical_char(c: char) -> char {
    simplify_char(fold_char(c))
}

/// Map full-width ASCII (digits, letters, punctuation) and the ideographic space to ASCII.
pub fn fold_width(s: &str) -> String {
    s.chars().map(fold_char).collect()
}

/// Traditional characters to simplified ones (only those the forms use).
pub fn to_simplified(s: &str) -> String {
    s.chars().map(simplify_char).collect()
}

/// True when the text contains a traditional character known to the map.
pub fn has_traditional(s: &str) -> bool {
    s.chars().any(|c| simplify_char(c) != c)
}

fn is_pinyin_char(c: char) -> bool {
    c.is_ascii_lowercase()
        || matches!(
            c,
            'ā' | 'á'
                | 'ǎ'
                | 'à'
                | 'ē'
                | 'é'
                | 'ě'
                | 'è'
                | 'ī'
                | 'í'
                | 'ǐ'
                | 'ì'
                | 'ō'
                | 'ó'
                | 'ǒ'
                | 'ò'
                | 'ū'
                | 'ú'
                | 'ǔ'
                | 'ù'
                | 'ǖ'
                | 'ǘ'
                | 'ǚ'
                | 'ǜ'
                | 'ü'
                | 'ń'
                | 'ň'
                | 'ǹ'
                | 'ḿ'
        )
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF)
}

/// Remove pinyin annotations such as `區(qū)` → `區` that some mirror sites insert.
/// Returns the cleaned text and whether anything was removed.
pub fn strip_pinyin(s: &str) -> (String, bool) {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut removed = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if (c == '(' || c == '（') && i > 0 && is_cjk(chars[i - 1]) {
            let close = if c == '(' { ')' } else { '）' };
            let mut j = i + 1;
            while j < chars.len() && j - i <= 8 && is_pinyin_char(chars[j]) {
                j += 1;
            }
            let has_tone = chars[i + 1..j].iter().any(|c| !c.is_ascii_lowercase());
            if j < chars.len() && chars[j] == close && j > i + 1 && has_tone {
                removed = true;
                i = j + 1;
                continue;
            }
            // An excerpt cut inside an annotation (`生態(t` at the very end) of a text
            // already known to carry them.
            if removed && j > i + 1 && chars[j..].iter().all(|c| c.is_whitespace()) {
                i = j;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    (out, removed)
}

/// The normalised form of a label used for matching: width folded, simplified script,
/// no whitespace, no score range such as `(0-20)分` or `(50分)`.
pub fn normalize_label(s: &str) -> String {
    // One pass and one allocation: the recogniser normalises every cell it reads.
    let mut out = String::with_capacity(s.len());
    out.extend(
        s.chars()
            .map(canonical_char)
            .filter(|c| !c.is_whitespace() && *c != '*' && *c != '＊'),
    );
    strip_score_suffix(&mut out);
    out
}

/// `产出指标(50分)`, `成本指标(0-20)分`, `预算执行情况(10分)` → the bare label.
fn strip_score_suffix(out: &mut String) {
    for (open, close) in [('(', ')'), ('（', '）')] {
        if let Some(start) = out.rfind(open) {
            let tail = &out[start..];
            if let Some(end_rel) = tail.find(close) {
                let inner = &tail[open.len_utf8()..end_rel];
                let after = &tail[end_rel + close.len_utf8()..];
                let numeric = !inner.is_empty()
                    && inner
                        .chars()
                        .all(|c| c.is_ascii_digit() || matches!(c, '-' | '—' | '~' | '.' | '分'));
                if numeric && (after.is_empty() || after == "分") {
                    out.truncate(start);
                }
            }
        }
    }
}

/// Parse a decimal number as written on a form: thousands separators, full-width digits,
/// a trailing `%` is not accepted here (callers strip units first).
pub fn parse_decimal(s: &str) -> Option<Decimal> {
    let s = fold_width(s);
    let t: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ',')
        .collect();
    if t.is_empty() || t.len() > 40 {
        return None;
    }
    let body = t.strip_prefix(['+', '-']).unwrap_or(&t);
    if body.is_empty()
        || !body.chars().all(|c| c.is_ascii_digit() || c == '.')
        || body.matches('.').count() > 1
        || body.starts_with('.')
        || body.ends_with('.')
    {
        return None;
    }
    Decimal::from_str(&t).ok()
}

/// Text as dossier search compares it: full-width folded, simplified script, lower case,
/// without whitespace or control characters. Search documents and search queries both go
/// through it, so `教 育` finds `教育`, `財政` finds `财政` and `ＰＰＰ` finds `ppp`;
/// what is left is a plain substring test.
pub fn search_fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let c = simplify_char(fold_char(c));
        if c.is_whitespace() || c.is_control() {
            continue;
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// Count of characters, not bytes.
pub fn char_len(s: &str) -> usize {
    s.chars().count()
}

/// Numerals are short: a longer run of numeral characters is read only up to here, which
/// keeps reading linear on any input.
const MAX_NUMERAL_CHARS: usize = 32;

/// The value of a Chinese digit (`〇零一二两三…九`, and the financial forms `壹贰叁…玖`).
fn chinese_digit(c: char) -> Option<u32> {
    Some(match c {
        '〇' | '零' => 0,
        '一' | '壹' => 1,
        '二' | '两' | '贰' | '貳' | '兩' => 2,
        '三' | '叁' | '參' => 3,
        '四' | '肆' => 4,
        '五' | '伍' => 5,
        '六' | '陆' | '陸' => 6,
        '七' | '柒' => 7,
        '八' | '捌' => 8,
        '九' | '玖' => 9,
        _ => return None,
    })
}

/// `十百千` (and `拾佰仟`): magnitudes inside a group of four digits.
fn small_magnitude(c: char) -> Option<u32> {
    Some(match c {
        '十' | '拾' => 10,
        '百' | '佰' => 100,
        '千' | '仟' => 1000,
        _ => return None,
    })
}

/// `万` and `亿`: magnitudes that close a group of four digits.
fn large_magnitude(c: char) -> Option<u64> {
    Some(match c {
        '万' | '萬' => 10_000,
        '亿' | '億' => 100_000_000,
        _ => return None,
    })
}

/// A character that can be part of a Chinese numeral (a digit or a magnitude).
pub fn is_chinese_numeral_char(c: char) -> bool {
    chinese_digit(c).is_some() || small_magnitude(c).is_some() || large_magnitude(c).is_some()
}

/// The state of reading one numeral: `亿` groups, the `万` group, the current group of
/// four digits and the digit not yet given a magnitude.
#[derive(Default)]
struct NumeralReader {
    yi: Decimal,
    wan: Decimal,
    group: Decimal,
    pending: Option<Decimal>,
    /// The pending digit is one character (`五`, `5`): it may be a colloquial tail.
    pending_single: bool,
    /// The last magnitude inside the current group; the next must be smaller.
    last_small: u32,
    /// The magnitude just read, when the next digit follows it directly (`一万五`).
    just_after: Option<Decimal>,
    read_anything: bool,
}

impl NumeralReader {
    fn digit(&mut self, d: Decimal, single: bool, zero: bool) -> bool {
        if self.pending.is_some() {
            return false;
        }
        self.read_anything = true;
        if zero {
            // `一千零五`: a zero fills a gap, it is not a digit of its own
            self.just_after = None;
            return true;
        }
        self.pending = Some(d);
        self.pending_single = single;
        true
    }

    fn small(&mut self, m: u32) -> bool {
        let d = match self.pending.take() {
            Some(d) => d,
            // `十二`: a ten needs no digit before it
            None if m == 10 => Decimal::ONE,
            None => return false,
        };
        if self.last_small != 0 && m >= self.last_small {
            return false;
        }
        let Some(v) = d
            .checked_mul(Decimal::from(m))
            .and_then(|v| self.group.checked_add(v))
        else {
            return false;
        };
        self.group = v;
        self.last_small = m;
        self.just_after = Some(Decimal::from(m));
        self.read_anything = true;
        true
    }

    fn large(&mut self, m: u64) -> bool {
        let pending = self.pending.take().unwrap_or_default();
        let yi = m == 100_000_000;
        let Some(group) = self.group.checked_add(pending).and_then(|g| {
            if yi {
                g.checked_add(self.wan)
            } else {
                Some(g)
            }
        }) else {
            return false;
        };
        if group.is_zero() || (yi && !self.yi.is_zero()) || (!yi && !self.wan.is_zero()) {
            return false;
        }
        let Some(v) = group.checked_mul(Decimal::from(m)) else {
            return false;
        };
        if yi {
            self.yi = v;
            self.wan = Decimal::ZERO;
        } else {
            self.wan = v;
        }
        self.group = Decimal::ZERO;
        self.last_small = 0;
        self.just_after = Some(Decimal::from(m));
        self.read_anything = true;
        true
    }

    /// The value read so far, or `None` when nothing was.
    fn value(&self) -> Option<Decimal> {
        if !self.read_anything {
            return None;
        }
        let tail = match (self.pending, self.just_after) {
            // `一万五` is 15000, `三千五` 3500: a lone digit right after a magnitude is the
            // next place down
            (Some(d), Some(m)) if self.pending_single && m > Decimal::TEN => {
                d.checked_mul(m / Decimal::TEN)?
            }
            (Some(d), _) => d,
            (None, _) => Decimal::ZERO,
        };
        self.yi
            .checked_add(self.wan)?
            .checked_add(self.group)?
            .checked_add(tail)
    }
}

/// Read a number written in Chinese numerals, possibly mixed with Arabic digits
/// (`十二万`, `三千五百`, `一百二十万`, `两万`, `一万五`, `5千`, `1.2万`, `3万5千`, `二〇` is not
/// one): the value of the longest well-formed prefix of `chars` and how many characters it
/// takes, or `None` when no numeral starts there. Digits must be followed by magnitudes in
/// decreasing order, so `十一五` reads `十一` and stops.
pub fn read_chinese_numeral(chars: &[char]) -> Option<(Decimal, usize)> {
    let mut reader = NumeralReader::default();
    let mut best = None;
    let limit = chars.len().min(MAX_NUMERAL_CHARS);
    let mut i = 0;
    while i < limit {
        let c = chars[i];
        let (ok, next) = if let Some(d) = chinese_digit(c) {
            (reader.digit(Decimal::from(d), true, d == 0), i + 1)
        } else if c.is_ascii_digit() {
            let mut j = i;
            while j < limit && chars[j].is_ascii_digit() {
                j += 1;
            }
            if j + 1 < limit && chars[j] == '.' && chars[j + 1].is_ascii_digit() {
                j += 1;
                while j < limit && chars[j].is_ascii_digit() {
                    j += 1;
                }
            }
            let text: String = chars[i..j].iter().collect();
            match Decimal::from_str(&text) {
                Ok(d) => (reader.digit(d, j == i + 1, false), j),
                Err(_) => (false, j),
            }
        } else if let Some(m) = small_magnitude(c) {
            (reader.small(m), i + 1)
        } else if let Some(m) = large_magnitude(c) {
            (reader.large(m), i + 1)
        } else {
            break;
        };
        if !ok {
            break;
        }
        i = next;
        if let Some(v) = reader.value() {
            best = Some((v, i));
        }
    }
    best
}

/// Read an amount of money the way people type it into a cell: `12万元`, `12万`,
/// `120000元`, `十二万`, `三千五百元`, `两万`, `5千` (thousands of 元), `1.2万`, full-width
/// `１２` and `１，２００`, `1,200.50`, `¥300`. A number without a unit takes `default_unit`
/// (the table's 金额单位). The amount keeps the unit it was written in (`十二万` is 12 万元).
pub fn read_amount(text: &str, default_unit: MoneyUnit) -> Result<Money, MoneyError> {
    let shown = || text.trim().to_string();
    let folded = to_simplified(&fold_width(text));
    let t: String = folded
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .trim_end_matches(['。', '.', ';', ',', '、'])
        .to_string();
    let t = t
        .trim_start_matches(['¥', '￥'])
        .trim_start_matches("人民币");
    if t.is_empty() {
        return Err(MoneyError::Empty);
    }
    let (negative, t) = match t.strip_prefix(['-', '−']) {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let (body, yuan_written) = match t.strip_suffix('元') {
        Some(b) => (b, true),
        None => (t, false),
    };
    let chars: Vec<char> = body.chars().collect();
    let plain = !chars.is_empty()
        && chars
            .iter()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | ','));
    let whole = if plain {
        parse_decimal(body)
    } else {
        // `2,000万`: separators inside the digits carry nothing
        let chars: Vec<char> = chars.iter().copied().filter(|c| *c != ',').collect();
        match read_chinese_numeral(&chars) {
            Some((v, len)) if len == chars.len() => Some(v),
            _ => None,
        }
    }
    .ok_or_else(|| MoneyError::NotANumber(shown()))?;
    if negative && !whole.is_zero() {
        return Err(MoneyError::Negative(shown()));
    }
    // the last magnitude written names the unit: `十二万` is 12 万元, `5千` 5000 元
    let (amount, unit) = match chars.last() {
        Some('万') if !plain => (whole / Decimal::from(10_000), MoneyUnit::Wan),
        Some('亿') if !plain => (whole / Decimal::from(100_000_000), MoneyUnit::Yi),
        _ if yuan_written => (whole, MoneyUnit::Yuan),
        Some('千' | '百' | '十') => (whole, MoneyUnit::Yuan),
        _ => (whole, default_unit),
    };
    let money = Money::new(amount.normalize(), unit);
    // 10^15 元 is far beyond any budget; larger numbers are typing or extraction errors.
    if amount
        .checked_mul(unit.yuan_factor())
        .is_none_or(|y| y > Decimal::from(1_000_000_000_000_000i64))
    {
        return Err(MoneyError::TooLarge(shown()));
    }
    Ok(money)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn labels_normalise() {
        assert_eq!(normalize_label("可持续影响  指标"), "可持续影响指标");
        assert_eq!(normalize_label("合  计"), "合计");
        assert_eq!(normalize_label("產出指標"), "产出指标");
        assert_eq!(normalize_label("成本指标(0-20)分"), "成本指标");
        assert_eq!(normalize_label("产出指标(50分)"), "产出指标");
        assert_eq!(normalize_label("*指标值"), "指标值");
    }

    #[test]
    fn pinyin_annotations_are_removed() {
        let (s, removed) = strip_pinyin("岳陽樓區(qū)價(jià)格認(rèn)證");
        assert!(removed);
        assert_eq!(s, "岳陽樓區價格認證");
        let (s, removed) = strip_pinyin("预算执行情况(10分)");
        assert!(!removed);
        assert_eq!(s, "预算执行情况(10分)");
        // Cut inside the last annotation: the fragment goes too, but only in an annotated text.
        assert_eq!(strip_pinyin("區(qū)發展\n生態(t\n").0, "區發展\n生態\n");
        assert_eq!(strip_pinyin("项目(a\n").0, "项目(a\n");
    }

    #[test]
    fn search_folding() {
        assert_eq!(search_fold(" 教 育\t局\n"), "教育局");
        assert_eq!(search_fold("ＰＰＰ項目"), "ppp项目");
        assert_eq!(search_fold("Road\u{3000}Safety"), "roadsafety");
        assert_eq!(search_fold("100%_完成"), "100%_完成");
        assert_eq!(search_fold(" \u{0}\u{7f} "), "");
    }

    #[test]
    fn decimals() {
        assert_eq!(
            parse_decimal("1,740,000.00"),
            Decimal::from_str("1740000.00").ok()
        );
        assert_eq!(parse_decimal("１２"), Some(Decimal::from(12)));
        assert_eq!(parse_decimal("1.2.3"), None);
        assert_eq!(parse_decimal(""), None);
        assert_eq!(parse_decimal("12a"), None);
    }

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn numeral(s: &str) -> Option<(Decimal, usize)> {
        read_chinese_numeral(&s.chars().collect::<Vec<_>>())
    }

    #[test]
    fn chinese_numerals() {
        for (text, value) in [
            ("十二万", "120000"),
            ("三千五百", "3500"),
            ("一百二十万", "1200000"),
            ("两万", "20000"),
            ("十", "10"),
            ("二十五", "25"),
            ("一千零五", "1005"),
            ("十万零一十", "100010"),
            ("一亿二千万", "120000000"),
            ("一万五", "15000"),
            ("三千五", "3500"),
            ("壹拾贰万", "120000"),
            ("5千", "5000"),
            ("1.2万", "12000"),
            ("3万5千", "35000"),
            ("零", "0"),
        ] {
            let n = text.chars().count();
            assert_eq!(numeral(text), Some((d(value), n)), "{text}");
        }
        // the longest well-formed prefix
        assert_eq!(numeral("十一五规划"), Some((d("11"), 2)));
        assert_eq!(numeral("二〇二三年"), Some((d("2"), 1)));
        assert_eq!(numeral("三千五百元"), Some((d("3500"), 4)));
        assert_eq!(numeral("一百千"), Some((d("100"), 2)));
        assert_eq!(numeral("万元"), None);
        assert_eq!(numeral("百"), None);
        assert_eq!(numeral("一般"), Some((d("1"), 1)));
        // bounded: a long run is read only up to the cap
        let long: Vec<char> = "一".repeat(10_000).chars().collect();
        assert_eq!(read_chinese_numeral(&long), Some((d("1"), 1)));
    }

    #[test]
    fn amounts_as_people_type_them() {
        let wan = MoneyUnit::Wan;
        let yuan = MoneyUnit::Yuan;
        for (text, default, amount, unit) in [
            ("12万元", yuan, "12", wan),
            ("12万", yuan, "12", wan),
            ("120000元", wan, "120000", yuan),
            ("十二万", yuan, "12", wan),
            ("十二万元", yuan, "12", wan),
            ("三千五百元", wan, "3500", yuan),
            ("一百二十万元", yuan, "120", wan),
            ("两万", yuan, "2", wan),
            ("5千", wan, "5000", yuan),
            ("1.2万", yuan, "1.2", wan),
            ("１２", wan, "12", wan),
            ("１２", yuan, "12", yuan),
            ("１,２００", yuan, "1200", yuan),
            ("１，２００元", wan, "1200", yuan),
            ("1,200.50", yuan, "1200.5", yuan),
            ("2,000万元", yuan, "2000", wan),
            ("¥300", yuan, "300", yuan),
            (" 185.91 ", wan, "185.91", wan),
            ("一亿二千万", yuan, "12000", wan),
            ("1.5亿元", yuan, "1.5", MoneyUnit::Yi),
            ("十二萬元", yuan, "12", wan),
        ] {
            let m = read_amount(text, default).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(m, Money::new(d(amount), unit), "{text}");
        }
        assert_eq!(read_amount("", MoneyUnit::Wan), Err(MoneyError::Empty));
        assert_eq!(read_amount("  。", MoneyUnit::Wan), Err(MoneyError::Empty));
        for bad in ["约十万", "十二万多", "12万3元x", "1.2.3", "万元", "abc"] {
            assert!(
                matches!(
                    read_amount(bad, MoneyUnit::Wan),
                    Err(MoneyError::NotANumber(_))
                ),
                "{bad}"
            );
        }
        assert!(matches!(
            read_amount("-3", MoneyUnit::Wan),
            Err(MoneyError::Negative(_))
        ));
        assert!(matches!(
            read_amount("99999999999999999999999", MoneyUnit::Wan),
            Err(MoneyError::TooLarge(_))
        ));
        assert!(matches!(
            read_amount("九千九百亿亿", MoneyUnit::Wan),
            Err(MoneyError::NotANumber(_))
        ));
    }

    /// Standard Chinese numerals for `n`, written independently of the reader: groups of
    /// four digits under 亿 and 万, 零 for every gap, `十` for a leading `一十` when
    /// `short_ten`, and `两` for a 2 before a magnitude when `liang`.
    pub(crate) fn chinese(n: u64, short_ten: bool, liang: bool) -> String {
        const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
        if n == 0 {
            return "零".into();
        }
        let group = |g: u64| -> String {
            let mut s = String::new();
            let mut gap = false;
            for (place, name) in [(1000, "千"), (100, "百"), (10, "十"), (1, "")] {
                let digit = (g / place % 10) as usize;
                if digit == 0 {
                    gap = !s.is_empty();
                    continue;
                }
                if gap {
                    s.push('零');
                    gap = false;
                }
                let word = if digit == 2 && liang && place >= 100 {
                    "两"
                } else {
                    DIGITS[digit]
                };
                s.push_str(word);
                s.push_str(name);
            }
            s
        };
        let mut out = String::new();
        let mut gap = false;
        for (g, name) in [
            (n / 100_000_000, "亿"),
            (n / 10_000 % 10_000, "万"),
            (n % 10_000, ""),
        ] {
            if g == 0 {
                gap = !out.is_empty();
                continue;
            }
            if !out.is_empty() && (gap || g < 1000) {
                out.push('零');
            }
            out.push_str(&group(g));
            out.push_str(name);
            gap = false;
        }
        if short_ten && out.starts_with("一十") {
            out = out.replacen("一十", "十", 1);
        }
        out
    }

    #[test]
    fn the_test_formatter_writes_what_people_write() {
        assert_eq!(chinese(120_000, true, false), "十二万");
        assert_eq!(chinese(3500, false, false), "三千五百");
        assert_eq!(chinese(1_200_000, false, false), "一百二十万");
        assert_eq!(chinese(100_010, true, false), "十万零一十");
        assert_eq!(chinese(100_050_000, false, false), "一亿零五万");
        assert_eq!(chinese(20_000, false, true), "二万");
        assert_eq!(chinese(2_000, false, true), "两千");
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

            #[test]
            fn chinese_numerals_round_trip(n in 0u64..1_000_000_000_000, short_ten: bool, liang: bool) {
                let text = chinese(n, short_ten, liang);
                let chars: Vec<char> = text.chars().collect();
                prop_assert_eq!(read_chinese_numeral(&chars), Some((Decimal::from(n), chars.len())), "{}", text);
                let m = read_amount(&format!("{text}元"), MoneyUnit::Wan).unwrap();
                prop_assert_eq!(m.in_yuan(), Decimal::from(n));
            }

            #[test]
            fn amounts_in_wan_round_trip(n in 1u64..10_000) {
                let text = format!("{}万", chinese(n, true, false));
                prop_assert_eq!(read_amount(&text, MoneyUnit::Yuan), Ok(Money::new(Decimal::from(n), MoneyUnit::Wan)), "{}", text);
            }

            #[test]
            fn reading_never_panics(text in any::<String>()) {
                let _ = read_amount(&text, MoneyUnit::Wan);
                let chars: Vec<char> = text.chars().collect();
                if let Some((_, len)) = read_chinese_numeral(&chars) {
                    prop_assert!(len <= chars.len());
                }
            }
        }
    }
}
