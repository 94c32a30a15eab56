//! Challenges in the event path: what each event adds to its member's progress, kept in the
//! event's own transaction (an event's contributions are keyed by its id, so a retry or a
//! duplicate adds nothing), the steps and completion it reaches (once each per challenge,
//! period, member and step), what a refund takes back, and joins of opt-in challenges.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono_tz::Tz;
use serde_json::{Value, json};

use jifen_core::challenges::{
    ChallengeSpec, ChallengeStatus, Enrollment, JOIN_EVENT, progress, refund_items,
};
use jifen_core::{Book, Cause, Entry, EntryKind, NewLot, PointPolicy, Timestamp};
use jifen_store::{
    ChallengeAwardRow, ChallengeJoinRow, ChallengeRow, ContributionRow, Order, WriteTx,
};

use super::Failure;
use super::events::{EventKind, ParsedEvent};
use crate::error::ApiError;

/// A stored definition, parsed.
pub fn parse(row: &ChallengeRow) -> Result<ChallengeSpec, ApiError> {
    serde_json::from_str(&row.spec).map_err(|_| ApiError::Internal)
}

/// A definition's refusal as the API's error.
pub fn spec_error(e: jifen_core::challenges::SpecError) -> ApiError {
    ApiError::invalid(e.field, e.message)
}

/// The lot key of a step's points, which a clawback takes back first.
pub fn lot_key(challenge: &str, period: &str, step: i64) -> String {
    format!("challenge:{challenge}:{period}:{step}")
}

/// The voucher source of a step's reward: once per member, challenge, period and step.
pub fn voucher_source(challenge: &str, period: &str, step: i64, member: i64) -> String {
    format!("challenge:{challenge}:{period}:{step}:{member}")
}

/// (challenge, period, member).
type Key = (String, String, i64);

/// A step or completion an event reached: what the event path gives.
pub struct Reached {
    pub challenge: String,
    pub period: String,
    pub step: i64,
    pub points: i64,
    pub voucher: Option<String>,
    pub badge: Option<(String, u32)>,
    pub tag: Option<String>,
}

/// A step or completion a refund took back, with the points to claw back.
pub struct Revoked {
    pub challenge: String,
    pub period: String,
    pub step: i64,
    pub points: i64,
}

/// What an event did to its member's challenges.
#[derive(Default)]
pub struct Outcome {
    pub reached: Vec<Reached>,
    pub revoked: Vec<Revoked>,
    pub shown: Vec<Value>,
}

/// The challenges a batch of events counts for, what its members reached, and what to write.
pub(crate) struct ChallengeBatch {
    program_id: String,
    tz: Tz,
    /// Active challenges by id.
    specs: BTreeMap<String, Arc<ChallengeSpec>>,
    contributions: HashMap<Key, Vec<ContributionRow>>,
    awards: HashMap<(Key, i64), ChallengeAwardRow>,
    joins: HashMap<(String, i64), Timestamp>,
    new_contributions: Vec<ContributionRow>,
    new_awards: Vec<ChallengeAwardRow>,
    new_joins: Vec<ChallengeJoinRow>,
}

impl ChallengeBatch {
    /// Loads the program's active challenges and what the members did in them; `None` when
    /// the program has no active challenge.
    pub async fn load(
        tx: &mut Box<dyn WriteTx>,
        program_id: &str,
        tz: Tz,
        members: &[i64],
    ) -> Result<Option<ChallengeBatch>, Failure> {
        let mut specs = BTreeMap::new();
        for row in tx.challenge_defs(program_id).await? {
            match parse(&row) {
                Ok(s) if s.status == ChallengeStatus::Active => {
                    specs.insert(row.id.clone(), Arc::new(s));
                }
                Ok(_) => {}
                Err(_) => tracing::error!(challenge = %row.id, "challenge does not parse"),
            }
        }
        if specs.is_empty() {
            return Ok(None);
        }
        let state = tx.challenge_state(program_id, members).await?;
        let mut contributions: HashMap<Key, Vec<ContributionRow>> = HashMap::new();
        for c in state.contributions {
            contributions
                .entry((c.challenge_id.clone(), c.period.clone(), c.member_id))
                .or_default()
                .push(c);
        }
        let awards = state
            .awards
            .into_iter()
            .map(|a| {
                (
                    (
                        (a.challenge_id.clone(), a.period.clone(), a.member_id),
                        a.step,
                    ),
                    a,
                )
            })
            .collect();
        let joins = state
            .joins
            .into_iter()
            .map(|j| ((j.challenge_id, j.member_id), j.joined_at))
            .collect();
        Ok(Some(ChallengeBatch {
            program_id: program_id.to_owned(),
            tz,
            specs,
            contributions,
            awards,
            joins,
            new_contributions: Vec::new(),
            new_awards: Vec::new(),
            new_joins: Vec::new(),
        }))
    }

    fn progress_of(&self, spec: &ChallengeSpec, key: &Key) -> i64 {
        let rows = self.contributions.get(key);
        progress(
            spec.goal.measure,
            rows.into_iter()
                .flatten()
                .map(|r| (r.item.as_str(), r.amount)),
        )
    }

    /// Counts an event for its member: its contributions, the steps they reach, and what a
    /// refund takes back.
    pub fn on_event(
        &mut self,
        event: &ParsedEvent,
        member: i64,
        order: Option<&Order>,
        now: Timestamp,
    ) -> Outcome {
        let mut out = Outcome::default();
        if event.guest {
            return out;
        }
        if event.type_name == JOIN_EVENT {
            if let Some(id) = event.attributes.get("challenge").and_then(Value::as_str) {
                let key = (id.to_owned(), member);
                let first = !self.joins.contains_key(&key);
                if first {
                    self.joins.insert(key, event.occurred_at);
                    self.new_joins.push(ChallengeJoinRow {
                        program_id: self.program_id.clone(),
                        challenge_id: id.to_owned(),
                        member_id: member,
                        event_id: event.id.clone(),
                        joined_at: event.occurred_at,
                    });
                }
                out.shown.push(json!({"challenge": id, "joined": first}));
            }
            return out;
        }
        let specs: Vec<(String, Arc<ChallengeSpec>)> = self
            .specs
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (id, spec) in specs {
            match &event.kind {
                EventKind::Refund { order_id, amount } => {
                    self.refund(
                        &id, &spec, event, member, order_id, *amount, order, now, &mut out,
                    );
                }
                _ => self.count(&id, &spec, event, member, now, &mut out),
            }
        }
        out
    }

    fn open(&self, spec: &ChallengeSpec, period: &str, now: Timestamp) -> bool {
        spec.period_end(period, self.tz)
            .is_some_and(|(_, closes)| now < closes)
    }

    fn count(
        &mut self,
        id: &str,
        spec: &ChallengeSpec,
        event: &ParsedEvent,
        member: i64,
        now: Timestamp,
        out: &mut Outcome,
    ) {
        if !spec.counts_type(&event.type_name) {
            return;
        }
        let Some(period) = spec.period_at(event.occurred_at, self.tz) else {
            return;
        };
        if !self.open(spec, &period, now) {
            return;
        }
        if spec.enrollment == Enrollment::OptIn {
            match self.joins.get(&(id.to_owned(), member)) {
                Some(joined) if *joined <= event.occurred_at => {}
                _ => return,
            }
        }
        let (order_id, amount) = match &event.kind {
            EventKind::Purchase { order_id, amount } => (Some(order_id.clone()), Some(*amount)),
            _ => (None, event.attributes.get("amount").and_then(Value::as_i64)),
        };
        let items = spec.items(
            &event.id,
            &event.type_name,
            event.occurred_at,
            self.tz,
            &event.attributes,
            amount,
        );
        if items.is_empty() {
            return;
        }
        let key: Key = (id.to_owned(), period.clone(), member);
        self.add(&key, event, order_id, items);
        let value = self.progress_of(spec, &key);
        let mut newly = Vec::new();
        for step in spec.reached(value) {
            let held = self
                .awards
                .get(&(key.clone(), step))
                .is_some_and(|a| a.status == "awarded");
            if held {
                continue;
            }
            let reward = spec.reward_of(step).cloned().unwrap_or_default();
            let points = reward.points.unwrap_or(0);
            let row = ChallengeAwardRow {
                program_id: self.program_id.clone(),
                challenge_id: id.to_owned(),
                period: period.clone(),
                member_id: member,
                step,
                event_id: event.id.clone(),
                points,
                status: "awarded".into(),
                awarded_at: now,
                revoked_at: None,
            };
            self.awards.insert((key.clone(), step), row.clone());
            self.new_awards.push(row);
            newly.push(step);
            out.reached.push(Reached {
                challenge: id.to_owned(),
                period: period.clone(),
                step,
                points,
                voucher: reward.voucher.clone(),
                badge: reward
                    .badge
                    .clone()
                    .map(|b| (b, reward.badge_level.unwrap_or(1))),
                tag: reward.tag.clone(),
            });
        }
        out.shown.push(json!({
            "challenge": id,
            "period": period,
            "progress": value,
            "target": spec.goal.target,
            "reached": newly,
            "completed": value >= spec.goal.target,
        }));
    }

    fn add(
        &mut self,
        key: &Key,
        event: &ParsedEvent,
        order_id: Option<String>,
        items: Vec<(String, i64)>,
    ) {
        let rows = self.contributions.entry(key.clone()).or_default();
        for (item, amount) in items {
            let row = ContributionRow {
                program_id: self.program_id.clone(),
                challenge_id: key.0.clone(),
                period: key.1.clone(),
                member_id: key.2,
                event_id: event.id.clone(),
                order_id: order_id.clone(),
                item,
                amount,
                occurred_at: event.occurred_at,
            };
            rows.push(row.clone());
            self.new_contributions.push(row);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn refund(
        &mut self,
        id: &str,
        spec: &ChallengeSpec,
        event: &ParsedEvent,
        member: i64,
        order_id: &str,
        amount: i64,
        order: Option<&Order>,
        now: Timestamp,
        out: &mut Outcome,
    ) {
        let full = order.is_some_and(|o| o.refunded >= o.amount);
        let keys: Vec<Key> = self
            .contributions
            .iter()
            .filter(|((c, _, m), rows)| {
                c == id
                    && *m == member
                    && rows.iter().any(|r| r.order_id.as_deref() == Some(order_id))
            })
            .map(|(k, _)| k.clone())
            .collect();
        for key in keys {
            if !self.open(spec, &key.1, now) {
                continue;
            }
            let mut added: BTreeMap<String, i64> = BTreeMap::new();
            for r in self.contributions[&key]
                .iter()
                .filter(|r| r.order_id.as_deref() == Some(order_id))
            {
                *added.entry(r.item.clone()).or_default() += r.amount;
            }
            let items = refund_items(spec.goal.measure, &added, amount, full);
            if items.is_empty() {
                continue;
            }
            self.add(&key, event, Some(order_id.to_owned()), items);
            let value = self.progress_of(spec, &key);
            let reached = spec.reached(value);
            let mut revoked = Vec::new();
            if spec.revoke_on_refund {
                let held: Vec<i64> = self
                    .awards
                    .iter()
                    .filter(|((k, step), a)| {
                        *k == key && a.status == "awarded" && !reached.contains(step)
                    })
                    .map(|((_, step), _)| *step)
                    .collect();
                for step in held {
                    if let Some(a) = self.awards.get_mut(&(key.clone(), step)) {
                        a.status = "revoked".into();
                        a.revoked_at = Some(now);
                        self.new_awards.push(a.clone());
                        revoked.push(step);
                        out.revoked.push(Revoked {
                            challenge: id.to_owned(),
                            period: key.1.clone(),
                            step,
                            points: a.points,
                        });
                    }
                }
            }
            out.shown.push(json!({
                "challenge": id,
                "period": key.1,
                "progress": value,
                "target": spec.goal.target,
                "revoked": revoked,
                "completed": value >= spec.goal.target,
            }));
        }
    }

    /// Writes what the batch decided.
    pub async fn persist(self, tx: &mut Box<dyn WriteTx>) -> Result<(), Failure> {
        tx.insert_contributions(&self.new_contributions).await?;
        let mut last: BTreeMap<(String, String, i64, i64), ChallengeAwardRow> = BTreeMap::new();
        for a in self.new_awards {
            last.insert(
                (
                    a.challenge_id.clone(),
                    a.period.clone(),
                    a.member_id,
                    a.step,
                ),
                a,
            );
        }
        let awards: Vec<ChallengeAwardRow> = last.into_values().collect();
        tx.save_challenge_awards(&awards).await?;
        tx.insert_challenge_joins(&self.new_joins).await?;
        Ok(())
    }
}

/// Refuses a `challenge_joined` event that names no active opt-in challenge.
pub(crate) fn check_join(
    batch: Option<&ChallengeBatch>,
    event: &ParsedEvent,
) -> Result<(), ApiError> {
    if event.type_name != JOIN_EVENT {
        return Ok(());
    }
    let Some(id) = event.attributes.get("challenge").and_then(Value::as_str) else {
        return Err(ApiError::invalid(
            "attributes.challenge",
            "a join names its challenge",
        ));
    };
    let spec = batch
        .and_then(|b| b.specs.get(id))
        .ok_or_else(|| ApiError::ChallengeNotFound(id.to_owned()))?;
    if spec.enrollment != Enrollment::OptIn {
        return Err(ApiError::invalid(
            "challenge",
            "every member takes part in this challenge: there is nothing to join",
        ));
    }
    Ok(())
}

/// Gives what a step or completion reached: its points as a lot of the member's book (keyed
/// so that a clawback takes them back first).
pub fn earn(
    book: &mut Book,
    reached: &Reached,
    policy: PointPolicy,
    tz: Tz,
    at: Timestamp,
    cause: &Cause,
) -> Vec<Entry> {
    if reached.points <= 0 {
        return Vec::new();
    }
    book.earn(
        NewLot {
            points: reached.points,
            available_at: at,
            expires_at: policy.expires_at(at, tz),
            order_id: Some(lot_key(&reached.challenge, &reached.period, reached.step)),
        },
        EntryKind::Earn,
        cause,
    )
}

/// Takes back a revoked step's points.
pub fn claw_back(
    book: &mut Book,
    revoked: &Revoked,
    policy: PointPolicy,
    cause: &Cause,
) -> Vec<Entry> {
    book.clawback(
        &lot_key(&revoked.challenge, &revoked.period, revoked.step),
        revoked.points,
        policy.negative_balance,
        cause,
    )
}

/// The most stored events a preview reads.
pub const PREVIEW_EVENTS: usize = 50_000;

/// The most members a preview names.
pub const PREVIEW_NAMED: usize = 50;

/// A purchase a preview read: its amount, what was refunded of it, and what it added.
type OrderSeen = (i64, i64, BTreeMap<String, i64>);

/// Who would have completed a challenge in a period, computed over the stored events.
pub struct Preview {
    pub period: String,
    /// Events read (at most [`PREVIEW_EVENTS`]).
    pub scanned: usize,
    /// Whether the period holds more events than were read.
    pub truncated: bool,
    /// Members with some progress.
    pub members: usize,
    /// How many would have completed it.
    pub completed: usize,
    /// The members furthest along (at most [`PREVIEW_NAMED`]): external id, progress.
    pub top: Vec<(String, i64)>,
}

/// A backtest of a definition over the events stored for its current period: every member
/// counts as joined, from the period's start, whatever the enrollment.
pub async fn preview(
    state: &crate::app::AppState,
    program: &jifen_store::Program,
    spec: &ChallengeSpec,
) -> Result<Preview, ApiError> {
    let tz = crate::service::program_tz(program);
    let now = state.clock.now();
    let period = spec.period.current(now, tz);
    let Some((from, to)) = spec.period.bounds(&period, tz) else {
        return Err(ApiError::invalid(
            "period",
            "the challenge has no current period",
        ));
    };
    let mut items: HashMap<i64, Vec<(String, i64)>> = HashMap::new();
    let mut orders: HashMap<(i64, String), OrderSeen> = HashMap::new();
    let mut scanned = 0;
    let mut after = None;
    let mut truncated = false;
    loop {
        let page = state
            .store
            .events_between(&program.id, from, to, after.clone(), 1_000)
            .await?;
        let Some(last) = page.last() else { break };
        after = Some((last.occurred_at, last.id.clone()));
        let full = page.len() == 1_000;
        for e in page {
            if scanned >= PREVIEW_EVENTS {
                truncated = true;
                break;
            }
            scanned += 1;
            let Some(member) = e.member_id else { continue };
            let order_id = e
                .attributes
                .get("order_id")
                .and_then(Value::as_str)
                .map(str::to_owned);
            let amount = e.attributes.get("amount").and_then(Value::as_i64);
            if e.kind == "refund" {
                let (Some(order_id), Some(amount)) = (order_id, amount) else {
                    continue;
                };
                if let Some((total, refunded, added)) = orders.get_mut(&(member, order_id)) {
                    *refunded += amount;
                    let back = refund_items(spec.goal.measure, added, amount, *refunded >= *total);
                    for (k, v) in &back {
                        *added.entry(k.clone()).or_default() += v;
                    }
                    items.entry(member).or_default().extend(back);
                }
                continue;
            }
            let got = spec.items(&e.id, &e.kind, e.occurred_at, tz, &e.attributes, amount);
            if got.is_empty() {
                continue;
            }
            if let (Some(order_id), Some(total)) = (order_id, amount) {
                let entry = orders
                    .entry((member, order_id))
                    .or_insert_with(|| (total, 0, BTreeMap::new()));
                for (k, v) in &got {
                    *entry.2.entry(k.clone()).or_default() += v;
                }
            }
            items.entry(member).or_default().extend(got);
        }
        if truncated || !full {
            break;
        }
    }
    let mut standing: Vec<(i64, i64)> = items
        .iter()
        .map(|(m, rows)| {
            let p = progress(
                spec.goal.measure,
                rows.iter().map(|(k, v)| (k.as_str(), *v)),
            );
            (*m, p)
        })
        .collect();
    standing.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let completed = standing
        .iter()
        .filter(|(_, p)| *p >= spec.goal.target)
        .count();
    let named: Vec<i64> = standing
        .iter()
        .take(PREVIEW_NAMED)
        .map(|(m, _)| *m)
        .collect();
    let ids: HashMap<i64, String> = state
        .store
        .member_external_ids(&program.id, &named)
        .await?
        .into_iter()
        .collect();
    let top = standing
        .iter()
        .take(PREVIEW_NAMED)
        .filter_map(|(m, p)| ids.get(m).map(|e| (e.clone(), *p)))
        .collect();
    Ok(Preview {
        period,
        scanned,
        truncated,
        members: standing.len(),
        completed,
        top,
    })
}
