//! Single events sent concurrently are recorded together: each request queues its event for its
//! program, and whoever finds fewer than two batches under way records everything queued in one batch (one
//! transaction, a few multi-row statements), then what queued meanwhile, until the queue is
//! empty. Under light load a batch holds one event and nothing waits; under heavy load a request
//! shares its statements and its commit with the others that queued behind the writer.
//!
//! A coalesced batch answers exactly as if its events had been sent one after another: each
//! event is decided on its own, a refused one writes nothing, and a repeated id finds the first
//! answer. A batch runs in a task of its own, so a client that hangs up does not cut it short.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use jifen_store::Program;

use super::events::{EventOutcome, ParsedEvent, record};
use crate::app::AppState;
use crate::error::ApiError;

/// The most events one coalesced batch takes (the size of a client batch).
const MAX_COALESCED: usize = 1_000;
/// Batches of one program under way at once: while one waits for its commit, the next one's
/// statements run (on SQLite they join the next group commit).
const IN_FLIGHT: usize = 2;

type Waiter = (ParsedEvent, oneshot::Sender<EventOutcome>);

/// Events waiting for a batch, per program.
#[derive(Default)]
pub struct Coalescer {
    queues: Mutex<HashMap<String, Queue>>,
}

#[derive(Default)]
struct Queue {
    waiting: Vec<Waiter>,
    /// Tasks recording this program's events.
    running: usize,
}

impl Coalescer {
    /// Records one event, in a batch with the others sent at the same time.
    pub async fn record_one(
        state: &AppState,
        program: &Program,
        event: ParsedEvent,
    ) -> EventOutcome {
        let (tx, rx) = oneshot::channel();
        let lead = {
            let mut queues = state.coalescer.lock();
            let queue = queues.entry(program.id.clone()).or_default();
            queue.waiting.push((event, tx));
            let lead = queue.running < IN_FLIGHT;
            queue.running += usize::from(lead);
            lead
        };
        if lead {
            tokio::spawn(drain(state.clone(), Arc::new(program.clone())));
        }
        rx.await.unwrap_or(Err(ApiError::Internal))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Queue>> {
        self.queues.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The next events of a program, or `None` (and the task counted out) when none wait.
    fn take(&self, program_id: &str) -> Option<Vec<Waiter>> {
        let mut queues = self.lock();
        let queue = queues.get_mut(program_id)?;
        if queue.waiting.is_empty() {
            queue.running -= 1;
            if queue.running == 0 {
                queues.remove(program_id);
            }
            return None;
        }
        let n = queue.waiting.len().min(MAX_COALESCED);
        Some(queue.waiting.drain(..n).collect())
    }
}

/// Records a program's queued events, batch after batch, until none wait.
async fn drain(state: AppState, program: Arc<Program>) {
    while let Some(batch) = state.coalescer.take(&program.id) {
        let (events, waiters): (Vec<ParsedEvent>, Vec<_>) = batch.into_iter().unzip();
        metrics::histogram!("jifen_events_coalesced").record(events.len() as f64);
        match record(&state, &program, &events).await {
            Ok(outcomes) => {
                for (waiter, outcome) in waiters.into_iter().zip(outcomes) {
                    let _ = waiter.send(outcome);
                }
            }
            Err(e) => {
                for waiter in waiters {
                    let _ = waiter.send(Err(e.clone()));
                }
            }
        }
    }
}
