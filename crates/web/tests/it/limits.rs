//! Issue 10 §1 through the API and the pages: form limits on uploads, saves and checks;
//! stale saves on dossiers that take no edits; quotas on versions, bytes and years; the
//! bounded PDF queue; CPU-heavy pages behind the gate while `/healthz` answers. SQLite
//! always, PostgreSQL when `TEST_DATABASE_URL` is set.

use std::path::Path;
use std::time::Duration;

use crate::common::*;
use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use axum::Router;
use jixiao_domain::Profile;
use jixiao_store::Store;
use jixiao_web::services::{this_year, Config};
use jixiao_web::{router, AppState};
use serde_json::{json, Value};

const SEED_TXT: &str = include_str!("../../../../examples/seed-2023-shifeng-tongzhanbu.txt");

/// A second router on the same store with its own configuration.
fn app(env: &Env, config: Config) -> (Router, AppState) {
    let state = AppState::with(env.store.clone(), Profile::national(), config);
    (router(state.clone()), state)
}

async fn upload(app: &Router, who: &Client, name: &str, text: &str) -> Reply {
    let (ct, body) = multipart(name, text.as_bytes(), None);
    let req = request(Method::POST, "/api/dossiers", Some(who), "127.0.0.1")
        .header(header::CONTENT_TYPE, ct)
        .body(Body::from(body))
        .unwrap();
    send(app, req).await
}

async fn call(app: &Router, method: Method, path: &str, who: &Client, body: Value) -> Reply {
    let req = request(method, path, Some(who), "127.0.0.1")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    send(app, req).await
}

async fn get(app: &Router, path: &str, who: Option<&Client>) -> Reply {
    send(
        app,
        request(Method::GET, path, who, "127.0.0.1")
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

/// The seed filing for `year`, with `extra` more indicator rows in its first project form.
fn seed(year: i64, extra: usize) -> String {
    let anchor = "\t\n\t产出指标\n\t数量指标\n\t搭建交流平台\n\t2个\n\t计划标准\n\n";
    let at = SEED_TXT.find(anchor).unwrap() + anchor.len();
    let rows: String = (0..extra)
        .map(|i| {
            format!(
                "\t\n\t\n\t数量指标\n\t培训{i}\n\t{}次\n\t计划标准\n\n",
                i + 1
            )
        })
        .collect();
    format!("{}{rows}{}", &SEED_TXT[..at], &SEED_TXT[at..]).replace("2023年", &format!("{year}年"))
}

async fn history_len(env: &Env, who: &Client, id: i64) -> usize {
    let h = env
        .get(&format!("/api/dossiers/{id}/history"), Some(who))
        .await;
    h.body["versions"].as_array().unwrap().len()
}

#[tokio::test]
async fn forms_over_the_limits_are_refused_with_the_limit_named() {
    backends(|env| async move {
        let mut config = Config::default();
        config.limits.max_indicators = 40;
        let (app, _) = app(&env, config);
        let me = env.client(UNIT_OWN).await;

        let r = upload(&app, &me, "大表.txt", &seed(2023, 40)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
        assert!(
            r.error().contains("绩效指标过多") && r.error().contains("每张表最多 40 条"),
            "{}",
            r.error()
        );

        let r = upload(&app, &me, "seed.txt", &seed(2023, 0)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let id = r.body["id"].as_i64().unwrap();
        let d = env.get(&format!("/api/dossiers/{id}"), Some(&me)).await;
        let mut forms = d.body["forms"].clone();
        let one = forms[0]["indicators"][0].clone();
        forms[0]["indicators"] = Value::Array(vec![one; 41]);
        let body = json!({ "forms": forms, "base_version": 1 });
        let r = call(&app, Method::PUT, &format!("/api/dossiers/{id}"), &me, body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.error().contains("有 41 条绩效指标，每张表最多 40 条"),
            "{}",
            r.error()
        );
        assert_eq!(history_len(&env, &me, id).await, 1, "nothing stored");
        let r = call(
            &app,
            Method::POST,
            "/api/check",
            &me,
            json!({ "forms": forms }),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        // Within the limits the same save goes through.
        forms[0]["indicators"] = Value::Array(vec![forms[0]["indicators"][0].clone(); 40]);
        let body = json!({ "forms": forms, "base_version": 1 });
        let r = call(&app, Method::PUT, &format!("/api/dossiers/{id}"), &me, body).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    })
    .await;
}

/// One blank form titled after `tag`: the smallest dossier a save accepts (an empty one is
/// refused), different for every tag (a save that changes nothing stores nothing).
fn edited_forms(tag: impl std::fmt::Display) -> Value {
    let mut form = serde_json::to_value(crate::common::blank_form()).unwrap();
    form["title"] = json!(format!("第{tag}稿"));
    json!([form])
}

fn full_opinions() -> Value {
    json!({ "completeness": "要素齐全", "relevance": "与职能相符",
            "appropriateness": "与资金匹配", "feasibility": "措施可行" })
}

/// Today a stale save on a submitted or approved dossier is refused like a fresh one:
/// 422, no conflict version, no audit record. Editable dossiers keep the 409 with both
/// versions.
#[tokio::test]
async fn stale_saves_on_dossiers_that_take_no_edits_store_nothing() {
    backends(|env| async move {
        let me = env.client(UNIT_OWN).await;
        let reviewer = env.client(REVIEWER_ASSIGNED).await;
        let id = env.submitted_dossier(env.unit_a, 2024).await;
        let audit = env.store.audit_log(0, 100_000).await.unwrap().len();
        for base in [json!(0), json!(1)] {
            let r = env.save(&me, id, &edited_forms("s1"), base).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
            assert!(r.error().contains("已提交审核"), "{}", r.error());
        }
        assert_eq!(history_len(&env, &me, id).await, 1);
        assert_eq!(env.store.audit_log(0, 100_000).await.unwrap().len(), audit);

        let r = env
            .json(
                Method::POST,
                &format!("/api/dossiers/{id}/approve"),
                Some(&reviewer),
                Some(json!({ "grade": "良", "opinions": full_opinions() })),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let r = env.save(&me, id, &edited_forms("s2"), json!(0)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
        assert_eq!(history_len(&env, &me, id).await, 1);

        // Editable: the 409 and both versions, as before.
        let draft = env.blank_dossier(env.unit_a, 2025).await;
        assert_eq!(
            env.save(&me, draft, &edited_forms("s3"), json!(1))
                .await
                .status,
            StatusCode::OK
        );
        let r = env.save(&me, draft, &edited_forms("s4"), json!(1)).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(r.body["current_version"], 2);
        assert_eq!(history_len(&env, &me, draft).await, 3);
    })
    .await;
}

#[tokio::test]
async fn quotas_bound_versions_bytes_and_years() {
    backends(|env| async move {
        let me = env.client(UNIT_OWN).await;
        let mut config = Config::default();
        config.quotas.max_versions = 3;
        let (quota_app, _) = app(&env, config);
        let id = env.blank_dossier(env.unit_a, 2024).await;
        for base in [1, 2] {
            let body = json!({ "forms": edited_forms(base), "base_version": base });
            let r = call(
                &quota_app,
                Method::PUT,
                &format!("/api/dossiers/{id}"),
                &me,
                body,
            )
            .await;
            assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        }
        for base in [3, 1] {
            let body = json!({ "forms": edited_forms(base), "base_version": base });
            let r = call(
                &quota_app,
                Method::PUT,
                &format!("/api/dossiers/{id}"),
                &me,
                body,
            )
            .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
            assert!(r.error().contains("每份档案最多 3 个版本"), "{}", r.error());
        }
        assert_eq!(
            history_len(&env, &me, id).await,
            3,
            "a stale save counts too"
        );

        let mut tight = Config::default();
        tight.quotas.max_unit_bytes = 50_000;
        let (small, _) = app(&env, tight);
        let r = upload(&small, &me, "seed.txt", &seed(2023, 0)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
        assert!(r.error().contains("每个单位 0.0 MiB") || r.error().contains("每个单位"));
        assert!(env.store.find_dossier(env.unit_a, 2023).await.is_err());

        // Budget years: 2000 to next year, for new dossiers and copies alike.
        let next = this_year() + 1;
        for year in [1990, 2200, next + 1] {
            let r = env
                .json(
                    Method::POST,
                    &format!("/api/dossiers/{id}/copy"),
                    Some(&me),
                    Some(json!({ "year": year })),
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{year}");
            assert!(
                r.error().contains(&format!("2000 至 {next}")),
                "{}",
                r.error()
            );
            let r = env
                .json(
                    Method::POST,
                    "/api/dossiers/create",
                    Some(&me),
                    Some(json!({ "forms": [], "year": year })),
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{year}");
        }
        let r = env
            .json(
                Method::POST,
                &format!("/api/dossiers/{id}/copy"),
                Some(&me),
                Some(json!({ "year": next })),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    })
    .await;
}

/// A fake browser that prints once the test has created `release` in its folder.
fn waiting_browser(dir: &Path) -> std::path::PathBuf {
    let p = dir.join("fake-chromium");
    let release = dir.join("release");
    let body = format!(
        "for a; do case $a in --print-to-pdf=*) out=${{a#--print-to-pdf=}};; esac; done\n\
         while [ ! -e '{}' ]; do sleep 0.05; done\n\
         echo '%PDF-1.4 fake' > \"$out\"",
        release.display()
    );
    // Written by another process, so no descriptor of this process makes exec fail.
    let ok = std::process::Command::new("sh")
        .arg("-c")
        .arg("printf '#!/bin/sh\\n%s\\n' \"$1\" > \"$2\" && chmod 755 \"$2\"")
        .args(["sh", &body])
        .arg(&p)
        .status()
        .unwrap();
    assert!(ok.success());
    p
}

/// One Chromium at a time and no queue: a second export while one prints is answered at
/// once with 503, `Retry-After` and 正在排队，请稍后再试; no second browser starts.
#[tokio::test]
async fn pdf_exports_wait_in_a_bounded_queue() {
    backends(|env| async move {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::default();
        config.pdf.workers = 1;
        config.pdf.queue = 0;
        config.pdf.retry_after = Duration::from_secs(7);
        config.pdf.chromium = Some(waiting_browser(dir.path()));
        let (app, state) = app(&env, config);
        let me = env.client(UNIT_OWN).await;
        let r = upload(&app, &me, "seed.txt", &seed(2023, 0)).await;
        let id = r.body["id"].as_i64().unwrap();
        let path = format!("/dossiers/{id}/export/pdf");

        let first = tokio::spawn({
            let (app, me, path) = (app.clone(), me.clone(), path.clone());
            async move { get(&app, &path, Some(&me)).await }
        });
        while state.services().print_queue().load().running == 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let second = get(&app, &path, Some(&me)).await;
        assert_eq!(second.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(second.headers[header::RETRY_AFTER], "7");
        let page = second.body.as_str().unwrap_or_default();
        assert!(page.contains("正在排队，请稍后再试"), "{page}");
        assert!(!first.is_finished());

        std::fs::write(dir.path().join("release"), b"").unwrap();
        let first = first.await.unwrap();
        assert_eq!(first.status, StatusCode::OK);
        assert_eq!(first.headers[header::CONTENT_TYPE], "application/pdf");
        assert_eq!(state.services().print_queue().load().running, 0);
    })
    .await;
}

/// With one CPU worker held, the page of a large dossier waits for it; `/healthz` and the
/// page of a small dossier are answered meanwhile. Released, the large page follows.
#[tokio::test]
async fn large_pages_queue_for_the_cpu_while_healthz_and_small_pages_do_not() {
    backends(|env| async move {
        let config = Config {
            workers: 1,
            ..Config::default()
        };
        let (app, state) = app(&env, config);
        let me = env.client(UNIT_OWN).await;
        let big = upload(&app, &me, "big.txt", &seed(2024, 400)).await;
        assert_eq!(big.status, StatusCode::CREATED, "{:?}", big.body);
        let small = upload(&app, &me, "small.txt", &seed(2023, 0)).await;
        let (big, small) = (
            big.body["id"].as_i64().unwrap(),
            small.body["id"].as_i64().unwrap(),
        );

        let held = state.services().gate().hold().await;
        let page = tokio::spawn({
            let (app, me) = (app.clone(), me.clone());
            async move { get(&app, &format!("/dossiers/{big}"), Some(&me)).await }
        });
        while state.services().gate().load().waiting == 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(get(&app, "/healthz", None).await.status, StatusCode::OK);
        let r = get(&app, &format!("/dossiers/{small}"), Some(&me)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(!page.is_finished(), "the large page waits for the CPU");
        drop(held);
        let r = page.await.unwrap();
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.as_str().unwrap().contains("培训399"));
    })
    .await;
}
