//! Backtesting: replaying the stored events of a past window through a draft rule set, and
//! reporting against what was actually awarded.
//!
//! A backtest runs as a job: it reads the window's events a page at a time (by when they
//! occurred), judges each with the draft rules as if the window started afresh (usage
//! counters, streaks, tags and meters start empty at the window's start), and saves its
//! progress and the report so far after every page, so `GET /v1/rules/backtests/{id}` shows
//! it growing. Nothing but the backtest's own record is written.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use serde_json::{Value, json};

use jifen_core::Timestamp;
use jifen_core::rules::{Rule, RuleSpec, RuleStatus};
use jifen_store::{BacktestRecord, EventRecord, MemberFacts, MemberHead, Program};

use super::events::{EventKind, ParsedEvent};
use super::rules::{Compiled, with_drafts};
use crate::app::AppState;
use crate::error::ApiError;

/// Events read per page.
const PAGE: u32 = 2_000;

/// What to backtest.
pub struct Request {
    pub from: Timestamp,
    pub to: Timestamp,
    /// Draft rules (id, spec): each replaces the saved rule of its id, or adds one.
    pub drafts: Vec<(String, RuleSpec)>,
    /// Judge by the drafts alone (the default purchase rule still applies while no draft
    /// awards points for purchases).
    pub drafts_only: bool,
    /// What a point costs the brand, in thousandths of a fen.
    pub point_value_millifen: i64,
}

/// Starts a backtest and returns its record; the job runs in the background.
pub async fn start(
    state: &AppState,
    program: &Program,
    request: Request,
) -> Result<BacktestRecord, ApiError> {
    let now = state.clock.now();
    let total = state
        .store
        .count_events(&program.id, request.from, request.to)
        .await?;
    let record = BacktestRecord {
        id: uuid::Uuid::now_v7().to_string(),
        status: "running".into(),
        events_total: total,
        events_done: 0,
        report: Report::new(&request)
            .to_json(&request, &HashMap::new())
            .to_string(),
        created_at: now,
        updated_at: now,
    };
    save(state, program, &record).await?;
    let (state2, program2, record2) = (state.clone(), program.clone(), record.clone());
    tokio::spawn(async move {
        let id = record2.id.clone();
        if let Err(e) = run(&state2, &program2, record2, request).await {
            tracing::error!(backtest = %id, error = %e, "backtest failed");
            if let Ok(Some(mut r)) = state2.store.get_backtest(&program2.id, &id).await {
                r.status = "failed".into();
                r.updated_at = state2.clock.now();
                let _ = save(&state2, &program2, &r).await;
            }
        }
    });
    Ok(record)
}

async fn save(
    state: &AppState,
    program: &Program,
    record: &BacktestRecord,
) -> Result<(), ApiError> {
    super::with_retries(|| async {
        let mut tx = state.store.begin_write().await?;
        tx.save_backtest(&program.id, record).await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Per-member totals: what was awarded, what the drafts would have awarded.
#[derive(Default, Clone, Copy)]
struct Totals {
    actual: i64,
    draft: i64,
}

struct Report {
    events: i64,
    judged: i64,
    members: HashMap<i64, Totals>,
}

impl Report {
    fn new(_request: &Request) -> Report {
        Report {
            events: 0,
            judged: 0,
            members: HashMap::new(),
        }
    }

    fn to_json(&self, request: &Request, names: &HashMap<i64, String>) -> Value {
        let cost = |points: i64| {
            i64::try_from(i128::from(points) * i128::from(request.point_value_millifen) / 1_000)
                .unwrap_or(i64::MAX)
        };
        let actual: i64 = self.members.values().map(|t| t.actual).sum();
        let draft: i64 = self.members.values().map(|t| t.draft).sum();
        let affected = self
            .members
            .values()
            .filter(|t| t.actual != t.draft)
            .count();
        let mut top: Vec<(&i64, &Totals)> = self
            .members
            .iter()
            .filter(|(_, t)| t.actual != t.draft)
            .collect();
        top.sort_by_key(|(id, t)| (std::cmp::Reverse((t.draft - t.actual).abs()), **id));
        top.truncate(10);
        json!({
            "window": {"from": request.from, "to": request.to},
            "events": self.events,
            "events_judged": self.judged,
            "members": self.members.len(),
            "actual": {"points": actual, "cost_fen": cost(actual)},
            "draft": {"points": draft, "cost_fen": cost(draft)},
            "change": {"points": draft - actual, "cost_fen": cost(draft) - cost(actual)},
            "members_affected": affected,
            "distribution": {
                "draft_points_per_member": buckets(self.members.values().map(|t| t.draft), &DRAFT_BUCKETS),
                "change_per_member": buckets(self.members.values().map(|t| t.draft - t.actual), &CHANGE_BUCKETS),
            },
            "top_changes": top.iter().map(|(id, t)| json!({
                "member": names.get(id).cloned().unwrap_or_else(|| id.to_string()),
                "actual": t.actual,
                "draft": t.draft,
                "change": t.draft - t.actual,
            })).collect::<Vec<_>>(),
        })
    }
}

/// Bucket bounds: `[lower, upper)`.
const DRAFT_BUCKETS: [(i64, i64); 6] = [
    (i64::MIN, 1),
    (1, 100),
    (100, 1_000),
    (1_000, 10_000),
    (10_000, 100_000),
    (100_000, i64::MAX),
];
const CHANGE_BUCKETS: [(i64, i64); 7] = [
    (i64::MIN, -1_000),
    (-1_000, -100),
    (-100, 0),
    (0, 1),
    (1, 100),
    (100, 1_000),
    (1_000, i64::MAX),
];

fn buckets(values: impl Iterator<Item = i64>, bounds: &[(i64, i64)]) -> Vec<Value> {
    let mut counts = vec![0u64; bounds.len()];
    for v in values {
        if let Some(i) = bounds.iter().position(|(lo, hi)| v >= *lo && v < *hi) {
            counts[i] += 1;
        }
    }
    bounds
        .iter()
        .zip(counts)
        .map(|((lo, hi), n)| {
            let range = match (*lo, *hi) {
                (i64::MIN, hi) => format!("< {hi}"),
                (lo, i64::MAX) => format!("≥ {lo}"),
                (lo, hi) if hi == lo + 1 => format!("{lo}"),
                (lo, hi) => format!("{lo} to {}", hi - 1),
            };
            json!({"range": range, "members": n})
        })
        .collect()
}

/// An event as recorded, parsed back into what the rules judge.
fn parsed(record: &EventRecord, member: &MemberHead) -> ParsedEvent {
    let a = &record.attributes;
    let order_id = a
        .get("order_id")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let amount = a.get("amount").and_then(Value::as_i64).unwrap_or(0);
    let kind = match record.kind.as_str() {
        "purchase" => EventKind::Purchase { order_id, amount },
        "refund" => EventKind::Refund { order_id, amount },
        other => EventKind::Behaviour {
            name: other.to_owned(),
        },
    };
    ParsedEvent {
        id: record.id.clone(),
        kind,
        type_name: record.kind.clone(),
        member: member.external_id.clone(),
        occurred_at: record.occurred_at,
        site: record.site.clone(),
        guest: false,
        attributes: record.attributes.clone(),
    }
}

async fn run(
    state: &AppState,
    program: &Program,
    mut record: BacktestRecord,
    request: Request,
) -> Result<(), ApiError> {
    let tz = crate::service::program_tz(program);
    let versions = state.store.rule_versions(&program.id).await?;
    let campaigns = state.store.campaigns(&program.id).await?;
    let drafts: Vec<Rule> = request
        .drafts
        .iter()
        .map(|(id, spec)| {
            Rule::compile(
                id,
                0,
                RuleStatus::Active,
                spec.clone(),
                chrono::DateTime::<chrono::Utc>::MIN_UTC,
                None,
            )
        })
        .collect::<Result<_, _>>()
        .map_err(|e| ApiError::rule("", e))?;
    let set = Arc::new(with_drafts(
        program,
        &versions,
        &campaigns,
        drafts,
        request.drafts_only,
    ));
    let compiled = Arc::new(Compiled::new(
        program,
        Vec::new(),
        &[],
        &[],
        Default::default(),
    ));
    let mut judge = super::events::Judge::assemble(
        set,
        compiled,
        tz,
        program,
        Vec::new(),
        MemberFacts::default(),
    );
    let mut report = Report::new(&request);
    let mut names: HashMap<i64, String> = HashMap::new();
    let mut after: Option<(Timestamp, String)> = None;
    loop {
        let page = state
            .store
            .events_between(&program.id, request.from, request.to, after.clone(), PAGE)
            .await?;
        let Some(last) = page.last() else { break };
        after = Some((last.occurred_at, last.id.clone()));
        let ids: Vec<i64> = page
            .iter()
            .filter_map(|e| e.member_id)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let heads: HashMap<i64, MemberHead> = state
            .store
            .member_heads(&ids)
            .await?
            .into_iter()
            .map(|mut h| {
                h.book = None;
                (h.id, h)
            })
            .collect();
        let pairs: Vec<(i64, &str)> = page
            .iter()
            .filter_map(|e| e.member_id.map(|m| (m, e.id.as_str())))
            .collect();
        let earned: HashMap<(i64, String), i64> = state
            .store
            .earned_by_events(&pairs)
            .await?
            .into_iter()
            .map(|(m, e, p)| ((m, e), p))
            .collect();
        for e in &page {
            report.events += 1;
            let Some(head) = e.member_id.and_then(|m| heads.get(&m)) else {
                continue;
            };
            let event = parsed(e, head);
            let actual = earned.get(&(head.id, e.id.clone())).copied().unwrap_or(0);
            let draft = match &event.kind {
                EventKind::Refund { .. } => continue,
                EventKind::Purchase { amount, .. } => judge
                    .judge(&event, head, Some(*amount), e.recorded_at)
                    .points(),
                EventKind::Behaviour { .. } => judge
                    .judge_behaviour(&event, head, e.recorded_at)
                    .map_or(0, |e| e.points()),
            };
            report.judged += 1;
            names
                .entry(head.id)
                .or_insert_with(|| head.external_id.clone());
            let t = report.members.entry(head.id).or_default();
            t.actual += actual;
            t.draft += draft;
        }
        record.events_done = report.events;
        record.report = report.to_json(&request, &names).to_string();
        record.updated_at = state.clock.now();
        save(state, program, &record).await?;
        if page.len() < PAGE as usize {
            break;
        }
    }
    record.status = "done".into();
    record.events_done = report.events;
    record.report = report.to_json(&request, &names).to_string();
    record.updated_at = state.clock.now();
    save(state, program, &record).await
}
