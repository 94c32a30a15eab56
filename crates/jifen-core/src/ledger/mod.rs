//! The points ledger: immutable entries over lots, holds and debt.
//!
//! A member's [`Book`] is rebuilt by replaying their entries in effective-time order. Every
//! operation plans new entries from the current state and applies them through the same
//! [`Book::apply`] that replay uses, so a decision and its replay can never disagree.
//! Hold deadlines take effect by themselves: advancing a book past a deadline releases the hold
//! (and writes the entries that say so), whether or not anything persisted them yet.

mod balance;
mod book;
mod expiry;
mod ops;
mod snapshot;
mod types;

pub use balance::{Balance, Expiring};
pub use book::Book;
pub use snapshot::{Snapshot, SnapshotHold, SnapshotLot};
pub use types::{
    Cause, CauseKind, Entry, EntryKind, HoldRecord, HoldStatus, LedgerError, Lot, NewLot,
};
