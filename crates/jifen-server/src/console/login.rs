//! Signing in (with the lockout), and the language switch: the console's open routes.

use askama::Template;
use axum::Router;
use axum::extract::{FromRequest, Query, Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use crate::app::AppState;
use crate::console::auth::{
    self, LOCKOUT_WINDOW, MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_ADDRESS,
};
use crate::console::i18n::{self, Lang};
use crate::console::{Failure, html};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/login", get(page).post(sign_in))
        .route("/console/lang", get(switch_lang))
}

#[derive(Template)]
#[template(path = "console/login.html")]
struct LoginPage {
    lang: Lang,
    email: String,
    next: String,
    error: Option<String>,
    note: Option<String>,
}

#[derive(Deserialize, Default)]
struct LoginQuery {
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    expired: Option<String>,
    #[serde(default)]
    signed_out: Option<String>,
}

/// Only a console path may be a place to come back to (never another site).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with("/console") && !n.starts_with("//") && !n.contains('\\') => {
            n.to_owned()
        }
        _ => "/console".into(),
    }
}

async fn page(req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let lang = auth::lang_of(&parts.headers);
    let q: LoginQuery = parts
        .uri
        .query()
        .and_then(|q| serde_urlencoded::from_str(q).ok())
        .unwrap_or_default();
    let note = if q.expired.is_some() {
        Some(lang.t("login.expired").to_owned())
    } else if q.signed_out.is_some() {
        Some(lang.t("login.signed_out").to_owned())
    } else {
        None
    };
    html(&LoginPage {
        lang,
        email: String::new(),
        next: safe_next(q.next.as_deref()),
        error: None,
        note,
    })
}

#[derive(Deserialize)]
struct LoginForm {
    email: String,
    password: String,
    #[serde(default)]
    next: Option<String>,
}

/// The lockout message, with the time (in the program's zone is not known yet: UTC+8 is what
/// the console's users read, and the time is also given in minutes).
fn locked(
    lang: Lang,
    key: &str,
    until: jifen_core::Timestamp,
    now: jifen_core::Timestamp,
) -> String {
    let minutes = ((until - now).num_seconds().max(0) + 59) / 60;
    let shanghai = until
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%H:%M");
    let when = match lang {
        Lang::Zh => format!("{shanghai}（约 {minutes} 分钟）"),
        Lang::En => format!("{shanghai} China time (about {minutes} min)"),
    };
    lang.t(key).replace("{until}", &when)
}

async fn sign_in(State(state): State<AppState>, req: Request) -> Response {
    let (mut parts, body) = req.into_parts();
    let lang = auth::lang_of(&parts.headers);
    let form = match axum::Form::<LoginForm>::from_request(
        Request::from_parts(parts.clone(), body),
        &state,
    )
    .await
    {
        Ok(axum::Form(f)) => f,
        Err(e) => {
            return Failure::Api(crate::error::ApiError::invalid("form", e.body_text()))
                .render(lang, &parts.headers);
        }
    };
    let email = form.email.trim().to_lowercase();
    let next = safe_next(form.next.as_deref());
    let address = auth::client_address(&state, &parts);
    let now = state.clock.now();
    let again = |error: String| {
        html(&LoginPage {
            lang,
            email: form.email.clone(),
            next: next.clone(),
            error: Some(error),
            note: None,
        })
    };
    let failures = match state
        .store
        .login_failures(&email, &address, now - LOCKOUT_WINDOW)
        .await
    {
        Ok(f) => f,
        Err(e) => return Failure::from(e).render(lang, &parts.headers),
    };
    let until = failures.latest.map_or(now, |t| t + LOCKOUT_WINDOW);
    if failures.by_email >= MAX_FAILURES_PER_ACCOUNT {
        let mut res = again(locked(lang, "login.locked_account", until, now));
        *res.status_mut() = axum::http::StatusCode::TOO_MANY_REQUESTS;
        return res;
    }
    if failures.by_address >= MAX_FAILURES_PER_ADDRESS {
        let mut res = again(locked(lang, "login.locked_address", until, now));
        *res.status_mut() = axum::http::StatusCode::TOO_MANY_REQUESTS;
        return res;
    }
    let found = match state.store.operator_by_email(&email).await {
        Ok(f) => f,
        Err(e) => return Failure::from(e).render(lang, &parts.headers),
    };
    let (operator, hash) = match found {
        Some((o, h)) if o.disabled_at.is_none() => (o, h),
        _ => {
            // As slow as a wrong password, so that timing does not tell which emails exist.
            auth::verify_password(form.password.clone(), auth::decoy_hash().await).await;
            let _ = state.store.record_login(&email, &address, now, false).await;
            let mut res = again(lang.t("login.wrong").into());
            *res.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
            return res;
        }
    };
    if !auth::verify_password(form.password.clone(), hash).await {
        let _ = state.store.record_login(&email, &address, now, false).await;
        let mut res = again(lang.t("login.wrong").into());
        *res.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
        return res;
    }
    let roles = match state.store.roles_of(&operator.id).await {
        Ok(r) => r,
        Err(e) => return Failure::from(e).render(lang, &parts.headers),
    };
    let Some((program_id, _)) = roles.first() else {
        return again(lang.t("login.no_program").into());
    };
    if let Err(e) = state.store.record_login(&email, &address, now, true).await {
        return Failure::from(e).render(lang, &parts.headers);
    }
    // A session planted before sign-in is never reused: the secret is new.
    let secret = match auth::open(&state, &operator, program_id, &parts).await {
        Ok(s) => s,
        Err(e) => return Failure::from(e).render(lang, &parts.headers),
    };
    parts.extensions.clear();
    let tls = auth::is_tls(&parts.headers);
    (
        axum::http::StatusCode::SEE_OTHER,
        [
            (header::LOCATION, next),
            (
                header::SET_COOKIE,
                auth::set_cookie(auth::COOKIE, &secret, None, tls),
            ),
            (header::CACHE_CONTROL, "no-store".into()),
        ],
    )
        .into_response()
}

#[derive(Deserialize)]
struct LangQuery {
    to: String,
    #[serde(default)]
    back: Option<String>,
}

/// Remembers the language for a year and goes back to the page.
async fn switch_lang(headers: axum::http::HeaderMap, Query(q): Query<LangQuery>) -> Response {
    let lang = Lang::parse(&q.to).unwrap_or_default();
    let tls = auth::is_tls(&headers);
    (
        axum::http::StatusCode::SEE_OTHER,
        [
            (header::LOCATION, safe_next(q.back.as_deref())),
            (
                header::SET_COOKIE,
                auth::set_cookie(i18n::COOKIE, lang.code(), Some(365 * 24 * 3600), tls),
            ),
        ],
    )
        .into_response()
}
