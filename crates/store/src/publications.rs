//! 预算公开: which approved dossiers are public, and at which version. Publishing and
//! unpublishing are audited; the public pages read only what is published.

use jixiao_domain::Form;
use serde::Serialize;
use serde_json::json;

use crate::audit;
use crate::backend::{Backend, Exec, Sql, SqlRow, WriteTx};
use crate::clock::now_ms;
use crate::error::{Result, StoreError};
use crate::model::Actor;

/// A published dossier as the public sees it: no findings, comments, reviews or users.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Published {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    /// 主管部门 (`None`: the unit has none).
    pub parent_name: Option<String>,
    pub year: i64,
    /// The version published.
    pub version: i64,
    pub published_at: i64,
}

/// Which dossiers a publication concerns: a year, and a unit or a 主管部门's units.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    pub year: i64,
    pub unit_id: Option<i64>,
    /// The units whose 主管部门 is this unit (and the unit itself).
    pub parent_id: Option<i64>,
}

fn select<'a>(q: &mut Sql<'a>, s: &Selection) {
    q.push(" WHERE deleted_at IS NULL AND year = ")
        .push_bind(s.year);
    if let Some(u) = s.unit_id {
        q.push(" AND unit_id = ").push_bind(u);
    }
    if let Some(p) = s.parent_id {
        q.push(" AND unit_id IN (SELECT id FROM units WHERE id = ")
            .push_bind(p)
            .push(" OR parent_id = ")
            .push_bind(p)
            .push(")");
    }
}

/// Publishes the approved dossiers of the selection at their approved version (again, for
/// one published before: its latest approved version). Answers how many; audited
/// `publication.publish`.
pub(crate) async fn publish<B: Backend>(b: &B, s: &Selection, actor: &Actor) -> Result<i64> {
    let mut tx = b.begin().await?;
    let mut q = Sql::new("UPDATE dossiers SET published_at = ");
    q.push_bind(now_ms())
        .push(", published_version = approved_version");
    select(&mut q, s);
    q.push(" AND status = 'approved' AND approved_version IS NOT NULL AND kind = 'targets'");
    let n = tx.execute(&q).await? as i64;
    audit::append_tx::<B>(
        &mut tx,
        actor,
        "publication.publish",
        &format!("year:{}", s.year),
        &json!({ "year": s.year, "unit": s.unit_id, "parent": s.parent_id, "dossiers": n }),
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

/// Takes the selection's published dossiers off the public site; audited
/// `publication.unpublish`.
pub(crate) async fn unpublish<B: Backend>(b: &B, s: &Selection, actor: &Actor) -> Result<i64> {
    let mut tx = b.begin().await?;
    let mut q = Sql::new("UPDATE dossiers SET published_at = NULL, published_version = NULL");
    select(&mut q, s);
    q.push(" AND published_at IS NOT NULL");
    let n = tx.execute(&q).await? as i64;
    audit::append_tx::<B>(
        &mut tx,
        actor,
        "publication.unpublish",
        &format!("year:{}", s.year),
        &json!({ "year": s.year, "unit": s.unit_id, "parent": s.parent_id, "dossiers": n }),
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

const PUBLISHED: &str = "SELECT d.id, d.unit_id, u.name AS unit_name, p.name AS parent_name, \
     d.year, d.published_version, d.published_at FROM dossiers d \
     JOIN units u ON u.id = d.unit_id LEFT JOIN units p ON p.id = u.parent_id \
     WHERE d.deleted_at IS NULL AND d.published_at IS NOT NULL";

fn published_of(r: &impl SqlRow) -> Result<Published> {
    Ok(Published {
        id: r.int("id")?,
        unit_id: r.int("unit_id")?,
        unit_name: r.text("unit_name")?,
        parent_name: r.opt_text("parent_name")?,
        year: r.int("year")?,
        version: r.int("published_version")?,
        published_at: r.int("published_at")?,
    })
}

/// The published dossiers (of `year` when given), by 主管部门, unit and year.
pub(crate) async fn list<B: Backend>(b: &B, year: Option<i64>) -> Result<Vec<Published>> {
    let mut q = Sql::new(PUBLISHED);
    if let Some(y) = year {
        q.push(" AND d.year = ").push_bind(y);
    }
    q.push(" ORDER BY COALESCE(p.name, u.name), u.name, d.year DESC");
    let rows = b.read().await?.fetch_all(&q).await?;
    rows.iter().map(published_of).collect()
}

/// The published dossiers of `year` with the forms of the versions published, in the order
/// of [`list`]: one query for the year's open data instead of one per dossier.
pub(crate) async fn year_with_forms<B: Backend>(
    b: &B,
    year: i64,
) -> Result<Vec<(Published, Vec<Form>)>> {
    let select = PUBLISHED.replacen(
        " FROM dossiers d",
        ", v.forms FROM dossiers d \
         JOIN versions v ON v.dossier_id = d.id AND v.version = d.published_version",
        1,
    );
    let mut q = Sql::new(select);
    q.push(" AND d.year = ").push_bind(year);
    q.push(" ORDER BY COALESCE(p.name, u.name), u.name, d.year DESC");
    let rows = b.read().await?.fetch_all(&q).await?;
    rows.iter()
        .map(|r| Ok((published_of(r)?, serde_json::from_str(&r.text("forms")?)?)))
        .collect()
}

/// What is published of one dossier (no forms); `NotFound` unless published.
pub(crate) async fn head<B: Backend>(b: &B, id: i64) -> Result<Published> {
    let mut q = Sql::new(PUBLISHED);
    q.push(" AND d.id = ").push_bind(id);
    match b.read().await?.fetch_optional(&q).await? {
        Some(r) => published_of(&r),
        None => Err(StoreError::NotFound),
    }
}

/// A published dossier with the forms of the version published; `NotFound` when it is
/// not published (or does not exist).
pub(crate) async fn get<B: Backend>(b: &B, id: i64) -> Result<(Published, Vec<Form>)> {
    let mut conn = b.read().await?;
    let mut q = Sql::new(PUBLISHED);
    q.push(" AND d.id = ").push_bind(id);
    let p = match conn.fetch_optional(&q).await? {
        Some(r) => published_of(&r)?,
        None => return Err(StoreError::NotFound),
    };
    let v = Sql::new("SELECT forms FROM versions WHERE dossier_id = $1 AND version = $2")
        .bind(id)
        .bind(p.version);
    let forms = serde_json::from_str(&conn.fetch_one(&v).await?.text("forms")?)?;
    Ok((p, forms))
}
