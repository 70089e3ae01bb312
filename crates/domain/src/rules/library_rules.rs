//! Checks that compare a filing with others (docs/library.md): `indicator-duplicate` within
//! one form (a plain rule), and, with the 指标库 and last year's self-evaluations at hand,
//! `value-outlier` and `stale-target` ([`library_findings`]).

use std::collections::HashMap;

use crate::finding::Finding;
use crate::library::{name_key, Library};
use crate::model::{Dossier, FiledForm, Form};
use crate::scoring::{assess, Assessment, Direction};

use super::reports::same_target;
use super::support::{at_cut, squash};
use super::Ctx;

/// `indicator-duplicate`: two rows of one form measure the same thing under different names
/// the library groups together (验收合格率 / 项目验收合格率), with targets in one unit.
pub(crate) fn indicator_duplicate(d: &Dossier, ctx: &Ctx) -> Vec<Finding> {
    const RULE: &str = "indicator-duplicate";
    let settings = &ctx.profile.library;
    let mut out = Vec::new();
    for ff in &d.forms {
        let rows = ff.form.indicator_rows();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (pos, row) in rows.iter().enumerate() {
            if row.name.trim().is_empty() || at_cut(ff, row) {
                continue;
            }
            let key = name_key(row.name, settings);
            if key.chars().count() < 2 {
                continue;
            }
            let Some(&first) = seen.get(&key) else {
                seen.insert(key, pos);
                continue;
            };
            let earlier = &rows[first];
            // The same name twice is a repeated row (or a layout read twice), not two names
            // for one thing; targets in different units measure different things.
            let units_differ = matches!(
                (&earlier.target.unit, &row.target.unit),
                (Some(a), Some(b)) if a != b
            );
            if squash(earlier.name) == squash(row.name) || units_differ {
                continue;
            }
            let msg = format!(
                "三级指标“{}”与第{}个指标“{}”衡量的是同一内容，请合并为一个指标或改为衡量不同内容的指标",
                row.name.trim(),
                earlier.index + 1,
                earlier.name.trim()
            );
            out.push(
                ctx.finding(RULE, ff, &row.path("name"), msg)
                    .with_values(earlier.name.trim(), row.name.trim()),
            );
        }
    }
    out
}

/// The checks that need the library and last year's approved self-evaluations of the same
/// unit (`previous`): `value-outlier` and `stale-target`, on the target tables.
pub fn library_findings(
    d: &Dossier,
    ctx: &Ctx,
    library: &Library,
    previous: &[FiledForm],
) -> Vec<Finding> {
    let mut out = Vec::new();
    for ff in d.forms.iter().filter(|ff| ff.form.kind().is_target()) {
        for row in ff.form.indicator_rows() {
            if row.name.trim().is_empty() || row.target.is_empty() {
                continue;
            }
            if let Some((range, below)) = library.outlier(row.name, row.target) {
                let msg = format!(
                    "三级指标“{}”的指标值“{}”{}同类指标通常填写的范围{}，请核实指标值是否合理（依据：指标库中其他单位已批复的目标）",
                    row.name.trim(),
                    row.target.text.trim(),
                    if below { "明显低于" } else { "明显高于" },
                    range.describe()
                );
                out.push(
                    ctx.finding("value-outlier", ff, &row.target_path(), msg)
                        .with_values(range.describe(), row.target.text.trim()),
                );
            }
            if let Some(f) = stale(ctx, ff, &row, previous) {
                out.push(f);
            }
        }
    }
    out
}

/// `stale-target`: this year's target is last year's, which last year's actual beat.
fn stale(
    ctx: &Ctx,
    ff: &FiledForm,
    row: &crate::model::IndicatorRow,
    previous: &[FiledForm],
) -> Option<Finding> {
    let project = match &ff.form {
        Form::Project(p) => squash(&p.name),
        _ => String::new(),
    };
    let key = name_key(row.name, &ctx.profile.library);
    let last = previous.iter().find_map(|pf| {
        let Form::SelfEvaluation(e) = &pf.form else {
            return None;
        };
        let fits = if project.is_empty() {
            e.variant == crate::report::SelfEvaluationVariant::Department
        } else {
            squash(&e.name) == project
        };
        if !fits {
            return None;
        }
        e.indicators
            .iter()
            .find(|i| name_key(&i.name, &ctx.profile.library) == key)
    })?;
    if !same_target(row.target, &last.target) {
        return None;
    }
    let Assessment::Quantitative(m) = assess(
        &last.level1,
        &last.level2,
        &last.name,
        &last.target,
        &last.actual,
        ctx.profile,
    ) else {
        return None;
    };
    let beaten = match m.direction {
        Direction::Positive => m.actual > m.target,
        Direction::Reverse { .. } => m.actual < m.target,
        Direction::Equal => false,
    };
    if !beaten {
        return None;
    }
    let msg = format!(
        "三级指标“{}”的指标值“{}”与上年相同，而上年实际完成“{}”已超过该目标，目标可能偏低，请参考上年实际完成情况设定指标值",
        row.name.trim(),
        row.target.text.trim(),
        last.actual.text.trim()
    );
    Some(
        ctx.finding("stale-target", ff, &row.target_path(), msg)
            .with_values(last.actual.text.trim(), row.target.text.trim()),
    )
}
