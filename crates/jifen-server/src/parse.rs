//! Parse, don't validate: raw request values become typed values here, at the edge.

use chrono::{DateTime, NaiveDate, Utc};
use jifen_store::Identity;

use crate::error::ApiError;

/// Longest client-chosen id, external id or identity value, in bytes of UTF-8 (what the
/// database indexes): 128 ASCII characters, 42 Chinese ones.
pub const MAX_ID_LEN: usize = 128;

/// A client-chosen id: 1 to 128 bytes of UTF-8, printable, without spaces at the ends.
pub fn client_id(field: &str, raw: &str) -> Result<String, ApiError> {
    if raw.is_empty() || raw.len() > MAX_ID_LEN {
        return Err(ApiError::invalid(
            field,
            format!(
                "{field} must be 1 to {MAX_ID_LEN} bytes of UTF-8; this one has {}",
                raw.len()
            ),
        ));
    }
    if raw.trim() != raw || raw.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            field,
            format!("{field} must not contain control characters or surrounding spaces"),
        ));
    }
    Ok(raw.to_owned())
}

/// Whether `raw` could name something a client created: ids in paths that fail [`client_id`]
/// (control characters, too long) name nothing, so lookups answer "not found" without asking
/// the database (PostgreSQL refuses NUL characters in text).
pub fn could_be_id(raw: &str) -> bool {
    client_id("id", raw).is_ok()
}

/// An RFC 3339 instant with an explicit offset (`2026-06-18T20:00:00+08:00`).
pub fn instant(field: &str, raw: &str) -> Result<DateTime<Utc>, ApiError> {
    DateTime::parse_from_rfc3339(raw)
        .map(|t| chrono::SubsecRound::trunc_subsecs(t.with_timezone(&Utc), 6))
        .map_err(|_| {
            ApiError::invalid(
                field,
                format!(
                    "{field} must be an RFC 3339 instant with a time zone, \
                     like 2026-06-18T20:00:00+08:00"
                ),
            )
        })
}

/// An instant from a query string (`?since=…`), where a bare `+` reads as a space: an offset
/// sent so (`…T20:00:00+08:00` unescaped) is refused with the way to send it.
pub fn query_instant(field: &str, raw: &str) -> Result<DateTime<Utc>, ApiError> {
    instant(field, raw).map_err(|err| {
        if raw.contains(' ') && instant(field, &raw.replace(' ', "+")).is_ok() {
            ApiError::invalid(
                field,
                format!(
                    "{field} must be an RFC 3339 instant with a time zone; in a query string a \
                     bare + reads as a space, so write the offset's + as %2B \
                     (2026-06-18T20:00:00%2B08:00) or give the instant in UTC (…Z)"
                ),
            )
        } else {
            err
        }
    })
}

/// A calendar date (`1990-05-17`).
pub fn date(field: &str, raw: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| ApiError::invalid(field, format!("{field} must be a date like 1990-05-17")))
}

/// A phone number in E.164; numbers without a country code are taken as Chinese (+86).
pub fn phone(field: &str, raw: &str) -> Result<String, ApiError> {
    let bad = || ApiError::invalid(field, format!("{field} is not a valid phone number: {raw}"));
    let number = phonenumber::parse(Some(phonenumber::country::Id::CN), raw).map_err(|_| bad())?;
    if !phonenumber::is_valid(&number) {
        return Err(bad());
    }
    Ok(number.format().mode(phonenumber::Mode::E164).to_string())
}

/// The identity kinds jifen knows; any other `[a-z][a-z0-9_]*` kind is a custom one.
pub const IDENTITY_KINDS: [&str; 5] = [
    "phone",
    "wechat_unionid",
    "wechat_openid",
    "tmall_ouid",
    "email",
];

/// An identity with its value normalized (phones to E.164, emails lowercased).
pub fn identity(field: &str, kind: &str, value: &str) -> Result<Identity, ApiError> {
    let kind_ok = !kind.is_empty()
        && kind.len() <= 32
        && kind.starts_with(|c: char| c.is_ascii_lowercase())
        && kind
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !kind_ok {
        return Err(ApiError::invalid(
            format!("{field}.kind"),
            "an identity kind is phone, wechat_unionid, wechat_openid, tmall_ouid, email, \
             or a custom kind of lowercase letters, digits and _",
        ));
    }
    let value_field = format!("{field}.value");
    let value = match kind {
        "phone" => phone(&value_field, value)?,
        "email" => {
            let v = client_id(&value_field, value)?.to_lowercase();
            if !v.contains('@') {
                return Err(ApiError::invalid(value_field, "an email needs an @"));
            }
            v
        }
        _ => client_id(&value_field, value)?,
    };
    Ok(Identity {
        kind: kind.to_owned(),
        value,
    })
}

/// `kind:value`, as in `?identity=phone:13800000000`.
pub fn identity_query(raw: &str) -> Result<Identity, ApiError> {
    let (kind, value) = raw.split_once(':').ok_or_else(|| {
        ApiError::invalid(
            "identity",
            "identity must be kind:value, like phone:13800000000",
        )
    })?;
    identity("identity", kind, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_become_e164_with_china_default() {
        assert_eq!(phone("p", "13800000000").unwrap(), "+8613800000000");
        assert_eq!(phone("p", "+86 138-0000-0000").unwrap(), "+8613800000000");
        assert_eq!(phone("p", "+1 415 555 2671").unwrap(), "+14155552671");
        assert!(phone("p", "12").is_err());
        assert!(phone("p", "not a phone").is_err());
    }

    #[test]
    fn instants_need_a_zone() {
        assert!(instant("t", "2026-06-18T20:00:00+08:00").is_ok());
        assert!(instant("t", "2026-06-18T12:00:00Z").is_ok());
        assert!(instant("t", "2026-06-18T20:00:00").is_err());
        assert!(instant("t", "2026-06-18").is_err());
    }

    #[test]
    fn ids_are_bounded_in_bytes() {
        // 42 three-byte characters are 126 bytes; a 43rd makes 129.
        let han = "积".repeat(42);
        assert_eq!(client_id("id", &han).unwrap(), han);
        assert!(client_id("id", &format!("{han}分")).is_err());
        assert!(client_id("id", &format!("{han}ab")).is_ok(), "128 bytes");
        assert!(client_id("id", &format!("{han}abc")).is_err(), "129 bytes");
        assert!(client_id("id", &"a".repeat(128)).is_ok());
        assert!(client_id("id", &"a".repeat(129)).is_err());
    }

    #[test]
    fn identities_normalize() {
        let i = identity("i", "email", "A@B.cn").unwrap();
        assert_eq!(i.value, "a@b.cn");
        assert!(identity("i", "Bad-Kind", "x").is_err());
        assert_eq!(
            identity_query("phone:13800000000").unwrap().value,
            "+8613800000000"
        );
        assert!(identity_query("nocolon").is_err());
    }
}
