//! The member's challenges: a card per active challenge with its progress bar, the steps
//! reached, and a join button for an opt-in challenge not joined yet (the join goes through the
//! service of `POST /v1/members/{id}/challenges/{challenge}/join`).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;

use super::auth::Visit;
use super::i18n::fill;
use super::{Chrome, Failure, html};
use crate::app::AppState;

/// One challenge's card.
pub struct Card {
    pub id: String,
    pub name: String,
    pub description: String,
    pub status: String,
    pub progress: String,
    pub percent: i64,
    pub ends: String,
    pub steps: Vec<String>,
    pub can_join: bool,
}

#[derive(Template)]
#[template(path = "portal/challenges.html")]
struct ChallengesPage {
    chrome: Chrome,
    css: String,
    csrf: String,
    cards: Vec<Card>,
    result: Option<String>,
}

/// `GET /portal/{program}/challenges`.
pub async fn page(State(state): State<AppState>, visit: Visit) -> Result<Response, Failure> {
    render(&state, &visit, None).await
}

/// `POST /portal/{program}/challenges/{challenge}/join` (the CSRF token is checked by the
/// guard): joins, then shows the page. Joining twice changes nothing.
pub async fn join(
    State(state): State<AppState>,
    visit: Visit,
    Path((_, challenge)): Path<(String, String)>,
) -> Result<Response, Failure> {
    crate::api::challenges::join(&state, &visit.program, &visit.member, &challenge, None).await?;
    let result = visit.t("challenges.joined").to_owned();
    render(&state, &visit, Some(result)).await
}

async fn render(
    state: &AppState,
    visit: &Visit,
    result: Option<String>,
) -> Result<Response, Failure> {
    let program = &visit.program;
    let tz = crate::service::program_tz(program);
    let mine = crate::api::challenges::member_challenges(state, program, &visit.member).await?;
    let cards = mine
        .iter()
        .map(|c| Card {
            id: c.challenge.clone(),
            name: c.name.clone(),
            description: c.description.clone(),
            status: visit
                .t(&format!("challenges.status.{}", c.status))
                .to_owned(),
            progress: fill(
                visit.t("challenges.progress"),
                &[
                    ("value", &c.progress.to_string()),
                    ("target", &c.target.to_string()),
                ],
            ),
            percent: (c.progress.clamp(0, c.target) * 100)
                .checked_div(c.target)
                .unwrap_or(0),
            ends: c
                .ends_at
                .map(|e| {
                    fill(
                        visit.t("challenges.ends"),
                        &[(
                            "date",
                            &e.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(),
                        )],
                    )
                })
                .unwrap_or_default(),
            steps: c
                .steps
                .iter()
                .map(|s| {
                    let name = if s.name.is_empty() {
                        s.target.to_string()
                    } else {
                        s.name.clone()
                    };
                    let key = if s.reached {
                        "challenges.step_reached"
                    } else {
                        "challenges.step"
                    };
                    fill(
                        visit.t(key),
                        &[("step", &name), ("target", &s.target.to_string())],
                    )
                })
                .collect(),
            can_join: c.status == "not_joined",
        })
        .collect();
    Ok(html(&ChallengesPage {
        chrome: visit.chrome("home", "challenges"),
        css: super::assets::css(),
        csrf: visit.csrf.clone(),
        cards,
        result,
    }))
}
