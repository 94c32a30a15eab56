//! Property tests: random histories of earns, refunds, redemptions, adjustments, holds and the
//! passing of time, checked step by step against the ledger's invariants and against replay.

mod common;

use std::collections::BTreeMap;

use common::*;
use jifen_core::{Balance, Book, CauseKind, Entry, EntryKind, HoldStatus, LedgerError, Timestamp};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::FileFailurePersistence;

/// The live book, what it persisted, and the names it handed out.
struct Run {
    h: Harness,
    orders: Vec<String>,
    holds: Vec<String>,
}

impl Run {
    fn new() -> Self {
        Self {
            h: Harness::new(day(0)),
            orders: Vec::new(),
            holds: Vec::new(),
        }
    }

    /// Applies one operation, checking what it decided against the balance just before it.
    fn step(&mut self, op: &Op) {
        let before = self.h.snapshot();
        let seen = self.h.entries.len();
        let now = self.h.now();
        let result: Result<(), LedgerError> = match op {
            Op::Earn {
                points,
                pending_hours,
                expiry_hours,
                adjust,
            } => {
                let available_at = now + hours(*pending_hours);
                let expires_at = expiry_hours.map(|e| now + hours(e));
                if *adjust {
                    self.h.adjust_up(*points, available_at, expires_at);
                } else {
                    let order = format!("order-{}", self.orders.len() + 1);
                    self.h.earn(*points, Some(&order), available_at, expires_at);
                    self.orders.push(order);
                }
                Ok(())
            }
            Op::Refund {
                order,
                percent,
                negative,
            } => {
                let open: Vec<&String> = self
                    .orders
                    .iter()
                    .filter(|o| self.h.book.order_credited(o) > 0)
                    .collect();
                if !open.is_empty() {
                    let order = open[order.index(open.len())].clone();
                    let credited = self.h.book.order_credited(&order);
                    let points = (credited * percent / 100).max(1);
                    let out = self.h.clawback(&order, points, *negative);
                    let taken: i64 = out.iter().map(|e| -e.points).sum();
                    assert_eq!(taken, points, "a clawback accounts for every point");
                    assert_eq!(self.h.book.order_credited(&order), credited - points);
                }
                Ok(())
            }
            Op::Redeem { points } => self.h.redeem(*points).map(|out| {
                assert!(before.balance.negative == 0, "redeemed while in debt");
                assert!(
                    *points <= before.balance.available,
                    "redeemed more than available"
                );
                assert_eq!(spent(&out), *points);
            }),
            Op::AdjustDown { points, negative } => {
                self.h.adjust_down(*points, *negative).map(|out| {
                    let taken: i64 = out.iter().map(|e| -e.points).sum();
                    assert_eq!(taken, *points);
                    if *negative == FORBID {
                        assert_eq!(self.h.balance().negative, before.balance.negative);
                    }
                })
            }
            Op::PlaceHold {
                points,
                deadline_hours,
            } => {
                let id = format!("hold-{}", self.holds.len() + 1);
                let deadline = now + hours(*deadline_hours);
                let result = self.h.place_hold(&id, *points, deadline);
                if deadline <= now {
                    let expired = LedgerError::HoldNotPending {
                        id: id.clone(),
                        status: HoldStatus::Expired,
                    };
                    assert_eq!(result, Err(expired), "a hold past its deadline is refused");
                }
                let result = result.map(|_| {
                    assert!(deadline > now, "placed a hold whose deadline has passed");
                    assert!(before.balance.negative == 0, "held while in debt");
                    assert!(
                        *points <= before.balance.available,
                        "held more than available"
                    );
                    assert_eq!(self.h.book.hold_held(&id), Some(*points));
                });
                if result.is_ok() {
                    self.holds.push(id);
                }
                result
            }
            Op::CommitHold { hold, points } => match self.pick_hold(hold) {
                None => Ok(()),
                Some(id) => {
                    let held = self.h.book.hold_held(&id).unwrap_or(0);
                    let points = match points {
                        Commit::All => None,
                        Commit::Part(pct) => Some((held * pct / 100).max(1)),
                        Commit::Raw(n) => Some(*n),
                    };
                    self.h.commit(&id, points).map(|out| {
                        let redeemed = spent(&out);
                        assert_eq!(redeemed, points.unwrap_or(held));
                        assert!(redeemed <= held, "committed more than held");
                        assert_eq!(self.h.book.hold_status(&id), Some(HoldStatus::Committed));
                        assert_eq!(self.h.book.hold_held(&id), Some(0));
                    })
                }
            },
            Op::VoidHold { hold } => match self.pick_hold(hold) {
                None => Ok(()),
                Some(id) => self.h.void(&id).map(|_| {
                    assert_eq!(self.h.book.hold_status(&id), Some(HoldStatus::Voided));
                }),
            },
            Op::Advance { hours: n, record } => {
                if *record {
                    self.h.advance_to(now + hours(*n));
                } else {
                    self.h.advance_unrecorded(now + hours(*n));
                }
                Ok(())
            }
            Op::Reload => {
                self.h.reload();
                assert_eq!(self.h.snapshot(), before, "reloading changed the book");
                Ok(())
            }
        };
        if let Err(err) = result {
            assert_eq!(
                self.h.snapshot(),
                before,
                "refused ({err:?}) but changed the book"
            );
            assert_eq!(
                self.h.entries.len(),
                seen,
                "refused ({err:?}) but wrote entries"
            );
            if let LedgerError::InsufficientPoints { requested, .. } = err {
                let b = &before.balance;
                let pool = match op {
                    Op::AdjustDown { .. } => b.available + b.pending,
                    _ => b.available,
                };
                assert!(
                    b.negative > 0 || pool < requested,
                    "refused {requested} points with {b:?}"
                );
            }
        }
    }

    /// A hold handed out earlier, pending or not.
    fn pick_hold(&self, i: &Index) -> Option<String> {
        (!self.holds.is_empty()).then(|| self.holds[i.index(self.holds.len())].clone())
    }

    /// Every invariant that must hold between operations.
    fn check(&self) {
        let live = self.h.balance();

        // (a) Replay of everything persisted rebuilds the live balance, with or without the
        // entries that record hold deadlines.
        self.h.assert_replay_matches();
        let without_deadlines: Vec<Entry> = self
            .h
            .entries
            .iter()
            .filter(|e| e.cause.kind != CauseKind::HoldDeadline)
            .cloned()
            .collect();
        let (derived, _) = Book::replay(
            self.h.lots.clone(),
            self.h.holds.clone(),
            without_deadlines,
            self.h.now(),
        );
        assert_eq!(
            derived.balance(),
            live,
            "replay deriving hold deadlines differs"
        );

        // (b) The figures add up from the entries alone.
        let totals = Totals::of(&self.h.entries);
        assert_eq!(
            live.available + live.pending + live.held - live.negative,
            totals.net() - live.expired,
            "{live:?} vs {totals:?}"
        );
        assert_eq!(live.lifetime_earned, totals.earned + totals.adjusted_up);
        assert_eq!(live.lifetime_redeemed, totals.redeemed);
        assert_eq!(live.clawed_back, totals.clawed_back);
        assert_eq!(live.written_off, totals.written_off);

        // (c) No lot is overdrawn, and debt hides every available or pending point.
        for (lot, free) in self.h.book.lots() {
            assert!(free >= 0, "lot {} has {free} free points", lot.id);
            assert!(
                free <= lot.amount,
                "lot {} has {free} of {}",
                lot.id,
                lot.amount
            );
        }
        for hold in &self.h.holds {
            assert!(self.h.book.hold_held(&hold.id).unwrap_or(0) >= 0);
        }
        assert!(live.negative >= 0 && live.held >= 0 && live.expired >= 0);
        if live.negative > 0 {
            assert_eq!((live.available, live.pending), (0, 0), "in debt: {live:?}");
        }

        // Decisions are recorded in the order replay applies them (entries of hold deadlines
        // may be written late, with a later seq than what they precede).
        let mut sorted = self.h.entries.clone();
        sorted.retain(|e| e.cause.kind != CauseKind::HoldDeadline);
        sorted.sort_by_key(|e| {
            let rank = u8::from(e.cause.kind != CauseKind::HoldDeadline);
            (e.effective_at, rank, e.seq)
        });
        let order: Vec<i64> = sorted.iter().map(|e| e.seq).collect();
        let decided: Vec<i64> = self
            .h
            .entries
            .iter()
            .filter(|e| e.cause.kind != CauseKind::HoldDeadline)
            .map(|e| e.seq)
            .collect();
        assert_eq!(order, decided, "replay order differs from decision order");
    }
}

/// Points spent by redemption entries.
fn spent(entries: &[Entry]) -> i64 {
    entries
        .iter()
        .filter(|e| e.kind == EntryKind::Redeem)
        .map(|e| -e.points)
        .sum()
}

/// Sums over entries, by kind, as magnitudes.
#[derive(Debug, Default)]
struct Totals {
    earned: i64,
    adjusted_up: i64,
    adjusted_down: i64,
    clawed_back: i64,
    redeemed: i64,
    written_off: i64,
}

impl Totals {
    fn of(entries: &[Entry]) -> Self {
        let mut t = Totals::default();
        for e in entries {
            let p = e.points;
            match e.kind {
                EntryKind::Earn => t.earned += p,
                EntryKind::Adjust if p > 0 => t.adjusted_up += p,
                EntryKind::Adjust => t.adjusted_down += p.abs(),
                EntryKind::Clawback => t.clawed_back += p.abs(),
                EntryKind::Redeem => t.redeemed += p.abs(),
                EntryKind::WriteOff => t.written_off += p.abs(),
                EntryKind::Hold | EntryKind::Release | EntryKind::Repay | EntryKind::Expire => {}
            }
        }
        t
    }

    /// What the member holds net of debt, before expiry:
    /// earned + adjusted up − clawed back − redeemed − adjusted down.
    fn net(&self) -> i64 {
        self.earned + self.adjusted_up - self.clawed_back - self.redeemed - self.adjusted_down
    }
}

/// Runs `ops`, checking after each step; returns the run and the last balance seen at each
/// instant the live book stood at.
fn run(ops: &[Op]) -> (Run, BTreeMap<Timestamp, Balance>) {
    let mut r = Run::new();
    let mut seen = BTreeMap::new();
    for op in ops {
        r.step(op);
        r.check();
        seen.insert(r.h.now(), r.h.balance());
    }
    (r, seen)
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
    fn live_book_keeps_invariants_and_matches_replay(ops in ops()) {
        run(&ops);
    }

    #[test]
    fn replay_at_a_past_instant_reflects_only_entries_effective_by_then(
        ops in ops(),
        probes in prop::collection::vec(0..24 * 120i64, 8),
    ) {
        let (r, seen) = run(&ops);
        let h = &r.h;

        // What the live book showed at each instant is what replay shows as of that instant.
        for (t, balance) in &seen {
            prop_assert_eq!(&h.balance_at(*t), balance, "as of {}", t);
        }

        // Replay as of t ignores entries after t: it equals a replay of only the earlier ones.
        let mut instants: Vec<Timestamp> = h.entries.iter().map(|e| e.effective_at).collect();
        instants.extend(h.entries.iter().map(|e| e.effective_at - secs(1)));
        instants.extend(probes.iter().map(|p| day(0) + hours(*p) + secs(1)));
        instants.sort();
        instants.dedup();
        for t in instants {
            let (book, _) = h.replay_at(t);
            let earlier: Vec<Entry> =
                h.entries.iter().filter(|e| e.effective_at <= t).cloned().collect();
            let (only_earlier, _) = Book::replay(h.lots.clone(), h.holds.clone(), earlier, t);
            let b = book.balance();
            prop_assert_eq!(&b, &only_earlier.balance(), "as of {}", t);
            prop_assert_eq!(b.at, t);
            for (lot, _) in book.lots() {
                prop_assert!(lot.created_at <= t, "lot {} created after {}", lot.id, t);
            }
        }
    }
}
