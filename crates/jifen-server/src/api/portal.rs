//! Links into the member portal: the brand's backend mints a short-lived one-time link for one
//! member and opens it in a web-view or a browser (see docs/portal.md).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use jifen_store::portal::PortalLink;

use crate::app::AppState;
use crate::console::i18n::Lang;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Auth;
use crate::service::ledger::find_member;

/// How long a link lives when the request does not say.
pub const DEFAULT_LINK_TTL_SECONDS: i64 = 300;
/// The shortest life a link may be given.
pub const MIN_LINK_TTL_SECONDS: i64 = 60;
/// The longest life a link may be given: a link is a bearer secret in a URL.
pub const MAX_LINK_TTL_SECONDS: i64 = 900;

/// What a link is minted with; every field is optional (and so is the body).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PortalLinkIn {
    /// The portal's language: `zh-CN` (the default) or `en`.
    #[schema(example = "zh-CN")]
    pub lang: Option<String>,
    /// Seconds the link may be opened in: 60 to 900, 300 by default.
    #[schema(example = 300)]
    pub ttl_seconds: Option<i64>,
    /// A phone number the brand has verified (an SMS code, WeChat's phone number button): the
    /// profile page offers it to the member, and binds it to them when they confirm. Numbers
    /// without a country code are taken as Chinese (+86).
    #[schema(example = "13800000001")]
    pub phone: Option<String>,
}

/// A minted link: open `url` once, before `expires_at`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PortalLinkOut {
    /// `<scheme>://<host>/portal/<program>/enter?token=…`, usable once.
    pub url: String,
    pub expires_at: DateTime<Utc>,
}

/// Mint a one-time link into the member portal for one member. The link opens a session
/// scoped to that member and this program; it can be opened once, within its lifetime.
#[utoipa::path(post, path = "/v1/members/{external_id}/portal-links", tag = "members",
    params(("external_id" = String, Path, description = "The brand's id for the member")),
    request_body(content = Option<PortalLinkIn>),
    responses((status = 201, body = PortalLinkOut), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn create_portal_link(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(external_id): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<PortalLinkOut>), ApiError> {
    // No body, or `null`: the defaults.
    let input: PortalLinkIn = if body.iter().all(u8::is_ascii_whitespace) {
        PortalLinkIn::default()
    } else {
        crate::extract::parse_json::<Option<PortalLinkIn>>(&body)?.unwrap_or_default()
    };
    let lang = match input.lang.as_deref() {
        None => Lang::Zh,
        Some("zh-CN") => Lang::Zh,
        Some("en") => Lang::En,
        Some(_) => return Err(ApiError::invalid("lang", "`zh-CN` or `en` is expected")),
    };
    let ttl = input.ttl_seconds.unwrap_or(DEFAULT_LINK_TTL_SECONDS);
    if !(MIN_LINK_TTL_SECONDS..=MAX_LINK_TTL_SECONDS).contains(&ttl) {
        return Err(ApiError::invalid(
            "ttl_seconds",
            format!("from {MIN_LINK_TTL_SECONDS} to {MAX_LINK_TTL_SECONDS} seconds"),
        ));
    }
    let phone = input
        .phone
        .as_deref()
        .map(|p| crate::parse::phone("phone", p))
        .transpose()?;
    let member = find_member(&state, &program, &external_id).await?;
    if member.status == "erased" {
        return Err(ApiError::MemberNotFound(external_id));
    }
    let token = crate::console::auth::token();
    let now = state.clock.now();
    let expires_at = now + Duration::seconds(ttl);
    state
        .store
        .create_portal_link(&PortalLink {
            hash: crate::console::auth::hash_secret(&token),
            program_id: program.id.clone(),
            member_id: member.id,
            lang: lang.code().to_owned(),
            created_at: now,
            expires_at,
            used_at: None,
            phone,
        })
        .await?;
    let url = format!(
        "{}/portal/{}/enter?token={token}",
        base_url(&state, &headers),
        crate::console::api::seg(&program.id)
    );
    Ok((StatusCode::CREATED, Json(PortalLinkOut { url, expires_at })))
}

/// The server's address as the caller reached it: the request's `Host`, over `https` when a
/// trusted proxy (`trust_forwarded_for`) says `X-Forwarded-Proto: https`, else `http`. Empty
/// (a link relative to the server) when the request names no usable host.
pub fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
        });
    let Some(host) = host else {
        return String::new();
    };
    let tls = state.trust_forwarded_for
        && headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
    let scheme = if tls { "https" } else { "http" };
    format!("{scheme}://{host}")
}
