//! Embedded migrations without sqlx's proc-macro crate.
//!
//! `sqlx::migrate!` needs sqlx's `macros` feature, which compiles the sqlx drivers and
//! the bundled SQLite C library a second time for the host. The SQL files are embedded
//! here with `include_str!` and handed to sqlx's own `Migrator` through the public
//! `MigrationSource` trait, named and checksummed exactly as `migrate!` would (a test
//! checks that every file of `migrations/<backend>/` is listed).

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};

use crate::error::Result;

/// (file name, SQL) of each migration, in version order.
type Files = &'static [(&'static str, &'static str)];

pub(crate) const SQLITE: Files = &[
    (
        "20261127000000_initial.sql",
        include_str!("../migrations/sqlite/20261127000000_initial.sql"),
    ),
    (
        "20261127010000_audit_lookup.sql",
        include_str!("../migrations/sqlite/20261127010000_audit_lookup.sql"),
    ),
    (
        "20261128000000_search_and_quality.sql",
        include_str!("../migrations/sqlite/20261128000000_search_and_quality.sql"),
    ),
    (
        "20261201000000_login_throttle.sql",
        include_str!("../migrations/sqlite/20261201000000_login_throttle.sql"),
    ),
    (
        "20261201010000_accounts_and_leases.sql",
        include_str!("../migrations/sqlite/20261201010000_accounts_and_leases.sql"),
    ),
    (
        "20261205000000_soft_delete.sql",
        include_str!("../migrations/sqlite/20261205000000_soft_delete.sql"),
    ),
    (
        "20261205010000_notices.sql",
        include_str!("../migrations/sqlite/20261205010000_notices.sql"),
    ),
    (
        "20261205020000_deadlines.sql",
        include_str!("../migrations/sqlite/20261205020000_deadlines.sql"),
    ),
    (
        "20261205030000_comment_resolution.sql",
        include_str!("../migrations/sqlite/20261205030000_comment_resolution.sql"),
    ),
    (
        "20261205040000_statistics.sql",
        include_str!("../migrations/sqlite/20261205040000_statistics.sql"),
    ),
    (
        "20261205050000_publications.sql",
        include_str!("../migrations/sqlite/20261205050000_publications.sql"),
    ),
    (
        "20261205060000_reports.sql",
        include_str!("../migrations/sqlite/20261205060000_reports.sql"),
    ),
    (
        "20261205070000_library.sql",
        include_str!("../migrations/sqlite/20261205070000_library.sql"),
    ),
];

pub(crate) const POSTGRES: Files = &[
    (
        "20261127000000_initial.sql",
        include_str!("../migrations/postgres/20261127000000_initial.sql"),
    ),
    (
        "20261127010000_audit_lookup.sql",
        include_str!("../migrations/postgres/20261127010000_audit_lookup.sql"),
    ),
    (
        "20261128000000_search_and_quality.sql",
        include_str!("../migrations/postgres/20261128000000_search_and_quality.sql"),
    ),
    (
        "20261201000000_login_throttle.sql",
        include_str!("../migrations/postgres/20261201000000_login_throttle.sql"),
    ),
    (
        "20261201010000_accounts_and_leases.sql",
        include_str!("../migrations/postgres/20261201010000_accounts_and_leases.sql"),
    ),
    (
        "20261205000000_soft_delete.sql",
        include_str!("../migrations/postgres/20261205000000_soft_delete.sql"),
    ),
    (
        "20261205010000_notices.sql",
        include_str!("../migrations/postgres/20261205010000_notices.sql"),
    ),
    (
        "20261205020000_deadlines.sql",
        include_str!("../migrations/postgres/20261205020000_deadlines.sql"),
    ),
    (
        "20261205030000_comment_resolution.sql",
        include_str!("../migrations/postgres/20261205030000_comment_resolution.sql"),
    ),
    (
        "20261205040000_statistics.sql",
        include_str!("../migrations/postgres/20261205040000_statistics.sql"),
    ),
    (
        "20261205050000_publications.sql",
        include_str!("../migrations/postgres/20261205050000_publications.sql"),
    ),
    (
        "20261205060000_reports.sql",
        include_str!("../migrations/postgres/20261205060000_reports.sql"),
    ),
    (
        "20261205070000_library.sql",
        include_str!("../migrations/postgres/20261205070000_library.sql"),
    ),
];

#[derive(Debug)]
struct Embedded(Files);

/// `<version>_<description>.sql`, as sqlx names migrations.
fn migration(file: &str, sql: &'static str) -> std::result::Result<Migration, BoxDynError> {
    let (version, rest) = file
        .split_once('_')
        .ok_or_else(|| format!("bad migration name {file:?}"))?;
    let version: i64 = version.parse()?;
    let description = rest.trim_end_matches(".sql").replace('_', " ");
    let no_tx = sql.starts_with("-- no-transaction");
    Ok(Migration::new(
        version,
        Cow::Owned(description),
        MigrationType::Simple,
        Cow::Borrowed(sql),
        no_tx,
    ))
}

type Resolved<'s> =
    Pin<Box<dyn Future<Output = std::result::Result<Vec<Migration>, BoxDynError>> + Send + 's>>;

impl<'s> MigrationSource<'s> for Embedded {
    fn resolve(self) -> Resolved<'s> {
        let files = self.0;
        Box::pin(async move { files.iter().map(|(f, sql)| migration(f, sql)).collect() })
    }
}

pub(crate) async fn migrator(files: Files) -> Result<Migrator> {
    Ok(Migrator::new(Embedded(files)).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on_disk(backend: &str) -> Vec<(String, String)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(backend);
        let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "sql"))
            .map(|p| {
                (
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    std::fs::read_to_string(&p).unwrap(),
                )
            })
            .collect();
        files.sort();
        files
    }

    fn listed(files: Files) -> Vec<(String, String)> {
        files
            .iter()
            .map(|(f, s)| (f.to_string(), s.to_string()))
            .collect()
    }

    #[test]
    fn every_migration_file_is_embedded() {
        assert_eq!(listed(SQLITE), on_disk("sqlite"));
        assert_eq!(listed(POSTGRES), on_disk("postgres"));
    }

    #[test]
    fn names_follow_sqlx() {
        let m = migration("20261127000000_initial_schema.sql", "SELECT 1;").unwrap();
        assert_eq!(m.version, 20261127000000);
        assert_eq!(m.description, "initial schema");
        assert!(!m.no_tx);
        assert!(migration("nonsense.sql", "").is_err());
    }
}
