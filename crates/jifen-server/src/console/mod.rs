//! The admin console under `/console`: server-rendered pages (askama) with htmx for partial
//! updates, in zh-CN and English, for the people who run a program.
//!
//! Every route is declared once in [`routes`] with the permission it needs; the router is built
//! from that list and wraps each route in [`auth::guard`] (session, role, CSRF), so a route
//! cannot be added without its check, and the role-matrix test walks the same list. Writes go
//! through the `/v1` handlers ([`api::call`]).

pub mod account;
pub mod api;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod badges;
pub mod challenges;
pub mod dashboard;
pub mod gallery;
pub mod i18n;
pub mod leaderboards;
pub mod login;
pub mod members;
pub mod operators;
pub mod referrals;
pub mod reminders;
pub mod rewards;
pub mod rules;
pub mod segments;
pub mod settings;
pub mod tiers;
pub mod webhooks;

use askama::Template;
use axum::Router;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::MethodRouter;

use jifen_store::console::Role;

use crate::app::AppState;
use crate::error::ApiError;
use auth::{Perm, Session};
use i18n::Lang;

/// One console route: its method and path, the permission it needs, and its handler.
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub perm: Perm,
    pub handler: MethodRouter<AppState>,
}

impl Route {
    pub fn new(
        method: Method,
        path: &'static str,
        perm: Perm,
        handler: MethodRouter<AppState>,
    ) -> Self {
        Self {
            method,
            path,
            perm,
            handler,
        }
    }
}

/// Every guarded console route. Page modules add theirs here.
pub fn routes() -> Vec<Route> {
    let mut all = Vec::new();
    all.extend(account::routes());
    all.extend(members::routes());
    all.extend(rules::routes());
    all.extend(settings::routes());
    all.extend(tiers::routes());
    all.extend(referrals::routes());
    all.extend(webhooks::routes());
    all.extend(reminders::routes());
    all.extend(audit::routes());
    all.extend(rewards::routes());
    all.extend(badges::routes());
    all.extend(segments::routes());
    all.extend(leaderboards::routes());
    all.extend(challenges::routes());
    all.extend(dashboard::routes());
    all.extend(gallery::routes());
    all
}

/// The method, path and permission of every guarded route, for the role matrix.
pub fn route_table() -> Vec<(Method, &'static str, Perm)> {
    routes()
        .into_iter()
        .map(|r| (r.method, r.path, r.perm))
        .collect()
}

/// The console's router: sign-in and assets open, everything else guarded.
pub fn router(state: AppState) -> Router<AppState> {
    let mut r = Router::new();
    for route in routes() {
        let guard = middleware::from_fn_with_state((state.clone(), route.perm), auth::guard);
        r = r.route(route.path, route.handler.route_layer(guard));
    }
    // Pages and their files are compressed for browsers that take gzip; the API's JSON is left
    // as it is.
    // Any other address under /console is the console's own "no such page" (the server's
    // fallback answers the API's JSON).
    let not_found = |headers: HeaderMap| async move {
        Failure::NotFound.render(auth::lang_of(&headers), &headers)
    };
    r.merge(login::routes())
        .merge(assets::routes())
        .route("/console/{*rest}", axum::routing::any(not_found))
        .layer(middleware::from_fn(render_failures))
        .layer(tower_http::compression::CompressionLayer::new())
}

/// Why a console request did not get its page.
#[derive(Debug, Clone)]
pub enum Failure {
    /// No session, or an expired one: sign in (and come back to `next`).
    SignIn {
        expired: bool,
        next: Option<String>,
    },
    Forbidden,
    Csrf,
    NotFound,
    /// An error of the API or the store.
    Api(ApiError),
    /// An error answer of a `/v1` call.
    Answer(api::ApiFailure),
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Failure::Api(e)
    }
}

impl From<jifen_store::StoreError> for Failure {
    fn from(e: jifen_store::StoreError) -> Self {
        Failure::Api(e.into())
    }
}

impl From<api::ApiFailure> for Failure {
    fn from(e: api::ApiFailure) -> Self {
        Failure::Answer(e)
    }
}

#[derive(Template)]
#[template(path = "console/error.html")]
struct ErrorPage {
    lang: Lang,
    title: String,
    message: String,
    code: String,
}

impl Failure {
    /// The status and message of the failure in `lang`.
    fn describe(&self, lang: Lang) -> (StatusCode, String, String) {
        match self {
            Failure::SignIn { .. } => (
                StatusCode::UNAUTHORIZED,
                lang.t("login.expired").into(),
                "unauthorized".into(),
            ),
            Failure::Forbidden => (
                StatusCode::FORBIDDEN,
                lang.t("error.forbidden").into(),
                "forbidden".into(),
            ),
            Failure::Csrf => (
                StatusCode::FORBIDDEN,
                lang.t("error.csrf").into(),
                "csrf".into(),
            ),
            Failure::NotFound => (
                StatusCode::NOT_FOUND,
                lang.t("error.not_found").into(),
                "not_found".into(),
            ),
            Failure::Api(e) => (e.status(), e.to_string(), e.code_and_status().0.into()),
            Failure::Answer(f) => (f.status, f.message.clone(), f.code.clone()),
        }
    }

    /// The failure as a page, or for an htmx request as a toast fragment (htmx is told to swap
    /// error answers into `#toasts`).
    pub fn render(&self, lang: Lang, headers: &HeaderMap) -> Response {
        let (status, message, code) = self.describe(lang);
        if headers.contains_key("hx-request") {
            let html = Toast::error(message).render_html();
            return (
                status,
                [("hx-retarget", "#toasts"), ("hx-reswap", "beforeend")],
                Html(html),
            )
                .into_response();
        }
        let page = ErrorPage {
            lang,
            title: lang.t("error.title").into(),
            message,
            code,
        };
        (status, html(&page)).into_response()
    }

    /// The response: sign-in redirects, the rest rendered in the request's language.
    pub fn into_response_for(self, headers: &HeaderMap) -> Response {
        match self {
            Failure::SignIn { expired, next } => {
                let mut to = String::from("/console/login");
                let mut sep = '?';
                if expired {
                    to.push_str("?expired=1");
                    sep = '&';
                }
                if let Some(n) = next.filter(|n| n.starts_with("/console")) {
                    to.push(sep);
                    to.push_str("next=");
                    to.push_str(&api::seg(&n));
                }
                auth::redirect(headers, &to)
            }
            other => other.render(auth::lang_of(headers), headers),
        }
    }
}

impl IntoResponse for Failure {
    /// A placeholder that [`render_failures`] replaces with the failure rendered for its
    /// request (language, htmx or not): a handler returning `Err(Failure)` has no headers.
    fn into_response(self) -> Response {
        let mut res = StatusCode::INTERNAL_SERVER_ERROR.into_response();
        res.extensions_mut().insert(Pending(self));
        res
    }
}

/// A failure a handler returned, waiting for the request's headers.
#[derive(Clone)]
struct Pending(Failure);

/// Renders the failures handlers return in the request's language, as a page or (for htmx) a
/// toast.
async fn render_failures(req: axum::extract::Request, next: middleware::Next) -> Response {
    let headers = req.headers().clone();
    let res = next.run(req).await;
    match res.extensions().get::<Pending>().cloned() {
        Some(Pending(failure)) => failure.into_response_for(&headers),
        None => res,
    }
}

/// A page or fragment rendered to HTML (a template error is a 500 with a short text).
pub fn html<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(text) => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            text,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "console template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

/// A toast: a short message shown after an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    pub ok: bool,
    pub message: String,
}

#[derive(Template)]
#[template(path = "console/_toast.html")]
struct ToastFragment<'a> {
    toast: &'a Toast,
}

impl Toast {
    pub fn saved(lang: Lang) -> Toast {
        Toast {
            ok: true,
            message: lang.t("toast.saved").into(),
        }
    }

    pub fn error(message: impl Into<String>) -> Toast {
        Toast {
            ok: false,
            message: message.into(),
        }
    }

    pub fn render_html(&self) -> String {
        ToastFragment { toast: self }.render().unwrap_or_default()
    }
}

/// What every full page shows around its content: the program, the operator, the navigation
/// (entries the role may open), the language switch.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub lang: Lang,
    pub operator_name: String,
    pub operator_email: String,
    pub role: Role,
    pub program_id: String,
    pub program_name: String,
    pub csrf: String,
    /// The navigation entry of the page.
    pub active: &'static str,
    /// This page's path and query, for the language switch to come back to.
    pub here: String,
    pub toast: Option<Toast>,
}

/// A navigation entry: key of its label, path, and the permission that shows it.
pub const NAV: &[(&str, &str, &str, Perm)] = &[
    ("dashboard", "nav.dashboard", "/console", Perm::View),
    ("members", "nav.members", "/console/members", Perm::View),
    ("rules", "nav.rules", "/console/rules", Perm::View),
    ("tiers", "nav.tiers", "/console/tiers", Perm::View),
    ("rewards", "nav.rewards", "/console/rewards", Perm::View),
    ("badges", "nav.badges", "/console/badges", Perm::View),
    ("segments", "nav.segments", "/console/segments", Perm::View),
    (
        "leaderboards",
        "nav.leaderboards",
        "/console/leaderboards",
        Perm::View,
    ),
    (
        "challenges",
        "nav.challenges",
        "/console/challenges",
        Perm::View,
    ),
    (
        "referrals",
        "nav.referrals",
        "/console/referrals",
        Perm::View,
    ),
    ("webhooks", "nav.webhooks", "/console/webhooks", Perm::View),
    (
        "reminders",
        "nav.reminders",
        "/console/reminders",
        Perm::View,
    ),
    (
        "templates",
        "nav.templates",
        "/console/templates",
        Perm::View,
    ),
    ("settings", "nav.settings", "/console/settings", Perm::View),
    ("audit", "nav.audit", "/console/audit", Perm::View),
];

impl Chrome {
    pub fn new(session: &Session, active: &'static str, here: impl Into<String>) -> Chrome {
        Chrome {
            lang: session.lang,
            operator_name: session.operator.name.clone(),
            operator_email: session.operator.email.clone(),
            role: session.role,
            program_id: session.program.id.clone(),
            program_name: session.program.name.clone(),
            csrf: session.csrf.clone(),
            active,
            here: here.into(),
            toast: None,
        }
    }

    pub fn with_toast(mut self, toast: Option<Toast>) -> Chrome {
        self.toast = toast;
        self
    }

    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }

    /// The navigation entries the role may open: (id, label, path).
    pub fn nav(&self) -> Vec<(&'static str, &'static str, &'static str)> {
        NAV.iter()
            .filter(|(_, _, _, perm)| perm.allows(self.role))
            .map(|(id, key, path, _)| (*id, self.lang.t(key), *path))
            .collect()
    }

    pub fn is_active(&self, id: &str) -> bool {
        id == self.active
    }

    pub fn role_label(&self) -> &'static str {
        self.lang.t(&format!("role.{}", self.role))
    }

    /// The language switch's link: to the other language, back to this page.
    pub fn switch_href(&self) -> String {
        format!(
            "/console/lang?to={}&back={}",
            self.lang.other().code(),
            api::seg(&self.here)
        )
    }

    pub fn can(&self, perm: Perm) -> bool {
        perm.allows(self.role)
    }

    pub fn can_configure(&self) -> bool {
        self.can(Perm::Configure)
    }

    pub fn can_serve(&self) -> bool {
        self.can(Perm::Serve)
    }

    pub fn can_administer(&self) -> bool {
        self.can(Perm::Administer)
    }
}
