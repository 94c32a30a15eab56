//! The member's referral page (邀请有礼): their code, the link to share with its QR code and a
//! share card, what the program gives, the friends they brought by status, and their boost.
//! Everything comes from the service of `GET /v1/members/{id}/referral`.

use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

use jifen_core::referrals::Status;

use super::auth::Visit;
use super::i18n::fill;
use super::{Chrome, Failure, html};
use crate::app::AppState;

#[derive(Template)]
#[template(path = "portal/referral.html")]
struct ReferralPage {
    chrome: Chrome,
    css: String,
    copy_js: String,
    code: String,
    link: String,
    qr: String,
    /// "好友注册得 100 积分…", when the program gives something.
    offer: Option<String>,
    /// (label, count) per status with friends.
    friends: Vec<(&'static str, i64)>,
    /// "双倍积分至 2026-07-01".
    boost: Option<String>,
}

/// `GET /portal/{program}/referral`.
pub async fn page(
    State(state): State<AppState>,
    visit: Visit,
    headers: HeaderMap,
) -> Result<Response, Failure> {
    let program = &visit.program;
    let out = crate::api::referrals::code_out(&state, program, &visit.member).await?;
    let origin = crate::api::portal::base_url(&state, &headers);
    let link = format!("{origin}{}", out.link);
    let settings = crate::service::referrals::settings(&state, &program.id).await?;
    let offer = settings.filter(|s| s.enabled).map(|s| {
        fill(
            visit.t("referral.offer"),
            &[
                ("friend", &s.friend_reward.points().to_string()),
                ("referrer", &s.referrer_reward.points().to_string()),
                ("yuan", &(s.min_purchase / 100).to_string()),
                ("days", &s.within_days.to_string()),
            ],
        )
    });
    let friends = Status::ALL
        .iter()
        .filter_map(|s| {
            let n = out.friends.get(s.as_str())?.as_i64()?;
            (n > 0).then(|| (visit.t(&format!("referral.status.{}", s.as_str())), n))
        })
        .collect();
    let tz = crate::service::program_tz(program);
    let boost = out.boost.as_ref().and_then(|b| {
        let until = b["until"].as_str()?.parse::<jifen_core::Timestamp>().ok()?;
        Some(fill(
            visit.t("referral.boost"),
            &[
                ("factor", &b["factor"].to_string()),
                (
                    "date",
                    &until.with_timezone(&tz).format("%Y-%m-%d").to_string(),
                ),
            ],
        ))
    });
    let page = ReferralPage {
        chrome: visit.chrome("home", "referral"),
        css: super::assets::css(),
        copy_js: super::assets::copy_js_href(),
        qr: super::wallet::qr_svg(&link),
        code: out.code,
        link,
        offer,
        friends,
        boost,
    };
    Ok(html(&page))
}
