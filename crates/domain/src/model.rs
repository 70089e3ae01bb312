//! The form model: the three kinds of target table and the dossier that groups them.
//!
//! Every form keeps a source map from field path (`budget.total`, `indicators[3].value`,
//! `details[1].basis`) to the cell it came from and the exact text written there, so a
//! finding can point at the cell and nothing the user wrote is lost.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::money::Money;
use crate::report::{Monitoring, SelfEvaluation};
use crate::value::IndicatorValue;

/// Where a value was read: the table (counted from 0 in the file), the row and column
/// inside it, and for text files the line number (1-based).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Origin {
    /// The text read for the field exactly as written: the cell's text, or the piece of it
    /// that held the value when one cell ran a label and its value together
    /// (`资金总额：185.91` → `185.91`).
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<usize>,
    pub row: usize,
    pub col: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

impl Origin {
    /// Chinese description such as `第2张表第5行第3列` or `第120行`.
    pub fn describe(&self) -> String {
        match (self.line, self.table) {
            (Some(line), _) => format!("第{}行第{}格", line, self.col + 1),
            (None, Some(t)) => format!("第{}张表第{}行第{}列", t + 1, self.row + 1, self.col + 1),
            (None, None) => format!("第{}行第{}列", self.row + 1, self.col + 1),
        }
    }
}

/// Field path → origin.
pub type SourceMap = BTreeMap<String, Origin>;

/// The kind of a form, as the JSON contract names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum FormKind {
    DepartmentOverall,
    SpecialFundSummary,
    Project,
    SelfEvaluation,
    Monitoring,
}

impl FormKind {
    pub const ALL: [FormKind; 5] = [
        FormKind::DepartmentOverall,
        FormKind::SpecialFundSummary,
        FormKind::Project,
        FormKind::SelfEvaluation,
        FormKind::Monitoring,
    ];

    /// The `kind` of the JSON contract (`project`, `self_evaluation`, …).
    pub fn key(self) -> &'static str {
        match self {
            FormKind::DepartmentOverall => "department_overall",
            FormKind::SpecialFundSummary => "special_fund_summary",
            FormKind::Project => "project",
            FormKind::SelfEvaluation => "self_evaluation",
            FormKind::Monitoring => "monitoring",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FormKind::DepartmentOverall => "部门整体支出绩效目标表",
            FormKind::SpecialFundSummary => "专项资金绩效目标汇总表",
            FormKind::Project => "项目（支出方向）绩效目标表",
            FormKind::SelfEvaluation => "绩效自评表",
            FormKind::Monitoring => "绩效运行监控表",
        }
    }

    /// Target tables (set with the budget), as opposed to the reports on them.
    pub fn is_target(self) -> bool {
        matches!(
            self,
            FormKind::DepartmentOverall | FormKind::SpecialFundSummary | FormKind::Project
        )
    }
}

/// One row of 年度绩效指标.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Indicator {
    /// 一级指标, normalised (`产出指标`, `效益指标`, `满意度指标`, `成本指标` in the 2021 tree).
    pub level1: String,
    /// 二级指标, normalised (`数量指标`, `可持续影响指标`, `服务对象满意度指标` …).
    pub level2: String,
    /// 三级指标 as written.
    pub name: String,
    pub value: IndicatorValue,
    /// 绩效标准 / 指标值设定依据, empty where the form has no such column.
    pub standard: String,
    /// 权重 where the form gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<String>,
}

impl Indicator {
    pub fn is_output(&self) -> bool {
        self.level1 == "产出指标"
    }
}

/// One indicator row of any kind of form, as [`Form::indicator_rows`] gives it.
#[derive(Clone, Debug, PartialEq)]
pub struct IndicatorRow<'a> {
    /// Position in the form's `indicators` list.
    pub index: usize,
    pub level1: &'a str,
    pub level2: &'a str,
    pub name: &'a str,
    /// The target as set (指标值及单位 / 年度指标值).
    pub target: &'a IndicatorValue,
    /// The field holding the target: `value` on target tables, `target` on reports.
    pub target_field: &'static str,
    /// 绩效标准 (empty where the form has no such column).
    pub standard: &'a str,
    /// Values measured against the target, by field (`actual`; `progress`, `forecast`).
    pub measured: Vec<(&'static str, &'a IndicatorValue)>,
}

impl<'a> IndicatorRow<'a> {
    fn of_targets(inds: &'a [Indicator]) -> Vec<IndicatorRow<'a>> {
        inds.iter()
            .enumerate()
            .map(|(index, i)| IndicatorRow {
                index,
                level1: &i.level1,
                level2: &i.level2,
                name: &i.name,
                target: &i.value,
                target_field: "value",
                standard: &i.standard,
                measured: Vec::new(),
            })
            .collect()
    }

    /// The path of a field of this row: `indicators[3].value`.
    pub fn path(&self, field: &str) -> String {
        format!("indicators[{}].{field}", self.index)
    }

    /// The path of the target: `indicators[3].value` or `indicators[3].target`.
    pub fn target_path(&self) -> String {
        self.path(self.target_field)
    }

    /// A row that says something (a 三级 name or a target).
    pub fn has_content(&self) -> bool {
        !self.name.trim().is_empty() || !self.target.is_empty()
    }
}

/// One line of 支出明细及测算说明.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ExpenditureDetail {
    /// 支出内容简介
    pub content: String,
    /// 支出明细
    pub item: String,
    /// 金额
    pub amount: Option<Money>,
    /// 支出测算依据及过程说明
    pub basis: String,
}

/// One line of 年度重点工作计划.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct KeyTask {
    pub item: String,
    pub owner: String,
    pub goal: String,
}

/// 单位负责人签字 / 填表人 / 联系电话.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Signoff {
    pub head: String,
    pub preparer: String,
    pub phone: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BySource {
    pub general_public: Option<Money>,
    pub government_fund: Option<Money>,
    pub other: Option<Money>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ByNature {
    pub basic: Option<Money>,
    pub project: Option<Money>,
}

/// 年度预算申请.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Budget {
    pub total: Option<Money>,
    pub by_source: BySource,
    pub by_nature: ByNature,
}

/// 部门整体支出绩效目标表.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DepartmentOverall {
    pub title: String,
    pub unit: String,
    pub year: Option<u16>,
    pub budget: Budget,
    /// 部门职责概述
    pub duties: String,
    /// 年度总体目标, where the layout has one.
    #[serde(default)]
    pub annual_goal: String,
    pub key_tasks: Vec<KeyTask>,
    pub indicators: Vec<Indicator>,
    /// The copy stops before the form ends (an excerpt cut mid-table): completeness is not
    /// judged and the row at the cut is not reported as empty. Set by the reader.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub incomplete: bool,
    pub signoff: Signoff,
    pub sources: SourceMap,
}

/// One line of the special-fund summary: a 专项 (一、二…) or a 支出方向 (1、2…).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SummaryItem {
    pub seq: String,
    pub name: String,
    pub amount: Option<Money>,
    pub period_goal: String,
    pub annual_goal: String,
    pub children: Vec<SummaryItem>,
}

/// 专项资金绩效目标汇总表.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SpecialFundSummary {
    pub title: String,
    pub unit: String,
    pub year: Option<u16>,
    /// 合计
    pub total: Option<Money>,
    pub items: Vec<SummaryItem>,
    /// The copy stops before the form ends (an excerpt cut mid-table): completeness is not
    /// judged and the row at the cut is not reported as empty. Set by the reader.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub incomplete: bool,
    pub signoff: Signoff,
    pub sources: SourceMap,
}

/// What kind of project table it was.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProjectVariant {
    /// 专项资金支出方向绩效目标表
    #[default]
    ExpenditureDirection,
    /// 项目支出绩效目标（申报）表
    Project,
    /// 转移支付 / 专项转移支付 target table
    Transfer,
}

impl ProjectVariant {
    /// The table's name as users know it.
    pub fn label(self) -> &'static str {
        match self {
            ProjectVariant::ExpenditureDirection => "专项资金支出方向绩效目标表",
            ProjectVariant::Project => "项目支出绩效目标表",
            ProjectVariant::Transfer => "转移支付绩效目标表",
        }
    }
}

/// 所属专项.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ParentFund {
    pub name: String,
    pub amount: Option<Money>,
}

/// A project or expenditure-direction target table.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Project {
    pub variant: ProjectVariant,
    pub title: String,
    pub unit: String,
    pub year: Option<u16>,
    pub name: String,
    pub parent: Option<ParentFund>,
    /// 主管部门 where given.
    #[serde(default)]
    pub department: String,
    pub amount: Option<Money>,
    /// 项目实施期
    pub period: String,
    pub period_goal: String,
    pub annual_goal: String,
    pub indicators: Vec<Indicator>,
    pub details: Vec<ExpenditureDetail>,
    /// The 合计 row of 支出明细.
    pub details_total: Option<Money>,
    /// The copy stops before the form ends (an excerpt cut mid-table): completeness is not
    /// judged and the row at the cut is not reported as empty. Set by the reader.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub incomplete: bool,
    pub signoff: Signoff,
    pub sources: SourceMap,
}

/// Any of the forms.
///
/// Variants are not boxed: a dossier holds a handful of forms, so the size of the largest
/// (a self-evaluation, ~1.3 KB) costs nothing that matters, while every reader, writer and
/// match in the workspace stays plain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
#[allow(clippy::large_enum_variant)]
pub enum Form {
    DepartmentOverall(DepartmentOverall),
    SpecialFundSummary(SpecialFundSummary),
    Project(Project),
    SelfEvaluation(SelfEvaluation),
    Monitoring(Monitoring),
}

impl Form {
    pub fn kind(&self) -> FormKind {
        match self {
            Form::DepartmentOverall(_) => FormKind::DepartmentOverall,
            Form::SpecialFundSummary(_) => FormKind::SpecialFundSummary,
            Form::Project(_) => FormKind::Project,
            Form::SelfEvaluation(_) => FormKind::SelfEvaluation,
            Form::Monitoring(_) => FormKind::Monitoring,
        }
    }

    pub fn unit(&self) -> &str {
        match self {
            Form::DepartmentOverall(f) => &f.unit,
            Form::SpecialFundSummary(f) => &f.unit,
            Form::Project(f) => &f.unit,
            Form::SelfEvaluation(f) => &f.unit,
            Form::Monitoring(f) => &f.unit,
        }
    }

    pub fn year(&self) -> Option<u16> {
        match self {
            Form::DepartmentOverall(f) => f.year,
            Form::SpecialFundSummary(f) => f.year,
            Form::Project(f) => f.year,
            Form::SelfEvaluation(f) => f.year,
            Form::Monitoring(f) => f.year,
        }
    }

    pub fn title(&self) -> &str {
        match self {
            Form::DepartmentOverall(f) => &f.title,
            Form::SpecialFundSummary(f) => &f.title,
            Form::Project(f) => &f.title,
            Form::SelfEvaluation(f) => &f.title,
            Form::Monitoring(f) => &f.title,
        }
    }

    pub fn sources(&self) -> &SourceMap {
        match self {
            Form::DepartmentOverall(f) => &f.sources,
            Form::SpecialFundSummary(f) => &f.sources,
            Form::Project(f) => &f.sources,
            Form::SelfEvaluation(f) => &f.sources,
            Form::Monitoring(f) => &f.sources,
        }
    }

    /// The header fields every form has: title, unit and year, for editing.
    pub fn header_mut(&mut self) -> (&mut String, &mut String, &mut Option<u16>) {
        match self {
            Form::DepartmentOverall(f) => (&mut f.title, &mut f.unit, &mut f.year),
            Form::SpecialFundSummary(f) => (&mut f.title, &mut f.unit, &mut f.year),
            Form::Project(f) => (&mut f.title, &mut f.unit, &mut f.year),
            Form::SelfEvaluation(f) => (&mut f.title, &mut f.unit, &mut f.year),
            Form::Monitoring(f) => (&mut f.title, &mut f.unit, &mut f.year),
        }
    }

    pub fn signoff(&self) -> &Signoff {
        match self {
            Form::DepartmentOverall(f) => &f.signoff,
            Form::SpecialFundSummary(f) => &f.signoff,
            Form::Project(f) => &f.signoff,
            Form::SelfEvaluation(f) => &f.signoff,
            Form::Monitoring(f) => &f.signoff,
        }
    }

    pub fn signoff_mut(&mut self) -> &mut Signoff {
        match self {
            Form::DepartmentOverall(f) => &mut f.signoff,
            Form::SpecialFundSummary(f) => &mut f.signoff,
            Form::Project(f) => &mut f.signoff,
            Form::SelfEvaluation(f) => &mut f.signoff,
            Form::Monitoring(f) => &mut f.signoff,
        }
    }

    pub fn sources_mut(&mut self) -> &mut SourceMap {
        match self {
            Form::DepartmentOverall(f) => &mut f.sources,
            Form::SpecialFundSummary(f) => &mut f.sources,
            Form::Project(f) => &mut f.sources,
            Form::SelfEvaluation(f) => &mut f.sources,
            Form::Monitoring(f) => &mut f.sources,
        }
    }

    /// Marks the copy as stopping before the form ends (a reader found the excerpt cut).
    pub fn set_incomplete(&mut self, cut: bool) {
        match self {
            Form::DepartmentOverall(f) => f.incomplete = cut,
            Form::SpecialFundSummary(f) => f.incomplete = cut,
            Form::Project(f) => f.incomplete = cut,
            Form::SelfEvaluation(f) => f.incomplete = cut,
            Form::Monitoring(f) => f.incomplete = cut,
        }
    }

    /// Whether the copy stops before the form ends (see `DepartmentOverall::incomplete`).
    pub fn incomplete(&self) -> bool {
        match self {
            Form::DepartmentOverall(f) => f.incomplete,
            Form::SpecialFundSummary(f) => f.incomplete,
            Form::Project(f) => f.incomplete,
            Form::SelfEvaluation(f) => f.incomplete,
            Form::Monitoring(f) => f.incomplete,
        }
    }

    /// Every indicator row of the form, whatever its kind: the target tables' 年度绩效指标
    /// and the rows of the reports on them, each with its approved target (年度指标值) and,
    /// for reports, the values measured against it. Rules that judge how a target is
    /// written read this view, so they cover every kind of form alike.
    pub fn indicator_rows(&self) -> Vec<IndicatorRow<'_>> {
        match self {
            Form::DepartmentOverall(f) => IndicatorRow::of_targets(&f.indicators),
            Form::Project(f) => IndicatorRow::of_targets(&f.indicators),
            Form::SpecialFundSummary(_) => Vec::new(),
            Form::SelfEvaluation(f) => f
                .indicators
                .iter()
                .enumerate()
                .map(|(index, i)| IndicatorRow {
                    index,
                    level1: &i.level1,
                    level2: &i.level2,
                    name: &i.name,
                    target: &i.target,
                    target_field: "target",
                    standard: "",
                    measured: vec![("actual", &i.actual)],
                })
                .collect(),
            Form::Monitoring(f) => f
                .indicators
                .iter()
                .enumerate()
                .map(|(index, i)| IndicatorRow {
                    index,
                    level1: &i.level1,
                    level2: &i.level2,
                    name: &i.name,
                    target: &i.target,
                    target_field: "target",
                    standard: "",
                    measured: vec![("progress", &i.progress), ("forecast", &i.forecast)],
                })
                .collect(),
        }
    }

    /// The rows of the target tables (部门整体 and project forms) only; reports have none.
    pub fn indicators(&self) -> &[Indicator] {
        match self {
            Form::DepartmentOverall(f) => &f.indicators,
            Form::SpecialFundSummary(_) | Form::SelfEvaluation(_) | Form::Monitoring(_) => &[],
            Form::Project(f) => &f.indicators,
        }
    }

    /// What a dossier search looks in, for this form: the unit, the title, the project
    /// name and its 所属专项, the special-fund summary items (names and goals, nested
    /// items included), the period and annual goals, 部门职责 and the 年度重点工作 items
    /// and goals. One line per non-empty field, each normalised with
    /// [`crate::text::search_fold`] (so a query normalised the same way is a plain
    /// substring test that cannot span two fields); a line is not repeated.
    pub fn search_text(&self) -> String {
        let mut fields: Vec<&str> = vec![self.unit(), self.title()];
        match self {
            Form::DepartmentOverall(d) => {
                fields.push(&d.duties);
                fields.push(&d.annual_goal);
                for t in &d.key_tasks {
                    fields.push(&t.item);
                    fields.push(&t.goal);
                }
            }
            Form::SpecialFundSummary(s) => {
                fn walk<'a>(items: &'a [SummaryItem], out: &mut Vec<&'a str>) {
                    for i in items {
                        out.push(&i.name);
                        out.push(&i.period_goal);
                        out.push(&i.annual_goal);
                        walk(&i.children, out);
                    }
                }
                walk(&s.items, &mut fields);
            }
            Form::SelfEvaluation(e) => {
                fields.push(&e.name);
                fields.push(&e.department);
                for g in &e.goals {
                    fields.push(&g.expected);
                    fields.push(&g.actual);
                }
            }
            Form::Monitoring(m) => {
                fields.push(&m.name);
                fields.push(&m.department);
                for g in &m.goals {
                    fields.push(&g.expected);
                }
            }
            Form::Project(p) => {
                fields.push(&p.name);
                if let Some(parent) = &p.parent {
                    fields.push(&parent.name);
                }
                fields.push(&p.period_goal);
                fields.push(&p.annual_goal);
            }
        }
        let mut seen = std::collections::HashSet::new();
        let mut lines: Vec<String> = Vec::with_capacity(fields.len());
        for f in fields {
            let line = crate::text::search_fold(f);
            if !line.is_empty() && seen.insert(line.clone()) {
                lines.push(line);
            }
        }
        lines.join("\n")
    }

    /// A short name for messages: the project name, or the form's kind.
    pub fn display_name(&self) -> String {
        match self {
            Form::Project(p) if !p.name.is_empty() => {
                format!("{}《{}》", p.variant.label(), p.name)
            }
            Form::Project(p) => p.variant.label().to_string(),
            Form::SelfEvaluation(e) if !e.name.is_empty() => {
                format!("{}《{}》", e.variant.label(), e.name)
            }
            Form::SelfEvaluation(e) => e.variant.label().to_string(),
            Form::Monitoring(m) if !m.name.is_empty() => {
                format!("{}《{}》", FormKind::Monitoring.label(), m.name)
            }
            _ => self.kind().label().to_string(),
        }
    }
}

/// A form together with the file it came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FiledForm {
    pub file: String,
    /// Position of the form in its file (0-based).
    pub index: usize,
    pub form: Form,
}

/// All forms of one unit and year, possibly from several files.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Dossier {
    pub unit: String,
    pub year: Option<u16>,
    pub forms: Vec<FiledForm>,
}

impl Dossier {
    /// The forms of one known dossier (a stored one: its unit and year are the store's,
    /// whatever a form says), all from `file`.
    pub fn of(unit: &str, year: Option<u16>, file: &str, forms: &[Form]) -> Dossier {
        Dossier {
            unit: unit.to_string(),
            year,
            forms: forms
                .iter()
                .enumerate()
                .map(|(index, form)| FiledForm {
                    file: file.to_string(),
                    index,
                    form: form.clone(),
                })
                .collect(),
        }
    }

    /// Files grouped into dossiers as a batch of filings is: files of one (unit, year) —
    /// taken from a file's first form naming a unit — are one dossier unless several of
    /// them carry a department table (then each such file is its own dossier: repeated or
    /// alternative filings of a unit). Within a set, forms group by [`Dossier::group`].
    /// A file without any form is left out.
    pub fn group_files(files: Vec<Vec<FiledForm>>) -> Vec<Dossier> {
        let key = |forms: &[FiledForm]| -> Option<(String, Option<u16>)> {
            let f = forms
                .iter()
                .find(|x| !x.form.unit().is_empty())
                .or(forms.first())?;
            Some((crate::text::normalize_label(f.form.unit()), f.form.year()))
        };
        // Sets in the order their first file came, so results do not depend on hashing.
        let mut order: Vec<(String, Option<u16>)> = Vec::new();
        let mut sets: std::collections::HashMap<(String, Option<u16>), Vec<Vec<FiledForm>>> =
            std::collections::HashMap::new();
        for forms in files {
            let Some(k) = key(&forms) else { continue };
            if !sets.contains_key(&k) {
                order.push(k.clone());
            }
            sets.entry(k).or_default().push(forms);
        }
        let mut out = Vec::new();
        for k in order {
            let set = sets.remove(&k).unwrap_or_default();
            let anchors = set
                .iter()
                .filter(|forms| {
                    forms
                        .iter()
                        .any(|f| matches!(f.form, Form::DepartmentOverall(_)))
                })
                .count();
            if anchors <= 1 {
                out.extend(Dossier::group(set.into_iter().flatten().collect()));
            } else {
                for forms in set {
                    out.extend(Dossier::group(forms));
                }
            }
        }
        out
    }

    /// Group forms into dossiers by (unit, year). Forms with an empty unit join the only
    /// dossier of the same year from the same file when there is one.
    pub fn group(forms: Vec<FiledForm>) -> Vec<Dossier> {
        let mut out: Vec<Dossier> = Vec::new();
        for f in forms {
            let unit = crate::text::normalize_label(f.form.unit());
            let year = f.form.year();
            let pos = out.iter().position(|d| {
                let du = crate::text::normalize_label(&d.unit);
                (du == unit || unit.is_empty() || du.is_empty())
                    && (d.year == year || year.is_none() || d.year.is_none())
                    && (!unit.is_empty() || d.forms.iter().any(|g| g.file == f.file))
            });
            match pos {
                Some(i) => {
                    let d = &mut out[i];
                    if d.unit.is_empty() {
                        d.unit = f.form.unit().to_string();
                    }
                    if d.year.is_none() {
                        d.year = year;
                    }
                    d.forms.push(f);
                }
                None => out.push(Dossier {
                    unit: f.form.unit().to_string(),
                    year,
                    forms: vec![f],
                }),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_kind_keys_are_the_serde_names() {
        for k in FormKind::ALL {
            assert_eq!(serde_json::to_value(k).unwrap(), k.key());
        }
    }

    fn filed(file: &str, forms: Vec<Form>) -> Vec<FiledForm> {
        Dossier::of("", None, file, &forms).forms
    }

    fn dept(unit: &str) -> Form {
        Form::DepartmentOverall(DepartmentOverall {
            unit: unit.into(),
            year: Some(2023),
            ..Default::default()
        })
    }

    fn project(unit: &str) -> Form {
        Form::Project(Project {
            unit: unit.into(),
            year: Some(2023),
            ..Default::default()
        })
    }

    #[test]
    fn files_of_one_unit_join_unless_several_carry_a_department_table() {
        // The department table in one file, its projects in another: one dossier.
        let ds = Dossier::group_files(vec![
            filed("a.docx", vec![dept("统战部")]),
            filed("b.docx", vec![project("统 战 部"), project("")]),
            filed("c.docx", vec![dept("教育局")]),
        ]);
        assert_eq!(ds.len(), 2);
        assert_eq!(
            ds[0].forms.len(),
            3,
            "the unnamed project joins its file's dossier"
        );
        assert_eq!(ds[1].unit, "教育局");
        // Two department tables of one unit and year: alternative filings, kept apart.
        let ds = Dossier::group_files(vec![
            filed("2023.docx", vec![dept("统战部"), project("统战部")]),
            filed("2023-修改.docx", vec![dept("统战部")]),
            filed("empty.txt", vec![]),
        ]);
        assert_eq!(ds.len(), 2);
        assert_eq!(ds[0].forms.len(), 2);
    }

    #[test]
    fn a_stored_dossier_is_one_whatever_its_forms_say() {
        let d = Dossier::of(
            "统战部",
            Some(2023),
            "统战部2023年度档案",
            &[dept("统战部"), project("别的单位")],
        );
        assert_eq!(d.forms.len(), 2);
        assert_eq!(d.forms[1].index, 1);
        assert_eq!(
            Dossier::group(d.forms).len(),
            2,
            "grouping by the forms would split it"
        );
    }

    #[test]
    fn search_text_covers_names_and_goals() {
        let summary = Form::SpecialFundSummary(SpecialFundSummary {
            title: "专项资金绩效目标汇总表".into(),
            unit: "株洲市 教育局".into(),
            items: vec![SummaryItem {
                name: "一、教育发展专项".into(),
                period_goal: "改善办学条件".into(),
                children: vec![SummaryItem {
                    name: "1.校舍維修".into(),
                    annual_goal: "完成 3 所学校改造".into(),
                    ..SummaryItem::default()
                }],
                ..SummaryItem::default()
            }],
            ..SpecialFundSummary::default()
        });
        assert_eq!(
            summary.search_text(),
            "株洲市教育局\n专项资金绩效目标汇总表\n一、教育发展专项\n改善办学条件\n1.校舍维修\n完成3所学校改造"
        );

        let dept = Form::DepartmentOverall(DepartmentOverall {
            unit: "统战部".into(),
            duties: "统一战线工作".into(),
            annual_goal: "统一战线工作".into(),
            key_tasks: vec![KeyTask {
                item: "民族宗教".into(),
                owner: "某科室".into(),
                goal: "和谐稳定".into(),
            }],
            ..DepartmentOverall::default()
        });
        assert_eq!(
            dept.search_text(),
            "统战部\n统一战线工作\n民族宗教\n和谐稳定",
            "empty title skipped, repeated goal once, task owner not searched"
        );

        let project = Form::Project(Project {
            unit: "统战部".into(),
            name: "PPP 项目".into(),
            parent: Some(ParentFund {
                name: "统战专项".into(),
                amount: None,
            }),
            period_goal: "三年目标".into(),
            annual_goal: "年度目标".into(),
            ..Project::default()
        });
        assert_eq!(
            project.search_text(),
            "统战部\nppp项目\n统战专项\n三年目标\n年度目标"
        );
    }
}
