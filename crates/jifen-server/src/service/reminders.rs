//! Reminders: the program's settings (saved as a settings document), and the scheduler that
//! turns what the ledger, vouchers, gifts, tiers and profiles imply into rows of the
//! notification outbox, past quiet hours, within caps, once per cause.

use jifen_core::reminders::ReminderSettings;

use crate::app::AppState;
use crate::error::ApiError;

/// The name the program's reminder settings are saved under.
pub const SETTING: &str = "reminders";

/// A program's reminder settings: the defaults (every kind off) until saved.
pub async fn settings(state: &AppState, program_id: &str) -> Result<ReminderSettings, ApiError> {
    Ok(crate::service::read_setting(state, program_id, SETTING)
        .await?
        .unwrap_or_else(ReminderSettings::defaults))
}

/// Saves a program's reminder settings, checked.
pub async fn save_settings(
    state: &AppState,
    program_id: &str,
    settings: &ReminderSettings,
) -> Result<(), ApiError> {
    settings
        .check()
        .map_err(|(field, message)| ApiError::invalid(field, message))?;
    crate::service::write_setting(state, program_id, SETTING, settings).await
}

// --- the scheduler ----------------------------------------------------------------------------

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, Duration, NaiveDate, NaiveTime};
use chrono_tz::Tz;
use serde_json::{Value, json};

use jifen_core::Timestamp;
use jifen_core::reminders::{
    Channel, ReminderKind, after_cap, expiring_by_day, first_allowed, is_quiet, local_day,
    local_instant, week_start,
};
use jifen_store::{Notification, PreferenceRow, Program, ReminderRow};

/// What the notification outbox names as the writer of reminders (its `rule_id`).
pub const WRITER: &str = "reminders";

/// Reminders sent per transaction.
const SEND_BATCH: u32 = 500;

/// Something a member should be reminded of, before channels, preferences and timing.
#[derive(Debug, Clone, PartialEq)]
pub struct Due {
    pub member_id: i64,
    pub kind: ReminderKind,
    /// One reminder per member, kind and cause (a local expiry date, a code, a review date…).
    pub cause: String,
    /// What the template needs.
    pub data: Value,
    /// Pointless from this instant.
    pub stale_at: Option<Timestamp>,
}

/// What is due for a program's members at `now`, for every kind the settings turn on.
pub async fn find_due(
    state: &AppState,
    program: &Program,
    settings: &ReminderSettings,
    now: Timestamp,
) -> Result<Vec<Due>, ApiError> {
    let mut due = Vec::new();
    for kind in settings.enabled() {
        due_of(state, program, settings, kind, now, &mut due).await?;
    }
    Ok(due)
}

/// What is due at `now` for one kind.
async fn due_of(
    state: &AppState,
    program: &Program,
    settings: &ReminderSettings,
    kind: ReminderKind,
    now: Timestamp,
    due: &mut Vec<Due>,
) -> Result<(), ApiError> {
    let tz = crate::service::program_tz(program);
    {
        match kind {
            ReminderKind::PointsExpiring => {
                points_expiring(state, program, settings, tz, now, due).await?
            }
            ReminderKind::StreakAtRisk => {
                streaks_at_risk(state, program, settings, tz, now, due).await?
            }
            ReminderKind::TierRequalification => {
                tiers_at_risk(state, program, settings, tz, now, due).await?
            }
            ReminderKind::Birthday => birthdays(state, program, settings, tz, now, due).await?,
            ReminderKind::VoucherExpiring => {
                let until = now + Duration::days(i64::from(settings.voucher_expiring.days_ahead));
                for v in state
                    .store
                    .vouchers_expiring(&program.id, now, until)
                    .await?
                {
                    due.push(Due {
                        member_id: v.member_id,
                        kind,
                        cause: v.code.clone(),
                        data: json!({
                            "voucher": v.code,
                            "template": v.template_id,
                            "expires_at": v.valid_until,
                            "expires_on": local_day(tz, v.valid_until).to_string(),
                        }),
                        stale_at: Some(v.valid_until),
                    });
                }
            }
            ReminderKind::GiftUnclaimed => {
                let sent_before =
                    now - Duration::hours(i64::from(settings.gift_unclaimed.after_hours));
                for g in state
                    .store
                    .gifts_unclaimed(&program.id, sent_before, now)
                    .await?
                {
                    let (member_id, to) = match g.recipient_id {
                        Some(r) => (r, "recipient"),
                        None => (g.sender_id, "sender"),
                    };
                    due.push(Due {
                        member_id,
                        kind,
                        cause: g.code.clone(),
                        data: json!({
                            "gift": g.code,
                            "to": to,
                            "sent_at": g.created_at,
                            "deadline": g.deadline,
                        }),
                        stale_at: Some(g.deadline),
                    });
                }
            }
        }
    }
    Ok(())
}

/// Points expiring within the days ahead, one reminder per local expiry date with the amount
/// of every lot expiring that day.
async fn points_expiring(
    state: &AppState,
    program: &Program,
    settings: &ReminderSettings,
    tz: Tz,
    now: Timestamp,
    due: &mut Vec<Due>,
) -> Result<(), ApiError> {
    let until = now + Duration::days(i64::from(settings.points_expiring.days_ahead));
    let members = state
        .store
        .members_with_lots_expiring(&program.id, now, until)
        .await?;
    for (member_id, external_id) in members {
        let (_, book) =
            crate::service::ledger::book_at(state, program, &external_id, now, false).await?;
        let by_day = expiring_by_day(&book.balance().expiring, tz, now, until);
        for (day, (points, first)) in by_day {
            due.push(Due {
                member_id,
                kind: ReminderKind::PointsExpiring,
                cause: day.to_string(),
                data: json!({"points": points, "expires_on": day.to_string(), "expires_at": first}),
                stale_at: Some(first),
            });
        }
    }
    Ok(())
}

/// Streaks whose last day was yesterday, once the local hour is reached: one reminder per
/// streak per day. Stale when the day ends (the streak broke).
async fn streaks_at_risk(
    state: &AppState,
    program: &Program,
    settings: &ReminderSettings,
    tz: Tz,
    now: Timestamp,
    due: &mut Vec<Due>,
) -> Result<(), ApiError> {
    let local = now.with_timezone(&tz);
    let Some(hour) = NaiveTime::from_hms_opt(settings.streak_at_risk.hour, 0, 0) else {
        return Ok(());
    };
    if local.time() < hour {
        return Ok(());
    }
    let today = local.date_naive();
    let yesterday = today - Duration::days(1);
    let day_ends = local_instant(tz, today + Duration::days(1), NaiveTime::MIN);
    for s in state
        .store
        .streaks_last_on(&program.id, &yesterday.to_string())
        .await?
    {
        due.push(Due {
            member_id: s.member_id,
            kind: ReminderKind::StreakAtRisk,
            cause: format!("{}:{today}", s.kind),
            data: json!({"streak": s.kind, "length": s.length, "day": today.to_string()}),
            stale_at: Some(day_ends),
        });
    }
    Ok(())
}

/// Members whose tier review comes within the days before it and whose figure is short of
/// keeping the tier: what is missing, and the review date.
async fn tiers_at_risk(
    state: &AppState,
    program: &Program,
    settings: &ReminderSettings,
    tz: Tz,
    now: Timestamp,
    due: &mut Vec<Due>,
) -> Result<(), ApiError> {
    let until = now + Duration::days(i64::from(settings.tier_requalification.days_before));
    let tiers = crate::service::tiers::TierSettings::read(state, &program.id).await?;
    for (member_id, external_id) in state
        .store
        .tier_reviews_between(&program.id, now, until)
        .await?
    {
        let Some(member) = state.store.get_member(&program.id, &external_id).await? else {
            continue;
        };
        let (Some(policy), Some(standing)) = (
            tiers.policy.as_ref(),
            crate::service::tiers::standing_of(state, program, &tiers, &member, now).await?,
        ) else {
            return Ok(());
        };
        let Some(review_at) = standing.state.review_at else {
            continue;
        };
        let progress = policy.progress(&standing.state, standing.value);
        let tier = policy.effective(&standing.state, now);
        let keep = progress.keep_threshold;
        let value = progress.value;
        if value >= keep {
            continue;
        }
        let review_on = local_day(tz, review_at).to_string();
        due.push(Due {
            member_id,
            kind: ReminderKind::TierRequalification,
            cause: review_on.clone(),
            data: json!({
                "tier": tier.id,
                "tier_name": tier.name,
                "basis": progress.basis,
                "value": value,
                "keep_threshold": keep,
                "missing": keep - value,
                "review_at": review_at,
                "review_on": review_on,
            }),
            stale_at: Some(review_at),
        });
    }
    Ok(())
}

/// Birthdays the days ahead from today: one reminder per member per year.
async fn birthdays(
    state: &AppState,
    program: &Program,
    settings: &ReminderSettings,
    tz: Tz,
    now: Timestamp,
    due: &mut Vec<Due>,
) -> Result<(), ApiError> {
    let day = local_day(tz, now) + Duration::days(i64::from(settings.birthday.days_ahead));
    let mut born = state
        .store
        .members_born(&program.id, day.month(), Some(day.day()))
        .await?;
    // Born on 29 February: the 28th in other years.
    if day.month() == 2 && day.day() == 28 && NaiveDate::from_ymd_opt(day.year(), 2, 29).is_none() {
        born.extend(state.store.members_born(&program.id, 2, Some(29)).await?);
    }
    if born.is_empty() {
        return Ok(());
    }
    let day_ends = local_instant(tz, day + Duration::days(1), NaiveTime::MIN);
    for (member_id, _) in state.store.active_member_ids(&program.id, &born).await? {
        let mut data = json!({
            "birthday_on": day.to_string(),
            "days_ahead": settings.birthday.days_ahead,
        });
        if let Some(gift) = &settings.birthday.gift {
            data["gift"] = json!(gift);
        }
        due.push(Due {
            member_id,
            kind: ReminderKind::Birthday,
            cause: day.year().to_string(),
            data,
            stale_at: Some(day_ends),
        });
    }
    Ok(())
}

/// Whether a member turned a kind off on a channel.
fn opted_out(prefs: &[PreferenceRow]) -> HashSet<(i64, String, String)> {
    prefs
        .iter()
        .filter(|p| !p.enabled)
        .map(|p| (p.member_id, p.kind.clone(), p.channel.clone()))
        .collect()
}

/// The reminder rows what is due becomes: one per channel the kind has a template for, leaving
/// out channels the member turned off and reminders recorded already. They wait until quiet
/// hours end.
pub fn plan(
    program: &Program,
    settings: &ReminderSettings,
    due: &[Due],
    prefs: &[PreferenceRow],
    recorded: &HashSet<(i64, String, String, String)>,
    now: Timestamp,
) -> Vec<ReminderRow> {
    let tz = crate::service::program_tz(program);
    let not_before = first_allowed(settings.quiet_hours.as_ref(), tz, now);
    let off = opted_out(prefs);
    let mut rows = Vec::new();
    for d in due {
        let (_, templates) = settings.kind(d.kind);
        for (channel, template) in templates {
            let key = (
                d.member_id,
                d.kind.as_str().to_owned(),
                d.cause.clone(),
                channel.as_str().to_owned(),
            );
            if recorded.contains(&key)
                || off.contains(&(key.0, key.1.clone(), key.3.clone()))
                || d.stale_at.is_some_and(|s| s <= not_before)
            {
                continue;
            }
            rows.push(ReminderRow {
                program_id: program.id.clone(),
                member_id: d.member_id,
                kind: key.1,
                cause: key.2,
                channel: key.3,
                template: template.clone(),
                data: d.data.to_string(),
                status: "pending".into(),
                not_before,
                stale_at: d.stale_at,
                created_at: now,
                sent_at: None,
                outcome: None,
            });
        }
    }
    rows
}

/// What one pass of the scheduler did for a program.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ReminderPass {
    /// Reminders recorded (pending) in this pass.
    pub recorded: u64,
    /// Written to the notification outbox.
    pub sent: usize,
    /// Moved to a later instant (quiet hours, caps).
    pub deferred: usize,
    /// Dropped: opted out since, or their cause passed.
    pub skipped: usize,
}

/// Records what is due and sends what may go out, for one program.
pub async fn run_program(
    state: &AppState,
    program: &Program,
    settings: &ReminderSettings,
) -> Result<ReminderPass, ApiError> {
    let now = state.clock.now();
    let mut pass = ReminderPass::default();
    if !settings.enabled().is_empty() {
        let due = find_due(state, program, settings, now).await?;
        let mut members: Vec<i64> = due.iter().map(|d| d.member_id).collect();
        members.sort_unstable();
        members.dedup();
        let prefs = state
            .store
            .notification_preferences(&program.id, &members)
            .await?;
        let recorded: HashSet<_> = state
            .store
            .reminders_recorded(&program.id, &members)
            .await?
            .into_iter()
            .collect();
        let rows = plan(program, settings, &due, &prefs, &recorded, now);
        if !rows.is_empty() {
            pass.recorded = crate::service::with_retries(|| async {
                let mut tx = state.store.begin_write_for(&program.id).await?;
                let n = tx.insert_reminders(&rows).await?;
                tx.commit().await?;
                Ok(n)
            })
            .await?;
        }
    }
    loop {
        let (sent, deferred, skipped, listed) = crate::service::with_retries(|| async {
            let mut tx = state.store.begin_write_for(&program.id).await?;
            tx.lock_reminders(&program.id).await?;
            let due = tx.due_reminders(&program.id, now, SEND_BATCH).await?;
            let listed = due.len();
            let outcome = send_due(&mut tx, program, settings, &due, now).await?;
            tx.commit().await?;
            Ok((outcome.0, outcome.1, outcome.2, listed))
        })
        .await?;
        pass.sent += sent;
        pass.deferred += deferred;
        pass.skipped += skipped;
        if listed < SEND_BATCH as usize {
            return Ok(pass);
        }
    }
}

/// Decides each due reminder in the transaction that holds the program's reminder lock:
/// skipped when stale or opted out, deferred in quiet hours or past a cap, otherwise sent as a
/// notification of the outbox. Returns (sent, deferred, skipped).
async fn send_due(
    tx: &mut Box<dyn jifen_store::WriteTx>,
    program: &Program,
    settings: &ReminderSettings,
    due: &[ReminderRow],
    now: Timestamp,
) -> Result<(usize, usize, usize), crate::service::Failure> {
    if due.is_empty() {
        return Ok((0, 0, 0));
    }
    let tz = crate::service::program_tz(program);
    let quiet = settings.quiet_hours.as_ref();
    let today = local_day(tz, now);
    let day_start = local_instant(tz, today, NaiveTime::MIN);
    let week_from = local_instant(tz, week_start(today), NaiveTime::MIN);
    let mut members: Vec<i64> = due.iter().map(|r| r.member_id).collect();
    members.dedup();
    let off = opted_out(&tx.preferences_of(&program.id, &members).await?);
    // Sent per (member, channel): (today, this week).
    let mut counts: HashMap<(i64, String), (u32, u32)> = HashMap::new();
    for (member, channel, at) in tx
        .reminders_sent_since(&program.id, &members, week_from)
        .await?
    {
        let c = counts.entry((member, channel)).or_default();
        c.1 += 1;
        if at >= day_start {
            c.0 += 1;
        }
    }
    let quiet_now = quiet.is_some_and(|q| is_quiet(q, now.with_timezone(&tz).time()));
    let (mut sent, mut deferred, mut skipped) = (0, 0, 0);
    let mut notifications = Vec::new();
    for row in due {
        if row.stale_at.is_some_and(|s| s <= now) {
            skipped += usize::from(
                tx.settle_reminder(row, "skipped", row.not_before, None, Some("stale"))
                    .await?,
            );
            continue;
        }
        if off.contains(&(row.member_id, row.kind.clone(), row.channel.clone())) {
            skipped += usize::from(
                tx.settle_reminder(row, "skipped", row.not_before, None, Some("opted_out"))
                    .await?,
            );
            continue;
        }
        if quiet_now {
            let later = first_allowed(quiet, tz, now);
            deferred += usize::from(
                tx.settle_reminder(row, "pending", later, None, None)
                    .await?,
            );
            continue;
        }
        let c = counts
            .entry((row.member_id, row.channel.clone()))
            .or_default();
        if !settings.caps.allow(c.0, c.1) {
            let week_full = c.1 >= settings.caps.per_week;
            let later = after_cap(quiet, tz, now, week_full);
            deferred += usize::from(
                tx.settle_reminder(row, "pending", later, None, None)
                    .await?,
            );
            continue;
        }
        if !tx
            .settle_reminder(row, "sent", row.not_before, Some(now), None)
            .await?
        {
            continue;
        }
        c.0 += 1;
        c.1 += 1;
        sent += 1;
        let data: Value = serde_json::from_str(&row.data).unwrap_or(Value::Null);
        notifications.push(Notification {
            program_id: program.id.clone(),
            member_id: row.member_id,
            template: row.template.clone(),
            rule_id: WRITER.into(),
            event_id: format!("reminder:{}:{}:{}", row.kind, row.cause, row.channel),
            created_at: now,
            recipient: None,
            payload: Some(
                json!({
                    "reason": row.kind,
                    "channel": row.channel,
                    "template": row.template,
                    "cause": row.cause,
                    "data": data,
                })
                .to_string(),
            ),
        });
    }
    tx.insert_notifications(&notifications).await?;
    Ok((sent, deferred, skipped))
}

/// Runs the scheduler for every program whose reminder settings were saved. Returns the
/// reminders sent.
pub async fn run_all(state: &AppState) -> Result<usize, ApiError> {
    let mut sent = 0;
    for program in state.store.list_programs().await? {
        let Some(text) = state.store.setting(&program.id, SETTING).await? else {
            continue;
        };
        let settings: ReminderSettings = serde_json::from_str(&text).map_err(|e| {
            tracing::error!(error = %e, program = %program.id, "stored reminder settings unreadable");
            ApiError::Internal
        })?;
        sent += run_program(state, &program, &settings).await?.sent;
    }
    Ok(sent)
}

// --- members' preferences --------------------------------------------------------------------

/// Where a preference change can come from.
pub const SOURCES: [&str; 3] = ["api", "portal", "console"];

/// A member's choice for one kind on one channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    pub kind: ReminderKind,
    pub channel: Channel,
    pub enabled: bool,
}

/// A member's preferences: every kind on every channel, on unless the member turned it off.
pub async fn preferences(
    state: &AppState,
    program_id: &str,
    member_id: i64,
) -> Result<Vec<(Choice, Option<PreferenceRow>)>, ApiError> {
    let rows = state
        .store
        .notification_preferences(program_id, &[member_id])
        .await?;
    Ok(matrix(&rows))
}

fn matrix(rows: &[PreferenceRow]) -> Vec<(Choice, Option<PreferenceRow>)> {
    let mut out = Vec::new();
    for kind in ReminderKind::ALL {
        for channel in Channel::ALL {
            let row = rows
                .iter()
                .find(|r| r.kind == kind.as_str() && r.channel == channel.as_str())
                .cloned();
            out.push((
                Choice {
                    kind,
                    channel,
                    enabled: row.as_ref().is_none_or(|r| r.enabled),
                },
                row,
            ));
        }
    }
    out
}

/// Applies a member's choices in one transaction: each one that changes something is saved
/// and appended to the member's consent records (purpose `reminders.<kind>`, the channel, the
/// time and the source). Choices that change nothing write nothing.
pub async fn set_preferences(
    state: &AppState,
    program_id: &str,
    external_id: &str,
    choices: &[Choice],
    source: &str,
) -> Result<(), ApiError> {
    crate::service::with_retries(|| async {
        let now = state.clock.now();
        let mut tx = state.store.begin_write_for(program_id).await?;
        let Some(head) = tx.lock_head(program_id, external_id).await? else {
            return Err(ApiError::MemberNotFound(external_id.to_owned()).into());
        };
        let current = matrix(&tx.preferences_of(program_id, &[head.id]).await?);
        let mut rows = Vec::new();
        let mut consents = Vec::new();
        for c in choices {
            let was = current
                .iter()
                .find(|(k, _)| k.kind == c.kind && k.channel == c.channel)
                .is_none_or(|(k, _)| k.enabled);
            if was == c.enabled {
                continue;
            }
            rows.push(PreferenceRow {
                program_id: program_id.to_owned(),
                member_id: head.id,
                kind: c.kind.as_str().into(),
                channel: c.channel.as_str().into(),
                enabled: c.enabled,
                source: source.to_owned(),
                updated_at: now,
            });
            consents.push(jifen_store::ConsentRecord {
                program_id: program_id.to_owned(),
                id: format!("pref-{}", uuid::Uuid::now_v7()),
                member_id: head.id,
                purpose: format!("reminders.{}", c.kind.as_str()),
                granted: c.enabled,
                at: now,
                source: source.to_owned(),
                channel: Some(c.channel.as_str().into()),
                recorded_at: now,
                seq: 0,
            });
        }
        tx.save_preferences(&rows).await?;
        tx.append_consents(&consents).await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

// --- the preview -----------------------------------------------------------------------------

/// Longest sample of a preview.
pub const PREVIEW_SAMPLE: usize = 20;

/// What the scheduler would send on a day, computed without writing.
#[derive(Debug, Clone, PartialEq)]
pub struct Preview {
    /// When the day's reminders would first go out (the day's start past quiet hours).
    pub evaluated_at: Timestamp,
    /// Every kind with its count (0 when none).
    pub by_kind: BTreeMap<&'static str, usize>,
    pub by_channel: BTreeMap<&'static str, usize>,
    /// Held back to a later day by the daily cap.
    pub held_by_caps: usize,
    /// The first reminders, with the member's external id.
    pub sample: Vec<(String, ReminderRow)>,
    pub total: usize,
}

/// What would be sent on a local day: what would be due then (streaks at their hour, the rest
/// when quiet hours end) and not recorded yet, plus what is pending for that day, per the
/// members' preferences and the daily cap. Reminders sent earlier in the same week are not
/// counted against the weekly cap.
pub async fn preview(
    state: &AppState,
    program: &Program,
    settings: &ReminderSettings,
    day: NaiveDate,
) -> Result<Preview, ApiError> {
    let tz = crate::service::program_tz(program);
    let quiet = settings.quiet_hours.as_ref();
    let start = local_instant(tz, day, NaiveTime::MIN);
    let end = local_instant(tz, day + Duration::days(1), NaiveTime::MIN);
    let evaluated_at = first_allowed(quiet, tz, start);
    let mut due = Vec::new();
    if evaluated_at < end {
        for kind in settings.enabled() {
            let at = match kind {
                ReminderKind::StreakAtRisk => {
                    NaiveTime::from_hms_opt(settings.streak_at_risk.hour, 0, 0)
                        .map(|h| {
                            first_allowed(quiet, tz, local_instant(tz, day, h)).max(evaluated_at)
                        })
                        .unwrap_or(evaluated_at)
                }
                _ => evaluated_at,
            };
            if at < end {
                due_of(state, program, settings, kind, at, &mut due).await?;
            }
        }
    }
    let mut members: Vec<i64> = due.iter().map(|d| d.member_id).collect();
    members.sort_unstable();
    members.dedup();
    let prefs = state
        .store
        .notification_preferences(&program.id, &members)
        .await?;
    let recorded: HashSet<_> = state
        .store
        .reminders_recorded(&program.id, &members)
        .await?
        .into_iter()
        .collect();
    let mut rows = plan(program, settings, &due, &prefs, &recorded, evaluated_at);
    let pending = state
        .store
        .reminders_pending(&program.id, end, 10_000)
        .await?;
    rows.extend(
        pending
            .into_iter()
            .filter(|r| r.stale_at.is_none_or(|s| s > evaluated_at)),
    );
    let mut ids: Vec<i64> = rows.iter().map(|r| r.member_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let off = opted_out(
        &state
            .store
            .notification_preferences(&program.id, &ids)
            .await?,
    );
    rows.retain(|r| !off.contains(&(r.member_id, r.kind.clone(), r.channel.clone())));
    rows.sort_by(|a, b| {
        (a.member_id, &a.kind, &a.cause, &a.channel).cmp(&(
            b.member_id,
            &b.kind,
            &b.cause,
            &b.channel,
        ))
    });
    // What was sent already counts against the caps: on the day itself, and since the start
    // of its week (a preview of Friday counts Monday to Thursday's sends).
    let week_from = local_instant(tz, week_start(day), NaiveTime::MIN);
    let sent_before = {
        let mut tx = state.store.begin_write().await?;
        let sent = tx
            .reminders_sent_since(&program.id, &ids, week_from)
            .await?;
        drop(tx);
        sent
    };
    let mut per_member: HashMap<(i64, String), (u32, u32)> = HashMap::new();
    for (member, channel, at) in sent_before {
        if at < end {
            let c = per_member.entry((member, channel)).or_default();
            c.1 += 1;
            c.0 += u32::from(at >= start);
        }
    }
    let mut held_by_caps = 0;
    rows.retain(|r| {
        let n = per_member
            .entry((r.member_id, r.channel.clone()))
            .or_default();
        (n.0, n.1) = (n.0 + 1, n.1 + 1);
        let fits = n.0 <= settings.caps.per_day && n.1 <= settings.caps.per_week;
        held_by_caps += usize::from(!fits);
        fits
    });
    let mut by_kind: BTreeMap<&'static str, usize> =
        ReminderKind::ALL.iter().map(|k| (k.as_str(), 0)).collect();
    let mut by_channel: BTreeMap<&'static str, usize> =
        Channel::ALL.iter().map(|c| (c.as_str(), 0)).collect();
    for r in &rows {
        if let Some(k) = ReminderKind::parse(&r.kind) {
            *by_kind.entry(k.as_str()).or_default() += 1;
        }
        if let Some(c) = Channel::parse(&r.channel) {
            *by_channel.entry(c.as_str()).or_default() += 1;
        }
    }
    let total = rows.len();
    rows.truncate(PREVIEW_SAMPLE);
    let sample_ids: Vec<i64> = rows.iter().map(|r| r.member_id).collect();
    let names: HashMap<i64, String> = state
        .store
        .external_ids(&sample_ids)
        .await?
        .into_iter()
        .collect();
    let sample = rows
        .into_iter()
        .map(|r| (names.get(&r.member_id).cloned().unwrap_or_default(), r))
        .collect();
    Ok(Preview {
        evaluated_at,
        by_kind,
        by_channel,
        held_by_caps,
        sample,
        total,
    })
}
