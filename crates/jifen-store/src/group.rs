//! Group commit for SQLite: concurrent writers share one transaction, each in a savepoint of its
//! own, and one COMMIT (one fsync) makes a whole group durable.
//!
//! A writer takes the group's lock, runs its statements inside `SAVEPOINT lease`, releases the
//! savepoint and the lock, and then waits for the COMMIT of its group before it answers: nothing
//! is acknowledged before it is on disk. A writer that gives up (an error, a refused request)
//! leaves its savepoint to be rolled back by whoever takes the lock next; its statements never
//! reach a commit. A committer task commits whenever finished writers are waiting; writers that
//! queue during that fsync form the next group, so the group grows with the load.

use std::collections::BTreeMap;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex};

use sqlx::{Sqlite, SqliteConnection, SqlitePool, Transaction};
use tokio::sync::{Notify, OwnedMutexGuard, watch};

use crate::turns::{Turn, Turns};
use crate::{Result, StoreError};

/// The shared transaction and its bookkeeping, behind the group lock.
pub(crate) struct Group {
    tx: Option<Transaction<'static, Sqlite>>,
    /// A writer left with its savepoint open; roll it back before anything else runs.
    dirty: bool,
    /// Finished writers whose statements are in `tx`, waiting for its commit.
    pending: usize,
    /// The number of the group `tx` belongs to.
    generation: u64,
}

/// Group commit over the one writer connection.
pub(crate) struct GroupCommit {
    pool: SqlitePool,
    group: Arc<tokio::sync::Mutex<Group>>,
    wake: Arc<Notify>,
    /// The newest generation whose outcome is known.
    finished: watch::Sender<u64>,
    /// Outcome of recent generations: true when committed.
    outcomes: Mutex<BTreeMap<u64, bool>>,
    /// Whose turn it is to write, round robin across programs.
    turns: Arc<Turns>,
}

/// Outcomes kept for writers that have not looked yet.
const OUTCOMES_KEPT: usize = 4_096;

impl GroupCommit {
    /// Starts the committer task.
    pub(crate) fn start(pool: SqlitePool) -> Arc<GroupCommit> {
        let (finished, _) = watch::channel(0);
        let gc = Arc::new(GroupCommit {
            pool,
            group: Arc::new(tokio::sync::Mutex::new(Group {
                tx: None,
                dirty: false,
                pending: 0,
                generation: 1,
            })),
            wake: Arc::new(Notify::new()),
            finished,
            outcomes: Mutex::new(BTreeMap::new()),
            turns: Arc::default(),
        });
        // The task holds a weak handle, so dropping the store ends it (Drop wakes it).
        let weak = Arc::downgrade(&gc);
        let wake = gc.wake.clone();
        tokio::spawn(async move {
            loop {
                wake.notified().await;
                let Some(gc) = weak.upgrade() else { return };
                gc.commit_group().await;
            }
        });
        gc
    }

    /// Begins a writer's share of the current group, when `program`'s turn comes (writers of
    /// different programs take turns; "" for writes on behalf of no program in particular).
    pub(crate) async fn lease(self: &Arc<Self>, program: &str) -> Result<Lease> {
        let turn = self.turns.take(program).await?;
        let mut guard = self.group.clone().lock_owned().await;
        self.clean(&mut guard).await;
        if guard.tx.is_none() {
            guard.tx = Some(self.pool.begin_with("BEGIN IMMEDIATE").await?);
        }
        let tx = guard
            .tx
            .as_mut()
            .ok_or_else(|| StoreError::Corrupt("no group".into()))?;
        if let Err(e) = sqlx::query("SAVEPOINT lease").execute(&mut **tx).await {
            self.abandon(&mut guard);
            return Err(e.into());
        }
        Ok(Lease {
            guard: Some(guard),
            turn: Some(turn),
            gc: self.clone(),
        })
    }

    /// Rolls back a savepoint a writer left open; abandons the group if that fails.
    async fn clean(&self, g: &mut Group) {
        if !g.dirty {
            return;
        }
        g.dirty = false;
        let Some(tx) = g.tx.as_mut() else { return };
        let undone = sqlx::query("ROLLBACK TO SAVEPOINT lease")
            .execute(&mut **tx)
            .await
            .and(
                sqlx::query("RELEASE SAVEPOINT lease")
                    .execute(&mut **tx)
                    .await,
            );
        if let Err(e) = undone {
            tracing::error!(error = %e, "cannot roll back a savepoint; abandoning the group");
            self.abandon(g);
        }
    }

    /// Rolls the whole group back: its waiting writers learn it failed and try again.
    fn abandon(&self, g: &mut Group) {
        g.tx = None;
        let generation = g.generation;
        g.generation += 1;
        g.pending = 0;
        self.publish(generation, false);
    }

    fn publish(&self, generation: u64, committed: bool) {
        {
            let mut outcomes = self.outcomes.lock().unwrap_or_else(|e| e.into_inner());
            outcomes.insert(generation, committed);
            while outcomes.len() > OUTCOMES_KEPT {
                outcomes.pop_first();
            }
        }
        self.finished.send_modify(|f| *f = (*f).max(generation));
    }

    /// Commits the open group if writers wait for it; closes an idle one.
    async fn commit_group(&self) {
        let mut g = self.group.lock().await;
        self.clean(&mut g).await;
        if g.pending == 0 {
            // Nothing to keep: let go of the write lock for other processes.
            g.tx = None;
            return;
        }
        let Some(tx) = g.tx.take() else { return };
        let generation = g.generation;
        g.generation += 1;
        g.pending = 0;
        let result = tx.commit().await;
        drop(g);
        if let Err(e) = &result {
            tracing::error!(error = %e, "group commit failed");
        }
        self.publish(generation, result.is_ok());
    }

    /// Waits until `generation` is committed (or fails).
    async fn wait(&self, generation: u64) -> Result<()> {
        let mut rx = self.finished.subscribe();
        rx.wait_for(|f| *f >= generation)
            .await
            .map_err(|_| StoreError::Corrupt("group committer stopped".into()))?;
        let committed = self
            .outcomes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&generation)
            .copied()
            .unwrap_or(false);
        if committed {
            Ok(())
        } else {
            Err(StoreError::Database(sqlx::Error::Protocol(
                "the group this write belonged to did not commit".into(),
            )))
        }
    }
}

impl Drop for GroupCommit {
    fn drop(&mut self) {
        self.wake.notify_one();
    }
}

/// One writer's share of a group: a savepoint in the shared transaction.
pub struct Lease {
    guard: Option<OwnedMutexGuard<Group>>,
    /// Given to the next writer as soon as this one's statements are done.
    turn: Option<Turn>,
    gc: Arc<GroupCommit>,
}

impl Lease {
    /// Keeps this writer's statements and waits until their group is on disk.
    pub async fn commit(mut self) -> Result<()> {
        let Some(mut g) = self.guard.take() else {
            return Err(StoreError::Corrupt("lease used twice".into()));
        };
        let released = match g.tx.as_mut() {
            Some(tx) => {
                sqlx::query("RELEASE SAVEPOINT lease")
                    .execute(&mut **tx)
                    .await
            }
            None => Err(sqlx::Error::PoolClosed),
        };
        if let Err(e) = released {
            g.dirty = true;
            drop(g);
            self.turn.take();
            self.gc.wake.notify_one();
            return Err(e.into());
        }
        g.pending += 1;
        let generation = g.generation;
        drop(g);
        self.turn.take();
        self.gc.wake.notify_one();
        self.gc.wait(generation).await
    }
}

impl Deref for Lease {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        // A lease holds the group lock, and the group has a transaction while a lease lives.
        self.guard
            .as_ref()
            .and_then(|g| g.tx.as_deref())
            .expect("a lease has an open transaction")
    }
}

impl DerefMut for Lease {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        self.guard
            .as_mut()
            .and_then(|g| g.tx.as_deref_mut())
            .expect("a lease has an open transaction")
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let Some(mut g) = self.guard.take() {
            // Given up without commit: the next holder of the lock rolls the savepoint back.
            g.dirty = true;
            drop(g);
            self.gc.wake.notify_one();
        }
    }
}
