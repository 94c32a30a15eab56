//! The behaviour every backend must show for the dashboard's rollups: after any history, the
//! folded sums equal a direct count over the ledger, however the folds fall between writes,
//! and folding again changes nothing.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use jifen_core::{
    Book, Cause, CauseKind, EntryKind, NegativeBalance, NewLot, PointPolicy, Timestamp,
};

use crate::rollups::{self, metric};
use crate::testkit::{Backend, TestDb};
use crate::{MemberPatch, Program, Store};

const TZ: Tz = chrono_tz::Asia::Shanghai;

fn ts(text: &str) -> Timestamp {
    DateTime::parse_from_rfc3339(text)
        .expect("instant")
        .with_timezone(&Utc)
}

/// A small deterministic generator: the same history on every backend.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// The figures counted straight from the ledger: day sums, points left by expiry month, debt.
async fn direct(
    store: &Arc<dyn Store>,
    program_id: &str,
) -> (
    BTreeMap<(NaiveDate, String), i64>,
    BTreeMap<String, i64>,
    i64,
) {
    let mut days: BTreeMap<(NaiveDate, String), i64> = BTreeMap::new();
    let mut lots: BTreeMap<String, i64> = BTreeMap::new();
    let mut debt = 0;
    let members = store
        .list_members(program_id, 1_000, None)
        .await
        .expect("members");
    for m in members {
        let enrolled = rollups::day_of(m.enrolled_at, TZ);
        *days
            .entry((enrolled, metric::MEMBERS_NEW.into()))
            .or_default() += 1;
        let mut active = enrolled;
        let rows = store.ledger(m.id).await.expect("ledger");
        for e in &rows.entries {
            let day = rollups::day_of(e.effective_at, TZ);
            if let Some((name, value)) = rollups::entry_metric(e.kind, e.points) {
                *days.entry((day, name.into())).or_default() += value;
            }
            if let Some(lot) = e.lot {
                let expires = rows
                    .lots
                    .iter()
                    .find(|l| l.id == lot)
                    .and_then(|l| l.expires_at);
                *lots.entry(rollups::month_key(expires, TZ)).or_default() +=
                    rollups::lot_delta(e.kind, e.points);
            }
            debt += rollups::debt_delta(e.kind, e.points, e.lot.is_some());
            if rollups::is_activity(e.cause.kind) && day > active {
                active = day;
            }
        }
        *days
            .entry((active, metric::MEMBERS_ACTIVE.into()))
            .or_default() += 1;
    }
    days.retain(|_, v| *v != 0);
    lots.retain(|_, v| *v != 0);
    (days, lots, debt)
}

async fn folded(
    store: &Arc<dyn Store>,
    program_id: &str,
) -> (
    BTreeMap<(NaiveDate, String), i64>,
    BTreeMap<String, i64>,
    i64,
) {
    let from = NaiveDate::from_ymd_opt(2000, 1, 1).expect("day");
    let to = NaiveDate::from_ymd_opt(2100, 1, 1).expect("day");
    let days = store
        .rollup_days(program_id, from, to)
        .await
        .expect("days")
        .into_iter()
        .filter(|f| f.value != 0)
        .map(|f| ((f.day, f.metric), f.value))
        .collect();
    let lots = store
        .rollup_lots(program_id)
        .await
        .expect("lots")
        .into_iter()
        .filter(|(_, v)| *v != 0)
        .collect();
    let debt = store
        .rollup_state(program_id)
        .await
        .expect("state")
        .map_or(0, |s| s.debt);
    (days, lots, debt)
}

async fn fold_all(store: &Arc<dyn Store>, program_id: &str, now: Timestamp) {
    // A small batch, so that a fold takes several passes.
    while store.rollup_backlog(program_id, 10).await.expect("backlog") > 0 {
        store
            .fold_rollups(program_id, TZ, now, 3)
            .await
            .expect("fold");
    }
}

/// Purchases, refunds, redemptions, expiries and adjustments of a few members over weeks, in
/// the program's time zone; folds between some writes, at the end, and once more.
pub async fn rollups_equal_a_direct_count(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let start = ts("2024-03-01T10:00:00Z");
    for id in ["p", "q"] {
        store
            .create_program(&Program {
                id: id.into(),
                name: id.into(),
                timezone: TZ.name().into(),
                currency: "CNY".into(),
                policy: PointPolicy::default(),
                demo: false,
                rate_limit: None,
                created_at: start,
            })
            .await
            .expect("program");
    }
    let mut rng = Lcg(18);
    let mut members = Vec::new();
    for i in 0..7 {
        let enrolled = start + Duration::hours(7 * i);
        let (m, _) = store
            .upsert_member(
                "p",
                &MemberPatch {
                    external_id: format!("m{i}"),
                    at: enrolled,
                    ..MemberPatch::default()
                },
            )
            .await
            .expect("member");
        members.push((m.id, Book::new(enrolled), Vec::<String>::new()));
    }
    // A member of another program: its history never reaches p's sums.
    let (other, _) = store
        .upsert_member(
            "q",
            &MemberPatch {
                external_id: "x".into(),
                at: start,
                ..MemberPatch::default()
            },
        )
        .await
        .expect("member");
    let mut other_book = Book::new(start);
    let cause = Cause::new(CauseKind::Event, "q-1");
    let lot = NewLot {
        points: 999,
        available_at: start,
        expires_at: None,
        order_id: None,
    };
    let entries = other_book.earn(lot, EntryKind::Earn, &cause);
    save(&store, "q", other.id, &mut other_book, &entries).await;

    let mut now = start;
    for step in 0..120 {
        now += Duration::hours(1 + rng.below(13) as i64);
        let k = rng.below(members.len() as u64) as usize;
        let (id, book, orders) = &mut members[k];
        let mut entries = book.advance_to(now);
        let cause_id = format!("c-{step}");
        match rng.below(6) {
            0 | 1 => {
                let order = format!("o-{step}");
                let expires_at = match rng.below(3) {
                    0 => None,
                    _ => Some(now + Duration::days(3 + rng.below(40) as i64)),
                };
                let lot = NewLot {
                    points: 10 + rng.below(500) as i64,
                    available_at: now,
                    expires_at,
                    order_id: Some(order.clone()),
                };
                entries.extend(book.earn(
                    lot,
                    EntryKind::Earn,
                    &Cause::new(CauseKind::Event, cause_id),
                ));
                orders.push(order);
            }
            2 => {
                if let Some(order) = orders.pop() {
                    let negative = if rng.below(2) == 0 {
                        NegativeBalance::Allow
                    } else {
                        NegativeBalance::Forbid
                    };
                    entries.extend(book.clawback(
                        &order,
                        50 + rng.below(400) as i64,
                        negative,
                        &Cause::new(CauseKind::Event, cause_id),
                    ));
                }
            }
            3 => {
                let available = book.balance().available;
                if available > 0 {
                    let points = 1 + rng.below(available as u64) as i64;
                    entries.extend(
                        book.redeem(points, &Cause::new(CauseKind::Redemption, cause_id))
                            .expect("redeem"),
                    );
                }
            }
            4 => {
                let cause = Cause::new(CauseKind::Adjustment, cause_id);
                if rng.below(2) == 0 {
                    let lot = NewLot {
                        points: 1 + rng.below(100) as i64,
                        available_at: now,
                        expires_at: None,
                        order_id: None,
                    };
                    entries.extend(book.earn(lot, EntryKind::Adjust, &cause));
                } else if let Ok(more) =
                    book.adjust_down(1 + rng.below(80) as i64, NegativeBalance::Allow, &cause)
                {
                    entries.extend(more);
                }
            }
            _ => entries.extend(book.record_expiries()),
        }
        save(&store, "p", *id, book, &entries).await;
        if rng.below(9) == 0 {
            store
                .fold_rollups("p", TZ, now, 1 + rng.below(4) as u32)
                .await
                .expect("fold");
        }
    }
    // Expiries the maintenance job would record.
    now += Duration::days(60);
    for (id, book, _) in &mut members {
        let mut entries = book.advance_to(now);
        entries.extend(book.record_expiries());
        save(&store, "p", *id, book, &entries).await;
    }
    fold_all(&store, "p", now).await;
    let expected = direct(&store, "p").await;
    let got = folded(&store, "p").await;
    assert_eq!(got.0, expected.0, "day sums");
    assert_eq!(got.1, expected.1, "points left by expiry month");
    assert_eq!(got.2, expected.2, "debt");
    assert!(
        expected.0.keys().any(|(_, m)| m == metric::EXPIRED)
            && expected.0.keys().any(|(_, m)| m == metric::CLAWED_BACK)
            && expected.0.keys().any(|(_, m)| m == metric::REDEEMED),
        "the history covers expiries, clawbacks and redemptions: {:?}",
        expected.0.keys()
    );

    // Folding again finds nothing and changes nothing.
    let again = store
        .fold_rollups("p", TZ, now + Duration::seconds(1), 100)
        .await
        .expect("fold");
    assert_eq!(again.members, 0);
    assert_eq!(folded(&store, "p").await, got);
    let state = store.rollup_state("p").await.expect("state").expect("row");
    assert_eq!(state.folded_at, now + Duration::seconds(1));

    // Program q's history is its own.
    fold_all(&store, "q", now).await;
    let (q_days, _, _) = folded(&store, "q").await;
    assert_eq!(q_days.values().copied().max(), Some(999));
    assert_eq!(direct(&store, "q").await.0, q_days);
}

async fn save(
    store: &Arc<dyn Store>,
    program_id: &str,
    member_id: i64,
    book: &mut Book,
    entries: &[jifen_core::Entry],
) {
    let (lots, holds) = book.take_new_records();
    let mut tx = store.begin_write().await.expect("tx");
    tx.append(program_id, member_id, &lots, &holds, entries, book.now())
        .await
        .expect("append");
    let snapshot = book.snapshot();
    tx.save_book(member_id, snapshot.seq, &snapshot.encode(), book.next_due())
        .await
        .expect("book");
    tx.commit().await.expect("commit");
}
