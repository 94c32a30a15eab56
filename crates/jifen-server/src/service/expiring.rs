//! `points.expiring` webhook messages: once per program-time day, every member whose points
//! expire within the operator's window (`webhooks.points_expiring_days`) gets one message per
//! local day on which some of their points expire, written once: a message's id is derived
//! from the program, the member and the day, so a second pass, a second node or a restart
//! writes nothing new.

use chrono::{Duration, NaiveDate, NaiveTime};
use serde_json::json;
use sha2::{Digest, Sha256};

use jifen_core::reminders::{expiring_by_day, local_day, local_instant};
use jifen_store::webhooks::kind::POINTS_EXPIRING;
use jifen_store::{NewWebhookMessage, Program};

use crate::app::AppState;
use crate::error::ApiError;

/// The settings document that records the last program-time day announced.
const LAST_DAY: &str = "webhooks.points_expiring.day";
/// Messages written per transaction.
const PER_TX: usize = 500;

/// The id of the message announcing a member's points expiring on a day.
pub fn message_id(program_id: &str, member_id: i64, day: NaiveDate) -> String {
    let mut h = Sha256::new();
    h.update(format!("{POINTS_EXPIRING}\0{program_id}\0{member_id}\0{day}").as_bytes());
    let digest = h.finalize();
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("msg_{hex}")
}

/// Writes the day's `points.expiring` messages of every program an enabled endpoint of which
/// subscribes to them; returns how many messages were written.
pub async fn run_all(state: &AppState) -> Result<u64, ApiError> {
    let days = state.webhooks.points_expiring_days;
    if days == 0 {
        return Ok(0);
    }
    let mut written = 0;
    for program in state.store.list_programs().await? {
        let wanted = state
            .store
            .webhook_endpoints(&program.id)
            .await?
            .iter()
            .any(|e| e.enabled && e.subscribes(POINTS_EXPIRING));
        if wanted {
            written += run_program(state, &program, days).await?;
        }
    }
    Ok(written)
}

/// The program's messages for its current local day, unless that day was announced already.
pub async fn run_program(state: &AppState, program: &Program, days: u32) -> Result<u64, ApiError> {
    let now = state.clock.now();
    let tz = super::program_tz(program);
    let today = local_day(tz, now);
    let last: Option<NaiveDate> = super::read_setting(state, &program.id, LAST_DAY).await?;
    if last.is_some_and(|d| d >= today) {
        return Ok(0);
    }
    // Points expiring up to the end of the window's last day.
    let last_day = today + Duration::days(i64::from(days));
    let until = local_instant(tz, last_day + Duration::days(1), NaiveTime::MIN);
    let members = state
        .store
        .members_with_lots_expiring(&program.id, now, until)
        .await?;
    let mut messages = Vec::new();
    for (member_id, external_id) in members {
        let (_, book) = super::ledger::book_at(state, program, &external_id, now, false).await?;
        let balance = book.balance();
        // Up to the end of the window's last day (`until` is the next day's start).
        let by_day = expiring_by_day(
            &balance.expiring,
            tz,
            now,
            until - Duration::microseconds(1),
        );
        for (day, (points, first)) in by_day {
            messages.push(NewWebhookMessage {
                id: message_id(&program.id, member_id, day),
                kind: POINTS_EXPIRING.into(),
                payload: json!({
                    "member": external_id,
                    "points": points,
                    "expires_on": day.to_string(),
                    "expires_at": first,
                    "available": balance.available,
                })
                .to_string(),
                created_at: now,
            });
        }
    }
    let mut written = 0;
    for chunk in messages.chunks(PER_TX) {
        written += super::with_retries(|| async {
            let mut tx = state.store.begin_write().await?;
            let n = tx.enqueue_webhooks(&program.id, chunk).await?;
            tx.commit().await?;
            Ok(n)
        })
        .await?;
    }
    super::write_setting(state, &program.id, LAST_DAY, &today).await?;
    Ok(written)
}
