//! The portal's files, embedded in the binary. The stylesheet is written into every page's
//! `<style>`; the gift link page's copy script and the picture of a gift's share card are served
//! under names that carry their hash, so browsers keep them for a year and a new build is a new
//! name.
//!
//! A linked stylesheet costs the first page a round trip of its own after the link's redirect
//! and the page: on a slow 3G connection (400 ms a round trip) that is the difference between a
//! first page interactive in about 1.4 s and one in about 1 s, against a budget of 1.5 s
//! (docs/portal.md, "Weight and speed"). The sheet is small — about 1.8 KB compressed — so
//! sending it with each page costs less than the request it saves.

use std::sync::LazyLock;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

use crate::app::AppState;

/// One embedded file: the start of its name, its extension, its type and its bytes.
struct Asset {
    stem: &'static str,
    ext: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const CSS: &str = include_str!("../../assets/portal.css");

/// The stylesheet, for a page's `<style>` element.
pub fn css() -> String {
    CSS.to_owned()
}

const COPY_JS: Asset = Asset {
    stem: "copy",
    ext: "js",
    content_type: "text/javascript; charset=utf-8",
    bytes: include_bytes!("../../assets/portal-copy.js"),
};

/// The picture of a gift's share card (a PNG: chat apps do not preview SVG).
const GIFT_PNG: Asset = Asset {
    stem: "gift",
    ext: "png",
    content_type: "image/png",
    bytes: include_bytes!("../../assets/portal-gift.png"),
};

const ALL: [&Asset; 2] = [&COPY_JS, &GIFT_PNG];

/// Each file's name with the first 16 hex digits of its SHA-256 (also its ETag).
static NAMES: LazyLock<Vec<(String, String)>> = LazyLock::new(|| {
    ALL.iter()
        .map(|a| {
            let hash = hex::encode(Sha256::digest(a.bytes))[..16].to_owned();
            (format!("{}-{hash}.{}", a.stem, a.ext), hash)
        })
        .collect()
});

fn href(index: usize) -> String {
    format!("/portal/assets/{}", NAMES[index].0)
}

/// The copy script's address: `/portal/assets/copy-<hash>.js`.
pub fn copy_js_href() -> String {
    href(0)
}

/// The share card picture's address, relative to the server: `/portal/assets/gift-<hash>.png`.
pub fn gift_image_href() -> String {
    href(1)
}

/// The route of the portal's files (open: they hold nothing of a member).
pub fn routes() -> Router<AppState> {
    Router::new().route("/portal/assets/{name}", get(serve))
}

async fn serve(Path(name): Path<String>, headers: HeaderMap) -> Response {
    // Only the current names: an old page asking for an older file gets a 404, never a stale
    // file cached for a year under a name it does not match.
    let Some((asset, (_, hash))) = ALL.iter().zip(NAMES.iter()).find(|(_, (n, _))| *n == name)
    else {
        return (StatusCode::NOT_FOUND, "no such file").into_response();
    };
    let etag = format!("\"{hash}\"");
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
            (header::CONTENT_TYPE, asset.content_type.to_owned()),
            (header::ETAG, etag),
            (header::CACHE_CONTROL, cache.to_owned()),
        ],
        asset.bytes,
    )
        .into_response()
}
