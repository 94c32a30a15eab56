use serde::{Deserialize, Serialize};

use crate::Timestamp;

/// What an entry does. Points are signed as seen from the entry's lot (or, for an entry with no
/// lot, from the member's net balance: negative means debt grew).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A lot is created with `points`.
    Earn,
    /// Points taken back from a lot (or added to debt) because an order was refunded.
    Clawback,
    /// Points spent: from a lot, or from a hold when `hold` is set.
    Redeem,
    /// An operator's correction: positive creates a lot, negative takes from one or adds debt.
    Adjust,
    /// Points moved from a lot into a hold.
    Hold,
    /// Held points returned to the lot they came from.
    Release,
    /// A record that a lot's remaining points expired; it changes no figure (expiry is implied by
    /// `expires_at`), it only makes the ledger readable.
    Expire,
    /// Points a clawback could not take and the policy forbade as debt; changes no figure.
    WriteOff,
    /// Points of a lot used at once to repay debt.
    Repay,
}

impl EntryKind {
    pub const ALL: [EntryKind; 9] = [
        EntryKind::Earn,
        EntryKind::Clawback,
        EntryKind::Redeem,
        EntryKind::Adjust,
        EntryKind::Hold,
        EntryKind::Release,
        EntryKind::Expire,
        EntryKind::WriteOff,
        EntryKind::Repay,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Earn => "earn",
            EntryKind::Clawback => "clawback",
            EntryKind::Redeem => "redeem",
            EntryKind::Adjust => "adjust",
            EntryKind::Hold => "hold",
            EntryKind::Release => "release",
            EntryKind::Expire => "expire",
            EntryKind::WriteOff => "write_off",
            EntryKind::Repay => "repay",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// What kind of request caused an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CauseKind {
    Event,
    Redemption,
    Adjustment,
    Hold,
    HoldCommit,
    HoldVoid,
    HoldDeadline,
    Expiry,
    /// A tier benefit (an upgrade, birthday or periodic gift).
    Benefit,
    /// A referral's reward (to the friend at signup, to the referrer on qualification), or its
    /// clawback.
    Referral,
}

impl CauseKind {
    pub const ALL: [CauseKind; 10] = [
        CauseKind::Event,
        CauseKind::Redemption,
        CauseKind::Adjustment,
        CauseKind::Hold,
        CauseKind::HoldCommit,
        CauseKind::HoldVoid,
        CauseKind::HoldDeadline,
        CauseKind::Expiry,
        CauseKind::Benefit,
        CauseKind::Referral,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CauseKind::Event => "event",
            CauseKind::Redemption => "redemption",
            CauseKind::Adjustment => "adjustment",
            CauseKind::Hold => "hold",
            CauseKind::HoldCommit => "hold_commit",
            CauseKind::HoldVoid => "hold_void",
            CauseKind::HoldDeadline => "hold_deadline",
            CauseKind::Expiry => "expiry",
            CauseKind::Benefit => "benefit",
            CauseKind::Referral => "referral",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The request behind an entry: its kind and the client-chosen id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Cause {
    pub kind: CauseKind,
    pub id: String,
}

impl Cause {
    pub fn new(kind: CauseKind, id: impl Into<String>) -> Self {
        Self {
            kind,
            id: id.into(),
        }
    }
}

/// One immutable line of a member's ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Position in the member's ledger, assigned in the order entries were decided.
    pub seq: i64,
    pub kind: EntryKind,
    pub points: i64,
    pub lot: Option<i64>,
    pub hold: Option<String>,
    pub order_id: Option<String>,
    pub cause: Cause,
    pub reason: Option<String>,
    /// The instant the entry takes effect; it orders replay.
    pub effective_at: Timestamp,
}

impl Entry {
    /// Entries written for a hold's deadline sort before anything else at the same instant,
    /// as they took effect before anything recorded at that instant was decided.
    pub(crate) fn replay_key(&self) -> (Timestamp, u8, i64) {
        let rank = u8::from(self.cause.kind != CauseKind::HoldDeadline);
        (self.effective_at, rank, self.seq)
    }
}

/// A lot of earned points: when they become available and when they expire. Serialized (in
/// member books) with instants as microseconds since the epoch, the precision they are stored at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lot {
    /// Position of the lot among the member's lots.
    pub id: i64,
    pub amount: i64,
    #[serde(with = "chrono::serde::ts_microseconds")]
    pub available_at: Timestamp,
    #[serde(with = "chrono::serde::ts_microseconds_option")]
    pub expires_at: Option<Timestamp>,
    pub order_id: Option<String>,
    #[serde(with = "chrono::serde::ts_microseconds")]
    pub created_at: Timestamp,
}

impl Lot {
    pub fn is_expired_at(&self, t: Timestamp) -> bool {
        self.expires_at.is_some_and(|e| e <= t)
    }

    pub fn is_available_at(&self, t: Timestamp) -> bool {
        !self.is_expired_at(t) && self.available_at <= t
    }

    pub fn is_pending_at(&self, t: Timestamp) -> bool {
        !self.is_expired_at(t) && t < self.available_at
    }

    /// Soonest expiry first (never-expiring last), then oldest lot first.
    pub(crate) fn spend_order(&self) -> (bool, Option<Timestamp>, i64) {
        (self.expires_at.is_none(), self.expires_at, self.id)
    }
}

/// The timing of a lot about to be created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLot {
    pub points: i64,
    pub available_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub order_id: Option<String>,
}

/// A two-phase reservation of points for a checkout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoldRecord {
    pub id: String,
    pub points: i64,
    #[serde(with = "chrono::serde::ts_microseconds")]
    pub created_at: Timestamp,
    #[serde(with = "chrono::serde::ts_microseconds")]
    pub deadline: Timestamp,
}

/// Where a hold stands at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldStatus {
    Pending,
    Committed,
    Voided,
    Expired,
}

impl HoldStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            HoldStatus::Pending => "pending",
            HoldStatus::Committed => "committed",
            HoldStatus::Voided => "voided",
            HoldStatus::Expired => "expired",
        }
    }
}

/// Why the ledger refused an operation. Nothing changed when one is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    #[error("the member has {available} points available, {requested} were requested")]
    InsufficientPoints { available: i64, requested: i64 },
    #[error("hold {0} was not found")]
    HoldNotFound(String),
    #[error("hold {id} is {status:?}, not pending")]
    HoldNotPending { id: String, status: HoldStatus },
    #[error("hold {id} holds {held} points; {requested} cannot be committed")]
    CommitExceedsHold {
        id: String,
        held: i64,
        requested: i64,
    },
    #[error("a hold with id {0} exists already")]
    HoldExists(String),
    #[error("points must be positive")]
    NonPositivePoints,
    /// A figure of the member's book would leave the range of `i64`.
    #[error(transparent)]
    FigureOverflow(#[from] crate::limits::FigureOverflow),
}
