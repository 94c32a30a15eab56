//! The history page: the member's ledger in plain language, newest first, a page at a time
//! ("订单 T-1001 获得 268 积分", "兑换 奶茶券 -50 积分", "积分过期 -12"). Entries are read with
//! the service of `GET /v1/members/{id}/ledger` and told with the sentence the console chooses
//! ([`crate::ledger_words::phrase`]), in the portal's words; a redemption of a catalog item
//! names the item, points not yet available say when they arrive.

use std::collections::{BTreeMap, BTreeSet};

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use jifen_core::{Entry, Timestamp};
use jifen_store::StoredEntry;

use super::auth::Visit;
use super::i18n::fill;
use super::{Chrome, Failure, html};
use crate::app::AppState;
use crate::console::i18n::Lang;

/// Entries on one page.
pub const PAGE: u32 = 20;
/// The prefix of the cause of a catalog redemption's entries (`reward:<redemption id>`).
const REWARD_CAUSE: &str = "reward:";

/// One line of the history.
pub struct Line {
    /// Program time, `2026-06-01 10:00`.
    pub when: String,
    pub text: String,
    /// Signed: `+268`, `-50`.
    pub points: String,
    pub minus: bool,
    /// "（2026-06-08 到账）" for points not yet available.
    pub pending: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/history.html")]
struct HistoryPage {
    chrome: Chrome,
    css: String,
    lines: Vec<Line>,
    /// The older entries' page.
    more: Option<String>,
    /// The newest entries' page, shown on an older page.
    newest: Option<String>,
}

/// The query of a page: the cursor (`before`, the `seq` of the last entry shown).
#[derive(Deserialize)]
pub struct HistoryQuery {
    #[serde(default)]
    before: Option<String>,
}

/// `GET /portal/{program}/history[?before=<seq>]`.
pub async fn page(
    State(state): State<AppState>,
    visit: Visit,
    Query(q): Query<HistoryQuery>,
) -> Result<Response, Failure> {
    let before = match q.before.as_deref().filter(|b| !b.is_empty()) {
        None => None,
        Some(raw) => Some(
            raw.parse::<i64>()
                .ok()
                .filter(|b| *b > 0)
                .ok_or(Failure::NotFound)?,
        ),
    };
    let program = &visit.program;
    let external_id = &visit.member.external_id;
    let now = state.clock.now();
    let entries =
        crate::service::ledger::entries_page(&state, program, external_id, PAGE, before).await?;
    let (_, book) =
        crate::service::ledger::book_at(&state, program, external_id, now, false).await?;
    let arriving: BTreeMap<i64, Timestamp> = book
        .lots()
        .filter(|(lot, _)| lot.is_pending_at(now))
        .map(|(lot, _)| (lot.id, lot.available_at))
        .collect();
    let titles = reward_titles(&state, &visit, &entries).await?;
    let chrome = visit.chrome("history", "history");
    let tz = crate::service::program_tz(program);
    let lines = entries
        .iter()
        .map(|s| {
            let e = &s.entry;
            let title = reward_redemption(e).and_then(|id| titles.get(id));
            Line {
                when: e
                    .effective_at
                    .with_timezone(&tz)
                    .format("%Y-%m-%d %H:%M")
                    .to_string(),
                text: describe(visit.lang, e, title.map(String::as_str)),
                points: format!("{:+}", e.points),
                minus: e.points < 0,
                pending: e.lot.and_then(|lot| arriving.get(&lot)).map(|at| {
                    fill(
                        visit.t("history.pending"),
                        &[(
                            "date",
                            &at.with_timezone(&tz).format("%Y-%m-%d").to_string(),
                        )],
                    )
                }),
            }
        })
        .collect();
    let more = (entries.len() == PAGE as usize)
        .then(|| entries.last().map(|s| s.entry.seq))
        .flatten()
        .filter(|seq| *seq > 1)
        .map(|seq| format!("{}history?before={seq}", chrome.base));
    let page = HistoryPage {
        css: super::assets::css(),
        lines,
        more,
        newest: before.map(|_| format!("{}history", chrome.base)),
        chrome,
    };
    Ok(html(&page))
}

/// The redemption id of an entry written by a catalog redemption.
fn reward_redemption(e: &Entry) -> Option<&str> {
    e.cause.id.strip_prefix(REWARD_CAUSE)
}

/// The titles, in the member's language, of the catalog items the page's redemptions bought,
/// by redemption id.
async fn reward_titles(
    state: &AppState,
    visit: &Visit,
    entries: &[StoredEntry],
) -> Result<BTreeMap<String, String>, Failure> {
    let ids: BTreeSet<&str> = entries
        .iter()
        .filter_map(|s| reward_redemption(&s.entry))
        .collect();
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    let mut titles = BTreeMap::new();
    for id in ids {
        let Some(r) = state.store.redemption(&visit.program.id, id).await? else {
            continue;
        };
        // The redemption is the member's own: its entries are in their ledger.
        if r.member_id != visit.member.id {
            continue;
        }
        if let Some(row) = state.store.reward(&visit.program.id, &r.reward_id).await? {
            let spec = crate::service::catalog::spec(&row)?;
            titles.insert(id.to_owned(), spec.title_in(visit.lang.code()).to_owned());
        }
    }
    Ok(titles)
}

/// An entry in the member's words: the sentence of [`crate::ledger_words::phrase`], the item's
/// title for a catalog redemption, and the reason when there is one.
pub fn describe(lang: Lang, e: &Entry, reward: Option<&str>) -> String {
    let t = |k: &str| super::i18n::t(lang, k);
    let n = e.points.unsigned_abs().to_string();
    let order = e.order_id.clone().unwrap_or_default();
    let mut text = match reward {
        Some(title) if !title.is_empty() => {
            fill(t("history.redeem_reward"), &[("n", &n), ("title", title)])
        }
        _ => fill(
            t(&format!("history.{}", crate::ledger_words::phrase(e))),
            &[("n", &n), ("order", &order)],
        ),
    };
    if let Some(reason) = e.reason.as_deref().filter(|r| !r.trim().is_empty()) {
        text.push_str(&fill(t("history.reason"), &[("reason", reason)]));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use jifen_core::{Cause, CauseKind, EntryKind};

    fn entry(kind: EntryKind, points: i64, cause: CauseKind, cause_id: &str) -> Entry {
        Entry {
            seq: 1,
            kind,
            points,
            lot: None,
            hold: None,
            order_id: None,
            cause: Cause::new(cause, cause_id.to_owned()),
            reason: None,
            effective_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn entries_read_as_sentences_in_both_languages() {
        let mut earn = entry(EntryKind::Earn, 268, CauseKind::Event, "e-1");
        earn.order_id = Some("T-1001".into());
        assert_eq!(describe(Lang::Zh, &earn, None), "订单 T-1001 获得 268 积分");
        assert_eq!(
            describe(Lang::En, &earn, None),
            "Order T-1001 earned 268 points"
        );
        let clawback = entry(EntryKind::Clawback, -100, CauseKind::Event, "e-2");
        assert_eq!(describe(Lang::Zh, &clawback, None), "退款扣回 100 积分");
        let redeem = entry(EntryKind::Redeem, -50, CauseKind::Redemption, "reward:r-1");
        assert_eq!(reward_redemption(&redeem), Some("r-1"));
        assert_eq!(
            describe(Lang::Zh, &redeem, Some("奶茶券")),
            "兑换 奶茶券 -50 积分"
        );
        assert_eq!(
            describe(Lang::En, &redeem, Some("Milk tea")),
            "Redeemed Milk tea: -50 points"
        );
        assert_eq!(describe(Lang::Zh, &redeem, None), "兑换 -50 积分");
        let expire = entry(EntryKind::Expire, -12, CauseKind::Expiry, "x");
        assert_eq!(describe(Lang::Zh, &expire, None), "积分过期 -12");
        let mut adjust = entry(EntryKind::Adjust, 30, CauseKind::Adjustment, "a-1");
        adjust.reason = Some("补发活动积分".into());
        assert_eq!(
            describe(Lang::Zh, &adjust, None),
            "积分调整 +30（补发活动积分）"
        );
        assert_eq!(
            describe(Lang::En, &adjust, None),
            "Adjustment +30 points (补发活动积分)"
        );
    }

    #[test]
    fn every_phrase_has_its_text() {
        for lang in [Lang::Zh, Lang::En] {
            for p in crate::ledger_words::PHRASES {
                let key = format!("history.{p}");
                assert_ne!(super::super::i18n::t(lang, &key), key, "{key}");
            }
        }
    }
}
