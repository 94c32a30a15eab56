//! The webhooks pages: the program's endpoints (add one, with its secret shown once), and one
//! endpoint with its recent deliveries — status, response code, latency, error — where the
//! owner rotates its secret, disables or enables it, and replays a message. Every write is a
//! `/v1` request ([`api::call`]): the API checks it and the page shows its refusal.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use jifen_store::webhooks::kind;

use crate::app::AppState;
use crate::console::api::{self, ApiFailure, seg};
use crate::console::auth::{Perm, Session};
use crate::console::{Chrome, Failure, Route, Toast, html};

pub fn routes() -> Vec<Route> {
    vec![
        Route::new(Method::GET, "/console/webhooks", Perm::View, get(page)),
        Route::new(
            Method::POST,
            "/console/webhooks",
            Perm::Administer,
            post(create),
        ),
        Route::new(
            Method::GET,
            "/console/webhooks/{id}",
            Perm::View,
            get(endpoint_page),
        ),
        Route::new(
            Method::POST,
            "/console/webhooks/{id}/rotate",
            Perm::Administer,
            post(rotate),
        ),
        Route::new(
            Method::POST,
            "/console/webhooks/{id}/enabled",
            Perm::Administer,
            post(set_enabled),
        ),
        Route::new(
            Method::POST,
            "/console/webhooks/{id}/replay",
            Perm::Administer,
            post(replay),
        ),
    ]
}

/// An endpoint as the pages show it.
pub struct EndpointRow {
    pub id: String,
    pub url: String,
    pub description: String,
    /// The kinds, or the label for every kind.
    pub kinds: String,
    pub enabled: bool,
    /// `enabled`, `disabled` or `failing` (disabled by the server).
    pub state: &'static str,
    pub state_label: &'static str,
    pub failing_since: String,
}

/// A delivery as the endpoint's page shows it.
pub struct DeliveryRow {
    pub message_id: String,
    pub kind: String,
    pub status: String,
    pub status_label: &'static str,
    pub attempts: i64,
    pub code: String,
    pub latency: String,
    pub error: String,
    pub at: String,
}

#[derive(Template)]
#[template(path = "console/webhooks.html")]
struct ListPage {
    chrome: Chrome,
    endpoints: Vec<EndpointRow>,
    kinds: Vec<&'static str>,
    /// The form as typed (after a refusal).
    url: String,
    description: String,
    checked: Vec<String>,
    failure: Option<(String, String)>,
    /// A new endpoint's secret, shown once.
    secret: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "console/webhook.html")]
struct EndpointPage {
    chrome: Chrome,
    endpoint: EndpointRow,
    deliveries: Vec<DeliveryRow>,
    /// A rotated secret, shown once, and until when the old one still signs.
    secret: Option<(String, String)>,
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// An instant of the API's answer as operators read it (program time), or nothing.
fn when(session: &Session, v: &Value) -> String {
    v.as_str()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| crate::console::account::local_time(session, t.with_timezone(&chrono::Utc)))
        .unwrap_or_default()
}

fn endpoint_row(e: &Value, session: &Session) -> EndpointRow {
    let lang = session.lang;
    let every_kind = lang.t("webhooks.every_kind");
    let kinds: Vec<String> = e["kinds"]
        .as_array()
        .map(|a| a.iter().map(text).collect())
        .unwrap_or_default();
    let enabled = e["enabled"] == true;
    let state = match (enabled, e["disabled_reason"].as_str()) {
        (true, _) => "enabled",
        (false, Some("failing")) => "failing",
        (false, _) => "disabled",
    };
    EndpointRow {
        id: text(&e["id"]),
        url: text(&e["url"]),
        description: text(&e["description"]),
        kinds: if kinds.is_empty() {
            every_kind.to_owned()
        } else {
            kinds.join(", ")
        },
        enabled,
        state,
        state_label: lang.t(&format!("webhooks.state.{state}")),
        failing_since: when(session, &e["failing_since"]),
    }
}

async fn page(State(state): State<AppState>, session: Session) -> Result<Response, Failure> {
    render_list(&state, &session, None, Form::default(), None, None).await
}

/// The form as posted: `url`, `description`, and `kind` once per box ticked.
type Posted = Vec<(String, String)>;

fn field(form: &Posted, name: &str) -> String {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

async fn render_list(
    state: &AppState,
    session: &Session,
    toast: Option<Toast>,
    Form(typed): Form<Posted>,
    failure: Option<(String, String)>,
    secret: Option<(String, String)>,
) -> Result<Response, Failure> {
    let list = api::get(state, session, "/v1/webhooks/endpoints").await?;
    let endpoints = list["data"]
        .as_array()
        .map(|a| a.iter().map(|e| endpoint_row(e, session)).collect())
        .unwrap_or_default();
    let page = ListPage {
        chrome: Chrome::new(session, "webhooks", "/console/webhooks").with_toast(toast),
        endpoints,
        kinds: kind::ALL.to_vec(),
        url: field(&typed, "url"),
        description: field(&typed, "description"),
        checked: typed
            .iter()
            .filter(|(k, _)| k == "kind")
            .map(|(_, v)| v.clone())
            .collect(),
        failure,
        secret,
    };
    Ok(html(&page))
}

async fn create(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<Posted>,
) -> Result<Response, Failure> {
    let kinds: Vec<&str> = form
        .iter()
        .filter(|(k, _)| k == "kind")
        .map(|(_, v)| v.as_str())
        .collect();
    let body = json!({
        "url": field(&form, "url"),
        "description": field(&form, "description"),
        "kinds": kinds,
    });
    match api::call(
        &state,
        &session,
        Method::POST,
        "/v1/webhooks/endpoints",
        Some(body),
    )
    .await
    {
        Ok(a) => {
            let secret = Some((text(&a.body["id"]), text(&a.body["secret"])));
            let toast = Some(Toast::saved(session.lang));
            render_list(&state, &session, toast, Form::default(), None, secret).await
        }
        Err(f) => {
            let toast = Some(refusal(&session, &f));
            let failure = Some((f.field.unwrap_or_default(), f.message));
            render_list(&state, &session, toast, Form(form), failure, None).await
        }
    }
}

fn refusal(session: &Session, f: &ApiFailure) -> Toast {
    Toast::error(format!("{}{}", session.lang.t("toast.failed"), f.message))
}

async fn endpoint_page(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    render_endpoint(&state, &session, &id, None, None).await
}

async fn render_endpoint(
    state: &AppState,
    session: &Session,
    id: &str,
    toast: Option<Toast>,
    secret: Option<(String, String)>,
) -> Result<Response, Failure> {
    let path = format!("/v1/webhooks/endpoints/{}", seg(id));
    let e = api::get(state, session, &path).await?;
    let list = api::get(state, session, &format!("{path}/deliveries?limit=50")).await?;
    let deliveries = list["data"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|d| DeliveryRow {
                    message_id: text(&d["message_id"]),
                    kind: text(&d["kind"]),
                    status: text(&d["status"]),
                    status_label: session
                        .lang
                        .t(&format!("webhooks.status.{}", text(&d["status"]))),
                    attempts: d["attempts"].as_i64().unwrap_or(0),
                    code: text(&d["last_status_code"]),
                    latency: d["last_latency_ms"]
                        .as_i64()
                        .map(|ms| format!("{ms} ms"))
                        .unwrap_or_default(),
                    error: text(&d["last_error"]),
                    at: when(session, &d["updated_at"]),
                })
                .collect()
        })
        .unwrap_or_default();
    let here = format!("/console/webhooks/{}", seg(id));
    let page = EndpointPage {
        chrome: Chrome::new(session, "webhooks", here).with_toast(toast),
        endpoint: endpoint_row(&e, session),
        deliveries,
        secret,
    };
    Ok(html(&page))
}

async fn rotate(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let path = format!("/v1/webhooks/endpoints/{}/rotate-secret", seg(&id));
    match api::call(&state, &session, Method::POST, &path, Some(json!({}))).await {
        Ok(a) => {
            let secret = Some((
                text(&a.body["secret"]),
                text(&a.body["previous_secret_until"]),
            ));
            let toast = Some(Toast::saved(session.lang));
            render_endpoint(&state, &session, &id, toast, secret).await
        }
        Err(f) => {
            let toast = Some(refusal(&session, &f));
            render_endpoint(&state, &session, &id, toast, None).await
        }
    }
}

/// `enabled=true|false`.
#[derive(Debug, Default, Deserialize)]
pub struct EnabledForm {
    #[serde(default)]
    enabled: String,
}

async fn set_enabled(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<EnabledForm>,
) -> Result<Response, Failure> {
    let path = format!("/v1/webhooks/endpoints/{}", seg(&id));
    let body = json!({"enabled": form.enabled == "true"});
    let toast = match api::call(&state, &session, Method::PATCH, &path, Some(body)).await {
        Ok(_) => Toast::saved(session.lang),
        Err(f) => refusal(&session, &f),
    };
    render_endpoint(&state, &session, &id, Some(toast), None).await
}

/// A message to send again to this endpoint.
#[derive(Debug, Default, Deserialize)]
pub struct ReplayForm {
    #[serde(default)]
    message_id: String,
}

async fn replay(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<ReplayForm>,
) -> Result<Response, Failure> {
    let path = format!("/v1/webhooks/messages/{}/replay", seg(&form.message_id));
    let body = json!({"endpoint_id": id});
    let toast = match api::call(&state, &session, Method::POST, &path, Some(body)).await {
        Ok(_) => Toast {
            ok: true,
            message: session.lang.t("webhooks.replayed").into(),
        },
        Err(f) => refusal(&session, &f),
    };
    render_endpoint(&state, &session, &id, Some(toast), None).await
}

/// Simplified Chinese.
pub const ZH: &[(&str, &str)] = &[
    ("nav.webhooks", "Webhooks"),
    ("webhooks.title", "Webhooks"),
    (
        "webhooks.help",
        "jifen 以 Standard Webhooks 规范签名，把会员、积分、等级、券、兑换、结算、礼品与通知消息 POST 到这些地址；失败会按退避重试三天。",
    ),
    ("webhooks.endpoints", "端点"),
    ("webhooks.none", "尚无端点。"),
    ("webhooks.url", "地址"),
    ("webhooks.description", "说明"),
    ("webhooks.kinds", "消息类型"),
    ("webhooks.kinds_help", "不勾选即接收全部类型。"),
    ("webhooks.every_kind", "全部类型"),
    ("webhooks.state", "状态"),
    ("webhooks.state.enabled", "启用"),
    ("webhooks.state.disabled", "停用"),
    ("webhooks.state.failing", "因持续失败已停用"),
    ("webhooks.failing_since", "失败起始"),
    ("webhooks.add", "添加端点"),
    ("webhooks.secret", "签名密钥"),
    (
        "webhooks.secret_once",
        "密钥只显示这一次，请立即保存到接收方：",
    ),
    ("webhooks.old_until", "旧密钥继续签名至"),
    ("webhooks.deliveries", "最近投递"),
    ("webhooks.no_deliveries", "尚无投递。"),
    ("webhooks.message", "消息"),
    ("webhooks.status", "投递状态"),
    ("webhooks.status.pending", "待重试"),
    ("webhooks.status.delivered", "已送达"),
    ("webhooks.status.failed", "失败"),
    ("webhooks.attempts", "尝试次数"),
    ("webhooks.code", "响应码"),
    ("webhooks.latency", "耗时"),
    ("webhooks.error", "错误"),
    ("webhooks.updated", "更新时间"),
    ("webhooks.replay", "重发"),
    ("webhooks.replayed", "已重新排队发送"),
    ("webhooks.rotate", "轮换密钥"),
    ("webhooks.disable", "停用"),
    ("webhooks.enable", "启用"),
    ("webhooks.back", "返回端点列表"),
];

/// English.
pub const EN: &[(&str, &str)] = &[
    ("nav.webhooks", "Webhooks"),
    ("webhooks.title", "Webhooks"),
    (
        "webhooks.help",
        "jifen POSTs signed messages (Standard Webhooks) about members, points, tiers, vouchers, redemptions, checkouts, gifts and notifications to these addresses, retrying failures for three days.",
    ),
    ("webhooks.endpoints", "Endpoints"),
    ("webhooks.none", "No endpoints yet."),
    ("webhooks.url", "URL"),
    ("webhooks.description", "Description"),
    ("webhooks.kinds", "Kinds"),
    ("webhooks.kinds_help", "Tick none to receive every kind."),
    ("webhooks.every_kind", "every kind"),
    ("webhooks.state", "State"),
    ("webhooks.state.enabled", "Enabled"),
    ("webhooks.state.disabled", "Disabled"),
    ("webhooks.state.failing", "Disabled: kept failing"),
    ("webhooks.failing_since", "Failing since"),
    ("webhooks.add", "Add endpoint"),
    ("webhooks.secret", "Signing secret"),
    (
        "webhooks.secret_once",
        "The secret is shown this once: store it with the receiver now:",
    ),
    ("webhooks.old_until", "The old secret still signs until"),
    ("webhooks.deliveries", "Recent deliveries"),
    ("webhooks.no_deliveries", "No deliveries yet."),
    ("webhooks.message", "Message"),
    ("webhooks.status", "Status"),
    ("webhooks.status.pending", "Pending"),
    ("webhooks.status.delivered", "Delivered"),
    ("webhooks.status.failed", "Failed"),
    ("webhooks.attempts", "Attempts"),
    ("webhooks.code", "Response"),
    ("webhooks.latency", "Latency"),
    ("webhooks.error", "Error"),
    ("webhooks.updated", "Updated"),
    ("webhooks.replay", "Replay"),
    ("webhooks.replayed", "Queued to be sent again"),
    ("webhooks.rotate", "Rotate secret"),
    ("webhooks.disable", "Disable"),
    ("webhooks.enable", "Enable"),
    ("webhooks.back", "Back to the endpoints"),
];
