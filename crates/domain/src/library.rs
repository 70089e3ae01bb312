//! 指标库 (docs/library.md): what filings wrote for each 三级 indicator, aggregated.
//!
//! A filing is first *mined* ([`Mined::from_forms`]) into the few facts the library keeps
//! of each indicator row (names, target as written, 评分标准, and for a self-evaluation the
//! actual value); those small records are what is stored per source, so the library can be
//! rebuilt, and a source approved again replaces its old contribution exactly
//! ([`Library::remove`] undoes [`Library::add`]). Names are grouped by [`name_key`]:
//! bracketed alternatives dropped, synonyms of the profile mapped, leading qualifiers
//! stripped (项目验收合格率, 工程验收合格率 → 验收合格率). Admins correct the grouping with
//! [`Edit`]s (merge, rename, retire, mark 共性), applied on top of what was mined.
//!
//! The library never hands out a filing: answers are counts, ranges and the name most
//! filings used, and a target range is only shown once filings of two units or more give
//! one ([`MIN_UNITS`]).

use std::collections::{BTreeMap, HashMap, HashSet};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::model::Form;
use crate::profile::{CommonIndicator, LibrarySettings};
use crate::text::normalize_label;
use crate::value::IndicatorValue;

/// Distinct units whose filings an aggregate must cover before it is shown (a range, a
/// 评分标准, a similar-project indicator): fewer would show one unit's filing.
pub const MIN_UNITS: usize = 2;

/// Longest 评分标准 / 指标值 text kept per row (the library shows the usual one).
const KEEP_CHARS: usize = 80;

/// The grouping key of a 三级 name: normalised, bracketed alternatives dropped
/// (`项目(工程)验收合格率` → `项目验收合格率`), a synonym mapped to the first of its group,
/// leading qualifiers of the profile stripped while two characters remain.
pub fn name_key(name: &str, s: &LibrarySettings) -> String {
    let n = normalize_label(name);
    let mut out = String::with_capacity(n.len());
    let mut depth = 0usize;
    for c in n.chars() {
        match c {
            '(' | '（' | '[' | '【' => depth += 1,
            ')' | '）' | ']' | '】' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            c if c.is_alphanumeric() || c == '%' => out.push(c),
            _ => {}
        }
    }
    let mut key = synonym(&out, s).unwrap_or(out);
    loop {
        let stripped = s.qualifiers.iter().find_map(|q| {
            key.strip_prefix(q.as_str())
                .filter(|rest| rest.chars().count() >= 2)
        });
        match stripped {
            Some(rest) => key = synonym(rest, s).unwrap_or_else(|| rest.to_string()),
            None => break,
        }
    }
    key
}

fn synonym(name: &str, s: &LibrarySettings) -> Option<String> {
    s.synonyms
        .iter()
        .find(|g| g.iter().any(|w| w == name))
        .and_then(|g| g.first().cloned())
}

fn keep(s: &str) -> String {
    s.trim().chars().take(KEEP_CHARS).collect()
}

/// One indicator row as the library keeps it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinedRow {
    #[serde(rename = "l1")]
    pub level1: String,
    #[serde(rename = "l2")]
    pub level2: String,
    #[serde(rename = "n")]
    pub name: String,
    /// 指标值 as written.
    #[serde(rename = "v", default, skip_serializing_if = "String::is_empty")]
    pub value: String,
    /// 绩效标准 / 评（扣）分标准, cut to [`KEEP_CHARS`].
    #[serde(rename = "s", default, skip_serializing_if = "String::is_empty")]
    pub standard: String,
    /// 实际完成值, on a self-evaluation.
    #[serde(rename = "a", default, skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
}

/// One project (or 部门整体) of a filing: its name, goals and indicator rows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinedProject {
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub goals: String,
    pub rows: Vec<MinedRow>,
}

/// What the library keeps of one source: an approved dossier or report, or a file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mined {
    pub unit: String,
    pub year: Option<u16>,
    pub projects: Vec<MinedProject>,
}

impl Mined {
    /// The target tables' indicators (部门整体 and project tables) and the self-evaluations'
    /// targets with their actuals; monitoring forms say nothing final and are left out.
    pub fn from_forms(unit: &str, year: Option<u16>, forms: &[Form]) -> Mined {
        let mut projects = Vec::new();
        for f in forms {
            let (name, goals) = match f {
                Form::Project(p) => (p.name.clone(), p.annual_goal.clone()),
                Form::DepartmentOverall(d) => {
                    (format!("{}部门整体支出", d.unit), d.annual_goal.clone())
                }
                Form::SelfEvaluation(e) => (
                    e.name.clone(),
                    e.goals
                        .iter()
                        .map(|g| g.expected.as_str())
                        .collect::<Vec<_>>()
                        .join(""),
                ),
                Form::SpecialFundSummary(_) | Form::Monitoring(_) => continue,
            };
            let rows: Vec<MinedRow> = f
                .indicator_rows()
                .iter()
                .filter(|r| !r.name.trim().is_empty())
                .map(|r| MinedRow {
                    level1: r.level1.trim().to_string(),
                    level2: r.level2.trim().to_string(),
                    name: keep(r.name),
                    value: keep(&r.target.text),
                    standard: keep(r.standard),
                    actual: r
                        .measured
                        .iter()
                        .find(|(field, _)| *field == "actual")
                        .map(|(_, v)| keep(&v.text))
                        .filter(|t| !t.is_empty()),
                })
                .collect();
            if !rows.is_empty() {
                projects.push(MinedProject {
                    name: keep(&name),
                    goals: goals.chars().take(200).collect(),
                    rows,
                });
            }
        }
        Mined {
            unit: unit.to_string(),
            year,
            projects,
        }
    }

    /// Indicator rows in all.
    pub fn rows(&self) -> usize {
        self.projects.iter().map(|p| p.rows.len()).sum()
    }
}

/// Counts of the texts seen for one thing; removing undoes adding.
#[derive(Clone, Debug, Default)]
struct Counts(HashMap<String, u32>);

impl Counts {
    fn add(&mut self, k: &str, sign: i32) {
        if k.is_empty() {
            return;
        }
        if sign > 0 {
            *self.0.entry(k.to_string()).or_default() += 1;
        } else if let Some(n) = self.0.get_mut(k) {
            *n -= 1;
            if *n == 0 {
                self.0.remove(k);
            }
        }
    }

    fn merge(&mut self, other: &Counts) {
        for (k, n) in &other.0 {
            *self.0.entry(k.clone()).or_default() += n;
        }
    }

    /// The most frequent (ties: the shortest, then the first in order).
    fn top(&self) -> Option<&str> {
        self.0
            .iter()
            .max_by(|a, b| {
                a.1.cmp(b.1)
                    .then(b.0.chars().count().cmp(&a.0.chars().count()))
                    .then(b.0.cmp(a.0))
            })
            .map(|(k, _)| k.as_str())
    }

    fn distinct(&self) -> usize {
        self.0.len()
    }
}

/// Numbers kept sorted lazily: added in bulk, sorted before they are read.
#[derive(Clone, Debug, Default)]
struct Values {
    v: Vec<Decimal>,
    sorted: bool,
}

impl Values {
    fn add(&mut self, x: Decimal, sign: i32) {
        if sign > 0 {
            self.v.push(x);
            self.sorted = self.v.len() < 2;
        } else {
            self.sort();
            if let Ok(i) = self.v.binary_search(&x) {
                self.v.remove(i);
            }
        }
    }

    fn sort(&mut self) {
        if !self.sorted {
            self.v.sort_unstable();
            self.sorted = true;
        }
    }

    fn range(&self, unit: &str) -> Option<Range> {
        debug_assert!(self.sorted || self.v.len() < 2);
        let v = &self.v;
        let n = v.len();
        if n == 0 {
            return None;
        }
        // Nearest-rank quartiles, always a value some filing wrote; the lower one rounded
        // down and the upper one up, so the middle half is never drawn too narrow.
        Some(Range {
            n: n as u32,
            min: v[0],
            q1: v[(n - 1) / 4],
            median: v[(n - 1) / 2],
            q3: v[(3 * (n - 1)).div_ceil(4)],
            max: v[n - 1],
            unit: unit.to_string(),
        })
    }
}

/// The spread of the numbers filings wrote (or, for 完成情况, actual ÷ target in percent).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Range {
    pub n: u32,
    #[serde(with = "rust_decimal::serde::str")]
    pub min: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub q1: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub median: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub q3: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub max: Decimal,
    pub unit: String,
}

impl Range {
    /// `95%～100%（中位数100%，12份）`: the middle half, for messages and hints.
    pub fn describe(&self) -> String {
        let u = &self.unit;
        let span = if self.q1 == self.q3 {
            format!("{}{u}", self.q1.normalize())
        } else {
            format!("{}{u}～{}{u}", self.q1.normalize(), self.q3.normalize())
        };
        format!(
            "{span}（中位数{}{u}，{}份）",
            self.median.normalize(),
            self.n
        )
    }
}

/// One group of names that measure the same thing.
#[derive(Clone, Debug, Default)]
pub struct Entry {
    pub key: String,
    names: Counts,
    level1: Counts,
    level2: Counts,
    comparators: Counts,
    units_of_measure: Counts,
    value_texts: Counts,
    standards: Counts,
    values: BTreeMap<String, Values>,
    /// Actual ÷ target in percent, from self-evaluations.
    achieved: Values,
    /// Filing units (interned) → rows.
    users: HashMap<u32, u32>,
    years: BTreeMap<u16, u32>,
    /// Target rows in all.
    uses: u32,
    /// Folded names, for suggestions.
    search: String,
    /// From the profile or an admin.
    common: bool,
    /// The profile's value for a 共性 entry.
    common_value: Option<String>,
    /// The profile's name for a 共性 entry, shown until filings name it.
    profile_name: Option<String>,
    rename: Option<String>,
    retired: bool,
    /// Merged into another entry: its data moved there.
    merged: bool,
    /// Defined by the profile or an imported library (listed before any use).
    defined: bool,
    tags: Vec<String>,
}

impl Entry {
    fn new(key: &str) -> Entry {
        Entry {
            key: key.to_string(),
            search: key.to_string(),
            ..Entry::default()
        }
    }

    /// The name shown: an admin's, else the one most filings wrote, else the profile's,
    /// else the key.
    pub fn name(&self) -> String {
        self.rename
            .clone()
            .or_else(|| self.names.top().map(str::to_string))
            .or_else(|| self.profile_name.clone())
            .unwrap_or_else(|| self.key.clone())
    }

    fn refresh_search(&mut self) {
        let mut s = self.key.clone();
        for n in self
            .names
            .0
            .keys()
            .chain(self.rename.iter())
            .chain(self.profile_name.iter())
        {
            s.push('\u{1}');
            s.push_str(&crate::text::search_fold(n));
        }
        self.search = s;
    }

    fn unit_count(&self) -> usize {
        self.users.len()
    }

    /// The usual unit of measure and the range of the targets written in it, once filings
    /// of [`MIN_UNITS`] units give one.
    fn target_range(&self) -> Option<Range> {
        if self.unit_count() < MIN_UNITS {
            return None;
        }
        let unit = self.units_of_measure.top().unwrap_or("");
        self.values.get(unit)?.range(unit)
    }

    fn summary(&self) -> Suggestion {
        let shared = self.unit_count() >= MIN_UNITS;
        Suggestion {
            key: self.key.clone(),
            name: self.name(),
            variants: self.names.distinct() as u32,
            level1: self.level1.top().unwrap_or_default().to_string(),
            level2: self.level2.top().unwrap_or_default().to_string(),
            comparator: self.comparators.top().map(str::to_string),
            unit: self.units_of_measure.top().map(str::to_string),
            usual_value: self
                .common_value
                .clone()
                .or_else(|| shared.then(|| self.value_texts.top().map(str::to_string))?),
            standard: shared
                .then(|| self.standards.top().map(str::to_string))
                .flatten(),
            range: self.target_range(),
            achieved: shared.then(|| self.achieved.range("%")).flatten(),
            uses: self.uses,
            units: self.unit_count() as u32,
            years: self
                .years
                .keys()
                .next()
                .zip(self.years.keys().next_back())
                .map(|(a, b)| (*a, *b)),
            common: self.common,
            retired: self.retired,
            tags: self.tags.clone(),
        }
    }
}

/// What the library says about one entry: never which unit wrote what.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    /// The entry's key (admin edits name it).
    pub key: String,
    pub name: String,
    /// Different names filed for it.
    pub variants: u32,
    pub level1: String,
    pub level2: String,
    /// The usual 指标性质 (`≥`, `≤`, `=`).
    pub comparator: Option<String>,
    /// The usual unit of measure.
    pub unit: Option<String>,
    /// The value most filings wrote (or the profile's, for a 共性 entry).
    pub usual_value: Option<String>,
    /// The usual 评（扣）分标准 / 绩效标准.
    pub standard: Option<String>,
    /// Targets written in the usual unit.
    pub range: Option<Range>,
    /// Actual ÷ target (percent) in self-evaluations.
    pub achieved: Option<Range>,
    /// Target rows filed.
    pub uses: u32,
    /// Units that filed it.
    pub units: u32,
    /// First and last budget year seen.
    pub years: Option<(u16, u16)>,
    pub common: bool,
    pub retired: bool,
    /// An admin's or an imported library's classification (领域, 项目类型 …).
    pub tags: Vec<String>,
}

/// An indicator similar projects used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SimilarIndicator {
    #[serde(flatten)]
    pub entry: Suggestion,
    /// Of the similar projects found, how many used it.
    pub projects: u32,
    /// Similar projects found.
    pub of: u32,
}

/// A correction by an admin, applied on top of what was mined.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Edit {
    /// `from`'s filings count as `into`'s, now and when later filings use `from`.
    Merge {
        from: String,
        into: String,
    },
    Rename {
        key: String,
        name: String,
    },
    Retire {
        key: String,
        retired: bool,
    },
    Common {
        key: String,
        common: bool,
    },
    /// An entry of an imported library (or written by an admin): known before any filing.
    Define {
        level1: String,
        level2: String,
        name: String,
        #[serde(default)]
        value: String,
        #[serde(default)]
        standard: String,
        #[serde(default)]
        common: bool,
    },
    /// Classification (支出功能分类, 项目类型, 领域 …), replacing the entry's tags.
    Tag {
        key: String,
        tags: Vec<String>,
    },
}

impl Edit {
    /// The entries it names, for validation.
    pub fn keys(&self) -> Vec<&str> {
        match self {
            Edit::Merge { from, into } => vec![from, into],
            Edit::Rename { key, .. }
            | Edit::Retire { key, .. }
            | Edit::Common { key, .. }
            | Edit::Tag { key, .. } => vec![key],
            Edit::Define { .. } => Vec::new(),
        }
    }
}

/// What the library knows of a project name across filings.
#[derive(Clone, Debug, Default)]
struct ProjectProfile {
    /// Entries used (by index) → filings.
    keys: HashMap<u32, u32>,
    filings: u32,
    users: HashMap<u32, u32>,
}

/// The library: entries, the projects they were filed for, the admins' edits.
#[derive(Clone, Debug, Default)]
pub struct Library {
    settings: LibrarySettings,
    entries: Vec<Entry>,
    by_key: HashMap<String, usize>,
    /// Merged keys → the key they count as.
    merged: HashMap<String, String>,
    projects: Vec<ProjectProfile>,
    by_project: HashMap<String, usize>,
    /// Two characters of a project name → projects whose name has them.
    postings: HashMap<(char, char), Vec<u32>>,
    unit_ids: HashMap<String, u32>,
    sources: i64,
}

/// Pairs of adjacent characters: what project names are compared by.
fn bigrams(s: &str) -> Vec<(char, char)> {
    let chars: Vec<char> = crate::text::search_fold(s)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    let mut out: Vec<(char, char)> = chars.windows(2).map(|w| (w[0], w[1])).collect();
    out.sort_unstable();
    out.dedup();
    out
}

impl Library {
    /// An empty library with the profile's 共性 entries.
    pub fn new(settings: &LibrarySettings) -> Library {
        let mut lib = Library {
            settings: settings.clone(),
            ..Library::default()
        };
        for c in &settings.common {
            lib.define(c, true);
        }
        lib
    }

    /// An entry defined rather than filed (the profile's 共性 entries, an imported library):
    /// shown before any filing uses it, with its name, levels, value and 标准.
    fn define(&mut self, c: &CommonIndicator, common: bool) {
        let key = self.key_of(&c.name);
        if key.is_empty() {
            return;
        }
        let i = self.entry_index(&key);
        let e = &mut self.entries[i];
        e.defined = true;
        e.common |= common;
        e.profile_name = Some(c.name.trim().to_string());
        if !c.value.trim().is_empty() {
            e.common_value = Some(c.value.trim().to_string());
        }
        let v = IndicatorValue::parse(&c.value);
        if let Some(cmp) = v.comparator {
            e.comparators.add(cmp.symbol(), 1);
        }
        if let Some(u) = &v.unit {
            e.units_of_measure.add(u, 1);
        }
        e.level1.add(c.level1.trim(), 1);
        e.level2.add(c.level2.trim(), 1);
        e.standards.add(&keep(&c.standard), 1);
        e.refresh_search();
    }

    /// The key a name is filed under, after admins' merges.
    pub fn key_of(&self, name: &str) -> String {
        let mut key = name_key(name, &self.settings);
        let mut hops = 0;
        while let Some(k) = self.merged.get(&key) {
            key = k.clone();
            hops += 1;
            if hops > 16 {
                break;
            }
        }
        key
    }

    fn entry_index(&mut self, key: &str) -> usize {
        if let Some(&i) = self.by_key.get(key) {
            return i;
        }
        self.entries.push(Entry::new(key));
        self.by_key.insert(key.to_string(), self.entries.len() - 1);
        self.entries.len() - 1
    }

    fn unit_id(&mut self, unit: &str) -> u32 {
        let n = self.unit_ids.len() as u32;
        *self.unit_ids.entry(unit.to_string()).or_insert(n)
    }

    /// Adds a source's rows (call [`Library::finish`] before reading).
    pub fn add(&mut self, m: &Mined) {
        self.apply_mined(m, 1);
    }

    /// Takes back exactly what [`Library::add`] of the same source added.
    pub fn remove(&mut self, m: &Mined) {
        self.apply_mined(m, -1);
    }

    fn apply_mined(&mut self, m: &Mined, sign: i32) {
        let unit = self.unit_id(&m.unit);
        self.sources += i64::from(sign);
        for p in &m.projects {
            let pkey = crate::text::search_fold(&p.name);
            let pi = (!pkey.is_empty()).then(|| self.project_index(&pkey));
            let mut keys_here: HashSet<u32> = HashSet::new();
            for r in &p.rows {
                let key = self.key_of(&r.name);
                if key.is_empty() {
                    continue;
                }
                let i = self.entry_index(&key);
                let e = &mut self.entries[i];
                let target = IndicatorValue::parse(&r.value);
                if let Some(actual) = &r.actual {
                    // A self-evaluation: how far actuals went, not another use of the name.
                    let actual = IndicatorValue::parse(actual);
                    if let Some((t, a)) = target.against(&actual) {
                        if !t.is_zero() {
                            if let Some(pct) = (a / t).checked_mul(Decimal::ONE_HUNDRED) {
                                e.achieved.add(pct.round_dp(1), sign);
                            }
                        }
                    }
                    continue;
                }
                let new_name = sign > 0 && !e.names.0.contains_key(&r.name);
                e.names.add(&r.name, sign);
                e.level1.add(&r.level1, sign);
                e.level2.add(&r.level2, sign);
                e.value_texts.add(&r.value, sign);
                e.standards.add(&r.standard, sign);
                if let Some(c) = target.comparator {
                    e.comparators.add(c.symbol(), sign);
                }
                let unit_of_measure = target.unit.clone().unwrap_or_default();
                if let Some(x) = target.number {
                    e.units_of_measure.add(&unit_of_measure, sign);
                    e.values.entry(unit_of_measure).or_default().add(x, sign);
                }
                e.users.bump(unit, sign);
                if let Some(y) = m.year {
                    e.years.bump(y, sign);
                }
                e.uses = e.uses.saturating_add_signed(sign);
                if new_name || sign < 0 {
                    e.refresh_search();
                }
                keys_here.insert(i as u32);
            }
            if let Some(pi) = pi {
                let pr = &mut self.projects[pi];
                pr.filings = pr.filings.saturating_add_signed(sign);
                pr.users.bump(unit, sign);
                for k in keys_here {
                    pr.keys.bump(k, sign);
                }
            }
        }
    }

    fn project_index(&mut self, pkey: &str) -> usize {
        if let Some(&i) = self.by_project.get(pkey) {
            return i;
        }
        let i = self.projects.len();
        self.projects.push(ProjectProfile::default());
        self.by_project.insert(pkey.to_string(), i);
        for b in bigrams(pkey) {
            self.postings.entry(b).or_default().push(i as u32);
        }
        i
    }

    /// Sorts what was added since the last call; readers need it.
    pub fn finish(&mut self) {
        for e in &mut self.entries {
            for v in e.values.values_mut() {
                v.sort();
            }
            e.achieved.sort();
        }
    }

    /// Applies an admin's correction. Merging moves the data of `from` into `into`.
    pub fn apply(&mut self, edit: &Edit) {
        match edit {
            Edit::Merge { from, into } => {
                if from == into {
                    return;
                }
                let (Some(&f), Some(&t)) = (self.by_key.get(from), self.by_key.get(into)) else {
                    return;
                };
                let src = std::mem::take(&mut self.entries[f]);
                let dst = &mut self.entries[t];
                dst.names.merge(&src.names);
                dst.level1.merge(&src.level1);
                dst.level2.merge(&src.level2);
                dst.comparators.merge(&src.comparators);
                dst.units_of_measure.merge(&src.units_of_measure);
                dst.value_texts.merge(&src.value_texts);
                dst.standards.merge(&src.standards);
                for (u, vals) in src.values {
                    let d = dst.values.entry(u).or_default();
                    for x in vals.v {
                        d.add(x, 1);
                    }
                    d.sort();
                }
                for x in src.achieved.v {
                    dst.achieved.add(x, 1);
                }
                dst.achieved.sort();
                for (u, n) in src.users {
                    *dst.users.entry(u).or_default() += n;
                }
                for (y, n) in src.years {
                    *dst.years.entry(y).or_default() += n;
                }
                dst.uses += src.uses;
                dst.common |= src.common;
                dst.defined |= src.defined;
                if dst.tags.is_empty() {
                    dst.tags = src.tags;
                }
                dst.refresh_search();
                self.entries[f] = Entry {
                    key: from.clone(),
                    merged: true,
                    ..Entry::default()
                };
                for p in &mut self.projects {
                    if let Some(n) = p.keys.remove(&(f as u32)) {
                        *p.keys.entry(t as u32).or_default() += n;
                    }
                }
                self.merged.insert(from.clone(), into.clone());
            }
            Edit::Rename { key, name } => {
                if let Some(e) = self.entry_mut(key) {
                    let name = name.trim();
                    e.rename = (!name.is_empty()).then(|| name.to_string());
                    e.refresh_search();
                }
            }
            Edit::Retire { key, retired } => {
                if let Some(e) = self.entry_mut(key) {
                    e.retired = *retired;
                }
            }
            Edit::Common { key, common } => {
                if let Some(e) = self.entry_mut(key) {
                    e.common = *common;
                }
            }
            Edit::Define {
                level1,
                level2,
                name,
                value,
                standard,
                common,
            } => self.define(
                &CommonIndicator {
                    level1: level1.clone(),
                    level2: level2.clone(),
                    name: name.clone(),
                    value: value.clone(),
                    standard: standard.clone(),
                },
                *common,
            ),
            Edit::Tag { key, tags } => {
                if let Some(e) = self.entry_mut(key) {
                    e.tags = tags
                        .iter()
                        .map(|t| t.trim().to_string())
                        .filter(|t| !t.is_empty())
                        .collect();
                }
            }
        }
    }

    fn entry_mut(&mut self, key: &str) -> Option<&mut Entry> {
        let i = *self.by_key.get(key)?;
        Some(&mut self.entries[i]).filter(|e| !e.merged)
    }

    /// An entry by key (merged keys lead to where they went).
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        let key = self.merged.get(key).map_or(key, String::as_str);
        let i = *self.by_key.get(key)?;
        Some(&self.entries[i]).filter(|e| !e.merged)
    }

    /// Sources added and not removed.
    pub fn sources(&self) -> i64 {
        self.sources
    }

    fn live(&self) -> impl Iterator<Item = &Entry> {
        self.entries
            .iter()
            .filter(|e| !e.merged && (e.uses > 0 || e.common || e.defined))
    }

    /// Entries in all (not merged away, used or 共性).
    pub fn len(&self) -> usize {
        self.live().count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Three-level names for what is typed (any part of a filed name), 共性 and frequent
    /// entries first; retired entries are not offered.
    pub fn suggest(&self, q: &str, limit: usize) -> Vec<Suggestion> {
        let q = crate::text::search_fold(q);
        if q.is_empty() {
            return Vec::new();
        }
        let mut hits: Vec<(u8, &Entry)> = self
            .live()
            .filter(|e| !e.retired)
            .filter_map(|e| {
                let pos = e.search.find(&q)?;
                // Whole name, start of the key or of a filed name, anywhere.
                let rank = if e.key == q {
                    0
                } else if pos == 0 || e.search[..pos].ends_with('\u{1}') {
                    1
                } else {
                    2
                };
                Some((rank, e))
            })
            .collect();
        hits.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then(b.1.common.cmp(&a.1.common))
                .then(b.1.unit_count().cmp(&a.1.unit_count()))
                .then(b.1.uses.cmp(&a.1.uses))
                .then(a.1.key.cmp(&b.1.key))
        });
        hits.into_iter()
            .take(limit)
            .map(|(_, e)| e.summary())
            .collect()
    }

    /// Every entry (admin list), filtered by text, most used first.
    pub fn list(&self, q: &str) -> Vec<Suggestion> {
        let q = crate::text::search_fold(q);
        let mut out: Vec<&Entry> = self.live().filter(|e| e.search.contains(&q)).collect();
        out.sort_by(|a, b| b.uses.cmp(&a.uses).then(a.key.cmp(&b.key)));
        out.into_iter().map(Entry::summary).collect()
    }

    /// The indicators projects with names like this one used, most shared first, leaving
    /// out those whose names are in `have`. Only entries filed by [`MIN_UNITS`] units.
    pub fn similar(&self, project: &str, have: &[String], limit: usize) -> Vec<SimilarIndicator> {
        const PROJECTS: usize = 20;
        let q = bigrams(project);
        let n = self.projects.len().max(1) as f64;
        // Dense scores: one slot per project, touched ones listed (no hashing per posting).
        let mut score = vec![0f32; self.projects.len()];
        let mut touched: Vec<u32> = Vec::new();
        let mut max_score = 0f32;
        for b in &q {
            let Some(list) = self.postings.get(b) else {
                continue;
            };
            // A pair in most project names (经费, 项目) says little.
            if list.len() as f64 > n * 0.2 && n > 50.0 {
                continue;
            }
            let idf = ((n / list.len() as f64).ln() + 1.0) as f32;
            max_score += idf;
            for &p in list {
                let s = &mut score[p as usize];
                if *s == 0.0 {
                    touched.push(p);
                }
                *s += idf;
            }
        }
        touched.retain(|&p| {
            score[p as usize] >= max_score * 0.3 && self.projects[p as usize].filings > 0
        });
        let by_score = |a: &u32, b: &u32| {
            score[*b as usize]
                .total_cmp(&score[*a as usize])
                .then(a.cmp(b))
        };
        if touched.len() > PROJECTS {
            touched.select_nth_unstable_by(PROJECTS, by_score);
            touched.truncate(PROJECTS);
        }
        touched.sort_by(by_score);
        let have: HashSet<String> = have.iter().map(|h| self.key_of(h)).collect();
        // An indicator counts for a project when at least a tenth of its filings use it
        // (a project name filed a thousand times has a long tail of one-off rows).
        let mut used: HashMap<u32, u32> = HashMap::new();
        for p in &touched {
            let pr = &self.projects[*p as usize];
            for (k, n) in &pr.keys {
                if n.saturating_mul(10) >= pr.filings {
                    *used.entry(*k).or_default() += 1;
                }
            }
        }
        let mut ranked: Vec<(u32, u32)> = used
            .into_iter()
            .filter(|(k, _)| {
                let e = &self.entries[*k as usize];
                !e.merged && !e.retired && e.unit_count() >= MIN_UNITS && !have.contains(&e.key)
            })
            .collect();
        ranked.sort_by(|a, b| {
            let (ea, eb) = (&self.entries[a.0 as usize], &self.entries[b.0 as usize]);
            b.1.cmp(&a.1)
                .then(eb.unit_count().cmp(&ea.unit_count()))
                .then(ea.key.cmp(&eb.key))
        });
        ranked
            .into_iter()
            .take(limit)
            .map(|(k, projects)| SimilarIndicator {
                entry: self.entries[k as usize].summary(),
                projects,
                of: touched.len() as u32,
            })
            .collect()
    }

    /// How a target compares with what other filings wrote for the same indicator: the
    /// range, when the target is a percentage far outside it (value-outlier).
    pub fn outlier(&self, name: &str, target: &IndicatorValue) -> Option<(Range, bool)> {
        let x = target.number?;
        if !target.is_percent() {
            return None;
        }
        let e = self.entry(&self.key_of(name))?;
        if e.unit_count() < MIN_UNITS {
            return None;
        }
        let r = e.values.get("%")?.range("%")?;
        if (r.n as usize) < self.settings.outlier_min_sources {
            return None;
        }
        let iqr = r.q3 - r.q1;
        let fence = (iqr * Decimal::new(15, 1)).max(self.settings.outlier_margin);
        if x < r.q1 - fence {
            Some((r, true))
        } else if x > r.q3 + fence {
            Some((r, false))
        } else {
            None
        }
    }

    /// Memory held, roughly, in bytes (benchmarks).
    pub fn approx_bytes(&self) -> usize {
        let entries: usize = self
            .entries
            .iter()
            .map(|e| {
                std::mem::size_of::<Entry>()
                    + e.search.len()
                    + e.values
                        .values()
                        .map(|v| v.v.capacity() * 16)
                        .sum::<usize>()
                    + e.achieved.v.capacity() * 16
                    + e.users.len() * 8
            })
            .sum();
        let postings: usize = self.postings.values().map(|v| v.capacity() * 4 + 16).sum();
        entries + postings + self.projects.len() * std::mem::size_of::<ProjectProfile>()
    }
}

/// Counting up and down in the two kinds of map the library keeps.
trait MapLike<K> {
    fn bump(&mut self, k: K, sign: i32);
}

impl<K: std::hash::Hash + Eq> MapLike<K> for HashMap<K, u32> {
    fn bump(&mut self, k: K, sign: i32) {
        if sign > 0 {
            *self.entry(k).or_default() += 1;
        } else if let std::collections::hash_map::Entry::Occupied(mut o) = self.entry(k) {
            *o.get_mut() -= 1;
            if *o.get() == 0 {
                o.remove();
            }
        }
    }
}

impl<K: Ord> MapLike<K> for BTreeMap<K, u32> {
    fn bump(&mut self, k: K, sign: i32) {
        if sign > 0 {
            *self.entry(k).or_default() += 1;
        } else if let std::collections::btree_map::Entry::Occupied(mut o) = self.entry(k) {
            *o.get_mut() -= 1;
            if *o.get() == 0 {
                o.remove();
            }
        }
    }
}
