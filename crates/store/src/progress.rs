//! 填报进度: every unit with its dossier of a year (or none yet), the year's deadline, and
//! 催报 reminders (audited as `unit.remind`, shown to the unit as a notice).

use serde_json::json;

use crate::audit;
use crate::backend::{Backend, Exec, Sql, SqlRow, WriteTx};
use crate::clock::now_ms;
use crate::error::Result;
use crate::model::{Actor, UnitProgress};
use crate::rows::parse_status;

/// Units (all when `None`) in name order, each with its dossier of `year` when it has one
/// that is not deleted.
pub(crate) async fn progress<B: Backend>(
    b: &B,
    units: Option<&[i64]>,
    year: i64,
) -> Result<Vec<UnitProgress>> {
    if units.is_some_and(|u| u.is_empty()) {
        return Ok(Vec::new());
    }
    let mut q = Sql::new(
        "SELECT u.id AS unit_id, u.name AS unit_name, p.name AS parent_name, \
         d.id AS dossier_id, d.status, d.current_version, d.error_count, d.updated_at \
         FROM units u LEFT JOIN units p ON p.id = u.parent_id \
         LEFT JOIN dossiers d ON d.unit_id = u.id AND d.year = ",
    );
    q.push_bind(year)
        .push(" AND d.deleted_at IS NULL AND d.kind = 'targets'");
    if let Some(units) = units {
        q.push(" WHERE u.id IN ").push_list(units.iter().copied());
    }
    q.push(" ORDER BY u.name, u.id");
    let rows = b.read().await?.fetch_all(&q).await?;
    rows.iter()
        .map(|r| {
            let status = match r.opt_text("status")? {
                Some(s) => Some(parse_status(&s)?),
                None => None,
            };
            Ok(UnitProgress {
                unit_id: r.int("unit_id")?,
                unit_name: r.text("unit_name")?,
                parent_name: r.opt_text("parent_name")?,
                dossier_id: r.opt_int("dossier_id")?,
                status,
                version: r.opt_int("current_version")?,
                error_count: r.opt_int("error_count")?,
                updated_at: r.opt_int("updated_at")?,
            })
        })
        .collect()
}

/// The deadline of `year`, when one is set.
pub(crate) async fn deadline<B: Backend>(b: &B, year: i64) -> Result<Option<i64>> {
    let q = Sql::new("SELECT due_at FROM deadlines WHERE year = $1").bind(year);
    match b.read().await?.fetch_optional(&q).await? {
        Some(r) => Ok(Some(r.int("due_at")?)),
        None => Ok(None),
    }
}

/// Sets (or, with `None`, clears) the deadline of `year`. Audited.
pub(crate) async fn set_deadline<B: Backend>(
    b: &B,
    year: i64,
    due_at: Option<i64>,
    actor: &Actor,
) -> Result<()> {
    let mut tx = b.begin().await?;
    tx.execute(&Sql::new("DELETE FROM deadlines WHERE year = $1").bind(year))
        .await?;
    if let Some(due) = due_at {
        tx.execute(
            &Sql::new(
                "INSERT INTO deadlines (year, due_at, set_by, set_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(year)
            .bind(due)
            .bind(actor.user_id)
            .bind(now_ms()),
        )
        .await?;
    }
    audit::append_tx::<B>(
        &mut tx,
        actor,
        "deadline.set",
        &format!("year:{year}"),
        &json!({ "due_at": due_at }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// 催报: one `unit.remind` audit record per unit (the unit reads it as a notice).
pub(crate) async fn remind<B: Backend>(
    b: &B,
    unit_ids: &[i64],
    year: i64,
    actor: &Actor,
) -> Result<()> {
    for &unit in unit_ids {
        let mut tx = b.begin().await?;
        audit::append_tx::<B>(
            &mut tx,
            actor,
            audit::REMIND_ACTION,
            &format!("unit:{unit}"),
            &json!({ "year": year }),
        )
        .await?;
        tx.commit().await?;
    }
    Ok(())
}
