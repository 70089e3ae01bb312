//! Hardened edges (issue 10 §2), in process on SQLite and PostgreSQL: where a login may
//! come from and go to, login throttling kept in the database, response headers, and the
//! limits of saving a dossier.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::common::*;
use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use jixiao_store::Store;
use jixiao_web::services::{Clock, Config, LoginPolicy};
use jixiao_web::{router, AppState};
use serde_json::json;

fn location(r: &Reply) -> &str {
    r.headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// `POST /login` as the login page's form sends it (from this site unless `origin` says
/// otherwise).
async fn form_login(app: &axum::Router, body: &str, origin: Option<&str>) -> Reply {
    let mut b = request(Method::POST, "/login", None, "127.0.0.1")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(o) = origin {
        b = b.header(header::ORIGIN, o);
    }
    send(app, b.body(Body::from(body.to_string())).unwrap()).await
}

/// `POST /api/login` with a content type, extra headers and a cookie.
async fn api_login(
    app: &axum::Router,
    content_type: &str,
    body: &str,
    headers: &[(header::HeaderName, &str)],
    address: &str,
) -> Reply {
    let mut b = request(Method::POST, "/api/login", None, address)
        .header(header::CONTENT_TYPE, content_type);
    for (k, v) in headers {
        b = b.header(k, *v);
    }
    send(app, b.body(Body::from(body.to_string())).unwrap()).await
}

fn credentials(username: &str, password: &str) -> String {
    json!({ "username": username, "password": password }).to_string()
}

/// Every `Set-Cookie` of a reply, as `name=value`.
fn set_cookies(r: &Reply) -> Vec<String> {
    r.headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .collect()
}

/// A router on the same database with another configuration (a second server process).
fn app_with(env: &Env, config: Config) -> axum::Router {
    router(AppState::with(
        env.store.clone(),
        jixiao_domain::Profile::national(),
        config,
    ))
}

/// Few free failures, then a minute's backoff doubling to two: long enough that a slow
/// machine never sees it run out by itself; the tests move a clock past it instead.
fn quick_policy() -> LoginPolicy {
    LoginPolicy {
        user_free: 3,
        address_free: 6,
        base_delay: Duration::from_secs(60),
        max_delay: Duration::from_secs(120),
        ..LoginPolicy::default()
    }
}

/// A clock at the wall time plus an offset the test moves forward.
fn test_clock() -> (Clock, Arc<AtomicI64>) {
    let offset = Arc::new(AtomicI64::new(0));
    let o = offset.clone();
    let clock = Clock::from_fn(move || {
        let wall = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64;
        wall + o.load(Ordering::SeqCst)
    });
    (clock, offset)
}

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
    login_next_stays_on_this_site,
    login_refuses_other_sites,
    login_backs_off_per_username_across_addresses,
    a_known_device_is_not_locked_out,
    login_backs_off_per_address,
    failed_logins_are_aggregated_in_the_audit_log,
    headers_for_https_and_caching,
    empty_dossiers_are_refused,
    a_large_upload_can_be_saved_again,
    control_characters_from_the_api_are_cleaned,
    behind_a_trusted_proxy_addresses_are_the_clients,
);

mod cases {
    use super::*;

    /// `next` is followed only when it is a path of this site; anything else (a tab or
    /// newline a browser would strip, `//host`, `/\host`, control characters after
    /// percent-decoding) is a plain redirect to `/`, never a 500.
    pub async fn login_next_stays_on_this_site(env: Env) {
        let pw = url_encode(PASSWORD);
        let ok = form_login(
            &env.app,
            &format!("username=unit_own&password={pw}&next=%2Fdossiers%2F5%3Fversion%3D2"),
            Some(ORIGIN),
        )
        .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        assert_eq!(location(&ok), "/dossiers/5?version=2");
        for bad in [
            "%2F%09%2Fevil.example",
            "%2F%0A",
            "%2F%0D%0ASet-Cookie%3A%20x%3D1",
            "%2F%2Fevil.example",
            "%2F%5Cevil.example",
            "%2F%2509%2Fevil.example",
            "%2F%252F%2Fevil.example",
            "https%3A%2F%2Fevil.example",
            "%09%2F%2Fevil.example",
            "%2Fok%00",
        ] {
            let r = form_login(
                &env.app,
                &format!("username=unit_own&password={pw}&next={bad}"),
                Some(ORIGIN),
            )
            .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "next={bad}: {:?}", r.body);
            assert_eq!(location(&r), "/", "next={bad}");
        }
        // The login page does not carry such a `next` either.
        let page = env.get("/login?next=%2F%09%2Fevil.example", None).await;
        let html = page.body.as_str().unwrap_or_default();
        assert!(html.contains(r#"name="next" value="&#x2f;""#), "{html}");
    }

    /// A login must come from this site: the form needs a matching `Origin` (or
    /// `Referer`); `/api/login` takes only JSON, and refuses a foreign `Origin`. A JSON
    /// client without either header (curl, scripts) may log in.
    pub async fn login_refuses_other_sites(env: Env) {
        let pw = url_encode(PASSWORD);
        let body = format!("username=unit_own&password={pw}&next=%2F");
        for (origin, referer) in [
            (Some("https://evil.example"), None),
            (Some("null"), None),
            (Some("http://localhost.evil.example"), None),
            (None, Some("https://evil.example/login")),
            (None, None),
        ] {
            let mut b = request(Method::POST, "/login", None, "127.0.0.1")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            if let Some(o) = origin {
                b = b.header(header::ORIGIN, o);
            }
            if let Some(r) = referer {
                b = b.header(header::REFERER, r);
            }
            let r = send(&env.app, b.body(Body::from(body.clone())).unwrap()).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{origin:?} {referer:?}");
            assert!(set_cookies(&r).is_empty(), "no session for {origin:?}");
            assert!(
                r.body.as_str().unwrap_or_default().contains("登录"),
                "a Chinese page"
            );
        }
        let mut b = request(Method::POST, "/login", None, "127.0.0.1")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::REFERER, format!("{ORIGIN}/login?next=%2F"));
        b = b.header(header::HOST, "localhost");
        let r = send(&env.app, b.body(Body::from(body.clone())).unwrap()).await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "a same-site Referer will do"
        );

        // The API: a cross-site "simple" request (text/plain, no preflight) is refused.
        let creds = credentials(UNIT_OWN, PASSWORD);
        for ct in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "text/plain;charset=UTF-8",
        ] {
            let r = api_login(
                &env.app,
                ct,
                &creds,
                &[(header::ORIGIN, "https://evil.example")],
                "127.0.0.1",
            )
            .await;
            assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{ct}");
            assert!(r.error().contains("JSON"), "{}", r.error());
            assert!(set_cookies(&r).is_empty());
        }
        let r = api_login(
            &env.app,
            "application/json",
            &creds,
            &[(header::ORIGIN, "https://evil.example")],
            "127.0.0.1",
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(set_cookies(&r).is_empty());
        let r = api_login(
            &env.app,
            "application/json; charset=utf-8",
            &creds,
            &[(header::ORIGIN, ORIGIN)],
            "127.0.0.1",
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let r = api_login(&env.app, "application/json", &creds, &[], "127.0.0.1").await;
        assert_eq!(r.status, StatusCode::OK, "a JSON client without Origin");
    }

    /// Failures of one username from many addresses add up: after the free ones every
    /// attempt waits an exponentially growing delay (the right password too), in every
    /// process on the database; unknown usernames are throttled the same way; once the
    /// delay has passed the user may log in again.
    pub async fn login_backs_off_per_username_across_addresses(env: Env) {
        let (clock, offset) = test_clock();
        let config = Config {
            login: quick_policy(),
            clock,
            ..Config::default()
        };
        let app = app_with(&env, config.clone());
        for (i, name) in [UNIT_OWN, "nobody-at-all"].iter().enumerate() {
            for k in 0..3 {
                let r = api_login(
                    &app,
                    "application/json",
                    &credentials(name, "错误的密码"),
                    &[],
                    &format!("10.{i}.0.{k}"),
                )
                .await;
                assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{name} attempt {k}");
            }
            let pw = if i == 0 { PASSWORD } else { "x" };
            let r = api_login(
                &app,
                "application/json",
                &credentials(name, pw),
                &[],
                "10.200.0.1",
            )
            .await;
            assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{name}");
            assert!(r.error().contains("秒后再试"), "{}", r.error());
            assert!(r.headers.contains_key(header::RETRY_AFTER));
            // Another process on the same database agrees.
            let other = app_with(&env, config.clone());
            let r = api_login(
                &other,
                "application/json",
                &credentials(name, pw),
                &[],
                "10.201.0.1",
            )
            .await;
            assert_eq!(
                r.status,
                StatusCode::TOO_MANY_REQUESTS,
                "{name}, 2nd process"
            );
        }
        // Another username is not affected.
        let r = api_login(
            &app,
            "application/json",
            &credentials(ADMIN, PASSWORD),
            &[],
            "10.0.0.1",
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        // A backoff, not a lockout: after the delay (the clock moved past the longest
        // one) the right password works.
        offset.store(121_000, Ordering::SeqCst);
        let r = api_login(
            &app,
            "application/json",
            &credentials(UNIT_OWN, PASSWORD),
            &[],
            "10.200.0.1",
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }

    /// An attacker guessing a username cannot keep its owner out: a browser that has
    /// logged in as that user before (its device cookie) is not held by the username's
    /// backoff, even from the attacker's address (a shared proxy).
    pub async fn a_known_device_is_not_locked_out(env: Env) {
        let app = app_with(
            &env,
            Config {
                login: LoginPolicy {
                    base_delay: Duration::from_secs(600),
                    max_delay: Duration::from_secs(600),
                    ..quick_policy()
                },
                ..Config::default()
            },
        );
        let first = api_login(
            &app,
            "application/json",
            &credentials(UNIT_OWN, PASSWORD),
            &[],
            "10.5.5.5",
        )
        .await;
        assert_eq!(first.status, StatusCode::OK);
        let device = set_cookies(&first)
            .into_iter()
            .find(|c| c.starts_with("jixiao_device="))
            .expect("a device cookie after a successful login");
        for _ in 0..8 {
            api_login(
                &app,
                "application/json",
                &credentials(UNIT_OWN, "猜的密码"),
                &[],
                "10.5.5.5",
            )
            .await;
        }
        let r = api_login(
            &app,
            "application/json",
            &credentials(UNIT_OWN, PASSWORD),
            &[],
            "10.5.5.5",
        )
        .await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "a stranger waits");
        let r = api_login(
            &app,
            "application/json",
            &credentials(UNIT_OWN, PASSWORD),
            &[(header::COOKIE, &device)],
            "10.5.5.5",
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "the owner's browser gets in");
        // The device cookie is bound to its user: it does not exempt another username.
        for _ in 0..4 {
            api_login(
                &app,
                "application/json",
                &credentials(ADMIN, "猜的密码"),
                &[],
                "10.6.6.6",
            )
            .await;
        }
        let r = api_login(
            &app,
            "application/json",
            &credentials(ADMIN, PASSWORD),
            &[(header::COOKIE, &device)],
            "10.6.6.6",
        )
        .await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    }

    /// One address trying many usernames is slowed down too.
    pub async fn login_backs_off_per_address(env: Env) {
        let app = app_with(
            &env,
            Config {
                login: quick_policy(),
                ..Config::default()
            },
        );
        for k in 0..6 {
            let r = api_login(
                &app,
                "application/json",
                &credentials(&format!("spray{k}"), "x"),
                &[],
                "10.7.7.7",
            )
            .await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {k}");
        }
        let r = api_login(
            &app,
            "application/json",
            &credentials(ADMIN, PASSWORD),
            &[],
            "10.7.7.7",
        )
        .await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        let r = api_login(
            &app,
            "application/json",
            &credentials(ADMIN, PASSWORD),
            &[],
            "10.7.7.8",
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "another address is not affected");
    }

    /// Behind a trusted reverse proxy every user arrives from the proxy's address: the
    /// per-address throttle counts the address the proxy reports (`X-Forwarded-For`), and
    /// a client that forges the header without going through the proxy gains nothing.
    pub async fn behind_a_trusted_proxy_addresses_are_the_clients(env: Env) {
        let app = app_with(
            &env,
            Config {
                login: quick_policy(),
                trusted_proxies: vec!["10.9.9.9".parse().unwrap()],
                ..Config::default()
            },
        );
        let via =
            |client: &'static str| [(header::HeaderName::from_static("x-forwarded-for"), client)];
        for k in 0..6 {
            let r = api_login(
                &app,
                "application/json",
                &credentials(&format!("spray{k}"), "x"),
                &via("203.0.113.5"),
                "10.9.9.9",
            )
            .await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {k}");
        }
        // The attacker behind the proxy is held, a colleague behind the same proxy is not.
        let r = api_login(
            &app,
            "application/json",
            &credentials(ADMIN, PASSWORD),
            &via("203.0.113.5"),
            "10.9.9.9",
        )
        .await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        let r = api_login(
            &app,
            "application/json",
            &credentials(ADMIN, PASSWORD),
            &via("203.0.113.6"),
            "10.9.9.9",
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        // Not from the proxy: the header is ignored and the connection's address counts.
        for k in 0..6 {
            let r = api_login(
                &app,
                "application/json",
                &credentials(&format!("forger{k}"), "x"),
                &via(if k % 2 == 0 {
                    "198.51.100.1"
                } else {
                    "198.51.100.2"
                }),
                "10.8.8.8",
            )
            .await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {k}");
        }
        let r = api_login(
            &app,
            "application/json",
            &credentials(ADMIN, PASSWORD),
            &via("198.51.100.3"),
            "10.8.8.8",
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::TOO_MANY_REQUESTS,
            "forged X-Forwarded-For ignored"
        );
    }

    /// Repeated failures of one username from one address are one audit record per
    /// window (the count is kept beside it), so guessing cannot grow the log without
    /// bound; the chain stays intact.
    pub async fn failed_logins_are_aggregated_in_the_audit_log(env: Env) {
        let app = app_with(
            &env,
            Config {
                login: LoginPolicy {
                    user_free: 100,
                    address_free: 100,
                    ..LoginPolicy::default()
                },
                ..Config::default()
            },
        );
        for _ in 0..12 {
            let r = api_login(
                &app,
                "application/json",
                &credentials(UNIT_OWN, "错误"),
                &[],
                "10.3.3.3",
            )
            .await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        }
        api_login(
            &app,
            "application/json",
            &credentials(UNIT_OWN, "错误"),
            &[],
            "10.3.3.4",
        )
        .await;
        let log = env.store.audit_log(0, 10_000).await.unwrap();
        let failed: Vec<_> = log.iter().filter(|r| r.action == "login.failed").collect();
        assert_eq!(failed.len(), 2, "one per username, address and window");
        let counts = env.store.login_failures(UNIT_OWN, 0).await.unwrap();
        let total: i64 = counts.iter().map(|c| c.failures).sum();
        assert_eq!(total, 13);
        assert!(counts
            .iter()
            .any(|c| c.address == "10.3.3.3" && c.failures == 12));
        assert!(env.store.verify_audit().await.unwrap().is_intact());
    }

    /// Served as `https://…`: the cookies are `Secure` and every answer carries HSTS.
    /// Pages, API answers and exports are never cached; static assets may be.
    pub async fn headers_for_https_and_caching(env: Env) {
        let https = app_with(
            &env,
            Config {
                public_url: Some("https://jixiao.example".into()),
                ..Config::default()
            },
        );
        let r = api_login(
            &https,
            "application/json",
            &credentials(UNIT_OWN, PASSWORD),
            &[(header::ORIGIN, "https://jixiao.example")],
            "127.0.0.1",
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        for c in r.headers.get_all(header::SET_COOKIE) {
            assert!(c.to_str().unwrap().contains("; Secure"), "{c:?}");
        }
        let hsts = r.headers[header::STRICT_TRANSPORT_SECURITY]
            .to_str()
            .unwrap();
        assert!(hsts.starts_with("max-age="), "{hsts}");
        // Behind https the origin is the public URL, not the Host header.
        let r = api_login(
            &https,
            "application/json",
            &credentials(UNIT_OWN, PASSWORD),
            &[(header::ORIGIN, ORIGIN)],
            "127.0.0.1",
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        let me = env.client(UNIT_OWN).await;
        let (ct, body) = multipart("seed.docx", &seed_docx(), None);
        let up = env
            .send(
                request(Method::POST, "/api/dossiers", Some(&me), "127.0.0.1")
                    .header(header::CONTENT_TYPE, ct)
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await;
        assert_eq!(up.status, StatusCode::CREATED, "{:?}", up.body);
        let id = up.body["id"].as_i64().unwrap();
        for path in [
            "/api/dossiers".to_string(),
            format!("/api/dossiers/{id}"),
            "/dossiers".to_string(),
            format!("/dossiers/{id}"),
            format!("/dossiers/{id}/export/xlsx"),
            format!("/dossiers/{id}/export/csv"),
            "/login".to_string(),
            "/healthz".to_string(),
        ] {
            let r = send(
                &https,
                request(Method::GET, &path, Some(&me), "127.0.0.1")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
            assert!(r.status.is_success(), "{path}: {}", r.status);
            assert_eq!(r.headers[header::CACHE_CONTROL], "no-store", "{path}");
            assert!(r.headers.contains_key(header::STRICT_TRANSPORT_SECURITY));
        }
        let css = env.get("/static/app.css", None).await;
        assert!(css.headers[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("max-age=31536000"));
        // Plain http (no public URL): no HSTS, no Secure, still no caching.
        let r = env.get("/api/dossiers", Some(&me)).await;
        assert_eq!(r.headers[header::CACHE_CONTROL], "no-store");
        assert!(!r.headers.contains_key(header::STRICT_TRANSPORT_SECURITY));
        let (r, _) = env.login(UNIT_OWN, PASSWORD, "127.0.0.1").await;
        for c in r.headers.get_all(header::SET_COOKIE) {
            assert!(!c.to_str().unwrap().contains("Secure"), "{c:?}");
        }
    }

    /// A save needs at least one form (an emptied dossier is refused in Chinese, not
    /// stored), and so does a submit.
    pub async fn empty_dossiers_are_refused(env: Env) {
        let me = env.client(UNIT_OWN).await;
        let r = env.upload(Some(&me), "seed.docx", &seed_docx(), None).await;
        assert_eq!(r.status, StatusCode::CREATED);
        let id = r.body["id"].as_i64().unwrap();
        let r = env.save(&me, id, &json!([]), json!(1)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
        assert!(r.error().contains("至少"), "{}", r.error());
        assert_eq!(
            env.store.history(id).await.unwrap().len(),
            1,
            "nothing stored"
        );

        // A dossier without forms (as stored before saves needed one).
        let blank = env
            .store
            .create_dossier(env.unit_a, 2031, &[], &[], &system())
            .await
            .unwrap()
            .id;
        let r = env
            .json(
                Method::POST,
                &format!("/api/dossiers/{blank}/submit"),
                Some(&me),
                Some(json!({})),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
        assert!(r.error().contains("没有"), "{}", r.error());
    }

    /// What an upload may create can be saved again: the `PUT` limit and the largest
    /// dossier an upload may make come from one setting. Bigger than that, the upload is
    /// refused with a clear message instead of making a dossier nobody can save.
    pub async fn a_large_upload_can_be_saved_again(env: Env) {
        let me = env.client(UNIT_OWN).await;
        // Under the indicator limit (500 per form) with long texts, over 2 MiB of forms.
        let text = big_project_text(450);
        let r = env
            .upload(Some(&me), "大项目.txt", text.as_bytes(), None)
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.error());
        let id = r.body["id"].as_i64().unwrap();
        let stored = env.get(&format!("/api/dossiers/{id}"), Some(&me)).await;
        let forms = stored.body["forms"].clone();
        let size = serde_json::to_vec(&forms).unwrap().len();
        assert!(size > 2 * 1024 * 1024, "the forms are {size} bytes");
        let r = env.save(&me, id, &forms, json!(1)).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.error());

        let small = app_with(
            &env,
            Config {
                max_dossier_bytes: 1024 * 1024,
                ..Config::default()
            },
        );
        let other = env.client(UNIT_OTHER).await;
        let (ct, body) = multipart("大项目.txt", text.as_bytes(), None);
        let r = send(
            &small,
            request(Method::POST, "/api/dossiers", Some(&other), "127.0.0.1")
                .header(header::CONTENT_TYPE, ct)
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{:?}", r.body);
        assert!(r.error().contains("1 MiB"), "{}", r.error());
    }

    /// Forms sent through the API lose control characters and bidi overrides before they
    /// are stored, so the dossier's .docx and .xlsx stay valid.
    pub async fn control_characters_from_the_api_are_cleaned(env: Env) {
        let me = env.client(UNIT_OWN).await;
        let r = env.upload(Some(&me), "seed.docx", &seed_docx(), None).await;
        let id = r.body["id"].as_i64().unwrap();
        let mut forms = env
            .get(&format!("/api/dossiers/{id}"), Some(&me))
            .await
            .body["forms"]
            .clone();
        forms[0]["indicators"][0]["name"] = json!("搭建\u{1}交流\u{202e}平台（新）\u{fffe}");
        let r = env.save(&me, id, &forms, json!(1)).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let stored = env.store.get_version(id, 2).await.unwrap();
        assert_eq!(stored.forms[0].indicators()[0].name, "搭建交流平台（新）");
        for format in ["docx", "xlsx"] {
            let req = request(
                Method::GET,
                &format!("/dossiers/{id}/export/{format}"),
                Some(&me),
                "127.0.0.1",
            )
            .body(Body::empty())
            .unwrap();
            let res = tower::ServiceExt::oneshot(env.app.clone(), req)
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
                .await
                .unwrap();
            let back = jixiao_files::import::import_bytes(
                &format!("x.{format}"),
                &bytes,
                &jixiao_domain::Profile::national(),
                &jixiao_files::limits::Limits::default(),
            );
            assert!(back.error.is_none(), "{format}: {:?}", back.error);
            let text = serde_json::to_string(&back.forms).unwrap();
            assert!(
                text.contains("搭建交流平台") && !text.contains('\u{1}'),
                "{format}"
            );
        }
    }
}

/// The seed filing with `rows` more indicator rows (long names) in its first project.
fn big_project_text(rows: usize) -> String {
    let seed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/seed-2023-shifeng-tongzhanbu.txt"
    ))
    .unwrap();
    let anchor = "\t\n\t产出指标\n\t数量指标\n\t搭建交流平台\n\t2个\n\t计划标准\n\n";
    assert_eq!(seed.matches(anchor).count(), 1);
    let mut more = String::new();
    let detail =
        "涵盖需求分析、系统设计、开发测试、部署上线与培训运维等全部环节的细化考核指标说明；"
            .repeat(40);
    for i in 0..rows {
        more.push_str(&format!(
            "\t\n\t\n\t\n\t第{i}项建设内容完成情况，{detail}\n\t≥{i}个\n\t计划标准\n\n"
        ));
    }
    seed.replacen(anchor, &format!("{anchor}{more}"), 1)
}
