//! The storage interface. Callers are generic over `S: Store` (or use
//! [`crate::AnyStore`]); every writing method is one transaction that also appends its
//! audit record, so data and audit log never disagree.
//!
//! The futures are `Send` so handlers of a multi-threaded server can await them.

use std::future::Future;
use std::path::Path;
use std::time::Duration;

use jixiao_domain::review::{Action, Status};
use jixiao_domain::{Finding, Form};

use crate::error::Result;
use crate::model::{
    Actor, AuditRecord, AuditReport, Comment, DossierFilter, NewUser, Page, ReviewRecord, SaveKind,
    Session, StoredDossier, Unit, User, Version, VersionInfo,
};

pub trait Store: Send + Sync {
    /// Cheap liveness check for `/healthz`.
    fn ping(&self) -> impl Future<Output = Result<()>> + Send;

    // ---- units (预算单位) ----

    /// `Duplicate` when the name is taken.
    fn create_unit(
        &self,
        name: &str,
        parent_id: Option<i64>,
        actor: &Actor,
    ) -> impl Future<Output = Result<Unit>> + Send;
    fn get_unit(&self, id: i64) -> impl Future<Output = Result<Unit>> + Send;
    fn unit_by_name(&self, name: &str) -> impl Future<Output = Result<Unit>> + Send;
    fn list_units(&self) -> impl Future<Output = Result<Vec<Unit>>> + Send;

    // ---- users ----

    /// `Duplicate` when the username is taken; a `unit` user needs a unit.
    fn create_user(
        &self,
        user: &NewUser<'_>,
        actor: &Actor,
    ) -> impl Future<Output = Result<User>> + Send;
    fn get_user(&self, id: i64) -> impl Future<Output = Result<User>> + Send;
    fn user_by_username(&self, username: &str) -> impl Future<Output = Result<User>> + Send;
    fn list_users(&self) -> impl Future<Output = Result<Vec<User>>> + Send;
    fn set_password(
        &self,
        user_id: i64,
        password_hash: &str,
        actor: &Actor,
    ) -> impl Future<Output = Result<()>> + Send;

    // ---- reviewer assignments ----

    /// Idempotent; true when the assignment is new. The user must be a reviewer.
    fn assign_reviewer(
        &self,
        reviewer_id: i64,
        unit_id: i64,
        actor: &Actor,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// True when an assignment was removed.
    fn unassign_reviewer(
        &self,
        reviewer_id: i64,
        unit_id: i64,
        actor: &Actor,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// The unit ids assigned to a reviewer, ascending.
    fn reviewer_units(&self, reviewer_id: i64) -> impl Future<Output = Result<Vec<i64>>> + Send;

    // ---- dossiers and versions ----

    /// A new dossier in 草稿 with version 1. `Duplicate` when the unit already has one
    /// for that year.
    fn create_dossier(
        &self,
        unit_id: i64,
        year: i64,
        forms: &[Form],
        findings: &[Finding],
        actor: &Actor,
    ) -> impl Future<Output = Result<StoredDossier>> + Send;
    fn get_dossier(&self, id: i64) -> impl Future<Output = Result<StoredDossier>> + Send;
    fn find_dossier(
        &self,
        unit_id: i64,
        year: i64,
    ) -> impl Future<Output = Result<StoredDossier>> + Send;
    /// The dossiers matching every condition of `filter` (units, statuses, year, search
    /// text over the current version's search document), in `filter.order` (newest
    /// first by default; `Quality`: most errors, then most warnings), one page of them
    /// and the total count. Both backends give the same answer (docs/storage.md).
    fn list_dossiers(
        &self,
        filter: &DossierFilter,
    ) -> impl Future<Output = Result<Page<StoredDossier>>> + Send;

    /// Optimistic locking: saves a new current version when `base_version` is the
    /// current one. Otherwise, on an editable dossier, the forms are kept as a
    /// `conflict` version (see `history`), the current version is unchanged, and the
    /// result is `Conflict { current }`; on a dossier under review or approved a stale
    /// save is `Refused` and nothing is stored. A plain save needs an editable status
    /// (草稿, 退回修改, 调整中); an adjustment needs 审核通过 and a reason and moves it
    /// to 调整中.
    fn save_version(
        &self,
        dossier_id: i64,
        base_version: i64,
        forms: &[Form],
        findings: &[Finding],
        actor: &Actor,
        kind: SaveKind,
    ) -> impl Future<Output = Result<VersionInfo>> + Send;
    /// Any version, including conflict versions.
    fn get_version(
        &self,
        dossier_id: i64,
        version: i64,
    ) -> impl Future<Output = Result<Version>> + Send;
    /// Every version, oldest first. `NotFound` for an unknown dossier.
    fn history(&self, dossier_id: i64) -> impl Future<Output = Result<Vec<VersionInfo>>> + Send;

    /// A workflow step (`Submit`, `Return`, `Approve`) decided by
    /// `jixiao_domain::review::apply` from `expected_status`. Fails with `Conflict` when
    /// the dossier's status or current version is no longer what the caller saw (so a
    /// reviewer approves exactly the version they read). `Return`/`Approve` also write
    /// the review record and need a user. Adjustments go through `save_version`.
    fn transition(
        &self,
        dossier_id: i64,
        expected_status: Status,
        expected_version: i64,
        action: &Action,
        actor: &Actor,
    ) -> impl Future<Output = Result<StoredDossier>> + Send;

    // ---- comments and reviews ----

    /// A remark by `actor` (a user) on `field` of a version.
    fn add_comment(
        &self,
        dossier_id: i64,
        version: i64,
        field: &str,
        body: &str,
        actor: &Actor,
    ) -> impl Future<Output = Result<Comment>> + Send;
    /// Oldest first.
    fn comments(&self, dossier_id: i64) -> impl Future<Output = Result<Vec<Comment>>> + Send;
    /// Oldest first.
    fn reviews(&self, dossier_id: i64) -> impl Future<Output = Result<Vec<ReviewRecord>>> + Send;

    // ---- sessions ----

    /// A new session; returns the token (only its hash is stored) and the session.
    fn create_session(
        &self,
        user_id: i64,
        ttl: Duration,
    ) -> impl Future<Output = Result<(String, Session)>> + Send;
    /// `NotFound` when unknown or expired.
    fn get_session(&self, token: &str) -> impl Future<Output = Result<Session>> + Send;
    /// Records activity and slides the expiry to now + `ttl`. `NotFound` when unknown
    /// or already expired.
    fn touch_session(
        &self,
        token: &str,
        ttl: Duration,
    ) -> impl Future<Output = Result<Session>> + Send;
    /// True when a session was deleted (logout).
    fn delete_session(&self, token: &str) -> impl Future<Output = Result<bool>> + Send;
    /// Logs a user out everywhere (password change, disabling); returns the count.
    fn delete_user_sessions(&self, user_id: i64) -> impl Future<Output = Result<u64>> + Send;
    /// Removes expired sessions; returns the count.
    fn purge_expired_sessions(&self) -> impl Future<Output = Result<u64>> + Send;

    // ---- audit log ----

    /// Appends an event that is not a data change (login, logout, refused access).
    fn append_audit(
        &self,
        actor: &Actor,
        action: &str,
        target: &str,
        detail: &serde_json::Value,
    ) -> impl Future<Output = Result<AuditRecord>> + Send;
    /// Records with `seq > after_seq`, ascending, at most `limit`.
    fn audit_log(
        &self,
        after_seq: i64,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<AuditRecord>>> + Send;
    /// How many `action` records about `target` (from `address`, when given) were
    /// appended at or after `since` (epoch ms). Login rate limiting counts failed logins
    /// with it, so the limit holds across processes and restarts.
    fn count_audit(
        &self,
        action: &str,
        target: &str,
        address: Option<&str>,
        since: i64,
    ) -> impl Future<Output = Result<i64>> + Send;
    /// Walks the whole chain and reports the first broken record.
    fn verify_audit(&self) -> impl Future<Output = Result<AuditReport>> + Send;

    // ---- operations ----

    /// A consistent copy of the database at `path` while the store is in use (SQLite,
    /// `VACUUM INTO`; the file must not exist). PostgreSQL refuses: use pg_dump.
    fn backup(&self, path: &Path) -> impl Future<Output = Result<()>> + Send;
}
