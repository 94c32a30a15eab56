//! Operators' passwords, sign-in with its lockout, server-side sessions, CSRF, and the role
//! check every console route passes before its handler runs.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Duration;
use rand::Rng;
use sha2::{Digest, Sha256};

use jifen_store::Program;
use jifen_store::console::{ConsoleSession, Operator, Role};

use crate::app::AppState;
use crate::console::i18n::Lang;
use crate::error::ApiError;

/// The session cookie.
pub const COOKIE: &str = "jifen_session";
/// A session unused this long expires.
pub const IDLE: Duration = Duration::hours(8);
/// Use of a session is recorded at most this often (each record is a write).
const TOUCH_EVERY: Duration = Duration::minutes(1);
/// The window failed sign-ins are counted in, and how long a lockout lasts.
pub const LOCKOUT_WINDOW: Duration = Duration::minutes(15);
/// Failures per account in the window before it is locked.
pub const MAX_FAILURES_PER_ACCOUNT: u32 = 5;
/// Failures per address in the window before it is locked.
pub const MAX_FAILURES_PER_ADDRESS: u32 = 20;
/// The shortest password an operator may set.
pub const MIN_PASSWORD: usize = 12;

/// What a route needs the operator's role to allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Perm {
    /// Reading the program: every role.
    View,
    /// Rules, campaigns, tiers, rewards, vouchers, templates, backtests: owner and marketer.
    Configure,
    /// Acting on members: point adjustments, voucher re-issue, tier overrides, suspension:
    /// owner and support.
    Serve,
    /// API keys, users, sites, partners, the point policy and the console's settings: owner.
    Administer,
}

impl Perm {
    pub const ALL: [Perm; 4] = [Perm::View, Perm::Configure, Perm::Serve, Perm::Administer];

    pub fn allows(self, role: Role) -> bool {
        matches!(
            (self, role),
            (_, Role::Owner)
                | (Perm::View, _)
                | (Perm::Configure, Role::Marketer)
                | (Perm::Serve, Role::Support)
        )
    }
}

/// A signed-in operator working in one program.
#[derive(Debug, Clone)]
pub struct Session {
    pub operator: Operator,
    pub role: Role,
    pub program: Program,
    /// The token state-changing requests carry.
    pub csrf: String,
    pub lang: Lang,
    /// The session's public id.
    pub id: String,
    /// The store's key of the session (the SHA-256 of the cookie's secret).
    pub secret_hash: String,
}

impl Session {
    pub fn can(&self, perm: Perm) -> bool {
        perm.allows(self.role)
    }

    /// A 403 unless the role allows `perm`.
    pub fn require(&self, perm: Perm) -> Result<(), super::Failure> {
        if self.can(perm) {
            Ok(())
        } else {
            Err(super::Failure::Forbidden)
        }
    }

    /// The operator as the author of a change.
    pub fn actor(&self) -> crate::actor::Actor {
        crate::actor::Actor::User {
            id: self.operator.id.clone(),
            email: self.operator.email.clone(),
            name: self.operator.name.clone(),
        }
    }
}

/// The language of a request: the remembered choice, else zh-CN.
pub fn lang_of(headers: &HeaderMap) -> Lang {
    cookie(headers, crate::console::i18n::COOKIE)
        .and_then(|v| Lang::parse(&v))
        .unwrap_or_default()
}

/// A cookie's value from the request's `Cookie` headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// Whether the request came over TLS (directly or, as a proxy says, before it): cookies are then
/// `Secure`.
pub fn is_tls(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// A `Set-Cookie` value: `HttpOnly` (unless `script`), `SameSite=Lax`, path `/console`, and
/// `Secure` behind TLS.
pub fn set_cookie(name: &str, value: &str, max_age: Option<i64>, tls: bool) -> String {
    set_cookie_at(name, value, "/console", max_age, tls)
}

/// [`set_cookie`] for another path (the member portal's cookies are scoped to one program's
/// pages).
pub fn set_cookie_at(
    name: &str,
    value: &str,
    path: &str,
    max_age: Option<i64>,
    tls: bool,
) -> String {
    let mut c = format!("{name}={value}; Path={path}; HttpOnly; SameSite=Lax");
    if let Some(s) = max_age {
        c.push_str(&format!("; Max-Age={s}"));
    }
    if tls {
        c.push_str("; Secure");
    }
    c
}

/// A random token: 32 bytes, URL-safe base64.
pub fn token() -> String {
    use base64::Engine;
    let bytes: [u8; 32] = rand::rng().random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn argon2() -> Argon2<'static> {
    // OWASP's argon2id parameters: 19 MiB, 2 passes, 1 lane.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// An argon2id hash (PHC string) of a password, computed off the async threads.
pub async fn hash_password(password: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || {
        argon2()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())
    .and_then(|r| r)
    .map_err(|e| {
        tracing::error!(error = %e, "cannot hash a password");
        ApiError::Internal
    })
}

/// Whether `password` matches a stored hash (a malformed hash matches nothing).
pub async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| {
                argon2()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// A hash to verify against when the email is unknown, so that an unknown email takes as long
/// to refuse as a wrong password.
pub async fn decoy_hash() -> String {
    static DECOY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DECOY
        .get_or_init(|| async {
            hash_password(token())
                .await
                .unwrap_or_else(|_| String::from("$argon2id$v=19$m=19456,t=2,p=1$x$x"))
        })
        .await
        .clone()
}

/// The address a request comes from: the peer, or behind a trusted reverse proxy
/// (`trust_forwarded_for`) the first `X-Forwarded-For` hop. Untrusted, the header would let a
/// client pick its own address and escape the lockout.
pub fn client_address(state: &AppState, parts: &Parts) -> String {
    if let Some(fwd) = state.trust_forwarded_for.then_some(()).and(
        parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty()),
    ) {
        return fwd.chars().take(64).collect();
    }
    parts
        .extensions
        .get::<ConnectInfo<crate::wire::Peer>>()
        .map(|c| c.0.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Why a request has no session.
pub enum NoSession {
    /// No cookie, or one the store does not know.
    Missing,
    /// Revoked, idle too long, or the operator lost its role or was disabled.
    Expired,
}

/// The session of a request's cookie, checked and (at most once a minute) touched.
pub async fn load(parts: &Parts, state: &AppState) -> Result<Result<Session, NoSession>, ApiError> {
    let Some(secret) = cookie(&parts.headers, COOKIE) else {
        return Ok(Err(NoSession::Missing));
    };
    let hash = hash_secret(&secret);
    let Some(s) = state.store.session_by_secret(&hash).await? else {
        return Ok(Err(NoSession::Missing));
    };
    let now = state.clock.now();
    if s.revoked_at.is_some() || s.expires_at <= now {
        return Ok(Err(NoSession::Expired));
    }
    let Some(operator) = state.store.get_operator(&s.operator_id).await? else {
        return Ok(Err(NoSession::Expired));
    };
    if operator.disabled_at.is_some() {
        return Ok(Err(NoSession::Expired));
    }
    let Some(role) = state.store.role_in(&operator.id, &s.program_id).await? else {
        return Ok(Err(NoSession::Expired));
    };
    let Some(program) = state.store.get_program(&s.program_id).await? else {
        return Ok(Err(NoSession::Expired));
    };
    if now - s.last_seen_at >= TOUCH_EVERY {
        state.store.touch_session(&hash, now, now + IDLE).await?;
    }
    Ok(Ok(Session {
        operator,
        role,
        program,
        csrf: s.csrf,
        lang: lang_of(&parts.headers),
        id: s.id,
        secret_hash: hash,
    }))
}

/// Opens a session for an operator in a program: a new secret every time, so an id planted
/// before sign-in is never the one after it.
pub async fn open(
    state: &AppState,
    operator: &Operator,
    program_id: &str,
    parts: &Parts,
) -> Result<String, ApiError> {
    let secret = token();
    let now = state.clock.now();
    let user_agent = parts
        .headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.chars().take(200).collect());
    state
        .store
        .create_session(&ConsoleSession {
            secret_hash: hash_secret(&secret),
            id: uuid::Uuid::now_v7().to_string(),
            operator_id: operator.id.clone(),
            program_id: program_id.to_owned(),
            csrf: token(),
            created_at: now,
            last_seen_at: now,
            expires_at: now + IDLE,
            revoked_at: None,
            address: Some(client_address(state, parts)),
            user_agent,
        })
        .await?;
    Ok(secret)
}

impl FromRequestParts<AppState> for Session {
    type Rejection = super::Failure;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(s) = parts.extensions.get::<Session>() {
            return Ok(s.clone());
        }
        match load(parts, state).await? {
            Ok(s) => Ok(s),
            Err(why) => Err(super::Failure::SignIn {
                expired: matches!(why, NoSession::Expired),
                next: parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str().to_owned())
                    .filter(|_| parts.method == Method::GET),
            }),
        }
    }
}

/// Whether a state-changing request came from this site, when the browser says where it came
/// from (`Sec-Fetch-Site`, `Origin`). The CSRF token is checked besides
/// ([`presented_csrf`]).
pub fn same_site(headers: &HeaderMap) -> bool {
    let cross = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == "cross-site");
    let origin_ok = match (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        headers.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) {
        (Some("null"), _) => false,
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_some_and(|(_, rest)| rest.eq_ignore_ascii_case(host)),
        _ => true,
    };
    !cross && origin_ok
}

/// Whether two secrets are equal, in a time that does not depend on where they differ.
pub fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The most a console form may send (image uploads have their own limit).
pub const FORM_LIMIT: usize = 2 * 1024 * 1024;

/// The guard of every console route: a session whose role allows `perm`, and for a
/// state-changing request the CSRF token. The session is handed to the handler.
pub async fn guard(
    State((state, perm)): State<(AppState, Perm)>,
    req: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = req.into_parts();
    let session = match Session::from_request_parts(&mut parts, &state).await {
        Ok(s) => s,
        Err(f) => return f.into_response_for(&parts.headers),
    };
    if !perm.allows(session.role) {
        return super::Failure::Forbidden.render(session.lang, &parts.headers);
    }
    let mut body = body;
    if !matches!(parts.method, Method::GET | Method::HEAD) {
        if !same_site(&parts.headers) {
            return super::Failure::Csrf.render(session.lang, &parts.headers);
        }
        let (token, rest) = match presented_csrf(&parts, body).await {
            Ok(found) => found,
            Err(e) => return e.into_response(),
        };
        body = rest;
        if !token.is_some_and(|t| constant_eq(&t, &session.csrf)) {
            return super::Failure::Csrf.render(session.lang, &parts.headers);
        }
    }
    parts.extensions.insert(session);
    next.run(Request::from_parts(parts, body)).await
}

/// The CSRF token a state-changing request carries: header `x-csrf-token`, `?csrf=` (multipart
/// uploads) or the form field `csrf` of a urlencoded body, which is read and handed back.
pub async fn presented_csrf(
    parts: &Parts,
    body: axum::body::Body,
) -> Result<(Option<String>, axum::body::Body), ApiError> {
    let header_token = parts
        .headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let query_token = parts.uri.query().and_then(|q| {
        url_pairs(q)
            .into_iter()
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v)
    });
    let form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    match (header_token.or(query_token), form) {
        (Some(t), _) => Ok((Some(t), body)),
        (None, true) => {
            let bytes = axum::body::to_bytes(body, FORM_LIMIT)
                .await
                .map_err(|_| ApiError::PayloadTooLarge)?;
            let found = std::str::from_utf8(&bytes).ok().and_then(|text| {
                url_pairs(text)
                    .into_iter()
                    .find(|(k, _)| k == "csrf")
                    .map(|(_, v)| v)
            });
            Ok((found, axum::body::Body::from(bytes)))
        }
        (None, false) => Ok((None, body)),
    }
}

/// The decoded `key=value` pairs of a query or form body (none when it does not decode).
pub fn url_pairs(text: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str(text).unwrap_or_default()
}

/// A redirect that htmx follows as a full page load, and a browser as a 303.
pub fn redirect(headers: &HeaderMap, to: &str) -> Response {
    if headers.contains_key("hx-request") {
        (StatusCode::OK, [("hx-redirect", to.to_owned())]).into_response()
    } else {
        Redirect::to(to).into_response()
    }
}
