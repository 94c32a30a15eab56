//! The notification preferences page (消息提醒): which reminders may reach the member on which
//! channel. The page shows every kind on every channel as a checkbox; saving sends all of them
//! with `PUT /v1/members/{id}/notification-preferences` (source `portal`), so each change is
//! saved and appended to the member's consent records, and a choice that changes nothing
//! writes nothing.

use askama::Template;
use axum::extract::{Form, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use jifen_core::reminders::{Channel, ReminderKind};

use super::auth::{Visit, call_method};
use super::i18n::fill;
use super::{Chrome, Failure, html};
use crate::app::AppState;
use crate::console::api::seg;

/// One checkbox: a kind on a channel.
pub struct Toggle {
    pub name: String,
    pub channel_label: &'static str,
    pub checked: bool,
}

/// A kind with its channels.
pub struct KindRow {
    pub kind: &'static str,
    pub label: &'static str,
    pub help: &'static str,
    pub toggles: Vec<Toggle>,
}

#[derive(Template)]
#[template(path = "portal/notifications.html")]
struct NotificationsPage {
    chrome: Chrome,
    css: String,
    csrf: String,
    action: String,
    kinds: Vec<KindRow>,
    result: Option<String>,
    error: Option<String>,
}

fn path(visit: &Visit) -> String {
    format!(
        "/v1/members/{}/notification-preferences",
        seg(&visit.member.external_id)
    )
}

fn field(kind: ReminderKind, channel: Channel) -> String {
    format!("{}.{}", kind.as_str(), channel.as_str())
}

/// The member's preferences, as the API answers them.
async fn read(state: &AppState, visit: &Visit) -> Result<Value, Failure> {
    let actor = crate::actor::Actor::Portal {
        member_id: visit.member.id.to_string(),
    };
    crate::console::api::call_as(
        state,
        &visit.program,
        actor,
        Method::GET,
        &path(visit),
        None,
    )
    .await
    .map(|a| a.body)
    .map_err(Failure::Answer)
}

/// `GET /portal/{program}/notifications`.
pub async fn page(State(state): State<AppState>, visit: Visit) -> Result<Response, Failure> {
    let prefs = read(&state, &visit).await?;
    Ok(render(&visit, &prefs, None, None))
}

/// `POST /portal/{program}/notifications`: every box, checked or not, is one choice.
pub async fn save(
    State(state): State<AppState>,
    visit: Visit,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, Failure> {
    let mut choices = Vec::new();
    for kind in ReminderKind::ALL {
        for channel in Channel::ALL {
            let name = field(kind, channel);
            let enabled = form.iter().any(|(k, v)| *k == name && v == "on");
            choices.push(json!({
                "kind": kind.as_str(), "channel": channel.as_str(), "enabled": enabled
            }));
        }
    }
    let body = json!({"preferences": choices, "source": "portal"});
    match call_method(&state, &visit, Method::PUT, &path(&visit), body).await {
        Ok(prefs) => Ok(render(
            &visit,
            &prefs,
            Some(visit.t("notifications.saved").to_owned()),
            None,
        )),
        Err(Failure::Answer(a)) if a.status.is_client_error() => {
            let prefs = read(&state, &visit).await?;
            let why = fill(visit.t("notifications.refused"), &[("why", &a.message)]);
            let page = render(&visit, &prefs, None, Some(why));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(f) => Err(f),
    }
}

fn render(visit: &Visit, prefs: &Value, result: Option<String>, error: Option<String>) -> Response {
    let chrome = visit.chrome("home", "notifications");
    let on = |kind: ReminderKind, channel: Channel| {
        prefs["preferences"]
            .as_array()
            .and_then(|all| {
                all.iter()
                    .find(|p| p["kind"] == kind.as_str() && p["channel"] == channel.as_str())
            })
            .is_none_or(|p| p["enabled"] != false)
    };
    let kinds = ReminderKind::ALL
        .iter()
        .map(|&kind| KindRow {
            kind: kind.as_str(),
            label: visit.t(&format!("notifications.kind.{}", kind.as_str())),
            help: visit.t(&format!("notifications.help.{}", kind.as_str())),
            toggles: Channel::ALL
                .iter()
                .map(|&channel| Toggle {
                    name: field(kind, channel),
                    channel_label: visit.t(&format!("notifications.channel.{}", channel.as_str())),
                    checked: on(kind, channel),
                })
                .collect(),
        })
        .collect();
    let page = NotificationsPage {
        css: super::assets::css(),
        csrf: visit.csrf.clone(),
        action: format!("{}notifications", chrome.base),
        kinds,
        result,
        error,
        chrome,
    };
    html(&page)
}
