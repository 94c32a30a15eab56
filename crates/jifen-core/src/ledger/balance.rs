use chrono::Duration;
use serde::{Deserialize, Serialize};

use super::book::Book;
use super::types::HoldStatus;
use crate::Timestamp;

/// How far ahead `expiring` looks.
pub const EXPIRING_WINDOW_DAYS: i64 = 30;

/// Points that expire at one instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expiring {
    pub at: Timestamp,
    pub points: i64,
}

/// A member's figures at an instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    pub at: Timestamp,
    pub available: i64,
    pub pending: i64,
    pub held: i64,
    pub negative: i64,
    pub lifetime_earned: i64,
    pub lifetime_redeemed: i64,
    pub expired: i64,
    pub clawed_back: i64,
    pub written_off: i64,
    pub expiring: Vec<Expiring>,
}

impl Book {
    /// The figures at the book's instant. Each is a part of the lifetime earned, which every
    /// decision keeps within `i64` (see [`crate::limits`]); the sums saturate rather than wrap
    /// should a damaged history say otherwise.
    pub fn balance(&self) -> Balance {
        let at = self.now;
        let horizon = at + Duration::days(EXPIRING_WINDOW_DAYS);
        let (mut available, mut pending, mut expired) = (0i64, 0i64, 0i64);
        let mut expiring: Vec<Expiring> = Vec::new();
        for (lot, free) in self.lots() {
            if lot.is_expired_at(at) {
                expired = i64::saturating_add(expired, free);
                continue;
            }
            if lot.is_pending_at(at) {
                pending = i64::saturating_add(pending, free);
            } else {
                available = i64::saturating_add(available, free);
            }
            if let Some(exp) = lot.expires_at.filter(|e| *e <= horizon && free > 0) {
                match expiring.iter_mut().find(|x| x.at == exp) {
                    Some(x) => x.points = x.points.saturating_add(free),
                    None => expiring.push(Expiring {
                        at: exp,
                        points: free,
                    }),
                }
            }
        }
        expiring.sort_by_key(|x| x.at);
        let held = self
            .holds
            .values()
            .filter(|h| h.status == HoldStatus::Pending)
            .map(|h| h.held())
            .fold(0, i64::saturating_add);
        Balance {
            at,
            available,
            pending,
            held,
            negative: self.debt,
            lifetime_earned: self.earned,
            lifetime_redeemed: self.redeemed,
            expired,
            clawed_back: self.clawed_back,
            written_off: self.written_off,
            expiring,
        }
    }
}
