//! The console's dashboard and templates gallery over HTTP, on SQLite and PostgreSQL: figures
//! come from the rollups the job folds (a page view does not read the ledger), templates are
//! listed and create programs their creator owns, and roles are enforced.

mod common;

use common::{TestApp, TestBackend};
use jifen_server::console::dashboard::fold_all;
use jifen_store::console::Role;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION};

jifen_store::backend_tests! {
    dashboard_shows_the_folded_figures => super::dashboard_shows_the_folded_figures;
    dashboard_periods_and_languages => super::dashboard_periods_and_languages;
    dashboard_ranks_rules_by_points => super::dashboard_ranks_rules_by_points;
    gallery_lists_every_template => super::gallery_lists_every_template;
    creating_from_a_template_makes_an_owner => super::creating_from_a_template_makes_an_owner;
    viewers_cannot_create_programs => super::viewers_cannot_create_programs;
}

/// A signed-in browser: its session cookie and CSRF token.
struct Browser {
    client: reqwest::Client,
    base: String,
    cookie: String,
    csrf: String,
}

impl Browser {
    async fn sign_in(app: &TestApp, email: &str, role: Role) -> Browser {
        let s = common::console::sign_in_as(app, email, role).await;
        Browser {
            client: common::console::client(),
            base: app.base.clone(),
            cookie: s.cookie,
            csrf: s.csrf,
        }
    }

    async fn get(&self, path: &str) -> (StatusCode, String) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .header(COOKIE, &self.cookie)
            .send()
            .await
            .expect("get");
        (r.status(), r.text().await.expect("body"))
    }

    async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut fields = fields.to_vec();
        fields.push(("csrf", &self.csrf));
        self.client
            .post(format!("{}{path}", self.base))
            .header(COOKIE, &self.cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(&fields))
            .send()
            .await
            .expect("post")
    }
}

/// A form body, each value percent-encoded.
fn form(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{k}={}", jifen_server::console::api::seg(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The figure of a stat card: the text of the `value` element after `id="<id>"`.
fn stat(html: &str, id: &str) -> String {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no {id} in the page"));
    let rest = &html[at..];
    let v = rest.find("class=\"value\"").expect("value") + "class=\"value\"".len();
    let rest = &rest[v..];
    let start = rest.find('>').expect(">") + 1;
    let end = rest.find('<').expect("<");
    rest[start..end].trim().to_owned()
}

async fn dashboard_shows_the_folded_figures(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let browser = Browser::sign_in(&app, "owner@brand.cn", Role::Owner).await;
    for m in ["m1", "m2", "m3"] {
        app.member(m).await;
    }
    assert_eq!(
        app.purchase("e1", "m1", "o1", 10_000).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.purchase("e2", "m2", "o2", 5_000).await.status,
        StatusCode::OK
    );
    assert!(app.redeem("m1", "r1", 30).await.status.is_success());
    assert_eq!(
        app.refund("e3", "m2", "o2", 5_000).await.status,
        StatusCode::OK
    );
    assert!(app.adjust("m3", "a1", 20).await.status.is_success());

    // Before the fold the page shows nothing of this: it reads the rollups, not the ledger.
    let (status, html) = browser.get("/console").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(stat(&html, "members-total"), "0");
    assert_eq!(stat(&html, "issued"), "0");
    assert!(
        html.contains("echarts-6.1.0.min.js"),
        "charts load on this page"
    );

    let folded = fold_all(&app.state).await.expect("fold");
    assert_eq!(folded.members, 3);
    let (_, html) = browser.get("/console").await;
    assert_eq!(stat(&html, "members-total"), "3");
    assert_eq!(stat(&html, "members-new"), "3");
    assert_eq!(stat(&html, "members-active"), "3");
    assert_eq!(stat(&html, "issued"), "170");
    assert_eq!(stat(&html, "redeemed"), "30");
    assert_eq!(stat(&html, "clawed-back"), "50");
    assert_eq!(stat(&html, "expired"), "0");
    assert_eq!(stat(&html, "redemption-rate"), "17.6%");
    assert_eq!(stat(&html, "outstanding"), "90");
    assert_eq!(stat(&html, "debt"), "0");
    assert_eq!(stat(&html, "outstanding-value"), "¥90.00");
    // The day's row of the table under the chart (16:00 in Shanghai, 1 June).
    assert!(
        html.contains("<td>2026-06-01</td><td class=\"num\">170</td><td class=\"num\">30</td><td class=\"num\">0</td><td class=\"num\">50</td><td class=\"num\">3</td>"),
        "{html}"
    );
    assert!(html.contains("id=\"freshness\""));
    assert!(html.contains("数据截至"), "freshness in Chinese");

    // Folding again adds nothing.
    let again = fold_all(&app.state).await.expect("fold");
    assert_eq!(again.members, 0);
    let (_, html2) = browser.get("/console").await;
    assert_eq!(stat(&html2, "issued"), "170");
}

async fn dashboard_periods_and_languages(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let browser = Browser::sign_in(&app, "viewer@brand.cn", Role::Viewer).await;
    app.member("m1").await;
    app.purchase("e1", "m1", "o1", 2_000).await;
    fold_all(&app.state).await.expect("fold");
    // A custom period before the purchase shows none of it; the members' total stays.
    let (status, html) = browser
        .get("/console?period=custom&from=2026-05-01&to=2026-05-31")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(stat(&html, "issued"), "0");
    assert_eq!(stat(&html, "members-total"), "1");
    let (_, html) = browser.get("/console?period=7").await;
    assert_eq!(stat(&html, "issued"), "20");
    assert!(html.contains("2026-05-26"), "seven days up to today");
    // English.
    let r = browser
        .client
        .get(format!("{}/console", browser.base))
        .header(COOKIE, format!("{}; jifen_lang=en", browser.cookie))
        .send()
        .await
        .expect("get");
    let html = r.text().await.expect("body");
    assert!(html.contains("Active in last 30 days"), "{html}");
}

async fn dashboard_ranks_rules_by_points(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let browser = Browser::sign_in(&app, "viewer@brand.cn", Role::Viewer).await;
    let r = app
        .put(
            "/v1/rules/bonus",
            serde_json::json!({"name": "购物加赠", "trigger": {"kind": "event", "types": ["purchase"]},
                   "effects": [{"kind": "award_points", "points": 7}]}),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");
    app.advance(chrono::Duration::seconds(2));
    app.member("m1").await;
    app.member("m2").await;
    assert!(
        app.purchase("e1", "m1", "o1", 1_000)
            .await
            .status
            .is_success()
    );
    assert!(
        app.purchase("e2", "m2", "o2", 1_000)
            .await
            .status
            .is_success()
    );
    fold_all(&app.state).await.expect("fold");
    let (_, html) = browser.get("/console").await;
    let top = &html[html.find("id=\"top\"").expect("top")..];
    assert!(
        top.contains("<td>购物加赠 <span class=\"muted\">bonus</span></td><td class=\"num\">14</td><td class=\"num\">¥14.00</td>"),
        "{top}"
    );
}

async fn gallery_lists_every_template(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let browser = Browser::sign_in(&app, "viewer@brand.cn", Role::Viewer).await;
    let (status, html) = browser.get("/console/templates").await;
    assert_eq!(status, StatusCode::OK);
    for name in jifen_server::templates::names() {
        assert!(html.contains(&format!("id=\"template-{name}\"")), "{name}");
        let loaded = jifen_server::templates::load(name).expect("template");
        assert!(html.contains(&loaded.template.name), "{name}'s title");
        for (_, rule) in &loaded.rules {
            assert!(html.contains(&rule.name), "{name}: rule {}", rule.name);
        }
    }
    // A viewer sees no create form.
    assert!(!html.contains("/create\""), "no create form for a viewer");
}

async fn creating_from_a_template_makes_an_owner(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let browser = Browser::sign_in(&app, "marketer@brand.cn", Role::Marketer).await;
    let (_, html) = browser.get("/console/templates").await;
    assert!(html.contains("action=\"/console/templates/alibaba-88/create\""));
    let before = app
        .state
        .store
        .list_programs()
        .await
        .expect("programs")
        .len();
    let r = browser
        .post_form(
            "/console/templates/alibaba-88/create",
            &[("program_name", "88会员 测试店")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], "/console?created=1");
    let programs = app.state.store.list_programs().await.expect("programs");
    assert_eq!(programs.len(), before + 1);
    let program = programs.last().expect("new program");
    assert_eq!(program.name, "88会员 测试店");
    // What the template sets up is there.
    let loaded = jifen_server::templates::load("alibaba-88").expect("template");
    assert_eq!(program.policy, loaded.policy);
    let rules = app
        .state
        .store
        .rule_versions(&program.id)
        .await
        .expect("rules");
    assert_eq!(rules.len(), loaded.rules.len());
    // The marketer owns it, and the session works in it now.
    let operator = app
        .state
        .store
        .operator_by_email("marketer@brand.cn")
        .await
        .expect("operator")
        .expect("found")
        .0;
    assert_eq!(
        app.state
            .store
            .role_in(&operator.id, &program.id)
            .await
            .expect("role"),
        Some(Role::Owner)
    );
    let (status, html) = browser.get("/console?created=1").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("88会员 测试店"),
        "the header names the new program"
    );
    assert!(html.contains("项目已创建"), "the toast");
    // Its owner may open what only owners open.
    let (status, _) = browser.get("/console/account").await;
    assert_eq!(status, StatusCode::OK);

    // An unknown template is not found, and creates nothing.
    let r = browser
        .post_form(
            "/console/templates/no-such/create",
            &[("program_name", "x")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.state
            .store
            .list_programs()
            .await
            .expect("programs")
            .len(),
        before + 1
    );
}

async fn viewers_cannot_create_programs(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let before = app
        .state
        .store
        .list_programs()
        .await
        .expect("programs")
        .len();
    for (email, role) in [
        ("viewer@brand.cn", Role::Viewer),
        ("support@brand.cn", Role::Support),
    ] {
        let browser = Browser::sign_in(&app, email, role).await;
        let r = browser
            .post_form(
                "/console/templates/alibaba-88/create",
                &[("program_name", "x")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{role}");
    }
    assert_eq!(
        app.state
            .store
            .list_programs()
            .await
            .expect("programs")
            .len(),
        before
    );
}
