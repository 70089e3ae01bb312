//! jixiao's JSON API (axum): login with server-side sessions, dossiers with versions and
//! findings, and the review workflow. Access rules live in [`services`]; handlers only
//! translate HTTP. The HTML UI will sit on the same services.
//!
//! `jixiao serve` calls [`serve`]; tests drive [`router`] in process.

pub mod api;
pub mod auth;
pub mod error;
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
use jixiao_store::{AnyStore, Store};

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

    pub fn ui(&self) -> &ui::Ui {
        &self.ui
    }
}

/// Every route of the API. Bodies are capped at `json_limit`, uploads at
/// `upload_limit()` (413 beyond).
pub fn router(state: AppState) -> Router {
    let cfg = state.services().config().clone();
    let dossiers = Router::new()
        .route(
            "/api/dossiers",
            get(api::list)
                .post(api::upload)
                .layer(DefaultBodyLimit::max(cfg.upload_limit())),
        )
        .route("/api/dossiers/{id}", get(api::get_dossier).put(api::save))
        .route("/api/dossiers/{id}/submit", post(api::submit))
        .route("/api/dossiers/{id}/return", post(api::return_dossier))
        .route("/api/dossiers/{id}/approve", post(api::approve))
        .route("/api/dossiers/{id}/comments", post(api::comment))
        .route("/api/dossiers/{id}/history", get(api::history))
        .route("/api/dossiers/create", post(api::create))
        .route("/api/dossiers/{id}/copy", post(api::copy))
        .route("/api/check", post(api::check))
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
        .merge(ui::routes())
        .fallback(api::not_found)
        .method_not_allowed_fallback(api::method_not_allowed)
        .layer(DefaultBodyLimit::max(cfg.json_limit))
        .layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
}

/// What every response tells the browser: no framing (clickjacking), no MIME sniffing, no
/// referrer to other sites, and for pages a content security policy that allows only this
/// site's own scripts (the pages have no inline script; the forms' column widths are
/// inline styles).
async fn security_headers(req: Request, next: Next) -> Response {
    use axum::http::{header, HeaderValue};
    let mut res = next.run(req).await;
    let h = res.headers_mut();
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
}

/// Serves the API of `state` on `bind` until `shutdown` resolves, then finishes the
/// requests in flight (graceful shutdown) and closes the store.
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

/// [`serve`] on a listener the caller bound (port 0 in tests and benchmarks).
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let store = state.services().store().clone();
    tracing::info!(
        addr = %listener.local_addr()?,
        database = store.backend(),
        workers = state.services().gate().size(),
        pdf_workers = state.services().config().pdf.workers,
        "jixiao API listening"
    );
    let purge = tokio::spawn(purge_sessions(store.clone()));
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    purge.abort();
    store.close().await;
    tracing::info!("jixiao API stopped");
    Ok(result?)
}

/// Expired sessions are refused anyway; this only keeps the table small.
async fn purge_sessions(store: AnyStore) {
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        if let Err(e) = store.purge_expired_sessions().await {
            tracing::warn!(cause = %e.detail(), "purging expired sessions failed");
        }
    }
}
