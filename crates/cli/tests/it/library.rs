//! `jixiao library build` over a folder of filings (a broken file reported, the rest read),
//! and `jixiao library export` as .xlsx in the columns of a 一体化-style library.

use assert_cmd::Command;
use calamine::Reader;

fn jixiao(dir: &std::path::Path) -> Command {
    let mut c = Command::cargo_bin("jixiao").unwrap();
    c.current_dir(dir).env_remove("JIXIAO_DATABASE");
    c
}

#[test]
fn build_from_folders_and_export() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let filings = d.join("filings");
    std::fs::create_dir_all(&filings).unwrap();
    let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples");
    for f in [
        "seed-2023-shifeng-tongzhanbu.txt",
        "seed-2023-shifeng-tongzhanbu.docx",
    ] {
        std::fs::copy(format!("{examples}/{f}"), filings.join(f)).unwrap();
    }
    std::fs::write(filings.join("broken.docx"), b"PK\x03\x04 not a zip").unwrap();
    std::fs::write(filings.join("notes.md"), "# 说明").unwrap();

    let out = jixiao(d)
        .args(["init", "--database", "x.db"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = jixiao(d)
        .args(["library", "build", "--database", "x.db"])
        .arg(&filings)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a file could not be read: {stdout}{stderr}"
    );
    assert!(stderr.contains("broken.docx"), "{stderr}");
    assert!(
        stdout.contains("读取 3 个文件，2 份填报存入指标库，1 个文件无法读取"),
        "{stdout}"
    );

    let xlsx = d.join("library.xlsx");
    let out = jixiao(d)
        .args(["library", "export", "--database", "x.db"])
        .arg(&xlsx)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    let name = wb.sheet_names()[0].clone();
    let sheet = wb.worksheet_range(&name).unwrap();
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    let head = rows
        .iter()
        .position(|r| r.first().is_some_and(|c| c == "一级指标"))
        .unwrap();
    assert_eq!(
        &rows[head][..4],
        ["一级指标", "二级指标", "三级指标", "指标类型"]
    );
    let col = |name: &str| rows[head].iter().position(|c| c == name).unwrap();
    // The seed read twice (.txt and .docx, one unit): each use counted twice, one unit.
    let sat = rows
        .iter()
        .find(|r| r[col("三级指标")].contains("满意度") && r[col("指标类型")] == "个性")
        .expect("a satisfaction indicator of the seed");
    let uses: u32 = sat[col("使用次数")].parse().unwrap();
    assert!(uses >= 2 && uses.is_multiple_of(2), "{uses}");
    assert_eq!(sat[col("填报单位数")], "1");
    assert_eq!(
        sat[col("目标值中位数")],
        "",
        "one unit's values are not shown"
    );
    // The profile's 共性 entries are there before any filing uses them.
    assert!(rows
        .iter()
        .any(|r| r[col("三级指标")] == "结余率" && r[col("指标类型")] == "共性"));

    // The export, read into another database: the entries are known there before any
    // filing, with their 共性 marks.
    let out = jixiao(d)
        .args(["init", "--database", "y.db"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = jixiao(d)
        .args(["library", "import", "--database", "y.db"])
        .arg(&xlsx)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let entries = rows.len() - head - 1;
    assert!(
        stdout.contains(&format!("导入 {entries} 个指标")),
        "{stdout}"
    );
    let again = d.join("again.xlsx");
    let out = jixiao(d)
        .args(["library", "export", "--database", "y.db"])
        .arg(&again)
        .output()
        .unwrap();
    assert!(out.status.success());
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&again).unwrap();
    let name = wb.sheet_names()[0].clone();
    let sheet = wb.worksheet_range(&name).unwrap();
    let rows2: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    let names = |rows: &[Vec<String>]| {
        let mut v: Vec<(String, String)> = rows[head + 1..]
            .iter()
            .map(|r| (r[col("三级指标")].clone(), r[col("指标类型")].clone()))
            .collect();
        v.sort();
        v
    };
    assert_eq!(names(&rows2), names(&rows));
    // A file without a 三级指标 column is refused in Chinese.
    std::fs::write(d.join("plain.txt"), "只是一段说明文字，没有表格。\n").unwrap();
    let out = jixiao(d)
        .args(["library", "import", "--database", "y.db"])
        .arg(d.join("plain.txt"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("三级指标"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
