//! The reminders page: the program's reminder settings (as the JSON `PUT
//! /v1/reminders/settings` takes: kinds, parameters, templates per channel, quiet hours, caps)
//! and the preview of what would be sent tomorrow. Saving is a `/v1` request
//! ([`api::call_raw`]); the preview is `GET /v1/reminders/preview`.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::Method;
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::Value;

use jifen_core::reminders::{Channel, ReminderKind};

use crate::app::AppState;
use crate::console::api;
use crate::console::auth::{Perm, Session};
use crate::console::{Chrome, Failure, Route, Toast, html};

pub fn routes() -> Vec<Route> {
    vec![
        Route::new(Method::GET, "/console/reminders", Perm::View, get(page)),
        Route::new(
            Method::POST,
            "/console/reminders",
            Perm::Configure,
            post(save),
        ),
    ]
}

/// A line of the preview's sample.
struct SampleLine {
    member: String,
    kind: String,
    channel: String,
    template: String,
    data: String,
}

#[derive(Template)]
#[template(path = "console/reminders.html")]
struct RemindersPage {
    chrome: Chrome,
    raw: String,
    /// The kinds that are on, by label.
    enabled: Vec<&'static str>,
    quiet: String,
    caps: String,
    /// The preview: its day, total, (kind label, count), (channel, count), held by caps.
    date: String,
    total: i64,
    by_kind: Vec<(&'static str, &'static str, i64)>,
    by_channel: Vec<(&'static str, i64)>,
    held_by_caps: i64,
    sample: Vec<SampleLine>,
    /// The field the API refused, and why.
    failure: Option<(String, String)>,
}

async fn page(State(state): State<AppState>, session: Session) -> Result<Response, Failure> {
    render(&state, &session, None, None, None).await
}

async fn render(
    state: &AppState,
    session: &Session,
    toast: Option<Toast>,
    failure: Option<(String, String)>,
    typed: Option<String>,
) -> Result<Response, Failure> {
    let saved = api::get(state, session, "/v1/reminders/settings").await?;
    let preview = api::get(state, session, "/v1/reminders/preview").await?;
    let lang = session.lang;
    let raw = typed.unwrap_or_else(|| serde_json::to_string_pretty(&saved).unwrap_or_default());
    let enabled = ReminderKind::ALL
        .iter()
        .filter(|k| saved[k.as_str()]["enabled"] == true)
        .map(|k| lang.t(&format!("reminders.kind.{}", k.as_str())))
        .collect();
    let quiet = match &saved["quiet_hours"] {
        Value::Null => lang.t("reminders.no_quiet").to_owned(),
        q => format!(
            "{}–{}",
            q["start"].as_str().unwrap_or(""),
            q["end"].as_str().unwrap_or("")
        ),
    };
    let caps = format!(
        "{} / {}",
        saved["caps"]["per_day"].as_i64().unwrap_or(0),
        saved["caps"]["per_week"].as_i64().unwrap_or(0)
    );
    let by_kind = ReminderKind::ALL
        .iter()
        .map(|k| {
            let key = k.as_str();
            (
                key,
                lang.t(&format!("reminders.kind.{key}")),
                preview["by_kind"][key].as_i64().unwrap_or(0),
            )
        })
        .collect();
    let by_channel = Channel::ALL
        .iter()
        .map(|c| {
            let key = c.as_str();
            (key, preview["by_channel"][key].as_i64().unwrap_or(0))
        })
        .collect();
    let sample = preview["sample"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| SampleLine {
                    member: i["member"].as_str().unwrap_or("").to_owned(),
                    kind: ReminderKind::parse(i["kind"].as_str().unwrap_or(""))
                        .map(|k| lang.t(&format!("reminders.kind.{}", k.as_str())).to_owned())
                        .unwrap_or_default(),
                    channel: i["channel"].as_str().unwrap_or("").to_owned(),
                    template: i["template"].as_str().unwrap_or("").to_owned(),
                    data: i["data"].to_string(),
                })
                .collect()
        })
        .unwrap_or_default();
    let page = RemindersPage {
        chrome: Chrome::new(session, "reminders", "/console/reminders").with_toast(toast),
        raw,
        enabled,
        quiet,
        caps,
        date: preview["date"].as_str().unwrap_or("").to_owned(),
        total: preview["total"].as_i64().unwrap_or(0),
        by_kind,
        by_channel,
        held_by_caps: preview["held_by_caps"].as_i64().unwrap_or(0),
        sample,
        failure,
    };
    Ok(html(&page))
}

async fn save(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, Failure> {
    match api::put_typed(&state, &session, "/v1/reminders/settings", &form).await {
        Ok(_) => {
            let saved = Some(Toast::saved(session.lang));
            render(&state, &session, saved, None, None).await
        }
        Err((f, typed)) => {
            let (toast, failure) = f.shown(&session);
            render(&state, &session, Some(toast), Some(failure), Some(typed)).await
        }
    }
}

/// Simplified Chinese.
pub const ZH: &[(&str, &str)] = &[
    ("nav.reminders", "提醒"),
    ("reminders.title", "提醒"),
    ("reminders.settings", "提醒设置"),
    (
        "reminders.settings_help",
        "每种提醒的开关与参数、各渠道（wechat / sms / push）的模板名、免打扰时段（项目时区）、每位会员每个渠道每天与每周的上限。",
    ),
    ("reminders.enabled", "已开启"),
    ("reminders.none_enabled", "尚未开启任何提醒"),
    ("reminders.quiet", "免打扰"),
    ("reminders.no_quiet", "无"),
    ("reminders.caps", "每天 / 每周上限"),
    ("reminders.preview", "明日预览"),
    (
        "reminders.preview_help",
        "按当前设置，以下提醒将在这一天发出（未写入任何数据）。",
    ),
    ("reminders.total", "合计"),
    ("reminders.held", "因上限顺延"),
    ("reminders.kind", "类型"),
    ("reminders.count", "数量"),
    ("reminders.channel", "渠道"),
    ("reminders.member", "会员"),
    ("reminders.template", "模板"),
    ("reminders.data", "数据"),
    ("reminders.empty", "这一天没有要发送的提醒。"),
    ("reminders.kind.points_expiring", "积分即将过期"),
    ("reminders.kind.streak_at_risk", "连续签到即将中断"),
    ("reminders.kind.tier_requalification", "等级保级提醒"),
    ("reminders.kind.birthday", "生日"),
    ("reminders.kind.voucher_expiring", "优惠券即将过期"),
    ("reminders.kind.gift_unclaimed", "礼物未领取"),
];

/// English.
pub const EN: &[(&str, &str)] = &[
    ("nav.reminders", "Reminders"),
    ("reminders.title", "Reminders"),
    ("reminders.settings", "Reminder settings"),
    (
        "reminders.settings_help",
        "Each kind on or off with its parameters, its template name per channel (wechat / sms / push), quiet hours in the program's time zone, caps per member per channel per day and week.",
    ),
    ("reminders.enabled", "On"),
    ("reminders.none_enabled", "No reminder is on yet"),
    ("reminders.quiet", "Quiet hours"),
    ("reminders.no_quiet", "None"),
    ("reminders.caps", "Caps a day / a week"),
    ("reminders.preview", "Tomorrow's preview"),
    (
        "reminders.preview_help",
        "With the settings as saved, these reminders would go out that day (nothing is written).",
    ),
    ("reminders.total", "Total"),
    ("reminders.held", "Carried over by caps"),
    ("reminders.kind", "Kind"),
    ("reminders.count", "Count"),
    ("reminders.channel", "Channel"),
    ("reminders.member", "Member"),
    ("reminders.template", "Template"),
    ("reminders.data", "Data"),
    ("reminders.empty", "Nothing to send that day."),
    ("reminders.kind.points_expiring", "Points expiring"),
    ("reminders.kind.streak_at_risk", "Streak about to break"),
    ("reminders.kind.tier_requalification", "Tier at risk"),
    ("reminders.kind.birthday", "Birthday"),
    ("reminders.kind.voucher_expiring", "Voucher expiring"),
    ("reminders.kind.gift_unclaimed", "Gift not claimed"),
];
