//! Webhooks: a program's endpoints (with their signing secrets), the messages the outbox holds,
//! each delivery with its attempts, and replays. See docs/webhooks.md.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use jifen_store::webhooks::{
    Replay, WebhookAttemptRow, WebhookDeliveryRow, WebhookMessageRow, kind,
};
use jifen_store::{Program, WebhookEndpointRow};

use super::types::Page;
use crate::app::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Auth};
use crate::webhooks::{signing, targets};

/// The most endpoints a program keeps: each message fans out to every subscriber.
pub const MAX_ENDPOINTS: usize = 100;
/// The longest description.
const MAX_DESCRIPTION: usize = 500;
/// The default and the longest overlap of a secret rotation, in hours.
const DEFAULT_OVERLAP_HOURS: u32 = 24;
const MAX_OVERLAP_HOURS: u32 = 168;

/// A new endpoint.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointIn {
    /// Where messages are POSTed: `https://…` (or `http://…`). Its host must resolve to public
    /// addresses unless the server allows private targets.
    pub url: String,
    #[serde(default)]
    pub description: Option<String>,
    /// The kinds it receives (`member.enrolled`, `points.earned`, `points.expiring`,
    /// `tier.changed`, `voucher.issued`, `reward.redeemed`, `checkout.confirmed`,
    /// `gift.claimed`, `notification`, `webhook.endpoint_disabled`); absent or empty: every
    /// kind.
    #[serde(default)]
    pub kinds: Option<Vec<String>>,
    /// Whether it receives messages now (true when absent).
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// Changes to an endpoint; absent fields keep their value.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointPatch {
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// An empty list subscribes to every kind.
    #[serde(default)]
    pub kinds: Option<Vec<String>>,
    /// Enabling an endpoint the server disabled for failing clears its failure record;
    /// deliveries that waited while it was disabled are sent again.
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// An endpoint.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EndpointOut {
    /// `ep_…`.
    pub id: String,
    pub url: String,
    pub description: String,
    /// The kinds it receives; empty for every kind.
    pub kinds: Vec<String>,
    pub enabled: bool,
    /// Why the server disabled it: `failing` (every attempt failed for
    /// `webhooks.disable_after_days`); `null` otherwise.
    pub disabled_reason: Option<String>,
    /// Since when every attempt failed; `null` when the last one succeeded (or none was made).
    pub failing_since: Option<DateTime<Utc>>,
    /// The signing secret, `whsec_…`: in the answers of creation and rotation only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// Until when the secret before the last rotation still signs (a second signature).
    pub previous_secret_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl EndpointOut {
    /// An endpoint as answered, without its secret.
    pub fn of(e: &WebhookEndpointRow, now: DateTime<Utc>) -> Self {
        EndpointOut {
            id: e.id.clone(),
            url: e.url.clone(),
            description: e.description.clone(),
            kinds: e.kinds.clone(),
            enabled: e.enabled,
            disabled_reason: e.disabled_reason.clone(),
            failing_since: e.failing_since,
            secret: None,
            previous_secret_until: e.previous_until.filter(|u| *u > now),
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

/// The program's endpoints.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EndpointList {
    pub data: Vec<EndpointOut>,
}

/// A secret rotation.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateIn {
    /// Hours the old secret still signs (a second signature in `webhook-signature`): 0 to
    /// 168, 24 when absent.
    #[serde(default)]
    pub overlap_hours: Option<u32>,
}

/// One attempt to deliver.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AttemptOut {
    /// 1 for the first.
    pub attempt: i64,
    pub at: DateTime<Utc>,
    /// The endpoint's HTTP status; `null` when no answer came.
    pub status_code: Option<i64>,
    pub latency_ms: i64,
    /// What went wrong (`HTTP 500: …`, `timed out`, a refused target); `null` for a success.
    pub error: Option<String>,
}

/// A message's delivery to one endpoint.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DeliveryOut {
    pub message_id: String,
    pub endpoint_id: String,
    pub kind: String,
    /// `pending` (waiting for its next attempt), `delivered` (a `2xx` came) or `failed`
    /// (retries ran out after three days; replay it to send it again).
    pub status: String,
    pub attempts: i64,
    /// When a pending delivery is next tried.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_status_code: Option<i64>,
    pub last_error: Option<String>,
    pub last_latency_ms: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Every attempt, first first (when a single message is shown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempt_log: Option<Vec<AttemptOut>>,
}

fn instant(us: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(us).unwrap_or_default()
}

impl From<&WebhookDeliveryRow> for DeliveryOut {
    fn from(d: &WebhookDeliveryRow) -> Self {
        DeliveryOut {
            message_id: d.message_id.clone(),
            endpoint_id: d.endpoint_id.clone(),
            kind: d.kind.clone(),
            status: d.status.clone(),
            attempts: d.attempts,
            next_attempt_at: (d.status == jifen_store::webhooks::PENDING)
                .then(|| instant(d.next_attempt_at)),
            last_status_code: d.last_status,
            last_error: d.last_error.clone(),
            last_latency_ms: d.last_latency_ms,
            created_at: instant(d.created_at),
            updated_at: instant(d.updated_at),
            attempt_log: None,
        }
    }
}

impl From<&WebhookAttemptRow> for AttemptOut {
    fn from(a: &WebhookAttemptRow) -> Self {
        AttemptOut {
            attempt: a.attempt,
            at: instant(a.at),
            status_code: a.status_code,
            latency_ms: a.latency_ms,
            error: a.error.clone(),
        }
    }
}

/// A message of the outbox.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MessageOut {
    /// `msg_…`: the `webhook-id` header, the same at every attempt; receivers deduplicate by it.
    pub id: String,
    /// Its kind: the `type` of the body.
    pub kind: String,
    pub created_at: DateTime<Utc>,
    /// The `data` of the body.
    #[schema(value_type = Object)]
    pub data: Value,
    /// Its deliveries (one per endpoint it was fanned out to), when one message is shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deliveries: Option<Vec<DeliveryOut>>,
}

impl From<&WebhookMessageRow> for MessageOut {
    fn from(m: &WebhookMessageRow) -> Self {
        MessageOut {
            id: m.id.clone(),
            kind: m.kind.clone(),
            created_at: instant(m.created_at),
            data: serde_json::from_str(&m.payload).unwrap_or(Value::Null),
            deliveries: None,
        }
    }
}

/// A page of deliveries or messages.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// Only deliveries in this status: `pending`, `delivered` or `failed`.
    pub status: Option<String>,
    /// How many to answer: 1 to 200, 50 when absent.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next` cursor of the page before, to read the page after it.
    pub after: Option<String>,
}

/// A page of messages.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MessageQuery {
    /// How many to answer: 1 to 200, 50 when absent.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next` cursor of the page before, to read the page after it.
    pub after: Option<String>,
}

/// A replay of one message.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplayMessageIn {
    /// Send it again to this endpoint only; to every endpoint it went to when absent.
    #[serde(default)]
    pub endpoint_id: Option<String>,
}

/// A replay of failed deliveries.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplayFailedIn {
    /// Failed deliveries of messages created at or after this instant (RFC 3339).
    pub since: String,
    /// Of this endpoint only; of every endpoint when absent.
    #[serde(default)]
    pub endpoint_id: Option<String>,
}

/// What a replay queued.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReplayOut {
    /// Deliveries made pending and due now.
    pub replayed: u64,
}

fn page_limit(limit: Option<u32>) -> Result<u32, ApiError> {
    super::types::PageQuery { limit, after: None }.limit()
}

fn cursor(after: Option<&str>) -> Result<Option<&str>, ApiError> {
    match after {
        Some(c) if !is_message_id(c) => Err(ApiError::invalid(
            "after",
            "after is not a cursor this API gave",
        )),
        other => Ok(other),
    }
}

fn is_message_id(s: &str) -> bool {
    s.len() == 36 && s.starts_with("msg_") && s[4..].bytes().all(|b| b.is_ascii_hexdigit())
}

fn parse_kinds(raw: &[String]) -> Result<Vec<String>, ApiError> {
    let mut kinds: Vec<String> = Vec::new();
    for (i, k) in raw.iter().enumerate() {
        if !kind::ALL.contains(&k.as_str()) {
            return Err(ApiError::invalid(
                format!("kinds[{i}]"),
                format!(
                    "{k:?} is not a kind of webhook message; kinds are {}",
                    kind::ALL.join(", ")
                ),
            ));
        }
        if !kinds.contains(k) {
            kinds.push(k.clone());
        }
    }
    kinds.sort();
    Ok(kinds)
}

fn parse_description(raw: Option<&str>) -> Result<String, ApiError> {
    let d = raw.unwrap_or("").trim();
    if d.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "description",
            "description must not contain control characters",
        ));
    }
    if d.chars().count() > MAX_DESCRIPTION {
        return Err(ApiError::invalid(
            "description",
            format!("description is at most {MAX_DESCRIPTION} characters"),
        ));
    }
    Ok(d.to_owned())
}

async fn parse_target(state: &AppState, raw: &str) -> Result<String, ApiError> {
    let url = targets::check(raw.trim(), state.webhooks.allow_private_targets)
        .await
        .map_err(|e| ApiError::invalid("url", e.to_string()))?;
    Ok(url.to_string())
}

async fn find_endpoint(
    state: &AppState,
    program: &Program,
    id: &str,
) -> Result<WebhookEndpointRow, ApiError> {
    state
        .store
        .webhook_endpoint(&program.id, id)
        .await?
        .ok_or_else(|| ApiError::WebhookEndpointNotFound(id.to_owned()))
}

/// Register an endpoint. Its signing secret is in this answer only (and in a rotation's).
#[utoipa::path(post, path = "/v1/webhooks/endpoints", tag = "webhooks", request_body = EndpointIn,
    responses((status = 201, body = EndpointOut), (status = 422, body = ErrorBody)))]
pub async fn create_endpoint(
    State(state): State<AppState>,
    Auth(program): Auth,
    ApiJson(body): ApiJson<EndpointIn>,
) -> Result<(StatusCode, Json<EndpointOut>), ApiError> {
    let description = parse_description(body.description.as_deref())?;
    let kinds = parse_kinds(body.kinds.as_deref().unwrap_or(&[]))?;
    let url = parse_target(&state, &body.url).await?;
    if state.store.webhook_endpoints(&program.id).await?.len() >= MAX_ENDPOINTS {
        return Err(ApiError::invalid(
            "url",
            format!("a program has at most {MAX_ENDPOINTS} endpoints; delete one first"),
        ));
    }
    let now = state.clock.now();
    let row = WebhookEndpointRow {
        id: format!("ep_{}", uuid::Uuid::now_v7().simple()),
        url,
        description,
        kinds,
        enabled: body.enabled.unwrap_or(true),
        secret: signing::new_secret(),
        previous_secret: None,
        previous_until: None,
        failing_since: None,
        disabled_reason: None,
        created_at: now,
        updated_at: now,
    };
    state
        .store
        .create_webhook_endpoint(&program.id, &row)
        .await?;
    let mut out = EndpointOut::of(&row, now);
    out.secret = Some(row.secret);
    Ok((StatusCode::CREATED, Json(out)))
}

/// The program's endpoints, oldest first.
#[utoipa::path(get, path = "/v1/webhooks/endpoints", tag = "webhooks",
    responses((status = 200, body = EndpointList)))]
pub async fn list_endpoints(
    State(state): State<AppState>,
    Auth(program): Auth,
) -> Result<Json<EndpointList>, ApiError> {
    let now = state.clock.now();
    let data = state
        .store
        .webhook_endpoints(&program.id)
        .await?
        .iter()
        .map(|e| EndpointOut::of(e, now))
        .collect();
    Ok(Json(EndpointList { data }))
}

/// Show an endpoint (without its secret).
#[utoipa::path(get, path = "/v1/webhooks/endpoints/{id}", tag = "webhooks",
    params(("id" = String, Path, description = "The endpoint's id, `ep_…`")),
    responses((status = 200, body = EndpointOut), (status = 404, body = ErrorBody)))]
pub async fn get_endpoint(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
) -> Result<Json<EndpointOut>, ApiError> {
    let e = find_endpoint(&state, &program, &id).await?;
    Ok(Json(EndpointOut::of(&e, state.clock.now())))
}

/// Change an endpoint: its URL, description, kinds, or whether it is enabled.
#[utoipa::path(patch, path = "/v1/webhooks/endpoints/{id}", tag = "webhooks",
    request_body = EndpointPatch,
    params(("id" = String, Path, description = "The endpoint's id, `ep_…`")),
    responses((status = 200, body = EndpointOut), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn patch_endpoint(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<EndpointPatch>,
) -> Result<Json<EndpointOut>, ApiError> {
    let mut e = find_endpoint(&state, &program, &id).await?;
    if let Some(d) = body.description.as_deref() {
        e.description = parse_description(Some(d))?;
    }
    if let Some(k) = &body.kinds {
        e.kinds = parse_kinds(k)?;
    }
    if let Some(u) = &body.url {
        e.url = parse_target(&state, u).await?;
    }
    if let Some(enabled) = body.enabled {
        if enabled && !e.enabled {
            e.failing_since = None;
            e.disabled_reason = None;
        }
        e.enabled = enabled;
    }
    let now = state.clock.now();
    e.updated_at = now;
    if !state.store.update_webhook_endpoint(&program.id, &e).await? {
        return Err(ApiError::WebhookEndpointNotFound(id));
    }
    Ok(Json(EndpointOut::of(&e, now)))
}

/// Delete an endpoint with its deliveries (messages stay for the other endpoints).
#[utoipa::path(delete, path = "/v1/webhooks/endpoints/{id}", tag = "webhooks",
    params(("id" = String, Path, description = "The endpoint's id, `ep_…`")),
    responses((status = 204, description = "Deleted"), (status = 404, body = ErrorBody)))]
pub async fn delete_endpoint(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if state
        .store
        .delete_webhook_endpoint(&program.id, &id)
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::WebhookEndpointNotFound(id))
    }
}

/// Rotate an endpoint's secret. The answer holds the new secret; the old one keeps signing
/// (a second signature in `webhook-signature`) for `overlap_hours`.
#[utoipa::path(post, path = "/v1/webhooks/endpoints/{id}/rotate-secret", tag = "webhooks",
    request_body = RotateIn,
    params(("id" = String, Path, description = "The endpoint's id, `ep_…`")),
    responses((status = 200, body = EndpointOut), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn rotate_secret(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RotateIn>,
) -> Result<Json<EndpointOut>, ApiError> {
    let hours = body.overlap_hours.unwrap_or(DEFAULT_OVERLAP_HOURS);
    if hours > MAX_OVERLAP_HOURS {
        return Err(ApiError::invalid(
            "overlap_hours",
            format!("overlap_hours is 0 to {MAX_OVERLAP_HOURS}"),
        ));
    }
    let mut e = find_endpoint(&state, &program, &id).await?;
    let now = state.clock.now();
    let old = std::mem::replace(&mut e.secret, signing::new_secret());
    if hours > 0 {
        e.previous_secret = Some(old);
        e.previous_until = Some(now + chrono::Duration::hours(i64::from(hours)));
    } else {
        e.previous_secret = None;
        e.previous_until = None;
    }
    e.updated_at = now;
    if !state.store.update_webhook_endpoint(&program.id, &e).await? {
        return Err(ApiError::WebhookEndpointNotFound(id));
    }
    let mut out = EndpointOut::of(&e, now);
    out.secret = Some(e.secret);
    Ok(Json(out))
}

/// An endpoint's deliveries, newest message first.
#[utoipa::path(get, path = "/v1/webhooks/endpoints/{id}/deliveries", tag = "webhooks",
    params(("id" = String, Path, description = "The endpoint's id, `ep_…`"), DeliveryQuery),
    responses((status = 200, body = Page<DeliveryOut>), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn list_deliveries(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<DeliveryQuery>,
) -> Result<Json<Page<DeliveryOut>>, ApiError> {
    let limit = page_limit(q.limit)?;
    let before = cursor(q.after.as_deref())?;
    if let Some(s) = q.status.as_deref()
        && ![
            jifen_store::webhooks::PENDING,
            jifen_store::webhooks::DELIVERED,
            jifen_store::webhooks::FAILED,
        ]
        .contains(&s)
    {
        return Err(ApiError::invalid(
            "status",
            "status is pending, delivered or failed",
        ));
    }
    find_endpoint(&state, &program, &id).await?;
    let rows = state
        .store
        .webhook_deliveries(&program.id, &id, q.status.as_deref(), limit + 1, before)
        .await?;
    Ok(Json(paged(
        rows.iter().map(DeliveryOut::from).collect(),
        limit,
        |d| d.message_id.clone(),
    )))
}

fn paged<T>(mut data: Vec<T>, limit: u32, key: impl Fn(&T) -> String) -> Page<T> {
    let more = data.len() > limit as usize;
    data.truncate(limit as usize);
    let next = if more { data.last().map(key) } else { None };
    Page { data, next }
}

/// The program's messages, newest first.
#[utoipa::path(get, path = "/v1/webhooks/messages", tag = "webhooks", params(MessageQuery),
    responses((status = 200, body = Page<MessageOut>), (status = 422, body = ErrorBody)))]
pub async fn list_messages(
    State(state): State<AppState>,
    Auth(program): Auth,
    ApiQuery(q): ApiQuery<MessageQuery>,
) -> Result<Json<Page<MessageOut>>, ApiError> {
    let limit = page_limit(q.limit)?;
    let before = cursor(q.after.as_deref())?;
    let rows = state
        .store
        .webhook_messages(&program.id, limit + 1, before)
        .await?;
    Ok(Json(paged(
        rows.iter().map(MessageOut::from).collect(),
        limit,
        |m| m.id.clone(),
    )))
}

/// Show a message with its deliveries and every attempt of each.
#[utoipa::path(get, path = "/v1/webhooks/messages/{id}", tag = "webhooks",
    params(("id" = String, Path, description = "The message's id, `msg_…`")),
    responses((status = 200, body = MessageOut), (status = 404, body = ErrorBody)))]
pub async fn get_message(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
) -> Result<Json<MessageOut>, ApiError> {
    let (m, deliveries) = state
        .store
        .webhook_message(&program.id, &id)
        .await?
        .ok_or_else(|| ApiError::WebhookMessageNotFound(id.clone()))?;
    let mut out = MessageOut::from(&m);
    let mut list = Vec::with_capacity(deliveries.len());
    for d in &deliveries {
        let attempts = state
            .store
            .webhook_attempts(&program.id, &d.message_id, &d.endpoint_id)
            .await?;
        let mut o = DeliveryOut::from(d);
        o.attempt_log = Some(attempts.iter().map(AttemptOut::from).collect());
        list.push(o);
    }
    out.deliveries = Some(list);
    Ok(Json(out))
}

/// Send a message again (delivered or not), to every endpoint it went to or one of them.
#[utoipa::path(post, path = "/v1/webhooks/messages/{id}/replay", tag = "webhooks",
    request_body = ReplayMessageIn,
    params(("id" = String, Path, description = "The message's id, `msg_…`")),
    responses((status = 202, body = ReplayOut), (status = 404, body = ErrorBody)))]
pub async fn replay_message(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReplayMessageIn>,
) -> Result<(StatusCode, Json<ReplayOut>), ApiError> {
    let Some((_, deliveries)) = state.store.webhook_message(&program.id, &id).await? else {
        return Err(ApiError::WebhookMessageNotFound(id));
    };
    if let Some(e) = body.endpoint_id.as_deref()
        && !deliveries.iter().any(|d| d.endpoint_id == e)
    {
        return Err(ApiError::WebhookEndpointNotFound(e.to_owned()));
    }
    let replayed = state
        .store
        .replay_webhooks(
            &program.id,
            &Replay::Message {
                message_id: id,
                endpoint_id: body.endpoint_id,
            },
            state.clock.now(),
        )
        .await?;
    Ok((StatusCode::ACCEPTED, Json(ReplayOut { replayed })))
}

/// Send again every failed delivery of the messages created since an instant.
#[utoipa::path(post, path = "/v1/webhooks/replay-failed", tag = "webhooks",
    request_body = ReplayFailedIn,
    responses((status = 202, body = ReplayOut), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn replay_failed(
    State(state): State<AppState>,
    Auth(program): Auth,
    ApiJson(body): ApiJson<ReplayFailedIn>,
) -> Result<(StatusCode, Json<ReplayOut>), ApiError> {
    let since = crate::parse::instant("since", &body.since)?;
    if let Some(e) = body.endpoint_id.as_deref() {
        find_endpoint(&state, &program, e).await?;
    }
    let replayed = state
        .store
        .replay_webhooks(
            &program.id,
            &Replay::FailedSince {
                since,
                endpoint_id: body.endpoint_id,
            },
            state.clock.now(),
        )
        .await?;
    Ok((StatusCode::ACCEPTED, Json(ReplayOut { replayed })))
}
