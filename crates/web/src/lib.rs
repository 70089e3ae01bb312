//! jixiao's JSON API (axum): login with server-side sessions, dossiers with versions and
//! findings, and the review workflow. Access rules live in [`services`]; handlers only
//! translate HTTP. The HTML UI will sit on the same services.
//!
//! `jixiao serve` calls [`serve`]; tests drive [`router`] in process.

pub mod api;
pub mod auth;
pub mod error;
pub mod login;
pub mod openapi;
pub mod services;
pub mod ui;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{DefaultBodyLimit, Request};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use jixiao_domain::Profile;
use jixiao_store::{AnyStore, LeaseKind, Store, StoreError};

pub use error::{ApiError, ApiResult};
pub use services::{Config, ConfigFile, ListParams, Services, User};

/// Shared by every request: the services (store, profile, configuration).
#[derive(Clone)]
pub struct AppState {
    services: Arc<Services>,
    ui: ui::SharedUi,
}

impl AppState {
    /// The national profile and default limits.
    pub fn new(store: AnyStore) -> AppState {
        AppState::with(store, Profile::national(), Config::default())
    }

    pub fn with(store: AnyStore, profile: Profile, config: Config) -> AppState {
        AppState {
            services: Arc::new(Services::new(store, profile, config)),
            ui: Arc::new(ui::Ui::new()),
        }
    }

    pub fn services(&self) -> &Services {
        &self.services
    }

    /// The services to hand to background work that outlives the request.
    pub fn shared(&self) -> Arc<Services> {
        self.services.clone()
    }

    pub fn ui(&self) -> &ui::Ui {
        &self.ui
    }
}

/// Every route of the API. JSON bodies are capped at `Config::json_limit` (derived from
/// the largest dossier), uploads at `upload_limit` (413 beyond).
pub fn router(state: AppState) -> Router {
    let cfg = state.services().config().clone();
    let dossiers = Router::new()
        .route(
            "/api/dossiers",
            get(api::list)
                .post(api::upload)
                .layer(DefaultBodyLimit::max(cfg.upload_limit())),
        )
        .route(
            "/api/dossiers/{id}",
            get(api::get_dossier)
                .put(api::save)
                .delete(api::delete_dossier),
        )
        .route(
            "/api/dossiers/{id}/reimport",
            post(api::reimport).layer(DefaultBodyLimit::max(cfg.upload_limit())),
        )
        .route("/api/dossiers/{id}/submit", post(api::submit))
        .route("/api/dossiers/{id}/withdraw", post(api::withdraw))
        .route("/api/dossiers/{id}/return", post(api::return_dossier))
        .route("/api/dossiers/{id}/approve", post(api::approve))
        .route("/api/dossiers/{id}/comments", post(api::comment))
        .route(
            "/api/dossiers/{id}/comments/{cid}/resolve",
            post(api::resolve_comment),
        )
        .route("/api/dossiers/{id}/history", get(api::history))
        .route("/api/dossiers/create", post(api::create))
        .route("/api/dossiers/{id}/copy", post(api::copy))
        .route(
            "/api/dossiers/{id}/reports",
            get(api::reports::list).post(api::reports::create),
        )
        .route(
            "/api/reports/{id}",
            get(api::reports::get).put(api::reports::save),
        )
        .route("/api/reports/{id}/submit", post(api::reports::submit))
        .route(
            "/api/reports/{id}/return",
            post(api::reports::return_report),
        )
        .route("/api/reports/{id}/approve", post(api::reports::approve))
        .route("/api/rounds", post(api::reports::open_round))
        .route("/api/monitoring", get(api::reports::board))
        .route("/api/self-evaluations", get(api::reports::evaluations))
        .route("/api/check", post(api::check))
        .route("/api/exports", post(api::start_export))
        .route(
            "/api/publications",
            post(api::publish).delete(api::unpublish),
        )
        .route("/api/library", get(api::library::list))
        .route("/api/library/suggest", get(api::library::suggest))
        .route("/api/library/similar", get(api::library::similar))
        .route("/api/library/edits", post(api::library::edit))
        .route("/api/jobs/{id}", get(api::job))
        .route("/api/todo", get(api::todo))
        .route("/api/todo/read", post(api::todo_read))
        .route("/api/progress", get(api::progress))
        .route("/api/stats", get(api::stats))
        .route("/api/progress/remind", post(api::remind))
        .route(
            "/api/progress/deadline",
            axum::routing::put(api::set_deadline),
        )
        .route(
            "/api/preview",
            post(api::preview).layer(DefaultBodyLimit::max(cfg.upload_limit())),
        );
    Router::new()
        .route("/healthz", get(api::healthz))
        .route("/api/openapi.json", get(api::openapi))
        .route("/api/login", post(api::login))
        .route("/api/logout", post(api::logout))
        .merge(dossiers)
        .merge(ui::routes(cfg.upload_limit()))
        .fallback(api::not_found)
        .method_not_allowed_fallback(api::method_not_allowed)
        .layer(DefaultBodyLimit::max(cfg.json_limit()))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security_headers,
        ))
        .layer(middleware::from_fn(log_request))
        .layer(middleware::from_fn_with_state(state.clone(), forwarded_for))
        .with_state(state)
}

/// Behind a trusted reverse proxy (`[server] trusted_proxies`), the client's own address
/// from `X-Forwarded-For`, for login throttling, the audit log and the request log.
async fn forwarded_for(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let trusted = &state.services().config().trusted_proxies;
    if !trusted.is_empty() {
        let peer = req
            .extensions()
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip());
        let header = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        if let Some(a) = peer.and_then(|p| auth::resolve_forwarded(p, header, trusted)) {
            req.extensions_mut().insert(auth::Forwarded(a));
        }
    }
    next.run(req).await
}

/// What every response tells the browser: no framing (clickjacking), no MIME sniffing, no
/// referrer to other sites, nothing stored in caches (pages, API answers and exports hold
/// a unit's data; only the static files set their own caching), HSTS when served over
/// HTTPS, and for pages a content security policy that allows only this site's own
/// scripts (the pages have no inline script; the forms' column widths are inline styles).
async fn security_headers(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    use axum::http::{header, HeaderValue};
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if state.services().config().secure() {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    let html = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if html {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                 img-src 'self' data:; connect-src 'self'; form-action 'self'; \
                 frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
            ),
        );
    }
    res
}

/// One structured log line per request (no query strings: they may carry names).
async fn log_request(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let started = Instant::now();
    let res = next.run(req).await;
    let status = res.status().as_u16();
    let ms = started.elapsed().as_millis() as u64;
    if status >= 500 {
        tracing::error!(%method, %path, status, ms, "request");
    } else {
        tracing::info!(%method, %path, status, ms, "request");
    }
    res
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("无法监听地址 {addr}：{source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("服务运行出错：{0}")]
    Io(#[from] std::io::Error),
    /// The database refused (a restore holds it, or it does not answer).
    #[error("{0}")]
    Database(String),
}

/// A server's lease on the database lasts this long unless renewed, and is renewed this
/// often: `jixiao restore` refuses while it is live, so a killed server blocks a restore
/// for at most a minute.
const LEASE_TTL: Duration = Duration::from_secs(60);
const LEASE_RENEW: Duration = Duration::from_secs(15);

/// Serves the API on `bind` until `shutdown` resolves, then finishes the requests in
/// flight (graceful shutdown) and closes the store.
pub async fn serve(
    state: AppState,
    bind: SocketAddr,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|source| ServeError::Bind { addr: bind, source })?;
    serve_on(listener, state, shutdown).await
}

/// What 统计汇总 counts of each dossier, for the dossiers not counted yet (all of them once
/// after the upgrade that added it), in the background at start.
async fn count_statistics(store: AnyStore) {
    let started = Instant::now();
    match store.refresh_statistics().await {
        Ok(0) => {}
        Ok(n) => tracing::info!(
            dossiers = n,
            ms = started.elapsed().as_millis() as u64,
            "statistics counted"
        ),
        Err(e) => tracing::warn!(cause = %e.detail(), "counting statistics failed"),
    }
}

/// [`serve`] on a listener the caller bound (port 0 in tests and benchmarks).
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let store = state.services().store().clone();
    let addr = listener.local_addr()?;
    let holder = format!("jixiao serve，进程 {}，地址 {addr}", std::process::id());
    let lease = store
        .take_lease(LeaseKind::Serve, &holder, LEASE_TTL)
        .await
        .map_err(|e| ServeError::Database(e.to_string()))?;
    tracing::info!(
        addr = %addr,
        database = store.backend(),
        workers = state.services().gate().size(),
        pdf_workers = state.services().config().pdf.workers,
        "jixiao API listening"
    );
    let purge = tokio::spawn(purge_sessions(store.clone()));
    let renew = tokio::spawn(keep_lease(store.clone(), lease.id.clone(), holder));
    let counted = tokio::spawn(count_statistics(store.clone()));
    // The indicator library is read before it is first asked for.
    let warm = {
        let state = state.clone();
        tokio::spawn(async move {
            if let Err(e) = state.services().warm_library().await {
                tracing::warn!(error = ?e, "the indicator library could not be read");
            }
        })
    };
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    purge.abort();
    renew.abort();
    counted.abort();
    warm.abort();
    if let Err(e) = store.release_lease(&lease.id).await {
        tracing::warn!(cause = %e.detail(), "releasing the database lease failed");
    }
    store.close().await;
    tracing::info!("jixiao API stopped");
    Ok(result?)
}

/// Renews the server's lease; takes a new one if it was lost (it expired while the
/// database did not answer).
async fn keep_lease(store: AnyStore, mut id: String, holder: String) {
    let mut tick = tokio::time::interval(LEASE_RENEW);
    tick.tick().await;
    loop {
        tick.tick().await;
        match store.renew_lease(&id, LEASE_TTL).await {
            Ok(()) => {}
            Err(StoreError::NotFound) => {
                match store.take_lease(LeaseKind::Serve, &holder, LEASE_TTL).await {
                    Ok(lease) => id = lease.id,
                    Err(e) => tracing::error!(cause = %e.detail(), "the database lease is lost"),
                }
            }
            Err(e) => tracing::warn!(cause = %e.detail(), "renewing the database lease failed"),
        }
    }
}

/// How long the counts of failed logins are kept (throttling looks back an hour at most).
const LOGIN_RECORDS_KEPT: Duration = Duration::from_secs(30 * 24 * 3600);

/// Expired sessions and devices and old failed-login counts are ignored anyway; this only
/// keeps the tables small.
async fn purge_sessions(store: AnyStore) {
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        if let Err(e) = store.purge_expired_sessions().await {
            tracing::warn!(cause = %e.detail(), "purging expired sessions failed");
        }
        let before = services::now_ms() - LOGIN_RECORDS_KEPT.as_millis() as i64;
        if let Err(e) = store.purge_login_records(before).await {
            tracing::warn!(cause = %e.detail(), "purging login records failed");
        }
    }
}
