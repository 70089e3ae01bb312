//! Corpus layouts as real Word and Excel files (issue 9): six flattened pages of
//! `../shared/corpus` (fixtures/binary/*.txt, copied with their source notes) re-typeset as
//! .docx and .xlsx tables with real merges (`common::binary`), committed beside them. Each
//! binary file must read to the same forms as its text.
//!
//! Regenerate after changing the re-typesetter:
//! `cargo test -p jixiao-files --test it binary_fixtures::regenerate -- --ignored`.

use std::path::{Path, PathBuf};

use crate::common::binary::retypeset;
use crate::common::render::{to_docx, to_xlsx};
use jixiao_domain::Profile;
use jixiao_files::import::{import_path, Status};
use jixiao_files::limits::Limits;
use jixiao_files::read::sniff::read_path;
use serde_json::Value;

/// A project target (three-level tree), a transfer payment, a self-evaluation in
/// traditional script with scores, a monitoring report, one with 中期 and 年度 column sets
/// side by side, and a transfer payment with its 分配 rows.
const LAYOUTS: &[&str] = &[
    "project-target-hunan-xiangtan-01",
    "transfer-target-fujian-putian-library-01",
    "selfeval-yunnan-lijiang-gucheng-01",
    "monitor-hubei-huangshi-heritage-01",
    "project-target-guangdong-dongguan-road-01",
    "transfer-target-shaanxi-qingjian-road-01",
];

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/binary")
}

#[test]
#[ignore = "tool: rewrites fixtures/binary/*.docx and *.xlsx (run with --ignored)"]
fn regenerate() {
    for name in LAYOUTS {
        let sheet = read_path(&dir().join(format!("{name}.txt")), &Limits::default()).unwrap();
        let word = retypeset(&sheet);
        std::fs::write(dir().join(format!("{name}.docx")), to_docx(&word)).unwrap();
        std::fs::write(dir().join(format!("{name}.xlsx")), to_xlsx(&word)).unwrap();
    }
}

/// The forms as JSON without `sources` (which name cells, and cells are placed differently
/// in a text, a Word table and a worksheet).
fn forms(path: &Path) -> Vec<Value> {
    let f = import_path(path, &Profile::national(), &Limits::default());
    assert_eq!(f.status, Status::Ok, "{}: {:?}", path.display(), f.error);
    f.forms
        .iter()
        .map(|form| {
            let mut v = serde_json::to_value(form).unwrap();
            strip_sources(&mut v);
            v
        })
        .collect()
}

fn strip_sources(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.remove("sources");
            m.values_mut().for_each(strip_sources);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_sources),
        _ => {}
    }
}

#[test]
fn word_and_excel_copies_read_like_their_text() {
    for name in LAYOUTS {
        let text = forms(&dir().join(format!("{name}.txt")));
        assert!(!text.is_empty(), "{name}");
        for ext in ["docx", "xlsx"] {
            let path = dir().join(format!("{name}.{ext}"));
            let binary = forms(&path);
            assert_eq!(
                serde_json::to_string_pretty(&binary).unwrap(),
                serde_json::to_string_pretty(&text).unwrap(),
                "{name}.{ext} reads differently from its text"
            );
        }
    }
}

/// The committed files really hold merged cells: Word's gridSpan and vMerge, Excel's
/// mergeCells.
#[test]
fn the_copies_have_real_merges() {
    use std::io::Read;
    let part = |path: PathBuf, entry: &str| {
        let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
        let mut s = String::new();
        zip.by_name(entry).unwrap().read_to_string(&mut s).unwrap();
        s
    };
    let mut vertical = 0;
    for name in LAYOUTS {
        let doc = part(dir().join(format!("{name}.docx")), "word/document.xml");
        assert!(doc.contains("w:gridSpan"), "{name}.docx");
        vertical += usize::from(doc.contains("w:vMerge"));
        let sheet = part(
            dir().join(format!("{name}.xlsx")),
            "xl/worksheets/sheet1.xml",
        );
        assert!(sheet.contains("<mergeCell "), "{name}.xlsx");
    }
    assert!(
        vertical >= 3,
        "vertical merges in {vertical} of the layouts"
    );
}
