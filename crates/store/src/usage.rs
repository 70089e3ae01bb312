//! What a unit and a dossier already store, for quotas (docs/limits.md, `[quotas]`). Read
//! from the database each time, so every server process on one database sees the same
//! totals.
//!
//! Both queries are cheap at any size: `last_version` is one column of the dossier row, and
//! `octet_length` of a stored JSON text reads only its length (SQLite 3.43+ skips the
//! overflow pages for it; PostgreSQL reads the size from the TOAST pointer without
//! decompressing), over the versions of one unit's dossiers, found through the
//! `(unit_id, year)` key.

use std::future::Future;

use crate::any::AnyStore;
use crate::error::Result;

/// Stored versions and bytes, for quotas.
pub trait Usage: Send + Sync {
    /// Versions of a dossier, conflict versions included (0 for an unknown dossier).
    fn version_count(&self, dossier_id: i64) -> impl Future<Output = Result<i64>> + Send;
    /// Bytes of the stored forms and findings (JSON) of every version of every dossier of
    /// a unit.
    fn unit_bytes(&self, unit_id: i64) -> impl Future<Output = Result<i64>> + Send;
}

const VERSIONS: &str = "SELECT COALESCE(MAX(last_version), 0) FROM dossiers WHERE id = $1";

/// `CAST … AS BIGINT`: SQLite sums to INTEGER already; PostgreSQL's SUM of INTEGER is
/// NUMERIC otherwise.
const UNIT_BYTES: &str = "SELECT CAST(COALESCE(SUM(octet_length(v.forms) + \
     octet_length(v.findings)), 0) AS BIGINT) FROM versions v \
     JOIN dossiers d ON d.id = v.dossier_id WHERE d.unit_id = $1";

impl Usage for AnyStore {
    async fn version_count(&self, dossier_id: i64) -> Result<i64> {
        Ok(match self {
            AnyStore::Sqlite(s) => {
                sqlx::query_scalar(VERSIONS)
                    .bind(dossier_id)
                    .fetch_one(s.reader())
                    .await?
            }
            AnyStore::Pg(s) => {
                sqlx::query_scalar(VERSIONS)
                    .bind(dossier_id)
                    .fetch_one(s.pool())
                    .await?
            }
        })
    }

    async fn unit_bytes(&self, unit_id: i64) -> Result<i64> {
        Ok(match self {
            AnyStore::Sqlite(s) => {
                sqlx::query_scalar(UNIT_BYTES)
                    .bind(unit_id)
                    .fetch_one(s.reader())
                    .await?
            }
            AnyStore::Pg(s) => {
                sqlx::query_scalar(UNIT_BYTES)
                    .bind(unit_id)
                    .fetch_one(s.pool())
                    .await?
            }
        })
    }
}
