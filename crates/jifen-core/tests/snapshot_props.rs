//! Property tests for snapshots: a book restored with `Book::from_snapshot(book.snapshot())`
//! must be indistinguishable from the book it was taken from. A random history is run on a
//! live book (the original); snapshots are taken at random points; then the same random
//! continuation is applied to the original and to the restored book, comparing after every step
//! what each returned and everything observable, now and at every instant ahead where something
//! happens by itself (hold deadlines, lots becoming available or expiring).

mod common;

use std::collections::BTreeSet;

use common::*;
use jifen_core::{
    Book, CauseKind, Entry, EntryKind, HoldRecord, HoldStatus, LedgerError, NewLot, Snapshot,
    Timestamp,
};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::FileFailurePersistence;

#[derive(Debug, Clone)]
enum Step {
    /// One of the operations the ledger property tests use.
    Op(Op),
    /// Write `expire` entries for expired points, as a sweeper does.
    RecordExpiries,
    /// Take a snapshot of the original book (through its stored encoding) and restore the copy from it.
    Snapshot,
    /// Take a snapshot of the restored book itself and restore it again, as a server storing a
    /// snapshot after each write would.
    Resnapshot,
    /// Place a hold with the id of a pending one.
    PlaceExisting { hold: Index, points: i64 },
    /// Commit or void a hold id nobody handed out.
    UnknownHold { commit: bool },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        24 => op().prop_map(Step::Op),
        3 => Just(Step::RecordExpiries),
        1 => Just(Step::Snapshot),
        2 => Just(Step::Resnapshot),
        1 => (any::<Index>(), 1..300i64)
            .prop_map(|(hold, points)| Step::PlaceExisting { hold, points }),
        1 => any::<bool>().prop_map(|commit| Step::UnknownHold { commit }),
    ]
}

/// The original book (with what it persisted, so it can be reloaded by replay) and, once a
/// snapshot was taken, the book restored from the latest one.
struct Pair {
    h: Harness,
    restored: Option<Book>,
    orders: Vec<String>,
    holds: Vec<String>,
}

impl Pair {
    fn new(start: Timestamp) -> Self {
        Self {
            h: Harness::new(start),
            restored: None,
            orders: Vec::new(),
            holds: Vec::new(),
        }
    }

    /// Restores the copy from a fresh snapshot of the original.
    fn snapshot(&mut self) {
        let s = self.h.book.snapshot();
        check_snapshot(&s);
        assert_eq!(s.at, self.h.now());
        self.restored = Some(Book::from_snapshot(roundtrip(&s)));
    }

    /// Runs one decision on both books, checking they decide alike and create the same records.
    fn decide(
        &mut self,
        decision: impl Fn(&mut Book) -> Result<Vec<Entry>, LedgerError>,
    ) -> Result<Vec<Entry>, LedgerError> {
        let (lots, holds) = (self.h.lots.len(), self.h.holds.len());
        let original = self.h.decide(&decision);
        if let Some(book) = &mut self.restored {
            let restored = decision(book);
            assert_eq!(restored, original, "the restored book decided differently");
            let (new_lots, new_holds) = book.take_new_records();
            assert_eq!(new_lots, self.h.lots[lots..], "new lots differ");
            assert_eq!(new_holds, self.h.holds[holds..], "new holds differ");
        }
        original
    }

    fn pending(&self, id: &str) -> bool {
        self.h.book.hold_status(id) == Some(HoldStatus::Pending)
    }

    fn step(&mut self, step: &Step) {
        let now = self.h.now();
        match step {
            Step::Op(Op::Earn {
                points,
                pending_hours,
                expiry_hours,
                adjust,
            }) => {
                let (kind, cause_kind, order_id) = if *adjust {
                    (EntryKind::Adjust, CauseKind::Adjustment, None)
                } else {
                    let order = format!("order-{}", self.orders.len() + 1);
                    self.orders.push(order.clone());
                    (EntryKind::Earn, CauseKind::Event, Some(order))
                };
                let cause = self.h.cause(cause_kind);
                let new = NewLot {
                    points: *points,
                    available_at: now + hours(*pending_hours),
                    expires_at: expiry_hours.map(|e| now + hours(e)),
                    order_id,
                };
                let _ = self.decide(|b| Ok(b.earn(new.clone(), kind, &cause)));
            }
            Step::Op(Op::Refund {
                order,
                percent,
                negative,
            }) => {
                let open: Vec<String> = self
                    .orders
                    .iter()
                    .filter(|o| self.h.book.order_credited(o) > 0)
                    .cloned()
                    .collect();
                if !open.is_empty() {
                    let order = &open[order.index(open.len())];
                    let points = (self.h.book.order_credited(order) * percent / 100).max(1);
                    let cause = self.h.cause(CauseKind::Event);
                    let _ = self.decide(|b| Ok(b.clawback(order, points, *negative, &cause)));
                }
            }
            Step::Op(Op::Redeem { points }) => {
                let cause = self.h.cause(CauseKind::Redemption);
                let _ = self.decide(|b| b.redeem(*points, &cause));
            }
            Step::Op(Op::AdjustDown { points, negative }) => {
                let cause = self.h.cause(CauseKind::Adjustment);
                let _ = self.decide(|b| b.adjust_down(*points, *negative, &cause));
            }
            Step::Op(Op::PlaceHold {
                points,
                deadline_hours,
            }) => {
                let id = format!("hold-{}", self.holds.len() + 1);
                let record = HoldRecord {
                    id: id.clone(),
                    points: *points,
                    created_at: now,
                    deadline: now + hours(*deadline_hours),
                };
                let cause = self.h.cause(CauseKind::Hold);
                if self
                    .decide(|b| b.place_hold(record.clone(), &cause))
                    .is_ok()
                {
                    self.holds.push(id);
                }
            }
            Step::PlaceExisting { hold, points } => {
                let pending: Vec<String> = self
                    .holds
                    .iter()
                    .filter(|id| self.pending(id))
                    .cloned()
                    .collect();
                if !pending.is_empty() {
                    let id = pending[hold.index(pending.len())].clone();
                    let record = HoldRecord {
                        id: id.clone(),
                        points: *points,
                        created_at: now,
                        deadline: now + hours(24),
                    };
                    let cause = self.h.cause(CauseKind::Hold);
                    let result = self.decide(|b| b.place_hold(record.clone(), &cause));
                    assert_eq!(result, Err(LedgerError::HoldExists(id)));
                }
            }
            Step::Op(Op::CommitHold { hold, points }) => {
                if let Some(id) = self.pick_hold(hold) {
                    let held = self.h.book.hold_held(&id).unwrap_or(0);
                    let points = match points {
                        Commit::All => None,
                        Commit::Part(pct) => Some((held * pct / 100).max(1)),
                        Commit::Raw(n) => Some(*n),
                    };
                    let cause = self.h.cause(CauseKind::HoldCommit);
                    self.resolve(&id, |b| b.commit_hold(&id, points, &cause));
                }
            }
            Step::Op(Op::VoidHold { hold }) => {
                if let Some(id) = self.pick_hold(hold) {
                    let cause = self.h.cause(CauseKind::HoldVoid);
                    self.resolve(&id, |b| b.void_hold(&id, &cause));
                }
            }
            Step::UnknownHold { commit } => {
                let id = "hold-never-placed";
                let cause = self.h.cause(CauseKind::HoldVoid);
                let result = self.decide(|b| {
                    if *commit {
                        b.commit_hold(id, None, &cause)
                    } else {
                        b.void_hold(id, &cause)
                    }
                });
                assert_eq!(result, Err(LedgerError::HoldNotFound(id.to_owned())));
            }
            Step::Op(Op::Advance { hours: n, record }) => {
                let t = now + hours(*n);
                let original = if *record {
                    self.h.advance_to(t)
                } else {
                    self.h.advance_unrecorded(t)
                };
                if let Some(book) = &mut self.restored {
                    assert_eq!(book.advance_to(t), original, "advancing to {t}");
                }
            }
            Step::RecordExpiries => {
                let _ = self.decide(|b| Ok(b.record_expiries()));
            }
            Step::Op(Op::Reload) => {
                // Replay may number the entries of deadlines it derives differently from the
                // live book that applied them unrecorded, so the reloaded book is a new original
                // and the copy is restored from it.
                let before = self.h.balance();
                self.h.reload();
                assert_eq!(self.h.balance(), before, "reloading changed the balance");
                if self.restored.is_some() {
                    self.snapshot();
                }
            }
            Step::Snapshot => self.snapshot(),
            Step::Resnapshot => {
                if let Some(book) = &self.restored {
                    let s = book.snapshot();
                    check_snapshot(&s);
                    self.restored = Some(Book::from_snapshot(roundtrip(&s)));
                }
            }
        }
    }

    /// Commits or voids a hold handed out earlier. A pending hold is decided alike by both books.
    /// A resolved one is refused by both, but when it was resolved before the snapshot, not
    /// alike: snapshots keep no resolved holds, so the restored book does not know it and says
    /// `HoldNotFound` where the original says `HoldNotPending`. Callers must tell resolved holds
    /// from unknown ones by other means.
    fn resolve(
        &mut self,
        id: &str,
        decision: impl Fn(&mut Book) -> Result<Vec<Entry>, LedgerError>,
    ) {
        if self.pending(id) {
            let _ = self.decide(decision);
            return;
        }
        let status = self.h.book.hold_status(id).expect("a hold handed out");
        let seen = self.h.entries.len();
        let original = self.h.decide(&decision);
        assert_eq!(
            original,
            Err(LedgerError::HoldNotPending {
                id: id.to_owned(),
                status
            })
        );
        assert_eq!(self.h.entries.len(), seen);
        if let Some(book) = &mut self.restored {
            let before = book.snapshot();
            let restored = decision(book);
            if book.hold_status(id).is_some() {
                // Resolved since the restore: the restored book knows it like the original.
                assert_eq!(restored, original);
            } else {
                assert_eq!(restored, Err(LedgerError::HoldNotFound(id.to_owned())));
            }
            assert_eq!(
                book.snapshot(),
                before,
                "a refusal changed the restored book"
            );
            assert_eq!(book.take_new_records(), (Vec::new(), Vec::new()));
        }
    }

    /// A hold handed out earlier, pending or not.
    fn pick_hold(&self, i: &Index) -> Option<String> {
        (!self.holds.is_empty()).then(|| self.holds[i.index(self.holds.len())].clone())
    }

    /// The restored book shows what the original shows, now and at every instant ahead where
    /// something changes by itself.
    fn compare(&self) {
        let Some(restored) = &self.restored else {
            return;
        };
        let original = &self.h.book;
        self.compare_books(original, restored, "now");

        let s = original.snapshot();
        let mut ahead: BTreeSet<Timestamp> = BTreeSet::new();
        for h in &s.holds {
            let d = h.record.deadline;
            ahead.extend([d - secs(1), d, d + secs(1)]);
        }
        for l in &s.lots {
            ahead.insert(l.lot.available_at);
            if let Some(e) = l.lot.expires_at {
                ahead.extend([e - days(30), e - secs(1), e]);
            }
        }
        ahead.extend([s.at, s.at + secs(1), s.at + days(400)]);
        ahead.extend(original.next_due());
        let (mut a, mut b) = (original.clone(), restored.clone());
        for t in ahead.into_iter().filter(|t| *t >= s.at) {
            assert_eq!(b.advance_to(t), a.advance_to(t), "advancing to {t}");
            self.compare_books(&a, &b, &format!("at {t}"));
        }
        assert_eq!(b.record_expiries(), a.record_expiries(), "expiries ahead");
        self.compare_books(&a, &b, "after recording expiries ahead");
    }

    fn compare_books(&self, original: &Book, restored: &Book, when: &str) {
        assert_eq!(restored.now(), original.now(), "{when}");
        assert_eq!(restored.balance(), original.balance(), "balance {when}");
        assert_eq!(restored.next_due(), original.next_due(), "next due {when}");
        for order in &self.orders {
            assert_eq!(
                restored.order_credited(order),
                original.order_credited(order),
                "credit of {order} {when}"
            );
        }
        for id in &self.holds {
            if original.hold_status(id) == Some(HoldStatus::Pending) {
                assert_eq!(
                    restored.hold_status(id),
                    Some(HoldStatus::Pending),
                    "{id} {when}"
                );
                assert_eq!(
                    restored.hold_held(id),
                    original.hold_held(id),
                    "{id} {when}"
                );
                assert_eq!(
                    restored.hold_record(id),
                    original.hold_record(id),
                    "{id} {when}"
                );
            } else if let Some(status) = restored.hold_status(id) {
                // Resolved since the restore (holds resolved before it are not kept).
                assert_eq!(Some(status), original.hold_status(id), "{id} {when}");
            }
        }
        let with_points = |b: &Book| -> Vec<_> {
            b.lots()
                .filter(|(_, free)| *free != 0)
                .map(|(l, free)| (l.clone(), free))
                .collect()
        };
        assert_eq!(with_points(restored), with_points(original), "lots {when}");
        let s = restored.snapshot();
        assert_eq!(s, original.snapshot(), "snapshots {when}");
        check_snapshot(&s);
    }
}

/// A snapshot survives its stored encoding and restoring unchanged.
fn check_snapshot(s: &Snapshot) {
    assert_eq!(&roundtrip(s), s, "encoding changed the snapshot");
    assert_eq!(
        &Book::from_snapshot(s.clone()).snapshot(),
        s,
        "restoring changed the snapshot"
    );
}

fn days(n: i64) -> chrono::Duration {
    chrono::Duration::days(n)
}

/// Snapshots keep no resolved holds: a book restored after a hold was committed does not know
/// it, and refuses to commit it again with `HoldNotFound` where the original book says
/// `HoldNotPending`. Callers must tell a resolved hold from an unknown one by other means.
#[test]
fn restored_book_does_not_know_holds_resolved_before_the_snapshot() {
    let mut h = Harness::new(day(0));
    h.earn_now(100, "order-1", None);
    h.place_hold("hold-1", 40, day(1)).unwrap();
    h.commit("hold-1", None).unwrap();
    let mut restored = Book::from_snapshot(h.book.snapshot());
    assert_eq!(restored.hold_status("hold-1"), None);
    assert_eq!(restored.balance(), h.balance());

    let cause = h.cause(CauseKind::HoldCommit);
    let not_pending = LedgerError::HoldNotPending {
        id: "hold-1".to_owned(),
        status: HoldStatus::Committed,
    };
    assert_eq!(h.book.commit_hold("hold-1", None, &cause), Err(not_pending));
    assert_eq!(
        restored.commit_hold("hold-1", None, &cause),
        Err(LedgerError::HoldNotFound("hold-1".to_owned()))
    );
}

/// 256 cases unless `PROPTEST_CASES` says otherwise; failures are kept next to this file.
fn config() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("regressions"))),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn restored_book_decides_like_the_original(
        // Instants carry microseconds, the precision jifen stores them (and books encode them) at.
        start_micros in prop_oneof![Just(0i64), 0..1_000_000i64],
        history in prop::collection::vec(step(), 0..40),
        continuation in prop::collection::vec(step(), 1..40),
    ) {
        // Instants with a fraction of a second, as a server clock gives, must survive encoding.
        let mut pair = Pair::new(day(0) + chrono::Duration::microseconds(start_micros));
        for s in &history {
            pair.step(s);
            pair.compare();
        }
        pair.snapshot();
        pair.compare();
        for s in &continuation {
            pair.step(s);
            pair.compare();
        }
    }
}

/// A snapshot through its stored encoding and back.
fn roundtrip(s: &Snapshot) -> Snapshot {
    let bytes = s.encode();
    Snapshot::decode(&bytes).expect("a snapshot decodes")
}

#[test]
fn stored_snapshots_of_another_layout_are_ignored() {
    let mut h = Harness::new(day(0));
    h.earn_now(100, "o-1", Some(day(30)));
    let s = h.book.snapshot();
    let bytes = s.encode();
    assert_eq!(Snapshot::decode(&bytes), Some(s));
    assert_eq!(
        Snapshot::decode(&bytes[..bytes.len() - 1]),
        None,
        "truncated"
    );
    assert_eq!(Snapshot::decode(b"{\"seq\":1}"), None, "a JSON book");
    let mut other = bytes.clone();
    other[0] = 2;
    assert_eq!(Snapshot::decode(&other), None, "another layout version");
    assert_eq!(Snapshot::decode(&[]), None, "empty");
}
