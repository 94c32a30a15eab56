//! The wallet: the member's vouchers with what each gives, its conditions and validity — the
//! usable ones first, used, expired and cancelled ones apart — and a voucher's page with its
//! code as a QR code and a Code 128 barcode for the till, and as text.
//!
//! The list is the one `GET /v1/members/{id}/vouchers` answers (the last 200, with where each
//! stands), read with the same store call and the same state. A voucher page shows only a
//! voucher the session's member owns: any other code is the not-found page.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;

use jifen_core::Timestamp;
use jifen_core::rewards::codes;
use jifen_core::rewards::voucher::{Discount, VoucherTemplate};
use jifen_store::VoucherRow;

use super::auth::Visit;
use super::i18n::fill;
use super::{Chrome, Failure, html};
use crate::app::AppState;
use crate::console::api::seg;
use crate::console::i18n::Lang;
use crate::service::vouchers::VoucherState;

/// The vouchers a wallet shows: the API's limit.
pub const LIMIT: u32 = 200;

/// A voucher on the member's pages.
pub struct Card {
    pub code: String,
    pub href: String,
    pub title: String,
    /// "立减 ¥15，满 ¥99 可用".
    pub gives: String,
    /// "有效期至 2026-06-30".
    pub validity: Option<String>,
    /// "可使用", "已使用"…
    pub state: String,
    pub usable: bool,
    /// The member can offer it to a friend now (its template allows gifts, it is unused).
    pub giftable: bool,
    /// It is offered to a friend, waiting for a claim.
    pub gifted: bool,
}

/// A voucher the member gave to a friend who claimed it.
pub struct Given {
    pub code: String,
    /// "奶茶券 · 2026-12-08 送出".
    pub text: String,
}

#[derive(Template)]
#[template(path = "portal/wallet.html")]
struct WalletPage {
    chrome: Chrome,
    css: String,
    usable: Vec<Card>,
    spent: Vec<Card>,
    given: Vec<Given>,
}

#[derive(Template)]
#[template(path = "portal/voucher.html")]
struct VoucherPage {
    chrome: Chrome,
    css: String,
    card: Card,
    description: String,
    /// The code as an SVG QR code (made here from the code: no text of the request in it).
    qr: String,
    /// The code as an SVG Code 128 barcode, when the code is plain ASCII.
    barcode: Option<String>,
    /// The "send as gift" page, when the voucher can be offered.
    gift_href: Option<String>,
    /// The open gift of the voucher ("waiting for a friend until …") and the form taking it back.
    open_gift: Option<String>,
    take_back_action: String,
    csrf: String,
    result: Option<String>,
    error: Option<String>,
}

/// The vouchers given to friends a wallet shows.
pub const GIVEN_LIMIT: u32 = 50;

/// `GET /portal/{program}/wallet`.
pub async fn list(State(state): State<AppState>, visit: Visit) -> Result<Response, Failure> {
    let rows = state
        .store
        .member_vouchers(&visit.program.id, visit.member.id, LIMIT)
        .await?;
    let cards = cards(&state, &visit, &rows).await?;
    let (usable, spent) = cards.into_iter().map(|(c, _)| c).partition(|c| c.usable);
    let page = WalletPage {
        chrome: visit.chrome("wallet", "wallet"),
        css: super::assets::css(),
        usable,
        spent,
        given: given(&state, &visit).await?,
    };
    Ok(html(&page))
}

/// The vouchers the member gave to friends who claimed them, the latest first.
async fn given(state: &AppState, visit: &Visit) -> Result<Vec<Given>, Failure> {
    let gifts = state
        .store
        .gifts_given(&visit.program.id, visit.member.id, GIVEN_LIMIT)
        .await?;
    let codes: Vec<&str> = gifts.iter().map(|g| g.code.as_str()).collect();
    let rows = if codes.is_empty() {
        Vec::new()
    } else {
        state.store.vouchers(&visit.program.id, &codes).await?
    };
    let tz = crate::service::program_tz(&visit.program);
    let mut out = Vec::with_capacity(gifts.len());
    for g in &gifts {
        let Some(row) = rows.iter().find(|r| r.code == g.code) else {
            continue;
        };
        let terms = crate::service::vouchers::terms(&row.terms)?;
        out.push(Given {
            code: g.code.clone(),
            text: fill(
                visit.t("wallet.given_line"),
                &[
                    ("title", terms.title_in(visit.lang.code())),
                    (
                        "date",
                        &g.updated_at
                            .with_timezone(&tz)
                            .format("%Y-%m-%d")
                            .to_string(),
                    ),
                ],
            ),
        });
    }
    Ok(out)
}

/// One of the member's own vouchers as a card, with its terms: `NotFound` for any other code,
/// another member's included.
pub async fn own_card(
    state: &AppState,
    visit: &Visit,
    code: &str,
) -> Result<(Card, VoucherTemplate), Failure> {
    let code = codes::canonical(code);
    if !crate::parse::could_be_id(&code) {
        return Err(Failure::NotFound);
    }
    let rows: Vec<VoucherRow> = state
        .store
        .vouchers(&visit.program.id, &[code.as_str()])
        .await?
        .into_iter()
        .filter(|v| v.member_id == Some(visit.member.id))
        .collect();
    cards(state, visit, &rows)
        .await?
        .pop()
        .ok_or(Failure::NotFound)
}

/// `GET /portal/{program}/wallet/{code}`: one of the member's vouchers, ready for the till.
pub async fn voucher(
    State(state): State<AppState>,
    visit: Visit,
    Path((_, code)): Path<(String, String)>,
) -> Result<Response, Failure> {
    render_voucher(&state, &visit, &code, None, None).await
}

/// The page of one of the member's vouchers, with what an action on it just did (`result`) or
/// why it did not (`error`).
pub async fn render_voucher(
    state: &AppState,
    visit: &Visit,
    code: &str,
    result: Option<String>,
    error: Option<String>,
) -> Result<Response, Failure> {
    let (card, terms) = own_card(state, visit, code).await?;
    let base = super::auth::base(&visit.program.id);
    let open_gift = if card.gifted {
        super::gifts::open_gift(state, visit, &card.code)
            .await?
            .map(|g| {
                let tz = crate::service::program_tz(&visit.program);
                fill(
                    visit.t("wallet.gift_waiting"),
                    &[(
                        "deadline",
                        &g.deadline
                            .with_timezone(&tz)
                            .format("%Y-%m-%d %H:%M")
                            .to_string(),
                    )],
                )
            })
    } else {
        None
    };
    let page = VoucherPage {
        chrome: visit.chrome("wallet", "wallet"),
        css: super::assets::css(),
        description: terms
            .description
            .get(visit.lang.code())
            .or_else(|| terms.description.get("zh-CN"))
            .cloned()
            .unwrap_or_default(),
        qr: qr_svg(&card.code),
        barcode: barcode_svg(&card.code),
        gift_href: card
            .giftable
            .then(|| format!("{base}wallet/{}/gift", seg(&card.code))),
        open_gift,
        take_back_action: format!("{base}wallet/{}/take-back", seg(&card.code)),
        csrf: visit.csrf.clone(),
        result,
        error,
        card,
    };
    Ok(html(&page))
}

/// The vouchers as cards, each with its terms, in the rows' order (newest first).
async fn cards(
    state: &AppState,
    visit: &Visit,
    rows: &[VoucherRow],
) -> Result<Vec<(Card, VoucherTemplate)>, Failure> {
    let outs = crate::service::vouchers::vouchers_out(state, &visit.program, rows).await?;
    let tz = crate::service::program_tz(&visit.program);
    let base = super::auth::base(&visit.program.id);
    let lang = visit.lang;
    let t = |k: &str| super::i18n::t(lang, k);
    let day = |at: &Timestamp| at.with_timezone(&tz).format("%Y-%m-%d").to_string();
    let mut out = Vec::with_capacity(rows.len());
    for (row, v) in rows.iter().zip(outs) {
        let terms = crate::service::vouchers::terms(&row.terms)?;
        let state = match v.state {
            VoucherState::NotYetValid => fill(
                t("wallet.not_yet_valid"),
                &[("date", &v.valid_from.as_ref().map(day).unwrap_or_default())],
            ),
            s => t(state_key(s)).to_owned(),
        };
        out.push((
            Card {
                href: format!("{base}wallet/{}", seg(&v.code)),
                title: terms.title_in(lang.code()).to_owned(),
                gives: gives(lang, &terms),
                validity: v
                    .valid_until
                    .as_ref()
                    .map(|u| fill(t("wallet.valid_until"), &[("date", &day(u))])),
                usable: matches!(
                    v.state,
                    VoucherState::Usable | VoucherState::Reserved | VoucherState::NotYetValid
                ),
                giftable: terms.giftable
                    && matches!(v.state, VoucherState::Usable | VoucherState::NotYetValid),
                gifted: v.state == VoucherState::Gifted,
                state,
                code: v.code,
            },
            terms,
        ));
    }
    Ok(out)
}

fn state_key(s: VoucherState) -> &'static str {
    match s {
        VoucherState::Usable => "wallet.usable",
        VoucherState::Reserved => "wallet.reserved",
        VoucherState::Used => "wallet.used",
        VoucherState::Gifted => "wallet.gifted",
        VoucherState::NotYetValid => "wallet.not_yet_valid",
        VoucherState::Expired => "wallet.expired",
        VoucherState::Cancelled => "wallet.cancelled",
    }
}

/// What a voucher gives and when it applies, in the member's language: "立减 ¥15，满 ¥99 可用",
/// "8.5 折（最多减 ¥30）", "满 ¥99 减 ¥10，满 ¥199 减 ¥30"; in English the API's own words.
pub fn gives(lang: Lang, terms: &VoucherTemplate) -> String {
    use jifen_core::rewards::yuan;
    if lang == Lang::En {
        return terms.gives();
    }
    let main = match &terms.discount {
        Discount::Amount { off } => format!("立减 {}", yuan(*off)),
        Discount::Percent { percent, max_off } => {
            let left = 100u32.saturating_sub(*percent);
            let zhe = if left % 10 == 0 {
                (left / 10).to_string()
            } else {
                format!("{}.{}", left / 10, left % 10)
            };
            match max_off {
                Some(m) => format!("{zhe} 折（最多减 {}）", yuan(*m)),
                None => format!("{zhe} 折"),
            }
        }
        Discount::Ladder { rungs } => rungs
            .iter()
            .map(|r| format!("满 {} 减 {}", yuan(r.min_spend), yuan(r.off)))
            .collect::<Vec<_>>()
            .join("，"),
    };
    if terms.min_spend > 0 {
        format!("{main}，满 {} 可用", yuan(terms.min_spend))
    } else {
        main
    }
}

/// The code as a QR code, an inline SVG scaled by the page (the XML declaration dropped).
pub fn qr_svg(code: &str) -> String {
    let Ok(qr) = qrcode::QrCode::new(code.as_bytes()) else {
        return String::new();
    };
    let svg = qr
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    match svg.find("<svg") {
        Some(at) => svg[at..].to_owned(),
        None => svg,
    }
}

/// The code as a Code 128 barcode (character set B), an inline SVG; none for a code that set B
/// cannot carry.
pub fn barcode_svg(code: &str) -> Option<String> {
    if code.is_empty() || !code.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return None;
    }
    let symbol = barcoders::sym::code128::Code128::new(format!("\u{0181}{code}")).ok()?;
    let mut svg = barcoders::generators::svg::SVG::new(80);
    svg.xdim = 2;
    svg.generate(symbol.encode()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(discount: serde_json::Value, min_spend: i64) -> VoucherTemplate {
        serde_json::from_value(serde_json::json!({
            "title": {"zh-CN": "券"}, "discount": discount, "min_spend": min_spend,
        }))
        .expect("terms")
    }

    #[test]
    fn a_voucher_says_what_it_gives_in_chinese() {
        let amount = terms(serde_json::json!({"kind": "amount", "off": 1_500}), 9_900);
        assert_eq!(gives(Lang::Zh, &amount), "立减 ¥15，满 ¥99 可用");
        let pct = terms(
            serde_json::json!({"kind": "percent", "percent": 15, "max_off": 3_000}),
            0,
        );
        assert_eq!(gives(Lang::Zh, &pct), "8.5 折（最多减 ¥30）");
        let ladder = terms(
            serde_json::json!({"kind": "ladder", "rungs": [
                {"min_spend": 9_900, "off": 1_000}, {"min_spend": 19_900, "off": 3_000}]}),
            0,
        );
        assert_eq!(gives(Lang::Zh, &ladder), "满 ¥99 减 ¥10，满 ¥199 减 ¥30");
        assert_eq!(gives(Lang::En, &amount), amount.gives());
    }

    #[test]
    fn codes_become_a_qr_code_and_a_barcode() {
        let qr = qr_svg("MT-7K2Q9");
        assert!(qr.starts_with("<svg") && qr.contains("<path"), "{qr}");
        let bar = barcode_svg("MT-7K2Q9").expect("ASCII");
        assert!(bar.starts_with("<svg") && bar.contains("<rect"), "{bar}");
        assert_eq!(barcode_svg("券码"), None);
    }
}
