//! Fills an empty store with N dossiers for the server benchmark (bench/server.sh).
//!
//! Every dossier goes through the same service the API's `POST /api/dossiers` uses
//! (import, all rules of the national profile, `create_dossier`), from the seed filing
//! rewritten for its unit and year, so the stored forms and findings are real ones. Every
//! fifth dossier also gets a second version through the `PUT /api/dossiers/{id}` service
//! (`save_version`, rules run again). Units are spread over the districts of 株洲市, five
//! budget years each (2021–2025). An admin account (password: one line on stdin) is
//! created for the load generator to log in with.
//!
//! ```sh
//! echo "$PASSWORD" | cargo run --release --example fill -- \
//!     --database bench.db --count 10000 --admin bench-admin
//! ```
//!
//! With `--publish` every dossier is then submitted, approved (良, by the admin) and every
//! year published, so the public pages have 10,000 published dossiers to serve.
//!
//! The last line of output is `ids FIRST LAST` (the dossier id range).

use std::io::BufRead;
use std::time::Instant;

use anyhow::{bail, Context};
use clap::Parser;
use jixiao_domain::Profile;
use jixiao_store::{hash_password, open, Actor, AnyStore, DossierFilter, NewUser, Role, Store};
use jixiao_web::services::{Config, User};
use jixiao_web::AppState;
use tokio::task::JoinSet;

const SEED: &str = include_str!("../../../examples/seed-2023-shifeng-tongzhanbu.txt");
const SEED_UNIT: &str = "中共株洲市石峰区委员会统一战线工作部";
const SEED_YEAR: &str = "2023年";
const YEARS: [i64; 5] = [2021, 2022, 2023, 2024, 2025];
const DISTRICTS: [&str; 9] = [
    "石峰区",
    "荷塘区",
    "芦淞区",
    "天元区",
    "渌口区",
    "醴陵市",
    "攸县",
    "茶陵县",
    "炎陵县",
];
const DEPARTMENTS: [&str; 12] = [
    "委员会统一战线工作部",
    "教育局",
    "卫生健康局",
    "民政局",
    "农业农村局",
    "交通运输局",
    "住房和城乡建设局",
    "文化旅游广电体育局",
    "人力资源和社会保障局",
    "市场监督管理局",
    "应急管理局",
    "城市管理和综合执法局",
];
/// Uploads in flight at once (import and rules run on the blocking pool; SQLite
/// serialises the writes anyway).
const IN_FLIGHT: usize = 8;

#[derive(Parser)]
#[command(about = "Fill an empty jixiao store with N dossiers for benchmarks")]
struct Args {
    /// SQLite file path or postgres:// URL (must hold no dossiers yet).
    #[arg(long)]
    database: String,
    /// How many dossiers.
    #[arg(long, default_value_t = 10_000)]
    count: usize,
    /// Username of the admin account created for the load generator.
    #[arg(long, default_value = "bench-admin")]
    admin: String,
    /// Then submit, approve (良) and publish every dossier (预算公开), for the public pages.
    #[arg(long)]
    publish: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut password = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut password)
        .context("无法读取密码")?;
    let password = password.trim_end_matches(['\n', '\r']).to_string();
    if password.chars().count() < 8 {
        bail!("密码至少需要 8 个字符");
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(fill(args, password))
}

async fn fill(args: Args, password: String) -> anyhow::Result<()> {
    let started = Instant::now();
    let store = open(&args.database).await?;
    let existing = store.list_dossiers(&DossierFilter::default()).await?.total;
    if existing > 0 {
        bail!("数据库里已有 {existing} 份档案，请用一个空数据库");
    }
    let actor = Actor::system("bench-fill");
    let hash = hash_password(&password)?;
    let admin = store
        .create_user(
            &NewUser {
                username: &args.admin,
                password_hash: &hash,
                role: Role::Admin,
                unit_id: None,
            },
            &actor,
        )
        .await?;

    // Units: one 财政局 per district as 主管部门, then departments numbered within it.
    let n_units = args.count.div_ceil(YEARS.len());
    let mut parents = Vec::new();
    for d in DISTRICTS {
        parents.push(
            store
                .create_unit(&format!("株洲市{d}财政局"), None, &actor)
                .await?,
        );
    }
    let mut units = Vec::with_capacity(n_units);
    for i in 0..n_units {
        let district = i % DISTRICTS.len();
        let dept = DEPARTMENTS[(i / DISTRICTS.len()) % DEPARTMENTS.len()];
        let round = i / (DISTRICTS.len() * DEPARTMENTS.len());
        let name = if dept.starts_with("委员会") {
            format!("中共株洲市{}{dept}", DISTRICTS[district])
        } else {
            format!("株洲市{}{dept}", DISTRICTS[district])
        };
        let name = if round == 0 {
            name
        } else {
            format!("{name}第{round}所属单位")
        };
        units.push(
            store
                .create_unit(&name, Some(parents[district].id), &actor)
                .await?,
        );
    }
    println!(
        "{} units, admin “{}” ({:.1} s)",
        units.len(),
        admin.username,
        started.elapsed().as_secs_f64()
    );

    let state = AppState::with(store.clone(), Profile::national(), Config::default());
    let filer = User {
        account: admin,
        address: Some("127.0.0.1".into()),
    };
    let mut tasks = JoinSet::new();
    let (mut first, mut last, mut versions, mut findings) = (i64::MAX, i64::MIN, 0usize, 0usize);
    for i in 0..args.count {
        let unit = units[i / YEARS.len()].name.clone();
        let year = YEARS[i % YEARS.len()];
        let text = SEED
            .replace(SEED_UNIT, &unit)
            .replace(SEED_YEAR, &format!("{year}年"));
        let (state, filer) = (state.clone(), filer.clone());
        tasks.spawn(async move {
            let file = format!("{year}年{unit}绩效目标表.txt");
            let saved = state
                .services()
                .upload(&filer, &file, text.into_bytes(), Some(&unit))
                .await
                .map_err(|e| anyhow::anyhow!("上传 {file} 失败：{e}"))?;
            let mut versions = 1;
            if i % 5 == 4 {
                let detail = state.services().get(&filer, saved.id).await?;
                state
                    .services()
                    .save(&filer, saved.id, detail.forms, saved.version, None)
                    .await
                    .map_err(|e| anyhow::anyhow!("保存 {file} 失败：{e}"))?;
                versions += 1;
            }
            anyhow::Ok((saved.id, versions, saved.findings.len()))
        });
        while tasks.len() >= IN_FLIGHT {
            let (id, v, f) = tasks.join_next().await.expect("tasks in flight")??;
            (first, last) = (first.min(id), last.max(id));
            versions += v;
            findings += f;
        }
        if (i + 1) % 1000 == 0 {
            println!(
                "{} dossiers ({:.1} s)",
                i + 1,
                started.elapsed().as_secs_f64()
            );
        }
    }
    while let Some(r) = tasks.join_next().await {
        let (id, v, f) = r??;
        (first, last) = (first.min(id), last.max(id));
        versions += v;
        findings += f;
    }
    let total = store.list_dossiers(&DossierFilter::default()).await?.total;
    if args.publish {
        publish_all(&store, &filer.account).await?;
        println!(
            "approved and published {total} dossiers ({:.1} s)",
            started.elapsed().as_secs_f64()
        );
    }
    store.close().await;
    println!(
        "{total} dossiers, {versions} versions, {findings} findings in version 1 ({:.1} s)",
        started.elapsed().as_secs_f64()
    );
    println!("ids {first} {last}");
    Ok(())
}

/// Submits and approves every dossier (the admin reviews: no unit of its own), then
/// publishes each year.
async fn publish_all(store: &AnyStore, admin: &jixiao_store::User) -> anyhow::Result<()> {
    use jixiao_domain::review::{Action, Grade, Opinions, Status};
    let actor = Actor::user(admin, Some("127.0.0.1".into()));
    let approve = Action::Approve {
        grade: Grade::Good,
        opinions: Opinions {
            completeness: "要素齐全".into(),
            relevance: "与职能相符".into(),
            appropriateness: "目标与资金匹配".into(),
            feasibility: "措施可行".into(),
        },
    };
    loop {
        let page = store
            .list_dossiers(&DossierFilter {
                statuses: vec![Status::Draft],
                limit: jixiao_store::MAX_PAGE,
                ..DossierFilter::default()
            })
            .await?;
        if page.items.is_empty() {
            break;
        }
        let mut tasks = JoinSet::new();
        for d in page.items {
            let (store, actor, approve) = (store.clone(), actor.clone(), approve.clone());
            tasks.spawn(async move {
                let v = d.current_version;
                store
                    .transition(d.id, Status::Draft, v, &Action::Submit, &actor)
                    .await?;
                store
                    .transition(d.id, Status::Submitted, v, &approve, &actor)
                    .await?;
                anyhow::Ok(())
            });
            while tasks.len() >= IN_FLIGHT {
                tasks.join_next().await.expect("tasks in flight")??;
            }
        }
        while let Some(r) = tasks.join_next().await {
            r??;
        }
    }
    for year in YEARS {
        let selection = jixiao_store::publications::Selection {
            year,
            ..Default::default()
        };
        store.publish(&selection, &actor).await?;
    }
    Ok(())
}
