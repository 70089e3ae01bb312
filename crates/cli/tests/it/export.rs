//! `jixiao export` to the print view (HTML) and PDF, and `--output` left out (standard
//! output). The PDF test needs Chromium: without it the test says why and passes, unless
//! `JIXIAO_REQUIRE_TOOLS=1` (as `.ci/run` sets).

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn seed() -> PathBuf {
    root().join("examples/seed-2023-shifeng-tongzhanbu.txt")
}

fn jixiao() -> Command {
    Command::cargo_bin("jixiao").unwrap()
}

/// `jixiao export --profile hunan-zhuzhou --format F [--output FILE] seed`, expected to
/// succeed (standard error shown otherwise).
fn export_seed(format: &str, output: Option<&std::path::Path>) -> std::process::Output {
    let mut cmd = jixiao();
    cmd.args(["export", "--profile", "hunan-zhuzhou", "--format", format]);
    if let Some(f) = output {
        cmd.arg("--output").arg(f);
    }
    let out = cmd.arg(seed()).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn html_goes_to_standard_output_without_output() {
    let out = export_seed("html", None);
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<html lang=\"zh-CN\">"));
    assert_eq!(html.matches("<section class=\"form\">").count(), 4);
    assert!(html.contains("<h2>2023年部门整体支出绩效目标表</h2>"));
    assert!(html.contains("data-field=\"indicators[0].value\""));
    // The status line goes to standard error only when a file is written.
    assert!(out.stderr.is_empty());
}

#[test]
fn json_goes_to_standard_output_and_html_to_a_file() {
    let out = export_seed("json", None);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["forms"].as_array().unwrap().len(), 4);

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("打印.html");
    let out = export_seed("html", Some(&file));
    assert!(String::from_utf8_lossy(&out.stderr).contains("已导出 4 张表"));
    assert!(std::fs::read_to_string(&file)
        .unwrap()
        .contains("金额单位：万元"));
}

#[test]
fn pdf_of_the_seed() {
    if jixiao_files::export::pdf::find_chromium().is_none() {
        if std::env::var("JIXIAO_REQUIRE_TOOLS").as_deref() == Ok("1") {
            panic!("chromium is not installed, and JIXIAO_REQUIRE_TOOLS=1");
        }
        eprintln!("skipped: chromium is not installed (set JIXIAO_REQUIRE_TOOLS=1 to fail)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("绩效目标表.pdf");
    export_seed("pdf", Some(&file));
    let bytes = std::fs::read(&file).unwrap();
    assert!(bytes.starts_with(b"%PDF"));
}

#[test]
fn pdf_without_chromium_is_a_chinese_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.pdf");
    let out = jixiao()
        .env("JIXIAO_CHROMIUM", dir.path().join("no-such-chromium"))
        .args(["export", "--profile", "hunan-zhuzhou", "--format", "pdf"])
        .arg("--output")
        .arg(&file)
        .arg(seed())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("未找到 Chromium，无法生成 PDF；请安装 chromium 或设置 JIXIAO_CHROMIUM"));
    assert!(!file.exists());
}
