//! The configuration file of `serve` and `check` (docs/limits.md): the documented block is
//! the defaults, `check --config` applies its limits, a misspelt key is an error.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use jixiao_web::ConfigFile;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The first ```toml block of docs/limits.md.
fn documented() -> String {
    let doc = std::fs::read_to_string(root().join("docs/limits.md")).unwrap();
    let start = doc.find("```toml\n").unwrap() + "```toml\n".len();
    let end = start + doc[start..].find("```").unwrap();
    doc[start..end].to_string()
}

#[test]
fn the_documented_configuration_is_the_default_and_complete() {
    let text = documented();
    let parsed: ConfigFile = toml::from_str(&text).expect("the documented block parses");
    assert_eq!(parsed, ConfigFile::default());
    let doc: toml::Table = text.parse().unwrap();
    let all = serde_json::to_value(ConfigFile::default()).unwrap();
    for (section, keys) in all.as_object().unwrap() {
        let mut want: Vec<&String> = keys.as_object().unwrap().keys().collect();
        let mut have: Vec<&String> = doc[section].as_table().unwrap().keys().collect();
        want.sort();
        have.sort();
        assert_eq!(have, want, "[{section}] lists every key");
    }
}

#[test]
fn check_applies_the_limits_of_its_configuration_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("jixiao.toml");
    std::fs::write(&config, "[limits]\nmax_indicators = 10\n").unwrap();
    let seed = root().join("examples/seed-2023-shifeng-tongzhanbu.txt");
    let out = Command::cargo_bin("jixiao")
        .unwrap()
        .args(["check", "--format", "json", "--config"])
        .arg(&config)
        .arg(&seed)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "a file over a limit is unreadable"
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let error = v["files"][0]["error"].as_str().unwrap();
    assert!(
        error.contains("有 11 条绩效指标，每张表最多 10 条"),
        "{error}"
    );
    // Without the file, the defaults: the seed is well within them.
    let out = Command::cargo_bin("jixiao")
        .unwrap()
        .args(["check", "--format", "json"])
        .arg(&seed)
        .env_remove("JIXIAO_CONFIG")
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(2));

    std::fs::write(&config, "[limits]\nmax_indikators = 10\n").unwrap();
    let out = Command::cargo_bin("jixiao")
        .unwrap()
        .args(["check", "--config"])
        .arg(&config)
        .arg(&seed)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("配置文件") && err.contains("max_indikators"),
        "{err}"
    );
}
