//! What challenges keep: a program's definitions (stored as the JSON their API takes), what each
//! event added to a member's progress, the steps and completions reached (once each per
//! challenge, period, member and step: the primary key makes that hold across concurrent
//! transactions), and who joined an opt-in challenge.
//!
//! The statements live in [`challenges_impl!`], expanded next to the other backend macros.

use async_trait::async_trait;
use jifen_core::Timestamp;

use crate::Result;

/// A challenge definition as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeRow {
    pub id: String,
    /// The definition's JSON.
    pub spec: String,
    /// `active` or `archived`.
    pub status: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// What one event added to a member's progress in a challenge's period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContributionRow {
    pub program_id: String,
    pub challenge_id: String,
    pub period: String,
    pub member_id: i64,
    pub event_id: String,
    /// The purchase's order, so that its refund can take back what it added.
    pub order_id: Option<String>,
    /// What was counted: a local day, a kind, a category, the event's id, or `""` for a sum.
    pub item: String,
    /// What it added (a refund's rows are negative).
    pub amount: i64,
    pub occurred_at: Timestamp,
}

/// A step (1, 2, …) or the completion (0) a member reached in a challenge's period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeAwardRow {
    pub program_id: String,
    pub challenge_id: String,
    pub period: String,
    pub member_id: i64,
    pub step: i64,
    /// The event that reached it.
    pub event_id: String,
    /// The points it gave.
    pub points: i64,
    /// `awarded` or `revoked`.
    pub status: String,
    pub awarded_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

/// A member's joining of an opt-in challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeJoinRow {
    pub program_id: String,
    pub challenge_id: String,
    pub member_id: i64,
    pub event_id: String,
    /// When the join event occurred: events from then on count.
    pub joined_at: Timestamp,
}

/// Some members' progress, awards and joins, in every challenge of a program.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChallengeState {
    pub contributions: Vec<ContributionRow>,
    pub awards: Vec<ChallengeAwardRow>,
    pub joins: Vec<ChallengeJoinRow>,
}

/// Reads of challenges outside a write.
#[async_trait]
pub trait ChallengeStore: Send + Sync {
    /// The program's challenges, by id.
    async fn challenges(&self, program_id: &str) -> Result<Vec<ChallengeRow>>;
    async fn challenge(&self, program_id: &str, id: &str) -> Result<Option<ChallengeRow>>;
    /// A member's progress, awards and joins.
    async fn member_challenges(&self, program_id: &str, member_id: i64) -> Result<ChallengeState>;
}

/// Challenge writes (and the reads that decide them) inside a write transaction.
#[async_trait]
pub trait ChallengesTx: Send {
    /// Creates or replaces a definition; true when new.
    async fn save_challenge(&mut self, program_id: &str, row: &ChallengeRow) -> Result<bool>;
    /// The program's challenges, by id.
    async fn challenge_defs(&mut self, program_id: &str) -> Result<Vec<ChallengeRow>>;
    /// Some members' progress, awards and joins.
    async fn challenge_state(
        &mut self,
        program_id: &str,
        member_ids: &[i64],
    ) -> Result<ChallengeState>;
    /// Records contributions; an event's row for an item it added before is kept as it was.
    async fn insert_contributions(&mut self, rows: &[ContributionRow]) -> Result<u64>;
    /// Records awards, or a new status of one.
    async fn save_challenge_awards(&mut self, rows: &[ChallengeAwardRow]) -> Result<()>;
    /// Records joins, skipping members who joined before; returns how many were recorded.
    async fn insert_challenge_joins(&mut self, rows: &[ChallengeJoinRow]) -> Result<u64>;
}

pub(crate) type ChallengeTuple = (String, String, String, i64, i64);

pub(crate) fn challenge_row(r: ChallengeTuple) -> Result<ChallengeRow> {
    Ok(ChallengeRow {
        id: r.0,
        spec: r.1,
        status: r.2,
        created_at: crate::backend::at(r.3)?,
        updated_at: crate::backend::at(r.4)?,
    })
}

pub(crate) const CHALLENGE_COLUMNS: &str = "id, spec, status, created_at, updated_at";

pub(crate) type ContributionTuple = (
    String,
    String,
    String,
    i64,
    String,
    Option<String>,
    String,
    i64,
    i64,
);

pub(crate) fn contribution_row(r: ContributionTuple) -> Result<ContributionRow> {
    Ok(ContributionRow {
        program_id: r.0,
        challenge_id: r.1,
        period: r.2,
        member_id: r.3,
        event_id: r.4,
        order_id: r.5,
        item: r.6,
        amount: r.7,
        occurred_at: crate::backend::at(r.8)?,
    })
}

pub(crate) const CONTRIBUTION_COLUMNS: &str = "program_id, challenge_id, period, member_id, \
     event_id, order_id, item, amount, occurred_at";

pub(crate) type AwardTuple = (
    String,
    String,
    String,
    i64,
    i64,
    String,
    i64,
    String,
    i64,
    Option<i64>,
);

pub(crate) fn award_row(r: AwardTuple) -> Result<ChallengeAwardRow> {
    Ok(ChallengeAwardRow {
        program_id: r.0,
        challenge_id: r.1,
        period: r.2,
        member_id: r.3,
        step: r.4,
        event_id: r.5,
        points: r.6,
        status: r.7,
        awarded_at: crate::backend::at(r.8)?,
        revoked_at: r.9.map(crate::backend::at).transpose()?,
    })
}

pub(crate) const AWARD_COLUMNS: &str = "program_id, challenge_id, period, member_id, step, \
     event_id, points, status, awarded_at, revoked_at";

pub(crate) type JoinTuple = (String, String, i64, String, i64);

pub(crate) fn join_row(r: JoinTuple) -> Result<ChallengeJoinRow> {
    Ok(ChallengeJoinRow {
        program_id: r.0,
        challenge_id: r.1,
        member_id: r.2,
        event_id: r.3,
        joined_at: crate::backend::at(r.4)?,
    })
}

pub(crate) const JOIN_COLUMNS: &str = "program_id, challenge_id, member_id, event_id, joined_at";

/// Expands the challenge statements for a backend.
macro_rules! challenges_impl {
    ($store:ty, $tx:ty, $db:ty) => {
        impl $store {
            async fn challenge_state_in(
                conn: &mut <$db as sqlx::Database>::Connection,
                program_id: &str,
                member_ids: &[i64],
            ) -> $crate::Result<$crate::challenges::ChallengeState> {
                use $crate::challenges as c;
                let mut state = c::ChallengeState::default();
                if member_ids.is_empty() {
                    return Ok(state);
                }
                let query = |table: &str, columns: &str, order: &str| {
                    let mut q = sqlx::QueryBuilder::<$db>::new(format!(
                        "SELECT {columns} FROM {table} WHERE program_id = "
                    ));
                    q.push_bind(program_id.to_owned()).push(" AND member_id IN (");
                    let mut l = q.separated(", ");
                    for id in member_ids {
                        l.push_bind(*id);
                    }
                    q.push(format!(") ORDER BY {order}"));
                    q
                };
                let mut q = query(
                    "challenge_contributions",
                    c::CONTRIBUTION_COLUMNS,
                    "occurred_at, event_id, item",
                );
                let rows: Vec<c::ContributionTuple> =
                    q.build_query_as().persistent(false).fetch_all(&mut *conn).await?;
                state.contributions = rows
                    .into_iter()
                    .map(c::contribution_row)
                    .collect::<$crate::Result<_>>()?;
                let mut q = query(
                    "challenge_awards",
                    c::AWARD_COLUMNS,
                    "challenge_id, period, member_id, step",
                );
                let rows: Vec<c::AwardTuple> =
                    q.build_query_as().persistent(false).fetch_all(&mut *conn).await?;
                state.awards = rows
                    .into_iter()
                    .map(c::award_row)
                    .collect::<$crate::Result<_>>()?;
                let mut q = query("challenge_joins", c::JOIN_COLUMNS, "challenge_id, member_id");
                let rows: Vec<c::JoinTuple> =
                    q.build_query_as().persistent(false).fetch_all(&mut *conn).await?;
                state.joins = rows
                    .into_iter()
                    .map(c::join_row)
                    .collect::<$crate::Result<_>>()?;
                Ok(state)
            }
        }

        #[async_trait::async_trait]
        impl $crate::challenges::ChallengeStore for $store {
            async fn challenges(
                &self,
                program_id: &str,
            ) -> $crate::Result<Vec<$crate::challenges::ChallengeRow>> {
                let rows: Vec<$crate::challenges::ChallengeTuple> = sqlx::query_as(&format!(
                    "SELECT {} FROM challenges WHERE program_id = $1 ORDER BY id",
                    $crate::challenges::CHALLENGE_COLUMNS
                ))
                .bind(program_id)
                .fetch_all(self.reader())
                .await?;
                rows.into_iter()
                    .map($crate::challenges::challenge_row)
                    .collect()
            }

            async fn challenge(
                &self,
                program_id: &str,
                id: &str,
            ) -> $crate::Result<Option<$crate::challenges::ChallengeRow>> {
                let row: Option<$crate::challenges::ChallengeTuple> = sqlx::query_as(&format!(
                    "SELECT {} FROM challenges WHERE program_id = $1 AND id = $2",
                    $crate::challenges::CHALLENGE_COLUMNS
                ))
                .bind(program_id)
                .bind(id)
                .fetch_optional(self.reader())
                .await?;
                row.map($crate::challenges::challenge_row).transpose()
            }

            async fn member_challenges(
                &self,
                program_id: &str,
                member_id: i64,
            ) -> $crate::Result<$crate::challenges::ChallengeState> {
                let mut conn = self.reader().acquire().await?;
                <$store>::challenge_state_in(&mut conn, program_id, &[member_id]).await
            }
        }

        #[async_trait::async_trait]
        impl $crate::challenges::ChallengesTx for $tx {
            async fn save_challenge(
                &mut self,
                program_id: &str,
                row: &$crate::challenges::ChallengeRow,
            ) -> $crate::Result<bool> {
                let existing: Option<(String,)> =
                    sqlx::query_as("SELECT id FROM challenges WHERE program_id = $1 AND id = $2")
                        .bind(program_id)
                        .bind(&row.id)
                        .fetch_optional(&mut *self.tx)
                        .await?;
                sqlx::query(
                    "INSERT INTO challenges (program_id, id, spec, status, created_at, \
                     updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (program_id, id) DO UPDATE \
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

            async fn challenge_defs(
                &mut self,
                program_id: &str,
            ) -> $crate::Result<Vec<$crate::challenges::ChallengeRow>> {
                let rows: Vec<$crate::challenges::ChallengeTuple> = sqlx::query_as(&format!(
                    "SELECT {} FROM challenges WHERE program_id = $1 ORDER BY id",
                    $crate::challenges::CHALLENGE_COLUMNS
                ))
                .bind(program_id)
                .fetch_all(&mut *self.tx)
                .await?;
                rows.into_iter()
                    .map($crate::challenges::challenge_row)
                    .collect()
            }

            async fn challenge_state(
                &mut self,
                program_id: &str,
                member_ids: &[i64],
            ) -> $crate::Result<$crate::challenges::ChallengeState> {
                <$store>::challenge_state_in(&mut *self.tx, program_id, member_ids).await
            }

            async fn insert_contributions(
                &mut self,
                rows: &[$crate::challenges::ContributionRow],
            ) -> $crate::Result<u64> {
                let mut n = 0;
                for chunk in rows.chunks(500) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(format!(
                        "INSERT INTO challenge_contributions ({}) ",
                        $crate::challenges::CONTRIBUTION_COLUMNS
                    ));
                    q.push_values(chunk, |mut b, r| {
                        b.push_bind(&r.program_id)
                            .push_bind(&r.challenge_id)
                            .push_bind(&r.period)
                            .push_bind(r.member_id)
                            .push_bind(&r.event_id)
                            .push_bind(&r.order_id)
                            .push_bind(&r.item)
                            .push_bind(r.amount)
                            .push_bind($crate::backend::us(r.occurred_at));
                    });
                    q.push(
                        " ON CONFLICT (program_id, challenge_id, period, member_id, event_id, \
                         item) DO NOTHING",
                    );
                    n += q
                        .build()
                        .persistent(false)
                        .execute(&mut *self.tx)
                        .await?
                        .rows_affected();
                }
                Ok(n)
            }

            async fn save_challenge_awards(
                &mut self,
                rows: &[$crate::challenges::ChallengeAwardRow],
            ) -> $crate::Result<()> {
                for r in rows {
                    sqlx::query(&format!(
                        "INSERT INTO challenge_awards ({}) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                         ON CONFLICT (program_id, challenge_id, period, member_id, step) \
                         DO UPDATE SET event_id = excluded.event_id, points = excluded.points, \
                         status = excluded.status, awarded_at = excluded.awarded_at, \
                         revoked_at = excluded.revoked_at",
                        $crate::challenges::AWARD_COLUMNS
                    ))
                    .bind(&r.program_id)
                    .bind(&r.challenge_id)
                    .bind(&r.period)
                    .bind(r.member_id)
                    .bind(r.step)
                    .bind(&r.event_id)
                    .bind(r.points)
                    .bind(&r.status)
                    .bind($crate::backend::us(r.awarded_at))
                    .bind(r.revoked_at.map($crate::backend::us))
                    .execute(&mut *self.tx)
                    .await?;
                }
                Ok(())
            }

            async fn insert_challenge_joins(
                &mut self,
                rows: &[$crate::challenges::ChallengeJoinRow],
            ) -> $crate::Result<u64> {
                if rows.is_empty() {
                    return Ok(0);
                }
                let mut q = sqlx::QueryBuilder::<$db>::new(format!(
                    "INSERT INTO challenge_joins ({}) ",
                    $crate::challenges::JOIN_COLUMNS
                ));
                q.push_values(rows, |mut b, r| {
                    b.push_bind(&r.program_id)
                        .push_bind(&r.challenge_id)
                        .push_bind(r.member_id)
                        .push_bind(&r.event_id)
                        .push_bind($crate::backend::us(r.joined_at));
                });
                q.push(" ON CONFLICT (program_id, challenge_id, member_id) DO NOTHING");
                Ok(q.build()
                    .persistent(false)
                    .execute(&mut *self.tx)
                    .await?
                    .rows_affected())
            }
        }
    };
}

pub(crate) use challenges_impl;
