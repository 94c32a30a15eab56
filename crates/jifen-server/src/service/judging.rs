//! Rules are judged outside the writer's critical section.
//!
//! A batch of events is decided inside its write transaction, against the state it locked (the
//! members, their orders, the rules' counters). On SQLite every write of every program shares
//! one writer, so whatever runs inside that transaction runs while every other program waits;
//! on both backends it runs on the server's few async worker threads. The slow part of deciding
//! is evaluating the rules' CEL (conditions and meter keys), and that part is pure: the same rule
//! version given the same facts always gives the same outcome.
//!
//! So a batch is recorded in rounds. In a round, the transaction decides as before, but a
//! condition it has not seen evaluated for the event's facts is evaluated in place only while
//! the round's small budget of evaluation time lasts ([`IN_PLACE_BUDGET`]), and never for a
//! rule version known to be slow ([`SLOW_EVALUATION`]). Past that, the round only notes what it
//! still needs, carries on with a guess to note the rest, and rolls back. The noted conditions
//! are then evaluated outside any transaction, on the blocking pool, with at most
//! [`Judges::per_program`] threads per program; the next round finds their outcomes for the same
//! facts and decides exactly, with nothing slow inside the writer.
//!
//! Exactness never rests on the outcomes being current: an outcome is used only for the very
//! facts it was evaluated against (the event, the member's tags, streaks, meters and tier, and
//! the instant), and the counters, limits, books and orders are read and locked by the round
//! that writes. A round whose facts differ (another write changed the member between rounds)
//! misses and notes again; after [`MAX_DEFERRED_ROUNDS`] the last round evaluates in place,
//! so a batch always finishes.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::Semaphore;

use jifen_core::Timestamp;
use jifen_core::rules::{Conditions, Facts, Outcome, Rule, Slot, Truth};

use crate::error::ApiError;

/// Evaluation time one round may spend in place, inside its transaction.
pub const IN_PLACE_BUDGET: Duration = Duration::from_millis(5);
/// A rule version one evaluation of which took longer is evaluated only outside transactions
/// from then on (in this process).
pub const SLOW_EVALUATION: Duration = Duration::from_millis(1);
/// Rounds that defer before the last one, which evaluates whatever it still misses in place.
pub const MAX_DEFERRED_ROUNDS: usize = 3;

/// Batches of at least this many events are decided off the async workers.
pub const DECIDED_OFF_THE_WORKERS: usize = 64;

/// Runs `decide` (a batch of `events` decided in memory) where it holds up no other request: for a
/// large batch on a multi-threaded runtime, the worker it runs on hands its other tasks to
/// another thread first (`block_in_place`).
pub fn off_the_workers<T>(events: usize, decide: impl FnOnce() -> T) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    let multi =
        Handle::try_current().is_ok_and(|h| h.runtime_flavor() == RuntimeFlavor::MultiThread);
    if events >= DECIDED_OFF_THE_WORKERS && multi {
        tokio::task::block_in_place(decide)
    } else {
        decide()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Process-wide: the threads each program may judge on, and the rule versions known to be slow.
pub struct Judges {
    per_program: usize,
    permits: Mutex<HashMap<String, Arc<Semaphore>>>,
    slow: Mutex<HashSet<(String, String, i64)>>,
}

impl Default for Judges {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Judges {
            per_program: Judges::per_program(cores),
            permits: Mutex::default(),
            slow: Mutex::default(),
        }
    }
}

impl Judges {
    /// Threads one program may evaluate conditions on at once: all the cores but one, so that
    /// a program flooding slow rules leaves a core to everyone else.
    pub fn per_program(cores: usize) -> usize {
        cores.saturating_sub(1).max(1)
    }

    fn semaphore(&self, program_id: &str) -> Arc<Semaphore> {
        lock(&self.permits)
            .entry(program_id.to_owned())
            .or_insert_with(|| Arc::new(Semaphore::new(self.per_program)))
            .clone()
    }

    fn is_slow(&self, program_id: &str, rule: &Rule) -> bool {
        lock(&self.slow).contains(&(program_id.to_owned(), rule.id.clone(), rule.version))
    }

    fn mark_slow(&self, program_id: &str, rule: &Rule) {
        let mut slow = lock(&self.slow);
        // Bounded: a process that has seen this many slow versions stops remembering more
        // (they are then caught by the round's budget instead).
        if slow.len() < 100_000 {
            slow.insert((program_id.to_owned(), rule.id.clone(), rule.version));
        }
    }
}

/// The outcomes evaluated for one event, and the facts they hold for.
struct EventMemo {
    facts: Arc<str>,
    /// By rule (its address: the memo holds the rule, so the address is not reused while the
    /// outcome is kept) and slot.
    outcomes: HashMap<(usize, Slot), (Arc<Rule>, Outcome)>,
}

fn key(rule: &Arc<Rule>, slot: Slot) -> (usize, Slot) {
    (Arc::as_ptr(rule) as usize, slot)
}

/// One batch's judging, across its rounds.
pub struct Judging {
    judges: Arc<Judges>,
    program_id: String,
    memo: Mutex<HashMap<String, EventMemo>>,
}

/// Conditions a round could not evaluate in place, for one event.
pub struct Deferred {
    event_id: String,
    facts: Arc<str>,
    event: Arc<Value>,
    member: Arc<Value>,
    now: Timestamp,
    wanted: Vec<(Arc<Rule>, Slot)>,
}

impl Judging {
    pub fn new(judges: Arc<Judges>, program_id: &str) -> Arc<Judging> {
        Arc::new(Judging {
            judges,
            program_id: program_id.to_owned(),
            memo: Mutex::default(),
        })
    }

    /// Evaluates what a round deferred, outside any transaction, on at most
    /// [`Judges::per_program`] threads of this program.
    pub async fn evaluate(&self, program: Arc<Value>, work: Vec<Deferred>) -> Result<(), ApiError> {
        let semaphore = self.judges.semaphore(&self.program_id);
        let _permit = semaphore.acquire().await.map_err(|_| ApiError::Internal)?;
        let done = tokio::task::spawn_blocking(move || {
            work.into_iter()
                .map(|d| {
                    let facts = Facts::new(&d.event, &d.member, &program, d.now);
                    let outcomes: Vec<_> = d
                        .wanted
                        .iter()
                        .map(|(rule, slot)| {
                            let outcome = rule.evaluate(*slot, &facts);
                            (key(rule, *slot), (rule.clone(), outcome))
                        })
                        .collect();
                    (d.event_id, d.facts, outcomes)
                })
                .collect::<Vec<_>>()
        })
        .await
        .map_err(|_| ApiError::Internal)?;
        let mut memo = lock(&self.memo);
        for (event_id, facts, outcomes) in done {
            let entry = memo.entry(event_id).or_insert_with(|| EventMemo {
                facts: facts.clone(),
                outcomes: HashMap::new(),
            });
            if entry.facts != facts {
                *entry = EventMemo {
                    facts,
                    outcomes: HashMap::new(),
                };
            }
            entry.outcomes.extend(outcomes);
        }
        Ok(())
    }
}

/// The event being judged: its facts as JSON (what outcomes are remembered against).
struct Current {
    event_id: String,
    facts: Arc<str>,
    event: Arc<Value>,
    member: Arc<Value>,
    now: Timestamp,
    deferred: Option<usize>,
}

/// Where one round (or a simulation) takes conditions' outcomes from.
pub struct Oracle {
    judging: Option<Arc<Judging>>,
    /// Whether misses past the budget are deferred (else evaluated in place).
    defer: bool,
    budget: Duration,
    current: Option<Current>,
    deferred: Vec<Deferred>,
}

impl Oracle {
    /// Evaluates everything in place (simulations, backtests: they write nothing).
    pub fn in_place() -> Oracle {
        Oracle {
            judging: None,
            defer: false,
            budget: Duration::ZERO,
            current: None,
            deferred: Vec::new(),
        }
    }

    /// A round of `judging`: deferring past its budget, or (the last round) evaluating in place.
    pub fn round(judging: Arc<Judging>, defer: bool) -> Oracle {
        Oracle {
            judging: Some(judging),
            defer,
            budget: IN_PLACE_BUDGET,
            current: None,
            deferred: Vec::new(),
        }
    }

    /// Whether outcomes are remembered (and so facts must be noted with [`Oracle::begin`]).
    pub fn remembers(&self) -> bool {
        self.judging.is_some()
    }

    /// The event about to be judged, with the facts its conditions read.
    pub fn begin(&mut self, event_id: &str, event: Value, member: Value, now: Timestamp) {
        if self.judging.is_none() {
            return;
        }
        let facts: Arc<str> = format!("{event}\n{member}\n{}", now.to_rfc3339()).into();
        self.current = Some(Current {
            event_id: event_id.to_owned(),
            facts,
            event: Arc::new(event),
            member: Arc::new(member),
            now,
            deferred: None,
        });
    }

    /// What the round could not evaluate: when not empty, the round must not be written.
    pub fn take_deferred(&mut self) -> Vec<Deferred> {
        std::mem::take(&mut self.deferred)
    }

    fn remembered(&self, judging: &Judging, rule: &Arc<Rule>, slot: Slot) -> Option<Outcome> {
        let current = self.current.as_ref()?;
        let memo = lock(&judging.memo);
        let entry = memo.get(&current.event_id)?;
        if entry.facts != current.facts {
            return None;
        }
        entry
            .outcomes
            .get(&key(rule, slot))
            .map(|(_, outcome)| outcome.clone())
    }

    fn remember(&self, judging: &Judging, rule: &Arc<Rule>, slot: Slot, outcome: &Outcome) {
        let Some(current) = self.current.as_ref() else {
            return;
        };
        let mut memo = lock(&judging.memo);
        let entry = memo
            .entry(current.event_id.clone())
            .or_insert_with(|| EventMemo {
                facts: current.facts.clone(),
                outcomes: HashMap::new(),
            });
        if entry.facts != current.facts {
            *entry = EventMemo {
                facts: current.facts.clone(),
                outcomes: HashMap::new(),
            };
        }
        entry
            .outcomes
            .insert(key(rule, slot), (rule.clone(), outcome.clone()));
    }

    fn defer_one(&mut self, rule: &Arc<Rule>, slot: Slot) -> Outcome {
        if let Some(current) = self.current.as_mut() {
            let i = *current.deferred.get_or_insert_with(|| {
                self.deferred.push(Deferred {
                    event_id: current.event_id.clone(),
                    facts: current.facts.clone(),
                    event: current.event.clone(),
                    member: current.member.clone(),
                    now: current.now,
                    wanted: Vec::new(),
                });
                self.deferred.len() - 1
            });
            self.deferred[i].wanted.push((rule.clone(), slot));
        }
        // A guess, so that the round goes on to note what later events need; a round that
        // deferred anything is rolled back, so no guess is ever written.
        match slot {
            Slot::Condition => Outcome::Truth(Truth::False),
            Slot::Key(_) => Outcome::Keys(Err("deferred".into())),
        }
    }
}

impl Conditions for Oracle {
    fn outcome(&mut self, rule: &Arc<Rule>, slot: Slot, facts: &Facts) -> Outcome {
        let Some(judging) = self.judging.clone() else {
            return rule.evaluate(slot, facts);
        };
        if let Some(known) = self.remembered(&judging, rule, slot) {
            return known;
        }
        if self.current.is_none() {
            return rule.evaluate(slot, facts);
        }
        let here = !self.defer
            || (!self.budget.is_zero() && !judging.judges.is_slow(&judging.program_id, rule));
        if !here {
            return self.defer_one(rule, slot);
        }
        let started = Instant::now();
        let outcome = rule.evaluate(slot, facts);
        let took = started.elapsed();
        self.budget = self.budget.saturating_sub(took);
        if took > SLOW_EVALUATION {
            judging.judges.mark_slow(&judging.program_id, rule);
        }
        self.remember(&judging, rule, slot, &outcome);
        outcome
    }
}
