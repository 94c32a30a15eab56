//! The limits of a request that hold before any route reads it (see docs/api.md#limits).

use axum::extract::Request;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

/// Longest request target (path and query string) answered, in bytes. jifen's own URLs are far
/// shorter; hyper refuses targets past 65,534 bytes before this layer sees them, and
/// [`crate::wire`] makes that answer the same JSON.
pub const MAX_URI_BYTES: usize = 8 * 1024;

/// The `414 uri_too_long` refusal of a request whose target is longer than
/// [`MAX_URI_BYTES`], if it is.
pub fn uri_too_long(req: &Request) -> Option<Response> {
    let len = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    (len > MAX_URI_BYTES).then(|| ApiError::UriTooLong { max: MAX_URI_BYTES }.into_response())
}
