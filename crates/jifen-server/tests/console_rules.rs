//! The console's rules and campaigns pages, signed in over HTTP, on SQLite and PostgreSQL.

mod common;

use std::time::Duration;

use common::{TestApp, TestBackend};
use jifen_store::console::Role;
use reqwest::StatusCode;
use serde_json::json;

jifen_store::backend_tests! {
    a_marketer_creates_a_rule_through_the_form => super::a_marketer_creates_a_rule_through_the_form;
    an_invalid_condition_points_at_its_place_and_saves_nothing => super::an_invalid_condition_points_at_its_place_and_saves_nothing;
    simulate_shows_fired_and_not_fired_with_reasons => super::simulate_shows_fired_and_not_fired_with_reasons;
    pause_and_resume => super::pause_and_resume;
    the_versions_diff_shows_the_change => super::the_versions_diff_shows_the_change;
    a_backtest_of_a_draft_runs_and_reports => super::a_backtest_of_a_draft_runs_and_reports;
    a_viewer_sees_no_edit_controls_and_cannot_write => super::a_viewer_sees_no_edit_controls_and_cannot_write;
    support_may_not_write_rules => super::support_may_not_write_rules;
    campaigns_with_period_and_budget => super::campaigns_with_period_and_budget;
    the_list_filters_by_status_and_campaign => super::the_list_filters_by_status_and_campaign;
}

/// A signed-in operator: the session cookie and the CSRF token.
struct Console {
    base: String,
    client: reqwest::Client,
    cookie: String,
    csrf: String,
}

struct Page {
    status: StatusCode,
    location: String,
    body: String,
}

impl Console {
    async fn sign_in(app: &TestApp, email: &str, role: Role) -> Console {
        let s = common::console::sign_in_as(app, email, role).await;
        Console {
            base: app.base.clone(),
            client: common::console::client(),
            // English, so that the assertions read the English texts.
            cookie: format!("{}; jifen_lang=en", s.cookie),
            csrf: s.csrf,
        }
    }

    async fn page(res: reqwest::Response) -> Page {
        let status = res.status();
        let location = res
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        Page {
            status,
            location,
            body: res.text().await.unwrap_or_default(),
        }
    }

    async fn get(&self, path: &str) -> Page {
        let res = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .send()
            .await
            .expect("get");
        Self::page(res).await
    }

    /// Posts a form (the CSRF token added), as a browser without JavaScript would.
    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        self.post_with(path, fields, false).await
    }

    async fn post_with(&self, path: &str, fields: &[(&str, &str)], htmx: bool) -> Page {
        let mut form: Vec<(&str, &str)> = vec![("csrf", self.csrf.as_str())];
        form.extend_from_slice(fields);
        let mut req = self
            .client
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form_body(&form));
        if htmx {
            req = req.header("hx-request", "true");
        }
        Self::page(req.send().await.expect("post")).await
    }
}

fn form_body(fields: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(fields).expect("form")
}

/// The fields of a simple rule as the editor posts them.
fn rule_fields<'a>(id: &'a str, name: &'a str, points: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("rule_id", id),
        ("name", name),
        ("trigger_kind", "event"),
        ("event_types", "check_in"),
        ("condition", ""),
        ("effect_kind", "points"),
        ("points", points),
        ("rounding", "floor"),
        ("other_effects", "[]"),
        ("limit_per_0", "day"),
        ("limit_count_0", "1"),
        ("limit_per_1", ""),
        ("limit_per_2", ""),
        ("priority", "0"),
        ("mode", "form"),
    ]
}

async fn a_marketer_creates_a_rule_through_the_form(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let c = Console::sign_in(&app, "marketer@brand.cn", Role::Marketer).await;
    let page = c.get("/console/rules/new").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"rule-form\""), "{}", page.body);
    let mut fields = rule_fields("daily-check-in", "5 points a day", "5");
    fields.push(("condition", "event.type == \"check_in\""));
    fields.retain(|(k, v)| *k != "condition" || !v.is_empty());
    fields.push(("weekdays", "mon"));
    fields.push(("weekdays", "tue"));
    let page = c.post("/console/rules", &fields).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(page.location, "/console/rules/daily-check-in?saved=1");
    // Live in the API, as the form said.
    let r = app.get("/v1/rules/daily-check-in").await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let spec = &r.body["spec"];
    assert_eq!(spec["name"], "5 points a day");
    assert_eq!(
        spec["trigger"],
        json!({"kind": "event", "types": ["check_in"]})
    );
    assert_eq!(spec["condition"], "event.type == \"check_in\"");
    assert_eq!(
        spec["effects"],
        json!([{"kind": "award_points", "points": 5, "rounding": "floor"}])
    );
    assert_eq!(spec["limits"], json!([{"per": "day", "count": 1}]));
    assert_eq!(spec["schedule"]["weekdays"], json!(["mon", "tue"]));
    // The rule page shows it, with a saved toast, and the form filled in.
    let page = c.get(&page.location).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Saved."), "{}", page.body);
    assert!(page.body.contains("value=\"5 points a day\""));
    // The editor, with its simulate panel, stays well under the console's page budget.
    assert!(page.body.len() < 100_000, "{} bytes", page.body.len());
    assert!(
        page.body
            .contains("hx-get=\"/console/history/rule/daily-check-in\"")
    );
    assert!(
        page.body
            .contains("/console/audit?object_kind=rule&amp;object_id=daily-check-in")
    );
    // Creating a second rule with the same id is refused: it would replace the first.
    let page = c
        .post(
            "/console/rules",
            &rule_fields("daily-check-in", "Other", "9"),
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("This id is taken."));
    assert_eq!(app.get("/v1/rules/daily-check-in").await.body["version"], 1);
    // The JSON view saves what it says (a new version, live from the second it is saved).
    app.advance(chrono::Duration::seconds(5));
    let json_rule =
        json!({"name": "5 points a day", "trigger": {"kind": "event", "types": ["check_in"]},
        "effects": [{"kind": "award_points", "points": 6}]})
        .to_string();
    let page = c
        .post(
            "/console/rules/daily-check-in",
            &[("json", json_rule.as_str()), ("mode", "json")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let r = app.get("/v1/rules/daily-check-in").await;
    assert_eq!(r.body["spec"]["effects"][0]["points"], 6);
    // And the rule judges events.
    app.member("m1").await;
    let e = app.behaviour("c1", "check_in", "m1", json!({})).await;
    assert_eq!(e["points"], 6, "{e}");
    // The list shows it with what it awarded.
    let page = c.get("/console/rules").await;
    assert!(page.body.contains("data-rule=\"daily-check-in\""));
    assert!(page.body.contains("5 points a day"));
}

async fn an_invalid_condition_points_at_its_place_and_saves_nothing(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let c = Console::sign_in(&app, "marketer@brand.cn", Role::Marketer).await;
    let condition = "event.type == \"check_in\"\n  && foo > 1";
    // The API says where: line 2, column 6.
    let r = app
        .put(
            "/v1/rules/bad",
            json!({"name": "Bad", "trigger": {"kind": "event", "types": ["check_in"]},
                "condition": condition, "effects": [{"kind": "award_points", "points": 1}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let api_message = r.body["error"]["message"].as_str().unwrap_or("").to_owned();
    assert!(api_message.contains("line 2, column 6"), "{api_message}");
    // As typed: the check says the same place and puts a caret under it.
    let page = c
        .post_with("/console/rules/validate", &[("condition", condition)], true)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("Line 2, column 6: unknown variable `foo`"),
        "{}",
        page.body
    );
    assert!(page.body.contains("data-line=\"2\" data-column=\"6\""));
    assert!(
        page.body
            .contains("  &#38;&#38; foo &#62; 1\n<span class=\"field-error\">     ^</span>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("unknown variable `foo`"));
    // Leading blank lines and spaces count in the place shown (the save trims them).
    let page = c
        .post_with(
            "/console/rules/validate",
            &[("condition", "\n   1 + bar")],
            true,
        )
        .await;
    assert!(page.body.contains("Line 2, column 8"), "{}", page.body);
    let page = c
        .post_with(
            "/console/rules/validate",
            &[("condition", "event.type == \"x\"")],
            true,
        )
        .await;
    assert!(page.body.contains("The condition compiles"));
    // The form's save is refused with the error next to the condition, and nothing is saved.
    let mut fields = rule_fields("bad", "Bad", "1");
    fields.retain(|(k, _)| *k != "condition");
    fields.push(("condition", condition));
    let page = c.post("/console/rules", &fields).await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    assert!(
        page.body.contains("data-field=\"condition\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("line 2, column 6"));
    assert!(page.body.contains("data-line=\"2\" data-column=\"6\""));
    // What was typed is kept.
    assert!(page.body.contains("&#38;&#38; foo &#62; 1</textarea>"));
    assert_eq!(app.get("/v1/rules/bad").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/v1/rules").await.body["data"][0]["builtin"], true);
}

async fn two_check_in_rules(app: &TestApp) {
    let r = app
        .put(
            "/v1/rules/check-in",
            json!({"name": "Check-in", "trigger": {"kind": "event", "types": ["check_in"]},
                "effects": [{"kind": "award_points", "points": 5}],
                "limits": [{"per": "day", "count": 1}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let r = app
        .put(
            "/v1/rules/tmall-check-in",
            json!({"name": "Tmall check-in", "trigger": {"kind": "event", "types": ["check_in"]},
                "condition": "event.attributes.channel == \"tmall\"",
                "effects": [{"kind": "award_points", "points": 10}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
}

async fn simulate_shows_fired_and_not_fired_with_reasons(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    two_check_in_rules(&app).await;
    app.member("m1").await;
    let c = Console::sign_in(&app, "viewer@brand.cn", Role::Viewer).await;
    let sim = [
        ("sim_type", "check_in"),
        ("sim_member", "m1"),
        ("sim_attributes", "{\"channel\": \"jd\"}"),
    ];
    // htmx: the result alone.
    let page = c.post_with("/console/rules/simulate", &sim, true).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(!page.body.contains("<html"));
    assert!(page.body.contains("Points earned: 5"), "{}", page.body);
    assert!(page.body.contains("Fired"));
    assert!(page.body.contains("Condition false"));
    // The daily limit, with what is left of it after this check-in.
    assert!(
        page.body
            .contains("0/1 times left · rule:check-in times, per member, day"),
        "{}",
        page.body
    );
    // Without JavaScript: a page with the form and the result.
    let page = c.post("/console/rules/simulate", &sim).await;
    assert!(page.body.contains("<html"));
    assert!(page.body.contains("Points earned: 5"));
    // After a real check-in the daily limit is reached.
    app.behaviour("c1", "check_in", "m1", json!({})).await;
    let page = c
        .post_with(
            "/console/rules/simulate",
            &[(
                "sim_raw",
                r#"{"type": "check_in", "member": "m1", "attributes": {"channel": "tmall"}}"#,
            )],
            true,
        )
        .await;
    assert!(page.body.contains("Limit reached"), "{}", page.body);
    assert!(page.body.contains("Points earned: 10"), "{}", page.body);
    // An unknown member is said plainly.
    let page = c
        .post_with(
            "/console/rules/simulate",
            &[("sim_type", "check_in"), ("sim_member", "nobody")],
            true,
        )
        .await;
    assert!(page.body.contains("member_not_found"), "{}", page.body);
    // Nothing was written by the simulations.
    assert_eq!(app.available("m1").await, 5);
    // A marketer simulates the editor's draft in place of the saved rule.
    let m = Console::sign_in(&app, "marketer@brand.cn", Role::Marketer).await;
    let mut fields = rule_fields("check-in", "Check-in", "7");
    fields.retain(|(k, _)| !k.starts_with("limit_"));
    fields.extend([
        ("sim_rule", "check-in"),
        ("sim_draft", "1"),
        ("sim_type", "check_in"),
        ("sim_member", "m1"),
    ]);
    let page = m.post_with("/console/rules/simulate", &fields, true).await;
    assert!(page.body.contains("Points earned: 7"), "{}", page.body);
    assert_eq!(app.get("/v1/rules/check-in").await.body["version"], 1);
}

async fn pause_and_resume(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    two_check_in_rules(&app).await;
    let c = Console::sign_in(&app, "marketer@brand.cn", Role::Marketer).await;
    let page = c.get("/console/rules/check-in").await;
    assert!(
        page.body
            .contains("action=\"/console/rules/check-in/pause\"")
    );
    let page = c.post("/console/rules/check-in/pause", &[]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(app.get("/v1/rules/check-in").await.body["status"], "paused");
    let page = c.get("/console/rules/check-in").await;
    assert!(
        page.body
            .contains("action=\"/console/rules/check-in/resume\"")
    );
    assert!(page.body.contains("Paused"));
    let page = c.post("/console/rules/check-in/resume", &[]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get("/v1/rules/check-in").await.body["status"], "active");
    let page = c.post("/console/rules/check-in/archive", &[]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get("/v1/rules/check-in").await.body["status"],
        "archived"
    );
    // An archived rule is shown read-only.
    let page = c.get("/console/rules/check-in").await;
    assert!(!page.body.contains("id=\"rule-form\""));
    assert!(!page.body.contains("/resume\""));
    // Its API error shows as the page's error.
    let page = c.post("/console/rules/check-in/resume", &[]).await;
    assert_eq!(page.status, StatusCode::CONFLICT);
}

async fn the_versions_diff_shows_the_change(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let c = Console::sign_in(&app, "marketer@brand.cn", Role::Marketer).await;
    let page = c
        .post("/console/rules", &rule_fields("check-in", "Check-in", "5"))
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    app.advance(chrono::Duration::seconds(5));
    let page = c
        .post(
            "/console/rules/check-in",
            &rule_fields("check-in", "Check-in", "8"),
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(app.get("/v1/rules/check-in").await.body["version"], 2);
    let page = c.get("/console/rules/check-in/versions").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("v1 → v2"), "{}", page.body);
    assert!(page.body.contains("(2 lines changed)"), "{}", page.body);
    assert!(
        page.body
            .contains("<tr class=\"diff-del\"><td class=\"num muted\">"),
        "{}",
        page.body
    );
    let del = page
        .body
        .find("class=\"diff-del\"")
        .expect("a deleted line");
    let add = page.body.find("class=\"diff-add\"").expect("an added line");
    assert!(page.body[del..].contains("points&#34;: 5"));
    assert!(page.body[add..].contains("points&#34;: 8"));
    // Any two versions compare; the same one twice shows no change.
    let page = c.get("/console/rules/check-in/versions?a=2&b=2").await;
    assert!(page.body.contains("(0 lines changed)"));
}

async fn a_backtest_of_a_draft_runs_and_reports(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    app.member("m2").await;
    let r = app.purchase("e1", "m1", "o1", 19_900).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    app.purchase("e2", "m2", "o2", 5_000).await;
    app.advance(chrono::Duration::minutes(1));
    let c = Console::sign_in(&app, "marketer@brand.cn", Role::Marketer).await;
    // A draft that is never saved: double points per yuan on purchases. The test starts at
    // 16:00 in Shanghai.
    let fields = [
        ("rule_id", "double-purchase"),
        ("name", "Double"),
        ("trigger_kind", "event"),
        ("event_types", "purchase"),
        ("effect_kind", "per_yuan"),
        ("per_yuan", "2"),
        ("rounding", "floor"),
        ("other_effects", "[]"),
        ("priority", "0"),
        ("mode", "form"),
        ("bt_from", "2026-05-31T16:00"),
        ("bt_to", "2026-06-01T17:00"),
        ("bt_point_value", "1"),
    ];
    let page = c.post("/console/rules/backtest", &fields).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert!(
        page.location.starts_with("/console/rules/backtests/"),
        "{}",
        page.location
    );
    let page_path = page.location.clone();
    let page = c.get(&page_path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("/console/assets/echarts-6.1.0.min.js"));
    let progress = page_path.replacen("?", "/progress?", 1);
    let mut finished = String::new();
    for _ in 0..100 {
        let p = c.get(&progress).await;
        assert_eq!(p.status, StatusCode::OK);
        if p.body.contains("data-status=\"finished\"") {
            finished = p.body;
            break;
        }
        // Still running: the partial polls itself.
        assert!(p.body.contains("hx-trigger=\"every 1s\""), "{}", p.body);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!finished.is_empty(), "the backtest did not finish");
    // Done: it stops polling and shows the report, tables under the charts.
    assert!(!finished.contains("hx-trigger"));
    assert!(finished.contains("Done"), "{finished}");
    assert!(finished.contains("2 / 2 events"), "{finished}");
    assert!(finished.contains("id=\"bt-top\""));
    assert!(finished.contains("<td>m1</td><td class=\"num\">199</td><td class=\"num\">398</td><td class=\"num\">199</td>"), "{finished}");
    assert!(finished.contains("data-chart="));
    // Actual 249 points, the draft 498: ¥2.49 more at one fen a point.
    assert!(finished.contains("¥2.49"), "{finished}");
    let page = c.get(&page_path).await;
    assert!(page.body.contains("id=\"bt-distribution\""));
    // The draft was not saved.
    assert_eq!(
        app.get("/v1/rules/double-purchase").await.status,
        StatusCode::NOT_FOUND
    );
    // A viewer may read the report but not start one.
    let v = Console::sign_in(&app, "viewer@brand.cn", Role::Viewer).await;
    assert_eq!(v.get(&page_path).await.status, StatusCode::OK);
    assert_eq!(
        v.post("/console/rules/backtest", &fields).await.status,
        StatusCode::FORBIDDEN
    );
}

async fn a_viewer_sees_no_edit_controls_and_cannot_write(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    two_check_in_rules(&app).await;
    let before = app.get("/v1/rules/check-in").await.body;
    let c = Console::sign_in(&app, "viewer@brand.cn", Role::Viewer).await;
    let page = c.get("/console/rules").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("href=\"/console/rules/new\""));
    assert!(!page.body.contains("href=\"/console/campaigns/new\""));
    let page = c.get("/console/rules/check-in").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("id=\"rule-form\""));
    assert!(!page.body.contains("/pause\""));
    assert!(!page.body.contains("/archive\""));
    assert!(page.body.contains("id=\"rule-summary\""));
    // Forced writes answer 403 and change nothing.
    for (path, fields) in [
        (
            "/console/rules/check-in",
            rule_fields("check-in", "Hacked", "999"),
        ),
        ("/console/rules", rule_fields("new-one", "New", "1")),
        ("/console/rules/check-in/pause", Vec::new()),
        ("/console/rules/check-in/archive", Vec::new()),
        (
            "/console/campaigns",
            vec![
                ("campaign_id", "x"),
                ("name", "X"),
                ("starts_at", "2026-06-01T00:00"),
                ("ends_at", "2026-06-30T00:00"),
            ],
        ),
    ] {
        let page = c.post(path, &fields).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(app.get("/v1/rules/check-in").await.body, before);
    assert_eq!(
        app.get("/v1/rules/new-one").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get("/v1/campaigns").await.body["data"], json!([]));
    // Checking a condition changes nothing: a viewer may.
    let page = c
        .post_with("/console/rules/validate", &[("condition", "1 +")], true)
        .await;
    assert_eq!(page.status, StatusCode::OK);
}

async fn support_may_not_write_rules(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    two_check_in_rules(&app).await;
    let before = app.get("/v1/rules/check-in").await.body;
    let c = Console::sign_in(&app, "support@brand.cn", Role::Support).await;
    assert_eq!(
        c.get("/console/rules/check-in").await.status,
        StatusCode::OK
    );
    for path in [
        "/console/rules/check-in",
        "/console/rules",
        "/console/rules/check-in/pause",
        "/console/rules/check-in/resume",
    ] {
        let page = c
            .post(path, &rule_fields("check-in", "Support's", "50"))
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(app.get("/v1/rules/check-in").await.body, before);
}

async fn campaigns_with_period_and_budget(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let c = Console::sign_in(&app, "marketer@brand.cn", Role::Marketer).await;
    let campaign = [
        ("campaign_id", "618"),
        ("name", "6.18"),
        ("starts_at", "2026-06-01T00:00"),
        ("ends_at", "2026-06-19T00:00"),
        ("budget", "100"),
        ("member_cap", ""),
    ];
    let page = c.post("/console/campaigns", &campaign).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let r = app.get("/v1/campaigns/618").await;
    assert_eq!(r.body["spec"]["budget"], 100);
    // Read in the program's zone (Shanghai, UTC+8).
    assert_eq!(r.body["spec"]["starts_at"], "2026-05-31T16:00:00Z");
    // A rule of the campaign, through the form, and an order that uses a quarter of the budget.
    let mut fields = rule_fields("618-bonus", "6.18 bonus", "25");
    fields.retain(|(k, _)| !k.starts_with("limit_") && *k != "event_types");
    fields.push(("event_types", "purchase"));
    fields.push(("campaign", "618"));
    let page = c.post("/console/rules", &fields).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    app.member("m1").await;
    app.purchase("e1", "m1", "o1", 100).await;
    let page = c.get("/console/campaigns/618").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("aria-valuenow=\"25\""), "{}", page.body);
    assert!(page.body.contains("25 / 100 (25%)"));
    assert!(page.body.contains("href=\"/console/rules/618-bonus\""));
    assert!(
        page.body
            .contains("hx-get=\"/console/history/campaign/618\"")
    );
    let page = c.get("/console/rules").await;
    assert!(page.body.contains("data-campaign=\"618\""));
    assert!(page.body.contains("2026-06-01 00:00 – 2026-06-19 00:00"));
    // A change of budget; an end before the start is the API's error, next to its field.
    let mut change = campaign.to_vec();
    change.retain(|(k, _)| *k != "budget");
    change.push(("budget", "200"));
    let page = c.post("/console/campaigns/618", &change).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(
        app.get("/v1/campaigns/618").await.body["spec"]["budget"],
        200
    );
    let mut bad = change.clone();
    bad.retain(|(k, _)| *k != "ends_at");
    bad.push(("ends_at", "2026-05-01T00:00"));
    let page = c.post("/console/campaigns/618", &bad).await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    assert!(
        page.body.contains("data-field=\"ends_at\""),
        "{}",
        page.body
    );
    assert_eq!(
        app.get("/v1/campaigns/618").await.body["spec"]["ends_at"],
        "2026-06-18T16:00:00Z"
    );
}

async fn the_list_filters_by_status_and_campaign(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    two_check_in_rules(&app).await;
    app.post("/v1/rules/tmall-check-in/pause", json!({})).await;
    let c = Console::sign_in(&app, "owner@brand.cn", Role::Owner).await;
    let page = c.get("/console/rules?status=paused").await;
    assert!(page.body.contains("data-rule=\"tmall-check-in\""));
    assert!(!page.body.contains("data-rule=\"check-in\""));
    let page = c.get("/console/rules?status=active").await;
    assert!(page.body.contains("data-rule=\"check-in\""));
    assert!(!page.body.contains("data-rule=\"tmall-check-in\""));
    let page = c.get("/console/rules?campaign=none-such").await;
    assert!(!page.body.contains("data-rule="));
    // In Chinese by default.
    let zh = Console {
        cookie: c.cookie.replace("; jifen_lang=en", ""),
        base: c.base.clone(),
        client: c.client.clone(),
        csrf: c.csrf.clone(),
    };
    let page = zh.get("/console/rules").await;
    assert!(page.body.contains("规则与活动"));
    assert!(page.body.contains("触发次数"));
}
