//! Tokens: one pass over the normalised characters. Each token knows its place (bracket
//! depth, sentence, period, line), which the reader uses to decide what belongs together.

use rust_decimal::Decimal;

use super::number::{read_chinese_amount, read_number, Number};
use super::units::WrittenUnit;
use crate::text::{is_chinese_numeral_char, read_chinese_numeral};

/// Separators, weakest first: a `Semi` or stronger ends a sentence, a `Period` or stronger
/// ends a period (the scope of a `其中` list), a `Line` ends everything including brackets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Separator {
    Space,
    Colon,
    /// `，` `、` and other punctuation inside a sentence.
    Weak,
    Semi,
    Period,
    Line,
}

#[derive(Clone, Debug)]
pub(super) enum TokenKind {
    Number(Number),
    /// `+ - * /`.
    Operator(char),
    Equals,
    Open,
    Close,
    Separator(Separator),
    /// A run of other characters (Chinese words, letters).
    Word(String),
    /// The number of a section: `一、`, `(一)`, `1、`, `1.`, `(1)` opening a phrase.
    Section(SectionStyle),
}

/// How sections are numbered. Each style is one level of an outline; which level is the
/// outer one is whichever the text uses first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum SectionStyle {
    /// `一、`
    ChineseComma,
    /// `(一)`, `（一）`
    ChineseParen,
    /// `1、`
    ArabicComma,
    /// `1.`
    ArabicDot,
    /// `(1)`, `（1）`
    ArabicParen,
}

impl SectionStyle {
    /// Written inside brackets: the text after it is one bracket shallower than the mark.
    pub(super) fn bracketed(self) -> bool {
        matches!(self, SectionStyle::ChineseParen | SectionStyle::ArabicParen)
    }
}

/// Where a token sits in the text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Place {
    /// Bracket depth (reset at a line break).
    pub(super) depth: usize,
    /// Count of `；` `。` and line breaks before the token.
    pub(super) sentence: usize,
    /// Count of `。` and line breaks before the token.
    pub(super) period: usize,
    /// Count of line breaks before the token.
    pub(super) line: usize,
}

#[derive(Clone, Debug)]
pub(super) struct Token {
    pub(super) kind: TokenKind,
    /// Char offsets into the normalised text.
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) place: Place,
}

pub(super) fn separator_of(c: char) -> Option<Separator> {
    Some(match c {
        ' ' | '\t' => Separator::Space,
        ':' => Separator::Colon,
        ';' => Separator::Semi,
        '。' | '!' | '?' => Separator::Period,
        '\n' | '\r' => Separator::Line,
        '，' | ',' | '、' | '.' | '"' | '\'' | '“' | '”' | '‘' | '’' | '|' | '《' | '》' | '<'
        | '>' | '≥' | '≤' | '【' | '】' | '[' | ']' | '{' | '}' | '~' | '～' | '—' | '…' | '%'
        | '#' | '&' | '\\' | '「' | '」' | '『' | '』' | '〔' | '〕' | '/' => Separator::Weak,
        _ => return None,
    })
}

fn is_word_char(c: char) -> bool {
    !c.is_ascii_digit()
        && separator_of(c).is_none()
        && !matches!(c, '+' | '-' | '*' | '=' | '(' | ')')
}

pub(super) fn tokenize(chars: &[char]) -> Vec<Token> {
    let n = chars.len();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < n {
        let c = chars[i];
        let start = i;
        let kind = if c.is_ascii_digit() {
            let (number, end) = read_number(chars, i);
            i = end;
            if number.list_marker {
                TokenKind::Section(match chars.get(end) {
                    Some('、') => SectionStyle::ArabicComma,
                    Some('.') => SectionStyle::ArabicDot,
                    _ => SectionStyle::ArabicParen,
                })
            } else {
                TokenKind::Number(number)
            }
        } else if let Some((style, end)) = chinese_section_at(chars, i) {
            i = end;
            TokenKind::Section(style)
        } else if let Some((number, end)) = chinese_amount_at(chars, i) {
            i = end;
            TokenKind::Number(number)
        } else {
            i += 1;
            match c {
                '+' | '-' | '*' => TokenKind::Operator(c),
                // a slash before a number divides; before a word it means "per" (`元/个`)
                '/' if chars[i..]
                    .iter()
                    .find(|c| **c != ' ')
                    .is_some_and(|c| c.is_ascii_digit() || *c == '(') =>
                {
                    TokenKind::Operator('/')
                }
                '=' => TokenKind::Equals,
                '(' => TokenKind::Open,
                ')' => TokenKind::Close,
                _ => match separator_of(c) {
                    Some(s) => TokenKind::Separator(s),
                    None => {
                        while i < n
                            && is_word_char(chars[i])
                            && chinese_amount_at(chars, i).is_none()
                        {
                            i += 1;
                        }
                        TokenKind::Word(chars[start..i].iter().collect())
                    }
                },
            }
        };
        tokens.push(Token {
            kind,
            start,
            end: i,
            place: Place::default(),
        });
    }
    mark_dates(&mut tokens);
    mark_places(&mut tokens);
    tokens
}

/// `一、` or `(一)` opening a phrase: the section style and where the numeral ends.
fn chinese_section_at(chars: &[char], i: usize) -> Option<(SectionStyle, usize)> {
    if !is_chinese_numeral_char(chars[i]) {
        return None;
    }
    let prev = i.checked_sub(1).map(|p| chars[p]);
    let (value, len) = read_chinese_numeral(&chars[i..])?;
    let end = i + len;
    let ordinal = !value.is_zero()
        && value < Decimal::ONE_HUNDRED
        && chars[i..end]
            .iter()
            .all(|c| !matches!(c, '万' | '亿' | '百' | '千'));
    if !ordinal {
        return None;
    }
    match (prev, chars.get(end)) {
        (Some('('), Some(')')) => Some((SectionStyle::ChineseParen, end)),
        (p, Some('、')) if p.is_none_or(|p| separator_of(p).is_some()) => {
            Some((SectionStyle::ChineseComma, end))
        }
        _ => None,
    }
}

/// A Chinese-numeral amount starting at `i` (`十二万元`).
fn chinese_amount_at(chars: &[char], i: usize) -> Option<(Number, usize)> {
    if !is_chinese_numeral_char(chars[i]) {
        return None;
    }
    read_chinese_amount(chars, i)
}

/// The quantity unit of a number token.
pub(super) fn count_unit(t: &Token) -> Option<&str> {
    match &t.kind {
        TokenKind::Number(Number {
            unit: WrittenUnit::Count(u),
            ..
        }) => Some(u.as_str()),
        _ => None,
    }
}

/// Years (`2023年`) and dates (`12月31日`) are not quantities.
fn mark_dates(tokens: &mut [Token]) {
    for i in 0..tokens.len() {
        let unit = count_unit(&tokens[i]).map(str::to_string);
        let Some(unit) = unit else { continue };
        let TokenKind::Number(number) = &tokens[i].kind else {
            continue;
        };
        let (value, decimals) = (number.value, number.decimals);
        let year = (unit == "年" || unit == "年度")
            && decimals == 0
            && value >= Decimal::from(1900)
            && value <= Decimal::from(2200);
        let month_day = unit == "月"
            && decimals == 0
            && value <= Decimal::from(12)
            && tokens
                .get(i + 1)
                .and_then(count_unit)
                .is_some_and(|u| u == "日" || u == "号");
        let after_year = unit == "月"
            && i > 0
            && matches!(&tokens[i - 1].kind, TokenKind::Number(p)
                if p.noise && p.unit == WrittenUnit::Count("年".into()));
        if year || month_day || after_year {
            if let TokenKind::Number(number) = &mut tokens[i].kind {
                number.noise = true;
            }
        }
        if month_day {
            if let Some(TokenKind::Number(day)) = tokens.get_mut(i + 1).map(|t| &mut t.kind) {
                day.noise = true;
            }
        }
    }
}

/// Give every token its [`Place`].
fn mark_places(tokens: &mut [Token]) {
    let mut place = Place::default();
    for t in tokens.iter_mut() {
        match t.kind {
            TokenKind::Open => place.depth += 1,
            TokenKind::Close => place.depth = place.depth.saturating_sub(1),
            _ => {}
        }
        t.place = place;
        if let TokenKind::Separator(s) = t.kind {
            if s >= Separator::Semi {
                place.sentence += 1;
            }
            if s >= Separator::Period {
                place.period += 1;
            }
            if s == Separator::Line {
                place.line += 1;
                place.depth = 0;
            }
        }
    }
}

/// The words just before token `t` in its phrase (over blanks and colons): what the number
/// is called (`会议费用`, `合计`, `平均每次每人`).
pub(super) fn words_before(tokens: &[Token], t: usize) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let mut len = 0;
    let mut j = t;
    while j > 0 {
        j -= 1;
        match &tokens[j].kind {
            TokenKind::Separator(Separator::Space | Separator::Colon) => continue,
            TokenKind::Word(w) => {
                parts.push(w);
                len += w.chars().count();
                if len >= 24 {
                    break;
                }
            }
            _ => break,
        }
    }
    parts.reverse();
    parts.concat()
}
