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

    /// Reads a stored snapshot: `None` when it is of another layout version, unreadable, or
    /// not one a book could have written ([`Snapshot::is_sound`]).
    pub fn decode(bytes: &[u8]) -> Option<Snapshot> {
        match bytes.split_first() {
            Some((&FORMAT, rest)) => postcard::from_bytes(rest).ok().filter(Snapshot::is_sound),
            _ => None,
        }
    }

    /// Whether the snapshot is within what a book works with: entry and lot counters with room
    /// for the next one, lot ids below `next_lot`, instants within years 1 to 9999 (what RFC 3339
    /// writes, with room for the windows a book looks ahead), and point figures whose absolute
    /// values add up within `i64`, so that no sum or difference a book takes of them
    /// overflows. Bytes that fail it (a damaged row) are ignored like another layout: the book
    /// is replayed from its entries.
    pub fn is_sound(&self) -> bool {
        const MAX_COUNTER: i64 = 1 << 62;
        let counters = (0..MAX_COUNTER).contains(&self.seq)
            && (1..MAX_COUNTER).contains(&self.next_lot)
            && self
                .lots
                .iter()
                .all(|l| (1..self.next_lot).contains(&l.lot.id));
        let mut instants = std::iter::once(self.at)
            .chain(self.lots.iter().flat_map(|l| {
                [l.lot.available_at, l.lot.created_at]
                    .into_iter()
                    .chain(l.lot.expires_at)
            }))
            .chain(
                self.holds
                    .iter()
                    .flat_map(|h| [h.record.created_at, h.record.deadline]),
            );
        let in_years = instants.all(|t| (1..=9999).contains(&chrono::Datelike::year(&t)));
        let figures =
            [
                self.debt,
                self.earned,
                self.redeemed,
                self.clawed_back,
                self.written_off,
            ]
            .into_iter()
            .chain(
                self.lots
                    .iter()
                    .flat_map(|l| [l.lot.amount, l.free, l.expiry_recorded]),
            )
            .chain(self.holds.iter().flat_map(|h| {
                std::iter::once(h.record.points).chain(h.parts.iter().map(|(_, p)| *p))
            }))
            .chain(self.credited.iter().map(|(_, p)| *p));
        let mut total: i64 = 0;
        let points_fit = figures.map(i64::checked_abs).all(|p| {
            p.and_then(|p| total.checked_add(p))
                .map(|t| total = t)
                .is_some()
        });
        counters && in_years && points_fit
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
