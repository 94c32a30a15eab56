//! Members created or updated in batches: each member answers for itself, and the batch's id
//! makes a retry return the first answer.

use serde_json::{Value, json};

use jifen_store::{Identity, MemberPatch, Program, StoreError};

use super::{Failure, Idempotency, claim, finish, with_retries};
use crate::app::AppState;
use crate::error::{ApiError, DocsBase};

/// Most members in one batch.
pub const MAX_MEMBER_BATCH: usize = 1_000;

/// The most members one transaction writes: a batch of 1,000 is written in parts of this many,
/// one transaction after another, so that no program holds the writer (on SQLite, one for every
/// program) for a whole batch while others wait their turn. Each part's answer is stored under
/// the batch's id and the part's number: a batch cut short is completed by sending it again.
pub const MEMBERS_PER_TRANSACTION: usize = 100;

/// The idempotency scope of member batches.
const SCOPE: &str = "member_batch";

/// One member of a batch, as parsed: its external id (when it has a valid one) and the write,
/// or why it is refused.
#[derive(Debug, Clone)]
pub struct BatchItem {
    pub external_id: Option<String>,
    /// The write, and whether the member's stored profile phone stays bound (an `identities`
    /// list without a `phone`, as `PUT /v1/members/{external_id}` does).
    pub write: Result<(MemberPatch, bool), ApiError>,
}

/// What a batch answered.
pub struct BatchAnswer {
    pub results: Vec<Value>,
    /// Every part was answered from its stored first answer.
    pub replayed: bool,
}

/// A new identity list replaces the old one, but the profile phone stays bound: adds the
/// member's stored phone to `patch.bind` when the patch names identities without a phone.
pub async fn keep_profile_phone(
    state: &AppState,
    program_id: &str,
    patch: &mut MemberPatch,
) -> Result<(), ApiError> {
    if let Some(phone) = state
        .store
        .get_member(program_id, &patch.external_id)
        .await?
        .and_then(|m| m.phone)
    {
        let ident = Identity {
            kind: "phone".into(),
            value: phone,
        };
        if !patch.bind.contains(&ident) {
            patch.bind.push(ident);
            patch.bind.sort();
        }
    }
    Ok(())
}

/// Creates or updates the members of a batch, in order, and answers for each.
pub async fn upsert_batch(
    state: &AppState,
    program: &Program,
    batch_id: &str,
    request_hash: &str,
    mut items: Vec<BatchItem>,
) -> Result<BatchAnswer, ApiError> {
    for item in &mut items {
        if let Ok((patch, true)) = &mut item.write {
            keep_profile_phone(state, &program.id, patch).await?;
        }
    }
    let mut results = Vec::with_capacity(items.len());
    let mut replayed = true;
    for (part, chunk) in items.chunks(MEMBERS_PER_TRANSACTION).enumerate() {
        let idem = Idempotency {
            key: jifen_store::IdempotencyKey {
                program_id: program.id.clone(),
                scope: SCOPE,
                key: format!("{batch_id}:{part}"),
            },
            request_hash: request_hash.to_owned(),
        };
        let first = part * MEMBERS_PER_TRANSACTION;
        let (answers, again) =
            with_retries(|| write_part(state, program, &idem, first, chunk)).await?;
        replayed &= again;
        results.extend(answers);
    }
    Ok(BatchAnswer { results, replayed })
}

/// Writes one part in one transaction, or answers it from its stored answer.
async fn write_part(
    state: &AppState,
    program: &Program,
    idem: &Idempotency,
    first: usize,
    items: &[BatchItem],
) -> Result<(Vec<Value>, bool), Failure> {
    let mut tx = state.store.begin_write_for(&program.id).await?;
    if let Some(answer) = claim(&mut tx, idem).await? {
        let Value::Array(results) = answer.body else {
            return Err(ApiError::Internal.into());
        };
        return Ok((results, true));
    }
    let mut results = Vec::with_capacity(items.len());
    let mut changed = Vec::new();
    for (n, item) in items.iter().enumerate() {
        let index = first + n;
        let patch = match &item.write {
            Ok((patch, _)) => patch,
            Err(e) => {
                results.push(failed(index, item, e, &state.docs));
                continue;
            }
        };
        let status = match tx.upsert_member_apart(&program.id, patch).await {
            Ok((m, Some(true))) => {
                changed.push(m.id);
                "created"
            }
            Ok((m, Some(false))) => {
                changed.push(m.id);
                "updated"
            }
            Ok((_, None)) => "unchanged",
            Err(StoreError::IdentityTaken { kind, value }) => {
                let e = ApiError::IdentityTaken { kind, value };
                results.push(failed(index, item, &e, &state.docs));
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        results.push(json!({"index": index, "external_id": patch.external_id, "status": status}));
    }
    // Their segments follow their profiles, in this transaction.
    changed.sort_unstable();
    changed.dedup();
    crate::service::segments::refresh_in_tx(&mut tx, program, &changed, state.clock.now()).await?;
    let answer = finish(tx, idem, axum::http::StatusCode::OK, json!(results)).await?;
    let Value::Array(results) = answer.body else {
        return Err(ApiError::Internal.into());
    };
    Ok((results, false))
}

/// A member the batch refused: its index, its external id, and the error, whose `field` is the
/// path in the request (`members[3].phone`).
fn failed(index: usize, item: &BatchItem, e: &ApiError, docs: &DocsBase) -> Value {
    let body = e.body(docs).error;
    let prefix = format!("members[{index}]");
    let field = match body.field {
        Some(f) if f.starts_with('[') => format!("{prefix}{f}"),
        Some(f) => format!("{prefix}.{f}"),
        None => prefix,
    };
    json!({
        "index": index,
        "external_id": item.external_id,
        "status": "failed",
        "error": {"code": body.code, "message": body.message, "field": field, "doc": body.doc},
    })
}
