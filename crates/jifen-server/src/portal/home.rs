//! The home page: the member's points (available, on their way, expiring soon), the tier and
//! what is missing for the next one, and today's check-in. Every figure is read through the
//! services the API answers with (`balance_at`, `book_at`, `standing`).

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use jifen_core::tiers::Basis;

use super::auth::Visit;
use super::i18n::fill;
use super::{Chrome, Failure, html};
use crate::app::AppState;
use crate::console::i18n::Lang;
use crate::service::tiers::TierSettings;

/// Points on their way or expiring, on one day.
pub struct Dated {
    pub text: String,
}

/// The member's tier and the way to the next one.
pub struct TierView {
    pub name: String,
    /// 0 to 100.
    pub percent: i64,
    /// "再获得 80 淘气值即可升级超级会员", or "you are at the highest tier".
    pub next: String,
}

#[derive(Template)]
#[template(path = "portal/home.html")]
struct HomePage {
    chrome: Chrome,
    css: String,
    available: i64,
    pending: i64,
    pending_text: String,
    pending_days: Vec<Dated>,
    expiring: i64,
    expiring_text: String,
    expiring_days: Vec<Dated>,
    tier: Option<TierView>,
    today: super::checkin::Today,
    today_text: String,
    streak_text: String,
    check_in_href: String,
    offers: Vec<OfferView>,
}

/// One of the member's top offers, with the reason it is shown.
pub struct OfferView {
    pub href: String,
    pub title: String,
    pub reason: String,
}

/// The offers the home page shows.
const HOME_OFFERS: u32 = 3;

/// `GET /portal/{program}/`.
pub async fn page(State(state): State<AppState>, visit: Visit) -> Result<Response, Failure> {
    let now = state.clock.now();
    let program = &visit.program;
    let tz = crate::service::program_tz(program);
    let day = |t: jifen_core::Timestamp| t.with_timezone(&tz).format("%Y-%m-%d").to_string();
    let (_, book) =
        crate::service::ledger::book_at(&state, program, &visit.member.external_id, now, false)
            .await?;
    let balance = book.balance();

    // Pending lots, by the day they arrive.
    let mut arriving: Vec<(String, i64)> = Vec::new();
    let mut lots: Vec<_> = book
        .lots()
        .filter(|(lot, left)| *left > 0 && lot.is_pending_at(now))
        .map(|(lot, left)| (lot.available_at, left))
        .collect();
    lots.sort();
    for (at, points) in lots {
        let d = day(at);
        match arriving.last_mut() {
            Some((last, sum)) if *last == d => *sum = sum.saturating_add(points),
            _ => arriving.push((d, points)),
        }
    }
    let mut expiring = balance.expiring.clone();
    expiring.sort_by_key(|e| e.at);
    let expiring_total: i64 = expiring.iter().map(|e| e.points).sum();
    let dated = |key: &str, items: Vec<(String, i64)>| -> Vec<Dated> {
        items
            .into_iter()
            .map(|(date, points)| Dated {
                text: fill(
                    visit.t(key),
                    &[("date", &date), ("points", &points.to_string())],
                ),
            })
            .collect()
    };
    let tier = tier_view(&state, &visit, now).await?;
    let today = super::checkin::today(&state, &visit, now).await?;
    let chrome = visit.chrome("home", "");
    let offers = crate::service::offers::member_offers(
        &state,
        program,
        &visit.member.external_id,
        visit.lang.code(),
        HOME_OFFERS,
    )
    .await?
    .data
    .into_iter()
    .map(|o| OfferView {
        href: match o.kind.as_str() {
            "voucher" => format!("{}wallet/{}", chrome.base, crate::console::api::seg(&o.id)),
            _ => format!("{}rewards/{}", chrome.base, crate::console::api::seg(&o.id)),
        },
        title: o.title,
        reason: o.reason,
    })
    .collect();
    let page = HomePage {
        css: super::assets::css(),
        available: balance.available,
        pending: balance.pending,
        pending_text: fill(
            visit.t("home.pending"),
            &[("points", &balance.pending.to_string())],
        ),
        pending_days: dated("home.pending_on", arriving),
        expiring: expiring_total,
        expiring_text: fill(
            visit.t("home.expiring"),
            &[("points", &expiring_total.to_string())],
        ),
        expiring_days: dated(
            "home.expiring_on",
            expiring.iter().map(|e| (day(e.at), e.points)).collect(),
        ),
        tier,
        today_text: visit
            .t(if today.checked {
                "home.checked_in"
            } else {
                "home.not_checked_in"
            })
            .to_owned(),
        streak_text: fill(visit.t("home.streak"), &[("n", &today.streak.to_string())]),
        today,
        check_in_href: format!("{}check-in", chrome.base),
        offers,
        chrome,
    };
    Ok(html(&page))
}

/// Yuan from fen: `120`, or `120.50` when there are fen.
fn yuan(fen: i64) -> String {
    if fen % 100 == 0 {
        (fen / 100).to_string()
    } else {
        format!("{}.{:02}", fen / 100, (fen % 100).abs())
    }
}

/// The member's tier and what is missing for the next one, in the member's language, or `None`
/// when the program has no tiers.
async fn tier_view(
    state: &AppState,
    visit: &Visit,
    now: jifen_core::Timestamp,
) -> Result<Option<TierView>, Failure> {
    let Some(s) = crate::api::tiers::standing(state, &visit.program, &visit.member, now).await?
    else {
        return Ok(None);
    };
    let settings = TierSettings::read(state, &visit.program.id).await?;
    let Some(policy) = settings.policy.as_ref() else {
        return Ok(None);
    };
    let p = &s.progress;
    let name_of = |id: &str| {
        policy
            .tiers
            .iter()
            .find(|t| t.id == id)
            .map_or_else(|| id.to_owned(), |t| t.name.clone())
    };
    let next = match (&p.next_tier, p.missing) {
        (Some(tier), Some(missing)) if missing > 0 => next_text(
            visit.lang,
            &policy.basis,
            &settings,
            &name_of(tier),
            missing,
        ),
        (None, _) => visit.t("home.tier_top").to_owned(),
        // Qualified for the next tier already: it is granted at the next evaluation.
        (Some(_), _) => String::new(),
    };
    let percent = match p.next_threshold {
        Some(t) if t > 0 => (p.value.saturating_mul(100) / t).clamp(0, 100),
        _ => 100,
    };
    Ok(Some(TierView {
        name: s.tier.name.clone(),
        percent,
        next,
    }))
}

/// "再获得 80 淘气值即可升级超级会员" (a meter), "再消费 ¥120 升级金卡" (spend), or points.
fn next_text(
    lang: Lang,
    basis: &Basis,
    settings: &TierSettings,
    tier: &str,
    missing: i64,
) -> String {
    let t = |k| super::i18n::t(lang, k);
    match basis {
        Basis::Meter { meter } => {
            let title = settings
                .meters
                .specs
                .get(meter)
                .map(|m| m.title.clone())
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| meter.clone());
            fill(
                t("home.tier_meter"),
                &[
                    ("n", &missing.to_string()),
                    ("meter", &title),
                    ("tier", tier),
                ],
            )
        }
        Basis::Spend { .. } => fill(
            t("home.tier_spend"),
            &[("n", &yuan(missing)), ("tier", tier)],
        ),
        Basis::PointsEarned { .. } => fill(
            t("home.tier_points"),
            &[("n", &missing.to_string()), ("tier", tier)],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_way_to_the_next_tier_speaks_the_basis() {
        let settings = TierSettings::parse(
            Some(r#"{"taoqizhi": {"title": "淘气值"}}"#.into()),
            None,
            None,
        );
        let meter = Basis::Meter {
            meter: "taoqizhi".into(),
        };
        let window = jifen_core::tiers::Window::Lifetime;
        assert_eq!(
            next_text(Lang::Zh, &meter, &settings, "超级会员", 80),
            "再获得 80 淘气值即可升级超级会员"
        );
        assert_eq!(
            next_text(
                Lang::Zh,
                &Basis::Spend { window },
                &settings,
                "金卡",
                12_000
            ),
            "再消费 ¥120 升级金卡"
        );
        assert_eq!(
            next_text(
                Lang::En,
                &Basis::PointsEarned { window },
                &settings,
                "Gold",
                300
            ),
            "Earn 300 more points to reach Gold"
        );
        // A meter without a title is named by its id.
        let bare = Basis::Meter {
            meter: "score".into(),
        };
        assert_eq!(
            next_text(Lang::En, &bare, &settings, "Super", 5),
            "Earn 5 more score to reach Super"
        );
    }

    #[test]
    fn yuan_shows_fen_only_when_there_are_some() {
        assert_eq!(yuan(12_000), "120");
        assert_eq!(yuan(12_050), "120.50");
        assert_eq!(yuan(5), "0.05");
    }
}
