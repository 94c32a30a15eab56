//! What rewards keep: voucher templates and vouchers with their uses, the catalog with its stock
//! and partner perk codes, redemptions, checkouts and gifts.
//!
//! The statements live in [`rewards_impl!`], expanded next to the other backend macros.
//! Templates and catalog items are stored as the JSON their API takes; this crate does not
//! interpret them.

use async_trait::async_trait;
use jifen_core::Timestamp;

use crate::Result;

/// A voucher template or a catalog item as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRow {
    pub id: String,
    pub body: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A catalog item with its stock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RewardRow {
    pub doc: DocumentRow,
    /// Units ever available; `None`: unlimited.
    pub stock: Option<i64>,
    /// Units redeemed and not returned.
    pub taken: i64,
    /// Partner perk codes not given yet.
    pub codes_left: i64,
}

/// A voucher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoucherRow {
    pub code: String,
    pub template_id: String,
    /// The template's JSON as it was at issue.
    pub terms: String,
    /// The owner; `None` for a public code.
    pub member_id: Option<i64>,
    /// The owner's external id (filled by reads).
    pub owner: Option<String>,
    /// `active` or `cancelled`.
    pub status: String,
    /// Confirmed uses.
    pub uses: i64,
    pub max_uses: i64,
    pub valid_from: Option<Timestamp>,
    pub valid_until: Option<Timestamp>,
    /// What issued it: `api:<id>`, `redemption:<id>`, `rule:<rule>:<event>`, `benefit:…`,
    /// `import:<id>`, `generate:<id>`.
    pub source: String,
    pub issued_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A checkout's use of a voucher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoucherUseRow {
    pub code: String,
    pub checkout_id: String,
    pub member_id: Option<i64>,
    /// `reserved`, `confirmed` or `released`.
    pub status: String,
    pub discount: i64,
    /// When a reservation not confirmed is released.
    pub until: Timestamp,
    pub updated_at: Timestamp,
}

impl VoucherUseRow {
    /// Whether the use counts at `now`: confirmed, or reserved and not past its deadline.
    pub fn holds_at(&self, now: Timestamp) -> bool {
        self.status == "confirmed" || (self.status == "reserved" && self.until > now)
    }
}

/// A redemption of a catalog item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedemptionRow {
    pub id: String,
    pub member_id: i64,
    /// The member's external id (filled by reads).
    pub member: String,
    pub reward_id: String,
    pub quantity: i64,
    pub points: i64,
    pub status: String,
    /// JSON: what was issued (voucher codes, perk codes).
    pub issued: String,
    /// JSON: fulfilment details (address, tracking, notes).
    pub details: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A checkout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutRow {
    pub id: String,
    pub member_id: Option<i64>,
    pub hold_id: Option<String>,
    /// `pending`, `confirmed`, `cancelled` or `expired`.
    pub status: String,
    /// JSON of the request.
    pub request: String,
    /// JSON of the quote it was redeemed with.
    pub quote: String,
    pub deadline: Timestamp,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A voucher offered to a friend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GiftRow {
    pub token_hash: String,
    pub code: String,
    pub sender_id: i64,
    pub recipient_id: Option<i64>,
    /// `offered`, `claimed`, `returned` or `cancelled`.
    pub status: String,
    pub message: Option<String>,
    /// The name the friend sees as the sender's.
    pub sender_name: Option<String>,
    pub deadline: Timestamp,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Reads of rewards outside a write.
#[async_trait]
pub trait RewardStore: Send + Sync {
    async fn voucher_template(&self, program_id: &str, id: &str) -> Result<Option<DocumentRow>>;
    async fn voucher_templates(&self, program_id: &str) -> Result<Vec<DocumentRow>>;
    /// The templates that apply to every cart.
    async fn automatic_templates(&self, program_id: &str) -> Result<Vec<DocumentRow>>;
    async fn reward(&self, program_id: &str, id: &str) -> Result<Option<RewardRow>>;
    async fn rewards(&self, program_id: &str) -> Result<Vec<RewardRow>>;
    async fn vouchers(&self, program_id: &str, codes: &[&str]) -> Result<Vec<VoucherRow>>;
    /// A template's vouchers by code, at most `limit` of them after the code `after` (for an
    /// export read page by page).
    async fn template_vouchers(
        &self,
        program_id: &str,
        template_id: &str,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<VoucherRow>>;
    /// A member's vouchers, newest first.
    async fn member_vouchers(
        &self,
        program_id: &str,
        member_id: i64,
        limit: u32,
    ) -> Result<Vec<VoucherRow>>;
    /// The uses of some vouchers that count at `now`: reservations not past their deadline,
    /// and `member`'s confirmed uses (others' confirmed uses are counted in `uses`).
    async fn voucher_uses(
        &self,
        program_id: &str,
        codes: &[&str],
        now: Timestamp,
        member: Option<i64>,
    ) -> Result<Vec<VoucherUseRow>>;
    /// Gifts of some vouchers, newest first.
    async fn gifts_of(&self, program_id: &str, codes: &[&str]) -> Result<Vec<GiftRow>>;
    /// The gifts a member made that friends claimed, the latest claimed first.
    async fn gifts_given(
        &self,
        program_id: &str,
        sender_id: i64,
        limit: u32,
    ) -> Result<Vec<GiftRow>>;
    async fn gift(&self, program_id: &str, token_hash: &str) -> Result<Option<GiftRow>>;
    async fn redemption(&self, program_id: &str, id: &str) -> Result<Option<RedemptionRow>>;
    /// A member's redemptions, newest first, created before `before` (an instant) if given.
    async fn member_redemptions(
        &self,
        member_id: i64,
        limit: u32,
        before: Option<Timestamp>,
    ) -> Result<Vec<RedemptionRow>>;
    /// Units of each reward a member redeemed and did not cancel: (reward, ever, since `since`).
    async fn redeemed_counts(
        &self,
        member_id: i64,
        since: Timestamp,
    ) -> Result<Vec<(String, i64, i64)>>;
    async fn checkout(&self, program_id: &str, id: &str) -> Result<Option<CheckoutRow>>;
    /// Pending checkouts past their deadline: (program, id).
    async fn lapsed_checkouts(&self, now: Timestamp, limit: u32) -> Result<Vec<(String, String)>>;
    /// Offered gifts past their deadline: (program, token hash).
    async fn lapsed_gifts(&self, now: Timestamp, limit: u32) -> Result<Vec<(String, String)>>;
    /// External ids of members by internal id: (id, external id).
    async fn external_ids(&self, ids: &[i64]) -> Result<Vec<(i64, String)>>;
}

/// Reward writes inside a write transaction.
#[async_trait]
pub trait RewardsTx: Send {
    /// Creates or replaces a template; true when new.
    async fn save_voucher_template(
        &mut self,
        program_id: &str,
        id: &str,
        body: &str,
        automatic: bool,
        at: Timestamp,
    ) -> Result<bool>;
    async fn voucher_template(&mut self, program_id: &str, id: &str)
    -> Result<Option<DocumentRow>>;
    async fn automatic_templates(&mut self, program_id: &str) -> Result<Vec<DocumentRow>>;
    /// Creates or replaces a catalog item (its `taken` stays); true when new. False and nothing
    /// changed when the new stock is below what was taken.
    async fn save_reward(
        &mut self,
        program_id: &str,
        id: &str,
        body: &str,
        stock: Option<i64>,
        at: Timestamp,
    ) -> Result<Option<bool>>;
    /// A catalog item, locked until the end of the transaction.
    async fn lock_reward(&mut self, program_id: &str, id: &str) -> Result<Option<RewardRow>>;
    /// Takes `n` units of stock; false (nothing taken) when fewer are left.
    async fn take_stock(&mut self, program_id: &str, id: &str, n: i64) -> Result<bool>;
    async fn return_stock(&mut self, program_id: &str, id: &str, n: i64) -> Result<()>;
    /// Adds perk codes to a reward's pool; returns how many were new.
    async fn add_reward_codes(
        &mut self,
        program_id: &str,
        reward_id: &str,
        codes: &[String],
        at: Timestamp,
    ) -> Result<u64>;
    /// Gives `n` free perk codes (in code order) to a redemption; fewer when fewer are left.
    async fn take_reward_codes(
        &mut self,
        program_id: &str,
        reward_id: &str,
        redemption_id: &str,
        n: i64,
        at: Timestamp,
    ) -> Result<Vec<String>>;
    /// Inserts vouchers; returns the codes that existed already (those are not inserted).
    async fn insert_vouchers(
        &mut self,
        program_id: &str,
        rows: &[VoucherRow],
    ) -> Result<Vec<String>>;
    /// Vouchers, locked until the end of the transaction.
    async fn lock_vouchers(&mut self, program_id: &str, codes: &[&str]) -> Result<Vec<VoucherRow>>;
    /// Vouchers a source issued.
    async fn vouchers_from(&mut self, program_id: &str, source: &str) -> Result<Vec<VoucherRow>>;
    /// Sets a voucher's owner, status and confirmed uses.
    async fn update_voucher(
        &mut self,
        program_id: &str,
        code: &str,
        member_id: Option<i64>,
        status: &str,
        uses: i64,
        at: Timestamp,
    ) -> Result<()>;
    /// As [`RewardStore::voucher_uses`].
    async fn voucher_uses(
        &mut self,
        program_id: &str,
        codes: &[&str],
        now: Timestamp,
        member: Option<i64>,
    ) -> Result<Vec<VoucherUseRow>>;
    /// Every use a checkout made.
    async fn checkout_uses(
        &mut self,
        program_id: &str,
        checkout_id: &str,
    ) -> Result<Vec<VoucherUseRow>>;
    /// Inserts or updates uses (by code and checkout).
    async fn save_voucher_uses(&mut self, program_id: &str, rows: &[VoucherUseRow]) -> Result<()>;
    async fn insert_redemption(&mut self, program_id: &str, row: &RedemptionRow) -> Result<()>;
    /// A redemption, locked until the end of the transaction.
    async fn lock_redemption(
        &mut self,
        program_id: &str,
        id: &str,
    ) -> Result<Option<RedemptionRow>>;
    async fn update_redemption(
        &mut self,
        program_id: &str,
        id: &str,
        status: &str,
        details: &str,
        at: Timestamp,
    ) -> Result<()>;
    /// Units of a reward a member redeemed and did not cancel: (ever, since `since`).
    async fn redeemed_count(
        &mut self,
        member_id: i64,
        reward_id: &str,
        since: Timestamp,
    ) -> Result<(i64, i64)>;
    async fn insert_checkout(&mut self, program_id: &str, row: &CheckoutRow) -> Result<()>;
    /// A checkout, locked until the end of the transaction.
    async fn lock_checkout(&mut self, program_id: &str, id: &str) -> Result<Option<CheckoutRow>>;
    async fn set_checkout_status(
        &mut self,
        program_id: &str,
        id: &str,
        status: &str,
        at: Timestamp,
    ) -> Result<()>;
    async fn insert_gift(&mut self, program_id: &str, row: &GiftRow) -> Result<()>;
    /// A gift, locked until the end of the transaction.
    async fn lock_gift(&mut self, program_id: &str, token_hash: &str) -> Result<Option<GiftRow>>;
    async fn gifts_of(&mut self, program_id: &str, codes: &[&str]) -> Result<Vec<GiftRow>>;
    async fn set_gift(
        &mut self,
        program_id: &str,
        token_hash: &str,
        status: &str,
        recipient_id: Option<i64>,
        at: Timestamp,
    ) -> Result<()>;
}

/// The statements of [`RewardStore`] and [`RewardsTx`], for one backend.
macro_rules! rewards_impl {
    ($store:ident, $tx:ident, $db:ty, for_update = $for_update:literal) => {
        mod rewards_sql {
            use jifen_core::Timestamp;

            use super::$store;
            use super::$tx;
            use $crate::backend::{at, us};
            use $crate::{
                CheckoutRow, DocumentRow, GiftRow, RedemptionRow, Result, RewardRow, VoucherRow,
                VoucherUseRow,
            };

            type Conn = <$db as sqlx::Database>::Connection;

            fn opt_at(v: Option<i64>) -> Result<Option<Timestamp>> {
                v.map(at).transpose()
            }

            /// `(…, …)` of binds for a list of strings.
            fn push_list(q: &mut sqlx::QueryBuilder<'_, $db>, items: &[&str]) {
                q.push(" (");
                let mut l = q.separated(", ");
                for item in items {
                    l.push_bind(item.to_string());
                }
                if items.is_empty() {
                    l.push("NULL");
                }
                q.push(")");
            }

            type DocTuple = (String, String, i64, i64);

            fn doc(r: DocTuple) -> Result<DocumentRow> {
                Ok(DocumentRow {
                    id: r.0,
                    body: r.1,
                    created_at: at(r.2)?,
                    updated_at: at(r.3)?,
                })
            }

            pub(super) async fn templates(
                conn: &mut Conn,
                program_id: &str,
                id: Option<&str>,
                automatic_only: bool,
            ) -> Result<Vec<DocumentRow>> {
                let rows: Vec<DocTuple> = sqlx::query_as(
                    "SELECT id, body, created_at, updated_at FROM voucher_templates \
                     WHERE program_id = $1 AND ($2 IS NULL OR id = $2) AND automatic >= $3 \
                     ORDER BY id",
                )
                .bind(program_id)
                .bind(id)
                .bind(i64::from(automatic_only))
                .fetch_all(&mut *conn)
                .await?;
                rows.into_iter().map(doc).collect()
            }

            type RewardTuple = (String, String, i64, i64, Option<i64>, i64, i64);

            pub(super) async fn rewards(
                conn: &mut Conn,
                program_id: &str,
                id: Option<&str>,
                suffix: &str,
            ) -> Result<Vec<RewardRow>> {
                let sql = format!(
                    "SELECT r.id, r.body, r.created_at, r.updated_at, r.stock, r.taken, \
                     (SELECT COUNT(*) FROM reward_codes c WHERE c.program_id = r.program_id \
                      AND c.reward_id = r.id AND c.redemption_id IS NULL) \
                     FROM rewards r WHERE r.program_id = $1 AND ($2 IS NULL OR r.id = $2) \
                     ORDER BY r.id{suffix}"
                );
                let rows: Vec<RewardTuple> = sqlx::query_as(&sql)
                    .bind(program_id)
                    .bind(id)
                    .fetch_all(&mut *conn)
                    .await?;
                rows.into_iter()
                    .map(|r| {
                        Ok(RewardRow {
                            doc: doc((r.0, r.1, r.2, r.3))?,
                            stock: r.4,
                            taken: r.5,
                            codes_left: r.6,
                        })
                    })
                    .collect()
            }

            const VOUCHER_COLUMNS: &str = "v.code, v.template_id, v.terms, v.member_id, \
                m.external_id, v.status, v.uses, v.max_uses, v.valid_from, v.valid_until, \
                v.source, v.issued_at, v.updated_at";

            type VoucherTuple = (
                String,
                String,
                String,
                Option<i64>,
                Option<String>,
                String,
                i64,
                i64,
                Option<i64>,
                Option<i64>,
                String,
                i64,
                i64,
            );

            fn voucher(r: VoucherTuple) -> Result<VoucherRow> {
                Ok(VoucherRow {
                    code: r.0,
                    template_id: r.1,
                    terms: r.2,
                    member_id: r.3,
                    owner: r.4,
                    status: r.5,
                    uses: r.6,
                    max_uses: r.7,
                    valid_from: opt_at(r.8)?,
                    valid_until: opt_at(r.9)?,
                    source: r.10,
                    issued_at: at(r.11)?,
                    updated_at: at(r.12)?,
                })
            }

            /// Vouchers by code, by owner, or by source.
            pub(super) enum VoucherKey<'a> {
                Codes(&'a [&'a str]),
                Member(i64, u32),
                Source(&'a str),
                Template(&'a str, Option<&'a str>, u32),
            }

            pub(super) async fn vouchers(
                conn: &mut Conn,
                program_id: &str,
                key: VoucherKey<'_>,
                lock: bool,
            ) -> Result<Vec<VoucherRow>> {
                // Row locks on PostgreSQL cannot cover the outer join's nullable side.
                let lock = if lock && !$for_update.is_empty() {
                    " FOR UPDATE OF v"
                } else {
                    ""
                };
                let mut q = sqlx::QueryBuilder::<$db>::new(format!(
                    "SELECT {VOUCHER_COLUMNS} FROM vouchers v \
                     LEFT JOIN members m ON m.id = v.member_id WHERE v.program_id = "
                ));
                q.push_bind(program_id.to_owned());
                match key {
                    VoucherKey::Codes(codes) => {
                        q.push(" AND v.code IN");
                        push_list(&mut q, codes);
                        q.push(" ORDER BY v.code");
                    }
                    VoucherKey::Member(member_id, limit) => {
                        q.push(" AND v.member_id = ")
                            .push_bind(member_id)
                            .push(" ORDER BY v.issued_at DESC, v.code LIMIT ")
                            .push_bind(i64::from(limit));
                    }
                    VoucherKey::Source(source) => {
                        q.push(" AND v.source = ")
                            .push_bind(source.to_owned())
                            .push(" ORDER BY v.code");
                    }
                    VoucherKey::Template(template, after, limit) => {
                        q.push(" AND v.template_id = ").push_bind(template.to_owned());
                        if let Some(after) = after {
                            q.push(" AND v.code > ").push_bind(after.to_owned());
                        }
                        q.push(" ORDER BY v.code LIMIT ")
                            .push_bind(i64::from(limit));
                    }
                }
                q.push(lock);
                let rows: Vec<VoucherTuple> = q
                    .build_query_as()
                    .persistent(false)
                    .fetch_all(&mut *conn)
                    .await?;
                rows.into_iter().map(voucher).collect()
            }

            type UseTuple = (String, String, Option<i64>, String, i64, i64, i64);

            /// Which uses a read wants.
            pub(super) enum UseKey<'a> {
                /// Of these codes, those that count at an instant for a member.
                Live(&'a [&'a str], Timestamp, Option<i64>),
                /// A checkout's.
                Checkout(&'a str),
            }

            pub(super) async fn uses(
                conn: &mut Conn,
                program_id: &str,
                key: UseKey<'_>,
            ) -> Result<Vec<VoucherUseRow>> {
                let mut q = sqlx::QueryBuilder::<$db>::new(
                    "SELECT code, checkout_id, member_id, status, discount, until, updated_at \
                     FROM voucher_uses WHERE program_id = ",
                );
                q.push_bind(program_id.to_owned());
                match key {
                    UseKey::Live(codes, now, member) => {
                        q.push(" AND code IN");
                        push_list(&mut q, codes);
                        q.push(" AND ((status = 'reserved' AND until > ")
                            .push_bind(us(now))
                            .push(") OR (status = 'confirmed' AND member_id = ")
                            .push_bind(member)
                            .push("))");
                    }
                    UseKey::Checkout(id) => {
                        q.push(" AND checkout_id = ").push_bind(id.to_owned());
                    }
                }
                q.push(" ORDER BY code, checkout_id");
                let rows: Vec<UseTuple> = q
                    .build_query_as()
                    .persistent(false)
                    .fetch_all(&mut *conn)
                    .await?;
                rows.into_iter()
                    .map(|r| {
                        Ok(VoucherUseRow {
                            code: r.0,
                            checkout_id: r.1,
                            member_id: r.2,
                            status: r.3,
                            discount: r.4,
                            until: at(r.5)?,
                            updated_at: at(r.6)?,
                        })
                    })
                    .collect()
            }

            type GiftTuple = (
                String,
                String,
                i64,
                Option<i64>,
                String,
                Option<String>,
                Option<String>,
                i64,
                i64,
                i64,
            );

            pub(super) async fn gifts(
                conn: &mut Conn,
                program_id: &str,
                token_hash: Option<&str>,
                codes: &[&str],
                suffix: &str,
                sender: Option<(i64, u32)>,
            ) -> Result<Vec<GiftRow>> {
                let mut q = sqlx::QueryBuilder::<$db>::new(
                    "SELECT token_hash, code, sender_id, recipient_id, status, message, \
                     sender_name, deadline, created_at, updated_at FROM gifts \
                     WHERE program_id = ",
                );
                q.push_bind(program_id.to_owned());
                match (token_hash, sender) {
                    (Some(t), _) => {
                        q.push(" AND token_hash = ").push_bind(t.to_owned());
                    }
                    (None, Some((sender_id, limit))) => {
                        q.push(" AND sender_id = ").push_bind(sender_id);
                        q.push(" AND status = 'claimed' ORDER BY updated_at DESC LIMIT ")
                            .push_bind(i64::from(limit));
                    }
                    (None, None) => {
                        q.push(" AND code IN");
                        push_list(&mut q, codes);
                        q.push(" ORDER BY created_at DESC");
                    }
                }
                q.push(suffix.to_owned());
                let rows: Vec<GiftTuple> = q
                    .build_query_as()
                    .persistent(false)
                    .fetch_all(&mut *conn)
                    .await?;
                rows.into_iter()
                    .map(|r| {
                        Ok(GiftRow {
                            token_hash: r.0,
                            code: r.1,
                            sender_id: r.2,
                            recipient_id: r.3,
                            status: r.4,
                            message: r.5,
                            sender_name: r.6,
                            deadline: at(r.7)?,
                            created_at: at(r.8)?,
                            updated_at: at(r.9)?,
                        })
                    })
                    .collect()
            }

            type RedemptionTuple = (
                String,
                i64,
                String,
                String,
                i64,
                i64,
                String,
                String,
                String,
                i64,
                i64,
            );

            fn redemption(r: RedemptionTuple) -> Result<RedemptionRow> {
                Ok(RedemptionRow {
                    id: r.0,
                    member_id: r.1,
                    member: r.2,
                    reward_id: r.3,
                    quantity: r.4,
                    points: r.5,
                    status: r.6,
                    issued: r.7,
                    details: r.8,
                    created_at: at(r.9)?,
                    updated_at: at(r.10)?,
                })
            }

            const REDEMPTION_COLUMNS: &str = "r.id, r.member_id, m.external_id, r.reward_id, \
                r.quantity, r.points, r.status, r.issued, r.details, r.created_at, r.updated_at";

            pub(super) async fn redemptions(
                conn: &mut Conn,
                program_id: &str,
                id: &str,
                lock: bool,
            ) -> Result<Option<RedemptionRow>> {
                let lock = if lock && !$for_update.is_empty() {
                    " FOR UPDATE OF r"
                } else {
                    ""
                };
                let sql = format!(
                    "SELECT {REDEMPTION_COLUMNS} FROM reward_redemptions r \
                     JOIN members m ON m.id = r.member_id \
                     WHERE r.program_id = $1 AND r.id = $2{lock}"
                );
                let row: Option<RedemptionTuple> = sqlx::query_as(&sql)
                    .bind(program_id)
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await?;
                row.map(redemption).transpose()
            }

            pub(super) async fn counts(
                conn: &mut Conn,
                member_id: i64,
                reward_id: Option<&str>,
                since: Timestamp,
            ) -> Result<Vec<(String, i64, i64)>> {
                let rows: Vec<(String, Option<i64>, Option<i64>)> = sqlx::query_as(
                    "SELECT reward_id, CAST(SUM(quantity) AS BIGINT), \
                     CAST(SUM(CASE WHEN created_at >= $2 THEN quantity ELSE 0 END) AS BIGINT) \
                     FROM reward_redemptions WHERE member_id = $1 AND status <> 'cancelled' \
                     AND ($3 IS NULL OR reward_id = $3) GROUP BY reward_id ORDER BY reward_id",
                )
                .bind(member_id)
                .bind(us(since))
                .bind(reward_id)
                .fetch_all(&mut *conn)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(r, a, b)| (r, a.unwrap_or(0), b.unwrap_or(0)))
                    .collect())
            }

            type CheckoutTuple = (
                String,
                Option<i64>,
                Option<String>,
                String,
                String,
                String,
                i64,
                i64,
                i64,
            );

            pub(super) async fn checkout(
                conn: &mut Conn,
                program_id: &str,
                id: &str,
                suffix: &str,
            ) -> Result<Option<CheckoutRow>> {
                let sql = format!(
                    "SELECT id, member_id, hold_id, status, request, quote, deadline, \
                     created_at, updated_at FROM checkouts \
                     WHERE program_id = $1 AND id = $2{suffix}"
                );
                let row: Option<CheckoutTuple> = sqlx::query_as(&sql)
                    .bind(program_id)
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await?;
                row.map(|r| {
                    Ok(CheckoutRow {
                        id: r.0,
                        member_id: r.1,
                        hold_id: r.2,
                        status: r.3,
                        request: r.4,
                        quote: r.5,
                        deadline: at(r.6)?,
                        created_at: at(r.7)?,
                        updated_at: at(r.8)?,
                    })
                })
                .transpose()
            }

            #[async_trait::async_trait]
            impl $crate::RewardStore for $store {
                async fn voucher_template(
                    &self,
                    program_id: &str,
                    id: &str,
                ) -> Result<Option<DocumentRow>> {
                    let mut conn = self.reader().acquire().await?;
                    Ok(templates(&mut conn, program_id, Some(id), false).await?.pop())
                }

                async fn voucher_templates(&self, program_id: &str) -> Result<Vec<DocumentRow>> {
                    let mut conn = self.reader().acquire().await?;
                    templates(&mut conn, program_id, None, false).await
                }

                async fn automatic_templates(
                    &self,
                    program_id: &str,
                ) -> Result<Vec<DocumentRow>> {
                    let mut conn = self.reader().acquire().await?;
                    templates(&mut conn, program_id, None, true).await
                }

                async fn reward(&self, program_id: &str, id: &str) -> Result<Option<RewardRow>> {
                    let mut conn = self.reader().acquire().await?;
                    Ok(rewards(&mut conn, program_id, Some(id), "").await?.pop())
                }

                async fn rewards(&self, program_id: &str) -> Result<Vec<RewardRow>> {
                    let mut conn = self.reader().acquire().await?;
                    rewards(&mut conn, program_id, None, "").await
                }

                async fn vouchers(
                    &self,
                    program_id: &str,
                    codes: &[&str],
                ) -> Result<Vec<VoucherRow>> {
                    let mut conn = self.reader().acquire().await?;
                    vouchers(&mut conn, program_id, VoucherKey::Codes(codes), false).await
                }

                async fn template_vouchers(
                    &self,
                    program_id: &str,
                    template_id: &str,
                    after: Option<&str>,
                    limit: u32,
                ) -> Result<Vec<VoucherRow>> {
                    let mut conn = self.reader().acquire().await?;
                    let key = VoucherKey::Template(template_id, after, limit);
                    vouchers(&mut conn, program_id, key, false).await
                }

                async fn member_vouchers(
                    &self,
                    program_id: &str,
                    member_id: i64,
                    limit: u32,
                ) -> Result<Vec<VoucherRow>> {
                    let mut conn = self.reader().acquire().await?;
                    let key = VoucherKey::Member(member_id, limit);
                    vouchers(&mut conn, program_id, key, false).await
                }

                async fn voucher_uses(
                    &self,
                    program_id: &str,
                    codes: &[&str],
                    now: Timestamp,
                    member: Option<i64>,
                ) -> Result<Vec<VoucherUseRow>> {
                    let mut conn = self.reader().acquire().await?;
                    uses(&mut conn, program_id, UseKey::Live(codes, now, member)).await
                }

                async fn gifts_of(&self, program_id: &str, codes: &[&str]) -> Result<Vec<GiftRow>> {
                    let mut conn = self.reader().acquire().await?;
                    gifts(&mut conn, program_id, None, codes, "", None).await
                }

                async fn gifts_given(
                    &self,
                    program_id: &str,
                    sender_id: i64,
                    limit: u32,
                ) -> Result<Vec<GiftRow>> {
                    let mut conn = self.reader().acquire().await?;
                    gifts(&mut conn, program_id, None, &[], "", Some((sender_id, limit))).await
                }

                async fn gift(&self, program_id: &str, token_hash: &str) -> Result<Option<GiftRow>> {
                    let mut conn = self.reader().acquire().await?;
                    Ok(gifts(&mut conn, program_id, Some(token_hash), &[], "", None).await?.pop())
                }

                async fn redemption(
                    &self,
                    program_id: &str,
                    id: &str,
                ) -> Result<Option<RedemptionRow>> {
                    let mut conn = self.reader().acquire().await?;
                    redemptions(&mut conn, program_id, id, false).await
                }

                async fn member_redemptions(
                    &self,
                    member_id: i64,
                    limit: u32,
                    before: Option<Timestamp>,
                ) -> Result<Vec<RedemptionRow>> {
                    let sql = format!(
                        "SELECT {REDEMPTION_COLUMNS} FROM reward_redemptions r \
                         JOIN members m ON m.id = r.member_id \
                         WHERE r.member_id = $1 AND r.created_at < $2 \
                         ORDER BY r.created_at DESC, r.id DESC LIMIT $3"
                    );
                    let rows: Vec<RedemptionTuple> = sqlx::query_as(&sql)
                        .bind(member_id)
                        .bind(before.map_or(i64::MAX, us))
                        .bind(i64::from(limit))
                        .fetch_all(self.reader())
                        .await?;
                    rows.into_iter().map(redemption).collect()
                }

                async fn redeemed_counts(
                    &self,
                    member_id: i64,
                    since: Timestamp,
                ) -> Result<Vec<(String, i64, i64)>> {
                    let mut conn = self.reader().acquire().await?;
                    counts(&mut conn, member_id, None, since).await
                }

                async fn checkout(&self, program_id: &str, id: &str) -> Result<Option<CheckoutRow>> {
                    let mut conn = self.reader().acquire().await?;
                    checkout(&mut conn, program_id, id, "").await
                }

                async fn lapsed_checkouts(
                    &self,
                    now: Timestamp,
                    limit: u32,
                ) -> Result<Vec<(String, String)>> {
                    Ok(sqlx::query_as(
                        "SELECT program_id, id FROM checkouts \
                         WHERE status = 'pending' AND deadline <= $1 ORDER BY deadline LIMIT $2",
                    )
                    .bind(us(now))
                    .bind(i64::from(limit))
                    .fetch_all(self.reader())
                    .await?)
                }

                async fn lapsed_gifts(
                    &self,
                    now: Timestamp,
                    limit: u32,
                ) -> Result<Vec<(String, String)>> {
                    Ok(sqlx::query_as(
                        "SELECT program_id, token_hash FROM gifts \
                         WHERE status = 'offered' AND deadline <= $1 ORDER BY deadline LIMIT $2",
                    )
                    .bind(us(now))
                    .bind(i64::from(limit))
                    .fetch_all(self.reader())
                    .await?)
                }

                async fn external_ids(&self, ids: &[i64]) -> Result<Vec<(i64, String)>> {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "SELECT id, external_id FROM members WHERE id IN (",
                    );
                    let mut l = q.separated(", ");
                    for id in ids {
                        l.push_bind(*id);
                    }
                    if ids.is_empty() {
                        l.push("NULL");
                    }
                    q.push(")");
                    Ok(q.build_query_as().persistent(false).fetch_all(self.reader()).await?)
                }
            }

            #[async_trait::async_trait]
            impl $crate::RewardsTx for $tx {
                async fn save_voucher_template(
                    &mut self,
                    program_id: &str,
                    id: &str,
                    body: &str,
                    automatic: bool,
                    at: Timestamp,
                ) -> Result<bool> {
                    let existed = !templates(&mut self.tx, program_id, Some(id), false)
                        .await?
                        .is_empty();
                    sqlx::query(
                        "INSERT INTO voucher_templates \
                         (program_id, id, body, automatic, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (program_id, id) DO UPDATE \
                         SET body = excluded.body, automatic = excluded.automatic, \
                         updated_at = excluded.updated_at",
                    )
                    .bind(program_id)
                    .bind(id)
                    .bind(body)
                    .bind(i64::from(automatic))
                    .bind(us(at))
                    .execute(&mut *self.tx)
                    .await?;
                    Ok(!existed)
                }

                async fn voucher_template(
                    &mut self,
                    program_id: &str,
                    id: &str,
                ) -> Result<Option<DocumentRow>> {
                    Ok(templates(&mut self.tx, program_id, Some(id), false).await?.pop())
                }

                async fn automatic_templates(
                    &mut self,
                    program_id: &str,
                ) -> Result<Vec<DocumentRow>> {
                    templates(&mut self.tx, program_id, None, true).await
                }

                async fn save_reward(
                    &mut self,
                    program_id: &str,
                    id: &str,
                    body: &str,
                    stock: Option<i64>,
                    at: Timestamp,
                ) -> Result<Option<bool>> {
                    let existing = rewards(&mut self.tx, program_id, Some(id), $for_update)
                        .await?
                        .pop();
                    if let (Some(r), Some(stock)) = (&existing, stock)
                        && stock < r.taken
                    {
                        return Ok(None);
                    }
                    sqlx::query(
                        "INSERT INTO rewards (program_id, id, body, stock, taken, created_at, \
                         updated_at) VALUES ($1, $2, $3, $4, 0, $5, $5) \
                         ON CONFLICT (program_id, id) DO UPDATE SET body = excluded.body, \
                         stock = excluded.stock, updated_at = excluded.updated_at",
                    )
                    .bind(program_id)
                    .bind(id)
                    .bind(body)
                    .bind(stock)
                    .bind(us(at))
                    .execute(&mut *self.tx)
                    .await?;
                    Ok(Some(existing.is_none()))
                }

                async fn lock_reward(
                    &mut self,
                    program_id: &str,
                    id: &str,
                ) -> Result<Option<RewardRow>> {
                    Ok(rewards(&mut self.tx, program_id, Some(id), $for_update)
                        .await?
                        .pop())
                }

                async fn take_stock(&mut self, program_id: &str, id: &str, n: i64) -> Result<bool> {
                    let done = sqlx::query(
                        "UPDATE rewards SET taken = taken + $3 WHERE program_id = $1 AND id = $2 \
                         AND (stock IS NULL OR taken + $3 <= stock)",
                    )
                    .bind(program_id)
                    .bind(id)
                    .bind(n)
                    .execute(&mut *self.tx)
                    .await?;
                    Ok(done.rows_affected() == 1)
                }

                async fn return_stock(&mut self, program_id: &str, id: &str, n: i64) -> Result<()> {
                    sqlx::query(
                        "UPDATE rewards SET taken = taken - $3 WHERE program_id = $1 AND id = $2",
                    )
                    .bind(program_id)
                    .bind(id)
                    .bind(n)
                    .execute(&mut *self.tx)
                    .await?;
                    Ok(())
                }

                async fn add_reward_codes(
                    &mut self,
                    program_id: &str,
                    reward_id: &str,
                    codes: &[String],
                    at: Timestamp,
                ) -> Result<u64> {
                    let mut added = 0;
                    for chunk in codes.chunks(500) {
                        let mut q = sqlx::QueryBuilder::<$db>::new(
                            "INSERT INTO reward_codes (program_id, reward_id, code, added_at) ",
                        );
                        q.push_values(chunk, |mut b, code| {
                            b.push_bind(program_id.to_owned())
                                .push_bind(reward_id.to_owned())
                                .push_bind(code.clone())
                                .push_bind(us(at));
                        });
                        q.push(" ON CONFLICT DO NOTHING");
                        added += q
                            .build()
                            .persistent(false)
                            .execute(&mut *self.tx)
                            .await?
                            .rows_affected();
                    }
                    Ok(added)
                }

                async fn take_reward_codes(
                    &mut self,
                    program_id: &str,
                    reward_id: &str,
                    redemption_id: &str,
                    n: i64,
                    at: Timestamp,
                ) -> Result<Vec<String>> {
                    let mut codes: Vec<String> = sqlx::query_scalar(&format!(
                        "SELECT code FROM reward_codes WHERE program_id = $1 AND reward_id = $2 \
                         AND redemption_id IS NULL ORDER BY code LIMIT $3{}",
                        $for_update
                    ))
                    .bind(program_id)
                    .bind(reward_id)
                    .bind(n)
                    .fetch_all(&mut *self.tx)
                    .await?;
                    codes.sort();
                    for code in &codes {
                        sqlx::query(
                            "UPDATE reward_codes SET redemption_id = $4, taken_at = $5 \
                             WHERE program_id = $1 AND reward_id = $2 AND code = $3",
                        )
                        .bind(program_id)
                        .bind(reward_id)
                        .bind(code)
                        .bind(redemption_id)
                        .bind(us(at))
                        .execute(&mut *self.tx)
                        .await?;
                    }
                    Ok(codes)
                }

                async fn insert_vouchers(
                    &mut self,
                    program_id: &str,
                    rows: &[VoucherRow],
                ) -> Result<Vec<String>> {
                    let mut taken = Vec::new();
                    for chunk in rows.chunks(500) {
                        let mut q = sqlx::QueryBuilder::<$db>::new(
                            "INSERT INTO vouchers (program_id, code, template_id, terms, \
                             member_id, status, uses, max_uses, valid_from, valid_until, source, \
                             issued_at, updated_at) ",
                        );
                        q.push_values(chunk, |mut b, v| {
                            b.push_bind(program_id.to_owned())
                                .push_bind(v.code.clone())
                                .push_bind(v.template_id.clone())
                                .push_bind(v.terms.clone())
                                .push_bind(v.member_id)
                                .push_bind(v.status.clone())
                                .push_bind(v.uses)
                                .push_bind(v.max_uses)
                                .push_bind(v.valid_from.map(us))
                                .push_bind(v.valid_until.map(us))
                                .push_bind(v.source.clone())
                                .push_bind(us(v.issued_at))
                                .push_bind(us(v.updated_at));
                        });
                        q.push(" ON CONFLICT DO NOTHING RETURNING code");
                        let inserted: Vec<String> = q
                            .build_query_scalar()
                            .persistent(false)
                            .fetch_all(&mut *self.tx)
                            .await?;
                        taken.extend(
                            chunk
                                .iter()
                                .filter(|v| !inserted.contains(&v.code))
                                .map(|v| v.code.clone()),
                        );
                    }
                    // Each voucher issued to a member is a `voucher.issued` webhook message.
                    let issued: Vec<&VoucherRow> = rows
                        .iter()
                        .filter(|v| v.member_id.is_some() && !taken.contains(&v.code))
                        .collect();
                    if !issued.is_empty()
                        && super::webhook_wanted_in(
                            &mut self.tx,
                            program_id,
                            $crate::webhooks::kind::VOUCHER_ISSUED,
                        )
                        .await?
                    {
                        let mut ids: Vec<i64> = issued.iter().filter_map(|v| v.member_id).collect();
                        ids.sort_unstable();
                        ids.dedup();
                        let external = super::webhook_external_ids_in(&mut self.tx, &ids).await?;
                        let messages: Vec<$crate::webhooks::NewWebhookMessage> = issued
                            .iter()
                            .map(|v| {
                                let member = v
                                    .member_id
                                    .and_then(|m| external.get(&m))
                                    .map(String::as_str)
                                    .unwrap_or("");
                                $crate::webhooks::voucher_message(member, v)
                            })
                            .collect();
                        super::webhook_enqueue_in(&mut self.tx, program_id, &messages).await?;
                    }
                    Ok(taken)
                }

                async fn lock_vouchers(
                    &mut self,
                    program_id: &str,
                    codes: &[&str],
                ) -> Result<Vec<VoucherRow>> {
                    vouchers(&mut self.tx, program_id, VoucherKey::Codes(codes), true).await
                }

                async fn vouchers_from(
                    &mut self,
                    program_id: &str,
                    source: &str,
                ) -> Result<Vec<VoucherRow>> {
                    vouchers(&mut self.tx, program_id, VoucherKey::Source(source), true).await
                }

                async fn update_voucher(
                    &mut self,
                    program_id: &str,
                    code: &str,
                    member_id: Option<i64>,
                    status: &str,
                    uses: i64,
                    at: Timestamp,
                ) -> Result<()> {
                    sqlx::query(
                        "UPDATE vouchers SET member_id = $3, status = $4, uses = $5, \
                         updated_at = $6 WHERE program_id = $1 AND code = $2",
                    )
                    .bind(program_id)
                    .bind(code)
                    .bind(member_id)
                    .bind(status)
                    .bind(uses)
                    .bind(us(at))
                    .execute(&mut *self.tx)
                    .await?;
                    Ok(())
                }

                async fn voucher_uses(
                    &mut self,
                    program_id: &str,
                    codes: &[&str],
                    now: Timestamp,
                    member: Option<i64>,
                ) -> Result<Vec<VoucherUseRow>> {
                    uses(&mut self.tx, program_id, UseKey::Live(codes, now, member)).await
                }

                async fn checkout_uses(
                    &mut self,
                    program_id: &str,
                    checkout_id: &str,
                ) -> Result<Vec<VoucherUseRow>> {
                    uses(&mut self.tx, program_id, UseKey::Checkout(checkout_id)).await
                }

                async fn save_voucher_uses(
                    &mut self,
                    program_id: &str,
                    rows: &[VoucherUseRow],
                ) -> Result<()> {
                    for r in rows {
                        sqlx::query(
                            "INSERT INTO voucher_uses (program_id, code, checkout_id, member_id, \
                             status, discount, until, updated_at) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                             ON CONFLICT (program_id, code, checkout_id) DO UPDATE \
                             SET status = excluded.status, updated_at = excluded.updated_at",
                        )
                        .bind(program_id)
                        .bind(&r.code)
                        .bind(&r.checkout_id)
                        .bind(r.member_id)
                        .bind(&r.status)
                        .bind(r.discount)
                        .bind(us(r.until))
                        .bind(us(r.updated_at))
                        .execute(&mut *self.tx)
                        .await?;
                    }
                    Ok(())
                }

                async fn insert_redemption(
                    &mut self,
                    program_id: &str,
                    r: &RedemptionRow,
                ) -> Result<()> {
                    sqlx::query(
                        "INSERT INTO reward_redemptions (program_id, id, member_id, reward_id, \
                         quantity, points, status, issued, details, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                    )
                    .bind(program_id)
                    .bind(&r.id)
                    .bind(r.member_id)
                    .bind(&r.reward_id)
                    .bind(r.quantity)
                    .bind(r.points)
                    .bind(&r.status)
                    .bind(&r.issued)
                    .bind(&r.details)
                    .bind(us(r.created_at))
                    .bind(us(r.updated_at))
                    .execute(&mut *self.tx)
                    .await?;
                    let message = $crate::webhooks::redemption_message(r);
                    super::webhook_enqueue_in(
                        &mut self.tx,
                        program_id,
                        std::slice::from_ref(&message),
                    )
                    .await?;
                    Ok(())
                }

                async fn lock_redemption(
                    &mut self,
                    program_id: &str,
                    id: &str,
                ) -> Result<Option<RedemptionRow>> {
                    redemptions(&mut self.tx, program_id, id, true).await
                }

                async fn update_redemption(
                    &mut self,
                    program_id: &str,
                    id: &str,
                    status: &str,
                    details: &str,
                    at: Timestamp,
                ) -> Result<()> {
                    sqlx::query(
                        "UPDATE reward_redemptions SET status = $3, details = $4, updated_at = $5 \
                         WHERE program_id = $1 AND id = $2",
                    )
                    .bind(program_id)
                    .bind(id)
                    .bind(status)
                    .bind(details)
                    .bind(us(at))
                    .execute(&mut *self.tx)
                    .await?;
                    Ok(())
                }

                async fn redeemed_count(
                    &mut self,
                    member_id: i64,
                    reward_id: &str,
                    since: Timestamp,
                ) -> Result<(i64, i64)> {
                    let rows = counts(&mut self.tx, member_id, Some(reward_id), since).await?;
                    Ok(rows.first().map_or((0, 0), |(_, a, b)| (*a, *b)))
                }

                async fn insert_checkout(
                    &mut self,
                    program_id: &str,
                    r: &CheckoutRow,
                ) -> Result<()> {
                    sqlx::query(
                        "INSERT INTO checkouts (program_id, id, member_id, hold_id, status, \
                         request, quote, deadline, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    )
                    .bind(program_id)
                    .bind(&r.id)
                    .bind(r.member_id)
                    .bind(&r.hold_id)
                    .bind(&r.status)
                    .bind(&r.request)
                    .bind(&r.quote)
                    .bind(us(r.deadline))
                    .bind(us(r.created_at))
                    .bind(us(r.updated_at))
                    .execute(&mut *self.tx)
                    .await?;
                    Ok(())
                }

                async fn lock_checkout(
                    &mut self,
                    program_id: &str,
                    id: &str,
                ) -> Result<Option<CheckoutRow>> {
                    checkout(&mut self.tx, program_id, id, $for_update).await
                }

                async fn set_checkout_status(
                    &mut self,
                    program_id: &str,
                    id: &str,
                    status: &str,
                    at: Timestamp,
                ) -> Result<()> {
                    sqlx::query(
                        "UPDATE checkouts SET status = $3, updated_at = $4 \
                         WHERE program_id = $1 AND id = $2",
                    )
                    .bind(program_id)
                    .bind(id)
                    .bind(status)
                    .bind(us(at))
                    .execute(&mut *self.tx)
                    .await?;
                    Ok(())
                }

                async fn insert_gift(&mut self, program_id: &str, g: &GiftRow) -> Result<()> {
                    sqlx::query(
                        "INSERT INTO gifts (program_id, token_hash, code, sender_id, \
                         recipient_id, status, message, sender_name, deadline, created_at, \
                         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                    )
                    .bind(program_id)
                    .bind(&g.token_hash)
                    .bind(&g.code)
                    .bind(g.sender_id)
                    .bind(g.recipient_id)
                    .bind(&g.status)
                    .bind(&g.message)
                    .bind(&g.sender_name)
                    .bind(us(g.deadline))
                    .bind(us(g.created_at))
                    .bind(us(g.updated_at))
                    .execute(&mut *self.tx)
                    .await?;
                    Ok(())
                }

                async fn lock_gift(
                    &mut self,
                    program_id: &str,
                    token_hash: &str,
                ) -> Result<Option<GiftRow>> {
                    Ok(
                        gifts(&mut self.tx, program_id, Some(token_hash), &[], $for_update, None)
                            .await?
                            .pop(),
                    )
                }

                async fn gifts_of(
                    &mut self,
                    program_id: &str,
                    codes: &[&str],
                ) -> Result<Vec<GiftRow>> {
                    gifts(&mut self.tx, program_id, None, codes, "", None).await
                }

                async fn set_gift(
                    &mut self,
                    program_id: &str,
                    token_hash: &str,
                    status: &str,
                    recipient_id: Option<i64>,
                    at: Timestamp,
                ) -> Result<()> {
                    sqlx::query(
                        "UPDATE gifts SET status = $3, recipient_id = $4, updated_at = $5 \
                         WHERE program_id = $1 AND token_hash = $2",
                    )
                    .bind(program_id)
                    .bind(token_hash)
                    .bind(status)
                    .bind(recipient_id)
                    .bind(us(at))
                    .execute(&mut *self.tx)
                    .await?;
                    // A claim is a `gift.claimed` webhook message, in this transaction.
                    if status == "claimed"
                        && super::webhook_wanted_in(
                            &mut self.tx,
                            program_id,
                            $crate::webhooks::kind::GIFT_CLAIMED,
                        )
                        .await?
                    {
                        let (code, sender_id): (String, i64) = sqlx::query_as(
                            "SELECT code, sender_id FROM gifts                              WHERE program_id = $1 AND token_hash = $2",
                        )
                        .bind(program_id)
                        .bind(token_hash)
                        .fetch_one(&mut *self.tx)
                        .await?;
                        let ids: Vec<i64> =
                            std::iter::once(sender_id).chain(recipient_id).collect();
                        let external = super::webhook_external_ids_in(&mut self.tx, &ids).await?;
                        let name = |id: Option<i64>| {
                            id.and_then(|i| external.get(&i)).cloned().unwrap_or_default()
                        };
                        let message = $crate::webhooks::gift_claimed_message(
                            &code,
                            &name(Some(sender_id)),
                            &name(recipient_id),
                            at,
                        );
                        super::webhook_enqueue_in(
                            &mut self.tx,
                            program_id,
                            std::slice::from_ref(&message),
                        )
                        .await?;
                    }
                    Ok(())
                }
            }
        }
    };
}

pub(crate) use rewards_impl;
