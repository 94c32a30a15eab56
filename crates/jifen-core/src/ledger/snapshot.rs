//! A compact materialization of a book: what its future depends on, without its history.
//!
//! Rebuilding a member's book from every entry grows with their history; a snapshot taken after
//! each write lets the next read or write start from there. A snapshot is derived from the
//! entries and changes no decision: `Book::from_snapshot(book.snapshot())` decides exactly as
//! `book` does (tested), and a stale or missing snapshot just means a full replay.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::book::{Book, HoldState, LotState};
use super::types::{HoldRecord, HoldStatus, Lot};
use crate::Timestamp;

/// A book at an instant, without its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The last entry the snapshot reflects.
    pub seq: i64,
    /// The instant the book stood at.
    #[serde(with = "chrono::serde::ts_microseconds")]
    pub at: Timestamp,
    pub next_lot: i64,
    pub debt: i64,
    pub earned: i64,
    pub redeemed: i64,
    pub clawed_back: i64,
    pub written_off: i64,
    /// Lots with points left (free or held).
    pub lots: Vec<SnapshotLot>,
    /// Pending holds.
    pub holds: Vec<SnapshotHold>,
    /// Orders with points credited, for later refunds.
    pub credited: Vec<(String, i64)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotLot {
    pub lot: Lot,
    pub free: i64,
    /// Points of the lot `expire` entries already record.
    pub expiry_recorded: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotHold {
    pub record: HoldRecord,
    pub parts: Vec<(i64, i64)>,
}

/// The first byte of an encoded snapshot: the version of its layout. A snapshot of another
/// version (or unreadable) is ignored, and the member's book is replayed from their entries.
const FORMAT: u8 = 1;

impl Snapshot {
    /// The stored form: a version byte, then the snapshot in a compact binary layout
    /// (integers as varints, instants as microseconds). Several times smaller and faster to
    /// read and write than JSON; a member's book is rewritten on every write to their ledger.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![FORMAT];
        // Writing into a Vec cannot fail, and every field serializes.
        postcard::to_io(self, &mut out).expect("a snapshot always encodes");
        out
    }

    /// Reads a stored snapshot: `None` when it is of another layout version or unreadable.
    pub fn decode(bytes: &[u8]) -> Option<Snapshot> {
        match bytes.split_first() {
            Some((&FORMAT, rest)) => postcard::from_bytes(rest).ok(),
            _ => None,
        }
    }
}

impl Book {
    /// What this book's future depends on.
    pub fn snapshot(&self) -> Snapshot {
        let held_lots: HashSet<i64> = self
            .holds
            .values()
            .filter(|h| h.status == HoldStatus::Pending)
            .flat_map(|h| h.parts.keys().copied())
            .collect();
        Snapshot {
            seq: self.next_seq - 1,
            at: self.now,
            next_lot: self.next_lot,
            debt: self.debt,
            earned: self.earned,
            redeemed: self.redeemed,
            clawed_back: self.clawed_back,
            written_off: self.written_off,
            lots: self
                .lots
                .values()
                .filter(|s| s.created && (s.free != 0 || held_lots.contains(&s.lot.id)))
                .map(|s| SnapshotLot {
                    lot: s.lot.clone(),
                    free: s.free,
                    expiry_recorded: self.expiry_recorded.get(&s.lot.id).copied().unwrap_or(0),
                })
                .collect(),
            holds: self
                .holds
                .values()
                .filter(|h| h.placed && h.status == HoldStatus::Pending)
                .map(|h| SnapshotHold {
                    record: h.record.clone(),
                    parts: h.parts.iter().map(|(l, p)| (*l, *p)).collect(),
                })
                .collect(),
            credited: {
                let mut c: Vec<(String, i64)> = self
                    .credited
                    .iter()
                    .filter(|(_, p)| **p != 0)
                    .map(|(o, p)| (o.clone(), *p))
                    .collect();
                c.sort();
                c
            },
        }
    }

    /// The book a snapshot describes, at the snapshot's instant. Advance it to now before
    /// deciding (hold deadlines may have passed since).
    pub fn from_snapshot(s: Snapshot) -> Book {
        let mut book = Book::new(s.at);
        book.next_seq = s.seq + 1;
        book.next_lot = s.next_lot;
        book.debt = s.debt;
        book.earned = s.earned;
        book.redeemed = s.redeemed;
        book.clawed_back = s.clawed_back;
        book.written_off = s.written_off;
        book.credited = s.credited.into_iter().collect::<HashMap<_, _>>();
        for l in s.lots {
            if l.expiry_recorded != 0 {
                book.expiry_recorded.insert(l.lot.id, l.expiry_recorded);
            }
            book.lots.insert(
                l.lot.id,
                LotState {
                    lot: l.lot,
                    free: l.free,
                    created: true,
                },
            );
        }
        for h in s.holds {
            book.holds.insert(
                h.record.id.clone(),
                HoldState {
                    record: h.record,
                    parts: h.parts.into_iter().collect::<BTreeMap<_, _>>(),
                    placed: true,
                    status: HoldStatus::Pending,
                },
            );
        }
        book
    }
}
