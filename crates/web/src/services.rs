//! What the API does, independent of HTTP. Every operation takes the authenticated
//! [`User`] and decides here (not in the handlers) what that user may see and do, so the
//! future HTML UI shares exactly the same rules:
//!
//! * a `unit` user sees and edits only the dossiers of their own unit;
//! * a `reviewer` sees (and reviews) only the units assigned to them;
//! * an `admin` sees and does everything.
//!
//! A dossier the caller may not see is `NotFound`, never `Forbidden`, so its existence is
//! not revealed. `Forbidden` means "you see it, but your role may not do this".

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use jixiao_domain::finding::Severity;
use jixiao_domain::review::{self, Action, Grade, Opinions, Status};
use jixiao_domain::{rules, Dossier, FiledForm, Finding, Form, Profile};
use jixiao_files::export::pdf::{html_to_pdf_with, PdfOptions};
use jixiao_files::limits::{form_rows, Limits};
use jixiao_store::{
    Actor, AnyStore, Comment, DossierFilter, DossierKind, DossierOrder, Page, ReviewRecord, Role,
    SaveKind, Session, Store, StoreError, StoredDossier, Usage, VersionInfo, MAX_PAGE,
};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult};

mod admin;
pub use admin::{AdminAssignment, AdminOverview, AdminUnit, AdminUser, NewAccount};
mod editing;
pub mod jobs;
pub mod library;
mod progress;
pub mod reports;
pub use progress::{Progress, ProgressRow};
pub mod public;
mod stats;
mod todo;
pub use todo::{Notice, Todo, TodoItem};
pub mod work;
pub use editing::{
    china_time, civil_date, form_scores, forms_from_json, this_year, Checked, EditorModel,
    FormScores, FormTotals, FrameworkLevel, NewChoices, Preview, Reimported,
};
use work::{Gate, PrintQueue};

pub use crate::login::LoginPolicy;
/// Audit action of the first failed login of a window (see [`LoginPolicy`]).
pub use jixiao_store::LOGIN_FAILED;

/// Tunables of the API; the defaults suit a deployment. `jixiao serve` reads the
/// `[limits]`, `[quotas]` and `[server]` sections of its configuration file into it
/// ([`ConfigFile`], docs/limits.md).
#[derive(Clone, Debug)]
pub struct Config {
    /// Idle time after which a session expires (sliding).
    pub session_ttl: Duration,
    /// Login throttling.
    pub login: LoginPolicy,
    /// Largest dossier, as the JSON of its forms (bytes). An upload that would make a
    /// bigger one is refused, and every JSON body (a save sends the forms) may be this big
    /// plus [`Config::JSON_MARGIN`], so whatever an upload creates can be saved again.
    pub max_dossier_bytes: usize,
    /// The address users reach the server at (`https://jixiao.example.gov.cn`), when it is
    /// behind a proxy or served over TLS: logins must come from it; with `https` the
    /// cookies are `Secure` and answers carry HSTS.
    pub public_url: Option<String>,
    /// File and form limits: uploads, previews, saves, new dossiers, checks.
    pub limits: Limits,
    /// Stored data per dossier and unit, and the budget years.
    pub quotas: Quotas,
    /// CPU-heavy requests at once (0: one per CPU core).
    pub workers: usize,
    pub pdf: PdfConfig,
    /// 批量导出 jobs.
    pub exports: jobs::ExportConfig,
    /// 预算公开: the sign-off fields (`head`, `preparer`, `phone`) the public does not see.
    pub public_redact: Vec<String>,
    /// 统计汇总 answers kept while nothing they depend on changed (0: none).
    pub stats_cache: usize,
    /// 预算公开: public dossier pages kept as rendered while their publication is unchanged
    /// (0: none).
    pub public_cache: usize,
    /// Reverse proxies whose `X-Forwarded-For` names the client (`[server]
    /// trusted_proxies`); empty: the connection's address is the client's.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Where the service reads the time for its own decisions (login backoff): the wall
    /// clock, or a test's clock that it moves forward instead of sleeping.
    pub clock: Clock,
}

/// A time source in epoch milliseconds.
#[derive(Clone)]
pub struct Clock(std::sync::Arc<dyn Fn() -> i64 + Send + Sync>);

impl Clock {
    /// The system clock.
    pub fn wall() -> Clock {
        Clock(std::sync::Arc::new(now_ms))
    }

    /// Any time source (tests: the wall clock plus an offset they advance).
    pub fn from_fn(f: impl Fn() -> i64 + Send + Sync + 'static) -> Clock {
        Clock(std::sync::Arc::new(f))
    }

    pub fn now_ms(&self) -> i64 {
        (self.0)()
    }
}

impl Default for Clock {
    fn default() -> Clock {
        Clock::wall()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Clock({})", self.now_ms())
    }
}

impl Default for Config {
    fn default() -> Self {
        ConfigFile::default().into_config()
    }
}

impl Config {
    /// Largest upload body: the largest file plus room for the form fields.
    pub fn upload_limit(&self) -> usize {
        usize::try_from(self.limits.max_file_bytes)
            .unwrap_or(usize::MAX)
            .saturating_add(1024 * 1024)
    }
}

/// Printing PDFs with Chromium (per server process).
#[derive(Clone, Debug)]
pub struct PdfConfig {
    /// Chromium processes at once.
    pub workers: usize,
    /// Exports that may wait for a Chromium; beyond them 503.
    pub queue: usize,
    /// Chromium is killed (its process group) after this.
    pub timeout: Duration,
    /// `Retry-After` of a 503, and the longest a queued export waits.
    pub retry_after: Duration,
    /// The browser; `None`: `JIXIAO_CHROMIUM` or the first on `PATH`.
    pub chromium: Option<PathBuf>,
}

/// Quotas on stored data (`[quotas]`), read from the database before each write.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Quotas {
    /// Versions of one dossier, conflict versions included.
    pub max_versions: i64,
    /// Bytes of all stored versions (forms and findings, JSON) of one unit's dossiers.
    pub max_unit_bytes: i64,
    /// The earliest budget year.
    pub first_year: i64,
    /// The latest budget year is this year (China time) plus this.
    pub years_ahead: i64,
}

impl Default for Quotas {
    fn default() -> Self {
        Quotas {
            max_versions: 200,
            max_unit_bytes: 256 * 1024 * 1024,
            first_year: 2000,
            years_ahead: 1,
        }
    }
}

impl Quotas {
    /// The budget years a dossier may be made or copied for.
    pub fn years(&self) -> std::ops::RangeInclusive<i64> {
        self.first_year..=this_year() + self.years_ahead
    }
}

/// `[server]` of the configuration file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerSection {
    /// CPU-heavy requests at once; 0: one per CPU core.
    pub workers: usize,
    pub pdf_workers: usize,
    pub pdf_queue: usize,
    pub pdf_timeout_secs: u64,
    pub pdf_retry_after_secs: u64,
    pub json_limit: usize,
    /// 批量导出: jobs rendering at once, dossiers per job, MiB per result, and how long a
    /// result is kept for download (seconds).
    pub export_jobs: usize,
    pub export_max_dossiers: usize,
    pub export_max_mib: usize,
    pub export_keep_secs: u64,
    /// 预算公开: sign-off fields redacted on the public site and in its open data
    /// (`head` 单位负责人, `preparer` 填表人, `phone` 联系电话).
    pub public_redact: Vec<String>,
    /// 统计汇总 answers kept (per year and set of units) while the data they come from is
    /// unchanged; 0 computes every answer afresh.
    pub stats_cache: usize,
    /// Public dossier pages kept as rendered (per dossier) while their publication is
    /// unchanged; 0 renders every request afresh.
    pub public_cache: usize,
    /// Addresses of the reverse proxies in front of this server (docs/storage.md, "Several
    /// instances"): their `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl Default for ServerSection {
    fn default() -> Self {
        ServerSection {
            workers: 0,
            pdf_workers: 1,
            pdf_queue: 4,
            pdf_timeout_secs: 60,
            pdf_retry_after_secs: 10,
            json_limit: 8 * 1024 * 1024,
            export_jobs: 1,
            export_max_dossiers: 1000,
            export_max_mib: 512,
            export_keep_secs: 3600,
            public_redact: vec!["preparer".into(), "phone".into()],
            stats_cache: 64,
            public_cache: 256,
            trusted_proxies: Vec::new(),
        }
    }
}

/// The configuration file of `jixiao serve` and `jixiao check` (TOML; every section and
/// key optional, unknown keys refused). docs/limits.md lists every key.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConfigFile {
    pub limits: Limits,
    pub quotas: Quotas,
    pub server: ServerSection,
}

impl ConfigFile {
    /// The server's configuration: these sections, the rest at their defaults.
    pub fn into_config(self) -> Config {
        let s = self.server;
        Config {
            session_ttl: Duration::from_secs(8 * 3600),
            login: LoginPolicy::default(),
            max_dossier_bytes: s.json_limit,
            public_url: None,
            limits: self.limits,
            quotas: self.quotas,
            workers: s.workers,
            pdf: PdfConfig {
                workers: s.pdf_workers,
                queue: s.pdf_queue,
                timeout: Duration::from_secs(s.pdf_timeout_secs.max(1)),
                retry_after: Duration::from_secs(s.pdf_retry_after_secs.max(1)),
                chromium: None,
            },
            exports: jobs::ExportConfig {
                jobs: s.export_jobs.max(1),
                max_dossiers: s.export_max_dossiers.max(1),
                max_bytes: s.export_max_mib.max(1).saturating_mul(1024 * 1024),
                keep: Duration::from_secs(s.export_keep_secs.max(60)),
            },
            public_redact: s.public_redact,
            stats_cache: s.stats_cache,
            public_cache: s.public_cache,
            trusted_proxies: s.trusted_proxies,
            clock: Clock::wall(),
        }
    }
}

impl Config {
    /// Room in a JSON body besides the forms (`base_version`, `reason`, formatting).
    pub const JSON_MARGIN: usize = 64 * 1024;

    /// Largest JSON body (bytes), derived from [`Config::max_dossier_bytes`].
    pub fn json_limit(&self) -> usize {
        self.max_dossier_bytes.saturating_add(Self::JSON_MARGIN)
    }

    /// Served over HTTPS: `Secure` cookies and HSTS.
    pub fn secure(&self) -> bool {
        self.public_url.as_deref().is_some_and(|u| {
            u.get(..8)
                .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
        })
    }
}

/// The authenticated caller: their account and the address they call from.
#[derive(Clone, Debug)]
pub struct User {
    pub account: jixiao_store::User,
    pub address: Option<String>,
}

impl User {
    pub fn actor(&self) -> Actor {
        Actor::user(&self.account, self.address.clone())
    }

    fn role(&self) -> Role {
        self.account.role
    }
}

/// Which units a caller may see.
enum Scope {
    All,
    Units(Vec<i64>),
}

impl Scope {
    fn contains(&self, unit_id: i64) -> bool {
        match self {
            Scope::All => true,
            Scope::Units(ids) => ids.contains(&unit_id),
        }
    }
}

/// Longest search text [`Services::list`] accepts, in characters.
pub const MAX_QUERY_CHARS: usize = 100;

/// What [`Services::list`] lists, before the caller's scope is applied.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListParams {
    pub year: Option<i64>,
    /// Empty: any status.
    pub statuses: Vec<Status>,
    /// Only this unit. Intersected with the caller's scope: a unit the caller may not
    /// see lists nothing.
    pub unit_id: Option<i64>,
    /// Search text (unit name, titles, names and goals of the current version); blank
    /// means no search. At most [`MAX_QUERY_CHARS`] characters.
    pub query: Option<String>,
    pub order: DossierOrder,
    /// Target dossiers unless a report kind is asked for.
    pub kind: DossierKind,
    /// Default 50, at most `MAX_PAGE`.
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// One line of the dossier list (and the head of a dossier's detail).
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct DossierSummary {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub year: i64,
    pub status: Status,
    pub status_label: &'static str,
    /// The current version.
    pub version: i64,
    pub approved_version: Option<i64>,
    pub grade: Option<Grade>,
    pub not_for_budget: bool,
    pub error_count: i64,
    pub warning_count: i64,
    pub created_at: i64,
    pub updated_at: i64,
    /// `targets`, or a report: `monitoring`, `self_evaluation`.
    #[schemars(with = "String")]
    pub kind: DossierKind,
    pub kind_label: &'static str,
    /// The approved target dossier a report is about.
    pub report_of: Option<i64>,
    /// The last month a monitoring report covers.
    pub period_months: Option<i64>,
    /// The monitoring round that opened a monitoring report.
    pub round_id: Option<i64>,
}

impl From<&StoredDossier> for DossierSummary {
    fn from(d: &StoredDossier) -> Self {
        DossierSummary {
            id: d.id,
            unit_id: d.unit_id,
            unit_name: d.unit_name.clone(),
            year: d.year,
            status: d.status,
            status_label: d.status.label(),
            version: d.current_version,
            approved_version: d.approved_version,
            grade: d.grade,
            not_for_budget: d.not_for_budget,
            error_count: d.error_count,
            warning_count: d.warning_count,
            created_at: d.created_at,
            updated_at: d.updated_at,
            kind: d.kind,
            kind_label: d.kind.label(),
            report_of: d.report_of,
            period_months: d.period_months,
            round_id: d.round_id,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct DossierDetail {
    #[serde(flatten)]
    pub summary: DossierSummary,
    pub forms: Vec<Form>,
    pub findings: Vec<Finding>,
    pub comments: Vec<Comment>,
    pub reviews: Vec<ReviewRecord>,
}

/// The dossier page's data (see [`Services::dossier_view`]).
#[derive(Debug)]
pub struct DossierView {
    pub detail: DossierDetail,
    /// Every version, oldest first.
    pub versions: Vec<VersionInfo>,
    /// The version asked for, when it is not the current one.
    pub older: Option<jixiao_store::Version>,
    /// 办理记录, oldest first.
    pub steps: Vec<Step>,
    /// The earlier versions that open remarks on cells were made on (at most
    /// [`CARRIED_VERSIONS`], the latest), when the current version is shown: their remarks
    /// are carried to it, marked 已修改 where the cell changed since.
    pub earlier: Vec<jixiao_store::Version>,
    /// The reports (monitoring, self-evaluation) on a target dossier.
    pub reports: Vec<StoredDossier>,
}

/// How many earlier versions' open remarks the dossier page carries forward.
pub const CARRIED_VERSIONS: usize = 10;

/// The answer to an upload or a save.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Saved {
    pub id: i64,
    pub version: i64,
    pub status: Status,
    pub findings: Vec<Finding>,
}

#[derive(Debug, Serialize)]
pub struct History {
    pub id: i64,
    pub current_version: i64,
    pub versions: Vec<VersionInfo>,
    /// 办理记录: the workflow steps, oldest first.
    pub steps: Vec<Step>,
}

/// One workflow step of a dossier (新建, 提交审核, 撤回, 退回修改, 审核通过, 申请调整, 删除, 恢复).
#[derive(Debug, Serialize)]
pub struct Step {
    pub at: i64,
    pub what: &'static str,
    pub by: String,
    /// The version the step concerned, when the record says.
    pub version: Option<i64>,
}

impl Step {
    fn of(e: &jixiao_store::DossierEvent) -> Step {
        let what = match e.action.as_str() {
            "dossier.create" | "report.create" => "新建",
            "dossier.submit" => "提交审核",
            "dossier.withdraw" => "撤回提交",
            "dossier.return" => "退回修改",
            "dossier.review" => "审核通过",
            "dossier.adjust" => "申请调整",
            "dossier.delete" => "删除",
            "dossier.restore" => "恢复",
            _ => "办理",
        };
        let version = serde_json::from_str::<serde_json::Value>(&e.detail)
            .ok()
            .and_then(|v| v["version"].as_i64());
        Step {
            at: e.at,
            what,
            by: e.actor.clone(),
            version,
        }
    }
}

/// A workflow step's outcome; `warnings` are submission findings that did not block.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Transitioned {
    #[serde(flatten)]
    pub dossier: DossierSummary,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Finding>,
}

/// A successful login: the session token (for the cookie) and its CSRF token, and a new
/// device token when the browser had none.
pub struct LoggedIn {
    pub token: String,
    pub session: Session,
    pub device: Option<String>,
}

pub struct Services {
    store: AnyStore,
    profile: Arc<Profile>,
    config: Config,
    gate: Gate,
    print: PrintQueue,
    jobs: jobs::Jobs,
    stats_cache: stats::StatsCache,
    library: library::LibraryCell,
    /// Publications made through this instance (see `publication_generation`).
    publications: std::sync::atomic::AtomicU64,
}

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// CPU-bound work (argon2, import, rules) off the async workers.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> ApiResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(ApiError::internal)
}

/// Rows of all forms (indicators and other rows): how large a piece of work on them is.
pub fn dossier_rows(forms: &[Form]) -> usize {
    forms
        .iter()
        .map(|f| {
            let (indicators, details, _) = form_rows(f);
            indicators + details
        })
        .sum()
}

/// About how many rows a file of this many bytes holds, to weigh its import before it
/// is read (a row of a filing takes a few hundred bytes in any format).
fn file_rows(bytes: usize) -> usize {
    bytes / 256
}

/// Bytes of JSON a value is stored as, without keeping the text.
fn json_bytes(value: &impl Serialize) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0 += b.len();
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut c = Count(0);
    let _ = serde_json::to_writer(&mut c, value);
    c.0
}

fn mib(bytes: i64) -> String {
    format!("{:.1}", bytes as f64 / (1024.0 * 1024.0))
}

/// Compares without an early exit, so timing does not leak a token prefix.
pub(crate) fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl Services {
    pub fn new(store: AnyStore, profile: Profile, config: Config) -> Services {
        Services {
            store,
            profile: Arc::new(profile),
            gate: Gate::new(config.workers),
            print: PrintQueue::new(config.pdf.workers, config.pdf.queue, config.pdf.retry_after),
            jobs: jobs::Jobs::new(config.exports.clone()),
            stats_cache: stats::StatsCache::default(),
            library: library::LibraryCell::default(),
            publications: std::sync::atomic::AtomicU64::new(0),
            config,
        }
    }

    /// The bound on CPU-heavy work (see [`work`]).
    pub fn gate(&self) -> &Gate {
        &self.gate
    }

    /// The bound on Chromium (see [`work`]).
    pub fn print_queue(&self) -> &PrintQueue {
        &self.print
    }

    /// Runs CPU-heavy work on `rows` rows off the async workers (see [`work::Gate`]).
    pub async fn cpu<T: Send + 'static>(
        &self,
        rows: usize,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> ApiResult<T> {
        self.gate.run(rows, f).await
    }

    /// The form limits on a dossier's forms: 422 naming the limit.
    fn within_limits(&self, forms: &[Form]) -> ApiResult<()> {
        self.config
            .limits
            .check_forms(forms)
            .map_err(|e| ApiError::unprocessable(e.to_string()))
    }

    /// A budget year inside the configured window, as stored.
    fn budget_year(&self, year: i64) -> ApiResult<u16> {
        let years = self.config.quotas.years();
        u16::try_from(year)
            .ok()
            .filter(|_| years.contains(&year))
            .ok_or_else(|| {
                ApiError::unprocessable(format!(
                    "年度应为 {} 至 {} 之间的四位数字（如 2024）",
                    years.start(),
                    years.end()
                ))
            })
    }

    /// The quota on versions of one dossier: refused once it has `max_versions`.
    async fn version_quota(&self, dossier_id: i64) -> ApiResult<()> {
        let max = self.config.quotas.max_versions;
        let n = self.store.version_count(dossier_id).await?;
        if n >= max {
            return Err(ApiError::unprocessable(format!(
                "该档案已有 {n} 个版本，达到每份档案最多 {max} 个版本的上限，不能再保存；请联系管理员"
            )));
        }
        Ok(())
    }

    /// The quota on a unit's stored bytes: refused when `adding` more would pass it.
    async fn bytes_quota(&self, unit_id: i64, adding: usize) -> ApiResult<()> {
        let max = self.config.quotas.max_unit_bytes;
        let have = self.store.unit_bytes(unit_id).await?;
        let adding = i64::try_from(adding).unwrap_or(i64::MAX);
        if have.saturating_add(adding) > max {
            return Err(ApiError::unprocessable(format!(
                "本单位已保存的档案数据约 {} MiB，再保存这一版（约 {} MiB）将超过每个单位 {} MiB 的上限；请联系管理员",
                mib(have),
                mib(adding),
                mib(max)
            )));
        }
        Ok(())
    }

    pub fn store(&self) -> &AnyStore {
        &self.store
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    // ---------------------------------------------------------------- sessions

    /// The user of a session token; `Unauthorized` when unknown or expired. The expiry
    /// slides, but at most once a minute so reads do not all become writes.
    pub async fn authenticate(
        &self,
        token: &str,
        address: Option<String>,
    ) -> ApiResult<(User, Session)> {
        let expired = || ApiError::Unauthorized("登录已过期或无效，请重新登录".into());
        let mut session = match self.store.get_session(token).await {
            Ok(s) => s,
            Err(StoreError::NotFound) => return Err(expired()),
            Err(e) => return Err(e.into()),
        };
        if now_ms() - session.last_seen > 60_000 {
            session = match self
                .store
                .touch_session(token, self.config.session_ttl)
                .await
            {
                Ok(s) => s,
                Err(StoreError::NotFound) => return Err(expired()),
                Err(e) => return Err(e.into()),
            };
        }
        let account = match self.store.get_user(session.user_id).await {
            Ok(u) if u.enabled => u,
            // Disabling ends the sessions; one made in the same instant ends here.
            Ok(_) => return Err(ApiError::Unauthorized("账号已停用，请联系管理员".into())),
            Err(StoreError::NotFound) => return Err(expired()),
            Err(e) => return Err(e.into()),
        };
        Ok((User { account, address }, session))
    }

    pub async fn logout(&self, user: &User, token: &str) -> ApiResult<()> {
        self.store.delete_session(token).await?;
        self.store
            .append_audit(
                &user.actor(),
                "logout",
                &format!("user:{}", user.account.username),
                &serde_json::json!({}),
            )
            .await?;
        Ok(())
    }

    // ---------------------------------------------------------------- access

    async fn scope(&self, user: &User) -> ApiResult<Scope> {
        Ok(match user.role() {
            Role::Admin => Scope::All,
            Role::Unit => Scope::Units(user.account.unit_id.into_iter().collect()),
            Role::Reviewer => Scope::Units(self.store.reviewer_units(user.account.id).await?),
        })
    }

    /// The dossier when the caller may see it; `NotFound` otherwise.
    async fn visible(&self, user: &User, id: i64) -> ApiResult<StoredDossier> {
        let d = match self.store.get_dossier(id).await {
            Ok(d) => d,
            Err(StoreError::NotFound) => return Err(ApiError::no_dossier()),
            Err(e) => return Err(e.into()),
        };
        if self.scope(user).await?.contains(d.unit_id) {
            Ok(d)
        } else {
            Err(ApiError::no_dossier())
        }
    }

    fn require(user: &User, roles: &[Role], what: &str) -> ApiResult<()> {
        if roles.contains(&user.role()) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "当前账号（{}）无权{what}",
                user.role().label()
            )))
        }
    }

    // ---------------------------------------------------------------- dossiers

    /// The dossiers the caller may see that match `params`. A `unit_id` outside the
    /// caller's scope gives an empty page (not an error, and never another unit's data).
    pub async fn list(&self, user: &User, params: ListParams) -> ApiResult<Page<DossierSummary>> {
        let query = params
            .query
            .map(|q| q.trim().to_string())
            .filter(|q| !q.is_empty());
        if query
            .as_ref()
            .is_some_and(|q| q.chars().count() > MAX_QUERY_CHARS)
        {
            return Err(ApiError::bad_request(format!(
                "搜索内容过长（最多 {MAX_QUERY_CHARS} 个字）"
            )));
        }
        let unit_ids = match (self.scope(user).await?, params.unit_id) {
            (Scope::All, None) => None,
            (Scope::All, Some(unit)) => Some(vec![unit]),
            (Scope::Units(ids), None) => Some(ids),
            (Scope::Units(ids), Some(unit)) => {
                Some(ids.into_iter().filter(|id| *id == unit).collect())
            }
        };
        let filter = DossierFilter {
            unit_ids,
            statuses: params.statuses,
            year: params.year,
            query,
            kind: params.kind,
            order: params.order,
            limit: params.limit.unwrap_or(50).clamp(1, MAX_PAGE),
            offset: params.offset.unwrap_or(0).max(0),
        };
        let page = self.store.list_dossiers(&filter).await?;
        Ok(Page {
            items: page.items.iter().map(DossierSummary::from).collect(),
            total: page.total,
        })
    }

    /// Imports an uploaded file into a new dossier of the caller's unit (an admin names
    /// the unit, or the file's unit is used). The file's own unit name is kept in the
    /// forms; a mismatch becomes a `parse-warning`. `preview` reads the same way and
    /// `create` makes the dossier the same way.
    pub async fn upload(
        &self,
        user: &User,
        file_name: &str,
        bytes: Vec<u8>,
        unit: Option<&str>,
    ) -> ApiResult<Saved> {
        Self::require(user, &[Role::Unit, Role::Admin], "上传档案")?;
        Self::no_named_unit(user, unit, "上传")?;
        let imported = self.import_readable(file_name, bytes).await?;
        let file_unit = imported
            .forms
            .iter()
            .map(Form::unit)
            .find(|u| !u.is_empty())
            .unwrap_or_default()
            .to_string();
        let Some(year) = imported.forms.iter().find_map(Form::year) else {
            return Err(ApiError::unprocessable(
                "文件中没有找到预算年度，无法建立档案，请在表名或表头写明年度（如“2023年”）",
            ));
        };
        self.budget_year(i64::from(year))?;
        let target = self.target_unit(user, unit, &file_unit).await?;
        self.create_from(
            user,
            &target,
            i64::from(year),
            imported.forms,
            imported.findings,
            &imported.path,
        )
        .await
    }

    async fn unit_named(&self, name: &str) -> ApiResult<jixiao_store::Unit> {
        match self.store.unit_by_name(name).await {
            Ok(u) => Ok(u),
            Err(StoreError::NotFound) => Err(ApiError::unprocessable(format!(
                "单位“{name}”不存在，请先添加单位或在 unit 字段中指定已有单位"
            ))),
            Err(e) => Err(e.into()),
        }
    }

    /// The rules on a set of forms (one file's worth), as `jixiao check` runs them.
    /// The findings of the forms of one stored dossier: its unit and year are the store's
    /// (a form stating another year gets `year-mismatch`).
    pub(crate) async fn check_dossier(
        &self,
        unit: &str,
        year: Option<u16>,
        file: &str,
        forms: &[Form],
    ) -> ApiResult<Vec<Finding>> {
        let dossier = Dossier::of(unit, year, file, forms);
        self.run_rules(dossier_rows(forms), move || vec![dossier])
            .await
    }

    /// The findings of forms to be stored as a version of `d`: a report is also checked
    /// against the approved targets it reports on (`target-changed`).
    pub(crate) async fn check_stored(
        &self,
        d: &StoredDossier,
        file: &str,
        forms: &[Form],
    ) -> ApiResult<Vec<Finding>> {
        let approved = self.approved_targets(d).await?;
        let dossier = Dossier::of(&d.unit_name, u16::try_from(d.year).ok(), file, forms);
        let mut found = self.library_findings(d, &dossier).await?;
        let profile = self.profile.clone();
        found.extend(
            self.cpu(dossier_rows(forms), move || {
                rules::check_against(&[dossier], &profile, &approved)
            })
            .await?,
        );
        rules::sort_findings(&mut found);
        Ok(found)
    }

    /// The approved target forms a report is about (none for a target dossier).
    pub(crate) async fn approved_targets(&self, d: &StoredDossier) -> ApiResult<Vec<FiledForm>> {
        let Some(target_id) = d.report_of.filter(|_| d.kind.is_report()) else {
            return Ok(Vec::new());
        };
        let t = self.store.get_dossier(target_id).await?;
        let Some(v) = t.approved_version else {
            return Ok(Vec::new());
        };
        let forms = self.store.get_version(target_id, v).await?.forms;
        let file = format!("{}{}年度绩效目标（第{v}版）", t.unit_name, t.year);
        Ok(Dossier::of(&t.unit_name, u16::try_from(t.year).ok(), &file, &forms).forms)
    }

    /// Forms not yet stored: grouped into dossiers as the CLI groups files.
    async fn check(&self, file: &str, forms: &[Form]) -> ApiResult<Vec<Finding>> {
        let filed = filed(file, forms);
        self.run_rules(dossier_rows(forms), move || Dossier::group(filed))
            .await
    }

    /// Every rule on the dossiers `make` builds, off the async workers through the CPU gate.
    async fn run_rules(
        &self,
        rows: usize,
        make: impl FnOnce() -> Vec<Dossier> + Send + 'static,
    ) -> ApiResult<Vec<Finding>> {
        let profile = self.profile.clone();
        self.cpu(rows, move || rules::check_all(&make(), &profile))
            .await
    }

    pub async fn get(&self, user: &User, id: i64) -> ApiResult<DossierDetail> {
        let d = self.visible(user, id).await?;
        self.detail_of(&d).await
    }

    /// The current version of a dossier already known to be visible, with its comments
    /// and reviews.
    async fn detail_of(&self, d: &StoredDossier) -> ApiResult<DossierDetail> {
        let v = self.store.get_version(d.id, d.current_version).await?;
        Ok(DossierDetail {
            summary: DossierSummary::from(d),
            forms: v.forms,
            findings: v.findings,
            comments: self.store.comments(d.id).await?,
            reviews: self.store.reviews(d.id).await?,
        })
    }

    /// What the dossier page shows, with one visibility check: the current detail, the
    /// history, and the version asked for when it is not the current one.
    pub async fn dossier_view(
        &self,
        user: &User,
        id: i64,
        version: Option<i64>,
    ) -> ApiResult<DossierView> {
        let d = self.visible(user, id).await?;
        let older = match version.filter(|v| *v != d.current_version) {
            Some(v) => Some(self.stored_version(id, v).await?),
            None => None,
        };
        let detail = self.detail_of(&d).await?;
        let earlier = match older {
            None => self.earlier_versions(&d, &detail.comments).await?,
            Some(_) => Vec::new(),
        };
        Ok(DossierView {
            detail,
            versions: self.store.history(id).await?,
            older,
            steps: self.steps(id).await?,
            earlier,
            reports: if d.kind.is_report() {
                Vec::new()
            } else {
                self.store.reports_of(id).await?
            },
        })
    }

    /// The earlier versions whose open remarks on cells are carried to the current one
    /// (the latest [`CARRIED_VERSIONS`] of them).
    pub(crate) async fn earlier_versions(
        &self,
        d: &StoredDossier,
        comments: &[Comment],
    ) -> ApiResult<Vec<jixiao_store::Version>> {
        let mut wanted: Vec<i64> = comments
            .iter()
            .filter(|c| {
                !c.field.is_empty() && c.resolved_at.is_none() && c.version < d.current_version
            })
            .map(|c| c.version)
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        let mut out = Vec::new();
        for v in wanted.iter().rev().take(CARRIED_VERSIONS) {
            out.push(self.stored_version(d.id, *v).await?);
        }
        Ok(out)
    }

    /// Refuses forms bigger than the largest dossier (`Config::max_dossier_bytes`), so
    /// nothing is stored that could not be sent back in a save. Answers their JSON size,
    /// which the byte quota counts too.
    pub(crate) fn fits(&self, forms: &[Form]) -> ApiResult<usize> {
        let size = json_bytes(&forms);
        let limit = self.config.max_dossier_bytes;
        if size > limit {
            return Err(ApiError::PayloadTooLarge(format!(
                "档案内容过大（约 {:.1} MiB），超过单个档案的上限 {}，请拆分为几个文件分别上传",
                size as f64 / (1024.0 * 1024.0),
                crate::api::human_size(limit)
            )));
        }
        Ok(size)
    }

    /// A new version from edited forms (the rules run again). A stale `base_version`
    /// keeps the forms as a conflict version and answers `Conflict`. With a `reason`
    /// on an approved dossier it opens an adjustment (调整). A dossier under review or
    /// approved (without a reason) takes no save, stale or not: refused, nothing stored.
    /// The form limits and the quotas apply to every version, conflicts included.
    pub async fn save(
        &self,
        user: &User,
        id: i64,
        forms: Vec<Form>,
        base_version: i64,
        reason: Option<String>,
    ) -> ApiResult<Saved> {
        let d = self.visible(user, id).await?;
        Self::require(user, &[Role::Unit, Role::Admin], "修改档案")?;
        if forms.is_empty() {
            return Err(ApiError::unprocessable(
                "档案至少要有一张表，不能保存空档案（如需作废，请联系管理员）",
            ));
        }
        if reason.is_some() && d.kind.is_report() {
            return Err(ApiError::unprocessable(
                "审核通过的报告不能调整；如需更正，请联系审核人员退回",
            ));
        }
        let adjusting = reason.is_some() && d.status == Status::Approved;
        if !adjusting {
            review::check_edit(d.status).map_err(|e| ApiError::unprocessable(e.to_string()))?;
        }
        let kind = match reason {
            Some(reason) => SaveKind::Adjustment { reason },
            None => SaveKind::Save,
        };
        let file = format!("{}{}年度档案", d.unit_name, d.year);
        self.save_forms(user, &d, forms, base_version, kind, Vec::new(), &file)
            .await
    }

    /// Stores `forms` as the next version of `d` (the caller has checked access and
    /// state): limits, quotas, the rules (after `findings` the file's reader left), and
    /// nothing at all when the forms equal the current version's.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn save_forms(
        &self,
        user: &User,
        d: &StoredDossier,
        forms: Vec<Form>,
        base_version: i64,
        kind: SaveKind,
        mut findings: Vec<Finding>,
        file: &str,
    ) -> ApiResult<Saved> {
        let id = d.id;
        let mut forms = forms;
        // Scores, totals, grades and lights are the server's: recomputed on every save.
        jixiao_domain::scoring::fill_computed(&mut forms, &self.profile);
        self.within_limits(&forms)?;
        let forms_bytes = self.fits(&forms)?;
        // A save that changes nothing (Ctrl+S twice, a client retrying, the same file
        // imported again) stores nothing: the current version is the answer.
        if matches!(kind, SaveKind::Save) && base_version == d.current_version {
            let current = self.store.get_version(id, d.current_version).await?;
            if current.forms == forms {
                return Ok(Saved {
                    id,
                    version: d.current_version,
                    status: d.status,
                    findings: current.findings,
                });
            }
        }
        self.version_quota(id).await?;
        findings.extend(self.check_stored(d, file, &forms).await?);
        rules::sort_findings(&mut findings);
        self.bytes_quota(d.unit_id, forms_bytes + json_bytes(&findings))
            .await?;
        let info = self
            .store
            .save_version(id, base_version, &forms, &findings, &user.actor(), kind)
            .await?;
        let d = self.store.get_dossier(id).await?;
        Ok(Saved {
            id,
            version: info.version,
            status: d.status,
            findings,
        })
    }

    /// 提交审核: refused with the list while error-severity findings remain (stored
    /// findings of the current version plus what submission additionally requires).
    pub async fn submit(
        &self,
        user: &User,
        id: i64,
        version: Option<i64>,
    ) -> ApiResult<Transitioned> {
        let d = self.visible(user, id).await?;
        Self::require(user, &[Role::Unit, Role::Admin], "提交档案")?;
        let expected = version.unwrap_or(d.current_version);
        let v = self.store.get_version(id, d.current_version).await?;
        if v.forms.is_empty() {
            return Err(ApiError::unprocessable(
                "档案中没有任何表，不能提交审核，请先上传或填写绩效目标表",
            ));
        }
        let file = format!("{}{}年度档案", d.unit_name, d.year);
        let dossier = Dossier::of(&d.unit_name, u16::try_from(d.year).ok(), &file, &v.forms);
        let profile = self.profile.clone();
        let extra = self
            .cpu(dossier_rows(&v.forms), move || {
                rules::submission_findings(&dossier, &profile)
            })
            .await?;
        let blocking_findings: Vec<Finding> = v
            .findings
            .iter()
            .chain(&extra)
            .filter(|f| f.severity == Severity::Error)
            .cloned()
            .collect();
        if !blocking_findings.is_empty() && !self.profile.submit_with_errors {
            return Err(ApiError::Unprocessable {
                message: format!(
                    "档案还有 {} 个错误，请修改后再提交",
                    blocking_findings.len()
                ),
                findings: Some(blocking_findings.into_iter().chain(extra).collect()),
            });
        }
        let d = self
            .store
            .transition(id, d.status, expected, &Action::Submit, &user.actor())
            .await?;
        Ok(Transitioned {
            dossier: DossierSummary::from(&d),
            warnings: extra,
        })
    }

    /// 撤回: the unit takes a submission back to 草稿 while the reviewer has neither decided
    /// on it nor commented on it (once a reviewer has written on the version, it is theirs
    /// to return).
    pub async fn withdraw(
        &self,
        user: &User,
        id: i64,
        version: Option<i64>,
    ) -> ApiResult<DossierSummary> {
        let d = self.visible(user, id).await?;
        Self::require(user, &[Role::Unit, Role::Admin], "撤回档案")?;
        if d.status != Status::Submitted {
            return Err(ApiError::unprocessable("只有待审核的档案可以撤回"));
        }
        let authors: HashSet<i64> = self
            .store
            .comments(id)
            .await?
            .iter()
            .filter(|c| c.version == d.current_version)
            .map(|c| c.author_id)
            .collect();
        let mut reviewer_wrote = false;
        for author in authors {
            if self.store.get_user(author).await?.role == Role::Reviewer {
                reviewer_wrote = true;
                break;
            }
        }
        if reviewer_wrote {
            return Err(ApiError::unprocessable(
                "审核人员已对本版提出意见，不能撤回；如需修改，请联系审核人员退回",
            ));
        }
        let expected = version.unwrap_or(d.current_version);
        let d = self
            .store
            .transition(id, d.status, expected, &Action::Withdraw, &user.actor())
            .await?;
        Ok(DossierSummary::from(&d))
    }

    /// 删除 a draft: it leaves every list and its year is free again; an administrator can
    /// restore it (`admin_restore`). Submitted dossiers are withdrawn first; reviewed ones
    /// are never deleted.
    pub async fn delete(&self, user: &User, id: i64, version: Option<i64>) -> ApiResult<()> {
        let d = self.visible(user, id).await?;
        Self::require(user, &[Role::Unit, Role::Admin], "删除档案")?;
        if d.status != Status::Draft {
            return Err(ApiError::unprocessable(
                "只能删除草稿；待审核的档案请先撤回，退回修改、已审核的档案不能删除",
            ));
        }
        let expected = version.unwrap_or(d.current_version);
        self.store
            .delete_dossier(id, expected, &user.actor())
            .await?;
        Ok(())
    }

    /// 退回修改 by a reviewer; the comment (if any) is attached to the returned version.
    pub async fn return_dossier(
        &self,
        user: &User,
        id: i64,
        opinions: Opinions,
        comment: String,
        version: Option<i64>,
    ) -> ApiResult<Transitioned> {
        let comment = comment.trim().to_string();
        let (after, expected) = self
            .decide(user, id, "退回档案", version, |_| {
                if comment.is_empty() && opinions.missing().len() == 4 {
                    return Err(ApiError::unprocessable("退回时请填写退回意见"));
                }
                Ok(Action::Return { opinions })
            })
            .await?;
        if !comment.is_empty() {
            self.store
                .add_comment(id, expected, "", &comment, &user.actor())
                .await?;
        }
        Ok(Transitioned {
            dossier: DossierSummary::from(&after),
            warnings: Vec::new(),
        })
    }

    /// A reviewer's decision on the version they saw (the current one unless given):
    /// visibility (404), role (403), then the action is built (422) and applied.
    async fn decide(
        &self,
        user: &User,
        id: i64,
        what: &str,
        version: Option<i64>,
        action: impl FnOnce(&StoredDossier) -> ApiResult<Action>,
    ) -> ApiResult<(StoredDossier, i64)> {
        let d = self.visible(user, id).await?;
        Self::require(user, &[Role::Reviewer, Role::Admin], what)?;
        // Separation of duties: nobody decides on their own unit's dossier.
        if user.account.unit_id == Some(d.unit_id) {
            return Err(ApiError::forbidden(format!(
                "不能{what}：这是本单位的档案（审核与填报须分离）"
            )));
        }
        let action = action(&d)?;
        let expected = version.unwrap_or(d.current_version);
        let after = self
            .store
            .transition(id, d.status, expected, &action, &user.actor())
            .await?;
        Ok((after, expected))
    }

    /// 审核: a grade and an opinion on each of the four criteria.
    pub async fn approve(
        &self,
        user: &User,
        id: i64,
        grade: Grade,
        opinions: Opinions,
        version: Option<i64>,
    ) -> ApiResult<Transitioned> {
        let (after, _) = self
            .decide(user, id, "审核档案", version, |d| {
                Ok(if d.kind.is_report() {
                    // A report's grade is the evaluation's result; no criteria opinions.
                    Action::Accept {
                        grade: Some(grade),
                        opinions,
                    }
                } else {
                    Action::Approve { grade, opinions }
                })
            })
            .await?;
        self.library_learn(&after).await;
        Ok(Transitioned {
            dossier: DossierSummary::from(&after),
            warnings: Vec::new(),
        })
    }

    /// A remark on a field (or, with an empty field, the whole dossier) of a version
    /// (the current one unless given). Everyone who sees the dossier may comment.
    pub async fn comment(
        &self,
        user: &User,
        id: i64,
        field: &str,
        body: &str,
        version: Option<i64>,
    ) -> ApiResult<Comment> {
        let d = self.visible(user, id).await?;
        let body = body.trim();
        if body.is_empty() {
            return Err(ApiError::unprocessable("意见内容不能为空"));
        }
        if body.chars().count() > 5000 || field.chars().count() > 200 {
            return Err(ApiError::unprocessable(
                "意见内容过长（上限 5000 字，字段路径上限 200 字）",
            ));
        }
        let version = version.unwrap_or(d.current_version);
        match self
            .store
            .add_comment(id, version, field.trim(), body, &user.actor())
            .await
        {
            Err(StoreError::NotFound) => {
                Err(ApiError::unprocessable(format!("第{version}版不存在")))
            }
            other => Ok(other?),
        }
    }

    /// Marks a remark 已解决 (or open again): reviewers and administrators, who check the
    /// fix, and the remark's author.
    pub async fn resolve_comment(
        &self,
        user: &User,
        id: i64,
        comment_id: i64,
        resolved: bool,
    ) -> ApiResult<Comment> {
        self.visible(user, id).await?;
        let comments = self.store.comments(id).await?;
        let Some(c) = comments.iter().find(|c| c.id == comment_id) else {
            return Err(ApiError::NotFound("意见不存在".into()));
        };
        if !matches!(user.role(), Role::Reviewer | Role::Admin) && c.author_id != user.account.id {
            return Err(ApiError::forbidden(
                "只有审核人员、管理员或提出意见的人可以标记意见已解决",
            ));
        }
        Ok(self
            .store
            .resolve_comment(id, comment_id, resolved, &user.actor())
            .await?)
    }

    pub async fn history(&self, user: &User, id: i64) -> ApiResult<History> {
        let d = self.visible(user, id).await?;
        Ok(History {
            id,
            current_version: d.current_version,
            versions: self.store.history(id).await?,
            steps: self.steps(id).await?,
        })
    }

    /// 审核意见书 of the latest review of a dossier the caller may see (unit and reviewer
    /// alike): its decision, grade and opinions, the findings and the remarks on the version
    /// reviewed. 404 while nothing has been reviewed.
    pub async fn review_letter(
        &self,
        user: &User,
        id: i64,
    ) -> ApiResult<(DossierSummary, jixiao_files::export::letter::ReviewLetter)> {
        let d = self.visible(user, id).await?;
        let reviews = self.store.reviews(id).await?;
        let Some(r) = reviews.last() else {
            return Err(ApiError::NotFound(
                "该档案尚未审核（退回或通过），还没有审核意见书".into(),
            ));
        };
        let version = self.stored_version(id, r.version).await?;
        let findings = version
            .findings
            .iter()
            .map(|f| format!("{}：{}", f.severity.label(), f.message))
            .collect();
        let comments = self
            .store
            .comments(id)
            .await?
            .into_iter()
            .filter(|c| c.version == r.version)
            .map(|c| format!("{}（{}）", c.body, c.author_name))
            .collect();
        let ((y, m, day), _) = china_time(r.created_at);
        let letter = jixiao_files::export::letter::ReviewLetter {
            unit: d.unit_name.clone(),
            year: d.year,
            version: r.version,
            decision: r.decision.label().to_string(),
            grade: r.grade.map(|g| g.label().to_string()),
            opinions: r
                .opinions
                .entries()
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            findings,
            comments,
            reviewer: r.reviewer_name.clone(),
            date: format!("{y}年{m}月{day}日"),
        };
        Ok((DossierSummary::from(&d), letter))
    }

    async fn steps(&self, id: i64) -> ApiResult<Vec<Step>> {
        Ok(self
            .store
            .dossier_steps(id)
            .await?
            .iter()
            .map(Step::of)
            .collect())
    }

    /// A version (any, including conflict versions) of a dossier already known to be
    /// visible; an unknown number is 404.
    async fn stored_version(&self, id: i64, version: i64) -> ApiResult<jixiao_store::Version> {
        match self.store.get_version(id, version).await {
            Ok(v) => Ok(v),
            Err(StoreError::NotFound) => Err(ApiError::NotFound(format!("第{version}版不存在"))),
            Err(e) => Err(e.into()),
        }
    }

    /// Two versions to compare (by default the one before the current and the current),
    /// with one visibility check; the same version twice is refused.
    pub async fn compare(
        &self,
        user: &User,
        id: i64,
        from: Option<i64>,
        to: Option<i64>,
    ) -> ApiResult<(DossierSummary, jixiao_store::Version, jixiao_store::Version)> {
        let d = self.visible(user, id).await?;
        let to = to.unwrap_or(d.current_version);
        let from = from.unwrap_or(to - 1);
        if from < 1 || from == to {
            return Err(ApiError::unprocessable("请选择两个不同的版本进行比较"));
        }
        Ok((
            DossierSummary::from(&d),
            self.stored_version(id, from).await?,
            self.stored_version(id, to).await?,
        ))
    }

    /// The forms to export: a version of a visible dossier (the current one unless given).
    pub async fn export_forms(
        &self,
        user: &User,
        id: i64,
        version: Option<i64>,
    ) -> ApiResult<(DossierSummary, Vec<Form>)> {
        let d = self.visible(user, id).await?;
        let v = self
            .stored_version(id, version.unwrap_or(d.current_version))
            .await?;
        Ok((DossierSummary::from(&d), v.forms))
    }

    /// A PDF of a print view (`export::print_view`), printed by Chromium through the
    /// bounded print queue: 503 (`Busy`) when it is full, the Chinese reason when
    /// Chromium fails or times out (its cause is logged).
    pub async fn print_pdf(&self, html: String) -> ApiResult<Vec<u8>> {
        let opts = PdfOptions {
            chromium: self.config.pdf.chromium.clone(),
            timeout: self.config.pdf.timeout,
        };
        match self.print.run(move || html_to_pdf_with(&html, &opts)).await {
            Err(busy) => Err(busy.into()),
            Ok(Err(e)) => Err(e),
            Ok(Ok(Err(e))) => {
                tracing::warn!(error = %e, "PDF export failed");
                Err(ApiError::unprocessable(e.to_string()))
            }
            Ok(Ok(Ok(bytes))) => Ok(bytes),
        }
    }

    /// The units the caller may see, by name (for filters and pickers).
    pub async fn units_in_scope(&self, user: &User) -> ApiResult<Vec<jixiao_store::Unit>> {
        let scope = self.scope(user).await?;
        let mut units: Vec<_> = self
            .store
            .list_units()
            .await?
            .into_iter()
            .filter(|u| scope.contains(u.id))
            .collect();
        units.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(units)
    }
}

/// The forms as filed from `file`, in order (before any grouping).
fn filed(file: &str, forms: &[Form]) -> Vec<FiledForm> {
    Dossier::of("", None, file, forms).forms
}
