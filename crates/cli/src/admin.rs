//! Maintenance commands on the store: creating the database, units, users, reviewer
//! assignments, backup, restore and the audit chain. The web server uses the same store.
//! Every command but `init` needs an existing database: a mistyped `--database` is an
//! error, never a new empty file.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Args, Subcommand};

use jixiao_store::{
    hash_password, open, open_existing, sqlite_file, Actor, AnyStore, LeaseKind, NewUser, Role,
    SqliteStore, Store, User,
};

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
        /// 登录用户名（以后不能更改）
        #[arg(long)]
        username: String,
        /// unit（填报）、reviewer（财政审核）或 admin（管理员）
        #[arg(long)]
        role: String,
        /// 所属单位（unit 角色必填；审核人员不能属于单位）
        #[arg(long)]
        unit: Option<String>,
        /// 显示名称（真实姓名，显示在页面和导出中）
        #[arg(long)]
        name: Option<String>,
    },
    /// 列出全部用户：编号、用户名、角色、单位、显示名称、状态
    List,
    /// 停用账号（立即退出其全部登录）
    Disable { username: String },
    /// 重新启用账号
    Enable { username: String },
    /// 重设密码（新密码从标准输入读取一行；立即退出其全部登录）
    ResetPassword { username: String },
    /// 设置显示名称（真实姓名；登录用户名不变）
    Rename { username: String, name: String },
}

#[derive(Subcommand)]
pub enum AuditCmd {
    /// 校验审计日志的哈希链是否完整
    Verify {
        /// 先前保存的链头（jixiao audit head 的输出）：日志中已没有它时报告日志被截断
        #[arg(long)]
        expect_head: Option<String>,
    },
    /// 输出审计日志当前的链头（请另行保存，以后用 verify --expect-head 核对）
    Head,
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("无法启动运行时")
}

/// The existing database (`jixiao init` creates one).
pub(crate) async fn connect(db: &DbArgs) -> anyhow::Result<AnyStore> {
    open_existing(&db.database)
        .await
        .with_context(|| format!("无法打开数据库 {}", redact(&db.database)))
}

/// `jixiao init`: creates the SQLite file (or uses the existing PostgreSQL database) and
/// brings its tables up to date. Harmless on an existing database.
pub fn init(db: &DbArgs) -> anyhow::Result<ExitCode> {
    let existed = sqlite_file(&db.database).is_none_or(|p| p.exists());
    runtime()?.block_on(async {
        let store = open(&db.database)
            .await
            .with_context(|| format!("无法新建数据库 {}", redact(&db.database)))?;
        store.close().await;
        if existed {
            println!("数据库 {} 已存在，表结构已是最新", redact(&db.database));
        } else {
            println!("已新建数据库 {}", redact(&db.database));
        }
        Ok(ExitCode::SUCCESS)
    })
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

async fn user_named(store: &AnyStore, username: &str) -> anyhow::Result<User> {
    store
        .user_by_username(username)
        .await
        .with_context(|| format!("找不到用户“{username}”"))
}

async fn unit_named(store: &AnyStore, name: &str) -> anyhow::Result<jixiao_store::Unit> {
    store
        .unit_by_name(name)
        .await
        .with_context(|| format!("找不到单位“{name}”"))
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
                name,
            } => {
                let role = Role::parse(&role)
                    .with_context(|| format!("未知角色“{role}”，可用：unit、reviewer、admin"))?;
                let unit_id = match unit {
                    Some(u) => Some(unit_named(&store, &u).await?.id),
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
                let mut u = store.create_user(&new, &cli_actor()).await?;
                if let Some(name) = name.filter(|n| !n.trim().is_empty()) {
                    u = store.rename_user(u.id, &name, &cli_actor()).await?;
                }
                println!("已新增用户“{}”（{}）", u.shown_name(), role.code());
            }
            UserCmd::List => {
                let units = store.list_units().await?;
                let unit_name = |id: Option<i64>| {
                    id.and_then(|id| units.iter().find(|u| u.id == id))
                        .map(|u| u.name.as_str())
                        .unwrap_or_default()
                };
                for u in store.list_users().await? {
                    println!(
                        "{}\t{}\t{}\t{}\t{}\t{}",
                        u.id,
                        u.username,
                        u.role.code(),
                        unit_name(u.unit_id),
                        u.display_name,
                        if u.enabled { "启用" } else { "停用" }
                    );
                }
            }
            UserCmd::Disable { username } => {
                let u = user_named(&store, &username).await?;
                store.set_user_enabled(u.id, false, &cli_actor()).await?;
                println!("已停用用户“{}”，其全部登录已退出", u.username);
            }
            UserCmd::Enable { username } => {
                let u = user_named(&store, &username).await?;
                store.set_user_enabled(u.id, true, &cli_actor()).await?;
                println!("已启用用户“{}”", u.username);
            }
            UserCmd::ResetPassword { username } => {
                let u = user_named(&store, &username).await?;
                let hash = hash_password(&read_password()?)?;
                store.set_password(u.id, &hash, &cli_actor()).await?;
                println!("已重设用户“{}”的密码，其全部登录已退出", u.username);
            }
            UserCmd::Rename { username, name } => {
                let u = user_named(&store, &username).await?;
                let u = store.rename_user(u.id, &name, &cli_actor()).await?;
                println!("用户“{}”的显示名称为“{}”", u.username, u.shown_name());
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

pub fn assign(db: &DbArgs, reviewer: &str, unit: &str) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let store = connect(db).await?;
        let r = user_named(&store, reviewer).await?;
        let u = unit_named(&store, unit).await?;
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

pub fn unassign(db: &DbArgs, reviewer: &str, unit: &str) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let store = connect(db).await?;
        let r = user_named(&store, reviewer).await?;
        let u = unit_named(&store, unit).await?;
        if store.unassign_reviewer(r.id, u.id, &cli_actor()).await? {
            println!("已取消审核人“{}”对单位“{}”的审核", r.username, u.name);
        } else {
            println!("审核人“{}”本来就不负责单位“{}”", r.username, u.name);
        }
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

/// A staging file beside the database and its SQLite side files, removed when dropped
/// unless it was moved into place: no `*.restoring-*` file survives a failed restore.
struct Staging(PathBuf);

impl Staging {
    fn side(&self, suffix: &str) -> PathBuf {
        PathBuf::from(format!("{}{suffix}", self.0.display()))
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let p = self.side(suffix);
            if p.exists() {
                std::fs::remove_file(&p).ok();
            }
        }
    }
}

/// How long a restore may take before its lease runs out.
const RESTORE_LEASE: std::time::Duration = std::time::Duration::from_secs(600);

fn holder(what: &str) -> String {
    format!("jixiao {what}，进程 {}", std::process::id())
}

fn stamp() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Replace the SQLite database with a backup. Refused while a server holds the database
/// (its lease); the backup must open and its audit chain must verify; the current file is
/// kept beside it, never deleted; a failure leaves the database and the folder as they were.
pub fn restore(db: &DbArgs, file: &Path) -> anyhow::Result<ExitCode> {
    let target = match sqlite_file(&db.database) {
        Some(t) => t,
        None if db.database.contains("postgres") => {
            bail!("PostgreSQL 请用 pg_restore 恢复，见 docs/storage.md")
        }
        None => bail!("只能恢复 SQLite 数据库文件"),
    };
    if !file.is_file() {
        bail!("找不到备份文件 {}", file.display());
    }
    runtime()?.block_on(async {
        // Claim the live database first: refused while a server holds it, and a server
        // started meanwhile refuses to start.
        let live = if target.exists() {
            let store = SqliteStore::open(&target)
                .await
                .with_context(|| format!("无法打开数据库 {}", target.display()))?;
            match store
                .take_lease(LeaseKind::Restore, &holder("restore"), RESTORE_LEASE)
                .await
            {
                Ok(lease) => Some((store, lease)),
                Err(e) => {
                    store.close().await;
                    bail!("{e}，未恢复");
                }
            }
        } else {
            None
        };
        let mut done = replace(&target, file).await;
        if let Some((store, lease)) = live {
            if done.is_ok() {
                // Its WAL into its file, so it moves aside whole.
                if let Err(e) = store.checkpoint().await {
                    done = Err(e.into());
                }
            }
            if done.is_err() {
                // Nothing changed: a server may start again.
                store.release_lease(&lease.id).await.ok();
            }
            store.close().await;
        }
        let kept = done?;
        // Move the old database (and its side files) aside, then the copy in.
        if target.exists() {
            let aside = PathBuf::from(format!("{}.before-restore-{}", target.display(), stamp()));
            std::fs::rename(&target, &aside)
                .with_context(|| format!("无法保留原数据库 {}", target.display()))?;
            for suffix in ["-wal", "-shm"] {
                let side = PathBuf::from(format!("{}{suffix}", target.display()));
                if side.exists() {
                    let to = format!("{}{suffix}", aside.display());
                    std::fs::rename(&side, &to).with_context(|| {
                        format!(
                            "无法移走 {}（原数据库已保留为 {}，请手工处理后重试）",
                            side.display(),
                            aside.display()
                        )
                    })?;
                }
            }
            println!("原数据库已保留为 {}", aside.display());
        }
        std::fs::rename(&kept.0, &target)
            .with_context(|| format!("无法替换 {}", target.display()))?;
        println!("已从 {} 恢复到 {}", file.display(), target.display());
        Ok(ExitCode::SUCCESS)
    })
}

/// A checked copy of `backup` beside `target`, ready to move into place: it opens, its
/// audit chain verifies, and the leases it was backed up with are gone.
async fn replace(target: &Path, backup: &Path) -> anyhow::Result<Staging> {
    let staging = Staging(PathBuf::from(format!(
        "{}.restoring-{}",
        target.display(),
        stamp()
    )));
    std::fs::copy(backup, &staging.0)
        .with_context(|| format!("无法写入 {}", staging.0.display()))?;
    let copy = SqliteStore::open(&staging.0)
        .await
        .context("备份文件无法打开（不是 jixiao 的 SQLite 数据库或已损坏）")?;
    let checked = async {
        let report = copy.verify_audit().await?;
        if let Some(b) = report.broken {
            bail!(
                "备份文件的审计日志在第 {} 条处不完整：{}，已拒绝恢复",
                b.seq,
                b.problem
            );
        }
        copy.clear_leases().await?;
        // The file alone must be the database: it is moved without its WAL.
        copy.checkpoint().await?;
        anyhow::Ok(())
    }
    .await;
    copy.close().await;
    checked?;
    if staging.side("-wal").metadata().is_ok_and(|m| m.len() > 0) {
        bail!("备份副本的预写日志未能合并，已拒绝恢复");
    }
    Ok(staging)
}

pub fn audit(db: &DbArgs, cmd: AuditCmd) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let store = connect(db).await?;
        let expected = match cmd {
            AuditCmd::Head => {
                let (seq, hash) = store.audit_head().await?;
                println!("{hash}");
                eprintln!(
                    "审计日志共 {seq} 条，以上为链头：请另行保存，以后用 jixiao audit verify --expect-head 核对"
                );
                return Ok(ExitCode::SUCCESS);
            }
            AuditCmd::Verify { expect_head } => expect_head,
        };
        let report = match &expected {
            Some(head) => store.verify_audit_to(head).await?,
            None => store.verify_audit().await?,
        };
        match report.broken {
            None => {
                println!(
                    "审计日志完整：共 {} 条，链头 {}{}",
                    report.checked,
                    report.head,
                    if expected.is_some() {
                        "（包含保存的链头）"
                    } else {
                        ""
                    }
                );
                Ok(ExitCode::SUCCESS)
            }
            Some(b) => {
                println!(
                    "审计日志在第 {} 条处被篡改、损坏或截断：{}（此前 {} 条完好）",
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
    runtime()?.block_on(async {
        let store = connect(db).await?;
        let d = match (dossier, unit_year) {
            (Some(id), _) => store
                .get_dossier(id)
                .await
                .with_context(|| format!("找不到档案 {id}"))?,
            (None, Some((unit, year))) => {
                let u = unit_named(&store, unit).await?;
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
    }
}
