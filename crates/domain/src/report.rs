//! The forms that report on approved targets during and after the year: the in-year
//! monitoring form (绩效运行监控表, 财预〔2019〕136号) and the year-end self-evaluation
//! (绩效自评表, 财预〔2020〕10号).
//!
//! Each keeps what the form *states* (scores, totals, grades, rates as written) beside what
//! jixiao *computes* from the profile's formulas (`computed_*`, `light`), so a rule can say
//! where the two differ and nothing the unit wrote is lost. The computed fields are filled
//! by [`crate::scoring`]; they are output, never trusted from input.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::model::{Signoff, SourceMap};
use crate::money::Money;
use crate::value::IndicatorValue;

/// Which self-evaluation table it is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SelfEvaluationVariant {
    /// 项目支出绩效自评表
    #[default]
    Project,
    /// 部门整体支出绩效自评表 (and its 基础数据表 / 评价得分表)
    Department,
}

impl SelfEvaluationVariant {
    pub fn label(self) -> &'static str {
        match self {
            SelfEvaluationVariant::Project => "项目支出绩效自评表",
            SelfEvaluationVariant::Department => "部门整体支出绩效自评表",
        }
    }
}

/// One row of a self-evaluation's money block (年度资金总额, 其中：财政拨款 …), with the
/// columns 年初预算数 / 全年预算数 / 全年执行数 / 执行率 / 分值 / 得分 as written.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MoneyRow {
    /// 年初预算数
    pub initial: Option<Money>,
    /// 全年预算数 (调整后预算数): the denominator of 执行率.
    pub annual: Option<Money>,
    /// 全年执行数
    pub executed: Option<Money>,
    /// 执行率 in percent, as written (`99.97` for `99.97%`).
    #[serde(default, with = "crate::value::opt_decimal")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub rate: Option<Decimal>,
    /// 分值 (10 on the total row of a 10号 form).
    #[serde(default, with = "crate::value::opt_decimal")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub weight: Option<Decimal>,
    /// 得分 as stated.
    #[serde(default, with = "crate::value::opt_decimal")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub score: Option<Decimal>,
}

impl MoneyRow {
    pub fn is_empty(&self) -> bool {
        *self == MoneyRow::default()
    }
}

/// The money block of a self-evaluation.
///
/// 年度资金总额 is broken down by source (财政拨款 + 政府性基金拨款 + 上年结转 + 其他) and, on
/// department-wide forms, also by nature (基本支出 + 项目支出); each breakdown must add up
/// to the total, column by column.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SelfEvaluationMoney {
    /// 年度资金总额
    pub total: MoneyRow,
    /// 其中：本年财政拨款 (当年财政拨款; 一般公共预算 on department-wide forms)
    pub fiscal: MoneyRow,
    /// 上年结转资金
    pub carryover: MoneyRow,
    /// 其他资金
    pub other: MoneyRow,
    /// 政府性基金拨款 (按收入性质分, department-wide forms).
    #[serde(default, skip_serializing_if = "MoneyRow::is_empty")]
    pub government_fund: MoneyRow,
    /// 基本支出 (按支出性质分, department-wide forms).
    #[serde(default, skip_serializing_if = "MoneyRow::is_empty")]
    pub basic: MoneyRow,
    /// 项目支出 (按支出性质分, department-wide forms).
    #[serde(default, skip_serializing_if = "MoneyRow::is_empty")]
    pub project: MoneyRow,
}

/// One part of a budget broken down by use, as a self-evaluation report states it
/// (“三个部分预算资金分别74万元、14万元、8万元…占74%、14%、8%”).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BudgetItem {
    /// What the part is for (may be empty when the report only lists amounts).
    #[serde(default)]
    pub name: String,
    pub amount: Option<Money>,
    /// Its share of the budget in percent, as written.
    #[serde(default, with = "crate::value::opt_decimal")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub share: Option<Decimal>,
}

/// A 一级 block's 分值 and 得分 where the form prints them (`产出指标(50分)`, a 小计 row).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Subtotal {
    /// The 一级 label, normalised like the indicators' (`产出指标`).
    pub level1: String,
    /// 分值 of the block as written.
    #[serde(default, with = "crate::value::opt_decimal")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub weight: Option<Decimal>,
    /// 得分 of the block as stated.
    #[serde(default, with = "crate::value::opt_decimal")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub score: Option<Decimal>,
}

/// 年度总体目标: what was planned and what was done.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GoalPair {
    /// 预期目标 (年初设定目标)
    pub expected: String,
    /// 实际完成情况
    pub actual: String,
}

/// One indicator row of a self-evaluation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ScoredIndicator {
    pub level1: String,
    pub level2: String,
    /// 三级指标 as written.
    pub name: String,
    /// 年度指标值 (the approved target).
    pub target: IndicatorValue,
    /// 实际完成值.
    pub actual: IndicatorValue,
    /// 分值 as written.
    #[serde(default, with = "crate::value::opt_decimal")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub weight: Option<Decimal>,
    /// 得分 as stated.
    #[serde(default, with = "crate::value::opt_decimal")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub score: Option<Decimal>,
    /// 得分 under the profile's formula (filled by `scoring`).
    #[serde(default, with = "crate::value::opt_decimal")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub computed_score: Option<Decimal>,
    /// 偏差原因分析及改进措施.
    #[serde(default)]
    pub deviation: String,
    /// Why the stated score differs from the computed one, when the unit overrode it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub override_reason: String,
}

impl ScoredIndicator {
    /// A row with nothing in it (no name, target, actual, 分值 or 得分): a template row
    /// the form left empty.
    pub fn is_blank(&self) -> bool {
        self.name.trim().is_empty()
            && self.target.is_empty()
            && self.actual.is_empty()
            && self.weight.is_none()
            && self.score.is_none()
    }
}

/// 项目支出绩效自评表 / 部门整体支出绩效自评表.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SelfEvaluation {
    pub variant: SelfEvaluationVariant,
    pub title: String,
    /// The reporting unit (实施单位, or the department for a department-wide form).
    pub unit: String,
    pub year: Option<u16>,
    /// 项目名称 (empty for a department-wide form).
    pub name: String,
    /// 主管部门
    pub department: String,
    /// 实施单位
    pub implementer: String,
    pub money: SelfEvaluationMoney,
    /// The budget broken down by use, where a report states it (预算明细).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub budget_items: Vec<BudgetItem>,
    pub goals: Vec<GoalPair>,
    pub indicators: Vec<ScoredIndicator>,
    /// 一级 blocks' 分值 / 得分 where printed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subtotals: Vec<Subtotal>,
    /// 偏差原因分析 for the whole form (偏差大或目标未完成原因分析; the 原因 of 预算执行情况).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub deviation: String,
    /// 改进措施 for the whole form.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub measures: String,
    /// 总分 as stated.
    #[serde(default, with = "crate::value::opt_decimal")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub total_score: Option<Decimal>,
    /// 总分 recomputed from the row scores (filled by `scoring`).
    #[serde(default, with = "crate::value::opt_decimal")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub computed_total: Option<Decimal>,
    /// 自评等级 as stated (优/良/中/差), if any.
    #[serde(default)]
    pub grade: Option<String>,
    /// The grade of the computed total under the profile's bands.
    #[serde(default)]
    pub computed_grade: Option<String>,
    /// The copy stops before the form ends (an excerpt cut mid-table): sums and
    /// completeness are not judged, and the row at the cut is not reported as empty.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub incomplete: bool,
    pub signoff: Signoff,
    pub sources: SourceMap,
}

/// 完成目标可能性.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Possibility {
    /// 确定能
    Certain,
    /// 有可能
    Possible,
    /// (完全)不可能
    Impossible,
}

impl Possibility {
    pub fn label(self) -> &'static str {
        match self {
            Possibility::Certain => "确定能",
            Possibility::Possible => "有可能",
            Possibility::Impossible => "不可能",
        }
    }

    /// Read the answer from a cell: `确定能`, `有可能`, `不可能`, `完全不可能`, or a
    /// ticked box among the three.
    pub fn parse(text: &str) -> Option<Possibility> {
        let t: String = crate::text::to_simplified(text)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if t.is_empty() {
            return None;
        }
        // A template lists all three; only a single answer counts.
        let hits = [
            t.contains("确定能") || t == "能" || t == "确定",
            t.contains("有可能") || t == "可能",
            t.contains("不可能"),
        ];
        match hits {
            [true, false, false] => Some(Possibility::Certain),
            [false, true, false] => Some(Possibility::Possible),
            [false, false, true] => Some(Possibility::Impossible),
            _ => None,
        }
    }
}

/// A warning light of in-year monitoring (预警).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Light {
    /// Ahead of plan (over 120 % of the pace): the target may be too low.
    Blue,
    Green,
    Yellow,
    Red,
}

impl Light {
    pub fn label(self) -> &'static str {
        match self {
            Light::Blue => "蓝灯",
            Light::Green => "绿灯",
            Light::Yellow => "黄灯",
            Light::Red => "红灯",
        }
    }
}

/// One 其中 row of a monitoring form's money block (其中：财政拨款, 其他资金).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MonitoringMoneyRow {
    /// 年初预算数 / 全年预算数
    pub annual: Option<Money>,
    /// 1–N月执行数
    pub executed: Option<Money>,
    /// 全年预计执行数
    pub forecast: Option<Money>,
}

impl MonitoringMoneyRow {
    pub fn is_empty(&self) -> bool {
        *self == MonitoringMoneyRow::default()
    }
}

/// The money block of a monitoring form: the 年度资金总额 row, its 其中 rows and the light.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MonitoringMoney {
    /// 年初预算数 / 全年预算数
    pub annual: Option<Money>,
    /// 1–N月执行数
    pub executed: Option<Money>,
    /// 全年预计执行数
    pub forecast: Option<Money>,
    /// 执行率 in percent, as written.
    #[serde(default, with = "crate::value::opt_decimal")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub rate: Option<Decimal>,
    /// The budget pace light (filled by `scoring`).
    #[serde(default)]
    pub light: Option<Light>,
    /// 其中：财政拨款 (当年一般公共预算拨款).
    #[serde(default, skip_serializing_if = "MonitoringMoneyRow::is_empty")]
    pub fiscal: MonitoringMoneyRow,
    /// 其他资金.
    #[serde(default, skip_serializing_if = "MonitoringMoneyRow::is_empty")]
    pub other: MonitoringMoneyRow,
}

/// One indicator row of a monitoring form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MonitoredIndicator {
    pub level1: String,
    pub level2: String,
    pub name: String,
    /// 年度指标值
    pub target: IndicatorValue,
    /// 1–N月执行情况 (期间执行情况)
    pub progress: IndicatorValue,
    /// 全年预计完成情况
    pub forecast: IndicatorValue,
    pub possibility: Option<Possibility>,
    /// 偏差原因分析
    #[serde(default)]
    pub deviation: String,
    /// 改进措施 / 相关建议或举措
    #[serde(default)]
    pub measures: String,
    /// 备注
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub remark: String,
    /// The indicator's light (filled by `scoring`).
    #[serde(default)]
    pub light: Option<Light>,
}

/// 项目支出绩效目标执行监控表 (绩效运行监控表).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Monitoring {
    pub title: String,
    pub unit: String,
    pub year: Option<u16>,
    pub name: String,
    pub department: String,
    pub implementer: String,
    /// The last month the report covers (6 for 1–6月).
    pub period_months: Option<u8>,
    pub money: MonitoringMoney,
    /// 年度总体目标 and how it is going.
    #[serde(default)]
    pub goals: Vec<GoalPair>,
    pub indicators: Vec<MonitoredIndicator>,
    /// 偏差或不能完成目标原因分析 (for the whole form).
    #[serde(default)]
    pub deviation: String,
    /// 相关建议或举措 / 改进措施 (for the whole form).
    #[serde(default)]
    pub measures: String,
    /// The worst light of the form (filled by `scoring`).
    #[serde(default)]
    pub light: Option<Light>,
    /// The copy stops before the form ends (see [`SelfEvaluation::incomplete`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub incomplete: bool,
    pub signoff: Signoff,
    pub sources: SourceMap,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn possibility_answers() {
        assert_eq!(Possibility::parse("确定能"), Some(Possibility::Certain));
        assert_eq!(Possibility::parse("有 可能"), Some(Possibility::Possible));
        assert_eq!(
            Possibility::parse("完全不可能"),
            Some(Possibility::Impossible)
        );
        assert_eq!(Possibility::parse("確定能"), Some(Possibility::Certain));
        assert_eq!(Possibility::parse("确定能、有可能、不可能"), None);
        assert_eq!(Possibility::parse(""), None);
    }

    #[test]
    fn worst_light_orders_last() {
        let mut ls = vec![Light::Green, Light::Red, Light::Blue, Light::Yellow];
        ls.sort();
        assert_eq!(ls, [Light::Blue, Light::Green, Light::Yellow, Light::Red]);
    }
}
