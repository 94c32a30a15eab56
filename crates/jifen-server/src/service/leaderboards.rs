//! Leaderboards: scores kept with the events that move them, rankings that answer in O(log n),
//! and contests settled once.
//!
//! **Where the scores are.** The database holds every member's score per board and period,
//! written in the transaction of the event that moved it ([`record_in_tx`]). The ranking that
//! answers queries is derived from it and can always be rebuilt from it:
//!
//! - **In process** (the default): each node keeps, per board period that was queried, an
//!   order-statistic tree in memory, built from the database on first use and kept current by
//!   the node's own events. It is right for one node.
//! - **Redis** (`redis_url`): one sorted set per board period, shared by every node. Each node
//!   applies its committed changes with a script that keeps only the newest version of a
//!   member's score, and the jobs loop re-applies recent changes from the database, so a node
//!   that stopped between a commit and its report to Redis is caught up by the others. A sorted
//!   set missing (a Redis restart) is rebuilt from the database by one node while the others
//!   wait for it.
//!
//! **Contests.** When a board period with prizes ends, the jobs loop settles it in one
//! transaction that records the contest (its primary key admits one settlement, whatever the
//! number of jobs or nodes), freezes the final standings, and gives the prizes.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use chrono_tz::Tz;
use jifen_core::leaderboards::{LeaderboardSpec, Metric, PeriodSpec, Ranking, Standing};
use jifen_core::{Cause, CauseKind, EntryKind, NewLot, Timestamp};
use jifen_store::{FrozenRow, LeaderboardRow, Program, ScoreDelta, ScoreRow, WriteTx};

use super::Failure;
use crate::app::AppState;
use crate::error::ApiError;

/// A leaderboard with its parsed definition.
#[derive(Debug, Clone)]
pub struct Board {
    pub id: String,
    pub spec: LeaderboardSpec,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Board {
    pub fn parse(row: LeaderboardRow) -> Result<Board, ApiError> {
        let spec = serde_json::from_str(&row.spec).map_err(|e| {
            tracing::error!(board = %row.id, error = %e, "unreadable leaderboard definition");
            ApiError::Internal
        })?;
        Ok(Board {
            id: row.id,
            spec,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

/// The program's boards.
pub async fn boards(state: &AppState, program_id: &str) -> Result<Vec<Board>, ApiError> {
    state
        .store
        .leaderboards(program_id)
        .await?
        .into_iter()
        .map(Board::parse)
        .collect()
}

pub async fn board(state: &AppState, program_id: &str, id: &str) -> Result<Board, ApiError> {
    let row = state
        .store
        .leaderboard(program_id, id)
        .await?
        .ok_or_else(|| ApiError::LeaderboardNotFound(id.to_owned()))?;
    Board::parse(row)
}

// --- the event path -----------------------------------------------------------------------

/// What one recorded event may add to a member's scores.
#[derive(Debug, Clone, Default)]
pub(crate) struct Fact {
    pub member_id: i64,
    pub external_id: String,
    pub event_type: String,
    pub occurred_at: Option<Timestamp>,
    /// Earned less clawed back by the event.
    pub points: i64,
    /// Spend in fen (negative for a refund), and the instant of its order.
    pub spend: i64,
    pub spend_at: Option<Timestamp>,
    /// What the event's rules added to meters.
    pub meters: Vec<(String, i64)>,
}

/// What the events add to each board period's scores: one delta per board, period and
/// member, none zero, in key order.
pub(crate) fn deltas(boards: &[Board], facts: &[Fact], tz: Tz) -> Vec<ScoreDelta> {
    let mut sums: BTreeMap<(String, String, i64), i64> = BTreeMap::new();
    for board in boards {
        for f in facts {
            let (amount, at) = match &board.spec.metric {
                Metric::Points => (f.points, f.occurred_at),
                Metric::Spend => (f.spend, f.spend_at),
                Metric::Events { event_type } => {
                    (i64::from(*event_type == f.event_type), f.occurred_at)
                }
                Metric::Meter { meter } => (
                    f.meters
                        .iter()
                        .filter(|(m, _)| m == meter)
                        .map(|(_, a)| *a)
                        .fold(0, i64::saturating_add),
                    f.occurred_at,
                ),
            };
            let Some(at) = at.filter(|_| amount != 0) else {
                continue;
            };
            let Some(period) = board.spec.period.key_at(at, tz) else {
                continue;
            };
            let sum = sums
                .entry((board.id.clone(), period, f.member_id))
                .or_default();
            *sum = sum.saturating_add(amount);
        }
    }
    sums.into_iter()
        .filter(|(_, d)| *d != 0)
        .map(|((leaderboard_id, period, member_id), delta)| ScoreDelta {
            leaderboard_id,
            period,
            member_id,
            delta,
        })
        .collect()
}

/// Writes what a batch's events add to the program's boards, inside the batch's transaction;
/// returns the scores as they now stand, for [`Rankings::apply`] after the commit. A period
/// whose contest is settled is final: late events no longer move it. With `shared` (rankings
/// in Redis), each change also goes to the change log the jobs loop catches Redis up from.
pub(crate) async fn record_in_tx(
    tx: &mut Box<dyn WriteTx>,
    program: &Program,
    boards: &[Board],
    facts: &[Fact],
    (tz, now): (Tz, Timestamp),
    shared: bool,
) -> Result<Vec<ScoreRow>, Failure> {
    let mut deltas = deltas(boards, facts, tz);
    if deltas.is_empty() {
        return Ok(Vec::new());
    }
    // Only a period that has ended can have been settled.
    let ended: Vec<(String, String)> = deltas
        .iter()
        .filter(|d| {
            boards.iter().any(|b| {
                b.id == d.leaderboard_id
                    && b.spec.contest.is_some()
                    && b.spec
                        .period
                        .bounds(&d.period, tz)
                        .is_some_and(|(_, end)| end <= now)
            })
        })
        .map(|d| (d.leaderboard_id.clone(), d.period.clone()))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    if !ended.is_empty() {
        let settled = tx.settled_periods(&program.id, &ended).await?;
        deltas.retain(|d| {
            !settled
                .iter()
                .any(|(b, p)| *b == d.leaderboard_id && *p == d.period)
        });
    }
    if deltas.is_empty() {
        return Ok(Vec::new());
    }
    let mut rows = tx.add_scores(&program.id, &deltas, now, shared).await?;
    let names: HashMap<i64, &str> = facts
        .iter()
        .map(|f| (f.member_id, f.external_id.as_str()))
        .collect();
    for row in &mut rows {
        if let Some(name) = names.get(&row.member_id) {
            row.external_id = (*name).to_owned();
        }
    }
    Ok(rows)
}

// --- rankings -----------------------------------------------------------------------------

/// A member's place on a board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub rank: u64,
    pub member: String,
    pub score: i64,
    pub reached_at: Timestamp,
}

type BoardKey = (String, String, String);

fn key(program: &str, board: &str, period: &str) -> BoardKey {
    (program.to_owned(), board.to_owned(), period.to_owned())
}

/// Where rankings are kept: in this process, or in Redis for every node. Also keeps the
/// boards' definitions and settled contests a query needs, so that a rank query reads no
/// database.
pub struct Rankings {
    backend: Backend,
    boards: Mutex<HashMap<(String, String), CachedBoard>>,
    /// (program, board, period) of contests known to be settled: settled is for good.
    settled: Mutex<HashMap<BoardKey, jifen_store::ContestRow>>,
}

/// A board's definition and when it was read.
type CachedBoard = (std::time::Instant, Arc<Board>);

/// How long a node reuses a board's definition before reading it again (a change saved on
/// another node shows within this).
const BOARD_TTL: std::time::Duration = std::time::Duration::from_secs(5);

enum Backend {
    Memory(Memory),
    Redis(super::leaderboards_redis::RedisRankings),
}

impl Default for Rankings {
    fn default() -> Self {
        Rankings::with(Backend::Memory(Memory::default()))
    }
}

/// Rows read per page when a ranking is built from the database.
pub(crate) const BUILD_PAGE: u32 = 20_000;

impl Rankings {
    /// Rankings in Redis at `url`, shared by every node that names the same Redis.
    pub async fn redis(url: &str) -> Result<Rankings, String> {
        Ok(Rankings::with(Backend::Redis(
            super::leaderboards_redis::RedisRankings::connect(url).await?,
        )))
    }

    fn with(backend: Backend) -> Rankings {
        Rankings {
            backend,
            boards: Mutex::default(),
            settled: Mutex::default(),
        }
    }

    /// A board's definition, read from the database at most every few seconds.
    pub async fn board(
        &self,
        state: &AppState,
        program_id: &str,
        id: &str,
    ) -> Result<Arc<Board>, ApiError> {
        let k = (program_id.to_owned(), id.to_owned());
        {
            let boards = self.boards.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((at, b)) = boards.get(&k)
                && at.elapsed() < BOARD_TTL
            {
                return Ok(b.clone());
            }
        }
        let b = Arc::new(board(state, program_id, id).await?);
        let mut boards = self.boards.lock().unwrap_or_else(|p| p.into_inner());
        boards.insert(k, (std::time::Instant::now(), b.clone()));
        Ok(b)
    }

    /// Forgets a board's definition (it was saved).
    pub fn forget_board(&self, program_id: &str, id: &str) {
        let mut boards = self.boards.lock().unwrap_or_else(|p| p.into_inner());
        boards.remove(&(program_id.to_owned(), id.to_owned()));
    }

    /// The settled contest of a board period, if any. A period that has not ended cannot have
    /// been settled, and is not looked up; a settled one is kept (settled is for good).
    pub async fn contest(
        &self,
        state: &AppState,
        program: &Program,
        b: &Board,
        period: &str,
    ) -> Result<Option<jifen_store::ContestRow>, ApiError> {
        let tz = super::program_tz(program);
        let ended = b
            .spec
            .period
            .bounds(period, tz)
            .is_some_and(|(_, end)| end <= state.clock.now());
        if !ended {
            return Ok(None);
        }
        let k = key(&program.id, &b.id, period);
        if let Some(row) = self
            .settled
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&k)
        {
            return Ok(Some(row.clone()));
        }
        let row = state.store.contest(&program.id, &b.id, period).await?;
        if let Some(row) = &row {
            self.settled
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(k, row.clone());
        }
        Ok(row)
    }

    /// Whether the rankings are shared with other nodes (in Redis): then every score change is
    /// also logged for the jobs loop's catch-up.
    pub fn shared(&self) -> bool {
        matches!(self.backend, Backend::Redis(_))
    }

    /// `memory` or `redis`.
    pub fn kind(&self) -> &'static str {
        match self.backend {
            Backend::Memory(_) => "memory",
            Backend::Redis(_) => "redis",
        }
    }

    /// Applies committed scores (newest versions win, in any order).
    pub async fn apply(&self, program_id: &str, rows: &[ScoreRow]) {
        if rows.is_empty() {
            return;
        }
        match &self.backend {
            Backend::Memory(m) => m.apply(program_id, rows),
            Backend::Redis(r) => {
                if let Err(e) = r.apply(program_id, rows).await {
                    // The jobs loop re-applies recent scores from the database.
                    tracing::warn!(error = %e, "leaderboard scores not reported to Redis yet");
                }
            }
        }
    }

    /// Makes sure a board period's ranking is built, building it from the database if it is
    /// not (or waiting for the node that builds it).
    async fn ready(
        &self,
        state: &AppState,
        program_id: &str,
        board: &str,
        period: &str,
    ) -> Result<(), ApiError> {
        match &self.backend {
            Backend::Memory(m) => m.ready(state, program_id, board, period).await.map(drop),
            Backend::Redis(r) => r.ready(state, program_id, board, period).await,
        }
    }

    /// Builds a board period's ranking from the database again; returns how many it ranks.
    pub async fn rebuild(
        &self,
        state: &AppState,
        program_id: &str,
        board: &str,
        period: &str,
    ) -> Result<u64, ApiError> {
        match &self.backend {
            Backend::Memory(m) => {
                m.forget(program_id, board, period);
                m.ready(state, program_id, board, period).await?;
            }
            Backend::Redis(r) => r.rebuild(state, program_id, board, period).await?,
        }
        self.count(state, program_id, board, period).await
    }

    pub async fn count(
        &self,
        state: &AppState,
        program_id: &str,
        board: &str,
        period: &str,
    ) -> Result<u64, ApiError> {
        self.ready(state, program_id, board, period).await?;
        match &self.backend {
            Backend::Memory(m) => Ok(m.read(program_id, board, period, |b| b.ranking.len() as u64)),
            Backend::Redis(r) => r.count(program_id, board, period).await,
        }
    }

    /// A member's place, if they are ranked, and how many are ranked: one look-up of the
    /// ranking where it is in this process.
    pub async fn place_and_count(
        &self,
        state: &AppState,
        program_id: &str,
        board: &str,
        period: &str,
        member: &str,
    ) -> Result<(Option<Place>, u64), ApiError> {
        match &self.backend {
            Backend::Memory(m) => {
                let entry = m.ready(state, program_id, board, period).await?;
                let b = entry.board.read().unwrap_or_else(|p| p.into_inner());
                Ok((b.member_place(member), b.ranking.len() as u64))
            }
            Backend::Redis(_) => {
                let place = self.place(state, program_id, board, period, member).await?;
                let count = self.count(state, program_id, board, period).await?;
                Ok((place, count))
            }
        }
    }

    /// A member's place, if they are ranked.
    pub async fn place(
        &self,
        state: &AppState,
        program_id: &str,
        board: &str,
        period: &str,
        member: &str,
    ) -> Result<Option<Place>, ApiError> {
        self.ready(state, program_id, board, period).await?;
        match &self.backend {
            Backend::Memory(m) => Ok(m.read(program_id, board, period, |b| b.member_place(member))),
            Backend::Redis(r) => r.place(program_id, board, period, member).await,
        }
    }

    /// Up to `n` places from rank `from` down.
    pub async fn range(
        &self,
        state: &AppState,
        program_id: &str,
        board: &str,
        period: &str,
        from: u64,
        n: usize,
    ) -> Result<Vec<Place>, ApiError> {
        self.ready(state, program_id, board, period).await?;
        match &self.backend {
            Backend::Memory(m) => Ok(m.read(program_id, board, period, |b| {
                b.ranking
                    .range(from, n)
                    .iter()
                    .filter_map(|(rank, s)| b.place(*rank, s))
                    .collect()
            })),
            Backend::Redis(r) => r.range(program_id, board, period, from, n).await,
        }
    }

    /// Takes an erased member off every ranking of the program.
    pub async fn forget_member(&self, program_id: &str, member_id: i64, external_id: &str) {
        match &self.backend {
            Backend::Memory(m) => m.forget_member(program_id, member_id),
            Backend::Redis(r) => {
                if let Err(e) = r.forget_member(program_id, external_id).await {
                    tracing::error!(error = %e, "an erased member is still ranked in Redis");
                }
            }
        }
    }

    /// Re-applies scores recorded since the last pass (with a margin), for rankings other nodes
    /// share: what a node that stopped between a commit and its report left out.
    pub async fn catch_up(&self, state: &AppState) -> Result<usize, ApiError> {
        // Only nodes that share their rankings write the change log.
        let Backend::Redis(r) = &self.backend else {
            return Ok(0);
        };
        // The log is read back at most a few minutes (see `leaderboards_redis`); an hour's worth
        // is kept.
        state
            .store
            .prune_leaderboard_changes(state.clock.now() - chrono::Duration::hours(1))
            .await?;
        r.catch_up(state).await
    }

    /// Drops in-process rankings nobody asked for in a while (they are built again on use).
    pub fn evict_idle(&self, now: Timestamp) {
        if let Backend::Memory(m) = &self.backend {
            m.evict_idle(now);
        }
    }
}

/// One board period in memory: the order, and members' external ids both ways.
#[derive(Default)]
struct MemBoard {
    ranking: Ranking,
    names: HashMap<i64, Arc<str>>,
    ids: HashMap<Arc<str>, i64>,
}

impl MemBoard {
    fn apply(&mut self, row: &ScoreRow) {
        let standing = Standing {
            member: row.member_id,
            score: row.score,
            reached_us: row.reached_at.timestamp_micros(),
            version: row.version,
        };
        if self.ranking.apply(standing) && !self.names.contains_key(&row.member_id) {
            let name: Arc<str> = Arc::from(row.external_id.as_str());
            self.names.insert(row.member_id, name.clone());
            self.ids.insert(name, row.member_id);
        }
    }

    /// A member's place, if they are ranked.
    fn member_place(&self, member: &str) -> Option<Place> {
        let id = self.ids.get(member)?;
        let (rank, s) = self.ranking.rank(*id)?;
        // The member's name is the one asked for: no look-up of it.
        Some(Place {
            rank,
            member: member.to_owned(),
            score: s.score,
            reached_at: chrono::DateTime::from_timestamp_micros(s.reached_us)?,
        })
    }

    fn place(&self, rank: u64, s: &Standing) -> Option<Place> {
        Some(Place {
            rank,
            member: self.names.get(&s.member)?.to_string(),
            score: s.score,
            reached_at: chrono::DateTime::from_timestamp_micros(s.reached_us)?,
        })
    }
}

struct MemEntry {
    board: RwLock<MemBoard>,
    built: tokio::sync::OnceCell<()>,
    used_at: AtomicI64,
}

#[derive(Default)]
struct Memory {
    boards: Mutex<HashMap<BoardKey, Arc<MemEntry>>>,
}

/// How long an in-process ranking nobody queries is kept.
const IDLE_SECONDS: i64 = 30 * 60;

impl Memory {
    fn entry(&self, k: BoardKey) -> Arc<MemEntry> {
        let mut boards = self.boards.lock().unwrap_or_else(|p| p.into_inner());
        boards
            .entry(k)
            .or_insert_with(|| {
                Arc::new(MemEntry {
                    board: RwLock::default(),
                    built: tokio::sync::OnceCell::new(),
                    used_at: AtomicI64::new(chrono::Utc::now().timestamp()),
                })
            })
            .clone()
    }

    fn existing(&self, k: &BoardKey) -> Option<Arc<MemEntry>> {
        let boards = self.boards.lock().unwrap_or_else(|p| p.into_inner());
        boards.get(k).cloned()
    }

    fn forget(&self, program: &str, board: &str, period: &str) {
        let mut boards = self.boards.lock().unwrap_or_else(|p| p.into_inner());
        boards.remove(&key(program, board, period));
    }

    fn forget_member(&self, program: &str, member_id: i64) {
        let entries: Vec<Arc<MemEntry>> = {
            let boards = self.boards.lock().unwrap_or_else(|p| p.into_inner());
            boards
                .iter()
                .filter(|((p, _, _), _)| p == program)
                .map(|(_, e)| e.clone())
                .collect()
        };
        for entry in entries {
            let mut b = entry.board.write().unwrap_or_else(|p| p.into_inner());
            b.ranking.remove(member_id);
            if let Some(name) = b.names.remove(&member_id) {
                b.ids.remove(&name);
            }
        }
    }

    fn evict_idle(&self, now: Timestamp) {
        let mut boards = self.boards.lock().unwrap_or_else(|p| p.into_inner());
        boards.retain(|_, e| now.timestamp() - e.used_at.load(Ordering::Relaxed) < IDLE_SECONDS);
    }

    /// Applies rows to the boards this node keeps; a board it does not keep reads them from
    /// the database when it is first queried.
    fn apply(&self, program: &str, rows: &[ScoreRow]) {
        let mut by_board: BTreeMap<(&str, &str), Vec<&ScoreRow>> = BTreeMap::new();
        for row in rows {
            by_board
                .entry((row.leaderboard_id.as_str(), row.period.as_str()))
                .or_default()
                .push(row);
        }
        for ((board, period), rows) in by_board {
            if let Some(entry) = self.existing(&key(program, board, period)) {
                let mut b = entry.board.write().unwrap_or_else(|p| p.into_inner());
                for row in rows {
                    b.apply(row);
                }
            }
        }
    }

    async fn ready(
        &self,
        state: &AppState,
        program: &str,
        board: &str,
        period: &str,
    ) -> Result<Arc<MemEntry>, ApiError> {
        // Registered before the first page is read: every change committed after that point
        // is applied to it by its event, every change before it is in a page.
        let entry = self.entry(key(program, board, period));
        entry
            .used_at
            .store(state.clock.now().timestamp(), Ordering::Relaxed);
        entry
            .built
            .get_or_try_init(|| async {
                let mut after = 0;
                loop {
                    let rows = state
                        .store
                        .leaderboard_scores(program, board, period, after, BUILD_PAGE)
                        .await?;
                    let Some(last) = rows.last() else { break };
                    after = last.member_id;
                    let full = rows.len() == BUILD_PAGE as usize;
                    {
                        let mut b = entry.board.write().unwrap_or_else(|p| p.into_inner());
                        for row in &rows {
                            b.apply(row);
                        }
                    }
                    if !full {
                        break;
                    }
                }
                Ok::<(), ApiError>(())
            })
            .await?;
        Ok(entry)
    }

    fn read<T>(
        &self,
        program: &str,
        board: &str,
        period: &str,
        f: impl FnOnce(&MemBoard) -> T,
    ) -> T {
        let entry = self.entry(key(program, board, period));
        let b = entry.board.read().unwrap_or_else(|p| p.into_inner());
        f(&b)
    }
}

// --- contests -----------------------------------------------------------------------------

/// Periods a week or month board's contest job looks back over.
pub const LOOKBACK: u32 = 3;

/// What settling a contest did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Settled {
    pub leaderboard: String,
    pub period: String,
    pub ranked: i64,
    pub winners: i64,
}

/// Settles every contest whose period has ended and is not settled yet. Safe to run twice, or
/// on two nodes at once: each contest is settled by one transaction.
pub async fn settle_due(state: &AppState) -> Result<Vec<Settled>, ApiError> {
    let now = state.clock.now();
    let mut done = Vec::new();
    for program_id in state.store.programs_with_leaderboards().await? {
        let Some(program) = state.store.get_program(&program_id).await? else {
            continue;
        };
        let tz = super::program_tz(&program);
        for board in boards(state, &program.id).await? {
            if board.spec.contest.is_none() {
                continue;
            }
            // Periods that ended before the board was defined have nothing to settle.
            let periods = board
                .spec
                .period
                .ended(now, tz, LOOKBACK)
                .into_iter()
                .filter(|p| {
                    board
                        .spec
                        .period
                        .bounds(p, tz)
                        .is_some_and(|(_, end)| end > board.created_at)
                });
            for period in periods {
                if state
                    .store
                    .contest(&program.id, &board.id, &period)
                    .await?
                    .is_some()
                {
                    continue;
                }
                if let Some(s) = settle(state, &program, &board, &period).await? {
                    done.push(s);
                }
            }
        }
    }
    Ok(done)
}

/// Settles one contest (its period must have ended): freezes the standings and gives the
/// prizes, in one transaction. `None` when it was settled already.
pub async fn settle(
    state: &AppState,
    program: &Program,
    board: &Board,
    period: &str,
) -> Result<Option<Settled>, ApiError> {
    let tz = super::program_tz(program);
    let now = state.clock.now();
    super::with_retries(|| async {
        let mut tx = state.store.begin_write_for(&program.id).await?;
        let Some((ranked, top)) = tx
            .settle_contest(
                &program.id,
                &board.id,
                period,
                now,
                board.spec.prize_ranks(),
            )
            .await?
        else {
            return Ok(None);
        };
        let winners = give_prizes(&mut tx, program, board, period, &top, tz, now).await?;
        tx.commit().await?;
        metrics::counter!("jifen_contests_settled_total").increment(1);
        Ok(Some(Settled {
            leaderboard: board.id.clone(),
            period: period.to_owned(),
            ranked,
            winners,
        }))
    })
    .await
}

/// Gives each winner the prize of their rank: points in their book (a benefit entry whose
/// cause is `contest:{board}:{period}:{rank}`) and a voucher of the prize's template.
async fn give_prizes(
    tx: &mut Box<dyn WriteTx>,
    program: &Program,
    board: &Board,
    period: &str,
    top: &[FrozenRow],
    tz: Tz,
    now: Timestamp,
) -> Result<i64, Failure> {
    let winners: Vec<&FrozenRow> = top
        .iter()
        .filter(|f| board.spec.prize_of(f.rank as u64).is_some())
        .collect();
    let with_points: Vec<&str> = winners
        .iter()
        .filter(|f| {
            board
                .spec
                .prize_of(f.rank as u64)
                .is_some_and(|p| p.points.is_some())
        })
        .map(|f| f.external_id.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    if !with_points.is_empty() {
        let heads = tx.lock_heads(&program.id, &with_points).await?;
        let mut books = Vec::new();
        for head in heads {
            let (mut book, mut entries) = super::ledger::open_book(tx, &head, now).await?;
            for f in winners.iter().filter(|f| f.member_id == head.id) {
                let Some(points) = board.spec.prize_of(f.rank as u64).and_then(|p| p.points) else {
                    continue;
                };
                let lot = NewLot {
                    points,
                    available_at: now,
                    expires_at: program.policy.expires_at(now, tz),
                    order_id: None,
                };
                let cause = Cause::new(
                    CauseKind::Benefit,
                    format!("contest:{}:{}:{}", board.id, period, f.rank),
                );
                entries.extend(book.earn(lot, EntryKind::Earn, &cause));
            }
            books.push((head.id, book, entries));
        }
        let items = books
            .iter_mut()
            .map(|(id, book, entries)| (*id, book, &entries[..]))
            .collect();
        super::ledger::save_all(tx, &program.id, items).await?;
    }
    let mut by_voucher: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for f in &winners {
        if let Some(v) = board
            .spec
            .prize_of(f.rank as u64)
            .and_then(|p| p.voucher.as_deref())
        {
            by_voucher.entry(v).or_default().push(f.member_id);
        }
    }
    let source = format!("contest:{}:{}", board.id, period);
    for (template, members) in by_voucher {
        super::vouchers::issue_named(tx, &program.id, template, &members, &source, now).await?;
    }
    // Badges last: awarding one opens the member's book again, after the points were saved.
    for f in &winners {
        let Some(p) = board.spec.prize_of(f.rank as u64) else {
            continue;
        };
        if let Some(badge) = &p.badge {
            let cause = format!("contest:{}:{}:{}", board.id, period, f.rank);
            let level = p.badge_level.unwrap_or(1);
            match super::badges::award_badge(tx, program, f.member_id, badge, level, &cause, now)
                .await
            {
                Ok(_) => {}
                // A badge removed or changed since the board was saved: the other prizes stand.
                Err(Failure::Api(e)) => {
                    tracing::error!(badge = %badge, error = %e, "contest badge prize skipped");
                }
                Err(e) => return Err(e),
            }
        }
    }
    Ok(winners.len() as i64)
}

/// Resolves a campaign period to the campaign's window and checks the definition.
pub async fn prepare(
    state: &AppState,
    program: &Program,
    mut spec: LeaderboardSpec,
) -> Result<LeaderboardSpec, ApiError> {
    if let PeriodSpec::Campaign { campaign } = &spec.period {
        let campaigns = state.store.campaigns(&program.id).await?;
        let found = campaigns
            .iter()
            .find(|c| c.id == *campaign)
            .ok_or_else(|| {
                ApiError::invalid(
                    "period.campaign",
                    format!("{campaign:?} is not a campaign of the program"),
                )
            })?;
        let c: jifen_core::rules::CampaignSpec =
            serde_json::from_str(&found.spec).map_err(|_| ApiError::Internal)?;
        spec.period = PeriodSpec::Window {
            starts_at: c.starts_at,
            ends_at: c.ends_at,
            campaign: Some(campaign.clone()),
        };
    }
    spec.check()
        .map_err(|e| ApiError::invalid(e.field, e.message))?;
    if let Some(contest) = &spec.contest {
        let badges = state.store.badges(&program.id).await?;
        for (i, p) in contest.prizes.iter().enumerate() {
            if let Some(b) = &p.badge {
                let level = p.badge_level.unwrap_or(1);
                let levels = badges.iter().find(|row| row.id == *b).and_then(|row| {
                    serde_json::from_str::<jifen_core::badges::BadgeSpec>(&row.spec)
                        .ok()
                        .map(|def| def.levels.len() as u32)
                });
                match levels {
                    Some(n) if (1..=n).contains(&level) => {}
                    Some(n) => {
                        return Err(ApiError::invalid(
                            format!("contest.prizes[{i}].badge_level"),
                            format!("badge {b:?} has levels 1 to {n}"),
                        ));
                    }
                    None => {
                        return Err(ApiError::invalid(
                            format!("contest.prizes[{i}].badge"),
                            format!("{b:?} is not a badge of the program"),
                        ));
                    }
                }
            }
            if let Some(v) = &p.voucher
                && state
                    .store
                    .voucher_template(&program.id, v)
                    .await?
                    .is_none()
            {
                return Err(ApiError::invalid(
                    format!("contest.prizes[{i}].voucher"),
                    format!("{v:?} is not a voucher template of the program"),
                ));
            }
        }
    }
    Ok(spec)
}
