//! `POST /v1/events`: one event, or a batch of up to 1,000.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::types::EntryOut;
use crate::app::AppState;
use crate::error::{ApiError, DocsBase, ErrorBody, ErrorDetail};
use crate::extract::{ApiJson, Auth};
use crate::parse;
use crate::service::coalesce::Coalescer;
use crate::service::events::{
    Answer, BEHAVIOUR_TYPES, EventKind, EventOutcome, ParsedEvent, answer_text, record,
};
use jifen_core::MAX_AMOUNT_FEN;

/// Most events in one batch.
pub const MAX_BATCH: usize = 1_000;
/// Most units of one line of an order.
pub const MAX_LINE_QUANTITY: i64 = 1_000_000;
/// How far in the future `occurred_at` may be (clock skew between systems).
pub const MAX_FUTURE_SECONDS: i64 = 300;

/// Something a member (or a guest) did.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventIn {
    /// Chosen by the client; the idempotency key of the event.
    pub id: String,
    /// `purchase`, `refund`, or a behaviour: check_in, review, survey_completed, content_posted,
    /// share, profile_completed, identity_bound, livestream_attended, store_scan, forum_post,
    /// site_visit, referral_signup, event_invite, birthday.
    #[serde(rename = "type")]
    pub kind: String,
    /// The member's external id (or the guest's reference with `attributes.guest: true`).
    pub member: String,
    /// RFC 3339 with a time zone; at most 5 minutes in the future.
    pub occurred_at: String,
    /// Touchpoint: tmall, taobao, wechat_mp, store:<id>, livestream, app, partner:<id>.
    pub site: Option<String>,
    /// Purchases: `order_id`, `amount` (fen), optional `lines` and `guest`.
    /// Refunds: `order_id`, `amount` (fen).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub attributes: Value,
}

/// A batch of events.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventBatch {
    /// Up to 1,000 events, each recorded (or refused) on its own.
    #[schema(min_items = 1, max_items = 1000)]
    pub events: Vec<EventIn>,
}

/// One event, or a batch of up to 1,000 (`{"events": [...]}`).
// Only the OpenAPI document uses this type: the handler reads the JSON itself, so that each
// event of a batch is judged (and refused) alone.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum EventsIn {
    One(EventIn),
    Batch(EventBatch),
}

/// One event's result, or a batch's results in the order of its events.
// Only the OpenAPI document uses this type, as `EventsIn`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum EventsOut {
    One(Box<EventResult>),
    Batch(BatchResult),
}

/// What one event caused.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EventResult {
    /// The event's id; in a batch, `null` for a failed event whose `id` was missing or not a
    /// string.
    #[schema(required = true)]
    pub id: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub member: Option<String>,
    pub guest: Option<bool>,
    /// `processed` or `failed`.
    pub status: String,
    /// Net points the event moved (earned, or clawed back as a negative number).
    pub points: Option<i64>,
    pub entries: Option<Vec<EntryOut>>,
    /// Each rule judged: `rule`, `version`, `outcome` (`fired`, `condition_false`,
    /// `limit_reached`…) and what it gave or why it did not fire.
    #[schema(value_type = Option<Vec<Object>>)]
    pub rules: Option<Value>,
    /// What the fired rules did besides points: meters, tags, notifications, vouchers.
    #[schema(value_type = Option<Vec<Object>>)]
    pub actions: Option<Value>,
    /// The member's tier change the event caused, if any.
    #[schema(value_type = Option<Object>)]
    pub tier: Option<Value>,
    /// `true` when the id was recorded before: this is the first answer, and nothing changed.
    pub repeat: Option<bool>,
    /// Why the event failed (in a batch): what a single event would have been refused with.
    #[schema(value_type = Option<ErrorDetail>)]
    pub error: Option<Value>,
}

/// The answer to a batch, one result per event in order.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BatchResult {
    pub results: Vec<EventResult>,
}

#[derive(Deserialize)]
struct Line {
    #[allow(dead_code)]
    sku: String,
    #[allow(dead_code)]
    category: Option<String>,
    quantity: i64,
    amount: i64,
}

#[derive(Deserialize)]
struct OrderAttrs {
    order_id: String,
    amount: i64,
    #[serde(default)]
    guest: bool,
    lines: Option<Vec<Line>>,
}

#[derive(Deserialize)]
struct BehaviourAttrs {
    #[serde(default)]
    guest: bool,
}

/// Record events. A single event answers with its result (or its error status); a batch
/// (`{"events": [...]}`) answers 200 with a result per event, failed ones included.
#[utoipa::path(post, path = "/v1/events", tag = "events",
    request_body(content = EventsIn, description = "One event, or {\"events\": [...]} (up to 1,000)"),
    responses((status = 200, description = "One result, or `{results}` for a batch", body = EventsOut),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn post_events(
    State(state): State<AppState>,
    Auth(program): Auth,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    let now = state.clock.now();
    let (batch, raw) = events_of(body)?;
    // A failed result names its event by the id sent, or `null` when that is not a string.
    let ids: Vec<Value> = raw
        .iter()
        .map(|v| {
            v.get("id")
                .filter(|id| id.is_string())
                .cloned()
                .unwrap_or(Value::Null)
        })
        .collect();
    let parsed = parse_events(raw, batch, now);
    let valid: Vec<ParsedEvent> = parsed
        .iter()
        .filter_map(|p| p.as_ref().ok().cloned())
        .collect();
    if !batch {
        let event = parsed.into_iter().next().ok_or(ApiError::Internal)??;
        let answer = Coalescer::record_one(&state, &program, event).await?;
        return Ok((StatusCode::OK, Json(answer)).into_response());
    }
    let mut recorded = record(&state, &program, &valid).await?.into_iter();
    let outcomes: Vec<EventOutcome> = parsed
        .into_iter()
        .map(|p| match p {
            Ok(_) => recorded.next().unwrap_or(Err(ApiError::Internal)),
            Err(e) => Err(e),
        })
        .collect();
    let results = outcomes
        .into_iter()
        .zip(ids)
        .map(|(o, id)| o.or_else(|e| answer_text(&failed(id, &e, &state.docs))))
        .collect::<Result<Vec<Answer>, ApiError>>()?;
    Ok((StatusCode::OK, Json(Answers { results })).into_response())
}

/// A batch's answer, written from the events' answer texts.
#[derive(Serialize)]
struct Answers {
    results: Vec<Answer>,
}

/// The events of a body: `(true, events)` for a batch (`{"events": [...]}`, 1 to
/// [`MAX_BATCH`] of them), `(false, [event])` for one event object.
pub(crate) fn events_of(body: Value) -> Result<(bool, Vec<Value>), ApiError> {
    match body {
        Value::Object(mut map) if map.contains_key("events") => {
            let Some(Value::Array(list)) = map.remove("events") else {
                return Err(ApiError::invalid("events", "events must be an array"));
            };
            if map.keys().next().is_some() {
                return Err(ApiError::invalid("", "a batch holds only `events`"));
            }
            if list.len() > MAX_BATCH {
                return Err(ApiError::BatchTooLarge {
                    items: "events",
                    max: MAX_BATCH,
                    got: list.len(),
                });
            }
            if list.is_empty() {
                return Err(ApiError::invalid(
                    "events",
                    "a batch needs at least one event",
                ));
            }
            Ok((true, list))
        }
        single @ Value::Object(_) => Ok((false, vec![single])),
        _ => Err(ApiError::invalid(
            "",
            "send an event object or {\"events\": [...]}",
        )),
    }
}

/// Parses each event of a body, naming fields `events[i].…` in a batch.
pub(crate) fn parse_events(
    raw: Vec<Value>,
    batch: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<Result<ParsedEvent, ApiError>> {
    raw.into_iter()
        .enumerate()
        .map(|(i, v)| {
            let prefix = if batch {
                format!("events[{i}].")
            } else {
                String::new()
            };
            parse_event(v, &prefix, now)
        })
        .collect()
}

/// A failed item of a batch: its id as sent and the error, its `doc` link under `docs`.
pub(crate) fn failed(id: Value, e: &ApiError, docs: &DocsBase) -> Value {
    let ErrorBody {
        error:
            ErrorDetail {
                code,
                message,
                field,
                doc,
            },
    } = e.body(docs);
    json!({
        "id": id,
        "status": "failed",
        "error": {"code": code, "message": message, "field": field, "doc": doc},
    })
}

fn at(prefix: &str, field: &str) -> String {
    format!("{prefix}{field}")
}

/// Turns one raw event into a typed one, naming the field at fault.
pub(crate) fn parse_event(
    raw: Value,
    prefix: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<ParsedEvent, ApiError> {
    let e: EventIn = from_value(raw, prefix)?;
    let id = parse::client_id(&at(prefix, "id"), &e.id)?;
    let member = parse::client_id(&at(prefix, "member"), &e.member)?;
    let occurred_at = parse::instant(&at(prefix, "occurred_at"), &e.occurred_at)?;
    if occurred_at > now + chrono::Duration::seconds(MAX_FUTURE_SECONDS) {
        return Err(ApiError::OccurredInFuture);
    }
    let site = e
        .site
        .as_deref()
        .map(|s| parse::client_id(&at(prefix, "site"), s))
        .transpose()?;
    let attributes = match e.attributes {
        Value::Null => json!({}),
        v @ Value::Object(_) => v,
        _ => {
            return Err(ApiError::invalid(
                at(prefix, "attributes"),
                "attributes must be an object",
            ));
        }
    };
    let attr_prefix = at(prefix, "attributes.");
    // Conditions iterate over attributes: their shape is bounded so that a condition's cost is.
    if let Err((path, message)) = jifen_core::rules::limits::check_attributes(&attributes) {
        let field = if path.is_empty() {
            at(prefix, "attributes")
        } else {
            at(&attr_prefix, &path)
        };
        return Err(ApiError::invalid(field, message));
    }
    let (kind, guest) = match e.kind.as_str() {
        "purchase" | "refund" => {
            let a: OrderAttrs = from_value(attributes.clone(), &attr_prefix)?;
            let order_id = parse::client_id(&at(&attr_prefix, "order_id"), &a.order_id)?;
            let min = if e.kind == "refund" { 1 } else { 0 };
            if !(min..=MAX_AMOUNT_FEN).contains(&a.amount) {
                return Err(ApiError::invalid(
                    at(&attr_prefix, "amount"),
                    format!("amount is in fen and must be {min} to {MAX_AMOUNT_FEN}"),
                ));
            }
            for (i, line) in a.lines.iter().flatten().enumerate() {
                if !(1..=MAX_LINE_QUANTITY).contains(&line.quantity)
                    || !(0..=MAX_AMOUNT_FEN).contains(&line.amount)
                {
                    return Err(ApiError::invalid(
                        format!("{attr_prefix}lines[{i}]"),
                        format!(
                            "a line needs quantity 1 to {MAX_LINE_QUANTITY} and amount 0 to \
                             {MAX_AMOUNT_FEN} (fen)"
                        ),
                    ));
                }
            }
            let kind = if e.kind == "refund" {
                EventKind::Refund {
                    order_id,
                    amount: a.amount,
                }
            } else {
                EventKind::Purchase {
                    order_id,
                    amount: a.amount,
                }
            };
            (kind, a.guest)
        }
        name if BEHAVIOUR_TYPES.contains(&name) => {
            let a: BehaviourAttrs = from_value(attributes.clone(), &attr_prefix)?;
            behaviour_amount(&attributes, &attr_prefix)?;
            (
                EventKind::Behaviour {
                    name: name.to_owned(),
                },
                a.guest,
            )
        }
        // A type the program may have declared: checked against its schema when recorded.
        other if jifen_core::rules::valid_name(other) => {
            let a: BehaviourAttrs = from_value(attributes.clone(), &attr_prefix)?;
            (
                EventKind::Behaviour {
                    name: other.to_owned(),
                },
                a.guest,
            )
        }
        other => {
            return Err(ApiError::UnknownEventType(other.to_owned()));
        }
    };
    Ok(ParsedEvent {
        id,
        kind,
        type_name: e.kind,
        member,
        occurred_at,
        site,
        guest,
        attributes,
    })
}

pub(crate) fn from_value<T: serde::de::DeserializeOwned>(
    v: Value,
    prefix: &str,
) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(v).map_err(|err| {
        let path = err.path().to_string();
        let field = if path == "." {
            prefix.trim_end_matches('.').to_owned()
        } else {
            format!("{prefix}{path}")
        };
        let msg = err.into_inner().to_string();
        let message = if field.is_empty() {
            msg.clone()
        } else {
            format!("{field}: {msg}")
        };
        ApiError::invalid(crate::extract::with_missing_field(&field, &msg), message)
    })
}

/// A behaviour's `amount` attribute, when it has one, is money in fen like an order's: per-yuan
/// rules read it, so it is bounded the same way.
fn behaviour_amount(attributes: &Value, attr_prefix: &str) -> Result<(), ApiError> {
    match attributes.get("amount") {
        Some(v @ Value::Number(_))
            if v.as_i64()
                .is_none_or(|a| !(0..=MAX_AMOUNT_FEN).contains(&a)) =>
        {
            Err(ApiError::invalid(
                format!("{attr_prefix}amount"),
                format!("amount is in fen and must be 0 to {MAX_AMOUNT_FEN}"),
            ))
        }
        _ => Ok(()),
    }
}

/// An event as it was recorded, with the answer it got.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StoredEventOut {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// The member's external id, or the guest's reference for a guest's event.
    pub member: Option<String>,
    pub guest: bool,
    pub occurred_at: chrono::DateTime<chrono::Utc>,
    /// When jifen recorded it.
    pub recorded_at: chrono::DateTime<chrono::Utc>,
    pub site: Option<String>,
    #[schema(value_type = Object)]
    pub attributes: Value,
    /// The answer `POST /v1/events` gave (and gives again to a retry with this id): the
    /// entries the event wrote, the rules that judged it, their actions, a tier change; `null`
    /// for events loaded in bulk, which got no answer.
    #[schema(value_type = Option<Object>)]
    pub answer: Option<Value>,
}

/// Show a recorded event and what it caused.
#[utoipa::path(get, path = "/v1/events/{id}", tag = "events",
    params(("id" = String, Path, description = "The event's id, as the client chose it")),
    responses((status = 200, body = StoredEventOut), (status = 404, body = ErrorBody)))]
pub async fn get_event(
    State(state): State<AppState>,
    Auth(program): Auth,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Json<StoredEventOut>, ApiError> {
    let not_found = || ApiError::EventNotFound(id.clone());
    if !parse::could_be_id(&id) {
        return Err(not_found());
    }
    let stored = state
        .store
        .get_event(&program.id, &id)
        .await?
        .ok_or_else(not_found)?;
    let mut answer: Option<Value> = stored
        .answer
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .map_err(|_| ApiError::Internal)?;
    let guest = stored.record.member_id.is_none();
    let member = match &stored.member_external_id {
        // The member's id as it is now (an erased member's pseudonym), in the answer too.
        Some(m) => {
            if let Some(a) = answer.as_mut().and_then(Value::as_object_mut) {
                a.insert("member".into(), json!(m));
            }
            Some(m.clone())
        }
        None => answer
            .as_ref()
            .and_then(|a| a.get("member"))
            .and_then(Value::as_str)
            .map(str::to_owned),
    };
    let r = stored.record;
    Ok(Json(StoredEventOut {
        id: r.id,
        kind: r.kind,
        member,
        guest,
        occurred_at: r.occurred_at,
        recorded_at: r.recorded_at,
        site: r.site,
        attributes: r.attributes,
        answer,
    }))
}
