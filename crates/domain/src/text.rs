//! Text normalisation shared by importers, rules and the calculation engine.
//!
//! Forms arrive with full-width digits, traditional script, stray spaces inside labels and
//! pinyin annotations inserted by mirror sites. Matching is done on a normalised copy;
//! the original text is always kept by the caller.

use std::str::FromStr;
use std::sync::OnceLock;

use rust_decimal::Decimal;

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

fn fold_char(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' | '\u{00A0}' => ' ',
        _ => c,
    }
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
    let s = to_simplified(&fold_width(s));
    let s: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '*' && *c != '＊')
        .collect();
    strip_score_suffix(&s)
}

/// `产出指标(50分)`, `成本指标(0-20)分`, `预算执行情况(10分)` → the bare label.
fn strip_score_suffix(s: &str) -> String {
    let mut out = s.to_string();
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
    out
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

#[cfg(test)]
mod tests {
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
}
