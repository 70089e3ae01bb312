//! Golden snapshots of what the importer reads from the seed and from every real form of the
//! development corpus, plus the facts a reviewer relies on, asserted outright.

mod common;

use std::path::{Path, PathBuf};

use jixiao_domain::model::{Form, FormKind};
use jixiao_domain::Profile;
use jixiao_files::import::{import_path, ImportedFile, Status};
use jixiao_files::limits::Limits;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn import(rel: &str) -> ImportedFile {
    import_path(
        &root().join(rel),
        &Profile::builtin("hunan-zhuzhou").unwrap(),
        &Limits::default(),
    )
}

/// Forms without their source maps (which differ by format: line numbers vs table cells).
fn models(f: &ImportedFile) -> serde_json::Value {
    let mut v = serde_json::to_value(&f.forms).unwrap();
    for form in v.as_array_mut().unwrap() {
        form.as_object_mut().unwrap().remove("sources");
    }
    v
}

fn wan(m: &Option<jixiao_domain::Money>) -> String {
    m.map(|m| m.wan_string()).unwrap_or_default()
}

#[test]
fn seed_text_reads_every_fact() {
    let f = import("examples/seed-2023-shifeng-tongzhanbu.txt");
    assert_eq!(f.status, Status::Ok, "{:?}", f.error);
    let kinds: Vec<FormKind> = f.forms.iter().map(Form::kind).collect();
    assert_eq!(
        kinds,
        vec![
            FormKind::DepartmentOverall,
            FormKind::SpecialFundSummary,
            FormKind::Project,
            FormKind::Project
        ]
    );
    for form in &f.forms {
        assert_eq!(form.unit(), "中共株洲市石峰区委员会统一战线工作部");
        assert_eq!(form.year(), Some(2023));
    }
    let Form::DepartmentOverall(d) = &f.forms[0] else {
        panic!()
    };
    assert_eq!(wan(&d.budget.total), "185.91");
    assert_eq!(wan(&d.budget.by_source.general_public), "185.91");
    assert_eq!(d.budget.by_source.government_fund, None);
    assert_eq!(d.budget.by_source.other, None);
    assert_eq!(wan(&d.budget.by_nature.basic), "142.51");
    assert_eq!(wan(&d.budget.by_nature.project), "43.4");
    assert_eq!(d.key_tasks.len(), 8);
    assert_eq!(d.key_tasks[7].goal, "持续构建石峰大统战工作格局");
    assert_eq!(d.indicators.len(), 11);
    let eco = d
        .indicators
        .iter()
        .find(|i| i.level2 == "生态效益指标")
        .unwrap();
    assert!(eco.name.trim().is_empty() && eco.value.is_empty());
    let Form::SpecialFundSummary(s) = &f.forms[1] else {
        panic!()
    };
    assert_eq!(wan(&s.total), "43.4");
    let amounts: Vec<String> = s.items.iter().map(|i| wan(&i.amount)).collect();
    assert_eq!(amounts, vec!["37", "6.4"]);
    assert!(s
        .items
        .iter()
        .all(|i| i.children.len() == 1 && i.children[0].amount == i.amount));
    let Form::Project(p) = &f.forms[2] else {
        panic!()
    };
    assert_eq!(p.name, "业务性专项经费");
    assert_eq!(
        p.parent.as_ref().map(|x| x.name.as_str()),
        Some("业务性专项经费")
    );
    assert_eq!(wan(&p.amount), "37");
    let details: Vec<String> = p.details.iter().map(|x| wan(&x.amount)).collect();
    assert_eq!(details, vec!["12", "8", "17"]);
    assert_eq!(wan(&p.details_total), "37");
    let Form::Project(p) = &f.forms[3] else {
        panic!()
    };
    assert_eq!(wan(&p.amount), "6.4");
    let details: Vec<String> = p.details.iter().map(|x| wan(&x.amount)).collect();
    assert_eq!(details, vec!["2.5", "3.9"]);
    assert_eq!(p.indicators.len(), 10);
    let standards: std::collections::BTreeSet<&str> =
        p.indicators.iter().map(|i| i.standard.as_str()).collect();
    assert_eq!(
        standards.into_iter().collect::<Vec<_>>(),
        vec!["其他标准", "计划标准"]
    );
    assert!(
        p.details[1].basis.starts_with("支部工作经费"),
        "bookmark noise must be gone"
    );
    let json = serde_json::to_string(&f).unwrap();
    assert!(!json.contains("[bookmark"));
    // Every amount and indicator value points back at the cell it came from.
    assert_eq!(d.sources["budget.total"].line, Some(13));
    assert!(p.sources.contains_key("details[1].amount"));
    assert!(p.sources.contains_key("indicators[9].value"));
    insta::assert_json_snapshot!("seed_txt", models(&f));
}

#[test]
fn seed_in_every_encoding_and_format_reads_the_same() {
    let base = models(&import("examples/seed-2023-shifeng-tongzhanbu.txt"));
    for rel in [
        "examples/seed-2023-shifeng-tongzhanbu-gb18030.txt",
        "examples/seed-2023-shifeng-tongzhanbu.docx",
        "examples/seed-2023-shifeng-tongzhanbu.xlsx",
    ] {
        let f = import(rel);
        assert_eq!(f.status, Status::Ok, "{rel}: {:?}", f.error);
        assert_eq!(
            models(&f),
            base,
            "{rel} reads differently from the text dump"
        );
    }
}

#[test]
fn seed_with_bom_and_crlf_reads_the_same() {
    let bytes = std::fs::read(root().join("examples/seed-2023-shifeng-tongzhanbu.txt")).unwrap();
    let text = String::from_utf8(bytes).unwrap().replace('\n', "\r\n");
    let mut with_bom = vec![0xEF, 0xBB, 0xBF];
    with_bom.extend_from_slice(text.as_bytes());
    let f = jixiao_files::import::import_bytes(
        "seed-bom.txt",
        &with_bom,
        &Profile::builtin("hunan-zhuzhou").unwrap(),
        &Limits::default(),
    );
    assert_eq!(
        models(&f),
        models(&import("examples/seed-2023-shifeng-tongzhanbu.txt"))
    );
}

fn corpus(prefixes: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(root().join("fixtures/corpus"))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".txt") && prefixes.iter().any(|p| n.starts_with(p)))
        .collect();
    out.sort();
    out
}

/// Every form of the corpus reads to a snapshot of its model: a change in what is read
/// from a real form shows as a reviewed snapshot diff. (What a careful reader confirmed is
/// scored in `tests/corpus.rs`.)
#[test]
fn every_corpus_form_imports() {
    let names = corpus(&["dept-", "project-", "transfer-", "selfeval-", "monitor-"]);
    assert!(names.len() >= 39);
    for name in names {
        let f = import(&format!("fixtures/corpus/{name}"));
        assert_eq!(f.status, Status::Ok, "{name}: {:?}", f.error);
        let want = match name.split('-').next() {
            Some("dept") => FormKind::DepartmentOverall,
            Some("selfeval") => FormKind::SelfEvaluation,
            Some("monitor") => FormKind::Monitoring,
            _ => FormKind::Project,
        };
        assert!(
            f.forms.iter().any(|x| x.kind() == want),
            "{name}: no form of kind {want:?}"
        );
        let snap = serde_json::json!({
            "forms": models(&f),
            "parse_warnings": f.findings.iter().map(|x| x.message.clone()).collect::<Vec<_>>(),
        });
        insta::assert_json_snapshot!(name.trim_end_matches(".txt").to_string(), snap);
    }
}

/// A form that stops mid-table (most published copies do) is read with what it has and a
/// warning that says so.
#[test]
fn excerpts_are_read_with_a_warning() {
    let f = import("fixtures/corpus/transfer-target-chongqing-zhongxian-pig-01.txt");
    assert!(f.forms[0].indicators().len() >= 2);
    assert!(
        f.findings.iter().any(|x| x.message.contains("中断")),
        "{:?}",
        f.findings.iter().map(|x| &x.message).collect::<Vec<_>>()
    );
}

/// The official template layouts (88号 project and department forms, the transfer-payment
/// regional table), written by the team as synthetic fixtures.
#[test]
fn template_layouts_read_their_key_facts() {
    let f = import("fixtures/layouts/project-88-template.txt");
    let Some(Form::Project(p)) = f.forms.first() else {
        panic!("{:?}", f.error)
    };
    assert_eq!(
        (p.name.as_str(), p.unit.as_str(), p.year),
        ("乡村公路养护", "某县公路养护中心", Some(2024))
    );
    assert_eq!(
        wan(&p.amount),
        "120",
        "the annual amount, not the medium-term one"
    );
    assert_eq!(p.indicators.len(), 5);
    assert_eq!(
        p.indicators[0].value.text, "≥320公里",
        "the annual half of the indicator table"
    );
    insta::assert_json_snapshot!("layout_project_88", models(&f));

    let f = import("fixtures/layouts/dept-88-template.txt");
    let Some(Form::DepartmentOverall(d)) = f.forms.first() else {
        panic!("{:?}", f.error)
    };
    assert_eq!(d.unit, "某县农业农村局");
    assert_eq!(wan(&d.budget.total), "1260.5");
    assert_eq!(wan(&d.budget.by_source.general_public), "1200.5");
    assert_eq!(wan(&d.budget.by_source.other), "60");
    assert_eq!(wan(&d.budget.by_nature.basic), "860.5");
    assert_eq!(wan(&d.budget.by_nature.project), "400");
    assert_eq!(d.key_tasks.len(), 2);
    assert_eq!(d.key_tasks[1].goal, "开展农技培训60期");
    assert_eq!(d.indicators.len(), 4);
    insta::assert_json_snapshot!("layout_dept_88", models(&f));

    let f = import("fixtures/layouts/transfer-regional-template.txt");
    let Some(Form::Project(p)) = f.forms.first() else {
        panic!("{:?}", f.error)
    };
    assert_eq!(p.variant, jixiao_domain::model::ProjectVariant::Transfer);
    assert_eq!(p.name, "农业经营主体能力提升资金");
    assert_eq!(wan(&p.amount), "5600");
    assert_eq!(p.indicators.len(), 4);
    insta::assert_json_snapshot!("layout_transfer_regional", models(&f));
}

/// A monitoring form in the 136号 layout (the one 黄石 published) reads to its fields.
#[test]
fn monitoring_form_reads_its_money_and_indicators() {
    let f = import("fixtures/corpus/monitor-hubei-huangshi-heritage-01.txt");
    let Some(Form::Monitoring(m)) = f.forms.first() else {
        panic!("{:?}", f.error)
    };
    assert_eq!(m.name, "申遗经费");
    assert_eq!(m.implementer, "黄石市文物局(湖北水泥遗址博物馆)");
    assert_eq!(m.period_months, Some(6));
    assert_eq!(wan(&m.money.annual), "220");
    assert_eq!(wan(&m.money.executed), "87.57");
    assert_eq!(m.indicators.len(), 4);
    assert_eq!(m.indicators[2].name, "成本");
    assert_eq!(
        m.indicators[2].possibility,
        Some(jixiao_domain::Possibility::Certain)
    );
}

/// The seed as a saved web page (Word's "save as web page" shape, UTF-8 and GBK) and as a
/// workbook with one form per worksheet read to the same models as the text dump.
#[test]
fn seed_as_html_and_as_one_sheet_per_form_reads_the_same() {
    let base = models(&import("examples/seed-2023-shifeng-tongzhanbu.txt"));
    let profile = Profile::builtin("hunan-zhuzhou").unwrap();
    let word = common::seed::seed_word_like();
    for charset in ["utf-8", "gbk"] {
        let html = common::render::to_html(&word, charset);
        let bytes = if charset == "gbk" {
            encoding_rs::GBK.encode(&html).0.into_owned()
        } else {
            html.into_bytes()
        };
        let f =
            jixiao_files::import::import_bytes("seed.html", &bytes, &profile, &Limits::default());
        assert_eq!(f.status, Status::Ok, "{charset}: {:?}", f.error);
        assert_eq!(models(&f), base, "html {charset}");
    }

    // One worksheet per form: cut the text rows at each title.
    let text = common::seed::seed_text_sheet();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let mut ws: Option<&mut rust_xlsxwriter::Worksheet> = None;
    let mut r = 0u32;
    let mut sheets = 0;
    for row in &text.rows {
        // A title may share a row with the previous form's signature line.
        let is_title = |t: &str| t.contains("绩效目标表") || t.contains("汇总表");
        let split = row
            .cells
            .iter()
            .position(|c| is_title(&c.text))
            .unwrap_or(row.cells.len());
        for (part, cells) in [(0, &row.cells[..split]), (1, &row.cells[split..])] {
            if part == 1 && !cells.is_empty() {
                sheets += 1;
                let sheet = wb.add_worksheet();
                sheet.set_name(format!("表{sheets}")).unwrap();
                ws = Some(sheet);
                r = 0;
            }
            if cells.is_empty() {
                continue;
            }
            let Some(sheet) = ws.as_deref_mut() else {
                continue;
            };
            for (c, cell) in cells.iter().enumerate() {
                sheet.write_string(r, c as u16, &cell.text).unwrap();
            }
            r += 1;
        }
    }
    assert_eq!(sheets, 4);
    let bytes = wb.save_to_buffer().unwrap();
    let f = jixiao_files::import::import_bytes("seed.xlsx", &bytes, &profile, &Limits::default());
    assert_eq!(f.status, Status::Ok, "{:?}", f.error);
    assert_eq!(models(&f), base, "one sheet per form");
}

/// The seed flattened the ways web pages and copies flatten tables: `| a | b |` rows, one
/// `cell |` per line with `|` row breaks, and one cell per paragraph (row structure lost).
/// Every fact a reviewer relies on must still be read.
#[test]
fn seed_flattened_three_ways_keeps_its_facts() {
    let rows: Vec<Vec<String>> = common::seed::seed_text_sheet()
        .rows
        .iter()
        .map(|r| r.cells.iter().map(|c| c.text.replace('\n', " ")).collect())
        .collect();
    let markdown: String = rows
        .iter()
        .map(|r| format!("| {} |\n", r.join(" | ")))
        .collect();
    // As the 湘潭 page gives it: `|` opens a row, one `cell |` per line, a lone `|` for an
    // empty cell, `||` (the padding of merged cells) closes the row.
    let cell_lines: String = rows
        .iter()
        .map(|r| {
            let cells: String = r
                .iter()
                .map(|c| {
                    if c.is_empty() {
                        "|\n".to_string()
                    } else {
                        format!("{c} |\n")
                    }
                })
                .collect();
            format!("|\n{cells}||\n")
        })
        .collect();
    let paragraphs: String = rows
        .iter()
        .flatten()
        .map(|c| format!("{}\n\n", if c.is_empty() { " " } else { c }))
        .collect();
    let profile = Profile::builtin("hunan-zhuzhou").unwrap();
    for (name, text) in [
        ("markdown", markdown),
        ("cell lines", cell_lines),
        ("paragraphs", paragraphs),
    ] {
        let f = jixiao_files::import::import_bytes(
            "flat.txt",
            text.as_bytes(),
            &profile,
            &Limits::default(),
        );
        assert_eq!(f.status, Status::Ok, "{name}: {:?}", f.error);
        assert_eq!(f.forms.len(), 4, "{name}");
        let Form::DepartmentOverall(d) = &f.forms[0] else {
            panic!("{name}")
        };
        assert_eq!(d.unit, "中共株洲市石峰区委员会统一战线工作部", "{name}");
        assert_eq!(
            [
                &d.budget.total,
                &d.budget.by_source.general_public,
                &d.budget.by_nature.basic,
                &d.budget.by_nature.project
            ]
            .map(wan),
            ["185.91", "185.91", "142.51", "43.4"].map(String::from),
            "{name}"
        );
        assert_eq!((d.key_tasks.len(), d.indicators.len()), (8, 11), "{name}");
        let Form::SpecialFundSummary(s) = &f.forms[1] else {
            panic!("{name}")
        };
        assert_eq!(wan(&s.total), "43.4", "{name}");
        assert_eq!(
            s.items.iter().map(|i| wan(&i.amount)).collect::<Vec<_>>(),
            ["37", "6.4"],
            "{name}"
        );
        for (form, amount, details, total, indicators) in [
            (&f.forms[2], "37", vec!["12", "8", "17"], "37", 8),
            (&f.forms[3], "6.4", vec!["2.5", "3.9"], "6.4", 10),
        ] {
            let Form::Project(p) = form else {
                panic!("{name}")
            };
            assert_eq!(wan(&p.amount), amount, "{name}");
            assert_eq!(
                p.details.iter().map(|x| wan(&x.amount)).collect::<Vec<_>>(),
                details,
                "{name}"
            );
            assert_eq!(wan(&p.details_total), total, "{name}");
            assert_eq!(p.indicators.len(), indicators, "{name}");
        }
    }
}
