//! The rule engine against a hand-built dossier mirroring the seed's four forms
//! (examples/seed-2023-shifeng-tongzhanbu.txt), and single-number mutations of it.

use std::str::FromStr;

use jixiao_domain::rules::{self, catalogue, check_dossier, check_with, rules_markdown, Ctx};
use jixiao_domain::*;
use rust_decimal::Decimal;

const UNIT: &str = "中共株洲市石峰区委员会统一战线工作部";
const FILE: &str = "seed-2023-shifeng-tongzhanbu.txt";

const DUTIES: &str = "（一）贯彻执行中央和省、市委关于统一战线的方针、政策和决定，全面掌握全区统一战线工作情况，督促检查基层单位贯彻执行统一战线有关政策措施的落实，向区委和上级统战部门提出开展统战工作的意见、建议，检查统战政策执行情况，协调统一战线各方面的关系。（二）负责联系民主党派和无党派代表人士，及时通报情况，反映他们的意见和建议；研究、贯彻落实领导的多党合作和政治协商制度以及对民主党派的方针政策；发挥民主党派和无党派代表人士参政议政和民主监督作用，为区委同民主党派进行政治协商做好组织联系工作：向民主党派、无党派代表人士通报区委精神和工作情况；支持、帮助各民主党派加强自身建设，选拨培养推荐新一代代表人物。（三）负责民族和宗教工作，联系少数民族和宗教界的代表人物，协助有关部门做好少数民族干部的培养和举荐工作。（四）负责组织开展以祖国统一重点的海外统战工作，联系香港、澳门和海外有关社团及代表人士，做好台胞、台属的接待、联络联谊等有关工作，负责侨联工作。（五）负责党外代表人士的政治安排的日常工作，会同有关部门做好培养、考察、选拨、推荐、安排党外人士担任政府职能部门和司法机关领导职务的工作，做好党外后备干部和新的代表人物队伍建设工作。（六）调查研究并反映全区非公有制经济代表人士的情况，积极开展思想政治工作，团结、帮助、引导、教育非公有制经济代表人士。（七）开展新的社会阶层人士工作。";

/// The summary's goals for 业务性专项经费 (both columns), with the seed's `，。` and `。，`.
const GOAL_SUMMARY_1: &str = "持续构建石峰大统战工作格局。持续在全区统一战线领域开展宣传贯彻“党的二十大”精神系列活动，。开展《条例》贯彻落实情况“回头看”，推动政党协商计划的落实，加强党外知识分子、新的社会阶层人士工作和无党派代表人士队伍建设。引导宗教界深入开展“五进促五好”活动；搭建好政企联动互信平台，确保石峰非公经济朝着“两个健康”方向发展。常态化开展“暖侨行动”，大力优化涉侨政务工作。，着力提升统战干部政治判断力、政治领悟力、政治执行力，进一步强化统战干部队伍自身建设。";
const GOAL_P1_PERIOD: &str = "持续构建石峰大统战工作格局。持续在全区统一战线领域开展宣传贯彻“党的二十大”精神系列活动。开展《条例》贯彻落实情况“回头看”，推动政党协商计划的落实，加强党外知识分子、新的社会阶层人士工作和无党派代表人士队伍建设。引导宗教界深入开展“五进促五好”活动；搭建好政企联动互信平台，确保石峰非公经济朝着“两个健康”方向发展。常态化开展“暖侨行动”，大力优化涉侨政务工作。，着力提升统战干部政治判断力、政治领悟力、政治执行力，进一步强化统战干部队伍自身建设。";
const GOAL_P1_ANNUAL: &str = "持续构建石峰大统战工作格局。持续在全区统一战线领域开展宣传贯彻“党的二十大”精神系列活动，。开展《条例》贯彻落实情况“回头看”，推动政党协商计划的落实，加强党外知识分子、新的社会阶层人士工作和无党派代表人士队伍建设。引导宗教界深入开展“五进促五好”活动；搭建好政企联动互信平台，确保石峰非公经济朝着“两个健康”方向发展。常态化开展“暖侨行动”，大力优化涉侨政务工作。着力提升统战干部政治判断力、政治领悟力、政治执行力，进一步强化统战干部队伍自身建设。";
const GOAL_2: &str = "持续推动“党委出题、党外作答、政府采纳、部门落实”的参政议政、民主监督工作机制，搭建好党委政府与民主党派和党外代表人士互信互助的交流平台。";

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn wan(s: &str) -> Option<Money> {
    Some(Money::wan(d(s)))
}

fn money(s: &str) -> Option<Money> {
    Some(Money::parse(s, MoneyUnit::Wan).unwrap())
}

fn ind(l1: &str, l2: &str, name: &str, value: &str, standard: &str) -> Indicator {
    Indicator {
        level1: l1.into(),
        level2: l2.into(),
        name: name.into(),
        value: IndicatorValue::parse(value),
        standard: standard.into(),
        weight: None,
    }
}

fn detail(content: &str, item: &str, amount: &str, basis: &str) -> ExpenditureDetail {
    ExpenditureDetail {
        content: content.into(),
        item: item.into(),
        amount: money(amount),
        basis: basis.into(),
    }
}

fn origin(text: &str, table: usize, row: usize, col: usize) -> Origin {
    Origin {
        text: text.into(),
        table: Some(table),
        row,
        col,
        line: None,
    }
}

fn department() -> DepartmentOverall {
    let tasks = [
        ("学习活动", "开展宣传贯彻“党的二十大”精神系列活动"),
        ("政党协商", "推动政党协商计划的落实"),
        (
            "民主党建设",
            "搭建好党委政府与民主党派和党外代表人士互信互助的交流平台",
        ),
        ("民宗建设", "引导宗教界深入开展“五进促五好”活动"),
        ("非公经济建设", "搭建好政企联动互信平台"),
        ("侨务工作建设", "常态化开展“暖侨行动”"),
        (
            "队伍建设",
            "着力提升统战干部政治判断力、政治领悟力、政治执行力",
        ),
        ("统战工作建设", "持续构建石峰大统战工作格局"),
    ];
    let mut sources = SourceMap::new();
    sources.insert("budget.total".into(), origin("资金总额：185.91", 0, 2, 2));
    sources.insert(
        "budget.by_source.general_public".into(),
        origin("185.91", 0, 4, 2),
    );
    sources.insert("budget.by_nature.project".into(), origin("43.4", 0, 5, 4));
    sources.insert("duties".into(), origin(DUTIES, 0, 7, 1));
    sources.insert(
        "indicators[8].level2".into(),
        origin("生态效益指标", 0, 26, 2),
    );
    DepartmentOverall {
        title: "2023年部门整体支出绩效目标表".into(),
        unit: UNIT.into(),
        year: Some(2023),
        budget: Budget {
            total: wan("185.91"),
            by_source: BySource {
                general_public: wan("185.91"),
                government_fund: None,
                other: None,
            },
            by_nature: ByNature {
                basic: wan("142.51"),
                project: wan("43.4"),
            },
        },
        duties: DUTIES.into(),
        annual_goal: String::new(),
        key_tasks: tasks
            .iter()
            .map(|(item, goal)| KeyTask {
                item: (*item).into(),
                owner: "统战部".into(),
                goal: (*goal).into(),
            })
            .collect(),
        indicators: vec![
            ind("产出指标", "数量指标", "搭建交流平台", "2个", ""),
            ind("产出指标", "数量指标", "帮扶支部建设", "39个", ""),
            ind("产出指标", "数量指标", "帮扶工委建设", "5个", ""),
            ind("产出指标", "质量指标", "预算资金使用率", "100%", ""),
            ind("产出指标", "时效指标", "工作及时完成率", "100%", ""),
            ind("产出指标", "成本指标", "不超过预算", "≤185.91万元", ""),
            ind(
                "效益指标",
                "经济效益指标",
                "无直接经济效益",
                "无直接经济效益",
                "",
            ),
            ind("效益指标", "社会效益指标", "社会稳定性", "不断加强", ""),
            ind("效益指标", "生态效益指标", "", "", ""),
            ind("效益指标", "可持续影响指标", "统战工作", "健康发展", ""),
            ind(
                "效益指标",
                "服务对象满意度指标",
                "统战成员对统战工作的认可度和满意度",
                "95%",
                "",
            ),
        ],
        incomplete: false,
        signoff: Signoff::default(),
        sources,
    }
}

fn summary() -> SpecialFundSummary {
    let line =
        |seq: &str, name: &str, amount: &str, goal: &str, children: Vec<SummaryItem>| SummaryItem {
            seq: seq.into(),
            name: name.into(),
            amount: wan(amount),
            period_goal: goal.into(),
            annual_goal: goal.into(),
            children,
        };
    let mut sources = SourceMap::new();
    sources.insert("total".into(), origin("43.4", 1, 3, 2));
    SpecialFundSummary {
        title: "2023年区级专项资金绩效目标汇总表".into(),
        unit: UNIT.into(),
        year: Some(2023),
        total: wan("43.4"),
        items: vec![
            line(
                "一",
                "业务性专项经费",
                "37",
                "",
                vec![line("1", "业务性专项经费", "37", GOAL_SUMMARY_1, vec![])],
            ),
            line(
                "二",
                "基础民主党派建设和党外知识分子工作经费",
                "6.4",
                "",
                vec![line(
                    "1",
                    "基础民主党派建设和党外知识分子工作经费",
                    "6.4",
                    GOAL_2,
                    vec![],
                )],
            ),
        ],
        incomplete: false,
        signoff: Signoff::default(),
        sources,
    }
}

fn project_1() -> Project {
    Project {
        variant: ProjectVariant::ExpenditureDirection,
        title: "2023年区级专项资金支出方向绩效目标表".into(),
        unit: UNIT.into(),
        year: Some(2023),
        name: "业务性专项经费".into(),
        parent: Some(ParentFund { name: "业务性专项经费".into(), amount: wan("37") }),
        department: String::new(),
        amount: wan("37"),
        period: "2023年全年".into(),
        period_goal: GOAL_P1_PERIOD.into(),
        annual_goal: GOAL_P1_ANNUAL.into(),
        indicators: vec![
            ind("产出指标", "数量指标", "搭建交流平台", "2个", "计划标准"),
            ind("产出指标", "质量指标", "预算资金使用率", "100%", "计划标准"),
            ind("产出指标", "时效指标", "资金拨付时效", "及时", "计划标准"),
            ind("产出指标", "成本指标", "不超过预算", "≤37万元", "计划标准"),
            ind("效益指标", "经济效益指标", "无直接经济效益", "无直接经济效益", "其他标准"),
            ind("效益指标", "社会效益指标", "社会稳定性", "不断加强", "其他标准"),
            ind("效益指标", "可持续影响  指标", "统战工作", "健康发展", "其他标准"),
            ind("效益指标", "社会公众及服务对象满意度指标", "统战成员对统战工作的认可度和满意度", "95%", "其他标准"),
        ],
        details: vec![
            detail(
                "区新的社会阶层人士联合会",
                "工作经费",
                "12万元",
                "专职人员工作经费8万/年；会议费用8次，每次50人，平均每次每人100元；8*50*100=40000元。合计12万",
            ),
            detail(
                "区党外知识分子联合会",
                "工作经费",
                "8万元",
                "外出学习考察50人，共4次，每次每人300元，50*4*300=60000；场地座谈会100元每人*200人=20000；合计8万",
            ),
            detail(
                "民族宗教及其他专项",
                "走访慰问，工作经费",
                "17万",
                "走访慰问200人次/年，每次500元，合计10万；民宗工作宣传计划5万元，民宗示范点建设经费2万元。",
            ),
        ],
        details_total: money("37万"),
        incomplete: false,
        signoff: Signoff::default(),
        sources: SourceMap::new(),
    }
}

fn project_2() -> Project {
    let name = "基础民主党派建设和党外知识分子工作经费";
    let mut sources = SourceMap::new();
    sources.insert(
        "indicators[7].name".into(),
        origin("居民的生活环境", 3, 14, 3),
    );
    Project {
        variant: ProjectVariant::ExpenditureDirection,
        title: "2023年区级专项资金支出方向绩效目标表".into(),
        unit: UNIT.into(),
        year: Some(2023),
        name: name.into(),
        parent: Some(ParentFund {
            name: name.into(),
            amount: wan("6.4"),
        }),
        department: String::new(),
        amount: wan("6.4"),
        period: "2023年全年".into(),
        period_goal: GOAL_2.into(),
        annual_goal: GOAL_2.into(),
        indicators: vec![
            ind("产出指标", "数量指标", "帮扶支部建设", "39个", "计划标准"),
            ind("产出指标", "数量指标", "帮扶工委建设", "5个", "计划标准"),
            ind("产出指标", "质量指标", "预算资金使用率", "100%", "计划标准"),
            ind("产出指标", "时效指标", "资金拨付时效", "及时", "计划标准"),
            ind("产出指标", "成本指标", "不超过预算", "≤6.4万元", "计划标准"),
            ind(
                "效益指标",
                "经济效益指标",
                "无直接经济效益",
                "无直接经济效益",
                "其他标准",
            ),
            ind(
                "效益指标",
                "社会效益指标",
                "社会稳定性",
                "不断加强",
                "其他标准",
            ),
            ind(
                "效益指标",
                "生态效益指标",
                "居民的生活环境",
                "不断优化",
                "其他标准",
            ),
            ind(
                "效益指标",
                "可持续影响  指标",
                "基础组织建设",
                "健康发展",
                "其他标准",
            ),
            ind(
                "效益指标",
                "社会公众及服务对象满意度指标",
                "基础组织满意度",
                "100%",
                "其他标准 ",
            ),
        ],
        details: vec![
            detail(
                "补助资金",
                "工作经费",
                "2.5万元",
                "工委工作经费：5个*5000元/个=2.5万元",
            ),
            detail(
                "补助资金",
                "工作经费",
                "3.9万元",
                "支部工作经费：39个*1000元/个=3.9万元",
            ),
        ],
        details_total: money("6.4万元"),
        incomplete: false,
        signoff: Signoff::default(),
        sources,
    }
}

/// The seed's four forms as one dossier: 0 department, 1 summary, 2 and 3 the two
/// expenditure-direction tables.
fn seed_like_dossier() -> Dossier {
    let forms = vec![
        Form::DepartmentOverall(department()),
        Form::SpecialFundSummary(summary()),
        Form::Project(project_1()),
        Form::Project(project_2()),
    ];
    Dossier {
        unit: UNIT.into(),
        year: Some(2023),
        forms: forms
            .into_iter()
            .enumerate()
            .map(|(index, form)| FiledForm {
                file: FILE.into(),
                index,
                form,
            })
            .collect(),
    }
}

fn profile() -> Profile {
    Profile::builtin("hunan-zhuzhou").unwrap()
}

const ARITHMETIC: &[&str] = &[
    "sum-mismatch",
    "calc-mismatch",
    "cross-form-mismatch",
    "cost-over-budget",
    "bad-value",
];

fn of<'a>(fs: &'a [Finding], rule: &str) -> Vec<&'a Finding> {
    fs.iter().filter(|f| f.rule == rule).collect()
}

fn at(f: &Finding) -> (usize, String) {
    (
        f.location.form.unwrap(),
        f.location.field.clone().unwrap_or_default(),
    )
}

fn arithmetic(fs: &[Finding]) -> Vec<(String, usize, String)> {
    fs.iter()
        .filter(|f| ARITHMETIC.contains(&f.rule.as_str()))
        .map(|f| {
            let (form, field) = at(f);
            (f.rule.clone(), form, field)
        })
        .collect()
}

fn dump(fs: &[Finding]) -> String {
    fs.iter()
        .map(|f| {
            format!(
                "{} {:?} {}: {}\n",
                f.rule,
                f.location.form,
                f.location.field.as_deref().unwrap_or(""),
                f.message
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// The seed itself.

#[test]
fn seed_has_no_arithmetic_findings() {
    for p in [profile(), Profile::national()] {
        let fs = check_dossier(&seed_like_dossier(), &p);
        assert!(arithmetic(&fs).is_empty(), "{}:\n{}", p.name, dump(&fs));
        for rule in [
            "missing-indicator",
            "unknown-category",
            "standard-invalid",
            "header-missing",
            "goal-mismatch",
        ] {
            assert!(
                of(&fs, rule).is_empty(),
                "{} {rule}:\n{}",
                p.name,
                dump(&fs)
            );
        }
    }
}

#[test]
fn seed_quality_findings() {
    let fs = check_dossier(&seed_like_dossier(), &profile());
    let text = dump(&fs);

    let empty = of(&fs, "empty-indicator");
    assert_eq!(empty.len(), 1, "{text}");
    assert_eq!(at(empty[0]), (0, "indicators[8].name".into()));
    assert!(empty[0].message.contains("生态效益指标"));
    assert_eq!(
        empty[0].location.cell.as_ref().unwrap().text,
        "生态效益指标",
        "falls back to the row's cell"
    );

    let vague = of(&fs, "vague-value");
    let words: Vec<&str> = vague.iter().map(|f| f.actual.as_deref().unwrap()).collect();
    for w in ["及时", "不断加强", "健康发展", "不断优化"] {
        assert!(words.contains(&w), "{w} not flagged:\n{text}");
    }
    assert_eq!(vague.len(), 2 + 3 + 4, "{text}");
    assert!(vague
        .iter()
        .any(|f| f.message.contains("资金拨付及时率≥95%")));

    let filler = of(&fs, "filler-value");
    assert_eq!(
        filler.len(),
        3,
        "once per row, not for name and value:\n{text}"
    );
    assert!(filler
        .iter()
        .all(|f| f.actual.as_deref() == Some("无直接经济效益")));

    let process = of(&fs, "process-as-quality");
    assert_eq!(process.len(), 3);
    assert!(process[0].message.contains("预算资金使用率"));

    let restates = of(&fs, "cost-restates-budget");
    assert_eq!(
        restates.iter().map(|f| at(f)).collect::<Vec<_>>(),
        [
            (0, "indicators[5].value".to_string()),
            (2, "indicators[3].value".to_string()),
            (3, "indicators[4].value".to_string())
        ]
    );

    let punct = of(&fs, "text-punctuation");
    let places: Vec<(usize, String)> = punct.iter().map(|f| at(f)).collect();
    assert!(
        places.contains(&(1, "items[0].children[0].period_goal".into())),
        "{text}"
    );
    assert!(places.contains(&(2, "period_goal".into())), "{text}");
    assert!(places.contains(&(2, "annual_goal".into())), "{text}");
    assert!(punct
        .iter()
        .any(|f| f.actual.as_deref().unwrap_or("").contains("，。")));
    assert!(
        punct.iter().all(|f| f.location.form != Some(3)),
        "project 2 is clean:\n{text}"
    );

    let typo = of(&fs, "typo");
    assert_eq!(typo.len(), 1, "{text}");
    assert_eq!(at(typo[0]), (0, "duties".into()));
    assert!(
        typo[0].message.contains("“选拨”应为“选拔”（共2处）"),
        "{}",
        typo[0].message
    );
    assert_eq!(typo[0].expected.as_deref(), Some("选拔"));

    let relevance = of(&fs, "relevance");
    assert_eq!(relevance.len(), 1, "{text}");
    assert_eq!(at(relevance[0]), (3, "indicators[7].name".into()));
    assert_eq!(relevance[0].severity, Severity::Info);
    assert_eq!(
        relevance[0].location.cell.as_ref().unwrap().text,
        "居民的生活环境"
    );

    let sat = of(&fs, "satisfaction-form");
    assert_eq!(
        sat.iter().map(|f| at(f)).collect::<Vec<_>>(),
        [(3, "indicators[9].value".to_string())]
    );
    assert_eq!(sat[0].severity, Severity::Info);
}

#[test]
fn findings_are_located_and_sorted() {
    let fs = check_dossier(&seed_like_dossier(), &profile());
    for f in &fs {
        let l = &f.location;
        assert_eq!(l.file, FILE);
        assert!(
            l.form.is_some() && l.form_kind.is_some() && !l.form_name.is_empty(),
            "{f:?}"
        );
        assert!(!f.message.is_empty());
        assert!(
            catalogue().iter().any(|r| r.id == f.rule),
            "{} not catalogued",
            f.rule
        );
    }
    let mut sorted = fs.clone();
    rules::sort_findings(&mut sorted);
    assert_eq!(sorted, fs);
    let forms: Vec<usize> = fs.iter().map(|f| f.location.form.unwrap()).collect();
    assert!(forms.windows(2).all(|w| w[0] <= w[1]));
    let p2 = fs.iter().find(|f| f.location.form == Some(3)).unwrap();
    assert!(p2
        .location
        .form_name
        .contains("基础民主党派建设和党外知识分子工作经费"));
}

// ---------------------------------------------------------------------------------------
// Mutations: one changed number, the right rule, no other arithmetic finding.

fn dept(d: &mut Dossier) -> &mut DepartmentOverall {
    match &mut d.forms[0].form {
        Form::DepartmentOverall(f) => f,
        _ => unreachable!(),
    }
}

fn summ(d: &mut Dossier) -> &mut SpecialFundSummary {
    match &mut d.forms[1].form {
        Form::SpecialFundSummary(f) => f,
        _ => unreachable!(),
    }
}

fn proj(d: &mut Dossier, n: usize) -> &mut Project {
    match &mut d.forms[n].form {
        Form::Project(f) => f,
        _ => unreachable!(),
    }
}

fn bump(m: &mut Option<Money>, delta: Decimal) {
    let old = m.expect("a number to change");
    *m = Some(Money::new(
        old.amount() + delta * (Decimal::from(10_000) / old.unit().yuan_factor()),
        old.unit(),
    ));
}

fn bump_value(i: &mut Indicator, delta: Decimal) {
    let v = &i.value;
    let text = format!(
        "{}{}{}",
        v.comparator.map_or("", Comparator::symbol),
        (v.number.unwrap() + delta).normalize(),
        v.unit.as_deref().unwrap_or("")
    );
    i.value = IndicatorValue::parse(&text);
}

/// A changed number, and every arithmetic finding it must give: each relation the number
/// takes part in and that the change breaks, nothing else.
type Mutation = (
    &'static str,
    fn(&mut Dossier, Decimal),
    &'static [(&'static str, usize, &'static str)],
);

const MUTATIONS: &[Mutation] = &[
    (
        "资金总额",
        |d, x| bump(&mut dept(d).budget.total, x),
        &[("sum-mismatch", 0, "budget.total")],
    ),
    (
        "一般公共预算拨款",
        |d, x| bump(&mut dept(d).budget.by_source.general_public, x),
        &[("sum-mismatch", 0, "budget.by_source.general_public")],
    ),
    (
        "基本支出",
        |d, x| bump(&mut dept(d).budget.by_nature.basic, x),
        &[("sum-mismatch", 0, "budget.by_nature.basic")],
    ),
    (
        "项目支出",
        |d, x| bump(&mut dept(d).budget.by_nature.project, x),
        &[
            ("sum-mismatch", 0, "budget.by_nature.project"),
            ("cross-form-mismatch", 0, "budget.by_nature.project"),
        ],
    ),
    (
        "汇总表合计",
        |d, x| bump(&mut summ(d).total, x),
        &[
            ("sum-mismatch", 1, "total"),
            ("cross-form-mismatch", 0, "budget.by_nature.project"),
        ],
    ),
    (
        "专项一",
        |d, x| bump(&mut summ(d).items[0].amount, x),
        &[
            ("sum-mismatch", 1, "items[0].amount"),
            ("cross-form-mismatch", 2, "parent.amount"),
        ],
    ),
    (
        "专项二",
        |d, x| bump(&mut summ(d).items[1].amount, x),
        &[
            ("sum-mismatch", 1, "items[1].amount"),
            ("cross-form-mismatch", 3, "parent.amount"),
        ],
    ),
    (
        "支出方向1",
        |d, x| bump(&mut summ(d).items[0].children[0].amount, x),
        &[
            ("sum-mismatch", 1, "items[0].children[0].amount"),
            ("cross-form-mismatch", 2, "amount"),
        ],
    ),
    (
        "支出方向2",
        |d, x| bump(&mut summ(d).items[1].children[0].amount, x),
        &[
            ("sum-mismatch", 1, "items[1].children[0].amount"),
            ("cross-form-mismatch", 3, "amount"),
        ],
    ),
    (
        "项目1金额",
        |d, x| bump(&mut proj(d, 2).amount, x),
        &[
            ("sum-mismatch", 2, "amount"),
            ("cross-form-mismatch", 2, "amount"),
        ],
    ),
    (
        "项目2金额",
        |d, x| bump(&mut proj(d, 3).amount, x),
        &[
            ("sum-mismatch", 3, "amount"),
            ("cross-form-mismatch", 3, "amount"),
        ],
    ),
    (
        "项目1所属专项金额",
        |d, x| bump(&mut proj(d, 2).parent.as_mut().unwrap().amount, x),
        &[("cross-form-mismatch", 2, "parent.amount")],
    ),
    (
        "项目2所属专项金额",
        |d, x| bump(&mut proj(d, 3).parent.as_mut().unwrap().amount, x),
        &[("cross-form-mismatch", 3, "parent.amount")],
    ),
    (
        "项目1明细1",
        |d, x| bump(&mut proj(d, 2).details[0].amount, x),
        &[
            ("sum-mismatch", 2, "details[0].amount"),
            ("calc-mismatch", 2, "details[0].basis"),
        ],
    ),
    (
        "项目1明细2",
        |d, x| bump(&mut proj(d, 2).details[1].amount, x),
        &[
            ("sum-mismatch", 2, "details[1].amount"),
            ("calc-mismatch", 2, "details[1].basis"),
        ],
    ),
    (
        "项目1明细3",
        |d, x| bump(&mut proj(d, 2).details[2].amount, x),
        &[
            ("sum-mismatch", 2, "details[2].amount"),
            ("calc-mismatch", 2, "details[2].basis"),
        ],
    ),
    (
        "项目2明细1",
        |d, x| bump(&mut proj(d, 3).details[0].amount, x),
        &[
            ("sum-mismatch", 3, "details[0].amount"),
            ("calc-mismatch", 3, "details[0].basis"),
        ],
    ),
    (
        "项目2明细2",
        |d, x| bump(&mut proj(d, 3).details[1].amount, x),
        &[
            ("sum-mismatch", 3, "details[1].amount"),
            ("calc-mismatch", 3, "details[1].basis"),
        ],
    ),
    (
        "项目1明细合计",
        |d, x| bump(&mut proj(d, 2).details_total, x),
        &[("sum-mismatch", 2, "details_total")],
    ),
    (
        "项目2明细合计",
        |d, x| bump(&mut proj(d, 3).details_total, x),
        &[("sum-mismatch", 3, "details_total")],
    ),
    (
        "部门成本指标",
        |d, x| bump_value(&mut dept(d).indicators[5], x),
        &[("cost-over-budget", 0, "indicators[5].value")],
    ),
    (
        "项目1成本指标",
        |d, x| bump_value(&mut proj(d, 2).indicators[3], x),
        &[("cost-over-budget", 2, "indicators[3].value")],
    ),
    (
        "项目2成本指标",
        |d, x| bump_value(&mut proj(d, 3).indicators[4], x),
        &[("cost-over-budget", 3, "indicators[4].value")],
    ),
    (
        "项目2支部39个",
        |d, x| bump_value(&mut proj(d, 3).indicators[0], x),
        &[("cross-form-mismatch", 3, "indicators[0].value")],
    ),
    (
        "项目2工委5个",
        |d, x| bump_value(&mut proj(d, 3).indicators[1], x),
        &[("cross-form-mismatch", 3, "indicators[1].value")],
    ),
    (
        "部门支部39个",
        |d, x| bump_value(&mut dept(d).indicators[1], x),
        &[("cross-form-mismatch", 0, "indicators[1].value")],
    ),
    (
        "部门工委5个",
        |d, x| bump_value(&mut dept(d).indicators[2], x),
        &[("cross-form-mismatch", 0, "indicators[2].value")],
    ),
    (
        "部门交流平台2个",
        |d, x| bump_value(&mut dept(d).indicators[0], x),
        &[("cross-form-mismatch", 0, "indicators[0].value")],
    ),
    (
        "项目1交流平台2个",
        |d, x| bump_value(&mut proj(d, 2).indicators[0], x),
        &[("cross-form-mismatch", 0, "indicators[0].value")],
    ),
    (
        "部门质量100%",
        |d, x| bump_value(&mut dept(d).indicators[3], x),
        &[("bad-value", 0, "indicators[3].value")],
    ),
    (
        "项目2满意度100%",
        |d, x| bump_value(&mut proj(d, 3).indicators[9], x),
        &[("bad-value", 3, "indicators[9].value")],
    ),
];

#[test]
fn each_changed_number_is_caught_by_the_right_rule() {
    let p = profile();
    for delta in [d("0.01"), d("1"), d("-0.01"), d("-1")] {
        for (what, mutate, expected) in MUTATIONS {
            let rule = expected[0].0;
            // A lower cost cap or rate is still a valid value: nothing to catch.
            if delta.is_sign_negative() && matches!(rule, "cost-over-budget" | "bad-value") {
                continue;
            }
            let mut dossier = seed_like_dossier();
            mutate(&mut dossier, delta);
            let fs = check_dossier(&dossier, &p);
            let mut got = arithmetic(&fs);
            got.sort();
            let mut want: Vec<(String, usize, String)> = expected
                .iter()
                .map(|(r, f, p)| (r.to_string(), *f, p.to_string()))
                .collect();
            want.sort();
            assert_eq!(got, want, "{what} {delta:+}:\n{}", dump(&fs));
            for f in fs.iter().filter(|f| ARITHMETIC.contains(&f.rule.as_str())) {
                assert!(
                    f.message.contains("请"),
                    "message says how to fix: {}",
                    f.message
                );
                if f.rule != "bad-value" {
                    assert!(f.expected.is_some() && f.actual.is_some(), "{what}: {f:?}");
                }
            }
        }
    }
}

#[test]
fn changed_numbers_inside_a_basis_are_calc_mismatches() {
    // (form, detail, from, to, the quantity indicator the count also contradicts)
    let cases: &[(usize, usize, &str, &str, Option<usize>)] = &[
        (2, 0, "8*50*100=40000元", "8*50*100=40001元", None),
        (2, 0, "合计12万", "合计13万", None),
        (2, 1, "50*4*300=60000", "50*4*300=60001", None),
        (2, 2, "每次500元", "每次600元", None),
        (3, 0, "5000元/个", "5001元/个", None),
        (3, 0, "：5个*", "：6个*", Some(1)),
        (3, 1, "39个*1000元/个", "40个*1000元/个", Some(0)),
        (3, 1, "=3.9万元", "=4.9万元", None),
    ];
    for &(form, k, from, to, indicator) in cases {
        let mut dossier = seed_like_dossier();
        let det = &mut proj(&mut dossier, form).details[k];
        assert!(det.basis.contains(from), "{from}");
        det.basis = det.basis.replace(from, to);
        let fs = check_dossier(&dossier, &profile());
        let got = arithmetic(&fs);
        let calc = (
            "calc-mismatch".to_string(),
            form,
            format!("details[{k}].basis"),
        );
        assert!(got.contains(&calc), "{to} not caught:\n{}", dump(&fs));
        let count = indicator.map(|i| {
            (
                "cross-form-mismatch".to_string(),
                form,
                format!("indicators[{i}].value"),
            )
        });
        assert!(
            got.iter().all(|g| *g == calc || Some(g) == count.as_ref()),
            "{to}:\n{}",
            dump(&fs)
        );
        if let Some(c) = &count {
            assert!(
                got.contains(c),
                "{to}: the count differs from the indicator"
            );
        }
        let f = of(&fs, "calc-mismatch")[0];
        assert!(f.expected.is_some() && f.actual.is_some() && f.message.contains("请"));
    }
}

#[test]
fn calc_unverifiable_says_why() {
    let cases = [
        (
            "项目总预算12万元。设备购置8万元，其中：电脑5万元，打印机3万元。培训费若干。",
            "第1条支出明细的测算依据中“项目总预算12万元”无法与所列分项逐一核对，请写明各分项金额",
        ),
        (
            "用于开展统战工作",
            "第1条支出明细的测算依据没有可核验的算式，请写明数量×单价=金额等测算过程",
        ),
    ];
    for (basis, message) in cases {
        let mut dossier = seed_like_dossier();
        proj(&mut dossier, 2).details[0].basis = basis.to_string();
        let fs = check_dossier(&dossier, &profile());
        let found = of(&fs, "calc-unverifiable");
        assert!(
            found.iter().any(|f| f.message == message),
            "{basis}:\n{}",
            dump(&fs)
        );
    }
    let mut dossier = seed_like_dossier();
    proj(&mut dossier, 2).details[0].basis = "培训费5万元，".repeat(1000);
    let fs = check_dossier(&dossier, &profile());
    assert!(of(&fs, "calc-unverifiable")
        .iter()
        .any(|f| f.message.contains("过长或层次过深")));
}

#[test]
fn sum_messages_carry_amounts() {
    // The other breakdown confirms the total: the only 收入性质 part given is the culprit.
    let mut dossier = seed_like_dossier();
    bump(
        &mut dept(&mut dossier).budget.by_source.general_public,
        d("-0.01"),
    );
    let fs = check_dossier(&dossier, &profile());
    let f = of(&fs, "sum-mismatch")[0];
    assert_eq!(
        f.message,
        "一般公共预算拨款185.9万元与资金总额185.91万元不符：一般公共预算拨款、政府性基金拨款、其他资金之和为185.9万元，而资金总额与基本支出、项目支出之和相符，请核对一般公共预算拨款"
    );
    assert_eq!(
        (f.expected.as_deref(), f.actual.as_deref()),
        (Some("185.91万元"), Some("185.9万元"))
    );
    assert_eq!(f.location.cell.as_ref().unwrap().text, "185.91");
    assert_eq!(f.severity, Severity::Error);

    // Nothing tells which number is wrong: the total is pointed at.
    let mut dossier = seed_like_dossier();
    let b = &mut dept(&mut dossier).budget;
    b.by_nature = ByNature::default();
    bump(&mut b.by_source.general_public, d("-0.01"));
    let fs = check_dossier(&dossier, &profile());
    let f = of(&fs, "sum-mismatch")[0];
    assert_eq!(
        f.message,
        "资金总额185.91万元与一般公共预算拨款、政府性基金拨款、其他资金之和185.9万元不一致，请核对各项金额或合计数"
    );
    assert_eq!(
        (f.expected.as_deref(), f.actual.as_deref()),
        (Some("185.9万元"), Some("185.91万元"))
    );
    assert_eq!(f.location.cell.as_ref().unwrap().text, "资金总额：185.91");

    // The department's total disagreeing with both breakdowns is one finding.
    let mut dossier = seed_like_dossier();
    bump(&mut dept(&mut dossier).budget.total, d("1"));
    let fs = check_dossier(&dossier, &profile());
    let sums = of(&fs, "sum-mismatch");
    assert_eq!(sums.len(), 1);
    assert!(sums[0].message.contains("均不一致"), "{}", sums[0].message);
}

#[test]
fn cross_form_reports_when_sums_are_silent() {
    // A project without 支出明细: only the summary can contradict its amount.
    let mut dossier = seed_like_dossier();
    let p = proj(&mut dossier, 2);
    p.details.clear();
    p.details_total = None;
    bump(&mut p.amount, d("1"));
    let fs = check_dossier(&dossier, &profile());
    assert_eq!(
        arithmetic(&fs),
        [("cross-form-mismatch".to_string(), 2, "amount".to_string())],
        "{}",
        dump(&fs)
    );
    let f = of(&fs, "cross-form-mismatch")[0];
    assert_eq!(
        (f.expected.as_deref(), f.actual.as_deref()),
        (Some("37万元"), Some("38万元"))
    );

    // Department 项目支出 vs 汇总表 合计 when both forms are internally consistent.
    let mut dossier = seed_like_dossier();
    bump(&mut dept(&mut dossier).budget.by_nature.project, d("1"));
    bump(&mut dept(&mut dossier).budget.by_nature.basic, d("-1"));
    let fs = check_dossier(&dossier, &profile());
    assert_eq!(
        arithmetic(&fs),
        [(
            "cross-form-mismatch".to_string(),
            0,
            "budget.by_nature.project".to_string()
        )],
        "{}",
        dump(&fs)
    );
}

#[test]
fn cost_with_greater_or_equal_is_flagged() {
    let mut dossier = seed_like_dossier();
    proj(&mut dossier, 2).indicators[3].value = IndicatorValue::parse("≥30万元");
    let fs = check_dossier(&dossier, &profile());
    let f = of(&fs, "cost-over-budget");
    assert_eq!(f.len(), 1, "{}", dump(&fs));
    assert!(f[0].message.contains("反向指标"));
    assert_eq!(f[0].expected.as_deref(), Some("≤30万元"));
}

// ---------------------------------------------------------------------------------------
// Structure and values.

#[test]
fn bad_values() {
    let mut dossier = seed_like_dossier();
    let p = proj(&mut dossier, 3);
    p.indicators[2].value = IndicatorValue::parse("≥");
    p.indicators[4].value = IndicatorValue::parse("≤6.4000001万元");
    p.indicators[0].value = IndicatorValue::parse("-39个");
    p.details_total = None;
    p.sources.insert(
        "details_total".into(),
        origin("6.4万元（含结转）", 3, 20, 3),
    );
    let fs = check_dossier(&dossier, &profile());
    let bad: Vec<String> = of(&fs, "bad-value").iter().map(|f| at(f).1).collect();
    assert_eq!(
        bad,
        [
            "indicators[0].value",
            "indicators[2].value",
            "indicators[4].value",
            "details_total"
        ],
        "{}",
        dump(&fs)
    );
    assert!(
        of(&fs, "header-missing").is_empty(),
        "unreadable is not missing"
    );

    // An amount the importer could not read is reported once, not as a broken sum too.
    let mut dossier = seed_like_dossier();
    let f = dept(&mut dossier);
    f.budget.by_nature.basic = None;
    f.sources.insert(
        "budget.by_nature.basic".into(),
        origin("142.51万（含结转）", 0, 4, 4),
    );
    let fs = check_dossier(&dossier, &profile());
    assert_eq!(
        arithmetic(&fs),
        [(
            "bad-value".to_string(),
            0,
            "budget.by_nature.basic".to_string()
        )],
        "{}",
        dump(&fs)
    );

    // A growth rate may exceed 100%.
    let mut dossier = seed_like_dossier();
    dept(&mut dossier).indicators[4] = ind("产出指标", "时效指标", "办件量增长率", "120%", "");
    assert!(of(&check_dossier(&dossier, &profile()), "bad-value").is_empty());

    // Negative money and amounts finer than one 分.
    let mut dossier = seed_like_dossier();
    summ(&mut dossier).items[0].children[0].amount = Some(Money::wan(d("-37")));
    proj(&mut dossier, 2).details[0].amount = Some(Money::yuan(d("120000.001")));
    let fs = check_dossier(&dossier, &profile());
    let bad: Vec<(usize, String)> = of(&fs, "bad-value").iter().map(|f| at(f)).collect();
    assert!(
        bad.contains(&(1, "items[0].children[0].amount".into())),
        "{}",
        dump(&fs)
    );
    assert!(
        bad.contains(&(2, "details[0].amount".into())),
        "{}",
        dump(&fs)
    );
}

#[test]
fn categories_and_completeness() {
    let mut dossier = seed_like_dossier();
    let p = proj(&mut dossier, 2);
    p.indicators[4].level2 = "经济成本指标".into();
    p.indicators
        .retain(|i| !i.level2.contains("满意度") && i.level2 != "时效指标");
    p.indicators[0].standard = String::new();
    p.indicators[1].standard = "上级要求".into();
    let fs = check_dossier(&dossier, &profile());
    let unknown = of(&fs, "unknown-category");
    assert_eq!(unknown.len(), 1, "{}", dump(&fs));
    assert!(unknown[0].message.contains("经济成本指标"));
    let missing = of(&fs, "missing-indicator");
    let sev: Vec<(Severity, bool)> = missing
        .iter()
        .map(|f| (f.severity, f.message.contains("满意度")))
        .collect();
    assert_eq!(
        sev,
        [(Severity::Warning, false), (Severity::Error, true)],
        "{}",
        dump(&fs)
    );
    assert_eq!(of(&fs, "standard-invalid").len(), 2);
    assert!(of(&fs, "standard-invalid")
        .iter()
        .all(|f| f.severity == Severity::Warning));

    // The national profile knows the 2021 tree.
    let mut dossier = seed_like_dossier();
    proj(&mut dossier, 2).indicators[3] = ind(
        "成本指标",
        "经济成本指标",
        "宣传品单价",
        "≤50元/份",
        "预算支出标准",
    );
    let fs = check_dossier(&dossier, &Profile::national());
    assert!(of(&fs, "unknown-category").is_empty(), "{}", dump(&fs));
    assert!(of(&fs, "missing-indicator").is_empty(), "{}", dump(&fs));
    assert!(of(&check_dossier(&dossier, &profile()), "unknown-category").len() == 1);
}

#[test]
fn incomplete_forms_are_not_judged_for_completeness() {
    // The seed's department table with its 生态效益 row last, as a copy cut there would
    // show it; and project 2 cut before its 满意度 rows, its annual goal and 实施期.
    let mut dossier = seed_like_dossier();
    let d = dept(&mut dossier);
    let empty_row = d.indicators.remove(8);
    d.indicators.push(empty_row);
    let p = proj(&mut dossier, 3);
    p.indicators.retain(|i| !i.level2.contains("满意度"));
    p.annual_goal.clear();
    p.period.clear();
    let fs = check_dossier(&dossier, &profile());
    assert_eq!(
        of(&fs, "empty-indicator")
            .iter()
            .map(|f| at(f))
            .collect::<Vec<_>>(),
        [(0, "indicators[10].name".to_string())],
        "a complete form's empty last row is reported"
    );
    assert!(of(&fs, "missing-indicator")
        .iter()
        .any(|f| f.location.form == Some(3)));
    assert!(of(&fs, "header-missing")
        .iter()
        .any(|f| f.location.form == Some(3)));
    assert!(of(&fs, "goal-mismatch")
        .iter()
        .any(|f| f.location.form == Some(3)));

    dept(&mut dossier).incomplete = true;
    proj(&mut dossier, 3).incomplete = true;
    let fs = check_dossier(&dossier, &profile());
    assert!(of(&fs, "empty-indicator").is_empty(), "{}", dump(&fs));
    for rule in ["missing-indicator", "header-missing", "goal-mismatch"] {
        assert!(
            of(&fs, rule).iter().all(|f| f.location.form != Some(3)),
            "{rule}:\n{}",
            dump(&fs)
        );
    }
    // Only the row at the cut is spared: an empty row before it is still reported.
    let d = dept(&mut dossier);
    let last = d.indicators.pop().unwrap();
    d.indicators.insert(8, last);
    let fs = check_dossier(&dossier, &profile());
    assert_eq!(of(&fs, "empty-indicator").len(), 1, "{}", dump(&fs));
}

#[test]
fn headers_and_goals() {
    let mut dossier = seed_like_dossier();
    let p = proj(&mut dossier, 3);
    p.period = String::new();
    p.annual_goal = String::new();
    let fs = check_dossier(&dossier, &profile());
    let header: Vec<String> = of(&fs, "header-missing").iter().map(|f| at(f).1).collect();
    assert_eq!(header, ["period"]);
    let goal = of(&fs, "goal-mismatch");
    assert_eq!(
        goal.iter()
            .map(|f| (at(f).1, f.severity))
            .collect::<Vec<_>>(),
        [("annual_goal".to_string(), Severity::Error)]
    );

    // Single-year period, goals differing in substance: warning.
    let mut dossier = seed_like_dossier();
    proj(&mut dossier, 3).annual_goal = "完成39个支部和5个工委的帮扶工作。".into();
    let fs = check_dossier(&dossier, &profile());
    let goal = of(&fs, "goal-mismatch");
    assert_eq!(goal.len(), 1);
    assert_eq!(goal[0].severity, Severity::Warning);

    // Several years with identical goals: warning.
    let mut dossier = seed_like_dossier();
    proj(&mut dossier, 3).period = "2023-2025年".into();
    assert_eq!(
        of(&check_dossier(&dossier, &profile()), "goal-mismatch").len(),
        1
    );

    // 填表人 / 联系电话 only at submission.
    let dossier = seed_like_dossier();
    let p = profile();
    assert!(of(&check_dossier(&dossier, &p), "header-missing").is_empty());
    let ctx = Ctx {
        at_submission: true,
        ..Ctx::new(&p)
    };
    let at_submission = of(&check_with(&dossier, &ctx), "header-missing").len();
    assert_eq!(at_submission, 8, "two per form");
    let sub = rules::submission_findings(&dossier, &p);
    assert_eq!(sub.len(), 8);
    assert!(sub.iter().all(|f| f.severity == Severity::Warning));
}

#[test]
fn punctuation_pairs_and_satisfaction() {
    let mut dossier = seed_like_dossier();
    let p = proj(&mut dossier, 3);
    p.details[0].basis = "工委工作经费（5个*5000元/个=2.5万元".into();
    p.indicators[9].value = IndicatorValue::parse("≤90%");
    let fs = check_dossier(&dossier, &profile());
    let punct: Vec<&Finding> = of(&fs, "text-punctuation")
        .into_iter()
        .filter(|f| f.location.form == Some(3))
        .collect();
    assert_eq!(
        punct.iter().map(|f| at(f)).collect::<Vec<_>>(),
        [(3, "details[0].basis".to_string())],
        "{}",
        dump(&fs)
    );
    assert!(punct[0].message.contains("括号"));
    let sat = of(&fs, "satisfaction-form");
    assert_eq!(sat.len(), 1);
    assert!(sat[0].message.contains("≥"));
}

#[test]
fn profile_overrides_severity() {
    let p = Profile::from_toml("name = \"x\"\ntitle = \"x\"\nextends = \"hunan-zhuzhou\"\n[severity]\nvague-value = \"info\"\n").unwrap();
    let fs = check_dossier(&seed_like_dossier(), &p);
    assert!(of(&fs, "vague-value")
        .iter()
        .all(|f| f.severity == Severity::Info));
}

#[test]
fn check_all_sorts_across_dossiers() {
    let a = seed_like_dossier();
    let mut b = seed_like_dossier();
    for f in &mut b.forms {
        f.file = "a-first.txt".into();
    }
    let fs = rules::check_all(&[a, b], &profile());
    assert_eq!(fs[0].location.file, "a-first.txt");
    assert_eq!(fs.last().unwrap().location.file, FILE);
}

// ---------------------------------------------------------------------------------------
// The catalogue and docs/rules.md.

#[test]
fn catalogue_lists_every_rule_once() {
    let ids: Vec<&str> = catalogue().iter().map(|r| r.id).collect();
    for id in [
        "sum-mismatch",
        "calc-mismatch",
        "cross-form-mismatch",
        "cost-over-budget",
        "bad-value",
        "missing-indicator",
        "empty-indicator",
        "unknown-category",
        "standard-invalid",
        "header-missing",
        "goal-mismatch",
        "vague-value",
        "filler-value",
        "process-as-quality",
        "cost-restates-budget",
        "satisfaction-form",
        "relevance",
        "text-punctuation",
        "typo",
        "calc-unverifiable",
        "score-mismatch",
        "score-total-mismatch",
        "weight-sum",
        "weight-profile",
        "rate-mismatch",
        "grade-mismatch",
        "deviation-unexplained",
        "overachievement-unexplained",
        "target-changed",
        "year-mismatch",
        "indicator-duplicate",
        "value-outlier",
        "stale-target",
        "parse-warning",
    ] {
        assert_eq!(ids.iter().filter(|i| **i == id).count(), 1, "{id}");
    }
    assert_eq!(ids.len(), 34);
    for (id, _) in rules::RULES {
        assert!(ids.contains(id), "{id} runs but is not catalogued");
    }
    assert!(catalogue()
        .iter()
        .all(|r| !r.title.is_empty() && !r.source.is_empty() && !r.example.is_empty()));
}

#[test]
fn rules_doc_is_generated_from_the_catalogue() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/rules.md");
    let generated = rules_markdown();
    if std::env::var_os("JIXIAO_BLESS").is_some() {
        std::fs::write(path, &generated).unwrap();
    }
    let on_disk = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        on_disk == generated,
        "docs/rules.md is stale: run JIXIAO_BLESS=1 cargo test -p jixiao-domain rules_doc"
    );
}

/// A form stating another year than its dossier's is `year-mismatch` at its 年度; a blank
/// indicator row is `empty-indicator`; an empty 表名 is a `header-missing` warning.
#[test]
fn year_blank_rows_and_titles() {
    let p = profile();
    let mut d = seed_like_dossier();
    let fs = rules::check_all(std::slice::from_ref(&d), &p);
    assert!(of(&fs, "year-mismatch").is_empty(), "{}", dump(&fs));
    let before = of(&fs, "empty-indicator").len();
    d.year = Some(2024);
    if let Form::Project(pr) = &mut d.forms[2].form {
        pr.indicators.push(Indicator::default());
        pr.title.clear();
    }
    let fs = rules::check_all(std::slice::from_ref(&d), &p);
    let years = of(&fs, "year-mismatch");
    assert_eq!(years.len(), 4, "every form says 2023: {}", dump(&fs));
    assert_eq!(years[0].location.field.as_deref(), Some("year"));
    assert!(years[0].message.contains("2023年") && years[0].message.contains("2024年"));
    let empty = of(&fs, "empty-indicator");
    assert_eq!(empty.len(), before + 1, "{}", dump(&fs));
    assert!(empty.iter().any(|f| f.message.contains("空行")));
    let title = of(&fs, "header-missing")
        .into_iter()
        .find(|f| f.location.field.as_deref() == Some("title"))
        .expect("empty 表名");
    assert_eq!(title.severity, Severity::Warning);
}
