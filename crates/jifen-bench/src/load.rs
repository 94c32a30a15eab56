//! An HTTP load generator: open loop at a fixed arrival rate (latency measured from when each
//! request was due, so a stalled server cannot hide its queue: coordinated-omission correction),
//! or closed loop at maximum throughput. Latencies go into an HDR histogram.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use serde::Serialize;

/// How requests arrive.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "snake_case", tag = "mode")]
pub enum Mode {
    /// A fixed number of requests per second, whatever the server does.
    Open { rate: f64 },
    /// Each connection sends its next request when the last one answered.
    Closed,
}

/// One request to send.
#[derive(Debug, Clone)]
pub struct Req {
    pub method: reqwest::Method,
    pub path: String,
    pub body: Option<Vec<u8>>,
}

impl Req {
    pub fn get(path: impl Into<String>) -> Self {
        Req {
            method: reqwest::Method::GET,
            path: path.into(),
            body: None,
        }
    }

    pub fn post(path: impl Into<String>, body: &serde_json::Value) -> Self {
        Req {
            method: reqwest::Method::POST,
            path: path.into(),
            body: Some(serde_json::to_vec(body).unwrap_or_default()),
        }
    }
}

/// Makes the n-th request of a run.
pub type RequestMaker = Arc<dyn Fn(u64) -> Req + Send + Sync>;

/// A load run's shape.
#[derive(Debug, Clone)]
pub struct LoadSpec {
    pub base: String,
    pub key: Option<String>,
    /// A console session cookie (`name=value`), for the console's pages.
    pub cookie: Option<String>,
    pub mode: Mode,
    pub connections: usize,
    pub duration: Duration,
    /// Also stop after this many requests (0: no limit).
    pub max_requests: u64,
}

/// What a run measured. Latencies in microseconds.
#[derive(Debug, Clone, Serialize)]
pub struct LoadResult {
    pub requests: u64,
    pub errors: u64,
    /// Answers with a status outside 2xx (counted in `requests`).
    pub non_2xx: u64,
    pub seconds: f64,
    pub throughput: f64,
    pub p50_us: u64,
    pub p90_us: u64,
    pub p99_us: u64,
    pub p999_us: u64,
    pub max_us: u64,
}

impl LoadResult {
    fn from_hist(h: &Histogram<u64>, errors: u64, non_2xx: u64, seconds: f64) -> Self {
        let n = h.len();
        LoadResult {
            requests: n,
            errors,
            non_2xx,
            seconds,
            throughput: if seconds > 0.0 {
                n as f64 / seconds
            } else {
                0.0
            },
            p50_us: h.value_at_quantile(0.50),
            p90_us: h.value_at_quantile(0.90),
            p99_us: h.value_at_quantile(0.99),
            p999_us: h.value_at_quantile(0.999),
            max_us: h.max(),
        }
    }
}

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 120_000_000, 3).expect("histogram bounds")
}

/// Runs the load and returns what it measured.
pub async fn run(spec: &LoadSpec, make: RequestMaker) -> anyhow::Result<LoadResult> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(spec.connections)
        .timeout(Duration::from_secs(30))
        .build()?;
    let start = Instant::now();
    let deadline = start + spec.duration;
    let workers = spec.connections.max(1);
    let mut tasks = Vec::with_capacity(workers);
    for w in 0..workers {
        let client = client.clone();
        let make = make.clone();
        let spec = spec.clone();
        tasks.push(tokio::spawn(async move {
            let mut hist = histogram();
            let (mut errors, mut non_2xx) = (0u64, 0u64);
            let mut k: u64 = 0;
            loop {
                let n = w as u64 + k * workers as u64;
                k += 1;
                if spec.max_requests > 0 && n >= spec.max_requests {
                    break;
                }
                let due = match spec.mode {
                    Mode::Open { rate } => start + Duration::from_secs_f64(n as f64 / rate),
                    Mode::Closed => Instant::now(),
                };
                if due >= deadline || Instant::now() >= deadline {
                    break;
                }
                tokio::time::sleep_until(due.into()).await;
                let req = make(n);
                let mut b = client.request(req.method, format!("{}{}", spec.base, req.path));
                if let Some(key) = &spec.key {
                    b = b.bearer_auth(key);
                }
                if let Some(cookie) = &spec.cookie {
                    b = b.header("cookie", cookie);
                }
                if let Some(body) = req.body {
                    b = b.header("content-type", "application/json").body(body);
                }
                match b.send().await {
                    Ok(res) => {
                        if !res.status().is_success() {
                            non_2xx += 1;
                        }
                        let _ = res.bytes().await;
                        let us = due.elapsed().as_micros().max(1) as u64;
                        let _ = hist.record(us.min(120_000_000));
                    }
                    Err(_) => errors += 1,
                }
            }
            (hist, errors, non_2xx)
        }));
    }
    let mut hist = histogram();
    let (mut errors, mut non_2xx) = (0, 0);
    for t in tasks {
        let (h, e, n) = t.await?;
        hist.add(&h)?;
        errors += e;
        non_2xx += n;
    }
    let seconds = start.elapsed().as_secs_f64();
    Ok(LoadResult::from_hist(&hist, errors, non_2xx, seconds))
}
