//! The API's one error type. Every variant carries a Chinese message that is safe to
//! show; internal causes go to the log (`tracing`) and never into a response.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use jixiao_domain::Finding;
use jixiao_store::StoreError;
use serde_json::json;

pub type ApiResult<T> = Result<T, ApiError>;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request itself is malformed (not JSON, not multipart, bad query).
    #[error("{0}")]
    BadRequest(String),
    /// 401: no session, or it expired; also a wrong username or password.
    #[error("{0}")]
    Unauthorized(String),
    /// 403: the caller sees the dossier but may not do this (or the CSRF token is wrong).
    #[error("{0}")]
    Forbidden(String),
    /// 404: unknown, or not visible to the caller (existence is never revealed).
    #[error("{0}")]
    NotFound(String),
    /// 409: someone else changed it first (`current_version` when known), or a duplicate.
    #[error("{message}")]
    Conflict {
        message: String,
        current_version: Option<i64>,
    },
    /// 409: the unit already has a dossier for that year; `existing_id` is that dossier.
    #[error("{message}")]
    Exists { message: String, existing_id: i64 },
    /// 413: the body is larger than the route accepts.
    #[error("请求内容过大（上限 {0}）")]
    TooLarge(String),
    /// 413: what the request would store is too large; the message says what and why.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// 422: well-formed but refused (validation, workflow, findings that block submit).
    #[error("{message}")]
    Unprocessable {
        message: String,
        findings: Option<Vec<Finding>>,
    },
    /// 429: too many failed logins; try again after `retry_after` seconds.
    #[error("{message}")]
    TooManyRequests { message: String, retry_after: u64 },
    /// 415: the body is not of the type the route accepts.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 503: the database does not answer (`/healthz`).
    #[error("数据库暂时不可用")]
    Unavailable,
    /// 503 with `Retry-After` (seconds): a bounded queue is full (PDF export).
    #[error("{message}")]
    Busy { message: String, retry_after: u64 },
    /// 500: a bug or an infrastructure failure; the cause is logged, not shown.
    #[error("服务器内部错误，请稍后重试或联系管理员")]
    Internal(String),
}

impl ApiError {
    pub fn unprocessable(message: impl Into<String>) -> ApiError {
        ApiError::Unprocessable {
            message: message.into(),
            findings: None,
        }
    }

    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::Forbidden(message.into())
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::BadRequest(message.into())
    }

    /// The dossier is unknown or not the caller's to see: one answer for both.
    pub fn no_dossier() -> ApiError {
        ApiError::NotFound("档案不存在".into())
    }

    pub fn internal(cause: impl std::fmt::Display) -> ApiError {
        ApiError::Internal(cause.to_string())
    }

    /// `Retry-After` on a [`ApiError::Busy`] or [`ApiError::TooManyRequests`] answer (JSON or page).
    pub fn add_headers(&self, res: &mut Response) {
        if let ApiError::Busy { retry_after, .. } | ApiError::TooManyRequests { retry_after, .. } =
            self
        {
            res.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, (*retry_after).into());
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict { .. } | ApiError::Exists { .. } => StatusCode::CONFLICT,
            ApiError::TooLarge(_) | ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unavailable | ApiError::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::NotFound("记录不存在".into()),
            StoreError::Conflict { current } => ApiError::Conflict {
                message: e.to_string(),
                current_version: Some(current),
            },
            StoreError::Duplicate(message) => ApiError::Conflict {
                message,
                current_version: None,
            },
            StoreError::Refused(message) => ApiError::unprocessable(message),
            StoreError::Other(cause) => ApiError::Internal(cause),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = match &self {
            ApiError::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                json!({ "error": self.to_string() })
            }
            ApiError::Conflict {
                message,
                current_version: Some(v),
            } => json!({ "error": message, "current_version": v }),
            ApiError::Exists {
                message,
                existing_id,
            } => json!({ "error": message, "existing_id": existing_id }),
            ApiError::Unprocessable {
                message,
                findings: Some(f),
            } => json!({ "error": message, "findings": f }),
            _ => json!({ "error": self.to_string() }),
        };
        let mut res = (status, Json(body)).into_response();
        self.add_headers(&mut res);
        res
    }
}
