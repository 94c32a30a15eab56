//! The leaderboards page: the program's boards (metric, period, the current period, how many
//! members it ranks, the contests settled) with a form to define or change one as the JSON
//! `PUT /v1/leaderboards/{id}` takes; and a board's page with the top 20 of a period (live, or
//! a settled contest's final standings), its contests, and a "settle now" button for each ended
//! period not settled yet. Every read and write is a `/v1` request ([`api::call_raw`]).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::Method;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::app::AppState;
use crate::console::api::{self, seg};
use crate::console::auth::{Perm, Session};
use crate::console::i18n::Lang;
use crate::console::{Chrome, Failure, Route, Toast, html};
use crate::service::leaderboards::{LOOKBACK, board};

pub fn routes() -> Vec<Route> {
    vec![
        Route::new(Method::GET, "/console/leaderboards", Perm::View, get(page)),
        Route::new(
            Method::POST,
            "/console/leaderboards",
            Perm::Configure,
            post(save),
        ),
        Route::new(
            Method::GET,
            "/console/leaderboards/{id}",
            Perm::View,
            get(board_page),
        ),
        Route::new(
            Method::POST,
            "/console/leaderboards/{id}/settle",
            Perm::Configure,
            post(settle),
        ),
    ]
}

/// A board as the list shows it.
pub struct BoardRow {
    pub id: String,
    pub name: String,
    pub metric: String,
    pub period: String,
    pub current: String,
    pub ranked: u64,
    pub contests: usize,
    pub has_contest: bool,
}

#[derive(Template)]
#[template(path = "console/leaderboards.html")]
struct ListPage {
    chrome: Chrome,
    boards: Vec<BoardRow>,
    id: String,
    definition: String,
    failure: Option<(String, String)>,
}

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    edit: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct BoardForm {
    #[serde(default)]
    id: String,
    #[serde(default)]
    definition: String,
}

/// What a new board's form starts with.
fn example() -> String {
    serde_json::to_string_pretty(&json!({
        "name": "月度消费榜",
        "description": "",
        "metric": {"kind": "spend"},
        "period": {"kind": "month"},
        "contest": {"prizes": [
            {"from": 1, "to": 1, "points": 1000},
            {"from": 2, "to": 10, "points": 200}
        ]}
    }))
    .unwrap_or_default()
}

/// The metric in words: "消费", "事件 check_in".
fn metric_of(lang: Lang, spec: &Value) -> String {
    let m = &spec["metric"];
    let kind = m["kind"].as_str().unwrap_or_default();
    let label = lang.t(&format!("leaderboards.metric.{kind}"));
    match kind {
        "events" => format!("{label} {}", m["type"].as_str().unwrap_or_default()),
        "meter" => format!("{label} {}", m["meter"].as_str().unwrap_or_default()),
        _ => label.to_owned(),
    }
}

/// The period in words: "每月", "时段 2026-06-01 – 2026-06-08".
fn period_of(lang: Lang, spec: &Value) -> String {
    let p = &spec["period"];
    let kind = p["kind"].as_str().unwrap_or_default();
    let label = lang.t(&format!("leaderboards.period.{kind}"));
    let day = |v: &Value| v.as_str().map(|s| s.chars().take(10).collect::<String>());
    match (day(&p["starts_at"]), day(&p["ends_at"])) {
        (Some(a), Some(b)) => format!("{label} {a} – {b}"),
        _ => label.to_owned(),
    }
}

async fn render(
    state: &AppState,
    session: &Session,
    form: (String, String),
    failure: Option<(String, String)>,
    toast: Option<Toast>,
) -> Result<Response, Failure> {
    let list = api::get(state, session, "/v1/leaderboards").await?;
    let mut boards = Vec::new();
    for b in list["data"].as_array().cloned().unwrap_or_default() {
        let id = b["id"].as_str().unwrap_or_default().to_owned();
        let top = api::get(
            state,
            session,
            &format!("/v1/leaderboards/{}/standings?limit=1", seg(&id)),
        )
        .await?;
        let contests = api::get(
            state,
            session,
            &format!("/v1/leaderboards/{}/contests", seg(&id)),
        )
        .await?;
        let spec = &b["spec"];
        boards.push(BoardRow {
            name: spec["name"].as_str().unwrap_or_default().to_owned(),
            metric: metric_of(session.lang, spec),
            period: period_of(session.lang, spec),
            current: b["current_period"].as_str().unwrap_or_default().to_owned(),
            ranked: top["ranked"].as_u64().unwrap_or(0),
            contests: contests["data"].as_array().map_or(0, Vec::len),
            has_contest: spec.get("contest").is_some_and(|c| !c.is_null()),
            id,
        });
    }
    Ok(html(&ListPage {
        chrome: Chrome::new(session, "leaderboards", "/console/leaderboards").with_toast(toast),
        boards,
        id: form.0,
        definition: form.1,
        failure,
    }))
}

/// `GET /console/leaderboards[?edit=<id>]`.
async fn page(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<PageQuery>,
) -> Result<Response, Failure> {
    let form = match q.edit.filter(|e| !e.is_empty()) {
        Some(id) => {
            let b = api::get(&state, &session, &format!("/v1/leaderboards/{}", seg(&id))).await?;
            (
                id,
                serde_json::to_string_pretty(&b["spec"]).unwrap_or_default(),
            )
        }
        None => (String::new(), example()),
    };
    render(&state, &session, form, None, None).await
}

/// `POST /console/leaderboards`: saves the form's definition through
/// `PUT /v1/leaderboards/{id}`.
async fn save(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<BoardForm>,
) -> Result<Response, Failure> {
    let id = form.id.trim().to_owned();
    let result = api::put_definition(
        &state,
        &session,
        "/v1/leaderboards",
        &id,
        &form.definition,
        "leaderboards.id_required",
    )
    .await;
    match result {
        Ok(a) => {
            let saved = serde_json::to_string_pretty(&a.body["spec"]).unwrap_or_default();
            let toast = Some(Toast::saved(session.lang));
            render(&state, &session, (id, saved), None, toast).await
        }
        Err(f) => {
            let (toast, failure) = f.shown(&session);
            let (toast, failure) = (Some(toast), Some(failure));
            render(&state, &session, (id, form.definition), failure, toast).await
        }
    }
}

/// One line of standings.
pub struct Line {
    pub rank: u64,
    pub member: String,
    pub score: i64,
}

/// A settled contest.
pub struct Contest {
    pub period: String,
    pub settled_at: String,
    pub ranked: i64,
    pub winners: i64,
}

#[derive(Template)]
#[template(path = "console/leaderboard.html")]
struct BoardPage {
    chrome: Chrome,
    id: String,
    name: String,
    metric: String,
    period_kind: String,
    period: String,
    is_final: bool,
    ranked: u64,
    lines: Vec<Line>,
    contests: Vec<Contest>,
    /// Ended periods of a contest not settled yet.
    due: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct BoardQuery {
    #[serde(default)]
    period: Option<String>,
}

async fn render_board(
    state: &AppState,
    session: &Session,
    id: &str,
    period: Option<String>,
    toast: Option<Toast>,
) -> Result<Response, Failure> {
    let def = api::get(state, session, &format!("/v1/leaderboards/{}", seg(id))).await?;
    let mut path = format!("/v1/leaderboards/{}/standings?limit=20", seg(id));
    if let Some(p) = period.as_ref().filter(|p| !p.is_empty()) {
        path.push_str(&format!("&period={}", seg(p)));
    }
    let top = api::get(state, session, &path).await?;
    let contests = api::get(
        state,
        session,
        &format!("/v1/leaderboards/{}/contests", seg(id)),
    )
    .await?;
    let contests: Vec<Contest> = contests["data"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|c| Contest {
            period: c["period"].as_str().unwrap_or_default().to_owned(),
            settled_at: c["settled_at"]
                .as_str()
                .unwrap_or_default()
                .chars()
                .take(16)
                .collect::<String>()
                .replace('T', " "),
            ranked: c["ranked"].as_i64().unwrap_or(0),
            winners: c["winners"].as_i64().unwrap_or(0),
        })
        .collect();
    // The ended periods a contest has not been settled for (as the jobs would settle them).
    let b = board(state, &session.program.id, id).await?;
    let tz = crate::service::program_tz(&session.program);
    let due = if b.spec.contest.is_some() {
        b.spec
            .period
            .ended(state.clock.now(), tz, LOOKBACK)
            .into_iter()
            .filter(|p| {
                b.spec
                    .period
                    .bounds(p, tz)
                    .is_some_and(|(_, end)| end > b.created_at)
                    && !contests.iter().any(|c| &c.period == p)
            })
            .collect()
    } else {
        Vec::new()
    };
    let spec = &def["spec"];
    let here = format!("/console/leaderboards/{}", seg(id));
    Ok(html(&BoardPage {
        chrome: Chrome::new(session, "leaderboards", here).with_toast(toast),
        id: id.to_owned(),
        name: spec["name"].as_str().unwrap_or_default().to_owned(),
        metric: metric_of(session.lang, spec),
        period_kind: period_of(session.lang, spec),
        period: top["period"].as_str().unwrap_or_default().to_owned(),
        is_final: top["final"] == true,
        ranked: top["ranked"].as_u64().unwrap_or(0),
        lines: top["data"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|p| Line {
                rank: p["rank"].as_u64().unwrap_or(0),
                member: p["member"].as_str().unwrap_or_default().to_owned(),
                score: p["score"].as_i64().unwrap_or(0),
            })
            .collect(),
        contests,
        due,
    }))
}

/// `GET /console/leaderboards/{id}[?period=]`.
async fn board_page(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    Query(q): Query<BoardQuery>,
) -> Result<Response, Failure> {
    render_board(&state, &session, &id, q.period, None).await
}

#[derive(Debug, Default, Deserialize)]
pub struct SettleForm {
    #[serde(default)]
    period: String,
}

/// `POST /console/leaderboards/{id}/settle`: settles an ended period's contest now, through
/// `POST /v1/leaderboards/{id}/contests/{period}/settle`, and shows its final standings.
async fn settle(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<SettleForm>,
) -> Result<Response, Failure> {
    let period = form.period.trim().to_owned();
    let r = api::call(
        &state,
        &session,
        Method::POST,
        &format!(
            "/v1/leaderboards/{}/contests/{}/settle",
            seg(&id),
            seg(&period)
        ),
        Some(json!({})),
    )
    .await;
    match r {
        Ok(_) => {
            let toast = Some(Toast {
                ok: true,
                message: session.lang.t("leaderboards.settled").into(),
            });
            render_board(&state, &session, &id, Some(period), toast).await
        }
        Err(f) => {
            let toast = Some(Toast::error(format!(
                "{}{}",
                session.lang.t("toast.failed"),
                f.message
            )));
            render_board(&state, &session, &id, None, toast).await
        }
    }
}

pub const ZH: &[(&str, &str)] = &[
    ("nav.leaderboards", "排行榜"),
    ("leaderboards.title", "排行榜"),
    ("leaderboards.list", "全部排行榜"),
    (
        "leaderboards.help",
        "同分时先达到者排名在前；设有竞赛的榜单在每期结束时结算，前几名的奖品只发放一次。",
    ),
    ("leaderboards.id", "榜单 ID"),
    ("leaderboards.name", "名称"),
    ("leaderboards.metric", "指标"),
    ("leaderboards.period", "周期"),
    ("leaderboards.current", "当前周期"),
    ("leaderboards.ranked", "上榜人数"),
    ("leaderboards.contests", "已结算竞赛"),
    ("leaderboards.edit", "编辑"),
    ("leaderboards.open", "查看"),
    ("leaderboards.none", "还没有排行榜。"),
    ("leaderboards.define", "定义或修改排行榜"),
    (
        "leaderboards.define_help",
        "以 JSON 填写，与 PUT /v1/leaderboards/{id} 相同：name、description、metric（points、spend、events 的 type、meter）、period（all_time、week、month、window）、contest（prizes）。",
    ),
    ("leaderboards.definition", "定义（JSON）"),
    ("leaderboards.id_required", "请填写榜单 ID"),
    ("leaderboards.standings", "前 20 名"),
    ("leaderboards.live", "实时排名"),
    ("leaderboards.final", "最终排名"),
    ("leaderboards.rank", "名次"),
    ("leaderboards.member", "会员"),
    ("leaderboards.score", "成绩"),
    ("leaderboards.nobody", "这一期还没有人上榜。"),
    ("leaderboards.contest_list", "竞赛"),
    ("leaderboards.settled_at", "结算时间"),
    ("leaderboards.winners", "获奖人数"),
    ("leaderboards.no_contests", "还没有结算的竞赛。"),
    ("leaderboards.settle", "立即结算"),
    (
        "leaderboards.settle_help",
        "这些周期已经结束、尚未结算：结算会冻结最终排名并发放奖品（只发放一次）。",
    ),
    ("leaderboards.settled", "竞赛已结算"),
    ("leaderboards.metric.points", "积分"),
    ("leaderboards.metric.spend", "消费（分）"),
    ("leaderboards.metric.events", "事件"),
    ("leaderboards.metric.meter", "计量"),
    ("leaderboards.period.all_time", "总榜"),
    ("leaderboards.period.week", "每周"),
    ("leaderboards.period.month", "每月"),
    ("leaderboards.period.window", "时段"),
    ("leaderboards.period.campaign", "活动期"),
];

pub const EN: &[(&str, &str)] = &[
    ("nav.leaderboards", "Leaderboards"),
    ("leaderboards.title", "Leaderboards"),
    ("leaderboards.list", "All leaderboards"),
    (
        "leaderboards.help",
        "Ties go to whoever reached the score first; a board with a contest is settled when each period ends, its prizes given once.",
    ),
    ("leaderboards.id", "Leaderboard id"),
    ("leaderboards.name", "Name"),
    ("leaderboards.metric", "Metric"),
    ("leaderboards.period", "Period"),
    ("leaderboards.current", "Current period"),
    ("leaderboards.ranked", "Ranked"),
    ("leaderboards.contests", "Settled contests"),
    ("leaderboards.edit", "Edit"),
    ("leaderboards.open", "Open"),
    ("leaderboards.none", "No leaderboards yet."),
    ("leaderboards.define", "Define or change a leaderboard"),
    (
        "leaderboards.define_help",
        "As JSON, as PUT /v1/leaderboards/{id} takes it: name, description, metric (points, spend, events of a type, meter), period (all_time, week, month, window), contest (prizes).",
    ),
    ("leaderboards.definition", "Definition (JSON)"),
    ("leaderboards.id_required", "Give the leaderboard an id"),
    ("leaderboards.standings", "Top 20"),
    ("leaderboards.live", "Live standings"),
    ("leaderboards.final", "Final standings"),
    ("leaderboards.rank", "Rank"),
    ("leaderboards.member", "Member"),
    ("leaderboards.score", "Score"),
    (
        "leaderboards.nobody",
        "Nobody is ranked in this period yet.",
    ),
    ("leaderboards.contest_list", "Contests"),
    ("leaderboards.settled_at", "Settled at"),
    ("leaderboards.winners", "Winners"),
    ("leaderboards.no_contests", "No contest settled yet."),
    ("leaderboards.settle", "Settle now"),
    (
        "leaderboards.settle_help",
        "These periods have ended and are not settled: settling freezes the final standings and gives the prizes (once).",
    ),
    ("leaderboards.settled", "Contest settled"),
    ("leaderboards.metric.points", "Points"),
    ("leaderboards.metric.spend", "Spend (fen)"),
    ("leaderboards.metric.events", "Events"),
    ("leaderboards.metric.meter", "Meter"),
    ("leaderboards.period.all_time", "All time"),
    ("leaderboards.period.week", "Weekly"),
    ("leaderboards.period.month", "Monthly"),
    ("leaderboards.period.window", "Window"),
    ("leaderboards.period.campaign", "Campaign"),
];
