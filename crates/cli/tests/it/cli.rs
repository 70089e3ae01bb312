//! The `jixiao` binary end to end: exit codes, the JSON contract, batches with bad files,
//! dossiers split over several files, the Excel review sheet, `calc` and `rules`.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn seed_path(ext: &str) -> PathBuf {
    root().join(format!("examples/seed-2023-shifeng-tongzhanbu{ext}"))
}

fn jixiao() -> Command {
    Command::cargo_bin("jixiao").unwrap()
}

fn run_json(args: &[&str], paths: &[&Path]) -> (i32, Value) {
    let mut cmd = jixiao();
    cmd.args(args).arg("--format").arg("json");
    for p in paths {
        cmd.arg(p);
    }
    let out = cmd.output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap(), v)
}

fn rules_of(file: &Value) -> Vec<String> {
    file["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

/// (rule, message, field) of every finding: what must not depend on the file format.
fn finding_keys(file: &Value) -> Vec<(String, String, String)> {
    file["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] != "parse-warning")
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
                f["location"]["field"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

const ARITHMETIC: &[&str] = &[
    "sum-mismatch",
    "calc-mismatch",
    "cross-form-mismatch",
    "cost-over-budget",
];

#[test]
fn check_on_the_seed_reports_what_a_reviewer_would() {
    let (code, v) = run_json(
        &["check", "--profile", "hunan-zhuzhou"],
        &[&seed_path(".txt")],
    );
    assert_eq!(
        code, 1,
        "an error-severity finding (the empty row) gives exit 1"
    );
    let file = &v["files"][0];
    assert_eq!(file["status"], "ok");
    assert_eq!(file["forms"].as_array().unwrap().len(), 4);
    let rules = rules_of(file);
    for want in [
        "empty-indicator",
        "vague-value",
        "filler-value",
        "process-as-quality",
        "cost-restates-budget",
        "text-punctuation",
        "typo",
    ] {
        assert!(rules.iter().any(|r| r == want), "missing {want}: {rules:?}");
    }
    for bad in ARITHMETIC {
        assert!(!rules.iter().any(|r| r == bad), "false alarm {bad}");
    }
    let vague: Vec<&str> = file["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "vague-value")
        .map(|f| f["location"]["cell"]["text"].as_str().unwrap_or(""))
        .collect();
    for word in ["及时", "不断加强", "健康发展", "不断优化"] {
        assert!(vague.contains(&word), "{word} not flagged: {vague:?}");
    }
    let empty = file["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "empty-indicator")
        .unwrap();
    assert_eq!(empty["severity"], "error");
    assert_eq!(empty["location"]["form_kind"], "department_overall");
    assert!(empty["message"].as_str().unwrap().contains("生态效益指标"));
    assert!(empty["location"]["cell"]["line"].as_u64().is_some());
    assert_eq!(v["summary"]["files"], 1);
    assert!(v["summary"]["errors"].as_u64().unwrap() >= 1);
}

#[test]
fn the_same_findings_for_every_format_of_the_seed() {
    let (_, base) = run_json(
        &["check", "--profile", "hunan-zhuzhou"],
        &[&seed_path(".txt")],
    );
    let base = finding_keys(&base["files"][0]);
    assert!(!base.is_empty());
    for ext in ["-gb18030.txt", ".docx", ".xlsx"] {
        let (code, v) = run_json(&["check", "--profile", "hunan-zhuzhou"], &[&seed_path(ext)]);
        assert_eq!(code, 1, "{ext}");
        assert_eq!(finding_keys(&v["files"][0]), base, "{ext}");
    }
}

#[test]
fn a_file_named_twice_is_checked_once_with_all_its_forms() {
    let seed = seed_path(".docx");
    let (_, once) = run_json(&["check", "--profile", "hunan-zhuzhou"], &[&seed]);
    let (_, twice) = run_json(&["check", "--profile", "hunan-zhuzhou"], &[&seed, &seed]);
    assert_eq!(twice["files"].as_array().unwrap().len(), 1);
    assert_eq!(twice["files"][0]["forms"], once["files"][0]["forms"]);
    assert_eq!(
        finding_keys(&twice["files"][0]),
        finding_keys(&once["files"][0])
    );
    assert_eq!(once["files"][0]["forms"].as_array().unwrap().len(), 4);
}

#[test]
fn a_bad_file_gets_a_chinese_error_and_the_batch_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a-empty.txt"), b"").unwrap();
    std::fs::write(
        dir.path().join("b-broken.docx"),
        b"PK\x03\x04 not really a zip",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("c-notes.txt"),
        "会议纪要：今天讨论了食堂菜单。",
    )
    .unwrap();
    std::fs::copy(seed_path(".txt"), dir.path().join("d-seed.txt")).unwrap();
    let (code, v) = run_json(&["check"], &[dir.path()]);
    assert_eq!(code, 2, "a file that cannot be read gives exit 2");
    let files = v["files"].as_array().unwrap();
    assert_eq!(files.len(), 4);
    for f in &files[..3] {
        assert_eq!(f["status"], "error");
        let msg = f["error"].as_str().unwrap();
        assert!(
            msg.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "not Chinese: {msg}"
        );
    }
    assert_eq!(files[3]["status"], "ok");
    assert_eq!(files[3]["forms"].as_array().unwrap().len(), 4);
    assert_eq!(v["summary"]["files_error"], 3);
}

/// The seed split in two files: department table and summary in one, the project tables in
/// the other. Cross-form rules must see all forms of the unit and year.
#[test]
fn a_dossier_split_over_two_files_is_checked_as_one() {
    let text = std::fs::read_to_string(seed_path(".txt")).unwrap();
    let lines: Vec<&str> = text.split('\n').collect();
    let cut = lines
        .iter()
        .position(|l| l.contains("支出方向绩效目标表"))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("1-dept.txt"), lines[..cut].join("\n")).unwrap();
    std::fs::write(dir.path().join("2-projects.txt"), lines[cut..].join("\n")).unwrap();
    let (_, v) = run_json(&["check", "--profile", "hunan-zhuzhou"], &[dir.path()]);
    let all: Vec<String> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(rules_of)
        .collect();
    assert!(!all.iter().any(|r| r == "cross-form-mismatch"), "{all:?}");
    // Now the project amount disagrees with the summary line in the other file.
    let projects = lines[cut..]
        .join("\n")
        .replacen("项目金额\n\t37", "项目金额\n\t38", 1);
    assert!(projects.contains("\t38"));
    std::fs::write(dir.path().join("2-projects.txt"), projects).unwrap();
    let (_, v) = run_json(&["check", "--profile", "hunan-zhuzhou"], &[dir.path()]);
    let cross: Vec<&Value> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["findings"].as_array().unwrap())
        .filter(|f| f["rule"] == "cross-form-mismatch")
        .collect();
    assert!(
        !cross.is_empty(),
        "the changed amount in the second file must be caught"
    );
}

#[test]
fn import_json_follows_the_contract() {
    let (code, v) = run_json(&["import"], &[&seed_path(".docx")]);
    assert_eq!(code, 0);
    let forms = v["files"][0]["forms"].as_array().unwrap();
    let dept = &forms[0];
    assert_eq!(dept["kind"], "department_overall");
    assert_eq!(dept["budget"]["total"], "185.91");
    assert_eq!(dept["budget"]["by_source"]["general_public"], "185.91");
    assert_eq!(dept["budget"]["by_nature"]["basic"], "142.51");
    assert_eq!(dept["key_tasks"].as_array().unwrap().len(), 8);
    assert_eq!(forms[1]["kind"], "special_fund_summary");
    assert_eq!(forms[1]["total"], "43.4");
    assert_eq!(forms[1]["items"][0]["children"][0]["amount"], "37");
    let p = &forms[3];
    assert_eq!(p["kind"], "project");
    assert_eq!(p["parent"]["amount"], "6.4");
    assert_eq!(p["details"][0]["amount"], "2.5");
    let cost = p["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["level2"] == "成本指标")
        .unwrap();
    assert_eq!(cost["value"]["comparator"], "<=");
    assert_eq!(cost["value"]["number"], "6.4");
    assert_eq!(cost["value"]["unit"], "万元");
    assert_eq!(cost["value"]["text"], "≤6.4万元");
}

#[test]
fn xlsx_review_sheet_lists_every_finding() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("审核意见.xlsx");
    let status = jixiao()
        .args([
            "check",
            "--profile",
            "hunan-zhuzhou",
            "--format",
            "xlsx",
            "--output",
        ])
        .arg(&out)
        .arg(seed_path(".txt"))
        .output()
        .unwrap()
        .status;
    assert_eq!(status.code(), Some(1));
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&out).unwrap();
    assert_eq!(
        wb.sheet_names(),
        vec!["审核意见表".to_string(), "按单位汇总".to_string()]
    );
    let sheet = wb.worksheet_range("审核意见表").unwrap();
    let (_, v) = run_json(
        &["check", "--profile", "hunan-zhuzhou"],
        &[&seed_path(".txt")],
    );
    let n = v["files"][0]["findings"].as_array().unwrap().len();
    assert_eq!(sheet.height(), n + 1, "a header row and a row per finding");
    assert_eq!(sheet.get((0, 3)).unwrap().to_string(), "规则");
    let units = wb.worksheet_range("按单位汇总").unwrap();
    assert_eq!(
        units.get((1, 0)).unwrap().to_string(),
        "中共株洲市石峰区委员会统一战线工作部"
    );
}

#[test]
fn calc_checks_one_text() {
    let out = jixiao()
        .args([
            "calc",
            "--format",
            "json",
            "--amount",
            "3.9万元",
            "支部工作经费：39个*1000元/个=3.9万元",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdict"], "consistent");
    let out = jixiao()
        .args(["calc", "--format", "json", "8*50*100=50000元"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdict"], "inconsistent");
    let eq = &v["equations"][0];
    assert_eq!(eq["holds"], false);
    assert!(eq["computed"].as_str().unwrap().contains("40000"));
    let out = jixiao()
        .args(["calc", "民宗示范点建设经费"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("无法核对"));
}

#[test]
fn rules_lists_the_whole_catalogue() {
    let out = jixiao()
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let spec = [
        "sum-mismatch",
        "calc-mismatch",
        "cross-form-mismatch",
        "cost-over-budget",
        "bad-value",
        "missing-indicator",
        "empty-indicator",
        "unknown-category",
        "standard-invalid",
        "header-missing",
        "goal-mismatch",
        "vague-value",
        "filler-value",
        "process-as-quality",
        "cost-restates-budget",
        "satisfaction-form",
        "relevance",
        "text-punctuation",
        "typo",
        "calc-unverifiable",
        "parse-warning",
    ];
    for id in spec {
        assert!(ids.contains(&id), "{id} missing from `jixiao rules`");
    }
    for r in v.as_array().unwrap() {
        assert!(!r["source"].as_str().unwrap().is_empty());
        assert!(!r["example"].as_str().unwrap().is_empty());
    }
}

#[test]
fn unknown_profile_is_a_clear_error() {
    let out = jixiao()
        .args(["check", "--profile", "mars"])
        .arg(seed_path(".txt"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("未知的配置方案"));
}

#[test]
fn export_writes_every_format_that_imports_again() {
    let dir = tempfile::tempdir().unwrap();
    let (_, want) = run_json(
        &["import", "--profile", "hunan-zhuzhou"],
        &[&seed_path(".txt")],
    );
    for ext in ["xlsx", "docx", "json", "csv"] {
        let out = dir.path().join(format!("绩效目标表.{ext}"));
        let status = jixiao()
            .args([
                "export",
                "--profile",
                "hunan-zhuzhou",
                "--format",
                ext,
                "--output",
            ])
            .arg(&out)
            .arg(seed_path(".txt"))
            .output()
            .unwrap()
            .status;
        assert_eq!(status.code(), Some(0), "{ext}");
        if ext == "xlsx" || ext == "docx" {
            let (_, got) = run_json(&["import", "--profile", "hunan-zhuzhou"], &[&out]);
            let strip = |v: &Value| {
                let mut forms = v["files"][0]["forms"].clone();
                for f in forms.as_array_mut().unwrap() {
                    f.as_object_mut().unwrap().remove("sources");
                }
                forms
            };
            assert_eq!(strip(&got), strip(&want), "{ext}");
        }
    }
    let csv = std::fs::read(dir.path().join("绩效目标表.csv")).unwrap();
    assert!(csv.starts_with("\u{feff}单位,年度".as_bytes()));
}

#[test]
fn export_of_a_missing_file_is_a_chinese_error() {
    let out = jixiao()
        .args([
            "export",
            "--format",
            "xlsx",
            "--output",
            "x.xlsx",
            "no-such-file.docx",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("无法读取"));
}

#[test]
fn export_reads_a_stored_dossier_by_id_or_by_unit_and_year() {
    use jixiao_store::{Actor, Store};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("j.db");
    let forms = jixiao_files::import::import_path(
        &seed_path(".txt"),
        &jixiao_domain::Profile::builtin("hunan-zhuzhou").unwrap(),
        &jixiao_files::limits::Limits::default(),
    )
    .forms;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let id = rt.block_on(async {
        let store = jixiao_store::open(db.to_str().unwrap()).await.unwrap();
        let actor = Actor::system("test");
        let unit = store.create_unit("统战部", None, &actor).await.unwrap();
        store
            .create_dossier(unit.id, 2023, &forms, &[], &actor)
            .await
            .unwrap()
            .id
    });
    let json = |args: &[&str]| {
        let out = dir.path().join("out.json");
        let o = jixiao()
            .args(["export", "--format", "json", "--database"])
            .arg(&db)
            .arg("--output")
            .arg(&out)
            .args(args)
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let v: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
        v
    };
    let want = serde_json::to_value(&forms).unwrap();
    assert_eq!(json(&["--dossier", &id.to_string()])["forms"], want);
    assert_eq!(json(&["--unit", "统战部", "--year", "2023"])["forms"], want);
    let o = jixiao()
        .args([
            "export",
            "--format",
            "json",
            "--output",
            "x.json",
            "--database",
        ])
        .arg(&db)
        .args(["--unit", "统战部", "--year", "2024"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("找不到"));
}

#[test]
fn score_shows_stated_and_computed_scores_and_lights() {
    // 丽江: every row met its target yet was given less than its 分值.
    let lijiang = root().join("fixtures/corpus/selfeval-yunnan-lijiang-gucheng-01.txt");
    let (code, v) = run_json(&["score"], &[&lijiang]);
    assert_eq!(code, 0, "{v}");
    let form = &v[0]["forms"][0];
    assert_eq!(form["kind"], "self_evaluation");
    let row = &form["rows"][0];
    let num = |v: &Value| v.as_str().unwrap().parse::<f64>().unwrap();
    assert_eq!(num(&row["score"]), 9.0);
    assert_eq!(num(&row["computed_score"]), 10.0);
    assert_eq!(row["differs"], true);
    assert_eq!(num(&form["execution"]["rate"]), 100.0);

    // A monitoring form at six months: 30 % spent is behind pace (yellow), 20 of 100
    // km is far behind (red), and the form takes its worst light.
    let dir = tempfile::tempdir().unwrap();
    let mon = dir.path().join("mon.txt");
    std::fs::write(
        &mon,
        "某区交通运输局2023年项目支出绩效运行监控表\n\
         项目名称|农村公路养护\n\
         项目资金（万元）|年初预算数|1-6月执行数|全年预计执行数|执行率\n\
         年度资金总额|100|30|100|30%\n\
         一级指标|二级指标|三级指标|年度指标值|1-6月执行情况|全年预计完成情况|完成目标可能性|偏差原因分析|改进措施\n\
         产出指标|数量指标|养护农村公路里程|≥100公里|20公里|100公里|有可能|雨季影响施工|加快进度\n",
    )
    .unwrap();
    let (code, v) = run_json(&["score"], &[&mon]);
    assert_eq!(code, 0, "{v}");
    let m = &v[0]["forms"][0];
    assert_eq!(m["kind"], "monitoring");
    assert_eq!(m["months"], 6);
    assert_eq!(m["money_light"], "yellow");
    assert_eq!(m["rows"][0]["light"], "red");
    assert_eq!(m["light"], "red");
    let text = jixiao().arg("score").arg(&mon).output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("红灯 养护农村公路里程"), "{text}");
    assert!(text.contains("预算执行 黄灯"), "{text}");
}
