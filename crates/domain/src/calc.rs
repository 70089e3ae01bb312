//! Calculation-basis engine (支出测算依据): reads the prose and checks the arithmetic
//! written in it, exactly (decimal arithmetic, never floating point).
//!
//! The text is normalised (full-width forms, traditional script, `[bookmark: …]` noise, the
//! glyphs used for × ÷ =), scanned once into tokens (numbers with their units, operators,
//! words, separators) and then read statement by statement:
//! * written equations (`8*50*100=40000元`, `5个*5000元/个=2.5万元`, `1075.8-466.42=609.38万元`),
//!   and whether the quantities stated in words just before an equation are the ones it uses;
//! * totals (`合计`, `共计`, `小计`, `总额`, `共` …) against the amounts before them, or against
//!   quantity × unit price stated in words (`200人次/年，每次500元，合计10万`);
//! * `其中` lists against the total just before them;
//! * rates (`执行率`, `完成率`, growth after `增加`) and areas (`长4.5米,宽3米,占地13.5平方米`);
//! * the text's own total against the row's 金额.
//!
//! When a sentence can be read more than one way (which amounts a 合计 covers, whether a bare
//! number is 元 or 万元) every plausible reading is tried and a mismatch is reported only when
//! none holds. Nothing checkable means [`Verdict::Unverifiable`]: the engine never guesses.

use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use crate::money::{Money, MoneyUnit};
use crate::text::{fold_width, to_simplified};

/// Longer texts are cut: a 测算依据 cell is a few lines, and this bounds the work on any input.
const MAX_CHARS: usize = 4000;
/// Longer digit runs are identifiers (phone numbers, codes), not amounts.
const MAX_DIGITS: usize = 20;
/// Counts beyond this are not tried in subsets for an implied product (2^n readings).
const MAX_SUBSET_COUNTS: usize = 6;
/// Amounts a rate may be computed from (every ordered pair among them is tried).
const MAX_RATE_AMOUNTS: usize = 4;
/// Nesting accepted in a written expression (parentheses and unary minus).
const MAX_EXPR_DEPTH: u32 = 16;

/// The outcome for one text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// At least one check was made and every check holds.
    Consistent,
    /// At least one check fails.
    Inconsistent,
    /// Nothing the engine can check (a lone amount, words without arithmetic).
    Unverifiable,
}

/// One check made on the text: what was computed and what the text (or the row) states.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Equation {
    /// The arithmetic as read, e.g. `8*50*100=40000元` or `合计：8万+40000元=12万`.
    pub text: String,
    /// The exact result, in the unit of the stated value, e.g. `40000元`.
    pub computed: String,
    /// The value the text (or the row's 金额) states, e.g. `4万元`.
    pub stated: String,
    pub holds: bool,
}

/// What [`analyze`] found in one text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CalcReport {
    pub verdict: Verdict,
    pub equations: Vec<Equation>,
    /// The text's own overall total, when it states (合计 …) or clearly implies one.
    pub total: Option<Money>,
}

/// Check the arithmetic written in a calculation-basis text. `amount` is the row's 金额: when
/// given and the text has its own total, the two are compared as well.
pub fn analyze(text: &str, amount: Option<Money>) -> CalcReport {
    let chars = normalize(text);
    let toks = tokenize(&chars);
    let mut engine = Engine::new(&chars, &toks);
    engine.build();
    engine.run();
    engine.finish(amount)
}

// ---------------------------------------------------------------------------------------
// Normalisation

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF)
}

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

/// Width-folded, simplified, with operator glyphs unified. The full-width comma stays
/// distinct from the ASCII one: only the ASCII comma can be a thousands separator.
fn normalize(text: &str) -> Vec<char> {
    let capped: String = text.chars().take(MAX_CHARS).collect();
    let cleaned = strip_bookmarks(&capped);
    let folded = cleaned
        .split('，')
        .map(fold_width)
        .collect::<Vec<_>>()
        .join("，");
    let raw: Vec<char> = to_simplified(&folded).chars().map(map_glyph).collect();
    // next non-blank char after each position, computed once (keeps the pass linear)
    let mut next_ns: Vec<Option<char>> = vec![None; raw.len() + 1];
    for i in (0..raw.len()).rev() {
        next_ns[i] = if is_hspace(raw[i]) {
            next_ns[i + 1]
        } else {
            Some(raw[i])
        };
    }
    let mut out: Vec<char> = Vec::with_capacity(raw.len());
    for (i, &c) in raw.iter().enumerate() {
        let next = next_ns[i + 1];
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

// ---------------------------------------------------------------------------------------
// Tokens

/// Separators, weakest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Sep {
    Space,
    Colon,
    Weak,
    Semi,
    Period,
    Line,
}

#[derive(Clone, Debug, PartialEq)]
enum Unit {
    Plain,
    Money(MoneyUnit),
    Percent,
    /// A quantity: `个`, `人次`, `平方米`; empty for a Chinese word that is no known unit.
    Count(String),
}

#[derive(Clone, Debug)]
struct Num {
    /// The value in its unit, magnitude applied (`5万人` → 50000 人, `3千元` → 3000 元).
    value: Decimal,
    /// The number as written, without thousands separators.
    digits: String,
    /// Decimals as written: the precision a rounded result is held to.
    dp: u32,
    unit: Unit,
    /// `元/个`, `100元每人`: what the amount is per.
    per: Vec<String>,
    /// `10余万元`, `5万元左右`.
    approx: bool,
    /// A list marker, a year, a date part, a code next to letters: never an amount.
    noise: bool,
    /// Where the number and its unit end (before any `/个`).
    core_end: usize,
}

#[derive(Clone, Debug)]
enum Tok {
    Num(Num),
    Op(char),
    Eq,
    Open,
    Close,
    Sep(Sep),
    Word(String),
}

#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    start: usize,
    end: usize,
    depth: usize,
    sentence: usize,
    period: usize,
    line: usize,
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

const AREA_UNITS: &[&str] = &["平方米", "平米", "㎡"];
const VOLUME_UNITS: &[&str] = &["立方米"];

fn match_unit(chars: &[char], k: usize) -> Option<(&'static str, usize)> {
    (1..=4).rev().find_map(|len| {
        let seg = chars.get(k..k + len)?;
        COUNT_UNITS
            .iter()
            .find(|u| u.chars().eq(seg.iter().copied()))
            .map(|u| (*u, len))
    })
}

fn starts_with_at(chars: &[char], k: usize, s: &str) -> bool {
    s.chars()
        .enumerate()
        .all(|(o, c)| chars.get(k + o) == Some(&c))
}

/// The unit written at `k` after a number: (unit, magnitude, chars used).
fn unit_at(chars: &[char], k: usize) -> Option<(Unit, Decimal, usize)> {
    let one = Decimal::ONE;
    if starts_with_at(chars, k, "亿元") {
        return Some((Unit::Money(MoneyUnit::Yi), one, 2));
    }
    if starts_with_at(chars, k, "万元") {
        return Some((Unit::Money(MoneyUnit::Wan), one, 2));
    }
    if starts_with_at(chars, k, "千元") {
        return Some((Unit::Money(MoneyUnit::Yuan), Decimal::from(1000), 2));
    }
    if starts_with_at(chars, k, "元") {
        return Some((Unit::Money(MoneyUnit::Yuan), one, 1));
    }
    if let Some((u, l)) = match_unit(chars, k) {
        if u.starts_with('千') {
            return Some((Unit::Count(u.to_string()), one, l));
        }
    }
    let c = *chars.get(k)?;
    if matches!(c, '万' | '亿' | '千') {
        let mag = Decimal::from(match c {
            '万' => 10_000,
            '亿' => 100_000_000,
            _ => 1000,
        });
        // `5万人次` is a count; a bare `12万` on these forms is money
        if let Some((u, l)) = match_unit(chars, k + 1) {
            return Some((Unit::Count(u.to_string()), mag, 1 + l));
        }
        return Some(match c {
            '万' => (Unit::Money(MoneyUnit::Wan), one, 1),
            '亿' => (Unit::Money(MoneyUnit::Yi), one, 1),
            _ => (Unit::Plain, mag, 1),
        });
    }
    if c == '%' {
        return Some((Unit::Percent, one, 1));
    }
    match_unit(chars, k).map(|(u, l)| (Unit::Count(u.to_string()), one, l))
}

/// The unit after `/` or `每`: a known unit, or after `/` any one Chinese character.
fn per_unit_at(chars: &[char], k: usize, slash: bool) -> Option<(String, usize)> {
    if let Some((u, l)) = match_unit(chars, k) {
        return Some((u.to_string(), l));
    }
    let c = *chars.get(k)?;
    (slash && is_cjk(c) && !matches!(c, '每' | '万' | '元' | '亿')).then(|| (c.to_string(), 1))
}

fn scan_number(chars: &[char], i: usize) -> (Num, usize) {
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
    let mut dp = 0u32;
    let mut noise = false;
    if j + 1 < n && chars[j] == '.' && chars[j + 1].is_ascii_digit() {
        digits.push('.');
        j += 1;
        while j < n && chars[j].is_ascii_digit() {
            digits.push(chars[j]);
            j += 1;
            dp += 1;
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
    let mut value = Decimal::from_str(&digits).unwrap_or_else(|_| {
        noise = true;
        Decimal::ZERO
    });
    let num_end = j;

    // the unit, possibly after `余`/`多` (approximate) or blanks
    let mut approx = false;
    let mut k = j;
    if k < n && matches!(chars[k], '余' | '多') && unit_at(chars, k + 1).is_some() {
        approx = true;
        k += 1;
    }
    let mut found = unit_at(chars, k);
    if found.is_none() {
        let mut ks = k;
        while ks < n && chars[ks] == ' ' {
            ks += 1;
        }
        // `100 元`; after a blank only money and `%` (`900.47 项目支出` is a label)
        if ks > k {
            if let Some(u) =
                unit_at(chars, ks).filter(|u| matches!(u.0, Unit::Money(_) | Unit::Percent))
            {
                k = ks;
                found = Some(u);
            }
        }
    }
    let unit = match found {
        Some((unit, mag, len)) => {
            k += len;
            match value.checked_mul(mag) {
                Some(v) => value = v,
                None => noise = true,
            }
            if mag > Decimal::ONE && matches!(unit, Unit::Money(_)) {
                dp = dp.saturating_sub(3);
            }
            unit
        }
        // a Chinese word right after the number: a quantity of an unknown unit, except a
        // keyword that starts the next phrase (`2030.12其中`)
        None if chars.get(k).is_some_and(|c| is_cjk(*c)) && !starts_with_at(chars, k, "其中") => {
            Unit::Count(String::new())
        }
        None => Unit::Plain,
    };
    // `10万余元`
    if matches!(unit, Unit::Money(_))
        && k + 1 < n
        && matches!(chars[k], '余' | '多')
        && chars[k + 1] == '元'
    {
        approx = true;
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
        approx = true;
        k += 2;
    } else if ["以上", "以内", "以下"]
        .iter()
        .any(|s| starts_with_at(chars, k, s))
    {
        approx = true;
    }
    // `1、`, `1.`, `(1)` at the start of a phrase are list markers
    if unit == Unit::Plain && dp == 0 {
        let boundary =
            prev.is_none_or(|p| p == ' ' || p == '(' || sep_of(p).is_some_and(|s| s != Sep::Space));
        let after = chars.get(num_end).copied();
        let marker = matches!(after, Some('、'))
            || (after == Some('.') && chars.get(num_end + 1).is_none_or(|c| !c.is_ascii_digit()))
            || (after == Some(')') && prev == Some('('));
        if boundary && marker {
            noise = true;
        }
    }
    let num = Num {
        value,
        digits,
        dp,
        unit,
        per,
        approx,
        noise,
        core_end,
    };
    (num, k)
}

fn sep_of(c: char) -> Option<Sep> {
    Some(match c {
        ' ' | '\t' => Sep::Space,
        ':' => Sep::Colon,
        ';' => Sep::Semi,
        '。' | '!' | '?' => Sep::Period,
        '\n' | '\r' => Sep::Line,
        '，' | ',' | '、' | '.' | '"' | '\'' | '“' | '”' | '‘' | '’' | '|' | '《' | '》' | '<'
        | '>' | '≥' | '≤' | '【' | '】' | '[' | ']' | '{' | '}' | '~' | '～' | '—' | '…' | '%'
        | '#' | '&' | '\\' | '「' | '」' | '『' | '』' | '〔' | '〕' | '/' => Sep::Weak,
        _ => return None,
    })
}

fn is_word_char(c: char) -> bool {
    !c.is_ascii_digit() && sep_of(c).is_none() && !matches!(c, '+' | '-' | '*' | '=' | '(' | ')')
}

fn tokenize(chars: &[char]) -> Vec<Token> {
    let n = chars.len();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < n {
        let c = chars[i];
        let start = i;
        let tok = if c.is_ascii_digit() {
            let (num, end) = scan_number(chars, i);
            i = end;
            Tok::Num(num)
        } else {
            i += 1;
            match c {
                '+' | '-' | '*' => Tok::Op(c),
                '/' if chars[i..]
                    .iter()
                    .find(|c| **c != ' ')
                    .is_some_and(|c| c.is_ascii_digit() || *c == '(') =>
                {
                    Tok::Op('/')
                }
                '=' => Tok::Eq,
                '(' => Tok::Open,
                ')' => Tok::Close,
                _ => match sep_of(c) {
                    Some(s) => Tok::Sep(s),
                    None => {
                        while i < n && is_word_char(chars[i]) {
                            i += 1;
                        }
                        Tok::Word(chars[start..i].iter().collect())
                    }
                },
            }
        };
        toks.push(Token {
            tok,
            start,
            end: i,
            depth: 0,
            sentence: 0,
            period: 0,
            line: 0,
        });
    }
    mark_dates(&mut toks);
    annotate(&mut toks);
    toks
}

fn count_unit(t: &Token) -> Option<&str> {
    match &t.tok {
        Tok::Num(Num {
            unit: Unit::Count(u),
            ..
        }) => Some(u.as_str()),
        _ => None,
    }
}

/// Years (`2023年`) and dates (`12月31日`) are not quantities.
fn mark_dates(toks: &mut [Token]) {
    for i in 0..toks.len() {
        let unit = count_unit(&toks[i]).map(str::to_string);
        let Some(unit) = unit else { continue };
        let Tok::Num(num) = &toks[i].tok else {
            continue;
        };
        let (value, dp) = (num.value, num.dp);
        let year = (unit == "年" || unit == "年度")
            && dp == 0
            && value >= Decimal::from(1900)
            && value <= Decimal::from(2200);
        let month_day = unit == "月"
            && dp == 0
            && value <= Decimal::from(12)
            && toks
                .get(i + 1)
                .and_then(count_unit)
                .is_some_and(|u| u == "日" || u == "号");
        let after_year = unit == "月"
            && i > 0
            && matches!(&toks[i - 1].tok, Tok::Num(p) if p.noise && p.unit == Unit::Count("年".into()));
        if year || month_day || after_year {
            if let Tok::Num(num) = &mut toks[i].tok {
                num.noise = true;
            }
        }
        if month_day {
            if let Some(Tok::Num(day)) = toks.get_mut(i + 1).map(|t| &mut t.tok) {
                day.noise = true;
            }
        }
    }
}

fn annotate(toks: &mut [Token]) {
    let (mut depth, mut sentence, mut period, mut line) = (0usize, 0usize, 0usize, 0usize);
    for t in toks.iter_mut() {
        match t.tok {
            Tok::Open => depth += 1,
            Tok::Close => depth = depth.saturating_sub(1),
            _ => {}
        }
        t.depth = depth;
        t.sentence = sentence;
        t.period = period;
        t.line = line;
        if let Tok::Sep(s) = t.tok {
            if s >= Sep::Semi {
                sentence += 1;
            }
            if s >= Sep::Period {
                period += 1;
            }
            if s == Sep::Line {
                line += 1;
                depth = 0;
            }
        }
    }
}

/// The words just before token `t` in its phrase (over blanks and colons).
fn lead_of(toks: &[Token], t: usize) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let mut len = 0;
    let mut j = t;
    while j > 0 {
        j -= 1;
        match &toks[j].tok {
            Tok::Sep(Sep::Space | Sep::Colon) => continue,
            Tok::Word(w) => {
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

// ---------------------------------------------------------------------------------------
// Keywords

const TOTAL_KWS: &[&str] = &[
    "合计",
    "共计",
    "小计",
    "总计",
    "总额",
    "总金额",
    "总价",
    "总费用",
    "总经费",
    "总预算",
    "总投资",
    "总共",
    "合共",
    "一共",
];
const RATE_KWS: &[&str] = &[
    "完成率",
    "执行率",
    "支出率",
    "使用率",
    "支付率",
    "拨付率",
    "到位率",
    "兑付率",
    "占比",
    "比例",
    "比重",
];
const INCREASE_KWS: &[&str] = &["增加", "增长", "提高", "上升", "增幅"];
const DECREASE_KWS: &[&str] = &["减少", "下降", "降低", "降幅"];
const REF_KWS: &[&str] = &[
    "上年",
    "去年",
    "上一年",
    "往年",
    "同比",
    "比上",
    "较上",
    "节约",
    "节省",
    "结余",
    "不超过",
    "不高于",
    "不低于",
    "不少于",
    "最高",
    "最低",
    "超过",
    "约",
    "剩余",
    "结转",
    "以内",
    "不足",
    "高于",
    "低于",
];
const PRICE_KWS: &[&str] = &["单价", "标准", "人均", "均价", "单位成本"];
const DIMENSION_HINTS: &[char] = &['长', '宽', '高', '深', '厚'];

/// Whether the words just before a number name it a unit price (单价, 人均 …).
fn has_price_keyword(lead: &str) -> bool {
    PRICE_KWS.iter().any(|k| tail(lead, 6).contains(k))
}

fn total_keyword(lead: &str) -> Option<String> {
    if let Some(kw) = TOTAL_KWS.iter().find(|k| lead.contains(*k)) {
        return Some(kw.to_string());
    }
    // `计1万元` closing a phrase, but not 预计 / 统计 / 审计 / 设计 / 会计 …
    let stem = lead.strip_suffix('为').unwrap_or(lead);
    if let Some(before) = stem.strip_suffix('计') {
        if !before.ends_with([
            '预', '统', '审', '设', '会', '估', '核', '累', '共', '合', '总', '小',
        ]) {
            return Some("计".to_string());
        }
    }
    // a bare 共 (`共完成预算资金`), but not inside 公共 / 中共 / 共同 / 共享 …
    let cs: Vec<char> = lead.chars().collect();
    cs.iter().enumerate().find_map(|(p, &c)| {
        let prev = p.checked_sub(1).map(|q| cs[q]);
        let next = cs.get(p + 1).copied();
        let excluded = matches!(prev, Some('公' | '中'))
            || matches!(
                next,
                Some(
                    '同' | '享'
                        | '建'
                        | '产'
                        | '青'
                        | '识'
                        | '性'
                        | '治'
                        | '商'
                        | '赢'
                        | '用'
                        | '通'
                        | '鸣'
                        | '融'
                        | '担'
                )
            );
        (c == '共' && !excluded).then(|| "共".to_string())
    })
}

/// `Some(true)` after an increase word, `Some(false)` after a decrease word.
fn growth_keyword(lead: &str) -> Option<bool> {
    if INCREASE_KWS.iter().any(|k| lead.contains(k)) {
        Some(true)
    } else if DECREASE_KWS.iter().any(|k| lead.contains(k)) {
        Some(false)
    } else {
        None
    }
}

fn tail(s: &str, n: usize) -> String {
    let cs: Vec<char> = s.chars().collect();
    cs[cs.len().saturating_sub(n)..].iter().collect()
}

/// `平均每次每人` → [次, 人]: a price per unit when the 每 phrase closes the lead
/// (`每人每天伙食补助100元`), not when it opens a longer one (`每年开展…工作经费`).
fn lead_per(lead: &str) -> Vec<String> {
    let cs: Vec<char> = lead.chars().collect();
    let mut per = Vec::new();
    let mut last_end = None;
    let mut p = 0;
    while p < cs.len() {
        if cs[p] == '每' {
            if let Some((u, l)) = match_unit(&cs, p + 1) {
                per.push(u.to_string());
                p += 1 + l;
                last_end = Some(p);
                continue;
            }
        }
        p += 1;
    }
    match last_end {
        Some(e) if cs.len() - e <= 6 => per,
        _ => Vec::new(),
    }
}

fn is_yearly(per: &[String]) -> bool {
    !per.is_empty() && per.iter().all(|p| p == "年" || p == "年度")
}

// ---------------------------------------------------------------------------------------
// Exact arithmetic

fn round_half_up(v: Decimal, dp: u32) -> Decimal {
    v.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero)
}

/// Equal, or equal once rounded half-up to the precision the stated value was written with.
fn agrees(computed: Decimal, stated: Decimal, dp: u32, tolerant: bool) -> bool {
    computed == stated || (tolerant && round_half_up(computed, dp) == stated)
}

fn fmt_dec(v: Decimal, dp: u32) -> String {
    round_half_up(v, dp.min(20)).normalize().to_string()
}

fn factor(u: MoneyUnit) -> Decimal {
    u.yuan_factor()
}

/// A value during evaluation: money is carried in 元.
#[derive(Clone, Copy, Debug)]
struct V {
    amount: Decimal,
    money: bool,
    hint: Option<MoneyUnit>,
    div: bool,
}

impl V {
    fn plain(amount: Decimal) -> V {
        V {
            amount,
            money: false,
            hint: None,
            div: false,
        }
    }

    fn to_money(self, du: MoneyUnit) -> Option<V> {
        if self.money {
            return Some(self);
        }
        Some(V {
            amount: self.amount.checked_mul(factor(du))?,
            money: true,
            hint: Some(du),
            div: self.div,
        })
    }
}

fn num_value(n: &Num) -> Option<V> {
    if n.noise {
        return None;
    }
    Some(match &n.unit {
        Unit::Money(u) => V {
            amount: n.value.checked_mul(factor(*u))?,
            money: true,
            hint: Some(*u),
            div: false,
        },
        Unit::Percent => V::plain(n.value.checked_div(Decimal::ONE_HUNDRED)?),
        Unit::Plain | Unit::Count(_) => V::plain(n.value),
    })
}

struct Parser<'a> {
    toks: &'a [Token],
    idx: &'a [usize],
    pos: usize,
    /// The unit a bare number added to money is taken in.
    du: MoneyUnit,
    depth: u32,
}

impl<'a> Parser<'a> {
    fn parse(toks: &'a [Token], idx: &'a [usize], du: MoneyUnit) -> Option<V> {
        let mut p = Parser {
            toks,
            idx,
            pos: 0,
            du,
            depth: 0,
        };
        let v = p.expr()?;
        (p.pos == idx.len()).then_some(v)
    }

    fn peek(&self) -> Option<&'a Tok> {
        let toks = self.toks;
        self.idx.get(self.pos).map(|&i| &toks[i].tok)
    }

    fn expr(&mut self) -> Option<V> {
        let mut v = self.term()?;
        while let Some(Tok::Op(c @ ('+' | '-'))) = self.peek() {
            self.pos += 1;
            let r = self.term()?;
            let (a, b) = if v.money == r.money {
                (v, r)
            } else {
                (v.to_money(self.du)?, r.to_money(self.du)?)
            };
            let amount = if *c == '+' {
                a.amount.checked_add(b.amount)?
            } else {
                a.amount.checked_sub(b.amount)?
            };
            v = V {
                amount,
                money: a.money,
                hint: a.hint.or(b.hint),
                div: a.div || b.div,
            };
        }
        Some(v)
    }

    fn term(&mut self) -> Option<V> {
        let mut v = self.factor()?;
        while let Some(Tok::Op(c @ ('*' | '/'))) = self.peek() {
            self.pos += 1;
            let r = self.factor()?;
            v = if *c == '*' {
                V {
                    amount: v.amount.checked_mul(r.amount)?,
                    money: v.money || r.money,
                    hint: v.hint.or(r.hint),
                    div: v.div || r.div,
                }
            } else {
                if r.amount.is_zero() {
                    return None;
                }
                V {
                    amount: v.amount.checked_div(r.amount)?,
                    money: v.money && !r.money,
                    hint: v.hint,
                    div: true,
                }
            };
        }
        Some(v)
    }

    fn factor(&mut self) -> Option<V> {
        self.depth += 1;
        if self.depth > MAX_EXPR_DEPTH {
            return None;
        }
        let v = match self.peek()? {
            Tok::Op('-') => {
                self.pos += 1;
                let v = self.factor()?;
                Some(V {
                    amount: -v.amount,
                    ..v
                })
            }
            Tok::Open => {
                self.pos += 1;
                let v = self.expr()?;
                match self.peek() {
                    Some(Tok::Close) => self.pos += 1,
                    _ => return None,
                }
                Some(v)
            }
            Tok::Num(n) => {
                self.pos += 1;
                num_value(n)
            }
            _ => None,
        };
        self.depth -= 1;
        v
    }
}

/// A value the text states: a number with its unit as written.
#[derive(Clone)]
struct Stated {
    value: Decimal,
    digits: String,
    dp: u32,
    unit: Unit,
}

impl Stated {
    fn from_num(n: &Num) -> Stated {
        Stated {
            value: n.value,
            digits: n.digits.clone(),
            dp: n.dp,
            unit: n.unit.clone(),
        }
    }

    fn display(&self) -> String {
        format!("{}{}", self.digits, unit_label(&self.unit))
    }
}

fn unit_label(u: &Unit) -> &str {
    match u {
        Unit::Plain => "",
        Unit::Money(m) => m.label(),
        Unit::Percent => "%",
        Unit::Count(c) => c,
    }
}

struct Cmp {
    holds: bool,
    computed: String,
    /// The money unit the stated value was read in (a bare number after a money product).
    resolved: Option<MoneyUnit>,
}

/// Compare a computed value with a stated one, trying the readings of its unit.
fn compare(lhs: &V, st: &Stated) -> Option<Cmp> {
    let tolerant = st.dp >= 2 || lhs.div || st.unit == Unit::Percent;
    let mut readings: Vec<(Decimal, Option<MoneyUnit>, String)> = Vec::new();
    match &st.unit {
        Unit::Money(u) if lhs.money => {
            readings.push((
                lhs.amount.checked_div(factor(*u))?,
                Some(*u),
                u.label().to_string(),
            ));
        }
        // `8*50*100=40000元`, `50*4*300=6万元`: a bare left side is in the stated unit or in 元
        Unit::Money(u) => {
            for r in unit_candidates(Some(*u)) {
                let c = lhs.amount.checked_mul(factor(r))?.checked_div(factor(*u))?;
                readings.push((c, Some(*u), u.label().to_string()));
            }
        }
        Unit::Percent => {
            if let Some(c) = lhs.amount.checked_mul(Decimal::ONE_HUNDRED) {
                readings.push((c, None, "%".into()));
            }
            readings.push((lhs.amount, None, "%".into()));
        }
        Unit::Plain if lhs.money => {
            for u in unit_candidates(lhs.hint) {
                readings.push((
                    lhs.amount.checked_div(factor(u))?,
                    Some(u),
                    u.label().to_string(),
                ));
            }
        }
        Unit::Plain => readings.push((lhs.amount, None, String::new())),
        Unit::Count(c) => {
            let a = match (lhs.money, lhs.hint) {
                (true, Some(h)) => lhs.amount.checked_div(factor(h))?,
                _ => lhs.amount,
            };
            readings.push((a, None, c.clone()));
        }
    }
    let pick = readings
        .iter()
        .position(|r| agrees(r.0, st.value, st.dp, tolerant))
        .map(|p| (p, true))
        .unwrap_or((0, false));
    let r = &readings[pick.0];
    Some(Cmp {
        holds: pick.1,
        computed: format!("{}{}", fmt_dec(r.0, st.dp.max(2) + 4), r.2),
        resolved: r.1,
    })
}

fn unit_candidates(first: Option<MoneyUnit>) -> Vec<MoneyUnit> {
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

// ---------------------------------------------------------------------------------------
// Reading the text

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    /// An amount that can be part of a total (or a total itself).
    Part,
    /// A unit price: `每次500元`, `5000元/个`.
    Price,
    /// A quantity: `8次`, `50人`.
    Count,
    Pct,
    /// An amount mentioned for reference (last year's, a cap, an approximation).
    Ref,
    /// A change: `增加189.25万元` (true for an increase).
    Delta(bool),
}

#[derive(Clone, Debug)]
struct Item {
    /// In 元 for money; as written (magnitude applied) otherwise.
    amount: Decimal,
    unit: Option<MoneyUnit>,
    /// The value in its own unit, as written.
    value: Decimal,
    digits: String,
    dp: u32,
    label: String,
    /// The number and unit without `/年`: how a yearly amount reads as a part.
    core_label: String,
    count_unit: String,
    role: Role,
    per: Vec<String>,
    price_kw: bool,
    lead: String,
    total_kw: Option<String>,
    approx: bool,
    derived: bool,
    is_total: bool,
    consumed: bool,
    depth: usize,
    sentence: usize,
    period: usize,
    line: usize,
}

impl Item {
    /// An item of `role` at token `t` after `lead`: what every item takes from its place
    /// in the text. The number itself is left zero and unlabelled for the caller to fill.
    fn at(t: &Token, role: Role, lead: String) -> Item {
        let total_kw = if role == Role::Part {
            total_keyword(&lead)
        } else {
            None
        };
        Item {
            amount: Decimal::ZERO,
            unit: None,
            value: Decimal::ZERO,
            digits: String::new(),
            dp: 0,
            label: String::new(),
            core_label: String::new(),
            count_unit: String::new(),
            role,
            per: Vec::new(),
            price_kw: false,
            lead,
            total_kw,
            approx: false,
            derived: false,
            is_total: false,
            consumed: false,
            depth: t.depth,
            sentence: t.sentence,
            period: t.period,
            line: t.line,
        }
    }

    fn stated(&self) -> String {
        match self.unit {
            Some(u) => format!("{}{}", self.digits, u.label()),
            None if self.role == Role::Pct => format!("{}%", self.digits),
            None => format!("{}{}", self.digits, self.count_unit),
        }
    }

    fn term(&self) -> Term {
        Term {
            amount: self.amount,
            unit: self.unit,
            label: self.label.clone(),
            derived: self.derived,
            alts: Vec::new(),
        }
    }
}

/// An addend of a total.
#[derive(Clone, Debug)]
struct Term {
    amount: Decimal,
    unit: Option<MoneyUnit>,
    label: String,
    derived: bool,
    /// Other readings of an implied product (subsets of its counts).
    alts: Vec<Decimal>,
}

/// Quantities and a unit price stated in words in one sentence.
#[derive(Clone, Debug)]
struct Group {
    counts: Vec<usize>,
    prices: Vec<usize>,
    sentence: usize,
    closed: bool,
    consumed: bool,
}

/// A written equation (or expression) found in the token stream.
struct EqInfo {
    equations: Vec<Equation>,
    result: Option<Item>,
    /// The left side as a pure product of numbers, for matching the words before it.
    factors: Option<Vec<Decimal>>,
    lhs: Option<V>,
    lhs_text: String,
    /// The money unit of the stated result, in which a bare left side is read.
    stated_unit: Option<MoneyUnit>,
    sentence: usize,
    /// `10人×12个月=6万元`: quantities only, priced in the words before (`每人每月500元`).
    needs_price: Option<(V, Stated, String)>,
}

enum Entry {
    Item(usize),
    /// An equation and the item of its stated result.
    Equation(usize, Option<usize>),
    /// `其中`, with how many items precede it.
    QiZhong {
        name: &'static str,
        depth: usize,
        period: usize,
        before: usize,
    },
    Close(usize),
    Break(Sep),
}

/// An open `其中` list.
struct Qz {
    name: &'static str,
    total: Option<usize>,
    parts: Vec<usize>,
    inner: Vec<usize>,
    depth: usize,
    group_floor: usize,
}

struct Engine<'a> {
    chars: &'a [char],
    toks: &'a [Token],
    items: Vec<Item>,
    infos: Vec<EqInfo>,
    entries: Vec<Entry>,
    groups: Vec<Group>,
    equations: Vec<Equation>,
    /// Open `其中` lists, innermost last (a bracketed 其中 inside another).
    qz: Vec<Qz>,
    last_total: Option<usize>,
    group_floor: usize,
    rate_floor: usize,
    area_floor: usize,
    has_rate: bool,
    part_since_group: bool,
}

impl<'a> Engine<'a> {
    fn new(chars: &'a [char], toks: &'a [Token]) -> Self {
        Engine {
            chars,
            toks,
            items: Vec::new(),
            infos: Vec::new(),
            entries: Vec::new(),
            groups: Vec::new(),
            equations: Vec::new(),
            qz: Vec::new(),
            last_total: None,
            group_floor: 0,
            rate_floor: 0,
            area_floor: 0,
            has_rate: false,
            part_since_group: false,
        }
    }

    fn text(&self, from: usize, to: usize) -> String {
        self.chars[from.min(to)..to].iter().collect()
    }

    // ---- pass 1: equations and items

    fn build(&mut self) {
        let toks = self.toks;
        let mut consumed = vec![false; toks.len()];
        let mut eq_at: Vec<Option<usize>> = vec![None; toks.len()];
        for run in find_runs(toks) {
            for &i in &run {
                consumed[i] = true;
            }
            if let Some(info) = self.equation_run(&run) {
                if let Some(&last) = run.last() {
                    eq_at[last] = Some(self.infos.len());
                    self.infos.push(info);
                }
            }
        }
        for (i, t) in toks.iter().enumerate() {
            match &t.tok {
                Tok::Num(n) if !consumed[i] && !n.noise => {
                    let item = self.item_from_num(i, n);
                    self.entries.push(Entry::Item(self.items.len()));
                    self.items.push(item);
                }
                Tok::Word(w)
                    if parts_marker(w, i.checked_sub(1).map(|p| &toks[p].tok)).is_some() =>
                {
                    let name =
                        parts_marker(w, i.checked_sub(1).map(|p| &toks[p].tok)).unwrap_or("其中");
                    self.entries.push(Entry::QiZhong {
                        name,
                        depth: t.depth,
                        period: t.period,
                        before: self.items.len(),
                    })
                }
                Tok::Close => self.entries.push(Entry::Close(t.depth)),
                Tok::Sep(s) if *s >= Sep::Semi => self.entries.push(Entry::Break(*s)),
                _ => {}
            }
            if let Some(k) = eq_at[i] {
                let result = self.infos[k].result.take().map(|item| {
                    self.items.push(item);
                    self.items.len() - 1
                });
                self.entries.push(Entry::Equation(k, result));
            }
        }
        self.settle_yearly_prices();
    }

    fn item_from_num(&self, i: usize, n: &Num) -> Item {
        let t = &self.toks[i];
        let lead = lead_of(self.toks, i);
        let (unit, amount, count_unit) = match &n.unit {
            Unit::Money(u) => (
                Some(*u),
                n.value.checked_mul(factor(*u)).unwrap_or(n.value),
                String::new(),
            ),
            Unit::Count(c) => (None, n.value, c.clone()),
            _ => (None, n.value, String::new()),
        };
        let mut per = n.per.clone();
        per.extend(lead_per(&lead));
        let price_kw = has_price_keyword(&lead);
        let role = match &n.unit {
            Unit::Percent => Role::Pct,
            Unit::Count(_) => Role::Count,
            _ => classify(&lead, n.approx, !per.is_empty() || price_kw),
        };
        let label_end = if role == Role::Part {
            n.core_end
        } else {
            t.end
        };
        let core_label = self.text(t.start, n.core_end);
        Item {
            amount,
            unit,
            value: n.value,
            digits: n.digits.clone(),
            dp: n.dp,
            label: self.text(t.start, label_end),
            core_label,
            count_unit,
            per,
            price_kw,
            approx: n.approx,
            ..Item::at(t, role, lead)
        }
    }

    /// `专职人员工作经费8万/年` is the year's amount (a part), unless the sentence counts years
    /// (`租金2万元/年，租期3年`), when it is a unit price.
    fn settle_yearly_prices(&mut self) {
        let year_sentences: Vec<usize> = self
            .items
            .iter()
            .filter(|it| it.role == Role::Count && it.count_unit.ends_with('年'))
            .map(|it| it.sentence)
            .collect();
        for it in &mut self.items {
            if it.role == Role::Price
                && !it.price_kw
                && is_yearly(&it.per)
                && !year_sentences.contains(&it.sentence)
            {
                it.role = Role::Part;
                it.total_kw = total_keyword(&it.lead);
                it.label = it.core_label.clone();
            }
        }
    }

    /// Evaluate one run of numbers and operators.
    fn equation_run(&self, run: &[usize]) -> Option<EqInfo> {
        let toks = self.toks;
        let segs: Vec<&[usize]> = run.split(|&i| matches!(toks[i].tok, Tok::Eq)).collect();
        let first = *run.first()?;
        let last = *run.last()?;
        let lead = lead_of(toks, first);
        let sentence = toks[last].sentence;
        let single = |s: &[usize]| -> Option<&Num> {
            match (s.len(), s.first().map(|&i| &toks[i].tok)) {
                (1, Some(Tok::Num(n))) if !n.noise => Some(n),
                _ => None,
            }
        };
        let money_unit = |s: &[usize]| -> Option<MoneyUnit> {
            s.iter().find_map(|&i| match &toks[i].tok {
                Tok::Num(Num {
                    unit: Unit::Money(u),
                    ..
                }) => Some(*u),
                _ => None,
            })
        };
        let seg_text = |s: &[usize]| -> String {
            match (s.first(), s.last()) {
                (Some(&a), Some(&b)) => self.text(toks[a].start, toks[b].end),
                _ => String::new(),
            }
        };
        let stated_unit = segs
            .last()
            .and_then(|s| single(s))
            .and_then(|n| match n.unit {
                Unit::Money(u) => Some(u),
                _ => None,
            });
        let du = stated_unit
            .or_else(|| money_unit(run))
            .unwrap_or(MoneyUnit::Yuan);

        if segs.len() < 2 {
            // an expression with no stated result: an amount only when it is money
            let v = Parser::parse(toks, run, du)?;
            if !v.money {
                return None;
            }
            let u = v.hint.unwrap_or(MoneyUnit::Yuan);
            let value = v.amount.checked_div(factor(u))?;
            let mut item = self.derived_item(last, &lead, value, Some(u), seg_text(run));
            item.amount = v.amount;
            return Some(EqInfo {
                equations: Vec::new(),
                result: Some(item),
                factors: None,
                lhs: Some(v),
                lhs_text: seg_text(run),
                stated_unit: None,
                sentence,
                needs_price: None,
            });
        }

        let mut equations = Vec::new();
        let mut last_cmp: Option<(Cmp, V)> = None;
        let mut first_lhs = None;
        let mut needs_price = None;
        for p in 0..segs.len() - 1 {
            let (l, r) = (segs[p], segs[p + 1]);
            if l.is_empty() || r.is_empty() {
                last_cmp = None;
                continue;
            }
            // a bare `40000元=4万元` is a conversion; otherwise the left side must compute
            if p == 0 && l.len() == 1 {
                let both_money = matches!(single(l).map(|n| &n.unit), Some(Unit::Money(_)))
                    && matches!(single(r).map(|n| &n.unit), Some(Unit::Money(_)));
                if !both_money {
                    last_cmp = None;
                    continue;
                }
            }
            let Some(lv) = Parser::parse(toks, l, du) else {
                last_cmp = None;
                continue;
            };
            if p == 0 {
                first_lhs = Some(lv);
            }
            let text = format!("{}={}", seg_text(l), seg_text(r));
            if let Some(n) = single(r) {
                let st = Stated::from_num(n);
                let Some(cmp) = compare(&lv, &st) else {
                    last_cmp = None;
                    continue;
                };
                let quantities_only = l.iter().all(|&i| match &toks[i].tok {
                    Tok::Num(n) => matches!(&n.unit, Unit::Count(u) if !u.is_empty()),
                    _ => true,
                });
                if p == 0 && !cmp.holds && quantities_only && matches!(st.unit, Unit::Money(_)) {
                    needs_price = Some((lv, st, text));
                    last_cmp = None;
                    continue;
                }
                equations.push(Equation {
                    text,
                    computed: cmp.computed.clone(),
                    stated: st.display(),
                    holds: cmp.holds,
                });
                last_cmp = Some((cmp, lv));
            } else {
                // `a*b=c*d`: both sides computed, held to equality
                let Some(rv) = Parser::parse(toks, r, du) else {
                    last_cmp = None;
                    continue;
                };
                if lv.money != rv.money {
                    last_cmp = None;
                    continue;
                }
                let holds = lv.amount == rv.amount
                    || ((lv.div || rv.div)
                        && round_half_up(lv.amount, 6) == round_half_up(rv.amount, 6));
                let label = if lv.money { "元" } else { "" };
                equations.push(Equation {
                    text,
                    computed: format!("{}{}", fmt_dec(lv.amount, 8), label),
                    stated: format!("{}{}", fmt_dec(rv.amount, 8), label),
                    holds,
                });
                last_cmp = None;
            }
        }
        if equations.is_empty() && needs_price.is_none() {
            return None;
        }
        let result = segs.last().and_then(|s| single(s)).and_then(|n| {
            let unit = match (&n.unit, &last_cmp) {
                (Unit::Money(u), _) => Some(*u),
                (Unit::Plain, Some((cmp, lv))) if lv.money => cmp.resolved,
                (Unit::Plain, Some(_)) => None,
                _ => return None,
            };
            Some(self.derived_item(
                last,
                &lead,
                n.value,
                unit,
                self.text(toks[last].start, n.core_end),
            ))
        });
        let factors = segs.first().and_then(|s| product_factors(toks, s));
        Some(EqInfo {
            equations,
            result,
            factors,
            lhs: first_lhs,
            lhs_text: segs.first().map(|s| seg_text(s)).unwrap_or_default(),
            stated_unit,
            sentence,
            needs_price,
        })
    }

    fn derived_item(
        &self,
        tok: usize,
        lead: &str,
        value: Decimal,
        unit: Option<MoneyUnit>,
        label: String,
    ) -> Item {
        let t = &self.toks[tok];
        let amount = unit
            .and_then(|u| value.checked_mul(factor(u)))
            .unwrap_or(value);
        let role = classify(lead, false, has_price_keyword(lead));
        let role = if role == Role::Price {
            Role::Part
        } else {
            role
        };
        let dp = value.scale();
        Item {
            amount,
            unit,
            value,
            digits: value.to_string(),
            dp,
            core_label: label.clone(),
            label,
            derived: true,
            ..Item::at(t, role, lead.to_string())
        }
    }

    // ---- pass 2: statements in order

    fn run(&mut self) {
        let entries = std::mem::take(&mut self.entries);
        for e in &entries {
            match *e {
                Entry::Item(i) => self.on_item(i),
                Entry::Equation(k, result) => self.on_equation(k, result),
                Entry::QiZhong {
                    name,
                    depth,
                    period,
                    before,
                } => {
                    self.close_qz(depth);
                    self.open_qz(name, depth, period, before);
                }
                Entry::Close(depth) => self.close_qz(depth + 1),
                Entry::Break(s) => {
                    if s >= Sep::Period {
                        self.close_qz(0);
                    }
                }
            }
        }
        self.close_qz(0);
    }

    fn on_item(&mut self, i: usize) {
        match self.items[i].role {
            Role::Pct => self.on_percent(i),
            Role::Count => {
                self.add_to_group(i);
                self.check_area(i);
            }
            Role::Price => self.add_to_group(i),
            Role::Part if self.items[i].total_kw.is_some() => self.on_total(i),
            Role::Part => {
                self.close_group();
                self.part_since_group = true;
                let depth = self.items[i].depth;
                if let Some(q) = self.qz.last_mut().filter(|q| q.total.is_some()) {
                    if depth == q.depth {
                        q.parts.push(i);
                    } else if depth > q.depth {
                        q.inner.push(i);
                    }
                }
            }
            Role::Ref | Role::Delta(_) => {
                self.close_group();
                self.part_since_group = true;
            }
        }
    }

    fn add_to_group(&mut self, i: usize) {
        let sentence = self.items[i].sentence;
        let is_price = self.items[i].role == Role::Price;
        let open = self
            .groups
            .last_mut()
            .filter(|g| !g.closed && !g.consumed && g.sentence == sentence);
        let g = match open {
            Some(g) => g,
            None => {
                self.groups.push(Group {
                    counts: Vec::new(),
                    prices: Vec::new(),
                    sentence,
                    closed: false,
                    consumed: false,
                });
                self.groups.last_mut().expect("just pushed")
            }
        };
        if is_price {
            g.prices.push(i);
        } else {
            g.counts.push(i);
        }
        self.part_since_group = false;
    }

    fn close_group(&mut self) {
        if let Some(g) = self.groups.last_mut() {
            g.closed = true;
        }
    }

    /// Quantity × unit price of a group, when it has one price and at least one count.
    fn group_term(&self, g: &Group, with_alts: bool) -> Option<Term> {
        if g.consumed || g.prices.len() != 1 {
            return None;
        }
        let price = &self.items[g.prices[0]];
        price.unit?;
        let counts: Vec<&Item> = g
            .counts
            .iter()
            .map(|&c| &self.items[c])
            .filter(|c| !c.consumed)
            .collect();
        if counts.is_empty() {
            return None;
        }
        let mut full = price.amount;
        for c in &counts {
            full = full.checked_mul(c.value)?;
        }
        let mut alts = Vec::new();
        if with_alts && counts.len() <= MAX_SUBSET_COUNTS {
            let all = (1usize << counts.len()) - 1;
            for mask in 1..all {
                let mut v = price.amount;
                for (b, c) in counts.iter().enumerate() {
                    if mask & (1 << b) != 0 {
                        v = v.checked_mul(c.value)?;
                    }
                }
                alts.push(v);
            }
        }
        let mut labels: Vec<&str> = counts.iter().map(|c| c.label.as_str()).collect();
        labels.push(&price.label);
        Some(Term {
            amount: full,
            unit: price.unit,
            label: labels.join("×"),
            derived: true,
            alts,
        })
    }

    fn group_is_ambiguous(&self, g: &Group) -> bool {
        !g.consumed && !g.prices.is_empty() && self.group_term(g, false).is_none()
    }

    fn on_equation(&mut self, k: usize, result: Option<usize>) {
        self.equations
            .extend(self.infos[k].equations.iter().cloned());
        self.price_quantities(k);
        self.match_words(k);
        self.close_group();
        if let Some(idx) = result {
            self.on_item(idx);
        }
    }

    /// The quantities stated in words just before an equation should be the ones it
    /// multiplies (`会议费用8次，每次50人，平均每次每人100元；8*50*100=40000元`).
    fn match_words(&mut self, k: usize) {
        let info = &self.infos[k];
        let (Some(factors), Some(lhs)) = (&info.factors, info.lhs) else {
            return;
        };
        let Some(gi) = self.groups.len().checked_sub(1) else {
            return;
        };
        let g = &self.groups[gi];
        let near = g.sentence == info.sentence || g.sentence + 1 == info.sentence;
        if g.consumed
            || g.prices.len() != 1
            || g.counts.is_empty()
            || !near
            || self.part_since_group
        {
            return;
        }
        let mut words: Vec<Decimal> = g.counts.iter().map(|&c| self.items[c].value).collect();
        words.push(self.items[g.prices[0]].value);
        if words.len() != factors.len() || factors.len() < 2 {
            return;
        }
        let mut used = vec![false; words.len()];
        let mut shared = 0;
        for f in factors {
            if let Some(p) = (0..words.len()).find(|&p| !used[p] && words[p] == *f) {
                used[p] = true;
                shared += 1;
            }
        }
        if shared + 1 < factors.len() {
            return;
        }
        let Some(term) = self.group_term(g, false) else {
            return;
        };
        let Some(pu) = self.items[g.prices[0]].unit else {
            return;
        };
        let readings: Vec<Decimal> = if lhs.money {
            vec![lhs.amount]
        } else {
            unit_candidates(info.stated_unit.or(Some(pu)))
                .into_iter()
                .filter_map(|u| lhs.amount.checked_mul(factor(u)))
                .collect()
        };
        let Some(&lhs_yuan) = readings
            .iter()
            .find(|r| **r == term.amount)
            .or(readings.first())
        else {
            return;
        };
        let (Some(c), Some(s)) = (
            term.amount.checked_div(factor(pu)),
            lhs_yuan.checked_div(factor(pu)),
        ) else {
            return;
        };
        let eq = Equation {
            text: format!("{}={}", term.label, info.lhs_text),
            computed: format!("{}{}", fmt_dec(c, 6), pu.label()),
            stated: format!("{}{}", fmt_dec(s, 6), pu.label()),
            holds: term.amount == lhs_yuan,
        };
        self.equations.push(eq);
        self.groups[gi].consumed = true;
    }

    /// `按照每人每月500元标准，10人×12个月=6万元`: the quantities times the price before them.
    fn price_quantities(&mut self, k: usize) {
        let Some((lv, st, text)) = self.infos[k].needs_price.clone() else {
            return;
        };
        let sentence = self.infos[k].sentence;
        let Some(gi) = self.groups.len().checked_sub(1) else {
            return;
        };
        let g = &self.groups[gi];
        if g.consumed
            || g.prices.len() != 1
            || !(g.sentence == sentence || g.sentence + 1 == sentence)
        {
            return;
        }
        let price = &self.items[g.prices[0]];
        let (Some(pu), Some(amount)) = (price.unit, lv.amount.checked_mul(price.amount)) else {
            return;
        };
        let v = V {
            amount,
            money: true,
            hint: Some(pu),
            div: lv.div,
        };
        let Some(cmp) = compare(&v, &st) else { return };
        self.equations.push(Equation {
            text: format!("{}×{}", price.label, text),
            computed: cmp.computed,
            stated: st.display(),
            holds: cmp.holds,
        });
        self.groups[gi].consumed = true;
    }

    fn part_ok(&self, j: usize, depth: usize) -> bool {
        let it = &self.items[j];
        it.role == Role::Part && !it.consumed && it.depth <= depth
    }

    /// `合计12万`: the total of the amounts (and priced quantities) before it.
    fn on_total(&mut self, i: usize) {
        self.close_qz(0);
        self.close_group();
        let depth = self.items[i].depth;
        let sentence = self.items[i].sentence;
        let floor = self.last_total.map_or(0, |t| t + 1);
        let terms_of = |eng: &Self, items: &[usize], groups: &[usize]| -> Vec<Term> {
            // a lone implied product may be read over a subset of its counts
            let alts = items.is_empty() && groups.len() == 1;
            let mut t: Vec<Term> = items.iter().map(|&j| eng.items[j].term()).collect();
            t.extend(
                groups
                    .iter()
                    .filter_map(|&g| eng.group_term(&eng.groups[g], alts)),
            );
            t
        };
        let live_groups = |eng: &Self, from: usize| -> Vec<usize> {
            (from..eng.groups.len())
                .filter(|&g| eng.group_term(&eng.groups[g], false).is_some())
                .collect()
        };
        let a_items: Vec<usize> = (floor..i).filter(|&j| self.part_ok(j, depth)).collect();
        let a_groups = live_groups(self, self.group_floor);
        let b_items: Vec<usize> = (0..i).filter(|&j| self.part_ok(j, depth)).collect();
        let b_groups = live_groups(self, 0);
        let c_items: Vec<usize> = a_items
            .iter()
            .copied()
            .filter(|&j| self.items[j].sentence == sentence)
            .collect();
        let c_groups: Vec<usize> = a_groups
            .iter()
            .copied()
            .filter(|&g| self.groups[g].sentence == sentence)
            .collect();
        let mut candidates: Vec<(Vec<usize>, Vec<usize>)> = Vec::new();
        for (it, gr) in [
            (a_items, a_groups),
            (b_items, b_groups),
            (c_items, c_groups),
        ] {
            // a bare number among money amounts may be no amount at all
            let mixed = it.iter().any(|&j| self.items[j].unit.is_some())
                && it
                    .iter()
                    .any(|&j| self.items[j].unit.is_none() && !self.items[j].derived);
            if mixed {
                let money_only: Vec<usize> = it
                    .iter()
                    .copied()
                    .filter(|&j| self.items[j].unit.is_some() || self.items[j].derived)
                    .collect();
                candidates.push((money_only, gr.clone()));
            }
            candidates.push((it, gr));
        }
        // readings in order of preference: since the last total, everything, this sentence
        let mut seen: Vec<(Vec<usize>, Vec<usize>)> = Vec::new();
        candidates.retain(|c| {
            let keep = (!c.0.is_empty() || !c.1.is_empty()) && !seen.contains(c);
            if keep {
                seen.push(c.clone());
            }
            keep
        });
        let ambiguous = self.groups.iter().any(|g| self.group_is_ambiguous(g));

        let mut chosen: Option<(usize, bool, String)> = None;
        let lone = |c: &(Vec<usize>, Vec<usize>)| {
            c.1.is_empty() && c.0.len() == 1 && !self.items[c.0[0]].derived
        };
        let total = self.items[i].clone();
        for (ci, (it, gr)) in candidates.iter().enumerate() {
            let terms = terms_of(self, it, gr);
            let alts = it.is_empty() && gr.len() == 1;
            if let Some((holds, computed)) = check_total(&terms, &total, alts) {
                if holds {
                    chosen = Some((ci, true, computed));
                    break;
                }
                if chosen.is_none() {
                    chosen = Some((ci, false, computed));
                }
            }
        }
        if let Some((ci, holds, computed)) = chosen {
            let (it, gr) = candidates[ci].clone();
            let terms = terms_of(self, &it, &gr);
            // one stated amount against a total may be a mention, not the whole (`已完成投资80万元，
            // 占总投资100万元的80%`): reported only when it agrees
            if holds || !(ambiguous || lone(&candidates[ci])) {
                let labels: Vec<&str> = terms.iter().map(|t| t.label.as_str()).collect();
                let kw = total.total_kw.clone().unwrap_or_default();
                self.equations.push(Equation {
                    text: format!("{}：{}={}", kw, labels.join("+"), total.label),
                    computed,
                    stated: total.stated(),
                    holds,
                });
                self.items[i].derived = true;
            }
            for j in it {
                self.items[j].consumed = true;
            }
            for g in gr {
                self.groups[g].consumed = true;
            }
        }
        self.items[i].is_total = true;
        self.last_total = Some(i);
        self.group_floor = self.groups.len();
        self.part_since_group = true;
    }

    fn open_qz(&mut self, name: &'static str, depth: usize, period: usize, before: usize) {
        self.close_group();
        let total = (0..before)
            .rev()
            .take_while(|&j| self.items[j].period + 1 >= period)
            .find(|&j| self.part_ok(j, depth));
        self.qz.push(Qz {
            name,
            total,
            parts: Vec::new(),
            inner: Vec::new(),
            depth,
            group_floor: self.groups.len(),
        });
    }

    /// Close the open `其中` lists at `depth` or deeper.
    fn close_qz(&mut self, depth: usize) {
        while self.qz.last().is_some_and(|q| q.depth >= depth) {
            if let Some(q) = self.qz.pop() {
                self.check_qz(q);
            }
        }
    }

    /// `共89.97万元。其中：30万元…；30万元…；29.99万元…`: the parts against the total.
    fn check_qz(&mut self, q: Qz) {
        let Some(t) = q.total else { return };
        for &j in q.parts.iter().chain(&q.inner) {
            self.items[j].consumed = true;
        }
        let groups: Vec<usize> = (q.group_floor..self.groups.len())
            .filter(|&g| self.group_term(&self.groups[g], false).is_some())
            .collect();
        let mut terms: Vec<Term> = q.parts.iter().map(|&j| self.items[j].term()).collect();
        terms.extend(
            groups
                .iter()
                .filter_map(|&g| self.group_term(&self.groups[g], false)),
        );
        if terms.len() < 2 {
            return;
        }
        for g in groups {
            self.groups[g].consumed = true;
        }
        let total = self.items[t].clone();
        if let Some((holds, computed)) = check_total(&terms, &total, false) {
            let labels: Vec<&str> = terms.iter().map(|t| t.label.as_str()).collect();
            self.equations.push(Equation {
                text: format!("{}：{}={}", q.name, labels.join("+"), total.label),
                computed,
                stated: total.stated(),
                holds,
            });
        }
        self.items[t].is_total = true;
        self.items[t].derived = true;
        self.last_total = Some(self.last_total.map_or(t, |l| l.max(t)));
        self.group_floor = self.groups.len();
    }

    /// `执行率16.17%`, `增加31.39%`: a rate against the amounts before it.
    fn on_percent(&mut self, i: usize) {
        let it = self.items[i].clone();
        let rate_kw = RATE_KWS.iter().find(|k| it.lead.contains(*k));
        let growth = growth_keyword(&it.lead);
        if rate_kw.is_none() && growth.is_none() {
            return;
        }
        self.close_group();
        self.has_rate = true;
        let floor = self.rate_floor;
        self.rate_floor = i + 1;
        if it.approx || it.lead.contains('约') {
            return;
        }
        let mut scope: Vec<usize> = (floor..i)
            .filter(|&j| {
                let x = &self.items[j];
                matches!(x.role, Role::Part | Role::Ref | Role::Delta(_)) && x.line == it.line
            })
            .collect();
        if scope.len() > MAX_RATE_AMOUNTS {
            scope.drain(..scope.len() - MAX_RATE_AMOUNTS);
        }
        let same_kind =
            |a: usize, b: usize| self.items[a].unit.is_some() == self.items[b].unit.is_some();
        let amt = |j: usize| self.items[j].amount;
        let lbl = |j: usize| self.items[j].label.clone();
        // (value in %, text)
        let mut readings: Vec<(Decimal, String)> = Vec::new();
        let pct = |num: Option<Decimal>, den: Option<Decimal>| -> Option<Decimal> {
            let (num, den) = (num?, den?);
            if den.is_zero() {
                return None;
            }
            num.checked_div(den)?.checked_mul(Decimal::ONE_HUNDRED)
        };
        let name;
        if let Some(kw) = rate_kw {
            name = kw.to_string();
            let n = scope.len();
            let mut pairs: Vec<(usize, usize)> = Vec::new();
            if n >= 2 {
                pairs.push((scope[n - 1], scope[n - 2]));
            }
            for &a in &scope {
                for &b in &scope {
                    if a != b && !pairs.contains(&(a, b)) {
                        pairs.push((a, b));
                    }
                }
            }
            for (a, b) in pairs {
                if same_kind(a, b) {
                    if let Some(v) = pct(Some(amt(a)), Some(amt(b))) {
                        readings.push((v, format!("{}÷{}", lbl(a), lbl(b))));
                    }
                }
            }
        } else {
            let inc = growth.unwrap_or(true);
            name = if inc { "增长率" } else { "下降率" }.to_string();
            let delta = scope
                .iter()
                .rposition(|&j| self.items[j].role == Role::Delta(inc));
            let base = delta.and_then(|d| {
                scope[..d]
                    .iter()
                    .rposition(|&j| !matches!(self.items[j].role, Role::Delta(_)))
            });
            if let (Some(d), Some(b)) = (delta, base) {
                let (d, a) = (scope[d], scope[b]);
                if same_kind(d, a) {
                    let (dv, av) = (amt(d), amt(a));
                    let prior = if inc {
                        av.checked_sub(dv)
                    } else {
                        av.checked_add(dv)
                    };
                    let sign = if inc { "-" } else { "+" };
                    if let Some(v) = pct(Some(dv), prior) {
                        readings.push((v, format!("{}÷({}{}{})", lbl(d), lbl(a), sign, lbl(d))));
                    }
                    if let Some(v) = pct(Some(dv), Some(av)) {
                        readings.push((v, format!("{}÷{}", lbl(d), lbl(a))));
                    }
                }
            } else {
                let plain: Vec<usize> = scope
                    .iter()
                    .copied()
                    .filter(|&j| !matches!(self.items[j].role, Role::Delta(_)))
                    .collect();
                if plain.len() >= 2 {
                    let (x, y) = (plain[plain.len() - 2], plain[plain.len() - 1]);
                    if same_kind(x, y) {
                        let (xv, yv) = (amt(x), amt(y));
                        // either amount may be the earlier year's
                        for ((a, av), (b, bv)) in [((x, xv), (y, yv)), ((y, yv), (x, xv))] {
                            let change = if inc {
                                bv.checked_sub(av)
                            } else {
                                av.checked_sub(bv)
                            };
                            if let Some(v) = pct(change, Some(av)) {
                                let text = if inc {
                                    format!("({}-{})÷{}", lbl(b), lbl(a), lbl(a))
                                } else {
                                    format!("({}-{})÷{}", lbl(a), lbl(b), lbl(a))
                                };
                                readings.push((v, text));
                            }
                        }
                    }
                }
            }
        }
        if readings.is_empty() {
            return;
        }
        let hit = readings
            .iter()
            .position(|r| agrees(r.0, it.value, it.dp, true));
        let r = &readings[hit.unwrap_or(0)];
        self.equations.push(Equation {
            text: format!("{}：{}={}", name, r.1, it.stated()),
            computed: format!("{}%", fmt_dec(r.0, it.dp + 2)),
            stated: it.stated(),
            holds: hit.is_some(),
        });
    }

    /// `长4.5米,宽3米,占地13.5平方米`.
    fn check_area(&mut self, i: usize) {
        let it = self.items[i].clone();
        let dims = if AREA_UNITS.contains(&it.count_unit.as_str()) {
            2
        } else if VOLUME_UNITS.contains(&it.count_unit.as_str()) {
            3
        } else {
            return;
        };
        let metres: Vec<usize> = (self.area_floor..i)
            .filter(|&j| {
                let x = &self.items[j];
                x.role == Role::Count
                    && x.count_unit == "米"
                    && !x.consumed
                    && x.sentence == it.sentence
            })
            .collect();
        if metres.len() < dims {
            return;
        }
        let used = &metres[metres.len() - dims..];
        if !used
            .iter()
            .any(|&j| self.items[j].lead.contains(DIMENSION_HINTS))
        {
            return;
        }
        let mut product = Decimal::ONE;
        for &j in used {
            match product.checked_mul(self.items[j].value) {
                Some(p) => product = p,
                None => return,
            }
        }
        let labels: Vec<String> = used.iter().map(|&j| self.items[j].label.clone()).collect();
        self.equations.push(Equation {
            text: format!("{}={}", labels.join("×"), it.label),
            computed: format!("{}{}", fmt_dec(product, it.dp.max(2) + 4), it.count_unit),
            stated: it.stated(),
            holds: agrees(product, it.value, it.dp, it.dp >= 2),
        });
        for &j in used {
            self.items[j].consumed = true;
        }
        self.area_floor = i + 1;
    }

    // ---- the text's own total

    fn text_total(&self) -> Option<(Vec<Term>, String)> {
        let top: Vec<&Item> = self
            .items
            .iter()
            .filter(|it| it.role == Role::Part && !it.consumed && it.depth == 0)
            .collect();
        match top.as_slice() {
            [] => None,
            [one] => (one.is_total || one.derived).then(|| (vec![one.term()], one.label.clone())),
            many => {
                // several amounts itemise the row only when nothing else is going on
                let clean = !self.has_rate
                    && !self.items.iter().any(|it| matches!(it.role, Role::Ref | Role::Delta(_)))
                    && !self.groups.iter().any(|g| !g.consumed && !g.prices.is_empty())
                    && many.iter().all(|it| (it.unit.is_some() || it.derived) && !it.approx)
                    // a stated total nobody checked (`总投资100万元`) is not one of the parts
                    && many.iter().all(|it| !it.is_total || it.derived);
                // `2022年预算10万元，2023年预算12万元` compares, it does not itemise
                let distinct = many.iter().enumerate().all(|(a, x)| {
                    many[..a]
                        .iter()
                        .all(|y| y.lead != x.lead || (x.lead.is_empty() && x.derived))
                });
                if !clean || !distinct {
                    return None;
                }
                let terms: Vec<Term> = many.iter().map(|it| it.term()).collect();
                let label = terms
                    .iter()
                    .map(|t| t.label.as_str())
                    .collect::<Vec<_>>()
                    .join("+");
                Some((terms, label))
            }
        }
    }

    fn finish(mut self, amount: Option<Money>) -> CalcReport {
        let mut total = None;
        if let Some((terms, label)) = self.text_total() {
            let first_money = terms.iter().find_map(|t| t.unit);
            let all_derived = terms.iter().all(|t| t.derived);
            let default_unit = first_money.unwrap_or(if all_derived {
                MoneyUnit::Yuan
            } else {
                MoneyUnit::Wan
            });
            let sum_in = |u: MoneyUnit| -> Option<Decimal> {
                terms.iter().try_fold(Decimal::ZERO, |acc, t| {
                    let y = if t.unit.is_some() {
                        t.amount
                    } else {
                        t.amount.checked_mul(factor(u))?
                    };
                    acc.checked_add(y)
                })
            };
            let report_unit = |u: MoneyUnit| -> MoneyUnit {
                if terms.iter().any(|t| t.unit == Some(MoneyUnit::Wan))
                    || (first_money.is_none() && u == MoneyUnit::Wan)
                {
                    MoneyUnit::Wan
                } else {
                    first_money.unwrap_or(u)
                }
            };
            let mut unit_used = default_unit;
            if let Some(row) = amount {
                let tolerant = row.amount.scale() >= 2;
                // bare numbers: 元 or 万元, the likelier first
                let units = if first_money.is_some() {
                    vec![default_unit]
                } else {
                    unit_candidates(Some(default_unit))
                };
                let mut first: Option<String> = None;
                let mut held = None;
                for u in units {
                    let Some(s) = sum_in(u).and_then(|s| s.checked_div(factor(row.unit))) else {
                        continue;
                    };
                    let shown = format!(
                        "{}{}",
                        fmt_dec(s, row.amount.scale().max(2) + 4),
                        row.unit.label()
                    );
                    if agrees(s, row.amount, row.amount.scale(), tolerant) {
                        held = Some((u, shown));
                        break;
                    }
                    first.get_or_insert(shown);
                }
                let holds = held.is_some();
                // `预算12万元，申请12万元` restates the row, it does not itemise it
                let restates = terms.len() > 1
                    && terms.iter().any(|t| {
                        let y = match t.unit {
                            Some(_) => Some(t.amount),
                            None => t.amount.checked_mul(factor(default_unit)),
                        };
                        y.and_then(|y| y.checked_div(factor(row.unit))) == Some(row.amount)
                    });
                let computed = match held {
                    Some((u, shown)) => {
                        unit_used = u;
                        shown
                    }
                    None => first.unwrap_or_default(),
                };
                if !computed.is_empty() && (holds || !restates) {
                    self.equations.push(Equation {
                        text: format!("文本合计{}，金额{}", label, row.display()),
                        computed,
                        stated: row.display(),
                        holds,
                    });
                }
            }
            let ru = report_unit(unit_used);
            total = sum_in(unit_used)
                .and_then(|s| s.checked_div(factor(ru)))
                .map(|v| Money::new(v.normalize(), ru));
        }
        let verdict = if self.equations.iter().any(|e| !e.holds) {
            Verdict::Inconsistent
        } else if self.equations.is_empty() {
            Verdict::Unverifiable
        } else {
            Verdict::Consistent
        };
        CalcReport {
            verdict,
            equations: self.equations,
            total,
        }
    }
}

/// `其中`, `包括`, and `含` right after a bracket (`5万元（含办公用品2万元…）`) open a list of parts.
fn parts_marker(w: &str, prev: Option<&Tok>) -> Option<&'static str> {
    if w.contains("其中") {
        Some("其中")
    } else if w.starts_with("包括") || w.starts_with("包含") {
        Some("包括")
    } else if w.starts_with('含') && matches!(prev, Some(Tok::Open)) {
        Some("含")
    } else {
        None
    }
}

fn classify(lead: &str, approx: bool, priced: bool) -> Role {
    if let Some(inc) = growth_keyword(lead) {
        Role::Delta(inc)
    } else if approx || REF_KWS.iter().any(|k| lead.contains(k)) {
        Role::Ref
    } else if priced {
        Role::Price
    } else {
        Role::Part
    }
}

/// The left side as `a*b*c` of plain numbers, for matching the words before it.
fn product_factors(toks: &[Token], seg: &[usize]) -> Option<Vec<Decimal>> {
    let mut out = Vec::new();
    for (p, &i) in seg.iter().enumerate() {
        match (&toks[i].tok, p % 2) {
            (Tok::Num(n), 0) if !n.noise => out.push(n.value),
            (Tok::Op('*'), 1) => {}
            _ => return None,
        }
    }
    (seg.len() % 2 == 1).then_some(out)
}

/// Runs of numbers, operators and parentheses that contain an operator or `=`.
fn find_runs(toks: &[Token]) -> Vec<Vec<usize>> {
    let mut runs: Vec<Vec<usize>> = Vec::new();
    let mut cur: Vec<usize> = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        match &t.tok {
            Tok::Sep(Sep::Space) => {}
            Tok::Num(_) | Tok::Op(_) | Tok::Eq | Tok::Open | Tok::Close => {
                let starts_operand = matches!(t.tok, Tok::Num(_) | Tok::Open);
                let after_operand = cur
                    .last()
                    .is_some_and(|&p| matches!(toks[p].tok, Tok::Num(_) | Tok::Close));
                if starts_operand && after_operand {
                    runs.push(std::mem::take(&mut cur));
                }
                cur.push(i);
            }
            _ => {
                if !cur.is_empty() {
                    runs.push(std::mem::take(&mut cur));
                }
            }
        }
    }
    if !cur.is_empty() {
        runs.push(cur);
    }
    runs.into_iter()
        .map(|r| trim_run(toks, r))
        .filter(|r| {
            r.iter()
                .any(|&i| matches!(toks[i].tok, Tok::Op(_) | Tok::Eq))
                && r.iter().any(|&i| matches!(toks[i].tok, Tok::Num(_)))
        })
        .collect()
}

/// Drop dangling operators and unbalanced parentheses at the ends of a run.
fn trim_run(toks: &[Token], r: Vec<usize>) -> Vec<usize> {
    let mut opens = r
        .iter()
        .filter(|&&i| matches!(toks[i].tok, Tok::Open))
        .count();
    let mut closes = r
        .iter()
        .filter(|&&i| matches!(toks[i].tok, Tok::Close))
        .count();
    let (mut lo, mut hi) = (0, r.len());
    while lo < hi {
        let first = &toks[r[lo]].tok;
        let last = &toks[r[hi - 1]].tok;
        if matches!(first, Tok::Op(_) | Tok::Close | Tok::Eq)
            || (opens > closes && matches!(first, Tok::Open))
        {
            match first {
                Tok::Open => opens -= 1,
                Tok::Close => closes -= 1,
                _ => {}
            }
            lo += 1;
        } else if matches!(last, Tok::Op(_) | Tok::Open | Tok::Eq)
            || (closes > opens && matches!(last, Tok::Close))
        {
            match last {
                Tok::Open => opens -= 1,
                Tok::Close => closes -= 1,
                _ => {}
            }
            hi -= 1;
        } else {
            break;
        }
    }
    r[lo..hi].to_vec()
}

/// Sum `terms` and compare with the stated `total`, trying 元 and 万元 for bare numbers.
/// `alts`: a lone implied product may also be read over a subset of its counts.
fn check_total(terms: &[Term], total: &Item, alts: bool) -> Option<(bool, String)> {
    if terms.is_empty() {
        return None;
    }
    let all_plain = total.unit.is_none() && terms.iter().all(|t| t.unit.is_none());
    let units: Vec<Option<MoneyUnit>> = if all_plain {
        vec![None]
    } else {
        let mut v: Vec<Option<MoneyUnit>> = Vec::new();
        let firsts = [total.unit].into_iter().chain(terms.iter().map(|t| t.unit));
        for u in firsts
            .chain([Some(MoneyUnit::Yuan), Some(MoneyUnit::Wan)])
            .flatten()
        {
            if !v.contains(&Some(u)) {
                v.push(Some(u));
            }
        }
        v
    };
    let tolerant = total.dp >= 2;
    let label = total.unit.map_or("", |u| u.label());
    let mut first: Option<String> = None;
    for u in units {
        let mut sums: Vec<Decimal> = Vec::new();
        let full = terms.iter().try_fold(Decimal::ZERO, |acc, t| {
            let y = match (t.unit, u) {
                (Some(_), _) | (None, None) => t.amount,
                (None, Some(u)) => t.amount.checked_mul(factor(u))?,
            };
            acc.checked_add(y)
        });
        sums.extend(full);
        if alts && terms.len() == 1 {
            sums.extend(terms[0].alts.iter().copied());
        }
        for s in sums {
            let scale = match (total.unit, u) {
                (Some(tu), _) => factor(tu),
                (None, Some(u)) => factor(u),
                (None, None) => Decimal::ONE,
            };
            let Some(c) = s.checked_div(scale) else {
                continue;
            };
            let shown = format!("{}{}", fmt_dec(c, total.dp.max(2) + 4), label);
            if agrees(c, total.value, total.dp, tolerant) {
                return Some((true, shown));
            }
            first.get_or_insert(shown);
        }
    }
    first.map(|f| (false, f))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wan(s: &str) -> Money {
        Money::wan(Decimal::from_str(s).unwrap())
    }

    fn yuan(s: &str) -> Money {
        Money::yuan(Decimal::from_str(s).unwrap())
    }

    /// (text, computed, stated, holds) of each equation.
    fn eqs(r: &CalcReport) -> Vec<(&str, &str, &str, bool)> {
        r.equations
            .iter()
            .map(|e| {
                (
                    e.text.as_str(),
                    e.computed.as_str(),
                    e.stated.as_str(),
                    e.holds,
                )
            })
            .collect()
    }

    fn verdict(text: &str) -> Verdict {
        analyze(text, None).verdict
    }

    /// The seed's 支出测算依据 texts with their row amounts (forms.md §5).
    const SEED: &[(&str, &str)] = &[
        ("专职人员工作经费8万/年；会议费用8次，每次50人，平均每次每人100元；8*50*100=40000元。合计12万", "12"),
        ("外出学习考察50人，共4次，每次每人300元，50*4*300=60000；场地座谈会100元每人*200人=20000；合计8万", "8"),
        ("走访慰问200人次/年，每次500元，合计10万；民宗工作宣传计划5万元，民宗示范点建设经费2万元。", "17"),
        ("工委工作经费：5个*5000元/个=2.5万元", "2.5"),
        ("[bookmark: _GoBack]支部工作经费：39个*1000元/个=3.9万元", "3.9"),
    ];

    #[test]
    fn products_with_units() {
        let r = analyze("工委工作经费：5个*5000元/个=2.5万元", None);
        assert_eq!(r.verdict, Verdict::Consistent);
        assert_eq!(
            eqs(&r),
            vec![("5个*5000元/个=2.5万元", "2.5万元", "2.5万元", true)]
        );
        assert_eq!(r.total, Some(wan("2.5")));

        let r = analyze("支部工作经费：39个*1000元/个=3.9万元", None);
        assert_eq!(
            eqs(&r),
            vec![("39个*1000元/个=3.9万元", "3.9万元", "3.9万元", true)]
        );

        let r = analyze("场地座谈会100元每人*200人=20000", None);
        assert_eq!(
            eqs(&r),
            vec![("100元每人*200人=20000", "20000元", "20000", true)]
        );
        assert_eq!(r.total, Some(yuan("20000")));

        let r = analyze("50*4*300=60000", None);
        assert_eq!(eqs(&r), vec![("50*4*300=60000", "60000", "60000", true)]);

        let r = analyze("8*50*100=40000元", None);
        assert_eq!(
            eqs(&r),
            vec![("8*50*100=40000元", "40000元", "40000元", true)]
        );

        let r = analyze("8*50*100=40001元", None);
        assert_eq!(r.verdict, Verdict::Inconsistent);
        assert_eq!(
            eqs(&r),
            vec![("8*50*100=40001元", "40000元", "40001元", false)]
        );

        // 25005 元 is not 2.5万元: a result written with one decimal is held exactly
        assert_eq!(verdict("5个*5001元/个=2.5万元"), Verdict::Inconsistent);
    }

    #[test]
    fn multiplication_and_division_glyphs() {
        for text in [
            "5个×5000元/个=2.5万元",
            "5x5000=25000元",
            "5X5000=25000元",
            "5＊5000=25000元",
            "5·5000=25000元",
            "5 * 5000 = 25000 元",
            "５个＊５０００元／个＝２．５万元",
        ] {
            let r = analyze(text, None);
            assert_eq!(r.verdict, Verdict::Consistent, "{text}: {r:#?}");
            assert_eq!(r.equations.len(), 1, "{text}");
        }
        let r = analyze("1000÷4=250元", None);
        assert_eq!(eqs(&r), vec![("1000/4=250元", "250元", "250元", true)]);
        let r = analyze("1000/3=333.33元", None);
        assert_eq!(
            eqs(&r),
            vec![("1000/3=333.33元", "333.333333元", "333.33元", true)]
        );
        assert_eq!(verdict("(3+2)*1000=5000元"), Verdict::Consistent);
        assert_eq!(verdict("(3+2)*1000=6000元"), Verdict::Inconsistent);
        // `元/个`, `万/年` are units, not division
        let r = analyze("租赁费1.5万/年*3年=4.5万元", None);
        assert_eq!(
            eqs(&r),
            vec![("1.5万/年*3年=4.5万元", "4.5万元", "4.5万元", true)]
        );
        // 20xx is no number, and x inside words is no operator
        assert_eq!(verdict("20xx年预算"), Verdict::Unverifiable);
    }

    #[test]
    fn money_units_convert_and_round_to_the_written_precision() {
        let r = analyze("7289元*10=7.29万元", None);
        assert_eq!(
            eqs(&r),
            vec![("7289元*10=7.29万元", "7.289万元", "7.29万元", true)]
        );
        assert_eq!(verdict("7289元*10=7.30万元"), Verdict::Inconsistent);
        // half-up: 7.285 → 7.29
        assert_eq!(verdict("7285元*10=7.29万元"), Verdict::Consistent);
        assert_eq!(verdict("7284元*10=7.29万元"), Verdict::Inconsistent);
        let r = analyze("2亿元/4=5000万元", None);
        assert_eq!(
            eqs(&r),
            vec![("2亿元/4=5000万元", "5000万元", "5000万元", true)]
        );
        assert_eq!(verdict("40000元=4万元"), Verdict::Consistent);
        assert_eq!(verdict("40000元=5万元"), Verdict::Inconsistent);
        // a bare number added to 万元 is read in 万元
        assert_eq!(verdict("10万+5+2=17万元"), Verdict::Consistent);
    }

    #[test]
    fn total_covers_the_amounts_before_it() {
        let (text, _) = SEED[0];
        let r = analyze(text, Some(wan("12")));
        assert_eq!(r.verdict, Verdict::Consistent);
        assert_eq!(
            eqs(&r),
            vec![
                ("8*50*100=40000元", "40000元", "40000元", true),
                ("8次×50人×100元=8*50*100", "40000元", "40000元", true),
                ("合计：8万+40000元=12万", "12万元", "12万元", true),
                ("文本合计12万，金额12万元", "12万元", "12万元", true),
            ]
        );
        assert_eq!(r.total, Some(wan("12")));

        let r = analyze("培训费3万元，会议费2.5万元，资料费5000元，合计6万元", None);
        assert_eq!(
            eqs(&r),
            vec![("合计：3万元+2.5万元+5000元=6万元", "6万元", "6万元", true)]
        );
        let r = analyze(
            "培训费3万元，会议费2.5万元，资料费5000元，共计6.1万元",
            None,
        );
        assert_eq!(
            eqs(&r),
            vec![(
                "共计：3万元+2.5万元+5000元=6.1万元",
                "6万元",
                "6.1万元",
                false
            )]
        );
        // subtotals then a grand total
        assert_eq!(
            verdict("A费3万元，B费2万元，小计5万元；C费1万元，D费1万元，小计2万元；总计7万元"),
            Verdict::Consistent
        );
        assert_eq!(
            verdict("A费3万元，B费2万元，合计5万元；C费1万元，D费7万元，合计8万元"),
            Verdict::Consistent
        );
        // one amount before a total may be a mention: checked only when it agrees
        assert_eq!(
            verdict("已完成投资80万元，占总投资100万元的80%。"),
            Verdict::Unverifiable
        );
        assert_eq!(verdict("A费5万元，合计5万元"), Verdict::Consistent);
        // but a computed amount is held to its total
        assert_eq!(verdict("8*50*100=40000元。合计5万"), Verdict::Inconsistent);
        // a price per person per day with the counts around it
        assert_eq!(
            verdict("每次培训50人，每人每天伙食补助100元，培训3天，共2期，计3万元。"),
            Verdict::Consistent
        );
        // 公共 is no 共
        assert_eq!(verdict("一般公共预算资金50万元"), Verdict::Unverifiable);
        // 共4次 is a count, not a total
        assert_eq!(verdict("共4次"), Verdict::Unverifiable);
    }

    #[test]
    fn seed_second_text() {
        let (text, _) = SEED[1];
        let r = analyze(text, Some(wan("8")));
        assert_eq!(r.verdict, Verdict::Consistent);
        assert_eq!(
            eqs(&r),
            vec![
                ("50*4*300=60000", "60000", "60000", true),
                ("50人×4次×300元=50*4*300", "60000元", "60000元", true),
                ("100元每人*200人=20000", "20000元", "20000", true),
                ("合计：60000+20000=8万", "8万元", "8万元", true),
                ("文本合计8万，金额8万元", "8万元", "8万元", true),
            ]
        );
    }

    #[test]
    fn quantity_times_price_in_words() {
        let (text, _) = SEED[2];
        let r = analyze(text, Some(wan("17")));
        assert_eq!(r.verdict, Verdict::Consistent);
        assert_eq!(
            eqs(&r),
            vec![
                ("合计：200人次/年×500元=10万", "10万元", "10万元", true),
                (
                    "文本合计10万+5万元+2万元，金额17万元",
                    "17万元",
                    "17万元",
                    true
                ),
            ]
        );
        assert_eq!(r.total, Some(wan("17")));
        let r = analyze("走访慰问200人次/年，每次500元，合计12万", None);
        assert_eq!(
            eqs(&r),
            vec![("合计：200人次/年×500元=12万", "10万元", "12万元", false)]
        );
        // a count that is not a factor does not make a false alarm
        assert_eq!(
            verdict("组织3个乡镇100名群众开展培训，每人200元，合计2万元"),
            Verdict::Consistent
        );
        // rent per year over years
        assert_eq!(
            verdict("租金2万元/年，租期3年，合计6万元"),
            Verdict::Consistent
        );
        assert_eq!(
            verdict("租金2万元/年，租期3年，合计5万元"),
            Verdict::Inconsistent
        );
    }

    #[test]
    fn quantities_priced_in_the_words_before() {
        let r = analyze("按照每人每月500元标准，10人×12个月=6万元", None);
        assert_eq!(
            eqs(&r),
            vec![("500元×10人*12个月=6万元", "6万元", "6万元", true)]
        );
        assert_eq!(
            verdict("按照每人每月500元标准，10人×12个月=7万元"),
            Verdict::Inconsistent
        );
        // without a price the quantities alone prove nothing
        assert_eq!(verdict("10人×12个月=6万元"), Verdict::Unverifiable);
        let r = analyze("聘请专家5人次，每人次2000元，计1万元", None);
        assert_eq!(
            eqs(&r),
            vec![("计：5人次×2000元=1万元", "1万元", "1万元", true)]
        );
        assert_eq!(
            verdict("经费标准：每个支部1000元，全区39个支部，共3.9万元"),
            Verdict::Consistent
        );
        assert_eq!(
            verdict("经费标准：每个支部1000元，全区39个支部，共4万元"),
            Verdict::Inconsistent
        );
        assert_eq!(verdict("预计投入5万元"), Verdict::Unverifiable);
    }

    #[test]
    fn words_before_an_equation_must_match_it() {
        let r = analyze(
            "会议费用9次，每次50人，平均每次每人100元；8*50*100=40000元",
            None,
        );
        assert_eq!(r.verdict, Verdict::Inconsistent);
        assert!(eqs(&r).contains(&("9次×50人×100元=8*50*100", "45000元", "40000元", false)));
        // an unrelated equation is not compared with the words
        assert_eq!(
            verdict("每人每天100元，共20人；场地费：2*3000=6000元"),
            Verdict::Consistent
        );
    }

    #[test]
    fn qizhong_lists() {
        let r = analyze(
            "本项目共完成预算资金89.97万元。其中:30万元用于基建工程项目预算编制;30万元用于基建工程项目审计;29.99万元用于基建工程项目设计、规划、测绘。",
            None,
        );
        assert_eq!(r.verdict, Verdict::Inconsistent);
        assert_eq!(
            eqs(&r),
            vec![(
                "其中：30万元+30万元+29.99万元=89.97万元",
                "89.99万元",
                "89.97万元",
                false
            )]
        );
        let r = analyze(
            "2023年中央残疾人事业发展补助资金134.39万元下达给你们,其中:一般公共预算资金50.29万元、中央专项彩票公益金支持残疾人事业发展补助资金84.1万元。",
            Some(wan("134.39")),
        );
        assert_eq!(r.verdict, Verdict::Consistent);
        assert_eq!(
            eqs(&r)[0],
            (
                "其中：50.29万元+84.1万元=134.39万元",
                "134.39万元",
                "134.39万元",
                true
            )
        );
        assert_eq!(r.total, Some(wan("134.39")));
        let r = analyze("工作经费5万元（含办公用品2万元、印刷费3万元）。", None);
        assert_eq!(
            eqs(&r),
            vec![("含：2万元+3万元=5万元", "5万元", "5万元", true)]
        );
        assert_eq!(
            verdict("工作经费5万元（含办公用品2万元、印刷费4万元）。"),
            Verdict::Inconsistent
        );
        assert_eq!(
            verdict("项目预算30万元，包括设备购置20万元，安装调试5万元，培训5万元。"),
            Verdict::Consistent
        );
        // a single 其中 part is a mention, not an itemisation
        assert_eq!(
            verdict("项目资金10万元，其中财政资金8万元。"),
            Verdict::Unverifiable
        );
        // amounts after the sentence are not parts
        assert_eq!(
            verdict("共10万元，其中A费6万元，B费4万元。另需C费1万元。"),
            Verdict::Consistent
        );
        // a nested 其中 in brackets
        assert_eq!(
            verdict("共100万元，其中A费60万元（其中x 30万元，y 30万元），B费40万元。"),
            Verdict::Consistent
        );
    }

    #[test]
    fn differences() {
        let r = analyze("1075.8-466.42=609.38万元", None);
        assert_eq!(
            eqs(&r),
            vec![("1075.8-466.42=609.38万元", "609.38万元", "609.38万元", true)]
        );
        assert_eq!(verdict("1075.8-466.42=609.48万元"), Verdict::Inconsistent);
        // 1-6月 is a span of months, not arithmetic
        assert_eq!(verdict("1-6月实际支出3.12万元"), Verdict::Unverifiable);
    }

    #[test]
    fn rates() {
        let r = analyze("年初45.76万元，执行27.13万元，完成率59.29%", None);
        assert_eq!(
            eqs(&r),
            vec![(
                "完成率：27.13万元÷45.76万元=59.29%",
                "59.2876%",
                "59.29%",
                true
            )]
        );
        assert_eq!(
            verdict("年初45.76万元，执行27.13万元，完成率59.30%"),
            Verdict::Inconsistent
        );
        let r = analyze(
            "20xx年本單位項目支出預算19.3萬元,1-6月實際支出3.12萬元,預算執行率為16.17%。",
            None,
        );
        assert_eq!(
            eqs(&r),
            vec![(
                "执行率：3.12万元÷19.3万元=16.17%",
                "16.1658%",
                "16.17%",
                true
            )]
        );
        let r = analyze(
            "1、收入:792.22万元。同比上年度增加189.25万元,增加31.39%。",
            None,
        );
        assert_eq!(
            eqs(&r),
            vec![(
                "增长率：189.25万元÷(792.22万元-189.25万元)=31.39%",
                "31.3863%",
                "31.39%",
                true
            )]
        );
        assert_eq!(
            verdict("收入:792.22万元。同比上年度增加189.25万元,增加31.40%。"),
            Verdict::Inconsistent
        );
        assert_eq!(
            verdict("上年100万元，本年120万元，增长20%"),
            Verdict::Consistent
        );
        assert_eq!(
            verdict("上年100万元，本年120万元，增长25%"),
            Verdict::Inconsistent
        );
        // a rate with nothing to compute it from is no check
        assert_eq!(verdict("资金执行率100%"), Verdict::Unverifiable);
    }

    #[test]
    fn areas() {
        let r = analyze("长4.5米,宽3米,占地13.5平方米", None);
        assert_eq!(
            eqs(&r),
            vec![("4.5米×3米=13.5平方米", "13.5平方米", "13.5平方米", true)]
        );
        assert_eq!(verdict("长4.5米,宽3米,占地14平方米"), Verdict::Inconsistent);
        assert_eq!(
            verdict("长4米，宽3米，高2米，体积24立方米"),
            Verdict::Consistent
        );
    }

    #[test]
    fn script_width_separators_and_noise() {
        assert_eq!(
            verdict("工委工作經費：5個*5000元/個=2.5萬元"),
            Verdict::Consistent
        );
        assert_eq!(verdict("總額1.5億元=15000萬元"), Verdict::Consistent);
        let r = analyze(
            "本项目共完成预算资金1,329,120.67元，其中村级组织运转439,120.67元，村级事务补助890,000元。",
            None,
        );
        assert_eq!(
            eqs(&r),
            vec![(
                "其中：439,120.67元+890,000元=1,329,120.67元",
                "1329120.67元",
                "1329120.67元",
                true
            )]
        );
        assert_eq!(r.total, Some(yuan("1329120.67")));
        let r = analyze(
            "[bookmark: _GoBack]支部工作经费：39个*1000元/个=3.9万元",
            None,
        );
        assert_eq!(r.verdict, Verdict::Consistent);
        // a list of small numbers joined by full-width commas is not one number
        assert_eq!(verdict("8，500，300"), Verdict::Unverifiable);
    }

    #[test]
    fn nothing_checkable_is_unverifiable() {
        for text in [
            "",
            "工作经费8万元",
            "用于开展统战工作",
            "每人补助500元",
            "2023年12月31日前完成",
            "联系电话13800000000",
            "合计",
            "1、2、3、",
        ] {
            let r = analyze(text, None);
            assert_eq!(r.verdict, Verdict::Unverifiable, "{text}: {r:#?}");
            assert!(r.equations.is_empty());
        }
        // a lone amount is not compared with the row either
        assert_eq!(
            analyze("工作经费8万元", Some(wan("9"))).verdict,
            Verdict::Unverifiable
        );
    }

    #[test]
    fn row_amount_against_the_text_total() {
        let r = analyze("10万+5万+2万=17万", Some(wan("17")));
        assert_eq!(r.verdict, Verdict::Consistent);
        assert_eq!(
            eqs(&r)[1],
            ("文本合计17万，金额17万元", "17万元", "17万元", true)
        );
        let r = analyze("10万+5万+2万=17万", Some(wan("18")));
        assert_eq!(r.verdict, Verdict::Inconsistent);
        assert_eq!(
            eqs(&r)[1],
            ("文本合计17万，金额18万元", "17万元", "18万元", false)
        );
        // parts that itemise the row
        assert_eq!(
            analyze("宣传费5万元，示范点建设经费2万元。", Some(wan("7"))).verdict,
            Verdict::Consistent
        );
        assert_eq!(
            analyze("宣传费5万元，示范点建设经费2万元。", Some(wan("8"))).verdict,
            Verdict::Inconsistent
        );
        assert_eq!(
            analyze("宣传费5万元，示范点建设经费2万元。", None).total,
            Some(wan("7"))
        );
        // not when one amount is only a reference
        assert_eq!(
            analyze("上年5万元，本年申请7万元。", Some(wan("7"))).verdict,
            Verdict::Unverifiable
        );
        // amounts that compare years, or a total beside this year's share, do not itemise
        assert_eq!(
            analyze("2022年预算10万元，2023年预算12万元", Some(wan("12"))).verdict,
            Verdict::Unverifiable
        );
        assert_eq!(
            analyze("项目总投资100万元，本年申请30万元", Some(wan("30"))).verdict,
            Verdict::Unverifiable
        );
        assert_eq!(
            analyze("（1）人员经费8万元；（2）公用经费4万元", Some(wan("12"))).verdict,
            Verdict::Consistent
        );
        assert_eq!(
            analyze("预算12万元，申请12万元。", Some(wan("12"))).verdict,
            Verdict::Unverifiable
        );
        // a stated total alone is compared with the row
        assert_eq!(
            analyze("合计12万", Some(wan("12"))).verdict,
            Verdict::Consistent
        );
        assert_eq!(
            analyze("合计12万", Some(wan("13"))).verdict,
            Verdict::Inconsistent
        );
        assert_eq!(
            analyze("合计120000元", Some(wan("12"))).verdict,
            Verdict::Consistent
        );
    }

    #[test]
    fn seed_texts_are_consistent_with_their_rows() {
        for (text, amount) in SEED {
            let r = analyze(text, Some(wan(amount)));
            assert_eq!(r.verdict, Verdict::Consistent, "{text}: {r:#?}");
            assert_eq!(r.total, Some(wan(amount)), "{text}");
            assert!(
                r.equations.iter().any(|e| e.text.starts_with("文本合计")),
                "{text}: row not compared"
            );
        }
    }

    /// Spans of the numbers written in `text` (byte offsets).
    fn number_spans(text: &str) -> Vec<(usize, usize)> {
        let b = text.as_bytes();
        let mut spans = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i].is_ascii_digit() {
                let s = i;
                while i < b.len()
                    && (b[i].is_ascii_digit()
                        || (b[i] == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)))
                {
                    i += 1;
                }
                spans.push((s, i));
            } else {
                i += 1;
            }
        }
        spans
    }

    /// `text` with its `k`-th number raised by one in its last digit (`2.5` → `2.6`).
    fn mutate(text: &str, k: usize) -> String {
        let (s, e) = number_spans(text)[k];
        let old = &text[s..e];
        let dp = old.split_once('.').map_or(0, |(_, f)| f.len() as u32);
        let mut v = Decimal::from_str(old).unwrap() + Decimal::new(1, dp);
        v.rescale(dp);
        format!("{}{}{}", &text[..s], v, &text[e..])
    }

    #[test]
    fn mutation_of_any_seed_number_is_caught() {
        for (text, amount) in SEED {
            let n = number_spans(text).len();
            assert!(n >= 3, "{text}");
            for k in 0..n {
                let m = mutate(text, k);
                let r = analyze(&m, Some(wan(amount)));
                assert_eq!(
                    r.verdict,
                    Verdict::Inconsistent,
                    "mutated number {k}: {m}\n{r:#?}"
                );
            }
        }
    }

    #[test]
    fn serialises_as_documented() {
        let r = analyze("8*50*100=40000元", None);
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["verdict"], "consistent");
        assert_eq!(json["equations"][0]["computed"], "40000元");
        assert_eq!(json["total"], "4");
        assert_eq!(
            serde_json::to_value(Verdict::Unverifiable).unwrap(),
            "unverifiable"
        );
        assert_eq!(
            serde_json::to_value(Verdict::Inconsistent).unwrap(),
            "inconsistent"
        );
    }

    #[test]
    fn pathological_inputs_finish() {
        let started = std::time::Instant::now();
        for text in [
            "1*".repeat(50_000),
            "(".repeat(10_000) + "1" + &")".repeat(10_000) + "=1",
            "9".repeat(100),
            "99999999999999999999*99999999999999999999*99999999999999999999=1".to_string(),
            "1/0=1".to_string(),
            "合计1万，".repeat(2_000),
            "每次1元，2次，".repeat(2_000) + "合计1万",
            "其中1万，".repeat(2_000),
            "-".repeat(5_000) + "1=1",
            "1=".repeat(5_000),
        ] {
            let _ = analyze(&text, Some(wan("1")));
        }
        assert!(
            started.elapsed().as_secs() < 5,
            "took {:?}",
            started.elapsed()
        );
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        const NAMES: &[&str] = &["培训费", "会议费", "印刷费", "差旅费", "劳务费", "宣传费"];

        /// (text, row amount): a product of 2-3 factors with its exact result in 元 or 万元.
        /// Results in 万元 are either exact to 4 decimals (any change shows) or have at most one
        /// decimal (held exactly), so no one-digit change is absorbed by rounding.
        fn product_text() -> impl Strategy<Value = (String, Money)> {
            (
                1u32..=400,
                1u32..=60,
                1u32..=3000,
                any::<bool>(),
                any::<bool>(),
                0usize..NAMES.len(),
            )
                .prop_filter(
                    "万元 result must not round",
                    |(a, b, p, three, in_wan, _)| {
                        let r =
                            u64::from(*a) * u64::from(*p) * if *three { u64::from(*b) } else { 1 };
                        !*in_wan || r % 10 != 0 || r % 1000 == 0
                    },
                )
                .prop_map(|(a, b, p, three, in_wan, name)| {
                    let r = u64::from(a) * u64::from(p) * if three { u64::from(b) } else { 1 };
                    let lhs = if three {
                        format!("{a}*{b}*{p}")
                    } else {
                        format!("{a}个*{p}元/个")
                    };
                    let (stated, row) = if in_wan {
                        let w = (Decimal::from(r) / Decimal::from(10_000)).normalize();
                        (format!("{w}万元"), Money::wan(w))
                    } else {
                        (format!("{r}元"), Money::yuan(Decimal::from(r)))
                    };
                    (format!("{}：{lhs}={stated}", NAMES[name]), row)
                })
        }

        /// Parts in 万元 (two decimals) and one in 元 not a multiple of 10, so the exact total
        /// has four decimals and any one-digit change shows.
        fn parts() -> impl Strategy<Value = (Vec<Decimal>, u32)> {
            (prop::collection::vec(1i64..=99_999, 2..=4), 1u32..=99_999)
                .prop_filter("元 part not a multiple of 10", |(_, y)| y % 10 != 0)
                .prop_map(|(cents, y)| (cents.into_iter().map(|c| Decimal::new(c, 2)).collect(), y))
        }

        fn total_of(parts: &[Decimal], y: u32) -> Decimal {
            let sum: Decimal =
                parts.iter().copied().sum::<Decimal>() + Decimal::from(y) / Decimal::from(10_000);
            sum.normalize()
        }

        fn sum_text() -> impl Strategy<Value = (String, Money)> {
            (parts(), prop::sample::select(vec!["合计", "共计", "总计"])).prop_map(
                |((ps, y), kw)| {
                    let mut s = String::new();
                    for (i, p) in ps.iter().enumerate() {
                        s.push_str(&format!("{}{}万元，", NAMES[i % NAMES.len()], p));
                    }
                    s.push_str(&format!("资料费{y}元，{kw}{}万元", total_of(&ps, y)));
                    (s, Money::wan(total_of(&ps, y)))
                },
            )
        }

        fn qizhong_text() -> impl Strategy<Value = (String, Money)> {
            parts().prop_map(|(ps, y)| {
                let t = total_of(&ps, y);
                let mut s = format!("本项目共安排资金{t}万元，其中：");
                for (i, p) in ps.iter().enumerate() {
                    s.push_str(&format!("{}{}万元；", NAMES[i % NAMES.len()], p));
                }
                s.push_str(&format!("资料费{y}元。"));
                (s, Money::wan(t))
            })
        }

        fn correct_text() -> impl Strategy<Value = (String, Money)> {
            prop_oneof![product_text(), sum_text(), qizhong_text()]
        }

        fn soup() -> impl Strategy<Value = String> {
            let pieces = vec![
                "1",
                "2",
                "0",
                "5",
                "12",
                ".",
                ",",
                "，",
                "。",
                "；",
                ":",
                "万",
                "元",
                "万元",
                "亿",
                "%",
                "个",
                "人",
                "次",
                "年",
                "米",
                "平方米",
                "*",
                "x",
                "×",
                "/",
                "÷",
                "+",
                "-",
                "=",
                "(",
                ")",
                "（",
                "）",
                "合计",
                "共",
                "其中",
                "每",
                "每次",
                "完成率",
                "增加",
                "长",
                "宽",
                "上年",
                " ",
                "\n",
                "[bookmark: x]",
                "萬",
                "１",
            ];
            prop::collection::vec(prop::sample::select(pieces), 0..80).prop_map(|v| v.concat())
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

            #[test]
            fn correct_texts_are_never_flagged((text, row) in correct_text()) {
                let r = analyze(&text, Some(row));
                prop_assert_eq!(r.verdict, Verdict::Consistent, "{}: {:#?}", text, r);
            }

            #[test]
            fn a_changed_number_is_always_flagged((text, row) in correct_text(), k in any::<prop::sample::Index>()) {
                let n = number_spans(&text).len();
                let m = mutate(&text, k.index(n));
                let r = analyze(&m, Some(row));
                prop_assert_eq!(r.verdict, Verdict::Inconsistent, "{}: {:#?}", m, r);
                let r = analyze(&m, None);
                prop_assert_eq!(r.verdict, Verdict::Inconsistent, "{} (no row): {:#?}", m, r);
            }

            #[test]
            fn arbitrary_text_never_panics(text in any::<String>()) {
                let _ = analyze(&text, None);
            }

            #[test]
            fn token_soup_never_panics(text in soup()) {
                let r = analyze(&text, Some(Money::wan(Decimal::ONE)));
                prop_assert_eq!(r.verdict == Verdict::Unverifiable, r.equations.is_empty());
            }
        }
    }
}
