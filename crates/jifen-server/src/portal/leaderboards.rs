//! The member's leaderboards (排行榜): the program's boards with the member's rank on each
//! (`/portal/{program}/leaderboards`), and a board's page (`/portal/{program}/leaderboards/{id}`)
//! with the top 10, the member's own rank and score, two members above and below, and what it
//! takes to reach the next round rank ("再得 56 分即可进入前 100"). A settled contest's standings
//! are shown as final, with the prize the member won.
//!
//! Everything is read with the services of `GET /v1/leaderboards/{id}/standings` and
//! `GET /v1/leaderboards/{id}/members/{external_id}`. Other members are shown masked (the last
//! characters of their id behind `***`): never another member's name, phone or full id.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;

use jifen_core::leaderboards::{Metric, Prize};

use super::auth::Visit;
use super::i18n::fill;
use super::{Chrome, Failure, html};
use crate::api::leaderboards::{
    MemberPlaceOut, MemberPlaceQuery, PlaceOut, StandingsQuery, place_of, standings_of,
};
use crate::app::AppState;
use crate::console::i18n::Lang;
use crate::service::leaderboards::{Board, board, boards};

/// The round ranks a member is shown the way to: the nearest one above their rank.
const ROUND_RANKS: [u64; 4] = [10_000, 1_000, 100, 10];

/// Another member as the page shows them: `***` and at most the last 4 characters of their id
/// (never more than half of it).
pub fn masked(external_id: &str) -> String {
    let chars: Vec<char> = external_id.chars().collect();
    let keep = (chars.len() / 2).min(4);
    let tail: String = chars[chars.len() - keep..].iter().collect();
    format!("***{tail}")
}

/// The rank to aim at from `position` (the member's rank, or where they would enter): the
/// nearest of 10, 100, 1000, 10000 above it; the top when they are in the top 10; none at
/// the top.
pub fn next_target(position: u64) -> Option<u64> {
    ROUND_RANKS
        .iter()
        .copied()
        .find(|r| *r < position)
        .or((position > 1).then_some(1))
}

/// A score in the board's unit: yuan for spend, a count of events, points (or a meter's).
fn score_text(lang: Lang, metric: &Metric, n: i64) -> String {
    let t = |k| super::i18n::t(lang, k);
    match metric {
        Metric::Spend => fill(
            t("leaderboards.unit.spend"),
            &[(
                "n",
                &format!(
                    "{}{}.{:02}",
                    if n < 0 { "-" } else { "" },
                    n.unsigned_abs() / 100,
                    n.unsigned_abs() % 100
                ),
            )],
        ),
        Metric::Points | Metric::Meter { .. } => {
            fill(t("leaderboards.unit.points"), &[("n", &n.to_string())])
        }
        Metric::Events { .. } => fill(t("leaderboards.unit.events"), &[("n", &n.to_string())]),
    }
}

/// One line of standings.
pub struct Line {
    pub rank: u64,
    pub who: String,
    pub score: String,
    pub me: bool,
}

fn line(lang: Lang, metric: &Metric, me: &str, p: &PlaceOut) -> Line {
    let mine = p.member == me;
    Line {
        rank: p.rank,
        who: if mine {
            super::i18n::t(lang, "leaderboards.me").to_owned()
        } else {
            masked(&p.member)
        },
        score: score_text(lang, metric, p.score),
        me: mine,
    }
}

/// A board in the list.
pub struct BoardItem {
    pub id: String,
    pub name: String,
    pub description: String,
    pub href: String,
    /// "第 3 名 · 300 分", or "未上榜".
    pub mine: String,
    pub is_final: bool,
}

#[derive(Template)]
#[template(path = "portal/leaderboards.html")]
struct ListPage {
    chrome: Chrome,
    css: String,
    boards: Vec<BoardItem>,
}

fn mine_text(lang: Lang, metric: &Metric, place: &MemberPlaceOut) -> String {
    let t = |k| super::i18n::t(lang, k);
    match place.rank {
        Some(rank) => fill(
            t("leaderboards.rank_score"),
            &[
                ("rank", &rank.to_string()),
                ("score", &score_text(lang, metric, place.score)),
            ],
        ),
        None => t("leaderboards.unranked").to_owned(),
    }
}

/// `GET /portal/{program}/leaderboards`: the program's boards, the member's rank on each.
pub async fn list(State(state): State<AppState>, visit: Visit) -> Result<Response, Failure> {
    let program = &visit.program;
    let mut items = Vec::new();
    for b in boards(&state, &program.id).await? {
        let place = place_of(
            &state,
            program,
            b.id.clone(),
            visit.member.external_id.clone(),
            MemberPlaceQuery {
                neighbours: Some(0),
                ..MemberPlaceQuery::default()
            },
        )
        .await?;
        items.push(BoardItem {
            href: format!("{}leaderboards/{}", super::auth::base(&program.id), b.id),
            mine: mine_text(visit.lang, &b.spec.metric, &place),
            is_final: place.is_final,
            id: b.id,
            name: b.spec.name,
            description: b.spec.description,
        });
    }
    Ok(html(&ListPage {
        chrome: visit.chrome("home", "leaderboards"),
        css: super::assets::css(),
        boards: items,
    }))
}

#[derive(Template)]
#[template(path = "portal/leaderboard.html")]
struct BoardPage {
    chrome: Chrome,
    css: String,
    name: String,
    description: String,
    period: String,
    is_final: bool,
    ranked: u64,
    top: Vec<Line>,
    /// "第 3 名 · 300 分" or "未上榜".
    mine: String,
    /// Two above, the member, two below (empty when unranked).
    around: Vec<Line>,
    /// "再得 56 分即可进入前 100".
    gap: Option<String>,
    /// "您获得：1000 积分" for a settled contest the member won a prize in.
    prize: Option<String>,
    /// The last settled contest's standings, when the page shows a live period.
    last_final: Option<(String, String)>,
}

/// `?period=` shows another period of the board (a settled contest's, say).
#[derive(Debug, Default, Deserialize)]
pub struct BoardQuery {
    #[serde(default)]
    period: Option<String>,
}

async fn prize_text(state: &AppState, visit: &Visit, prize: &Prize) -> Result<String, Failure> {
    let lang = visit.lang;
    let t = |k| super::i18n::t(lang, k);
    let mut parts = Vec::new();
    if let Some(n) = prize.points {
        parts.push(fill(
            t("leaderboards.prize_points"),
            &[("n", &n.to_string())],
        ));
    }
    if let Some(v) = &prize.voucher {
        let title = state
            .store
            .voucher_template(&visit.program.id, v)
            .await?
            .and_then(|d| serde_json::from_str::<serde_json::Value>(&d.body).ok())
            .and_then(|d| {
                let title = &d["title"];
                title[lang.code()]
                    .as_str()
                    .or_else(|| title["zh-CN"].as_str())
                    .or_else(|| title.as_str())
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| v.clone());
        parts.push(fill(t("leaderboards.prize_voucher"), &[("title", &title)]));
    }
    if let Some(id) = &prize.badge {
        let name = state
            .store
            .badge(&visit.program.id, id)
            .await?
            .and_then(|row| crate::service::badges::compiled(&row).ok())
            .map_or_else(|| id.clone(), |b| b.spec.name.clone());
        parts.push(fill(t("leaderboards.prize_badge"), &[("badge", &name)]));
    }
    Ok(fill(
        t("leaderboards.prize"),
        &[("prize", &parts.join(t("leaderboards.and")))],
    ))
}

fn gap_text(lang: Lang, b: &Board, target: u64, gap: i64) -> String {
    let key = match (&b.spec.metric, target) {
        (Metric::Spend, 1) => "leaderboards.gap_spend_top",
        (Metric::Spend, _) => "leaderboards.gap_spend",
        (_, 1) => "leaderboards.gap_top",
        _ => "leaderboards.gap",
    };
    fill(
        super::i18n::t(lang, key),
        &[
            ("gap", &score_text(lang, &b.spec.metric, gap)),
            ("rank", &target.to_string()),
        ],
    )
}

/// `GET /portal/{program}/leaderboards/{id}[?period=]`: the top 10, the member's rank with
/// their neighbours, and the way to the next round rank.
pub async fn page(
    State(state): State<AppState>,
    visit: Visit,
    Path((_, id)): Path<(String, String)>,
    Query(q): Query<BoardQuery>,
) -> Result<Response, Failure> {
    let program = &visit.program;
    let lang = visit.lang;
    let b = board(&state, &program.id, &id).await?;
    let me = visit.member.external_id.clone();
    let top = standings_of(
        &state,
        program,
        id.clone(),
        StandingsQuery {
            period: q.period.clone(),
            from: Some(1),
            limit: Some(10),
        },
    )
    .await?;
    // Where the member stands, and so which round rank to show the way to.
    let place = place_of(
        &state,
        program,
        id.clone(),
        me.clone(),
        MemberPlaceQuery {
            period: Some(top.period.clone()),
            neighbours: Some(2),
            target: None,
        },
    )
    .await?;
    let position = place.rank.unwrap_or(place.ranked + 1);
    let gap = match next_target(position) {
        Some(target) if !place.is_final => {
            let aimed = place_of(
                &state,
                program,
                id.clone(),
                me.clone(),
                MemberPlaceQuery {
                    period: Some(top.period.clone()),
                    neighbours: Some(0),
                    target: Some(target),
                },
            )
            .await?;
            aimed
                .target
                .filter(|t| t.gap > 0)
                .map(|t| gap_text(lang, &b, t.rank, t.gap))
        }
        _ => None,
    };
    let prize = match place.rank.filter(|_| place.is_final) {
        Some(rank) => match b.spec.prize_of(rank) {
            Some(p) => Some(prize_text(&state, &visit, p).await?),
            None => None,
        },
        None => None,
    };
    let metric = &b.spec.metric;
    let around = match place.rank {
        Some(rank) => place
            .above
            .iter()
            .map(|p| line(lang, metric, &me, p))
            .chain(std::iter::once(Line {
                rank,
                who: visit.t("leaderboards.me").to_owned(),
                score: score_text(lang, metric, place.score),
                me: true,
            }))
            .chain(place.below.iter().map(|p| line(lang, metric, &me, p)))
            .collect(),
        None => Vec::new(),
    };
    let last_final = if top.is_final {
        None
    } else {
        state
            .store
            .contests(&program.id, &id)
            .await?
            .into_iter()
            .next()
            .map(|c| {
                (
                    format!(
                        "{}leaderboards/{}?period={}",
                        super::auth::base(&program.id),
                        crate::console::api::seg(&id),
                        crate::console::api::seg(&c.period)
                    ),
                    c.period,
                )
            })
    };
    Ok(html(&BoardPage {
        chrome: visit.chrome("home", "leaderboards"),
        css: super::assets::css(),
        name: b.spec.name.clone(),
        description: b.spec.description.clone(),
        period: top.period.clone(),
        is_final: top.is_final,
        ranked: top.ranked,
        top: top
            .data
            .iter()
            .map(|p| line(lang, metric, &me, p))
            .collect(),
        mine: mine_text(lang, metric, &place),
        around,
        gap,
        prize,
        last_final,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn others_are_masked() {
        assert_eq!(masked("13800001234"), "***1234");
        assert_eq!(masked("m-1"), "***1");
        assert_eq!(masked("ab"), "***b");
        assert_eq!(masked("a"), "***");
        assert_eq!(masked("会员甲乙"), "***甲乙");
    }

    #[test]
    fn the_next_round_rank_is_the_nearest_above() {
        assert_eq!(next_target(150), Some(100));
        assert_eq!(next_target(101), Some(100));
        assert_eq!(next_target(100), Some(10));
        assert_eq!(next_target(12_000), Some(10_000));
        assert_eq!(next_target(11), Some(10));
        assert_eq!(next_target(10), Some(1));
        assert_eq!(next_target(2), Some(1));
        assert_eq!(next_target(1), None);
    }
}
