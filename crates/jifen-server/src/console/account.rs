//! The operator's own page: programs (and switching between them), sessions (and revoking
//! them), the password; and signing out.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::app::AppState;
use crate::console::auth::{self, MIN_PASSWORD, Perm, Session};
use crate::console::{Chrome, Failure, Route, Toast, html};

pub fn routes() -> Vec<Route> {
    vec![
        Route::new(Method::GET, "/console/account", Perm::View, get(page)),
        Route::new(
            Method::POST,
            "/console/account/sessions/{id}/revoke",
            Perm::View,
            post(revoke),
        ),
        Route::new(
            Method::POST,
            "/console/account/password",
            Perm::View,
            post(change_password),
        ),
        Route::new(
            Method::POST,
            "/console/program",
            Perm::View,
            post(switch_program),
        ),
        Route::new(Method::POST, "/console/logout", Perm::View, post(logout)),
    ]
}

pub struct ProgramRow {
    pub id: String,
    pub name: String,
    pub role: String,
    pub current: bool,
}

pub struct SessionRow {
    pub id: String,
    pub started: String,
    pub last_seen: String,
    pub expires: String,
    pub address: String,
    pub browser: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "console/account.html")]
struct AccountPage {
    chrome: Chrome,
    programs: Vec<ProgramRow>,
    sessions: Vec<SessionRow>,
}

/// An instant as the program's operators read it: local time in the program's zone.
pub fn local_time(session: &Session, at: jifen_core::Timestamp) -> String {
    let tz = crate::service::program_tz(&session.program);
    at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

async fn render(
    state: &AppState,
    session: &Session,
    toast: Option<Toast>,
) -> Result<Response, Failure> {
    let mut programs = Vec::new();
    for (id, role) in state.store.roles_of(&session.operator.id).await? {
        let name = state
            .store
            .get_program(&id)
            .await?
            .map(|p| p.name)
            .unwrap_or_default();
        programs.push(ProgramRow {
            current: id == session.program.id,
            id,
            name,
            role: session.lang.t(&format!("role.{role}")).to_owned(),
        });
    }
    let sessions = state
        .store
        .live_sessions(&session.operator.id, state.clock.now())
        .await?
        .into_iter()
        .map(|s| SessionRow {
            current: s.id == session.id,
            started: local_time(session, s.created_at),
            last_seen: local_time(session, s.last_seen_at),
            expires: local_time(session, s.expires_at),
            address: s.address.unwrap_or_default(),
            browser: s.user_agent.unwrap_or_default(),
            id: s.id,
        })
        .collect();
    Ok(html(&AccountPage {
        chrome: Chrome::new(session, "account", "/console/account").with_toast(toast),
        programs,
        sessions,
    }))
}

async fn page(State(state): State<AppState>, session: Session) -> Result<Response, Failure> {
    render(&state, &session, None).await
}

async fn revoke(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let done = state
        .store
        .revoke_session(&session.operator.id, &id, state.clock.now())
        .await?;
    if !done {
        return Err(Failure::NotFound);
    }
    render(
        &state,
        &session,
        Some(Toast {
            ok: true,
            message: session.lang.t("account.revoked").into(),
        }),
    )
    .await
}

#[derive(Deserialize)]
struct PasswordForm {
    current: String,
    new: String,
}

async fn change_password(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<PasswordForm>,
) -> Result<Response, Failure> {
    let lang = session.lang;
    let Some((_, hash)) = state
        .store
        .operator_by_email(&session.operator.email)
        .await?
    else {
        return Err(Failure::NotFound);
    };
    if !auth::verify_password(form.current, hash).await {
        return render(
            &state,
            &session,
            Some(Toast::error(lang.t("account.password_wrong"))),
        )
        .await;
    }
    if form.new.chars().count() < MIN_PASSWORD {
        return render(
            &state,
            &session,
            Some(Toast::error(lang.t("account.password_short"))),
        )
        .await;
    }
    let hash = auth::hash_password(form.new).await?;
    state
        .store
        .set_password(&session.operator.id, &hash)
        .await?;
    // Every other session of the operator ends: a changed password is often a lost one.
    let now = state.clock.now();
    for s in state.store.live_sessions(&session.operator.id, now).await? {
        if s.id != session.id {
            state
                .store
                .revoke_session(&session.operator.id, &s.id, now)
                .await?;
        }
    }
    render(
        &state,
        &session,
        Some(Toast {
            ok: true,
            message: lang.t("account.password_changed").into(),
        }),
    )
    .await
}

#[derive(Deserialize)]
struct SwitchForm {
    program_id: String,
}

async fn switch_program(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Form(form): Form<SwitchForm>,
) -> Result<Response, Failure> {
    if state
        .store
        .role_in(&session.operator.id, &form.program_id)
        .await?
        .is_none()
    {
        return Err(Failure::Forbidden);
    }
    state
        .store
        .set_session_program(&session.secret_hash, &form.program_id)
        .await?;
    Ok(auth::redirect(&headers, "/console"))
}

async fn logout(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
) -> Result<Response, Failure> {
    state
        .store
        .revoke_session(&session.operator.id, &session.id, state.clock.now())
        .await?;
    let tls = auth::is_tls(&headers);
    Ok((
        axum::http::StatusCode::SEE_OTHER,
        [
            (header::LOCATION, "/console/login?signed_out=1".to_owned()),
            (
                header::SET_COOKIE,
                auth::set_cookie(auth::COOKIE, "", Some(0), tls),
            ),
        ],
    )
        .into_response())
}
