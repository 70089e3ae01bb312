//! Dossiers (all forms of one unit and year): creating one with its first version,
//! reading and listing them.

use jixiao_domain::review::Status;
use jixiao_domain::{Finding, Form};
use serde_json::json;

use crate::audit;
use crate::backend::{Backend, Exec, Sql, SqlRow, WriteTx};
use crate::clock::now_ms;
use crate::error::Result;
use crate::model::{
    department_total_fen, severity_counts, Actor, DossierFilter, DossierOrder, Page, StoredDossier,
    VersionKind, MAX_PAGE,
};
use crate::rows::{parse_grade, parse_status, DOSSIER_SELECT};
use crate::search::{self, Needle};
use crate::versions::{self, VersionInsert};

fn dossier_of(r: &impl SqlRow) -> Result<StoredDossier> {
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
    })
}

/// One dossier, read on `e` (a transaction sees its own writes).
pub(crate) async fn dossier_in(e: &mut impl Exec, id: i64) -> Result<StoredDossier> {
    let q = Sql::new(format!("{DOSSIER_SELECT} WHERE d.id = $1")).bind(id);
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
    let forms_json = serde_json::to_string(forms)?;
    let findings_json = serde_json::to_string(findings)?;
    let (errors, warnings) = severity_counts(findings);
    let search_text = search::forms_text(forms);
    let now = now_ms();
    let mut tx = b.begin().await?;
    let id = tx
        .fetch_one(
            &Sql::new(
                "INSERT INTO dossiers (unit_id, year, status, current_version, last_version, \
                 total_fen, error_count, warning_count, created_at, updated_at) \
                 VALUES ($1, $2, $3, 1, 1, $4, $5, $6, $7, $7) RETURNING id",
            )
            .bind(unit_id)
            .bind(year)
            .bind(Status::Draft.code())
            .bind(department_total_fen(forms))
            .bind(errors)
            .bind(warnings)
            .bind(now),
        )
        .await?
        .int("id")?;
    versions::insert_tx(
        &mut tx,
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
    search::put_tx::<B>(&mut tx, id, &search_text).await?;
    audit::append_tx::<B>(
        &mut tx,
        actor,
        "dossier.create",
        &format!("dossier:{id}"),
        &json!({ "unit_id": unit_id, "year": year, "version": 1 }),
    )
    .await?;
    let d = dossier_in(&mut tx, id).await?;
    tx.commit().await?;
    Ok(d)
}

pub(crate) async fn get<B: Backend>(b: &B, id: i64) -> Result<StoredDossier> {
    dossier_in(&mut b.read().await?, id).await
}

pub(crate) async fn find<B: Backend>(b: &B, unit_id: i64, year: i64) -> Result<StoredDossier> {
    let q = Sql::new(format!(
        "{DOSSIER_SELECT} WHERE d.unit_id = $1 AND d.year = $2"
    ))
    .bind(unit_id)
    .bind(year);
    dossier_of(&b.read().await?.fetch_one(&q).await?)
}

/// The conditions of a listing, shared by its count and its page.
fn push_filter<B: Backend>(q: &mut Sql<'_>, f: &DossierFilter) {
    q.push(" WHERE 1 = 1");
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
    if let Some(needle) = Needle::new(f.query.as_deref()) {
        B::push_search(q, &needle);
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
