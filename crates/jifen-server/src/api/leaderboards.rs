//! Leaderboards and contests: definitions, live standings, a member's rank with neighbours and
//! the gap to a target rank, and settled contests' final standings.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use jifen_core::leaderboards::{LeaderboardSpec, gap_to};
use jifen_core::rules::valid_name;
use jifen_store::{ContestRow, FrozenRow, Program};

use crate::app::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiQuery, Auth, parse_json};
use crate::service::leaderboards::{Board, Place, board, boards, prepare, settle};

/// A leaderboard as defined, with where it stands now.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LeaderboardOut {
    pub id: String,
    /// `name`, `description`, `metric` (`points`, `spend`, `events` of a `type`, a `meter`),
    /// `period` (`all_time`, `week`, `month`, `window`) and `contest` (`prizes`).
    #[schema(value_type = Object)]
    pub spec: Value,
    /// The period a query reads without naming one: `all`, `2027-W05`, `2027-02`, `window`.
    pub current_period: String,
    /// Where rankings are kept: `memory` (this node) or `redis` (every node).
    pub rankings: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LeaderboardList {
    pub data: Vec<LeaderboardOut>,
}

fn board_out(state: &AppState, program: &Program, b: &Board) -> LeaderboardOut {
    let tz = crate::service::program_tz(program);
    LeaderboardOut {
        id: b.id.clone(),
        spec: serde_json::to_value(&b.spec).unwrap_or_default(),
        current_period: b.spec.period.current(state.clock.now(), tz),
        rankings: state.rankings.kind().to_owned(),
        created_at: b.created_at,
        updated_at: b.updated_at,
    }
}

/// Define (or change) a leaderboard: members ranked on a metric over a period, ties to whoever
/// reached the score first. A `campaign` period is saved as the campaign's window. With a
/// `contest`, each period is settled when it ends: the standings are frozen and the top ranks
/// get their prizes, once.
#[utoipa::path(put, path = "/v1/leaderboards/{id}", tag = "leaderboards",
    params(("id" = String, Path, description = "1–64 of a-z 0-9 _ - . :")),
    request_body(content = Object, description = "`name`, `description`, `metric`, `period`, `contest`"),
    responses((status = 201, body = LeaderboardOut), (status = 200, body = LeaderboardOut),
        (status = 422, body = ErrorBody)))]
pub async fn put_leaderboard(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    if !valid_name(&id) {
        return Err(ApiError::invalid("id", "1–64 of a-z 0-9 _ - . :"));
    }
    let spec: LeaderboardSpec = parse_json(&body)?;
    let spec = prepare(&state, &program, spec).await?;
    if let Ok(old) = board(&state, &program.id, &id).await
        && old.spec.metric != spec.metric
    {
        return Err(ApiError::invalid(
            "metric",
            "a leaderboard's metric cannot change once it ranks members: define a new leaderboard",
        ));
    }
    let text = serde_json::to_string(&spec).map_err(|_| ApiError::Internal)?;
    let created = state
        .store
        .save_leaderboard(&program.id, &id, &text, state.clock.now())
        .await?;
    state.rankings.forget_board(&program.id, &id);
    let b = board(&state, &program.id, &id).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(board_out(&state, &program, &b))).into_response())
}

/// List the program's leaderboards.
#[utoipa::path(get, path = "/v1/leaderboards", tag = "leaderboards",
    responses((status = 200, body = LeaderboardList)))]
pub async fn list_leaderboards(
    State(state): State<AppState>,
    Auth(program): Auth,
) -> Result<Json<LeaderboardList>, ApiError> {
    let data = boards(&state, &program.id)
        .await?
        .iter()
        .map(|b| board_out(&state, &program, b))
        .collect();
    Ok(Json(LeaderboardList { data }))
}

/// A leaderboard's definition.
#[utoipa::path(get, path = "/v1/leaderboards/{id}", tag = "leaderboards",
    params(("id" = String, Path)),
    responses((status = 200, body = LeaderboardOut), (status = 404, body = ErrorBody)))]
pub async fn get_leaderboard(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
) -> Result<Json<LeaderboardOut>, ApiError> {
    let b = board(&state, &program.id, &id).await?;
    Ok(Json(board_out(&state, &program, &b)))
}

/// A ranked member.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PlaceOut {
    /// 1 is the top.
    pub rank: u64,
    pub member: String,
    pub score: i64,
    /// When the member reached the score (ties go to whoever reached it first).
    pub reached_at: DateTime<Utc>,
}

impl From<Place> for PlaceOut {
    fn from(p: Place) -> Self {
        PlaceOut {
            rank: p.rank,
            member: p.member,
            score: p.score,
            reached_at: p.reached_at,
        }
    }
}

impl From<&FrozenRow> for PlaceOut {
    fn from(f: &FrozenRow) -> Self {
        PlaceOut {
            rank: f.rank.max(0) as u64,
            member: f.external_id.clone(),
            score: f.score,
            reached_at: f.reached_at,
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StandingsQuery {
    /// The period (`2027-W05`, `2027-02`, `window`, `all`); default: the current one.
    pub period: Option<String>,
    /// The first rank to list (default 1).
    pub from: Option<u64>,
    /// How many to list, 1–200 (default 10).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// A page of a board period's standings.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StandingsOut {
    pub leaderboard: String,
    pub period: String,
    /// True for a settled contest's frozen standings.
    #[serde(rename = "final")]
    pub is_final: bool,
    /// How many members the period ranks.
    pub ranked: u64,
    pub data: Vec<PlaceOut>,
}

/// The period a query names, checked against the board's kind of period.
fn period_of(
    state: &AppState,
    program: &Program,
    b: &Board,
    asked: Option<String>,
) -> Result<String, ApiError> {
    let tz = crate::service::program_tz(program);
    match asked {
        None => Ok(b.spec.period.current(state.clock.now(), tz)),
        Some(p) if b.spec.period.is_key(&p, tz) => Ok(p),
        Some(p) => Err(ApiError::invalid(
            "period",
            format!(
                "{p:?} is not a period of this leaderboard (the current one is {:?})",
                b.spec.period.current(state.clock.now(), tz)
            ),
        )),
    }
}

fn limit_of(limit: Option<u32>, default: u32, max: u32) -> Result<usize, ApiError> {
    match limit.unwrap_or(default) {
        n if (1..=max).contains(&n) => Ok(n as usize),
        _ => Err(ApiError::invalid("limit", format!("from 1 to {max}"))),
    }
}

/// The top of a board (or any page of it): live standings, or a settled contest's final ones.
#[utoipa::path(get, path = "/v1/leaderboards/{id}/standings", tag = "leaderboards",
    params(("id" = String, Path), StandingsQuery),
    responses((status = 200, body = StandingsOut), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn standings(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<StandingsQuery>,
) -> Result<Json<StandingsOut>, ApiError> {
    standings_of(&state, &program, id, q).await.map(Json)
}

/// A page of a board period's standings, as `GET /v1/leaderboards/{id}/standings` answers it
/// (the portal and the console read the same).
pub async fn standings_of(
    state: &AppState,
    program: &Program,
    id: String,
    q: StandingsQuery,
) -> Result<StandingsOut, ApiError> {
    let b = state.rankings.board(state, &program.id, &id).await?;
    let period = period_of(state, program, &b, q.period)?;
    let from = q.from.unwrap_or(1);
    if from == 0 {
        return Err(ApiError::invalid("from", "ranks start at 1"));
    }
    let limit = limit_of(q.limit, 10, 200)?;
    if let Some(contest) = state.rankings.contest(state, program, &b, &period).await? {
        let rows = state
            .store
            .contest_standings(
                &program.id,
                &id,
                &period,
                i64::try_from(from).unwrap_or(i64::MAX),
                limit as u32,
            )
            .await?;
        return Ok(StandingsOut {
            leaderboard: id,
            period,
            is_final: true,
            ranked: contest.ranked.max(0) as u64,
            data: rows.iter().map(PlaceOut::from).collect(),
        });
    }
    let r = &state.rankings;
    let data = r
        .range(state, &program.id, &id, &period, from, limit)
        .await?;
    let ranked = r.count(state, &program.id, &id, &period).await?;
    Ok(StandingsOut {
        leaderboard: id,
        period,
        is_final: false,
        ranked,
        data: data.into_iter().map(PlaceOut::from).collect(),
    })
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MemberPlaceQuery {
    /// The period; default: the current one.
    pub period: Option<String>,
    /// How many members just above and just below to list, 0–20 (default 2).
    pub neighbours: Option<u32>,
    /// A rank to reach: the answer says how much score it takes ("56 分即可进入前 1000").
    pub target: Option<u64>,
}

/// What reaching a rank takes.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TargetOut {
    pub rank: u64,
    /// The score to add to reach it: 0 when the member is there already.
    pub gap: i64,
}

/// A member's place on a board.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MemberPlaceOut {
    pub leaderboard: String,
    pub period: String,
    pub member: String,
    #[serde(rename = "final")]
    pub is_final: bool,
    /// Absent when the member is not ranked (nothing counted yet).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rank: Option<u64>,
    pub score: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reached_at: Option<DateTime<Utc>>,
    /// How many members the period ranks.
    pub ranked: u64,
    /// The members just above, nearest last.
    pub above: Vec<PlaceOut>,
    /// The members just below, nearest first.
    pub below: Vec<PlaceOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<TargetOut>,
}

/// A member's exact rank and score among every ranked member, the members just above and
/// below, and what reaching a target rank takes.
#[utoipa::path(get, path = "/v1/leaderboards/{id}/members/{external_id}", tag = "leaderboards",
    params(("id" = String, Path), ("external_id" = String, Path), MemberPlaceQuery),
    responses((status = 200, body = MemberPlaceOut), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn member_place(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path((id, external_id)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<MemberPlaceQuery>,
) -> Result<Json<MemberPlaceOut>, ApiError> {
    place_of(&state, &program, id, external_id, q)
        .await
        .map(Json)
}

/// A member's place on a board, as `GET /v1/leaderboards/{id}/members/{external_id}` answers
/// it (the portal reads the same).
pub async fn place_of(
    state: &AppState,
    program: &Program,
    id: String,
    external_id: String,
    q: MemberPlaceQuery,
) -> Result<MemberPlaceOut, ApiError> {
    let b = state.rankings.board(state, &program.id, &id).await?;
    let period = period_of(state, program, &b, q.period)?;
    let k = q.neighbours.unwrap_or(2);
    if k > 20 {
        return Err(ApiError::invalid("neighbours", "from 0 to 20"));
    }
    if q.target == Some(0) {
        return Err(ApiError::invalid("target", "ranks start at 1"));
    }
    if let Some(contest) = state.rankings.contest(state, program, &b, &period).await? {
        return frozen_place(
            state,
            program,
            &id,
            period,
            external_id,
            contest,
            k,
            q.target,
        )
        .await;
    }
    let r = &state.rankings;
    let (place, ranked) = r
        .place_and_count(state, &program.id, &id, &period, &external_id)
        .await?;
    if place.is_none() {
        // Unranked: the member must at least exist.
        state
            .store
            .member_head(&program.id, &external_id)
            .await?
            .ok_or_else(|| ApiError::MemberNotFound(external_id.clone()))?;
    }
    let (above, below) = match &place {
        Some(p) if k > 0 => {
            let start = p.rank.saturating_sub(u64::from(k)).max(1);
            let above = r
                .range(
                    state,
                    &program.id,
                    &id,
                    &period,
                    start,
                    (p.rank - start) as usize,
                )
                .await?;
            let below = r
                .range(state, &program.id, &id, &period, p.rank + 1, k as usize)
                .await?;
            (above, below)
        }
        _ => (Vec::new(), Vec::new()),
    };
    let target = match q.target {
        Some(t) => {
            let there = r
                .range(state, &program.id, &id, &period, t, 1)
                .await?
                .pop()
                .map(|p| p.score);
            let mine = place.as_ref().map(|p| (p.rank, p.score));
            Some(TargetOut {
                rank: t,
                gap: gap_to(t, mine, there),
            })
        }
        None => None,
    };
    Ok(MemberPlaceOut {
        leaderboard: id,
        period,
        member: external_id,
        is_final: false,
        rank: place.as_ref().map(|p| p.rank),
        score: place.as_ref().map_or(0, |p| p.score),
        reached_at: place.as_ref().map(|p| p.reached_at),
        ranked,
        above: above.into_iter().map(PlaceOut::from).collect(),
        below: below.into_iter().map(PlaceOut::from).collect(),
        target,
    })
}

/// A member's line of a settled contest, with its neighbours in the frozen standings.
#[allow(clippy::too_many_arguments)]
async fn frozen_place(
    state: &AppState,
    program: &Program,
    id: &str,
    period: String,
    external_id: String,
    contest: ContestRow,
    k: u32,
    target: Option<u64>,
) -> Result<MemberPlaceOut, ApiError> {
    let head = state
        .store
        .member_head(&program.id, &external_id)
        .await?
        .ok_or_else(|| ApiError::MemberNotFound(external_id.clone()))?;
    let line = state
        .store
        .contest_standing_of(&program.id, id, &period, head.id)
        .await?;
    let (above, below) = match &line {
        Some(l) if k > 0 => {
            let start = (l.rank - i64::from(k)).max(1);
            let above = state
                .store
                .contest_standings(&program.id, id, &period, start, (l.rank - start) as u32)
                .await?;
            let below = state
                .store
                .contest_standings(&program.id, id, &period, l.rank + 1, k)
                .await?;
            (above, below)
        }
        _ => (Vec::new(), Vec::new()),
    };
    let target = match target {
        Some(t) => {
            let there = state
                .store
                .contest_standings(
                    &program.id,
                    id,
                    &period,
                    i64::try_from(t).unwrap_or(i64::MAX),
                    1,
                )
                .await?
                .pop()
                .map(|f| f.score);
            let mine = line.as_ref().map(|l| (l.rank.max(0) as u64, l.score));
            Some(TargetOut {
                rank: t,
                gap: gap_to(t, mine, there),
            })
        }
        None => None,
    };
    Ok(MemberPlaceOut {
        leaderboard: id.to_owned(),
        period,
        member: external_id,
        is_final: true,
        rank: line.as_ref().map(|l| l.rank.max(0) as u64),
        score: line.as_ref().map_or(0, |l| l.score),
        reached_at: line.as_ref().map(|l| l.reached_at),
        ranked: contest.ranked.max(0) as u64,
        above: above.iter().map(PlaceOut::from).collect(),
        below: below.iter().map(PlaceOut::from).collect(),
        target,
    })
}

/// A settled contest.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ContestOut {
    pub leaderboard: String,
    pub period: String,
    pub settled_at: DateTime<Utc>,
    /// Members in the final standings.
    pub ranked: i64,
    /// Members who won a prize.
    pub winners: i64,
}

impl From<ContestRow> for ContestOut {
    fn from(c: ContestRow) -> Self {
        ContestOut {
            leaderboard: c.leaderboard_id,
            period: c.period,
            settled_at: c.settled_at,
            ranked: c.ranked,
            winners: c.winners,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ContestList {
    pub data: Vec<ContestOut>,
}

/// A leaderboard's settled contests, newest period first.
#[utoipa::path(get, path = "/v1/leaderboards/{id}/contests", tag = "leaderboards",
    params(("id" = String, Path)),
    responses((status = 200, body = ContestList), (status = 404, body = ErrorBody)))]
pub async fn list_contests(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
) -> Result<Json<ContestList>, ApiError> {
    board(&state, &program.id, &id).await?;
    let data = state
        .store
        .contests(&program.id, &id)
        .await?
        .into_iter()
        .map(ContestOut::from)
        .collect();
    Ok(Json(ContestList { data }))
}

/// Settle a contest whose period has ended, now rather than at the jobs' next pass: freeze the
/// standings and give the prizes. Settling one that is settled answers it as it was settled,
/// and gives nothing again.
#[utoipa::path(post, path = "/v1/leaderboards/{id}/contests/{period}/settle", tag = "leaderboards",
    params(("id" = String, Path), ("period" = String, Path)),
    responses((status = 200, body = ContestOut), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn settle_contest(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path((id, period)): Path<(String, String)>,
) -> Result<Json<ContestOut>, ApiError> {
    let b = board(&state, &program.id, &id).await?;
    if b.spec.contest.is_none() {
        return Err(ApiError::invalid(
            "contest",
            "the leaderboard has no contest: add prizes with PUT /v1/leaderboards/{id}",
        ));
    }
    let tz = crate::service::program_tz(&program);
    let period = period_of(&state, &program, &b, Some(period))?;
    match b.spec.period.bounds(&period, tz) {
        Some((_, end)) if end <= state.clock.now() => {}
        _ => {
            return Err(ApiError::invalid(
                "period",
                "the period has not ended: a contest is settled when its period ends",
            ));
        }
    }
    settle(&state, &program, &b, &period).await?;
    let contest = state
        .store
        .contest(&program.id, &id, &period)
        .await?
        .ok_or(ApiError::Internal)?;
    Ok(Json(contest.into()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RebuildQuery {
    /// The period; default: the current one.
    pub period: Option<String>,
}

/// What a rebuild did.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RebuildOut {
    pub leaderboard: String,
    pub period: String,
    pub ranked: u64,
    pub seconds: f64,
    /// `memory` (this node's ranking) or `redis` (the shared one).
    pub rankings: String,
}

/// Build a board period's ranking again from the scores the database keeps (after restoring
/// a backup, or to time it). Queries wait for it; events recorded meanwhile are not lost.
#[utoipa::path(post, path = "/v1/leaderboards/{id}/rebuild", tag = "leaderboards",
    params(("id" = String, Path), RebuildQuery),
    responses((status = 200, body = RebuildOut), (status = 404, body = ErrorBody)))]
pub async fn rebuild(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<RebuildQuery>,
) -> Result<Json<RebuildOut>, ApiError> {
    let b = board(&state, &program.id, &id).await?;
    let period = period_of(&state, &program, &b, q.period)?;
    let started = std::time::Instant::now();
    let ranked = state
        .rankings
        .rebuild(&state, &program.id, &id, &period)
        .await?;
    Ok(Json(RebuildOut {
        leaderboard: id,
        period,
        ranked,
        seconds: started.elapsed().as_secs_f64(),
        rankings: state.rankings.kind().to_owned(),
    }))
}
