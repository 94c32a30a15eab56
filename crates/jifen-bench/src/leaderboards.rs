//! (l) Leaderboards at scale: a board of every member of the dataset ranked, and
//! - a member's rank through the HTTP API against Redis's own `ZREVRANK` on a sorted set of as
//!   many members, over the same number of connections, in the same run (the ceiling); from C
//!   load generators, each side the best of three runs taken in turn;
//! - the ranking rebuilt from the database (`POST /v1/leaderboards/{id}/rebuild`);
//! - a contest settled over every ranked member (`POST …/contests/window/settle`);
//! - purchase ingest with two live leaderboards against ingest without, in the same run, each
//!   phase starting from fresh planner statistics and a checkpoint, so that neither pays for the
//!   other's writes.
//!
//! The boards' scores are written straight into the database (one row per member, as the
//! events of a campaign would have left them), so the figures are the ranking's and the
//! settlement's, not the seeding's.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rand::Rng;
use serde_json::{Value, json};

use crate::dataset::member_id;
use crate::external::WrkResult;
use crate::load::{LoadSpec, Mode, Req, RequestMaker};
use crate::report::{Row, load_row};
use crate::scenarios::ingest_batches;
use crate::server::Served;

/// What the leaderboard figures need of a served dataset.
pub struct Setup<'a> {
    pub backend: &'a str,
    pub database_url: &'a str,
    pub program_id: &'a str,
    pub key: &'a str,
    pub members: u64,
    pub seconds: u64,
    pub connections: usize,
    pub redis_url: Option<&'a str>,
}

pub(crate) async fn call(
    client: &reqwest::Client,
    served: &Served,
    key: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> anyhow::Result<Value> {
    let mut req = client
        .request(method, format!("{}{path}", served.base()))
        .bearer_auth(key);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await?;
    let status = res.status();
    let text = res.text().await?;
    anyhow::ensure!(status.is_success(), "{path}: {status} {text}");
    Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Writes one score per member of the program for a board period, in one statement (after
/// numbering the period, as the first event to score it would): spend figures spread over
/// 0–¥10,000, each reached at its own instant.
async fn seed(
    database_url: &str,
    program_id: &str,
    board: &str,
    period: &str,
) -> anyhow::Result<u64> {
    let number = "INSERT INTO leaderboard_periods (program_id, leaderboard_id, period) \
                  VALUES ($1, $2, $3) ON CONFLICT (program_id, leaderboard_id, period) DO NOTHING";
    let sql = "INSERT INTO leaderboard_scores (board_period, member_id, score, reached_at, \
               version) \
               SELECT (SELECT id FROM leaderboard_periods WHERE program_id = $1 \
               AND leaderboard_id = $2 AND period = $3), \
               id, (id * 7919) % 1000000, 1700000000000000 + id, 1 \
               FROM members WHERE program_id = $1";
    // Both statements on either backend's pool; the rows the second one wrote.
    macro_rules! both {
        ($pool:expr) => {{
            let mut written = 0;
            for q in [number, sql] {
                written = sqlx::query(q)
                    .bind(program_id)
                    .bind(board)
                    .bind(period)
                    .execute($pool)
                    .await?
                    .rows_affected();
            }
            written
        }};
    }
    let n = if database_url.starts_with("sqlite") {
        let pool = sqlx::SqlitePool::connect(database_url).await?;
        both!(&pool)
    } else {
        let pool = sqlx::PgPool::connect(database_url).await?;
        let written = both!(&pool);
        // What autovacuum does after a large insert on a production server (this machine's
        // runs without it): otherwise the first ingest to touch each page after the seed pays
        // for the seed's hint bits.
        sqlx::query("VACUUM (ANALYZE) leaderboard_scores")
            .execute(&pool)
            .await?;
        written
    };
    Ok(n)
}

/// Brings the database to where a production server keeps it before an ingest phase, so that
/// a phase pays neither for what ran before it nor for statistics from before it:
/// - on PostgreSQL, the tables are vacuumed and their statistics refreshed (`VACUUM (ANALYZE)`,
///   what autovacuum does within a minute of a table's churn; this machine's runs without it).
///   Otherwise the phase that runs later pays for the earlier one: every member it updates
///   was updated by the earlier phase, whose dead row versions and index entries it reads past
///   and prunes; and the statistics of a table analysed while it was empty (the dataset's
///   idempotency keys) make each batch's look-up of its keys read every key of the program;
/// - what the database holds in its log is written back to its files (a checkpoint): on
///   PostgreSQL the first change to a page after a checkpoint logs the whole page.
async fn settle(database_url: &str) -> anyhow::Result<()> {
    if database_url.starts_with("sqlite") {
        let pool = sqlx::SqlitePool::connect(database_url).await?;
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&pool)
            .await?;
    } else {
        let pool = sqlx::PgPool::connect(database_url).await?;
        sqlx::query("VACUUM (ANALYZE)").execute(&pool).await?;
        sqlx::query("CHECKPOINT").execute(&pool).await?;
    }
    Ok(())
}

/// Rank queries at full speed over `connections`: a random member's rank, score and
/// neighbours.
async fn rank_queries(
    served: &Served,
    s: &Setup<'_>,
    board: &str,
) -> anyhow::Result<crate::load::LoadResult> {
    let members = s.members;
    let board = board.to_owned();
    let make: RequestMaker = Arc::new(move |_| {
        let m = member_id(rand::rng().random_range(0..members.max(1)));
        Req::get(format!("/v1/leaderboards/{board}/members/{m}?neighbours=0"))
    });
    crate::load::run(
        &LoadSpec {
            base: served.base(),
            key: Some(s.key.to_owned()),
            mode: Mode::Closed,
            connections: s.connections,
            duration: Duration::from_secs(s.seconds),
            max_requests: 0,
        },
        make,
    )
    .await
}

/// The ceiling: `ZREVRANK` of a random member on a sorted set of `members`, one connection
/// per client, closed loop, for `seconds`. Returns operations per second.
pub async fn redis_zrevrank(
    url: &str,
    members: u64,
    connections: usize,
    seconds: u64,
) -> anyhow::Result<f64> {
    let client = redis::Client::open(url)?;
    let config =
        redis::AsyncConnectionConfig::new().set_response_timeout(Some(Duration::from_secs(60)));
    let mut conn = client
        .get_multiplexed_async_connection_with_config(&config)
        .await?;
    let key = format!("jifen-bench:ceiling:{}", uuid::Uuid::now_v7());
    for start in (0..members).step_by(10_000) {
        let mut pipe = redis::pipe();
        for n in start..(start + 10_000).min(members) {
            pipe.cmd("ZADD")
                .arg(&key)
                .arg((n * 7919) % 1_000_000)
                .arg(member_id(n))
                .ignore();
        }
        pipe.query_async::<()>(&mut conn).await?;
    }
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..connections {
        let (client, key, done) = (client.clone(), key.clone(), done.clone());
        tasks.spawn(async move {
            let mut conn = client.get_multiplexed_async_connection().await?;
            while Instant::now() < deadline {
                let m = member_id(rand::rng().random_range(0..members.max(1)));
                let _: Option<u64> = redis::cmd("ZREVRANK")
                    .arg(&key)
                    .arg(m)
                    .query_async(&mut conn)
                    .await?;
                done.fetch_add(1, Ordering::Relaxed);
            }
            Ok::<(), redis::RedisError>(())
        });
    }
    let started = Instant::now();
    while let Some(t) = tasks.join_next().await {
        t??;
    }
    let rate = done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64();
    let _: () = redis::cmd("UNLINK")
        .arg(&key)
        .query_async(&mut conn)
        .await?;
    Ok(rate)
}

/// The HTTP ceiling of the same load: a constant JSON answer from a bare axum server, at full
/// speed over as many connections. Returns requests per second.
async fn bare_route(s: &Setup<'_>) -> anyhow::Result<f64> {
    let bare = crate::server::start_bare().await?;
    let make: RequestMaker = Arc::new(|_| Req::get("/bare"));
    let r = crate::load::run(
        &LoadSpec {
            base: bare.base(),
            key: None,
            mode: Mode::Closed,
            connections: s.connections,
            duration: Duration::from_secs(s.seconds),
            max_requests: 0,
        },
        make,
    )
    .await?;
    bare.stop();
    Ok(r.throughput)
}

/// The same rank queries and their ceilings with the load from `wrk` and `redis-benchmark`,
/// each in its own process (see `external`): the HTTP route, the bare axum route, and Redis's
/// `ZREVRANK` over as many connections. Empty, with a line on stderr, when the tools are
/// missing.
async fn external_rank_rows(
    served: &Served,
    s: &Setup<'_>,
    board: &str,
    redis_url: &str,
) -> anyhow::Result<Vec<Row>> {
    if !crate::external::available() {
        eprintln!(
            "wrk or redis-benchmark is missing (apt-get install wrk redis-tools): \
             the rank queries from C load generators are left out"
        );
        return Ok(Vec::new());
    }
    eprintln!(
        "== {}: (l) rank queries from wrk and redis-benchmark",
        s.backend
    );
    let (members, connections, seconds) = (s.members, s.connections, s.seconds);
    let set = crate::external::ZrevrankSet::fill(redis_url, members).await?;
    let bare = crate::server::start_bare().await?;
    let bare_base = bare.base();
    let (base, key) = (served.base(), s.key.to_owned());
    let path = format!(
        "\"/v1/leaderboards/{board}/members/\" .. string.format(\"m%08d\", n) .. \"?neighbours=0\""
    );
    // Each side's best of [`ROUNDS`] runs, taken in turn: a moment of the machine's other work
    // then falls on no side alone.
    let (mut ceiling, mut bare_rate, mut ranks) = (0.0_f64, None::<WrkResult>, None::<WrkResult>);
    // Failed answers count from every run, not only the best.
    let mut failures = 0;
    for round in 1..=ROUNDS {
        eprintln!("   round {round} of {ROUNDS}");
        ceiling = ceiling.max(set.measure(connections, seconds).await?);
        let b = bare_base.clone();
        let r = tokio::task::spawn_blocking(move || {
            crate::external::wrk(&b, None, "\"/bare\"", members, connections, seconds)
        })
        .await??;
        bare_rate = Some(best(bare_rate, r));
        let (b, k, p) = (base.clone(), key.clone(), path.clone());
        let r = tokio::task::spawn_blocking(move || {
            crate::external::wrk(&b, Some(&k), &p, members, connections, seconds)
        })
        .await??;
        failures += r.failures;
        ranks = Some(best(ranks, r));
    }
    bare.stop();
    set.drop_set().await?;
    let (Some(bare_rate), Some(ranks)) = (bare_rate, ranks) else {
        anyhow::bail!("no round of rank queries ran");
    };
    let figure = |name: &str| {
        let mut row = Row::figure(
            format!("(l) {name} (wrk, {connections} connections)"),
            s.backend,
            ranks.requests_per_second,
            "req/s",
        );
        row.errors = failures;
        row
    };
    let against_bare =
        figure("a member's rank through the API, in memory, against the HTTP ceiling")
            .against("bare axum route from wrk", bare_rate.requests_per_second);
    let against_redis = figure("a member's rank through the API, in memory")
        .against("redis-benchmark ZREVRANK, same connections", ceiling);
    let ratio = against_redis.ratio.unwrap_or(0.0);
    Ok(vec![
        against_bare,
        against_redis.target("≥ 0.5× Redis ZREVRANK", ratio >= 0.5),
    ])
}

/// Runs per side of the rank queries from C load generators.
const ROUNDS: usize = 3;

/// The run with more requests a second.
fn best(kept: Option<WrkResult>, run: WrkResult) -> WrkResult {
    match kept {
        Some(k) if k.requests_per_second >= run.requests_per_second => k,
        _ => run,
    }
}

/// Drops the program's sorted sets from Redis.
async fn forget_sets(url: &str, program_id: &str) -> anyhow::Result<()> {
    let mut conn = redis::Client::open(url)?
        .get_multiplexed_async_connection()
        .await?;
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("jifen:lb:{program_id}:*"))
        .query_async(&mut conn)
        .await?;
    if !keys.is_empty() {
        let _: () = redis::cmd("UNLINK")
            .arg(&keys)
            .query_async(&mut conn)
            .await?;
    }
    Ok(())
}

/// Ingest of purchases in batches of 100 at full speed: events per second.
async fn ingest(
    served: &Served,
    s: &Setup<'_>,
    tag: &str,
) -> anyhow::Result<crate::load::LoadResult> {
    ingest_batches(served, s.key, s.members, s.seconds, &format!("lb{tag}")).await
}

/// Keeps a row and shows it at once, so a later failure loses no figure.
fn push(rows: &mut Vec<Row>, row: Row) {
    eprintln!("{}", serde_json::to_string(&row).unwrap_or_default());
    rows.push(row);
}

/// Every (l) figure on one served dataset (jobs off, as the other figures are measured).
pub async fn rows(s: &Setup<'_>) -> anyhow::Result<Vec<Row>> {
    let client = reqwest::Client::new();
    let mut rows = Vec::new();
    let served = crate::server::start_jifen(s.database_url).await?;

    eprintln!("== {}: (l) ingest without leaderboards", s.backend);
    // A few seconds of the same ingest first, so that both phases start with statistics of
    // tables that hold what ingest writes (the dataset leaves its idempotency keys empty).
    ingest_batches(&served, s.key, s.members, 3, "lbw").await?;
    settle(s.database_url).await?;
    let plain = ingest(&served, s, "a").await?;

    let now = chrono::Utc::now();
    // Boards of their own per run, so a run on a dataset used before measures afresh.
    let run = now.timestamp();
    let (spend, points, contest) = (
        format!("bench-spend-{run}"),
        format!("bench-points-{run}"),
        format!("bench-contest-{run}"),
    );
    let window = json!({"kind": "window",
        "starts_at": (now - chrono::Duration::days(7)).to_rfc3339(),
        "ends_at": (now - chrono::Duration::seconds(1)).to_rfc3339()});
    for (id, body) in [
        (
            spend.as_str(),
            json!({"name": "消费榜", "metric": {"kind": "spend"}, "period": {"kind": "all_time"}}),
        ),
        (
            points.as_str(),
            json!({"name": "积分月榜", "metric": {"kind": "points"}, "period": {"kind": "month"}}),
        ),
        (
            contest.as_str(),
            json!({"name": "新春挑战赛", "metric": {"kind": "spend"}, "period": window,
            "contest": {"prizes": [{"from": 1, "to": 1, "points": 10000},
                                   {"from": 2, "to": 100, "points": 100}]}}),
        ),
    ] {
        call(
            &client,
            &served,
            s.key,
            reqwest::Method::PUT,
            &format!("/v1/leaderboards/{id}"),
            Some(body),
        )
        .await?;
    }
    let seeded = seed(s.database_url, s.program_id, &spend, "all").await?;
    seed(s.database_url, s.program_id, &contest, "window").await?;
    eprintln!("== {}: (l) {seeded} members ranked; rebuild", s.backend);
    let rebuilt = call(
        &client,
        &served,
        s.key,
        reqwest::Method::POST,
        &format!("/v1/leaderboards/{spend}/rebuild"),
        Some(json!({})),
    )
    .await?;
    let seconds = rebuilt["seconds"].as_f64().unwrap_or(f64::MAX);
    let ranked = rebuilt["ranked"].as_u64().unwrap_or(0);
    anyhow::ensure!(ranked == seeded, "rebuilt {ranked} of {seeded}");
    push(
        &mut rows,
        Row::figure(
            format!("(l) leaderboard rebuilt from the database, in memory: {ranked} members"),
            s.backend,
            seconds,
            "s",
        )
        .target(
            "1M members ≤ 30 s",
            seconds * 1_000_000.0 / ranked.max(1) as f64 <= 30.0,
        ),
    );
    // Both live boards built, so that ingest keeps them current.
    call(
        &client,
        &served,
        s.key,
        reqwest::Method::GET,
        &format!("/v1/leaderboards/{points}/standings"),
        None,
    )
    .await?;

    eprintln!("== {}: (l) rank queries", s.backend);
    let ceiling = match s.redis_url {
        Some(url) => Some(redis_zrevrank(url, s.members, s.connections, s.seconds).await?),
        None => None,
    };
    let bare = bare_route(s).await?;
    let ranks = rank_queries(&served, s, &spend).await?;
    push(
        &mut rows,
        load_row(
            "(l) a member's rank through the API, in memory, against the HTTP ceiling",
            s.backend,
            &ranks,
            1.0,
            "req/s",
        )
        .against("bare axum route, maximum", bare),
    );
    let mut row = load_row(
        &format!(
            "(l) a member's rank through the API, in memory ({} connections)",
            s.connections
        ),
        s.backend,
        &ranks,
        1.0,
        "req/s",
    );
    if let Some(c) = ceiling {
        row = row.against("Redis ZREVRANK", c);
        let ratio = row.ratio.unwrap_or(0.0);
        row = row.target("≥ 0.5× Redis ZREVRANK", ratio >= 0.5);
    }
    push(&mut rows, row);
    if let Some(url) = s.redis_url {
        for row in external_rank_rows(&served, s, &spend, url).await? {
            push(&mut rows, row);
        }
    }

    eprintln!("== {}: (l) ingest with two live leaderboards", s.backend);
    settle(s.database_url).await?;
    let live = ingest(&served, s, "b").await?;
    let row = load_row(
        "(l) purchase ingest with two live leaderboards",
        s.backend,
        &live,
        100.0,
        "events/s",
    )
    .against(
        "the same ingest without leaderboards",
        plain.throughput * 100.0,
    );
    let ratio = row.ratio.unwrap_or(0.0);
    push(&mut rows, row.target("≥ 0.8× ingest without", ratio >= 0.8));

    eprintln!("== {}: (l) contest settled", s.backend);
    let started = Instant::now();
    let settled = call(
        &client,
        &served,
        s.key,
        reqwest::Method::POST,
        &format!("/v1/leaderboards/{contest}/contests/window/settle"),
        Some(json!({})),
    )
    .await?;
    let seconds = started.elapsed().as_secs_f64();
    let ranked = settled["ranked"].as_u64().unwrap_or(0);
    anyhow::ensure!(ranked == seeded, "settled {ranked} of {seeded}");
    push(
        &mut rows,
        Row::figure(
            format!("(l) contest settled: {ranked} ranked members frozen, 100 prizes given"),
            s.backend,
            seconds,
            "s",
        )
        .target(
            "1M members ≤ 60 s",
            seconds * 1_000_000.0 / ranked.max(1) as f64 <= 60.0,
        ),
    );
    served.stop();

    if let Some(url) = s.redis_url {
        eprintln!("== {}: (l) rank queries with rankings in Redis", s.backend);
        let served =
            crate::server::start_jifen_with(s.database_url, &[("JIFEN_REDIS_URL", url)]).await?;
        let rebuilt = call(
            &client,
            &served,
            s.key,
            reqwest::Method::POST,
            &format!("/v1/leaderboards/{spend}/rebuild"),
            Some(json!({})),
        )
        .await?;
        let seconds = rebuilt["seconds"].as_f64().unwrap_or(f64::MAX);
        push(
            &mut rows,
            Row::figure(
                format!(
                    "(l) leaderboard rebuilt from the database into Redis: {} members",
                    rebuilt["ranked"]
                ),
                s.backend,
                seconds,
                "s",
            )
            .target(
                "1M members ≤ 30 s",
                seconds * 1_000_000.0 / ranked.max(1) as f64 <= 30.0,
            ),
        );
        let ranks = rank_queries(&served, s, &spend).await?;
        let mut row = load_row(
            &format!(
                "(l) a member's rank through the API, rankings in Redis ({} connections)",
                s.connections
            ),
            s.backend,
            &ranks,
            1.0,
            "req/s",
        );
        if let Some(c) = ceiling {
            row = row.against("Redis ZREVRANK", c);
        }
        push(&mut rows, row);
        served.stop();
        // Best effort: the program's sets are left to the next run otherwise.
        if let Err(e) = forget_sets(url, s.program_id).await {
            eprintln!("the program's sets are still in Redis: {e}");
        }
    }
    Ok(rows)
}
