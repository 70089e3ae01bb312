//! `jixiao serve --demo` from the real binary: it seeds the demo unit, users and dossier,
//! answers over TCP, and stops cleanly on SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn http_get(addr: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn demo_server_starts_answers_and_stops() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("jixiao"))
        .args(["serve", "--demo", "--bind", "127.0.0.1:0", "--database"])
        .arg(&db)
        .env_remove("JIXIAO_DATABASE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The listening address (port 0 → chosen by the OS) is in the log line on stdout.
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let mut printed = Vec::new();
    let mut addr = None;
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut stdout = stdout;
    for line in stdout.by_ref().lines() {
        let line = line.unwrap();
        if let Some(i) = line.find("addr=") {
            addr = line[i + 5..].split_whitespace().next().map(str::to_string);
        }
        printed.push(line);
        if addr.is_some() || Instant::now() > deadline {
            break;
        }
    }
    let addr = addr.unwrap_or_else(|| panic!("no address in {printed:?}"));
    // Keep reading what the server prints until it exits.
    let rest = std::thread::spawn(move || stdout.lines().map_while(Result::ok).collect::<Vec<_>>());
    let all = printed.join("\n");
    assert!(all.contains("填报用户：用户名 tianbao，密码 "), "{all}");
    assert!(all.contains("审核用户：用户名 shenhe，密码 "), "{all}");
    assert!(all.contains("已导入示例档案"), "{all}");
    assert!(all.contains("已导入2022年度示例档案并审核通过"), "{all}");
    let health = http_get(&addr, "/healthz");
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    let list = http_get(&addr, "/api/dossiers");
    assert!(
        list.starts_with("HTTP/1.1 401"),
        "no list without login: {list}"
    );
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let code = child.wait().unwrap();
    assert!(code.success(), "graceful stop exits 0: {code:?}");
    let rest = rest.join().unwrap().join("\n");
    assert!(rest.contains("jixiao 已停止"), "{rest}");
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).ok();
    assert!(!err.contains("panicked"), "{err}");
}
