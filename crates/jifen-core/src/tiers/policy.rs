//! Tier policies: ordered tiers with a threshold on one figure (a meter, or points earned or
//! spend in a window), upgraded at once, downgraded only at requalification (with grace), and
//! overridden by operators. Benefits are data attached to tiers.

use std::collections::BTreeSet;

use chrono::{Datelike, Duration, NaiveDate};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::meters::{Window, local_midnight};
use crate::Timestamp;
use crate::rules::{Factor, valid_name};

/// The figure tiers are decided on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Basis {
    /// A meter's value (an engagement score).
    Meter { meter: String },
    /// Points earned (less those clawed back) in a window.
    PointsEarned { window: Window },
    /// Money spent (fen, less refunds) on orders placed in a window.
    Spend { window: Window },
}

impl Basis {
    pub fn window(&self) -> Option<Window> {
        match self {
            Basis::Meter { .. } => None,
            Basis::PointsEarned { window } | Basis::Spend { window } => Some(*window),
        }
    }

    /// How the figure reads in explanations.
    pub fn describe(&self) -> String {
        match self {
            Basis::Meter { meter } => meter.clone(),
            Basis::PointsEarned { .. } => "points earned".into(),
            Basis::Spend { .. } => "spend (fen)".into(),
        }
    }
}

/// When members who hold a tier must qualify for it again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Requalification {
    /// Every year on a date (program time), for example 1 January.
    FixedDate { month: u32, day: u32 },
    /// `days` after the member reached or last requalified for the tier.
    AfterUpgrade { days: u32 },
    /// Never: tiers only go up.
    Never,
}

impl Default for Requalification {
    fn default() -> Self {
        Requalification::AfterUpgrade { days: 365 }
    }
}

/// Something a tier gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Benefit {
    pub id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    #[serde(flatten)]
    pub kind: BenefitKind,
}

/// What a gift gives: points now, and/or a voucher of a template (issued by the rewards
/// catalog).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gift {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voucher: Option<String>,
}

/// How often a periodic gift comes (in program time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Every {
    Month,
    Quarter,
    Year,
}

impl Every {
    /// The period an instant falls in, as a key (`2026-11`, `2026-Q4`, `2026`).
    pub fn period(self, at: Timestamp, tz: Tz) -> String {
        let local = at.with_timezone(&tz);
        match self {
            Every::Month => local.format("%Y-%m").to_string(),
            Every::Quarter => format!("{}-Q{}", local.year(), (local.month() - 1) / 3 + 1),
            Every::Year => local.year().to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BenefitKind {
    /// Points the rules award for an event are multiplied (`1.5`: half as much again).
    EarnMultiplier {
        factor: Factor,
        /// Only for these event types (all when empty).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        event_types: Vec<String>,
    },
    /// Rewards and products open this many hours earlier.
    EarlyAccess { hours: u32 },
    /// Given once each time a member is upgraded to the tier.
    UpgradeGift { gift: Gift },
    /// Given once a year, in the member's birthday month.
    BirthdayGift { gift: Gift },
    /// Given once a period to every member of the tier.
    PeriodicGift { every: Every, gift: Gift },
    FreeShipping {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min_spend: Option<i64>,
    },
    /// A status or code at a partner, handed over through a partner webhook record.
    PartnerPerk { partner: String, perk: String },
    /// A link only members of the tier see (a VIP livestream).
    Content { url: String },
    /// A members-only service, described.
    Service {
        #[serde(default, skip_serializing_if = "String::is_empty")]
        description: String,
    },
}

/// One tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierSpec {
    pub id: String,
    pub name: String,
    /// The figure a member needs to hold the tier; the first tier's is 0.
    pub threshold: i64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub benefits: Vec<Benefit>,
}

/// A program's tiers, in ascending order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierPolicy {
    pub basis: Basis,
    pub tiers: Vec<TierSpec>,
    #[serde(default)]
    pub requalification: Requalification,
    /// Days a member who no longer qualifies keeps the tier after a review.
    #[serde(default)]
    pub grace_days: u32,
}

/// A policy that cannot be saved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct TierError {
    pub field: String,
    pub message: String,
}

fn tier_err(field: impl Into<String>, message: impl Into<String>) -> TierError {
    TierError {
        field: field.into(),
        message: message.into(),
    }
}

/// A member's standing, as stored. A member without one holds the first tier since enrolling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierState {
    pub tier: String,
    pub since: Timestamp,
    /// When the member must qualify again (none on the first tier).
    pub review_at: Option<Timestamp>,
    /// Until when a member who no longer qualified keeps the tier.
    pub grace_until: Option<Timestamp>,
    pub override_: Option<TierOverride>,
}

/// An operator's decision that a member holds a tier until a date, whatever the figure says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierOverride {
    pub tier: String,
    pub reason: String,
    pub until: Timestamp,
}

/// What happened to a member's tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Upgrade,
    Downgrade,
    /// Qualified again at a review: the tier is kept until the next one.
    Requalified,
    /// Did not qualify at a review: the tier is kept until the grace period ends.
    GraceStarted,
    OverrideSet,
    OverrideEnded,
}

/// A change and the standing after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierChange {
    pub kind: ChangeKind,
    pub from: String,
    pub to: String,
    pub value: i64,
    pub at: Timestamp,
    pub next: TierState,
}

/// How far a member is from the next tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub basis: String,
    pub value: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_tier: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_threshold: Option<i64>,
    /// What is left to reach the next tier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing: Option<i64>,
    /// What the member must reach at the next review to keep the tier held.
    pub keep_threshold: i64,
}

impl TierPolicy {
    pub fn validate(&self) -> Result<(), TierError> {
        if let Basis::Meter { meter } = &self.basis
            && !valid_name(meter)
        {
            return Err(tier_err(
                "basis.meter",
                "a meter name is 1–64 characters of a-z, 0-9, _ - . :",
            ));
        }
        if let Some(w) = self.basis.window() {
            w.validate().map_err(|m| tier_err("basis.window", m))?;
        }
        match self.requalification {
            Requalification::FixedDate { month, day }
                if NaiveDate::from_ymd_opt(2024, month, day).is_none() =>
            {
                return Err(tier_err("requalification", "not a date of the year"));
            }
            Requalification::AfterUpgrade { days } if days == 0 || days > 3_660 => {
                return Err(tier_err("requalification.days", "1 to 3,660 days"));
            }
            _ => {}
        }
        if self.grace_days > 3_660 {
            return Err(tier_err("grace_days", "at most 3,660 days"));
        }
        if self.tiers.is_empty() || self.tiers.len() > 20 {
            return Err(tier_err("tiers", "a policy has 1 to 20 tiers"));
        }
        if self.tiers[0].threshold != 0 {
            return Err(tier_err(
                "tiers[0].threshold",
                "the first tier is everyone's: its threshold is 0",
            ));
        }
        let mut ids = BTreeSet::new();
        for (i, tier) in self.tiers.iter().enumerate() {
            let at = |f: &str| format!("tiers[{i}].{f}");
            if !valid_name(&tier.id) || !ids.insert(tier.id.as_str()) {
                return Err(tier_err(
                    at("id"),
                    "a tier id is unique, 1–64 characters of a-z, 0-9, _ - . :",
                ));
            }
            if tier.name.trim().is_empty() || tier.name.chars().count() > 100 {
                return Err(tier_err(at("name"), "a tier name is 1 to 100 characters"));
            }
            if !(-crate::limits::MAX_TOTAL..=crate::limits::MAX_TOTAL).contains(&tier.threshold) {
                return Err(tier_err(at("threshold"), "a threshold is within ±10^15"));
            }
            if i > 0 && tier.threshold <= self.tiers[i - 1].threshold {
                return Err(tier_err(
                    at("threshold"),
                    "thresholds rise from each tier to the next",
                ));
            }
            let mut benefit_ids = BTreeSet::new();
            for (j, b) in tier.benefits.iter().enumerate() {
                let at = |f: &str| format!("tiers[{i}].benefits[{j}].{f}");
                if !valid_name(&b.id) || !benefit_ids.insert(b.id.as_str()) {
                    return Err(tier_err(
                        at("id"),
                        "a benefit id is unique in its tier, 1–64 characters of a-z, 0-9, _ - . :",
                    ));
                }
                b.kind.validate().map_err(|(f, m)| tier_err(at(f), m))?;
            }
        }
        Ok(())
    }

    /// The tier of an id, and its rank (0 is the first).
    pub fn tier(&self, id: &str) -> Option<(usize, &TierSpec)> {
        self.tiers.iter().enumerate().find(|(_, t)| t.id == id)
    }

    /// The highest tier `value` qualifies for.
    pub fn qualified(&self, value: i64) -> (usize, &TierSpec) {
        let rank = self
            .tiers
            .iter()
            .rposition(|t| value >= t.threshold)
            .unwrap_or(0);
        (rank, &self.tiers[rank])
    }

    /// A member's standing before any change: the first tier, since enrolling.
    pub fn initial(&self, enrolled_at: Timestamp) -> TierState {
        TierState {
            tier: self.tiers[0].id.clone(),
            since: enrolled_at,
            review_at: None,
            grace_until: None,
            override_: None,
        }
    }

    /// When a member who reached or kept a tier at `at` must qualify again.
    pub fn review_after(&self, at: Timestamp, tz: Tz) -> Option<Timestamp> {
        match self.requalification {
            Requalification::Never => None,
            Requalification::AfterUpgrade { days } => Some(at + Duration::days(i64::from(days))),
            Requalification::FixedDate { month, day } => {
                let year = at.with_timezone(&tz).year();
                (year..year + 3).find_map(|y| {
                    let date = NaiveDate::from_ymd_opt(y, month, day)
                        .or_else(|| NaiveDate::from_ymd_opt(y, month, day - 1))?;
                    local_midnight(date, tz).filter(|t| *t > at)
                })
            }
        }
    }

    /// The tier a member holds at `at`: an operator's override while it lasts, else their
    /// standing (a tier the policy no longer has counts as the first).
    pub fn effective<'a>(&'a self, state: &TierState, at: Timestamp) -> &'a TierSpec {
        let held = match &state.override_ {
            Some(o) if o.until > at => o.tier.as_str(),
            _ => state.tier.as_str(),
        };
        self.tier(held).map_or(&self.tiers[0], |(_, t)| t)
    }

    fn rank_held(&self, state: &TierState) -> usize {
        self.tier(&state.tier).map_or(0, |(r, _)| r)
    }

    fn moved(
        &self,
        kind: ChangeKind,
        state: &TierState,
        to: &TierSpec,
        value: i64,
        at: Timestamp,
        tz: Tz,
    ) -> TierChange {
        let rank = self.tier(&to.id).map_or(0, |(r, _)| r);
        TierChange {
            kind,
            from: state.tier.clone(),
            to: to.id.clone(),
            value,
            at,
            next: TierState {
                tier: to.id.clone(),
                since: if to.id == state.tier { state.since } else { at },
                review_at: if rank == 0 {
                    None
                } else {
                    self.review_after(at, tz)
                },
                grace_until: None,
                override_: state.override_.clone(),
            },
        }
    }

    /// What activity that brought the figure to `value` at `at` changes: an upgrade when it
    /// qualifies for a higher tier, or the end of a grace period when it qualifies again.
    /// Nothing goes down between reviews.
    pub fn on_activity(
        &self,
        state: &TierState,
        value: i64,
        at: Timestamp,
        tz: Tz,
    ) -> Option<TierChange> {
        let (rank, tier) = self.qualified(value);
        let held = self.rank_held(state);
        if self.tier(&state.tier).is_none() || rank > held {
            return Some(self.moved(ChangeKind::Upgrade, state, tier, value, at, tz));
        }
        if state.grace_until.is_some() && rank >= held {
            let kept = &self.tiers[held];
            return Some(self.moved(ChangeKind::Requalified, state, kept, value, at, tz));
        }
        None
    }

    /// What a review at `at` changes: upgrades as for activity; at a due review, the tier is
    /// kept (requalified) or, below its threshold, lost (after the grace period, if any); an
    /// override that ended is recorded.
    pub fn review(
        &self,
        state: &TierState,
        value: i64,
        at: Timestamp,
        tz: Tz,
    ) -> Option<TierChange> {
        if let Some(o) = &state.override_
            && o.until <= at
        {
            let mut next = state.clone();
            next.override_ = None;
            return Some(TierChange {
                kind: ChangeKind::OverrideEnded,
                from: o.tier.clone(),
                to: state.tier.clone(),
                value,
                at,
                next,
            });
        }
        if let Some(change) = self.on_activity(state, value, at, tz) {
            return Some(change);
        }
        let held = self.rank_held(state);
        let (rank, tier) = self.qualified(value);
        let kept = &self.tiers[held];
        if let Some(grace) = state.grace_until {
            if grace > at {
                return None;
            }
            return Some(self.moved(ChangeKind::Downgrade, state, tier, value, at, tz));
        }
        // A review that is not due yet, or a policy that no longer reviews, changes nothing.
        if held == 0
            || self.requalification == Requalification::Never
            || state.review_at.is_none_or(|r| r > at)
        {
            return None;
        }
        if rank >= held {
            return Some(self.moved(ChangeKind::Requalified, state, kept, value, at, tz));
        }
        if self.grace_days > 0 {
            let mut next = state.clone();
            next.grace_until = Some(at + Duration::days(i64::from(self.grace_days)));
            return Some(TierChange {
                kind: ChangeKind::GraceStarted,
                from: state.tier.clone(),
                to: state.tier.clone(),
                value,
                at,
                next,
            });
        }
        Some(self.moved(ChangeKind::Downgrade, state, tier, value, at, tz))
    }

    /// What is left to reach the next tier, and what keeps the one held.
    pub fn progress(&self, state: &TierState, value: i64) -> Progress {
        let held = self.rank_held(state);
        let (rank, _) = self.qualified(value);
        let next = self.tiers.get(held.max(rank) + 1);
        Progress {
            basis: self.basis.describe(),
            value,
            next_tier: next.map(|t| t.id.clone()),
            next_threshold: next.map(|t| t.threshold),
            missing: next.map(|t| t.threshold.saturating_sub(value).max(0)),
            keep_threshold: self.tiers[held].threshold,
        }
    }

    /// The earn multiplier a tier gives for an event type, if any.
    pub fn earn_factor<'a>(tier: &'a TierSpec, event_type: &str) -> Option<(&'a str, Factor)> {
        tier.benefits.iter().find_map(|b| match &b.kind {
            BenefitKind::EarnMultiplier {
                factor,
                event_types,
            } if event_types.is_empty() || event_types.iter().any(|t| t == event_type) => {
                Some((b.id.as_str(), *factor))
            }
            _ => None,
        })
    }

    /// The partner perks a tier carries, as (partner, perk).
    pub fn perks(tier: &TierSpec) -> BTreeSet<(&str, &str)> {
        tier.benefits
            .iter()
            .filter_map(|b| match &b.kind {
                BenefitKind::PartnerPerk { partner, perk } => {
                    Some((partner.as_str(), perk.as_str()))
                }
                _ => None,
            })
            .collect()
    }
}

impl BenefitKind {
    fn validate(&self) -> Result<(), (&'static str, String)> {
        let gift = |g: &Gift| match (g.points, &g.voucher) {
            (None, None) => Err(("gift", "a gift gives points, a voucher, or both".to_owned())),
            (Some(p), _) if !(1..=1_000_000_000).contains(&p) => {
                Err(("gift.points", "1 to 1,000,000,000 points".to_owned()))
            }
            (_, Some(v)) if !valid_name(v) => {
                Err(("gift.voucher", "not a voucher template id".to_owned()))
            }
            _ => Ok(()),
        };
        match self {
            BenefitKind::EarnMultiplier { factor, .. } if factor.0 <= 1_000 => {
                Err(("factor", "an earn multiplier is above 1".to_owned()))
            }
            BenefitKind::EarlyAccess { hours } if *hours == 0 || *hours > 24 * 90 => {
                Err(("hours", "1 to 2,160 hours".to_owned()))
            }
            BenefitKind::UpgradeGift { gift: g }
            | BenefitKind::BirthdayGift { gift: g }
            | BenefitKind::PeriodicGift { gift: g, .. } => gift(g),
            BenefitKind::PartnerPerk { partner, perk } => {
                if !valid_name(partner) {
                    Err(("partner", "not a partner id".to_owned()))
                } else if perk.trim().is_empty() || perk.len() > 200 {
                    Err(("perk", "a perk is 1 to 200 characters".to_owned()))
                } else {
                    Ok(())
                }
            }
            BenefitKind::Content { url }
                if !(url.starts_with("https://") || url.starts_with("http://")) =>
            {
                Err(("url", "a content link is an http(s) URL".to_owned()))
            }
            _ => Ok(()),
        }
    }
}
