//! A member's browser in the portal: minting a link with the program's key, entering with it,
//! and the session cookie it gets.
#![allow(dead_code)]

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::TestApp;
use super::console::{Page, client, send};

/// Mints a link for `member` with the app's key; the answer's `url`.
pub async fn link(app: &TestApp, member: &str, body: Value) -> String {
    let r = app
        .post(&format!("/v1/members/{member}/portal-links"), body)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "portal link: {r:?}");
    r.body["url"].as_str().expect("url").to_owned()
}

/// Opens a URL (absolute, or a path of the app) without following redirects.
pub async fn open(app: &TestApp, url: &str, cookie: Option<&str>) -> Page {
    let url = if url.starts_with("http") {
        url.to_owned()
    } else {
        format!("{}{url}", app.base)
    };
    let mut req = client().get(url);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    send(req).await
}

/// The `name=value` of a `Set-Cookie` of the page.
pub fn set_cookie(page: &Page, name: &str) -> Option<String> {
    page.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

/// A member signed in to the portal: the cookies to send (session and language).
pub struct Member {
    pub cookie: String,
    /// `/portal/<program>/`.
    pub base: String,
}

/// Mints a link for `member`, enters with it, and returns the signed-in member.
pub async fn enter(app: &TestApp, member: &str, body: Value) -> Member {
    let url = link(app, member, body).await;
    let page = open(app, &url, None).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    let cookie = ["jifen_portal", "jifen_portal_lang"]
        .iter()
        .filter_map(|n| set_cookie(&page, n))
        .map(|c| c.split(';').next().unwrap_or_default().to_owned())
        .collect::<Vec<_>>()
        .join("; ");
    Member {
        cookie,
        base: page.location().to_owned(),
    }
}

impl Member {
    /// A page of the member's portal (`path` under the program's base).
    pub async fn get(&self, app: &TestApp, path: &str) -> Page {
        open(app, &format!("{}{path}", self.base), Some(&self.cookie)).await
    }

    /// The CSRF token and the check-in id of the check-in page's form.
    pub async fn check_in_form(&self, app: &TestApp) -> (String, String) {
        let page = self.get(app, "check-in").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.html);
        (field(&page.html, "csrf"), field(&page.html, "id"))
    }

    /// Posts a form to a page of the member's portal, from the portal's own origin.
    pub async fn post(&self, app: &TestApp, path: &str, fields: &[(&str, &str)]) -> Page {
        send(
            client()
                .post(format!("{}{}{path}", app.base, self.base))
                .header("cookie", &self.cookie)
                .header("origin", &app.base)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(super::console::encode(fields)),
        )
        .await
    }
}

/// The value of a hidden form field `name`.
pub fn field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).expect("a form field") + marker.len();
    html[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// The daily check-in rule (1 point a day) and the 7-day streak bonus of docs/rules.md.
pub async fn check_in_rules(app: &TestApp) {
    for (id, rule) in [
        (
            "daily-check-in",
            json!({"name": "1 point a day",
                   "trigger": {"kind": "event", "types": ["check_in"]},
                   "effects": [{"kind": "award_points", "points": 1}],
                   "limits": [{"per": "day", "count": 1}]}),
        ),
        (
            "streak-7",
            json!({"name": "7 more points for 7 days in a row",
                   "trigger": {"kind": "event", "types": ["check_in"]},
                   "condition": "member.streak(\"check_in\") % 7 == 0",
                   "effects": [{"kind": "award_points", "points": 7}],
                   "limits": [{"per": "day", "count": 1}]}),
        ),
    ] {
        let r = app.put(&format!("/v1/rules/{id}"), rule).await;
        assert!(r.status.is_success(), "rule {id}: {r:?}");
    }
}
