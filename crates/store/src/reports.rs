//! Reports on approved targets: in-year monitoring (绩效运行监控, per monitoring round)
//! and the year-end self-evaluation (绩效自评). A report is a dossier of its own kind
//! (`dossiers.kind`, `report_of`), so it is saved, remarked on, reviewed and audited as
//! target dossiers are; this module makes them and reads them by target, round and kind.

use jixiao_domain::Finding;
use jixiao_domain::Form;
use serde_json::json;

use crate::audit;
use crate::backend::{Backend, Exec, Sql, SqlRow, WriteTx};
use crate::clock::now_ms;
use crate::dossiers::{dossier_in, dossier_of, insert_tx};
use crate::error::{Result, StoreError};
use crate::model::{
    Actor, DossierKind, NewReport, ReportFilter, Round, StoredDossier, MAX_REPORTS,
};
use crate::rows::DOSSIER_SELECT;

/// A report in 草稿 on an approved target dossier, of its unit and year. Refused for a
/// target not approved, a report on a report, or a monitoring period outside 1–12;
/// `Duplicate` when the target already has that report (self-evaluation: one; monitoring:
/// one per period).
pub(crate) async fn create<B: Backend>(
    b: &B,
    new: &NewReport,
    forms: &[Form],
    findings: &[Finding],
    actor: &Actor,
) -> Result<StoredDossier> {
    match (new.kind, new.period_months) {
        (DossierKind::Targets, _) => return Err(StoreError::refused("报告的类型不正确")),
        (DossierKind::Monitoring, Some(1..=12)) | (DossierKind::SelfEvaluation, None) => {}
        (DossierKind::Monitoring, _) => {
            return Err(StoreError::refused("监控期间应为 1 至 12 月"));
        }
        (DossierKind::SelfEvaluation, Some(_)) => {
            return Err(StoreError::refused("绩效自评不分期间"));
        }
    }
    let mut tx = b.begin().await?;
    let target = dossier_in(&mut tx, new.target_id).await?;
    if target.kind != DossierKind::Targets {
        return Err(StoreError::refused("报告只能针对绩效目标档案建立"));
    }
    if target.approved_version.is_none() {
        return Err(StoreError::refused(
            "绩效目标尚未审核通过，不能开展绩效监控或绩效自评",
        ));
    }
    let d = insert_tx::<B>(
        &mut tx,
        target.unit_id,
        target.year,
        Some(new),
        forms,
        findings,
        actor,
    )
    .await?;
    tx.commit().await?;
    Ok(d)
}

/// The reports on a target dossier (not deleted): monitoring by period, then the
/// self-evaluation.
pub(crate) async fn of_target<B: Backend>(b: &B, target_id: i64) -> Result<Vec<StoredDossier>> {
    let q = Sql::new(format!(
        "{DOSSIER_SELECT} WHERE d.report_of = $1 AND d.deleted_at IS NULL \
         ORDER BY d.kind, COALESCE(d.period_months, 0), d.id"
    ))
    .bind(target_id);
    let rows = b.read().await?.fetch_all(&q).await?;
    rows.iter().map(dossier_of).collect()
}

const ROUND_SELECT: &str = "SELECT r.id, r.year, r.period_months, r.due_at, r.opened_at, \
     COALESCE(NULLIF(u.display_name, ''), u.username) AS opened_by_name \
     FROM monitoring_rounds r LEFT JOIN users u ON u.id = r.opened_by";

fn round_of(r: &impl SqlRow) -> Result<Round> {
    Ok(Round {
        id: r.int("id")?,
        year: r.int("year")?,
        period_months: r.int("period_months")?,
        due_at: r.opt_int("due_at")?,
        opened_by: r.opt_text("opened_by_name")?,
        opened_at: r.int("opened_at")?,
    })
}

/// Opens the monitoring round of `year` covering months `1..=period_months` (audited
/// `round.open`); `Duplicate` when that round exists.
pub(crate) async fn open_round<B: Backend>(
    b: &B,
    year: i64,
    period_months: i64,
    due_at: Option<i64>,
    actor: &Actor,
) -> Result<Round> {
    if !(1..=12).contains(&period_months) {
        return Err(StoreError::refused("监控期间应为 1 至 12 月"));
    }
    let mut tx = b.begin().await?;
    let id = tx
        .fetch_one(
            &Sql::new(
                "INSERT INTO monitoring_rounds (year, period_months, due_at, opened_by, opened_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(year)
            .bind(period_months)
            .bind(due_at)
            .bind(actor.user_id)
            .bind(now_ms()),
        )
        .await?
        .int("id")?;
    audit::append_tx::<B>(
        &mut tx,
        actor,
        "round.open",
        &format!("round:{id}"),
        &json!({ "year": year, "period_months": period_months, "due_at": due_at }),
    )
    .await?;
    let r = round_of(
        &tx.fetch_one(&Sql::new(format!("{ROUND_SELECT} WHERE r.id = $1")).bind(id))
            .await?,
    )?;
    tx.commit().await?;
    Ok(r)
}

/// The monitoring rounds (of `year` when given), the latest year and period first.
pub(crate) async fn rounds<B: Backend>(b: &B, year: Option<i64>) -> Result<Vec<Round>> {
    let mut q = Sql::new(ROUND_SELECT);
    if let Some(y) = year {
        q.push(" WHERE r.year = ").push_bind(y);
    }
    q.push(" ORDER BY r.year DESC, r.period_months DESC, r.id DESC");
    let rows = b.read().await?.fetch_all(&q).await?;
    rows.iter().map(round_of).collect()
}

pub(crate) async fn get_round<B: Backend>(b: &B, id: i64) -> Result<Round> {
    let q = Sql::new(format!("{ROUND_SELECT} WHERE r.id = $1")).bind(id);
    round_of(&b.read().await?.fetch_one(&q).await?)
}

/// The reports matching `f` with the forms of their current version, by unit name (at
/// most [`MAX_REPORTS`]). One query: the board reads no version twice.
pub(crate) async fn sheets<B: Backend>(
    b: &B,
    f: &ReportFilter,
) -> Result<Vec<(StoredDossier, Vec<Form>)>> {
    if f.unit_ids.as_ref().is_some_and(|u| u.is_empty()) {
        return Ok(Vec::new());
    }
    let select = DOSSIER_SELECT.replacen(
        " FROM dossiers d",
        ", v.forms FROM dossiers d \
         JOIN versions v ON v.dossier_id = d.id AND v.version = d.current_version",
        1,
    );
    let mut q = Sql::new(select);
    q.push(" WHERE d.deleted_at IS NULL AND d.kind = ")
        .push_bind(f.kind.code());
    if let Some(y) = f.year {
        q.push(" AND d.year = ").push_bind(y);
    }
    if let Some(r) = f.round_id {
        q.push(" AND d.round_id = ").push_bind(r);
    }
    if let Some(u) = &f.unit_ids {
        q.push(" AND d.unit_id IN ").push_list(u.iter().copied());
    }
    q.push(" ORDER BY u.name, d.id LIMIT ")
        .push_bind(MAX_REPORTS);
    let rows = b.read().await?.fetch_all(&q).await?;
    rows.iter()
        .map(|r| {
            let forms: Vec<Form> = serde_json::from_str(&r.text("forms")?)?;
            Ok((dossier_of(r)?, forms))
        })
        .collect()
}
