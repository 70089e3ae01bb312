//! 指标库 (docs/library.md): what the library keeps of each source (an approved dossier or
//! report, or a file read by `jixiao library build`) and the admins' corrections. The
//! library itself is built in memory from these; a source stored again replaces its row,
//! and the old row is returned so its contribution can be taken back exactly.

use serde_json::json;

use crate::audit;
use crate::backend::{Backend, Exec, Sql, SqlRow, WriteTx};
use crate::clock::now_ms;
use crate::error::Result;
use crate::model::Actor;

/// One stored source: its id (`dossier:12`, `file:…`), budget year and mined rows (JSON).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LibrarySource {
    pub source: String,
    pub year: Option<i64>,
    pub data: String,
}

/// Stores (or replaces) a source; answers the data it replaced.
pub(crate) async fn put<B: Backend>(
    b: &B,
    source: &str,
    year: Option<i64>,
    data: &str,
) -> Result<Option<String>> {
    let mut tx = b.begin().await?;
    let old = tx
        .fetch_optional(
            &Sql::new("SELECT data FROM library_sources WHERE source = $1").bind(source),
        )
        .await?
        .map(|r| r.text("data"))
        .transpose()?;
    tx.execute(
        &Sql::new(
            "INSERT INTO library_sources (source, year, data, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (source) DO UPDATE SET year = excluded.year, data = excluded.data, \
             updated_at = excluded.updated_at",
        )
        .bind(source)
        .bind(year)
        .bind(data)
        .bind(now_ms()),
    )
    .await?;
    tx.commit().await?;
    Ok(old)
}

/// Sources in key order after `after` (exclusive), at most `limit`: the library is read in
/// pages so a large one is never held twice.
pub(crate) async fn page<B: Backend>(b: &B, after: &str, limit: i64) -> Result<Vec<LibrarySource>> {
    let q = Sql::new(
        "SELECT source, year, data FROM library_sources WHERE source > $1 ORDER BY source LIMIT $2",
    )
    .bind(after)
    .bind(limit);
    let rows = b.read().await?.fetch_all(&q).await?;
    rows.iter()
        .map(|r| {
            Ok(LibrarySource {
                source: r.text("source")?,
                year: r.opt_int("year")?,
                data: r.text("data")?,
            })
        })
        .collect()
}

/// Records an admin's correction (JSON of the domain's `Edit`); audited `library.edit`.
pub(crate) async fn add_edit<B: Backend>(b: &B, edit: &str, actor: &Actor) -> Result<i64> {
    let mut tx = b.begin().await?;
    let id = tx
        .fetch_one(
            &Sql::new(
                "INSERT INTO library_edits (edit, created_by, created_at) VALUES ($1, $2, $3) \
                 RETURNING id",
            )
            .bind(edit)
            .bind(actor.user_id)
            .bind(now_ms()),
        )
        .await?
        .int("id")?;
    let detail: serde_json::Value = serde_json::from_str(edit).unwrap_or_else(|_| json!(edit));
    audit::append_tx::<B>(
        &mut tx,
        actor,
        "library.edit",
        &format!("library:{id}"),
        &detail,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Every correction, oldest first (they are applied in this order).
pub(crate) async fn edits<B: Backend>(b: &B) -> Result<Vec<String>> {
    let rows = b
        .read()
        .await?
        .fetch_all(&Sql::new("SELECT edit FROM library_edits ORDER BY id"))
        .await?;
    rows.iter().map(|r| r.text("edit")).collect()
}
