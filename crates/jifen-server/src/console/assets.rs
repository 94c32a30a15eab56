//! The console's static files, embedded in the binary. Vendored libraries carry their version in
//! their names and are cached for a year; the console's own files are revalidated by ETag.

use std::sync::LazyLock;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

use crate::app::AppState;

/// Name, content type, whether it is immutable, bytes.
type Asset = (&'static str, &'static str, bool, &'static [u8]);

const FILES: &[Asset] = &[
    (
        "console.css",
        "text/css; charset=utf-8",
        false,
        include_bytes!("../../assets/console.css"),
    ),
    (
        "console.js",
        "text/javascript; charset=utf-8",
        false,
        include_bytes!("../../assets/console.js"),
    ),
    (
        "htmx-2.0.11.min.js",
        "text/javascript; charset=utf-8",
        true,
        include_bytes!("../../assets/vendor/htmx-2.0.11.min.js"),
    ),
    (
        "echarts-6.1.0.min.js",
        "text/javascript; charset=utf-8",
        true,
        include_bytes!("../../assets/vendor/echarts-6.1.0.min.js"),
    ),
];

/// The ETag of every file, computed once.
static ETAGS: LazyLock<Vec<String>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|(_, _, _, bytes)| format!("\"{}\"", &hex::encode(Sha256::digest(bytes))[..16]))
        .collect()
});

pub fn routes() -> Router<AppState> {
    Router::new().route("/console/assets/{name}", get(serve))
}

async fn serve(Path(name): Path<String>, headers: HeaderMap) -> Response {
    let Some(i) = FILES.iter().position(|f| f.0 == name) else {
        return (StatusCode::NOT_FOUND, "no such file").into_response();
    };
    let (_, content_type, immutable, bytes) = FILES[i];
    let etag = &ETAGS[i];
    let cache = if immutable {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    if matches {
        return (
            StatusCode::NOT_MODIFIED,
            [
                (header::ETAG, etag.clone()),
                (header::CACHE_CONTROL, cache.into()),
            ],
        )
            .into_response();
    }
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::ETAG, etag.clone()),
            (header::CACHE_CONTROL, cache.to_owned()),
        ],
        bytes,
    )
        .into_response()
}
