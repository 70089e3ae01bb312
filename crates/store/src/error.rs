//! One error type for every backend. sqlx errors are mapped here, centrally, so callers
//! never match on driver details; the messages are Chinese and safe to show.

use jixiao_domain::review::ReviewError;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The record (or a record it refers to) does not exist.
    #[error("记录不存在")]
    NotFound,
    /// Someone else changed the dossier first; `current` is its current version. After a
    /// stale `save_version` the submitted forms are kept as a conflict version (the caller
    /// can say so); after a stale `transition` nothing was written.
    #[error("档案已被他人修改（当前为第{current}版），请刷新后重试")]
    Conflict { current: i64 },
    /// A unique name or key is already taken; the message says which.
    #[error("{0}")]
    Duplicate(String),
    /// A business rule refused the operation (workflow, validation); the message says why.
    #[error("{0}")]
    Refused(String),
    /// Anything else. The text is the internal cause for the log; `Display` hides it.
    #[error("数据存储出错，请稍后重试或联系管理员")]
    Other(String),
}

impl StoreError {
    pub(crate) fn refused(msg: impl Into<String>) -> Self {
        StoreError::Refused(msg.into())
    }

    pub(crate) fn other(cause: impl std::fmt::Display) -> Self {
        StoreError::Other(cause.to_string())
    }

    /// The internal cause, for logs only.
    pub fn detail(&self) -> String {
        match self {
            StoreError::Other(cause) => cause.clone(),
            other => other.to_string(),
        }
    }
}

impl From<ReviewError> for StoreError {
    fn from(e: ReviewError) -> Self {
        StoreError::Refused(e.to_string())
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::other(format!("json: {e}"))
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        StoreError::other(format!("migrate: {e}"))
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) => {
                use sqlx::error::ErrorKind;
                match db.kind() {
                    ErrorKind::UniqueViolation => {
                        StoreError::Duplicate(duplicate_message(db.constraint(), db.message()))
                    }
                    ErrorKind::ForeignKeyViolation => {
                        StoreError::refused("引用的单位、用户或档案不存在")
                    }
                    ErrorKind::CheckViolation => StoreError::refused("数据不符合约束条件"),
                    _ => StoreError::other(db),
                }
            }
            other => StoreError::other(other),
        }
    }
}

/// PostgreSQL names the constraint; SQLite only says `UNIQUE constraint failed: t.c`.
fn duplicate_message(constraint: Option<&str>, message: &str) -> String {
    let hay = constraint.unwrap_or(message);
    let which = if hay.contains("units_name_key") || hay.contains("units.name") {
        "单位名称已存在"
    } else if hay.contains("users_username_key") || hay.contains("users.username") {
        "用户名已存在"
    } else if hay.contains("monitoring_rounds") {
        "该年度这一期的监控已经开启"
    } else if hay.contains("dossiers_report_key") {
        "这份绩效目标已有同一期的报告"
    } else if hay.contains("dossiers_unit_year_key") || hay.contains("dossiers.unit_id") {
        "该单位该年度的档案已存在"
    } else {
        "记录已存在"
    };
    which.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_messages_from_both_backends() {
        assert_eq!(
            duplicate_message(None, "UNIQUE constraint failed: users.username"),
            "用户名已存在"
        );
        assert_eq!(
            duplicate_message(Some("dossiers_unit_year_key"), "duplicate key value"),
            "该单位该年度的档案已存在"
        );
        assert_eq!(
            duplicate_message(
                None,
                "UNIQUE constraint failed: dossiers.unit_id, dossiers.year"
            ),
            "该单位该年度的档案已存在"
        );
    }

    #[test]
    fn duplicate_report_message() {
        assert_eq!(
            duplicate_message(
                None,
                "UNIQUE constraint failed: index 'dossiers_report_key'"
            ),
            "这份绩效目标已有同一期的报告"
        );
    }

    #[test]
    fn internal_causes_are_not_displayed() {
        let e = StoreError::other("connection refused at 10.0.0.1");
        assert!(!e.to_string().contains("10.0.0.1"));
        assert!(e.detail().contains("10.0.0.1"));
        assert!(matches!(
            StoreError::from(sqlx::Error::RowNotFound),
            StoreError::NotFound
        ));
    }
}
