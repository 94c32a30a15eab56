//! The member's badge wall, and the public page of each earned level.
//!
//! The wall (`/portal/{program}/badges`) shows the levels the member earned, each linking to
//! its share page, and the progress towards the next level of each badge, read with the service
//! of `GET /v1/members/{id}/badges`. The share page (`/portal/{program}/badges/{token}`) needs no
//! session and shows nothing of the member: the badge, the level, its image, the day it was
//! earned, Open Graph tags with absolute addresses (so it previews in WeChat), and a QR code of
//! its own address.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::auth::Visit;
use super::branding::Branding;
use super::i18n::{self, fill};
use super::{Chrome, Failure, html};
use crate::app::AppState;
use crate::console::i18n::Lang;

/// One earned level on the wall.
pub struct Earned {
    pub name: String,
    pub level_name: String,
    pub when: String,
    pub href: String,
    pub image: Option<String>,
}

/// Progress towards a badge's next level.
pub struct Next {
    pub text: String,
    pub percent: i64,
}

#[derive(Template)]
#[template(path = "portal/badges.html")]
struct WallPage {
    chrome: Chrome,
    css: String,
    earned: Vec<Earned>,
    next: Vec<Next>,
}

/// `GET /portal/{program}/badges`: the member's badge wall.
pub async fn wall(State(state): State<AppState>, visit: Visit) -> Result<Response, Failure> {
    let program = &visit.program;
    let mine = crate::api::badges::member_badges(&state, program, &visit.member).await?;
    let tz = crate::service::program_tz(program);
    let chrome = visit.chrome("home", "badges");
    let earned = mine
        .earned
        .iter()
        .rev()
        .map(|e| Earned {
            name: e.name.clone(),
            level_name: e.level_name.clone(),
            when: e
                .earned_at
                .with_timezone(&tz)
                .format("%Y-%m-%d")
                .to_string(),
            href: e.share_path.clone(),
            image: e.image_url.clone(),
        })
        .collect();
    let next = mine
        .progress
        .iter()
        .map(|p| Next {
            text: fill(
                visit.t("badges.next"),
                &[
                    ("badge", &p.name),
                    ("level", &p.level_name),
                    ("value", &p.value.to_string()),
                    ("target", &p.target.to_string()),
                ],
            ),
            percent: (p.value.clamp(0, p.target) * 100)
                .checked_div(p.target)
                .unwrap_or(0),
        })
        .collect();
    Ok(html(&WallPage {
        chrome,
        css: super::assets::css(),
        earned,
        next,
    }))
}

#[derive(Template)]
#[template(path = "portal/badge_share.html")]
struct SharePage {
    lang: Lang,
    brand: Branding,
    css: String,
    badge: String,
    description: String,
    level: String,
    earned: String,
    image: Option<String>,
    og_title: String,
    og_description: String,
    og_image: String,
    og_url: String,
    qr: String,
    switch_href: String,
}

impl SharePage {
    fn t(&self, key: &str) -> &'static str {
        i18n::t(self.lang, key)
    }
}

/// `GET /portal/{program}/badges/{token}`: an earned level's public page. No session needed.
pub async fn share(
    State(state): State<AppState>,
    Path((program_id, token)): Path<(String, String)>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Result<Response, Failure> {
    if token.is_empty() || token.len() > 64 || !token.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(Failure::NotFound);
    }
    let program = state
        .store
        .get_program(&program_id)
        .await?
        .ok_or(Failure::NotFound)?;
    let earned = state
        .store
        .member_badge_by_token(&program.id, &token)
        .await?
        .ok_or(Failure::NotFound)?;
    let row = state
        .store
        .badge(&program.id, &earned.badge_id)
        .await?
        .ok_or(Failure::NotFound)?;
    let badge = crate::service::badges::compiled(&row)?;
    let level = u32::try_from(earned.level).unwrap_or(0);
    let level_name = badge
        .level(level)
        .map(|l| l.name.clone())
        .unwrap_or_default();
    let lang = i18n::lang_of(&headers, uri.query());
    let brand = Branding::of(&state, &program).await?;
    let origin = crate::api::portal::base_url(&state, &headers);
    let image = state
        .store
        .reward_image(&program.id, &crate::api::badges::image_key(&row.id))
        .await?
        .map(|i| crate::service::catalog::image_url(&program.id, &i.sha256, &i.content_type));
    let tz = crate::service::program_tz(&program);
    let day = earned
        .earned_at
        .with_timezone(&tz)
        .format("%Y-%m-%d")
        .to_string();
    let path = crate::service::badges::share_path(&program.id, &token);
    let og_url = format!("{origin}{path}");
    let og_title = fill(
        i18n::t(lang, "badges.share_title"),
        &[("badge", &badge.spec.name), ("level", &level_name)],
    );
    let og_description = fill(
        i18n::t(lang, "badges.share_description"),
        &[("brand", &brand.name), ("date", &day)],
    );
    let page = SharePage {
        lang,
        css: super::assets::css(),
        badge: badge.spec.name.clone(),
        description: badge.spec.description.clone(),
        level: level_name,
        earned: fill(i18n::t(lang, "badges.earned_on"), &[("date", &day)]),
        og_image: format!(
            "{origin}{}",
            image.clone().unwrap_or_else(super::assets::gift_image_href)
        ),
        image,
        og_title,
        og_description,
        qr: super::wallet::qr_svg(&og_url),
        og_url,
        switch_href: format!("{path}?lang={}", lang.other().code()),
        brand,
    };
    let tls = crate::console::auth::is_tls(&headers);
    let mut res = html(&page);
    if let Some(lang) = uri.query().and_then(i18n::query_lang) {
        super::auth::remember_lang(&mut res, lang, tls);
    }
    Ok(res)
}
