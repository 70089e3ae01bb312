//! 待办 and 消息: what the caller has to do now (derived from the dossiers' states) and what
//! others did to the dossiers the caller may see (read from the audit log), with how many
//! of those are unread.

use jixiao_domain::review::Status;
use jixiao_store::{DossierKind, DossierOrder, Role, Store};
use serde::Serialize;

use super::{DossierSummary, ListParams, Scope, Services, User};
use crate::error::ApiResult;

/// Most to-do items and notices shown at once.
const SHOWN: i64 = 50;

/// One thing to do, with the dossier it concerns.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct TodoItem {
    /// `fix` (退回修改), `submit` (草稿 not yet submitted), `review` (待审核).
    pub kind: &'static str,
    /// What to do, in the forms' terms.
    pub label: String,
    pub dossier_id: i64,
    pub unit_name: String,
    pub year: i64,
    pub status_label: &'static str,
    /// Last change of the dossier (ms since the epoch).
    pub since: i64,
}

/// One notice: who did what to which dossier.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Notice {
    pub seq: i64,
    pub at: i64,
    pub text: String,
    /// The dossier concerned; none for a 催报 reminder.
    pub dossier_id: Option<i64>,
    pub unread: bool,
}

/// `GET /api/todo`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Todo {
    pub items: Vec<TodoItem>,
    /// All to-do items, also those beyond the first 50.
    pub item_count: i64,
    pub notices: Vec<Notice>,
    pub unread: i64,
}

/// The notice for an audit action, in Chinese.
fn notice_text(action: &str, actor: &str, unit: &str, year: i64) -> String {
    if action == jixiao_store::audit::REMIND_ACTION {
        return format!("{actor}催报：请尽快填报并提交{unit}{year}年度的绩效目标");
    }
    let what = match action {
        "dossier.submit" => "提交了审核",
        "dossier.withdraw" => "撤回了提交",
        "dossier.return" => "退回修改",
        "dossier.review" => "审核通过",
        "dossier.adjust" => "申请了调整",
        "comment.add" => "提出了意见",
        _ => "更新了",
    };
    format!("{actor}{what}：{unit}{year}年度档案")
}

impl Services {
    /// The caller's 待办 and 消息. Units: returned dossiers to fix, drafts to submit;
    /// reviewers and admins: submissions to review. Notices: others' steps and comments.
    pub async fn todo(&self, user: &User) -> ApiResult<Todo> {
        let (kinds, statuses): (&[(&'static str, Status)], _) = match user.role() {
            Role::Unit => (
                &[("fix", Status::Returned), ("submit", Status::Draft)],
                vec![Status::Returned, Status::Draft],
            ),
            Role::Reviewer | Role::Admin => {
                (&[("review", Status::Submitted)], vec![Status::Submitted])
            }
        };
        // Target dossiers and the reports on them (监控、自评) alike, the latest first.
        let mut found: Vec<DossierSummary> = Vec::new();
        let mut total = 0;
        for kind in [
            DossierKind::Targets,
            DossierKind::Monitoring,
            DossierKind::SelfEvaluation,
        ] {
            let page = self
                .list(
                    user,
                    ListParams {
                        statuses: statuses.clone(),
                        order: DossierOrder::Recent,
                        limit: Some(SHOWN),
                        kind,
                        ..ListParams::default()
                    },
                )
                .await?;
            total += page.total;
            found.extend(page.items);
        }
        found.sort_by_key(|d| std::cmp::Reverse((d.updated_at, d.id)));
        found.truncate(usize::try_from(SHOWN).unwrap_or(50));
        let mut items: Vec<TodoItem> = found
            .iter()
            .filter_map(|d: &DossierSummary| {
                let (kind, _) = kinds.iter().find(|(_, s)| *s == d.status)?;
                let label = match *kind {
                    "fix" => "按退回意见修改后重新提交审核",
                    "submit" => "填报完成后提交审核",
                    _ => "审核并给出等级和意见",
                };
                let label = if d.kind.is_report() {
                    format!("{}：{label}", d.kind_label)
                } else {
                    label.to_string()
                };
                Some(TodoItem {
                    kind,
                    label,
                    dossier_id: d.id,
                    unit_name: d.unit_name.clone(),
                    year: d.year,
                    status_label: d.status_label,
                    since: d.updated_at,
                })
            })
            .collect();
        // Returned dossiers first: someone is waiting for them.
        items.sort_by_key(|i| i.kind != "fix");
        let units = match self.scope(user).await? {
            Scope::All => None,
            Scope::Units(ids) => Some(ids),
        };
        let events = self
            .store
            .dossier_events(units.as_deref(), &user.account.username, SHOWN)
            .await?;
        let seen = self.store.notices_seen(user.account.id).await?;
        let notices: Vec<Notice> = events
            .iter()
            .map(|e| Notice {
                seq: e.seq,
                at: e.at,
                text: notice_text(&e.action, &e.actor, &e.unit_name, e.year),
                dossier_id: e.dossier_id,
                unread: e.seq > seen,
            })
            .collect();
        let unread = notices.iter().filter(|n| n.unread).count() as i64;
        Ok(Todo {
            items,
            item_count: total,
            notices,
            unread,
        })
    }

    /// The caller has read the notices up to `seq`.
    pub async fn notices_read(&self, user: &User, seq: i64) -> ApiResult<()> {
        self.store.mark_notices_seen(user.account.id, seq).await?;
        Ok(())
    }
}
