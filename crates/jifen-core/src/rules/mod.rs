//! The earning rules engine: rules (a trigger, a CEL condition, effects, limits, a schedule,
//! priority and stacking) judge each event and say what it earns and why.
//!
//! Everything here is pure: the caller loads the rule versions, the usage counters the rules
//! read ([`usage_keys`]) and the facts about the event and member, and stores what
//! [`evaluate`] decided.

mod conditions;
mod eval;
mod expr;
pub mod limits;
mod model;
mod set;

pub use conditions::{Conditions, Evaluate, Outcome, Slot};
pub use eval::{
    Action, Award, Campaigns, Evaluation, EventInput, LimitLeft, Scope, Trace, Usage, UsageBook,
    UsageKey, Verdict, evaluate, evaluate_with, limits_left, period_key, usage_keys,
};
pub use expr::{Condition, ConditionError, Facts, Truth, VARIABLES};
pub use model::{
    BirthdayPer, CampaignSpec, Effect, Factor, Limit, Period, Rounding, RuleSpec, Schedule, Trigger,
};
pub use set::{
    DEFAULT_PURCHASE_RULE, Rule, RuleError, RuleSet, RuleStatus, valid_name, validate_campaign,
};
