//! Badges: definitions compiled once per text, judged in an event's own transaction for its
//! member, and awarded once per (badge, level, member) — the database's primary key makes
//! that hold across concurrent transactions and nodes.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use chrono_tz::Tz;
use rand::Rng;
use serde_json::{Value, json};

use jifen_core::badges::{Badge, BadgeSpec, BadgeStatus, Judged, LevelReward};
use jifen_core::rules::Facts;
use jifen_core::{Book, Cause, CauseKind, Entry, EntryKind, NewLot, PointPolicy, Timestamp};
use jifen_store::{BadgeRow, MemberBadgeRow, MemberSet, Program, WriteTx};

use super::Failure;
use crate::app::AppState;
use crate::error::ApiError;

/// Compiled definitions by their text: a definition's expressions are compiled once, however
/// many batches judge it. Keyed by (id, text), so a changed definition is compiled afresh.
static COMPILED: Mutex<Option<CompiledCache>> = Mutex::new(None);

/// Compiled badges by (id, definition text).
type CompiledCache = HashMap<(String, String), Arc<Badge>>;

/// The most definitions the cache keeps before it starts over.
const CACHE_MAX: usize = 4_096;

/// A stored definition, compiled (from the cache when its text was seen before).
pub fn compiled(row: &BadgeRow) -> Result<Arc<Badge>, ApiError> {
    let key = (row.id.clone(), row.spec.clone());
    if let Ok(cache) = COMPILED.lock()
        && let Some(b) = cache.as_ref().and_then(|c| c.get(&key))
    {
        return Ok(b.clone());
    }
    let spec: BadgeSpec = serde_json::from_str(&row.spec).map_err(|_| ApiError::Internal)?;
    let badge = Arc::new(Badge::compile(&row.id, spec).map_err(badge_error)?);
    if let Ok(mut cache) = COMPILED.lock() {
        let cache = cache.get_or_insert_with(HashMap::new);
        if cache.len() >= CACHE_MAX {
            cache.clear();
        }
        cache.insert(key, badge.clone());
    }
    Ok(badge)
}

/// A definition's refusal as the API's error.
pub fn badge_error(e: jifen_core::badges::BadgeError) -> ApiError {
    match e.condition {
        Some(c) => ApiError::condition(&e.field, c),
        None => ApiError::invalid(e.field, e.message),
    }
}

/// A new share token: 24 characters of an unambiguous alphabet (about 120 bits).
pub fn new_token() -> String {
    const ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";
    let mut rng = rand::rng();
    (0..24)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Where an earned level's public page is, relative to the server.
pub fn share_path(program_id: &str, token: &str) -> String {
    format!("/portal/{program_id}/badges/{token}")
}

/// A level awarded, as an event's answer lists it.
pub struct Awarded {
    pub badge: Arc<Badge>,
    pub level: u32,
    pub token: String,
}

impl Awarded {
    pub fn reward(&self) -> Option<&LevelReward> {
        self.badge.level(self.level).and_then(|l| l.reward.as_ref())
    }

    pub fn json(&self, program_id: &str) -> Value {
        let level = self.badge.level(self.level);
        let mut v = json!({
            "badge": self.badge.id,
            "name": self.badge.spec.name,
            "level": self.level,
            "level_name": level.map(|l| l.name.as_str()),
            "share_path": share_path(program_id, &self.token),
        });
        if let Some(r) = self.reward() {
            v["reward"] = json!(r);
        }
        v
    }

    /// The reward's points as a lot of the member's book, available at once.
    pub fn earn(
        &self,
        book: &mut Book,
        policy: PointPolicy,
        tz: Tz,
        at: Timestamp,
        cause: &Cause,
    ) -> Vec<Entry> {
        match self.reward().and_then(|r| r.points) {
            Some(points) if points > 0 => book.earn(
                NewLot {
                    points,
                    available_at: at,
                    expires_at: policy.expires_at(at, tz),
                    order_id: None,
                },
                EntryKind::Earn,
                cause,
            ),
            _ => Vec::new(),
        }
    }

    /// The voucher source of the reward: once per member and level.
    pub fn voucher_source(&self, member_id: i64) -> String {
        format!("badge:{}:{}:{member_id}", self.badge.id, self.level)
    }
}

/// The badges a batch of events judges, what its members hold, and the awards it decided.
pub(crate) struct BadgeBatch {
    program_id: String,
    /// Active badges, by id.
    badges: BTreeMap<String, Arc<Badge>>,
    held: HashSet<(i64, String, u32)>,
    /// Events by type per member, when a badge reads `member.counts`.
    counts: Option<HashMap<i64, BTreeMap<String, i64>>>,
    /// The types the badges read, which count 0 for a member with none.
    counted: BTreeSet<String>,
    /// What to write.
    pub rows: Vec<MemberBadgeRow>,
}

impl BadgeBatch {
    /// Loads the program's active badges and what the members hold; `None` when the program
    /// has no active badge.
    pub async fn load(
        tx: &mut Box<dyn WriteTx>,
        program_id: &str,
        members: &[i64],
    ) -> Result<Option<BadgeBatch>, Failure> {
        let rows = tx.badge_defs(program_id).await?;
        let mut badges = BTreeMap::new();
        for row in rows
            .iter()
            .filter(|r| r.status == BadgeStatus::Active.as_str())
        {
            match compiled(row) {
                Ok(b) => {
                    badges.insert(row.id.clone(), b);
                }
                Err(e) => tracing::error!(badge = %row.id, error = %e, "badge does not compile"),
            }
        }
        if badges.is_empty() {
            return Ok(None);
        }
        let held = tx
            .earned_levels(program_id, members)
            .await?
            .into_iter()
            .map(|(m, b, l)| (m, b, u32::try_from(l).unwrap_or(0)))
            .collect();
        let counts = if badges.values().any(|b| b.reads_counts()) {
            let mut counts: HashMap<i64, BTreeMap<String, i64>> = HashMap::new();
            for (m, kind, n) in tx.event_counts(members).await? {
                counts.entry(m).or_default().insert(kind, n);
            }
            Some(counts)
        } else {
            None
        };
        Ok(Some(BadgeBatch {
            program_id: program_id.to_owned(),
            held,
            counts,
            counted: badges.values().flat_map(|b| b.counted_types()).collect(),
            badges,
            rows: Vec::new(),
        }))
    }

    /// Whether any badge is judged by criteria (else only effects award).
    pub fn automatic(&self) -> bool {
        self.badges.values().any(|b| b.is_automatic())
    }

    /// Counts an event of the member's.
    pub fn note_event(&mut self, member: i64, event_type: &str) {
        if let Some(counts) = self.counts.as_mut() {
            *counts
                .entry(member)
                .or_default()
                .entry(event_type.to_owned())
                .or_default() += 1;
        }
    }

    /// The member's events by type, as criteria read them (`member.counts`).
    pub fn counts_json(&self, member: i64) -> Value {
        let mut counts: BTreeMap<String, i64> =
            self.counted.iter().map(|t| (t.clone(), 0)).collect();
        if let Some(mine) = self.counts.as_ref().and_then(|c| c.get(&member)) {
            counts.extend(mine.iter().map(|(k, v)| (k.clone(), *v)));
        }
        json!(counts)
    }

    /// Awards the levels `requested` by rule effects and those whose criteria `facts` meet,
    /// that the member does not hold.
    pub fn award(
        &mut self,
        member: i64,
        event_id: &str,
        now: Timestamp,
        facts: Option<&Facts>,
        requested: &[(String, u32)],
    ) -> Vec<Awarded> {
        let mut out = Vec::new();
        for (id, level) in requested {
            let Some(badge) = self.badges.get(id).cloned() else {
                tracing::warn!(badge = %id, "award_badge names no active badge; skipped");
                continue;
            };
            if *level == 0 || *level > badge.level_count() {
                tracing::warn!(badge = %id, level, "award_badge names no such level; skipped");
                continue;
            }
            self.give(&mut out, member, event_id, now, badge, *level);
        }
        if let Some(facts) = facts {
            let badges: Vec<Arc<Badge>> = self.badges.values().cloned().collect();
            for badge in badges.into_iter().filter(|b| b.is_automatic()) {
                let held = self.held_levels(member, &badge.id);
                let Judged {
                    reached, errors, ..
                } = badge.judge(facts, &held);
                for (level, message) in errors {
                    tracing::debug!(badge = %badge.id, level, %message, "badge criterion failed");
                }
                for level in reached {
                    self.give(&mut out, member, event_id, now, badge.clone(), level);
                }
            }
        }
        out
    }

    fn held_levels(&self, member: i64, badge: &str) -> BTreeSet<u32> {
        self.held
            .iter()
            .filter(|(m, b, _)| *m == member && b == badge)
            .map(|(_, _, l)| *l)
            .collect()
    }

    fn give(
        &mut self,
        out: &mut Vec<Awarded>,
        member: i64,
        event_id: &str,
        now: Timestamp,
        badge: Arc<Badge>,
        level: u32,
    ) {
        if !self.held.insert((member, badge.id.clone(), level)) {
            return;
        }
        let token = new_token();
        self.rows.push(MemberBadgeRow {
            program_id: self.program_id.clone(),
            badge_id: badge.id.clone(),
            level: i64::from(level),
            member_id: member,
            cause: format!("event:{event_id}"),
            event_id: Some(event_id.to_owned()),
            token: token.clone(),
            earned_at: now,
        });
        out.push(Awarded {
            badge,
            level,
            token,
        });
    }

    /// Writes the awards; another transaction recording one of them meanwhile (possible on
    /// PostgreSQL, whose member locks another node's batch may take in another order) makes
    /// this one start over, so that its reward is not given twice.
    pub async fn persist(self, tx: &mut Box<dyn WriteTx>) -> Result<(), Failure> {
        let new = tx.insert_member_badges(&self.rows).await?;
        if new != self.rows.len() as u64 {
            return Err(Failure::Store(jifen_store::StoreError::Busy));
        }
        Ok(())
    }
}

/// Awards a member a level of a badge inside `tx` — for contests, challenges and any other
/// writer that is not an event — with its reward (points as an earn entry of the member's
/// book, caused by `badge:<id>:<level>`; a voucher of its template). Returns whether the level
/// is new: a level the member holds is not awarded again, and nothing is written then.
///
/// `cause` says what awarded it (`contest:<id>`, `challenge:<id>`). An archived badge is not
/// awarded (false); a badge or level that does not exist, or a member not of the program, is an
/// error. The member is locked, and their book opened and saved here: do not call it for a
/// member whose book the caller holds open.
pub async fn award_badge(
    tx: &mut Box<dyn WriteTx>,
    program: &Program,
    member_id: i64,
    badge_id: &str,
    level: u32,
    cause: &str,
    now: Timestamp,
) -> Result<bool, Failure> {
    let row = tx
        .badge_defs(&program.id)
        .await?
        .into_iter()
        .find(|r| r.id == badge_id)
        .ok_or_else(|| ApiError::BadgeNotFound(badge_id.to_owned()))?;
    if row.status != BadgeStatus::Active.as_str() {
        tracing::warn!(badge = badge_id, cause, "an archived badge is not awarded");
        return Ok(false);
    }
    let badge = compiled(&row)?;
    if level == 0 || level > badge.level_count() {
        return Err(ApiError::invalid(
            "level",
            format!("badge {badge_id} has levels 1 to {}", badge.level_count()),
        )
        .into());
    }
    let ids = [member_id];
    let Some((_, external_id, _, _)) = tx.lock_members(MemberSet::Ids(&ids)).await?.pop() else {
        return Err(ApiError::MemberNotFound(member_id.to_string()).into());
    };
    // The member must be the program's (and is locked, so no event of theirs is judged
    // meanwhile).
    let head = tx
        .lock_head(&program.id, &external_id)
        .await?
        .ok_or_else(|| ApiError::MemberNotFound(external_id.clone()))?;
    let token = new_token();
    let new = tx
        .insert_member_badges(&[MemberBadgeRow {
            program_id: program.id.clone(),
            badge_id: badge_id.to_owned(),
            level: i64::from(level),
            member_id,
            cause: cause.to_owned(),
            event_id: None,
            token: token.clone(),
            earned_at: now,
        }])
        .await?;
    if new == 0 {
        return Ok(false);
    }
    let awarded = Awarded {
        badge,
        level,
        token,
    };
    if awarded.reward().and_then(|r| r.points).is_some() {
        let (mut book, mut entries) = super::ledger::open_book(tx, &head, now).await?;
        let cause = Cause::new(CauseKind::Benefit, format!("badge:{badge_id}:{level}"));
        let tz = super::program_tz(program);
        entries.extend(awarded.earn(&mut book, program.policy, tz, now, &cause));
        super::ledger::save(tx, &program.id, head.id, &mut book, &entries).await?;
    }
    if let Some(template) = awarded.reward().and_then(|r| r.voucher.as_deref()) {
        let source = awarded.voucher_source(member_id);
        super::vouchers::issue_named(tx, &program.id, template, &[member_id], &source, now).await?;
    }
    Ok(true)
}

/// Checks the badges a rule's `award_badge` effects name: each must exist with that level.
pub async fn check_effects(
    tx: &mut Box<dyn WriteTx>,
    program_id: &str,
    effects: &[jifen_core::rules::Effect],
) -> Result<(), Failure> {
    let named: Vec<(usize, &str, u32)> = effects
        .iter()
        .enumerate()
        .filter_map(|(i, e)| match e {
            jifen_core::rules::Effect::AwardBadge { badge, level } => {
                Some((i, badge.as_str(), *level))
            }
            _ => None,
        })
        .collect();
    if named.is_empty() {
        return Ok(());
    }
    let rows = tx.badge_defs(program_id).await?;
    for (i, id, level) in named {
        let Some(row) = rows.iter().find(|r| r.id == id) else {
            return Err(ApiError::invalid(
                format!("effects[{i}].badge"),
                format!("badge {id} does not exist: define it with PUT /v1/badges/{id}"),
            )
            .into());
        };
        let badge = compiled(row)?;
        if level > badge.level_count() {
            return Err(ApiError::invalid(
                format!("effects[{i}].level"),
                format!("badge {id} has levels 1 to {}", badge.level_count()),
            )
            .into());
        }
    }
    Ok(())
}

/// A member's facts as badge criteria read them outside an event (for progress): profile
/// attributes, streaks, tags, meters (windowed as declared, when the program declares meters)
/// and event counts; not the tier, which an event's facts carry.
pub async fn member_facts(
    state: &AppState,
    program: &Program,
    member: &jifen_store::Member,
    counted: &BTreeSet<String>,
    now: Timestamp,
) -> Result<Value, ApiError> {
    let ids = [member.id];
    let facts = state.store.member_facts(&ids).await?;
    let streaks: BTreeMap<String, i64> = facts
        .streaks
        .into_iter()
        .map(|s| (s.kind, s.length))
        .collect();
    let tags: Vec<String> = facts.tags.into_iter().map(|(_, t)| t).collect();
    let mut meters: BTreeMap<String, i64> =
        facts.meters.into_iter().map(|(_, m, v)| (m, v)).collect();
    let settings = super::tiers::TierSettings::read(state, &program.id).await?;
    let tz = super::program_tz(program);
    let figures =
        super::tiers::Figures::read(state, &settings, MemberSet::Ids(&ids), tz, now).await?;
    meters.extend(figures.meters(&settings, member.id, tz, now));
    let mut counts: BTreeMap<String, i64> = counted.iter().map(|t| (t.clone(), 0)).collect();
    counts.extend(state.store.event_counts(member.id).await?);
    Ok(json!({
        "id": member.external_id,
        "status": member.status,
        "enrolled_at": member.enrolled_at.to_rfc3339(),
        "attributes": member.attributes,
        "tags": tags,
        "streaks": streaks,
        "meters": meters,
        "counts": counts,
    }))
}
