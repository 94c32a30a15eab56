//! The records the store keeps, as the rest of jifen sees them.

use chrono::NaiveDate;
use jifen_core::{Entry, HoldRecord, Lot, PointPolicy, Timestamp};
use serde::{Deserialize, Serialize};

/// A brand's loyalty program: the tenant every other record belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Program {
    pub id: String,
    pub name: String,
    pub timezone: String,
    pub currency: String,
    pub policy: PointPolicy,
    pub demo: bool,
    pub created_at: Timestamp,
    /// The program's own limit on requests per API key; `None`: the server's default.
    pub rate_limit: Option<RateLimit>,
}

/// A token bucket per API key: `burst` requests at once, refilled at `per_second`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    pub per_second: u32,
    pub burst: u32,
}

/// An API key; only the SHA-256 of its secret is kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiKey {
    pub id: String,
    pub program_id: String,
    pub name: String,
    /// The first characters of the secret, to tell keys apart.
    pub prefix: String,
    pub hash: String,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
    /// The partner a key belongs to: such a key only reaches the partner routes.
    pub partner_id: Option<String>,
}

/// A way to find a member: `phone`, `wechat_unionid`, `email`, or a custom kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Identity {
    pub kind: String,
    pub value: String,
}

/// A member of a program.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    /// Internal id: stable, never shown as the member's address.
    pub id: i64,
    pub program_id: String,
    pub external_id: String,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub birthday: Option<NaiveDate>,
    pub gender: Option<String>,
    pub city: Option<String>,
    pub attributes: serde_json::Value,
    pub status: String,
    pub identities: Vec<Identity>,
    pub enrolled_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A create-or-update of a member; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MemberPatch {
    pub external_id: String,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub birthday: Option<NaiveDate>,
    pub gender: Option<String>,
    pub city: Option<String>,
    pub attributes: Option<serde_json::Value>,
    pub status: Option<String>,
    /// Identities to bind in addition to the ones the member has.
    pub bind: Vec<Identity>,
    /// When set, the identities the member keeps (plus `bind`); others are unbound.
    pub replace_identities: bool,
    pub at: Timestamp,
}

/// A member as a ledger write or a balance read needs it: ids, status, and the materialized
/// book (a `jifen_core::Snapshot`, encoded) with the last entry it reflects.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberHead {
    pub id: i64,
    pub external_id: String,
    pub status: String,
    /// The sequence number of the member's last entry.
    pub ledger_seq: i64,
    pub book: Option<Vec<u8>>,
    pub enrolled_at: Timestamp,
    pub birthday: Option<NaiveDate>,
    /// The member's custom attributes as JSON text.
    pub attributes: String,
}

/// What a member's book is rebuilt from.
#[derive(Debug, Clone, Default)]
pub struct LedgerRows {
    pub lots: Vec<Lot>,
    pub holds: Vec<HoldRecord>,
    pub entries: Vec<Entry>,
}

/// An entry as stored, with when it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEntry {
    pub entry: Entry,
    pub recorded_at: Timestamp,
}

/// A hold with the member it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredHold {
    pub record: HoldRecord,
    pub member_id: i64,
    pub member_external_id: String,
}

/// An order, as the purchase that created it recorded it.
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    pub program_id: String,
    pub order_id: String,
    /// `None` for a guest purchase.
    pub member_id: Option<i64>,
    pub guest_ref: Option<String>,
    pub amount: i64,
    pub refunded: i64,
    /// The rate in force when the purchase was recorded.
    pub points_per_yuan: i64,
    /// The points the purchase earned under the rules; `None` for orders recorded before
    /// rules, which earned `points_per_yuan` per yuan.
    pub points: Option<i64>,
    pub occurred_at: Timestamp,
}

/// An event as received.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRecord {
    pub program_id: String,
    pub id: String,
    pub member_id: Option<i64>,
    pub kind: String,
    pub occurred_at: Timestamp,
    pub site: Option<String>,
    pub attributes: serde_json::Value,
    pub recorded_at: Timestamp,
}

/// The address of an idempotent write: a program, what kind of write, and the client's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    pub program_id: String,
    pub scope: &'static str,
    pub key: String,
}

/// The outcome of claiming an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is new: this transaction owns it.
    New,
    /// An earlier request used the key.
    Existing {
        request_hash: String,
        status: u16,
        response: String,
    },
}

/// A member with their history, for bulk loading (benchmark datasets, imports).
#[derive(Debug, Clone, Default)]
pub struct BulkMember {
    pub external_id: String,
    pub phone: Option<String>,
    pub enrolled_at: Option<Timestamp>,
    pub ledger: LedgerRows,
    pub orders: Vec<Order>,
    pub events: Vec<EventRecord>,
    /// The member's materialized book: last entry seq, snapshot, next due instant.
    pub book: Option<(i64, Vec<u8>, Option<Timestamp>)>,
}
