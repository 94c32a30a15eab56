//! The member portal's pages over HTTP on SQLite and PostgreSQL: the history of points, the
//! rewards and their redemption, the wallet of vouchers; each shows the session's member only.

mod common;

use common::portal::{enter, field};
use common::{TestApp, TestBackend};
use reqwest::StatusCode;
use serde_json::json;

jifen_store::backend_tests! {
    the_history_tells_the_ledger_in_plain_words => super::the_history_tells_the_ledger_in_plain_words;
    the_history_pages_with_a_cursor_and_shows_one_member => super::the_history_pages_with_a_cursor_and_shows_one_member;
    the_rewards_page_says_what_can_be_redeemed_and_why_not => super::the_rewards_page_says_what_can_be_redeemed_and_why_not;
    a_redemption_redeems_once_and_a_refused_one_writes_nothing => super::a_redemption_redeems_once_and_a_refused_one_writes_nothing;
    the_wallet_lists_vouchers_and_a_voucher_shows_its_codes => super::the_wallet_lists_vouchers_and_a_voucher_shows_its_codes;
}

/// A voucher template and a catalog item that gives it: "奶茶券" for `cost` points.
async fn milk_tea(app: &TestApp, cost: i64) {
    let r = app
        .put(
            "/v1/voucher-templates/milk-tea",
            json!({"title": {"zh-CN": "奶茶券", "en": "Milk tea voucher"},
                   "discount": {"kind": "amount", "off": 1_500}}),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");
    let r = app
        .put(
            "/v1/rewards/milk-tea",
            json!({"kind": "voucher", "template": "milk-tea",
                   "title": {"zh-CN": "奶茶券", "en": "Milk tea voucher"}, "cost": cost}),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");
}

async fn the_history_tells_the_ledger_in_plain_words(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m-1").await;
    milk_tea(&app, 50).await;
    app.purchase("e-1", "m-1", "T-1001", 26_800).await;
    let r = app.refund("r-1", "m-1", "T-1001", 10_000).await;
    assert_eq!(r.body["points"], -100, "{r:?}");
    let r = app
        .post(
            "/v1/members/m-1/reward-redemptions",
            json!({"id": "rr-1", "reward_id": "milk-tea"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let r = app
        .post(
            "/v1/members/m-1/adjustments",
            json!({"id": "adj-1", "points": 30, "reason": "快递延误补偿"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    // Points that arrive in seven days.
    app.set_policy(json!({"pending_days": 7})).await;
    app.purchase("e-2", "m-1", "T-1002", 5_000).await;
    let arrives = (app.now() + chrono::Duration::days(7))
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m-%d")
        .to_string();

    let m = enter(&app, "m-1", json!({})).await;
    let page = m.get(&app, "history").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let html = &page.html;
    for line in [
        "订单 T-1001 获得 268 积分",
        "订单 T-1001 退款扣回 100 积分",
        "兑换 奶茶券 -50 积分",
        "积分调整 +30（快递延误补偿）",
        "订单 T-1002 获得 50 积分",
    ] {
        assert!(html.contains(line), "{line}: {html}");
    }
    assert!(
        html.contains(&format!("（{arrives} 到账）")),
        "pending points say when they arrive: {html}"
    );
    // Newest first: the pending purchase before the first one.
    let at = |s: &str| html.find(s).unwrap();
    assert!(at("T-1002") < at("兑换 奶茶券") && at("兑换 奶茶券") < at("获得 268"));
    assert!(
        html.contains(r#"<strong class="minus">-50</strong>"#),
        "{html}"
    );
    assert!(html.contains(r#"<strong class="plus">+268</strong>"#));
    // The tab bar has the page, and one page of entries has no "more" link.
    assert!(html.contains(&format!(r#"href="{}history" class="active""#, m.base)));
    assert!(!html.contains(r#"id="more""#));

    let en = m.get(&app, "history?lang=en").await;
    for line in [
        "Order T-1001 earned 268 points",
        "Refund of order T-1001 took back 100 points",
        "Redeemed Milk tea voucher: -50 points",
        "Adjustment +30 points (快递延误补偿)",
        &format!("(arrives on {arrives})"),
        "Points history",
    ] {
        assert!(en.html.contains(line), "{line}: {}", en.html);
    }
}

async fn the_history_pages_with_a_cursor_and_shows_one_member(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m-1").await;
    app.member("m-2").await;
    for i in 1..=25 {
        let r = app.adjust("m-1", &format!("a-{i}"), i).await;
        assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    }
    app.purchase("e-b", "m-2", "T-9999", 98_700).await;
    let m = enter(&app, "m-1", json!({})).await;
    let lines = |html: &str| html.matches("<time>").count();
    let first = m.get(&app, "history").await;
    assert_eq!(lines(&first.html), 20, "{}", first.html);
    assert!(first.html.contains("积分调整 +25（goodwill）"));
    assert!(!first.html.contains("积分调整 +5（"), "older ones wait");
    assert!(!first.html.contains(r#"id="newest""#));
    let more = first
        .html
        .split(r#"<a href=""#)
        .find(|s| s.contains(r#"id="more""#))
        .and_then(|s| s.split('"').next())
        .expect("a more link")
        .replace("&#x3d;", "=");
    assert!(
        more.starts_with(&format!("{}history?before=", m.base)),
        "{more}"
    );
    let second = m.get(&app, &more[m.base.len()..]).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.html);
    assert_eq!(lines(&second.html), 5, "{}", second.html);
    assert!(second.html.contains("积分调整 +5（goodwill）"));
    assert!(second.html.contains("积分调整 +1（goodwill）"));
    assert!(!second.html.contains(r#"id="more""#));
    assert!(second.html.contains(r#"id="newest""#));
    // Only the session's member: nothing of m-2, whatever the query.
    for page in [&first, &second] {
        assert!(!page.html.contains("T-9999") && !page.html.contains("987"));
    }
    let other = enter(&app, "m-2", json!({})).await;
    let theirs = other.get(&app, "history").await;
    assert!(
        theirs.html.contains("订单 T-9999 获得 987 积分"),
        "{}",
        theirs.html
    );
    assert!(!theirs.html.contains("goodwill"));
    let bad = m.get(&app, "history?before=x").await;
    assert_eq!(bad.status, StatusCode::NOT_FOUND);
    // Without a session, the clear page and nothing else.
    let none = common::portal::open(&app, &format!("{}history", m.base), None).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
}

/// Puts a catalog item; `body` is merged into a physical gift titled `title` costing `cost`.
async fn gift(app: &TestApp, id: &str, title: &str, cost: i64, body: serde_json::Value) {
    let mut spec =
        json!({"kind": "physical", "title": {"zh-CN": title, "en": title}, "cost": cost});
    for (k, v) in body.as_object().unwrap() {
        spec[k.as_str()] = v.clone();
    }
    let r = app.put(&format!("/v1/rewards/{id}"), spec).await;
    assert!(r.status.is_success(), "{id}: {r:?}");
}

async fn the_rewards_page_says_what_can_be_redeemed_and_why_not(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let r = app
        .put(
            "/v1/tier-policy",
            json!({"basis": {"kind": "spend", "window": {"kind": "rolling_days", "days": 365}},
                   "tiers": [{"id": "member", "name": "普通会员", "threshold": 0},
                             {"id": "gold", "name": "金卡", "threshold": 50_000}]}),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");
    app.member("m-1").await;
    app.member("m-2").await;
    app.purchase("e-1", "m-1", "T-1", 20_000).await;
    app.purchase("e-2", "m-2", "T-2", 2_000).await;
    milk_tea(&app, 50).await;
    gift(&app, "big", "保温杯", 320, json!({})).await;
    gift(
        &app,
        "gold-only",
        "金卡礼盒",
        10,
        json!({"eligibility": {"tiers": ["gold"]}}),
    )
    .await;
    let opens = app.now() + chrono::Duration::days(2);
    gift(
        &app,
        "preview",
        "新品预览",
        10,
        json!({"available_from": opens.to_rfc3339()}),
    )
    .await;
    gift(&app, "scarce", "限量徽章", 10, json!({"stock": 1})).await;
    gift(
        &app,
        "once",
        "周年纪念卡",
        10,
        json!({"limits": {"lifetime": 1}}),
    )
    .await;
    // m-2 takes the last badge; m-1 redeemed the card already.
    for (member, id, reward) in [("m-2", "x-1", "scarce"), ("m-1", "x-2", "once")] {
        let r = app
            .post(
                &format!("/v1/members/{member}/reward-redemptions"),
                json!({"id": id, "reward_id": reward}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    }

    let m = enter(&app, "m-1", json!({})).await;
    let page = m.get(&app, "rewards").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let html = &page.html;
    assert!(html.contains(r#"id="available">190<"#), "{html}");
    let later = html.find(r#"id="later""#).expect("a section of the others");
    let milk = html.find("奶茶券").expect("the milk tea voucher");
    assert!(milk < later, "redeemable first: {html}");
    let opens_local = opens
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m-%d %H:%M")
        .to_string();
    for (title, reason) in [
        ("保温杯", "还差 130 积分".to_owned()),
        ("金卡礼盒", "金卡会员专享".to_owned()),
        ("新品预览", format!("{opens_local} 开放兑换")),
        ("限量徽章", "已兑完".to_owned()),
        ("周年纪念卡", "限兑 1 次，已达上限".to_owned()),
    ] {
        let at = html
            .find(title)
            .unwrap_or_else(|| panic!("{title}: {html}"));
        assert!(at > later, "{title} is with the others");
        let item = &html[at..];
        let item = &item[..item.find("</li>").unwrap()];
        assert!(item.contains(&reason), "{title}: {reason}: {item}");
    }
    assert!(html.contains(&format!(r#"href="{}rewards/milk-tea""#, m.base)));
    assert!(html.contains(&format!(r#"href="{}rewards" class="active""#, m.base)));

    let en = m.get(&app, "rewards?lang=en").await;
    for text in [
        "Milk tea voucher",
        "130 more points needed",
        "For 金卡 members",
        &format!("Opens on {opens_local}"),
        "Out of stock",
        "Limit of 1 reached",
    ] {
        assert!(en.html.contains(text), "{text}: {}", en.html);
    }
    // An item's page: the form only when it can be redeemed.
    let milk = m.get(&app, "rewards/milk-tea").await;
    assert!(milk.html.contains("兑换后剩余 140 积分"), "{}", milk.html);
    assert!(milk.html.contains(r#"name="id" value="portal-"#));
    let big = m.get(&app, "rewards/big").await;
    assert!(big.html.contains("还差 130 积分") && !big.html.contains("<form"));
    let none = m.get(&app, "rewards/nothing-here").await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    // Another member sees their own figures.
    let other = enter(&app, "m-2", json!({})).await;
    let theirs = other.get(&app, "rewards").await;
    assert!(
        theirs.html.contains(r#"id="available">10<"#),
        "{}",
        theirs.html
    );
}

async fn a_redemption_redeems_once_and_a_refused_one_writes_nothing(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m-1").await;
    app.member("m-2").await;
    app.purchase("e-1", "m-1", "T-1", 12_000).await;
    app.purchase("e-2", "m-2", "T-2", 9_000).await;
    milk_tea(&app, 50).await;
    gift(&app, "big", "保温杯", 500, json!({})).await;
    let m = enter(&app, "m-1", json!({})).await;
    let page = m.get(&app, "rewards/milk-tea").await;
    let (csrf, id) = (field(&page.html, "csrf"), field(&page.html, "id"));
    assert!(id.starts_with("portal-"), "{id}");

    // A double tap: the same id twice, with another member named in the form for good measure.
    let form = [
        ("csrf", csrf.as_str()),
        ("id", id.as_str()),
        ("member", "m-2"),
    ];
    let (first, second) = tokio::join!(
        m.post(&app, "rewards/milk-tea", &form),
        m.post(&app, "rewards/milk-tea", &form)
    );
    for done in [&first, &second] {
        assert_eq!(done.status, StatusCode::OK, "{}", done.html);
        assert!(done.html.contains("已兑换 奶茶券"), "{}", done.html);
        assert!(
            done.html.contains("花费 50 积分，当前可用 70 积分"),
            "{}",
            done.html
        );
    }
    assert_eq!(app.available("m-1").await, 70);
    assert_eq!(app.available("m-2").await, 90);
    let vouchers = app.get("/v1/members/m-1/vouchers").await;
    let list = vouchers.body["data"].as_array().unwrap();
    assert_eq!(list.len(), 1, "one voucher: {vouchers:?}");
    let code = list[0]["code"].as_str().unwrap();
    assert!(
        first.html.contains(code),
        "the code is shown: {}",
        first.html
    );
    assert!(
        first
            .html
            .contains(&format!(r#"href="{}wallet" id="to-wallet""#, m.base)),
        "a voucher was issued: the way to the wallet"
    );
    assert!(
        app.get("/v1/members/m-2/vouchers").await.body["data"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Not enough points: the reason, and nothing written.
    let before = jifen_store::testkit::table_rows(app.database_url()).await;
    let refused = m
        .post(
            &app,
            "rewards/big",
            &[("csrf", &csrf), ("id", "portal-refused-1")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::OK, "{}", refused.html);
    assert!(
        refused.html.contains("兑换未成功，积分未扣除。"),
        "{}",
        refused.html
    );
    assert!(refused.html.contains("还差 430 积分"), "{}", refused.html);
    let after = jifen_store::testkit::table_rows(app.database_url()).await;
    assert_eq!(before, after, "nothing written");
    let en = m
        .post(
            &app,
            "rewards/big?lang=en",
            &[("csrf", &csrf), ("id", "portal-refused-2")],
        )
        .await;
    assert!(en.html.contains("no points were taken"), "{}", en.html);
    assert!(en.html.contains("430 more points needed"));
    // An unknown item, and a post without the token.
    let unknown = m
        .post(&app, "rewards/nope", &[("csrf", &csrf), ("id", "portal-x")])
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let forged = m
        .post(&app, "rewards/milk-tea", &[("id", "portal-y")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(app.available("m-1").await, 70);
}

/// Issues `member` a voucher of `template` through the API; its code.
async fn issue(app: &TestApp, member: &str, id: &str, template: &str) -> String {
    let r = app
        .post(
            &format!("/v1/members/{member}/vouchers"),
            json!({"id": id, "template": template}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    r.body["code"].as_str().unwrap().to_owned()
}

/// The dark modules of a QR code drawn by the `qrcode` crate's SVG renderer (quiet zone of 4):
/// each path segment `M{x} {y}h{w}v{h}H{x}V{y}` is a rectangle of modules.
fn qr_modules(svg: &str) -> Vec<Vec<bool>> {
    let attr = |name: &str| -> u32 {
        let at = svg.find(&format!(r#" {name}=""#)).unwrap() + name.len() + 3;
        svg[at..].split('"').next().unwrap().parse().unwrap()
    };
    let width = attr("width");
    let d = svg
        .split(r#" d=""#)
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let rects: Vec<[u32; 4]> = d
        .split('M')
        .filter(|s| !s.is_empty())
        .map(|s| {
            let n: Vec<u32> = s
                .split(|c: char| !c.is_ascii_digit())
                .filter(|x| !x.is_empty())
                .map(|x| x.parse().unwrap())
                .collect();
            [n[0], n[1], n[2], n[3]]
        })
        .collect();
    // The smallest rectangle side is one module.
    let unit = rects.iter().map(|r| r[2].min(r[3])).min().unwrap();
    let n = (width / unit - 8) as usize;
    let mut grid = vec![vec![false; n]; n];
    for [x, y, w, h] in rects {
        for dy in 0..h / unit {
            for dx in 0..w / unit {
                grid[(y / unit + dy - 4) as usize][(x / unit + dx - 4) as usize] = true;
            }
        }
    }
    grid
}

async fn the_wallet_lists_vouchers_and_a_voucher_shows_its_codes(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m-1").await;
    app.member("m-2").await;
    milk_tea(&app, 50).await;
    let r = app
        .put(
            "/v1/voucher-templates/one-day",
            json!({"title": {"zh-CN": "当日券", "en": "Day voucher"},
                   "discount": {"kind": "amount", "off": 500}, "min_spend": 3_000,
                   "validity": {"days": 1}}),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");
    let old = issue(&app, "m-1", "i-1", "one-day").await;
    app.advance(chrono::Duration::days(2));
    let code = issue(&app, "m-1", "i-2", "milk-tea").await;
    let theirs = issue(&app, "m-2", "i-3", "milk-tea").await;

    let m = enter(&app, "m-1", json!({})).await;
    let wallet = m.get(&app, "wallet").await;
    assert_eq!(wallet.status, StatusCode::OK, "{}", wallet.html);
    let html = &wallet.html;
    let spent = html.find(r#"id="spent""#).expect("used and expired apart");
    let usable = html
        .find(&format!(r#"id="voucher-{code}""#))
        .expect("the milk tea voucher");
    let expired = html
        .find(&format!(r#"id="voucher-{old}""#))
        .expect("the old voucher");
    assert!(usable < spent && spent < expired, "{html}");
    assert!(html.contains("立减 ¥15"), "{html}");
    assert!(html.contains("立减 ¥5，满 ¥30 可用"), "{html}");
    assert!(html.contains("已过期") && html.contains("可使用"));
    assert!(!html.contains(&theirs), "nothing of m-2");
    assert!(html.contains(&format!(r#"href="{}wallet" class="active""#, m.base)));
    let en = m.get(&app, "wallet?lang=en").await;
    assert!(en.html.contains("Milk tea voucher") && en.html.contains("Expired"));
    assert!(en.html.contains("¥5 off, spend ≥ ¥30"), "{}", en.html);

    // The voucher's page: its code as text, as a QR code and as a Code 128 barcode.
    let page = m.get(&app, &format!("wallet/{code}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(
        page.html
            .contains(&format!(r#"<p class="code" id="code">{code}</p>"#))
    );
    let qr = page.html.split(r#"id="qr""#).nth(1).unwrap();
    let qr = &qr[qr.find("<svg").unwrap()..qr.find("</svg>").unwrap() + 6];
    let expected = qrcode::QrCode::new(code.as_bytes()).unwrap();
    let n = expected.width();
    let matrix: Vec<Vec<bool>> = expected
        .to_colors()
        .chunks(n)
        .map(|row| row.iter().map(|c| *c == qrcode::Color::Dark).collect())
        .collect();
    assert_eq!(qr_modules(qr), matrix, "the QR code encodes {code}");
    let symbol = barcoders::sym::code128::Code128::new(format!("\u{0181}{code}")).unwrap();
    let mut svg = barcoders::generators::svg::SVG::new(80);
    svg.xdim = 2;
    let bars = svg.generate(symbol.encode()).unwrap();
    assert!(page.html.contains(&bars), "the barcode carries {code}");
    // An expired voucher shows no code to scan.
    let page = m.get(&app, &format!("wallet/{old}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("已过期") && !page.html.contains(r#"id="qr""#));
    // Another member's voucher, or no voucher: the not-found page.
    for other in [theirs.as_str(), "NO-SUCH-CODE"] {
        let page = m.get(&app, &format!("wallet/{other}")).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{other}");
        assert!(!page.html.contains(other), "{}", page.html);
    }
}
