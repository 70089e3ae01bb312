//! Login sessions. Only the SHA-256 of a token is stored, so a copy of the database holds
//! no usable token.

use std::time::Duration;

use crate::audit::sha256_hex;
use crate::backend::{Backend, Exec, Sql, SqlRow};
use crate::clock::{now_ms, ttl_ms};
use crate::error::Result;
use crate::model::Session;
use crate::rows::SESSION_COLUMNS;
use crate::secret::random_token;

fn session_of(r: &impl SqlRow) -> Result<Session> {
    Ok(Session {
        user_id: r.int("user_id")?,
        csrf_token: r.text("csrf_token")?,
        created_at: r.int("created_at")?,
        expires_at: r.int("expires_at")?,
        last_seen: r.int("last_seen")?,
    })
}

fn key(token: &str) -> String {
    sha256_hex(token.as_bytes())
}

/// A new session: the token (returned once) and the session.
pub(crate) async fn create<B: Backend>(
    b: &B,
    user_id: i64,
    ttl: Duration,
) -> Result<(String, Session)> {
    let token = random_token()?;
    let now = now_ms();
    let q = Sql::new(format!(
        "INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at, last_seen) \
         VALUES ($1, $2, $3, $4, $5, $4) RETURNING {SESSION_COLUMNS}"
    ))
    .bind(key(&token))
    .bind(user_id)
    .bind(random_token()?)
    .bind(now)
    .bind(now.saturating_add(ttl_ms(ttl)));
    let row = b.write().await?.fetch_one(&q).await?;
    Ok((token, session_of(&row)?))
}

/// `NotFound` when unknown or expired.
pub(crate) async fn get<B: Backend>(b: &B, token: &str) -> Result<Session> {
    let q = Sql::new(format!(
        "SELECT {SESSION_COLUMNS} FROM sessions WHERE id = $1 AND expires_at > $2"
    ))
    .bind(key(token))
    .bind(now_ms());
    session_of(&b.read().await?.fetch_one(&q).await?)
}

/// Records activity and slides the expiry to now + `ttl`.
pub(crate) async fn touch<B: Backend>(b: &B, token: &str, ttl: Duration) -> Result<Session> {
    let now = now_ms();
    let q = Sql::new(format!(
        "UPDATE sessions SET last_seen = $1, expires_at = $2 \
         WHERE id = $3 AND expires_at > $1 RETURNING {SESSION_COLUMNS}"
    ))
    .bind(now)
    .bind(now.saturating_add(ttl_ms(ttl)))
    .bind(key(token));
    session_of(&b.write().await?.fetch_one(&q).await?)
}

/// True when a session was deleted (logout).
pub(crate) async fn delete<B: Backend>(b: &B, token: &str) -> Result<bool> {
    let q = Sql::new("DELETE FROM sessions WHERE id = $1").bind(key(token));
    Ok(b.write().await?.execute(&q).await? > 0)
}

/// Every session of a user; the count.
pub(crate) async fn delete_for_user<B: Backend>(b: &B, user_id: i64) -> Result<u64> {
    let q = Sql::new("DELETE FROM sessions WHERE user_id = $1").bind(user_id);
    b.write().await?.execute(&q).await
}

/// Expired sessions; the count.
pub(crate) async fn purge_expired<B: Backend>(b: &B) -> Result<u64> {
    let q = Sql::new("DELETE FROM sessions WHERE expires_at <= $1").bind(now_ms());
    b.write().await?.execute(&q).await
}
