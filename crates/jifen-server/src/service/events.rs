//! Recording events: purchases earn, refunds claw back, other behaviours are kept for the rules
//! that later react to them. A batch is one transaction; each event answers for itself.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{Datelike, NaiveDate, Timelike};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use jifen_core::rules::{
    Action, Evaluation, EventInput, Facts, RuleSet, Scope, UsageBook, UsageKey, evaluate_with,
    usage_keys,
};
use jifen_core::tiers::{MeterPoint, apply_earn_multiplier};
use jifen_core::{Book, Cause, CauseKind, Entry, EntryKind, NewLot, PointPolicy, Timestamp};
use jifen_store::{
    BasisFigure, EventRecord, MemberFacts, MemberHead, MeterEntry, Notification, Order, Program,
    Streak, UsageKeyRow, UsageRow, WriteTx,
};

use super::badges::{Awarded, BadgeBatch};
use super::judging::{Deferred, Judging, Oracle};
use super::ledger::{open_book, save_all};
use super::tiers::TierBatch;
use super::{Failure, request_hash, with_retries};
use crate::app::AppState;
use crate::error::ApiError;
use crate::shapes::entries_out;

/// Behaviours recorded as events; the rules engine decides what they earn.
pub const BEHAVIOUR_TYPES: [&str; 15] = [
    "check_in",
    "review",
    "survey_completed",
    "content_posted",
    "share",
    "profile_completed",
    "identity_bound",
    "livestream_attended",
    "store_scan",
    "forum_post",
    "site_visit",
    "referral_signup",
    "event_invite",
    "birthday",
    "challenge_joined",
];

/// Behaviours that count once per member: a repeat is recorded, and no rule runs for it.
pub const ONCE_PER_MEMBER: [&str; 2] = ["profile_completed", "identity_bound"];

/// What an event is, with its typed attributes.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum EventKind {
    Purchase { order_id: String, amount: i64 },
    Refund { order_id: String, amount: i64 },
    Behaviour { name: String },
}

/// An event parsed at the edge.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ParsedEvent {
    pub id: String,
    pub kind: EventKind,
    pub type_name: String,
    pub member: String,
    pub occurred_at: Timestamp,
    pub site: Option<String>,
    pub guest: bool,
    pub attributes: Value,
}

/// An event's answer as the JSON text that is stored and sent: a batch keeps no tree of its
/// answers (with many rules, one event's entries and rule trace reach 10 KB of text and several
/// times that as a `Value`).
pub type Answer = Box<serde_json::value::RawValue>;

/// One event's answer: the stored result, or why it was refused (nothing written).
pub type EventOutcome = Result<Answer, ApiError>;

/// An answer's text, for a reply or for storing.
pub fn answer_text(answer: &Value) -> Result<Answer, ApiError> {
    serde_json::value::to_raw_value(answer).map_err(|_| ApiError::Internal)
}

/// The most events one transaction records. A larger batch is recorded in parts of this many, one
/// transaction after another, so that no program holds the writer (on SQLite, one for every
/// program) for a whole batch of 1,000 while other programs wait their turn. Each event answers
/// for itself, so nothing depends on a batch being one transaction: a batch cut short by a crash
/// or an error has its recorded parts answered from their stored answers when it is sent again.
pub const EVENTS_PER_TRANSACTION: usize = 100;

/// Records a batch of events, [`EVENTS_PER_TRANSACTION`] to a transaction, and answers per
/// event.
pub async fn record(
    state: &AppState,
    program: &Program,
    events: &[ParsedEvent],
) -> Result<Vec<EventOutcome>, ApiError> {
    let mut outcomes = Vec::with_capacity(events.len());
    for part in events.chunks(EVENTS_PER_TRANSACTION) {
        outcomes.extend(record_part(state, program, part).await?);
    }
    Ok(outcomes)
}

/// Records events in one transaction and answers per event.
///
/// The rules' conditions are evaluated outside the transaction where they would make it long
/// (see [`super::judging`]): a round that meets conditions it cannot afford to evaluate in place
/// rolls back, they are evaluated outside, and the next round decides with their outcomes.
async fn record_part(
    state: &AppState,
    program: &Program,
    events: &[ParsedEvent],
) -> Result<Vec<EventOutcome>, ApiError> {
    let now = state.clock.now();
    let judging = Judging::new(state.judges.clone(), &program.id);
    let mut round = 0;
    loop {
        let defer = round < super::judging::MAX_DEFERRED_ROUNDS;
        let oracle = || Oracle::round(judging.clone(), defer);
        match with_retries(|| attempt(state, program, events, now, oracle())).await? {
            Round::Recorded(outcomes) => return Ok(outcomes),
            Round::Deferred(work) => {
                metrics::counter!("jifen_rules_deferred_rounds_total").increment(1);
                judging
                    .evaluate(Arc::new(program_facts(program)), work)
                    .await?;
            }
        }
        round += 1;
    }
}

/// How a round of [`record`] ended.
enum Round {
    Recorded(Vec<EventOutcome>),
    /// Rolled back: these conditions are to be evaluated outside first.
    Deferred(Vec<Deferred>),
}

/// What conditions read as `program`.
fn program_facts(program: &Program) -> Value {
    json!({
        "id": program.id,
        "name": program.name,
        "timezone": program.timezone,
        "currency": program.currency,
    })
}

/// A member locked for the batch, with their book rebuilt at now and the entries the batch
/// wrote for them so far.
pub(crate) struct Account {
    pub(crate) member: MemberHead,
    pub(crate) book: Book,
    pub(crate) pending: Vec<Entry>,
}

/// What a batch writes, gathered while its events are decided in memory and written at the end
/// in a few multi-row statements.
#[derive(Default)]
struct Writes {
    answers: Vec<(String, String, String)>,
    orders: Vec<Order>,
    refunded: Vec<(String, i64)>,
    events: Vec<EventRecord>,
    meters: Vec<MeterEntry>,
    notifications: Vec<Notification>,
    tags_added: Vec<(i64, String)>,
    tags_removed: Vec<(i64, String)>,
    /// Vouchers to issue: (member, template, source).
    vouchers: Vec<(i64, String, String)>,
    /// Whether the program has leaderboards, and what each event may add to their scores.
    boards_live: bool,
    facts: Vec<super::leaderboards::Fact>,
}

/// What conditions read about an event and its member (`event` and `member`).
fn facts_of(
    event: &ParsedEvent,
    head: &MemberHead,
    state: &MemberState,
    tiers: Option<&TierBatch>,
    amount: Option<i64>,
    tz: Tz,
) -> (Value, Value) {
    let local = event.occurred_at.with_timezone(&tz);
    let event_facts = json!({
        "id": event.id,
        "type": event.type_name,
        "occurred_at": event.occurred_at.to_rfc3339(),
        "site": event.site,
        "attributes": event.attributes,
        "amount": amount,
        "local": {
            "date": local.format("%Y-%m-%d").to_string(),
            "year": local.year(),
            "month": local.month(),
            "day": local.day(),
            "hour": local.hour(),
            "weekday": local.weekday().number_from_monday(),
        },
    });
    let streaks: BTreeMap<&str, i64> = state
        .streaks
        .iter()
        .map(|(k, (_, n))| (k.as_str(), *n))
        .collect();
    let member_facts = json!({
        "id": head.external_id,
        "status": head.status,
        "enrolled_at": head.enrolled_at.to_rfc3339(),
        "birthday": head.birthday.map(|b| b.format("%Y-%m-%d").to_string()),
        "attributes": serde_json::from_str::<Value>(&head.attributes).unwrap_or(json!({})),
        "tags": state.tags,
        "streaks": streaks,
        "meters": match tiers {
            Some(t) => json!(t.meters(head.id)),
            None => json!(state.meters),
        },
        "tier": tiers.and_then(|t| t.effective(head.id)).map(|t| t.id.clone()),
        "segments": state.segments,
    });
    (event_facts, member_facts)
}

fn member_ids(judged: &[(i64, String, Timestamp)]) -> Vec<i64> {
    judged
        .iter()
        .map(|(m, _, _)| *m)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// What rule conditions read about a member, kept current through the batch.
#[derive(Default)]
struct MemberState {
    streaks: HashMap<String, (NaiveDate, i64)>,
    changed_streaks: BTreeSet<String>,
    tags: BTreeSet<String>,
    meters: BTreeMap<String, i64>,
    /// The segments the member was in when the batch began (`member.in_segment`).
    segments: BTreeSet<String>,
}

/// The rules and what they read, for one batch.
pub(crate) struct Judge {
    rules: Arc<RuleSet>,
    /// The program's declared event types (and, outside simulations, its rules).
    compiled: Arc<super::rules::Compiled>,
    tz: Tz,
    usage: UsageBook,
    members: HashMap<i64, MemberState>,
    program: Value,
    /// Meters and tiers, when the program declares any.
    tiers: Option<TierBatch>,
    /// Where conditions' outcomes come from.
    oracle: Oracle,
    /// The program's badges, when it has active ones.
    badges: Option<BadgeBatch>,
    /// Referrals and boosts, when the program has referral settings.
    pub(crate) referrals: Option<super::referrals::ReferralBatch>,
    /// Challenges, when the program has active ones.
    pub(crate) challenges: Option<super::challenges::ChallengeBatch>,
}

impl Judge {
    /// Loads the rules, the counters the batch's events may read (locked) and the members'
    /// streaks, tags and meters.
    async fn load(
        state: &AppState,
        tx: &mut Box<dyn WriteTx>,
        program: &Program,
        (tz, now): (Tz, Timestamp),
        events: &[ParsedEvent],
        accounts: &HashMap<String, Account>,
    ) -> Result<Judge, Failure> {
        let compiled = super::rules::rules_in_tx(&state.rules, tx, program).await?;
        let rules = compiled.rules.clone();
        let (judged, keys) = Judge::reads(&rules, tz, events, accounts);
        let usage = tx.lock_usage(&program.id, &keys).await?;
        let ids: Vec<i64> = accounts.values().map(|a| a.member.id).collect();
        let badges = BadgeBatch::load(tx, &program.id, &ids).await?;
        let facts = if badges.as_ref().is_some_and(BadgeBatch::automatic) {
            tx.member_facts(&ids).await?
        } else if Judge::needs_facts(&rules, events) {
            tx.member_facts(&member_ids(&judged)).await?
        } else {
            MemberFacts::default()
        };
        let members: Vec<(i64, String, Timestamp)> = accounts
            .values()
            .map(|a| {
                (
                    a.member.id,
                    a.member.external_id.clone(),
                    a.member.enrolled_at,
                )
            })
            .collect();
        let settings = compiled.settings.clone();
        let tiers = TierBatch::load(tx, settings, program, &members, tz, now).await?;
        let reads_segments = rules.versions().any(|r| {
            r.spec
                .condition
                .as_deref()
                .is_some_and(|c| c.contains("in_segment"))
        });
        let memberships = if reads_segments {
            tx.memberships_in_tx(&program.id, &ids).await?
        } else {
            Vec::new()
        };
        let mut judge = Judge::assemble(rules, compiled, tz, program, usage, facts);
        for (m, slug) in memberships {
            judge.members.entry(m).or_default().segments.insert(slug);
        }
        judge.tiers = tiers;
        judge.badges = badges;
        Ok(judge)
    }

    /// The members and instants the rules will judge, and the counters they may read.
    fn reads(
        rules: &RuleSet,
        tz: Tz,
        events: &[ParsedEvent],
        accounts: &HashMap<String, Account>,
    ) -> (Vec<(i64, String, Timestamp)>, Vec<UsageKeyRow>) {
        let judged: Vec<(i64, String, Timestamp)> = events
            .iter()
            .filter(|e| !matches!(e.kind, EventKind::Refund { .. }))
            .filter_map(|e| {
                let member = accounts.get(&e.member).filter(|_| !e.guest)?;
                Some((member.member.id, e.type_name.clone(), e.occurred_at))
            })
            .collect();
        let refs: Vec<(i64, &str, Timestamp)> = judged
            .iter()
            .map(|(m, t, at)| (*m, t.as_str(), *at))
            .collect();
        let keys = usage_keys(rules, tz, &refs)
            .into_iter()
            .map(|k| (k.scope.key(), k.member.unwrap_or(0), k.period))
            .collect();
        (judged, keys)
    }

    /// Streaks, tags and meters matter to behaviours and to conditions.
    fn needs_facts(rules: &RuleSet, events: &[ParsedEvent]) -> bool {
        events
            .iter()
            .any(|e| matches!(e.kind, EventKind::Behaviour { .. }))
            || rules.versions().any(|r| r.spec.condition.is_some())
    }

    pub(crate) fn assemble(
        rules: Arc<RuleSet>,
        compiled: Arc<super::rules::Compiled>,
        tz: Tz,
        program: &Program,
        usage_rows: Vec<UsageRow>,
        facts: MemberFacts,
    ) -> Judge {
        let mut usage = UsageBook::default();
        for row in usage_rows {
            if let Some(scope) = Scope::parse(&row.scope) {
                let key = UsageKey {
                    scope,
                    member: (row.member_id != 0).then_some(row.member_id),
                    period: row.period,
                };
                usage.load(
                    key,
                    jifen_core::rules::Usage {
                        count: row.count,
                        points: row.points,
                    },
                );
            }
        }
        let mut members: HashMap<i64, MemberState> = HashMap::new();
        for s in facts.streaks {
            if let Ok(day) = NaiveDate::parse_from_str(&s.last_day, "%Y-%m-%d") {
                members
                    .entry(s.member_id)
                    .or_default()
                    .streaks
                    .insert(s.kind, (day, s.length));
            }
        }
        for (m, tag) in facts.tags {
            members.entry(m).or_default().tags.insert(tag);
        }
        for (m, meter, v) in facts.meters {
            members.entry(m).or_default().meters.insert(meter, v);
        }
        Judge {
            rules,
            compiled,
            tz,
            usage,
            members,
            program: program_facts(program),
            tiers: None,
            oracle: Oracle::in_place(),
            badges: None,
            referrals: None,
            challenges: None,
        }
    }

    /// Records the event's day in the member's streak of its type; returns whether the member
    /// had sent one before.
    fn note_activity(&mut self, member: i64, event: &ParsedEvent) -> bool {
        let day = event.occurred_at.with_timezone(&self.tz).date_naive();
        let state = self.members.entry(member).or_default();
        let seen = state.streaks.contains_key(&event.type_name);
        let next = match state.streaks.get(&event.type_name) {
            None => Some((day, 1)),
            Some((last, _)) if *last >= day => None,
            Some((last, n)) if last.succ_opt() == Some(day) => Some((day, n + 1)),
            Some(_) => Some((day, 1)),
        };
        if let Some(next) = next {
            state.streaks.insert(event.type_name.clone(), next);
            state.changed_streaks.insert(event.type_name.clone());
        }
        seen
    }

    /// Runs the rules for one event of a member.
    pub(crate) fn judge(
        &mut self,
        event: &ParsedEvent,
        head: &MemberHead,
        amount: Option<i64>,
        now: Timestamp,
    ) -> Evaluation {
        let state = self.members.entry(head.id).or_default();
        // Conditions are the only readers of the facts: without one, skip building them.
        let tiers = self.tiers.as_ref();
        let facts = self
            .rules
            .has_conditions(&event.type_name, event.occurred_at)
            .then(|| {
                let (event_facts, member_facts) =
                    facts_of(event, head, state, tiers, amount, self.tz);
                let facts = Facts::new(&event_facts, &member_facts, &self.program, now);
                if self.oracle.remembers() {
                    self.oracle.begin(&event.id, event_facts, member_facts, now);
                }
                facts
            });
        let input = EventInput {
            id: &event.id,
            type_name: &event.type_name,
            occurred_at: event.occurred_at,
            member: head.id,
            amount,
            only_rule: (event.type_name == "birthday")
                .then(|| event.attributes.get("rule").and_then(Value::as_str))
                .flatten(),
            facts: facts.as_ref(),
        };
        let mut evaluation = evaluate_with(
            &self.rules,
            self.tz,
            &input,
            &mut self.usage,
            &mut self.oracle,
        );
        let base = evaluation.points();
        if let Some((tier, factor)) = tiers.and_then(|t| t.earn_factor(head.id, &event.type_name)) {
            apply_earn_multiplier(&mut evaluation, &tier, factor);
        }
        if let Some(r) = &self.referrals {
            r.apply(&mut evaluation, head.id, event.occurred_at, base);
        }
        for action in &evaluation.actions {
            match action {
                Action::Tag { tag, .. } => {
                    state.tags.insert(tag.clone());
                }
                Action::Untag { tag, .. } => {
                    state.tags.remove(tag);
                }
                Action::AddToMeter {
                    meter,
                    amount,
                    keys,
                    ..
                } => {
                    let value = state.meters.entry(meter.clone()).or_default();
                    *value = value.saturating_add(*amount);
                    if let Some(t) = self.tiers.as_mut() {
                        for key in meter_keys(keys) {
                            t.note_meter(
                                head.id,
                                MeterPoint {
                                    meter: meter.clone(),
                                    key,
                                    amount: *amount,
                                    at: event.occurred_at,
                                },
                            );
                        }
                    }
                }
                Action::Notify { .. } | Action::IssueVoucher { .. } | Action::AwardBadge { .. } => {
                }
            }
        }
        evaluation
    }

    /// Awards the badges an event earns its member: those its rules' effects name, and those
    /// whose criteria the member now meets (after the rules ran, so what they added counts).
    fn judge_badges(
        &mut self,
        event: &ParsedEvent,
        head: &MemberHead,
        amount: Option<i64>,
        now: Timestamp,
        requested: &[(String, u32)],
    ) -> Vec<Awarded> {
        let Some(badges) = self.badges.as_mut() else {
            return Vec::new();
        };
        badges.note_event(head.id, &event.type_name);
        let facts = badges.automatic().then(|| {
            let state = self.members.entry(head.id).or_default();
            let (event_facts, mut member_facts) =
                facts_of(event, head, state, self.tiers.as_ref(), amount, self.tz);
            member_facts["counts"] = badges.counts_json(head.id);
            Facts::new(&event_facts, &member_facts, &self.program, now)
        });
        badges.award(head.id, &event.id, now, facts.as_ref(), requested)
    }

    /// Checks the attributes of a behaviour of a type the program declared.
    fn check_type(&self, name: &str, event: &ParsedEvent) -> Result<(), ApiError> {
        if BEHAVIOUR_TYPES.contains(&name) {
            return Ok(());
        }
        self.compiled.check_attributes(name, &event.attributes, "")
    }

    /// Runs the rules for a behaviour: `None` for a repeat of a once-per-member behaviour, which
    /// no rule judges.
    pub(crate) fn judge_behaviour(
        &mut self,
        event: &ParsedEvent,
        head: &MemberHead,
        now: Timestamp,
    ) -> Option<Evaluation> {
        let seen = self.note_activity(head.id, event);
        if seen && ONCE_PER_MEMBER.contains(&event.type_name.as_str()) {
            return None;
        }
        Some(self.judge(event, head, amount_of(event), now))
    }

    /// The trace of an evaluation, each rule with what is left under its caps after the event
    /// (`limits`, when it has any): what a simulation shows.
    pub(crate) fn traced_with_limits(
        &self,
        evaluation: &Evaluation,
        event: &ParsedEvent,
        head: &MemberHead,
    ) -> Value {
        let traced = evaluation
            .trace
            .iter()
            .map(|t| {
                let mut v = json!(t);
                let rule = self
                    .rules
                    .versions()
                    .find(|r| r.id == t.rule && r.version == t.version);
                if let Some(rule) = rule {
                    let left = jifen_core::rules::limits_left(
                        rule,
                        head.id,
                        &event.type_name,
                        event.occurred_at,
                        self.tz,
                        &self.usage,
                    );
                    if !left.is_empty() {
                        v["limits"] = json!(left);
                    }
                }
                v
            })
            .collect();
        Value::Array(traced)
    }

    /// What the batch changed in counters and streaks.
    fn take_writes(&mut self) -> (Vec<UsageRow>, Vec<Streak>) {
        let usage = self
            .usage
            .take_deltas()
            .into_iter()
            .map(|(k, u)| UsageRow {
                scope: k.scope.key(),
                member_id: k.member.unwrap_or(0),
                period: k.period,
                count: u.count,
                points: u.points,
            })
            .collect();
        let mut streaks = Vec::new();
        let mut members: Vec<(&i64, &mut MemberState)> = self.members.iter_mut().collect();
        members.sort_by_key(|(id, _)| **id);
        for (id, state) in members {
            for kind in std::mem::take(&mut state.changed_streaks) {
                if let Some((day, length)) = state.streaks.get(&kind) {
                    streaks.push(Streak {
                        member_id: *id,
                        kind,
                        last_day: day.format("%Y-%m-%d").to_string(),
                        length: *length,
                    });
                }
            }
        }
        (usage, streaks)
    }
}

/// One meter entry per key of an addition, or one without a key.
fn meter_keys(keys: &[String]) -> Vec<Option<String>> {
    if keys.is_empty() {
        vec![None]
    } else {
        keys.iter().cloned().map(Some).collect()
    }
}

/// Orders the batch knows: locked rows read at the start, plus those it records.
struct Orders(HashMap<String, Order>);

async fn attempt(
    state: &AppState,
    program: &Program,
    events: &[ParsedEvent],
    now: Timestamp,
    oracle: Oracle,
) -> Result<Round, Failure> {
    let mut tx = state.store.begin_write_for(&program.id).await?;
    // Lock every member named, in one order (so concurrent batches cannot deadlock), and open
    // their books.
    let referrers = super::referrals::referrers_to_lock(&mut tx, program, events).await?;
    let wanted: Vec<&str> = events
        .iter()
        .filter(|e| !e.guest)
        .map(|e| e.member.as_str())
        .chain(referrers.iter().map(String::as_str))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut accounts: HashMap<String, Account> = HashMap::new();
    for member in tx.lock_heads(&program.id, &wanted).await? {
        let (book, implied) = open_book(&mut tx, &member, now).await?;
        accounts.insert(
            member.external_id.clone(),
            Account {
                member,
                book,
                pending: implied,
            },
        );
    }
    // Answers stored by earlier requests, and the orders the batch refers to.
    let ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
    let mut stored: HashMap<String, (String, String)> = tx
        .stored_answers(&program.id, "event", &ids)
        .await?
        .into_iter()
        .map(|(key, hash, _, answer)| (key, (hash, answer)))
        .collect();
    let order_ids: Vec<&str> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Purchase { order_id, .. } | EventKind::Refund { order_id, .. } => {
                Some(order_id.as_str())
            }
            EventKind::Behaviour { .. } => None,
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut orders = Orders(
        tx.lock_orders(&program.id, &order_ids)
            .await?
            .into_iter()
            .map(|o| (o.order_id.clone(), o))
            .collect(),
    );
    let tz = crate::service::program_tz(program);
    let fresh_events: Vec<ParsedEvent> = events
        .iter()
        .filter(|e| !stored.contains_key(&e.id))
        .cloned()
        .collect();
    let mut judge =
        Judge::load(state, &mut tx, program, (tz, now), &fresh_events, &accounts).await?;
    judge.oracle = oracle;
    let boards: Vec<super::leaderboards::Board> = tx
        .leaderboards_in_tx(&program.id)
        .await?
        .into_iter()
        .filter_map(|row| super::leaderboards::Board::parse(row).ok())
        .collect();
    let locked: HashMap<String, i64> = accounts
        .iter()
        .map(|(e, a)| (e.clone(), a.member.id))
        .collect();
    judge.referrals =
        super::referrals::ReferralBatch::load(&mut tx, program, tz, &fresh_events, &locked).await?;
    let ids: Vec<i64> = locked.values().copied().collect();
    judge.challenges =
        super::challenges::ChallengeBatch::load(&mut tx, &program.id, tz, &ids).await?;
    let mut writes = Writes {
        boards_live: !boards.is_empty(),
        ..Writes::default()
    };
    let mut outcomes = Vec::with_capacity(events.len());
    // Deciding a large batch is a long stretch without an await: it runs off the async
    // workers, which go on serving other requests (and other programs).
    super::judging::off_the_workers(events.len(), || {
        for event in events {
            let hash = request_hash(event);
            if let Some((first_hash, answer)) = stored.get(&event.id) {
                outcomes.push(if *first_hash == hash {
                    serde_json::value::RawValue::from_string(answer.clone())
                        .map_err(|_| ApiError::Internal)
                } else {
                    Err(ApiError::IdempotencyConflict)
                });
                continue;
            }
            let outcome = decide(
                program,
                tz,
                event,
                &mut accounts,
                &mut orders,
                &mut writes,
                &mut judge,
                now,
            )
            .and_then(|answer| answer_text(&answer));
            if let Ok(answer) = &outcome {
                let text = answer.get().to_owned();
                stored.insert(event.id.clone(), (hash.clone(), text.clone()));
                writes.answers.push((event.id.clone(), hash, text));
            }
            outcomes.push(outcome);
        }
    });
    let deferred = judge.oracle.take_deferred();
    if !deferred.is_empty() {
        // Some outcomes were guessed: write nothing (dropping the transaction rolls it back).
        return Ok(Round::Deferred(deferred));
    }
    let fresh: BTreeSet<String> = writes.answers.iter().map(|(k, _, _)| k.clone()).collect();
    if let Some(badges) = judge.badges.take() {
        badges.persist(&mut tx).await?;
    }
    let (usage, streaks) = judge.take_writes();
    let scores = super::leaderboards::record_in_tx(
        &mut tx,
        program,
        &boards,
        &std::mem::take(&mut writes.facts),
        (tz, now),
        state.rankings.shared(),
    )
    .await?;
    tx.add_usage(&program.id, &usage).await?;
    tx.save_streaks(&streaks).await?;
    persist(&mut tx, program, &mut accounts, writes, now).await?;
    if let Some(tiers) = judge.tiers.take() {
        tiers.writes.persist(&mut tx, &program.id, now).await?;
    }
    if let Some(referrals) = judge.referrals.take() {
        referrals.persist(&mut tx).await?;
    }
    if let Some(challenges) = judge.challenges.take() {
        challenges.persist(&mut tx).await?;
    }
    // The members' features changed with their events: their segments follow in this
    // transaction.
    super::segments::refresh_in_tx(&mut tx, program, &ids, now).await?;
    tx.commit().await?;
    state.rankings.apply(&program.id, &scores).await;
    for event in events.iter().filter(|e| fresh.contains(e.id.as_str())) {
        metrics::counter!("jifen_events_ingested_total", "type" => event.type_name.clone())
            .increment(1);
    }
    Ok(Round::Recorded(outcomes))
}

/// Writes what the batch decided: answers, orders, refunds, events, entries and books.
async fn persist(
    tx: &mut Box<dyn WriteTx>,
    program: &Program,
    accounts: &mut HashMap<String, Account>,
    writes: Writes,
    now: Timestamp,
) -> Result<(), Failure> {
    let answers: Vec<(&str, &str, u16, &str)> = writes
        .answers
        .iter()
        .map(|(k, h, a)| (k.as_str(), h.as_str(), 200, a.as_str()))
        .collect();
    let fresh = tx.store_answers(&program.id, "event", &answers).await?;
    let new_orders = tx.insert_orders(&writes.orders).await?;
    if fresh != answers.len() as u64 || new_orders != writes.orders.len() as u64 {
        // Another transaction recorded one of these events or orders since we looked (only
        // possible on PostgreSQL): start over, and its answer will be found.
        return Err(Failure::Store(jifen_store::StoreError::Busy));
    }
    for (order_id, refunded) in &writes.refunded {
        tx.set_order_refunded(&program.id, order_id, *refunded)
            .await?;
    }
    tx.insert_events(&writes.events).await?;
    tx.insert_meter_entries(&writes.meters).await?;
    tx.insert_notifications(&writes.notifications).await?;
    tx.add_tags(&writes.tags_added, now).await?;
    tx.remove_tags(&writes.tags_removed).await?;
    for (member_id, template, source) in &writes.vouchers {
        super::vouchers::issue_named(tx, &program.id, template, &[*member_id], source, now).await?;
    }
    let mut touched: Vec<&mut Account> = accounts
        .values_mut()
        .filter(|a| !a.pending.is_empty())
        .collect();
    touched.sort_by_key(|a| a.member.id);
    let pending: Vec<Vec<Entry>> = touched
        .iter_mut()
        .map(|a| std::mem::take(&mut a.pending))
        .collect();
    let items = touched
        .into_iter()
        .zip(&pending)
        .map(|(a, entries)| (a.member.id, &mut a.book, &entries[..]))
        .collect();
    save_all(tx, &program.id, items).await
}

/// Decides one event in memory. An error refuses only this event: nothing of it is written.
#[allow(clippy::too_many_arguments)]
fn decide(
    program: &Program,
    tz: Tz,
    event: &ParsedEvent,
    accounts: &mut HashMap<String, Account>,
    orders: &mut Orders,
    writes: &mut Writes,
    judge: &mut Judge,
    now: Timestamp,
) -> Result<Value, ApiError> {
    let record = |member_id: Option<i64>| EventRecord {
        program_id: program.id.clone(),
        id: event.id.clone(),
        member_id,
        kind: event.type_name.clone(),
        occurred_at: event.occurred_at,
        site: event.site.clone(),
        attributes: event.attributes.clone(),
        recorded_at: now,
    };
    let member_id = if event.guest {
        None
    } else {
        Some(
            accounts
                .get(&event.member)
                .ok_or_else(|| ApiError::MemberNotFound(event.member.clone()))?
                .member
                .id,
        )
    };
    judge
        .compiled
        .settings
        .check_site(event.site.as_deref(), "site")?;
    if let Some(r) = &judge.referrals {
        r.check(event)?;
    }
    super::challenges::check_join(judge.challenges.as_ref(), event)?;
    let policy = program.policy;
    let cause = Cause::new(CauseKind::Event, event.id.clone());
    let mut evaluation = None;
    let mut repeat = false;
    let entries: Vec<Entry> = match &event.kind {
        EventKind::Purchase { order_id, amount } => {
            if orders.0.contains_key(order_id) {
                return Err(ApiError::OrderExists(order_id.clone()));
            }
            let account = accounts.get_mut(&event.member).filter(|_| !event.guest);
            let judged = account
                .as_ref()
                .map(|a| judge.judge(event, &a.member, Some(*amount), now));
            // Refused before anything of the event is written: the member's lifetime figures
            // must hold what the rules award.
            if let (Some(a), Some(e)) = (account.as_ref(), judged.as_ref()) {
                a.book.check_credit(e.points())?;
            }
            let order = Order {
                program_id: program.id.clone(),
                order_id: order_id.clone(),
                member_id,
                guest_ref: event.guest.then(|| event.member.clone()),
                amount: *amount,
                refunded: 0,
                points_per_yuan: if event.guest {
                    0
                } else {
                    policy.points_per_yuan
                },
                points: Some(judged.as_ref().map_or(0, Evaluation::points)),
                occurred_at: event.occurred_at,
            };
            orders.0.insert(order_id.clone(), order.clone());
            writes.orders.push(order);
            let entries = match (account, &judged) {
                (Some(account), Some(e)) => award(
                    &mut account.book,
                    e,
                    policy,
                    tz,
                    event,
                    Some(order_id),
                    &cause,
                ),
                _ => Vec::new(),
            };
            evaluation = judged;
            entries
        }
        EventKind::Refund { order_id, amount } => {
            let order = orders.0.get_mut(order_id).filter(|o| {
                o.member_id == member_id
                    && (!event.guest || o.guest_ref.as_deref() == Some(event.member.as_str()))
            });
            let Some(order) = order else {
                return Err(ApiError::OrderNotFound(order_id.clone()));
            };
            let total = jifen_core::limits::add("refunded", order.refunded, *amount)?;
            if total > order.amount {
                return Err(ApiError::RefundExceedsOrder {
                    order_id: order_id.clone(),
                    total,
                    amount: order.amount,
                });
            }
            let worth = order_worth(order, order.amount - total);
            if let Some(account) = accounts.get(&event.member).filter(|_| !event.guest) {
                let owed = account.book.order_credited(order_id) - worth;
                account.book.check_clawback(owed)?;
            }
            order.refunded = total;
            if let Some(o) = writes.orders.iter_mut().find(|o| &o.order_id == order_id) {
                o.refunded = total;
            } else {
                match writes.refunded.iter_mut().find(|(o, _)| o == order_id) {
                    Some((_, r)) => *r = total,
                    None => writes.refunded.push((order_id.clone(), total)),
                }
            }
            match accounts.get_mut(&event.member).filter(|_| !event.guest) {
                Some(account) => {
                    let owed = account.book.order_credited(order_id) - worth;
                    account
                        .book
                        .clawback(order_id, owed, policy.negative_balance, &cause)
                }
                None => Vec::new(),
            }
        }
        EventKind::Behaviour { .. } if event.guest => {
            return Err(ApiError::invalid(
                "attributes.guest",
                "only purchases and refunds can be recorded for guests",
            ));
        }
        EventKind::Behaviour { name } => match accounts.get_mut(&event.member) {
            Some(account) => {
                judge.check_type(name, event)?;
                match judge.judge_behaviour(event, &account.member, now) {
                    None => {
                        repeat = true;
                        Vec::new()
                    }
                    Some(e) => {
                        account.book.check_credit(e.points())?;
                        let entries = award(&mut account.book, &e, policy, tz, event, None, &cause);
                        evaluation = Some(e);
                        entries
                    }
                }
            }
            None => Vec::new(),
        },
    };
    let mut requested: Vec<(String, u32)> = Vec::new();
    let mut entries = entries;
    let mut referral = None;
    if let (Some(member_id), Some(r)) = (member_id, judge.referrals.as_mut()) {
        let order = match &event.kind {
            EventKind::Purchase { order_id, .. } | EventKind::Refund { order_id, .. } => {
                orders.0.get(order_id)
            }
            EventKind::Behaviour { .. } => None,
        };
        let (more, shown) = r.on_event(
            event,
            member_id,
            order,
            accounts,
            policy,
            &mut writes.vouchers,
        )?;
        entries.extend(more);
        referral = shown;
    }
    if let (Some(e), Some(member_id)) = (&evaluation, member_id) {
        for action in &e.actions {
            match action {
                Action::AddToMeter {
                    rule,
                    meter,
                    amount,
                    keys,
                } => {
                    for key in meter_keys(keys) {
                        writes.meters.push(MeterEntry {
                            member_id,
                            meter: meter.clone(),
                            amount: *amount,
                            occurred_at: event.occurred_at,
                            rule_id: rule.clone(),
                            event_id: event.id.clone(),
                            key,
                        });
                    }
                }
                Action::Tag { tag, .. } => {
                    writes
                        .tags_removed
                        .retain(|(m, t)| !(*m == member_id && t == tag));
                    writes.tags_added.push((member_id, tag.clone()));
                }
                Action::Untag { tag, .. } => {
                    writes
                        .tags_added
                        .retain(|(m, t)| !(*m == member_id && t == tag));
                    writes.tags_removed.push((member_id, tag.clone()));
                }
                Action::IssueVoucher { rule, template } => writes.vouchers.push((
                    member_id,
                    template.clone(),
                    format!("rule:{rule}:{}", event.id),
                )),
                Action::AwardBadge { badge, level, .. } => {
                    requested.push((badge.clone(), *level));
                }
                Action::Notify { rule, template } => writes.notifications.push(Notification {
                    program_id: program.id.clone(),
                    member_id,
                    template: template.clone(),
                    rule_id: rule.clone(),
                    event_id: event.id.clone(),
                    created_at: now,
                    recipient: None,
                    payload: None,
                }),
            }
        }
    }
    writes.events.push(record(member_id));
    if let (true, Some(member_id)) = (writes.boards_live, member_id) {
        writes.facts.push(board_fact(
            event,
            member_id,
            &entries,
            evaluation.as_ref(),
            orders,
        ));
    }
    let mut change = None;
    if let (Some(member_id), Some(tiers)) = (member_id, judge.tiers.as_mut()) {
        match &event.kind {
            EventKind::Purchase { amount, .. } => {
                tiers.note_figure(member_id, BasisFigure::Spend, *amount, event.occurred_at);
            }
            EventKind::Refund { order_id, amount } => {
                if let Some(order) = orders.0.get(order_id) {
                    tiers.note_figure(member_id, BasisFigure::Spend, -amount, order.occurred_at);
                }
            }
            EventKind::Behaviour { .. } => {}
        }
        for e in entries
            .iter()
            .filter(|e| matches!(e.kind, EntryKind::Earn | EntryKind::Clawback))
        {
            tiers.note_figure(
                member_id,
                BasisFigure::PointsEarned,
                e.points,
                e.effective_at,
            );
        }
        if let Some((c, gifts)) = tiers.settle(member_id, &event.id)
            && let Some(account) = accounts.get_mut(&event.member)
        {
            for gift in &gifts {
                entries.extend(gift.earn(&mut account.book, policy, tz, now));
            }
            change = Some(c);
        }
    }
    // After the leaderboards' and tiers' figures: a challenge's reward, like a badge's, is
    // not points the event earned.
    let mut challenges = Vec::new();
    if let (Some(member_id), Some(c)) = (member_id, judge.challenges.as_mut()) {
        let order = match &event.kind {
            EventKind::Refund { order_id, .. } => orders.0.get(order_id),
            _ => None,
        };
        let outcome = c.on_event(event, member_id, order, now);
        if let Some(account) = accounts.get_mut(&event.member) {
            for r in &outcome.reached {
                entries.extend(super::challenges::earn(
                    &mut account.book,
                    r,
                    policy,
                    tz,
                    now,
                    &cause,
                ));
                if let Some(template) = &r.voucher {
                    writes.vouchers.push((
                        member_id,
                        template.clone(),
                        super::challenges::voucher_source(
                            &r.challenge,
                            &r.period,
                            r.step,
                            member_id,
                        ),
                    ));
                }
                if let Some(badge) = &r.badge {
                    requested.push(badge.clone());
                }
                if let Some(tag) = &r.tag {
                    writes
                        .tags_removed
                        .retain(|(m, t)| !(*m == member_id && t == tag));
                    writes.tags_added.push((member_id, tag.clone()));
                }
            }
            for r in outcome.revoked.iter().filter(|r| r.points > 0) {
                entries.extend(super::challenges::claw_back(
                    &mut account.book,
                    r,
                    policy,
                    &cause,
                ));
            }
        }
        challenges = outcome.shown;
    }
    let mut badges = Vec::new();
    if let Some(account) = accounts.get_mut(&event.member).filter(|_| !event.guest) {
        let amount = match &event.kind {
            EventKind::Purchase { amount, .. } => Some(*amount),
            EventKind::Refund { .. } => None,
            EventKind::Behaviour { .. } => amount_of(event),
        };
        for a in judge.judge_badges(event, &account.member, amount, now, &requested) {
            entries.extend(a.earn(&mut account.book, policy, tz, event.occurred_at, &cause));
            if let Some(template) = a.reward().and_then(|r| r.voucher.clone()) {
                let source = a.voucher_source(account.member.id);
                writes.vouchers.push((account.member.id, template, source));
            }
            badges.push(a.json(&program.id));
        }
    }
    let mut answer = result(event, &entries, evaluation.as_ref(), repeat);
    if let Some(c) = &change {
        answer["tier"] = super::tiers::change_json(c);
    }
    if !badges.is_empty() {
        answer["badges"] = Value::Array(badges);
    }
    if let Some(r) = referral {
        answer["referral"] = r;
    }
    if !challenges.is_empty() {
        answer["challenges"] = Value::Array(challenges);
    }
    if let (Some(member_id), Some(r)) = (member_id, &judge.referrals)
        && let Some(b) = r.boost(member_id, event.occurred_at)
    {
        answer["boost"] = json!({"factor": b.factor, "until": b.ends_at});
    }
    if let Some(account) = accounts.get_mut(&event.member).filter(|_| !event.guest) {
        account.pending.extend(entries);
    }
    Ok(answer)
}

/// What an event adds to its member's leaderboard scores: the points its rules earned (less a
/// refund's clawback), its spend, its type and its meter additions.
fn board_fact(
    event: &ParsedEvent,
    member_id: i64,
    entries: &[Entry],
    evaluation: Option<&Evaluation>,
    orders: &Orders,
) -> super::leaderboards::Fact {
    let points = entries
        .iter()
        .filter(|e| matches!(e.kind, EntryKind::Earn | EntryKind::Clawback))
        .map(|e| e.points)
        .fold(0, i64::saturating_add);
    let (spend, spend_at) = match &event.kind {
        EventKind::Purchase { amount, .. } => (*amount, Some(event.occurred_at)),
        EventKind::Refund { order_id, amount } => {
            (-amount, orders.0.get(order_id).map(|o| o.occurred_at))
        }
        EventKind::Behaviour { .. } => (0, None),
    };
    let meters = evaluation
        .map(|e| {
            e.actions
                .iter()
                .filter_map(|a| match a {
                    Action::AddToMeter { meter, amount, .. } => Some((meter.clone(), *amount)),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    super::leaderboards::Fact {
        member_id,
        external_id: event.member.clone(),
        event_type: event.type_name.clone(),
        occurred_at: Some(event.occurred_at),
        points,
        spend,
        spend_at,
        meters,
    }
}

/// The amount (fen) a behaviour carries in its attributes, for per-yuan rules.
fn amount_of(event: &ParsedEvent) -> Option<i64> {
    event.attributes.get("amount").and_then(Value::as_i64)
}

/// What an order is worth with `remaining` fen of it not refunded: in proportion to what it
/// earned (or, for orders recorded before rules, at the rate of its day).
fn order_worth(order: &Order, remaining: i64) -> i64 {
    match order.points {
        Some(points) if order.amount > 0 => {
            let n = i128::from(points) * i128::from(remaining.max(0));
            i64::try_from(n / i128::from(order.amount)).unwrap_or(points)
        }
        Some(_) => 0,
        None => PointPolicy::order_points(order.points_per_yuan, remaining),
    }
}

/// Turns a rule evaluation's awards into lots of the member's book.
fn award(
    book: &mut Book,
    evaluation: &Evaluation,
    policy: PointPolicy,
    tz: Tz,
    event: &ParsedEvent,
    order_id: Option<&String>,
    cause: &Cause,
) -> Vec<Entry> {
    let mut entries = Vec::new();
    for a in &evaluation.awards {
        let mut p = policy;
        if let Some(days) = a.pending_days {
            p.pending_days = days;
        }
        if let Some(expiry) = a.expiry {
            p.expiry = expiry;
        }
        let lot = NewLot {
            points: a.points,
            available_at: p.available_at(event.occurred_at),
            expires_at: p.expires_at(event.occurred_at, tz),
            order_id: order_id.cloned(),
        };
        entries.extend(book.earn(lot, EntryKind::Earn, cause));
    }
    entries
}

fn result(
    event: &ParsedEvent,
    entries: &[Entry],
    evaluation: Option<&Evaluation>,
    repeat: bool,
) -> Value {
    let points: i64 = entries
        .iter()
        .filter(|e| matches!(e.kind, EntryKind::Earn | EntryKind::Clawback))
        .map(|e| e.points)
        .fold(0, i64::saturating_add);
    let mut answer = json!({
        "id": event.id,
        "type": event.type_name,
        "member": event.member,
        "guest": event.guest,
        "status": "processed",
        "points": points,
        "entries": entries_out(entries),
    });
    if let Some(e) = evaluation {
        answer["rules"] = json!(e.trace);
        if !e.actions.is_empty() {
            answer["actions"] = json!(e.actions);
        }
    }
    if repeat {
        answer["repeat"] = json!(true);
    }
    answer
}

/// What events would earn under the program's rules, with `drafts` in place of the saved
/// versions of the same ids (or added), against the members' counters, streaks and tags as
/// they stand. Writes nothing. Events are judged in order, each seeing what the ones before
/// it used of the limits.
pub async fn simulate(
    state: &AppState,
    program: &Program,
    events: &[ParsedEvent],
    drafts: Vec<jifen_core::rules::Rule>,
) -> Result<Vec<Result<Value, ApiError>>, ApiError> {
    let now = state.clock.now();
    let tz = crate::service::program_tz(program);
    let versions = state.store.rule_versions(&program.id).await?;
    let campaigns = state.store.campaigns(&program.id).await?;
    let types = state.store.event_types(&program.id).await?;
    let compiled = Arc::new(super::rules::Compiled::new(
        program,
        Vec::new(),
        &[],
        &types,
        Default::default(),
    ));
    let set = Arc::new(super::rules::with_drafts(
        program, &versions, &campaigns, drafts, false,
    ));
    let mut accounts: HashMap<String, Account> = HashMap::new();
    for e in events.iter().filter(|e| !e.guest) {
        if accounts.contains_key(&e.member) {
            continue;
        }
        if let Some(head) = state.store.member_head(&program.id, &e.member).await? {
            accounts.insert(
                e.member.clone(),
                Account {
                    member: head,
                    book: Book::new(now),
                    pending: Vec::new(),
                },
            );
        }
    }
    let (judged, keys) = Judge::reads(&set, tz, events, &accounts);
    let usage = state.store.usage(&program.id, &keys).await?;
    let facts = state.store.member_facts(&member_ids(&judged)).await?;
    let mut judge = Judge::assemble(set, compiled, tz, program, usage, facts);
    let mut out = Vec::with_capacity(events.len());
    for event in events {
        if event.guest {
            out.push(Ok(
                json!({"id": event.id, "type": event.type_name, "member": event.member,
                "guest": true, "points": 0, "rules": []}),
            ));
            continue;
        }
        let Some(account) = accounts.get(&event.member) else {
            out.push(Err(ApiError::MemberNotFound(event.member.clone())));
            continue;
        };
        let head = &account.member;
        let (evaluation, repeat) = match &event.kind {
            EventKind::Refund { .. } => (None, false),
            EventKind::Purchase { amount, .. } => {
                (Some(judge.judge(event, head, Some(*amount), now)), false)
            }
            EventKind::Behaviour { name } => {
                if let Err(e) = judge.check_type(name, event) {
                    out.push(Err(e));
                    continue;
                }
                let judged = judge.judge_behaviour(event, head, now);
                let repeat = judged.is_none();
                (judged, repeat)
            }
        };
        let mut answer = json!({
            "id": event.id,
            "type": event.type_name,
            "member": event.member,
            "points": evaluation.as_ref().map_or(0, Evaluation::points),
            "rules": evaluation.as_ref().map(|e| judge.traced_with_limits(e, event, head)).unwrap_or(json!([])),
            "actions": evaluation.as_ref().map(|e| json!(e.actions)).unwrap_or(json!([])),
        });
        if repeat {
            answer["repeat"] = json!(true);
        }
        if matches!(event.kind, EventKind::Refund { .. }) {
            answer["note"] = json!(
                "a refund claws back what its order earned, in proportion; rules do not judge it"
            );
        }
        out.push(Ok(answer));
    }
    Ok(out)
}
