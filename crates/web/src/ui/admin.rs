//! The admin page (`/admin`, 账号管理): units, users and reviewer assignments, and the
//! forms that change them. Plain HTML forms with the session's CSRF token in a hidden field
//! (as the logout form), answered with a redirect back to the page and a fixed notice; the
//! services decide who may do what (admins only) and the store audits every change.

use std::future::Future;

use axum::extract::{Form as HtmlForm, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jixiao_store::Role;
use serde::Deserialize;
use serde_json::json;

use super::Viewer;
use crate::error::{ApiError, ApiResult};
use crate::services::{same_token, NewAccount};
use crate::AppState;

/// The notices a redirect may ask for (`/admin?done=…`): only these texts are shown.
const NOTICES: &[(&str, &str)] = &[
    ("unit-created", "已新增单位。"),
    ("user-created", "已新增用户。"),
    ("user-renamed", "已修改显示名称。"),
    ("password-reset", "已重设密码，该用户的全部登录已退出。"),
    ("user-disabled", "已停用账号，该用户的全部登录已退出。"),
    ("user-enabled", "已启用账号。"),
    ("assigned", "已指定审核分工。"),
    ("unassigned", "已取消审核分工。"),
    ("restored", "已恢复档案，它回到了该单位的档案列表。"),
];

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

/// The page, with a notice or an error (and that error's status).
async fn render(
    state: &AppState,
    viewer: &Viewer,
    notice: Option<&str>,
    error: Option<ApiError>,
) -> Response {
    let overview = match state.services().admin_overview(&viewer.user).await {
        Ok(o) => o,
        Err(e) => return state.ui().error_page(Some(viewer), e),
    };
    let reviewers: Vec<_> = overview
        .users
        .iter()
        .filter(|u| u.role == Role::Reviewer.code())
        .collect();
    form_page(
        state,
        "admin.html",
        json!({
            "me": viewer.me(),
            "units": overview.units,
            "users": overview.users,
            "assignments": overview.assignments,
            "deleted": overview.deleted,
            "reviewers": reviewers,
            "roles": Role::ALL.iter().map(|r| json!({"code": r.code(), "label": r.label()})).collect::<Vec<_>>(),
        }),
        notice,
        error,
    )
}

/// An admin page with its fixed notice or the error of the action just tried (and that
/// error's status; an internal cause is logged, never shown).
pub(super) fn form_page(
    state: &AppState,
    template: &str,
    mut ctx: serde_json::Value,
    notice: Option<&str>,
    error: Option<ApiError>,
) -> Response {
    let status = error.as_ref().map_or(StatusCode::OK, ApiError::status);
    if let Some(ApiError::Internal(cause)) = &error {
        tracing::error!(%cause, template, "admin action failed");
    }
    ctx["notice"] = json!(notice);
    ctx["error"] = json!(error.map(|e| e.to_string()));
    let mut res = state.ui().render(template, ctx);
    *res.status_mut() = status;
    res
}

/// The fixed text a redirect's `?done=` code asks for, if it is one of `notices`.
pub(super) fn notice_of(
    notices: &[(&str, &'static str)],
    done: Option<&str>,
) -> Option<&'static str> {
    notices
        .iter()
        .find(|(code, _)| Some(*code) == done)
        .map(|(_, text)| *text)
}

pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    query: Result<Query<DoneQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let done = query.ok().and_then(|Query(q)| q.done);
    render(&state, &viewer, notice_of(NOTICES, done.as_deref()), None).await
}

/// Checks the form's CSRF token, runs the action, then back to the page (303) or the
/// page with the error.
async fn act<T, Fut>(
    state: &AppState,
    viewer: &Viewer,
    csrf: &str,
    done: &str,
    action: impl FnOnce() -> Fut,
) -> Response
where
    Fut: Future<Output = ApiResult<T>>,
{
    if !same_token(csrf, &viewer.csrf) {
        return state.ui().error_page(
            Some(viewer),
            ApiError::forbidden("页面已过期，请刷新后重试"),
        );
    }
    // Refused before any field is read, so nothing about the request leaks to others.
    if let Err(e) = crate::services::Services::admin_only(&viewer.user) {
        return state.ui().error_page(Some(viewer), e);
    }
    match action().await {
        Ok(_) => Redirect::to(&format!("/admin?done={done}")).into_response(),
        Err(e @ ApiError::Forbidden(_)) => state.ui().error_page(Some(viewer), e),
        Err(e) => render(state, viewer, None, Some(e)).await,
    }
}

/// An id from a form field or the path; anything else is the given error.
fn id(s: &str, missing: &str) -> ApiResult<i64> {
    s.trim()
        .parse()
        .map_err(|_| ApiError::unprocessable(missing.to_string()))
}

/// An optional id: empty is none.
fn opt_id(s: &Option<String>, missing: &str) -> ApiResult<Option<i64>> {
    match s.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => id(v, missing).map(Some),
    }
}

#[derive(Deserialize)]
pub struct UnitForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    parent: Option<String>,
}

pub async fn create_unit(
    State(state): State<AppState>,
    viewer: Viewer,
    HtmlForm(f): HtmlForm<UnitForm>,
) -> Response {
    act(&state, &viewer, &f.csrf, "unit-created", || async {
        let parent = opt_id(&f.parent, "主管部门不存在")?;
        state
            .services()
            .admin_create_unit(&viewer.user, &f.name, parent)
            .await
    })
    .await
}

#[derive(Deserialize)]
pub struct UserForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    unit: Option<String>,
    #[serde(default)]
    password: String,
}

pub async fn create_user(
    State(state): State<AppState>,
    viewer: Viewer,
    HtmlForm(f): HtmlForm<UserForm>,
) -> Response {
    act(&state, &viewer, &f.csrf, "user-created", || async {
        let role = Role::parse(&f.role)
            .ok_or_else(|| ApiError::unprocessable("请选择角色：填报、审核或管理"))?;
        let new = NewAccount {
            username: &f.username,
            display_name: &f.display_name,
            role,
            unit_id: opt_id(&f.unit, "单位不存在")?,
            password: &f.password,
        };
        state.services().admin_create_user(&viewer.user, &new).await
    })
    .await
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

pub async fn disable_user(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(user): Path<String>,
    HtmlForm(f): HtmlForm<CsrfOnly>,
) -> Response {
    act(&state, &viewer, &f.csrf, "user-disabled", || async {
        let user = id(&user, "用户不存在")?;
        state
            .services()
            .admin_set_enabled(&viewer.user, user, false)
            .await
    })
    .await
}

pub async fn restore_dossier(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(dossier): Path<String>,
    HtmlForm(f): HtmlForm<CsrfOnly>,
) -> Response {
    act(&state, &viewer, &f.csrf, "restored", || async {
        let dossier = id(&dossier, "档案不存在")?;
        state.services().admin_restore(&viewer.user, dossier).await
    })
    .await
}

pub async fn enable_user(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(user): Path<String>,
    HtmlForm(f): HtmlForm<CsrfOnly>,
) -> Response {
    act(&state, &viewer, &f.csrf, "user-enabled", || async {
        let user = id(&user, "用户不存在")?;
        state
            .services()
            .admin_set_enabled(&viewer.user, user, true)
            .await
    })
    .await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    password: String,
}

pub async fn reset_password(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(user): Path<String>,
    HtmlForm(f): HtmlForm<PasswordForm>,
) -> Response {
    act(&state, &viewer, &f.csrf, "password-reset", || async {
        let user = id(&user, "用户不存在")?;
        state
            .services()
            .admin_reset_password(&viewer.user, user, &f.password)
            .await
    })
    .await
}

#[derive(Deserialize)]
pub struct RenameForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    display_name: String,
}

pub async fn rename_user(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(user): Path<String>,
    HtmlForm(f): HtmlForm<RenameForm>,
) -> Response {
    act(&state, &viewer, &f.csrf, "user-renamed", || async {
        let user = id(&user, "用户不存在")?;
        state
            .services()
            .admin_rename(&viewer.user, user, &f.display_name)
            .await
    })
    .await
}

#[derive(Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reviewer: String,
    #[serde(default)]
    unit: String,
}

pub async fn assign(
    State(state): State<AppState>,
    viewer: Viewer,
    HtmlForm(f): HtmlForm<AssignForm>,
) -> Response {
    act(&state, &viewer, &f.csrf, "assigned", || async {
        let reviewer = id(&f.reviewer, "请选择审核人")?;
        let unit = id(&f.unit, "请选择单位")?;
        state
            .services()
            .admin_assign(&viewer.user, reviewer, unit)
            .await
    })
    .await
}

pub async fn unassign(
    State(state): State<AppState>,
    viewer: Viewer,
    HtmlForm(f): HtmlForm<AssignForm>,
) -> Response {
    act(&state, &viewer, &f.csrf, "unassigned", || async {
        let reviewer = id(&f.reviewer, "请选择审核人")?;
        let unit = id(&f.unit, "请选择单位")?;
        state
            .services()
            .admin_unassign(&viewer.user, reviewer, unit)
            .await
    })
    .await
}
