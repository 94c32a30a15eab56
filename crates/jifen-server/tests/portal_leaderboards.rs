//! The member portal's leaderboards, over HTTP on SQLite and PostgreSQL: the list with the
//! member's rank on each board (linked from the home page); a board's page with the top 10,
//! the member's rank and score, two neighbours above and below, the gap to the next round rank
//! (as the API computes it), other members masked (never their name, phone or id); and a
//! settled contest's final standings with the prize the member won.

mod common;

use chrono::Duration;
use common::portal::enter;
use common::{TestApp, TestBackend};
use reqwest::StatusCode;
use serde_json::json;

jifen_store::backend_tests! {
    a_member_reads_their_rank_neighbours_and_gap => super::a_member_reads_their_rank_neighbours_and_gap;
    a_settled_contest_shows_final_standings_and_the_prize => super::a_settled_contest_shows_final_standings_and_the_prize;
}

/// Member `member-NN`, NN from 01.
fn id(n: usize) -> String {
    format!("member-{n:02}")
}

async fn a_member_reads_their_rank_neighbours_and_gap(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let r = app
        .put(
            "/v1/leaderboards/pts",
            json!({"name": "积分达人榜", "description": "本月赚积分最多的会员",
                   "metric": {"kind": "points"}, "period": {"kind": "all_time"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    // Twelve members; member-12 spends least, so ranks 12th.
    for n in 1..=12 {
        let r = app
            .put(
                &format!("/v1/members/{}", id(n)),
                json!({"name": format!("会员{n}号"), "phone": format!("+86138000000{n:02}")}),
            )
            .await;
        assert!(r.status.is_success(), "{r:?}");
        let r = app
            .purchase(
                &format!("e-{n}"),
                &id(n),
                &format!("o-{n}"),
                (20 - n as i64) * 10_000,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
    }
    let me = app
        .get(&format!(
            "/v1/leaderboards/pts/members/{}?target=10",
            id(12)
        ))
        .await;
    assert_eq!(me.body["rank"], 12, "{me:?}");
    let gap = me.body["target"]["gap"].as_i64().expect("a gap");
    let score = me.body["score"].as_i64().expect("a score");
    assert!(gap > 0, "{me:?}");

    let member = enter(&app, &id(12), json!({})).await;
    let home = member.get(&app, "").await;
    assert!(
        home.html.contains("id=\"leaderboards-link\""),
        "{}",
        home.html
    );
    let list = member.get(&app, "leaderboards").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.html);
    assert!(list.html.contains("积分达人榜"), "{}", list.html);
    assert!(
        list.html.contains(&format!("第 12 名 · {score} 分")),
        "{}",
        list.html
    );

    let page = member.get(&app, "leaderboards/pts").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(
        page.html.contains(&format!("再得 {gap} 分即可进入前 10")),
        "{}",
        page.html
    );
    assert!(
        page.html.contains(&format!("第 12 名 · {score} 分")),
        "{}",
        page.html
    );
    // The top 10 and the neighbours (10, 11 above; none below), masked.
    let ranks = page.html.matches("<span class=\"rank\">").count();
    assert_eq!(ranks, 10 + 3, "{}", page.html);
    for n in [1, 10, 11] {
        assert!(
            page.html.contains(&format!("***r-{n:02}<")),
            "{n}: {}",
            page.html
        );
    }
    assert!(page.html.contains("class=\"me\""), "{}", page.html);
    for n in 1..=11 {
        for private in [id(n), format!("会员{n}号"), format!("138000000{n:02}")] {
            assert!(!page.html.contains(&private), "{private}: {}", page.html);
        }
    }
    // In English.
    let page = member.get(&app, "leaderboards/pts?lang=en").await;
    assert!(
        page.html
            .contains(&format!("{gap} points more to reach the top 10")),
        "{}",
        page.html
    );

    // Another program's board, or none: not found.
    let page = member.get(&app, "leaderboards/nope").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
}

async fn a_settled_contest_shows_final_standings_and_the_prize(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let ends = app.now() + Duration::days(1);
    let r = app
        .put(
            "/v1/leaderboards/sprint",
            json!({"name": "冲刺赛", "metric": {"kind": "spend"},
                   "period": {"kind": "window", "starts_at": (app.now() - Duration::days(1)).to_rfc3339(),
                              "ends_at": ends.to_rfc3339()},
                   "contest": {"prizes": [{"from": 1, "to": 1, "points": 1000}]}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    for (n, amount) in [(1, 50_000), (2, 30_000)] {
        app.member(&id(n)).await;
        let r = app
            .purchase(&format!("e-{n}"), &id(n), &format!("o-{n}"), amount)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
    }
    let second = enter(&app, &id(2), json!({})).await;
    let page = second.get(&app, "leaderboards/sprint").await;
    assert!(!page.html.contains("id=\"final\""), "{}", page.html);
    // ¥200.01 more passes member-01 (who reached ¥500 first).
    assert!(
        page.html.contains("再消费 ¥200.01 即可登上第 1 名"),
        "{}",
        page.html
    );

    app.advance(Duration::days(2));
    let r = app
        .post("/v1/leaderboards/sprint/contests/window/settle", json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let first = enter(&app, &id(1), json!({})).await;
    let page = first.get(&app, "leaderboards/sprint").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    for shown in [
        "id=\"final\"",
        "最终排名",
        "第 1 名 · ¥500.00",
        "您获得：1000 积分",
    ] {
        assert!(page.html.contains(shown), "{shown}: {}", page.html);
    }
    assert!(!page.html.contains("id=\"gap\""), "{}", page.html);
    // Two days on, the first session has expired: the member opens the portal again.
    let second = enter(&app, &id(2), json!({})).await;
    let page = second.get(&app, "leaderboards/sprint").await;
    assert!(page.html.contains("第 2 名 · ¥300.00"), "{}", page.html);
    assert!(!page.html.contains("id=\"prize\""), "{}", page.html);
    let list = second.get(&app, "leaderboards").await;
    assert!(list.html.contains("最终排名 · 第 2 名"), "{}", list.html);
}
