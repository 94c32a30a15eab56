//! The console's members page through HTTP, on SQLite and PostgreSQL: search by every kind of
//! id, the member page with real data, and the actions by role (the support limit, a viewer's
//! forced POST, suspension, a double submit).

mod common;

use common::{TestApp, TestBackend};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION};
use serde_json::json;

use jifen_store::console::Role;

jifen_store::backend_tests! {
    search_finds_by_every_kind => super::search_finds_by_every_kind;
    member_page_shows_every_section => super::member_page_shows_every_section;
    support_adjusts_within_the_limit_only => super::support_adjusts_within_the_limit_only;
    viewer_sees_no_actions_and_cannot_post => super::viewer_sees_no_actions_and_cannot_post;
    suspend_issue_and_override => super::suspend_issue_and_override;
    double_submit_adjusts_once => super::double_submit_adjusts_once;
    ledger_pages_through_200_entries => super::ledger_pages_through_200_entries;
}

const FORM: &str = "application/x-www-form-urlencoded";

/// A signed-in operator's browser: the session cookie and the CSRF token of the pages.
struct Browser {
    base: String,
    client: reqwest::Client,
    cookie: String,
    csrf: String,
}

struct Page {
    status: StatusCode,
    location: String,
    html: String,
}

impl Browser {
    async fn sign_in(app: &TestApp, email: &str, role: Role) -> Browser {
        let s = common::console::sign_in_as(app, email, role).await;
        Browser {
            base: app.base.clone(),
            client: common::console::client(),
            cookie: s.cookie,
            csrf: s.csrf,
        }
    }

    async fn read(res: reqwest::Response) -> Page {
        let status = res.status();
        let location = res
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let html = res.text().await.unwrap_or_default();
        Page {
            status,
            location,
            html,
        }
    }

    async fn get(&self, path: &str) -> Page {
        self.get_in(path, "zh-CN").await
    }

    async fn get_in(&self, path: &str, lang: &str) -> Page {
        let res = self
            .client
            .get(format!("{}{path}", self.base))
            .header(COOKIE, format!("{}; jifen_lang={lang}", self.cookie))
            .send()
            .await
            .expect("get");
        Self::read(res).await
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        let mut form: Vec<(&str, &str)> = form.to_vec();
        form.push(("csrf", &self.csrf));
        let res = self
            .client
            .post(format!("{}{path}", self.base))
            .header(COOKIE, &self.cookie)
            .header(CONTENT_TYPE, FORM)
            .body(serde_urlencoded::to_string(&form).unwrap())
            .send()
            .await
            .expect("post");
        Self::read(res).await
    }

    /// Follows a search to where it leads: the member page's path, or the list page.
    async fn search(&self, q: &str) -> Page {
        let mut url = reqwest::Url::parse(&format!("{}/console/members", self.base)).unwrap();
        url.query_pairs_mut().append_pair("q", q);
        let path = format!("/console/members?{}", url.query().unwrap_or_default());
        self.get(&path).await
    }
}

async fn seed_people(app: &TestApp) {
    let r = app
        .put(
            "/v1/members/m1",
            json!({"name": "王小明", "phone": "13800138000", "identities": [
                {"kind": "wechat_unionid", "value": "oUnion-abc"},
                {"kind": "wechat_openid", "value": "oOpen-xyz"},
                {"kind": "tmall_ouid", "value": "ouid-778899"},
                {"kind": "email", "value": "Xiaoming@Example.cn"},
                {"kind": "loyalty_card", "value": "CARD-0042"}
            ]}),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");
    // m2's external id is a phone number that is also m3's phone: a search for it finds two.
    app.member("13900139000").await;
    let r = app
        .put(
            "/v1/members/m3",
            json!({"name": "李四", "phone": "+86 139 0013 9000"}),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");
    let r = app.purchase("e-1001", "m1", "T-1001", 26_800).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
}

async fn search_finds_by_every_kind(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    seed_people(&app).await;
    let agent = Browser::sign_in(&app, "agent@brand.cn", Role::Support).await;
    for q in [
        "m1",
        "138 0013 8000",
        "+86 138-0013-8000",
        "13800138000",
        "oUnion-abc",
        "oOpen-xyz",
        "ouid-778899",
        "xiaoming@example.cn",
        "XIAOMING@EXAMPLE.CN",
        "loyalty_card:CARD-0042",
        "T-1001",
        "  T-1001  ",
    ] {
        let page = agent.search(q).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{q}: {}", page.html);
        assert_eq!(page.location, "/console/members/m1", "{q}");
    }
    // Several: the list, each with how it was found.
    let page = agent.search("13900139000").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("找到多个会员"), "{}", page.html);
    assert!(page.html.contains("/console/members/13900139000"));
    assert!(page.html.contains("/console/members/m3"));
    // None: a clear message.
    let page = agent.search("nobody-here").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("id=\"no-match\""), "{}", page.html);
    assert!(page.html.contains("没有找到匹配的会员"));
    // An empty box lists the newest members.
    let page = agent.get("/console/members").await;
    assert!(page.html.contains("最近加入的会员"));
    for id in ["m1", "m3", "13900139000"] {
        assert!(
            page.html.contains(&format!("/console/members/{id}\"")),
            "{id}"
        );
    }
    // Pages of 50, newest first, with a link to the next.
    for i in 0..55 {
        app.member(&format!("bulk-{i:02}")).await;
    }
    let page = agent.get("/console/members").await;
    let (_, after) = page
        .html
        .split_once("/console/members?after=")
        .expect("next link");
    let after = after.split('"').next().unwrap();
    let next = agent.get(&format!("/console/members?after={after}")).await;
    assert!(next.html.contains("/console/members/m1\""), "{}", next.html);
    assert!(!next.html.contains("/console/members/bulk-54\""));
}

async fn member_page_shows_every_section(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    seed_people(&app).await;
    // A tier policy on points earned, a voucher template, a catalog item.
    let r = app
        .put(
            "/v1/tier-policy",
            json!({"basis": {"kind": "points_earned", "window": {"kind": "rolling_days", "days": 365}},
                   "tiers": [{"id": "silver", "name": "白银会员", "threshold": 0},
                             {"id": "gold", "name": "黄金会员", "threshold": 1000}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let r = app
        .put(
            "/v1/voucher-templates/ten-off",
            json!({"title": {"zh-CN": "满减十元券", "en": "¥10 off"},
                   "discount": {"kind": "amount", "off": 1_000}}),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");
    let r = app
        .put(
            "/v1/rewards/coupon-10",
            json!({"kind": "voucher", "template": "ten-off", "title": {"en": "¥10 coupon"},
                   "cost": 20}),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");
    // Purchases, a refund, a redemption, an adjustment, a reward, a voucher.
    app.purchase("e-1002", "m1", "T-1002", 30_000).await;
    let r = app.refund("r-1002", "m1", "T-1002", 10_000).await;
    assert_eq!(r.body["points"], -100, "{r:?}");
    app.redeem("m1", "red-1", 50).await;
    let r = app
        .post(
            "/v1/members/m1/adjustments",
            json!({"id": "adj-1", "points": 30, "reason": "快递延误补偿"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let r = app
        .post(
            "/v1/members/m1/reward-redemptions",
            json!({"id": "rr-1", "reward_id": "coupon-10"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let balance = app.available("m1").await;
    assert_eq!(balance, 268 + 300 - 100 - 50 + 30 - 20);

    let viewer = Browser::sign_in(&app, "viewer@brand.cn", Role::Viewer).await;
    let page = viewer.get("/console/members/m1").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let html = &page.html;
    for text in [
        "王小明",
        "+8613800138000",
        "oUnion-abc",
        "ouid-778899",
        "订单 T-1001 获得 268 积分",
        "订单 T-1002 退款扣回 100 积分",
        "兑换 -50 积分",
        "人工调整 +30 积分，原因：快递延误补偿",
        "id=\"lots\"",
        "白银会员",
        "黄金会员",
        "满减十元券",
        "coupon-10 × 1，20 积分",
        "e-1001",
        "r-1002",
        "id=\"checkouts\"",
        "id=\"gifts\"",
        "hx-get=\"/console/history/member/m1\" hx-trigger=\"load\"",
        "/console/audit?object_kind=member&#38;object_id=m1",
    ] {
        assert!(html.contains(text), "{text} missing:\n{html}");
    }
    assert!(
        html.contains(&format!("<div class=\"value\">{balance}</div>")),
        "{html}"
    );
    // No action for a viewer.
    assert!(!html.contains("adjust-form"));
    assert!(!html.contains("status-form"));
    // The same page in English.
    let page = viewer.get_in("/console/members/m1", "en").await;
    assert!(
        page.html.contains("Order T-1001 earned 268 points"),
        "{}",
        page.html
    );
    assert!(
        page.html
            .contains("Refund of order T-1002 took back 100 points")
    );
    // The balance as of the day before anything happened.
    let page = viewer.get("/console/members/m1?at=2026-05-31").await;
    assert!(
        page.html.contains("数据截至 2026-05-31 23:59"),
        "{}",
        page.html
    );
    assert!(page.html.contains("<div class=\"value\">0</div>"));
    // The ledger filtered by kind, and its partial for htmx.
    let page = viewer.get("/console/members/m1?kind=adjust").await;
    assert!(page.html.contains("人工调整 +30 积分"));
    assert!(!page.html.contains("订单 T-1001 获得 268 积分"));
    let part = viewer.get("/console/members/m1/ledger?kind=clawback").await;
    assert_eq!(part.status, StatusCode::OK);
    assert!(
        part.html.starts_with("<section id=\"ledger\">"),
        "{}",
        part.html
    );
    assert!(part.html.contains("退款扣回 100 积分"));
    assert!(!part.html.contains("兑换 -50 积分"));
    // A date range before the first entry: nothing.
    let page = viewer
        .get("/console/members/m1/ledger?from=2026-01-01&to=2026-05-31")
        .await;
    assert!(
        page.html.contains("没有符合条件的积分记录"),
        "{}",
        page.html
    );
    // An unknown member is a 404 page.
    let page = viewer.get("/console/members/nobody").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
}

async fn support_adjusts_within_the_limit_only(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    seed_people(&app).await;
    let agent = Browser::sign_in(&app, "agent@brand.cn", Role::Support).await;
    let page = agent.get("/console/members/m1").await;
    assert!(page.html.contains("adjust-form"));
    assert!(page.html.contains("单次调整上限： 1000"), "{}", page.html);
    let before = app.available("m1").await;
    // Within the default limit of 1,000.
    let r = agent
        .post(
            "/console/members/m1/adjust",
            &[("id", "c-adj-1"), ("points", "500"), ("reason", "客诉补偿")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    assert_eq!(r.location, "/console/members/m1?done=adjusted");
    assert_eq!(app.available("m1").await, before + 500);
    let page = agent.get(&r.location).await;
    assert!(page.html.contains("积分已调整"));
    assert!(page.html.contains("人工调整 +500 积分，原因：客诉补偿"));
    // Over it, either way: an error at the form, nothing written.
    for points in ["1500", "-1001"] {
        let r = agent
            .post(
                "/console/members/m1/adjust",
                &[("id", "c-adj-2"), ("points", points), ("reason", "太多")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{points}");
        assert!(
            r.html.contains("超出客服单次调整上限（1000 积分）"),
            "{}",
            r.html
        );
        assert!(r.html.contains("aria-invalid=\"true\""));
        assert_eq!(app.available("m1").await, before + 500);
    }
    // Without a reason: refused, nothing written.
    let r = agent
        .post(
            "/console/members/m1/adjust",
            &[("id", "c-adj-3"), ("points", "10"), ("reason", "  ")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.html.contains("请填写原因"));
    // An error of the API itself is shown too (taking more than the member has is allowed
    // as debt by default; zero points is not).
    let r = agent
        .post(
            "/console/members/m1/adjust",
            &[("id", "c-adj-4"), ("points", "0"), ("reason", "零")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.html.contains("points must be non-zero"), "{}", r.html);
    assert_eq!(app.available("m1").await, before + 500);
    // The owner raises the limit: 1,500 passes.
    app.state
        .store
        .set_support_adjustment_limit(&app.program_id, 2_000)
        .await
        .unwrap();
    let r = agent
        .post(
            "/console/members/m1/adjust",
            &[
                ("id", "c-adj-5"),
                ("points", "1500"),
                ("reason", "大促补偿"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    assert_eq!(app.available("m1").await, before + 2_000);
    // Owners are not limited.
    let owner = Browser::sign_in(&app, "owner@brand.cn", Role::Owner).await;
    let r = owner
        .post(
            "/console/members/m1/adjust",
            &[
                ("id", "c-adj-6"),
                ("points", "50000"),
                ("reason", "年度大奖"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    assert_eq!(app.available("m1").await, before + 52_000);
    // The API records the operator as the author.
    let ledger = app.get("/v1/members/m1/ledger").await;
    assert_eq!(ledger.body["data"][0]["reason"], "年度大奖");
}

async fn viewer_sees_no_actions_and_cannot_post(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    seed_people(&app).await;
    let before = app.balance("m1").await;
    for (email, role) in [
        ("viewer@brand.cn", Role::Viewer),
        ("marketer@brand.cn", Role::Marketer),
    ] {
        let browser = Browser::sign_in(&app, email, role).await;
        let page = browser.get("/console/members/m1").await;
        assert_eq!(page.status, StatusCode::OK);
        for form in ["adjust-form", "voucher-form", "tier-form", "status-form"] {
            assert!(!page.html.contains(form), "{role:?} sees {form}");
        }
        for (path, form) in [
            (
                "/console/members/m1/adjust",
                vec![("id", "v-1"), ("points", "10"), ("reason", "x")],
            ),
            ("/console/members/m1/status", vec![("status", "suspended")]),
            (
                "/console/members/m1/vouchers",
                vec![("id", "v-2"), ("template", "t")],
            ),
            (
                "/console/members/m1/tier-override",
                vec![("tier", "gold"), ("reason", "x"), ("until", "2026-12-31")],
            ),
        ] {
            let r = browser.post(path, &form).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{role:?} {path}");
        }
    }
    assert_eq!(app.balance("m1").await, before);
    let m = app.get("/v1/members/m1").await;
    assert_eq!(m.body["status"], "active");
    let ledger = app.get("/v1/members/m1/ledger").await;
    assert_eq!(ledger.body["data"].as_array().unwrap().len(), 1);
}

async fn suspend_issue_and_override(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    seed_people(&app).await;
    let r = app
        .put(
            "/v1/tier-policy",
            json!({"basis": {"kind": "points_earned", "window": {"kind": "rolling_days", "days": 365}},
                   "tiers": [{"id": "silver", "name": "白银会员", "threshold": 0},
                             {"id": "gold", "name": "黄金会员", "threshold": 1000}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let r = app
        .put(
            "/v1/voucher-templates/ten-off",
            json!({"title": {"zh-CN": "满减十元券"}, "discount": {"kind": "amount", "off": 1_000}}),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");
    let agent = Browser::sign_in(&app, "agent@brand.cn", Role::Support).await;
    // Suspend, then reactivate.
    let r = agent
        .post(
            "/console/members/m1/status",
            &[("id", "s-1"), ("status", "suspended")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    assert_eq!(app.get("/v1/members/m1").await.body["status"], "suspended");
    let page = agent.get(&r.location).await;
    assert!(page.html.contains("会员已冻结。"));
    assert!(page.html.contains("恢复会员"));
    assert_eq!(
        app.get("/v1/members/m1").await.body["name"],
        "王小明",
        "the rest of the profile is kept"
    );
    let r = agent
        .post(
            "/console/members/m1/status",
            &[("id", "s-2"), ("status", "active")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get("/v1/members/m1").await.body["status"], "active");
    // A status the API does not know: its error, nothing changed.
    let r = agent
        .post(
            "/console/members/m1/status",
            &[("id", "s-3"), ("status", "banished")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.html);
    assert_eq!(app.get("/v1/members/m1").await.body["status"], "active");
    // Issue a voucher (and re-issue it from the list).
    let page = agent.get("/console/members/m1").await;
    assert!(page.html.contains("满减十元券 (ten-off)"), "{}", page.html);
    let r = agent
        .post(
            "/console/members/m1/vouchers",
            &[("id", "iv-1"), ("template", "ten-off")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    let wallet = app.get("/v1/members/m1/vouchers").await;
    assert_eq!(wallet.body["data"].as_array().unwrap().len(), 1);
    let page = agent.get("/console/members/m1").await;
    let code = wallet.body["data"][0]["code"].as_str().unwrap();
    assert!(page.html.contains(code));
    assert!(page.html.contains("补发"));
    // An unknown template: the API's error at the form.
    let r = agent
        .post(
            "/console/members/m1/vouchers",
            &[("id", "iv-2"), ("template", "nope")],
        )
        .await;
    assert!(r.status.is_client_error(), "{}", r.html);
    assert!(r.html.contains("field-error"));
    assert_eq!(
        app.get("/v1/members/m1/vouchers").await.body["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Override the tier until a day, with a reason.
    let r = agent
        .post(
            "/console/members/m1/tier-override",
            &[
                ("id", "to-1"),
                ("tier", "gold"),
                ("reason", "VIP 客户关怀"),
                ("until", "2026-12-31"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    let tiers = app.get("/v1/members/m1/tiers").await;
    assert_eq!(tiers.body["standing"]["tier"]["id"], "gold", "{tiers:?}");
    assert_eq!(tiers.body["standing"]["override"]["reason"], "VIP 客户关怀");
    let page = agent.get("/console/members/m1").await;
    assert!(
        page.html.contains("当前为人工指定等级 黄金会员"),
        "{}",
        page.html
    );
    // Without an end date: refused.
    let r = agent
        .post(
            "/console/members/m1/tier-override",
            &[
                ("id", "to-2"),
                ("tier", "silver"),
                ("reason", "x"),
                ("until", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.html.contains("请选择有效期截止日期"));
}

async fn double_submit_adjusts_once(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    seed_people(&app).await;
    let agent = Browser::sign_in(&app, "agent@brand.cn", Role::Support).await;
    let before = app.available("m1").await;
    // The form's id is rendered with the page: two submits of it are one adjustment.
    let page = agent.get("/console/members/m1").await;
    let (_, rest) = page
        .html
        .split_once("id=\"adjust-form\"")
        .expect("adjust form");
    let (_, rest) = rest.split_once("name=\"id\" value=\"").expect("id field");
    let id = rest.split('"').next().unwrap().to_owned();
    for _ in 0..2 {
        let r = agent
            .post(
                "/console/members/m1/adjust",
                &[("id", &id), ("points", "88"), ("reason", "生日关怀")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    }
    assert_eq!(app.available("m1").await, before + 88);
    // The next render offers a new id.
    let page = agent.get("/console/members/m1").await;
    assert!(!page.html.contains(&id));
}

async fn ledger_pages_through_200_entries(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("busy").await;
    for batch in 0..2 {
        let events: Vec<_> = (0..100)
            .map(|i| {
                let n = batch * 100 + i;
                json!({"id": format!("e{n}"), "type": "purchase", "member": "busy",
                       "occurred_at": app.now().to_rfc3339(), "site": "tmall",
                       "attributes": {"order_id": format!("o{n}"), "amount": 10_000 + n}})
            })
            .collect();
        let r = app.post("/v1/events", json!({ "events": events })).await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
    }
    let viewer = Browser::sign_in(&app, "viewer@brand.cn", Role::Viewer).await;
    let seqs = |html: &str| -> Vec<i64> {
        html.split("<tr data-seq=\"")
            .skip(1)
            .map(|s| s.split('"').next().unwrap().parse().unwrap())
            .collect()
    };
    let mut all = Vec::new();
    let mut path = "/console/members/busy".to_owned();
    let mut pages = 0;
    loop {
        let page = viewer.get(&path).await;
        assert_eq!(page.status, StatusCode::OK);
        pages += 1;
        let got = seqs(&page.html);
        assert!(got.len() <= 50, "{}", got.len());
        all.extend(got);
        // "Older": a link to the full page, and for htmx to the section alone.
        let Some((before, _)) = page.html.split_once(">更早的记录</a>") else {
            break;
        };
        let (_, attrs) = before
            .rsplit_once("<a class=\"button\" href=\"")
            .expect("the older link");
        let attrs = attrs.replace("&#38;", "&");
        let href = attrs.split("#ledger").next().unwrap().to_owned();
        let part = attrs
            .split("hx-get=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap()
            .to_owned();
        let section = viewer.get(&part).await;
        assert!(section.html.starts_with("<section id=\"ledger\">"));
        assert_eq!(seqs(&section.html).len(), 50.min(200 - all.len()), "{part}");
        path = href;
    }
    assert_eq!(pages, 4);
    let expected: Vec<i64> = (1..=200).rev().collect();
    assert_eq!(all, expected);
}
