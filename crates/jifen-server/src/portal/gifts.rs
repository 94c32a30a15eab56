//! Gifts of vouchers: the sender's "send as gift" form and the link page with its share card, a
//! gift taken back from the wallet, and the friend's claim page, which opens without a session.
//!
//! Every write is the API's: `POST /v1/members/{id}/vouchers/{code}/gift` offers, `POST
//! /v1/gifts/{token}/claim` claims (enrolling a new member when the brand lets guests enrol),
//! `POST /v1/gifts/{token}/cancel` takes back. jifen keeps only a gift token's hash, so to take a
//! gift back the portal asks for it again: the portal's gift ids are `portal-gift-<code>-<n>`, the
//! voucher's n-th gift, and the same id with the same body answers the first answer, token
//! included, without offering anything twice.
//!
//! The claim page is reached by whoever holds the link, usually without a session. Its form is
//! protected by a token bound to a short-lived cookie of the gift pages (the double-submit
//! pattern) and by the `Origin`/`Sec-Fetch-Site` check every portal post passes.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use jifen_store::{GiftRow, Program};

use super::auth::{Visit, call};
use super::branding::{Branding, PortalSettings};
use super::i18n::{self, fill};
use super::wallet::{Card, own_card, render_voucher};
use super::{Chrome, Failure, html};
use crate::app::AppState;
use crate::console::api::{ApiFailure, seg};
use crate::console::auth::{constant_eq, cookie, same_site, set_cookie_at};
use crate::console::i18n::Lang;
use crate::service::gifts::{GiftOut, MAX_SENDER_NAME, sender_name};

/// The cookie the claim form's token is bound to (path `/portal/<program>/gifts/`).
pub const COOKIE: &str = "jifen_portal_gift";
/// How long the claim form's cookie lives, in seconds: a day, so a friend who comes back to the
/// link the same day is the same guest.
const COOKIE_SECONDS: i64 = 24 * 3600;
/// The most gifts of one voucher the portal counts (a voucher offered and taken back again).
const MAX_SEQ: usize = 1_000;

/// The portal's id of a voucher's `seq`-th gift (0 for the first).
pub fn gift_id(code: &str, seq: usize) -> String {
    format!("portal-gift-{code}-{seq}")
}

/// The external id of a guest enrolled by claiming a gift: `guest-` and 24 hex digits of the
/// hash of their claim cookie. Nobody can choose it (the cookie is random and `HttpOnly`), and
/// the same browser claiming again is the same guest, so a double tap enrols one member.
pub fn guest_id(claim_cookie: &str) -> String {
    let digest = hex::encode(Sha256::digest(format!("portal-guest:{claim_cookie}")));
    format!("guest-{}", &digest[..24])
}

/// The open gift of one of the member's vouchers (offered by them, not yet claimed, not past
/// its deadline), with the voucher's count of earlier gifts.
pub async fn open_gift(
    state: &AppState,
    visit: &Visit,
    code: &str,
) -> Result<Option<OpenGift>, Failure> {
    let gifts = state.store.gifts_of(&visit.program.id, &[code]).await?;
    let now = state.clock.now();
    // Newest first: the n-th gift (from 0) is at `len - 1 - n`.
    Ok(gifts.iter().enumerate().find_map(|(i, g)| {
        (g.status == "offered" && g.sender_id == visit.member.id && g.deadline > now).then(|| {
            OpenGift {
                seq: gifts.len() - 1 - i,
                row: g.clone(),
                deadline: g.deadline,
            }
        })
    }))
}

/// A gift waiting for its friend.
pub struct OpenGift {
    pub seq: usize,
    pub row: GiftRow,
    pub deadline: chrono::DateTime<chrono::Utc>,
}

// --- the sender's side --------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "portal/gift_send.html")]
struct SendPage {
    chrome: Chrome,
    css: String,
    csrf: String,
    action: String,
    card: Card,
    /// The voucher's count of gifts so far: the new gift's number, part of its id.
    seq: usize,
    from: String,
    message: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/gift_link.html")]
struct LinkPage {
    chrome: Chrome,
    css: String,
    copy_js: String,
    csrf: String,
    card: Card,
    link: String,
    og_title: String,
    og_description: String,
    og_image: String,
    deadline: String,
    take_back_action: String,
}

/// The send form.
#[derive(Debug, Default, Deserialize)]
pub struct SendForm {
    #[serde(default)]
    seq: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    from: String,
}

/// `GET /portal/{program}/wallet/{code}/gift`: the form that offers a voucher to a friend.
pub async fn send_form(
    State(state): State<AppState>,
    visit: Visit,
    Path((_, code)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let (card, _) = own_card(&state, &visit, &code).await?;
    if !card.giftable {
        return Err(Failure::NotFound);
    }
    let seq = state
        .store
        .gifts_of(&visit.program.id, &[card.code.as_str()])
        .await?
        .len();
    let from = visit.member.name.clone().unwrap_or_default();
    let from: String = from.chars().take(MAX_SENDER_NAME).collect();
    Ok(send_page(&visit, card, seq, from, String::new(), None))
}

fn send_page(
    visit: &Visit,
    card: Card,
    seq: usize,
    from: String,
    message: String,
    error: Option<String>,
) -> Response {
    let chrome = visit.chrome("wallet", "wallet");
    let page = SendPage {
        css: super::assets::css(),
        csrf: visit.csrf.clone(),
        action: format!("{}wallet/{}/gift", chrome.base, seg(&card.code)),
        card,
        seq,
        from,
        message,
        error,
        chrome,
    };
    html(&page)
}

/// `POST /portal/{program}/wallet/{code}/gift`: offers the voucher through the API and shows
/// the link with its share card. The form's gift number makes a resend the API's repeat: the
/// same link, nothing offered twice. A refused offer shows the form again with why.
pub async fn send(
    State(state): State<AppState>,
    visit: Visit,
    headers: HeaderMap,
    Path((_, code)): Path<(String, String)>,
    Form(form): Form<SendForm>,
) -> Result<Response, Failure> {
    let (card, _) = own_card(&state, &visit, &code).await?;
    let seq: usize = match form.seq.parse() {
        Ok(n) if n <= MAX_SEQ => n,
        _ => {
            return Err(Failure::Api(crate::error::ApiError::invalid(
                "seq",
                "the page's gift number is missing or malformed: reload the page",
            )));
        }
    };
    let message = form.message.trim().to_owned();
    let refuse = |card: Card, why: String| {
        let page = send_page(
            &visit,
            card,
            seq,
            form.from.clone(),
            message.clone(),
            Some(why),
        );
        Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };
    let Ok(from) = sender_name(&form.from) else {
        return refuse(card, visit.t("gift.bad_from").to_owned());
    };
    let body = gift_body(&card.code, seq, Some(&message), from.as_deref());
    let path = format!(
        "/v1/members/{}/vouchers/{}/gift",
        seg(&visit.member.external_id),
        seg(&card.code)
    );
    let answer = match call(&state, &visit, &path, body).await {
        Ok(a) => a,
        Err(Failure::Answer(a)) if a.status.is_client_error() => {
            let why = refusal(visit.lang, &a);
            return refuse(card, why);
        }
        Err(f) => return Err(f),
    };
    let Some(token) = answer["token"].as_str() else {
        return Err(Failure::Api(crate::error::ApiError::Internal));
    };
    let gift = crate::service::gifts::preview(&state, &visit.program, token).await?;
    let gift = in_lang(&state, &visit.program, gift, visit.lang).await?;
    if gift.status != "offered" {
        // A resend of a form whose gift was taken back or lapsed since: the voucher's page says
        // where it stands.
        let to = format!(
            "{}wallet/{}",
            super::auth::base(&visit.program.id),
            seg(&card.code)
        );
        return Ok(Redirect::to(&to).into_response());
    }
    let origin = crate::api::portal::base_url(&state, &headers);
    let link = claim_link(&origin, &visit.program.id, token);
    let chrome = visit.chrome("wallet", "wallet");
    let tz = crate::service::program_tz(&visit.program);
    let (og_title, og_description) = share_card(visit.lang, &gift);
    let page = LinkPage {
        css: super::assets::css(),
        copy_js: super::assets::copy_js_href(),
        csrf: visit.csrf.clone(),
        take_back_action: format!("{}wallet/{}/take-back", chrome.base, seg(&card.code)),
        card,
        link,
        og_title,
        og_description,
        og_image: format!("{origin}{}", super::assets::gift_image_href()),
        deadline: fill(
            visit.t("gift.deadline"),
            &[(
                "deadline",
                &gift
                    .deadline
                    .with_timezone(&tz)
                    .format("%Y-%m-%d %H:%M")
                    .to_string(),
            )],
        ),
        chrome,
    };
    Ok(html(&page))
}

/// The API request of the voucher's `seq`-th gift. Taking a gift back sends it again, so both
/// build it here: the same id with another body would be refused as a different request.
fn gift_body(code: &str, seq: usize, message: Option<&str>, from: Option<&str>) -> Value {
    let mut body = Map::new();
    body.insert("id".into(), json!(gift_id(code, seq)));
    if let Some(m) = message.filter(|m| !m.is_empty()) {
        body.insert("message".into(), json!(m));
    }
    if let Some(f) = from {
        body.insert("sender_name".into(), json!(f));
    }
    Value::Object(body)
}

/// Why the API refused an offer or a claim, in the member's language.
fn refusal(lang: Lang, a: &ApiFailure) -> String {
    let t = |k| i18n::t(lang, k);
    match (a.code.as_str(), a.field.as_deref()) {
        ("gift_unavailable", _) => t("gift.unavailable").to_owned(),
        (_, Some("message")) => t("gift.bad_message").to_owned(),
        (_, Some("sender_name")) => t("gift.bad_from").to_owned(),
        _ => fill(t("gift.refused"), &[("why", &a.message)]),
    }
}

/// The link a sender shares: the claim page. The sender's name is the gift's own, not the
/// link's, so whoever holds the link cannot make it name someone else.
fn claim_link(origin: &str, program_id: &str, token: &str) -> String {
    format!("{origin}/portal/{}/gifts/{}", seg(program_id), seg(token))
}

/// The share card's title and description: "小林送你一张奶茶券", and the message or what the
/// voucher gives.
fn share_card(lang: Lang, gift: &GiftOut) -> (String, String) {
    let t = |k| i18n::t(lang, k);
    let from = gift.sender_name.as_deref().unwrap_or(t("gift.a_friend"));
    let title = fill(
        t("gift.og_title"),
        &[("from", from), ("title", &gift.title)],
    );
    let description = match gift.message.as_deref().filter(|m| !m.trim().is_empty()) {
        Some(m) => m.to_owned(),
        None => fill(t("gift.og_description"), &[("gives", &gift.gives)]),
    };
    (title, description)
}

/// `POST /portal/{program}/wallet/{code}/take-back`: takes back the voucher's open gift. The
/// gift's token is asked for again with the gift's own id and body (the API's repeat: nothing
/// offered), then `POST /v1/gifts/{token}/cancel` as the sender.
pub async fn take_back(
    State(state): State<AppState>,
    visit: Visit,
    Path((_, code)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let (card, _) = own_card(&state, &visit, &code).await?;
    let Some(open) = open_gift(&state, &visit, &card.code).await? else {
        let why = visit.t("gift.nothing_to_take_back").to_owned();
        return render_voucher(&state, &visit, &card.code, None, Some(why)).await;
    };
    let body = gift_body(
        &card.code,
        open.seq,
        open.row.message.as_deref(),
        open.row.sender_name.as_deref(),
    );
    let path = format!(
        "/v1/members/{}/vouchers/{}/gift",
        seg(&visit.member.external_id),
        seg(&card.code)
    );
    let token = match call(&state, &visit, &path, body).await {
        Ok(answer) => answer["token"].as_str().map(str::to_owned),
        // Not a gift the portal made (the brand's app made it): its token is not the portal's.
        Err(Failure::Answer(a)) if a.status.is_client_error() => None,
        Err(f) => return Err(f),
    };
    let Some(token) = token else {
        let why = visit.t("gift.not_portal_gift").to_owned();
        return render_voucher(&state, &visit, &card.code, None, Some(why)).await;
    };
    // The token answered is the open gift's (a repeat); were the gift settled in between and
    // the id found unused, it is a new offer, which this cancel takes back as well.
    let cancel = format!("/v1/gifts/{}/cancel", seg(&token));
    match call(
        &state,
        &visit,
        &cancel,
        json!({"member": visit.member.external_id}),
    )
    .await
    {
        Ok(_) => {
            let done = visit.t("gift.taken_back").to_owned();
            render_voucher(&state, &visit, &card.code, Some(done), None).await
        }
        Err(Failure::Answer(a)) if a.status.is_client_error() => {
            let why = refusal(visit.lang, &a);
            render_voucher(&state, &visit, &card.code, None, Some(why)).await
        }
        Err(f) => Err(f),
    }
}

// --- the friend's side --------------------------------------------------------------------------

/// Where a gift stands for the visitor of its page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Offered, and the visitor may claim it (as their member, or enrolled as a guest).
    Open,
    /// Offered, but the visitor has no session and the brand does not let guests enrol.
    AppFirst,
    /// The visitor's own gift.
    Own,
    /// Claimed by the visitor.
    Yours,
    /// Claimed by someone else.
    Claimed,
    /// Taken back by its sender.
    TakenBack,
    /// Not claimed in time: back with its sender.
    Lapsed,
    /// No such gift.
    Unknown,
}

impl Standing {
    /// The element id a page of this standing carries (`gift-open`, `gift-claimed`…).
    pub fn id(self) -> &'static str {
        match self {
            Standing::Open => "gift-open",
            Standing::AppFirst => "gift-app-first",
            Standing::Own => "gift-own",
            Standing::Yours => "gift-yours",
            Standing::Claimed => "gift-claimed",
            Standing::TakenBack => "gift-taken-back",
            Standing::Lapsed => "gift-lapsed",
            Standing::Unknown => "gift-unknown",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Standing::Open => "gift.open",
            Standing::AppFirst => "gift.app_first",
            Standing::Own => "gift.own",
            Standing::Yours => "gift.yours",
            Standing::Claimed => "gift.claimed",
            Standing::TakenBack => "gift.taken_back_page",
            Standing::Lapsed => "gift.lapsed",
            Standing::Unknown => "gift.unknown",
        }
    }
}

#[derive(Template)]
#[template(path = "portal/gift_claim.html")]
struct ClaimPage {
    lang: Lang,
    brand: Branding,
    css: String,
    standing: Standing,
    /// What the page says of the gift's standing.
    says: String,
    gift: Option<GiftOut>,
    from: String,
    validity: Option<String>,
    og_title: String,
    og_description: String,
    og_image: String,
    og_url: String,
    /// The signed-in member's name, when a session claims.
    member_name: Option<String>,
    /// A guest may give a name to enrol with.
    guest: bool,
    csrf: String,
    action: String,
    wallet_href: String,
    switch_href: String,
    notice: Option<String>,
}

impl ClaimPage {
    fn t(&self, key: &str) -> &'static str {
        i18n::t(self.lang, key)
    }
}

/// The claim form: the token bound to the claim cookie, and a guest's name.
#[derive(Debug, Default, Deserialize)]
pub struct ClaimForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
}

/// What a claim page is drawn from.
struct Context {
    program: Program,
    brand: Branding,
    settings: PortalSettings,
    lang: Lang,
    visit: Option<Visit>,
    /// The browser has a session cookie of the program that no longer opens a session: a
    /// member whose session ended, who reopens the portal from the app rather than enrolling
    /// again as a guest.
    ended: bool,
    origin: String,
}

async fn context(
    state: &AppState,
    program_id: &str,
    headers: &HeaderMap,
    query: Option<&str>,
    visit: Result<Visit, Failure>,
) -> Result<Context, Failure> {
    let visit = match visit {
        Ok(v) => Some(v),
        Err(Failure::SessionExpired) => None,
        Err(f) => return Err(f),
    };
    let program = match &visit {
        Some(v) => v.program.clone(),
        None => state
            .store
            .get_program(program_id)
            .await?
            .ok_or(Failure::NotFound)?,
    };
    let brand = Branding::of(state, &program).await?;
    let settings = PortalSettings::read(state, &program.id).await?;
    Ok(Context {
        brand,
        settings,
        lang: i18n::lang_of(headers, query),
        ended: visit.is_none() && cookie(headers, super::auth::COOKIE).is_some(),
        visit,
        origin: crate::api::portal::base_url(state, headers),
        program,
    })
}

/// The gift of a token as its link shows it, its title and what it gives in `lang`; `None` for
/// a token jifen does not know.
async fn find(
    state: &AppState,
    program: &Program,
    token: &str,
    lang: Lang,
) -> Result<Option<GiftOut>, Failure> {
    if token.is_empty() || token.len() > 64 || !token.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Ok(None);
    }
    match crate::service::gifts::preview(state, program, token).await {
        Ok(g) => Ok(Some(in_lang(state, program, g, lang).await?)),
        Err(crate::error::ApiError::GiftNotFound(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// A gift with its voucher's title and what it gives in `lang` (the API's are the program's
/// first language and English).
async fn in_lang(
    state: &AppState,
    program: &Program,
    mut gift: GiftOut,
    lang: Lang,
) -> Result<GiftOut, Failure> {
    if let Some(row) = state
        .store
        .vouchers(&program.id, &[gift.code.as_str()])
        .await?
        .pop()
    {
        let terms = crate::service::vouchers::terms(&row.terms)?;
        gift.title = terms.title_in(lang.code()).to_owned();
        gift.gives = super::wallet::gives(lang, &terms);
    }
    Ok(gift)
}

fn standing(cx: &Context, gift: Option<&GiftOut>) -> Standing {
    let Some(g) = gift else {
        return Standing::Unknown;
    };
    let me = cx.visit.as_ref().map(|v| v.member.external_id.as_str());
    match g.status.as_str() {
        "offered" if me == Some(g.sender.as_str()) => Standing::Own,
        "offered" if cx.visit.is_some() => Standing::Open,
        "offered" if cx.settings.guests_may_enrol && !cx.ended => Standing::Open,
        "offered" => Standing::AppFirst,
        "claimed" if me.is_some() && me == g.recipient.as_deref() => Standing::Yours,
        "claimed" => Standing::Claimed,
        "cancelled" => Standing::TakenBack,
        _ => Standing::Lapsed,
    }
}

/// Draws the claim page; `csrf` is the claim cookie's value.
fn claim_page(
    cx: &Context,
    token: &str,
    gift: Option<GiftOut>,
    csrf: &str,
    notice: Option<String>,
) -> ClaimPage {
    let lang = cx.lang;
    let t = |k| i18n::t(lang, k);
    let standing = standing(cx, gift.as_ref());
    let base = super::auth::base(&cx.program.id);
    let path = format!("{base}gifts/{}", seg(token));
    let (og_title, og_description) = match &gift {
        Some(g) => share_card(lang, g),
        None => (cx.brand.name.clone(), t("gift.unknown").to_owned()),
    };
    let tz = crate::service::program_tz(&cx.program);
    let validity = gift.as_ref().and_then(|g| g.valid_until).map(|u| {
        fill(
            t("wallet.valid_until"),
            &[("date", &u.with_timezone(&tz).format("%Y-%m-%d").to_string())],
        )
    });
    let wallet_href = match &gift {
        Some(g) if standing == Standing::Yours => format!("{base}wallet/{}", seg(&g.code)),
        _ => format!("{base}wallet"),
    };
    ClaimPage {
        lang,
        brand: cx.brand.clone(),
        css: super::assets::css(),
        standing,
        says: t(standing.key()).to_owned(),
        from: gift
            .as_ref()
            .and_then(|g| g.sender_name.clone())
            .unwrap_or_else(|| t("gift.a_friend").to_owned()),
        validity,
        og_title,
        og_description,
        og_image: format!("{}{}", cx.origin, super::assets::gift_image_href()),
        og_url: format!("{}{}", cx.origin, claim_link("", &cx.program.id, token)),
        member_name: cx.visit.as_ref().map(|v| {
            v.member
                .name
                .clone()
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| t("gift.you").to_owned())
        }),
        guest: cx.visit.is_none() && cx.settings.guests_may_enrol && !cx.ended,
        csrf: csrf.to_owned(),
        switch_href: format!("{path}?lang={}", lang.other().code()),
        action: path,
        wallet_href,
        notice,
        gift,
    }
}

/// The page with its status, and the claim cookie set when the request had none. Like every
/// portal page it is never cached: it names a sender and shows their message.
fn respond(
    page: &ClaimPage,
    status: StatusCode,
    new_cookie: Option<(&str, &str, bool)>,
) -> Response {
    let mut res = (status, html(page)).into_response();
    if let Some((value, program_id, tls)) = new_cookie {
        let path = format!("{}gifts/", super::auth::base(program_id));
        let c = set_cookie_at(COOKIE, value, &path, Some(COOKIE_SECONDS), tls);
        if let Ok(v) = HeaderValue::from_str(&c) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

fn status_of(standing: Standing) -> StatusCode {
    match standing {
        Standing::Unknown => StatusCode::NOT_FOUND,
        _ => StatusCode::OK,
    }
}

/// `GET /portal/{program}/gifts/{token}`: the gift as its link shows it — with a share card in
/// its `<head>` for chat previews — and the way to claim it, or a clear page when it was
/// claimed, taken back, lapsed, or never was. No session needed.
pub async fn claim_view(
    State(state): State<AppState>,
    Path((program_id, token)): Path<(String, String)>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    visit: Result<Visit, Failure>,
) -> Result<Response, Failure> {
    let cx = context(&state, &program_id, &headers, uri.query(), visit).await?;
    let gift = find(&state, &cx.program, &token, cx.lang).await?;
    let existing = cookie(&headers, COOKIE).filter(|c| c.len() >= 32 && c.len() <= 100);
    let value = existing.clone().unwrap_or_else(crate::console::auth::token);
    let page = claim_page(&cx, &token, gift, &value, None);
    let tls = crate::console::auth::is_tls(&headers);
    let new = existing
        .is_none()
        .then_some((value.as_str(), cx.program.id.as_str(), tls));
    let mut res = respond(&page, status_of(page.standing), new);
    // The page's switch is remembered as every portal page's is, so the claim form (which posts
    // to the bare link) and the page after it stay in the language the friend chose.
    if let Some(lang) = uri.query().and_then(i18n::query_lang) {
        super::auth::remember_lang(&mut res, lang, tls);
    }
    Ok(res)
}

/// `POST /portal/{program}/gifts/{token}`: claims the gift — for the session's member, or for
/// a guest enrolled now when the brand allows it (then signed in) — and goes back to the page,
/// which says it is theirs. A refused claim shows where the gift stands.
pub async fn claim(
    State(state): State<AppState>,
    Path((program_id, token)): Path<(String, String)>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    visit: Result<Visit, Failure>,
    Form(form): Form<ClaimForm>,
) -> Result<Response, Failure> {
    let cx = context(&state, &program_id, &headers, uri.query(), visit).await?;
    let bound = cookie(&headers, COOKIE).filter(|c| c.len() >= 32 && c.len() <= 100);
    let csrf_ok = same_site(&headers)
        && bound
            .as_deref()
            .is_some_and(|c| constant_eq(c, form.csrf.trim()));
    if !csrf_ok {
        return Err(Failure::Csrf);
    }
    let secret = bound.unwrap_or_default();
    let gift = find(&state, &cx.program, &token, cx.lang).await?;
    let here = claim_link("", &cx.program.id, &token);
    let refused = |gift: Option<GiftOut>, status: StatusCode, notice: String| {
        let page = claim_page(&cx, &token, gift, &secret, Some(notice));
        Ok(respond(&page, status, None))
    };
    let standing = standing(&cx, gift.as_ref());
    if standing == Standing::AppFirst {
        let notice = cx_t(&cx, "gift.app_first");
        return refused(gift, StatusCode::FORBIDDEN, notice);
    }
    if standing == Standing::Yours {
        // A second tap after the claim: the page as it stands, the voucher theirs.
        let page = claim_page(&cx, &token, gift, &secret, None);
        return Ok(respond(&page, StatusCode::OK, None));
    }
    if standing != Standing::Open {
        // Claimed, taken back, lapsed, unknown, or the visitor's own: the page says so.
        let status = match standing {
            Standing::Unknown => StatusCode::NOT_FOUND,
            _ => StatusCode::CONFLICT,
        };
        let notice = cx_t(&cx, "gift.not_claimed");
        return refused(gift, status, notice);
    }
    let claim_path = format!("/v1/gifts/{}/claim", seg(&token));
    let (member, actor) = match &cx.visit {
        Some(v) => (
            v.member.external_id.clone(),
            crate::actor::Actor::Portal {
                member_id: v.member.id.to_string(),
            },
        ),
        None => {
            let guest = guest_id(&secret);
            (
                guest.clone(),
                crate::actor::Actor::Portal { member_id: guest },
            )
        }
    };
    let mut body = Map::new();
    body.insert("member".into(), json!(member));
    let name = form.name.trim();
    if cx.visit.is_none() && !name.is_empty() {
        body.insert("name".into(), json!(name));
    }
    let answer = crate::console::api::call_as(
        &state,
        &cx.program,
        actor,
        Method::POST,
        &claim_path,
        Some(Value::Object(body)),
    )
    .await;
    match answer {
        Ok(_) => {}
        Err(a) if a.status.is_client_error() => {
            let now = find(&state, &cx.program, &token, cx.lang).await?;
            let status = if a.status == StatusCode::UNPROCESSABLE_ENTITY {
                a.status
            } else {
                StatusCode::CONFLICT
            };
            let notice = refusal(cx.lang, &a);
            return refused(now, status, notice);
        }
        Err(a) => return Err(Failure::Answer(a)),
    }
    let mut res = Redirect::to(&here).into_response();
    if cx.visit.is_none() {
        let enrolled = state
            .store
            .get_member(&cx.program.id, &member)
            .await?
            .ok_or(Failure::Api(crate::error::ApiError::Internal))?;
        super::auth::open_session(
            &state,
            &cx.program.id,
            (enrolled.id, None),
            cx.lang.code(),
            &headers,
            &mut res,
        )
        .await?;
    }
    Ok(res)
}

fn cx_t(cx: &Context, key: &str) -> String {
    i18n::t(cx.lang, key).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sender_names_are_short_plain_text() {
        assert_eq!(sender_name("  小林 ").ok(), Some(Some("小林".into())));
        assert_eq!(sender_name(" ").ok(), Some(None));
        assert!(sender_name(&"长".repeat(MAX_SENDER_NAME + 1)).is_err());
        assert!(sender_name("a\nb").is_err());
    }

    #[test]
    fn a_guest_id_is_the_cookie_s_and_no_one_else_s() {
        let a = guest_id("cookie-a");
        assert_eq!(a, guest_id("cookie-a"));
        assert_ne!(a, guest_id("cookie-b"));
        assert!(a.starts_with("guest-") && a.len() == 30, "{a}");
    }

    #[test]
    fn links_name_the_gift_and_nothing_else() {
        assert_eq!(
            claim_link("https://x.example", "demo", "TOKEN"),
            "https://x.example/portal/demo/gifts/TOKEN"
        );
        assert_eq!(claim_link("", "demo", "a/b"), "/portal/demo/gifts/a%2Fb");
    }
}
