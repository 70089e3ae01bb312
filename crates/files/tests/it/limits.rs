//! The limits as data (docs/limits.md is their reference and must list every key with its
//! default), and readers and the importer refusing what is over them with the limit named.

use crate::common::render::{to_docx, to_html, to_xlsx};
use crate::common::seed::seed_bytes;
use jixiao_domain::Profile;
use jixiao_files::import::{import_bytes, Status};
use jixiao_files::limits::Limits;
use jixiao_files::read::sniff::read_bytes;
use jixiao_files::{Cell, ImportError, Row, Sheet};

fn docs() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/limits.md")).unwrap()
}

/// The first ```toml block of docs/limits.md.
fn documented_config() -> toml::Table {
    let doc = docs();
    let start = doc.find("```toml\n").expect("a toml block") + "```toml\n".len();
    let end = start + doc[start..].find("```").unwrap();
    doc[start..end]
        .parse()
        .expect("the documented configuration parses")
}

#[test]
fn the_documented_defaults_are_the_defaults() {
    let config = documented_config();
    let section = config["limits"].clone();
    let keys: Vec<String> = section.as_table().unwrap().keys().cloned().collect();
    let documented: Limits = section.try_into().expect("every documented key is a limit");
    assert_eq!(documented, Limits::default());
    let all = serde_json::to_value(Limits::default()).unwrap();
    let mut fields: Vec<String> = all.as_object().unwrap().keys().cloned().collect();
    let mut keys = keys;
    fields.sort();
    keys.sort();
    assert_eq!(keys, fields, "docs/limits.md lists every limit");
    for key in &fields {
        assert!(
            docs().contains(&format!("| `{key}` |")),
            "docs/limits.md has a table row for {key}"
        );
    }
}

/// A sheet of one table with `rows` rows of `cols` cells.
fn table(rows: usize, cols: usize) -> Sheet {
    Sheet {
        rows: (0..rows)
            .map(|r| Row {
                table: Some(0),
                index: r,
                line: None,
                cells: (0..cols)
                    .map(|c| Cell::new(format!("{r}-{c}"), c))
                    .collect(),
            })
            .collect(),
        notes: vec![],
    }
}

#[test]
fn every_format_stops_at_the_rows_of_one_table() {
    let big = table(60, 3);
    let limits = Limits {
        max_table_rows: 50,
        ..Limits::default()
    };
    let mut dump = String::new();
    for r in &big.rows {
        for c in &r.cells {
            dump.push_str(&format!("\t{}\n", c.text));
        }
        dump.push('\n');
    }
    for (name, bytes) in [
        ("a.docx", to_docx(&big)),
        ("a.xlsx", to_xlsx(&big)),
        ("a.htm", to_html(&big, "utf-8").into_bytes()),
        ("a.txt", dump.into_bytes()),
    ] {
        let e = read_bytes(name, &bytes, &limits).unwrap_err();
        assert_eq!(
            e,
            ImportError::Oversized("一个表格的行数超过 50 行".into()),
            "{name}"
        );
        assert!(
            read_bytes(name, &bytes, &Limits::default()).is_ok(),
            "{name}"
        );
    }
}

/// The seed with `extra` more indicator rows in its first project form.
fn seed_with_indicators(extra: usize) -> String {
    let seed = String::from_utf8(seed_bytes()).unwrap();
    let anchor = "\t\n\t产出指标\n\t数量指标\n\t搭建交流平台\n\t2个\n\t计划标准\n\n";
    let at = seed
        .find(anchor)
        .expect("the seed's first project indicator")
        + anchor.len();
    let rows: String = (0..extra)
        .map(|i| {
            format!(
                "\t\n\t\n\t数量指标\n\t培训{i}\n\t{}次\n\t计划标准\n\n",
                i + 1
            )
        })
        .collect();
    format!("{}{rows}{}", &seed[..at], &seed[at..])
}

#[test]
fn a_form_over_the_indicator_limit_is_refused_with_the_limit_named() {
    let profile = Profile::national();
    let limits = Limits {
        max_indicators: 40,
        ..Limits::default()
    };
    let ok = import_bytes("a.txt", &seed_bytes(), &profile, &limits);
    assert_eq!(ok.status, Status::Ok);
    let text = seed_with_indicators(40);
    let f = import_bytes("a.txt", text.as_bytes(), &profile, &limits);
    assert_eq!(f.status, Status::Error);
    let e = f.error.unwrap();
    assert!(
        e.contains("绩效指标过多") && e.contains("有 48 条绩效指标，每张表最多 40 条"),
        "{e}"
    );
    let dossier = Limits {
        max_dossier_rows: 30,
        ..Limits::default()
    };
    let f = import_bytes("a.txt", &seed_bytes(), &profile, &dossier);
    assert!(f.error.unwrap().contains("每份档案最多 30 行"));
}
