//! The PostgreSQL backend, for brands that outgrow one machine.
//!
//! A write locks the rows it decides on (`SELECT … FOR UPDATE` on the member, the order),
//! so concurrent writes to one member are serialized by the database while writes to different
//! members run in parallel, on one node or many.

use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};

use crate::backend::store_impl;
use crate::rewards::rewards_impl;
use crate::rules::rules_impl;
use crate::tiers::tiers_impl;
use crate::{ConnectOptions, Result};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// The PostgreSQL store.
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects to the database a `postgres://` URL names.
    pub async fn connect(url: &str, options: &ConnectOptions) -> Result<Self> {
        let connect: PgConnectOptions = url.parse()?;
        let pool = PgPoolOptions::new()
            .max_connections(options.max_connections.max(2))
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(connect)
            .await?;
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

rewards_impl!(
    PgStore,
    PgWriteTx,
    sqlx::Postgres,
    for_update = " FOR UPDATE"
);
