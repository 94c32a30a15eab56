//! Request extractors: JSON bodies parsed with the failing field named, and API-key auth.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::app::AppState;
use crate::error::ApiError;
use crate::keys::hash_secret;
use jifen_store::Program;

/// A JSON body. Syntax errors are a 400 `malformed_json`; a value of the wrong shape is a 422
/// `invalid_request` naming the field (`events[3].attributes.amount`).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| {
                if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::PayloadTooLarge
                } else {
                    ApiError::MalformedJson(e.body_text())
                }
            })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Parses JSON, naming the field at fault.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        match inner.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                ApiError::MalformedJson(inner.to_string())
            }
            _ => {
                let field = if path == "." { String::new() } else { path };
                let msg = strip_position(&inner.to_string());
                ApiError::invalid(
                    field.clone(),
                    if field.is_empty() {
                        msg
                    } else {
                        format!("{field}: {msg}")
                    },
                )
            }
        }
    })
}

/// serde_json appends " at line 1 column 42"; the field path says more.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

/// The program an API key belongs to. A request without a valid key is a 401.
pub struct Auth(pub Program);

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or(ApiError::Unauthorized)?;
        let secret = header
            .strip_prefix("Bearer ")
            .map(str::trim)
            .filter(|s| s.starts_with(crate::keys::SECRET_PREFIX))
            .ok_or(ApiError::Unauthorized)?;
        let (program, _key) = state
            .store
            .program_by_key_hash(&hash_secret(secret))
            .await?
            .ok_or(ApiError::Unauthorized)?;
        Ok(Auth(program))
    }
}
