//! PostgreSQL, for deployments with many users (and read replicas for reporting).
//!
//! Transactions run at READ COMMITTED. Concurrent writers to one dossier serialise on
//! its row lock (every write starts with an `UPDATE` of that row); audit appends
//! serialise on a transaction-scoped advisory lock taken as the last step of each
//! transaction, so the chain never forks and no lock cycle can form.

use std::path::Path;
use std::str::FromStr;

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::{Postgres, Transaction};

use crate::backend::{Backend, Exec, Sql};
use crate::error::{Result, StoreError};
use crate::search::{self, Needle};

/// Advisory-lock key of the audit chain ("jixiao" in ASCII).
const AUDIT_LOCK: i64 = 0x6a69_7869_616f;

#[derive(Clone, Debug)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects to a `postgres://` URL and migrates the database.
    pub async fn connect(url: &str) -> Result<PgStore> {
        let opts = PgConnectOptions::from_str(url).map_err(StoreError::other)?;
        Self::connect_with(opts).await
    }

    pub async fn connect_with(opts: PgConnectOptions) -> Result<PgStore> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .connect_with(opts)
            .await?;
        crate::migrate::migrator(crate::migrate::POSTGRES)
            .await?
            .run(&pool)
            .await?;
        let store = PgStore { pool };
        search::backfill(&store).await?;
        Ok(store)
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

impl Backend for PgStore {
    type Row = PgRow;
    type Tx = Transaction<'static, Postgres>;
    type Conn = PoolConnection<Postgres>;

    async fn read(&self) -> Result<Self::Conn> {
        Ok(self.pool.acquire().await?)
    }

    async fn write(&self) -> Result<Self::Conn> {
        Ok(self.pool.acquire().await?)
    }

    async fn begin(&self) -> Result<Self::Tx> {
        Ok(self.pool.begin().await?)
    }

    async fn lock_audit(tx: &mut Self::Tx) -> Result<()> {
        tx.execute(&Sql::new("SELECT pg_advisory_xact_lock($1)").bind(AUDIT_LOCK))
            .await?;
        Ok(())
    }

    /// The search condition of a listing: `LIKE` with the wildcards escaped (documents
    /// and query are already lower case, see `search`), which the pg_trgm GIN index
    /// `dossier_search_trgm` answers for three or more characters (when the migration
    /// could create it; without it, and for shorter queries, a scan of the documents).
    fn push_search(q: &mut Sql<'_>, needle: &Needle) {
        q.push(
            " AND d.id IN (SELECT s.dossier_id FROM dossier_search s \
             WHERE s.document LIKE ",
        )
        .push_bind(needle.like_pattern())
        .push(&format!(" ESCAPE '{}')", search::LIKE_ESCAPE));
    }

    async fn backup_to(&self, _path: &Path) -> Result<()> {
        Err(StoreError::refused(
            "PostgreSQL 数据库请用 pg_dump 备份、pg_restore 恢复（命令见 docs/storage.md）",
        ))
    }
}
