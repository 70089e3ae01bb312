//! The rule engine (docs/rules.md): every check as a plain function over a dossier.
//!
//! Rules hard-code nothing regional: word lists, label synonyms, indicator frameworks,
//! severities and the sum tolerance come from the [`Profile`]. Every finding says what is
//! wrong and how to fix it in the forms' own terms, and points at the field and the cell.
//!
//! Arithmetic rules report every relation a wrong number breaks (an in-form sum, the same
//! fact on another form, the row's own 测算依据), and no relation it does not break: a total
//! that disagrees with both of its breakdowns is one finding, a 专项 amount that breaks its
//! own sum and the 合计 is one finding, Σ 支出明细 is compared with 项目金额 only when the
//! 合计 row does not already explain the gap, and a cost cap is measured against the budget
//! its parts confirm. Where the other numbers show which one is wrong, the finding points
//! at that cell rather than at the total.

mod arith;
mod calc_rules;
mod catalogue;
mod library_rules;

mod quality;
mod reports;
mod structure;
mod support;

use crate::finding::{Finding, Severity};
use crate::model::{Dossier, FiledForm};
use crate::profile::Profile;

pub use crate::labels::field_label;
pub use catalogue::{catalogue, rules_markdown, RuleInfo};
pub use library_rules::library_findings;

/// What the rules read besides the dossier.
#[derive(Clone, Copy, Debug)]
pub struct Ctx<'a> {
    pub profile: &'a Profile,
    /// Checking for submission: 填表人 and 联系电话 are then required (财预〔2015〕88号 form: 填表人, 联系电话).
    pub at_submission: bool,
    /// Approved target forms that monitoring and self-evaluation forms report on
    /// (`target-changed`); the dossier's own target forms are used where none matches.
    pub approved: &'a [FiledForm],
}

impl<'a> Ctx<'a> {
    pub fn new(profile: &'a Profile) -> Self {
        Ctx {
            profile,
            at_submission: false,
            approved: &[],
        }
    }

    /// The same context, with approved target forms to check reports against.
    pub fn with_approved(self, approved: &'a [FiledForm]) -> Self {
        Ctx { approved, ..self }
    }

    /// The severity of a rule under this profile.
    pub fn severity(&self, rule: &str) -> Severity {
        self.profile
            .severity(rule, catalogue::default_severity(rule))
    }
}

/// A rule: reads one dossier, returns its findings (unsorted).
pub type RuleFn = fn(&Dossier, &Ctx) -> Vec<Finding>;

/// Every rule the engine runs, by id. `parse-warning` is the importer's and not here.
pub const RULES: &[(&str, RuleFn)] = &[
    ("sum-mismatch", arith::sum_mismatch),
    ("calc-mismatch", calc_rules::calc_mismatch),
    ("cross-form-mismatch", arith::cross_form_mismatch),
    ("cost-over-budget", arith::cost_over_budget),
    ("bad-value", structure::bad_value),
    ("missing-indicator", structure::missing_indicator),
    ("empty-indicator", structure::empty_indicator),
    ("unknown-category", structure::unknown_category),
    ("standard-invalid", structure::standard_invalid),
    ("header-missing", structure::header_missing),
    ("year-mismatch", structure::year_mismatch),
    ("goal-mismatch", structure::goal_mismatch),
    ("vague-value", quality::vague_value),
    ("filler-value", quality::filler_value),
    ("process-as-quality", quality::process_as_quality),
    ("cost-restates-budget", quality::cost_restates_budget),
    ("satisfaction-form", quality::satisfaction_form),
    ("relevance", quality::relevance),
    ("text-punctuation", quality::text_punctuation),
    ("typo", quality::typo),
    ("calc-unverifiable", calc_rules::calc_unverifiable),
    ("score-mismatch", reports::score_mismatch),
    ("score-total-mismatch", reports::score_total_mismatch),
    ("weight-sum", reports::weight_sum),
    ("weight-profile", reports::weight_profile),
    ("rate-mismatch", reports::rate_mismatch),
    ("grade-mismatch", reports::grade_mismatch),
    ("deviation-unexplained", reports::deviation_unexplained),
    (
        "overachievement-unexplained",
        reports::overachievement_unexplained,
    ),
    ("target-changed", reports::target_changed),
    ("indicator-duplicate", library_rules::indicator_duplicate),
];

/// Run every rule on one dossier; findings sorted by file, form and field order.
pub fn check_dossier(d: &Dossier, profile: &Profile) -> Vec<Finding> {
    check_with(d, &Ctx::new(profile))
}

/// Run every rule with an explicit context (e.g. `at_submission`).
pub fn check_with(d: &Dossier, ctx: &Ctx) -> Vec<Finding> {
    let mut out: Vec<Finding> = RULES.iter().flat_map(|(_, rule)| rule(d, ctx)).collect();
    sort_findings(&mut out);
    out
}

/// Run every rule on several dossiers; one sorted list.
pub fn check_all(ds: &[Dossier], profile: &Profile) -> Vec<Finding> {
    check_against(ds, profile, &[])
}

/// Run every rule on several dossiers, checking monitoring and self-evaluation forms
/// against the approved target forms given (matched by project name, or by unit for a
/// department-wide self-evaluation; within a dossier its own target forms serve when none
/// of these matches). One sorted list.
pub fn check_against(ds: &[Dossier], profile: &Profile, approved: &[FiledForm]) -> Vec<Finding> {
    let ctx = Ctx::new(profile).with_approved(approved);
    let mut out: Vec<Finding> = ds.iter().flat_map(|d| check_with(d, &ctx)).collect();
    sort_findings(&mut out);
    out
}

/// What is additionally required before submission (填表人, 联系电话), as findings.
pub fn submission_findings(d: &Dossier, profile: &Profile) -> Vec<Finding> {
    let ctx = Ctx {
        at_submission: true,
        ..Ctx::new(profile)
    };
    let mut out = structure::signoff_missing(d, &ctx);
    sort_findings(&mut out);
    out
}

/// Stable sort by file, form index and the field's position on the form; findings of one
/// field keep the rule order of [`RULES`].
pub fn sort_findings(fs: &mut [Finding]) {
    fs.sort_by_cached_key(|f| {
        let l = &f.location;
        (
            l.file.clone(),
            l.form,
            l.field.as_deref().map(crate::labels::field_order),
        )
    });
}
