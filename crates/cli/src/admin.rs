//! Maintenance commands on the store: units, users, reviewer assignments, backup, restore
//! and audit verification. The web server (issue 4) uses the same store.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Args, Subcommand};

use jixiao_store::{hash_password, open, Actor, AnyStore, NewUser, Role, Store};

/// Where the data lives: an SQLite file (default `jixiao.db`), `sqlite://…` or `postgres://…`.
#[derive(Args, Clone)]
pub struct DbArgs {
    /// (before or after the subcommand: `jixiao audit verify --database x.db`)
    #[arg(
        long,
        env = "JIXIAO_DATABASE",
        default_value = "jixiao.db",
        global = true
    )]
    pub database: String,
}

#[derive(Subcommand)]
pub enum UnitCmd {
    /// 新增预算单位
    Add {
        name: String,
        /// 主管部门（上级单位名称）
        #[arg(long)]
        parent: Option<String>,
    },
    /// 列出全部单位
    List,
}

#[derive(Subcommand)]
pub enum UserCmd {
    /// 新增用户（密码从标准输入读取一行）
    Add {
        #[arg(long)]
        username: String,
        /// unit（填报）、reviewer（财政审核）或 admin（管理员）
        #[arg(long)]
        role: String,
        /// 所属单位（unit 角色必填）
        #[arg(long)]
        unit: Option<String>,
    },
    /// 列出全部用户
    List,
}

#[derive(Subcommand)]
pub enum AuditCmd {
    /// 校验审计日志的哈希链是否完整
    Verify,
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("无法启动运行时")
}

async fn connect(db: &DbArgs) -> anyhow::Result<AnyStore> {
    open(&db.database)
        .await
        .with_context(|| format!("无法打开数据库 {}", redact(&db.database)))
}

/// A database address without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

fn cli_actor() -> Actor {
    Actor::system("cli")
}

/// One line from standard input (the password), without the line break.
fn read_password() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("请输入密码（输入后回车）：");
        std::io::stderr().flush().ok();
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line).context("无法读取密码")?;
    let pw = line.trim_end_matches(['\n', '\r']).to_string();
    if pw.chars().count() < 8 {
        bail!("密码至少需要 8 个字符");
    }
    Ok(pw)
}

pub fn unit(db: &DbArgs, cmd: UnitCmd) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let store = connect(db).await?;
        match cmd {
            UnitCmd::Add { name, parent } => {
                let parent_id = match parent {
                    Some(p) => Some(
                        store
                            .unit_by_name(&p)
                            .await
                            .with_context(|| format!("找不到上级单位“{p}”"))?
                            .id,
                    ),
                    None => None,
                };
                let u = store
                    .create_unit(name.trim(), parent_id, &cli_actor())
                    .await?;
                println!("已新增单位“{}”（编号 {}）", u.name, u.id);
            }
            UnitCmd::List => {
                for u in store.list_units().await? {
                    println!(
                        "{}\t{}\t{}",
                        u.id,
                        u.name,
                        u.parent_id.map(|p| p.to_string()).unwrap_or_default()
                    );
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

pub fn user(db: &DbArgs, cmd: UserCmd) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let store = connect(db).await?;
        match cmd {
            UserCmd::Add {
                username,
                role,
                unit,
            } => {
                let role = Role::parse(&role)
                    .with_context(|| format!("未知角色“{role}”，可用：unit、reviewer、admin"))?;
                let unit_id = match unit {
                    Some(u) => Some(
                        store
                            .unit_by_name(&u)
                            .await
                            .with_context(|| format!("找不到单位“{u}”"))?
                            .id,
                    ),
                    None if role == Role::Unit => {
                        bail!("填报用户（unit）必须用 --unit 指定所属单位")
                    }
                    None => None,
                };
                let hash = hash_password(&read_password()?)?;
                let new = NewUser {
                    username: username.trim(),
                    password_hash: &hash,
                    role,
                    unit_id,
                };
                let u = store.create_user(&new, &cli_actor()).await?;
                println!("已新增用户“{}”（{}）", u.username, role.code());
            }
            UserCmd::List => {
                for u in store.list_users().await? {
                    println!("{}\t{}\t{}", u.id, u.username, u.role.code());
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

pub fn assign(db: &DbArgs, reviewer: &str, unit: &str) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let store = connect(db).await?;
        let r = store
            .user_by_username(reviewer)
            .await
            .with_context(|| format!("找不到用户“{reviewer}”"))?;
        let u = store
            .unit_by_name(unit)
            .await
            .with_context(|| format!("找不到单位“{unit}”"))?;
        let new = store.assign_reviewer(r.id, u.id, &cli_actor()).await?;
        println!(
            "{}审核人“{}”负责单位“{}”",
            if new { "已指定" } else { "已存在：" },
            r.username,
            u.name
        );
        Ok(ExitCode::SUCCESS)
    })
}

pub fn backup(db: &DbArgs, file: &Path) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let store = connect(db).await?;
        store.backup(file).await?;
        println!("已备份到 {}", file.display());
        Ok(ExitCode::SUCCESS)
    })
}

/// Replace the SQLite database with a backup: the backup must open and its audit chain must
/// verify; the current file is kept beside it, never deleted.
pub fn restore(db: &DbArgs, file: &Path) -> anyhow::Result<ExitCode> {
    let target = sqlite_path(&db.database)?;
    if !file.is_file() {
        bail!("找不到备份文件 {}", file.display());
    }
    // Check a copy, not the backup itself: opening a database may touch it.
    let staging = target.with_extension("restoring");
    std::fs::copy(file, &staging).with_context(|| format!("无法写入 {}", staging.display()))?;
    let checked = runtime()?.block_on(async {
        let copy = jixiao_store::SqliteStore::open(&staging)
            .await
            .context("备份文件无法打开")?;
        let report = copy.verify_audit().await?;
        copy.close().await;
        if let Some(b) = report.broken {
            bail!(
                "备份文件的审计日志在第 {} 条处不完整：{}，已拒绝恢复",
                b.seq,
                b.problem
            );
        }
        anyhow::Ok(())
    });
    if let Err(e) = checked {
        std::fs::remove_file(&staging).ok();
        return Err(e);
    }
    if target.exists() {
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let kept = PathBuf::from(format!("{}.before-restore-{stamp}", target.display()));
        std::fs::rename(&target, &kept)
            .with_context(|| format!("无法保留原数据库 {}", target.display()))?;
        for ext in ["-wal", "-shm"] {
            let side = PathBuf::from(format!("{}{ext}", target.display()));
            if side.exists() {
                std::fs::rename(&side, format!("{}{ext}", kept.display())).ok();
            }
        }
        println!("原数据库已保留为 {}", kept.display());
    }
    std::fs::rename(&staging, &target).with_context(|| format!("无法替换 {}", target.display()))?;
    println!(
        "已从 {} 恢复到 {}（请在服务停止时执行恢复）",
        file.display(),
        target.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn sqlite_path(database: &str) -> anyhow::Result<PathBuf> {
    let d = database.trim();
    if d.starts_with("postgres://") || d.starts_with("postgresql://") {
        bail!("PostgreSQL 请用 pg_restore 恢复，见 docs/storage.md");
    }
    let path = d
        .strip_prefix("sqlite://")
        .or_else(|| d.strip_prefix("sqlite:"))
        .unwrap_or(d);
    Ok(PathBuf::from(path.split('?').next().unwrap_or(path)))
}

pub fn audit(db: &DbArgs, cmd: AuditCmd) -> anyhow::Result<ExitCode> {
    let AuditCmd::Verify = cmd;
    runtime()?.block_on(async {
        let store = connect(db).await?;
        let report = store.verify_audit().await?;
        match report.broken {
            None => {
                println!(
                    "审计日志完整：共 {} 条，链头 {}",
                    report.checked, report.head
                );
                Ok(ExitCode::SUCCESS)
            }
            Some(b) => {
                println!(
                    "审计日志在第 {} 条处被篡改或损坏：{}（此前 {} 条完好）",
                    b.seq, b.problem, report.checked
                );
                Ok(ExitCode::from(1))
            }
        }
    })
}

/// The forms of a stored dossier's current version, by id or by unit and year (for export).
pub fn dossier_forms(
    db: &DbArgs,
    dossier: Option<i64>,
    unit_year: Option<(&str, i64)>,
) -> anyhow::Result<Vec<jixiao_domain::model::Form>> {
    let plain_file = !db.database.contains("://");
    if plain_file && !Path::new(&db.database).exists() {
        bail!("数据库文件 {} 不存在", db.database);
    }
    runtime()?.block_on(async {
        let store = connect(db).await?;
        let d = match (dossier, unit_year) {
            (Some(id), _) => store
                .get_dossier(id)
                .await
                .with_context(|| format!("找不到档案 {id}"))?,
            (None, Some((unit, year))) => {
                let u = store
                    .unit_by_name(unit)
                    .await
                    .with_context(|| format!("找不到单位“{unit}”"))?;
                store
                    .find_dossier(u.id, year)
                    .await
                    .with_context(|| format!("找不到“{unit}”{year}年度的档案"))?
            }
            (None, None) => bail!("请指定 --dossier 或 --unit 与 --year"),
        };
        let v = store
            .get_version(d.id, d.current_version)
            .await
            .with_context(|| format!("无法读取档案 {} 的当前版本", d.id))?;
        Ok(v.forms)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(
            redact("postgres://app:secret@db:5432/jixiao"),
            "postgres://app:***@db:5432/jixiao"
        );
        assert_eq!(redact("jixiao.db"), "jixiao.db");
        assert_eq!(
            sqlite_path("sqlite://data/j.db?mode=rwc").unwrap(),
            PathBuf::from("data/j.db")
        );
        assert!(sqlite_path("postgres://x@y/z").is_err());
    }
}
