//! Every string a request carries, checked once at the edge, the same on every backend: no
//! control characters, and a bounded length for each kind of field.
//!
//! - Control characters (Unicode `Cc`: U+0000–U+001F, U+007F–U+009F, NUL among them) are
//!   refused everywhere, in values and in object keys, at any depth (the free-form
//!   `attributes` of members and events included), except that free text — descriptions,
//!   messages, reasons, notes — and CEL source (`condition`, a meter effect's `key`) may hold
//!   line feeds (`\n`) and tabs (`\t`). A carriage return is refused: send `\n` alone.
//! - Lengths are counted in UTF-8 bytes: free text up to [`MAX_TEXT_BYTES`], CEL source up to
//!   [`MAX_SOURCE_BYTES`] (the rule limits bound it further), every other string and every
//!   object key up to [`MAX_STRING_BYTES`]. Ids keep their own, narrower bound
//!   ([`crate::parse::MAX_ID_LEN`]).
//!
//! A refusal is a 422 `invalid_request` naming the field (`events[2].attributes.note`).

use serde_json::Value;

use crate::error::ApiError;

/// Longest string of any field that is not free text or CEL source, and longest object key.
pub const MAX_STRING_BYTES: usize = 1_024;
/// Longest free text: a description, message, reason or note.
pub const MAX_TEXT_BYTES: usize = 4_096;
/// Longest CEL source.
pub const MAX_SOURCE_BYTES: usize = 65_536;

/// What a string field holds, which decides what it may contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Names, ids, codes, URLs, dates and every other short value: one line, no control
    /// characters.
    Line,
    /// Free text written by people: may hold line feeds and tabs.
    Text,
    /// CEL source: may hold line feeds and tabs, and be longer.
    Source,
}

impl Kind {
    /// The kind of a field, by its name (the last key of its path).
    pub fn of(name: &str) -> Kind {
        match name {
            "description" | "message" | "reason" | "note" | "notes" | "cancel_reason" => Kind::Text,
            "condition" | "key" => Kind::Source,
            _ => Kind::Line,
        }
    }

    fn max_bytes(self) -> usize {
        match self {
            Kind::Line => MAX_STRING_BYTES,
            Kind::Text => MAX_TEXT_BYTES,
            Kind::Source => MAX_SOURCE_BYTES,
        }
    }

    fn allows(self, c: char) -> bool {
        !c.is_control() || (self != Kind::Line && (c == '\n' || c == '\t'))
    }
}

/// Checks one string of `kind` at `field`.
pub fn check(field: &str, value: &str, kind: Kind) -> Result<(), ApiError> {
    let max = kind.max_bytes();
    if value.len() > max {
        return Err(ApiError::invalid(
            field,
            format!("{field} is longer than {max} bytes"),
        ));
    }
    if let Some(c) = value.chars().find(|c| !kind.allows(*c)) {
        let allowed = if kind == Kind::Line {
            ""
        } else {
            " (line feeds and tabs are allowed)"
        };
        return Err(ApiError::invalid(
            field,
            format!(
                "{field} contains the control character U+{:04X}; control characters are \
                 refused{allowed}",
                u32::from(c)
            ),
        ));
    }
    Ok(())
}

/// Checks every string of a JSON body (values and keys, at any depth).
pub fn check_body(bytes: &[u8]) -> Result<(), ApiError> {
    if !needs_walk(bytes) {
        return Ok(());
    }
    // The body is valid JSON (it was parsed already); a failure here is not expected.
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| ApiError::MalformedJson(e.to_string()))?;
    walk(&value, &mut String::new(), Kind::Line)
}

/// Checks every string of a JSON value (values and keys, at any depth), naming fields from the
/// value (`name`, `attributes.note`).
pub fn check_value(value: &Value) -> Result<(), ApiError> {
    walk(value, &mut String::new(), Kind::Line)
}

/// Whether a body may hold a string the rules refuse: a control character (raw DEL or C1
/// bytes, or any escape other than `\"`, `\\` and `\/`, which is how JSON carries the others)
/// or a string longer than the shortest bound. Most bodies hold neither, and are not parsed a
/// second time.
fn needs_walk(bytes: &[u8]) -> bool {
    let mut in_string = false;
    let mut len = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                b'"' => in_string = false,
                b'\\' => {
                    let next = bytes.get(i + 1).copied().unwrap_or(b'"');
                    if !matches!(next, b'"' | b'\\' | b'/' | b'u') {
                        return true;
                    }
                    if next == b'u' {
                        // \u00XX may be a control character (XX < 0x20 or 0x7F..=0x9F): look.
                        let hex = bytes.get(i + 2..i + 6).unwrap_or(b"0000");
                        if hex[0] == b'0' && hex[1] == b'0' {
                            return true;
                        }
                        i += 4;
                    }
                    i += 1;
                    len += 1;
                }
                0x7F => return true,
                // U+0080..=U+009F are C2 80..=C2 9F in UTF-8.
                0xC2 if bytes.get(i + 1).is_some_and(|n| (0x80..=0x9F).contains(n)) => {
                    return true;
                }
                _ => {}
            }
            len += 1;
            if len > MAX_STRING_BYTES {
                return true;
            }
        } else if b == b'"' {
            in_string = true;
            len = 0;
        }
        i += 1;
    }
    false
}

fn walk(value: &Value, path: &mut String, kind: Kind) -> Result<(), ApiError> {
    match value {
        Value::String(s) => check(path, s, kind),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                walk(item, path, kind)?;
                path.truncate(len);
            }
            Ok(())
        }
        Value::Object(map) => {
            for (key, item) in map {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                if key.len() > MAX_STRING_BYTES || key.chars().any(char::is_control) {
                    let shown: String = key.escape_debug().take(64).collect();
                    path.push_str(&shown);
                    return Err(ApiError::invalid(
                        path.as_str(),
                        format!(
                            "the key {shown:?} is longer than {MAX_STRING_BYTES} bytes or \
                             contains a control character"
                        ),
                    ));
                }
                path.push_str(key);
                walk(item, path, Kind::of(key))?;
                path.truncate(len);
            }
            Ok(())
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => Ok(()),
    }
}

/// Checks the parameters of a matched route's path (`/v1/members/{external_id}`) for control
/// characters before any handler reads them: an id with one names nothing, and PostgreSQL
/// cannot even look it up. A refusal names the parameter.
pub async fn check_path(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match path_refusal(&req) {
        Some(e) => e.into_response(),
        None => next.run(req).await,
    }
}

/// [`check_path`]'s refusal of a request, if it is refused.
pub fn path_refusal(req: &axum::extract::Request) -> Option<ApiError> {
    let template = req.extensions().get::<axum::extract::MatchedPath>()?;
    let path = req.uri().path();
    for (part, raw) in template.as_str().split('/').zip(path.split('/')) {
        if let Some(name) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            // Printable ASCII without an escape holds no control character: nothing to decode.
            if raw.bytes().all(|b| b.is_ascii_graphic() && b != b'%') {
                continue;
            }
            // Control characters only: a long value names nothing, which the route says as it
            // says for any unknown id.
            let value = percent_decode(raw, false);
            if value.chars().any(char::is_control)
                && let Err(e) = check(name, &value, Kind::Line)
            {
                return Some(e);
            }
        }
    }
    None
}

/// Checks the values of a query string (`?identity=…&after=…`), each a one-line string.
pub fn check_query(query: Option<&str>) -> Result<(), ApiError> {
    let Some(q) = query else { return Ok(()) };
    for (key, value) in form_urlencoded_pairs(q) {
        check(&key, &key, Kind::Line)?;
        check(&key, &value, Kind::Line)?;
    }
    Ok(())
}

/// `a=1&b=%00` → [("a", "1"), ("b", "\0")], decoding percent escapes and `+`.
fn form_urlencoded_pairs(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k, true), percent_decode(v, true))
        })
        .collect()
}

/// `s` with its percent escapes decoded (and `+` as a space when `plus` is set, as in a query).
fn percent_decode(s: &str, plus: bool) -> String {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).and_then(|d| u8::try_from(d).ok())
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| Some(hex(*bytes.get(i + 1)?)? * 16 + hex(*bytes.get(i + 2)?)?))
            .flatten();
        match (bytes[i], escaped) {
            (_, Some(b)) => {
                out.push(b);
                i += 2;
            }
            (b'+', None) if plus => out.push(b' '),
            (b, None) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(body: &str) -> Option<String> {
        match check_body(body.as_bytes()) {
            Ok(()) => None,
            Err(ApiError::Invalid { field, .. }) => Some(field),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn control_characters_are_refused_with_their_field() {
        assert_eq!(field_of(r#"{"name":"Ann"}"#), None);
        assert_eq!(field_of(r#"{"name":"A\u0000nn"}"#).as_deref(), Some("name"));
        assert_eq!(
            field_of(r#"{"events":[{"attributes":{"a":{"b":["x","\u001b"]}}}]}"#).as_deref(),
            Some("events[0].attributes.a.b[1]")
        );
        assert_eq!(field_of("{\"name\":\"A\u{85}\"}").as_deref(), Some("name"));
        assert_eq!(field_of("{\"name\":\"A\u{7f}\"}").as_deref(), Some("name"));
        assert_eq!(field_of(r#"{"name":"a\nb"}"#).as_deref(), Some("name"));
        assert_eq!(field_of(r#"{"description":"a\nb\tc"}"#), None);
        assert_eq!(
            field_of(r#"{"description":"a\r\nb"}"#).as_deref(),
            Some("description")
        );
        assert_eq!(field_of(r#"{"condition":"a &&\n\tb"}"#), None);
        assert_eq!(
            field_of(r#"{"attributes":{"k\u0000":1}}"#).as_deref(),
            Some("attributes.k\\0")
        );
        // Escapes that are not control characters pass without a second parse.
        assert!(!needs_walk(r#"{"a":"\"\\\/\u4e2d"}"#.as_bytes()));
        assert!(needs_walk(r#"{"a":"\u0000"}"#.as_bytes()));
        assert_eq!(field_of(r#"{"a":"\u00e9"}"#), None);
    }

    #[test]
    fn lengths_are_bounded_by_kind() {
        let long = "x".repeat(MAX_STRING_BYTES + 1);
        assert_eq!(
            field_of(&format!(r#"{{"name":"{long}"}}"#)).as_deref(),
            Some("name")
        );
        assert_eq!(field_of(&format!(r#"{{"reason":"{long}"}}"#)), None);
        let longer = "é".repeat(MAX_TEXT_BYTES / 2 + 1);
        assert_eq!(
            field_of(&format!(r#"{{"reason":"{longer}"}}"#)).as_deref(),
            Some("reason")
        );
        assert!(field_of(&format!(r#"{{"{long}":1}}"#)).is_some());
    }

    #[test]
    fn query_values_are_checked() {
        assert!(check_query(Some("limit=10&after=abc")).is_ok());
        assert!(check_query(Some("identity=phone%3A138%000")).is_err());
        assert!(check_query(Some("a%0A=1")).is_err());
        assert!(check_query(None).is_ok());
    }
}
