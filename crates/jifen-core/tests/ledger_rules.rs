//! One focused test per ledger rule. Every scenario also checks that replaying what was
//! persisted rebuilds the live balance.

mod common;

use common::*;
use jifen_core::{CauseKind, EntryKind, Expiring, HoldStatus, LedgerError};

use EntryKind::{Adjust, Clawback, Earn, Redeem, Release, Repay, WriteOff};

// ---------------------------------------------------------------------------------------------
// Lot timing
// ---------------------------------------------------------------------------------------------

#[test]
fn lot_is_pending_then_available_then_expired() {
    let mut h = Harness::new(day(0));
    h.earn(100, Some("o1"), day(7), Some(day(30)));

    let cases = [
        (day(0), (0, 100, 0)),
        (day(7) - secs(1), (0, 100, 0)),
        (day(7), (100, 0, 0)),
        (day(30) - secs(1), (100, 0, 0)),
        (day(30), (0, 0, 100)),
        (day(45), (0, 0, 100)),
    ];
    for (t, (available, pending, expired)) in cases {
        h.advance_to(t);
        let b = h.balance();
        assert_eq!(
            (b.available, b.pending, b.expired),
            (available, pending, expired),
            "at {t}"
        );
        assert_eq!(h.balance_at(t), b, "replay at {t}");
    }
    h.assert_replay_matches();
}

#[test]
fn lot_expiring_before_it_is_available_is_never_available() {
    let mut h = Harness::new(day(0));
    h.earn(10, Some("o1"), day(5), Some(day(3)));
    assert_eq!(figures(&h.balance()), (0, 10, 0, 0));
    h.advance_to(day(3));
    assert_eq!(figures(&h.balance()), (0, 0, 0, 0));
    h.advance_to(day(6));
    assert_eq!((h.balance().available, h.balance().expired), (0, 10));
    h.assert_replay_matches();
}

// ---------------------------------------------------------------------------------------------
// Clawback
// ---------------------------------------------------------------------------------------------

#[test]
fn clawback_takes_own_lot_then_available_then_pending_soonest_expiry_first() {
    let mut h = Harness::new(day(0));
    // Lot 1 is the refunded order's; a checkout hold took 55 of its 60 points.
    h.earn_now(60, "o", Some(day(2)));
    h.place_hold("h1", 55, day(1)).unwrap();
    h.earn_now(10, "a", None); // lot 2: never expires, so last among available
    h.earn_now(10, "b", Some(day(20))); // lot 3
    h.earn_now(10, "c", Some(day(10))); // lot 4: ties with lot 5, older
    h.earn_now(10, "d", Some(day(10))); // lot 5
    h.earn(10, Some("e"), day(3), Some(day(8))); // lot 6: pending
    h.earn(10, Some("f"), day(3), Some(day(30))); // lot 7: pending
    h.earn(10, Some("x"), day(0), Some(day(0))); // lot 8: expired when recorded
    assert_eq!(figures(&h.balance()), (45, 20, 55, 0));

    let out = h.clawback("o", 60, ALLOW);
    assert_eq!(
        moves(&out),
        vec![
            (Clawback, Some(1), -5),
            (Clawback, Some(4), -10),
            (Clawback, Some(5), -10),
            (Clawback, Some(3), -10),
            (Clawback, Some(2), -10),
            (Clawback, Some(6), -10),
            (Clawback, Some(7), -5),
        ]
    );
    assert!(out.iter().all(|e| e.order_id.as_deref() == Some("o")));
    let b = h.balance();
    assert_eq!(figures(&b), (0, 5, 55, 0));
    assert_eq!((b.expired, b.clawed_back), (10, 60));
    assert_eq!(h.book.order_credited("o"), 0);
    assert_eq!(
        h.book.hold_held("h1"),
        Some(55),
        "held points are not clawed back"
    );
    h.assert_replay_matches();
}

#[test]
fn clawback_takes_own_pending_lot_before_other_available_lots() {
    let mut h = Harness::new(day(0));
    h.earn_now(50, "a", Some(day(5)));
    h.earn(30, Some("o"), day(7), None);
    let out = h.clawback("o", 40, ALLOW);
    assert_eq!(
        moves(&out),
        vec![(Clawback, Some(2), -30), (Clawback, Some(1), -10)]
    );
    assert_eq!(figures(&h.balance()), (40, 0, 0, 0));
    h.assert_replay_matches();
}

#[test]
fn clawback_skips_own_expired_lot() {
    let mut h = Harness::new(day(0));
    h.earn_now(50, "o", Some(day(5)));
    h.earn_now(50, "a", None);
    h.advance_to(day(5));
    let out = h.clawback("o", 20, ALLOW);
    assert_eq!(moves(&out), vec![(Clawback, Some(2), -20)]);
    let b = h.balance();
    assert_eq!((b.available, b.expired), (30, 50));
    h.assert_replay_matches();
}

#[test]
fn clawback_shortfall_becomes_debt_when_allowed() {
    let mut h = Harness::new(day(0));
    h.earn_now(50, "o", None);
    h.redeem(40).unwrap();
    let out = h.clawback("o", 50, ALLOW);
    assert_eq!(
        moves(&out),
        vec![(Clawback, Some(1), -10), (Clawback, None, -40)]
    );
    let b = h.balance();
    assert_eq!(figures(&b), (0, 0, 0, 40));
    assert_eq!((b.clawed_back, b.written_off), (50, 0));
    assert_eq!(h.book.order_credited("o"), 0);
    h.assert_replay_matches();
}

#[test]
fn clawback_shortfall_is_written_off_when_forbidden() {
    let mut h = Harness::new(day(0));
    h.earn_now(50, "o", None);
    h.redeem(40).unwrap();
    let out = h.clawback("o", 50, FORBID);
    assert_eq!(
        moves(&out),
        vec![(Clawback, Some(1), -10), (WriteOff, None, -40)]
    );
    let b = h.balance();
    assert_eq!(figures(&b), (0, 0, 0, 0));
    assert_eq!((b.clawed_back, b.written_off), (10, 40));
    assert_eq!(h.book.order_credited("o"), 0);
    // Nothing is owed, so the next earn is not used for repayment.
    let out = h.earn_now(5, "p", None);
    assert_eq!(moves(&out), vec![(Earn, Some(2), 5)]);
    assert_eq!(h.balance().available, 5);
    h.assert_replay_matches();
}

// ---------------------------------------------------------------------------------------------
// Debt repayment by credits
// ---------------------------------------------------------------------------------------------

/// A book owing `debt` points, with nothing left: `debt` clawed back from a spent order.
fn in_debt(debt: i64) -> Harness {
    let mut h = Harness::new(day(0));
    h.earn_now(debt, "spent", None);
    h.redeem(debt).unwrap();
    h.clawback("spent", debt, ALLOW);
    assert_eq!(figures(&h.balance()), (0, 0, 0, debt));
    h
}

#[test]
fn earn_repays_debt_at_once_available_then_pending_lot() {
    let mut h = in_debt(40);
    let out = h.earn_now(30, "o2", Some(day(60)));
    assert_eq!(
        moves(&out),
        vec![(Earn, Some(2), 30), (Repay, Some(2), -30)]
    );
    assert_eq!(figures(&h.balance()), (0, 0, 0, 10));

    // A pending lot repays too, so no pending points show while in debt.
    let out = h.earn(25, Some("o3"), day(5), None);
    assert_eq!(
        moves(&out),
        vec![(Earn, Some(3), 25), (Repay, Some(3), -10)]
    );
    assert_eq!(figures(&h.balance()), (0, 15, 0, 0));
    assert_eq!(h.balance().lifetime_earned, 40 + 30 + 25);
    h.assert_replay_matches();
}

#[test]
fn positive_adjustment_repays_debt() {
    let mut h = in_debt(40);
    let now = h.now();
    let out = h.adjust_up(100, now, None);
    assert_eq!(
        moves(&out),
        vec![(Adjust, Some(2), 100), (Repay, Some(2), -40)]
    );
    assert_eq!(figures(&h.balance()), (60, 0, 0, 0));
    h.assert_replay_matches();
}

#[test]
fn lot_expired_when_recorded_repays_nothing() {
    let mut h = in_debt(40);
    h.advance_to(day(10));
    let out = h.earn(20, Some("late"), day(1), Some(day(9)));
    assert_eq!(moves(&out), vec![(Earn, Some(2), 20)]);
    let b = h.balance();
    assert_eq!(figures(&b), (0, 0, 0, 40));
    assert_eq!(b.expired, 20);
    h.assert_replay_matches();
}

/// Lot 1 ("a", 100, expires day 20) and lot 2 ("b", 50, expires day 10) both fully held by
/// "h" (50 from lot 2, 70 from lot 1, 30 of lot 1 free); then order "a" is refunded in full:
/// 30 come from lot 1, 70 become debt.
fn debt_with_pending_hold() -> Harness {
    let mut h = Harness::new(day(0));
    h.earn_now(100, "a", Some(day(20)));
    h.earn_now(50, "b", Some(day(10)));
    let out = h.place_hold("h", 120, day(2)).unwrap();
    assert_eq!(
        moves(&out),
        vec![
            (EntryKind::Hold, Some(2), -50),
            (EntryKind::Hold, Some(1), -70)
        ]
    );
    let out = h.clawback("a", 100, ALLOW);
    assert_eq!(
        moves(&out),
        vec![(Clawback, Some(1), -30), (Clawback, None, -70)]
    );
    assert_eq!(figures(&h.balance()), (0, 0, 120, 70));
    h
}

#[test]
fn void_releases_into_debt_soonest_expiry_first() {
    let mut h = debt_with_pending_hold();
    let out = h.void("h").unwrap();
    assert_eq!(
        moves(&out),
        vec![
            (Release, Some(2), 50),
            (Repay, Some(2), -50),
            (Release, Some(1), 70),
            (Repay, Some(1), -20),
        ]
    );
    assert_eq!(figures(&h.balance()), (50, 0, 0, 0));
    assert_eq!(h.book.hold_status("h"), Some(HoldStatus::Voided));
    h.assert_replay_matches();
}

#[test]
fn partial_commit_redeems_soonest_expiry_first_and_rest_repays_debt() {
    let mut h = debt_with_pending_hold();
    let out = h.commit("h", Some(60)).unwrap();
    assert_eq!(
        moves(&out),
        vec![
            (Redeem, Some(2), -50),
            (Redeem, Some(1), -10),
            (Release, Some(1), 60),
            (Repay, Some(1), -60),
        ]
    );
    let b = h.balance();
    assert_eq!(figures(&b), (0, 0, 0, 10));
    assert_eq!(b.lifetime_redeemed, 60);
    assert_eq!(h.book.hold_status("h"), Some(HoldStatus::Committed));
    assert_eq!(h.book.hold_held("h"), Some(0));
    h.assert_replay_matches();
}

#[test]
fn deadline_release_repays_debt() {
    let mut h = debt_with_pending_hold();
    let out = h.advance_to(day(3));
    assert_eq!(
        moves(&out),
        vec![
            (Release, Some(2), 50),
            (Repay, Some(2), -50),
            (Release, Some(1), 70),
            (Repay, Some(1), -20),
        ]
    );
    for e in &out {
        assert_eq!(e.cause.kind, CauseKind::HoldDeadline);
        assert_eq!(e.effective_at, day(2));
    }
    assert_eq!(figures(&h.balance()), (50, 0, 0, 0));
    assert_eq!(h.book.hold_status("h"), Some(HoldStatus::Expired));
    h.assert_replay_matches();
}

#[test]
fn released_points_of_an_expired_lot_are_expired_and_repay_nothing() {
    let mut h = Harness::new(day(0));
    h.earn_now(50, "a", Some(day(5))); // lot 1
    h.earn_now(40, "b", None); // lot 2
    h.place_hold("h", 90, day(10)).unwrap();
    h.clawback("b", 40, ALLOW);
    assert_eq!(figures(&h.balance()), (0, 0, 90, 40));

    let out = h.advance_to(day(12));
    assert_eq!(
        moves(&out),
        vec![
            (Release, Some(1), 50),
            (Release, Some(2), 40),
            (Repay, Some(2), -40)
        ]
    );
    let b = h.balance();
    assert_eq!(figures(&b), (0, 0, 0, 0));
    assert_eq!(b.expired, 50);
    h.assert_replay_matches();
}

#[test]
fn void_after_lot_expiry_returns_points_as_expired() {
    let mut h = Harness::new(day(0));
    h.earn_now(50, "a", Some(day(5)));
    h.place_hold("h", 30, day(10)).unwrap();
    h.advance_to(day(6));
    assert_eq!(
        (h.balance().held, h.balance().expired),
        (30, 20),
        "held points of an expired lot stay held"
    );
    h.void("h").unwrap();
    let b = h.balance();
    assert_eq!((b.available, b.held, b.expired), (0, 0, 50));
    h.assert_replay_matches();
}

#[test]
fn held_points_stay_spendable_by_commit_after_their_lot_expires() {
    let mut h = Harness::new(day(0));
    h.earn_now(50, "a", Some(day(5)));
    h.place_hold("h", 50, day(10)).unwrap();
    h.advance_to(day(6));
    let out = h.commit("h", None).unwrap();
    assert_eq!(moves(&out), vec![(Redeem, Some(1), -50)]);
    let b = h.balance();
    assert_eq!((b.held, b.expired, b.lifetime_redeemed), (0, 0, 50));
    h.assert_replay_matches();
}

// ---------------------------------------------------------------------------------------------
// Redeem and negative adjustments
// ---------------------------------------------------------------------------------------------

#[test]
fn redeem_takes_available_soonest_expiry_first() {
    let mut h = Harness::new(day(0));
    h.earn_now(10, "a", None); // lot 1
    h.earn_now(10, "b", Some(day(9))); // lot 2
    h.earn_now(10, "c", Some(day(3))); // lot 3
    h.earn_now(10, "d", Some(day(9))); // lot 4
    h.earn(10, Some("e"), day(1), Some(day(2))); // lot 5: pending, never touched
    let out = h.redeem(35).unwrap();
    assert_eq!(
        moves(&out),
        vec![
            (Redeem, Some(3), -10),
            (Redeem, Some(2), -10),
            (Redeem, Some(4), -10),
            (Redeem, Some(1), -5),
        ]
    );
    assert_eq!(figures(&h.balance()), (5, 10, 0, 0));
    h.assert_replay_matches();
}

#[test]
fn redeem_beyond_available_changes_nothing() {
    let mut h = Harness::new(day(0));
    h.earn_now(30, "a", None);
    h.earn(100, Some("b"), day(5), None);
    h.place_hold("h", 10, day(1)).unwrap();
    let before = h.snapshot();
    assert_eq!(
        h.redeem(21),
        Err(LedgerError::InsufficientPoints {
            available: 20,
            requested: 21
        })
    );
    assert_eq!(h.snapshot(), before);
    assert_eq!(h.redeem(0), Err(LedgerError::NonPositivePoints));
    assert_eq!(h.snapshot(), before);
    h.assert_replay_matches();
}

#[test]
fn redeem_in_debt_is_refused() {
    let mut h = in_debt(10);
    let before = h.snapshot();
    assert_eq!(
        h.redeem(1),
        Err(LedgerError::InsufficientPoints {
            available: 0,
            requested: 1
        })
    );
    assert_eq!(h.snapshot(), before);
    h.assert_replay_matches();
}

#[test]
fn adjust_down_takes_available_then_pending_then_debt() {
    let mut h = Harness::new(day(0));
    h.earn_now(10, "a", Some(day(9))); // lot 1
    h.earn(10, Some("b"), day(2), Some(day(4))); // lot 2: pending
    h.earn_now(10, "c", Some(day(4))); // lot 3
    let out = h.adjust_down(35, ALLOW).unwrap();
    assert_eq!(
        moves(&out),
        vec![
            (Adjust, Some(3), -10),
            (Adjust, Some(1), -10),
            (Adjust, Some(2), -10),
            (Adjust, None, -5),
        ]
    );
    assert_eq!(figures(&h.balance()), (0, 0, 0, 5));
    // Further debt adds up; the next credit repays all of it.
    h.adjust_down(3, ALLOW).unwrap();
    let out = h.earn_now(20, "d", None);
    assert_eq!(moves(&out), vec![(Earn, Some(4), 20), (Repay, Some(4), -8)]);
    assert_eq!(figures(&h.balance()), (12, 0, 0, 0));
    h.assert_replay_matches();
}

#[test]
fn adjust_down_beyond_points_is_refused_when_debt_forbidden() {
    let mut h = Harness::new(day(0));
    h.earn_now(10, "a", None);
    h.earn(10, Some("b"), day(2), None);
    let before = h.snapshot();
    assert_eq!(
        h.adjust_down(21, FORBID),
        Err(LedgerError::InsufficientPoints {
            available: 20,
            requested: 21
        })
    );
    assert_eq!(h.snapshot(), before);
    h.adjust_down(20, FORBID).unwrap();
    assert_eq!(figures(&h.balance()), (0, 0, 0, 0));
    h.assert_replay_matches();
}

// ---------------------------------------------------------------------------------------------
// Holds
// ---------------------------------------------------------------------------------------------

#[test]
fn hold_reserves_available_points_soonest_expiry_first() {
    let mut h = Harness::new(day(0));
    h.earn_now(10, "a", None);
    h.earn_now(10, "b", Some(day(8)));
    h.earn(10, Some("c"), day(1), Some(day(2)));
    let out = h.place_hold("h", 15, day(1)).unwrap();
    assert_eq!(
        moves(&out),
        vec![
            (EntryKind::Hold, Some(2), -10),
            (EntryKind::Hold, Some(1), -5)
        ]
    );
    assert!(out.iter().all(|e| e.hold.as_deref() == Some("h")));
    assert_eq!(figures(&h.balance()), (5, 10, 15, 0));
    assert_eq!(h.book.hold_status("h"), Some(HoldStatus::Pending));
    assert_eq!(h.book.hold_held("h"), Some(15));
    h.assert_replay_matches();
}

#[test]
fn refused_holds_change_nothing() {
    let mut h = Harness::new(day(0));
    h.earn_now(10, "a", None);
    h.earn(50, Some("b"), day(1), None);
    h.place_hold("h", 4, day(1)).unwrap();
    let before = h.snapshot();
    assert_eq!(
        h.place_hold("h2", 7, day(1)),
        Err(LedgerError::InsufficientPoints {
            available: 6,
            requested: 7
        })
    );
    assert_eq!(h.book.hold_status("h2"), None);
    assert_eq!(
        h.place_hold("h", 1, day(1)),
        Err(LedgerError::HoldExists("h".into()))
    );
    assert_eq!(
        h.commit("h", Some(5)),
        Err(LedgerError::CommitExceedsHold {
            id: "h".into(),
            held: 4,
            requested: 5
        })
    );
    assert_eq!(h.commit("h", Some(0)), Err(LedgerError::NonPositivePoints));
    assert_eq!(
        h.commit("nope", None),
        Err(LedgerError::HoldNotFound("nope".into()))
    );
    assert_eq!(h.snapshot(), before);

    h.void("h").unwrap();
    let after_void = h.snapshot();
    assert_eq!(
        h.commit("h", None),
        Err(LedgerError::HoldNotPending {
            id: "h".into(),
            status: HoldStatus::Voided
        })
    );
    assert!(matches!(
        h.void("h"),
        Err(LedgerError::HoldNotPending { .. })
    ));
    assert_eq!(h.snapshot(), after_void);
    h.assert_replay_matches();
}

#[test]
fn hold_deadline_must_be_after_now() {
    let mut h = Harness::new(day(0));
    h.earn_now(50, "a", None);
    let before = h.snapshot();
    // Such a hold is expired as of now: replay would say so, so placing it is refused.
    for deadline in [day(0), day(0) - hours(5)] {
        assert_eq!(
            h.place_hold("h", 20, deadline),
            Err(LedgerError::HoldNotPending {
                id: "h".into(),
                status: HoldStatus::Expired
            })
        );
        assert_eq!(h.snapshot(), before);
    }
    h.place_hold("h", 20, day(0) + secs(1)).unwrap();
    assert_eq!(figures(&h.balance()), (30, 0, 20, 0));
    h.assert_replay_matches();
    assert_eq!(h.advance_to(day(0) + secs(1)).len(), 1);
    assert_eq!(figures(&h.balance()), (50, 0, 0, 0));
    h.assert_replay_matches();
}

#[test]
fn partial_commit_redeems_part_and_releases_rest() {
    let mut h = Harness::new(day(0));
    h.earn_now(100, "a", None);
    h.place_hold("h", 80, day(1)).unwrap();
    let out = h.commit("h", Some(30)).unwrap();
    assert_eq!(
        moves(&out),
        vec![(Redeem, Some(1), -30), (Release, Some(1), 50)]
    );
    assert!(out.iter().all(|e| e.hold.as_deref() == Some("h")));
    let b = h.balance();
    assert_eq!(figures(&b), (70, 0, 0, 0));
    assert_eq!(b.lifetime_redeemed, 30);
    assert_eq!(h.book.hold_status("h"), Some(HoldStatus::Committed));
    // A committed hold is not released again at its deadline.
    assert!(h.advance_to(day(2)).is_empty());
    assert_eq!(h.balance().available, 70);
    h.assert_replay_matches();
}

#[test]
fn deadline_releases_hold_as_of_any_instant() {
    let mut h = Harness::new(day(0));
    h.earn_now(50, "a", None);
    let deadline = day(1) + hours(6);
    h.place_hold("h", 50, deadline).unwrap();
    let released = h.advance_to(day(5));
    assert_eq!(moves(&released), vec![(Release, Some(1), 50)]);
    assert_eq!(released[0].effective_at, deadline);
    h.assert_replay_matches();

    for (t, status, (available, held)) in [
        (day(1), HoldStatus::Pending, (0, 50)),
        (deadline - secs(1), HoldStatus::Pending, (0, 50)),
        (deadline, HoldStatus::Expired, (50, 0)),
        (day(3), HoldStatus::Expired, (50, 0)),
    ] {
        let (book, implied) = h.replay_at(t);
        let b = book.balance();
        assert_eq!((b.available, b.held), (available, held), "at {t}");
        assert_eq!(book.hold_status("h"), Some(status), "at {t}");
        assert!(implied.is_empty(), "the release is persisted already");
    }

    // Without the persisted release, replay derives the same entries by itself.
    let mut unrecorded = h.entries.clone();
    unrecorded.retain(|e| e.cause.kind != CauseKind::HoldDeadline);
    let (book, implied) =
        jifen_core::Book::replay(h.lots.clone(), h.holds.clone(), unrecorded, day(5));
    assert_eq!(book.balance(), h.balance());
    assert_eq!(moves(&implied), moves(&released));
    assert_eq!(implied[0].effective_at, deadline);
    assert_eq!(implied[0].cause, released[0].cause);
}

#[test]
fn operation_at_the_deadline_instant_sees_the_hold_released() {
    let mut h = Harness::new(day(0));
    h.earn_now(50, "a", None);
    h.place_hold("h", 50, day(1)).unwrap();
    h.advance_to(day(1));
    assert_eq!(h.book.hold_status("h"), Some(HoldStatus::Expired));
    h.redeem(50).unwrap();
    assert!(matches!(
        h.commit("h", None),
        Err(LedgerError::HoldNotPending { .. })
    ));
    assert_eq!(figures(&h.balance()), (0, 0, 0, 0));
    h.assert_replay_matches();
}

// ---------------------------------------------------------------------------------------------
// Replay as of an instant
// ---------------------------------------------------------------------------------------------

#[test]
fn past_instant_balance_excludes_later_entries() {
    let mut h = Harness::new(day(0));
    h.earn_now(100, "a", Some(day(20)));
    h.advance_to(day(2));
    h.redeem(30).unwrap();
    h.advance_to(day(4));
    h.earn(50, Some("b"), day(6), None);
    h.clawback("a", 10, ALLOW);
    h.assert_replay_matches();

    let figures_at = |t| {
        let b = h.balance_at(t);
        (
            b.available,
            b.pending,
            b.lifetime_earned,
            b.lifetime_redeemed,
            b.clawed_back,
        )
    };
    assert_eq!(figures_at(day(0)), (100, 0, 100, 0, 0));
    assert_eq!(figures_at(day(2) - secs(1)), (100, 0, 100, 0, 0));
    assert_eq!(figures_at(day(2)), (70, 0, 100, 30, 0));
    assert_eq!(figures_at(day(3)), (70, 0, 100, 30, 0));
    assert_eq!(figures_at(day(4)), (60, 50, 150, 30, 10));
    assert_eq!(figures_at(day(6)), (110, 0, 150, 30, 10));
    assert_eq!(figures_at(day(20)), (50, 0, 150, 30, 10));

    let (book, _) = h.replay_at(day(3));
    assert_eq!(
        book.lots().count(),
        1,
        "the lot earned on day 4 does not exist yet"
    );
    assert_eq!(book.order_credited("b"), 0);
    assert_eq!(book.balance().at, day(3));
}

#[test]
fn past_instant_shows_hold_before_it_was_committed() {
    let mut h = Harness::new(day(0));
    h.earn_now(50, "a", None);
    h.advance_to(day(1));
    h.place_hold("h", 20, day(9)).unwrap();
    h.advance_to(day(2));
    h.commit("h", None).unwrap();

    let (book, implied) = h.replay_at(day(1) - secs(1));
    assert_eq!(figures(&book.balance()), (50, 0, 0, 0));
    assert!(implied.is_empty());
    let (book, _) = h.replay_at(day(1) + hours(12));
    assert_eq!(figures(&book.balance()), (30, 0, 20, 0));
    assert_eq!(book.hold_status("h"), Some(HoldStatus::Pending));
    let (book, _) = h.replay_at(day(2));
    assert_eq!(figures(&book.balance()), (30, 0, 0, 0));
    assert_eq!(book.hold_status("h"), Some(HoldStatus::Committed));
    assert_eq!(book.balance().lifetime_redeemed, 20);
}

// ---------------------------------------------------------------------------------------------
// Expiring soon
// ---------------------------------------------------------------------------------------------

#[test]
fn expiring_lists_free_points_expiring_within_30_days() {
    let mut h = Harness::new(day(0));
    h.earn_now(30, "a", Some(day(10)));
    h.earn_now(20, "b", Some(day(10)));
    h.earn(7, Some("c"), day(3), Some(day(20))); // pending points expire too
    h.earn_now(5, "d", Some(day(30))); // exactly at the 30-day horizon
    h.earn_now(9, "e", Some(day(30) + secs(1))); // beyond the horizon
    h.earn_now(11, "f", None);
    h.earn(13, Some("g"), day(0), Some(day(0))); // already expired
    h.place_hold("h", 25, day(1)).unwrap(); // 25 of lot 1: held, not listed

    let at = |d, points| Expiring { at: day(d), points };
    assert_eq!(h.balance().expiring, vec![at(10, 25), at(20, 7), at(30, 5)]);

    h.advance_to(day(2)); // the hold is released at day 1
    assert_eq!(
        h.balance().expiring,
        vec![
            at(10, 50),
            at(20, 7),
            at(30, 5),
            Expiring {
                at: day(30) + secs(1),
                points: 9
            }
        ]
    );
    h.redeem(50).unwrap();
    assert_eq!(
        h.balance().expiring,
        vec![
            at(20, 7),
            at(30, 5),
            Expiring {
                at: day(30) + secs(1),
                points: 9
            }
        ]
    );
    h.advance_to(day(20));
    assert_eq!(
        h.balance().expiring,
        vec![
            at(30, 5),
            Expiring {
                at: day(30) + secs(1),
                points: 9
            }
        ]
    );
    h.assert_replay_matches();
}
