//! Scores of the year-end self-evaluation (财预〔2020〕10号) and warning lights of in-year
//! monitoring (财预〔2019〕136号 practice), by the profile's formulas
//! (财预〔2020〕10号 scoring as printed on its forms; 财预〔2019〕136号 monitoring with budget-system warning lights).
//!
//! Everything here computes: what the form states (得分, 总分, 等级, 执行率) is read, never
//! overwritten. [`score_self_evaluation`] and [`light_monitoring`] fill the `computed_*` and
//! `light` fields; the rules call [`evaluate`] and [`monitoring_lights`] to compare the
//! two without changing the form. Arithmetic is exact (`Decimal`); every division is checked,
//! so absurd input gives "cannot compute", never a panic.

use rust_decimal::{Decimal, RoundingStrategy};

use crate::money::Money;
use crate::profile::{LightBands, Profile, ReverseFormula, Scoring};
use crate::report::{
    Light, MoneyRow, Monitoring, MonitoringMoney, ScoredIndicator, SelfEvaluation,
    SelfEvaluationMoney,
};
use crate::text::normalize_label;
use crate::value::{Comparator, IndicatorValue};

/// Which way an indicator counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// More is better (`≥`, `>`, or a bare count).
    Positive,
    /// Less is better (`≤`, `<`, or a cost or time without comparator).
    Reverse {
        /// `<`: the bound itself is already a miss (matters for lights only).
        strict: bool,
    },
    /// `=`: scored like a positive one, except that a 0 target needs an actual of 0.
    Equal,
}

/// The three levels of a qualitative result (forms label them 达成/部分达成/未达成 or 完成/基本完成/未完成).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Level {
    /// 达成年度指标 / 达成预期指标 (全部或基本达成)
    Achieved,
    /// 部分达成年度指标并具有一定效果
    Partial,
    /// 未达成年度指标且效果较差
    NotAchieved,
}

impl Level {
    pub fn label(self) -> &'static str {
        match self {
            Level::Achieved => "达成年度指标",
            Level::Partial => "部分达成年度指标并具有一定效果",
            Level::NotAchieved => "未达成年度指标且效果较差",
        }
    }

    /// The level an actual value states against its target: the 10号 labels in either
    /// family (`达成年度指标`, `达成预期指标`, `基本达到` …), a yes/no answer to a yes/no
    /// target (`是`), or the target's own words repeated (`显著提升` for `显著提升`).
    pub fn read(target: &IndicatorValue, actual: &IndicatorValue) -> Option<Level> {
        let a = normalize_label(&actual.text);
        // A value with a number that could not be compared (`实现销售收入50万元` against
        // `≥100万元` in another unit) says how much, not which level: unknown.
        if a.is_empty() || a.chars().any(|c| c.is_ascii_digit()) {
            return None;
        }
        let any = |words: &[&str]| words.iter().any(|w| a.contains(w));
        if any(&["未达成", "未达到", "未完成", "未实现"]) {
            return Some(Level::NotAchieved);
        }
        if any(&["部分达成", "部分达到", "部分完成", "部分实现"]) {
            return Some(Level::Partial);
        }
        if any(&["达成", "达到", "完成", "实现"]) {
            return Some(Level::Achieved);
        }
        let t = normalize_label(&target.text);
        if a == t {
            return Some(Level::Achieved);
        }
        if matches!(t.as_str(), "是" | "有") && matches!(a.as_str(), "否" | "无") {
            return Some(Level::NotAchieved);
        }
        None
    }

    /// The warning light of a qualitative progress.
    pub fn light(self) -> Light {
        match self {
            Level::Achieved => Light::Green,
            Level::Partial => Light::Yellow,
            Level::NotAchieved => Light::Red,
        }
    }
}

/// The scores a qualitative level allows: `[low, high]` or `[low, high)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Band {
    pub low: Decimal,
    pub high: Decimal,
    pub high_inclusive: bool,
}

impl Band {
    pub fn contains(&self, score: Decimal) -> bool {
        score >= self.low
            && if self.high_inclusive {
                score <= self.high
            } else {
                score < self.high
            }
    }

    /// The nearest score inside the band (to 0.01 below an exclusive upper bound).
    pub fn clamp(&self, score: Decimal) -> Decimal {
        if score < self.low {
            self.low
        } else if self.contains(score) {
            score
        } else if self.high_inclusive {
            self.high
        } else {
            self.high
                .checked_sub(Decimal::new(1, 2))
                .map_or(self.low, |h| h.max(self.low))
        }
    }

    /// `[8, 10]` or `[6, 8)` for messages.
    pub fn describe(&self) -> String {
        format!(
            "[{}, {}{}",
            self.low.normalize(),
            self.high.normalize(),
            if self.high_inclusive { "]" } else { ")" }
        )
    }
}

/// A number rounded to 2 decimals, half away from zero (how forms round scores).
pub fn round2(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// `w × share`, rounded; `None` on overflow.
fn scaled(weight: Decimal, share: Decimal) -> Option<Decimal> {
    weight.checked_mul(share).map(round2)
}

/// The score of a quantitative indicator (rules 5–8): positive `w × min(a/t, 1)`; reverse
/// `w × min(t/a, 1)` or the linear deduction; `=` with a 0 target full only at a ≤ 0.
/// Never above `w`; `None` only when the numbers overflow.
pub fn quantitative_score(
    direction: Direction,
    target: Decimal,
    actual: Decimal,
    weight: Decimal,
    formula: ReverseFormula,
) -> Option<Decimal> {
    let share = match direction {
        Direction::Equal if target.is_zero() => bool_share(actual <= Decimal::ZERO),
        Direction::Positive | Direction::Equal => {
            if actual >= target {
                Decimal::ONE
            } else if target <= Decimal::ZERO || actual <= Decimal::ZERO {
                Decimal::ZERO
            } else {
                actual.checked_div(target)?
            }
        }
        Direction::Reverse { .. } => {
            if actual <= target {
                Decimal::ONE
            } else if target <= Decimal::ZERO {
                Decimal::ZERO
            } else {
                match formula {
                    ReverseFormula::Ratio => target.checked_div(actual)?,
                    ReverseFormula::LinearDeduction => {
                        let over = actual.checked_sub(target)?.checked_div(target)?;
                        (Decimal::ONE - over.min(Decimal::ONE)).max(Decimal::ZERO)
                    }
                }
            }
        }
    };
    scaled(weight, share.min(Decimal::ONE))
}

fn bool_share(b: bool) -> Decimal {
    if b {
        Decimal::ONE
    } else {
        Decimal::ZERO
    }
}

/// The band of scores a qualitative level allows on a 分值 (rule 9; bounds rounded to 0.01).
pub fn qualitative_band(level: Level, weight: Decimal, s: &Scoring) -> Option<Band> {
    let hundred = Decimal::ONE_HUNDRED;
    let at = |pct: Decimal| -> Option<Decimal> { scaled(weight, pct.checked_div(hundred)?) };
    let achieved = at(s.qualitative_achieved)?;
    let partial = at(s.qualitative_partial)?;
    Some(match level {
        Level::Achieved => Band {
            low: achieved,
            high: round2(weight),
            high_inclusive: true,
        },
        Level::Partial => Band {
            low: partial,
            high: achieved,
            high_inclusive: false,
        },
        Level::NotAchieved => Band {
            low: Decimal::ZERO,
            high: partial,
            high_inclusive: false,
        },
    })
}

/// A quantitative comparison of an actual (or a progress) with its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Measured {
    pub target: Decimal,
    pub actual: Decimal,
    pub direction: Direction,
    /// The target is reached.
    pub met: bool,
    /// actual ÷ target of a positive indicator, when the target is above 0.
    pub ratio: Option<Decimal>,
}

/// How an indicator row of a report reads against its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Assessment {
    /// Marked 不适用: left out, the other scores rescaled (rule 10).
    NotApplicable,
    Quantitative(Measured),
    Qualitative(Level),
    /// Not comparable (units differ, a date against a count, nothing written …).
    Unknown,
}

impl Assessment {
    /// Whether the target was reached, when that can be told.
    pub fn met(&self) -> Option<bool> {
        match self {
            Assessment::Quantitative(m) => Some(m.met),
            Assessment::Qualitative(l) => Some(*l == Level::Achieved),
            Assessment::NotApplicable | Assessment::Unknown => None,
        }
    }
}

/// Whether a value is marked as not assessed (不适用 and the profile's other words).
pub fn not_applicable(v: &IndicatorValue, s: &Scoring) -> bool {
    let n = normalize_label(&v.text);
    !n.is_empty() && s.not_applicable.iter().any(|w| n.contains(w.as_str()))
}

/// The direction of a target: its comparator, else reverse for a cost category or a name
/// with one of the profile's reverse words (成本, 时间 …), else positive.
pub fn direction(
    level1: &str,
    level2: &str,
    name: &str,
    target: &IndicatorValue,
    p: &Profile,
) -> Direction {
    match target.comparator {
        Some(Comparator::Ge | Comparator::Gt) => Direction::Positive,
        Some(Comparator::Le) => Direction::Reverse { strict: false },
        Some(Comparator::Lt) => Direction::Reverse { strict: true },
        Some(Comparator::Eq) => Direction::Equal,
        None => {
            let l1 = p.level1(level1).unwrap_or_default();
            let l2 = p.level2(level2).unwrap_or_default();
            let n = normalize_label(name);
            let cost = l1 == "成本指标" || l2.contains("成本");
            if cost
                || p.scoring
                    .reverse_words
                    .iter()
                    .any(|w| n.contains(w.as_str()))
            {
                Direction::Reverse { strict: false }
            } else {
                Direction::Positive
            }
        }
    }
}

/// Compare a measured value with its target: numbers in one unit, or a completion share
/// (`已完成100%`) of a target that has no comparable number.
fn measure(target: &IndicatorValue, actual: &IndicatorValue, dir: Direction) -> Option<Measured> {
    let (t, a, dir) = match target.against(actual) {
        Some((t, a)) => (t, a, dir),
        None => (
            Decimal::ONE_HUNDRED,
            actual.completion_percent()?,
            Direction::Positive,
        ),
    };
    let met = match dir {
        Direction::Reverse { .. } => a <= t,
        Direction::Equal if t.is_zero() => a <= Decimal::ZERO,
        Direction::Positive | Direction::Equal => a >= t,
    };
    let ratio = match dir {
        Direction::Reverse { .. } => None,
        _ if t > Decimal::ZERO => a.checked_div(t),
        _ => None,
    };
    Some(Measured {
        target: t,
        actual: a,
        direction: dir,
        met,
        ratio,
    })
}

/// How a measured value reads against its target: not applicable, a quantitative
/// comparison, a qualitative level, or unknown.
pub fn assess(
    level1: &str,
    level2: &str,
    name: &str,
    target: &IndicatorValue,
    actual: &IndicatorValue,
    p: &Profile,
) -> Assessment {
    let s = &p.scoring;
    if not_applicable(target, s) || not_applicable(actual, s) {
        return Assessment::NotApplicable;
    }
    if actual.is_empty() {
        return Assessment::Unknown;
    }
    let dir = direction(level1, level2, name, target, p);
    if let Some(m) = measure(target, actual, dir) {
        return Assessment::Quantitative(m);
    }
    Level::read(target, actual).map_or(Assessment::Unknown, Assessment::Qualitative)
}

/// One indicator row of a self-evaluation, scored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowScore {
    pub assessment: Assessment,
    /// The score under the profile's formula: computed for a quantitative row; for a
    /// qualitative one, the stated score brought into its level's band. `None` when the
    /// row has no 分值 or cannot be compared.
    pub computed: Option<Decimal>,
    /// The band of a qualitative row.
    pub band: Option<Band>,
    /// actual ÷ target reached the profile's over-achievement threshold.
    pub overachieved: bool,
}

/// Score one self-evaluation row.
pub fn score_row(ind: &ScoredIndicator, p: &Profile) -> RowScore {
    let s = &p.scoring;
    let assessment = assess(
        &ind.level1,
        &ind.level2,
        &ind.name,
        &ind.target,
        &ind.actual,
        p,
    );
    let mut row = RowScore {
        assessment,
        computed: None,
        band: None,
        overachieved: false,
    };
    match assessment {
        Assessment::Quantitative(m) => {
            row.overachieved = m.ratio.is_some_and(|r| r >= s.overachievement);
            row.computed = ind.weight.and_then(|w| {
                quantitative_score(m.direction, m.target, m.actual, w, s.reverse_formula)
            });
        }
        Assessment::Qualitative(level) => {
            row.band = ind.weight.and_then(|w| qualitative_band(level, w, s));
            row.computed = row.band.zip(ind.score).map(|(b, st)| b.clamp(st));
        }
        Assessment::NotApplicable | Assessment::Unknown => {}
    }
    row
}

/// The execution part of a self-evaluation (rule 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Execution {
    /// 全年预算数 (A) in 万元: the total row's, or the sum of its 其中 rows when the total
    /// row is blank or 0 while they are filled.
    pub annual: Decimal,
    /// 全年执行数 (B) in 万元.
    pub executed: Decimal,
    /// B ÷ A in percent, exact (`None` when A is 0: not applicable).
    pub rate: Option<Decimal>,
    /// 分值: the form's, or the profile's when the form states a score but no 分值.
    pub weight: Option<Decimal>,
    /// round(min(B/A, 1) × 分值, 2).
    pub score: Option<Decimal>,
}

/// The amount of a total row's column, or the sum of its parts when the total is blank or 0
/// and the parts are not.
fn total_or_parts(total: Option<Money>, parts: &[Option<Money>]) -> Option<Decimal> {
    let stated = total.map(|m| m.in_wan());
    let sum = parts
        .iter()
        .flatten()
        .try_fold(None::<Decimal>, |acc, m| {
            Some(Some(acc.unwrap_or_default().checked_add(m.in_wan())?))
        })
        .flatten();
    match (stated, sum) {
        (Some(t), Some(s)) if t.is_zero() && !s.is_zero() => Some(s),
        (None, s) => s,
        (t, _) => t,
    }
}

/// The percentage `part ÷ whole × 100`, exact; `None` for a zero whole or on overflow.
pub fn percent(part: Decimal, whole: Decimal) -> Option<Decimal> {
    if whole.is_zero() {
        return None;
    }
    part.checked_mul(Decimal::ONE_HUNDRED)?.checked_div(whole)
}

fn source_parts(
    m: &SelfEvaluationMoney,
    col: fn(&MoneyRow) -> Option<Money>,
) -> Vec<Option<Money>> {
    [&m.fiscal, &m.government_fund, &m.carryover, &m.other]
        .into_iter()
        .map(col)
        .collect()
}

/// Budget execution of a self-evaluation and its score.
pub fn execution(m: &SelfEvaluationMoney, s: &Scoring) -> Option<Execution> {
    let annual = total_or_parts(m.total.annual, &source_parts(m, |r| r.annual))?;
    let executed = total_or_parts(m.total.executed, &source_parts(m, |r| r.executed))?;
    let rate = percent(executed, annual);
    let weight = m.total.weight.or(m.total.score.map(|_| s.execution_weight));
    let score = match (weight, rate) {
        (Some(w), Some(r)) => scaled(w, r.checked_div(Decimal::ONE_HUNDRED)?.min(Decimal::ONE)),
        _ => None,
    };
    Some(Execution {
        annual,
        executed,
        rate,
        weight,
        score,
    })
}

/// A whole self-evaluation, scored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evaluation {
    /// One per indicator row, in order.
    pub rows: Vec<RowScore>,
    pub execution: Option<Execution>,
    /// 总分 recomputed (rules 10, 14); `None` for an incomplete form or when a scored row
    /// has neither a computed nor a stated score.
    pub total: Option<Decimal>,
    /// The grade of `total` under the profile's bands.
    pub grade: Option<String>,
}

/// Σ score, or Σ score ÷ Σ applicable 分值 × 100 when some part is not applicable (rule 10).
/// Parts are (score, 分值, applicable); `None` when a needed score or 分值 is missing.
pub fn total_score(parts: &[(Option<Decimal>, Option<Decimal>, bool)]) -> Option<Decimal> {
    if parts.is_empty() {
        return None;
    }
    let rescale = parts.iter().any(|(_, _, applicable)| !applicable);
    let mut sum = Decimal::ZERO;
    let mut weights = Decimal::ZERO;
    for (score, weight, applicable) in parts {
        if !applicable {
            continue;
        }
        sum = sum.checked_add((*score)?)?;
        if rescale {
            weights = weights.checked_add((*weight)?)?;
        }
    }
    if rescale {
        Some(round2(percent(sum, weights)?))
    } else {
        Some(round2(sum))
    }
}

/// Score a self-evaluation without changing it.
pub fn evaluate(e: &SelfEvaluation, p: &Profile) -> Evaluation {
    let rows: Vec<RowScore> = e.indicators.iter().map(|i| score_row(i, p)).collect();
    let execution = execution(&e.money, &p.scoring);
    let mut parts: Vec<(Option<Decimal>, Option<Decimal>, bool)> = Vec::new();
    if let Some(x) = &execution {
        if x.weight.is_some() {
            parts.push((x.score, x.weight, x.rate.is_some()));
        }
    }
    for (ind, row) in e.indicators.iter().zip(&rows) {
        if ind.is_blank() {
            continue;
        }
        let applicable = row.assessment != Assessment::NotApplicable;
        if ind.weight.is_none() && ind.score.is_none() && applicable {
            continue; // a row the form does not score
        }
        parts.push((row.computed.or(ind.score), ind.weight, applicable));
    }
    // A form whose indicators were not read (a narrative report, a money block alone) has
    // no total to recompute: the execution score alone is not one.
    let rows_scored =
        parts.len() > usize::from(execution.as_ref().is_some_and(|x| x.weight.is_some()));
    let total = if e.incomplete || !rows_scored {
        None
    } else {
        total_score(&parts)
    };
    let grade = total.and_then(|t| p.scoring.grade(t).map(str::to_string));
    Evaluation {
        rows,
        execution,
        total,
        grade,
    }
}

/// Fill `computed_score` of every row, `computed_total` and `computed_grade` of a
/// self-evaluation under the profile (what the form states is left as it is).
pub fn score_self_evaluation(e: &mut SelfEvaluation, p: &Profile) {
    let ev = evaluate(e, p);
    for (ind, row) in e.indicators.iter_mut().zip(&ev.rows) {
        ind.computed_score = row.computed;
    }
    e.computed_total = ev.total;
    e.computed_grade = ev.grade;
}

// ---------------------------------------------------------------------------------------
// Monitoring lights.

/// The light of a value measured in percent of the pace.
fn light_of(v: Decimal, b: &LightBands) -> Light {
    if v < b.red_below {
        Light::Red
    } else if v < b.yellow_below {
        Light::Yellow
    } else if b.blue_from.is_some_and(|blue| v >= blue) {
        Light::Blue
    } else {
        Light::Green
    }
}

/// `x ÷ (month/12)`: a share of the year's target in percent of the time elapsed.
fn pace(share_percent: Decimal, month: u8) -> Option<Decimal> {
    share_percent
        .checked_mul(Decimal::from(12))?
        .checked_div(Decimal::from(month.max(1)))
}

/// The budget light (rule 18): v = 执行率 ÷ (month/12); red < 60 ≤ yellow < 80 ≤ green.
pub fn budget_light(rate_percent: Decimal, month: u8, p: &Profile) -> Option<Light> {
    Some(light_of(pace(rate_percent, month)?, &p.monitoring.budget))
}

/// The pace of a positive indicator in percent: 完成值 ÷ (年度指标值 × month/12) × 100.
pub fn indicator_pace(target: Decimal, progress: Decimal, month: u8) -> Option<Decimal> {
    pace(percent(progress, target)?, month)
}

/// The light of one monitored indicator (rule 18); `None` when the progress cannot be read
/// against the target.
pub fn indicator_light(
    level1: &str,
    level2: &str,
    name: &str,
    target: &IndicatorValue,
    progress: &IndicatorValue,
    month: u8,
    p: &Profile,
) -> Option<Light> {
    match assess(level1, level2, name, target, progress, p) {
        Assessment::Quantitative(m) => match m.direction {
            Direction::Reverse { strict } => {
                let within = if strict {
                    m.actual < m.target
                } else {
                    m.actual <= m.target
                };
                Some(if within { Light::Green } else { Light::Red })
            }
            Direction::Positive | Direction::Equal if m.target > Decimal::ZERO => Some(light_of(
                indicator_pace(m.target, m.actual, month)?,
                &p.monitoring.indicator,
            )),
            Direction::Positive | Direction::Equal => None,
        },
        Assessment::Qualitative(level) => Some(level.light()),
        Assessment::NotApplicable | Assessment::Unknown => None,
    }
}

/// The lights of a monitoring form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonitoringLights {
    /// The months the pace is measured over.
    pub month: u8,
    /// 执行率 in percent (from the amounts, else as stated).
    pub rate: Option<Decimal>,
    pub money: Option<Light>,
    pub rows: Vec<Option<Light>>,
    /// The worst of all (red > yellow > green > blue), budget included: 双监控.
    pub worst: Option<Light>,
}

/// 执行率 of a monitoring form in percent: executed ÷ budget from the amounts (the 其中
/// rows when the total row is blank or 0), else the rate as written.
pub fn monitoring_rate(m: &MonitoringMoney) -> Option<Decimal> {
    let annual = total_or_parts(m.annual, &[m.fiscal.annual, m.other.annual]);
    let executed = total_or_parts(m.executed, &[m.fiscal.executed, m.other.executed]);
    match (annual, executed) {
        (Some(a), Some(x)) => percent(x, a).or(m.rate),
        _ => m.rate,
    }
}

/// The period of a monitoring form: its own months, else the profile's.
pub fn monitoring_month(m: &Monitoring, p: &Profile) -> u8 {
    m.period_months
        .filter(|n| (1..=12).contains(n))
        .unwrap_or(p.monitoring.month)
}

/// Compute the lights of a monitoring form without changing it.
pub fn monitoring_lights(m: &Monitoring, p: &Profile) -> MonitoringLights {
    let month = monitoring_month(m, p);
    let rate = monitoring_rate(&m.money);
    let money = rate.and_then(|r| budget_light(r, month, p));
    let rows: Vec<Option<Light>> = m
        .indicators
        .iter()
        .map(|i| {
            indicator_light(
                &i.level1,
                &i.level2,
                &i.name,
                &i.target,
                &i.progress,
                month,
                p,
            )
        })
        .collect();
    let worst = rows.iter().flatten().chain(&money).max().copied();
    MonitoringLights {
        month,
        rate,
        money,
        rows,
        worst,
    }
}

/// Fill `money.light`, every indicator's `light` and the form's worst `light`.
pub fn light_monitoring(m: &mut Monitoring, p: &Profile) {
    let lights = monitoring_lights(m, p);
    m.money.light = lights.money;
    for (ind, light) in m.indicators.iter_mut().zip(&lights.rows) {
        ind.light = *light;
    }
    m.light = lights.worst;
}

/// Fill the computed fields of every report form (scores, total and grade of a
/// self-evaluation; lights of a monitoring form). Target forms have none. Called wherever
/// forms enter the system (import, save), so every reader of a form sees them.
pub fn fill_computed(forms: &mut [crate::model::Form], p: &Profile) {
    for f in forms {
        match f {
            crate::model::Form::SelfEvaluation(e) => score_self_evaluation(e, p),
            crate::model::Form::Monitoring(m) => light_monitoring(m, p),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn lifecycle_examples() {
        let ratio = ReverseFormula::Ratio;
        let linear = ReverseFormula::LinearDeduction;
        let pos = Direction::Positive;
        let rev = Direction::Reverse { strict: false };
        // Rule 5: t = 50, a = 40, w = 8 → 6.40; a = 60 → 8.00.
        assert_eq!(
            quantitative_score(pos, d("50"), d("40"), d("8"), ratio),
            Some(d("6.40"))
        );
        assert_eq!(
            quantitative_score(pos, d("50"), d("60"), d("8"), ratio),
            Some(d("8"))
        );
        // Rule 6: t = 90, a = 100, w = 10 → 9.00 (ratio) / 8.89 (linear).
        assert_eq!(
            quantitative_score(rev, d("90"), d("100"), d("10"), ratio),
            Some(d("9.00"))
        );
        assert_eq!(
            quantitative_score(rev, d("90"), d("100"), d("10"), linear),
            Some(d("8.89"))
        );
        assert_eq!(
            quantitative_score(rev, d("90"), d("180"), d("10"), linear),
            Some(d("0"))
        );
        assert_eq!(
            quantitative_score(rev, d("90"), d("80"), d("10"), linear),
            Some(d("10"))
        );
        // Rule 7: `=` with t = 100%, a = 98% → w × 0.98; t = 0 full only at a ≤ 0.
        let eq = Direction::Equal;
        assert_eq!(
            quantitative_score(eq, d("100"), d("98"), d("10"), ratio),
            Some(d("9.8"))
        );
        assert_eq!(
            quantitative_score(eq, d("0"), d("0"), d("10"), ratio),
            Some(d("10"))
        );
        assert_eq!(
            quantitative_score(eq, d("0"), d("1"), d("10"), ratio),
            Some(d("0"))
        );
        // Absurd numbers do not panic.
        assert_eq!(
            quantitative_score(
                pos,
                d("0.0000000000000000000000000001"),
                d("79228162514264337593543950335"),
                d("10"),
                ratio
            ),
            Some(d("10"))
        );
        assert!(quantitative_score(
            rev,
            d("0.0000000000000000000000000001"),
            d("79228162514264337593543950335"),
            d("79228162514264337593543950335"),
            ratio
        )
        .is_some());
    }

    #[test]
    fn qualitative_bands() {
        let s = Scoring::default();
        let partial = qualitative_band(Level::Partial, d("10"), &s).unwrap();
        assert!(!partial.contains(d("8.0")));
        assert!(partial.contains(d("7.99")));
        assert!(partial.contains(d("6")));
        let achieved = qualitative_band(Level::Achieved, d("10"), &s).unwrap();
        assert!(achieved.contains(d("8")) && achieved.contains(d("10")));
        assert!(!achieved.contains(d("10.01")));
        assert_eq!(partial.clamp(d("9")), d("7.99"));
        assert_eq!(achieved.clamp(d("5")), d("8"));
        assert_eq!(partial.describe(), "[6, 8)");
    }

    #[test]
    fn level_labels() {
        let t = IndicatorValue::parse;
        assert_eq!(
            Level::read(&t("100%"), &t("达成预期指标")),
            Some(Level::Achieved)
        );
        assert_eq!(
            Level::read(&t("优"), &t("部分达成年度指标并具有一定效果")),
            Some(Level::Partial)
        );
        assert_eq!(
            Level::read(&t("优"), &t("未达成年度指标且效果较差")),
            Some(Level::NotAchieved)
        );
        assert_eq!(Level::read(&t("是"), &t("基本达到")), Some(Level::Achieved));
        assert_eq!(Level::read(&t("是"), &t("是")), Some(Level::Achieved));
        assert_eq!(Level::read(&t("是"), &t("否")), Some(Level::NotAchieved));
        assert_eq!(
            Level::read(&t("显著提升"), &t("显著 提升")),
            Some(Level::Achieved)
        );
        assert_eq!(Level::read(&t("显著提升"), &t("有所提升")), None);
        assert_eq!(Level::read(&t("≥100万元"), &t("实现销售收入50万元")), None);
    }

    #[test]
    fn grades_and_edges() {
        let s = Scoring::default();
        assert_eq!(s.grade(d("89.99")), Some("良"));
        assert_eq!(s.grade(d("90")), Some("优"));
        assert_eq!(s.grade(d("59.99")), Some("差"));
        assert_eq!(s.grade(d("-1")), None);
    }

    #[test]
    fn rescaling_not_applicable() {
        // Rule 10: 10 + 90 with one 10-point row n/a and the rest 81 of 90 → 90.00.
        let parts = [
            (Some(d("10")), Some(d("10")), true),
            (None, Some(d("10")), false),
            (Some(d("71")), Some(d("80")), true),
        ];
        assert_eq!(total_score(&parts), Some(d("90.00")));
        assert_eq!(
            total_score(&[
                (Some(d("40")), Some(d("50")), true),
                (Some(d("30")), None, true)
            ]),
            Some(d("70"))
        );
        assert_eq!(total_score(&[(None, Some(d("50")), true)]), None);
    }

    #[test]
    fn execution_examples() {
        let s = Scoring::default();
        let row = |a: &str, b: &str| MoneyRow {
            annual: Some(Money::wan(d(a))),
            executed: Some(Money::wan(d(b))),
            weight: Some(d("10")),
            ..MoneyRow::default()
        };
        let m = SelfEvaluationMoney {
            total: row("90", "89.974"),
            ..Default::default()
        };
        let x = execution(&m, &s).unwrap();
        assert_eq!(x.score, Some(d("10.00")));
        assert_eq!(x.rate.unwrap().round_dp(2), d("99.97"));
        let m = SelfEvaluationMoney {
            total: row("100", "85"),
            ..Default::default()
        };
        assert_eq!(execution(&m, &s).unwrap().score, Some(d("8.50")));
        // A total row of 0 with the money in its 其中 row (Anhui 2022): scored from the parts.
        let m = SelfEvaluationMoney {
            total: row("0", "0"),
            fiscal: MoneyRow {
                annual: Some(Money::wan(d("90"))),
                executed: Some(Money::wan(d("89.974"))),
                ..MoneyRow::default()
            },
            ..Default::default()
        };
        assert_eq!(execution(&m, &s).unwrap().score, Some(d("10.00")));
        // A = 0 everywhere: not applicable.
        let m = SelfEvaluationMoney {
            total: row("0", "0"),
            ..Default::default()
        };
        assert_eq!(execution(&m, &s).unwrap().rate, None);
    }

    #[test]
    fn light_examples() {
        let p = Profile::national();
        let t = IndicatorValue::parse;
        // t = 12, month = 6, a = 4 → 66.7 → yellow.
        assert_eq!(
            indicator_pace(d("12"), d("4"), 6).unwrap().round_dp(1),
            d("66.7")
        );
        assert_eq!(
            indicator_light("产出指标", "数量指标", "培训", &t("12次"), &t("4次"), 6, &p),
            Some(Light::Yellow)
        );
        assert_eq!(
            indicator_light("产出指标", "数量指标", "培训", &t("12次"), &t("8次"), 6, &p),
            Some(Light::Blue)
        );
        assert_eq!(
            indicator_light("产出指标", "数量指标", "培训", &t("12次"), &t("2次"), 6, &p),
            Some(Light::Red)
        );
        assert_eq!(
            indicator_light(
                "产出指标",
                "成本指标",
                "单价",
                &t("≤500元"),
                &t("500元"),
                6,
                &p
            ),
            Some(Light::Green)
        );
        assert_eq!(
            indicator_light(
                "产出指标",
                "成本指标",
                "单价",
                &t("<500元"),
                &t("500元"),
                6,
                &p
            ),
            Some(Light::Red)
        );
        assert_eq!(
            indicator_light(
                "效益指标",
                "社会效益指标",
                "x",
                &t("显著提升"),
                &t("部分达成"),
                6,
                &p
            ),
            Some(Light::Yellow)
        );
        assert_eq!(
            indicator_light(
                "效益指标",
                "社会效益指标",
                "x",
                &t("显著提升"),
                &t("按计划推进"),
                6,
                &p
            ),
            None
        );
        assert_eq!(budget_light(d("39.8"), 6, &p), Some(Light::Yellow));
        assert_eq!(budget_light(d("29"), 6, &p), Some(Light::Red));
        assert_eq!(budget_light(d("70"), 7, &p), Some(Light::Green));
    }
}
