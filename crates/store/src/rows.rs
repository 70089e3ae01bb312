//! Column lists and the parsers of the text-coded columns. The row decoders live with
//! their concern (`units::unit_of`, `dossiers::dossier_of`, …).

use jixiao_domain::review::{Grade, Status};

use crate::error::{Result, StoreError};
use crate::model::{Decision, Role, VersionKind};

fn bad(what: &str, value: &str) -> StoreError {
    StoreError::other(format!("unexpected {what} in database: {value:?}"))
}

pub(crate) fn parse_status(s: &str) -> Result<Status> {
    Status::parse(s).ok_or_else(|| bad("status", s))
}

pub(crate) fn parse_dossier_kind(s: &str) -> Result<crate::model::DossierKind> {
    crate::model::DossierKind::parse(s).ok_or_else(|| bad("dossier kind", s))
}

pub(crate) fn parse_grade(g: Option<String>) -> Result<Option<Grade>> {
    g.map(|g| Grade::parse(&g).ok_or_else(|| bad("grade", &g)))
        .transpose()
}

pub(crate) fn parse_role(s: &str) -> Result<Role> {
    Role::parse(s).ok_or_else(|| bad("role", s))
}

pub(crate) fn parse_kind(s: &str) -> Result<VersionKind> {
    VersionKind::parse(s).ok_or_else(|| bad("version kind", s))
}

pub(crate) fn parse_decision(s: &str) -> Result<Decision> {
    match s {
        "return" => Ok(Decision::Return),
        "approve" => Ok(Decision::Approve),
        other => Err(bad("decision", other)),
    }
}

pub(crate) const UNIT_COLUMNS: &str = "id, name, parent_id, created_at";

pub(crate) const USER_COLUMNS: &str =
    "id, username, password_hash, role, unit_id, display_name, disabled_at, created_at";

/// Dossier with its unit's name and the finding counts of its current version (kept on
/// the dossier row, so a listing never reads the large `versions` rows).
pub(crate) const DOSSIER_SELECT: &str = "SELECT d.id, d.unit_id, u.name AS unit_name, d.year, \
     d.status, d.current_version, d.approved_version, d.grade, d.not_for_budget, d.total_fen, \
     d.error_count, d.warning_count, d.created_at, d.updated_at, d.kind, d.report_of, \
     d.period_months, d.round_id \
     FROM dossiers d \
     JOIN units u ON u.id = d.unit_id";

// The `*_name` columns below are the name shown for a user: the display name, or the
// username when there is none.

pub(crate) const VERSION_INFO_SELECT: &str = "SELECT v.dossier_id, v.version, v.kind, v.reason, \
     v.base_version, v.error_count, v.warning_count, v.created_by, \
     COALESCE(NULLIF(u.display_name, ''), u.username) AS created_by_name, v.created_at \
     FROM versions v LEFT JOIN users u ON u.id = v.created_by";

pub(crate) const COMMENT_SELECT: &str = "SELECT c.id, c.dossier_id, c.version, c.field, c.body, \
     c.author_id, COALESCE(NULLIF(u.display_name, ''), u.username) AS author_name, \
     c.created_at, c.resolved_at, \
     COALESCE(NULLIF(r.display_name, ''), r.username) AS resolved_by_name \
     FROM comments c JOIN users u ON u.id = c.author_id \
     LEFT JOIN users r ON r.id = c.resolved_by";

pub(crate) const REVIEW_SELECT: &str = "SELECT r.id, r.dossier_id, r.version, r.reviewer_id, \
     COALESCE(NULLIF(u.display_name, ''), u.username) AS reviewer_name, r.decision, r.grade, \
     r.opinions, r.created_at \
     FROM reviews r JOIN users u ON u.id = r.reviewer_id";

pub(crate) const SESSION_COLUMNS: &str = "user_id, csrf_token, created_at, expires_at, last_seen";

pub(crate) const AUDIT_COLUMNS: &str =
    "seq, at, actor, action, target, address, detail, prev_hash, hash";
