//! The print view and what other programs make of the exports: the PDF of the seed (headless
//! Chromium) and the .xlsx/.docx converted to PDF by LibreOffice must show every amount and
//! every indicator (三级指标 and 指标值) of every form, as `pdftotext` reads them back.
//!
//! The external programs (chromium, soffice, pdftotext) are optional here: a test without
//! them says why and passes, unless `JIXIAO_REQUIRE_TOOLS=1` (as `.ci/run` sets), where a
//! missing program fails it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use jixiao_domain::model::Form;
use jixiao_domain::Profile;
use jixiao_files::export::html::{no_note, table_html};
use jixiao_files::export::table::{self, CellKind};
use jixiao_files::export::{export, pdf, print_view, ExportFormat};
use jixiao_files::import::{import_path, Status};
use jixiao_files::limits::Limits;

const SEED: &str = "examples/seed-2023-shifeng-tongzhanbu.txt";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn seed() -> Vec<Form> {
    let f = import_path(
        &root().join(SEED),
        &Profile::builtin("hunan-zhuzhou").unwrap(),
        &Limits::default(),
    );
    assert_eq!(f.status, Status::Ok, "{:?}", f.error);
    assert_eq!(f.forms.len(), 4);
    f.forms
}

/// A program the test needs: found, or `None` after saying why the test stops, or a
/// failure when `JIXIAO_REQUIRE_TOOLS=1`.
fn require(name: &str, found: Option<PathBuf>) -> Option<PathBuf> {
    if found.is_some() {
        return found;
    }
    let msg = format!("{name} is not installed");
    if std::env::var("JIXIAO_REQUIRE_TOOLS").as_deref() == Ok("1") {
        panic!("{msg}, and JIXIAO_REQUIRE_TOOLS=1");
    }
    eprintln!("skipped: {msg} (set JIXIAO_REQUIRE_TOOLS=1 to make this a failure)");
    None
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Run a command with a timeout; panics with its output when it fails.
fn run(cmd: &mut Command, timeout: Duration) {
    let what = format!("{cmd:?}");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            panic!("{what}: no result after {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{what}: {}\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The text of a PDF as `pdftotext -raw` reads it, all whitespace removed. `-raw` keeps the
/// order the text was drawn in, cell after cell; the default and `-layout` modes sort text
/// into lines across the page, which interleaves a cell's wrapped lines with its
/// neighbours' (`统战成员对统战工作的认可度和95%满意度`).
fn pdf_text(pdftotext: &Path, pdf: &Path) -> String {
    let txt = pdf.with_extension("txt");
    run(
        Command::new(pdftotext).arg("-raw").arg(pdf).arg(&txt),
        Duration::from_secs(60),
    );
    squash(&std::fs::read_to_string(&txt).unwrap())
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// What every rendering must show: every amount and every indicator name and value of
/// every form, as the table model prints them (with their field paths, for the message).
fn needles(forms: &[Form]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut indicators = 0;
    for (i, t) in table::tables(forms).iter().enumerate() {
        for cell in t.rows.iter().flatten() {
            let Some(field) = &cell.field else { continue };
            let indicator = field.starts_with("indicators[")
                && (field.ends_with("].name") || field.ends_with("].value"));
            let amount = cell.kind == CellKind::Number || field == "budget.total";
            if field.starts_with("indicators[") && field.ends_with("].name") {
                indicators += 1;
            }
            let text = squash(&cell.text);
            if (indicator || amount) && !text.is_empty() {
                out.push((format!("form {} {field}", i + 1), text));
            }
        }
    }
    let model: usize = forms.iter().map(|f| f.indicators().len()).sum();
    assert_eq!(indicators, model, "every indicator has its name cell");
    out
}

fn assert_shows_everything(what: &str, text: &str, forms: &[Form]) {
    let missing: Vec<String> = needles(forms)
        .into_iter()
        .filter(|(_, n)| !text.contains(n.as_str()))
        .map(|(f, n)| format!("{f}: {n}"))
        .collect();
    assert!(
        missing.is_empty(),
        "{what} lacks:\n{}\n--- text:\n{text}",
        missing.join("\n")
    );
}

#[test]
fn seed_pdf_shows_every_amount_and_indicator() {
    let Some(_) = require("chromium", pdf::find_chromium()) else {
        return;
    };
    let Some(pdftotext) = require("pdftotext", on_path("pdftotext")) else {
        return;
    };
    let forms = seed();
    let start = Instant::now();
    let bytes = export(&forms, ExportFormat::Pdf).unwrap();
    eprintln!(
        "PDF of the seed: {} bytes in {:?}",
        bytes.len(),
        start.elapsed()
    );
    assert!(bytes.starts_with(b"%PDF"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("seed.pdf");
    std::fs::write(&file, &bytes).unwrap();
    let text = pdf_text(&pdftotext, &file);
    assert_shows_everything("the PDF", &text, &forms);
    // The titles and the signature lines are there too.
    assert!(text.contains("2023年部门整体支出绩效目标表"));
    assert!(text.contains("单位负责人签字"));
}

/// LibreOffice converts the .xlsx and the .docx to PDF with every amount and indicator
/// visible (no `###`, no text cut off by a row too low).
#[test]
fn libreoffice_prints_every_amount_and_indicator_of_xlsx_and_docx() {
    let Some(soffice) = require("soffice", on_path("soffice")) else {
        return;
    };
    let Some(pdftotext) = require("pdftotext", on_path("pdftotext")) else {
        return;
    };
    let forms = seed();
    let dir = tempfile::tempdir().unwrap();
    // A profile of its own, so parallel runs do not share LibreOffice's user folder.
    let profile = dir.path().join("lo-profile");
    let profile_url = format!("-env:UserInstallation=file://{}", profile.display());
    for (fmt, ext) in [(ExportFormat::Xlsx, "xlsx"), (ExportFormat::Docx, "docx")] {
        let src = dir.path().join(format!("seed-{ext}.{ext}"));
        std::fs::write(&src, export(&forms, fmt).unwrap()).unwrap();
        let outdir = dir.path().join(format!("pdf-{ext}"));
        run(
            Command::new(&soffice)
                .arg(&profile_url)
                .args([
                    "--headless",
                    "--norestore",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                ])
                .arg(&outdir)
                .arg(&src),
            Duration::from_secs(180),
        );
        let pdf = outdir.join(format!("seed-{ext}.pdf"));
        assert!(pdf.is_file(), "soffice wrote no {}", pdf.display());
        let text = pdf_text(&pdftotext, &pdf);
        assert!(!text.contains("###"), "{ext}: a column too narrow:\n{text}");
        assert_shows_everything(&format!("the {ext} printed by LibreOffice"), &text, &forms);
    }
}

/// The cells name the fields the importer recorded: every field of a cell with text is a
/// key of the form's source map (the seed records one for every value it read).
#[test]
fn cell_fields_are_the_importers_source_paths() {
    let forms = seed();
    for (form, t) in forms.iter().zip(table::tables(&forms)) {
        let sources = form.sources();
        let mut seen = 0;
        for cell in t.rows.iter().flatten() {
            let Some(field) = &cell.field else {
                assert!(
                    cell.kind == CellKind::Label || cell.text.is_empty(),
                    "{}: {:?} has no field",
                    t.title,
                    cell.text
                );
                continue;
            };
            if cell.text.is_empty() {
                continue;
            }
            assert!(
                sources.contains_key(field),
                "{}: {field} ({:?}) is not in the source map",
                t.title,
                cell.text
            );
            seen += 1;
        }
        assert!(seen > 5, "{}", t.title);
    }
}

/// The print view of the seed: every indicator value cell names its field, the grid spans
/// are there, and the page is standalone.
#[test]
fn seed_print_view_marks_fields() {
    let forms = seed();
    let page = print_view(&forms);
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert_eq!(page.matches("<section class=\"form\">").count(), 4);
    for (i, t) in table::tables(&forms).iter().enumerate() {
        let h = table_html(t, &no_note);
        let n = forms[i].indicators().len();
        if n == 0 {
            continue;
        }
        for k in 0..n {
            assert!(
                h.contains(&format!("data-field=\"indicators[{k}].value\"")),
                "form {i} indicator {k}"
            );
        }
        assert!(h.contains("rowspan=\""));
        assert!(h.contains("colspan=\""));
    }
}
