//! The Chinese web application, rendered on the server with minijinja. Pages call the
//! same [`crate::services::Services`] as the JSON API, so the access rules are the same;
//! the little JavaScript on the pages talks to the JSON API (with the CSRF header).
//!
//! Templates and static files are compiled into the binary, so a release is one file.

mod admin;
mod diff;
mod editor;
mod library;
pub(crate) mod pages;
mod public;
mod reports;
mod stats;
mod view;

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::value::Serde;
use minijinja::{Environment, Value};
use serde::Serialize;

use crate::auth::{client_address, session_token};
use crate::error::ApiError;
use crate::services::User;
use crate::AppState;

/// The compiled templates.
pub struct Ui {
    env: Environment<'static>,
    /// 预算公开: public dossier pages as rendered, per dossier, while their publication
    /// stands (ui::public).
    pub(crate) public_pages: public::PageCache,
}

/// (name, source) of every template.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("login.html", include_str!("../../templates/login.html")),
    ("home.html", include_str!("../../templates/home.html")),
    ("dossier.html", include_str!("../../templates/dossier.html")),
    ("diff.html", include_str!("../../templates/diff.html")),
    ("changes.html", include_str!("../../templates/changes.html")),
    (
        "reimport.html",
        include_str!("../../templates/reimport.html"),
    ),
    ("stats.html", include_str!("../../templates/stats.html")),
    (
        "monitoring.html",
        include_str!("../../templates/monitoring.html"),
    ),
    (
        "evaluations.html",
        include_str!("../../templates/evaluations.html"),
    ),
    ("public.html", include_str!("../../templates/public.html")),
    (
        "public_dossier.html",
        include_str!("../../templates/public_dossier.html"),
    ),
    ("error.html", include_str!("../../templates/error.html")),
    ("editor.html", include_str!("../../templates/editor.html")),
    ("new.html", include_str!("../../templates/new.html")),
    ("admin.html", include_str!("../../templates/admin.html")),
    ("library.html", include_str!("../../templates/library.html")),
    ("todo.html", include_str!("../../templates/todo.html")),
    (
        "progress.html",
        include_str!("../../templates/progress.html"),
    ),
];

/// Static files: (path under /static/, content type, body).
const STATIC: &[(&str, &str, &str)] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_str!("../../static/app.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/app.js"),
    ),
    (
        "editor.css",
        "text/css; charset=utf-8",
        include_str!("../../static/editor.css"),
    ),
    (
        "print.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/print.js"),
    ),
];

/// The editor's ES modules, served under `/static/m/{asset version}/` so that their relative
/// imports are new URLs with every release (they are cached as immutable).
const MODULES: &[(&str, &str)] = &[
    (
        "editor-main.js",
        include_str!("../../static/editor-main.js"),
    ),
    (
        "editor-util.js",
        include_str!("../../static/editor-util.js"),
    ),
    (
        "editor-model.js",
        include_str!("../../static/editor-model.js"),
    ),
    (
        "editor-edit.js",
        include_str!("../../static/editor-edit.js"),
    ),
    ("editor-new.js", include_str!("../../static/editor-new.js")),
    (
        "editor-report.js",
        include_str!("../../static/editor-report.js"),
    ),
    (
        "editor-library.js",
        include_str!("../../static/editor-library.js"),
    ),
];

impl Ui {
    pub fn new() -> Ui {
        let mut env = Environment::new();
        for (name, source) in TEMPLATES {
            if let Err(e) = env.add_template(name, source) {
                // A broken template is a build defect; the UI test renders every page.
                tracing::error!(template = name, error = %e, "template does not compile");
            }
        }
        env.add_filter("datetime", view::datetime);
        env.add_global("asset_version", asset_version());
        Ui {
            env,
            public_pages: public::PageCache::default(),
        }
    }

    /// Renders a page; a template error is logged and shown as a plain Chinese 500 page.
    pub fn render(&self, name: &str, ctx: impl Serialize) -> Response {
        let rendered = self
            .env
            .get_template(name)
            .and_then(|t| t.render(Value::from(Serde(ctx))));
        match rendered {
            Ok(html) => Html(html).into_response(),
            Err(e) => {
                tracing::error!(template = name, error = %e, "template failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Html("<!doctype html><meta charset=utf-8><title>出错了</title><p>页面生成失败，请稍后重试或联系管理员。</p>"),
                )
                    .into_response()
            }
        }
    }

    /// An error page for a signed-in user (status from the error, message safe to show).
    pub fn error_page(&self, viewer: Option<&Viewer>, e: ApiError) -> Response {
        let status = e.status();
        if let ApiError::Internal(cause) = &e {
            tracing::error!(%cause, "internal error");
        }
        let mut res = self.render(
            "error.html",
            serde_json::json!({
                "me": viewer.map(Viewer::me),
                "status": status.as_u16(),
                "message": e.to_string(),
            }),
        );
        *res.status_mut() = status;
        e.add_headers(&mut res);
        res
    }
}

impl Default for Ui {
    fn default() -> Self {
        Ui::new()
    }
}

/// Changes whenever a static file changes, so browsers may cache them for a year.
pub(crate) fn asset_version() -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for (_, _, body) in STATIC {
        body.hash(&mut h);
    }
    for (_, body) in MODULES {
        body.hash(&mut h);
    }
    format!("{:x}", h.finish() & 0xffff_ffff)
}

/// A signed-in user looking at pages. Without a valid session, pages redirect to the
/// login page and come back afterwards.
pub struct Viewer {
    pub user: User,
    pub csrf: String,
    pub token: String,
}

/// What every page's header shows about the user.
#[derive(Serialize)]
pub struct Me {
    id: i64,
    username: String,
    /// The display name (the username when there is none).
    name: String,
    role: &'static str,
    role_label: &'static str,
    csrf: String,
}

impl Viewer {
    pub fn me(&self) -> Me {
        Me {
            id: self.user.account.id,
            username: self.user.account.username.clone(),
            name: self.user.account.shown_name().to_string(),
            role: self.user.account.role.code(),
            role_label: self.user.account.role.label(),
            csrf: self.csrf.clone(),
        }
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let to_login = || {
            let next = parts
                .uri
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_else(|| "/".into());
            Redirect::to(&format!("/login?next={}", pages::encode(&next))).into_response()
        };
        let Some(token) = session_token(parts) else {
            return Err(to_login());
        };
        match state
            .services()
            .authenticate(&token, client_address(parts))
            .await
        {
            Ok((user, session)) => Ok(Viewer {
                user,
                csrf: session.csrf_token,
                token,
            }),
            Err(ApiError::Unauthorized(_)) => Err(to_login()),
            Err(e) => Err(state.ui().error_page(None, e)),
        }
    }
}

/// A dossier id from the page path; anything that is not a number is "档案不存在", as in
/// the API.
pub struct PageId(pub i64);

impl FromRequestParts<AppState> for PageId {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let params =
            axum::extract::Path::<std::collections::HashMap<String, String>>::from_request_parts(
                parts, state,
            )
            .await
            .ok();
        match params.and_then(|p| p.get("id").and_then(|id| id.parse().ok())) {
            Some(id) => Ok(PageId(id)),
            None => Err(state.ui().error_page(None, ApiError::no_dossier())),
        }
    }
}

/// A script or style sheet as served: its whole-line comments left out (they document the
/// source; the pages need not download them). No script here has a multi-line string, so
/// a line that starts with `//` is always a comment.
fn lean(name: &str, body: &str) -> String {
    let comment = |t: &str| {
        if name.ends_with(".js") {
            t.starts_with("//")
        } else {
            t.len() >= 4
                && t.starts_with("/*")
                && t.ends_with("*/")
                && !t[2..t.len() - 2].contains("*/")
        }
    };
    let mut out = String::with_capacity(body.len());
    for line in body.lines().filter(|l| !comment(l.trim_start())) {
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Every static file and module as served (name, content type, body), made once.
fn served() -> &'static [(&'static str, &'static str, String)] {
    static SERVED: std::sync::OnceLock<Vec<(&'static str, &'static str, String)>> =
        std::sync::OnceLock::new();
    SERVED.get_or_init(|| {
        let modules = MODULES
            .iter()
            .map(|(n, b)| (*n, "text/javascript; charset=utf-8", *b));
        STATIC
            .iter()
            .copied()
            .chain(modules)
            .map(|(n, t, b)| (n, t, lean(n, b)))
            .collect()
    })
}

fn served_file(name: &str, module: bool) -> Option<(&'static str, &'static str)> {
    let in_modules = MODULES.iter().any(|(n, _)| *n == name);
    (in_modules == module)
        .then(|| served().iter().find(|(n, _, _)| *n == name))
        .flatten()
        .map(|(_, t, b)| (*t, b.as_str()))
}

async fn static_file(axum::extract::Path(name): axum::extract::Path<String>) -> Response {
    serve_static(served_file(&name, false))
}

/// `GET /static/m/{version}/{name}`: an editor module (any version: the path only makes the
/// URL new when the files change).
async fn module_file(
    axum::extract::Path((_version, name)): axum::extract::Path<(String, String)>,
) -> Response {
    serve_static(served_file(&name, true))
}

fn serve_static(file: Option<(&'static str, &'static str)>) -> Response {
    match file {
        Some((ctype, body)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(ctype)),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=31536000, immutable"),
                ),
            ],
            body,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "未找到").into_response(),
    }
}

/// Bytes of JavaScript and CSS the heaviest page loads (for the benchmark), as served:
/// the editor, which loads every static file but the print view's and every module but
/// the new-dossier page's (imported only there).
pub fn asset_bytes() -> usize {
    served()
        .iter()
        .filter(|(name, _, _)| !matches!(*name, "print.js" | "editor-new.js"))
        .map(|(_, _, b)| b.len())
        .sum()
}

/// The page routes; an upload (导入修改后的文件) may be `upload_limit` bytes.
pub fn routes(upload_limit: usize) -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/dossiers") }))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/dossiers", get(pages::home))
        .route("/todo", get(pages::todo))
        .route("/progress", get(pages::progress))
        .route("/stats", get(stats::page))
        .route("/monitoring", get(reports::board))
        .route("/self-evaluations", get(reports::evaluations))
        .route("/public", get(public::list))
        .route("/public/sitemap.xml", get(public::sitemap))
        .route("/public/dossiers/{id}", get(public::dossier))
        .route("/public/dossiers/{id}/export/{format}", get(public::export))
        .route("/public/data/{year}/{file}", get(public::data))
        .route("/stats/export/{table}", get(stats::export))
        .route("/dossiers/{id}", get(pages::dossier))
        .route("/dossiers/new", get(editor::new_page))
        .route("/dossiers/{id}/edit", get(editor::edit_page))
        .route("/dossiers/{id}/diff", get(pages::diff))
        .route(
            "/dossiers/{id}/reimport",
            post(pages::reimport).layer(axum::extract::DefaultBodyLimit::max(upload_limit)),
        )
        .route("/dossiers/{id}/print", get(pages::print))
        .route("/dossiers/{id}/export/{format}", get(pages::export))
        .route("/dossiers/{id}/review-letter", get(pages::review_letter))
        .route("/admin", get(admin::page))
        .route("/library", get(library::page))
        .route("/library/edit", post(library::edit))
        .route("/library/export.xlsx", get(library::export))
        .route("/admin/units", post(admin::create_unit))
        .route("/admin/users", post(admin::create_user))
        .route("/admin/users/{id}/disable", post(admin::disable_user))
        .route("/admin/users/{id}/enable", post(admin::enable_user))
        .route("/admin/users/{id}/password", post(admin::reset_password))
        .route("/admin/users/{id}/rename", post(admin::rename_user))
        .route("/admin/assignments", post(admin::assign))
        .route("/admin/assignments/remove", post(admin::unassign))
        .route("/admin/dossiers/{id}/restore", post(admin::restore_dossier))
        .route("/static/{name}", get(static_file))
        .route("/static/m/{version}/{name}", get(module_file))
}

/// Keeps `Arc<Ui>` cheap to share with handlers.
pub type SharedUi = Arc<Ui>;

#[cfg(test)]
mod tests {
    use super::*;

    /// A template that does not compile would only be logged at start-up; fail here.
    #[test]
    fn every_template_compiles() {
        let mut env = Environment::new();
        for (name, source) in TEMPLATES {
            env.add_template(name, source)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        for (name, _) in TEMPLATES {
            assert!(env.get_template(name).is_ok(), "{name}");
        }
    }

    /// The budget of issue 5 for the heaviest page (the editor).
    #[test]
    fn all_scripts_and_styles_stay_under_100_kb() {
        assert!(asset_bytes() < 100 * 1024, "{} bytes", asset_bytes());
    }

    /// Serving leaves out whole-line comments and nothing else.
    #[test]
    fn served_files_keep_every_line_of_code() {
        let js =
            "// a comment\nconst a = 1; // kept\n  // indented comment\nconst u = \"http://x\";\n";
        assert_eq!(
            lean("x.js", js),
            "const a = 1; // kept\nconst u = \"http://x\";\n"
        );
        let css = "/* a */\n.a { color: red; } /* kept */\n/* a */ .b {} /* c */\n";
        assert_eq!(
            lean("x.css", css),
            ".a { color: red; } /* kept */\n/* a */ .b {} /* c */\n"
        );
        for (name, _, body) in served() {
            let source = STATIC
                .iter()
                .map(|(n, _, b)| (*n, *b))
                .chain(MODULES.iter().copied())
                .find(|(n, _)| n == name)
                .unwrap()
                .1;
            let code = |s: &str| {
                s.lines()
                    .filter(|l| {
                        !l.trim_start().starts_with("//") && !l.trim_start().starts_with("/*")
                    })
                    .count()
            };
            assert_eq!(code(body), code(source), "{name}");
            assert!(body.len() <= source.len());
        }
    }
}
