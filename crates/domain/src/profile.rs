//! Region profiles: data that differs by region and year (framework trees, label synonyms,
//! word lists, severities, tolerances), loaded from TOML, never hard-coded in rules.

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::finding::Severity;
use crate::text::normalize_label;
use crate::vocabulary::Vocabulary;

const BUILTIN: &[(&str, &str)] = &[
    ("national", include_str!("../profiles/national.toml")),
    (
        "hunan-zhuzhou",
        include_str!("../profiles/hunan-zhuzhou.toml"),
    ),
];

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("未知的配置方案“{0}”，可用：national、hunan-zhuzhou")]
    Unknown(String),
    #[error("配置方案格式错误：{0}")]
    Invalid(String),
}

#[derive(Debug, Clone, Deserialize, Default)]
struct Tolerance {
    sum: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Default)]
struct Labels {
    #[serde(default)]
    level1: BTreeMap<String, String>,
    #[serde(default)]
    level2: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize, Default)]
struct Words {
    #[serde(default)]
    vague: Vec<String>,
    #[serde(default)]
    qualitative_grades: Vec<String>,
    #[serde(default)]
    filler: Vec<String>,
    #[serde(default)]
    process_quality: Vec<String>,
    #[serde(default)]
    standards: Vec<String>,
    #[serde(default)]
    budget_restatement: Vec<String>,
    #[serde(default)]
    typos: BTreeMap<String, String>,
    #[serde(default)]
    growth_rate: Vec<String>,
    #[serde(default)]
    relevance_categories: Vec<String>,
    #[serde(default)]
    stop_chars: String,
    #[serde(default)]
    generic_words: Vec<String>,
}

/// `[scoring]`: how a self-evaluation (财预〔2020〕10号) is scored. Every field is optional
/// in the TOML; a missing one keeps the 10号 default of [`Scoring::default`].
#[derive(Debug, Clone, Deserialize, Default)]
struct RawScoring {
    execution_weight: Option<String>,
    level1_weights: Option<Vec<RawWeight>>,
    reverse_formula: Option<String>,
    qualitative_achieved: Option<String>,
    qualitative_partial: Option<String>,
    overachievement: Option<String>,
    explain_execution_below: Option<String>,
    score_tolerance: Option<String>,
    grades: Option<Vec<RawGrade>>,
    reverse_words: Option<Vec<String>>,
    not_applicable: Option<Vec<String>>,
}

#[derive(Debug, Clone, Deserialize)]
struct RawWeight {
    level1: String,
    weight: String,
}

#[derive(Debug, Clone, Deserialize)]
struct RawGrade {
    grade: String,
    min: String,
    #[serde(default = "yes")]
    inclusive: bool,
}

fn yes() -> bool {
    true
}

/// `[monitoring]`: the period and the warning-light thresholds of in-year monitoring.
#[derive(Debug, Clone, Deserialize, Default)]
struct RawMonitoring {
    month: Option<u8>,
    budget_red_below: Option<String>,
    budget_yellow_below: Option<String>,
    indicator_red_below: Option<String>,
    indicator_yellow_below: Option<String>,
    indicator_blue_from: Option<String>,
}

/// How a reverse (`≤`, 成本, 时间) indicator that misses its bound is scored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReverseFormula {
    /// 分值 × 指标值/实际值, as printed in the footnotes of 10号-style forms (e.g. the 四川 and 云南 forms).
    Ratio,
    /// 分值 × (1 − (实际值 − 指标值)/指标值), 0 from twice the bound (a vendor's choice).
    LinearDeduction,
}

/// One grade band: totals from `min` (inclusive or not) up to the next better band.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GradeBand {
    pub grade: String,
    pub min: Decimal,
    pub inclusive: bool,
}

impl GradeBand {
    fn admits(&self, total: Decimal) -> bool {
        if self.inclusive {
            total >= self.min
        } else {
            total > self.min
        }
    }
}

/// Self-evaluation scoring (财预〔2020〕10号 and the footnotes of the forms that apply it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scoring {
    /// 分值 of 预算执行率.
    pub execution_weight: Decimal,
    /// 分值 of each 一级 block (产出 50, 效益 30, 满意度 10).
    pub level1_weights: Vec<(String, Decimal)>,
    pub reverse_formula: ReverseFormula,
    /// Lowest share (percent of 分值) of the 达成 band: [80, 100].
    pub qualitative_achieved: Decimal,
    /// Lowest share of the 部分达成 band: [60, 80); 未达成 is [0, 60).
    pub qualitative_partial: Decimal,
    /// Actual ÷ target from which a positive indicator counts as over-achieved (1.3).
    pub overachievement: Decimal,
    /// An execution rate (percent) below this needs a reason (四川 asks below 90%).
    pub explain_execution_below: Decimal,
    /// A stated score may differ from the computed one by this much.
    pub score_tolerance: Decimal,
    /// Grade bands, best first.
    pub grades: Vec<GradeBand>,
    /// Words in an indicator name that make it reverse (smaller is better) when its value
    /// has no comparator (成本, 时间 …); normalised.
    pub reverse_words: Vec<String>,
    /// Values that mark an indicator as not assessed (不适用), normalised.
    pub not_applicable: Vec<String>,
}

impl Default for Scoring {
    /// 财预〔2020〕10号 as printed on national forms: used where a profile has no `[scoring]`.
    fn default() -> Self {
        let d = |n: i64| Decimal::from(n);
        Scoring {
            execution_weight: d(10),
            level1_weights: vec![
                ("产出指标".into(), d(50)),
                ("效益指标".into(), d(30)),
                ("满意度指标".into(), d(10)),
            ],
            reverse_formula: ReverseFormula::Ratio,
            qualitative_achieved: d(80),
            qualitative_partial: d(60),
            overachievement: Decimal::new(13, 1),
            explain_execution_below: d(90),
            score_tolerance: Decimal::new(1, 2),
            grades: [("优", 90), ("良", 80), ("中", 60), ("差", 0)]
                .into_iter()
                .map(|(g, m)| GradeBand {
                    grade: g.into(),
                    min: d(m),
                    inclusive: true,
                })
                .collect(),
            reverse_words: ["成本", "时间", "用时", "耗时", "时长"]
                .map(String::from)
                .to_vec(),
            not_applicable: vec!["不适用".into()],
        }
    }
}

impl Scoring {
    /// The grade of a total under these bands (`None` below the last band).
    pub fn grade(&self, total: Decimal) -> Option<&str> {
        self.grades
            .iter()
            .find(|b| b.admits(total))
            .map(|b| b.grade.as_str())
    }

    /// The profile's 分值 of a 一级 block.
    pub fn level1_weight(&self, level1: &str) -> Option<Decimal> {
        self.level1_weights
            .iter()
            .find(|(l, _)| l == level1)
            .map(|(_, w)| *w)
    }
}

/// Thresholds of one kind of warning light, in percent of the pace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LightBands {
    /// Red below this.
    pub red_below: Decimal,
    /// Yellow from `red_below` up to this; green from here.
    pub yellow_below: Decimal,
    /// Blue (ahead of plan) from here, where the light has a blue band.
    pub blue_from: Option<Decimal>,
}

/// In-year monitoring (财预〔2019〕136号; the warning lights of budget systems).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonitoringSettings {
    /// The period's last month when a form does not say (7 for the central 1–7月 round).
    pub month: u8,
    pub budget: LightBands,
    pub indicator: LightBands,
}

impl Default for MonitoringSettings {
    /// The thresholds budget-system vendors use; the central round's 1–7月 period.
    fn default() -> Self {
        let d = |n: i64| Decimal::from(n);
        MonitoringSettings {
            month: 7,
            budget: LightBands {
                red_below: d(60),
                yellow_below: d(80),
                blue_from: None,
            },
            indicator: LightBands {
                red_below: d(60),
                yellow_below: d(80),
                blue_from: Some(d(120)),
            },
        }
    }
}

fn decimal(field: &str, v: &str) -> Result<Decimal, ProfileError> {
    Decimal::from_str(v.trim())
        .map_err(|_| ProfileError::Invalid(format!("{field} 的数值“{v}”无效")))
}

fn opt_decimal(field: &str, v: &Option<String>, default: Decimal) -> Result<Decimal, ProfileError> {
    v.as_deref().map_or(Ok(default), |v| decimal(field, v))
}

impl RawScoring {
    fn build(self) -> Result<Scoring, ProfileError> {
        let def = Scoring::default();
        let level1_weights = match self.level1_weights {
            Some(ws) => ws
                .into_iter()
                .map(|w| {
                    Ok((
                        w.level1.clone(),
                        decimal("scoring.level1_weights", &w.weight)?,
                    ))
                })
                .collect::<Result<Vec<_>, ProfileError>>()?,
            None => def.level1_weights,
        };
        let reverse_formula = match self.reverse_formula.as_deref().map(str::trim) {
            None | Some("ratio") => ReverseFormula::Ratio,
            Some("linear_deduction") => ReverseFormula::LinearDeduction,
            Some(other) => {
                return Err(ProfileError::Invalid(format!(
                    "scoring.reverse_formula 应为 ratio 或 linear_deduction，而不是“{other}”"
                )))
            }
        };
        let grades = match self.grades {
            Some(gs) => gs
                .into_iter()
                .map(|g| {
                    Ok(GradeBand {
                        min: decimal("scoring.grades", &g.min)?,
                        grade: g.grade,
                        inclusive: g.inclusive,
                    })
                })
                .collect::<Result<Vec<_>, ProfileError>>()?,
            None => def.grades,
        };
        if grades.is_empty() || grades.windows(2).any(|w| w[0].min < w[1].min) {
            return Err(ProfileError::Invalid(
                "scoring.grades 应从最高等级到最低等级排列，且不能为空".into(),
            ));
        }
        Ok(Scoring {
            execution_weight: opt_decimal(
                "scoring.execution_weight",
                &self.execution_weight,
                def.execution_weight,
            )?,
            level1_weights,
            reverse_formula,
            qualitative_achieved: opt_decimal(
                "scoring.qualitative_achieved",
                &self.qualitative_achieved,
                def.qualitative_achieved,
            )?,
            qualitative_partial: opt_decimal(
                "scoring.qualitative_partial",
                &self.qualitative_partial,
                def.qualitative_partial,
            )?,
            overachievement: opt_decimal(
                "scoring.overachievement",
                &self.overachievement,
                def.overachievement,
            )?,
            explain_execution_below: opt_decimal(
                "scoring.explain_execution_below",
                &self.explain_execution_below,
                def.explain_execution_below,
            )?,
            score_tolerance: opt_decimal(
                "scoring.score_tolerance",
                &self.score_tolerance,
                def.score_tolerance,
            )?,
            grades,
            reverse_words: self.reverse_words.map_or(def.reverse_words, normalized),
            not_applicable: self.not_applicable.map_or(def.not_applicable, normalized),
        })
    }
}

impl RawMonitoring {
    fn build(self) -> Result<MonitoringSettings, ProfileError> {
        let def = MonitoringSettings::default();
        let month = self.month.unwrap_or(def.month);
        if !(1..=12).contains(&month) {
            return Err(ProfileError::Invalid(format!(
                "monitoring.month 应在1～12之间，而不是{month}"
            )));
        }
        let d = |field: &str, v: &Option<String>, default: Decimal| opt_decimal(field, v, default);
        Ok(MonitoringSettings {
            month,
            budget: LightBands {
                red_below: d(
                    "monitoring.budget_red_below",
                    &self.budget_red_below,
                    def.budget.red_below,
                )?,
                yellow_below: d(
                    "monitoring.budget_yellow_below",
                    &self.budget_yellow_below,
                    def.budget.yellow_below,
                )?,
                blue_from: None,
            },
            indicator: LightBands {
                red_below: d(
                    "monitoring.indicator_red_below",
                    &self.indicator_red_below,
                    def.indicator.red_below,
                )?,
                yellow_below: d(
                    "monitoring.indicator_yellow_below",
                    &self.indicator_yellow_below,
                    def.indicator.yellow_below,
                )?,
                blue_from: match &self.indicator_blue_from {
                    Some(v) => Some(decimal("monitoring.indicator_blue_from", v)?),
                    None => def.indicator.blue_from,
                },
            },
        })
    }
}

/// Workflow switches that differ by region.
#[derive(Debug, Clone, Deserialize, Default)]
struct Workflow {
    /// Allow 提交 although error-severity findings remain (default: refused with the list).
    #[serde(default)]
    submit_with_errors: bool,
}

#[derive(Debug, Clone, Deserialize)]
struct RawProfile {
    name: String,
    title: String,
    #[serde(default)]
    frameworks: Vec<String>,
    #[serde(default)]
    workflow: Workflow,
    #[serde(default)]
    tolerance: Tolerance,
    #[serde(default)]
    severity: BTreeMap<String, String>,
    #[serde(default)]
    framework: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    #[serde(default)]
    labels: Labels,
    #[serde(default)]
    words: Words,
    #[serde(default)]
    vocabulary: Vocabulary,
    #[serde(default)]
    scoring: RawScoring,
    #[serde(default)]
    monitoring: RawMonitoring,
    #[serde(default)]
    library: RawLibrary,
}

/// `[library]`: how the indicator library groups names and where it starts.
#[derive(Debug, Clone, Deserialize, Default)]
struct RawLibrary {
    #[serde(default)]
    qualifiers: Vec<String>,
    #[serde(default)]
    synonyms: Vec<Vec<String>>,
    outlier_min_sources: Option<usize>,
    outlier_margin: Option<String>,
    #[serde(default)]
    common: Vec<CommonIndicator>,
}

/// A 共性指标 of the profile: an entry of the library before any filing.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct CommonIndicator {
    pub level1: String,
    pub level2: String,
    pub name: String,
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub standard: String,
}

/// The indicator library's settings (`[library]`, docs/library.md).
#[derive(Debug, Clone, Default)]
pub struct LibrarySettings {
    /// Leading words that do not change what a 三级 name measures, normalised.
    pub qualifiers: Vec<String>,
    /// Synonym groups, normalised; the first of a group stands for it.
    pub synonyms: Vec<Vec<String>>,
    /// value-outlier: filings of other units needed before a target is compared.
    pub outlier_min_sources: usize,
    /// value-outlier: percentage points outside the middle half that are still usual.
    pub outlier_margin: Decimal,
    pub common: Vec<CommonIndicator>,
}

impl RawLibrary {
    fn build(self) -> Result<LibrarySettings, ProfileError> {
        Ok(LibrarySettings {
            qualifiers: normalized(self.qualifiers),
            synonyms: self.synonyms.into_iter().map(normalized).collect(),
            outlier_min_sources: self.outlier_min_sources.unwrap_or(5).max(1),
            outlier_margin: opt_decimal(
                "library.outlier_margin",
                &self.outlier_margin,
                Decimal::from(10),
            )?,
            common: self.common,
        })
    }
}

/// A loaded profile.
#[derive(Debug, Clone)]
pub struct Profile {
    pub name: String,
    pub title: String,
    /// Tolerance for sums, in 万元.
    pub sum_tolerance: Decimal,
    /// Whether a dossier may be submitted with error-severity findings (`[workflow]`).
    pub submit_with_errors: bool,
    severity: HashMap<String, Severity>,
    /// (一级, 二级) pairs accepted, by framework name.
    trees: Vec<(String, BTreeMap<String, Vec<String>>)>,
    level1: HashMap<String, String>,
    level2: HashMap<String, String>,
    pub vague: Vec<String>,
    pub qualitative_grades: Vec<String>,
    pub filler: Vec<String>,
    pub process_quality: Vec<String>,
    pub standards: Vec<String>,
    pub budget_restatement: Vec<String>,
    pub typos: Vec<(String, String)>,
    /// Words in an indicator name that mark a rate of change, which may exceed 100% or be
    /// negative (bad-value).
    pub growth_rate: Vec<String>,
    /// 二级 categories whose indicators are checked for relevance to the form's text.
    pub relevance_categories: Vec<String>,
    /// Characters that do not make a meaningful two-character word (的, 和 …).
    pub stop_chars: String,
    /// Two-character words too common to link an indicator to a 测算依据 (工作, 经费 …).
    pub generic_words: Vec<String>,
    /// The reader's vocabulary (labels, column headers, sections, titles), normalised.
    pub vocabulary: Vocabulary,
    /// Self-evaluation scoring: weights, formulas, bands, grades (`[scoring]`).
    pub scoring: Scoring,
    /// In-year monitoring: period and warning lights (`[monitoring]`).
    pub monitoring: MonitoringSettings,
    /// The indicator library (`[library]`).
    pub library: LibrarySettings,
    /// What a crate above builds from this profile once and reuses for every file (the
    /// recogniser's word index): see [`Profile::derived`].
    pub derived: Derived,
}

/// One structure built from a profile, kept with it. A clone starts empty, so a changed
/// copy never reuses what was built from the original.
#[derive(Default)]
pub struct Derived(std::sync::OnceLock<std::sync::Arc<dyn std::any::Any + Send + Sync>>);

impl Clone for Derived {
    fn clone(&self) -> Derived {
        Derived::default()
    }
}

impl std::fmt::Debug for Derived {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() {
            "Derived(built)"
        } else {
            "Derived(empty)"
        })
    }
}

/// A word list in the normalised form text is matched in.
fn normalized(words: Vec<String>) -> Vec<String> {
    words
        .iter()
        .map(|w| normalize_label(w))
        .filter(|w| !w.is_empty())
        .collect()
}

/// Overlay a profile on the one it extends: tables merge key by key, other values are
/// replaced, except the word lists of `[vocabulary]`, which a region extends (its words
/// are added to the parent's).
fn merge(base: &mut toml::Value, over: toml::Value) {
    merge_at(base, over, false)
}

fn merge_at(base: &mut toml::Value, over: toml::Value, in_vocabulary: bool) {
    match (base, over) {
        (toml::Value::Table(b), toml::Value::Table(o)) => {
            for (k, v) in o {
                let vocabulary = in_vocabulary || k == "vocabulary";
                match b.get_mut(&k) {
                    Some(bv) => merge_at(bv, v, vocabulary),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (toml::Value::Array(b), toml::Value::Array(o)) if in_vocabulary => b.extend(o),
        (b, o) => *b = o,
    }
}

fn load_value(name: &str, depth: usize) -> Result<toml::Value, ProfileError> {
    let src = BUILTIN
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, s)| *s)
        .ok_or_else(|| ProfileError::Unknown(name.to_string()))?;
    parse_with_parent(src, depth)
}

fn parse_with_parent(src: &str, depth: usize) -> Result<toml::Value, ProfileError> {
    let v: toml::Value = toml::from_str(src).map_err(|e| ProfileError::Invalid(e.to_string()))?;
    let parent = v
        .get("extends")
        .and_then(|p| p.as_str())
        .map(str::to_string);
    match parent {
        Some(p) if depth < 4 => {
            let mut base = load_value(&p, depth + 1)?;
            // An overriding profile replaces the framework list rather than adding to it.
            merge(&mut base, v);
            Ok(base)
        }
        Some(_) => Err(ProfileError::Invalid("extends 嵌套过深".into())),
        None => Ok(v),
    }
}

impl Profile {
    /// The `T` built from this profile by `build`, built on first use and then shared (the
    /// profile is not changed once in use; a clone builds its own). Only one type is kept:
    /// asking for another builds it every time.
    pub fn derived<T: std::any::Any + Send + Sync>(
        &self,
        build: impl FnOnce(&Profile) -> T,
    ) -> std::sync::Arc<T> {
        if let Some(any) = self.derived.0.get() {
            return match any.clone().downcast::<T>() {
                Ok(t) => t,
                Err(_) => std::sync::Arc::new(build(self)),
            };
        }
        let t = std::sync::Arc::new(build(self));
        // Two threads using a fresh profile at once may both build; one is kept.
        let _ = self.derived.0.set(t.clone());
        t
    }

    /// Names of the built-in profiles.
    pub fn builtin_names() -> Vec<&'static str> {
        BUILTIN.iter().map(|(n, _)| *n).collect()
    }

    /// A built-in profile by name.
    pub fn builtin(name: &str) -> Result<Profile, ProfileError> {
        Profile::from_value(load_value(name, 0)?)
    }

    /// The national default.
    pub fn national() -> Profile {
        Profile::builtin("national").expect("built-in profile parses")
    }

    /// A profile from TOML text (may `extends` a built-in one).
    pub fn from_toml(src: &str) -> Result<Profile, ProfileError> {
        Profile::from_value(parse_with_parent(src, 0)?)
    }

    fn from_value(v: toml::Value) -> Result<Profile, ProfileError> {
        let raw: RawProfile = v
            .try_into()
            .map_err(|e: toml::de::Error| ProfileError::Invalid(e.to_string()))?;
        let mut severity = HashMap::new();
        for (rule, s) in raw.severity {
            let sev = Severity::parse(&s)
                .ok_or_else(|| ProfileError::Invalid(format!("{rule} 的严重程度“{s}”无效")))?;
            severity.insert(rule, sev);
        }
        let sum_tolerance = match raw.tolerance.sum {
            Some(s) => Decimal::from_str(&s).map_err(|e| ProfileError::Invalid(e.to_string()))?,
            None => Decimal::new(5, 3),
        };
        let trees: Vec<(String, BTreeMap<String, Vec<String>>)> = raw
            .frameworks
            .iter()
            .filter_map(|f| raw.framework.get(f).map(|t| (f.clone(), t.clone())))
            .collect();
        let norm_map = |m: BTreeMap<String, String>| -> HashMap<String, String> {
            m.into_iter()
                .map(|(k, v)| (normalize_label(&k), v))
                .collect()
        };
        // Index every accepted label (tree names and synonyms) by its normalised form.
        let mut level1 = norm_map(raw.labels.level1);
        let mut level2 = norm_map(raw.labels.level2);
        for (_, tree) in &trees {
            for (l1, l2s) in tree {
                level1.insert(normalize_label(l1), l1.clone());
                for l2 in l2s {
                    level2.insert(normalize_label(l2), l2.clone());
                }
            }
        }
        Ok(Profile {
            name: raw.name,
            title: raw.title,
            sum_tolerance,
            submit_with_errors: raw.workflow.submit_with_errors,
            severity,
            trees,
            level1,
            level2,
            // Word lists are matched against normalised text: normalise them once here.
            vague: normalized(raw.words.vague),
            qualitative_grades: normalized(raw.words.qualitative_grades),
            filler: normalized(raw.words.filler),
            process_quality: normalized(raw.words.process_quality),
            standards: normalized(raw.words.standards),
            budget_restatement: normalized(raw.words.budget_restatement),
            typos: raw
                .words
                .typos
                .into_iter()
                .filter(|(a, b)| a != b)
                .collect(),
            growth_rate: raw.words.growth_rate,
            relevance_categories: normalized(raw.words.relevance_categories),
            stop_chars: raw.words.stop_chars,
            generic_words: raw.words.generic_words,
            vocabulary: raw.vocabulary.normalised(),
            scoring: raw.scoring.build()?,
            monitoring: raw.monitoring.build()?,
            library: raw.library.build()?,
            derived: Derived::default(),
        })
    }

    /// The severity for a rule, the profile's override or the default.
    pub fn severity(&self, rule: &str, default: Severity) -> Severity {
        self.severity.get(rule).copied().unwrap_or(default)
    }

    /// Canonical 一级 label for a cell, or `None` when it is not a 一级 label.
    pub fn level1(&self, text: &str) -> Option<String> {
        self.level1_key(&normalize_label(text))
    }

    /// Canonical 二级 label for a cell, or `None` when it is not a 二级 label.
    pub fn level2(&self, text: &str) -> Option<String> {
        self.level2_key(&normalize_label(text))
    }

    /// As [`Profile::level1`] for text already passed through `normalize_label` (hot path
    /// of the importer: every cell is normalised once).
    pub fn level1_key(&self, norm: &str) -> Option<String> {
        self.level1.get(norm).cloned()
    }

    /// As [`Profile::level2`] for normalised text.
    pub fn level2_key(&self, norm: &str) -> Option<String> {
        self.level2.get(norm).cloned()
    }

    /// Every 一级 and 二级 label the profile accepts (normalised variant, canonical label,
    /// level 1 or 2): the category words the reader looks for in run-together text.
    pub fn level_words(&self) -> impl Iterator<Item = (&str, &str, u8)> {
        let l1 = self
            .level1
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str(), 1u8));
        let l2 = self
            .level2
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str(), 2u8));
        l1.chain(l2)
    }

    /// Whether (一级, 二级) belongs to an accepted framework.
    pub fn pair_known(&self, level1: &str, level2: &str) -> bool {
        self.trees
            .iter()
            .any(|(_, t)| t.get(level1).is_some_and(|v| v.iter().any(|x| x == level2)))
    }

    /// The 一级 a 二级 label belongs to in the first framework that has it.
    pub fn parent_of(&self, level2: &str) -> Option<String> {
        self.trees.iter().find_map(|(_, t)| {
            t.iter()
                .find(|(_, v)| v.iter().any(|x| x == level2))
                .map(|(k, _)| k.clone())
        })
    }

    /// The accepted frameworks, for messages.
    pub fn framework_names(&self) -> Vec<String> {
        self.trees.iter().map(|(n, _)| n.clone()).collect()
    }

    /// The 一级 labels of the accepted frameworks (union, in framework order), for the
    /// editor's choices.
    pub fn level1_choices(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (_, t) in &self.trees {
            for l1 in t.keys() {
                if !out.contains(l1) {
                    out.push(l1.clone());
                }
            }
        }
        out
    }

    /// The 二级 choices under a 一级 (union over frameworks), for the editor and messages.
    pub fn level2_choices(&self, level1: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (_, t) in &self.trees {
            if let Some(v) = t.get(level1) {
                for x in v {
                    if !out.contains(x) {
                        out.push(x.clone());
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_load() {
        for n in Profile::builtin_names() {
            let p = Profile::builtin(n).unwrap();
            assert!(!p.vague.is_empty(), "{n}");
        }
        assert!(Profile::builtin("nowhere").is_err());
    }

    #[test]
    fn labels_map_through_synonyms() {
        let p = Profile::builtin("hunan-zhuzhou").unwrap();
        assert_eq!(
            p.level2("可持续影响  指标").as_deref(),
            Some("可持续影响指标")
        );
        assert_eq!(
            p.level2("社会公众及服务对象满意度指标").as_deref(),
            Some("服务对象满意度指标")
        );
        assert_eq!(p.level1("產出指標").as_deref(), Some("产出指标"));
        assert_eq!(p.level1("产出指标(50分)").as_deref(), Some("产出指标"));
        assert!(p.pair_known("产出指标", "成本指标"));
        assert!(
            !p.pair_known("成本指标", "经济成本指标"),
            "2021 tree is not active in this profile"
        );
        let n = Profile::national();
        assert!(n.pair_known("成本指标", "经济成本指标"));
        assert_eq!(
            n.level1_choices(),
            ["产出指标", "效益指标", "满意度指标", "成本指标"]
        );
        assert!(n
            .level2_choices("产出指标")
            .contains(&"经济成本指标".to_string()));
        assert_eq!(
            n.severity("standard-invalid", Severity::Warning),
            Severity::Warning
        );
    }

    #[test]
    fn vocabulary_loads_normalised_and_regions_extend_it() {
        use crate::vocabulary::{Field, Role, TableKind};
        let n = Profile::national();
        let units = &n.vocabulary.fields[&Field::Unit];
        assert!(units.iter().any(|w| w == "填报单位(盖章)"), "{units:?}");
        let targets = &n.vocabulary.columns[&TableKind::Indicators][&Role::Target];
        assert!(targets.iter().any(|w| w == "指标值及单位"));
        let region = Profile::from_toml(
            "name = \"x\"\ntitle = \"x\"\nextends = \"national\"\n\
             [vocabulary.fields]\nunit = [\"承办 单位\"]\n",
        )
        .unwrap();
        let units = &region.vocabulary.fields[&Field::Unit];
        assert!(units.iter().any(|w| w == "承办单位"), "added, normalised");
        assert!(
            units.iter().any(|w| w == "填报单位"),
            "the national words stay"
        );
        let typo = Profile::from_toml(
            "name = \"x\"\ntitle = \"x\"\nextends = \"national\"\n[vocabulary.fields]\nunti = [\"a\"]\n",
        );
        assert!(typo.is_err(), "a misspelt field is refused");
    }
}
