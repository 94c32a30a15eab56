//! Creating operators and giving them roles: for `jifen user create`, the demo, and the owner's
//! users page alike.

use jifen_store::console::{Operator, Role};

use crate::app::AppState;
use crate::console::auth::{self, MIN_PASSWORD};
use crate::error::ApiError;

/// The most points one adjustment by a support operator may move until the owner sets a limit
/// (`PUT /v1/console-settings`): a support agent is never unlimited.
pub const DEFAULT_SUPPORT_LIMIT: i64 = 1_000;

/// What [`add`] did.
#[derive(Debug)]
pub struct Added {
    pub operator: Operator,
    /// The password made for a new account, shown once (none when one was given, or the account
    /// existed and only got the role).
    pub password: Option<String>,
    /// Whether the account is new.
    pub created: bool,
}

/// An email as stored: trimmed and lower-cased, with one `@` and no spaces.
pub fn normalize_email(email: &str) -> Result<String, ApiError> {
    let e = email.trim().to_lowercase();
    let ok = e.len() <= 254
        && e.split('@').count() == 2
        && e.split('@').all(|part| !part.is_empty())
        && !e.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(e)
    } else {
        Err(ApiError::invalid(
            "email",
            format!("{email:?} is not an email address"),
        ))
    }
}

/// A password for a new account: 20 characters from a set without look-alikes.
pub fn generate_password() -> String {
    use rand::Rng;
    const SET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..20)
        .map(|_| SET[rng.random_range(0..SET.len())] as char)
        .collect()
}

/// Gives `email` the role in the program, creating the account when there is none (with
/// `password`, or a generated one that is returned).
pub async fn add(
    state: &AppState,
    program_id: &str,
    email: &str,
    name: Option<&str>,
    role: Role,
    password: Option<String>,
) -> Result<Added, ApiError> {
    let email = normalize_email(email)?;
    if state.store.get_program(program_id).await?.is_none() {
        return Err(ApiError::invalid(
            "program",
            format!("there is no program {program_id}"),
        ));
    }
    if let Some(p) = &password
        && p.chars().count() < MIN_PASSWORD
    {
        return Err(ApiError::invalid(
            "password",
            format!("a password needs {MIN_PASSWORD} characters or more"),
        ));
    }
    let now = state.clock.now();
    let (operator, made, created) = match state.store.operator_by_email(&email).await? {
        Some((o, _)) => (o, None, false),
        None => {
            let (secret, made) = match password {
                Some(p) => (p, None),
                None => {
                    let p = generate_password();
                    (p.clone(), Some(p))
                }
            };
            let operator = Operator {
                id: uuid::Uuid::now_v7().to_string(),
                name: name
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned)
                    .unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_owned()),
                email: email.clone(),
                created_at: now,
                disabled_at: None,
            };
            let hash = auth::hash_password(secret).await?;
            if !state.store.create_operator(&operator, &hash).await? {
                // Created meanwhile by another request: give that account the role.
                let (o, _) = state
                    .store
                    .operator_by_email(&email)
                    .await?
                    .ok_or(ApiError::Internal)?;
                (o, None, false)
            } else {
                (operator, made, true)
            }
        }
    };
    state
        .store
        .set_role(&operator.id, program_id, Some(role), now)
        .await?;
    Ok(Added {
        operator,
        password: made,
        created,
    })
}

/// Sets a new password for an account (the demo owner's, at each `serve --demo`).
pub async fn reset_password(state: &AppState, email: &str) -> Result<String, ApiError> {
    let email = normalize_email(email)?;
    let (operator, _) = state
        .store
        .operator_by_email(&email)
        .await?
        .ok_or_else(|| ApiError::invalid("email", format!("there is no operator {email}")))?;
    let password = generate_password();
    let hash = auth::hash_password(password.clone()).await?;
    state.store.set_password(&operator.id, &hash).await?;
    Ok(password)
}
