//! Persistence for jifen.
//!
//! One [`Store`] trait with one implementation per backend ([`sqlite`], [`postgres`]), each with
//! its own migrations folder. A write is one database transaction opened with
//! [`Store::begin_write`]: the caller decides with `jifen-core` between reads and writes of the
//! same [`WriteTx`], and either everything it wrote commits or none of it does.
//! No SQL lives outside this crate.

pub mod audit;
#[cfg(feature = "testkit")]
pub mod audit_conformance;
mod backend;
pub mod backup;
pub mod badges;
#[cfg(feature = "testkit")]
pub mod badges_conformance;
pub mod challenges;
#[cfg(feature = "testkit")]
pub mod challenges_conformance;
#[cfg(feature = "testkit")]
pub mod conformance;
pub mod console;
#[cfg(feature = "testkit")]
pub mod console_conformance;
mod error;
mod group;
pub mod leaderboards;
pub mod media;
#[cfg(feature = "testkit")]
pub mod media_conformance;
mod model;
pub mod personal;
#[cfg(feature = "testkit")]
pub mod personal_conformance;
pub mod portal;
#[cfg(feature = "testkit")]
pub mod portal_conformance;
pub mod postgres;
pub mod reads;
pub mod referrals;
#[cfg(feature = "testkit")]
pub mod referrals_conformance;
pub mod rehearsal;
pub mod reminders;
#[cfg(feature = "testkit")]
pub mod reminders_conformance;
mod rewards;
#[cfg(feature = "testkit")]
pub mod rollup_conformance;
pub mod rollups;
mod rules;
pub mod segments;
#[cfg(feature = "testkit")]
pub mod segments_conformance;
pub mod sqlite;
#[cfg(feature = "testkit")]
pub mod testkit;
mod tiers;
mod turns;
pub mod webhooks;

use std::sync::Arc;

use async_trait::async_trait;
use jifen_core::{Entry, HoldRecord, Lot, PointPolicy};

pub use audit::{AuditEntry, AuditFilter, AuditStore};
pub use badges::{BadgeRow, BadgeStore, BadgesTx, MemberBadgeRow};
pub use challenges::{
    ChallengeAwardRow, ChallengeJoinRow, ChallengeRow, ChallengeState, ChallengeStore,
    ChallengesTx, ContributionRow,
};
pub use error::StoreError;
pub use leaderboards::{
    ChangeCursor, ContestRow, FrozenRow, LeaderboardRow, LeaderboardStore, LeaderboardsTx,
    ScoreChange, ScoreDelta, ScoreRow,
};
pub use model::*;
pub use personal::{AuditRecord, ConsentRecord, Erasure, PersonalStore};
pub use reads::{NotificationFilter, OrderHistory, OutboxNotification, ReadStore, StoredEvent};
pub use referrals::{
    BoostRow, ReferralCounts, ReferralRow, ReferralStats, ReferralStore, ReferralView, ReferralsTx,
};
pub use reminders::{
    GiftDue, PreferenceRow, ReminderRow, ReminderStore, RemindersTx, StreakDue, VoucherDue,
};
pub use rewards::{
    CheckoutRow, DocumentRow, GiftRow, RedemptionRow, RewardRow, RewardStore, RewardsTx,
    VoucherRow, VoucherUseRow,
};
pub use rules::{
    BacktestRecord, CampaignRecord, EventTypeRecord, MemberFacts, MeterEntry, Notification,
    RuleStore, RuleVersion, RulesTx, Streak, UsageKeyRow, UsageRow, UsageSummary,
};
pub use segments::{
    FeatureRow, FeatureSet, SegmentMemberRow, SegmentRow, SegmentStore, SegmentsTx,
};
pub use sqlx::Error as SqlxError;
pub use tiers::{
    BasisFigure, BenefitGrant, MemberSet, MemberTierRow, MeterPointRow, PartnerRecord,
    TierChangeRow, TierJobRecord, TierStore, TiersTx,
};

pub use webhooks::{NewWebhookMessage, WebhookEndpointRow, WebhookStore, WebhooksTx};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// What one member's decision appends: (member id, new lots, new holds, entries).
pub type MemberAppend<'a> = (i64, &'a [Lot], &'a [HoldRecord], &'a [Entry]);

/// Opens the store a URL names (`sqlite://path` or `postgres://…`) and runs its migrations.
pub async fn connect(url: &str, options: &ConnectOptions) -> Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(sqlite::SqliteStore::connect(url, options).await?))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(Arc::new(postgres::PgStore::connect(url, options).await?))
    } else {
        Err(StoreError::UnsupportedUrl)
    }
}

/// Knobs for opening a store.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// Connections for reads (and for writes on PostgreSQL).
    pub max_connections: u32,
    /// Whether to run migrations when connecting.
    pub migrate: bool,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        Self {
            max_connections: 8,
            migrate: true,
        }
    }
}

/// Everything jifen keeps, behind one interface for every backend.
#[async_trait]
pub trait Store:
    RuleStore
    + TierStore
    + RewardStore
    + PersonalStore
    + AuditStore
    + ReadStore
    + console::ConsoleStore
    + portal::PortalStore
    + rollups::RollupStore
    + media::MediaStore
    + LeaderboardStore
    + badges::BadgeStore
    + reminders::ReminderStore
    + challenges::ChallengeStore
    + referrals::ReferralStore
    + webhooks::WebhookStore
    + segments::SegmentStore
    + Send
    + Sync
    + 'static
{
    /// The backend's name: `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;

    /// Applies pending migrations.
    async fn migrate(&self) -> Result<()>;

    /// Checks the database answers.
    async fn ping(&self) -> Result<()>;

    // --- programs and keys -------------------------------------------------------------------

    async fn create_program(&self, program: &Program) -> Result<()>;
    async fn get_program(&self, id: &str) -> Result<Option<Program>>;
    async fn demo_program(&self) -> Result<Option<Program>>;
    /// Every program, oldest first.
    async fn list_programs(&self) -> Result<Vec<Program>>;
    async fn update_policy(&self, id: &str, policy: &PointPolicy) -> Result<()>;
    /// Sets a program's IANA time zone (checked by the caller).
    async fn update_timezone(&self, id: &str, timezone: &str) -> Result<()>;
    /// Sets a program's own rate limit per key; `None` returns it to the server's default.
    async fn update_rate_limit(&self, id: &str, limit: Option<&RateLimit>) -> Result<()>;
    async fn create_api_key(&self, key: &ApiKey) -> Result<()>;
    /// The program and key a secret's hash belongs to, if the key is not revoked.
    async fn program_by_key_hash(&self, hash: &str) -> Result<Option<(Program, ApiKey)>>;
    async fn list_api_keys(&self, program_id: &str) -> Result<Vec<ApiKey>>;
    /// Revokes a key of the program; false when it has no such key.
    async fn revoke_api_key(
        &self,
        program_id: &str,
        key_id: &str,
        at: jifen_core::Timestamp,
    ) -> Result<bool>;

    // --- members -----------------------------------------------------------------------------

    /// Creates or updates a member; fields left `None` keep their value. Fails with
    /// [`StoreError::IdentityTaken`] when an identity belongs to another member.
    async fn upsert_member(&self, program_id: &str, patch: &MemberPatch) -> Result<(Member, bool)>;
    async fn get_member(&self, program_id: &str, external_id: &str) -> Result<Option<Member>>;
    async fn member_by_identity(
        &self,
        program_id: &str,
        kind: &str,
        value: &str,
    ) -> Result<Option<Member>>;
    /// Members newest first, after the cursor (an internal id) when one is given.
    async fn list_members(
        &self,
        program_id: &str,
        limit: u32,
        after: Option<i64>,
    ) -> Result<Vec<Member>>;

    // --- ledger reads ------------------------------------------------------------------------

    /// A member's ids and materialized book.
    async fn member_head(&self, program_id: &str, external_id: &str) -> Result<Option<MemberHead>>;

    /// Everything needed to rebuild a member's book.
    async fn ledger(&self, member_id: i64) -> Result<LedgerRows>;
    /// Entries newest first, before the cursor (a sequence number) when one is given.
    async fn list_entries(
        &self,
        member_id: i64,
        limit: u32,
        before: Option<i64>,
    ) -> Result<Vec<StoredEntry>>;
    async fn get_hold(&self, program_id: &str, hold_id: &str) -> Result<Option<StoredHold>>;

    // --- writes ------------------------------------------------------------------------------

    /// Inserts members with their lots, holds, entries, orders and events in one transaction,
    /// with multi-row statements. For datasets and imports of histories decided elsewhere:
    /// nothing is checked beyond the schema's constraints.
    async fn bulk_load(&self, program_id: &str, members: &[BulkMember]) -> Result<()>;

    /// Readies a database for a long [`Store::bulk_load`] in member order: drops the
    /// secondary indexes such a load would write at random (events by time, members by due
    /// instant) and, on PostgreSQL, the history tables' foreign keys, so that
    /// [`Store::finish_bulk_load`] builds each once, sorted, and checks each key in one pass.
    /// Only for a database nothing else uses meanwhile (a dataset being built).
    async fn start_bulk_load(&self) -> Result<()>;

    /// Restores what [`Store::start_bulk_load`] dropped, exactly as the migrations define it,
    /// and refreshes the planner's statistics (on PostgreSQL with a `VACUUM (ANALYZE)`). Safe
    /// to run when nothing was dropped.
    async fn finish_bulk_load(&self) -> Result<()>;

    /// Opens a write transaction.
    async fn begin_write(&self) -> Result<Box<dyn WriteTx>>;

    /// Opens a write transaction on behalf of a program. Where all writes share one writer
    /// (SQLite), programs take turns at it round robin, so that one program's queue of writes
    /// does not hold up another's.
    async fn begin_write_for(&self, program_id: &str) -> Result<Box<dyn WriteTx>>;

    /// Members (program id, external id) for whom time alone implies entries not written yet
    /// (holds past their deadline, expired points no `expire` entry records), as the
    /// `next_due_at` saved with their book says.
    async fn members_to_maintain(
        &self,
        now: jifen_core::Timestamp,
        limit: u32,
    ) -> Result<Vec<(String, String)>>;
}

/// One write transaction. Dropped without [`WriteTx::commit`], it rolls back.
#[async_trait]
pub trait WriteTx:
    RulesTx
    + TiersTx
    + RewardsTx
    + LeaderboardsTx
    + badges::BadgesTx
    + reminders::RemindersTx
    + ReferralsTx
    + challenges::ChallengesTx
    + webhooks::WebhooksTx
    + segments::SegmentsTx
    + Send
{
    /// Claims an idempotency key for this transaction, or returns what an earlier request stored.
    async fn claim(&mut self, key: &IdempotencyKey, request_hash: &str) -> Result<Claim>;
    /// Stores the answer of a claimed key.
    async fn complete(&mut self, key: &IdempotencyKey, status: u16, response: &str) -> Result<()>;

    async fn ledger(&mut self, member_id: i64) -> Result<LedgerRows>;
    /// Finds a member's ids and book, and locks the member until the end of the transaction.
    async fn lock_head(
        &mut self,
        program_id: &str,
        external_id: &str,
    ) -> Result<Option<MemberHead>> {
        Ok(self.lock_heads(program_id, &[external_id]).await?.pop())
    }
    /// Saves a member's materialized book, the last entry it reflects, and when time alone
    /// next implies an entry.
    async fn save_book(
        &mut self,
        member_id: i64,
        ledger_seq: i64,
        book: &[u8],
        next_due_at: Option<jifen_core::Timestamp>,
    ) -> Result<()> {
        let book = (member_id, ledger_seq, book.to_vec(), next_due_at);
        self.save_books(std::slice::from_ref(&book)).await
    }

    /// Finds an order and locks it until the end of the transaction.
    async fn lock_order(&mut self, program_id: &str, order_id: &str) -> Result<Option<Order>> {
        Ok(self.lock_orders(program_id, &[order_id]).await?.pop())
    }
    /// Records an order; false (and nothing written) when the program has it already.
    async fn insert_order(&mut self, order: &Order) -> Result<bool> {
        Ok(self.insert_orders(std::slice::from_ref(order)).await? == 1)
    }
    async fn set_order_refunded(
        &mut self,
        program_id: &str,
        order_id: &str,
        refunded: i64,
    ) -> Result<()>;
    async fn insert_event(&mut self, event: &EventRecord) -> Result<()> {
        self.insert_events(std::slice::from_ref(event)).await
    }
    async fn hold_member(&mut self, program_id: &str, hold_id: &str) -> Result<Option<String>>;
    /// [`Store::upsert_member`] inside this transaction: rolled back with it.
    async fn upsert_member(&mut self, program_id: &str, m: &MemberPatch) -> Result<(Member, bool)>;
    /// [`WriteTx::upsert_member`] in a savepoint of its own: when it fails (an identity of
    /// another member), nothing of it remains and the transaction goes on. Returns the member
    /// and `Some(created)` when the request changed something; `None` when the member was
    /// already exactly so, and nothing was written (not even `updated_at`).
    async fn upsert_member_apart(
        &mut self,
        program_id: &str,
        m: &MemberPatch,
    ) -> Result<(Member, Option<bool>)>;

    /// Appends what a decision produced to a member's ledger.
    async fn append(
        &mut self,
        program_id: &str,
        member_id: i64,
        lots: &[Lot],
        holds: &[HoldRecord],
        entries: &[Entry],
        recorded_at: jifen_core::Timestamp,
    ) -> Result<()> {
        self.append_many(
            program_id,
            &[(member_id, lots, holds, entries)],
            recorded_at,
        )
        .await
    }

    /// Finds members and locks them (in external id order) until the end of the transaction.
    async fn lock_heads(
        &mut self,
        program_id: &str,
        external_ids: &[&str],
    ) -> Result<Vec<MemberHead>>;
    /// The answers stored under some keys of one scope: key → (request hash, status, answer).
    async fn stored_answers(
        &mut self,
        program_id: &str,
        scope: &'static str,
        keys: &[&str],
    ) -> Result<Vec<(String, String, u16, String)>>;
    /// Stores answers under new keys: (key, request hash, status, answer). Returns how many were
    /// new; a key another transaction stored meanwhile is not overwritten.
    async fn store_answers(
        &mut self,
        program_id: &str,
        scope: &'static str,
        answers: &[(&str, &str, u16, &str)],
    ) -> Result<u64>;
    /// Finds orders and locks them (in id order) until the end of the transaction.
    async fn lock_orders(&mut self, program_id: &str, order_ids: &[&str]) -> Result<Vec<Order>>;
    /// Records orders the program does not have yet; returns how many were new.
    async fn insert_orders(&mut self, orders: &[Order]) -> Result<u64>;
    async fn insert_events(&mut self, events: &[EventRecord]) -> Result<()>;
    /// Saves several members' books: (member id, last entry seq, snapshot, next due instant).
    async fn save_books(
        &mut self,
        books: &[(i64, i64, Vec<u8>, Option<jifen_core::Timestamp>)],
    ) -> Result<()>;

    /// Appends the decisions of several members at once (multi-row statements).
    async fn append_many(
        &mut self,
        program_id: &str,
        members: &[MemberAppend<'_>],
        recorded_at: jifen_core::Timestamp,
    ) -> Result<()>;

    async fn commit(self: Box<Self>) -> Result<()>;
}
