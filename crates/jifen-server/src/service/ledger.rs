//! Writes and reads of one member's ledger.

use axum::http::StatusCode;
use serde_json::Value;

use jifen_core::{Balance, Book, Entry, HoldRecord, Lot, Snapshot, Timestamp};
use jifen_store::{Member, MemberHead, Program, StoredEntry, WriteTx};

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
/// member, rebuild their book at now, decide, append the entries and the new book, store the
/// answer.
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
    D: Fn(&mut Book, &MemberHead) -> Result<Vec<Entry>, ApiError> + Sync,
    R: Fn(&Book, &MemberHead, &[Entry]) -> Value + Sync,
{
    match target {
        Target::Member(id) if !crate::parse::could_be_id(id) => {
            return Err(ApiError::MemberNotFound(id.to_owned()));
        }
        Target::Hold(id) if !crate::parse::could_be_id(id) => {
            return Err(ApiError::HoldNotFound(id.to_owned()));
        }
        _ => {}
    }
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
    D: Fn(&mut Book, &MemberHead) -> Result<Vec<Entry>, ApiError> + Sync,
    R: Fn(&Book, &MemberHead, &[Entry]) -> Value + Sync,
{
    let mut tx = state.store.begin_write().await?;
    if let Some(answer) = claim(&mut tx, idem).await? {
        // Commit even so: on SQLite this waits until the first answer is on disk.
        tx.commit().await?;
        return Ok(answer);
    }
    let external_id = match target {
        Target::Member(id) => id.to_owned(),
        Target::Hold(hold) => tx
            .hold_member(&program.id, hold)
            .await?
            .ok_or_else(|| ApiError::HoldNotFound(hold.to_owned()))?,
    };
    let head = tx
        .lock_head(&program.id, &external_id)
        .await?
        .ok_or_else(|| ApiError::MemberNotFound(external_id.clone()))?;
    // An erased member's book takes no more writes; a hold of theirs lapses at its deadline.
    if head.status == "erased" {
        return Err(match target {
            Target::Hold(hold) => ApiError::HoldNotFound(hold.to_owned()),
            Target::Member(_) => ApiError::MemberNotFound(external_id),
        }
        .into());
    }
    let now = state.clock.now();
    let (mut book, mut implied) = open_book(&mut tx, &head, now).await?;
    if let Target::Hold(hold) = target
        && book.hold_status(hold).is_none()
    {
        // Snapshots keep pending holds only: a resolved one needs the history to say how.
        (book, implied) = replay(&mut tx, &head, now).await?;
    }
    let decided = decide(&mut book, &head)?;
    let mut all = implied;
    all.extend(decided.iter().cloned());
    save(&mut tx, &program.id, head.id, &mut book, &all).await?;
    let body = respond(&book, &head, &decided);
    tx.complete(&idem.key, status.as_u16(), &body.to_string())
        .await?;
    tx.commit().await?;
    Ok(Answer {
        status,
        body,
        replayed: false,
    })
}

/// A member's book at `now` (or at their last entry, if a node's clock is behind it), from the
/// saved snapshot when it is current, else by replaying every entry. Also returns the entries
/// that time implied since (hold deadlines passed), for the caller to write.
pub async fn open_book(
    tx: &mut Box<dyn WriteTx>,
    head: &MemberHead,
    now: Timestamp,
) -> Result<(Book, Vec<Entry>), Failure> {
    if let Some(snapshot) = current_snapshot(head) {
        let mut book = Book::from_snapshot(snapshot);
        let implied = book.advance_to(now);
        return Ok((book, implied));
    }
    replay(tx, head, now).await
}

/// A member's book replayed from every entry.
async fn replay(
    tx: &mut Box<dyn WriteTx>,
    head: &MemberHead,
    now: Timestamp,
) -> Result<(Book, Vec<Entry>), Failure> {
    let rows = tx.ledger(head.id).await?;
    let until = latest(&rows.entries).map_or(now, |t| t.max(now));
    Ok(Book::replay(rows.lots, rows.holds, rows.entries, until))
}

/// The saved snapshot, when it reflects the member's last entry.
fn current_snapshot(head: &MemberHead) -> Option<Snapshot> {
    let bytes = head.book.as_deref()?;
    let Some(snapshot) = Snapshot::decode(bytes) else {
        tracing::debug!(member = head.id, "book of another layout; replaying");
        return None;
    };
    (snapshot.seq == head.ledger_seq).then_some(snapshot)
}

fn latest(entries: &[Entry]) -> Option<Timestamp> {
    entries.iter().map(|e| e.effective_at).max()
}

/// Appends what a decision produced and saves the member's new book.
pub async fn save(
    tx: &mut Box<dyn WriteTx>,
    program_id: &str,
    member_id: i64,
    book: &mut Book,
    entries: &[Entry],
) -> Result<(), Failure> {
    save_all(tx, program_id, vec![(member_id, book, entries)]).await
}

/// [`save`] for several members at once: their lots, holds and entries go in multi-row
/// statements.
pub async fn save_all(
    tx: &mut Box<dyn WriteTx>,
    program_id: &str,
    mut members: Vec<(i64, &mut Book, &[Entry])>,
) -> Result<(), Failure> {
    let records: Vec<(Vec<Lot>, Vec<HoldRecord>)> = members
        .iter_mut()
        .map(|(_, book, _)| book.take_new_records())
        .collect();
    let rows: Vec<jifen_store::MemberAppend<'_>> = members
        .iter()
        .zip(&records)
        .map(|((id, _, entries), (lots, holds))| (*id, &lots[..], &holds[..], *entries))
        .collect();
    let now = members.iter().map(|(_, b, _)| b.now()).max();
    if let Some(now) = now {
        tx.append_many(program_id, &rows, now).await?;
    }
    let mut books = Vec::with_capacity(members.len());
    for (member_id, book, _) in members {
        let snapshot = book.snapshot();
        books.push((member_id, snapshot.seq, snapshot.encode(), book.next_due()));
    }
    tx.save_books(&books).await?;
    Ok(())
}

/// Records what time alone implies for some members of a program (hold deadlines passed,
/// points expired) without any request, and saves their books, in one transaction with
/// multi-row statements. Returns the entries written.
pub async fn materialize(
    state: &AppState,
    program_id: &str,
    external_ids: &[&str],
) -> Result<usize, ApiError> {
    with_retries(|| async {
        let mut tx = state.store.begin_write().await?;
        let now = state.clock.now();
        let mut opened = Vec::with_capacity(external_ids.len());
        for head in tx.lock_heads(program_id, external_ids).await? {
            let (mut book, mut implied) = open_book(&mut tx, &head, now).await?;
            implied.extend(book.record_expiries());
            opened.push((head.id, book, implied));
        }
        let written = opened.iter().map(|(_, _, e)| e.len()).sum();
        let items = opened
            .iter_mut()
            .map(|(id, book, entries)| (*id, book, &entries[..]))
            .collect();
        save_all(&mut tx, program_id, items).await?;
        tx.commit().await?;
        Ok(written)
    })
    .await
}

/// A member's book as of `at`: a past instant shows what had been recorded by then; a future
/// one, what will happen if nothing more is recorded. With `history`, the book is replayed from
/// every entry (it then knows resolved holds too); otherwise the saved snapshot serves when it
/// is current and `at` is not before it.
pub async fn book_at(
    state: &AppState,
    program: &Program,
    external_id: &str,
    at: Timestamp,
    history: bool,
) -> Result<(MemberHead, Book), ApiError> {
    if !crate::parse::could_be_id(external_id) {
        return Err(ApiError::MemberNotFound(external_id.to_owned()));
    }
    let head = state
        .store
        .member_head(&program.id, external_id)
        .await?
        .ok_or_else(|| ApiError::MemberNotFound(external_id.to_owned()))?;
    if !history && let Some(snapshot) = current_snapshot(&head).filter(|s| s.at <= at) {
        let mut book = Book::from_snapshot(snapshot);
        book.advance_to(at);
        return Ok((head, book));
    }
    let rows = state.store.ledger(head.id).await?;
    let (book, _) = Book::replay(rows.lots, rows.holds, rows.entries, at);
    Ok((head, book))
}

pub async fn balance_at(
    state: &AppState,
    program: &Program,
    external_id: &str,
    at: Timestamp,
) -> Result<Balance, ApiError> {
    Ok(book_at(state, program, external_id, at, false)
        .await?
        .1
        .balance())
}

pub async fn find_member(
    state: &AppState,
    program: &Program,
    external_id: &str,
) -> Result<Member, ApiError> {
    if !crate::parse::could_be_id(external_id) {
        return Err(ApiError::MemberNotFound(external_id.to_owned()));
    }
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
