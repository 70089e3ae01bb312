//! Versions: every save is a new immutable row; optimistic locking decides whether it
//! becomes current or is kept as a conflict version (docs/storage.md).

use jixiao_domain::review::{self, Action, Status};
use jixiao_domain::{Finding, Form};
use serde_json::json;

use crate::audit;
use crate::backend::{Backend, Exec, Sql, SqlRow, WriteTx};
use crate::clock::now_ms;
use crate::error::{Result, StoreError};
use crate::model::{
    department_total_fen, severity_counts, Actor, SaveKind, Version, VersionInfo, VersionKind,
};
use crate::rows::{parse_kind, VERSION_INFO_SELECT};
use crate::search;

fn version_info_of(r: &impl SqlRow) -> Result<VersionInfo> {
    Ok(VersionInfo {
        dossier_id: r.int("dossier_id")?,
        version: r.int("version")?,
        kind: parse_kind(&r.text("kind")?)?,
        reason: r.opt_text("reason")?,
        base_version: r.int("base_version")?,
        error_count: r.int("error_count")?,
        warning_count: r.int("warning_count")?,
        created_by: r.opt_int("created_by")?,
        created_by_name: r.opt_text("created_by_name")?,
        created_at: r.int("created_at")?,
    })
}

/// One row of `versions` about to be written.
pub(crate) struct VersionInsert<'a> {
    pub dossier_id: i64,
    pub version: i64,
    pub kind: VersionKind,
    pub reason: Option<&'a str>,
    pub base_version: i64,
    pub forms: &'a str,
    pub findings: &'a str,
    pub errors: i64,
    pub warnings: i64,
    pub created_by: Option<i64>,
    pub created_at: i64,
}

pub(crate) async fn insert_tx(tx: &mut impl Exec, v: &VersionInsert<'_>) -> Result<()> {
    tx.execute(
        &Sql::new(
            "INSERT INTO versions (dossier_id, version, kind, reason, base_version, \
             forms, findings, error_count, warning_count, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(v.dossier_id)
        .bind(v.version)
        .bind(v.kind.code())
        .bind(v.reason)
        .bind(v.base_version)
        .bind(v.forms)
        .bind(v.findings)
        .bind(v.errors)
        .bind(v.warnings)
        .bind(v.created_by)
        .bind(v.created_at),
    )
    .await?;
    Ok(())
}

async fn info_in(e: &mut impl Exec, dossier_id: i64, version: i64) -> Result<VersionInfo> {
    let q = Sql::new(format!(
        "{VERSION_INFO_SELECT} WHERE v.dossier_id = $1 AND v.version = $2"
    ))
    .bind(dossier_id)
    .bind(version);
    version_info_of(&e.fetch_one(&q).await?)
}

/// Saves a new version. The first statement both allocates the version number and locks
/// the dossier row (PostgreSQL: until commit; SQLite is write-locked already), so
/// concurrent saves serialise and each sees the current version the previous one
/// committed. A stale `base_version` keeps the forms as a `conflict` version (committed)
/// and answers `Conflict`; otherwise the workflow decides (a save needs an editable
/// status, an adjustment 审核通过 and a reason), the version becomes current, the search
/// document follows and the audit record closes the transaction.
pub(crate) async fn save<B: Backend>(
    b: &B,
    dossier_id: i64,
    base_version: i64,
    forms: &[Form],
    findings: &[Finding],
    actor: &Actor,
    kind: SaveKind,
) -> Result<VersionInfo> {
    let forms_json = serde_json::to_string(forms)?;
    let findings_json = serde_json::to_string(findings)?;
    let (errors, warnings) = severity_counts(findings);
    let search_text = search::forms_text(forms);
    let reason = match &kind {
        SaveKind::Save => None,
        SaveKind::Adjustment { reason } => Some(reason.trim()),
    };
    let now = now_ms();
    let mut tx = b.begin().await?;
    let Some(row) = tx
        .fetch_optional(
            &Sql::new(
                "UPDATE dossiers SET last_version = last_version + 1 WHERE id = $1 \
                 RETURNING status, current_version, last_version",
            )
            .bind(dossier_id),
        )
        .await?
    else {
        return Err(StoreError::NotFound);
    };
    let status = row.text("status")?;
    let status = Status::parse(&status)
        .ok_or_else(|| StoreError::other(format!("unexpected status {status:?}")))?;
    let current = row.int("current_version")?;
    let number = row.int("last_version")?;
    let mut version = VersionInsert {
        dossier_id,
        version: number,
        kind: VersionKind::Conflict,
        reason,
        base_version,
        forms: &forms_json,
        findings: &findings_json,
        errors,
        warnings,
        created_by: actor.user_id,
        created_at: now,
    };
    if current != base_version {
        // A dossier under review or approved takes no edits, stale or not: refused with
        // nothing stored (the transaction rolls back).
        review::check_edit(status)?;
        // Stale base: keep the submitted forms (never current) and say so.
        insert_tx(&mut tx, &version).await?;
        audit::append_tx::<B>(
            &mut tx,
            actor,
            "dossier.conflict",
            &format!("dossier:{dossier_id}"),
            &json!({ "version": number, "base": base_version, "current": current }),
        )
        .await?;
        tx.commit().await?;
        return Err(StoreError::Conflict { current });
    }
    let (new_status, action) = match &kind {
        SaveKind::Save => {
            review::check_edit(status)?;
            version.kind = VersionKind::Save;
            (status, "dossier.save")
        }
        SaveKind::Adjustment { reason } => {
            let next = review::apply(
                status,
                &Action::Adjust {
                    reason: reason.clone(),
                },
            )?;
            version.kind = VersionKind::Adjustment;
            (next, "dossier.adjust")
        }
    };
    insert_tx(&mut tx, &version).await?;
    tx.execute(
        &Sql::new(
            "UPDATE dossiers SET current_version = $1, status = $2, total_fen = $3, \
             error_count = $4, warning_count = $5, updated_at = $6 WHERE id = $7",
        )
        .bind(number)
        .bind(new_status.code())
        .bind(department_total_fen(forms))
        .bind(errors)
        .bind(warnings)
        .bind(now)
        .bind(dossier_id),
    )
    .await?;
    // Only a version that becomes current changes what search finds.
    search::put_tx::<B>(&mut tx, dossier_id, &search_text).await?;
    audit::append_tx::<B>(
        &mut tx,
        actor,
        action,
        &format!("dossier:{dossier_id}"),
        &json!({
            "version": number,
            "base": base_version,
            "status": new_status.code(),
            "reason": reason,
            "errors": errors,
        }),
    )
    .await?;
    let info = info_in(&mut tx, dossier_id, number).await?;
    tx.commit().await?;
    Ok(info)
}

/// Any version, including conflict versions, with its forms and findings.
pub(crate) async fn get<B: Backend>(b: &B, dossier_id: i64, version: i64) -> Result<Version> {
    let mut conn = b.read().await?;
    let info = info_in(&mut conn, dossier_id, version).await?;
    let row = conn
        .fetch_one(
            &Sql::new(
                "SELECT forms, findings FROM versions WHERE dossier_id = $1 AND version = $2",
            )
            .bind(dossier_id)
            .bind(version),
        )
        .await?;
    Ok(Version {
        info,
        forms: serde_json::from_str(&row.text("forms")?)?,
        findings: serde_json::from_str(&row.text("findings")?)?,
    })
}

/// Every version, oldest first; `NotFound` for an unknown dossier.
pub(crate) async fn history<B: Backend>(b: &B, dossier_id: i64) -> Result<Vec<VersionInfo>> {
    let q = Sql::new(format!(
        "{VERSION_INFO_SELECT} WHERE v.dossier_id = $1 ORDER BY v.version"
    ))
    .bind(dossier_id);
    let rows = b.read().await?.fetch_all(&q).await?;
    if rows.is_empty() {
        return Err(StoreError::NotFound);
    }
    rows.iter().map(version_info_of).collect()
}
