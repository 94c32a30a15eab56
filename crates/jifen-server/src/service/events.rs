//! Recording events: purchases earn, refunds claw back, other behaviours are kept for the rules
//! that later react to them. A batch is one transaction; each event answers for itself.

use std::collections::{BTreeSet, HashMap};

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use jifen_core::{Book, Cause, CauseKind, Entry, EntryKind, NewLot, PointPolicy, Timestamp};
use jifen_store::{EventRecord, MemberHead, Order, Program, WriteTx};

use super::ledger::{open_book, save_all};
use super::{Failure, Idempotency, claim, with_retries};
use crate::api::types::entries_out;
use crate::app::AppState;
use crate::error::ApiError;

/// Behaviours recorded as events; the rules engine decides what they earn.
pub const BEHAVIOUR_TYPES: [&str; 14] = [
    "check_in",
    "review",
    "survey_completed",
    "content_posted",
    "share",
    "profile_completed",
    "identity_bound",
    "livestream_attended",
    "store_scan",
    "forum_post",
    "site_visit",
    "referral_signup",
    "event_invite",
    "birthday",
];

/// What an event is, with its typed attributes.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum EventKind {
    Purchase { order_id: String, amount: i64 },
    Refund { order_id: String, amount: i64 },
    Behaviour { name: String },
}

/// An event parsed at the edge.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ParsedEvent {
    pub id: String,
    pub kind: EventKind,
    pub type_name: String,
    pub member: String,
    pub occurred_at: Timestamp,
    pub site: Option<String>,
    pub guest: bool,
    pub attributes: Value,
}

/// One event's answer: the stored result, or why it was refused (nothing written).
pub type EventOutcome = Result<Value, ApiError>;

/// Records a batch of events in one transaction and answers per event.
pub async fn record(
    state: &AppState,
    program: &Program,
    events: &[ParsedEvent],
) -> Result<Vec<EventOutcome>, ApiError> {
    with_retries(|| attempt(state, program, events)).await
}

/// A member locked for the batch, with their book rebuilt at now and the entries the batch
/// wrote for them so far.
struct Account {
    member: MemberHead,
    book: Book,
    pending: Vec<Entry>,
}

async fn attempt(
    state: &AppState,
    program: &Program,
    events: &[ParsedEvent],
) -> Result<Vec<EventOutcome>, Failure> {
    let now = state.clock.now();
    let mut tx = state.store.begin_write().await?;
    // Lock members in one order, so that concurrent batches cannot deadlock.
    let wanted: BTreeSet<&str> = events
        .iter()
        .filter(|e| !e.guest)
        .map(|e| e.member.as_str())
        .collect();
    let mut accounts: HashMap<String, Account> = HashMap::new();
    for external_id in wanted {
        let Some(member) = tx.lock_head(&program.id, external_id).await? else {
            continue;
        };
        let (book, implied) = open_book(&mut tx, &member, now).await?;
        accounts.insert(
            external_id.to_owned(),
            Account {
                member,
                book,
                pending: implied,
            },
        );
    }
    let tz: Tz = program
        .timezone
        .parse()
        .unwrap_or(chrono_tz::Asia::Shanghai);
    let mut outcomes = Vec::with_capacity(events.len());
    let mut ingested: Vec<&str> = Vec::new();
    for event in events {
        let idem = Idempotency::new(&program.id, "event", &event.id, event);
        if let Some(answer) = match claim(&mut tx, &idem).await {
            Ok(a) => a,
            Err(Failure::Api(e)) => {
                outcomes.push(Err(e));
                continue;
            }
            Err(f) => return Err(f),
        } {
            outcomes.push(Ok(answer.body));
            continue;
        }
        let account = accounts.get_mut(&event.member);
        match apply(&mut tx, program, tz, event, account, now).await? {
            Ok(body) => {
                tx.complete(&idem.key, 200, &body.to_string()).await?;
                ingested.push(&event.type_name);
                outcomes.push(Ok(body));
            }
            Err(e) => {
                tx.unclaim(&idem.key).await?;
                outcomes.push(Err(e));
            }
        }
    }
    // Every member's entries and new book, once for the whole batch.
    let mut touched: Vec<&mut Account> = accounts
        .values_mut()
        .filter(|a| !a.pending.is_empty())
        .collect();
    touched.sort_by_key(|a| a.member.id);
    let pending: Vec<Vec<Entry>> = touched
        .iter_mut()
        .map(|a| std::mem::take(&mut a.pending))
        .collect();
    let items = touched
        .into_iter()
        .zip(&pending)
        .map(|(a, entries)| (a.member.id, &mut a.book, &entries[..]))
        .collect();
    save_all(&mut tx, &program.id, items).await?;
    tx.commit().await?;
    for kind in ingested {
        metrics::counter!("jifen_events_ingested_total", "type" => kind.to_owned()).increment(1);
    }
    Ok(outcomes)
}

/// Applies one event. The outer error aborts the batch (database trouble); the inner one
/// refuses only this event, before anything of it was written.
async fn apply(
    tx: &mut Box<dyn WriteTx>,
    program: &Program,
    tz: Tz,
    event: &ParsedEvent,
    account: Option<&mut Account>,
    now: Timestamp,
) -> Result<Result<Value, ApiError>, Failure> {
    let record = |member_id: Option<i64>| EventRecord {
        program_id: program.id.clone(),
        id: event.id.clone(),
        member_id,
        kind: event.type_name.clone(),
        occurred_at: event.occurred_at,
        site: event.site.clone(),
        attributes: event.attributes.clone(),
        recorded_at: now,
    };
    if event.guest {
        return guest(tx, program, event, record(None)).await;
    }
    let Some(account) = account else {
        return Ok(Err(ApiError::MemberNotFound(event.member.clone())));
    };
    let cause = Cause::new(CauseKind::Event, event.id.clone());
    let policy = program.policy;
    let entries: Vec<Entry> = match &event.kind {
        EventKind::Purchase { order_id, amount } => {
            let recorded = tx
                .insert_order(&Order {
                    program_id: program.id.clone(),
                    order_id: order_id.clone(),
                    member_id: Some(account.member.id),
                    guest_ref: None,
                    amount: *amount,
                    refunded: 0,
                    points_per_yuan: policy.points_per_yuan,
                    occurred_at: event.occurred_at,
                })
                .await?;
            if !recorded {
                return Ok(Err(ApiError::OrderExists(order_id.clone())));
            }
            let lot = NewLot {
                points: PointPolicy::order_points(policy.points_per_yuan, *amount),
                available_at: policy.available_at(event.occurred_at),
                expires_at: policy.expires_at(event.occurred_at, tz),
                order_id: Some(order_id.clone()),
            };
            account.book.earn(lot, EntryKind::Earn, &cause)
        }
        EventKind::Refund { order_id, amount } => {
            let order = tx
                .lock_order(&program.id, order_id)
                .await?
                .filter(|o| o.member_id == Some(account.member.id));
            let Some(order) = order else {
                return Ok(Err(ApiError::OrderNotFound(order_id.clone())));
            };
            let total = order.refunded + amount;
            if total > order.amount {
                return Ok(Err(ApiError::RefundExceedsOrder {
                    order_id: order_id.clone(),
                    total,
                    amount: order.amount,
                }));
            }
            tx.set_order_refunded(&program.id, order_id, total).await?;
            let worth = PointPolicy::order_points(order.points_per_yuan, order.amount - total);
            let owed = account.book.order_credited(order_id) - worth;
            account
                .book
                .clawback(order_id, owed, policy.negative_balance, &cause)
        }
        EventKind::Behaviour { .. } => Vec::new(),
    };
    tx.insert_event(&record(Some(account.member.id))).await?;
    let answer = result(event, &entries);
    account.pending.extend(entries);
    Ok(Ok(answer))
}

/// A guest's purchase or refund: kept for analytics, earns nothing.
async fn guest(
    tx: &mut Box<dyn WriteTx>,
    program: &Program,
    event: &ParsedEvent,
    record: EventRecord,
) -> Result<Result<Value, ApiError>, Failure> {
    match &event.kind {
        EventKind::Purchase { order_id, amount } => {
            let recorded = tx
                .insert_order(&Order {
                    program_id: program.id.clone(),
                    order_id: order_id.clone(),
                    member_id: None,
                    guest_ref: Some(event.member.clone()),
                    amount: *amount,
                    refunded: 0,
                    points_per_yuan: 0,
                    occurred_at: event.occurred_at,
                })
                .await?;
            if !recorded {
                return Ok(Err(ApiError::OrderExists(order_id.clone())));
            }
        }
        EventKind::Refund { order_id, amount } => {
            let order = tx
                .lock_order(&program.id, order_id)
                .await?
                .filter(|o| o.member_id.is_none() && o.guest_ref.as_deref() == Some(&event.member));
            let Some(order) = order else {
                return Ok(Err(ApiError::OrderNotFound(order_id.clone())));
            };
            let total = order.refunded + amount;
            if total > order.amount {
                return Ok(Err(ApiError::RefundExceedsOrder {
                    order_id: order_id.clone(),
                    total,
                    amount: order.amount,
                }));
            }
            tx.set_order_refunded(&program.id, order_id, total).await?;
        }
        EventKind::Behaviour { .. } => {
            return Ok(Err(ApiError::invalid(
                "attributes.guest",
                "only purchases and refunds can be recorded for guests",
            )));
        }
    }
    tx.insert_event(&record).await?;
    Ok(Ok(result(event, &[])))
}

fn result(event: &ParsedEvent, entries: &[Entry]) -> Value {
    let points: i64 = entries
        .iter()
        .filter(|e| matches!(e.kind, EntryKind::Earn | EntryKind::Clawback))
        .map(|e| e.points)
        .sum();
    json!({
        "id": event.id,
        "type": event.type_name,
        "member": event.member,
        "guest": event.guest,
        "status": "processed",
        "points": points,
        "entries": entries_out(entries),
    })
}
