//! Checkouts: a cart judged against vouchers and points (validation), then redeemed with a hold
//! of points and voucher reservations, confirmed when the order is paid or cancelled when it is
//! abandoned. Validation and redemption read the same facts and call the same judge.

use chrono::Duration;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use jifen_core::rewards::checkout::{Candidate, Cart, PointsAsk, Quote, Reason, quote};
use jifen_core::rewards::codes;
use jifen_core::rewards::voucher::VoucherTemplate;
use jifen_core::{Cause, CauseKind, HoldRecord, Timestamp};
use jifen_store::{CheckoutRow, Program, VoucherRow, VoucherUseRow};

use super::ledger::{book_at, open_book, save};
use super::vouchers::{CHECKOUT, CheckoutSettings, Stored, request_codes, terms};
use super::{Answer, Failure, Idempotency, claim, finish, with_retries};
use crate::app::AppState;
use crate::error::ApiError;

/// The prefix of the holds checkouts place (`checkout:<id>`).
pub const CHECKOUT_HOLD: &str = "checkout:";

/// A cart to judge or redeem.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckoutIn {
    /// The checkout's id (the order id is a good one): required to redeem, the idempotency
    /// key of the redemption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The member's external id; absent for a guest (public codes only, no points).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    #[schema(value_type = Object)]
    pub cart: Cart,
    /// Voucher codes the shopper entered or picked from their wallet.
    #[serde(default)]
    pub vouchers: Vec<String>,
    /// Points the shopper wants to pay with.
    #[serde(default)]
    pub points: i64,
}

/// A redeemed checkout.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CheckoutOut {
    pub id: String,
    /// `pending`, `confirmed`, `cancelled` or `expired`.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    /// The hold of the points used, when points pay.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hold: Option<String>,
    /// Until when the reservation waits for `confirm`.
    pub deadline: chrono::DateTime<chrono::Utc>,
    #[schema(value_type = Object)]
    pub quote: Quote,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// The facts a cart is judged on.
struct Facts {
    settings: CheckoutSettings,
    vouchers: Vec<VoucherRow>,
    stored: Stored,
    automatic: Vec<(String, VoucherTemplate)>,
    member_id: Option<i64>,
    available: i64,
    /// The member's segments, read when a voucher in play is only for some segments.
    segments: Vec<String>,
}

/// The member's segments (slugs), read only when a voucher or automatic template in play is
/// for members of some segments.
async fn segments_in_play(
    state: &AppState,
    program_id: &str,
    member_id: Option<i64>,
    vouchers: &[VoucherRow],
    automatic: &[(String, VoucherTemplate)],
) -> Result<Vec<String>, ApiError> {
    let Some(member_id) = member_id else {
        return Ok(Vec::new());
    };
    let wanted = automatic
        .iter()
        .any(|(_, t)| !t.restrictions.segments.is_empty())
        || vouchers
            .iter()
            .any(|v| terms(&v.terms).is_ok_and(|t| !t.restrictions.segments.is_empty()));
    if !wanted {
        return Ok(Vec::new());
    }
    Ok(state
        .store
        .member_segments(program_id, member_id)
        .await?
        .into_iter()
        .map(|(slug, _)| slug)
        .collect())
}

/// Why a member (with `segments`) cannot use a voucher of these terms for its segments.
fn segment_lock(terms: &VoucherTemplate, segments: &[String]) -> Option<Reason> {
    let wanted = &terms.restrictions.segments;
    (!wanted.is_empty() && !wanted.iter().any(|s| segments.contains(s))).then(|| {
        Reason::NotInSegment {
            segments: wanted.clone(),
        }
    })
}

/// Terms for a code no voucher has (never read: such a candidate is blocked).
fn placeholder() -> VoucherTemplate {
    VoucherTemplate::cash(Default::default(), 1, 1)
}

/// The one judge of a cart.
fn judge(
    req: &CheckoutIn,
    codes_in: &[String],
    facts: &Facts,
    checkout: Option<&str>,
    now: Timestamp,
) -> Result<Quote, ApiError> {
    let unknown = placeholder();
    let parsed: Vec<(&VoucherRow, VoucherTemplate)> = facts
        .vouchers
        .iter()
        .map(|v| Ok((v, terms(&v.terms)?)))
        .collect::<Result<_, ApiError>>()?;
    let mut candidates: Vec<Candidate<'_>> = codes_in
        .iter()
        .map(|code| match parsed.iter().find(|(v, _)| &v.code == code) {
            Some((v, t)) => Candidate {
                code: code.clone(),
                template_id: v.template_id.clone(),
                terms: t,
                valid_from: v.valid_from,
                valid_until: v.valid_until,
                automatic: false,
                blocked: facts
                    .stored
                    .blocked(v, facts.member_id, checkout, now)
                    .or_else(|| segment_lock(t, &facts.segments)),
            },
            None => Candidate {
                code: code.clone(),
                template_id: String::new(),
                terms: &unknown,
                valid_from: None,
                valid_until: None,
                automatic: false,
                blocked: Some(if codes::checksum_ok(code) || !looks_generated(code) {
                    Reason::UnknownCode
                } else {
                    Reason::Mistyped
                }),
            },
        })
        .collect();
    for (id, t) in &facts.automatic {
        candidates.push(Candidate {
            code: format!("auto:{id}"),
            template_id: id.clone(),
            terms: t,
            valid_from: t.validity.from,
            valid_until: t.validity.until,
            automatic: true,
            blocked: segment_lock(t, &facts.segments),
        });
    }
    let ask = PointsAsk {
        requested: req.points,
        available: facts.available,
    };
    Ok(quote(
        &req.cart,
        &candidates,
        facts.settings.points_as_cash.as_ref(),
        ask,
        now,
    ))
}

/// Whether a code has the shape of a generated one (12 characters of the code alphabet, after
/// any prefix), so that a failed checksum means a typo rather than an unknown code.
fn looks_generated(code: &str) -> bool {
    code.len() >= 12 && code.bytes().all(|b| codes::ALPHABET.contains(&b))
}

fn check_request(req: &CheckoutIn) -> Result<Vec<String>, ApiError> {
    req.cart
        .validate()
        .map_err(|(field, message)| ApiError::invalid(field, message))?;
    if !(0..=jifen_core::MAX_POINTS_PER_ENTRY).contains(&req.points) {
        return Err(ApiError::invalid(
            "points",
            "points must be between 0 and 10^12",
        ));
    }
    if req.points > 0 && req.member.is_none() {
        return Err(ApiError::invalid(
            "points",
            "points pay only for a member: name the member",
        ));
    }
    request_codes(&req.vouchers)
}

fn automatic_of(
    docs: Vec<jifen_store::DocumentRow>,
) -> Result<Vec<(String, VoucherTemplate)>, ApiError> {
    docs.into_iter()
        .map(|d| Ok((d.id, terms(&d.body)?)))
        .filter(|t| !matches!(t, Ok((_, t)) if !t.automatic))
        .collect()
}

/// Judges a cart without changing anything.
pub async fn validate(
    state: &AppState,
    program: &Program,
    req: &CheckoutIn,
) -> Result<Quote, ApiError> {
    let codes_in = check_request(req)?;
    let now = state.clock.now();
    let refs: Vec<&str> = codes_in.iter().map(String::as_str).collect();
    let store = &state.store;
    let (member_id, available) = match &req.member {
        Some(m) => {
            let (head, book) = book_at(state, program, m, now, false).await?;
            (Some(head.id), book.balance().available)
        }
        None => (None, 0),
    };
    let (vouchers, stored) = if refs.is_empty() {
        (Vec::new(), Stored::default())
    } else {
        let uses = store.voucher_uses(&program.id, &refs, now, member_id);
        (
            store.vouchers(&program.id, &refs).await?,
            Stored::new(uses.await?, store.gifts_of(&program.id, &refs).await?),
        )
    };
    let automatic = automatic_of(store.automatic_templates(&program.id).await?)?;
    let segments = segments_in_play(state, &program.id, member_id, &vouchers, &automatic).await?;
    let facts = Facts {
        settings: CheckoutSettings::parse(store.setting(&program.id, CHECKOUT).await?),
        vouchers,
        stored,
        automatic,
        member_id,
        available,
        segments,
    };
    // A pending checkout judged again does not count its own reservations against itself.
    judge(req, &codes_in, &facts, req.id.as_deref(), now)
}

/// Redeems a cart: judges it as [`validate`] does, refuses it unless every voucher applies
/// and every point asked can pay, then holds the points and reserves the vouchers until the
/// deadline, in one transaction.
pub async fn redeem(
    state: &AppState,
    program: &Program,
    req: &CheckoutIn,
) -> Result<Answer, ApiError> {
    let codes_in = check_request(req)?;
    let id = req
        .id
        .clone()
        .ok_or_else(|| ApiError::invalid("id", "a checkout to redeem needs an id"))?;
    crate::parse::client_id("id", &id)?;
    let idem = Idempotency::new(&program.id, "checkout", &id, req);
    with_retries(|| async {
        let mut tx = state.store.begin_write().await?;
        if let Some(answer) = claim(&mut tx, &idem).await? {
            tx.commit().await?;
            return Ok(answer);
        }
        if tx.lock_checkout(&program.id, &id).await?.is_some() {
            return Err(ApiError::IdempotencyConflict.into());
        }
        let now = state.clock.now();
        let settings = CheckoutSettings::parse(tx.setting(&program.id, CHECKOUT).await?);
        let head = match &req.member {
            Some(m) => Some(
                tx.lock_head(&program.id, m)
                    .await?
                    .ok_or_else(|| ApiError::MemberNotFound(m.clone()))?,
            ),
            None => None,
        };
        let mut book = match &head {
            Some(h) => Some(open_book(&mut tx, h, now).await?),
            None => None,
        };
        let refs: Vec<&str> = codes_in.iter().map(String::as_str).collect();
        let member_id = head.as_ref().map(|h| h.id);
        let (vouchers, uses, gifts) = if refs.is_empty() {
            Default::default()
        } else {
            (
                tx.lock_vouchers(&program.id, &refs).await?,
                tx.voucher_uses(&program.id, &refs, now, member_id).await?,
                tx.gifts_of(&program.id, &refs).await?,
            )
        };
        let automatic = automatic_of(tx.automatic_templates(&program.id).await?)?;
        let segments =
            segments_in_play(state, &program.id, member_id, &vouchers, &automatic).await?;
        let facts = Facts {
            settings,
            vouchers,
            stored: Stored::new(uses, gifts),
            automatic,
            member_id: head.as_ref().map(|h| h.id),
            available: book.as_ref().map_or(0, |(b, _)| b.balance().available),
            segments,
        };
        let quote = judge(req, &codes_in, &facts, None, now)?;
        strict(&quote)?;
        let deadline = now + Duration::minutes(i64::from(facts.settings.reservation_minutes));
        let hold = (quote.points.used > 0).then(|| format!("{}{id}", CHECKOUT_HOLD));
        if let (Some(hold), Some(h), Some((book, implied))) = (&hold, &head, book.as_mut()) {
            let record = HoldRecord {
                id: hold.clone(),
                points: quote.points.used,
                created_at: now,
                deadline,
            };
            let mut entries = std::mem::take(implied);
            entries.extend(book.place_hold(record, &Cause::new(CauseKind::Hold, id.clone()))?);
            save(&mut tx, &program.id, h.id, book, &entries).await?;
        }
        let reservations: Vec<VoucherUseRow> = quote
            .vouchers
            .iter()
            .filter(|v| v.applies && !v.automatic)
            .map(|v| VoucherUseRow {
                code: v.code.clone(),
                checkout_id: id.clone(),
                member_id: facts.member_id,
                status: "reserved".into(),
                discount: v.discount,
                until: deadline,
                updated_at: now,
            })
            .collect();
        tx.save_voucher_uses(&program.id, &reservations).await?;
        let row = CheckoutRow {
            id: id.clone(),
            member_id: facts.member_id,
            hold_id: hold,
            status: "pending".into(),
            request: serde_json::to_string(req).unwrap_or_default(),
            quote: serde_json::to_string(&quote).unwrap_or_default(),
            deadline,
            created_at: now,
            updated_at: now,
        };
        tx.insert_checkout(&program.id, &row).await?;
        let body = serde_json::to_value(out(&row, req.member.clone(), quote)).unwrap_or_default();
        finish(tx, &idem, axum::http::StatusCode::CREATED, body).await
    })
    .await
}

/// Refuses a quote in which a voucher asked for does not apply or points asked cannot pay.
fn strict(quote: &Quote) -> Result<(), ApiError> {
    let asked = quote.vouchers.iter().filter(|v| !v.automatic);
    for (index, v) in asked.enumerate() {
        if !v.applies {
            return Err(ApiError::VoucherNotApplicable {
                index,
                code: v.code.clone(),
                message: v
                    .reason
                    .as_ref()
                    .map_or_else(|| "it gives nothing".into(), Reason::message),
            });
        }
    }
    if quote.points.used < quote.points.requested {
        return Err(ApiError::PointsNotApplicable(
            quote
                .points
                .reason
                .as_ref()
                .map_or_else(|| "these points cannot pay".into(), Reason::message),
        ));
    }
    Ok(())
}

fn out(row: &CheckoutRow, member: Option<String>, quote: Quote) -> CheckoutOut {
    CheckoutOut {
        id: row.id.clone(),
        status: row.status.clone(),
        member,
        hold: row.hold_id.clone(),
        deadline: row.deadline,
        quote,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

fn stored_quote(row: &CheckoutRow) -> Result<Quote, ApiError> {
    serde_json::from_str(&row.quote).map_err(|e| {
        tracing::error!(error = %e, "unreadable checkout quote");
        ApiError::Internal
    })
}

fn stored_member(row: &CheckoutRow) -> Option<String> {
    serde_json::from_str::<Value>(&row.request)
        .ok()
        .and_then(|r| r["member"].as_str().map(str::to_owned))
}

/// A checkout as it stands.
pub async fn get(state: &AppState, program: &Program, id: &str) -> Result<CheckoutOut, ApiError> {
    let row = state
        .store
        .checkout(&program.id, id)
        .await?
        .ok_or_else(|| ApiError::CheckoutNotFound(id.to_owned()))?;
    let mut row = row;
    if row.status == "pending" && row.deadline <= state.clock.now() {
        row.status = "expired".into();
    }
    let quote = stored_quote(&row)?;
    Ok(out(&row, stored_member(&row), quote))
}

/// How a pending checkout ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The order was paid: the points are spent and the vouchers used.
    Confirm,
    /// The order was abandoned: everything is released.
    Cancel,
    /// The deadline passed (the job): everything is released.
    Lapse,
}

impl Ending {
    fn status(self) -> &'static str {
        match self {
            Ending::Confirm => "confirmed",
            Ending::Cancel => "cancelled",
            Ending::Lapse => "expired",
        }
    }
}

/// Ends a pending checkout, once: a repeat of the same ending answers as the first did.
pub async fn end(
    state: &AppState,
    program: &Program,
    id: &str,
    ending: Ending,
) -> Result<CheckoutOut, ApiError> {
    if !crate::parse::could_be_id(id) {
        return Err(ApiError::CheckoutNotFound(id.to_owned()));
    }
    with_retries(|| async {
        let mut tx = state.store.begin_write().await?;
        let mut row = tx
            .lock_checkout(&program.id, id)
            .await?
            .ok_or_else(|| ApiError::CheckoutNotFound(id.to_owned()))?;
        let now = state.clock.now();
        let lapsed = row.deadline <= now;
        let refuse = |status: &str| -> Result<CheckoutOut, Failure> {
            Err(ApiError::CheckoutNotPending {
                id: id.to_owned(),
                status: status.to_owned(),
            }
            .into())
        };
        let answer_as_is = match (row.status.as_str(), ending) {
            (status, e) if status == e.status() => true,
            // Not due yet, or ended otherwise meanwhile: the job leaves it as it is.
            ("pending", Ending::Lapse) => !lapsed,
            (_, Ending::Lapse) => true,
            ("pending", _) if lapsed => return refuse("expired"),
            ("pending", _) => false,
            (status, _) => return refuse(status),
        };
        if answer_as_is {
            // On SQLite, committing waits until what is answered is on disk.
            tx.commit().await?;
            return Ok(out(&row, stored_member(&row), stored_quote(&row)?));
        }
        let quote = stored_quote(&row)?;
        if let (Some(member), Some(member_id)) = (stored_member(&row), row.member_id) {
            let head = tx
                .lock_head(&program.id, &member)
                .await?
                .ok_or_else(|| ApiError::MemberNotFound(member.clone()))?;
            debug_assert_eq!(head.id, member_id);
            let (mut book, mut entries) = open_book(&mut tx, &head, now).await?;
            if let Some(hold) = &row.hold_id {
                let cause_id = id.to_owned();
                match ending {
                    Ending::Confirm => entries.extend(book.commit_hold(
                        hold,
                        None,
                        &Cause::new(CauseKind::HoldCommit, cause_id),
                    )?),
                    Ending::Cancel => entries
                        .extend(book.void_hold(hold, &Cause::new(CauseKind::HoldVoid, cause_id))?),
                    // The hold's deadline released it already; opening the book wrote it.
                    Ending::Lapse => {}
                }
            }
            save(&mut tx, &program.id, head.id, &mut book, &entries).await?;
        }
        let codes: Vec<&str> = quote
            .vouchers
            .iter()
            .filter(|v| v.applies && !v.automatic)
            .map(|v| v.code.as_str())
            .collect();
        let vouchers = tx.lock_vouchers(&program.id, &codes).await?;
        let mut uses = tx.checkout_uses(&program.id, id).await?;
        for u in &mut uses {
            u.status = if ending == Ending::Confirm {
                "confirmed".into()
            } else {
                "released".into()
            };
            u.updated_at = now;
        }
        tx.save_voucher_uses(&program.id, &uses).await?;
        if ending == Ending::Confirm {
            for v in &vouchers {
                tx.update_voucher(
                    &program.id,
                    &v.code,
                    v.member_id,
                    &v.status,
                    v.uses + 1,
                    now,
                )
                .await?;
            }
        }
        tx.set_checkout_status(&program.id, id, ending.status(), now)
            .await?;
        if ending == Ending::Confirm {
            let member = stored_member(&row);
            let message =
                jifen_store::webhooks::checkout_message(id, member.as_deref(), &row.quote, now);
            tx.enqueue_webhooks(&program.id, std::slice::from_ref(&message))
                .await?;
        }
        tx.commit().await?;
        row.status = ending.status().into();
        row.updated_at = now;
        Ok(out(&row, stored_member(&row), quote))
    })
    .await
}

/// Releases checkouts whose deadline passed; returns how many.
pub async fn lapse_due(state: &AppState) -> Result<usize, ApiError> {
    let now = state.clock.now();
    let due = state.store.lapsed_checkouts(now, 500).await?;
    let mut lapsed = 0;
    for (program_id, id) in &due {
        let Some(program) = state.store.get_program(program_id).await? else {
            continue;
        };
        match end(state, &program, id, Ending::Lapse).await {
            Ok(_) => lapsed += 1,
            Err(e) => {
                tracing::warn!(error = %e, checkout = %id, "releasing a lapsed checkout failed; will retry")
            }
        }
    }
    Ok(lapsed)
}
