//! Application services: each write is one database transaction in which jifen-core decides.

pub mod backtest;
pub mod badges;
pub mod catalog;
pub mod challenges;
pub mod checkout;
pub mod coalesce;
pub mod events;
pub mod expiring;
pub mod gifts;
pub mod judging;
pub mod leaderboards;
pub mod leaderboards_redis;
pub mod ledger;
pub mod members;
pub mod offers;
pub mod referrals;
pub mod reminders;
pub mod rules;
pub mod segments;
pub mod tiers;
pub mod vouchers;

use axum::http::StatusCode;
use serde::Serialize;
use sha2::{Digest, Sha256};

use jifen_store::{Claim, IdempotencyKey, StoreError, WriteTx};

use crate::error::ApiError;

/// A program's time zone (validated when the program was created; Shanghai if it ever is not).
pub fn program_tz(program: &jifen_store::Program) -> chrono_tz::Tz {
    program
        .timezone
        .parse()
        .unwrap_or(chrono_tz::Asia::Shanghai)
}

/// A program's settings document `name`, as saved (`None` until it is); an unreadable one is
/// logged and answered as an internal error, since it was checked when saved.
pub async fn read_setting<T: serde::de::DeserializeOwned>(
    state: &crate::app::AppState,
    program_id: &str,
    name: &str,
) -> Result<Option<T>, ApiError> {
    match state.store.setting(program_id, name).await? {
        Some(text) => serde_json::from_str(&text).map(Some).map_err(|e| {
            tracing::error!(setting = name, error = %e, "stored settings unreadable");
            ApiError::Internal
        }),
        None => Ok(None),
    }
}

/// Saves a program's settings document `name` (already checked) in a transaction of its own.
pub async fn write_setting<T: Serialize>(
    state: &crate::app::AppState,
    program_id: &str,
    name: &str,
    value: &T,
) -> Result<(), ApiError> {
    let text = serde_json::to_string(value).map_err(|_| ApiError::Internal)?;
    with_retries(|| async {
        let mut tx = state.store.begin_write().await?;
        tx.save_setting(program_id, name, &text, state.clock.now())
            .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// How often a transaction that failed on a transient conflict is tried again.
pub const MAX_ATTEMPTS: usize = 4;

/// A write's idempotency: where its key lives and what the request looked like.
#[derive(Debug, Clone)]
pub struct Idempotency {
    pub key: IdempotencyKey,
    pub request_hash: String,
}

impl Idempotency {
    pub fn new<T: Serialize>(program_id: &str, scope: &'static str, id: &str, request: &T) -> Self {
        Self {
            key: IdempotencyKey {
                program_id: program_id.to_owned(),
                scope,
                key: id.to_owned(),
            },
            request_hash: request_hash(request),
        }
    }
}

/// The SHA-256 of a request's canonical JSON (object keys sorted, instants normalized by
/// parsing), so that the same request in another spelling is still the same request.
pub fn request_hash<T: Serialize>(request: &T) -> String {
    let value = serde_json::to_value(request).unwrap_or_default();
    hex::encode(Sha256::digest(value.to_string().as_bytes()))
}

/// An answer: fresh, or the stored first answer to the same request.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: StatusCode,
    pub body: serde_json::Value,
    pub replayed: bool,
}

/// Claims a key in `tx`; returns the stored answer when the same request came before, and a
/// conflict when another request used the key.
pub async fn claim(
    tx: &mut Box<dyn WriteTx>,
    idem: &Idempotency,
) -> Result<Option<Answer>, Failure> {
    match tx.claim(&idem.key, &idem.request_hash).await? {
        Claim::New => Ok(None),
        Claim::Existing {
            request_hash,
            status,
            response,
        } => {
            if request_hash != idem.request_hash {
                return Err(ApiError::IdempotencyConflict.into());
            }
            let body = serde_json::from_str(&response).map_err(|e| {
                tracing::error!(error = %e, "stored answer unreadable");
                Failure::Api(ApiError::Internal)
            })?;
            Ok(Some(Answer {
                status: StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
                body,
                replayed: true,
            }))
        }
    }
}

/// Stores a fresh answer under the key `tx` claimed, commits, and answers it.
pub async fn finish(
    mut tx: Box<dyn WriteTx>,
    idem: &Idempotency,
    status: StatusCode,
    body: serde_json::Value,
) -> Result<Answer, Failure> {
    tx.complete(&idem.key, status.as_u16(), &body.to_string())
        .await?;
    tx.commit().await?;
    Ok(Answer {
        status,
        body,
        replayed: false,
    })
}

/// Runs `attempt` again while it fails on a transient database conflict.
pub async fn with_retries<T, F, Fut>(mut attempt: F) -> Result<T, ApiError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, Failure>>,
{
    let mut tries = 0;
    loop {
        tries += 1;
        match attempt().await {
            Ok(v) => return Ok(v),
            Err(Failure::Store(e)) if e.is_transient() && tries < MAX_ATTEMPTS => {
                tracing::warn!(error = %e, tries, "transient conflict; trying again");
                tokio::time::sleep(std::time::Duration::from_millis(5 * tries as u64)).await;
            }
            Err(Failure::Store(e)) => return Err(e.into()),
            Err(Failure::Api(e)) => return Err(e),
        }
    }
}

/// Why one attempt of a write failed.
#[derive(Debug)]
pub enum Failure {
    Store(StoreError),
    Api(ApiError),
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Failure::Store(e)
    }
}

impl From<jifen_core::LedgerError> for Failure {
    fn from(e: jifen_core::LedgerError) -> Self {
        Failure::Api(e.into())
    }
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Failure::Api(e)
    }
}
