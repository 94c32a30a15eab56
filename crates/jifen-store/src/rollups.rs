//! Daily rollups for the console's dashboard.
//!
//! A fold reads what the ledger gained since the last fold, member by member (a member is due
//! when its book has moved past what was folded: `ledger_seq > rolled_seq`, kept by a partial
//! index), and adds it to sums per (program, day, figure). Ingest writes nothing here: the sums
//! are shared rows every write would queue on. A page view reads only the sums.
//!
//! Folds of one program are serialized by a lock on its `rollup_state` row; folding twice
//! changes nothing, as every member's watermark moves with its sums in one transaction.

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use chrono::NaiveDate;
use chrono_tz::Tz;
use jifen_core::{CauseKind, EntryKind, Timestamp};

use crate::Result;

/// The figures of `rollup_days`.
pub mod metric {
    pub const EARNED: &str = "earned";
    pub const REDEEMED: &str = "redeemed";
    pub const EXPIRED: &str = "expired";
    pub const CLAWED_BACK: &str = "clawed_back";
    pub const ADJUSTED_UP: &str = "adjusted_up";
    pub const ADJUSTED_DOWN: &str = "adjusted_down";
    pub const REPAID: &str = "repaid";
    pub const WRITTEN_OFF: &str = "written_off";
    /// Members enrolled that day.
    pub const MEMBERS_NEW: &str = "members_new";
    /// Members whose last active day is that day.
    pub const MEMBERS_ACTIVE: &str = "members_active";
    /// Prefixes of points per rule (`rule:<id>`) and per campaign (`campaign:<id>`).
    pub const RULE: &str = "rule:";
    pub const CAMPAIGN: &str = "campaign:";
}

/// What one fold did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FoldOutcome {
    pub members: u64,
    pub entries: u64,
}

/// A program's rollup bookkeeping.
#[derive(Debug, Clone, PartialEq)]
pub struct RollupState {
    /// When the last fold ran: the sums are exact for everything committed before it.
    pub folded_at: Timestamp,
    /// Points members owe (clawbacks and adjustments beyond their balance, not yet repaid).
    pub debt: i64,
    /// Members per tier (JSON object), counted by the job.
    pub tiers: Option<String>,
    pub tiers_at: Option<Timestamp>,
}

/// One sum of `rollup_days`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayFigure {
    pub day: NaiveDate,
    pub metric: String,
    pub value: i64,
}

#[async_trait]
pub trait RollupStore {
    /// Folds the unfolded entries (and enrolments) of up to `limit` members of a program into
    /// its sums, days and months in `tz`, and stamps the fold `now`.
    async fn fold_rollups(
        &self,
        program_id: &str,
        tz: Tz,
        now: Timestamp,
        limit: u32,
    ) -> Result<FoldOutcome>;
    /// How many members of a program wait to be folded, counting up to `limit`.
    async fn rollup_backlog(&self, program_id: &str, limit: u32) -> Result<u64>;
    /// Counts members per tier (an override in force counts as the member's tier) and keeps
    /// the counts with the rollups.
    async fn refresh_tier_rollup(&self, program_id: &str, now: Timestamp) -> Result<()>;
    /// The sums of the days `from..=to`, day order.
    async fn rollup_days(
        &self,
        program_id: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DayFigure>>;
    /// The sum of one figure over every day up to `to` (members enrolled, in total).
    async fn rollup_sum_until(&self, program_id: &str, metric: &str, to: NaiveDate) -> Result<i64>;
    /// Points left in lots by expiry month (`YYYY-MM`, `""` for never), month order.
    async fn rollup_lots(&self, program_id: &str) -> Result<Vec<(String, i64)>>;
    async fn rollup_state(&self, program_id: &str) -> Result<Option<RollupState>>;
}

/// A due member as the fold reads it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct DueMember {
    pub id: i64,
    pub ledger_seq: i64,
    pub rolled_seq: i64,
    pub enrolled_at: i64,
    pub active_day: Option<String>,
    pub rolled_usage: Option<String>,
}

/// An entry as the fold reads it, with its lot's expiry.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct FoldEntry {
    pub member_id: i64,
    pub kind: String,
    pub points: i64,
    pub cause_kind: String,
    pub effective_at: i64,
    pub lot_no: Option<i64>,
    pub expires_at: Option<i64>,
}

/// What folding a batch adds, and each member's new watermark.
#[derive(Debug, Default)]
pub(crate) struct Fold {
    pub days: BTreeMap<(String, String), i64>,
    pub lots: BTreeMap<String, i64>,
    pub debt: i64,
    /// (member id, new rolled seq, active day, usage JSON)
    pub members: Vec<(i64, i64, Option<String>, Option<String>)>,
    pub entries: u64,
}

pub fn day_of(at: Timestamp, tz: Tz) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

fn day_key(at: Timestamp, tz: Tz) -> String {
    day_of(at, tz).format("%Y-%m-%d").to_string()
}

/// The expiry month of a lot (program time), `""` for a lot that never expires.
pub fn month_key(expires_at: Option<Timestamp>, tz: Tz) -> String {
    expires_at
        .map(|t| t.with_timezone(&tz).format("%Y-%m").to_string())
        .unwrap_or_default()
}

/// The figure an entry adds to, and how much (spending figures count up as positive points).
pub fn entry_metric(kind: EntryKind, points: i64) -> Option<(&'static str, i64)> {
    use metric::*;
    Some(match kind {
        EntryKind::Earn => (EARNED, points),
        EntryKind::Redeem => (REDEEMED, -points),
        EntryKind::Clawback => (CLAWED_BACK, -points),
        EntryKind::Expire => (EXPIRED, -points),
        EntryKind::Adjust if points >= 0 => (ADJUSTED_UP, points),
        EntryKind::Adjust => (ADJUSTED_DOWN, -points),
        EntryKind::Repay => (REPAID, -points),
        EntryKind::WriteOff => (WRITTEN_OFF, -points),
        EntryKind::Hold | EntryKind::Release => return None,
    })
}

/// What an entry does to the points left in its lot: holds and releases move points between a
/// lot and a hold, still owed to the member; everything else changes what the lot owes.
pub fn lot_delta(kind: EntryKind, points: i64) -> i64 {
    match kind {
        EntryKind::Hold | EntryKind::Release => 0,
        _ => points,
    }
}

/// What an entry without a lot does to the points members owe.
pub fn debt_delta(kind: EntryKind, points: i64, has_lot: bool) -> i64 {
    match kind {
        EntryKind::Repay => points,
        EntryKind::Clawback | EntryKind::Adjust if !has_lot => -points,
        _ => 0,
    }
}

/// Whether an entry shows the member acting (earning from an event, spending), as opposed to
/// time (expiry, hold deadlines) or an operator (adjustments, tier benefits) acting on them.
pub fn is_activity(cause: CauseKind) -> bool {
    matches!(
        cause,
        CauseKind::Event
            | CauseKind::Redemption
            | CauseKind::Hold
            | CauseKind::HoldCommit
            | CauseKind::HoldVoid
    )
}

fn at(us: i64) -> Result<Timestamp> {
    crate::backend::at(us)
}

/// Folds due members' entries; `usage` is each member's lifetime points per rule or campaign
/// scope now.
pub(crate) fn fold(
    due: &[DueMember],
    entries: &[FoldEntry],
    usage: &HashMap<i64, BTreeMap<String, i64>>,
    tz: Tz,
    today: &str,
) -> Result<Fold> {
    let mut out = Fold::default();
    let mut by_member: HashMap<i64, Vec<&FoldEntry>> = HashMap::new();
    for e in entries {
        by_member.entry(e.member_id).or_default().push(e);
    }
    for m in due {
        let mut active = m.active_day.clone();
        let mut candidate: Option<String> = None;
        if m.rolled_seq < 0 {
            let day = day_key(at(m.enrolled_at)?, tz);
            *out.days
                .entry((day.clone(), metric::MEMBERS_NEW.into()))
                .or_default() += 1;
            candidate = Some(day);
        }
        let mut earn_day: Option<String> = None;
        for e in by_member.get(&m.id).map(Vec::as_slice).unwrap_or_default() {
            out.entries += 1;
            let kind = EntryKind::parse(&e.kind)
                .ok_or_else(|| crate::StoreError::Corrupt(format!("entry kind {}", e.kind)))?;
            let cause = CauseKind::parse(&e.cause_kind)
                .ok_or_else(|| crate::StoreError::Corrupt(format!("cause {}", e.cause_kind)))?;
            let day = day_key(at(e.effective_at)?, tz);
            if let Some((name, value)) = entry_metric(kind, e.points) {
                *out.days.entry((day.clone(), name.into())).or_default() += value;
            }
            if e.lot_no.is_some() {
                let month = month_key(e.expires_at.map(at).transpose()?, tz);
                *out.lots.entry(month).or_default() += lot_delta(kind, e.points);
            }
            out.debt += debt_delta(kind, e.points, e.lot_no.is_some());
            if is_activity(cause) && candidate.as_ref().is_none_or(|c| *c < day) {
                candidate = Some(day.clone());
            }
            if kind == EntryKind::Earn && earn_day.as_ref().is_none_or(|d| *d < day) {
                earn_day = Some(day);
            }
        }
        if let Some(c) = candidate
            && active.as_ref().is_none_or(|a| *a < c)
        {
            if let Some(old) = &active {
                *out.days
                    .entry((old.clone(), metric::MEMBERS_ACTIVE.into()))
                    .or_default() -= 1;
            }
            *out.days
                .entry((c.clone(), metric::MEMBERS_ACTIVE.into()))
                .or_default() += 1;
            active = Some(c);
        }
        // Rules' points: the change of the member's lifetime counters since the last fold, on
        // the day of the member's latest earning among the folded entries.
        let seen: BTreeMap<String, i64> = m
            .rolled_usage
            .as_deref()
            .and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or_default();
        let now_usage = usage.get(&m.id);
        let mut usage_text = m.rolled_usage.clone();
        if let Some(now_usage) = now_usage {
            let day = earn_day.clone().unwrap_or_else(|| today.to_owned());
            for (scope, points) in now_usage {
                let delta = points - seen.get(scope).copied().unwrap_or(0);
                if delta != 0 {
                    *out.days.entry((day.clone(), scope.clone())).or_default() += delta;
                }
            }
            if now_usage != &seen {
                usage_text = Some(serde_json::to_string(now_usage).unwrap_or_default());
            }
        }
        out.members.push((m.id, m.ledger_seq, active, usage_text));
    }
    Ok(out)
}

/// Expands the rollup statements for a backend.
macro_rules! rollups_impl {
    ($store:ty, $db:ty, for_update = $for_update:literal) => {
        #[async_trait::async_trait]
        impl $crate::rollups::RollupStore for $store {
            async fn fold_rollups(
                &self,
                program_id: &str,
                tz: chrono_tz::Tz,
                now: jifen_core::Timestamp,
                limit: u32,
            ) -> $crate::Result<$crate::rollups::FoldOutcome> {
                use $crate::rollups::{DueMember, FoldEntry};
                let mut tx = self.begin_tx_for(program_id).await?;
                sqlx::query(
                    "INSERT INTO rollup_state (program_id, folded_at, debt) VALUES ($1, 0, 0) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(program_id)
                .execute(&mut *tx)
                .await?;
                // One fold of a program at a time: the second waits here, then finds nothing due.
                sqlx::query(concat!(
                    "SELECT debt FROM rollup_state WHERE program_id = $1",
                    $for_update
                ))
                .bind(program_id)
                .fetch_one(&mut *tx)
                .await?;
                let due: Vec<DueMember> = sqlx::query_as(
                    "SELECT id, ledger_seq, rolled_seq, enrolled_at, active_day, rolled_usage \
                     FROM members WHERE program_id = $1 AND ledger_seq > rolled_seq \
                     ORDER BY id LIMIT $2",
                )
                .bind(program_id)
                .bind(i64::from(limit))
                .fetch_all(&mut *tx)
                .await?;
                let mut entries: Vec<FoldEntry> = Vec::new();
                let with_entries: Vec<&DueMember> =
                    due.iter().filter(|m| m.ledger_seq > m.rolled_seq.max(0)).collect();
                for chunk in with_entries.chunks(ROWS_PER_STATEMENT / 3) {
                    let mut q = sqlx::QueryBuilder::<$db>::new("WITH v (id, lo, hi) AS (");
                    q.push_values(chunk, |mut b, m| {
                        b.push_bind(m.id)
                            .push_bind(m.rolled_seq.max(0))
                            .push_bind(m.ledger_seq);
                    });
                    q.push(
                        ") SELECT e.member_id, e.kind, e.points, e.cause_kind, e.effective_at, \
                         e.lot_no, l.expires_at FROM v \
                         JOIN entries e ON e.member_id = v.id AND e.seq > v.lo AND e.seq <= v.hi \
                         LEFT JOIN lots l ON l.member_id = e.member_id AND l.lot_no = e.lot_no",
                    );
                    entries.extend(
                        q.build_query_as::<FoldEntry>()
                            .persistent(false)
                            .fetch_all(&mut *tx)
                            .await?,
                    );
                }
                // Lifetime points per rule and campaign of the members who earned.
                let earners: Vec<i64> = {
                    let mut ids: Vec<i64> = entries
                        .iter()
                        .filter(|e| e.kind == "earn")
                        .map(|e| e.member_id)
                        .collect();
                    ids.sort_unstable();
                    ids.dedup();
                    ids
                };
                let mut usage: std::collections::HashMap<
                    i64,
                    std::collections::BTreeMap<String, i64>,
                > = std::collections::HashMap::new();
                if !earners.is_empty() {
                    let scopes: Vec<(String,)> = sqlx::query_as(
                        "SELECT DISTINCT 'rule:' || id FROM rules WHERE program_id = $1 \
                         UNION SELECT 'campaign:' || id FROM campaigns WHERE program_id = $1",
                    )
                    .bind(program_id)
                    .fetch_all(&mut *tx)
                    .await?;
                    for scopes in scopes.chunks(50) {
                        for ids in earners.chunks(ROWS_PER_STATEMENT / 2) {
                            let mut q = sqlx::QueryBuilder::<$db>::new(
                                "SELECT member_id, scope, points FROM rule_usage \
                                 WHERE program_id = ",
                            );
                            q.push_bind(program_id).push(" AND period = 'l' AND scope IN (");
                            let mut list = q.separated(", ");
                            for (s,) in scopes {
                                list.push_bind(s);
                            }
                            q.push(") AND member_id IN (");
                            let mut list = q.separated(", ");
                            for id in ids {
                                list.push_bind(*id);
                            }
                            q.push(")");
                            let rows: Vec<(i64, String, i64)> = q
                                .build_query_as()
                                .persistent(false)
                                .fetch_all(&mut *tx)
                                .await?;
                            for (member, scope, points) in rows {
                                usage.entry(member).or_default().insert(scope, points);
                            }
                        }
                    }
                }
                let today = now.with_timezone(&tz).format("%Y-%m-%d").to_string();
                let folded = $crate::rollups::fold(&due, &entries, &usage, tz, &today)?;
                let days: Vec<(&(String, String), &i64)> =
                    folded.days.iter().filter(|(_, v)| **v != 0).collect();
                for chunk in days.chunks(ROWS_PER_STATEMENT / 4) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO rollup_days (program_id, day, metric, value) ",
                    );
                    q.push_values(chunk, |mut b, ((day, metric), value)| {
                        b.push_bind(program_id)
                            .push_bind(day)
                            .push_bind(metric)
                            .push_bind(**value);
                    });
                    q.push(
                        " ON CONFLICT (program_id, day, metric) DO UPDATE SET \
                         value = rollup_days.value + excluded.value",
                    );
                    q.build().persistent(false).execute(&mut *tx).await?;
                }
                let lots: Vec<(&String, &i64)> =
                    folded.lots.iter().filter(|(_, v)| **v != 0).collect();
                for chunk in lots.chunks(ROWS_PER_STATEMENT / 3) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO rollup_lots (program_id, month, points) ",
                    );
                    q.push_values(chunk, |mut b, (month, points)| {
                        b.push_bind(program_id).push_bind(*month).push_bind(**points);
                    });
                    q.push(
                        " ON CONFLICT (program_id, month) DO UPDATE SET \
                         points = rollup_lots.points + excluded.points",
                    );
                    q.build().persistent(false).execute(&mut *tx).await?;
                }
                for chunk in folded.members.chunks(ROWS_PER_STATEMENT / 4) {
                    let mut q =
                        sqlx::QueryBuilder::<$db>::new("WITH v (id, seq, day, usage) AS (");
                    q.push_values(chunk, |mut b, (id, seq, day, usage)| {
                        b.push_bind(*id)
                            .push_bind(*seq)
                            .push_bind(day.clone())
                            .push_bind(usage.clone());
                    });
                    q.push(
                        ") UPDATE members SET rolled_seq = v.seq, active_day = v.day, \
                         rolled_usage = v.usage FROM v WHERE members.id = v.id",
                    );
                    q.build().persistent(false).execute(&mut *tx).await?;
                }
                sqlx::query(
                    "UPDATE rollup_state SET folded_at = $2, debt = debt + $3 \
                     WHERE program_id = $1",
                )
                .bind(program_id)
                .bind($crate::backend::us(now))
                .bind(folded.debt)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok($crate::rollups::FoldOutcome {
                    members: folded.members.len() as u64,
                    entries: folded.entries,
                })
            }

            async fn rollup_backlog(&self, program_id: &str, limit: u32) -> $crate::Result<u64> {
                let (n,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM (SELECT 1 FROM members \
                     WHERE program_id = $1 AND ledger_seq > rolled_seq LIMIT $2) d",
                )
                .bind(program_id)
                .bind(i64::from(limit))
                .fetch_one(self.reader())
                .await?;
                Ok(u64::try_from(n).unwrap_or(0))
            }

            async fn refresh_tier_rollup(
                &self,
                program_id: &str,
                now: jifen_core::Timestamp,
            ) -> $crate::Result<()> {
                let at = $crate::backend::us(now);
                let rows: Vec<(String, i64)> = sqlx::query_as(
                    "SELECT CASE WHEN override_tier IS NOT NULL \
                     AND (override_until IS NULL OR override_until > $2) \
                     THEN override_tier ELSE tier END AS t, COUNT(*) \
                     FROM member_tiers WHERE program_id = $1 GROUP BY 1 ORDER BY 1",
                )
                .bind(program_id)
                .bind(at)
                .fetch_all(self.reader())
                .await?;
                let counts: std::collections::BTreeMap<String, i64> = rows.into_iter().collect();
                let text = serde_json::to_string(&counts).unwrap_or_default();
                let mut tx = self.begin_tx_for(program_id).await?;
                sqlx::query(
                    "INSERT INTO rollup_state (program_id, folded_at, debt, tiers, tiers_at) \
                     VALUES ($1, 0, 0, $2, $3) ON CONFLICT (program_id) DO UPDATE SET \
                     tiers = excluded.tiers, tiers_at = excluded.tiers_at",
                )
                .bind(program_id)
                .bind(text)
                .bind(at)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn rollup_days(
                &self,
                program_id: &str,
                from: chrono::NaiveDate,
                to: chrono::NaiveDate,
            ) -> $crate::Result<Vec<$crate::rollups::DayFigure>> {
                let rows: Vec<(String, String, i64)> = sqlx::query_as(
                    "SELECT day, metric, value FROM rollup_days \
                     WHERE program_id = $1 AND day >= $2 AND day <= $3 ORDER BY day, metric",
                )
                .bind(program_id)
                .bind(from.format("%Y-%m-%d").to_string())
                .bind(to.format("%Y-%m-%d").to_string())
                .fetch_all(self.reader())
                .await?;
                rows.into_iter()
                    .map(|(day, metric, value)| {
                        let day = chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d")
                            .map_err(|_| $crate::StoreError::Corrupt(format!("rollup day {day}")))?;
                        Ok($crate::rollups::DayFigure { day, metric, value })
                    })
                    .collect()
            }

            async fn rollup_sum_until(
                &self,
                program_id: &str,
                metric: &str,
                to: chrono::NaiveDate,
            ) -> $crate::Result<i64> {
                let (n,): (Option<i64>,) = sqlx::query_as(
                    "SELECT CAST(SUM(value) AS BIGINT) FROM rollup_days \
                     WHERE program_id = $1 AND metric = $2 AND day <= $3",
                )
                .bind(program_id)
                .bind(metric)
                .bind(to.format("%Y-%m-%d").to_string())
                .fetch_one(self.reader())
                .await?;
                Ok(n.unwrap_or(0))
            }

            async fn rollup_lots(&self, program_id: &str) -> $crate::Result<Vec<(String, i64)>> {
                Ok(sqlx::query_as(
                    "SELECT month, points FROM rollup_lots WHERE program_id = $1 ORDER BY month",
                )
                .bind(program_id)
                .fetch_all(self.reader())
                .await?)
            }

            async fn rollup_state(
                &self,
                program_id: &str,
            ) -> $crate::Result<Option<$crate::rollups::RollupState>> {
                let row: Option<(i64, i64, Option<String>, Option<i64>)> = sqlx::query_as(
                    "SELECT folded_at, debt, tiers, tiers_at FROM rollup_state \
                     WHERE program_id = $1",
                )
                .bind(program_id)
                .fetch_optional(self.reader())
                .await?;
                row.map(|(folded_at, debt, tiers, tiers_at)| {
                    Ok($crate::rollups::RollupState {
                        folded_at: $crate::backend::at(folded_at)?,
                        debt,
                        tiers,
                        tiers_at: tiers_at.map($crate::backend::at).transpose()?,
                    })
                })
                .transpose()
            }
        }
    };
}

pub(crate) use rollups_impl;
