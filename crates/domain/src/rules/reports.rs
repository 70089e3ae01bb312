//! Monitoring and self-evaluation (财预〔2020〕10号, 财预〔2019〕136号): scores, totals,
//! weights, rates and grades against the profile's formulas; deviations that need a
//! reason; targets that changed after approval.
//!
//! The numbers come from [`crate::scoring`]; these rules only compare what the form states
//! with them, and stay silent where a value cannot be read (units that differ, a copy cut
//! mid-table) rather than guess.

use rust_decimal::{Decimal, RoundingStrategy};

use crate::finding::Finding;
use crate::model::{Dossier, FiledForm, Form, Indicator};
use crate::report::{MoneyRow, Monitoring, Possibility, SelfEvaluation, SelfEvaluationVariant};
use crate::scoring::{self, Assessment, Direction, Evaluation, RowScore};
use crate::text::normalize_label;
use crate::value::IndicatorValue;

use super::support::{at_cut, checked_sum, squash, wan};
use super::Ctx;

/// `12.5`, without trailing zeros.
fn num(d: Decimal) -> String {
    d.normalize().to_string()
}

/// A percentage for messages, to 2 decimals.
fn pct(d: Decimal) -> String {
    format!("{}%", num(scoring::round2(d)))
}

/// Whether a stated number agrees with a computed one at the precision written: within
/// `tol`, or equal once the computed one is rounded (or cut) to the stated decimals.
fn agrees(stated: Decimal, computed: Decimal, tol: Decimal) -> bool {
    if stated
        .checked_sub(computed)
        .is_some_and(|diff| diff.abs() <= tol)
    {
        return true;
    }
    let dp = stated.scale();
    [
        RoundingStrategy::MidpointAwayFromZero,
        RoundingStrategy::ToZero,
    ]
    .into_iter()
    .any(|s| computed.round_dp_with_strategy(dp, s) == stated.normalize())
}

/// Every self-evaluation of a dossier, with its form.
fn self_evaluations(d: &Dossier) -> impl Iterator<Item = (&FiledForm, &SelfEvaluation)> {
    d.forms.iter().filter_map(|ff| match &ff.form {
        Form::SelfEvaluation(e) => Some((ff, e)),
        _ => None,
    })
}

/// Every monitoring form of a dossier, with its form.
fn monitorings(d: &Dossier) -> impl Iterator<Item = (&FiledForm, &Monitoring)> {
    d.forms.iter().filter_map(|ff| match &ff.form {
        Form::Monitoring(m) => Some((ff, m)),
        _ => None,
    })
}

/// `三级指标“…”` or `第3条指标` when the row has no name.
fn row_name(name: &str, i: usize) -> String {
    if name.trim().is_empty() {
        format!("第{}条指标", i + 1)
    } else {
        format!("三级指标“{}”", name.trim())
    }
}

/// Text a reader can act on: not blank and not filler (`无`, `/`).
fn written(ctx: &Ctx, s: &str) -> bool {
    !s.trim().is_empty() && !ctx.is_filler(s)
}

/// How the formula reads for a quantitative row, for messages.
fn formula_text(dir: Direction, met: bool, ctx: &Ctx) -> &'static str {
    match (dir, met) {
        (_, true) => "已达到年度指标值，应得满分",
        (Direction::Reverse { .. }, false) => match ctx.profile.scoring.reverse_formula {
            crate::profile::ReverseFormula::Ratio => "按“年度指标值÷实际完成值×分值”",
            crate::profile::ReverseFormula::LinearDeduction => "按“(1−超出部分÷年度指标值)×分值”",
        },
        (Direction::Positive | Direction::Equal, false) => "按“实际完成值÷年度指标值×分值”",
    }
}

/// `score-mismatch`: a stated 得分 that does not follow from target, actual and 分值, lies
/// outside its qualitative band, or exceeds its 分值 (the execution score and 一级 subtotals
/// included).
pub(crate) fn score_mismatch(d: &Dossier, ctx: &Ctx) -> Vec<Finding> {
    const RULE: &str = "score-mismatch";
    let s = &ctx.profile.scoring;
    let tol = s.score_tolerance;
    let mut out = Vec::new();
    for (ff, e) in self_evaluations(d) {
        let ev = scoring::evaluate(e, ctx.profile);
        // 预算执行率 得分.
        let t = &e.money.total;
        if let (Some(stated), Some(x)) = (t.score, ev.execution) {
            match (x.weight, x.score, x.rate) {
                (Some(w), _, _) if stated > w => out.push(over_weight(ctx, ff, "money.total.score", "预算执行率得分", stated, w)),
                (Some(_), Some(c), Some(rate)) if !agrees(stated, c, tol) => out.push(
                    ctx.finding(
                        RULE,
                        ff,
                        "money.total.score",
                        format!(
                            "预算执行率得分{}分与执行率不符：全年执行数{}÷全年预算数{}={}，按“执行率×分值”（最高为分值）应得{}分，请改正得分",
                            num(stated),
                            wan(x.executed),
                            wan(x.annual),
                            pct(rate),
                            num(c)
                        ),
                    )
                    .with_values(num(c), num(stated)),
                ),
                _ => {}
            }
        }
        for (i, (ind, row)) in e.indicators.iter().zip(&ev.rows).enumerate() {
            if let Some(f) = row_score_finding(ctx, ff, i, ind, row) {
                out.push(f);
            }
        }
        for (k, sub) in e.subtotals.iter().enumerate() {
            if let (Some(st), Some(w)) = (sub.score, sub.weight) {
                if st > w {
                    let path = format!("subtotals[{k}].score");
                    let what = format!("{}得分", sub.level1);
                    out.push(over_weight(ctx, ff, &path, &what, st, w));
                }
            }
        }
        if let Some(total) = e.total_score.filter(|t| *t > Decimal::ONE_HUNDRED) {
            out.push(
                ctx.finding(
                    RULE,
                    ff,
                    "total_score",
                    format!("总分{}分超过100分，请核对各项得分", num(total)),
                )
                .with_values("≤100", num(total)),
            );
        }
    }
    out
}

fn over_weight(
    ctx: &Ctx,
    ff: &FiledForm,
    path: &str,
    what: &str,
    stated: Decimal,
    w: Decimal,
) -> Finding {
    ctx.finding(
        "score-mismatch",
        ff,
        path,
        format!(
            "{what}{}分超过其分值{}分，得分不能超过分值，请改正",
            num(stated),
            num(w)
        ),
    )
    .with_values(format!("≤{}", num(w)), num(stated))
}

/// The score finding of one row, if its stated score breaks the formula or its band.
fn row_score_finding(
    ctx: &Ctx,
    ff: &FiledForm,
    i: usize,
    ind: &crate::report::ScoredIndicator,
    row: &RowScore,
) -> Option<Finding> {
    const RULE: &str = "score-mismatch";
    let stated = ind.score?;
    let w = ind.weight?;
    let path = format!("indicators[{i}].score");
    let who = row_name(&ind.name, i);
    if stated > w {
        return Some(over_weight(
            ctx,
            ff,
            &path,
            &format!("{who}的得分"),
            stated,
            w,
        ));
    }
    match row.assessment {
        Assessment::Quantitative(m) => {
            let c = row.computed?;
            if agrees(stated, c, ctx.profile.scoring.score_tolerance) {
                return None;
            }
            // 10号 lets a score be cut where a target set too low was far exceeded, and a unit
            // may record why it deviates from the formula: a lower score is then no error.
            if stated < c && (row.overachieved || written(ctx, &ind.override_reason)) {
                return None;
            }
            let rule = formula_text(m.direction, m.met, ctx);
            Some(
                ctx.finding(
                    RULE,
                    ff,
                    &path,
                    format!(
                        "{who}年度指标值{}，实际完成值{}，{rule}{}分（分值{}分），所填得分为{}分，请改正得分",
                        ind.target.text.trim(),
                        ind.actual.text.trim(),
                        num(c),
                        num(w),
                        num(stated)
                    ),
                )
                .with_values(num(c), num(stated)),
            )
        }
        Assessment::Qualitative(level) => {
            let band = row.band?;
            if band.contains(stated) {
                return None;
            }
            Some(
                ctx.finding(
                    RULE,
                    ff,
                    &path,
                    format!(
                        "{who}实际完成情况为“{}”，属于“{}”档，得分应在分值{}分的{}之间，所填得分为{}分，请在该档次内评分",
                        ind.actual.text.trim(),
                        level.label(),
                        num(w),
                        band.describe(),
                        num(stated)
                    ),
                )
                .with_values(band.describe(), num(stated)),
            )
        }
        Assessment::NotApplicable | Assessment::Unknown => None,
    }
}

/// The stated scores that make up the 总分 (the execution score first); `None` when a
/// scored row has no stated score (the sum cannot be told).
fn stated_parts(e: &SelfEvaluation, ev: &Evaluation) -> Option<Vec<Decimal>> {
    let mut parts = Vec::new();
    if let Some(x) = e.money.total.score {
        parts.push(x);
    }
    for (ind, row) in e.indicators.iter().zip(&ev.rows) {
        match (ind.score, ind.weight) {
            (Some(s), _) => parts.push(s),
            (None, Some(_)) if row.assessment != Assessment::NotApplicable => return None,
            _ => {}
        }
    }
    Some(parts)
}

/// `score-total-mismatch`: 总分 or a 一级 subtotal ≠ the sum of the stated scores.
pub(crate) fn score_total_mismatch(d: &Dossier, ctx: &Ctx) -> Vec<Finding> {
    const RULE: &str = "score-total-mismatch";
    let tol = ctx.profile.scoring.score_tolerance;
    let mut out = Vec::new();
    for (ff, e) in self_evaluations(d).filter(|(_, e)| !e.incomplete) {
        let ev = scoring::evaluate(e, ctx.profile);
        if let (Some(total), Some(parts)) = (e.total_score, stated_parts(e, &ev)) {
            if parts.len() > usize::from(e.money.total.score.is_some()) {
                let Some(sum) = checked_sum(parts) else {
                    continue;
                };
                // Where rows are 不适用 the form may print the rescaled total instead.
                let rescaled = ev
                    .rows
                    .iter()
                    .any(|r| r.assessment == Assessment::NotApplicable);
                let fits_rescaled = rescaled && ev.total.is_some_and(|c| agrees(total, c, tol));
                if !agrees(total, sum, tol) && !fits_rescaled {
                    let exec = e
                        .money
                        .total
                        .score
                        .map(|x| format!("（其中预算执行{}分）", num(x)))
                        .unwrap_or_default();
                    out.push(
                        ctx.finding(
                            RULE,
                            ff,
                            "total_score",
                            format!(
                                "总分{}分与各项得分之和{}分{exec}不一致，请核对总分或各项得分",
                                num(total),
                                num(sum)
                            ),
                        )
                        .with_values(num(sum), num(total)),
                    );
                }
            }
        }
        for (k, sub) in e.subtotals.iter().enumerate() {
            let Some(st) = sub.score else { continue };
            let Some(sum) = level1_sum(ctx, e, &sub.level1, |i| i.score) else {
                continue;
            };
            if !agrees(st, sum, tol) {
                out.push(
                    ctx.finding(
                        RULE,
                        ff,
                        &format!("subtotals[{k}].score"),
                        format!(
                            "{}得分{}分与其三级指标得分之和{}分不一致，请核对",
                            sub.level1,
                            num(st),
                            num(sum)
                        ),
                    )
                    .with_values(num(sum), num(st)),
                );
            }
        }
    }
    out
}

/// The block a row's 分值 counts toward: satisfaction wherever the tree files it, the 2021
/// tree's 成本指标 under 产出 (10号's four blocks).
fn weight_block(ctx: &Ctx, level1: &str, level2: &str) -> Option<String> {
    let c = ctx.category_of(level1, level2);
    if c.is_satisfaction() {
        Some("满意度指标".into())
    } else if c.l1 == "成本指标" {
        Some("产出指标".into())
    } else if ctx.profile.level1_key(&c.l1).is_some() {
        Some(c.l1)
    } else {
        None
    }
}

/// Σ of a number over the rows of one 一级 block; `None` when the block has no rows or a
/// row of it lacks the number.
fn level1_sum(
    ctx: &Ctx,
    e: &SelfEvaluation,
    level1: &str,
    get: fn(&crate::report::ScoredIndicator) -> Option<Decimal>,
) -> Option<Decimal> {
    let target = weight_block(ctx, level1, "").unwrap_or_else(|| normalize_label(level1));
    let rows: Vec<_> = e
        .indicators
        .iter()
        .filter(|i| !i.is_blank())
        .filter(|i| weight_block(ctx, &i.level1, &i.level2).as_deref() == Some(target.as_str()))
        .collect();
    if rows.is_empty() {
        return None;
    }
    checked_sum(rows.iter().map(|i| get(i)).collect::<Option<Vec<_>>>()?)
}

/// The form's 分值 by 10号 block (预算执行率 first), when every row has a 分值 and a block.
fn form_weights(ctx: &Ctx, e: &SelfEvaluation) -> Option<Vec<(String, Decimal)>> {
    let mut blocks: Vec<(String, Decimal)> = Vec::new();
    let mut add = |b: String, w: Decimal| -> Option<()> {
        match blocks.iter_mut().find(|(x, _)| *x == b) {
            Some((_, sum)) => *sum = sum.checked_add(w)?,
            None => blocks.push((b, w)),
        }
        Some(())
    };
    let stated: Vec<(String, Decimal)> = e
        .subtotals
        .iter()
        .filter_map(|s| Some((weight_block(ctx, &s.level1, "")?, s.weight?)))
        .collect();
    for ind in e.indicators.iter().filter(|i| !i.is_blank()) {
        let b = weight_block(ctx, &ind.level1, &ind.level2)?;
        if stated.iter().any(|(x, _)| *x == b) {
            continue;
        }
        add(b, ind.weight?)?;
    }
    for (b, w) in stated {
        add(b, w)?;
    }
    if blocks.is_empty() {
        return None;
    }
    Some(blocks)
}

/// `weight-sum`: 分值 that do not add to 100, 三级 分值 that do not add to their 一级
/// 分值, or a 分值 that is not above 0 (warnings).
pub(crate) fn weight_sum(d: &Dossier, ctx: &Ctx) -> Vec<Finding> {
    const RULE: &str = "weight-sum";
    let hundred = Decimal::ONE_HUNDRED;
    let mut out = Vec::new();
    for (ff, e) in self_evaluations(d).filter(|(_, e)| !e.incomplete) {
        let rows: Vec<(usize, &crate::report::ScoredIndicator)> = e
            .indicators
            .iter()
            .enumerate()
            .filter(|(_, i)| !i.is_blank())
            .collect();
        for (i, ind) in &rows {
            if ind.weight.is_some_and(|w| w <= Decimal::ZERO) && !ctx.not_applicable(&ind.target) {
                out.push(ctx.finding(
                    RULE,
                    ff,
                    &format!("indicators[{i}].weight"),
                    format!(
                        "{}的分值为{}，每项指标的分值都应大于0，请设置分值或删除该行",
                        row_name(&ind.name, *i),
                        num(ind.weight.unwrap_or_default())
                    ),
                ));
            }
        }
        let weights: Option<Vec<Decimal>> = rows.iter().map(|(_, i)| i.weight).collect();
        if let Some(ws) = weights.filter(|ws| !ws.is_empty()) {
            let exec = e.money.total.weight.unwrap_or_default();
            let sum = checked_sum(ws.iter().copied().chain([exec]));
            if let Some(sum) = sum.filter(|s| *s != hundred) {
                let with_exec = if exec.is_zero() {
                    String::new()
                } else {
                    format!("（含预算执行率{}分）", num(exec))
                };
                out.push(
                    ctx.finding(
                        RULE,
                        ff,
                        "indicators",
                        format!(
                            "各项分值合计为{}分{with_exec}，应为100分，请调整分值",
                            num(sum)
                        ),
                    )
                    .with_values("100", num(sum)),
                );
            }
        }
        for (k, sub) in e.subtotals.iter().enumerate() {
            let Some(w) = sub.weight else { continue };
            let Some(sum) = level1_sum(ctx, e, &sub.level1, |i| i.weight) else {
                continue;
            };
            if sum != w {
                out.push(
                    ctx.finding(
                        RULE,
                        ff,
                        &format!("subtotals[{k}].weight"),
                        format!(
                            "{}各三级指标分值之和为{}分，与一级指标分值{}分不一致，请调整三级指标分值",
                            sub.level1,
                            num(sum),
                            num(w)
                        ),
                    )
                    .with_values(num(w), num(sum)),
                );
            }
        }
    }
    out
}

/// `weight-profile`: the 一级 分值 of a self-evaluation differ from the profile's (10号:
/// 预算执行率 10, 产出 50, 效益 30, 满意度 10). A warning: a region may use others, and
/// then should use a profile that says so.
pub(crate) fn weight_profile(d: &Dossier, ctx: &Ctx) -> Vec<Finding> {
    const RULE: &str = "weight-profile";
    let s = &ctx.profile.scoring;
    let mut out = Vec::new();
    for (ff, e) in self_evaluations(d).filter(|(_, e)| !e.incomplete) {
        if e.variant == SelfEvaluationVariant::Department {
            continue; // department-wide templates (53号, 四川 25/30/45) are not 10号 blocks
        }
        let Some(blocks) = form_weights(ctx, e) else {
            continue;
        };
        let exec = e.money.total.weight;
        let mut expected: Vec<(String, Decimal)> = Vec::new();
        let mut actual: Vec<(String, Decimal)> = Vec::new();
        if let Some(x) = exec {
            expected.push(("预算执行率".into(), s.execution_weight));
            actual.push(("预算执行率".into(), x));
        }
        if s.level1_weights.is_empty() {
            // One block of indicators (四川 一体化: 绩效指标 90).
            let Some(total) = checked_sum(blocks.iter().map(|(_, w)| *w)) else {
                continue;
            };
            expected.push(("绩效指标".into(), Decimal::ONE_HUNDRED - s.execution_weight));
            actual.push(("绩效指标".into(), total));
        } else {
            for (l1, w) in &s.level1_weights {
                expected.push((l1.clone(), *w));
                let got = blocks
                    .iter()
                    .find(|(b, _)| b == l1)
                    .map_or(Decimal::ZERO, |(_, w)| *w);
                actual.push((l1.clone(), got));
            }
            for (b, w) in &blocks {
                if !s.level1_weights.iter().any(|(l, _)| l == b) {
                    expected.push((b.clone(), Decimal::ZERO));
                    actual.push((b.clone(), *w));
                }
            }
        }
        if expected == actual {
            continue;
        }
        let show = |v: &[(String, Decimal)]| {
            v.iter()
                .map(|(l, w)| format!("{l}{}分", num(*w)))
                .collect::<Vec<_>>()
                .join("、")
        };
        out.push(
            ctx.finding(
                RULE,
                ff,
                "indicators",
                format!(
                    "一级指标分值为{}，与配置方案“{}”的{}不同；如本地区另有规定，请选用相应的配置方案，否则请按规定调整分值",
                    show(&actual),
                    ctx.profile.title,
                    show(&expected)
                ),
            )
            .with_values(show(&expected), show(&actual)),
        );
    }
    out
}

/// Names of a self-evaluation's money rows, for messages.
const SELF_EVAL_ROWS: &[(&str, &str)] = &[
    ("total", "年度资金总额"),
    ("fiscal", "本年财政拨款"),
    ("government_fund", "政府性基金拨款"),
    ("carryover", "上年结转资金"),
    ("other", "其他资金"),
    ("basic", "基本支出"),
    ("project", "项目支出"),
];

fn money_row<'a>(e: &'a SelfEvaluation, name: &str) -> &'a MoneyRow {
    let m = &e.money;
    match name {
        "fiscal" => &m.fiscal,
        "government_fund" => &m.government_fund,
        "carryover" => &m.carryover,
        "other" => &m.other,
        "basic" => &m.basic,
        "project" => &m.project,
        _ => &m.total,
    }
}

/// One stated rate against executed ÷ budget; the finding when they differ at the
/// precision written. `initial` is 年初预算数, named when the rate was divided by it.
#[allow(clippy::too_many_arguments)]
fn rate_finding(
    ctx: &Ctx,
    ff: &FiledForm,
    path: &str,
    row_label: &str,
    stated: Decimal,
    executed: Decimal,
    budget: Decimal,
    initial: Option<Decimal>,
    executed_label: &str,
) -> Option<Finding> {
    let computed = scoring::percent(executed, budget)?;
    if agrees(stated, computed, Decimal::ZERO) {
        return None;
    }
    let by_initial = initial
        .and_then(|i| scoring::percent(executed, i))
        .is_some_and(|r| agrees(stated, r, Decimal::ZERO));
    let hint = if by_initial {
        "；所填执行率是按年初预算数计算的，执行率应以全年预算数（调整后预算数）为分母"
    } else {
        ""
    };
    Some(
        ctx.finding(
            "rate-mismatch",
            ff,
            path,
            format!(
                "{row_label}的执行率{}%与{executed_label}{}÷全年预算数{}={}不一致{hint}，请改正执行率",
                num(stated),
                wan(executed),
                wan(budget),
                pct(computed)
            ),
        )
        .with_values(pct(computed), format!("{}%", num(stated))),
    )
}

/// `rate-mismatch`: a stated 执行率 ≠ executed ÷ budget at the precision written.
pub(crate) fn rate_mismatch(d: &Dossier, ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    let w = |m: &Option<crate::money::Money>| m.map(|m| m.in_wan());
    for (ff, e) in self_evaluations(d) {
        for (name, label) in SELF_EVAL_ROWS {
            let r = money_row(e, name);
            let (Some(rate), Some(a), Some(x)) = (r.rate, w(&r.annual), w(&r.executed)) else {
                continue;
            };
            out.extend(rate_finding(
                ctx,
                ff,
                &format!("money.{name}.rate"),
                label,
                rate,
                x,
                a,
                w(&r.initial),
                "全年执行数",
            ));
        }
    }
    for (ff, m) in monitorings(d) {
        let mm = &m.money;
        if let (Some(rate), Some(a), Some(x)) = (mm.rate, w(&mm.annual), w(&mm.executed)) {
            out.extend(rate_finding(
                ctx,
                ff,
                "money.rate",
                "年度资金总额",
                rate,
                x,
                a,
                None,
                "期间执行数",
            ));
        }
    }
    out
}

/// The grade a stated text names, among the profile's (`优`, `优秀` → 优).
fn stated_grade<'a>(ctx: &'a Ctx, text: &str) -> Option<&'a str> {
    let n = normalize_label(text);
    let grades = &ctx.profile.scoring.grades;
    grades
        .iter()
        .find(|g| g.grade == n)
        .or_else(|| grades.iter().find(|g| n.starts_with(g.grade.as_str())))
        .map(|g| g.grade.as_str())
}

/// `grade-mismatch`: a stated grade ≠ the grade of the total under the profile's bands
/// (the stated total where there is one, else the recomputed total).
pub(crate) fn grade_mismatch(d: &Dossier, ctx: &Ctx) -> Vec<Finding> {
    const RULE: &str = "grade-mismatch";
    let s = &ctx.profile.scoring;
    let mut out = Vec::new();
    for (ff, e) in self_evaluations(d) {
        let Some(text) = e.grade.as_deref() else {
            continue;
        };
        let Some(stated) = stated_grade(ctx, text) else {
            continue;
        };
        let (total, which) = match e.total_score {
            Some(t) => (t, "总分"),
            None => match scoring::evaluate(e, ctx.profile).total {
                Some(t) => (t, "按各项得分计算的总分"),
                None => continue,
            },
        };
        let Some(expected) = s.grade(total) else {
            continue;
        };
        if expected == stated {
            continue;
        }
        let bands = s
            .grades
            .iter()
            .map(|g| {
                format!(
                    "{}{}{}",
                    g.grade,
                    if g.inclusive { "≥" } else { ">" },
                    num(g.min)
                )
            })
            .collect::<Vec<_>>()
            .join("、");
        out.push(
            ctx.finding(
                RULE,
                ff,
                "grade",
                format!(
                    "自评等级“{}”与{which}{}分对应的等级“{expected}”不一致（{bands}），请改正等级",
                    text.trim(),
                    num(total)
                ),
            )
            .with_values(expected, text.trim()),
        );
    }
    out
}

/// `deviation-unexplained`: an unmet indicator, a score below its 分值, or an execution
/// rate below the profile's threshold without 偏差原因 and 改进措施; on monitoring forms,
/// 完成可能性 有可能/不可能 without a reason and planned measures. A copy cut mid-table
/// is not judged: its explanations may follow the cut.
pub(crate) fn deviation_unexplained(d: &Dossier, ctx: &Ctx) -> Vec<Finding> {
    const RULE: &str = "deviation-unexplained";
    let s = &ctx.profile.scoring;
    let mut out = Vec::new();
    for (ff, e) in self_evaluations(d).filter(|(_, e)| !e.incomplete) {
        let ev = scoring::evaluate(e, ctx.profile);
        let form_explains = written(ctx, &e.deviation);
        for (i, (ind, row)) in e.indicators.iter().zip(&ev.rows).enumerate() {
            if form_explains || written(ctx, &ind.deviation) || ind.is_blank() {
                continue;
            }
            let shortfall = match row.assessment.met() {
                Some(false) => format!(
                    "未达到年度指标值（年度指标值{}，实际完成值{}）",
                    ind.target.text.trim(),
                    ind.actual.text.trim()
                ),
                None if row.assessment != Assessment::NotApplicable => {
                    match (ind.score, ind.weight) {
                        (Some(sc), Some(w)) if sc < w => {
                            format!("得分{}分低于分值{}分", num(sc), num(w))
                        }
                        _ => continue,
                    }
                }
                _ => continue,
            };
            out.push(ctx.finding(
                RULE,
                ff,
                &format!("indicators[{i}].deviation"),
                format!(
                    "{}{shortfall}，请在“偏差原因分析及改进措施”中说明未完成的原因和拟采取的改进措施",
                    row_name(&ind.name, i)
                ),
            ));
        }
        if let Some(rate) = ev.execution.and_then(|x| x.rate) {
            if rate < s.explain_execution_below && !form_explains {
                out.push(ctx.finding(
                    RULE,
                    ff,
                    "money.total.rate",
                    format!(
                        "预算执行率{}低于{}%，请说明资金未执行的原因和拟采取的改进措施",
                        pct(rate),
                        num(s.explain_execution_below)
                    ),
                ));
            }
        }
    }
    for (ff, m) in monitorings(d).filter(|(_, m)| !m.incomplete) {
        for (i, ind) in m.indicators.iter().enumerate() {
            let Some(p @ (Possibility::Possible | Possibility::Impossible)) = ind.possibility
            else {
                continue;
            };
            let reason = written(ctx, &ind.deviation) || written(ctx, &m.deviation);
            let measures = written(ctx, &ind.measures) || written(ctx, &m.measures);
            let (path, missing) = match (reason, measures) {
                (true, true) => continue,
                (false, true) => (
                    format!("indicators[{i}].deviation"),
                    "在“偏差或不能完成目标原因分析”中说明原因",
                ),
                (true, false) => (
                    format!("indicators[{i}].measures"),
                    "在“相关建议或举措”中填写拟采取的措施",
                ),
                (false, false) => (
                    format!("indicators[{i}].deviation"),
                    "分别在“偏差或不能完成目标原因分析”与“相关建议或举措”中说明原因和拟采取的措施",
                ),
            };
            out.push(ctx.finding(
                RULE,
                ff,
                &path,
                format!(
                    "{}的完成目标可能性为“{}”，请{missing}",
                    row_name(&ind.name, i),
                    p.label()
                ),
            ));
        }
    }
    out
}

/// The over-achievement of a measured value: actual ÷ target when it reaches the profile's
/// threshold on a positive indicator.
fn over_ratio(row: &Assessment, threshold: Decimal) -> Option<Decimal> {
    match row {
        Assessment::Quantitative(m) if !matches!(m.direction, Direction::Reverse { .. }) => {
            m.ratio.filter(|r| *r >= threshold)
        }
        _ => None,
    }
}

/// `overachievement-unexplained`: actual ≥ 130 % (profile) of a positive target with no
/// explanation: the target was probably set too low (warning).
pub(crate) fn overachievement_unexplained(d: &Dossier, ctx: &Ctx) -> Vec<Finding> {
    const RULE: &str = "overachievement-unexplained";
    let threshold = ctx.profile.scoring.overachievement;
    let message = |name: String, t: &str, a: &str, r: Decimal| {
        format!(
            "{name}的实际完成值{a}达到年度指标值{t}的{}（超过{}），目标可能定得过低，请在偏差原因中说明超额完成的原因",
            pct(r.saturating_mul(Decimal::ONE_HUNDRED)),
            pct(threshold.saturating_mul(Decimal::ONE_HUNDRED))
        )
    };
    let mut out = Vec::new();
    for (ff, e) in self_evaluations(d).filter(|(_, e)| !e.incomplete) {
        if written(ctx, &e.deviation) {
            continue;
        }
        for (i, ind) in e.indicators.iter().enumerate() {
            if written(ctx, &ind.deviation) {
                continue;
            }
            let row = scoring::score_row(ind, ctx.profile);
            let Some(r) = over_ratio(&row.assessment, threshold) else {
                continue;
            };
            out.push(ctx.finding(
                RULE,
                ff,
                &format!("indicators[{i}].deviation"),
                message(
                    row_name(&ind.name, i),
                    ind.target.text.trim(),
                    ind.actual.text.trim(),
                    r,
                ),
            ));
        }
    }
    for (ff, m) in monitorings(d).filter(|(_, m)| !m.incomplete) {
        if written(ctx, &m.deviation) {
            continue;
        }
        for (i, ind) in m.indicators.iter().enumerate() {
            if written(ctx, &ind.deviation) {
                continue;
            }
            // The year's forecast, else what is done so far, against the whole year's target.
            let best = [&ind.forecast, &ind.progress].into_iter().find_map(|v| {
                let a = scoring::assess(
                    &ind.level1,
                    &ind.level2,
                    &ind.name,
                    &ind.target,
                    v,
                    ctx.profile,
                );
                over_ratio(&a, threshold).map(|r| (v, r))
            });
            let Some((v, r)) = best else { continue };
            out.push(ctx.finding(
                RULE,
                ff,
                &format!("indicators[{i}].deviation"),
                message(
                    row_name(&ind.name, i),
                    ind.target.text.trim(),
                    v.text.trim(),
                    r,
                ),
            ));
        }
    }
    out
}

/// The approved target form a report reports on: among the approved forms given to the
/// check first, else in the same dossier; a project by its name, a department-wide
/// self-evaluation by its unit.
fn approved_for<'a>(ctx: &Ctx<'a>, d: &'a Dossier, report: &Form) -> Option<&'a FiledForm> {
    let (name, department) = match report {
        Form::SelfEvaluation(e) => (
            e.name.as_str(),
            e.variant == SelfEvaluationVariant::Department,
        ),
        Form::Monitoring(m) => (m.name.as_str(), false),
        _ => return None,
    };
    let unit = squash(report.unit());
    let key = squash(name);
    let year = report.year();
    let fits = |ff: &&FiledForm| {
        let same_year = match (ff.form.year(), year) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        same_year
            && match &ff.form {
                Form::Project(p) => !department && !key.is_empty() && squash(&p.name) == key,
                Form::DepartmentOverall(f) => {
                    department && !unit.is_empty() && squash(&f.unit) == unit
                }
                _ => false,
            }
    };
    ctx.approved
        .iter()
        .find(fits)
        .or_else(|| d.forms.iter().find(fits))
}

/// Whether two targets say the same: numbers equal in one unit (a comparator left out on
/// one side does not count), or the same words.
pub(crate) fn same_target(a: &IndicatorValue, b: &IndicatorValue) -> bool {
    match (a.number, b.number) {
        (Some(_), Some(_)) => {
            let comparators = match (a.comparator, b.comparator) {
                (Some(x), Some(y)) => x == y,
                _ => true,
            };
            comparators && a.against(b).is_some_and(|(x, y)| x == y)
        }
        _ => squash(&a.text) == squash(&b.text),
    }
}

/// The approved indicator a report row reports on: same 三级 name (and same 二级 when the
/// name is used twice).
fn approved_row<'a>(
    ctx: &Ctx,
    approved: &'a [Indicator],
    level2: &str,
    name: &str,
) -> Option<&'a Indicator> {
    let key = squash(name);
    if key.is_empty() {
        return None;
    }
    let same: Vec<&Indicator> = approved.iter().filter(|i| squash(&i.name) == key).collect();
    match same.as_slice() {
        [one] => Some(one),
        [] => None,
        many => {
            let l2 = ctx.category_of("", level2).l2;
            many.iter().copied().find(|i| ctx.category(i).l2 == l2)
        }
    }
}

/// `target-changed`: a 年度指标值 in a monitoring or self-evaluation form differs from the
/// approved target it reports on.
pub(crate) fn target_changed(d: &Dossier, ctx: &Ctx) -> Vec<Finding> {
    const RULE: &str = "target-changed";
    let mut out = Vec::new();
    for ff in d.forms.iter().filter(|ff| !ff.form.kind().is_target()) {
        let Some(approved) = approved_for(ctx, d, &ff.form) else {
            continue;
        };
        let targets = approved.form.indicators();
        for row in ff.form.indicator_rows() {
            if row.target.is_empty() || at_cut(ff, &row) {
                continue;
            }
            let Some(a) = approved_row(ctx, targets, row.level2, row.name) else {
                continue;
            };
            if a.value.is_empty() || same_target(row.target, &a.value) {
                continue;
            }
            out.push(
                ctx.finding(
                    RULE,
                    ff,
                    &row.target_path(),
                    format!(
                        "三级指标“{}”的年度指标值“{}”与批复的{}中的“{}”不一致；监控和自评应以批复的绩效目标为准，确需调整的请按程序申请调整",
                        row.name.trim(),
                        row.target.text.trim(),
                        approved.form.display_name(),
                        a.value.text.trim()
                    ),
                )
                .with_values(a.value.text.trim(), row.target.text.trim()),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn precision_written() {
        let tol = d("0.01");
        assert!(agrees(d("6.4"), d("6.40"), tol));
        assert!(agrees(d("9"), d("8.89"), tol), "integer scores round");
        assert!(!agrees(d("19.6"), d("20"), tol));
        assert!(!agrees(d("9.00"), d("10.00"), tol));
        assert!(agrees(d("99.97"), d("99.9711"), Decimal::ZERO));
        assert!(
            agrees(d("66.66"), d("66.6666"), Decimal::ZERO),
            "cut, not rounded"
        );
        assert!(agrees(d("86.5"), d("86.48333"), Decimal::ZERO));
        assert!(!agrees(d("100"), d("99.4"), Decimal::ZERO));
        assert!(
            !agrees(Decimal::MAX, Decimal::MIN, Decimal::ZERO),
            "no overflow"
        );
    }

    #[test]
    fn targets_compare_in_one_unit() {
        let v = IndicatorValue::parse;
        assert!(same_target(&v("≥95%"), &v("95%")));
        assert!(same_target(&v("≤20万元"), &v("≤200000元")));
        assert!(!same_target(&v("≥95%"), &v("≥90%")));
        assert!(!same_target(&v("≥95%"), &v("≤95%")));
        assert!(same_target(&v("显著提升"), &v("显著 提升")));
        assert!(!same_target(&v("显著提升"), &v("有所提升")));
    }
}
