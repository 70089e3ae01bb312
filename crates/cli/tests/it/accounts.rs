//! Running accounts and the database from the command line (issue 10 §3): `init`, user
//! administration with sessions revoked, `unassign`, a restore that refuses while a server
//! holds the database and never leaves staging files, and the audit head.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command as StdCommand, Stdio};
use std::time::Duration;

use assert_cmd::Command;
use jixiao_store::{open, Store};

fn jixiao(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("jixiao").unwrap();
    c.current_dir(dir)
        .env_remove("JIXIAO_DATABASE")
        .env_remove("JIXIAO_PUBLIC_URL");
    c
}

/// (exit code, stdout, stderr).
fn run(c: &mut Command) -> (i32, String, String) {
    let out = c.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok(c: &mut Command) -> String {
    let (code, out, err) = run(c);
    assert_eq!(code, 0, "stdout:\n{out}\nstderr:\n{err}");
    out
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Files in `dir` whose name contains `part`.
fn files_with(dir: &Path, part: &str) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(part))
        .collect()
}

#[test]
fn storage_commands_need_an_existing_database() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for args in [
        vec!["unit", "list"],
        vec!["unit", "add", "某单位"],
        vec!["user", "list"],
        vec!["assign", "sh", "某单位"],
        vec!["audit", "verify"],
        vec!["backup", "b.db"],
        vec!["export", "--format", "json", "--dossier", "1"],
    ] {
        let (code, _, err) = run(jixiao(d).args(&args).args(["--database", "jixaio.db"]));
        assert_eq!(code, 2, "{args:?}");
        assert!(
            err.contains("jixaio.db") && err.contains("jixiao init"),
            "{args:?}: {err}"
        );
        assert!(!d.join("jixaio.db").exists(), "{args:?} created the file");
    }
    // The server too, unless it is the demo (which may make its own database).
    let (code, _, err) =
        run(jixiao(d).args(["serve", "--database", "jixaio.db", "--bind", "127.0.0.1:0"]));
    assert_eq!(code, 2);
    assert!(err.contains("jixiao init"), "{err}");
    assert!(!d.join("jixaio.db").exists());

    let out = ok(jixiao(d).args(["init", "--database", "new.db"]));
    assert!(out.contains("已新建"), "{out}");
    assert!(d.join("new.db").exists());
    ok(jixiao(d).args(["unit", "add", "某单位", "--database", "new.db"]));
    let out = ok(jixiao(d).args(["init", "--database", "new.db"]));
    assert!(out.contains("已存在"), "{out}");
    assert!(ok(jixiao(d).args(["unit", "list", "--database", "new.db"])).contains("某单位"));
    // Without --database: jixiao.db in the current folder.
    ok(jixiao(d).arg("init"));
    assert!(d.join("jixiao.db").exists());
}

/// Adds a user from the command line (password on standard input).
fn add_user(d: &Path, args: &[&str]) {
    ok(jixiao(d)
        .args(["user", "add"])
        .args(args)
        .write_stdin("long-enough-pw\n"));
}

#[test]
fn accounts_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = d.join("jixiao.db");
    ok(jixiao(d).arg("init"));
    ok(jixiao(d).args(["unit", "add", "某区财政局"]));
    ok(jixiao(d).args(["unit", "add", "某区统战部", "--parent", "某区财政局"]));
    add_user(
        d,
        &[
            "--username",
            "tzb",
            "--role",
            "unit",
            "--unit",
            "某区统战部",
            "--name",
            "张三",
        ],
    );
    add_user(d, &["--username", "sh", "--role", "reviewer"]);
    // Separation of duties: a reviewer belongs to no unit.
    let (code, _, err) = run(jixiao(d)
        .args([
            "user",
            "add",
            "--username",
            "sh2",
            "--role",
            "reviewer",
            "--unit",
            "某区统战部",
        ])
        .write_stdin("long-enough-pw\n"));
    assert_eq!(code, 2);
    assert!(err.contains("审核人员不能属于预算单位"), "{err}");
    ok(jixiao(d).args(["assign", "sh", "某区统战部"]));

    let list = ok(jixiao(d).args(["user", "list"]));
    assert!(list.contains("tzb\tunit\t某区统战部\t张三\t启用"), "{list}");
    assert!(list.contains("sh\treviewer\t\t\t启用"), "{list}");
    ok(jixiao(d).args(["user", "rename", "sh", "李四"]));
    assert!(ok(jixiao(d).args(["user", "list"])).contains("sh\treviewer\t\t李四\t启用"));

    // Disabling and a new password end the user's sessions.
    let session = |user: &str| {
        rt().block_on(async {
            let s = open(db.to_str().unwrap()).await.unwrap();
            let u = s.user_by_username(user).await.unwrap();
            let (token, _) = s
                .create_session(u.id, Duration::from_secs(600))
                .await
                .unwrap();
            s.close().await;
            token
        })
    };
    let alive = |token: &str| {
        rt().block_on(async {
            let s = open(db.to_str().unwrap()).await.unwrap();
            let ok = s.get_session(token).await.is_ok();
            s.close().await;
            ok
        })
    };
    let t = session("tzb");
    assert!(alive(&t));
    let out = ok(jixiao(d).args(["user", "disable", "tzb"]));
    assert!(out.contains("已停用"), "{out}");
    assert!(!alive(&t));
    assert!(ok(jixiao(d).args(["user", "list"])).contains("tzb\tunit\t某区统战部\t张三\t停用"));
    ok(jixiao(d).args(["user", "enable", "tzb"]));
    let t = session("tzb");
    let (code, _, err) = run(jixiao(d)
        .args(["user", "reset-password", "tzb"])
        .write_stdin("short\n"));
    assert_eq!(code, 2);
    assert!(err.contains("8 个字符"), "{err}");
    assert!(alive(&t), "a refused reset changes nothing");
    ok(jixiao(d)
        .args(["user", "reset-password", "tzb"])
        .write_stdin("another-long-pw\n"));
    assert!(!alive(&t));
    rt().block_on(async {
        let s = open(db.to_str().unwrap()).await.unwrap();
        let u = s.user_by_username("tzb").await.unwrap();
        assert!(jixiao_store::verify_password(
            "another-long-pw",
            &u.password_hash
        ));
        s.close().await;
    });
    let (code, _, err) = run(jixiao(d).args(["user", "disable", "nobody"]));
    assert_eq!(code, 2);
    assert!(err.contains("nobody"), "{err}");

    let out = ok(jixiao(d).args(["unassign", "sh", "某区统战部"]));
    assert!(out.contains("已取消"), "{out}");
    let out = ok(jixiao(d).args(["unassign", "sh", "某区统战部"]));
    assert!(out.contains("本来"), "{out}");
    assert_eq!(run(jixiao(d).args(["audit", "verify"])).0, 0);
}

/// `jixiao serve` on `database` once it listens (killed when dropped).
struct Server(Child);

impl Server {
    fn start(dir: &Path, database: &str) -> Server {
        let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("jixiao"))
            .current_dir(dir)
            .env_remove("JIXIAO_DATABASE")
            .args(["serve", "--bind", "127.0.0.1:0", "--database", database])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let out = BufReader::new(child.stdout.take().unwrap());
        let listening = out
            .lines()
            .map_while(Result::ok)
            .any(|line| line.contains("addr="));
        let server = Server(child);
        assert!(listening, "the server did not start");
        server
    }

    /// SIGTERM: a graceful stop, which gives the lease back.
    fn stop(mut self) {
        let pid = self.0.id().to_string();
        assert!(StdCommand::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success());
        self.0.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn restore_refuses_while_a_server_holds_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(jixiao(d).arg("init"));
    ok(jixiao(d).args(["unit", "add", "备份前的单位"]));
    ok(jixiao(d).args(["backup", "copy.db"]));
    ok(jixiao(d).args(["unit", "add", "备份后的单位"]));

    let server = Server::start(d, "jixiao.db");
    let (code, _, err) = run(jixiao(d).args(["restore", "copy.db"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("运行中的服务"), "{err}");
    assert!(files_with(d, ".restoring").is_empty());
    assert!(
        files_with(d, "before-restore").is_empty(),
        "nothing was moved"
    );
    server.stop();

    // Every failure path cleans up after itself.
    std::fs::write(d.join("garbage.db"), b"this is not a database").unwrap();
    for backup in ["missing.db", "garbage.db"] {
        let (code, _, err) = run(jixiao(d).args(["restore", backup]));
        assert_eq!(code, 2, "{backup}: {err}");
        assert!(
            files_with(d, ".restoring").is_empty(),
            "{backup}: {:?}",
            files_with(d, ".restoring")
        );
    }
    // A backup whose audit chain was tampered with.
    ok(jixiao(d).args(["backup", "tampered.db"]));
    rt().block_on(async {
        use sqlx::ConnectOptions;
        let mut c = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(d.join("tampered.db"))
            .connect()
            .await
            .unwrap();
        for sql in [
            "DROP TRIGGER audit_log_no_update",
            "UPDATE audit_log SET actor = 'someone else' WHERE seq = 1",
        ] {
            sqlx::query(sql).execute(&mut c).await.unwrap();
        }
    });
    let (code, _, err) = run(jixiao(d).args(["restore", "tampered.db"]));
    assert_eq!(code, 2);
    assert!(err.contains("审计日志"), "{err}");
    assert!(
        files_with(d, ".restoring").is_empty(),
        "{:?}",
        files_with(d, ".restoring")
    );
    let units = ok(jixiao(d).args(["unit", "list"]));
    assert!(
        units.contains("备份后的单位"),
        "the database is unchanged: {units}"
    );

    let out = ok(jixiao(d).args(["restore", "copy.db"]));
    assert!(out.contains("已从"), "{out}");
    let units = ok(jixiao(d).args(["unit", "list"]));
    assert!(
        units.contains("备份前的单位") && !units.contains("备份后的单位"),
        "{units}"
    );
    assert!(files_with(d, ".restoring").is_empty());
    // A restored database can be served (its copied leases are gone).
    Server::start(d, "jixiao.db").stop();
}

#[test]
fn audit_head_finds_a_cut_off_tail() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(jixiao(d).arg("init"));
    for u in ["甲单位", "乙单位", "丙单位"] {
        ok(jixiao(d).args(["unit", "add", u]));
    }
    let head = ok(jixiao(d).args(["audit", "head"])).trim().to_string();
    assert_eq!(head.len(), 64, "{head}");
    assert!(head.bytes().all(|b| b.is_ascii_hexdigit()));
    ok(jixiao(d).args(["unit", "add", "丁单位"]));
    ok(jixiao(d).args(["audit", "verify", "--expect-head", &head]));

    // Someone with the file cuts the last two records off.
    rt().block_on(async {
        use sqlx::ConnectOptions;
        let mut c = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(d.join("jixiao.db"))
            .connect()
            .await
            .unwrap();
        for sql in [
            "DROP TRIGGER audit_log_no_delete",
            "DELETE FROM audit_log WHERE seq >= 3",
        ] {
            sqlx::query(sql).execute(&mut c).await.unwrap();
        }
    });
    let (code, out, _) = run(jixiao(d).args(["audit", "verify"]));
    assert_eq!(code, 0, "the rest of the chain is intact: {out}");
    let (code, out, _) = run(jixiao(d).args(["audit", "verify", "--expect-head", &head]));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("截断"), "{out}");
}
