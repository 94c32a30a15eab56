//! Tiers in the service layer: a program's settings (meters, sites, the tier policy), members'
//! standings as stored, and what an event batch or a re-evaluation job decides about them.
//!
//! `jifen-core` decides (upgrade, review, grace, override); this module loads the figures it
//! decides on, and records the changes with their history, notifications, partner perk records
//! and gifts, in the transaction of their cause.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use serde_json::json;

use jifen_core::rules::Factor;
use jifen_core::tiers::{
    Basis, BenefitKind, ChangeKind, Every, MeterPoint, MeterSpec, Meters, TierChange, TierOverride,
    TierPolicy, TierSpec, TierState,
};
use jifen_core::{Book, Cause, CauseKind, Entry, EntryKind, NewLot, PointPolicy, Timestamp};
use jifen_store::{
    BasisFigure, BenefitGrant, MemberSet, MemberTierRow, MeterPointRow, Notification, Program,
    TierChangeRow, WriteTx,
};

use super::Failure;
use crate::error::ApiError;

pub const METERS: &str = "meters";
pub const TIER_POLICY: &str = "tier_policy";
pub const SITES: &str = "sites";

/// A site a program declares: an exact name (`tmall`) or a family (`store:*`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteSpec {
    pub id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
}

impl SiteSpec {
    pub fn matches(&self, site: &str) -> bool {
        match self.id.strip_suffix('*') {
            Some(prefix) => site.starts_with(prefix) && site.len() > prefix.len(),
            None => self.id == site,
        }
    }
}

/// A program's meters, sites and tier policy, as of one rules revision.
#[derive(Debug, Default)]
pub struct TierSettings {
    pub meters: Meters,
    pub policy: Option<TierPolicy>,
    /// Declared sites; when empty, events may come from any site.
    pub sites: Vec<SiteSpec>,
}

impl TierSettings {
    /// Settings from their stored documents (a document that no longer reads is left out and
    /// logged: it was checked when saved).
    pub fn parse(meters: Option<String>, policy: Option<String>, sites: Option<String>) -> Self {
        fn read<T: serde::de::DeserializeOwned>(text: Option<String>, what: &str) -> Option<T> {
            serde_json::from_str(&text?)
                .map_err(|e| tracing::error!(setting = what, error = %e, "unreadable setting"))
                .ok()
        }
        TierSettings {
            meters: Meters::new(
                read::<BTreeMap<String, MeterSpec>>(meters, METERS).unwrap_or_default(),
            ),
            policy: read(policy, TIER_POLICY),
            sites: read(sites, SITES).unwrap_or_default(),
        }
    }

    pub async fn in_tx(tx: &mut Box<dyn WriteTx>, program_id: &str) -> Result<Self, Failure> {
        let meters = tx.setting(program_id, METERS).await?;
        let policy = tx.setting(program_id, TIER_POLICY).await?;
        let sites = tx.setting(program_id, SITES).await?;
        Ok(TierSettings::parse(meters, policy, sites))
    }

    pub async fn read(state: &crate::app::AppState, program_id: &str) -> Result<Self, ApiError> {
        let meters = state.store.setting(program_id, METERS).await?;
        let policy = state.store.setting(program_id, TIER_POLICY).await?;
        let sites = state.store.setting(program_id, SITES).await?;
        Ok(TierSettings::parse(meters, policy, sites))
    }

    /// The stored figure the policy's basis reads (spend or points earned, not a meter) and
    /// where its window starts for a value as of `at`.
    fn basis_read(&self, tz: Tz, at: Timestamp) -> Option<(BasisFigure, Option<Timestamp>)> {
        let basis = &self.policy.as_ref()?.basis;
        Some((
            figure_of(basis)?,
            basis.window().and_then(|w| w.start(at, tz)),
        ))
    }

    /// Refuses an event from a site the program did not declare (when it declared any).
    pub fn check_site(&self, site: Option<&str>, field: &str) -> Result<(), ApiError> {
        match site {
            Some(site) if !self.sites.is_empty() && !self.sites.iter().any(|s| s.matches(site)) => {
                Err(ApiError::invalid(
                    field,
                    format!(
                        "site {site:?} is not one of the program's sites ({})",
                        self.sites
                            .iter()
                            .map(|s| s.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ))
            }
            _ => Ok(()),
        }
    }
}

/// A member's standing from its stored row (none: the first tier since enrolling).
pub fn state_of(
    policy: &TierPolicy,
    row: Option<&MemberTierRow>,
    enrolled_at: Timestamp,
) -> TierState {
    match row {
        None => policy.initial(enrolled_at),
        Some(r) => TierState {
            tier: r.tier.clone(),
            since: r.since,
            review_at: r.review_at,
            grace_until: r.grace_until,
            override_: match (&r.override_tier, r.override_until) {
                (Some(tier), Some(until)) => Some(TierOverride {
                    tier: tier.clone(),
                    reason: r.override_reason.clone().unwrap_or_default(),
                    until,
                }),
                _ => None,
            },
        },
    }
}

/// A member's tier as of a moment: its state under the policy and the figure its progress is
/// measured on (what the API's standing and the tier reminders read).
pub struct Standing {
    pub state: TierState,
    pub value: i64,
}

/// The member's [`Standing`] as of `at` under `settings`' policy, or `None` when the program has
/// no tier policy.
pub async fn standing_of(
    state: &crate::app::AppState,
    program: &Program,
    settings: &TierSettings,
    member: &jifen_store::Member,
    at: Timestamp,
) -> Result<Option<Standing>, ApiError> {
    let Some(policy) = settings.policy.as_ref() else {
        return Ok(None);
    };
    let tz = super::program_tz(program);
    let ids = [member.id];
    let row = state.store.member_tiers(MemberSet::Ids(&ids)).await?.pop();
    let s = state_of(policy, row.as_ref(), member.enrolled_at);
    let figures = Figures::read(state, settings, MemberSet::Ids(&ids), tz, at).await?;
    let value = figures.value(settings, member.id, tz, at);
    Ok(Some(Standing { state: s, value }))
}

pub fn row_of(member_id: i64, s: &TierState) -> MemberTierRow {
    MemberTierRow {
        member_id,
        tier: s.tier.clone(),
        since: s.since,
        review_at: s.review_at,
        grace_until: s.grace_until,
        override_tier: s.override_.as_ref().map(|o| o.tier.clone()),
        override_reason: s.override_.as_ref().map(|o| o.reason.clone()),
        override_until: s.override_.as_ref().map(|o| o.until),
    }
}

fn figure_of(basis: &Basis) -> Option<BasisFigure> {
    match basis {
        Basis::Meter { .. } => None,
        Basis::PointsEarned { .. } => Some(BasisFigure::PointsEarned),
        Basis::Spend { .. } => Some(BasisFigure::Spend),
    }
}

/// Members' meter entries and basis figures, as loaded.
#[derive(Default)]
pub struct Figures {
    pub points: HashMap<i64, Vec<MeterPoint>>,
    pub base: HashMap<i64, i64>,
}

impl Figures {
    pub fn new(points: Vec<MeterPointRow>, base: Vec<(i64, i64)>) -> Figures {
        let mut by_member: HashMap<i64, Vec<MeterPoint>> = HashMap::new();
        for p in points {
            by_member.entry(p.member_id).or_default().push(MeterPoint {
                meter: p.meter,
                key: p.key,
                amount: p.amount,
                at: p.occurred_at,
            });
        }
        Figures {
            points: by_member,
            base: base.into_iter().collect(),
        }
    }

    /// Loads what the values of `members` as of `now` need.
    pub async fn in_tx(
        tx: &mut Box<dyn WriteTx>,
        settings: &TierSettings,
        members: MemberSet<'_>,
        tz: Tz,
        now: Timestamp,
    ) -> Result<Figures, Failure> {
        let points = tx
            .meter_points(members, settings.meters.since(now, tz))
            .await?;
        let base = match settings.basis_read(tz, now) {
            Some((figure, from)) => tx.basis_figures(figure, members, from, now).await?,
            None => Vec::new(),
        };
        Ok(Figures::new(points, base))
    }

    pub async fn read(
        state: &crate::app::AppState,
        settings: &TierSettings,
        members: MemberSet<'_>,
        tz: Tz,
        at: Timestamp,
    ) -> Result<Figures, ApiError> {
        let points = state
            .store
            .meter_points(members, settings.meters.since(at, tz))
            .await?;
        let base = match settings.basis_read(tz, at) {
            Some((figure, from)) => state.store.basis_figures(figure, members, from, at).await?,
            None => Vec::new(),
        };
        Ok(Figures::new(points, base))
    }

    /// The member's figure for the policy's basis as of `at`.
    pub fn value(&self, settings: &TierSettings, member: i64, tz: Tz, at: Timestamp) -> i64 {
        match settings.policy.as_ref().map(|p| &p.basis) {
            Some(Basis::Meter { meter }) => settings.meters.value(
                meter,
                self.points.get(&member).map_or(&[][..], Vec::as_slice),
                at,
                tz,
            ),
            Some(_) => self.base.get(&member).copied().unwrap_or(0),
            None => 0,
        }
    }

    /// Every meter of the member as of `at`.
    pub fn meters(
        &self,
        settings: &TierSettings,
        member: i64,
        tz: Tz,
        at: Timestamp,
    ) -> BTreeMap<String, i64> {
        settings.meters.values(
            self.points.get(&member).map_or(&[][..], Vec::as_slice),
            at,
            tz,
        )
    }
}

/// What tier changes write, gathered and written at the end of their transaction.
#[derive(Default)]
pub struct TierWrites {
    pub changes: Vec<TierChangeRow>,
    pub grants: Vec<BenefitGrant>,
    pub notifications: Vec<Notification>,
    pub standings: BTreeMap<i64, MemberTierRow>,
}

/// A gift of points to earn for a member, with the grant that makes it once.
pub struct PointsGift {
    pub benefit: String,
    pub period: String,
    pub points: i64,
}

impl PointsGift {
    /// Earns the gift into the member's book (available at once, expiring as the program's
    /// points do).
    pub fn earn(&self, book: &mut Book, policy: PointPolicy, tz: Tz, now: Timestamp) -> Vec<Entry> {
        let lot = NewLot {
            points: self.points,
            available_at: now,
            expires_at: policy.expires_at(now, tz),
            order_id: None,
        };
        let cause = Cause::new(
            CauseKind::Benefit,
            format!("{}:{}", self.benefit, self.period),
        );
        book.earn(lot, EntryKind::Earn, &cause)
    }
}

/// Who a change concerns, and what caused it.
pub struct Subject<'a> {
    pub program_id: &'a str,
    pub member_id: i64,
    pub external_id: &'a str,
    pub cause: &'a str,
    pub reason: Option<&'a str>,
}

impl TierWrites {
    /// Records a change: its history row, the member's notification, partner perk records for
    /// the perks gained and lost, and (for an upgrade) the new tier's upgrade gifts. Returns the
    /// gifts of points to earn.
    pub fn record(
        &mut self,
        policy: &TierPolicy,
        who: &Subject<'_>,
        before: &TierState,
        change: &TierChange,
        now: Timestamp,
    ) -> Vec<PointsGift> {
        let was = policy.effective(before, change.at);
        let is = policy.effective(&change.next, change.at);
        self.changes.push(TierChangeRow {
            id: 0,
            member_id: who.member_id,
            kind: kind_str(change.kind).to_owned(),
            from_tier: change.from.clone(),
            to_tier: change.to.clone(),
            value: change.value,
            at: change.at,
            cause: who.cause.to_owned(),
            reason: who.reason.map(str::to_owned),
        });
        self.standings
            .insert(who.member_id, row_of(who.member_id, &change.next));
        let note = |template: String, recipient: Option<String>, payload: serde_json::Value| {
            Notification {
                program_id: who.program_id.to_owned(),
                member_id: who.member_id,
                template,
                rule_id: "tiers".into(),
                event_id: who.cause.to_owned(),
                created_at: now,
                recipient,
                payload: Some(payload.to_string()),
            }
        };
        self.notifications.push(note(
            format!("tier_{}", kind_str(change.kind)),
            None,
            json!({"from": change.from, "to": change.to, "value": change.value,
                   "effective_tier": is.id}),
        ));
        let (had, has) = (TierPolicy::perks(was), TierPolicy::perks(is));
        for (gained, (partner, perk)) in has
            .difference(&had)
            .map(|p| (true, p))
            .chain(had.difference(&has).map(|p| (false, p)))
        {
            self.notifications.push(note(
                if gained {
                    "partner_perk_granted"
                } else {
                    "partner_perk_revoked"
                }
                .into(),
                Some(format!("partner:{partner}")),
                json!({"member": who.external_id, "perk": perk, "tier": is.id}),
            ));
        }
        let mut gifts = Vec::new();
        if change.kind == ChangeKind::Upgrade {
            let period = format!(
                "upgrade:{}",
                change
                    .at
                    .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
            );
            for b in &is.benefits {
                if let BenefitKind::UpgradeGift { gift } = &b.kind {
                    self.grants.push(BenefitGrant {
                        member_id: who.member_id,
                        tier: is.id.clone(),
                        benefit: b.id.clone(),
                        period: period.clone(),
                        points: gift.points,
                        voucher: gift.voucher.clone(),
                        granted_at: now,
                    });
                    if let Some(points) = gift.points {
                        gifts.push(PointsGift {
                            benefit: b.id.clone(),
                            period: period.clone(),
                            points,
                        });
                    }
                }
            }
        }
        gifts
    }

    /// Writes everything. A grant that was already given means the same change was decided
    /// twice: the transaction fails rather than give it again.
    pub async fn persist(
        self,
        tx: &mut Box<dyn WriteTx>,
        program_id: &str,
        now: Timestamp,
    ) -> Result<(), Failure> {
        let standings: Vec<MemberTierRow> = self.standings.into_values().collect();
        tx.save_member_tiers(program_id, &standings, now).await?;
        tx.insert_tier_changes(program_id, &self.changes).await?;
        let granted = tx.grant(program_id, &self.grants).await?;
        if granted.len() != self.grants.len() {
            tracing::error!(
                wanted = self.grants.len(),
                granted = granted.len(),
                "a benefit would have been granted twice; refused"
            );
            return Err(ApiError::Internal.into());
        }
        let grants: Vec<&BenefitGrant> = self.grants.iter().collect();
        super::vouchers::issue_grants(tx, program_id, &grants, now).await?;
        tx.insert_notifications(&self.notifications).await?;
        Ok(())
    }
}

pub fn kind_str(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Upgrade => "upgraded",
        ChangeKind::Downgrade => "downgraded",
        ChangeKind::Requalified => "requalified",
        ChangeKind::GraceStarted => "grace_started",
        ChangeKind::OverrideSet => "override_set",
        ChangeKind::OverrideEnded => "override_ended",
    }
}

/// A member followed through an event batch.
struct Tracked {
    external_id: String,
    state: TierState,
}

/// Meters and tiers in an event batch: the members' standings and figures, kept current as
/// events are decided, and the changes they cause.
pub struct TierBatch {
    settings: Arc<TierSettings>,
    program_id: String,
    tz: Tz,
    now: Timestamp,
    /// The first instant a spend or points-earned figure counts from.
    window_start: Option<Timestamp>,
    /// Standings (when the program has a tier policy).
    members: HashMap<i64, Tracked>,
    figures: Figures,
    pub writes: TierWrites,
}

impl TierBatch {
    /// Loads the meters, standings and figures of the batch's members (already locked);
    /// `None` when the program declares no meter and no tier policy.
    pub async fn load(
        tx: &mut Box<dyn WriteTx>,
        settings: Arc<TierSettings>,
        program: &Program,
        members: &[(i64, String, Timestamp)],
        tz: Tz,
        now: Timestamp,
    ) -> Result<Option<TierBatch>, Failure> {
        if settings.policy.is_none() && settings.meters.specs.is_empty() {
            return Ok(None);
        }
        let ids: Vec<i64> = members.iter().map(|(id, _, _)| *id).collect();
        let figures = Figures::in_tx(tx, &settings, MemberSet::Ids(&ids), tz, now).await?;
        let mut tracked = HashMap::new();
        let mut window_start = None;
        if let Some(policy) = &settings.policy {
            window_start = policy.basis.window().and_then(|w| w.start(now, tz));
            let rows: HashMap<i64, MemberTierRow> = tx
                .member_tiers(MemberSet::Ids(&ids))
                .await?
                .into_iter()
                .map(|r| (r.member_id, r))
                .collect();
            for (id, ext, enrolled) in members {
                tracked.insert(
                    *id,
                    Tracked {
                        external_id: ext.clone(),
                        state: state_of(policy, rows.get(id), *enrolled),
                    },
                );
            }
        }
        Ok(Some(TierBatch {
            window_start,
            settings,
            program_id: program.id.clone(),
            tz,
            now,
            members: tracked,
            figures,
            writes: TierWrites::default(),
        }))
    }

    /// The tier a member holds now.
    pub fn effective(&self, member: i64) -> Option<&TierSpec> {
        let t = self.members.get(&member)?;
        Some(self.settings.policy.as_ref()?.effective(&t.state, self.now))
    }

    /// The earn multiplier the member's tier gives for an event type.
    pub fn earn_factor(&self, member: i64, event_type: &str) -> Option<(String, Factor)> {
        let tier = self.effective(member)?;
        TierPolicy::earn_factor(tier, event_type).map(|(_, f)| (tier.id.clone(), f))
    }

    /// The member's meters now, as conditions read them.
    pub fn meters(&self, member: i64) -> BTreeMap<String, i64> {
        self.figures
            .meters(&self.settings, member, self.tz, self.now)
    }

    pub fn note_meter(&mut self, member: i64, point: MeterPoint) {
        self.figures.points.entry(member).or_default().push(point);
    }

    /// Adds to a spend or points-earned figure what happened at `at` (counted when in the
    /// window).
    pub fn note_figure(&mut self, member: i64, figure: BasisFigure, delta: i64, at: Timestamp) {
        let Some(policy) = &self.settings.policy else {
            return;
        };
        if figure_of(&policy.basis) == Some(figure)
            && at <= self.now
            && self.window_start.is_none_or(|s| at >= s)
        {
            // A basis figure is only compared with thresholds: beyond i64 it stays at the top.
            let base = self.figures.base.entry(member).or_default();
            *base = base.saturating_add(delta);
        }
    }

    /// Decides what the member's events so far change (an upgrade when a threshold was
    /// crossed), recording it as caused by `cause`. Returns the change and the points to gift.
    pub fn settle(&mut self, member: i64, cause: &str) -> Option<(TierChange, Vec<PointsGift>)> {
        let policy = self.settings.policy.as_ref()?;
        let value = self
            .figures
            .value(&self.settings, member, self.tz, self.now);
        let tracked = self.members.get_mut(&member)?;
        let change = policy.on_activity(&tracked.state, value, self.now, self.tz)?;
        let who = Subject {
            program_id: &self.program_id,
            member_id: member,
            external_id: &tracked.external_id,
            cause,
            reason: None,
        };
        let gifts = self
            .writes
            .record(policy, &who, &tracked.state, &change, self.now);
        tracked.state = change.next.clone();
        Some((change, gifts))
    }
}

/// A change as an event's or job's answer shows it.
pub fn change_json(change: &TierChange) -> serde_json::Value {
    json!({
        "kind": kind_str(change.kind),
        "from": change.from,
        "to": change.to,
        "value": change.value,
        "at": change.at,
    })
}

/// What a tier pass over a page of members did.
#[derive(Debug, Default, Clone, Copy)]
pub struct PageOutcome {
    pub members: i64,
    pub changes: i64,
}

/// Periodic and birthday gifts a member of `tier` is owed at `now`, with their periods.
fn owed_gifts(
    tier: &TierSpec,
    birthday: Option<&str>,
    tz: Tz,
    now: Timestamp,
) -> Vec<(String, String, jifen_core::tiers::Gift)> {
    let local = now.with_timezone(&tz);
    let mut out = Vec::new();
    for b in &tier.benefits {
        match &b.kind {
            BenefitKind::PeriodicGift { every, gift } => {
                out.push((b.id.clone(), every.period(now, tz), gift.clone()));
            }
            BenefitKind::BirthdayGift { gift }
                if birthday
                    .is_some_and(|md| md.get(0..2) == Some(&local.format("%m").to_string())) =>
            {
                out.push((
                    b.id.clone(),
                    format!("birthday:{}", Every::Year.period(now, tz)),
                    gift.clone(),
                ));
            }
            _ => {}
        }
    }
    out
}

/// Re-evaluates a page of members at `now`, in one transaction: reviews that are due,
/// upgrades the figures allow (after a policy change), ended overrides, and the periodic and
/// birthday gifts of their tiers not given yet this period. Locks the members first, so events
/// of theirs wait.
pub async fn review_page(
    tx: &mut Box<dyn WriteTx>,
    program: &Program,
    settings: &TierSettings,
    members: MemberSet<'_>,
    cause: &str,
    now: Timestamp,
) -> Result<PageOutcome, Failure> {
    let Some(policy) = settings.policy.as_ref() else {
        return Ok(PageOutcome::default());
    };
    let tz = super::program_tz(program);
    let locked = tx.lock_members(members).await?;
    if locked.is_empty() {
        return Ok(PageOutcome::default());
    }
    let rows: HashMap<i64, MemberTierRow> = tx
        .member_tiers(members)
        .await?
        .into_iter()
        .map(|r| (r.member_id, r))
        .collect();
    let figures = Figures::in_tx(tx, settings, members, tz, now).await?;
    let gifting: BTreeSet<&str> = policy
        .tiers
        .iter()
        .filter(|t| {
            t.benefits.iter().any(|b| {
                matches!(
                    b.kind,
                    BenefitKind::PeriodicGift { .. } | BenefitKind::BirthdayGift { .. }
                )
            })
        })
        .map(|t| t.id.as_str())
        .collect();
    let mut writes = TierWrites::default();
    let mut gifts: BTreeMap<String, (i64, Vec<PointsGift>)> = BTreeMap::new();
    let mut owed: Vec<(BenefitGrant, String)> = Vec::new();
    for (id, external_id, enrolled_at, birthday) in &locked {
        let mut state = state_of(policy, rows.get(id), *enrolled_at);
        let value = figures.value(settings, *id, tz, now);
        // An ended override and a due review can both apply: look until nothing changes.
        for _ in 0..3 {
            let Some(change) = policy.review(&state, value, now, tz) else {
                break;
            };
            let who = Subject {
                program_id: &program.id,
                member_id: *id,
                external_id,
                cause,
                reason: None,
            };
            let g = writes.record(policy, &who, &state, &change, now);
            if !g.is_empty() {
                gifts
                    .entry(external_id.clone())
                    .or_insert((*id, Vec::new()))
                    .1
                    .extend(g);
            }
            state = change.next;
        }
        let tier = policy.effective(&state, now);
        if gifting.contains(tier.id.as_str()) {
            for (benefit, period, gift) in owed_gifts(tier, birthday.as_deref(), tz, now) {
                owed.push((
                    BenefitGrant {
                        member_id: *id,
                        tier: tier.id.clone(),
                        benefit,
                        period,
                        points: gift.points,
                        voucher: gift.voucher,
                        granted_at: now,
                    },
                    external_id.clone(),
                ));
            }
        }
    }
    // Periodic gifts already given this period are skipped here (a job may run again).
    let grants: Vec<BenefitGrant> = owed.iter().map(|(g, _)| g.clone()).collect();
    let new: BTreeSet<(i64, String, String)> =
        tx.grant(&program.id, &grants).await?.into_iter().collect();
    let given: Vec<&BenefitGrant> = grants
        .iter()
        .filter(|g| new.contains(&(g.member_id, g.benefit.clone(), g.period.clone())))
        .collect();
    super::vouchers::issue_grants(tx, &program.id, &given, now).await?;
    for (grant, external_id) in owed {
        if !new.contains(&(grant.member_id, grant.benefit.clone(), grant.period.clone())) {
            continue;
        }
        if let Some(points) = grant.points {
            gifts
                .entry(external_id)
                .or_insert((grant.member_id, Vec::new()))
                .1
                .push(PointsGift {
                    benefit: grant.benefit.clone(),
                    period: grant.period.clone(),
                    points,
                });
        }
        writes.notifications.push(Notification {
            program_id: program.id.clone(),
            member_id: grant.member_id,
            template: "benefit_granted".into(),
            rule_id: "tiers".into(),
            event_id: cause.to_owned(),
            created_at: now,
            recipient: None,
            payload: Some(
                json!({"benefit": grant.benefit, "period": grant.period,
                       "points": grant.points, "voucher": grant.voucher})
                .to_string(),
            ),
        });
    }
    let outcome = PageOutcome {
        members: locked.len() as i64,
        changes: writes.changes.len() as i64,
    };
    if !gifts.is_empty() {
        give_points(tx, program, tz, now, gifts).await?;
    }
    writes.persist(tx, &program.id, now).await?;
    Ok(outcome)
}

/// Earns gifts of points into members' books, in the caller's transaction.
async fn give_points(
    tx: &mut Box<dyn WriteTx>,
    program: &Program,
    tz: Tz,
    now: Timestamp,
    gifts: BTreeMap<String, (i64, Vec<PointsGift>)>,
) -> Result<(), Failure> {
    let wanted: Vec<&str> = gifts.keys().map(String::as_str).collect();
    let heads = tx.lock_heads(&program.id, &wanted).await?;
    let mut books = Vec::new();
    for head in heads {
        let (mut book, mut entries) = super::ledger::open_book(tx, &head, now).await?;
        if let Some((_, list)) = gifts.get(&head.external_id) {
            for g in list {
                entries.extend(g.earn(&mut book, program.policy, tz, now));
            }
        }
        books.push((head.id, book, entries));
    }
    let items = books
        .iter_mut()
        .map(|(id, book, entries)| (*id, book, &entries[..]))
        .collect();
    super::ledger::save_all(tx, &program.id, items).await
}

/// Members re-evaluated per transaction.
const PAGE: u32 = 2_000;

/// Jobs running on this node, so one is never run twice at once here (on two nodes, pages
/// are idempotent: members are locked, and a standing once changed is not changed again).
fn running() -> &'static std::sync::Mutex<BTreeSet<String>> {
    static RUNNING: std::sync::OnceLock<std::sync::Mutex<BTreeSet<String>>> =
        std::sync::OnceLock::new();
    RUNNING.get_or_init(Default::default)
}

/// Creates a re-evaluation of every member of the program (unless one of the same id exists)
/// and returns its record. `run` it to do the work.
pub async fn create_job(
    state: &crate::app::AppState,
    program: &Program,
    id: &str,
    reason: &str,
) -> Result<jifen_store::TierJobRecord, ApiError> {
    if let Some(existing) = state.store.tier_job(&program.id, id).await? {
        return Ok(existing);
    }
    let now = state.clock.now();
    let record = jifen_store::TierJobRecord {
        id: id.to_owned(),
        status: "running".into(),
        reason: reason.to_owned(),
        cursor: 0,
        members: 0,
        changes: 0,
        at: now,
        created_at: now,
        updated_at: now,
    };
    super::with_retries(|| async {
        let mut tx = state.store.begin_write().await?;
        tx.save_tier_job(&program.id, &record).await?;
        tx.commit().await?;
        Ok(())
    })
    .await?;
    Ok(record)
}

/// Runs a job from where it stands to its end: page by page, each page's changes and the
/// job's cursor committed together, so a job stopped by a crash resumes where it was without
/// deciding anything twice.
pub async fn run_job(
    state: &crate::app::AppState,
    program_id: &str,
    job_id: &str,
) -> Result<Option<jifen_store::TierJobRecord>, ApiError> {
    let token = format!("{program_id}/{job_id}");
    if !running()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(token.clone())
    {
        return Ok(None);
    }
    let result = run_pages(state, program_id, job_id).await;
    running()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&token);
    result
}

async fn run_pages(
    state: &crate::app::AppState,
    program_id: &str,
    job_id: &str,
) -> Result<Option<jifen_store::TierJobRecord>, ApiError> {
    let Some(program) = state.store.get_program(program_id).await? else {
        return Ok(None);
    };
    let settings = TierSettings::read(state, program_id).await?;
    let cause = format!("tier-job:{job_id}");
    loop {
        let Some(job) = state.store.tier_job(program_id, job_id).await? else {
            return Ok(None);
        };
        if job.status != "running" {
            return Ok(Some(job));
        }
        let ids = state
            .store
            .member_ids_after(program_id, job.cursor, PAGE * IN_FLIGHT as u32)
            .await?;
        if ids.is_empty() {
            let mut job = job;
            job.status = "done".into();
            job.updated_at = state.clock.now();
            super::with_retries(|| async {
                let mut tx = state.store.begin_write().await?;
                tx.save_tier_job(&program.id, &job).await?;
                tx.commit().await?;
                Ok(())
            })
            .await?;
            continue;
        }
        // Pages run side by side (on PostgreSQL, on connections of their own); each moves the
        // cursor only from where the page before it left it, so a page commits after the one
        // before it or not at all, and the cursor never passes a page that was not done.
        let mut from = job.cursor;
        let mut pages = Vec::new();
        for chunk in ids.chunks(PAGE as usize) {
            let (first, last) = (chunk[0], chunk[chunk.len() - 1]);
            pages.push((from, first, last));
            from = last;
        }
        let run = |(from, first, last): (i64, i64, i64), lead: bool| {
            let (program, settings, cause) = (&program, &settings, &cause);
            super::with_retries(move || async move {
                let now = state.clock.now();
                let mut tx = state.store.begin_write().await?;
                // The first page holds the job's row from its start: the next page's move of
                // the cursor waits for it to commit.
                if lead {
                    tx.lock_tier_job(&program.id, job_id).await?;
                }
                let members = MemberSet::Range {
                    program_id: &program.id,
                    first,
                    last,
                };
                let done = review_page(&mut tx, program, settings, members, cause, now).await?;
                let counts = (done.members, done.changes);
                // Not moved: the page before failed; this one is rolled back and done again.
                if tx
                    .advance_tier_job(&program.id, job_id, from, last, counts, now)
                    .await?
                {
                    tx.commit().await?;
                }
                Ok(())
            })
        };
        match pages[..] {
            [one] => run(one, true).await?,
            [a, b, ..] => {
                let (ra, rb) = tokio::join!(run(a, true), run(b, false));
                ra?;
                rb?;
            }
            [] => {}
        }
    }
}

/// Pages of a job under way at once.
const IN_FLIGHT: usize = 2;

/// Reviews the members whose standing is due (a review, the end of a grace period or of an
/// override) in every program with tiers, and makes sure each program's periodic pass (gifts
/// of the month, birthdays) has run this month. Returns the changes made.
pub async fn review_due(state: &crate::app::AppState) -> Result<i64, ApiError> {
    let mut changes = 0;
    for (program_id, job) in state.store.running_tier_jobs().await? {
        if let Some(done) = run_job(state, &program_id, &job.id).await? {
            changes += done.changes - job.changes;
        }
    }
    for program_id in state.store.programs_with_tiers().await? {
        let Some(program) = state.store.get_program(&program_id).await? else {
            continue;
        };
        let tz = super::program_tz(&program);
        let month = Every::Month.period(state.clock.now(), tz);
        let id = format!("monthly-{month}");
        let monthly = create_job(state, &program, &id, "periodic").await?;
        if monthly.status == "running"
            && let Some(done) = run_job(state, &program_id, &id).await?
        {
            changes += done.changes - monthly.changes;
        }
        let settings = TierSettings::read(state, &program_id).await?;
        let mut after = 0;
        loop {
            let now = state.clock.now();
            let due = state
                .store
                .members_due(&program_id, now, after, PAGE)
                .await?;
            let Some(last) = due.last().copied() else {
                break;
            };
            let (program, settings, due) = (&program, &settings, &due);
            changes += super::with_retries(|| async move {
                let mut tx = state.store.begin_write().await?;
                let done = review_page(
                    &mut tx,
                    program,
                    settings,
                    MemberSet::Ids(due),
                    "tier-review",
                    now,
                )
                .await?;
                tx.commit().await?;
                Ok(done.changes)
            })
            .await?;
            after = last;
        }
    }
    Ok(changes)
}

/// Sets (or, with `None`, ends) an operator's override of a member's tier, with its history
/// row, notification and partner perk records. Setting the override already in place changes
/// nothing.
pub async fn override_tier(
    state: &crate::app::AppState,
    program: &Program,
    member: &jifen_store::Member,
    wanted: Option<TierOverride>,
) -> Result<(), ApiError> {
    let settings = TierSettings::read(state, &program.id).await?;
    let policy = settings
        .policy
        .as_ref()
        .ok_or(ApiError::TierPolicyNotFound)?;
    let now = state.clock.now();
    if let Some(o) = &wanted {
        if policy.tier(&o.tier).is_none() {
            return Err(ApiError::invalid(
                "tier",
                format!("tier {} is not in the tier policy", o.tier),
            ));
        }
        if o.reason.trim().is_empty() || o.reason.chars().count() > 500 {
            return Err(ApiError::invalid(
                "reason",
                "a reason is 1 to 500 characters",
            ));
        }
        if o.until <= now {
            return Err(ApiError::invalid("until", "an override ends in the future"));
        }
    }
    let tz = super::program_tz(program);
    let (settings, wanted) = (&settings, &wanted);
    super::with_retries(|| async move {
        let mut tx = state.store.begin_write().await?;
        let ids = [member.id];
        tx.lock_members(MemberSet::Ids(&ids)).await?;
        let row = tx.member_tiers(MemberSet::Ids(&ids)).await?.pop();
        let before = state_of(policy, row.as_ref(), member.enrolled_at);
        let active = before.override_.clone().filter(|o| o.until > now);
        if active == *wanted {
            return Ok(());
        }
        let figures = Figures::in_tx(&mut tx, settings, MemberSet::Ids(&ids), tz, now).await?;
        let value = figures.value(settings, member.id, tz, now);
        let mut next = before.clone();
        next.override_ = wanted.clone();
        let (kind, from, to, reason) = match (wanted, &active) {
            (Some(o), _) => (
                ChangeKind::OverrideSet,
                policy.effective(&before, now).id.clone(),
                o.tier.clone(),
                o.reason.clone(),
            ),
            (None, Some(o)) => (
                ChangeKind::OverrideEnded,
                o.tier.clone(),
                before.tier.clone(),
                "ended by an operator".to_owned(),
            ),
            (None, None) => return Ok(()),
        };
        let change = TierChange {
            kind,
            from,
            to,
            value,
            at: now,
            next,
        };
        let who = Subject {
            program_id: &program.id,
            member_id: member.id,
            external_id: &member.external_id,
            cause: "operator",
            reason: Some(&reason),
        };
        let mut writes = TierWrites::default();
        writes.record(policy, &who, &before, &change, now);
        writes.persist(&mut tx, &program.id, now).await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}
