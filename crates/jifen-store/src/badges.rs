//! What badges keep: a program's definitions (stored as the JSON their API takes; this crate
//! does not interpret them) and the levels members earned, once each.
//!
//! The statements live in [`badges_impl!`], expanded next to the other backend macros.

use async_trait::async_trait;
use jifen_core::Timestamp;

use crate::Result;

/// A badge definition as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadgeRow {
    pub id: String,
    /// The definition's JSON.
    pub spec: String,
    /// `active` or `archived`.
    pub status: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A level of a badge a member earned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberBadgeRow {
    pub program_id: String,
    pub badge_id: String,
    /// 1 for the first level.
    pub level: i64,
    pub member_id: i64,
    /// What awarded it: `event:<id>`, `contest:<id>`, …
    pub cause: String,
    /// The event that earned it, when an event did.
    pub event_id: Option<String>,
    /// Names the level's public share page.
    pub token: String,
    pub earned_at: Timestamp,
}

/// Reads of badges outside a write.
#[async_trait]
pub trait BadgeStore: Send + Sync {
    /// The program's badges, by id.
    async fn badges(&self, program_id: &str) -> Result<Vec<BadgeRow>>;
    async fn badge(&self, program_id: &str, id: &str) -> Result<Option<BadgeRow>>;
    /// The levels a member earned, oldest first.
    async fn member_badges(&self, program_id: &str, member_id: i64) -> Result<Vec<MemberBadgeRow>>;
    /// The earned level a share token names, in a program.
    async fn member_badge_by_token(
        &self,
        program_id: &str,
        token: &str,
    ) -> Result<Option<MemberBadgeRow>>;
    /// How many members earned each (badge, level) of the program.
    async fn badge_counts(&self, program_id: &str) -> Result<Vec<(String, i64, i64)>>;
    /// A member's events by type: (type, how many).
    async fn event_counts(&self, member_id: i64) -> Result<Vec<(String, i64)>>;
}

/// Badge writes (and the reads that decide them) inside a write transaction.
#[async_trait]
pub trait BadgesTx: Send {
    /// Creates or replaces a definition; true when new.
    async fn save_badge(&mut self, program_id: &str, row: &BadgeRow) -> Result<bool>;
    /// The program's badges, by id.
    async fn badge_defs(&mut self, program_id: &str) -> Result<Vec<BadgeRow>>;
    /// The levels some members earned: (member, badge, level).
    async fn earned_levels(
        &mut self,
        program_id: &str,
        member_ids: &[i64],
    ) -> Result<Vec<(i64, String, i64)>>;
    /// Some members' events by type: (member, type, how many).
    async fn event_counts(&mut self, member_ids: &[i64]) -> Result<Vec<(i64, String, i64)>>;
    /// Records earned levels, skipping any the member holds already; returns how many were
    /// recorded now.
    async fn insert_member_badges(&mut self, rows: &[MemberBadgeRow]) -> Result<u64>;
}

pub(crate) type BadgeTuple = (String, String, String, i64, i64);

pub(crate) fn badge_row(r: BadgeTuple) -> Result<BadgeRow> {
    Ok(BadgeRow {
        id: r.0,
        spec: r.1,
        status: r.2,
        created_at: crate::backend::at(r.3)?,
        updated_at: crate::backend::at(r.4)?,
    })
}

pub(crate) const BADGE_COLUMNS: &str = "id, spec, status, created_at, updated_at";

pub(crate) type EarnedTuple = (
    String,
    String,
    i64,
    i64,
    String,
    Option<String>,
    String,
    i64,
);

pub(crate) fn earned_row(r: EarnedTuple) -> Result<MemberBadgeRow> {
    Ok(MemberBadgeRow {
        program_id: r.0,
        badge_id: r.1,
        level: r.2,
        member_id: r.3,
        cause: r.4,
        event_id: r.5,
        token: r.6,
        earned_at: crate::backend::at(r.7)?,
    })
}

pub(crate) const EARNED_COLUMNS: &str = "program_id, badge_id, CAST(level AS BIGINT), member_id, \
     cause, event_id, token, earned_at";

/// Expands the badge statements for a backend.
macro_rules! badges_impl {
    ($store:ty, $tx:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::badges::BadgeStore for $store {
            async fn badges(
                &self,
                program_id: &str,
            ) -> $crate::Result<Vec<$crate::badges::BadgeRow>> {
                let rows: Vec<$crate::badges::BadgeTuple> = sqlx::query_as(&format!(
                    "SELECT {} FROM badges WHERE program_id = $1 ORDER BY id",
                    $crate::badges::BADGE_COLUMNS
                ))
                .bind(program_id)
                .fetch_all(self.reader())
                .await?;
                rows.into_iter().map($crate::badges::badge_row).collect()
            }

            async fn badge(
                &self,
                program_id: &str,
                id: &str,
            ) -> $crate::Result<Option<$crate::badges::BadgeRow>> {
                let row: Option<$crate::badges::BadgeTuple> = sqlx::query_as(&format!(
                    "SELECT {} FROM badges WHERE program_id = $1 AND id = $2",
                    $crate::badges::BADGE_COLUMNS
                ))
                .bind(program_id)
                .bind(id)
                .fetch_optional(self.reader())
                .await?;
                row.map($crate::badges::badge_row).transpose()
            }

            async fn member_badges(
                &self,
                program_id: &str,
                member_id: i64,
            ) -> $crate::Result<Vec<$crate::badges::MemberBadgeRow>> {
                let rows: Vec<$crate::badges::EarnedTuple> = sqlx::query_as(&format!(
                    "SELECT {} FROM member_badges WHERE member_id = $1 AND program_id = $2 \
                     ORDER BY earned_at, badge_id, level",
                    $crate::badges::EARNED_COLUMNS
                ))
                .bind(member_id)
                .bind(program_id)
                .fetch_all(self.reader())
                .await?;
                rows.into_iter().map($crate::badges::earned_row).collect()
            }

            async fn member_badge_by_token(
                &self,
                program_id: &str,
                token: &str,
            ) -> $crate::Result<Option<$crate::badges::MemberBadgeRow>> {
                let row: Option<$crate::badges::EarnedTuple> = sqlx::query_as(&format!(
                    "SELECT {} FROM member_badges WHERE token = $1 AND program_id = $2",
                    $crate::badges::EARNED_COLUMNS
                ))
                .bind(token)
                .bind(program_id)
                .fetch_optional(self.reader())
                .await?;
                row.map($crate::badges::earned_row).transpose()
            }

            async fn badge_counts(
                &self,
                program_id: &str,
            ) -> $crate::Result<Vec<(String, i64, i64)>> {
                Ok(sqlx::query_as(
                    "SELECT badge_id, CAST(level AS BIGINT), CAST(COUNT(*) AS BIGINT) \
                     FROM member_badges WHERE program_id = $1 \
                     GROUP BY badge_id, level ORDER BY badge_id, level",
                )
                .bind(program_id)
                .fetch_all(self.reader())
                .await?)
            }

            async fn event_counts(&self, member_id: i64) -> $crate::Result<Vec<(String, i64)>> {
                Ok(sqlx::query_as(
                    "SELECT type, CAST(COUNT(*) AS BIGINT) FROM events WHERE member_id = $1 \
                     GROUP BY type ORDER BY type",
                )
                .bind(member_id)
                .fetch_all(self.reader())
                .await?)
            }
        }

        #[async_trait::async_trait]
        impl $crate::badges::BadgesTx for $tx {
            async fn save_badge(
                &mut self,
                program_id: &str,
                row: &$crate::badges::BadgeRow,
            ) -> $crate::Result<bool> {
                let existing: Option<i64> = sqlx::query_scalar(
                    "SELECT created_at FROM badges WHERE program_id = $1 AND id = $2",
                )
                .bind(program_id)
                .bind(&row.id)
                .fetch_optional(&mut *self.tx)
                .await?;
                sqlx::query(
                    "INSERT INTO badges (program_id, id, spec, status, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (program_id, id) DO UPDATE \
                     SET spec = excluded.spec, status = excluded.status, \
                     updated_at = excluded.updated_at",
                )
                .bind(program_id)
                .bind(&row.id)
                .bind(&row.spec)
                .bind(&row.status)
                .bind($crate::backend::us(row.created_at))
                .bind($crate::backend::us(row.updated_at))
                .execute(&mut *self.tx)
                .await?;
                Ok(existing.is_none())
            }

            async fn badge_defs(
                &mut self,
                program_id: &str,
            ) -> $crate::Result<Vec<$crate::badges::BadgeRow>> {
                let rows: Vec<$crate::badges::BadgeTuple> = sqlx::query_as(&format!(
                    "SELECT {} FROM badges WHERE program_id = $1 ORDER BY id",
                    $crate::badges::BADGE_COLUMNS
                ))
                .bind(program_id)
                .fetch_all(&mut *self.tx)
                .await?;
                rows.into_iter().map($crate::badges::badge_row).collect()
            }

            async fn earned_levels(
                &mut self,
                program_id: &str,
                member_ids: &[i64],
            ) -> $crate::Result<Vec<(i64, String, i64)>> {
                if member_ids.is_empty() {
                    return Ok(Vec::new());
                }
                let mut q = sqlx::QueryBuilder::<$db>::new(
                    "SELECT member_id, badge_id, CAST(level AS BIGINT) FROM member_badges \
                     WHERE program_id = ",
                );
                q.push_bind(program_id).push(" AND member_id IN (");
                let mut l = q.separated(", ");
                for id in member_ids {
                    l.push_bind(*id);
                }
                q.push(")");
                Ok(q.build_query_as()
                    .persistent(false)
                    .fetch_all(&mut *self.tx)
                    .await?)
            }

            async fn event_counts(
                &mut self,
                member_ids: &[i64],
            ) -> $crate::Result<Vec<(i64, String, i64)>> {
                if member_ids.is_empty() {
                    return Ok(Vec::new());
                }
                let mut q = sqlx::QueryBuilder::<$db>::new(
                    "SELECT member_id, type, CAST(COUNT(*) AS BIGINT) FROM events \
                     WHERE member_id IN (",
                );
                let mut l = q.separated(", ");
                for id in member_ids {
                    l.push_bind(*id);
                }
                q.push(") GROUP BY member_id, type");
                Ok(q.build_query_as()
                    .persistent(false)
                    .fetch_all(&mut *self.tx)
                    .await?)
            }

            async fn insert_member_badges(
                &mut self,
                rows: &[$crate::badges::MemberBadgeRow],
            ) -> $crate::Result<u64> {
                if rows.is_empty() {
                    return Ok(0);
                }
                let mut q = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO member_badges (program_id, badge_id, level, member_id, cause, \
                     event_id, token, earned_at) ",
                );
                q.push_values(rows, |mut b, r| {
                    b.push_bind(&r.program_id)
                        .push_bind(&r.badge_id)
                        .push_bind(r.level)
                        .push_bind(r.member_id)
                        .push_bind(&r.cause)
                        .push_bind(&r.event_id)
                        .push_bind(&r.token)
                        .push_bind($crate::backend::us(r.earned_at));
                });
                q.push(" ON CONFLICT (program_id, badge_id, level, member_id) DO NOTHING");
                Ok(q.build()
                    .persistent(false)
                    .execute(&mut *self.tx)
                    .await?
                    .rows_affected())
            }
        }
    };
}

pub(crate) use badges_impl;
