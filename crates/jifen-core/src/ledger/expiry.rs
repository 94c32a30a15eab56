use super::book::Book;
use super::types::{Cause, CauseKind, Entry, EntryKind};

impl Book {
    /// Plans `expire` entries for the expired points no entry records yet. They change no
    /// figure (expiry follows from `expires_at`); they make the ledger say what happened.
    pub fn record_expiries(&mut self) -> Vec<Entry> {
        let now = self.now;
        let due: Vec<(i64, i64, crate::Timestamp)> = self
            .lots
            .values()
            .filter(|s| s.created && s.lot.is_expired_at(now))
            .filter_map(|s| {
                let recorded = self.expiry_recorded.get(&s.lot.id).copied().unwrap_or(0);
                let missing = s.free - recorded;
                let at = s.lot.expires_at?;
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
