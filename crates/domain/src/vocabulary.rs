//! The reader's vocabulary as profile data: which words label which header field, which
//! header words give a table column its role, which words head a section, name a kind of
//! form, or are page furniture. The importer (`jixiao-files`) is driven by these lists, so
//! a region whose forms use other words teaches the reader by extending its profile.
//!
//! Keys are typed: a region profile with a misspelt field or column name is refused when
//! it loads, instead of silently teaching nothing. Words are stored normalised
//! ([`normalize_label`]), the form every cell is matched in.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::text::normalize_label;

/// A header field of a form that a label introduces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Unit,
    DepartmentName,
    Implementer,
    Department,
    DepartmentLocal,
    DepartmentUpper,
    Name,
    ParentFund,
    ParentName,
    ParentAmount,
    Amount,
    AmountTotal,
    AmountGroup,
    SourceGroup,
    NatureGroup,
    GeneralPublic,
    GovernmentFund,
    Fiscal,
    LocalFunds,
    OtherFunds,
    Carryover,
    Basic,
    ProjectSpend,
    Period,
    PeriodGoal,
    AnnualGoal,
    GoalGroup,
    Duties,
    KeyTasks,
    Head,
    Preparer,
    Phone,
    Date,
    Publisher,
    TotalScore,
    Grade,
    Expected,
    ActualGoal,
    Deviation,
    Measures,
    OtherLabel,
}

/// The kind of table a header row starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TableKind {
    /// 年度绩效指标 (and the indicator blocks of monitoring and self-evaluation forms).
    Indicators,
    /// 支出明细及测算说明.
    Details,
    /// 专项资金绩效目标汇总表 lines.
    Summary,
    /// A flat list of projects, one row per indicator (one-system exports).
    Projects,
    /// 年度重点工作计划 / 年度履职目标.
    KeyTasks,
    /// The money block of a self-evaluation or monitoring form.
    Money,
    /// A transfer payment's 分配表 / 安排表.
    Allocation,
}

/// What a table column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Level1,
    Level2,
    Name,
    Nature,
    Target,
    Unit,
    Standard,
    Weight,
    Score,
    Actual,
    Progress,
    Forecast,
    Possibility,
    Deviation,
    Measures,
    Explanation,
    ScoringRule,
    Direction,
    Remark,
    Content,
    Item,
    Amount,
    Basis,
    Seq,
    PeriodGoal,
    AnnualGoal,
    Goal,
    Owner,
    Initial,
    Annual,
    Executed,
    Rate,
    Region,
    Project,
}

/// Blocks of a form that a label heads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    Indicators,
    Details,
    Money,
    Totals,
}

/// What a title names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TitleKind {
    Monitoring,
    SelfEvaluation,
    Summary,
    Department,
    Transfer,
    Direction,
    Project,
    Allocation,
}

/// The vocabulary as written in a profile (`[vocabulary]`), words normalised.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Vocabulary {
    #[serde(default)]
    pub fields: BTreeMap<Field, Vec<String>>,
    #[serde(default)]
    pub columns: BTreeMap<TableKind, BTreeMap<Role, Vec<String>>>,
    #[serde(default)]
    pub sections: BTreeMap<Section, Vec<String>>,
    /// Checked in the order of [`TitleKind`]'s declaration.
    #[serde(default)]
    pub titles: BTreeMap<TitleKind, Vec<String>>,
    #[serde(default)]
    pub noise: Vec<String>,
    /// Words that mark a page without a title as a report of a kind.
    #[serde(default)]
    pub report_words: BTreeMap<TitleKind, Vec<String>>,
}

fn normalise_all(words: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    words.retain_mut(|w| {
        *w = normalize_label(w);
        !w.is_empty() && seen.insert(w.clone())
    });
}

impl Vocabulary {
    /// Normalise every word once, dropping duplicates (a region list extends the national one).
    pub(crate) fn normalised(mut self) -> Vocabulary {
        self.fields.values_mut().for_each(normalise_all);
        for roles in self.columns.values_mut() {
            roles.values_mut().for_each(normalise_all);
        }
        self.sections.values_mut().for_each(normalise_all);
        self.titles.values_mut().for_each(normalise_all);
        normalise_all(&mut self.noise);
        self.report_words.values_mut().for_each(normalise_all);
        self
    }
}
