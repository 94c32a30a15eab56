//! What the SQLite and PostgreSQL stores share: row shapes, conversions, and the SQL itself.
//!
//! Both schemas keep instants as microseconds since the epoch in 64-bit integers, JSON as text
//! and counters as 64-bit integers, so one set of statements serves both. The statements live in
//! [`store_impl!`], expanded once per backend with its pool and transaction types; what differs
//! (row locks, how a write transaction begins) is passed in.

use chrono::{DateTime, NaiveDate, Utc};
use jifen_core::{Cause, CauseKind, Entry, EntryKind, HoldRecord, Lot, PointPolicy, Timestamp};

use crate::{ApiKey, Identity, Member, Order, Program, StoreError, StoredEntry};

pub(crate) fn us(t: Timestamp) -> i64 {
    t.timestamp_micros()
}

pub(crate) fn at(us: i64) -> Result<Timestamp, StoreError> {
    DateTime::<Utc>::from_timestamp_micros(us)
        .ok_or_else(|| StoreError::Corrupt(format!("instant out of range: {us}")))
}

fn json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

#[derive(sqlx::FromRow)]
pub(crate) struct ProgramRow {
    id: String,
    name: String,
    timezone: String,
    currency: String,
    policy: String,
    demo: i64,
    created_at: i64,
    rate_limit: Option<String>,
}

impl ProgramRow {
    pub(crate) fn into_program(self) -> Result<Program, StoreError> {
        Ok(Program {
            policy: json::<PointPolicy>(&self.policy, "program policy")?,
            id: self.id,
            name: self.name,
            timezone: self.timezone,
            currency: self.currency,
            demo: self.demo != 0,
            created_at: at(self.created_at)?,
            rate_limit: self
                .rate_limit
                .as_deref()
                .map(|t| json(t, "program rate limit"))
                .transpose()?,
        })
    }
}

pub(crate) fn policy_text(policy: &PointPolicy) -> String {
    serde_json::to_string(policy).unwrap_or_default()
}

#[derive(sqlx::FromRow)]
pub(crate) struct ApiKeyRow {
    id: String,
    program_id: String,
    name: String,
    prefix: String,
    hash: String,
    created_at: i64,
    revoked_at: Option<i64>,
    partner_id: Option<String>,
}

impl ApiKeyRow {
    pub(crate) fn into_key(self) -> Result<ApiKey, StoreError> {
        Ok(ApiKey {
            id: self.id,
            program_id: self.program_id,
            name: self.name,
            prefix: self.prefix,
            hash: self.hash,
            created_at: at(self.created_at)?,
            revoked_at: self.revoked_at.map(at).transpose()?,
            partner_id: self.partner_id,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct MemberRow {
    pub(crate) id: i64,
    program_id: String,
    external_id: String,
    name: Option<String>,
    phone: Option<String>,
    birthday: Option<String>,
    gender: Option<String>,
    city: Option<String>,
    attributes: String,
    status: String,
    enrolled_at: i64,
    updated_at: i64,
}

impl MemberRow {
    pub(crate) fn into_member(self, identities: Vec<Identity>) -> Result<Member, StoreError> {
        let birthday = self
            .birthday
            .as_deref()
            .map(|d| {
                NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .map_err(|e| StoreError::Corrupt(format!("birthday {d}: {e}")))
            })
            .transpose()?;
        Ok(Member {
            id: self.id,
            program_id: self.program_id,
            external_id: self.external_id,
            name: self.name,
            phone: self.phone,
            birthday,
            gender: self.gender,
            city: self.city,
            attributes: json(&self.attributes, "member attributes")?,
            status: self.status,
            identities,
            enrolled_at: at(self.enrolled_at)?,
            updated_at: at(self.updated_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct IdentityRow {
    pub(crate) member_id: i64,
    kind: String,
    value: String,
}

impl IdentityRow {
    pub(crate) fn into_identity(self) -> Identity {
        Identity {
            kind: self.kind,
            value: self.value,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct LotRow {
    lot_no: i64,
    amount: i64,
    available_at: i64,
    expires_at: Option<i64>,
    order_id: Option<String>,
    created_at: i64,
}

impl LotRow {
    pub(crate) fn into_lot(self) -> Result<Lot, StoreError> {
        Ok(Lot {
            id: self.lot_no,
            amount: self.amount,
            available_at: at(self.available_at)?,
            expires_at: self.expires_at.map(at).transpose()?,
            order_id: self.order_id,
            created_at: at(self.created_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct HoldRow {
    id: String,
    pub(crate) member_id: i64,
    points: i64,
    created_at: i64,
    deadline: i64,
}

impl HoldRow {
    pub(crate) fn into_hold(self) -> Result<HoldRecord, StoreError> {
        Ok(HoldRecord {
            id: self.id,
            points: self.points,
            created_at: at(self.created_at)?,
            deadline: at(self.deadline)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct EntryRow {
    seq: i64,
    kind: String,
    points: i64,
    lot_no: Option<i64>,
    hold_id: Option<String>,
    order_id: Option<String>,
    cause_kind: String,
    cause_id: String,
    reason: Option<String>,
    effective_at: i64,
    recorded_at: i64,
}

impl EntryRow {
    pub(crate) fn into_stored(self) -> Result<StoredEntry, StoreError> {
        let kind = EntryKind::parse(&self.kind)
            .ok_or_else(|| StoreError::Corrupt(format!("entry kind {}", self.kind)))?;
        let cause_kind = CauseKind::parse(&self.cause_kind)
            .ok_or_else(|| StoreError::Corrupt(format!("cause kind {}", self.cause_kind)))?;
        Ok(StoredEntry {
            entry: Entry {
                seq: self.seq,
                kind,
                points: self.points,
                lot: self.lot_no,
                hold: self.hold_id,
                order_id: self.order_id,
                cause: Cause::new(cause_kind, self.cause_id),
                reason: self.reason,
                effective_at: at(self.effective_at)?,
            },
            recorded_at: at(self.recorded_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct OrderRow {
    program_id: String,
    order_id: String,
    member_id: Option<i64>,
    guest_ref: Option<String>,
    amount: i64,
    refunded: i64,
    points_per_yuan: i64,
    points: Option<i64>,
    occurred_at: i64,
}

impl OrderRow {
    pub(crate) fn into_order(self) -> Result<Order, StoreError> {
        Ok(Order {
            program_id: self.program_id,
            order_id: self.order_id,
            member_id: self.member_id,
            guest_ref: self.guest_ref,
            amount: self.amount,
            refunded: self.refunded,
            points_per_yuan: self.points_per_yuan,
            points: self.points,
            occurred_at: at(self.occurred_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct HeadRow {
    id: i64,
    external_id: String,
    status: String,
    ledger_seq: i64,
    book: Option<Vec<u8>>,
    enrolled_at: i64,
    birthday: Option<String>,
    attributes: String,
}

impl HeadRow {
    pub(crate) fn into_head(self) -> crate::MemberHead {
        crate::MemberHead {
            id: self.id,
            external_id: self.external_id,
            status: self.status,
            ledger_seq: self.ledger_seq,
            book: self.book,
            enrolled_at: DateTime::<Utc>::from_timestamp_micros(self.enrolled_at)
                .unwrap_or_default(),
            birthday: self
                .birthday
                .and_then(|b| NaiveDate::parse_from_str(&b, "%Y-%m-%d").ok()),
            attributes: self.attributes,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ClaimRow {
    pub(crate) request_hash: String,
    pub(crate) status: Option<i64>,
    pub(crate) response: Option<String>,
}

pub(crate) const MEMBER_COLUMNS: &str = "id, program_id, external_id, name, phone, birthday, \
    gender, city, attributes, status, enrolled_at, updated_at";

/// `SUM(expr)` as two columns that cannot overflow: the sums of the high and of the low 32 bits
/// of each value (a total beyond 64 bits is an error on both backends: `integer overflow` on
/// SQLite, `bigint out of range` on PostgreSQL). [`clamp_halves`] puts them back together.
pub(crate) fn exact_sum(expr: &str) -> String {
    format!("CAST(SUM(({expr}) >> 32) AS BIGINT), CAST(SUM(({expr}) & 4294967295) AS BIGINT)")
}

/// The total of an [`exact_sum`], clamped into `i64`: the figures summed this way (meters, a
/// tier basis) are only compared with thresholds, all below the largest `i64`.
pub(crate) fn clamp_halves(high: Option<i64>, low: Option<i64>) -> i64 {
    jifen_core::limits::clamp(jifen_core::limits::from_halves(
        high.unwrap_or(0),
        low.unwrap_or(0),
    ))
}

/// Implements [`crate::Store`] and [`crate::WriteTx`] for one backend.
///
/// `$store` must have `fn reader(&self) -> &Pool<$db>`, `async fn begin_tx(&self) ->
/// Result<$txty>` and `async fn begin_tx_for(&self, program_id: &str) -> Result<$txty>`, where `$txty` derefs to the backend's connection and has
/// `async fn commit(self) -> Result<()>`; `$for_update` is the row-lock suffix of the
/// backend's `SELECT`.
/// Statements with a list of ids (`IN ($3, $4, …)`) are not prepared and cached
/// (`persistent(false)`): their text changes with the list's length, and PostgreSQL's generic
/// plan for a cached one filtered the key column instead of seeking it (32 ms instead of 0.1 ms
/// for 100 idempotency keys, growing with the table).
/// Multi-row writes (`VALUES (…), (…)`) are kept prepared only at their full chunk size, the one
/// text that recurs whatever the batch: each other row count is a statement of its own, and a
/// thousand-row one is a program of hundreds of kilobytes that would sit in the connection's
/// cache (100 statements) until pushed out, unused.
macro_rules! store_impl {
    ($store:ident, $tx:ident, $db:ty, tx = $txty:ty, backend = $name:literal, for_update = $for_update:literal) => {
        /// A write transaction.
        pub struct $tx {
            tx: $txty,
        }

        async fn load_identities<'e, E>(
            exec: E,
            member_ids: &[i64],
        ) -> $crate::Result<std::collections::HashMap<i64, Vec<$crate::Identity>>>
        where
            E: sqlx::Executor<'e, Database = $db>,
        {
            let mut map: std::collections::HashMap<i64, Vec<$crate::Identity>> =
                std::collections::HashMap::new();
            if member_ids.is_empty() {
                return Ok(map);
            }
            let list = member_ids
                .iter()
                .map(|id| id.to_string())
                .collect::<Vec<_>>()
                .join(",");
            let sql = format!(
                "SELECT member_id, kind, value FROM identities WHERE member_id IN ({list}) \
                 ORDER BY kind, value"
            );
            let rows: Vec<$crate::backend::IdentityRow> =
                sqlx::query_as(&sql).fetch_all(exec).await?;
            for row in rows {
                map.entry(row.member_id)
                    .or_default()
                    .push(row.into_identity());
            }
            Ok(map)
        }

        /// Creates or updates a member and binds identities, inside a transaction the caller
        /// commits (or drops, and nothing of it remains).
        async fn upsert_member_in(
            conn: &mut <$db as sqlx::Database>::Connection,
            program_id: &str,
            m: &$crate::MemberPatch,
        ) -> $crate::Result<($crate::Member, bool)> {
            let now = $crate::backend::us(m.at);
            let select = concat!(
                "SELECT id FROM members WHERE program_id = $1 AND external_id = $2",
                $for_update
            );
            let mut existing: Option<(i64,)> = sqlx::query_as(select)
                .bind(program_id)
                .bind(&m.external_id)
                .fetch_optional(&mut *conn)
                .await?;
            let birthday = m.birthday.map(|d| d.format("%Y-%m-%d").to_string());
            let attributes = m.attributes.as_ref().map(|a| a.to_string());
            let mut inserted: Option<(i64,)> = None;
            if existing.is_none() {
                inserted = sqlx::query_as(
                    "INSERT INTO members (program_id, external_id, name, phone, birthday, \
                     gender, city, attributes, status, enrolled_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, COALESCE($8, '{}'), \
                     COALESCE($9, 'active'), $10, $10) \
                     ON CONFLICT (program_id, external_id) DO NOTHING RETURNING id",
                )
                .bind(program_id)
                .bind(&m.external_id)
                .bind(&m.name)
                .bind(&m.phone)
                .bind(&birthday)
                .bind(&m.gender)
                .bind(&m.city)
                .bind(&attributes)
                .bind(&m.status)
                .bind(now)
                .fetch_optional(&mut *conn)
                .await?;
                if inserted.is_none() {
                    // A concurrent upsert created the member after our select (on
                    // PostgreSQL the insert waited for it to commit): update that row.
                    existing = sqlx::query_as(select)
                        .bind(program_id)
                        .bind(&m.external_id)
                        .fetch_optional(&mut *conn)
                        .await?;
                }
            }
            let (id, created) = match (inserted, existing) {
                (Some((id,)), _) => (id, true),
                (None, Some((id,))) => {
                    sqlx::query(
                        "UPDATE members SET name = COALESCE($1, name), \
                         phone = COALESCE($2, phone), birthday = COALESCE($3, birthday), \
                         gender = COALESCE($4, gender), city = COALESCE($5, city), \
                         attributes = COALESCE($6, attributes), \
                         status = COALESCE($7, status), updated_at = $8 WHERE id = $9",
                    )
                    .bind(&m.name)
                    .bind(&m.phone)
                    .bind(&birthday)
                    .bind(&m.gender)
                    .bind(&m.city)
                    .bind(&attributes)
                    .bind(&m.status)
                    .bind(now)
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                    (id, false)
                }
                (None, None) => {
                    return Err($crate::StoreError::Conflict(format!(
                        "member {} neither inserted nor found",
                        m.external_id
                    )));
                }
            };
            if m.replace_identities {
                let current = load_identities(&mut *conn, &[id]).await?;
                for old in current.get(&id).into_iter().flatten() {
                    if !m.bind.contains(old) {
                        sqlx::query(
                            "DELETE FROM identities \
                             WHERE program_id = $1 AND kind = $2 AND value = $3",
                        )
                        .bind(program_id)
                        .bind(&old.kind)
                        .bind(&old.value)
                        .execute(&mut *conn)
                        .await?;
                    }
                }
            }
            for ident in &m.bind {
                sqlx::query(
                    "INSERT INTO identities (program_id, kind, value, member_id, created_at) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                )
                .bind(program_id)
                .bind(&ident.kind)
                .bind(&ident.value)
                .bind(id)
                .bind(now)
                .execute(&mut *conn)
                .await?;
                // Remembered for referrals: a person once seen is never a new friend.
                sqlx::query(
                    "INSERT INTO identities_seen (program_id, digest, member_id, seen_at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (program_id, digest) DO NOTHING",
                )
                .bind(program_id)
                .bind(jifen_core::referrals::identity_digest(
                    &ident.kind,
                    &ident.value,
                ))
                .bind(id)
                .bind(now)
                .execute(&mut *conn)
                .await?;
                let (owner,): (i64,) = sqlx::query_as(
                    "SELECT member_id FROM identities \
                     WHERE program_id = $1 AND kind = $2 AND value = $3",
                )
                .bind(program_id)
                .bind(&ident.kind)
                .bind(&ident.value)
                .fetch_one(&mut *conn)
                .await?;
                if owner != id {
                    return Err($crate::StoreError::IdentityTaken {
                        kind: ident.kind.clone(),
                        value: ident.value.clone(),
                    });
                }
            }
            let row: $crate::backend::MemberRow = sqlx::query_as(&format!(
                "SELECT {} FROM members WHERE id = $1",
                $crate::backend::MEMBER_COLUMNS
            ))
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
            let mut identities = load_identities(&mut *conn, &[id]).await?;
            let member = row.into_member(identities.remove(&id).unwrap_or_default())?;
            if created {
                let message = $crate::webhooks::enrolled_message(&member);
                webhook_enqueue_in(&mut *conn, program_id, std::slice::from_ref(&message)).await?;
            }
            Ok((member, created))
        }

        async fn members_with_identities(
            pool: &sqlx::Pool<$db>,
            rows: Vec<$crate::backend::MemberRow>,
        ) -> $crate::Result<Vec<$crate::Member>> {
            let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
            let mut identities = load_identities(pool, &ids).await?;
            rows.into_iter()
                .map(|r| {
                    let ids = identities.remove(&r.id).unwrap_or_default();
                    r.into_member(ids)
                })
                .collect()
        }

        async fn ledger_rows(
            conn: &mut <$db as sqlx::Database>::Connection,
            member_id: i64,
        ) -> $crate::Result<$crate::LedgerRows> {
            let lots: Vec<$crate::backend::LotRow> = sqlx::query_as(
                "SELECT lot_no, amount, available_at, expires_at, order_id, created_at \
                 FROM lots WHERE member_id = $1 ORDER BY lot_no",
            )
            .bind(member_id)
            .fetch_all(&mut *conn)
            .await?;
            let holds: Vec<$crate::backend::HoldRow> = sqlx::query_as(
                "SELECT id, member_id, points, created_at, deadline FROM holds \
                 WHERE member_id = $1",
            )
            .bind(member_id)
            .fetch_all(&mut *conn)
            .await?;
            let entries: Vec<$crate::backend::EntryRow> = sqlx::query_as(concat!(
                "SELECT seq, kind, points, lot_no, hold_id, order_id, cause_kind, cause_id, ",
                "reason, effective_at, recorded_at FROM entries WHERE member_id = $1 ",
                "ORDER BY seq"
            ))
            .bind(member_id)
            .fetch_all(&mut *conn)
            .await?;
            Ok($crate::LedgerRows {
                lots: lots
                    .into_iter()
                    .map(|l| l.into_lot())
                    .collect::<$crate::Result<_>>()?,
                holds: holds
                    .into_iter()
                    .map(|h| h.into_hold())
                    .collect::<$crate::Result<_>>()?,
                entries: entries
                    .into_iter()
                    .map(|e| e.into_stored().map(|s| s.entry))
                    .collect::<$crate::Result<_>>()?,
            })
        }

        /// Rows per multi-row statement, under both backends' limits on bound parameters.
        const ROWS_PER_STATEMENT: usize = 1_000;

        async fn insert_lots(
            conn: &mut <$db as sqlx::Database>::Connection,
            rows: &[(i64, &jifen_core::Lot)],
        ) -> $crate::Result<()> {
            use $crate::backend::us;
            for chunk in rows.chunks(ROWS_PER_STATEMENT) {
                let mut q = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO lots (member_id, lot_no, amount, available_at, expires_at, \
                     order_id, created_at) ",
                );
                q.push_values(chunk, |mut b, (id, l)| {
                    b.push_bind(*id)
                        .push_bind(l.id)
                        .push_bind(l.amount)
                        .push_bind(us(l.available_at))
                        .push_bind(l.expires_at.map(us))
                        .push_bind(&l.order_id)
                        .push_bind(us(l.created_at));
                });
                q.build()
                    .persistent(chunk.len() == ROWS_PER_STATEMENT)
                    .execute(&mut *conn)
                    .await?;
            }
            Ok(())
        }

        async fn insert_holds(
            conn: &mut <$db as sqlx::Database>::Connection,
            program_id: &str,
            rows: &[(i64, &jifen_core::HoldRecord)],
        ) -> $crate::Result<()> {
            use $crate::backend::us;
            for chunk in rows.chunks(ROWS_PER_STATEMENT) {
                let mut q = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO holds (program_id, id, member_id, points, created_at, deadline) ",
                );
                q.push_values(chunk, |mut b, (id, h)| {
                    b.push_bind(program_id)
                        .push_bind(&h.id)
                        .push_bind(*id)
                        .push_bind(h.points)
                        .push_bind(us(h.created_at))
                        .push_bind(us(h.deadline));
                });
                q.build()
                    .persistent(chunk.len() == ROWS_PER_STATEMENT)
                    .execute(&mut *conn)
                    .await?;
            }
            Ok(())
        }

        /// Entries with the instant they were written (`None`: when they took effect).
        async fn insert_entries(
            conn: &mut <$db as sqlx::Database>::Connection,
            rows: &[(i64, &jifen_core::Entry)],
            recorded_at: Option<jifen_core::Timestamp>,
        ) -> $crate::Result<()> {
            use $crate::backend::us;
            for chunk in rows.chunks(ROWS_PER_STATEMENT / 2) {
                let mut q = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO entries (member_id, seq, kind, points, lot_no, hold_id, \
                     order_id, cause_kind, cause_id, reason, effective_at, recorded_at) ",
                );
                q.push_values(chunk, |mut b, (id, e)| {
                    b.push_bind(*id)
                        .push_bind(e.seq)
                        .push_bind(e.kind.as_str())
                        .push_bind(e.points)
                        .push_bind(e.lot)
                        .push_bind(&e.hold)
                        .push_bind(&e.order_id)
                        .push_bind(e.cause.kind.as_str())
                        .push_bind(&e.cause.id)
                        .push_bind(&e.reason)
                        .push_bind(us(e.effective_at))
                        .push_bind(us(recorded_at.unwrap_or(e.effective_at)));
                });
                q.build()
                    .persistent(chunk.len() == ROWS_PER_STATEMENT / 2)
                    .execute(&mut *conn)
                    .await?;
            }
            Ok(())
        }

        #[async_trait::async_trait]
        impl $crate::Store for $store {
            fn backend(&self) -> &'static str {
                $name
            }

            async fn migrate(&self) -> $crate::Result<()> {
                self.run_migrations().await
            }

            async fn ping(&self) -> $crate::Result<()> {
                sqlx::query("SELECT 1").execute(self.reader()).await?;
                Ok(())
            }

            async fn create_program(&self, p: &$crate::Program) -> $crate::Result<()> {
                let mut tx = self.begin_tx().await?;
                sqlx::query(
                    "INSERT INTO programs (id, name, timezone, currency, policy, demo, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&p.id)
                .bind(&p.name)
                .bind(&p.timezone)
                .bind(&p.currency)
                .bind($crate::backend::policy_text(&p.policy))
                .bind(i64::from(p.demo))
                .bind($crate::backend::us(p.created_at))
                .execute(&mut *tx)
                .await?;
                if let Some(limit) = &p.rate_limit {
                    sqlx::query("UPDATE programs SET rate_limit = $1 WHERE id = $2")
                        .bind(serde_json::to_string(limit).unwrap_or_default())
                        .bind(&p.id)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn get_program(&self, id: &str) -> $crate::Result<Option<$crate::Program>> {
                let row: Option<$crate::backend::ProgramRow> =
                    sqlx::query_as("SELECT * FROM programs WHERE id = $1")
                        .bind(id)
                        .fetch_optional(self.reader())
                        .await?;
                row.map(|r| r.into_program()).transpose()
            }

            async fn demo_program(&self) -> $crate::Result<Option<$crate::Program>> {
                let row: Option<$crate::backend::ProgramRow> = sqlx::query_as(
                    "SELECT * FROM programs WHERE demo = 1 ORDER BY created_at LIMIT 1",
                )
                .fetch_optional(self.reader())
                .await?;
                row.map(|r| r.into_program()).transpose()
            }

            async fn list_programs(&self) -> $crate::Result<Vec<$crate::Program>> {
                let rows: Vec<$crate::backend::ProgramRow> =
                    sqlx::query_as("SELECT * FROM programs ORDER BY created_at, id")
                        .fetch_all(self.reader())
                        .await?;
                rows.into_iter().map(|r| r.into_program()).collect()
            }

            async fn update_policy(
                &self,
                id: &str,
                policy: &jifen_core::PointPolicy,
            ) -> $crate::Result<()> {
                let mut tx = self.begin_tx().await?;
                sqlx::query("UPDATE programs SET policy = $1 WHERE id = $2")
                    .bind($crate::backend::policy_text(policy))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn update_timezone(&self, id: &str, timezone: &str) -> $crate::Result<()> {
                let mut tx = self.begin_tx().await?;
                sqlx::query("UPDATE programs SET timezone = $1 WHERE id = $2")
                    .bind(timezone)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn update_rate_limit(
                &self,
                id: &str,
                limit: Option<&$crate::RateLimit>,
            ) -> $crate::Result<()> {
                let mut tx = self.begin_tx().await?;
                sqlx::query("UPDATE programs SET rate_limit = $1 WHERE id = $2")
                    .bind(limit.map(|l| serde_json::to_string(l).unwrap_or_default()))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn create_api_key(&self, k: &$crate::ApiKey) -> $crate::Result<()> {
                let mut tx = self.begin_tx().await?;
                sqlx::query(
                    "INSERT INTO api_keys (id, program_id, name, prefix, hash, created_at, \
                     partner_id) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&k.id)
                .bind(&k.program_id)
                .bind(&k.name)
                .bind(&k.prefix)
                .bind(&k.hash)
                .bind($crate::backend::us(k.created_at))
                .bind(&k.partner_id)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn program_by_key_hash(
                &self,
                hash: &str,
            ) -> $crate::Result<Option<($crate::Program, $crate::ApiKey)>> {
                let key: Option<$crate::backend::ApiKeyRow> =
                    sqlx::query_as("SELECT * FROM api_keys WHERE hash = $1 AND revoked_at IS NULL")
                        .bind(hash)
                        .fetch_optional(self.reader())
                        .await?;
                let Some(key) = key else { return Ok(None) };
                let key = key.into_key()?;
                Ok(self.get_program(&key.program_id).await?.map(|p| (p, key)))
            }

            async fn list_api_keys(&self, program_id: &str) -> $crate::Result<Vec<$crate::ApiKey>> {
                let rows: Vec<$crate::backend::ApiKeyRow> = sqlx::query_as(
                    "SELECT * FROM api_keys WHERE program_id = $1 ORDER BY created_at DESC, id",
                )
                .bind(program_id)
                .fetch_all(self.reader())
                .await?;
                rows.into_iter().map(|r| r.into_key()).collect()
            }

            async fn revoke_api_key(
                &self,
                program_id: &str,
                key_id: &str,
                when: jifen_core::Timestamp,
            ) -> $crate::Result<bool> {
                let mut tx = self.begin_tx().await?;
                let done = sqlx::query(
                    "UPDATE api_keys SET revoked_at = $1 \
                     WHERE program_id = $2 AND id = $3 AND revoked_at IS NULL",
                )
                .bind($crate::backend::us(when))
                .bind(program_id)
                .bind(key_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                tx.commit().await?;
                Ok(done > 0)
            }

            async fn upsert_member(
                &self,
                program_id: &str,
                m: &$crate::MemberPatch,
            ) -> $crate::Result<($crate::Member, bool)> {
                let mut tx = self.begin_tx().await?;
                let out = upsert_member_in(&mut tx, program_id, m).await?;
                tx.commit().await?;
                Ok(out)
            }

            async fn get_member(
                &self,
                program_id: &str,
                external_id: &str,
            ) -> $crate::Result<Option<$crate::Member>> {
                let row: Option<$crate::backend::MemberRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM members WHERE program_id = $1 AND external_id = $2",
                    $crate::backend::MEMBER_COLUMNS
                ))
                .bind(program_id)
                .bind(external_id)
                .fetch_optional(self.reader())
                .await?;
                let rows =
                    members_with_identities(self.reader(), row.into_iter().collect()).await?;
                Ok(rows.into_iter().next())
            }

            async fn member_by_identity(
                &self,
                program_id: &str,
                kind: &str,
                value: &str,
            ) -> $crate::Result<Option<$crate::Member>> {
                let row: Option<$crate::backend::MemberRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM members WHERE id = (SELECT member_id FROM identities \
                     WHERE program_id = $1 AND kind = $2 AND value = $3)",
                    $crate::backend::MEMBER_COLUMNS
                ))
                .bind(program_id)
                .bind(kind)
                .bind(value)
                .fetch_optional(self.reader())
                .await?;
                let rows =
                    members_with_identities(self.reader(), row.into_iter().collect()).await?;
                Ok(rows.into_iter().next())
            }

            async fn list_members(
                &self,
                program_id: &str,
                limit: u32,
                after: Option<i64>,
            ) -> $crate::Result<Vec<$crate::Member>> {
                let rows: Vec<$crate::backend::MemberRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM members WHERE program_id = $1 AND id < $2 \
                     ORDER BY id DESC LIMIT $3",
                    $crate::backend::MEMBER_COLUMNS
                ))
                .bind(program_id)
                .bind(after.unwrap_or(i64::MAX))
                .bind(i64::from(limit))
                .fetch_all(self.reader())
                .await?;
                members_with_identities(self.reader(), rows).await
            }

            async fn member_head(
                &self,
                program_id: &str,
                external_id: &str,
            ) -> $crate::Result<Option<$crate::MemberHead>> {
                let row: Option<$crate::backend::HeadRow> = sqlx::query_as(
                    "SELECT id, external_id, status, ledger_seq, book, enrolled_at, birthday, \
                         attributes FROM members \
                     WHERE program_id = $1 AND external_id = $2",
                )
                .bind(program_id)
                .bind(external_id)
                .fetch_optional(self.reader())
                .await?;
                Ok(row.map(|r| r.into_head()))
            }

            async fn ledger(&self, member_id: i64) -> $crate::Result<$crate::LedgerRows> {
                let mut conn = self.reader().acquire().await?;
                ledger_rows(&mut conn, member_id).await
            }

            async fn list_entries(
                &self,
                member_id: i64,
                limit: u32,
                before: Option<i64>,
            ) -> $crate::Result<Vec<$crate::StoredEntry>> {
                let rows: Vec<$crate::backend::EntryRow> = sqlx::query_as(
                    "SELECT seq, kind, points, lot_no, hold_id, order_id, cause_kind, cause_id, \
                     reason, effective_at, recorded_at FROM entries \
                     WHERE member_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3",
                )
                .bind(member_id)
                .bind(before.unwrap_or(i64::MAX))
                .bind(i64::from(limit))
                .fetch_all(self.reader())
                .await?;
                rows.into_iter().map(|r| r.into_stored()).collect()
            }

            async fn get_hold(
                &self,
                program_id: &str,
                hold_id: &str,
            ) -> $crate::Result<Option<$crate::StoredHold>> {
                let row: Option<$crate::backend::HoldRow> = sqlx::query_as(
                    "SELECT id, member_id, points, created_at, deadline FROM holds \
                     WHERE program_id = $1 AND id = $2",
                )
                .bind(program_id)
                .bind(hold_id)
                .fetch_optional(self.reader())
                .await?;
                let Some(row) = row else { return Ok(None) };
                let member_id = row.member_id;
                let (external,): (String,) =
                    sqlx::query_as("SELECT external_id FROM members WHERE id = $1")
                        .bind(member_id)
                        .fetch_one(self.reader())
                        .await?;
                Ok(Some($crate::StoredHold {
                    record: row.into_hold()?,
                    member_id,
                    member_external_id: external,
                }))
            }

            async fn bulk_load(
                &self,
                program_id: &str,
                members: &[$crate::BulkMember],
            ) -> $crate::Result<()> {
                use $crate::backend::us;
                let mut tx = self.begin_tx().await?;
                let mut ids = Vec::with_capacity(members.len());
                for chunk in members.chunks(ROWS_PER_STATEMENT) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO members (program_id, external_id, phone, attributes, status, \
                         enrolled_at, updated_at, ledger_seq, book, next_due_at) ",
                    );
                    q.push_values(chunk, |mut b, m| {
                        let at = us(m.enrolled_at.unwrap_or_else(chrono::Utc::now));
                        let (seq, book, due) = match &m.book {
                            Some((seq, book, due)) => (*seq, Some(book), due.map(us)),
                            None => (0, None, None),
                        };
                        b.push_bind(program_id)
                            .push_bind(&m.external_id)
                            .push_bind(&m.phone)
                            .push_bind("{}")
                            .push_bind("active")
                            .push_bind(at)
                            .push_bind(at)
                            .push_bind(seq)
                            .push_bind(book)
                            .push_bind(due);
                    });
                    q.push(" RETURNING id, external_id");
                    let rows: Vec<(i64, String)> = q
                        .build_query_as()
                        .persistent(chunk.len() == ROWS_PER_STATEMENT)
                        .fetch_all(&mut *tx)
                        .await?;
                    let by_ext: std::collections::HashMap<String, i64> =
                        rows.into_iter().map(|(id, e)| (e, id)).collect();
                    ids.extend(chunk.iter().map(|m| by_ext[&m.external_id]));
                }
                let phones: Vec<(i64, &String)> = members
                    .iter()
                    .zip(&ids)
                    .filter_map(|(m, id)| m.phone.as_ref().map(|p| (*id, p)))
                    .collect();
                for chunk in phones.chunks(ROWS_PER_STATEMENT) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO identities (program_id, kind, value, member_id, created_at) ",
                    );
                    q.push_values(chunk, |mut b, (id, phone)| {
                        b.push_bind(program_id)
                            .push_bind("phone")
                            .push_bind(*phone)
                            .push_bind(*id)
                            .push_bind(0_i64);
                    });
                    q.build()
                        .persistent(chunk.len() == ROWS_PER_STATEMENT)
                        .execute(&mut *tx)
                        .await?;
                }
                let holds: Vec<(i64, &jifen_core::HoldRecord)> = members
                    .iter()
                    .zip(&ids)
                    .flat_map(|(m, id)| m.ledger.holds.iter().map(move |h| (*id, h)))
                    .collect();
                insert_holds(&mut tx, program_id, &holds).await?;
                // Lots, entries, orders and events: the bulk of the rows, each backend its
                // fastest way.
                bulk_history(&mut tx, program_id, members, &ids).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn start_bulk_load(&self) -> $crate::Result<()> {
                let mut tx = self.begin_tx().await?;
                for statement in bulk_suspend() {
                    sqlx::query(&statement).execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn finish_bulk_load(&self) -> $crate::Result<()> {
                let mut tx = self.begin_tx().await?;
                for statement in bulk_restore() {
                    sqlx::query(&statement).execute(&mut *tx).await?;
                }
                tx.commit().await?;
                bulk_after(self.reader()).await
            }

            async fn begin_write(&self) -> $crate::Result<Box<dyn $crate::WriteTx>> {
                Ok(Box::new($tx {
                    tx: self.begin_tx().await?,
                }))
            }

            async fn begin_write_for(
                &self,
                program_id: &str,
            ) -> $crate::Result<Box<dyn $crate::WriteTx>> {
                Ok(Box::new($tx {
                    tx: self.begin_tx_for(program_id).await?,
                }))
            }

            async fn members_to_maintain(
                &self,
                now: jifen_core::Timestamp,
                limit: u32,
            ) -> $crate::Result<Vec<(String, String)>> {
                let rows: Vec<(String, String)> = sqlx::query_as(
                    "SELECT program_id, external_id FROM members \
                     WHERE next_due_at IS NOT NULL AND next_due_at <= $1 \
                     ORDER BY next_due_at LIMIT $2",
                )
                .bind($crate::backend::us(now))
                .bind(i64::from(limit))
                .fetch_all(self.reader())
                .await?;
                Ok(rows)
            }
        }

        #[async_trait::async_trait]
        impl $crate::WriteTx for $tx {
            async fn claim(
                &mut self,
                key: &$crate::IdempotencyKey,
                request_hash: &str,
            ) -> $crate::Result<$crate::Claim> {
                let inserted = sqlx::query(
                    "INSERT INTO idempotency (program_id, scope, key, request_hash, created_at) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                )
                .bind(&key.program_id)
                .bind(key.scope)
                .bind(&key.key)
                .bind(request_hash)
                .bind($crate::backend::us(chrono::Utc::now()))
                .execute(&mut *self.tx)
                .await?
                .rows_affected();
                if inserted == 1 {
                    return Ok($crate::Claim::New);
                }
                let row: $crate::backend::ClaimRow = sqlx::query_as(
                    "SELECT request_hash, status, response FROM idempotency \
                     WHERE program_id = $1 AND scope = $2 AND key = $3",
                )
                .bind(&key.program_id)
                .bind(key.scope)
                .bind(&key.key)
                .fetch_one(&mut *self.tx)
                .await?;
                Ok($crate::Claim::Existing {
                    request_hash: row.request_hash,
                    status: row
                        .status
                        .and_then(|s| u16::try_from(s).ok())
                        .unwrap_or(200),
                    response: row.response.unwrap_or_default(),
                })
            }

            async fn complete(
                &mut self,
                key: &$crate::IdempotencyKey,
                status: u16,
                response: &str,
            ) -> $crate::Result<()> {
                sqlx::query(
                    "UPDATE idempotency SET status = $1, response = $2 \
                     WHERE program_id = $3 AND scope = $4 AND key = $5",
                )
                .bind(i64::from(status))
                .bind(response)
                .bind(&key.program_id)
                .bind(key.scope)
                .bind(&key.key)
                .execute(&mut *self.tx)
                .await?;
                Ok(())
            }

            async fn ledger(&mut self, member_id: i64) -> $crate::Result<$crate::LedgerRows> {
                ledger_rows(&mut self.tx, member_id).await
            }

            async fn set_order_refunded(
                &mut self,
                program_id: &str,
                order_id: &str,
                refunded: i64,
            ) -> $crate::Result<()> {
                sqlx::query(
                    "UPDATE orders SET refunded = $1 WHERE program_id = $2 AND order_id = $3",
                )
                .bind(refunded)
                .bind(program_id)
                .bind(order_id)
                .execute(&mut *self.tx)
                .await?;
                Ok(())
            }

            async fn upsert_member(
                &mut self,
                program_id: &str,
                m: &$crate::MemberPatch,
            ) -> $crate::Result<($crate::Member, bool)> {
                upsert_member_in(&mut self.tx, program_id, m).await
            }

            async fn upsert_member_apart(
                &mut self,
                program_id: &str,
                m: &$crate::MemberPatch,
            ) -> $crate::Result<($crate::Member, Option<bool>)> {
                let row: Option<$crate::backend::MemberRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM members WHERE program_id = $1 AND external_id = $2",
                    $crate::backend::MEMBER_COLUMNS
                ))
                .bind(program_id)
                .bind(&m.external_id)
                .fetch_optional(&mut *self.tx)
                .await?;
                let before = match row {
                    Some(row) => {
                        let id = row.id;
                        let mut idents = load_identities(&mut *self.tx, &[id]).await?;
                        Some(row.into_member(idents.remove(&id).unwrap_or_default())?)
                    }
                    None => None,
                };
                sqlx::query("SAVEPOINT member_item")
                    .execute(&mut *self.tx)
                    .await?;
                let out = upsert_member_in(&mut self.tx, program_id, m).await;
                let unchanged = match (&out, &before) {
                    (Ok((after, _)), Some(b)) => {
                        $crate::Member {
                            updated_at: b.updated_at,
                            ..after.clone()
                        } == *b
                    }
                    _ => false,
                };
                if out.is_err() || unchanged {
                    sqlx::query("ROLLBACK TO SAVEPOINT member_item")
                        .execute(&mut *self.tx)
                        .await?;
                }
                sqlx::query("RELEASE SAVEPOINT member_item")
                    .execute(&mut *self.tx)
                    .await?;
                let (member, created) = out?;
                match before {
                    Some(b) if unchanged => Ok((b, None)),
                    _ => Ok((member, Some(created))),
                }
            }

            async fn hold_member(
                &mut self,
                program_id: &str,
                hold_id: &str,
            ) -> $crate::Result<Option<String>> {
                let row: Option<(String,)> = sqlx::query_as(
                    "SELECT m.external_id FROM holds h JOIN members m ON m.id = h.member_id \
                     WHERE h.program_id = $1 AND h.id = $2",
                )
                .bind(program_id)
                .bind(hold_id)
                .fetch_optional(&mut *self.tx)
                .await?;
                Ok(row.map(|r| r.0))
            }

            async fn append_many(
                &mut self,
                program_id: &str,
                members: &[$crate::MemberAppend<'_>],
                recorded_at: jifen_core::Timestamp,
            ) -> $crate::Result<()> {
                let lots: Vec<(i64, &jifen_core::Lot)> = members
                    .iter()
                    .flat_map(|(id, lots, _, _)| lots.iter().map(move |l| (*id, l)))
                    .collect();
                let holds: Vec<(i64, &jifen_core::HoldRecord)> = members
                    .iter()
                    .flat_map(|(id, _, holds, _)| holds.iter().map(move |h| (*id, h)))
                    .collect();
                let entries: Vec<(i64, &jifen_core::Entry)> = members
                    .iter()
                    .flat_map(|(id, _, _, entries)| entries.iter().map(move |e| (*id, e)))
                    .collect();
                insert_lots(&mut self.tx, &lots).await?;
                insert_holds(&mut self.tx, program_id, &holds).await?;
                insert_entries(&mut self.tx, &entries, Some(recorded_at)).await?;
                // Points earned are `points.earned` webhook messages, in this transaction.
                let earned: Vec<(i64, &jifen_core::Entry)> = entries
                    .iter()
                    .filter(|(_, e)| e.kind == jifen_core::EntryKind::Earn && e.points > 0)
                    .copied()
                    .collect();
                if !earned.is_empty()
                    && webhook_wanted_in(
                        &mut self.tx,
                        program_id,
                        $crate::webhooks::kind::POINTS_EARNED,
                    )
                    .await?
                {
                    let mut ids: Vec<i64> = earned.iter().map(|(m, _)| *m).collect();
                    ids.sort_unstable();
                    ids.dedup();
                    let external = webhook_external_ids_in(&mut self.tx, &ids).await?;
                    let messages: Vec<$crate::webhooks::NewWebhookMessage> = earned
                        .iter()
                        .map(|(m, e)| {
                            let lot = e.lot.and_then(|no| {
                                lots.iter()
                                    .find(|(lm, l)| lm == m && l.id == no)
                                    .map(|(_, l)| *l)
                            });
                            $crate::webhooks::earned_message(
                                external.get(m).map(String::as_str).unwrap_or(""),
                                e,
                                lot,
                                recorded_at,
                            )
                        })
                        .collect();
                    webhook_enqueue_in(&mut self.tx, program_id, &messages).await?;
                }
                Ok(())
            }

            async fn lock_heads(
                &mut self,
                program_id: &str,
                external_ids: &[&str],
            ) -> $crate::Result<Vec<$crate::MemberHead>> {
                let mut heads = Vec::with_capacity(external_ids.len());
                for chunk in external_ids.chunks(ROWS_PER_STATEMENT) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "SELECT id, external_id, status, ledger_seq, book, enrolled_at, birthday, \
                         attributes FROM members \
                         WHERE program_id = ",
                    );
                    q.push_bind(program_id).push(" AND external_id IN (");
                    let mut list = q.separated(", ");
                    for id in chunk {
                        list.push_bind(*id);
                    }
                    q.push(") ORDER BY external_id").push($for_update);
                    let rows: Vec<$crate::backend::HeadRow> = q
                        .build_query_as()
                        .persistent(false)
                        .fetch_all(&mut *self.tx)
                        .await?;
                    heads.extend(rows.into_iter().map(|r| r.into_head()));
                }
                Ok(heads)
            }

            async fn stored_answers(
                &mut self,
                program_id: &str,
                scope: &'static str,
                keys: &[&str],
            ) -> $crate::Result<Vec<(String, String, u16, String)>> {
                let mut out = Vec::new();
                for chunk in keys.chunks(ROWS_PER_STATEMENT) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "SELECT key, request_hash, status, response FROM idempotency \
                         WHERE program_id = ",
                    );
                    q.push_bind(program_id)
                        .push(" AND scope = ")
                        .push_bind(scope)
                        .push(" AND key IN (");
                    let mut list = q.separated(", ");
                    for k in chunk {
                        list.push_bind(*k);
                    }
                    q.push(")");
                    let rows: Vec<(String, String, Option<i64>, Option<String>)> = q
                        .build_query_as()
                        .persistent(false)
                        .fetch_all(&mut *self.tx)
                        .await?;
                    out.extend(rows.into_iter().map(|(k, h, st, r)| {
                        let status = st.and_then(|v| u16::try_from(v).ok()).unwrap_or(200);
                        (k, h, status, r.unwrap_or_default())
                    }));
                }
                Ok(out)
            }

            async fn store_answers(
                &mut self,
                program_id: &str,
                scope: &'static str,
                answers: &[(&str, &str, u16, &str)],
            ) -> $crate::Result<u64> {
                let now = $crate::backend::us(chrono::Utc::now());
                let mut inserted = 0;
                for chunk in answers.chunks(ROWS_PER_STATEMENT / 2) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO idempotency (program_id, scope, key, request_hash, status, \
                         response, created_at) ",
                    );
                    q.push_values(chunk, |mut b, (key, hash, status, response)| {
                        b.push_bind(program_id)
                            .push_bind(scope)
                            .push_bind(*key)
                            .push_bind(*hash)
                            .push_bind(i64::from(*status))
                            .push_bind(*response)
                            .push_bind(now);
                    });
                    q.push(" ON CONFLICT DO NOTHING");
                    inserted += q
                        .build()
                        .persistent(chunk.len() == ROWS_PER_STATEMENT / 2)
                        .execute(&mut *self.tx)
                        .await?
                        .rows_affected();
                }
                Ok(inserted)
            }

            async fn lock_orders(
                &mut self,
                program_id: &str,
                order_ids: &[&str],
            ) -> $crate::Result<Vec<$crate::Order>> {
                let mut out = Vec::new();
                for chunk in order_ids.chunks(ROWS_PER_STATEMENT) {
                    let mut q =
                        sqlx::QueryBuilder::<$db>::new("SELECT * FROM orders WHERE program_id = ");
                    q.push_bind(program_id).push(" AND order_id IN (");
                    let mut list = q.separated(", ");
                    for id in chunk {
                        list.push_bind(*id);
                    }
                    q.push(") ORDER BY order_id").push($for_update);
                    let rows: Vec<$crate::backend::OrderRow> = q
                        .build_query_as()
                        .persistent(false)
                        .fetch_all(&mut *self.tx)
                        .await?;
                    for r in rows {
                        out.push(r.into_order()?);
                    }
                }
                Ok(out)
            }

            async fn insert_orders(&mut self, orders: &[$crate::Order]) -> $crate::Result<u64> {
                let mut inserted = 0;
                for chunk in orders.chunks(ROWS_PER_STATEMENT) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO orders (program_id, order_id, member_id, guest_ref, amount, \
                         refunded, points_per_yuan, points, occurred_at) ",
                    );
                    q.push_values(chunk, |mut b, o| {
                        b.push_bind(&o.program_id)
                            .push_bind(&o.order_id)
                            .push_bind(o.member_id)
                            .push_bind(&o.guest_ref)
                            .push_bind(o.amount)
                            .push_bind(o.refunded)
                            .push_bind(o.points_per_yuan)
                            .push_bind(o.points)
                            .push_bind($crate::backend::us(o.occurred_at));
                    });
                    q.push(" ON CONFLICT DO NOTHING");
                    inserted += q
                        .build()
                        .persistent(chunk.len() == ROWS_PER_STATEMENT)
                        .execute(&mut *self.tx)
                        .await?
                        .rows_affected();
                }
                Ok(inserted)
            }

            async fn insert_events(
                &mut self,
                events: &[$crate::EventRecord],
            ) -> $crate::Result<()> {
                for chunk in events.chunks(ROWS_PER_STATEMENT) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO events (program_id, id, member_id, type, occurred_at, site, \
                         attributes, recorded_at) ",
                    );
                    q.push_values(chunk, |mut b, e| {
                        b.push_bind(&e.program_id)
                            .push_bind(&e.id)
                            .push_bind(e.member_id)
                            .push_bind(&e.kind)
                            .push_bind($crate::backend::us(e.occurred_at))
                            .push_bind(&e.site)
                            .push_bind(e.attributes.to_string())
                            .push_bind($crate::backend::us(e.recorded_at));
                    });
                    q.build()
                        .persistent(chunk.len() == ROWS_PER_STATEMENT)
                        .execute(&mut *self.tx)
                        .await?;
                }
                Ok(())
            }

            async fn save_books(
                &mut self,
                books: &[(i64, i64, Vec<u8>, Option<jifen_core::Timestamp>)],
            ) -> $crate::Result<()> {
                for chunk in books.chunks(ROWS_PER_STATEMENT / 2) {
                    let mut q = sqlx::QueryBuilder::<$db>::new("WITH v (id, seq, book, due) AS (");
                    q.push_values(chunk, |mut b, (id, seq, book, due)| {
                        b.push_bind(*id)
                            .push_bind(*seq)
                            .push_bind(book)
                            .push_bind(due.map($crate::backend::us));
                    });
                    q.push(
                        ") UPDATE members SET ledger_seq = v.seq, book = v.book, \
                         next_due_at = v.due FROM v WHERE members.id = v.id",
                    );
                    q.build()
                        .persistent(chunk.len() == ROWS_PER_STATEMENT / 2)
                        .execute(&mut *self.tx)
                        .await?;
                }
                Ok(())
            }

            async fn commit(self: Box<Self>) -> $crate::Result<()> {
                self.tx.commit().await?;
                Ok(())
            }
        }
    };
}

pub(crate) use store_impl;
