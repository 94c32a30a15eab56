//! The badges page: the program's badges, each level with how many members earned it, and a
//! form to define or change one as the JSON `PUT /v1/badges/{id}` takes. Saving is a `/v1`
//! request ([`api::call_raw`]): the API checks the definition and the page shows its refusal.

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

pub fn routes() -> Vec<Route> {
    vec![
        Route::new(Method::GET, "/console/badges", Perm::View, get(page)),
        Route::new(Method::POST, "/console/badges", Perm::Configure, post(save)),
    ]
}

/// A level as the list shows it.
pub struct LevelRow {
    pub name: String,
    pub criteria: String,
    pub members: i64,
}

/// A badge as the list shows it.
pub struct BadgeRow {
    pub id: String,
    pub name: String,
    pub status: String,
    pub levels: Vec<LevelRow>,
}

#[derive(Template)]
#[template(path = "console/badges.html")]
struct BadgesPage {
    chrome: Chrome,
    badges: Vec<BadgeRow>,
    /// The form: the id and the definition as JSON.
    id: String,
    definition: String,
    /// The API's refusal: (field, message).
    failure: Option<(String, String)>,
}

/// `?edit=<id>` opens a badge's definition in the form.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    edit: Option<String>,
}

/// The form as posted.
#[derive(Debug, Default, Deserialize)]
pub struct BadgeForm {
    #[serde(default)]
    id: String,
    #[serde(default)]
    definition: String,
}

/// What a new badge's form starts with.
fn example() -> String {
    serde_json::to_string_pretty(&json!({
        "name": "打卡达人",
        "description": "",
        "levels": [
            {"name": "铜", "progress": "member.counts.check_in", "target": 7,
             "reward": {"points": 20}},
            {"name": "银", "progress": "member.counts.check_in", "target": 30},
            {"name": "金", "progress": "member.counts.check_in", "target": 100}
        ]
    }))
    .unwrap_or_default()
}

/// A definition as the form shows it: what `PUT /v1/badges/{id}` takes.
fn definition_of(b: &Value) -> String {
    let levels: Vec<Value> = b["levels"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|mut l| {
            if let Some(o) = l.as_object_mut() {
                o.remove("level");
                o.remove("members");
            }
            l
        })
        .collect();
    serde_json::to_string_pretty(&json!({
        "name": b["name"],
        "description": b["description"].as_str().unwrap_or_default(),
        "levels": levels,
        "status": b["status"],
    }))
    .unwrap_or_default()
}

fn rows(list: &Value) -> Vec<BadgeRow> {
    list["data"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|b| BadgeRow {
            id: b["id"].as_str().unwrap_or_default().to_owned(),
            name: b["name"].as_str().unwrap_or_default().to_owned(),
            status: b["status"].as_str().unwrap_or_default().to_owned(),
            levels: b["levels"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .map(|l| LevelRow {
                    name: l["name"].as_str().unwrap_or_default().to_owned(),
                    criteria: [
                        l["progress"]
                            .as_str()
                            .map(|p| format!("{p} ≥ {}", l["target"])),
                        l["condition"].as_str().map(str::to_owned),
                    ]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" && "),
                    members: l["members"].as_i64().unwrap_or(0),
                })
                .collect(),
        })
        .collect()
}

async fn render(
    state: &AppState,
    session: &Session,
    form: (String, String),
    failure: Option<(String, String)>,
    toast: Option<Toast>,
) -> Result<Response, Failure> {
    let list = api::get(state, session, "/v1/badges").await?;
    Ok(html(&BadgesPage {
        chrome: Chrome::new(session, "badges", "/console/badges").with_toast(toast),
        badges: rows(&list),
        id: form.0,
        definition: form.1,
        failure,
    }))
}

/// `GET /console/badges[?edit=<id>]`.
async fn page(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<PageQuery>,
) -> Result<Response, Failure> {
    let form = match q.edit.filter(|e| !e.is_empty()) {
        Some(id) => {
            let b = api::get(&state, &session, &format!("/v1/badges/{}", seg(&id))).await?;
            (id, definition_of(&b))
        }
        None => (String::new(), example()),
    };
    render(&state, &session, form, None, None).await
}

/// `POST /console/badges`: saves the form's definition through `PUT /v1/badges/{id}`.
async fn save(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<BadgeForm>,
) -> Result<Response, Failure> {
    let id = form.id.trim().to_owned();
    let result = api::put_definition(
        &state,
        &session,
        "/v1/badges",
        &id,
        &form.definition,
        "badges.id_required",
    )
    .await;
    match result {
        Ok(a) => {
            let saved = definition_of(&a.body);
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

pub const ZH: &[(&str, &str)] = &[
    ("nav.badges", "勋章"),
    ("badges.title", "勋章"),
    ("badges.list", "全部勋章"),
    (
        "badges.help",
        "每一级勋章每位会员只获得一次；“会员数”是获得该级的会员人数。",
    ),
    ("badges.id", "勋章 ID"),
    ("badges.name", "名称"),
    ("badges.status", "状态"),
    ("badges.levels", "等级"),
    ("badges.criteria", "条件"),
    ("badges.members", "会员数"),
    ("badges.edit", "编辑"),
    ("badges.none", "还没有勋章。"),
    ("badges.define", "定义或修改勋章"),
    (
        "badges.define_help",
        "以 JSON 填写，与 PUT /v1/badges/{id} 相同：name、description、levels（每级的 name、progress 与 target、condition、reward）、status。",
    ),
    ("badges.definition", "定义（JSON）"),
    ("badges.id_required", "请填写勋章 ID"),
    ("badges.status.active", "启用"),
    ("badges.status.archived", "已归档"),
];

pub const EN: &[(&str, &str)] = &[
    ("nav.badges", "Badges"),
    ("badges.title", "Badges"),
    ("badges.list", "All badges"),
    (
        "badges.help",
        "Each level of a badge is earned once per member; “Members” counts the members who earned the level.",
    ),
    ("badges.id", "Badge id"),
    ("badges.name", "Name"),
    ("badges.status", "Status"),
    ("badges.levels", "Levels"),
    ("badges.criteria", "Criteria"),
    ("badges.members", "Members"),
    ("badges.edit", "Edit"),
    ("badges.none", "No badges yet."),
    ("badges.define", "Define or change a badge"),
    (
        "badges.define_help",
        "As JSON, as PUT /v1/badges/{id} takes it: name, description, levels (each with name, progress and target, condition, reward), status.",
    ),
    ("badges.definition", "Definition (JSON)"),
    ("badges.id_required", "Give the badge an id"),
    ("badges.status.active", "Active"),
    ("badges.status.archived", "Archived"),
];
