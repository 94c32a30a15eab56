//! The rewards catalog: what a member can redeem now and why not, redemptions that spend
//! points, take stock and issue what the reward gives in one transaction, their cancellation
//! (points and stock returned once) and the fulfilment of physical gifts.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use jifen_core::rewards::catalog::{
    Availability, MemberView, RedemptionStatus, RewardKind, RewardSpec,
};
use jifen_core::rewards::voucher::VoucherTemplate;
use jifen_core::rules::{Condition, Facts};
use jifen_core::tiers::BenefitKind;
use jifen_core::{Cause, CauseKind, EntryKind, NewLot, Timestamp};
use jifen_store::{
    MemberHead, MemberSet, MemberTierRow, Program, RedemptionRow, RewardRow, VoucherRow, WriteTx,
};

use super::gifts::{GiftOut, offer_in_tx};
use super::ledger::{book_at, open_book, save};
use super::tiers::{TierSettings, state_of};
use super::vouchers::{CHECKOUT, CheckoutSettings, Stored, insert_new, issue, new_vouchers};
use super::{Answer, Failure, Idempotency, claim, finish, program_tz, with_retries};
use crate::app::AppState;
use crate::error::ApiError;

/// Longest free text of a redemption's details (shipping, tracking, notes, reasons), in bytes.
const MAX_DETAIL: usize = 2_000;

fn detail(field: &str, text: Option<&String>) -> Result<(), ApiError> {
    match text {
        Some(t) if t.len() > MAX_DETAIL || t.chars().any(char::is_control) => {
            Err(ApiError::invalid(
                field,
                format!("{field} is at most {MAX_DETAIL} bytes, with no control characters"),
            ))
        }
        _ => Ok(()),
    }
}

/// A stored catalog item's spec.
pub fn spec(row: &RewardRow) -> Result<RewardSpec, ApiError> {
    serde_json::from_str(&row.doc.body).map_err(|e| {
        tracing::error!(error = %e, "unreadable reward");
        ApiError::Internal
    })
}

/// Units left: stock not taken, and for partner perks, codes not given.
pub fn left(row: &RewardRow, spec: &RewardSpec) -> Option<i64> {
    let stock = row.stock.map(|s| s - row.taken);
    match spec.kind {
        RewardKind::PartnerPerk { .. } => {
            Some(stock.map_or(row.codes_left, |s| s.min(row.codes_left)))
        }
        _ => stock,
    }
}

/// What a member is, for the catalog: tier, tags and the facts conditions read.
pub struct Who {
    pub member_id: i64,
    pub tier: Option<String>,
    pub early_hours: u32,
    pub tier_titles: BTreeMap<String, String>,
    pub tags: Vec<String>,
    /// The segments the member is in (materialised membership).
    pub segments: Vec<String>,
    member_facts: Value,
    program_facts: Value,
}

impl Who {
    fn new(
        program: &Program,
        settings: &TierSettings,
        row: Option<&MemberTierRow>,
        head: &MemberHead,
        facts: jifen_store::MemberFacts,
        segments: Vec<String>,
        now: Timestamp,
    ) -> Who {
        let enrolled_at = head.enrolled_at;
        let tags: Vec<String> = facts.tags.into_iter().map(|(_, t)| t).collect();
        let meters: BTreeMap<String, i64> =
            facts.meters.into_iter().map(|(_, m, v)| (m, v)).collect();
        let (tier, early_hours, tier_titles) = match &settings.policy {
            Some(policy) => {
                let s = state_of(policy, row, enrolled_at);
                let t = policy.effective(&s, now);
                let hours = t
                    .benefits
                    .iter()
                    .filter_map(|b| match b.kind {
                        BenefitKind::EarlyAccess { hours } => Some(hours),
                        _ => None,
                    })
                    .max()
                    .unwrap_or(0);
                let titles = policy
                    .tiers
                    .iter()
                    .map(|t| (t.id.clone(), t.name.clone()))
                    .collect();
                (Some(t.id.clone()), hours, titles)
            }
            None => (None, 0, BTreeMap::new()),
        };
        Who {
            member_id: head.id,
            member_facts: json!({
                "id": head.external_id,
                "enrolled_at": enrolled_at.to_rfc3339(),
                "attributes": serde_json::from_str::<Value>(&head.attributes).unwrap_or(json!({})),
                "tags": tags,
                "meters": meters,
                "tier": tier,
                "segments": segments,
            }),
            program_facts: json!({"id": program.id, "name": program.name}),
            tier,
            early_hours,
            tier_titles,
            tags,
            segments,
        }
    }

    /// Reads a member for the catalog outside a write.
    async fn read(
        state: &AppState,
        program: &Program,
        head: &MemberHead,
        now: Timestamp,
    ) -> Result<Who, ApiError> {
        let settings = TierSettings::read(state, &program.id).await?;
        let ids = [head.id];
        let row = state.store.member_tiers(MemberSet::Ids(&ids)).await?.pop();
        let facts = state.store.member_facts(&ids).await?;
        let segments = state
            .store
            .member_segments(&program.id, head.id)
            .await?
            .into_iter()
            .map(|(slug, _)| slug)
            .collect();
        Ok(Who::new(
            program,
            &settings,
            row.as_ref(),
            head,
            facts,
            segments,
            now,
        ))
    }

    /// What a reward's condition says of this member (`None`: it has none).
    fn condition(&self, spec: &RewardSpec, now: Timestamp) -> Option<bool> {
        let source = spec.eligibility.condition.as_deref()?;
        let Ok(condition) = Condition::compile(source) else {
            return Some(false);
        };
        let facts = Facts::new(&Value::Null, &self.member_facts, &self.program_facts, now);
        Some(condition.eval(&facts) == jifen_core::rules::Truth::True)
    }

    #[allow(clippy::too_many_arguments)]
    fn availability(
        &self,
        spec: &RewardSpec,
        stock_left: Option<i64>,
        available_points: i64,
        counts: (i64, i64),
        quantity: u32,
        now: Timestamp,
    ) -> Availability {
        let view = MemberView {
            tier: self.tier.as_deref(),
            tier_titles: &self.tier_titles,
            tags: &self.tags,
            tier_early_access_hours: self.early_hours,
            condition: self.condition(spec, now),
            segments: &self.segments,
            available_points,
            redeemed_lifetime: u32::try_from(counts.0).unwrap_or(u32::MAX),
            redeemed_in_period: u32::try_from(counts.1).unwrap_or(u32::MAX),
            stock_left,
        };
        spec.availability(&view, quantity, now)
    }
}

/// Where a member's limit period starts (the epoch when the reward has none).
fn period_start(spec: &RewardSpec, program: &Program, now: Timestamp) -> Timestamp {
    spec.limits
        .per_period
        .as_ref()
        .map_or(Timestamp::UNIX_EPOCH, |p| {
            p.every.start(now, program_tz(program))
        })
}

/// One catalog item as a member sees it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MemberRewardOut {
    pub id: String,
    pub kind: String,
    /// The title in the language asked for.
    pub title: String,
    #[schema(value_type = Object)]
    pub titles: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    pub images: Vec<String>,
    /// Units left (absent: unlimited).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub left: Option<i64>,
    /// Cost, opening and locks for this member.
    #[schema(value_type = Object)]
    pub availability: Availability,
}

/// Every active or paused catalog item, as a member sees it now.
pub async fn member_catalog(
    state: &AppState,
    program: &Program,
    external_id: &str,
    lang: &str,
) -> Result<Vec<MemberRewardOut>, ApiError> {
    Ok(member_catalog_and_points(state, program, external_id, lang)
        .await?
        .0)
}

/// [`member_catalog`], with the member's available points it was judged against.
pub async fn member_catalog_and_points(
    state: &AppState,
    program: &Program,
    external_id: &str,
    lang: &str,
) -> Result<(Vec<MemberRewardOut>, i64), ApiError> {
    let judged = judge(state, program, external_id).await?;
    let out = judged
        .items
        .into_iter()
        .map(|item| MemberRewardOut {
            id: item.row.doc.id.clone(),
            kind: kind_str(&item.spec.kind).into(),
            title: item.spec.title_in(lang).to_owned(),
            titles: item.spec.title.clone(),
            description: in_lang(&item.spec.description, lang),
            images: item.spec.images.clone(),
            left: item.left,
            availability: item.availability,
        })
        .collect();
    Ok((out, judged.available))
}

/// One catalog item judged for a member.
pub struct Judged {
    pub row: RewardRow,
    pub spec: RewardSpec,
    /// Units left (none: unlimited).
    pub left: Option<i64>,
    pub availability: Availability,
}

/// The whole catalog judged for a member now, with who they are and the points they can spend.
pub struct Judgement {
    pub head: MemberHead,
    pub who: Who,
    pub available: i64,
    pub items: Vec<Judged>,
}

/// Judges every active or paused catalog item for a member now.
pub async fn judge(
    state: &AppState,
    program: &Program,
    external_id: &str,
) -> Result<Judgement, ApiError> {
    let now = state.clock.now();
    let (head, book) = book_at(state, program, external_id, now, false).await?;
    let who = Who::read(state, program, &head, now).await?;
    let available = book.balance().available;
    let mut counts: BTreeMap<Timestamp, BTreeMap<String, (i64, i64)>> = BTreeMap::new();
    let mut items = Vec::new();
    for row in state.store.rewards(&program.id).await? {
        let spec = spec(&row)?;
        let since = period_start(&spec, program, now);
        if let std::collections::btree_map::Entry::Vacant(e) = counts.entry(since) {
            let c = state.store.redeemed_counts(who.member_id, since).await?;
            e.insert(c.into_iter().map(|(r, a, b)| (r, (a, b))).collect());
        }
        let count = counts[&since].get(&row.doc.id).copied().unwrap_or((0, 0));
        let left = left(&row, &spec);
        let availability = who.availability(&spec, left, available, count, 1, now);
        items.push(Judged {
            row,
            spec,
            left,
            availability,
        });
    }
    Ok(Judgement {
        head,
        who,
        available,
        items,
    })
}

pub fn in_lang(text: &BTreeMap<String, String>, lang: &str) -> String {
    text.get(lang)
        .or_else(|| text.get("zh-CN"))
        .or_else(|| text.get("en"))
        .or_else(|| text.values().next())
        .cloned()
        .unwrap_or_default()
}

pub fn kind_str(kind: &RewardKind) -> &'static str {
    match kind {
        RewardKind::Voucher { .. } => "voucher",
        RewardKind::Physical { .. } => "physical",
        RewardKind::PartnerPerk { .. } => "partner_perk",
        RewardKind::PointsAsCash { .. } => "points_as_cash",
    }
}

/// A redemption asked for.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RewardRedemptionIn {
    /// Chosen by the client; the idempotency key.
    pub id: String,
    pub reward_id: String,
    #[serde(default = "one")]
    pub quantity: u32,
    /// Where to ship a physical gift (name, phone, address…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub shipping: Option<Value>,
    /// Offer the voucher bought to a friend at once: a share token comes back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gift: Option<GiftOption>,
}

fn one() -> u32 {
    1
}

/// A gift made with a redemption.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GiftOption {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The name the friend sees as the sender's (at most 20 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_name: Option<String>,
    /// Hours the friend has to claim it (default: the checkout settings' `gift_hours`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<u32>,
}

/// What a redemption issued.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct Issued {
    /// Voucher codes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vouchers: Vec<String>,
    /// Partner perk codes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub codes: Vec<String>,
}

/// A redemption of a catalog item.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RewardRedemptionOut {
    pub id: String,
    pub member: String,
    pub reward_id: String,
    pub quantity: i64,
    /// Points spent (returned when cancelled).
    pub points: i64,
    /// `issued`, `requested`, `shipped`, `delivered` or `cancelled`.
    pub status: String,
    pub issued: Issued,
    /// Shipping, tracking and notes.
    #[schema(value_type = Object)]
    pub details: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gift: Option<GiftOut>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

pub fn redemption_out(r: &RedemptionRow) -> RewardRedemptionOut {
    RewardRedemptionOut {
        id: r.id.clone(),
        member: r.member.clone(),
        reward_id: r.reward_id.clone(),
        quantity: r.quantity,
        points: r.points,
        status: r.status.clone(),
        issued: serde_json::from_str(&r.issued).unwrap_or_default(),
        details: serde_json::from_str(&r.details).unwrap_or(json!({})),
        gift: None,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

fn refuse(a: &Availability) -> ApiError {
    let lock = a
        .locks
        .first()
        .map(|l| serde_json::to_value(l).unwrap_or_default())
        .unwrap_or_default();
    let code = lock["code"].as_str().unwrap_or("unavailable").to_owned();
    let message = lock["message"]
        .as_str()
        .unwrap_or("not available")
        .to_owned();
    if code == "insufficient_points" {
        ApiError::InsufficientPoints(message)
    } else {
        ApiError::RewardUnavailable {
            reason: code,
            message,
        }
    }
}

/// Redeems a catalog item for a member, in one transaction.
pub async fn redeem(
    state: &AppState,
    program: &Program,
    external_id: &str,
    req: &RewardRedemptionIn,
) -> Result<Answer, ApiError> {
    crate::parse::client_id("id", &req.id)?;
    if !crate::parse::could_be_id(external_id) {
        return Err(ApiError::MemberNotFound(external_id.to_owned()));
    }
    if let Some(shipping) = &req.shipping
        && (!shipping.is_object() || shipping.to_string().len() > MAX_DETAIL)
    {
        return Err(ApiError::invalid(
            "shipping",
            format!("shipping is a JSON object of at most {MAX_DETAIL} bytes"),
        ));
    }
    if !crate::parse::could_be_id(&req.reward_id) {
        return Err(ApiError::RewardNotFound(req.reward_id.clone()));
    }
    let idem = Idempotency::new(
        &program.id,
        "reward_redemption",
        &req.id,
        &(external_id, req),
    );
    with_retries(|| async {
        let mut tx = state.store.begin_write().await?;
        if let Some(answer) = claim(&mut tx, &idem).await? {
            tx.commit().await?;
            return Ok(answer);
        }
        let now = state.clock.now();
        let head = tx
            .lock_head(&program.id, external_id)
            .await?
            .ok_or_else(|| ApiError::MemberNotFound(external_id.to_owned()))?;
        let row = tx
            .lock_reward(&program.id, &req.reward_id)
            .await?
            .ok_or_else(|| ApiError::RewardNotFound(req.reward_id.clone()))?;
        let spec = spec(&row)?;
        let settings = TierSettings::in_tx(&mut tx, &program.id).await?;
        let ids = [head.id];
        let tier_row = tx.member_tiers(MemberSet::Ids(&ids)).await?.pop();
        let facts = tx.member_facts(&ids).await?;
        let segments = tx
            .memberships_in_tx(&program.id, &ids)
            .await?
            .into_iter()
            .map(|(_, slug)| slug)
            .collect();
        let who = Who::new(
            program,
            &settings,
            tier_row.as_ref(),
            &head,
            facts,
            segments,
            now,
        );
        let (mut book, mut entries) = open_book(&mut tx, &head, now).await?;
        let since = period_start(&spec, program, now);
        let counts = tx.redeemed_count(head.id, &req.reward_id, since).await?;
        let a = who.availability(
            &spec,
            left(&row, &spec),
            book.balance().available,
            counts,
            req.quantity,
            now,
        );
        if !a.redeemable {
            return Err(refuse(&a).into());
        }
        let quantity = i64::from(req.quantity);
        if !tx.take_stock(&program.id, &req.reward_id, quantity).await? {
            return Err(ApiError::RewardUnavailable {
                reason: "sold_out".into(),
                message: "sold out".into(),
            }
            .into());
        }
        if a.total > 0 {
            entries.extend(book.redeem(
                a.total,
                &Cause::new(CauseKind::Redemption, format!("reward:{}", req.id)),
            )?);
        }
        let source = format!("redemption:{}", req.id);
        let mut issued = Issued::default();
        let mut vouchers: Vec<VoucherRow> = Vec::new();
        let members = vec![head.id; req.quantity as usize];
        match &spec.kind {
            RewardKind::Voucher { template } => {
                vouchers = issue(&mut tx, &program.id, template, &members, &source, now).await?;
            }
            RewardKind::PointsAsCash { value, valid_days } => {
                let terms = VoucherTemplate::cash(spec.title.clone(), *value, *valid_days);
                let owners: Vec<Option<i64>> = members.iter().map(|m| Some(*m)).collect();
                let template = format!("cash:{}", req.reward_id);
                let rows = new_vouchers(&template, &terms, &owners, None, &source, now);
                vouchers = insert_new(&mut tx, &program.id, rows, None).await?;
            }
            RewardKind::PartnerPerk { .. } => {
                issued.codes = tx
                    .take_reward_codes(&program.id, &req.reward_id, &req.id, quantity, now)
                    .await?;
                if issued.codes.len() < req.quantity as usize {
                    return Err(ApiError::RewardUnavailable {
                        reason: "sold_out".into(),
                        message: "no codes left".into(),
                    }
                    .into());
                }
            }
            RewardKind::Physical { .. } => {}
        }
        issued.vouchers = vouchers.iter().map(|v| v.code.clone()).collect();
        let status = match spec.kind {
            RewardKind::Physical { .. } => RedemptionStatus::Requested,
            _ => RedemptionStatus::Issued,
        };
        let redemption = RedemptionRow {
            id: req.id.clone(),
            member_id: head.id,
            member: head.external_id.clone(),
            reward_id: req.reward_id.clone(),
            quantity,
            points: a.total,
            status: status.as_str().into(),
            issued: serde_json::to_string(&issued).unwrap_or_default(),
            details: json!({"shipping": req.shipping}).to_string(),
            created_at: now,
            updated_at: now,
        };
        tx.insert_redemption(&program.id, &redemption).await?;
        let mut out = redemption_out(&redemption);
        if let Some(gift) = &req.gift {
            let [voucher] = &vouchers[..] else {
                return Err(ApiError::invalid(
                    "gift",
                    "a gift is one voucher: redeem a voucher reward with quantity 1",
                )
                .into());
            };
            let checkout = CheckoutSettings::parse(tx.setting(&program.id, CHECKOUT).await?);
            let hours = gift.hours.unwrap_or(checkout.gift_hours);
            let stored = Stored::default();
            out.gift = Some(
                offer_in_tx(
                    &mut tx,
                    program,
                    &head,
                    voucher,
                    &stored,
                    hours,
                    super::gifts::Note {
                        message: gift.message.clone(),
                        sender_name: gift.sender_name.clone(),
                    },
                    now,
                )
                .await?,
            );
        }
        save(&mut tx, &program.id, head.id, &mut book, &entries).await?;
        let body = serde_json::to_value(&out).unwrap_or_default();
        finish(tx, &idem, axum::http::StatusCode::CREATED, body).await
    })
    .await
}

/// A redemption, locked until the end of the transaction.
async fn locked_redemption(
    tx: &mut Box<dyn WriteTx>,
    program: &Program,
    id: &str,
) -> Result<RedemptionRow, Failure> {
    Ok(tx
        .lock_redemption(&program.id, id)
        .await?
        .ok_or_else(|| ApiError::RedemptionNotFound(id.to_owned()))?)
}

/// Cancels a redemption: its vouchers are cancelled (when none was used or gifted), its stock
/// and points come back, once.
pub async fn cancel(
    state: &AppState,
    program: &Program,
    id: &str,
    reason: Option<String>,
) -> Result<RewardRedemptionOut, ApiError> {
    if !crate::parse::could_be_id(id) {
        return Err(ApiError::RedemptionNotFound(id.to_owned()));
    }
    detail("reason", reason.as_ref())?;
    with_retries(|| async {
        let mut tx = state.store.begin_write().await?;
        let r = locked_redemption(&mut tx, program, id).await?;
        if r.status == "cancelled" {
            // On SQLite, committing waits until what is answered is on disk.
            tx.commit().await?;
            return Ok(redemption_out(&r));
        }
        let from = RedemptionStatus::parse(&r.status).ok_or(ApiError::Internal)?;
        if !from.can_move_to(RedemptionStatus::Cancelled) {
            return Err(ApiError::NotCancellable(format!(
                "redemption {id} is {}: it can no longer be cancelled",
                r.status
            ))
            .into());
        }
        let issued: Issued = serde_json::from_str(&r.issued).unwrap_or_default();
        if !issued.codes.is_empty() {
            return Err(ApiError::NotCancellable(format!(
                "redemption {id} handed over perk codes: they cannot be taken back"
            ))
            .into());
        }
        let now = state.clock.now();
        let head = tx
            .lock_head(&program.id, &r.member)
            .await?
            .ok_or_else(|| ApiError::MemberNotFound(r.member.clone()))?;
        let vouchers = tx
            .vouchers_from(&program.id, &format!("redemption:{id}"))
            .await?;
        let codes: Vec<&str> = vouchers.iter().map(|v| v.code.as_str()).collect();
        let stored = Stored::new(
            tx.voucher_uses(&program.id, &codes, now, Some(r.member_id))
                .await?,
            tx.gifts_of(&program.id, &codes).await?,
        );
        for v in &vouchers {
            let untouched = v.member_id == Some(r.member_id)
                && v.uses == 0
                && !stored.in_use(&v.code, now)
                && stored.blocked(v, v.member_id, None, now).is_none()
                && stored
                    .gifts
                    .get(&v.code)
                    .is_none_or(|g| g.iter().all(|g| g.status != "claimed"));
            if !untouched {
                return Err(ApiError::NotCancellable(format!(
                    "voucher {} of redemption {id} was used, reserved or gifted",
                    v.code
                ))
                .into());
            }
        }
        for v in &vouchers {
            tx.update_voucher(&program.id, &v.code, v.member_id, "cancelled", v.uses, now)
                .await?;
        }
        tx.return_stock(&program.id, &r.reward_id, r.quantity)
            .await?;
        let (mut book, mut entries) = open_book(&mut tx, &head, now).await?;
        if r.points > 0 {
            let tz = program_tz(program);
            entries.extend(
                book.try_earn(
                    NewLot {
                        points: r.points,
                        available_at: now,
                        expires_at: program.policy.expires_at(now, tz),
                        order_id: None,
                    },
                    EntryKind::Adjust,
                    &Cause::new(CauseKind::Redemption, format!("reward:{id}:cancelled")),
                )
                .map_err(ApiError::from)?,
            );
        }
        save(&mut tx, &program.id, head.id, &mut book, &entries).await?;
        let mut details: Value = serde_json::from_str(&r.details).unwrap_or(json!({}));
        details["cancelled_at"] = json!(now);
        details["cancel_reason"] = json!(reason);
        tx.update_redemption(&program.id, id, "cancelled", &details.to_string(), now)
            .await?;
        tx.commit().await?;
        let mut out = redemption_out(&r);
        out.status = "cancelled".into();
        out.details = details;
        out.updated_at = now;
        Ok(out)
    })
    .await
}

/// A step of a physical gift's delivery.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FulfilmentIn {
    /// `shipped` or `delivered`.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Moves a physical gift's redemption along: requested → shipped → delivered.
pub async fn fulfil(
    state: &AppState,
    program: &Program,
    id: &str,
    step: &FulfilmentIn,
) -> Result<RewardRedemptionOut, ApiError> {
    let to = match RedemptionStatus::parse(&step.status) {
        Some(s @ (RedemptionStatus::Shipped | RedemptionStatus::Delivered)) => s,
        _ => {
            return Err(ApiError::invalid(
                "status",
                "status is shipped or delivered (cancel through /cancel)",
            ));
        }
    };
    if !crate::parse::could_be_id(id) {
        return Err(ApiError::RedemptionNotFound(id.to_owned()));
    }
    detail("tracking", step.tracking.as_ref())?;
    detail("note", step.note.as_ref())?;
    with_retries(|| async {
        let mut tx = state.store.begin_write().await?;
        let r = locked_redemption(&mut tx, program, id).await?;
        if r.status == to.as_str() {
            // On SQLite, committing waits until what is answered is on disk.
            tx.commit().await?;
            return Ok(redemption_out(&r));
        }
        let from = RedemptionStatus::parse(&r.status).ok_or(ApiError::Internal)?;
        if !from.can_move_to(to) {
            return Err(ApiError::InvalidTransition(format!(
                "redemption {id} is {}: it cannot become {}",
                r.status,
                to.as_str()
            ))
            .into());
        }
        let now = state.clock.now();
        let mut details: Value = serde_json::from_str(&r.details).unwrap_or(json!({}));
        details[format!("{}_at", to.as_str())] = json!(now);
        if let Some(t) = &step.tracking {
            details["tracking"] = json!(t);
        }
        if let Some(n) = &step.note {
            details["note"] = json!(n);
        }
        tx.update_redemption(&program.id, id, to.as_str(), &details.to_string(), now)
            .await?;
        tx.commit().await?;
        let mut out = redemption_out(&r);
        out.status = to.as_str().into();
        out.details = details;
        out.updated_at = now;
        Ok(out)
    })
    .await
}

/// Checks a spec against the program before it is saved: the template a voucher reward
/// issues exists and is not automatic, and the condition compiles.
pub async fn check_refs(
    tx: &mut Box<dyn WriteTx>,
    program: &Program,
    spec: &RewardSpec,
) -> Result<(), Failure> {
    if let RewardKind::Voucher { template } = &spec.kind {
        let refs = [("template".to_owned(), template.as_str())];
        super::vouchers::check_templates(tx, &program.id, &refs).await?;
    }
    if let Some(source) = &spec.eligibility.condition
        && let Err(e) = Condition::compile(source)
    {
        return Err(ApiError::condition("eligibility.condition", e).into());
    }
    Ok(())
}

// --- item images ---------------------------------------------------------------------------------

/// The most an item's image may weigh: 512 KiB, enough for a sharp product picture in a
/// member's app and small enough to keep in the database.
pub const MAX_IMAGE_BYTES: usize = 512 * 1024;

/// The image types an item may have: (content type, file extension, what its bytes start
/// with). WebP's signature is `RIFF`, a size, then `WEBP`: checked apart.
const IMAGE_TYPES: &[(&str, &str, &[u8])] = &[
    ("image/png", "png", b"\x89PNG\r\n\x1a\n"),
    ("image/jpeg", "jpg", b"\xff\xd8\xff"),
    ("image/gif", "gif", b"GIF87a"),
    ("image/gif", "gif", b"GIF89a"),
];

/// What an upload's bytes are, by their first bytes (not by what the sender says): the content
/// type and file extension, or `None` when they are none of PNG, JPEG, WebP and GIF.
pub fn sniff_image(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Some(("image/webp", "webp"));
    }
    IMAGE_TYPES
        .iter()
        .find(|(_, _, magic)| bytes.starts_with(magic))
        .map(|(mime, ext, _)| (*mime, *ext))
}

/// The file extension of an image type.
pub fn image_ext(content_type: &str) -> &'static str {
    match content_type {
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        _ => "bin",
    }
}

/// The public, content-addressed address of an image: a new image gets a new address, so one
/// address can be cached for good.
pub fn image_url(program_id: &str, sha256: &str, content_type: &str) -> String {
    format!("/media/{program_id}/{sha256}.{}", image_ext(content_type))
}

/// Checks an upload: not empty, at most [`MAX_IMAGE_BYTES`], a PNG, JPEG, WebP or GIF by its
/// bytes, and of the type the sender declared when it declared an image type. Returns the
/// content type.
pub fn check_image(bytes: &[u8], declared: Option<&str>) -> Result<&'static str, ApiError> {
    if bytes.is_empty() {
        return Err(ApiError::invalid(
            "image",
            "the request has no image: send its bytes as the body",
        ));
    }
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(ApiError::invalid(
            "image",
            format!(
                "the image is {} KiB; an image is at most {} KiB",
                bytes.len().div_ceil(1024),
                MAX_IMAGE_BYTES / 1024
            ),
        ));
    }
    let Some((mime, _)) = sniff_image(bytes) else {
        return Err(ApiError::invalid(
            "image",
            "the file is not a PNG, JPEG, WebP or GIF image",
        ));
    };
    let declared = declared
        .map(|d| {
            d.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
        .filter(|d| d.starts_with("image/"));
    if let Some(d) = declared {
        let same = d == mime || (mime == "image/jpeg" && d == "image/jpg");
        if !same {
            return Err(ApiError::invalid(
                "image",
                format!("the file is {mime} but was sent as {d}"),
            ));
        }
    }
    Ok(mime)
}
