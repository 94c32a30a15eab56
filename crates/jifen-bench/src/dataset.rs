//! A realistic synthetic program, loaded straight through the store: purchase frequency with a
//! power-law tail (a few members buy very often), order amounts log-normal around ¥150, a 6.18
//! spike, refunds on about 5% of orders, a mix of sites, and redemptions.

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Duration, TimeZone, Utc};
use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, LogNormal, Pareto};
use serde::Serialize;

use jifen_core::{Book, Cause, CauseKind, EntryKind, NegativeBalance, NewLot, PointPolicy};
use jifen_store::{BulkMember, EventRecord, LedgerRows, Order, Store};

/// What to build.
#[derive(Debug, Clone)]
pub struct DatasetSpec {
    pub members: u64,
    /// Mean ledger entries per member (the tail is long; the mean holds).
    pub entries_per_member: f64,
    pub seed: u64,
    /// Instant the history ends at.
    pub now: DateTime<Utc>,
    pub progress: bool,
}

/// What was built.
#[derive(Debug, Clone, Serialize)]
pub struct DatasetInfo {
    pub program_id: String,
    #[serde(skip)]
    pub key: String,
    pub members: u64,
    pub orders: u64,
    pub lots: u64,
    pub entries: u64,
    pub seconds: f64,
}

const SITES: [(&str, f64); 5] = [
    ("tmall", 0.40),
    ("taobao", 0.20),
    ("wechat_mp", 0.25),
    ("store:sh-001", 0.10),
    ("livestream", 0.05),
];

/// The external id of the n-th member of a dataset.
pub fn member_id(n: u64) -> String {
    format!("m{n:08}")
}

/// Members loaded per transaction.
const CHUNK: u64 = 2_000;

/// Builds the dataset into `store` under a new program; returns it with a key.
pub async fn build(store: Arc<dyn Store>, spec: &DatasetSpec) -> anyhow::Result<DatasetInfo> {
    let started = Instant::now();
    let clock = Arc::new(jifen_server::ManualClock::new(spec.now));
    let (program, key) = jifen_server::serve::create_program(
        store.clone(),
        clock,
        "Benchmark Brand",
        "Asia/Shanghai",
        "CNY",
    )
    .await?;
    let bar = if spec.progress {
        let b = ProgressBar::new(spec.members);
        b.set_style(
            ProgressStyle::with_template(
                "{msg} [{bar:40}] {pos}/{len} members ({per_sec}, eta {eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        b.set_message("loading");
        b
    } else {
        ProgressBar::hidden()
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<BulkMember>>(2);
    let gen_spec = spec.clone();
    let generator = tokio::task::spawn_blocking(move || {
        let mut start = 0;
        while start < gen_spec.members {
            let end = (start + CHUNK).min(gen_spec.members);
            let chunk: Vec<BulkMember> = (start..end).map(|n| member(&gen_spec, n)).collect();
            if tx.blocking_send(chunk).is_err() {
                break;
            }
            start = end;
        }
    });
    let (mut orders, mut lots, mut entries) = (0u64, 0u64, 0u64);
    store.start_bulk_load().await?;
    while let Some(chunk) = rx.recv().await {
        for m in &chunk {
            orders += m.orders.len() as u64;
            lots += m.ledger.lots.len() as u64;
            entries += m.ledger.entries.len() as u64;
        }
        store.bulk_load(&program.id, &chunk).await?;
        bar.inc(chunk.len() as u64);
    }
    generator.await?;
    bar.set_message("indexing");
    store.finish_bulk_load().await?;
    bar.finish_and_clear();
    Ok(DatasetInfo {
        program_id: program.id,
        key,
        members: spec.members,
        orders,
        lots,
        entries,
        seconds: started.elapsed().as_secs_f64(),
    })
}

fn pick_site(rng: &mut StdRng) -> &'static str {
    let mut x: f64 = rng.random();
    for (site, p) in SITES {
        if x < p {
            return site;
        }
        x -= p;
    }
    "app"
}

/// One member's history, decided by jifen-core exactly as live requests would be.
fn member(spec: &DatasetSpec, n: u64) -> BulkMember {
    let mut rng = StdRng::seed_from_u64(spec.seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    // Pareto(1, 1.5) has mean 3; about 1.2 entries per order on average.
    let activity: f64 = Pareto::new(1.0, 1.5)
        .map(|d| d.sample(&mut rng))
        .unwrap_or(1.0);
    let orders_n =
        ((activity * spec.entries_per_member / 3.0 / 1.2).round() as usize).clamp(1, 5_000);
    let amount = LogNormal::new((15_000f64).ln(), 0.6).expect("log-normal");
    let year_start = spec.now - Duration::days(365);
    let spike_start = Utc
        .with_ymd_and_hms(2026, 5, 31, 16, 0, 0)
        .single()
        .unwrap_or(year_start);
    let mut times: Vec<DateTime<Utc>> = (0..orders_n)
        .map(|_| {
            if rng.random_bool(0.15) && spike_start > year_start && spike_start < spec.now {
                spike_start + Duration::seconds(rng.random_range(0..18 * 86_400))
            } else {
                year_start + Duration::seconds(rng.random_range(0..365 * 86_400))
            }
        })
        .collect();
    times.sort();
    let policy = PointPolicy {
        expiry: jifen_core::ExpiryPolicy::RollingDays { days: 365 },
        ..PointPolicy::default()
    };
    let external_id = member_id(n);
    let enrolled = times.first().copied().unwrap_or(year_start) - Duration::days(1);
    let mut book = Book::new(enrolled);
    let mut all = Vec::new();
    let mut orders = Vec::with_capacity(orders_n);
    let mut events = Vec::with_capacity(orders_n);
    for (i, at) in times.into_iter().enumerate() {
        all.extend(book.advance_to(at));
        let order_id = format!("{external_id}-o{i}");
        let fen = (amount.sample(&mut rng) as i64).clamp(100, 5_000_000);
        let event_id = format!("{external_id}-e{i}");
        let cause = Cause::new(CauseKind::Event, event_id.clone());
        all.extend(book.earn(
            NewLot {
                points: PointPolicy::order_points(1, fen),
                available_at: policy.available_at(at),
                expires_at: policy.expires_at(at, chrono_tz::Asia::Shanghai),
                order_id: Some(order_id.clone()),
            },
            EntryKind::Earn,
            &cause,
        ));
        let site = pick_site(&mut rng);
        events.push(EventRecord {
            program_id: String::new(),
            id: event_id,
            member_id: None,
            kind: "purchase".into(),
            occurred_at: at,
            site: Some(site.into()),
            attributes: serde_json::json!({"order_id": order_id, "amount": fen}),
            recorded_at: at,
        });
        let mut refunded = 0;
        if rng.random_bool(0.05) {
            refunded = if rng.random_bool(0.5) { fen } else { fen / 2 };
            let owed =
                book.order_credited(&order_id) - PointPolicy::order_points(1, fen - refunded);
            let c = Cause::new(CauseKind::Event, format!("{external_id}-r{i}"));
            all.extend(book.clawback(&order_id, owed, NegativeBalance::Allow, &c));
        }
        orders.push(Order {
            program_id: String::new(),
            order_id,
            member_id: None,
            guest_ref: None,
            amount: fen,
            refunded,
            points_per_yuan: 1,
            points: Some(PointPolicy::order_points(1, fen)),
            occurred_at: at,
        });
        if i % 6 == 5 {
            let c = Cause::new(CauseKind::Redemption, format!("{external_id}-x{i}"));
            if let Ok(e) = book.redeem(book.balance().available.clamp(1, 300), &c) {
                all.extend(e);
            }
        }
    }
    let (lots, holds) = book.take_new_records();
    let snapshot = book.snapshot();
    let saved = (snapshot.seq, snapshot.encode(), book.next_due());
    let phone = Some(format!("+861{:010}", 3_000_000_000 + n));
    BulkMember {
        external_id,
        phone,
        enrolled_at: Some(enrolled),
        ledger: LedgerRows {
            lots,
            holds,
            entries: all,
        },
        orders,
        events,
        book: Some(saved),
    }
}
