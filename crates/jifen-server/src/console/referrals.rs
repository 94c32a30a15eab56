//! The referrals page: the program's referral settings (as the JSON `PUT /v1/referral-program`
//! takes) and its figures (referrals by status, referrers, points given, boosts active). Saving
//! is a `/v1` request ([`api::call_raw`]).

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::Method;
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::json;

use jifen_core::referrals::Status;

use crate::app::AppState;
use crate::console::api;
use crate::console::auth::{Perm, Session};
use crate::console::{Chrome, Failure, Route, Toast, html};

pub fn routes() -> Vec<Route> {
    vec![
        Route::new(Method::GET, "/console/referrals", Perm::View, get(page)),
        Route::new(
            Method::POST,
            "/console/referrals",
            Perm::Configure,
            post(save),
        ),
    ]
}

#[derive(Template)]
#[template(path = "console/referrals.html")]
struct ReferralsPage {
    chrome: Chrome,
    has_program: bool,
    enabled: bool,
    raw: String,
    /// (status key, label, count).
    statuses: Vec<(&'static str, &'static str, i64)>,
    total: i64,
    referrers: i64,
    friend_points: i64,
    referrer_points: i64,
    active_boosts: i64,
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
    let saved = match api::get(state, session, "/v1/referral-program").await {
        Ok(v) => Some(v),
        Err(f) if f.code == "referral_program_not_found" => None,
        Err(f) => return Err(f.into()),
    };
    let stats = crate::api::referrals::stats(state, &session.program).await?;
    let example = json!({
        "enabled": true,
        "friend_reward": {"points": 100},
        "referrer_reward": {"points": 500},
        "min_purchase": 10000,
        "within_days": 30,
        "milestones": [{"friends": 2, "factor": 2, "days": 30}],
        "caps": {"per_day": 5, "total": 50},
        "claw_back": true
    });
    let raw = typed.unwrap_or_else(|| {
        serde_json::to_string_pretty(saved.as_ref().unwrap_or(&example)).unwrap_or_default()
    });
    let lang = session.lang;
    let statuses = Status::ALL
        .iter()
        .map(|s| {
            let key = s.as_str();
            let n = stats.referrals[key].as_i64().unwrap_or(0);
            (key, lang.t(&format!("referrals.status.{key}")), n)
        })
        .collect();
    let page = ReferralsPage {
        chrome: Chrome::new(session, "referrals", "/console/referrals").with_toast(toast),
        has_program: saved.is_some(),
        enabled: saved.as_ref().is_some_and(|v| v["enabled"] == true),
        raw,
        statuses,
        total: stats.total,
        referrers: stats.referrers,
        friend_points: stats.friend_points,
        referrer_points: stats.referrer_points,
        active_boosts: stats.active_boosts,
        failure,
    };
    Ok(html(&page))
}

async fn save(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, Failure> {
    match api::put_typed(&state, &session, "/v1/referral-program", &form).await {
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
    ("nav.referrals", "邀请有礼"),
    ("referrals.title", "邀请有礼"),
    ("referrals.figures", "邀请数据"),
    ("referrals.total", "邀请总数"),
    ("referrals.referrers", "邀请人"),
    ("referrals.friend_points", "好友获得积分"),
    (
        "referrals.referrer_points",
        "邀请人获得积分（扣除退款扣回）",
    ),
    ("referrals.active_boosts", "加倍中的会员"),
    ("referrals.status", "状态"),
    ("referrals.count", "数量"),
    ("referrals.status.pending", "待首单"),
    ("referrals.status.qualified", "已达标"),
    ("referrals.status.rewarded", "已奖励"),
    ("referrals.status.capped", "超出上限"),
    ("referrals.status.clawed_back", "已扣回"),
    ("referrals.status.rejected", "已拒绝"),
    ("referrals.settings", "邀请规则"),
    (
        "referrals.settings_help",
        "好友奖励、邀请人奖励、首单门槛（分）与天数、里程碑加倍、每日与总上限、退款扣回。",
    ),
    ("referrals.on", "已开启"),
    ("referrals.off", "未开启"),
    ("referrals.none", "尚未设置邀请规则；以下为示例。"),
];

/// English.
pub const EN: &[(&str, &str)] = &[
    ("nav.referrals", "Referrals"),
    ("referrals.title", "Referrals"),
    ("referrals.figures", "Figures"),
    ("referrals.total", "Referrals"),
    ("referrals.referrers", "Referrers"),
    ("referrals.friend_points", "Points given to friends"),
    (
        "referrals.referrer_points",
        "Points given to referrers (less clawbacks)",
    ),
    ("referrals.active_boosts", "Members with a boost now"),
    ("referrals.status", "Status"),
    ("referrals.count", "Count"),
    ("referrals.status.pending", "Pending"),
    ("referrals.status.qualified", "Qualified"),
    ("referrals.status.rewarded", "Rewarded"),
    ("referrals.status.capped", "Capped"),
    ("referrals.status.clawed_back", "Clawed back"),
    ("referrals.status.rejected", "Rejected"),
    ("referrals.settings", "The referral program"),
    (
        "referrals.settings_help",
        "The friend's and the referrer's rewards, the qualifying purchase (fen) and days, milestone boosts, caps per day and in all, clawback on refund.",
    ),
    ("referrals.on", "On"),
    ("referrals.off", "Off"),
    (
        "referrals.none",
        "No referral program yet; below is an example.",
    ),
];
