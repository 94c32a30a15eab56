//! The member's referral page (邀请有礼): their code, the link to share with its QR code and a
//! share card, what the program gives, the friends they brought by status, and their boost.
//! Everything comes from the service of `GET /v1/members/{id}/referral`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;

use jifen_core::referrals::Status;

use super::auth::Visit;
use super::i18n::fill;
use super::{Chrome, Failure, html};
use crate::app::AppState;
use crate::console::i18n::Lang;

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

#[derive(Template)]
#[template(path = "portal/referral_join.html")]
struct JoinPage {
    lang: Lang,
    brand: super::branding::Branding,
    css: String,
    og_image: String,
    title: &'static str,
    description: &'static str,
    offer: Option<String>,
    code_label: &'static str,
    code: String,
    how: &'static str,
}

/// `GET /portal/{program}/join/{code}`: the page a shared link opens, without a session (the
/// friend is not a member yet): the invitation, what the friend gets, and the code to enrol
/// with. Its share card is what WeChat shows for the link. A code of no member is a 404.
pub async fn join(
    State(state): State<AppState>,
    Path((program_id, code)): Path<(String, String)>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Result<Response, Failure> {
    let program = state
        .store
        .get_program(&program_id)
        .await?
        .ok_or(Failure::NotFound)?;
    let referrer = crate::service::referrals::referrer_of(&program.id, &code, "code")
        .map_err(|_| Failure::NotFound)?;
    let code = crate::service::referrals::code_of(&program.id, referrer);
    let member = state
        .store
        .members_after(&program.id, referrer - 1, 1)
        .await?;
    if member.first().map(|m| m.0) != Some(referrer) {
        return Err(Failure::NotFound);
    }
    let lang = super::i18n::lang_of(&headers, uri.query());
    let t = |key: &str| super::i18n::t(lang, key);
    let settings = crate::service::referrals::settings(&state, &program.id).await?;
    let offer = settings
        .filter(|s| s.enabled && s.friend_reward.points() > 0)
        .map(|s| {
            fill(
                t("referral.join_offer"),
                &[("points", &s.friend_reward.points().to_string())],
            )
        });
    let origin = crate::api::portal::base_url(&state, &headers);
    let page = JoinPage {
        lang,
        brand: super::branding::Branding::of(&state, &program).await?,
        css: super::assets::css(),
        og_image: format!("{origin}{}", super::assets::gift_image_href()),
        title: t("referral.share_title"),
        description: t("referral.share_description"),
        offer,
        code_label: t("referral.join_code"),
        code,
        how: t("referral.join_how"),
    };
    Ok(html(&page))
}
