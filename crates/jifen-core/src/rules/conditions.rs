//! Where a rule's CEL is evaluated while an event is judged.
//!
//! A condition (and a meter key) is a pure function of the rule version and the facts: the same
//! version given the same facts always gives the same outcome. That lets a caller evaluate
//! conditions wherever it suits it — ahead of time, on another thread, outside a critical
//! section — and hand the outcomes back when the event is judged for real, with the limits and
//! counters as they stand then. [`Evaluate`] evaluates in place.

use std::sync::Arc;

use super::expr::{Facts, Truth};
use super::set::Rule;

/// Which of a rule's expressions: its condition, or the key of the effect at an index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Slot {
    Condition,
    Key(usize),
}

/// What an expression gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Truth(Truth),
    Keys(Result<Vec<String>, String>),
}

/// The source of conditions' outcomes while events are judged.
pub trait Conditions {
    /// The outcome of `slot` of `rule` against `facts` (the slot exists: the rule has a
    /// condition, or a key at that effect).
    fn outcome(&mut self, rule: &Arc<Rule>, slot: Slot, facts: &Facts) -> Outcome;
}

/// Evaluates every expression in place.
pub struct Evaluate;

impl Conditions for Evaluate {
    fn outcome(&mut self, rule: &Arc<Rule>, slot: Slot, facts: &Facts) -> Outcome {
        rule.evaluate(slot, facts)
    }
}

impl Rule {
    /// Evaluates one of the rule's expressions; a slot the rule lacks gives an error outcome.
    pub fn evaluate(&self, slot: Slot, facts: &Facts) -> Outcome {
        match slot {
            Slot::Condition => Outcome::Truth(match &self.condition {
                Some(c) => c.eval(facts),
                None => Truth::True,
            }),
            Slot::Key(i) => Outcome::Keys(match self.meter_keys.get(i).and_then(Option::as_ref) {
                Some(k) => k.strings(facts),
                None => Err("the effect has no key".into()),
            }),
        }
    }
}
