//! Gifts: a member offers an unused voucher to a friend through a share token; the friend who
//! claims it first (becoming a member if needed) owns it; unclaimed by its deadline, it stays
//! with the sender.

use chrono::Duration;
use rand::Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use jifen_core::Timestamp;
use jifen_core::rewards::codes::ALPHABET;
use jifen_store::{GiftRow, MemberHead, Notification, Program, VoucherRow, WriteTx};

use super::vouchers::{CHECKOUT, CheckoutSettings, Stored, VoucherState, terms};
use super::{Answer, Failure, Idempotency, claim, finish, with_retries};
use crate::app::AppState;
use crate::error::ApiError;

/// A gift of a voucher.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GiftOut {
    /// The share token (only in the answer that made the gift): put it in the link the
    /// member sends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    pub code: String,
    pub template: String,
    pub title: String,
    /// What the voucher gives ("¥20 off").
    pub gives: String,
    pub sender: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    /// `offered`, `claimed`, `returned` or `cancelled`.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The name the friend sees as the sender's, as the sender chose it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender_name: Option<String>,
    pub deadline: chrono::DateTime<chrono::Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<chrono::DateTime<chrono::Utc>>,
}

/// A gift's request.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GiftIn {
    /// Chosen by the client; the idempotency key.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The name the friend sees as the sender's (a nickname): at most 20 characters, no
    /// control characters. Kept with the gift, so a link cannot be edited to name another.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_name: Option<String>,
    /// Hours the friend has to claim it (default: the checkout settings' `gift_hours`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<u32>,
}

/// What a gift says besides the voucher: the sender's message and the name they sign with.
#[derive(Debug, Clone, Default)]
pub struct Note {
    pub message: Option<String>,
    pub sender_name: Option<String>,
}

/// The longest name a sender may sign a gift with.
pub const MAX_SENDER_NAME: usize = 20;

/// A sender's name as given: trimmed, at most [`MAX_SENDER_NAME`] characters, no control
/// characters; empty is none.
pub fn sender_name(raw: &str) -> Result<Option<String>, ApiError> {
    let name = raw.trim();
    if name.is_empty() {
        return Ok(None);
    }
    if name.chars().count() > MAX_SENDER_NAME || name.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "sender_name",
            format!(
                "a sender's name is 1 to {MAX_SENDER_NAME} characters, without control characters"
            ),
        ));
    }
    Ok(Some(name.to_owned()))
}

/// A claim of a gift.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimIn {
    /// The friend's external id: enrolled now if they are not a member yet.
    pub member: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}

fn new_token() -> String {
    let mut rng = rand::rng();
    (0..24)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

fn gift_out(
    g: &GiftRow,
    v: &VoucherRow,
    sender: &str,
    recipient: Option<String>,
    now: Timestamp,
) -> Result<GiftOut, ApiError> {
    let t = terms(&v.terms)?;
    let status = if g.status == "offered" && g.deadline <= now {
        "returned".to_owned()
    } else {
        g.status.clone()
    };
    Ok(GiftOut {
        token: None,
        code: v.code.clone(),
        template: v.template_id.clone(),
        title: t.title_in("zh-CN").to_owned(),
        gives: t.gives(),
        sender: sender.to_owned(),
        recipient,
        status,
        message: g.message.clone(),
        sender_name: g.sender_name.clone(),
        deadline: g.deadline,
        valid_until: v.valid_until,
    })
}

/// Offers a voucher of `head` to a friend, in `tx`.
#[allow(clippy::too_many_arguments)]
pub async fn offer_in_tx(
    tx: &mut Box<dyn WriteTx>,
    program: &Program,
    head: &MemberHead,
    v: &VoucherRow,
    stored: &Stored,
    hours: u32,
    note: Note,
    now: Timestamp,
) -> Result<GiftOut, Failure> {
    let Note {
        message,
        sender_name: name,
    } = note;
    let name = name.as_deref().map(sender_name).transpose()?.flatten();
    if !(1..=720).contains(&hours) {
        return Err(ApiError::invalid("hours", "hours must be between 1 and 720").into());
    }
    if message.as_ref().is_some_and(|m| m.chars().count() > 200) {
        return Err(ApiError::invalid("message", "a message is at most 200 characters").into());
    }
    if v.member_id != Some(head.id) {
        return Err(ApiError::GiftUnavailable(format!(
            "voucher {} is not {}'s",
            v.code, head.external_id
        ))
        .into());
    }
    if !terms(&v.terms)?.giftable {
        return Err(
            ApiError::GiftUnavailable(format!("voucher {} cannot be gifted", v.code)).into(),
        );
    }
    let state = stored.state(v, now);
    let unused = v.uses == 0 && !stored.in_use(&v.code, now);
    if !unused || !matches!(state, VoucherState::Usable | VoucherState::NotYetValid) {
        return Err(ApiError::GiftUnavailable(format!(
            "voucher {} is {}: only an unused voucher can be gifted",
            v.code,
            serde_json::to_value(state)
                .ok()
                .and_then(|s| s.as_str().map(str::to_owned))
                .unwrap_or_default()
        ))
        .into());
    }
    let token = new_token();
    let row = GiftRow {
        token_hash: token_hash(&token),
        code: v.code.clone(),
        sender_id: head.id,
        recipient_id: None,
        status: "offered".into(),
        message,
        sender_name: name,
        deadline: now + Duration::hours(i64::from(hours)),
        created_at: now,
        updated_at: now,
    };
    tx.insert_gift(&program.id, &row).await?;
    let mut out = gift_out(&row, v, &head.external_id, None, now)?;
    out.token = Some(token);
    Ok(out)
}

/// Offers a member's voucher to a friend.
pub async fn offer(
    state: &AppState,
    program: &Program,
    external_id: &str,
    code: &str,
    req: &GiftIn,
) -> Result<Answer, ApiError> {
    crate::parse::client_id("id", &req.id)?;
    if !crate::parse::could_be_id(external_id) {
        return Err(ApiError::MemberNotFound(external_id.to_owned()));
    }
    let code = jifen_core::rewards::codes::canonical(code);
    let idem = Idempotency::new(&program.id, "gift", &req.id, &(external_id, &code, req));
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
        let codes = [code.as_str()];
        let v = tx
            .lock_vouchers(&program.id, &codes)
            .await?
            .pop()
            .ok_or_else(|| ApiError::VoucherNotFound(code.clone()))?;
        let stored = Stored::new(
            tx.voucher_uses(&program.id, &codes, now, Some(head.id))
                .await?,
            tx.gifts_of(&program.id, &codes).await?,
        );
        let settings = CheckoutSettings::parse(tx.setting(&program.id, CHECKOUT).await?);
        let hours = req.hours.unwrap_or(settings.gift_hours);
        let out = offer_in_tx(
            &mut tx,
            program,
            &head,
            &v,
            &stored,
            hours,
            Note {
                message: req.message.clone(),
                sender_name: req.sender_name.clone(),
            },
            now,
        )
        .await?;
        let body = serde_json::to_value(&out).unwrap_or_default();
        finish(tx, &idem, axum::http::StatusCode::CREATED, body).await
    })
    .await
}

/// The external ids of a gift's sender and recipient, in one read.
async fn parties(state: &AppState, g: &GiftRow) -> Result<(String, Option<String>), ApiError> {
    let ids: Vec<i64> = std::iter::once(g.sender_id).chain(g.recipient_id).collect();
    let found = state.store.external_ids(&ids).await?;
    let of = |id: i64| found.iter().find(|(i, _)| *i == id).map(|(_, e)| e.clone());
    Ok((
        of(g.sender_id).unwrap_or_default(),
        g.recipient_id.and_then(of),
    ))
}

/// A gift as its link shows it.
pub async fn preview(
    state: &AppState,
    program: &Program,
    token: &str,
) -> Result<GiftOut, ApiError> {
    let g = state
        .store
        .gift(&program.id, &token_hash(token))
        .await?
        .ok_or_else(|| ApiError::GiftNotFound(mask(token)))?;
    let v = state
        .store
        .vouchers(&program.id, &[g.code.as_str()])
        .await?
        .pop()
        .ok_or(ApiError::Internal)?;
    let (sender, recipient) = parties(state, &g).await?;
    gift_out(&g, &v, &sender, recipient, state.clock.now())
}

/// A token as errors show it: its start only.
fn mask(token: &str) -> String {
    format!("{}…", token.chars().take(4).collect::<String>())
}

/// How a gift changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GiftMove {
    Claim,
    Cancel,
    Return,
}

/// Claims a gift for a friend (enrolling them if needed), or cancels it (the sender keeps the
/// voucher), or returns it to the sender after its deadline (the job).
pub async fn settle(
    state: &AppState,
    program: &Program,
    hash: &str,
    how: GiftMove,
    friend: Option<&ClaimIn>,
) -> Result<GiftOut, ApiError> {
    // A friend who is not a member yet is enrolled in the claim's own transaction: a refused
    // claim enrols no one.
    let mut enrolment = None;
    if let Some(f) = friend {
        crate::parse::client_id("member", &f.member)?;
        let g = state
            .store
            .gift(&program.id, hash)
            .await?
            .ok_or_else(|| ApiError::GiftNotFound("this token".into()))?;
        let existing = state.store.get_member(&program.id, &f.member).await?;
        let open = g.status == "offered" && g.deadline > state.clock.now();
        let theirs = g.status == "claimed"
            && existing
                .as_ref()
                .is_some_and(|m| Some(m.id) == g.recipient_id);
        if !open && !theirs {
            let status = if g.status == "offered" {
                "returned to its sender"
            } else {
                &g.status
            };
            return Err(ApiError::GiftUnavailable(format!("this gift is {status}")));
        }
        if existing.is_none() {
            let profile = crate::profile::MemberIn {
                name: f.name.clone(),
                phone: f.phone.clone(),
                ..Default::default()
            };
            enrolment = Some(crate::profile::patch_from(
                f.member.clone(),
                profile,
                state.clock.now(),
            )?);
        }
    }
    let friend_head = match friend {
        Some(f) => state.store.member_head(&program.id, &f.member).await?,
        None => None,
    };
    let out = with_retries(|| async {
        let mut tx = state.store.begin_write().await?;
        let g = tx
            .lock_gift(&program.id, hash)
            .await?
            .ok_or_else(|| ApiError::GiftNotFound("this token".into()))?;
        let now = state.clock.now();
        let codes = [g.code.as_str()];
        let v = tx
            .lock_vouchers(&program.id, &codes)
            .await?
            .pop()
            .ok_or(ApiError::Internal)?;
        let mut recipient = friend_head.as_ref().map(|h| h.id);
        let already = match how {
            GiftMove::Claim => g.status == "claimed" && g.recipient_id == recipient,
            GiftMove::Cancel => g.status == "cancelled",
            GiftMove::Return => g.status == "returned",
        };
        if !already {
            if g.status != "offered" || (g.deadline <= now && how != GiftMove::Return) {
                let status = if g.status == "offered" {
                    "returned to its sender"
                } else {
                    &g.status
                };
                return Err(ApiError::GiftUnavailable(format!("this gift is {status}")).into());
            }
            if how == GiftMove::Return && g.deadline > now {
                tx.commit().await?;
                return Ok((g, v, now));
            }
            if how == GiftMove::Claim
                && recipient.is_none()
                && let Some(patch) = &enrolment
            {
                let (member, _) = tx.upsert_member(&program.id, patch).await?;
                recipient = Some(member.id);
            }
            if how == GiftMove::Claim && recipient == Some(g.sender_id) {
                return Err(ApiError::GiftUnavailable(
                    "a member cannot claim their own gift".into(),
                )
                .into());
            }
            let (status, template) = match how {
                GiftMove::Claim => ("claimed", "gift_claimed"),
                GiftMove::Cancel => ("cancelled", "gift_cancelled"),
                GiftMove::Return => ("returned", "gift_returned"),
            };
            // The voucher stays the sender's until a claim: a cancel or a return changes the
            // gift alone (the sender may have offered the voucher again since).
            let mut owner = v.member_id;
            if how == GiftMove::Claim {
                if v.member_id != Some(g.sender_id) || v.status != "active" {
                    return Err(ApiError::GiftUnavailable(
                        "this gift's voucher is no longer the sender's to give".into(),
                    )
                    .into());
                }
                owner = recipient;
                tx.update_voucher(&program.id, &v.code, owner, &v.status, v.uses, now)
                    .await?;
            }
            let recipient_id = if how == GiftMove::Claim {
                recipient
            } else {
                None
            };
            tx.set_gift(&program.id, hash, status, recipient_id, now)
                .await?;
            tx.insert_notifications(&[Notification {
                program_id: program.id.clone(),
                member_id: g.sender_id,
                template: template.into(),
                rule_id: String::new(),
                event_id: format!("gift:{}", v.code),
                created_at: now,
                recipient: None,
                payload: Some(serde_json::json!({"code": v.code}).to_string()),
            }])
            .await?;
            tx.commit().await?;
            let mut g = g;
            g.status = status.into();
            if how == GiftMove::Claim {
                g.recipient_id = recipient;
            }
            let mut v = v;
            v.member_id = owner;
            return Ok((g, v, now));
        }
        // On SQLite, committing waits until what is answered is on disk.
        tx.commit().await?;
        Ok((g, v, now))
    })
    .await?;
    let (g, v, now) = out;
    let (sender, recipient) = parties(state, &g).await?;
    gift_out(&g, &v, &sender, recipient, now)
}

/// Returns gifts unclaimed by their deadline to their senders; returns how many.
pub async fn lapse_due(state: &AppState) -> Result<usize, ApiError> {
    let due = state.store.lapsed_gifts(state.clock.now(), 500).await?;
    let mut returned = 0;
    for (program_id, hash) in &due {
        let Some(program) = state.store.get_program(program_id).await? else {
            continue;
        };
        match settle(state, &program, hash, GiftMove::Return, None).await {
            Ok(_) => returned += 1,
            // Claimed or cancelled since it was listed: nothing to return.
            Err(ApiError::GiftUnavailable(_)) => {}
            Err(e) => tracing::warn!(error = %e, "returning a lapsed gift failed; will retry"),
        }
    }
    Ok(returned)
}
