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
        display_name: r.text("display_name")?,
        enabled: r.opt_int("disabled_at")?.is_none(),
        created_at: r.int("created_at")?,
    })
}

/// Longest display name, in characters.
const MAX_DISPLAY_NAME: usize = 50;

/// `Duplicate` when the username is taken; a `unit` user needs a unit.
pub(crate) async fn create<B: Backend>(b: &B, user: &NewUser<'_>, actor: &Actor) -> Result<User> {
    let username = user.username.trim();
    if username.is_empty() {
        return Err(StoreError::refused("用户名不能为空"));
    }
    if user.role == Role::Unit && user.unit_id.is_none() {
        return Err(StoreError::refused("填报用户必须属于一个预算单位"));
    }
    if user.role == Role::Reviewer && user.unit_id.is_some() {
        return Err(StoreError::refused(
            "审核人员不能属于预算单位（审核与填报须分离）",
        ));
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

/// Ends every session of a user and forgets its known devices, inside `tx`; the number of
/// sessions ended.
async fn revoke_tx(tx: &mut impl Exec, user_id: i64) -> Result<u64> {
    let sessions = tx
        .execute(&Sql::new("DELETE FROM sessions WHERE user_id = $1").bind(user_id))
        .await?;
    tx.execute(&Sql::new("DELETE FROM login_devices WHERE user_id = $1").bind(user_id))
        .await?;
    Ok(sessions)
}

/// A new password; the user is logged out everywhere in the same transaction.
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
    let revoked = revoke_tx(&mut tx, user_id).await?;
    audit::append_tx::<B>(
        &mut tx,
        actor,
        "user.password",
        &format!("user:{user_id}"),
        &json!({ "sessions_revoked": revoked }),
    )
    .await?;
    tx.commit().await
}

/// Sets the display name (trimmed; empty shows the username again).
pub(crate) async fn rename<B: Backend>(
    b: &B,
    user_id: i64,
    display_name: &str,
    actor: &Actor,
) -> Result<User> {
    let name = display_name.trim();
    if name.chars().count() > MAX_DISPLAY_NAME {
        return Err(StoreError::refused(format!(
            "显示名称过长（最多 {MAX_DISPLAY_NAME} 个字）"
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(StoreError::refused("显示名称不能含有控制字符"));
    }
    let mut tx = b.begin().await?;
    let q = Sql::new(format!(
        "UPDATE users SET display_name = $1 WHERE id = $2 RETURNING {USER_COLUMNS}"
    ))
    .bind(name)
    .bind(user_id);
    let user = user_of(&tx.fetch_one(&q).await?)?;
    audit::append_tx::<B>(
        &mut tx,
        actor,
        "user.rename",
        &format!("user:{user_id}"),
        &json!({ "display_name": name }),
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}

/// Enables or disables an account. Disabling ends its sessions and forgets its known
/// devices in the same transaction.
pub(crate) async fn set_enabled<B: Backend>(
    b: &B,
    user_id: i64,
    enabled: bool,
    actor: &Actor,
) -> Result<User> {
    let mut tx = b.begin().await?;
    let disabled_at = (!enabled).then(now_ms);
    let q = Sql::new(format!(
        "UPDATE users SET disabled_at = $1 WHERE id = $2 RETURNING {USER_COLUMNS}"
    ))
    .bind(disabled_at)
    .bind(user_id);
    let user = user_of(&tx.fetch_one(&q).await?)?;
    let revoked = if enabled {
        0
    } else {
        revoke_tx(&mut tx, user_id).await?
    };
    let action = if enabled {
        "user.enable"
    } else {
        "user.disable"
    };
    audit::append_tx::<B>(
        &mut tx,
        actor,
        action,
        &format!("user:{user_id}"),
        &json!({ "sessions_revoked": revoked }),
    )
    .await?;
    tx.commit().await?;
    Ok(user)
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

/// Every assignment as (reviewer id, unit id), by reviewer then unit.
pub(crate) async fn assignments<B: Backend>(b: &B) -> Result<Vec<(i64, i64)>> {
    let q =
        Sql::new("SELECT reviewer_id, unit_id FROM reviewer_units ORDER BY reviewer_id, unit_id");
    let rows = b.read().await?.fetch_all(&q).await?;
    rows.iter()
        .map(|r| Ok((r.int("reviewer_id")?, r.int("unit_id")?)))
        .collect()
}
