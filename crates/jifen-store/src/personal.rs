//! What jifen keeps about a person, for data-subject requests: every row that refers to a
//! member (an export), consent records (append-only), erasure under a pseudonym, and the audit
//! log that records who did it.
//!
//! The statements live in [`personal_impl!`], expanded next to the other backend macros; what
//! differs between backends (rows as JSON, scrubbing JSON text, the catalog) is passed in.

use async_trait::async_trait;
use jifen_core::Timestamp;
use serde_json::Value;

use crate::Result;

/// Every table with a column that refers to a member, and that column: what an export reads.
/// The conformance suite checks this list against the schema, so a table added later that
/// refers to members and is missing here fails it. `members` itself is read as the profile.
pub const MEMBER_TABLES: &[(&str, &str)] = &[
    ("identities", "member_id"),
    ("consents", "member_id"),
    ("lots", "member_id"),
    ("entries", "member_id"),
    ("holds", "member_id"),
    ("orders", "member_id"),
    ("events", "member_id"),
    ("rule_usage", "member_id"),
    ("member_streaks", "member_id"),
    ("member_tags", "member_id"),
    ("meter_entries", "member_id"),
    ("notifications", "member_id"),
    ("member_tiers", "member_id"),
    ("tier_changes", "member_id"),
    ("benefit_grants", "member_id"),
    ("vouchers", "member_id"),
    ("voucher_uses", "member_id"),
    ("reward_redemptions", "member_id"),
    ("checkouts", "member_id"),
    ("gifts", "sender_id"),
    ("gifts", "recipient_id"),
    ("portal_links", "member_id"),
    ("portal_sessions", "member_id"),
    ("member_badges", "member_id"),
    ("referrals", "referrer_id"),
    ("referrals", "friend_id"),
    ("identities_seen", "member_id"),
    ("member_boosts", "member_id"),
    ("leaderboard_scores", "member_id"),
    ("leaderboard_changes", "member_id"),
    ("contest_standings", "member_id"),
    ("challenge_contributions", "member_id"),
    ("challenge_awards", "member_id"),
    ("challenge_joins", "member_id"),
    ("reminders", "member_id"),
    ("notification_preferences", "member_id"),
    ("member_features", "member_id"),
    ("member_sites", "member_id"),
    ("segment_members", "member_id"),
];

/// The names a column referring to a member has in the schema.
pub const MEMBER_COLUMNS: &[&str] = &[
    "member_id",
    "sender_id",
    "recipient_id",
    "referrer_id",
    "friend_id",
];

/// The attributes of an event that an erasure keeps: those the program's figures and rules are
/// computed from. Every other attribute is free-form and may carry personal data.
pub const KEPT_EVENT_ATTRIBUTES: &[&str] = &["amount", "order_id", "lines", "currency"];

/// One consent record: a member granted or withdrew consent to a purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRecord {
    pub program_id: String,
    /// The client's id: a retry with it changes nothing.
    pub id: String,
    pub member_id: i64,
    pub purpose: String,
    pub granted: bool,
    /// When the member gave or withdrew it.
    pub at: Timestamp,
    /// Where the record comes from (a form, a store, a call-centre agent…).
    pub source: String,
    pub channel: Option<String>,
    pub recorded_at: Timestamp,
    /// Position in the program's consent records (set by the store).
    pub seq: i64,
}

/// One line of the audit log: who did what to which object, when, and its state around it.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    pub program_id: String,
    /// `api_key:<id>`, or `user:<id>` for an operator of the console.
    pub actor: String,
    /// The key's or the operator's name when the change was made.
    pub actor_name: String,
    /// `member.erase`, …
    pub action: String,
    pub object_kind: String,
    pub object_id: String,
    pub at: Timestamp,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// An erasure: the member's profile and identities go, the ledger stays under `pseudonym`.
#[derive(Debug, Clone, PartialEq)]
pub struct Erasure {
    pub program_id: String,
    pub member_id: i64,
    pub pseudonym: String,
    pub at: Timestamp,
    pub audit: AuditRecord,
}

/// Data-subject requests and the audit log.
#[async_trait]
pub trait PersonalStore {
    /// Every row of [`MEMBER_TABLES`] that refers to the member, as JSON objects with the
    /// stored column names and values, by table.
    async fn member_rows(&self, member_id: i64) -> Result<Vec<(String, Vec<Value>)>>;

    /// Every (table, column) of the schema whose column is named like one referring to a
    /// member ([`MEMBER_COLUMNS`]), `members` excluded.
    async fn member_columns(&self) -> Result<Vec<(String, String)>>;

    /// Appends a consent record. When the program has one with the same id already, nothing is
    /// written and that one is returned (the caller compares).
    async fn add_consent(&self, record: &ConsentRecord) -> Result<ConsentRecord>;

    /// A member's consent records, newest first, before the cursor (a `seq`) when one is given.
    async fn consents(
        &self,
        member_id: i64,
        limit: u32,
        before: Option<i64>,
    ) -> Result<Vec<ConsentRecord>>;

    /// Erases a member in one transaction: profile and identities, free-form event attributes,
    /// gift messages and sender names, redemption details and tier-override reasons; drops portal links and sessions; renames the member to the
    /// pseudonym, sets status `erased`, and writes the audit record. False (and nothing
    /// written) when the program has no such member or it is erased already.
    async fn erase_member(&self, erasure: &Erasure) -> Result<bool>;

    /// The audit records of an object, oldest first.
    async fn audit_records(
        &self,
        program_id: &str,
        object_kind: &str,
        object_id: &str,
    ) -> Result<Vec<AuditRecord>>;
}

#[derive(sqlx::FromRow)]
pub(crate) struct ConsentRow {
    seq: i64,
    program_id: String,
    id: String,
    member_id: i64,
    purpose: String,
    granted: bool,
    at: i64,
    source: String,
    channel: Option<String>,
    recorded_at: i64,
}

impl ConsentRow {
    pub(crate) fn into_record(self) -> Result<ConsentRecord> {
        let at = crate::backend::at;
        Ok(ConsentRecord {
            program_id: self.program_id,
            id: self.id,
            member_id: self.member_id,
            purpose: self.purpose,
            granted: self.granted,
            at: at(self.at)?,
            source: self.source,
            channel: self.channel,
            recorded_at: at(self.recorded_at)?,
            seq: self.seq,
        })
    }
}

pub(crate) const CONSENT_COLUMNS: &str =
    "seq, program_id, id, member_id, purpose, granted, at, source, channel, recorded_at";

#[derive(sqlx::FromRow)]
pub(crate) struct AuditRow {
    pub(crate) id: i64,
    program_id: String,
    actor: String,
    actor_name: String,
    action: String,
    object_kind: String,
    object_id: String,
    at: i64,
    before: Option<String>,
    after: Option<String>,
}

impl AuditRow {
    pub(crate) fn into_record(self) -> Result<AuditRecord> {
        let json = |t: Option<String>| -> Result<Option<Value>> {
            t.map(|t| {
                serde_json::from_str(&t)
                    .map_err(|e| crate::StoreError::Corrupt(format!("audit record: {e}")))
            })
            .transpose()
        };
        Ok(AuditRecord {
            program_id: self.program_id,
            actor: self.actor,
            actor_name: self.actor_name,
            action: self.action,
            object_kind: self.object_kind,
            object_id: self.object_id,
            at: crate::backend::at(self.at)?,
            before: json(self.before)?,
            after: json(self.after)?,
        })
    }
}

/// The rows of `table` whose `column` is the member, as JSON objects (SQLite builds them with
/// `json_object` over the table's columns, read from its catalog).
pub(crate) async fn sqlite_rows(
    conn: &mut sqlx::SqliteConnection,
    table: &str,
    column: &str,
    member_id: i64,
) -> Result<Vec<Value>> {
    let columns: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info($1)")
        .bind(table)
        .fetch_all(&mut *conn)
        .await?;
    let pairs = columns
        .iter()
        .map(|c| format!("'{c}', \"{c}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("SELECT json_object({pairs}) FROM {table} WHERE {column} = $1 ORDER BY 1");
    let rows: Vec<String> = sqlx::query_scalar(&sql)
        .bind(member_id)
        .fetch_all(&mut *conn)
        .await?;
    parse_rows(rows)
}

/// The rows of `table` whose `column` is the member, as JSON objects (`row_to_json`).
pub(crate) async fn postgres_rows(
    conn: &mut sqlx::PgConnection,
    table: &str,
    column: &str,
    member_id: i64,
) -> Result<Vec<Value>> {
    let sql = format!("SELECT row_to_json(t)::text FROM {table} t WHERE {column} = $1 ORDER BY 1");
    let rows: Vec<String> = sqlx::query_scalar(&sql)
        .bind(member_id)
        .fetch_all(&mut *conn)
        .await?;
    parse_rows(rows)
}

fn parse_rows(rows: Vec<String>) -> Result<Vec<Value>> {
    rows.iter()
        .map(|r| {
            serde_json::from_str(r)
                .map_err(|e| crate::StoreError::Corrupt(format!("exported row: {e}")))
        })
        .collect()
}

/// SQLite: (table, column) pairs of every table, from the catalog.
pub(crate) const SQLITE_COLUMNS: &str = "SELECT m.name, p.name FROM sqlite_master m \
     JOIN pragma_table_info(m.name) p WHERE m.type = 'table' ORDER BY 1, 2";

/// PostgreSQL: (table, column) pairs of every table of the current schema.
pub(crate) const POSTGRES_COLUMNS: &str = "SELECT table_name::text, column_name::text \
     FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY 1, 2";

/// SQLite: keeps only [`KEPT_EVENT_ATTRIBUTES`] of a member's events' attributes.
pub(crate) const SQLITE_SCRUB_EVENTS: &str = "UPDATE events SET attributes = \
     (SELECT COALESCE(json_group_object(key, CASE \
        WHEN type IN ('object', 'array') THEN json(value) \
        WHEN type IN ('true', 'false') THEN json(type) ELSE value END), '{}') \
      FROM json_each(events.attributes) \
      WHERE key IN ('amount', 'order_id', 'lines', 'currency')) \
     WHERE member_id = $1";

/// PostgreSQL: keeps only [`KEPT_EVENT_ATTRIBUTES`] of a member's events' attributes.
pub(crate) const POSTGRES_SCRUB_EVENTS: &str = "UPDATE events SET attributes = \
     (SELECT COALESCE(jsonb_object_agg(key, value), '{}'::jsonb)::text \
      FROM jsonb_each(events.attributes::jsonb) \
      WHERE key IN ('amount', 'order_id', 'lines', 'currency')) \
     WHERE member_id = $1";

/// Expands the personal-data statements for a backend: `$rows` reads a table's rows as JSON,
/// `$columns` lists the schema's columns, `$scrub` keeps an erased member's kept attributes.
macro_rules! personal_impl {
    ($store:ty, $db:ty, rows = $rows:path, columns = $columns:expr, scrub = $scrub:expr) => {
        #[async_trait::async_trait]
        impl $crate::PersonalStore for $store {
            async fn member_rows(
                &self,
                member_id: i64,
            ) -> $crate::Result<Vec<(String, Vec<serde_json::Value>)>> {
                let mut conn = self.reader().acquire().await?;
                let mut out: Vec<(String, Vec<serde_json::Value>)> = Vec::new();
                for (table, column) in $crate::personal::MEMBER_TABLES {
                    let rows = $rows(&mut *conn, table, column, member_id).await?;
                    match out.iter_mut().find(|(t, _)| t.as_str() == *table) {
                        Some((_, existing)) => {
                            for r in rows {
                                if !existing.contains(&r) {
                                    existing.push(r);
                                }
                            }
                        }
                        None => out.push(((*table).to_owned(), rows)),
                    }
                }
                Ok(out)
            }

            async fn member_columns(&self) -> $crate::Result<Vec<(String, String)>> {
                let rows: Vec<(String, String)> =
                    sqlx::query_as($columns).fetch_all(self.reader()).await?;
                Ok(rows
                    .into_iter()
                    .filter(|(t, c)| {
                        t != "members" && $crate::personal::MEMBER_COLUMNS.contains(&c.as_str())
                    })
                    .collect())
            }

            async fn add_consent(
                &self,
                r: &$crate::ConsentRecord,
            ) -> $crate::Result<$crate::ConsentRecord> {
                let us = $crate::backend::us;
                let mut tx = self.begin_tx().await?;
                sqlx::query(
                    "INSERT INTO consents (program_id, id, member_id, purpose, granted, at, \
                     source, channel, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                     ON CONFLICT (program_id, id) DO NOTHING",
                )
                .bind(&r.program_id)
                .bind(&r.id)
                .bind(r.member_id)
                .bind(&r.purpose)
                .bind(r.granted)
                .bind(us(r.at))
                .bind(&r.source)
                .bind(&r.channel)
                .bind(us(r.recorded_at))
                .execute(&mut *tx)
                .await?;
                let row: $crate::personal::ConsentRow = sqlx::query_as(&format!(
                    "SELECT {} FROM consents WHERE program_id = $1 AND id = $2",
                    $crate::personal::CONSENT_COLUMNS
                ))
                .bind(&r.program_id)
                .bind(&r.id)
                .fetch_one(&mut *tx)
                .await?;
                tx.commit().await?;
                row.into_record()
            }

            async fn consents(
                &self,
                member_id: i64,
                limit: u32,
                before: Option<i64>,
            ) -> $crate::Result<Vec<$crate::ConsentRecord>> {
                let rows: Vec<$crate::personal::ConsentRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM consents WHERE member_id = $1 AND seq < $2 \
                     ORDER BY seq DESC LIMIT $3",
                    $crate::personal::CONSENT_COLUMNS
                ))
                .bind(member_id)
                .bind(before.unwrap_or(i64::MAX))
                .bind(i64::from(limit))
                .fetch_all(self.reader())
                .await?;
                rows.into_iter().map(|r| r.into_record()).collect()
            }

            async fn erase_member(&self, e: &$crate::Erasure) -> $crate::Result<bool> {
                let us = $crate::backend::us;
                let mut tx = self.begin_tx().await?;
                let done = sqlx::query(
                    "UPDATE members SET external_id = $1, name = NULL, phone = NULL, \
                     birthday = NULL, gender = NULL, city = NULL, attributes = '{}', \
                     status = 'erased', updated_at = $2 \
                     WHERE id = $3 AND program_id = $4 AND status <> 'erased'",
                )
                .bind(&e.pseudonym)
                .bind(us(e.at))
                .bind(e.member_id)
                .bind(&e.program_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if done == 0 {
                    return Ok(false);
                }
                let by_member = [
                    "DELETE FROM identities WHERE member_id = $1",
                    $scrub,
                    "UPDATE gifts SET message = NULL, sender_name = NULL \
                     WHERE sender_id = $1 OR recipient_id = $1",
                    "UPDATE reward_redemptions SET details = '{}' WHERE member_id = $1",
                    "UPDATE member_tiers SET override_reason = NULL WHERE member_id = $1",
                    "UPDATE tier_changes SET reason = NULL WHERE member_id = $1",
                    // An erased member's portal is closed: links and sessions are dropped.
                    "DELETE FROM portal_links WHERE member_id = $1",
                    "DELETE FROM portal_sessions WHERE member_id = $1",
                    // An erased member ranks no more (settled contests keep their line, under
                    // the pseudonym).
                    "DELETE FROM leaderboard_scores WHERE member_id = $1",
                    "DELETE FROM leaderboard_changes WHERE member_id = $1",
                    // An erased member is reminded of nothing more; what was sent stays (the
                    // outbox keeps its rows), and the consent history stays as the record.
                    "UPDATE reminders SET status = 'skipped', outcome = 'erased' \
                     WHERE member_id = $1 AND status = 'pending'",
                    "DELETE FROM notification_preferences WHERE member_id = $1",
                    // Nor is it in any segment, and its features are no longer kept.
                    "DELETE FROM segment_members WHERE member_id = $1",
                    "DELETE FROM member_sites WHERE member_id = $1",
                    "DELETE FROM member_features WHERE member_id = $1",
                ];
                for sql in by_member {
                    sqlx::query(sql)
                        .bind(e.member_id)
                        .execute(&mut *tx)
                        .await?;
                }
                let a = &e.audit;
                sqlx::query(
                    "INSERT INTO audit_log (program_id, actor, actor_name, action, object_kind, \
                     object_id, at, before, after) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(&a.program_id)
                .bind(&a.actor)
                .bind(&a.actor_name)
                .bind(&a.action)
                .bind(&a.object_kind)
                .bind(&a.object_id)
                .bind(us(a.at))
                .bind(a.before.as_ref().map(|v| v.to_string()))
                .bind(a.after.as_ref().map(|v| v.to_string()))
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn audit_records(
                &self,
                program_id: &str,
                object_kind: &str,
                object_id: &str,
            ) -> $crate::Result<Vec<$crate::AuditRecord>> {
                let rows: Vec<$crate::personal::AuditRow> = sqlx::query_as(
                    "SELECT id, program_id, actor, actor_name, action, object_kind, object_id, \
                     at, before, after FROM audit_log \
                     WHERE program_id = $1 AND object_kind = $2 AND object_id = $3 ORDER BY id",
                )
                .bind(program_id)
                .bind(object_kind)
                .bind(object_id)
                .fetch_all(self.reader())
                .await?;
                rows.into_iter().map(|r| r.into_record()).collect()
            }
        }
    };
}

pub(crate) use personal_impl;
