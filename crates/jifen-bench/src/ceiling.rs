//! Ceilings measured in the same run on the same machine: what the database does with
//! ledger-shaped rows and nothing else, and what a bare axum route serves.

use std::time::{Duration, Instant};

use serde::Serialize;
use sqlx::Connection;

/// Raw insert rate of ledger-shaped rows.
#[derive(Debug, Clone, Serialize)]
pub struct InsertCeiling {
    pub backend: String,
    pub batch: usize,
    pub rows: u64,
    pub seconds: f64,
    pub rows_per_second: f64,
}

const TABLE: &str = "CREATE TABLE ceiling_entries (member_id BIGINT NOT NULL, seq BIGINT NOT NULL, \
    kind TEXT NOT NULL, points BIGINT NOT NULL, lot_no BIGINT, order_id TEXT, cause_id TEXT NOT NULL, \
    effective_at BIGINT NOT NULL, recorded_at BIGINT NOT NULL, PRIMARY KEY (member_id, seq))";

/// Inserts batches of `batch` rows, one transaction each, for `duration`, into a SQLite file
/// opened with the same settings as jifen's (WAL, synchronous = FULL).
pub async fn sqlite_inserts(
    path: &std::path::Path,
    batch: usize,
    duration: Duration,
) -> anyhow::Result<InsertCeiling> {
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
    let _ = std::fs::remove_file(path);
    let opts = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full);
    let mut conn = sqlx::SqliteConnection::connect_with(&opts).await?;
    sqlx::query(TABLE).execute(&mut conn).await?;
    let r = run_inserts(&mut conn, "sqlite", batch, duration).await;
    drop(conn);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    r
}

/// The same against a PostgreSQL database (default settings: synchronous_commit on).
pub async fn postgres_inserts(
    url: &str,
    batch: usize,
    duration: Duration,
) -> anyhow::Result<InsertCeiling> {
    let mut conn = sqlx::PgConnection::connect(url).await?;
    sqlx::query("DROP TABLE IF EXISTS ceiling_entries")
        .execute(&mut conn)
        .await?;
    sqlx::query(TABLE).execute(&mut conn).await?;
    let r = run_inserts(&mut conn, "postgres", batch, duration).await;
    sqlx::query("DROP TABLE IF EXISTS ceiling_entries")
        .execute(&mut conn)
        .await?;
    r
}

async fn run_inserts<C>(
    conn: &mut C,
    backend: &str,
    batch: usize,
    duration: Duration,
) -> anyhow::Result<InsertCeiling>
where
    C: Connection,
    for<'c> &'c mut <C::Database as sqlx::Database>::Connection:
        sqlx::Executor<'c, Database = C::Database>,
{
    let started = Instant::now();
    let mut rows = 0u64;
    let mut seq = 0i64;
    while started.elapsed() < duration {
        let mut sql = String::with_capacity(batch * 96 + 160);
        sql.push_str(
            "INSERT INTO ceiling_entries (member_id, seq, kind, points, lot_no, order_id, cause_id, \
             effective_at, recorded_at) VALUES ",
        );
        for i in 0..batch {
            seq += 1;
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "({}, {seq}, 'earn', 150, {seq}, 'o-{seq}', 'e-{seq}', {seq}, {seq})",
                seq % 1_000_003
            ));
        }
        let mut tx = conn.begin().await?;
        sqlx::raw_sql(&sql).execute(&mut *tx).await?;
        tx.commit().await?;
        rows += batch as u64;
    }
    let seconds = started.elapsed().as_secs_f64();
    Ok(InsertCeiling {
        backend: backend.into(),
        batch,
        rows,
        seconds,
        rows_per_second: rows as f64 / seconds,
    })
}

/// A bare axum server answering a constant JSON document, for the HTTP ceiling.
pub async fn bare_server(listen: std::net::SocketAddr) -> anyhow::Result<()> {
    use axum::routing::get;
    let app = axum::Router::new().route(
        "/bare",
        get(|| async {
            axum::Json(
                serde_json::json!({"available": 1200, "pending": 0, "held": 0, "negative": 0}),
            )
        }),
    );
    let listener = tokio::net::TcpListener::bind(listen).await?;
    axum::serve(listener, app).await?;
    Ok(())
}
