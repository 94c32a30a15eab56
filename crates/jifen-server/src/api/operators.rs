//! The program's console operators and their roles, and the console's settings: what the owner
//! manages on the console's settings page, reachable with a key like everything else (and so
//! validated, and recorded in the audit log, once).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use jifen_store::Program;
use jifen_store::console::{Operator, Role};

use crate::app::AppState;
use crate::console::operators::{add, normalize_email};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, Auth};

/// An operator of the program.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OperatorOut {
    pub id: String,
    /// Lower-cased; the operator's sign-in name.
    pub email: String,
    pub name: String,
    /// `owner`, `marketer`, `support` or `viewer`.
    pub role: String,
    pub created_at: DateTime<Utc>,
    /// The account's one-time password: only in the answer that created the account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

impl OperatorOut {
    fn new(o: &Operator, role: Role) -> Self {
        OperatorOut {
            id: o.id.clone(),
            email: o.email.clone(),
            name: o.name.clone(),
            role: role.as_str().to_owned(),
            created_at: o.created_at,
            password: None,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OperatorList {
    pub data: Vec<OperatorOut>,
}

/// A role for an operator, and a name for a new account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OperatorIn {
    /// `owner`, `marketer`, `support` or `viewer`.
    pub role: String,
    /// The name of a new account (an existing account keeps its own); default: the email's
    /// part before `@`.
    #[serde(default)]
    pub name: Option<String>,
}

/// List the program's console operators and their roles.
#[utoipa::path(get, path = "/v1/operators", tag = "operators",
    responses((status = 200, body = OperatorList)))]
pub async fn list_operators(
    State(state): State<AppState>,
    Auth(program): Auth,
) -> Result<Json<OperatorList>, ApiError> {
    let data = state
        .store
        .program_operators(&program.id)
        .await?
        .iter()
        .map(|(o, r)| OperatorOut::new(o, *r))
        .collect();
    Ok(Json(OperatorList { data }))
}

/// The operator with this (already normalized) email and their role in the program.
async fn member_of(
    state: &AppState,
    program: &Program,
    email: &str,
) -> Result<Option<(Operator, Role)>, ApiError> {
    Ok(state
        .store
        .program_operators(&program.id)
        .await?
        .into_iter()
        .find(|(o, _)| o.email == email))
}

/// Refuses a change that would leave the program without an owner: someone must still be able
/// to manage keys and users.
async fn keep_an_owner(
    state: &AppState,
    program: &Program,
    email: &str,
    field: &str,
) -> Result<(), ApiError> {
    let owners: Vec<String> = state
        .store
        .program_operators(&program.id)
        .await?
        .into_iter()
        .filter(|(_, r)| *r == Role::Owner)
        .map(|(o, _)| o.email)
        .collect();
    if owners.len() == 1 && owners[0] == email {
        return Err(ApiError::invalid(
            field,
            format!("{email} is the program's last owner: make another operator an owner first"),
        ));
    }
    Ok(())
}

/// Give an operator a role in the program: an existing account gets the role (or a new one),
/// an unknown email gets an account with a one-time password, in this answer only. `201` when
/// the operator joins the program, `200` when its role changed or stayed. The program's last
/// owner cannot be demoted.
#[utoipa::path(put, path = "/v1/operators/{email}", tag = "operators",
    params(("email" = String, Path, description = "The operator's email")),
    request_body = OperatorIn,
    responses((status = 201, body = OperatorOut), (status = 200, body = OperatorOut),
        (status = 422, body = ErrorBody)))]
pub async fn put_operator(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(email): Path<String>,
    ApiJson(body): ApiJson<OperatorIn>,
) -> Result<Response, ApiError> {
    let email = normalize_email(&email)?;
    let role = Role::parse(&body.role)
        .ok_or_else(|| ApiError::invalid("role", "a role is owner, marketer, support or viewer"))?;
    let name = match body.name.as_deref().map(str::trim) {
        Some(n) if n.is_empty() || n.chars().count() > 100 || n.chars().any(char::is_control) => {
            return Err(ApiError::invalid(
                "name",
                "a name is 1 to 100 characters without control characters",
            ));
        }
        n => n,
    };
    let before = member_of(&state, &program, &email).await?;
    if let Some((_, old)) = &before {
        if *old == role {
            let (o, r) = before.ok_or(ApiError::Internal)?;
            return Ok((StatusCode::OK, Json(OperatorOut::new(&o, r))).into_response());
        }
        if *old == Role::Owner {
            keep_an_owner(&state, &program, &email, "role").await?;
        }
    }
    let added = add(&state, &program.id, &email, name, role, None).await?;
    let mut out = OperatorOut::new(&added.operator, role);
    out.password = added.password;
    let status = if before.is_none() {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(out)).into_response())
}

/// Remove an operator from the program: its role goes and its sessions in the program end
/// (the account stays, with its roles in other programs). The program's last owner cannot be
/// removed.
#[utoipa::path(delete, path = "/v1/operators/{email}", tag = "operators",
    params(("email" = String, Path, description = "The operator's email")),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn delete_operator(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(email): Path<String>,
) -> Result<StatusCode, ApiError> {
    let Ok(normal) = normalize_email(&email) else {
        return Err(ApiError::OperatorNotFound(email));
    };
    let Some((operator, role)) = member_of(&state, &program, &normal).await? else {
        return Err(ApiError::OperatorNotFound(normal));
    };
    if role == Role::Owner {
        keep_an_owner(&state, &program, &normal, "email").await?;
    }
    state
        .store
        .set_role(&operator.id, &program.id, None, state.clock.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The console's settings of the program.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ConsoleSettingsOut {
    /// The most points one point adjustment by a `support` operator may add or remove; `null`
    /// while the owner has set none (support operators then adjust without a limit).
    pub support_adjustment_limit: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsoleSettingsIn {
    /// 1 to 1,000,000,000 points.
    pub support_adjustment_limit: i64,
}

/// The largest support adjustment limit: far above any real program, low enough that sums of
/// it stay exact.
pub const MAX_SUPPORT_LIMIT: i64 = 1_000_000_000;

/// Show the console's settings of the program.
#[utoipa::path(get, path = "/v1/console-settings", tag = "operators",
    responses((status = 200, body = ConsoleSettingsOut)))]
pub async fn get_console_settings(
    State(state): State<AppState>,
    Auth(program): Auth,
) -> Result<Json<ConsoleSettingsOut>, ApiError> {
    Ok(Json(ConsoleSettingsOut {
        support_adjustment_limit: state.store.support_adjustment_limit(&program.id).await?,
    }))
}

/// Set the console's settings: the most points one support adjustment may move.
#[utoipa::path(put, path = "/v1/console-settings", tag = "operators",
    request_body = ConsoleSettingsIn,
    responses((status = 200, body = ConsoleSettingsOut), (status = 422, body = ErrorBody)))]
pub async fn put_console_settings(
    State(state): State<AppState>,
    Auth(program): Auth,
    ApiJson(body): ApiJson<ConsoleSettingsIn>,
) -> Result<Json<ConsoleSettingsOut>, ApiError> {
    let limit = body.support_adjustment_limit;
    if !(1..=MAX_SUPPORT_LIMIT).contains(&limit) {
        return Err(ApiError::invalid(
            "support_adjustment_limit",
            format!("the limit is 1 to {MAX_SUPPORT_LIMIT} points"),
        ));
    }
    state
        .store
        .set_support_adjustment_limit(&program.id, limit)
        .await?;
    Ok(Json(ConsoleSettingsOut {
        support_adjustment_limit: Some(limit),
    }))
}
