//! The embedded default: one SQLite file in WAL mode.
//!
//! Writes go through a pool of exactly one connection and start with
//! `BEGIN IMMEDIATE`, so writers queue in the pool instead of spinning on
//! `SQLITE_BUSY`, and a transaction that reads before it writes can never be refused
//! for a stale snapshot. Other processes (a CLI next to the server) are handled by the
//! busy timeout. Reads use their own pool and run in parallel with the writer (WAL).

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{Sqlite, Transaction};

use crate::backend::{Backend, Sql};
use crate::error::{Result, StoreError};
use crate::search::{self, Needle};

/// How long a writer waits for another process's write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Clone, Debug)]
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if missing) the database file at `path` and migrates it.
    pub async fn open(path: impl AsRef<Path>) -> Result<SqliteStore> {
        Self::open_with(SqliteConnectOptions::new().filename(path)).await
    }

    /// Opens a `sqlite://path` URL (sqlx syntax, e.g. `sqlite://jixiao.db?mode=rwc`).
    pub async fn open_url(url: &str) -> Result<SqliteStore> {
        let opts = SqliteConnectOptions::from_str(url).map_err(StoreError::other)?;
        Self::open_with(opts).await
    }

    /// Opens with caller-supplied options; WAL, foreign keys, the busy timeout and full
    /// sync are always set.
    pub async fn open_with(opts: SqliteConnectOptions) -> Result<SqliteStore> {
        let opts = opts
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: an acknowledged commit survives power loss, not only a crash.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        migrate(&opts).await?;
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts.clone())
            .await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(opts)
            .await?;
        let store = SqliteStore { writer, reader };
        search::backfill(&store).await?;
        Ok(store)
    }

    /// The single-connection write pool (for maintenance and tests).
    pub fn writer(&self) -> &SqlitePool {
        &self.writer
    }

    /// The read pool.
    pub fn reader(&self) -> &SqlitePool {
        &self.reader
    }

    /// Writes the whole WAL into the database file and empties it, so the file alone is
    /// the database (before it is copied or moved by name).
    pub async fn checkpoint(&self) -> Result<()> {
        let mut conn = self.write().await?;
        crate::backend::Exec::execute(&mut conn, &Sql::new("PRAGMA wal_checkpoint(TRUNCATE)"))
            .await?;
        Ok(())
    }

    /// Closes both pools (checkpointing the WAL when the last connection goes).
    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }
}

/// Runs the migrations on a connection of its own with foreign keys off, as SQLite's
/// procedure for rebuilding a table asks (a migration may replace a table others refer
/// to), then checks every foreign key before the store opens.
async fn migrate(opts: &SqliteConnectOptions) -> Result<()> {
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(opts.clone().foreign_keys(false))
        .await?;
    crate::migrate::migrator(crate::migrate::SQLITE)
        .await?
        .run(&pool)
        .await?;
    let dangling = sqlx::query("PRAGMA foreign_key_check")
        .fetch_all(&pool)
        .await?;
    pool.close().await;
    if !dangling.is_empty() {
        return Err(StoreError::other(format!(
            "migration left {} rows with a dangling foreign key",
            dangling.len()
        )));
    }
    Ok(())
}

impl Backend for SqliteStore {
    type Row = SqliteRow;
    type Tx = Transaction<'static, Sqlite>;
    type Conn = PoolConnection<Sqlite>;

    async fn read(&self) -> Result<Self::Conn> {
        Ok(self.reader.acquire().await?)
    }

    async fn write(&self) -> Result<Self::Conn> {
        Ok(self.writer.acquire().await?)
    }

    async fn begin(&self) -> Result<Self::Tx> {
        Ok(self.writer.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// Writers are already serial (one connection, `BEGIN IMMEDIATE`).
    async fn lock_audit(_tx: &mut Self::Tx) -> Result<()> {
        Ok(())
    }

    /// The search condition of a listing. Three or more characters: a phrase of the
    /// trigram FTS5 index (`dossier_search_fts`), i.e. an indexed substring match.
    /// Shorter (two-character words such as 教育 are common, and a trigram index cannot
    /// answer them): `LIKE` over the stored documents of the dossiers that pass the
    /// other conditions.
    fn push_search(q: &mut Sql<'_>, needle: &Needle) {
        if needle.indexed() {
            q.push(
                " AND d.id IN (SELECT rowid FROM dossier_search_fts \
                 WHERE dossier_search_fts MATCH ",
            )
            .push_bind(needle.fts_phrase())
            .push(")");
        } else {
            q.push(
                " AND EXISTS (SELECT 1 FROM dossier_search s \
                 WHERE s.dossier_id = d.id AND s.document LIKE ",
            )
            .push_bind(needle.like_pattern())
            .push(&format!(" ESCAPE '{}')", search::LIKE_ESCAPE));
        }
    }

    async fn backup_to(&self, path: &Path) -> Result<()> {
        if path.exists() {
            return Err(StoreError::refused(format!(
                "备份文件已存在：{}，请换一个文件名",
                path.display()
            )));
        }
        let target = path
            .to_str()
            .ok_or_else(|| StoreError::refused("备份文件路径必须是有效的 UTF-8 文本"))?;
        // VACUUM INTO writes a consistent snapshot while readers and writers go on.
        let mut conn = self.read().await?;
        crate::backend::Exec::execute(&mut conn, &Sql::new("VACUUM INTO $1").bind(target)).await?;
        Ok(())
    }
}
