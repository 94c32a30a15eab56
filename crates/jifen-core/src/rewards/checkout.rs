//! The checkout judge: which vouchers apply to a cart, how they stack, and how many points pay
//! for the rest. One code path ([`quote`]) serves both validating a cart and redeeming it, so a
//! redemption never gives other than what the shop showed.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::voucher::{Discount, Restrictions, Rung, VoucherTemplate};
use super::{field_err, grouped, saturate, yuan};
use crate::Timestamp;

/// The most a line's unit price may be (fen): ¥100,000,000.
pub const MAX_PRICE: i64 = 10_000_000_000;

/// One line of a cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Line {
    /// The item's SKU, as the shop names it.
    pub sku: String,
    /// The item's category, for vouchers restricted by category.
    #[serde(default)]
    pub category: Option<String>,
    /// Fen per unit.
    pub price: i64,
    /// Units bought.
    pub quantity: u32,
}

impl Line {
    /// Price × quantity, without overflow.
    fn amount(&self) -> i128 {
        i128::from(self.price) * i128::from(self.quantity)
    }
}

/// A cart as the shop sends it, from a site (a storefront, an app, a POS).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cart {
    /// Where the order is placed (`store:shanghai-1`, `app`), for site-restricted vouchers.
    #[serde(default)]
    pub site: Option<String>,
    /// What is bought.
    pub lines: Vec<Line>,
}

impl Cart {
    /// The sum of price × quantity over the lines (fen, saturating).
    pub fn subtotal(&self) -> i64 {
        saturate(self.lines.iter().map(Line::amount).sum())
    }

    /// Checks a cart before it is quoted; field paths look like `cart.lines[2].price`.
    pub fn validate(&self) -> Result<(), (String, String)> {
        if let Some(site) = &self.site
            && (site.trim().is_empty() || site.chars().count() > 100)
        {
            return field_err("cart.site", "a site is 1 to 100 characters");
        }
        if self.lines.is_empty() || self.lines.len() > 500 {
            return field_err("cart.lines", "a cart has 1 to 500 lines");
        }
        for (i, line) in self.lines.iter().enumerate() {
            let at = |f: &str| format!("cart.lines[{i}].{f}");
            if line.sku.trim().is_empty() || line.sku.chars().count() > 100 {
                return field_err(at("sku"), "a SKU is 1 to 100 characters");
            }
            if let Some(c) = &line.category
                && (c.trim().is_empty() || c.chars().count() > 100)
            {
                return field_err(at("category"), "a category is 1 to 100 characters");
            }
            if !(0..=MAX_PRICE).contains(&line.price) {
                return field_err(at("price"), "a price is 0 to ¥100,000,000 (in fen)");
            }
            if !(1..=10_000).contains(&line.quantity) {
                return field_err(at("quantity"), "a quantity is 1 to 10,000");
            }
        }
        Ok(())
    }
}

/// What points are worth when they pay for an order: `points` points are worth `fen` fen, and
/// they pay at most `max_share_percent` of what is left after vouchers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CashSettings {
    /// Points of the rate (`points` points are worth `fen` fen).
    pub points: i64,
    /// Fen of the rate.
    pub fen: i64,
    /// The most of an order (after vouchers) points may pay, in percent.
    pub max_share_percent: u32,
}

impl CashSettings {
    /// Checks the settings before they are saved.
    pub fn validate(&self) -> Result<(), (String, String)> {
        if !(1..=1_000_000).contains(&self.points) {
            return field_err("points", "1 to 1,000,000 points");
        }
        if !(1..=1_000_000).contains(&self.fen) {
            return field_err("fen", "1 to 1,000,000 fen");
        }
        if !(1..=100).contains(&self.max_share_percent) {
            return field_err("max_share_percent", "1 to 100 percent");
        }
        Ok(())
    }
}

/// A voucher the caller wants judged against a cart: a code the member entered (with what the
/// store knows about it) or an automatic template.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate<'a> {
    /// The canonical code, or `auto:<template id>` for an automatic voucher.
    pub code: String,
    /// The template the code belongs to (its id).
    pub template_id: String,
    /// The template's terms.
    pub terms: &'a VoucherTemplate,
    /// When this code is valid (from inclusive, until exclusive); see
    /// [`VoucherTemplate::window`].
    pub valid_from: Option<Timestamp>,
    /// See `valid_from`.
    pub valid_until: Option<Timestamp>,
    /// Whether it is an automatic voucher (applies without a code).
    pub automatic: bool,
    /// Why the stored state refuses the code (unknown, not the member's, used up, reserved,
    /// gifted, cancelled…), set by the caller; the cart is then not looked at.
    pub blocked: Option<Reason>,
}

/// The points a member asks to pay with, and how many they can spend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointsAsk {
    /// Points asked for (0: none).
    pub requested: i64,
    /// The member's spendable balance.
    pub available: i64,
}

/// What a cart costs with the vouchers and points asked for, and why each one does or does not
/// apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quote {
    /// The sum of the lines (fen).
    pub subtotal: i64,
    /// One per candidate, in the candidates' order.
    pub vouchers: Vec<VoucherOutcome>,
    /// What the vouchers take off together (at most the subtotal).
    pub discount: i64,
    /// What points pay.
    pub points: PointsOutcome,
    /// Subtotal − discount − points value, never negative.
    pub total: i64,
}

/// What one candidate voucher does to the cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoucherOutcome {
    /// The code, as in the candidate.
    pub code: String,
    /// The template id.
    pub template: String,
    /// Whether it is an automatic voucher.
    pub automatic: bool,
    /// Whether it takes something off this cart.
    pub applies: bool,
    /// What it really takes off (0 when it does not apply).
    pub discount: i64,
    /// The subtotal of the lines it applies to (0 when it was refused before the lines were
    /// looked at).
    pub eligible_subtotal: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Why it does not apply (none when it applies).
    pub reason: Option<Reason>,
    /// Where the cart stands on a ladder voucher's rungs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ladder: Option<LadderState>,
}

/// Where a cart stands on a ladder: the rung reached, the next one, and how far it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LadderState {
    /// The highest rung reached.
    pub reached: Option<Rung>,
    /// The next rung up (none at the top).
    pub next: Option<Rung>,
    /// What the eligible subtotal lacks to reach `next` (fen).
    pub short_by: Option<i64>,
    /// `spend ¥41 more for ¥50 off` (none at the top rung).
    pub hint: Option<String>,
}

/// What points pay for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointsOutcome {
    /// Points asked for.
    pub requested: i64,
    /// Points that pay (a whole number of rate steps).
    pub used: i64,
    /// What the points used are worth (fen).
    pub value: i64,
    /// The most points that can pay for this order (by the share cap and the balance).
    pub max_points: i64,
    /// What `max_points` are worth (fen).
    pub max_value: i64,
    /// Why fewer points are used than requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
}

/// Why a voucher does not apply (or points are not all used). Serialized as
/// `{"code": "min_spend_not_met", "message": "spend ¥41 more to use this voucher", ...data}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// No voucher has this code.
    UnknownCode,
    /// The code fails its check character: a typo.
    Mistyped,
    /// The code was issued to another member.
    NotYours,
    /// The code has been used as many times as it can be.
    UsedUp {
        /// How many times a code can be used.
        max_uses: u32,
    },
    /// A public code this member already used.
    UsedByYou,
    /// Held by another checkout that is not paid yet.
    Reserved,
    /// Offered to a friend.
    Gifted,
    /// Cancelled by an operator.
    Cancelled,
    /// Not valid yet: valid from `from`.
    NotYetValid { from: Timestamp },
    /// Not valid since `until`.
    Expired { until: Timestamp },
    /// The cart's site (none: the cart named no site) is not one the voucher allows.
    SiteNotAllowed { site: Option<String> },
    /// The voucher is for members of these segments (slugs), and the cart's member is in
    /// none of them (or the cart is a guest's).
    NotInSegment { segments: Vec<String> },
    /// No line of the cart is one the voucher applies to.
    NoEligibleLines,
    /// The eligible subtotal is `short_by` fen under the voucher's `min_spend`.
    MinSpend { min_spend: i64, short_by: i64 },
    /// The eligible subtotal is below the ladder's first rung.
    LadderNotReached { first: Rung, short_by: i64 },
    /// Another voucher of the same group applies.
    GroupConflict { group: String, with: String },
    /// This voucher or one that applies combines with no other.
    NotCombinable { with: String },
    /// The code is already in the cart.
    Duplicate,
    /// The vouchers chosen before it already take the whole subtotal off: it is not used up
    /// for nothing.
    NotNeeded,
    /// The program does not take points as cash.
    PointsNotAccepted,
    /// The member has only `available` points.
    InsufficientPoints { available: i64 },
    /// The share of the order points may pay is reached.
    PointsCapped {
        max_points: i64,
        max_share_percent: u32,
    },
    /// Points pay in steps of `step` (the reduced rate).
    PointsRounded { step: i64 },
}

fn instant(t: Timestamp) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

impl Reason {
    /// A stable code for programs (`min_spend_not_met`).
    pub fn code(&self) -> &'static str {
        match self {
            Reason::UnknownCode => "unknown_code",
            Reason::Mistyped => "mistyped",
            Reason::NotYours => "not_yours",
            Reason::UsedUp { .. } => "used_up",
            Reason::UsedByYou => "used_by_you",
            Reason::Reserved => "reserved",
            Reason::Gifted => "gifted",
            Reason::Cancelled => "cancelled",
            Reason::NotYetValid { .. } => "not_yet_valid",
            Reason::Expired { .. } => "expired",
            Reason::SiteNotAllowed { .. } => "site_not_allowed",
            Reason::NotInSegment { .. } => "segment_required",
            Reason::NoEligibleLines => "no_eligible_lines",
            Reason::MinSpend { .. } => "min_spend_not_met",
            Reason::LadderNotReached { .. } => "ladder_not_reached",
            Reason::GroupConflict { .. } => "group_conflict",
            Reason::NotCombinable { .. } => "not_combinable",
            Reason::Duplicate => "duplicate",
            Reason::NotNeeded => "not_needed",
            Reason::PointsNotAccepted => "points_not_accepted",
            Reason::InsufficientPoints { .. } => "insufficient_points",
            Reason::PointsCapped { .. } => "points_capped",
            Reason::PointsRounded { .. } => "points_rounded",
        }
    }

    /// A short English sentence a shop can show (`spend ¥41 more to use this voucher`).
    pub fn message(&self) -> String {
        match self {
            Reason::UnknownCode => "no voucher has this code".into(),
            Reason::Mistyped => "this code has a typo: check it again".into(),
            Reason::NotYours => "this voucher belongs to someone else".into(),
            Reason::UsedUp { max_uses: 1 } => "this voucher has already been used".into(),
            Reason::UsedUp { max_uses } => {
                format!("this voucher has already been used {max_uses} times")
            }
            Reason::UsedByYou => "you have already used this code".into(),
            Reason::Reserved => "this voucher is held by another checkout".into(),
            Reason::Gifted => "this voucher has been offered to a friend".into(),
            Reason::Cancelled => "this voucher was cancelled".into(),
            Reason::NotYetValid { from } => {
                format!("this voucher is valid from {}", instant(*from))
            }
            Reason::Expired { until } => format!("this voucher expired at {}", instant(*until)),
            Reason::SiteNotAllowed { .. } => "this voucher cannot be used here".into(),
            Reason::NotInSegment { .. } => "this voucher is for other members".into(),
            Reason::NoEligibleLines => "nothing in the cart qualifies for this voucher".into(),
            Reason::MinSpend { short_by, .. } => {
                format!("spend {} more to use this voucher", yuan(*short_by))
            }
            Reason::LadderNotReached { first, short_by } => {
                format!("spend {} more for {} off", yuan(*short_by), yuan(first.off))
            }
            Reason::GroupConflict { group, with } => {
                format!("only one {group} voucher per order: {with} applies")
            }
            Reason::NotCombinable { with } => format!("cannot be combined with {with}"),
            Reason::Duplicate => "this code is already in the cart".into(),
            Reason::NotNeeded => "the other vouchers already cover the whole order".into(),
            Reason::PointsNotAccepted => "points cannot pay for orders here".into(),
            Reason::InsufficientPoints { available } => {
                format!("you have {} points", grouped(*available))
            }
            Reason::PointsCapped {
                max_points,
                max_share_percent,
            } => format!(
                "at most {} points ({max_share_percent}% of the order) can pay for this order",
                grouped(*max_points)
            ),
            Reason::PointsRounded { step } => {
                format!("points pay in steps of {}", grouped(*step))
            }
        }
    }

    fn wire(&self) -> ReasonWire {
        let mut w = ReasonWire {
            code: self.code().to_owned(),
            message: self.message(),
            ..ReasonWire::default()
        };
        match self.clone() {
            Reason::UsedUp { max_uses } => w.max_uses = Some(max_uses),
            Reason::NotYetValid { from } => w.from = Some(from),
            Reason::Expired { until } => w.until = Some(until),
            Reason::SiteNotAllowed { site } => w.site = Some(site),
            Reason::NotInSegment { segments } => w.segments = Some(segments),
            Reason::MinSpend {
                min_spend,
                short_by,
            } => (w.min_spend, w.short_by) = (Some(min_spend), Some(short_by)),
            Reason::LadderNotReached { first, short_by } => {
                (w.first, w.short_by) = (Some(first), Some(short_by));
            }
            Reason::GroupConflict { group, with } => (w.group, w.with) = (Some(group), Some(with)),
            Reason::NotCombinable { with } => w.with = Some(with),
            Reason::InsufficientPoints { available } => w.available = Some(available),
            Reason::PointsCapped {
                max_points,
                max_share_percent,
            } => {
                (w.max_points, w.max_share_percent) = (Some(max_points), Some(max_share_percent));
            }
            Reason::PointsRounded { step } => w.step = Some(step),
            _ => {}
        }
        w
    }

    fn from_wire(w: ReasonWire) -> Result<Reason, String> {
        let code = w.code.as_str();
        Ok(match code {
            "unknown_code" => Reason::UnknownCode,
            "mistyped" => Reason::Mistyped,
            "not_yours" => Reason::NotYours,
            "used_up" => Reason::UsedUp {
                max_uses: need(w.max_uses, code, "max_uses")?,
            },
            "used_by_you" => Reason::UsedByYou,
            "reserved" => Reason::Reserved,
            "gifted" => Reason::Gifted,
            "cancelled" => Reason::Cancelled,
            "not_yet_valid" => Reason::NotYetValid {
                from: need(w.from, code, "from")?,
            },
            "expired" => Reason::Expired {
                until: need(w.until, code, "until")?,
            },
            "site_not_allowed" => Reason::SiteNotAllowed {
                site: w.site.flatten(),
            },
            "segment_required" => Reason::NotInSegment {
                segments: need(w.segments, code, "segments")?,
            },
            "no_eligible_lines" => Reason::NoEligibleLines,
            "min_spend_not_met" => Reason::MinSpend {
                min_spend: need(w.min_spend, code, "min_spend")?,
                short_by: need(w.short_by, code, "short_by")?,
            },
            "ladder_not_reached" => Reason::LadderNotReached {
                first: need(w.first, code, "first")?,
                short_by: need(w.short_by, code, "short_by")?,
            },
            "group_conflict" => Reason::GroupConflict {
                group: need(w.group, code, "group")?,
                with: need(w.with, code, "with")?,
            },
            "not_combinable" => Reason::NotCombinable {
                with: need(w.with, code, "with")?,
            },
            "duplicate" => Reason::Duplicate,
            "not_needed" => Reason::NotNeeded,
            "points_not_accepted" => Reason::PointsNotAccepted,
            "insufficient_points" => Reason::InsufficientPoints {
                available: need(w.available, code, "available")?,
            },
            "points_capped" => Reason::PointsCapped {
                max_points: need(w.max_points, code, "max_points")?,
                max_share_percent: need(w.max_share_percent, code, "max_share_percent")?,
            },
            "points_rounded" => Reason::PointsRounded {
                step: need(w.step, code, "step")?,
            },
            other => return Err(format!("unknown reason code {other:?}")),
        })
    }
}

/// A field a wire form needs for its code.
pub(super) fn need<T>(v: Option<T>, code: &str, field: &str) -> Result<T, String> {
    v.ok_or_else(|| format!("`{code}` needs `{field}`"))
}

/// A reason as JSON: its code, its message and its data.
#[derive(Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReasonWire {
    code: String,
    #[serde(default)]
    message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_uses: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    from: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    until: Option<Timestamp>,
    /// `Some(None)` is written as `"site": null`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    site: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    segments: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    min_spend: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    short_by: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    first: Option<Rung>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    with: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    available: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_points: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_share_percent: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    step: Option<i64>,
}

impl Serialize for Reason {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.wire().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Reason {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Reason::from_wire(ReasonWire::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// Whether a cart from `site` may use a voucher restricted to `sites` (exact ids, or families
/// ending in `*`).
fn site_allowed(sites: &[String], site: Option<&str>) -> bool {
    sites.is_empty()
        || site.is_some_and(|s| {
            sites.iter().any(|p| match p.strip_suffix('*') {
                Some(family) => s.starts_with(family),
                None => p == s,
            })
        })
}

/// Whether a voucher with these restrictions applies to a line.
fn line_eligible(r: &Restrictions, line: &Line) -> bool {
    let category = line.category.as_deref();
    let in_category = |list: &[String]| category.is_some_and(|c| list.iter().any(|x| x == c));
    let included = (r.skus.is_empty() && r.categories.is_empty())
        || r.skus.contains(&line.sku)
        || in_category(&r.categories);
    let excluded = r.exclude_skus.contains(&line.sku) || in_category(&r.exclude_categories);
    included && !excluded
}

fn eligible_subtotal(cart: &Cart, r: &Restrictions) -> i64 {
    saturate(
        cart.lines
            .iter()
            .filter(|l| line_eligible(r, l))
            .map(Line::amount)
            .sum(),
    )
}

/// Where an eligible subtotal stands on a ladder.
fn ladder_state(rungs: &[Rung], eligible: i64) -> LadderState {
    let reached = rungs
        .iter()
        .filter(|r| r.min_spend <= eligible)
        .max_by_key(|r| r.off)
        .copied();
    let next = rungs
        .iter()
        .filter(|r| r.min_spend > eligible)
        .min_by_key(|r| r.min_spend)
        .copied();
    let short_by = next.map(|n| n.min_spend - eligible);
    let hint = next.map(|n| {
        format!(
            "spend {} more for {} off",
            yuan(n.min_spend - eligible),
            yuan(n.off)
        )
    });
    LadderState {
        reached,
        next,
        short_by,
        hint,
    }
}

/// What a voucher takes off an eligible subtotal on its own, or why it takes nothing.
fn own_discount(terms: &VoucherTemplate, eligible: i64) -> Result<i64, Reason> {
    let discount = match &terms.discount {
        Discount::Amount { off } => *off,
        Discount::Percent { percent, max_off } => {
            let pct = i128::from((*percent).min(100));
            let d = saturate(i128::from(eligible) * pct / 100);
            max_off.map_or(d, |m| d.min(m))
        }
        Discount::Ladder { rungs } => match rungs
            .iter()
            .filter(|r| r.min_spend <= eligible)
            .map(|r| r.off)
            .max()
        {
            Some(off) => off,
            None => match rungs.iter().min_by_key(|r| r.min_spend) {
                Some(first) => {
                    return Err(Reason::LadderNotReached {
                        first: *first,
                        short_by: first.min_spend - eligible,
                    });
                }
                None => 0,
            },
        },
    };
    Ok(discount.clamp(0, eligible))
}

/// Judges one candidate on its own: its discount, or why it does not apply. Fills the
/// outcome's eligible subtotal and ladder state on the way.
fn judge(
    cart: &Cart,
    c: &Candidate<'_>,
    first_time: bool,
    now: Timestamp,
    out: &mut VoucherOutcome,
) -> Result<i64, Reason> {
    if let Some(reason) = &c.blocked {
        return Err(reason.clone());
    }
    if !first_time {
        return Err(Reason::Duplicate);
    }
    if let Some(from) = c.valid_from
        && now < from
    {
        return Err(Reason::NotYetValid { from });
    }
    if let Some(until) = c.valid_until
        && now >= until
    {
        return Err(Reason::Expired { until });
    }
    let terms = c.terms;
    if !site_allowed(&terms.restrictions.sites, cart.site.as_deref()) {
        return Err(Reason::SiteNotAllowed {
            site: cart.site.clone(),
        });
    }
    let eligible = eligible_subtotal(cart, &terms.restrictions);
    out.eligible_subtotal = eligible;
    if let Discount::Ladder { rungs } = &terms.discount {
        out.ladder = Some(ladder_state(rungs, eligible));
    }
    if eligible <= 0 {
        return Err(Reason::NoEligibleLines);
    }
    if eligible < terms.min_spend {
        return Err(Reason::MinSpend {
            min_spend: terms.min_spend,
            short_by: terms.min_spend - eligible,
        });
    }
    own_discount(terms, eligible)
}

/// A candidate that passed on its own, for stacking.
struct Pick<'a> {
    /// Its index among the candidates.
    at: usize,
    discount: i64,
    group: Option<&'a str>,
    combinable: bool,
}

/// The most (capped at `cap`) a valid set can give that holds `included` and may add any of
/// `free`.
fn best_with(included: &[&Pick<'_>], free: &[Pick<'_>], cap: i64) -> i64 {
    if let Some(alone) = included.iter().find(|p| !p.combinable) {
        return alone.discount.min(cap);
    }
    let best_alone = if included.is_empty() {
        free.iter()
            .filter(|p| !p.combinable)
            .map(|p| p.discount.min(cap))
            .max()
            .unwrap_or(0)
    } else {
        0
    };
    let mut sum: i128 = 0;
    let mut groups: BTreeMap<&str, (bool, i64)> = BTreeMap::new();
    for p in included {
        match p.group {
            None => sum += i128::from(p.discount),
            Some(g) => {
                groups.insert(g, (true, p.discount));
            }
        }
    }
    for p in free.iter().filter(|p| p.combinable) {
        match p.group {
            None => sum += i128::from(p.discount),
            Some(g) => {
                let slot = groups.entry(g).or_insert((false, 0));
                if !slot.0 {
                    slot.1 = slot.1.max(p.discount);
                }
            }
        }
    }
    sum += groups.values().map(|(_, d)| i128::from(*d)).sum::<i128>();
    best_alone.max(saturate(sum.min(i128::from(cap))))
}

fn compatible(included: &[&Pick<'_>], p: &Pick<'_>) -> bool {
    if included.is_empty() {
        return true;
    }
    p.combinable
        && included.iter().all(|q| q.combinable)
        && p.group
            .is_none_or(|g| included.iter().all(|q| q.group != Some(g)))
}

/// Chooses the set of picks that takes the most off (capped at `cap`): at most one per group,
/// a non-combinable one alone. Among equal sets, the one keeping earlier candidates (the
/// greatest inclusion vector in candidate order). Returns positions in `picks`.
fn choose(picks: &[Pick<'_>], cap: i64) -> Vec<usize> {
    let target = best_with(&[], picks, cap);
    let mut chosen: Vec<usize> = Vec::new();
    for (k, p) in picks.iter().enumerate() {
        let mut included: Vec<&Pick<'_>> = chosen.iter().map(|i| &picks[*i]).collect();
        if !compatible(&included, p) {
            continue;
        }
        included.push(p);
        if best_with(&included, &picks[k + 1..], cap) >= target {
            chosen.push(k);
        }
    }
    chosen
}

/// Why a pick that passed on its own was left out of the chosen set.
fn left_out(p: &Pick<'_>, chosen: &[&Pick<'_>], codes: &[&str]) -> Reason {
    if let Some(alone) = chosen.iter().find(|q| !q.combinable) {
        return Reason::NotCombinable {
            with: codes[alone.at].to_owned(),
        };
    }
    if !p.combinable
        && let Some(first) = chosen.first()
    {
        return Reason::NotCombinable {
            with: codes[first.at].to_owned(),
        };
    }
    if let Some(g) = p.group
        && let Some(same) = chosen.iter().find(|q| q.group == Some(g))
    {
        return Reason::GroupConflict {
            group: g.to_owned(),
            with: codes[same.at].to_owned(),
        };
    }
    Reason::NotNeeded
}

fn gcd(mut a: i64, mut b: i64) -> i64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// How many points pay for `base` fen.
fn points_outcome(base: i64, cash: Option<&CashSettings>, ask: PointsAsk) -> PointsOutcome {
    let mut out = PointsOutcome {
        requested: ask.requested,
        used: 0,
        value: 0,
        max_points: 0,
        max_value: 0,
        reason: None,
    };
    let requested = ask.requested.max(0);
    let Some(cash) = cash.filter(|c| c.points > 0 && c.fen > 0) else {
        if requested > 0 {
            out.reason = Some(Reason::PointsNotAccepted);
        }
        return out;
    };
    let g = gcd(cash.points, cash.fen);
    let (p, f) = (cash.points / g, cash.fen / g);
    let share = cash.max_share_percent.min(100);
    let by_share = saturate(i128::from(base.max(0)) * i128::from(share) / 100);
    let available = ask.available.max(0);
    let (share_units, available_units, requested_units) =
        (by_share / f, available / p, requested / p);
    let units_cap = share_units.min(available_units);
    out.max_value = units_cap * f;
    out.max_points = units_cap * p;
    let units = requested_units.min(units_cap);
    out.used = units * p;
    out.value = units * f;
    if out.used < requested {
        out.reason = Some(if requested > available && available_units <= share_units {
            Reason::InsufficientPoints { available }
        } else if requested_units > share_units {
            Reason::PointsCapped {
                max_points: out.max_points,
                max_share_percent: share,
            }
        } else {
            Reason::PointsRounded { step: p }
        });
    }
    out
}

/// Judges a cart: each candidate voucher on its own (in order: blocked, duplicate, validity,
/// site, eligible lines, minimum spend, discount), then the best stack of those that passed,
/// then points as cash on what is left. The same call validates a cart and redeems it.
///
/// A cart is expected to pass [`Cart::validate`]; a negative subtotal counts as 0.
pub fn quote(
    cart: &Cart,
    candidates: &[Candidate<'_>],
    cash: Option<&CashSettings>,
    points: PointsAsk,
    now: Timestamp,
) -> Quote {
    let subtotal = cart.subtotal().max(0);
    let mut vouchers = Vec::with_capacity(candidates.len());
    let mut picks = Vec::new();
    let mut seen = BTreeSet::new();
    for (at, c) in candidates.iter().enumerate() {
        let mut out = VoucherOutcome {
            code: c.code.clone(),
            template: c.template_id.clone(),
            automatic: c.automatic,
            applies: false,
            discount: 0,
            eligible_subtotal: 0,
            reason: None,
            ladder: None,
        };
        let first_time = seen.insert(c.code.as_str());
        match judge(cart, c, first_time, now, &mut out) {
            Ok(discount) => picks.push(Pick {
                at,
                discount,
                group: c.terms.stacking.group.as_deref(),
                combinable: c.terms.stacking.combinable,
            }),
            Err(reason) => out.reason = Some(reason),
        }
        vouchers.push(out);
    }

    let chosen_at = choose(&picks, subtotal);
    let chosen: Vec<&Pick<'_>> = chosen_at.iter().map(|i| &picks[*i]).collect();
    let codes: Vec<&str> = candidates.iter().map(|c| c.code.as_str()).collect();
    for (i, p) in picks.iter().enumerate() {
        if !chosen_at.contains(&i) {
            vouchers[p.at].reason = Some(left_out(p, &chosen, &codes));
        }
    }
    // Together they take at most the subtotal: the last chosen give way first.
    let mut excess =
        chosen.iter().map(|p| i128::from(p.discount)).sum::<i128>() - i128::from(subtotal);
    let mut discount: i64 = 0;
    for p in chosen.iter().rev() {
        let cut = saturate(excess.clamp(0, i128::from(p.discount)));
        excess -= i128::from(cut);
        let gives = p.discount - cut;
        let out = &mut vouchers[p.at];
        if gives == 0 && p.discount > 0 {
            out.reason = Some(Reason::NotNeeded);
        } else {
            out.applies = true;
            out.discount = gives;
            discount += gives;
        }
    }

    let base = subtotal - discount;
    let points = points_outcome(base, cash, points);
    Quote {
        subtotal,
        vouchers,
        discount,
        total: (base - points.value).max(0),
        points,
    }
}
