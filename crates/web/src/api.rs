//! HTTP handlers: parse the request, call [`crate::services`], shape the answer. No
//! access decisions are made here.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Multipart, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Response};
use axum::Json;
use jixiao_domain::review::{Grade, Opinions, Status};
use jixiao_store::{DossierKind, DossierOrder};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::{session_cookie, Authed, ClientAddr};
use crate::error::{ApiError, ApiResult};
use crate::login::{device_cookie, device_token, site_of, Site};
use crate::services::{forms_from_json, Config, ListParams, LoggedIn};
use crate::AppState;

pub mod library;
pub mod reports;

// ---------------------------------------------------------------- extractors

/// JSON body with Chinese errors: 400 for broken JSON, 422 for the wrong shape (unknown
/// or missing fields), 413 over the body limit. An empty body reads as `{}`.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(req, state).await;
        json_body(bytes, state).map(ApiJson)
    }
}

/// A read body as `T` (see [`ApiJson`]).
fn json_body<T: DeserializeOwned>(
    bytes: Result<Bytes, BytesRejection>,
    state: &AppState,
) -> ApiResult<T> {
    let bytes = bytes.map_err(|e| body_error(&e, state.services().config().json_limit()))?;
    let text: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        &bytes
    };
    serde_json::from_slice(text).map_err(|e| {
        use serde_json::error::Category;
        match e.classify() {
            Category::Data => ApiError::unprocessable(format!("请求内容不符合接口要求：{e}")),
            _ => ApiError::bad_request(format!("请求内容不是有效的 JSON：{e}")),
        }
    })
}

/// Whether the request says its body is JSON (`application/json`, any parameters).
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
}

fn body_error(e: &BytesRejection, limit: usize) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::TooLarge(human_size(limit))
    } else {
        ApiError::bad_request("无法读取请求内容")
    }
}

pub(crate) fn human_size(bytes: usize) -> String {
    if bytes >= 1024 * 1024 {
        format!("{} MiB", bytes / (1024 * 1024))
    } else {
        format!("{bytes} 字节")
    }
}

/// A dossier id from the path; anything that is not a number is simply not found.
pub struct DossierId(pub i64);

impl FromRequestParts<AppState> for DossierId {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, ApiError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::no_dossier())?;
        raw.parse()
            .map(DossierId)
            .map_err(|_| ApiError::no_dossier())
    }
}

// ---------------------------------------------------------------- DTOs

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub year: Option<i64>,
    /// Comma-separated status codes or labels.
    pub status: Option<String>,
    /// Only this unit (id), within what the caller may see.
    pub unit: Option<i64>,
    /// Search text: unit name, titles, names and goals of the current version.
    pub q: Option<String>,
    /// `recent` (default: last changed first) or `quality` (most errors, then most
    /// warnings first).
    pub order: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    /// `targets` (default), `monitoring` or `self_evaluation`.
    pub kind: Option<String>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveRequest {
    /// Read with [`forms_from_json`]: a malformed amount is a 422 naming the field.
    #[schemars(with = "Vec<jixiao_domain::Form>")]
    pub forms: Vec<Value>,
    pub base_version: i64,
    /// Opens an adjustment (调整) of an approved dossier.
    #[serde(default)]
    pub reason: Option<String>,
}

/// 已解决 or open again (`POST /api/dossiers/{id}/comments/{cid}/resolve`).
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveRequest {
    /// Default true; false opens it again.
    #[serde(default)]
    pub resolved: Option<bool>,
}

/// Unsaved forms to check (`POST /api/check`).
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    #[schemars(with = "Vec<jixiao_domain::Form>")]
    pub forms: Vec<Value>,
    /// The dossier (or report) the forms are an edit of: checked as its save would be.
    pub dossier: Option<i64>,
}

/// A new dossier from forms (`POST /api/dossiers/create`).
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRequest {
    #[schemars(with = "Vec<jixiao_domain::Form>")]
    pub forms: Vec<Value>,
    pub year: i64,
    /// The unit's name; admins only.
    #[serde(default)]
    pub unit: Option<String>,
}

/// A copy of a dossier for another year (`POST /api/dossiers/{id}/copy`).
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CopyRequest {
    pub year: i64,
}

#[derive(Deserialize, schemars::JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct SubmitRequest {
    /// The version the caller checked; defaults to the current one.
    #[serde(default)]
    pub version: Option<i64>,
}

/// The four opinions (完整性/相关性/适当性/可行性).
#[derive(Deserialize, schemars::JsonSchema, Default)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Opinions")]
pub struct OpinionsDto {
    #[serde(default)]
    pub completeness: String,
    #[serde(default)]
    pub relevance: String,
    #[serde(default)]
    pub appropriateness: String,
    #[serde(default)]
    pub feasibility: String,
}

impl From<OpinionsDto> for Opinions {
    fn from(o: OpinionsDto) -> Self {
        Opinions {
            completeness: o.completeness,
            relevance: o.relevance,
            appropriateness: o.appropriateness,
            feasibility: o.feasibility,
        }
    }
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnRequest {
    #[serde(default)]
    pub opinions: OpinionsDto,
    #[serde(default)]
    pub comment: String,
    #[serde(default)]
    pub version: Option<i64>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveRequest {
    pub grade: Grade,
    pub opinions: OpinionsDto,
    #[serde(default)]
    pub version: Option<i64>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentRequest {
    #[serde(default)]
    pub field: String,
    pub body: String,
    #[serde(default)]
    pub version: Option<i64>,
}

/// `POST /api/todo/read`: the notices up to `seq` are read.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadRequest {
    pub seq: i64,
}

/// `?year=` of the progress page and API; the current year when absent.
#[derive(Deserialize, Default)]
pub struct YearQuery {
    pub year: Option<i64>,
}

/// `POST /api/progress/remind`.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RemindRequest {
    pub year: i64,
    /// The units to remind; absent: every overseen unit that has not handed in.
    #[serde(default)]
    pub unit_ids: Option<Vec<i64>>,
}

/// `PUT /api/progress/deadline`.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeadlineRequest {
    pub year: i64,
    /// `2025-03-31`; empty clears the deadline.
    #[serde(default)]
    pub date: String,
}

// ---------------------------------------------------------------- handlers

pub async fn healthz(State(state): State<AppState>) -> ApiResult<Response> {
    let store = state.services().store();
    match jixiao_store::Store::ping(store).await {
        Ok(()) => Ok(Json(json!({ "status": "ok", "database": store.backend() })).into_response()),
        Err(e) => {
            tracing::warn!(cause = %e.detail(), "health check failed");
            Err(ApiError::Unavailable)
        }
    }
}

pub async fn openapi() -> Response {
    Json(crate::openapi::document()).into_response()
}

/// `POST /api/login`: JSON only (a cross-site form or `text/plain` request, which a
/// browser sends without asking, is 415), and not from another site's page (403). A
/// client that sends neither `Origin` nor `Referer` is not a browser and may log in.
pub async fn login(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let cfg = state.services().config();
    if !is_json(&headers) {
        return Err(ApiError::UnsupportedMediaType(
            "登录请求必须是 JSON（Content-Type: application/json）".into(),
        ));
    }
    if site_of(&headers, cfg) == Site::Cross {
        return Err(ApiError::forbidden(
            "登录请求来自其他网站，已拒绝（请求头 Origin/Referer 与本站不符）",
        ));
    }
    let body: LoginRequest = json_body(body, &state)?;
    let done = state
        .services()
        .login(
            &body.username,
            &body.password,
            address,
            device_token(&headers).as_deref(),
        )
        .await?;
    let reply =
        json!({ "csrf_token": done.session.csrf_token, "expires_at": done.session.expires_at });
    Ok((login_cookies(&done, cfg), Json(reply)).into_response())
}

/// The session cookie, then the device cookie when there is a new one.
pub(crate) fn login_cookies(
    done: &LoggedIn,
    cfg: &Config,
) -> AppendHeaders<Vec<(HeaderName, HeaderValue)>> {
    let mut cookies = vec![(
        header::SET_COOKIE,
        session_cookie(Some(&done.token), cfg.session_ttl.as_secs(), cfg.secure()),
    )];
    if let Some(device) = &done.device {
        cookies.push((header::SET_COOKIE, device_cookie(device, cfg)));
    }
    AppendHeaders(cookies)
}

pub async fn logout(State(state): State<AppState>, auth: Authed) -> ApiResult<Response> {
    state.services().logout(&auth.user, &auth.token).await?;
    let cookie = session_cookie(None, 0, state.services().config().secure());
    Ok(([(header::SET_COOKIE, cookie)], Json(json!({ "ok": true }))).into_response())
}

pub async fn list(
    State(state): State<AppState>,
    auth: Authed,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Response> {
    let Query(q) = query.map_err(|e| ApiError::bad_request(format!("查询参数有误：{e}")))?;
    let mut statuses = Vec::new();
    for s in q.status.iter().flat_map(|s| s.split(',')) {
        if s.trim().is_empty() {
            continue;
        }
        statuses.push(
            Status::parse(s)
                .ok_or_else(|| ApiError::bad_request(format!("未知的状态：{}", s.trim())))?,
        );
    }
    let order = match q.order.as_deref().map(str::trim) {
        None | Some("") => DossierOrder::default(),
        Some(o) => DossierOrder::parse(o).ok_or_else(|| {
            ApiError::bad_request(format!("未知的排序方式：{o}（可选 recent、quality）"))
        })?,
    };
    let kind = match q.kind.as_deref().map(str::trim) {
        None | Some("") => DossierKind::Targets,
        Some(k) => DossierKind::parse(k).ok_or_else(|| {
            ApiError::bad_request(format!(
                "未知的档案类型：{k}（可选 targets、monitoring、self_evaluation）"
            ))
        })?,
    };
    let params = ListParams {
        kind,
        year: q.year,
        statuses,
        unit_id: q.unit,
        query: q.q,
        order,
        limit: q.limit,
        offset: q.offset,
    };
    let page = state.services().list(&auth.user, params).await?;
    Ok(Json(page).into_response())
}

/// The `file` (name, bytes) of an upload and the text fields named in `texts`; any other
/// field is refused.
pub(crate) async fn upload_fields(
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
    limit: usize,
    texts: &[&'static str],
) -> ApiResult<((String, Vec<u8>), HashMap<&'static str, String>)> {
    let mut multipart = multipart
        .map_err(|_| ApiError::bad_request("请以 multipart/form-data 上传文件（表单字段 file）"))?;
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut fields = HashMap::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(multipart_error(e.status(), limit)),
        };
        let name = field.name().unwrap_or_default().to_string();
        match name.as_str() {
            "file" => {
                // Only a label in findings; drop any client-side folder part.
                let file_name = field
                    .file_name()
                    .and_then(|n| n.rsplit(['/', '\\']).next())
                    .filter(|n| !n.trim().is_empty())
                    .unwrap_or("上传文件")
                    .to_string();
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| multipart_error(e.status(), limit))?;
                file = Some((file_name, bytes.to_vec()));
            }
            other => {
                let Some(key) = texts.iter().find(|t| **t == other) else {
                    let accepted: Vec<&str> = std::iter::once("file")
                        .chain(texts.iter().copied())
                        .collect();
                    return Err(ApiError::unprocessable(format!(
                        "未知的表单字段：{other}（只接受 {}）",
                        accepted.join("、")
                    )));
                };
                let text = field
                    .text()
                    .await
                    .map_err(|e| multipart_error(e.status(), limit))?;
                fields.insert(*key, text);
            }
        }
    }
    let Some(file) = file else {
        return Err(ApiError::unprocessable("请上传文件（表单字段 file）"));
    };
    Ok((file, fields))
}

pub async fn upload(
    State(state): State<AppState>,
    auth: Authed,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<Response> {
    let limit = state.services().config().upload_limit();
    let ((file_name, bytes), fields) = upload_fields(multipart, limit, &["unit"]).await?;
    let saved = state
        .services()
        .upload(
            &auth.user,
            &file_name,
            bytes,
            fields.get("unit").map(String::as_str),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(saved)).into_response())
}

/// `POST /api/preview`: the file read as an upload would read it, nothing saved.
pub async fn preview(
    State(state): State<AppState>,
    auth: Authed,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<Response> {
    let limit = state.services().config().upload_limit();
    let ((file_name, bytes), _) = upload_fields(multipart, limit, &[]).await?;
    let preview = state
        .services()
        .preview(&auth.user, &file_name, bytes)
        .await?;
    Ok(Json(preview).into_response())
}

/// `POST /api/dossiers/{id}/reimport`: a corrected file as the next version (multipart
/// `file`, `base_version`; `preview=true` reads and compares without storing).
pub async fn reimport(
    State(state): State<AppState>,
    auth: Authed,
    DossierId(id): DossierId,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<Response> {
    let limit = state.services().config().upload_limit();
    let ((file_name, bytes), fields) =
        upload_fields(multipart, limit, &["base_version", "preview"]).await?;
    let base_version = match fields.get("base_version").map(|v| v.trim()) {
        None | Some("") => None,
        Some(v) => Some(
            v.parse::<i64>()
                .map_err(|_| ApiError::unprocessable("base_version 应为版本号（正整数）"))?,
        ),
    };
    let preview = match fields.get("preview").map(|v| v.trim()) {
        None | Some("" | "false" | "0") => false,
        Some("true" | "1") => true,
        Some(_) => return Err(ApiError::unprocessable("preview 应为 true 或 false")),
    };
    let done = state
        .services()
        .reimport(&auth.user, id, &file_name, bytes, base_version, preview)
        .await?;
    let status = match &done.saved {
        Some(s) if s.version != done.base_version => StatusCode::CREATED,
        _ => StatusCode::OK,
    };
    Ok((status, Json(done)).into_response())
}

/// `POST /api/dossiers/{id}/comments/{cid}/resolve`: 已解决 (`resolved`, default true) or open.
pub async fn resolve_comment(
    State(state): State<AppState>,
    auth: Authed,
    path: Result<Path<(String, String)>, axum::extract::rejection::PathRejection>,
    ApiJson(body): ApiJson<ResolveRequest>,
) -> ApiResult<Response> {
    let Ok(Path((id, cid))) = path else {
        return Err(ApiError::no_dossier());
    };
    let (Ok(id), Ok(cid)) = (id.parse(), cid.parse()) else {
        return Err(ApiError::NotFound("意见不存在".into()));
    };
    let c = state
        .services()
        .resolve_comment(&auth.user, id, cid, body.resolved.unwrap_or(true))
        .await?;
    Ok(Json(c).into_response())
}

/// `POST /api/publications`: 公开 a year's approved dossiers (administrators).
pub async fn publish(
    state: State<AppState>,
    auth: Authed,
    body: ApiJson<crate::services::public::PublicationRequest>,
) -> ApiResult<Response> {
    publication(state, auth, body, true).await
}

/// `DELETE /api/publications`: 撤回公开.
pub async fn unpublish(
    state: State<AppState>,
    auth: Authed,
    body: ApiJson<crate::services::public::PublicationRequest>,
) -> ApiResult<Response> {
    publication(state, auth, body, false).await
}

async fn publication(
    State(state): State<AppState>,
    auth: Authed,
    ApiJson(body): ApiJson<crate::services::public::PublicationRequest>,
    publish: bool,
) -> ApiResult<Response> {
    let n = state
        .services()
        .set_published(&auth.user, body, publish)
        .await?;
    let key = if publish { "published" } else { "unpublished" };
    Ok(Json(json!({ key: n })).into_response())
}

/// `POST /api/exports`: a batch export started in the background (202 with the job).
pub async fn start_export(
    State(state): State<AppState>,
    auth: Authed,
    ApiJson(body): ApiJson<crate::services::jobs::ExportRequest>,
) -> ApiResult<Response> {
    let job = state.shared().start_export(&auth.user, body).await?;
    Ok((StatusCode::ACCEPTED, Json(job)).into_response())
}

#[derive(Deserialize)]
pub struct JobQuery {
    download: Option<String>,
}

/// `GET /api/jobs/{id}`: the job's progress; with `download=1` once done, its file.
pub async fn job(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<String>,
    query: Result<Query<JobQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Response> {
    let Ok(id) = id.parse::<u64>() else {
        return Err(ApiError::NotFound("导出任务不存在".into()));
    };
    let (view, result) = state.services().job(&auth.user, id)?;
    let download = query.is_ok_and(|Query(q)| q.download.is_some_and(|d| d == "1" || d == "true"));
    if !download {
        return Ok(Json(view).into_response());
    }
    let (Some(bytes), Some(name)) = (result, view.file_name.as_deref()) else {
        return Err(ApiError::Conflict {
            message: "导出尚未完成，请稍候".into(),
            current_version: None,
        });
    };
    let content_type = if name.ends_with(".pdf") {
        "application/pdf"
    } else {
        "application/zip"
    };
    let disposition = format!(
        "attachment; filename=\"jixiao-export-{id}.{}\"; filename*=UTF-8''{}",
        if name.ends_with(".pdf") { "pdf" } else { "zip" },
        crate::ui::pages::encode(name)
    );
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
            ),
        ],
        bytes.as_ref().clone(),
    )
        .into_response())
}

/// `POST /api/check`: the rules and totals of unsaved forms.
pub async fn check(
    State(state): State<AppState>,
    auth: Authed,
    ApiJson(body): ApiJson<CheckRequest>,
) -> ApiResult<Response> {
    let forms = forms_from_json(body.forms)?;
    let checked = state
        .services()
        .check_forms(&auth.user, forms, body.dossier)
        .await?;
    Ok(Json(checked).into_response())
}

/// `POST /api/dossiers/create`: a new dossier from forms.
pub async fn create(
    State(state): State<AppState>,
    auth: Authed,
    ApiJson(body): ApiJson<CreateRequest>,
) -> ApiResult<Response> {
    let forms = forms_from_json(body.forms)?;
    let saved = state
        .services()
        .create(&auth.user, forms, body.year, body.unit.as_deref())
        .await?;
    Ok((StatusCode::CREATED, Json(saved)).into_response())
}

/// `POST /api/dossiers/{id}/copy`: a copy of a dossier for another year.
pub async fn copy(
    State(state): State<AppState>,
    auth: Authed,
    DossierId(id): DossierId,
    ApiJson(body): ApiJson<CopyRequest>,
) -> ApiResult<Response> {
    let saved = state.services().copy(&auth.user, id, body.year).await?;
    Ok((StatusCode::CREATED, Json(saved)).into_response())
}

fn multipart_error(status: StatusCode, limit: usize) -> ApiError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::TooLarge(human_size(limit))
    } else {
        ApiError::bad_request("上传内容格式有误，请以 multipart/form-data 上传文件")
    }
}

pub async fn get_dossier(
    State(state): State<AppState>,
    auth: Authed,
    DossierId(id): DossierId,
) -> ApiResult<Response> {
    Ok(Json(state.services().get(&auth.user, id).await?).into_response())
}

pub async fn save(
    State(state): State<AppState>,
    auth: Authed,
    DossierId(id): DossierId,
    ApiJson(body): ApiJson<SaveRequest>,
) -> ApiResult<Response> {
    let forms = forms_from_json(body.forms)?;
    let saved = state
        .services()
        .save(&auth.user, id, forms, body.base_version, body.reason)
        .await?;
    Ok(Json(saved).into_response())
}

pub async fn submit(
    State(state): State<AppState>,
    auth: Authed,
    DossierId(id): DossierId,
    ApiJson(body): ApiJson<SubmitRequest>,
) -> ApiResult<Response> {
    let done = state
        .services()
        .submit(&auth.user, id, body.version)
        .await?;
    Ok(Json(done).into_response())
}

pub async fn withdraw(
    State(state): State<AppState>,
    auth: Authed,
    DossierId(id): DossierId,
    ApiJson(body): ApiJson<SubmitRequest>,
) -> ApiResult<Response> {
    let done = state
        .services()
        .withdraw(&auth.user, id, body.version)
        .await?;
    Ok(Json(done).into_response())
}

/// 删除 a draft (soft: an administrator can restore it).
pub async fn delete_dossier(
    State(state): State<AppState>,
    auth: Authed,
    DossierId(id): DossierId,
    ApiJson(body): ApiJson<SubmitRequest>,
) -> ApiResult<Response> {
    state
        .services()
        .delete(&auth.user, id, body.version)
        .await?;
    Ok(Json(serde_json::json!({ "deleted": id })).into_response())
}

pub async fn return_dossier(
    State(state): State<AppState>,
    auth: Authed,
    DossierId(id): DossierId,
    ApiJson(body): ApiJson<ReturnRequest>,
) -> ApiResult<Response> {
    let done = state
        .services()
        .return_dossier(
            &auth.user,
            id,
            body.opinions.into(),
            body.comment,
            body.version,
        )
        .await?;
    Ok(Json(done).into_response())
}

pub async fn approve(
    State(state): State<AppState>,
    auth: Authed,
    DossierId(id): DossierId,
    ApiJson(body): ApiJson<ApproveRequest>,
) -> ApiResult<Response> {
    let done = state
        .services()
        .approve(
            &auth.user,
            id,
            body.grade,
            body.opinions.into(),
            body.version,
        )
        .await?;
    Ok(Json(done).into_response())
}

pub async fn comment(
    State(state): State<AppState>,
    auth: Authed,
    DossierId(id): DossierId,
    ApiJson(body): ApiJson<CommentRequest>,
) -> ApiResult<Response> {
    let c = state
        .services()
        .comment(&auth.user, id, &body.field, &body.body, body.version)
        .await?;
    Ok((StatusCode::CREATED, Json(c)).into_response())
}

pub async fn history(
    State(state): State<AppState>,
    auth: Authed,
    DossierId(id): DossierId,
) -> ApiResult<Response> {
    Ok(Json(state.services().history(&auth.user, id).await?).into_response())
}

/// 待办 and 消息 of the caller.
pub async fn todo(State(state): State<AppState>, auth: Authed) -> ApiResult<Response> {
    Ok(Json(state.services().todo(&auth.user).await?).into_response())
}

pub async fn todo_read(
    State(state): State<AppState>,
    auth: Authed,
    ApiJson(body): ApiJson<ReadRequest>,
) -> ApiResult<Response> {
    state.services().notices_read(&auth.user, body.seq).await?;
    Ok(Json(serde_json::json!({})).into_response())
}

/// The `year` of a query, this year when absent; 400 when it is not a number.
fn year_or_this(
    query: Result<Query<YearQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<i64> {
    Ok(query
        .map_err(|_| ApiError::bad_request("year 应为年度数字（如 2025）"))?
        .0
        .year
        .unwrap_or_else(crate::services::this_year))
}

/// 填报进度 of a year for reviewers and admins.
pub async fn progress(
    State(state): State<AppState>,
    auth: Authed,
    query: Result<Query<YearQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Response> {
    let year = year_or_this(query)?;
    Ok(Json(state.services().progress(&auth.user, year).await?).into_response())
}

/// 统计汇总 of a year for reviewers (their units) and admins: SQL aggregates, money in 分.
pub async fn stats(
    State(state): State<AppState>,
    auth: Authed,
    query: Result<Query<YearQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Response> {
    let year = year_or_this(query)?;
    Ok(Json(&*state.services().statistics(&auth.user, year).await?).into_response())
}

/// 催报.
pub async fn remind(
    State(state): State<AppState>,
    auth: Authed,
    ApiJson(body): ApiJson<RemindRequest>,
) -> ApiResult<Response> {
    let n = state
        .services()
        .remind(&auth.user, body.year, body.unit_ids)
        .await?;
    Ok(Json(serde_json::json!({ "reminded": n })).into_response())
}

/// The filing deadline of a year (admins).
pub async fn set_deadline(
    State(state): State<AppState>,
    auth: Authed,
    ApiJson(body): ApiJson<DeadlineRequest>,
) -> ApiResult<Response> {
    state
        .services()
        .set_deadline(&auth.user, body.year, &body.date)
        .await?;
    Ok(Json(serde_json::json!({})).into_response())
}

/// Unknown paths: JSON under `/api/`, a Chinese page elsewhere (a mistyped address in
/// the browser).
pub async fn not_found(State(state): State<AppState>, uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::NotFound("接口不存在".into()).into_response()
    } else {
        state
            .ui()
            .error_page(None, ApiError::NotFound("页面不存在".into()))
    }
}

pub async fn method_not_allowed() -> Response {
    (
        StatusCode::METHOD_NOT_ALLOWED,
        Json(json!({ "error": "该接口不支持此请求方法" })),
    )
        .into_response()
}
