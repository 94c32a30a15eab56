//! Micro-benchmarks of the core ledger: replaying a member's book, and the operations a request
//! decides with.

use chrono::{DateTime, Duration, Utc};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use jifen_core::{Book, Cause, CauseKind, Entry, EntryKind, HoldRecord, Lot, NewLot};

fn t0() -> DateTime<Utc> {
    "2026-01-01T00:00:00Z".parse().expect("instant")
}

/// A member with `orders` purchases (every 10th refunded, every 5th followed by a redemption).
fn history(orders: usize) -> (Vec<Lot>, Vec<HoldRecord>, Vec<Entry>, DateTime<Utc>) {
    let mut book = Book::new(t0());
    let mut entries = Vec::new();
    for i in 0..orders {
        let now = t0() + Duration::hours(i as i64 * 7);
        entries.extend(book.advance_to(now));
        let cause = Cause::new(CauseKind::Event, format!("e{i}"));
        entries.extend(book.earn(
            NewLot {
                points: 150,
                available_at: now,
                expires_at: Some(now + Duration::days(365)),
                order_id: Some(format!("o{i}")),
            },
            EntryKind::Earn,
            &cause,
        ));
        if i % 10 == 9 {
            let c = Cause::new(CauseKind::Event, format!("r{i}"));
            entries.extend(book.clawback(
                &format!("o{i}"),
                50,
                jifen_core::NegativeBalance::Allow,
                &c,
            ));
        }
        if i % 5 == 4 {
            let c = Cause::new(CauseKind::Redemption, format!("x{i}"));
            entries.extend(book.redeem(200, &c).unwrap_or_default());
        }
    }
    let now = book.now();
    let (lots, holds) = book.take_new_records();
    (lots, holds, entries, now)
}

fn bench(c: &mut Criterion) {
    for orders in [10usize, 50, 200] {
        let (lots, holds, entries, now) = history(orders);
        c.bench_function(&format!("replay_{}_entries", entries.len()), |b| {
            b.iter_batched(
                || (lots.clone(), holds.clone(), entries.clone()),
                |(l, h, e)| Book::replay(l, h, e, now),
                BatchSize::SmallInput,
            )
        });
        let (book, _) = Book::replay(lots.clone(), holds.clone(), entries.clone(), now);
        c.bench_function(&format!("balance_{orders}_orders"), |b| {
            b.iter(|| book.balance())
        });
        c.bench_function(&format!("earn_{orders}_orders"), |b| {
            b.iter_batched(
                || book.clone(),
                |mut bk| {
                    let cause = Cause::new(CauseKind::Event, "bench");
                    bk.earn(
                        NewLot {
                            points: 100,
                            available_at: now,
                            expires_at: None,
                            order_id: Some("bench".into()),
                        },
                        EntryKind::Earn,
                        &cause,
                    )
                },
                BatchSize::SmallInput,
            )
        });
        c.bench_function(&format!("redeem_{orders}_orders"), |b| {
            b.iter_batched(
                || book.clone(),
                |mut bk| bk.redeem(10, &Cause::new(CauseKind::Redemption, "bench")),
                BatchSize::SmallInput,
            )
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
