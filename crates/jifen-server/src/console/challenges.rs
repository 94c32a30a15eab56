//! The challenges page: the program's challenges, a form to define or change one as the JSON
//! `PUT /v1/challenges/{id}` takes (saved through `/v1`, so the API checks it and the page shows
//! its refusal), and a preview of who would have completed a saved challenge in its current
//! period, computed over the stored events.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::Method;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::app::AppState;
use crate::console::api::{self, seg};
use crate::console::auth::{Perm, Session};
use crate::console::{Chrome, Failure, Route, Toast, html};
use crate::service::challenges::{Preview, parse, preview};

pub fn routes() -> Vec<Route> {
    vec![
        Route::new(Method::GET, "/console/challenges", Perm::View, get(page)),
        Route::new(
            Method::POST,
            "/console/challenges",
            Perm::Configure,
            post(save),
        ),
    ]
}

/// A challenge as the list shows it.
pub struct Row {
    pub id: String,
    pub name: String,
    pub status: String,
    pub enrollment: String,
    pub goal: String,
    pub period: String,
}

#[derive(Template)]
#[template(path = "console/challenges.html")]
struct ChallengesPage {
    chrome: Chrome,
    rows: Vec<Row>,
    id: String,
    definition: String,
    failure: Option<(String, String)>,
    /// The preview: (challenge id, what it found).
    preview: Option<(String, Preview)>,
}

/// `?edit=<id>` opens a definition in the form; `?preview=<id>` backtests a saved one.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    edit: Option<String>,
    #[serde(default)]
    preview: Option<String>,
}

/// The form as posted.
#[derive(Debug, Default, Deserialize)]
pub struct ChallengeForm {
    #[serde(default)]
    id: String,
    #[serde(default)]
    definition: String,
}

fn example() -> String {
    serde_json::to_string_pretty(&json!({
        "name": "本月体验3种服务",
        "description": "",
        "period": {"kind": "month"},
        "enrollment": "auto",
        "goal": {"measure": "distinct", "distinct": "type",
                 "types": ["check_in", "share", "review"], "target": 3},
        "steps": [{"target": 2, "reward": {"points": 5}}],
        "reward": {"points": 50}
    }))
    .unwrap_or_default()
}

/// A definition as the form shows it: what `PUT /v1/challenges/{id}` takes.
fn definition_of(c: &Value) -> String {
    let mut d = json!({
        "name": c["name"],
        "description": c["description"].as_str().unwrap_or_default(),
        "period": c["period"],
        "enrollment": c["enrollment"],
        "goal": c["goal"],
        "steps": c["steps"],
        "revoke_on_refund": c["revoke_on_refund"],
        "status": c["status"],
    });
    if !c["reward"].is_null() {
        d["reward"] = c["reward"].clone();
    }
    serde_json::to_string_pretty(&d).unwrap_or_default()
}

fn rows(list: &Value) -> Vec<Row> {
    list["data"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|c| Row {
            id: c["id"].as_str().unwrap_or_default().to_owned(),
            name: c["name"].as_str().unwrap_or_default().to_owned(),
            status: c["status"].as_str().unwrap_or_default().to_owned(),
            enrollment: c["enrollment"].as_str().unwrap_or_default().to_owned(),
            goal: format!(
                "{} {} ≥ {}",
                c["goal"]["measure"].as_str().unwrap_or_default(),
                c["goal"]["distinct"].as_str().unwrap_or_default(),
                c["goal"]["target"]
            ),
            period: c["current_period"].as_str().unwrap_or_default().to_owned(),
        })
        .collect()
}

async fn render(
    state: &AppState,
    session: &Session,
    form: (String, String),
    failure: Option<(String, String)>,
    toast: Option<Toast>,
    preview: Option<(String, Preview)>,
) -> Result<Response, Failure> {
    let list = api::get(state, session, "/v1/challenges").await?;
    Ok(html(&ChallengesPage {
        chrome: Chrome::new(session, "challenges", "/console/challenges").with_toast(toast),
        rows: rows(&list),
        id: form.0,
        definition: form.1,
        failure,
        preview,
    }))
}

/// `GET /console/challenges[?edit=<id>][&preview=<id>]`.
async fn page(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<PageQuery>,
) -> Result<Response, Failure> {
    let form = match q.edit.filter(|e| !e.is_empty()) {
        Some(id) => {
            let c = api::get(&state, &session, &format!("/v1/challenges/{}", seg(&id))).await?;
            (id, definition_of(&c))
        }
        None => (String::new(), example()),
    };
    let shown = match q.preview.filter(|p| !p.is_empty()) {
        Some(id) => {
            let program = &session.program;
            let row = state
                .store
                .challenge(&program.id, &id)
                .await
                .map_err(crate::error::ApiError::from)?
                .ok_or_else(|| crate::error::ApiError::ChallengeNotFound(id.clone()))?;
            let spec = parse(&row)?;
            Some((id, preview(&state, program, &spec).await?))
        }
        None => None,
    };
    render(&state, &session, form, None, None, shown).await
}

/// `POST /console/challenges`: saves the form's definition through `PUT /v1/challenges/{id}`.
async fn save(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<ChallengeForm>,
) -> Result<Response, Failure> {
    let id = form.id.trim().to_owned();
    let result = api::put_definition(
        &state,
        &session,
        "/v1/challenges",
        &id,
        &form.definition,
        "challenges.id_required",
    )
    .await;
    match result {
        Ok(a) => {
            let saved = definition_of(&a.body);
            let toast = Some(Toast::saved(session.lang));
            render(&state, &session, (id, saved), None, toast, None).await
        }
        Err(f) => {
            let (toast, failure) = f.shown(&session);
            let (toast, failure) = (Some(toast), Some(failure));
            render(
                &state,
                &session,
                (id, form.definition),
                failure,
                toast,
                None,
            )
            .await
        }
    }
}

pub const ZH: &[(&str, &str)] = &[
    ("nav.challenges", "挑战"),
    ("challenges.title", "挑战"),
    ("challenges.list", "全部挑战"),
    ("challenges.name", "名称"),
    ("challenges.status", "状态"),
    ("challenges.enrollment", "参与方式"),
    ("challenges.goal", "目标"),
    ("challenges.period", "当前周期"),
    ("challenges.edit", "编辑"),
    ("challenges.preview", "预览"),
    ("challenges.none", "还没有挑战。"),
    ("challenges.define", "定义或修改挑战"),
    (
        "challenges.define_help",
        "以 JSON 填写，与 PUT /v1/challenges/{id} 相同：name、period、enrollment、goal（measure、types、distinct、target）、steps、reward、revoke_on_refund、status。",
    ),
    ("challenges.definition", "定义（JSON）"),
    ("challenges.id", "挑战 ID"),
    ("challenges.id_required", "请填写挑战 ID"),
    ("challenges.preview_title", "谁会完成：按已存事件回测"),
    (
        "challenges.preview_help",
        "按当前周期内已存的事件计算（最多读取 50,000 条），视所有会员为已参加。",
    ),
    ("challenges.preview_counts", "读取事件"),
    ("challenges.preview_members", "有进度的会员"),
    ("challenges.preview_completed", "会完成的会员"),
    ("challenges.preview_truncated", "事件超过上限，结果不完整。"),
    ("challenges.member", "会员"),
    ("challenges.progress", "进度"),
];

pub const EN: &[(&str, &str)] = &[
    ("nav.challenges", "Challenges"),
    ("challenges.title", "Challenges"),
    ("challenges.list", "All challenges"),
    ("challenges.name", "Name"),
    ("challenges.status", "Status"),
    ("challenges.enrollment", "Enrollment"),
    ("challenges.goal", "Goal"),
    ("challenges.period", "Current period"),
    ("challenges.edit", "Edit"),
    ("challenges.preview", "Preview"),
    ("challenges.none", "No challenges yet."),
    ("challenges.define", "Define or change a challenge"),
    (
        "challenges.define_help",
        "As JSON, as PUT /v1/challenges/{id} takes it: name, period, enrollment, goal (measure, types, distinct, target), steps, reward, revoke_on_refund, status.",
    ),
    ("challenges.definition", "Definition (JSON)"),
    ("challenges.id", "Challenge id"),
    ("challenges.id_required", "Give the challenge an id"),
    (
        "challenges.preview_title",
        "Who would have completed it: a backtest over stored events",
    ),
    (
        "challenges.preview_help",
        "Computed over the events stored for the current period (at most 50,000 read), every member counted as joined.",
    ),
    ("challenges.preview_counts", "Events read"),
    ("challenges.preview_members", "Members with progress"),
    (
        "challenges.preview_completed",
        "Members who would complete it",
    ),
    (
        "challenges.preview_truncated",
        "More events than the limit: the result is partial.",
    ),
    ("challenges.member", "Member"),
    ("challenges.progress", "Progress"),
];
