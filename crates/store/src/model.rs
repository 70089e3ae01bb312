//! What the store keeps and returns. Times are epoch milliseconds (UTC); amounts that
//! are columns are whole 分 (`Money::to_fen`); forms and findings are the documented
//! JSON model.

use jixiao_domain::review::{Grade, Opinions, Status};
use jixiao_domain::{Finding, Form, Money, Severity};
use serde::{Deserialize, Serialize};

/// What a user may do: 填报 for their own unit, 审核 for the units assigned to them, or
/// everything.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Unit,
    Reviewer,
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Unit, Role::Reviewer, Role::Admin];

    pub fn code(self) -> &'static str {
        match self {
            Role::Unit => "unit",
            Role::Reviewer => "reviewer",
            Role::Admin => "admin",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Unit => "填报",
            Role::Reviewer => "审核",
            Role::Admin => "管理",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        let s = s.trim();
        Role::ALL
            .into_iter()
            .find(|r| r.code() == s || r.label() == s)
    }
}

/// 预算单位; `parent_id` is its 主管部门.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Unit {
    pub id: i64,
    pub name: String,
    pub parent_id: Option<i64>,
    pub created_at: i64,
}

#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    /// The login id; never changes.
    pub username: String,
    /// Argon2 PHC string; never serialised.
    #[serde(skip)]
    pub password_hash: String,
    pub role: Role,
    pub unit_id: Option<i64>,
    /// The real name shown in pages and exports; empty when none is set.
    pub display_name: String,
    /// False once an administrator disabled the account.
    pub enabled: bool,
    pub created_at: i64,
}

impl User {
    /// The name to show: the display name, or the username when there is none.
    pub fn shown_name(&self) -> &str {
        if self.display_name.trim().is_empty() {
            &self.username
        } else {
            &self.display_name
        }
    }
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("password_hash", &"<redacted>")
            .field("role", &self.role)
            .field("unit_id", &self.unit_id)
            .field("display_name", &self.display_name)
            .field("enabled", &self.enabled)
            .finish()
    }
}

#[derive(Clone, Debug)]
pub struct NewUser<'a> {
    pub username: &'a str,
    /// From [`crate::hash_password`].
    pub password_hash: &'a str,
    pub role: Role,
    /// Required for `Role::Unit`.
    pub unit_id: Option<i64>,
}

/// Something someone did to a dossier, from the audit log (消息).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DossierEvent {
    pub seq: i64,
    pub at: i64,
    /// The audit action (`dossier.return`, `comment.add`, …).
    pub action: String,
    /// The audit record's detail (JSON text).
    pub detail: String,
    /// None for a 催报 reminder (the unit may have no dossier of the year yet).
    pub dossier_id: Option<i64>,
    pub year: i64,
    pub unit_name: String,
    /// The name shown for whoever did it.
    pub actor: String,
}

/// A unit and its dossier of one year (填报进度), or none filed yet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnitProgress {
    pub unit_id: i64,
    pub unit_name: String,
    /// The 主管部门.
    pub parent_name: Option<String>,
    pub dossier_id: Option<i64>,
    pub status: Option<Status>,
    pub version: Option<i64>,
    pub error_count: Option<i64>,
    /// Last change of the dossier.
    pub updated_at: Option<i64>,
}

/// A deleted dossier (删除) in the administrator's list, with when and by whom.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeletedDossier {
    pub dossier: StoredDossier,
    pub deleted_at: i64,
    /// The name shown for the user who deleted it.
    pub deleted_by: Option<String>,
}

/// A dossier's metadata (all forms of one unit and year). The forms are in its versions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredDossier {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub year: i64,
    pub status: Status,
    /// The version everyone sees and edits; conflict versions never become current.
    pub current_version: i64,
    /// The last approved version, the baseline while an adjustment is under way.
    pub approved_version: Option<i64>,
    /// The grade of the latest review, if it had one.
    pub grade: Option<Grade>,
    /// Set by a 差 review: the target may not enter budget arrangement.
    pub not_for_budget: bool,
    /// 部门整体支出 budget total of the current version, in 分, when known.
    pub total_fen: Option<i64>,
    /// Error-severity findings of the current version.
    pub error_count: i64,
    pub warning_count: i64,
    pub created_at: i64,
    pub updated_at: i64,
    /// Target dossier, or a report on one.
    pub kind: DossierKind,
    /// The approved target dossier a report is about.
    pub report_of: Option<i64>,
    /// The last month a monitoring report covers (6 for 1–6月).
    pub period_months: Option<i64>,
    /// The monitoring round that opened a monitoring report.
    pub round_id: Option<i64>,
}

/// What a dossier holds: the targets of a unit and year (绩效目标), or a report on an
/// approved target dossier — in-year monitoring (绩效运行监控) or the year-end
/// self-evaluation (绩效自评). Reports share the dossiers' versions, remarks and workflow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DossierKind {
    #[default]
    Targets,
    Monitoring,
    SelfEvaluation,
}

impl DossierKind {
    pub const REPORTS: [DossierKind; 2] = [DossierKind::Monitoring, DossierKind::SelfEvaluation];

    pub fn code(self) -> &'static str {
        match self {
            DossierKind::Targets => "targets",
            DossierKind::Monitoring => "monitoring",
            DossierKind::SelfEvaluation => "self_evaluation",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DossierKind::Targets => "绩效目标",
            DossierKind::Monitoring => "绩效运行监控",
            DossierKind::SelfEvaluation => "绩效自评",
        }
    }

    pub fn parse(s: &str) -> Option<DossierKind> {
        let s = s.trim();
        [
            DossierKind::Targets,
            DossierKind::Monitoring,
            DossierKind::SelfEvaluation,
        ]
        .into_iter()
        .find(|k| k.code() == s || k.label() == s)
    }

    pub fn is_report(self) -> bool {
        self != DossierKind::Targets
    }
}

/// A monitoring round (绩效监控轮次) a reviewer or administrator opened: the months it
/// covers and when reports are due.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Round {
    pub id: i64,
    pub year: i64,
    pub period_months: i64,
    pub due_at: Option<i64>,
    pub opened_by: Option<String>,
    pub opened_at: i64,
}

/// A report to create on an approved target dossier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewReport {
    pub target_id: i64,
    pub kind: DossierKind,
    pub period_months: Option<i64>,
    pub round_id: Option<i64>,
}

/// Which reports to read with their current forms (the monitoring board, the
/// self-evaluation list).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportFilter {
    pub kind: DossierKind,
    pub year: Option<i64>,
    /// `None`: every unit; `Some(vec![])`: none.
    pub unit_ids: Option<Vec<i64>>,
    pub round_id: Option<i64>,
}

/// Most reports one [`ReportFilter`] reads.
pub const MAX_REPORTS: i64 = 5000;

impl StoredDossier {
    pub fn total(&self) -> Option<Money> {
        self.total_fen.map(Money::from_fen)
    }
}

/// How a version came to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VersionKind {
    /// An ordinary save.
    Save,
    /// The first version of an adjustment of an approved dossier (has a reason).
    Adjustment,
    /// A save made against a stale version: kept so nothing is lost, never current.
    Conflict,
}

impl VersionKind {
    pub fn code(self) -> &'static str {
        match self {
            VersionKind::Save => "save",
            VersionKind::Adjustment => "adjustment",
            VersionKind::Conflict => "conflict",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            VersionKind::Save => "保存",
            VersionKind::Adjustment => "调整",
            VersionKind::Conflict => "冲突另存",
        }
    }

    pub fn parse(s: &str) -> Option<VersionKind> {
        [
            VersionKind::Save,
            VersionKind::Adjustment,
            VersionKind::Conflict,
        ]
        .into_iter()
        .find(|k| k.code() == s)
    }
}

/// What a caller asks `save_version` to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SaveKind {
    Save,
    /// Opens an adjustment of an approved dossier (审核通过 → 调整中).
    Adjustment {
        reason: String,
    },
}

/// One entry of a dossier's history, without the (large) forms.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VersionInfo {
    pub dossier_id: i64,
    pub version: i64,
    pub kind: VersionKind,
    pub reason: Option<String>,
    /// The version the author started from (0 for the first).
    pub base_version: i64,
    pub error_count: i64,
    pub warning_count: i64,
    pub created_by: Option<i64>,
    pub created_by_name: Option<String>,
    pub created_at: i64,
}

/// A version with its forms and the findings computed for them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Version {
    #[serde(flatten)]
    pub info: VersionInfo,
    pub forms: Vec<Form>,
    pub findings: Vec<Finding>,
}

/// A remark on a field of a version, e.g. `indicators[3].value`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Comment {
    pub id: i64,
    pub dossier_id: i64,
    pub version: i64,
    /// Field path inside the forms; empty for a remark on the whole dossier.
    pub field: String,
    pub body: String,
    pub author_id: i64,
    pub author_name: String,
    pub created_at: i64,
    /// When it was marked 已解决 (open: `None`), and by whom.
    pub resolved_at: Option<i64>,
    pub resolved_by_name: Option<String>,
}

/// The outcome a review record documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Return,
    Approve,
}

impl Decision {
    pub fn code(self) -> &'static str {
        match self {
            Decision::Return => "return",
            Decision::Approve => "approve",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Decision::Return => "退回修改",
            Decision::Approve => "审核通过",
        }
    }
}

/// One review of one version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReviewRecord {
    pub id: i64,
    pub dossier_id: i64,
    pub version: i64,
    pub reviewer_id: i64,
    pub reviewer_name: String,
    pub decision: Decision,
    pub grade: Option<Grade>,
    pub opinions: Opinions,
    pub created_at: i64,
}

/// A login session. The token itself is only returned once, by `create_session`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Session {
    pub user_id: i64,
    pub csrf_token: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub last_seen: i64,
}

/// Failed logins of one username from one address within one window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LoginFailures {
    /// As typed (known or not).
    pub username: String,
    /// The client address ("" when unknown).
    pub address: String,
    /// The first failure of the window (epoch ms).
    pub window_start: i64,
    pub failures: i64,
    pub last_at: i64,
}

/// Recent failed logins, for the throttling decision.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LoginPressure {
    /// Failures of the username (from any address) touched since `user_since`.
    pub user_failures: i64,
    /// The latest of them (0 when none).
    pub user_last: i64,
    /// Failures from the address (any username) touched since `address_since`.
    pub address_failures: i64,
    pub address_last: i64,
}

/// A browser that has logged in as a user before (its `jixiao_device` cookie).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LoginDevice {
    pub user_id: i64,
    /// Failed logins with this device since its last successful one.
    pub failures: i64,
    pub created_at: i64,
    pub expires_at: i64,
}

/// What a lease is for (see `Store::take_lease`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LeaseKind {
    /// A running `jixiao serve`.
    Serve,
    /// `jixiao restore` replacing the database.
    Restore,
}

impl LeaseKind {
    pub fn code(self) -> &'static str {
        match self {
            LeaseKind::Serve => "serve",
            LeaseKind::Restore => "restore",
        }
    }
}

/// A process's claim on the database, valid until `expires_at` unless renewed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Lease {
    pub id: String,
    pub kind: LeaseKind,
    /// Who holds it (program, process id, host), for messages.
    pub holder: String,
    pub started_at: i64,
    pub expires_at: i64,
}

/// Who does something, and from where: recorded in versions and the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Actor {
    /// `None` for the system itself (CLI maintenance, imports without a login).
    pub user_id: Option<i64>,
    /// Username, or a name such as `system` / `cli`.
    pub name: String,
    /// Client address, when there is one.
    pub address: Option<String>,
}

impl Actor {
    pub fn user(user: &User, address: Option<String>) -> Actor {
        Actor {
            user_id: Some(user.id),
            name: user.username.clone(),
            address,
        }
    }

    pub fn system(name: &str) -> Actor {
        Actor {
            user_id: None,
            name: name.to_string(),
            address: None,
        }
    }
}

/// One audit-log row. `hash` = SHA-256 over `prev_hash` and the other fields
/// (see [`crate::audit`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub address: Option<String>,
    /// JSON text exactly as hashed.
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Result of walking the audit chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditReport {
    /// Records checked before the first break (all of them when intact).
    pub checked: i64,
    /// Hash of the last intact record (the genesis value for an empty log). Keep it
    /// somewhere else to detect a truncated tail later.
    pub head: String,
    pub broken: Option<AuditBreak>,
}

impl AuditReport {
    pub fn is_intact(&self) -> bool {
        self.broken.is_none()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditBreak {
    /// The first sequence number where the chain does not hold.
    pub seq: i64,
    /// Chinese explanation.
    pub problem: String,
}

/// The order of a dossier listing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DossierOrder {
    /// Last changed first: `updated_at DESC, id DESC`.
    #[default]
    Recent,
    /// Most errors first, then most warnings, then last changed:
    /// `error_count DESC, warning_count DESC, updated_at DESC, id DESC`.
    Quality,
}

impl DossierOrder {
    pub const ALL: [DossierOrder; 2] = [DossierOrder::Recent, DossierOrder::Quality];

    pub fn code(self) -> &'static str {
        match self {
            DossierOrder::Recent => "recent",
            DossierOrder::Quality => "quality",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DossierOrder::Recent => "最近修改",
            DossierOrder::Quality => "问题最多",
        }
    }

    /// A code or a label.
    pub fn parse(s: &str) -> Option<DossierOrder> {
        let s = s.trim();
        DossierOrder::ALL
            .into_iter()
            .find(|o| o.code() == s || o.label() == s)
    }
}

/// Which dossiers to list. `unit_ids: Some(vec![])` lists nothing (a reviewer with no
/// assignment), `None` lists all units.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DossierFilter {
    pub unit_ids: Option<Vec<i64>>,
    /// Empty: any status.
    pub statuses: Vec<Status>,
    pub year: Option<i64>,
    /// Search text, matched as a substring of the dossier's search document (unit name,
    /// titles, names and goals of the current version's forms) after the same
    /// normalisation (`jixiao_domain::text::search_fold`: trimmed, whitespace removed,
    /// full-width folded, simplified, lower case). `None` or nothing left: no search.
    /// `%` and `_` are ordinary characters.
    pub query: Option<String>,
    pub order: DossierOrder,
    pub limit: i64,
    pub offset: i64,
    /// Target dossiers by default; a report kind lists those reports.
    pub kind: DossierKind,
}

impl Default for DossierFilter {
    fn default() -> Self {
        DossierFilter {
            kind: DossierKind::Targets,
            unit_ids: None,
            statuses: Vec::new(),
            year: None,
            query: None,
            order: DossierOrder::default(),
            limit: 50,
            offset: 0,
        }
    }
}

/// Largest page `list_dossiers` returns.
pub const MAX_PAGE: i64 = 500;

/// One page of a listing plus the total number of matches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
}

/// The 部门整体支出 budget total of a set of forms, in 分.
pub fn department_total_fen(forms: &[Form]) -> Option<i64> {
    forms.iter().find_map(|f| match f {
        Form::DepartmentOverall(d) => d.budget.total.as_ref().and_then(Money::to_fen),
        _ => None,
    })
}

/// (errors, warnings) among `findings`.
pub fn severity_counts(findings: &[Finding]) -> (i64, i64) {
    findings.iter().fold((0, 0), |(e, w), f| match f.severity {
        Severity::Error => (e + 1, w),
        Severity::Warning => (e, w + 1),
        Severity::Info => (e, w),
    })
}
