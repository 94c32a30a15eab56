//! Operations on a book. Each plans entries from the state at the book's instant, applies them
//! and returns them; an operation that fails changes nothing.

use std::collections::BTreeMap;

use super::book::{Book, HoldState, LotState};
use super::types::{Cause, Entry, EntryKind, HoldRecord, HoldStatus, LedgerError, Lot, NewLot};
use crate::limits;
use crate::policy::NegativeBalance;

/// Which lots an operation may take points from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pool {
    Available,
    Pending,
}

impl Book {
    /// Whether `points` more can be credited to the member (their lifetime earned, and with it
    /// every figure a credit feeds, stays within `i64`).
    pub fn check_credit(&self, points: i64) -> Result<(), LedgerError> {
        limits::add("lifetime_earned", self.earned, points.max(0))?;
        Ok(())
    }

    /// [`Book::earn`], refused with [`LedgerError::FigureOverflow`] (and nothing planned) when
    /// the member's lifetime earned would leave `i64`.
    pub fn try_earn(
        &mut self,
        new: NewLot,
        kind: EntryKind,
        cause: &Cause,
    ) -> Result<Vec<Entry>, LedgerError> {
        self.check_credit(new.points)?;
        Ok(self.earn(new, kind, cause))
    }

    /// [`Book::clawback`], refused with [`LedgerError::FigureOverflow`] (and nothing planned)
    /// when the member's debt or clawed-back total could leave `i64`.
    pub fn try_clawback(
        &mut self,
        order_id: &str,
        points: i64,
        negative: NegativeBalance,
        cause: &Cause,
    ) -> Result<Vec<Entry>, LedgerError> {
        self.check_clawback(points)?;
        Ok(self.clawback(order_id, points, negative, cause))
    }

    /// Whether `points` can be clawed back: what a clawback cannot take becomes debt or is
    /// written off, and both (with the clawed-back total) must stay within `i64`.
    pub fn check_clawback(&self, points: i64) -> Result<(), LedgerError> {
        let bound = points.max(0);
        limits::add("negative", self.debt, bound)?;
        limits::add("clawed_back", self.clawed_back, bound)?;
        limits::add("written_off", self.written_off, bound)?;
        Ok(())
    }

    /// Creates a lot. While the member is in debt, as much of the lot as the debt is used to
    /// repay it at once (unless the lot is already expired). Decisions that cannot show the
    /// lot fits call [`Book::try_earn`].
    pub fn earn(&mut self, new: NewLot, kind: EntryKind, cause: &Cause) -> Vec<Entry> {
        debug_assert!(matches!(kind, EntryKind::Earn | EntryKind::Adjust));
        if new.points <= 0 {
            return Vec::new();
        }
        let lot = Lot {
            id: self.next_lot,
            amount: new.points,
            available_at: new.available_at,
            expires_at: new.expires_at,
            order_id: new.order_id.clone(),
            created_at: self.now,
        };
        self.next_lot += 1;
        self.lots.insert(
            lot.id,
            LotState {
                lot: lot.clone(),
                free: 0,
                created: false,
            },
        );
        let mut out = Vec::new();
        let mut e = self.entry(kind, new.points, cause);
        e.lot = Some(lot.id);
        e.order_id = new.order_id;
        out.push(e);
        if self.debt > 0 && !lot.is_expired_at(self.now) {
            let mut e = self.entry(EntryKind::Repay, -self.debt.min(new.points), cause);
            e.lot = Some(lot.id);
            out.push(e);
        }
        self.new_lots.push(lot);
        self.apply_all(&out);
        out
    }

    /// Claws back `points` credited for `order_id`: first from the order's own lot, then from
    /// other available lots, then from other pending lots; what is missing becomes debt or is
    /// written off, as the policy says.
    pub fn clawback(
        &mut self,
        order_id: &str,
        points: i64,
        negative: NegativeBalance,
        cause: &Cause,
    ) -> Vec<Entry> {
        if points <= 0 {
            return Vec::new();
        }
        let now = self.now;
        let own: Vec<(i64, i64)> = self
            .lots
            .values()
            .filter(|s| s.created && s.free > 0 && s.lot.order_id.as_deref() == Some(order_id))
            .filter(|s| !s.lot.is_expired_at(now))
            .map(|s| (s.lot.id, s.free))
            .collect();
        let own_ids: Vec<i64> = own.iter().map(|(id, _)| *id).collect();
        let mut sources = own;
        for pool in [Pool::Available, Pool::Pending] {
            sources.extend(
                self.spendable(pool)
                    .into_iter()
                    .filter(|(id, _)| !own_ids.contains(id)),
            );
        }
        let (mut out, missing) = self.take(EntryKind::Clawback, points, sources, cause);
        if missing > 0 {
            let kind = match negative {
                NegativeBalance::Allow => EntryKind::Clawback,
                NegativeBalance::Forbid => EntryKind::WriteOff,
            };
            out.push(self.entry(kind, -missing, cause));
        }
        for e in &mut out {
            e.order_id = Some(order_id.to_owned());
        }
        self.apply_all(&out);
        out
    }

    /// Spends available points, soonest expiry first.
    pub fn redeem(&mut self, points: i64, cause: &Cause) -> Result<Vec<Entry>, LedgerError> {
        self.require_available(points)?;
        limits::add("lifetime_redeemed", self.redeemed, points)?;
        let sources = self.spendable(Pool::Available);
        let (out, _) = self.take(EntryKind::Redeem, points, sources, cause);
        self.apply_all(&out);
        Ok(out)
    }

    /// An operator's negative adjustment: takes available points, then pending ones; what they
    /// do not cover becomes debt when the policy allows, else nothing happens.
    pub fn adjust_down(
        &mut self,
        points: i64,
        negative: NegativeBalance,
        cause: &Cause,
    ) -> Result<Vec<Entry>, LedgerError> {
        if points <= 0 {
            return Err(LedgerError::NonPositivePoints);
        }
        let mut sources = self.spendable(Pool::Available);
        sources.extend(self.spendable(Pool::Pending));
        let covered = limits::sum("available", sources.iter().map(|(_, p)| *p))?;
        if covered < points && negative == NegativeBalance::Allow {
            limits::add("negative", self.debt, points - covered)?;
        }
        if covered < points && negative == NegativeBalance::Forbid {
            return Err(LedgerError::InsufficientPoints {
                available: covered,
                requested: points,
            });
        }
        let (mut out, missing) = self.take(EntryKind::Adjust, points, sources, cause);
        if missing > 0 {
            out.push(self.entry(EntryKind::Adjust, -missing, cause));
        }
        self.apply_all(&out);
        Ok(out)
    }

    /// Reserves available points for a checkout until `record.deadline`, which must be after
    /// the book's instant.
    pub fn place_hold(
        &mut self,
        record: HoldRecord,
        cause: &Cause,
    ) -> Result<Vec<Entry>, LedgerError> {
        if self.holds.contains_key(&record.id) {
            return Err(LedgerError::HoldExists(record.id));
        }
        // A hold whose deadline is not after now is expired as of now: replay would apply its
        // release before its placement, and disagree with this book.
        if record.deadline <= self.now {
            return Err(LedgerError::HoldNotPending {
                id: record.id,
                status: HoldStatus::Expired,
            });
        }
        self.require_available(record.points)?;
        let sources = self.spendable(Pool::Available);
        self.holds.insert(
            record.id.clone(),
            HoldState {
                record: record.clone(),
                parts: BTreeMap::new(),
                placed: false,
                status: HoldStatus::Pending,
            },
        );
        let (mut out, _) = self.take(EntryKind::Hold, record.points, sources, cause);
        for e in &mut out {
            e.hold = Some(record.id.clone());
        }
        self.new_holds.push(record);
        self.apply_all(&out);
        Ok(out)
    }

    /// Turns a pending hold into a redemption of `points` (all of it when `None`); the rest is
    /// released.
    pub fn commit_hold(
        &mut self,
        id: &str,
        points: Option<i64>,
        cause: &Cause,
    ) -> Result<Vec<Entry>, LedgerError> {
        let held = self.pending_hold(id)?;
        let points = points.unwrap_or(held);
        if points <= 0 {
            return Err(LedgerError::NonPositivePoints);
        }
        if points > held {
            return Err(LedgerError::CommitExceedsHold {
                id: id.to_owned(),
                held,
                requested: points,
            });
        }
        let mut left = points;
        let mut out = Vec::new();
        let mut rest = Vec::new();
        for (lot, part) in self.hold_parts_by_expiry(id) {
            let take = left.min(part);
            if take > 0 {
                let mut e = self.entry(EntryKind::Redeem, -take, cause);
                e.lot = Some(lot);
                e.hold = Some(id.to_owned());
                out.push(e);
                left -= take;
            }
            if part > take {
                rest.push((lot, part - take));
            }
        }
        out.extend(self.plan_release(id, rest, cause));
        self.apply_all(&out);
        Ok(out)
    }

    /// Releases a pending hold.
    pub fn void_hold(&mut self, id: &str, cause: &Cause) -> Result<Vec<Entry>, LedgerError> {
        self.pending_hold(id)?;
        let parts = self.hold_parts_by_expiry(id);
        let out = self.plan_release(id, parts, cause);
        self.apply_all(&out);
        if let Some(h) = self.holds.get_mut(id) {
            h.status = HoldStatus::Voided;
        }
        Ok(out)
    }

    /// Lots and holds created by decisions since the book was rebuilt.
    pub fn take_new_records(&mut self) -> (Vec<Lot>, Vec<HoldRecord>) {
        (
            std::mem::take(&mut self.new_lots),
            std::mem::take(&mut self.new_holds),
        )
    }

    fn pending_hold(&self, id: &str) -> Result<i64, LedgerError> {
        let h = self
            .holds
            .get(id)
            .ok_or_else(|| LedgerError::HoldNotFound(id.to_owned()))?;
        if h.status != HoldStatus::Pending {
            return Err(LedgerError::HoldNotPending {
                id: id.to_owned(),
                status: h.status,
            });
        }
        Ok(h.held())
    }

    fn require_available(&self, points: i64) -> Result<(), LedgerError> {
        if points <= 0 {
            return Err(LedgerError::NonPositivePoints);
        }
        let available = limits::sum(
            "available",
            self.spendable(Pool::Available).iter().map(|(_, p)| *p),
        )?;
        if self.debt > 0 || available < points {
            return Err(LedgerError::InsufficientPoints {
                available: if self.debt > 0 { 0 } else { available },
                requested: points,
            });
        }
        Ok(())
    }

    /// Lots of a pool with free points, in spending order: (lot id, free points).
    fn spendable(&self, pool: Pool) -> Vec<(i64, i64)> {
        let now = self.now;
        let mut lots: Vec<&LotState> = self
            .lots
            .values()
            .filter(|s| s.created && s.free > 0)
            .filter(|s| match pool {
                Pool::Available => s.lot.is_available_at(now),
                Pool::Pending => s.lot.is_pending_at(now),
            })
            .collect();
        lots.sort_by_key(|s| s.lot.spend_order());
        lots.iter().map(|s| (s.lot.id, s.free)).collect()
    }

    /// Plans entries of `kind` taking up to `points` from `sources` in order. Returns the entries
    /// and how many points the sources could not cover.
    fn take(
        &mut self,
        kind: EntryKind,
        points: i64,
        sources: Vec<(i64, i64)>,
        cause: &Cause,
    ) -> (Vec<Entry>, i64) {
        let mut left = points;
        let mut out = Vec::new();
        for (lot, free) in sources {
            if left == 0 {
                break;
            }
            let n = left.min(free);
            let mut e = self.entry(kind, -n, cause);
            e.lot = Some(lot);
            out.push(e);
            left -= n;
        }
        (out, left)
    }
}
