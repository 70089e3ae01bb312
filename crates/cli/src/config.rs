//! The configuration file (`--config FILE` or `JIXIAO_CONFIG`): TOML with the sections
//! `[limits]`, `[quotas]` and `[server]` of docs/limits.md. Every key is optional; an
//! unknown one is an error, so a misspelt limit never passes silently.

use std::path::Path;

use anyhow::Context;
use jixiao_web::ConfigFile;

/// The configuration in `path`, or the defaults when there is none.
pub fn load(path: Option<&Path>) -> anyhow::Result<ConfigFile> {
    let Some(path) = path else {
        return Ok(ConfigFile::default());
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("无法读取配置文件 {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("配置文件 {} 有误", path.display()))
}
