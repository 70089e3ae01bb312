//! Each stage of the recogniser on its own, on small sheets shaped like the corpus's layouts:
//! what segmentation, structure finding, field reading and the explain view decide, before
//! the next stage sees it. (Tokenising has its tests in `tokens.rs`.)

use jixiao_domain::model::ProjectVariant;
use jixiao_domain::vocabulary::{Field, Role, TableKind};
use jixiao_domain::{Money, MoneyUnit, Profile};

use super::segment::{segments, SegKind};
use super::structure::{self, Ctx, Use};
use super::tokens::tokenize;
use super::vocab::Vocab;
use super::{fields, recognise};
use crate::sheet::{Cell, Row, Sheet};

/// A sheet with one row per line and cells split at `|`.
fn sheet(lines: &[&str]) -> Sheet {
    let mut s = Sheet::default();
    for (i, l) in lines.iter().enumerate() {
        s.rows.push(Row {
            table: Some(0),
            index: i,
            line: Some(i + 1),
            cells: l
                .split('|')
                .enumerate()
                .map(|(c, t)| Cell::new(t.trim(), c))
                .collect(),
        });
    }
    s
}

/// Runs `f` with the context of the first two stages on `lines`.
fn staged<T>(lines: &[&str], f: impl FnOnce(&Ctx, &[super::segment::Segment], &Sheet) -> T) -> T {
    let p = Profile::national();
    let v = Vocab::new(&p);
    let s = sheet(lines);
    let t = tokenize(&s, &v, &p);
    let cx = Ctx {
        tokens: &t,
        vocab: &v,
        profile: &p,
    };
    let segs = segments(&t, &v, &p);
    f(&cx, &segs, &s)
}

const DEPT: &[&str] = &[
    "某区发展和改革局2023年部门整体支出绩效目标表",
    "部门(单位)名称|某区发展和改革局",
    "年度总体目标|做好价格认定工作。",
    "一级指标|二级指标|三级指标|指标值",
    "产出指标|数量指标|认定案件数量|≥120件",
    "|质量指标|认定准确率|100%",
    "效益指标|社会效益指标|群众满意度|≥90%",
];

#[test]
fn segments_start_at_titles_and_join_a_year_line_to_its_title() {
    let lines = [
        "附件1",
        "某局项目支出绩效目标申报表",
        "(2024年度)",
        "项目名称|道路养护",
        "某局2023年项目支出绩效自评表",
        "项目名称|道路养护",
    ];
    staged(&lines, |cx, segs, _| {
        let kinds: Vec<SegKind> = segs.iter().map(|s| s.kind).collect();
        assert_eq!(
            kinds,
            [
                SegKind::Project(ProjectVariant::Project),
                SegKind::SelfEvaluation
            ]
        );
        // The second form starts at its own title; the first ends there.
        assert_eq!(segs[0].end, segs[1].start);
        let title = segs[1].title.unwrap();
        assert!(cx.tokens.list[title].text.contains("自评表"));
    });
}

#[test]
fn a_text_without_title_is_classified_by_its_report_words() {
    let lines = [
        "一、项目基本情况",
        "2022年预算资金300万元，全年执行数259.45万元，执行率86.5%。",
        "二、绩效目标完成情况及自评得分",
        "项目自评得分95分，自评等级为优。",
    ];
    staged(&lines, |_, segs, _| {
        assert_eq!(segs.len(), 1);
        assert!(segs[0].guessed);
        assert_eq!(segs[0].kind, SegKind::SelfEvaluation);
    });
}

#[test]
fn structures_find_label_pairs_and_align_rows_with_merged_leading_cells() {
    staged(DEPT, |cx, segs, _| {
        let st = structure::build(cx, &segs[0]);
        let unit = st
            .pairs
            .iter()
            .find(|p| p.field == Field::DepartmentName || p.field == Field::Unit)
            .expect("unit pair");
        assert_eq!(cx.tokens.list[unit.label].text, "部门(单位)名称");
        assert_eq!(cx.tokens.list[unit.value.unwrap()].text, "某区发展和改革局");
        let t = st.table(TableKind::Indicators).expect("indicator table");
        assert_eq!(t.rows.len(), 3);
        // The 质量指标 row lost its merged 一级 cell: 质量指标 still lands in 二级.
        let row = &t.rows[1];
        let l2 = row.get(Role::Level2).unwrap();
        assert_eq!(cx.tokens.list[l2].text, "质量指标");
        assert_eq!(cx.tokens.list[row.get(Role::Target).unwrap()].text, "100%");
        assert!(row
            .get(Role::Level1)
            .is_none_or(|p| cx.tokens.list[p].is_empty()));
        // The last row has its value: the table is complete.
        assert!(!t.cut);
        assert_eq!(
            *st.use_of(l2),
            Use::Cell(TableKind::Indicators, Role::Level2)
        );
    });
}

#[test]
fn a_table_ending_in_a_row_without_value_is_cut() {
    let mut lines = DEPT.to_vec();
    lines.push("|经济效益指标");
    staged(&lines, |cx, segs, _| {
        let st = structure::build(cx, &segs[0]);
        assert!(st.table(TableKind::Indicators).unwrap().cut);
    });
}

#[test]
fn a_stream_of_one_cell_per_line_fills_the_columns_in_order() {
    // One cell per paragraph, as Word text exports and web mirrors give it.
    let lines = [
        "某局2023年项目支出绩效目标表",
        "项目名称",
        "道路养护",
        "一级指标",
        "二级指标",
        "三级指标",
        "指标值",
        "产出指标",
        "数量指标",
        "养护道路里程",
        "≥120公里",
        "时效指标",
        "完成时间",
        "2023年12月前",
    ];
    let lines: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    let p = Profile::national();
    let s = crate::read::flat::parse_flat(&lines.join("\n"), &crate::limits::Limits::default())
        .unwrap();
    let r = recognise(&s, &p);
    let f = &r.forms[0];
    let rows: Vec<(String, String, String)> = f
        .indicator_rows()
        .into_iter()
        .map(|x| {
            (
                x.level2.to_string(),
                x.name.to_string(),
                x.target.text.clone(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("数量指标".into(), "养护道路里程".into(), "≥120公里".into()),
            ("时效指标".into(), "完成时间".into(), "2023年12月前".into()),
        ]
    );
}

#[test]
fn fields_read_the_form_and_remember_each_cell() {
    staged(DEPT, |cx, segs, sheet| {
        let st = structure::build(cx, &segs[0]);
        let mut r = fields::Reader::new(cx, sheet, &st, &segs[0]);
        let d = fields::department(&mut r);
        assert_eq!(d.unit, "某区发展和改革局");
        assert_eq!(d.year, Some(2023));
        assert_eq!(d.annual_goal, "做好价格认定工作。");
        assert_eq!(d.indicators.len(), 3);
        assert_eq!(
            d.indicators[1].level1, "产出指标",
            "carried down the merged cell"
        );
        assert_eq!(d.indicators[2].value.text, "≥90%");
        // The source map names the cell each field came from.
        assert_eq!(r.sources["unit"].row, 1);
        assert_eq!(r.sources["unit"].col, 1);
        assert_eq!(r.sources["indicators[1].value"].text, "100%");
    });
}

#[test]
fn self_evaluation_money_rows_read_by_column() {
    let lines = [
        "某局2022年项目支出绩效自评表",
        "项目名称|道路养护",
        "项目资金(万元)||年初预算数|全年预算数|全年执行数|分值|执行率|得分",
        "|年度资金总额|300|300|259.45|10|86.5%|8.6",
        "|其中:当年财政拨款|300|300|259.45|-|86.5%|-",
    ];
    let r = recognise(&sheet(&lines), &Profile::national());
    let jixiao_domain::model::Form::SelfEvaluation(e) = &r.forms[0] else {
        panic!("{:?}", r.forms[0].kind());
    };
    let wan = |s: &str| Some(Money::new(s.parse().unwrap(), MoneyUnit::Wan));
    assert_eq!(e.money.total.annual, wan("300"));
    assert_eq!(e.money.total.executed, wan("259.45"));
    assert_eq!(e.money.total.rate, Some("86.5".parse().unwrap()));
    assert_eq!(e.money.total.score, Some("8.6".parse().unwrap()));
    assert_eq!(e.money.fiscal.executed, wan("259.45"));
}

#[test]
fn explain_lists_mapped_cells_and_says_why_others_were_not_used() {
    let mut lines = DEPT.to_vec();
    lines.push("附言：请各科室知悉");
    let r = recognise(&sheet(&lines), &Profile::national());
    let f = &r.explained.forms[0];
    assert!(f.mapped.iter().any(|c| c.field.as_deref() == Some("unit")
        && c.text == "某区发展和改革局"
        && c.note == "填报单位"));
    let unused = f
        .unmapped
        .iter()
        .find(|c| c.text.contains("请各科室知悉"))
        .expect("the unplaced line is listed");
    assert!(
        unused.note.contains("不在任何已知标签之后"),
        "{}",
        unused.note
    );
    assert!(unused.cell.is_some());
}
