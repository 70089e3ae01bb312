//! One conformance suite for every backend.
//!
//! Each `case_*` is generic over the store and runs on SQLite always (a fresh file in a
//! temporary folder) and on PostgreSQL when `TEST_DATABASE_URL` names a server where
//! the user may create databases (each case gets its own `jixiao_test_<random>`
//! database, dropped afterwards, so cases run in parallel).

use std::collections::BTreeSet;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::Duration;

use jixiao_domain::review::{Action, Grade, Opinions, Status};
use jixiao_domain::{
    Budget, DepartmentOverall, Finding, Form, Indicator, IndicatorValue, Location, Money,
    MoneyUnit, Project, Severity,
};
use jixiao_domain::{KeyTask, ParentFund, SpecialFundSummary, SummaryItem};
use jixiao_store::{
    hash_password, open, verify_password, Actor, DossierFilter, DossierOrder, LeaseKind, NewUser,
    PgConnectOptions, PgStore, Role, SaveKind, SqliteStore, Store, StoreError, VersionKind,
};

// ---------------------------------------------------------------- harness

/// What a case needs beyond `Store`: raw SQL for tampering, schema listing, backups.
trait Harness: Store + Clone + Send + Sync + 'static {
    const BACKEND: &'static str;
    /// Runs one raw statement; the database's error text on failure.
    fn exec(&self, sql: &str) -> impl Future<Output = Result<u64, String>> + Send;
    /// The statement that switches off the audit table's append-only guard.
    const DISABLE_AUDIT_GUARD: &'static str;
    /// (table, column) of every application table.
    fn columns(&self) -> impl Future<Output = BTreeSet<(String, String)>> + Send;
    /// Opens a backup written by `Store::backup` (SQLite only).
    fn open_backup(path: &Path) -> impl Future<Output = Option<Self>> + Send;
    /// A second store on the same database (as a restarted process would open it).
    fn reopen(&self) -> impl Future<Output = Self> + Send;
}

impl Harness for SqliteStore {
    const BACKEND: &'static str = "sqlite";
    async fn exec(&self, sql: &str) -> Result<u64, String> {
        sqlx::query(sql)
            .execute(self.writer())
            .await
            .map(|r| r.rows_affected())
            .map_err(|e| e.to_string())
    }

    const DISABLE_AUDIT_GUARD: &'static str = "DROP TRIGGER audit_log_no_update";

    /// Ordinary tables only: the FTS5 index (`dossier_search_fts`, a virtual table)
    /// and its shadow tables are SQLite's own way to index `dossier_search`.
    async fn columns(&self) -> BTreeSet<(String, String)> {
        sqlx::query_as(
            "SELECT m.name, p.name FROM sqlite_master m \
             JOIN pragma_table_list t ON t.schema = 'main' AND t.name = m.name \
             JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND t.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
             AND m.name NOT LIKE '_sqlx%'",
        )
        .fetch_all(self.reader())
        .await
        .unwrap()
        .into_iter()
        .collect()
    }

    async fn open_backup(path: &Path) -> Option<Self> {
        Some(SqliteStore::open(path).await.unwrap())
    }

    async fn reopen(&self) -> Self {
        let opts = (*self.writer().connect_options()).clone();
        SqliteStore::open_with(opts).await.unwrap()
    }
}

impl Harness for PgStore {
    const BACKEND: &'static str = "postgres";
    async fn exec(&self, sql: &str) -> Result<u64, String> {
        sqlx::query(sql)
            .execute(self.pool())
            .await
            .map(|r| r.rows_affected())
            .map_err(|e| e.to_string())
    }

    const DISABLE_AUDIT_GUARD: &'static str = "ALTER TABLE audit_log DISABLE TRIGGER USER";

    async fn columns(&self) -> BTreeSet<(String, String)> {
        sqlx::query_as(
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name NOT LIKE '\\_sqlx%'",
        )
        .fetch_all(self.pool())
        .await
        .unwrap()
        .into_iter()
        .collect()
    }

    async fn open_backup(_path: &Path) -> Option<Self> {
        None
    }

    async fn reopen(&self) -> Self {
        let opts = (*self.pool().connect_options()).clone();
        PgStore::connect_with(opts).await.unwrap()
    }
}

const CASE_TIMEOUT: Duration = Duration::from_secs(120);

async fn run_sqlite<F, Fut>(case: F)
where
    F: FnOnce(SqliteStore, PathBuf) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("jixiao.db"))
        .await
        .unwrap();
    let fut = case(store.clone(), dir.path().to_path_buf());
    let outcome = tokio::time::timeout(CASE_TIMEOUT, tokio::spawn(fut)).await;
    store.close().await;
    finish(outcome);
}

/// A throwaway PostgreSQL database, or `None` when `TEST_DATABASE_URL` is unset.
async fn pg_database() -> Option<(String, PgConnectOptions)> {
    jixiao_store::testing::create_pg_database("jixiao_test").await
}

/// The admin URL with its database replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let scheme_end = url.find("://").map_or(0, |i| i + 3);
    let (base, query) = match url.find('?') {
        Some(q) => (&url[..q], &url[q..]),
        None => (url, ""),
    };
    let path_start = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    format!("{}/{name}{query}", &base[..path_start])
}

use jixiao_store::testing::drop_pg_database;

async fn run_pg<F, Fut>(case: F)
where
    F: FnOnce(PgStore, PathBuf) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Some((name, opts)) = pg_database().await else {
        assert!(
            std::env::var("JIXIAO_REQUIRE_TOOLS").as_deref() != Ok("1"),
            "TEST_DATABASE_URL is required when JIXIAO_REQUIRE_TOOLS=1 (PostgreSQL must not be skipped)"
        );
        eprintln!("TEST_DATABASE_URL is not set: PostgreSQL case skipped");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let store = PgStore::connect_with(opts).await.unwrap();
    let fut = case(store.clone(), dir.path().to_path_buf());
    let outcome = tokio::time::timeout(CASE_TIMEOUT, tokio::spawn(fut)).await;
    store.close().await;
    drop_pg_database(&name).await;
    finish(outcome);
}

fn finish(outcome: Result<Result<(), tokio::task::JoinError>, tokio::time::error::Elapsed>) {
    match outcome {
        Err(_) => panic!("case timed out after {CASE_TIMEOUT:?}"),
        Ok(Err(e)) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Ok(Err(e)) => panic!("case failed: {e}"),
        Ok(Ok(())) => {}
    }
}

/// Every case runs once per backend: `sqlite::case_x` and `postgres::case_x`.
macro_rules! conformance {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    super::run_sqlite(super::$case::<jixiao_store::SqliteStore>).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    super::run_pg(super::$case::<jixiao_store::PgStore>).await;
                }
            )*
        }
    };
}

conformance!(
    units_users_and_assignments,
    dossier_versions_and_history,
    listing_filters_and_pages,
    stale_save_keeps_both_versions,
    concurrent_saves_exactly_one_wins,
    workflow_transitions,
    concurrent_reviews_exactly_one_wins,
    comments_on_fields,
    sessions_lifecycle,
    audit_chain_and_tampering,
    audit_counts_for_rate_limits,
    versions_are_immutable,
    backup_and_reopen,
    schema_is_the_same_on_both_backends,
    open_dispatches_on_the_address,
    search_names_goals_and_units,
    search_with_filters_and_pages,
    search_follows_the_current_version,
    search_documents_are_backfilled_at_open,
    quality_order_errors_then_warnings,
    login_failures_are_counted_per_window,
    accounts_disable_rename_and_reset,
    audit_head_detects_a_truncated_tail,
    leases_keep_serve_and_restore_apart,
    deleted_drafts_leave_and_come_back,
    notices_are_others_steps_on_visible_dossiers,
    progress_deadlines_and_reminders,
    statistics_are_sql_aggregates_of_current_versions,
    reports_on_approved_targets,
    library_sources_replace_and_page,
);

// ---------------------------------------------------------------- fixtures

fn admin() -> Actor {
    Actor::system("test")
}

fn wan(s: &str) -> Money {
    Money::parse(s, MoneyUnit::Wan).unwrap()
}

/// A department form with a budget total and one project with an indicator.
fn forms(unit: &str, goal: &str) -> Vec<Form> {
    vec![
        Form::DepartmentOverall(DepartmentOverall {
            title: "部门整体支出绩效目标表".into(),
            unit: unit.into(),
            year: Some(2023),
            budget: Budget {
                total: Some(wan("185.91")),
                ..Budget::default()
            },
            duties: "负责全区农业农村工作".into(),
            annual_goal: goal.into(),
            ..DepartmentOverall::default()
        }),
        Form::Project(Project {
            title: "项目支出绩效目标表".into(),
            unit: unit.into(),
            year: Some(2023),
            name: "农村饮水安全工程".into(),
            amount: Some(wan("12.5")),
            annual_goal: goal.into(),
            indicators: vec![Indicator {
                level1: "产出指标".into(),
                level2: "数量指标".into(),
                name: "新建供水站".into(),
                value: IndicatorValue::parse("≥5个"),
                standard: "计划标准".into(),
                weight: None,
            }],
            ..Project::default()
        }),
    ]
}

fn findings(errors: usize, warnings: usize) -> Vec<Finding> {
    let f = |severity| {
        Finding::new(
            "sum.total",
            severity,
            "合计与分项之和不符",
            Location::default(),
        )
    };
    (0..errors)
        .map(|_| f(Severity::Error))
        .chain((0..warnings).map(|_| f(Severity::Warning)))
        .collect()
}

fn opinions() -> Opinions {
    Opinions {
        completeness: "要素齐全".into(),
        relevance: "与职能相符".into(),
        appropriateness: "目标与资金匹配".into(),
        feasibility: "措施可行".into(),
    }
}

struct World {
    unit_id: i64,
    unit_user: Actor,
    reviewer: Actor,
    reviewer_id: i64,
}

/// A unit, a unit user and a reviewer assigned to it.
async fn world<S: Store>(s: &S, unit: &str) -> World {
    let u = s.create_unit(unit, None, &admin()).await.unwrap();
    let hash = hash_password("secret").unwrap();
    let filer = s
        .create_user(
            &NewUser {
                username: &format!("{unit}-填报"),
                password_hash: &hash,
                role: Role::Unit,
                unit_id: Some(u.id),
            },
            &admin(),
        )
        .await
        .unwrap();
    let rev = s
        .create_user(
            &NewUser {
                username: &format!("{unit}-审核"),
                password_hash: &hash,
                role: Role::Reviewer,
                unit_id: None,
            },
            &admin(),
        )
        .await
        .unwrap();
    s.assign_reviewer(rev.id, u.id, &admin()).await.unwrap();
    World {
        unit_id: u.id,
        unit_user: Actor::user(&filer, Some("127.0.0.1".into())),
        reviewer: Actor::user(&rev, Some("127.0.0.2".into())),
        reviewer_id: rev.id,
    }
}

fn refused(r: Result<impl std::fmt::Debug, StoreError>) -> String {
    match r {
        Err(StoreError::Refused(msg)) => msg,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

// ---------------------------------------------------------------- cases

/// Units with a parent, unique names, users with roles and hashed passwords, and the
/// reviewer ↔ unit assignments.
async fn units_users_and_assignments<S: Harness>(s: S, _dir: PathBuf) {
    let a = admin();
    let dept = s.create_unit("株洲市农业农村局", None, &a).await.unwrap();
    let unit = s
        .create_unit(" 株洲市农业综合服务中心 ", Some(dept.id), &a)
        .await
        .unwrap();
    assert_eq!(unit.name, "株洲市农业综合服务中心", "names are trimmed");
    assert_eq!(unit.parent_id, Some(dept.id));
    match s.create_unit("株洲市农业农村局", None, &a).await {
        Err(StoreError::Duplicate(m)) => assert_eq!(m, "单位名称已存在"),
        other => panic!("{other:?}"),
    }
    assert!(refused(s.create_unit("孤儿单位", Some(9999), &a).await).contains("不存在"));
    assert!(refused(s.create_unit("  ", None, &a).await).contains("不能为空"));
    assert_eq!(
        s.unit_by_name("株洲市农业综合服务中心").await.unwrap(),
        unit
    );
    assert_eq!(s.get_unit(dept.id).await.unwrap(), dept);
    assert!(matches!(
        s.get_unit(424242).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        s.list_units().await.unwrap(),
        vec![dept.clone(), unit.clone()]
    );

    let hash = hash_password("正确密码").unwrap();
    let filer = s
        .create_user(
            &NewUser {
                username: "zhang",
                password_hash: &hash,
                role: Role::Unit,
                unit_id: Some(unit.id),
            },
            &a,
        )
        .await
        .unwrap();
    assert_eq!(filer.role, Role::Unit);
    assert!(!format!("{filer:?}").contains("argon2"), "hash redacted");
    let found = s.user_by_username("zhang").await.unwrap();
    assert!(verify_password("正确密码", &found.password_hash));
    assert!(!verify_password("错误密码", &found.password_hash));
    match s
        .create_user(
            &NewUser {
                username: "zhang",
                password_hash: &hash,
                role: Role::Admin,
                unit_id: None,
            },
            &a,
        )
        .await
    {
        Err(StoreError::Duplicate(m)) => assert_eq!(m, "用户名已存在"),
        other => panic!("{other:?}"),
    }
    let no_unit = NewUser {
        username: "li",
        password_hash: &hash,
        role: Role::Unit,
        unit_id: None,
    };
    assert!(refused(s.create_user(&no_unit, &a).await).contains("预算单位"));
    let rev = s
        .create_user(
            &NewUser {
                username: "wang",
                password_hash: &hash,
                role: Role::Reviewer,
                unit_id: None,
            },
            &a,
        )
        .await
        .unwrap();
    let new_hash = hash_password("新密码").unwrap();
    s.set_password(rev.id, &new_hash, &a).await.unwrap();
    assert!(verify_password(
        "新密码",
        &s.get_user(rev.id).await.unwrap().password_hash
    ));
    assert!(matches!(
        s.set_password(999, &new_hash, &a).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(s.list_users().await.unwrap().len(), 2);

    assert!(s.assign_reviewer(rev.id, unit.id, &a).await.unwrap());
    assert!(
        !s.assign_reviewer(rev.id, unit.id, &a).await.unwrap(),
        "idempotent"
    );
    assert!(s.assign_reviewer(rev.id, dept.id, &a).await.unwrap());
    assert_eq!(
        s.reviewer_units(rev.id).await.unwrap(),
        vec![dept.id, unit.id]
    );
    assert!(refused(s.assign_reviewer(filer.id, unit.id, &a).await).contains("审核人员"));
    assert!(matches!(
        s.assign_reviewer(rev.id, 777, &a).await,
        Err(StoreError::NotFound)
    ));
    assert!(s.unassign_reviewer(rev.id, dept.id, &a).await.unwrap());
    assert!(!s.unassign_reviewer(rev.id, dept.id, &a).await.unwrap());
    assert_eq!(s.reviewer_units(rev.id).await.unwrap(), vec![unit.id]);
    assert!(s.reviewer_units(filer.id).await.unwrap().is_empty());
}

/// A dossier starts in 草稿 with version 1; saves add versions; forms and findings come
/// back exactly; the department total is kept in 分.
async fn dossier_versions_and_history<S: Harness>(s: S, _dir: PathBuf) {
    let w = world(&s, "区农业农村局").await;
    let f1 = forms("区农业农村局", "保障农村饮水安全");
    let d = s
        .create_dossier(w.unit_id, 2023, &f1, &findings(2, 1), &w.unit_user)
        .await
        .unwrap();
    assert_eq!(d.status, Status::Draft);
    assert_eq!(d.current_version, 1);
    assert_eq!(d.unit_name, "区农业农村局");
    assert_eq!(d.total_fen, Some(185_910_000), "185.91万元 in 分");
    assert_eq!(d.total(), Some(wan("185.91")));
    assert_eq!((d.error_count, d.warning_count), (2, 1));
    assert_eq!(d.approved_version, None);
    match s
        .create_dossier(w.unit_id, 2023, &f1, &[], &w.unit_user)
        .await
    {
        Err(StoreError::Duplicate(m)) => assert_eq!(m, "该单位该年度的档案已存在"),
        other => panic!("{other:?}"),
    }
    assert_eq!(s.get_dossier(d.id).await.unwrap(), d);
    assert_eq!(s.find_dossier(w.unit_id, 2023).await.unwrap(), d);
    assert!(matches!(
        s.find_dossier(w.unit_id, 2024).await,
        Err(StoreError::NotFound)
    ));

    let mut f2 = forms("区农业农村局", "保障农村饮水安全，覆盖5个行政村");
    if let Form::DepartmentOverall(dep) = &mut f2[0] {
        dep.budget.total = Some(wan("200"));
    }
    let v2 = s
        .save_version(d.id, 1, &f2, &[], &w.unit_user, SaveKind::Save)
        .await
        .unwrap();
    assert_eq!(v2.version, 2);
    assert_eq!(v2.kind, VersionKind::Save);
    assert_eq!(v2.base_version, 1);
    assert_eq!(v2.created_by_name.as_deref(), Some("区农业农村局-填报"));

    let d = s.get_dossier(d.id).await.unwrap();
    assert_eq!(d.current_version, 2);
    assert_eq!(d.total_fen, Some(200_000_000), "200万元 in 分");
    assert_eq!((d.error_count, d.warning_count), (0, 0));

    let old = s.get_version(d.id, 1).await.unwrap();
    assert_eq!(
        serde_json::to_value(&old.forms).unwrap(),
        serde_json::to_value(&f1).unwrap()
    );
    assert_eq!(old.forms, f1, "amounts in 万元 round-trip exactly");
    assert_eq!(old.findings, findings(2, 1));
    let new = s.get_version(d.id, 2).await.unwrap();
    assert_eq!(new.forms, f2);
    assert!(new.findings.is_empty());

    let h = s.history(d.id).await.unwrap();
    assert_eq!(h.iter().map(|v| v.version).collect::<Vec<_>>(), vec![1, 2]);
    assert_eq!(h[0].error_count, 2);
    assert!(matches!(s.history(9999).await, Err(StoreError::NotFound)));
    assert!(matches!(
        s.get_version(d.id, 3).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        s.save_version(9999, 1, &f2, &[], &w.unit_user, SaveKind::Save)
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        s.get_dossier(9999).await,
        Err(StoreError::NotFound)
    ));

    // A system import (no user) is allowed and recorded without an author.
    let other = s.create_unit("区水利局", None, &admin()).await.unwrap();
    let imported = s
        .create_dossier(other.id, 2023, &f1, &[], &admin())
        .await
        .unwrap();
    let h = s.history(imported.id).await.unwrap();
    assert_eq!(h[0].created_by, None);
    assert_eq!(h[0].created_by_name, None);
}

/// Filters by units, status and year; newest first; pages with a total; an empty unit
/// list means nothing (a reviewer without assignments sees nothing).
async fn listing_filters_and_pages<S: Harness>(s: S, _dir: PathBuf) {
    let a = world(&s, "甲单位").await;
    let b = world(&s, "乙单位").await;
    let f = forms("甲单位", "目标");
    let mut ids = Vec::new();
    for year in 2019..2024 {
        let d = s
            .create_dossier(a.unit_id, year, &f, &[], &a.unit_user)
            .await
            .unwrap();
        ids.push(d.id);
    }
    let db = s
        .create_dossier(b.unit_id, 2023, &f, &[], &b.unit_user)
        .await
        .unwrap();
    // Touching an old dossier moves it to the front.
    s.save_version(ids[0], 1, &f, &[], &a.unit_user, SaveKind::Save)
        .await
        .unwrap();

    let all = s.list_dossiers(&DossierFilter::default()).await.unwrap();
    assert_eq!(all.total, 6);
    assert_eq!(all.items[0].id, ids[0], "most recently changed first");
    assert_eq!(all.items[1].id, db.id);
    assert_eq!(all.items[2].id, ids[4]);

    let only_a = DossierFilter {
        unit_ids: Some(vec![a.unit_id]),
        ..DossierFilter::default()
    };
    let page = s.list_dossiers(&only_a).await.unwrap();
    assert_eq!(page.total, 5);
    assert!(page.items.iter().all(|d| d.unit_id == a.unit_id));

    let p2 = s
        .list_dossiers(&DossierFilter {
            limit: 2,
            offset: 2,
            ..only_a.clone()
        })
        .await
        .unwrap();
    assert_eq!(p2.total, 5);
    assert_eq!(
        p2.items.iter().map(|d| d.id).collect::<Vec<_>>(),
        page.items[2..4].iter().map(|d| d.id).collect::<Vec<_>>()
    );

    let year = s
        .list_dossiers(&DossierFilter {
            year: Some(2023),
            ..DossierFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(year.total, 2);

    s.transition(ids[1], Status::Draft, 1, &Action::Submit, &a.unit_user)
        .await
        .unwrap();
    let submitted = s
        .list_dossiers(&DossierFilter {
            statuses: vec![Status::Submitted, Status::Approved],
            ..DossierFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(submitted.total, 1);
    assert_eq!(submitted.items[0].id, ids[1]);

    let none = s
        .list_dossiers(&DossierFilter {
            unit_ids: Some(vec![]),
            ..DossierFilter::default()
        })
        .await
        .unwrap();
    assert_eq!((none.total, none.items.len()), (0, 0));
}

/// A save from a stale base is refused with the current version, and its forms are
/// still stored as a `conflict` version that never becomes current.
async fn stale_save_keeps_both_versions<S: Harness>(s: S, _dir: PathBuf) {
    let w = world(&s, "单位").await;
    let d = s
        .create_dossier(w.unit_id, 2023, &forms("单位", "v1"), &[], &w.unit_user)
        .await
        .unwrap();
    let mine = forms("单位", "甲的修改");
    let theirs = forms("单位", "乙的修改");
    s.save_version(d.id, 1, &mine, &[], &w.unit_user, SaveKind::Save)
        .await
        .unwrap();
    match s
        .save_version(
            d.id,
            1,
            &theirs,
            &findings(1, 0),
            &w.reviewer,
            SaveKind::Save,
        )
        .await
    {
        Err(e @ StoreError::Conflict { current: 2 }) => {
            assert!(e.to_string().contains("当前为第2版"), "{e}")
        }
        other => panic!("{other:?}"),
    }
    let d = s.get_dossier(d.id).await.unwrap();
    assert_eq!(d.current_version, 2, "the conflict did not become current");
    let h = s.history(d.id).await.unwrap();
    assert_eq!(
        h.iter().map(|v| (v.version, v.kind)).collect::<Vec<_>>(),
        vec![
            (1, VersionKind::Save),
            (2, VersionKind::Save),
            (3, VersionKind::Conflict)
        ]
    );
    assert_eq!(h[2].base_version, 1);
    let kept = s.get_version(d.id, 3).await.unwrap();
    assert_eq!(kept.forms, theirs, "nothing is lost");
    assert_eq!(s.get_version(d.id, 2).await.unwrap().forms, mine);

    // The loser reloads and saves on top of the current version.
    let v = s
        .save_version(d.id, 2, &theirs, &[], &w.unit_user, SaveKind::Save)
        .await
        .unwrap();
    assert_eq!(v.version, 4);
    assert_eq!(s.get_dossier(d.id).await.unwrap().current_version, 4);
    assert!(s.verify_audit().await.unwrap().is_intact());
}

/// Several clients save from the same base at the same time: exactly one wins, every
/// other one gets `Conflict` naming the winner, and all their forms are kept.
async fn concurrent_saves_exactly_one_wins<S: Harness>(s: S, _dir: PathBuf) {
    const CLIENTS: usize = 4;
    const ROUNDS: usize = 5;
    let w = world(&s, "并发单位").await;
    let d = s
        .create_dossier(w.unit_id, 2023, &forms("并发单位", "v1"), &[], &w.unit_user)
        .await
        .unwrap();
    let mut base = 1;
    let mut stored = 1;
    for round in 0..ROUNDS {
        let tasks: Vec<_> = (0..CLIENTS)
            .map(|c| {
                let s = s.clone();
                let actor = w.unit_user.clone();
                tokio::spawn(async move {
                    let f = forms("并发单位", &format!("第{round}轮客户{c}"));
                    s.save_version(d.id, base, &f, &[], &actor, SaveKind::Save)
                        .await
                })
            })
            .collect();
        let mut winners = Vec::new();
        let mut conflicts = Vec::new();
        for t in tasks {
            match t.await.unwrap() {
                Ok(v) => winners.push(v.version),
                Err(StoreError::Conflict { current }) => conflicts.push(current),
                Err(e) => panic!("unexpected {e:?}: {}", e.detail()),
            }
        }
        assert_eq!(winners.len(), 1, "round {round}: exactly one save wins");
        assert_eq!(conflicts.len(), CLIENTS - 1);
        assert!(conflicts.iter().all(|c| *c == winners[0]));
        stored += CLIENTS as i64;
        base = winners[0];
        assert_eq!(s.get_dossier(d.id).await.unwrap().current_version, base);
    }
    let h = s.history(d.id).await.unwrap();
    assert_eq!(h.len() as i64, stored, "every submitted version is kept");
    assert_eq!(
        h.iter().filter(|v| v.kind == VersionKind::Conflict).count(),
        ROUNDS * (CLIENTS - 1)
    );
    let versions: BTreeSet<i64> = h.iter().map(|v| v.version).collect();
    assert_eq!(
        versions,
        (1..=stored).collect(),
        "numbers are unique, no gaps"
    );
    let report = s.verify_audit().await.unwrap();
    assert!(report.is_intact(), "{report:?}");
}

/// The whole 审核 cycle with every refused step, and the review records it leaves.
async fn workflow_transitions<S: Harness>(s: S, _dir: PathBuf) {
    let w = world(&s, "流程单位").await;
    let f = forms("流程单位", "目标");
    let d = s
        .create_dossier(w.unit_id, 2023, &f, &[], &w.unit_user)
        .await
        .unwrap();
    let id = d.id;
    let approve = |grade| Action::Approve {
        grade,
        opinions: opinions(),
    };

    // Submitting a version the caller has not seen is a conflict.
    s.save_version(id, 1, &f, &[], &w.unit_user, SaveKind::Save)
        .await
        .unwrap();
    assert!(matches!(
        s.transition(id, Status::Draft, 1, &Action::Submit, &w.unit_user)
            .await,
        Err(StoreError::Conflict { current: 2 })
    ));
    // Reviewing a draft is refused by the state machine.
    assert!(refused(
        s.transition(
            id,
            Status::Draft,
            2,
            &approve(Grade::Excellent),
            &w.reviewer
        )
        .await
    )
    .contains("只有已提交的档案"));
    let d = s
        .transition(id, Status::Draft, 2, &Action::Submit, &w.unit_user)
        .await
        .unwrap();
    assert_eq!(d.status, Status::Submitted);

    // Under review: no edits, no second submit, and a stale status is a conflict.
    assert!(refused(
        s.save_version(id, 2, &f, &[], &w.unit_user, SaveKind::Save)
            .await
    )
    .contains("已提交审核"));
    assert_eq!(
        s.get_dossier(id).await.unwrap().current_version,
        2,
        "refused save left nothing behind"
    );
    assert_eq!(s.history(id).await.unwrap().len(), 2);
    assert!(refused(
        s.transition(id, Status::Submitted, 2, &Action::Submit, &w.unit_user)
            .await
    )
    .contains("已提交审核"));
    assert!(matches!(
        s.transition(id, Status::Draft, 2, &Action::Submit, &w.unit_user)
            .await,
        Err(StoreError::Conflict { current: 2 })
    ));
    // An approval needs all four opinions and a user.
    let partial = Action::Approve {
        grade: Grade::Good,
        opinions: Opinions {
            completeness: "齐全".into(),
            ..Opinions::default()
        },
    };
    assert!(refused(
        s.transition(id, Status::Submitted, 2, &partial, &w.reviewer)
            .await
    )
    .contains("相关性、适当性、可行性"));
    assert!(refused(
        s.transition(id, Status::Submitted, 2, &approve(Grade::Good), &admin())
            .await
    )
    .contains("登录"));

    // 中 returns it.
    let d = s
        .transition(id, Status::Submitted, 2, &approve(Grade::Fair), &w.reviewer)
        .await
        .unwrap();
    assert_eq!(d.status, Status::Returned);
    assert_eq!(d.grade, Some(Grade::Fair));
    assert!(!d.not_for_budget);
    assert_eq!(d.approved_version, None);

    // Edited and resubmitted; a plain return.
    s.save_version(id, 2, &f, &[], &w.unit_user, SaveKind::Save)
        .await
        .unwrap();
    s.transition(id, Status::Returned, 3, &Action::Submit, &w.unit_user)
        .await
        .unwrap();
    let d = s
        .transition(
            id,
            Status::Submitted,
            3,
            &Action::Return {
                opinions: Opinions {
                    relevance: "指标与目标不相关".into(),
                    ..Opinions::default()
                },
            },
            &w.reviewer,
        )
        .await
        .unwrap();
    assert_eq!((d.status, d.grade), (Status::Returned, None));

    // 差 returns it and bars it from budget arrangement.
    s.transition(id, Status::Returned, 3, &Action::Submit, &w.unit_user)
        .await
        .unwrap();
    let d = s
        .transition(id, Status::Submitted, 3, &approve(Grade::Poor), &w.reviewer)
        .await
        .unwrap();
    assert_eq!(d.status, Status::Returned);
    assert!(d.not_for_budget);

    // 优 approves and locks it.
    s.transition(id, Status::Returned, 3, &Action::Submit, &w.unit_user)
        .await
        .unwrap();
    let d = s
        .transition(
            id,
            Status::Submitted,
            3,
            &approve(Grade::Excellent),
            &w.reviewer,
        )
        .await
        .unwrap();
    assert_eq!(d.status, Status::Approved);
    assert_eq!(d.approved_version, Some(3));
    assert!(!d.not_for_budget);
    assert!(refused(
        s.save_version(id, 3, &f, &[], &w.unit_user, SaveKind::Save)
            .await
    )
    .contains("锁定"));
    assert!(refused(
        s.transition(id, Status::Approved, 3, &Action::Submit, &w.unit_user)
            .await
    )
    .contains("锁定"));

    // Adjustments: only with a reason, only through a new version.
    let adjust = |reason: &str| SaveKind::Adjustment {
        reason: reason.into(),
    };
    assert!(refused(
        s.save_version(id, 3, &f, &[], &w.unit_user, adjust("  "))
            .await
    )
    .contains("原因"));
    assert!(refused(
        s.transition(
            id,
            Status::Approved,
            3,
            &Action::Adjust {
                reason: "年中调整".into()
            },
            &w.unit_user
        )
        .await
    )
    .contains("调整"));
    let changed = forms("流程单位", "调整后的目标");
    let v = s
        .save_version(
            id,
            3,
            &changed,
            &[],
            &w.unit_user,
            adjust("年中预算调整，资金压减"),
        )
        .await
        .unwrap();
    assert_eq!(v.kind, VersionKind::Adjustment);
    assert_eq!(v.reason.as_deref(), Some("年中预算调整，资金压减"));
    let d = s.get_dossier(id).await.unwrap();
    assert_eq!(d.status, Status::Adjusting);
    assert_eq!(d.current_version, 4);
    assert_eq!(d.approved_version, Some(3), "the approved baseline stays");
    // A second adjustment while adjusting is refused; plain saves are fine.
    assert!(refused(
        s.save_version(id, 4, &changed, &[], &w.unit_user, adjust("再调"))
            .await
    )
    .contains("只有审核通过"));
    s.save_version(id, 4, &changed, &[], &w.unit_user, SaveKind::Save)
        .await
        .unwrap();
    s.transition(id, Status::Adjusting, 5, &Action::Submit, &w.unit_user)
        .await
        .unwrap();
    let d = s
        .transition(id, Status::Submitted, 5, &approve(Grade::Good), &w.reviewer)
        .await
        .unwrap();
    assert_eq!(d.status, Status::Approved);
    assert_eq!(d.approved_version, Some(5));
    assert_eq!(d.grade, Some(Grade::Good));

    let reviews = s.reviews(id).await.unwrap();
    let summary: Vec<_> = reviews
        .iter()
        .map(|r| (r.version, r.decision.code(), r.grade.map(|g| g.label())))
        .collect();
    assert_eq!(
        summary,
        vec![
            (2, "return", Some("中")),
            (3, "return", None),
            (3, "return", Some("差")),
            (3, "approve", Some("优")),
            (5, "approve", Some("良")),
        ]
    );
    assert_eq!(reviews[0].opinions, opinions());
    assert_eq!(reviews[1].opinions.relevance, "指标与目标不相关");
    assert!(reviews.iter().all(|r| r.reviewer_id == w.reviewer_id));
    assert_eq!(reviews[0].reviewer_name, "流程单位-审核");
    assert!(matches!(
        s.transition(9999, Status::Draft, 1, &Action::Submit, &w.unit_user)
            .await,
        Err(StoreError::NotFound)
    ));
}

/// Two reviewers decide the same submitted dossier at once: one decision stands.
async fn concurrent_reviews_exactly_one_wins<S: Harness>(s: S, _dir: PathBuf) {
    let w = world(&s, "审核并发").await;
    let d = s
        .create_dossier(
            w.unit_id,
            2023,
            &forms("审核并发", "目标"),
            &[],
            &w.unit_user,
        )
        .await
        .unwrap();
    s.transition(d.id, Status::Draft, 1, &Action::Submit, &w.unit_user)
        .await
        .unwrap();
    let tasks: Vec<_> = [Grade::Excellent, Grade::Poor, Grade::Good, Grade::Fair]
        .into_iter()
        .map(|grade| {
            let s = s.clone();
            let actor = w.reviewer.clone();
            tokio::spawn(async move {
                s.transition(
                    d.id,
                    Status::Submitted,
                    1,
                    &Action::Approve {
                        grade,
                        opinions: opinions(),
                    },
                    &actor,
                )
                .await
            })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(StoreError::Conflict { current: 1 }) => {}
            Err(e) => panic!("{e:?}"),
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(s.reviews(d.id).await.unwrap().len(), 1);
}

/// Comments attach to a field of an existing version and come back in order.
async fn comments_on_fields<S: Harness>(s: S, _dir: PathBuf) {
    let w = world(&s, "评论单位").await;
    let d = s
        .create_dossier(
            w.unit_id,
            2023,
            &forms("评论单位", "目标"),
            &[],
            &w.unit_user,
        )
        .await
        .unwrap();
    let c = s
        .add_comment(d.id, 1, "indicators[3].value", "指标值应量化", &w.reviewer)
        .await
        .unwrap();
    assert_eq!(c.field, "indicators[3].value");
    assert_eq!(c.author_name, "评论单位-审核");
    s.add_comment(d.id, 1, "", "整体请补充测算依据", &w.unit_user)
        .await
        .unwrap();
    assert!(refused(s.add_comment(d.id, 1, "x", "  ", &w.reviewer).await).contains("不能为空"));
    assert!(refused(s.add_comment(d.id, 1, "x", "匿名", &admin()).await).contains("登录"));
    assert!(matches!(
        s.add_comment(d.id, 7, "x", "不存在的版本", &w.reviewer)
            .await,
        Err(StoreError::NotFound)
    ));
    let all = s.comments(d.id).await.unwrap();
    assert_eq!(
        all.iter().map(|c| c.body.as_str()).collect::<Vec<_>>(),
        vec!["指标值应量化", "整体请补充测算依据"]
    );
    assert_eq!(all[0], c);
    assert!(s.comments(9999).await.unwrap().is_empty());

    // 已解决: marked by a user, named, audited; opened again; never across dossiers.
    assert_eq!(c.resolved_at, None);
    let r = s
        .resolve_comment(d.id, c.id, true, &w.reviewer)
        .await
        .unwrap();
    assert!(r.resolved_at.is_some());
    assert_eq!(r.resolved_by_name.as_deref(), Some("评论单位-审核"));
    assert_eq!(s.comments(d.id).await.unwrap()[0], r);
    let r = s
        .resolve_comment(d.id, c.id, false, &w.reviewer)
        .await
        .unwrap();
    assert_eq!((r.resolved_at, r.resolved_by_name), (None, None));
    assert!(matches!(
        s.resolve_comment(d.id + 1000, c.id, true, &w.reviewer)
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(refused(s.resolve_comment(d.id, c.id, true, &admin()).await).contains("登录"));
    let actions: Vec<String> = s
        .audit_log(0, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(
        actions.iter().any(|a| a == "comment.resolve"),
        "{actions:?}"
    );
    assert!(actions.iter().any(|a| a == "comment.reopen"), "{actions:?}");
}

/// Sessions: created with a CSRF token, found by token, slid, expired, deleted.
async fn sessions_lifecycle<S: Harness>(s: S, _dir: PathBuf) {
    let w = world(&s, "会话单位").await;
    let uid = w.unit_user.user_id.unwrap();
    let hour = Duration::from_secs(3600);
    let (token, sess) = s.create_session(uid, hour).await.unwrap();
    assert_eq!(token.len(), 64);
    assert_eq!(sess.csrf_token.len(), 64);
    assert_ne!(token, sess.csrf_token);
    assert_eq!(sess.user_id, uid);
    assert!(sess.expires_at >= sess.created_at + 3_600_000);
    assert_eq!(s.get_session(&token).await.unwrap(), sess);
    let raw: i64 = s
        .exec(&format!(
            "UPDATE sessions SET last_seen = last_seen WHERE id = '{token}'"
        ))
        .await
        .unwrap() as i64;
    assert_eq!(raw, 0, "the token itself is not stored, only its hash");

    let touched = s.touch_session(&token, hour * 2).await.unwrap();
    assert!(touched.last_seen > sess.last_seen);
    assert!(touched.expires_at > sess.expires_at);
    assert_eq!(touched.csrf_token, sess.csrf_token);

    assert!(matches!(
        s.get_session("not-a-token").await,
        Err(StoreError::NotFound)
    ));
    let (expired, _) = s.create_session(uid, Duration::ZERO).await.unwrap();
    assert!(matches!(
        s.get_session(&expired).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        s.touch_session(&expired, hour).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(s.purge_expired_sessions().await.unwrap(), 1);

    assert!(s.delete_session(&token).await.unwrap());
    assert!(!s.delete_session(&token).await.unwrap());
    assert!(matches!(
        s.get_session(&token).await,
        Err(StoreError::NotFound)
    ));
    s.create_session(uid, hour).await.unwrap();
    s.create_session(uid, hour).await.unwrap();
    assert_eq!(s.delete_user_sessions(uid).await.unwrap(), 2);
}

/// Every write leaves a chained audit record; the database refuses changes to the log;
/// a change made behind its back is found at the right record.
/// `count_audit` counts by action, target, address and time (login rate limiting).
async fn audit_counts_for_rate_limits<S: Harness>(s: S, _dir: PathBuf) {
    let from = |addr: &str| Actor {
        user_id: None,
        name: "张三".into(),
        address: Some(addr.into()),
    };
    let before = jixiao_store_now_ms() - 1;
    let detail = serde_json::json!({});
    for _ in 0..3 {
        s.append_audit(&from("10.0.0.1"), "login.failed", "张三", &detail)
            .await
            .unwrap();
    }
    s.append_audit(&from("10.0.0.2"), "login.failed", "张三", &detail)
        .await
        .unwrap();
    s.append_audit(&from("10.0.0.1"), "login.failed", "李四", &detail)
        .await
        .unwrap();
    s.append_audit(&from("10.0.0.1"), "login", "张三", &detail)
        .await
        .unwrap();
    let n = |addr: Option<&'static str>, since: i64| {
        let s = s.clone();
        async move {
            s.count_audit("login.failed", "张三", addr, since)
                .await
                .unwrap()
        }
    };
    assert_eq!(n(Some("10.0.0.1"), before).await, 3);
    assert_eq!(n(Some("10.0.0.2"), before).await, 1);
    assert_eq!(n(Some("10.0.0.3"), before).await, 0);
    assert_eq!(n(None, before).await, 4);
    assert_eq!(
        n(None, jixiao_store_now_ms() + 60_000).await,
        0,
        "since is honoured"
    );
    assert!(s.verify_audit().await.unwrap().is_intact());
}

fn jixiao_store_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

async fn audit_chain_and_tampering<S: Harness>(s: S, _dir: PathBuf) {
    let empty = s.verify_audit().await.unwrap();
    assert_eq!((empty.checked, empty.broken), (0, None));
    let w = world(&s, "审计单位").await; // 1 unit + 2 users + 1 assignment
    let d = s
        .create_dossier(
            w.unit_id,
            2023,
            &forms("审计单位", "目标"),
            &[],
            &w.unit_user,
        )
        .await
        .unwrap();
    s.save_version(
        d.id,
        1,
        &forms("审计单位", "改"),
        &[],
        &w.unit_user,
        SaveKind::Save,
    )
    .await
    .unwrap();
    let login = s
        .append_audit(
            &w.unit_user,
            "login",
            "user:1",
            &serde_json::json!({"ok": true}),
        )
        .await
        .unwrap();
    assert_eq!(login.seq, 7);
    assert_eq!(login.address.as_deref(), Some("127.0.0.1"));

    // Concurrent writers of different kinds still produce one unbroken chain.
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let s = s.clone();
            let actor = w.reviewer.clone();
            tokio::spawn(async move {
                if i % 2 == 0 {
                    s.append_audit(
                        &actor,
                        "view",
                        &format!("dossier:{}", d.id),
                        &serde_json::json!({}),
                    )
                    .await
                    .map(|_| ())
                } else {
                    s.add_comment(d.id, 2, "annual_goal", &format!("意见{i}"), &actor)
                        .await
                        .map(|_| ())
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let log = s.audit_log(0, 100).await.unwrap();
    assert_eq!(log.len(), 15);
    assert_eq!(
        log.iter()
            .map(|r| r.action.as_str())
            .take(6)
            .collect::<Vec<_>>(),
        vec![
            "unit.create",
            "user.create",
            "user.create",
            "reviewer.assign",
            "dossier.create",
            "dossier.save"
        ]
    );
    assert!(log.windows(2).all(|p| p[1].prev_hash == p[0].hash));
    assert_eq!(log[0].prev_hash, jixiao_store::audit::GENESIS);
    assert!(
        !log[1].detail.contains("argon2"),
        "no password hash in the log"
    );
    assert_eq!(s.audit_log(13, 100).await.unwrap().len(), 2);
    let ok = s.verify_audit().await.unwrap();
    assert!(ok.is_intact(), "{ok:?}");
    assert_eq!(ok.checked, 15);
    assert_eq!(ok.head, log[14].hash);

    // The database itself refuses to change or delete audit records.
    let e = s
        .exec("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3")
        .await
        .unwrap_err();
    assert!(e.contains("审计日志只能追加"), "{e}");
    let e = s
        .exec("DELETE FROM audit_log WHERE seq = 3")
        .await
        .unwrap_err();
    assert!(e.contains("审计日志只能追加"), "{e}");
    assert!(s.verify_audit().await.unwrap().is_intact());

    // Someone with full access switches the guard off and edits a record.
    s.exec(S::DISABLE_AUDIT_GUARD).await.unwrap();
    assert_eq!(
        s.exec("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3")
            .await
            .unwrap(),
        1
    );
    let report = s.verify_audit().await.unwrap();
    let broken = report.broken.expect("tampering must be detected");
    assert_eq!(broken.seq, 3);
    assert!(broken.problem.contains("第3条"), "{}", broken.problem);
    assert_eq!(report.checked, 2);
    assert_eq!(report.head, log[1].hash);
}

/// Saved versions cannot be changed or deleted, not even by raw SQL.
async fn versions_are_immutable<S: Harness>(s: S, _dir: PathBuf) {
    let w = world(&s, "版本单位").await;
    let d = s
        .create_dossier(
            w.unit_id,
            2023,
            &forms("版本单位", "目标"),
            &[],
            &w.unit_user,
        )
        .await
        .unwrap();
    let e = s
        .exec(&format!(
            "UPDATE versions SET forms = '[]' WHERE dossier_id = {}",
            d.id
        ))
        .await
        .unwrap_err();
    assert!(e.contains("不能修改或删除"), "{e}");
    let e = s
        .exec(&format!("DELETE FROM versions WHERE dossier_id = {}", d.id))
        .await
        .unwrap_err();
    assert!(e.contains("不能修改或删除"), "{e}");
    assert_eq!(s.get_version(d.id, 1).await.unwrap().forms.len(), 2);
}

/// SQLite: an online backup opens as a complete database with an intact audit chain.
/// PostgreSQL: refused with a pointer to pg_dump.
async fn backup_and_reopen<S: Harness>(s: S, dir: PathBuf) {
    let w = world(&s, "备份单位").await;
    let f = forms("备份单位", "目标");
    let d = s
        .create_dossier(w.unit_id, 2023, &f, &findings(1, 1), &w.unit_user)
        .await
        .unwrap();
    let path = dir.join("backup.db");
    // Writers keep going during the backup.
    let writer = {
        let s = s.clone();
        let actor = w.unit_user.clone();
        tokio::spawn(async move {
            for i in 0..5 {
                s.append_audit(&actor, "view", "dossier:1", &serde_json::json!({ "i": i }))
                    .await
                    .unwrap();
            }
        })
    };
    let result = s.backup(&path).await;
    writer.await.unwrap();
    match S::open_backup(&path).await {
        None => {
            let msg = refused(result);
            assert!(msg.contains("pg_dump"), "{msg}");
        }
        Some(copy) => {
            result.unwrap();
            let got = copy.find_dossier(w.unit_id, 2023).await.unwrap();
            assert_eq!(got.id, d.id);
            assert_eq!(copy.get_version(d.id, 1).await.unwrap().forms, f);
            assert!(copy.verify_audit().await.unwrap().is_intact());
            assert!(copy.user_by_username("备份单位-审核").await.is_ok());
            assert!(refused(s.backup(&path).await).contains("已存在"));
        }
    }
}

/// Both migrations define the same tables and columns (the test runs per backend and
/// compares each with this list).
async fn schema_is_the_same_on_both_backends<S: Harness>(s: S, _dir: PathBuf) {
    let expected: BTreeSet<(String, String)> = [
        ("units", "id name parent_id created_at"),
        (
            "users",
            "id username password_hash role unit_id created_at display_name disabled_at \
             notices_seen",
        ),
        ("reviewer_units", "reviewer_id unit_id created_at"),
        (
            "dossiers",
            "id unit_id year status current_version last_version approved_version grade \
             not_for_budget total_fen created_at updated_at error_count warning_count \
             deleted_at deleted_by facts_version published_at published_version kind report_of \
             period_months round_id",
        ),
        ("dossier_search", "dossier_id document"),
        (
            "versions",
            "dossier_id version kind reason base_version forms findings error_count \
             warning_count created_by created_at",
        ),
        (
            "comments",
            "id dossier_id version field body author_id created_at resolved_at resolved_by",
        ),
        ("dossier_rules", "dossier_id unit_id year rule severity n"),
        (
            "dossier_categories",
            "dossier_id unit_id year level1 level2 n",
        ),
        (
            "reviews",
            "id dossier_id version reviewer_id decision grade opinions created_at",
        ),
        (
            "sessions",
            "id user_id csrf_token created_at expires_at last_seen",
        ),
        (
            "audit_log",
            "seq at actor action target address detail prev_hash hash",
        ),
        (
            "login_failures",
            "username address window_start failures last_at",
        ),
        ("login_devices", "id user_id failures created_at expires_at"),
        ("leases", "id kind holder started_at expires_at"),
        ("library_sources", "source year data updated_at"),
        ("library_edits", "id edit created_by created_at"),
        ("deadlines", "year due_at set_by set_at"),
        (
            "monitoring_rounds",
            "id year period_months due_at opened_by opened_at",
        ),
    ]
    .iter()
    .flat_map(|(t, cols)| {
        cols.split_whitespace()
            .map(move |c| (t.to_string(), c.to_string()))
    })
    .collect();
    let actual = s.columns().await;
    assert_eq!(
        actual,
        expected,
        "missing: {:?}, extra: {:?}",
        expected.difference(&actual).collect::<Vec<_>>(),
        actual.difference(&expected).collect::<Vec<_>>()
    );
}

/// `open` picks the backend from the address; the returned `AnyStore` works.
async fn open_dispatches_on_the_address<S: Harness>(_s: S, dir: PathBuf) {
    let (store, name) = if S::BACKEND == "postgres" {
        // Open a throwaway database of its own through `open`.
        let (name, _) = pg_database().await.unwrap();
        let admin = std::env::var("TEST_DATABASE_URL").unwrap();
        (
            open(&with_database(&admin, &name)).await.unwrap(),
            Some(name),
        )
    } else {
        let path = dir.join("via-open.db").display().to_string();
        (open(&path).await.unwrap(), None)
    };
    assert_eq!(store.backend(), S::BACKEND);
    store.ping().await.unwrap();
    let u = store.create_unit("经由open", None, &admin()).await.unwrap();
    assert_eq!(store.get_unit(u.id).await.unwrap().name, "经由open");
    assert!(store.verify_audit().await.unwrap().is_intact());
    store.close().await;
    if let Some(name) = name {
        drop_pg_database(&name).await;
    }
    assert!(refused(open("mysql://localhost/x").await).contains("不支持"));
    assert!(refused(open("  ").await).contains("不能为空"));
    // A sqlite:// URL works too.
    let url = format!("sqlite://{}", dir.join("url.db").display());
    let via_url = open(&url).await.unwrap();
    assert_eq!(via_url.backend(), "sqlite");
    via_url.close().await;
}

// ---------------------------------------------------------------- search and ordering

/// Forms of one dossier for the search cases: a department form (duties, goal, a key
/// task), a special-fund summary with a nested item and a project under a 专项.
fn searchable(unit: &str, project: &str, goal: &str) -> Vec<Form> {
    vec![
        Form::DepartmentOverall(DepartmentOverall {
            title: "部门整体支出绩效目标表".into(),
            unit: unit.into(),
            year: Some(2023),
            duties: "负责本部门职责范围内的工作".into(),
            annual_goal: goal.into(),
            key_tasks: vec![KeyTask {
                item: format!("{project}推进"),
                owner: "办公室".into(),
                goal: "按期完成".into(),
            }],
            ..DepartmentOverall::default()
        }),
        Form::SpecialFundSummary(SpecialFundSummary {
            title: "专项资金绩效目标汇总表".into(),
            unit: unit.into(),
            year: Some(2023),
            items: vec![SummaryItem {
                seq: "一".into(),
                name: "民生保障专项".into(),
                children: vec![SummaryItem {
                    seq: "1".into(),
                    name: format!("{project}方向"),
                    period_goal: "三年内全面达标".into(),
                    ..SummaryItem::default()
                }],
                ..SummaryItem::default()
            }],
            ..SpecialFundSummary::default()
        }),
        Form::Project(Project {
            title: "项目支出绩效目标表".into(),
            unit: unit.into(),
            year: Some(2023),
            name: project.into(),
            parent: Some(ParentFund {
                name: "民生保障专项".into(),
                amount: None,
            }),
            annual_goal: goal.into(),
            ..Project::default()
        }),
    ]
}

fn query(q: &str) -> DossierFilter {
    DossierFilter {
        query: Some(q.into()),
        ..DossierFilter::default()
    }
}

/// Ids of a listing, in order.
async fn ids<S: Store>(s: &S, f: &DossierFilter) -> Vec<i64> {
    s.list_dossiers(f)
        .await
        .unwrap()
        .items
        .iter()
        .map(|d| d.id)
        .collect()
}

/// Ids matching `q`, ascending.
async fn found<S: Store>(s: &S, q: &str) -> Vec<i64> {
    let page = s
        .list_dossiers(&DossierFilter {
            limit: 500,
            ..query(q)
        })
        .await
        .unwrap();
    let mut v: Vec<i64> = page.items.iter().map(|d| d.id).collect();
    assert_eq!(page.total, v.len() as i64, "total of {q:?}");
    v.sort();
    v
}

/// Search finds a dossier by a two-character word, a longer phrase from a goal, the
/// unit's name, a project, a 专项 or a nested summary item, and a key task; `%`, `_` and
/// the escape character are ordinary characters; whitespace, width, script and case are
/// normalised the same way on both backends.
async fn search_names_goals_and_units<S: Harness>(s: S, _dir: PathBuf) {
    let edu = world(&s, "株洲市石峰区教育局").await;
    let fin = world(&s, "株洲市石峰区财政局").await;
    let health = world(&s, "株洲市石峰区卫生健康局").await;
    let d_edu = s
        .create_dossier(
            edu.unit_id,
            2023,
            &searchable(
                "株洲市石峰区教育局",
                "校舍维修改造",
                "改善全区中小学办学条件",
            ),
            &[],
            &edu.unit_user,
        )
        .await
        .unwrap()
        .id;
    let d_fin = s
        .create_dossier(
            fin.unit_id,
            2023,
            &searchable(
                "株洲市石峰区财政局",
                "PPP项目管理",
                "预算执行率100%，资金_拨付及时！",
            ),
            &[],
            &fin.unit_user,
        )
        .await
        .unwrap()
        .id;
    let d_health = s
        .create_dossier(
            health.unit_id,
            2023,
            &searchable(
                "株洲市石峰区卫生健康局",
                "健康教育宣传",
                "提升居民健康素养水平",
            ),
            &[],
            &health.unit_user,
        )
        .await
        .unwrap()
        .id;
    let all = vec![d_edu, d_fin, d_health];

    // A two-character word: in one unit's name and in another's project name.
    assert_eq!(found(&s, "教育").await, vec![d_edu, d_health]);
    assert_eq!(found(&s, "财").await, vec![d_fin]);
    // A phrase from a goal (the indexed path), and part of it.
    assert_eq!(found(&s, "改善全区中小学办学条件").await, vec![d_edu]);
    assert_eq!(found(&s, "中小学办学").await, vec![d_edu]);
    assert_eq!(found(&s, "健康素养").await, vec![d_health]);
    // Unit names, project, 专项, nested summary item, key task, period goal.
    assert_eq!(found(&s, "株洲市石峰区财政局").await, vec![d_fin]);
    assert_eq!(found(&s, "石峰区").await, all);
    assert_eq!(found(&s, "校舍维修改造").await, vec![d_edu]);
    assert_eq!(found(&s, "民生保障专项").await, all);
    assert_eq!(found(&s, "健康教育宣传方向").await, vec![d_health]);
    assert_eq!(found(&s, "校舍维修改造推进").await, vec![d_edu]);
    assert_eq!(found(&s, "三年内全面达标").await, all);
    // Normalisation: spaces, full width, traditional script, case.
    assert_eq!(found(&s, "  中小学 办学 ").await, vec![d_edu]);
    assert_eq!(found(&s, "ＰＰＰ").await, vec![d_fin]);
    assert_eq!(found(&s, "ppp项目").await, vec![d_fin]);
    assert_eq!(found(&s, "財政局").await, vec![d_fin]);
    // Several words: each must occur (not necessarily together); a year written any usual
    // way selects the dossiers of that year.
    assert_eq!(found(&s, "石峰 教育").await, vec![d_edu, d_health]);
    assert_eq!(found(&s, "石峰，卫生 健康素养").await, vec![d_health]);
    assert_eq!(found(&s, "石峰 不存在的内容").await, Vec::<i64>::new());
    assert_eq!(found(&s, "2023年 财政").await, vec![d_fin]);
    assert_eq!(found(&s, "二〇二三").await, all);
    assert_eq!(found(&s, "二〇二四年度 教育").await, Vec::<i64>::new());
    // Not found, and no text at all (no search).
    assert_eq!(found(&s, "不存在的内容").await, Vec::<i64>::new());
    assert_eq!(found(&s, "无").await, Vec::<i64>::new());
    assert_eq!(found(&s, "   ").await, all);
    // A query never spans two fields.
    assert_eq!(found(&s, "目标表负责").await, Vec::<i64>::new());
    // Wildcards and the escape character are literal, short and long.
    assert_eq!(found(&s, "%").await, vec![d_fin]);
    assert_eq!(found(&s, "_").await, vec![d_fin]);
    assert_eq!(found(&s, "%%").await, Vec::<i64>::new());
    assert_eq!(found(&s, "100%").await, vec![d_fin]);
    assert_eq!(found(&s, "率1_0%").await, Vec::<i64>::new());
    assert_eq!(found(&s, "率%").await, Vec::<i64>::new());
    assert_eq!(found(&s, "资金_拨付").await, vec![d_fin]);
    assert_eq!(found(&s, "资金%拨付").await, Vec::<i64>::new());
    assert_eq!(
        found(&s, "!").await,
        vec![d_fin],
        "full-width ！ folds to !"
    );
    assert_eq!(found(&s, "及时!").await, vec![d_fin]);
    assert_eq!(found(&s, "!!").await, Vec::<i64>::new());
    assert_eq!(found(&s, "\"").await, Vec::<i64>::new());
    assert_eq!(found(&s, "\"教育\" OR 财政").await, Vec::<i64>::new());
    assert_eq!(found(&s, "教育*").await, Vec::<i64>::new());
}

/// Search combined with unit, year and status filters; totals and pages.
async fn search_with_filters_and_pages<S: Harness>(s: S, _dir: PathBuf) {
    let a = world(&s, "株洲市教育局").await;
    let b = world(&s, "株洲市卫生健康局").await;
    let mut a_ids = Vec::new();
    for year in 2019..2025 {
        let goal = if year % 2 == 0 {
            "推进教育均衡发展"
        } else {
            "保障校园安全"
        };
        let d = s
            .create_dossier(
                a.unit_id,
                year,
                &searchable("株洲市教育局", "学校建设", goal),
                &[],
                &a.unit_user,
            )
            .await
            .unwrap();
        a_ids.push(d.id);
    }
    let b_2023 = s
        .create_dossier(
            b.unit_id,
            2023,
            &searchable("株洲市卫生健康局", "健康教育", "推进教育均衡发展"),
            &[],
            &b.unit_user,
        )
        .await
        .unwrap()
        .id;

    // "教育" is in a's unit name: all of a's, and b's project.
    assert_eq!(found(&s, "教育").await.len(), 7);
    // A goal phrase: even years of a, and b.
    let balanced = found(&s, "教育均衡发展").await;
    assert_eq!(balanced.len(), 4);
    assert!(balanced.contains(&b_2023));

    let in_a = DossierFilter {
        unit_ids: Some(vec![a.unit_id]),
        ..query("教育均衡发展")
    };
    let page = s.list_dossiers(&in_a).await.unwrap();
    assert_eq!(page.total, 3);
    // Newest first: 2024, 2022, 2020.
    assert_eq!(
        page.items.iter().map(|d| d.id).collect::<Vec<_>>(),
        vec![a_ids[5], a_ids[3], a_ids[1]]
    );
    let p2 = s
        .list_dossiers(&DossierFilter {
            limit: 2,
            offset: 1,
            ..in_a.clone()
        })
        .await
        .unwrap();
    assert_eq!(p2.total, 3, "total ignores limit and offset");
    assert_eq!(
        p2.items.iter().map(|d| d.id).collect::<Vec<_>>(),
        vec![a_ids[3], a_ids[1]]
    );
    let past = s
        .list_dossiers(&DossierFilter {
            offset: 10,
            ..in_a.clone()
        })
        .await
        .unwrap();
    assert_eq!((past.total, past.items.len()), (3, 0));

    // Year: a's 2022 and nothing of b's.
    let y = DossierFilter {
        year: Some(2022),
        ..query("均衡")
    };
    assert_eq!(ids(&s, &y).await, vec![a_ids[3]]);
    let y = DossierFilter {
        year: Some(2023),
        ..query("教育均衡发展")
    };
    assert_eq!(ids(&s, &y).await, vec![b_2023]);
    // A two-character word with unit and year.
    let f = DossierFilter {
        unit_ids: Some(vec![b.unit_id]),
        year: Some(2023),
        ..query("教育")
    };
    assert_eq!(s.list_dossiers(&f).await.unwrap().total, 1);
    let f = DossierFilter {
        unit_ids: Some(vec![b.unit_id]),
        year: Some(2022),
        ..query("教育")
    };
    assert_eq!(s.list_dossiers(&f).await.unwrap().total, 0);
    // No units: nothing, even with a query.
    let f = DossierFilter {
        unit_ids: Some(vec![]),
        ..query("教育")
    };
    assert_eq!(s.list_dossiers(&f).await.unwrap().total, 0);

    // Status: submit two of them.
    s.transition(a_ids[3], Status::Draft, 1, &Action::Submit, &a.unit_user)
        .await
        .unwrap();
    s.transition(a_ids[0], Status::Draft, 1, &Action::Submit, &a.unit_user)
        .await
        .unwrap();
    let submitted = |q: &str| DossierFilter {
        statuses: vec![Status::Submitted],
        ..query(q)
    };
    assert_eq!(ids(&s, &submitted("均衡发展")).await, vec![a_ids[3]]);
    assert_eq!(ids(&s, &submitted("校园")).await, vec![a_ids[0]]);
    assert_eq!(s.list_dossiers(&submitted("教育")).await.unwrap().total, 2);
    assert_eq!(ids(&s, &submitted("健康")).await, Vec::<i64>::new());
    // Everything at once, ordered by quality.
    let f = DossierFilter {
        unit_ids: Some(vec![a.unit_id, b.unit_id]),
        statuses: vec![Status::Draft, Status::Submitted],
        year: Some(2022),
        order: DossierOrder::Quality,
        ..query("教育均衡")
    };
    assert_eq!(ids(&s, &f).await, vec![a_ids[3]]);
}

/// The search document is the current version's: a save replaces it (the old words no
/// longer match), a conflict version does not touch it, an adjustment does.
async fn search_follows_the_current_version<S: Harness>(s: S, _dir: PathBuf) {
    let w = world(&s, "株洲市民政局").await;
    let d = s
        .create_dossier(
            w.unit_id,
            2023,
            &searchable("株洲市民政局", "养老服务", "提升养老服务水平"),
            &[],
            &w.unit_user,
        )
        .await
        .unwrap();
    assert_eq!(found(&s, "养老").await, vec![d.id]);
    assert_eq!(found(&s, "提升养老服务水平").await, vec![d.id]);

    s.save_version(
        d.id,
        1,
        &searchable("株洲市民政局", "社会救助", "困难群众应保尽保"),
        &[],
        &w.unit_user,
        SaveKind::Save,
    )
    .await
    .unwrap();
    assert_eq!(
        found(&s, "养老").await,
        Vec::<i64>::new(),
        "old words are gone"
    );
    assert_eq!(found(&s, "提升养老服务水平").await, Vec::<i64>::new());
    assert_eq!(found(&s, "救助").await, vec![d.id]);
    assert_eq!(found(&s, "应保尽保").await, vec![d.id]);
    assert_eq!(found(&s, "民政局").await, vec![d.id], "unit name stays");

    // A stale save is kept as a conflict version but is not what search sees.
    let stale = s
        .save_version(
            d.id,
            1,
            &searchable("株洲市民政局", "殡葬改革", "文明节俭治丧"),
            &[],
            &w.unit_user,
            SaveKind::Save,
        )
        .await;
    assert!(matches!(stale, Err(StoreError::Conflict { current: 2 })));
    assert_eq!(found(&s, "殡葬").await, Vec::<i64>::new());
    assert_eq!(found(&s, "文明节俭治丧").await, Vec::<i64>::new());
    assert_eq!(found(&s, "救助").await, vec![d.id]);

    // A refused save (approved dossiers are locked) changes nothing either.
    s.transition(d.id, Status::Draft, 2, &Action::Submit, &w.unit_user)
        .await
        .unwrap();
    s.transition(
        d.id,
        Status::Submitted,
        2,
        &Action::Approve {
            grade: Grade::Excellent,
            opinions: opinions(),
        },
        &w.reviewer,
    )
    .await
    .unwrap();
    let locked = s
        .save_version(
            d.id,
            2,
            &searchable("株洲市民政局", "婚姻登记", "便民服务"),
            &[],
            &w.unit_user,
            SaveKind::Save,
        )
        .await;
    assert!(locked.is_err());
    assert_eq!(found(&s, "婚姻登记").await, Vec::<i64>::new());

    // An adjustment becomes current: its words are found, the approved ones are not.
    s.save_version(
        d.id,
        2,
        &searchable("株洲市民政局", "社区治理", "完善城乡社区服务"),
        &[],
        &w.unit_user,
        SaveKind::Adjustment {
            reason: "预算调整".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(found(&s, "社区").await, vec![d.id]);
    assert_eq!(found(&s, "应保尽保").await, Vec::<i64>::new());
}

/// Dossiers stored before search existed (no document) get one when the store is
/// opened again; opening once more changes nothing.
async fn search_documents_are_backfilled_at_open<S: Harness>(s: S, _dir: PathBuf) {
    let w = world(&s, "株洲市交通运输局").await;
    let mut ids_made = Vec::new();
    for year in 2000..2230 {
        let d = s
            .create_dossier(
                w.unit_id,
                year,
                &searchable(
                    "株洲市交通运输局",
                    &format!("道路{year}工程"),
                    "农村公路提质",
                ),
                &[],
                &w.unit_user,
            )
            .await
            .unwrap();
        ids_made.push(d.id);
    }
    // Version 2 of the first one: the backfill reads the current version.
    s.save_version(
        ids_made[0],
        1,
        &searchable("株洲市交通运输局", "桥梁加固", "危桥改造"),
        &[],
        &w.unit_user,
        SaveKind::Save,
    )
    .await
    .unwrap();
    assert_eq!(s.exec("DELETE FROM dossier_search").await.unwrap(), 230);
    assert_eq!(found(&s, "公路提质").await.len(), 0);
    assert_eq!(found(&s, "交通").await.len(), 0);

    let again = s.reopen().await;
    assert_eq!(found(&again, "公路提质").await.len(), 229);
    assert_eq!(found(&again, "交通").await.len(), 230);
    assert_eq!(found(&again, "危桥").await, vec![ids_made[0]]);
    assert_eq!(found(&again, "道路2229工程").await, vec![ids_made[229]]);
    // The FTS index of SQLite (or nothing on PostgreSQL) agrees with LIKE.
    assert_eq!(found(&again, "道路2").await.len(), 229);
    let third = again.reopen().await;
    assert_eq!(found(&third, "交通运输").await.len(), 230);
}

/// `DossierOrder::Quality`: most errors first, then most warnings, then last changed;
/// the counts are those of the current version (conflict versions do not count).
async fn quality_order_errors_then_warnings<S: Harness>(s: S, _dir: PathBuf) {
    let w = world(&s, "单位").await;
    let mut made = Vec::new();
    // (errors, warnings) per dossier, created in this order.
    for (year, (e, wn)) in [(0, 0), (1, 0), (0, 3), (2, 1), (1, 5), (0, 3)]
        .into_iter()
        .enumerate()
    {
        let d = s
            .create_dossier(
                w.unit_id,
                2020 + year as i64,
                &forms("单位", "目标"),
                &findings(e, wn),
                &w.unit_user,
            )
            .await
            .unwrap();
        assert_eq!((d.error_count, d.warning_count), (e as i64, wn as i64));
        made.push(d.id);
    }
    let quality = DossierFilter {
        order: DossierOrder::Quality,
        ..DossierFilter::default()
    };
    // 2/1, then 1/5, 1/0, then 0/3 (newer first), 0/3, 0/0.
    assert_eq!(
        ids(&s, &quality).await,
        vec![made[3], made[4], made[1], made[5], made[2], made[0]]
    );
    let recent = ids(&s, &DossierFilter::default()).await;
    assert_eq!(recent, made.iter().rev().copied().collect::<Vec<_>>());

    // A save with no findings moves the first one to the end; a conflict with many
    // errors changes nothing.
    s.save_version(
        made[3],
        1,
        &forms("单位", "改好了"),
        &[],
        &w.unit_user,
        SaveKind::Save,
    )
    .await
    .unwrap();
    let conflict = s
        .save_version(
            made[0],
            0,
            &forms("单位", "旧"),
            &findings(9, 9),
            &w.unit_user,
            SaveKind::Save,
        )
        .await;
    assert!(matches!(conflict, Err(StoreError::Conflict { .. })));
    let d0 = s.get_dossier(made[0]).await.unwrap();
    assert_eq!((d0.error_count, d0.warning_count), (0, 0));
    let d3 = s.get_dossier(made[3]).await.unwrap();
    assert_eq!((d3.error_count, d3.warning_count), (0, 0));
    assert_eq!(
        ids(&s, &quality).await,
        vec![made[4], made[1], made[5], made[2], made[3], made[0]],
        "0/0 ties: the just-saved one first"
    );
    // Pages of the quality order, with a filter.
    let page = s
        .list_dossiers(&DossierFilter {
            limit: 2,
            offset: 1,
            statuses: vec![Status::Draft],
            ..quality.clone()
        })
        .await
        .unwrap();
    assert_eq!(page.total, 6);
    assert_eq!(
        page.items.iter().map(|d| d.id).collect::<Vec<_>>(),
        vec![made[1], made[5]]
    );
    // The counts listed are those of the current version.
    let history = s.history(made[3]).await.unwrap();
    assert_eq!(history.last().unwrap().error_count, 0);
    assert_eq!(history[0].error_count, 2);
}

// ---------------------------------------------------------------- login throttling

/// Failed logins: one audit record per username, address and window, the count beside
/// it; the pressure of a username (all addresses) and of an address (all usernames);
/// device tokens; old records purged.
async fn login_failures_are_counted_per_window<S: Harness>(s: S, _dir: PathBuf) {
    let w = world(&s, "登录单位").await;
    let window = Duration::from_secs(900);
    for _ in 0..4 {
        s.record_login_failure("someone", Some("10.0.0.1"), window)
            .await
            .unwrap();
    }
    assert_eq!(
        s.record_login_failure("someone", Some("10.0.0.2"), window)
            .await
            .unwrap(),
        1
    );
    s.record_login_failure("other", Some("10.0.0.1"), window)
        .await
        .unwrap();
    s.record_login_failure("someone", None, window)
        .await
        .unwrap();
    let log = s.audit_log(0, 1000).await.unwrap();
    let failed: Vec<_> = log
        .iter()
        .filter(|r| r.action == jixiao_store::LOGIN_FAILED)
        .collect();
    assert_eq!(failed.len(), 4, "one per username and address");
    assert_eq!(failed[0].target, "someone");
    assert_eq!(failed[0].address.as_deref(), Some("10.0.0.1"));
    assert_eq!(failed[3].address, None);
    let rows = s.login_failures("someone", 0).await.unwrap();
    assert_eq!(
        rows.iter().map(|r| r.failures).collect::<Vec<_>>(),
        [4, 1, 1]
    );
    let p = s
        .login_pressure("someone", Some("10.0.0.1"), 0, 0)
        .await
        .unwrap();
    assert_eq!((p.user_failures, p.address_failures), (6, 5));
    assert!(p.user_last > 0 && p.address_last > 0);
    let p = s.login_pressure("nobody", None, 0, 0).await.unwrap();
    assert_eq!(
        (p.user_failures, p.user_last, p.address_failures),
        (0, 0, 0)
    );
    let later = jixiao_store_now_ms() + 60_000;
    let p = s
        .login_pressure("someone", Some("10.0.0.1"), later, later)
        .await
        .unwrap();
    assert_eq!((p.user_failures, p.address_failures), (0, 0), "old ones");

    let user = w.unit_user.user_id.unwrap();
    let token = s
        .create_login_device(user, Duration::from_secs(3600))
        .await
        .unwrap();
    let d = s.login_device(&token).await.unwrap();
    assert_eq!((d.user_id, d.failures), (user, 0));
    s.login_device_used(&token, false).await.unwrap();
    s.login_device_used(&token, false).await.unwrap();
    assert_eq!(s.login_device(&token).await.unwrap().failures, 2);
    s.login_device_used(&token, true).await.unwrap();
    assert_eq!(s.login_device(&token).await.unwrap().failures, 0);
    assert!(matches!(
        s.login_device("not-a-token").await,
        Err(StoreError::NotFound)
    ));
    let expired = s
        .create_login_device(user, Duration::from_millis(1))
        .await
        .unwrap();
    assert!(matches!(
        s.login_device(&expired).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        s.purge_login_records(later).await.unwrap(),
        4 + 1,
        "four windows, one device"
    );
    assert!(s.login_failures("someone", 0).await.unwrap().is_empty());
    assert!(
        s.login_device(&token).await.is_ok(),
        "live devices are kept"
    );
    assert!(s.verify_audit().await.unwrap().is_intact());
}

// ---------------------------------------------------------------- accounts

/// Display names are what history, comments and reviews show (the login id stays);
/// disabling ends every session and forgets known devices, as a new password does; a
/// reviewer cannot belong to a unit; every change is audited.
async fn accounts_disable_rename_and_reset<S: Harness>(s: S, _dir: PathBuf) {
    let w = world(&s, "账号单位").await;
    let filer = w.unit_user.user_id.unwrap();
    let d = s
        .create_dossier(
            w.unit_id,
            2023,
            &forms("账号单位", "目标"),
            &[],
            &w.unit_user,
        )
        .await
        .unwrap();
    s.add_comment(d.id, 1, "", "请补充", &w.reviewer)
        .await
        .unwrap();
    let renamed = s
        .rename_user(w.reviewer_id, "  王审核  ", &admin())
        .await
        .unwrap();
    assert_eq!(renamed.display_name, "王审核");
    assert_eq!(renamed.shown_name(), "王审核");
    assert_eq!(
        s.get_user(w.reviewer_id).await.unwrap().username,
        "账号单位-审核"
    );
    assert_eq!(s.comments(d.id).await.unwrap()[0].author_name, "王审核");
    s.rename_user(filer, "李填报", &admin()).await.unwrap();
    assert_eq!(
        s.history(d.id).await.unwrap()[0].created_by_name.as_deref(),
        Some("李填报")
    );
    s.transition(d.id, Status::Draft, 1, &Action::Submit, &w.unit_user)
        .await
        .unwrap();
    s.transition(
        d.id,
        Status::Submitted,
        1,
        &Action::Approve {
            grade: Grade::Good,
            opinions: opinions(),
        },
        &w.reviewer,
    )
    .await
    .unwrap();
    assert_eq!(s.reviews(d.id).await.unwrap()[0].reviewer_name, "王审核");
    // An empty display name shows the login id again.
    s.rename_user(filer, " ", &admin()).await.unwrap();
    assert_eq!(
        s.history(d.id).await.unwrap()[0].created_by_name.as_deref(),
        Some("账号单位-填报")
    );
    assert!(refused(s.rename_user(filer, &"名".repeat(51), &admin()).await).contains("过长"));
    assert!(matches!(
        s.rename_user(987_654, "x", &admin()).await,
        Err(StoreError::NotFound)
    ));

    let (token, _) = s
        .create_session(filer, Duration::from_secs(60))
        .await
        .unwrap();
    let device = s
        .create_login_device(filer, Duration::from_secs(60))
        .await
        .unwrap();
    let off = s.set_user_enabled(filer, false, &admin()).await.unwrap();
    assert!(!off.enabled);
    assert!(!s.get_user(filer).await.unwrap().enabled);
    assert!(s.get_session(&token).await.is_err(), "sessions end");
    assert!(
        s.login_device(&device).await.is_err(),
        "devices are forgotten"
    );
    assert!(
        s.set_user_enabled(filer, true, &admin())
            .await
            .unwrap()
            .enabled
    );

    let (token, _) = s
        .create_session(filer, Duration::from_secs(60))
        .await
        .unwrap();
    s.set_password(filer, &hash_password("新的密码 2").unwrap(), &admin())
        .await
        .unwrap();
    assert!(
        s.get_session(&token).await.is_err(),
        "a new password logs out"
    );
    assert!(verify_password(
        "新的密码 2",
        &s.get_user(filer).await.unwrap().password_hash
    ));

    let hash = hash_password("secret").unwrap();
    let with_unit = s
        .create_user(
            &NewUser {
                username: "有单位的审核",
                password_hash: &hash,
                role: Role::Reviewer,
                unit_id: Some(w.unit_id),
            },
            &admin(),
        )
        .await;
    assert!(refused(with_unit).contains("审核人员不能属于预算单位"));
    assert_eq!(
        s.assignments().await.unwrap(),
        vec![(w.reviewer_id, w.unit_id)]
    );
    let actions: Vec<String> = s
        .audit_log(0, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect();
    for a in [
        "user.rename",
        "user.disable",
        "user.enable",
        "user.password",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} audited");
    }
    assert!(s.verify_audit().await.unwrap().is_intact());
}

/// `audit_head` is the newest hash; checking against a head kept earlier finds a log
/// whose tail was cut off even though the rest of the chain is intact.
async fn audit_head_detects_a_truncated_tail<S: Harness>(s: S, _dir: PathBuf) {
    let (seq, head) = s.audit_head().await.unwrap();
    assert_eq!((seq, head.as_str()), (0, jixiao_store::audit::GENESIS));
    assert!(s.verify_audit_to(&head).await.unwrap().is_intact());
    for i in 0..5 {
        s.create_unit(&format!("链头单位{i}"), None, &admin())
            .await
            .unwrap();
    }
    let (seq, kept) = s.audit_head().await.unwrap();
    assert_eq!(seq, 5);
    assert_eq!(kept, s.audit_log(4, 1).await.unwrap()[0].hash);
    s.create_unit("之后的单位", None, &admin()).await.unwrap();
    assert!(
        s.verify_audit_to(&kept).await.unwrap().is_intact(),
        "the log grew"
    );
    assert!(
        s.verify_audit_to(&kept.to_uppercase())
            .await
            .unwrap()
            .is_intact(),
        "case does not matter"
    );

    // Someone with full database access cuts the log's tail off.
    s.exec(S::DISABLE_AUDIT_GUARD).await.unwrap();
    if S::BACKEND == "sqlite" {
        s.exec("DROP TRIGGER audit_log_no_delete").await.unwrap();
    }
    s.exec("DELETE FROM audit_log WHERE seq >= 5")
        .await
        .unwrap();
    assert!(
        s.verify_audit().await.unwrap().is_intact(),
        "a cut tail leaves an intact chain"
    );
    let r = s.verify_audit_to(&kept).await.unwrap();
    let b = r.broken.expect("the kept head is gone");
    assert_eq!((r.checked, b.seq), (4, 5));
    assert!(b.problem.contains("截断"), "{}", b.problem);
    assert!(!s.verify_audit_to("not-a-hash").await.unwrap().is_intact());
}

/// A server's lease keeps a restore out and a restore's keeps a server out; servers do
/// not exclude each other; released or expired leases block nothing.
async fn leases_keep_serve_and_restore_apart<S: Harness>(s: S, _dir: PathBuf) {
    let ttl = Duration::from_secs(60);
    let a = s
        .take_lease(LeaseKind::Serve, "jixiao serve A", ttl)
        .await
        .unwrap();
    let b = s
        .take_lease(LeaseKind::Serve, "jixiao serve B", ttl)
        .await
        .unwrap();
    let msg = refused(s.take_lease(LeaseKind::Restore, "restore", ttl).await);
    assert!(
        msg.contains("运行中的服务") && msg.contains("jixiao serve"),
        "{msg}"
    );
    s.renew_lease(&a.id, ttl).await.unwrap();
    s.release_lease(&a.id).await.unwrap();
    s.release_lease(&b.id).await.unwrap();
    assert!(matches!(
        s.renew_lease(&a.id, ttl).await,
        Err(StoreError::NotFound)
    ));
    let r = s
        .take_lease(LeaseKind::Restore, "jixiao restore", ttl)
        .await
        .unwrap();
    assert!(refused(s.take_lease(LeaseKind::Serve, "late server", ttl).await).contains("恢复"));
    assert!(refused(s.take_lease(LeaseKind::Restore, "second", ttl).await).contains("另一个恢复"));
    s.release_lease(&r.id).await.unwrap();
    // A killed server's lease runs out.
    s.take_lease(LeaseKind::Serve, "killed", Duration::from_millis(1))
        .await
        .unwrap();
    let r = s
        .take_lease(LeaseKind::Restore, "after expiry", ttl)
        .await
        .unwrap();
    s.clear_leases().await.unwrap();
    assert!(matches!(
        s.renew_lease(&r.id, ttl).await,
        Err(StoreError::NotFound)
    ));
}

/// 删除: only a 草稿 at the version the caller saw; it leaves lookups and listings, its
/// unit and year take a new dossier; restore brings it back unless the year is taken
/// again; both audited.
async fn deleted_drafts_leave_and_come_back<S: Harness>(s: S, _dir: PathBuf) {
    let w = world(&s, "删除测试局").await;
    let d = s
        .create_dossier(
            w.unit_id,
            2024,
            &forms("删除测试局", "目标"),
            &[],
            &w.unit_user,
        )
        .await
        .unwrap();
    // A stale version is a conflict; nothing is deleted.
    assert!(matches!(
        s.delete_dossier(d.id, 7, &w.unit_user).await,
        Err(StoreError::Conflict { current: 1 })
    ));
    s.get_dossier(d.id).await.unwrap();
    // Submitted: refused.
    s.transition(d.id, Status::Draft, 1, &Action::Submit, &w.unit_user)
        .await
        .unwrap();
    assert!(refused(s.delete_dossier(d.id, 1, &w.unit_user).await).contains("只能删除草稿"));
    s.transition(d.id, Status::Submitted, 1, &Action::Withdraw, &w.unit_user)
        .await
        .unwrap();

    s.delete_dossier(d.id, 1, &w.unit_user).await.unwrap();
    assert!(matches!(
        s.get_dossier(d.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        s.find_dossier(w.unit_id, 2024).await,
        Err(StoreError::NotFound)
    ));
    let all = DossierFilter::default();
    assert!(!ids(&s, &all).await.contains(&d.id));
    assert!(matches!(
        s.delete_dossier(d.id, 1, &w.unit_user).await,
        Err(StoreError::NotFound)
    ));
    let trash = s.deleted_dossiers().await.unwrap();
    assert_eq!(trash.len(), 1);
    assert_eq!(trash[0].dossier.id, d.id);
    assert_eq!(trash[0].dossier.year, 2024);
    assert_eq!(trash[0].deleted_by.as_deref(), Some("删除测试局-填报"));

    // The year is free: a new dossier takes it, and the deleted one cannot come back.
    let again = s
        .create_dossier(
            w.unit_id,
            2024,
            &forms("删除测试局", "新目标"),
            &[],
            &w.unit_user,
        )
        .await
        .unwrap();
    match s.restore_dossier(d.id, &admin()).await {
        Err(StoreError::Duplicate(msg)) => assert!(msg.contains("2024"), "{msg}"),
        other => panic!("expected a duplicate, got {other:?}"),
    }
    s.delete_dossier(again.id, 1, &w.unit_user).await.unwrap();
    let back = s.restore_dossier(d.id, &admin()).await.unwrap();
    assert_eq!(back.id, d.id);
    assert_eq!(back.current_version, 1);
    assert_eq!(s.find_dossier(w.unit_id, 2024).await.unwrap().id, d.id);
    assert!(ids(&s, &all).await.contains(&d.id));
    assert_eq!(s.deleted_dossiers().await.unwrap().len(), 1);
    assert!(matches!(
        s.restore_dossier(d.id, &admin()).await,
        Err(StoreError::NotFound)
    ));

    let actions: Vec<String> = s
        .audit_log(0, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.target == format!("dossier:{}", d.id))
        .map(|r| r.action)
        .collect();
    assert!(
        actions.contains(&"dossier.delete".to_string()),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"dossier.restore".to_string()),
        "{actions:?}"
    );
}

/// 消息: the workflow steps and comments of others on the dossiers of the given units,
/// newest first, with the unit, year and the actor's name; a deleted dossier's go; the
/// read mark only moves forward.
async fn notices_are_others_steps_on_visible_dossiers<S: Harness>(s: S, _dir: PathBuf) {
    let w = world(&s, "消息测试局").await;
    let other = world(&s, "别的单位").await;
    let unit_user = s.user_by_username("消息测试局-填报").await.unwrap();
    let d = s
        .create_dossier(
            w.unit_id,
            2024,
            &forms("消息测试局", "目标"),
            &[],
            &w.unit_user,
        )
        .await
        .unwrap();
    let o = s
        .create_dossier(
            other.unit_id,
            2024,
            &forms("别的单位", "目标"),
            &[],
            &other.unit_user,
        )
        .await
        .unwrap();
    s.transition(d.id, Status::Draft, 1, &Action::Submit, &w.unit_user)
        .await
        .unwrap();
    s.transition(o.id, Status::Draft, 1, &Action::Submit, &other.unit_user)
        .await
        .unwrap();
    s.add_comment(d.id, 1, "", "请补充测算依据", &w.reviewer)
        .await
        .unwrap();
    s.transition(
        d.id,
        Status::Submitted,
        1,
        &Action::Return {
            opinions: opinions(),
        },
        &w.reviewer,
    )
    .await
    .unwrap();

    let mine = [w.unit_id];
    let seen_by_unit = s
        .dossier_events(Some(&mine), &unit_user.username, 50)
        .await
        .unwrap();
    let actions: Vec<&str> = seen_by_unit.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["dossier.return", "comment.add"],
        "the unit's own submit is not news"
    );
    assert!(seen_by_unit
        .iter()
        .all(|e| e.dossier_id == Some(d.id) && e.year == 2024));
    assert_eq!(seen_by_unit[0].unit_name, "消息测试局");
    assert_eq!(seen_by_unit[0].actor, "消息测试局-审核");
    assert!(seen_by_unit[0].seq > seen_by_unit[1].seq);

    let all = s.dossier_events(None, "nobody", 50).await.unwrap();
    assert!(all
        .iter()
        .any(|e| e.dossier_id == Some(o.id) && e.action == "dossier.submit"));
    assert!(s
        .dossier_events(Some(&[]), "nobody", 50)
        .await
        .unwrap()
        .is_empty());

    assert_eq!(s.notices_seen(unit_user.id).await.unwrap(), 0);
    s.mark_notices_seen(unit_user.id, seen_by_unit[0].seq)
        .await
        .unwrap();
    s.mark_notices_seen(unit_user.id, 1).await.unwrap();
    assert_eq!(
        s.notices_seen(unit_user.id).await.unwrap(),
        seen_by_unit[0].seq
    );
}

/// 填报进度: every unit of the scope with its dossier of the year (none yet, or its state;
/// a deleted one counts as none), the deadline set, replaced and cleared (audited), and a
/// 催报 reminder read by the unit as a notice.
async fn progress_deadlines_and_reminders<S: Harness>(s: S, _dir: PathBuf) {
    let a = world(&s, "进度甲局").await;
    let b = world(&s, "进度乙局").await;
    let d = s
        .create_dossier(
            a.unit_id,
            2025,
            &forms("进度甲局", "目标"),
            &[],
            &a.unit_user,
        )
        .await
        .unwrap();
    let both = [a.unit_id, b.unit_id];
    let rows = s.progress(Some(&both), 2025).await.unwrap();
    assert_eq!(rows.len(), 2);
    let ra = rows.iter().find(|r| r.unit_id == a.unit_id).unwrap();
    assert_eq!(ra.dossier_id, Some(d.id));
    assert_eq!(ra.status, Some(Status::Draft));
    assert_eq!(ra.version, Some(1));
    let rb = rows.iter().find(|r| r.unit_id == b.unit_id).unwrap();
    assert_eq!((rb.dossier_id, rb.status), (None, None));
    assert!(s.progress(Some(&[]), 2025).await.unwrap().is_empty());
    assert!(s.progress(None, 2025).await.unwrap().len() >= 2);
    s.delete_dossier(d.id, 1, &a.unit_user).await.unwrap();
    let rows = s.progress(Some(&[a.unit_id]), 2025).await.unwrap();
    assert_eq!(rows[0].dossier_id, None, "a deleted dossier is not filed");

    assert_eq!(s.deadline(2025).await.unwrap(), None);
    s.set_deadline(2025, Some(1_743_436_799_999), &admin())
        .await
        .unwrap();
    s.set_deadline(2025, Some(1_743_436_799_000), &admin())
        .await
        .unwrap();
    assert_eq!(s.deadline(2025).await.unwrap(), Some(1_743_436_799_000));
    s.set_deadline(2025, None, &admin()).await.unwrap();
    assert_eq!(s.deadline(2025).await.unwrap(), None);

    s.remind_units(&[b.unit_id], 2025, &a.reviewer)
        .await
        .unwrap();
    let filer_b = s.user_by_username("进度乙局-填报").await.unwrap();
    let news = s
        .dossier_events(Some(&[b.unit_id]), &filer_b.username, 10)
        .await
        .unwrap();
    assert_eq!(news.len(), 1);
    assert_eq!(news[0].action, "unit.remind");
    assert_eq!((news[0].dossier_id, news[0].year), (None, 2025));
    assert_eq!(news[0].unit_name, "进度乙局");
    // Read for every unit (an administrator), the reminders' `unit:` targets are no dossiers.
    let all = s.dossier_events(None, "nobody", 50).await.unwrap();
    assert!(all
        .iter()
        .all(|e| e.action != "unit.remind" && e.dossier_id.is_some()));
    let log = s.audit_log(0, 10_000).await.unwrap();
    assert_eq!(log.iter().filter(|r| r.action == "deadline.set").count(), 3);
}

/// 统计汇总: every number is what the dossiers' current versions say, counted again after a
/// save, without deleted dossiers or units out of scope; the same on both backends.
async fn statistics_are_sql_aggregates_of_current_versions<S: Harness>(s: S, _dir: PathBuf) {
    use jixiao_store::stats::{quality, BLANK_LEVEL};
    let bureau = s.create_unit("统计-财政局", None, &admin()).await.unwrap();
    let w = world(&s, "统计-甲单位").await;
    let b = s
        .create_unit("统计-乙单位", Some(bureau.id), &admin())
        .await
        .unwrap();
    let c = s
        .create_unit("统计-丙单位", Some(bureau.id), &admin())
        .await
        .unwrap();
    let mut two_rules = findings(2, 3);
    two_rules.push(Finding::new(
        "empty-indicator",
        Severity::Warning,
        "指标未填",
        Location::default(),
    ));
    let a23 = s
        .create_dossier(
            w.unit_id,
            2023,
            &forms("统计-甲单位", "目标"),
            &two_rules,
            &w.unit_user,
        )
        .await
        .unwrap();
    s.create_dossier(
        w.unit_id,
        2022,
        &forms("统计-甲单位", "目标"),
        &findings(1, 0),
        &w.unit_user,
    )
    .await
    .unwrap();
    let mut b_forms = forms("统计-乙单位", "目标");
    if let Form::DepartmentOverall(d) = &mut b_forms[0] {
        d.budget.total = Some(wan("100.000001"));
    }
    if let Form::Project(p) = &mut b_forms[1] {
        p.indicators.push(Indicator {
            level1: "效益指标".into(),
            level2: "".into(),
            name: "群众满意".into(),
            value: IndicatorValue::parse("≥90%"),
            ..Indicator::default()
        });
    }
    let b23 = s
        .create_dossier(b.id, 2023, &b_forms, &findings(0, 1), &w.unit_user)
        .await
        .unwrap();
    // A deleted draft counts nowhere.
    let c23 = s
        .create_dossier(
            c.id,
            2023,
            &forms("统计-丙单位", "目标"),
            &findings(9, 9),
            &w.unit_user,
        )
        .await
        .unwrap();
    s.delete_dossier(c23.id, 1, &w.unit_user).await.unwrap();

    let st = s.statistics(2023, None).await.unwrap();
    assert_eq!(st.by_status, vec![("draft".to_string(), 2)]);
    assert_eq!(st.by_grade, vec![("".to_string(), 2)]);
    let ids: Vec<i64> = st.units.iter().map(|u| u.dossier_id).collect();
    assert_eq!(ids, vec![a23.id, b23.id], "by money, the larger first");
    let a = &st.units[0];
    assert_eq!((a.errors, a.warnings), (2, 4));
    assert_eq!(a.quality, quality(2, 4));
    assert_eq!(a.total_fen, Some(185_910_000));
    assert_eq!(st.units[1].total_fen, Some(100_000_001));
    assert_eq!(st.units[1].parent_name.as_deref(), Some("统计-财政局"));
    let parents: Vec<(String, i64, i64, i64)> = st
        .parents
        .iter()
        .map(|p| (p.parent_name.clone(), p.dossiers, p.with_total, p.total_fen))
        .collect();
    assert_eq!(
        parents,
        vec![
            ("".to_string(), 1, 1, 185_910_000),
            ("统计-财政局".to_string(), 1, 1, 100_000_001)
        ]
    );
    let cats: Vec<(String, String, i64, i64)> = st
        .categories
        .iter()
        .map(|c| (c.level1.clone(), c.level2.clone(), c.indicators, c.dossiers))
        .collect();
    assert_eq!(
        cats,
        vec![
            ("产出指标".to_string(), "数量指标".to_string(), 2, 2),
            ("效益指标".to_string(), BLANK_LEVEL.to_string(), 1, 1)
        ]
    );
    let rules: Vec<(String, String, i64, i64, i64)> = st
        .rules
        .iter()
        .map(|r| {
            (
                r.rule.clone(),
                r.severity.clone(),
                r.findings,
                r.dossiers,
                r.units,
            )
        })
        .collect();
    assert_eq!(
        rules,
        vec![
            ("sum.total".to_string(), "warning".to_string(), 4, 2, 2),
            ("sum.total".to_string(), "error".to_string(), 2, 1, 1),
            (
                "empty-indicator".to_string(),
                "warning".to_string(),
                1,
                1,
                1
            ),
        ]
    );
    // 甲 had sum.total in 2022 and 2023.
    let repeats: Vec<(String, i64, String)> = st
        .repeats
        .iter()
        .map(|r| (r.rule.clone(), r.unit_id, r.unit_name.clone()))
        .collect();
    assert_eq!(
        repeats,
        vec![(
            "sum.total".to_string(),
            w.unit_id,
            "统计-甲单位".to_string()
        )]
    );
    let trend: Vec<(i64, i64, i64)> = st
        .trend
        .iter()
        .map(|t| (t.unit_id, t.year, t.quality))
        .collect();
    assert_eq!(
        trend,
        vec![
            // By unit name: 乙 before 甲 (code point order, the same on both backends).
            (b.id, 2023, quality(0, 1)),
            (w.unit_id, 2022, quality(1, 0)),
            (w.unit_id, 2023, quality(2, 4)),
        ]
    );

    // A save changes the counts; the scope leaves other units out.
    s.save_version(
        a23.id,
        1,
        &forms("统计-甲单位", "目标"),
        &[],
        &w.unit_user,
        SaveKind::Save,
    )
    .await
    .unwrap();
    let st = s.statistics(2023, Some(&[w.unit_id])).await.unwrap();
    assert_eq!(st.units.len(), 1);
    assert_eq!((st.units[0].errors, st.units[0].quality), (0, 100));
    assert!(st.rules.is_empty(), "{:?}", st.rules);
    assert!(st.repeats.is_empty());
    assert_eq!(st.categories.len(), 1);
    assert_eq!(s.statistics(2023, Some(&[])).await.unwrap().units.len(), 0);
}

/// Reports (绩效运行监控, 绩效自评) are dossiers of their own kind on an approved target:
/// refused before approval, one per target, kind and period, out of the target listings and
/// the filing progress, read back by target, by round and with their forms; a round once
/// per year and period.
async fn reports_on_approved_targets<S: Harness>(s: S, _dir: PathBuf) {
    use jixiao_store::{DossierKind, NewReport, ReportFilter};
    let w = world(&s, "报告单位").await;
    let d = s
        .create_dossier(
            w.unit_id,
            2023,
            &forms("报告单位", "目标"),
            &[],
            &w.unit_user,
        )
        .await
        .unwrap();
    let monitoring = |round: Option<i64>, months: i64| NewReport {
        target_id: d.id,
        kind: DossierKind::Monitoring,
        period_months: Some(months),
        round_id: round,
    };
    let report_forms =
        jixiao_domain::prefill::monitoring_from_targets(&forms("报告单位", "目标"), 6);
    let msg = refused(
        s.create_report(&monitoring(None, 6), &report_forms, &[], &w.unit_user)
            .await,
    );
    assert!(msg.contains("尚未审核通过"), "{msg}");
    s.transition(d.id, Status::Draft, 1, &Action::Submit, &w.unit_user)
        .await
        .unwrap();
    s.transition(
        d.id,
        Status::Submitted,
        1,
        &Action::Approve {
            grade: Grade::Good,
            opinions: opinions(),
        },
        &w.reviewer,
    )
    .await
    .unwrap();

    let round = s.open_round(2023, 6, None, &w.reviewer).await.unwrap();
    assert_eq!(round.period_months, 6);
    assert!(matches!(
        s.open_round(2023, 6, None, &w.reviewer).await,
        Err(StoreError::Duplicate(_))
    ));
    assert!(s.open_round(2023, 13, None, &w.reviewer).await.is_err());
    let m = s
        .create_report(
            &monitoring(Some(round.id), 6),
            &report_forms,
            &findings(1, 0),
            &w.unit_user,
        )
        .await
        .unwrap();
    assert_eq!(m.kind, DossierKind::Monitoring);
    assert_eq!((m.unit_id, m.year), (w.unit_id, 2023));
    assert_eq!(m.report_of, Some(d.id));
    assert_eq!(m.round_id, Some(round.id));
    assert_eq!(m.error_count, 1);
    assert!(matches!(
        s.create_report(&monitoring(None, 6), &report_forms, &[], &w.unit_user)
            .await,
        Err(StoreError::Duplicate(_))
    ));
    // Another period and the self-evaluation are reports of their own.
    s.create_report(&monitoring(None, 9), &report_forms, &[], &w.unit_user)
        .await
        .unwrap();
    let e = s
        .create_report(
            &NewReport {
                target_id: d.id,
                kind: DossierKind::SelfEvaluation,
                period_months: None,
                round_id: None,
            },
            &report_forms,
            &[],
            &w.unit_user,
        )
        .await
        .unwrap();
    // No report on a report.
    let msg = refused(
        s.create_report(
            &NewReport {
                target_id: e.id,
                ..monitoring(None, 3)
            },
            &report_forms,
            &[],
            &w.unit_user,
        )
        .await,
    );
    assert!(msg.contains("绩效目标档案"), "{msg}");

    let on = s.reports_of(d.id).await.unwrap();
    let kinds: Vec<_> = on.iter().map(|r| (r.kind, r.period_months)).collect();
    assert_eq!(
        kinds,
        [
            (DossierKind::Monitoring, Some(6)),
            (DossierKind::Monitoring, Some(9)),
            (DossierKind::SelfEvaluation, None)
        ]
    );
    // The target listings, the lookup by unit and year and the progress see the target.
    let page = s.list_dossiers(&DossierFilter::default()).await.unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].id, d.id);
    assert_eq!(s.find_dossier(w.unit_id, 2023).await.unwrap().id, d.id);
    let progress = s.progress(Some(&[w.unit_id]), 2023).await.unwrap();
    assert_eq!(progress.len(), 1);
    assert_eq!(progress[0].dossier_id, Some(d.id));
    let reports = s
        .list_dossiers(&DossierFilter {
            kind: DossierKind::Monitoring,
            ..DossierFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(reports.total, 2);

    let sheets = s
        .report_sheets(&ReportFilter {
            kind: DossierKind::Monitoring,
            year: Some(2023),
            unit_ids: None,
            round_id: Some(round.id),
        })
        .await
        .unwrap();
    assert_eq!(sheets.len(), 1);
    assert_eq!(sheets[0].0.id, m.id);
    assert_eq!(sheets[0].1, report_forms);
    let none = s
        .report_sheets(&ReportFilter {
            kind: DossierKind::SelfEvaluation,
            year: Some(2023),
            unit_ids: Some(vec![]),
            round_id: None,
        })
        .await
        .unwrap();
    assert!(none.is_empty());
    assert_eq!(
        s.rounds(Some(2023)).await.unwrap(),
        std::slice::from_ref(&round)
    );
    assert_eq!(s.get_round(round.id).await.unwrap(), round);
    assert!(s.verify_audit().await.unwrap().is_intact());
}

/// 指标库: a source stored again replaces its row and answers the old data (so its
/// contribution can be taken back); sources read back in pages in key order; corrections
/// kept in order and audited.
async fn library_sources_replace_and_page<S: Harness>(s: S, _dir: PathBuf) {
    use jixiao_store::LibrarySource;
    assert_eq!(
        s.library_put("dossier:2", Some(2023), "{\"a\":1}")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        s.library_put("dossier:2", Some(2023), "{\"a\":2}")
            .await
            .unwrap()
            .as_deref(),
        Some("{\"a\":1}")
    );
    for i in [5, 1, 3] {
        s.library_put(&format!("file:x#{i}"), None, "{}")
            .await
            .unwrap();
    }
    let mut seen: Vec<LibrarySource> = Vec::new();
    let mut after = String::new();
    loop {
        let page = s.library_page(&after, 2).await.unwrap();
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 2);
        after = page.last().unwrap().source.clone();
        seen.extend(page);
    }
    let keys: Vec<&str> = seen.iter().map(|x| x.source.as_str()).collect();
    assert_eq!(keys, ["dossier:2", "file:x#1", "file:x#3", "file:x#5"]);
    assert_eq!(
        (seen[0].year, seen[0].data.as_str()),
        (Some(2023), "{\"a\":2}")
    );
    assert_eq!(seen[1].year, None);

    let first = s
        .library_add_edit(
            "{\"action\":\"retire\",\"key\":\"x\",\"retired\":true}",
            &admin(),
        )
        .await
        .unwrap();
    let second = s
        .library_add_edit(
            "{\"action\":\"rename\",\"key\":\"x\",\"name\":\"y\"}",
            &admin(),
        )
        .await
        .unwrap();
    assert!(second > first);
    let edits = s.library_edits().await.unwrap();
    assert_eq!(edits.len(), 2);
    assert!(edits[0].contains("retire") && edits[1].contains("rename"));
    let actions: Vec<String> = s
        .audit_log(0, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions.iter().filter(|a| *a == "library.edit").count(), 2);
    assert!(s.verify_audit().await.unwrap().is_intact());
}
