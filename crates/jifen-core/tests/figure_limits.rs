//! Property tests at the extremes: figures near `i64::MAX` are either exact or refused with
//! `FigureOverflow` (and the book unchanged); nothing wraps and nothing panics (tests build
//! with overflow checks, so a wrap would fail them).

use chrono::{TimeZone, Utc};
use jifen_core::limits::{self, FigureOverflow, MAX_POINTS_PER_ENTRY};
use jifen_core::rules::{Factor, Rounding};
use jifen_core::{
    Book, Cause, CauseKind, EntryKind, LedgerError, NegativeBalance, NewLot, Timestamp,
};
use proptest::prelude::*;

fn now() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 6, 1, 8, 0, 0).unwrap()
}

fn lot(points: i64, order: Option<String>) -> NewLot {
    NewLot {
        points,
        available_at: now(),
        expires_at: None,
        order_id: order,
    }
}

#[derive(Debug, Clone)]
enum Op {
    Earn(i64),
    Refund(usize, i64),
    Redeem(i64),
    AdjustDown(i64),
}

/// Points from tiny to far beyond any maximum, weighted towards the edges.
fn points() -> impl Strategy<Value = i64> {
    prop_oneof![
        1i64..=1_000,
        Just(MAX_POINTS_PER_ENTRY),
        (i64::MAX - 1_000)..=i64::MAX,
        (i64::MAX / 2 - 1_000)..=(i64::MAX / 2 + 1_000),
        1i64..=i64::MAX,
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => points().prop_map(Op::Earn),
        1 => (0usize..8, points()).prop_map(|(o, p)| Op::Refund(o, p)),
        1 => points().prop_map(Op::Redeem),
        1 => points().prop_map(Op::AdjustDown),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Whatever is asked, each figure of the balance equals its exact (i128) value, and a
    /// refused operation leaves the book as it was.
    #[test]
    fn figures_are_exact_or_refused(ops in proptest::collection::vec(op(), 1..24)) {
        let mut book = Book::new(now());
        let mut earned: i128 = 0;
        let mut orders: Vec<String> = Vec::new();
        for (i, op) in ops.iter().enumerate() {
            let cause = Cause::new(CauseKind::Event, format!("e{i}"));
            let before = book.balance();
            let result = match op {
                Op::Earn(p) => {
                    let order = format!("o{i}");
                    let r = book.try_earn(lot(*p, Some(order.clone())), EntryKind::Earn, &cause);
                    if r.is_ok() {
                        orders.push(order);
                        earned += i128::from(*p);
                    } else {
                        prop_assert!(earned + i128::from(*p) > i128::from(i64::MAX));
                    }
                    r.map(|_| ())
                }
                Op::Refund(o, p) => match orders.get(*o) {
                    Some(order) => {
                        let owed = (*p).min(book.order_credited(order));
                        book.try_clawback(order, owed, NegativeBalance::Allow, &cause).map(|_| ())
                    }
                    None => Ok(()),
                },
                Op::Redeem(p) => book.redeem(*p, &cause).map(|_| ()),
                Op::AdjustDown(p) => book
                    .adjust_down(*p, NegativeBalance::Allow, &cause)
                    .map(|_| ()),
            };
            let after = book.balance();
            match result {
                Ok(()) => {}
                Err(LedgerError::FigureOverflow(FigureOverflow { .. }))
                | Err(LedgerError::InsufficientPoints { .. }) => {
                    prop_assert_eq!(&before, &after, "a refused {:?} changed the book", op);
                }
                Err(e) => prop_assert!(false, "{:?}: {}", op, e),
            }
            prop_assert_eq!(i128::from(after.lifetime_earned), earned);
            for figure in [after.available, after.pending, after.held, after.negative,
                           after.lifetime_redeemed, after.clawed_back, after.written_off] {
                prop_assert!(figure >= 0, "{:?}", after);
            }
        }
    }

    /// Per-yuan awards and multipliers never panic and never wrap, whatever the amount.
    #[test]
    fn awards_at_the_extremes_never_wrap(
        amount in prop_oneof![Just(i64::MAX), Just(i64::MIN), any::<i64>()],
        per_yuan in prop_oneof![Just(1_000_000i64), 1i64..=1_000_000],
        factor in prop_oneof![Just(1_000_000i64), 0i64..=1_000_000],
        base in any::<i64>(),
    ) {
        for rounding in [Rounding::Floor, Rounding::Nearest, Rounding::Ceil] {
            let p = rounding.per_yuan(amount, per_yuan);
            prop_assert!(p >= 0);
            let exact = i128::from(amount.max(0)) / 100 * i128::from(per_yuan);
            if exact <= i128::from(i64::MAX) && rounding == Rounding::Floor {
                prop_assert_eq!(i128::from(p), exact);
            }
        }
        let extra = Factor(factor).extra(base);
        let exact = (i128::from(base) * i128::from(factor - 1_000)).div_euclid(1_000);
        prop_assert_eq!(i128::from(extra), exact.clamp(i128::from(i64::MIN), i128::from(i64::MAX)));
    }

    /// Checked sums agree with exact ones, and refuse exactly when the exact one leaves i64.
    #[test]
    fn checked_sums_refuse_exactly_past_i64(values in proptest::collection::vec(any::<i64>(), 0..8)) {
        let exact: i128 = values.iter().map(|v| i128::from(*v)).sum();
        // Prefix sums may leave i64 before coming back: the checked sum refuses at the first.
        let mut prefix: i128 = 0;
        let mut fits = true;
        for v in &values {
            prefix += i128::from(*v);
            fits &= i64::try_from(prefix).is_ok();
        }
        match limits::sum("x", values.iter().copied()) {
            Ok(s) => prop_assert!(fits && i128::from(s) == exact),
            Err(_) => prop_assert!(!fits),
        }
        let high: i128 = values.iter().map(|v| i128::from(v >> 32)).sum();
        let low: i128 = values.iter().map(|v| i128::from(v & 0xFFFF_FFFF)).sum();
        prop_assert_eq!(
            limits::from_halves(i64::try_from(high).unwrap(), i64::try_from(low).unwrap()),
            exact
        );
    }
}
