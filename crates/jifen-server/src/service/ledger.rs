//! Writes and reads of one member's ledger.

use axum::http::StatusCode;
use serde_json::Value;

use jifen_core::{Balance, Book, Entry, Timestamp};
use jifen_store::{Member, Program, StoredEntry};

use super::{Answer, Failure, Idempotency, claim, with_retries};
use crate::app::AppState;
use crate::error::ApiError;

/// Whose ledger a write is for.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    /// A member by external id.
    Member(&'a str),
    /// The member a hold belongs to.
    Hold(&'a str),
}

/// One write to a member's ledger, in one transaction: claim the idempotency key, lock the
/// member, rebuild their book at now, decide, append the entries, store the answer.
pub async fn member_write<D, R>(
    state: &AppState,
    program: &Program,
    idem: Idempotency,
    target: Target<'_>,
    status: StatusCode,
    decide: D,
    respond: R,
) -> Result<Answer, ApiError>
where
    D: Fn(&mut Book, &Member) -> Result<Vec<Entry>, ApiError> + Sync,
    R: Fn(&Book, &Member, &[Entry]) -> Value + Sync,
{
    let (idem, decide, respond) = (&idem, &decide, &respond);
    with_retries(move || attempt(state, program, idem, target, status, decide, respond)).await
}

async fn attempt<D, R>(
    state: &AppState,
    program: &Program,
    idem: &Idempotency,
    target: Target<'_>,
    status: StatusCode,
    decide: &D,
    respond: &R,
) -> Result<Answer, Failure>
where
    D: Fn(&mut Book, &Member) -> Result<Vec<Entry>, ApiError> + Sync,
    R: Fn(&Book, &Member, &[Entry]) -> Value + Sync,
{
    let mut tx = state.store.begin_write().await?;
    if let Some(answer) = claim(&mut tx, idem).await? {
        return Ok(answer);
    }
    let external_id = match target {
        Target::Member(id) => id.to_owned(),
        Target::Hold(hold) => tx
            .hold_member(&program.id, hold)
            .await?
            .ok_or_else(|| ApiError::HoldNotFound(hold.to_owned()))?,
    };
    let member = tx
        .lock_member(&program.id, &external_id)
        .await?
        .ok_or_else(|| ApiError::MemberNotFound(external_id.clone()))?;
    let now = state.clock.now();
    let rows = tx.ledger(member.id).await?;
    let (mut book, implied) = Book::replay(rows.lots, rows.holds, rows.entries, now);
    let decided = decide(&mut book, &member)?;
    let (lots, holds) = book.take_new_records();
    let mut all = implied;
    all.extend(decided.iter().cloned());
    tx.append(&program.id, member.id, &lots, &holds, &all, now)
        .await?;
    let body = respond(&book, &member, &decided);
    tx.complete(&idem.key, status.as_u16(), &body.to_string())
        .await?;
    tx.commit().await?;
    Ok(Answer {
        status,
        body,
        replayed: false,
    })
}

/// Records what time alone implies for a member (hold deadlines passed) without any request.
pub async fn materialize(
    state: &AppState,
    program_id: &str,
    external_id: &str,
) -> Result<usize, ApiError> {
    with_retries(|| async {
        let mut tx = state.store.begin_write().await?;
        let Some(member) = tx.lock_member(program_id, external_id).await? else {
            return Ok(0);
        };
        let now = state.clock.now();
        let rows = tx.ledger(member.id).await?;
        let (mut book, mut implied) = Book::replay(rows.lots, rows.holds, rows.entries, now);
        implied.extend(book.record_expiries());
        if implied.is_empty() {
            return Ok(0);
        }
        tx.append(program_id, member.id, &[], &[], &implied, now)
            .await?;
        tx.commit().await?;
        Ok(implied.len())
    })
    .await
}

/// A member's book as of `at` (a past instant shows what had been recorded by then; a future
/// one, what will happen if nothing more is recorded).
pub async fn book_at(
    state: &AppState,
    program: &Program,
    external_id: &str,
    at: Timestamp,
) -> Result<(Member, Book), ApiError> {
    let member = find_member(state, program, external_id).await?;
    let rows = state.store.ledger(member.id).await?;
    let (book, _) = Book::replay(rows.lots, rows.holds, rows.entries, at);
    Ok((member, book))
}

pub async fn balance_at(
    state: &AppState,
    program: &Program,
    external_id: &str,
    at: Timestamp,
) -> Result<Balance, ApiError> {
    Ok(book_at(state, program, external_id, at).await?.1.balance())
}

pub async fn find_member(
    state: &AppState,
    program: &Program,
    external_id: &str,
) -> Result<Member, ApiError> {
    state
        .store
        .get_member(&program.id, external_id)
        .await?
        .ok_or_else(|| ApiError::MemberNotFound(external_id.to_owned()))
}

pub async fn entries_page(
    state: &AppState,
    program: &Program,
    external_id: &str,
    limit: u32,
    before: Option<i64>,
) -> Result<Vec<StoredEntry>, ApiError> {
    let member = find_member(state, program, external_id).await?;
    Ok(state.store.list_entries(member.id, limit, before).await?)
}
