//! Throwaway PostgreSQL databases for the tests of this crate and the crates above it
//! (feature `testing`): each test gets its own database, so tests run in parallel.

use std::str::FromStr;

use sqlx::postgres::PgConnectOptions;
use sqlx::Connection;

/// A fresh database named `<prefix>_<random>` on the server of `TEST_DATABASE_URL`, or
/// `None` when that variable is unset. Panics when the server refuses (a test setup
/// error), and when the variable is unset under `JIXIAO_REQUIRE_TOOLS=1` (CI must not
/// skip PostgreSQL).
pub async fn create_pg_database(prefix: &str) -> Option<(String, PgConnectOptions)> {
    let Ok(admin) = std::env::var("TEST_DATABASE_URL") else {
        assert!(
            std::env::var("JIXIAO_REQUIRE_TOOLS").as_deref() != Ok("1"),
            "TEST_DATABASE_URL is required when JIXIAO_REQUIRE_TOOLS=1 (PostgreSQL must not be skipped)"
        );
        return None;
    };
    let token = crate::random_token().expect("random token");
    let name = format!("{prefix}_{}", &token[..16]);
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("TEST_DATABASE_URL must accept connections");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create the test database");
    conn.close().await.ok();
    let opts = PgConnectOptions::from_str(&admin)
        .expect("TEST_DATABASE_URL is a PostgreSQL URL")
        .database(&name);
    Some((name, opts))
}

/// Drops a database made by [`create_pg_database`], closing its remaining connections.
pub async fn drop_pg_database(name: &str) {
    let admin = std::env::var("TEST_DATABASE_URL").expect("TEST_DATABASE_URL");
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("connect to drop");
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut conn)
        .await
        .expect("drop the test database");
    conn.close().await.ok();
}
