//! Monitoring and self-evaluation: scoring, lights and rules against real published forms
//! (`../shared/corpus/`), built here by hand from the text of each file (the reader is
//! rewritten separately), and against worked examples from real forms.
//!
//! Each corpus test says which file it copies and checks what `expected.tsv` records for it:
//! the defects a careful reader confirmed (`must`) and the rules that must stay silent
//! (`must_not`).

use std::str::FromStr;

use jixiao_domain::rules::{self, check_dossier};
use jixiao_domain::scoring;
use jixiao_domain::*;
use rust_decimal::Decimal;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn wan(s: &str) -> Option<Money> {
    Some(Money::wan(d(s)))
}

fn dec(s: &str) -> Option<Decimal> {
    Some(d(s))
}

fn v(s: &str) -> IndicatorValue {
    IndicatorValue::parse(s)
}

/// One row of a self-evaluation: 一级, 二级, 三级, 年度指标值, 实际完成值, 分值, 得分.
fn scored(
    l1: &str,
    l2: &str,
    name: &str,
    target: IndicatorValue,
    actual: &str,
    weight: Option<&str>,
    score: Option<&str>,
) -> ScoredIndicator {
    ScoredIndicator {
        level1: l1.into(),
        level2: l2.into(),
        name: name.into(),
        target,
        actual: v(actual),
        weight: weight.map(d),
        score: score.map(d),
        ..ScoredIndicator::default()
    }
}

fn row(
    total: [Option<&str>; 3],
    rate: Option<&str>,
    weight: Option<&str>,
    score: Option<&str>,
) -> MoneyRow {
    MoneyRow {
        initial: total[0].and_then(wan),
        annual: total[1].and_then(wan),
        executed: total[2].and_then(wan),
        rate: rate.map(d),
        weight: weight.map(d),
        score: score.map(d),
    }
}

fn dossier(file: &str, forms: Vec<Form>) -> Dossier {
    let unit = forms[0].unit().to_string();
    let year = forms[0].year();
    Dossier {
        unit,
        year,
        forms: forms
            .into_iter()
            .enumerate()
            .map(|(index, form)| FiledForm {
                file: file.into(),
                index,
                form,
            })
            .collect(),
    }
}

fn national() -> Profile {
    Profile::national()
}

fn check(file: &str, form: Form) -> Vec<Finding> {
    check_dossier(&dossier(file, vec![form]), &national())
}

fn of<'a>(fs: &'a [Finding], rule: &str) -> Vec<&'a Finding> {
    fs.iter().filter(|f| f.rule == rule).collect()
}

fn fields(fs: &[&Finding]) -> Vec<String> {
    fs.iter()
        .map(|f| f.location.field.clone().unwrap_or_default())
        .collect()
}

fn dump(fs: &[Finding]) -> String {
    fs.iter()
        .map(|f| format!("{} {:?} {}", f.rule, f.location.field, f.message))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The rules `expected.tsv` lists in `must_not` for a file: none may fire.
fn assert_silent(fs: &[Finding], rules: &[&str]) {
    for r in rules {
        assert!(of(fs, r).is_empty(), "{r} must not fire:\n{}", dump(fs));
    }
}

// ---------------------------------------------------------------------------------------
// Corpus forms.

/// selfeval-hubei-huanggang-soilwater-01.txt (黄冈 2020 水土保持监测): 20-point budget block and
/// two 40-point goal blocks. The form prints no per-row 分值 column, only the blocks' 40分;
/// the 分值 below are the ones the scores and block totals imply (10 + 10 + 20, 20 + 20), as
/// the corpus note reads them. The two goal-2 效益 rows are empty.
fn huanggang() -> SelfEvaluation {
    let full = |l1: &str, l2: &str, name: &str, w: &str, s: &str| {
        scored(l1, l2, name, v("100%"), "100%", Some(w), Some(s))
    };
    SelfEvaluation {
        title: "2020年度水土保持監測項目績效自評表".into(),
        unit: "黃岡市水土保持與農田水利科研所".into(),
        year: Some(2020),
        name: "水土保持監測".into(),
        department: "黃岡市水利和湖泊局".into(),
        implementer: "本單位".into(),
        money: SelfEvaluationMoney {
            total: row(
                [None, Some("10"), Some("10")],
                Some("100"),
                Some("20"),
                Some("20"),
            ),
            ..Default::default()
        },
        indicators: vec![
            full("产出指标", "质量指标", "監測數據必須合格", "10", "10"),
            full("产出指标", "进度指标", "取得2018-2022監測資料", "10", "10"),
            scored(
                "满意度指标",
                "服务对象满意度指标",
                "整編資料審核",
                v("98%"),
                "98%",
                Some("20"),
                Some("19.6"),
            ),
            full("产出指标", "质量指标", "監測數據資料整編", "20", "20"),
            full("产出指标", "进度指标", "完成年度資料上報", "20", "20"),
            scored("效益指标", "社会效益指标", "", v(""), "", None, None),
            scored(
                "满意度指标",
                "服务对象满意度指标",
                "",
                v(""),
                "",
                None,
                None,
            ),
        ],
        total_score: dec("99.6"),
        ..SelfEvaluation::default()
    }
}

#[test]
fn huanggang_fully_met_target_scored_below_weight() {
    let fs = check(
        "selfeval-hubei-huanggang-soilwater-01.txt",
        Form::SelfEvaluation(huanggang()),
    );
    // must: score-mismatch (19.6 for a fully met 20-point target), empty-indicator.
    let score = of(&fs, "score-mismatch");
    assert_eq!(fields(&score), ["indicators[2].score"], "{}", dump(&fs));
    assert_eq!(score[0].expected.as_deref(), Some("20"));
    assert_eq!(score[0].actual.as_deref(), Some("19.6"));
    assert!(
        score[0].message.contains("应得满分20分"),
        "{}",
        score[0].message
    );
    let empty = of(&fs, "empty-indicator");
    assert_eq!(
        fields(&empty),
        ["indicators[5].name", "indicators[6].name"],
        "{}",
        dump(&fs)
    );
    // must_not: the total 20 + 39.6 + 40 = 99.6 adds up; 10/10 = 100%; 20 + 40 + 40 = 100.
    assert_silent(
        &fs,
        &[
            "score-total-mismatch",
            "rate-mismatch",
            "weight-sum",
            "deviation-unexplained",
        ],
    );
    // The 20-point budget block differs from 10号's 10: a warning under the national profile.
    let profile_warn = of(&fs, "weight-profile");
    assert_eq!(profile_warn.len(), 1);
    assert_eq!(profile_warn[0].severity, Severity::Warning);
    assert!(profile_warn[0].message.contains("预算执行率20分"));

    // The recomputed scores and total: every row met → full marks, 100, 优.
    let mut e = huanggang();
    scoring::score_self_evaluation(&mut e, &national());
    let computed: Vec<Option<Decimal>> = e.indicators.iter().map(|i| i.computed_score).collect();
    assert_eq!(
        computed,
        [
            dec("10"),
            dec("10"),
            dec("20"),
            dec("20"),
            dec("20"),
            None,
            None
        ]
    );
    assert_eq!(e.computed_total, dec("100"));
    assert_eq!(e.computed_grade.as_deref(), Some("优"));
    assert_eq!(e.total_score, dec("99.6"), "the stated total is kept");
    assert_eq!(
        e.indicators[2].score,
        dec("19.6"),
        "the stated score is kept"
    );
}

/// selfeval-yunnan-lijiang-gucheng-01.txt (丽江古城区 2020 卫片执法补助经费): every indicator
/// meets its target, yet the scores are cut (9/10, 19/20, 19/20, 27/30). The split columns
/// 指标性质 | 指标值 | 度量单位 are joined as the reader does; 实际完成值 carries no unit.
/// The copy stops at the 满意度 row's 得分.
fn lijiang(incomplete: bool) -> SelfEvaluation {
    let parts = IndicatorValue::from_parts;
    SelfEvaluation {
        title: "2020年度項目支出績效自評表".into(),
        unit: "麗江市古城區自然資源局".into(),
        year: Some(2020),
        name: "2020年省級自然資源衛片執法補助經費支出績效自評表".into(),
        department: "麗江市自然資源和規劃局".into(),
        implementer: "麗江市古城區自然資源局".into(),
        money: SelfEvaluationMoney {
            total: row(
                [Some("7.29"), Some("7.29"), Some("7.29")],
                Some("100"),
                Some("10.00"),
                Some("10.00"),
            ),
            fiscal: row(
                [Some("7.29"), Some("7.29"), Some("7.29")],
                Some("100"),
                None,
                None,
            ),
            ..Default::default()
        },
        goals: vec![GoalPair {
            expected: "自然資源衛片執法補助經費".into(),
            actual: "自然資源衛片執法補助經費".into(),
        }],
        indicators: vec![
            scored(
                "产出指标",
                "数量指标",
                "衛片執法補助經費",
                parts("﹦", "72890", "元"),
                "72890",
                Some("10.00"),
                Some("9.00"),
            ),
            scored(
                "产出指标",
                "质量指标",
                "項目驗收合格率",
                parts("﹦", "100", "%"),
                "100",
                Some("20"),
                Some("19"),
            ),
            scored(
                "产出指标",
                "时效指标",
                "項目完成及時率",
                parts("﹦", "100", "%"),
                "100",
                Some("20.00"),
                Some("19.00"),
            ),
            scored(
                "效益指标",
                "社会效益指标",
                "違法行為責停率",
                parts("≥", "95", "%"),
                "95",
                Some("30.00"),
                Some("27.00"),
            ),
            scored(
                "满意度指标",
                "服务对象满意度指标",
                "滿意度",
                parts("≥", "95", "%"),
                "95",
                Some("10.00"),
                None,
            ),
        ],
        incomplete,
        ..SelfEvaluation::default()
    }
}

#[test]
fn lijiang_full_completion_with_reduced_scores() {
    for incomplete in [true, false] {
        let fs = check(
            "selfeval-yunnan-lijiang-gucheng-01.txt",
            Form::SelfEvaluation(lijiang(incomplete)),
        );
        let score = of(&fs, "score-mismatch");
        assert_eq!(
            fields(&score),
            [
                "indicators[0].score",
                "indicators[1].score",
                "indicators[2].score",
                "indicators[3].score"
            ],
            "{}",
            dump(&fs)
        );
        let pairs: Vec<(Option<&str>, Option<&str>)> = score
            .iter()
            .map(|f| (f.expected.as_deref(), f.actual.as_deref()))
            .collect();
        assert_eq!(
            pairs,
            [
                (Some("10"), Some("9")),
                (Some("20"), Some("19")),
                (Some("20"), Some("19")),
                (Some("30"), Some("27"))
            ]
        );
        // Even read as a complete form: 分值 10 + 10 + 20 + 20 + 30 + 10 = 100, all met.
        assert_silent(
            &fs,
            &[
                "rate-mismatch",
                "weight-sum",
                "weight-profile",
                "sum-mismatch",
                "deviation-unexplained",
                "vague-value",
                "empty-indicator",
            ],
        );
    }
}

/// selfeval-ningxia-yuanzhou-potato-01.txt (原州区 2022 马铃薯种薯): OCR'd scan, cut in 满意度.
/// 年度指标值 / 全年实际值 as printed: 质量 “采购的原原种合格率 290$” / “290%”, 社会效益 指标2
/// “250%” / “5=50%” (≥90% / ≥50% misread). Rows too garbled to read (指标3) are left out.
fn yuanzhou() -> SelfEvaluation {
    let row8 = |l1: &str, l2: &str, name: &str, t: &str, a: &str, s: &str| {
        scored(l1, l2, name, v(t), a, Some("8"), Some(s))
    };
    let mut sustain = row8(
        "效益指标",
        "可持续影响指标",
        "持续完善马铃薯种薯繁育体系,保障脱毒马铃薯种薯供应,促进主食化产业衔接",
        "是",
        "基本达到",
        "7",
    );
    sustain.deviation = "加强技术指导,加大宣传力度;加大项目支持力度".into();
    SelfEvaluation {
        title: "马铃薯冲薯繁育示范推广项目绩效目标自评表(2022年度)".into(),
        unit: "原州区农技中心".into(),
        year: Some(2022),
        name: "碟令薯樽轴示施".into(),
        department: "农业农村厅".into(),
        money: SelfEvaluationMoney {
            total: row(
                [None, Some("300"), Some("259.45")],
                Some("86.5"),
                None,
                None,
            ),
            ..Default::default()
        },
        indicators: vec![
            row8(
                "产出指标",
                "数量指标",
                "指标1免费发放原原种",
                "550万粒",
                "550万粒",
                "8",
            ),
            row8(
                "产出指标",
                "数量指标",
                "指标2企业自行采购",
                "200万粒",
                "200万粒",
                "8",
            ),
            row8(
                "产出指标",
                "质量指标",
                "指标1采购的原原种合格率",
                "采购的原原种合格率290$",
                "290%",
                "8",
            ),
            row8(
                "效益指标",
                "社会效益指标",
                "指标1一级种薯推广面积占总面积比例",
                "80%",
                "^80%",
                "8",
            ),
            row8(
                "效益指标",
                "社会效益指标",
                "指标2群众对脱毒种薯和主食化专用品种的认知度",
                "250%",
                "5=50%",
                "8",
            ),
            sustain,
        ],
        total_score: dec("99"),
        incomplete: true,
        ..SelfEvaluation::default()
    }
}

#[test]
fn yuanzhou_ocr_rates_are_bad_values() {
    let fs = check(
        "selfeval-ningxia-yuanzhou-potato-01.txt",
        Form::SelfEvaluation(yuanzhou()),
    );
    let bad = of(&fs, "bad-value");
    assert_eq!(
        fields(&bad),
        ["indicators[2].actual", "indicators[4].target"],
        "{}",
        dump(&fs)
    );
    assert!(bad[0].message.contains("实际完成值“290%”超出0%～100%"));
    assert!(bad[1].message.contains("年度指标值“250%”超出0%～100%"));
    // 259.45 / 300 = 86.48% written 86.5%; 基本达到 7 of 8 lies in the 达成 band [6.4, 8].
    assert_silent(
        &fs,
        &[
            "rate-mismatch",
            "sum-mismatch",
            "deviation-unexplained",
            "score-mismatch",
            "score-total-mismatch",
        ],
    );
    let x = scoring::execution(&yuanzhou().money, &national().scoring).unwrap();
    assert_eq!(x.rate.unwrap().round_dp(2), d("86.48"));
    // Cut mid-table: no recomputed total.
    assert_eq!(scoring::evaluate(&yuanzhou(), &national()).total, None);
}

/// selfeval-hubei-provincial-disability-culture-01.txt (湖北省残联 2017): the report's budget
/// of 100万元 split 74 / 14 / 8 (74% / 14% / 8%), and 表1 listing 三级 names and 年度指标值
/// only. The copy stops at row 15 (“残疾人事业社会关”).
fn disability() -> SelfEvaluation {
    let targets = [
        ("全国助残日活动次数", "1次"),
        ("报纸杂志专版专栏", "1个"),
        ("电视专栏节目", "24期"),
        ("广播专题节目", "104期"),
        ("网络宣传平台", "1个"),
        ("内部刊物", "12期"),
        ("开展残疾人文化活动", "1"),
        ("残疾人文化活动参与人数", "60人"),
        ("举办宣文干部培训班次", "1次"),
        ("全省残联宣文干部培训班参训人数", "60人"),
        ("宣传覆盖面", "拓宽"),
        ("残疾人文化活动参与率", "推动全省提高"),
        ("全省残联宣文干部培训班培训合格率", "100%"),
        ("全省残联宣文干部培训班参训学员工作积极性", "稳步提高"),
        ("残疾人事业社会关", ""),
    ];
    let item = |name: &str, amount: &str| BudgetItem {
        name: name.into(),
        amount: wan(amount),
        share: dec(amount),
    };
    SelfEvaluation {
        title: "湖北省残疾人事业宣传文化经费项目2017年度绩效自评报告".into(),
        unit: "湖北省残疾人联合会".into(),
        year: Some(2017),
        name: "湖北省残疾人事业宣传文化工作经费项目".into(),
        money: SelfEvaluationMoney {
            total: row([None, Some("100"), None], None, None, None),
            fiscal: row([None, Some("100"), None], None, None, None),
            ..Default::default()
        },
        budget_items: vec![
            item("残疾人事业宣传", "74"),
            item("残疾人文化建设", "14"),
            item("全省残联宣文干部培训", "8"),
        ],
        indicators: targets
            .iter()
            .map(|(name, t)| scored("", "", name, v(t), "", None, None))
            .collect(),
        incomplete: true,
        ..SelfEvaluation::default()
    }
}

#[test]
fn disability_budget_split_does_not_add_up() {
    let fs = check(
        "selfeval-hubei-provincial-disability-culture-01.txt",
        Form::SelfEvaluation(disability()),
    );
    let sums = of(&fs, "sum-mismatch");
    assert_eq!(fields(&sums), ["budget_items"], "{}", dump(&fs));
    assert_eq!(sums[0].expected.as_deref(), Some("100万元"));
    assert_eq!(sums[0].actual.as_deref(), Some("96万元"));
    assert!(
        sums[0].message.contains("占比之和96%"),
        "{}",
        sums[0].message
    );
    // 拓宽 / 推动全省提高 / 稳步提高 are not measurable.
    let vague = of(&fs, "vague-value");
    assert_eq!(
        fields(&vague),
        [
            "indicators[10].target",
            "indicators[11].target",
            "indicators[13].target"
        ],
        "{}",
        dump(&fs)
    );
    // Row 15 is cut before its value: not an empty row.
    assert!(of(&fs, "empty-indicator").is_empty(), "{}", dump(&fs));
    // A bare list of 三级 names: one finding for the form, not fifteen.
    assert_eq!(fields(&of(&fs, "unknown-category")), ["indicators"]);
}

/// selfeval-dept-hunan-hengshan-guantang-01.txt (衡山县贯塘乡 2023 部门整体支出绩效自评表):
/// 年度资金总额 全年预算数 2030.12 = 按收入性质分 1325.68 + 118.82 + 585.62, but 按支出性质分
/// 900.47 + 1025.20 = 1925.67. The copy stops in 年度总体目标.
fn guantang() -> SelfEvaluation {
    let annual = |a: &str| row([None, Some(a), None], None, None, None);
    SelfEvaluation {
        variant: SelfEvaluationVariant::Department,
        title: "2023年度部门整体支出绩效自评表".into(),
        unit: "衡山县贯塘乡人民政府".into(),
        year: Some(2023),
        money: SelfEvaluationMoney {
            total: row(
                [Some("861.10"), Some("2030.12"), Some("2030.12")],
                Some("100"),
                Some("10"),
                Some("10"),
            ),
            fiscal: annual("1325.68"),
            government_fund: annual("118.82"),
            other: annual("585.62"),
            basic: annual("900.47"),
            project: annual("1025.20"),
            ..Default::default()
        },
        incomplete: true,
        ..SelfEvaluation::default()
    }
}

#[test]
fn guantang_two_breakdowns_of_one_total_disagree() {
    let fs = check(
        "selfeval-dept-hunan-hengshan-guantang-01.txt",
        Form::SelfEvaluation(guantang()),
    );
    let sums = of(&fs, "sum-mismatch");
    assert_eq!(fields(&sums), ["money.total.annual"], "{}", dump(&fs));
    assert_eq!(sums[0].expected.as_deref(), Some("1925.67万元"));
    assert_eq!(sums[0].actual.as_deref(), Some("2030.12万元"));
    assert!(sums[0]
        .message
        .contains("基本支出、项目支出之和1925.67万元"));
    assert!(
        sums[0]
            .message
            .contains("本年财政拨款、政府性基金拨款、其他资金之和相符"),
        "{}",
        sums[0].message
    );
    // 2030.12 / 2030.12 = 100% → 10 of 10.
    assert_silent(&fs, &["rate-mismatch", "score-mismatch", "calc-mismatch"]);
}

/// monitor-hubei-huangshi-heritage-01.txt (黄石 2019 申遗经费 监控表, 1–6月): 87.57 of 220 spent,
/// 质量 and 时效 rows empty, 成本 and 社会效益 rows with text but no 指标名称, 确定能 everywhere,
/// 偏差原因 and 相关建议 empty.
fn huangshi() -> Monitoring {
    let m = |l2: &str, target: &str, progress: &str, p: Option<Possibility>| MonitoredIndicator {
        level1: if l2 == "社会效益指标" {
            "效益指标"
        } else {
            "产出指标"
        }
        .into(),
        level2: l2.into(),
        target: v(target),
        progress: v(progress),
        possibility: p,
        ..MonitoredIndicator::default()
    };
    let sure = Some(Possibility::Certain);
    Monitoring {
        title: "黄石市项目支出绩效监控表 (申遗)".into(),
        unit: "黄石市文物局(湖北水泥遗址博物馆)".into(),
        year: Some(2019),
        name: "申遗经费".into(),
        department: "黄石市文化和旅游局".into(),
        implementer: "黄石市文物局(湖北水泥遗址博物馆)".into(),
        period_months: Some(6),
        money: MonitoringMoney {
            annual: wan("220"),
            executed: wan("87.57"),
            fiscal: MonitoringMoneyRow {
                annual: wan("220"),
                executed: wan("87.57"),
                forecast: None,
            },
            ..MonitoringMoney::default()
        },
        indicators: vec![
            m("质量指标", "", "", None),
            m("时效指标", "", "", None),
            m("成本指标", "年度预算220万元", "按进度执行,已使用约40%", sure),
            m(
                "社会效益指标",
                "开展黄石矿冶工业遗产突出普遍价值研究、学术交流、对外宣传等工作,先后举办有社会影响力的活动5场;成立黄石矿冶文化研究中心暨矿冶文学陈列馆,凸显黄石工业遗产文化价值,推动申遗工作。",
                "",
                sure,
            ),
        ],
        ..Monitoring::default()
    }
}

#[test]
fn huangshi_monitoring_empty_rows_and_budget_pace() {
    let fs = check(
        "monitor-hubei-huangshi-heritage-01.txt",
        Form::Monitoring(huangshi()),
    );
    let empty = of(&fs, "empty-indicator");
    assert_eq!(
        fields(&empty),
        [
            "indicators[0].name",
            "indicators[1].name",
            "indicators[2].name",
            "indicators[3].name"
        ],
        "{}",
        dump(&fs)
    );
    assert!(empty[0]
        .message
        .contains("质量指标一行未填写三级指标和年度指标值"));
    assert!(empty[2].message.contains("未填写三级指标名称"));
    // 220 = 220, 87.57 = 87.57; no rate written; every row 确定能.
    assert_silent(
        &fs,
        &["sum-mismatch", "rate-mismatch", "deviation-unexplained"],
    );

    // Lights: 87.57 / 220 = 39.80% after 6 of 12 months → 79.6% of the pace → yellow; the
    // rows' progress is prose (no light); the form's worst light is the budget's.
    let mut m = huangshi();
    scoring::light_monitoring(&mut m, &national());
    assert_eq!(m.money.light, Some(Light::Yellow));
    assert!(m.indicators.iter().all(|i| i.light.is_none()));
    assert_eq!(m.light, Some(Light::Yellow));
    let lights = scoring::monitoring_lights(&huangshi(), &national());
    assert_eq!(lights.rate.unwrap().round_dp(2), d("39.80"));

    // Had a row said 有可能 with the form's 原因/举措 rows still empty, that is a finding.
    let mut m = huangshi();
    m.indicators[2].possibility = Some(Possibility::Possible);
    let fs = check("x.txt", Form::Monitoring(m.clone()));
    let dev = of(&fs, "deviation-unexplained");
    assert_eq!(fields(&dev), ["indicators[2].deviation"]);
    assert!(dev[0].message.contains("“有可能”"));
    // The form-level rows count for every indicator.
    m.deviation = "受疫情影响，学术交流活动推迟".into();
    m.measures = "下半年集中开展".into();
    assert!(of(
        &check("x.txt", Form::Monitoring(m)),
        "deviation-unexplained"
    )
    .is_empty());
}

/// selfeval-sichuan-daying-consumer-01.txt (大英县 2020): indicator table whose last column is
/// 实施进度, “已完成100%” on every row; 一级 项目决策 / 项目效益.
fn daying() -> SelfEvaluation {
    let r = |l1: &str, l2: &str, name: &str, t: &str| {
        scored(l1, l2, name, v(t), "已完成100%", None, None)
    };
    SelfEvaluation {
        year: Some(2020),
        money: SelfEvaluationMoney {
            total: row([None, Some("10"), None], None, None, None),
            ..Default::default()
        },
        indicators: vec![
            r("项目决策", "数量指标", "宣传次数", "至少全年完成2次宣传"),
            r("项目决策", "质量指标", "创建质量", "按质按量完成"),
            r("项目决策", "时效指标", "全年", "1-12月"),
            r("项目决策", "成本指标", "成本", "10万元"),
            r(
                "项目效益",
                "社会效益指标",
                "提升全县消费者维权意识",
                "不断提升",
            ),
            r("满意度指标", "满意度指标", "群众满意度", "90%"),
        ],
        ..SelfEvaluation::default()
    }
}

#[test]
fn daying_completed_rows_with_vague_targets() {
    let fs = check(
        "selfeval-sichuan-daying-consumer-01.txt",
        Form::SelfEvaluation(daying()),
    );
    let vague = of(&fs, "vague-value");
    assert_eq!(fields(&vague), ["indicators[4].target"], "{}", dump(&fs));
    // Every row reads 已完成100%: met, so nothing to explain; every row is filled.
    assert_silent(&fs, &["empty-indicator", "deviation-unexplained"]);
    let ev = scoring::evaluate(&daying(), &national());
    assert!(ev.rows.iter().all(|r| r.assessment.met() == Some(true)));
}

/// selfeval-sichuan-qingshen-01.txt (青神县 2023, 四川 一体化 510000_0013zp): 预算执行情况(10分)
/// and 绩效指标(90分) = 60 + 30; 完成值 and 得分 all empty; 合计 100 is the 权重 column.
/// The 财政专户管理资金 / 单位资金 rows of 0.00 have no place in the model and are left out.
fn qingshen() -> SelfEvaluation {
    let parts = IndicatorValue::from_parts;
    let money3 = [Some("238.93"), Some("251.89"), Some("251.89")];
    SelfEvaluation {
        title: "部门预算项目支出绩效自评表(2023年度)".into(),
        unit: "青神县发展和改革局".into(),
        year: Some(2023),
        name: "51000021R000000019951-工资性支出".into(),
        department: "青神县发展和改革局本级".into(),
        money: SelfEvaluationMoney {
            total: row(money3, Some("100.00"), Some("10"), None),
            fiscal: row(money3, Some("100.00"), None, None),
            ..Default::default()
        },
        indicators: vec![
            scored(
                "产出指标",
                "数量指标",
                "发放(缴纳)覆盖率",
                parts("=", "100", "%"),
                "",
                Some("60"),
                None,
            ),
            scored(
                "效益指标",
                "社会效益指标",
                "足额保障率(参保率)",
                parts("=", "100", "%"),
                "",
                Some("30"),
                None,
            ),
        ],
        ..SelfEvaluation::default()
    }
}

#[test]
fn qingshen_unfilled_form_and_a_regional_weight_profile() {
    let fs = check(
        "selfeval-sichuan-qingshen-01.txt",
        Form::SelfEvaluation(qingshen()),
    );
    assert_silent(
        &fs,
        &[
            "weight-sum",
            "rate-mismatch",
            "sum-mismatch",
            "score-total-mismatch",
            "empty-indicator",
            "vague-value",
            "score-mismatch",
        ],
    );
    // 60 / 30 / 0 differs from 10号's 50 / 30 / 10: a warning under the national profile …
    let warn = of(&fs, "weight-profile");
    assert_eq!(warn.len(), 1, "{}", dump(&fs));
    assert!(warn[0].message.contains("产出指标60分"));
    // … and none under a 四川 一体化 profile (预算执行 10 + 绩效指标 90 as one block).
    let sichuan = Profile::from_toml(
        "name = \"sichuan-yth\"\ntitle = \"四川一体化\"\nextends = \"national\"\n[scoring]\nexecution_weight = \"10\"\nlevel1_weights = []\n",
    )
    .unwrap();
    let fs = check_dossier(
        &dossier(
            "selfeval-sichuan-qingshen-01.txt",
            vec![Form::SelfEvaluation(qingshen())],
        ),
        &sichuan,
    );
    assert!(of(&fs, "weight-profile").is_empty(), "{}", dump(&fs));
    // Nothing is scored: no total.
    assert_eq!(scoring::evaluate(&qingshen(), &national()).total, None);
}

// ---------------------------------------------------------------------------------------
// The worked examples of 10号 scoring through whole forms.

/// A self-evaluation of a 10号 layout: execution 10, the given rows.
fn form_10(rows: Vec<ScoredIndicator>) -> SelfEvaluation {
    SelfEvaluation {
        name: "示例项目".into(),
        unit: "示例单位".into(),
        year: Some(2024),
        money: SelfEvaluationMoney {
            total: row(
                [None, Some("90"), Some("89.974")],
                Some("99.97"),
                Some("10"),
                Some("10"),
            ),
            ..Default::default()
        },
        indicators: rows,
        ..SelfEvaluation::default()
    }
}

#[test]
fn worked_examples_score_through_a_form() {
    let rows = vec![
        // Rule 5: t = 50, a = 40, w = 8 → 6.40.
        scored(
            "产出指标",
            "数量指标",
            "培训人次",
            v("≥50人次"),
            "40人次",
            Some("8"),
            Some("6.4"),
        ),
        // Rule 6: t = 90, a = 100, w = 10 → 9.00 (ratio).
        scored(
            "产出指标",
            "成本指标",
            "人均成本",
            v("≤90元"),
            "100元",
            Some("10"),
            Some("9.00"),
        ),
        // Rule 7: = 100%, a = 98% → 9.8.
        scored(
            "产出指标",
            "质量指标",
            "验收合格率",
            v("=100%"),
            "98%",
            Some("10"),
            Some("9.8"),
        ),
        // Money converted: ≤20万元 against 185000元 → met.
        scored(
            "产出指标",
            "成本指标",
            "总成本",
            v("≤20万元"),
            "185000元",
            Some("22"),
            Some("22"),
        ),
        // Rule 9: qualitative, level 2 on w = 30: [18, 24).
        scored(
            "效益指标",
            "社会效益指标",
            "群众生活条件",
            v("显著改善"),
            "部分达成年度指标并具有一定效果",
            Some("30"),
            Some("23.99"),
        ),
        scored(
            "满意度指标",
            "服务对象满意度指标",
            "满意度",
            v("≥90%"),
            "95%",
            Some("10"),
            Some("10"),
        ),
    ];
    let mut e = form_10(rows);
    let fs = check("lifecycle.txt", Form::SelfEvaluation(e.clone()));
    assert!(of(&fs, "score-mismatch").is_empty(), "{}", dump(&fs));
    scoring::score_self_evaluation(&mut e, &national());
    let computed: Vec<Option<Decimal>> = e.indicators.iter().map(|i| i.computed_score).collect();
    assert_eq!(
        computed,
        [
            dec("6.40"),
            dec("9.00"),
            dec("9.8"),
            dec("22"),
            dec("23.99"),
            dec("10")
        ]
    );
    // Rule 3: A = 90, B = 89.974 → 10.00; total 10 + 6.40 + 9 + 9.8 + 22 + 23.99 + 10 = 91.19.
    assert_eq!(e.computed_total, dec("91.19"));
    assert_eq!(e.computed_grade.as_deref(), Some("优"));

    // The linear-deduction variant, chosen by a profile that extends national: 8.89.
    let linear = Profile::from_toml(
        "name = \"v\"\ntitle = \"v\"\nextends = \"national\"\n[scoring]\nreverse_formula = \"linear_deduction\"\n",
    )
    .unwrap();
    let ev = scoring::evaluate(&e, &linear);
    assert_eq!(ev.rows[1].computed, dec("8.89"));
    let fs = check_dossier(
        &dossier("lifecycle.txt", vec![Form::SelfEvaluation(e)]),
        &linear,
    );
    let score = of(&fs, "score-mismatch");
    assert_eq!(
        fields(&score),
        ["indicators[1].score"],
        "9.00 is the ratio score, not the linear one"
    );
    assert!(score[0].message.contains("超出部分"));
}

#[test]
fn scores_outside_band_or_above_weight() {
    let e = form_10(vec![
        // Rule 9: w = 10, level 2: 8.0 rejected.
        scored(
            "效益指标",
            "社会效益指标",
            "a",
            v("显著改善"),
            "部分达成预期指标",
            Some("10"),
            Some("8.0"),
        ),
        // Rule 8: 11 on w = 10 rejected.
        scored(
            "产出指标",
            "数量指标",
            "b",
            v("≥5个"),
            "6个",
            Some("10"),
            Some("11"),
        ),
        // Level 3 must stay under 60%.
        scored(
            "效益指标",
            "经济效益指标",
            "c",
            v("增收"),
            "未达成年度指标且效果较差",
            Some("10"),
            Some("6"),
        ),
    ]);
    let fs = check("x.txt", Form::SelfEvaluation(e));
    let score = of(&fs, "score-mismatch");
    assert_eq!(
        fields(&score),
        [
            "indicators[0].score",
            "indicators[1].score",
            "indicators[2].score"
        ],
        "{}",
        dump(&fs)
    );
    assert_eq!(score[0].expected.as_deref(), Some("[6, 8)"));
    assert!(score[1].message.contains("超过其分值10分"));
    assert_eq!(score[2].expected.as_deref(), Some("[0, 6)"));
}

#[test]
fn execution_rate_score_and_denominator() {
    // Rule 3: the rate is B ÷ 全年预算数; a rate divided by 年初预算数 is named as such.
    let mut e = form_10(vec![]);
    e.money.total = row(
        [Some("80"), Some("100"), Some("85")],
        Some("106.25"),
        Some("10"),
        Some("8.5"),
    );
    let fs = check("x.txt", Form::SelfEvaluation(e.clone()));
    let rate = of(&fs, "rate-mismatch");
    assert_eq!(fields(&rate), ["money.total.rate"], "{}", dump(&fs));
    assert!(rate[0].message.contains("按年初预算数计算"));
    assert_eq!(rate[0].expected.as_deref(), Some("85%"));
    assert!(of(&fs, "score-mismatch").is_empty(), "8.50 of 10 is right");
    // 85% is below the profile's 90%: the form must say why.
    let dev = of(&fs, "deviation-unexplained");
    assert_eq!(fields(&dev), ["money.total.rate"]);
    e.deviation = "部分设备采购延至次年".into();
    assert!(of(
        &check("x.txt", Form::SelfEvaluation(e.clone())),
        "deviation-unexplained"
    )
    .is_empty());
    // A wrong execution score.
    e.money.total.score = dec("10");
    let fs = check("x.txt", Form::SelfEvaluation(e));
    let s = of(&fs, "score-mismatch");
    assert_eq!(fields(&s), ["money.total.score"]);
    assert_eq!(s[0].expected.as_deref(), Some("8.5"));
}

#[test]
fn money_block_total_of_zero_with_filled_rows() {
    // Rule 4 (the Anhui 2022 form): 年度资金总额 0 while 本年财政拨款 holds 90 / 89.974.
    let mut e = form_10(vec![]);
    e.money.total = row(
        [Some("0"), Some("0"), Some("0")],
        None,
        Some("10"),
        Some("10"),
    );
    e.money.fiscal = row([Some("90"), Some("90"), Some("89.974")], None, None, None);
    let fs = check("x.txt", Form::SelfEvaluation(e.clone()));
    let sums = of(&fs, "sum-mismatch");
    assert_eq!(
        fields(&sums),
        [
            "money.total.initial",
            "money.total.annual",
            "money.total.executed"
        ],
        "{}",
        dump(&fs)
    );
    assert_eq!(sums[1].expected.as_deref(), Some("90万元"));
    assert_eq!(sums[1].actual.as_deref(), Some("0万元"));
    // The execution score is read from the filled row: 10.00, as stated.
    assert!(of(&fs, "score-mismatch").is_empty(), "{}", dump(&fs));
    assert_eq!(
        scoring::execution(&e.money, &national().scoring)
            .unwrap()
            .score,
        dec("10.00")
    );
}

#[test]
fn totals_weights_and_grades() {
    let rows = || {
        let mut v8: Vec<ScoredIndicator> = (0..5)
            .map(|i| {
                scored(
                    "产出指标",
                    "数量指标",
                    &format!("产出{i}"),
                    v("≥10个"),
                    "10个",
                    Some("8"),
                    Some("8"),
                )
            })
            .collect();
        v8.push(scored(
            "产出指标",
            "质量指标",
            "合格率",
            v("≥95%"),
            "95%",
            Some("10"),
            Some("10"),
        ));
        v8.push(scored(
            "效益指标",
            "社会效益指标",
            "覆盖率",
            v("≥90%"),
            "90%",
            Some("30"),
            Some("30"),
        ));
        v8.push(scored(
            "满意度指标",
            "服务对象满意度指标",
            "满意度",
            v("≥90%"),
            "90%",
            Some("10"),
            Some("10"),
        ));
        v8
    };
    // Rule 2: 产出 8 + 8 + 8 + 8 + 8 + 10 = 50 passes; total 100, grade 优.
    let mut e = form_10(rows());
    e.subtotals = vec![Subtotal {
        level1: "产出指标".into(),
        weight: dec("50"),
        score: dec("50"),
    }];
    e.total_score = dec("100");
    e.grade = Some("优".into());
    let fs = check("x.txt", Form::SelfEvaluation(e.clone()));
    for r in [
        "weight-sum",
        "weight-profile",
        "score-total-mismatch",
        "grade-mismatch",
    ] {
        assert!(of(&fs, r).is_empty(), "{r}:\n{}", dump(&fs));
    }
    // 49 fails (one row 7): the block and the form's total both break.
    let mut e49 = e.clone();
    e49.indicators[0].weight = dec("7");
    e49.indicators[0].score = dec("7");
    let fs = check("x.txt", Form::SelfEvaluation(e49));
    assert_eq!(
        fields(&of(&fs, "weight-sum")),
        ["indicators", "subtotals[0].weight"],
        "{}",
        dump(&fs)
    );
    let st = of(&fs, "score-total-mismatch");
    assert_eq!(
        fields(&st),
        ["subtotals[0].score", "total_score"],
        "{}",
        dump(&fs)
    );
    // Rule 1: 产出 70 under the national profile is a warning, not an error.
    let mut e70 = e.clone();
    e70.indicators[5].weight = dec("30");
    e70.indicators[5].score = dec("30");
    e70.indicators[6].weight = dec("10");
    e70.indicators[6].score = dec("10");
    e70.subtotals.clear();
    let fs = check("x.txt", Form::SelfEvaluation(e70));
    let w = of(&fs, "weight-profile");
    assert_eq!(w.len(), 1, "{}", dump(&fs));
    assert_eq!(w[0].severity, Severity::Warning);
    assert!(w[0].message.contains("产出指标70分"), "{}", w[0].message);
    assert!(w[0].message.contains("效益指标10分"));
    // Rule 13: 89.99 → 良; a stated 优 is a mismatch, 90 is 优.
    let mut g = e.clone();
    g.total_score = dec("89.99");
    let fs = check("x.txt", Form::SelfEvaluation(g.clone()));
    let gm = of(&fs, "grade-mismatch");
    assert_eq!(fields(&gm), ["grade"]);
    assert_eq!(gm[0].expected.as_deref(), Some("良"));
    g.total_score = dec("90");
    g.indicators[0].score = dec("7.99");
    let fs = check("x.txt", Form::SelfEvaluation(g));
    assert!(of(&fs, "grade-mismatch").is_empty());
    // A profile with a strict edge (>90 优) grades 90 as 良.
    let strict = Profile::from_toml(concat!(
        "name = \"s\"\ntitle = \"s\"\nextends = \"national\"\n[scoring]\ngrades = [\n",
        "{ grade = \"优\", min = \"90\", inclusive = false },\n",
        "{ grade = \"良\", min = \"80\" },\n{ grade = \"中\", min = \"60\" },\n{ grade = \"差\", min = \"0\" },\n]\n"
    ))
    .unwrap();
    assert_eq!(strict.scoring.grade(d("90")), Some("良"));
    assert_eq!(national().scoring.grade(d("90")), Some("优"));
}

#[test]
fn not_applicable_rows_are_left_out_and_rescaled() {
    // Rule 10: 10 + 90, one 10-point row 不适用, the rest scoring 81 of 90 → 90.00.
    let mut e = form_10(vec![
        scored(
            "产出指标",
            "数量指标",
            "a",
            v("不适用"),
            "不适用",
            Some("10"),
            None,
        ),
        scored(
            "产出指标",
            "数量指标",
            "b",
            v("≥100个"),
            "90个",
            Some("80"),
            Some("72"),
        ),
    ]);
    e.money.total = row(
        [None, Some("100"), Some("90")],
        Some("90"),
        Some("10"),
        Some("9"),
    );
    e.total_score = dec("90");
    let fs = check("x.txt", Form::SelfEvaluation(e.clone()));
    assert!(of(&fs, "score-total-mismatch").is_empty(), "{}", dump(&fs));
    assert!(
        of(&fs, "filler-value").is_empty(),
        "不适用 on a report is no filler"
    );
    scoring::score_self_evaluation(&mut e, &national());
    assert_eq!(e.computed_total, dec("90.00"));
    assert_eq!(e.computed_grade.as_deref(), Some("优"));
    // The unmet row needs its reason.
    assert_eq!(
        fields(&of(&fs, "deviation-unexplained")),
        ["indicators[1].deviation"]
    );
}

#[test]
fn overachievement_needs_an_explanation() {
    let mut e = form_10(vec![scored(
        "产出指标",
        "数量指标",
        "培训人次",
        v("≥500人次"),
        "800人次",
        Some("10"),
        Some("10"),
    )]);
    let fs = check("x.txt", Form::SelfEvaluation(e.clone()));
    let w = of(&fs, "overachievement-unexplained");
    assert_eq!(fields(&w), ["indicators[0].deviation"]);
    assert_eq!(w[0].severity, Severity::Warning);
    assert!(w[0].message.contains("160%"), "{}", w[0].message);
    // 10号 allows a cut score here: a lower stated score is not a score-mismatch.
    e.indicators[0].score = dec("8");
    let fs = check("x.txt", Form::SelfEvaluation(e.clone()));
    assert!(of(&fs, "score-mismatch").is_empty());
    e.indicators[0].deviation = "承接了省级培训任务".into();
    let fs = check("x.txt", Form::SelfEvaluation(e.clone()));
    assert!(of(&fs, "overachievement-unexplained").is_empty());
    // The threshold is the profile's.
    let loose = Profile::from_toml(
        "name = \"o\"\ntitle = \"o\"\nextends = \"national\"\n[scoring]\noverachievement = \"2\"\n",
    )
    .unwrap();
    e.indicators[0].deviation.clear();
    let fs = check_dossier(&dossier("x.txt", vec![Form::SelfEvaluation(e)]), &loose);
    assert!(of(&fs, "overachievement-unexplained").is_empty());
}

#[test]
fn report_targets_must_match_the_approved_ones() {
    let approved = Project {
        variant: ProjectVariant::Project,
        unit: "示例单位".into(),
        year: Some(2024),
        name: "示例项目".into(),
        indicators: vec![
            Indicator {
                level1: "产出指标".into(),
                level2: "数量指标".into(),
                name: "培训人次".into(),
                value: v("≥500人次"),
                ..Indicator::default()
            },
            Indicator {
                level1: "满意度指标".into(),
                level2: "服务对象满意度指标".into(),
                name: "满意度".into(),
                value: v("≥95%"),
                ..Indicator::default()
            },
        ],
        ..Project::default()
    };
    let report = form_10(vec![
        // The comparator left out by the report's layout: the same target.
        scored(
            "产出指标",
            "数量指标",
            "培训人次",
            v("500人次"),
            "520人次",
            Some("80"),
            Some("80"),
        ),
        scored(
            "满意度指标",
            "服务对象满意度指标",
            "满意度",
            v("≥90%"),
            "93%",
            Some("10"),
            Some("10"),
        ),
    ]);
    // Within one dossier: the target form of the same project name.
    let d1 = dossier(
        "x.txt",
        vec![
            Form::Project(approved.clone()),
            Form::SelfEvaluation(report.clone()),
        ],
    );
    let fs = check_dossier(&d1, &national());
    let changed = of(&fs, "target-changed");
    assert_eq!(fields(&changed), ["indicators[1].target"], "{}", dump(&fs));
    assert_eq!(changed[0].expected.as_deref(), Some("≥95%"));
    assert_eq!(changed[0].actual.as_deref(), Some("≥90%"));
    // Approved forms given to the check: the report alone in its dossier.
    let alone = dossier("report.txt", vec![Form::SelfEvaluation(report.clone())]);
    assert!(of(&check_dossier(&alone, &national()), "target-changed").is_empty());
    let given = [FiledForm {
        file: "approved.txt".into(),
        index: 0,
        form: Form::Project(approved),
    }];
    let fs = rules::check_against(std::slice::from_ref(&alone), &national(), &given);
    assert_eq!(fields(&of(&fs, "target-changed")), ["indicators[1].target"]);
    // A monitoring form of the same project, the same way.
    let mon = Monitoring {
        unit: "示例单位".into(),
        year: Some(2024),
        name: "示例项目".into(),
        indicators: vec![MonitoredIndicator {
            level1: "产出指标".into(),
            level2: "数量指标".into(),
            name: "培训人次".into(),
            target: v("≥400人次"),
            ..MonitoredIndicator::default()
        }],
        ..Monitoring::default()
    };
    let fs = rules::check_against(
        &[dossier("m.txt", vec![Form::Monitoring(mon)])],
        &national(),
        &given,
    );
    assert_eq!(fields(&of(&fs, "target-changed")), ["indicators[0].target"]);
}

#[test]
fn monitoring_lights_follow_the_profile() {
    // t = 12, month = 6, a = 4 → 66.7% of the pace: yellow; the form says 1–6月.
    let mut m = Monitoring {
        period_months: Some(6),
        money: MonitoringMoney {
            annual: wan("100"),
            executed: wan("20"),
            ..MonitoringMoney::default()
        },
        indicators: vec![
            MonitoredIndicator {
                level1: "产出指标".into(),
                level2: "数量指标".into(),
                name: "培训场次".into(),
                target: v("12场"),
                progress: v("4场"),
                ..MonitoredIndicator::default()
            },
            MonitoredIndicator {
                level1: "产出指标".into(),
                level2: "成本指标".into(),
                name: "单场成本".into(),
                target: v("≤2万元"),
                progress: v("1.8万元"),
                ..MonitoredIndicator::default()
            },
        ],
        ..Monitoring::default()
    };
    scoring::light_monitoring(&mut m, &national());
    assert_eq!(m.indicators[0].light, Some(Light::Yellow));
    assert_eq!(m.indicators[1].light, Some(Light::Green));
    // 20% spent after half a year → 40% of the pace: red, the worst.
    assert_eq!(m.money.light, Some(Light::Red));
    assert_eq!(m.light, Some(Light::Red));
    // A profile that extends national: month 9 when the form does not say, other bands.
    let p = Profile::from_toml(concat!(
        "name = \"m\"\ntitle = \"m\"\nextends = \"national\"\n[monitoring]\nmonth = 9\n",
        "budget_red_below = \"20\"\nindicator_red_below = \"40\"\nindicator_yellow_below = \"50\"\n"
    ))
    .unwrap();
    assert_eq!(p.monitoring.month, 9);
    m.period_months = None;
    scoring::light_monitoring(&mut m, &p);
    // 4 / (12 × 9/12) = 44.4% → yellow under 40/50; budget 20 / 0.75 = 26.7 → yellow.
    assert_eq!(m.indicators[0].light, Some(Light::Yellow));
    assert_eq!(m.money.light, Some(Light::Yellow));
    assert_eq!(m.light, Some(Light::Yellow));
    // The national default period is 7 months.
    assert_eq!(national().monitoring.month, 7);
    assert_eq!(
        Profile::builtin("hunan-zhuzhou").unwrap().scoring,
        national().scoring,
        "hunan-zhuzhou inherits"
    );
}

#[test]
fn bad_profiles_are_clear_errors() {
    for (src, word) in [
        ("[monitoring]\nmonth = 13\n", "monitoring.month"),
        ("[scoring]\nreverse_formula = \"cubic\"\n", "reverse_formula"),
        ("[scoring]\noverachievement = \"abc\"\n", "scoring.overachievement"),
        (
            "[scoring]\ngrades = [{ grade = \"差\", min = \"0\" }, { grade = \"优\", min = \"90\" }]\n",
            "scoring.grades",
        ),
    ] {
        let full = format!("name = \"x\"\ntitle = \"x\"\nextends = \"national\"\n{src}");
        let err = Profile::from_toml(&full).unwrap_err().to_string();
        assert!(err.contains(word), "{err}");
    }
}

#[test]
fn self_evaluation_json_round_trip() {
    let mut e = huanggang();
    scoring::score_self_evaluation(&mut e, &national());
    let form = Form::SelfEvaluation(e);
    let json = serde_json::to_value(&form).unwrap();
    assert_eq!(json["kind"], "self_evaluation");
    assert_eq!(json["total_score"], "99.6");
    assert_eq!(json["computed_total"], "100");
    assert_eq!(json["money"]["total"]["annual"], "10");
    assert!(json.get("incomplete").is_none(), "written only when true");
    assert!(json["money"].get("basic").is_none(), "empty rows left out");
    let back: Form = serde_json::from_value(json).unwrap();
    assert_eq!(back, form);
}

#[test]
fn quality_rules_read_report_rows() {
    let mut e = form_10(vec![
        scored(
            "产出指标",
            "数量指标",
            "培训人次",
            v("≥500人次"),
            "520人次",
            Some("30"),
            Some("30"),
        ),
        // filler as a target, a vague target, a satisfaction target without a percentage
        scored(
            "效益指标",
            "经济效益指标",
            "经济效益",
            v("无"),
            "无",
            Some("10"),
            Some("10"),
        ),
        scored(
            "效益指标",
            "社会效益指标",
            "群众意识",
            v("进一步提高"),
            "达成年度指标",
            Some("20"),
            Some("20"),
        ),
        scored(
            "满意度指标",
            "服务对象满意度指标",
            "满意度",
            v("满意"),
            "满意",
            Some("10"),
            Some("10"),
        ),
        // an unknown category; a 不适用 row is no filler
        scored(
            "产出指标",
            "效果指标",
            "x",
            v("2个"),
            "2个",
            Some("10"),
            Some("10"),
        ),
        scored(
            "产出指标",
            "时效指标",
            "y",
            v("不适用"),
            "不适用",
            Some("10"),
            None,
        ),
    ]);
    e.indicators[0].deviation = "超额完成，。已说明".into();
    e.deviation = "部分活动选拨对象推迟".into();
    let fs = check("x.txt", Form::SelfEvaluation(e));
    assert_eq!(
        fields(&of(&fs, "filler-value")),
        ["indicators[1].target"],
        "{}",
        dump(&fs)
    );
    assert_eq!(fields(&of(&fs, "vague-value")), ["indicators[2].target"]);
    assert_eq!(
        fields(&of(&fs, "satisfaction-form")),
        ["indicators[3].target"]
    );
    assert_eq!(
        fields(&of(&fs, "unknown-category")),
        ["indicators[4].level2"]
    );
    assert_eq!(
        fields(&of(&fs, "text-punctuation")),
        ["indicators[0].deviation"]
    );
    assert_eq!(fields(&of(&fs, "typo")), ["deviation"]);
    // Target-setting critiques stay with target tables.
    assert!(of(&fs, "missing-indicator").is_empty());
    assert!(of(&fs, "process-as-quality").is_empty());
}

#[test]
fn monitoring_money_rates_and_forecasts() {
    let mut m = Monitoring {
        unit: "示例单位".into(),
        year: Some(2024),
        name: "示例项目".into(),
        period_months: Some(7),
        money: MonitoringMoney {
            annual: wan("100"),
            executed: wan("40"),
            rate: dec("45"),
            fiscal: MonitoringMoneyRow {
                annual: wan("80"),
                executed: wan("40"),
                forecast: None,
            },
            other: MonitoringMoneyRow {
                annual: wan("10"),
                ..MonitoringMoneyRow::default()
            },
            ..MonitoringMoney::default()
        },
        indicators: vec![MonitoredIndicator {
            level1: "产出指标".into(),
            level2: "数量指标".into(),
            name: "培训人次".into(),
            target: v("≥500人次"),
            progress: v("400人次"),
            forecast: v("700人次"),
            possibility: Some(Possibility::Impossible),
            measures: "调整培训计划".into(),
            ..MonitoredIndicator::default()
        }],
        ..Monitoring::default()
    };
    let fs = check("m.txt", Form::Monitoring(m.clone()));
    // 80 + 10 = 90 ≠ 100; 40 ÷ 100 = 40% ≠ 45%.
    let sums = of(&fs, "sum-mismatch");
    assert_eq!(fields(&sums), ["money.annual"], "{}", dump(&fs));
    assert_eq!(sums[0].expected.as_deref(), Some("90万元"));
    assert_eq!(fields(&of(&fs, "rate-mismatch")), ["money.rate"]);
    // 不可能 with measures but no reason; a forecast of 140% of the target, unexplained.
    let dev = of(&fs, "deviation-unexplained");
    assert_eq!(fields(&dev), ["indicators[0].deviation"]);
    assert!(dev[0].message.contains("“不可能”"));
    let over = of(&fs, "overachievement-unexplained");
    assert_eq!(fields(&over), ["indicators[0].deviation"]);
    assert!(over[0].message.contains("700人次") && over[0].message.contains("140%"));
    m.indicators[0].deviation = "原计划人数偏低".into();
    let fs = check("m.txt", Form::Monitoring(m.clone()));
    assert!(of(&fs, "deviation-unexplained").is_empty());
    assert!(of(&fs, "overachievement-unexplained").is_empty());
    // 400 of 500 after 7 months: 400 / (500 × 7/12) = 137% of the pace → blue.
    scoring::light_monitoring(&mut m, &national());
    assert_eq!(m.indicators[0].light, Some(Light::Blue));
    // 40% after 7 months → 68.6% of the pace → yellow, the worst.
    assert_eq!(m.money.light, Some(Light::Yellow));
    assert_eq!(m.light, Some(Light::Yellow));
}
