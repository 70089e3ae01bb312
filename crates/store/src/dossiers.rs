//! Dossiers (all forms of one unit and year): creating one with its first version,
//! reading and listing them.

use jixiao_domain::review::Status;
use jixiao_domain::{Finding, Form};
use serde_json::json;

use crate::audit;
use crate::backend::{Backend, Exec, Sql, SqlRow, WriteTx};
use crate::clock::now_ms;
use crate::error::{Result, StoreError};
use crate::model::{
    department_total_fen, severity_counts, Actor, DeletedDossier, DossierFilter, DossierKind,
    DossierOrder, NewReport, Page, StoredDossier, VersionKind, MAX_PAGE,
};
use crate::rows::{parse_dossier_kind, parse_grade, parse_status, DOSSIER_SELECT};
use crate::search;
use crate::versions::{self, VersionInsert};

pub(crate) fn dossier_of(r: &impl SqlRow) -> Result<StoredDossier> {
    Ok(StoredDossier {
        id: r.int("id")?,
        unit_id: r.int("unit_id")?,
        unit_name: r.text("unit_name")?,
        year: r.int("year")?,
        status: parse_status(&r.text("status")?)?,
        current_version: r.int("current_version")?,
        approved_version: r.opt_int("approved_version")?,
        grade: parse_grade(r.opt_text("grade")?)?,
        not_for_budget: r.flag("not_for_budget")?,
        total_fen: r.opt_int("total_fen")?,
        error_count: r.int("error_count")?,
        warning_count: r.int("warning_count")?,
        created_at: r.int("created_at")?,
        updated_at: r.int("updated_at")?,
        kind: parse_dossier_kind(&r.text("kind")?)?,
        report_of: r.opt_int("report_of")?,
        period_months: r.opt_int("period_months")?,
        round_id: r.opt_int("round_id")?,
    })
}

/// One dossier that is not deleted, read on `e` (a transaction sees its own writes).
pub(crate) async fn dossier_in(e: &mut impl Exec, id: i64) -> Result<StoredDossier> {
    let q = Sql::new(format!(
        "{DOSSIER_SELECT} WHERE d.id = $1 AND d.deleted_at IS NULL"
    ))
    .bind(id);
    dossier_of(&e.fetch_one(&q).await?)
}

/// A new dossier in 草稿 with version 1, its search document and its audit record.
pub(crate) async fn create<B: Backend>(
    b: &B,
    unit_id: i64,
    year: i64,
    forms: &[Form],
    findings: &[Finding],
    actor: &Actor,
) -> Result<StoredDossier> {
    let mut tx = b.begin().await?;
    let d = insert_tx::<B>(&mut tx, unit_id, year, None, forms, findings, actor).await?;
    tx.commit().await?;
    Ok(d)
}

/// Inserts a dossier (a report when `report` is given, of the target's unit and year)
/// with version 1, its search document and its audit record, inside `tx`.
pub(crate) async fn insert_tx<B: Backend>(
    tx: &mut B::Tx,
    unit_id: i64,
    year: i64,
    report: Option<&NewReport>,
    forms: &[Form],
    findings: &[Finding],
    actor: &Actor,
) -> Result<StoredDossier> {
    let forms_json = serde_json::to_string(forms)?;
    let findings_json = serde_json::to_string(findings)?;
    let (errors, warnings) = severity_counts(findings);
    let search_text = search::forms_text(forms);
    let now = now_ms();
    let kind = report.map_or(DossierKind::Targets, |r| r.kind);
    let id = tx
        .fetch_one(
            &Sql::new(
                "INSERT INTO dossiers (unit_id, year, status, current_version, last_version, \
                 total_fen, error_count, warning_count, created_at, updated_at, kind, \
                 report_of, period_months, round_id) \
                 VALUES ($1, $2, $3, 1, 1, $4, $5, $6, $7, $7, $8, $9, $10, $11) RETURNING id",
            )
            .bind(unit_id)
            .bind(year)
            .bind(Status::Draft.code())
            .bind(department_total_fen(forms))
            .bind(errors)
            .bind(warnings)
            .bind(now)
            .bind(kind.code())
            .bind(report.map(|r| r.target_id))
            .bind(report.and_then(|r| r.period_months))
            .bind(report.and_then(|r| r.round_id)),
        )
        .await?
        .int("id")?;
    versions::insert_tx(
        tx,
        &VersionInsert {
            dossier_id: id,
            version: 1,
            kind: VersionKind::Save,
            reason: None,
            base_version: 0,
            forms: &forms_json,
            findings: &findings_json,
            errors,
            warnings,
            created_by: actor.user_id,
            created_at: now,
        },
    )
    .await?;
    search::put_tx::<B>(tx, id, &search_text).await?;
    let (action, detail) = match report {
        None => (
            "dossier.create",
            json!({ "unit_id": unit_id, "year": year, "version": 1 }),
        ),
        Some(r) => (
            "report.create",
            json!({ "unit_id": unit_id, "year": year, "version": 1, "kind": kind.code(),
                    "report_of": r.target_id, "period_months": r.period_months,
                    "round": r.round_id }),
        ),
    };
    audit::append_tx::<B>(tx, actor, action, &format!("dossier:{id}"), &detail).await?;
    dossier_in(tx, id).await
}

pub(crate) async fn get<B: Backend>(b: &B, id: i64) -> Result<StoredDossier> {
    dossier_in(&mut b.read().await?, id).await
}

pub(crate) async fn find<B: Backend>(b: &B, unit_id: i64, year: i64) -> Result<StoredDossier> {
    let q = Sql::new(format!(
        "{DOSSIER_SELECT} WHERE d.unit_id = $1 AND d.year = $2 AND d.deleted_at IS NULL \
         AND d.kind = 'targets'"
    ))
    .bind(unit_id)
    .bind(year);
    dossier_of(&b.read().await?.fetch_one(&q).await?)
}

/// The conditions of a listing, shared by its count and its page.
fn push_filter<B: Backend>(q: &mut Sql<'_>, f: &DossierFilter) {
    q.push(" WHERE d.deleted_at IS NULL AND d.kind = ")
        .push_bind(f.kind.code());
    if let Some(ids) = &f.unit_ids {
        q.push(" AND d.unit_id IN ").push_list(ids.iter().copied());
    }
    if !f.statuses.is_empty() {
        q.push(" AND d.status IN ")
            .push_list(f.statuses.iter().map(|s| s.code()));
    }
    if let Some(year) = f.year {
        q.push(" AND d.year = ").push_bind(year);
    }
    let query = search::Query::parse(f.query.as_deref());
    if let Some(year) = query.year {
        q.push(" AND d.year = ").push_bind(year);
    }
    for needle in &query.words {
        B::push_search(q, needle);
    }
}

/// One page of the dossiers matching `filter`, in its order, and the total count.
pub(crate) async fn list<B: Backend>(b: &B, filter: &DossierFilter) -> Result<Page<StoredDossier>> {
    if filter.unit_ids.as_ref().is_some_and(|ids| ids.is_empty()) {
        return Ok(Page {
            items: Vec::new(),
            total: 0,
        });
    }
    let mut conn = b.read().await?;
    let mut count = Sql::new("SELECT COUNT(*) AS n FROM dossiers d");
    push_filter::<B>(&mut count, filter);
    let total = conn.fetch_one(&count).await?.int("n")?;

    let mut page = Sql::new(DOSSIER_SELECT);
    push_filter::<B>(&mut page, filter);
    page.push(match filter.order {
        DossierOrder::Recent => " ORDER BY d.updated_at DESC, d.id DESC",
        DossierOrder::Quality => {
            " ORDER BY d.error_count DESC, d.warning_count DESC, d.updated_at DESC, d.id DESC"
        }
    });
    page.push(" LIMIT ")
        .push_bind(filter.limit.clamp(1, MAX_PAGE))
        .push(" OFFSET ")
        .push_bind(filter.offset.max(0));
    let rows = conn.fetch_all(&page).await?;
    Ok(Page {
        items: rows.iter().map(dossier_of).collect::<Result<_>>()?,
        total,
    })
}

/// 删除: a draft leaves every listing and frees its unit and year; the row, its versions
/// and comments stay for an administrator to restore. Only 草稿, and only the version the
/// caller saw (`Conflict` otherwise).
pub(crate) async fn delete<B: Backend>(
    b: &B,
    id: i64,
    expected_version: i64,
    actor: &Actor,
) -> Result<()> {
    let now = now_ms();
    let mut tx = b.begin().await?;
    let d = dossier_in(&mut tx, id).await?;
    if d.status != Status::Draft {
        return Err(StoreError::refused(
            "只能删除草稿；已提交的档案请先撤回，已审核的档案不能删除",
        ));
    }
    let done = tx
        .execute(
            &Sql::new(
                "UPDATE dossiers SET deleted_at = $1, deleted_by = $2 \
                 WHERE id = $3 AND status = $4 AND current_version = $5 AND deleted_at IS NULL",
            )
            .bind(now)
            .bind(actor.user_id)
            .bind(id)
            .bind(Status::Draft.code())
            .bind(expected_version),
        )
        .await?;
    if done == 0 {
        return Err(StoreError::Conflict {
            current: d.current_version,
        });
    }
    audit::append_tx::<B>(
        &mut tx,
        actor,
        "dossier.delete",
        &format!("dossier:{id}"),
        &json!({ "unit_id": d.unit_id, "year": d.year, "version": d.current_version }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The deleted dossiers, the latest deletion first (at most [`MAX_PAGE`]).
pub(crate) async fn deleted<B: Backend>(b: &B) -> Result<Vec<DeletedDossier>> {
    let q = Sql::new(format!(
        "{DELETED_SELECT} WHERE d.deleted_at IS NOT NULL \
         ORDER BY d.deleted_at DESC, d.id DESC LIMIT $1"
    ))
    .bind(MAX_PAGE);
    let rows = b.read().await?.fetch_all(&q).await?;
    rows.iter().map(deleted_of).collect()
}

const DELETED_SELECT: &str = "SELECT d.id, d.unit_id, u.name AS unit_name, d.year, \
     d.status, d.current_version, d.approved_version, d.grade, d.not_for_budget, d.total_fen, \
     d.error_count, d.warning_count, d.created_at, d.updated_at, d.kind, d.report_of, \
     d.period_months, d.round_id, d.deleted_at, \
     COALESCE(NULLIF(w.display_name, ''), w.username) AS deleted_by_name \
     FROM dossiers d JOIN units u ON u.id = d.unit_id LEFT JOIN users w ON w.id = d.deleted_by";

fn deleted_of(r: &impl SqlRow) -> Result<DeletedDossier> {
    Ok(DeletedDossier {
        dossier: dossier_of(r)?,
        deleted_at: r.int("deleted_at")?,
        deleted_by: r.opt_text("deleted_by_name")?,
    })
}

/// An administrator restores a deleted dossier as it was. `Duplicate` when its unit has
/// made another dossier of that year since; `NotFound` when it is not deleted.
pub(crate) async fn restore<B: Backend>(b: &B, id: i64, actor: &Actor) -> Result<StoredDossier> {
    let mut tx = b.begin().await?;
    let row = tx
        .fetch_optional(
            &Sql::new(format!(
                "{DELETED_SELECT} WHERE d.id = $1 AND d.deleted_at IS NOT NULL"
            ))
            .bind(id),
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    let gone = deleted_of(&row)?;
    let taken = tx
        .fetch_optional(
            &Sql::new(
                "SELECT id FROM dossiers WHERE deleted_at IS NULL AND kind = $1 AND \
                 (kind = 'targets' AND unit_id = $2 AND year = $3 \
                  OR kind <> 'targets' AND report_of = $4 AND COALESCE(period_months, 0) = $5)",
            )
            .bind(gone.dossier.kind.code())
            .bind(gone.dossier.unit_id)
            .bind(gone.dossier.year)
            .bind(gone.dossier.report_of)
            .bind(gone.dossier.period_months.unwrap_or(0)),
        )
        .await?;
    if taken.is_some() {
        return Err(StoreError::Duplicate(format!(
            "{}已有{}年度的档案，不能恢复；请先删除或处理那份档案",
            gone.dossier.unit_name, gone.dossier.year
        )));
    }
    tx.execute(
        &Sql::new("UPDATE dossiers SET deleted_at = NULL, deleted_by = NULL WHERE id = $1")
            .bind(id),
    )
    .await?;
    audit::append_tx::<B>(
        &mut tx,
        actor,
        "dossier.restore",
        &format!("dossier:{id}"),
        &json!({ "unit_id": gone.dossier.unit_id, "year": gone.dossier.year }),
    )
    .await?;
    let d = dossier_in(&mut tx, id).await?;
    tx.commit().await?;
    Ok(d)
}
