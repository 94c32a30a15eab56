//! Request extractors: JSON bodies parsed with the failing field named, and API-key auth.

use std::sync::Arc;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::app::AppState;
use crate::error::ApiError;
use crate::keycache::Principal;
use crate::keys::hash_secret;
use jifen_store::Program;

/// A JSON body. Syntax errors are a 400 `malformed_json`; a value of the wrong shape is a 422
/// `invalid_request` naming the field (`events[3].attributes.amount`).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = body_bytes(req, state).await?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// A JSON body whose strings the handler checks itself ([`crate::strings::check_value`]), part
/// by part: a batch whose items each answer for themselves, where a control character in one
/// item fails that item only. Syntax and duplicate keys are checked as for [`ApiJson`].
pub struct ApiJsonItems<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJsonItems<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = body_bytes(req, state).await?;
        parse_json_shape(&bytes).map(ApiJsonItems)
    }
}

async fn body_bytes<S: Send + Sync>(
    req: Request,
    state: &S,
) -> Result<axum::body::Bytes, ApiError> {
    axum::body::Bytes::from_request(req, state)
        .await
        .map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::MalformedJson(e.body_text())
            }
        })
}

/// Parses JSON, naming the field at fault. An object that names a key twice, at any depth, is a
/// 400 `malformed_json` naming it.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let value = parse_json_shape(bytes)?;
    crate::strings::check_body(bytes)?;
    Ok(value)
}

/// [`parse_json`] without the check of the body's strings.
fn parse_json_shape<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if let Some(dup) = crate::json_keys::find_duplicate_key(bytes) {
        return Err(ApiError::DuplicateKey {
            field: dup.field(),
            key: dup.key,
        });
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        match inner.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                ApiError::MalformedJson(inner.to_string())
            }
            _ => {
                let field = if path == "." { String::new() } else { path };
                let msg = strip_position(&inner.to_string());
                let message = if field.is_empty() {
                    msg.clone()
                } else {
                    format!("{field}: {msg}")
                };
                ApiError::invalid(with_missing_field(&field, &msg), message)
            }
        }
    })?;
    // Only whitespace may follow the value (`{"a": 1} trailing` is not JSON).
    de.end()
        .map_err(|e| ApiError::MalformedJson(e.to_string()))?;
    Ok(value)
}

/// serde reports a missing field at the object that lacks it; the field is the one missing
/// (`expiry` + "missing field `days`" → `expiry.days`).
pub fn with_missing_field(path: &str, msg: &str) -> String {
    let missing = msg
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next());
    match missing {
        Some(name) if path.is_empty() => name.to_owned(),
        Some(name) => format!("{path}.{name}"),
        None => path.to_owned(),
    }
}

/// serde_json appends " at line 1 column 42"; the field path says more.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

/// A query string. A value of the wrong shape (`?limit=ten`) is a 422 `invalid_request` naming
/// the parameter, like a body field, rather than axum's plain-text 400.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        crate::strings::check_query(parts.uri.query())?;
        axum::extract::Query::try_from_uri(&parts.uri)
            .map(|axum::extract::Query(q)| ApiQuery(q))
            .map_err(|rejection| {
                // The cause reads `field: message` (serde_path_to_error) or just `message`.
                let cause = std::error::Error::source(&rejection)
                    .map_or_else(|| rejection.body_text(), ToString::to_string);
                let field = cause
                    .split_once(": ")
                    .map(|(f, _)| f)
                    .filter(|f| {
                        !f.is_empty()
                            && f.chars()
                                .all(|c| c.is_ascii_alphanumeric() || "_.[]".contains(c))
                    })
                    .unwrap_or_default();
                ApiError::invalid(field, cause.clone())
            })
    }
}

/// The program an API key belongs to. A request without a valid key is a 401; a partner's
/// key is a 403 here (it reaches only the partner routes).
pub struct Auth(pub Program);

/// The program and partner of a partner's key, for the partner routes.
pub struct PartnerAuth(pub Program, pub String);

/// The principal of the request's key: the one the `/v1` layer found, or looked up now.
pub(crate) async fn principal(parts: &Parts, state: &AppState) -> Result<Arc<Principal>, ApiError> {
    if let Some(found) = parts.extensions.get::<Arc<Principal>>() {
        return Ok(found.clone());
    }
    authenticate(parts, state).await.map(|(p, _)| p)
}

/// The principal of the request's key and the key's hash. A request without a valid key is a
/// 401.
pub async fn authenticate(
    parts: &Parts,
    state: &AppState,
) -> Result<(Arc<Principal>, String), ApiError> {
    let header = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or(ApiError::Unauthorized)?;
    let secret = bearer_secret(header)?;
    let hash = hash_secret(secret);
    if let Some(principal) = state.keys.get(&hash) {
        return Ok((principal, hash));
    }
    let (program, key) = state
        .store
        .program_by_key_hash(&hash)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    let principal = Arc::new(Principal {
        program,
        partner_id: key.partner_id,
        actor: crate::actor::Actor::ApiKey {
            id: key.id,
            name: key.name,
        },
    });
    state.keys.put(hash.clone(), principal.clone());
    Ok((principal, hash))
}

/// The key of an `Authorization: Bearer <key>` header. The scheme is case-insensitive and may be
/// followed by several spaces (RFC 9110 §11.4: `auth-scheme 1*SP token68`); the key is a
/// token68, so a space inside it or after it is refused with a message that says so, rather
/// than trimmed away.
pub fn bearer_secret(header: &str) -> Result<&str, ApiError> {
    let (scheme, rest) = header.split_once(' ').ok_or(ApiError::Unauthorized)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(ApiError::Unauthorized);
    }
    let secret = rest.trim_start_matches(' ');
    if secret.chars().any(char::is_whitespace) {
        return Err(ApiError::BadCredentials(
            "the API key in the Authorization header contains a space: send \
             `Authorization: Bearer jf_sk_…` with nothing inside or after the key"
                .into(),
        ));
    }
    if !secret.starts_with(crate::keys::SECRET_PREFIX) {
        return Err(ApiError::Unauthorized);
    }
    Ok(secret)
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match &*principal(parts, state).await? {
            Principal {
                program,
                partner_id: None,
                ..
            } => Ok(Auth(program.clone())),
            Principal {
                partner_id: Some(p),
                ..
            } => Err(ApiError::Forbidden(format!(
                "this key belongs to partner {p}: it reaches only /v1/partner/…"
            ))),
        }
    }
}

impl FromRequestParts<AppState> for PartnerAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match &*principal(parts, state).await? {
            Principal {
                program,
                partner_id: Some(p),
                ..
            } => Ok(PartnerAuth(program.clone(), p.clone())),
            Principal {
                partner_id: None, ..
            } => Err(ApiError::Forbidden(
                "partner routes take a partner's key (POST /v1/partners/{id}/api-keys)".into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scheme_is_loose_the_key_is_exact() {
        let key = "jf_sk_abc";
        for ok in ["Bearer jf_sk_abc", "bearer jf_sk_abc", "BEARER   jf_sk_abc"] {
            assert_eq!(bearer_secret(ok).unwrap(), key, "{ok}");
        }
        for spaced in [
            "Bearer jf_sk_abc ",
            "Bearer jf_sk_ abc",
            "Bearer jf_sk_abc\t",
        ] {
            let e = bearer_secret(spaced).unwrap_err();
            assert!(matches!(e, ApiError::BadCredentials(_)), "{spaced}: {e:?}");
            assert_eq!(e.code_and_status().0, "unauthorized");
            assert!(e.to_string().contains("space"), "{e}");
        }
        for bad in [
            "Bearer",
            "Basic jf_sk_abc",
            "Bearerjf_sk_abc",
            "Bearer abc",
            "Bearer ",
        ] {
            assert!(
                matches!(bearer_secret(bad), Err(ApiError::Unauthorized)),
                "{bad}"
            );
        }
    }
}
