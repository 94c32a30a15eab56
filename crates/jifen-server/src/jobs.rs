//! Background work. Jobs only write down what the ledger already implies (hold deadlines passed,
//! points expired), so running one twice, or on two nodes at once, changes nothing.

use std::time::Duration;

use crate::app::AppState;
use crate::service::ledger::materialize;

/// Members handled per pass.
const BATCH: u32 = 500;

/// Records what time alone implied since the last pass. Returns the entries written.
pub async fn maintain_ledgers(state: &AppState) -> Result<usize, crate::error::ApiError> {
    let mut written = 0;
    loop {
        let due = state
            .store
            .members_to_maintain(state.clock.now(), BATCH)
            .await?;
        let mut progress = 0;
        for (program_id, external_id) in &due {
            progress += materialize(state, program_id, external_id).await?;
        }
        written += progress;
        if due.len() < BATCH as usize || progress == 0 {
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
