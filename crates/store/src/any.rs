//! Either backend behind one type, chosen from the `--database` value at run time.

use std::path::Path;
use std::time::Duration;

use jixiao_domain::review::{Action, Status};
use jixiao_domain::{Finding, Form};

use crate::error::{Result, StoreError};
use crate::model::{
    Actor, AuditRecord, AuditReport, Comment, DeletedDossier, DossierEvent, DossierFilter, Lease,
    LeaseKind, LoginDevice, LoginFailures, LoginPressure, NewReport, NewUser, Page, ReportFilter,
    ReviewRecord, Round, SaveKind, Session, StoredDossier, Unit, UnitProgress, User, Version,
    VersionInfo,
};
use crate::postgres::PgStore;
use crate::sqlite::SqliteStore;
use crate::store::Store;

#[derive(Clone, Debug)]
pub enum AnyStore {
    Sqlite(SqliteStore),
    Pg(PgStore),
}

/// Opens the store named by `target`: `postgres://…` / `postgresql://…` connects to
/// PostgreSQL, `sqlite:…` is a sqlx SQLite URL, anything else is a file path (created
/// when missing). Migrations run before it returns.
pub async fn open(target: &str) -> Result<AnyStore> {
    let t = target.trim();
    if t.starts_with("postgres://") || t.starts_with("postgresql://") {
        Ok(AnyStore::Pg(PgStore::connect(t).await?))
    } else if t.starts_with("sqlite:") {
        Ok(AnyStore::Sqlite(SqliteStore::open_url(t).await?))
    } else if t.contains("://") {
        Err(StoreError::refused(format!(
            "不支持的数据库地址：{}（请用 SQLite 文件路径、sqlite:// 或 postgres:// 地址）",
            t.split("://").next().unwrap_or_default()
        )))
    } else if t.is_empty() {
        Err(StoreError::refused("数据库路径不能为空"))
    } else {
        Ok(AnyStore::Sqlite(SqliteStore::open(t).await?))
    }
}

/// Like [`open`], but an SQLite database file must exist already (`jixiao init` creates
/// one), so a mistyped path is an error instead of a new, empty database.
pub async fn open_existing(target: &str) -> Result<AnyStore> {
    if let Some(path) = sqlite_file(target) {
        if !path.is_file() {
            return Err(StoreError::refused(format!(
                "数据库文件 {} 不存在（请检查 --database）。新建数据库请先运行：jixiao init --database {}",
                path.display(),
                target.trim()
            )));
        }
    }
    open(target).await
}

/// The file of an SQLite target (a path or a `sqlite:` URL); `None` for PostgreSQL and
/// in-memory databases.
pub fn sqlite_file(target: &str) -> Option<std::path::PathBuf> {
    let t = target.trim();
    if t.is_empty() || t.starts_with("postgres://") || t.starts_with("postgresql://") {
        return None;
    }
    let (path, query) = match t.strip_prefix("sqlite:") {
        Some(rest) => {
            let rest = rest.strip_prefix("//").unwrap_or(rest);
            rest.split_once('?').unwrap_or((rest, ""))
        }
        None if t.contains("://") => return None,
        None => (t, ""),
    };
    let memory = path.is_empty() || path == ":memory:" || query.contains("mode=memory");
    (!memory).then(|| std::path::PathBuf::from(path))
}

impl AnyStore {
    /// `"sqlite"` or `"postgres"`, for logs and `/healthz`.
    pub fn backend(&self) -> &'static str {
        match self {
            AnyStore::Sqlite(_) => "sqlite",
            AnyStore::Pg(_) => "postgres",
        }
    }

    pub async fn close(&self) {
        match self {
            AnyStore::Sqlite(s) => s.close().await,
            AnyStore::Pg(s) => s.close().await,
        }
    }
}

impl From<SqliteStore> for AnyStore {
    fn from(s: SqliteStore) -> Self {
        AnyStore::Sqlite(s)
    }
}

impl From<PgStore> for AnyStore {
    fn from(s: PgStore) -> Self {
        AnyStore::Pg(s)
    }
}

/// Calls the same method on whichever backend this is.
macro_rules! on {
    ($self:ident . $method:ident ( $($arg:expr),* )) => {
        match $self {
            AnyStore::Sqlite(s) => s.$method($($arg),*).await,
            AnyStore::Pg(s) => s.$method($($arg),*).await,
        }
    };
}

impl Store for AnyStore {
    async fn ping(&self) -> Result<()> {
        on!(self.ping())
    }
    async fn create_unit(&self, name: &str, parent_id: Option<i64>, actor: &Actor) -> Result<Unit> {
        on!(self.create_unit(name, parent_id, actor))
    }
    async fn get_unit(&self, id: i64) -> Result<Unit> {
        on!(self.get_unit(id))
    }
    async fn unit_by_name(&self, name: &str) -> Result<Unit> {
        on!(self.unit_by_name(name))
    }
    async fn list_units(&self) -> Result<Vec<Unit>> {
        on!(self.list_units())
    }
    async fn create_user(&self, user: &NewUser<'_>, actor: &Actor) -> Result<User> {
        on!(self.create_user(user, actor))
    }
    async fn get_user(&self, id: i64) -> Result<User> {
        on!(self.get_user(id))
    }
    async fn user_by_username(&self, username: &str) -> Result<User> {
        on!(self.user_by_username(username))
    }
    async fn list_users(&self) -> Result<Vec<User>> {
        on!(self.list_users())
    }
    async fn set_password(&self, user_id: i64, password_hash: &str, actor: &Actor) -> Result<()> {
        on!(self.set_password(user_id, password_hash, actor))
    }
    async fn assign_reviewer(&self, reviewer_id: i64, unit_id: i64, actor: &Actor) -> Result<bool> {
        on!(self.assign_reviewer(reviewer_id, unit_id, actor))
    }
    async fn unassign_reviewer(
        &self,
        reviewer_id: i64,
        unit_id: i64,
        actor: &Actor,
    ) -> Result<bool> {
        on!(self.unassign_reviewer(reviewer_id, unit_id, actor))
    }
    async fn reviewer_units(&self, reviewer_id: i64) -> Result<Vec<i64>> {
        on!(self.reviewer_units(reviewer_id))
    }
    async fn create_dossier(
        &self,
        unit_id: i64,
        year: i64,
        forms: &[Form],
        findings: &[Finding],
        actor: &Actor,
    ) -> Result<StoredDossier> {
        on!(self.create_dossier(unit_id, year, forms, findings, actor))
    }
    async fn get_dossier(&self, id: i64) -> Result<StoredDossier> {
        on!(self.get_dossier(id))
    }
    async fn create_report(
        &self,
        new: &NewReport,
        forms: &[Form],
        findings: &[Finding],
        actor: &Actor,
    ) -> Result<StoredDossier> {
        on!(self.create_report(new, forms, findings, actor))
    }
    async fn reports_of(&self, target_id: i64) -> Result<Vec<StoredDossier>> {
        on!(self.reports_of(target_id))
    }
    async fn open_round(
        &self,
        year: i64,
        period_months: i64,
        due_at: Option<i64>,
        actor: &Actor,
    ) -> Result<Round> {
        on!(self.open_round(year, period_months, due_at, actor))
    }
    async fn rounds(&self, year: Option<i64>) -> Result<Vec<Round>> {
        on!(self.rounds(year))
    }
    async fn get_round(&self, id: i64) -> Result<Round> {
        on!(self.get_round(id))
    }
    async fn report_sheets(
        &self,
        filter: &ReportFilter,
    ) -> Result<Vec<(StoredDossier, Vec<Form>)>> {
        on!(self.report_sheets(filter))
    }
    async fn find_dossier(&self, unit_id: i64, year: i64) -> Result<StoredDossier> {
        on!(self.find_dossier(unit_id, year))
    }
    async fn list_dossiers(&self, filter: &DossierFilter) -> Result<Page<StoredDossier>> {
        on!(self.list_dossiers(filter))
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
        on!(self.save_version(dossier_id, base_version, forms, findings, actor, kind))
    }
    async fn get_version(&self, dossier_id: i64, version: i64) -> Result<Version> {
        on!(self.get_version(dossier_id, version))
    }
    async fn history(&self, dossier_id: i64) -> Result<Vec<VersionInfo>> {
        on!(self.history(dossier_id))
    }
    async fn dossier_events(
        &self,
        units: Option<&[i64]>,
        not_by: &str,
        limit: i64,
    ) -> Result<Vec<DossierEvent>> {
        on!(self.dossier_events(units, not_by, limit))
    }
    async fn notices_seen(&self, user_id: i64) -> Result<i64> {
        on!(self.notices_seen(user_id))
    }
    async fn dossier_steps(&self, dossier_id: i64) -> Result<Vec<DossierEvent>> {
        on!(self.dossier_steps(dossier_id))
    }
    async fn progress(&self, units: Option<&[i64]>, year: i64) -> Result<Vec<UnitProgress>> {
        on!(self.progress(units, year))
    }
    async fn deadline(&self, year: i64) -> Result<Option<i64>> {
        on!(self.deadline(year))
    }
    async fn set_deadline(&self, year: i64, due_at: Option<i64>, actor: &Actor) -> Result<()> {
        on!(self.set_deadline(year, due_at, actor))
    }
    async fn remind_units(&self, unit_ids: &[i64], year: i64, actor: &Actor) -> Result<()> {
        on!(self.remind_units(unit_ids, year, actor))
    }
    async fn mark_notices_seen(&self, user_id: i64, seq: i64) -> Result<()> {
        on!(self.mark_notices_seen(user_id, seq))
    }
    async fn delete_dossier(
        &self,
        dossier_id: i64,
        expected_version: i64,
        actor: &Actor,
    ) -> Result<()> {
        on!(self.delete_dossier(dossier_id, expected_version, actor))
    }
    async fn deleted_dossiers(&self) -> Result<Vec<DeletedDossier>> {
        on!(self.deleted_dossiers())
    }
    async fn restore_dossier(&self, dossier_id: i64, actor: &Actor) -> Result<StoredDossier> {
        on!(self.restore_dossier(dossier_id, actor))
    }
    async fn transition(
        &self,
        dossier_id: i64,
        expected_status: Status,
        expected_version: i64,
        action: &Action,
        actor: &Actor,
    ) -> Result<StoredDossier> {
        on!(self.transition(dossier_id, expected_status, expected_version, action, actor))
    }
    async fn add_comment(
        &self,
        dossier_id: i64,
        version: i64,
        field: &str,
        body: &str,
        actor: &Actor,
    ) -> Result<Comment> {
        on!(self.add_comment(dossier_id, version, field, body, actor))
    }
    async fn resolve_comment(
        &self,
        dossier_id: i64,
        comment_id: i64,
        resolved: bool,
        actor: &Actor,
    ) -> Result<Comment> {
        on!(self.resolve_comment(dossier_id, comment_id, resolved, actor))
    }
    async fn comments(&self, dossier_id: i64) -> Result<Vec<Comment>> {
        on!(self.comments(dossier_id))
    }
    async fn reviews(&self, dossier_id: i64) -> Result<Vec<ReviewRecord>> {
        on!(self.reviews(dossier_id))
    }
    async fn statistics(
        &self,
        year: i64,
        units: Option<&[i64]>,
    ) -> Result<crate::stats::Statistics> {
        on!(self.statistics(year, units))
    }
    async fn refresh_statistics(&self) -> Result<usize> {
        on!(self.refresh_statistics())
    }
    async fn publish(
        &self,
        selection: &crate::publications::Selection,
        actor: &Actor,
    ) -> Result<i64> {
        on!(self.publish(selection, actor))
    }
    async fn unpublish(
        &self,
        selection: &crate::publications::Selection,
        actor: &Actor,
    ) -> Result<i64> {
        on!(self.unpublish(selection, actor))
    }
    async fn published(&self, year: Option<i64>) -> Result<Vec<crate::publications::Published>> {
        on!(self.published(year))
    }
    async fn published_dossier(
        &self,
        id: i64,
    ) -> Result<(crate::publications::Published, Vec<Form>)> {
        on!(self.published_dossier(id))
    }
    async fn published_head(&self, id: i64) -> Result<crate::publications::Published> {
        on!(self.published_head(id))
    }
    async fn published_year(
        &self,
        year: i64,
    ) -> Result<Vec<(crate::publications::Published, Vec<Form>)>> {
        on!(self.published_year(year))
    }
    async fn library_put(
        &self,
        source: &str,
        year: Option<i64>,
        data: &str,
    ) -> Result<Option<String>> {
        on!(self.library_put(source, year, data))
    }
    async fn library_page(&self, after: &str, limit: i64) -> Result<Vec<crate::LibrarySource>> {
        on!(self.library_page(after, limit))
    }
    async fn library_add_edit(&self, edit: &str, actor: &Actor) -> Result<i64> {
        on!(self.library_add_edit(edit, actor))
    }
    async fn library_edits(&self) -> Result<Vec<String>> {
        on!(self.library_edits())
    }
    async fn statistics_stamp(&self) -> Result<String> {
        on!(self.statistics_stamp())
    }
    async fn create_session(&self, user_id: i64, ttl: Duration) -> Result<(String, Session)> {
        on!(self.create_session(user_id, ttl))
    }
    async fn get_session(&self, token: &str) -> Result<Session> {
        on!(self.get_session(token))
    }
    async fn touch_session(&self, token: &str, ttl: Duration) -> Result<Session> {
        on!(self.touch_session(token, ttl))
    }
    async fn delete_session(&self, token: &str) -> Result<bool> {
        on!(self.delete_session(token))
    }
    async fn delete_user_sessions(&self, user_id: i64) -> Result<u64> {
        on!(self.delete_user_sessions(user_id))
    }
    async fn purge_expired_sessions(&self) -> Result<u64> {
        on!(self.purge_expired_sessions())
    }
    async fn record_login_failure(
        &self,
        username: &str,
        address: Option<&str>,
        window: Duration,
    ) -> Result<i64> {
        on!(self.record_login_failure(username, address, window))
    }
    async fn login_failures(&self, username: &str, since: i64) -> Result<Vec<LoginFailures>> {
        on!(self.login_failures(username, since))
    }
    async fn login_pressure(
        &self,
        username: &str,
        address: Option<&str>,
        user_since: i64,
        address_since: i64,
    ) -> Result<LoginPressure> {
        on!(self.login_pressure(username, address, user_since, address_since))
    }
    async fn create_login_device(&self, user_id: i64, ttl: Duration) -> Result<String> {
        on!(self.create_login_device(user_id, ttl))
    }
    async fn login_device(&self, token: &str) -> Result<LoginDevice> {
        on!(self.login_device(token))
    }
    async fn login_device_used(&self, token: &str, success: bool) -> Result<()> {
        on!(self.login_device_used(token, success))
    }
    async fn purge_login_records(&self, before: i64) -> Result<u64> {
        on!(self.purge_login_records(before))
    }
    async fn append_audit(
        &self,
        actor: &Actor,
        action: &str,
        target: &str,
        detail: &serde_json::Value,
    ) -> Result<AuditRecord> {
        on!(self.append_audit(actor, action, target, detail))
    }
    async fn count_audit(
        &self,
        action: &str,
        target: &str,
        address: Option<&str>,
        since: i64,
    ) -> Result<i64> {
        on!(self.count_audit(action, target, address, since))
    }
    async fn audit_log(&self, after_seq: i64, limit: i64) -> Result<Vec<AuditRecord>> {
        on!(self.audit_log(after_seq, limit))
    }
    async fn verify_audit(&self) -> Result<AuditReport> {
        on!(self.verify_audit())
    }
    async fn backup(&self, path: &Path) -> Result<()> {
        on!(self.backup(path))
    }
    async fn rename_user(&self, user_id: i64, display_name: &str, actor: &Actor) -> Result<User> {
        on!(self.rename_user(user_id, display_name, actor))
    }
    async fn set_user_enabled(&self, user_id: i64, enabled: bool, actor: &Actor) -> Result<User> {
        on!(self.set_user_enabled(user_id, enabled, actor))
    }
    async fn assignments(&self) -> Result<Vec<(i64, i64)>> {
        on!(self.assignments())
    }
    async fn audit_head(&self) -> Result<(i64, String)> {
        on!(self.audit_head())
    }
    async fn verify_audit_to(&self, expected_head: &str) -> Result<AuditReport> {
        on!(self.verify_audit_to(expected_head))
    }
    async fn take_lease(&self, kind: LeaseKind, holder: &str, ttl: Duration) -> Result<Lease> {
        on!(self.take_lease(kind, holder, ttl))
    }
    async fn renew_lease(&self, id: &str, ttl: Duration) -> Result<()> {
        on!(self.renew_lease(id, ttl))
    }
    async fn release_lease(&self, id: &str) -> Result<()> {
        on!(self.release_lease(id))
    }
    async fn clear_leases(&self) -> Result<()> {
        on!(self.clear_leases())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_files_of_targets() {
        let f = |t: &str| sqlite_file(t).map(|p| p.display().to_string());
        assert_eq!(f("jixiao.db").as_deref(), Some("jixiao.db"));
        assert_eq!(
            f("sqlite://data/j.db?mode=rwc").as_deref(),
            Some("data/j.db")
        );
        assert_eq!(f("sqlite:///abs/j.db").as_deref(), Some("/abs/j.db"));
        assert_eq!(f("sqlite::memory:"), None);
        assert_eq!(f("sqlite://x.db?mode=memory"), None);
        assert_eq!(f("postgres://u@h/db"), None);
        assert_eq!(f("mysql://h/db"), None);
    }

    #[tokio::test]
    async fn a_missing_file_is_not_created() {
        let dir = tempfile::tempdir().unwrap();
        let typo = dir.path().join("jixaio.db");
        let e = open_existing(typo.to_str().unwrap()).await.unwrap_err();
        assert!(e.to_string().contains("jixiao init"), "{e}");
        assert!(!typo.exists());
        open(typo.to_str().unwrap()).await.unwrap().close().await;
        assert!(open_existing(typo.to_str().unwrap()).await.is_ok());
    }
}
