//! Personal offers: the catalog rewards and wallet vouchers a member can use, scored by
//! [`jifen_core::offers`] from what the member buys (their order lines' categories over a
//! year), their tier, their segments, their points, and what each offer costs the brand.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use jifen_core::Timestamp;
use jifen_core::offers::{
    Affinity, Candidate, Lang, MAX_LIMIT, OfferSettings, Part, Reason, score,
};
use jifen_core::rewards::catalog::{Lock, RewardKind};
use jifen_core::rewards::voucher::{Discount, VoucherTemplate};
use jifen_store::Program;

use super::catalog::{Judged, Who, judge, kind_str};
use super::vouchers::{VoucherState, terms};
use crate::app::AppState;
use crate::error::ApiError;

/// The name the program's offer settings are saved under.
pub const SETTING: &str = "offers";
/// How far back order lines count.
const WINDOW_DAYS: i64 = 365;
/// The most purchases (and refunds) read for a member's categories, the latest first.
const LINES_FROM: u32 = 500;
/// The member's vouchers looked at (the newest).
const VOUCHERS: u32 = 200;
/// The offers a list holds unless asked for another number.
pub const DEFAULT_LIMIT: u32 = 10;

/// A program's offer settings: the defaults until saved.
pub async fn settings(state: &AppState, program_id: &str) -> Result<OfferSettings, ApiError> {
    Ok(super::read_setting(state, program_id, SETTING)
        .await?
        .unwrap_or_default())
}

/// Saves a program's offer settings, checked.
pub async fn save_settings(
    state: &AppState,
    program_id: &str,
    settings: &OfferSettings,
) -> Result<(), ApiError> {
    settings
        .check()
        .map_err(|(field, message)| ApiError::invalid(field, message))?;
    super::write_setting(state, program_id, SETTING, settings).await
}

/// A category the member buys, with its share of their spend.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CategoryShare {
    pub category: String,
    /// 0–1.
    pub share: f64,
}

/// One part of an offer's score.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PartOut {
    /// `affinity`, `segment`, `tier`, `ready`, `near`, `thrift`, `expiring` or `boost`.
    pub part: String,
    /// What the offer earned of the part, 0–1.
    pub fraction: f64,
    /// fraction × the part's weight.
    pub points: f64,
}

/// Why an offer is shown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReasonOut {
    /// `often_buys`, `for_segment`, `tier_only`, `tier_price`, `enough_points`,
    /// `points_short`, `in_wallet`, `expires_soon`.
    pub code: String,
    /// The sentence for the member, in the language asked for.
    pub text: String,
}

/// One personal offer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OfferOut {
    /// `reward` (from the catalog, redeemed with points) or `voucher` (in the member's wallet).
    pub kind: String,
    /// The reward's id, or the voucher's code.
    pub id: String,
    /// The title in the language asked for.
    pub title: String,
    /// A reward's kind (`voucher`, `physical`, `partner_perk`, `points_as_cash`); a voucher's
    /// template.
    pub detail: String,
    /// Points one unit costs the member (rewards).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<i64>,
    /// Points the member lacks (rewards they cannot afford yet).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub short_by: Option<i64>,
    /// Whether the member can use it now.
    pub ready: bool,
    /// When a voucher stops being valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    /// The sum of the parts.
    pub score: f64,
    /// The first of `reasons`: the one to show when there is room for one.
    pub reason: String,
    /// Why it is offered, strongest first.
    pub reasons: Vec<ReasonOut>,
    /// Where the score came from, the largest part first.
    pub parts: Vec<PartOut>,
}

/// A member's offers, best first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OffersOut {
    pub member: String,
    /// The points the member can spend now.
    pub available_points: i64,
    /// The categories the member spends most in over the last 365 days (up to three).
    pub categories: Vec<CategoryShare>,
    pub data: Vec<OfferOut>,
}

/// A candidate with what the list shows of it.
struct Offer {
    out: OfferOut,
    candidate: Candidate,
}

/// What a voucher's discount is worth at most, as a cost to the brand (fen): its amount, its
/// cap, or its ladder's top rung; a percentage without a cap has no known cost.
pub fn face_value(discount: &Discount) -> Option<i64> {
    match discount {
        Discount::Amount { off } => Some(*off),
        Discount::Percent { max_off, .. } => *max_off,
        Discount::Ladder { rungs } => rungs.iter().map(|r| r.off).max(),
    }
}

/// The member's spend by category over the window: purchase lines, refund lines taken off.
async fn affinity(
    state: &AppState,
    program: &Program,
    member_id: i64,
    now: Timestamp,
) -> Result<Affinity, ApiError> {
    let from = now - Duration::days(WINDOW_DAYS);
    let mut lines: Vec<(String, i64)> = Vec::new();
    for (kind, sign) in [("purchase", 1i64), ("refund", -1)] {
        let attrs = state
            .store
            .member_event_attributes(&program.id, member_id, kind, from, LINES_FROM)
            .await?;
        for text in attrs {
            let Ok(v) = serde_json::from_str::<Value>(&text) else {
                continue;
            };
            for line in v["lines"].as_array().into_iter().flatten() {
                let (Some(category), Some(amount)) =
                    (line["category"].as_str(), line["amount"].as_i64())
                else {
                    continue;
                };
                if !category.is_empty() && amount > 0 {
                    lines.push((category.to_owned(), sign.saturating_mul(amount)));
                }
            }
        }
    }
    Ok(Affinity::new(lines.iter().map(|(c, a)| (c.as_str(), *a))))
}

/// A catalog item as an offer, unless the member cannot use it (only a shortfall of points is
/// allowed: it is what an offer can tell them).
fn reward_offer(
    item: &Judged,
    who: &Who,
    segment_names: &BTreeMap<String, String>,
    templates: &BTreeMap<String, VoucherTemplate>,
    settings: &OfferSettings,
    lang: &str,
) -> Option<Offer> {
    let spec = &item.spec;
    let a = &item.availability;
    if settings.hidden.contains(&item.row.doc.id) {
        return None;
    }
    let mut short = None;
    for lock in &a.locks {
        match lock {
            Lock::InsufficientPoints { short_by, cost, .. } => short = Some((*short_by, *cost)),
            _ => return None,
        }
    }
    let tier_title = who
        .tier
        .as_ref()
        .map(|t| who.tier_titles.get(t).cloned().unwrap_or_else(|| t.clone()));
    let mut categories = spec.categories.clone();
    let mut brand_cost = spec.brand_cost;
    match &spec.kind {
        RewardKind::Voucher { template } => {
            if let Some(t) = templates.get(template) {
                for c in &t.restrictions.categories {
                    if !categories.contains(c) {
                        categories.push(c.clone());
                    }
                }
                brand_cost = brand_cost.or_else(|| face_value(&t.discount));
            }
        }
        RewardKind::PointsAsCash { value, .. } => brand_cost = brand_cost.or(Some(*value)),
        _ => {}
    }
    let e = &spec.eligibility;
    let segment = e
        .segments
        .iter()
        .find(|s| who.segments.contains(s))
        .map(|s| segment_names.get(s).cloned().unwrap_or_else(|| s.clone()));
    let tier_only = who
        .tier
        .as_ref()
        .filter(|t| !e.tiers.is_empty() && e.tiers.contains(t))
        .and(tier_title.clone());
    let tier_price = who
        .tier
        .as_ref()
        .and_then(|t| spec.cost_by_tier.get(t))
        .filter(|c| **c < spec.cost)
        .and_then(|c| Some((tier_title.clone()?, *c)));
    let candidate = Candidate {
        categories,
        segment,
        tier_only,
        tier_price,
        ready: a.redeemable,
        short,
        brand_cost,
        expires_in_days: None,
        boost: settings.boosts.get(&item.row.doc.id).copied().unwrap_or(0),
    };
    Some(Offer {
        out: OfferOut {
            kind: "reward".into(),
            id: item.row.doc.id.clone(),
            title: spec.title_in(lang).to_owned(),
            detail: kind_str(&spec.kind).into(),
            cost: Some(a.cost),
            short_by: short.map(|(s, _)| s),
            ready: a.redeemable,
            expires_at: None,
            score: 0.0,
            reason: String::new(),
            reasons: Vec::new(),
            parts: Vec::new(),
        },
        candidate,
    })
}

/// The member's usable vouchers as offers (`segments`: the member's, with their names).
async fn voucher_offers(
    state: &AppState,
    program: &Program,
    member_id: i64,
    segments: (&[String], &BTreeMap<String, String>),
    now: Timestamp,
    lang: &str,
) -> Result<Vec<Offer>, ApiError> {
    let rows = state
        .store
        .member_vouchers(&program.id, member_id, VOUCHERS)
        .await?;
    let outs = super::vouchers::vouchers_out(state, program, &rows).await?;
    let tz = super::program_tz(program);
    let today = now.with_timezone(&tz).date_naive();
    let mut offers = Vec::new();
    for (row, v) in rows.iter().zip(outs) {
        if v.state != VoucherState::Usable {
            continue;
        }
        let t = terms(&row.terms)?;
        // The last instant it is valid is just before `valid_until`.
        let days = v.valid_until.map(|u| {
            ((u - Duration::microseconds(1))
                .with_timezone(&tz)
                .date_naive()
                - today)
                .num_days()
        });
        offers.push(Offer {
            out: OfferOut {
                kind: "voucher".into(),
                id: v.code.clone(),
                title: t.title_in(lang).to_owned(),
                detail: row.template_id.clone(),
                cost: None,
                short_by: None,
                ready: true,
                expires_at: v.valid_until,
                score: 0.0,
                reason: String::new(),
                reasons: Vec::new(),
                parts: Vec::new(),
            },
            candidate: Candidate {
                categories: t.restrictions.categories.clone(),
                segment: t
                    .restrictions
                    .segments
                    .iter()
                    .find(|s| segments.0.contains(s))
                    .map(|s| segments.1.get(s).cloned().unwrap_or_else(|| s.clone())),
                ready: true,
                brand_cost: face_value(&t.discount),
                expires_in_days: days,
                ..Candidate::default()
            },
        });
    }
    Ok(offers)
}

/// A member's personal offers now, best first, at most `limit` (1–200).
pub async fn member_offers(
    state: &AppState,
    program: &Program,
    external_id: &str,
    lang: &str,
    limit: u32,
) -> Result<OffersOut, ApiError> {
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::invalid(
            "limit",
            format!("limit must be between 1 and {MAX_LIMIT}"),
        ));
    }
    let now = state.clock.now();
    let settings = settings(state, &program.id).await?;
    let judged = judge(state, program, external_id).await?;
    let member_id = judged.head.id;
    let affinity = affinity(state, program, member_id, now).await?;
    let segment_names: BTreeMap<String, String> = if judged.who.segments.is_empty() {
        BTreeMap::new()
    } else {
        state
            .store
            .segments(&program.id)
            .await?
            .into_iter()
            .map(|s| (s.slug, s.name))
            .collect()
    };
    // The terms of the templates voucher rewards give, read at once (and only theirs parsed).
    let given: BTreeSet<&str> = judged
        .items
        .iter()
        .filter_map(|i| match &i.spec.kind {
            RewardKind::Voucher { template } => Some(template.as_str()),
            _ => None,
        })
        .collect();
    let mut templates = BTreeMap::new();
    if !given.is_empty() {
        for doc in state.store.voucher_templates(&program.id).await? {
            if given.contains(doc.id.as_str()) {
                templates.insert(doc.id.clone(), terms(&doc.body)?);
            }
        }
    }
    let mut offers: Vec<Offer> = judged
        .items
        .iter()
        .filter_map(|item| {
            reward_offer(
                item,
                &judged.who,
                &segment_names,
                &templates,
                &settings,
                lang,
            )
        })
        .collect();
    offers.extend(
        voucher_offers(
            state,
            program,
            member_id,
            (&judged.who.segments, &segment_names),
            now,
            lang,
        )
        .await?,
    );
    let dearest = offers.iter().filter_map(|o| o.candidate.brand_cost).max();
    let language = Lang::of(lang);
    for o in &mut offers {
        let s = score(
            &o.candidate,
            &affinity,
            &settings.weights,
            dearest,
            language,
        );
        let reasons: Vec<ReasonOut> = s.reasons().into_iter().map(reason_out).collect();
        o.out.score = s.score;
        o.out.reason = reasons.first().map(|r| r.text.clone()).unwrap_or_default();
        o.out.reasons = reasons;
        o.out.parts = s.parts.into_iter().map(part_out).collect();
    }
    // Best first; among equals, what the member can use now, then the cheaper, then by id.
    offers.sort_by(|a, b| {
        b.out
            .score
            .total_cmp(&a.out.score)
            .then_with(|| b.out.ready.cmp(&a.out.ready))
            .then_with(|| a.out.cost.unwrap_or(0).cmp(&b.out.cost.unwrap_or(0)))
            .then_with(|| a.out.kind.cmp(&b.out.kind))
            .then_with(|| a.out.id.cmp(&b.out.id))
    });
    offers.truncate(limit as usize);
    Ok(OffersOut {
        member: judged.head.external_id.clone(),
        available_points: judged.available,
        categories: affinity
            .top(3)
            .into_iter()
            .map(|(category, share)| CategoryShare {
                category,
                share: (share * 1000.0).round() / 1000.0,
            })
            .collect(),
        data: offers.into_iter().map(|o| o.out).collect(),
    })
}

fn reason_out(r: Reason) -> ReasonOut {
    ReasonOut {
        code: r.code,
        text: r.text,
    }
}

fn part_out(p: Part) -> PartOut {
    PartOut {
        part: p.part,
        fraction: p.fraction,
        points: p.points,
    }
}
