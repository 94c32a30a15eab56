//! Referrals in the member and event paths: attribution of a new friend (on `PUT
//! /v1/members/{id}` or a `referral_signup` event), the referrer's reward when the friend's
//! purchase qualifies, its clawback on refund, and the boosts milestones give. Everything is
//! written in the transaction of the request or event that caused it.

use std::collections::{BTreeSet, HashMap};

use chrono_tz::Tz;
use serde_json::{Value, json};

use jifen_core::referrals::{self as core, Boost, Candidate, ReferralSettings, Status};
use jifen_core::rules::{Evaluation, Factor};
use jifen_core::{Book, Cause, CauseKind, Entry, EntryKind, NewLot, PointPolicy, Timestamp};
use jifen_store::{BoostRow, Member, MemberPatch, Program, ReferralRow, WriteTx};

use super::events::{Account, EventKind, ParsedEvent};
use super::{Failure, with_retries};
use crate::app::AppState;
use crate::error::ApiError;

/// The name the program's referral settings are saved under.
pub const SETTING: &str = "referrals";

/// The event type that attributes a member with a code.
pub const SIGNUP_EVENT: &str = "referral_signup";

/// A program's referral settings, read in a transaction; `None` when it has none.
pub async fn settings_in(
    tx: &mut Box<dyn WriteTx>,
    program_id: &str,
) -> Result<Option<ReferralSettings>, Failure> {
    match tx.setting(program_id, SETTING).await? {
        Some(text) => Ok(Some(parse_saved(&text)?)),
        None => Ok(None),
    }
}

/// A program's referral settings; `None` when it has none.
pub async fn settings(
    state: &AppState,
    program_id: &str,
) -> Result<Option<ReferralSettings>, ApiError> {
    match state.store.setting(program_id, SETTING).await? {
        Some(text) => Ok(Some(parse_saved(&text)?)),
        None => Ok(None),
    }
}

fn parse_saved(text: &str) -> Result<ReferralSettings, ApiError> {
    serde_json::from_str(text).map_err(|e| {
        tracing::error!(error = %e, "stored referral settings unreadable");
        ApiError::Internal
    })
}

/// A member's referral code in a program.
pub fn code_of(program_id: &str, member_id: i64) -> String {
    core::code_for(member_id, core::salt_of(program_id)).unwrap_or_default()
}

/// The member id a code stands for, or a 422 naming `field`.
pub fn referrer_of(program_id: &str, code: &str, field: &str) -> Result<i64, ApiError> {
    core::member_for(code, core::salt_of(program_id)).ok_or_else(|| ApiError::ReferralCodeUnknown {
        field: field.to_owned(),
        code: code.to_owned(),
    })
}

/// The portal page a member shares: the friend lands on it with the code.
pub fn link_of(program_id: &str, code: &str) -> String {
    format!("/portal/{program_id}/join/{code}")
}

/// The program's local day of an instant.
fn local_day(at: Timestamp, tz: Tz) -> String {
    at.with_timezone(&tz).format("%Y-%m-%d").to_string()
}

/// A referral as the API shows it.
pub fn referral_json(
    row: &ReferralRow,
    referrer: &str,
    friend: &str,
    settings: Option<&ReferralSettings>,
) -> Value {
    let mut v = json!({
        "referrer": referrer,
        "friend": friend,
        "code": row.code,
        "status": row.status,
        "attributed_at": row.attributed_at,
        "source": row.source,
        "friend_points": row.friend_points,
        "referrer_points": row.referrer_points,
    });
    if let Some(reason) = &row.reason {
        v["reason"] = json!(reason);
    }
    if let Some(order) = &row.order_id {
        v["order_id"] = json!(order);
    }
    if let Some(at) = row.qualified_at {
        v["qualified_at"] = json!(at);
    }
    if let Some(at) = row.clawed_back_at {
        v["clawed_back_at"] = json!(at);
    }
    if row.status == Status::Pending.as_str()
        && let Some(s) = settings
    {
        v["qualify_by"] = json!(s.qualify_by(row.attributed_at));
    }
    v
}

/// A boost as the API shows it.
pub fn boost_json(b: &Boost) -> Value {
    json!({"factor": b.factor, "since": b.starts_at, "until": b.ends_at, "source": b.source})
}

fn boost_of(row: &BoostRow) -> Boost {
    Boost {
        factor: Factor(row.factor),
        starts_at: row.starts_at,
        ends_at: row.ends_at,
        source: row.source.clone(),
    }
}

/// A member's boost active at `at`, if any.
pub async fn active_boost(
    state: &AppState,
    member_id: i64,
    at: Timestamp,
) -> Result<Option<Boost>, ApiError> {
    let rows = state.store.boosts(&[member_id]).await?;
    let boosts: Vec<Boost> = rows.iter().map(boost_of).collect();
    Ok(core::active_boost(&boosts, at).cloned())
}

/// Credits a reward's points to a book, as a referral's.
fn credit(
    book: &mut Book,
    points: i64,
    policy: PointPolicy,
    tz: Tz,
    at: Timestamp,
    lot_key: Option<String>,
    cause: &Cause,
) -> Result<Vec<Entry>, ApiError> {
    if points <= 0 {
        return Ok(Vec::new());
    }
    book.check_credit(points)?;
    let lot = NewLot {
        points,
        available_at: policy.available_at(at),
        expires_at: policy.expires_at(at, tz),
        order_id: lot_key,
    };
    Ok(book.earn(lot, EntryKind::Earn, cause))
}

/// The lot key of a referrer's reward for a friend, which a clawback takes back first.
fn reward_key(friend: &str) -> String {
    format!("referral:{friend}")
}

/// What the screening reads for one friend: the member each of their identities was first seen
/// on. Notes their identities as seen on them first (those bound before referrals existed).
async fn first_seen_on(
    tx: &mut Box<dyn WriteTx>,
    program_id: &str,
    friend_id: i64,
    at: Timestamp,
) -> Result<Vec<i64>, Failure> {
    let digests: Vec<String> = tx
        .identities_of(friend_id)
        .await?
        .iter()
        .map(|(k, v)| core::identity_digest(k, v))
        .collect();
    let notes: Vec<(String, i64)> = digests.iter().map(|d| (d.clone(), friend_id)).collect();
    tx.note_seen(program_id, &notes, at).await?;
    Ok(tx
        .first_seen(program_id, &digests)
        .await?
        .into_iter()
        .map(|(_, m)| m)
        .collect())
}

/// A new referral of `friend` by `referrer`, screened.
#[allow(clippy::too_many_arguments)]
fn screened(
    settings: &ReferralSettings,
    referrer: i64,
    friend: i64,
    code: &str,
    source: String,
    seen: &[i64],
    (today, total): (i64, i64),
    at: Timestamp,
    tz: Tz,
) -> ReferralRow {
    let candidate = Candidate {
        referrer,
        friend,
        first_seen_on: seen,
        today: u32::try_from(today).unwrap_or(u32::MAX),
        total: u32::try_from(total).unwrap_or(u32::MAX),
    };
    let (status, reason) = core::screen(settings, &candidate);
    ReferralRow {
        id: 0,
        referrer_id: referrer,
        friend_id: friend,
        code: code.to_ascii_uppercase().replace(['-', ' '], ""),
        source,
        status: status.as_str().to_owned(),
        reason: reason.map(|r| r.as_str().to_owned()),
        attributed_at: at,
        local_day: local_day(at, tz),
        friend_points: 0,
        order_id: None,
        qualified_at: None,
        referrer_points: 0,
        clawed_back_at: None,
        updated_at: at,
    }
}

/// `PUT /v1/members/{id}` with a `referral_code`: creates or updates the member and, when the
/// request creates them, attributes them to the code's member, all in one transaction. An
/// existing member's code is ignored (a retried PUT attributes nothing twice); the answer shows
/// the referral the member has, if any.
pub async fn put_member_with_code(
    state: &AppState,
    program: &Program,
    patch: &MemberPatch,
    code: &str,
) -> Result<(Member, bool, Option<Value>), ApiError> {
    let referrer = referrer_of(&program.id, code, "referral_code")?;
    let now = state.clock.now();
    with_retries(|| attribute_on_put(state, program, patch, code, referrer, now)).await
}

async fn attribute_on_put(
    state: &AppState,
    program: &Program,
    patch: &MemberPatch,
    code: &str,
    referrer: i64,
    now: Timestamp,
) -> Result<(Member, bool, Option<Value>), Failure> {
    let mut tx = state.store.begin_write_for(&program.id).await?;
    let settings = settings_in(&mut tx, &program.id).await?;
    let Some(referrer_ext) = tx
        .external_ids(&program.id, &[referrer])
        .await?
        .pop()
        .map(|(_, e)| e)
    else {
        return Err(ApiError::ReferralCodeUnknown {
            field: "referral_code".into(),
            code: code.to_owned(),
        }
        .into());
    };
    let (member, created) = tx.upsert_member(&program.id, patch).await?;
    let Some(settings) = settings.filter(|_| created) else {
        tx.commit().await?;
        let shown = match state
            .store
            .referral_of_friend(&program.id, member.id)
            .await?
        {
            Some(v) => Some(referral_json(&v.row, &v.referrer, &v.friend, None)),
            None => None,
        };
        return Ok((member, created, shown));
    };
    // Lock the referrer so that concurrent signups with one code count against the caps one
    // after the other.
    tx.lock_heads(&program.id, &[referrer_ext.as_str()]).await?;
    let tz = super::program_tz(program);
    let seen = first_seen_on(&mut tx, &program.id, member.id, now).await?;
    let counts = tx
        .referral_counts(&program.id, referrer, &local_day(now, tz))
        .await?;
    let mut row = screened(
        &settings,
        referrer,
        member.id,
        code,
        "member".into(),
        &seen,
        (counts.today, counts.total),
        now,
        tz,
    );
    if row.status == Status::Pending.as_str() {
        let reward = &settings.friend_reward;
        if reward.points() > 0 {
            let head = tx
                .lock_heads(&program.id, &[member.external_id.as_str()])
                .await?
                .pop()
                .ok_or(ApiError::Internal)?;
            let (mut book, mut entries) = super::ledger::open_book(&mut tx, &head, now).await?;
            let cause = Cause::new(
                CauseKind::Referral,
                format!("signup:{}", member.external_id),
            );
            entries.extend(credit(
                &mut book,
                reward.points(),
                program.policy,
                tz,
                now,
                None,
                &cause,
            )?);
            super::ledger::save(&mut tx, &program.id, head.id, &mut book, &entries).await?;
            row.friend_points = reward.points();
        }
        if let Some(template) = &reward.voucher_template {
            let source = format!("referral:signup:{}", member.external_id);
            super::vouchers::issue_named(
                &mut tx,
                &program.id,
                template,
                &[member.id],
                &source,
                now,
            )
            .await?;
        }
    }
    if tx.insert_referral(&program.id, &row).await?.is_none() {
        return Err(Failure::Store(jifen_store::StoreError::Busy));
    }
    tx.commit().await?;
    let shown = referral_json(&row, &referrer_ext, &member.external_id, Some(&settings));
    Ok((member, created, Some(shown)))
}

/// Referrals in one batch of events: loaded before the batch is decided, changed in memory as
/// its events are, written with it.
pub(crate) struct ReferralBatch {
    settings: ReferralSettings,
    tz: Tz,
    program_id: String,
    /// Referrals by friend id: those stored (locked) and those the batch made.
    by_friend: HashMap<i64, ReferralRow>,
    /// Friends whose referral the batch made (inserted) or changed (updated).
    made: BTreeSet<i64>,
    changed: BTreeSet<i64>,
    /// Members' external ids (friends and referrers the batch reads).
    names: HashMap<i64, String>,
    /// Referrers' counts: (referrer, day) → referrals that day; referrer → (total, qualified).
    per_day: HashMap<(i64, String), i64>,
    totals: HashMap<i64, (i64, i64)>,
    /// For each friend of a signup in the batch, the members their identities were first seen
    /// on.
    seen: HashMap<i64, Vec<i64>>,
    boosts: HashMap<i64, Vec<Boost>>,
    new_boosts: Vec<BoostRow>,
}

/// The referral codes the signups of a batch carry, as (event id, member, code).
fn signup_codes(events: &[ParsedEvent]) -> Vec<(&ParsedEvent, &str)> {
    events
        .iter()
        .filter(|e| !e.guest && e.type_name == SIGNUP_EVENT)
        .filter_map(|e| Some((e, code_in(e)?)))
        .collect()
}

/// The code a signup carries: `attributes.code` (or `attributes.referral_code`).
fn code_in(event: &ParsedEvent) -> Option<&str> {
    event
        .attributes
        .get("code")
        .or_else(|| event.attributes.get("referral_code"))
        .and_then(Value::as_str)
}

/// The members a batch must lock besides its own: referrers of its signups and of friends whose
/// purchases or refunds may change a referral. Empty when the program has no referral settings.
pub(crate) async fn referrers_to_lock(
    tx: &mut Box<dyn WriteTx>,
    program: &Program,
    events: &[ParsedEvent],
) -> Result<Vec<String>, Failure> {
    if settings_in(tx, &program.id).await?.is_none() {
        return Ok(Vec::new());
    }
    let salt = core::salt_of(&program.id);
    let ids: Vec<i64> = signup_codes(events)
        .iter()
        .filter_map(|(_, c)| core::member_for(c, salt))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut out: BTreeSet<String> = tx
        .external_ids(&program.id, &ids)
        .await?
        .into_iter()
        .map(|(_, e)| e)
        .collect();
    let buyers: Vec<&str> = events
        .iter()
        .filter(|e| !e.guest && !matches!(e.kind, EventKind::Behaviour { .. }))
        .map(|e| e.member.as_str())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if !buyers.is_empty() {
        out.extend(
            tx.open_referrers(&program.id, &buyers)
                .await?
                .into_iter()
                .map(|(_, r)| r),
        );
    }
    Ok(out.into_iter().collect())
}

impl ReferralBatch {
    /// Loads what the batch's events may change, after its members (and their referrers) are
    /// locked; `None` when the program has no referral settings. A referrer that is not locked
    /// (a referral made since the batch looked) makes the batch start over.
    pub(crate) async fn load(
        tx: &mut Box<dyn WriteTx>,
        program: &Program,
        tz: Tz,
        events: &[ParsedEvent],
        locked: &HashMap<String, i64>,
    ) -> Result<Option<ReferralBatch>, Failure> {
        let Some(settings) = settings_in(tx, &program.id).await? else {
            return Ok(None);
        };
        let members: Vec<i64> = events
            .iter()
            .filter(|e| !e.guest)
            .filter_map(|e| locked.get(&e.member).copied())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut names: HashMap<i64, String> =
            locked.iter().map(|(e, id)| (*id, e.clone())).collect();
        let rows = tx.referrals_of_friends(&program.id, &members).await?;
        let mut referrers: BTreeSet<i64> = rows.iter().map(|r| r.referrer_id).collect();
        let salt = core::salt_of(&program.id);
        let mut days: BTreeSet<(i64, String)> = BTreeSet::new();
        let mut seen = HashMap::new();
        for (event, code) in signup_codes(events) {
            let (Some(referrer), Some(friend)) =
                (core::member_for(code, salt), locked.get(&event.member))
            else {
                continue;
            };
            referrers.insert(referrer);
            days.insert((referrer, local_day(event.occurred_at, tz)));
            if let std::collections::hash_map::Entry::Vacant(v) = seen.entry(*friend) {
                v.insert(first_seen_on(tx, &program.id, *friend, event.occurred_at).await?);
            }
        }
        let open = |r: &ReferralRow| {
            matches!(
                Status::parse(&r.status),
                Some(Status::Pending | Status::Rewarded)
            )
        };
        for r in rows.iter().filter(|r| open(r)) {
            if !names.contains_key(&r.referrer_id) {
                return Err(Failure::Store(jifen_store::StoreError::Busy));
            }
        }
        let referrers: Vec<i64> = referrers.into_iter().collect();
        for (id, ext) in tx.external_ids(&program.id, &referrers).await? {
            names.entry(id).or_insert(ext);
        }
        let mut per_day = HashMap::new();
        let mut totals = HashMap::new();
        for referrer in &referrers {
            let day = local_day(Timestamp::default(), tz);
            let c = tx.referral_counts(&program.id, *referrer, &day).await?;
            totals.insert(*referrer, (c.total, c.qualified));
        }
        for (referrer, day) in days {
            let c = tx.referral_counts(&program.id, referrer, &day).await?;
            per_day.insert((referrer, day), c.today);
        }
        let mut boost_members = members.clone();
        boost_members.extend(&referrers);
        let mut boosts: HashMap<i64, Vec<Boost>> = HashMap::new();
        for b in tx.boosts_in_tx(&boost_members).await? {
            boosts.entry(b.member_id).or_default().push(boost_of(&b));
        }
        Ok(Some(ReferralBatch {
            settings,
            tz,
            program_id: program.id.clone(),
            by_friend: rows.into_iter().map(|r| (r.friend_id, r)).collect(),
            made: BTreeSet::new(),
            changed: BTreeSet::new(),
            names,
            per_day,
            totals,
            seen,
            boosts,
            new_boosts: Vec::new(),
        }))
    }

    /// Refuses a signup whose code names no member of the program, before anything of the
    /// event is decided.
    pub(crate) fn check(&self, event: &ParsedEvent) -> Result<(), ApiError> {
        if event.type_name != SIGNUP_EVENT || event.guest {
            return Ok(());
        }
        let Some(code) = code_in(event) else {
            return Ok(());
        };
        let referrer = referrer_of(&self.program_id, code, "attributes.code")?;
        if self.names.contains_key(&referrer) {
            Ok(())
        } else {
            Err(ApiError::ReferralCodeUnknown {
                field: "attributes.code".into(),
                code: code.to_owned(),
            })
        }
    }

    /// The boost of a member at `at`, if any.
    pub(crate) fn boost(&self, member_id: i64, at: Timestamp) -> Option<&Boost> {
        core::active_boost(self.boosts.get(&member_id)?, at)
    }

    /// Adds the member's boost, if one is active at the event, to what the rules gave
    /// (`base`, before any multiplier).
    pub(crate) fn apply(
        &self,
        evaluation: &mut Evaluation,
        member_id: i64,
        at: Timestamp,
        base: i64,
    ) {
        if let Some(b) = self.boost(member_id, at) {
            core::apply_boost(evaluation, base, b);
        }
    }

    /// What an event changes of referrals, once the event itself is decided: a signup
    /// attributes its member, a purchase may qualify them, a refund may claw the referrer's
    /// reward back. `order` is the event's order as it stands after the event. Returns the
    /// friend's entries (their signup reward) and the answer's `referral` part.
    pub(crate) fn on_event(
        &mut self,
        event: &ParsedEvent,
        friend: i64,
        order: Option<&jifen_store::Order>,
        accounts: &mut HashMap<String, Account>,
        policy: PointPolicy,
        vouchers: &mut Vec<(i64, String, String)>,
    ) -> Result<(Vec<Entry>, Option<Value>), ApiError> {
        match (&event.kind, order) {
            (EventKind::Behaviour { name }, _) if name == SIGNUP_EVENT => {
                self.signup(event, friend, accounts, policy, vouchers)
            }
            (EventKind::Purchase { amount, .. }, Some(order)) => {
                let answer =
                    self.qualify(event, friend, order, *amount, accounts, policy, vouchers)?;
                Ok((Vec::new(), answer))
            }
            (EventKind::Refund { .. }, Some(order)) => {
                let answer = self.claw_back(event, friend, order, accounts, policy)?;
                Ok((Vec::new(), answer))
            }
            _ => Ok((Vec::new(), None)),
        }
    }

    fn name(&self, id: i64) -> String {
        self.names.get(&id).cloned().unwrap_or_default()
    }

    fn shown(&self, friend: i64) -> Option<Value> {
        let row = self.by_friend.get(&friend)?;
        Some(referral_json(
            row,
            &self.name(row.referrer_id),
            &self.name(row.friend_id),
            Some(&self.settings),
        ))
    }

    fn signup(
        &mut self,
        event: &ParsedEvent,
        friend: i64,
        accounts: &mut HashMap<String, Account>,
        policy: PointPolicy,
        vouchers: &mut Vec<(i64, String, String)>,
    ) -> Result<(Vec<Entry>, Option<Value>), ApiError> {
        let Some(code) = code_in(event) else {
            return Ok((Vec::new(), None));
        };
        let referrer = referrer_of(&self.program_id, code, "attributes.code")?;
        if !self.names.contains_key(&referrer) {
            return Err(ApiError::ReferralCodeUnknown {
                field: "attributes.code".into(),
                code: code.to_owned(),
            });
        }
        if self.by_friend.contains_key(&friend) {
            let mut shown = self.shown(friend);
            if let Some(v) = shown.as_mut() {
                v["repeat"] = json!(true);
            }
            return Ok((Vec::new(), shown));
        }
        let day = local_day(event.occurred_at, self.tz);
        let today = self
            .per_day
            .get(&(referrer, day.clone()))
            .copied()
            .unwrap_or(0);
        let total = self.totals.get(&referrer).map_or(0, |t| t.0);
        let seen = self.seen.get(&friend).cloned().unwrap_or_default();
        let mut row = screened(
            &self.settings,
            referrer,
            friend,
            code,
            format!("event:{}", event.id),
            &seen,
            (today, total),
            event.occurred_at,
            self.tz,
        );
        let mut entries = Vec::new();
        if row.status == Status::Pending.as_str() {
            *self.per_day.entry((referrer, day)).or_default() += 1;
            self.totals.entry(referrer).or_default().0 += 1;
            let friend_ext = self.name(friend);
            let reward = self.settings.friend_reward.clone();
            if reward.points() > 0
                && let Some(account) = accounts.get_mut(&friend_ext)
            {
                let cause = Cause::new(CauseKind::Referral, format!("signup:{friend_ext}"));
                entries = credit(
                    &mut account.book,
                    reward.points(),
                    policy,
                    self.tz,
                    event.occurred_at,
                    None,
                    &cause,
                )?;
                row.friend_points = reward.points();
            }
            if let Some(template) = &reward.voucher_template {
                vouchers.push((
                    friend,
                    template.clone(),
                    format!("referral:signup:{friend_ext}"),
                ));
            }
        }
        self.by_friend.insert(friend, row);
        self.made.insert(friend);
        Ok((entries, self.shown(friend)))
    }

    #[allow(clippy::too_many_arguments)]
    fn qualify(
        &mut self,
        event: &ParsedEvent,
        friend: i64,
        order: &jifen_store::Order,
        amount: i64,
        accounts: &mut HashMap<String, Account>,
        policy: PointPolicy,
        vouchers: &mut Vec<(i64, String, String)>,
    ) -> Result<Option<Value>, ApiError> {
        let settings = &self.settings;
        let Some(row) = self.by_friend.get(&friend) else {
            return Ok(None);
        };
        if row.status != Status::Pending.as_str()
            || !settings.enabled
            || !settings.qualifies(row.attributed_at, event.occurred_at, amount)
        {
            return Ok(None);
        }
        let referrer = row.referrer_id;
        let referrer_ext = self.name(referrer);
        let friend_ext = self.name(friend);
        let reward = settings.referrer_reward.clone();
        let account = accounts.get_mut(&referrer_ext).ok_or(ApiError::Internal)?;
        let cause = Cause::new(CauseKind::Referral, format!("qualified:{friend_ext}"));
        let entries = credit(
            &mut account.book,
            reward.points(),
            policy,
            self.tz,
            event.occurred_at,
            Some(reward_key(&friend_ext)),
            &cause,
        )?;
        account.pending.extend(entries);
        if let Some(template) = &reward.voucher_template {
            vouchers.push((
                referrer,
                template.clone(),
                format!("referral:qualified:{friend_ext}"),
            ));
        }
        let status = if reward.is_empty() {
            Status::Qualified
        } else {
            Status::Rewarded
        };
        if let Some(row) = self.by_friend.get_mut(&friend) {
            row.status = status.as_str().to_owned();
            row.order_id = Some(order.order_id.clone());
            row.qualified_at = Some(event.occurred_at);
            row.referrer_points = reward.points();
            row.updated_at = event.occurred_at;
        }
        self.changed.insert(friend);
        let counts = self.totals.entry(referrer).or_default();
        let before = u32::try_from(counts.1).unwrap_or(u32::MAX);
        counts.1 += 1;
        let after = before.saturating_add(1);
        let mut reached = Vec::new();
        for m in self.settings.milestones_reached(before, after) {
            let boost = Boost::from_milestone(m, event.occurred_at);
            let had = self.boosts.entry(referrer).or_default();
            if had.iter().any(|b| b.source == boost.source) {
                continue;
            }
            self.new_boosts.push(BoostRow {
                member_id: referrer,
                source: boost.source.clone(),
                factor: boost.factor.0,
                starts_at: boost.starts_at,
                ends_at: boost.ends_at,
            });
            reached.push(boost_json(&boost));
            had.push(boost);
        }
        let mut shown = self.shown(friend);
        if let Some(v) = shown.as_mut()
            && !reached.is_empty()
        {
            v["referrer_boosts"] = json!(reached);
        }
        Ok(shown)
    }

    fn claw_back(
        &mut self,
        event: &ParsedEvent,
        friend: i64,
        order: &jifen_store::Order,
        accounts: &mut HashMap<String, Account>,
        policy: PointPolicy,
    ) -> Result<Option<Value>, ApiError> {
        let Some(row) = self.by_friend.get(&friend) else {
            return Ok(None);
        };
        if row.status != Status::Rewarded.as_str()
            || row.order_id.as_deref() != Some(order.order_id.as_str())
            || !self.settings.claws_back(order.amount - order.refunded)
        {
            return Ok(None);
        }
        let (referrer, points) = (row.referrer_id, row.referrer_points);
        let referrer_ext = self.name(referrer);
        let friend_ext = self.name(friend);
        let account = accounts.get_mut(&referrer_ext).ok_or(ApiError::Internal)?;
        account.book.check_clawback(points)?;
        let cause = Cause::new(CauseKind::Referral, format!("clawback:{friend_ext}"));
        let entries = account.book.clawback(
            &reward_key(&friend_ext),
            points,
            policy.negative_balance,
            &cause,
        );
        account.pending.extend(entries);
        if let Some(row) = self.by_friend.get_mut(&friend) {
            row.status = Status::ClawedBack.as_str().to_owned();
            row.clawed_back_at = Some(event.occurred_at);
            row.updated_at = event.occurred_at;
        }
        self.changed.insert(friend);
        Ok(self.shown(friend))
    }

    /// Writes the referrals and boosts the batch made or changed.
    pub(crate) async fn persist(self, tx: &mut Box<dyn WriteTx>) -> Result<(), Failure> {
        for friend in &self.made {
            if let Some(row) = self.by_friend.get(friend)
                && tx.insert_referral(&self.program_id, row).await?.is_none()
            {
                return Err(Failure::Store(jifen_store::StoreError::Busy));
            }
        }
        for friend in self.changed.difference(&self.made) {
            if let Some(row) = self.by_friend.get(friend) {
                tx.update_referral(&self.program_id, row).await?;
            }
        }
        for b in &self.new_boosts {
            tx.grant_boost(&self.program_id, b).await?;
        }
        Ok(())
    }
}
