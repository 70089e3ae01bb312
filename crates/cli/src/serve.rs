//! `jixiao serve`: the JSON API on a store, with an optional demo set-up that needs nothing
//! but the binary (the seed filing is compiled in).

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use jixiao_domain::review::{Action, Grade, Opinions, Status};
use jixiao_store::{
    hash_password, open, open_existing, random_token, Actor, AnyStore, NewUser, Role, Store,
    StoreError,
};
use jixiao_web::services::User;
use jixiao_web::{AppState, ConfigFile};

/// The seed filing, for `--demo` from anywhere.
const SEED: &str = include_str!("../../../examples/seed-2023-shifeng-tongzhanbu.txt");
const DEMO_PARENT: &str = "株洲市石峰区财政局";
const DEMO_UNIT: &str = "中共株洲市石峰区委员会统一战线工作部";

pub struct ServeArgs {
    pub database: Option<String>,
    pub public_url: Option<String>,
    pub bind: SocketAddr,
    pub demo: bool,
    pub json_logs: bool,
    /// Limits, quotas and server work (docs/limits.md).
    pub config: ConfigFile,
}

pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let builder = tracing_subscriber::fmt().with_target(false);
    if args.json_logs {
        builder.json().init();
    } else {
        builder.init();
    }
    let database = match (&args.database, args.demo) {
        (Some(d), _) => d.clone(),
        (None, false) => "jixiao.db".to_string(),
        (None, true) => {
            let stamp = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis())
                .unwrap_or(0);
            let path: PathBuf = std::env::temp_dir().join(format!("jixiao-demo-{stamp}.db"));
            path.display().to_string()
        }
    };
    let public_url = args.public_url.as_deref().map(public_url).transpose()?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("无法启动运行时")?;
    rt.block_on(async move {
        // Only the demo may make its database; otherwise a mistyped path is an error.
        let store = if args.demo {
            open(&database).await
        } else {
            open_existing(&database).await
        }
        .with_context(|| format!("无法打开数据库 {database}"))?;
        if args.demo {
            demo(&store, &args.config).await?;
            say(&format!("演示数据库：{database}"));
        }
        say(&format!(
            "jixiao 已启动：在浏览器中打开 http://{}/ 登录（Ctrl+C 停止）",
            args.bind
        ));
        let mut config = args.config.into_config();
        config.public_url = public_url;
        let state = AppState::with(store, jixiao_domain::Profile::national(), config);
        jixiao_web::serve(state, args.bind, shutdown_signal())
            .await
            .context("服务异常退出")?;
        say("jixiao 已停止");
        anyhow::Ok(ExitCode::SUCCESS)
    })
}

/// `--public-url`: an `http://` or `https://` address with a host, without a trailing `/`.
fn public_url(url: &str) -> anyhow::Result<String> {
    let url = url.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .with_context(|| format!("--public-url 应以 https:// 或 http:// 开头：{url}"))?;
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty() || host.contains(['@', '?', '#', ' ']) {
        anyhow::bail!("--public-url 不是有效的地址：{url}");
    }
    Ok(url.to_string())
}

/// Print a line; a closed stdout (the operator's pipe went away) must not stop the server.
fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// Ctrl+C or SIGTERM: finish the requests in flight, then stop.
async fn shutdown_signal() {
    let ctrl_c = async {
        tokio::signal::ctrl_c().await.ok();
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// The seed's unit under its finance bureau, a unit user and a reviewer with fresh
/// passwords (printed), and the seed dossier imported. Safe to run again on the same file.
async fn demo(store: &AnyStore, config: &ConfigFile) -> anyhow::Result<()> {
    let actor = Actor::system("demo");
    let parent = match store.unit_by_name(DEMO_PARENT).await {
        Ok(u) => u,
        Err(StoreError::NotFound) => store.create_unit(DEMO_PARENT, None, &actor).await?,
        Err(e) => return Err(e.into()),
    };
    let unit = match store.unit_by_name(DEMO_UNIT).await {
        Ok(u) => u,
        Err(StoreError::NotFound) => {
            store
                .create_unit(DEMO_UNIT, Some(parent.id), &actor)
                .await?
        }
        Err(e) => return Err(e.into()),
    };
    let mut accounts = Vec::new();
    for (username, role, unit_id, label) in [
        ("tianbao", Role::Unit, Some(unit.id), "填报用户"),
        ("shenhe", Role::Reviewer, None, "审核用户"),
    ] {
        let password: String = random_token()?.chars().take(12).collect();
        let hash = hash_password(&password)?;
        let account = match store.user_by_username(username).await {
            Ok(u) => {
                store.set_password(u.id, &hash, &actor).await?;
                u
            }
            Err(StoreError::NotFound) => {
                store
                    .create_user(
                        &NewUser {
                            username,
                            password_hash: &hash,
                            role,
                            unit_id,
                        },
                        &actor,
                    )
                    .await?
            }
            Err(e) => return Err(e.into()),
        };
        say(&format!("{label}：用户名 {username}，密码 {password}"));
        accounts.push(account);
    }
    store
        .assign_reviewer(accounts[1].id, unit.id, &actor)
        .await?;
    let state = AppState::with(
        store.clone(),
        jixiao_domain::Profile::builtin("hunan-zhuzhou")?,
        config.clone().into_config(),
    );
    let filer = User {
        account: accounts[0].clone(),
        address: None,
    };
    // Last year's targets, approved, so 绩效运行监控 and 绩效自评 can be tried at once.
    if store.find_dossier(unit.id, 2022).await.is_err() {
        let saved = state
            .services()
            .upload(
                &filer,
                "2022年绩效目标表（示例）.txt",
                SEED.replace("2023年", "2022年").into_bytes(),
                None,
            )
            .await
            .map_err(|e| anyhow::anyhow!("导入示例档案失败：{e}"))?;
        let reviewer = Actor::user(&accounts[1], None);
        let approve = Action::Approve {
            grade: Grade::Good,
            opinions: Opinions {
                completeness: "要素齐全".into(),
                relevance: "与职能相符".into(),
                appropriateness: "目标与资金匹配".into(),
                feasibility: "措施可行".into(),
            },
        };
        let v = saved.version;
        store
            .transition(saved.id, Status::Draft, v, &Action::Submit, &reviewer)
            .await?;
        store
            .transition(saved.id, Status::Submitted, v, &approve, &reviewer)
            .await?;
        say(&format!(
            "已导入2022年度示例档案并审核通过（编号 {}），可在其上填报绩效运行监控和绩效自评",
            saved.id
        ));
    }
    if store.find_dossier(unit.id, 2023).await.is_err() {
        let saved = state
            .services()
            .upload(
                &filer,
                "2023年绩效目标表（示例）.txt",
                SEED.as_bytes().to_vec(),
                None,
            )
            .await
            .map_err(|e| anyhow::anyhow!("导入示例档案失败：{e}"))?;
        say(&format!(
            "已导入示例档案（编号 {}，{} 条审核意见）",
            saved.id,
            saved.findings.len()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_urls() {
        assert_eq!(
            public_url(" https://jixiao.example.gov.cn/ ").unwrap(),
            "https://jixiao.example.gov.cn"
        );
        assert_eq!(
            public_url("http://10.0.0.5:8080").unwrap(),
            "http://10.0.0.5:8080"
        );
        for bad in ["jixiao.example", "ftp://x", "https://", "https://u@evil/"] {
            let e = public_url(bad).unwrap_err().to_string();
            assert!(e.contains("--public-url"), "{bad}: {e}");
        }
    }
}
