//! Rate limits per API key: a token bucket per key, kept in this process's memory.
//!
//! Each key has a bucket of `burst` tokens, refilled at `per_second`; a request takes one token
//! or is refused with `429 rate_limited`. The limit is the program's own (`PATCH /v1/program`)
//! or the server's default (`[rate_limit]` in the configuration). Buckets live on each node: a
//! deployment of several nodes behind a balancer allows up to that many times the limit.
//!
//! Every answer to a request with a valid key carries the bucket's state in the fields of
//! draft-ietf-httpapi-ratelimit-headers-07: `RateLimit-Limit` (the burst), `RateLimit-Remaining`
//! (tokens left) and `RateLimit-Reset` (seconds until the bucket is full again); a `429` adds
//! `Retry-After` (seconds until one token is back).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use jifen_store::RateLimit;

use crate::app::AppState;
use crate::error::ApiError;

/// The largest `per_second` and `burst` a program or the server may set.
pub const MAX_RATE: u32 = 1_000_000;

/// The server's default limit per key, for programs that set none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimitSettings {
    /// Requests a second a key may sustain.
    pub per_second: u32,
    /// Requests a key may send at once after a quiet spell.
    pub burst: u32,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            per_second: 1_000,
            burst: 2_000,
        }
    }
}

impl RateLimitSettings {
    pub fn limit(self) -> RateLimit {
        RateLimit {
            per_second: self.per_second,
            burst: self.burst,
        }
    }
}

/// Checks a limit's figures: each from 1 to [`MAX_RATE`]. Returns the field at fault.
pub fn check(limit: &RateLimit) -> Result<(), (&'static str, String)> {
    for (field, v) in [("per_second", limit.per_second), ("burst", limit.burst)] {
        if v == 0 || v > MAX_RATE {
            return Err((field, format!("{field} must be from 1 to {MAX_RATE}")));
        }
    }
    Ok(())
}

/// The outcome of one request against its key's bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    /// The bucket's size (`RateLimit-Limit`).
    pub limit: u32,
    /// Whole tokens left after this request (`RateLimit-Remaining`).
    pub remaining: u32,
    /// Seconds until the bucket is full (`RateLimit-Reset`).
    pub reset: u64,
    /// Seconds until the next request would pass (`Retry-After`), when refused.
    pub retry_after: u64,
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Buckets past this many are pruned of the full ones (a full bucket is a fresh one).
const PRUNE_AT: usize = 10_000;

/// The buckets of every key seen by this process.
#[derive(Default)]
pub struct RateLimiter {
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl RateLimiter {
    /// Takes a token from `key`'s bucket, if one is there at `now`.
    pub fn take(&self, key: &str, limit: RateLimit, now: Instant) -> Decision {
        let rate = f64::from(limit.per_second.max(1));
        let burst = f64::from(limit.burst.max(1));
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= PRUNE_AT && !buckets.contains_key(key) {
            buckets.retain(|_, b| {
                b.tokens + now.saturating_duration_since(b.at).as_secs_f64() * rate < burst
            });
        }
        let bucket = buckets.entry(key.to_owned()).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        // A limit lowered since the last request caps what is left.
        let tokens = (bucket.tokens + elapsed * rate).min(burst);
        let allowed = tokens >= 1.0;
        let tokens = if allowed { tokens - 1.0 } else { tokens };
        bucket.tokens = tokens;
        bucket.at = now;
        Decision {
            allowed,
            limit: limit.burst,
            remaining: tokens.floor() as u32,
            reset: ((burst - tokens) / rate).ceil() as u64,
            retry_after: if allowed {
                0
            } else {
                (((1.0 - tokens) / rate).ceil() as u64).max(1)
            },
        }
    }
}

const LIMIT: HeaderName = HeaderName::from_static("ratelimit-limit");
const REMAINING: HeaderName = HeaderName::from_static("ratelimit-remaining");
const RESET: HeaderName = HeaderName::from_static("ratelimit-reset");

fn set_headers(headers: &mut HeaderMap, d: &Decision) {
    headers.insert(LIMIT, HeaderValue::from(d.limit));
    headers.insert(REMAINING, HeaderValue::from(d.remaining));
    headers.insert(RESET, HeaderValue::from(d.reset));
}

/// The `/v1` layer: authenticates the key (the handler's extractor then reuses it), takes a
/// token from its bucket, and answers `429 rate_limited` when there is none.
pub async fn limit_per_key(State(state): State<AppState>, req: Request, next: Next) -> Response {
    limited(&state, req, |req| next.run(req)).await
}

/// [`limit_per_key`] around `run`, the rest of the request's way.
pub async fn limited<F, Fut>(state: &AppState, req: Request, run: F) -> Response
where
    F: FnOnce(Request) -> Fut,
    Fut: std::future::Future<Output = Response>,
{
    let (mut parts, body) = req.into_parts();
    // The console's own calls carry their operator; the console limits its sign-ins itself.
    if let Some(call) = parts.extensions.remove::<crate::actor::InternalCall>() {
        parts.extensions.insert(std::sync::Arc::new(call.principal));
        return run(Request::from_parts(parts, body)).await;
    }
    let (principal, hash) = match crate::extract::authenticate(&parts, state).await {
        Ok(found) => found,
        Err(e) => return e.into_response(),
    };
    let limit = principal
        .program
        .rate_limit
        .unwrap_or_else(|| state.rate_limit.limit());
    let decision = state.limiter.take(&hash, limit, Instant::now());
    let mut res = if decision.allowed {
        parts.extensions.insert(principal);
        run(Request::from_parts(parts, body)).await
    } else {
        ApiError::RateLimited {
            per_second: limit.per_second,
            burst: limit.burst,
            retry_after: decision.retry_after,
        }
        .into_response()
    };
    set_headers(res.headers_mut(), &decision);
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_bucket_gives_its_burst_then_its_rate() {
        let l = RateLimiter::default();
        let limit = RateLimit {
            per_second: 2,
            burst: 3,
        };
        let t0 = Instant::now();
        let d: Vec<Decision> = (0..4).map(|_| l.take("k", limit, t0)).collect();
        assert!(d[..3].iter().all(|d| d.allowed));
        assert_eq!(
            d.iter().map(|d| d.remaining).collect::<Vec<_>>(),
            [2, 1, 0, 0]
        );
        assert!(!d[3].allowed);
        assert_eq!(d[3].retry_after, 1);
        assert_eq!(d[3].reset, 2, "3 tokens at 2 a second");
        // Another key has its own bucket.
        assert!(l.take("other", limit, t0).allowed);
        // Half a second later one token is back.
        let t1 = t0 + Duration::from_millis(500);
        let d = l.take("k", limit, t1);
        assert!(d.allowed, "{d:?}");
        assert_eq!(d.remaining, 0);
        assert!(!l.take("k", limit, t1).allowed);
        // A long pause refills to the burst, not past it.
        let d = l.take("k", limit, t1 + Duration::from_secs(60));
        assert_eq!((d.allowed, d.remaining, d.reset), (true, 2, 1));
    }

    #[test]
    fn a_lowered_limit_caps_the_bucket_at_once() {
        let l = RateLimiter::default();
        let t0 = Instant::now();
        let wide = RateLimit {
            per_second: 100,
            burst: 100,
        };
        assert_eq!(l.take("k", wide, t0).remaining, 99);
        let narrow = RateLimit {
            per_second: 1,
            burst: 2,
        };
        assert_eq!(l.take("k", narrow, t0).remaining, 1);
        assert!(l.take("k", narrow, t0).allowed);
        assert!(!l.take("k", narrow, t0).allowed);
    }

    #[test]
    fn limits_are_bounded() {
        assert!(
            check(&RateLimit {
                per_second: 1,
                burst: 1
            })
            .is_ok()
        );
        assert_eq!(
            check(&RateLimit {
                per_second: 0,
                burst: 1
            })
            .unwrap_err()
            .0,
            "per_second"
        );
        assert_eq!(
            check(&RateLimit {
                per_second: 1,
                burst: MAX_RATE + 1
            })
            .unwrap_err()
            .0,
            "burst"
        );
    }
}
