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

use crate::backend::Backend;
use crate::error::Result;
use crate::model::{
    Actor, AuditRecord, AuditReport, Comment, DeletedDossier, DossierEvent, DossierFilter, Lease,
    LeaseKind, LoginDevice, LoginFailures, LoginPressure, NewReport, NewUser, Page, ReportFilter,
    ReviewRecord, Round, SaveKind, Session, StoredDossier, Unit, UnitProgress, User, Version,
    VersionInfo,
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
    /// A new password hash; the user is logged out everywhere (sessions and known login
    /// devices) in the same transaction.
    fn set_password(
        &self,
        user_id: i64,
        password_hash: &str,
        actor: &Actor,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Sets a user's display name (the real name shown in pages and exports; trimmed,
    /// at most 50 characters; empty shows the username again). The login id stays.
    fn rename_user(
        &self,
        user_id: i64,
        display_name: &str,
        actor: &Actor,
    ) -> impl Future<Output = Result<User>> + Send;
    /// Enables or disables an account; disabling ends its sessions (and forgets its known
    /// login devices) in the same transaction.
    fn set_user_enabled(
        &self,
        user_id: i64,
        enabled: bool,
        actor: &Actor,
    ) -> impl Future<Output = Result<User>> + Send;

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
    /// Every assignment as (reviewer id, unit id), by reviewer then unit.
    fn assignments(&self) -> impl Future<Output = Result<Vec<(i64, i64)>>> + Send;

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

    /// 删除: a 草稿 at `expected_version` leaves every listing and lookup (its unit and
    /// year are free again); kept for [`Store::restore_dossier`]. Audited.
    fn delete_dossier(
        &self,
        dossier_id: i64,
        expected_version: i64,
        actor: &Actor,
    ) -> impl Future<Output = Result<()>> + Send;
    /// The deleted dossiers, the latest deletion first.
    fn deleted_dossiers(&self) -> impl Future<Output = Result<Vec<DeletedDossier>>> + Send;
    /// A deleted dossier back as it was; `Duplicate` when its unit and year are taken.
    fn restore_dossier(
        &self,
        dossier_id: i64,
        actor: &Actor,
    ) -> impl Future<Output = Result<StoredDossier>> + Send;

    /// 消息: the latest workflow steps and comments on the dossiers of `units` (every
    /// unit when `None`) by anyone but `not_by` (a username), newest first.
    fn dossier_events(
        &self,
        units: Option<&[i64]>,
        not_by: &str,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<DossierEvent>>> + Send;
    /// 填报进度: units (all when `None`) by name, each with its dossier of `year` if any.
    fn progress(
        &self,
        units: Option<&[i64]>,
        year: i64,
    ) -> impl Future<Output = Result<Vec<UnitProgress>>> + Send;
    /// The filing deadline of `year` (ms since the epoch), when set.
    fn deadline(&self, year: i64) -> impl Future<Output = Result<Option<i64>>> + Send;
    /// Sets or clears (`None`) the deadline of `year`. Audited `deadline.set`.
    fn set_deadline(
        &self,
        year: i64,
        due_at: Option<i64>,
        actor: &Actor,
    ) -> impl Future<Output = Result<()>> + Send;
    /// 催报: a reminder to each unit about `year` (audited `unit.remind`; a notice).
    fn remind_units(
        &self,
        unit_ids: &[i64],
        year: i64,
        actor: &Actor,
    ) -> impl Future<Output = Result<()>> + Send;
    /// The workflow steps of a dossier (created, submitted, withdrawn, returned, approved,
    /// adjusted, deleted, restored), oldest first, with who took them.
    fn dossier_steps(
        &self,
        dossier_id: i64,
    ) -> impl Future<Output = Result<Vec<DossierEvent>>> + Send;
    /// The audit seq up to which the user has read the notices (0: none).
    fn notices_seen(&self, user_id: i64) -> impl Future<Output = Result<i64>> + Send;
    /// Marks the notices up to `seq` read; never moves backwards.
    fn mark_notices_seen(&self, user_id: i64, seq: i64) -> impl Future<Output = Result<()>> + Send;

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
    /// Marks a comment of the dossier 已解决, or open again (audited).
    fn resolve_comment(
        &self,
        dossier_id: i64,
        comment_id: i64,
        resolved: bool,
        actor: &Actor,
    ) -> impl Future<Output = Result<Comment>> + Send;
    /// Oldest first.
    fn comments(&self, dossier_id: i64) -> impl Future<Output = Result<Vec<Comment>>> + Send;
    /// Oldest first.
    fn reviews(&self, dossier_id: i64) -> impl Future<Output = Result<Vec<ReviewRecord>>> + Send;

    // ---- reports: 绩效运行监控 and 绩效自评 ----

    /// A report in 草稿 on an approved target dossier (see `reports::create`); audited
    /// `report.create`.
    fn create_report(
        &self,
        new: &NewReport,
        forms: &[Form],
        findings: &[Finding],
        actor: &Actor,
    ) -> impl Future<Output = Result<StoredDossier>> + Send;
    /// The reports on a target dossier: monitoring by period, then the self-evaluation.
    fn reports_of(&self, target_id: i64)
        -> impl Future<Output = Result<Vec<StoredDossier>>> + Send;
    /// Opens a monitoring round (audited `round.open`); `Duplicate` when the year already
    /// has a round for that period.
    fn open_round(
        &self,
        year: i64,
        period_months: i64,
        due_at: Option<i64>,
        actor: &Actor,
    ) -> impl Future<Output = Result<Round>> + Send;
    /// The monitoring rounds (of a year), the latest first.
    fn rounds(&self, year: Option<i64>) -> impl Future<Output = Result<Vec<Round>>> + Send;
    fn get_round(&self, id: i64) -> impl Future<Output = Result<Round>> + Send;
    /// Reports with the forms of their current version, by unit name.
    fn report_sheets(
        &self,
        filter: &ReportFilter,
    ) -> impl Future<Output = Result<Vec<(StoredDossier, Vec<Form>)>>> + Send;

    // ---- 预算公开 ----

    /// Publishes the approved dossiers of a selection (audited); how many.
    fn publish(
        &self,
        selection: &crate::publications::Selection,
        actor: &Actor,
    ) -> impl Future<Output = Result<i64>> + Send;
    /// Takes a selection off the public site (audited); how many.
    fn unpublish(
        &self,
        selection: &crate::publications::Selection,
        actor: &Actor,
    ) -> impl Future<Output = Result<i64>> + Send;
    /// The published dossiers (of a year), by 主管部门, unit and year.
    fn published(
        &self,
        year: Option<i64>,
    ) -> impl Future<Output = Result<Vec<crate::publications::Published>>> + Send;
    /// One published dossier with the forms published; `NotFound` unless published.
    fn published_dossier(
        &self,
        id: i64,
    ) -> impl Future<Output = Result<(crate::publications::Published, Vec<Form>)>> + Send;
    /// What is published of one dossier, without its forms (a page cache's key);
    /// `NotFound` unless published.
    fn published_head(
        &self,
        id: i64,
    ) -> impl Future<Output = Result<crate::publications::Published>> + Send;
    /// Every published dossier of a year with the forms published, in one query, in the
    /// order of [`Store::published`] (the year's open data).
    fn published_year(
        &self,
        year: i64,
    ) -> impl Future<Output = Result<Vec<(crate::publications::Published, Vec<Form>)>>> + Send;

    // ---- indicator library ----

    /// Stores (or replaces) what the library keeps of a source; answers the data it
    /// replaced, so the caller can take its old contribution back.
    fn library_put(
        &self,
        source: &str,
        year: Option<i64>,
        data: &str,
    ) -> impl Future<Output = Result<Option<String>>> + Send;
    /// Stored sources after `after` in key order, at most `limit`.
    fn library_page(
        &self,
        after: &str,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<crate::LibrarySource>>> + Send;
    /// Records an admin's correction of the library (audited `library.edit`).
    fn library_add_edit(
        &self,
        edit: &str,
        actor: &Actor,
    ) -> impl Future<Output = Result<i64>> + Send;
    /// Every correction, oldest first.
    fn library_edits(&self) -> impl Future<Output = Result<Vec<String>>> + Send;

    // ---- statistics ----

    /// Counts what the statistics desk needs of every dossier whose current version was
    /// not counted yet (`jixiao serve` does it at start, so after an upgrade no user waits
    /// for it). Answers how many were counted.
    fn refresh_statistics(&self) -> impl Future<Output = Result<usize>> + Send;
    /// A stamp that changes whenever anything [`Store::statistics`] reads changes (see
    /// [`crate::stats`]), for a cache of its answers.
    fn statistics_stamp(&self) -> impl Future<Output = Result<String>> + Send;

    /// 统计汇总 of `year` over `units` (all when `None`), see [`crate::stats`].
    fn statistics(
        &self,
        year: i64,
        units: Option<&[i64]>,
    ) -> impl Future<Output = Result<crate::stats::Statistics>> + Send;

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

    // ---- login throttling (docs/storage.md, "Login throttling") ----

    /// Counts a failed login of `username` (as typed) from `address`. The first failure
    /// of a window (opened by it, `window` long) also appends one `login.failed` audit
    /// record; later ones only count, so guessing cannot grow the audit log without
    /// bound. Returns the window's count.
    fn record_login_failure(
        &self,
        username: &str,
        address: Option<&str>,
        window: Duration,
    ) -> impl Future<Output = Result<i64>> + Send;
    /// The windows of failed logins of `username` touched at or after `since`.
    fn login_failures(
        &self,
        username: &str,
        since: i64,
    ) -> impl Future<Output = Result<Vec<LoginFailures>>> + Send;
    /// Recent failures of a username (from any address, since `user_since`) and of an
    /// address (for any username, since `address_since`).
    fn login_pressure(
        &self,
        username: &str,
        address: Option<&str>,
        user_since: i64,
        address_since: i64,
    ) -> impl Future<Output = Result<LoginPressure>> + Send;
    /// A new device token for a user who just logged in.
    fn create_login_device(
        &self,
        user_id: i64,
        ttl: Duration,
    ) -> impl Future<Output = Result<String>> + Send;
    /// `NotFound` when unknown or expired.
    fn login_device(&self, token: &str) -> impl Future<Output = Result<LoginDevice>> + Send;
    /// A login with a device: a failure counts, a success resets the count.
    fn login_device_used(
        &self,
        token: &str,
        success: bool,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Forgets failures last touched before `before` and expired devices.
    fn purge_login_records(&self, before: i64) -> impl Future<Output = Result<u64>> + Send;

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
    /// The newest record's sequence number and hash (0 and the genesis value for an empty
    /// log): keep it elsewhere to detect a truncated log later.
    fn audit_head(&self) -> impl Future<Output = Result<(i64, String)>> + Send;
    /// [`Store::verify_audit`], and the chain must still contain `expected_head` (a head
    /// kept earlier); when the log was cut off before it, or its tail rewritten, that is a
    /// break after the last intact record.
    fn verify_audit_to(
        &self,
        expected_head: &str,
    ) -> impl Future<Output = Result<AuditReport>> + Send;

    // ---- operations ----

    /// A consistent copy of the database at `path` while the store is in use (SQLite,
    /// `VACUUM INTO`; the file must not exist). PostgreSQL refuses: use pg_dump.
    fn backup(&self, path: &Path) -> impl Future<Output = Result<()>> + Send;
    /// Claims the database for `ttl` (renew before it runs out): a `Serve` lease is refused
    /// while a restore holds one, a `Restore` lease while a server (or another restore)
    /// does. `Refused` says who holds it.
    fn take_lease(
        &self,
        kind: LeaseKind,
        holder: &str,
        ttl: Duration,
    ) -> impl Future<Output = Result<Lease>> + Send;
    /// Extends a lease to now + `ttl`; `NotFound` when it is gone.
    fn renew_lease(&self, id: &str, ttl: Duration) -> impl Future<Output = Result<()>> + Send;
    fn release_lease(&self, id: &str) -> impl Future<Output = Result<()>> + Send;
    /// Removes every lease (of a database restored from a backup).
    fn clear_leases(&self) -> impl Future<Output = Result<()>> + Send;
}

/// Both backends: each method is the plain function of its concern module on the
/// backend's SQL layer (`crate::backend`).
impl<B: Backend> Store for B {
    async fn ping(&self) -> Result<()> {
        use crate::backend::{Exec, Sql};
        self.read().await?.execute(&Sql::new("SELECT 1")).await?;
        Ok(())
    }
    async fn create_unit(&self, name: &str, parent_id: Option<i64>, actor: &Actor) -> Result<Unit> {
        crate::units::create(self, name, parent_id, actor).await
    }
    async fn get_unit(&self, id: i64) -> Result<Unit> {
        crate::units::get(self, id).await
    }
    async fn unit_by_name(&self, name: &str) -> Result<Unit> {
        crate::units::by_name(self, name).await
    }
    async fn list_units(&self) -> Result<Vec<Unit>> {
        crate::units::list(self).await
    }
    async fn create_user(&self, user: &NewUser<'_>, actor: &Actor) -> Result<User> {
        crate::users::create(self, user, actor).await
    }
    async fn get_user(&self, id: i64) -> Result<User> {
        crate::users::get(self, id).await
    }
    async fn user_by_username(&self, username: &str) -> Result<User> {
        crate::users::by_username(self, username).await
    }
    async fn list_users(&self) -> Result<Vec<User>> {
        crate::users::list(self).await
    }
    async fn set_password(&self, user_id: i64, password_hash: &str, actor: &Actor) -> Result<()> {
        crate::users::set_password(self, user_id, password_hash, actor).await
    }
    async fn rename_user(&self, user_id: i64, display_name: &str, actor: &Actor) -> Result<User> {
        crate::users::rename(self, user_id, display_name, actor).await
    }
    async fn set_user_enabled(&self, user_id: i64, enabled: bool, actor: &Actor) -> Result<User> {
        crate::users::set_enabled(self, user_id, enabled, actor).await
    }
    async fn assignments(&self) -> Result<Vec<(i64, i64)>> {
        crate::users::assignments(self).await
    }
    async fn assign_reviewer(&self, reviewer_id: i64, unit_id: i64, actor: &Actor) -> Result<bool> {
        crate::users::assign(self, reviewer_id, unit_id, actor).await
    }
    async fn unassign_reviewer(
        &self,
        reviewer_id: i64,
        unit_id: i64,
        actor: &Actor,
    ) -> Result<bool> {
        crate::users::unassign(self, reviewer_id, unit_id, actor).await
    }
    async fn reviewer_units(&self, reviewer_id: i64) -> Result<Vec<i64>> {
        crate::users::reviewer_units(self, reviewer_id).await
    }
    async fn create_dossier(
        &self,
        unit_id: i64,
        year: i64,
        forms: &[Form],
        findings: &[Finding],
        actor: &Actor,
    ) -> Result<StoredDossier> {
        crate::dossiers::create(self, unit_id, year, forms, findings, actor).await
    }
    async fn get_dossier(&self, id: i64) -> Result<StoredDossier> {
        crate::dossiers::get(self, id).await
    }
    async fn create_report(
        &self,
        new: &NewReport,
        forms: &[Form],
        findings: &[Finding],
        actor: &Actor,
    ) -> Result<StoredDossier> {
        crate::reports::create(self, new, forms, findings, actor).await
    }
    async fn reports_of(&self, target_id: i64) -> Result<Vec<StoredDossier>> {
        crate::reports::of_target(self, target_id).await
    }
    async fn open_round(
        &self,
        year: i64,
        period_months: i64,
        due_at: Option<i64>,
        actor: &Actor,
    ) -> Result<Round> {
        crate::reports::open_round(self, year, period_months, due_at, actor).await
    }
    async fn rounds(&self, year: Option<i64>) -> Result<Vec<Round>> {
        crate::reports::rounds(self, year).await
    }
    async fn get_round(&self, id: i64) -> Result<Round> {
        crate::reports::get_round(self, id).await
    }
    async fn report_sheets(
        &self,
        filter: &ReportFilter,
    ) -> Result<Vec<(StoredDossier, Vec<Form>)>> {
        crate::reports::sheets(self, filter).await
    }
    async fn find_dossier(&self, unit_id: i64, year: i64) -> Result<StoredDossier> {
        crate::dossiers::find(self, unit_id, year).await
    }
    async fn list_dossiers(&self, filter: &DossierFilter) -> Result<Page<StoredDossier>> {
        crate::dossiers::list(self, filter).await
    }
    async fn save_version(
        &self,
        dossier_id: i64,
        base_version: i64,
        forms: &[Form],
        findings: &[Finding],
        actor: &Actor,
        kind: SaveKind,
    ) -> Result<VersionInfo> {
        crate::versions::save(self, dossier_id, base_version, forms, findings, actor, kind).await
    }
    async fn get_version(&self, dossier_id: i64, version: i64) -> Result<Version> {
        crate::versions::get(self, dossier_id, version).await
    }
    async fn history(&self, dossier_id: i64) -> Result<Vec<VersionInfo>> {
        crate::versions::history(self, dossier_id).await
    }
    async fn dossier_events(
        &self,
        units: Option<&[i64]>,
        not_by: &str,
        limit: i64,
    ) -> Result<Vec<DossierEvent>> {
        crate::audit::events(self, units, not_by, limit).await
    }
    async fn notices_seen(&self, user_id: i64) -> Result<i64> {
        crate::audit::notices_seen(self, user_id).await
    }
    async fn dossier_steps(&self, dossier_id: i64) -> Result<Vec<DossierEvent>> {
        crate::audit::steps(self, dossier_id).await
    }
    async fn progress(&self, units: Option<&[i64]>, year: i64) -> Result<Vec<UnitProgress>> {
        crate::progress::progress(self, units, year).await
    }
    async fn deadline(&self, year: i64) -> Result<Option<i64>> {
        crate::progress::deadline(self, year).await
    }
    async fn set_deadline(&self, year: i64, due_at: Option<i64>, actor: &Actor) -> Result<()> {
        crate::progress::set_deadline(self, year, due_at, actor).await
    }
    async fn remind_units(&self, unit_ids: &[i64], year: i64, actor: &Actor) -> Result<()> {
        crate::progress::remind(self, unit_ids, year, actor).await
    }
    async fn mark_notices_seen(&self, user_id: i64, seq: i64) -> Result<()> {
        crate::audit::mark_notices_seen(self, user_id, seq).await
    }
    async fn delete_dossier(
        &self,
        dossier_id: i64,
        expected_version: i64,
        actor: &Actor,
    ) -> Result<()> {
        crate::dossiers::delete(self, dossier_id, expected_version, actor).await
    }
    async fn deleted_dossiers(&self) -> Result<Vec<DeletedDossier>> {
        crate::dossiers::deleted(self).await
    }
    async fn restore_dossier(&self, dossier_id: i64, actor: &Actor) -> Result<StoredDossier> {
        crate::dossiers::restore(self, dossier_id, actor).await
    }
    async fn transition(
        &self,
        dossier_id: i64,
        expected_status: Status,
        expected_version: i64,
        action: &Action,
        actor: &Actor,
    ) -> Result<StoredDossier> {
        crate::workflow::transition(
            self,
            dossier_id,
            expected_status,
            expected_version,
            action,
            actor,
        )
        .await
    }
    async fn add_comment(
        &self,
        dossier_id: i64,
        version: i64,
        field: &str,
        body: &str,
        actor: &Actor,
    ) -> Result<Comment> {
        crate::comments::add(self, dossier_id, version, field, body, actor).await
    }
    async fn resolve_comment(
        &self,
        dossier_id: i64,
        comment_id: i64,
        resolved: bool,
        actor: &Actor,
    ) -> Result<Comment> {
        crate::comments::resolve(self, dossier_id, comment_id, resolved, actor).await
    }
    async fn comments(&self, dossier_id: i64) -> Result<Vec<Comment>> {
        crate::comments::list(self, dossier_id).await
    }
    async fn reviews(&self, dossier_id: i64) -> Result<Vec<ReviewRecord>> {
        crate::comments::reviews(self, dossier_id).await
    }
    async fn statistics(
        &self,
        year: i64,
        units: Option<&[i64]>,
    ) -> Result<crate::stats::Statistics> {
        crate::stats::statistics(self, year, units).await
    }
    async fn refresh_statistics(&self) -> Result<usize> {
        crate::stats::refresh(self).await
    }
    async fn publish(
        &self,
        selection: &crate::publications::Selection,
        actor: &Actor,
    ) -> Result<i64> {
        crate::publications::publish(self, selection, actor).await
    }
    async fn unpublish(
        &self,
        selection: &crate::publications::Selection,
        actor: &Actor,
    ) -> Result<i64> {
        crate::publications::unpublish(self, selection, actor).await
    }
    async fn published(&self, year: Option<i64>) -> Result<Vec<crate::publications::Published>> {
        crate::publications::list(self, year).await
    }
    async fn published_dossier(
        &self,
        id: i64,
    ) -> Result<(crate::publications::Published, Vec<Form>)> {
        crate::publications::get(self, id).await
    }
    async fn published_head(&self, id: i64) -> Result<crate::publications::Published> {
        crate::publications::head(self, id).await
    }
    async fn published_year(
        &self,
        year: i64,
    ) -> Result<Vec<(crate::publications::Published, Vec<Form>)>> {
        crate::publications::year_with_forms(self, year).await
    }
    async fn library_put(
        &self,
        source: &str,
        year: Option<i64>,
        data: &str,
    ) -> Result<Option<String>> {
        crate::library::put(self, source, year, data).await
    }
    async fn library_page(&self, after: &str, limit: i64) -> Result<Vec<crate::LibrarySource>> {
        crate::library::page(self, after, limit).await
    }
    async fn library_add_edit(&self, edit: &str, actor: &Actor) -> Result<i64> {
        crate::library::add_edit(self, edit, actor).await
    }
    async fn library_edits(&self) -> Result<Vec<String>> {
        crate::library::edits(self).await
    }
    async fn statistics_stamp(&self) -> Result<String> {
        crate::stats::stamp(self).await
    }
    async fn create_session(&self, user_id: i64, ttl: Duration) -> Result<(String, Session)> {
        crate::sessions::create(self, user_id, ttl).await
    }
    async fn get_session(&self, token: &str) -> Result<Session> {
        crate::sessions::get(self, token).await
    }
    async fn touch_session(&self, token: &str, ttl: Duration) -> Result<Session> {
        crate::sessions::touch(self, token, ttl).await
    }
    async fn delete_session(&self, token: &str) -> Result<bool> {
        crate::sessions::delete(self, token).await
    }
    async fn delete_user_sessions(&self, user_id: i64) -> Result<u64> {
        crate::sessions::delete_for_user(self, user_id).await
    }
    async fn purge_expired_sessions(&self) -> Result<u64> {
        crate::sessions::purge_expired(self).await
    }
    async fn record_login_failure(
        &self,
        username: &str,
        address: Option<&str>,
        window: Duration,
    ) -> Result<i64> {
        crate::login::record_failure(self, username, address, window).await
    }
    async fn login_failures(&self, username: &str, since: i64) -> Result<Vec<LoginFailures>> {
        crate::login::failures(self, username, since).await
    }
    async fn login_pressure(
        &self,
        username: &str,
        address: Option<&str>,
        user_since: i64,
        address_since: i64,
    ) -> Result<LoginPressure> {
        crate::login::pressure(self, username, address, user_since, address_since).await
    }
    async fn create_login_device(&self, user_id: i64, ttl: Duration) -> Result<String> {
        crate::login::create_device(self, user_id, ttl).await
    }
    async fn login_device(&self, token: &str) -> Result<LoginDevice> {
        crate::login::device(self, token).await
    }
    async fn login_device_used(&self, token: &str, success: bool) -> Result<()> {
        crate::login::device_used(self, token, success).await
    }
    async fn purge_login_records(&self, before: i64) -> Result<u64> {
        crate::login::purge(self, before).await
    }
    async fn append_audit(
        &self,
        actor: &Actor,
        action: &str,
        target: &str,
        detail: &serde_json::Value,
    ) -> Result<AuditRecord> {
        crate::audit::append(self, actor, action, target, detail).await
    }
    async fn audit_log(&self, after_seq: i64, limit: i64) -> Result<Vec<AuditRecord>> {
        crate::audit::log(self, after_seq, limit).await
    }
    async fn count_audit(
        &self,
        action: &str,
        target: &str,
        address: Option<&str>,
        since: i64,
    ) -> Result<i64> {
        crate::audit::count(self, action, target, address, since).await
    }
    async fn verify_audit(&self) -> Result<AuditReport> {
        crate::audit::verify(self).await
    }
    async fn backup(&self, path: &Path) -> Result<()> {
        self.backup_to(path).await
    }
    async fn audit_head(&self) -> Result<(i64, String)> {
        crate::audit::head(self).await
    }
    async fn verify_audit_to(&self, expected_head: &str) -> Result<AuditReport> {
        crate::audit::verify_to(self, expected_head).await
    }
    async fn take_lease(&self, kind: LeaseKind, holder: &str, ttl: Duration) -> Result<Lease> {
        crate::leases::take(self, kind, holder, ttl).await
    }
    async fn renew_lease(&self, id: &str, ttl: Duration) -> Result<()> {
        crate::leases::renew(self, id, ttl).await
    }
    async fn release_lease(&self, id: &str) -> Result<()> {
        crate::leases::release(self, id).await
    }
    async fn clear_leases(&self) -> Result<()> {
        crate::leases::clear(self).await
    }
}
