//! A throwaway copy of a live database, to rehearse work on (`jifen maintain --at`) without
//! changing the original.
//!
//! - **SQLite**: an online backup (`VACUUM INTO`, see [`crate::backup`]) into a file in the
//!   system's temporary folder (`TMPDIR`), removed afterwards.
//! - **PostgreSQL**: a scratch database `<db>_rehearsal_<random>` on the same server, created as
//!   the same role, migrated, then filled with every table of the live database as one
//!   `REPEATABLE READ READ ONLY` transaction sees it (`COPY … TO STDOUT` piped into
//!   `COPY … FROM STDIN`, binary format), its sequences set past the copied ids; dropped
//!   afterwards, also when something failed on the way.
//!
//! Nothing is written to the live database: not even its migrations run (a PostgreSQL database
//! whose migrations differ from this binary's is refused, with nothing changed).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions as _, Connection as _, Row};

use crate::postgres::{database_name, quote_ident, sql_state};
use crate::{ConnectOptions, Result, Store, StoreError};

/// A copy being rehearsed on. [`Rehearsal::discard`] removes it; dropped without that (a
/// panic), it is removed on a best-effort basis.
pub struct Rehearsal {
    store: Arc<dyn Store>,
    place: Option<Place>,
    copy_seconds: f64,
}

/// Where a copy lives.
enum Place {
    File(PathBuf),
    Database {
        /// The live database's connection options (the scratch database is dropped from it).
        live: Box<PgConnectOptions>,
        name: String,
    },
}

/// Row counts of a copy, to tell what a rehearsal wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Rows per table.
    pub tables: BTreeMap<String, i64>,
    /// Ledger entries per kind (`expire`, `release`, …).
    pub entries: BTreeMap<String, i64>,
}

impl Tally {
    /// What `later` has more of than `self`, leaving out what did not grow.
    pub fn growth(&self, later: &Tally) -> Tally {
        let grown = |before: &BTreeMap<String, i64>, after: &BTreeMap<String, i64>| {
            after
                .iter()
                .filter_map(|(k, n)| {
                    let d = n - before.get(k).copied().unwrap_or(0);
                    (d != 0).then(|| (k.clone(), d))
                })
                .collect()
        };
        Tally {
            tables: grown(&self.tables, &later.tables),
            entries: grown(&self.entries, &later.entries),
        }
    }
}

/// Copies the database `url` names and opens the copy (its migrations run on the copy).
pub async fn copy(url: &str, options: &ConnectOptions) -> Result<Rehearsal> {
    let started = Instant::now();
    let place = if crate::backup::sqlite_path(url).is_some() {
        Place::File(std::env::temp_dir().join(format!("jifen-rehearsal-{}.db", suffix())))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        let live: PgConnectOptions = url.parse()?;
        let name = scratch_name(&database_name(&live));
        Place::Database {
            live: Box::new(live),
            name,
        }
    } else {
        return Err(StoreError::UnsupportedUrl);
    };
    let filled = match &place {
        Place::File(path) => copy_sqlite(url, path, options).await,
        Place::Database { live, name } => copy_postgres(live, name, options).await,
    };
    match filled {
        Ok(store) => Ok(Rehearsal {
            store,
            place: Some(place),
            copy_seconds: started.elapsed().as_secs_f64(),
        }),
        Err(e) => {
            if let Err(left) = place.remove().await {
                tracing::warn!(error = %left, "the rehearsal copy could not be removed");
            }
            Err(e)
        }
    }
}

impl Rehearsal {
    /// The copy, to run work on.
    pub fn store(&self) -> Arc<dyn Store> {
        self.store.clone()
    }

    /// How long the copy took.
    pub fn copy_seconds(&self) -> f64 {
        self.copy_seconds
    }

    /// Rows per table and entries per kind in the copy now.
    pub async fn tally(&self) -> Result<Tally> {
        match self.place.as_ref() {
            Some(Place::File(path)) => {
                let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
                    .filename(path)
                    .read_only(true)
                    .connect()
                    .await?;
                let tables: Vec<String> = sqlx::query_scalar(
                    "SELECT name FROM sqlite_master WHERE type = 'table' \
                     AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name",
                )
                .fetch_all(&mut conn)
                .await?;
                let tally = async { tally_with!(&mut conn, tables) }.await;
                let _ = conn.close().await;
                tally
            }
            Some(Place::Database { live, name }) => {
                let mut conn = live.clone().database(name).connect().await?;
                let tables = pg_tables(&mut conn).await?;
                let tally = async { tally_with!(&mut conn, tables) }.await;
                let _ = conn.close().await;
                tally
            }
            None => Ok(Tally::default()),
        }
    }

    /// Removes the copy. Every clone of [`Rehearsal::store`] should be dropped first.
    pub async fn discard(mut self) -> Result<()> {
        match self.place.take() {
            Some(place) => place.remove().await,
            None => Ok(()),
        }
    }
}

impl Drop for Rehearsal {
    fn drop(&mut self) {
        let Some(place) = self.place.take() else {
            return;
        };
        // Drop runs inside or outside a runtime; a thread with its own runtime works in both.
        let _ = std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                let _ = rt.block_on(place.remove());
            }
        })
        .join();
    }
}

impl Place {
    async fn remove(&self) -> Result<()> {
        match self {
            Place::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = path.as_os_str().to_owned();
                    p.push(suffix);
                    match std::fs::remove_file(&p) {
                        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                            return Err(StoreError::Setup(format!(
                                "cannot remove {}: {e}",
                                PathBuf::from(p).display()
                            )));
                        }
                        _ => {}
                    }
                }
                Ok(())
            }
            Place::Database { live, name } => {
                let mut conn = live.connect().await?;
                let dropped = sqlx::query(&format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    quote_ident(name)
                ))
                .execute(&mut conn)
                .await;
                let _ = conn.close().await;
                dropped?;
                Ok(())
            }
        }
    }
}

/// Eight hex digits, different for every call.
fn suffix() -> String {
    use std::hash::BuildHasher;
    let seed = (
        std::process::id(),
        std::time::SystemTime::now(),
        std::thread::current().id(),
    );
    format!(
        "{:08x}",
        std::collections::hash_map::RandomState::new().hash_one(format!("{seed:?}")) as u32
    )
}

/// `<db>_rehearsal_<random>`, within PostgreSQL's 63 bytes for a name.
fn scratch_name(live: &str) -> String {
    let mut base = live.to_owned();
    while base.len() > 63 - "_rehearsal_".len() - 8 {
        base.pop();
    }
    format!("{base}_rehearsal_{}", suffix())
}

async fn copy_sqlite(
    url: &str,
    to: &std::path::Path,
    options: &ConnectOptions,
) -> Result<Arc<dyn Store>> {
    crate::backup::backup(url, to).await.map_err(|e| match e {
        crate::backup::BackupError::Store(e) => e,
        other => StoreError::Setup(other.to_string()),
    })?;
    let copy = format!("sqlite://{}", to.display());
    Ok(Arc::new(
        crate::sqlite::SqliteStore::connect(&copy, options).await?,
    ))
}

async fn copy_postgres(
    live: &PgConnectOptions,
    scratch: &str,
    options: &ConnectOptions,
) -> Result<Arc<dyn Store>> {
    let mut source = live.connect().await?;
    let live_name = database_name(live);
    let created = sqlx::query(&format!("CREATE DATABASE {}", quote_ident(scratch)))
        .execute(&mut source)
        .await;
    match created {
        Err(e) if sql_state(&e).as_deref() == Some("42501") => {
            return Err(StoreError::Setup(format!(
                "a rehearsal on PostgreSQL runs on a copy in a scratch database, and role \
                 \"{}\" may not create databases (grant it CREATEDB); nothing was changed",
                live.get_username()
            )));
        }
        other => {
            other?;
        }
    }
    let applied = migrations(&mut source).await.map_err(|e| match e {
        StoreError::Database(e) if sql_state(&e).as_deref() == Some("42P01") => {
            StoreError::Setup(format!(
                "{live_name} is not a jifen database (it has no migrations table); nothing was \
                 changed"
            ))
        }
        other => other,
    })?;
    let target = live.clone().database(scratch);
    let store = crate::postgres::PgStore::connect_with(
        target.clone(),
        &ConnectOptions {
            max_connections: options.max_connections,
            migrate: true,
        },
    )
    .await?;
    let mut sink = target.connect().await?;
    let known = migrations(&mut sink).await?;
    if applied != known {
        return Err(StoreError::Setup(format!(
            "{live_name} is at migration {}, this jifen at {}: run `jifen migrate` first (a \
             rehearsal changes nothing, not even the schema); nothing was changed",
            applied.last().map_or(0, |m| m.0),
            known.last().map_or(0, |m| m.0),
        )));
    }
    let tables = pg_tables(&mut sink).await?;
    let tables = in_key_order(&mut sink, tables).await?;
    sqlx::query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .execute(&mut source)
        .await?;
    sqlx::query("BEGIN").execute(&mut sink).await?;
    for table in &tables {
        let columns: Vec<String> = sqlx::query_scalar(
            "SELECT quote_ident(column_name::text) FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
        )
        .bind(table)
        .fetch_all(&mut sink)
        .await?;
        let columns = columns.join(", ");
        let table = quote_ident(table);
        let mut rows = source
            .copy_out_raw(&format!(
                "COPY {table} ({columns}) TO STDOUT (FORMAT binary)"
            ))
            .await?;
        let mut into = sink
            .copy_in_raw(&format!(
                "COPY {table} ({columns}) FROM STDIN (FORMAT binary)"
            ))
            .await?;
        while let Some(chunk) = next(&mut rows).await {
            match chunk {
                Ok(bytes) => {
                    into.send(bytes).await?;
                }
                Err(e) => {
                    let _ = into.abort(e.to_string()).await;
                    return Err(e.into());
                }
            }
        }
        into.finish().await?;
    }
    let sequences: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, \
                pg_get_serial_sequence(quote_ident(table_name::text), column_name::text) \
         FROM information_schema.columns WHERE table_schema = current_schema() \
         AND pg_get_serial_sequence(quote_ident(table_name::text), column_name::text) IS NOT NULL",
    )
    .fetch_all(&mut sink)
    .await?;
    for (table, column, sequence) in sequences {
        let row = sqlx::query(&format!("SELECT last_value, is_called FROM {sequence}"))
            .fetch_one(&mut source)
            .await?;
        let (last, called): (i64, bool) = (row.try_get(0)?, row.try_get(1)?);
        let used = if called { last } else { last - 1 };
        sqlx::query(&format!(
            "SELECT setval($1::text::regclass, GREATEST($2, (SELECT COALESCE(max({}), 0) FROM {})), \
             true) WHERE GREATEST($2, (SELECT COALESCE(max({0}), 0) FROM {1})) > 0",
            quote_ident(&column),
            quote_ident(&table),
        ))
        .bind(&sequence)
        .bind(used)
        .execute(&mut sink)
        .await?;
    }
    sqlx::query("COMMIT").execute(&mut sink).await?;
    sqlx::query("COMMIT").execute(&mut source).await?;
    // Statistics for the planner, which has seen none of the copied rows.
    sqlx::query("ANALYZE").execute(&mut sink).await?;
    let _ = sink.close().await;
    let _ = source.close().await;
    Ok(Arc::new(store))
}

/// The next item of a stream.
async fn next<S: futures_core::Stream + Unpin>(stream: &mut S) -> Option<S::Item> {
    std::future::poll_fn(|cx| std::pin::Pin::new(&mut *stream).poll_next(cx)).await
}

/// The migrations a database has applied: (version, checksum), in order.
async fn migrations(conn: &mut sqlx::PgConnection) -> Result<Vec<(i64, Vec<u8>)>> {
    Ok(sqlx::query_as(
        "SELECT version, checksum FROM _sqlx_migrations WHERE success ORDER BY version",
    )
    .fetch_all(conn)
    .await?)
}

/// The tables of the connection's schema, but the migrations' own.
async fn pg_tables(conn: &mut sqlx::PgConnection) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
         AND table_name <> '_sqlx_migrations' ORDER BY table_name",
    )
    .fetch_all(conn)
    .await?)
}

/// `tables` ordered so that each comes after the tables its foreign keys refer to.
async fn in_key_order(conn: &mut sqlx::PgConnection, tables: Vec<String>) -> Result<Vec<String>> {
    let keys: Vec<(String, String)> = sqlx::query_as(
        "SELECT child.relname::text, parent.relname::text FROM pg_constraint c \
         JOIN pg_class child ON child.oid = c.conrelid \
         JOIN pg_class parent ON parent.oid = c.confrelid \
         WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace",
    )
    .fetch_all(conn)
    .await?;
    let mut left = tables;
    let mut ordered = Vec::with_capacity(left.len());
    while !left.is_empty() {
        let ready: Vec<String> = left
            .iter()
            .filter(|t| {
                !keys
                    .iter()
                    .any(|(child, parent)| child == *t && parent != *t && left.contains(parent))
            })
            .cloned()
            .collect();
        if ready.is_empty() {
            return Err(StoreError::Setup(format!(
                "the tables {left:?} refer to each other in a cycle; they cannot be copied in order"
            )));
        }
        left.retain(|t| !ready.contains(t));
        ordered.extend(ready);
    }
    Ok(ordered)
}

/// Rows per table and entries per kind, with the same SQL on both backends: `$conn` is a
/// `&mut` connection of either.
macro_rules! tally_with {
    ($conn:expr, $tables:expr) => {{
        let conn = $conn;
        let mut tally = Tally::default();
        for table in $tables {
            let n: i64 =
                sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {}", quote_ident(&table)))
                    .fetch_one(&mut *conn)
                    .await?;
            tally.tables.insert(table, n);
        }
        let kinds: Vec<(String, i64)> =
            sqlx::query_as("SELECT kind, COUNT(*) FROM entries GROUP BY kind")
                .fetch_all(&mut *conn)
                .await?;
        tally.entries = kinds.into_iter().collect();
        Ok::<Tally, StoreError>(tally)
    }};
}
use tally_with;
