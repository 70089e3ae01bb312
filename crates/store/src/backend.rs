//! What differs between SQLite and PostgreSQL, behind one small trait, and the thin layer
//! that runs the shared SQL on either.
//!
//! The SQL text of every operation is the same on both backends: both accept `$n`
//! placeholders (numbered by [`Sql::push_bind`]), `RETURNING`, `ON CONFLICT … DO NOTHING`
//! and `DO UPDATE SET … = excluded.…`, and the plain types of this schema. What differs is
//! small and lives in [`Backend`]:
//!
//! * how a write transaction starts ([`Backend::begin`]: SQLite `BEGIN IMMEDIATE` on its
//!   single writer connection, PostgreSQL a plain `BEGIN`);
//! * how audit appends are serialised ([`Backend::lock_audit`]: a transaction-scoped
//!   advisory lock on PostgreSQL; SQLite writers are already serial);
//! * the search condition of a listing ([`Backend::push_search`]: SQLite's FTS5 trigram
//!   table or `LIKE`, PostgreSQL's `LIKE` over a pg_trgm index);
//! * backups ([`Backend::backup_to`]: SQLite `VACUUM INTO`; PostgreSQL refuses);
//! * the pools (SQLite a single writer and a read pool, PostgreSQL one pool).
//!
//! Errors of both drivers are mapped in one place (`crate::error`): sqlx classifies
//! unique, foreign-key and check violations the same way for both, and the constraint
//! names are matched in either spelling.
//!
//! The operations themselves are plain generic functions in the modules of their concern
//! (`units`, `users`, `dossiers`, `versions`, `workflow`, `comments`, `sessions`,
//! `audit`, `search`), each reading like the SQL it runs.

use std::borrow::Cow;
use std::future::Future;
use std::path::Path;

use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Type};

use crate::error::{Result, StoreError};
use crate::search::Needle;

/// One bound value. The schema only has integers, text and booleans.
#[derive(Clone, Debug)]
pub(crate) enum Arg<'a> {
    Int(Option<i64>),
    Text(Option<Cow<'a, str>>),
    Bool(bool),
}

impl From<i64> for Arg<'_> {
    fn from(v: i64) -> Self {
        Arg::Int(Some(v))
    }
}

impl From<Option<i64>> for Arg<'_> {
    fn from(v: Option<i64>) -> Self {
        Arg::Int(v)
    }
}

impl From<bool> for Arg<'_> {
    fn from(v: bool) -> Self {
        Arg::Bool(v)
    }
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(v: &'a str) -> Self {
        Arg::Text(Some(Cow::Borrowed(v)))
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(v: &'a String) -> Self {
        Arg::Text(Some(Cow::Borrowed(v)))
    }
}

impl From<String> for Arg<'_> {
    fn from(v: String) -> Self {
        Arg::Text(Some(Cow::Owned(v)))
    }
}

impl<'a> From<Option<&'a str>> for Arg<'a> {
    fn from(v: Option<&'a str>) -> Self {
        Arg::Text(v.map(Cow::Borrowed))
    }
}

impl From<Option<String>> for Arg<'_> {
    fn from(v: Option<String>) -> Self {
        Arg::Text(v.map(Cow::Owned))
    }
}

/// A statement and its arguments. `Sql::new("… WHERE id = $1").bind(id)` for fixed text;
/// [`Sql::push_bind`] appends the next `$n` for text built piece by piece.
#[derive(Clone, Debug)]
pub(crate) struct Sql<'a> {
    text: String,
    args: Vec<Arg<'a>>,
}

impl<'a> Sql<'a> {
    pub(crate) fn new(text: impl Into<String>) -> Sql<'a> {
        Sql {
            text: text.into(),
            args: Vec::new(),
        }
    }

    /// Binds the next placeholder of the text as written.
    pub(crate) fn bind(mut self, v: impl Into<Arg<'a>>) -> Sql<'a> {
        self.args.push(v.into());
        self
    }

    pub(crate) fn push(&mut self, text: &str) -> &mut Sql<'a> {
        self.text.push_str(text);
        self
    }

    /// Appends `$n` for the next argument and binds it.
    pub(crate) fn push_bind(&mut self, v: impl Into<Arg<'a>>) -> &mut Sql<'a> {
        self.args.push(v.into());
        self.text.push('$');
        self.text.push_str(&self.args.len().to_string());
        self
    }

    /// `(…, …)` of placeholders for `values`, for `IN` lists.
    pub(crate) fn push_list<T: Into<Arg<'a>>>(
        &mut self,
        values: impl IntoIterator<Item = T>,
    ) -> &mut Sql<'a> {
        self.push("(");
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.push_bind(v);
        }
        self.push(")")
    }
}

/// A result row, read by column name into the schema's plain types.
pub(crate) trait SqlRow: Send {
    fn int(&self, col: &str) -> Result<i64>;
    fn opt_int(&self, col: &str) -> Result<Option<i64>>;
    fn text(&self, col: &str) -> Result<String>;
    fn opt_text(&self, col: &str) -> Result<Option<String>>;
    fn flag(&self, col: &str) -> Result<bool>;
}

/// Something statements run on: a write transaction or a pooled connection.
pub(crate) trait Exec: Send {
    type Row: SqlRow;

    /// Rows affected.
    fn execute(&mut self, q: &Sql<'_>) -> impl Future<Output = Result<u64>> + Send;
    fn fetch_all(&mut self, q: &Sql<'_>) -> impl Future<Output = Result<Vec<Self::Row>>> + Send;
    fn fetch_optional(
        &mut self,
        q: &Sql<'_>,
    ) -> impl Future<Output = Result<Option<Self::Row>>> + Send;

    /// `NotFound` when there is no row.
    fn fetch_one(&mut self, q: &Sql<'_>) -> impl Future<Output = Result<Self::Row>> + Send {
        async move { self.fetch_optional(q).await?.ok_or(StoreError::NotFound) }
    }
}

/// A write transaction; dropped without [`WriteTx::commit`] it rolls back.
pub(crate) trait WriteTx: Exec {
    fn commit(self) -> impl Future<Output = Result<()>> + Send;
}

/// The backend-specific half of a store (see the module documentation).
pub(crate) trait Backend: Send + Sync + 'static {
    type Row: SqlRow;
    type Tx: WriteTx<Row = Self::Row>;
    type Conn: Exec<Row = Self::Row>;

    /// A connection of the read pool.
    fn read(&self) -> impl Future<Output = Result<Self::Conn>> + Send;
    /// A connection for single-statement writes outside a transaction.
    fn write(&self) -> impl Future<Output = Result<Self::Conn>> + Send;
    /// A write transaction: on SQLite it holds the database's write lock from its first
    /// statement on, on PostgreSQL rows lock as they are updated.
    fn begin(&self) -> impl Future<Output = Result<Self::Tx>> + Send;
    /// Serialises audit appends until the transaction ends (called just before the
    /// append, as the transaction's last step).
    fn lock_audit(tx: &mut Self::Tx) -> impl Future<Output = Result<()>> + Send;
    /// Appends the search condition of a listing (` AND …`) for a folded query.
    fn push_search(q: &mut Sql<'_>, needle: &Needle);
    /// A consistent copy of the database at `path` while it is in use.
    fn backup_to(&self, path: &Path) -> impl Future<Output = Result<()>> + Send;
}

// ---------------------------------------------------------------- the sqlx layer

/// The two drivers, for what sqlx has no common trait for.
pub(crate) trait Driver: Database {
    fn rows_affected(r: &Self::QueryResult) -> u64;
}

impl Driver for sqlx::Sqlite {
    fn rows_affected(r: &Self::QueryResult) -> u64 {
        r.rows_affected()
    }
}

impl Driver for sqlx::Postgres {
    fn rows_affected(r: &Self::QueryResult) -> u64 {
        r.rows_affected()
    }
}

/// The sqlx query for `q` with its arguments bound.
fn query<'q, DB>(q: &'q Sql<'_>) -> sqlx::query::Query<'q, DB, <DB as Database>::Arguments<'q>>
where
    DB: Database,
    i64: Type<DB>,
    bool: Type<DB>,
    for<'x> &'x str: Type<DB>,
    for<'x> Option<i64>: Encode<'x, DB>,
    for<'x> Option<&'x str>: Encode<'x, DB>,
    for<'x> bool: Encode<'x, DB>,
{
    let mut query = sqlx::query::<DB>(&q.text);
    for a in &q.args {
        query = match a {
            Arg::Int(v) => query.bind(*v),
            Arg::Text(v) => query.bind(v.as_deref()),
            Arg::Bool(v) => query.bind(*v),
        };
    }
    query
}

impl<R> SqlRow for R
where
    R: sqlx::Row,
    for<'c> &'c str: ColumnIndex<R>,
    i64: Type<R::Database>,
    bool: Type<R::Database>,
    String: Type<R::Database>,
    for<'r> i64: Decode<'r, R::Database>,
    for<'r> bool: Decode<'r, R::Database>,
    for<'r> String: Decode<'r, R::Database>,
{
    fn int(&self, col: &str) -> Result<i64> {
        Ok(self.try_get(col)?)
    }
    fn opt_int(&self, col: &str) -> Result<Option<i64>> {
        Ok(self.try_get(col)?)
    }
    fn text(&self, col: &str) -> Result<String> {
        Ok(self.try_get(col)?)
    }
    fn opt_text(&self, col: &str) -> Result<Option<String>> {
        Ok(self.try_get(col)?)
    }
    fn flag(&self, col: &str) -> Result<bool> {
        Ok(self.try_get(col)?)
    }
}

/// A transaction or a pooled connection: both are a driver connection underneath.
pub(crate) trait RawConn: Send {
    type Db: Driver;
    fn raw(&mut self) -> &mut <Self::Db as Database>::Connection;
}

impl<DB: Driver> RawConn for sqlx::Transaction<'static, DB> {
    type Db = DB;
    fn raw(&mut self) -> &mut DB::Connection {
        self
    }
}

impl<DB: Driver> RawConn for sqlx::pool::PoolConnection<DB> {
    type Db = DB;
    fn raw(&mut self) -> &mut DB::Connection {
        self
    }
}

/// Statements on either driver; the sqlx bounds are spelled out once, here.
impl<C, DB> Exec for C
where
    C: RawConn<Db = DB>,
    DB: Driver,
    DB::Row: SqlRow,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    i64: Type<DB>,
    bool: Type<DB>,
    for<'x> &'x str: Type<DB>,
    for<'x> Option<i64>: Encode<'x, DB>,
    for<'x> Option<&'x str>: Encode<'x, DB>,
    for<'x> bool: Encode<'x, DB>,
{
    type Row = DB::Row;

    async fn execute(&mut self, q: &Sql<'_>) -> Result<u64> {
        let done = query::<DB>(q).execute(self.raw()).await?;
        Ok(DB::rows_affected(&done))
    }

    async fn fetch_all(&mut self, q: &Sql<'_>) -> Result<Vec<DB::Row>> {
        Ok(query::<DB>(q).fetch_all(self.raw()).await?)
    }

    async fn fetch_optional(&mut self, q: &Sql<'_>) -> Result<Option<DB::Row>> {
        Ok(query::<DB>(q).fetch_optional(self.raw()).await?)
    }
}

impl WriteTx for sqlx::Transaction<'static, sqlx::Sqlite> {
    async fn commit(self) -> Result<()> {
        Ok(sqlx::Transaction::commit(self).await?)
    }
}

impl WriteTx for sqlx::Transaction<'static, sqlx::Postgres> {
    async fn commit(self) -> Result<()> {
        Ok(sqlx::Transaction::commit(self).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_order() {
        let mut q = Sql::new("SELECT 1 WHERE a = $1").bind(7);
        q.push(" AND b IN ").push_list([1_i64, 2, 3]);
        q.push(" AND c = ").push_bind("x");
        assert_eq!(
            q.text,
            "SELECT 1 WHERE a = $1 AND b IN ($2, $3, $4) AND c = $5"
        );
        assert_eq!(q.args.len(), 5);
    }
}
