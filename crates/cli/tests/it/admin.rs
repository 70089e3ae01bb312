//! The store maintenance commands end to end on an SQLite file: units, users, assignments,
//! audit verification, backup and restore (tests/accounts.rs has the account commands,
//! `init`, restore under a running server and the audit head).

use assert_cmd::Command;

fn jixiao(dir: &std::path::Path) -> Command {
    let mut c = Command::cargo_bin("jixiao").unwrap();
    c.current_dir(dir).env_remove("JIXIAO_DATABASE");
    c
}

fn stdout(c: &mut Command) -> (i32, String, String) {
    let out = c.output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn units_users_assignments_audit_backup_restore() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert_eq!(stdout(jixiao(d).arg("init")).0, 0);
    assert_eq!(stdout(jixiao(d).args(["unit", "add", "某区财政局"])).0, 0);
    assert_eq!(
        stdout(jixiao(d).args(["unit", "add", "某区统战部", "--parent", "某区财政局"])).0,
        0
    );
    let (code, _, err) = stdout(jixiao(d).args(["unit", "add", "某区统战部"]));
    assert_eq!(code, 2, "a duplicate unit is refused");
    assert!(err.contains("错误"), "{err}");
    let (code, _, err) = stdout(
        jixiao(d)
            .args(["user", "add", "--username", "tzb", "--role", "unit"])
            .write_stdin("long-enough-pw\n"),
    );
    assert_eq!(code, 2);
    assert!(err.contains("--unit"), "{err}");
    assert_eq!(
        stdout(
            jixiao(d)
                .args([
                    "user",
                    "add",
                    "--username",
                    "tzb",
                    "--role",
                    "unit",
                    "--unit",
                    "某区统战部"
                ])
                .write_stdin("long-enough-pw\n")
        )
        .0,
        0
    );
    let (code, _, err) = stdout(
        jixiao(d)
            .args(["user", "add", "--username", "sh", "--role", "reviewer"])
            .write_stdin("short\n"),
    );
    assert_eq!(code, 2);
    assert!(err.contains("8 个字符"), "{err}");
    assert_eq!(
        stdout(
            jixiao(d)
                .args(["user", "add", "--username", "sh", "--role", "reviewer"])
                .write_stdin("long-enough-pw\n")
        )
        .0,
        0
    );
    assert_eq!(stdout(jixiao(d).args(["assign", "sh", "某区统战部"])).0, 0);
    assert_eq!(
        stdout(jixiao(d).args(["assign", "nobody", "某区统战部"])).0,
        2
    );
    let (code, out, _) = stdout(jixiao(d).args(["user", "list"]));
    assert_eq!(code, 0);
    assert!(
        out.contains("tzb\tunit") && out.contains("sh\treviewer"),
        "{out}"
    );
    let (code, out, _) = stdout(jixiao(d).args(["audit", "verify"]));
    assert_eq!(code, 0);
    assert!(out.contains("审计日志完整"), "{out}");

    assert_eq!(stdout(jixiao(d).args(["backup", "copy.db"])).0, 0);
    assert_eq!(
        stdout(jixiao(d).args(["backup", "copy.db"])).0,
        2,
        "an existing backup file is not overwritten"
    );
    // A change after the backup disappears on restore; the replaced database is kept.
    assert_eq!(
        stdout(jixiao(d).args(["unit", "add", "备份后新增的单位"])).0,
        0
    );
    let (code, out, _) = stdout(jixiao(d).args(["restore", "copy.db"]));
    assert_eq!(code, 0, "{out}");
    let (_, units, _) = stdout(jixiao(d).args(["unit", "list"]));
    assert!(
        units.contains("某区统战部") && !units.contains("备份后新增的单位"),
        "{units}"
    );
    let kept = std::fs::read_dir(d)
        .unwrap()
        .filter_map(|e| e.ok())
        .any(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("jixiao.db.before-restore-")
        });
    assert!(kept, "the replaced database is kept");
    assert_eq!(stdout(jixiao(d).args(["audit", "verify"])).0, 0);
    assert_eq!(stdout(jixiao(d).args(["restore", "missing.db"])).0, 2);
}

#[test]
fn database_comes_from_the_environment_too() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("other.db");
    let with_env = |args: &[&str]| {
        let mut c = Command::cargo_bin("jixiao").unwrap();
        c.current_dir(dir.path())
            .env("JIXIAO_DATABASE", &db)
            .args(args);
        stdout(&mut c).0
    };
    assert_eq!(with_env(&["init"]), 0);
    assert!(db.exists());
    assert_eq!(with_env(&["unit", "add", "某单位"]), 0);
    assert!(!dir.path().join("jixiao.db").exists());
}
