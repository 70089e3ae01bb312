//! Who holds the database: a running server and a restore must not overlap (docs/storage.md,
//! "Backup and restore"). A lease that is not renewed expires, so a killed server does not
//! block a restore for longer than its lease.

use std::time::Duration;

use crate::backend::{Backend, Exec, Sql, SqlRow, WriteTx};
use crate::clock::{now_ms, ttl_ms};
use crate::error::{Result, StoreError};
use crate::model::{Lease, LeaseKind};
use crate::secret::random_token;

fn lease_of(r: &impl SqlRow) -> Result<Lease> {
    let kind = match r.text("kind")?.as_str() {
        "serve" => LeaseKind::Serve,
        "restore" => LeaseKind::Restore,
        other => {
            return Err(StoreError::other(format!(
                "unexpected lease kind {other:?}"
            )))
        }
    };
    Ok(Lease {
        id: r.text("id")?,
        kind,
        holder: r.text("holder")?,
        started_at: r.int("started_at")?,
        expires_at: r.int("expires_at")?,
    })
}

fn refusal(kind: LeaseKind, live: &Lease, now: i64) -> StoreError {
    let secs = (live.expires_at - now).max(0).div_euclid(1000) + 1;
    StoreError::refused(match (kind, live.kind) {
        (LeaseKind::Serve, _) => format!(
            "数据库正在从备份恢复（{}），请等恢复完成后再启动服务",
            live.holder
        ),
        (LeaseKind::Restore, LeaseKind::Serve) => format!(
            "数据库正被运行中的服务使用（{}）：请先停止服务再恢复；若服务已异常退出，请在 {secs} 秒后重试",
            live.holder
        ),
        (LeaseKind::Restore, LeaseKind::Restore) => {
            format!("另一个恢复正在进行（{}），请等它完成", live.holder)
        }
    })
}

/// Takes a lease in one write transaction: a `serve` lease unless a restore is under way,
/// a `restore` lease unless a server or another restore holds one. Expired leases are
/// removed on the way.
pub(crate) async fn take<B: Backend>(
    b: &B,
    kind: LeaseKind,
    holder: &str,
    ttl: Duration,
) -> Result<Lease> {
    let now = now_ms();
    let mut tx = b.begin().await?;
    tx.execute(&Sql::new("DELETE FROM leases WHERE expires_at <= $1").bind(now))
        .await?;
    let blocking = match kind {
        LeaseKind::Serve => {
            "SELECT id, kind, holder, started_at, expires_at FROM leases \
                             WHERE kind = 'restore' ORDER BY expires_at DESC LIMIT 1"
        }
        LeaseKind::Restore => {
            "SELECT id, kind, holder, started_at, expires_at FROM leases \
                               ORDER BY expires_at DESC LIMIT 1"
        }
    };
    if let Some(live) = tx.fetch_optional(&Sql::new(blocking)).await? {
        return Err(refusal(kind, &lease_of(&live)?, now));
    }
    let lease = Lease {
        id: random_token()?,
        kind,
        holder: holder.to_string(),
        started_at: now,
        expires_at: now.saturating_add(ttl_ms(ttl)),
    };
    tx.execute(
        &Sql::new(
            "INSERT INTO leases (id, kind, holder, started_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&lease.id)
        .bind(kind.code())
        .bind(holder)
        .bind(lease.started_at)
        .bind(lease.expires_at),
    )
    .await?;
    tx.commit().await?;
    Ok(lease)
}

/// Extends a lease to now + `ttl`; `NotFound` when it is gone.
pub(crate) async fn renew<B: Backend>(b: &B, id: &str, ttl: Duration) -> Result<()> {
    let done = b
        .write()
        .await?
        .execute(
            &Sql::new("UPDATE leases SET expires_at = $1 WHERE id = $2")
                .bind(now_ms().saturating_add(ttl_ms(ttl)))
                .bind(id),
        )
        .await?;
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Gives a lease up.
pub(crate) async fn release<B: Backend>(b: &B, id: &str) -> Result<()> {
    b.write()
        .await?
        .execute(&Sql::new("DELETE FROM leases WHERE id = $1").bind(id))
        .await?;
    Ok(())
}

/// Removes every lease (a restored copy must not carry the leases of the database it was
/// backed up from).
pub(crate) async fn clear<B: Backend>(b: &B) -> Result<()> {
    b.write()
        .await?
        .execute(&Sql::new("DELETE FROM leases"))
        .await?;
    Ok(())
}
