//! What reminders keep: the reminders the scheduler decided on (one row per member, kind, cause
//! and channel, pending until it may be sent), members' notification preferences, and the
//! reads that find what is due (lots and vouchers expiring, gifts unclaimed, streaks, tier
//! reviews).
//!
//! The statements live in [`reminders_impl!`], expanded next to the other backend macros.

use async_trait::async_trait;
use jifen_core::Timestamp;

use crate::Result;

/// A reminder as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderRow {
    pub program_id: String,
    pub member_id: i64,
    /// `points_expiring`, `streak_at_risk`, …
    pub kind: String,
    /// What makes it one reminder: a local expiry date, a voucher or gift code, a review date…
    pub cause: String,
    /// `wechat`, `sms`, `push`.
    pub channel: String,
    pub template: String,
    /// The data the template needs, as JSON.
    pub data: String,
    /// `pending`, `sent` or `skipped`.
    pub status: String,
    /// Not sent before this instant (quiet hours, caps).
    pub not_before: Timestamp,
    /// Pointless from this instant (the points expired, the gift lapsed…).
    pub stale_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
    /// Why it was skipped: `opted_out`, `stale`.
    pub outcome: Option<String>,
}

/// A member's choice for one kind on one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreferenceRow {
    pub program_id: String,
    pub member_id: i64,
    pub kind: String,
    pub channel: String,
    pub enabled: bool,
    /// Where the choice was made: `api`, `portal`, `console`.
    pub source: String,
    pub updated_at: Timestamp,
}

/// A member's voucher that expires soon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoucherDue {
    pub member_id: i64,
    pub code: String,
    pub template_id: String,
    pub valid_until: Timestamp,
}

/// A gift not claimed yet: reminded to its recipient when one is named, else its sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GiftDue {
    pub sender_id: i64,
    pub recipient_id: Option<i64>,
    pub code: String,
    pub created_at: Timestamp,
    pub deadline: Timestamp,
}

/// A member's streak whose last day is a given day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreakDue {
    pub member_id: i64,
    pub kind: String,
    pub length: i64,
}

/// Reads of reminders outside a write.
#[async_trait]
pub trait ReminderStore: Send + Sync {
    /// Active members (id) with a lot expiring in `(after, until]`.
    async fn members_with_lots_expiring(
        &self,
        program_id: &str,
        after: Timestamp,
        until: Timestamp,
    ) -> Result<Vec<(i64, String)>>;
    /// Vouchers held by active members, usable, valid until an instant in `(after, until]`.
    async fn vouchers_expiring(
        &self,
        program_id: &str,
        after: Timestamp,
        until: Timestamp,
    ) -> Result<Vec<VoucherDue>>;
    /// Gifts offered at or before `sent_before` and not lapsed at `now`.
    async fn gifts_unclaimed(
        &self,
        program_id: &str,
        sent_before: Timestamp,
        now: Timestamp,
    ) -> Result<Vec<GiftDue>>;
    /// Active members' streaks whose last day is `day` (`YYYY-MM-DD`).
    async fn streaks_last_on(&self, program_id: &str, day: &str) -> Result<Vec<StreakDue>>;
    /// Active members (id, external id) whose tier review falls in `(after, until]`.
    async fn tier_reviews_between(
        &self,
        program_id: &str,
        after: Timestamp,
        until: Timestamp,
    ) -> Result<Vec<(i64, String)>>;
    /// Members' ids by external id (those that exist and are active).
    async fn active_member_ids(
        &self,
        program_id: &str,
        external_ids: &[String],
    ) -> Result<Vec<(i64, String)>>;
    /// Some members' preferences.
    async fn notification_preferences(
        &self,
        program_id: &str,
        member_ids: &[i64],
    ) -> Result<Vec<PreferenceRow>>;
    /// Reminders of some members with a key among those given: (member, kind, cause).
    async fn reminders_recorded(
        &self,
        program_id: &str,
        member_ids: &[i64],
    ) -> Result<Vec<(i64, String, String, String)>>;
    /// Pending reminders that may go out before `until`, soonest first.
    async fn reminders_pending(
        &self,
        program_id: &str,
        until: Timestamp,
        limit: u32,
    ) -> Result<Vec<ReminderRow>>;
    /// A member's reminders, newest first.
    async fn member_reminders(&self, program_id: &str, member_id: i64) -> Result<Vec<ReminderRow>>;
}

/// Reminder writes inside a write transaction.
#[async_trait]
pub trait RemindersTx: Send {
    /// Makes the transactions that send a program's reminders take turns (across nodes too),
    /// so that caps are counted on what was sent.
    async fn lock_reminders(&mut self, program_id: &str) -> Result<()>;
    /// Records reminders, skipping any (member, kind, cause, channel) recorded already;
    /// returns how many are new.
    async fn insert_reminders(&mut self, rows: &[ReminderRow]) -> Result<u64>;
    /// Pending reminders due at `now`, by member.
    async fn due_reminders(
        &mut self,
        program_id: &str,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<ReminderRow>>;
    /// When some members' reminders were sent since `since`: (member, channel, sent at).
    async fn reminders_sent_since(
        &mut self,
        program_id: &str,
        member_ids: &[i64],
        since: Timestamp,
    ) -> Result<Vec<(i64, String, Timestamp)>>;
    /// Moves a pending reminder on: to `sent` or `skipped`, or to another `not_before`. False
    /// when it is no longer pending (another pass took it).
    async fn settle_reminder(
        &mut self,
        row: &ReminderRow,
        status: &str,
        not_before: Timestamp,
        sent_at: Option<Timestamp>,
        outcome: Option<&str>,
    ) -> Result<bool>;
    /// Some members' preferences, as of this transaction.
    async fn preferences_of(
        &mut self,
        program_id: &str,
        member_ids: &[i64],
    ) -> Result<Vec<PreferenceRow>>;
    /// Creates or replaces preferences.
    async fn save_preferences(&mut self, rows: &[PreferenceRow]) -> Result<()>;
    /// Appends consent records (the history of preference changes).
    async fn append_consents(&mut self, records: &[crate::ConsentRecord]) -> Result<()>;
}

pub(crate) type ReminderTuple = (
    String,
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    Option<i64>,
    i64,
    Option<i64>,
    Option<String>,
);

pub(crate) const REMINDER_COLUMNS: &str = "program_id, member_id, kind, cause, channel, \
     template, data, status, not_before, stale_at, created_at, sent_at, outcome";

pub(crate) fn reminder_row(r: ReminderTuple) -> Result<ReminderRow> {
    Ok(ReminderRow {
        program_id: r.0,
        member_id: r.1,
        kind: r.2,
        cause: r.3,
        channel: r.4,
        template: r.5,
        data: r.6,
        status: r.7,
        not_before: crate::backend::at(r.8)?,
        stale_at: r.9.map(crate::backend::at).transpose()?,
        created_at: crate::backend::at(r.10)?,
        sent_at: r.11.map(crate::backend::at).transpose()?,
        outcome: r.12,
    })
}

pub(crate) type PreferenceTuple = (String, i64, String, String, bool, String, i64);

pub(crate) const PREFERENCE_COLUMNS: &str =
    "program_id, member_id, kind, channel, enabled, source, updated_at";

pub(crate) fn preference_row(r: PreferenceTuple) -> Result<PreferenceRow> {
    Ok(PreferenceRow {
        program_id: r.0,
        member_id: r.1,
        kind: r.2,
        channel: r.3,
        enabled: r.4,
        source: r.5,
        updated_at: crate::backend::at(r.6)?,
    })
}

/// Expands the reminder statements for a backend. `lock` is the statement that makes a
/// program's sending transactions take turns (its one argument is the program id).
macro_rules! reminders_impl {
    ($store:ty, $tx:ty, $db:ty, lock = $lock:expr) => {
        #[async_trait::async_trait]
        impl $crate::reminders::ReminderStore for $store {
            async fn members_with_lots_expiring(
                &self,
                program_id: &str,
                after: jifen_core::Timestamp,
                until: jifen_core::Timestamp,
            ) -> $crate::Result<Vec<(i64, String)>> {
                Ok(sqlx::query_as(
                    "SELECT DISTINCT m.id, m.external_id FROM lots l \
                     JOIN members m ON m.id = l.member_id \
                     WHERE m.program_id = $1 AND m.status = 'active' \
                     AND l.expires_at > $2 AND l.expires_at <= $3 ORDER BY m.id",
                )
                .bind(program_id)
                .bind($crate::backend::us(after))
                .bind($crate::backend::us(until))
                .fetch_all(self.reader())
                .await?)
            }

            async fn vouchers_expiring(
                &self,
                program_id: &str,
                after: jifen_core::Timestamp,
                until: jifen_core::Timestamp,
            ) -> $crate::Result<Vec<$crate::reminders::VoucherDue>> {
                let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(
                    "SELECT v.member_id, v.code, v.template_id, v.valid_until FROM vouchers v \
                     JOIN members m ON m.id = v.member_id \
                     WHERE v.program_id = $1 AND m.status = 'active' AND v.status = 'active' \
                     AND v.uses < v.max_uses AND v.valid_until > $2 AND v.valid_until <= $3 \
                     ORDER BY v.member_id, v.code",
                )
                .bind(program_id)
                .bind($crate::backend::us(after))
                .bind($crate::backend::us(until))
                .fetch_all(self.reader())
                .await?;
                rows.into_iter()
                    .map(|r| {
                        Ok($crate::reminders::VoucherDue {
                            member_id: r.0,
                            code: r.1,
                            template_id: r.2,
                            valid_until: $crate::backend::at(r.3)?,
                        })
                    })
                    .collect()
            }

            async fn gifts_unclaimed(
                &self,
                program_id: &str,
                sent_before: jifen_core::Timestamp,
                now: jifen_core::Timestamp,
            ) -> $crate::Result<Vec<$crate::reminders::GiftDue>> {
                let rows: Vec<(i64, Option<i64>, String, i64, i64)> = sqlx::query_as(
                    "SELECT sender_id, recipient_id, code, created_at, deadline FROM gifts \
                     WHERE program_id = $1 AND status = 'offered' AND created_at <= $2 \
                     AND deadline > $3 ORDER BY created_at, code",
                )
                .bind(program_id)
                .bind($crate::backend::us(sent_before))
                .bind($crate::backend::us(now))
                .fetch_all(self.reader())
                .await?;
                rows.into_iter()
                    .map(|r| {
                        Ok($crate::reminders::GiftDue {
                            sender_id: r.0,
                            recipient_id: r.1,
                            code: r.2,
                            created_at: $crate::backend::at(r.3)?,
                            deadline: $crate::backend::at(r.4)?,
                        })
                    })
                    .collect()
            }

            async fn streaks_last_on(
                &self,
                program_id: &str,
                day: &str,
            ) -> $crate::Result<Vec<$crate::reminders::StreakDue>> {
                let rows: Vec<(i64, String, i64)> = sqlx::query_as(
                    "SELECT s.member_id, s.kind, s.length FROM member_streaks s \
                     JOIN members m ON m.id = s.member_id \
                     WHERE m.program_id = $1 AND m.status = 'active' AND s.last_day = $2 \
                     ORDER BY s.member_id, s.kind",
                )
                .bind(program_id)
                .bind(day)
                .fetch_all(self.reader())
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|r| $crate::reminders::StreakDue {
                        member_id: r.0,
                        kind: r.1,
                        length: r.2,
                    })
                    .collect())
            }

            async fn tier_reviews_between(
                &self,
                program_id: &str,
                after: jifen_core::Timestamp,
                until: jifen_core::Timestamp,
            ) -> $crate::Result<Vec<(i64, String)>> {
                Ok(sqlx::query_as(
                    "SELECT m.id, m.external_id FROM member_tiers t \
                     JOIN members m ON m.id = t.member_id \
                     WHERE t.program_id = $1 AND m.status = 'active' \
                     AND t.review_at > $2 AND t.review_at <= $3 ORDER BY m.id",
                )
                .bind(program_id)
                .bind($crate::backend::us(after))
                .bind($crate::backend::us(until))
                .fetch_all(self.reader())
                .await?)
            }

            async fn active_member_ids(
                &self,
                program_id: &str,
                external_ids: &[String],
            ) -> $crate::Result<Vec<(i64, String)>> {
                let mut out = Vec::new();
                for chunk in external_ids.chunks(500) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "SELECT id, external_id FROM members WHERE status = 'active' \
                         AND program_id = ",
                    );
                    q.push_bind(program_id).push(" AND external_id IN (");
                    let mut sep = q.separated(", ");
                    for id in chunk {
                        sep.push_bind(id);
                    }
                    q.push(") ORDER BY id");
                    let rows: Vec<(i64, String)> =
                        q.build_query_as().fetch_all(self.reader()).await?;
                    out.extend(rows);
                }
                Ok(out)
            }

            async fn notification_preferences(
                &self,
                program_id: &str,
                member_ids: &[i64],
            ) -> $crate::Result<Vec<$crate::reminders::PreferenceRow>> {
                let mut out = Vec::new();
                for chunk in member_ids.chunks(500) {
                    if chunk.is_empty() {
                        continue;
                    }
                    let mut q = sqlx::QueryBuilder::<$db>::new(format!(
                        "SELECT {} FROM notification_preferences WHERE program_id = ",
                        $crate::reminders::PREFERENCE_COLUMNS
                    ));
                    q.push_bind(program_id).push(" AND member_id IN (");
                    let mut sep = q.separated(", ");
                    for id in chunk {
                        sep.push_bind(*id);
                    }
                    q.push(") ORDER BY member_id, kind, channel");
                    let rows: Vec<$crate::reminders::PreferenceTuple> =
                        q.build_query_as().fetch_all(self.reader()).await?;
                    for r in rows {
                        out.push($crate::reminders::preference_row(r)?);
                    }
                }
                Ok(out)
            }

            async fn reminders_recorded(
                &self,
                program_id: &str,
                member_ids: &[i64],
            ) -> $crate::Result<Vec<(i64, String, String, String)>> {
                let mut out = Vec::new();
                for chunk in member_ids.chunks(500) {
                    if chunk.is_empty() {
                        continue;
                    }
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "SELECT member_id, kind, cause, channel FROM reminders WHERE program_id = ",
                    );
                    q.push_bind(program_id).push(" AND member_id IN (");
                    let mut sep = q.separated(", ");
                    for id in chunk {
                        sep.push_bind(*id);
                    }
                    q.push(")");
                    let rows: Vec<(i64, String, String, String)> =
                        q.build_query_as().fetch_all(self.reader()).await?;
                    out.extend(rows);
                }
                Ok(out)
            }

            async fn reminders_pending(
                &self,
                program_id: &str,
                until: jifen_core::Timestamp,
                limit: u32,
            ) -> $crate::Result<Vec<$crate::reminders::ReminderRow>> {
                let rows: Vec<$crate::reminders::ReminderTuple> = sqlx::query_as(&format!(
                    "SELECT {} FROM reminders WHERE program_id = $1 AND status = 'pending' \
                     AND not_before < $2 ORDER BY not_before, member_id, kind, cause, channel \
                     LIMIT $3",
                    $crate::reminders::REMINDER_COLUMNS
                ))
                .bind(program_id)
                .bind($crate::backend::us(until))
                .bind(i64::from(limit))
                .fetch_all(self.reader())
                .await?;
                rows.into_iter().map($crate::reminders::reminder_row).collect()
            }

            async fn member_reminders(
                &self,
                program_id: &str,
                member_id: i64,
            ) -> $crate::Result<Vec<$crate::reminders::ReminderRow>> {
                let rows: Vec<$crate::reminders::ReminderTuple> = sqlx::query_as(&format!(
                    "SELECT {} FROM reminders WHERE member_id = $1 AND program_id = $2 \
                     ORDER BY created_at DESC, kind, cause, channel",
                    $crate::reminders::REMINDER_COLUMNS
                ))
                .bind(member_id)
                .bind(program_id)
                .fetch_all(self.reader())
                .await?;
                rows.into_iter().map($crate::reminders::reminder_row).collect()
            }
        }

        #[async_trait::async_trait]
        impl $crate::reminders::RemindersTx for $tx {
            async fn lock_reminders(&mut self, program_id: &str) -> $crate::Result<()> {
                sqlx::query($lock)
                    .bind(program_id)
                    .execute(&mut *self.tx)
                    .await?;
                Ok(())
            }

            async fn insert_reminders(
                &mut self,
                rows: &[$crate::reminders::ReminderRow],
            ) -> $crate::Result<u64> {
                let mut n = 0;
                for chunk in rows.chunks(500) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(format!(
                        "INSERT INTO reminders ({}) ",
                        $crate::reminders::REMINDER_COLUMNS
                    ));
                    q.push_values(chunk, |mut b, r| {
                        b.push_bind(&r.program_id)
                            .push_bind(r.member_id)
                            .push_bind(&r.kind)
                            .push_bind(&r.cause)
                            .push_bind(&r.channel)
                            .push_bind(&r.template)
                            .push_bind(&r.data)
                            .push_bind(&r.status)
                            .push_bind($crate::backend::us(r.not_before))
                            .push_bind(r.stale_at.map($crate::backend::us))
                            .push_bind($crate::backend::us(r.created_at))
                            .push_bind(r.sent_at.map($crate::backend::us))
                            .push_bind(&r.outcome);
                    });
                    q.push(
                        " ON CONFLICT (program_id, member_id, kind, cause, channel) DO NOTHING",
                    );
                    n += q.build().execute(&mut *self.tx).await?.rows_affected();
                }
                Ok(n)
            }

            async fn due_reminders(
                &mut self,
                program_id: &str,
                now: jifen_core::Timestamp,
                limit: u32,
            ) -> $crate::Result<Vec<$crate::reminders::ReminderRow>> {
                let rows: Vec<$crate::reminders::ReminderTuple> = sqlx::query_as(&format!(
                    "SELECT {} FROM reminders WHERE program_id = $1 AND status = 'pending' \
                     AND not_before <= $2 ORDER BY member_id, not_before, kind, cause, channel \
                     LIMIT $3",
                    $crate::reminders::REMINDER_COLUMNS
                ))
                .bind(program_id)
                .bind($crate::backend::us(now))
                .bind(i64::from(limit))
                .fetch_all(&mut *self.tx)
                .await?;
                rows.into_iter().map($crate::reminders::reminder_row).collect()
            }

            async fn reminders_sent_since(
                &mut self,
                program_id: &str,
                member_ids: &[i64],
                since: jifen_core::Timestamp,
            ) -> $crate::Result<Vec<(i64, String, jifen_core::Timestamp)>> {
                let mut out = Vec::new();
                for chunk in member_ids.chunks(500) {
                    if chunk.is_empty() {
                        continue;
                    }
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "SELECT member_id, channel, sent_at FROM reminders \
                         WHERE status = 'sent' AND program_id = ",
                    );
                    q.push_bind(program_id)
                        .push(" AND sent_at >= ")
                        .push_bind($crate::backend::us(since))
                        .push(" AND member_id IN (");
                    let mut sep = q.separated(", ");
                    for id in chunk {
                        sep.push_bind(*id);
                    }
                    q.push(")");
                    let rows: Vec<(i64, String, i64)> =
                        q.build_query_as().fetch_all(&mut *self.tx).await?;
                    for r in rows {
                        out.push((r.0, r.1, $crate::backend::at(r.2)?));
                    }
                }
                Ok(out)
            }

            async fn settle_reminder(
                &mut self,
                row: &$crate::reminders::ReminderRow,
                status: &str,
                not_before: jifen_core::Timestamp,
                sent_at: Option<jifen_core::Timestamp>,
                outcome: Option<&str>,
            ) -> $crate::Result<bool> {
                let done = sqlx::query(
                    "UPDATE reminders SET status = $6, not_before = $7, sent_at = $8, \
                     outcome = $9 WHERE program_id = $1 AND member_id = $2 AND kind = $3 \
                     AND cause = $4 AND channel = $5 AND status = 'pending'",
                )
                .bind(&row.program_id)
                .bind(row.member_id)
                .bind(&row.kind)
                .bind(&row.cause)
                .bind(&row.channel)
                .bind(status)
                .bind($crate::backend::us(not_before))
                .bind(sent_at.map($crate::backend::us))
                .bind(outcome)
                .execute(&mut *self.tx)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn preferences_of(
                &mut self,
                program_id: &str,
                member_ids: &[i64],
            ) -> $crate::Result<Vec<$crate::reminders::PreferenceRow>> {
                let mut out = Vec::new();
                for chunk in member_ids.chunks(500) {
                    if chunk.is_empty() {
                        continue;
                    }
                    let mut q = sqlx::QueryBuilder::<$db>::new(format!(
                        "SELECT {} FROM notification_preferences WHERE program_id = ",
                        $crate::reminders::PREFERENCE_COLUMNS
                    ));
                    q.push_bind(program_id).push(" AND member_id IN (");
                    let mut sep = q.separated(", ");
                    for id in chunk {
                        sep.push_bind(*id);
                    }
                    q.push(") ORDER BY member_id, kind, channel");
                    let rows: Vec<$crate::reminders::PreferenceTuple> =
                        q.build_query_as().fetch_all(&mut *self.tx).await?;
                    for r in rows {
                        out.push($crate::reminders::preference_row(r)?);
                    }
                }
                Ok(out)
            }

            async fn save_preferences(
                &mut self,
                rows: &[$crate::reminders::PreferenceRow],
            ) -> $crate::Result<()> {
                for r in rows {
                    sqlx::query(
                        "INSERT INTO notification_preferences (program_id, member_id, kind, \
                         channel, enabled, source, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                         ON CONFLICT (member_id, kind, channel) DO UPDATE SET \
                         enabled = excluded.enabled, source = excluded.source, \
                         updated_at = excluded.updated_at",
                    )
                    .bind(&r.program_id)
                    .bind(r.member_id)
                    .bind(&r.kind)
                    .bind(&r.channel)
                    .bind(r.enabled)
                    .bind(&r.source)
                    .bind($crate::backend::us(r.updated_at))
                    .execute(&mut *self.tx)
                    .await?;
                }
                Ok(())
            }

            async fn append_consents(
                &mut self,
                records: &[$crate::ConsentRecord],
            ) -> $crate::Result<()> {
                for r in records {
                    sqlx::query(
                        "INSERT INTO consents (program_id, id, member_id, purpose, granted, at, \
                         source, channel, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    )
                    .bind(&r.program_id)
                    .bind(&r.id)
                    .bind(r.member_id)
                    .bind(&r.purpose)
                    .bind(r.granted)
                    .bind($crate::backend::us(r.at))
                    .bind(&r.source)
                    .bind(&r.channel)
                    .bind($crate::backend::us(r.recorded_at))
                    .execute(&mut *self.tx)
                    .await?;
                }
                Ok(())
            }
        }
    };
}

pub(crate) use reminders_impl;
