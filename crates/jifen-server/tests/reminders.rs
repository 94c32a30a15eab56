//! Reminders end to end, on both backends: the program's settings and their validation; the
//! scheduler driven by the test clock across quiet hours, day and week boundaries and caps;
//! one reminder per lot-expiry date; a second pass, or a second node on the same database,
//! writes nothing twice; every kind written to the notification outbox with the data its
//! template needs.

mod common;

use std::sync::Arc;

use chrono::Duration;
use common::console::{browser_operator, owner};
use common::portal::{enter, field};
use common::{TestApp, TestBackend, t};
use jifen_store::console::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

jifen_store::backend_tests! {
    settings_have_defaults_and_refuse_bad_input => super::settings_have_defaults_and_refuse_bad_input;
    quiet_hours_hold_reminders_until_morning => super::quiet_hours_hold_reminders_until_morning;
    caps_carry_reminders_to_the_next_day_and_week => super::caps_carry_reminders_to_the_next_day_and_week;
    every_kind_carries_its_data => super::every_kind_carries_its_data;
    two_nodes_write_each_reminder_once => super::two_nodes_write_each_reminder_once;
    streaks_and_unclaimed_gifts_are_reminded => super::streaks_and_unclaimed_gifts_are_reminded;
    a_tier_short_before_its_review_is_reminded => super::a_tier_short_before_its_review_is_reminded;
    preferences_are_kept_with_their_consent_history => super::preferences_are_kept_with_their_consent_history;
    opted_out_channels_get_nothing_and_erasure_stops_reminders => super::opted_out_channels_get_nothing_and_erasure_stops_reminders;
    the_preview_counts_a_day_without_writing => super::the_preview_counts_a_day_without_writing;
    the_console_saves_settings_and_previews_tomorrow => super::the_console_saves_settings_and_previews_tomorrow;
    the_portal_toggles_kinds_and_channels => super::the_portal_toggles_kinds_and_channels;
}

impl TestApp {
    async fn remind(&self, settings: Value) {
        let r = self.put("/v1/reminders/settings", settings).await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
    }

    async fn run_jobs(&self) -> usize {
        jifen_server::jobs::run_once(&self.state)
            .await
            .expect("jobs")
            .reminders_sent
    }

    /// The reminders of the outbox, oldest first.
    async fn reminders_sent(&self) -> Vec<Value> {
        let mut all = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let path = match &after {
                Some(a) => format!("/v1/notifications?limit=200&after={a}"),
                None => "/v1/notifications?limit=200".to_owned(),
            };
            let r = self.get(&path).await;
            assert_eq!(r.status, StatusCode::OK, "{r:?}");
            all.extend(
                r.body["data"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|n| n["rule_id"] == "reminders")
                    .cloned(),
            );
            match r.body["next"].as_str() {
                Some(n) => after = Some(n.to_owned()),
                None => break,
            }
        }
        all.reverse();
        all
    }
}

async fn settings_have_defaults_and_refuse_bad_input(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let r = app.get("/v1/reminders/settings").await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(
        r.body["quiet_hours"],
        json!({"start": "22:00", "end": "08:00"})
    );
    assert_eq!(r.body["caps"], json!({"per_day": 2, "per_week": 6}));
    assert_eq!(r.body["points_expiring"]["enabled"], false);
    assert_eq!(r.body["points_expiring"]["days_ahead"], 7);
    assert_eq!(r.body["streak_at_risk"]["hour"], 20);
    assert_eq!(r.body["gift_unclaimed"]["after_hours"], 24);

    let good = json!({
        "points_expiring": {"enabled": true, "days_ahead": 5,
                            "templates": {"wechat": "wx_points_expiring", "sms": "SMS_881"}},
        "birthday": {"enabled": true, "days_ahead": 3, "gift": "生日蛋糕券",
                     "templates": {"push": "birthday"}},
        "quiet_hours": {"start": "21:30", "end": "09:00"},
        "caps": {"per_day": 1, "per_week": 3}
    });
    let r = app.put("/v1/reminders/settings", good.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["birthday"]["gift"], "生日蛋糕券");
    assert_eq!(r.body["voucher_expiring"]["enabled"], false);
    let saved = app.get("/v1/reminders/settings").await.body;
    assert_eq!(saved, r.body);
    assert_eq!(saved["points_expiring"]["templates"]["sms"], "SMS_881");

    let bad = [
        (json!({"birthday": {"enabled": true}}), "birthday.templates"),
        (
            json!({"streak_at_risk": {"hour": 24, "templates": {"sms": "s"}}}),
            "streak_at_risk.hour",
        ),
        (
            json!({"points_expiring": {"days_ahead": 0}}),
            "points_expiring.days_ahead",
        ),
        (
            json!({"caps": {"per_day": 5, "per_week": 4}}),
            "caps.per_week",
        ),
        (json!({"caps": {"per_day": 0}}), "caps.per_day"),
        (
            json!({"quiet_hours": {"start": "08:00", "end": "08:00"}}),
            "quiet_hours.end",
        ),
        (
            json!({"gift_unclaimed": {"templates": {"wechat": " padded"}}}),
            "gift_unclaimed.templates.wechat",
        ),
    ];
    for (body, field) in bad {
        let r = app.put("/v1/reminders/settings", body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {r:?}");
        assert_eq!(r.body["error"]["field"], field, "{body}: {r:?}");
    }
    // Unknown kinds, channels and fields, and malformed times, are refused too.
    for body in [
        json!({"newsletter": {"enabled": true}}),
        json!({"birthday": {"templates": {"email": "x"}}}),
        json!({"quiet_hours": {"start": "7:00", "end": "08:00"}}),
        json!({"caps": {"per_month": 3}}),
    ] {
        let r = app.put("/v1/reminders/settings", body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {r:?}");
    }
    // Nothing of the refused bodies was saved.
    assert_eq!(app.get("/v1/reminders/settings").await.body, saved);
    // No quiet hours at all.
    let r = app
        .put("/v1/reminders/settings", json!({"quiet_hours": null}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["quiet_hours"], Value::Null);
}

/// Points earned now (1 a yuan), expiring 30 days later.
async fn earn(app: &TestApp, id: &str, member: &str, amount: i64) {
    let r = app.purchase(id, member, id, amount).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
}

async fn quiet_hours_hold_reminders_until_morning(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.set_policy(json!({"expiry": {"kind": "rolling_days", "days": 30}}))
        .await;
    app.member("m1").await;
    app.member("m2").await;
    // Two lots of m1 expire on the same local date (2026-07-01), one hour apart.
    earn(&app, "p1", "m1", 10_000).await;
    app.advance(Duration::hours(1));
    earn(&app, "p2", "m1", 5_000).await;
    earn(&app, "p3", "m2", 2_000).await;
    app.remind(json!({
        "points_expiring": {"enabled": true, "days_ahead": 7,
                            "templates": {"wechat": "wx_exp", "sms": "SMS_EXP"}}
    }))
    .await;

    // 23:00 in Shanghai, 6 days and 17 hours before the first lot expires: quiet.
    app.clock.set(t("2026-06-24T15:00:00Z"));
    assert_eq!(app.run_jobs().await, 0);
    assert!(app.reminders_sent().await.is_empty());
    // 07:59: still quiet.
    app.clock.set(t("2026-06-24T23:59:00Z"));
    assert_eq!(app.run_jobs().await, 0);
    // 08:00: the window ends and what waited goes out, once per member, date and channel.
    app.clock.set(t("2026-06-25T00:00:00Z"));
    assert_eq!(app.run_jobs().await, 4);
    let sent = app.reminders_sent().await;
    assert_eq!(sent.len(), 4, "{sent:#?}");
    let m1: Vec<&Value> = sent.iter().filter(|n| n["member"] == "m1").collect();
    assert_eq!(m1.len(), 2);
    for n in &m1 {
        assert_eq!(n["payload"]["reason"], "points_expiring");
        assert_eq!(n["payload"]["data"]["points"], 150);
        assert_eq!(n["payload"]["data"]["expires_on"], "2026-07-01");
        assert_eq!(
            n["cause"].as_str().unwrap().split(':').nth(2),
            Some("2026-07-01")
        );
    }
    let mut channels: Vec<(&str, &str)> = m1
        .iter()
        .map(|n| {
            (
                n["payload"]["channel"].as_str().unwrap(),
                n["kind"].as_str().unwrap(),
            )
        })
        .collect();
    channels.sort();
    assert_eq!(channels, [("sms", "SMS_EXP"), ("wechat", "wx_exp")]);
    // Running again, an hour later, or the next day, sends nothing more for that date.
    assert_eq!(app.run_jobs().await, 0);
    app.advance(Duration::hours(26));
    assert_eq!(app.run_jobs().await, 0);
    assert_eq!(app.reminders_sent().await.len(), 4);
}

async fn caps_carry_reminders_to_the_next_day_and_week(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.set_policy(json!({"expiry": {"kind": "rolling_days", "days": 30}}))
        .await;
    app.member("m1").await;
    // Lots expiring on three dates: 2026-07-01, 07-02, 07-03 (Wednesday to Friday).
    for day in 0..3 {
        earn(&app, &format!("p{day}"), "m1", 1_000).await;
        app.advance(Duration::days(1));
    }
    app.remind(json!({
        "points_expiring": {"enabled": true, "days_ahead": 8, "templates": {"wechat": "wx_exp"}},
        "caps": {"per_day": 1, "per_week": 2}
    }))
    .await;
    // Friday 2026-06-26 10:00: all three due; one a day.
    app.clock.set(t("2026-06-26T02:00:00Z"));
    assert_eq!(app.run_jobs().await, 1);
    assert_eq!(app.run_jobs().await, 0);
    // 23:59 Friday: the day's cap still holds.
    app.clock.set(t("2026-06-26T15:59:00Z"));
    assert_eq!(app.run_jobs().await, 0);
    // Saturday 07:00: a new day, but quiet hours.
    app.clock.set(t("2026-06-26T23:00:00Z"));
    assert_eq!(app.run_jobs().await, 0);
    // Saturday 08:00: the second goes; the week's cap (2) is now reached.
    app.clock.set(t("2026-06-27T00:00:00Z"));
    assert_eq!(app.run_jobs().await, 1);
    // Sunday: same week.
    app.clock.set(t("2026-06-28T04:00:00Z"));
    assert_eq!(app.run_jobs().await, 0);
    // Monday 08:00: a new week.
    app.clock.set(t("2026-06-29T00:00:00Z"));
    assert_eq!(app.run_jobs().await, 1);
    let dates: Vec<Value> = app
        .reminders_sent()
        .await
        .iter()
        .map(|n| n["payload"]["data"]["expires_on"].clone())
        .collect();
    assert_eq!(
        dates,
        [
            json!("2026-07-01"),
            json!("2026-07-02"),
            json!("2026-07-03")
        ]
    );
    let at: Vec<Value> = app
        .reminders_sent()
        .await
        .iter()
        .map(|n| n["created_at"].clone())
        .collect();
    assert_eq!(
        at,
        [
            json!("2026-06-26T02:00:00Z"),
            json!("2026-06-27T00:00:00Z"),
            json!("2026-06-29T00:00:00Z")
        ]
    );
}

async fn every_kind_carries_its_data(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    // A birthday three days after START, a streak of check-ins, a voucher expiring, a gift.
    let r = app
        .put(
            "/v1/members/m1",
            json!({"name": "Mei", "birthday": "1990-06-04"}),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");
    app.member("m2").await;
    let r = app
        .put(
            "/v1/voucher-templates/coffee",
            json!({"title": {"zh-CN": "咖啡券", "en": "Coffee"},
                   "discount": {"kind": "amount", "off": 500},
                   "validity": {"days": 2}}),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");
    let r = app
        .post(
            "/v1/members/m1/vouchers",
            json!({"id": "v1", "template": "coffee"}),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");
    let code = r.body["code"].as_str().unwrap().to_owned();
    app.remind(json!({
        "birthday": {"enabled": true, "days_ahead": 3, "gift": "生日蛋糕券",
                     "templates": {"wechat": "wx_birthday"}},
        "voucher_expiring": {"enabled": true, "days_ahead": 3,
                             "templates": {"sms": "SMS_VOUCHER"}},
        "quiet_hours": null,
        "caps": {"per_day": 10, "per_week": 20}
    }))
    .await;
    assert_eq!(app.run_jobs().await, 2);
    let sent = app.reminders_sent().await;
    let of = |reason: &str| {
        sent.iter()
            .find(|n| n["payload"]["reason"] == reason)
            .cloned()
            .unwrap_or_else(|| panic!("no {reason} in {sent:#?}"))
    };
    let birthday = of("birthday");
    assert_eq!(birthday["member"], "m1");
    assert_eq!(birthday["kind"], "wx_birthday");
    assert_eq!(birthday["payload"]["data"]["birthday_on"], "2026-06-04");
    assert_eq!(birthday["payload"]["data"]["gift"], "生日蛋糕券");
    assert_eq!(birthday["payload"]["cause"], "2026");
    let voucher = of("voucher_expiring");
    assert_eq!(voucher["payload"]["channel"], "sms");
    assert_eq!(voucher["payload"]["data"]["voucher"], code.as_str());
    assert_eq!(voucher["payload"]["data"]["template"], "coffee");
    // A day later nothing repeats: the birthday is once a year, the voucher once per code.
    app.advance(Duration::days(1));
    assert_eq!(app.run_jobs().await, 0);
}

async fn two_nodes_write_each_reminder_once(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.set_policy(json!({"expiry": {"kind": "rolling_days", "days": 30}}))
        .await;
    for i in 0..40 {
        let m = format!("m{i}");
        app.member(&m).await;
        earn(&app, &format!("p{i}"), &m, 1_000).await;
    }
    app.advance(Duration::days(1));
    for i in 0..40 {
        earn(&app, &format!("q{i}"), &format!("m{i}"), 1_000).await;
    }
    app.remind(json!({
        "points_expiring": {"enabled": true, "days_ahead": 10,
                            "templates": {"wechat": "wx_exp", "push": "push_exp"}},
        "caps": {"per_day": 1, "per_week": 6}
    }))
    .await;
    // A second node: its own connections to the same database, the same clock.
    let store = jifen_store::connect(app.database_url(), &jifen_store::ConnectOptions::default())
        .await
        .expect("second node");
    let other = jifen_server::AppState::new(store, Arc::new(app.clock.clone()));
    app.clock.set(t("2026-06-24T02:00:00Z"));
    for _ in 0..3 {
        let (a, b) = tokio::join!(
            jifen_server::jobs::run_once(&app.state),
            jifen_server::jobs::run_once(&other)
        );
        a.expect("node a");
        b.expect("node b");
    }
    // One a day per channel: 40 members × 2 channels today, the second dates tomorrow.
    let sent = app.reminders_sent().await;
    assert_eq!(sent.len(), 80);
    app.clock.set(t("2026-06-25T02:00:00Z"));
    let (a, b) = tokio::join!(
        jifen_server::jobs::run_once(&app.state),
        jifen_server::jobs::run_once(&other)
    );
    assert_eq!(
        a.expect("a").reminders_sent + b.expect("b").reminders_sent,
        80
    );
    let sent = app.reminders_sent().await;
    assert_eq!(sent.len(), 160);
    let mut keys: Vec<String> = sent
        .iter()
        .map(|n| format!("{}/{}", n["member"], n["cause"]))
        .collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 160, "a reminder was written twice");
}

async fn preferences_are_kept_with_their_consent_history(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    let path = "/v1/members/m1/notification-preferences";
    let r = app.get(path).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let all = r.body["preferences"].as_array().unwrap();
    assert_eq!(all.len(), 18);
    assert!(
        all.iter()
            .all(|p| p["enabled"] == true && p["source"].is_null())
    );

    let off = json!({"preferences": [
        {"kind": "birthday", "channel": "sms", "enabled": false},
        {"kind": "points_expiring", "channel": "wechat", "enabled": true}
    ], "source": "portal"});
    let r = app.put(path, off.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let find = |body: &Value, kind: &str, channel: &str| {
        body["preferences"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["kind"] == kind && p["channel"] == channel)
            .cloned()
            .unwrap()
    };
    let p = find(&r.body, "birthday", "sms");
    assert_eq!(p["enabled"], false);
    assert_eq!(p["source"], "portal");
    assert_eq!(p["updated_at"], json!(app.now()));
    // Asking for what already holds changed nothing, and recorded nothing.
    assert!(find(&r.body, "points_expiring", "wechat")["source"].is_null());
    let consents = app.get("/v1/members/m1/consents").await.body;
    let records = consents["data"].as_array().unwrap();
    assert_eq!(records.len(), 1, "{consents}");
    assert_eq!(records[0]["purpose"], "reminders.birthday");
    assert_eq!(records[0]["channel"], "sms");
    assert_eq!(records[0]["granted"], false);
    assert_eq!(records[0]["source"], "portal");
    // The same request again (a retry) records nothing more.
    app.advance(Duration::minutes(5));
    assert_eq!(app.put(path, off).await.status, StatusCode::OK);
    assert_eq!(
        app.get("/v1/members/m1/consents").await.body["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Turning it back on appends a second record; the source defaults to the API.
    let r = app
        .put(
            path,
            json!({"preferences": [{"kind": "birthday", "channel": "sms", "enabled": true}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(find(&r.body, "birthday", "sms")["source"], "api");
    let records = app.get("/v1/members/m1/consents").await.body["data"].clone();
    assert_eq!(records.as_array().unwrap().len(), 2);
    assert_eq!(records[0]["granted"], true);
    assert_eq!(records[0]["source"], "api");

    // Bad requests change nothing.
    let before = app.get(path).await.body;
    for (body, field) in [
        (json!({"preferences": []}), "preferences"),
        (
            json!({"preferences": [{"kind": "birthday", "channel": "sms", "enabled": false}],
                   "source": "call_centre"}),
            "source",
        ),
        (
            json!({"preferences": [{"kind": "birthday", "channel": "sms", "enabled": false},
                                   {"kind": "birthday", "channel": "sms", "enabled": true}]}),
            "preferences[1]",
        ),
    ] {
        let r = app.put(path, body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {r:?}");
        assert_eq!(r.body["error"]["field"], field, "{body}: {r:?}");
    }
    for body in [
        json!({"preferences": [{"kind": "newsletter", "channel": "sms", "enabled": false}]}),
        json!({"preferences": [{"kind": "birthday", "channel": "email", "enabled": false}]}),
        json!({"preferences": [{"kind": "birthday", "channel": "sms"}]}),
    ] {
        let r = app.put(path, body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {r:?}");
    }
    assert_eq!(app.get(path).await.body, before);
    let r = app.get("/v1/members/nobody/notification-preferences").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:?}");
    let r = app
        .put(
            "/v1/members/nobody/notification-preferences",
            json!({"preferences": [{"kind": "birthday", "channel": "sms", "enabled": false}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:?}");

    // The member's export holds the preferences.
    let export = app.get("/v1/members/m1/export").await;
    assert_eq!(export.status, StatusCode::OK, "{export:?}");
    let rows = export.body["records"]["notification_preferences"]
        .as_array()
        .unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["kind"], "birthday");
}

async fn opted_out_channels_get_nothing_and_erasure_stops_reminders(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.set_policy(json!({"expiry": {"kind": "rolling_days", "days": 30}}))
        .await;
    for m in ["m1", "m2"] {
        app.member(m).await;
        earn(&app, &format!("p-{m}"), m, 1_000).await;
    }
    app.remind(json!({
        "points_expiring": {"enabled": true, "days_ahead": 7,
                            "templates": {"wechat": "wx_exp", "sms": "SMS_EXP"}}
    }))
    .await;
    // m1 wants no SMS about expiring points.
    let r = app
        .put(
            "/v1/members/m1/notification-preferences",
            json!({"preferences": [{"kind": "points_expiring", "channel": "sms", "enabled": false}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    // 23:00: recorded, waiting for the morning.
    app.clock.set(t("2026-06-25T15:00:00Z"));
    assert_eq!(app.run_jobs().await, 0);
    // Meanwhile m1 turns WeChat off too, and m2 is erased.
    let r = app
        .put(
            "/v1/members/m1/notification-preferences",
            json!({"preferences": [{"kind": "points_expiring", "channel": "wechat", "enabled": false}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let r = app
        .send_as(
            Some(&app.key),
            reqwest::Method::POST,
            "/v1/members/m2/erase",
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    app.clock.set(t("2026-06-26T00:00:00Z"));
    assert_eq!(app.run_jobs().await, 0);
    assert!(app.reminders_sent().await.is_empty());
    // m1 turns WeChat on again: the next pass records and sends it, SMS stays off.
    let r = app
        .put(
            "/v1/members/m1/notification-preferences",
            json!({"preferences": [{"kind": "points_expiring", "channel": "wechat", "enabled": true}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(
        app.run_jobs().await,
        0,
        "the opted-out reminder was skipped, not revived"
    );
}

async fn the_preview_counts_a_day_without_writing(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.set_policy(json!({"expiry": {"kind": "rolling_days", "days": 30}}))
        .await;
    for i in 0..3 {
        let m = format!("m{i}");
        app.member(&m).await;
        earn(&app, &format!("p{i}"), &m, 1_000 * (i + 1)).await;
    }
    let r = app
        .put(
            "/v1/members/m2",
            json!({"name": "Lan", "birthday": "1990-06-26"}),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");
    app.remind(json!({
        "points_expiring": {"enabled": true, "days_ahead": 7,
                            "templates": {"wechat": "wx_exp", "sms": "SMS_EXP"}},
        "birthday": {"enabled": true, "days_ahead": 1, "templates": {"push": "birthday"}},
        "caps": {"per_day": 1, "per_week": 6}
    }))
    .await;
    let r = app
        .put(
            "/v1/members/m0/notification-preferences",
            json!({"preferences": [{"kind": "points_expiring", "channel": "sms", "enabled": false}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    // The day before: nothing expires within 7 days of 2026-06-23 08:00.
    let r = app.get("/v1/reminders/preview?date=2026-06-23").await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["total"], 0);
    // 2026-06-25: three members' points on WeChat, two on SMS (m0 opted out), and m2's
    // birthday tomorrow by push.
    let r = app.get("/v1/reminders/preview?date=2026-06-25").await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["evaluated_at"], "2026-06-25T00:00:00Z");
    assert_eq!(r.body["total"], 6, "{r:?}");
    assert_eq!(r.body["by_kind"]["points_expiring"], 5);
    assert_eq!(r.body["by_kind"]["birthday"], 1);
    assert_eq!(r.body["by_kind"]["voucher_expiring"], 0);
    assert_eq!(
        r.body["by_channel"],
        json!({"wechat": 3, "sms": 2, "push": 1})
    );
    assert_eq!(r.body["held_by_caps"], 0);
    let sample = r.body["sample"].as_array().unwrap();
    assert_eq!(sample.len(), 6);
    assert_eq!(sample[0]["member"], "m0");
    assert_eq!(sample[0]["data"]["points"], 10);
    // Nothing was written.
    assert!(app.reminders_sent().await.is_empty());
    // Tomorrow (the default) from 2026-06-24 16:00 is the same day.
    let r = app.get("/v1/reminders/preview").await;
    assert_eq!(r.body["date"], "2026-06-02");
    app.clock.set(t("2026-06-24T08:00:00Z"));
    let r = app.get("/v1/reminders/preview").await;
    assert_eq!(r.body["date"], "2026-06-25");
    assert_eq!(r.body["total"], 6);
    // And on that day, the scheduler sends what the preview said.
    app.clock.set(t("2026-06-25T00:00:00Z"));
    assert_eq!(app.run_jobs().await, 6);
    // Sends of earlier days count against a later day's weekly cap: m0's WeChat reminder of
    // Thursday leaves no room on Friday at one a week.
    let r = app
        .put(
            "/v1/voucher-templates/cup",
            json!({"title": {"zh-CN": "杯子券"}, "discount": {"kind": "amount", "off": 500},
                   "validity": {"days": 2}}),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");
    let r = app
        .post(
            "/v1/members/m0/vouchers",
            json!({"id": "cup-1", "template": "cup"}),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");
    for (per_week, total, held) in [(1, 0, 1), (6, 1, 0)] {
        app.remind(json!({
            "voucher_expiring": {"enabled": true, "days_ahead": 3, "templates": {"wechat": "wx_cup"}},
            "caps": {"per_day": 1, "per_week": per_week}
        }))
        .await;
        let r = app.get("/v1/reminders/preview?date=2026-06-26").await;
        assert_eq!(
            (&r.body["total"], &r.body["held_by_caps"]),
            (&json!(total), &json!(held)),
            "per week {per_week}: {r:?}"
        );
    }
    // Bad dates are refused.
    for bad in ["2026-6-25", "tomorrow", "2026-02-30"] {
        let r = app.get(&format!("/v1/reminders/preview?date={bad}")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {r:?}");
        assert_eq!(r.body["error"]["field"], "date");
    }
}

async fn the_console_saves_settings_and_previews_tomorrow(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.set_policy(json!({"expiry": {"kind": "rolling_days", "days": 30}}))
        .await;
    app.member("m1").await;
    earn(&app, "p1", "m1", 1_000).await;
    app.clock.set(t("2026-06-24T08:00:00Z"));
    let boss = owner(&app).await;
    let (status, page) = boss.get("/console/reminders").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains(r#"href="/console/reminders""#),
        "in the navigation"
    );
    assert!(page.contains(r#"id="preview-total">0<"#), "{page}");
    assert!(page.contains("22:00–08:00"), "{page}");
    // Refused settings: shown with the field, nothing saved.
    let bad = json!({"points_expiring": {"enabled": true}});
    let (status, page) = boss
        .post("/console/reminders", &[("raw", &bad.to_string())])
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains(r#"id="error-raw""#), "{page}");
    assert!(page.contains("points_expiring.templates"), "{page}");
    assert_eq!(
        app.get("/v1/reminders/settings").await.body["points_expiring"]["enabled"],
        false
    );
    let good = json!({"points_expiring": {"enabled": true, "templates": {"wechat": "wx_exp"}}});
    let (status, page) = boss
        .post("/console/reminders", &[("raw", &good.to_string())])
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Saved."), "{page}");
    assert!(page.contains(r#"id="preview-date">2026-06-25<"#), "{page}");
    assert!(page.contains(r#"id="preview-total">1<"#), "{page}");
    assert!(page.contains(r#"data-kind="points_expiring">1<"#), "{page}");
    assert!(page.contains("wx_exp"), "{page}");
    // The preview wrote nothing.
    assert!(app.reminders_sent().await.is_empty());
    // A viewer sees the page and cannot save.
    browser_operator(&app, "viewer@example.com", Role::Viewer).await;
    let viewer = common::console::Browser::sign_in(
        &app,
        "viewer@example.com",
        common::console::BROWSER_PASSWORD,
    )
    .await;
    let (status, page) = viewer.get("/console/reminders").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("readonly"), "{page}");
    let (status, _) = viewer.post("/console/reminders", &[("raw", "{}")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get("/v1/reminders/settings").await.body["points_expiring"]["enabled"],
        true
    );
}

async fn the_portal_toggles_kinds_and_channels(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    app.member("m1").await;
    let m = enter(&app, "m1", json!({})).await;
    let home = m.get(&app, "").await;
    assert!(
        home.html.contains(r#"id="notifications-link""#),
        "{}",
        home.html
    );
    let page = m.get(&app, "notifications").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(
        page.html.contains(r#"id="birthday.sms" checked"#),
        "{}",
        page.html
    );
    let csrf = field(&page.html, "csrf");
    // Every box checked but birthday by SMS.
    let mut boxes: Vec<(String, String)> = Vec::new();
    for kind in [
        "points_expiring",
        "streak_at_risk",
        "tier_requalification",
        "birthday",
        "voucher_expiring",
        "gift_unclaimed",
    ] {
        for channel in ["wechat", "sms", "push"] {
            if (kind, channel) != ("birthday", "sms") {
                boxes.push((format!("{kind}.{channel}"), "on".into()));
            }
        }
    }
    let mut fields: Vec<(&str, &str)> = vec![("csrf", &csrf)];
    fields.extend(boxes.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let saved = m.post(&app, "notifications", &fields).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.html);
    assert!(saved.html.contains(r#"id="result""#), "{}", saved.html);
    assert!(
        saved.html.contains(r#"id="birthday.sms">"#),
        "{}",
        saved.html
    );
    let prefs = app
        .get("/v1/members/m1/notification-preferences")
        .await
        .body;
    let off: Vec<&Value> = prefs["preferences"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["enabled"] == false)
        .collect();
    assert_eq!(off.len(), 1, "{prefs}");
    assert_eq!(off[0]["kind"], "birthday");
    assert_eq!(off[0]["source"], "portal");
    let consents = app.get("/v1/members/m1/consents").await.body;
    assert_eq!(consents["data"].as_array().unwrap().len(), 1, "{consents}");
    assert_eq!(consents["data"][0]["source"], "portal");
    // Saved again unchanged: nothing more recorded.
    let again = m.post(&app, "notifications", &fields).await;
    assert_eq!(again.status, StatusCode::OK);
    let consents = app.get("/v1/members/m1/consents").await.body;
    assert_eq!(consents["data"].as_array().unwrap().len(), 1);
    // In English too.
    let en = m.get(&app, "notifications?lang=en").await;
    assert_eq!(en.status, StatusCode::OK, "{}", en.html);
    assert!(en.html.contains("Birthday wishes and gift"), "{}", en.html);
}

async fn streaks_and_unclaimed_gifts_are_reminded(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    common::portal::check_in_rules(&app).await;
    app.member("m1").await;
    app.member("m2").await;
    // m1 checks in on 2026-06-01 (16:00 in Shanghai); m2 never does.
    app.behaviour("c1", "check_in", "m1", json!({})).await;
    // m2 offers a voucher to a friend (no recipient named) for 48 hours.
    let r = app
        .put(
            "/v1/voucher-templates/tea",
            json!({"title": {"zh-CN": "奶茶券", "en": "Milk tea"},
                   "discount": {"kind": "amount", "off": 800}}),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");
    let r = app
        .post(
            "/v1/members/m2/vouchers",
            json!({"id": "v1", "template": "tea"}),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");
    let code = r.body["code"].as_str().unwrap().to_owned();
    let r = app
        .post(
            &format!("/v1/members/m2/vouchers/{code}/gift"),
            json!({"id": "share-1", "hours": 48}),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");
    app.remind(json!({
        "streak_at_risk": {"enabled": true, "hour": 20, "templates": {"push": "streak"}},
        "gift_unclaimed": {"enabled": true, "after_hours": 24, "templates": {"wechat": "wx_gift"}}
    }))
    .await;
    // 2026-06-02 19:00: the streak's hour has not come, and the gift is 27 hours old.
    app.clock.set(t("2026-06-02T11:00:00Z"));
    assert_eq!(app.run_jobs().await, 1);
    let sent = app.reminders_sent().await;
    assert_eq!(sent[0]["payload"]["reason"], "gift_unclaimed");
    assert_eq!(sent[0]["member"], "m2");
    assert_eq!(sent[0]["payload"]["data"]["to"], "sender");
    // 20:00: checked in yesterday, not yet today.
    app.clock.set(t("2026-06-02T12:00:00Z"));
    assert_eq!(app.run_jobs().await, 1);
    let sent = app.reminders_sent().await;
    assert_eq!(sent[1]["payload"]["reason"], "streak_at_risk");
    assert_eq!(sent[1]["member"], "m1");
    assert_eq!(sent[1]["payload"]["data"]["streak"], "check_in");
    assert_eq!(sent[1]["payload"]["data"]["day"], "2026-06-02");
    // m1 checks in: the next evening is a new day, and the streak is at risk again.
    app.behaviour("c2", "check_in", "m1", json!({})).await;
    assert_eq!(app.run_jobs().await, 0);
    app.clock.set(t("2026-06-03T12:30:00Z"));
    assert_eq!(app.run_jobs().await, 1);
    assert_eq!(
        app.reminders_sent().await[2]["payload"]["data"]["day"],
        "2026-06-03"
    );
}

async fn a_tier_short_before_its_review_is_reminded(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let r = app
        .put(
            "/v1/tier-policy",
            json!({"basis": {"kind": "spend", "window": {"kind": "rolling_days", "days": 20}},
                   "requalification": {"kind": "after_upgrade", "days": 30},
                   "tiers": [{"id": "silver", "name": "Silver", "threshold": 0},
                             {"id": "gold", "name": "Gold", "threshold": 50000}]}),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");
    app.member("m1").await;
    app.member("m2").await;
    // m1 spends ¥500 on 2026-06-01 and reaches Gold, reviewed 30 days later.
    earn(&app, "p1", "m1", 50_000).await;
    let tiers = app.get("/v1/members/m1/tiers").await;
    assert_eq!(tiers.body["standing"]["tier"]["id"], "gold", "{tiers:?}");
    app.remind(json!({
        "tier_requalification": {"enabled": true, "days_before": 14,
                                 "templates": {"sms": "SMS_TIER"}}
    }))
    .await;
    // Fifteen days before the review: not yet.
    app.clock.set(t("2026-06-16T02:00:00Z"));
    assert_eq!(app.run_jobs().await, 0);
    // Ten days before: the spend of the last 20 days (the ¥500 of 1 June) keeps the tier.
    app.clock.set(t("2026-06-21T02:00:00Z"));
    assert_eq!(app.run_jobs().await, 0);
    // Five days before: the ¥500 left the window; all of it is missing.
    app.clock.set(t("2026-06-26T02:00:00Z"));
    assert_eq!(app.run_jobs().await, 1);
    let sent = app.reminders_sent().await;
    let data = &sent[0]["payload"]["data"];
    assert_eq!(sent[0]["member"], "m1");
    assert_eq!(sent[0]["kind"], "SMS_TIER");
    assert_eq!(data["tier"], "gold");
    assert_eq!(data["missing"], 50_000);
    assert_eq!(data["review_on"], "2026-07-01");
    // Once per review.
    app.advance(Duration::days(1));
    assert_eq!(app.run_jobs().await, 0);
}
