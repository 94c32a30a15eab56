//! Signing in to the console over HTTP, as a browser does: a session cookie and the CSRF token
//! of the pages.
#![allow(dead_code)]

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use jifen_store::console::Role;

use super::TestApp;

/// The password every test operator gets.
pub const PASSWORD: &str = "correct-horse-battery";

/// A signed-in browser: its cookie and the CSRF token its pages carry.
#[derive(Debug, Clone)]
pub struct Signed {
    pub cookie: String,
    pub csrf: String,
}

/// An answer of the console: status, headers and the HTML.
#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub html: String,
}

impl Page {
    /// Where a redirect goes.
    pub fn location(&self) -> &str {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// A client that does not follow redirects, so that tests see them.
pub fn client() -> reqwest::Client {
    super::http()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Gives `email` the role in the test's program, with [`PASSWORD`].
pub async fn operator(app: &TestApp, email: &str, role: Role) {
    jifen_server::console::operators::add(
        &app.state,
        &app.program_id,
        email,
        None,
        role,
        Some(PASSWORD.into()),
    )
    .await
    .expect("operator");
}

/// Posts the sign-in form.
pub async fn login(app: &TestApp, email: &str, password: &str) -> Page {
    let body = serde_urlencoded::to_string([("email", email), ("password", password)]).unwrap();
    send(
        client()
            .post(format!("{}/console/login", app.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body),
    )
    .await
}

/// The session cookie a response sets, as `name=value`.
pub fn session_cookie(page: &Page) -> Option<String> {
    page.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("jifen_session="))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
}

/// The CSRF token of a page (`<meta name="csrf-token" content="…">`).
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf-token\" content=\"";
    let start = html.find(marker).expect("a page with a csrf token") + marker.len();
    html[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// Signs in with an operator created for the test.
pub async fn sign_in_as(app: &TestApp, email: &str, role: Role) -> Signed {
    operator(app, email, role).await;
    sign_in(app, email, PASSWORD).await
}

/// Signs in and reads the CSRF token from the account page.
pub async fn sign_in(app: &TestApp, email: &str, password: &str) -> Signed {
    let res = login(app, email, password).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "sign-in: {}", res.html);
    let cookie = session_cookie(&res).expect("a session cookie");
    let account = get(
        app,
        &Signed {
            cookie: cookie.clone(),
            csrf: String::new(),
        },
        "/console/account",
    )
    .await;
    assert_eq!(account.status, StatusCode::OK, "{}", account.html);
    Signed {
        csrf: csrf_of(&account.html),
        cookie,
    }
}

pub async fn get(app: &TestApp, s: &Signed, path: &str) -> Page {
    send(
        client()
            .get(format!("{}{path}", app.base))
            .header("cookie", &s.cookie),
    )
    .await
}

/// Posts a form with the session's CSRF token.
pub async fn post(app: &TestApp, s: &Signed, path: &str, fields: &[(&str, &str)]) -> Page {
    let mut all: Vec<(&str, &str)> = vec![("csrf", s.csrf.as_str())];
    all.extend_from_slice(fields);
    post_raw(app, s, path, &all).await
}

/// Posts a form as given (no token added).
pub async fn post_raw(app: &TestApp, s: &Signed, path: &str, fields: &[(&str, &str)]) -> Page {
    let body = serde_urlencoded::to_string(fields).unwrap();
    send(
        client()
            .post(format!("{}{path}", app.base))
            .header("cookie", &s.cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body),
    )
    .await
}

pub async fn send(req: reqwest::RequestBuilder) -> Page {
    let res = req.send().await.expect("console request");
    Page {
        status: res.status(),
        headers: res.headers().clone(),
        html: res.text().await.unwrap_or_default(),
    }
}

/// The password of the operators [`Browser`] tests make.
pub const BROWSER_PASSWORD: &str = "a-long-password-1";

/// A form body, `application/x-www-form-urlencoded`.
pub fn encode(fields: &[(&str, &str)]) -> String {
    use jifen_server::console::api::seg;
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", seg(k), seg(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A browser signed in to the console, reading it in English: its session cookie and CSRF
/// token.
pub struct Browser {
    pub client: reqwest::Client,
    pub base: String,
    pub cookie: String,
    pub csrf: String,
}

impl Browser {
    pub async fn sign_in(app: &TestApp, email: &str, password: &str) -> Browser {
        let s = sign_in(app, email, password).await;
        Browser {
            client: client(),
            base: app.base.clone(),
            cookie: s.cookie,
            csrf: s.csrf,
        }
    }

    pub async fn get(&self, path: &str) -> (StatusCode, String) {
        let res = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", format!("{}; jifen_lang=en", self.cookie))
            .send()
            .await
            .unwrap();
        (res.status(), res.text().await.unwrap())
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
        let mut fields: Vec<(&str, &str)> = form.to_vec();
        fields.push(("csrf", &self.csrf));
        let res = self
            .client
            .post(format!("{}{path}", self.base))
            .header("cookie", format!("{}; jifen_lang=en", self.cookie))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(encode(&fields))
            .send()
            .await
            .unwrap();
        (res.status(), res.text().await.unwrap())
    }
}

/// Gives `email` the role, with [`BROWSER_PASSWORD`].
pub async fn browser_operator(app: &TestApp, email: &str, role: Role) {
    jifen_server::console::operators::add(
        &app.state,
        &app.program_id,
        email,
        None,
        role,
        Some(BROWSER_PASSWORD.into()),
    )
    .await
    .unwrap();
}

/// An owner signed in, reading the console in English.
pub async fn owner(app: &TestApp) -> Browser {
    browser_operator(app, "boss@shop.cn", Role::Owner).await;
    Browser::sign_in(app, "boss@shop.cn", BROWSER_PASSWORD).await
}
