//! The rewards catalog: what members can spend points on (vouchers, physical gifts, partner
//! perks, cash vouchers), for how much, for whom, when and how often, and whether one member
//! can redeem one right now (and if not, every reason why).

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::checkout::need;
use super::voucher::MAX_FEN;
use super::{Localized, check_localized, field_err, grouped, localized_in, saturate, valid_id};
use crate::Timestamp;
use crate::rules::valid_name;
use crate::tiers::local_midnight;

fn thirty() -> u32 {
    30
}

fn ten() -> u32 {
    10
}

/// What redeeming a reward gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum RewardKind {
    /// A voucher of the template `template` (its id).
    Voucher { template: String },
    /// A physical gift, shipped when `shipping`, else collected.
    Physical {
        #[serde(default)]
        /// Whether it is shipped to the member (else collected).
        shipping: bool,
    },
    /// A perk at a partner: a code from the reward's imported pool.
    PartnerPerk {
        #[serde(default)]
        /// The partner whose perk it is (for display).
        partner: Option<String>,
    },
    /// A cash voucher of `value` fen, valid `valid_days` days (see
    /// [`super::VoucherTemplate::cash`]).
    PointsAsCash {
        /// What the cash voucher takes off (fen).
        value: i64,
        #[serde(default = "thirty")]
        /// How many days the cash voucher is valid from issue (default 30).
        valid_days: u32,
    },
}

impl RewardKind {
    /// The status a new redemption of this kind starts in: physical gifts are requested (and
    /// then shipped), everything else is issued at once.
    pub fn initial_status(&self) -> RedemptionStatus {
        match self {
            RewardKind::Physical { .. } => RedemptionStatus::Requested,
            _ => RedemptionStatus::Issued,
        }
    }
}

/// A calendar period for redemption limits, in the program's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// Calendar days.
    Day,
    /// ISO weeks, Monday to Sunday.
    Week,
    /// Calendar months.
    Month,
    /// Calendar years.
    Year,
}

impl Period {
    /// The name used in JSON and messages (`month`).
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
            Period::Year => "year",
        }
    }

    /// The start of the period `now` falls in (local midnight of the day, the Monday, the 1st of
    /// the month, 1 January) in `tz`, as UTC.
    pub fn start(self, now: Timestamp, tz: Tz) -> Timestamp {
        let today = now.with_timezone(&tz).date_naive();
        let day = match self {
            Period::Day => Some(today),
            Period::Week => {
                Some(today - Duration::days(i64::from(today.weekday().num_days_from_monday())))
            }
            Period::Month => NaiveDate::from_ymd_opt(today.year(), today.month(), 1),
            Period::Year => NaiveDate::from_ymd_opt(today.year(), 1, 1),
        };
        day.and_then(|d| local_midnight(d, tz)).unwrap_or(now)
    }
}

/// At most `count` redemptions by one member every calendar `every`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeriodLimit {
    /// Units per period.
    pub count: u32,
    /// The calendar period.
    pub every: Period,
}

/// How much one member can redeem of a reward.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Units ever.
    #[serde(default)]
    pub lifetime: Option<u32>,
    /// Units in a calendar period.
    #[serde(default)]
    pub per_period: Option<PeriodLimit>,
    /// Units in one redemption.
    #[serde(default = "ten")]
    pub per_redemption: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            lifetime: None,
            per_period: None,
            per_redemption: 10,
        }
    }
}

/// Who can redeem a reward. Empty: everyone.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Eligibility {
    /// Members of any of these tiers (ids).
    #[serde(default)]
    pub tiers: Vec<String>,
    /// Members with any of these tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// A CEL condition over the member (compiled and run by the server).
    #[serde(default)]
    pub condition: Option<String>,
    /// Members of any of these segments (slugs), as their materialised membership says.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub segments: Vec<String>,
}

/// Whether a reward is shown and redeemable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RewardStatus {
    #[default]
    /// Shown and redeemable.
    Active,
    /// Shown but not redeemable for now.
    Paused,
}

impl RewardStatus {
    /// The name used in JSON (`active`).
    pub fn as_str(self) -> &'static str {
        match self {
            RewardStatus::Active => "active",
            RewardStatus::Paused => "paused",
        }
    }
}

/// A catalog item. In JSON the kind's fields sit beside the others:
/// `{"kind": "voucher", "template": "spring-20", "title": {"en": "¥20 off"}, "cost": 2000}`;
/// unknown fields, and fields of another kind, are refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RewardSpec {
    /// The name members see, by language.
    pub title: Localized,
    /// A longer text, by language.
    pub description: Localized,
    /// Image URLs (http or https).
    pub images: Vec<String>,
    /// What redeeming gives (its fields sit at the top level in JSON).
    pub kind: RewardKind,
    /// Points per unit.
    pub cost: i64,
    /// Points per unit for members of a tier (tier id → points), instead of `cost`.
    pub cost_by_tier: BTreeMap<String, i64>,
    /// Units ever available (none: unlimited).
    pub stock: Option<i64>,
    /// How much one member can redeem.
    pub limits: Limits,
    /// Who can redeem.
    pub eligibility: Eligibility,
    /// When it opens (inclusive; earlier for tiers with early access).
    pub available_from: Option<Timestamp>,
    /// Exclusive.
    pub available_until: Option<Timestamp>,
    /// Hours before `available_from` members of a tier may redeem (tier id → hours); tiers
    /// without an entry use their early-access benefit.
    pub early_access: BTreeMap<String, u32>,
    /// Paused rewards are not redeemable.
    pub status: RewardStatus,
    /// The categories of order lines the reward suits (`茶饮`), for ranking personal offers; a
    /// voucher reward also counts its template's categories.
    pub categories: Vec<String>,
    /// What one unit costs the brand (fen), for ranking personal offers; a `points_as_cash`
    /// reward without one costs its value.
    pub brand_cost: Option<i64>,
}

/// The kind tags, as in JSON.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum KindTag {
    Voucher,
    Physical,
    PartnerPerk,
    PointsAsCash,
}

/// A reward spec as JSON: the kind's fields flattened in, all optional here and checked
/// against the kind when read.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RewardSpecWire {
    kind: KindTag,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    template: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    shipping: Option<bool>,
    /// `Some(None)` is written as `"partner": null`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    partner: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    value: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    valid_days: Option<u32>,
    title: Localized,
    #[serde(default)]
    description: Localized,
    #[serde(default)]
    images: Vec<String>,
    cost: i64,
    #[serde(default)]
    cost_by_tier: BTreeMap<String, i64>,
    #[serde(default)]
    stock: Option<i64>,
    #[serde(default)]
    limits: Limits,
    #[serde(default)]
    eligibility: Eligibility,
    #[serde(default)]
    available_from: Option<Timestamp>,
    #[serde(default)]
    available_until: Option<Timestamp>,
    #[serde(default)]
    early_access: BTreeMap<String, u32>,
    #[serde(default)]
    status: RewardStatus,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    categories: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    brand_cost: Option<i64>,
}

const COMMON_FIELDS: [&str; 15] = [
    "kind",
    "title",
    "description",
    "images",
    "cost",
    "cost_by_tier",
    "stock",
    "limits",
    "eligibility",
    "available_from",
    "available_until",
    "early_access",
    "status",
    "categories",
    "brand_cost",
];

impl Serialize for RewardSpec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut wire = RewardSpecWire {
            kind: KindTag::Voucher,
            template: None,
            shipping: None,
            partner: None,
            value: None,
            valid_days: None,
            title: self.title.clone(),
            description: self.description.clone(),
            images: self.images.clone(),
            cost: self.cost,
            cost_by_tier: self.cost_by_tier.clone(),
            stock: self.stock,
            limits: self.limits,
            eligibility: self.eligibility.clone(),
            available_from: self.available_from,
            available_until: self.available_until,
            early_access: self.early_access.clone(),
            status: self.status,
            categories: self.categories.clone(),
            brand_cost: self.brand_cost,
        };
        match &self.kind {
            RewardKind::Voucher { template } => wire.template = Some(template.clone()),
            RewardKind::Physical { shipping } => {
                wire.kind = KindTag::Physical;
                wire.shipping = Some(*shipping);
            }
            RewardKind::PartnerPerk { partner } => {
                wire.kind = KindTag::PartnerPerk;
                wire.partner = Some(partner.clone());
            }
            RewardKind::PointsAsCash { value, valid_days } => {
                wire.kind = KindTag::PointsAsCash;
                (wire.value, wire.valid_days) = (Some(*value), Some(*valid_days));
            }
        }
        wire.serialize(s)
    }
}

impl<'de> Deserialize<'de> for RewardSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;

        let w = RewardSpecWire::deserialize(d)?;
        // The kind's own fields, and the fields present in the JSON that belong to other kinds.
        let (own, kind): (&'static [&'static str], _) = match w.kind {
            KindTag::Voucher => (
                &["template"],
                RewardKind::Voucher {
                    template: w
                        .template
                        .clone()
                        .ok_or_else(|| D::Error::missing_field("template"))?,
                },
            ),
            KindTag::Physical => (
                &["shipping"],
                RewardKind::Physical {
                    shipping: w.shipping.unwrap_or(false),
                },
            ),
            KindTag::PartnerPerk => (
                &["partner"],
                RewardKind::PartnerPerk {
                    partner: w.partner.clone().flatten(),
                },
            ),
            KindTag::PointsAsCash => (
                &["value", "valid_days"],
                RewardKind::PointsAsCash {
                    value: w.value.ok_or_else(|| D::Error::missing_field("value"))?,
                    valid_days: w.valid_days.unwrap_or_else(thirty),
                },
            ),
        };
        let present = [
            ("template", w.template.is_some()),
            ("shipping", w.shipping.is_some()),
            ("partner", w.partner.is_some()),
            ("value", w.value.is_some()),
            ("valid_days", w.valid_days.is_some()),
        ];
        if let Some((field, _)) = present.iter().find(|(f, p)| *p && !own.contains(f)) {
            let expected: Vec<&str> = COMMON_FIELDS.iter().chain(own).copied().collect();
            return Err(D::Error::custom(format!(
                "unknown field `{field}` for this kind of reward, expected one of {}",
                expected.join(", ")
            )));
        }
        Ok(RewardSpec {
            title: w.title,
            description: w.description,
            images: w.images,
            kind,
            cost: w.cost,
            cost_by_tier: w.cost_by_tier,
            stock: w.stock,
            limits: w.limits,
            eligibility: w.eligibility,
            available_from: w.available_from,
            available_until: w.available_until,
            early_access: w.early_access,
            status: w.status,
            categories: w.categories,
            brand_cost: w.brand_cost,
        })
    }
}

/// What the caller knows about the member asking, and their past redemptions of the reward.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberView<'a> {
    /// The tier the member holds (id).
    pub tier: Option<&'a str>,
    /// Tier id → title, for messages.
    pub tier_titles: &'a BTreeMap<String, String>,
    /// The member's tags.
    pub tags: &'a [String],
    /// The early access (hours) the member's tier gives, used when the reward's
    /// `early_access` has no entry for the tier.
    pub tier_early_access_hours: u32,
    /// The result of the reward's CEL condition for the member (none when it has none).
    pub condition: Option<bool>,
    /// The segments (of the reward's `eligibility.segments`) the member is in.
    pub segments: &'a [String],
    /// The points the member can spend now.
    pub available_points: i64,
    /// Units of the reward the member redeemed ever.
    pub redeemed_lifetime: u32,
    /// Units of the reward the member redeemed in the current limit period.
    pub redeemed_in_period: u32,
    /// Units of the reward left (none: unlimited).
    pub stock_left: Option<i64>,
}

/// Whether a member can redeem `quantity` units of a reward now, what it costs them, and
/// every reason they cannot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Availability {
    /// Points per unit for this member.
    pub cost: i64,
    /// Cost × quantity.
    pub total: i64,
    /// When the reward opens for this member (with early access).
    pub opens_at: Option<Timestamp>,
    /// When it closes (exclusive).
    pub closes_at: Option<Timestamp>,
    /// Whether the redemption can go ahead now (no locks).
    pub redeemable: bool,
    /// Everything that stops the redemption now (empty when redeemable).
    pub locks: Vec<Lock>,
}

/// Why a member cannot redeem a reward now. Serialized as
/// `{"code": "opens_later", "message": "opens for you in 3 h", ...data}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lock {
    /// The reward is paused.
    Paused,
    /// Not open yet for this member: it opens at `opens_at`, in `in_seconds`.
    OpensLater {
        opens_at: Timestamp,
        in_seconds: i64,
    },
    /// No longer available since `closed_at`.
    Closed { closed_at: Timestamp },
    /// The member holds none of these tiers (titles).
    NeedsTier { tiers: Vec<String> },
    /// The member has none of these tags.
    NeedsTag { tags: Vec<String> },
    /// The reward's condition is false for the member.
    NotEligible,
    /// Fewer units are left than asked for.
    SoldOut { stock_left: i64 },
    /// The member's limit (ever, or per period) would be passed.
    LimitReached { limit: u32, period: Option<Period> },
    /// More units than one redemption allows, or none.
    TooMany { max: u32 },
    /// The member's points do not cover the total.
    InsufficientPoints {
        cost: i64,
        available: i64,
        short_by: i64,
    },
}

/// A wait as people read it: `<1 min`, `45 min`, `3 h 20 min` (under 10 h), `30 h`, `2 d`.
fn human_wait(seconds: i64) -> String {
    let (minutes, hours) = (seconds / 60, seconds / 3_600);
    if seconds < 60 {
        "<1 min".into()
    } else if hours == 0 {
        format!("{minutes} min")
    } else if hours < 10 && minutes % 60 != 0 {
        format!("{hours} h {} min", minutes % 60)
    } else if hours < 48 {
        format!("{hours} h")
    } else {
        format!("{} d", hours / 24)
    }
}

/// `A`, `A or B`, `A, B or C`.
fn either(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

impl Lock {
    /// A stable code for programs (`opens_later`).
    pub fn code(&self) -> &'static str {
        match self {
            Lock::Paused => "paused",
            Lock::OpensLater { .. } => "opens_later",
            Lock::Closed { .. } => "closed",
            Lock::NeedsTier { .. } => "needs_tier",
            Lock::NeedsTag { .. } => "needs_tag",
            Lock::NotEligible => "not_eligible",
            Lock::SoldOut { .. } => "sold_out",
            Lock::LimitReached { .. } => "limit_reached",
            Lock::TooMany { .. } => "too_many",
            Lock::InsufficientPoints { .. } => "insufficient_points",
        }
    }

    /// A short English sentence an app can show (`opens for you in 3 h`).
    pub fn message(&self) -> String {
        match self {
            Lock::Paused => "not available at the moment".into(),
            Lock::OpensLater { in_seconds, .. } => {
                format!("opens for you in {}", human_wait(*in_seconds))
            }
            Lock::Closed { .. } => "no longer available".into(),
            Lock::NeedsTier { tiers } => format!("needs {} tier", either(tiers)),
            Lock::NeedsTag { tags } => format!("only for members tagged {}", either(tags)),
            Lock::NotEligible => "you are not eligible for this reward".into(),
            Lock::SoldOut { stock_left } if *stock_left <= 0 => "sold out".into(),
            Lock::SoldOut { stock_left } => format!("only {} left", grouped(*stock_left)),
            Lock::LimitReached {
                limit,
                period: Some(p),
            } => format!("limit of {limit} per {} reached", p.as_str()),
            Lock::LimitReached {
                limit,
                period: None,
            } => format!("limit of {limit} reached"),
            Lock::TooMany { max: 1 } => "only 1 per redemption".into(),
            Lock::TooMany { max } => format!("1 to {max} per redemption"),
            Lock::InsufficientPoints { short_by, .. } => {
                format!("needs {} more points", grouped(*short_by))
            }
        }
    }

    fn wire(&self) -> LockWire {
        let mut w = LockWire {
            code: self.code().to_owned(),
            message: self.message(),
            ..LockWire::default()
        };
        match self.clone() {
            Lock::OpensLater {
                opens_at,
                in_seconds,
            } => (w.opens_at, w.in_seconds) = (Some(opens_at), Some(in_seconds)),
            Lock::Closed { closed_at } => w.closed_at = Some(closed_at),
            Lock::NeedsTier { tiers } => w.tiers = Some(tiers),
            Lock::NeedsTag { tags } => w.tags = Some(tags),
            Lock::SoldOut { stock_left } => w.stock_left = Some(stock_left),
            Lock::LimitReached { limit, period } => {
                (w.limit, w.period) = (Some(limit), Some(period))
            }
            Lock::TooMany { max } => w.max = Some(max),
            Lock::InsufficientPoints {
                cost,
                available,
                short_by,
            } => (w.cost, w.available, w.short_by) = (Some(cost), Some(available), Some(short_by)),
            Lock::Paused | Lock::NotEligible => {}
        }
        w
    }

    fn from_wire(w: LockWire) -> Result<Lock, String> {
        let code = w.code.as_str();
        Ok(match code {
            "paused" => Lock::Paused,
            "opens_later" => Lock::OpensLater {
                opens_at: need(w.opens_at, code, "opens_at")?,
                in_seconds: need(w.in_seconds, code, "in_seconds")?,
            },
            "closed" => Lock::Closed {
                closed_at: need(w.closed_at, code, "closed_at")?,
            },
            "needs_tier" => Lock::NeedsTier {
                tiers: need(w.tiers, code, "tiers")?,
            },
            "needs_tag" => Lock::NeedsTag {
                tags: need(w.tags, code, "tags")?,
            },
            "not_eligible" => Lock::NotEligible,
            "sold_out" => Lock::SoldOut {
                stock_left: need(w.stock_left, code, "stock_left")?,
            },
            "limit_reached" => Lock::LimitReached {
                limit: need(w.limit, code, "limit")?,
                period: w.period.flatten(),
            },
            "too_many" => Lock::TooMany {
                max: need(w.max, code, "max")?,
            },
            "insufficient_points" => Lock::InsufficientPoints {
                cost: need(w.cost, code, "cost")?,
                available: need(w.available, code, "available")?,
                short_by: need(w.short_by, code, "short_by")?,
            },
            other => return Err(format!("unknown lock code {other:?}")),
        })
    }
}

/// A lock as JSON: its code, its message and its data.
#[derive(Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LockWire {
    code: String,
    #[serde(default)]
    message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    opens_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    in_seconds: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    closed_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tiers: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tags: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    stock_left: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    limit: Option<u32>,
    /// `Some(None)` is written as `"period": null` (a lifetime limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    period: Option<Option<Period>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cost: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    available: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    short_by: Option<i64>,
}

impl Serialize for Lock {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.wire().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Lock {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Lock::from_wire(LockWire::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// The most points a reward may cost, and units it may stock.
const MAX_COUNT: i64 = 1_000_000_000;
/// The most categories a reward names.
const MAX_CATEGORIES: usize = 20;

fn valid_image(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    url.len() <= 500 && rest.is_some_and(|r| !r.is_empty()) && !url.contains(char::is_whitespace)
}

impl RewardSpec {
    /// Checks a reward before it is saved; the error names the field (`limits.per_redemption`)
    /// and what is wrong with it.
    pub fn validate(&self) -> Result<(), (String, String)> {
        check_localized("title", &self.title, true, 200)?;
        check_localized("description", &self.description, false, 5_000)?;
        if self.images.len() > 10 {
            return field_err("images", "at most 10 images");
        }
        for (i, url) in self.images.iter().enumerate() {
            if !valid_image(url) {
                return field_err(
                    format!("images[{i}]"),
                    "an image is an http(s) URL of at most 500 characters",
                );
            }
        }
        match &self.kind {
            RewardKind::Voucher { template } if !valid_id(template) => {
                return field_err(
                    "template",
                    "a template id is 1 to 64 characters of a-z, 0-9, _ and -",
                );
            }
            RewardKind::PartnerPerk {
                partner: Some(partner),
            } if !valid_id(partner) => {
                return field_err(
                    "partner",
                    "a partner id is 1 to 64 characters of a-z, 0-9, _ and -",
                );
            }
            RewardKind::PointsAsCash { value, valid_days } => {
                if !(1..=MAX_FEN).contains(value) {
                    return field_err("value", "a cash value is 1 fen to ¥100,000,000");
                }
                if !(1..=3_650).contains(valid_days) {
                    return field_err("valid_days", "1 to 3,650 days");
                }
            }
            _ => {}
        }
        if !(0..=MAX_COUNT).contains(&self.cost) {
            return field_err("cost", "a cost is 0 to 1,000,000,000 points");
        }
        for (tier, cost) in &self.cost_by_tier {
            if !valid_name(tier) {
                return field_err("cost_by_tier", format!("{tier:?} is not a tier id"));
            }
            if !(0..=MAX_COUNT).contains(cost) {
                return field_err(
                    format!("cost_by_tier.{tier}"),
                    "a cost is 0 to 1,000,000,000 points",
                );
            }
        }
        if self.categories.len() > MAX_CATEGORIES {
            return field_err("categories", "at most 20 categories");
        }
        for (i, c) in self.categories.iter().enumerate() {
            if c.trim() != c
                || !(1..=64).contains(&c.chars().count())
                || c.chars().any(char::is_control)
            {
                return field_err(
                    format!("categories[{i}]"),
                    "a category is 1 to 64 characters, with no control characters or spaces at its ends",
                );
            }
        }
        if let Some(cost) = self.brand_cost
            && !(0..=MAX_FEN).contains(&cost)
        {
            return field_err(
                "brand_cost",
                "a cost to the brand is 0 to ¥100,000,000 (in fen)",
            );
        }
        if let Some(stock) = self.stock
            && !(0..=MAX_COUNT).contains(&stock)
        {
            return field_err("stock", "a stock is 0 to 1,000,000,000 units");
        }
        if self.limits.lifetime == Some(0) {
            return field_err("limits.lifetime", "a limit is at least 1");
        }
        if self.limits.per_period.is_some_and(|l| l.count == 0) {
            return field_err("limits.per_period.count", "a limit is at least 1");
        }
        if !(1..=100).contains(&self.limits.per_redemption) {
            return field_err("limits.per_redemption", "1 to 100 units per redemption");
        }
        for (i, tier) in self.eligibility.tiers.iter().enumerate() {
            if !valid_name(tier) {
                return field_err(format!("eligibility.tiers[{i}]"), "not a tier id");
            }
        }
        for (i, tag) in self.eligibility.tags.iter().enumerate() {
            if tag.trim().is_empty() || tag.chars().count() > 100 {
                return field_err(
                    format!("eligibility.tags[{i}]"),
                    "a tag is 1 to 100 characters",
                );
            }
        }
        if self.eligibility.segments.len() > 20 {
            return field_err("eligibility.segments", "at most 20 segments");
        }
        for (i, slug) in self.eligibility.segments.iter().enumerate() {
            if !crate::segments::slug_ok(slug) {
                return field_err(
                    format!("eligibility.segments[{i}]"),
                    "a segment's slug is 1–64 characters of a-z, 0-9, - and _",
                );
            }
        }
        if let Some(condition) = &self.eligibility.condition
            && (condition.trim().is_empty() || condition.len() > 4_000)
        {
            return field_err(
                "eligibility.condition",
                "a condition is 1 to 4,000 characters of CEL",
            );
        }
        if let (Some(from), Some(until)) = (self.available_from, self.available_until)
            && from >= until
        {
            return field_err("available_until", "the end comes after the start");
        }
        for (tier, hours) in &self.early_access {
            if !valid_name(tier) {
                return field_err("early_access", format!("{tier:?} is not a tier id"));
            }
            if !(1..=2_160).contains(hours) {
                return field_err(format!("early_access.{tier}"), "1 to 2,160 hours");
            }
        }
        Ok(())
    }

    /// Points per unit for a member of `tier`: the tier's price, else `cost`.
    pub fn cost_for(&self, tier: Option<&str>) -> i64 {
        tier.and_then(|t| self.cost_by_tier.get(t))
            .copied()
            .unwrap_or(self.cost)
    }

    /// The title in `lang`, else in `zh-CN`, else in `en`, else in any language, else `""`.
    pub fn title_in(&self, lang: &str) -> &str {
        localized_in(&self.title, lang)
    }

    /// Whether `member` can redeem `quantity` units now: the cost for them, when it opens for
    /// them (early access by the reward's tier map, else their tier's benefit) and closes,
    /// and every lock that applies.
    pub fn availability(
        &self,
        member: &MemberView<'_>,
        quantity: u32,
        now: Timestamp,
    ) -> Availability {
        let cost = self.cost_for(member.tier);
        let total = saturate(i128::from(cost) * i128::from(quantity));
        let early_hours = member.tier.map_or(0, |t| {
            self.early_access
                .get(t)
                .copied()
                .unwrap_or(member.tier_early_access_hours)
        });
        let opens_at = self
            .available_from
            .map(|from| from - Duration::hours(i64::from(early_hours)));
        let closes_at = self.available_until;

        let mut locks = Vec::new();
        if self.status == RewardStatus::Paused {
            locks.push(Lock::Paused);
        }
        if let Some(opens_at) = opens_at
            && now < opens_at
        {
            locks.push(Lock::OpensLater {
                opens_at,
                in_seconds: (opens_at - now).num_seconds(),
            });
        }
        if let Some(closed_at) = closes_at
            && now >= closed_at
        {
            locks.push(Lock::Closed { closed_at });
        }
        let e = &self.eligibility;
        if !e.tiers.is_empty() && !member.tier.is_some_and(|t| e.tiers.iter().any(|x| x == t)) {
            let titles = e
                .tiers
                .iter()
                .map(|t| member.tier_titles.get(t).unwrap_or(t).clone())
                .collect();
            locks.push(Lock::NeedsTier { tiers: titles });
        }
        if !e.tags.is_empty() && !member.tags.iter().any(|t| e.tags.contains(t)) {
            locks.push(Lock::NeedsTag {
                tags: e.tags.clone(),
            });
        }
        // A reward with a condition needs it to have been run, and be true; one for segments
        // needs the member in one of them.
        let outside =
            !e.segments.is_empty() && !member.segments.iter().any(|s| e.segments.contains(s));
        if (e.condition.is_some() && member.condition != Some(true)) || outside {
            locks.push(Lock::NotEligible);
        }
        if let Some(stock_left) = member.stock_left
            && stock_left < i64::from(quantity)
        {
            locks.push(Lock::SoldOut {
                stock_left: stock_left.max(0),
            });
        }
        let after = |done: u32| u64::from(done) + u64::from(quantity);
        if let Some(limit) = self.limits.lifetime
            && after(member.redeemed_lifetime) > u64::from(limit)
        {
            locks.push(Lock::LimitReached {
                limit,
                period: None,
            });
        }
        if let Some(l) = self.limits.per_period
            && after(member.redeemed_in_period) > u64::from(l.count)
        {
            locks.push(Lock::LimitReached {
                limit: l.count,
                period: Some(l.every),
            });
        }
        if quantity == 0 || quantity > self.limits.per_redemption {
            locks.push(Lock::TooMany {
                max: self.limits.per_redemption,
            });
        }
        if total > 0 && total > member.available_points {
            locks.push(Lock::InsufficientPoints {
                cost: total,
                available: member.available_points,
                short_by: saturate(i128::from(total) - i128::from(member.available_points)),
            });
        }
        Availability {
            cost,
            total,
            opens_at,
            closes_at,
            redeemable: locks.is_empty(),
            locks,
        }
    }
}

/// Where a redemption stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RedemptionStatus {
    /// Given at once (a voucher, a perk, a cash voucher).
    Issued,
    /// A physical gift waiting to be shipped.
    Requested,
    /// A physical gift on its way.
    Shipped,
    /// A physical gift the member received.
    Delivered,
    /// Cancelled (points refunded by the caller).
    Cancelled,
}

impl RedemptionStatus {
    /// The name used in JSON and storage (`shipped`).
    pub fn as_str(self) -> &'static str {
        match self {
            RedemptionStatus::Issued => "issued",
            RedemptionStatus::Requested => "requested",
            RedemptionStatus::Shipped => "shipped",
            RedemptionStatus::Delivered => "delivered",
            RedemptionStatus::Cancelled => "cancelled",
        }
    }

    /// The status of a name written by [`RedemptionStatus::as_str`].
    pub fn parse(s: &str) -> Option<RedemptionStatus> {
        [
            RedemptionStatus::Issued,
            RedemptionStatus::Requested,
            RedemptionStatus::Shipped,
            RedemptionStatus::Delivered,
            RedemptionStatus::Cancelled,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }

    /// Whether a redemption may move from this status to `to`: requested → shipped →
    /// delivered; requested, shipped or issued → cancelled. Nothing else.
    pub fn can_move_to(self, to: RedemptionStatus) -> bool {
        use RedemptionStatus::*;
        matches!(
            (self, to),
            (Requested, Shipped) | (Shipped, Delivered) | (Requested | Shipped | Issued, Cancelled)
        )
    }
}
