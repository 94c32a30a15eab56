//! Rankings in Redis sorted sets, shared by every node of a deployment (`redis_url`).
//!
//! Per board period, under `jifen:lb:{program}:{board}:{period}`:
//! - `…:z`, a sorted set: score = the member's score; member = 16 hex digits of
//!   `u64::MAX − reached_at` and 16 of `u64::MAX − member id`, then the external id. `ZREVRANGE`
//!   orders equal scores by member descending, which is earliest reached first, then lowest
//!   id: the order ties are broken by.
//! - `…:h`, a hash: external id → `version|sorted-set member`, so a change replaces the
//!   member's entry, and an older version reported late changes nothing.
//! - `…:built`: `1` once the set holds every score of the database; `building` (with an
//!   expiry) while one node builds it. A set whose marker is missing (Redis restarted) is built
//!   again from the database.
//!
//! Scores are doubles in Redis: exact up to 2⁵³ (9 × 10¹⁵), far beyond any points or fen total.

use std::time::Duration;

use jifen_store::ScoreRow;
use redis::aio::ConnectionManager;

use super::leaderboards::{BUILD_PAGE, Place};
use crate::app::AppState;
use crate::error::ApiError;

/// Keeps the newest version of each member's entry: KEYS = set, hash; ARGV = groups of four
/// (external id, version, score, set member). Returns how many entries changed. One call
/// carries many members (see [`PER_CALL`]): a call of its own per member cost Redis more in
/// the call than in the three commands.
const APPLY: &str = r"
local changed = 0
for i = 1, #ARGV, 4 do
  local cur = redis.call('HGET', KEYS[2], ARGV[i])
  local newer = true
  if cur then
    local sep = string.find(cur, '|', 1, true)
    if tonumber(string.sub(cur, 1, sep - 1)) >= tonumber(ARGV[i + 1]) then
      newer = false
    else
      redis.call('ZREM', KEYS[1], string.sub(cur, sep + 1))
    end
  end
  if newer then
    redis.call('ZADD', KEYS[1], ARGV[i + 2], ARGV[i + 3])
    redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1] .. '|' .. ARGV[i + 3])
    changed = changed + 1
  end
end
return changed
";

/// Members per call of [`APPLY`]: Redis runs a call to its end before anything else, so a
/// call stays around a millisecond.
const PER_CALL: usize = 250;
/// Members per pipeline of calls.
const PER_PIPELINE: usize = 5_000;

/// A member's rank (0-based, from the top), score and set member: KEYS = set, hash; ARGV =
/// external id.
const PLACE: &str = r"
local cur = redis.call('HGET', KEYS[2], ARGV[1])
if not cur then return false end
local m = string.sub(cur, string.find(cur, '|', 1, true) + 1)
return {redis.call('ZREVRANK', KEYS[1], m), redis.call('ZSCORE', KEYS[1], m), m}
";

/// How far back the catch-up pass re-reads scores before its last run.
const CATCH_UP_MARGIN_SECONDS: i64 = 120;

pub struct RedisRankings {
    conn: ConnectionManager,
    apply: redis::Script,
    place: redis::Script,
    /// Scores recorded from this instant on are re-applied by the next catch-up pass.
    caught_up_to: std::sync::Mutex<Option<jifen_core::Timestamp>>,
}

fn base(program: &str, board: &str, period: &str) -> String {
    format!("jifen:lb:{program}:{board}:{period}")
}

/// The sorted-set member of a score.
fn member_key(row: &ScoreRow) -> String {
    let reached = u64::MAX - (row.reached_at.timestamp_micros().max(0) as u64);
    let id = u64::MAX - (row.member_id.max(0) as u64);
    format!("{reached:016x}{id:016x}{}", row.external_id)
}

fn decode(member: &str) -> Option<(jifen_core::Timestamp, String)> {
    let reached = u64::from_str_radix(member.get(..16)?, 16).ok()?;
    let us = i64::try_from(u64::MAX - reached).ok()?;
    let external = member.get(32..)?.to_owned();
    Some((chrono::DateTime::from_timestamp_micros(us)?, external))
}

fn unavailable(e: redis::RedisError) -> ApiError {
    tracing::error!(error = %e, "Redis failed");
    ApiError::Unavailable
}

impl RedisRankings {
    pub async fn connect(url: &str) -> Result<RedisRankings, String> {
        let client = redis::Client::open(url).map_err(|e| format!("redis_url: {e}"))?;
        // A build applies a page of scores in one pipeline, and dropping a set of a million
        // members takes Redis a while: wait longer than the client's default for answers.
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_response_timeout(Some(Duration::from_secs(60)));
        let conn = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(|e| format!("cannot reach Redis at {url}: {e}"))?;
        Ok(RedisRankings {
            conn,
            apply: redis::Script::new(APPLY),
            place: redis::Script::new(PLACE),
            caught_up_to: std::sync::Mutex::new(None),
        })
    }

    /// Applies scores: one script call per board period and slice of [`PER_CALL`] members,
    /// sent in pipelines.
    pub async fn apply(&self, program: &str, rows: &[ScoreRow]) -> redis::RedisResult<()> {
        let mut conn = self.conn.clone();
        // By board period, in the order given (a member's later version comes later).
        let mut by_period: Vec<((&str, &str), Vec<&ScoreRow>)> = Vec::new();
        for row in rows {
            let k = (row.leaderboard_id.as_str(), row.period.as_str());
            match by_period.iter_mut().find(|(p, _)| *p == k) {
                Some((_, rows)) => rows.push(row),
                None => by_period.push((k, vec![row])),
            }
        }
        let calls: Vec<(&(&str, &str), &[&ScoreRow])> = by_period
            .iter()
            .flat_map(|(k, rows)| rows.chunks(PER_CALL).map(move |part| (k, part)))
            .collect();
        for batch in calls.chunks(PER_PIPELINE / PER_CALL) {
            // A script not loaded yet (or lost with a Redis restart) is loaded, then the
            // pipeline sent again.
            for attempt in 0..2 {
                let mut pipe = redis::pipe();
                for ((board, period), part) in batch {
                    let b = base(program, board, period);
                    let call = pipe
                        .cmd("EVALSHA")
                        .arg(self.apply.get_hash())
                        .arg(2)
                        .arg(format!("{b}:z"))
                        .arg(format!("{b}:h"));
                    for row in *part {
                        call.arg(&row.external_id)
                            .arg(row.version)
                            .arg(row.score)
                            .arg(member_key(row));
                    }
                    call.ignore();
                }
                match pipe.query_async::<()>(&mut conn).await {
                    Ok(()) => break,
                    Err(e)
                        if attempt == 0
                            && (e.kind()
                                == redis::ErrorKind::Server(redis::ServerErrorKind::NoScript)
                                || e.to_string().contains("NOSCRIPT")) =>
                    {
                        self.apply.prepare_invoke().load_async(&mut conn).await?;
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(())
    }

    pub async fn ready(
        &self,
        state: &AppState,
        program: &str,
        board: &str,
        period: &str,
    ) -> Result<(), ApiError> {
        let marker = format!("{}:built", base(program, board, period));
        let mut conn = self.conn.clone();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
        loop {
            let state_now: Option<String> = redis::cmd("GET")
                .arg(&marker)
                .query_async(&mut conn)
                .await
                .map_err(unavailable)?;
            match state_now.as_deref() {
                Some("1") => return Ok(()),
                Some(_) => {
                    // Another node builds it.
                    if tokio::time::Instant::now() > deadline {
                        return Err(ApiError::Unavailable);
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                None => {
                    let took: Option<String> = redis::cmd("SET")
                        .arg(&marker)
                        .arg("building")
                        .arg("NX")
                        .arg("EX")
                        .arg(300)
                        .query_async(&mut conn)
                        .await
                        .map_err(unavailable)?;
                    if took.is_some() {
                        let built = self.build(state, program, board, period).await;
                        if built.is_err() {
                            let _: redis::RedisResult<()> =
                                redis::cmd("DEL").arg(&marker).query_async(&mut conn).await;
                        }
                        built?;
                        let _: () = redis::cmd("SET")
                            .arg(&marker)
                            .arg("1")
                            .query_async(&mut conn)
                            .await
                            .map_err(unavailable)?;
                        return Ok(());
                    }
                }
            }
        }
    }

    /// Reads the board period's scores from the database into the set, page by page: the next
    /// page is read while the last one is sent to Redis.
    async fn build(
        &self,
        state: &AppState,
        program: &str,
        board: &str,
        period: &str,
    ) -> Result<(), ApiError> {
        let page = |after: i64| {
            state
                .store
                .leaderboard_scores(program, board, period, after, BUILD_PAGE)
        };
        let mut rows = page(0).await?;
        while let Some(last) = rows.last() {
            if rows.len() < BUILD_PAGE as usize {
                return self.apply(program, &rows).await.map_err(unavailable);
            }
            let (next, sent) = tokio::join!(page(last.member_id), self.apply(program, &rows));
            sent.map_err(unavailable)?;
            rows = next?;
        }
        Ok(())
    }

    pub async fn rebuild(
        &self,
        state: &AppState,
        program: &str,
        board: &str,
        period: &str,
    ) -> Result<(), ApiError> {
        let b = base(program, board, period);
        let mut conn = self.conn.clone();
        // UNLINK frees a large set in the background instead of blocking Redis.
        let _: () = redis::cmd("UNLINK")
            .arg(format!("{b}:z"))
            .arg(format!("{b}:h"))
            .arg(format!("{b}:built"))
            .query_async(&mut conn)
            .await
            .map_err(unavailable)?;
        self.ready(state, program, board, period).await
    }

    pub async fn count(&self, program: &str, board: &str, period: &str) -> Result<u64, ApiError> {
        let mut conn = self.conn.clone();
        redis::cmd("ZCARD")
            .arg(format!("{}:z", base(program, board, period)))
            .query_async(&mut conn)
            .await
            .map_err(unavailable)
    }

    pub async fn place(
        &self,
        program: &str,
        board: &str,
        period: &str,
        member: &str,
    ) -> Result<Option<Place>, ApiError> {
        let b = base(program, board, period);
        let mut conn = self.conn.clone();
        let found: Option<(u64, f64, String)> = self
            .place
            .key(format!("{b}:z"))
            .key(format!("{b}:h"))
            .arg(member)
            .invoke_async(&mut conn)
            .await
            .map_err(unavailable)?;
        Ok(found.and_then(|(rank, score, m)| {
            let (reached_at, _) = decode(&m)?;
            Some(Place {
                rank: rank + 1,
                member: member.to_owned(),
                score: score as i64,
                reached_at,
            })
        }))
    }

    pub async fn range(
        &self,
        program: &str,
        board: &str,
        period: &str,
        from: u64,
        n: usize,
    ) -> Result<Vec<Place>, ApiError> {
        if from == 0 || n == 0 {
            return Ok(Vec::new());
        }
        let mut conn = self.conn.clone();
        let rows: Vec<(String, f64)> = redis::cmd("ZREVRANGE")
            .arg(format!("{}:z", base(program, board, period)))
            .arg(from - 1)
            .arg(from - 1 + n as u64 - 1)
            .arg("WITHSCORES")
            .query_async(&mut conn)
            .await
            .map_err(unavailable)?;
        Ok(rows
            .into_iter()
            .zip(from..)
            .filter_map(|((m, score), rank)| {
                let (reached_at, member) = decode(&m)?;
                Some(Place {
                    rank,
                    member,
                    score: score as i64,
                    reached_at,
                })
            })
            .collect())
    }

    /// Takes a member off every sorted set of the program.
    pub async fn forget_member(&self, program: &str, external_id: &str) -> redis::RedisResult<()> {
        let mut conn = self.conn.clone();
        let mut cursor = 0u64;
        loop {
            let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(format!("jifen:lb:{program}:*:h"))
                .arg("COUNT")
                .arg(1_000)
                .query_async(&mut conn)
                .await?;
            for h in keys {
                let z = format!("{}:z", h.trim_end_matches(":h"));
                let cur: Option<String> = redis::cmd("HGET")
                    .arg(&h)
                    .arg(external_id)
                    .query_async(&mut conn)
                    .await?;
                if let Some((_, member)) = cur.as_deref().and_then(|c| c.split_once('|')) {
                    let _: () = redis::cmd("ZREM")
                        .arg(&z)
                        .arg(member)
                        .query_async(&mut conn)
                        .await?;
                    let _: () = redis::cmd("HDEL")
                        .arg(&h)
                        .arg(external_id)
                        .query_async(&mut conn)
                        .await?;
                }
            }
            if next == 0 {
                return Ok(());
            }
            cursor = next;
        }
    }

    /// Re-applies every score recorded since the last pass (less a margin).
    pub async fn catch_up(&self, state: &AppState) -> Result<usize, ApiError> {
        let now = state.clock.now();
        let since = {
            let last = self.caught_up_to.lock().unwrap_or_else(|p| p.into_inner());
            last.unwrap_or(now - chrono::Duration::minutes(10))
                - chrono::Duration::seconds(CATCH_UP_MARGIN_SECONDS)
        };
        let mut after = (0, 0, 0);
        let mut applied = 0;
        loop {
            let changes = state
                .store
                .leaderboard_changes_since(since, after, BUILD_PAGE)
                .await?;
            let Some(last) = changes.last() else { break };
            after = last.cursor;
            let full = changes.len() == BUILD_PAGE as usize;
            applied += changes.len();
            let mut by_program: std::collections::BTreeMap<String, Vec<ScoreRow>> =
                Default::default();
            for change in changes {
                by_program
                    .entry(change.program_id)
                    .or_default()
                    .push(change.row);
            }
            for (program, rows) in &by_program {
                self.apply(program, rows).await.map_err(unavailable)?;
            }
            if !full {
                break;
            }
        }
        *self.caught_up_to.lock().unwrap_or_else(|p| p.into_inner()) = Some(now);
        Ok(applied)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_members_sort_ties_as_the_ranking_does() {
        let row = |member_id, us| ScoreRow {
            leaderboard_id: "b".into(),
            period: "all".into(),
            member_id,
            external_id: format!("m-{member_id}"),
            score: 10,
            reached_at: chrono::DateTime::from_timestamp_micros(us).unwrap(),
            version: 1,
        };
        // ZREVRANGE puts the larger member first: the earlier, then the lower id.
        assert!(member_key(&row(2, 100)) > member_key(&row(1, 200)));
        assert!(member_key(&row(1, 100)) > member_key(&row(2, 100)));
        let (at, external) = decode(&member_key(&row(7, 1_700_000_000_000_000))).unwrap();
        assert_eq!(at.timestamp_micros(), 1_700_000_000_000_000);
        assert_eq!(external, "m-7");
    }
}
