//! The embedded backend: one SQLite file in WAL mode.
//!
//! Writes go through a pool of exactly one connection, in transactions begun with
//! `BEGIN IMMEDIATE`, so there is one writer and no transaction ever fails on a lock upgrade.
//! Concurrent writes are grouped: each runs in a savepoint of a shared transaction and waits
//! for its COMMIT (see [`crate::group`]). Reads use a separate pool and see the last committed
//! state (WAL readers never block the writer). `synchronous = FULL`: a write that returned has
//! reached the disk, and survives a crash of the process or of the machine.
//!
//! Checkpoints (copying the WAL back into the database file) run on a connection of their own,
//! in the background, instead of inside the commit that happens to cross SQLite's threshold: a
//! write never waits for one, and the copy overlaps with the next group's work. They are
//! `PASSIVE` (they never block the writer or readers); the WAL restarts from its beginning once a
//! checkpoint has caught up, and its file is truncated back to [`WAL_SIZE_LIMIT`] when it grew.
//! Under writes that never pause a passive checkpoint never catches up: past
//! [`WAL_RESTART_FRAMES`], a `TRUNCATE` checkpoint makes the writer wait while it finishes, which
//! bounds the WAL.

use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::audit::audit_impl;
use crate::backend::store_impl;
use crate::badges::badges_impl;
use crate::console::console_impl;
use crate::group::{GroupCommit, Lease};
use crate::leaderboards::leaderboards_impl;
use crate::media::media_impl;
use crate::personal::personal_impl;
use crate::portal::portal_impl;
use crate::reads::reads_impl;
use crate::referrals::referrals_impl;
use crate::rewards::rewards_impl;
use crate::rules::rules_impl;
use crate::tiers::tiers_impl;
use crate::webhooks::webhooks_impl;
use crate::{ConnectOptions, Result};

/// How often the background checkpoint runs.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(100);
/// What the WAL file is truncated back to after it grew past it (bytes).
const WAL_SIZE_LIMIT: &str = "67108864";
/// Frames (pages) in the WAL past which a checkpoint makes writers wait for it to finish:
/// 262,144 pages of 4 KiB, 1 GiB.
const WAL_RESTART_FRAMES: i64 = 262_144;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");

/// The SQLite store.
#[derive(Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
    group: std::sync::Arc<GroupCommit>,
}

impl SqliteStore {
    /// Opens (creating when missing) the file a `sqlite://` URL names.
    pub async fn connect(url: &str, options: &ConnectOptions) -> Result<Self> {
        let path = url
            .trim_start_matches("sqlite://")
            .trim_start_matches("sqlite:");
        let path = path.split('?').next().unwrap_or(path);
        if let Some(dir) = std::path::Path::new(path).parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|e| {
                crate::StoreError::Corrupt(format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        let base = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("temp_store", "memory")
            .pragma("journal_size_limit", WAL_SIZE_LIMIT);
        // Page caches: 16 MiB for the writer, 8 MiB per reader (the OS caches the file too).
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(
                base.clone()
                    .pragma("cache_size", "-16000")
                    .pragma("wal_autocheckpoint", "0"),
            )
            .await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(options.max_connections.max(1))
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(base.clone().pragma("cache_size", "-8000"))
            .await?;
        let checkpointer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(base.pragma("cache_size", "-1000"))
            .await?;
        let group = GroupCommit::start(writer.clone());
        start_checkpoints(checkpointer, std::sync::Arc::downgrade(&group));
        let store = Self {
            writer,
            reader,
            group,
        };
        if options.migrate {
            store.run_migrations().await?;
        }
        Ok(store)
    }

    async fn run_migrations(&self) -> Result<()> {
        MIGRATOR.run(&self.writer).await?;
        Ok(())
    }

    fn reader(&self) -> &SqlitePool {
        &self.reader
    }

    async fn begin_tx(&self) -> Result<Lease> {
        self.group.lease("").await
    }

    async fn begin_tx_for(&self, program_id: &str) -> Result<Lease> {
        self.group.lease(program_id).await
    }
}

/// Runs a checkpoint of the given mode: (busy, frames in the WAL, frames copied back). Busy
/// (1) means another checkpoint held the lock and nothing was done.
async fn checkpoint(pool: &SqlitePool, mode: &str) -> sqlx::Result<(i64, i64, i64)> {
    sqlx::query_as(&format!("PRAGMA wal_checkpoint({mode})"))
        .fetch_one(pool)
        .await
}

/// Checkpoints the WAL in the background while the store is open (`group` is alive).
fn start_checkpoints(pool: SqlitePool, group: std::sync::Weak<GroupCommit>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if group.strong_count() == 0 {
                pool.close().await;
                return;
            }
            let started = std::time::Instant::now();
            match checkpoint(&pool, "PASSIVE").await {
                // Writes that never pause leave a PASSIVE checkpoint behind, and the WAL would
                // grow without bound: past the limit, wait for the writer's turn and copy the
                // rest (writers wait meanwhile), then truncate the file.
                Ok((_, frames, copied)) if frames > WAL_RESTART_FRAMES => {
                    let passive_ms = started.elapsed().as_millis();
                    let started = std::time::Instant::now();
                    match checkpoint(&pool, "TRUNCATE").await {
                        // Busy: another checkpoint ran meanwhile; the next tick tries again.
                        Ok((busy, _, _)) => tracing::info!(
                            frames,
                            copied,
                            passive_ms,
                            truncate_ms = started.elapsed().as_millis(),
                            truncated = busy == 0,
                            "WAL past its limit: truncating checkpoint"
                        ),
                        Err(e) => tracing::warn!(error = %e, "truncating checkpoint failed"),
                    }
                }
                Ok((_, frames, copied)) => tracing::debug!(
                    frames,
                    copied,
                    ms = started.elapsed().as_millis(),
                    "passive checkpoint"
                ),
                Err(e) => tracing::warn!(error = %e, "background checkpoint failed"),
            }
        }
    });
}

store_impl!(
    SqliteStore,
    SqliteWriteTx,
    sqlx::Sqlite,
    tx = Lease,
    backend = "sqlite",
    for_update = ""
);

rules_impl!(SqliteStore, SqliteWriteTx, sqlx::Sqlite, for_update = "");

tiers_impl!(SqliteStore, SqliteWriteTx, sqlx::Sqlite, for_update = "");

leaderboards_impl!(
    SqliteStore,
    SqliteWriteTx,
    sqlx::Sqlite,
    upsert = crate::leaderboards::upsert_scores_sqlite
);
referrals_impl!(SqliteStore, SqliteWriteTx, sqlx::Sqlite, for_update = "");

rewards_impl!(SqliteStore, SqliteWriteTx, sqlx::Sqlite, for_update = "");

reads_impl!(
    SqliteStore,
    sqlx::Sqlite,
    order_key = crate::reads::SQLITE_ORDER_KEY
);

audit_impl!(SqliteStore, sqlx::Sqlite);

personal_impl!(
    SqliteStore,
    sqlx::Sqlite,
    rows = crate::personal::sqlite_rows,
    columns = crate::personal::SQLITE_COLUMNS,
    scrub = crate::personal::SQLITE_SCRUB_EVENTS
);

/// Secondary indexes a bulk load in member order would write at random, dropped while it runs
/// ([`crate::Store::start_bulk_load`]) and built once, sorted, after it.
fn bulk_suspend() -> Vec<String> {
    vec![
        "DROP INDEX IF EXISTS events_occurred".into(),
        "DROP INDEX IF EXISTS events_order".into(),
        "DROP INDEX IF EXISTS members_next_due".into(),
    ]
}

/// The same indexes as migrations 0002, 0004 and 0009 create them.
fn bulk_restore() -> Vec<String> {
    vec![
        "CREATE INDEX IF NOT EXISTS events_occurred ON events(program_id, occurred_at, id)".into(),
        "CREATE INDEX IF NOT EXISTS events_order ON events(program_id, \
         json_extract(attributes, '$.order_id')) WHERE type IN ('purchase', 'refund')"
            .into(),
        "CREATE INDEX IF NOT EXISTS members_next_due ON members(next_due_at) \
         WHERE next_due_at IS NOT NULL"
            .into(),
    ]
}

/// After a bulk load, outside its transaction: statistics, and the WAL (the sorted index builds
/// went through it, gigabytes at a million members) copied back and truncated, so the server
/// that opens the dataset next does not inherit it.
async fn bulk_after(pool: &SqlitePool) -> Result<()> {
    sqlx::query("PRAGMA optimize").execute(pool).await?;
    // A checkpoint running elsewhere (the background one) makes this one return at once,
    // marked busy, without copying anything: try again until it ran.
    for _ in 0..600 {
        let (busy, _, _) = checkpoint(pool, "TRUNCATE").await?;
        if busy == 0 {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(crate::StoreError::Busy)
}

/// A bulk load's lots, entries, orders and events, with multi-row statements (SQLite has no
/// faster path from outside the process: these run at the speed of its B-trees).
async fn bulk_history(
    conn: &mut sqlx::SqliteConnection,
    program_id: &str,
    members: &[crate::BulkMember],
    ids: &[i64],
) -> Result<()> {
    use crate::backend::us;
    let lots: Vec<(i64, &jifen_core::Lot)> = members
        .iter()
        .zip(ids)
        .flat_map(|(m, id)| m.ledger.lots.iter().map(move |l| (*id, l)))
        .collect();
    insert_lots(conn, &lots).await?;
    let entries: Vec<(i64, &jifen_core::Entry)> = members
        .iter()
        .zip(ids)
        .flat_map(|(m, id)| m.ledger.entries.iter().map(move |e| (*id, e)))
        .collect();
    insert_entries(conn, &entries, None).await?;
    let orders: Vec<(i64, &crate::Order)> = members
        .iter()
        .zip(ids)
        .flat_map(|(m, id)| m.orders.iter().map(move |o| (*id, o)))
        .collect();
    for chunk in orders.chunks(ROWS_PER_STATEMENT) {
        let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT INTO orders (program_id, order_id, member_id, guest_ref, amount, \
             refunded, points_per_yuan, points, occurred_at) ",
        );
        q.push_values(chunk, |mut b, (id, o)| {
            b.push_bind(program_id)
                .push_bind(&o.order_id)
                .push_bind(*id)
                .push_bind(&o.guest_ref)
                .push_bind(o.amount)
                .push_bind(o.refunded)
                .push_bind(o.points_per_yuan)
                .push_bind(o.points)
                .push_bind(us(o.occurred_at));
        });
        q.build().execute(&mut *conn).await?;
    }
    let events: Vec<(i64, &crate::EventRecord)> = members
        .iter()
        .zip(ids)
        .flat_map(|(m, id)| m.events.iter().map(move |e| (*id, e)))
        .collect();
    for chunk in events.chunks(ROWS_PER_STATEMENT) {
        let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT INTO events (program_id, id, member_id, type, occurred_at, site, \
             attributes, recorded_at) ",
        );
        q.push_values(chunk, |mut b, (id, e)| {
            b.push_bind(program_id)
                .push_bind(&e.id)
                .push_bind(*id)
                .push_bind(&e.kind)
                .push_bind(us(e.occurred_at))
                .push_bind(&e.site)
                .push_bind(e.attributes.to_string())
                .push_bind(us(e.recorded_at));
        });
        q.build().execute(&mut *conn).await?;
    }
    Ok(())
}

media_impl!(SqliteStore);
badges_impl!(SqliteStore, SqliteWriteTx, sqlx::Sqlite);
crate::reminders::reminders_impl!(
    SqliteStore,
    SqliteWriteTx,
    sqlx::Sqlite,
    // One writer: the transaction holds the lock already.
    lock = "SELECT length($1)"
);
crate::segments::segments_impl!(SqliteStore, SqliteWriteTx, sqlx::Sqlite, for_update = "");
crate::challenges::challenges_impl!(SqliteStore, SqliteWriteTx, sqlx::Sqlite);
portal_impl!(SqliteStore);
console_impl!(SqliteStore, sqlx::Sqlite);
crate::rollups::rollups_impl!(SqliteStore, sqlx::Sqlite, for_update = "", skip_locked = "");
webhooks_impl!(
    SqliteStore,
    SqliteWriteTx,
    sqlx::Sqlite,
    skip_locked = "",
    claim_plan = None
);
