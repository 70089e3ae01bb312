//! Workflow transitions (提交, 退回, 审核) as decided by `jixiao_domain::review`.

use jixiao_domain::review::{self, Action, Status};
use serde_json::json;

use crate::audit;
use crate::backend::{Backend, Exec, Sql, SqlRow, WriteTx};
use crate::clock::now_ms;
use crate::dossiers::dossier_in;
use crate::error::{Result, StoreError};
use crate::model::{Actor, Decision, StoredDossier};

/// Applies Submit, Return or Approve with a conditional update on the status and version
/// the caller saw (`Conflict` when either moved meanwhile, so a reviewer decides on
/// exactly the version they read). Return and Approve write the review record in the
/// same transaction and need a user.
pub(crate) async fn transition<B: Backend>(
    b: &B,
    dossier_id: i64,
    expected_status: Status,
    expected_version: i64,
    action: &Action,
    actor: &Actor,
) -> Result<StoredDossier> {
    let (grade, opinions) = match action {
        Action::Submit | Action::Withdraw => (None, None),
        Action::Return { opinions } => (None, Some(opinions)),
        Action::Approve { grade, opinions } => (Some(*grade), Some(opinions)),
        Action::Accept { grade, opinions } => (*grade, Some(opinions)),
        Action::Adjust { .. } => {
            return Err(StoreError::refused(
                "调整须与调整后的内容一起保存（保存类型选“调整”并说明原因）",
            ))
        }
    };
    let new_status = review::apply(expected_status, action)?;
    let reviewer = match opinions {
        Some(_) => Some(
            actor
                .user_id
                .ok_or_else(|| StoreError::refused("审核操作必须由登录的审核人员执行"))?,
        ),
        None => None,
    };
    let now = now_ms();
    let mut tx = b.begin().await?;
    let update = if opinions.is_none() {
        Sql::new(
            "UPDATE dossiers SET status = $1, updated_at = $2 \
             WHERE id = $3 AND status = $4 AND current_version = $5",
        )
        .bind(new_status.code())
        .bind(now)
        .bind(dossier_id)
        .bind(expected_status.code())
        .bind(expected_version)
    } else {
        let approved = (new_status == Status::Approved).then_some(expected_version);
        Sql::new(
            "UPDATE dossiers SET status = $1, updated_at = $2, grade = $3, \
             not_for_budget = $4, approved_version = COALESCE($5, approved_version) \
             WHERE id = $6 AND status = $7 AND current_version = $8",
        )
        .bind(new_status.code())
        .bind(now)
        .bind(grade.map(|g| g.label()))
        .bind(matches!(action, Action::Approve { .. }) && grade.is_some_and(|g| g.blocks_budget()))
        .bind(approved)
        .bind(dossier_id)
        .bind(expected_status.code())
        .bind(expected_version)
    };
    if tx.execute(&update).await? == 0 {
        let current = tx
            .fetch_optional(
                &Sql::new("SELECT current_version FROM dossiers WHERE id = $1").bind(dossier_id),
            )
            .await?;
        return Err(match current {
            None => StoreError::NotFound,
            Some(row) => StoreError::Conflict {
                current: row.int("current_version")?,
            },
        });
    }
    if let (Some(opinions), Some(reviewer)) = (opinions, reviewer) {
        let decision = if new_status == Status::Approved {
            Decision::Approve
        } else {
            Decision::Return
        };
        tx.execute(
            &Sql::new(
                "INSERT INTO reviews (dossier_id, version, reviewer_id, decision, grade, \
                 opinions, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(dossier_id)
            .bind(expected_version)
            .bind(reviewer)
            .bind(decision.code())
            .bind(grade.map(|g| g.label()))
            .bind(serde_json::to_string(opinions)?)
            .bind(now),
        )
        .await?;
    }
    let verb = match action {
        Action::Submit => "dossier.submit",
        Action::Withdraw => "dossier.withdraw",
        Action::Return { .. } => "dossier.return",
        _ => "dossier.review",
    };
    audit::append_tx::<B>(
        &mut tx,
        actor,
        verb,
        &format!("dossier:{dossier_id}"),
        &json!({
            "version": expected_version,
            "from": expected_status.code(),
            "to": new_status.code(),
            "grade": grade.map(|g| g.label()),
        }),
    )
    .await?;
    let d = dossier_in(&mut tx, dossier_id).await?;
    tx.commit().await?;
    Ok(d)
}
