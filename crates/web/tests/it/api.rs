//! The JSON API end to end (in process), on SQLite and, with `TEST_DATABASE_URL`, on
//! PostgreSQL.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::common::*;
use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use jixiao_store::{Store, VersionKind};
use jixiao_web::openapi::OPERATIONS;
use serde_json::{json, Value};

macro_rules! on_every_backend {
    ($($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                backends(cases::$case).await;
            }
        )*
    };
}

on_every_backend!(
    login_logout_csrf_and_expiry,
    login_rate_limit_holds_across_processes,
    authorisation_matrix,
    nothing_reachable_without_login,
    upload_seed_docx,
    concurrent_saves_one_wins_both_kept,
    bad_requests_get_clear_4xx,
    workflow_over_http,
    list_search_filters_and_order,
    preview_then_create,
    live_check_runs_the_rules_and_totals_exactly,
    copy_for_another_year,
    reimport_a_corrected_file,
    batch_export_runs_in_the_background,
);

/// `POST /api/exports` as `who`.
async fn post_export(env: &Env, who: &Client, body: Value) -> Reply {
    env.json(Method::POST, "/api/exports", Some(who), Some(body))
        .await
}

/// The seed as text, with `from` replaced by `to`.
fn seed_text_with(from: &str, to: &str) -> String {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/seed-2023-shifeng-tongzhanbu.txt"
    ))
    .unwrap();
    assert!(text.contains(from), "{from}");
    text.replace(from, to)
}

/// The seed's last project form (基础民主党派建设…), complete enough to be submitted.
fn complete_project() -> Value {
    let seed = jixiao_files::import::import_bytes(
        "seed.docx",
        &seed_docx(),
        &jixiao_domain::Profile::national(),
        &jixiao_files::limits::Limits::default(),
    );
    serde_json::to_value(seed.forms.last().unwrap()).unwrap()
}

/// [`blank_form`] as request JSON.
fn blank_project() -> Value {
    serde_json::to_value(blank_form()).unwrap()
}

/// Findings without the file they were checked as (a save and a check name it apart).
fn without_file(findings: &Value) -> Vec<Value> {
    findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let mut f = f.clone();
            f["location"]["file"] = json!("");
            f
        })
        .collect()
}

fn full_opinions() -> Value {
    json!({ "completeness": "要素齐全", "relevance": "与职能相符",
            "appropriateness": "与资金匹配", "feasibility": "措施可行" })
}

mod cases {
    use super::*;

    /// Login sets an HttpOnly SameSite=Strict cookie and returns the CSRF token; state
    /// changes need the token; logout ends the session; an expired session is 401; each
    /// login event is in the audit log with the client address.
    pub async fn login_logout_csrf_and_expiry(env: Env) {
        let (r, none) = env.login(UNIT_OWN, "错误的密码", "10.1.2.3").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.error(), "用户名或密码错误");
        assert!(none.is_none());
        let (r, _) = env.login("nobody", PASSWORD, "10.1.2.3").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.error(), "用户名或密码错误", "unknown users look the same");

        let (r, client) = env.login(UNIT_OWN, PASSWORD, "10.1.2.3").await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let client = client.unwrap();
        let set = r.headers[header::SET_COOKIE].to_str().unwrap();
        assert!(set.starts_with("jixiao_session="), "{set}");
        assert!(
            set.contains("HttpOnly") && set.contains("SameSite=Strict"),
            "{set}"
        );
        assert_eq!(client.csrf.len(), 64);
        let token = client.cookie.trim_start_matches("jixiao_session=");
        assert!(env.store.get_session(token).await.is_ok());

        assert_eq!(
            env.get("/api/dossiers", Some(&client)).await.status,
            StatusCode::OK
        );

        let id = env.blank_dossier(env.unit_a, 2030).await;
        let path = format!("/api/dossiers/{id}/comments");
        let comment = json!({ "field": "", "body": "请补充" });
        let mut no_csrf = client.clone();
        no_csrf.csrf = String::new();
        let mut wrong_csrf = client.clone();
        wrong_csrf.csrf = "0".repeat(64);
        for who in [&no_csrf, &wrong_csrf] {
            let r = env
                .json(Method::POST, &path, Some(who), Some(comment.clone()))
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN);
            assert!(r.error().contains("CSRF"), "{}", r.error());
            let r = env.json(Method::POST, "/api/logout", Some(who), None).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN);
        }
        let r = env
            .json(Method::POST, &path, Some(&client), Some(comment))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);

        let r = env
            .json(Method::POST, "/api/logout", Some(&client), None)
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0"));
        let r = env.get("/api/dossiers", Some(&client)).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "logged out");
        assert!(env.store.get_session(token).await.is_err());

        // An expired session.
        let (token, session) = env
            .store
            .create_session(env.users[UNIT_OWN], Duration::from_millis(1))
            .await
            .unwrap();
        let expired = Client {
            cookie: format!("jixiao_session={token}"),
            csrf: session.csrf_token,
        };
        let r = env.get("/api/dossiers", Some(&expired)).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(r.error().contains("过期"), "{}", r.error());

        let log = env.store.audit_log(0, 10_000).await.unwrap();
        let event = |action: &str| {
            log.iter()
                .filter(|r| r.action == action)
                .map(|r| r.address.clone().unwrap_or_default())
                .collect::<Vec<_>>()
        };
        assert_eq!(event("login.failed"), ["10.1.2.3", "10.1.2.3"]);
        assert_eq!(event("login"), ["10.1.2.3"]);
        assert_eq!(event("logout"), ["127.0.0.1"]);
        assert_eq!(
            event("comment.add").len() + event("comment.create").len(),
            1
        );
        assert!(env.store.verify_audit().await.unwrap().is_intact());
    }

    /// Five failures for one username within the window → 429, even with the right
    /// password, from any address (the username's backoff; a browser that logged in as
    /// the user before is exempt, see tests/hardening.rs) and in another process (a second
    /// router on the same database); another username is not affected.
    pub async fn login_rate_limit_holds_across_processes(env: Env) {
        for _ in 0..5 {
            let (r, _) = env.login(UNIT_OWN, "错误", "10.9.9.9").await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        }
        let (r, _) = env.login(UNIT_OWN, PASSWORD, "10.9.9.9").await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(r.error().contains("登录失败次数过多"), "{}", r.error());

        let other_process = jixiao_web::router(jixiao_web::AppState::new(env.store.clone()));
        let req = request(Method::POST, "/api/login", None, "10.9.9.9")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                json!({ "username": UNIT_OWN, "password": PASSWORD }).to_string(),
            ))
            .unwrap();
        assert_eq!(
            send(&other_process, req).await.status,
            StatusCode::TOO_MANY_REQUESTS
        );

        let (r, _) = env.login(UNIT_OWN, PASSWORD, "10.8.8.8").await;
        assert_eq!(
            r.status,
            StatusCode::TOO_MANY_REQUESTS,
            "the username waits from every address"
        );
        let (r, _) = env.login(ADMIN, PASSWORD, "10.9.9.9").await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "another username may still log in"
        );
    }

    const ROLES: [Option<&str>; 6] = [
        None,
        Some(UNIT_OWN),
        Some(UNIT_OTHER),
        Some(REVIEWER_ASSIGNED),
        Some(REVIEWER_UNASSIGNED),
        Some(ADMIN),
    ];

    /// Every route × every role, exact status. The dossier routes act on a fresh
    /// dossier of unit A (own for `unit_own`, assigned to `reviewer_assigned`) in the
    /// state the route needs, so each cell tests only authorisation; the same routes on a
    /// dossier id that does not exist are 404 for everyone logged in.
    pub async fn authorisation_matrix(env: Env) {
        // anon, unit_own, unit_other, reviewer_assigned, reviewer_unassigned, admin
        let matrix: &[(&str, &str, [u16; 6])] = &[
            ("get", "/healthz", [200, 200, 200, 200, 200, 200]),
            ("get", "/api/openapi.json", [200, 200, 200, 200, 200, 200]),
            ("post", "/api/login", [200, 200, 200, 200, 200, 200]),
            ("post", "/api/logout", [401, 200, 200, 200, 200, 200]),
            ("get", "/api/dossiers", [401, 200, 200, 200, 200, 200]),
            ("post", "/api/dossiers", [401, 201, 201, 403, 403, 201]),
            ("get", "/api/dossiers/{id}", [401, 200, 404, 200, 404, 200]),
            ("put", "/api/dossiers/{id}", [401, 200, 404, 403, 404, 200]),
            (
                "delete",
                "/api/dossiers/{id}",
                [401, 200, 404, 403, 404, 200],
            ),
            ("get", "/api/todo", [401, 200, 200, 200, 200, 200]),
            ("post", "/api/todo/read", [401, 200, 200, 200, 200, 200]),
            ("get", "/api/progress", [401, 403, 403, 200, 200, 200]),
            (
                "post",
                "/api/progress/remind",
                [401, 403, 403, 200, 200, 200],
            ),
            (
                "put",
                "/api/progress/deadline",
                [401, 403, 403, 403, 403, 200],
            ),
            (
                "post",
                "/api/dossiers/{id}/submit",
                [401, 200, 404, 403, 404, 200],
            ),
            (
                "post",
                "/api/dossiers/{id}/withdraw",
                [401, 200, 404, 403, 404, 200],
            ),
            (
                "post",
                "/api/dossiers/{id}/return",
                [401, 403, 404, 200, 404, 200],
            ),
            (
                "post",
                "/api/dossiers/{id}/approve",
                [401, 403, 404, 200, 404, 200],
            ),
            (
                "post",
                "/api/dossiers/{id}/comments",
                [401, 201, 404, 201, 404, 201],
            ),
            (
                "post",
                "/api/dossiers/{id}/comments/{cid}/resolve",
                [401, 403, 404, 200, 404, 200],
            ),
            (
                "get",
                "/api/dossiers/{id}/history",
                [401, 200, 404, 200, 404, 200],
            ),
            (
                "post",
                "/api/dossiers/create",
                [401, 201, 201, 403, 403, 201],
            ),
            (
                "post",
                "/api/dossiers/{id}/copy",
                [401, 201, 404, 403, 404, 201],
            ),
            ("post", "/api/check", [401, 200, 200, 200, 200, 200]),
            ("post", "/api/preview", [401, 200, 200, 403, 403, 200]),
            (
                "post",
                "/api/dossiers/{id}/reimport",
                [401, 201, 404, 403, 404, 201],
            ),
            ("post", "/api/exports", [401, 202, 404, 202, 404, 202]),
            ("get", "/api/stats", [401, 403, 403, 200, 200, 200]),
            ("post", "/api/publications", [401, 403, 403, 403, 403, 200]),
            (
                "delete",
                "/api/publications",
                [401, 403, 403, 403, 403, 200],
            ),
            ("get", "/api/jobs/{id}", [401, 200, 404, 404, 404, 200]),
            (
                "get",
                "/api/dossiers/{id}/reports",
                [401, 200, 404, 200, 404, 200],
            ),
            (
                "post",
                "/api/dossiers/{id}/reports",
                [401, 201, 404, 201, 404, 201],
            ),
            ("get", "/api/reports/{id}", [401, 200, 404, 200, 404, 200]),
            ("put", "/api/reports/{id}", [401, 200, 404, 403, 404, 200]),
            (
                "post",
                "/api/reports/{id}/submit",
                [401, 200, 404, 403, 404, 200],
            ),
            (
                "post",
                "/api/reports/{id}/return",
                [401, 403, 404, 200, 404, 200],
            ),
            (
                "post",
                "/api/reports/{id}/approve",
                [401, 403, 404, 200, 404, 200],
            ),
            ("post", "/api/rounds", [401, 403, 403, 201, 201, 201]),
            ("get", "/api/monitoring", [401, 200, 200, 200, 200, 200]),
            (
                "get",
                "/api/self-evaluations",
                [401, 200, 200, 200, 200, 200],
            ),
            (
                "get",
                "/api/library/suggest",
                [401, 200, 200, 200, 200, 200],
            ),
            (
                "get",
                "/api/library/similar",
                [401, 200, 404, 200, 404, 200],
            ),
            ("get", "/api/library", [401, 403, 403, 403, 403, 200]),
            ("post", "/api/library/edits", [401, 403, 403, 403, 403, 200]),
        ];
        let covered: BTreeSet<(&str, &str)> = matrix.iter().map(|(m, p, _)| (*m, *p)).collect();
        let documented: BTreeSet<(&str, &str)> = OPERATIONS.iter().copied().collect();
        assert_eq!(
            covered, documented,
            "the matrix covers every documented route"
        );

        let mut year = 3000; // clear of the seed's 2023
        let mut failures = Vec::new();
        for (method, path, expected) in matrix {
            for (role, want) in ROLES.iter().zip(expected) {
                year += 1;
                let who = match role {
                    Some(name) => Some(env.client(name).await),
                    None => None,
                };
                let submitted = path.ends_with("/return")
                    || path.ends_with("/approve")
                    || path.ends_with("/withdraw");
                let id = if path.starts_with("/api/reports/") {
                    env.report(env.unit_a, year, submitted).await
                } else if *path == "/api/dossiers/{id}/reports" {
                    env.approved(env.unit_a, year, &[blank_form()]).await
                } else if submitted {
                    env.submitted_dossier(env.unit_a, year).await
                } else {
                    env.blank_dossier(env.unit_a, year).await
                };
                let mut url = path.replace("{id}", &id.to_string());
                if *path == "/api/jobs/{id}" {
                    let job = env.export_job(UNIT_OWN, id).await;
                    url = path.replace("{id}", &job.to_string());
                }
                match *path {
                    "/api/library/similar" => url = format!("{path}?dossier={id}&form=0"),
                    // 验收
                    "/api/library/suggest" => url = format!("{path}?q=%E9%AA%8C%E6%94%B6"),
                    _ => {}
                }
                if url.contains("{cid}") {
                    let cid = env.remark(id, REVIEWER_ASSIGNED, "f0:name").await;
                    url = url.replace("{cid}", &cid.to_string());
                }
                let r = if *path == "/api/exports" {
                    let body = json!({ "year": year, "ids": [id], "format": "xlsx" });
                    env.json(Method::POST, path, who.as_ref(), Some(body)).await
                } else {
                    call(&env, method, path, &url, *role, who.as_ref(), year).await
                };
                if r.status.as_u16() != *want {
                    failures.push(format!(
                        "{method} {path} as {}: want {want}, got {} {:?}",
                        role.unwrap_or("anonymous"),
                        r.status,
                        r.body
                    ));
                }
                // The same route on a dossier that does not exist.
                if path.contains("{id}") {
                    let url = path.replace("{id}", "987654").replace("{cid}", "1");
                    let r = call(&env, method, path, &url, *role, who.as_ref(), year).await;
                    let want = if role.is_some() { 404 } else { 401 };
                    if r.status.as_u16() != want {
                        failures.push(format!(
                            "{method} {path} (missing) as {}: want {want}, got {}",
                            role.unwrap_or("anonymous"),
                            r.status
                        ));
                    }
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));

        // The list shows exactly the visible units.
        for (name, units) in [
            (UNIT_OWN, vec![env.unit_a]),
            (UNIT_OTHER, vec![env.unit_b]),
            (REVIEWER_ASSIGNED, vec![env.unit_a]),
            (REVIEWER_UNASSIGNED, vec![env.unit_b]),
            (ADMIN, vec![env.unit_a, env.unit_b, env.unit_c]),
        ] {
            let c = env.client(name).await;
            let r = env.get("/api/dossiers?limit=500", Some(&c)).await;
            let seen: BTreeSet<i64> = r.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["unit_id"].as_i64().unwrap())
                .collect();
            assert_eq!(seen, units.into_iter().collect(), "{name} sees");
            assert!(r.body["items"][0]["error_count"].is_i64());
        }
        assert!(env.store.verify_audit().await.unwrap().is_intact());
    }

    async fn call(
        env: &Env,
        method: &str,
        path: &str,
        url: &str,
        role: Option<&str>,
        who: Option<&Client>,
        year: i64,
    ) -> Reply {
        let seed = seed_docx();
        // New dossiers (create, copy) for a year clear of the matrix's blank ones (3001…),
        // inside the budget years the server accepts (2000 to next year).
        let new_year = 2000 + (year - 3000) % (jixiao_web::services::this_year() + 2 - 2000);
        let body = match path {
            "/api/login" => {
                Some(json!({ "username": role.unwrap_or(UNIT_OWN), "password": PASSWORD }))
            }
            "/api/dossiers/{id}" | "/api/reports/{id}" if method == "put" => {
                Some(json!({ "forms": [blank_project()], "base_version": 1 }))
            }
            "/api/dossiers/{id}/submit"
            | "/api/dossiers/{id}/withdraw"
            | "/api/reports/{id}/submit" => Some(json!({})),
            "/api/dossiers/{id}/reports" if method == "post" => {
                Some(json!({ "kind": "monitoring", "period_months": 6 }))
            }
            "/api/reports/{id}/return" => Some(json!({ "comment": "请说明偏差原因" })),
            "/api/reports/{id}/approve" => Some(json!({ "grade": "良", "opinions": {} })),
            "/api/rounds" => Some(json!({ "year": 2024, "period_months": 6 })),
            "/api/dossiers/{id}" if method == "delete" => Some(json!({})),
            "/api/todo/read" => Some(json!({ "seq": 1 })),
            "/api/progress/remind" => Some(json!({ "year": 2024 })),
            "/api/progress/deadline" => Some(json!({
                "year": jixiao_web::services::this_year(),
                "date": "2030-01-31"
            })),
            "/api/dossiers/{id}/return" => Some(json!({ "comment": "请补充测算依据" })),
            "/api/dossiers/{id}/approve" => {
                Some(json!({ "grade": "良", "opinions": full_opinions() }))
            }
            "/api/dossiers/{id}/comments" => Some(json!({ "field": "", "body": "意见" })),
            "/api/dossiers/{id}/comments/{cid}/resolve" => Some(json!({ "resolved": true })),
            "/api/publications" => Some(json!({ "year": 2023 })),
            "/api/library/edits" => {
                Some(json!({ "action": "common", "key": "结余率", "common": true }))
            }

            "/api/check" => Some(json!({ "forms": [blank_project()] })),
            "/api/dossiers/create" => {
                let mut b = json!({ "forms": [blank_project()], "year": new_year });
                if role == Some(ADMIN) {
                    b["unit"] = json!(UNIT_C);
                }
                Some(b)
            }
            "/api/dossiers/{id}/copy" => Some(json!({ "year": new_year })),
            _ => None,
        };
        if path == "/api/preview" || path == "/api/dossiers/{id}/reimport" {
            return env.upload_to(url, who, "seed.docx", &seed).await;
        }
        if method == "post" && path == "/api/dossiers" {
            let unit = (role == Some(ADMIN)).then_some(UNIT_C);
            return env.upload(who, "seed.docx", &seed, unit).await;
        }
        let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        env.json(m, url, who, body).await
    }

    /// Only login, /healthz and the OpenAPI document answer without a session; every
    /// documented operation is a real route (never the 404/405 fallback).
    pub async fn nothing_reachable_without_login(env: Env) {
        let public = [
            ("get", "/healthz"),
            ("get", "/api/openapi.json"),
            ("post", "/api/login"),
        ];
        for (method, path) in OPERATIONS {
            let url = path.replace("{id}", "1");
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let r = env.json(m, &url, None, Some(json!({}))).await;
            assert_ne!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            assert_ne!(r.error(), "接口不存在", "{method} {path} is routed");
            if public.contains(&(method, path)) {
                assert_ne!(r.status, StatusCode::UNAUTHORIZED, "{method} {path}");
            } else {
                assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{method} {path}");
                assert_eq!(r.error(), "请先登录");
            }
        }
        let r = env.get("/api/nothing-here", None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.error(), "接口不存在");
        let r = env.json(Method::DELETE, "/api/dossiers", None, None).await;
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);

        let r = env.get("/healthz", None).await;
        assert_eq!(r.body["status"], "ok");
        let doc = env.get("/api/openapi.json", None).await.body;
        assert_eq!(doc["openapi"], "3.1.0");
    }

    /// The seed .docx imports into a dossier of the caller's unit with the checker's
    /// findings; submitting is refused with the error list; a second upload for the same
    /// unit and year is a conflict; another unit's upload is stored under its own unit
    /// with a parse warning; a file that is not a form is 422 with the import error.
    pub async fn upload_seed_docx(env: Env) {
        let own = env.client(UNIT_OWN).await;
        let r = env
            .upload(Some(&own), "seed.docx", &seed_docx(), None)
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        assert_eq!(r.body["version"], 1);
        let rules: BTreeSet<&str> = r.body["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap())
            .collect();
        assert!(rules.contains("empty-indicator"), "{rules:?}");
        assert!(rules.contains("vague-value"), "{rules:?}");
        let id = r.body["id"].as_i64().unwrap();

        let d = env.get(&format!("/api/dossiers/{id}"), Some(&own)).await;
        assert_eq!(d.status, StatusCode::OK);
        assert_eq!(d.body["unit_id"], env.unit_a);
        assert_eq!(d.body["year"], 2023);
        assert_eq!(d.body["status"], "draft");
        assert_eq!(d.body["forms"].as_array().unwrap().len(), 4);
        assert!(d.body["error_count"].as_i64().unwrap() >= 1);
        assert_eq!(d.body["findings"], r.body["findings"]);

        let r = env
            .json(
                Method::POST,
                &format!("/api/dossiers/{id}/submit"),
                Some(&own),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.error().contains("错误"), "{}", r.error());
        assert!(r.body["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "empty-indicator"));

        // A profile may relax the rule (`[workflow] submit_with_errors = true`): the same
        // dossier then submits on a server running that profile.
        let relaxed = jixiao_domain::Profile::from_toml(
            "name = \"relaxed\"\ntitle = \"允许带错误提交\"\nextends = \"national\"\n[workflow]\nsubmit_with_errors = true\n",
        )
        .unwrap();
        assert!(relaxed.submit_with_errors);
        let relaxed_app = jixiao_web::router(jixiao_web::AppState::with(
            env.store.clone(),
            relaxed,
            jixiao_web::Config::default(),
        ));
        let req = request(
            Method::POST,
            &format!("/api/dossiers/{id}/submit"),
            Some(&own),
            "127.0.0.1",
        )
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{}"))
        .unwrap();
        let r = send(&relaxed_app, req).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["status"], "submitted", "{:?}", r.body);

        let r = env
            .upload(Some(&own), "seed.docx", &seed_docx(), None)
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(
            r.error().starts_with("该单位该年度的档案已存在"),
            "{}",
            r.error()
        );
        assert_eq!(r.body["existing_id"], id, "names the existing dossier");

        let other = env.client(UNIT_OTHER).await;
        let r = env
            .upload(Some(&other), "seed.docx", &seed_docx(), None)
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        assert!(r.body["findings"].as_array().unwrap().iter().any(|f| {
            f["rule"] == "parse-warning" && f["message"].as_str().unwrap().contains(UNIT_B)
        }));
        let d = env
            .store
            .get_dossier(r.body["id"].as_i64().unwrap())
            .await
            .unwrap();
        assert_eq!(d.unit_id, env.unit_b, "stored under the caller's unit");
        let r = env
            .upload(Some(&other), "seed.docx", &seed_docx(), Some(UNIT_C))
            .await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "a unit user may not name a unit"
        );

        let admin = env.client(ADMIN).await;
        let r = env
            .upload(
                Some(&admin),
                "seed.docx",
                &seed_docx(),
                Some("不存在的单位"),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.error().contains("不存在的单位"));

        let r = env
            .upload(
                Some(&own),
                "notes.txt",
                "今天天气很好。\n没有表格。\n".as_bytes(),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.error().contains("没有找到绩效目标表"), "{}", r.error());
        let r = env.upload(Some(&own), "empty.docx", b"", None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.error(), "文件为空");
    }

    /// Two clients save on the same base version at the same time: exactly one 200 and
    /// one 409 with the current version; both versions are in the history (the loser's
    /// as a conflict version); the audit chain verifies.
    pub async fn concurrent_saves_one_wins_both_kept(env: Env) {
        let id = env.blank_dossier(env.unit_a, 2024).await;
        let a = env.client(UNIT_OWN).await;
        let b = env.client(ADMIN).await;
        let path = format!("/api/dossiers/{id}");
        let mut project = blank_project();
        project["name"] = json!("两人同时保存的项目");
        let body = json!({ "forms": [project], "base_version": 1 });
        let (ra, rb) = tokio::join!(
            env.json(Method::PUT, &path, Some(&a), Some(body.clone())),
            env.json(Method::PUT, &path, Some(&b), Some(body.clone())),
        );
        let mut statuses = [ra.status.as_u16(), rb.status.as_u16()];
        statuses.sort();
        assert_eq!(statuses, [200, 409], "{:?} {:?}", ra.body, rb.body);
        let (won, lost) = if ra.status == StatusCode::OK {
            (ra, rb)
        } else {
            (rb, ra)
        };
        assert_eq!(won.body["version"], 2);
        assert_eq!(lost.body["current_version"], 2);
        assert!(lost.error().contains("已被他人修改"), "{}", lost.error());

        let h = env.get(&format!("{path}/history"), Some(&a)).await;
        assert_eq!(h.status, StatusCode::OK);
        assert_eq!(h.body["current_version"], 2);
        let kinds: Vec<&str> = h.body["versions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["save", "save", "conflict"]);
        let conflict = env.store.get_version(id, 3).await.unwrap();
        assert_eq!(conflict.info.kind, VersionKind::Conflict);
        assert_eq!(conflict.info.base_version, 1);
        let log = env.store.audit_log(0, 10_000).await.unwrap();
        let target = format!("dossier:{id}");
        let mine: Vec<(&str, Option<&str>)> = log
            .iter()
            .filter(|r| r.target == target && r.action != "dossier.create")
            .map(|r| (r.action.as_str(), r.address.as_deref()))
            .collect();
        assert_eq!(mine.len(), 2, "{mine:?}");
        assert!(
            mine.contains(&("dossier.save", Some("127.0.0.1"))),
            "{mine:?}"
        );
        assert!(
            mine.contains(&("dossier.conflict", Some("127.0.0.1"))),
            "{mine:?}"
        );
        let report = env.store.verify_audit().await.unwrap();
        assert!(report.is_intact(), "{report:?}");
    }

    /// Malformed JSON, an unknown field, a wrong type, a huge body, a wrong content type,
    /// a bad query, a non-numeric id: each a clear Chinese 4xx, never a 500.
    pub async fn bad_requests_get_clear_4xx(env: Env) {
        let c = env.client(UNIT_OWN).await;
        let id = env.blank_dossier(env.unit_a, 2025).await;
        let path = format!("/api/dossiers/{id}");
        let raw = |body: &'static str| {
            request(Method::PUT, &path, Some(&c), "127.0.0.1")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body))
                .unwrap()
        };
        let r = env.send(raw("{\"forms\": [}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(
            r.error().starts_with("请求内容不是有效的 JSON"),
            "{}",
            r.error()
        );

        let r = env
            .json(
                Method::PUT,
                &path,
                Some(&c),
                Some(json!({ "forms": [], "base_version": 1, "extra": 1 })),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.error().contains("extra"), "{}", r.error());
        let r = env
            .json(
                Method::PUT,
                &path,
                Some(&c),
                Some(json!({ "forms": "x", "base_version": 1 })),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = env
            .json(Method::PUT, &path, Some(&c), Some(json!({ "forms": [] })))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.error().contains("base_version"), "{}", r.error());

        // Over the JSON limit, which comes from the largest dossier (docs/api.md).
        let limit = jixiao_web::Config::default().json_limit();
        let huge = format!(
            "{{\"forms\": [], \"base_version\": 1, \"reason\": \"{}\"}}",
            "长".repeat(limit / 3 + 1)
        );
        let req = request(Method::PUT, &path, Some(&c), "127.0.0.1")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(huge))
            .unwrap();
        let r = env.send(req).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(r.error().contains("过大"), "{}", r.error());

        let big = vec![b'a'; 21 * 1024 * 1024];
        let r = env.upload(Some(&c), "big.txt", &big, None).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{:?}", r.body);

        let req = request(Method::POST, "/api/dossiers", Some(&c), "127.0.0.1")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{}"))
            .unwrap();
        let r = env.send(req).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.error().contains("multipart"), "{}", r.error());
        let (ct, _) = multipart("x", b"", None);
        let req = request(Method::POST, "/api/dossiers", Some(&c), "127.0.0.1")
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from("garbage"))
            .unwrap();
        let r = env.send(req).await;
        assert!(r.status.is_client_error(), "{}", r.status);

        let r = env.get("/api/dossiers?limit=abc", Some(&c)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let r = env.get("/api/dossiers?status=unknown", Some(&c)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let r = env.get("/api/dossiers/abc", Some(&c)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        let r = env
            .json(
                Method::POST,
                "/api/login",
                None,
                Some(json!({ "username": "a" })),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = env
            .json(
                Method::POST,
                &format!("{path}/comments"),
                Some(&c),
                Some(json!({ "body": "  " })),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.error(), "意见内容不能为空");

        let mut wrong = c.clone();
        wrong.csrf = "wrong".into();
        let r = env
            .json(
                Method::PUT,
                &path,
                Some(&wrong),
                Some(json!({ "forms": [], "base_version": 1 })),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(env.store.verify_audit().await.unwrap().is_intact());
    }

    /// 草稿 → 已提交 → 退回修改 (with a comment) → edit → 已提交 → 审核 中 needs every
    /// opinion, 良 approves and locks → an adjustment with a reason reopens it.
    pub async fn workflow_over_http(env: Env) {
        let id = env.blank_dossier(env.unit_a, 2026).await;
        let unit = env.client(UNIT_OWN).await;
        let rev = env.client(REVIEWER_ASSIGNED).await;
        let p = |s: &str| format!("/api/dossiers/{id}{s}");

        let r = env
            .json(Method::POST, &p("/submit"), Some(&unit), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["status"], "submitted");
        let r = env
            .json(
                Method::PUT,
                &p(""),
                Some(&unit),
                Some(json!({ "forms": [blank_project()], "base_version": 1 })),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "under review");
        let r = env
            .json(Method::POST, &p("/return"), Some(&rev), Some(json!({})))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.error(), "退回时请填写退回意见");
        let r = env
            .json(
                Method::POST,
                &p("/return"),
                Some(&rev),
                Some(json!({ "comment": "指标不完整" })),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["status"], "returned");

        // The unit fills the form in (one of the seed's project forms, which has no
        // error-severity finding), so it may be submitted again.
        let r = env
            .json(
                Method::PUT,
                &p(""),
                Some(&unit),
                Some(json!({ "forms": [complete_project()], "base_version": 1 })),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["version"], 2);
        let r = env
            .json(
                Method::POST,
                &p("/submit"),
                Some(&unit),
                Some(json!({ "version": 2 })),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);

        let mut partial = full_opinions();
        partial["relevance"] = json!("");
        let r = env
            .json(
                Method::POST,
                &p("/approve"),
                Some(&rev),
                Some(json!({ "grade": "中", "opinions": partial })),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.error().contains("相关性"), "{}", r.error());
        let r = env
            .json(
                Method::POST,
                &p("/approve"),
                Some(&rev),
                Some(json!({ "grade": "甲", "opinions": full_opinions() })),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = env
            .json(
                Method::POST,
                &p("/approve"),
                Some(&rev),
                Some(json!({ "grade": "良", "opinions": full_opinions() })),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["status"], "approved");
        assert_eq!(r.body["grade"], "良");

        let r = env
            .json(
                Method::PUT,
                &p(""),
                Some(&unit),
                Some(json!({ "forms": [blank_project()], "base_version": 2 })),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.error().contains("锁定"), "{}", r.error());
        let r = env
            .json(
                Method::PUT,
                &p(""),
                Some(&unit),
                Some(json!({ "forms": [blank_project()], "base_version": 2, "reason": "年中预算调整" })),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["status"], "adjusting");

        let d = env.get(&p(""), Some(&rev)).await;
        assert_eq!(d.body["status"], "adjusting");
        assert_eq!(d.body["approved_version"], 2);
        assert_eq!(d.body["reviews"].as_array().unwrap().len(), 2);
        assert_eq!(d.body["comments"][0]["body"], "指标不完整");
        let h = env.get(&p("/history"), Some(&unit)).await;
        let kinds: Vec<&str> = h.body["versions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["save", "save", "adjustment"]);
        assert!(env.store.verify_audit().await.unwrap().is_intact());
    }

    /// `GET /api/dossiers` with `q`, `unit`, `year`, `status`, `order`: search sees only
    /// what the caller may see, and `unit` is intersected with the caller's scope.
    pub async fn list_search_filters_and_order(env: Env) {
        use jixiao_domain::{Finding, Form, Location, Project, Severity};
        let forms = |unit: &str, project: &str, goal: &str| {
            vec![Form::Project(Project {
                title: "项目支出绩效目标表".into(),
                unit: unit.into(),
                name: project.into(),
                annual_goal: goal.into(),
                ..Project::default()
            })]
        };
        let findings = |errors: usize, warnings: usize| -> Vec<Finding> {
            (0..errors)
                .map(|_| Severity::Error)
                .chain((0..warnings).map(|_| Severity::Warning))
                .map(|sev| Finding::new("sum.total", sev, "合计不符", Location::default()))
                .collect()
        };
        let make = |unit: i64, year: i64, f: Vec<Form>, found: Vec<Finding>| {
            let store = env.store.clone();
            async move {
                store
                    .create_dossier(unit, year, &f, &found, &system())
                    .await
                    .unwrap()
                    .id
            }
        };
        let a23 = make(
            env.unit_a,
            2023,
            forms(UNIT_A, "教育基地建设", "建设爱国主义教育基地"),
            findings(0, 2),
        )
        .await;
        let a24 = make(
            env.unit_a,
            2024,
            forms(UNIT_A, "统战宣传", "宣传覆盖率100%"),
            findings(1, 0),
        )
        .await;
        let b23 = make(
            env.unit_b,
            2023,
            forms(UNIT_B, "预算绩效管理", "全面实施预算绩效管理"),
            findings(3, 0),
        )
        .await;
        let c23 = make(
            env.unit_c,
            2023,
            forms(UNIT_C, "义务教育", "义务教育均衡发展"),
            vec![],
        )
        .await;

        fn enc(s: &str) -> String {
            s.bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect()
        }
        let ids = |r: &Reply| -> Vec<i64> {
            assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
            let items: Vec<i64> = r.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["id"].as_i64().unwrap())
                .collect();
            assert!(r.body["total"].as_i64().unwrap() >= items.len() as i64);
            items
        };
        let list = |who: &'static str, query: String| {
            let env = &env;
            async move {
                let c = env.client(who).await;
                env.get(&format!("/api/dossiers?{query}"), Some(&c)).await
            }
        };

        // The assigned reviewer sees unit A only, whatever it asks for.
        let r = list(REVIEWER_ASSIGNED, String::new()).await;
        assert_eq!(ids(&r), vec![a24, a23]);
        let r = list(REVIEWER_ASSIGNED, format!("q={}", enc("教育"))).await;
        assert_eq!(ids(&r), vec![a23], "C matches too but is not visible");
        assert_eq!(r.body["total"], 1);
        let r = list(REVIEWER_ASSIGNED, format!("unit={}", env.unit_b)).await;
        assert_eq!((ids(&r), &r.body["total"]), (vec![], &json!(0)));
        let r = list(
            REVIEWER_ASSIGNED,
            format!("unit={}&q={}", env.unit_b, enc("预算绩效")),
        )
        .await;
        assert_eq!(ids(&r), Vec::<i64>::new(), "never another unit's data");
        let r = list(REVIEWER_ASSIGNED, format!("unit={}&year=2024", env.unit_a)).await;
        assert_eq!(ids(&r), vec![a24]);
        let r = list(REVIEWER_ASSIGNED, "order=quality".into()).await;
        assert_eq!(ids(&r), vec![a24, a23], "the error first, then warnings");
        assert_eq!(r.body["items"][0]["error_count"], 1);
        let r = list(REVIEWER_ASSIGNED, format!("q={}", enc("100%"))).await;
        assert_eq!(ids(&r), vec![a24]);
        let r = list(REVIEWER_ASSIGNED, format!("q={}", enc("覆盖率1_0%"))).await;
        assert_eq!(ids(&r), Vec::<i64>::new(), "_ is not a wildcard");
        let r = list(REVIEWER_ASSIGNED, format!("q={}", enc("%"))).await;
        assert_eq!(ids(&r), vec![a24]);
        let r = list(
            REVIEWER_ASSIGNED,
            format!("q={}&status=submitted", enc("教育")),
        )
        .await;
        assert_eq!(ids(&r), Vec::<i64>::new());

        // Other roles: the intersection is empty outside the scope.
        let r = list(UNIT_OTHER, format!("unit={}", env.unit_a)).await;
        assert_eq!(ids(&r), Vec::<i64>::new());
        let r = list(UNIT_OTHER, format!("q={}", enc("财政局"))).await;
        assert_eq!(ids(&r), vec![b23]);
        let r = list(UNIT_OTHER, format!("q={}", enc("教育"))).await;
        assert_eq!(ids(&r), Vec::<i64>::new());
        let r = list(REVIEWER_UNASSIGNED, format!("unit={}", env.unit_c)).await;
        assert_eq!(ids(&r), Vec::<i64>::new());
        let r = list(UNIT_OWN, format!("unit={}", env.unit_a)).await;
        assert_eq!(ids(&r), vec![a24, a23]);

        // The admin sees everything.
        let r = list(ADMIN, format!("q={}", enc(" 教 育 "))).await;
        assert_eq!(ids(&r), vec![c23, a23]);
        let r = list(ADMIN, format!("unit={}", env.unit_c)).await;
        assert_eq!(ids(&r), vec![c23]);
        let r = list(ADMIN, "order=quality".into()).await;
        assert_eq!(ids(&r), vec![b23, a24, a23, c23]);
        let r = list(ADMIN, "order=recent".into()).await;
        assert_eq!(ids(&r), vec![c23, b23, a24, a23]);
        let r = list(
            ADMIN,
            format!("q={}&order=quality&limit=1&offset=1", enc("教育")),
        )
        .await;
        assert_eq!(ids(&r), vec![c23]);
        assert_eq!(r.body["total"], 2);
        let r = list(ADMIN, format!("q=&unit={}", env.unit_b)).await;
        assert_eq!(ids(&r), vec![b23], "an empty q is no search");

        // Bad parameters.
        let r = list(ADMIN, "order=best".into()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.error().contains("未知的排序方式"), "{}", r.error());
        let r = list(ADMIN, "unit=abc".into()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.error().starts_with("查询参数有误"), "{}", r.error());
        let r = list(ADMIN, format!("q={}", enc(&"长".repeat(101)))).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.error().contains("搜索内容过长"), "{}", r.error());
        let r = list(ADMIN, format!("q={}", enc(&"长".repeat(100)))).await;
        assert_eq!(ids(&r), Vec::<i64>::new());
    }

    /// 批量导出: a reviewer's export holds the approved dossiers of the year they oversee
    /// (drafts and other years left out), one file per dossier in a .zip; an admin's holds
    /// every unit's; 批量打印 is one PDF; a job is its owner's; bad requests are refused.
    pub async fn batch_export_runs_in_the_background(env: Env) {
        let approve = |unit: i64, year: i64| {
            let env = &env;
            async move {
                let id = env.submitted_dossier(unit, year).await;
                env.store
                    .transition(
                        id,
                        jixiao_domain::review::Status::Submitted,
                        1,
                        &jixiao_domain::review::Action::Approve {
                            grade: jixiao_domain::review::Grade::Good,
                            opinions: serde_json::from_value(full_opinions()).unwrap(),
                        },
                        &jixiao_store::Actor::user(
                            &env.store.get_user(env.users[ADMIN]).await.unwrap(),
                            None,
                        ),
                    )
                    .await
                    .unwrap();
                id
            }
        };
        let a = approve(env.unit_a, 2023).await;
        approve(env.unit_b, 2023).await;
        approve(env.unit_a, 2022).await;
        env.blank_dossier(env.unit_c, 2023).await;

        let zip_names = |bytes: &[u8]| -> Vec<String> {
            let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
            (0..z.len())
                .map(|i| {
                    let mut f = z.by_index(i).unwrap();
                    let mut head = [0u8; 2];
                    std::io::Read::read_exact(&mut f, &mut head).unwrap();
                    assert_eq!(&head, b"PK", "an Office file inside");
                    f.name().unwrap().to_string()
                })
                .collect()
        };
        let download = |job: u64, who: Client| {
            let env = &env;
            async move {
                let req = request(
                    Method::GET,
                    &format!("/api/jobs/{job}?download=1"),
                    Some(&who),
                    "127.0.0.1",
                )
                .body(Body::empty())
                .unwrap();
                let res = tower::ServiceExt::oneshot(env.app.clone(), req)
                    .await
                    .unwrap();
                assert_eq!(res.status(), StatusCode::OK);
                let ct = res.headers()[header::CONTENT_TYPE]
                    .to_str()
                    .unwrap()
                    .to_string();
                let cd = res.headers()[header::CONTENT_DISPOSITION]
                    .to_str()
                    .unwrap()
                    .to_string();
                let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
                    .await
                    .unwrap();
                (ct, cd, bytes.to_vec())
            }
        };

        let rev = env.client(REVIEWER_ASSIGNED).await;
        let r = post_export(&env, &rev, json!({ "year": 2023, "format": "xlsx" })).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
        assert_eq!(
            r.body["total"], 1,
            "only the approved dossier of the unit overseen"
        );
        let job = r.body["id"].as_u64().unwrap();
        let done = env.job_done(&rev, job).await;
        assert_eq!(done["status"], "done", "{done}");
        assert_eq!(done["done"], 1);
        let (ct, cd, bytes) = download(job, rev.clone()).await;
        assert_eq!(ct, "application/zip");
        assert!(cd.contains("filename*=UTF-8''"), "{cd}");
        assert_eq!(
            zip_names(&bytes),
            [format!("{UNIT_A}2023年度绩效目标表.xlsx")]
        );
        // Another user does not see the job.
        let other = env.client(UNIT_OTHER).await;
        let r = env.get(&format!("/api/jobs/{job}"), Some(&other)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        let admin = env.client(ADMIN).await;
        let r = post_export(&env, &admin, json!({ "year": 2023, "format": "docx" })).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
        let done = env.job_done(&admin, r.body["id"].as_u64().unwrap()).await;
        assert_eq!(
            (done["status"].as_str(), done["total"].as_u64()),
            (Some("done"), Some(2)),
            "{done}"
        );
        let (_, _, bytes) = download(done["id"].as_u64().unwrap(), admin.clone()).await;
        let mut names = zip_names(&bytes);
        names.sort();
        assert_eq!(
            names,
            [
                format!("{UNIT_A}2023年度绩效目标表.docx"),
                format!("{UNIT_B}2023年度绩效目标表.docx")
            ]
        );

        // Selected dossiers, also when not approved; someone else's is not found.
        let own = env.client(UNIT_OWN).await;
        let r = post_export(
            &env,
            &own,
            json!({ "year": 2023, "ids": [a], "format": "xlsx" }),
        )
        .await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
        env.job_done(&own, r.body["id"].as_u64().unwrap()).await;
        let r = post_export(
            &env,
            &other,
            json!({ "year": 2023, "ids": [a], "format": "xlsx" }),
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.body);
        for (body, says) in [
            (json!({ "year": 2023, "format": "rar" }), "format"),
            (
                json!({ "year": 2030, "format": "xlsx" }),
                "没有可导出的档案",
            ),
        ] {
            let r = post_export(&env, &admin, body).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
            assert!(r.error().contains(says), "{}", r.error());
        }
        let r = env.get("/api/jobs/999999", Some(&admin)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        // 批量打印: one PDF of all (with Chromium).
        if std::path::Path::new("/usr/bin/chromium").exists()
            || std::env::var("JIXIAO_REQUIRE_TOOLS").as_deref() == Ok("1")
        {
            let r = post_export(&env, &admin, json!({ "year": 2023, "format": "print" })).await;
            assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
            let done = env.job_done(&admin, r.body["id"].as_u64().unwrap()).await;
            assert_eq!(done["status"], "done", "{done}");
            let (ct, _, bytes) = download(done["id"].as_u64().unwrap(), admin.clone()).await;
            assert_eq!(ct, "application/pdf");
            assert!(bytes.starts_with(b"%PDF"));
        }
    }

    /// 导入修改后的文件: a corrected file previewed (nothing stored, the findings and forms
    /// shown), then stored as the next version with the reader's notes; the same file again
    /// stores nothing; a stale base is a 409 that keeps the file as a conflict version; a
    /// dossier under review, an unreadable file and someone else's dossier are refused.
    pub async fn reimport_a_corrected_file(env: Env) {
        let own = env.client(UNIT_OWN).await;
        let r = env
            .upload_to(
                "/api/dossiers",
                Some(&own),
                "seed.txt",
                seed_text_with("选拨", "选拨").as_bytes(),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let id = r.body["id"].as_i64().unwrap();
        let url = format!("/api/dossiers/{id}/reimport");
        let fixed = seed_text_with("选拨", "选拔");

        let r = env
            .upload_with(
                &url,
                Some(&own),
                "改好的.txt",
                fixed.as_bytes(),
                &[("preview", "true"), ("base_version", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["same"], false);
        assert_eq!(r.body["base_version"], 1);
        assert_eq!(r.body["file"], "改好的.txt");
        assert!(r.body["saved"].is_null());
        assert_eq!(r.body["forms"].as_array().unwrap().len(), 4);
        assert!(r.body["forms"].to_string().contains("选拔"));
        assert!(r.body["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "empty-indicator"));
        let h = env
            .get(&format!("/api/dossiers/{id}/history"), Some(&own))
            .await;
        assert_eq!(h.body["current_version"], 1, "a preview stores nothing");

        let r = env
            .upload_with(
                &url,
                Some(&own),
                "改好的.txt",
                fixed.as_bytes(),
                &[("base_version", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        assert_eq!(r.body["saved"]["version"], 2);
        let d = env.get(&format!("/api/dossiers/{id}"), Some(&own)).await;
        assert_eq!(d.body["version"], 2);
        assert!(d.body["forms"].to_string().contains("选拔"));
        assert!(!d.body["forms"].to_string().contains("选拨"));
        assert_eq!(d.body["findings"], r.body["saved"]["findings"]);

        // The same file again: nothing to store.
        let r = env
            .upload_with(&url, Some(&own), "改好的.txt", fixed.as_bytes(), &[])
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["same"], true);
        assert_eq!(r.body["saved"]["version"], 2);
        let h = env
            .get(&format!("/api/dossiers/{id}/history"), Some(&own))
            .await;
        assert_eq!(h.body["versions"].as_array().unwrap().len(), 2);

        // Compared with version 1 while version 2 exists: 409, the file kept as a conflict.
        let other_fix = seed_text_with("选拨", "遴选");
        let r = env
            .upload_with(
                &url,
                Some(&own),
                "旧的.txt",
                other_fix.as_bytes(),
                &[("base_version", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
        assert_eq!(r.body["current_version"], 2);
        let d = env.get(&format!("/api/dossiers/{id}"), Some(&own)).await;
        assert_eq!(d.body["version"], 2, "the conflict does not become current");

        // Bad input: an unreadable file, a bad base_version, an unknown field.
        let r = env
            .upload_with(&url, Some(&own), "扫描件.pdf", b"%PDF-1.4 scanned", &[])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
        assert!(r.error().contains("PDF"), "{}", r.error());
        let r = env
            .upload_with(
                &url,
                Some(&own),
                "a.txt",
                fixed.as_bytes(),
                &[("base_version", "二")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = env
            .upload_with(
                &url,
                Some(&own),
                "a.txt",
                fixed.as_bytes(),
                &[("year", "2024")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.error().contains("base_version"), "{}", r.error());

        // Another unit's user does not see it; under review it takes no new version.
        let other = env.client(UNIT_OTHER).await;
        let r = env
            .upload_with(&url, Some(&other), "a.txt", fixed.as_bytes(), &[])
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let sub = env.submitted_dossier(env.unit_a, 2024).await;
        let r = env
            .upload_with(
                &format!("/api/dossiers/{sub}/reimport"),
                Some(&own),
                "a.txt",
                fixed.as_bytes(),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.error().contains("撤回"), "{}", r.error());
    }

    /// `POST /api/preview` reads a file as an upload does (every parse warning, the rules'
    /// findings, the totals) without saving; `POST /api/dossiers/create` then makes the
    /// dossier from the previewed forms, refusing an existing (unit, year) with a link to
    /// it, a unit field from a unit user, a bad year, no forms and a malformed amount.
    pub async fn preview_then_create(env: Env) {
        let own = env.client(UNIT_OWN).await;
        let r = env
            .upload_to("/api/preview", Some(&own), "seed.docx", &seed_docx())
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let p = r.body;
        assert_eq!(p["status"], "ok");
        assert_eq!(p["file"], "seed.docx");
        assert_eq!(p["year"], 2023);
        assert_eq!(p["unit"], UNIT_A);
        let forms = p["forms"].as_array().unwrap().clone();
        assert_eq!(forms.len(), 4);
        let imported = jixiao_files::import::import_bytes(
            "seed.docx",
            &seed_docx(),
            &jixiao_domain::Profile::national(),
            &jixiao_files::limits::Limits::default(),
        );
        let found = p["findings"].as_array().unwrap();
        for w in &imported.findings {
            assert!(
                found.contains(&serde_json::to_value(w).unwrap()),
                "every parse warning is shown: {w:?}"
            );
        }
        assert!(found.iter().any(|f| f["rule"] == "empty-indicator"));
        let totals = p["totals"].as_array().unwrap();
        assert_eq!(totals.len(), 4);
        assert_eq!(totals[2]["kind"], "project");
        assert!(totals[2]["details_sum"].is_string(), "{}", totals[2]);
        assert_eq!(
            totals[0]["indicators"].as_u64().unwrap() as usize,
            forms[0]["indicators"].as_array().unwrap().len()
        );
        // 未识别的内容: every cell the reader left unused, with where and why.
        let unread = p["unread"].as_array().unwrap();
        assert_eq!(unread.len(), imported.explained.unmapped().count());
        for c in unread {
            assert!(!c["reason"].as_str().unwrap().is_empty(), "{c}");
            assert!(!c["text"].as_str().unwrap().is_empty(), "{c}");
        }
        let list = env.get("/api/dossiers", Some(&own)).await;
        assert_eq!(list.body["total"], 0, "a preview saves nothing");
        // A form with a line the reader cannot place lists it with its place and reason.
        let mut text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/seed-2023-shifeng-tongzhanbu.txt"
        ))
        .unwrap();
        text.push_str("\n附言：本表数据以财政局最终批复为准，请各科室知悉\n");
        let r = env
            .upload_to("/api/preview", Some(&own), "seed.txt", text.as_bytes())
            .await;
        let unread = r.body["unread"].as_array().unwrap();
        assert!(
            unread
                .iter()
                .any(|c| c["text"].as_str().unwrap().contains("最终批复为准")
                    && !c["place"].as_str().unwrap().is_empty()),
            "{unread:?}"
        );

        // Another unit's user sees the unit mismatch before saving.
        let other = env.client(UNIT_OTHER).await;
        let r = env
            .upload_to("/api/preview", Some(&other), "seed.docx", &seed_docx())
            .await;
        assert!(r.body["findings"].as_array().unwrap().iter().any(|f| {
            f["rule"] == "parse-warning" && f["message"].as_str().unwrap().contains(UNIT_B)
        }));
        // A file that is no form: status error with the reason, still 200.
        let r = env
            .upload_to(
                "/api/preview",
                Some(&own),
                "notes.txt",
                "今天天气很好。\n".as_bytes(),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["status"], "error");
        assert!(r.body["error"]
            .as_str()
            .unwrap()
            .contains("没有找到绩效目标表"));
        // A PDF or a scan: one message that says what is read and what to do instead.
        for (name, bytes, advice) in [
            ("目标表.pdf", &b"%PDF-1.7\n%..."[..], "复制到 .txt"),
            (
                "扫描件.png",
                &b"\x89PNG\r\n\x1a\n...."[..],
                "Word/Excel 原件",
            ),
            ("照片.jpg", &b"\xFF\xD8\xFF\xE0...."[..], "Word/Excel 原件"),
        ] {
            let r = env.upload_to("/api/preview", Some(&own), name, bytes).await;
            assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
            assert_eq!(r.body["status"], "error");
            let e = r.body["error"].as_str().unwrap();
            assert!(
                e.contains(advice) && e.contains("可导入的格式：.docx"),
                "{name}: {e}"
            );
        }
        let rev = env.client(REVIEWER_ASSIGNED).await;
        let r = env
            .upload_to("/api/preview", Some(&rev), "seed.docx", &seed_docx())
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // Save the previewed forms.
        let create = |body: Value, who: &Client| {
            let (env, who) = (&env, who.clone());
            async move {
                env.json(Method::POST, "/api/dossiers/create", Some(&who), Some(body))
                    .await
            }
        };
        let r = create(json!({ "forms": forms, "year": 2023 }), &own).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        assert_eq!(r.body["version"], 1);
        assert_eq!(r.body["status"], "draft");
        let id = r.body["id"].as_i64().unwrap();
        let d = env.get(&format!("/api/dossiers/{id}"), Some(&own)).await;
        assert_eq!(d.body["unit_id"], env.unit_a);
        assert_eq!(d.body["year"], 2023);
        assert_eq!(d.body["forms"], json!(forms), "stored exactly as previewed");
        assert!(d.body["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "empty-indicator"));

        let r = create(json!({ "forms": forms, "year": 2023 }), &own).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(
            r.error().starts_with("该单位该年度的档案已存在"),
            "{}",
            r.error()
        );
        assert!(r.error().contains(&id.to_string()), "{}", r.error());
        assert_eq!(r.body["existing_id"], id);

        let r = create(
            json!({ "forms": forms, "year": 2024, "unit": UNIT_C }),
            &own,
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "a unit user names no unit");
        for year in [1800, 99999, -1] {
            let r = create(json!({ "forms": forms, "year": year }), &own).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{year}");
            assert!(r.error().contains("年度"), "{}", r.error());
        }
        let r = create(json!({ "forms": [], "year": 2024 }), &own).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let mut bad = forms.clone();
        bad[2]["details"][0]["amount"] = json!("12万");
        let r = create(json!({ "forms": bad, "year": 2024 }), &own).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.error().contains("第3张表")
                && r.error().contains("第1条支出明细的金额")
                && r.error().contains("12万"),
            "{}",
            r.error()
        );
        let r = create(json!({ "forms": forms, "year": 2024 }), &rev).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // The admin names the unit; blank forms get the unit and year filled in.
        let admin = env.client(ADMIN).await;
        let r = create(
            json!({ "forms": [blank_project()], "year": 2023, "unit": UNIT_C }),
            &admin,
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let d = env
            .get(&format!("/api/dossiers/{}", r.body["id"]), Some(&admin))
            .await;
        assert_eq!(d.body["unit_id"], env.unit_c);
        assert_eq!(d.body["forms"][0]["unit"], UNIT_C);
        assert_eq!(d.body["forms"][0]["year"], 2023);
        let r = create(
            json!({ "forms": [blank_project()], "year": 2023, "unit": "不存在的单位" }),
            &admin,
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = create(json!({ "forms": [blank_project()], "year": 2023 }), &admin).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "no unit anywhere"
        );
        assert!(env.store.verify_audit().await.unwrap().is_intact());
    }

    /// `POST /api/check` gives exactly the findings a save stores and exact totals; it
    /// writes nothing; a malformed amount is a 422 naming the form and field.
    pub async fn live_check_runs_the_rules_and_totals_exactly(env: Env) {
        let own = env.client(UNIT_OWN).await;
        let p = env
            .upload_to("/api/preview", Some(&own), "seed.docx", &seed_docx())
            .await
            .body;
        let forms = p["forms"].clone();
        let id = env.blank_dossier(env.unit_a, 2023).await;
        let check = |body: Value, who: &Client| {
            let (env, who) = (&env, who.clone());
            async move {
                env.json(Method::POST, "/api/check", Some(&who), Some(body))
                    .await
            }
        };
        let r = check(json!({ "forms": forms }), &own).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let checked = r.body;
        let history = env
            .get(&format!("/api/dossiers/{id}/history"), Some(&own))
            .await;
        assert_eq!(
            history.body["versions"].as_array().unwrap().len(),
            1,
            "nothing written"
        );
        let saved = env.save(&own, id, &forms, json!(1)).await;
        assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);
        // The same rules as a save, plus the sign-off warnings submission will give.
        let signoff = |f: &Value| {
            f["location"]["field"]
                .as_str()
                .is_some_and(|p| p.starts_with("signoff."))
        };
        let mut live = without_file(&checked["findings"]);
        live.retain(|f| !signoff(f));
        assert_eq!(
            live,
            without_file(&saved.body["findings"]),
            "the same rules as a save"
        );
        let r = check(json!({ "forms": [blank_project()] }), &own).await;
        let named = r.body["findings"].as_array().unwrap().iter().any(|f| {
            f["rule"] == "header-missing"
                && f["location"]["field"] == "signoff.preparer"
                && f["severity"] == "warning"
                && f["message"]
                    .as_str()
                    .unwrap()
                    .contains("“项目支出绩效目标表”的签字栏未填写填表人")
        });
        assert!(
            named,
            "the sign-off warning names the table: {}",
            r.body["findings"]
        );

        // Totals are exact decimals (0.1 + 0.2 is 0.3, not 0.30000000000000004).
        let mut project = blank_project();
        project["amount"] = json!("0.3");
        project["details_total"] = json!("0.30");
        project["details"] = json!([
            { "content": "培训", "item": "资料费", "amount": "0.1", "basis": "" },
            { "content": "培训", "item": "场地费", "amount": "0.2", "basis": "" },
            { "content": "培训", "item": "其他", "amount": null, "basis": "" }
        ]);
        project["indicators"] = json!([{ "level1": "产出指标", "level2": "数量指标", "name": "培训人次",
            "value": { "text": "≥200人次", "comparator": null, "number": null, "unit": null },
            "standard": "计划标准" }]);
        let r = check(json!({ "forms": [project.clone()] }), &own).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let t = &r.body["totals"][0];
        assert_eq!(t["details_sum"], "0.3");
        assert_eq!(t["details_total"], "0.3");
        assert_eq!(t["amount"], "0.3");
        assert_eq!(t["details"], 3);
        assert_eq!(t["details_missing"], 1);
        assert_eq!(t["indicators"], 1);
        let r = check(json!({ "forms": [] }), &own).await;
        assert_eq!(
            r.body,
            json!({ "findings": [], "totals": [], "scores": [] })
        );

        for (bad, why) in [
            (json!("12万元"), "12万元"),
            (json!("1,000"), "1,000"),
            (json!(12.5), "文本"),
            (json!("99999999999999"), "过大"),
        ] {
            let mut p = project.clone();
            p["details"][1]["amount"] = bad;
            let r = check(json!({ "forms": [blank_project(), p] }), &own).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{why}");
            let e = r.error();
            assert!(
                e.contains("第2张表") && e.contains("第2条支出明细的金额") && e.contains(why),
                "{e}"
            );
        }
        let mut p = project.clone();
        p["budget_total"] = json!(1);
        let r = check(json!({ "forms": [p] }), &own).await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "unknown fields of a form are ignored as on import"
        );
        let r = check(json!({ "forms": [project.clone()], "extra": 1 }), &own).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let rev = env.client(REVIEWER_UNASSIGNED).await;
        assert_eq!(
            check(json!({ "forms": [project] }), &rev).await.status,
            StatusCode::OK
        );
    }

    /// `POST /api/dossiers/{id}/copy`: a new dossier of the same unit for another year, a
    /// deep copy of the current version with the years replaced and fresh findings.
    pub async fn copy_for_another_year(env: Env) {
        let own = env.client(UNIT_OWN).await;
        let r = env
            .upload(Some(&own), "seed.docx", &seed_docx(), None)
            .await;
        let id = r.body["id"].as_i64().unwrap();
        let src = env
            .get(&format!("/api/dossiers/{id}"), Some(&own))
            .await
            .body;
        let mut forms = src["forms"].clone();
        forms[0]["duties"] = json!("第二版的部门职责");
        let r = env.save(&own, id, &forms, json!(1)).await;
        assert_eq!(r.body["version"], 2, "{:?}", r.body);

        let copy = |from: i64, year: i64, who: &Client| {
            let (env, who) = (&env, who.clone());
            async move {
                env.json(
                    Method::POST,
                    &format!("/api/dossiers/{from}/copy"),
                    Some(&who),
                    Some(json!({ "year": year })),
                )
                .await
            }
        };
        let r = copy(id, 2024, &own).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let new = r.body["id"].as_i64().unwrap();
        assert_ne!(new, id);
        assert_eq!(r.body["version"], 1);
        assert_eq!(r.body["status"], "draft");
        let d = env
            .get(&format!("/api/dossiers/{new}"), Some(&own))
            .await
            .body;
        assert_eq!(d["unit_id"], env.unit_a);
        assert_eq!(d["year"], 2024);
        let copied = d["forms"].as_array().unwrap();
        assert_eq!(copied.len(), 4);
        for f in copied {
            assert_eq!(f["year"], 2024);
            let title = f["title"].as_str().unwrap();
            assert!(
                title.contains("2024年") && !title.contains("2023"),
                "{title}"
            );
        }
        assert_eq!(
            copied[0]["duties"], "第二版的部门职责",
            "the current version"
        );
        assert_eq!(copied[2]["indicators"], forms[2]["indicators"]);
        assert_eq!(copied[2]["details"], forms[2]["details"]);
        assert!(
            d["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["rule"] == "empty-indicator"),
            "findings computed fresh"
        );

        // A copy, not a link: editing it leaves the source alone.
        let mut changed = d["forms"].clone();
        changed[0]["duties"] = json!("2024年的部门职责");
        let r = env.save(&own, new, &changed, json!(1)).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let s = env
            .get(&format!("/api/dossiers/{id}"), Some(&own))
            .await
            .body;
        assert_eq!(s["forms"][0]["duties"], "第二版的部门职责");
        assert_eq!(s["forms"][0]["year"], 2023);
        assert_eq!(s["version"], 2);

        let r = copy(id, 2024, &own).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(r.body["existing_id"], new);
        let r = copy(id, 2023, &own).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "its own year");
        assert_eq!(r.body["existing_id"], id);
        assert_eq!(
            copy(id, 3000, &own).await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let other = env.client(UNIT_OTHER).await;
        assert_eq!(copy(id, 2025, &other).await.status, StatusCode::NOT_FOUND);
        let rev = env.client(REVIEWER_ASSIGNED).await;
        assert_eq!(copy(id, 2025, &rev).await.status, StatusCode::FORBIDDEN);
        let stranger = env.client(REVIEWER_UNASSIGNED).await;
        assert_eq!(
            copy(id, 2025, &stranger).await.status,
            StatusCode::NOT_FOUND
        );
        let admin = env.client(ADMIN).await;
        let r = copy(new, 2025, &admin).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let d = env
            .get(&format!("/api/dossiers/{}", r.body["id"]), Some(&admin))
            .await
            .body;
        assert_eq!(d["unit_id"], env.unit_a);
        assert_eq!(d["forms"][0]["duties"], "2024年的部门职责");

        let log = env.store.audit_log(0, 10_000).await.unwrap();
        assert!(log
            .iter()
            .any(|r| r.action == "dossier.copy" && r.target == format!("dossier:{new}")));
        assert!(env.store.verify_audit().await.unwrap().is_intact());
    }
}
