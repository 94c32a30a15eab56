//! The loyalty domain of jifen, with no I/O, no clock and no async.
//!
//! Everything here takes the time, the configuration and the state it needs as arguments and
//! returns decisions (ledger entries). The store persists them; the server wires both together.

pub mod badges;
pub mod challenges;
#[doc(hidden)]
pub mod fuzzing;
pub mod leaderboards;
pub mod ledger;
pub mod limits;
pub mod offers;
pub mod policy;
pub mod referrals;
pub mod reminders;
pub mod rewards;
pub mod rules;
pub mod segments;
pub mod tiers;
pub mod webhooks;

pub use ledger::{
    Balance, Book, Cause, CauseKind, Entry, EntryKind, Expiring, HoldRecord, HoldStatus,
    LedgerError, Lot, NewLot, Snapshot,
};
pub use limits::{FigureOverflow, MAX_AMOUNT_FEN, MAX_POINTS_PER_ENTRY};
pub use policy::{ExpiryPolicy, NegativeBalance, PointPolicy, PolicyError};

/// An instant, always in UTC. Programs have a time zone for calendar rules; instants do not.
pub type Timestamp = chrono::DateTime<chrono::Utc>;
