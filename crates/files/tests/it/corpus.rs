//! The development corpus of real published forms (fixtures/corpus, ~40 files from 16
//! provinces) scored against what a careful reader confirmed in `expected.tsv`: the kind of
//! each form, its facts (unit, year, amount, indicator rows, example indicators, budget,
//! execution, score), the defects that must be reported and the rules that must not fire.
//! The same scoring as `../shared/tools/corpus-score`, run in process on the importer and
//! the rules, so a change that reads one layout better at the cost of another shows here.
//!
//! `JIXIAO_CORPUS=DIR/expected.tsv` scores another set the same way (the held-out set; an
//! ignored test, run with `--ignored`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use jixiao_domain::model::{Dossier, FiledForm};
use jixiao_domain::{rules, Profile};
use jixiao_files::import::import_path;
use jixiao_files::limits::Limits;
use rust_decimal::Decimal;
use serde_json::Value;

/// Arithmetic rules: reporting one the careful reader did not confirm is a false alarm.
const ARITH: &[&str] = &[
    "sum-mismatch",
    "calc-mismatch",
    "cross-form-mismatch",
    "cost-over-budget",
    "score-mismatch",
    "score-total-mismatch",
    "rate-mismatch",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn norm(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Object(o) => o.get("text").map(text_of).unwrap_or_default(),
        _ => String::new(),
    }
}

fn dec(v: &Value) -> Option<Decimal> {
    let s = text_of(v);
    let s = s
        .replace(',', "")
        .replace("万元", "")
        .replace(['万', '分'], "");
    s.trim().parse().ok()
}

fn get<'a>(v: &'a Value, path: &str) -> &'a Value {
    path.split('.')
        .fold(v, |v, k| v.get(k).unwrap_or(&Value::Null))
}

fn first<'a>(v: &'a Value, paths: &[&str]) -> &'a Value {
    paths
        .iter()
        .map(|p| get(v, p))
        .find(|x| !x.is_null())
        .unwrap_or(&Value::Null)
}

/// Whether one fact `key=want` holds for one form (JSON as `jixiao check` prints it).
fn fact_ok(key: &str, want: &str, form: &Value, kind: &str) -> bool {
    let inds = form
        .get("indicators")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let want_dec = || dec(&Value::String(want.to_string()));
    match key {
        "unit" => {
            let u = norm(&text_of(get(form, "unit")));
            !u.is_empty() && (u.contains(&norm(want)) || norm(want).contains(&u))
        }
        "year" => get(form, "year")
            .as_u64()
            .is_some_and(|y| y.to_string() == want),
        "amount" => {
            let v = match kind {
                "department_overall" => first(form, &["budget.total", "total"]),
                "self_evaluation" => first(form, &["money.total.annual", "money.total.initial"]),
                "monitoring" => get(form, "money.annual"),
                _ => get(form, "amount"),
            };
            dec(v) == want_dec()
        }
        "budget" => dec(first(form, &["money.total.annual", "money.annual"])) == want_dec(),
        "executed" => dec(first(form, &["money.total.executed", "money.executed"])) == want_dec(),
        "score" => dec(get(form, "total_score")) == want_dec(),
        "indicator_rows" => match want.strip_prefix(">=") {
            Some(n) => inds.len() >= n.parse::<usize>().unwrap_or(0),
            None => inds.len() == want.parse::<usize>().unwrap_or(usize::MAX),
        },
        k if k.starts_with("ex") => {
            let parts: Vec<&str> = want.split('|').collect();
            let name = if parts.len() > 1 {
                norm(parts[1])
            } else {
                String::new()
            };
            let val = norm(parts.last().unwrap_or(&""));
            inds.iter().any(|i| {
                norm(&text_of(get(i, "name"))) == name
                    && ["value", "target", "actual", "progress"]
                        .iter()
                        .any(|k| norm(&text_of(get(i, k))).contains(&val))
            })
        }
        _ => true,
    }
}

#[derive(Default)]
struct Score {
    kinds: (usize, usize),
    facts: (usize, usize),
    must: (usize, usize),
    false_alarms: usize,
    notes: Vec<String>,
}

fn score(dir: &Path, tsv: &Path) -> Score {
    let profile = Profile::national();
    let limits = Limits::default();
    let text = std::fs::read_to_string(tsv).expect("expected.tsv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
    let mut s = Score::default();
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        let col = |name: &str| {
            header
                .iter()
                .position(|h| *h == name)
                .and_then(|i| cols.get(i))
                .copied()
                .unwrap_or("")
        };
        let (file, kind) = (col("file"), col("kind"));
        let f = import_path(&dir.join(file), &profile, &limits);
        let filed: Vec<FiledForm> = f.filed_forms();
        let mut findings = f.findings.clone();
        findings.extend(rules::check_all(&Dossier::group(filed), &profile));
        let forms: Vec<Value> = f
            .forms
            .iter()
            .map(|x| serde_json::to_value(x).unwrap())
            .filter(|v| kind != "none" && get(v, "kind").as_str() == Some(kind))
            .collect();
        s.kinds.1 += 1;
        if (kind == "none" && f.forms.is_empty()) || !forms.is_empty() {
            s.kinds.0 += 1;
        } else {
            s.notes.push(format!("{file}: kind {kind} not found"));
        }
        let candidates = if forms.is_empty() {
            vec![Value::Null]
        } else {
            forms
        };
        for kv in col("facts").split(';').filter(|x| x.contains('=')) {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            if v.is_empty() {
                continue;
            }
            s.facts.1 += 1;
            if candidates.iter().any(|form| fact_ok(k, v, form, kind)) {
                s.facts.0 += 1;
            } else {
                s.notes.push(format!("{file}: fact {k}={v} wrong"));
            }
        }
        let got: BTreeSet<&str> = findings.iter().map(|x| x.rule.as_str()).collect();
        let must: BTreeSet<&str> = col("must").split(',').filter(|x| !x.is_empty()).collect();
        for r in &must {
            s.must.1 += 1;
            if got.contains(r) {
                s.must.0 += 1;
            } else {
                s.notes.push(format!("{file}: missed {r}"));
            }
        }
        let must_not: BTreeSet<&str> = col("must_not")
            .split(',')
            .filter(|x| !x.is_empty())
            .collect();
        for r in &got {
            let arith_unexpected = ARITH.contains(r) && !must.contains(r);
            if must_not.contains(r) || arith_unexpected {
                s.false_alarms += 1;
                s.notes.push(format!("{file}: false {r}"));
            }
        }
    }
    s
}

fn check(dir: &Path, tsv: &Path) {
    let s = score(dir, tsv);
    let line = format!(
        "corpus: kinds {}/{}, facts {}/{}, must {}/{}, false-alarms {}",
        s.kinds.0, s.kinds.1, s.facts.0, s.facts.1, s.must.0, s.must.1, s.false_alarms
    );
    eprintln!("{}\n{line}", s.notes.join("\n"));
    assert_eq!(s.kinds.0, s.kinds.1, "every kind right — {line}");
    assert!(
        s.facts.0 * 100 >= s.facts.1 * 95,
        "at least 95 % of the facts — {line}"
    );
    assert!(
        s.must.0 * 100 >= s.must.1 * 90,
        "at least 90 % of the defects — {line}"
    );
    assert_eq!(s.false_alarms, 0, "no false alarm — {line}");
}

#[test]
fn development_corpus_reads_as_a_careful_reader_did() {
    let dir = root().join("fixtures/corpus");
    check(&dir, &dir.join("expected.tsv"));
}

/// `JIXIAO_CORPUS=/path/to/expected.tsv cargo test -p jixiao-files --test it corpus:: -- --ignored`
/// scores another annotated set (the files beside it), such as a held-out one.
#[test]
#[ignore = "set JIXIAO_CORPUS to an expected.tsv to score another annotated set"]
fn another_corpus() {
    let tsv = std::env::var("JIXIAO_CORPUS").expect("JIXIAO_CORPUS names an expected.tsv");
    let tsv = PathBuf::from(tsv);
    let dir = tsv.parent().map(Path::to_path_buf).unwrap_or_default();
    check(&dir, &tsv);
}
