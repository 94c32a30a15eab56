//! Rules and campaigns: the list with what each rule has awarded, the rule editor (structured
//! fields for the common cases, the CEL condition checked as it is typed, a JSON view), the
//! simulate panel, versions and their diff, pause / resume / archive, backtests of a draft with
//! their progress and report, and campaigns with their budget.
//!
//! Every write is a `/v1` request ([`api::call`]): the form is turned into the rule's JSON and
//! the API validates, versions and saves it as it does for any client.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::app::AppState;
use crate::console::api::{self, ApiFailure, seg};
use crate::console::auth::{self, Perm, Session};
use crate::console::{Chrome, Failure, Route, Toast, html};

pub fn routes() -> Vec<Route> {
    use Method as M;
    use Perm::{Configure, View};
    vec![
        Route::new(M::GET, "/console/rules", View, get(list)),
        Route::new(M::POST, "/console/rules", Configure, post(create)),
        Route::new(M::GET, "/console/rules/new", View, get(new_rule)),
        // Checking a condition changes nothing, so every role may (a viewer reading a rule
        // sees the same check).
        Route::new(M::POST, "/console/rules/validate", View, post(validate)),
        // A simulation writes nothing either.
        Route::new(M::POST, "/console/rules/simulate", View, post(simulate)),
        Route::new(
            M::POST,
            "/console/rules/backtest",
            Configure,
            post(backtest),
        ),
        Route::new(
            M::GET,
            "/console/rules/backtests/{id}",
            View,
            get(backtest_page),
        ),
        Route::new(
            M::GET,
            "/console/rules/backtests/{id}/progress",
            View,
            get(backtest_progress),
        ),
        Route::new(M::GET, "/console/rules/{id}", View, get(rule_page)),
        Route::new(M::POST, "/console/rules/{id}", Configure, post(save)),
        Route::new(
            M::GET,
            "/console/rules/{id}/versions",
            View,
            get(versions_page),
        ),
        Route::new(M::POST, "/console/rules/{id}/pause", Configure, post(pause)),
        Route::new(
            M::POST,
            "/console/rules/{id}/resume",
            Configure,
            post(resume),
        ),
        Route::new(
            M::POST,
            "/console/rules/{id}/archive",
            Configure,
            post(archive),
        ),
        Route::new(M::GET, "/console/campaigns/new", View, get(campaign_new)),
        Route::new(
            M::POST,
            "/console/campaigns",
            Configure,
            post(campaign_create),
        ),
        Route::new(M::GET, "/console/campaigns/{id}", View, get(campaign_page)),
        Route::new(
            M::POST,
            "/console/campaigns/{id}",
            Configure,
            post(campaign_save),
        ),
    ]
}

/// Posted form fields, in order (check boxes repeat a name).
type Pairs = Vec<(String, String)>;

fn field<'a>(pairs: &'a Pairs, name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

fn fields<'a>(pairs: &'a Pairs, name: &str) -> Vec<&'a str> {
    pairs
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

fn is_htmx(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request")
}

fn str_of(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// An instant as `datetime-local` shows it, in the program's zone.
fn local_input(session: &Session, at: &Value) -> String {
    let Some(t) = at.as_str().and_then(|s| s.parse::<DateTime<Utc>>().ok()) else {
        return String::new();
    };
    let tz = crate::service::program_tz(&session.program);
    t.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string()
}

/// A `datetime-local` value read in the program's zone, as RFC 3339 (empty: none).
fn instant_of(session: &Session, text: &str) -> Result<Option<String>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| {
            chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default())
        })
        .map_err(|_| format!("{text}: not a date and time (YYYY-MM-DDTHH:MM)"))?;
    let tz = crate::service::program_tz(&session.program);
    let local = tz
        .from_local_datetime(&naive)
        .earliest()
        .ok_or_else(|| format!("{text}: no such time in {}", session.program.timezone))?;
    Ok(Some(local.with_timezone(&Utc).to_rfc3339()))
}

fn display_time(session: &Session, at: &Value) -> String {
    at.as_str()
        .and_then(|s| s.parse::<DateTime<Utc>>().ok())
        .map(|t| super::account::local_time(session, t))
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// The condition check

/// Why a condition does not compile, where, and the line it points into.
pub struct ConditionCheck {
    pub ok: bool,
    pub empty: bool,
    pub message: String,
    pub line: i64,
    pub column: i64,
    /// The text of the line at fault.
    pub text: String,
    /// Spaces up to the column, then `^`.
    pub caret: String,
}

/// Checks a condition as a save does: the rule compiler trims it and compiles it with
/// [`jifen_core::rules::Condition::compile`]; the place is given in the text as typed.
pub fn check_condition(source: &str) -> ConditionCheck {
    let trimmed = source.trim();
    let mut check = ConditionCheck {
        ok: true,
        empty: trimmed.is_empty(),
        message: String::new(),
        line: 0,
        column: 0,
        text: String::new(),
        caret: String::new(),
    };
    if trimmed.is_empty() {
        return check;
    }
    let Err(e) = jifen_core::rules::Condition::compile(trimmed) else {
        return check;
    };
    // The place in the typed text: the trimmed prefix adds its lines, and on the first line its
    // columns.
    let lead = &source[..source.len() - source.trim_start().len()];
    let lead_lines = lead.matches('\n').count() as i64;
    let lead_cols = lead.rsplit('\n').next().map_or(0, |l| l.chars().count()) as i64;
    let line = e.line + lead_lines;
    let column = if e.line == 1 {
        e.column + lead_cols
    } else {
        e.column
    };
    let text = source
        .split('\n')
        .nth(usize::try_from(line - 1).unwrap_or(0))
        .unwrap_or("")
        .trim_end_matches('\r')
        .to_owned();
    check.ok = false;
    // The place is shown apart: the message alone, with the limit it exceeds if that is why.
    check.message = match e.limit {
        Some(limit) => format!("{} (limit `{limit}`)", e.message),
        None => e.message,
    };
    check.line = line;
    check.column = column;
    check.caret = format!("{}^", " ".repeat(usize::try_from(column - 1).unwrap_or(0)));
    check.text = text;
    check
}

#[derive(Template)]
#[template(path = "console/_rules_condition.html")]
struct ConditionFragment {
    chrome: Chrome,
    check: ConditionCheck,
}

async fn validate(session: Session, Form(pairs): Form<Pairs>) -> Result<Response, Failure> {
    let check = check_condition(field(&pairs, "condition"));
    Ok(html(&ConditionFragment {
        chrome: Chrome::new(&session, "rules", "/console/rules"),
        check,
    }))
}

// ---------------------------------------------------------------------------------------------
// The list

pub struct RuleRow {
    pub id: String,
    pub name: String,
    pub status: String,
    pub version: i64,
    pub trigger: String,
    pub campaign: String,
    pub priority: i64,
    pub times_fired: i64,
    pub points_awarded: i64,
    pub members_reached: i64,
    pub budget_left: String,
    pub builtin: bool,
}

pub struct CampaignRow {
    pub id: String,
    pub name: String,
    pub starts: String,
    pub ends: String,
    pub budget: String,
    pub used: i64,
    /// Percent of the budget used, 0–100 (0 without a budget).
    pub percent: i64,
    pub rules: usize,
    pub live: bool,
}

#[derive(Template)]
#[template(path = "console/rules_list.html")]
struct ListPage {
    chrome: Chrome,
    rules: Vec<RuleRow>,
    campaigns: Vec<CampaignRow>,
    status: String,
    campaign: String,
    sim: SimForm,
    event_types: Vec<String>,
}

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    campaign: String,
}

fn trigger_text(spec: &Value) -> String {
    let t = &spec["trigger"];
    match t["kind"].as_str() {
        Some("birthday") => format!("birthday / {}", str_of(&t["per"])),
        _ => t["types"]
            .as_array()
            .map(|a| a.iter().map(str_of).collect::<Vec<_>>().join(", "))
            .unwrap_or_default(),
    }
}

fn rule_row(r: &Value) -> RuleRow {
    let spec = &r["spec"];
    RuleRow {
        id: str_of(&r["id"]),
        name: str_of(&spec["name"]),
        status: str_of(&r["status"]),
        version: r["version"].as_i64().unwrap_or(0),
        trigger: trigger_text(spec),
        campaign: str_of(&spec["campaign"]),
        priority: spec["priority"].as_i64().unwrap_or(0),
        times_fired: r["stats"]["times_fired"].as_i64().unwrap_or(0),
        points_awarded: r["stats"]["points_awarded"].as_i64().unwrap_or(0),
        members_reached: r["stats"]["members_reached"].as_i64().unwrap_or(0),
        budget_left: str_of(&r["stats"]["budget_left"]),
        builtin: r["builtin"].as_bool().unwrap_or(false),
    }
}

fn campaign_row(session: &Session, c: &Value, now: DateTime<Utc>) -> CampaignRow {
    let spec = &c["spec"];
    let used = c["stats"]["points_awarded"].as_i64().unwrap_or(0);
    let budget = spec["budget"].as_i64();
    let percent = budget
        .filter(|b| *b > 0)
        .map_or(0, |b| (used.saturating_mul(100) / b).clamp(0, 100));
    let at = |k: &str| {
        spec[k]
            .as_str()
            .and_then(|s| s.parse::<DateTime<Utc>>().ok())
    };
    CampaignRow {
        id: str_of(&c["id"]),
        name: str_of(&spec["name"]),
        starts: display_time(session, &spec["starts_at"]),
        ends: display_time(session, &spec["ends_at"]),
        budget: budget.map(|b| b.to_string()).unwrap_or_default(),
        used,
        percent,
        rules: c["rules"].as_array().map_or(0, Vec::len),
        live: at("starts_at").is_some_and(|s| s <= now) && at("ends_at").is_some_and(|e| now < e),
    }
}

async fn event_types(state: &AppState, session: &Session) -> Vec<String> {
    api::get(state, session, "/v1/event-types")
        .await
        .ok()
        .and_then(|v| {
            v["data"]
                .as_array()
                .map(|a| a.iter().map(|t| str_of(&t["name"])).collect())
        })
        .unwrap_or_default()
}

async fn list(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<ListQuery>,
) -> Result<Response, Failure> {
    let rules = api::get(&state, &session, "/v1/rules").await?;
    let campaigns = api::get(&state, &session, "/v1/campaigns").await?;
    let now = state.clock.now();
    let rows = rules["data"]
        .as_array()
        .into_iter()
        .flatten()
        .map(rule_row)
        .filter(|r| q.status.is_empty() || r.status == q.status)
        .filter(|r| q.campaign.is_empty() || r.campaign == q.campaign)
        .collect();
    let campaigns = campaigns["data"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| campaign_row(&session, c, now))
        .collect();
    let mut here = String::from("/console/rules");
    if !q.status.is_empty() || !q.campaign.is_empty() {
        here.push_str(&format!(
            "?status={}&campaign={}",
            seg(&q.status),
            seg(&q.campaign)
        ));
    }
    Ok(html(&ListPage {
        chrome: Chrome::new(&session, "rules", here),
        rules: rows,
        campaigns,
        status: q.status,
        campaign: q.campaign,
        sim: SimForm::default(),
        event_types: event_types(&state, &session).await,
    }))
}

// ---------------------------------------------------------------------------------------------
// The editor

/// One limit row of the form.
#[derive(Default, Clone)]
pub struct LimitRow {
    pub per: String,
    pub count: String,
    pub points: String,
    pub event_type: String,
}

/// The rule as the form shows it: strings as typed.
#[derive(Default, Clone)]
pub struct RuleForm {
    pub id: String,
    pub name: String,
    pub description: String,
    pub trigger_kind: String,
    pub event_types: String,
    pub birthday_per: String,
    pub birthday_at: String,
    pub condition: String,
    /// `per_yuan`, `points`, `multiplier` or `none` (the effects are all in `other_effects`).
    pub effect_kind: String,
    pub per_yuan: String,
    pub points: String,
    pub rounding: String,
    pub factor: String,
    pub multiplier_rules: String,
    /// The first effect's settings the form has no field for (pending days, expiry), as JSON.
    pub effect_extra: String,
    /// Effects after the first, as a JSON array.
    pub other_effects: String,
    pub limits: Vec<LimitRow>,
    pub budget: String,
    pub starts_at: String,
    pub ends_at: String,
    pub weekdays: Vec<String>,
    pub hours_from: String,
    pub hours_to: String,
    pub priority: String,
    pub group: String,
    pub exclusive: bool,
    pub campaign: String,
    /// The whole rule as JSON, for the JSON view.
    pub json: String,
}

pub const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
pub const PERIODS: [&str; 6] = ["day", "week", "month", "year", "campaign", "lifetime"];
const LIMIT_ROWS: usize = 3;

impl RuleForm {
    fn blank() -> RuleForm {
        let mut f = RuleForm {
            trigger_kind: "event".into(),
            event_types: "purchase".into(),
            birthday_per: "day".into(),
            birthday_at: "09:00".into(),
            effect_kind: "per_yuan".into(),
            per_yuan: "1".into(),
            rounding: "floor".into(),
            other_effects: "[]".into(),
            priority: "0".into(),
            ..RuleForm::default()
        };
        f.pad_limits();
        f.json = pretty(&f.spec_lenient());
        f
    }

    fn pad_limits(&mut self) {
        while self.limits.len() < LIMIT_ROWS {
            self.limits.push(LimitRow::default());
        }
    }

    pub fn has_weekday(&self, d: &&str) -> bool {
        self.weekdays.iter().any(|w| w == d)
    }

    /// The form of a saved rule's spec.
    fn from_spec(session: &Session, id: &str, spec: &Value) -> RuleForm {
        let t = &spec["trigger"];
        let effects = spec["effects"].as_array().cloned().unwrap_or_default();
        let first = effects.first().cloned().unwrap_or(Value::Null);
        let (effect_kind, rest) = match first["kind"].as_str() {
            Some("award_points") if first.get("per_yuan").is_some() => ("per_yuan", &effects[1..]),
            Some("award_points") => ("points", &effects[1..]),
            Some("multiplier") => ("multiplier", &effects[1..]),
            _ => ("none", &effects[..]),
        };
        let mut extra = Map::new();
        if effect_kind == "per_yuan" || effect_kind == "points" {
            for k in ["pending_days", "expiry"] {
                if let Some(v) = first.get(k) {
                    extra.insert(k.into(), v.clone());
                }
            }
        }
        let mut f = RuleForm {
            id: id.to_owned(),
            name: str_of(&spec["name"]),
            description: str_of(&spec["description"]),
            trigger_kind: t["kind"].as_str().unwrap_or("event").to_owned(),
            event_types: t["types"]
                .as_array()
                .map(|a| a.iter().map(str_of).collect::<Vec<_>>().join(", "))
                .unwrap_or_default(),
            birthday_per: t["per"].as_str().unwrap_or("day").to_owned(),
            birthday_at: t["at"].as_str().unwrap_or("09:00").to_owned(),
            condition: str_of(&spec["condition"]),
            effect_kind: effect_kind.into(),
            per_yuan: str_of(&first["per_yuan"]),
            points: str_of(&first["points"]),
            rounding: first["rounding"].as_str().unwrap_or("floor").to_owned(),
            factor: str_of(&first["factor"]),
            multiplier_rules: first["rules"]
                .as_array()
                .map(|a| a.iter().map(str_of).collect::<Vec<_>>().join(", "))
                .unwrap_or_default(),
            effect_extra: if extra.is_empty() {
                String::new()
            } else {
                Value::Object(extra).to_string()
            },
            other_effects: serde_json::to_string(rest).unwrap_or_else(|_| "[]".into()),
            limits: spec["limits"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|l| LimitRow {
                    per: str_of(&l["per"]),
                    count: str_of(&l["count"]),
                    points: str_of(&l["points"]),
                    event_type: str_of(&l["event_type"]),
                })
                .collect(),
            budget: str_of(&spec["budget"]),
            starts_at: local_input(session, &spec["schedule"]["starts_at"]),
            ends_at: local_input(session, &spec["schedule"]["ends_at"]),
            weekdays: spec["schedule"]["weekdays"]
                .as_array()
                .into_iter()
                .flatten()
                .map(str_of)
                .collect(),
            hours_from: str_of(&spec["schedule"]["hours"][0]),
            hours_to: str_of(&spec["schedule"]["hours"][1]),
            priority: spec["priority"].as_i64().unwrap_or(0).to_string(),
            group: str_of(&spec["group"]),
            exclusive: spec["exclusive"].as_bool().unwrap_or(false),
            campaign: str_of(&spec["campaign"]),
            json: pretty(spec),
        };
        f.pad_limits();
        f
    }

    /// The form as posted.
    fn from_pairs(pairs: &Pairs) -> RuleForm {
        let get = |k: &str| field(pairs, k).to_owned();
        let mut f = RuleForm {
            id: get("rule_id").trim().to_owned(),
            name: get("name"),
            description: get("description"),
            trigger_kind: get("trigger_kind"),
            event_types: get("event_types"),
            birthday_per: get("birthday_per"),
            birthday_at: get("birthday_at"),
            condition: get("condition"),
            effect_kind: get("effect_kind"),
            per_yuan: get("per_yuan"),
            points: get("points"),
            rounding: get("rounding"),
            factor: get("factor"),
            multiplier_rules: get("multiplier_rules"),
            effect_extra: get("effect_extra"),
            other_effects: get("other_effects"),
            limits: (0..LIMIT_ROWS)
                .map(|i| LimitRow {
                    per: get(&format!("limit_per_{i}")),
                    count: get(&format!("limit_count_{i}")),
                    points: get(&format!("limit_points_{i}")),
                    event_type: get(&format!("limit_event_type_{i}")),
                })
                .collect(),
            budget: get("budget"),
            starts_at: get("starts_at"),
            ends_at: get("ends_at"),
            weekdays: fields(pairs, "weekdays")
                .into_iter()
                .map(str::to_owned)
                .collect(),
            hours_from: get("hours_from"),
            hours_to: get("hours_to"),
            priority: get("priority"),
            group: get("group"),
            exclusive: !field(pairs, "exclusive").is_empty(),
            campaign: get("campaign"),
            json: get("json"),
        };
        f.pad_limits();
        f
    }

    /// The spec with what does not parse left out (for the JSON view of a fresh form).
    fn spec_lenient(&self) -> Value {
        let mut v = json!({"name": self.name, "trigger": {"kind": "event", "types": ["purchase"]},
            "effects": [{"kind": "award_points", "per_yuan": 1}]});
        if let Ok(s) = self.spec(None) {
            v = s;
        }
        v
    }

    /// The rule's JSON from the fields, naming the field that does not parse. Instants are read
    /// in the program's zone (no session: in UTC).
    fn spec(&self, session: Option<&Session>) -> Result<Value, (String, String)> {
        let bad = |f: &str, m: String| (f.to_owned(), m);
        let int = |f: &str, text: &str| -> Result<Option<i64>, (String, String)> {
            let t = text.trim();
            if t.is_empty() {
                return Ok(None);
            }
            t.parse::<i64>()
                .map(Some)
                .map_err(|_| bad(f, format!("{t}: not a whole number")))
        };
        let list = |text: &str| -> Vec<Value> {
            text.split([',', '，', ' ', '\n'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| json!(s))
                .collect()
        };
        let mut spec = Map::new();
        spec.insert("name".into(), json!(self.name.trim()));
        if !self.description.trim().is_empty() {
            spec.insert("description".into(), json!(self.description.trim()));
        }
        let trigger = if self.trigger_kind == "birthday" {
            json!({"kind": "birthday", "per": self.birthday_per,
                "at": if self.birthday_at.is_empty() { "09:00" } else { self.birthday_at.as_str() }})
        } else {
            json!({"kind": "event", "types": list(&self.event_types)})
        };
        spec.insert("trigger".into(), trigger);
        if !self.condition.trim().is_empty() {
            spec.insert("condition".into(), json!(self.condition));
        }
        let mut effects = Vec::new();
        let extra: Map<String, Value> = if self.effect_extra.trim().is_empty() {
            Map::new()
        } else {
            serde_json::from_str(&self.effect_extra)
                .map_err(|e| bad("effect_extra", e.to_string()))?
        };
        match self.effect_kind.as_str() {
            "per_yuan" => {
                let mut e = json!({"kind": "award_points",
                    "per_yuan": int("per_yuan", &self.per_yuan)?,
                    "rounding": if self.rounding.is_empty() { "floor" } else { self.rounding.as_str() }});
                if let Some(o) = e.as_object_mut() {
                    o.extend(extra.clone());
                }
                effects.push(e);
            }
            "points" => {
                let mut e = json!({"kind": "award_points", "points": int("points", &self.points)?});
                if let Some(o) = e.as_object_mut() {
                    o.extend(extra.clone());
                }
                effects.push(e);
            }
            "multiplier" => {
                let t = self.factor.trim();
                let factor: f64 = t
                    .parse()
                    .map_err(|_| bad("factor", format!("{t}: not a number")))?;
                let mut e = json!({"kind": "multiplier", "factor": factor});
                let rules = list(&self.multiplier_rules);
                if !rules.is_empty() {
                    e["rules"] = json!(rules);
                }
                effects.push(e);
            }
            _ => {}
        }
        if !self.other_effects.trim().is_empty() {
            let more: Vec<Value> = serde_json::from_str(&self.other_effects)
                .map_err(|e| bad("other_effects", e.to_string()))?;
            effects.extend(more);
        }
        spec.insert("effects".into(), json!(effects));
        let mut limits = Vec::new();
        for (i, l) in self.limits.iter().enumerate() {
            if l.per.is_empty() {
                continue;
            }
            let mut lim = json!({"per": l.per});
            if let Some(c) = int(&format!("limit_count_{i}"), &l.count)? {
                lim["count"] = json!(c);
            }
            if let Some(p) = int(&format!("limit_points_{i}"), &l.points)? {
                lim["points"] = json!(p);
            }
            if !l.event_type.trim().is_empty() {
                lim["event_type"] = json!(l.event_type.trim());
            }
            limits.push(lim);
        }
        if !limits.is_empty() {
            spec.insert("limits".into(), json!(limits));
        }
        if let Some(b) = int("budget", &self.budget)? {
            spec.insert("budget".into(), json!(b));
        }
        let mut schedule = Map::new();
        let instant = |f: &str, text: &str| -> Result<Option<String>, (String, String)> {
            match session {
                Some(s) => instant_of(s, text).map_err(|m| bad(f, m)),
                None => Ok(None),
            }
        };
        if let Some(t) = instant("starts_at", &self.starts_at)? {
            schedule.insert("starts_at".into(), json!(t));
        }
        if let Some(t) = instant("ends_at", &self.ends_at)? {
            schedule.insert("ends_at".into(), json!(t));
        }
        if !self.weekdays.is_empty() {
            schedule.insert("weekdays".into(), json!(self.weekdays));
        }
        match (
            int("hours_from", &self.hours_from)?,
            int("hours_to", &self.hours_to)?,
        ) {
            (None, None) => {}
            (from, to) => {
                schedule.insert("hours".into(), json!([from.unwrap_or(0), to.unwrap_or(24)]));
            }
        }
        if !schedule.is_empty() {
            spec.insert("schedule".into(), Value::Object(schedule));
        }
        spec.insert(
            "priority".into(),
            json!(int("priority", &self.priority)?.unwrap_or(0)),
        );
        if !self.group.trim().is_empty() {
            spec.insert("group".into(), json!(self.group.trim()));
        }
        if self.exclusive {
            spec.insert("exclusive".into(), json!(true));
        }
        if !self.campaign.trim().is_empty() {
            spec.insert("campaign".into(), json!(self.campaign.trim()));
        }
        Ok(Value::Object(spec))
    }

    /// The rule as posted: from the JSON view when that is what was sent, else from the fields.
    fn posted_spec(&self, session: &Session, mode: &str) -> Result<Value, (String, String)> {
        if mode == "json" {
            let v: Value =
                serde_json::from_str(&self.json).map_err(|e| ("json".to_owned(), e.to_string()))?;
            if !v.is_object() {
                return Err(("json".into(), "a rule is a JSON object".into()));
            }
            return Ok(v);
        }
        self.spec(Some(session))
    }
}

/// The rule page's header: what the rule is now.
pub struct RuleHead {
    pub status: String,
    pub version: i64,
    pub live_from: String,
    pub times_fired: i64,
    pub points_awarded: i64,
    pub members_reached: i64,
    pub budget_left: String,
}

#[derive(Template)]
#[template(path = "console/rules_edit.html")]
struct EditPage {
    chrome: Chrome,
    /// None for a new rule.
    head: Option<RuleHead>,
    form: RuleForm,
    /// The field at fault and why, after a refused save.
    error: Option<(String, String)>,
    check: ConditionCheck,
    campaigns: Vec<(String, String)>,
    event_types: Vec<String>,
    sim: SimForm,
    sim_result: Option<SimResult>,
    form_id: String,
    bt_from: String,
    bt_to: String,
    periods: Vec<&'static str>,
    weekdays: Vec<&'static str>,
}

impl EditPage {
    pub fn error_for(&self, name: &str) -> String {
        match &self.error {
            Some((f, m)) if f == name || (name == "json" && !FORM_FIELDS.contains(&f.as_str())) => {
                m.clone()
            }
            _ => String::new(),
        }
    }

    /// An error the fields cannot show next to themselves.
    pub fn general_error(&self) -> String {
        match &self.error {
            Some((f, m)) if !FORM_FIELDS.contains(&f.as_str()) => format!("{f}: {m}"),
            _ => String::new(),
        }
    }

    pub fn action(&self) -> String {
        if self.head.is_some() {
            format!("/console/rules/{}", seg(&self.form.id))
        } else {
            "/console/rules".into()
        }
    }
}

/// Fields of the form an API error may name directly.
const FORM_FIELDS: &[&str] = &[
    "id",
    "name",
    "description",
    "condition",
    "budget",
    "priority",
    "group",
    "campaign",
    "per_yuan",
    "points",
    "factor",
    "other_effects",
    "effect_extra",
    "starts_at",
    "ends_at",
    "hours_from",
    "hours_to",
    "json",
];

/// Maps a field the API names (`effects[0].per_yuan`, `schedule.ends_at`) to the form's.
fn form_field(api_field: &str) -> String {
    let f = api_field.trim_start_matches("rules[0].");
    let mapped = match f {
        "effects[0].per_yuan" => "per_yuan",
        "effects[0].points" => "points",
        "effects[0].factor" => "factor",
        "schedule.starts_at" | "schedule" => "starts_at",
        "schedule.ends_at" => "ends_at",
        "schedule.hours" => "hours_from",
        other if other.starts_with("effects") => "other_effects",
        other if other.starts_with("trigger") => "event_types",
        other => other,
    };
    mapped.to_owned()
}

async fn campaign_options(state: &AppState, session: &Session) -> Vec<(String, String)> {
    api::get(state, session, "/v1/campaigns")
        .await
        .ok()
        .and_then(|v| {
            v["data"].as_array().map(|a| {
                a.iter()
                    .map(|c| (str_of(&c["id"]), str_of(&c["spec"]["name"])))
                    .collect()
            })
        })
        .unwrap_or_default()
}

fn head_of(session: &Session, r: &Value) -> RuleHead {
    RuleHead {
        status: str_of(&r["status"]),
        version: r["version"].as_i64().unwrap_or(0),
        live_from: display_time(session, &r["live_from"]),
        times_fired: r["stats"]["times_fired"].as_i64().unwrap_or(0),
        points_awarded: r["stats"]["points_awarded"].as_i64().unwrap_or(0),
        members_reached: r["stats"]["members_reached"].as_i64().unwrap_or(0),
        budget_left: str_of(&r["stats"]["budget_left"]),
    }
}

#[allow(clippy::too_many_arguments)]
async fn edit_page(
    state: &AppState,
    session: &Session,
    head: Option<RuleHead>,
    form: RuleForm,
    error: Option<(String, String)>,
    sim: SimForm,
    sim_result: Option<SimResult>,
    toast: Option<Toast>,
) -> EditPage {
    let here = if head.is_some() {
        format!("/console/rules/{}", seg(&form.id))
    } else {
        "/console/rules/new".into()
    };
    let tz = crate::service::program_tz(&session.program);
    let now = state.clock.now().with_timezone(&tz);
    EditPage {
        chrome: Chrome::new(session, "rules", here).with_toast(toast),
        head,
        check: check_condition(&form.condition),
        form,
        error,
        campaigns: campaign_options(state, session).await,
        event_types: event_types(state, session).await,
        sim,
        sim_result,
        form_id: uuid::Uuid::now_v7().to_string(),
        bt_from: (now - chrono::Duration::days(30))
            .format("%Y-%m-%dT%H:%M")
            .to_string(),
        bt_to: now.format("%Y-%m-%dT%H:%M").to_string(),
        periods: PERIODS.to_vec(),
        weekdays: WEEKDAYS.to_vec(),
    }
}

async fn new_rule(State(state): State<AppState>, session: Session) -> Result<Response, Failure> {
    let page = edit_page(
        &state,
        &session,
        None,
        RuleForm::blank(),
        None,
        SimForm::default(),
        None,
        None,
    )
    .await;
    Ok(html(&page))
}

async fn load_rule(state: &AppState, session: &Session, id: &str) -> Result<Value, Failure> {
    Ok(api::get(state, session, &format!("/v1/rules/{}", seg(id))).await?)
}

#[derive(Deserialize, Default)]
struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

fn saved_toast(session: &Session, q: &SavedQuery) -> Option<Toast> {
    q.saved.as_ref().map(|_| Toast::saved(session.lang))
}

async fn rule_page(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, Failure> {
    let r = load_rule(&state, &session, &id).await?;
    let form = RuleForm::from_spec(&session, &id, &r["spec"]);
    let sim = SimForm {
        rule: id.clone(),
        event_type: form
            .event_types
            .split(',')
            .next()
            .unwrap_or("purchase")
            .trim()
            .to_owned(),
        ..SimForm::default()
    };
    let page = edit_page(
        &state,
        &session,
        Some(head_of(&session, &r)),
        form,
        None,
        sim,
        None,
        saved_toast(&session, &q),
    )
    .await;
    Ok(html(&page))
}

async fn create(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Form(pairs): Form<Pairs>,
) -> Result<Response, Failure> {
    let form = RuleForm::from_pairs(&pairs);
    let id = form.id.clone();
    if id.is_empty() {
        let message = session.lang.t("rules.id_required").to_owned();
        return refused(&state, &session, None, form, ("id".into(), message)).await;
    }
    // A new rule must not silently replace a saved one of the same id.
    if api::get(&state, &session, &format!("/v1/rules/{}", seg(&id)))
        .await
        .is_ok()
    {
        let message = session.lang.t("rules.id_taken").to_owned();
        return refused(&state, &session, None, form, ("id".into(), message)).await;
    }
    put_rule(
        &state,
        &session,
        &headers,
        None,
        &id,
        form,
        field(&pairs, "mode"),
    )
    .await
}

async fn save(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> Result<Response, Failure> {
    let r = load_rule(&state, &session, &id).await?;
    let mut form = RuleForm::from_pairs(&pairs);
    form.id = id.clone();
    let head = Some(head_of(&session, &r));
    put_rule(
        &state,
        &session,
        &headers,
        head,
        &id,
        form,
        field(&pairs, "mode"),
    )
    .await
}

async fn refused(
    state: &AppState,
    session: &Session,
    head: Option<RuleHead>,
    mut form: RuleForm,
    error: (String, String),
) -> Result<Response, Failure> {
    if error.0 != "json" {
        form.json = pretty(&form.spec_lenient());
    }
    let toast = Toast::error(format!("{}{}", session.lang.t("toast.failed"), error.1));
    let page = edit_page(
        state,
        session,
        head,
        form,
        Some(error),
        SimForm::default(),
        None,
        Some(toast),
    )
    .await;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, html(&page)).into_response())
}

async fn put_rule(
    state: &AppState,
    session: &Session,
    headers: &HeaderMap,
    head: Option<RuleHead>,
    id: &str,
    form: RuleForm,
    mode: &str,
) -> Result<Response, Failure> {
    let spec = match form.posted_spec(session, mode) {
        Ok(s) => s,
        Err(e) => return refused(state, session, head, form, e).await,
    };
    match api::call(
        state,
        session,
        Method::PUT,
        &format!("/v1/rules/{}", seg(id)),
        Some(spec),
    )
    .await
    {
        Ok(_) => Ok(auth::redirect(
            headers,
            &format!("/console/rules/{}?saved=1", seg(id)),
        )),
        Err(f) if f.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let target = if mode == "json" {
                "json".to_owned()
            } else {
                form_field(f.field.as_deref().unwrap_or(""))
            };
            refused(state, session, head, form, (target, f.message)).await
        }
        Err(f) => Err(f.into()),
    }
}

async fn set_status(
    state: AppState,
    session: Session,
    headers: HeaderMap,
    id: String,
    action: &str,
) -> Result<Response, Failure> {
    api::call(
        &state,
        &session,
        Method::POST,
        &format!("/v1/rules/{}/{action}", seg(&id)),
        None,
    )
    .await?;
    Ok(auth::redirect(
        &headers,
        &format!("/console/rules/{}?saved=1", seg(&id)),
    ))
}

async fn pause(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    set_status(state, session, headers, id, "pause").await
}

async fn resume(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    set_status(state, session, headers, id, "resume").await
}

async fn archive(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    set_status(state, session, headers, id, "archive").await
}

// ---------------------------------------------------------------------------------------------
// Simulation

/// The simulate panel's fields.
#[derive(Default, Clone)]
pub struct SimForm {
    /// The rule whose page the panel is on (its row is marked), if any.
    pub rule: String,
    pub event_type: String,
    pub member: String,
    /// Yuan, as typed.
    pub amount: String,
    pub order_id: String,
    pub attributes: String,
    pub raw: String,
}

pub struct SimRow {
    pub rule: String,
    pub version: i64,
    pub outcome: String,
    pub fired: bool,
    pub detail: String,
    pub limits: String,
    pub mine: bool,
}

pub struct SimResult {
    pub error: String,
    pub points: i64,
    pub rows: Vec<SimRow>,
    pub actions: Vec<String>,
    pub note: String,
}

#[derive(Template)]
#[template(path = "console/_rules_simulate.html")]
struct SimFragment {
    chrome: Chrome,
    result: SimResult,
}

#[derive(Template)]
#[template(path = "console/rules_simulate.html")]
struct SimPage {
    chrome: Chrome,
    sim: SimForm,
    result: SimResult,
    event_types: Vec<String>,
}

impl SimForm {
    fn from_pairs(pairs: &Pairs) -> SimForm {
        let get = |k: &str| field(pairs, k).to_owned();
        SimForm {
            rule: get("sim_rule"),
            event_type: get("sim_type"),
            member: get("sim_member"),
            amount: get("sim_amount"),
            order_id: get("sim_order"),
            attributes: get("sim_attributes"),
            raw: get("sim_raw"),
        }
    }

    /// The event to simulate: the raw JSON when given, else from the fields.
    fn event(&self, now: DateTime<Utc>) -> Result<Value, String> {
        if !self.raw.trim().is_empty() {
            let mut v: Value = serde_json::from_str(&self.raw).map_err(|e| e.to_string())?;
            let Some(o) = v.as_object_mut() else {
                return Err("an event is a JSON object".into());
            };
            o.entry("id")
                .or_insert_with(|| json!(format!("console-sim-{}", uuid::Uuid::now_v7())));
            o.entry("occurred_at")
                .or_insert_with(|| json!(now.to_rfc3339()));
            return Ok(v);
        }
        let mut attributes: Map<String, Value> = if self.attributes.trim().is_empty() {
            Map::new()
        } else {
            serde_json::from_str(&self.attributes).map_err(|e| format!("attributes: {e}"))?
        };
        if !self.amount.trim().is_empty() {
            let fen = yuan_to_fen(self.amount.trim())
                .ok_or_else(|| format!("{}: not an amount in yuan", self.amount.trim()))?;
            attributes.insert("amount".into(), json!(fen));
        }
        let order = self.order_id.trim();
        if !order.is_empty() {
            attributes.insert("order_id".into(), json!(order));
        } else if self.event_type == "purchase" && !attributes.contains_key("order_id") {
            attributes.insert(
                "order_id".into(),
                json!(format!("console-sim-{}", uuid::Uuid::now_v7())),
            );
        }
        Ok(json!({
            "id": format!("console-sim-{}", uuid::Uuid::now_v7()),
            "type": self.event_type.trim(),
            "member": self.member.trim(),
            "occurred_at": now.to_rfc3339(),
            "attributes": attributes,
        }))
    }
}

/// `199`, `199.5`, `199.50` yuan in fen.
fn yuan_to_fen(text: &str) -> Option<i64> {
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if frac.len() > 2 || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let yuan: i64 = whole.parse().ok()?;
    let frac: i64 = format!("{frac:0<2}").parse().ok()?;
    yuan.checked_mul(100)?.checked_add(frac)
}

/// What a simulation says is left under a rule's caps after the event ("2/3 times left ·
/// rule:r times, per member, day 2026-06-18"); `None` for a rule without caps.
fn limits_left_text(lang: crate::console::i18n::Lang, limits: &Value) -> Option<String> {
    let limits = limits.as_array().filter(|l| !l.is_empty())?;
    Some(
        limits
            .iter()
            .map(|l| {
                let key = if l["unit"] == "points" {
                    "rules.sim_left_points"
                } else {
                    "rules.sim_left_times"
                };
                format!(
                    "{} · {}",
                    lang.t(key)
                        .replace("{left}", &l["left"].as_i64().unwrap_or(0).to_string())
                        .replace("{max}", &l["max"].as_i64().unwrap_or(0).to_string()),
                    str_of(&l["limit"])
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
    )
}

fn limits_text(spec: &Value) -> String {
    spec["limits"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| {
            let mut parts = Vec::new();
            if let Some(c) = l["count"].as_i64() {
                parts.push(format!("{c}×"));
            }
            if let Some(p) = l["points"].as_i64() {
                parts.push(format!("{p} pts"));
            }
            format!("{} / {}", parts.join(", "), str_of(&l["per"]))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn sim_result(session: &Session, answer: &Value, rules: &Value, mine: &str) -> SimResult {
    let lang = session.lang;
    let r = &answer["results"][0];
    if r["status"] == "failed" {
        return SimResult {
            error: format!(
                "{} ({})",
                str_of(&r["error"]["message"]),
                str_of(&r["error"]["code"])
            ),
            points: 0,
            rows: Vec::new(),
            actions: Vec::new(),
            note: String::new(),
        };
    }
    let spec_of = |id: &str| {
        rules["data"]
            .as_array()
            .and_then(|a| a.iter().find(|x| x["id"] == id))
            .map(|x| x["spec"].clone())
            .unwrap_or(Value::Null)
    };
    let rows = r["rules"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            let outcome = str_of(&t["outcome"]);
            let detail = match outcome.as_str() {
                "fired" => {
                    let mut d = format!("+{}", t["points"].as_i64().unwrap_or(0));
                    if let Some(c) = t["capped_by"].as_array().filter(|c| !c.is_empty()) {
                        d.push_str(&format!(
                            " ({} {})",
                            lang.t("rules.sim_capped"),
                            c.iter().map(str_of).collect::<Vec<_>>().join(", ")
                        ));
                    }
                    d
                }
                "limit_reached" => str_of(&t["limit"]),
                "budget_spent" => str_of(&t["scope"]),
                "out_of_schedule" => str_of(&t["reason"]),
                "excluded" => str_of(&t["by"]),
                "condition_error" => str_of(&t["message"]),
                _ => String::new(),
            };
            let rule = str_of(&t["rule"]);
            SimRow {
                limits: limits_left_text(lang, &t["limits"])
                    .unwrap_or_else(|| limits_text(&spec_of(&rule))),
                mine: rule == mine,
                version: t["version"].as_i64().unwrap_or(0),
                fired: outcome == "fired",
                outcome: lang.t(&format!("rules.outcome_{outcome}")).to_owned(),
                detail,
                rule,
            }
        })
        .collect();
    SimResult {
        error: String::new(),
        points: r["points"].as_i64().unwrap_or(0),
        rows,
        actions: r["actions"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|a| {
                format!(
                    "{} · {} {}",
                    str_of(&a["rule"]),
                    str_of(&a["kind"]),
                    str_of(
                        a.get("template")
                            .or(a.get("tag"))
                            .or(a.get("meter"))
                            .unwrap_or(&Value::Null)
                    )
                )
            })
            .collect(),
        note: str_of(&r["note"]),
    }
}

async fn run_simulation(
    state: &AppState,
    session: &Session,
    sim: &SimForm,
    draft: Option<Value>,
) -> SimResult {
    let failed = |error: String| SimResult {
        error,
        points: 0,
        rows: Vec::new(),
        actions: Vec::new(),
        note: String::new(),
    };
    let event = match sim.event(state.clock.now()) {
        Ok(e) => e,
        Err(e) => return failed(e),
    };
    let mut body = json!({"events": [event]});
    if let Some(d) = draft {
        body["rules"] = json!([d]);
    }
    let answer = match api::call(
        state,
        session,
        Method::POST,
        "/v1/rules/simulate",
        Some(body),
    )
    .await
    {
        Ok(a) => a.body,
        Err(f) => return failed(f.message),
    };
    let rules = api::get(state, session, "/v1/rules")
        .await
        .unwrap_or(Value::Null);
    sim_result(session, &answer, &rules, &sim.rule)
}

async fn simulate(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Form(pairs): Form<Pairs>,
) -> Result<Response, Failure> {
    let sim = SimForm::from_pairs(&pairs);
    // With the editor's fields included (and the role to edit), the draft in place of the
    // saved rule.
    let draft = if !field(&pairs, "sim_draft").is_empty() && session.can(Perm::Configure) {
        let form = RuleForm::from_pairs(&pairs);
        let id = if form.id.is_empty() {
            sim.rule.clone()
        } else {
            form.id.clone()
        };
        match form.posted_spec(&session, field(&pairs, "mode")) {
            Ok(mut spec) => {
                spec["id"] = json!(id);
                Some(spec)
            }
            Err((f, m)) => {
                let result = SimResult {
                    error: format!("{f}: {m}"),
                    points: 0,
                    rows: Vec::new(),
                    actions: Vec::new(),
                    note: String::new(),
                };
                return Ok(html(&SimFragment {
                    chrome: Chrome::new(&session, "rules", "/console/rules"),
                    result,
                }));
            }
        }
    } else {
        None
    };
    let result = run_simulation(&state, &session, &sim, draft).await;
    if is_htmx(&headers) {
        return Ok(html(&SimFragment {
            chrome: Chrome::new(&session, "rules", "/console/rules"),
            result,
        }));
    }
    Ok(html(&SimPage {
        chrome: Chrome::new(&session, "rules", "/console/rules"),
        sim,
        result,
        event_types: event_types(&state, &session).await,
    }))
}

// ---------------------------------------------------------------------------------------------
// Versions

pub struct VersionRow {
    pub version: i64,
    pub status: String,
    pub live_from: String,
    pub live_until: String,
}

pub struct DiffLine {
    /// `same`, `add` or `del`.
    pub kind: &'static str,
    pub old_no: String,
    pub new_no: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "console/rules_versions.html")]
struct VersionsPage {
    chrome: Chrome,
    id: String,
    name: String,
    versions: Vec<VersionRow>,
    a: i64,
    b: i64,
    diff: Vec<DiffLine>,
    changed: usize,
}

#[derive(Deserialize, Default)]
struct VersionsQuery {
    a: Option<i64>,
    b: Option<i64>,
}

/// The text a version is compared by: its status, then its rule as indented JSON.
fn version_text(v: &Value) -> Vec<String> {
    let mut lines = vec![format!("status: {}", str_of(&v["status"]))];
    lines.extend(pretty(&v["spec"]).lines().map(str::to_owned));
    lines
}

/// A line diff (longest common subsequence; a rule is a few dozen lines).
pub fn diff_lines(old: &[String], new: &[String]) -> Vec<DiffLine> {
    let (n, m) = (old.len(), new.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if old[i] == new[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < n || j < m {
        if i < n && j < m && old[i] == new[j] {
            out.push(DiffLine {
                kind: "same",
                old_no: (i + 1).to_string(),
                new_no: (j + 1).to_string(),
                text: old[i].clone(),
            });
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push(DiffLine {
                kind: "add",
                old_no: String::new(),
                new_no: (j + 1).to_string(),
                text: new[j].clone(),
            });
            j += 1;
        } else {
            out.push(DiffLine {
                kind: "del",
                old_no: (i + 1).to_string(),
                new_no: String::new(),
                text: old[i].clone(),
            });
            i += 1;
        }
    }
    out
}

async fn versions_page(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    Query(q): Query<VersionsQuery>,
) -> Result<Response, Failure> {
    let all = api::get(
        &state,
        &session,
        &format!("/v1/rules/{}/versions", seg(&id)),
    )
    .await?;
    let list: Vec<Value> = all["data"].as_array().cloned().unwrap_or_default();
    let latest = list
        .first()
        .and_then(|v| v["version"].as_i64())
        .unwrap_or(0);
    let b = q.b.unwrap_or(latest);
    let a = q.a.unwrap_or(b - 1).max(0);
    let find = |n: i64| list.iter().find(|v| v["version"].as_i64() == Some(n));
    let old = find(a).map(version_text).unwrap_or_default();
    let new = find(b).map(version_text).unwrap_or_default();
    let diff = diff_lines(&old, &new);
    let changed = diff.iter().filter(|d| d.kind != "same").count();
    let name = list
        .first()
        .map(|v| str_of(&v["spec"]["name"]))
        .unwrap_or_default();
    Ok(html(&VersionsPage {
        chrome: Chrome::new(
            &session,
            "rules",
            format!("/console/rules/{}/versions", seg(&id)),
        ),
        versions: list
            .iter()
            .map(|v| VersionRow {
                version: v["version"].as_i64().unwrap_or(0),
                status: str_of(&v["status"]),
                live_from: display_time(&session, &v["live_from"]),
                live_until: display_time(&session, &v["live_until"]),
            })
            .collect(),
        id,
        name,
        a,
        b,
        diff,
        changed,
    }))
}

// ---------------------------------------------------------------------------------------------
// Backtests

async fn backtest(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Form(pairs): Form<Pairs>,
) -> Result<Response, Failure> {
    let mut form = RuleForm::from_pairs(&pairs);
    let saved_id = field(&pairs, "saved_id").to_owned();
    if form.id.is_empty() {
        form.id = if saved_id.is_empty() {
            "draft".into()
        } else {
            saved_id.clone()
        };
    }
    let head = if saved_id.is_empty() {
        None
    } else {
        load_rule(&state, &session, &saved_id)
            .await
            .ok()
            .map(|r| head_of(&session, &r))
    };
    let mut spec = match form.posted_spec(&session, field(&pairs, "mode")) {
        Ok(s) => s,
        Err(e) => return refused(&state, &session, head, form, e).await,
    };
    spec["id"] = json!(form.id);
    let window = |f: &str| instant_of(&session, field(&pairs, f)).map_err(|m| (f.to_owned(), m));
    let (from, to) = match (window("bt_from"), window("bt_to")) {
        (Ok(Some(f)), Ok(Some(t))) => (f, t),
        (Err(e), _) | (_, Err(e)) => return refused(&state, &session, head, form, e).await,
        _ => {
            let m = session.lang.t("rules.bt_window_required").to_owned();
            return refused(&state, &session, head, form, ("bt_from".into(), m)).await;
        }
    };
    let mut body = json!({"from": from, "to": to, "rules": [spec],
        "drafts_only": !field(&pairs, "bt_drafts_only").is_empty()});
    let value = field(&pairs, "bt_point_value").trim();
    if !value.is_empty() {
        match value.parse::<f64>() {
            Ok(v) => body["point_value_fen"] = json!(v),
            Err(_) => {
                let e = (
                    "bt_point_value".to_owned(),
                    format!("{value}: not a number"),
                );
                return refused(&state, &session, head, form, e).await;
            }
        }
    }
    match api::call(
        &state,
        &session,
        Method::POST,
        "/v1/rules/backtest",
        Some(body),
    )
    .await
    {
        Ok(a) => {
            let id = str_of(&a.body["id"]);
            Ok(auth::redirect(
                &headers,
                &format!(
                    "/console/rules/backtests/{}?rule={}",
                    seg(&id),
                    seg(&form.id)
                ),
            ))
        }
        Err(f) if f.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let target = form_field(f.field.as_deref().unwrap_or(""));
            refused(&state, &session, head, form, (target, f.message)).await
        }
        Err(f) => Err(f.into()),
    }
}

pub struct Backtest {
    pub id: String,
    pub rule: String,
    pub status: String,
    pub done: i64,
    pub total: i64,
    pub percent: i64,
    pub running: bool,
    pub actual_points: i64,
    pub draft_points: i64,
    pub change_points: i64,
    pub actual_cost: String,
    pub draft_cost: String,
    pub change_cost: String,
    pub members: i64,
    pub affected: i64,
    pub distribution: Vec<(String, i64)>,
    pub change_distribution: Vec<(String, i64)>,
    pub top: Vec<(String, i64, i64, i64)>,
    /// ECharts options, as JSON.
    pub chart_distribution: String,
    pub chart_change: String,
    pub chart_top: String,
    pub chart_cost: String,
}

fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let f = fen.unsigned_abs();
    format!("{sign}¥{}.{:02}", f / 100, f % 100)
}

fn pairs_of(v: &Value) -> Vec<(String, i64)> {
    v.as_array()
        .into_iter()
        .flatten()
        .map(|b| (str_of(&b["range"]), b["members"].as_i64().unwrap_or(0)))
        .collect()
}

fn bar_chart(labels: &[String], values: &[i64], horizontal: bool) -> String {
    let (x, y) = if horizontal {
        (
            json!({"type": "value"}),
            json!({"type": "category", "data": labels}),
        )
    } else {
        (
            json!({"type": "category", "data": labels}),
            json!({"type": "value"}),
        )
    };
    json!({
        "tooltip": {},
        "grid": {"left": 80, "right": 20, "top": 20, "bottom": 40},
        "xAxis": x, "yAxis": y,
        "series": [{"type": "bar", "data": values, "itemStyle": {"color": "#c0392b"}}],
    })
    .to_string()
}

fn backtest_of(session: &Session, b: &Value, rule: &str) -> Backtest {
    let lang = session.lang;
    let report = &b["report"];
    let done = b["events_done"].as_i64().unwrap_or(0);
    let total = b["events_total"].as_i64().unwrap_or(0);
    let status = str_of(&b["status"]);
    let distribution = pairs_of(&report["distribution"]["draft_points_per_member"]);
    let change_distribution = pairs_of(&report["distribution"]["change_per_member"]);
    let top: Vec<(String, i64, i64, i64)> = report["top_changes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            (
                str_of(&t["member"]),
                t["actual"].as_i64().unwrap_or(0),
                t["draft"].as_i64().unwrap_or(0),
                t["change"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    let points = |k: &str| report[k]["points"].as_i64().unwrap_or(0);
    let cost = |k: &str| report[k]["cost_fen"].as_i64().unwrap_or(0);
    let labels = |v: &[(String, i64)]| v.iter().map(|(l, _)| l.clone()).collect::<Vec<_>>();
    let values = |v: &[(String, i64)]| v.iter().map(|(_, n)| *n).collect::<Vec<_>>();
    let top_labels: Vec<String> = top.iter().rev().map(|t| t.0.clone()).collect();
    let top_values: Vec<i64> = top.iter().rev().map(|t| t.3).collect();
    let cost_labels = vec![
        lang.t("rules.bt_actual").to_owned(),
        lang.t("rules.bt_draft").to_owned(),
    ];
    let cost_values = vec![cost("actual") / 100, cost("draft") / 100];
    Backtest {
        id: str_of(&b["id"]),
        rule: rule.to_owned(),
        running: status == "running",
        percent: if total > 0 {
            (done * 100 / total).clamp(0, 100)
        } else if status == "running" {
            0
        } else {
            100
        },
        status: lang.t(&format!("rules.bt_status_{status}")).to_owned(),
        done,
        total,
        actual_points: points("actual"),
        draft_points: points("draft"),
        change_points: points("change"),
        actual_cost: yuan(cost("actual")),
        draft_cost: yuan(cost("draft")),
        change_cost: yuan(cost("change")),
        members: report["members"].as_i64().unwrap_or(0),
        affected: report["members_affected"].as_i64().unwrap_or(0),
        chart_distribution: bar_chart(&labels(&distribution), &values(&distribution), false),
        chart_change: bar_chart(
            &labels(&change_distribution),
            &values(&change_distribution),
            false,
        ),
        chart_top: bar_chart(&top_labels, &top_values, true),
        chart_cost: bar_chart(&cost_labels, &cost_values, false),
        distribution,
        change_distribution,
        top,
    }
}

#[derive(Template)]
#[template(path = "console/rules_backtest.html")]
struct BacktestPage {
    chrome: Chrome,
    bt: Backtest,
}

#[derive(Template)]
#[template(path = "console/_rules_backtest.html")]
struct BacktestFragment {
    chrome: Chrome,
    bt: Backtest,
}

#[derive(Deserialize, Default)]
struct BacktestQuery {
    #[serde(default)]
    rule: String,
}

async fn load_backtest(
    state: &AppState,
    session: &Session,
    id: &str,
    rule: &str,
) -> Result<Backtest, Failure> {
    let b = api::get(state, session, &format!("/v1/rules/backtests/{}", seg(id))).await?;
    Ok(backtest_of(session, &b, rule))
}

async fn backtest_page(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    Query(q): Query<BacktestQuery>,
) -> Result<Response, Failure> {
    let bt = load_backtest(&state, &session, &id, &q.rule).await?;
    Ok(html(&BacktestPage {
        chrome: Chrome::new(
            &session,
            "rules",
            format!(
                "/console/rules/backtests/{}?rule={}",
                seg(&id),
                seg(&q.rule)
            ),
        ),
        bt,
    }))
}

async fn backtest_progress(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    Query(q): Query<BacktestQuery>,
) -> Result<Response, Failure> {
    let bt = load_backtest(&state, &session, &id, &q.rule).await?;
    Ok(html(&BacktestFragment {
        chrome: Chrome::new(&session, "rules", "/console/rules"),
        bt,
    }))
}

// ---------------------------------------------------------------------------------------------
// Campaigns

#[derive(Default)]
pub struct CampaignForm {
    pub id: String,
    pub name: String,
    pub description: String,
    pub starts_at: String,
    pub ends_at: String,
    pub budget: String,
    pub member_cap: String,
}

#[derive(Template)]
#[template(path = "console/rules_campaign.html")]
struct CampaignPage {
    chrome: Chrome,
    existing: bool,
    form: CampaignForm,
    row: Option<CampaignRow>,
    rules: Vec<RuleRow>,
    error: Option<(String, String)>,
}

impl CampaignPage {
    pub fn error_for(&self, name: &str) -> String {
        match &self.error {
            Some((f, m)) if f == name => m.clone(),
            _ => String::new(),
        }
    }

    pub fn general_error(&self) -> String {
        match &self.error {
            Some((f, m))
                if !["id", "name", "starts_at", "ends_at", "budget", "member_cap"]
                    .contains(&f.as_str()) =>
            {
                format!("{f}: {m}")
            }
            _ => String::new(),
        }
    }
}

async fn campaign_new(session: Session) -> Result<Response, Failure> {
    Ok(html(&CampaignPage {
        chrome: Chrome::new(&session, "rules", "/console/campaigns/new"),
        existing: false,
        form: CampaignForm::default(),
        row: None,
        rules: Vec::new(),
        error: None,
    }))
}

async fn campaign_view(
    state: &AppState,
    session: &Session,
    id: &str,
    form: Option<CampaignForm>,
    error: Option<(String, String)>,
    toast: Option<Toast>,
) -> Result<Response, Failure> {
    let c = api::get(state, session, &format!("/v1/campaigns/{}", seg(id))).await?;
    let spec = &c["spec"];
    let form = form.unwrap_or_else(|| CampaignForm {
        id: id.to_owned(),
        name: str_of(&spec["name"]),
        description: str_of(&spec["description"]),
        starts_at: local_input(session, &spec["starts_at"]),
        ends_at: local_input(session, &spec["ends_at"]),
        budget: str_of(&spec["budget"]),
        member_cap: str_of(&spec["member_cap"]),
    });
    let rules = api::get(state, session, "/v1/rules").await?;
    let rows = rules["data"]
        .as_array()
        .into_iter()
        .flatten()
        .map(rule_row)
        .filter(|r| r.campaign == id)
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let toast = error
        .as_ref()
        .map(|(_, m)| Toast::error(format!("{}{m}", session.lang.t("toast.failed"))))
        .or(toast);
    Ok((
        status,
        html(&CampaignPage {
            chrome: Chrome::new(session, "rules", format!("/console/campaigns/{}", seg(id)))
                .with_toast(toast),
            existing: true,
            row: Some(campaign_row(session, &c, state.clock.now())),
            form,
            rules: rows,
            error,
        }),
    )
        .into_response())
}

async fn campaign_page(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, Failure> {
    campaign_view(&state, &session, &id, None, None, saved_toast(&session, &q)).await
}

fn campaign_form(pairs: &Pairs) -> CampaignForm {
    let get = |k: &str| field(pairs, k).to_owned();
    CampaignForm {
        id: get("campaign_id").trim().to_owned(),
        name: get("name"),
        description: get("description"),
        starts_at: get("starts_at"),
        ends_at: get("ends_at"),
        budget: get("budget"),
        member_cap: get("member_cap"),
    }
}

fn campaign_spec(session: &Session, f: &CampaignForm) -> Result<Value, (String, String)> {
    let mut spec = json!({"name": f.name.trim()});
    if !f.description.trim().is_empty() {
        spec["description"] = json!(f.description.trim());
    }
    for (k, v) in [("starts_at", &f.starts_at), ("ends_at", &f.ends_at)] {
        match instant_of(session, v) {
            Ok(Some(t)) => spec[k] = json!(t),
            Ok(None) => {
                return Err((k.into(), session.lang.t("rules.required").to_owned()));
            }
            Err(m) => return Err((k.into(), m)),
        }
    }
    for (k, v) in [("budget", &f.budget), ("member_cap", &f.member_cap)] {
        let t = v.trim();
        if !t.is_empty() {
            let n: i64 = t
                .parse()
                .map_err(|_| (k.to_owned(), format!("{t}: not a whole number")))?;
            spec[k] = json!(n);
        }
    }
    Ok(spec)
}

async fn put_campaign(
    state: &AppState,
    session: &Session,
    headers: &HeaderMap,
    id: &str,
    form: CampaignForm,
    existing: bool,
) -> Result<Response, Failure> {
    let fail = |form: CampaignForm, error: (String, String)| async move {
        if existing {
            return campaign_view(state, session, id, Some(form), Some(error), None).await;
        }
        let toast = Toast::error(format!("{}{}", session.lang.t("toast.failed"), error.1));
        Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            html(&CampaignPage {
                chrome: Chrome::new(session, "rules", "/console/campaigns/new")
                    .with_toast(Some(toast)),
                existing: false,
                form,
                row: None,
                rules: Vec::new(),
                error: Some(error),
            }),
        )
            .into_response())
    };
    let spec = match campaign_spec(session, &form) {
        Ok(s) => s,
        Err(e) => return fail(form, e).await,
    };
    match api::call(
        state,
        session,
        Method::PUT,
        &format!("/v1/campaigns/{}", seg(id)),
        Some(spec),
    )
    .await
    {
        Ok(_) => Ok(auth::redirect(
            headers,
            &format!("/console/campaigns/{}?saved=1", seg(id)),
        )),
        Err(ApiFailure {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            field,
            message,
            ..
        }) => fail(form, (field.unwrap_or_default(), message)).await,
        Err(f) => Err(f.into()),
    }
}

async fn campaign_create(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Form(pairs): Form<Pairs>,
) -> Result<Response, Failure> {
    let form = campaign_form(&pairs);
    let id = form.id.clone();
    let taken = !id.is_empty()
        && api::get(&state, &session, &format!("/v1/campaigns/{}", seg(&id)))
            .await
            .is_ok();
    if id.is_empty() || taken {
        let key = if taken {
            "rules.id_taken"
        } else {
            "rules.id_required"
        };
        let error = ("id".to_owned(), session.lang.t(key).to_owned());
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            html(&CampaignPage {
                chrome: Chrome::new(&session, "rules", "/console/campaigns/new"),
                existing: false,
                form,
                row: None,
                rules: Vec::new(),
                error: Some(error),
            }),
        )
            .into_response());
    }
    put_campaign(&state, &session, &headers, &id, form, false).await
}

async fn campaign_save(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> Result<Response, Failure> {
    api::get(&state, &session, &format!("/v1/campaigns/{}", seg(&id))).await?;
    let mut form = campaign_form(&pairs);
    form.id = id.clone();
    put_campaign(&state, &session, &headers, &id, form, true).await
}

// ---------------------------------------------------------------------------------------------
// Labels the templates show for stored values

fn label(lang: crate::console::i18n::Lang, group: &str, value: &str) -> &'static str {
    lang.t(&format!("rules.{group}_{value}"))
}

/// Whether a choice of a template's loop is the value of the form.
fn same(a: impl AsRef<str>, b: impl AsRef<str>) -> bool {
    a.as_ref() == b.as_ref()
}

impl ListPage {
    pub fn same(&self, a: impl AsRef<str>, b: impl AsRef<str>) -> bool {
        same(a, b)
    }

    pub fn status_label(&self, s: impl AsRef<str>) -> &'static str {
        label(self.chrome.lang, "status", s.as_ref())
    }
}

impl VersionsPage {
    pub fn status_label(&self, s: impl AsRef<str>) -> &'static str {
        label(self.chrome.lang, "status", s.as_ref())
    }
}

impl EditPage {
    pub fn same(&self, a: impl AsRef<str>, b: impl AsRef<str>) -> bool {
        same(a, b)
    }

    pub fn status_label(&self, s: impl AsRef<str>) -> &'static str {
        label(self.chrome.lang, "status", s.as_ref())
    }

    pub fn effect_label(&self, s: impl AsRef<str>) -> &'static str {
        label(self.chrome.lang, "effect", s.as_ref())
    }

    pub fn rounding_label(&self, s: impl AsRef<str>) -> &'static str {
        label(self.chrome.lang, "rounding", s.as_ref())
    }

    pub fn period_label(&self, s: impl AsRef<str>) -> &'static str {
        label(self.chrome.lang, "period", s.as_ref())
    }

    pub fn weekday_label(&self, s: impl AsRef<str>) -> &'static str {
        label(self.chrome.lang, "weekday", s.as_ref())
    }

    /// An archived rule never changes again: the page shows it read-only.
    pub fn archived(&self) -> bool {
        self.head.as_ref().is_some_and(|h| h.status == "archived")
    }
}

/// Simplified Chinese.
pub const ZH: &[(&str, &str)] = &[
    ("rules.all", "全部"),
    ("rules.archive", "归档"),
    (
        "rules.archive_confirm",
        "归档后规则将永久停止运行且不能再修改，确定归档吗？",
    ),
    ("rules.audit_link", "在审计日志中查看全部变更"),
    ("rules.back", "返回"),
    ("rules.backtest", "回测"),
    (
        "rules.backtest_hint",
        "用上面表单中尚未保存的草稿，重放一段历史事件，对比实际发放的积分与成本。",
    ),
    ("rules.basics", "基本信息"),
    ("rules.birthday_at", "发放时间"),
    ("rules.birthday_day", "生日当天"),
    ("rules.birthday_month", "生日当月第一天"),
    ("rules.birthday_per", "生日触发"),
    ("rules.bt_actual", "实际"),
    ("rules.bt_affected", "积分有变化的会员"),
    ("rules.bt_change", "变化"),
    ("rules.bt_change_distribution", "每位会员的积分变化分布"),
    ("rules.bt_cost", "成本"),
    ("rules.bt_distribution", "每位会员草稿积分分布"),
    ("rules.bt_draft", "草稿"),
    ("rules.bt_draft_points", "草稿积分"),
    ("rules.bt_drafts_only", "只用草稿（不含其他已保存规则）"),
    ("rules.bt_events", "条事件"),
    ("rules.bt_from", "从"),
    ("rules.bt_member_count", "会员数"),
    ("rules.bt_members", "期间有事件的会员"),
    ("rules.bt_point_value", "每积分成本（分）"),
    ("rules.bt_points", "积分"),
    ("rules.bt_report", "回测报告"),
    ("rules.bt_run", "用此草稿回测"),
    ("rules.bt_to", "到"),
    ("rules.bt_top", "变化最大的会员"),
    ("rules.bt_window_required", "请填写回测的起止时间。"),
    ("rules.bt_status_running", "运行中"),
    ("rules.bt_status_done", "已完成"),
    ("rules.bt_status_failed", "失败"),
    ("rules.budget", "积分预算"),
    ("rules.budget_left", "剩余预算"),
    ("rules.budget_used", "预算消耗"),
    ("rules.builtin", "内置"),
    ("rules.campaign", "活动"),
    (
        "rules.campaign_hint",
        "活动的规则只在活动期间运行，并共享活动预算与每位会员上限。时间按项目时区填写。",
    ),
    ("rules.campaigns", "活动"),
    ("rules.column", "第"),
    ("rules.compare", "对比"),
    ("rules.condition", "条件（CEL）"),
    ("rules.condition_always", "无条件：每次触发都执行。"),
    ("rules.condition_error", "条件有误："),
    (
        "rules.condition_hint",
        "可读取 event、member、program 和 now，例如 event.attributes.amount >= 19900。",
    ),
    ("rules.condition_ok", "条件有效"),
    ("rules.description", "说明"),
    ("rules.diff_from", "旧版本"),
    ("rules.diff_to", "新版本"),
    ("rules.effect_kind", "奖励方式"),
    ("rules.effect_per_yuan", "按消费金额（每元积分）"),
    ("rules.effect_points", "固定积分"),
    ("rules.effect_multiplier", "倍数加赠"),
    ("rules.effect_none", "仅下方其他效果"),
    ("rules.effects", "奖励"),
    ("rules.ends_at", "结束时间"),
    ("rules.event_types", "事件类型（逗号分隔）"),
    (
        "rules.exclusive",
        "互斥：本规则生效后，同组优先级更低的规则不再执行",
    ),
    ("rules.factor", "倍数"),
    ("rules.filter", "筛选"),
    ("rules.group", "叠加组"),
    ("rules.hours", "每天时段（时）"),
    ("rules.id", "标识"),
    (
        "rules.id_hint",
        "小写字母、数字及 _ - . :，最多 64 个字符，保存后不可更改。",
    ),
    ("rules.id_required", "请填写标识。"),
    ("rules.id_taken", "该标识已被使用。"),
    (
        "rules.json_hint",
        "直接编辑规则的 JSON（与 API 相同的格式），点击“按 JSON 保存”生效。",
    ),
    ("rules.json_view", "JSON"),
    ("rules.limit_count", "最多次数"),
    ("rules.limit_event_type", "只计此事件类型"),
    ("rules.limit_per", "每"),
    ("rules.limit_points", "最多积分"),
    ("rules.limits", "限制"),
    ("rules.line", "第"),
    ("rules.lines_changed", "行有变化"),
    ("rules.live", "进行中"),
    ("rules.live_from", "生效于"),
    ("rules.live_until", "失效于"),
    ("rules.member_cap", "每位会员上限（积分）"),
    ("rules.members_reached", "覆盖会员"),
    ("rules.multiplier_rules", "加倍的规则（留空为全部）"),
    ("rules.name", "名称"),
    ("rules.new", "新建规则"),
    ("rules.new_campaign", "新建活动"),
    ("rules.no_budget", "（无预算）"),
    (
        "rules.other_effects",
        "其他效果（JSON 数组：打标签、发券、计量器、通知）",
    ),
    ("rules.pause", "暂停"),
    ("rules.per_yuan", "每元积分"),
    ("rules.period", "活动时间"),
    ("rules.period_day", "天"),
    ("rules.period_week", "周"),
    ("rules.period_month", "月"),
    ("rules.period_year", "年"),
    ("rules.period_campaign", "整个活动"),
    ("rules.period_lifetime", "终身"),
    ("rules.points", "固定积分"),
    ("rules.points_awarded", "已发积分"),
    ("rules.priority", "优先级"),
    ("rules.required", "此项必填。"),
    ("rules.resume", "恢复"),
    ("rules.rounding", "金额取整"),
    ("rules.rounding_floor", "向下取整"),
    ("rules.rounding_nearest", "四舍五入"),
    ("rules.rounding_ceil", "向上取整"),
    ("rules.rule", "规则"),
    ("rules.rules", "规则"),
    ("rules.save", "保存"),
    ("rules.save_json", "按 JSON 保存"),
    ("rules.schedule", "时间安排"),
    ("rules.sim_actions", "其他动作"),
    ("rules.sim_amount", "金额（元）"),
    ("rules.sim_attributes", "属性（JSON 对象）"),
    ("rules.sim_capped", "受限于"),
    ("rules.sim_left_times", "剩 {left}/{max} 次"),
    ("rules.sim_left_points", "剩 {left}/{max} 积分"),
    ("rules.sim_detail", "说明"),
    ("rules.sim_member", "会员"),
    ("rules.sim_no_rules", "没有规则监听此类事件。"),
    ("rules.sim_order", "订单号"),
    ("rules.sim_outcome", "结果"),
    ("rules.sim_points", "将获得积分"),
    ("rules.sim_raw", "或粘贴事件 JSON"),
    ("rules.sim_run", "模拟"),
    ("rules.sim_type", "事件类型"),
    ("rules.sim_with_draft", "使用编辑器中的草稿（未保存）"),
    ("rules.simulate", "模拟事件"),
    ("rules.stacking", "优先级与叠加"),
    ("rules.starts_at", "开始时间"),
    ("rules.status", "状态"),
    ("rules.status_active", "运行中"),
    ("rules.status_paused", "已暂停"),
    ("rules.status_archived", "已归档"),
    ("rules.times_fired", "触发次数"),
    ("rules.title", "规则与活动"),
    ("rules.trigger", "触发"),
    ("rules.trigger_birthday", "会员生日"),
    ("rules.trigger_event", "事件"),
    ("rules.trigger_kind", "触发方式"),
    ("rules.version", "版本"),
    ("rules.versions", "版本历史"),
    ("rules.weekdays", "星期"),
    ("rules.weekday_mon", "一"),
    ("rules.weekday_tue", "二"),
    ("rules.weekday_wed", "三"),
    ("rules.weekday_thu", "四"),
    ("rules.weekday_fri", "五"),
    ("rules.weekday_sat", "六"),
    ("rules.weekday_sun", "日"),
    ("rules.outcome_fired", "已触发"),
    ("rules.outcome_condition_false", "条件不满足"),
    ("rules.outcome_condition_error", "条件出错"),
    ("rules.outcome_limit_reached", "已达上限"),
    ("rules.outcome_budget_spent", "预算已用完"),
    ("rules.outcome_out_of_schedule", "不在生效时间内"),
    ("rules.outcome_excluded", "被互斥规则排除"),
];

/// English.
pub const EN: &[(&str, &str)] = &[
    ("rules.all", "All"),
    ("rules.archive", "Archive"),
    (
        "rules.archive_confirm",
        "An archived rule never runs or changes again. Archive it?",
    ),
    ("rules.audit_link", "All changes in the audit log"),
    ("rules.back", "Back"),
    ("rules.backtest", "Backtest"),
    (
        "rules.backtest_hint",
        "Replay past events through the draft in the form above (not saved) and compare with what was actually awarded.",
    ),
    ("rules.basics", "Basics"),
    ("rules.birthday_at", "At"),
    ("rules.birthday_day", "On the birthday"),
    ("rules.birthday_month", "First day of the birthday month"),
    ("rules.birthday_per", "Birthday"),
    ("rules.bt_actual", "Actual"),
    ("rules.bt_affected", "Members affected"),
    ("rules.bt_change", "Change"),
    ("rules.bt_change_distribution", "Change per member"),
    ("rules.bt_cost", "Cost"),
    ("rules.bt_distribution", "Draft points per member"),
    ("rules.bt_draft", "Draft"),
    ("rules.bt_draft_points", "Draft points"),
    (
        "rules.bt_drafts_only",
        "Drafts only (without the other saved rules)",
    ),
    ("rules.bt_events", "events"),
    ("rules.bt_from", "From"),
    ("rules.bt_member_count", "Members"),
    ("rules.bt_members", "Members with events"),
    ("rules.bt_point_value", "Cost of a point (fen)"),
    ("rules.bt_points", "Points"),
    ("rules.bt_report", "Report"),
    ("rules.bt_run", "Backtest this draft"),
    ("rules.bt_to", "To"),
    ("rules.bt_top", "Largest changes"),
    (
        "rules.bt_window_required",
        "Give the backtest's window (from and to).",
    ),
    ("rules.bt_status_running", "Running"),
    ("rules.bt_status_done", "Done"),
    ("rules.bt_status_failed", "Failed"),
    ("rules.budget", "Points budget"),
    ("rules.budget_left", "Budget left"),
    ("rules.budget_used", "Budget used"),
    ("rules.builtin", "built in"),
    ("rules.campaign", "Campaign"),
    (
        "rules.campaign_hint",
        "A campaign's rules run only within its period and share its budget and per-member cap. Times are in the program's time zone.",
    ),
    ("rules.campaigns", "Campaigns"),
    ("rules.column", "column"),
    ("rules.compare", "Compare"),
    ("rules.condition", "Condition (CEL)"),
    (
        "rules.condition_always",
        "No condition: the rule runs every time it is triggered.",
    ),
    ("rules.condition_error", "The condition does not compile:"),
    (
        "rules.condition_hint",
        "Reads event, member, program and now, e.g. event.attributes.amount >= 19900.",
    ),
    ("rules.condition_ok", "The condition compiles"),
    ("rules.description", "Description"),
    ("rules.diff_from", "From"),
    ("rules.diff_to", "To"),
    ("rules.effect_kind", "Award"),
    ("rules.effect_per_yuan", "Points per yuan spent"),
    ("rules.effect_points", "Fixed points"),
    ("rules.effect_multiplier", "Multiplier"),
    ("rules.effect_none", "Only the other effects below"),
    ("rules.effects", "Effects"),
    ("rules.ends_at", "Ends"),
    ("rules.event_types", "Event types (comma-separated)"),
    (
        "rules.exclusive",
        "Exclusive: once it fires, lower rules of its group do not run",
    ),
    ("rules.factor", "Factor"),
    ("rules.filter", "Filter"),
    ("rules.group", "Group"),
    ("rules.hours", "Hours of the day"),
    ("rules.id", "Id"),
    (
        "rules.id_hint",
        "a-z, 0-9, _ - . : up to 64 characters; it cannot change later.",
    ),
    ("rules.id_required", "An id is required."),
    ("rules.id_taken", "This id is taken."),
    (
        "rules.json_hint",
        "Edit the rule's JSON (the API's format) and save it with “Save JSON”.",
    ),
    ("rules.json_view", "JSON"),
    ("rules.limit_count", "At most (times)"),
    ("rules.limit_event_type", "Only events of type"),
    ("rules.limit_per", "Per"),
    ("rules.limit_points", "At most (points)"),
    ("rules.limits", "Limits"),
    ("rules.line", "Line"),
    ("rules.lines_changed", "lines changed"),
    ("rules.live", "live"),
    ("rules.live_from", "Live from"),
    ("rules.live_until", "Live until"),
    ("rules.member_cap", "Cap per member (points)"),
    ("rules.members_reached", "Members reached"),
    ("rules.multiplier_rules", "Rules multiplied (empty: all)"),
    ("rules.name", "Name"),
    ("rules.new", "New rule"),
    ("rules.new_campaign", "New campaign"),
    ("rules.no_budget", "(no budget)"),
    (
        "rules.other_effects",
        "Other effects (JSON array: tags, vouchers, meters, notifications)",
    ),
    ("rules.pause", "Pause"),
    ("rules.per_yuan", "Points per yuan"),
    ("rules.period", "Period"),
    ("rules.period_day", "day"),
    ("rules.period_week", "week"),
    ("rules.period_month", "month"),
    ("rules.period_year", "year"),
    ("rules.period_campaign", "campaign"),
    ("rules.period_lifetime", "lifetime"),
    ("rules.points", "Points"),
    ("rules.points_awarded", "Points awarded"),
    ("rules.priority", "Priority"),
    ("rules.required", "This is required."),
    ("rules.resume", "Resume"),
    ("rules.rounding", "Rounding"),
    ("rules.rounding_floor", "Down"),
    ("rules.rounding_nearest", "Nearest"),
    ("rules.rounding_ceil", "Up"),
    ("rules.rule", "Rule"),
    ("rules.rules", "Rules"),
    ("rules.save", "Save"),
    ("rules.save_json", "Save JSON"),
    ("rules.schedule", "Schedule"),
    ("rules.sim_actions", "Other actions"),
    ("rules.sim_amount", "Amount (yuan)"),
    ("rules.sim_attributes", "Attributes (JSON object)"),
    ("rules.sim_capped", "capped by"),
    ("rules.sim_left_times", "{left}/{max} times left"),
    ("rules.sim_left_points", "{left}/{max} points left"),
    ("rules.sim_detail", "Detail"),
    ("rules.sim_member", "Member"),
    ("rules.sim_no_rules", "No rule listens to this event type."),
    ("rules.sim_order", "Order id"),
    ("rules.sim_outcome", "Outcome"),
    ("rules.sim_points", "Points earned"),
    ("rules.sim_raw", "Or paste the event as JSON"),
    ("rules.sim_run", "Simulate"),
    ("rules.sim_type", "Event type"),
    (
        "rules.sim_with_draft",
        "With the editor's draft (not saved)",
    ),
    ("rules.simulate", "Simulate an event"),
    ("rules.stacking", "Priority and stacking"),
    ("rules.starts_at", "Starts"),
    ("rules.status", "Status"),
    ("rules.status_active", "Active"),
    ("rules.status_paused", "Paused"),
    ("rules.status_archived", "Archived"),
    ("rules.times_fired", "Times fired"),
    ("rules.title", "Rules & campaigns"),
    ("rules.trigger", "Trigger"),
    ("rules.trigger_birthday", "Member's birthday"),
    ("rules.trigger_event", "An event"),
    ("rules.trigger_kind", "Triggered by"),
    ("rules.version", "Version"),
    ("rules.versions", "Versions"),
    ("rules.weekdays", "Weekdays"),
    ("rules.weekday_mon", "Mon"),
    ("rules.weekday_tue", "Tue"),
    ("rules.weekday_wed", "Wed"),
    ("rules.weekday_thu", "Thu"),
    ("rules.weekday_fri", "Fri"),
    ("rules.weekday_sat", "Sat"),
    ("rules.weekday_sun", "Sun"),
    ("rules.outcome_fired", "Fired"),
    ("rules.outcome_condition_false", "Condition false"),
    ("rules.outcome_condition_error", "Condition error"),
    ("rules.outcome_limit_reached", "Limit reached"),
    ("rules.outcome_budget_spent", "Budget spent"),
    ("rules.outcome_out_of_schedule", "Out of schedule"),
    ("rules.outcome_excluded", "Excluded"),
];
