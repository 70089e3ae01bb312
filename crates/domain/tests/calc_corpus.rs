//! The calculation-basis engine against real 测算依据 strings with a careful reader's verdicts
//! (fixtures/corpus/calc-basis.tsv).

use jixiao_domain::calc::{analyze, Verdict};

const CORPUS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/corpus/calc-basis.tsv"
));

/// Prose rows: table cells and cross-checks (`[table cells] …`, `[cross-check] …`) are not
/// prose; a leading Word artefact (`[bookmark: _GoBack]`) does not make a row a table.
fn prose_rows() -> Vec<(String, String)> {
    CORPUS
        .lines()
        .skip(1)
        .filter_map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            let (text, verdict) = (cols.first()?, cols.get(3)?);
            let body = match text.strip_prefix("[bookmark:") {
                Some(rest) => rest.split_once(']').map_or(rest, |(_, r)| r),
                None => text,
            };
            (!body.trim_start().starts_with('['))
                .then(|| (text.to_string(), verdict.trim().to_string()))
        })
        .collect()
}

#[test]
fn corpus_wrong_rows_are_caught_and_correct_rows_are_not_flagged() {
    let rows = prose_rows();
    assert!(
        rows.len() >= 15,
        "expected the prose rows of the corpus, got {}",
        rows.len()
    );
    let mut wrong = 0;
    for (text, verdict) in &rows {
        let report = analyze(text, None);
        if std::env::var_os("CALC_CORPUS_VERBOSE").is_some() {
            eprintln!("{verdict:8} {:?} {text}", report.verdict);
            for e in &report.equations {
                eprintln!(
                    "  EQ {} | computed {} | stated {} | {}",
                    e.text, e.computed, e.stated, e.holds
                );
            }
        }
        match verdict.as_str() {
            "wrong" => {
                wrong += 1;
                assert_eq!(
                    report.verdict,
                    Verdict::Inconsistent,
                    "wrong row not caught: {text}\n{report:#?}"
                );
            }
            "correct" => {
                assert_ne!(
                    report.verdict,
                    Verdict::Inconsistent,
                    "correct row flagged: {text}\n{report:#?}"
                );
            }
            _ => {}
        }
    }
    assert!(wrong >= 1, "the corpus has at least one wrong prose row");
}
