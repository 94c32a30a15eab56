//! Leaderboards' definitions, scores and settled contests.
//!
//! Scores change inside the event's write transaction ([`LeaderboardsTx::add_scores`]), one
//! upsert per member and board period that answers the row as it now stands, so the caller can
//! hand the new standing to the in-memory ranking (or Redis) after the commit. A contest is
//! settled by one transaction that inserts its row (the primary key lets one settlement in),
//! freezes every standing with `ROW_NUMBER()` in one `INSERT … SELECT`, and reads back the
//! winners for their prizes.
//!
//! The statements live in [`leaderboards_impl!`], expanded next to the other backend macros.

use async_trait::async_trait;
use jifen_core::Timestamp;

use crate::Result;

/// A leaderboard as stored: its definition is JSON the server parses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaderboardRow {
    pub id: String,
    pub spec: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A change of one member's score on one board period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreDelta {
    pub leaderboard_id: String,
    pub period: String,
    pub member_id: i64,
    pub delta: i64,
}

/// One member's score on one board period, as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreRow {
    pub leaderboard_id: String,
    pub period: String,
    pub member_id: i64,
    pub external_id: String,
    pub score: i64,
    pub reached_at: Timestamp,
    pub version: i64,
}

/// A place in the change log: when the change was recorded, its board period's number and the
/// member. Pages of [`LeaderboardStore::leaderboard_changes_since`] go on after one. Two changes
/// of one member's score recorded at the same instant share a place, and a page may end between
/// them: the next page starts after both, which loses nothing, since each is read as the score
/// now stands.
pub type ChangeCursor = (i64, i64, i64);

/// A score that changed, as it now stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreChange {
    /// Where this change is in the log.
    pub cursor: ChangeCursor,
    pub program_id: String,
    pub row: ScoreRow,
}

/// A settled contest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContestRow {
    pub leaderboard_id: String,
    pub period: String,
    pub settled_at: Timestamp,
    /// Members in the final standings.
    pub ranked: i64,
    /// Members who won a prize.
    pub winners: i64,
}

/// One line of a settled contest's final standings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrozenRow {
    pub rank: i64,
    pub member_id: i64,
    pub external_id: String,
    pub score: i64,
    pub reached_at: Timestamp,
}

#[async_trait]
pub trait LeaderboardStore {
    /// Saves a definition; true when it is new.
    async fn save_leaderboard(
        &self,
        program_id: &str,
        id: &str,
        spec: &str,
        at: Timestamp,
    ) -> Result<bool>;
    /// The program's leaderboards, by id.
    async fn leaderboards(&self, program_id: &str) -> Result<Vec<LeaderboardRow>>;
    async fn leaderboard(&self, program_id: &str, id: &str) -> Result<Option<LeaderboardRow>>;
    /// Programs that define at least one leaderboard (for the contest job).
    async fn programs_with_leaderboards(&self) -> Result<Vec<String>>;
    /// A board period's scores, by member id after `after`, at most `limit`: the pages a
    /// ranking is rebuilt from.
    async fn leaderboard_scores(
        &self,
        program_id: &str,
        leaderboard_id: &str,
        period: &str,
        after: i64,
        limit: u32,
    ) -> Result<Vec<ScoreRow>>;
    /// How many members a board period ranks.
    async fn leaderboard_count(
        &self,
        program_id: &str,
        leaderboard_id: &str,
        period: &str,
    ) -> Result<i64>;
    /// Scores of any board of any program changed at or after `since`, as they now stand, in
    /// the order of the change log after `after` (what a node that may have missed reporting
    /// them re-applies to a shared ranking). Only changes recorded with `log` are there.
    async fn leaderboard_changes_since(
        &self,
        since: Timestamp,
        after: ChangeCursor,
        limit: u32,
    ) -> Result<Vec<ScoreChange>>;
    /// Forgets the change log before `before`; returns how many changes it forgot.
    async fn prune_leaderboard_changes(&self, before: Timestamp) -> Result<u64>;
    async fn contest(
        &self,
        program_id: &str,
        leaderboard_id: &str,
        period: &str,
    ) -> Result<Option<ContestRow>>;
    /// A board's settled contests, newest period first.
    async fn contests(&self, program_id: &str, leaderboard_id: &str) -> Result<Vec<ContestRow>>;
    /// Final standings from rank `from`, at most `limit`.
    async fn contest_standings(
        &self,
        program_id: &str,
        leaderboard_id: &str,
        period: &str,
        from: i64,
        limit: u32,
    ) -> Result<Vec<FrozenRow>>;
    /// A member's line of the final standings.
    async fn contest_standing_of(
        &self,
        program_id: &str,
        leaderboard_id: &str,
        period: &str,
        member_id: i64,
    ) -> Result<Option<FrozenRow>>;
}

#[async_trait]
pub trait LeaderboardsTx: Send {
    /// The program's leaderboards, read in the transaction.
    async fn leaderboards_in_tx(&mut self, program_id: &str) -> Result<Vec<LeaderboardRow>>;
    /// Of these (board, period) pairs, those whose contest is settled.
    async fn settled_periods(
        &mut self,
        program_id: &str,
        periods: &[(String, String)],
    ) -> Result<Vec<(String, String)>>;
    /// Adds to scores (at most one delta per board, period and member; none zero), stamping
    /// each changed score as reached at `at`; returns the rows as they now stand. With `log`,
    /// each change is also written to the change log that
    /// [`LeaderboardStore::leaderboard_changes_since`] reads (rankings shared between nodes need
    /// it; a node's own ranking does not).
    async fn add_scores(
        &mut self,
        program_id: &str,
        deltas: &[ScoreDelta],
        at: Timestamp,
        log: bool,
    ) -> Result<Vec<ScoreRow>>;
    /// Settles a contest: records it and freezes its standings, unless it is settled already
    /// (`None`, nothing written). Returns how many were ranked and the lines down to rank
    /// `prize_ranks`.
    async fn settle_contest(
        &mut self,
        program_id: &str,
        leaderboard_id: &str,
        period: &str,
        at: Timestamp,
        prize_ranks: u32,
    ) -> Result<Option<(i64, Vec<FrozenRow>)>>;
}

/// A score to add to: (board period, member, delta).
pub(crate) type KeyedDelta = (i64, i64, i64);
/// A score as it stands after an upsert: board period, member, score, reached at, version.
pub(crate) type UpsertedScore = (i64, i64, i64, i64, i64);

/// What an upsert of scores does with a score that exists already, and what it answers.
macro_rules! upsert_tail {
    () => {
        " ON CONFLICT (board_period, member_id) \
         DO UPDATE SET score = leaderboard_scores.score + excluded.score, \
         reached_at = excluded.reached_at, version = leaderboard_scores.version + 1 \
         RETURNING board_period, member_id, score, reached_at, version"
    };
}

/// Adds to scores on PostgreSQL: the columns as arrays, so that one prepared statement serves
/// any number of rows (a list of values would be parsed and planned again each time, with five
/// parameters a row).
pub(crate) async fn upsert_scores_pg(
    conn: &mut sqlx::PgConnection,
    rows: &[KeyedDelta],
    now_us: i64,
) -> Result<Vec<UpsertedScore>> {
    let mut periods = Vec::with_capacity(rows.len());
    let mut members = Vec::with_capacity(rows.len());
    let mut deltas = Vec::with_capacity(rows.len());
    for (period, member, delta) in rows {
        periods.push(*period);
        members.push(*member);
        deltas.push(*delta);
    }
    Ok(sqlx::query_as(concat!(
        "INSERT INTO leaderboard_scores (board_period, member_id, score, reached_at, version) \
         SELECT p, m, d, $4, 1 FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::BIGINT[]) \
         AS u(p, m, d)",
        upsert_tail!()
    ))
    .bind(periods)
    .bind(members)
    .bind(deltas)
    .bind(now_us)
    .fetch_all(conn)
    .await?)
}

/// Adds to scores on SQLite, a list of values per slice of rows (SQLite has no arrays, and
/// parses a statement in a fraction of the time).
pub(crate) async fn upsert_scores_sqlite(
    conn: &mut sqlx::SqliteConnection,
    rows: &[KeyedDelta],
    now_us: i64,
) -> Result<Vec<UpsertedScore>> {
    let mut out = Vec::with_capacity(rows.len());
    for part in rows.chunks(200) {
        let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT INTO leaderboard_scores (board_period, member_id, score, reached_at, version) ",
        );
        q.push_values(part, |mut b, (period, member, delta)| {
            b.push_bind(*period)
                .push_bind(*member)
                .push_bind(*delta)
                .push_bind(now_us)
                .push_bind(1i64);
        });
        q.push(upsert_tail!());
        let rows: Vec<UpsertedScore> = q
            .build_query_as()
            .persistent(false)
            .fetch_all(&mut *conn)
            .await?;
        out.extend(rows);
    }
    Ok(out)
}

/// The statements of [`LeaderboardStore`] and [`LeaderboardsTx`], for one backend; `upsert`
/// adds to scores ([`upsert_scores_pg`], [`upsert_scores_sqlite`]).
macro_rules! leaderboards_impl {
    ($store:ident, $tx:ident, $db:ty, upsert = $upsert:path) => {
        mod leaderboards_sql {
            use jifen_core::Timestamp;

            use super::$store;
            use super::$tx;
            use $crate::Result;
            use $crate::backend::{at, us};
            use $crate::leaderboards::{
                ChangeCursor, ContestRow, FrozenRow, LeaderboardRow, ScoreChange, ScoreDelta,
                ScoreRow,
            };

            type Conn = <$db as sqlx::Database>::Connection;
            type BoardTuple = (String, String, i64, i64);
            /// member_id, external_id, score, reached_at, version
            type ScoreTuple = (i64, String, i64, i64, i64);
            type ContestTuple = (String, String, i64, i64, i64);
            type FrozenTuple = (i64, i64, String, i64, i64);

            fn board(r: BoardTuple) -> Result<LeaderboardRow> {
                Ok(LeaderboardRow {
                    id: r.0,
                    spec: r.1,
                    created_at: at(r.2)?,
                    updated_at: at(r.3)?,
                })
            }

            fn score(leaderboard_id: &str, period: &str, r: ScoreTuple) -> Result<ScoreRow> {
                Ok(ScoreRow {
                    leaderboard_id: leaderboard_id.to_owned(),
                    period: period.to_owned(),
                    member_id: r.0,
                    external_id: r.1,
                    score: r.2,
                    reached_at: at(r.3)?,
                    version: r.4,
                })
            }

            fn contest(r: ContestTuple) -> Result<ContestRow> {
                Ok(ContestRow {
                    leaderboard_id: r.0,
                    period: r.1,
                    settled_at: at(r.2)?,
                    ranked: r.3,
                    winners: r.4,
                })
            }

            fn frozen(r: FrozenTuple) -> Result<FrozenRow> {
                Ok(FrozenRow {
                    rank: r.0,
                    member_id: r.1,
                    external_id: r.2,
                    score: r.3,
                    reached_at: at(r.4)?,
                })
            }

            const SCORE_COLUMNS: &str =
                "s.member_id, m.external_id, s.score, s.reached_at, s.version";
            /// The number of a board period, in a statement whose $1, $2 and $3 are the
            /// program, the board and the period (NULL when nothing was ever scored there).
            const PERIOD_ID: &str = "(SELECT id FROM leaderboard_periods WHERE program_id = $1 \
                AND leaderboard_id = $2 AND period = $3)";
            const FROZEN_COLUMNS: &str =
                "f.rank, f.member_id, m.external_id, f.score, f.reached_at";

            async fn boards(conn: &mut Conn, program_id: &str) -> Result<Vec<LeaderboardRow>> {
                let rows: Vec<BoardTuple> = sqlx::query_as(
                    "SELECT id, spec, created_at, updated_at FROM leaderboards \
                     WHERE program_id = $1 ORDER BY id",
                )
                .bind(program_id)
                .fetch_all(&mut *conn)
                .await?;
                rows.into_iter().map(board).collect()
            }

            /// The numbers of the board periods the deltas score, each (board, period, number)
            /// once; a period scored for the first time is numbered here.
            async fn period_ids(
                conn: &mut Conn,
                program_id: &str,
                deltas: &[ScoreDelta],
            ) -> Result<Vec<(String, String, i64)>> {
                let mut wanted: Vec<(&str, &str)> = deltas
                    .iter()
                    .map(|d| (d.leaderboard_id.as_str(), d.period.as_str()))
                    .collect();
                wanted.sort_unstable();
                wanted.dedup();
                let mut found = Vec::with_capacity(wanted.len());
                for round in 0..2 {
                    let missing: Vec<(&str, &str)> = wanted
                        .iter()
                        .filter(|(b, p)| !found.iter().any(|(fb, fp, _)| fb == b && fp == p))
                        .copied()
                        .collect();
                    if missing.is_empty() {
                        break;
                    }
                    if round == 1 {
                        // Numbered by whichever transaction gets there first; a concurrent
                        // one waits for it and then reads its number.
                        let mut q = sqlx::QueryBuilder::<$db>::new(
                            "INSERT INTO leaderboard_periods (program_id, leaderboard_id, period) ",
                        );
                        q.push_values(&missing, |mut b, (board, period)| {
                            b.push_bind(program_id.to_owned())
                                .push_bind((*board).to_owned())
                                .push_bind((*period).to_owned());
                        });
                        q.push(" ON CONFLICT (program_id, leaderboard_id, period) DO NOTHING");
                        q.build().persistent(false).execute(&mut *conn).await?;
                    }
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "SELECT leaderboard_id, period, id FROM leaderboard_periods \
                         WHERE program_id = ",
                    );
                    q.push_bind(program_id.to_owned());
                    q.push(" AND (");
                    let mut or = q.separated(" OR ");
                    for (board, period) in &missing {
                        or.push("(leaderboard_id = ");
                        or.push_bind_unseparated((*board).to_owned());
                        or.push_unseparated(" AND period = ");
                        or.push_bind_unseparated((*period).to_owned());
                        or.push_unseparated(")");
                    }
                    q.push(")");
                    let rows: Vec<(String, String, i64)> = q
                        .build_query_as()
                        .persistent(false)
                        .fetch_all(&mut *conn)
                        .await?;
                    found.extend(rows);
                }
                Ok(found)
            }

            #[async_trait::async_trait]
            impl $crate::leaderboards::LeaderboardStore for $store {
                async fn save_leaderboard(
                    &self,
                    program_id: &str,
                    id: &str,
                    spec: &str,
                    now: Timestamp,
                ) -> Result<bool> {
                    let mut tx = self.begin_tx().await?;
                    let existed: Option<(String,)> = sqlx::query_as(
                        "SELECT id FROM leaderboards WHERE program_id = $1 AND id = $2",
                    )
                    .bind(program_id)
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
                    sqlx::query(
                        "INSERT INTO leaderboards (program_id, id, spec, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $4) ON CONFLICT (program_id, id) DO UPDATE \
                         SET spec = excluded.spec, updated_at = excluded.updated_at",
                    )
                    .bind(program_id)
                    .bind(id)
                    .bind(spec)
                    .bind(us(now))
                    .execute(&mut *tx)
                    .await?;
                    tx.commit().await?;
                    Ok(existed.is_none())
                }

                async fn leaderboards(&self, program_id: &str) -> Result<Vec<LeaderboardRow>> {
                    let mut conn = self.reader().acquire().await?;
                    boards(&mut conn, program_id).await
                }

                async fn leaderboard(
                    &self,
                    program_id: &str,
                    id: &str,
                ) -> Result<Option<LeaderboardRow>> {
                    let row: Option<BoardTuple> = sqlx::query_as(
                        "SELECT id, spec, created_at, updated_at FROM leaderboards \
                         WHERE program_id = $1 AND id = $2",
                    )
                    .bind(program_id)
                    .bind(id)
                    .fetch_optional(self.reader())
                    .await?;
                    row.map(board).transpose()
                }

                async fn programs_with_leaderboards(&self) -> Result<Vec<String>> {
                    let rows: Vec<(String,)> = sqlx::query_as(
                        "SELECT DISTINCT program_id FROM leaderboards ORDER BY program_id",
                    )
                    .fetch_all(self.reader())
                    .await?;
                    Ok(rows.into_iter().map(|r| r.0).collect())
                }

                async fn leaderboard_scores(
                    &self,
                    program_id: &str,
                    leaderboard_id: &str,
                    period: &str,
                    after: i64,
                    limit: u32,
                ) -> Result<Vec<ScoreRow>> {
                    let rows: Vec<ScoreTuple> = sqlx::query_as(&format!(
                        "SELECT {SCORE_COLUMNS} FROM leaderboard_scores s \
                         JOIN members m ON m.id = s.member_id \
                         WHERE s.board_period = {PERIOD_ID} \
                         AND s.member_id > $4 ORDER BY s.member_id LIMIT $5"
                    ))
                    .bind(program_id)
                    .bind(leaderboard_id)
                    .bind(period)
                    .bind(after)
                    .bind(i64::from(limit))
                    .fetch_all(self.reader())
                    .await?;
                    rows.into_iter()
                        .map(|r| score(leaderboard_id, period, r))
                        .collect()
                }

                async fn leaderboard_count(
                    &self,
                    program_id: &str,
                    leaderboard_id: &str,
                    period: &str,
                ) -> Result<i64> {
                    let (n,): (i64,) = sqlx::query_as(&format!(
                        "SELECT COUNT(*) FROM leaderboard_scores WHERE board_period = {PERIOD_ID}"
                    ))
                    .bind(program_id)
                    .bind(leaderboard_id)
                    .bind(period)
                    .fetch_one(self.reader())
                    .await?;
                    Ok(n)
                }

                async fn leaderboard_changes_since(
                    &self,
                    since: Timestamp,
                    after: ChangeCursor,
                    limit: u32,
                ) -> Result<Vec<ScoreChange>> {
                    type ChangeTuple =
                        (i64, i64, String, String, String, i64, String, i64, i64, i64);
                    let rows: Vec<ChangeTuple> = sqlx::query_as(
                        "SELECT c.recorded_at, c.board_period, p.program_id, p.leaderboard_id, \
                         p.period, s.member_id, m.external_id, s.score, s.reached_at, s.version \
                         FROM leaderboard_changes c \
                         JOIN leaderboard_periods p ON p.id = c.board_period \
                         JOIN leaderboard_scores s ON s.board_period = c.board_period \
                         AND s.member_id = c.member_id \
                         JOIN members m ON m.id = c.member_id \
                         WHERE c.recorded_at >= $1 \
                         AND (c.recorded_at, c.board_period, c.member_id) > ($2, $3, $4) \
                         ORDER BY c.recorded_at, c.board_period, c.member_id LIMIT $5",
                    )
                    .bind(us(since))
                    .bind(after.0)
                    .bind(after.1)
                    .bind(after.2)
                    .bind(i64::from(limit))
                    .fetch_all(self.reader())
                    .await?;
                    rows.into_iter()
                        .map(|r| {
                            Ok(ScoreChange {
                                cursor: (r.0, r.1, r.5),
                                row: score(&r.3, &r.4, (r.5, r.6, r.7, r.8, r.9))?,
                                program_id: r.2,
                            })
                        })
                        .collect()
                }

                async fn prune_leaderboard_changes(&self, before: Timestamp) -> Result<u64> {
                    let mut tx = self.begin_tx().await?;
                    let done =
                        sqlx::query("DELETE FROM leaderboard_changes WHERE recorded_at < $1")
                            .bind(us(before))
                            .execute(&mut *tx)
                            .await?;
                    tx.commit().await?;
                    Ok(done.rows_affected())
                }

                async fn contest(
                    &self,
                    program_id: &str,
                    leaderboard_id: &str,
                    period: &str,
                ) -> Result<Option<ContestRow>> {
                    let row: Option<ContestTuple> = sqlx::query_as(
                        "SELECT leaderboard_id, period, settled_at, ranked, winners FROM contests \
                         WHERE program_id = $1 AND leaderboard_id = $2 AND period = $3",
                    )
                    .bind(program_id)
                    .bind(leaderboard_id)
                    .bind(period)
                    .fetch_optional(self.reader())
                    .await?;
                    row.map(contest).transpose()
                }

                async fn contests(
                    &self,
                    program_id: &str,
                    leaderboard_id: &str,
                ) -> Result<Vec<ContestRow>> {
                    let rows: Vec<ContestTuple> = sqlx::query_as(
                        "SELECT leaderboard_id, period, settled_at, ranked, winners FROM contests \
                         WHERE program_id = $1 AND leaderboard_id = $2 ORDER BY period DESC",
                    )
                    .bind(program_id)
                    .bind(leaderboard_id)
                    .fetch_all(self.reader())
                    .await?;
                    rows.into_iter().map(contest).collect()
                }

                async fn contest_standings(
                    &self,
                    program_id: &str,
                    leaderboard_id: &str,
                    period: &str,
                    from: i64,
                    limit: u32,
                ) -> Result<Vec<FrozenRow>> {
                    let rows: Vec<FrozenTuple> = sqlx::query_as(&format!(
                        "SELECT {FROZEN_COLUMNS} FROM contest_standings f \
                         JOIN members m ON m.id = f.member_id \
                         WHERE f.program_id = $1 AND f.leaderboard_id = $2 AND f.period = $3 \
                         AND f.rank >= $4 ORDER BY f.rank LIMIT $5"
                    ))
                    .bind(program_id)
                    .bind(leaderboard_id)
                    .bind(period)
                    .bind(from)
                    .bind(i64::from(limit))
                    .fetch_all(self.reader())
                    .await?;
                    rows.into_iter().map(frozen).collect()
                }

                async fn contest_standing_of(
                    &self,
                    program_id: &str,
                    leaderboard_id: &str,
                    period: &str,
                    member_id: i64,
                ) -> Result<Option<FrozenRow>> {
                    let row: Option<FrozenTuple> = sqlx::query_as(&format!(
                        "SELECT {FROZEN_COLUMNS} FROM contest_standings f \
                         JOIN members m ON m.id = f.member_id \
                         WHERE f.program_id = $1 AND f.leaderboard_id = $2 AND f.period = $3 \
                         AND f.member_id = $4"
                    ))
                    .bind(program_id)
                    .bind(leaderboard_id)
                    .bind(period)
                    .bind(member_id)
                    .fetch_optional(self.reader())
                    .await?;
                    row.map(frozen).transpose()
                }
            }

            #[async_trait::async_trait]
            impl $crate::leaderboards::LeaderboardsTx for $tx {
                async fn leaderboards_in_tx(
                    &mut self,
                    program_id: &str,
                ) -> Result<Vec<LeaderboardRow>> {
                    boards(&mut self.tx, program_id).await
                }

                async fn settled_periods(
                    &mut self,
                    program_id: &str,
                    periods: &[(String, String)],
                ) -> Result<Vec<(String, String)>> {
                    let mut settled = Vec::new();
                    for (board, period) in periods {
                        let row: Option<(String,)> = sqlx::query_as(
                            "SELECT period FROM contests WHERE program_id = $1 \
                             AND leaderboard_id = $2 AND period = $3",
                        )
                        .bind(program_id)
                        .bind(board)
                        .bind(period)
                        .fetch_optional(&mut *self.tx)
                        .await?;
                        if row.is_some() {
                            settled.push((board.clone(), period.clone()));
                        }
                    }
                    Ok(settled)
                }

                async fn add_scores(
                    &mut self,
                    program_id: &str,
                    deltas: &[ScoreDelta],
                    now: Timestamp,
                    log: bool,
                ) -> Result<Vec<ScoreRow>> {
                    let periods = period_ids(&mut self.tx, program_id, deltas).await?;
                    let mut keyed = Vec::with_capacity(deltas.len());
                    for d in deltas {
                        let id = periods
                            .iter()
                            .find(|(b, p, _)| *b == d.leaderboard_id && *p == d.period)
                            .map(|(_, _, id)| *id)
                            .ok_or_else(|| {
                                $crate::StoreError::Corrupt(format!(
                                    "no number for the period {} of the board {}",
                                    d.period, d.leaderboard_id
                                ))
                            })?;
                        keyed.push((id, d.member_id, d.delta));
                    }
                    let rows = $upsert(&mut *self.tx, &keyed, us(now)).await?;
                    let mut out = Vec::with_capacity(rows.len());
                    for r in rows {
                        let Some((board, period, _)) = periods.iter().find(|(_, _, id)| *id == r.0)
                        else {
                            continue;
                        };
                        out.push(ScoreRow {
                            leaderboard_id: board.clone(),
                            period: period.clone(),
                            member_id: r.1,
                            // The caller knows its members' external ids.
                            external_id: String::new(),
                            score: r.2,
                            reached_at: at(r.3)?,
                            version: r.4,
                        });
                    }
                    if log {
                        for part in keyed.chunks(300) {
                            let mut q = sqlx::QueryBuilder::<$db>::new(
                                "INSERT INTO leaderboard_changes (recorded_at, board_period, \
                                 member_id) ",
                            );
                            q.push_values(part, |mut b, (id, member, _)| {
                                b.push_bind(us(now)).push_bind(*id).push_bind(*member);
                            });
                            q.build().persistent(false).execute(&mut *self.tx).await?;
                        }
                    }
                    Ok(out)
                }

                async fn settle_contest(
                    &mut self,
                    program_id: &str,
                    leaderboard_id: &str,
                    period: &str,
                    now: Timestamp,
                    prize_ranks: u32,
                ) -> Result<Option<(i64, Vec<FrozenRow>)>> {
                    let claimed = sqlx::query(
                        "INSERT INTO contests (program_id, leaderboard_id, period, settled_at, \
                         ranked, winners) VALUES ($1, $2, $3, $4, 0, 0) ON CONFLICT \
                         (program_id, leaderboard_id, period) DO NOTHING",
                    )
                    .bind(program_id)
                    .bind(leaderboard_id)
                    .bind(period)
                    .bind(us(now))
                    .execute(&mut *self.tx)
                    .await?;
                    if claimed.rows_affected() != 1 {
                        return Ok(None);
                    }
                    let frozen_rows = sqlx::query(
                        "INSERT INTO contest_standings (program_id, leaderboard_id, period, rank, \
                         member_id, score, reached_at) \
                         SELECT p.program_id, p.leaderboard_id, p.period, \
                         ROW_NUMBER() OVER (ORDER BY s.score DESC, s.reached_at, s.member_id), \
                         s.member_id, s.score, s.reached_at FROM leaderboard_scores s \
                         JOIN leaderboard_periods p ON p.id = s.board_period \
                         WHERE p.program_id = $1 AND p.leaderboard_id = $2 AND p.period = $3",
                    )
                    .bind(program_id)
                    .bind(leaderboard_id)
                    .bind(period)
                    .execute(&mut *self.tx)
                    .await?;
                    let ranked = i64::try_from(frozen_rows.rows_affected()).unwrap_or(i64::MAX);
                    let winners = ranked.min(i64::from(prize_ranks));
                    sqlx::query(
                        "UPDATE contests SET ranked = $1, winners = $2 WHERE program_id = $3 \
                         AND leaderboard_id = $4 AND period = $5",
                    )
                    .bind(ranked)
                    .bind(winners)
                    .bind(program_id)
                    .bind(leaderboard_id)
                    .bind(period)
                    .execute(&mut *self.tx)
                    .await?;
                    let rows: Vec<FrozenTuple> = sqlx::query_as(&format!(
                        "SELECT {FROZEN_COLUMNS} FROM contest_standings f \
                         JOIN members m ON m.id = f.member_id \
                         WHERE f.program_id = $1 AND f.leaderboard_id = $2 AND f.period = $3 \
                         AND f.rank <= $4 ORDER BY f.rank"
                    ))
                    .bind(program_id)
                    .bind(leaderboard_id)
                    .bind(period)
                    .bind(i64::from(prize_ranks))
                    .fetch_all(&mut *self.tx)
                    .await?;
                    Ok(Some((ranked, rows.into_iter().map(frozen).collect::<Result<_>>()?)))
                }
            }
        }
    };
}

pub(crate) use leaderboards_impl;
