//! The console's settings page, signed in over HTTP, on SQLite and PostgreSQL: API keys (the
//! secret shown once, working, then revoked), users (invited with a one-time password, their
//! role changed, removed with their session), the last owner kept, the support limit, the point
//! policy's preview and save; every other role refused every write. And the `/v1` routes the
//! page uses: operators and the console's settings.

mod common;

use common::console::{BROWSER_PASSWORD as PASSWORD, Browser, browser_operator as operator, owner};
use common::{TestApp, TestBackend};
use jifen_store::console::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

jifen_store::backend_tests! {
    owner_issues_and_revokes_an_api_key => super::owner_issues_and_revokes_an_api_key;
    owner_manages_users => super::owner_manages_users;
    support_limit_policy_preview_and_timezone => super::support_limit_policy_preview_and_timezone;
    other_roles_cannot_write_settings => super::other_roles_cannot_write_settings;
    operator_routes_of_the_api => super::operator_routes_of_the_api;
}

/// The text of the element with `id`, up to its first `<`.
fn by_id(page: &str, id: &str) -> Option<String> {
    let start = page.find(&format!("id=\"{id}\""))?;
    let rest = &page[start..];
    let open = rest.find('>')? + 1;
    Some(rest[open..].split('<').next()?.trim().to_owned())
}

async fn owner_issues_and_revokes_an_api_key(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let boss = owner(&app).await;
    let (status, page) = boss
        .post("/console/settings/keys", &[("name", "pos-terminal")])
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let secret = by_id(&page, "secret").expect("the secret on the answer page");
    assert!(secret.starts_with("jf_sk_"), "{secret}");
    // It works against /v1.
    let r = app
        .send_as(Some(&secret), Method::GET, "/v1/program", None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    // Shown once: the page never shows it again.
    let (_, again) = boss.get("/console/settings").await;
    assert!(!again.contains(&secret));
    assert!(again.contains("pos-terminal"));
    // Revoked from the page: the key is refused.
    let keys = app.get("/v1/api-keys").await.body;
    let id = keys
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["name"] == "pos-terminal")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, page) = boss
        .post(&format!("/console/settings/keys/{id}/revoke"), &[])
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("The key is revoked"));
    let r = app
        .send_as(Some(&secret), Method::GET, "/v1/program", None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // A bad name is the API's error, at the field.
    let (_, page) = boss.post("/console/settings/keys", &[("name", "")]).await;
    assert!(page.contains("id=\"error-key-name\""), "{page}");
}

async fn owner_manages_users(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let boss = owner(&app).await;
    // Invite: the one-time password is on the answer page, and signs in.
    let (status, page) = boss
        .post(
            "/console/settings/users",
            &[
                ("email", "Wang@Shop.cn"),
                ("name", "王客服"),
                ("role", "support"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let password = by_id(&page, "secret").expect("one-time password");
    assert_eq!(password.len(), 20);
    let wang = Browser::sign_in(&app, "wang@shop.cn", &password).await;
    let (status, _) = wang.get("/console/settings").await;
    assert_eq!(status, StatusCode::OK);
    let (_, again) = boss.get("/console/settings").await;
    assert!(!again.contains(&password));
    assert!(again.contains("wang@shop.cn"));
    // Role change, through the API.
    let (status, _) = boss
        .post(
            "/console/settings/users/role",
            &[("email", "wang@shop.cn"), ("role", "marketer")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let ops = app.get("/v1/operators").await.body;
    let w = ops["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["email"] == "wang@shop.cn")
        .unwrap()
        .clone();
    assert_eq!(w["role"], "marketer");
    assert_eq!(w["name"], "王客服");
    // Removed: their session ends.
    let (status, page) = boss
        .post(
            "/console/settings/users/remove",
            &[("email", "wang@shop.cn")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let (status, _) = wang.get("/console/settings").await;
    assert!(
        status == StatusCode::SEE_OTHER || status == StatusCode::UNAUTHORIZED,
        "{status}"
    );
    // The last owner can neither be removed nor demoted.
    let (_, page) = boss
        .post(
            "/console/settings/users/remove",
            &[("email", "boss@shop.cn")],
        )
        .await;
    assert!(page.contains("last owner"), "{page}");
    let (_, page) = boss
        .post(
            "/console/settings/users/role",
            &[("email", "boss@shop.cn"), ("role", "viewer")],
        )
        .await;
    assert!(page.contains("last owner"), "{page}");
    let ops = app.get("/v1/operators").await.body;
    assert_eq!(ops["data"].as_array().unwrap().len(), 1);
    assert_eq!(ops["data"][0]["role"], "owner");
}

async fn support_limit_policy_preview_and_timezone(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let boss = owner(&app).await;
    // The support limit.
    let (_, page) = boss
        .post(
            "/console/settings/support-limit",
            &[("support_adjustment_limit", "500")],
        )
        .await;
    assert!(page.contains("Saved."), "{page}");
    assert_eq!(
        app.get("/v1/console-settings").await.body,
        json!({"support_adjustment_limit": 500})
    );
    let (_, page) = boss
        .post(
            "/console/settings/support-limit",
            &[("support_adjustment_limit", "0")],
        )
        .await;
    assert!(
        page.contains("id=\"error-support_adjustment_limit\""),
        "{page}"
    );
    assert_eq!(
        app.get("/v1/console-settings").await.body["support_adjustment_limit"],
        500
    );
    // The preview on a sample member: a ¥268 purchase at 1 point a yuan, never expiring.
    app.member("anna").await;
    let r = app.purchase("p-1", "anna", "o-1", 26_800).await;
    assert!(r.status.is_success(), "{r:?}");
    let q = "/console/settings?preview=1&points_per_yuan=2&pending_days=7\
             &expiry_kind=rolling_days&expiry_days=365&years_after=&negative_balance=allow\
             &member=anna";
    let (status, page) = boss.get(q).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(
        by_id(&page, "sample-now").as_deref(),
        Some("268"),
        "{}",
        &page[page.find("policy-preview").unwrap_or(0)..]
    );
    assert_eq!(by_id(&page, "sample-new").as_deref(), Some("536"));
    let lots = page
        .split("id=\"preview-lots\"")
        .nth(1)
        .expect("lots table");
    assert!(lots.contains("o-1") && lots.contains("536"), "{lots}");
    assert!(page.contains("never"), "the lot kept its expiry: {lots}");
    assert!(page.contains("not change"), "not retroactive");
    // Saving a bad value shows the API's error at its field; nothing changes.
    let before = app.get("/v1/program").await.body;
    let (_, page) = boss
        .post(
            "/console/settings/policy",
            &[
                ("points_per_yuan", "1"),
                ("pending_days", "99999"),
                ("expiry_kind", "never"),
                ("negative_balance", "allow"),
            ],
        )
        .await;
    assert!(page.contains("id=\"error-pending_days\""), "{page}");
    assert_eq!(app.get("/v1/program").await.body, before);
    let (_, page) = boss
        .post(
            "/console/settings/policy",
            &[
                ("points_per_yuan", "2"),
                ("pending_days", "7"),
                ("expiry_kind", "end_of_year"),
                ("years_after", "1"),
                ("negative_balance", "forbid"),
            ],
        )
        .await;
    assert!(page.contains("Saved."), "{page}");
    let p = app.get("/v1/program").await.body;
    assert_eq!(
        p["policy"],
        json!({"points_per_yuan": 2, "pending_days": 7,
               "expiry": {"kind": "end_of_year", "years_after": 1}, "negative_balance": "forbid"})
    );
    // The time zone, validated by the API.
    let (_, page) = boss
        .post(
            "/console/settings/timezone",
            &[("timezone", "Mars/Olympus")],
        )
        .await;
    assert!(page.contains("id=\"error-timezone\""), "{page}");
    let (_, page) = boss
        .post("/console/settings/timezone", &[("timezone", "Asia/Urumqi")])
        .await;
    assert!(page.contains("Saved."), "{page}");
    assert_eq!(app.get("/v1/program").await.body["timezone"], "Asia/Urumqi");
}

async fn other_roles_cannot_write_settings(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    operator(&app, "boss@shop.cn", Role::Owner).await;
    let writes: Vec<(String, Vec<(&str, &str)>)> = vec![
        ("/console/settings/keys".into(), vec![("name", "stolen")]),
        (
            "/console/settings/users".into(),
            vec![("email", "x@shop.cn"), ("role", "owner")],
        ),
        (
            "/console/settings/users/role".into(),
            vec![("email", "boss@shop.cn"), ("role", "viewer")],
        ),
        (
            "/console/settings/users/remove".into(),
            vec![("email", "boss@shop.cn")],
        ),
        (
            "/console/settings/support-limit".into(),
            vec![("support_adjustment_limit", "9")],
        ),
        (
            "/console/settings/policy".into(),
            vec![
                ("points_per_yuan", "9"),
                ("pending_days", "0"),
                ("expiry_kind", "never"),
                ("negative_balance", "allow"),
            ],
        ),
        (
            "/console/settings/timezone".into(),
            vec![("timezone", "Europe/Paris")],
        ),
        ("/console/settings/sites".into(), vec![("sites", "tmall")]),
        (
            "/console/settings/partners".into(),
            vec![("id", "hotel"), ("name", "Hotel")],
        ),
        (
            "/console/settings/partners/hotel/keys".into(),
            vec![("name", "k")],
        ),
        (format!("/console/settings/keys/{}/revoke", "x"), vec![]),
    ];
    let reads = [
        "/v1/program",
        "/v1/api-keys",
        "/v1/operators",
        "/v1/console-settings",
        "/v1/sites",
        "/v1/partners",
    ];
    let mut before = Vec::new();
    for r in reads {
        before.push(app.get(r).await.body);
    }
    for (i, role) in [Role::Marketer, Role::Support, Role::Viewer]
        .into_iter()
        .enumerate()
    {
        let email = format!("op{i}@shop.cn");
        operator(&app, &email, role).await;
        let browser = Browser::sign_in(&app, &email, PASSWORD).await;
        let (status, page) = browser.get("/console/settings").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            !page.contains("/console/settings/keys\""),
            "{role}: no edit controls"
        );
        for (path, form) in &writes {
            let (status, _) = browser.post(path, form).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{role} POST {path}");
        }
    }
    for (r, b) in reads.iter().zip(before) {
        let mut now = app.get(r).await.body;
        if *r == "/v1/operators" {
            // Only the three operators this test added.
            now["data"]
                .as_array_mut()
                .unwrap()
                .retain(|o| !o["email"].as_str().unwrap().starts_with("op"));
        }
        assert_eq!(now, b, "{r} changed");
    }
}

async fn operator_routes_of_the_api(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    // Without a key: 401.
    let r = app.send_as(None, Method::GET, "/v1/operators", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = app
        .send_as(
            None,
            Method::PUT,
            "/v1/operators/a@b.cn",
            Some(json!({"role": "owner"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // Created: the one-time password, once.
    let r = app
        .put(
            "/v1/operators/Li@Shop.cn",
            json!({"role": "owner", "name": "李"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(r.body["email"], "li@shop.cn");
    assert_eq!(r.body["password"].as_str().map(str::len), Some(20));
    let r = app
        .put("/v1/operators/li@shop.cn", json!({"role": "owner"}))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body.get("password"), None);
    // Validation, at the field.
    for (path, body, field) in [
        ("/v1/operators/nobody", json!({"role": "owner"}), "email"),
        ("/v1/operators/x@y.cn", json!({"role": "admin"}), "role"),
        (
            "/v1/operators/x@y.cn",
            json!({"role": "viewer", "name": ""}),
            "name",
        ),
    ] {
        let r = app.put(path, body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        assert_eq!(r.body["error"]["field"], field, "{r:?}");
    }
    let r = app
        .put(
            "/v1/operators/x@y.cn",
            json!({"role": "viewer", "extra": 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The last owner stays.
    let r = app
        .put("/v1/operators/li@shop.cn", json!({"role": "viewer"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["error"]["field"], "role");
    let r = app.delete("/v1/operators/li@shop.cn").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // With a second owner, the first may go.
    app.put("/v1/operators/zhao@shop.cn", json!({"role": "owner"}))
        .await;
    let r = app.delete("/v1/operators/li@shop.cn").await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = app.delete("/v1/operators/li@shop.cn").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.code(), "operator_not_found");
    let list = app.get("/v1/operators").await.body;
    let emails: Vec<&Value> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| &o["email"])
        .collect();
    assert_eq!(emails, vec!["zhao@shop.cn"]);
    // Another program sees none of them, and cannot remove them.
    let other = app.other_program_key().await;
    let r = app
        .send_as(Some(&other), Method::GET, "/v1/operators", None)
        .await;
    assert_eq!(r.body["data"], json!([]));
    let r = app
        .send_as(
            Some(&other),
            Method::DELETE,
            "/v1/operators/zhao@shop.cn",
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The console's settings.
    assert_eq!(
        app.get("/v1/console-settings").await.body,
        json!({"support_adjustment_limit": 1000})
    );
    for bad in [
        json!({"support_adjustment_limit": 0}),
        json!({"support_adjustment_limit": 1_000_000_001_i64}),
    ] {
        let r = app.put("/v1/console-settings", bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.body["error"]["field"], "support_adjustment_limit");
    }
    let r = app
        .put(
            "/v1/console-settings",
            json!({"support_adjustment_limit": 300}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app
        .send_as(Some(&other), Method::GET, "/v1/console-settings", None)
        .await;
    assert_eq!(r.body["support_adjustment_limit"], 1000, "the default");
}
