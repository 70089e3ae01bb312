//! Quotas read from the database (`Usage`), stale saves on dossiers that take no edits, and
//! several processes opening one database (migrations once). SQLite always; PostgreSQL
//! when `TEST_DATABASE_URL` is set (a throwaway database per case).

use std::future::Future;
use std::time::Duration;

use jixiao_domain::review::{Action, Grade, Opinions, Status};
use jixiao_domain::{DepartmentOverall, Form};
use jixiao_store::testing::{create_pg_database, drop_pg_database};
use jixiao_store::{
    Actor, AnyStore, NewUser, PgStore, Role, SaveKind, SqliteStore, Store, StoreError, Usage,
};

const TIMEOUT: Duration = Duration::from_secs(120);

/// Runs `case` on a fresh SQLite file and, when configured, a fresh PostgreSQL database.
async fn both<F, Fut>(case: F)
where
    F: Fn(AnyStore) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let dir = tempfile::tempdir().unwrap();
    let s: AnyStore = SqliteStore::open(dir.path().join("u.db"))
        .await
        .unwrap()
        .into();
    let outcome = tokio::time::timeout(TIMEOUT, tokio::spawn(case(s.clone()))).await;
    s.close().await;
    outcome.expect("timed out").unwrap();
    if let Some((name, opts)) = create_pg_database("jixiao_usage").await {
        let s: AnyStore = PgStore::connect_with(opts).await.unwrap().into();
        let outcome = tokio::time::timeout(TIMEOUT, tokio::spawn(case(s.clone()))).await;
        s.close().await;
        drop_pg_database(&name).await;
        outcome.expect("timed out").unwrap();
    }
}

fn forms(goal: &str) -> Vec<Form> {
    vec![Form::DepartmentOverall(DepartmentOverall {
        unit: "单位".into(),
        year: Some(2024),
        annual_goal: goal.into(),
        ..DepartmentOverall::default()
    })]
}

struct World {
    unit: i64,
    filer: Actor,
    reviewer: Actor,
}

async fn world(s: &AnyStore) -> World {
    let system = Actor::system("test");
    let unit = s.create_unit("单位", None, &system).await.unwrap();
    let mut actors = Vec::new();
    for (name, role, unit_id) in [
        ("filer", Role::Unit, Some(unit.id)),
        ("reviewer", Role::Reviewer, None),
    ] {
        let u = s
            .create_user(
                &NewUser {
                    username: name,
                    password_hash: "x",
                    role,
                    unit_id,
                },
                &system,
            )
            .await
            .unwrap();
        actors.push(Actor::user(&u, None));
    }
    let reviewer = actors.pop().unwrap();
    World {
        unit: unit.id,
        filer: actors.pop().unwrap(),
        reviewer,
    }
}

/// A stale save on a dossier under review or approved is refused like a fresh one: no
/// conflict version, no audit record, the version numbers untouched. On an editable
/// dossier a stale save still keeps both versions.
#[tokio::test]
async fn stale_saves_on_a_dossier_that_takes_no_edits_store_nothing() {
    both(|s| async move {
        let w = world(&s).await;
        let d = s
            .create_dossier(w.unit, 2024, &forms("一"), &[], &w.filer)
            .await
            .unwrap();
        s.save_version(d.id, 1, &forms("二"), &[], &w.filer, SaveKind::Save)
            .await
            .unwrap();
        s.transition(d.id, Status::Draft, 2, &Action::Submit, &w.filer)
            .await
            .unwrap();
        let audit_before = s.audit_log(0, 10_000).await.unwrap().len();
        let stale = s
            .save_version(d.id, 1, &forms("旧的"), &[], &w.filer, SaveKind::Save)
            .await;
        match stale {
            Err(StoreError::Refused(m)) => assert!(m.contains("已提交审核"), "{m}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(s.history(d.id).await.unwrap().len(), 2, "nothing stored");
        assert_eq!(s.version_count(d.id).await.unwrap(), 2);
        assert_eq!(s.audit_log(0, 10_000).await.unwrap().len(), audit_before);

        s.transition(
            d.id,
            Status::Submitted,
            2,
            &Action::Approve {
                grade: Grade::Excellent,
                opinions: Opinions {
                    completeness: "要素齐全".into(),
                    relevance: "相符".into(),
                    appropriateness: "匹配".into(),
                    feasibility: "可行".into(),
                },
            },
            &w.reviewer,
        )
        .await
        .unwrap();
        for kind in [
            SaveKind::Save,
            SaveKind::Adjustment {
                reason: "调整".into(),
            },
        ] {
            let stale = s
                .save_version(d.id, 1, &forms("旧的"), &[], &w.filer, kind)
                .await;
            assert!(matches!(stale, Err(StoreError::Refused(_))), "{stale:?}");
        }
        assert_eq!(s.history(d.id).await.unwrap().len(), 2);

        // Editable: the stale save is kept as a conflict version.
        let e = s
            .create_dossier(w.unit, 2025, &forms("一"), &[], &w.filer)
            .await
            .unwrap();
        s.save_version(e.id, 1, &forms("二"), &[], &w.filer, SaveKind::Save)
            .await
            .unwrap();
        let stale = s
            .save_version(e.id, 1, &forms("旧的"), &[], &w.filer, SaveKind::Save)
            .await;
        assert!(matches!(stale, Err(StoreError::Conflict { current: 2 })));
        assert_eq!(s.history(e.id).await.unwrap().len(), 3);
    })
    .await;
}

#[tokio::test]
async fn usage_counts_versions_and_stored_bytes() {
    both(|s| async move {
        let w = world(&s).await;
        assert_eq!(s.unit_bytes(w.unit).await.unwrap(), 0);
        assert_eq!(s.version_count(12345).await.unwrap(), 0);
        let goal = "长".repeat(10_000);
        let d = s
            .create_dossier(w.unit, 2024, &forms(&goal), &[], &w.filer)
            .await
            .unwrap();
        let one = serde_json::to_string(&forms(&goal)).unwrap().len() + "[]".len();
        assert_eq!(s.unit_bytes(w.unit).await.unwrap(), one as i64);
        s.save_version(d.id, 1, &forms(&goal), &[], &w.filer, SaveKind::Save)
            .await
            .unwrap();
        let _ = s
            .save_version(d.id, 1, &forms(&goal), &[], &w.filer, SaveKind::Save)
            .await;
        assert_eq!(s.version_count(d.id).await.unwrap(), 3, "conflicts count");
        assert_eq!(s.unit_bytes(w.unit).await.unwrap(), 3 * one as i64);
        let other = s
            .create_unit("别的单位", None, &Actor::system("t"))
            .await
            .unwrap();
        assert_eq!(s.unit_bytes(other.id).await.unwrap(), 0);
    })
    .await;
}

/// Several server processes starting at once on a fresh PostgreSQL database: each opens
/// it, the migrations run exactly once (sqlx's advisory lock), none fails.
#[tokio::test]
async fn several_processes_open_one_fresh_database() {
    let Some((name, opts)) = create_pg_database("jixiao_migrate").await else {
        eprintln!("TEST_DATABASE_URL is not set: PostgreSQL run skipped");
        return;
    };
    let opened = futures_join(
        (0..4)
            .map(|_| {
                let opts = opts.clone();
                tokio::spawn(async move { PgStore::connect_with(opts).await })
            })
            .collect(),
    )
    .await;
    let stores: Vec<PgStore> = opened.into_iter().map(|r| r.unwrap()).collect();
    let (rows, versions, failed): (i64, i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COUNT(DISTINCT version), COUNT(*) FILTER (WHERE NOT success) \
         FROM _sqlx_migrations",
    )
    .fetch_one(stores[0].pool())
    .await
    .unwrap();
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres"))
        .unwrap()
        .count() as i64;
    assert_eq!((rows, versions, failed), (files, files, 0));
    for s in &stores {
        s.ping().await.unwrap();
        s.close().await;
    }
    drop_pg_database(&name).await;
}

async fn futures_join<T>(handles: Vec<tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}
