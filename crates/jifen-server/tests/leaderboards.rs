//! Leaderboards and contests over HTTP, on SQLite and PostgreSQL, ranked in memory and in
//! Redis: ties go to whoever reached the score first, refunds move scores back, a replayed
//! event moves nothing, a member's rank comes with neighbours and the gap to a target rank,
//! and a contest is settled once (jobs run twice at once, or two nodes on one PostgreSQL) with
//! its prizes given once and its final standings frozen.

mod common;

use std::sync::Arc;

use chrono::Duration;
use common::{TestApp, TestBackend, t};
use jifen_server::AppState;
use jifen_server::service::leaderboards::{Rankings, settle_due};
use reqwest::StatusCode;
use serde_json::{Value, json};

jifen_store::backend_tests! {
    ranks_ties_neighbours_gaps_and_refunds => super::ranks_ties_neighbours_gaps_and_refunds;
    ranks_in_redis_as_in_memory => super::ranks_in_redis_as_in_memory;
    a_shared_ranking_is_caught_up_from_the_change_log => super::a_shared_ranking_is_caught_up_from_the_change_log;
    redis_takes_many_scores_of_many_boards_at_once => super::redis_takes_many_scores_of_many_boards_at_once;
    a_contest_is_settled_once_with_prizes_and_frozen_standings => super::a_contest_is_settled_once_with_prizes_and_frozen_standings;
    a_restarted_node_rebuilds_the_same_ranking => super::a_restarted_node_rebuilds_the_same_ranking;
    concurrent_events_keep_the_ranking_equal_to_the_database => super::concurrent_events_keep_the_ranking_equal_to_the_database;
    bad_leaderboards_and_queries_are_refused => super::bad_leaderboards_and_queries_are_refused;
}

/// Members in the order of a standings page.
fn order(v: &Value) -> Vec<String> {
    v["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|p| p["member"].as_str().expect("member").to_owned())
        .collect()
}

fn members(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("a list")
        .iter()
        .map(|p| p["member"].as_str().expect("member").to_owned())
        .collect()
}

async fn put_board(app: &TestApp, id: &str, spec: Value) -> Value {
    let r = app.put(&format!("/v1/leaderboards/{id}"), spec).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    r.body
}

/// A spend board, a check-in board and five members who spend and check in; returns the app.
async fn ranked(app: &TestApp) {
    put_board(
        app,
        "spend",
        json!({"name": "消费榜", "metric": {"kind": "spend"}, "period": {"kind": "all_time"}}),
    )
    .await;
    put_board(
        app,
        "checkins",
        json!({"name": "签到榜", "metric": {"kind": "events", "type": "check_in"},
               "period": {"kind": "month"}}),
    )
    .await;
    for m in ["m-1", "m-2", "m-3", "m-4", "m-5"] {
        app.member(m).await;
    }
    // m-1 and m-3 both reach ¥300; m-1 first.
    for (i, (m, amount)) in [("m-1", 30_000), ("m-2", 50_000), ("m-4", 10_000)]
        .iter()
        .enumerate()
    {
        let r = app
            .purchase(&format!("e-{i}"), m, &format!("o-{i}"), *amount)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
    }
    app.advance(Duration::seconds(5));
    let r = app.purchase("e-3", "m-3", "o-3", 30_000).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    app.behaviour("c-1", "check_in", "m-5", json!({})).await;
    app.behaviour("c-2", "check_in", "m-5", json!({})).await;
    app.behaviour("c-3", "check_in", "m-1", json!({})).await;
}

async fn check_ranks(app: &TestApp) {
    let top = app.get("/v1/leaderboards/spend/standings?limit=10").await;
    assert_eq!(top.status, StatusCode::OK, "{top:?}");
    assert_eq!(order(&top.body), ["m-2", "m-1", "m-3", "m-4"]);
    assert_eq!(top.body["ranked"], 4);
    assert_eq!(top.body["final"], false);
    assert_eq!(top.body["period"], "all");
    assert_eq!(top.body["data"][0]["score"], 50_000);

    let me = app
        .get("/v1/leaderboards/spend/members/m-3?neighbours=2&target=1")
        .await;
    assert_eq!(me.status, StatusCode::OK, "{me:?}");
    assert_eq!(me.body["rank"], 3);
    assert_eq!(me.body["score"], 30_000);
    assert_eq!(members(&me.body["above"]), ["m-2", "m-1"]);
    assert_eq!(members(&me.body["below"]), ["m-4"]);
    // To pass m-2 (¥500, reached first), m-3 needs ¥200.01 more.
    assert_eq!(me.body["target"], json!({"rank": 1, "gap": 20_001}));

    // A member with nothing counted is not ranked; reaching rank 5 of 4 takes anything.
    let none = app.get("/v1/leaderboards/spend/members/m-5?target=5").await;
    assert_eq!(none.status, StatusCode::OK, "{none:?}");
    assert!(none.body.get("rank").is_none(), "{none:?}");
    assert_eq!(none.body["score"], 0);
    assert_eq!(none.body["target"]["gap"], 1);

    let checkins = app.get("/v1/leaderboards/checkins/standings").await;
    assert_eq!(order(&checkins.body), ["m-5", "m-1"]);
    assert_eq!(checkins.body["data"][0]["score"], 2);
    assert_eq!(checkins.body["period"], "2026-06");
}

async fn ranks_ties_neighbours_gaps_and_refunds(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    ranked(&app).await;
    check_ranks(&app).await;
    // A node's own ranking needs no catch-up: nothing is logged for it.
    assert!(logged(&app).await.is_empty());

    // The same event again moves nothing.
    let again = app.purchase("e-3", "m-3", "o-3", 30_000).await;
    assert_eq!(again.status, StatusCode::OK, "{again:?}");
    let me = app.get("/v1/leaderboards/spend/members/m-3").await;
    assert_eq!(me.body["score"], 30_000);

    // A refund moves m-2 down to ¥200, below m-1 and m-3.
    let r = app.refund("r-1", "m-2", "o-1", 30_000).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let top = app.get("/v1/leaderboards/spend/standings").await;
    assert_eq!(order(&top.body), ["m-1", "m-3", "m-2", "m-4"]);
    let me = app
        .get("/v1/leaderboards/spend/members/m-2?neighbours=1")
        .await;
    assert_eq!(me.body["rank"], 3);
    assert_eq!(members(&me.body["above"]), ["m-3"]);
    assert_eq!(members(&me.body["below"]), ["m-4"]);

    // Pages of the standings.
    let page = app
        .get("/v1/leaderboards/spend/standings?from=3&limit=5")
        .await;
    assert_eq!(order(&page.body), ["m-2", "m-4"]);
    assert_eq!(page.body["data"][0]["rank"], 3);

    // An erased member ranks no more, here and on a node that rebuilds from the database.
    erase_m4(&app).await;
    let fresh = AppState::new(app.state.store.clone(), Arc::new(app.clock.clone()));
    let top = fresh
        .rankings
        .range(&fresh, &app.program_id, "spend", "all", 1, 10)
        .await
        .expect("range");
    assert_eq!(top.len(), 3);

    let list = app.get("/v1/leaderboards").await;
    assert_eq!(list.body["data"].as_array().map(Vec::len), Some(2));
    assert_eq!(list.body["data"][0]["rankings"], "memory");
}

async fn ranks_in_redis_as_in_memory(backend: TestBackend) {
    let app = TestApp::spawn_with_redis(backend).await;
    ranked(&app).await;
    check_ranks(&app).await;
    let board = app.get("/v1/leaderboards/spend").await;
    assert_eq!(board.body["rankings"], "redis");

    // Redis loses the set (a restart keeps nothing): the next query rebuilds it from the
    // database.
    let (mut conn, keys) = redis_keys(&app).await;
    assert!(!keys.is_empty());
    let _: () = redis::cmd("DEL")
        .arg(&keys)
        .query_async(&mut conn)
        .await
        .expect("del");
    check_ranks(&app).await;

    // A score reported late with an older version changes nothing.
    let r = app.refund("r-1", "m-2", "o-1", 30_000).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let stale = jifen_store::ScoreRow {
        leaderboard_id: "spend".into(),
        period: "all".into(),
        member_id: app
            .state
            .store
            .member_head(&app.program_id, "m-2")
            .await
            .expect("head")
            .expect("m-2")
            .id,
        external_id: "m-2".into(),
        score: 50_000,
        reached_at: app.now(),
        version: 1,
    };
    app.state.rankings.apply(&app.program_id, &[stale]).await;
    let top = app.get("/v1/leaderboards/spend/standings").await;
    assert_eq!(order(&top.body), ["m-1", "m-3", "m-2", "m-4"]);

    // A rebuild ranks the same.
    let rebuilt = app.post("/v1/leaderboards/spend/rebuild", json!({})).await;
    assert_eq!(rebuilt.status, StatusCode::OK, "{rebuilt:?}");
    assert_eq!(rebuilt.body["ranked"], 4);
    assert_eq!(rebuilt.body["rankings"], "redis");
    let top = app.get("/v1/leaderboards/spend/standings").await;
    assert_eq!(order(&top.body), ["m-1", "m-3", "m-2", "m-4"]);
    erase_m4(&app).await;
    forget_redis_keys(&app).await;
}

/// One report to Redis with more scores than one script call carries, for two boards
/// interleaved, and a member's older version after its newer one: each board ranks exactly its
/// own members, by their newest versions.
async fn redis_takes_many_scores_of_many_boards_at_once(backend: TestBackend) {
    let app = TestApp::spawn_with_redis(backend).await;
    for id in ["big", "other"] {
        put_board(
            &app,
            id,
            json!({"name": id, "metric": {"kind": "spend"}, "period": {"kind": "all_time"}}),
        )
        .await;
    }
    let (state, program) = (&app.state, app.program_id.as_str());
    let r = &state.rankings;
    // Built (empty) first, as a board that has been queried before its scores come.
    for id in ["big", "other"] {
        assert_eq!(r.count(state, program, id, "all").await.expect("count"), 0);
    }
    let row = |board: &str, i: i64, score: i64, version: i64| jifen_store::ScoreRow {
        leaderboard_id: board.into(),
        period: "all".into(),
        member_id: i,
        external_id: format!("x-{i:04}"),
        score,
        reached_at: app.now() + Duration::microseconds(i),
        version,
    };
    let mut rows = Vec::new();
    for i in 1..=1_100 {
        rows.push(row("big", i, i, 2));
        if i % 2 == 0 {
            rows.push(row("other", i, 10_000 - i, 1));
        }
    }
    rows.push(row("big", 7, 1_000_000, 1));
    r.apply(program, &rows).await;
    assert_eq!(
        r.count(state, program, "big", "all").await.expect("count"),
        1_100
    );
    assert_eq!(
        r.count(state, program, "other", "all")
            .await
            .expect("count"),
        550
    );
    let top = |board: &'static str| async move {
        r.range(state, program, board, "all", 1, 3)
            .await
            .expect("range")
            .into_iter()
            .map(|p| (p.member, p.score))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        top("big").await,
        [
            ("x-1100".into(), 1_100),
            ("x-1099".into(), 1_099),
            ("x-1098".into(), 1_098)
        ]
    );
    assert_eq!(top("other").await[0], ("x-0002".into(), 9_998));
    let seventh = r
        .place(state, program, "big", "all", "x-0007")
        .await
        .expect("place")
        .expect("ranked");
    assert_eq!((seventh.rank, seventh.score), (1_094, 7));
    // A newer version moves the member once, to the top.
    r.apply(program, &[row("big", 7, 5_000, 3)]).await;
    let seventh = r
        .place(state, program, "big", "all", "x-0007")
        .await
        .expect("place")
        .expect("ranked");
    assert_eq!((seventh.rank, seventh.score), (1, 5_000));
    assert_eq!(
        r.count(state, program, "big", "all").await.expect("count"),
        1_100
    );
    forget_redis_keys(&app).await;
}

/// A connection to the tests' Redis, and the test program's keys in it.
async fn redis_keys(app: &TestApp) -> (redis::aio::MultiplexedConnection, Vec<String>) {
    let mut conn = redis::Client::open(common::redis_url())
        .expect("redis url")
        .get_multiplexed_async_connection()
        .await
        .expect("redis");
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("jifen:lb:{}:*", app.program_id))
        .query_async(&mut conn)
        .await
        .expect("keys");
    (conn, keys)
}

/// Drops the test program's keys from Redis.
async fn forget_redis_keys(app: &TestApp) {
    let (mut conn, keys) = redis_keys(app).await;
    if !keys.is_empty() {
        let _: () = redis::cmd("DEL")
            .arg(&keys)
            .query_async(&mut conn)
            .await
            .expect("del");
    }
}

/// The changes since an hour before the app's clock, as the jobs loop's catch-up reads them.
async fn logged(app: &TestApp) -> Vec<jifen_store::ScoreChange> {
    app.state
        .store
        .leaderboard_changes_since(app.now() - Duration::hours(1), (0, 0, 0), 100)
        .await
        .expect("change log")
}

async fn a_shared_ranking_is_caught_up_from_the_change_log(backend: TestBackend) {
    let app = TestApp::spawn_with_redis(backend).await;
    ranked(&app).await;
    check_ranks(&app).await;
    // Every change is logged for the catch-up: four purchases on `spend`, three check-ins.
    let log = logged(&app).await;
    assert_eq!(log.len(), 7, "{log:?}");
    // In the log's order; m-5's two check-ins share an instant (the test's clock stands still),
    // and both read m-5's score as it now stands.
    assert!(
        log.windows(2).all(|w| w[0].cursor <= w[1].cursor),
        "{log:?}"
    );
    assert!(
        log.iter()
            .all(|c| c.row.external_id != "m-5" || c.row.score == 2),
        "{log:?}"
    );

    // The node stopped between m-2's commit and its report to Redis: Redis never had it.
    let base = format!("jifen:lb:{}:spend:all", app.program_id);
    let mut conn = redis::Client::open(common::redis_url())
        .expect("redis url")
        .get_multiplexed_async_connection()
        .await
        .expect("redis");
    let entry: String = redis::cmd("HGET")
        .arg(format!("{base}:h"))
        .arg("m-2")
        .query_async(&mut conn)
        .await
        .expect("hget");
    let (_, member) = entry.split_once('|').expect("version|member");
    let _: () = redis::cmd("ZREM")
        .arg(format!("{base}:z"))
        .arg(member)
        .query_async(&mut conn)
        .await
        .expect("zrem");
    let _: () = redis::cmd("HDEL")
        .arg(format!("{base}:h"))
        .arg("m-2")
        .query_async(&mut conn)
        .await
        .expect("hdel");
    let top = app.get("/v1/leaderboards/spend/standings").await;
    assert_eq!(order(&top.body), ["m-1", "m-3", "m-4"]);

    // The jobs loop's pass re-applies the logged changes: m-2 is back, and nothing else moved.
    let applied = app
        .state
        .rankings
        .catch_up(&app.state)
        .await
        .expect("catch up");
    assert_eq!(applied, 7);
    check_ranks(&app).await;

    // The log is kept an hour: the pass after that forgets it.
    app.advance(Duration::hours(2));
    app.state
        .rankings
        .catch_up(&app.state)
        .await
        .expect("catch up");
    assert!(logged(&app).await.is_empty());
    forget_redis_keys(&app).await;
}

/// Erases m-4: the standings lose them at once.
async fn erase_m4(app: &TestApp) {
    let r = app.post("/v1/members/m-4/erase", json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let top = app.get("/v1/leaderboards/spend/standings").await;
    assert_eq!(order(&top.body), ["m-1", "m-3", "m-2"]);
    assert_eq!(top.body["ranked"], 3);
}

/// A CNY-week points board with prizes: 1,000 points to the top, a voucher to ranks 2–3.
async fn cny(app: &TestApp) {
    let r = app
        .put(
            "/v1/voucher-templates/cny-10",
            json!({"title": {"zh-CN": "新春10元券", "en": "CNY ¥10 off"},
                   "discount": {"kind": "amount", "off": 1_000}}),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");
    let r = app
        .put(
            "/v1/badges/cny-champion",
            json!({"name": "新春冠军", "levels": [{"name": "冠军", "reward": {"points": 88}}]}),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");
    put_board(
        app,
        "cny",
        json!({"name": "新春积分榜", "metric": {"kind": "points"},
               "period": {"kind": "window", "starts_at": "2026-06-01T00:00:00Z",
                          "ends_at": "2026-06-08T00:00:00Z"},
               "contest": {"prizes": [{"from": 1, "to": 1, "points": 1_000, "badge": "cny-champion"},
                                      {"from": 2, "to": 3, "voucher": "cny-10"}]}}),
    )
    .await;
    for (i, (m, amount)) in [
        ("m-1", 80_000),
        ("m-2", 20_000),
        ("m-3", 50_000),
        ("m-4", 40_000),
        ("m-5", 10_000),
    ]
    .iter()
    .enumerate()
    {
        app.member(m).await;
        let r = app
            .purchase(&format!("p-{i}"), m, &format!("o-{i}"), *amount)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
    }
}

async fn a_contest_is_settled_once_with_prizes_and_frozen_standings(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    cny(&app).await;
    let live = app.get("/v1/leaderboards/cny/standings").await;
    assert_eq!(order(&live.body), ["m-1", "m-3", "m-4", "m-2", "m-5"]);
    let before = app.available("m-1").await;

    // Not yet: the window has not ended.
    let early = app
        .post("/v1/leaderboards/cny/contests/window/settle", json!({}))
        .await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY, "{early:?}");
    assert_eq!(early.code(), "invalid_request");

    app.advance(t("2026-06-08T00:00:01Z") - app.now());
    // The jobs run twice at once (two loops, or a loop and `jifen maintain`): one settles.
    let (a, b) = tokio::join!(settle_due(&app.state), settle_due(&app.state));
    let settled: usize = a.expect("a").len() + b.expect("b").len();
    assert_eq!(settled, 1);
    assert!(settle_due(&app.state).await.expect("again").is_empty());

    // The prize's points and the badge's own reward.
    assert_eq!(app.available("m-1").await, before + 1_000 + 88);
    let badges = app.get("/v1/members/m-1/badges").await;
    assert_eq!(
        badges.body["earned"][0]["badge"], "cny-champion",
        "{badges:?}"
    );
    assert_eq!(
        badges.body["earned"][0]["cause"], "contest:cny:window:1",
        "{badges:?}"
    );
    for (m, n) in [("m-1", 0), ("m-2", 0), ("m-3", 1), ("m-4", 1), ("m-5", 0)] {
        let v = app.get(&format!("/v1/members/{m}/vouchers")).await;
        let cny = v.body["data"]
            .as_array()
            .expect("vouchers")
            .iter()
            .filter(|v| v["template"] == "cny-10")
            .count();
        assert_eq!(cny, n, "{m}: {v:?}");
    }

    // The final standings are frozen: a late purchase inside the window moves nothing.
    let late = app
        .purchase_at(
            "p-late",
            "m-5",
            "o-late",
            900_000,
            t("2026-06-07T12:00:00Z"),
        )
        .await;
    assert_eq!(late.status, StatusCode::OK, "{late:?}");
    let fin = app.get("/v1/leaderboards/cny/standings").await;
    assert_eq!(fin.body["final"], true);
    assert_eq!(fin.body["ranked"], 5);
    assert_eq!(order(&fin.body), ["m-1", "m-3", "m-4", "m-2", "m-5"]);
    let me = app
        .get("/v1/leaderboards/cny/members/m-4?neighbours=1&target=1")
        .await;
    assert_eq!(me.body["final"], true);
    assert_eq!(me.body["rank"], 3);
    assert_eq!(members(&me.body["above"]), ["m-3"]);
    assert_eq!(members(&me.body["below"]), ["m-2"]);
    assert!(me.body["target"]["gap"].as_i64().unwrap_or(0) > 0);

    // Settling by hand answers the settled contest and gives nothing again.
    let again = app
        .post("/v1/leaderboards/cny/contests/window/settle", json!({}))
        .await;
    assert_eq!(again.status, StatusCode::OK, "{again:?}");
    assert_eq!(again.body["ranked"], 5);
    assert_eq!(again.body["winners"], 3);
    assert_eq!(app.available("m-1").await, before + 1_000 + 88);
    let contests = app.get("/v1/leaderboards/cny/contests").await;
    assert_eq!(contests.body["data"].as_array().map(Vec::len), Some(1));

    if backend == TestBackend::Postgres {
        two_nodes_settle_one_contest(&app).await;
    }
}

/// Two nodes on one PostgreSQL (each its own connection pool and rankings) settle the same
/// contest at once: one of them does, and each prize is given once.
async fn two_nodes_settle_one_contest(app: &TestApp) {
    put_board(
        app,
        "june-week",
        json!({"name": "周榜", "metric": {"kind": "spend"}, "period": {"kind": "week"},
               "contest": {"prizes": [{"from": 1, "to": 2, "points": 77}]}}),
    )
    .await;
    app.advance(t("2026-06-08T04:00:00Z") - app.now());
    let r = app
        .purchase_at("w-1", "m-2", "o-w1", 70_000, t("2026-06-08T02:00:00Z"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let r = app
        .purchase_at("w-2", "m-3", "o-w2", 60_000, t("2026-06-08T03:00:00Z"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let (m2, m3) = (app.available("m-2").await, app.available("m-3").await);
    app.advance(t("2026-06-15T00:00:00Z") - app.now());
    let node = |_: ()| async {
        let store = jifen_store::connect(app.database_url(), &Default::default())
            .await
            .expect("second pool");
        let mut state = AppState::new(store, Arc::new(app.clock.clone()));
        state.rankings = Arc::new(Rankings::default());
        state
    };
    let (a, b) = (node(()).await, node(()).await);
    let (x, y) = tokio::join!(settle_due(&a), settle_due(&b));
    let weekly = |s: Vec<jifen_server::service::leaderboards::Settled>| {
        s.into_iter()
            .filter(|s| s.leaderboard == "june-week")
            .count()
    };
    assert_eq!(weekly(x.expect("node a")) + weekly(y.expect("node b")), 1);
    assert_eq!(app.available("m-2").await, m2 + 77);
    assert_eq!(app.available("m-3").await, m3 + 77);
}

async fn a_restarted_node_rebuilds_the_same_ranking(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    ranked(&app).await;
    check_ranks(&app).await;
    // A fresh node (a restart) ranks from the database alone.
    let fresh = AppState::new(app.state.store.clone(), Arc::new(app.clock.clone()));
    let top = fresh
        .rankings
        .range(&fresh, &app.program_id, "spend", "all", 1, 10)
        .await
        .expect("range");
    let names: Vec<&str> = top.iter().map(|p| p.member.as_str()).collect();
    assert_eq!(names, ["m-2", "m-1", "m-3", "m-4"]);
    let rebuilt = app.post("/v1/leaderboards/spend/rebuild", json!({})).await;
    assert_eq!(rebuilt.status, StatusCode::OK, "{rebuilt:?}");
    assert_eq!(rebuilt.body["ranked"], 4);
    check_ranks(&app).await;
}

async fn concurrent_events_keep_the_ranking_equal_to_the_database(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    put_board(
        &app,
        "spend",
        json!({"name": "消费榜", "metric": {"kind": "spend"}, "period": {"kind": "all_time"}}),
    )
    .await;
    // Queried first, so that the ranking in memory is the one the events keep current.
    let empty = app.get("/v1/leaderboards/spend/standings").await;
    assert_eq!(empty.body["ranked"], 0);
    for i in 0..20 {
        app.member(&format!("c-{i}")).await;
    }
    let mut tasks = tokio::task::JoinSet::new();
    let at = app.now().to_rfc3339();
    for i in 0..60 {
        let at = at.clone();
        let (base, key) = (app.base.clone(), app.key.clone());
        let client = app.client.clone();
        tasks.spawn(async move {
            let body = json!({"id": format!("ev-{i}"), "type": "purchase",
                "member": format!("c-{}", i % 20), "occurred_at": at,
                "attributes": {"order_id": format!("ord-{i}"), "amount": 100 + i}});
            let r = client
                .post(format!("{base}/v1/events"))
                .bearer_auth(&key)
                .json(&body)
                .send()
                .await
                .expect("send");
            assert_eq!(r.status(), StatusCode::OK);
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("task");
    }
    let live = app.get("/v1/leaderboards/spend/standings?limit=50").await;
    let fresh = AppState::new(app.state.store.clone(), Arc::new(app.clock.clone()));
    let rebuilt = fresh
        .rankings
        .range(&fresh, &app.program_id, "spend", "all", 1, 50)
        .await
        .expect("range");
    let from_db: Vec<(String, i64)> = rebuilt
        .iter()
        .map(|p| (p.member.clone(), p.score))
        .collect();
    let live: Vec<(String, i64)> = live.body["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|p| {
            (
                p["member"].as_str().unwrap_or("").to_owned(),
                p["score"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(live.len(), 20);
    assert_eq!(live, from_db);
    let total: i64 = live.iter().map(|(_, s)| s).sum();
    assert_eq!(total, (0..60).map(|i| 100 + i).sum::<i64>());
}

async fn bad_leaderboards_and_queries_are_refused(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for (body, field) in [
        (
            json!({"name": "", "metric": {"kind": "spend"}, "period": {"kind": "month"}}),
            "name",
        ),
        (
            json!({"name": "x", "metric": {"kind": "meter", "meter": "No Way"}, "period": {"kind": "month"}}),
            "metric.meter",
        ),
        (
            json!({"name": "x", "metric": {"kind": "spend"}, "period": {"kind": "all_time"},
                "contest": {"prizes": [{"from": 1, "to": 1, "points": 5}]}}),
            "contest",
        ),
        (
            json!({"name": "x", "metric": {"kind": "spend"}, "period": {"kind": "month"},
                "contest": {"prizes": [{"from": 1, "to": 1, "voucher": "nope"}]}}),
            "contest.prizes[0].voucher",
        ),
        (
            json!({"name": "x", "metric": {"kind": "spend"}, "period": {"kind": "campaign", "campaign": "nope"}}),
            "period.campaign",
        ),
        (
            json!({"name": "x", "metric": {"kind": "spend"}, "period": {"kind": "month"},
                   "contest": {"prizes": [{"from": 1, "to": 1, "badge": "nope"}]}}),
            "contest.prizes[0].badge",
        ),
        (
            json!({"name": "x", "metric": {"kind": "spend"}, "period": {"kind": "window",
                "starts_at": "2026-06-02T00:00:00Z", "ends_at": "2026-06-01T00:00:00Z"}}),
            "period.ends_at",
        ),
    ] {
        let r = app.put("/v1/leaderboards/bad", body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {r:?}");
        assert_eq!(r.body["error"]["field"], field, "{r:?}");
    }
    let r = app
        .put(
            "/v1/leaderboards/bad",
            json!({"name": "x", "metric": {"kind": "karma"}, "period": {"kind": "month"}}),
        )
        .await;
    assert!(r.status.is_client_error(), "{r:?}");
    let r = app
        .put(
            "/v1/leaderboards/Bad%20Id",
            json!({"name": "x", "metric": {"kind": "spend"}, "period": {"kind": "month"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(app.get("/v1/leaderboards").await.body["data"], json!([]));

    put_board(
        &app,
        "m",
        json!({"name": "月榜", "metric": {"kind": "spend"}, "period": {"kind": "month"}}),
    )
    .await;
    // Its metric cannot change once defined.
    let r = app
        .put(
            "/v1/leaderboards/m",
            json!({"name": "月榜", "metric": {"kind": "points"}, "period": {"kind": "month"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    // Its name and period can.
    let r = app
        .put(
            "/v1/leaderboards/m",
            json!({"name": "月度消费榜", "metric": {"kind": "spend"}, "period": {"kind": "month"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["spec"]["name"], "月度消费榜");
    for (path, code) in [
        ("/v1/leaderboards/nope/standings", "leaderboard_not_found"),
        (
            "/v1/leaderboards/m/standings?period=2026-W23",
            "invalid_request",
        ),
        ("/v1/leaderboards/m/standings?limit=0", "invalid_request"),
        ("/v1/leaderboards/m/standings?limit=201", "invalid_request"),
        ("/v1/leaderboards/m/standings?from=0", "invalid_request"),
        ("/v1/leaderboards/m/members/ghost", "member_not_found"),
        (
            "/v1/leaderboards/m/members/ghost?neighbours=21",
            "invalid_request",
        ),
        (
            "/v1/leaderboards/m/members/ghost?target=0",
            "invalid_request",
        ),
    ] {
        let r = app.get(path).await;
        assert_eq!(r.code(), code, "{path}: {r:?}");
    }
    let r = app
        .post("/v1/leaderboards/m/contests/2026-05/settle", json!({}))
        .await;
    assert_eq!(r.code(), "invalid_request", "{r:?}");
    assert_eq!(r.body["error"]["field"], "contest");
}
