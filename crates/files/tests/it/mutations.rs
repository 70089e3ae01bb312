//! End-to-end mutation tests on the real seed: change one number in the text file, import
//! and check it, and the right arithmetic rule must fire, with no arithmetic rule firing
//! that the change does not explain.

use std::collections::BTreeSet;
use std::path::Path;

use jixiao_domain::model::Dossier;
use jixiao_domain::{rules, Profile};
use jixiao_files::import::{import_bytes, Status};
use jixiao_files::limits::Limits;

const ARITHMETIC: &[&str] = &[
    "sum-mismatch",
    "calc-mismatch",
    "cross-form-mismatch",
    "cost-over-budget",
    "bad-value",
];

fn seed() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples/seed-2023-shifeng-tongzhanbu.txt"),
    )
    .unwrap()
}

/// Arithmetic rule ids reported for a text.
fn arithmetic_findings(text: &str) -> BTreeSet<String> {
    let profile = Profile::builtin("hunan-zhuzhou").unwrap();
    let f = import_bytes("seed.txt", text.as_bytes(), &profile, &Limits::default());
    assert_eq!(f.status, Status::Ok);
    let dossiers = Dossier::group(f.filed_forms());
    rules::check_all(&dossiers, &profile)
        .into_iter()
        .filter(|x| ARITHMETIC.contains(&x.rule.as_str()))
        .map(|x| x.rule)
        .collect()
}

/// Replace `old` by `new` on 1-based line `line` (the text must be there).
fn mutate(text: &str, line: usize, old: &str, new: &str) -> String {
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    assert!(
        lines[line - 1].contains(old),
        "line {line} does not contain {old}: {}",
        lines[line - 1]
    );
    lines[line - 1] = lines[line - 1].replacen(old, new, 1);
    lines.join("\n")
}

#[test]
fn the_seed_has_no_arithmetic_findings() {
    assert_eq!(arithmetic_findings(&seed()), BTreeSet::new());
}

/// (line, old, new, rules that must fire, rules that may also fire because the change breaks them too)
type Case = (
    usize,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
);

#[test]
fn every_single_changed_number_is_caught_by_the_right_rule() {
    // (line, old, new, rules that must fire, rules that may also fire because the change breaks them too)
    let cases: &[Case] = &[
        (13, "185.91", "185.92", &["sum-mismatch"], &[]),
        (21, "185.91", "185.90", &["sum-mismatch"], &[]),
        (23, "142.51", "142.52", &["sum-mismatch"], &[]),
        (
            29,
            "43.4",
            "43.5",
            &["sum-mismatch", "cross-form-mismatch"],
            &[],
        ),
        (
            197,
            "43.4",
            "43.5",
            &["sum-mismatch", "cross-form-mismatch"],
            &[],
        ),
        (203, "37", "38", &["sum-mismatch"], &["cross-form-mismatch"]),
        (
            209,
            "37",
            "38",
            &["sum-mismatch", "cross-form-mismatch"],
            &[],
        ),
        (
            215,
            "6.4",
            "6.5",
            &["sum-mismatch"],
            &["cross-form-mismatch"],
        ),
        (
            221,
            "6.4",
            "6.5",
            &["sum-mismatch", "cross-form-mismatch"],
            &[],
        ),
        (
            240,
            "37",
            "38",
            &["cross-form-mismatch"],
            &["sum-mismatch", "cost-over-budget"],
        ),
        (243, "37", "38", &["cross-form-mismatch"], &[]),
        (
            363,
            "6.4",
            "6.5",
            &["cross-form-mismatch"],
            &["sum-mismatch", "cost-over-budget"],
        ),
        (366, "6.4", "6.5", &["cross-form-mismatch"], &[]),
        (
            326,
            "12万元",
            "13万元",
            &["sum-mismatch", "calc-mismatch"],
            &[],
        ),
        (
            332,
            "8万元",
            "9万元",
            &["sum-mismatch", "calc-mismatch"],
            &[],
        ),
        (338, "17万", "18万", &["sum-mismatch", "calc-mismatch"], &[]),
        (343, "37万", "38万", &["sum-mismatch"], &[]),
        (
            463,
            "2.5万元",
            "2.6万元",
            &["sum-mismatch", "calc-mismatch"],
            &[],
        ),
        (
            469,
            "3.9万元",
            "3.8万元",
            &["sum-mismatch", "calc-mismatch"],
            &[],
        ),
        (474, "6.4万元", "6.5万元", &["sum-mismatch"], &[]),
        (327, "=40000元", "=50000元", &["calc-mismatch"], &[]),
        (327, "合计12万", "合计13万", &["calc-mismatch"], &[]),
        (333, "=60000", "=70000", &["calc-mismatch"], &[]),
        (333, "=20000", "=30000", &["calc-mismatch"], &[]),
        (333, "合计8万", "合计9万", &["calc-mismatch"], &[]),
        (339, "合计10万", "合计11万", &["calc-mismatch"], &[]),
        (339, "计划5万元", "计划6万元", &["calc-mismatch"], &[]),
        (464, "5000元/个", "6000元/个", &["calc-mismatch"], &[]),
        (464, "=2.5万元", "=2.6万元", &["calc-mismatch"], &[]),
        (
            470,
            "39个*",
            "38个*",
            &["calc-mismatch", "cross-form-mismatch"],
            &[],
        ),
        (470, "=3.9万元", "=3.8万元", &["calc-mismatch"], &[]),
        (388, "39个", "40个", &["cross-form-mismatch"], &[]),
        (395, "5个", "6个", &["cross-form-mismatch"], &[]),
        (101, "39个", "40个", &["cross-form-mismatch"], &[]),
        (107, "5个", "6个", &["cross-form-mismatch"], &[]),
        (
            125,
            "≤185.91万元",
            "≤195.91万元",
            &["cost-over-budget"],
            &[],
        ),
        (286, "≤37万元", "≤47万元", &["cost-over-budget"], &[]),
        (416, "≤6.4万元", "≤7.4万元", &["cost-over-budget"], &[]),
    ];
    let base = seed();
    let mut failures = Vec::new();
    for (line, old, new, must, may) in cases {
        let got = arithmetic_findings(&mutate(&base, *line, old, new));
        let missing: Vec<&&str> = must.iter().filter(|r| !got.contains(**r)).collect();
        let extra: Vec<&String> = got
            .iter()
            .filter(|r| !must.contains(&r.as_str()) && !may.contains(&r.as_str()))
            .collect();
        if !missing.is_empty() || !extra.is_empty() {
            failures.push(format!(
                "line {line} {old}→{new}: missing {missing:?}, unexpected {extra:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
