//! A real jifen server on port 0 with a fresh database and a clock the test drives.
#![allow(dead_code)]

pub mod console;
pub mod portal;
pub mod process;
pub mod receiver;

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

use jifen_server::{AppState, ManualClock, router, serve};
use jifen_store::testkit::{Backend, TestDb};

#[allow(unused_imports)]
pub use jifen_store::testkit::Backend as TestBackend;

/// The Redis every machine of the project runs (`JIFEN_TEST_REDIS_URL` to use another).
#[allow(dead_code)]
pub fn redis_url() -> String {
    std::env::var("JIFEN_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// The builder of the tests' HTTP clients. reqwest's TLS takes the process's rustls
/// provider, which the server's webhooks install (ring): install it before the first client.
pub fn http() -> reqwest::ClientBuilder {
    jifen_server::webhooks::tls::install_crypto_provider();
    reqwest::Client::builder()
}

/// The instant every test starts at (16:00 in Shanghai).
pub const START: &str = "2026-06-01T08:00:00Z";

pub fn t(s: &str) -> DateTime<Utc> {
    s.parse().expect("test instant")
}

/// A running server, its program and API key, and the clock it reads.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub key: String,
    pub program_id: String,
    pub clock: ManualClock,
    pub state: AppState,
    pub backend: Backend,
    _db: TestDb,
}

/// An answer: status and JSON body (Null when the body is empty or not JSON).
#[derive(Debug)]
pub struct Res {
    pub status: StatusCode,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Res {
    /// The error code of an error answer.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_at(backend, t(START), None).await
    }

    /// A server whose program was created from a template at `start`.
    #[allow(dead_code)]
    pub async fn spawn_template(backend: Backend, template: &str, start: DateTime<Utc>) -> TestApp {
        Self::spawn_at(backend, start, Some(template)).await
    }

    /// A server whose leaderboards rank in Redis (the machine's, at 127.0.0.1:6379).
    #[allow(dead_code)]
    pub async fn spawn_with_redis(backend: Backend) -> TestApp {
        let rankings = jifen_server::service::leaderboards::Rankings::redis(&redis_url())
            .await
            .expect("Redis (set JIFEN_TEST_REDIS_URL)");
        Self::spawn_configured(backend, t(START), None, Some(rankings), false).await
    }

    /// A server whose webhooks may reach private targets (a receiver on 127.0.0.1), with
    /// the clock at `start`; no delivery worker runs (tests drive it).
    #[allow(dead_code)]
    pub async fn spawn_for_webhooks(backend: Backend, start: DateTime<Utc>) -> TestApp {
        Self::spawn_configured(backend, start, None, None, true).await
    }

    async fn spawn_at(backend: Backend, start: DateTime<Utc>, template: Option<&str>) -> TestApp {
        Self::spawn_configured(backend, start, template, None, false).await
    }

    async fn spawn_configured(
        backend: Backend,
        start: DateTime<Utc>,
        template: Option<&str>,
        rankings: Option<jifen_server::service::leaderboards::Rankings>,
        private_webhooks: bool,
    ) -> TestApp {
        let db = TestDb::new(backend).await;
        let store = db.store().await;
        let clock = ManualClock::new(start);
        let (program, key) = match template {
            Some(name) => {
                serve::create_program_from_template(
                    store.clone(),
                    Arc::new(clock.clone()),
                    name,
                    None,
                )
                .await
            }
            None => {
                serve::create_program(
                    store.clone(),
                    Arc::new(clock.clone()),
                    "Test Brand",
                    "Asia/Shanghai",
                    "CNY",
                )
                .await
            }
        }
        .expect("program");
        let mut state = AppState::new(store, Arc::new(clock.clone()));
        if let Some(rankings) = rankings {
            state.rankings = Arc::new(rankings);
        }
        state.webhooks.allow_private_targets = private_webhooks;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let app = router(state.clone(), 2 * 1024 * 1024);
        let listener = jifen_server::wire::JsonErrorsListener::new(listener, state.docs.clone());
        tokio::spawn(async move {
            let app = app.into_make_service_with_connect_info::<jifen_server::wire::Peer>();
            let _ = axum::serve(listener, app).await;
        });
        TestApp {
            base: format!("http://{addr}"),
            client: http().build().expect("client"),
            key,
            program_id: program.id,
            clock,
            state,
            backend,
            _db: db,
        }
    }

    /// Creates a second program on the same server and returns its key.
    pub async fn other_program_key(&self) -> String {
        serve::create_program(
            self.state.store.clone(),
            Arc::new(self.clock.clone()),
            "Other Brand",
            "Asia/Shanghai",
            "CNY",
        )
        .await
        .expect("program")
        .1
    }

    /// The URL of the test's database, for the `jifen` binary to open too.
    pub fn database_url(&self) -> &str {
        &self._db.url
    }

    pub fn now(&self) -> DateTime<Utc> {
        use jifen_server::Clock;
        self.clock.now()
    }

    pub fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }

    pub async fn send_as(
        &self,
        key: Option<&str>,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Res {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(k) = key {
            req = req.bearer_auth(k);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Res {
            status,
            body,
            headers,
        }
    }

    pub async fn raw(&self, method: reqwest::Method, path: &str, body: &str) -> Res {
        let res = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.key)
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .expect("request");
        let status = res.status();
        let headers = res.headers().clone();
        let body =
            serde_json::from_str(&res.text().await.unwrap_or_default()).unwrap_or(Value::Null);
        Res {
            status,
            body,
            headers,
        }
    }

    pub async fn get(&self, path: &str) -> Res {
        self.send_as(Some(&self.key), reqwest::Method::GET, path, None)
            .await
    }

    pub async fn post(&self, path: &str, body: Value) -> Res {
        self.send_as(Some(&self.key), reqwest::Method::POST, path, Some(body))
            .await
    }

    pub async fn put(&self, path: &str, body: Value) -> Res {
        self.send_as(Some(&self.key), reqwest::Method::PUT, path, Some(body))
            .await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Res {
        self.send_as(Some(&self.key), reqwest::Method::PATCH, path, Some(body))
            .await
    }

    pub async fn delete(&self, path: &str) -> Res {
        self.send_as(Some(&self.key), reqwest::Method::DELETE, path, None)
            .await
    }

    // --- domain helpers ------------------------------------------------------------------

    pub async fn member(&self, id: &str) -> Res {
        let r = self
            .put(&format!("/v1/members/{id}"), json!({"name": id}))
            .await;
        assert!(r.status.is_success(), "create member {id}: {r:?}");
        r
    }

    /// Sends a purchase of `amount` fen that occurred now.
    pub async fn purchase(&self, event_id: &str, member: &str, order: &str, amount: i64) -> Res {
        self.purchase_at(event_id, member, order, amount, self.now())
            .await
    }

    pub async fn purchase_at(
        &self,
        event_id: &str,
        member: &str,
        order: &str,
        amount: i64,
        at: DateTime<Utc>,
    ) -> Res {
        self.post(
            "/v1/events",
            json!({"id": event_id, "type": "purchase", "member": member,
                   "occurred_at": at.to_rfc3339(), "site": "tmall",
                   "attributes": {"order_id": order, "amount": amount}}),
        )
        .await
    }

    pub async fn refund(&self, event_id: &str, member: &str, order: &str, amount: i64) -> Res {
        self.post(
            "/v1/events",
            json!({"id": event_id, "type": "refund", "member": member,
                   "occurred_at": self.now().to_rfc3339(),
                   "attributes": {"order_id": order, "amount": amount}}),
        )
        .await
    }

    pub async fn redeem(&self, member: &str, id: &str, points: i64) -> Res {
        self.post(
            &format!("/v1/members/{member}/redemptions"),
            json!({"id": id, "points": points, "reason": "test"}),
        )
        .await
    }

    pub async fn adjust(&self, member: &str, id: &str, points: i64) -> Res {
        self.post(
            &format!("/v1/members/{member}/adjustments"),
            json!({"id": id, "points": points, "reason": "goodwill"}),
        )
        .await
    }

    pub async fn hold(&self, member: &str, id: &str, points: i64, seconds: i64) -> Res {
        self.post(
            &format!("/v1/members/{member}/holds"),
            json!({"id": id, "points": points, "expires_in_seconds": seconds}),
        )
        .await
    }

    pub async fn balance(&self, member: &str) -> Value {
        let r = self.get(&format!("/v1/members/{member}/balance")).await;
        assert_eq!(r.status, StatusCode::OK, "balance: {r:?}");
        r.body
    }

    pub async fn balance_at(&self, member: &str, at: DateTime<Utc>) -> Value {
        let at = at.to_rfc3339().replace('+', "%2B");
        let r = self
            .get(&format!("/v1/members/{member}/balance?at={at}"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "balance: {r:?}");
        r.body
    }

    #[allow(dead_code)]
    pub async fn behaviour(&self, id: &str, kind: &str, member: &str, attributes: Value) -> Value {
        let r = self
            .post(
                "/v1/events",
                json!({"id": id, "type": kind, "member": member,
                       "occurred_at": self.now().to_rfc3339(), "attributes": attributes}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{kind} {id}: {r:?}");
        r.body
    }

    #[allow(dead_code)]
    pub async fn available(&self, member: &str) -> i64 {
        self.balance(member).await["available"].as_i64().unwrap()
    }

    pub async fn set_policy(&self, policy: Value) {
        let r = self.patch("/v1/program", policy).await;
        assert_eq!(r.status, StatusCode::OK, "policy: {r:?}");
    }
}

/// The figures of a balance that most tests compare: (available, pending, held, negative).
pub fn figures(b: &Value) -> (i64, i64, i64, i64) {
    let n = |k: &str| b[k].as_i64().unwrap_or(i64::MIN);
    (n("available"), n("pending"), n("held"), n("negative"))
}

pub fn json_of<T: serde::Serialize>(v: T) -> Value {
    json!(v)
}
