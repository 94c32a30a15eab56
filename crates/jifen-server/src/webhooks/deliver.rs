//! The delivery worker: claims due deliveries (a lease in the database, so several nodes never
//! send one delivery at the same time), sends each signed, and records every attempt. A
//! delivery answered `2xx` is delivered; any other answer, a timeout, a refused target or a
//! TLS certificate that is not trusted is a failed attempt, retried on `jifen_core::webhooks`' schedule for three days, then failed and
//! kept for replay. A worker that dies mid-send leaves its claims due again when their lease
//! ends: delivery is at least once, and receivers deduplicate by `webhook-id`.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::SecondsFormat;
use futures_util::StreamExt;
use jifen_core::Timestamp;
use jifen_store::Store;
use jifen_store::webhooks::{AttemptOutcome, AttemptRecord, ClaimedDelivery, DisabledEndpoint};
use rand::Rng;
use serde_json::{Value, json};

use super::WebhookSettings;
use super::signing::signature_header;
use super::{targets, tls};
use crate::clock::Clock;

/// The most of an answer's body kept as an attempt's error.
const MAX_ERROR_CHARS: usize = 300;

/// Each endpoint's (program, endpoint) permits for requests in flight.
type EndpointSlots = HashMap<(String, String), Arc<tokio::sync::Semaphore>>;

/// Sends deliveries: an HTTP client (TLS for `https://`, see [`tls`]) that resolves hosts
/// through the SSRF check and follows no redirects.
#[derive(Clone)]
pub struct Sender {
    client: reqwest::Client,
    allow_private: bool,
    /// Each endpoint's permits for requests in flight (`webhooks.per_endpoint`), shared by
    /// every loop of the node that clones this sender.
    slots: Arc<std::sync::Mutex<EndpointSlots>>,
    per_endpoint: usize,
}

/// Resolves names for the client, refusing non-public addresses unless allowed: the check
/// applies to the addresses the connection then uses.
struct CheckedResolver {
    allow_private: bool,
}

impl reqwest::dns::Resolve for CheckedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if !allow_private && let Some(bad) = addrs.iter().find(|a| !targets::is_public(a.ip()))
            {
                let e = targets::TargetError::Private {
                    host,
                    addr: bad.ip(),
                };
                return Err(Box::new(e) as Box<dyn std::error::Error + Send + Sync>);
            }
            let out: reqwest::dns::Addrs = Box::new(addrs.into_iter());
            Ok(out)
        })
    }
}

/// Why a worker's client cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum SenderError {
    #[error(transparent)]
    ExtraCa(#[from] tls::ExtraCaError),
    /// The client's builder refused, with its causes.
    #[error("cannot make the webhook client: {0}")]
    Client(String),
}

impl Sender {
    /// The client of a worker: TLS with the system's trusted CAs and those of
    /// `webhooks.extra_ca_file` (read here: an error names the setting).
    pub fn new(settings: &WebhookSettings) -> Result<Self, SenderError> {
        tls::install_crypto_provider();
        let extra = match &settings.extra_ca_file {
            Some(path) => tls::read_extra_ca(path)?,
            None => Vec::new(),
        };
        let client = match client(settings).tls_certs_merge(extra.clone()).build() {
            Ok(client) => client,
            // A system without CA certificates (no `ca-certificates` package) and no extra
            // file: http:// endpoints still work, and the start says why https:// ones fail.
            Err(e) => {
                tracing::warn!(error = %format!("{e}{}", chain(&e)),
                    "webhooks: the system's trusted CA certificates could not be loaded; \
                     https:// endpoints are trusted only through webhooks.extra_ca_file");
                client(settings)
                    .tls_certs_only(extra)
                    .build()
                    .map_err(|e| SenderError::Client(format!("{e}{}", chain(&e))))?
            }
        };
        Ok(Self {
            client,
            allow_private: settings.allow_private_targets,
            slots: Arc::default(),
            per_endpoint: settings.per_endpoint.max(1),
        })
    }

    /// The permits of an endpoint's requests in flight.
    fn slots_of(&self, d: &ClaimedDelivery) -> Arc<tokio::sync::Semaphore> {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots
            .entry((d.program_id.clone(), d.endpoint_id.clone()))
            .or_insert_with(|| Arc::new(tokio::sync::Semaphore::new(self.per_endpoint)))
            .clone()
    }

    /// Sends one delivery; returns (status code, error).
    async fn send(&self, d: &ClaimedDelivery, now: Timestamp) -> (Option<i64>, Option<String>) {
        let url = match targets::parse_url(&d.url) {
            Ok(u) => u,
            Err(e) => return (None, Some(e.to_string())),
        };
        // Literal addresses skip the resolver: check them here.
        if let Some(host) = url.host_str()
            && let Ok(ip) = host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<std::net::IpAddr>()
            && !self.allow_private
            && !targets::is_public(ip)
        {
            let e = targets::TargetError::Private {
                host: host.to_owned(),
                addr: ip,
            };
            return (None, Some(e.to_string()));
        }
        let body = message_body(&d.kind, &d.payload, d.message_created_at);
        let timestamp = now.timestamp();
        let mut secrets = vec![d.secret.as_str()];
        if let (Some(previous), Some(until)) = (&d.previous_secret, d.previous_until)
            && until > now.timestamp_micros()
        {
            secrets.push(previous.as_str());
        }
        let signature = signature_header(&secrets, &d.message_id, timestamp, &body);
        let sent = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", &d.message_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body)
            .send()
            .await;
        match sent {
            Ok(r) => {
                let status = r.status();
                if status.is_success() {
                    (Some(i64::from(status.as_u16())), None)
                } else {
                    let text = r.text().await.unwrap_or_default();
                    let mut error = format!("HTTP {}", status.as_u16());
                    if !text.is_empty() {
                        error.push_str(": ");
                        error.extend(text.chars().take(MAX_ERROR_CHARS));
                    }
                    (Some(i64::from(status.as_u16())), Some(error))
                }
            }
            Err(e) => (None, Some(describe(&e))),
        }
    }
}

/// The builder of a worker's client, TLS roots aside: it resolves hosts through the SSRF check
/// and follows no redirects.
fn client(settings: &WebhookSettings) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(settings.timeout_seconds.max(1)))
        .connect_timeout(Duration::from_secs(settings.timeout_seconds.clamp(1, 10)))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("jifen-webhooks/", env!("CARGO_PKG_VERSION")))
        .pool_max_idle_per_host(settings.concurrency.max(1))
        .dns_resolver(Arc::new(CheckedResolver {
            allow_private: settings.allow_private_targets,
        }))
}

/// A request's failure, with its cause (a refused target, a timeout, a certificate that is not
/// trusted) in words.
fn describe(e: &reqwest::Error) -> String {
    let mut text = if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "could not connect".to_owned()
    } else {
        "request failed".to_owned()
    };
    if let Some(tls) = tls::describe_failure(e) {
        text.push_str(": ");
        text.push_str(&tls);
    } else {
        text.push_str(&chain(e));
    }
    text.chars().take(MAX_ERROR_CHARS).collect()
}

/// The causes of an error, each after `: `.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = String::new();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// The body of a message: `{"type", "timestamp", "data"}`, as the Standard Webhooks
/// specification suggests. The same bytes at every attempt.
pub fn message_body(kind: &str, payload: &str, created_at_us: i64) -> String {
    let data: Value = serde_json::from_str(payload).unwrap_or(Value::String(payload.to_owned()));
    let at = chrono::DateTime::from_timestamp_micros(created_at_us)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Micros, true);
    json!({"type": kind, "timestamp": at, "data": data}).to_string()
}

/// Claims one batch of due deliveries, sends them, and records the attempts; returns how many
/// were claimed.
pub async fn deliver_batch(
    store: &Arc<dyn Store>,
    clock: &Arc<dyn Clock>,
    sender: &Sender,
    settings: &WebhookSettings,
) -> Result<usize, jifen_store::StoreError> {
    let now = clock.now();
    let claim = uuid::Uuid::new_v4().simple().to_string();
    // A claim outlives the longest send by a margin; a worker that dies gives it up then.
    let lease = chrono::Duration::seconds(i64::try_from(settings.timeout_seconds).unwrap_or(15))
        * 2
        + chrono::Duration::seconds(5);
    let claimed = store
        .claim_webhook_deliveries(now, now + lease, &claim, settings.batch.max(1))
        .await?;
    let n = claimed.len();
    if n == 0 {
        return Ok(0);
    }
    let records: Vec<AttemptRecord> = futures_util::stream::iter(interleave(claimed))
        .map(|d| {
            let claim = claim.clone();
            async move {
                let slots = sender.slots_of(&d);
                let _permit = slots.acquire_owned().await;
                let started = Instant::now();
                let (status_code, error) = sender.send(&d, now).await;
                let latency_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
                let at = clock.now();
                let outcome = if error.is_none() {
                    AttemptOutcome::Delivered
                } else {
                    let created =
                        chrono::DateTime::from_timestamp_micros(d.created_at).unwrap_or_default();
                    let jitter: f64 = rand::rng().random();
                    match jifen_core::webhooks::next_attempt(d.attempts + 1, at, created, jitter) {
                        Some(t) => AttemptOutcome::Retry(t),
                        None => AttemptOutcome::Failed,
                    }
                };
                AttemptRecord {
                    message_id: d.message_id,
                    endpoint_id: d.endpoint_id,
                    program_id: d.program_id,
                    claim,
                    at,
                    status_code,
                    latency_ms,
                    error,
                    outcome,
                }
            }
        })
        .buffer_unordered(settings.concurrency.max(1))
        .collect()
        .await;
    let delivered = records
        .iter()
        .filter(|r| r.outcome == AttemptOutcome::Delivered)
        .count();
    metrics::counter!("jifen_webhook_attempts_total", "outcome" => "delivered")
        .increment(delivered as u64);
    metrics::counter!("jifen_webhook_attempts_total", "outcome" => "failed")
        .increment((records.len() - delivered) as u64);
    store.finish_webhook_attempts(&records).await?;
    Ok(n)
}

/// A batch's deliveries taken in turn from each endpoint (the first of each, then the second
/// of each…), so that one endpoint's many deliveries waiting for its permits do not hold every
/// request slot while other endpoints' deliveries wait.
fn interleave(claimed: Vec<ClaimedDelivery>) -> Vec<ClaimedDelivery> {
    let n = claimed.len();
    let mut index: HashMap<(String, String), usize> = HashMap::new();
    let mut queues: Vec<VecDeque<ClaimedDelivery>> = Vec::new();
    for d in claimed {
        let key = (d.program_id.clone(), d.endpoint_id.clone());
        let i = *index.entry(key).or_insert_with(|| {
            queues.push(VecDeque::new());
            queues.len() - 1
        });
        queues[i].push_back(d);
    }
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        for q in &mut queues {
            out.extend(q.pop_front());
        }
    }
    out
}

/// Disables the endpoints failing for `disable_after_days` (none when 0).
pub async fn disable_failing(
    store: &Arc<dyn Store>,
    now: Timestamp,
    settings: &WebhookSettings,
) -> Result<Vec<DisabledEndpoint>, jifen_store::StoreError> {
    if settings.disable_after_days == 0 {
        return Ok(Vec::new());
    }
    let before = now - chrono::Duration::days(i64::from(settings.disable_after_days));
    let disabled = store.disable_failing_webhook_endpoints(before, now).await?;
    for d in &disabled {
        tracing::warn!(program = %d.program_id, endpoint = %d.endpoint_id, url = %d.url,
            failing_since = %d.failing_since, "webhook endpoint disabled: every attempt failed");
    }
    Ok(disabled)
}

/// Runs the delivery loops, sending with `sender`, and the health check until the process
/// stops.
pub fn spawn(
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    sender: Sender,
    settings: WebhookSettings,
) -> Vec<tokio::task::JoinHandle<()>> {
    let mut handles = Vec::new();
    for _ in 0..settings.workers.max(1) {
        let (store, clock, sender, settings) = (
            store.clone(),
            clock.clone(),
            sender.clone(),
            settings.clone(),
        );
        handles.push(tokio::spawn(async move {
            let idle = Duration::from_millis(settings.poll_ms.max(10));
            loop {
                match deliver_batch(&store, &clock, &sender, &settings).await {
                    Ok(n) if n > 0 => {}
                    Ok(_) => tokio::time::sleep(idle).await,
                    Err(e) => {
                        tracing::warn!(error = %e, "webhook delivery failed; trying again");
                        tokio::time::sleep(idle).await;
                    }
                }
            }
        }));
    }
    handles.push(tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = disable_failing(&store, clock.now(), &settings).await {
                tracing::warn!(error = %e, "webhook health check failed");
            }
        }
    }));
    handles
}
