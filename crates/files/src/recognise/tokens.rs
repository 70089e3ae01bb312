//! Stage 1 of the reader: every cell of the sheet classified against the vocabulary.
//!
//! A cell becomes one token, or several when its text runs labels and values together
//! (PDF extraction and some web pages drop the cell borders: `公共财政拨款222.45基本支出220.45`,
//! `产出指标数量指标研究培育食用菌品种数量`): the vocabulary's words found in it act as the
//! delimiters. Each token is a title, a vocabulary word (label, column header, category,
//! section, page furniture), a value (a number, an amount, a percentage, a date), or text.

use jixiao_domain::model::Origin;
use jixiao_domain::text::{fold_char, normalize_label, parse_decimal};
use jixiao_domain::vocabulary::TitleKind;
use jixiao_domain::{IndicatorValue, Profile};

use super::vocab::Vocab;
use crate::sheet::Sheet;

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Empty,
    /// A form title.
    Title(TitleKind),
    /// A vocabulary word (see [`Vocab::word`]).
    Word(usize),
    /// A number, amount, percentage, comparator or date.
    Value,
    Text,
}

#[derive(Clone, Debug)]
pub struct Token {
    /// Row of the sheet and cell in that row the token was read from.
    pub row: usize,
    pub cell: usize,
    /// Grid column of the cell (merges accounted for), for a value under its label.
    pub col: usize,
    /// 0 for a whole cell; 1, 2 … for the pieces of a cell that ran several together.
    pub part: u16,
    pub text: String,
    pub norm: String,
    pub kind: Kind,
}

impl Token {
    pub fn is_empty(&self) -> bool {
        self.kind == Kind::Empty
    }
}

/// The tokens of a whole sheet, in reading order, with row boundaries.
pub struct Tokens {
    pub list: Vec<Token>,
    /// `starts[r]..starts[r + 1]` are the tokens of sheet row `r`.
    pub starts: Vec<usize>,
    /// One cell per paragraph: no row structure to rely on.
    pub stream: bool,
}

impl Tokens {
    pub fn row(&self, r: usize) -> &[Token] {
        let a = self.starts.get(r).copied().unwrap_or(self.list.len());
        let b = self.starts.get(r + 1).copied().unwrap_or(self.list.len());
        &self.list[a..b]
    }

    /// Index range of row `r`.
    pub fn row_range(&self, r: usize) -> std::ops::Range<usize> {
        let a = self.starts.get(r).copied().unwrap_or(self.list.len());
        let b = self.starts.get(r + 1).copied().unwrap_or(self.list.len());
        a..b
    }

    pub fn rows(&self) -> usize {
        self.starts.len()
    }

    /// Where a token came from, for the source map and findings.
    pub fn origin(&self, sheet: &Sheet, i: usize) -> Option<Origin> {
        let t = self.list.get(i)?;
        let row = sheet.rows.get(t.row)?;
        let cell = row.cells.get(t.cell)?;
        Some(Origin {
            text: t.text.clone(),
            table: row.table,
            row: row.index,
            col: cell.col,
            line: cell.line.or(row.line),
        })
    }
}

/// The key a cell is matched by: its normalised text, cut to the first 400 characters
/// (labels and titles are short; normalising long prose whole would dominate import time).
pub fn match_key(text: &str) -> String {
    match text.char_indices().nth(400) {
        Some((i, _)) => normalize_label(&text[..i]),
        None => normalize_label(text),
    }
}

/// Classify every cell of the sheet.
pub fn tokenize(sheet: &Sheet, vocab: &Vocab, profile: &Profile) -> Tokens {
    let mut list = Vec::with_capacity(sheet.rows.len() * 2);
    let mut starts = Vec::with_capacity(sheet.rows.len());
    for (r, row) in sheet.rows.iter().enumerate() {
        starts.push(list.len());
        for (c, cell) in row.cells.iter().enumerate() {
            let base = Token {
                row: r,
                cell: c,
                col: cell.col,
                part: 0,
                text: String::new(),
                norm: String::new(),
                kind: Kind::Empty,
            };
            cell_tokens(&cell.text, &base, vocab, profile, &mut list);
        }
    }
    let single = sheet.rows.iter().filter(|r| r.cells.len() <= 1).count();
    let stream = !sheet.rows.is_empty() && single * 10 >= sheet.rows.len() * 9;
    Tokens {
        list,
        starts,
        stream,
    }
}

/// One cell's tokens: whole when it is one thing, else cut at the vocabulary's words.
fn cell_tokens(text: &str, base: &Token, vocab: &Vocab, profile: &Profile, out: &mut Vec<Token>) {
    let trimmed = text.trim();
    let norm = match_key(trimmed);
    if norm.is_empty() {
        out.push(Token {
            text: trimmed.to_string(),
            ..base.clone()
        });
        return;
    }
    let looked = vocab.lookup(&norm);
    // A label with its value (`资金总额：35`) is two tokens; unless the value holds more
    // labels (`数量指标：…；时效指标：…`), then the run is cut at all of them below.
    if let Some((id, inline)) = &looked {
        let more = inline.as_ref().is_some_and(|v| {
            let chars: Vec<char> = v.chars().collect();
            !vocab.scan(&chars).is_empty()
        });
        if !more {
            push_word(out, base, trimmed, norm, *id, inline.clone());
            return;
        }
    }
    if let Some(kind) = classify_title(trimmed, profile) {
        out.push(Token {
            text: trimmed.to_string(),
            norm,
            kind: Kind::Title(kind),
            ..base.clone()
        });
        return;
    }
    // A footnote (`注：1.完成目标可能性：…`) quotes labels; it is text, never cut.
    if ["注:", "说明:", "填表说明", "备注:"]
        .iter()
        .any(|p| norm.starts_with(p))
    {
        out.push(Token {
            text: trimmed.to_string(),
            norm,
            kind: Kind::Text,
            ..base.clone()
        });
        return;
    }
    if trimmed.chars().count() > 40 {
        if let Some(pieces) = cut_titles(trimmed, profile) {
            let mut part = 1u16;
            for (piece, is_title) in pieces {
                if is_title {
                    let n = match_key(&piece);
                    let kind = classify_title(&piece, profile).map_or(Kind::Text, Kind::Title);
                    out.push(Token {
                        text: piece,
                        norm: n,
                        kind,
                        part,
                        ..base.clone()
                    });
                } else {
                    let start = out.len();
                    cell_tokens(&piece, base, vocab, profile, out);
                    for t in &mut out[start..] {
                        t.part = part;
                        part = part.saturating_add(1);
                    }
                    continue;
                }
                part = part.saturating_add(1);
            }
            return;
        }
    }
    // Cells separated by spaces on one line (`一级指标 二级指标 三级指标 指标值 备注`,
    // `主管部门 南岳镇政府 实施单位 …`): two or more of the parts are vocabulary words.
    if trimmed.contains(char::is_whitespace) {
        let parts: Vec<&str> = trimmed.split_whitespace().collect();
        let words = parts
            .iter()
            .filter(|p| vocab.lookup(&match_key(p)).is_some())
            .count();
        if parts.len() >= 2 && words >= 2 {
            let mut part = 1u16;
            for p in parts {
                let start = out.len();
                cell_tokens(p, base, vocab, profile, out);
                for t in &mut out[start..] {
                    t.part = part;
                    part = part.saturating_add(1);
                }
            }
            return;
        }
    }
    if let Some(pieces) = split_run(trimmed, vocab, profile) {
        let mut part = 1u16;
        for (piece, word) in pieces {
            let n = match_key(&piece);
            let t = match word {
                Some(id) => Token {
                    text: piece,
                    norm: n,
                    kind: Kind::Word(id),
                    part,
                    ..base.clone()
                },
                None => {
                    // Text between words may still end with a value across a space.
                    let start = out.len();
                    push_plain(out, base, &piece, n, profile);
                    for t in &mut out[start..] {
                        t.part = part;
                        part = part.saturating_add(1);
                    }
                    continue;
                }
            };
            out.push(t);
            part = part.saturating_add(1);
        }
        return;
    }
    push_plain(out, base, trimmed, norm, profile);
}

/// Plain text, with values written after it across a space split off as their own cells
/// (`贫困地区旅游基础设施建设工程 >=20平方米`: a name and its value on one line).
fn push_plain(out: &mut Vec<Token>, base: &Token, text: &str, norm: String, profile: &Profile) {
    if let Some(items) = numbered_items(text) {
        let mut part = base.part.max(1);
        for item in items {
            let start = out.len();
            let n = match_key(&item);
            push_plain(out, base, &item, n, profile);
            for t in &mut out[start..] {
                t.part = part;
                part = part.saturating_add(1);
            }
        }
        return;
    }
    if let Some(parts) = rate_run(&norm) {
        let mut part = base.part.max(1);
        for p in parts {
            out.push(Token {
                norm: p.clone(),
                text: p,
                kind: Kind::Value,
                part,
                ..base.clone()
            });
            part = part.saturating_add(1);
        }
        return;
    }
    if let Some(pairs) = name_number_pairs(text) {
        let mut part = base.part.max(1);
        for (name, number) in pairs {
            for (t, kind) in [(name, Kind::Text), (number, Kind::Value)] {
                out.push(Token {
                    norm: match_key(&t),
                    text: t,
                    kind,
                    part,
                    ..base.clone()
                });
                part = part.saturating_add(1);
            }
        }
        return;
    }
    if let Some((name, values)) = value_run(text) {
        let mut part = base.part.max(1);
        let n = match_key(&name);
        let kind = classify_plain(&name, &n, profile);
        out.push(Token {
            text: name,
            norm: n,
            kind,
            part,
            ..base.clone()
        });
        for v in values {
            part = part.saturating_add(1);
            out.push(Token {
                norm: match_key(&v),
                text: v,
                kind: Kind::Value,
                part,
                ..base.clone()
            });
        }
        return;
    }
    let mut rest = text;
    let mut tail: Vec<&str> = Vec::new();
    while let Some(i) = rest.rfind(char::is_whitespace) {
        let last = rest[i..].trim();
        if last.is_empty() || !looks_like_value(&match_key(last)) {
            break;
        }
        tail.push(last);
        rest = rest[..i].trim_end();
    }
    if tail.is_empty() || rest.is_empty() {
        let kind = classify_plain(text, &norm, profile);
        out.push(Token {
            text: text.to_string(),
            norm,
            kind,
            ..base.clone()
        });
        return;
    }
    let n = match_key(rest);
    let kind = classify_plain(rest, &n, profile);
    out.push(Token {
        text: rest.to_string(),
        norm: n,
        kind,
        part: base.part.max(1),
        ..base.clone()
    });
    for (k, v) in tail.iter().rev().enumerate() {
        out.push(Token {
            text: v.to_string(),
            norm: match_key(v),
            kind: Kind::Value,
            part: base.part.max(1) + 1 + k as u16,
            ..base.clone()
        });
    }
}

/// `龙涓镇5长卿镇1.5龙门镇2…`: short names each followed by a number, run together (an
/// allocation table without cell borders). Three pairs at least.
fn name_number_pairs(text: &str) -> Option<Vec<(String, String)>> {
    // Percentages and 指标N items are indicator rows, not a list of places and amounts.
    if text.contains('%') || text.starts_with("指标") || !text.bytes().any(|b| b.is_ascii_digit())
    {
        return None;
    }
    let chars: Vec<char> = text.chars().collect();
    let mut pairs = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let a = i;
        while i < chars.len() && !chars[i].is_ascii_digit() {
            i += 1;
        }
        let name: String = chars[a..i].iter().collect();
        let b = i;
        while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
            i += 1;
        }
        let number: String = chars[b..i].iter().collect();
        let n = name.chars().count();
        let cjk = name.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        // `…局2025年3月17日`: a date, not names and numbers.
        let date = ["年", "月", "日"].iter().any(|d| name.starts_with(d));
        if !(2..=8).contains(&n)
            || !cjk
            || date
            || number.is_empty()
            || parse_decimal(&number).is_none()
        {
            return None;
        }
        pairs.push((name, number));
    }
    (pairs.len() >= 3).then_some(pairs)
}

/// `监测数据必须合格100%100%10`: a name and then several values run together (target,
/// actual, score of an indicator row whose cell borders were lost). Each value is a number
/// with its comparator and unit; a new value starts where a digit follows a non-digit.
/// Two values at least, so a name ending in one number (`资助标准100%达标`) stays whole.
fn value_run(text: &str) -> Option<(String, Vec<String>)> {
    if !has_digit(text) {
        return None;
    }
    let chars: Vec<char> = text.chars().map(fold_char).collect();
    // Arithmetic (`5个*5000元/个=2.5万元`) is a calculation, not values side by side.
    if chars.iter().any(|c| "*×=+＋÷".contains(*c)) {
        return None;
    }
    // A number after at least two characters of name (not a `2、` numbering) where the
    // rest reads as values; a number inside the name (`指标1免费发放…`) is passed over.
    let starts = (1..chars.len()).filter(|&p| {
        chars[p].is_ascii_digit() && !chars[p - 1].is_ascii_digit() && chars[p - 1] != '.' && {
            let head = &chars[..p];
            let skip = head
                .iter()
                .position(|&c| !(c.is_ascii_digit() || "、.．,，".contains(c)))
                .unwrap_or(p);
            head[skip..]
                .iter()
                .filter(|c| !c.is_ascii_punctuation())
                .nth(1)
                .is_some()
        }
    });
    for first in starts {
        // Back over a comparator before the first number.
        let mut start = first;
        while start > 0 && COMPARATORS.contains(chars[start - 1]) {
            start -= 1;
        }
        let name: String = text.chars().take(start).collect();
        let name = name.trim();
        if name.chars().count() < 2 || name.ends_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        if let Some(values) = values_in(&chars[start..]) {
            if values.len() >= 2 {
                return Some((name.to_string(), values));
            }
        }
    }
    None
}

const COMPARATORS: &str = "≥≤=><≧≦﹦═";

/// A digit, half or full width: every number and value holds one.
fn has_digit(text: &str) -> bool {
    text.chars().any(is_digit)
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

/// Cut a run of values where a number starts after a unit: `100%100%10` → 100% | 100% | 10.
/// None as soon as a piece is not a value: its unit (what is not digits or a comparator)
/// longer than 4 characters, holding a sentence mark, or starting with 年/月/日 (a date).
fn values_in(chars: &[char]) -> Option<Vec<String>> {
    let mut values: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut has_digit = false;
    let mut unit_len = 0usize;
    let mut prev_digit = false;
    for &c in chars {
        let digit = c.is_ascii_digit() || c == '.';
        let cmp = COMPARATORS.contains(c);
        if (digit || cmp) && !prev_digit && has_digit && !cur.ends_with(|x| COMPARATORS.contains(x))
        {
            values.push(std::mem::take(&mut cur));
            has_digit = false;
            unit_len = 0;
        }
        if !digit && !cmp {
            if "，,。；;、-".contains(c) || (unit_len == 0 && "年月日".contains(c)) {
                return None;
            }
            unit_len += 1;
            if unit_len > 4 {
                return None;
            }
        }
        has_digit |= c.is_ascii_digit();
        cur.push(c);
        prev_digit = digit;
    }
    if !cur.is_empty() {
        values.push(cur);
    }
    Some(values)
}

/// `指标1…8550万粒550万粒8指标2…`: the 指标1/指标2 prefixes of a template, run together,
/// start each indicator.
fn numbered_items(text: &str) -> Option<Vec<String>> {
    // Two 指标 at least, or no list (a cheap test before the characters are copied).
    text.match_indices("指标").nth(1)?;
    let chars: Vec<char> = text.chars().collect();
    let marks: Vec<usize> = (0..chars.len().saturating_sub(2))
        .filter(|&i| chars[i] == '指' && chars[i + 1] == '标' && chars[i + 2].is_ascii_digit())
        .collect();
    if marks.len() < 2 {
        return None;
    }
    let mut out = Vec::new();
    if marks[0] > 0 {
        out.push(chars[..marks[0]].iter().collect::<String>());
    }
    for (k, &m) in marks.iter().enumerate() {
        let end = marks.get(k + 1).copied().unwrap_or(chars.len());
        out.push(chars[m..end].iter().collect());
    }
    out.retain(|p: &String| !p.trim().is_empty());
    Some(out)
}

/// A budget row's numbers run together by the extraction (`1010100%20` for 10 | 10 |
/// 100% | 20): cut where the rate agrees with the amounts (executed ÷ budget × 100, to
/// within rounding), the score after the `%`. Only when exactly one cut agrees.
pub(crate) fn rate_run(n: &str) -> Option<Vec<String>> {
    use rust_decimal::Decimal;
    let (head, tail) = n.split_once('%')?;
    if head.len() < 4 || !head.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    if !tail.is_empty() && parse_decimal(tail).is_none() {
        return None;
    }
    let chars: Vec<char> = head.chars().collect();
    let number = |a: usize, b: usize| -> Option<Decimal> {
        let s: String = chars[a..b].iter().collect();
        if s.len() > 1 && s.starts_with('0') && !s.starts_with("0.") {
            return None;
        }
        parse_decimal(&s)
    };
    let mut found: Option<Vec<String>> = None;
    for x in 1..chars.len() - 1 {
        for y in x + 1..chars.len() {
            let (Some(a), Some(b), Some(r)) = (number(0, x), number(x, y), number(y, chars.len()))
            else {
                continue;
            };
            if a.is_zero() || b.is_zero() || r.is_zero() || r > Decimal::from(200) {
                continue;
            }
            if (b / a * Decimal::from(100) - r).abs() > Decimal::new(6, 1) {
                continue;
            }
            if found.is_some() {
                return None;
            }
            let piece = |p: usize, q: usize| chars[p..q].iter().collect::<String>();
            let mut v = vec![
                piece(0, x),
                piece(x, y),
                format!("{}%", piece(y, chars.len())),
            ];
            if !tail.is_empty() {
                v.push(tail.to_string());
            }
            found = Some(v);
        }
    }
    found
}

/// Title nouns that end a form title inside run-together text.
const TITLE_ENDS: &[&str] = &[
    "目标表",
    "申报表",
    "自评表",
    "监控表",
    "评价表",
    "汇总表",
    "分配表",
    "安排表",
    "批复表",
    "自评报告",
    "评价报告",
    "监控报告",
    "总结报告",
    "数据表",
    "得分表",
    "明细表",
];

/// Titles inside a long run of text (a whole page extracted as one line): the text cut
/// into (piece, is_title). A title starts after the previous sentence mark, space, date or
/// 附件 number, at most 60 characters before its noun, and may end with `(2025年度)`.
fn cut_titles(text: &str, profile: &Profile) -> Option<Vec<(String, bool)>> {
    let simple_text = jixiao_domain::text::to_simplified(text);
    // Most long cells are prose without any form noun: nothing to cut, found by a
    // substring search instead of a walk over every character.
    if !TITLE_ENDS.iter().any(|w| simple_text.contains(w)) {
        return None;
    }
    let chars: Vec<char> = text.chars().collect();
    let simple: Vec<char> = simple_text.chars().collect();
    if simple.len() != chars.len() {
        return None;
    }
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    let mut last_end = 0;
    let mut i = 0;
    while i < simple.len() {
        let Some(noun) = TITLE_ENDS.iter().find(|w| {
            let mut rest = simple[i..].iter();
            w.chars().all(|c| rest.next() == Some(&c))
        }) else {
            i += 1;
            continue;
        };
        let mut end = i + noun.chars().count();
        // `(2025年度)` after the noun.
        if let Some(close) = year_paren_end(&simple, end) {
            end = close;
        }
        let start = title_start(&simple, last_end, i);
        let candidate: String = chars[start..end].iter().collect();
        // A line of a table of contents (`…自评表………22`) names a form, it does not start one.
        let toc = simple[end..]
            .iter()
            .take(3)
            .all(|c| matches!(c, '.' | '…' | '·'));
        if end - start >= 6 && !toc && classify_title(&candidate, profile).is_some() {
            cuts.push((start, end));
            last_end = end;
        }
        i = end.max(i + 1);
    }
    if cuts.is_empty() || (cuts.len() == 1 && cuts[0] == (0, chars.len())) {
        return None;
    }
    let mut out = Vec::new();
    let mut pos = 0;
    for (s, e) in cuts {
        let before: String = chars[pos..s].iter().collect();
        if !before.trim().is_empty() {
            out.push((before.trim().to_string(), false));
        }
        out.push((
            chars[s..e].iter().collect::<String>().trim().to_string(),
            true,
        ));
        pos = e;
    }
    let after: String = chars[pos..].iter().collect();
    if !after.trim().is_empty() {
        out.push((after.trim().to_string(), false));
    }
    Some(out)
}

fn year_paren_end(s: &[char], at: usize) -> Option<usize> {
    let mut j = at;
    while j < s.len() && s[j].is_whitespace() {
        j += 1;
    }
    if !matches!(s.get(j), Some('(' | '（')) {
        return None;
    }
    let close = (j + 1..(j + 12).min(s.len())).find(|&k| matches!(s[k], ')' | '）'))?;
    let inner: String = s[j + 1..close].iter().collect();
    (inner.chars().any(|c| c.is_ascii_digit()) && inner.contains('年')).then_some(close + 1)
}

/// Where a title ending at `noun` starts: after the last sentence mark, run of spaces,
/// date (`…17日`) or attachment number (`附件1`, `附表2`) before it.
fn title_start(s: &[char], floor: usize, noun: usize) -> usize {
    let low = floor.max(noun.saturating_sub(60));
    let mut start = low;
    for k in (low..noun).rev() {
        let c = s[k];
        if "。；;：:，,、！？!?|".contains(c) || c.is_whitespace() {
            start = k + 1;
            break;
        }
        if c == '日' && k > 0 && s[k - 1].is_ascii_digit() {
            start = k + 1;
            break;
        }
        if k + 2 <= noun && (s[k..].starts_with(&['附', '件']) || s[k..].starts_with(&['附', '表']))
        {
            // Skip the attachment number that follows.
            let mut j = k + 2;
            while j < noun && (s[j].is_ascii_digit() || s[j] == ':' || s[j] == '：') {
                j += 1;
            }
            // `附件12025年…`: the number is one digit, the year follows.
            if j - (k + 2) >= 5 {
                j = k + 3;
            }
            start = j;
            break;
        }
    }
    // A numbering such as `2.` in an attachment list stays with the title (stripped later).
    start
}

fn push_word(
    out: &mut Vec<Token>,
    base: &Token,
    text: &str,
    norm: String,
    id: usize,
    inline: Option<String>,
) {
    match inline {
        None => out.push(Token {
            text: text.to_string(),
            norm,
            kind: Kind::Word(id),
            ..base.clone()
        }),
        Some(_) => {
            // `资金总额：35`: the label and the value after the colon as two tokens.
            let (label, value) = split_colon(text);
            out.push(Token {
                text: label.to_string(),
                norm: match_key(label),
                kind: Kind::Word(id),
                part: 1,
                ..base.clone()
            });
            let vn = match_key(value);
            let kind = if looks_like_value(&vn) {
                Kind::Value
            } else {
                Kind::Text
            };
            out.push(Token {
                text: value.to_string(),
                norm: vn,
                kind,
                part: 2,
                ..base.clone()
            });
        }
    }
}

/// `资金总额：35` → (`资金总额`, `35`); the colon may be full- or half-width.
pub fn split_colon(text: &str) -> (&str, &str) {
    match text.find(['：', ':']) {
        Some(i) => {
            let len = text[i..].chars().next().map_or(1, char::len_utf8);
            (text[..i].trim(), text[i + len..].trim())
        }
        None => (text, ""),
    }
}

/// A value, a title or plain text.
fn classify_plain(text: &str, norm: &str, profile: &Profile) -> Kind {
    if norm.is_empty() {
        return Kind::Empty;
    }
    if let Some(kind) = classify_title(text, profile) {
        return Kind::Title(kind);
    }
    if looks_like_value(norm) {
        Kind::Value
    } else {
        Kind::Text
    }
}

/// A number with or without a unit or comparator (`37`, `95%`, `≥90%`, `12万元`,
/// `1,740,000.00`, `2个`), a bare comparator (`≥`), or a date/period (`2023.07-2024.01`).
pub fn looks_like_value(norm: &str) -> bool {
    if norm.is_empty() || norm.chars().count() > 24 {
        return false;
    }
    if matches!(
        norm,
        "≥" | "≤" | "=" | ">" | "<" | ">=" | "<=" | "≧" | "≦" | "﹦" | "═" | "＝"
    ) {
        return true;
    }
    // Every value below holds a digit; most text does not, and parsing is the dear part.
    if !has_digit(norm) {
        return false;
    }
    let v = IndicatorValue::parse(norm);
    // `2、监测资料` is a numbered item, not the number 2 in a unit.
    if v.is_quantitative()
        && !v
            .unit
            .as_deref()
            .is_some_and(|u| u.contains(['、', '，', ',', '。', '；', ';', ':']))
    {
        return true;
    }
    let digits = norm.chars().filter(char::is_ascii_digit).count();
    // Dates and periods: 2023.07-2024.01, 202001-202012, 2019.01.01--2019.12.31
    digits >= 4
        && norm
            .chars()
            .all(|c| c.is_ascii_digit() || "./-—~年月日至".contains(c))
        || parse_decimal(norm).is_some()
}

/// Cut run-together text at the vocabulary's words, when the text is a run of labels and
/// values rather than prose: it starts with a word, or a word in it is followed directly by
/// a value or another word. Returns the pieces with their word ids.
fn split_run(text: &str, vocab: &Vocab, profile: &Profile) -> Option<Vec<(String, Option<usize>)>> {
    // Positions are kept in the original text: normalisation here only folds width and
    // script character by character (no removals), so indices agree.
    let folded: Vec<char> = text.chars().collect();
    let norm: Vec<char> = folded
        .iter()
        .map(|&c| jixiao_domain::text::canonical_char(c))
        .collect();
    if norm.len() != folded.len() || norm.len() < 4 {
        return None;
    }
    let found = vocab.scan(&norm);
    if found.is_empty() {
        return None;
    }
    let piece = |a: usize, b: usize| -> String { folded[a..b].iter().collect::<String>() };
    // A word counts as a delimiter only where the text around it shows cells run together:
    // at the start, before a colon or a value, next to another word, or after a value or a
    // sentence mark. `无直接经济效益` keeps its 经济效益.
    let starts_value = |at: usize| {
        // A unit in parentheses may come first: `资金总额(万元)50`.
        let mut at = at;
        if norm.get(at) == Some(&'(') {
            if let Some(close) = (at + 1..(at + 8).min(norm.len())).find(|&c| norm[c] == ')') {
                at = close + 1;
            }
        }
        let rest: String = norm[at..].iter().take(3).collect();
        let rest = rest.trim_start();
        rest.starts_with([':', '：'])
            || rest
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit() || "≥≤=><≧≦﹦═".contains(c))
    };
    let ends_value = |at: usize| {
        at > 0 && {
            let c = norm[at - 1];
            c.is_ascii_digit() || "%。；;，,!?！？)）".contains(c) || c.is_whitespace()
        }
    };
    // In text run together, words come every few characters (label, short value, label);
    // a word after a long stretch of text since the last word is prose quoting it.
    let mut kept: Vec<(usize, usize, usize)> = Vec::new();
    for (k, &(s, e, id)) in found.iter().enumerate() {
        // Only numbering (`(1)`, `3.`) before the word: it starts the run.
        let lead = || {
            let p = piece(0, s);
            let p = p.trim();
            p.is_empty() || super::vocab::strip_numbering(&format!("{p}x")) == "x"
        };
        let touches_next = found.get(k + 1).is_some_and(|f| f.0 == e);
        let touches_prev = k > 0 && found[k - 1].1 == s;
        let since = kept.last().map_or(0, |f| f.1);
        let between = &folded[since..s];
        let trimmed_len = {
            let a = between.iter().position(|c| !c.is_whitespace());
            let b = between.iter().rposition(|c| !c.is_whitespace());
            a.zip(b).map_or(0, |(a, b)| b + 1 - a)
        };
        let short_after_word = !kept.is_empty() && trimmed_len <= 20;
        // A value holds a digit or is a comparator; only then is the text normalised.
        let after_value = || {
            trimmed_len > 0
                && between
                    .iter()
                    .any(|&c| is_digit(c) || "≥≤=><≧≦﹦═＝＞＜".contains(c))
                && looks_like_value(&match_key(piece(since, s).trim()))
        };
        if touches_next
            || touches_prev
            || ends_value(s)
            || starts_value(e)
            || short_after_word
            || lead()
            || after_value()
        {
            kept.push((s, e, id));
        }
    }
    if kept.is_empty() {
        return None;
    }
    let found = kept;
    // Only a numbering (`(1)`, `3.`) before the first word counts as the start.
    let lead_text = piece(0, found[0].0);
    let lead_text = lead_text.trim();
    let at_start =
        lead_text.is_empty() || super::vocab::strip_numbering(&format!("{lead_text}x")) == "x";
    if !at_start && found.len() < 2 && !starts_value(found[0].1) {
        return None;
    }
    // A title inside the run stays whole.
    if classify_title(text, profile).is_some() && found[0].0 > 0 {
        return None;
    }
    let mut out = Vec::new();
    let mut pos = 0;
    for (k, &(s, e, id)) in found.iter().enumerate() {
        if s < pos {
            continue;
        }
        push_piece(&mut out, piece(pos, s));
        // A short parenthesis right after a label belongs to it: `项目总预算(万元)`.
        let next = found.get(k + 1).map_or(norm.len(), |f| f.0);
        let mut end = e;
        let mut j = e;
        while j < next && norm[j].is_whitespace() {
            j += 1;
        }
        if j < next && norm[j] == '(' {
            if let Some(close) = (j + 1..next.min(j + 15)).find(|&c| norm[c] == ')') {
                end = close + 1;
            }
        }
        out.push((piece(s, end), Some(id)));
        pos = end;
    }
    push_piece(&mut out, piece(pos, norm.len()));
    Some(out)
}

fn push_piece(out: &mut Vec<(String, Option<usize>)>, p: String) {
    let t = p
        .trim()
        .trim_start_matches([':', '：'])
        .trim_end_matches([':', '：'])
        .trim();
    if !t.is_empty() {
        out.push((t.to_string(), None));
    }
}

/// Is this text a form title? Returns what it names. Titles are matched by the profile's
/// title words, checked in the order of [`TitleKind`]; a title also names a 表, 目标 or 报告,
/// is short, and is not a sentence (`关于…的通知`), a label (`年度绩效目标：`) or a line of a
/// table of contents.
pub fn classify_title(text: &str, profile: &Profile) -> Option<TitleKind> {
    if text.len() > 300 || !text.contains(['表', '標', '标', '报', '報']) {
        return None;
    }
    let n = normalize_label(text);
    let len = n.chars().count();
    if !(4..=70).contains(&len) || n.contains("....") || n.contains("……") {
        return None;
    }
    // `附件：…目标设定表.xlsx` names an attached file, not the form that follows.
    let file = [".pdf", ".docx", ".doc", ".xlsx", ".xls", ".wps", ".et"]
        .iter()
        .any(|e| n.ends_with(e));
    if file && (n.starts_with("附件") || n.starts_with("附表")) {
        return None;
    }
    let t = n
        .trim_end_matches(".pdf")
        .trim_end_matches(".docx")
        .trim_end_matches(".doc")
        .trim_end_matches(".xlsx")
        .trim_end_matches(".xls");
    if t.contains(':') && !t.starts_with("附表") && !t.starts_with("附件") {
        return None;
    }
    if t.starts_with("关于") || t.ends_with("通知") {
        return None;
    }
    // A title ends with its noun (…表, …报告, …目标) or the year after it (…表(2024年度)).
    let core = strip_year_suffix(t);
    let noun = core.ends_with('表')
        || core.ends_with("报告")
        || core.ends_with("目标")
        || core.ends_with("明细表");
    if !noun {
        return None;
    }
    let label_like = [
        "年度绩效目标",
        "实施期绩效目标",
        "总体绩效目标",
        "本年度绩效目标",
        "长期绩效目标",
        "年度总体目标",
    ]
    .iter()
    .any(|l| core.ends_with(l));
    if label_like || (core.ends_with("目标") && !core.contains("整体") && !core.contains("项目"))
    {
        return None;
    }
    let titles = &profile.vocabulary.titles;
    for (kind, words) in titles {
        if words.iter().any(|w| core.contains(w.as_str())) {
            return Some(*kind);
        }
    }
    None
}

/// `…表(2024年度)`, `…监控表(申遗)` → `…表`: a short parenthesis after the noun.
fn strip_year_suffix(t: &str) -> &str {
    if let Some(body) = t.strip_suffix(')') {
        if let Some(i) = body.rfind('(') {
            if body[i + 1..].chars().count() <= 10 {
                return &t[..i];
            }
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::{Cell, Row};

    fn sheet(lines: &[&str]) -> Sheet {
        let mut s = Sheet::default();
        for (i, l) in lines.iter().enumerate() {
            s.rows.push(Row {
                table: Some(0),
                index: i,
                line: Some(i + 1),
                cells: l
                    .split('|')
                    .enumerate()
                    .map(|(c, t)| Cell::new(t, c))
                    .collect(),
            });
        }
        s
    }

    fn kinds(lines: &[&str]) -> Vec<(String, &'static str)> {
        let p = Profile::national();
        let v = Vocab::new(&p);
        let t = tokenize(&sheet(lines), &v, &p);
        t.list
            .iter()
            .map(|t| {
                let k = match t.kind {
                    Kind::Empty => "empty",
                    Kind::Title(_) => "title",
                    Kind::Word(id) if v.word(id).level.is_some() => "category",
                    Kind::Word(id) if v.word(id).field.is_some() => "label",
                    Kind::Word(_) => "word",
                    Kind::Value => "value",
                    Kind::Text => "text",
                };
                (t.text.clone(), k)
            })
            .collect()
    }

    #[test]
    fn cells_classified() {
        let got = kinds(&["项目名称|雾炮车降尘抑尘服务|年度资金总额：|250万|≥90%"]);
        assert_eq!(
            got,
            [
                ("项目名称".into(), "label"),
                ("雾炮车降尘抑尘服务".into(), "text"),
                ("年度资金总额：".into(), "label"),
                ("250万".into(), "value"),
                ("≥90%".into(), "value")
            ]
        );
    }

    #[test]
    fn run_together_cells_are_cut_at_words() {
        let got = kinds(&["公共财政拨款222.45基本支出220.45"]);
        assert_eq!(
            got,
            [
                ("公共财政拨款".into(), "label"),
                ("222.45".into(), "value"),
                ("基本支出".into(), "label"),
                ("220.45".into(), "value")
            ]
        );
        let got = kinds(&["产出指标数量指标研究培育食用菌品种数量"]);
        assert_eq!(
            got,
            [
                ("产出指标".into(), "category"),
                ("数量指标".into(), "category"),
                ("研究培育食用菌品种数量".into(), "text")
            ]
        );
        // Prose that mentions a label is left whole.
        let got = kinds(&["按工作计划完成教育局重点项目建设经费预算安排，项目名称见附件"]);
        assert_eq!(got.len(), 1);
    }

    #[test]
    fn titles() {
        let p = Profile::national();
        let t = |s: &str| classify_title(s, &p);
        assert_eq!(
            t("2023年部门整体支出绩效目标表"),
            Some(TitleKind::Department)
        );
        assert_eq!(
            t("2023年区级专项资金绩效目标汇总表"),
            Some(TitleKind::Summary)
        );
        assert_eq!(
            t("2023年区级专项资金支出方向绩效目标表"),
            Some(TitleKind::Direction)
        );
        assert_eq!(t("2023年项目支出绩效目标申报表"), Some(TitleKind::Project));
        assert_eq!(
            t("2020年度項目支出績效自評表"),
            Some(TitleKind::SelfEvaluation)
        );
        assert_eq!(
            t("广水市人民政府办公室整体支出绩效目标.pdf"),
            Some(TitleKind::Department)
        );
        assert_eq!(
            t("2023年项目支出绩效运行监控表"),
            Some(TitleKind::Monitoring)
        );
        assert_eq!(
            t("中央财政强制免疫补助资金绩效目标表(2025年度)"),
            Some(TitleKind::Transfer)
        );
        assert_eq!(
            t("湖北省残疾人事业宣传文化经费项目2017年度绩效自评报告"),
            Some(TitleKind::SelfEvaluation)
        );
        assert_eq!(
            t("2025年安溪县中央财政动物强制免疫补助资金分配表"),
            Some(TitleKind::Allocation)
        );
        assert_eq!(t("年度绩效目标"), None);
        assert_eq!(t("实施期绩效目标"), None);
        assert_eq!(t("关于下达2020年第二批省级财政水利发展资金的通知"), None);
        assert_eq!(
            t("附件:残疾人事业宣传文化经费项目绩效目标自评表........22"),
            None
        );
    }
}
