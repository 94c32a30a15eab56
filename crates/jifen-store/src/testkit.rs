//! Fresh databases for tests: a SQLite file in a temporary folder, or a new PostgreSQL database
//! on `JIFEN_TEST_DATABASE_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`) that is
//! dropped when the handle goes.

use std::sync::Arc;

use sqlx::Connection;

use crate::{ConnectOptions, Store};

/// The backends a test can run against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server tests use.
pub fn postgres_admin_url() -> String {
    std::env::var("JIFEN_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// A database that exists for one test, and is removed after it.
pub struct TestDb {
    pub url: String,
    name: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// Creates an empty database of the backend. PostgreSQL must be reachable: a test that
    /// needs it fails rather than skips.
    pub async fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary folder");
                let url = format!("sqlite://{}", dir.path().join("jifen.db").display());
                TestDb {
                    url,
                    name: None,
                    _dir: Some(dir),
                }
            }
            Backend::Postgres => {
                let admin = postgres_admin_url();
                let name = format!("jifen_test_{}", uuid::Uuid::new_v4().simple());
                let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap_or_else(|e| {
                    panic!("PostgreSQL is not reachable at {admin} (set JIFEN_TEST_DATABASE_URL): {e}")
                });
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .expect("create test database");
                let _ = conn.close().await;
                let url = with_database(&admin, &name);
                TestDb {
                    url,
                    name: Some(name),
                    _dir: None,
                }
            }
        }
    }

    /// A PostgreSQL database name on `JIFEN_TEST_DATABASE_URL`'s server that does not exist
    /// (yet): what a test of creating it starts from. Dropped, if it exists, after the test.
    pub fn missing() -> TestDb {
        let admin = postgres_admin_url();
        let name = format!("jifen_missing_{}", uuid::Uuid::new_v4().simple());
        TestDb {
            url: with_database(&admin, &name),
            name: Some(name),
            _dir: None,
        }
    }

    /// Whether the PostgreSQL database exists.
    pub async fn exists(&self) -> bool {
        let Some(name) = &self.name else {
            return true;
        };
        let mut conn = sqlx::PgConnection::connect(&postgres_admin_url())
            .await
            .expect("connect to PostgreSQL");
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pg_database WHERE datname = $1")
            .bind(name)
            .fetch_one(&mut conn)
            .await
            .expect("pg_database");
        let _ = conn.close().await;
        n == 1
    }

    /// Opens the store, running migrations.
    pub async fn store(&self) -> Arc<dyn Store> {
        crate::connect(&self.url, &ConnectOptions::default())
            .await
            .expect("open test store")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(name) = self.name.take() else { return };
        let admin = postgres_admin_url();
        // Drop runs inside or outside a runtime; a thread with its own runtime works in both.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(rt) = rt {
                rt.block_on(async {
                    if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                        let _ =
                            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                                .execute(&mut conn)
                                .await;
                    }
                });
            }
        })
        .join();
    }
}

/// `url` naming the database `name` instead (the URL's query, if any, is dropped).
fn with_database(url: &str, name: &str) -> String {
    let url = url.split('?').next().unwrap_or(url);
    match url.rsplit_once('/') {
        Some((server, _)) => format!("{server}/{name}"),
        None => format!("{url}/{name}"),
    }
}

/// A PostgreSQL login role on `JIFEN_TEST_DATABASE_URL`'s server that may not create
/// databases, for the length of a test; dropped after it (with what it owns).
pub struct TestRole {
    pub name: String,
}

impl TestRole {
    pub async fn without_createdb() -> TestRole {
        let name = format!("jifen_role_{}", uuid::Uuid::new_v4().simple());
        let mut conn = sqlx::PgConnection::connect(&postgres_admin_url())
            .await
            .expect("connect to PostgreSQL");
        // A password, for servers that ask for one (it is the role's name: a test role only).
        sqlx::query(&format!(
            "CREATE ROLE {name} LOGIN NOCREATEDB PASSWORD '{name}'"
        ))
        .execute(&mut conn)
        .await
        .expect("create role");
        let _ = conn.close().await;
        TestRole { name }
    }

    /// `url` (a PostgreSQL URL) with this role as its user.
    pub fn url(&self, url: &str) -> String {
        let (scheme, rest) = url.split_once("://").expect("a URL");
        let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
        format!("{scheme}://{0}:{0}@{host}", self.name)
    }
}

impl Drop for TestRole {
    fn drop(&mut self) {
        let name = self.name.clone();
        let admin = postgres_admin_url();
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(rt) = rt {
                rt.block_on(async {
                    if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                        let _ = sqlx::query(&format!("DROP ROLE IF EXISTS {name}"))
                            .execute(&mut conn)
                            .await;
                    }
                });
            }
        })
        .join();
    }
}

/// Runs a test body once per backend, SQLite first.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident => $body:path;)*) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $body($crate::testkit::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $body($crate::testkit::Backend::Postgres).await;
                }
            )*
        }
    };
}

/// Every row of every table of the database `url` names, as text, sorted per table (and, on
/// PostgreSQL, every sequence's position): two snapshots are equal when nothing was written.
pub async fn table_rows(url: &str) -> std::collections::BTreeMap<String, Vec<String>> {
    use sqlx::ConnectOptions as _;
    let mut rows = std::collections::BTreeMap::new();
    if let Some(path) = crate::backup::sqlite_path(url) {
        let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&path)
            .read_only(true)
            .connect()
            .await
            .expect("open the SQLite database");
        let tables: Vec<String> =
            sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                .fetch_all(&mut conn)
                .await
                .expect("tables");
        for table in tables {
            let columns: Vec<String> =
                sqlx::query_scalar("SELECT name FROM pragma_table_info(?) ORDER BY cid")
                    .bind(&table)
                    .fetch_all(&mut conn)
                    .await
                    .expect("columns");
            let row = columns
                .iter()
                .map(|c| format!("quote(\"{c}\")"))
                .collect::<Vec<_>>()
                .join(" || '|' || ");
            let text: Vec<String> =
                sqlx::query_scalar(&format!("SELECT {row} AS r FROM \"{table}\" ORDER BY r"))
                    .fetch_all(&mut conn)
                    .await
                    .expect("rows");
            rows.insert(table, text);
        }
        let _ = conn.close().await;
    } else {
        let mut conn = sqlx::PgConnection::connect(url)
            .await
            .expect("connect to PostgreSQL");
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
        )
        .fetch_all(&mut conn)
        .await
        .expect("tables");
        for table in tables {
            let text: Vec<String> = sqlx::query_scalar(&format!(
                "SELECT r::text FROM \"{table}\" r ORDER BY r::text COLLATE \"C\""
            ))
            .fetch_all(&mut conn)
            .await
            .expect("rows");
            rows.insert(table, text);
        }
        let sequences: Vec<String> = sqlx::query_scalar(
            "SELECT sequencename::text || '=' || COALESCE(last_value::text, 'unused') \
             FROM pg_sequences WHERE schemaname = current_schema() ORDER BY 1",
        )
        .fetch_all(&mut conn)
        .await
        .expect("sequences");
        rows.insert("(sequences)".to_owned(), sequences);
        let _ = conn.close().await;
    }
    rows
}

/// Runs one statement on the database `url` names, outside the store: for tests that check
/// what the schema itself allows. The error is the database's message.
pub async fn execute(url: &str, sql: &str) -> Result<u64, String> {
    if let Some(path) = crate::backup::sqlite_path(url) {
        use sqlx::ConnectOptions as _;
        let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&path)
            .connect()
            .await
            .expect("open the SQLite database");
        let done = sqlx::query(sql).execute(&mut conn).await;
        let _ = conn.close().await;
        done.map(|r| r.rows_affected()).map_err(|e| e.to_string())
    } else {
        let mut conn = sqlx::PgConnection::connect(url)
            .await
            .expect("connect to PostgreSQL");
        let done = sqlx::query(sql).execute(&mut conn).await;
        let _ = conn.close().await;
        done.map(|r| r.rows_affected()).map_err(|e| e.to_string())
    }
}
