//! Calculation-basis engine (支出测算依据): reads the prose and checks the arithmetic
//! written in it, exactly (decimal arithmetic, never floating point).
//!
//! The work is done in stages, one module each:
//! 1. `normalize`: full-width forms, traditional script, `[bookmark: …]` noise and the
//!    glyphs used for × ÷ = are unified, so later stages see one spelling (`１，２００元` is
//!    `1,200元`).
//! 2. `lexer` (with `number` and `units`): one pass turns the characters into tokens —
//!    numbers with their units (`5000元/个`, `8万/年`, `200人次`, `十二万元`, `三千五百元`),
//!    operators, words, separators and section numbers (`一、`, `(一)`, `1、`) — each tagged
//!    with its place (bracket depth, sentence, line).
//! 3. `equations`: runs of numbers and operators are evaluated (`arith`) and compared
//!    with the result written after `=` (`8*50*100=40000元`, `5个*5000元/个=2.5万元`).
//! 4. `reader`: every other number becomes a `reader::Figure` with a role (an amount, a
//!    unit price, a quantity, a rate, a reference), and the statements are read in order:
//!    * the quantities stated in words just before an equation should be the ones it uses;
//!    * totals (`合计`, `共计`, `小计`, `总额`, `共` …) against the amounts before them, or
//!      against quantity × unit price stated in words (`200人次/年，每次500元，合计10万`),
//!      `其中` lists against the total just before them, and a bracket of parts after an
//!      amount (`90万(设备采购40万元,培训30万元,宣传20万元)`) (`totals`);
//!    * rates (`执行率`, `完成率`, growth after `增加`) and areas (`长4.5米,宽3米,占地13.5平方米`)
//!      (`rates`).
//! 5. `outline`: what spans sentences — numbered sections against the amount heading them
//!    (`项目总预算100万元。一、设备60万元，其中…。二、培训40万元，其中…`), and totals stated
//!    before their parts (`资金总额 250.5 项目支出 80.2 基本支出 170.3`).
//! 6. `verdict`: the text's own total against the row's 金额, and the verdict. It is
//!    `consistent` only when every check holds and every total the text states with its parts
//!    was checked; a stated total the engine cannot tie to its parts leaves it `unverifiable`.
//!
//! When a sentence can be read more than one way (which amounts a 合计 covers, whether a bare
//! number is 元 or 万元) every plausible reading is tried and a mismatch is reported only when
//! none holds. Nothing checkable means [`Verdict::Unverifiable`]: the engine never guesses.

mod arith;
mod equations;
mod keywords;
mod lexer;
mod normalize;
mod number;
mod outline;
mod rates;
mod reader;
mod totals;
mod units;
mod verdict;

#[cfg(test)]
mod tests;

use serde::Serialize;

use crate::money::Money;

/// Longer texts are not read (verdict unverifiable): a 测算依据 cell is a few lines, and this
/// bounds the work on any input.
const MAX_CHARS: usize = 4000;
/// More tokens than this are not read either (`1+1+1…`): no real text has that many.
const MAX_TOKENS: usize = 2000;
/// Brackets nested deeper than this are not read.
const MAX_BRACKET_DEPTH: usize = 16;
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
    /// At least one check was made, every check holds, and every total the text states
    /// with its parts was checked.
    Consistent,
    /// At least one check fails.
    Inconsistent,
    /// Nothing the engine can check (a lone amount, words without arithmetic), a stated
    /// total it could not tie to its parts, or a text beyond its limits.
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
    /// Totals the text states with parts the engine could not tie to them, as written
    /// (`项目总预算100万元`): each keeps the verdict at best unverifiable.
    pub unchecked_totals: Vec<String>,
    /// The text is beyond what the engine reads (over 4000 characters, 2000 tokens or 16
    /// nested brackets): nothing was checked.
    pub over_limit: bool,
}

/// Check the arithmetic written in a calculation-basis text. `amount` is the row's 金额: when
/// given and the text has its own total, the two are compared as well.
pub fn analyze(text: &str, amount: Option<Money>) -> CalcReport {
    let over_limit = CalcReport {
        verdict: Verdict::Unverifiable,
        equations: Vec::new(),
        total: None,
        unchecked_totals: Vec::new(),
        over_limit: true,
    };
    if text.chars().nth(MAX_CHARS).is_some() {
        return over_limit;
    }
    let chars = normalize::normalize(text);
    let tokens = lexer::tokenize(&chars);
    if tokens.len() > MAX_TOKENS || tokens.iter().any(|t| t.place.depth > MAX_BRACKET_DEPTH) {
        return over_limit;
    }
    let mut reader = reader::Reader::new(&chars, &tokens);
    reader.read_figures();
    reader.read_statements();
    reader.report(amount)
}
