//! Personal data: a member's export, their erasure, and their consent records.
//!
//! An erasure removes the profile and identities and keeps the member's ledger (and every row
//! the program's figures are computed from) under a pseudonym, so balances, liabilities and
//! reports stay right. The pseudonym is longer than any id the API accepts: once erased, a
//! member cannot be addressed, so it can neither earn nor redeem, and the brand's external id is
//! free for a new member. Because the pseudonym is derived from the program and the former
//! external id, a repeated erasure finds the erased member and answers as the first did.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha512};
use utoipa::ToSchema;

use jifen_store::{AuditRecord, ConsentRecord, Erasure, Member};

use super::members::MemberOut;
use super::types::{BalanceOut, Page, PageQuery};
use crate::app::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Auth};
use crate::parse;
use crate::service::ledger::{balance_at, find_member};

/// Longest purpose, source or channel of a consent record.
const MAX_CONSENT_TEXT: usize = 64;

/// Who asked, for the audit log: the API key, or the console's operator.
pub struct Actor(pub crate::actor::Actor);

impl axum::extract::FromRequestParts<AppState> for Actor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(Actor(
            crate::extract::principal(parts, state).await?.actor.clone(),
        ))
    }
}

/// The pseudonym an erased member is kept under: `erased:` and the hex SHA-512 of the program
/// and the former external id (135 characters, longer than any id the API accepts).
pub fn pseudonym(program_id: &str, external_id: &str) -> String {
    let digest = Sha512::digest(format!("jifen erasure\0{program_id}\0{external_id}").as_bytes());
    format!("erased:{}", hex::encode(digest))
}

/// Everything jifen holds about a member.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MemberExport {
    pub external_id: String,
    pub exported_at: DateTime<Utc>,
    /// The profile and identities.
    pub member: MemberOut,
    /// The balance at `exported_at`.
    pub balance: BalanceOut,
    /// The consent records, newest first.
    pub consents: Vec<ConsentOut>,
    /// Every stored row that refers to the member, by table (identities, lots, entries, holds,
    /// orders, events, meters, tiers, vouchers, redemptions, checkouts, gifts…), with the
    /// stored column names; instants are microseconds since the Unix epoch, as stored.
    #[schema(value_type = Object)]
    pub records: Map<String, Value>,
}

/// Everything jifen holds about a member, as JSON (a data-subject access request).
#[utoipa::path(get, path = "/v1/members/{external_id}/export", tag = "members",
    params(("external_id" = String, Path, description = "The brand's id for the member")),
    responses((status = 200, body = MemberExport), (status = 404, body = ErrorBody)))]
pub async fn export_member(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(external_id): Path<String>,
) -> Result<Json<MemberExport>, ApiError> {
    let member = find_member(&state, &program, &external_id).await?;
    let now = state.clock.now();
    let balance = balance_at(&state, &program, &external_id, now).await?;
    let consents = all_consents(&state, member.id).await?;
    let mut records = Map::new();
    for (table, rows) in state.store.member_rows(member.id).await? {
        records.insert(table, Value::Array(rows.into_iter().map(unpack).collect()));
    }
    Ok(Json(MemberExport {
        external_id: member.external_id.clone(),
        exported_at: now,
        member: MemberOut::from(&member),
        balance: balance.into(),
        consents,
        records,
    }))
}

/// JSON kept as text in a row (attributes, bodies, details) shown as JSON.
fn unpack(row: Value) -> Value {
    match row {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| match &v {
                    Value::String(s) if s.starts_with('{') || s.starts_with('[') => {
                        (k, serde_json::from_str(s).unwrap_or(v))
                    }
                    _ => (k, v),
                })
                .collect(),
        ),
        other => other,
    }
}

async fn all_consents(state: &AppState, member_id: i64) -> Result<Vec<ConsentOut>, ApiError> {
    let mut out = Vec::new();
    let mut before = None;
    loop {
        let page = state.store.consents(member_id, 500, before).await?;
        let done = page.len() < 500;
        before = page.last().map(|c| c.seq);
        out.extend(page.iter().map(ConsentOut::from));
        if done {
            return Ok(out);
        }
    }
}

/// The answer to an erasure, the same every time it is asked.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ErasureOut {
    /// The external id the member had.
    pub external_id: String,
    /// Always `erased`.
    pub status: String,
    /// What the member's ledger is kept under; no request can address it.
    pub pseudonym: String,
    pub erased_at: DateTime<Utc>,
}

/// Erase a member's personal data (profile, identities, free-form event attributes, gift
/// messages, redemption details), keeping the ledger under a pseudonym. Idempotent.
#[utoipa::path(post, path = "/v1/members/{external_id}/erase", tag = "members",
    params(("external_id" = String, Path, description = "The brand's id for the member")),
    responses((status = 200, body = ErasureOut), (status = 404, body = ErrorBody)))]
pub async fn erase_member(
    State(state): State<AppState>,
    Auth(program): Auth,
    Actor(actor): Actor,
    Path(external_id): Path<String>,
) -> Result<Json<ErasureOut>, ApiError> {
    if !parse::could_be_id(&external_id) {
        return Err(ApiError::MemberNotFound(external_id));
    }
    let base = pseudonym(&program.id, &external_id);
    let answer = |m: &Member| ErasureOut {
        external_id: external_id.clone(),
        status: "erased".into(),
        pseudonym: m.external_id.clone(),
        erased_at: m.updated_at,
    };
    let Some(member) = state.store.get_member(&program.id, &external_id).await? else {
        // Erased before: the member is kept under the pseudonym.
        return match state.store.get_member(&program.id, &base).await? {
            Some(m) if m.status == "erased" => Ok(Json(answer(&m))),
            _ => Err(ApiError::MemberNotFound(external_id)),
        };
    };
    // A member who took the external id of one erased before gets a pseudonym of their own.
    let pseudonym = match state.store.get_member(&program.id, &base).await? {
        Some(_) => format!("{base}:{}", member.id),
        None => base,
    };
    let at = state.clock.now();
    let erasure = Erasure {
        program_id: program.id.clone(),
        member_id: member.id,
        pseudonym: pseudonym.clone(),
        at,
        audit: AuditRecord {
            program_id: program.id.clone(),
            actor: actor.tag(),
            actor_name: actor.display_name().to_owned(),
            action: "member.erase".into(),
            object_kind: "member".into(),
            // The internal id, as every line about a member: the external id may be personal.
            object_id: member.id.to_string(),
            at,
            // Never the erased data itself: what changed, not what it was.
            before: Some(json!({"status": member.status,
                                "identities": member.identities.len()})),
            after: Some(json!({"status": "erased", "identities": 0})),
        },
    };
    if !state.store.erase_member(&erasure).await? {
        // Another request erased the member meanwhile: answer as it did.
        if let Some(m) = state.store.get_member(&program.id, &pseudonym).await? {
            return Ok(Json(answer(&m)));
        }
        return Err(ApiError::MemberNotFound(external_id));
    }
    state
        .rankings
        .forget_member(&program.id, member.id, &external_id)
        .await;
    Ok(Json(ErasureOut {
        external_id,
        status: "erased".into(),
        pseudonym,
        erased_at: at,
    }))
}

/// A consent given or withdrawn.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentIn {
    /// The client's id for the record: a retry with it returns the first answer.
    pub id: String,
    /// What the consent is for: `marketing_sms`, `marketing_email`, `profiling`,
    /// `cross_border_transfer`… (1–64 of `a-z 0-9 _ . : -`).
    pub purpose: String,
    /// True when the member gave consent, false when they withdrew it.
    pub granted: bool,
    /// When the member gave or withdrew it (RFC 3339); default: now.
    pub at: Option<String>,
    /// Where the record comes from: a form, a store, an agent… (1–64 characters).
    pub source: String,
    /// The channel it came through (`wechat_mp`, `app`, `store:12`…).
    pub channel: Option<String>,
}

/// A consent record.
#[derive(Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ConsentOut {
    pub id: String,
    pub purpose: String,
    pub granted: bool,
    pub at: DateTime<Utc>,
    pub source: String,
    pub channel: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

impl From<&ConsentRecord> for ConsentOut {
    fn from(c: &ConsentRecord) -> Self {
        ConsentOut {
            id: c.id.clone(),
            purpose: c.purpose.clone(),
            granted: c.granted,
            at: c.at,
            source: c.source.clone(),
            channel: c.channel.clone(),
            recorded_at: c.recorded_at,
        }
    }
}

fn consent_text(field: &str, raw: &str, strict: bool) -> Result<String, ApiError> {
    let ok_char = |c: char| {
        if strict {
            c.is_ascii_lowercase() || c.is_ascii_digit() || "_.:-".contains(c)
        } else {
            !c.is_control()
        }
    };
    let n = raw.chars().count();
    if n == 0 || n > MAX_CONSENT_TEXT || raw.trim() != raw || !raw.chars().all(ok_char) {
        let allowed = if strict {
            "of a-z, 0-9, _ . : -"
        } else {
            "with no control characters or surrounding spaces"
        };
        return Err(ApiError::invalid(
            field,
            format!("{field} must be 1 to {MAX_CONSENT_TEXT} characters {allowed}"),
        ));
    }
    Ok(raw.to_owned())
}

/// Record that a member gave or withdrew consent to a purpose. Records are never changed.
#[utoipa::path(post, path = "/v1/members/{external_id}/consents", tag = "members",
    request_body = ConsentIn,
    params(("external_id" = String, Path, description = "The brand's id for the member")),
    responses((status = 201, description = "Recorded (a retry with the same id and body answers the same)", body = ConsentOut),
        (status = 404, body = ErrorBody),
        (status = 409, description = "The id was used with a different record", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn post_consent(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(external_id): Path<String>,
    ApiJson(body): ApiJson<ConsentIn>,
) -> Result<(StatusCode, Json<ConsentOut>), ApiError> {
    let id = parse::client_id("id", &body.id)?;
    let purpose = consent_text("purpose", &body.purpose, true)?;
    let source = consent_text("source", &body.source, false)?;
    let channel = body
        .channel
        .as_deref()
        .map(|c| consent_text("channel", c, false))
        .transpose()?;
    let now = state.clock.now();
    let at = match body.at.as_deref() {
        Some(raw) => parse::instant("at", raw)?,
        None => now,
    };
    if at > now + chrono::Duration::minutes(5) {
        return Err(ApiError::invalid(
            "at",
            "at is more than 5 minutes in the future",
        ));
    }
    let member = find_member(&state, &program, &external_id).await?;
    let record = ConsentRecord {
        program_id: program.id.clone(),
        id,
        member_id: member.id,
        purpose,
        granted: body.granted,
        at,
        source,
        channel,
        recorded_at: now,
        seq: 0,
    };
    let stored = state.store.add_consent(&record).await?;
    let same = stored.member_id == record.member_id
        && stored.purpose == record.purpose
        && stored.granted == record.granted
        && stored.source == record.source
        && stored.channel == record.channel
        && (body.at.is_none() || stored.at == record.at);
    if !same {
        return Err(ApiError::IdempotencyConflict);
    }
    Ok((StatusCode::CREATED, Json(ConsentOut::from(&stored))))
}

/// A member's consent records, newest first.
#[utoipa::path(get, path = "/v1/members/{external_id}/consents", tag = "members",
    params(("external_id" = String, Path, description = "The brand's id for the member"), PageQuery),
    responses((status = 200, body = Page<ConsentOut>), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn list_consents(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(external_id): Path<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<Page<ConsentOut>>, ApiError> {
    let limit = q.limit()?;
    let before = q.cursor()?;
    let member = find_member(&state, &program, &external_id).await?;
    let records = state.store.consents(member.id, limit, before).await?;
    let next = (records.len() == limit as usize)
        .then(|| records.last().map(|c| c.seq.to_string()))
        .flatten();
    Ok(Json(Page {
        data: records.iter().map(ConsentOut::from).collect(),
        next,
    }))
}
