use super::book::Book;
use super::types::{Cause, CauseKind, Entry, EntryKind};

impl Book {
    /// Plans `expire` entries for the expired points no entry records yet. They change no
    /// figure (expiry follows from `expires_at`); they make the ledger say what happened.
    pub fn record_expiries(&mut self) -> Vec<Entry> {
        let now = self.now;
        // An expiry recorded for a lot that was already expired when it was earned (a back-dated
        // purchase) takes effect when the lot was created, not before it existed.
        let due: Vec<(i64, i64, crate::Timestamp)> = self
            .lots
            .values()
            .filter(|s| s.created && s.lot.is_expired_at(now))
            .filter_map(|s| {
                let recorded = self.expiry_recorded.get(&s.lot.id).copied().unwrap_or(0);
                let missing = s.free - recorded;
                let at = s.lot.expires_at?.max(s.lot.created_at);
                (missing > 0).then_some((s.lot.id, missing, at))
            })
            .collect();
        let mut out = Vec::new();
        for (lot, points, at) in due {
            let cause = Cause::new(CauseKind::Expiry, format!("lot-{lot}"));
            let mut e = self.entry(EntryKind::Expire, -points, &cause);
            e.lot = Some(lot);
            e.effective_at = at;
            out.push(e);
        }
        self.apply_all(&out);
        out
    }
}

impl Book {
    /// The next instant at which time alone implies an entry: a pending hold's deadline, or the
    /// expiry of points no `expire` entry records yet. `None` when nothing is due, ever.
    pub fn next_due(&self) -> Option<crate::Timestamp> {
        let deadlines = self
            .holds
            .values()
            .filter(|h| h.placed && h.status == super::types::HoldStatus::Pending)
            .map(|h| h.record.deadline);
        let expiries = self.lots.values().filter_map(|s| {
            let recorded = self.expiry_recorded.get(&s.lot.id).copied().unwrap_or(0);
            (s.created && s.free - recorded > 0)
                .then_some(s.lot.expires_at)
                .flatten()
        });
        deadlines.chain(expiries).min()
    }
}
