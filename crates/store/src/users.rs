//! Users (填报, 审核, 管理) and which units a reviewer reviews.

use serde_json::json;

use crate::audit;
use crate::backend::{Backend, Exec, Sql, SqlRow, WriteTx};
use crate::clock::now_ms;
use crate::error::{Result, StoreError};
use crate::model::{Actor, NewUser, Role, User};
use crate::rows::{parse_role, USER_COLUMNS};

pub(crate) fn user_of(r: &impl SqlRow) -> Result<User> {
    Ok(User {
        id: r.int("id")?,
        username: r.text("username")?,
        password_hash: r.text("password_hash")?,
        role: parse_role(&r.text("role")?)?,
        unit_id: r.opt_int("unit_id")?,
        created_at: r.int("created_at")?,
    })
}

/// `Duplicate` when the username is taken; a `unit` user needs a unit.
pub(crate) async fn create<B: Backend>(b: &B, user: &NewUser<'_>, actor: &Actor) -> Result<User> {
    let username = user.username.trim();
    if username.is_empty() {
        return Err(StoreError::refused("用户名不能为空"));
    }
    if user.role == Role::Unit && user.unit_id.is_none() {
        return Err(StoreError::refused("填报用户必须属于一个预算单位"));
    }
    let mut tx = b.begin().await?;
    let q = Sql::new(format!(
        "INSERT INTO users (username, password_hash, role, unit_id, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING {USER_COLUMNS}"
    ))
    .bind(username)
    .bind(user.password_hash)
    .bind(user.role.code())
    .bind(user.unit_id)
    .bind(now_ms());
    let created = user_of(&tx.fetch_one(&q).await?)?;
    audit::append_tx::<B>(
        &mut tx,
        actor,
        "user.create",
        &format!("user:{}", created.id),
        &json!({
            "username": created.username,
            "role": created.role.code(),
            "unit_id": created.unit_id,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(created)
}

pub(crate) async fn get<B: Backend>(b: &B, id: i64) -> Result<User> {
    let q = Sql::new(format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1")).bind(id);
    user_of(&b.read().await?.fetch_one(&q).await?)
}

pub(crate) async fn by_username<B: Backend>(b: &B, username: &str) -> Result<User> {
    let q = Sql::new(format!(
        "SELECT {USER_COLUMNS} FROM users WHERE username = $1"
    ))
    .bind(username.trim());
    user_of(&b.read().await?.fetch_one(&q).await?)
}

pub(crate) async fn list<B: Backend>(b: &B) -> Result<Vec<User>> {
    let q = Sql::new(format!("SELECT {USER_COLUMNS} FROM users ORDER BY id"));
    let rows = b.read().await?.fetch_all(&q).await?;
    rows.iter().map(user_of).collect()
}

pub(crate) async fn set_password<B: Backend>(
    b: &B,
    user_id: i64,
    password_hash: &str,
    actor: &Actor,
) -> Result<()> {
    let mut tx = b.begin().await?;
    let done = tx
        .execute(
            &Sql::new("UPDATE users SET password_hash = $1 WHERE id = $2")
                .bind(password_hash)
                .bind(user_id),
        )
        .await?;
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    audit::append_tx::<B>(
        &mut tx,
        actor,
        "user.password",
        &format!("user:{user_id}"),
        &json!({}),
    )
    .await?;
    tx.commit().await
}

/// Idempotent; true when the assignment is new. The user must be a reviewer.
pub(crate) async fn assign<B: Backend>(
    b: &B,
    reviewer_id: i64,
    unit_id: i64,
    actor: &Actor,
) -> Result<bool> {
    let mut tx = b.begin().await?;
    let role = tx
        .fetch_one(&Sql::new("SELECT role FROM users WHERE id = $1").bind(reviewer_id))
        .await?
        .text("role")?;
    if role != Role::Reviewer.code() {
        return Err(StoreError::refused("只能为审核人员分配预算单位"));
    }
    tx.fetch_one(&Sql::new("SELECT id FROM units WHERE id = $1").bind(unit_id))
        .await?;
    let added = tx
        .execute(
            &Sql::new(
                "INSERT INTO reviewer_units (reviewer_id, unit_id, created_at) \
                 VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            )
            .bind(reviewer_id)
            .bind(unit_id)
            .bind(now_ms()),
        )
        .await?
        > 0;
    if added {
        audit::append_tx::<B>(
            &mut tx,
            actor,
            "reviewer.assign",
            &format!("user:{reviewer_id}"),
            &json!({ "unit_id": unit_id }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(added)
}

/// True when an assignment was removed.
pub(crate) async fn unassign<B: Backend>(
    b: &B,
    reviewer_id: i64,
    unit_id: i64,
    actor: &Actor,
) -> Result<bool> {
    let mut tx = b.begin().await?;
    let removed = tx
        .execute(
            &Sql::new("DELETE FROM reviewer_units WHERE reviewer_id = $1 AND unit_id = $2")
                .bind(reviewer_id)
                .bind(unit_id),
        )
        .await?
        > 0;
    if removed {
        audit::append_tx::<B>(
            &mut tx,
            actor,
            "reviewer.unassign",
            &format!("user:{reviewer_id}"),
            &json!({ "unit_id": unit_id }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(removed)
}

/// The unit ids assigned to a reviewer, ascending.
pub(crate) async fn reviewer_units<B: Backend>(b: &B, reviewer_id: i64) -> Result<Vec<i64>> {
    let q = Sql::new("SELECT unit_id FROM reviewer_units WHERE reviewer_id = $1 ORDER BY unit_id")
        .bind(reviewer_id);
    let rows = b.read().await?.fetch_all(&q).await?;
    rows.iter().map(|r| r.int("unit_id")).collect()
}
