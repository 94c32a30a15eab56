//! The PostgreSQL backend, for brands that outgrow one machine.
//!
//! A write locks the rows it decides on (`SELECT … FOR UPDATE` on the member, the order),
//! so concurrent writes to one member are serialized by the database while writes to different
//! members run in parallel, on one node or many.

use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};

use crate::audit::audit_impl;
use crate::backend::store_impl;
use crate::badges::badges_impl;
use crate::console::console_impl;
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

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// The PostgreSQL store.
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects to the database a `postgres://` URL names, creating it first when it does not
    /// exist and the role may create it.
    pub async fn connect(url: &str, options: &ConnectOptions) -> Result<Self> {
        let connect: PgConnectOptions = url.parse()?;
        Self::connect_with(connect, options).await
    }

    /// [`PgStore::connect`] with options already parsed.
    pub async fn connect_with(connect: PgConnectOptions, options: &ConnectOptions) -> Result<Self> {
        let pool_options = || {
            PgPoolOptions::new()
                .max_connections(options.max_connections.max(2))
                .acquire_timeout(Duration::from_secs(30))
        };
        let pool = match pool_options().connect_with(connect.clone()).await {
            Err(e) if sql_state(&e).as_deref() == Some(INVALID_CATALOG_NAME) => {
                create_database(&connect).await?;
                pool_options().connect_with(connect).await?
            }
            other => other?,
        };
        let store = Self { pool };
        if options.migrate {
            store.run_migrations().await?;
        }
        Ok(store)
    }

    async fn run_migrations(&self) -> Result<()> {
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    fn reader(&self) -> &PgPool {
        &self.pool
    }

    async fn begin_tx(&self) -> Result<Transaction<'static, Postgres>> {
        Ok(self.pool.begin().await?)
    }

    /// Programs need no turns on PostgreSQL: each write has a connection of its own.
    async fn begin_tx_for(&self, _program_id: &str) -> Result<Transaction<'static, Postgres>> {
        self.begin_tx().await
    }
}

store_impl!(
    PgStore,
    PgWriteTx,
    Postgres,
    tx = Transaction<'static, Postgres>,
    backend = "postgres",
    for_update = " FOR UPDATE"
);

rules_impl!(PgStore, PgWriteTx, Postgres, for_update = " FOR UPDATE");

tiers_impl!(PgStore, PgWriteTx, Postgres, for_update = " FOR UPDATE");

leaderboards_impl!(
    PgStore,
    PgWriteTx,
    sqlx::Postgres,
    upsert = crate::leaderboards::upsert_scores_pg
);
referrals_impl!(
    PgStore,
    PgWriteTx,
    sqlx::Postgres,
    for_update = " FOR UPDATE"
);

rewards_impl!(
    PgStore,
    PgWriteTx,
    sqlx::Postgres,
    for_update = " FOR UPDATE"
);

reads_impl!(
    PgStore,
    Postgres,
    order_key = crate::reads::POSTGRES_ORDER_KEY
);

audit_impl!(PgStore, Postgres);

personal_impl!(
    PgStore,
    Postgres,
    rows = crate::personal::postgres_rows,
    columns = crate::personal::POSTGRES_COLUMNS,
    scrub = crate::personal::POSTGRES_SCRUB_EVENTS
);

/// SQLSTATE `invalid_catalog_name`: the database a connection names does not exist.
const INVALID_CATALOG_NAME: &str = "3D000";
/// SQLSTATE `insufficient_privilege`.
const INSUFFICIENT_PRIVILEGE: &str = "42501";
/// SQLSTATE `duplicate_database`.
const DUPLICATE_DATABASE: &str = "42P04";

/// The SQLSTATE of a database error.
pub(crate) fn sql_state(e: &sqlx::Error) -> Option<String> {
    match e {
        sqlx::Error::Database(db) => db.code().map(|c| c.into_owned()),
        _ => None,
    }
}

/// `name` as a PostgreSQL identifier, quoted: any name, case and characters kept.
pub(crate) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The database a connection's options name (PostgreSQL's default: the user's name).
pub(crate) fn database_name(connect: &PgConnectOptions) -> String {
    connect
        .get_database()
        .unwrap_or(connect.get_username())
        .to_owned()
}

/// A connection to a maintenance database of the server `connect` names (`postgres`, or
/// `template1` where there is no `postgres`), with the same credentials.
async fn maintenance_connection(connect: &PgConnectOptions) -> Result<sqlx::PgConnection> {
    use sqlx::ConnectOptions as _;
    match connect.clone().database("postgres").connect().await {
        Err(e) if sql_state(&e).as_deref() == Some(INVALID_CATALOG_NAME) => {
            Ok(connect.clone().database("template1").connect().await?)
        }
        other => Ok(other?),
    }
}

/// Creates the database `connect` names, which does not exist: from a maintenance database of
/// the same server, as the same role. Another node creating it meanwhile is no error.
async fn create_database(connect: &PgConnectOptions) -> Result<()> {
    use sqlx::Connection as _;
    let name = database_name(connect);
    let mut admin = maintenance_connection(connect).await?;
    let created = sqlx::query(&format!("CREATE DATABASE {}", quote_ident(&name)))
        .execute(&mut admin)
        .await;
    let _ = admin.close().await;
    match created {
        Ok(_) => {
            tracing::info!(database = %name, "created PostgreSQL database {name}");
            Ok(())
        }
        Err(e) if sql_state(&e).as_deref() == Some(DUPLICATE_DATABASE) => Ok(()),
        Err(e) if sql_state(&e).as_deref() == Some(INSUFFICIENT_PRIVILEGE) => {
            Err(crate::StoreError::Setup(format!(
                "database \"{name}\" does not exist and role \"{user}\" may not create it; \
                 create it with `createdb -h {host} -p {port} -U <a role that may> -O {user} \
                 {name}`, or grant the role CREATEDB",
                user = connect.get_username(),
                host = connect.get_host(),
                port = connect.get_port(),
            )))
        }
        Err(e) => Err(e.into()),
    }
}

/// The tables whose foreign key to `members` a bulk load suspends, named by PostgreSQL from
/// migration 0001 as `{table}_member_id_fkey`.
const BULK_KEYED: [&str; 4] = ["lots", "entries", "orders", "events"];

/// Dropped while a bulk load runs ([`crate::Store::start_bulk_load`]): the secondary indexes
/// it would write at random and the foreign keys it would check row by row.
fn bulk_suspend() -> Vec<String> {
    let indexes = [
        "DROP INDEX IF EXISTS events_occurred",
        "DROP INDEX IF EXISTS events_order",
        "DROP INDEX IF EXISTS members_next_due",
    ];
    let keys = BULK_KEYED
        .iter()
        .map(|t| format!("ALTER TABLE {t} DROP CONSTRAINT IF EXISTS {t}_member_id_fkey"));
    indexes.into_iter().map(String::from).chain(keys).collect()
}

/// The same indexes as migrations 0002, 0004 and 0009 create them, and the foreign keys of
/// migration 0001 under the names PostgreSQL gave them, each checked in one pass over its table.
fn bulk_restore() -> Vec<String> {
    let indexes = [
        "CREATE INDEX IF NOT EXISTS events_occurred ON events(program_id, occurred_at, id)",
        "CREATE INDEX IF NOT EXISTS events_order ON events(program_id, \
         ((attributes::jsonb) ->> 'order_id')) WHERE type IN ('purchase', 'refund')",
        "CREATE INDEX IF NOT EXISTS members_next_due ON members(next_due_at) \
         WHERE next_due_at IS NOT NULL",
    ];
    let keys = BULK_KEYED.iter().map(|t| {
        format!(
            "DO $$ BEGIN \
               IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = '{t}_member_id_fkey') \
               THEN ALTER TABLE {t} ADD CONSTRAINT {t}_member_id_fkey \
                 FOREIGN KEY (member_id) REFERENCES members(id); \
               END IF; \
             END $$"
        )
    });
    indexes.into_iter().map(String::from).chain(keys).collect()
}

/// After a bulk load: statistics for the planner, which has seen none of the new rows, and a
/// vacuum that sets the new rows' hint bits and visibility once, so that neither the first
/// reads of each page nor autovacuum workers do it later, under live traffic.
async fn bulk_after(pool: &PgPool) -> Result<()> {
    sqlx::query("VACUUM (ANALYZE)").execute(pool).await?;
    Ok(())
}

/// A bulk load's lots, entries, orders and events, with `COPY … FROM STDIN` (text format):
/// one stream per table instead of a statement per thousand rows.
async fn bulk_history(
    conn: &mut sqlx::PgConnection,
    program_id: &str,
    members: &[crate::BulkMember],
    ids: &[i64],
) -> Result<()> {
    use crate::backend::us;
    let rows = members.iter().zip(ids);
    let mut text = CopyText::default();
    for (m, id) in rows.clone() {
        for l in &m.ledger.lots {
            text.int(*id)
                .int(l.id)
                .int(l.amount)
                .int(us(l.available_at))
                .opt_int(l.expires_at.map(us))
                .opt_str(l.order_id.as_deref())
                .int(us(l.created_at))
                .end();
        }
    }
    copy(
        conn,
        "COPY lots (member_id, lot_no, amount, available_at, expires_at, order_id, created_at) \
         FROM STDIN",
        &mut text,
    )
    .await?;
    for (m, id) in rows.clone() {
        for e in &m.ledger.entries {
            text.int(*id)
                .int(e.seq)
                .str(e.kind.as_str())
                .int(e.points)
                .opt_int(e.lot)
                .opt_str(e.hold.as_deref())
                .opt_str(e.order_id.as_deref())
                .str(e.cause.kind.as_str())
                .str(&e.cause.id)
                .opt_str(e.reason.as_deref())
                .int(us(e.effective_at))
                .int(us(e.effective_at))
                .end();
        }
    }
    copy(
        conn,
        "COPY entries (member_id, seq, kind, points, lot_no, hold_id, order_id, cause_kind, \
         cause_id, reason, effective_at, recorded_at) FROM STDIN",
        &mut text,
    )
    .await?;
    for (m, id) in rows.clone() {
        for o in &m.orders {
            text.str(program_id)
                .str(&o.order_id)
                .int(*id)
                .opt_str(o.guest_ref.as_deref())
                .int(o.amount)
                .int(o.refunded)
                .int(o.points_per_yuan)
                .opt_int(o.points)
                .int(us(o.occurred_at))
                .end();
        }
    }
    copy(
        conn,
        "COPY orders (program_id, order_id, member_id, guest_ref, amount, refunded, \
         points_per_yuan, points, occurred_at) FROM STDIN",
        &mut text,
    )
    .await?;
    for (m, id) in rows {
        for e in &m.events {
            text.str(program_id)
                .str(&e.id)
                .int(*id)
                .str(&e.kind)
                .int(us(e.occurred_at))
                .opt_str(e.site.as_deref())
                .str(&e.attributes.to_string())
                .int(us(e.recorded_at))
                .end();
        }
    }
    copy(
        conn,
        "COPY events (program_id, id, member_id, type, occurred_at, site, attributes, \
         recorded_at) FROM STDIN",
        &mut text,
    )
    .await
}

/// Sends what `text` holds through one `COPY` statement, and empties it for the next table.
async fn copy(conn: &mut sqlx::PgConnection, statement: &str, text: &mut CopyText) -> Result<()> {
    let mut stream = conn.copy_in_raw(statement).await?;
    for chunk in text.buf.chunks(1 << 20) {
        stream.send(chunk).await?;
    }
    stream.finish().await?;
    // Every row ended with `end`, so the next table starts on a fresh row.
    text.buf.clear();
    Ok(())
}

/// Rows in PostgreSQL's `COPY` text format: fields separated by tabs, rows by newlines, `\N`
/// for NULL, and backslash escapes for the characters that would be read as either.
struct CopyText {
    buf: Vec<u8>,
    /// No field yet on the current row.
    first: bool,
}

impl Default for CopyText {
    fn default() -> Self {
        Self {
            buf: Vec::with_capacity(1 << 20),
            first: true,
        }
    }
}

impl CopyText {
    fn sep(&mut self) {
        if !self.first {
            self.buf.push(b'\t');
        }
        self.first = false;
    }

    fn int(&mut self, v: i64) -> &mut Self {
        use std::io::Write;
        self.sep();
        let _ = write!(self.buf, "{v}");
        self
    }

    fn opt_int(&mut self, v: Option<i64>) -> &mut Self {
        match v {
            Some(v) => self.int(v),
            None => self.null(),
        }
    }

    fn null(&mut self) -> &mut Self {
        self.sep();
        self.buf.extend_from_slice(b"\\N");
        self
    }

    fn str(&mut self, v: &str) -> &mut Self {
        self.sep();
        for &b in v.as_bytes() {
            match b {
                b'\\' => self.buf.extend_from_slice(b"\\\\"),
                b'\t' => self.buf.extend_from_slice(b"\\t"),
                b'\n' => self.buf.extend_from_slice(b"\\n"),
                b'\r' => self.buf.extend_from_slice(b"\\r"),
                _ => self.buf.push(b),
            }
        }
        self
    }

    fn opt_str(&mut self, v: Option<&str>) -> &mut Self {
        match v {
            Some(v) => self.str(v),
            None => self.null(),
        }
    }

    fn end(&mut self) {
        self.buf.push(b'\n');
        self.first = true;
    }
}

#[cfg(test)]
mod tests {
    use super::CopyText;

    #[test]
    fn copy_text_escapes_what_copy_would_read_as_structure() {
        let mut t = CopyText::default();
        t.int(-7).str("a\tb\\c\nd\re").null().opt_str(None).end();
        t.opt_int(Some(1)).str("").end();
        assert_eq!(
            String::from_utf8(t.buf).unwrap(),
            "-7\ta\\tb\\\\c\\nd\\re\t\\N\t\\N\n1\t\n"
        );
    }
}

media_impl!(PgStore);
badges_impl!(PgStore, PgWriteTx, sqlx::Postgres);
crate::reminders::reminders_impl!(
    PgStore,
    PgWriteTx,
    sqlx::Postgres,
    lock = "SELECT pg_advisory_xact_lock(hashtext('reminders:' || $1))"
);
crate::segments::segments_impl!(
    PgStore,
    PgWriteTx,
    sqlx::Postgres,
    for_update = " FOR UPDATE"
);
crate::challenges::challenges_impl!(PgStore, PgWriteTx, sqlx::Postgres);
portal_impl!(PgStore);
console_impl!(PgStore, sqlx::Postgres);
crate::rollups::rollups_impl!(
    PgStore,
    Postgres,
    for_update = " FOR UPDATE",
    skip_locked = " FOR UPDATE SKIP LOCKED"
);
webhooks_impl!(
    PgStore,
    PgWriteTx,
    sqlx::Postgres,
    skip_locked = " FOR UPDATE OF d SKIP LOCKED",
    claim_plan = Some(
        "SELECT set_config('enable_bitmapscan', 'off', true), \
         set_config('enable_sort', 'off', true)"
    )
);
