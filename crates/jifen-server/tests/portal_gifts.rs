//! Gifts in the member portal over HTTP on SQLite and PostgreSQL: a member sends a voucher from
//! the wallet and gets a link with a share card; a friend claims it with their session, or as a
//! guest when the brand allows it; a claimed, taken back, lapsed or unknown gift has its own
//! page; nobody acts on another member's voucher.

mod common;

use common::console::{Page, client, encode, send};
use common::portal::{Member, enter, field, open, set_cookie};
use common::{TestApp, TestBackend};
use reqwest::StatusCode;
use serde_json::json;

jifen_store::backend_tests! {
    a_gift_is_sent_with_a_share_card_and_claimed_by_a_friend => super::a_gift_is_sent_with_a_share_card_and_claimed_by_a_friend;
    a_guest_claims_only_when_the_brand_allows_it => super::a_guest_claims_only_when_the_brand_allows_it;
    a_gift_taken_back_or_lapsed_cannot_be_claimed => super::a_gift_taken_back_or_lapsed_cannot_be_claimed;
    nobody_gives_or_takes_back_another_member_s_voucher => super::nobody_gives_or_takes_back_another_member_s_voucher;
}

/// A giftable latte voucher template, members m-1 (the sender), m-2 and m-3, and a voucher of
/// m-1's; its code.
async fn latte(app: &TestApp) -> String {
    let r = app
        .put(
            "/v1/voucher-templates/latte",
            json!({"title": {"zh-CN": "拿铁券", "en": "Latte voucher"},
                   "discount": {"kind": "amount", "off": 2_000}}),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");
    for m in ["m-1", "m-2", "m-3"] {
        app.member(m).await;
    }
    issue(app, "m-1", "i-1").await
}

async fn issue(app: &TestApp, member: &str, id: &str) -> String {
    let r = app
        .post(
            &format!("/v1/members/{member}/vouchers"),
            json!({"id": id, "template": "latte"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    r.body["code"].as_str().expect("code").to_owned()
}

/// The value of an element's attribute after `marker` (`id="gift-link" value="`), unescaped.
fn after(html: &str, marker: &str) -> String {
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker}: {html}"))
        + marker.len();
    html[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .replace("&#38;", "&")
        .replace("&amp;", "&")
        .replace("&#x2f;", "/")
        .replace("&#47;", "/")
}

/// The send form's CSRF token and gift number.
async fn gift_form(app: &TestApp, m: &Member, code: &str) -> (String, String) {
    let form = m.get(app, &format!("wallet/{code}/gift")).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.html);
    (field(&form.html, "csrf"), field(&form.html, "seq"))
}

/// Posts the send form: the link page.
async fn post_gift(
    app: &TestApp,
    m: &Member,
    code: &str,
    (csrf, seq): &(String, String),
    message: &str,
    from: &str,
) -> Page {
    m.post(
        app,
        &format!("wallet/{code}/gift"),
        &[
            ("csrf", csrf),
            ("seq", seq),
            ("message", message),
            ("from", from),
        ],
    )
    .await
}

/// Opens the send form and posts it: the link page.
async fn send_gift(app: &TestApp, m: &Member, code: &str, message: &str, from: &str) -> Page {
    let form = gift_form(app, m, code).await;
    post_gift(app, m, code, &form, message, from).await
}

/// A visitor's browser on a claim page: its cookies (a session's, if any, and the claim
/// cookie the page sets).
struct Visitor {
    cookie: String,
}

impl Visitor {
    fn new(session: Option<&Member>) -> Visitor {
        Visitor {
            cookie: session.map(|m| m.cookie.clone()).unwrap_or_default(),
        }
    }

    fn remember(&mut self, page: &Page, name: &str) {
        if let Some(c) = set_cookie(page, name) {
            let pair = c.split(';').next().unwrap_or_default().to_owned();
            let kept: Vec<&str> = self
                .cookie
                .split("; ")
                .filter(|p| !p.is_empty() && !p.starts_with(&format!("{name}=")))
                .collect();
            self.cookie = kept
                .into_iter()
                .chain(std::iter::once(pair.as_str()))
                .collect::<Vec<_>>()
                .join("; ");
        }
    }

    async fn get(&mut self, app: &TestApp, url: &str) -> Page {
        let cookie = (!self.cookie.is_empty()).then_some(self.cookie.as_str());
        let page = open(app, url, cookie).await;
        self.remember(&page, "jifen_portal_gift");
        page
    }

    /// Opens the claim page and claims with its form.
    async fn claim(&mut self, app: &TestApp, url: &str, name: &str) -> Page {
        let page = self.get(app, url).await;
        // A page without a form (a claimed gift's) still has its claim cookie: a second tab's
        // form would carry its value.
        let csrf = if page.html.contains(r#"name="csrf""#) {
            field(&page.html, "csrf")
        } else {
            self.cookie
                .split("; ")
                .find_map(|p| p.strip_prefix("jifen_portal_gift="))
                .unwrap_or_default()
                .to_owned()
        };
        let page = send(
            client()
                .post(url)
                .header("cookie", &self.cookie)
                .header("origin", &app.base)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(encode(&[("csrf", &csrf), ("name", name)])),
        )
        .await;
        self.remember(&page, "jifen_portal");
        page
    }
}

async fn vouchers_of(app: &TestApp, member: &str) -> String {
    let r = app.get(&format!("/v1/members/{member}/vouchers")).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    r.body.to_string()
}

async fn a_gift_is_sent_with_a_share_card_and_claimed_by_a_friend(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let code = latte(&app).await;
    let m1 = enter(&app, "m-1", json!({})).await;
    let page = m1.get(&app, &format!("wallet/{code}")).await;
    assert!(
        page.html.contains(r#"id="send-gift-link""#),
        "{}",
        page.html
    );

    let form = gift_form(&app, &m1, &code).await;
    assert_eq!(form.1, "0", "the voucher's first gift");
    let sent = post_gift(&app, &m1, &code, &form, "生日快乐！", "小林").await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.html);
    let link = after(&sent.html, r#"id="gift-link" value=""#);
    assert!(
        link.starts_with(&format!("{}/portal/", app.base)) && !link.contains('?'),
        "the link names the gift alone: {link}"
    );
    assert!(sent.html.contains(r#"id="copy-link""#) && sent.html.contains("/portal/assets/copy-"));
    assert!(sent.html.contains("小林送你一张拿铁券"), "{}", sent.html);
    // A resend of the same form is the same gift: the same link.
    let resent = post_gift(&app, &m1, &code, &form, "生日快乐！", "小林").await;
    assert_eq!(resent.status, StatusCode::OK, "{}", resent.html);
    assert_eq!(after(&resent.html, r#"id="gift-link" value=""#), link);
    // A new form for a voucher offered already is refused, nothing offered twice.
    let twice = m1.get(&app, &format!("wallet/{code}/gift")).await;
    assert_eq!(twice.status, StatusCode::NOT_FOUND, "{}", twice.html);
    let twice = post_gift(
        &app,
        &m1,
        &code,
        &(form.0.clone(), "1".into()),
        "又一次",
        "",
    )
    .await;
    assert_eq!(
        twice.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        twice.html
    );
    // While offered, the voucher waits for the friend.
    let page = m1.get(&app, &format!("wallet/{code}")).await;
    assert!(page.html.contains(r#"id="gift-waiting""#), "{}", page.html);
    assert!(page.html.contains(r#"id="take-back""#));

    // The claim page, without a session: the gift, the sender's name and message, and a
    // share card whose image is an absolute address that serves a PNG.
    let mut stranger = Visitor::new(None);
    let view = stranger.get(&app, &link).await;
    assert_eq!(view.status, StatusCode::OK, "{}", view.html);
    for tag in ["og:title", "og:description", "og:image", "og:url"] {
        assert!(
            view.html
                .contains(&format!(r#"<meta property="{tag}" content=""#)),
            "{tag}: {}",
            view.html
        );
    }
    let og_title = after(&view.html, r#"<meta property="og:title" content=""#);
    assert_eq!(og_title, "小林送你一张拿铁券");
    let og_description = after(&view.html, r#"<meta property="og:description" content=""#);
    assert_eq!(og_description, "生日快乐！");
    let image = after(&view.html, r#"<meta property="og:image" content=""#);
    assert!(
        image.starts_with(&format!("{}/portal/assets/gift-", app.base)) && image.ends_with(".png"),
        "{image}"
    );
    let png = client().get(&image).send().await.expect("image");
    assert_eq!(png.status(), StatusCode::OK);
    assert_eq!(png.headers()["content-type"], "image/png");
    let og_url = after(&view.html, r#"<meta property="og:url" content=""#);
    assert_eq!(og_url, link, "the card opens the link");
    assert!(view.html.contains("来自：小林") && view.html.contains("生日快乐！"));
    assert!(
        view.html.contains(r#"id="gift-app-first""#),
        "no guests: {}",
        view.html
    );
    // The sender's name is the gift's: a link edited to name someone else still names 小林.
    let forged = stranger
        .get(
            &app,
            &format!("{link}?from=%E5%AE%98%E6%96%B9%E5%AE%A2%E6%9C%8D"),
        )
        .await;
    assert!(
        forged.html.contains("来自：小林") && !forged.html.contains("官方客服"),
        "{}",
        forged.html
    );
    let api = app
        .get(&format!(
            "/v1/gifts/{}",
            link.rsplit('/').next().unwrap_or_default()
        ))
        .await;
    assert_eq!(api.body["sender_name"], "小林", "{api:?}");
    let en = stranger.get(&app, &format!("{link}?lang=en")).await;
    assert!(
        en.html.contains("小林 sent you a Latte voucher"),
        "{}",
        en.html
    );
    // The page's language switch is remembered as every portal page's, so the claim form (which
    // posts to the bare link) and the page after it stay in English.
    let lang = set_cookie(&en, "jifen_portal_lang").unwrap_or_default();
    assert!(
        lang.starts_with("jifen_portal_lang=en;") && lang.contains("Path=/portal/"),
        "{lang}"
    );
    let plain = stranger.get(&app, &link).await;
    assert!(
        set_cookie(&plain, "jifen_portal_lang").is_none(),
        "no switch, nothing remembered"
    );

    // The sender sees their own gift, with nothing to claim.
    let mut sender = Visitor::new(Some(&m1));
    let own = sender.get(&app, &link).await;
    assert!(own.html.contains(r#"id="gift-own""#), "{}", own.html);
    assert!(!own.html.contains(r#"id="claim-gift""#));

    // m-2 claims it with their session: the voucher is theirs, and the page says so.
    let m2 = enter(&app, "m-2", json!({})).await;
    let mut friend = Visitor::new(Some(&m2));
    let view = friend.get(&app, &link).await;
    assert!(view.html.contains(r#"id="claim-gift""#), "{}", view.html);
    let claimed = friend.claim(&app, &link, "").await;
    assert_eq!(claimed.status, StatusCode::SEE_OTHER, "{}", claimed.html);
    let after_claim = friend.get(&app, &link).await;
    assert!(
        after_claim.html.contains(r#"id="gift-yours""#),
        "{}",
        after_claim.html
    );
    assert!(vouchers_of(&app, "m-2").await.contains(&code));
    assert!(!vouchers_of(&app, "m-1").await.contains(&code));
    let wallet = m2.get(&app, "wallet").await;
    assert!(wallet.html.contains(&format!(r#"id="voucher-{code}""#)));
    // The sender's wallet shows it given.
    let wallet = m1.get(&app, "wallet").await;
    assert!(
        wallet.html.contains(&format!(r#"id="given-{code}""#)),
        "{}",
        wallet.html
    );
    assert!(!wallet.html.contains(&format!(r#"id="voucher-{code}""#)));

    // Claiming again: m-2 again is the same answer; m-3 finds it claimed.
    let again = friend.claim(&app, &link, "").await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.html);
    assert!(again.html.contains(r#"id="gift-yours""#));
    let m3 = enter(&app, "m-3", json!({})).await;
    let mut late = Visitor::new(Some(&m3));
    let refused = late.claim(&app, &link, "").await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.html);
    assert!(
        refused.html.contains(r#"id="gift-claimed""#),
        "{}",
        refused.html
    );
    assert!(refused.html.contains("这份礼物已被领取"));
    assert!(vouchers_of(&app, "m-2").await.contains(&code));

    // An unknown token has its own page.
    let unknown = open(&app, &format!("{}gifts/NOSUCHTOKEN", m1.base), None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(
        unknown.html.contains(r#"id="gift-unknown""#),
        "{}",
        unknown.html
    );

    // A claim without the claim cookie's token, or from another site, is refused.
    let forged = send(
        client()
            .post(&link)
            .header("cookie", &m3.cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(encode(&[("csrf", "x")])),
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.html);
}

async fn a_guest_claims_only_when_the_brand_allows_it(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let code = latte(&app).await;
    let m1 = enter(&app, "m-1", json!({})).await;
    let sent = send_gift(&app, &m1, &code, "", "").await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.html);
    let link = after(&sent.html, r#"id="gift-link" value=""#);
    assert!(!link.contains("from="), "{link}");

    // Guests may not enrol: the page and the claim say to open the portal from the app.
    let mut guest = Visitor::new(None);
    let view = guest.get(&app, &link).await;
    assert!(view.html.contains("好友送你一张拿铁券"), "{}", view.html);
    assert!(view.html.contains(r#"id="gift-app-first""#));
    assert!(!view.html.contains(r#"id="claim-gift""#));
    let refused = guest.claim(&app, &link, "小王").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.html);
    assert!(refused.html.contains("请先从品牌 App"), "{}", refused.html);
    assert!(
        vouchers_of(&app, "m-1").await.contains(&code),
        "still m-1's"
    );

    // The brand lets guests enrol: the guest claims, becomes a member, and is signed in.
    let r = app
        .patch("/v1/program", json!({"portal": {"guests_may_enrol": true}}))
        .await;
    assert!(r.status.is_success(), "{r:?}");
    let view = guest.get(&app, &link).await;
    assert!(view.html.contains(r#"id="guest-name""#), "{}", view.html);
    let claimed = guest.claim(&app, &link, "小王").await;
    assert_eq!(claimed.status, StatusCode::SEE_OTHER, "{}", claimed.html);
    assert!(guest.cookie.contains("jifen_portal="), "a session");
    let mine = guest.get(&app, &link).await;
    assert!(mine.html.contains(r#"id="gift-yours""#), "{}", mine.html);
    let wallet_href = after(&mine.html, r#"id="open-wallet" href=""#);
    let wallet = guest.get(&app, &wallet_href).await;
    assert_eq!(wallet.status, StatusCode::OK, "{}", wallet.html);
    assert!(
        wallet.html.contains(&format!(r#"id="code">{code}<"#)),
        "{}",
        wallet.html
    );
    // A member whose session ended is asked to reopen the portal, not enrolled as a guest.
    let mut ended = Visitor::new(None);
    ended.cookie = "jifen_portal=ended-session".into();
    let other = issue(&app, "m-1", "i-2").await;
    let m1 = enter(&app, "m-1", json!({})).await;
    let sent = send_gift(&app, &m1, &other, "", "").await;
    let other_link = after(&sent.html, r#"id="gift-link" value=""#);
    let view = ended.get(&app, &other_link).await;
    assert!(
        view.html.contains(r#"id="gift-app-first""#),
        "{}",
        view.html
    );
    let refused = ended.claim(&app, &other_link, "").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.html);
    // A double tap is the same guest: no second member, the same answer.
    let again = guest.claim(&app, &link, "小王").await;
    assert!(again.status == StatusCode::OK || again.status == StatusCode::SEE_OTHER);
    let r = app.get("/v1/members?limit=100").await;
    let guests: Vec<_> = r.body["data"]
        .as_array()
        .expect("members")
        .iter()
        .filter(|m| {
            m["external_id"]
                .as_str()
                .is_some_and(|e| e.starts_with("guest-"))
        })
        .collect();
    assert_eq!(guests.len(), 1, "{r:?}");
    assert_eq!(guests[0]["name"], "小王");
    assert!(!vouchers_of(&app, "m-1").await.contains(&code));
}

async fn a_gift_taken_back_or_lapsed_cannot_be_claimed(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let code = latte(&app).await;
    let m1 = enter(&app, "m-1", json!({})).await;
    let sent = send_gift(&app, &m1, &code, "给你", "小林").await;
    let link = after(&sent.html, r#"id="gift-link" value=""#);

    // Taken back from the wallet: the voucher stays m-1's, usable, and the link says so.
    let page = m1.get(&app, &format!("wallet/{code}")).await;
    let csrf = field(&page.html, "csrf");
    let back = m1
        .post(
            &app,
            &format!("wallet/{code}/take-back"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.html);
    assert!(back.html.contains("已收回"), "{}", back.html);
    assert!(
        back.html.contains(r#"id="send-gift-link""#),
        "giftable again"
    );
    let m2 = enter(&app, "m-2", json!({})).await;
    let mut friend = Visitor::new(Some(&m2));
    let view = friend.get(&app, &link).await;
    assert!(
        view.html.contains(r#"id="gift-taken-back""#),
        "{}",
        view.html
    );
    let refused = friend.claim(&app, &link, "").await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.html);
    assert!(vouchers_of(&app, "m-1").await.contains(&code));
    // Nothing left to take back.
    let again = m1
        .post(
            &app,
            &format!("wallet/{code}/take-back"),
            &[("csrf", &csrf)],
        )
        .await;
    assert!(again.html.contains(r#"id="error""#), "{}", again.html);

    // Offered again, and not claimed in time: back with m-1.
    let sent = send_gift(&app, &m1, &code, "", "").await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.html);
    let link = after(&sent.html, r#"id="gift-link" value=""#);
    app.advance(chrono::Duration::hours(73));
    let view = open(&app, &link, None).await;
    assert_eq!(view.status, StatusCode::OK, "{}", view.html);
    assert!(view.html.contains(r#"id="gift-lapsed""#), "{}", view.html);
    assert!(view.html.contains("已过期"), "{}", view.html);
    let m3 = enter(&app, "m-3", json!({})).await;
    let mut late = Visitor::new(Some(&m3));
    let refused = late.claim(&app, &link, "").await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.html);
    assert!(vouchers_of(&app, "m-1").await.contains(&code));
}

async fn nobody_gives_or_takes_back_another_member_s_voucher(b: TestBackend) {
    let app = TestApp::spawn(b).await;
    let code = latte(&app).await;
    let m1 = enter(&app, "m-1", json!({})).await;
    let sent = send_gift(&app, &m1, &code, "", "").await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.html);
    let m2 = enter(&app, "m-2", json!({})).await;
    let form = m2.get(&app, &format!("wallet/{code}/gift")).await;
    assert_eq!(form.status, StatusCode::NOT_FOUND, "{}", form.html);
    let page = m2.get(&app, "profile").await;
    let csrf = field(&page.html, "csrf");
    let back = m2
        .post(
            &app,
            &format!("wallet/{code}/take-back"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(back.status, StatusCode::NOT_FOUND, "{}", back.html);
    let give = m2
        .post(
            &app,
            &format!("wallet/{code}/gift"),
            &[("csrf", &csrf), ("seq", "1"), ("message", ""), ("from", "")],
        )
        .await;
    assert_eq!(give.status, StatusCode::NOT_FOUND, "{}", give.html);
    let page = m1.get(&app, &format!("wallet/{code}")).await;
    assert!(
        page.html.contains(r#"id="gift-waiting""#),
        "still offered by m-1"
    );
    // A bad sender's name is refused, nothing offered.
    let other = issue(&app, "m-1", "i-2").await;
    let refused = send_gift(&app, &m1, &other, "", &"名".repeat(21)).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.html
    );
    let page = m1.get(&app, &format!("wallet/{other}")).await;
    assert!(page.html.contains(r#"id="send-gift-link""#), "not offered");
}
