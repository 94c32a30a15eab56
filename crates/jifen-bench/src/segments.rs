//! (s) Segments at scale, on a served dataset:
//! - a segment defined through the API and judged over every member from scratch (the full
//!   refresh its definition starts: every member's features counted from their orders and
//!   events, RFM ranked, the condition evaluated, memberships written);
//! - an incremental change: a purchase that moves its member into a segment, timed from the
//!   event's request to the member's segments (through the API) showing it;
//! - purchase ingest with the segments defined, against the same ingest before them.

use std::time::{Duration, Instant};

use rand::Rng;
use serde_json::json;

use crate::dataset::member_id;
use crate::leaderboards::call;
use crate::report::{Row, load_row};
use crate::scenarios::ingest_batches;

/// What the segment figures need of a dataset.
pub struct Setup<'a> {
    pub backend: &'a str,
    pub database_url: &'a str,
    pub key: &'a str,
    pub members: u64,
    pub seconds: u64,
    /// Purchases timed for the incremental figure.
    pub changes: usize,
}

/// Keeps a row and shows it at once, so a later failure loses no figure.
fn push(rows: &mut Vec<Row>, row: Row) {
    eprintln!("{}", serde_json::to_string(&row).unwrap_or_default());
    rows.push(row);
}

/// The `q`-quantile of sorted samples (milliseconds).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Every (s) figure on one served dataset (jobs off, as the other figures are measured).
pub async fn rows(s: &Setup<'_>) -> anyhow::Result<Vec<Row>> {
    let client = reqwest::Client::new();
    let mut rows = Vec::new();
    let served = crate::server::start_jifen(s.database_url).await?;
    let api = |method: reqwest::Method, path: String, body: Option<serde_json::Value>| {
        let (client, served) = (&client, &served);
        async move { call(client, served, s.key, method, &path, body).await }
    };

    eprintln!("== {}: (s) ingest without segments", s.backend);
    let plain = ingest_batches(&served, s.key, s.members, s.seconds, "sa").await?;

    // Segments of their own per run, so a run on a dataset used before measures afresh.
    let run = chrono::Utc::now().timestamp();
    let (lapsed, big) = (format!("bench-lapsed-{run}"), format!("bench-big-{run}"));
    eprintln!("== {}: (s) a segment judged from scratch", s.backend);
    let started = Instant::now();
    api(
        reqwest::Method::PUT,
        format!("/v1/segments/{lapsed}"),
        Some(json!({"name": "流失高价值", "condition": "recency_days > 90 && monetary_365d > 100000"})),
    )
    .await?;
    let size = loop {
        let seg = api(reqwest::Method::GET, format!("/v1/segments/{lapsed}"), None).await?;
        if seg["refreshed"] == true {
            break seg["members"].as_i64().unwrap_or(0);
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(3_600),
            "the refresh of {lapsed} did not finish in an hour"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let seconds = started.elapsed().as_secs_f64();
    push(
        &mut rows,
        Row::figure(
            format!(
                "(s) a segment judged from scratch over {} members ({size} in it)",
                s.members
            ),
            s.backend,
            seconds,
            "s",
        )
        .target(
            "1M members ≤ 60 s",
            seconds * 1_000_000.0 / s.members.max(1) as f64 <= 60.0,
        ),
    );

    // A segment no member of the dataset is in (over ¥1,000,000 a year), which each timed
    // purchase moves its member into.
    let started = Instant::now();
    api(
        reqwest::Method::PUT,
        format!("/v1/segments/{big}"),
        Some(json!({"name": "百万客户", "condition": "monetary_365d >= 100000000"})),
    )
    .await?;
    loop {
        let seg = api(reqwest::Method::GET, format!("/v1/segments/{big}"), None).await?;
        if seg["refreshed"] == true {
            break;
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(3_600),
            "the refresh of {big} did not finish in an hour"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    eprintln!("== {}: (s) incremental changes", s.backend);
    let mut samples = Vec::with_capacity(s.changes);
    let mut taken = std::collections::BTreeSet::new();
    while samples.len() < s.changes && taken.len() < s.members as usize {
        let n = rand::rng().random_range(0..s.members.max(1));
        if !taken.insert(n) {
            continue;
        }
        let member = member_id(n);
        let started = Instant::now();
        api(
            reqwest::Method::POST,
            "/v1/events".into(),
            Some(
                json!({"id": format!("seg-{run}-{n}"), "type": "purchase", "member": member,
                "occurred_at": chrono::Utc::now().to_rfc3339(),
                "attributes": {"order_id": format!("seg-{run}-{n}"), "amount": 100_000_000}}),
            ),
        )
        .await?;
        loop {
            let theirs = api(
                reqwest::Method::GET,
                format!("/v1/members/{member}/segments"),
                None,
            )
            .await?;
            let found = theirs["data"]
                .as_array()
                .is_some_and(|d| d.iter().any(|x| x["slug"] == big.as_str()));
            if found {
                break;
            }
            anyhow::ensure!(
                started.elapsed() < Duration::from_secs(60),
                "{member} never showed in {big}"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        samples.push(started.elapsed().as_secs_f64() * 1_000.0);
    }
    samples.sort_by(f64::total_cmp);
    let (p50, p99, max) = (
        quantile(&samples, 0.5),
        quantile(&samples, 0.99),
        samples.last().copied().unwrap_or(0.0),
    );
    let mut row = Row::figure(
        format!(
            "(s) a purchase's member in a segment, from the event's request to their segments showing it ({} purchases, slowest)",
            samples.len()
        ),
        s.backend,
        max,
        "ms",
    )
    .target("≤ 1 s", max <= 1_000.0);
    (row.p50_ms, row.p99_ms) = (Some(p50), Some(p99));
    push(&mut rows, row);

    eprintln!("== {}: (s) ingest with two segments", s.backend);
    let with = ingest_batches(&served, s.key, s.members, s.seconds, "sb").await?;
    push(
        &mut rows,
        load_row(
            "(s) purchase ingest, batches of 100, with two segments",
            s.backend,
            &with,
            100.0,
            "events/s",
        )
        .against("the same ingest without segments", plain.throughput * 100.0),
    );
    served.stop();
    Ok(rows)
}
