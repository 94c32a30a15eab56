//! Challenges: definitions (a goal over a period, with steps and rewards), a member's
//! challenges with their progress, and joining an opt-in one.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use jifen_core::challenges::{ChallengeSpec, ChallengeStatus, Enrollment, JOIN_EVENT, progress};
use jifen_store::{ChallengeRow, ChallengeState, Member, Program};

use crate::app::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Auth, parse_json};
use crate::service::challenges::{parse, spec_error};
use crate::service::events::{EventKind, ParsedEvent};
use crate::service::ledger::find_member;
use crate::service::{program_tz, with_retries};

fn id_ok(id: &str) -> Result<(), ApiError> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "id",
            "id is 1–64 characters of a-z, 0-9, - and _",
        ))
    }
}

/// A challenge definition.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ChallengeOut {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// `active` (counts events) or `archived` (counts no more; what members reached stays).
    pub status: String,
    /// `auto` (every member) or `opt_in` (members who join).
    pub enrollment: String,
    /// `{"kind": "week"}`, `{"kind": "month"}` or `{"kind": "window", "starts_at", "ends_at"}`.
    #[schema(value_type = Object)]
    pub period: Value,
    /// `{"measure": "count" | "distinct" | "sum", "types", "distinct", "target"}`.
    #[schema(value_type = Object)]
    pub goal: Value,
    /// Intermediate targets with their rewards.
    #[schema(value_type = Vec<Object>)]
    pub steps: Value,
    /// `{"points", "voucher", "badge", "badge_level", "tag"}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub reward: Option<Value>,
    pub revoke_on_refund: bool,
    /// The period now (`2027-03`, `2027-W09`, `window`).
    pub current_period: String,
    /// When the current period ends, in the program's time zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<DateTime<Utc>>,
    /// When its results are final: late events and refunds count until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closes_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A list of challenges.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ChallengeList {
    pub data: Vec<ChallengeOut>,
}

pub(crate) fn challenge_out(
    program: &Program,
    row: &ChallengeRow,
    spec: &ChallengeSpec,
    now: DateTime<Utc>,
) -> ChallengeOut {
    let tz = program_tz(program);
    let current = spec.period.current(now, tz);
    let end = spec.period_end(&current, tz);
    ChallengeOut {
        id: row.id.clone(),
        name: spec.name.clone(),
        description: spec.description.clone(),
        status: row.status.clone(),
        enrollment: enrollment(spec.enrollment).into(),
        period: json!(spec.period),
        goal: json!(spec.goal),
        steps: json!(spec.steps),
        reward: spec.reward.as_ref().map(|r| json!(r)),
        revoke_on_refund: spec.revoke_on_refund,
        current_period: current,
        ends_at: end.map(|(e, _)| e),
        closes_at: end.map(|(_, c)| c),
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

fn enrollment(e: Enrollment) -> &'static str {
    match e {
        Enrollment::Auto => "auto",
        Enrollment::OptIn => "opt_in",
    }
}

/// One challenge as the API shows it.
pub(crate) async fn one_out(
    state: &AppState,
    program: &Program,
    id: &str,
) -> Result<Option<ChallengeOut>, ApiError> {
    let Some(row) = state.store.challenge(&program.id, id).await? else {
        return Ok(None);
    };
    let spec = parse(&row)?;
    Ok(Some(challenge_out(program, &row, &spec, state.clock.now())))
}

/// Define or change a challenge: a `name`, a `period` (`week`, `month`, or a `window`), an
/// `enrollment` (`auto` or `opt_in`), a `goal` (a `measure` — `count` of events of `types`,
/// of local days with `distinct: "day"`; `distinct` values of `type` or of an attribute path
/// such as `attributes.lines[].category`; or `sum` of purchase amounts — with its `target`),
/// optional `steps` (lower targets, each with a `reward`), a completion `reward` (`points`,
/// `voucher`, `badge`, `badge_level`, `tag`) and `revoke_on_refund`. `status: archived` stops
/// counting; members keep what they reached.
#[utoipa::path(put, path = "/v1/challenges/{id}", tag = "challenges",
    params(("id" = String, Path, description = "1–64 of a-z 0-9 - _")),
    request_body(content = Object, description = "The challenge"),
    responses((status = 201, body = ChallengeOut), (status = 200, body = ChallengeOut),
        (status = 422, body = ErrorBody)))]
pub async fn put_challenge(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    id_ok(&id)?;
    let spec: ChallengeSpec = parse_json(&body)?;
    spec.check().map_err(spec_error)?;
    let text = serde_json::to_string(&spec).map_err(|_| ApiError::Internal)?;
    let new = with_retries(|| async {
        let mut tx = state.store.begin_write().await?;
        let rewards: Vec<(String, &jifen_core::challenges::Reward)> = spec
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("steps[{i}].reward"), &s.reward))
            .chain(spec.reward.iter().map(|r| ("reward".to_owned(), r)))
            .collect();
        let templates: Vec<(String, &str)> = rewards
            .iter()
            .filter_map(|(f, r)| Some((format!("{f}.voucher"), r.voucher.as_deref()?)))
            .collect();
        crate::service::vouchers::check_templates(&mut tx, &program.id, &templates).await?;
        let badges = tx.badge_defs(&program.id).await?;
        for (field, r) in &rewards {
            if let Some(b) = &r.badge
                && !badges.iter().any(|d| &d.id == b)
            {
                return Err(ApiError::invalid(
                    format!("{field}.badge"),
                    format!("the program has no badge {b}"),
                )
                .into());
            }
        }
        let now = state.clock.now();
        let existing = tx
            .challenge_defs(&program.id)
            .await?
            .into_iter()
            .find(|r| r.id == id);
        let row = ChallengeRow {
            id: id.clone(),
            spec: text.clone(),
            status: spec.status.as_str().to_owned(),
            created_at: existing.as_ref().map_or(now, |r| r.created_at),
            updated_at: now,
        };
        if let Some(e) = &existing
            && e.spec == row.spec
            && e.status == row.status
        {
            return Ok(false);
        }
        let new = tx.save_challenge(&program.id, &row).await?;
        tx.commit().await?;
        Ok(new)
    })
    .await?;
    let out = one_out(&state, &program, &id)
        .await?
        .ok_or(ApiError::Internal)?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(out)).into_response())
}

/// List the program's challenges.
#[utoipa::path(get, path = "/v1/challenges", tag = "challenges",
    responses((status = 200, body = ChallengeList)))]
pub async fn list_challenges(
    State(state): State<AppState>,
    Auth(program): Auth,
) -> Result<Json<ChallengeList>, ApiError> {
    let now = state.clock.now();
    let data = state
        .store
        .challenges(&program.id)
        .await?
        .iter()
        .map(|row| Ok(challenge_out(&program, row, &parse(row)?, now)))
        .collect::<Result<_, ApiError>>()?;
    Ok(Json(ChallengeList { data }))
}

/// Show a challenge.
#[utoipa::path(get, path = "/v1/challenges/{id}", tag = "challenges",
    params(("id" = String, Path)),
    responses((status = 200, body = ChallengeOut), (status = 404, body = ErrorBody)))]
pub async fn get_challenge(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
) -> Result<Json<ChallengeOut>, ApiError> {
    one_out(&state, &program, &id)
        .await?
        .map(Json)
        .ok_or(ApiError::ChallengeNotFound(id))
}

/// A step of a challenge, and whether the member reached it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StepOut {
    /// 1 for the first step.
    pub step: i64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    pub target: i64,
    pub reached: bool,
    #[schema(value_type = Object)]
    pub reward: Value,
}

/// A reward a member was given by a challenge.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ChallengeRewardOut {
    /// The step (1, 2, …), or 0 for the completion.
    pub step: i64,
    pub points: i64,
    /// `awarded`, or `revoked` when a refund took the progress back below it.
    pub status: String,
    pub event_id: String,
    pub awarded_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A member's standing in a challenge's current period.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MemberChallengeOut {
    pub challenge: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    pub enrollment: String,
    /// `not_joined` (opt-in, not joined yet), `in_progress` or `completed`.
    pub status: String,
    pub period: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<DateTime<Utc>>,
    pub progress: i64,
    pub target: i64,
    pub steps: Vec<StepOut>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub reward: Option<Value>,
    pub rewards: Vec<ChallengeRewardOut>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joined_at: Option<DateTime<Utc>>,
}

/// A member's challenges.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MemberChallengesOut {
    pub data: Vec<MemberChallengeOut>,
}

pub(crate) fn member_challenge(
    program: &Program,
    id: &str,
    spec: &ChallengeSpec,
    state: &ChallengeState,
    now: DateTime<Utc>,
) -> MemberChallengeOut {
    let tz = program_tz(program);
    let period = spec.period.current(now, tz);
    let value = progress(
        spec.goal.measure,
        state
            .contributions
            .iter()
            .filter(|c| c.challenge_id == id && c.period == period)
            .map(|c| (c.item.as_str(), c.amount)),
    );
    let joined_at = state
        .joins
        .iter()
        .find(|j| j.challenge_id == id)
        .map(|j| j.joined_at);
    let status = if spec.enrollment == Enrollment::OptIn && joined_at.is_none() {
        "not_joined"
    } else if value >= spec.goal.target {
        "completed"
    } else {
        "in_progress"
    };
    let steps = spec
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| StepOut {
            step: i64::try_from(i + 1).unwrap_or(i64::MAX),
            name: s.name.clone(),
            target: s.target,
            reached: value >= s.target,
            reward: json!(s.reward),
        })
        .collect();
    let rewards = state
        .awards
        .iter()
        .filter(|a| a.challenge_id == id && a.period == period)
        .map(|a| ChallengeRewardOut {
            step: a.step,
            points: a.points,
            status: a.status.clone(),
            event_id: a.event_id.clone(),
            awarded_at: a.awarded_at,
            revoked_at: a.revoked_at,
        })
        .collect();
    MemberChallengeOut {
        challenge: id.to_owned(),
        name: spec.name.clone(),
        description: spec.description.clone(),
        enrollment: enrollment(spec.enrollment).into(),
        status: status.into(),
        ends_at: spec.period_end(&period, tz).map(|(e, _)| e),
        period,
        progress: value,
        target: spec.goal.target,
        steps,
        reward: spec.reward.as_ref().map(|r| json!(r)),
        rewards,
        joined_at,
    }
}

/// A member's active challenges in their current period, for the API and the portal.
pub(crate) async fn member_challenges(
    state: &AppState,
    program: &Program,
    member: &Member,
) -> Result<Vec<MemberChallengeOut>, ApiError> {
    let rows = state.store.challenges(&program.id).await?;
    let mine = state
        .store
        .member_challenges(&program.id, member.id)
        .await?;
    let now = state.clock.now();
    let mut out = BTreeMap::new();
    for row in rows {
        let spec = parse(&row)?;
        if spec.status != ChallengeStatus::Active {
            continue;
        }
        out.insert(
            row.id.clone(),
            member_challenge(program, &row.id, &spec, &mine, now),
        );
    }
    Ok(out.into_values().collect())
}

/// A member's challenges: each active challenge in its current period, with the member's
/// status (`not_joined`, `in_progress`, `completed`), progress and target, the steps reached
/// and the rewards given.
#[utoipa::path(get, path = "/v1/members/{external_id}/challenges", tag = "challenges",
    params(("external_id" = String, Path)),
    responses((status = 200, body = MemberChallengesOut), (status = 404, body = ErrorBody)))]
pub async fn get_member_challenges(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(external_id): Path<String>,
) -> Result<Json<MemberChallengesOut>, ApiError> {
    let member = find_member(&state, &program, &external_id).await?;
    Ok(Json(MemberChallengesOut {
        data: member_challenges(&state, &program, &member).await?,
    }))
}

/// A join's options.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JoinIn {
    /// The join event's id (default `join:<challenge>:<member>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// Joins a member to an opt-in challenge, through the event path; joining twice changes
/// nothing.
pub(crate) async fn join(
    state: &AppState,
    program: &Program,
    member: &Member,
    challenge: &str,
    event_id: Option<String>,
) -> Result<MemberChallengeOut, ApiError> {
    let Some(row) = state.store.challenge(&program.id, challenge).await? else {
        return Err(ApiError::ChallengeNotFound(challenge.to_owned()));
    };
    let spec = parse(&row)?;
    if spec.status != ChallengeStatus::Active {
        return Err(ApiError::invalid("challenge", "the challenge is archived"));
    }
    if spec.enrollment != Enrollment::OptIn {
        return Err(ApiError::invalid(
            "challenge",
            "every member takes part in this challenge: there is nothing to join",
        ));
    }
    let mine = state
        .store
        .member_challenges(&program.id, member.id)
        .await?;
    if !mine.joins.iter().any(|j| j.challenge_id == challenge) {
        let event = ParsedEvent {
            id: event_id.unwrap_or_else(|| format!("join:{challenge}:{}", member.external_id)),
            kind: EventKind::Behaviour {
                name: JOIN_EVENT.to_owned(),
            },
            type_name: JOIN_EVENT.to_owned(),
            member: member.external_id.clone(),
            occurred_at: state.clock.now(),
            site: None,
            guest: false,
            attributes: json!({"challenge": challenge}),
        };
        let outcome = crate::service::events::record(state, program, &[event])
            .await?
            .pop()
            .ok_or(ApiError::Internal)?;
        match outcome {
            Ok(_) | Err(ApiError::IdempotencyConflict) => {}
            Err(e) => return Err(e),
        }
    }
    let mine = state
        .store
        .member_challenges(&program.id, member.id)
        .await?;
    Ok(member_challenge(
        program,
        challenge,
        &spec,
        &mine,
        state.clock.now(),
    ))
}

/// Join an opt-in challenge: records a `challenge_joined` event (through the event path, so it
/// is kept with the member's events); the member's events from then on count. Joining again
/// changes nothing. A challenge every member takes part in (`enrollment: auto`) is refused.
#[utoipa::path(post, path = "/v1/members/{external_id}/challenges/{challenge}/join",
    tag = "challenges",
    params(("external_id" = String, Path), ("challenge" = String, Path)),
    request_body(content = Option<JoinIn>, description = "Optional: the join event's id"),
    responses((status = 200, body = MemberChallengeOut), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn join_challenge(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path((external_id, challenge)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Json<MemberChallengeOut>, ApiError> {
    let input: JoinIn = if body.iter().all(u8::is_ascii_whitespace) {
        JoinIn::default()
    } else {
        parse_json(&body)?
    };
    if let Some(id) = &input.id
        && (id.is_empty() || id.len() > 128)
    {
        return Err(ApiError::invalid(
            "id",
            "an event id is 1 to 128 characters",
        ));
    }
    let member = find_member(&state, &program, &external_id).await?;
    Ok(Json(
        join(&state, &program, &member, &challenge, input.id).await?,
    ))
}
