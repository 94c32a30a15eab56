//! What webhooks keep: a program's endpoints, the outbox of messages (written in the same
//! transaction as their cause), one delivery per (message, endpoint subscribed to its kind), and
//! every attempt.
//!
//! A message is written only when an enabled endpoint of its program subscribes to its kind:
//! programs without endpoints pay one indexed read per transaction that could cause one.
//! Delivery workers claim due deliveries with a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL;
//! the single writer on SQLite), so several nodes never send one delivery twice while its lease
//! runs; a worker that dies leaves its claims due again when the lease ends.
//!
//! The statements live in [`webhooks_impl!`], expanded next to the other backend macros.

use async_trait::async_trait;
use jifen_core::Timestamp;

use crate::Result;

/// A delivery waiting for its next attempt.
pub const PENDING: &str = "pending";
/// A delivery an endpoint answered with a 2xx.
pub const DELIVERED: &str = "delivered";
/// A delivery whose retries ran out; kept for replay.
pub const FAILED: &str = "failed";

/// The kinds of messages.
pub mod kind {
    pub const MEMBER_ENROLLED: &str = "member.enrolled";
    pub const POINTS_EARNED: &str = "points.earned";
    pub const POINTS_EXPIRING: &str = "points.expiring";
    pub const TIER_CHANGED: &str = "tier.changed";
    pub const VOUCHER_ISSUED: &str = "voucher.issued";
    pub const REWARD_REDEEMED: &str = "reward.redeemed";
    pub const CHECKOUT_CONFIRMED: &str = "checkout.confirmed";
    pub const GIFT_CLAIMED: &str = "gift.claimed";
    /// Every row of the notification outbox (rules' `notify`, tiers, gifts, reminders).
    pub const NOTIFICATION: &str = "notification";
    /// The server disabled an endpoint that kept failing.
    pub const ENDPOINT_DISABLED: &str = "webhook.endpoint_disabled";
    /// Every kind an endpoint can subscribe to.
    pub const ALL: [&str; 10] = [
        MEMBER_ENROLLED,
        POINTS_EARNED,
        POINTS_EXPIRING,
        TIER_CHANGED,
        VOUCHER_ISSUED,
        REWARD_REDEEMED,
        CHECKOUT_CONFIRMED,
        GIFT_CLAIMED,
        NOTIFICATION,
        ENDPOINT_DISABLED,
    ];
}

/// The `member.enrolled` message of a member just created.
pub fn enrolled_message(m: &crate::Member) -> NewWebhookMessage {
    NewWebhookMessage::new(
        kind::MEMBER_ENROLLED,
        &serde_json::json!({
            "member": m.external_id,
            "status": m.status,
            "enrolled_at": m.enrolled_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        }),
        m.enrolled_at,
    )
}

fn rfc3339(t: Timestamp) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// The `points.earned` message of an `earn` entry of a member (its external id), with the lot
/// it created when known, recorded at `recorded_at`.
pub fn earned_message(
    member: &str,
    e: &jifen_core::Entry,
    lot: Option<&jifen_core::Lot>,
    recorded_at: Timestamp,
) -> NewWebhookMessage {
    NewWebhookMessage::new(
        kind::POINTS_EARNED,
        &serde_json::json!({
            "member": member,
            "points": e.points,
            "cause": {"kind": e.cause.kind.as_str(), "id": e.cause.id},
            "order_id": e.order_id,
            "reason": e.reason,
            "effective_at": rfc3339(e.effective_at),
            "available_at": lot.map(|l| rfc3339(l.available_at)),
            "expires_at": lot.and_then(|l| l.expires_at).map(rfc3339),
        }),
        recorded_at,
    )
}

/// The `tier.changed` message of a member's (external id) tier change.
pub fn tier_message(member: &str, r: &crate::TierChangeRow) -> NewWebhookMessage {
    NewWebhookMessage::new(
        kind::TIER_CHANGED,
        &serde_json::json!({
            "member": member,
            "change": r.kind,
            "from_tier": r.from_tier,
            "to_tier": r.to_tier,
            "value": r.value,
            "cause": r.cause,
            "reason": r.reason,
            "at": rfc3339(r.at),
        }),
        r.at,
    )
}

/// The `voucher.issued` message of a voucher issued to a member (external id).
pub fn voucher_message(member: &str, v: &crate::VoucherRow) -> NewWebhookMessage {
    NewWebhookMessage::new(
        kind::VOUCHER_ISSUED,
        &serde_json::json!({
            "member": member,
            "code": v.code,
            "template_id": v.template_id,
            "valid_from": v.valid_from.map(rfc3339),
            "valid_until": v.valid_until.map(rfc3339),
            "source": v.source,
            "issued_at": rfc3339(v.issued_at),
        }),
        v.issued_at,
    )
}

/// The `reward.redeemed` message of a redemption.
pub fn redemption_message(r: &crate::RedemptionRow) -> NewWebhookMessage {
    let issued = serde_json::from_str::<serde_json::Value>(&r.issued)
        .unwrap_or_else(|_| serde_json::Value::String(r.issued.clone()));
    NewWebhookMessage::new(
        kind::REWARD_REDEEMED,
        &serde_json::json!({
            "redemption_id": r.id,
            "member": r.member,
            "reward_id": r.reward_id,
            "quantity": r.quantity,
            "points": r.points,
            "status": r.status,
            "issued": issued,
            "created_at": rfc3339(r.created_at),
        }),
        r.created_at,
    )
}

/// The `gift.claimed` message of a gift (its voucher's code) a recipient claimed from its
/// sender (external ids).
pub fn gift_claimed_message(
    code: &str,
    sender: &str,
    recipient: &str,
    at: Timestamp,
) -> NewWebhookMessage {
    NewWebhookMessage::new(
        kind::GIFT_CLAIMED,
        &serde_json::json!({
            "code": code,
            "sender": sender,
            "recipient": recipient,
            "claimed_at": rfc3339(at),
        }),
        at,
    )
}

/// The `checkout.confirmed` message of a checkout: its member (external id, `null` for a
/// guest) and the quote it confirmed.
pub fn checkout_message(
    id: &str,
    member: Option<&str>,
    quote: &str,
    at: Timestamp,
) -> NewWebhookMessage {
    let quote = serde_json::from_str::<serde_json::Value>(quote).unwrap_or_default();
    NewWebhookMessage::new(
        kind::CHECKOUT_CONFIRMED,
        &serde_json::json!({
            "checkout_id": id,
            "member": member,
            "quote": quote,
            "confirmed_at": rfc3339(at),
        }),
        at,
    )
}

/// The notice of an endpoint the server disabled for failing: a `webhook.endpoint_disabled`
/// message, for the program's endpoints that subscribe to it.
pub fn disabled_message(d: &DisabledEndpoint, now: Timestamp) -> NewWebhookMessage {
    NewWebhookMessage::new(
        kind::ENDPOINT_DISABLED,
        &serde_json::json!({
            "endpoint_id": d.endpoint_id,
            "url": d.url,
            "reason": "failing",
            "failing_since": rfc3339(d.failing_since),
            "disabled_at": rfc3339(now),
        }),
        now,
    )
}

/// The `notification` message of a row of the notification outbox; `member` is its member's
/// external id.
pub fn notification_message(n: &crate::Notification, member: &str) -> NewWebhookMessage {
    let payload = n
        .payload
        .as_deref()
        .and_then(|p| serde_json::from_str::<serde_json::Value>(p).ok());
    NewWebhookMessage::new(
        kind::NOTIFICATION,
        &serde_json::json!({
            "kind": n.template,
            "member": member,
            "rule_id": (!n.rule_id.is_empty()).then_some(&n.rule_id),
            "cause": n.event_id,
            "recipient": n.recipient,
            "payload": payload,
            "created_at": n.created_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        }),
        n.created_at,
    )
}

/// An endpoint as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEndpointRow {
    pub id: String,
    pub url: String,
    pub description: String,
    /// The kinds it subscribes to; empty for every kind.
    pub kinds: Vec<String>,
    pub enabled: bool,
    /// `whsec_` + base64 of the key bytes.
    pub secret: String,
    /// The secret before the last rotation, also signed with until `previous_until`.
    pub previous_secret: Option<String>,
    pub previous_until: Option<Timestamp>,
    /// Since when every attempt failed; `None` after a success.
    pub failing_since: Option<Timestamp>,
    /// Why the server disabled it (`failing`), when it did.
    pub disabled_reason: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl WebhookEndpointRow {
    /// Whether it takes messages of a kind.
    pub fn subscribes(&self, kind: &str) -> bool {
        self.enabled && (self.kinds.is_empty() || self.kinds.iter().any(|k| k == kind))
    }
}

/// A message for the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWebhookMessage {
    /// `msg_` + a time-ordered id: the `webhook-id` receivers deduplicate with.
    pub id: String,
    pub kind: String,
    /// The message's `data`, as JSON.
    pub payload: String,
    pub created_at: Timestamp,
}

impl NewWebhookMessage {
    /// A message with a new id.
    pub fn new(kind: &str, payload: &serde_json::Value, created_at: Timestamp) -> Self {
        Self {
            id: new_message_id(),
            kind: kind.to_owned(),
            payload: payload.to_string(),
            created_at,
        }
    }
}

/// A new message id: `msg_` and a UUIDv7, so ids sort by creation time.
pub fn new_message_id() -> String {
    format!("msg_{}", uuid::Uuid::now_v7().simple())
}

/// A message as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct WebhookMessageRow {
    pub id: String,
    pub kind: String,
    pub payload: String,
    pub created_at: i64,
}

/// A delivery of a message to an endpoint.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct WebhookDeliveryRow {
    pub message_id: String,
    pub endpoint_id: String,
    pub kind: String,
    /// [`PENDING`], [`DELIVERED`] or [`FAILED`].
    pub status: String,
    pub attempts: i64,
    /// Microseconds since the epoch.
    pub next_attempt_at: i64,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub last_latency_ms: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One attempt to deliver.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct WebhookAttemptRow {
    pub attempt: i64,
    pub at: i64,
    pub status_code: Option<i64>,
    pub latency_ms: i64,
    pub error: Option<String>,
}

/// A delivery a worker claimed, with what sending it needs.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ClaimedDelivery {
    pub program_id: String,
    pub message_id: String,
    pub endpoint_id: String,
    /// Attempts made before this one.
    pub attempts: i64,
    /// When the delivery was created (microseconds): retries stop some days after.
    pub created_at: i64,
    pub kind: String,
    pub payload: String,
    /// When the message was created (microseconds).
    pub message_created_at: i64,
    pub url: String,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_until: Option<i64>,
}

/// What became of a delivery after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    Delivered,
    /// Failed; tried again at this instant.
    Retry(Timestamp),
    /// Failed, and no retries remain.
    Failed,
}

/// An attempt's result, recorded against the claim that made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRecord {
    pub message_id: String,
    pub endpoint_id: String,
    pub program_id: String,
    pub claim: String,
    pub at: Timestamp,
    pub status_code: Option<i64>,
    pub latency_ms: i64,
    pub error: Option<String>,
    pub outcome: AttemptOutcome,
}

/// How a batch of attempts leaves an endpoint's `failing_since`, as if they were recorded one
/// after another: a success clears it, and a failure sets it when it is clear.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Health {
    /// The last attempt succeeded: clear it.
    Clear,
    /// A success came before failures: it is the first failure after that success.
    Set(i64),
    /// Only failures: the first of them, unless it was failing already.
    SetIfClear(i64),
}

impl Health {
    /// 0, 1 or 2, and the instant to set, as the statement's `mode` and `since`.
    pub(crate) fn mode(self) -> (i64, Option<i64>) {
        match self {
            Health::Clear => (0, None),
            Health::Set(t) => (1, Some(t)),
            Health::SetIfClear(t) => (2, Some(t)),
        }
    }
}

/// Each endpoint's [`Health`] after `attempts`, in attempt order, sorted by endpoint (so
/// that writers lock endpoints in one order).
pub(crate) fn endpoint_health(attempts: &[AttemptRecord]) -> Vec<((&str, &str), Health)> {
    // Per endpoint: whether a success was seen, and the first failure since the last success.
    let mut by_endpoint: std::collections::BTreeMap<(&str, &str), (bool, Option<i64>)> =
        std::collections::BTreeMap::new();
    for a in attempts {
        let e = by_endpoint
            .entry((a.program_id.as_str(), a.endpoint_id.as_str()))
            .or_default();
        if a.outcome == AttemptOutcome::Delivered {
            *e = (true, None);
        } else if e.1.is_none() {
            e.1 = Some(crate::backend::us(a.at));
        }
    }
    by_endpoint
        .into_iter()
        .map(|(k, (succeeded, failing))| {
            let h = match (succeeded, failing) {
                (_, None) => Health::Clear,
                (true, Some(t)) => Health::Set(t),
                (false, Some(t)) => Health::SetIfClear(t),
            };
            (k, h)
        })
        .collect()
}

/// Which deliveries a replay sends again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replay {
    /// One message, to every endpoint it went to (or one of them).
    Message {
        message_id: String,
        endpoint_id: Option<String>,
    },
    /// Every failed delivery whose message was created at or after an instant (to one
    /// endpoint, or to all).
    FailedSince {
        since: Timestamp,
        endpoint_id: Option<String>,
    },
}

/// An endpoint the server disabled for failing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisabledEndpoint {
    pub program_id: String,
    pub endpoint_id: String,
    pub url: String,
    pub failing_since: Timestamp,
}

#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// Records a new endpoint.
    async fn create_webhook_endpoint(&self, program_id: &str, e: &WebhookEndpointRow)
    -> Result<()>;
    /// The program's endpoints, oldest first.
    async fn webhook_endpoints(&self, program_id: &str) -> Result<Vec<WebhookEndpointRow>>;
    async fn webhook_endpoint(
        &self,
        program_id: &str,
        id: &str,
    ) -> Result<Option<WebhookEndpointRow>>;
    /// Saves every field of an endpoint but its id and creation; false when there is none.
    async fn update_webhook_endpoint(
        &self,
        program_id: &str,
        e: &WebhookEndpointRow,
    ) -> Result<bool>;
    /// Deletes an endpoint with its deliveries and their attempts; false when there is none.
    async fn delete_webhook_endpoint(&self, program_id: &str, id: &str) -> Result<bool>;

    /// An endpoint's deliveries, newest message first, before a message id when one is given,
    /// with one status only when one is given.
    async fn webhook_deliveries(
        &self,
        program_id: &str,
        endpoint_id: &str,
        status: Option<&str>,
        limit: u32,
        before: Option<&str>,
    ) -> Result<Vec<WebhookDeliveryRow>>;
    /// A message and its deliveries.
    async fn webhook_message(
        &self,
        program_id: &str,
        id: &str,
    ) -> Result<Option<(WebhookMessageRow, Vec<WebhookDeliveryRow>)>>;
    /// The program's messages, newest first, before a message id when one is given.
    async fn webhook_messages(
        &self,
        program_id: &str,
        limit: u32,
        before: Option<&str>,
    ) -> Result<Vec<WebhookMessageRow>>;
    /// A delivery's attempts, first first.
    async fn webhook_attempts(
        &self,
        program_id: &str,
        message_id: &str,
        endpoint_id: &str,
    ) -> Result<Vec<WebhookAttemptRow>>;

    /// Claims up to `limit` due pending deliveries to enabled endpoints under a new claim
    /// token: they are not due again before `lease_until`.
    async fn claim_webhook_deliveries(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        claim: &str,
        limit: u32,
    ) -> Result<Vec<ClaimedDelivery>>;
    /// Records attempts and their outcomes. An attempt whose claim is no longer the
    /// delivery's (its lease ended and another worker claimed it) is recorded as an attempt
    /// but does not change the delivery. Also keeps each endpoint's `failing_since`.
    async fn finish_webhook_attempts(&self, attempts: &[AttemptRecord]) -> Result<()>;
    /// Makes deliveries pending and due at `now` again; returns how many.
    async fn replay_webhooks(&self, program_id: &str, what: &Replay, now: Timestamp)
    -> Result<u64>;
    /// Disables the enabled endpoints failing since before `failing_before` (reason
    /// `failing`), and writes, in the same transaction, the notice of each
    /// ([`disabled_message`]).
    async fn disable_failing_webhook_endpoints(
        &self,
        failing_before: Timestamp,
        now: Timestamp,
    ) -> Result<Vec<DisabledEndpoint>>;
}

/// Webhook messages inside a write transaction.
#[async_trait]
pub trait WebhooksTx: Send {
    /// Whether an enabled endpoint of the program subscribes to a kind (to skip building
    /// messages nobody takes).
    async fn webhook_wanted(&mut self, program_id: &str, kind: &str) -> Result<bool>;
    /// Writes the messages some endpoint of the program subscribes to, with their deliveries;
    /// returns how many were written. A message whose id is written already is kept as it was,
    /// with its deliveries.
    async fn enqueue_webhooks(
        &mut self,
        program_id: &str,
        messages: &[NewWebhookMessage],
    ) -> Result<u64>;
}

pub(crate) type EndpointTuple = (
    String,
    String,
    String,
    String,
    i64,
    String,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    i64,
    i64,
);

pub(crate) const ENDPOINT_COLUMNS: &str = "id, url, description, kinds, enabled, secret, \
     previous_secret, previous_until, failing_since, disabled_reason, created_at, updated_at";

pub(crate) fn endpoint_row(r: EndpointTuple) -> Result<WebhookEndpointRow> {
    use crate::backend::at;
    Ok(WebhookEndpointRow {
        id: r.0,
        url: r.1,
        description: r.2,
        kinds: parse_kinds(&r.3),
        enabled: r.4 != 0,
        secret: r.5,
        previous_secret: r.6,
        previous_until: r.7.map(at).transpose()?,
        failing_since: r.8.map(at).transpose()?,
        disabled_reason: r.9,
        created_at: at(r.10)?,
        updated_at: at(r.11)?,
    })
}

/// `,a,b,` for a list of kinds, empty for none (every kind).
pub(crate) fn kinds_text(kinds: &[String]) -> String {
    if kinds.is_empty() {
        String::new()
    } else {
        format!(",{},", kinds.join(","))
    }
}

fn parse_kinds(text: &str) -> Vec<String> {
    text.split(',')
        .filter(|k| !k.is_empty())
        .map(str::to_owned)
        .collect()
}

pub(crate) const DELIVERY_COLUMNS: &str = "d.message_id, d.endpoint_id, m.kind, d.status, \
     d.attempts, d.next_attempt_at, d.last_status, d.last_error, d.last_latency_ms, \
     d.created_at, d.updated_at";

/// Expands the webhook statements for a backend. `skip_locked` locks the claimed deliveries
/// (and only them) and skips those another worker holds; `claim_plan`, when there is one, is a
/// statement run first in a claim's transaction to keep its plan to the one that reads the due
/// deliveries in order (a planner whose statistics predate a burst of deliveries would
/// otherwise read every due delivery, for every claim, until they are analysed again).
macro_rules! webhooks_impl {
    (
        $store:ty,
        $tx:ty,
        $db:ty,
        skip_locked = $skip_locked:literal,
        claim_plan = $claim_plan:expr
    ) => {
        /// Writes the messages an enabled endpoint of the program subscribes to, and their
        /// deliveries, on a connection inside the caller's transaction.
        async fn webhook_enqueue_in(
            conn: &mut <$db as sqlx::Database>::Connection,
            program_id: &str,
            messages: &[$crate::webhooks::NewWebhookMessage],
        ) -> $crate::Result<u64> {
            if messages.is_empty() {
                return Ok(0);
            }
            let rows: Vec<$crate::webhooks::EndpointTuple> = sqlx::query_as(&format!(
                "SELECT {} FROM webhook_endpoints WHERE program_id = $1 AND enabled = 1",
                $crate::webhooks::ENDPOINT_COLUMNS
            ))
            .bind(program_id)
            .fetch_all(&mut *conn)
            .await?;
            if rows.is_empty() {
                return Ok(0);
            }
            let endpoints = rows
                .into_iter()
                .map($crate::webhooks::endpoint_row)
                .collect::<$crate::Result<Vec<_>>>()?;
            let mut fanned: Vec<(&$crate::webhooks::NewWebhookMessage, &str)> = Vec::new();
            let mut written: Vec<&$crate::webhooks::NewWebhookMessage> = Vec::new();
            for m in messages {
                let before = fanned.len();
                for e in endpoints.iter().filter(|e| e.subscribes(&m.kind)) {
                    fanned.push((m, e.id.as_str()));
                }
                if fanned.len() > before {
                    written.push(m);
                }
            }
            let mut inserted: std::collections::HashSet<String> = std::collections::HashSet::new();
            for chunk in written.chunks(ROWS_PER_STATEMENT) {
                let mut q = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO webhook_messages (id, program_id, kind, payload, created_at) ",
                );
                q.push_values(chunk, |mut b, m| {
                    b.push_bind(&m.id)
                        .push_bind(program_id)
                        .push_bind(&m.kind)
                        .push_bind(&m.payload)
                        .push_bind($crate::backend::us(m.created_at));
                });
                // A message whose id is derived from its cause (`points.expiring`) may be
                // written again by a later pass: the first one stands, with its deliveries.
                q.push(" ON CONFLICT (id) DO NOTHING RETURNING id");
                let ids: Vec<(String,)> = q
                    .build_query_as()
                    .persistent(false)
                    .fetch_all(&mut *conn)
                    .await?;
                inserted.extend(ids.into_iter().map(|(id,)| id));
            }
            fanned.retain(|(m, _)| inserted.contains(&m.id));
            for chunk in fanned.chunks(ROWS_PER_STATEMENT) {
                let mut q = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO webhook_deliveries (message_id, endpoint_id, program_id, status, \
                     attempts, next_attempt_at, created_at, updated_at) ",
                );
                q.push_values(chunk, |mut b, (m, e)| {
                    let at = $crate::backend::us(m.created_at);
                    b.push_bind(&m.id)
                        .push_bind(*e)
                        .push_bind(program_id)
                        .push_bind($crate::webhooks::PENDING)
                        .push_bind(0_i64)
                        .push_bind(at)
                        .push_bind(at)
                        .push_bind(at);
                });
                q.build().persistent(false).execute(&mut *conn).await?;
            }
            Ok(inserted.len() as u64)
        }

        /// Whether an enabled endpoint of the program subscribes to a kind: causes whose
        /// message takes more reads to build ask first.
        async fn webhook_wanted_in(
            conn: &mut <$db as sqlx::Database>::Connection,
            program_id: &str,
            kind: &str,
        ) -> $crate::Result<bool> {
            let rows: Vec<(String,)> = sqlx::query_as(
                "SELECT kinds FROM webhook_endpoints WHERE program_id = $1 AND enabled = 1",
            )
            .bind(program_id)
            .fetch_all(&mut *conn)
            .await?;
            let wanted = format!(",{kind},");
            Ok(rows.iter().any(|(k,)| k.is_empty() || k.contains(&wanted)))
        }

        /// Members' external ids, by internal id.
        async fn webhook_external_ids_in(
            conn: &mut <$db as sqlx::Database>::Connection,
            ids: &[i64],
        ) -> $crate::Result<std::collections::HashMap<i64, String>> {
            let mut out = std::collections::HashMap::new();
            for chunk in ids.chunks(ROWS_PER_STATEMENT) {
                let mut q = sqlx::QueryBuilder::<$db>::new(
                    "SELECT id, external_id FROM members WHERE id IN (",
                );
                let mut l = q.separated(", ");
                for id in chunk {
                    l.push_bind(*id);
                }
                q.push(")");
                let rows: Vec<(i64, String)> =
                    q.build_query_as().persistent(false).fetch_all(&mut *conn).await?;
                out.extend(rows);
            }
            Ok(out)
        }

        #[async_trait::async_trait]
        impl $crate::webhooks::WebhooksTx for $tx {
            async fn webhook_wanted(
                &mut self,
                program_id: &str,
                kind: &str,
            ) -> $crate::Result<bool> {
                webhook_wanted_in(&mut self.tx, program_id, kind).await
            }

            async fn enqueue_webhooks(
                &mut self,
                program_id: &str,
                messages: &[$crate::webhooks::NewWebhookMessage],
            ) -> $crate::Result<u64> {
                webhook_enqueue_in(&mut self.tx, program_id, messages).await
            }
        }

        #[async_trait::async_trait]
        impl $crate::webhooks::WebhookStore for $store {
            async fn create_webhook_endpoint(
                &self,
                program_id: &str,
                e: &$crate::webhooks::WebhookEndpointRow,
            ) -> $crate::Result<()> {
                use $crate::backend::us;
                let mut tx = self.begin_tx_for(program_id).await?;
                sqlx::query(
                    "INSERT INTO webhook_endpoints (program_id, id, url, description, kinds, \
                     enabled, secret, previous_secret, previous_until, failing_since, \
                     disabled_reason, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
                )
                .bind(program_id)
                .bind(&e.id)
                .bind(&e.url)
                .bind(&e.description)
                .bind($crate::webhooks::kinds_text(&e.kinds))
                .bind(i64::from(e.enabled))
                .bind(&e.secret)
                .bind(&e.previous_secret)
                .bind(e.previous_until.map(us))
                .bind(e.failing_since.map(us))
                .bind(&e.disabled_reason)
                .bind(us(e.created_at))
                .bind(us(e.updated_at))
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn webhook_endpoints(
                &self,
                program_id: &str,
            ) -> $crate::Result<Vec<$crate::webhooks::WebhookEndpointRow>> {
                let rows: Vec<$crate::webhooks::EndpointTuple> = sqlx::query_as(&format!(
                    "SELECT {} FROM webhook_endpoints WHERE program_id = $1 \
                     ORDER BY created_at, id",
                    $crate::webhooks::ENDPOINT_COLUMNS
                ))
                .bind(program_id)
                .fetch_all(self.reader())
                .await?;
                rows.into_iter().map($crate::webhooks::endpoint_row).collect()
            }

            async fn webhook_endpoint(
                &self,
                program_id: &str,
                id: &str,
            ) -> $crate::Result<Option<$crate::webhooks::WebhookEndpointRow>> {
                let row: Option<$crate::webhooks::EndpointTuple> = sqlx::query_as(&format!(
                    "SELECT {} FROM webhook_endpoints WHERE program_id = $1 AND id = $2",
                    $crate::webhooks::ENDPOINT_COLUMNS
                ))
                .bind(program_id)
                .bind(id)
                .fetch_optional(self.reader())
                .await?;
                row.map($crate::webhooks::endpoint_row).transpose()
            }

            async fn update_webhook_endpoint(
                &self,
                program_id: &str,
                e: &$crate::webhooks::WebhookEndpointRow,
            ) -> $crate::Result<bool> {
                use $crate::backend::us;
                let mut tx = self.begin_tx_for(program_id).await?;
                let done = sqlx::query(
                    "UPDATE webhook_endpoints SET url = $3, description = $4, kinds = $5, \
                     enabled = $6, secret = $7, previous_secret = $8, previous_until = $9, \
                     failing_since = $10, disabled_reason = $11, updated_at = $12 \
                     WHERE program_id = $1 AND id = $2",
                )
                .bind(program_id)
                .bind(&e.id)
                .bind(&e.url)
                .bind(&e.description)
                .bind($crate::webhooks::kinds_text(&e.kinds))
                .bind(i64::from(e.enabled))
                .bind(&e.secret)
                .bind(&e.previous_secret)
                .bind(e.previous_until.map(us))
                .bind(e.failing_since.map(us))
                .bind(&e.disabled_reason)
                .bind(us(e.updated_at))
                .execute(&mut *tx)
                .await?
                .rows_affected();
                tx.commit().await?;
                Ok(done > 0)
            }

            async fn delete_webhook_endpoint(
                &self,
                program_id: &str,
                id: &str,
            ) -> $crate::Result<bool> {
                let mut tx = self.begin_tx_for(program_id).await?;
                sqlx::query("DELETE FROM webhook_attempts WHERE program_id = $1 AND endpoint_id = $2")
                    .bind(program_id)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "DELETE FROM webhook_deliveries WHERE program_id = $1 AND endpoint_id = $2",
                )
                .bind(program_id)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                let done = sqlx::query("DELETE FROM webhook_endpoints WHERE program_id = $1 AND id = $2")
                    .bind(program_id)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                tx.commit().await?;
                Ok(done > 0)
            }

            async fn webhook_deliveries(
                &self,
                program_id: &str,
                endpoint_id: &str,
                status: Option<&str>,
                limit: u32,
                before: Option<&str>,
            ) -> $crate::Result<Vec<$crate::webhooks::WebhookDeliveryRow>> {
                Ok(sqlx::query_as(&format!(
                    "SELECT {} FROM webhook_deliveries d \
                     JOIN webhook_messages m ON m.id = d.message_id \
                     WHERE d.program_id = $1 AND d.endpoint_id = $2 \
                     AND ($3 IS NULL OR d.status = $3) AND ($4 IS NULL OR d.message_id < $4) \
                     ORDER BY d.message_id DESC LIMIT $5",
                    $crate::webhooks::DELIVERY_COLUMNS
                ))
                .bind(program_id)
                .bind(endpoint_id)
                .bind(status)
                .bind(before)
                .bind(i64::from(limit))
                .fetch_all(self.reader())
                .await?)
            }

            async fn webhook_message(
                &self,
                program_id: &str,
                id: &str,
            ) -> $crate::Result<
                Option<(
                    $crate::webhooks::WebhookMessageRow,
                    Vec<$crate::webhooks::WebhookDeliveryRow>,
                )>,
            > {
                let message: Option<$crate::webhooks::WebhookMessageRow> = sqlx::query_as(
                    "SELECT id, kind, payload, created_at FROM webhook_messages \
                     WHERE program_id = $1 AND id = $2",
                )
                .bind(program_id)
                .bind(id)
                .fetch_optional(self.reader())
                .await?;
                let Some(message) = message else {
                    return Ok(None);
                };
                let deliveries = sqlx::query_as(&format!(
                    "SELECT {} FROM webhook_deliveries d \
                     JOIN webhook_messages m ON m.id = d.message_id \
                     WHERE d.message_id = $1 AND d.program_id = $2 ORDER BY d.endpoint_id",
                    $crate::webhooks::DELIVERY_COLUMNS
                ))
                .bind(id)
                .bind(program_id)
                .fetch_all(self.reader())
                .await?;
                Ok(Some((message, deliveries)))
            }

            async fn webhook_messages(
                &self,
                program_id: &str,
                limit: u32,
                before: Option<&str>,
            ) -> $crate::Result<Vec<$crate::webhooks::WebhookMessageRow>> {
                Ok(sqlx::query_as(
                    "SELECT id, kind, payload, created_at FROM webhook_messages \
                     WHERE program_id = $1 AND ($2 IS NULL OR id < $2) \
                     ORDER BY id DESC LIMIT $3",
                )
                .bind(program_id)
                .bind(before)
                .bind(i64::from(limit))
                .fetch_all(self.reader())
                .await?)
            }

            async fn webhook_attempts(
                &self,
                program_id: &str,
                message_id: &str,
                endpoint_id: &str,
            ) -> $crate::Result<Vec<$crate::webhooks::WebhookAttemptRow>> {
                Ok(sqlx::query_as(
                    "SELECT attempt, at, status_code, latency_ms, error FROM webhook_attempts \
                     WHERE message_id = $1 AND endpoint_id = $2 AND program_id = $3 \
                     ORDER BY attempt",
                )
                .bind(message_id)
                .bind(endpoint_id)
                .bind(program_id)
                .fetch_all(self.reader())
                .await?)
            }

            async fn claim_webhook_deliveries(
                &self,
                now: jifen_core::Timestamp,
                lease_until: jifen_core::Timestamp,
                claim: &str,
                limit: u32,
            ) -> $crate::Result<Vec<$crate::webhooks::ClaimedDelivery>> {
                use $crate::backend::us;
                let mut tx = self.begin_tx().await?;
                let plan: Option<&str> = $claim_plan;
                if let Some(plan) = plan {
                    sqlx::query(plan).execute(&mut *tx).await?;
                }
                // The endpoint's state is a per-row look-up (not a join) so that the due
                // deliveries are read in order, and only until the batch is full.
                let claimed = sqlx::query(concat!(
                    "UPDATE webhook_deliveries SET next_attempt_at = $1, claim = $2 \
                     WHERE (message_id, endpoint_id) IN (\
                     SELECT d.message_id, d.endpoint_id FROM webhook_deliveries d \
                     WHERE d.status = 'pending' AND d.next_attempt_at <= $3 \
                     AND (SELECT e.enabled FROM webhook_endpoints e \
                     WHERE e.program_id = d.program_id AND e.id = d.endpoint_id) = 1 \
                     ORDER BY d.next_attempt_at LIMIT $4",
                    $skip_locked,
                    ")"
                ))
                .bind(us(lease_until))
                .bind(claim)
                .bind(us(now))
                .bind(i64::from(limit))
                .execute(&mut *tx)
                .await?
                .rows_affected();
                let rows = if claimed == 0 {
                    Vec::new()
                } else {
                    sqlx::query_as(
                        "SELECT d.program_id, d.message_id, d.endpoint_id, d.attempts, \
                         d.created_at, m.kind, m.payload, m.created_at AS message_created_at, \
                         e.url, e.secret, e.previous_secret, e.previous_until \
                         FROM webhook_deliveries d \
                         JOIN webhook_messages m ON m.id = d.message_id \
                         JOIN webhook_endpoints e ON e.program_id = d.program_id \
                         AND e.id = d.endpoint_id \
                         WHERE d.claim = $1 ORDER BY d.message_id",
                    )
                    .bind(claim)
                    .fetch_all(&mut *tx)
                    .await?
                };
                tx.commit().await?;
                Ok(rows)
            }

            async fn finish_webhook_attempts(
                &self,
                attempts: &[$crate::webhooks::AttemptRecord],
            ) -> $crate::Result<()> {
                use $crate::backend::us;
                use $crate::webhooks::AttemptOutcome;
                // Rows per statement: the attempts' insert binds 8 values a row, well under
                // either backend's limit on bound values.
                const ROWS: usize = 500;
                if attempts.is_empty() {
                    return Ok(());
                }
                let mut tx = self.begin_tx().await?;
                // Each delivery still under the attempt's claim takes its outcome and the next
                // attempt number; a claim that lapsed (another worker holds the delivery now)
                // changes nothing, and its attempt is numbered after the others below.
                let mut numbers: std::collections::HashMap<(String, String), i64> =
                    std::collections::HashMap::with_capacity(attempts.len());
                for chunk in attempts.chunks(ROWS) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "WITH v (v_message, v_endpoint, v_claim, v_status, v_next, v_code, \
                         v_error, v_latency, v_at) AS (",
                    );
                    q.push_values(chunk, |mut b, a| {
                        let (status, next) = match a.outcome {
                            AttemptOutcome::Delivered => ($crate::webhooks::DELIVERED, us(a.at)),
                            AttemptOutcome::Retry(t) => ($crate::webhooks::PENDING, us(t)),
                            AttemptOutcome::Failed => ($crate::webhooks::FAILED, us(a.at)),
                        };
                        b.push_bind(&a.message_id)
                            .push_bind(&a.endpoint_id)
                            .push_bind(&a.claim)
                            .push_bind(status)
                            .push_bind(next)
                            .push_bind(a.status_code)
                            .push_bind(&a.error)
                            .push_bind(a.latency_ms)
                            .push_bind(us(a.at));
                    });
                    q.push(
                        ") UPDATE webhook_deliveries SET status = v.v_status, \
                         attempts = attempts + 1, next_attempt_at = v.v_next, claim = NULL, \
                         last_status = v.v_code, last_error = v.v_error, \
                         last_latency_ms = v.v_latency, updated_at = v.v_at FROM v \
                         WHERE webhook_deliveries.message_id = v.v_message \
                         AND webhook_deliveries.endpoint_id = v.v_endpoint \
                         AND webhook_deliveries.claim = v.v_claim \
                         RETURNING webhook_deliveries.message_id, \
                         webhook_deliveries.endpoint_id, webhook_deliveries.attempts",
                    );
                    let done: Vec<(String, String, i64)> = q
                        .build_query_as()
                        .persistent(chunk.len() == ROWS)
                        .fetch_all(&mut *tx)
                        .await?;
                    for (message, endpoint, n) in done {
                        numbers.insert((message, endpoint), n);
                    }
                }
                let mut rows: Vec<(&$crate::webhooks::AttemptRecord, i64)> =
                    Vec::with_capacity(attempts.len());
                for a in attempts {
                    let n = match numbers.remove(&(a.message_id.clone(), a.endpoint_id.clone())) {
                        Some(n) => n,
                        None => {
                            let (n,): (i64,) = sqlx::query_as(
                                "SELECT COALESCE(MAX(attempt), 0) + 1 FROM webhook_attempts \
                                 WHERE message_id = $1 AND endpoint_id = $2",
                            )
                            .bind(&a.message_id)
                            .bind(&a.endpoint_id)
                            .fetch_one(&mut *tx)
                            .await?;
                            n
                        }
                    };
                    rows.push((a, n));
                }
                for chunk in rows.chunks(ROWS) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO webhook_attempts (message_id, endpoint_id, attempt, \
                         program_id, at, status_code, latency_ms, error) ",
                    );
                    q.push_values(chunk, |mut b, (a, n)| {
                        b.push_bind(&a.message_id)
                            .push_bind(&a.endpoint_id)
                            .push_bind(*n)
                            .push_bind(&a.program_id)
                            .push_bind(us(a.at))
                            .push_bind(a.status_code)
                            .push_bind(a.latency_ms)
                            .push_bind(&a.error);
                    });
                    q.push(" ON CONFLICT DO NOTHING");
                    q.build()
                        .persistent(chunk.len() == ROWS)
                        .execute(&mut *tx)
                        .await?;
                }
                // Endpoint health, as if the attempts were recorded one by one: a success
                // clears `failing_since`, a failure sets it when clear. Rows that need no
                // change are not written (nor locked).
                let health = $crate::webhooks::endpoint_health(attempts);
                for chunk in health.chunks(ROWS) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "WITH v (v_program, v_endpoint, v_mode, v_since) AS (",
                    );
                    q.push_values(chunk, |mut b, ((program, endpoint), h)| {
                        let (mode, since) = h.mode();
                        b.push_bind(*program)
                            .push_bind(*endpoint)
                            .push_bind(mode)
                            .push_bind(since);
                    });
                    q.push(
                        ") UPDATE webhook_endpoints SET failing_since = v.v_since FROM v \
                         WHERE webhook_endpoints.program_id = v.v_program \
                         AND webhook_endpoints.id = v.v_endpoint \
                         AND ((v.v_mode = 0 AND failing_since IS NOT NULL) OR v.v_mode = 1 \
                         OR (v.v_mode = 2 AND failing_since IS NULL))",
                    );
                    q.build()
                        .persistent(chunk.len() == ROWS)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn replay_webhooks(
                &self,
                program_id: &str,
                what: &$crate::webhooks::Replay,
                now: jifen_core::Timestamp,
            ) -> $crate::Result<u64> {
                use $crate::backend::us;
                let mut tx = self.begin_tx_for(program_id).await?;
                let done = match what {
                    $crate::webhooks::Replay::Message {
                        message_id,
                        endpoint_id,
                    } => sqlx::query(
                        "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $1, \
                         claim = NULL, updated_at = $1 \
                         WHERE program_id = $2 AND message_id = $3 \
                         AND ($4 IS NULL OR endpoint_id = $4)",
                    )
                    .bind(us(now))
                    .bind(program_id)
                    .bind(message_id)
                    .bind(endpoint_id.as_deref())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected(),
                    $crate::webhooks::Replay::FailedSince { since, endpoint_id } => sqlx::query(
                        "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $1, \
                         claim = NULL, updated_at = $1 \
                         WHERE program_id = $2 AND status = 'failed' AND created_at >= $3 \
                         AND ($4 IS NULL OR endpoint_id = $4)",
                    )
                    .bind(us(now))
                    .bind(program_id)
                    .bind(us(*since))
                    .bind(endpoint_id.as_deref())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected(),
                };
                tx.commit().await?;
                Ok(done)
            }

            async fn disable_failing_webhook_endpoints(
                &self,
                failing_before: jifen_core::Timestamp,
                now: jifen_core::Timestamp,
            ) -> $crate::Result<Vec<$crate::webhooks::DisabledEndpoint>> {
                use $crate::backend::{at, us};
                let mut tx = self.begin_tx().await?;
                let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
                    "UPDATE webhook_endpoints SET enabled = 0, disabled_reason = 'failing', \
                     updated_at = $1 WHERE enabled = 1 AND failing_since < $2 \
                     RETURNING program_id, id, url, failing_since",
                )
                .bind(us(now))
                .bind(us(failing_before))
                .fetch_all(&mut *tx)
                .await?;
                let mut out = Vec::with_capacity(rows.len());
                for (program_id, endpoint_id, url, since) in rows {
                    let d = $crate::webhooks::DisabledEndpoint {
                        program_id,
                        endpoint_id,
                        url,
                        failing_since: at(since)?,
                    };
                    let notice = $crate::webhooks::disabled_message(&d, now);
                    webhook_enqueue_in(&mut tx, &d.program_id, std::slice::from_ref(&notice))
                        .await?;
                    out.push(d);
                }
                tx.commit().await?;
                Ok(out)
            }
        }
    };
}

pub(crate) use webhooks_impl;

#[cfg(test)]
mod tests {
    use super::*;

    fn attempt(endpoint: &str, at_us: i64, ok: bool) -> AttemptRecord {
        let at = crate::backend::at(at_us).expect("an instant");
        AttemptRecord {
            message_id: format!("m{at_us}"),
            endpoint_id: endpoint.to_owned(),
            program_id: "p".to_owned(),
            claim: "c".to_owned(),
            at,
            status_code: Some(if ok { 204 } else { 500 }),
            latency_ms: 1,
            error: (!ok).then(|| "HTTP 500".to_owned()),
            outcome: if ok {
                AttemptOutcome::Delivered
            } else {
                AttemptOutcome::Failed
            },
        }
    }

    #[test]
    fn health_is_that_of_the_attempts_one_after_another() {
        let attempts = [
            // b: failures only, the first counts.
            attempt("b", 10, false),
            attempt("b", 20, false),
            // a: a failure, a success, then failures: the first failure after the success.
            attempt("a", 30, false),
            attempt("a", 40, true),
            attempt("a", 50, false),
            attempt("a", 60, false),
            // c: a failure then a success: cleared.
            attempt("c", 70, false),
            attempt("c", 80, true),
        ];
        assert_eq!(
            endpoint_health(&attempts),
            vec![
                (("p", "a"), Health::Set(50)),
                (("p", "b"), Health::SetIfClear(10)),
                (("p", "c"), Health::Clear),
            ]
        );
        assert_eq!(Health::Clear.mode(), (0, None));
        assert_eq!(Health::Set(5).mode(), (1, Some(5)));
        assert_eq!(Health::SetIfClear(5).mode(), (2, Some(5)));
    }
}
