//! Reads across a program for its API's look-ups: the notification outbox, one stored event with
//! its answer, and an order with the events and ledger entries that concern it.
//!
//! The statements live in [`reads_impl!`], expanded next to the other backend macros; what
//! differs between backends (how an event's `order_id` attribute is read from its JSON text, the
//! same expression the migrations index) is passed in.

use async_trait::async_trait;
use jifen_core::Timestamp;

use crate::{EventRecord, Order, Result, StoredEntry};

/// Which notifications a listing returns; `None` does not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NotificationFilter {
    /// The notification's template (its kind): `tier_upgrade`, a rule's template…
    pub template: Option<String>,
    /// A member's internal id.
    pub member_id: Option<i64>,
    /// Written at or after this instant.
    pub since: Option<Timestamp>,
    /// Written before this instant.
    pub until: Option<Timestamp>,
}

/// A notification of the outbox with its member's external id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxNotification {
    pub id: i64,
    pub member_external_id: String,
    pub template: String,
    pub rule_id: String,
    pub event_id: String,
    pub created_at: Timestamp,
    pub delivered_at: Option<Timestamp>,
    pub recipient: Option<String>,
    pub payload: Option<String>,
}

/// An event as stored, with its member's external id and the answer stored for its id.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    pub record: EventRecord,
    /// `None` for a guest's event.
    pub member_external_id: Option<String>,
    /// The answer text stored under the event's id (what the event caused).
    pub answer: Option<String>,
}

/// An order with everything recorded about it.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderHistory {
    pub order: Order,
    /// `None` for a guest's order.
    pub member_external_id: Option<String>,
    /// The purchase and refund events of the order, oldest first.
    pub events: Vec<EventRecord>,
    /// The member's ledger entries that name the order, in ledger order.
    pub entries: Vec<StoredEntry>,
}

/// Program-wide look-ups.
#[async_trait]
pub trait ReadStore: Send + Sync {
    /// The program's notifications, newest first, before the cursor (an id) when one is given.
    async fn list_notifications(
        &self,
        program_id: &str,
        filter: &NotificationFilter,
        limit: u32,
        before: Option<i64>,
    ) -> Result<Vec<OutboxNotification>>;

    /// An event of the program by its id.
    async fn get_event(&self, program_id: &str, event_id: &str) -> Result<Option<StoredEvent>>;

    /// Events of the program by their ids, in one read: those found, in no particular order.
    /// For pages that list many events (the console's member page) where [`get_event`]'s
    /// member and stored answer are not needed.
    ///
    /// [`get_event`]: ReadStore::get_event
    async fn events_by_id(&self, program_id: &str, ids: &[String]) -> Result<Vec<EventRecord>>;

    /// An order of the program by its id.
    async fn order_history(&self, program_id: &str, order_id: &str)
    -> Result<Option<OrderHistory>>;
}

#[derive(sqlx::FromRow)]
pub(crate) struct EventRow {
    program_id: String,
    id: String,
    member_id: Option<i64>,
    #[sqlx(rename = "type")]
    kind: String,
    occurred_at: i64,
    site: Option<String>,
    attributes: String,
    recorded_at: i64,
}

impl EventRow {
    pub(crate) fn into_record(self) -> Result<EventRecord> {
        Ok(EventRecord {
            program_id: self.program_id,
            id: self.id,
            member_id: self.member_id,
            kind: self.kind,
            occurred_at: crate::backend::at(self.occurred_at)?,
            site: self.site,
            attributes: serde_json::from_str(&self.attributes)
                .map_err(|e| crate::StoreError::Corrupt(format!("event attributes: {e}")))?,
            recorded_at: crate::backend::at(self.recorded_at)?,
        })
    }
}

pub(crate) const EVENT_COLUMNS: &str =
    "e.program_id, e.id, e.member_id, e.type, e.occurred_at, e.site, e.attributes, e.recorded_at";

/// How SQLite reads an event's `order_id` (the expression migration 0009 indexes).
pub(crate) const SQLITE_ORDER_KEY: &str = "json_extract(e.attributes, '$.order_id')";
/// How PostgreSQL reads an event's `order_id` (the expression migration 0009 indexes).
pub(crate) const POSTGRES_ORDER_KEY: &str = "((e.attributes::jsonb) ->> 'order_id')";

/// Implements [`ReadStore`] for one backend; `$order_key` reads an event's `order_id` attribute
/// from `e.attributes`.
macro_rules! reads_impl {
    ($store:ty, $db:ty, order_key = $order_key:expr) => {
        impl $store {
            /// The external id of a member, by internal id (none for a guest).
            async fn external_id_of(
                &self,
                member_id: Option<i64>,
            ) -> $crate::Result<Option<String>> {
                let Some(id) = member_id else { return Ok(None) };
                let (ext,): (String,) =
                    sqlx::query_as("SELECT external_id FROM members WHERE id = $1")
                        .bind(id)
                        .fetch_one(self.reader())
                        .await?;
                Ok(Some(ext))
            }
        }

        #[async_trait::async_trait]
        impl $crate::reads::ReadStore for $store {
            async fn list_notifications(
                &self,
                program_id: &str,
                filter: &$crate::reads::NotificationFilter,
                limit: u32,
                before: Option<i64>,
            ) -> $crate::Result<Vec<$crate::reads::OutboxNotification>> {
                let mut q = sqlx::QueryBuilder::<$db>::new(
                    "SELECT n.id, m.external_id, n.template, n.rule_id, n.event_id, \
                     n.created_at, n.delivered_at, n.recipient, n.payload \
                     FROM notifications n JOIN members m ON m.id = n.member_id \
                     WHERE n.program_id = ",
                );
                q.push_bind(program_id);
                q.push(" AND n.id < ").push_bind(before.unwrap_or(i64::MAX));
                if let Some(t) = &filter.template {
                    q.push(" AND n.template = ").push_bind(t);
                }
                if let Some(m) = filter.member_id {
                    q.push(" AND n.member_id = ").push_bind(m);
                }
                if let Some(s) = filter.since {
                    q.push(" AND n.created_at >= ")
                        .push_bind($crate::backend::us(s));
                }
                if let Some(u) = filter.until {
                    q.push(" AND n.created_at < ")
                        .push_bind($crate::backend::us(u));
                }
                q.push(" ORDER BY n.id DESC LIMIT ")
                    .push_bind(i64::from(limit));
                #[allow(clippy::type_complexity)]
                let rows: Vec<(
                    i64,
                    String,
                    String,
                    String,
                    String,
                    i64,
                    Option<i64>,
                    Option<String>,
                    Option<String>,
                )> = q.build_query_as().fetch_all(self.reader()).await?;
                rows.into_iter()
                    .map(|r| {
                        Ok($crate::reads::OutboxNotification {
                            id: r.0,
                            member_external_id: r.1,
                            template: r.2,
                            rule_id: r.3,
                            event_id: r.4,
                            created_at: $crate::backend::at(r.5)?,
                            delivered_at: r.6.map($crate::backend::at).transpose()?,
                            recipient: r.7,
                            payload: r.8,
                        })
                    })
                    .collect()
            }

            async fn get_event(
                &self,
                program_id: &str,
                event_id: &str,
            ) -> $crate::Result<Option<$crate::reads::StoredEvent>> {
                let row: Option<$crate::reads::EventRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM events e WHERE e.program_id = $1 AND e.id = $2",
                    $crate::reads::EVENT_COLUMNS
                ))
                .bind(program_id)
                .bind(event_id)
                .fetch_optional(self.reader())
                .await?;
                let Some(row) = row else { return Ok(None) };
                let record = row.into_record()?;
                let member_external_id = self.external_id_of(record.member_id).await?;
                let answer: Option<(Option<String>,)> = sqlx::query_as(
                    "SELECT response FROM idempotency \
                     WHERE program_id = $1 AND scope = 'event' AND key = $2",
                )
                .bind(program_id)
                .bind(event_id)
                .fetch_optional(self.reader())
                .await?;
                Ok(Some($crate::reads::StoredEvent {
                    record,
                    member_external_id,
                    answer: answer.and_then(|a| a.0),
                }))
            }

            async fn events_by_id(
                &self,
                program_id: &str,
                ids: &[String],
            ) -> $crate::Result<Vec<$crate::EventRecord>> {
                if ids.is_empty() {
                    return Ok(Vec::new());
                }
                let mut q = sqlx::QueryBuilder::<$db>::new(format!(
                    "SELECT {} FROM events e WHERE e.program_id = ",
                    $crate::reads::EVENT_COLUMNS
                ));
                q.push_bind(program_id);
                q.push(" AND e.id IN (");
                let mut list = q.separated(", ");
                for id in ids {
                    list.push_bind(id);
                }
                list.push_unseparated(")");
                let rows: Vec<$crate::reads::EventRow> =
                    q.build_query_as().fetch_all(self.reader()).await?;
                rows.into_iter().map(|r| r.into_record()).collect()
            }

            async fn order_history(
                &self,
                program_id: &str,
                order_id: &str,
            ) -> $crate::Result<Option<$crate::reads::OrderHistory>> {
                let row: Option<$crate::backend::OrderRow> =
                    sqlx::query_as("SELECT * FROM orders WHERE program_id = $1 AND order_id = $2")
                        .bind(program_id)
                        .bind(order_id)
                        .fetch_optional(self.reader())
                        .await?;
                let Some(row) = row else { return Ok(None) };
                let order = row.into_order()?;
                let member_external_id = self.external_id_of(order.member_id).await?;
                let rows: Vec<$crate::reads::EventRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM events e WHERE e.program_id = $1 \
                     AND e.type IN ('purchase', 'refund') AND {} = $2",
                    $crate::reads::EVENT_COLUMNS,
                    $order_key
                ))
                .bind(program_id)
                .bind(order_id)
                .fetch_all(self.reader())
                .await?;
                // Sorted here: an ORDER BY would tempt SQLite, without statistics, to walk the
                // program's events by time instead of seeking the order's.
                let mut events = rows
                    .into_iter()
                    .map(|r| r.into_record())
                    .collect::<$crate::Result<Vec<_>>>()?;
                events.sort_by(|a, b| {
                    (a.occurred_at, a.recorded_at, &a.id).cmp(&(
                        b.occurred_at,
                        b.recorded_at,
                        &b.id,
                    ))
                });
                let entries = match order.member_id {
                    Some(member_id) => {
                        let rows: Vec<$crate::backend::EntryRow> = sqlx::query_as(
                            "SELECT seq, kind, points, lot_no, hold_id, order_id, cause_kind, \
                             cause_id, reason, effective_at, recorded_at FROM entries \
                             WHERE member_id = $1 AND order_id = $2 ORDER BY seq",
                        )
                        .bind(member_id)
                        .bind(order_id)
                        .fetch_all(self.reader())
                        .await?;
                        rows.into_iter()
                            .map(|r| r.into_stored())
                            .collect::<$crate::Result<Vec<_>>>()?
                    }
                    None => Vec::new(),
                };
                Ok(Some($crate::reads::OrderHistory {
                    order,
                    member_external_id,
                    events,
                    entries,
                }))
            }
        }
    };
}

pub(crate) use reads_impl;
