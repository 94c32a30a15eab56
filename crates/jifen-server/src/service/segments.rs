//! Segments: members' features kept as their inputs change, and each segment's members kept
//! current — incrementally, in the transaction of each event batch (the members it touched are
//! counted again and judged by every segment of the program), and by a full refresh (every
//! member counted, ranked into RFM scores and judged) once a day in program time and whenever a
//! definition changes.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

use chrono::Duration;
use chrono_tz::Tz;
use jifen_core::Timestamp;
use jifen_core::rules::ConditionError;
use jifen_core::segments::{MemberFeatures, SegmentCondition, facts};
use jifen_store::{FeatureSet, Program, SegmentRow, StoreError, WriteTx};

use crate::app::AppState;
use crate::error::ApiError;
use crate::service::{Failure, program_tz, with_retries};

/// The window frequency and monetary value count over.
pub const WINDOW_DAYS: i64 = 365;
/// Members counted and judged in one transaction of a full refresh.
const REFRESH_BATCH: u32 = 2_000;
/// Compiled conditions kept, by their text.
const CACHE_LIMIT: usize = 4_096;

/// Compiled conditions by their text: a condition is compiled once per process, not once per
/// batch.
fn cache() -> &'static Mutex<HashMap<String, Arc<SegmentCondition>>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<SegmentCondition>>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// A segment's condition compiled (from the cache when it was compiled before).
pub fn compiled(source: &str) -> Result<Arc<SegmentCondition>, ConditionError> {
    if let Some(c) = cache().lock().ok().and_then(|c| c.get(source).cloned()) {
        return Ok(c);
    }
    let c = Arc::new(SegmentCondition::compile(source)?);
    if let Ok(mut cache) = cache().lock() {
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(source.to_owned(), c.clone());
    }
    Ok(c)
}

/// A segment ready to judge members.
pub struct Live {
    pub slug: String,
    pub condition: Arc<SegmentCondition>,
}

/// The segments of the rows whose condition compiles (every saved one does: it was checked).
pub fn live(rows: &[SegmentRow]) -> Vec<Live> {
    rows.iter()
        .filter_map(|r| {
            let condition = compiled(&r.condition)
                .inspect_err(|e| tracing::error!(segment = %r.slug, error = %e, "stored segment does not compile"))
                .ok()?;
            Some(Live {
                slug: r.slug.clone(),
                condition,
            })
        })
        .collect()
}

/// The start of the window the figures count at `now`.
pub fn window_from(now: Timestamp) -> Timestamp {
    now - Duration::days(WINDOW_DAYS)
}

/// Each member of a feature set with their features at `now` and the segments they are in.
pub fn members_of(set: FeatureSet, now: Timestamp) -> Vec<(i64, MemberFeatures, Vec<String>)> {
    let mut tags: HashMap<i64, Vec<String>> = HashMap::new();
    for (m, t) in set.tags {
        tags.entry(m).or_default().push(t);
    }
    let mut meters: HashMap<i64, BTreeMap<String, i64>> = HashMap::new();
    for (m, meter, v) in set.meters {
        meters.entry(m).or_default().insert(meter, v);
    }
    let mut identities: HashMap<i64, Vec<String>> = HashMap::new();
    for (m, kind) in set.identities {
        identities.entry(m).or_default().push(kind);
    }
    let mut sites: HashMap<i64, BTreeMap<String, Timestamp>> = HashMap::new();
    for (m, site, at) in set.sites {
        sites.entry(m).or_default().insert(site, at);
    }
    let mut memberships: HashMap<i64, Vec<String>> = HashMap::new();
    for (m, s) in set.memberships {
        memberships.entry(m).or_default().push(s);
    }
    set.rows
        .into_iter()
        .map(|r| {
            let id = r.member_id;
            let tier = match (&r.override_tier, r.override_until) {
                (Some(t), Some(until)) if until > now => Some(t.clone()),
                _ => r.tier,
            };
            let features = MemberFeatures {
                external_id: r.external_id,
                status: r.status,
                enrolled_at: r.enrolled_at,
                last_activity_at: r.last_activity_at,
                frequency_365d: r.frequency_365d,
                monetary_365d: r.monetary_365d,
                scores: r.scores,
                tier,
                tags: tags.remove(&id).unwrap_or_default(),
                meters: meters.remove(&id).unwrap_or_default(),
                attributes: serde_json::from_str(&r.attributes)
                    .unwrap_or_else(|_| serde_json::json!({})),
                gender: r.gender,
                city: r.city,
                birthday: r
                    .birthday
                    .as_deref()
                    .and_then(|b| chrono::NaiveDate::parse_from_str(b, "%Y-%m-%d").ok()),
                identities: identities.remove(&id).unwrap_or_default(),
                sites: sites.remove(&id).unwrap_or_default(),
            };
            (id, features, memberships.remove(&id).unwrap_or_default())
        })
        .collect()
}

/// Memberships as (segment, member).
pub type Memberships = Vec<(String, i64)>;

/// The memberships to add and remove for these members: every segment judges each (an erased
/// member is in none).
pub fn judge(
    members: &[(i64, MemberFeatures, Vec<String>)],
    segments: &[Live],
    tz: Tz,
    now: Timestamp,
) -> (Memberships, Memberships) {
    let (mut added, mut removed) = (Vec::new(), Vec::new());
    for (id, features, current) in members {
        let facts = facts(features, tz, now);
        let erased = features.status == "erased";
        let verdicts = segments
            .iter()
            .map(|s| (s.slug.as_str(), !erased && s.condition.admits(&facts)));
        let current: Vec<&str> = current.iter().map(String::as_str).collect();
        let (enter, leave) = jifen_core::segments::changes(verdicts, &current);
        added.extend(enter.into_iter().map(|s| (s.to_owned(), *id)));
        removed.extend(leave.into_iter().map(|s| (s.to_owned(), *id)));
    }
    (added, removed)
}

/// Counts again the features of members a write touched and judges them by every segment of
/// the program, inside the write's transaction.
pub async fn refresh_in_tx(
    tx: &mut Box<dyn WriteTx>,
    program: &Program,
    member_ids: &[i64],
    now: Timestamp,
) -> Result<(), StoreError> {
    if member_ids.is_empty() {
        return Ok(());
    }
    tx.count_features(&program.id, member_ids, window_from(now), now)
        .await?;
    let defs = tx.segment_defs(&program.id).await?;
    if defs.is_empty() {
        return Ok(());
    }
    judge_in_tx(tx, program, &live(&defs), member_ids, now).await
}

/// Judges members by the segments with their stored features, and writes what changed.
async fn judge_in_tx(
    tx: &mut Box<dyn WriteTx>,
    program: &Program,
    segments: &[Live],
    member_ids: &[i64],
    now: Timestamp,
) -> Result<(), StoreError> {
    let set = tx.features_in_tx(&program.id, member_ids).await?;
    let members = members_of(set, now);
    let (added, removed) = judge(&members, segments, program_tz(program), now);
    tx.set_memberships(&program.id, &added, &removed, now).await
}

/// What a full refresh did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Refresh {
    /// Members counted and judged.
    pub members: usize,
    /// Members ranked into RFM scores.
    pub ranked: u64,
}

/// Programs whose full refresh is under way in this process.
fn refreshing() -> &'static Mutex<HashSet<String>> {
    static SET: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    SET.get_or_init(|| Mutex::new(HashSet::new()))
}

/// Refreshes a program fully: counts every member's features as of now, ranks the RFM scores,
/// judges every member by every segment, and records the versions judged and the day. `None`
/// when a refresh of the program is under way in this process already.
pub async fn refresh_program(
    state: &AppState,
    program: &Program,
) -> Result<Option<Refresh>, ApiError> {
    if !refreshing()
        .lock()
        .map(|mut s| s.insert(program.id.clone()))
        .unwrap_or(false)
    {
        return Ok(None);
    }
    let result = refresh_fully(state, program).await;
    if let Ok(mut s) = refreshing().lock() {
        s.remove(&program.id);
    }
    result.map(Some)
}

/// The program's member ids, in batches of a full refresh.
async fn member_batches(state: &AppState, program: &Program) -> Result<Vec<Vec<i64>>, ApiError> {
    let mut batches = Vec::new();
    let mut after = 0;
    loop {
        let ids = state
            .store
            .member_ids_after(&program.id, after, REFRESH_BATCH)
            .await?;
        let Some(last) = ids.last().copied() else {
            return Ok(batches);
        };
        after = last;
        batches.push(ids);
    }
}

/// How many batches of a refresh are worked at once: PostgreSQL takes them on as many
/// connections (its cores do the counting), SQLite's single writer in turn.
fn refresh_parallel() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 8))
}

/// Works every batch with `work`, [`refresh_parallel`] at a time.
async fn each_batch<'a, F, Fut>(batches: &'a [Vec<i64>], work: F) -> Result<(), ApiError>
where
    F: Fn(&'a [i64]) -> Fut,
    Fut: std::future::Future<Output = Result<(), ApiError>>,
{
    use futures_util::{StreamExt, TryStreamExt};
    // Made up front (none runs before it is polled), so that no closure is held across the
    // awaits below.
    let works: Vec<Fut> = batches.iter().map(|ids| work(ids)).collect();
    futures_util::stream::iter(works)
        .buffer_unordered(refresh_parallel())
        .try_collect::<Vec<()>>()
        .await
        .map(drop)
}

/// Counts one batch's figures; the batch locks its members, so a concurrent event's count is
/// not overwritten by an older one.
async fn count_batch(
    state: &AppState,
    program: &Program,
    ids: &[i64],
    now: Timestamp,
) -> Result<(), ApiError> {
    with_retries(|| async {
        let mut tx = state.store.begin_write_for(&program.id).await?;
        tx.lock_member_ids(&program.id, ids).await?;
        tx.count_features(&program.id, ids, window_from(now), now)
            .await?;
        tx.commit().await?;
        Ok::<_, Failure>(())
    })
    .await
}

/// Writes one batch's changed RFM scores, and judges it by the segments.
async fn judge_batch(
    state: &AppState,
    program: &Program,
    segments: &[Live],
    scores: &HashMap<i64, (i64, i64, i64)>,
    ids: &[i64],
    now: Timestamp,
) -> Result<(), ApiError> {
    let mine: Vec<(i64, i64, i64, i64)> = ids
        .iter()
        .filter_map(|id| scores.get(id).map(|(r, f, m)| (*id, *r, *f, *m)))
        .collect();
    with_retries(|| async {
        let mut tx = state.store.begin_write_for(&program.id).await?;
        tx.lock_member_ids(&program.id, ids).await?;
        tx.set_rfm_scores(&mine).await?;
        judge_in_tx(&mut tx, program, segments, ids, now).await?;
        tx.commit().await?;
        Ok::<_, Failure>(())
    })
    .await
}

async fn refresh_fully(state: &AppState, program: &Program) -> Result<Refresh, ApiError> {
    let now = state.clock.now();
    let mut report = Refresh::default();
    let batches = member_batches(state, program).await?;
    each_batch(&batches, |ids| count_batch(state, program, ids, now)).await?;
    report.members = batches.iter().map(Vec::len).sum();
    // The RFM scores, ranked here over every member's counted figures and written with each
    // batch's judgement below (only those that changed): one statement ranking and rewriting
    // a million rows took most of a refresh on PostgreSQL, on one core.
    let ranked = state.store.rfm_inputs(&program.id).await?;
    let scores =
        jifen_core::segments::rfm_scores(&ranked.iter().map(|(i, _)| *i).collect::<Vec<_>>());
    report.ranked = ranked.len() as u64;
    let changed: HashMap<i64, (i64, i64, i64)> = ranked
        .iter()
        .zip(scores)
        .filter(|((_, held), new)| *held != Some(*new))
        .map(|((i, _), new)| (i.member_id, new))
        .collect();
    let changed = &changed;
    // Every member judged by the definitions as they are now.
    let defs = state.store.segments(&program.id).await?;
    let segments = live(&defs);
    each_batch(&batches, |ids| {
        judge_batch(state, program, &segments, changed, ids, now)
    })
    .await?;
    let day = now
        .with_timezone(&program_tz(program))
        .format("%Y-%m-%d")
        .to_string();
    with_retries(|| async {
        let mut tx = state.store.begin_write_for(&program.id).await?;
        for d in &defs {
            // A definition changed meanwhile keeps its older mark: the next pass refreshes it.
            tx.mark_refreshed(&program.id, &d.slug, d.version, now)
                .await?;
        }
        tx.note_refresh_day(&program.id, &day, now).await?;
        tx.commit().await?;
        Ok::<_, Failure>(())
    })
    .await?;
    Ok(report)
}

/// Whether a program's segments want a full refresh: not refreshed yet today (program time),
/// or a definition changed since its last one.
pub async fn refresh_wanted(state: &AppState, program: &Program) -> Result<bool, ApiError> {
    let today = state
        .clock
        .now()
        .with_timezone(&program_tz(program))
        .format("%Y-%m-%d")
        .to_string();
    if state
        .store
        .segments_refreshed_on(&program.id)
        .await?
        .as_deref()
        != Some(today.as_str())
    {
        return Ok(true);
    }
    Ok(state
        .store
        .segments(&program.id)
        .await?
        .iter()
        .any(|s| s.refreshed_version != s.version))
}

/// The jobs loop's pass: refreshes every program with segments that wants it. Returns the
/// programs refreshed.
pub async fn refresh_due(state: &AppState) -> Result<usize, ApiError> {
    let mut done = 0;
    for program_id in state.store.programs_with_segments().await? {
        let Some(program) = state.store.get_program(&program_id).await? else {
            continue;
        };
        if refresh_wanted(state, &program).await?
            && let Some(r) = refresh_program(state, &program).await?
        {
            tracing::info!(program = %program.id, members = r.members, "segments refreshed");
            done += 1;
        }
    }
    Ok(done)
}

/// Background refreshes started and not finished, by program.
fn in_flight() -> &'static Mutex<HashMap<String, usize>> {
    static MAP: OnceLock<Mutex<HashMap<String, usize>>> = OnceLock::new();
    MAP.get_or_init(|| Mutex::new(HashMap::new()))
}

/// How many background refreshes of the program [`refresh_soon`] started that have not
/// finished.
pub fn background_refreshes(program_id: &str) -> usize {
    in_flight()
        .lock()
        .map_or(0, |m| m.get(program_id).copied().unwrap_or(0))
}

/// Starts a full refresh of the program in the background (after a definition changed); the
/// jobs loop finishes it if this process stops first.
pub fn refresh_soon(state: &AppState, program: &Program) {
    if let Ok(mut m) = in_flight().lock() {
        *m.entry(program.id.clone()).or_default() += 1;
    }
    let (state, program) = (state.clone(), program.clone());
    tokio::spawn(async move {
        // A refresh already under way may have read the definitions before this change: wait
        // for it, then refresh again.
        for _ in 0..600 {
            match refresh_program(&state, &program).await {
                Ok(Some(_)) => break,
                Ok(None) => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
                Err(e) => {
                    tracing::warn!(program = %program.id, error = %e,
                        "segment refresh failed; the jobs loop will retry");
                    break;
                }
            }
        }
        if let Ok(mut m) = in_flight().lock()
            && let Some(n) = m.get_mut(&program.id)
        {
            *n -= 1;
            if *n == 0 {
                m.remove(&program.id);
            }
        }
    });
}

/// Which of `slugs` a member is in, as the materialised membership says: what reward and
/// voucher eligibility, reminders and offers read.
pub async fn member_in_segments(
    state: &AppState,
    program_id: &str,
    member_id: i64,
    slugs: &[&str],
) -> Result<Vec<String>, ApiError> {
    Ok(state
        .store
        .member_in_segments(program_id, member_id, slugs)
        .await?)
}

/// Judges members again after a write outside an event batch changed what their features read
/// (a profile, identities): in a transaction of its own right after that write. Nothing when
/// the program has no segments (profiles are read as they are when a member is judged).
pub async fn rejudge(
    state: &AppState,
    program: &Program,
    member_ids: &[i64],
) -> Result<(), ApiError> {
    if member_ids.is_empty() || state.store.segments(&program.id).await?.is_empty() {
        return Ok(());
    }
    with_retries(|| async {
        let mut tx = state.store.begin_write_for(&program.id).await?;
        tx.lock_member_ids(&program.id, member_ids).await?;
        refresh_in_tx(&mut tx, program, member_ids, state.clock.now()).await?;
        tx.commit().await?;
        Ok::<_, Failure>(())
    })
    .await
}

/// A CSV field, quoted when it must be; a leading `=`, `+`, `-` or `@` is prefixed with `'` so
/// that a spreadsheet does not read it as a formula.
pub fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// A segment's members as CSV, `external_id,since`, newest members first.
pub async fn members_csv(
    state: &AppState,
    program: &Program,
    slug: &str,
) -> Result<String, ApiError> {
    if state.store.segment(&program.id, slug).await?.is_none() {
        return Err(ApiError::SegmentNotFound(slug.to_owned()));
    }
    let mut csv = String::from("external_id,since\n");
    let mut after = None;
    loop {
        let rows = state
            .store
            .segment_members(&program.id, slug, REFRESH_BATCH, after)
            .await?;
        for r in &rows {
            csv.push_str(&csv_field(&r.external_id));
            csv.push(',');
            csv.push_str(&r.since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
            csv.push('\n');
        }
        match rows.last() {
            Some(last) if rows.len() == REFRESH_BATCH as usize => after = Some(last.member_id),
            _ => break,
        }
    }
    Ok(csv)
}
