//! 预算单位 and their 主管部门.

use serde_json::json;

use crate::audit;
use crate::backend::{Backend, Exec, Sql, SqlRow, WriteTx};
use crate::clock::now_ms;
use crate::error::{Result, StoreError};
use crate::model::{Actor, Unit};
use crate::rows::UNIT_COLUMNS;

pub(crate) fn unit_of(r: &impl SqlRow) -> Result<Unit> {
    Ok(Unit {
        id: r.int("id")?,
        name: r.text("name")?,
        parent_id: r.opt_int("parent_id")?,
        created_at: r.int("created_at")?,
    })
}

/// `Duplicate` when the name is taken.
pub(crate) async fn create<B: Backend>(
    b: &B,
    name: &str,
    parent_id: Option<i64>,
    actor: &Actor,
) -> Result<Unit> {
    let name = name.trim();
    if name.is_empty() {
        return Err(StoreError::refused("单位名称不能为空"));
    }
    let mut tx = b.begin().await?;
    let q = Sql::new(format!(
        "INSERT INTO units (name, parent_id, created_at) VALUES ($1, $2, $3) \
         RETURNING {UNIT_COLUMNS}"
    ))
    .bind(name)
    .bind(parent_id)
    .bind(now_ms());
    let unit = unit_of(&tx.fetch_one(&q).await?)?;
    audit::append_tx::<B>(
        &mut tx,
        actor,
        "unit.create",
        &format!("unit:{}", unit.id),
        &json!({ "name": unit.name, "parent_id": unit.parent_id }),
    )
    .await?;
    tx.commit().await?;
    Ok(unit)
}

pub(crate) async fn get<B: Backend>(b: &B, id: i64) -> Result<Unit> {
    let q = Sql::new(format!("SELECT {UNIT_COLUMNS} FROM units WHERE id = $1")).bind(id);
    unit_of(&b.read().await?.fetch_one(&q).await?)
}

pub(crate) async fn by_name<B: Backend>(b: &B, name: &str) -> Result<Unit> {
    let q = Sql::new(format!("SELECT {UNIT_COLUMNS} FROM units WHERE name = $1")).bind(name.trim());
    unit_of(&b.read().await?.fetch_one(&q).await?)
}

pub(crate) async fn list<B: Backend>(b: &B) -> Result<Vec<Unit>> {
    let q = Sql::new(format!("SELECT {UNIT_COLUMNS} FROM units ORDER BY id"));
    let rows = b.read().await?.fetch_all(&q).await?;
    rows.iter().map(unit_of).collect()
}
