//! The segments pages: the program's segments with their sizes, an editor whose count follows
//! the condition as it is typed (each keystroke pause asks `POST /v1/segment-previews`, so the
//! count and the errors are the API's own), a segment's members by page, and their CSV.
//! Saving is `PUT /v1/segments/{slug}` through the API ([`api::call`]).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{Method, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::app::AppState;
use crate::console::api::{self, ApiFailure, seg};
use crate::console::auth::{Perm, Session};
use crate::console::{Chrome, Failure, Route, Toast, html};

pub fn routes() -> Vec<Route> {
    vec![
        Route::new(Method::GET, "/console/segments", Perm::View, get(page)),
        Route::new(
            Method::POST,
            "/console/segments",
            Perm::Configure,
            post(save),
        ),
        // A preview writes nothing: every role may count.
        Route::new(
            Method::POST,
            "/console/segments/preview",
            Perm::View,
            post(preview),
        ),
        Route::new(
            Method::GET,
            "/console/segments/{slug}",
            Perm::View,
            get(members),
        ),
        Route::new(
            Method::GET,
            "/console/segments/{slug}/members.csv",
            Perm::View,
            get(export),
        ),
    ]
}

/// A segment as the list shows it.
pub struct SegmentRow {
    pub slug: String,
    pub name: String,
    pub condition: String,
    pub members: i64,
    pub refreshed: bool,
}

/// The editor's fields.
#[derive(Debug, Default, Deserialize)]
pub struct SegmentForm {
    #[serde(default)]
    slug: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    condition: String,
}

#[derive(Template)]
#[template(path = "console/segments.html")]
struct SegmentsPage {
    chrome: Chrome,
    segments: Vec<SegmentRow>,
    form: SegmentForm,
    /// The API's refusal: (field, message).
    failure: Option<(String, String)>,
    preview: PreviewView,
}

/// What the live count shows.
#[derive(Default)]
pub struct PreviewView {
    pub empty: bool,
    pub members: i64,
    pub judged: i64,
    pub failed: i64,
    pub sample: Vec<String>,
    /// The API's refusal of the condition.
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "console/_segment_preview.html")]
struct PreviewFragment {
    chrome: Chrome,
    preview: PreviewView,
}

/// `?edit=<slug>` opens a segment in the editor.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    edit: Option<String>,
}

fn rows(list: &Value) -> Vec<SegmentRow> {
    list["data"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|s| SegmentRow {
            slug: s["slug"].as_str().unwrap_or_default().to_owned(),
            name: s["name"].as_str().unwrap_or_default().to_owned(),
            condition: s["condition"].as_str().unwrap_or_default().to_owned(),
            members: s["members"].as_i64().unwrap_or(0),
            refreshed: s["refreshed"].as_bool().unwrap_or(false),
        })
        .collect()
}

/// Counts the condition's members through the API.
async fn count(state: &AppState, session: &Session, condition: &str) -> PreviewView {
    if condition.trim().is_empty() {
        return PreviewView {
            empty: true,
            ..PreviewView::default()
        };
    }
    match api::call(
        state,
        session,
        Method::POST,
        "/v1/segment-previews",
        Some(json!({"condition": condition})),
    )
    .await
    {
        Ok(a) => PreviewView {
            empty: false,
            members: a.body["members"].as_i64().unwrap_or(0),
            judged: a.body["judged"].as_i64().unwrap_or(0),
            failed: a.body["failed"].as_i64().unwrap_or(0),
            sample: a.body["sample"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect(),
            error: None,
        },
        Err(f) => PreviewView {
            error: Some(f.message),
            ..PreviewView::default()
        },
    }
}

async fn render(
    state: &AppState,
    session: &Session,
    form: SegmentForm,
    failure: Option<(String, String)>,
    toast: Option<Toast>,
) -> Result<Response, Failure> {
    let list = api::get(state, session, "/v1/segments").await?;
    let preview = count(state, session, &form.condition).await;
    Ok(html(&SegmentsPage {
        chrome: Chrome::new(session, "segments", "/console/segments").with_toast(toast),
        segments: rows(&list),
        form,
        failure,
        preview,
    }))
}

/// `GET /console/segments[?edit=<slug>]`.
async fn page(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<PageQuery>,
) -> Result<Response, Failure> {
    let form = match q.edit.filter(|e| !e.is_empty()) {
        Some(slug) => {
            let s = api::get(&state, &session, &format!("/v1/segments/{}", seg(&slug))).await?;
            SegmentForm {
                slug,
                name: s["name"].as_str().unwrap_or_default().to_owned(),
                description: s["description"].as_str().unwrap_or_default().to_owned(),
                condition: s["condition"].as_str().unwrap_or_default().to_owned(),
            }
        }
        None => SegmentForm {
            condition: "recency_days > 90 && monetary_365d > 100000".into(),
            ..SegmentForm::default()
        },
    };
    render(&state, &session, form, None, None).await
}

/// `POST /console/segments/preview`: the live count, as a fragment.
async fn preview(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<SegmentForm>,
) -> Result<Response, Failure> {
    let preview = count(&state, &session, &form.condition).await;
    Ok(html(&PreviewFragment {
        chrome: Chrome::new(&session, "segments", "/console/segments"),
        preview,
    }))
}

/// `POST /console/segments`: saves the editor through `PUT /v1/segments/{slug}`.
async fn save(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<SegmentForm>,
) -> Result<Response, Failure> {
    let slug = form.slug.trim().to_owned();
    let result = if slug.is_empty() {
        Err(ApiFailure {
            status: axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid_request".into(),
            message: session.lang.t("segments.slug_required").into(),
            field: Some("slug".into()),
        })
    } else {
        api::call(
            &state,
            &session,
            Method::PUT,
            &format!("/v1/segments/{}", seg(&slug)),
            Some(json!({
                "name": form.name,
                "description": form.description,
                "condition": form.condition,
            })),
        )
        .await
    };
    let form = SegmentForm { slug, ..form };
    match result {
        Ok(_) => {
            let toast = Some(Toast::saved(session.lang));
            render(&state, &session, form, None, toast).await
        }
        Err(f) => {
            let toast = Some(Toast::error(format!(
                "{}{}",
                session.lang.t("toast.failed"),
                f.message
            )));
            let failure = Some((f.field.unwrap_or_default(), f.message));
            render(&state, &session, form, failure, toast).await
        }
    }
}

#[derive(Template)]
#[template(path = "console/segment.html")]
struct MembersPage {
    chrome: Chrome,
    slug: String,
    name: String,
    condition: String,
    size: i64,
    members: Vec<(String, String)>,
    next: Option<String>,
}

/// `?after=` pages through the members.
#[derive(Debug, Default, Deserialize)]
pub struct MembersQuery {
    #[serde(default)]
    after: Option<String>,
}

/// `GET /console/segments/{slug}`: the segment's members, 50 a page.
async fn members(
    State(state): State<AppState>,
    session: Session,
    Path(slug): Path<String>,
    Query(q): Query<MembersQuery>,
) -> Result<Response, Failure> {
    let s = api::get(&state, &session, &format!("/v1/segments/{}", seg(&slug))).await?;
    let mut path = format!("/v1/segments/{}/members?limit=50", seg(&slug));
    if let Some(after) = q.after.filter(|a| !a.is_empty()) {
        path.push_str(&format!("&after={}", seg(&after)));
    }
    let page = api::get(&state, &session, &path).await?;
    let members = page["data"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|m| {
            (
                m["external_id"].as_str().unwrap_or_default().to_owned(),
                m["since"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    Ok(html(&MembersPage {
        chrome: Chrome::new(&session, "segments", "/console/segments"),
        name: s["name"].as_str().unwrap_or_default().to_owned(),
        condition: s["condition"].as_str().unwrap_or_default().to_owned(),
        size: s["members"].as_i64().unwrap_or(0),
        slug,
        members,
        next: page["next"].as_str().map(str::to_owned),
    }))
}

/// `GET /console/segments/{slug}/members.csv`: the API's export, as a download.
async fn export(
    State(state): State<AppState>,
    session: Session,
    Path(slug): Path<String>,
) -> Result<Response, Failure> {
    let csv = crate::service::segments::members_csv(&state, &session.program, &slug).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"segment-{slug}.csv\""),
            ),
        ],
        csv,
    )
        .into_response())
}

pub const ZH: &[(&str, &str)] = &[
    ("nav.segments", "人群"),
    ("segments.title", "人群"),
    ("segments.list", "全部人群"),
    (
        "segments.help",
        "人群是对会员特征（最近活跃天数、近 365 天购买次数与金额、RFM 分、等级、标签、计量、资料、身份、各渠道最近活跃）的 CEL 条件；会员随事件实时进出，每天全量刷新一次。",
    ),
    ("segments.slug", "人群 ID"),
    ("segments.name", "名称"),
    ("segments.description", "说明"),
    ("segments.condition", "条件（CEL）"),
    ("segments.members", "会员数"),
    ("segments.refreshing", "刷新中"),
    ("segments.edit", "编辑"),
    ("segments.view", "查看会员"),
    ("segments.none", "还没有人群。"),
    ("segments.define", "定义或修改人群"),
    (
        "segments.define_help",
        "例如 recency_days > 90 && monetary_365d > 100000（沉睡的高价值会员）。金额以分计。",
    ),
    ("segments.slug_required", "请填写人群 ID"),
    ("segments.preview", "符合条件的会员"),
    ("segments.preview_of", "人，共评估"),
    ("segments.preview_failed", "位会员无法评估（不计入）"),
    ("segments.preview_empty", "填写条件后显示人数。"),
    ("segments.preview_error", "条件有误："),
    ("segments.export", "导出 CSV"),
    ("segments.member", "会员"),
    ("segments.since", "加入时间"),
    ("segments.next", "下一页"),
    ("segments.back", "返回人群列表"),
    ("segments.no_members", "这个人群目前没有会员。"),
];

pub const EN: &[(&str, &str)] = &[
    ("nav.segments", "Segments"),
    ("segments.title", "Segments"),
    ("segments.list", "All segments"),
    (
        "segments.help",
        "A segment is a CEL condition over members' features (recency, purchases and spend over 365 days, RFM scores, tier, tags, meters, profile, identities, last activity per site); members move in and out with their events, and every segment is refreshed daily.",
    ),
    ("segments.slug", "Segment id"),
    ("segments.name", "Name"),
    ("segments.description", "Description"),
    ("segments.condition", "Condition (CEL)"),
    ("segments.members", "Members"),
    ("segments.refreshing", "refreshing"),
    ("segments.edit", "Edit"),
    ("segments.view", "Members"),
    ("segments.none", "No segments yet."),
    ("segments.define", "Define or change a segment"),
    (
        "segments.define_help",
        "For example recency_days > 90 && monetary_365d > 100000 (lapsed high-value). Money is in fen.",
    ),
    ("segments.slug_required", "Give the segment an id"),
    ("segments.preview", "Members it admits"),
    ("segments.preview_of", "of"),
    (
        "segments.preview_failed",
        "members could not be judged (left out)",
    ),
    (
        "segments.preview_empty",
        "Type a condition to see how many members it admits.",
    ),
    ("segments.preview_error", "The condition is wrong:"),
    ("segments.export", "Export CSV"),
    ("segments.member", "Member"),
    ("segments.since", "In since"),
    ("segments.next", "Next page"),
    ("segments.back", "Back to segments"),
    ("segments.no_members", "This segment has no members now."),
];
