//! Normalisation: one spelling for what people type many ways, before anything is read.

use super::MAX_CHARS;
use crate::text::{fold_width, to_simplified};

pub(super) fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF)
}

/// Blanks other than line breaks (a line break ends a statement, a blank does not).
fn is_hspace(c: char) -> bool {
    c.is_whitespace() && c != '\n' && c != '\r'
}

/// Glyphs that mean an operator whatever surrounds them.
fn map_glyph(c: char) -> char {
    match c {
        '×' | '✕' | '✖' | '╳' | '﹡' => '*',
        '÷' => '/',
        '═' | '﹦' => '=',
        '−' | '–' | '﹣' | '‐' | '‑' => '-',
        '﹪' => '%',
        '：' => ':',
        _ => c,
    }
}

/// Word artefacts such as `[bookmark: _GoBack]` carry no meaning.
fn strip_bookmarks(s: &str) -> String {
    let lower = s.to_ascii_lowercase();
    let mut out = String::with_capacity(s.len());
    let mut pos = 0;
    while let Some(rel) = lower[pos..].find("[bookmark") {
        let at = pos + rel;
        out.push_str(&s[pos..at]);
        match lower[at..].find(']') {
            Some(end) if end < 120 => pos = at + end + 1,
            _ => {
                out.push_str(&s[at..]);
                return out;
            }
        }
    }
    out.push_str(&s[pos..]);
    out
}

/// `１，２００` and `1，200元`: a full-width comma is a thousands separator where that is
/// the only reading — groups of exactly three digits after one to three, and either the
/// digits were typed full-width or money (`元`, `万`, `亿`) or decimals follow. It becomes
/// the ASCII comma; elsewhere (`8，500，300`, a list) it stays a separator.
fn join_thousands(raw: &mut [char], wide: &[bool]) {
    let n = raw.len();
    let digit = |c: Option<&char>| c.is_some_and(|c| c.is_ascii_digit());
    let mut i = 0;
    while i < n {
        let starts = digit(raw.get(i))
            && (i == 0 || !(digit(raw.get(i - 1)) || matches!(raw[i - 1], ',' | '，' | '.')));
        if !starts {
            i += 1;
            continue;
        }
        let mut j = i;
        while digit(raw.get(j)) {
            j += 1;
        }
        let mut commas = Vec::new();
        let mut k = j;
        if j - i <= 3 {
            while raw.get(k) == Some(&'，')
                && (k + 1..k + 4).all(|p| digit(raw.get(p)))
                && !digit(raw.get(k + 4))
            {
                commas.push(k);
                k += 4;
            }
        }
        if !commas.is_empty() {
            let typed_wide =
                (i..k).all(|p| raw[p] == '，' || wide.get(p).copied().unwrap_or(false));
            let money_follows = matches!(raw.get(k), Some('元' | '万' | '亿'))
                || (raw.get(k) == Some(&'.') && digit(raw.get(k + 1)));
            if typed_wide || money_follows {
                for c in commas {
                    raw[c] = ',';
                }
            }
        }
        i = k.max(j);
    }
}

/// Width-folded, simplified, with operator glyphs unified. The full-width comma stays
/// distinct from the ASCII one: only the ASCII comma can be a thousands separator.
/// Blanks inside Chinese words (`合  计`) are dropped, other runs of blanks become one,
/// and `x`/`·` between numbers become `*`.
pub(super) fn normalize(text: &str) -> Vec<char> {
    let capped: String = text.chars().take(MAX_CHARS).collect();
    let cleaned = strip_bookmarks(&capped);
    let folded = cleaned
        .split('，')
        .map(fold_width)
        .collect::<Vec<_>>()
        .join("，");
    let mut raw: Vec<char> = to_simplified(&folded).chars().map(map_glyph).collect();
    // every step above maps one char to one char, so positions still match the original
    let wide: Vec<bool> = cleaned
        .chars()
        .map(|c| ('０'..='９').contains(&c))
        .collect();
    join_thousands(&mut raw, &wide);
    // next non-blank char after each position, computed once (keeps the pass linear)
    let mut next_non_blank: Vec<Option<char>> = vec![None; raw.len() + 1];
    for i in (0..raw.len()).rev() {
        next_non_blank[i] = if is_hspace(raw[i]) {
            next_non_blank[i + 1]
        } else {
            Some(raw[i])
        };
    }
    let mut out: Vec<char> = Vec::with_capacity(raw.len());
    for (i, &c) in raw.iter().enumerate() {
        let next = next_non_blank[i + 1];
        if is_hspace(c) {
            let prev = out.last().copied();
            // `合  计`, `委员会 工资`: spaces inside Chinese words are layout
            if prev.is_some_and(is_cjk) && next.is_some_and(is_cjk) || prev == Some(' ') {
                continue;
            }
            out.push(' ');
            continue;
        }
        if matches!(c, 'x' | 'X' | '·' | '∙' | '•' | '⋅') {
            let prev = out.iter().rev().copied().find(|c| *c != ' ');
            let prev_ok =
                prev.is_some_and(|p| p.is_ascii_digit() || is_cjk(p) || p == ')' || p == '%');
            let next_ok = next.is_some_and(|n| n.is_ascii_digit() || n == '(');
            if prev_ok && next_ok {
                out.push('*');
                continue;
            }
        }
        out.push(c);
    }
    out
}
