//! A webhook receiver the tests start: a real HTTP server on 127.0.0.1, port 0 (or on any
//! listener the test gives it, such as one that speaks TLS), that checks each request's
//! Standard Webhooks signature with its own HMAC computation, counts message ids, and answers
//! what the test tells it to.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub body: String,
    /// How many of the signatures in the header verified with the secrets known.
    pub verified: usize,
}

#[derive(Default)]
struct Inner {
    secrets: Vec<String>,
    /// Status to answer; 200 when unset.
    status: u16,
    /// Answer this many requests with 500 first.
    fail_first: usize,
    /// Milliseconds to wait before answering.
    delay_ms: u64,
    received: Vec<Received>,
    counts: HashMap<String, usize>,
    /// Requests being answered now, and the most there ever were at once.
    in_flight: usize,
    max_in_flight: usize,
}

/// The receiver; clones share it.
#[derive(Clone, Default)]
pub struct Receiver {
    inner: Arc<Mutex<Inner>>,
    pub url: String,
}

/// Computes `v1,<base64 HMAC-SHA256>` independently of the server's code.
pub fn expected_signature(secret: &str, id: &str, timestamp: &str, body: &str) -> String {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").expect("whsec_ prefix"))
        .expect("base64 secret");
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("key");
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let h = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let (id, timestamp, signature) = (
        h("webhook-id"),
        h("webhook-timestamp"),
        h("webhook-signature"),
    );
    let body = String::from_utf8_lossy(&body).into_owned();
    let delay = {
        let mut inner = r.inner.lock().unwrap();
        inner.in_flight += 1;
        inner.max_in_flight = inner.max_in_flight.max(inner.in_flight);
        inner.delay_ms
    };
    if delay > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
    }
    let mut inner = r.inner.lock().unwrap();
    inner.in_flight -= 1;
    let verified = inner
        .secrets
        .iter()
        .filter(|s| {
            let want = expected_signature(s, &id, &timestamp, &body);
            signature.split(' ').any(|sig| sig == want)
        })
        .count();
    inner.received.push(Received {
        id: id.clone(),
        timestamp,
        signature,
        body,
        verified,
    });
    if verified == 0 {
        return StatusCode::UNAUTHORIZED;
    }
    if inner.fail_first > 0 {
        inner.fail_first -= 1;
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    let status = if inner.status == 0 { 200 } else { inner.status };
    if (200..300).contains(&status) {
        *inner.counts.entry(id).or_default() += 1;
    }
    StatusCode::from_u16(status).unwrap_or(StatusCode::OK)
}

impl Receiver {
    /// Starts a receiver; its `url` is `http://127.0.0.1:<port>/hooks`.
    pub async fn start() -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        Receiver::serve(listener, format!("http://{addr}/hooks"))
    }

    /// Starts a receiver on `listener`, reached at `url`.
    pub fn serve<L: axum::serve::Listener>(listener: L, url: String) -> Receiver
    where
        L::Addr: std::fmt::Debug,
    {
        let r = Receiver {
            inner: Arc::default(),
            url,
        };
        let app = axum::Router::new()
            .route("/hooks", axum::routing::post(receive))
            .with_state(r.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        r
    }

    /// Adds a secret signatures may verify with.
    pub fn trust(&self, secret: &str) {
        self.inner.lock().unwrap().secrets.push(secret.to_owned());
    }

    /// Forgets every secret.
    pub fn distrust_all(&self) {
        self.inner.lock().unwrap().secrets.clear();
    }

    /// Answers every request with `status` from now on.
    pub fn answer(&self, status: u16) {
        self.inner.lock().unwrap().status = status;
    }

    /// Waits `ms` before answering each request.
    pub fn delay(&self, ms: u64) {
        self.inner.lock().unwrap().delay_ms = ms;
    }

    /// Answers the next `n` requests with 500.
    pub fn fail_next(&self, n: usize) {
        self.inner.lock().unwrap().fail_first = n;
    }

    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().unwrap().received.clone()
    }

    /// The most requests it answered at once.
    pub fn max_in_flight(&self) -> usize {
        self.inner.lock().unwrap().max_in_flight
    }

    /// Accepted (2xx) requests per message id.
    pub fn counts(&self) -> HashMap<String, usize> {
        self.inner.lock().unwrap().counts.clone()
    }
}
