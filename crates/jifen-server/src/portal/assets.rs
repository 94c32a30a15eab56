//! The portal's stylesheet, embedded in the binary and served under a name that carries its
//! hash, so browsers keep it for a year and a new build is a new name.

use std::sync::LazyLock;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

use crate::app::AppState;

const CSS: &[u8] = include_bytes!("../../assets/portal.css");

/// The first 16 hex digits of the stylesheet's SHA-256: its ETag and part of its name.
static HASH: LazyLock<String> = LazyLock::new(|| hex::encode(Sha256::digest(CSS))[..16].into());

/// The stylesheet's address, for the pages: `/portal/assets/portal-<hash>.css`.
pub fn css_href() -> String {
    format!("/portal/assets/portal-{}.css", *HASH)
}

/// The route of the portal's files (open: they hold nothing of a member).
pub fn routes() -> Router<AppState> {
    Router::new().route("/portal/assets/{name}", get(serve))
}

async fn serve(Path(name): Path<String>, headers: HeaderMap) -> Response {
    // Only the current name: an old page asking for an older file gets a 404, never stale CSS
    // cached for a year under a name it does not match.
    if name != format!("portal-{}.css", *HASH) {
        return (StatusCode::NOT_FOUND, "no such file").into_response();
    }
    let etag = format!("\"{}\"", *HASH);
    let cache = "public, max-age=31536000, immutable";
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    if matches {
        return (
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, etag), (header::CACHE_CONTROL, cache.into())],
        )
            .into_response();
    }
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8".to_owned()),
            (header::ETAG, etag),
            (header::CACHE_CONTROL, cache.to_owned()),
        ],
        CSS,
    )
        .into_response()
}
