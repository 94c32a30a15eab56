//! The check-in page: the month's calendar of check-ins, the streak, the next streak bonus, and
//! the check-in itself — a `check_in` event sent through `POST /v1/events`, with the id the page
//! generated as its idempotency id, so a double tap or a resend checks in once.

use std::collections::BTreeSet;

use askama::Template;
use axum::extract::{Form, State};
use axum::response::Response;
use chrono::{Datelike, Duration, NaiveDate, NaiveTime, TimeZone};
use serde::Deserialize;
use serde_json::{Value, json};

use jifen_core::Timestamp;
use jifen_core::rules::{Condition, Effect, Facts, RuleSpec, Trigger, Truth};

use super::auth::{Visit, call};
use super::i18n::fill;
use super::{Chrome, Failure, html};
use crate::app::AppState;

/// The behaviour the page records.
pub const EVENT_TYPE: &str = "check_in";
/// How far ahead the page looks for a streak bonus, in check-ins.
pub const BONUS_HORIZON: i64 = 60;

/// Today's check-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Today {
    /// The member checked in today (program time).
    pub checked: bool,
    /// Consecutive days with a check-in, up to today or yesterday (0 when the run broke).
    pub streak: i64,
}

/// The instants a day of program time starts and ends.
fn day_bounds(tz: chrono_tz::Tz, day: NaiveDate) -> (Timestamp, Timestamp) {
    let start = |d: NaiveDate| {
        tz.from_local_datetime(&d.and_time(NaiveTime::MIN))
            .earliest()
            .map(|t| t.to_utc())
            .unwrap_or_else(|| d.and_time(NaiveTime::MIN).and_utc())
    };
    (start(day), start(day + Duration::days(1)))
}

/// Whether the visit's member has an event of `event_type` that occurred in `[start, end)`.
pub async fn has_event(
    state: &AppState,
    visit: &Visit,
    event_type: &str,
    start: Timestamp,
    end: Timestamp,
) -> Result<bool, Failure> {
    Ok(!state
        .store
        .member_event_times(
            &visit.program.id,
            visit.member.id,
            event_type,
            start,
            end,
            1,
        )
        .await?
        .is_empty())
}

/// Whether the member checked in today, and the streak, as the rules see it.
pub async fn today(state: &AppState, visit: &Visit, now: Timestamp) -> Result<Today, Failure> {
    let tz = crate::service::program_tz(&visit.program);
    let day = now.with_timezone(&tz).date_naive();
    let (start, end) = day_bounds(tz, day);
    let checked = has_event(state, visit, EVENT_TYPE, start, end).await?;
    let facts = state.store.member_facts(&[visit.member.id]).await?;
    let streak = facts
        .streaks
        .iter()
        .find(|s| s.member_id == visit.member.id && s.kind == EVENT_TYPE)
        .and_then(|s| {
            let last = NaiveDate::parse_from_str(&s.last_day, "%Y-%m-%d").ok()?;
            (last == day || last + Duration::days(1) == day).then_some(s.length)
        })
        .unwrap_or(0);
    Ok(Today { checked, streak })
}

/// One cell of the calendar: the day of the month (none for the padding before the 1st).
pub struct Cell {
    pub day: Option<u32>,
    pub on: bool,
    pub today: bool,
}

#[derive(Template)]
#[template(path = "portal/check_in.html")]
struct CheckInPage {
    chrome: Chrome,
    css: String,
    month: String,
    weekdays: Vec<&'static str>,
    weeks: Vec<Vec<Cell>>,
    today: Today,
    streak_text: String,
    bonus_text: Option<String>,
    /// What the check-in just earned, on the page answering it.
    result: Option<String>,
    csrf: String,
    /// The idempotency id of the next check-in, generated with the page.
    event_id: String,
    action: String,
}

/// `GET /portal/{program}/check-in`.
pub async fn page(State(state): State<AppState>, visit: Visit) -> Result<Response, Failure> {
    render(&state, &visit, None).await
}

/// The check-in form: its CSRF token (checked by the guard) and the check-in's id.
#[derive(Deserialize)]
pub struct CheckInForm {
    /// The idempotency id the page generated.
    id: String,
}

/// `POST /portal/{program}/check-in`: sends the `check_in` event through the API, then shows
/// the page with what it earned. The same id again (a double tap, a resend) is the API's
/// repeat: the first answer, nothing written twice.
pub async fn check_in(
    State(state): State<AppState>,
    visit: Visit,
    Form(form): Form<CheckInForm>,
) -> Result<Response, Failure> {
    if !crate::parse::could_be_id(&form.id) {
        return Err(Failure::Api(crate::error::ApiError::invalid(
            "id",
            "the page's check-in id is missing or malformed: reload the page",
        )));
    }
    let now = state.clock.now();
    let answer = call(
        &state,
        &visit,
        "/v1/events",
        json!({
            "id": form.id,
            "type": EVENT_TYPE,
            "member": visit.member.external_id,
            "occurred_at": now.to_rfc3339(),
        }),
    )
    .await?;
    let points = answer["points"].as_i64().unwrap_or(0);
    let result = if points > 0 {
        fill(
            visit.t("checkin.earned"),
            &[("points", &points.to_string())],
        )
    } else {
        visit.t("checkin.earned_nothing").to_owned()
    };
    render(&state, &visit, Some(result)).await
}

async fn render(
    state: &AppState,
    visit: &Visit,
    result: Option<String>,
) -> Result<Response, Failure> {
    let now = state.clock.now();
    let tz = crate::service::program_tz(&visit.program);
    let local = now.with_timezone(&tz).date_naive();
    let first = local.with_day(1).unwrap_or(local);
    let next_month = first
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(first + Duration::days(31));
    let (from, _) = day_bounds(tz, first);
    let (to, _) = day_bounds(tz, next_month);
    let days: BTreeSet<u32> = state
        .store
        .member_event_times(&visit.program.id, visit.member.id, EVENT_TYPE, from, to, 62)
        .await?
        .into_iter()
        .map(|t| t.with_timezone(&tz).day())
        .collect();
    let today = today(state, visit, now).await?;
    let bonus_text = next_bonus(state, visit, today.streak)
        .await?
        .map(|(n, points)| {
            fill(
                visit.t("checkin.bonus"),
                &[("n", &n.to_string()), ("points", &points.to_string())],
            )
        });
    let chrome = visit.chrome("check_in", "check-in");
    let page = CheckInPage {
        css: super::assets::css(),
        month: fill(
            visit.t("checkin.month"),
            &[
                ("year", &first.year().to_string()),
                ("month", &first.month().to_string()),
            ],
        ),
        weekdays: visit.t("checkin.weekdays").split(' ').collect(),
        weeks: calendar(first, next_month, &days, local.day()),
        today,
        streak_text: fill(
            visit.t("checkin.streak"),
            &[("n", &today.streak.to_string())],
        ),
        bonus_text,
        result,
        csrf: visit.csrf.clone(),
        event_id: format!("portal-{}", uuid::Uuid::now_v7()),
        action: format!("{}check-in", chrome.base),
        chrome,
    };
    Ok(html(&page))
}

/// The month's weeks, Monday first: padding before the 1st, then one cell a day.
fn calendar(first: NaiveDate, next: NaiveDate, on: &BTreeSet<u32>, today: u32) -> Vec<Vec<Cell>> {
    let pad = first.weekday().num_days_from_monday();
    let len = u32::try_from((next - first).num_days()).unwrap_or(31);
    let mut cells: Vec<Cell> = (0..pad)
        .map(|_| Cell {
            day: None,
            on: false,
            today: false,
        })
        .collect();
    cells.extend((1..=len).map(|d| Cell {
        day: Some(d),
        on: on.contains(&d),
        today: d == today,
    }));
    let mut weeks = Vec::new();
    let mut it = cells.into_iter().peekable();
    while it.peek().is_some() {
        weeks.push(it.by_ref().take(7).collect());
    }
    weeks
}

/// The next streak bonus of the program's live rules: in how many more check-ins, and the
/// points.
async fn next_bonus(
    state: &AppState,
    visit: &Visit,
    streak: i64,
) -> Result<Option<(i64, i64)>, Failure> {
    let specs: Vec<RuleSpec> = state
        .store
        .rule_versions(&visit.program.id)
        .await?
        .into_iter()
        .filter(|v| v.live_until.is_none() && v.status == "active")
        .filter_map(|v| serde_json::from_str(&v.spec).ok())
        .collect();
    Ok(streak_bonus(&specs, streak, state.clock.now()))
}

/// The soonest streak bonus: the first `k` in 1..=[`BONUS_HORIZON`] for which a rule triggered
/// by `check_in`, whose condition reads the streak and awards a fixed number of points, fires
/// on a check-in that makes the streak `streak + k`. Conditions are evaluated with the streak
/// alone; one that needs more of the member (tags, tier) does not count as a bonus here.
pub fn streak_bonus(specs: &[RuleSpec], streak: i64, now: Timestamp) -> Option<(i64, i64)> {
    let bonuses: Vec<(Condition, i64)> = specs
        .iter()
        .filter(|s| {
            matches!(&s.trigger, Trigger::Event { types } if types.iter().any(|t| t == EVENT_TYPE))
        })
        .filter_map(|s| {
            let source = s.condition.as_deref()?;
            if !source.contains("streak(") {
                return None;
            }
            let points: i64 = s
                .effects
                .iter()
                .filter_map(|e| match e {
                    Effect::AwardPoints {
                        points: Some(p), ..
                    } => Some(*p),
                    _ => None,
                })
                .sum();
            let condition = Condition::compile(source).ok()?;
            (points > 0).then_some((condition, points))
        })
        .collect();
    if bonuses.is_empty() {
        return None;
    }
    let event = json!({"type": EVENT_TYPE, "attributes": {}});
    let program = json!({});
    (1..=BONUS_HORIZON).find_map(|k| {
        let member: Value = json!({
            "streaks": {EVENT_TYPE: streak + k},
            "tags": [],
            "meters": {},
            "attributes": {},
        });
        let facts = Facts::new(&event, &member, &program, now + Duration::days(k));
        let points: i64 = bonuses
            .iter()
            .filter(|(c, _)| matches!(c.eval(&facts), Truth::True))
            .map(|(_, p)| *p)
            .sum();
        (points > 0).then_some((k, points))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(condition: &str, points: i64) -> RuleSpec {
        serde_json::from_value(json!({
            "name": "streak",
            "trigger": {"kind": "event", "types": ["check_in"]},
            "condition": condition,
            "effects": [{"kind": "award_points", "points": points}],
        }))
        .expect("spec")
    }

    #[test]
    fn the_next_bonus_is_found_from_the_streak() {
        let now = chrono::Utc::now();
        let specs = [rule("member.streak('check_in') % 7 == 0", 7)];
        assert_eq!(streak_bonus(&specs, 5, now), Some((2, 7)));
        assert_eq!(streak_bonus(&specs, 7, now), Some((7, 7)));
        assert_eq!(streak_bonus(&specs, 0, now), Some((7, 7)));
        // A daily rule without a streak is not a bonus.
        let daily: RuleSpec = serde_json::from_value(json!({
            "name": "daily",
            "trigger": {"kind": "event", "types": ["check_in"]},
            "effects": [{"kind": "award_points", "points": 1}],
        }))
        .expect("spec");
        assert_eq!(streak_bonus(&[daily], 3, now), None);
    }

    #[test]
    fn the_calendar_starts_on_monday() {
        // 2026-12-01 is a Tuesday.
        let first = NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
        let next = NaiveDate::from_ymd_opt(2027, 1, 1).expect("date");
        let on = BTreeSet::from([1, 2]);
        let weeks = calendar(first, next, &on, 6);
        assert_eq!(weeks[0][0].day, None);
        assert_eq!(weeks[0][1].day, Some(1));
        assert!(weeks[0][1].on && weeks[0][2].on && !weeks[0][3].on);
        assert!(weeks[0][6].today);
        assert_eq!(weeks.iter().map(Vec::len).sum::<usize>(), 31 + 1);
    }
}
