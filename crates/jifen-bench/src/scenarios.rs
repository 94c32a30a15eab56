//! The benchmark scenarios, each driving a running `jifen serve` over HTTP.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rand::Rng;
use serde::Serialize;
use serde_json::json;

use crate::dataset::member_id;
use crate::load::{LoadResult, LoadSpec, Mode, Req, RequestMaker, run};

/// Which scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Scenario {
    /// (a) purchase events in batches of 100.
    IngestBatch,
    /// (b) single purchase events from 64 connections.
    IngestSingle,
    /// (c) balance reads.
    Balance,
    /// (d) redemptions, a tenth of them on ten hot members.
    Redeem,
    /// (f) 80% balance reads, 20% single purchases.
    Mixed,
    /// (g) behaviour events (check-ins, reviews, shares) in batches of 100, judged by rules.
    Behaviours,
    /// (i) checkout validation: a two-line Tmall cart against the store's automatic voucher
    /// ladder, with 100 points as cash (run `checkout_setup` first).
    CheckoutValidate,
    /// (i) checkout redemption: the same cart redeemed with 1 point, a hold and a checkout
    /// row each (run `checkout_setup` first).
    CheckoutRedeem,
    /// (j) the console's rules list page, signed in (the target's `console` session).
    ConsoleRules,
}

/// The cart the checkout scenarios judge.
fn checkout_cart(member: String, points: i64) -> serde_json::Value {
    json!({
        "member": member,
        "cart": {"site": "tmall", "lines": [
            {"sku": "tea-gift-box", "category": "food", "price": 15_800, "quantity": 2},
            {"sku": "cup", "category": "home", "price": 4_200, "quantity": 1}
        ]},
        "points": points
    })
}

/// Gives the program what the checkout scenarios use: points as cash (100 points = ¥1, at
/// most half the order) and an automatic Tmall ladder (≥ ¥199 → ¥20 off, ≥ ¥399 → ¥50 off).
pub async fn checkout_setup(base: &str, key: &str) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    let puts = [
        (
            "/v1/checkout-settings",
            json!({"points_as_cash": {"points": 100, "fen": 100, "max_share_percent": 50}}),
        ),
        (
            "/v1/voucher-templates/bench-ladder",
            json!({"title": {"en": "Store ladder"}, "automatic": true,
                   "restrictions": {"sites": ["tmall"]}, "stacking": {"group": "ladder"},
                   "discount": {"kind": "ladder", "rungs": [
                       {"min_spend": 19_900, "off": 2_000}, {"min_spend": 39_900, "off": 5_000}]}}),
        ),
    ];
    for (path, body) in puts {
        client
            .put(format!("{base}{path}"))
            .bearer_auth(key)
            .json(&body)
            .send()
            .await?
            .error_for_status()?;
    }
    Ok(())
}

/// Settings shared by every scenario of a run.
#[derive(Debug, Clone)]
pub struct Target {
    pub base: String,
    pub key: String,
    pub members: u64,
    pub duration: Duration,
    /// Distinguishes ids between runs against the same database.
    pub run_id: String,
    /// A signed-in console session (`name=value` of its cookie), for the console's pages.
    pub console: Option<String>,
}

/// Signs in to the console and returns the session cookie (`name=value`).
pub async fn console_sign_in(base: &str, email: &str, password: &str) -> anyhow::Result<String> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let body = format!(
        "email={}&password={}",
        jifen_server::console::api::seg(email),
        jifen_server::console::api::seg(password)
    );
    let res = client
        .post(format!("{base}/console/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await?;
    anyhow::ensure!(
        res.status() == reqwest::StatusCode::SEE_OTHER,
        "console sign-in of {email}: {}",
        res.status()
    );
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .find(|v| {
            v.split_once('=')
                .is_some_and(|(_, value)| !value.is_empty())
        })
        .map(str::to_owned)
        .ok_or_else(|| anyhow::anyhow!("console sign-in of {email}: no session cookie"))
}

fn random_member(members: u64) -> String {
    member_id(rand::rng().random_range(0..members.max(1)))
}

/// A purchase whose event and order ids are unique to the run and the scenario (`tag`).
fn purchase(run_id: &str, tag: &str, n: u64, member: String) -> serde_json::Value {
    let run_id = format!("{run_id}{tag}");
    json!({
        "id": format!("{run_id}-{n}"),
        "type": "purchase",
        "member": member,
        "occurred_at": chrono::Utc::now().to_rfc3339(),
        "site": "tmall",
        "attributes": {"order_id": format!("{run_id}-o{n}"), "amount": 15_800}
    })
}

/// A behaviour event (a check-in, a review or a share) with attributes rules can read.
fn behaviour(run_id: &str, n: u64, member: String) -> serde_json::Value {
    let mut rng = rand::rng();
    json!({
        "id": format!("{run_id}g-{n}"),
        "type": jifen_bench::RULE_EVENT_TYPES[(n % 3) as usize],
        "member": member,
        "occurred_at": chrono::Utc::now().to_rfc3339(),
        "site": "wechat_mp",
        "attributes": {"stars": rng.random_range(1..=5), "photos": rng.random_range(0..=3)}
    })
}

/// Runs one scenario. `mode` overrides the scenario's own (open loop for latency targets,
/// closed loop for maximum throughput).
pub async fn run_scenario(
    s: Scenario,
    t: &Target,
    mode: Mode,
    connections: usize,
) -> anyhow::Result<LoadResult> {
    let run_id = t.run_id.clone();
    let members = t.members;
    let make: RequestMaker = match s {
        Scenario::IngestBatch => Arc::new(move |n| {
            let events: Vec<_> = (0..100)
                .map(|i| purchase(&run_id, "a", n * 100 + i, random_member(members)))
                .collect();
            Req::post("/v1/events", &json!({ "events": events }))
        }),
        Scenario::IngestSingle => Arc::new(move |n| {
            Req::post(
                "/v1/events",
                &purchase(&run_id, "b", n, random_member(members)),
            )
        }),
        Scenario::Balance => {
            Arc::new(move |_| Req::get(format!("/v1/members/{}/balance", random_member(members))))
        }
        Scenario::Redeem => {
            let counter = Arc::new(AtomicU64::new(0));
            Arc::new(move |n| {
                let hot = counter.fetch_add(1, Ordering::Relaxed).is_multiple_of(10);
                let member = if hot {
                    member_id(n % 10)
                } else {
                    random_member(members)
                };
                Req::post(
                    format!("/v1/members/{member}/redemptions"),
                    &json!({"id": format!("{run_id}-r{n}"), "points": 1, "reason": "bench"}),
                )
            })
        }
        Scenario::Behaviours => Arc::new(move |n| {
            let events: Vec<_> = (0..100)
                .map(|i| behaviour(&run_id, n * 100 + i, random_member(members)))
                .collect();
            Req::post("/v1/events", &json!({ "events": events }))
        }),
        Scenario::CheckoutValidate => Arc::new(move |_| {
            Req::post(
                "/v1/checkout/validate",
                &checkout_cart(random_member(members), 100),
            )
        }),
        Scenario::CheckoutRedeem => Arc::new(move |n| {
            let mut body = checkout_cart(random_member(members), 1);
            body["id"] = json!(format!("{run_id}-c{n}"));
            Req::post("/v1/checkout/redeem", &body)
        }),
        Scenario::ConsoleRules => Arc::new(|_| Req::get("/console/rules")),
        Scenario::Mixed => Arc::new(move |n| {
            if n.is_multiple_of(5) {
                Req::post(
                    "/v1/events",
                    &purchase(&run_id, "f", n, random_member(members)),
                )
            } else {
                Req::get(format!("/v1/members/{}/balance", random_member(members)))
            }
        }),
    };
    anyhow::ensure!(
        s != Scenario::ConsoleRules || t.console.is_some(),
        "the console scenarios need a signed-in session"
    );
    let spec = LoadSpec {
        base: t.base.clone(),
        key: Some(t.key.clone()),
        cookie: t.console.clone(),
        mode,
        connections,
        duration: t.duration,
        max_requests: 0,
    };
    run(&spec, make).await
}

/// The bare route, driven the same way, for the HTTP ceiling.
pub async fn run_bare(
    base: &str,
    mode: Mode,
    connections: usize,
    duration: Duration,
) -> anyhow::Result<LoadResult> {
    let spec = LoadSpec {
        base: base.to_owned(),
        key: None,
        cookie: None,
        mode,
        connections,
        duration,
        max_requests: 0,
    };
    run(&spec, Arc::new(|_| Req::get("/bare"))).await
}
