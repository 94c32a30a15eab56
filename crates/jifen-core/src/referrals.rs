//! Referrals: a member's code, who counts as a new friend, when a friend qualifies, what a
//! refund takes back, and the time-boxed multipliers milestones give.
//!
//! Everything here is a pure decision: the store keeps referrals, the server wires them into the
//! member and event paths.

use chrono::Duration;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::Timestamp;
use crate::rules::{Award, Evaluation, Factor, Trace, Verdict};

/// The characters of a code: digits and capitals without `0`, `O`, `1` and `I`.
pub const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// Characters in a code: 8 × 5 bits = 40 bits, one code for each member id below 2^40.
pub const CODE_LEN: usize = 8;

const BITS: u32 = 40;
const HALF: u32 = BITS / 2;
const HALF_MASK: u64 = (1 << HALF) - 1;
const ROUNDS: u64 = 4;

/// A program's salt for codes: the same member id reads as different codes in two programs.
pub fn salt_of(program_id: &str) -> u64 {
    // FNV-1a: stable across versions and platforms.
    program_id.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn round(half: u64, salt: u64, n: u64) -> u64 {
    let mut x = half ^ salt.rotate_left((n * 16) as u32) ^ n.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 31)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    (x ^ (x >> 29)) & HALF_MASK
}

/// A Feistel permutation of 40-bit numbers: distinct ids give distinct codes, and consecutive
/// ids do not look consecutive.
fn permute(n: u64, salt: u64) -> u64 {
    let (mut l, mut r) = (n >> HALF, n & HALF_MASK);
    for i in 0..ROUNDS {
        (l, r) = (r, l ^ round(r, salt, i));
    }
    (l << HALF) | r
}

fn unpermute(n: u64, salt: u64) -> u64 {
    let (mut l, mut r) = (n >> HALF, n & HALF_MASK);
    for i in (0..ROUNDS).rev() {
        (l, r) = (r ^ round(l, salt, i), l);
    }
    (l << HALF) | r
}

/// A member's code: 8 characters of [`ALPHABET`], stable for the member and unique in the
/// program. `None` for an id outside `0..2^40`.
pub fn code_for(member_id: i64, salt: u64) -> Option<String> {
    let id = u64::try_from(member_id).ok().filter(|n| *n < (1 << BITS))?;
    let mut n = permute(id, salt);
    let mut out = [0u8; CODE_LEN];
    for c in out.iter_mut().rev() {
        *c = ALPHABET[(n & 31) as usize];
        n >>= 5;
    }
    Some(out.iter().map(|b| char::from(*b)).collect())
}

/// The member id a code stands for, or `None` when it is not a code. Lower case and spaces or
/// dashes between characters are accepted (a code read out or typed by hand).
pub fn member_for(code: &str, salt: u64) -> Option<i64> {
    let mut n: u64 = 0;
    let mut len = 0;
    for c in code.chars().filter(|c| !matches!(c, ' ' | '-')) {
        let c = c.to_ascii_uppercase();
        let v = ALPHABET.iter().position(|a| char::from(*a) == c)?;
        n = (n << 5) | v as u64;
        len += 1;
        if len > CODE_LEN {
            return None;
        }
    }
    if len != CODE_LEN {
        return None;
    }
    i64::try_from(unpermute(n, salt)).ok()
}

/// The digest an identity is remembered by once seen: SHA-256 of `kind:value`, in hex. The
/// value itself is not kept, and the digest outlives unbinding and erasure.
pub fn identity_digest(kind: &str, value: &str) -> String {
    let mut h = Sha256::new();
    h.update(kind.as_bytes());
    h.update(b":");
    h.update(value.as_bytes());
    hex::encode(h.finalize())
}

/// A reward: points, a voucher of a template, or both.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reward {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voucher_template: Option<String>,
}

impl Reward {
    pub fn points(&self) -> i64 {
        self.points.unwrap_or(0).max(0)
    }

    pub fn is_empty(&self) -> bool {
        self.points() == 0 && self.voucher_template.is_none()
    }
}

/// "Bring `friends` qualified friends: earn × `factor` for `days` days."
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Milestone {
    pub friends: u32,
    pub factor: Factor,
    pub days: u32,
}

/// How many referrals of one referrer are rewarded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Caps {
    /// Per local day of the program, counted on the day of attribution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_day: Option<u32>,
    /// In all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u32>,
}

/// A program's referral settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferralSettings {
    pub enabled: bool,
    /// Given to the friend when attributed.
    #[serde(default)]
    pub friend_reward: Reward,
    /// Given to the referrer when the friend qualifies.
    #[serde(default)]
    pub referrer_reward: Reward,
    /// The smallest purchase (fen) that qualifies the friend.
    #[serde(default)]
    pub min_purchase: i64,
    /// Days after attribution within which the purchase must happen.
    pub within_days: u32,
    #[serde(default)]
    pub milestones: Vec<Milestone>,
    #[serde(default)]
    pub caps: Caps,
    /// Whether a refund that takes the qualifying purchase below `min_purchase` takes the
    /// referrer's points back.
    #[serde(default = "yes")]
    pub claw_back: bool,
}

fn yes() -> bool {
    true
}

/// How long before its attribution a friend's purchase still qualifies them (the tolerance of
/// clocks, as for an event's `occurred_at` ahead of jifen's).
pub const CLOCK_SKEW_MINUTES: i64 = 5;

/// The most milestones a program declares.
pub const MAX_MILESTONES: usize = 10;

impl ReferralSettings {
    /// Checks what serde cannot: returns the field at fault and why.
    pub fn check(&self) -> Result<(), (String, String)> {
        let bad = |f: &str, m: &str| Err((f.to_owned(), m.to_owned()));
        for (name, r) in [
            ("friend_reward", &self.friend_reward),
            ("referrer_reward", &self.referrer_reward),
        ] {
            if let Some(p) = r.points
                && !(0..=crate::MAX_POINTS_PER_ENTRY).contains(&p)
            {
                return bad(
                    &format!("{name}.points"),
                    "points must be between 0 and the most one entry carries",
                );
            }
        }
        if !(0..=crate::MAX_AMOUNT_FEN).contains(&self.min_purchase) {
            return bad("min_purchase", "min_purchase must be 0 or more fen");
        }
        if self.within_days == 0 || self.within_days > 3_660 {
            return bad("within_days", "within_days must be between 1 and 3,660");
        }
        if self.milestones.len() > MAX_MILESTONES {
            return bad("milestones", "at most 10 milestones");
        }
        for (i, m) in self.milestones.iter().enumerate() {
            if m.friends == 0 || m.friends > 10_000 {
                return bad(
                    &format!("milestones[{i}].friends"),
                    "friends must be between 1 and 10,000",
                );
            }
            if m.days == 0 || m.days > 366 {
                return bad(
                    &format!("milestones[{i}].days"),
                    "days must be between 1 and 366",
                );
            }
            if m.factor.0 <= 1_000 {
                return bad(
                    &format!("milestones[{i}].factor"),
                    "a milestone's factor must be above 1",
                );
            }
            if self.milestones[..i].iter().any(|o| o.friends == m.friends) {
                return bad(
                    &format!("milestones[{i}].friends"),
                    "two milestones with the same number of friends",
                );
            }
        }
        Ok(())
    }

    /// The last instant a purchase qualifies a friend attributed at `attributed_at`.
    pub fn qualify_by(&self, attributed_at: Timestamp) -> Timestamp {
        attributed_at + Duration::days(i64::from(self.within_days))
    }

    /// Whether a purchase of `amount` fen at `at` qualifies a friend attributed at
    /// `attributed_at`. A purchase up to [`CLOCK_SKEW_MINUTES`] before the attribution counts:
    /// the shop's clock and jifen's differ (an order stamped to the second, an attribution to the
    /// microsecond), and an order placed right after signing up must not be lost to that.
    pub fn qualifies(&self, attributed_at: Timestamp, at: Timestamp, amount: i64) -> bool {
        let from = attributed_at - Duration::minutes(CLOCK_SKEW_MINUTES);
        amount >= self.min_purchase && at >= from && at <= self.qualify_by(attributed_at)
    }

    /// Whether a refund leaving `remaining` fen of the qualifying order takes the referrer's
    /// reward back.
    pub fn claws_back(&self, remaining: i64) -> bool {
        self.claw_back && remaining < self.min_purchase.max(1)
    }

    /// The milestones a referrer reaches when their qualified friends go from `before` to
    /// `after`.
    pub fn milestones_reached(&self, before: u32, after: u32) -> Vec<&Milestone> {
        self.milestones
            .iter()
            .filter(|m| before < m.friends && m.friends <= after)
            .collect()
    }
}

/// Where a referral stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Attributed; the friend has not made a qualifying purchase yet.
    Pending,
    /// The friend qualified; the program gives the referrer nothing for it.
    Qualified,
    /// The friend qualified and the referrer was rewarded.
    Rewarded,
    /// Beyond a cap of the referrer: recorded, not rewarded.
    Capped,
    /// The qualifying purchase was refunded: the referrer's points were taken back.
    ClawedBack,
    /// Not a referral: see the reason.
    Rejected,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Pending,
        Status::Qualified,
        Status::Rewarded,
        Status::Capped,
        Status::ClawedBack,
        Status::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Qualified => "qualified",
            Status::Rewarded => "rewarded",
            Status::Capped => "capped",
            Status::ClawedBack => "clawed_back",
            Status::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Whether the referral counts toward the referrer's caps.
    pub fn counts_to_caps(self) -> bool {
        !matches!(self, Status::Capped | Status::Rejected)
    }

    /// Whether the friend counts as qualified for milestones.
    pub fn is_qualified(self) -> bool {
        matches!(self, Status::Qualified | Status::Rewarded)
    }
}

/// Why a referral was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rejection {
    /// The friend is the referrer, or shares an identity the referrer has had.
    SelfReferral,
    /// An identity of the friend was seen on another member before.
    SeenBefore,
    /// The program's referrals are switched off.
    ProgramOff,
}

impl Rejection {
    pub fn as_str(self) -> &'static str {
        match self {
            Rejection::SelfReferral => "self_referral",
            Rejection::SeenBefore => "seen_before",
            Rejection::ProgramOff => "program_off",
        }
    }
}

/// What is known when a friend comes with a referrer's code.
#[derive(Debug, Clone)]
pub struct Candidate<'a> {
    pub referrer: i64,
    pub friend: i64,
    /// For each identity of the friend, the member it was first seen on.
    pub first_seen_on: &'a [i64],
    /// The referrer's referrals counting toward caps: on the day of attribution, and in all.
    pub today: u32,
    pub total: u32,
}

/// How a friend's attribution is recorded.
pub fn screen(settings: &ReferralSettings, c: &Candidate<'_>) -> (Status, Option<Rejection>) {
    if !settings.enabled {
        return (Status::Rejected, Some(Rejection::ProgramOff));
    }
    if c.friend == c.referrer || c.first_seen_on.contains(&c.referrer) {
        return (Status::Rejected, Some(Rejection::SelfReferral));
    }
    if c.first_seen_on.iter().any(|m| *m != c.friend) {
        return (Status::Rejected, Some(Rejection::SeenBefore));
    }
    let over = |cap: Option<u32>, n: u32| cap.is_some_and(|cap| n >= cap);
    if over(settings.caps.per_day, c.today) || over(settings.caps.total, c.total) {
        return (Status::Capped, None);
    }
    (Status::Pending, None)
}

/// A time-boxed personal earn multiplier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Boost {
    pub factor: Factor,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    /// What gave it: `referral_milestone:<friends>`.
    pub source: String,
}

impl Boost {
    pub fn active_at(&self, at: Timestamp) -> bool {
        self.starts_at <= at && at < self.ends_at
    }

    /// The boost a milestone gives from `at`.
    pub fn from_milestone(m: &Milestone, at: Timestamp) -> Boost {
        Boost {
            factor: m.factor,
            starts_at: at,
            ends_at: at + Duration::days(i64::from(m.days)),
            source: format!("referral_milestone:{}", m.friends),
        }
    }
}

/// The boost that applies at `at`: the highest factor among the active ones (boosts do not
/// stack), the latest end among equals.
pub fn active_boost(boosts: &[Boost], at: Timestamp) -> Option<&Boost> {
    boosts
        .iter()
        .filter(|b| b.active_at(at))
        .max_by_key(|b| (b.factor.0, b.ends_at))
}

/// Adds a boost's extra points to an evaluation: `base × (factor − 1)`, where `base` is what the
/// rules gave before any multiplier (a tier's and a boost's do not compound). The award and its
/// trace are named `boost:<source>`.
pub fn apply_boost(evaluation: &mut Evaluation, base: i64, boost: &Boost) {
    let extra = boost.factor.extra(base);
    if extra <= 0 {
        return;
    }
    let rule = format!("boost:{}", boost.source);
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

#[cfg(test)]
mod tests;
