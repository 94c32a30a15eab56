//! Meters, tiers and benefits: an engagement score or spend decides a member's tier, and the
//! tier carries benefits. Pure, like the rest of the core: the caller loads the entries and the
//! standing, and stores the changes decided here.

mod meters;
mod policy;
#[cfg(test)]
mod tests;

pub use meters::{MeterError, MeterKind, MeterPoint, MeterSpec, Meters, Window, local_midnight};
pub use policy::{
    Basis, Benefit, BenefitKind, ChangeKind, Every, Gift, Progress, Requalification, TierChange,
    TierError, TierOverride, TierPolicy, TierSpec, TierState,
};

use crate::rules::{Award, Evaluation, Factor, Trace, Verdict};

/// Adds a tier's earn multiplier to what the rules awarded an event: `factor` on their total
/// (campaign multipliers included), as an award of the rule `tier:<tier>`.
pub fn apply_earn_multiplier(evaluation: &mut Evaluation, tier: &str, factor: Factor) {
    let extra = factor.extra(evaluation.points());
    if extra <= 0 {
        return;
    }
    let rule = format!("tier:{tier}");
    evaluation.awards.push(Award {
        rule: rule.clone(),
        version: 0,
        points: extra,
        pending_days: None,
        expiry: None,
    });
    evaluation.trace.push(Trace {
        rule,
        version: 0,
        verdict: Verdict::Fired {
            points: extra,
            capped_by: Vec::new(),
        },
    });
}
