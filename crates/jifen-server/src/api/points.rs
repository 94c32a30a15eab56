//! Balances, the ledger, redemptions, adjustments and holds.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use jifen_core::{Book, Cause, CauseKind, Entry, HoldRecord, HoldStatus};

use super::types::{BalanceOut, EntryOut, Page, PageQuery, entries_out};
use crate::app::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Auth};
use crate::parse;
use crate::service::ledger::{Target, balance_at, book_at, entries_page, member_write};
use crate::service::{Answer, Idempotency};

pub use crate::service::checkout::CHECKOUT_HOLD;

/// Refuses to commit or void a checkout's hold directly: the checkout's confirm and cancel do.
fn checkout_hold(id: &str) -> Result<(), ApiError> {
    match id.strip_prefix(CHECKOUT_HOLD) {
        Some(checkout) => Err(ApiError::Forbidden(format!(
            "hold {id} belongs to checkout {checkout}: confirm or cancel it through \
             /v1/checkout/{checkout}"
        ))),
        None => Ok(()),
    }
}

/// Largest number of points in one request: the most one entry moves.
pub const MAX_POINTS: i64 = jifen_core::MAX_POINTS_PER_ENTRY;
/// Longest a hold may last: 30 days.
pub const MAX_HOLD_SECONDS: i64 = 30 * 86_400;

fn points(field: &str, p: i64, allow_negative: bool) -> Result<i64, ApiError> {
    // `unsigned_abs`: `i64::MIN.abs()` overflows (a panic in debug builds, i64::MIN itself,
    // accepted, in release builds).
    let ok = p != 0 && p.unsigned_abs() <= MAX_POINTS.unsigned_abs() && (allow_negative || p > 0);
    if ok {
        Ok(p)
    } else if allow_negative {
        Err(ApiError::invalid(
            field,
            format!("{field} must be non-zero, within ±{MAX_POINTS}"),
        ))
    } else {
        Err(ApiError::invalid(
            field,
            format!("{field} must be between 1 and {MAX_POINTS}"),
        ))
    }
}

pub fn answer(a: Answer) -> Response {
    let mut res = (a.status, Json(a.body)).into_response();
    if a.replayed {
        res.headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    res
}

fn with_reason(mut entries: Vec<Entry>, reason: &Option<String>) -> Vec<Entry> {
    for e in &mut entries {
        e.reason.clone_from(reason);
    }
    entries
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BalanceQuery {
    /// RFC 3339 instant; default now. Past instants reflect what had been recorded by then;
    /// future ones show what happens if nothing more is recorded.
    pub at: Option<String>,
}

/// A member's points at an instant.
#[utoipa::path(get, path = "/v1/members/{external_id}/balance", tag = "points",
    params(("external_id" = String, Path), BalanceQuery),
    responses((status = 200, body = BalanceOut), (status = 404, body = ErrorBody)))]
pub async fn get_balance(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(external_id): Path<String>,
    ApiQuery(q): ApiQuery<BalanceQuery>,
) -> Result<Json<BalanceOut>, ApiError> {
    let at = match q.at.as_deref() {
        Some(raw) => parse::query_instant("at", raw)?,
        None => state.clock.now(),
    };
    Ok(Json(
        balance_at(&state, &program, &external_id, at).await?.into(),
    ))
}

/// A member's ledger, newest entry first.
#[utoipa::path(get, path = "/v1/members/{external_id}/ledger", tag = "points",
    params(("external_id" = String, Path), PageQuery),
    responses((status = 200, body = Page<EntryOut>), (status = 404, body = ErrorBody)))]
pub async fn get_ledger(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(external_id): Path<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<Page<EntryOut>>, ApiError> {
    let limit = q.limit()?;
    let entries = entries_page(&state, &program, &external_id, limit, q.cursor()?).await?;
    let next = (entries.len() == limit as usize)
        .then(|| entries.last().map(|e| e.entry.seq.to_string()))
        .flatten();
    Ok(Json(Page {
        data: entries.iter().map(EntryOut::from).collect(),
        next,
    }))
}

/// Points to spend now.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RedemptionIn {
    /// Chosen by the client; the idempotency key.
    pub id: String,
    pub points: i64,
    pub reason: Option<String>,
}

/// The outcome of a redemption or adjustment.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PointsWriteOut {
    pub id: String,
    pub member: String,
    pub points: i64,
    pub reason: Option<String>,
    pub entries: Vec<EntryOut>,
    pub balance: BalanceOut,
}

fn written(
    id: &str,
    member: &str,
    points: i64,
    reason: &Option<String>,
    book: &Book,
    entries: &[Entry],
) -> serde_json::Value {
    json!(PointsWriteOut {
        id: id.to_owned(),
        member: member.to_owned(),
        points,
        reason: reason.clone(),
        entries: entries_out(entries),
        balance: book.balance().into(),
    })
}

fn reason(field: &str, r: &Option<String>) -> Result<(), ApiError> {
    match r {
        Some(s) if s.chars().count() > 500 => Err(ApiError::invalid(
            field,
            "reason must be at most 500 characters",
        )),
        Some(s)
            if s.chars()
                .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) =>
        {
            Err(ApiError::invalid(
                field,
                "reason must not contain control characters other than line breaks and tabs",
            ))
        }
        _ => Ok(()),
    }
}

/// Spend available points, soonest-expiring first.
#[utoipa::path(post, path = "/v1/members/{external_id}/redemptions", tag = "points",
    params(("external_id" = String, Path)), request_body = RedemptionIn,
    responses((status = 201, body = PointsWriteOut),
        (status = 422, description = "insufficient_points", body = ErrorBody),
        (status = 409, description = "idempotency_conflict", body = ErrorBody)))]
pub async fn post_redemption(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(external_id): Path<String>,
    ApiJson(body): ApiJson<RedemptionIn>,
) -> Result<Response, ApiError> {
    let id = parse::client_id("id", &body.id)?;
    if id.starts_with(CHECKOUT_HOLD) {
        return Err(ApiError::invalid(
            "id",
            "hold ids starting with checkout: belong to checkouts",
        ));
    }
    let p = points("points", body.points, false)?;
    reason("reason", &body.reason)?;
    let idem = Idempotency::new(&program.id, "redemption", &id, &(&external_id, &body));
    let cause = Cause::new(CauseKind::Redemption, id.clone());
    let a = member_write(
        &state,
        &program,
        idem,
        Target::Member(&external_id),
        StatusCode::CREATED,
        |book, _| Ok(with_reason(book.redeem(p, &cause)?, &body.reason)),
        |book, m, entries| written(&id, &m.external_id, p, &body.reason, book, entries),
    )
    .await?;
    Ok(answer(a))
}

/// An operator's correction.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdjustmentIn {
    /// Chosen by the client; the idempotency key.
    pub id: String,
    /// Positive adds a lot (available now); negative takes points (and may create debt).
    pub points: i64,
    /// Why, for the member's history.
    pub reason: String,
}

/// Add or take points by hand, with a reason.
#[utoipa::path(post, path = "/v1/members/{external_id}/adjustments", tag = "points",
    params(("external_id" = String, Path)), request_body = AdjustmentIn,
    responses((status = 201, body = PointsWriteOut), (status = 422, body = ErrorBody)))]
pub async fn post_adjustment(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(external_id): Path<String>,
    ApiJson(body): ApiJson<AdjustmentIn>,
) -> Result<Response, ApiError> {
    let id = parse::client_id("id", &body.id)?;
    let p = points("points", body.points, true)?;
    let why = Some(body.reason.clone());
    reason("reason", &why)?;
    if body.reason.trim().is_empty() {
        return Err(ApiError::invalid("reason", "an adjustment needs a reason"));
    }
    let idem = Idempotency::new(&program.id, "adjustment", &id, &(&external_id, &body));
    let cause = Cause::new(CauseKind::Adjustment, id.clone());
    let policy = program.policy;
    let tz = crate::service::program_tz(&program);
    let a = member_write(
        &state,
        &program,
        idem,
        Target::Member(&external_id),
        StatusCode::CREATED,
        |book, _| {
            let entries = if p > 0 {
                let now = book.now();
                book.try_earn(
                    jifen_core::NewLot {
                        points: p,
                        available_at: now,
                        expires_at: policy.expires_at(now, tz),
                        order_id: None,
                    },
                    jifen_core::EntryKind::Adjust,
                    &cause,
                )?
            } else {
                book.adjust_down(-p, policy.negative_balance, &cause)?
            };
            Ok(with_reason(entries, &why))
        },
        |book, m, entries| written(&id, &m.external_id, p, &why, book, entries),
    )
    .await?;
    Ok(answer(a))
}

/// Points to reserve for a checkout.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoldIn {
    /// Chosen by the client; the hold's id and idempotency key.
    pub id: String,
    pub points: i64,
    /// Seconds until the hold releases itself (1 to 2,592,000).
    pub expires_in_seconds: i64,
}

/// A hold.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct HoldOut {
    pub id: String,
    pub member: String,
    /// Points reserved when the hold was placed.
    pub points: i64,
    /// Points it still reserves.
    pub held: i64,
    /// pending, committed, voided or expired.
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub deadline: DateTime<Utc>,
    /// What this request wrote (absent when reading a hold).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entries: Option<Vec<EntryOut>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub balance: Option<BalanceOut>,
}

fn hold_out(book: &Book, id: &str, member: &str, entries: Option<&[Entry]>) -> Option<HoldOut> {
    let record = book.hold_record(id)?;
    Some(HoldOut {
        id: record.id.clone(),
        member: member.to_owned(),
        points: record.points,
        held: book.hold_held(&record.id).unwrap_or(0),
        status: book
            .hold_status(&record.id)
            .unwrap_or(HoldStatus::Pending)
            .as_str()
            .to_owned(),
        created_at: record.created_at,
        deadline: record.deadline,
        entries: entries.map(entries_out),
        balance: entries.map(|_| book.balance().into()),
    })
}

/// Reserve available points for a checkout (two-phase: commit, void, or expire).
#[utoipa::path(post, path = "/v1/members/{external_id}/holds", tag = "holds",
    params(("external_id" = String, Path)), request_body = HoldIn,
    responses((status = 201, body = HoldOut), (status = 422, body = ErrorBody)))]
pub async fn post_hold(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(external_id): Path<String>,
    ApiJson(body): ApiJson<HoldIn>,
) -> Result<Response, ApiError> {
    let id = parse::client_id("id", &body.id)?;
    let p = points("points", body.points, false)?;
    if !(1..=MAX_HOLD_SECONDS).contains(&body.expires_in_seconds) {
        return Err(ApiError::invalid(
            "expires_in_seconds",
            format!("expires_in_seconds must be between 1 and {MAX_HOLD_SECONDS}"),
        ));
    }
    let idem = Idempotency::new(&program.id, "hold", &id, &(&external_id, &body));
    let cause = Cause::new(CauseKind::Hold, id.clone());
    let a = member_write(
        &state,
        &program,
        idem,
        Target::Member(&external_id),
        StatusCode::CREATED,
        |book, _| {
            let now = book.now();
            let r = HoldRecord {
                id: id.clone(),
                points: p,
                created_at: now,
                deadline: now + chrono::Duration::seconds(body.expires_in_seconds),
            };
            Ok(book.place_hold(r, &cause)?)
        },
        |book, m, entries| json!(hold_out(book, &id, &m.external_id, Some(entries))),
    )
    .await?;
    Ok(answer(a))
}

/// Show a hold and where it stands now.
#[utoipa::path(get, path = "/v1/holds/{id}", tag = "holds",
    params(("id" = String, Path)),
    responses((status = 200, body = HoldOut), (status = 404, body = ErrorBody)))]
pub async fn get_hold(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
) -> Result<Json<HoldOut>, ApiError> {
    if !parse::could_be_id(&id) {
        return Err(ApiError::HoldNotFound(id));
    }
    let hold = state
        .store
        .get_hold(&program.id, &id)
        .await?
        .ok_or_else(|| ApiError::HoldNotFound(id.clone()))?;
    let (_, book) = book_at(
        &state,
        &program,
        &hold.member_external_id,
        state.clock.now(),
        true,
    )
    .await?;
    hold_out(&book, &id, &hold.member_external_id, None)
        .map(Json)
        .ok_or(ApiError::HoldNotFound(id))
}

/// How much of a hold to commit.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommitIn {
    /// At most the held amount; the rest is released. Default: all of it.
    pub points: Option<i64>,
}

/// Commit a hold: its points (or part of them) are redeemed, the rest released.
#[utoipa::path(post, path = "/v1/holds/{id}/commit", tag = "holds",
    params(("id" = String, Path)), request_body = CommitIn,
    responses((status = 200, body = HoldOut), (status = 404, body = ErrorBody),
        (status = 409, description = "hold_not_pending", body = ErrorBody)))]
pub async fn commit_hold(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
    raw: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let body: CommitIn = if raw.iter().all(u8::is_ascii_whitespace) {
        CommitIn::default()
    } else {
        crate::extract::parse_json(&raw)?
    };
    if let Some(p) = body.points {
        points("points", p, false)?;
    }
    checkout_hold(&id)?;
    let idem = Idempotency::new(&program.id, "hold_commit", &id, &body);
    let cause = Cause::new(CauseKind::HoldCommit, id.clone());
    resolve_hold(&state, &program, &id, idem, |book| {
        book.commit_hold(&id, body.points, &cause)
    })
    .await
}

/// Void a hold: its points go back to the member.
#[utoipa::path(post, path = "/v1/holds/{id}/void", tag = "holds",
    params(("id" = String, Path)),
    responses((status = 200, body = HoldOut), (status = 404, body = ErrorBody),
        (status = 409, description = "hold_not_pending", body = ErrorBody)))]
pub async fn void_hold(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    checkout_hold(&id)?;
    let idem = Idempotency::new(&program.id, "hold_void", &id, &json!({}));
    let cause = Cause::new(CauseKind::HoldVoid, id.clone());
    resolve_hold(&state, &program, &id, idem, |book| {
        book.void_hold(&id, &cause)
    })
    .await
}

async fn resolve_hold<F>(
    state: &AppState,
    program: &jifen_store::Program,
    id: &str,
    idem: Idempotency,
    decide: F,
) -> Result<Response, ApiError>
where
    F: Fn(&mut Book) -> Result<Vec<Entry>, jifen_core::LedgerError> + Sync,
{
    let a = member_write(
        state,
        program,
        idem,
        Target::Hold(id),
        StatusCode::OK,
        |book, _| Ok(decide(book)?),
        |book, m, entries| json!(hold_out(book, id, &m.external_id, Some(entries))),
    )
    .await?;
    Ok(answer(a))
}
