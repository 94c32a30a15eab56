//! The rewards pages: the catalog as the member sees it — what they can redeem now, and for the
//! rest why not, in their language ("还差 120 积分", "金卡专享", "06-08 10:00 开放兑换", "已兑完",
//! "已达兑换上限") — an item's page with its confirmation form, and the redemption itself.
//!
//! Eligibility is the API's: the catalog comes from the service of
//! `GET /v1/members/{id}/rewards` ([`crate::service::catalog::member_catalog`]), and a
//! redemption goes through `POST /v1/members/{id}/reward-redemptions` ([`call`]) with the id the
//! item's page generated as its idempotency key, so a double tap redeems once. A refused
//! redemption writes nothing and shows the item's reasons as the catalog tells them now.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use jifen_core::Timestamp;
use jifen_core::rewards::catalog::{Lock, Period};

use super::auth::{Visit, call};
use super::i18n::fill;
use super::{Chrome, Failure, html};
use crate::app::AppState;
use crate::console::api::seg;
use crate::console::i18n::Lang;
use crate::service::catalog::{MemberRewardOut, member_catalog_and_points};

/// A catalog item on the member's pages.
pub struct Item {
    pub id: String,
    pub href: String,
    pub title: String,
    pub description: String,
    pub image: Option<String>,
    /// Points for this member.
    pub cost: i64,
    /// "50 积分".
    pub cost_text: String,
    /// "剩余 12 件", when stock is counted.
    pub left: Option<String>,
    pub redeemable: bool,
    /// Why not, in the member's words (empty when redeemable).
    pub reasons: Vec<String>,
}

#[derive(Template)]
#[template(path = "portal/rewards.html")]
struct RewardsPage {
    chrome: Chrome,
    css: String,
    available: i64,
    now: Vec<Item>,
    later: Vec<Item>,
}

#[derive(Template)]
#[template(path = "portal/reward.html")]
struct RewardPage {
    chrome: Chrome,
    css: String,
    item: Item,
    /// "可用积分 120".
    available_text: String,
    /// "兑换后剩余 70 积分".
    after: String,
    csrf: String,
    /// The idempotency id of the redemption, generated with the page.
    redemption_id: String,
    action: String,
    /// Why the redemption just asked for was refused.
    refused: Option<String>,
}

/// What a redemption did.
#[derive(Template)]
#[template(path = "portal/redeemed.html")]
struct RedeemedPage {
    chrome: Chrome,
    css: String,
    /// "已兑换 奶茶券".
    headline: String,
    /// "花费 50 积分，当前可用 70 积分".
    spent: String,
    /// Voucher codes issued (shown in the wallet).
    vouchers: Vec<String>,
    /// Partner codes issued.
    codes: Vec<String>,
    /// Whether a physical gift awaits shipping.
    requested: bool,
    wallet: Option<String>,
    rewards: String,
}

/// `GET /portal/{program}/rewards`: redeemable items first, then the others with their reasons.
pub async fn list(State(state): State<AppState>, visit: Visit) -> Result<Response, Failure> {
    let (items, available) = catalog(&state, &visit).await?;
    let (now, later): (Vec<Item>, Vec<Item>) = items.into_iter().partition(|i| i.redeemable);
    let page = RewardsPage {
        chrome: visit.chrome("rewards", "rewards"),
        css: super::assets::css(),
        available,
        now,
        later,
    };
    Ok(html(&page))
}

/// `GET /portal/{program}/rewards/{id}`: the item and, when it can be redeemed, the
/// confirmation form.
pub async fn item(
    State(state): State<AppState>,
    visit: Visit,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, Failure> {
    render_item(&state, &visit, &id, None).await
}

/// The confirmation form: its CSRF token (checked by the guard) and the redemption's id.
#[derive(Deserialize)]
pub struct RedeemForm {
    id: String,
}

/// `POST /portal/{program}/rewards/{id}`: redeems one unit through the API. The same id again
/// is the API's repeat: the first answer, nothing written twice. A refusal (not enough points,
/// out of stock, a limit) shows the item again with the reason.
pub async fn redeem(
    State(state): State<AppState>,
    visit: Visit,
    Path((_, reward_id)): Path<(String, String)>,
    Form(form): Form<RedeemForm>,
) -> Result<Response, Failure> {
    if !crate::parse::could_be_id(&form.id) {
        return Err(Failure::Api(crate::error::ApiError::invalid(
            "id",
            "the page's redemption id is missing or malformed: reload the page",
        )));
    }
    let path = format!(
        "/v1/members/{}/reward-redemptions",
        seg(&visit.member.external_id)
    );
    let answer = match call(
        &state,
        &visit,
        &path,
        json!({"id": form.id, "reward_id": reward_id}),
    )
    .await
    {
        Ok(answer) => answer,
        Err(Failure::Answer(f)) => {
            return match f.code.as_str() {
                "reward_not_found" => Err(Failure::NotFound),
                "insufficient_points" | "reward_unavailable" => {
                    let why = visit.t("rewards.refused").to_owned();
                    render_item(&state, &visit, &reward_id, Some(why)).await
                }
                _ => Err(Failure::Answer(f)),
            };
        }
        Err(other) => return Err(other),
    };
    let (items, available) = catalog(&state, &visit).await?;
    let title = items
        .iter()
        .find(|i| i.id == reward_id)
        .map_or_else(|| reward_id.clone(), |i| i.title.clone());
    let strings = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let vouchers = strings(&answer["issued"]["vouchers"]);
    let chrome = visit.chrome("rewards", "rewards");
    let page = RedeemedPage {
        headline: fill(visit.t("rewards.redeemed"), &[("title", &title)]),
        spent: fill(
            visit.t("rewards.spent"),
            &[
                (
                    "points",
                    &answer["points"].as_i64().unwrap_or(0).to_string(),
                ),
                ("available", &available.to_string()),
            ],
        ),
        codes: strings(&answer["issued"]["codes"]),
        requested: answer["status"] == "requested",
        wallet: super::has_tab("wallet").then(|| format!("{}wallet", chrome.base)),
        vouchers,
        rewards: format!("{}rewards", chrome.base),
        css: super::assets::css(),
        chrome,
    };
    Ok(html(&page))
}

async fn render_item(
    state: &AppState,
    visit: &Visit,
    id: &str,
    refused: Option<String>,
) -> Result<Response, Failure> {
    let (items, available) = catalog(state, visit).await?;
    let item = items
        .into_iter()
        .find(|i| i.id == id)
        .ok_or(Failure::NotFound)?;
    let chrome = visit.chrome("rewards", "rewards");
    let page = RewardPage {
        after: fill(
            visit.t("rewards.after"),
            &[("points", &(available - item.cost).to_string())],
        ),
        action: item.href.clone(),
        item,
        available_text: fill(
            visit.t("rewards.available"),
            &[("points", &available.to_string())],
        ),
        csrf: visit.csrf.clone(),
        redemption_id: format!("portal-{}", uuid::Uuid::now_v7()),
        refused,
        css: super::assets::css(),
        chrome,
    };
    Ok(html(&page))
}

/// The catalog as the member sees it now (items that closed for good are left out), and their
/// available points.
async fn catalog(state: &AppState, visit: &Visit) -> Result<(Vec<Item>, i64), Failure> {
    let program = &visit.program;
    let external_id = &visit.member.external_id;
    let (rewards, available) =
        member_catalog_and_points(state, program, external_id, visit.lang.code()).await?;
    let tz = crate::service::program_tz(program);
    let base = super::auth::base(&program.id);
    let items = rewards
        .into_iter()
        .filter(|r| {
            !r.availability
                .locks
                .iter()
                .any(|l| matches!(l, Lock::Closed { .. }))
        })
        .map(|r| item_of(visit.lang, tz, &base, r))
        .collect();
    Ok((items, available))
}

fn item_of(lang: Lang, tz: chrono_tz::Tz, base: &str, r: MemberRewardOut) -> Item {
    let a = &r.availability;
    Item {
        href: format!("{base}rewards/{}", seg(&r.id)),
        left: r.left.map(|n| {
            fill(
                super::i18n::t(lang, "rewards.left"),
                &[("n", &n.max(0).to_string())],
            )
        }),
        cost: a.cost,
        cost_text: fill(
            super::i18n::t(lang, "rewards.cost"),
            &[("points", &a.cost.to_string())],
        ),
        redeemable: a.redeemable,
        reasons: a.locks.iter().map(|l| lock_text(lang, tz, l)).collect(),
        image: r.images.into_iter().next(),
        id: r.id,
        title: r.title,
        description: r.description,
    }
}

/// Why a member cannot redeem an item, in their language.
pub fn lock_text(lang: Lang, tz: chrono_tz::Tz, lock: &Lock) -> String {
    let t = |k: &str| super::i18n::t(lang, k);
    let when = |at: &Timestamp| at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string();
    let either = |items: &[String]| items.join(t("rewards.or"));
    match lock {
        Lock::Paused => t("rewards.paused").to_owned(),
        Lock::OpensLater { opens_at, .. } => {
            fill(t("rewards.opens_later"), &[("at", &when(opens_at))])
        }
        Lock::Closed { .. } => t("rewards.closed").to_owned(),
        Lock::NeedsTier { tiers } => fill(t("rewards.needs_tier"), &[("tiers", &either(tiers))]),
        Lock::NeedsTag { .. } | Lock::NotEligible => t("rewards.not_eligible").to_owned(),
        Lock::SoldOut { .. } => t("rewards.sold_out").to_owned(),
        Lock::LimitReached { limit, period } => {
            let n = limit.to_string();
            match period {
                None => fill(t("rewards.limit"), &[("n", &n)]),
                Some(p) => fill(
                    t("rewards.limit_per"),
                    &[("n", &n), ("period", t(period_key(*p)))],
                ),
            }
        }
        Lock::TooMany { max } => fill(t("rewards.too_many"), &[("n", &max.to_string())]),
        Lock::InsufficientPoints { short_by, .. } => {
            fill(t("rewards.short"), &[("n", &short_by.to_string())])
        }
    }
}

fn period_key(p: Period) -> &'static str {
    match p {
        Period::Day => "rewards.per_day",
        Period::Week => "rewards.per_week",
        Period::Month => "rewards.per_month",
        Period::Year => "rewards.per_year",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lock_reads_in_both_languages() {
        let tz = chrono_tz::Asia::Shanghai;
        let at: Timestamp = "2026-06-08T02:00:00Z".parse().expect("instant");
        let zh = |l: Lock| lock_text(Lang::Zh, tz, &l);
        let en = |l: Lock| lock_text(Lang::En, tz, &l);
        let short = Lock::InsufficientPoints {
            cost: 200,
            available: 80,
            short_by: 120,
        };
        assert_eq!(zh(short.clone()), "还差 120 积分");
        assert_eq!(en(short), "120 more points needed");
        let tiers = Lock::NeedsTier {
            tiers: vec!["金卡".into(), "白金卡".into()],
        };
        assert_eq!(zh(tiers), "金卡或白金卡会员专享");
        let opens = Lock::OpensLater {
            opens_at: at,
            in_seconds: 3_600,
        };
        assert_eq!(zh(opens.clone()), "2026-06-08 10:00 开放兑换");
        assert_eq!(en(opens), "Opens on 2026-06-08 10:00");
        assert_eq!(zh(Lock::SoldOut { stock_left: 0 }), "已兑完");
        assert_eq!(en(Lock::SoldOut { stock_left: 0 }), "Out of stock");
        let month = Lock::LimitReached {
            limit: 1,
            period: Some(Period::Month),
        };
        assert_eq!(zh(month.clone()), "每月限兑 1 次，已达上限");
        assert_eq!(en(month), "Limit of 1 a month reached");
        let ever = Lock::LimitReached {
            limit: 2,
            period: None,
        };
        assert_eq!(zh(ever), "限兑 2 次，已达上限");
        assert_eq!(zh(Lock::NotEligible), "您暂不符合兑换条件");
        assert_eq!(zh(Lock::Paused), "暂停兑换");
    }
}
