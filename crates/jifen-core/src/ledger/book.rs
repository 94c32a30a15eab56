use std::collections::{BTreeMap, HashMap, HashSet};

use super::types::{Cause, CauseKind, Entry, EntryKind, HoldRecord, HoldStatus, Lot};
use crate::Timestamp;

/// A lot and what is left of it outside holds.
#[derive(Debug, Clone)]
pub(crate) struct LotState {
    pub lot: Lot,
    /// Points of the lot not held and not yet spent, clawed back or used for debt.
    pub free: i64,
    /// Whether the entry that creates the lot has been applied.
    pub created: bool,
}

/// A hold and the points it has taken from each lot.
#[derive(Debug, Clone)]
pub(crate) struct HoldState {
    pub record: HoldRecord,
    /// lot id → points held from it.
    pub parts: BTreeMap<i64, i64>,
    pub placed: bool,
    pub status: HoldStatus,
}

impl HoldState {
    pub fn held(&self) -> i64 {
        self.parts.values().fold(0, |a, p| a.saturating_add(*p))
    }
}

/// A member's ledger state at an instant, rebuilt from entries.
#[derive(Debug, Clone)]
pub struct Book {
    pub(crate) lots: BTreeMap<i64, LotState>,
    pub(crate) holds: BTreeMap<String, HoldState>,
    /// Points owed by the member (≥ 0).
    pub(crate) debt: i64,
    pub(crate) earned: i64,
    pub(crate) redeemed: i64,
    pub(crate) clawed_back: i64,
    pub(crate) written_off: i64,
    /// order id → points credited for it so far (earned minus clawed back or written off).
    pub(crate) credited: HashMap<String, i64>,
    /// lot id → points that `expire` entries already record as expired.
    pub(crate) expiry_recorded: HashMap<i64, i64>,
    /// Holds whose resolution is among the persisted entries; replay must not re-derive it.
    resolved_in_entries: HashSet<String>,
    /// Lots created by decisions since the book was rebuilt, for the store to insert.
    pub(crate) new_lots: Vec<Lot>,
    /// Holds placed by decisions since the book was rebuilt, for the store to insert.
    pub(crate) new_holds: Vec<HoldRecord>,
    pub(crate) next_seq: i64,
    pub(crate) next_lot: i64,
    /// The instant the book stands at.
    pub(crate) now: Timestamp,
}

impl Book {
    /// An empty book at `now`.
    pub fn new(now: Timestamp) -> Self {
        Self {
            lots: BTreeMap::new(),
            holds: BTreeMap::new(),
            debt: 0,
            earned: 0,
            redeemed: 0,
            clawed_back: 0,
            written_off: 0,
            credited: HashMap::new(),
            expiry_recorded: HashMap::new(),
            resolved_in_entries: HashSet::new(),
            new_lots: Vec::new(),
            new_holds: Vec::new(),
            next_seq: 1,
            next_lot: 1,
            now,
        }
    }

    /// Rebuilds a member's book at `until` from their lots, holds and entries. Entries that take
    /// effect after `until` are left out; hold deadlines up to `until` are applied even when no
    /// entry records them yet. The entries such deadlines imply are returned with the book, so a
    /// writer can persist them.
    pub fn replay(
        lots: Vec<Lot>,
        holds: Vec<HoldRecord>,
        mut entries: Vec<Entry>,
        until: Timestamp,
    ) -> (Book, Vec<Entry>) {
        let mut book = Book::new(until);
        book.next_seq = entries.iter().map(|e| e.seq).max().unwrap_or(0) + 1;
        book.next_lot = lots.iter().map(|l| l.id).max().unwrap_or(0) + 1;
        for lot in lots {
            book.lots.insert(
                lot.id,
                LotState {
                    lot,
                    free: 0,
                    created: false,
                },
            );
        }
        for record in holds {
            book.holds.insert(
                record.id.clone(),
                HoldState {
                    record,
                    parts: BTreeMap::new(),
                    placed: false,
                    status: HoldStatus::Pending,
                },
            );
        }
        book.resolved_in_entries = entries
            .iter()
            .filter(|e| matches!(e.kind, EntryKind::Redeem | EntryKind::Release))
            .filter_map(|e| e.hold.clone())
            .collect();
        entries.sort_by_key(Entry::replay_key);
        let mut implied = Vec::new();
        let start = entries.first().map(|e| e.effective_at).unwrap_or(until);
        book.now = start.min(until);
        for entry in entries.iter().filter(|e| e.effective_at <= until) {
            implied.extend(book.advance_to(entry.effective_at));
            book.apply(entry);
        }
        implied.extend(book.advance_to(until));
        (book, implied)
    }

    /// Moves the book to `t`, releasing every pending hold whose deadline is at or before `t`.
    /// Returns the entries that record those releases.
    pub fn advance_to(&mut self, t: Timestamp) -> Vec<Entry> {
        let mut due: Vec<(Timestamp, String)> = self
            .holds
            .values()
            .filter(|h| h.placed && h.status == HoldStatus::Pending && h.record.deadline <= t)
            .filter(|h| !self.resolved_in_entries.contains(&h.record.id))
            .map(|h| (h.record.deadline, h.record.id.clone()))
            .collect();
        due.sort();
        let mut out = Vec::new();
        for (deadline, id) in due {
            self.now = self.now.max(deadline);
            let cause = Cause::new(CauseKind::HoldDeadline, id.clone());
            let parts = self.hold_parts_by_expiry(&id);
            let entries = self.plan_release(&id, parts, &cause);
            self.apply_all(&entries);
            if let Some(h) = self.holds.get_mut(&id) {
                h.status = HoldStatus::Expired;
            }
            out.extend(entries);
        }
        self.now = self.now.max(t);
        out
    }

    /// The instant the book stands at.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    pub(crate) fn apply_all(&mut self, entries: &[Entry]) {
        for e in entries {
            self.apply(e);
        }
    }

    /// Applies one entry to the state. Replay and decisions both go through here.
    pub(crate) fn apply(&mut self, e: &Entry) {
        self.now = self.now.max(e.effective_at);
        self.next_seq = self.next_seq.max(e.seq + 1);
        let p = e.points;
        let order_credit = |book: &mut Book, delta: i64| {
            if let Some(order) = &e.order_id {
                let credited = book.credited.entry(order.clone()).or_default();
                *credited = credited.saturating_add(delta);
            }
        };
        match e.kind {
            EntryKind::Earn => {
                self.lot_free(e.lot, p, true);
                self.earned = self.earned.saturating_add(p);
                order_credit(self, p);
            }
            EntryKind::Adjust if p > 0 => {
                self.lot_free(e.lot, p, true);
                self.earned = self.earned.saturating_add(p);
            }
            EntryKind::Adjust => match e.lot {
                Some(_) => self.lot_free(e.lot, p, false),
                None => self.debt = self.debt.saturating_sub(p),
            },
            EntryKind::Clawback => {
                match e.lot {
                    Some(_) => self.lot_free(e.lot, p, false),
                    None => self.debt = self.debt.saturating_sub(p),
                }
                self.clawed_back = self.clawed_back.saturating_sub(p);
                order_credit(self, p);
            }
            EntryKind::WriteOff => {
                self.written_off = self.written_off.saturating_sub(p);
                order_credit(self, p);
            }
            EntryKind::Redeem => {
                match &e.hold {
                    Some(h) => {
                        self.hold_part(h, e.lot, p);
                        if let Some(hs) = self.holds.get_mut(h) {
                            hs.status = HoldStatus::Committed;
                        }
                    }
                    None => self.lot_free(e.lot, p, false),
                }
                self.redeemed = self.redeemed.saturating_sub(p);
            }
            EntryKind::Hold => {
                self.lot_free(e.lot, p, false);
                if let Some(h) = &e.hold {
                    self.hold_part(h, e.lot, -p);
                    if let Some(hs) = self.holds.get_mut(h) {
                        hs.placed = true;
                    }
                }
            }
            EntryKind::Release => {
                if let Some(h) = &e.hold {
                    self.hold_part(h, e.lot, -p);
                    if let Some(hs) = self.holds.get_mut(h)
                        && hs.status == HoldStatus::Pending
                    {
                        hs.status = match e.cause.kind {
                            CauseKind::HoldDeadline => HoldStatus::Expired,
                            CauseKind::HoldCommit => HoldStatus::Committed,
                            _ => HoldStatus::Voided,
                        };
                    }
                }
                self.lot_free(e.lot, p, false);
            }
            EntryKind::Repay => {
                self.lot_free(e.lot, p, false);
                self.debt = self.debt.saturating_add(p);
            }
            EntryKind::Expire => {
                if let Some(lot) = e.lot {
                    let recorded = self.expiry_recorded.entry(lot).or_default();
                    *recorded = recorded.saturating_sub(p);
                }
            }
        }
    }

    fn lot_free(&mut self, lot: Option<i64>, delta: i64, creates: bool) {
        if let Some(state) = lot.and_then(|id| self.lots.get_mut(&id)) {
            state.free = state.free.saturating_add(delta);
            state.created |= creates;
        }
    }

    /// Changes a hold's part of a lot by `delta`.
    fn hold_part(&mut self, hold: &str, lot: Option<i64>, delta: i64) {
        if let (Some(h), Some(lot)) = (self.holds.get_mut(hold), lot) {
            let part = h.parts.entry(lot).or_default();
            *part = part.saturating_add(delta);
            if *part <= 0 {
                h.parts.remove(&lot);
            }
        }
    }

    /// A hold's parts, soonest-expiring lot first.
    pub(crate) fn hold_parts_by_expiry(&self, id: &str) -> Vec<(i64, i64)> {
        let Some(h) = self.holds.get(id) else {
            return Vec::new();
        };
        let mut parts: Vec<(i64, i64)> = h.parts.iter().map(|(l, p)| (*l, *p)).collect();
        parts.sort_by_key(|(lot, _)| self.lots.get(lot).map(|s| s.lot.spend_order()));
        parts
    }

    pub(crate) fn entry(&mut self, kind: EntryKind, points: i64, cause: &Cause) -> Entry {
        let seq = self.next_seq;
        self.next_seq += 1;
        Entry {
            seq,
            kind,
            points,
            lot: None,
            hold: None,
            order_id: None,
            cause: cause.clone(),
            reason: None,
            effective_at: self.now,
        }
    }

    /// Plans the release of `parts` of a hold: each part goes back to its lot, and what goes
    /// back to a live lot repays debt first.
    pub(crate) fn plan_release(
        &mut self,
        hold: &str,
        parts: Vec<(i64, i64)>,
        cause: &Cause,
    ) -> Vec<Entry> {
        let mut out = Vec::new();
        let mut debt = self.debt;
        for (lot, points) in parts {
            let mut e = self.entry(EntryKind::Release, points, cause);
            e.lot = Some(lot);
            e.hold = Some(hold.to_owned());
            out.push(e);
            let live = self
                .lots
                .get(&lot)
                .is_some_and(|s| !s.lot.is_expired_at(self.now));
            if live && debt > 0 {
                let repay = debt.min(points);
                debt -= repay;
                let mut e = self.entry(EntryKind::Repay, -repay, cause);
                e.lot = Some(lot);
                out.push(e);
            }
        }
        out
    }

    /// The status of a hold at the book's instant.
    pub fn hold_status(&self, id: &str) -> Option<HoldStatus> {
        self.holds.get(id).map(|h| h.status)
    }

    /// A hold as it was placed.
    pub fn hold_record(&self, id: &str) -> Option<&HoldRecord> {
        self.holds.get(id).map(|h| &h.record)
    }

    /// Points a hold still reserves.
    pub fn hold_held(&self, id: &str) -> Option<i64> {
        self.holds.get(id).map(HoldState::held)
    }

    /// Points credited so far for an order (earned minus clawed back or written off).
    pub fn order_credited(&self, order_id: &str) -> i64 {
        self.credited.get(order_id).copied().unwrap_or(0)
    }

    /// The lots created so far, with the points left in each outside holds.
    pub fn lots(&self) -> impl Iterator<Item = (&Lot, i64)> {
        self.lots
            .values()
            .filter(|s| s.created)
            .map(|s| (&s.lot, s.free))
    }
}
