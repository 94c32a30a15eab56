//! Entering the portal with a one-time link, the member's session, the CSRF guard of every
//! portal request, and writes into the `/v1` router on the member's behalf.

use axum::extract::{FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Duration;
use serde::Deserialize;
use serde_json::Value;

use jifen_store::portal::PortalSession;
use jifen_store::{Member, Program};

use super::Failure;
use super::branding::Branding;
use super::i18n;
use crate::app::AppState;
use crate::console::auth::{constant_eq, cookie, hash_secret, presented_csrf, same_site, token};
use crate::console::i18n::Lang;

/// The session cookie; its path is the program's pages (`/portal/<program>/`).
pub const COOKIE: &str = "jifen_portal";
/// A session unused this long expires.
pub const IDLE: Duration = Duration::minutes(30);
/// A session expires this long after it was opened, however much it is used.
pub const ABSOLUTE: Duration = Duration::hours(12);
/// Use of a session is recorded at most this often (each record is a write).
const TOUCH_EVERY: Duration = Duration::minutes(1);

/// The pages of a program: `/portal/<program>/`, the path of its cookies.
pub fn base(program_id: &str) -> String {
    format!("/portal/{}/", crate::console::api::seg(program_id))
}

/// A member signed in to the portal of one program.
#[derive(Debug, Clone)]
pub struct Visit {
    pub program: Program,
    pub member: Member,
    /// The token state-changing requests carry.
    pub csrf: String,
    pub lang: Lang,
    pub brand: Branding,
    /// The verified phone number the brand sent with the session's link, for the member to bind.
    pub offered_phone: Option<String>,
}

impl Visit {
    /// The chrome of a page of this visit.
    pub fn chrome(&self, active: &'static str, here: &'static str) -> super::Chrome {
        super::Chrome {
            lang: self.lang,
            brand: self.brand.clone(),
            base: base(&self.program.id),
            active,
            here,
        }
    }

    pub fn t(&self, key: &str) -> &'static str {
        i18n::t(self.lang, key)
    }
}

/// The query of a link: its one-time token.
#[derive(Deserialize)]
pub struct EnterQuery {
    #[serde(default)]
    token: String,
}

/// `/portal/<program>` without its slash: the home page.
pub async fn to_home(Path(program): Path<String>) -> Response {
    Redirect::to(&base(&program)).into_response()
}

/// Uses a one-time link: opens a session for its member (a new secret every time), sets the
/// cookie and sends the browser to the clean home page, without the token in its address.
pub async fn enter(
    State(state): State<AppState>,
    Path(program_id): Path<String>,
    Query(q): Query<EnterQuery>,
    headers: HeaderMap,
) -> Result<Response, Failure> {
    if q.token.is_empty() || q.token.len() > 100 {
        return Err(Failure::LinkUnknown);
    }
    let hash = hash_secret(&q.token);
    let now = state.clock.now();
    let link = match state
        .store
        .consume_portal_link(&program_id, &hash, now)
        .await?
    {
        Some(link) => link,
        None => {
            return Err(match state.store.portal_link(&hash).await? {
                Some(link) if link.program_id == program_id => Failure::LinkSpent {
                    lang: Lang::parse(&link.lang).unwrap_or_default(),
                },
                _ => Failure::LinkUnknown,
            });
        }
    };
    let path = base(&program_id);
    let mut res = (StatusCode::SEE_OTHER, [(header::LOCATION, path)]).into_response();
    open_session(
        &state,
        &program_id,
        (link.member_id, link.phone),
        &link.lang,
        &headers,
        &mut res,
    )
    .await?;
    Ok(res)
}

/// Opens a session of `member_id` in the program (a new secret every time) and sets its cookie
/// and the language's on `res`: entering with a link (with the verified phone number it may
/// bring), and a friend enrolled by claiming a gift.
pub async fn open_session(
    state: &AppState,
    program_id: &str,
    (member_id, phone): (i64, Option<String>),
    lang: &str,
    headers: &HeaderMap,
    res: &mut Response,
) -> Result<(), Failure> {
    let now = state.clock.now();
    let secret = token();
    state
        .store
        .create_portal_session(&PortalSession {
            hash: hash_secret(&secret),
            program_id: program_id.to_owned(),
            member_id,
            csrf: token(),
            created_at: now,
            last_seen_at: now,
            expires_at: now + IDLE,
            phone,
        })
        .await?;
    let tls = crate::console::auth::is_tls(headers);
    let path = base(program_id);
    // A session cookie (no Max-Age): the server decides when the session ends.
    for c in [
        crate::console::auth::set_cookie_at(COOKIE, &secret, &path, None, tls),
        crate::console::auth::set_cookie_at(i18n::COOKIE, lang, "/portal/", None, tls),
    ] {
        if let Ok(v) = HeaderValue::from_str(&c) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    Ok(())
}

/// The program named by a portal path (`/portal/<program>/…`), percent-decoded.
pub fn path_program(uri: &axum::http::Uri) -> Option<String> {
    let raw = uri.path().strip_prefix("/portal/")?.split('/').next()?;
    percent_decode(raw)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The visit of a request's cookie: a live session of the program in the path, touched at most
/// once a minute. `Err(SessionExpired)` when there is none: no cookie, an unknown or expired
/// session, or a session of another program.
pub async fn load(parts: &Parts, state: &AppState) -> Result<Visit, Failure> {
    let program_id = path_program(&parts.uri).ok_or(Failure::NotFound)?;
    let secret = cookie(&parts.headers, COOKIE).ok_or(Failure::SessionExpired)?;
    let hash = hash_secret(&secret);
    let s = state
        .store
        .portal_session(&hash)
        .await?
        .ok_or(Failure::SessionExpired)?;
    let now = state.clock.now();
    let deadline = s.created_at + ABSOLUTE;
    if s.program_id != program_id || s.expires_at <= now || deadline <= now {
        return Err(Failure::SessionExpired);
    }
    let program = state
        .store
        .get_program(&s.program_id)
        .await?
        .ok_or(Failure::SessionExpired)?;
    let external_id = state
        .store
        .portal_member(&s.program_id, s.member_id)
        .await?
        .ok_or(Failure::SessionExpired)?;
    let member = state
        .store
        .get_member(&s.program_id, &external_id)
        .await?
        .filter(|m| m.status != "erased")
        .ok_or(Failure::SessionExpired)?;
    if now - s.last_seen_at >= TOUCH_EVERY {
        state
            .store
            .touch_portal_session(&hash, now, (now + IDLE).min(deadline))
            .await?;
    }
    let brand = Branding::of(state, &program).await?;
    Ok(Visit {
        program,
        member,
        csrf: s.csrf,
        lang: i18n::lang_of(&parts.headers, parts.uri.query()),
        brand,
        offered_phone: s.phone,
    })
}

impl FromRequestParts<AppState> for Visit {
    type Rejection = Failure;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(v) = parts.extensions.get::<Visit>() {
            return Ok(v.clone());
        }
        load(parts, state).await
    }
}

/// The guard of every portal page: a live session of the program in the path, and for a
/// state-changing request the same-site check and the session's CSRF token. The visit is
/// handed to the handler. A `?lang=` choice is remembered in a cookie.
pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, mut body) = req.into_parts();
    let query_lang = parts.uri.query().and_then(i18n::query_lang);
    let visit = match load(&parts, &state).await {
        Ok(v) => v,
        Err(f) => {
            let brand = brand_of_path(&state, &parts.uri).await;
            return f.render(i18n::lang_of(&parts.headers, parts.uri.query()), brand);
        }
    };
    if !matches!(parts.method, Method::GET | Method::HEAD) {
        let refuse = || Failure::Csrf.render(visit.lang, Some(visit.brand.clone()));
        if !same_site(&parts.headers) {
            return refuse();
        }
        let (token, rest) = match presented_csrf(&parts, body).await {
            Ok(found) => found,
            Err(e) => return e.into_response(),
        };
        body = rest;
        if !token.is_some_and(|t| constant_eq(&t, &visit.csrf)) {
            return refuse();
        }
    }
    let tls = crate::console::auth::is_tls(&parts.headers);
    parts.extensions.insert(visit);
    let mut res = next.run(Request::from_parts(parts, body)).await;
    if let Some(lang) = query_lang {
        remember_lang(&mut res, lang, tls);
    }
    res
}

/// Remembers a language chosen with `?lang=` (the header's switch) for the portal's next pages,
/// a year long: set on `res`.
pub fn remember_lang(res: &mut Response, lang: Lang, tls: bool) {
    let c = crate::console::auth::set_cookie_at(
        i18n::COOKIE,
        lang.code(),
        "/portal/",
        Some(365 * 24 * 3600),
        tls,
    );
    if let Ok(v) = HeaderValue::from_str(&c) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// The look of the program named in the path, for a page without a session (none when the
/// program is unknown or cannot be read: the page is then plain).
pub async fn brand_of_path(state: &AppState, uri: &axum::http::Uri) -> Option<Branding> {
    let id = path_program(uri)?;
    let program = state.store.get_program(&id).await.ok()??;
    Branding::of(state, &program).await.ok()
}

/// Sends `POST path` with a JSON body to the `/v1` router as the program itself (the principal
/// a brand's key would be), so that validation, idempotency and rules are the API's own.
pub async fn call(
    state: &AppState,
    visit: &Visit,
    path: &str,
    body: Value,
) -> Result<Value, Failure> {
    call_method(state, visit, Method::POST, path, body).await
}

/// [`call`] with another method (`PUT /v1/members/{id}` for the profile).
pub async fn call_method(
    state: &AppState,
    visit: &Visit,
    method: Method,
    path: &str,
    body: Value,
) -> Result<Value, Failure> {
    let actor = crate::actor::Actor::Portal {
        member_id: visit.member.id.to_string(),
    };
    crate::console::api::call_as(state, &visit.program, actor, method, path, Some(body))
        .await
        .map(|a| a.body)
        .map_err(Failure::Answer)
}
