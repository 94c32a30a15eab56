//! The program of the calling key: its settings, point policy and API keys.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use jifen_core::{ExpiryPolicy, NegativeBalance, PointPolicy};
use jifen_store::{ApiKey, Program, RateLimit};

use crate::app::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, Auth};
use crate::keys;
use crate::portal::branding::{PortalPatch, PortalSettings};

/// A program with its point policy.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ProgramOut {
    pub id: String,
    pub name: String,
    /// IANA time zone for calendar rules (`Asia/Shanghai`).
    pub timezone: String,
    /// ISO 4217 currency of amounts (`CNY`); amounts are in minor units (fen).
    pub currency: String,
    pub policy: PolicyOut,
    pub created_at: DateTime<Utc>,
    pub rate_limit: RateLimitOut,
    /// The member portal's look and whether guests may enrol (see docs/portal.md).
    pub portal: PortalSettings,
}

/// The limit on requests per API key of the program (see docs/api.md#limits).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RateLimitOut {
    /// Requests a second each key may sustain.
    pub per_second: u32,
    /// Requests each key may send at once.
    pub burst: u32,
    /// `program` (set with `PATCH /v1/program`) or `server` (the server's default).
    pub source: String,
}

/// A rate limit per key: each from 1 to 1,000,000.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RateLimitIn {
    pub per_second: u32,
    pub burst: u32,
}

/// How purchases earn and when points become available or expire.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PolicyOut {
    /// Points per whole yuan of an order: `floor(amount / 100) × points_per_yuan`.
    pub points_per_yuan: i64,
    /// Days after `occurred_at` before earned points become available.
    pub pending_days: u32,
    #[schema(value_type = Object, example = json!({"kind": "rolling_days", "days": 365}))]
    pub expiry: ExpiryPolicy,
    /// `allow` (missing clawback points become debt) or `forbid` (they are written off).
    #[schema(value_type = String, example = "allow")]
    pub negative_balance: NegativeBalance,
}

impl ProgramOut {
    /// The program as answered; `server_limit` is the limit of programs that set none.
    pub fn new(p: &Program, server_limit: RateLimit, portal: PortalSettings) -> Self {
        let (limit, source) = match p.rate_limit {
            Some(own) => (own, "program"),
            None => (server_limit, "server"),
        };
        ProgramOut {
            id: p.id.clone(),
            name: p.name.clone(),
            timezone: p.timezone.clone(),
            currency: p.currency.clone(),
            policy: PolicyOut {
                points_per_yuan: p.policy.points_per_yuan,
                pending_days: p.policy.pending_days,
                expiry: p.policy.expiry,
                negative_balance: p.policy.negative_balance,
            },
            created_at: p.created_at,
            rate_limit: RateLimitOut {
                per_second: limit.per_second,
                burst: limit.burst,
                source: source.into(),
            },
            portal,
        }
    }
}

/// Show the program of the calling key.
#[utoipa::path(get, path = "/v1/program", tag = "program",
    responses((status = 200, body = ProgramOut), (status = 401, body = ErrorBody)))]
pub async fn get_program(
    State(state): State<AppState>,
    Auth(program): Auth,
) -> Result<Json<ProgramOut>, ApiError> {
    let portal = PortalSettings::read(&state, &program.id).await?;
    Ok(Json(ProgramOut::new(
        &program,
        state.rate_limit.limit(),
        portal,
    )))
}

/// A change to the point policy; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyPatch {
    pub points_per_yuan: Option<i64>,
    pub pending_days: Option<u32>,
    #[schema(value_type = Option<Object>, example = json!({"kind": "end_of_year", "years_after": 1}))]
    pub expiry: Option<ExpiryPolicy>,
    #[schema(value_type = Option<String>, example = "forbid")]
    pub negative_balance: Option<NegativeBalance>,
    /// IANA time zone (`Asia/Shanghai`): calendar rules and `end_of_year` expiry count in it.
    pub timezone: Option<String>,
    /// The program's own rate limit per API key; `null` returns to the server's default.
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable)]
    pub rate_limit: Option<Option<RateLimitIn>>,
    /// The member portal's look and whether guests may enrol; absent fields stay as they are.
    pub portal: Option<PortalPatch>,
}

/// A field that may be absent (`None`), `null` (`Some(None)`) or a value.
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Change the point policy (it applies to points earned after the change), the program's time
/// zone, its rate limit per key, or the member portal's settings.
#[utoipa::path(patch, path = "/v1/program", tag = "program", request_body = PolicyPatch,
    responses((status = 200, body = ProgramOut), (status = 422, body = ErrorBody)))]
pub async fn patch_program(
    State(state): State<AppState>,
    Auth(mut program): Auth,
    ApiJson(patch): ApiJson<PolicyPatch>,
) -> Result<Json<ProgramOut>, ApiError> {
    let policy = PointPolicy {
        points_per_yuan: patch
            .points_per_yuan
            .unwrap_or(program.policy.points_per_yuan),
        pending_days: patch.pending_days.unwrap_or(program.policy.pending_days),
        expiry: patch.expiry.unwrap_or(program.policy.expiry),
        negative_balance: patch
            .negative_balance
            .unwrap_or(program.policy.negative_balance),
    };
    policy.validate().map_err(|e| {
        let field = match e {
            jifen_core::PolicyError::PointsPerYuan => "points_per_yuan",
            jifen_core::PolicyError::PendingDays => "pending_days",
            _ => "expiry",
        };
        ApiError::invalid(field, e.to_string())
    })?;
    let timezone = match &patch.timezone {
        None => None,
        Some(raw) => {
            let tz: chrono_tz::Tz = raw.parse().map_err(|_| {
                ApiError::invalid(
                    "timezone",
                    "an IANA time zone such as Asia/Shanghai is expected",
                )
            })?;
            Some(tz.name().to_owned())
        }
    };
    let portal = PortalSettings::read(&state, &program.id).await?;
    let portal = match patch.portal {
        Some(p) => Some(portal.apply(p)?),
        None => None,
    };
    let set_limit = patch.rate_limit.is_some();
    let rate_limit = match patch.rate_limit {
        None => program.rate_limit,
        Some(None) => None,
        Some(Some(l)) => {
            let limit = RateLimit {
                per_second: l.per_second,
                burst: l.burst,
            };
            crate::rate_limit::check(&limit).map_err(|(field, msg)| {
                ApiError::invalid(format!("rate_limit.{field}"), format!("rate_limit.{msg}"))
            })?;
            Some(limit)
        }
    };
    state.store.update_policy(&program.id, &policy).await?;
    if let Some(tz) = &timezone {
        state.store.update_timezone(&program.id, tz).await?;
        program.timezone = tz.clone();
    }
    if set_limit {
        state
            .store
            .update_rate_limit(&program.id, rate_limit.as_ref())
            .await?;
    }
    let portal = match portal {
        Some(p) => {
            p.save(&state, &program.id).await?;
            p
        }
        None => PortalSettings::read(&state, &program.id).await?,
    };
    state.keys.forget_program(&program.id);
    program.policy = policy;
    program.rate_limit = rate_limit;
    Ok(Json(ProgramOut::new(
        &program,
        state.rate_limit.limit(),
        portal,
    )))
}

/// An API key, without its secret.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ApiKeyOut {
    pub id: String,
    pub name: String,
    /// The first characters of the secret.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// The partner the key belongs to (it then reaches only `/v1/partner/…`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner: Option<String>,
    /// The secret: shown once, in the answer that created the key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl From<&ApiKey> for ApiKeyOut {
    fn from(k: &ApiKey) -> Self {
        ApiKeyOut {
            id: k.id.clone(),
            name: k.name.clone(),
            prefix: k.prefix.clone(),
            created_at: k.created_at,
            revoked_at: k.revoked_at,
            partner: k.partner_id.clone(),
            secret: None,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApiKey {
    /// What the key is for (`tmall-sync`, `pos`).
    pub name: String,
}

/// Create an API key for the program. Its secret is in this answer only.
#[utoipa::path(post, path = "/v1/api-keys", tag = "program", request_body = NewApiKey,
    responses((status = 201, body = ApiKeyOut)))]
pub async fn create_api_key(
    State(state): State<AppState>,
    Auth(program): Auth,
    ApiJson(body): ApiJson<NewApiKey>,
) -> Result<(StatusCode, Json<ApiKeyOut>), ApiError> {
    let name = crate::parse::client_id("name", &body.name)?;
    let (key, secret) = issue_key(&state, &program.id, &name, None).await?;
    let mut out = ApiKeyOut::from(&key);
    out.secret = Some(secret);
    Ok((StatusCode::CREATED, Json(out)))
}

/// Creates a key for a program; returns it with its secret.
pub async fn issue_key(
    state: &AppState,
    program_id: &str,
    name: &str,
    partner_id: Option<&str>,
) -> Result<(ApiKey, String), ApiError> {
    let secret = keys::new_secret();
    let key = ApiKey {
        id: uuid::Uuid::now_v7().to_string(),
        program_id: program_id.to_owned(),
        name: name.to_owned(),
        prefix: keys::display_prefix(&secret),
        hash: keys::hash_secret(&secret),
        created_at: state.clock.now(),
        revoked_at: None,
        partner_id: partner_id.map(str::to_owned),
    };
    state.store.create_api_key(&key).await?;
    Ok((key, secret))
}

/// List the program's API keys.
#[utoipa::path(get, path = "/v1/api-keys", tag = "program",
    responses((status = 200, body = Vec<ApiKeyOut>)))]
pub async fn list_api_keys(
    State(state): State<AppState>,
    Auth(program): Auth,
) -> Result<Json<Vec<ApiKeyOut>>, ApiError> {
    let keys = state.store.list_api_keys(&program.id).await?;
    Ok(Json(keys.iter().map(ApiKeyOut::from).collect()))
}

/// Revoke an API key; requests with it are refused from now on.
#[utoipa::path(delete, path = "/v1/api-keys/{id}", tag = "program",
    params(("id" = String, Path, description = "The key's id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn revoke_api_key(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if crate::parse::could_be_id(&id)
        && state
            .store
            .revoke_api_key(&program.id, &id, state.clock.now())
            .await?
    {
        state.keys.forget_program(&program.id);
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::ApiKeyNotFound(id))
    }
}
