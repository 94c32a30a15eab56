//! Reminders: a program's settings (which kinds are on, their parameters, the template of each
//! kind per channel, quiet hours, frequency caps) and the pure decisions the scheduler takes
//! with them: when a reminder may be sent, and whether a member's caps leave room for it.
//!
//! Nothing here reads a clock or a database: the caller passes the instant, the program's time
//! zone and the counts.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// What a reminder is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReminderKind {
    /// Points expiring within some days: the amount and the date.
    PointsExpiring,
    /// A streak about to break: checked in yesterday, not yet today, at a set hour.
    StreakAtRisk,
    /// A tier at risk at its review: what is missing before the review date.
    TierRequalification,
    /// A birthday coming (and its gift).
    Birthday,
    /// A voucher expiring within some days.
    VoucherExpiring,
    /// A gift sent and not claimed after some hours.
    GiftUnclaimed,
}

impl ReminderKind {
    pub const ALL: [ReminderKind; 6] = [
        ReminderKind::PointsExpiring,
        ReminderKind::StreakAtRisk,
        ReminderKind::TierRequalification,
        ReminderKind::Birthday,
        ReminderKind::VoucherExpiring,
        ReminderKind::GiftUnclaimed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReminderKind::PointsExpiring => "points_expiring",
            ReminderKind::StreakAtRisk => "streak_at_risk",
            ReminderKind::TierRequalification => "tier_requalification",
            ReminderKind::Birthday => "birthday",
            ReminderKind::VoucherExpiring => "voucher_expiring",
            ReminderKind::GiftUnclaimed => "gift_unclaimed",
        }
    }

    pub fn parse(s: &str) -> Option<ReminderKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Where a reminder goes: the brand maps each template name to its WeChat subscription
/// message, its SMS template or its push message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Wechat,
    Sms,
    Push,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Wechat, Channel::Sms, Channel::Push];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Wechat => "wechat",
            Channel::Sms => "sms",
            Channel::Push => "push",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Template names by channel: a kind is sent on every channel it names a template for.
pub type Templates = BTreeMap<Channel, String>;

/// Longest template name.
pub const MAX_TEMPLATE: usize = 128;
/// Longest birthday gift text.
pub const MAX_GIFT: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointsExpiring {
    #[serde(default)]
    pub enabled: bool,
    /// Remind of points expiring within this many days (1–30: a balance lists 30 days ahead).
    #[serde(default = "seven")]
    pub days_ahead: u32,
    #[serde(default)]
    pub templates: Templates,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreakAtRisk {
    #[serde(default)]
    pub enabled: bool,
    /// The local hour (0–23) from which "checked in yesterday, not yet today" is reminded.
    #[serde(default = "twenty")]
    pub hour: u32,
    #[serde(default)]
    pub templates: Templates,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierRequalification {
    #[serde(default)]
    pub enabled: bool,
    /// Remind this many days (1–90) before the review of a member short of keeping the tier.
    #[serde(default = "fourteen")]
    pub days_before: u32,
    #[serde(default)]
    pub templates: Templates,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Birthday {
    #[serde(default)]
    pub enabled: bool,
    /// Remind this many days (0–30) before the birthday; 0 on the day.
    #[serde(default)]
    pub days_ahead: u32,
    /// The birthday gift the template mentions (a voucher's name, "生日双倍积分"…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gift: Option<String>,
    #[serde(default)]
    pub templates: Templates,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoucherExpiring {
    #[serde(default)]
    pub enabled: bool,
    /// Remind of vouchers expiring within this many days (1–90).
    #[serde(default = "three")]
    pub days_ahead: u32,
    #[serde(default)]
    pub templates: Templates,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GiftUnclaimed {
    #[serde(default)]
    pub enabled: bool,
    /// Remind the sender of a gift not claimed this many hours (1–720) after it was sent.
    #[serde(default = "twenty_four")]
    pub after_hours: u32,
    #[serde(default)]
    pub templates: Templates,
}

fn three() -> u32 {
    3
}
fn seven() -> u32 {
    7
}
fn fourteen() -> u32 {
    14
}
fn twenty() -> u32 {
    20
}
fn twenty_four() -> u32 {
    24
}

macro_rules! off_by_default {
    ($($t:ident),*) => {$(
        impl Default for $t {
            fn default() -> Self {
                serde_json::from_str("{}").expect("defaults")
            }
        }
    )*};
}
off_by_default!(
    PointsExpiring,
    StreakAtRisk,
    TierRequalification,
    Birthday,
    VoucherExpiring,
    GiftUnclaimed
);

/// Hours in the program's time zone when nothing is sent: what falls inside waits for `end`.
/// `start` after `end` spans midnight (the default, 22:00–08:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuietHours {
    #[serde(with = "hhmm")]
    pub start: NaiveTime,
    #[serde(with = "hhmm")]
    pub end: NaiveTime,
}

impl Default for QuietHours {
    fn default() -> Self {
        QuietHours {
            start: NaiveTime::from_hms_opt(22, 0, 0).expect("22:00"),
            end: NaiveTime::from_hms_opt(8, 0, 0).expect("08:00"),
        }
    }
}

mod hhmm {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.format("%H:%M").to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
        let raw = String::deserialize(d)?;
        let ok = raw.len() == 5 && raw.as_bytes()[2] == b':';
        ok.then(|| NaiveTime::parse_from_str(&raw, "%H:%M").ok())
            .flatten()
            .ok_or_else(|| serde::de::Error::custom(format!("{raw:?} is not a time HH:MM")))
    }
}

/// How many reminders one member may get on one channel per local day and per local week
/// (Monday to Sunday).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Caps {
    /// 1–100; 2 by default.
    #[serde(default = "two")]
    pub per_day: u32,
    /// 1–500; 6 by default.
    #[serde(default = "six")]
    pub per_week: u32,
}

fn two() -> u32 {
    2
}
fn six() -> u32 {
    6
}

impl Default for Caps {
    fn default() -> Self {
        Caps {
            per_day: two(),
            per_week: six(),
        }
    }
}

impl Caps {
    /// Whether one more reminder fits after `today` sent today and `this_week` this week.
    pub fn allow(&self, today: u32, this_week: u32) -> bool {
        today < self.per_day && this_week < self.per_week
    }
}

/// A program's reminder settings. Every part has a default: `{}` is every kind off, quiet
/// hours 22:00–08:00, caps 2 a day and 6 a week per channel.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReminderSettings {
    #[serde(default)]
    pub points_expiring: PointsExpiring,
    #[serde(default)]
    pub streak_at_risk: StreakAtRisk,
    #[serde(default)]
    pub tier_requalification: TierRequalification,
    #[serde(default)]
    pub birthday: Birthday,
    #[serde(default)]
    pub voucher_expiring: VoucherExpiring,
    #[serde(default)]
    pub gift_unclaimed: GiftUnclaimed,
    /// `null` for none.
    #[serde(default = "quiet_default")]
    pub quiet_hours: Option<QuietHours>,
    #[serde(default)]
    pub caps: Caps,
}

fn quiet_default() -> Option<QuietHours> {
    Some(QuietHours::default())
}

impl ReminderSettings {
    /// The default settings (every kind off).
    pub fn defaults() -> Self {
        serde_json::from_str("{}").expect("defaults")
    }

    /// Whether a kind is on, and its templates by channel.
    pub fn kind(&self, kind: ReminderKind) -> (bool, &Templates) {
        match kind {
            ReminderKind::PointsExpiring => (
                self.points_expiring.enabled,
                &self.points_expiring.templates,
            ),
            ReminderKind::StreakAtRisk => {
                (self.streak_at_risk.enabled, &self.streak_at_risk.templates)
            }
            ReminderKind::TierRequalification => (
                self.tier_requalification.enabled,
                &self.tier_requalification.templates,
            ),
            ReminderKind::Birthday => (self.birthday.enabled, &self.birthday.templates),
            ReminderKind::VoucherExpiring => (
                self.voucher_expiring.enabled,
                &self.voucher_expiring.templates,
            ),
            ReminderKind::GiftUnclaimed => {
                (self.gift_unclaimed.enabled, &self.gift_unclaimed.templates)
            }
        }
    }

    /// The kinds that are on.
    pub fn enabled(&self) -> Vec<ReminderKind> {
        ReminderKind::ALL
            .into_iter()
            .filter(|k| self.kind(*k).0)
            .collect()
    }

    /// Checks the bounds; the error names the field.
    pub fn check(&self) -> Result<(), (String, String)> {
        let bad = |f: String, m: String| Err((f, m));
        let range = |f: &str, v: u32, lo: u32, hi: u32| {
            if (lo..=hi).contains(&v) {
                Ok(())
            } else {
                bad(f.to_owned(), format!("{f} is {lo} to {hi}"))
            }
        };
        range(
            "points_expiring.days_ahead",
            self.points_expiring.days_ahead,
            1,
            30,
        )?;
        range("streak_at_risk.hour", self.streak_at_risk.hour, 0, 23)?;
        range(
            "tier_requalification.days_before",
            self.tier_requalification.days_before,
            1,
            90,
        )?;
        range("birthday.days_ahead", self.birthday.days_ahead, 0, 30)?;
        range(
            "voucher_expiring.days_ahead",
            self.voucher_expiring.days_ahead,
            1,
            90,
        )?;
        range(
            "gift_unclaimed.after_hours",
            self.gift_unclaimed.after_hours,
            1,
            720,
        )?;
        range("caps.per_day", self.caps.per_day, 1, 100)?;
        range("caps.per_week", self.caps.per_week, 1, 500)?;
        if self.caps.per_week < self.caps.per_day {
            return bad(
                "caps.per_week".into(),
                "caps.per_week is at least caps.per_day".into(),
            );
        }
        if let Some(g) = &self.birthday.gift
            && !plain_text(g, MAX_GIFT)
        {
            return bad(
                "birthday.gift".into(),
                format!("birthday.gift is 1 to {MAX_GIFT} characters with no control characters"),
            );
        }
        if let Some(q) = self.quiet_hours
            && q.start == q.end
        {
            return bad(
                "quiet_hours.end".into(),
                "quiet hours end at another time than they start (null for none)".into(),
            );
        }
        for kind in ReminderKind::ALL {
            let (enabled, templates) = self.kind(kind);
            for (channel, name) in templates {
                if !plain_text(name, MAX_TEMPLATE) {
                    return bad(
                        format!("{}.templates.{}", kind.as_str(), channel.as_str()),
                        format!(
                            "a template name is 1 to {MAX_TEMPLATE} characters with no control characters or surrounding spaces"
                        ),
                    );
                }
            }
            if enabled && templates.is_empty() {
                return bad(
                    format!("{}.templates", kind.as_str()),
                    format!(
                        "{} is enabled: name its template on at least one channel (wechat, sms, push)",
                        kind.as_str()
                    ),
                );
            }
        }
        Ok(())
    }
}

fn plain_text(s: &str, max: usize) -> bool {
    let n = s.chars().count();
    n > 0 && n <= max && s.trim() == s && !s.chars().any(char::is_control)
}

/// Whether a local time of day falls in quiet hours.
pub fn is_quiet(q: &QuietHours, t: NaiveTime) -> bool {
    if q.start < q.end {
        q.start <= t && t < q.end
    } else {
        t >= q.start || t < q.end
    }
}

/// The first instant at or after `at` outside quiet hours, in the program's time zone.
pub fn first_allowed(quiet: Option<&QuietHours>, tz: Tz, at: DateTime<Utc>) -> DateTime<Utc> {
    let Some(q) = quiet else {
        return at;
    };
    let local = at.with_timezone(&tz);
    if !is_quiet(q, local.time()) {
        return at;
    }
    // Quiet hours end today when `end` is still ahead, tomorrow otherwise.
    let mut day = local.date_naive();
    if local.time() >= q.end {
        day = day.succ_opt().unwrap_or(day);
    }
    local_instant(tz, day, q.end).max(at)
}

/// An instant of a local day and time; in a spring-forward gap, the first instant after it.
pub fn local_instant(tz: Tz, day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let mut t = day.and_time(time);
    for _ in 0..4 {
        if let Some(at) = tz.from_local_datetime(&t).earliest() {
            return at.with_timezone(&Utc);
        }
        t += Duration::minutes(30);
    }
    Utc.from_utc_datetime(&day.and_time(time))
}

/// A member's points that expire in `(after, until]`, by the local day they expire on: the
/// points of that day and its first instant.
pub fn expiring_by_day(
    expiring: &[crate::Expiring],
    tz: Tz,
    after: DateTime<Utc>,
    until: DateTime<Utc>,
) -> BTreeMap<NaiveDate, (i64, DateTime<Utc>)> {
    let mut by_day: BTreeMap<NaiveDate, (i64, DateTime<Utc>)> = BTreeMap::new();
    for e in expiring {
        if e.at <= after || e.at > until || e.points <= 0 {
            continue;
        }
        let day = by_day.entry(local_day(tz, e.at)).or_insert((0, e.at));
        day.0 = day.0.saturating_add(e.points);
        day.1 = day.1.min(e.at);
    }
    by_day
}

/// The local day of an instant.
pub fn local_day(tz: Tz, at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// The Monday of the local week of a day.
pub fn week_start(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// When a reminder a cap held back may try again: the start of the next local day, or of the
/// next week when the week's cap is the one reached; then past quiet hours.
pub fn after_cap(
    quiet: Option<&QuietHours>,
    tz: Tz,
    now: DateTime<Utc>,
    week_full: bool,
) -> DateTime<Utc> {
    let today = local_day(tz, now);
    let next = if week_full {
        week_start(today) + Duration::days(7)
    } else {
        today + Duration::days(1)
    };
    first_allowed(quiet, tz, local_instant(tz, next, NaiveTime::MIN))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shanghai() -> Tz {
        "Asia/Shanghai".parse().expect("tz")
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().expect("instant")
    }

    #[test]
    fn defaults_are_off_with_quiet_nights() {
        let s = ReminderSettings::defaults();
        assert!(s.enabled().is_empty());
        assert_eq!(s.quiet_hours, Some(QuietHours::default()));
        assert_eq!(s.caps, Caps::default());
        assert_eq!(s.points_expiring.days_ahead, 7);
        assert!(s.check().is_ok());
        let json = serde_json::to_value(&s).expect("json");
        assert_eq!(json["quiet_hours"]["start"], "22:00");
    }

    #[test]
    fn enabled_kinds_need_a_template() {
        let s: ReminderSettings =
            serde_json::from_str(r#"{"birthday": {"enabled": true}}"#).expect("parse");
        assert_eq!(s.check().unwrap_err().0, "birthday.templates");
        let s: ReminderSettings =
            serde_json::from_str(r#"{"birthday": {"enabled": true, "templates": {"sms": " x"}}}"#)
                .expect("parse");
        assert_eq!(s.check().unwrap_err().0, "birthday.templates.sms");
        assert!(
            serde_json::from_str::<ReminderSettings>(
                r#"{"quiet_hours": {"start": "7:00", "end": "08:00"}}"#
            )
            .is_err()
        );
        assert!(
            serde_json::from_str::<ReminderSettings>(
                r#"{"birthday": {"templates": {"email": "x"}}}"#
            )
            .is_err()
        );
    }

    #[test]
    fn quiet_hours_span_midnight() {
        let q = QuietHours::default();
        let tz = shanghai();
        // 21:59 Shanghai is not quiet.
        assert_eq!(
            first_allowed(Some(&q), tz, at("2026-06-01T13:59:00Z")),
            at("2026-06-01T13:59:00Z")
        );
        // 22:00 waits for 08:00 the next morning.
        assert_eq!(
            first_allowed(Some(&q), tz, at("2026-06-01T14:00:00Z")),
            at("2026-06-02T00:00:00Z")
        );
        // 03:00 waits for 08:00 the same morning.
        assert_eq!(
            first_allowed(Some(&q), tz, at("2026-06-01T19:00:00Z")),
            at("2026-06-02T00:00:00Z")
        );
        assert_eq!(
            first_allowed(None, tz, at("2026-06-01T19:00:00Z")),
            at("2026-06-01T19:00:00Z")
        );
        // A daytime window.
        let lunch = QuietHours {
            start: NaiveTime::from_hms_opt(12, 0, 0).expect("t"),
            end: NaiveTime::from_hms_opt(13, 30, 0).expect("t"),
        };
        assert_eq!(
            first_allowed(Some(&lunch), tz, at("2026-06-01T04:10:00Z")),
            at("2026-06-01T05:30:00Z")
        );
        assert!(!is_quiet(
            &lunch,
            NaiveTime::from_hms_opt(13, 30, 0).expect("t")
        ));
    }

    #[test]
    fn caps_wait_for_the_next_day_or_week() {
        let tz = shanghai();
        let q = QuietHours::default();
        // Wednesday 2026-06-03 10:00 Shanghai.
        let now = at("2026-06-03T02:00:00Z");
        assert_eq!(
            after_cap(Some(&q), tz, now, false),
            at("2026-06-04T00:00:00Z")
        );
        assert_eq!(
            after_cap(Some(&q), tz, now, true),
            at("2026-06-08T00:00:00Z")
        );
        assert_eq!(after_cap(None, tz, now, false), at("2026-06-03T16:00:00Z"));
        let caps = Caps::default();
        assert!(caps.allow(1, 5));
        assert!(!caps.allow(2, 2));
        assert!(!caps.allow(0, 6));
    }
}
