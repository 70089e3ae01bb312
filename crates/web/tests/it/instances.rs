//! Issue 10 §6: several `jixiao serve` processes on one database behave as one service.
//! Two app states, each with its own connection pool (as two processes have), on one
//! SQLite file and, when `TEST_DATABASE_URL` is set, on one PostgreSQL database: a session
//! made through one is honoured by the other (CSRF included), failed logins count
//! together, the 409 conflict holds across them, quotas are the database's, and the audit
//! chain they both append to stays intact.

use crate::common::*;
use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use axum::Router;
use jixiao_domain::Profile;
use jixiao_store::testing::{create_pg_database, drop_pg_database};
use jixiao_store::{hash_password, Actor, AnyStore, NewUser, PgStore, Role, SqliteStore, Store};
use jixiao_web::services::Config;
use jixiao_web::{router, AppState};
use serde_json::{json, Value};

/// Two "processes": a store (connection pool) and an app each, on one database.
async fn two(a: AnyStore, b: AnyStore) {
    let system = Actor::system("test");
    let unit = a.create_unit(UNIT_A, None, &system).await.unwrap();
    let hash = hash_password(PASSWORD).unwrap();
    a.create_user(
        &NewUser {
            username: UNIT_OWN,
            password_hash: &hash,
            role: Role::Unit,
            unit_id: Some(unit.id),
        },
        &system,
    )
    .await
    .unwrap();
    let mut config = Config::default();
    config.quotas.max_versions = 4;
    let app = |s: &AnyStore| {
        router(AppState::with(
            s.clone(),
            Profile::national(),
            config.clone(),
        ))
    };
    let (one, other) = (app(&a), app(&b));

    // Logged in through one, working through the other.
    let (r, me) = login(&one, PASSWORD, "10.2.2.2").await;
    assert_eq!(r.status, StatusCode::OK);
    let me = me.unwrap();

    // Failed logins through both count together: the throttle holds across servers
    // (docs/limits.md; the session opened above stays valid).
    for app in [&one, &other, &one, &other, &one] {
        let r = login(app, "错误的密码", "10.1.1.1").await;
        assert_eq!(r.0.status, StatusCode::UNAUTHORIZED);
    }
    let r = login(&other, PASSWORD, "10.1.1.1").await;
    assert_eq!(r.0.status, StatusCode::TOO_MANY_REQUESTS, "{:?}", r.0.body);
    let (ct, body) = multipart("seed.docx", &seed_docx(), None);
    let req = request(Method::POST, "/api/dossiers", Some(&me), "10.2.2.2")
        .header(header::CONTENT_TYPE, ct)
        .body(Body::from(body))
        .unwrap();
    let r = send(&other, req).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["id"].as_i64().unwrap();
    let mut forms = send(&one, get(&format!("/api/dossiers/{id}"), &me))
        .await
        .body["forms"]
        .clone();
    // An edit: a save that changes nothing stores nothing.
    forms[0]["unit"] = json!("中共株洲市石峰区委员会统一战线工作部（两台服务器）");

    // CSRF is the session's, wherever it is checked.
    let forged = Client {
        csrf: "0".repeat(64),
        ..me.clone()
    };
    let r = send(&other, put(id, &forms, 1, &forged)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // The optimistic lock holds across processes: the stale save is a 409 with both
    // versions kept.
    let r = send(&one, put(id, &forms, 1, &me)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = send(&other, put(id, &forms, 1, &me)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    assert_eq!(r.body["current_version"], 2);
    let h = send(&other, get(&format!("/api/dossiers/{id}/history"), &me)).await;
    let kinds: Vec<&str> = h.body["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["save", "save", "conflict"]);

    // Quotas count what both stored: 3 versions so far, one more through either, then
    // neither takes another.
    forms[0]["unit"] = json!("中共株洲市石峰区委员会统一战线工作部（第三稿）");
    assert_eq!(
        send(&other, put(id, &forms, 2, &me)).await.status,
        StatusCode::OK
    );
    forms[0]["unit"] = json!("中共株洲市石峰区委员会统一战线工作部（第五稿）");
    for app in [&one, &other] {
        let r = send(app, put(id, &forms, 4, &me)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
        assert!(r.error().contains("最多 4 个版本"), "{}", r.error());
    }

    // Logging out through one ends the session for both.
    let r = send(
        &other,
        request(Method::POST, "/api/logout", Some(&me), "10.2.2.2")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = send(&one, get(&format!("/api/dossiers/{id}"), &me)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    // One audit chain, appended to by both, intact.
    for s in [&a, &b] {
        let report = s.verify_audit().await.unwrap();
        assert!(report.is_intact(), "{report:?}");
    }
    let actions: Vec<String> = a
        .audit_log(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect();
    for want in [
        "login.failed",
        "login",
        "dossier.create",
        "dossier.save",
        "dossier.conflict",
        "logout",
    ] {
        assert!(actions.iter().any(|x| x == want), "{want} in {actions:?}");
    }
}

async fn login(app: &Router, password: &str, address: &str) -> (Reply, Option<Client>) {
    let body = json!({ "username": UNIT_OWN, "password": password });
    let req = request(Method::POST, "/api/login", None, address)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let r = send(app, req).await;
    let client = (r.status == StatusCode::OK).then(|| Client {
        cookie: r.headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string(),
        csrf: r.body["csrf_token"].as_str().unwrap().to_string(),
    });
    (r, client)
}

fn get(path: &str, who: &Client) -> axum::http::Request<Body> {
    request(Method::GET, path, Some(who), "10.2.2.2")
        .body(Body::empty())
        .unwrap()
}

fn put(id: i64, forms: &Value, base: i64, who: &Client) -> axum::http::Request<Body> {
    request(
        Method::PUT,
        &format!("/api/dossiers/{id}"),
        Some(who),
        "10.2.2.2",
    )
    .header(header::CONTENT_TYPE, "application/json")
    .body(Body::from(
        json!({ "forms": forms, "base_version": base }).to_string(),
    ))
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_sqlite_file_are_one_service() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.db");
    let a: AnyStore = SqliteStore::open(&path).await.unwrap().into();
    let b: AnyStore = SqliteStore::open(&path).await.unwrap().into();
    two(a.clone(), b.clone()).await;
    a.close().await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_postgres_database_are_one_service() {
    let Some((name, opts)) = create_pg_database("jixiao_instances").await else {
        eprintln!("TEST_DATABASE_URL is not set: PostgreSQL run skipped");
        return;
    };
    let (a, b) = tokio::join!(
        PgStore::connect_with(opts.clone()),
        PgStore::connect_with(opts)
    );
    let (a, b): (AnyStore, AnyStore) = (a.unwrap().into(), b.unwrap().into());
    two(a.clone(), b.clone()).await;
    a.close().await;
    b.close().await;
    drop_pg_database(&name).await;
}
