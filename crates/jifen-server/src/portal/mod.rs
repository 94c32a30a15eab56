//! The member portal under `/portal/{program}/…`: server-rendered pages (askama) for members,
//! mobile-first, in zh-CN and English, opened from a brand's mini-program, app or store with a
//! one-time link (see docs/portal.md).
//!
//! A member enters with a link minted by `POST /v1/members/{id}/portal-links`
//! ([`auth::enter`]), which opens a session scoped to that member and that program. Every page
//! passes [`auth::guard`] (the session, and for a `POST` the `Origin`/`Sec-Fetch-Site` check and
//! the CSRF token) before its handler runs, and takes the session as an [`auth::Visit`]. Writes go through
//! the `/v1` handlers ([`auth::call`]), so the portal holds no rule of its own. A gift's claim
//! page ([`gifts::claim_view`]) is the one page without a session: the friend it was sent to
//! has none yet.

pub mod assets;
pub mod auth;
pub mod badges;
pub mod branding;
pub mod challenges;
pub mod checkin;
pub mod gifts;
pub mod history;
pub mod home;
pub mod i18n;
pub mod leaderboards;
pub mod notifications;
pub mod profile;
pub mod referrals;
pub mod rewards;
pub mod wallet;

use askama::Template;
use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::app::AppState;
use crate::console::i18n::Lang;
use crate::error::ApiError;
use branding::Branding;

/// The portal's router: entering open, pages behind a session, posts behind the CSRF guard.
pub fn router(state: AppState) -> Router<AppState> {
    let guarded = Router::new()
        .route("/portal/{program}/", get(home::page))
        .route(
            "/portal/{program}/check-in",
            get(checkin::page).post(checkin::check_in),
        )
        .route("/portal/{program}/history", get(history::page))
        .route("/portal/{program}/badges", get(badges::wall))
        .route("/portal/{program}/leaderboards", get(leaderboards::list))
        .route(
            "/portal/{program}/leaderboards/{id}",
            get(leaderboards::page),
        )
        .route("/portal/{program}/challenges", get(challenges::page))
        .route(
            "/portal/{program}/challenges/{challenge}/join",
            axum::routing::post(challenges::join),
        )
        .route("/portal/{program}/rewards", get(rewards::list))
        .route(
            "/portal/{program}/rewards/{id}",
            get(rewards::item).post(rewards::redeem),
        )
        .route("/portal/{program}/wallet", get(wallet::list))
        .route("/portal/{program}/wallet/{code}", get(wallet::voucher))
        .route(
            "/portal/{program}/wallet/{code}/gift",
            get(gifts::send_form).post(gifts::send),
        )
        .route(
            "/portal/{program}/wallet/{code}/take-back",
            post(gifts::take_back),
        )
        .route(
            "/portal/{program}/profile",
            get(profile::page).post(profile::save),
        )
        .route("/portal/{program}/referral", get(referrals::page))
        .route(
            "/portal/{program}/notifications",
            get(notifications::page).post(notifications::save),
        )
        .route(
            "/portal/{program}/profile/phone",
            axum::routing::post(profile::bind_phone),
        )
        .route_layer(middleware::from_fn_with_state(state.clone(), auth::guard));
    Router::new()
        .route("/portal/{program}", get(auth::to_home))
        .route("/portal/{program}/enter", get(auth::enter))
        // A referral link's page is for a friend who is not a member yet.
        .route("/portal/{program}/join/{code}", get(referrals::join))
        // A gift's claim page is the friend's, who has no session yet: it checks its own form.
        .route(
            "/portal/{program}/gifts/{token}",
            get(gifts::claim_view).post(gifts::claim),
        )
        .route("/portal/{program}/badges/{token}", get(badges::share))
        .merge(guarded)
        .merge(assets::routes())
        .route(
            "/portal/{program}/{*rest}",
            axum::routing::any(|headers: HeaderMap| async move {
                Failure::NotFound.render(i18n::lang_of(&headers, None), None)
            }),
        )
        .layer(middleware::from_fn_with_state(state, render_failures))
        .layer(tower_http::compression::CompressionLayer::new())
}

/// Why a portal request did not get its page.
#[derive(Debug, Clone)]
pub enum Failure {
    /// The link was used already or expired: reopen the portal from the brand's app.
    LinkSpent {
        lang: Lang,
    },
    /// No such link.
    LinkUnknown,
    /// No session, an expired one, or one of another program.
    SessionExpired,
    /// The form came from elsewhere or without its token.
    Csrf,
    NotFound,
    /// An error of the API or the store.
    Api(ApiError),
    /// An error answer of a `/v1` call.
    Answer(crate::console::api::ApiFailure),
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

/// The page of a failure: it names no member and shows nothing of one.
#[derive(Template)]
#[template(path = "portal/error.html")]
struct ErrorPage {
    lang: Lang,
    brand: Branding,
    title: &'static str,
    message: String,
    /// Whether the way on is to reopen the portal from the brand's app.
    reopen: bool,
    css: String,
}

impl ErrorPage {
    fn t(&self, key: &str) -> &'static str {
        i18n::t(self.lang, key)
    }
}

impl Failure {
    /// The status, title, message and whether to say "reopen from the app", in `lang`.
    fn describe(&self, lang: Lang) -> (StatusCode, &'static str, String, bool) {
        let t = |k| i18n::t(lang, k);
        match self {
            Failure::LinkSpent { .. } => (
                StatusCode::GONE,
                t("error.link_title"),
                t("error.link_spent").into(),
                true,
            ),
            Failure::LinkUnknown => (
                StatusCode::NOT_FOUND,
                t("error.link_title"),
                t("error.link_unknown").into(),
                true,
            ),
            Failure::SessionExpired => (
                StatusCode::UNAUTHORIZED,
                t("error.session_title"),
                t("error.session_expired").into(),
                true,
            ),
            Failure::Csrf => (
                StatusCode::FORBIDDEN,
                t("error.title"),
                t("error.csrf").into(),
                false,
            ),
            Failure::NotFound => (
                StatusCode::NOT_FOUND,
                t("error.title"),
                t("error.not_found").into(),
                false,
            ),
            Failure::Api(e) => {
                if e.status().is_server_error() {
                    tracing::error!(error = %e, "portal page failed");
                }
                (
                    e.status(),
                    t("error.title"),
                    t("error.failed").into(),
                    false,
                )
            }
            Failure::Answer(f) => (f.status, t("error.title"), f.message.clone(), false),
        }
    }

    /// The failure as a page in `lang` (a spent link's own language wins), with the program's
    /// look when it is known.
    pub fn render(&self, lang: Lang, brand: Option<Branding>) -> Response {
        let lang = match self {
            Failure::LinkSpent { lang } => *lang,
            _ => lang,
        };
        let (status, title, message, reopen) = self.describe(lang);
        let page = ErrorPage {
            lang,
            brand: brand.unwrap_or_default(),
            title,
            message,
            reopen,
            css: assets::css(),
        };
        (status, html(&page)).into_response()
    }
}

impl IntoResponse for Failure {
    /// A placeholder that [`render_failures`] replaces with the failure rendered in the
    /// request's language: a handler returning `Err(Failure)` has no headers.
    fn into_response(self) -> Response {
        let mut res = StatusCode::INTERNAL_SERVER_ERROR.into_response();
        res.extensions_mut().insert(Pending(self));
        res
    }
}

/// A failure a handler returned, waiting for the request's headers.
#[derive(Clone)]
struct Pending(Failure);

/// Renders the failures handlers return in the request's language, with the look of the
/// program in the path.
async fn render_failures(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: middleware::Next,
) -> Response {
    let headers = req.headers().clone();
    let uri = req.uri().clone();
    let res = next.run(req).await;
    match res.extensions().get::<Pending>().cloned() {
        Some(Pending(failure)) => {
            let brand = auth::brand_of_path(&state, &uri).await;
            failure.render(i18n::lang_of(&headers, uri.query()), brand)
        }
        None => res,
    }
}

/// A page rendered to HTML, never cached (it shows a member's figures).
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
            tracing::error!(error = %e, "portal template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

/// A tab of the bottom bar: id, label key, path under the program. Only pages that exist are
/// listed.
pub const TABS: &[(&str, &str, &str)] = &[
    ("home", "tab.home", ""),
    ("check_in", "tab.check_in", "check-in"),
    ("rewards", "tab.rewards", "rewards"),
    ("wallet", "tab.wallet", "wallet"),
    ("history", "tab.history", "history"),
];

/// Whether the tab bar has the page `id` (a page links only to pages that exist).
pub fn has_tab(id: &str) -> bool {
    TABS.iter().any(|(tab, ..)| *tab == id)
}

/// What every page shows around its content: the brand, the language switch, the tab bar.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub lang: Lang,
    pub brand: Branding,
    /// `/portal/<program>/`.
    pub base: String,
    /// The tab of the page.
    pub active: &'static str,
    /// The page's path under `base`, for the language switch to come back to.
    pub here: &'static str,
}

impl Chrome {
    pub fn t(&self, key: &str) -> &'static str {
        i18n::t(self.lang, key)
    }

    /// The tabs: (id, label, href).
    pub fn tabs(&self) -> Vec<(&'static str, &'static str, String)> {
        TABS.iter()
            .map(|(id, key, path)| (*id, self.t(key), format!("{}{path}", self.base)))
            .collect()
    }

    pub fn is_active(&self, id: &str) -> bool {
        id == self.active
    }

    /// The language switch's link: this page in the other language.
    pub fn switch_href(&self) -> String {
        format!(
            "{}{}?lang={}",
            self.base,
            self.here,
            self.lang.other().code()
        )
    }

    pub fn switch_label(&self) -> &'static str {
        self.lang.other().name()
    }
}
