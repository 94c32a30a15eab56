//! Rewards: voucher codes, voucher templates, the checkout judge (vouchers, stacking and
//! points as cash on a cart) and the rewards catalog (what a member can redeem now).
//!
//! Pure, like the rest of the core: no I/O, no clock, no randomness. The caller passes the time,
//! the random bytes and the stored state (which codes are used, reserved, gifted…), and stores
//! what is decided here. Validation and redemption of a cart go through one function,
//! [`checkout::quote`], so what a shop shows is what a redemption does.

pub mod catalog;
pub mod checkout;
pub mod codes;
pub mod voucher;

#[cfg(test)]
mod tests;

pub use catalog::{
    Availability, Eligibility, Limits, Lock, MemberView, Period, PeriodLimit, RedemptionStatus,
    RewardKind, RewardSpec, RewardStatus,
};
pub use checkout::{
    Candidate, Cart, CashSettings, LadderState, Line, PointsAsk, PointsOutcome, Quote, Reason,
    VoucherOutcome, quote,
};
pub use voucher::{Discount, Restrictions, Rung, Stacking, Validity, VoucherTemplate};

/// Text in several languages: a language tag (`zh-CN`, `en`) → the text.
pub type Localized = std::collections::BTreeMap<String, String>;

/// An amount of fen as shops print it: `¥41`, `¥41.50`, `-¥3` (no decimals for whole yuan).
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    let (whole, cents) = (abs / 100, abs % 100);
    if cents == 0 {
        format!("{sign}¥{whole}")
    } else {
        format!("{sign}¥{whole}.{cents:02}")
    }
}

/// A whole number with thousands separators (`1,500`), for messages.
pub(crate) fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The text of `lang`, else `zh-CN`, else `en`, else any language, else `""` (empty texts are
/// skipped).
pub(crate) fn localized_in<'a>(texts: &'a Localized, lang: &str) -> &'a str {
    [lang, "zh-CN", "en"]
        .iter()
        .filter_map(|l| texts.get(*l))
        .chain(texts.values())
        .find(|t| !t.trim().is_empty())
        .map_or("", String::as_str)
}

/// A validation failure: the field's path and what is wrong with it.
pub(crate) fn field_err<T>(
    field: impl Into<String>,
    message: impl Into<String>,
) -> Result<T, (String, String)> {
    Err((field.into(), message.into()))
}

/// Checks a title (at least one language with text, each at most `max` characters) or, with
/// `required == false`, a description.
pub(crate) fn check_localized(
    field: &str,
    texts: &Localized,
    required: bool,
    max: usize,
) -> Result<(), (String, String)> {
    if required && texts.values().all(|t| t.trim().is_empty()) {
        return field_err(field, "give the text in at least one language");
    }
    for (lang, text) in texts {
        if lang.trim().is_empty() || lang.len() > 35 {
            return field_err(field, "a language tag is 1 to 35 characters, like zh-CN");
        }
        if text.chars().count() > max {
            return field_err(
                format!("{field}.{lang}"),
                format!("at most {max} characters"),
            );
        }
    }
    Ok(())
}

/// A template, partner or similar id: 1–64 characters of a-z, 0-9, `_` and `-`.
pub(crate) fn valid_id(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-'))
}

/// An i128 sum brought back to i64, saturating.
pub(crate) fn saturate(n: i128) -> i64 {
    i64::try_from(n).unwrap_or(if n < 0 { i64::MIN } else { i64::MAX })
}
