//! 指标库 routes: thin handlers over `services::library`.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use jixiao_domain::library::Edit;
use serde::Deserialize;
use serde_json::json;

use super::ApiJson;
use crate::auth::Authed;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// `?q=` of the suggestions and the admin list.
#[derive(Deserialize, Default)]
pub struct TextQuery {
    #[serde(default)]
    pub q: String,
}

/// `?dossier=&form=` of the similar-project suggestions.
#[derive(Deserialize)]
pub struct SimilarQuery {
    pub dossier: i64,
    #[serde(default)]
    pub form: usize,
}

type Q<T> = Result<Query<T>, axum::extract::rejection::QueryRejection>;

/// `GET /api/library/suggest?q=`: three-level names with the usual comparator, unit and
/// target range.
pub async fn suggest(
    State(state): State<AppState>,
    auth: Authed,
    query: Q<TextQuery>,
) -> ApiResult<Response> {
    let q = query.map(|q| q.0.q).unwrap_or_default();
    Ok(Json(state.services().library_suggest(&auth.user, &q).await?).into_response())
}

/// `GET /api/library/similar?dossier=ID&form=N`: indicators of similar projects.
pub async fn similar(
    State(state): State<AppState>,
    auth: Authed,
    query: Q<SimilarQuery>,
) -> ApiResult<Response> {
    let Query(q) = query
        .map_err(|_| ApiError::bad_request("dossier 应为档案编号，form 应为表的序号（从 0 起）"))?;
    Ok(Json(
        state
            .services()
            .library_similar(&auth.user, q.dossier, q.form)
            .await?,
    )
    .into_response())
}

/// `GET /api/library?q=`: the entries (administrators).
pub async fn list(
    State(state): State<AppState>,
    auth: Authed,
    query: Q<TextQuery>,
) -> ApiResult<Response> {
    let q = query.map(|q| q.0.q).unwrap_or_default();
    let (entries, total) = state.services().library_list(&auth.user, &q, None).await?;
    Ok(Json(json!({ "total": total, "entries": entries })).into_response())
}

/// `POST /api/library/edits`: merge, rename, retire or mark 共性 (administrators; audited).
pub async fn edit(
    State(state): State<AppState>,
    auth: Authed,
    ApiJson(body): ApiJson<Edit>,
) -> ApiResult<Response> {
    state.services().library_edit(&auth.user, body).await?;
    Ok(Json(json!({ "ok": true })).into_response())
}
