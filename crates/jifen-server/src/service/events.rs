//! Recording events: purchases earn, refunds claw back, other behaviours are kept for the rules
//! that later react to them. A batch is one transaction; each event answers for itself.

use std::collections::{BTreeSet, HashMap};

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use jifen_core::{Book, Cause, CauseKind, Entry, EntryKind, NewLot, PointPolicy, Timestamp};
use jifen_store::{EventRecord, MemberHead, Order, Program, WriteTx};

use super::ledger::{open_book, save_all};
use super::{Failure, request_hash, with_retries};
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

/// What a batch writes, gathered while its events are decided in memory and written at the end
/// in a few multi-row statements.
#[derive(Default)]
struct Writes {
    answers: Vec<(String, String, String)>,
    orders: Vec<Order>,
    refunded: Vec<(String, i64)>,
    events: Vec<EventRecord>,
}

/// Orders the batch knows: locked rows read at the start, plus those it records.
struct Orders(HashMap<String, Order>);

async fn attempt(
    state: &AppState,
    program: &Program,
    events: &[ParsedEvent],
) -> Result<Vec<EventOutcome>, Failure> {
    let now = state.clock.now();
    let mut tx = state.store.begin_write().await?;
    // Lock every member named, in one order (so concurrent batches cannot deadlock), and open
    // their books.
    let wanted: Vec<&str> = events
        .iter()
        .filter(|e| !e.guest)
        .map(|e| e.member.as_str())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut accounts: HashMap<String, Account> = HashMap::new();
    for member in tx.lock_heads(&program.id, &wanted).await? {
        let (book, implied) = open_book(&mut tx, &member, now).await?;
        accounts.insert(
            member.external_id.clone(),
            Account {
                member,
                book,
                pending: implied,
            },
        );
    }
    // Answers stored by earlier requests, and the orders the batch refers to.
    let ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
    let mut stored: HashMap<String, (String, String)> = tx
        .stored_answers(&program.id, "event", &ids)
        .await?
        .into_iter()
        .map(|(key, hash, _, answer)| (key, (hash, answer)))
        .collect();
    let order_ids: Vec<&str> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Purchase { order_id, .. } | EventKind::Refund { order_id, .. } => {
                Some(order_id.as_str())
            }
            EventKind::Behaviour { .. } => None,
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut orders = Orders(
        tx.lock_orders(&program.id, &order_ids)
            .await?
            .into_iter()
            .map(|o| (o.order_id.clone(), o))
            .collect(),
    );
    let tz: Tz = program
        .timezone
        .parse()
        .unwrap_or(chrono_tz::Asia::Shanghai);
    let mut writes = Writes::default();
    let mut outcomes = Vec::with_capacity(events.len());
    for event in events {
        let hash = request_hash(event);
        if let Some((first_hash, answer)) = stored.get(&event.id) {
            outcomes.push(if *first_hash == hash {
                serde_json::from_str(answer).map_err(|_| ApiError::Internal)
            } else {
                Err(ApiError::IdempotencyConflict)
            });
            continue;
        }
        let outcome = decide(
            program,
            tz,
            event,
            &mut accounts,
            &mut orders,
            &mut writes,
            now,
        );
        if let Ok(answer) = &outcome {
            let text = answer.to_string();
            stored.insert(event.id.clone(), (hash.clone(), text.clone()));
            writes.answers.push((event.id.clone(), hash, text));
        }
        outcomes.push(outcome);
    }
    let fresh: BTreeSet<String> = writes.answers.iter().map(|(k, _, _)| k.clone()).collect();
    persist(&mut tx, program, &mut accounts, writes).await?;
    tx.commit().await?;
    for event in events.iter().filter(|e| fresh.contains(e.id.as_str())) {
        metrics::counter!("jifen_events_ingested_total", "type" => event.type_name.clone())
            .increment(1);
    }
    Ok(outcomes)
}

/// Writes what the batch decided: answers, orders, refunds, events, entries and books.
async fn persist(
    tx: &mut Box<dyn WriteTx>,
    program: &Program,
    accounts: &mut HashMap<String, Account>,
    writes: Writes,
) -> Result<(), Failure> {
    let answers: Vec<(&str, &str, u16, &str)> = writes
        .answers
        .iter()
        .map(|(k, h, a)| (k.as_str(), h.as_str(), 200, a.as_str()))
        .collect();
    let fresh = tx.store_answers(&program.id, "event", &answers).await?;
    let new_orders = tx.insert_orders(&writes.orders).await?;
    if fresh != answers.len() as u64 || new_orders != writes.orders.len() as u64 {
        // Another transaction recorded one of these events or orders since we looked (only
        // possible on PostgreSQL): start over, and its answer will be found.
        return Err(Failure::Store(jifen_store::StoreError::Busy));
    }
    for (order_id, refunded) in &writes.refunded {
        tx.set_order_refunded(&program.id, order_id, *refunded)
            .await?;
    }
    tx.insert_events(&writes.events).await?;
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
    save_all(tx, &program.id, items).await
}

/// Decides one event in memory. An error refuses only this event: nothing of it is written.
fn decide(
    program: &Program,
    tz: Tz,
    event: &ParsedEvent,
    accounts: &mut HashMap<String, Account>,
    orders: &mut Orders,
    writes: &mut Writes,
    now: Timestamp,
) -> Result<Value, ApiError> {
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
    let member_id = if event.guest {
        None
    } else {
        Some(
            accounts
                .get(&event.member)
                .ok_or_else(|| ApiError::MemberNotFound(event.member.clone()))?
                .member
                .id,
        )
    };
    let policy = program.policy;
    let cause = Cause::new(CauseKind::Event, event.id.clone());
    let entries: Vec<Entry> = match &event.kind {
        EventKind::Purchase { order_id, amount } => {
            if orders.0.contains_key(order_id) {
                return Err(ApiError::OrderExists(order_id.clone()));
            }
            let order = Order {
                program_id: program.id.clone(),
                order_id: order_id.clone(),
                member_id,
                guest_ref: event.guest.then(|| event.member.clone()),
                amount: *amount,
                refunded: 0,
                points_per_yuan: if event.guest {
                    0
                } else {
                    policy.points_per_yuan
                },
                occurred_at: event.occurred_at,
            };
            orders.0.insert(order_id.clone(), order.clone());
            writes.orders.push(order);
            match accounts.get_mut(&event.member).filter(|_| !event.guest) {
                Some(account) => {
                    let lot = NewLot {
                        points: PointPolicy::order_points(policy.points_per_yuan, *amount),
                        available_at: policy.available_at(event.occurred_at),
                        expires_at: policy.expires_at(event.occurred_at, tz),
                        order_id: Some(order_id.clone()),
                    };
                    account.book.earn(lot, EntryKind::Earn, &cause)
                }
                None => Vec::new(),
            }
        }
        EventKind::Refund { order_id, amount } => {
            let order = orders.0.get_mut(order_id).filter(|o| {
                o.member_id == member_id
                    && (!event.guest || o.guest_ref.as_deref() == Some(event.member.as_str()))
            });
            let Some(order) = order else {
                return Err(ApiError::OrderNotFound(order_id.clone()));
            };
            let total = order.refunded + amount;
            if total > order.amount {
                return Err(ApiError::RefundExceedsOrder {
                    order_id: order_id.clone(),
                    total,
                    amount: order.amount,
                });
            }
            order.refunded = total;
            let worth = PointPolicy::order_points(order.points_per_yuan, order.amount - total);
            if let Some(o) = writes.orders.iter_mut().find(|o| &o.order_id == order_id) {
                o.refunded = total;
            } else {
                match writes.refunded.iter_mut().find(|(o, _)| o == order_id) {
                    Some((_, r)) => *r = total,
                    None => writes.refunded.push((order_id.clone(), total)),
                }
            }
            match accounts.get_mut(&event.member).filter(|_| !event.guest) {
                Some(account) => {
                    let owed = account.book.order_credited(order_id) - worth;
                    account
                        .book
                        .clawback(order_id, owed, policy.negative_balance, &cause)
                }
                None => Vec::new(),
            }
        }
        EventKind::Behaviour { .. } if event.guest => {
            return Err(ApiError::invalid(
                "attributes.guest",
                "only purchases and refunds can be recorded for guests",
            ));
        }
        EventKind::Behaviour { .. } => Vec::new(),
    };
    writes.events.push(record(member_id));
    let answer = result(event, &entries);
    if let Some(account) = accounts.get_mut(&event.member).filter(|_| !event.guest) {
        account.pending.extend(entries);
    }
    Ok(answer)
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
