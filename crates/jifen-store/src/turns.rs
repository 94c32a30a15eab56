//! Turns at the one SQLite writer, taken round robin across programs.
//!
//! Writers of one program wait in that program's queue; when the writer is let go, the next
//! turn goes to the next program in line that has someone waiting, and that program goes to
//! the back of the line. The program that just wrote never goes first while another waits.
//! However many writes one program queues, a write of another program waits for at most one
//! write of each program ahead of it, not for the whole queue. Writes made
//! for no program in particular (jobs, redemptions, settings) queue together under one name.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use crate::{Result, StoreError};

#[derive(Default)]
pub(crate) struct Turns {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Someone holds the writer.
    held: bool,
    /// The program whose writer holds (or last held) the writer.
    holder: String,
    /// Programs with writers waiting, in the order their turns come.
    line: VecDeque<String>,
    /// Each waiting program's writers, first come first.
    waiting: HashMap<String, VecDeque<oneshot::Sender<()>>>,
}

/// A writer's turn; the next one is given when it is dropped.
pub(crate) struct Turn {
    turns: Arc<Turns>,
}

impl Drop for Turn {
    fn drop(&mut self) {
        self.turns.pass();
    }
}

impl Turns {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for `program`'s next turn.
    pub(crate) async fn take(self: &Arc<Self>, program: &str) -> Result<Turn> {
        let rx = {
            let mut s = self.lock();
            if !s.held && s.line.is_empty() {
                s.held = true;
                program.clone_into(&mut s.holder);
                return Ok(Turn {
                    turns: self.clone(),
                });
            }
            let (tx, rx) = oneshot::channel();
            let queue = s.waiting.entry(program.to_owned()).or_default();
            let first = queue.is_empty();
            queue.push_back(tx);
            if first {
                s.line.push_back(program.to_owned());
            }
            rx
        };
        let mut waiter = Waiter {
            rx,
            turns: self.clone(),
            done: false,
        };
        let given = (&mut waiter.rx).await;
        waiter.done = true;
        match given {
            Ok(()) => Ok(Turn {
                turns: self.clone(),
            }),
            Err(_) => Err(StoreError::Corrupt("a writer's turn was lost".into())),
        }
    }

    /// Gives the writer to the next program in line, or marks it free.
    fn pass(&self) {
        let mut s = self.lock();
        if s.line.len() > 1 && s.line.front() == Some(&s.holder) {
            // The program that just wrote goes behind the others waiting.
            s.line.rotate_left(1);
        }
        while let Some(program) = s.line.pop_front() {
            let mut given = false;
            let mut more = false;
            if let Some(queue) = s.waiting.get_mut(&program) {
                while let Some(tx) = queue.pop_front() {
                    // A writer that stopped waiting has closed its end: skip it.
                    if tx.send(()).is_ok() {
                        given = true;
                        break;
                    }
                }
                more = !queue.is_empty();
            }
            if more {
                s.line.push_back(program.clone());
            } else {
                s.waiting.remove(&program);
            }
            if given {
                s.holder = program;
                return;
            }
        }
        s.held = false;
    }
}

/// A writer waiting for its turn; if it stops waiting after its turn was given, it passes the
/// turn on.
struct Waiter {
    rx: oneshot::Receiver<()>,
    turns: Arc<Turns>,
    done: bool,
}

impl Drop for Waiter {
    fn drop(&mut self) {
        if !self.done {
            self.rx.close();
            if self.rx.try_recv().is_ok() {
                self.turns.pass();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Program a writes and queues many more writes before b queues one: b's write goes next,
    /// not last.
    #[tokio::test]
    async fn programs_take_turns() {
        let turns = Arc::new(Turns::default());
        let first = turns.take("a").await.expect("free");
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for (i, program) in ["a", "a", "a", "a", "b"].into_iter().enumerate() {
            let (turns, order) = (turns.clone(), order.clone());
            tasks.push(tokio::spawn(async move {
                let turn = turns.take(program).await.expect("turn");
                order.lock().unwrap().push(format!("{program}{i}"));
                drop(turn);
            }));
            // Queue in this order.
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        drop(first);
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(*order.lock().unwrap(), ["b4", "a0", "a1", "a2", "a3"]);
    }

    /// A writer that gives up after its turn was given (but before it saw it) passes the turn
    /// on; one that gives up before is skipped.
    #[tokio::test]
    async fn a_writer_that_gives_up_passes_its_turn() {
        let turns = Arc::new(Turns::default());
        let first = turns.take("a").await.expect("free");
        let mut given_up = Box::pin(turns.take("b"));
        let short = Duration::from_millis(5);
        assert!(tokio::time::timeout(short, &mut given_up).await.is_err());
        let mut skipped = Box::pin(turns.take("c"));
        assert!(tokio::time::timeout(short, &mut skipped).await.is_err());
        drop(skipped);
        let waits = {
            let turns = turns.clone();
            tokio::spawn(async move { turns.take("d").await.map(drop) })
        };
        tokio::time::sleep(short).await;
        // The turn goes to b, which is no longer listening when it is dropped.
        drop(first);
        drop(given_up);
        tokio::time::timeout(Duration::from_secs(5), waits)
            .await
            .expect("d gets its turn")
            .unwrap()
            .expect("turn");
        tokio::time::timeout(Duration::from_secs(5), turns.take("a"))
            .await
            .expect("the writer is free again")
            .expect("turn");
    }
}
