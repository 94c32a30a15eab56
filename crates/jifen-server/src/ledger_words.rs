//! Which sentence tells a ledger entry in plain language ("订单 T-1001 获得 268 积分", "退款扣回
//! 100 积分"): one choice shared by the console's member page and the portal's history, each
//! with its own texts for the same sentences (`members.entry_<phrase>`, `history.<phrase>`).

use jifen_core::{CauseKind, Entry, EntryKind};

/// The sentence of an entry: `earn_order`, `clawback`, `expire`… The texts fill `{n}` (the
/// points, without sign), `{order}`, `{hold}` and `{cause}` from the entry.
pub fn phrase(e: &Entry) -> &'static str {
    let has = |s: &Option<String>| s.as_deref().is_some_and(|s| !s.is_empty());
    match e.kind {
        EntryKind::Earn
            if e.cause.kind == CauseKind::Benefit && e.cause.id.starts_with("badge:") =>
        {
            "badge"
        }
        EntryKind::Earn if e.cause.kind == CauseKind::Benefit => "benefit",
        EntryKind::Earn if has(&e.order_id) => "earn_order",
        EntryKind::Earn => "earn",
        EntryKind::Clawback if has(&e.order_id) => "clawback_order",
        EntryKind::Clawback => "clawback",
        EntryKind::Redeem if has(&e.hold) => "redeem_hold",
        EntryKind::Redeem => "redeem",
        EntryKind::Adjust if e.points >= 0 => "adjust_up",
        EntryKind::Adjust => "adjust_down",
        EntryKind::Hold => "hold",
        EntryKind::Release => "release",
        EntryKind::Expire => "expire",
        EntryKind::WriteOff => "write_off",
        EntryKind::Repay => "repay",
    }
}

/// Every phrase [`phrase`] answers, for the tests of each table of texts.
pub const PHRASES: &[&str] = &[
    "badge",
    "benefit",
    "earn_order",
    "earn",
    "clawback_order",
    "clawback",
    "redeem_hold",
    "redeem",
    "adjust_up",
    "adjust_down",
    "hold",
    "release",
    "expire",
    "write_off",
    "repay",
];
