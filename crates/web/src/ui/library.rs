//! The 指标库 admin page (`/library`): the entries with their aggregates, corrections
//! (merge, rename, retire, 共性) as plain forms with the session's CSRF token, and the
//! library as .xlsx. The services decide who may (admins only) and audit every change.

use axum::extract::{Form as HtmlForm, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use jixiao_domain::library::Edit;
use serde::Deserialize;
use serde_json::json;

use super::pages::encode;
use super::Viewer;
use crate::error::ApiError;
use crate::services::library::{export_rows, split_tags, EXPORT_HEAD};
use crate::services::same_token;
use crate::AppState;

const NOTICES: &[(&str, &str)] = &[
    ("merge", "已合并，原指标的填报计入保留的指标。"),
    ("rename", "已改名。"),
    ("retire", "已更改启用状态；停用的指标不再提示给填报单位。"),
    ("common", "已更改共性指标标记。"),
    ("tag", "已保存标签。"),
];

#[derive(Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    q: String,
    done: Option<String>,
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    q: &str,
    notice: Option<&str>,
    error: Option<ApiError>,
) -> Response {
    let (entries, total) = match state.services().library_list(&viewer.user, q, None).await {
        Ok(x) => x,
        Err(e) => return state.ui().error_page(Some(viewer), e),
    };
    super::admin::form_page(
        state,
        "library.html",
        json!({
            "me": viewer.me(),
            "q": q,
            "entries": entries,
            "shown": entries.len(),
            "total": total,
        }),
        notice,
        error,
    )
}

pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    query: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let notice = super::admin::notice_of(NOTICES, q.done.as_deref());
    render(&state, &viewer, &q.q, notice, None).await
}

#[derive(Deserialize)]
pub struct EditForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    key: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    into: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    q: String,
}

/// `POST /library/edit`: one correction, then back to the page (303) or the page with
/// the error.
pub async fn edit(
    State(state): State<AppState>,
    viewer: Viewer,
    HtmlForm(f): HtmlForm<EditForm>,
) -> Response {
    if !same_token(&f.csrf, &viewer.csrf) {
        return state.ui().error_page(
            Some(&viewer),
            ApiError::forbidden("页面已过期，请刷新后重试"),
        );
    }
    let flag = f.value == "true";
    let edit = match f.action.as_str() {
        "merge" => Edit::Merge {
            from: f.from.trim().to_string(),
            into: f.into.trim().to_string(),
        },
        "rename" => Edit::Rename {
            key: f.key,
            name: f.name,
        },
        "retire" => Edit::Retire {
            key: f.key,
            retired: flag,
        },
        "common" => Edit::Common {
            key: f.key,
            common: flag,
        },
        "tag" => Edit::Tag {
            key: f.key,
            tags: split_tags(&f.value),
        },
        _ => {
            return render(
                &state,
                &viewer,
                &f.q,
                None,
                Some(ApiError::unprocessable("未知的更正")),
            )
            .await
        }
    };
    match state.services().library_edit(&viewer.user, edit).await {
        Ok(()) => {
            Redirect::to(&format!("/library?done={}&q={}", f.action, encode(&f.q))).into_response()
        }
        Err(e @ ApiError::Forbidden(_)) => state.ui().error_page(Some(&viewer), e),
        Err(e) => render(&state, &viewer, &f.q, None, Some(e)).await,
    }
}

/// `GET /library/export.xlsx`: every entry, in the columns of a 一体化-style library.
pub async fn export(State(state): State<AppState>, viewer: Viewer) -> Response {
    let svc = state.services();
    let (entries, _) = match svc.library_list(&viewer.user, "", Some(usize::MAX)).await {
        Ok(x) => x,
        Err(e) => return state.ui().error_page(Some(&viewer), e),
    };
    let made = svc
        .cpu(entries.len(), move || {
            jixiao_files::export::listing::xlsx("绩效指标库", EXPORT_HEAD, &export_rows(&entries))
        })
        .await;
    match made {
        Ok(Ok(bytes)) => super::pages::download(
            bytes,
            jixiao_files::export::ExportFormat::Xlsx,
            "jixiao-library.xlsx",
            "绩效指标库.xlsx",
        ),
        Ok(Err(m)) => state
            .ui()
            .error_page(Some(&viewer), ApiError::unprocessable(m)),
        Err(e) => state.ui().error_page(Some(&viewer), e),
    }
}
