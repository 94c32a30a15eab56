//! Webhook delivery throughput: messages written to the outbox (fanned out to `endpoints`
//! endpoints), then delivered by the server's own worker to a receiver on 127.0.0.1, measured
//! as deliveries answered `2xx` per second. The ceiling, in the same run, is the same receiver
//! driven by a bare HTTP sender (the same bodies, as many requests in flight, no database).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::{Value, json};

use jifen_server::webhooks::WebhookSettings;
use jifen_server::webhooks::signing;
use jifen_server::{Clock, SystemClock};
use jifen_store::{NewWebhookMessage, Store, WebhookEndpointRow};

/// What a run measures.
pub struct Setup<'a> {
    pub database_url: &'a str,
    /// Messages written.
    pub messages: u64,
    /// Endpoints each message is fanned out to.
    pub endpoints: u64,
    pub settings: WebhookSettings,
    /// Give up after this long.
    pub timeout: Duration,
}

/// A receiver that answers 204 and counts.
async fn receiver() -> anyhow::Result<(String, Arc<AtomicU64>)> {
    let count = Arc::new(AtomicU64::new(0));
    let seen = count.clone();
    let app = axum::Router::new().route(
        "/hooks",
        axum::routing::post(move || {
            let seen = seen.clone();
            async move {
                seen.fetch_add(1, Ordering::Relaxed);
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/hooks", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((url, count))
}

/// The bare sender's rate: `n` signed POSTs of a message body, `in_flight` at a time.
async fn ceiling(url: &str, n: u64, in_flight: usize) -> anyhow::Result<f64> {
    let url = url.to_owned();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(in_flight)
        .build()?;
    let secret = signing::new_secret();
    let key = signing::secret_key(&secret).context("key")?;
    let body = json!({"type": "member.enrolled", "timestamp": "2026-06-01T00:00:00Z",
                      "data": {"member": "m00000001"}})
    .to_string();
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..in_flight {
        let (client, url, body, key, next) = (
            client.clone(),
            url.clone(),
            body.clone(),
            key.clone(),
            next.clone(),
        );
        tasks.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    return;
                }
                let id = format!("msg_bare_{i}");
                let ts = chrono::Utc::now().timestamp();
                let r = client
                    .post(&url)
                    .header("webhook-id", &id)
                    .header("webhook-timestamp", ts.to_string())
                    .header("webhook-signature", signing::sign(&key, &id, ts, &body))
                    .body(body.clone())
                    .send()
                    .await;
                if r.is_err() {
                    return;
                }
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    Ok(n as f64 / started.elapsed().as_secs_f64())
}

/// Writes the messages, runs the delivery worker until every delivery arrived, and measures
/// the rate against the bare sender's.
pub async fn run(s: &Setup<'_>) -> anyhow::Result<Value> {
    let store: Arc<dyn Store> =
        jifen_store::connect(s.database_url, &jifen_store::ConnectOptions::default()).await?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let (program, _) = jifen_server::serve::create_program(
        store.clone(),
        clock.clone(),
        "Webhooks bench",
        "Asia/Shanghai",
        "CNY",
    )
    .await?;
    let (url, count) = receiver().await?;
    let now = clock.now();
    for n in 0..s.endpoints {
        store
            .create_webhook_endpoint(
                &program.id,
                &WebhookEndpointRow {
                    id: format!("ep_bench_{n}"),
                    url: url.clone(),
                    description: String::new(),
                    kinds: Vec::new(),
                    enabled: true,
                    secret: signing::new_secret(),
                    previous_secret: None,
                    previous_until: None,
                    failing_since: None,
                    disabled_reason: None,
                    created_at: now,
                    updated_at: now,
                },
            )
            .await?;
    }
    let written = Instant::now();
    let mut left = s.messages;
    while left > 0 {
        let n = left.min(1_000);
        let batch: Vec<NewWebhookMessage> = (0..n)
            .map(|i| {
                NewWebhookMessage::new(
                    "member.enrolled",
                    &json!({"member": format!("m{:08}", s.messages - left + i)}),
                    now,
                )
            })
            .collect();
        let mut tx = store.begin_write_for(&program.id).await?;
        tx.enqueue_webhooks(&program.id, &batch).await?;
        tx.commit().await?;
        left -= n;
    }
    let write_s = written.elapsed().as_secs_f64();
    let total = s.messages * s.endpoints;
    let started = Instant::now();
    let mut settings = s.settings.clone();
    settings.allow_private_targets = true;
    let sender = jifen_server::webhooks::deliver::Sender::new(&settings)?;
    let handles =
        jifen_server::webhooks::deliver::spawn(store.clone(), clock, sender, settings.clone());
    while count.load(Ordering::Relaxed) < total {
        anyhow::ensure!(
            started.elapsed() < s.timeout,
            "{} of {total} deliveries arrived in {:?}",
            count.load(Ordering::Relaxed),
            s.timeout
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let deliver_s = started.elapsed().as_secs_f64();
    for h in handles {
        h.abort();
    }
    let rate = total as f64 / deliver_s;
    let in_flight = settings.workers.max(1) * settings.concurrency.max(1);
    let bare = ceiling(&url, total.min(200_000), in_flight).await?;
    Ok(json!({
        "scenario": "webhooks",
        "backend": store.backend(),
        "messages": s.messages,
        "endpoints": s.endpoints,
        "deliveries": total,
        "outbox_write_per_s": (s.messages as f64 / write_s).round(),
        "delivered_per_s": rate.round(),
        "ceiling_bare_sender_per_s": bare.round(),
        "ratio_to_ceiling": (rate / bare * 1000.0).round() / 1000.0,
        "workers": settings.workers,
        "concurrency": settings.concurrency,
        "per_endpoint": settings.per_endpoint,
        "batch": settings.batch,
    }))
}
