//! Reminders: the program's settings (kinds, parameters, templates per channel, quiet hours,
//! caps), members' notification preferences, and a preview of a day.

use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use jifen_core::reminders::{Channel, ReminderKind, ReminderSettings};

use crate::app::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiQuery, Auth, parse_json};
use crate::service::ledger::find_member;
use crate::service::reminders as service;

/// Read the program's reminder settings (the defaults, every kind off, until saved).
#[utoipa::path(get, path = "/v1/reminders/settings", tag = "reminders",
    responses((status = 200, description = "The settings", body = Object)))]
pub async fn get_reminder_settings(
    State(state): State<AppState>,
    Auth(program): Auth,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(service::settings(&state, &program.id).await?)))
}

/// Save the program's reminder settings: for each kind (`points_expiring`, `streak_at_risk`,
/// `tier_requalification`, `birthday`, `voucher_expiring`, `gift_unclaimed`) whether it is on,
/// its parameters and its template name per channel (`wechat`, `sms`, `push`); quiet hours in
/// the program's time zone (`null` for none); caps per member per channel per day and week.
/// A part left out takes its default.
#[utoipa::path(put, path = "/v1/reminders/settings", tag = "reminders",
    request_body(content = Object, description = "The reminder settings"),
    responses((status = 200, description = "The settings as saved", body = Object),
        (status = 422, body = ErrorBody)))]
pub async fn put_reminder_settings(
    State(state): State<AppState>,
    Auth(program): Auth,
    body: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    let settings: ReminderSettings = parse_json(&body)?;
    service::save_settings(&state, &program.id, &settings).await?;
    Ok(Json(json!(settings)))
}

/// A member's choice for one reminder kind on one channel.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PreferenceOut {
    /// `points_expiring`, `streak_at_risk`, `tier_requalification`, `birthday`,
    /// `voucher_expiring`, `gift_unclaimed`.
    pub kind: String,
    /// `wechat`, `sms`, `push`.
    pub channel: String,
    /// On unless the member turned it off.
    pub enabled: bool,
    /// Where the last change came from (`api`, `portal`, `console`); `null` when never changed.
    pub source: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// A member's notification preferences: every kind on every channel.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PreferencesOut {
    pub member: String,
    pub preferences: Vec<PreferenceOut>,
}

/// One choice to apply.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChoiceIn {
    #[schema(value_type = String)]
    pub kind: ReminderKind,
    #[schema(value_type = String)]
    pub channel: Channel,
    pub enabled: bool,
}

/// Choices to apply; the pairs left out keep their value.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferencesIn {
    /// 1 to 18 choices, one per (kind, channel) at most.
    pub preferences: Vec<ChoiceIn>,
    /// Where the member made the choice: `api` (default), `portal`, `console`.
    pub source: Option<String>,
}

async fn preferences_out(
    state: &AppState,
    program_id: &str,
    member: &jifen_store::Member,
) -> Result<PreferencesOut, ApiError> {
    let prefs = service::preferences(state, program_id, member.id).await?;
    Ok(PreferencesOut {
        member: member.external_id.clone(),
        preferences: prefs
            .into_iter()
            .map(|(c, row)| PreferenceOut {
                kind: c.kind.as_str().into(),
                channel: c.channel.as_str().into(),
                enabled: c.enabled,
                source: row.as_ref().map(|r| r.source.clone()),
                updated_at: row.map(|r| r.updated_at),
            })
            .collect(),
    })
}

/// A member's notification preferences: whether each reminder kind may reach them on each
/// channel.
#[utoipa::path(get, path = "/v1/members/{external_id}/notification-preferences", tag = "reminders",
    params(("external_id" = String, Path, description = "The brand's id for the member")),
    responses((status = 200, body = PreferencesOut), (status = 404, body = ErrorBody)))]
pub async fn get_notification_preferences(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(external_id): Path<String>,
) -> Result<Json<PreferencesOut>, ApiError> {
    let member = find_member(&state, &program, &external_id).await?;
    Ok(Json(preferences_out(&state, &program.id, &member).await?))
}

/// Turn reminder kinds on or off for a member, per channel. Each change is saved and appended
/// to the member's consent records (purpose `reminders.<kind>`, with the channel, the time and
/// the source); a choice that changes nothing writes nothing, so a retry is harmless.
#[utoipa::path(put, path = "/v1/members/{external_id}/notification-preferences", tag = "reminders",
    request_body = PreferencesIn,
    params(("external_id" = String, Path, description = "The brand's id for the member")),
    responses((status = 200, body = PreferencesOut), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn put_notification_preferences(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(external_id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<PreferencesOut>, ApiError> {
    let body: PreferencesIn = parse_json(&body)?;
    let source = body.source.as_deref().unwrap_or("api");
    if !service::SOURCES.contains(&source) {
        return Err(ApiError::invalid(
            "source",
            "source is api, portal or console",
        ));
    }
    let max = ReminderKind::ALL.len() * Channel::ALL.len();
    if body.preferences.is_empty() || body.preferences.len() > max {
        return Err(ApiError::invalid(
            "preferences",
            format!("preferences holds 1 to {max} choices"),
        ));
    }
    let mut choices: Vec<service::Choice> = Vec::new();
    for (i, c) in body.preferences.iter().enumerate() {
        if choices
            .iter()
            .any(|o| o.kind == c.kind && o.channel == c.channel)
        {
            return Err(ApiError::invalid(
                format!("preferences[{i}]"),
                format!(
                    "{} on {} is chosen twice",
                    c.kind.as_str(),
                    c.channel.as_str()
                ),
            ));
        }
        choices.push(service::Choice {
            kind: c.kind,
            channel: c.channel,
            enabled: c.enabled,
        });
    }
    let member = find_member(&state, &program, &external_id).await?;
    service::set_preferences(&state, &program.id, &member.external_id, &choices, source).await?;
    Ok(Json(preferences_out(&state, &program.id, &member).await?))
}

/// The day a preview is for.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PreviewQuery {
    /// A local day of the program, `YYYY-MM-DD`; tomorrow when absent.
    pub date: Option<String>,
}

/// One reminder of a preview.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PreviewItem {
    pub member: String,
    pub kind: String,
    pub channel: String,
    pub template: String,
    pub cause: String,
    #[schema(value_type = Object)]
    pub data: Value,
}

/// What the scheduler would send on a day.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PreviewOut {
    pub date: String,
    /// When the day's reminders would first go out: the day's start, past quiet hours.
    pub evaluated_at: DateTime<Utc>,
    pub total: usize,
    /// Every kind, with its count.
    #[schema(value_type = Object)]
    pub by_kind: Value,
    /// Every channel, with its count.
    #[schema(value_type = Object)]
    pub by_channel: Value,
    /// Reminders the daily cap would carry to a later day.
    pub held_by_caps: usize,
    /// The first 20, by member.
    pub sample: Vec<PreviewItem>,
}

/// What reminders would be sent on a day (counts by kind and channel, and a sample), computed
/// without writing anything.
#[utoipa::path(get, path = "/v1/reminders/preview", tag = "reminders",
    params(PreviewQuery),
    responses((status = 200, body = PreviewOut), (status = 422, body = ErrorBody)))]
pub async fn get_reminders_preview(
    State(state): State<AppState>,
    Auth(program): Auth,
    ApiQuery(q): ApiQuery<PreviewQuery>,
) -> Result<Json<PreviewOut>, ApiError> {
    let tz = crate::service::program_tz(&program);
    let day = match q.date.as_deref() {
        Some(raw) => chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .ok()
            .filter(|_| raw.len() == 10)
            .ok_or_else(|| ApiError::invalid("date", "date is a day, YYYY-MM-DD"))?,
        None => state.clock.now().with_timezone(&tz).date_naive() + chrono::Duration::days(1),
    };
    let settings = service::settings(&state, &program.id).await?;
    Ok(Json(preview_out(&state, &program, &settings, day).await?))
}

/// The preview of a day, as the API shows it.
pub async fn preview_out(
    state: &AppState,
    program: &jifen_store::Program,
    settings: &ReminderSettings,
    day: chrono::NaiveDate,
) -> Result<PreviewOut, ApiError> {
    let p = service::preview(state, program, settings, day).await?;
    Ok(PreviewOut {
        date: day.to_string(),
        evaluated_at: p.evaluated_at,
        total: p.total,
        by_kind: json!(p.by_kind),
        by_channel: json!(p.by_channel),
        held_by_caps: p.held_by_caps,
        sample: p
            .sample
            .into_iter()
            .map(|(member, r)| PreviewItem {
                member,
                kind: r.kind,
                channel: r.channel,
                template: r.template,
                cause: r.cause,
                data: serde_json::from_str(&r.data).unwrap_or(Value::Null),
            })
            .collect(),
    })
}
