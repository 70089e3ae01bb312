//! Failed logins and known devices, the state login throttling needs across processes
//! (docs/storage.md, "Login throttling"). The policy (how many failures, how long to
//! wait) is the caller's.

use std::time::Duration;

use serde_json::json;

use crate::audit::{self, sha256_hex};
use crate::backend::{Backend, Exec, Sql, SqlRow, WriteTx};
use crate::clock::{now_ms, ttl_ms};
use crate::error::Result;
use crate::model::{Actor, LoginDevice, LoginFailures, LoginPressure};
use crate::secret::random_token;

/// Audit action written when a window of failures opens.
pub const LOGIN_FAILED: &str = "login.failed";

fn failures_of(r: &impl SqlRow) -> Result<LoginFailures> {
    Ok(LoginFailures {
        username: r.text("username")?,
        address: r.text("address")?,
        window_start: r.int("window_start")?,
        failures: r.int("failures")?,
        last_at: r.int("last_at")?,
    })
}

/// Counts a failed login of `username` from `address`. The first failure of a window
/// (`window` long, opened by that failure) also appends one `login.failed` audit record
/// in the same transaction; later ones only count. Returns the window's count.
pub(crate) async fn record_failure<B: Backend>(
    b: &B,
    username: &str,
    address: Option<&str>,
    window: Duration,
) -> Result<i64> {
    let now = now_ms();
    let address = address.unwrap_or_default();
    let mut tx = b.begin().await?;
    let open = tx
        .fetch_optional(
            &Sql::new(
                "SELECT window_start FROM login_failures \
                 WHERE username = $1 AND address = $2 AND window_start > $3 \
                 ORDER BY window_start DESC LIMIT 1",
            )
            .bind(username)
            .bind(address)
            .bind(now.saturating_sub(ttl_ms(window))),
        )
        .await?;
    let start = match &open {
        Some(r) => r.int("window_start")?,
        None => now,
    };
    let count = tx
        .fetch_one(
            &Sql::new(
                "INSERT INTO login_failures (username, address, window_start, failures, last_at) \
                 VALUES ($1, $2, $3, 1, $4) \
                 ON CONFLICT (username, address, window_start) DO UPDATE \
                 SET failures = login_failures.failures + 1, last_at = excluded.last_at \
                 RETURNING failures",
            )
            .bind(username)
            .bind(address)
            .bind(start)
            .bind(now),
        )
        .await?
        .int("failures")?;
    if count == 1 {
        let actor = Actor {
            user_id: None,
            name: username.to_string(),
            address: (!address.is_empty()).then(|| address.to_string()),
        };
        let detail = json!({ "window_ms": ttl_ms(window) });
        audit::append_tx::<B>(&mut tx, &actor, LOGIN_FAILED, username, &detail).await?;
    }
    tx.commit().await?;
    Ok(count)
}

/// The windows of failed logins of `username` touched at or after `since`, oldest first.
pub(crate) async fn failures<B: Backend>(
    b: &B,
    username: &str,
    since: i64,
) -> Result<Vec<LoginFailures>> {
    let q = Sql::new(
        "SELECT username, address, window_start, failures, last_at FROM login_failures \
         WHERE username = $1 AND last_at >= $2 ORDER BY window_start, address",
    )
    .bind(username)
    .bind(since);
    let rows = b.read().await?.fetch_all(&q).await?;
    rows.iter().map(failures_of).collect()
}

/// Recent failures of a username from anywhere and of an address for any username.
pub(crate) async fn pressure<B: Backend>(
    b: &B,
    username: &str,
    address: Option<&str>,
    user_since: i64,
    address_since: i64,
) -> Result<LoginPressure> {
    // SUM of BIGINT is NUMERIC on PostgreSQL: cast back.
    let sum = |column: &str| {
        format!(
            "SELECT CAST(COALESCE(SUM(failures), 0) AS BIGINT) AS n, \
             CAST(COALESCE(MAX(last_at), 0) AS BIGINT) AS last \
             FROM login_failures WHERE {column} = $1 AND last_at >= $2"
        )
    };
    let mut conn = b.read().await?;
    let user = conn
        .fetch_one(&Sql::new(sum("username")).bind(username).bind(user_since))
        .await?;
    let mut p = LoginPressure {
        user_failures: user.int("n")?,
        user_last: user.int("last")?,
        ..LoginPressure::default()
    };
    if let Some(address) = address {
        let a = conn
            .fetch_one(&Sql::new(sum("address")).bind(address).bind(address_since))
            .await?;
        p.address_failures = a.int("n")?;
        p.address_last = a.int("last")?;
    }
    Ok(p)
}

fn device_of(r: &impl SqlRow) -> Result<LoginDevice> {
    Ok(LoginDevice {
        user_id: r.int("user_id")?,
        failures: r.int("failures")?,
        created_at: r.int("created_at")?,
        expires_at: r.int("expires_at")?,
    })
}

/// A new device token for a user who just logged in (only its hash is stored).
pub(crate) async fn create_device<B: Backend>(
    b: &B,
    user_id: i64,
    ttl: Duration,
) -> Result<String> {
    let token = random_token()?;
    let now = now_ms();
    b.write()
        .await?
        .execute(
            &Sql::new(
                "INSERT INTO login_devices (id, user_id, failures, created_at, expires_at) \
                 VALUES ($1, $2, 0, $3, $4)",
            )
            .bind(sha256_hex(token.as_bytes()))
            .bind(user_id)
            .bind(now)
            .bind(now.saturating_add(ttl_ms(ttl))),
        )
        .await?;
    Ok(token)
}

/// The device of a token; `NotFound` when unknown or expired.
pub(crate) async fn device<B: Backend>(b: &B, token: &str) -> Result<LoginDevice> {
    let q = Sql::new(
        "SELECT user_id, failures, created_at, expires_at FROM login_devices \
         WHERE id = $1 AND expires_at > $2",
    )
    .bind(sha256_hex(token.as_bytes()))
    .bind(now_ms());
    device_of(&b.read().await?.fetch_one(&q).await?)
}

/// Records a login with a device: a failure counts, a success resets the count.
pub(crate) async fn device_used<B: Backend>(b: &B, token: &str, success: bool) -> Result<()> {
    let sql = if success {
        "UPDATE login_devices SET failures = 0 WHERE id = $1"
    } else {
        "UPDATE login_devices SET failures = failures + 1 WHERE id = $1"
    };
    b.write()
        .await?
        .execute(&Sql::new(sql).bind(sha256_hex(token.as_bytes())))
        .await?;
    Ok(())
}

/// Forgets failures last touched before `before` and expired devices; the rows removed.
pub(crate) async fn purge<B: Backend>(b: &B, before: i64) -> Result<u64> {
    let mut conn = b.write().await?;
    let failures = conn
        .execute(&Sql::new("DELETE FROM login_failures WHERE last_at < $1").bind(before))
        .await?;
    let devices = conn
        .execute(&Sql::new("DELETE FROM login_devices WHERE expires_at <= $1").bind(now_ms()))
        .await?;
    Ok(failures + devices)
}
