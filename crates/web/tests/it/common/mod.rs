//! Test harness: the router driven in process (`tower::ServiceExt::oneshot`) on a fresh
//! SQLite file per test, and on a throwaway PostgreSQL database per test when
//! `TEST_DATABASE_URL` is set (as in crates/store/tests/it/conformance.rs).

#![allow(dead_code)]

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use jixiao_store::{
    hash_password, Actor, AnyStore, NewUser, PgConnectOptions, PgStore, Role, SqliteStore, Store,
};
use jixiao_web::{router, AppState};
use serde_json::Value;
use tower::ServiceExt;

pub const UNIT_A: &str = "中共株洲市石峰区委员会统一战线工作部";
pub const UNIT_B: &str = "株洲市石峰区财政局";
pub const UNIT_C: &str = "株洲市石峰区教育局";
pub const PASSWORD: &str = "正确的密码 1";
/// The origin of the test server: every request is sent with `Host: localhost`.
pub const ORIGIN: &str = "http://localhost";

/// The roles of the authorisation matrix, by username.
pub const UNIT_OWN: &str = "unit_own";
pub const UNIT_OTHER: &str = "unit_other";
pub const REVIEWER_ASSIGNED: &str = "reviewer_assigned";
pub const REVIEWER_UNASSIGNED: &str = "reviewer_unassigned";
pub const ADMIN: &str = "admin";

pub struct Env {
    pub store: AnyStore,
    pub app: Router,
    pub unit_a: i64,
    pub unit_b: i64,
    pub unit_c: i64,
    pub users: HashMap<&'static str, i64>,
}

/// A logged-in client: its cookie header and CSRF token.
#[derive(Clone, Debug)]
pub struct Client {
    pub cookie: String,
    pub csrf: String,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn error(&self) -> &str {
        self.body["error"].as_str().unwrap_or_default()
    }
}

pub fn system() -> Actor {
    Actor::system("test")
}

impl Env {
    async fn new(store: AnyStore) -> Env {
        let a = store.create_unit(UNIT_A, None, &system()).await.unwrap();
        let b = store.create_unit(UNIT_B, None, &system()).await.unwrap();
        let c = store.create_unit(UNIT_C, None, &system()).await.unwrap();
        let hash = hash_password(PASSWORD).unwrap();
        let mut users = HashMap::new();
        for (name, role, unit) in [
            (UNIT_OWN, Role::Unit, Some(a.id)),
            (UNIT_OTHER, Role::Unit, Some(b.id)),
            (REVIEWER_ASSIGNED, Role::Reviewer, None),
            (REVIEWER_UNASSIGNED, Role::Reviewer, None),
            (ADMIN, Role::Admin, None),
        ] {
            let u = store
                .create_user(
                    &NewUser {
                        username: name,
                        password_hash: &hash,
                        role,
                        unit_id: unit,
                    },
                    &system(),
                )
                .await
                .unwrap();
            users.insert(name, u.id);
        }
        store
            .assign_reviewer(users[REVIEWER_ASSIGNED], a.id, &system())
            .await
            .unwrap();
        store
            .assign_reviewer(users[REVIEWER_UNASSIGNED], b.id, &system())
            .await
            .unwrap();
        let app = router(AppState::new(store.clone()));
        Env {
            store,
            app,
            unit_a: a.id,
            unit_b: b.id,
            unit_c: c.id,
            users,
        }
    }

    /// A session made directly in the store (no argon2 per request in big tests).
    pub async fn client(&self, username: &str) -> Client {
        let (token, session) = self
            .store
            .create_session(self.users[username], Duration::from_secs(3600))
            .await
            .unwrap();
        Client {
            cookie: format!("jixiao_session={token}"),
            csrf: session.csrf_token,
        }
    }

    /// Logs in over HTTP from `address`.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        address: &str,
    ) -> (Reply, Option<Client>) {
        let body = serde_json::json!({ "username": username, "password": password });
        let req = request(Method::POST, "/api/login", None, address)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        let r = self.send(req).await;
        let client = (r.status == StatusCode::OK).then(|| {
            let set = r.headers[header::SET_COOKIE].to_str().unwrap();
            Client {
                cookie: set.split(';').next().unwrap().to_string(),
                csrf: r.body["csrf_token"].as_str().unwrap().to_string(),
            }
        });
        (r, client)
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        send(&self.app, req).await
    }

    /// A JSON request (`None` body: empty) with the client's cookie and CSRF header.
    pub async fn json(
        &self,
        method: Method,
        path: &str,
        who: Option<&Client>,
        body: Option<Value>,
    ) -> Reply {
        let mut b = request(method, path, who, "127.0.0.1");
        let body = match body {
            Some(v) => {
                b = b.header(header::CONTENT_TYPE, "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        self.send(b.body(body).unwrap()).await
    }

    /// `PUT /api/dossiers/{id}` with the forms and the version they were based on.
    pub async fn save(&self, who: &Client, id: i64, forms: &Value, base_version: Value) -> Reply {
        let body = serde_json::json!({ "forms": forms, "base_version": base_version });
        self.json(
            Method::PUT,
            &format!("/api/dossiers/{id}"),
            Some(who),
            Some(body),
        )
        .await
    }

    pub async fn get(&self, path: &str, who: Option<&Client>) -> Reply {
        self.json(Method::GET, path, who, None).await
    }

    /// A multipart upload with field `file` (and `unit` when given).
    pub async fn upload(
        &self,
        who: Option<&Client>,
        name: &str,
        bytes: &[u8],
        unit: Option<&str>,
    ) -> Reply {
        let (ct, body) = multipart(name, bytes, unit);
        let req = request(Method::POST, "/api/dossiers", who, "127.0.0.1")
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// A multipart upload of field `file` to `path` (`/api/preview`).
    pub async fn upload_to(
        &self,
        path: &str,
        who: Option<&Client>,
        name: &str,
        bytes: &[u8],
    ) -> Reply {
        self.upload_with(path, who, name, bytes, &[]).await
    }

    /// A multipart upload of `file` and the text `fields` to `path`.
    pub async fn upload_with(
        &self,
        path: &str,
        who: Option<&Client>,
        name: &str,
        bytes: &[u8],
        fields: &[(&str, &str)],
    ) -> Reply {
        let (ct, body) = multipart_with(name, bytes, fields);
        let req = request(Method::POST, path, who, "127.0.0.1")
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// A dossier of `unit` in 草稿 with one blank form and no stored findings (so it may be
    /// submitted: a dossier needs a form, and the submission checks only warn).
    pub async fn blank_dossier(&self, unit: i64, year: i64) -> i64 {
        self.store
            .create_dossier(unit, year, &[blank_form()], &[], &system())
            .await
            .unwrap()
            .id
    }

    /// A remark by `who` on `field` of the dossier's version 1; its id.
    pub async fn remark(&self, id: i64, who: &str, field: &str) -> i64 {
        let account = self.store.get_user(self.users[who]).await.unwrap();
        self.store
            .add_comment(id, 1, field, "请修改", &Actor::user(&account, None))
            .await
            .unwrap()
            .id
    }

    /// A finished batch export of dossier `id` started by `who`; its job id. Waits for the
    /// user's earlier job to end first (one at a time per user).
    pub async fn export_job(&self, who: &str, id: i64) -> u64 {
        let c = self.client(who).await;
        let body = serde_json::json!({ "year": 2023, "ids": [id], "format": "xlsx" });
        for _ in 0..200 {
            let r = self
                .json(Method::POST, "/api/exports", Some(&c), Some(body.clone()))
                .await;
            if r.status == StatusCode::ACCEPTED {
                let job = r.body["id"].as_u64().unwrap();
                self.job_done(&c, job).await;
                return job;
            }
            assert!(r.error().contains("正在进行"), "{:?}", r.body);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the earlier export never ended");
    }

    /// Polls a job until it is done or failed; its last state.
    pub async fn job_done(&self, who: &Client, job: u64) -> Value {
        for _ in 0..600 {
            let r = self.get(&format!("/api/jobs/{job}"), Some(who)).await;
            assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
            if r.body["status"] == "done" || r.body["status"] == "failed" {
                return r.body;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the export job did not finish");
    }

    /// A dossier of `forms` made, submitted and approved (良) by the administrator.
    pub async fn approved(&self, unit: i64, year: i64, forms: &[jixiao_domain::Form]) -> i64 {
        let admin =
            jixiao_store::Actor::user(&self.store.get_user(self.users[ADMIN]).await.unwrap(), None);
        let d = self
            .store
            .create_dossier(unit, year, forms, &[], &admin)
            .await
            .unwrap();
        for action in [
            jixiao_domain::review::Action::Submit,
            jixiao_domain::review::Action::Approve {
                grade: jixiao_domain::review::Grade::Good,
                opinions: jixiao_domain::review::Opinions {
                    completeness: "齐全".into(),
                    relevance: "相关".into(),
                    appropriateness: "适当".into(),
                    feasibility: "可行".into(),
                },
            },
        ] {
            let cur = self.store.get_dossier(d.id).await.unwrap();
            self.store
                .transition(d.id, cur.status, 1, &action, &admin)
                .await
                .unwrap();
        }
        d.id
    }

    /// A monitoring report (1–6月, version 1) on an approved target of a blank project,
    /// submitted when asked.
    pub async fn report(&self, unit: i64, year: i64, submitted: bool) -> i64 {
        let target = self.approved(unit, year, &[blank_form()]).await;
        let forms = jixiao_domain::prefill::monitoring_from_targets(&[blank_form()], 6);
        let new = jixiao_store::NewReport {
            target_id: target,
            kind: jixiao_store::DossierKind::Monitoring,
            period_months: Some(6),
            round_id: None,
        };
        let d = self
            .store
            .create_report(&new, &forms, &[], &system())
            .await
            .unwrap();
        if submitted {
            self.store
                .transition(
                    d.id,
                    jixiao_domain::review::Status::Draft,
                    1,
                    &jixiao_domain::review::Action::Submit,
                    &system(),
                )
                .await
                .unwrap();
        }
        d.id
    }

    /// A blank dossier already submitted (version 1).
    pub async fn submitted_dossier(&self, unit: i64, year: i64) -> i64 {
        let id = self.blank_dossier(unit, year).await;
        self.store
            .transition(
                id,
                jixiao_domain::review::Status::Draft,
                1,
                &jixiao_domain::review::Action::Submit,
                &system(),
            )
            .await
            .unwrap();
        id
    }
}

/// A blank 项目支出绩效目标表 as the editor's "blank" template makes it.
pub fn blank_form() -> jixiao_domain::Form {
    jixiao_domain::Form::Project(jixiao_domain::Project {
        variant: jixiao_domain::ProjectVariant::Project,
        title: "项目支出绩效目标表".into(),
        ..Default::default()
    })
}

pub fn request(
    method: Method,
    path: &str,
    who: Option<&Client>,
    address: &str,
) -> axum::http::request::Builder {
    let addr: SocketAddr = format!("{address}:40000").parse().unwrap();
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "localhost")
        .extension(ConnectInfo(addr));
    if let Some(c) = who {
        b = b
            .header(header::COOKIE, &c.cookie)
            .header("x-csrf-token", &c.csrf);
    }
    b
}

pub async fn send(app: &Router, req: Request<Body>) -> Reply {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    Reply {
        status,
        headers,
        body,
    }
}

pub fn multipart(name: &str, bytes: &[u8], unit: Option<&str>) -> (String, Vec<u8>) {
    let fields: Vec<(&str, &str)> = unit.map(|u| ("unit", u)).into_iter().collect();
    multipart_with(name, bytes, &fields)
}

/// A multipart body: the text `fields`, then the `file`.
pub fn multipart_with(name: &str, bytes: &[u8], fields: &[(&str, &str)]) -> (String, Vec<u8>) {
    let boundary = "----jixiao-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub fn seed_docx() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/seed-2023-shifeng-tongzhanbu.docx"
    ))
    .unwrap()
}

/// The forms of the seed filing (examples/), read as an upload reads them.
pub fn seed_forms() -> Vec<jixiao_domain::Form> {
    jixiao_files::import::import_bytes(
        "seed.docx",
        &seed_docx(),
        &jixiao_domain::Profile::national(),
        &jixiao_files::limits::Limits::default(),
    )
    .forms
}

// ---------------------------------------------------------------- backends

const CASE_TIMEOUT: Duration = Duration::from_secs(180);

/// Runs `case` on a fresh SQLite file, then on a throwaway PostgreSQL database when
/// `TEST_DATABASE_URL` is set.
pub async fn backends<F, Fut>(case: F)
where
    F: Fn(Env) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let dir = tempfile::tempdir().unwrap();
    let store: AnyStore = SqliteStore::open(dir.path().join("jixiao.db"))
        .await
        .unwrap()
        .into();
    run(case(Env::new(store.clone()).await), &store).await;
    if let Some((name, opts)) = pg_database().await {
        let store: AnyStore = PgStore::connect_with(opts).await.unwrap().into();
        let fut = case(Env::new(store.clone()).await);
        let outcome = tokio::time::timeout(CASE_TIMEOUT, tokio::spawn(fut)).await;
        store.close().await;
        drop_pg_database(&name).await;
        finish(outcome);
    } else {
        assert!(
            std::env::var("JIXIAO_REQUIRE_TOOLS").as_deref() != Ok("1"),
            "TEST_DATABASE_URL is required when JIXIAO_REQUIRE_TOOLS=1 (PostgreSQL must not be skipped)"
        );
        eprintln!("TEST_DATABASE_URL is not set: PostgreSQL run skipped");
    }
}

async fn run(fut: impl Future<Output = ()> + Send + 'static, store: &AnyStore) {
    let outcome = tokio::time::timeout(CASE_TIMEOUT, tokio::spawn(fut)).await;
    store.close().await;
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

async fn pg_database() -> Option<(String, PgConnectOptions)> {
    jixiao_store::testing::create_pg_database("jixiao_webtest").await
}

use jixiao_store::testing::drop_pg_database;
