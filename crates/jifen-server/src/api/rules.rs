//! Earning rules and campaigns: saved as versions, paused, resumed, archived, simulated.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use jifen_core::rules::{CampaignSpec, DEFAULT_PURCHASE_RULE, RuleSpec, RuleStatus};
use jifen_store::{RuleVersion, UsageSummary};

use crate::app::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, Auth, parse_json};
use crate::service::rules::save_rule;

/// A rule as saved (its current version), with what it has awarded.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RuleOut {
    pub id: String,
    pub version: i64,
    /// `active`, `paused` or `archived`.
    pub status: String,
    /// Events that occurred from this instant on are judged by this version.
    pub live_from: DateTime<Utc>,
    /// When the next version replaced this one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live_until: Option<DateTime<Utc>>,
    /// The rule itself (trigger, condition, effects, limits, schedule, …).
    #[schema(value_type = Object)]
    pub spec: Value,
    /// The built-in rule purchases follow while the program has none of its own.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub builtin: bool,
    pub stats: UsageStats,
}

/// What a rule or a campaign has done so far.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct UsageStats {
    pub points_awarded: i64,
    pub members_reached: i64,
    pub times_fired: i64,
    /// Points left of the budget, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget_left: Option<i64>,
}

fn stats(
    summaries: &HashMap<String, UsageSummary>,
    scope: &str,
    budget: Option<i64>,
) -> UsageStats {
    let s = summaries.get(scope);
    let points = s.map_or(0, |s| s.points);
    UsageStats {
        points_awarded: points,
        members_reached: s.map_or(0, |s| s.members),
        times_fired: s.map_or(0, |s| s.count),
        budget_left: budget.map(|b| (b - points).max(0)),
    }
}

pub(crate) fn rule_out(v: &RuleVersion, summaries: &HashMap<String, UsageSummary>) -> RuleOut {
    let spec: Value = serde_json::from_str(&v.spec).unwrap_or(Value::Null);
    let budget = spec.get("budget").and_then(Value::as_i64);
    RuleOut {
        id: v.id.clone(),
        version: v.version,
        status: v.status.clone(),
        live_from: v.live_from,
        live_until: v.live_until,
        spec,
        builtin: false,
        stats: stats(summaries, &format!("rule:{}", v.id), budget),
    }
}

async fn summaries(
    state: &AppState,
    program_id: &str,
) -> Result<HashMap<String, UsageSummary>, ApiError> {
    Ok(state
        .store
        .usage_summaries(program_id)
        .await?
        .into_iter()
        .map(|s| (s.scope.clone(), s))
        .collect())
}

/// The latest version of each rule.
fn current(versions: &[RuleVersion]) -> Vec<&RuleVersion> {
    let mut latest: Vec<&RuleVersion> = Vec::new();
    for v in versions {
        match latest.last_mut() {
            Some(last) if last.id == v.id => *last = v,
            _ => latest.push(v),
        }
    }
    latest
}

/// A list of rules.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RuleList {
    pub data: Vec<RuleOut>,
}

/// List the program's rules (the current version of each), with what each has awarded. While
/// no rule of the program awards points for purchases, the built-in `default-purchase` rule
/// (the policy's `points_per_yuan`) is listed too.
#[utoipa::path(get, path = "/v1/rules", tag = "rules",
    responses((status = 200, body = RuleList), (status = 401, body = ErrorBody)))]
pub async fn list_rules(
    State(state): State<AppState>,
    Auth(program): Auth,
) -> Result<Json<RuleList>, ApiError> {
    let versions = state.store.rule_versions(&program.id).await?;
    let summaries = summaries(&state, &program.id).await?;
    let mut data: Vec<RuleOut> = current(&versions)
        .into_iter()
        .map(|v| rule_out(v, &summaries))
        .collect();
    let own_purchase_rule = data.iter().any(|r| {
        r.status != "archived"
            && serde_json::from_value::<RuleSpec>(r.spec.clone())
                .is_ok_and(|s| s.awards_points_on("purchase"))
    });
    if !own_purchase_rule && program.policy.points_per_yuan > 0 {
        let builtin = jifen_core::rules::Rule::default_purchase(program.policy.points_per_yuan);
        data.insert(
            0,
            RuleOut {
                id: DEFAULT_PURCHASE_RULE.into(),
                version: 0,
                status: "active".into(),
                live_from: program.created_at,
                live_until: None,
                spec: serde_json::to_value(&builtin.spec).unwrap_or_default(),
                builtin: true,
                stats: UsageStats::default(),
            },
        );
    }
    Ok(Json(RuleList { data }))
}

/// Create or change a rule: every save is a new version, live from now (events that occurred
/// earlier keep the versions live then). Saving what the current version already says changes
/// nothing. The condition is compiled here: one that does not compile is a 422 saying where.
#[utoipa::path(put, path = "/v1/rules/{id}", tag = "rules",
    params(("id" = String, Path, description = "The rule's id: 1–64 of a-z 0-9 _ - . :")),
    request_body(content = Object, description = "The rule: name, trigger, condition, effects, limits, budget, schedule, priority, group, exclusive, campaign"),
    responses((status = 201, body = RuleOut), (status = 200, body = RuleOut),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_rule(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    if id == DEFAULT_PURCHASE_RULE {
        return Err(ApiError::invalid(
            "id",
            "default-purchase is built in: change points_per_yuan with PATCH /v1/program, or save a purchase rule of your own",
        ));
    }
    let spec: RuleSpec = parse_json(&body)?;
    let saved = save_rule(&state, &program, &id, Some(spec), RuleStatus::Active).await?;
    let status = if saved.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let summaries = summaries(&state, &program.id).await?;
    Ok((status, Json(rule_out(&saved.version, &summaries))).into_response())
}

async fn find_versions(
    state: &AppState,
    program_id: &str,
    id: &str,
) -> Result<Vec<RuleVersion>, ApiError> {
    let versions: Vec<RuleVersion> = state
        .store
        .rule_versions(program_id)
        .await?
        .into_iter()
        .filter(|v| v.id == id)
        .collect();
    if versions.is_empty() {
        return Err(ApiError::RuleNotFound(id.to_owned()));
    }
    Ok(versions)
}

/// Show a rule's current version.
#[utoipa::path(get, path = "/v1/rules/{id}", tag = "rules",
    params(("id" = String, Path)),
    responses((status = 200, body = RuleOut), (status = 404, body = ErrorBody)))]
pub async fn get_rule(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
) -> Result<Json<RuleOut>, ApiError> {
    let versions = find_versions(&state, &program.id, &id).await?;
    let summaries = summaries(&state, &program.id).await?;
    let last = versions.last().ok_or(ApiError::Internal)?;
    Ok(Json(rule_out(last, &summaries)))
}

/// Every version of a rule, newest first.
#[utoipa::path(get, path = "/v1/rules/{id}/versions", tag = "rules",
    params(("id" = String, Path)),
    responses((status = 200, body = RuleList), (status = 404, body = ErrorBody)))]
pub async fn rule_versions(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
) -> Result<Json<RuleList>, ApiError> {
    let versions = find_versions(&state, &program.id, &id).await?;
    let summaries = summaries(&state, &program.id).await?;
    Ok(Json(RuleList {
        data: versions
            .iter()
            .rev()
            .map(|v| rule_out(v, &summaries))
            .collect(),
    }))
}

async fn set_status(
    state: &AppState,
    program: &jifen_store::Program,
    id: &str,
    status: RuleStatus,
) -> Result<Json<RuleOut>, ApiError> {
    let saved = save_rule(state, program, id, None, status).await?;
    let summaries = summaries(state, &program.id).await?;
    Ok(Json(rule_out(&saved.version, &summaries)))
}

/// Pause a rule: a new version that does not run, until it is resumed.
#[utoipa::path(post, path = "/v1/rules/{id}/pause", tag = "rules",
    params(("id" = String, Path)),
    responses((status = 200, body = RuleOut), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn pause_rule(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
) -> Result<Json<RuleOut>, ApiError> {
    set_status(&state, &program, &id, RuleStatus::Paused).await
}

/// Resume a paused rule.
#[utoipa::path(post, path = "/v1/rules/{id}/resume", tag = "rules",
    params(("id" = String, Path)),
    responses((status = 200, body = RuleOut), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn resume_rule(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
) -> Result<Json<RuleOut>, ApiError> {
    set_status(&state, &program, &id, RuleStatus::Active).await
}

/// Archive a rule: it never runs or changes again, and its history stays.
#[utoipa::path(post, path = "/v1/rules/{id}/archive", tag = "rules",
    params(("id" = String, Path)),
    responses((status = 200, body = RuleOut), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn archive_rule(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
) -> Result<Json<RuleOut>, ApiError> {
    set_status(&state, &program, &id, RuleStatus::Archived).await
}

/// Delete a rule that never awarded anything (a draft saved by mistake). A rule that has
/// awarded points is archived instead: its history explains members' ledgers.
#[utoipa::path(delete, path = "/v1/rules/{id}", tag = "rules",
    params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete_rule(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    find_versions(&state, &program.id, &id).await?;
    let summaries = summaries(&state, &program.id).await?;
    if summaries
        .get(&format!("rule:{id}"))
        .is_some_and(|s| s.count > 0)
    {
        return Err(ApiError::RuleHasAwarded(id));
    }
    crate::service::with_retries(|| async {
        let mut tx = state.store.begin_write().await?;
        tx.delete_rule(&program.id, &id).await?;
        tx.commit().await?;
        Ok(())
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A campaign, with what its rules have done.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CampaignOut {
    pub id: String,
    #[schema(value_type = Object)]
    pub spec: Value,
    /// The rules that belong to it (current versions).
    pub rules: Vec<String>,
    pub stats: UsageStats,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CampaignList {
    pub data: Vec<CampaignOut>,
}

pub(crate) async fn campaigns_out(
    state: &AppState,
    program_id: &str,
) -> Result<Vec<CampaignOut>, ApiError> {
    let campaigns = state.store.campaigns(program_id).await?;
    let versions = state.store.rule_versions(program_id).await?;
    let summaries = summaries(state, program_id).await?;
    let rules = current(&versions);
    Ok(campaigns
        .into_iter()
        .map(|c| {
            let spec: Value = serde_json::from_str(&c.spec).unwrap_or(Value::Null);
            let budget = spec.get("budget").and_then(Value::as_i64);
            CampaignOut {
                rules: rules
                    .iter()
                    .filter(|v| {
                        serde_json::from_str::<Value>(&v.spec)
                            .ok()
                            .and_then(|s| s.get("campaign").cloned())
                            == Some(json!(c.id))
                    })
                    .map(|v| v.id.clone())
                    .collect(),
                stats: stats(&summaries, &format!("campaign:{}", c.id), budget),
                id: c.id,
                spec,
                created_at: c.created_at,
                updated_at: c.updated_at,
            }
        })
        .collect())
}

/// List campaigns with the points their rules awarded, the members reached and the budget
/// left.
#[utoipa::path(get, path = "/v1/campaigns", tag = "rules",
    responses((status = 200, body = CampaignList)))]
pub async fn list_campaigns(
    State(state): State<AppState>,
    Auth(program): Auth,
) -> Result<Json<CampaignList>, ApiError> {
    Ok(Json(CampaignList {
        data: campaigns_out(&state, &program.id).await?,
    }))
}

/// Show a campaign.
#[utoipa::path(get, path = "/v1/campaigns/{id}", tag = "rules",
    params(("id" = String, Path)),
    responses((status = 200, body = CampaignOut), (status = 404, body = ErrorBody)))]
pub async fn get_campaign(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
) -> Result<Json<CampaignOut>, ApiError> {
    campaigns_out(&state, &program.id)
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .map(Json)
        .ok_or(ApiError::CampaignNotFound(id))
}

/// Create or change a campaign: a named period (`starts_at`..`ends_at`) whose rules share a
/// budget and a cap per member.
#[utoipa::path(put, path = "/v1/campaigns/{id}", tag = "rules",
    params(("id" = String, Path)),
    request_body(content = Object, description = "name, description, starts_at, ends_at, budget, member_cap"),
    responses((status = 201, body = CampaignOut), (status = 200, body = CampaignOut),
        (status = 422, body = ErrorBody)))]
pub async fn put_campaign(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
    ApiJson(spec): ApiJson<CampaignSpec>,
) -> Result<Response, ApiError> {
    jifen_core::rules::validate_campaign(&id, &spec)
        .map_err(|e| ApiError::invalid(e.field, e.message))?;
    let text = serde_json::to_string(&spec).map_err(|_| ApiError::Internal)?;
    let created = crate::service::with_retries(|| async {
        let mut tx = state.store.begin_write().await?;
        let created = tx
            .save_campaign(&program.id, &id, &text, state.clock.now())
            .await?;
        tx.commit().await?;
        Ok(created)
    })
    .await?;
    let out = campaigns_out(&state, &program.id)
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or(ApiError::Internal)?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(out)).into_response())
}

/// Events and draft rules to simulate.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SimulateIn {
    /// Events as `POST /v1/events` takes them (up to 1,000).
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<Value>,
    /// Draft rules (`{"id": …, …the rule}`): each replaces the saved rule of its id, or adds one.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub rules: Vec<Value>,
}

/// What the events would earn: per event, the points, the rules that fired and why the others
/// did not (condition false, a limit reached, a budget spent, out of schedule, excluded).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SimulateOut {
    #[schema(value_type = Vec<Object>)]
    pub results: Vec<Value>,
}

/// Simulate events under the program's rules, optionally with draft rules, writing nothing.
#[utoipa::path(post, path = "/v1/rules/simulate", tag = "rules", request_body = SimulateIn,
    responses((status = 200, body = SimulateOut), (status = 422, body = ErrorBody)))]
pub async fn simulate(
    State(state): State<AppState>,
    Auth(program): Auth,
    ApiJson(body): ApiJson<SimulateIn>,
) -> Result<Json<SimulateOut>, ApiError> {
    if body.events.len() > crate::api::events::MAX_BATCH {
        return Err(ApiError::BatchTooLarge {
            items: "events",
            max: crate::api::events::MAX_BATCH,
            got: body.events.len(),
        });
    }
    let now = state.clock.now();
    let drafts = drafts(body.rules)?;
    let mut parsed = Vec::with_capacity(body.events.len());
    for (i, raw) in body.events.into_iter().enumerate() {
        parsed.push(crate::api::events::parse_event(
            raw,
            &format!("events[{i}]."),
            now,
        )?);
    }
    let outcomes = crate::service::events::simulate(&state, &program, &parsed, drafts).await?;
    Ok(Json(SimulateOut {
        results: outcomes
            .into_iter()
            .zip(&parsed)
            .map(|(o, e)| {
                o.unwrap_or_else(|err| crate::api::events::failed(json!(e.id), &err, &state.docs))
            })
            .collect(),
    }))
}

/// An event type a program declares, with a JSON schema for its attributes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventTypeIn {
    #[serde(default)]
    pub description: String,
    /// A JSON schema (draft 2020-12 and earlier) the events' `attributes` must satisfy.
    #[schema(value_type = Object)]
    pub schema: Value,
}

/// An event type: built in, or declared by the program.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EventTypeOut {
    pub name: String,
    pub builtin: bool,
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub schema: Option<Value>,
    /// Recorded every time, rewarded once per member.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub once_per_member: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EventTypeList {
    pub data: Vec<EventTypeOut>,
}

fn builtin_types() -> Vec<&'static str> {
    let mut all = vec!["purchase", "refund"];
    all.extend(crate::service::events::BEHAVIOUR_TYPES);
    all
}

/// List event types: the built-in ones and those the program declared.
#[utoipa::path(get, path = "/v1/event-types", tag = "rules",
    responses((status = 200, body = EventTypeList)))]
pub async fn list_event_types(
    State(state): State<AppState>,
    Auth(program): Auth,
) -> Result<Json<EventTypeList>, ApiError> {
    let once = crate::service::events::ONCE_PER_MEMBER;
    let mut data: Vec<EventTypeOut> = builtin_types()
        .into_iter()
        .map(|name| EventTypeOut {
            name: name.into(),
            builtin: true,
            description: String::new(),
            schema: None,
            once_per_member: once.contains(&name),
        })
        .collect();
    for t in state.store.event_types(&program.id).await? {
        data.push(EventTypeOut {
            name: t.name,
            builtin: false,
            description: t.description,
            schema: serde_json::from_str(&t.schema).ok(),
            once_per_member: false,
        });
    }
    Ok(Json(EventTypeList { data }))
}

/// Declare (or change) an event type of the program, with a JSON schema for its attributes:
/// events of the type whose attributes do not satisfy it are refused with `invalid_request`
/// naming the attribute.
#[utoipa::path(put, path = "/v1/event-types/{name}", tag = "rules",
    params(("name" = String, Path, description = "1–64 of a-z 0-9 _ - . :, not a built-in type")),
    request_body = EventTypeIn,
    responses((status = 201, body = EventTypeOut), (status = 200, body = EventTypeOut),
        (status = 422, body = ErrorBody)))]
pub async fn put_event_type(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(name): Path<String>,
    ApiJson(body): ApiJson<EventTypeIn>,
) -> Result<Response, ApiError> {
    if !jifen_core::rules::valid_name(&name) {
        return Err(ApiError::invalid(
            "name",
            "an event type is 1–64 characters of a-z, 0-9, _ - . :",
        ));
    }
    if builtin_types().contains(&name.as_str()) {
        return Err(ApiError::invalid(
            "name",
            format!("{name} is a built-in event type"),
        ));
    }
    if !body.schema.is_object() {
        return Err(ApiError::invalid("schema", "a schema is a JSON object"));
    }
    jsonschema::validator_for(&body.schema)
        .map_err(|e| ApiError::invalid("schema", format!("not a valid JSON schema: {e}")))?;
    let schema = body.schema.to_string();
    let created = crate::service::with_retries(|| async {
        let mut tx = state.store.begin_write().await?;
        let created = tx
            .save_event_type(
                &program.id,
                &name,
                &body.description,
                &schema,
                state.clock.now(),
            )
            .await?;
        tx.commit().await?;
        Ok(created)
    })
    .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let out = EventTypeOut {
        name,
        builtin: false,
        description: body.description,
        schema: Some(body.schema),
        once_per_member: false,
    };
    Ok((status, Json(out)).into_response())
}

/// A backtest to run: a window of past events and the draft rules to judge them by.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BacktestIn {
    /// Events that occurred from this instant…
    pub from: DateTime<Utc>,
    /// …until this one (exclusive).
    pub to: DateTime<Utc>,
    /// Draft rules (`{"id": …, …the rule}`): each replaces the saved rule of its id, or adds one.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub rules: Vec<Value>,
    /// Judge by the drafts alone instead of the saved rules with the drafts in place.
    #[serde(default)]
    pub drafts_only: bool,
    /// What one point costs the brand, in fen (default 1: 100 points = ¥1).
    #[serde(default)]
    pub point_value_fen: Option<f64>,
}

/// A backtest: its progress, and its report so far (complete when `status` is `done`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BacktestOut {
    pub id: String,
    /// `running`, `done` or `failed`.
    pub status: String,
    pub events_total: i64,
    pub events_done: i64,
    #[schema(value_type = Object)]
    pub report: Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<jifen_store::BacktestRecord> for BacktestOut {
    fn from(r: jifen_store::BacktestRecord) -> Self {
        BacktestOut {
            report: serde_json::from_str(&r.report).unwrap_or(Value::Null),
            id: r.id,
            status: r.status,
            events_total: r.events_total,
            events_done: r.events_done,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// Parses and compiles draft rules given as `{"id": …, …the rule}`, naming the field at fault.
/// Drafts are live at every instant.
fn drafts(raw: Vec<Value>) -> Result<Vec<jifen_core::rules::Rule>, ApiError> {
    let mut out = Vec::with_capacity(raw.len());
    for (i, raw) in raw.into_iter().enumerate() {
        let prefix = format!("rules[{i}].");
        let Value::Object(mut fields) = raw else {
            return Err(ApiError::invalid(
                format!("rules[{i}]"),
                "a draft rule is an object",
            ));
        };
        let id = match fields.remove("id") {
            Some(Value::String(id)) => id,
            _ => {
                return Err(ApiError::invalid(
                    format!("{prefix}id"),
                    "a draft rule needs an id",
                ));
            }
        };
        let spec: RuleSpec = crate::api::events::from_value(Value::Object(fields), &prefix)?;
        let rule = jifen_core::rules::Rule::compile(
            &id,
            0,
            RuleStatus::Active,
            spec,
            DateTime::<Utc>::MIN_UTC,
            None,
        )
        .map_err(|e| ApiError::rule(&prefix, e))?;
        out.push(rule);
    }
    Ok(out)
}

/// Start a backtest: replay the events that occurred in `[from, to)` through the saved rules
/// with the drafts in place (or the drafts alone), and compare with what was awarded: points
/// and their cost, members affected, the distribution per member, the ten largest changes. It
/// runs as a job; read its progress and report with `GET /v1/rules/backtests/{id}`.
#[utoipa::path(post, path = "/v1/rules/backtest", tag = "rules", request_body = BacktestIn,
    responses((status = 202, body = BacktestOut), (status = 422, body = ErrorBody)))]
pub async fn start_backtest(
    State(state): State<AppState>,
    Auth(program): Auth,
    ApiJson(body): ApiJson<BacktestIn>,
) -> Result<Response, ApiError> {
    if body.from >= body.to {
        return Err(ApiError::invalid("to", "to must be after from"));
    }
    let value = body.point_value_fen.unwrap_or(1.0);
    if !(0.0..=1_000_000.0).contains(&value) {
        return Err(ApiError::invalid(
            "point_value_fen",
            "point_value_fen must be between 0 and 1,000,000",
        ));
    }
    let request = crate::service::backtest::Request {
        from: body.from,
        to: body.to,
        // The job compiles its own copies in its task.
        drafts: drafts(body.rules)?
            .into_iter()
            .map(|r| (r.id, r.spec))
            .collect(),
        drafts_only: body.drafts_only,
        point_value_millifen: (value * 1_000.0).round() as i64,
    };
    let record = crate::service::backtest::start(&state, &program, request).await?;
    Ok((StatusCode::ACCEPTED, Json(BacktestOut::from(record))).into_response())
}

/// A backtest's progress and report.
#[utoipa::path(get, path = "/v1/rules/backtests/{id}", tag = "rules",
    params(("id" = String, Path)),
    responses((status = 200, body = BacktestOut), (status = 404, body = ErrorBody)))]
pub async fn get_backtest(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
) -> Result<Json<BacktestOut>, ApiError> {
    state
        .store
        .get_backtest(&program.id, &id)
        .await?
        .map(|r| Json(BacktestOut::from(r)))
        .ok_or(ApiError::BacktestNotFound(id))
}
