//! A small harness around a live [`Book`] that keeps everything a store would persist (lots,
//! holds, entries), so tests can replay it at any instant and compare with the live book.

#![allow(dead_code)]

use chrono::{Duration, TimeZone, Utc};
use jifen_core::{
    Balance, Book, Cause, CauseKind, Entry, EntryKind, HoldRecord, HoldStatus, LedgerError, Lot,
    NegativeBalance, NewLot, Timestamp,
};
use proptest::prelude::*;
use proptest::sample::Index;

pub const ALLOW: NegativeBalance = NegativeBalance::Allow;
pub const FORBID: NegativeBalance = NegativeBalance::Forbid;

/// Midnight UTC, `n` days after 2026-01-01.
pub fn day(n: i64) -> Timestamp {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + Duration::days(n)
}

pub fn hours(n: i64) -> Duration {
    Duration::hours(n)
}

pub fn secs(n: i64) -> Duration {
    Duration::seconds(n)
}

/// (available, pending, held, negative): the figures a member sees.
pub fn figures(b: &Balance) -> (i64, i64, i64, i64) {
    (b.available, b.pending, b.held, b.negative)
}

/// (kind, lot, points) of each entry, for comparing plans.
pub fn moves(entries: &[Entry]) -> Vec<(EntryKind, Option<i64>, i64)> {
    entries.iter().map(|e| (e.kind, e.lot, e.points)).collect()
}

/// Asserts two lists of entries do the same thing at the same instants, whatever their `seq`.
pub fn assert_same_effects(a: &[Entry], b: &[Entry]) {
    let effect = |e: &Entry| {
        (
            e.kind,
            e.lot,
            e.points,
            e.hold.clone(),
            e.order_id.clone(),
            e.cause.clone(),
            e.effective_at,
        )
    };
    let a: Vec<_> = a.iter().map(effect).collect();
    let b: Vec<_> = b.iter().map(effect).collect();
    assert_eq!(a, b, "entries differ");
}

/// Everything observable about a book, to check that a refused operation changed nothing.
#[derive(Debug, PartialEq)]
pub struct Snapshot {
    pub balance: Balance,
    pub lots: Vec<(Lot, i64)>,
    pub holds: Vec<(String, Option<HoldStatus>, Option<i64>)>,
}

pub struct Harness {
    pub book: Book,
    pub lots: Vec<Lot>,
    pub holds: Vec<HoldRecord>,
    pub entries: Vec<Entry>,
    /// Entries of hold deadlines the live book applied but nothing persisted yet.
    pub unrecorded: Vec<Entry>,
    causes: u64,
}

impl Harness {
    pub fn new(now: Timestamp) -> Self {
        Self {
            book: Book::new(now),
            lots: Vec::new(),
            holds: Vec::new(),
            entries: Vec::new(),
            unrecorded: Vec::new(),
            causes: 0,
        }
    }

    pub fn now(&self) -> Timestamp {
        self.book.now()
    }

    pub fn balance(&self) -> Balance {
        self.book.balance()
    }

    /// A fresh cause of `kind`, unique within this harness.
    pub fn cause(&mut self, kind: CauseKind) -> Cause {
        self.causes += 1;
        Cause::new(kind, format!("{}-{}", kind.as_str(), self.causes))
    }

    /// Persists what a decision produced, as a store would.
    fn record(&mut self, entries: Vec<Entry>) -> Vec<Entry> {
        let (lots, holds) = self.book.take_new_records();
        self.lots.extend(lots);
        self.holds.extend(holds);
        self.entries.extend(entries.iter().cloned());
        entries
    }

    /// Persists the outcome of a fallible decision; a refusal must leave no new records.
    fn record_result(
        &mut self,
        result: Result<Vec<Entry>, LedgerError>,
    ) -> Result<Vec<Entry>, LedgerError> {
        match result {
            Ok(entries) => Ok(self.record(entries)),
            Err(err) => {
                let (lots, holds) = self.book.take_new_records();
                assert!(lots.is_empty() && holds.is_empty(), "refusal left records");
                Err(err)
            }
        }
    }

    /// Earns a lot for `order` (or none).
    pub fn earn(
        &mut self,
        points: i64,
        order: Option<&str>,
        available_at: Timestamp,
        expires_at: Option<Timestamp>,
    ) -> Vec<Entry> {
        let cause = self.cause(CauseKind::Event);
        let new = NewLot {
            points,
            available_at,
            expires_at,
            order_id: order.map(str::to_owned),
        };
        let out = self.book.earn(new, EntryKind::Earn, &cause);
        self.record(out)
    }

    /// Earns a lot for `order` that is available at once.
    pub fn earn_now(
        &mut self,
        points: i64,
        order: &str,
        expires_at: Option<Timestamp>,
    ) -> Vec<Entry> {
        let now = self.now();
        self.earn(points, Some(order), now, expires_at)
    }

    /// A positive operator adjustment: a lot with no order.
    pub fn adjust_up(
        &mut self,
        points: i64,
        available_at: Timestamp,
        expires_at: Option<Timestamp>,
    ) -> Vec<Entry> {
        let cause = self.cause(CauseKind::Adjustment);
        let new = NewLot {
            points,
            available_at,
            expires_at,
            order_id: None,
        };
        let out = self.book.earn(new, EntryKind::Adjust, &cause);
        self.record(out)
    }

    pub fn clawback(&mut self, order: &str, points: i64, negative: NegativeBalance) -> Vec<Entry> {
        let cause = self.cause(CauseKind::Event);
        let out = self.book.clawback(order, points, negative, &cause);
        self.record(out)
    }

    pub fn redeem(&mut self, points: i64) -> Result<Vec<Entry>, LedgerError> {
        let cause = self.cause(CauseKind::Redemption);
        let out = self.book.redeem(points, &cause);
        self.record_result(out)
    }

    pub fn adjust_down(
        &mut self,
        points: i64,
        negative: NegativeBalance,
    ) -> Result<Vec<Entry>, LedgerError> {
        let cause = self.cause(CauseKind::Adjustment);
        let out = self.book.adjust_down(points, negative, &cause);
        self.record_result(out)
    }

    pub fn place_hold(
        &mut self,
        id: &str,
        points: i64,
        deadline: Timestamp,
    ) -> Result<Vec<Entry>, LedgerError> {
        let cause = self.cause(CauseKind::Hold);
        let record = HoldRecord {
            id: id.to_owned(),
            points,
            created_at: self.now(),
            deadline,
        };
        let out = self.book.place_hold(record, &cause);
        self.record_result(out)
    }

    pub fn commit(&mut self, id: &str, points: Option<i64>) -> Result<Vec<Entry>, LedgerError> {
        let cause = self.cause(CauseKind::HoldCommit);
        let out = self.book.commit_hold(id, points, &cause);
        self.record_result(out)
    }

    pub fn void(&mut self, id: &str) -> Result<Vec<Entry>, LedgerError> {
        let cause = self.cause(CauseKind::HoldVoid);
        let out = self.book.void_hold(id, &cause);
        self.record_result(out)
    }

    /// Runs any decision on the live book and persists its outcome, as the helpers above do.
    pub fn decide(
        &mut self,
        decision: impl FnOnce(&mut Book) -> Result<Vec<Entry>, LedgerError>,
    ) -> Result<Vec<Entry>, LedgerError> {
        let out = decision(&mut self.book);
        self.record_result(out)
    }

    /// Writes `expire` entries for expired points no entry records yet, as a sweeper does.
    pub fn record_expiries(&mut self) -> Vec<Entry> {
        let out = self.book.record_expiries();
        self.record(out)
    }

    /// Moves the live book to `t`, persisting the entries of any hold deadline passed.
    pub fn advance_to(&mut self, t: Timestamp) -> Vec<Entry> {
        let out = self.book.advance_to(t);
        self.record(out)
    }

    /// Moves the live book to `t` without persisting the entries of hold deadlines passed, as
    /// when nobody writes them until a later request or a sweeper does.
    pub fn advance_unrecorded(&mut self, t: Timestamp) -> Vec<Entry> {
        let out = self.book.advance_to(t);
        self.unrecorded.extend(out.iter().cloned());
        out
    }

    /// Swaps the live book for one rebuilt from what was persisted at the live instant, and
    /// persists the entries that replay implied, as a server does before each decision.
    pub fn reload(&mut self) {
        let (book, implied) = self.replay_at(self.now());
        assert_same_effects(&implied, &self.unrecorded);
        self.entries.extend(implied);
        self.unrecorded.clear();
        self.book = book;
    }

    /// Rebuilds the book from what was persisted, as of `until`.
    pub fn replay_at(&self, until: Timestamp) -> (Book, Vec<Entry>) {
        Book::replay(
            self.lots.clone(),
            self.holds.clone(),
            self.entries.clone(),
            until,
        )
    }

    /// The balance a store would report at `until`.
    pub fn balance_at(&self, until: Timestamp) -> Balance {
        self.replay_at(until).0.balance()
    }

    /// Replaying everything persisted at the live instant gives the live balance, and implies
    /// exactly the deadline entries the live book applied without persisting them.
    pub fn assert_replay_matches(&self) {
        let (replayed, implied) = self.replay_at(self.now());
        assert_eq!(
            replayed.balance(),
            self.balance(),
            "replay differs from live book"
        );
        assert_same_effects(&implied, &self.unrecorded);
        for hold in &self.holds {
            assert_eq!(
                replayed.hold_status(&hold.id),
                self.book.hold_status(&hold.id),
                "status of hold {}",
                hold.id
            );
            assert_eq!(replayed.hold_held(&hold.id), self.book.hold_held(&hold.id));
        }
    }

    /// Free points of each lot, by id.
    pub fn free(&self) -> Vec<(i64, i64)> {
        self.book.lots().map(|(l, free)| (l.id, free)).collect()
    }

    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            balance: self.balance(),
            lots: self.book.lots().map(|(l, f)| (l.clone(), f)).collect(),
            holds: self
                .holds
                .iter()
                .map(|h| {
                    (
                        h.id.clone(),
                        self.book.hold_status(&h.id),
                        self.book.hold_held(&h.id),
                    )
                })
                .collect(),
        }
    }
}

// Random operations, shared by the property tests.

#[derive(Debug, Clone)]
pub enum Commit {
    All,
    /// A percentage of what the hold holds (at least 1 point).
    Part(i64),
    /// A raw number of points, possibly more than held.
    Raw(i64),
}

#[derive(Debug, Clone)]
pub enum Op {
    /// Earn for a new order (or a positive adjustment when `adjust`), available after
    /// `pending_hours`, expiring `expiry_hours` after now (negative: expired when recorded).
    Earn {
        points: i64,
        pending_hours: i64,
        expiry_hours: Option<i64>,
        adjust: bool,
    },
    /// Refund a percentage of what an earlier order still has credited.
    Refund {
        order: Index,
        percent: i64,
        negative: NegativeBalance,
    },
    Redeem {
        points: i64,
    },
    AdjustDown {
        points: i64,
        negative: NegativeBalance,
    },
    /// Place a hold until `deadline_hours` after now (refused unless that is in the future).
    PlaceHold {
        points: i64,
        deadline_hours: i64,
    },
    CommitHold {
        hold: Index,
        points: Commit,
    },
    VoidHold {
        hold: Index,
    },
    /// Let time pass; the entries of hold deadlines passed are persisted at once when
    /// `record`, else only by the next `Reload`.
    Advance {
        hours: i64,
        record: bool,
    },
    /// Rebuild the live book from the persisted records and persist what replay implied, as a
    /// server does per request.
    Reload,
}

pub fn negative_policy() -> impl Strategy<Value = NegativeBalance> {
    prop_oneof![3 => Just(ALLOW), 1 => Just(FORBID)]
}

pub fn op() -> impl Strategy<Value = Op> {
    let earn = (
        1..300i64,
        prop_oneof![2 => Just(0i64), 1 => 1..240i64],
        prop::option::weighted(
            0.7,
            prop_oneof![1 => -48..=0i64, 4 => 1..240i64, 2 => 240..1500i64],
        ),
        prop::bool::weighted(0.25),
    )
        .prop_map(|(points, pending_hours, expiry_hours, adjust)| Op::Earn {
            points,
            pending_hours,
            expiry_hours,
            adjust,
        });
    let refund =
        (any::<Index>(), 1..=100i64, negative_policy()).prop_map(|(order, percent, negative)| {
            Op::Refund {
                order,
                percent,
                negative,
            }
        });
    let commit = prop_oneof![
        Just(Commit::All),
        (1..=100i64).prop_map(Commit::Part),
        (1..300i64).prop_map(Commit::Raw),
    ];
    let advance = prop_oneof![
        2 => 0..6i64,
        3 => 1..72i64,
        1 => 24 * 7..24 * 40i64,
    ];
    prop_oneof![
        5 => earn,
        3 => refund,
        3 => (1..400i64).prop_map(|points| Op::Redeem { points }),
        1 => (1..300i64, negative_policy())
            .prop_map(|(points, negative)| Op::AdjustDown { points, negative }),
        3 => (1..300i64, prop_oneof![1 => -24..=0i64, 8 => 1..200i64])
            .prop_map(|(points, deadline_hours)| Op::PlaceHold { points, deadline_hours }),
        2 => (any::<Index>(), commit).prop_map(|(hold, points)| Op::CommitHold { hold, points }),
        1 => any::<Index>().prop_map(|hold| Op::VoidHold { hold }),
        4 => (advance, prop::bool::weighted(0.7))
            .prop_map(|(hours, record)| Op::Advance { hours, record }),
        1 => Just(Op::Reload),
    ]
}

pub fn ops() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(op(), 1..60)
}
