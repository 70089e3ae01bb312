//! jixiao storage: units, users, reviewer assignments, dossiers with immutable
//! versions, comments, review records, sessions and a hash-chained audit log, on an
//! embedded SQLite file (default) or PostgreSQL. See docs/storage.md.
//!
//! Callers are generic over [`Store`] or hold an [`AnyStore`] from [`open`].

mod any;
pub mod audit;
mod backend;
mod clock;
mod comments;
mod dossiers;
mod error;
mod leases;
mod library;
mod login;
mod migrate;
mod model;
mod postgres;
mod progress;
pub mod publications;
mod reports;
mod rows;
mod search;
mod secret;
mod sessions;
mod sqlite;
pub mod stats;
mod store;
#[cfg(feature = "testing")]
pub mod testing;
mod units;
mod usage;
mod users;
mod versions;
mod workflow;

pub use any::{open, open_existing, sqlite_file, AnyStore};
pub use error::{Result, StoreError};
pub use library::LibrarySource;
pub use login::LOGIN_FAILED;
pub use model::*;
pub use postgres::PgStore;
pub use secret::{hash_password, random_token, verify_password};
pub use sqlite::SqliteStore;
pub use store::Store;
pub use usage::Usage;

/// Re-exported so callers name the options types without depending on sqlx directly.
pub use sqlx::postgres::PgConnectOptions;
pub use sqlx::sqlite::SqliteConnectOptions;
