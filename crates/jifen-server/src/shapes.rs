//! Answer and page shapes shared by the routes (`api`) and the services that build answers.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use jifen_core::{Balance, Entry};
use jifen_store::StoredEntry;

/// A ledger entry.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EntryOut {
    /// Position in the member's ledger.
    pub seq: i64,
    /// earn, clawback, redeem, adjust, hold, release, expire, write_off or repay.
    pub kind: String,
    /// Signed as seen from the entry's lot: positive adds to it, negative takes from it.
    /// With no lot, negative means debt grew (clawback, adjust) or points were forgone (write_off).
    pub points: i64,
    /// The lot the points moved in or out of.
    pub lot: Option<i64>,
    pub hold: Option<String>,
    pub order_id: Option<String>,
    pub cause: CauseOut,
    pub reason: Option<String>,
    /// When the entry takes effect.
    pub effective_at: DateTime<Utc>,
    /// When it was written (absent in answers to the request that wrote it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded_at: Option<DateTime<Utc>>,
}

/// What caused an entry: the kind of request and its client-chosen id.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CauseOut {
    /// event, redemption, adjustment, hold, hold_commit, hold_void, hold_deadline or expiry.
    pub kind: String,
    pub id: String,
}

impl From<&Entry> for EntryOut {
    fn from(e: &Entry) -> Self {
        EntryOut {
            seq: e.seq,
            kind: e.kind.as_str().to_owned(),
            points: e.points,
            lot: e.lot,
            hold: e.hold.clone(),
            order_id: e.order_id.clone(),
            cause: CauseOut {
                kind: e.cause.kind.as_str().to_owned(),
                id: e.cause.id.clone(),
            },
            reason: e.reason.clone(),
            effective_at: e.effective_at,
            recorded_at: None,
        }
    }
}

impl From<&StoredEntry> for EntryOut {
    fn from(s: &StoredEntry) -> Self {
        EntryOut {
            recorded_at: Some(s.recorded_at),
            ..EntryOut::from(&s.entry)
        }
    }
}

pub fn entries_out(entries: &[Entry]) -> Vec<EntryOut> {
    entries.iter().map(EntryOut::from).collect()
}

/// A member's points at an instant.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BalanceOut {
    /// The instant the figures are for.
    pub at: DateTime<Utc>,
    /// Spendable now.
    pub available: i64,
    /// Earned, not yet available (inside the return window).
    pub pending: i64,
    /// Reserved by pending holds.
    pub held: i64,
    /// Debt (≥ 0): points owed after clawbacks; repaid first by every later credit.
    pub negative: i64,
    /// Points ever earned: purchases and positive adjustments.
    pub lifetime_earned: i64,
    /// Points ever redeemed: redemptions and committed holds.
    pub lifetime_redeemed: i64,
    /// Points that expired unspent.
    pub expired: i64,
    /// Points taken back by refunds (from lots or as debt).
    pub clawed_back: i64,
    /// Points refunds could not take back and the policy forbade as debt.
    pub written_off: i64,
    /// Points that expire in the 30 days after `at`, by instant.
    pub expiring: Vec<ExpiringOut>,
}

/// Points expiring at one instant.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ExpiringOut {
    pub at: DateTime<Utc>,
    pub points: i64,
}

impl From<Balance> for BalanceOut {
    fn from(b: Balance) -> Self {
        BalanceOut {
            at: b.at,
            available: b.available,
            pending: b.pending,
            held: b.held,
            negative: b.negative,
            lifetime_earned: b.lifetime_earned,
            lifetime_redeemed: b.lifetime_redeemed,
            expired: b.expired,
            clawed_back: b.clawed_back,
            written_off: b.written_off,
            expiring: b
                .expiring
                .into_iter()
                .map(|x| ExpiringOut {
                    at: x.at,
                    points: x.points,
                })
                .collect(),
        }
    }
}

/// Pagination parameters: `limit` (1–200, default 50) and the `after` cursor of the last page.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// How many to answer: 1 to 200, 50 when absent.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next` cursor of the page before, to read the page after it.
    pub after: Option<String>,
}

pub const DEFAULT_PAGE: u32 = 50;
pub const MAX_PAGE: u32 = 200;

impl PageQuery {
    pub fn limit(&self) -> Result<u32, crate::error::ApiError> {
        match self.limit {
            None => Ok(DEFAULT_PAGE),
            Some(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
            Some(_) => Err(crate::error::ApiError::invalid(
                "limit",
                format!("limit must be between 1 and {MAX_PAGE}"),
            )),
        }
    }

    /// The cursor, an opaque token that is a position in the list.
    pub fn cursor(&self) -> Result<Option<i64>, crate::error::ApiError> {
        self.after
            .as_deref()
            .map(|c| {
                c.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
                    crate::error::ApiError::invalid("after", "after is not a cursor this API gave")
                })
            })
            .transpose()
    }
}

/// A page of a list, newest first; pass `next` as `after` for the following page.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub next: Option<String>,
}
