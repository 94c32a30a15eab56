//! Entry points for the fuzz targets in `fuzz/` and for the test that replays their corpora:
//! the server's parsers that take bytes from clients, driven as the handlers drive them.
//! The fuzz targets are one-line wrappers around these, and `tests/fuzz_corpus.rs` feeds every
//! committed corpus file through them on stable Rust. Not part of the API.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::api::events::{MAX_FUTURE_SECONDS, events_of, failed, parse_events};
use crate::extract::parse_json;
use crate::parse;

/// The instant the body is parsed at.
fn now() -> DateTime<Utc> {
    static NOW: LazyLock<DateTime<Utc>> = LazyLock::new(|| {
        "2026-06-18T12:00:00Z"
            .parse()
            .expect("a fixed instant parses")
    });
    *NOW
}

/// The body of `POST /v1/events` (one event or a batch), parsed as the handler parses it before
/// anything is written. Every refusal is a client error (4xx) with a code and the answer a
/// batch gives for a failed event; every event accepted has valid ids and an instant no more
/// than five minutes ahead.
pub fn events(data: &[u8]) {
    let body = match parse_json::<Value>(data) {
        Ok(body) => body,
        Err(e) => return refused(&e),
    };
    let (batch, raw) = match events_of(body) {
        Ok(events) => events,
        Err(e) => return refused(&e),
    };
    let count = raw.len();
    let ids: Vec<Value> = raw
        .iter()
        .map(|v| v.get("id").cloned().unwrap_or(Value::Null))
        .collect();
    let parsed = parse_events(raw, batch, now());
    assert_eq!(parsed.len(), count, "one result per event");
    for (event, id) in parsed.into_iter().zip(ids) {
        match event {
            Ok(e) => {
                assert!(parse::client_id("id", &e.id).is_ok(), "{:?}", e.id);
                assert!(parse::client_id("member", &e.member).is_ok());
                assert!(e.occurred_at <= now() + chrono::Duration::seconds(MAX_FUTURE_SECONDS));
                assert!(e.attributes.is_object(), "attributes are an object");
                assert!(!e.type_name.is_empty());
            }
            Err(e) => {
                refused(&e);
                let answer = failed(id, &e, &crate::error::DocsBase::default());
                assert_eq!(answer["status"], "failed");
            }
        }
    }
}

/// A refusal must be the client's fault, with a code.
fn refused(e: &crate::error::ApiError) {
    let body = e.body(&crate::error::DocsBase::default());
    assert!(
        e.status().is_client_error(),
        "{} answers {}",
        body.error.code,
        e.status()
    );
    assert!(!body.error.code.is_empty());
}
