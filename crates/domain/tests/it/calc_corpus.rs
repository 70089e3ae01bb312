//! The calculation-basis engine against real 测算依据 strings with a careful reader's verdicts
//! (fixtures/corpus/calc-basis.tsv).
//!
//! Each row's verdict is pinned: a correct text that is `consistent` today must not slip to
//! `unverifiable` (nor anything else) unnoticed. The pins were recorded from a reading of each
//! row; table-cell rows are pinned too, although only prose is required to be caught.

use jixiao_domain::calc::{analyze, Verdict};
use Verdict::{Consistent as C, Inconsistent as I, Unverifiable as U};

const CORPUS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/corpus/calc-basis.tsv"
));

/// (the row's text begins with, its verdict), in file order. Why each is what it is:
#[rustfmt::skip]
const PINNED: &[(&str, Verdict)] = &[
    ("专职人员工作经费8万/年", C),          // 8*50*100=40000 and 合计 8万+4万=12万 hold
    ("外出学习考察50人", C),                // both products and 合计8万 hold
    ("走访慰问200人次/年", C),              // 200×500 = 合计10万
    ("工委工作经费：5个*5000元/个", C),
    ("[bookmark: _GoBack]支部工作经费", C),
    ("1075.8-466.42=609.38万元", C),
    ("本项目共完成预算资金1329120.67元", C),  // 其中 five parts add up
    ("本项目共完成预算资金89.97万元", I),     // 30+30+29.99 = 89.99 ≠ 89.97
    ("[table cells, 2020年实际执行数 column]", I), // 191+99+372.88 = 662.88 ≠ 合计662.98
    ("2023年中央残疾人事业发展补助资金", C),  // 其中 50.29+84.1 = 134.39
    ("按收入性质分:2030.12", C),             // 其中 1325.68+118.82+585.62, the 空 line skipped
    ("按支出性质分:1925.67", C),
    ("[cross-check] 年度资金总额", U),       // two totals from different tables: no sum stated
    ("[table cells] 编制数 46", U),           // a staffing ratio, not money
    ("[table cells] 合计 968.191 8", U),      // split cells (968.191 8, 7242318): unreadable
    ("[table cells] 全年预算数 250000.00", I), // 215457.6 ÷ 250000 = 86.18% ≠ 86.19%
    ("[table cells] 全年预算数 20000.00", C),  // 9034 ÷ 20000 = 45.17%
    ("[table cells] 年初预算 238.93", C),      // 251.89 ÷ 251.89 = 100%
    ("[table cells] 指标23", U),              // a score, no arithmetic in the cells
    ("[table cells] 年初预算数 0", C),          // 207.4538 ÷ 207.4538 = 100%
    ("[table cells] 卫片执法补助经费", U),     // a score deduction, no arithmetic
    ("[table cells] 年度资金总额 7.29", C),    // a table row: budget, execution, rate 100%
    ("[table cells] 产出指标(70分)", U),       // scores with → and labels: not an expression
    ("[cells] 成本指标 财政资金补助", U),       // ≥500亩 is a floor, not a count to price
    ("项目总预算 65", U),                     // two 其中 with one part each: mentions
    ("[年度履职目标 rows]", U),                // rows of a table, no sum stated
    ("20xx年本單位項目支出預算19.3萬元", C),    // 3.12 ÷ 19.3 = 16.17%
    ("招投標辦案工作經費預算15.3萬元", C),     // 2.4 ÷ 15.3 = 15.69%
    ("1、收入:792.22万元", C),                // 189.25 ÷ (792.22-189.25) = 31.39%
    ("[table cells] 政府采购执行率", U),       // a score coefficient, not computed here
    ("[table cells] 年度资金总额: 880", U),     // the rate is blank
];

/// (text, reader's verdict) of every row.
fn rows() -> Vec<(String, String)> {
    CORPUS
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .filter_map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            Some((cols.first()?.to_string(), cols.get(3)?.trim().to_string()))
        })
        .collect()
}

/// Prose rows: table cells and cross-checks (`[table cells] …`, `[cross-check] …`) are not
/// prose; a leading Word artefact (`[bookmark: _GoBack]`) does not make a row a table.
fn is_prose(text: &str) -> bool {
    let body = match text.strip_prefix("[bookmark:") {
        Some(rest) => rest.split_once(']').map_or(rest, |(_, r)| r),
        None => text,
    };
    !body.trim_start().starts_with('[')
}

fn verbose() -> bool {
    std::env::var_os("CALC_CORPUS_VERBOSE").is_some()
}

#[test]
fn every_row_keeps_its_pinned_verdict() {
    let rows = rows();
    assert_eq!(
        rows.len(),
        PINNED.len(),
        "a row was added or removed: pin it"
    );
    let mut changed = Vec::new();
    for ((text, _), (start, pinned)) in rows.iter().zip(PINNED) {
        assert!(
            text.starts_with(start),
            "rows out of order at {start}: {text}"
        );
        let report = analyze(text, None);
        if verbose() {
            eprintln!("{:?} {text}", report.verdict);
            for e in &report.equations {
                eprintln!("  {} | {} | {} | {}", e.text, e.computed, e.stated, e.holds);
            }
        }
        if report.verdict != *pinned {
            changed.push(format!("{pinned:?} -> {:?}: {text}", report.verdict));
        }
    }
    assert!(
        changed.is_empty(),
        "verdicts changed:\n{}",
        changed.join("\n")
    );
}

#[test]
fn wrong_prose_is_caught_and_correct_text_is_never_flagged() {
    let rows = rows();
    let mut wrong_prose = 0;
    for (text, reader) in &rows {
        let report = analyze(text, None);
        match reader.as_str() {
            "correct" => assert_ne!(
                report.verdict,
                Verdict::Inconsistent,
                "correct row flagged: {text}\n{report:#?}"
            ),
            "wrong" if is_prose(text) => {
                wrong_prose += 1;
                assert_eq!(
                    report.verdict,
                    Verdict::Inconsistent,
                    "wrong prose row not caught: {text}\n{report:#?}"
                );
            }
            _ => {}
        }
    }
    assert!(
        wrong_prose >= 1,
        "the corpus has at least one wrong prose row"
    );
    assert!(
        rows.iter().filter(|(t, _)| is_prose(t)).count() >= 15,
        "expected the prose rows of the corpus"
    );
}
