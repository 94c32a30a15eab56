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
    /// (j) the console's rules list page, signed in (the target's `cookie` session).
    ConsoleRules,
    /// (j) the console's member search by a phone typed with spaces (`130 0000 0012`), signed
    /// in: one match answers 303 to the member page (run `console_setup` first).
    ConsoleSearch,
    /// (j) the console's member page of a member with 200 ledger entries, signed in (run
    /// `console_setup` first).
    ConsoleMember,
    /// (j) the console's dashboard page, signed in (run `console_sign_in` first).
    Dashboard,
    /// (k) the member portal's home page of a random member among those signed in with a
    /// portal link (run `portal_sessions` first).
    PortalHome,
    /// (k) the portal's check-in page with its month calendar.
    PortalCheckIn,
    /// (k) the portal's rewards page: what the member can redeem and why not the others.
    PortalRewards,
    /// (k) the portal's wallet page.
    PortalWallet,
    /// (k) the portal's history page: the member's latest ledger entries in words.
    PortalHistory,
}

impl Scenario {
    /// The portal page a portal scenario reads, under `/portal/{program}/`.
    pub fn portal_page(self) -> Option<&'static str> {
        match self {
            Scenario::PortalHome => Some(""),
            Scenario::PortalCheckIn => Some("check-in"),
            Scenario::PortalRewards => Some("rewards"),
            Scenario::PortalWallet => Some("wallet"),
            Scenario::PortalHistory => Some("history"),
            _ => None,
        }
    }
}

/// One member's portal session: the `Cookie` header and the portal's root path.
#[derive(Debug, Clone)]
pub struct PortalSession {
    pub cookie: String,
    pub root: String,
}

/// The voucher template whose vouchers fill the portal members' wallets.
const PORTAL_TEMPLATE: &str = "bench-portal";
/// Vouchers each portal member holds, so the wallet page draws cards.
const PORTAL_VOUCHERS: usize = 3;

/// Signs `count` random dataset members in to the portal the way a brand's app does: mints a
/// link for each through the API and opens it. Each gets [`PORTAL_VOUCHERS`] vouchers first,
/// so that their wallet has cards to draw. Returns their sessions.
pub async fn portal_sessions(
    base: &str,
    key: &str,
    members: u64,
    count: usize,
) -> anyhow::Result<Vec<PortalSession>> {
    let api = reqwest::Client::new();
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    api.put(format!("{base}/v1/voucher-templates/{PORTAL_TEMPLATE}"))
        .bearer_auth(key)
        .json(&json!({
            "title": {"zh-CN": "饮品立减 5 元", "en": "¥5 off a drink"},
            "discount": {"kind": "amount", "off": 500},
            "min_spend": 2_000,
            "validity": {"days": 30},
            "giftable": true
        }))
        .send()
        .await?
        .error_for_status()?;
    let mut sessions = Vec::with_capacity(count);
    for _ in 0..count {
        let member = random_member(members);
        for k in 0..PORTAL_VOUCHERS {
            api.post(format!("{base}/v1/members/{member}/vouchers"))
                .bearer_auth(key)
                .json(&json!({"id": format!("{member}-portal-{k}"), "template": PORTAL_TEMPLATE}))
                .send()
                .await?
                .error_for_status()?;
        }
        let link: serde_json::Value = api
            .post(format!("{base}/v1/members/{member}/portal-links"))
            .bearer_auth(key)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let url = link["url"]
            .as_str()
            .ok_or_else(|| anyhow::anyhow!("a portal link without a url: {link}"))?;
        // The link names the server as the request did; open it on the bench's base.
        let path = url
            .find("/portal/")
            .map(|i| &url[i..])
            .ok_or_else(|| anyhow::anyhow!("not a portal link: {url}"))?;
        let res = browser.get(format!("{base}{path}")).send().await?;
        let cookie = session_cookie(&res, "jifen_portal")
            .ok_or_else(|| anyhow::anyhow!("opening a portal link answered {}", res.status()))?;
        let root = res
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| anyhow::anyhow!("opening a portal link did not redirect"))?
            .to_owned();
        sessions.push(PortalSession { cookie, root });
    }
    Ok(sessions)
}

/// The console operator the console scenarios sign in as.
pub const CONSOLE_EMAIL: &str = "bench-support@jifen.test";
pub const CONSOLE_PASSWORD: &str = "bench-console-password";
/// The member with 200 ledger entries that `console_setup` makes.
pub const CONSOLE_MEMBER: &str = "console-200";

/// Adds the support agent the console scenarios sign in as, straight through the store (before
/// the server starts on the same database).
pub async fn console_operator(
    store: std::sync::Arc<dyn jifen_store::Store>,
    program_id: &str,
) -> anyhow::Result<()> {
    let state = jifen_server::AppState::new(store, std::sync::Arc::new(jifen_server::SystemClock));
    jifen_server::console::operators::add(
        &state,
        program_id,
        CONSOLE_EMAIL,
        Some("Bench support"),
        jifen_store::console::Role::Support,
        Some(CONSOLE_PASSWORD.into()),
    )
    .await
    .map_err(|e| anyhow::anyhow!("console operator: {e}"))?;
    Ok(())
}

/// Signs in to the console; returns the `Cookie` header value of the session.
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
    session_cookie(&res, "jifen_session")
        .ok_or_else(|| anyhow::anyhow!("console sign-in failed: {}", res.status()))
}

/// The `name=value` of the cookie named `name` that an answer sets, as a `Cookie` header.
pub fn session_cookie(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| {
            v.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with('='))
        })
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
}

/// Gives the program the member the member-page scenario reads: 200 purchases, so 200 ledger
/// entries.
pub async fn console_setup(base: &str, key: &str) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    client
        .put(format!("{base}/v1/members/{CONSOLE_MEMBER}"))
        .bearer_auth(key)
        .json(&json!({"name": "Console bench"}))
        .send()
        .await?
        .error_for_status()?;
    let now = chrono::Utc::now();
    for batch in 0..2 {
        let events: Vec<_> = (0..100)
            .map(|i| {
                let n = batch * 100 + i;
                json!({
                    "id": format!("{CONSOLE_MEMBER}-e{n}"),
                    "type": "purchase",
                    "member": CONSOLE_MEMBER,
                    "occurred_at": (now - chrono::Duration::minutes(200 - n)).to_rfc3339(),
                    "site": "tmall",
                    "attributes": {"order_id": format!("{CONSOLE_MEMBER}-o{n}"), "amount": 15_800}
                })
            })
            .collect();
        client
            .post(format!("{base}/v1/events"))
            .bearer_auth(key)
            .json(&json!({ "events": events }))
            .send()
            .await?
            .error_for_status()?;
    }
    Ok(())
}

/// The n-th dataset member's phone as a person types it: `130 0000 0012`.
fn spaced_phone(n: u64) -> String {
    let digits = format!("1{:010}", 3_000_000_000 + n);
    format!("{} {} {}", &digits[..3], &digits[3..7], &digits[7..])
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
    /// The console session's `Cookie` header, for the console scenarios.
    pub cookie: Option<String>,
    /// Members signed in to the portal, for the portal scenarios.
    pub portal: Vec<PortalSession>,
}

/// Gives the program an owner in the console, folds the dashboard's rollups (the background
/// job would, in its own time) and signs in: returns the session's `Cookie` header.
pub async fn dashboard_sign_in(
    database_url: &str,
    program_id: &str,
    base: &str,
) -> anyhow::Result<String> {
    let store = jifen_store::connect(database_url, &jifen_store::ConnectOptions::default()).await?;
    let state = jifen_server::AppState::new(store, Arc::new(jifen_server::SystemClock));
    let email = "bench-owner@jifen.test";
    let password = "bench-password-618";
    jifen_server::console::operators::add(
        &state,
        program_id,
        email,
        None,
        jifen_store::console::Role::Owner,
        Some(password.into()),
    )
    .await
    .map_err(|e| anyhow::anyhow!("console operator: {e}"))?;
    jifen_server::console::dashboard::fold_all(&state)
        .await
        .map_err(|e| anyhow::anyhow!("folding the rollups: {e}"))?;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let res = client
        .post(format!("{base}/console/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("email={email}&password={password}"))
        .send()
        .await?;
    session_cookie(&res, "jifen_session")
        .ok_or_else(|| anyhow::anyhow!("console sign-in answered {}", res.status()))
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
/// Purchase ingest in batches of 100, closed loop over 16 connections, for `seconds`: the
/// figure other features' ingest is compared with. `tag` keeps the ids of runs apart.
pub async fn ingest_batches(
    served: &crate::server::Served,
    key: &str,
    members: u64,
    seconds: u64,
    tag: &str,
) -> anyhow::Result<LoadResult> {
    let target = Target {
        base: served.base(),
        key: key.to_owned(),
        members,
        duration: Duration::from_secs(seconds),
        run_id: format!("{tag}{}", chrono::Utc::now().timestamp_millis()),
        cookie: None,
        portal: Vec::new(),
    };
    run_scenario(Scenario::IngestBatch, &target, Mode::Closed, 16).await
}

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
        Scenario::ConsoleRules => {
            let cookie = t.cookie.clone().unwrap_or_default();
            Arc::new(move |_| Req::get("/console/rules").header("cookie", cookie.clone()))
        }
        Scenario::ConsoleSearch => {
            let cookie = t.cookie.clone().unwrap_or_default();
            Arc::new(move |_| {
                let n = rand::rng().random_range(0..members.max(1));
                let q = spaced_phone(n).replace(' ', "+");
                Req::get(format!("/console/members?q={q}")).header("cookie", cookie.clone())
            })
        }
        Scenario::ConsoleMember => {
            let cookie = t.cookie.clone().unwrap_or_default();
            Arc::new(move |_| {
                Req::get(format!("/console/members/{CONSOLE_MEMBER}"))
                    .header("cookie", cookie.clone())
            })
        }
        Scenario::Dashboard => {
            let cookie = t.cookie.clone().unwrap_or_default();
            Arc::new(move |_| Req::get("/console").header("cookie", cookie.clone()))
        }
        Scenario::PortalHome
        | Scenario::PortalCheckIn
        | Scenario::PortalRewards
        | Scenario::PortalWallet
        | Scenario::PortalHistory => {
            let page = s.portal_page().unwrap_or_default();
            let sessions = Arc::new(t.portal.clone());
            anyhow::ensure!(
                !sessions.is_empty(),
                "the portal scenarios need signed-in members (portal_sessions)"
            );
            Arc::new(move |n| {
                let session = &sessions[n as usize % sessions.len()];
                Req::get(format!("{}{page}", session.root)).header("cookie", session.cookie.clone())
            })
        }
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
        !matches!(
            s,
            Scenario::ConsoleRules
                | Scenario::ConsoleSearch
                | Scenario::ConsoleMember
                | Scenario::Dashboard
        ) || t.cookie.is_some(),
        "the console scenarios need a signed-in session"
    );
    let spec = LoadSpec {
        base: t.base.clone(),
        key: Some(t.key.clone()),
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
        mode,
        connections,
        duration,
        max_requests: 0,
    };
    run(&spec, Arc::new(|_| Req::get("/bare"))).await
}
