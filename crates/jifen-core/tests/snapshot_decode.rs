//! A stored snapshot is read only when it could describe a real book: one whose figures do not
//! fit the arithmetic of a book (found by the `book_snapshot` fuzz target) is ignored, and the
//! member's book is replayed from the entries instead of panicking or wrapping.

use chrono::{DateTime, Utc};
use jifen_core::ledger::{SnapshotHold, SnapshotLot};
use jifen_core::{HoldRecord, Lot, Snapshot};

fn t(s: &str) -> DateTime<Utc> {
    s.parse().expect("an instant")
}

fn snapshot() -> Snapshot {
    let at = t("2026-06-18T12:00:00Z");
    Snapshot {
        seq: 3,
        at,
        next_lot: 2,
        debt: 0,
        earned: 268,
        redeemed: 0,
        clawed_back: 0,
        written_off: 0,
        lots: vec![SnapshotLot {
            lot: Lot {
                id: 1,
                amount: 268,
                available_at: at,
                expires_at: Some(t("2027-06-18T12:00:00Z")),
                order_id: Some("T-1001".into()),
                created_at: at,
            },
            free: 168,
            expiry_recorded: 0,
        }],
        holds: vec![hold("checkout-77", 100)],
        credited: vec![("T-1001".into(), 268)],
    }
}

fn hold(id: &str, points: i64) -> SnapshotHold {
    let at = t("2026-06-18T12:00:00Z");
    SnapshotHold {
        record: HoldRecord {
            id: id.into(),
            points,
            created_at: at,
            deadline: t("2026-06-18T12:15:00Z"),
        },
        parts: vec![(1, points)],
    }
}

fn decodes(s: &Snapshot) -> bool {
    Snapshot::decode(&s.encode()).is_some()
}

#[test]
fn a_real_book_s_snapshot_decodes() {
    let s = snapshot();
    assert_eq!(Snapshot::decode(&s.encode()), Some(s));
}

/// The fuzzer's input: two pending holds whose parts add up past `i64::MAX`; the balance
/// summed them and panicked (in release, wrapped).
#[test]
fn holds_whose_parts_overflow_are_ignored() {
    let input = include_bytes!("../../../fuzz/regressions/book_snapshot/held-parts-overflow");
    assert_eq!(Snapshot::decode(input), None);
    jifen_core::fuzzing::book_snapshot(input);

    let mut s = snapshot();
    s.holds = vec![hold("a", i64::MAX), hold("b", i64::MAX)];
    assert!(!decodes(&s));
}

#[test]
fn figures_that_cannot_add_up_are_ignored() {
    let mut s = snapshot();
    s.lots[0].free = i64::MAX;
    s.debt = 1;
    assert!(!decodes(&s), "free points and debt past i64");
    let mut s = snapshot();
    s.lots[0].expiry_recorded = i64::MIN;
    assert!(!decodes(&s), "i64::MIN has no absolute value");
    let mut s = snapshot();
    s.credited.push(("T-1002".into(), i64::MAX));
    assert!(!decodes(&s), "credited past i64");
}

#[test]
fn counters_and_instants_out_of_a_book_s_range_are_ignored() {
    let mut s = snapshot();
    s.seq = i64::MAX;
    assert!(!decodes(&s), "no next entry");
    let mut s = snapshot();
    s.next_lot = i64::MAX;
    assert!(!decodes(&s), "no next lot");
    let mut s = snapshot();
    s.lots[0].lot.id = 2;
    assert!(!decodes(&s), "a lot at or past next_lot");
    let mut s = snapshot();
    s.at = DateTime::<Utc>::MAX_UTC;
    assert!(
        !decodes(&s),
        "the balance looks 30 days past the end of time"
    );
    let mut s = snapshot();
    s.holds[0].record.deadline = DateTime::<Utc>::MIN_UTC;
    assert!(!decodes(&s), "a deadline before year 1");
}

/// The fuzzer's input: a sound snapshot with an expired lot of nearly `i64::MAX` points. Once
/// the expiry is recorded, the lot's points and their recorded expiry together pass `i64`: the
/// book's next snapshot is not sound, and reading it falls back to replay instead of trusting
/// figures that cannot be added.
#[test]
fn a_book_near_i64_saves_a_snapshot_that_is_ignored() {
    let input = include_bytes!("../../../fuzz/regressions/book_snapshot/expired-near-i64-max");
    let snapshot = Snapshot::decode(input).expect("the input is sound");
    let mut book = jifen_core::Book::from_snapshot(snapshot);
    book.advance_to(t("2026-06-18T12:00:00Z"));
    assert_eq!(book.record_expiries().len(), 1);
    let saved = book.snapshot();
    assert!(!saved.is_sound());
    assert_eq!(Snapshot::decode(&saved.encode()), None);
    jifen_core::fuzzing::book_snapshot(input);
}
