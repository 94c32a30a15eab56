//! The limits of a request that hold before any route reads it (see docs/api.md#limits).

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

/// Longest request target (path and query string) answered, in bytes. jifen's own URLs are far
/// shorter; hyper refuses targets past 65,534 bytes before this layer sees them, and
/// [`crate::wire`] makes that answer the same JSON.
pub const MAX_URI_BYTES: usize = 8 * 1024;

/// Refuses a request whose target is longer than [`MAX_URI_BYTES`] with `414 uri_too_long`.
pub async fn limit_uri(req: Request, next: Next) -> Response {
    let len = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if len > MAX_URI_BYTES {
        return ApiError::UriTooLong { max: MAX_URI_BYTES }.into_response();
    }
    next.run(req).await
}
