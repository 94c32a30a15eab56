//! Background work. Jobs only write down what the ledger already implies (hold deadlines passed,
//! points expired), so running one twice, or on two nodes at once, changes nothing.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use crate::app::AppState;
use crate::service::ledger::materialize;

/// Members fetched per pass.
const BATCH: u32 = 4_000;
/// Members of one program materialized in one transaction.
const CHUNK: usize = 200;
/// Transactions under way at once: one's statements run while another waits for its commit
/// (a group commit on SQLite, another connection on PostgreSQL).
const PARALLEL: usize = 2;

/// Records what time alone implied since the last pass, for every member it is due for.
/// Returns the entries written.
pub async fn maintain_ledgers(state: &AppState) -> Result<usize, crate::error::ApiError> {
    let mut written = 0;
    loop {
        let due = state
            .store
            .members_to_maintain(state.clock.now(), BATCH)
            .await?;
        let listed = due.len();
        let mut by_program: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (program_id, external_id) in due {
            by_program.entry(program_id).or_default().push(external_id);
        }
        let mut tasks = tokio::task::JoinSet::new();
        let mut results = Vec::new();
        for (program_id, members) in by_program {
            let program_id = Arc::new(program_id);
            for chunk in members.chunks(CHUNK) {
                if tasks.len() >= PARALLEL
                    && let Some(done) = tasks.join_next().await
                {
                    results.push(done);
                }
                let (state, program_id, chunk) =
                    (state.clone(), program_id.clone(), chunk.to_vec());
                tasks.spawn(async move {
                    let ids: Vec<&str> = chunk.iter().map(String::as_str).collect();
                    materialize(&state, &program_id, &ids).await
                });
            }
        }
        results.extend(tasks.join_all().await.into_iter().map(Ok));
        for r in results {
            written += r.map_err(|e| {
                tracing::error!(error = %e, "maintenance task failed");
                crate::error::ApiError::Internal
            })??;
        }
        if listed < BATCH as usize {
            return Ok(written);
        }
    }
}

/// Runs [`maintain_ledgers`] every `interval` until the process stops.
pub fn spawn(state: AppState, interval: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match maintain_ledgers(&state).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(entries = n, "ledger maintenance recorded entries"),
                Err(e) => tracing::warn!(error = %e, "ledger maintenance failed; will retry"),
            }
        }
    })
}
