//! The rule catalogue: every stable rule id with its default severity, Chinese title, source
//! and an example finding. `docs/rules.md` is generated from it.

use serde::Serialize;

use crate::finding::Severity;

/// One rule as listed by `jixiao rules` (text or JSON) and docs/rules.md.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct RuleInfo {
    /// Stable kebab-case id (docs/rules.md); never renamed once released.
    pub id: &'static str,
    /// Default severity; a profile may override it.
    pub severity: Severity,
    /// Chinese title.
    pub title: &'static str,
    /// Where the rule comes from.
    pub source: &'static str,
    /// A Chinese example finding.
    pub example: &'static str,
}

const CATALOGUE: &[RuleInfo] = &[
    RuleInfo {
        id: "sum-mismatch",
        severity: Severity::Error,
        title: "合计数与分项之和不一致",
        source: "财预〔2015〕88号 审核要点“规范完整性”",
        example: "资金总额185.91万元与一般公共预算拨款、政府性基金拨款、其他资金之和185.92万元不一致，请核对各项金额或合计数",
    },
    RuleInfo {
        id: "calc-mismatch",
        severity: Severity::Error,
        title: "测算依据中的计算有误",
        source: "财预〔2015〕88号 审核要点“资金匹配性”“实现可能性”",
        example: "第1条支出明细的测算依据中“8*50*100=30000元”按算式应为40000元，与所写30000元不一致，请改正算式或结果",
    },
    RuleInfo {
        id: "cross-form-mismatch",
        severity: Severity::Error,
        title: "同一单位各表之间数据不一致",
        source: "财预〔2015〕88号 审核要点“资金匹配性”；株洲市区级专项资金绩效目标汇总表与支出方向表的对应关系",
        example: "部门整体支出绩效目标表的项目支出43.41万元与专项资金绩效目标汇总表的合计43.4万元不一致，请核对两表",
    },
    RuleInfo {
        id: "cost-over-budget",
        severity: Severity::Error,
        title: "成本指标超出预算或方向错误",
        source: "财预〔2021〕101号 成本指标取值要求",
        example: "成本指标“不超过预算”的指标值≤47万元高于项目金额37万元，成本上限不应超过预算，请核对指标值",
    },
    RuleInfo {
        id: "bad-value",
        severity: Severity::Error,
        title: "指标值或金额不合理",
        source: "财预〔2021〕101号“量化易评”",
        example: "指标值“105%”超出0%～100%的范围，比率类指标请填写0～100之间的百分数",
    },
    RuleInfo {
        id: "missing-indicator",
        severity: Severity::Error,
        title: "缺少必要的指标类别",
        source: "财预〔2015〕88号 绩效指标体系（产出、效益、满意度）；缺质量、时效、成本指标为警告",
        example: "未设置数量指标，产出指标应至少包含一项数量指标，请补充可计量的产出数量（如培训人次、覆盖户数）",
    },
    RuleInfo {
        id: "empty-indicator",
        severity: Severity::Error,
        title: "指标行未填写完整",
        source: "财预〔2015〕88号 审核要点“规范完整性”",
        example: "生态效益指标一行未填写三级指标和指标值，请删除该行或补充具体指标和指标值",
    },
    RuleInfo {
        id: "unknown-category",
        severity: Severity::Error,
        title: "指标类别不在指标体系内",
        source: "财预〔2015〕88号、财预〔2021〕101号 指标体系",
        example: "二级指标“经济成本指标”不在一级指标“效益指标”之下，应属于“成本指标”，请调整一级指标",
    },
    RuleInfo {
        id: "standard-invalid",
        severity: Severity::Warning,
        title: "绩效标准未填或不规范",
        source: "财预〔2015〕88号 绩效标准；财预〔2021〕101号 指标值设定依据",
        example: "未填写绩效标准，请从计划标准、行业标准、历史标准、预算支出标准、其他标准中选择",
    },
    RuleInfo {
        id: "header-missing",
        severity: Severity::Error,
        title: "表头必填项未填写",
        source: "财预〔2015〕88号 申报表样式（填表人、联系电话在报送时检查，为警告）",
        example: "未填写项目实施期，请填写实施期（如“2023年全年”）",
    },
    RuleInfo {
        id: "year-mismatch",
        severity: Severity::Warning,
        title: "表的年度与档案年度不一致",
        source: "财预〔2015〕88号 绩效目标随预算一并编报（按预算年度）",
        example: "本表写的是2023年，档案是2024年度的，请把表名、年度和项目实施期改为2024年，或把表放进2023年度的档案",
    },
    RuleInfo {
        id: "goal-mismatch",
        severity: Severity::Error,
        title: "年度绩效目标缺失或与实施期目标不符",
        source: "财预〔2015〕88号 绩效目标内容（实施期与年度目标不一致为警告）",
        example: "项目实施期为一年，年度绩效目标与实施期绩效目标内容不一致，请核对两处目标",
    },
    RuleInfo {
        id: "vague-value",
        severity: Severity::Warning,
        title: "指标值无法衡量",
        source: "财预〔2021〕101号“量化易评”",
        example: "指标值“及时”无法衡量和核验，请改为可量化的目标值，如“资金拨付及时率≥95%”或“完成时间≤12月31日”",
    },
    RuleInfo {
        id: "filler-value",
        severity: Severity::Warning,
        title: "以“无”等凑数填写指标",
        source: "审核实践",
        example: "指标填写为“无直接经济效益”，不适用的二级指标可以不设，请删除该行或改为可衡量的指标",
    },
    RuleInfo {
        id: "process-as-quality",
        severity: Severity::Warning,
        title: "以过程指标充当质量指标",
        source: "财预〔2015〕88号 审核要点“指标科学性”",
        example: "质量指标“预算资金使用率”反映的是资金执行过程，不是产出质量，请改为验收合格率、达标率等质量指标",
    },
    RuleInfo {
        id: "cost-restates-budget",
        severity: Severity::Warning,
        title: "成本指标仅照抄预算总额",
        source: "财预〔2021〕101号 成本指标",
        example: "成本指标“不超过预算≤37万元”只是照抄项目金额37万元，不能反映成本控制，请改为单位成本或分项成本",
    },
    RuleInfo {
        id: "satisfaction-form",
        severity: Severity::Info,
        title: "满意度指标表述不规范",
        source: "财预〔2021〕101号 满意度指标",
        example: "满意度目标为100%，请说明调查方式和数据来源（如问卷调查、抽样调查），或设为“≥95%”等可实现的目标",
    },
    RuleInfo {
        id: "relevance",
        severity: Severity::Info,
        title: "指标与项目内容关联不明显",
        source: "财预〔2015〕88号 审核要点“目标相关性”（按文字相关程度推断）",
        example: "生态效益指标“居民的生活环境”与本表的名称、绩效目标和支出内容没有共同的关键词，请确认是否需要设置该指标",
    },
    RuleInfo {
        id: "text-punctuation",
        severity: Severity::Warning,
        title: "标点重复或括号引号不配对",
        source: "财预〔2015〕88号 审核要点“规范完整性”（填报准确）；审核实践",
        example: "年度绩效目标中“系列活动，。开展”处标点重复，请删除多余的标点",
    },
    RuleInfo {
        id: "typo",
        severity: Severity::Warning,
        title: "常见错别字",
        source: "审核实践；配置方案中的错别字表",
        example: "部门职责概述中“选拨”应为“选拔”（共2处），请改正",
    },
    RuleInfo {
        id: "calc-unverifiable",
        severity: Severity::Info,
        title: "测算依据无法核验",
        source: "财预〔2015〕88号 审核要点“实现可能性”（测算充分）",
        example: "第3条支出明细的测算依据没有可核验的算式，请写明数量×单价等测算过程",
    },
    RuleInfo {
        id: "score-mismatch",
        severity: Severity::Error,
        title: "得分与评分规则不符",
        source: "财预〔2020〕10号 项目支出绩效自评表（定量指标按完成比例计分、定性指标分三档计分、单项得分不超过分值、预算执行率得分=执行率×分值）",
        example: "三级指标“整编资料审核”年度指标值98%，实际完成值98%，已达到年度指标值，应得满分20分（分值20分），所填得分为19.6分，请改正得分",
    },
    RuleInfo {
        id: "score-total-mismatch",
        severity: Severity::Error,
        title: "总分与各项得分之和不符",
        source: "财预〔2020〕10号 项目支出绩效自评表“总分”",
        example: "总分95分与各项得分之和90分（其中预算执行10分）不一致，请核对总分或各项得分",
    },
    RuleInfo {
        id: "weight-sum",
        severity: Severity::Warning,
        title: "分值合计不为100或与一级指标分值不符",
        source: "财预〔2020〕10号 自评表注释“各部门根据各项指标重要程度确定三级指标的分值”",
        example: "产出指标各三级指标分值之和为48分，与一级指标分值40分不一致，请调整三级指标分值",
    },
    RuleInfo {
        id: "weight-profile",
        severity: Severity::Warning,
        title: "一级指标分值与配置方案不同",
        source: "财预〔2020〕10号 自评表注释（预算执行率10分、产出指标50分、效益指标30分、满意度指标10分；各地可另定，由配置方案给出）",
        example: "一级指标分值为预算执行率10分、产出指标70分、效益指标20分、满意度指标10分，与配置方案“全国默认”的预算执行率10分、产出指标50分、效益指标30分、满意度指标10分不同；如本地区另有规定，请选用相应的配置方案，否则请按规定调整分值",
    },
    RuleInfo {
        id: "rate-mismatch",
        severity: Severity::Error,
        title: "执行率与执行数÷预算数不符",
        source: "财预〔2020〕10号 自评表“执行率（B/A）”，A为全年预算数（调整后预算数）",
        example: "年度资金总额的执行率90%与全年执行数89.974万元÷全年预算数90万元=99.97%不一致，请改正执行率",
    },
    RuleInfo {
        id: "grade-mismatch",
        severity: Severity::Error,
        title: "自评等级与总分不符",
        source: "财预〔2020〕10号 评价等级（默认优≥90、良≥80、中≥60、差<60，按配置方案）",
        example: "自评等级“优”与总分89.99分对应的等级“良”不一致（优≥90、良≥80、中≥60、差≥0），请改正等级",
    },
    RuleInfo {
        id: "deviation-unexplained",
        severity: Severity::Error,
        title: "未完成目标未说明原因和措施",
        source: "财预〔2020〕10号 自评表“偏差原因分析及改进措施”；财预〔2019〕136号 监控表（完成目标可能性为“有可能”“不可能”时须填写原因和举措）",
        example: "三级指标“项目验收合格率”未达到年度指标值（年度指标值100%，实际完成值90%），请在“偏差原因分析及改进措施”中说明未完成的原因和拟采取的改进措施",
    },
    RuleInfo {
        id: "overachievement-unexplained",
        severity: Severity::Warning,
        title: "大幅超额完成未说明原因",
        source: "财预〔2020〕10号（目标设定偏低、实际大幅超出的应说明；阈值130%，由配置方案给出）",
        example: "三级指标“培训人次”的实际完成值800人次达到年度指标值≥500人次的160%（超过130%），目标可能定得过低，请在偏差原因中说明超额完成的原因",
    },
    RuleInfo {
        id: "target-changed",
        severity: Severity::Error,
        title: "年度指标值与批复的目标不一致",
        source: "财预〔2015〕88号 绩效目标批复后原则上不作调整；财预〔2019〕136号、财预〔2020〕10号 以批复的绩效目标为监控和评价依据",
        example: "三级指标“服务对象满意度”的年度指标值“≥90%”与批复的项目支出绩效目标表《申遗经费》中的“≥95%”不一致；监控和自评应以批复的绩效目标为准，确需调整的请按程序申请调整",
    },
    RuleInfo {
        id: "indicator-duplicate",
        severity: Severity::Warning,
        title: "同一张表中重复的指标",
        source: "财预〔2021〕101号“重点突出”：只设反映主要产出和效果的核心指标；指标库的同义名称归并（docs/library.md）",
        example: "三级指标“工程验收合格率”与第3个指标“项目验收合格率”衡量的是同一内容，请合并为一个指标或改为衡量不同内容的指标",
    },
    RuleInfo {
        id: "value-outlier",
        severity: Severity::Info,
        title: "指标值明显偏离同类指标的常见范围",
        source: "财预〔2015〕88号 审核要点“绩效目标合理性”；指标库中其他单位已批复的同类目标（docs/library.md）",
        example: "三级指标“验收合格率”的指标值“≥60%”明显低于同类指标通常填写的范围95%～100%（中位数100%，24份），请核实指标值是否合理（依据：指标库中其他单位已批复的目标）",
    },
    RuleInfo {
        id: "stale-target",
        severity: Severity::Warning,
        title: "目标与上年相同而上年实际已超过",
        source: "财预〔2015〕88号 绩效目标应“与预算确定的投入相匹配”并参考历史标准；财预〔2021〕101号 指标值设定依据“历史标准”",
        example: "三级指标“培训人次”的指标值“≥500人次”与上年相同，而上年实际完成“620人次”已超过该目标，目标可能偏低，请参考上年实际完成情况设定指标值",
    },
    RuleInfo {
        id: "parse-warning",
        severity: Severity::Warning,
        title: "导入时无法确定的内容",
        source: "导入程序（读取文件时的推断和提示）",
        example: "第3张表第5行无法识别为指标行，已按“产出指标—数量指标”处理，请核对",
    },
];

/// Every rule, in the order of docs/rules.md.
pub fn catalogue() -> &'static [RuleInfo] {
    CATALOGUE
}

/// The default severity of a rule id (unknown ids: warning).
pub(crate) fn default_severity(id: &str) -> Severity {
    CATALOGUE
        .iter()
        .find(|r| r.id == id)
        .map_or(Severity::Warning, |r| r.severity)
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// docs/rules.md, rendered from the catalogue.
pub fn rules_markdown() -> String {
    let mut out = String::new();
    out.push_str("# 审核规则目录\n\n");
    out.push_str("<!-- 本文件由 jixiao_domain::rules::rules_markdown() 生成，请勿手工修改；");
    out.push_str("重新生成：JIXIAO_BLESS=1 cargo test -p jixiao-domain rules_doc -->\n\n");
    out.push_str("每条审核意见都带有下列稳定编号之一（编号发布后不再改名），以及严重程度、说明问题和修改方法的中文提示、");
    out.push_str("所在的表、字段和单元格，适用时还给出应有值和实际值。\n");
    out.push_str("严重程度为默认值，配置方案（profile）可以按地区调整；词表、指标体系和合计容差也来自配置方案。\n\n");
    out.push_str("| 编号 | 严重程度 | 名称 | 依据 | 示例 |\n|---|---|---|---|---|\n");
    for r in CATALOGUE {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            r.id,
            r.severity.label(),
            cell(r.title),
            cell(r.source),
            cell(r.example)
        ));
    }
    out
}
