//! `jifen-bench all`: every scenario against its ceiling, on each backend, and the report.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::Serialize;
use sqlx::Connection;

use crate::ceiling;
use crate::dataset::{self, DatasetSpec};
use crate::load::{LoadResult, Mode};
use crate::scenarios::{Scenario, Target, run_bare, run_scenario};
use crate::server::{self, Served};

/// What `all` was asked to do.
#[derive(Debug, Clone)]
pub struct Plan {
    pub members: u64,
    pub entries_per_member: f64,
    pub seconds: u64,
    pub backends: Vec<String>,
    pub dir: PathBuf,
    pub postgres: String,
    pub smoke: bool,
    pub command: String,
}

/// One line of the report.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub scenario: String,
    pub backend: String,
    pub figure: f64,
    pub unit: String,
    pub ceiling_name: String,
    pub ceiling: Option<f64>,
    pub ratio: Option<f64>,
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub p999_ms: Option<f64>,
    pub errors: u64,
    pub non_2xx: u64,
    pub peak_rss_mib: Option<f64>,
    pub target: String,
    pub met: Option<bool>,
}

impl Row {
    /// A figure with nothing to compare it with yet.
    pub(crate) fn figure(
        scenario: impl Into<String>,
        backend: &str,
        figure: f64,
        unit: &str,
    ) -> Row {
        Row {
            scenario: scenario.into(),
            backend: backend.into(),
            figure,
            unit: unit.into(),
            ceiling_name: String::new(),
            ceiling: None,
            ratio: None,
            p50_ms: None,
            p99_ms: None,
            p999_ms: None,
            errors: 0,
            non_2xx: 0,
            peak_rss_mib: None,
            target: String::new(),
            met: None,
        }
    }
}

fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

pub(crate) fn load_row(
    scenario: &str,
    backend: &str,
    r: &LoadResult,
    per_request: f64,
    unit: &str,
) -> Row {
    Row {
        p50_ms: Some(ms(r.p50_us)),
        p99_ms: Some(ms(r.p99_us)),
        p999_ms: Some(ms(r.p999_us)),
        errors: r.errors,
        non_2xx: r.non_2xx,
        ..Row::figure(scenario, backend, r.throughput * per_request, unit)
    }
}

impl Row {
    pub(crate) fn against(mut self, name: &str, ceiling: f64) -> Self {
        self.ceiling_name = name.into();
        self.ceiling = Some(ceiling);
        self.ratio = (ceiling > 0.0).then(|| self.figure / ceiling);
        self
    }

    pub(crate) fn target(mut self, text: &str, met: bool) -> Self {
        self.target = text.into();
        self.met = Some(met && self.errors == 0 && self.non_2xx == 0);
        self
    }
}

/// Connections the load generator uses per scenario.
const CONNECTIONS_BATCH: usize = 4;
const CONNECTIONS_SINGLE: usize = 64;
const CONNECTIONS_READ: usize = 32;
const CONNECTIONS_REDEEM: usize = 16;
const BALANCE_RATE: f64 = 5_000.0;
/// Console pages are read by people: a steady 100 a second is a busy support floor.
const CONSOLE_RATE: f64 = 100.0;
const CONNECTIONS_CONSOLE: usize = 4;
/// Members signed in to the portal for its scenarios, each with a session of their own.
pub const PORTAL_MEMBERS: usize = 100;

pub async fn run_all(plan: &Plan) -> anyhow::Result<Vec<Row>> {
    let mut rows = Vec::new();
    let dur = Duration::from_secs(plan.seconds);
    std::fs::create_dir_all(&plan.dir)?;
    eprintln!("== HTTP ceiling: bare axum route");
    let bare = server::start_bare().await?;
    let bare_max = run_bare(&bare.base(), Mode::Closed, CONNECTIONS_READ, dur).await?;
    // The latency floor of the open-loop balance reads: the same rate, connections and load
    // generator on the same cores, against a route that does nothing.
    let bare_open = run_bare(
        &bare.base(),
        Mode::Open { rate: BALANCE_RATE },
        CONNECTIONS_SINGLE,
        dur,
    )
    .await?;
    bare.stop();
    let mut bare_row = load_row("bare axum route (ceiling)", "-", &bare_max, 1.0, "req/s");
    bare_row.target = "ceiling".into();
    rows.push(bare_row);
    let mut open_row = load_row(
        "bare axum route, open loop 5,000/s (ceiling)",
        "-",
        &bare_open,
        1.0,
        "req/s",
    );
    open_row.target = "ceiling".into();
    rows.push(open_row);
    let bare = Bare {
        max: bare_max.throughput,
        p99_ms_at_rate: ms(bare_open.p99_us),
    };
    for backend in &plan.backends {
        rows.extend(run_backend(plan, backend, dur, bare).await?);
    }
    Ok(rows)
}

/// The HTTP ceilings of a run.
#[derive(Debug, Clone, Copy)]
struct Bare {
    /// Closed-loop maximum, requests per second.
    max: f64,
    /// p99 latency at the open-loop balance rate.
    p99_ms_at_rate: f64,
}

async fn run_backend(
    plan: &Plan,
    backend: &str,
    dur: Duration,
    bare: Bare,
) -> anyhow::Result<Vec<Row>> {
    let bare_max = bare.max;
    let mut rows = Vec::new();
    eprintln!("== {backend}: insert ceilings");
    let (url, pg_db) = match backend {
        "sqlite" => {
            let path = plan.dir.join(format!("bench-{}.db", plan.members));
            remove_sqlite(&path.display().to_string());
            (format!("sqlite://{}", path.display()), None)
        }
        "postgres" => {
            let name = format!("jifen_bench_{}", uuid::Uuid::new_v4().simple());
            let mut admin = sqlx::PgConnection::connect(&plan.postgres).await?;
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut admin)
                .await?;
            let server = plan
                .postgres
                .rsplit_once('/')
                .map_or(plan.postgres.as_str(), |(s, _)| s);
            (format!("{server}/{name}"), Some(name))
        }
        other => anyhow::bail!("unknown backend {other}; use sqlite or postgres"),
    };
    let (batch_ceiling, single_ceiling) = if backend == "sqlite" {
        let p = plan.dir.join("ceiling.db");
        (
            ceiling::sqlite_inserts(&p, 100, dur).await?,
            ceiling::sqlite_inserts(&p, 1, dur).await?,
        )
    } else {
        (
            ceiling::postgres_inserts(&url, 100, dur).await?,
            ceiling::postgres_inserts(&url, 1, dur).await?,
        )
    };
    rows.push(ceiling_row(backend, &batch_ceiling));
    rows.push(ceiling_row(backend, &single_ceiling));

    eprintln!("== {backend}: dataset of {} members", plan.members);
    let store = jifen_store::connect(&url, &jifen_store::ConnectOptions::default()).await?;
    let info = dataset::build(
        store.clone(),
        &DatasetSpec {
            members: plan.members,
            entries_per_member: plan.entries_per_member,
            seed: 618,
            now: chrono::Utc::now(),
            progress: !plan.smoke,
        },
    )
    .await?;
    crate::scenarios::console_operator(store.clone(), &info.program_id).await?;
    drop(store);
    rows.push(Row::figure(
        format!(
            "dataset load: {} members, {} entries, {} lots",
            info.members, info.entries, info.lots
        ),
        backend,
        info.entries as f64 / info.seconds,
        "entries/s",
    ));

    let served = server::start_jifen(&url).await?;
    let target = Target {
        base: served.base(),
        key: info.key.clone(),
        members: info.members,
        duration: dur,
        run_id: format!("{backend}{}", chrono::Utc::now().timestamp_millis()),
        cookie: None,
        portal: Vec::new(),
    };
    eprintln!("== {backend}: (a) purchase events in batches of 100");
    let r = run_scenario(
        Scenario::IngestBatch,
        &target,
        Mode::Closed,
        CONNECTIONS_BATCH,
    )
    .await?;
    let row = load_row(
        "(a) purchase events, batches of 100",
        backend,
        &r,
        100.0,
        "events/s",
    )
    .against("raw inserts, batches of 100", batch_ceiling.rows_per_second);
    let ok = row.ratio.unwrap_or(0.0) >= 0.5 && (backend != "sqlite" || row.figure >= 20_000.0);
    rows.push(with_rss(
        row.target("≥ 0.5× ceiling; ≥ 20,000/s on SQLite", ok),
        &served,
    ));

    eprintln!("== {backend}: (b) single purchase events, 64 connections");
    let r = run_scenario(
        Scenario::IngestSingle,
        &target,
        Mode::Closed,
        CONNECTIONS_SINGLE,
    )
    .await?;
    let row = load_row(
        "(b) single purchase events, 64 connections",
        backend,
        &r,
        1.0,
        "events/s",
    )
    .against(
        "raw inserts, one row per transaction",
        single_ceiling.rows_per_second,
    );
    let ok = row.figure >= 3_000.0;
    rows.push(with_rss(row.target("≥ 3,000/s, durable", ok), &served));

    eprintln!("== {backend}: (c) balance reads at {BALANCE_RATE}/s");
    let r = run_scenario(
        Scenario::Balance,
        &target,
        Mode::Open { rate: BALANCE_RATE },
        CONNECTIONS_SINGLE,
    )
    .await?;
    let row = load_row(
        "(c) balance reads, open loop 5,000/s",
        backend,
        &r,
        1.0,
        "req/s",
    );
    let ok = row.p99_ms.unwrap_or(f64::MAX) <= 2.0 && row.figure >= BALANCE_RATE * 0.95;
    // Here the ratio is of tails: this p99 over the bare route's at the same rate.
    let row = Row {
        ceiling_name: "bare route's p99 at 5,000/s, ms".into(),
        ceiling: Some(bare.p99_ms_at_rate),
        ratio: row
            .p99_ms
            .filter(|_| bare.p99_ms_at_rate > 0.0)
            .map(|p| p / bare.p99_ms_at_rate),
        ..row
    };
    rows.push(with_rss(row.target("p99 ≤ 2 ms", ok), &served));
    let r = run_scenario(Scenario::Balance, &target, Mode::Closed, CONNECTIONS_READ).await?;
    let row = load_row("(c) balance reads, maximum", backend, &r, 1.0, "req/s")
        .against("bare axum route, maximum", bare_max);
    let ok = row.ratio.unwrap_or(0.0) >= 0.5;
    rows.push(with_rss(row.target("≥ 0.5× bare route", ok), &served));

    eprintln!("== {backend}: (d) redemptions, hot members");
    let r = run_scenario(Scenario::Redeem, &target, Mode::Closed, CONNECTIONS_REDEEM).await?;
    let mut row = load_row(
        "(d) redemptions, 10% on 10 hot members",
        backend,
        &r,
        1.0,
        "req/s",
    );
    row.target = "(measured)".into();
    rows.push(with_rss(row, &served));

    eprintln!("== {backend}: (f) mixed 6.18 profile");
    let r = run_scenario(Scenario::Mixed, &target, Mode::Closed, CONNECTIONS_READ).await?;
    let mut row = load_row(
        "(f) mixed: 80% reads, 20% purchases",
        backend,
        &r,
        1.0,
        "req/s",
    );
    row.target = "(measured)".into();
    rows.push(with_rss(row, &served));
    rows.extend(checkout_rows(backend, &target, &served, bare_max).await?);
    rows.extend(rule_rows(backend, &target, &served).await?);
    rows.push(with_rss(
        console_rules_row(backend, &url, &info.program_id, &target).await?,
        &served,
    ));
    rows.push(dashboard_row(backend, &url, &info.program_id, &target, &served).await?);
    let rss = served.peak_rss_mib();
    served.stop();
    rows.push(Row {
        peak_rss_mib: Some(rss),
        target: "≤ 300 MB".into(),
        met: Some(rss <= 300.0 * 1_000_000.0 / 1_048_576.0),
        ..Row::figure("peak resident memory of jifen serve", backend, rss, "MiB")
    });

    eprintln!("== {backend}: (e) expiry job over every lot");
    rows.push(expiry_row(backend, &url, info.lots).await?);

    eprintln!("== {backend}: (h) tier re-evaluation of every member");
    let served = server::start_jifen(&url).await?;
    let mut row = tier_row(backend, &served, &info.key, info.members).await?;
    row.peak_rss_mib = Some(served.peak_rss_mib());
    rows.push(row);
    // Last, as it adds a member of its own (the counts above are the dataset's), and with the
    // tier policy (h) left, so the member page shows a tier too.
    let target = Target {
        base: served.base(),
        ..target
    };
    eprintln!("== {backend}: (h) closest to the next tier, console");
    let closest = closest_row(backend, &target, info.members).await;
    let console = console_rows(backend, &target, &served).await;
    let portal = portal_rows(backend, &target, &served).await;
    served.stop();
    rows.push(closest?);
    rows.extend(console?);
    rows.extend(portal?);

    if backend == "sqlite" {
        // A million members' history is tens of gigabytes: make room for the next backend.
        remove_sqlite(url.trim_start_matches("sqlite://"));
    }
    if let Some(name) = pg_db {
        let mut admin = sqlx::PgConnection::connect(&plan.postgres).await?;
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await?;
    }
    Ok(rows)
}

/// Removes a SQLite database file with its WAL and shared-memory files, if they exist.
fn remove_sqlite(path: &str) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{path}{suffix}"));
    }
}

/// (i) checkouts: validation (a read judged against the ladder, with points as cash) against
/// the bare route, and redemption (a hold and a checkout row, durable).
async fn checkout_rows(
    backend: &str,
    target: &Target,
    served: &Served,
    bare_max: f64,
) -> anyhow::Result<Vec<Row>> {
    crate::scenarios::checkout_setup(&target.base, &target.key).await?;
    eprintln!("== {backend}: (i) checkout validation");
    let r = run_scenario(
        Scenario::CheckoutValidate,
        target,
        Mode::Closed,
        CONNECTIONS_READ,
    )
    .await?;
    let mut validate = load_row(
        "(i) checkout validation: ladder and points as cash",
        backend,
        &r,
        1.0,
        "req/s",
    )
    .against("bare axum route, maximum", bare_max);
    validate.target = "(measured)".into();
    eprintln!("== {backend}: (i) checkout redemption");
    let r = run_scenario(
        Scenario::CheckoutRedeem,
        target,
        Mode::Closed,
        CONNECTIONS_REDEEM,
    )
    .await?;
    let mut redeem = load_row(
        "(i) checkout redemption: hold of points, durable",
        backend,
        &r,
        1.0,
        "req/s",
    );
    redeem.target = "(measured)".into();
    Ok(vec![with_rss(validate, served), with_rss(redeem, served)])
}

/// (j) console pages, signed in as a support agent, at a steady rate: a member search by a
/// phone typed with spaces, and the page of a member with 200 ledger entries. Target: p99 under
/// 50 ms.
async fn console_rows(backend: &str, target: &Target, served: &Served) -> anyhow::Result<Vec<Row>> {
    use crate::scenarios::{CONSOLE_EMAIL, CONSOLE_PASSWORD};
    crate::scenarios::console_setup(&target.base, &target.key).await?;
    let cookie =
        crate::scenarios::console_sign_in(&target.base, CONSOLE_EMAIL, CONSOLE_PASSWORD).await?;
    let signed_in = Target {
        cookie: Some(cookie),
        ..target.clone()
    };
    let mut rows = Vec::new();
    for (scenario, label, step) in [
        (
            Scenario::ConsoleSearch,
            "(j) console: member search by phone, open loop 100/s",
            "member search by phone",
        ),
        (
            Scenario::ConsoleMember,
            "(j) console: member page, 200 ledger entries, open loop 100/s",
            "member page",
        ),
    ] {
        eprintln!("== {backend}: (j) console {step}");
        rows.push(paced_page(backend, &signed_in, served, scenario, label, 50.0).await?);
    }
    Ok(rows)
}

/// One page read open loop at [`CONSOLE_RATE`] pages a second, as a row with a p99 target of
/// `p99_ms`, met only when every answer was 2xx or 3xx.
async fn paced_page(
    backend: &str,
    target: &Target,
    served: &Served,
    scenario: Scenario,
    label: &str,
    p99_ms: f64,
) -> anyhow::Result<Row> {
    let r = run_scenario(
        scenario,
        target,
        Mode::Open { rate: CONSOLE_RATE },
        CONNECTIONS_CONSOLE,
    )
    .await?;
    let row = load_row(label, backend, &r, 1.0, "pages/s");
    let ok = row.p99_ms.unwrap_or(f64::MAX) < p99_ms && r.non_2xx == 0 && r.errors == 0;
    Ok(with_rss(
        row.target(&format!("p99 < {p99_ms} ms"), ok),
        served,
    ))
}

/// (k) the member portal's pages, each read by members signed in with a portal link, at a
/// steady rate. Target: p99 under 30 ms per page.
async fn portal_rows(backend: &str, target: &Target, served: &Served) -> anyhow::Result<Vec<Row>> {
    let sessions = crate::scenarios::portal_sessions(
        &target.base,
        &target.key,
        target.members,
        PORTAL_MEMBERS,
    )
    .await?;
    let signed_in = Target {
        portal: sessions,
        ..target.clone()
    };
    let mut rows = Vec::new();
    for (scenario, page) in [
        (Scenario::PortalHome, "home"),
        (Scenario::PortalCheckIn, "check-in"),
        (Scenario::PortalRewards, "rewards"),
        (Scenario::PortalWallet, "wallet"),
        (Scenario::PortalHistory, "history"),
    ] {
        eprintln!("== {backend}: (k) portal {page} page");
        let label = format!("(k) portal: {page} page, {PORTAL_MEMBERS} members, open loop 100/s");
        rows.push(paced_page(backend, &signed_in, served, scenario, &label, 30.0).await?);
    }
    Ok(rows)
}

/// (g) behaviour events in batches of 100 with 1, 20 and 200 live rules, against the same
/// events with no rule for them (recorded, judged by nothing) measured just before.
async fn rule_rows(backend: &str, target: &Target, served: &Served) -> anyhow::Result<Vec<Row>> {
    let mut rows = Vec::new();
    eprintln!("== {backend}: (g) behaviour events, no rules");
    let r = run_scenario(
        Scenario::Behaviours,
        target,
        Mode::Closed,
        CONNECTIONS_BATCH,
    )
    .await?;
    let base = load_row(
        "(g) behaviour events, batches of 100, no live rule (ceiling)",
        backend,
        &r,
        100.0,
        "events/s",
    );
    let base_figure = base.figure;
    rows.push(with_rss(
        Row {
            target: "ceiling".into(),
            ..base
        },
        served,
    ));
    let client = reqwest::Client::new();
    let mut saved = 0;
    for live in [1usize, 20, 200] {
        while saved < live {
            let res = client
                .put(format!("{}/v1/rules/bench-{saved}", target.base))
                .bearer_auth(&target.key)
                .json(&jifen_bench::bench_rule(saved))
                .send()
                .await?;
            anyhow::ensure!(res.status().is_success(), "saving a rule: {}", res.status());
            saved += 1;
        }
        // Rules are live from the second they were saved.
        tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
        eprintln!("== {backend}: (g) behaviour events, {live} live rules");
        // Event ids of their own: ids the run before sent would be answered from the stored
        // answers (or refused), never judged.
        let run = Target {
            run_id: format!("{}r{live}", target.run_id),
            ..target.clone()
        };
        let r = run_scenario(Scenario::Behaviours, &run, Mode::Closed, CONNECTIONS_BATCH).await?;
        let row = load_row(
            &format!("(g) behaviour events, batches of 100, {live} live rules"),
            backend,
            &r,
            100.0,
            "events/s",
        )
        .against("the same events with no live rule", base_figure);
        let mut row = with_rss(row, served);
        row.target = "(measured)".into();
        rows.push(row);
    }
    Ok(rows)
}

/// (j) the console's rules list (the 200 rules of (g) and their stats), signed in as a
/// marketer: p99 under 50 ms.
async fn console_rules_row(
    backend: &str,
    url: &str,
    program_id: &str,
    target: &Target,
) -> anyhow::Result<Row> {
    eprintln!("== {backend}: (j) console rules list, signed in");
    let store = jifen_store::connect(url, &jifen_store::ConnectOptions::default()).await?;
    let state = jifen_server::AppState::new(store, std::sync::Arc::new(jifen_server::SystemClock));
    let (email, password) = ("bench-marketer@jifen.bench", "bench-password-618");
    jifen_server::console::operators::add(
        &state,
        program_id,
        email,
        None,
        jifen_store::console::Role::Marketer,
        Some(password.into()),
    )
    .await
    .map_err(|e| anyhow::anyhow!("console operator: {e}"))?;
    drop(state);
    let signed_in = Target {
        cookie: Some(crate::scenarios::console_sign_in(&target.base, email, password).await?),
        ..target.clone()
    };
    let r = run_scenario(
        Scenario::ConsoleRules,
        &signed_in,
        Mode::Open { rate: CONSOLE_RATE },
        CONNECTIONS_REDEEM,
    )
    .await?;
    let row = load_row(
        "(j) console: rules list page, signed in, open loop 100/s",
        backend,
        &r,
        1.0,
        "pages/s",
    );
    let ok = row.p99_ms.unwrap_or(f64::MAX) < 50.0 && r.non_2xx == 0 && r.errors == 0;
    Ok(row.target("p99 < 50 ms", ok))
}

/// (j) The console's dashboard, signed in, after the rollups are folded: a page view reads
/// the rollups only, so its time does not grow with the ledger.
async fn dashboard_row(
    backend: &str,
    url: &str,
    program_id: &str,
    target: &Target,
    served: &Served,
) -> anyhow::Result<Row> {
    eprintln!("== {backend}: (j) console dashboard page");
    let cookie = crate::scenarios::dashboard_sign_in(url, program_id, &target.base).await?;
    let target = Target {
        cookie: Some(cookie),
        ..target.clone()
    };
    // A few operators at once, each waiting for their page: the time one page takes.
    let r = run_scenario(
        Scenario::Dashboard,
        &target,
        Mode::Closed,
        CONNECTIONS_CONSOLE,
    )
    .await?;
    let row = load_row(
        "(j) console dashboard page, signed in",
        backend,
        &r,
        1.0,
        "req/s",
    );
    let ok = row.p99_ms.unwrap_or(f64::MAX) < 50.0;
    Ok(with_rss(row.target("p99 < 50 ms", ok), served))
}

fn with_rss(mut row: Row, served: &Served) -> Row {
    row.peak_rss_mib = Some(served.peak_rss_mib());
    row
}

fn ceiling_row(backend: &str, c: &ceiling::InsertCeiling) -> Row {
    Row {
        target: "ceiling".into(),
        ..Row::figure(
            format!("raw inserts, batches of {} (ceiling)", c.batch),
            backend,
            c.rows_per_second,
            "rows/s",
        )
    }
}

/// Runs the background jobs once (what `jifen maintain` runs) two years ahead, when every lot
/// has expired, and times them. In process, with a clock set two years on: on the dataset itself,
/// which exists for this (`jifen maintain --at` would only rehearse on a copy).
async fn expiry_row(backend: &str, url: &str, lots: u64) -> anyhow::Result<Row> {
    let at = chrono::Utc::now() + chrono::Duration::days(730);
    let store = jifen_store::connect(url, &jifen_store::ConnectOptions::default()).await?;
    let state = jifen_server::AppState::new(
        store,
        std::sync::Arc::new(jifen_server::ManualClock::new(at)),
    );
    let started = Instant::now();
    jifen_server::jobs::run_once(&state)
        .await
        .map_err(|e| anyhow::anyhow!("the jobs failed: {e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    let per_second = lots as f64 / seconds;
    let projected = 10_000_000.0 / per_second;
    Ok(Row {
        target: "10M lots ≤ 60 s".into(),
        met: Some(projected <= 60.0),
        ..Row::figure(
            format!(
                "(e) expiry job over {lots} lots ({seconds:.1} s; 10M lots projected {projected:.0} s)"
            ),
            backend,
            per_second,
            "lots/s",
        )
    })
}

/// Saves a spend-tier policy (Silver / Gold from ¥3,000 / Platinum from ¥10,000 over 365 days,
/// with a points gift on reaching Platinum) and times the re-evaluation of every member it
/// starts, through the API.
pub async fn tier_row(
    backend: &str,
    served: &Served,
    key: &str,
    members: u64,
) -> anyhow::Result<Row> {
    let client = reqwest::Client::new();
    let policy = serde_json::json!({
        "basis": {"kind": "spend", "window": {"kind": "rolling_days", "days": 365}},
        "requalification": {"kind": "after_upgrade", "days": 365},
        "tiers": [
            {"id": "silver", "name": "Silver", "threshold": 0},
            {"id": "gold", "name": "Gold", "threshold": 300_000, "benefits": [
                {"id": "gold-points", "kind": "earn_multiplier", "factor": 1.25}]},
            {"id": "platinum", "name": "Platinum", "threshold": 1_000_000, "benefits": [
                {"id": "platinum-points", "kind": "earn_multiplier", "factor": 1.5},
                {"id": "platinum-welcome", "kind": "upgrade_gift", "gift": {"points": 500}}]}
        ]
    });
    let started = Instant::now();
    let res: serde_json::Value = client
        .put(format!("{}/v1/tier-policy", served.base()))
        .bearer_auth(key)
        .json(&policy)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let id = res["job"]["id"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("no job in {res}"))?
        .to_owned();
    let job = loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let job: serde_json::Value = client
            .get(format!("{}/v1/tier-jobs/{id}", served.base()))
            .bearer_auth(key)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        if job["status"] == "done" {
            break job;
        }
    };
    let seconds = started.elapsed().as_secs_f64();
    let done = job["members"].as_u64().unwrap_or(0);
    anyhow::ensure!(done == members, "the job saw {done} of {members} members");
    let per_second = members as f64 / seconds;
    let projected = 1_000_000.0 / per_second;
    Ok(Row {
        target: "1M members ≤ 120 s".into(),
        met: Some(projected <= 120.0),
        ..Row::figure(
            format!(
                "(h) tier re-evaluation after a policy change: {members} members, {} changes \
                 ({seconds:.1} s; 1M members projected {projected:.0} s)",
                job["changes"]
            ),
            backend,
            per_second,
            "members/s",
        )
    })
}

/// (h) The console's "closest to the next tier" list under the tier policy (h) left: a pass
/// over every member's figure in the background, followed as the page does (its partial, once
/// a second). Signed in as the support agent.
async fn closest_row(backend: &str, target: &Target, members: u64) -> anyhow::Result<Row> {
    use crate::scenarios::{CONSOLE_EMAIL, CONSOLE_PASSWORD};
    let cookie =
        crate::scenarios::console_sign_in(&target.base, CONSOLE_EMAIL, CONSOLE_PASSWORD).await?;
    let client = reqwest::Client::new();
    let started = Instant::now();
    loop {
        let part = client
            .get(format!("{}/console/tiers/closest", target.base))
            .header("cookie", &cookie)
            .send()
            .await?
            .error_for_status()?
            .text()
            .await?;
        anyhow::ensure!(
            !part.contains("role=\"alert\""),
            "the closest list failed: {part}"
        );
        if !part.contains("hx-trigger") {
            break;
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(3_600),
            "the closest list took more than an hour"
        );
        tokio::time::sleep(Duration::from_millis(1_000)).await;
    }
    let seconds = started.elapsed().as_secs_f64();
    let per_second = members as f64 / seconds;
    let projected = 1_000_000.0 / per_second;
    Ok(Row {
        target: "1M members ≤ 120 s".into(),
        met: Some(projected <= 120.0),
        ..Row::figure(
            format!(
                "(h) console: closest to the next tier, a pass over {members} members \
                 ({seconds:.1} s, followed once a second; 1M members projected {projected:.0} s)"
            ),
            backend,
            per_second,
            "members/s",
        )
    })
}

fn fmt(x: Option<f64>, digits: usize) -> String {
    x.map_or_else(|| "—".into(), |v| format!("{v:.digits$}"))
}

/// Writes the table between the results markers of `out` (keeping the rest of the file) and
/// the JSON of every row.
pub fn write(plan: &Plan, rows: &[Row], out: &PathBuf, json: &PathBuf) -> anyhow::Result<()> {
    let mut t = String::new();
    t.push_str("<!-- results:start -->\n");
    t.push_str(&format!(
        "Produced by `{}` on {} ({} cores), {} members, {} s per measurement.\n\n",
        plan.command.replace(" --out docs/benchmarks.md", ""),
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0),
        plan.members,
        plan.seconds
    ));
    t.push_str("| scenario | backend | measured | ceiling | ratio | p50 ms | p99 ms | p99.9 ms | peak RSS MiB | target | met |\n");
    t.push_str("|---|---|---:|---|---:|---:|---:|---:|---:|---|---|\n");
    for r in rows {
        t.push_str(&format!(
            "| {} | {} | {:.0} {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            r.scenario,
            r.backend,
            r.figure,
            r.unit,
            match r.ceiling {
                Some(c) if c < 100.0 => format!("{} ({c:.2})", r.ceiling_name),
                Some(c) => format!("{} ({c:.0})", r.ceiling_name),
                None => "—".into(),
            },
            fmt(r.ratio, 2),
            fmt(r.p50_ms, 2),
            fmt(r.p99_ms, 2),
            fmt(r.p999_ms, 2),
            fmt(r.peak_rss_mib, 0),
            r.target,
            match r.met {
                Some(true) => "yes",
                Some(false) => "**no**",
                None => "",
            }
        ));
    }
    t.push_str("<!-- results:end -->");
    let existing = std::fs::read_to_string(out).unwrap_or_default();
    let doc = match (
        existing.find("<!-- results:start -->"),
        existing.find("<!-- results:end -->"),
    ) {
        (Some(a), Some(b)) => format!(
            "{}{}{}",
            &existing[..a],
            t,
            &existing[b + "<!-- results:end -->".len()..]
        ),
        _ => format!("# Benchmarks\n\n{t}\n"),
    };
    std::fs::write(out, doc)?;
    std::fs::write(json, serde_json::to_string_pretty(rows)? + "\n")?;
    Ok(())
}
