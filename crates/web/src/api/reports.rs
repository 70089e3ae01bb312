//! Report routes (绩效运行监控, 绩效自评): thin handlers over `services::reports`; a
//! report is a dossier of its own kind, so its saves and workflow steps are the dossier
//! services', after a check that the id names a report the caller sees.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use super::{ApiJson, ApproveRequest, DossierId, ReturnRequest, SaveRequest, SubmitRequest};
use crate::auth::Authed;
use crate::error::ApiResult;
use crate::services::reports::{NewReportRequest, RoundRequest};
use crate::services::{forms_from_json, this_year};
use crate::AppState;

/// `?year=&round=` of the monitoring board.
#[derive(Deserialize, Default)]
pub struct BoardQuery {
    pub year: Option<i64>,
    pub round: Option<i64>,
}

/// `GET /api/dossiers/{id}/reports`.
pub async fn list(
    State(state): State<AppState>,
    auth: Authed,
    DossierId(id): DossierId,
) -> ApiResult<Response> {
    Ok(Json(state.services().reports_of(&auth.user, id).await?).into_response())
}

/// `POST /api/dossiers/{id}/reports`: 201 with the prefilled report.
pub async fn create(
    State(state): State<AppState>,
    auth: Authed,
    DossierId(id): DossierId,
    ApiJson(body): ApiJson<NewReportRequest>,
) -> ApiResult<Response> {
    let made = state
        .services()
        .create_report(&auth.user, id, &body)
        .await?;
    Ok((StatusCode::CREATED, Json(made)).into_response())
}

/// `GET /api/reports/{rid}`: the current forms with the computed scores and lights.
pub async fn get(
    State(state): State<AppState>,
    auth: Authed,
    DossierId(id): DossierId,
) -> ApiResult<Response> {
    Ok(Json(state.services().report(&auth.user, id).await?).into_response())
}

/// `PUT /api/reports/{rid}`: a new version (409 on a stale `base_version`, as dossiers).
pub async fn save(
    State(state): State<AppState>,
    auth: Authed,
    DossierId(id): DossierId,
    ApiJson(body): ApiJson<SaveRequest>,
) -> ApiResult<Response> {
    let svc = state.services();
    svc.visible_report(&auth.user, id).await?;
    let forms = forms_from_json(body.forms)?;
    let saved = svc
        .save(&auth.user, id, forms, body.base_version, body.reason)
        .await?;
    let mut detail = svc.report(&auth.user, id).await?;
    detail.findings = saved.findings;
    Ok(Json(serde_json::json!({
        "id": saved.id,
        "version": saved.version,
        "status": saved.status,
        "forms": detail.forms,
        "findings": detail.findings,
    }))
    .into_response())
}

/// The workflow steps of a report are the dossier's, once the id is known to name a report
/// the caller sees.
pub async fn submit(
    State(state): State<AppState>,
    auth: Authed,
    DossierId(id): DossierId,
    body: ApiJson<SubmitRequest>,
) -> ApiResult<Response> {
    state.services().visible_report(&auth.user, id).await?;
    super::submit(State(state), auth, DossierId(id), body).await
}

pub async fn return_report(
    State(state): State<AppState>,
    auth: Authed,
    DossierId(id): DossierId,
    body: ApiJson<ReturnRequest>,
) -> ApiResult<Response> {
    state.services().visible_report(&auth.user, id).await?;
    super::return_dossier(State(state), auth, DossierId(id), body).await
}

pub async fn approve(
    State(state): State<AppState>,
    auth: Authed,
    DossierId(id): DossierId,
    body: ApiJson<ApproveRequest>,
) -> ApiResult<Response> {
    state.services().visible_report(&auth.user, id).await?;
    super::approve(State(state), auth, DossierId(id), body).await
}

/// `POST /api/rounds`: 开启监控 (reviewers, administrators); 201.
pub async fn open_round(
    State(state): State<AppState>,
    auth: Authed,
    ApiJson(body): ApiJson<RoundRequest>,
) -> ApiResult<Response> {
    let opened = state.services().open_round(&auth.user, &body).await?;
    Ok((StatusCode::CREATED, Json(opened)).into_response())
}

/// `GET /api/monitoring?year=&round=`: the monitoring board.
pub async fn board(
    State(state): State<AppState>,
    auth: Authed,
    Query(q): Query<BoardQuery>,
) -> ApiResult<Response> {
    let year = q.year.unwrap_or_else(this_year);
    Ok(Json(state.services().board(&auth.user, year, q.round).await?).into_response())
}

/// `GET /api/self-evaluations?year=`: scores, best first, and the grade distribution.
pub async fn evaluations(
    State(state): State<AppState>,
    auth: Authed,
    Query(q): Query<BoardQuery>,
) -> ApiResult<Response> {
    let year = q.year.unwrap_or_else(this_year);
    Ok(Json(state.services().evaluations(&auth.user, year).await?).into_response())
}
