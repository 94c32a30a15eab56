//! Background work. Jobs only write down what the ledger already implies (hold deadlines passed,
//! points expired), so running one twice, or on two nodes at once, changes nothing.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use crate::app::AppState;
use crate::service::ledger::materialize;

/// Members fetched per pass.
const BATCH: u32 = 4_000;
/// Members of one program materialized in one transaction.
const CHUNK: usize = 200;
/// Transactions under way at once: one's statements run while another waits for its commit
/// (a group commit on SQLite, another connection on PostgreSQL).
const PARALLEL: usize = 2;

/// Records what time alone implied since the last pass, for every member it is due for.
/// Returns the entries written.
pub async fn maintain_ledgers(state: &AppState) -> Result<usize, crate::error::ApiError> {
    let mut written = 0;
    loop {
        let due = state
            .store
            .members_to_maintain(state.clock.now(), BATCH)
            .await?;
        let listed = due.len();
        let mut by_program: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (program_id, external_id) in due {
            by_program.entry(program_id).or_default().push(external_id);
        }
        let mut tasks = tokio::task::JoinSet::new();
        let mut results = Vec::new();
        for (program_id, members) in by_program {
            let program_id = Arc::new(program_id);
            for chunk in members.chunks(CHUNK) {
                if tasks.len() >= PARALLEL
                    && let Some(done) = tasks.join_next().await
                {
                    results.push(done);
                }
                let (state, program_id, chunk) =
                    (state.clone(), program_id.clone(), chunk.to_vec());
                tasks.spawn(async move {
                    let ids: Vec<&str> = chunk.iter().map(String::as_str).collect();
                    materialize(&state, &program_id, &ids).await
                });
            }
        }
        results.extend(tasks.join_all().await.into_iter().map(Ok));
        for r in results {
            written += r.map_err(|e| {
                tracing::error!(error = %e, "maintenance task failed");
                crate::error::ApiError::Internal
            })??;
        }
        if listed < BATCH as usize {
            return Ok(written);
        }
    }
}

/// Runs [`maintain_ledgers`] every `interval` until the process stops.
pub fn spawn(state: AppState, interval: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match maintain_ledgers(&state).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(entries = n, "ledger maintenance recorded entries"),
                Err(e) => tracing::warn!(error = %e, "ledger maintenance failed; will retry"),
            }
            if let Err(e) = birthdays(&state).await {
                tracing::warn!(error = %e, "birthday job failed; will retry");
            }
            match crate::service::tiers::review_due(&state).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(changes = n, "tier reviews changed standings"),
                Err(e) => tracing::warn!(error = %e, "tier reviews failed; will retry"),
            }
            if let Err(e) = lapse_rewards(&state).await {
                tracing::warn!(error = %e, "releasing lapsed checkouts and gifts failed; will retry");
            }
            if let Err(e) = leaderboards(&state).await {
                tracing::warn!(error = %e, "settling contests failed; will retry");
            }
            match crate::service::reminders::run_all(&state).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(reminders = n, "reminders written to the outbox"),
                Err(e) => tracing::warn!(error = %e, "reminders failed; will retry"),
            }
            match crate::service::expiring::run_all(&state).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(messages = n, "points.expiring messages written"),
                Err(e) => tracing::warn!(error = %e, "points.expiring messages failed; will retry"),
            }
            if let Err(e) = crate::service::segments::refresh_due(&state).await {
                tracing::warn!(error = %e, "refreshing segments failed; will retry");
            }
            if let Err(e) = crate::console::dashboard::fold_all(&state).await {
                tracing::warn!(error = %e, "folding the dashboard's rollups failed; will retry");
            }
        }
    })
}

/// What one pass of every job wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Pass {
    /// Ledger entries (expiries, released holds).
    pub entries: usize,
    pub birthday_events: usize,
    pub tier_changes: i64,
    pub lapsed_checkouts: usize,
    pub returned_gifts: usize,
    /// Contests whose period ended, settled with their prizes.
    pub contests_settled: usize,
    /// Reminders written to the notification outbox.
    pub reminders_sent: usize,
    /// `points.expiring` webhook messages written.
    pub expiring_messages: u64,
    /// Programs whose segments were refreshed fully (once a day, or after a change).
    pub segments_refreshed: usize,
}

/// Runs every job once, in the order the background loop runs them: ledger maintenance,
/// birthdays, tier reviews, lapsed checkouts and gifts, contests, reminders, `points.expiring`
/// messages, segments
/// (`jifen maintain`).
pub async fn run_once(state: &AppState) -> Result<Pass, crate::error::ApiError> {
    let entries = maintain_ledgers(state).await?;
    let birthday_events = birthdays(state).await?;
    let tier_changes = crate::service::tiers::review_due(state).await?;
    let (lapsed_checkouts, returned_gifts) = lapse_rewards(state).await?;
    let contests_settled = leaderboards(state).await?;
    let reminders_sent = crate::service::reminders::run_all(state).await?;
    let expiring_messages = crate::service::expiring::run_all(state).await?;
    let segments_refreshed = crate::service::segments::refresh_due(state).await?;
    Ok(Pass {
        entries,
        birthday_events,
        tier_changes,
        lapsed_checkouts,
        returned_gifts,
        contests_settled,
        reminders_sent,
        expiring_messages,
        segments_refreshed,
    })
}

/// Leaderboards' upkeep: settles the contests whose period ended, re-applies recent scores to
/// a shared (Redis) ranking, and drops in-process rankings nobody queried for a while. Returns
/// the contests settled.
pub async fn leaderboards(state: &AppState) -> Result<usize, crate::error::ApiError> {
    let settled = crate::service::leaderboards::settle_due(state).await?;
    for s in &settled {
        tracing::info!(leaderboard = %s.leaderboard, period = %s.period, ranked = s.ranked,
            winners = s.winners, "contest settled");
    }
    state.rankings.catch_up(state).await?;
    state.rankings.evict_idle(state.clock.now());
    Ok(settled.len())
}

/// Releases checkouts not confirmed by their deadline and returns gifts not claimed by theirs
/// to their senders: (checkouts, gifts).
pub async fn lapse_rewards(state: &AppState) -> Result<(usize, usize), crate::error::ApiError> {
    let checkouts = crate::service::checkout::lapse_due(state).await?;
    let gifts = crate::service::gifts::lapse_due(state).await?;
    Ok((checkouts, gifts))
}

/// How far back the birthday job looks, so a server that was down on a birthday catches up.
const BIRTHDAY_CATCH_UP_DAYS: i64 = 7;

/// Sends a `birthday` event for every member whose birthday (or birthday month) has come in
/// the last week, for every live birthday rule, once a year: the event id is
/// `birthday-{rule}-{year}-{member}`, so running the job twice, or on two nodes, records each
/// once (a repeat finds the first answer). Each event is judged by its rule alone. Returns the
/// events sent.
pub async fn birthdays(state: &AppState) -> Result<usize, crate::error::ApiError> {
    use chrono::{Datelike, Duration, NaiveDate, TimeZone};
    use jifen_core::rules::{BirthdayPer, Trigger};

    use crate::service::events::{EventKind, ParsedEvent, record};

    let now = state.clock.now();
    let mut recorded = 0;
    for program_id in state.store.programs_with_rules().await? {
        let Some(program) = state.store.get_program(&program_id).await? else {
            continue;
        };
        let tz = crate::service::program_tz(&program);
        let versions = state.store.rule_versions(&program.id).await?;
        let campaigns = state.store.campaigns(&program.id).await?;
        let set = crate::service::rules::build(&program, versions, &campaigns);
        let today = now.with_timezone(&tz).date_naive();
        let mut events = Vec::new();
        for rule in set.versions() {
            let Trigger::Birthday { per, at } = rule.spec.trigger else {
                continue;
            };
            // The instants the rule would have fired at in the window, newest last.
            for back in (0..=BIRTHDAY_CATCH_UP_DAYS).rev() {
                let day = today - Duration::days(back);
                let Some(fires) = tz.from_local_datetime(&day.and_time(at)).earliest() else {
                    continue;
                };
                let fires = fires.with_timezone(&chrono::Utc);
                if fires > now
                    || fires < rule.live_from
                    || rule.live_until.is_some_and(|u| fires >= u)
                {
                    continue;
                }
                let born = match per {
                    BirthdayPer::Day => {
                        let mut born = state
                            .store
                            .members_born(&program.id, day.month(), Some(day.day()))
                            .await?;
                        // Born on 29 February: the 28th in other years.
                        if day.month() == 2
                            && day.day() == 28
                            && NaiveDate::from_ymd_opt(day.year(), 2, 29).is_none()
                        {
                            born.extend(state.store.members_born(&program.id, 2, Some(29)).await?);
                        }
                        born
                    }
                    BirthdayPer::Month if day.day() == 1 => {
                        state
                            .store
                            .members_born(&program.id, day.month(), None)
                            .await?
                    }
                    BirthdayPer::Month => continue,
                };
                for member in born {
                    events.push(ParsedEvent {
                        id: format!("birthday-{}-{}-{member}", rule.id, day.year()),
                        kind: EventKind::Behaviour {
                            name: "birthday".into(),
                        },
                        type_name: "birthday".into(),
                        member,
                        occurred_at: fires,
                        site: None,
                        guest: false,
                        attributes: serde_json::json!({"rule": rule.id}),
                    });
                }
            }
        }
        for chunk in events.chunks(500) {
            record(state, &program, chunk).await?;
            recorded += chunk.len();
        }
    }
    Ok(recorded)
}
