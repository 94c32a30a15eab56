//! Rewards and vouchers: the catalog (with item images), voucher templates with the ladder
//! editor and its live preview, code batches (generate, import, export) and a checkout
//! simulator.
//!
//! Every write is a `/v1` call ([`api::call`], [`api::call_raw`] for uploads), so the API's
//! validation, limits and errors are the console's too. The ladder preview runs the checkout
//! judge itself ([`jifen_core::rewards::quote`]) on a one-line cart.

use std::collections::BTreeMap;

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{NaiveDateTime, TimeZone};
use serde_json::{Map, Value, json};

use jifen_core::rewards::checkout::{Candidate, Cart, Line, PointsAsk, Quote, quote};
use jifen_core::rewards::voucher::{Discount, VoucherTemplate};
use jifen_core::rewards::yuan;

use crate::api::rewards::{RewardOut, TemplateOut};
use crate::app::AppState;
use crate::console::api::{self, ApiFailure};
use crate::console::auth::{Perm, Session};
use crate::console::i18n::Lang;
use crate::console::{Chrome, Failure, Route, Toast, html};

pub fn routes() -> Vec<Route> {
    use Perm::{Configure, View};
    vec![
        Route::new(Method::GET, "/console/rewards", View, get(list)),
        Route::new(
            Method::GET,
            "/console/rewards/items/new",
            Configure,
            get(new_item),
        ),
        Route::new(
            Method::GET,
            "/console/rewards/items/{id}",
            View,
            get(item_page),
        ),
        Route::new(
            Method::POST,
            "/console/rewards/items",
            Configure,
            post(save_item),
        ),
        Route::new(
            Method::POST,
            "/console/rewards/items/{id}/image",
            Configure,
            post(upload_image),
        ),
        Route::new(
            Method::GET,
            "/console/rewards/templates/new",
            Configure,
            get(new_template),
        ),
        Route::new(
            Method::GET,
            "/console/rewards/templates/{id}",
            View,
            get(template_page),
        ),
        Route::new(
            Method::POST,
            "/console/rewards/templates",
            Configure,
            post(save_template),
        ),
        Route::new(
            Method::POST,
            "/console/rewards/templates/preview",
            Configure,
            post(preview),
        ),
        Route::new(
            Method::POST,
            "/console/rewards/templates/{id}/codes",
            Configure,
            post(generate),
        ),
        Route::new(
            Method::POST,
            "/console/rewards/templates/{id}/import",
            Configure,
            post(import),
        ),
        Route::new(
            Method::GET,
            "/console/rewards/templates/{id}/codes.csv",
            View,
            get(export),
        ),
        Route::new(
            Method::GET,
            "/console/rewards/checkout",
            View,
            get(simulator),
        ),
        // A simulation changes nothing (the API's validate), so every role may run one.
        Route::new(
            Method::POST,
            "/console/rewards/checkout",
            View,
            post(simulate),
        ),
    ]
}

/// The fields of a submitted form, by name (a checkbox left unticked is absent).
type Fields = BTreeMap<String, String>;

fn field<'a>(f: &'a Fields, name: &str) -> &'a str {
    f.get(name).map(|s| s.trim()).unwrap_or_default()
}

/// An amount typed in yuan (`350`, `49.9`, `¥1,299`) as fen.
pub fn parse_yuan(text: &str) -> Option<i64> {
    let t: String = text
        .trim()
        .trim_start_matches(['¥', '￥'])
        .chars()
        .filter(|c| *c != ',' && *c != '，' && !c.is_whitespace())
        .collect();
    if t.is_empty() || t.starts_with('-') {
        return None;
    }
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    if frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let frac: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<2}").parse().ok()?
    };
    whole.checked_mul(100)?.checked_add(frac)
}

/// Fen as the yuan a form field shows (`350`, `49.90`).
fn yuan_field(fen: i64) -> String {
    if fen % 100 == 0 {
        (fen / 100).to_string()
    } else {
        format!("{}.{:02}", fen / 100, fen % 100)
    }
}

/// A form's error: the field at fault (none: the whole form) and what is wrong.
#[derive(Debug, Clone, Default)]
pub struct FormError {
    pub field: String,
    pub message: String,
}

impl FormError {
    fn at(field: &str, message: impl Into<String>) -> FormError {
        FormError {
            field: field.to_owned(),
            message: message.into(),
        }
    }

    fn from_api(f: &ApiFailure) -> FormError {
        FormError {
            field: f.field.clone().unwrap_or_default(),
            message: f.message.clone(),
        }
    }
}

/// What a page says about an error: the message when it concerns `name` (the API names nested
/// fields, `discount.rungs[1].off`, so a prefix matches).
fn error_for(error: &Option<FormError>, name: &str) -> String {
    match error {
        Some(e) if !e.field.is_empty() && (e.field == name || e.field.starts_with(name)) => {
            e.message.clone()
        }
        _ => String::new(),
    }
}

/// A short, new idempotency key for a form.
fn form_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

fn saved_toast(lang: Lang, saved: bool) -> Option<Toast> {
    saved.then(|| Toast::saved(lang))
}

#[derive(serde::Deserialize, Default)]
struct PageQuery {
    #[serde(default)]
    saved: Option<String>,
}

/// `a=1, b=2` (or one per line) as a map of numbers; the key at fault when one does not read.
fn parse_pairs(text: &str) -> Result<BTreeMap<String, i64>, String> {
    let mut out = BTreeMap::new();
    for part in text.split([',', '\n', '，', ';']) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let (k, v) = part.split_once('=').ok_or_else(|| part.to_owned())?;
        let v: i64 = v.trim().parse().map_err(|_| part.to_owned())?;
        out.insert(k.trim().to_owned(), v);
    }
    Ok(out)
}

fn pairs_text<T: std::fmt::Display>(map: &BTreeMap<String, T>) -> String {
    map.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a template gives, in the operator's language: the API's `gives` in English, and the
/// way Chinese shops write it ("满 ¥199 减 ¥30，满 ¥399 减 ¥50").
pub fn gives_in(lang: Lang, t: &VoucherTemplate) -> String {
    if lang == Lang::En {
        return t.gives();
    }
    let main = match &t.discount {
        Discount::Amount { off } => format!("立减 {}", yuan(*off)),
        Discount::Percent { percent, max_off } => match max_off {
            Some(m) => format!("减 {percent}%（最多 {}）", yuan(*m)),
            None => format!("减 {percent}%"),
        },
        Discount::Ladder { rungs } => rungs
            .iter()
            .map(|r| format!("满 {} 减 {}", yuan(r.min_spend), yuan(r.off)))
            .collect::<Vec<_>>()
            .join("，"),
    };
    if t.min_spend > 0 {
        format!("{main}，满 {} 可用", yuan(t.min_spend))
    } else {
        main
    }
}

// --- the list ------------------------------------------------------------------------------------

pub struct ItemRow {
    pub id: String,
    pub title: String,
    pub kind: String,
    pub image_url: String,
    pub cost: i64,
    pub tier_costs: String,
    pub stock: String,
    pub limits: String,
    pub early_access: String,
    pub paused: bool,
}

pub struct TemplateRow {
    pub id: String,
    pub title: String,
    pub gives: String,
    pub automatic: bool,
}

#[derive(Template)]
#[template(path = "console/rewards.html")]
struct ListPage {
    chrome: Chrome,
    items: Vec<ItemRow>,
    templates: Vec<TemplateRow>,
}

fn kind_label(lang: Lang, kind: &str) -> &'static str {
    lang.t(&format!("rewards.kind_{kind}"))
}

fn limits_text(lang: Lang, r: &jifen_core::rewards::RewardSpec) -> String {
    let mut parts = Vec::new();
    if let Some(n) = r.limits.lifetime {
        parts.push(format!("{} {n}", lang.t("rewards.limit_lifetime")));
    }
    if let Some(p) = r.limits.per_period {
        parts.push(format!(
            "{} {}",
            lang.t(&format!("rewards.per_{}", p.every.as_str())),
            p.count
        ));
    }
    parts.push(format!(
        "{} {}",
        lang.t("rewards.limit_per_redemption"),
        r.limits.per_redemption
    ));
    parts.join(" · ")
}

fn item_row(lang: Lang, r: &RewardOut) -> ItemRow {
    let s = &r.reward;
    let kind = crate::service::catalog::kind_str(&s.kind);
    ItemRow {
        id: r.id.clone(),
        title: s.title_in(lang.code()).to_owned(),
        kind: kind_label(lang, kind).to_owned(),
        image_url: r.image_url.clone().unwrap_or_default(),
        cost: s.cost,
        tier_costs: pairs_text(&s.cost_by_tier),
        stock: match r.left {
            Some(left) => format!("{left} / {}", s.stock.unwrap_or(left + r.taken)),
            None => lang.t("rewards.unlimited").to_owned(),
        },
        limits: limits_text(lang, s),
        early_access: s
            .early_access
            .iter()
            .map(|(t, h)| format!("{t} {h}h"))
            .collect::<Vec<_>>()
            .join(", "),
        paused: s.status == jifen_core::rewards::RewardStatus::Paused,
    }
}

async fn list(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<PageQuery>,
) -> Result<Response, Failure> {
    let lang = session.lang;
    let rewards: Vec<RewardOut> =
        serde_json::from_value(api::get(&state, &session, "/v1/rewards").await?["data"].take())
            .map_err(|_| Failure::Api(crate::error::ApiError::Internal))?;
    Ok(html(&ListPage {
        chrome: Chrome::new(&session, "rewards", "/console/rewards")
            .with_toast(saved_toast(lang, q.saved.is_some())),
        items: rewards.iter().map(|r| item_row(lang, r)).collect(),
        templates: template_rows(&state, &session).await?,
    }))
}

// --- catalog items -------------------------------------------------------------------------------

/// The item form's values, as typed.
#[derive(Debug, Clone, Default)]
pub struct ItemForm {
    pub id: String,
    pub kind: String,
    pub template: String,
    pub shipping: bool,
    pub partner: String,
    pub value: String,
    pub valid_days: String,
    pub title_zh: String,
    pub title_en: String,
    pub cost: String,
    pub tier_costs: String,
    pub stock: String,
    pub lifetime: String,
    pub period_count: String,
    pub period_every: String,
    pub per_redemption: String,
    pub early_access: String,
    pub available_from: String,
    pub available_until: String,
    pub paused: bool,
    /// Categories, comma-separated.
    pub categories: String,
    /// Yuan.
    pub brand_cost: String,
}

#[derive(Template)]
#[template(path = "console/reward_item.html")]
struct ItemPage {
    chrome: Chrome,
    /// Whether the item exists (else the form creates it).
    exists: bool,
    form: ItemForm,
    error: Option<FormError>,
    image_url: String,
    image_note: String,
    taken: i64,
    left: String,
    templates: Vec<TemplateRow>,
    max_image_kib: usize,
}

impl ItemPage {
    fn err(&self, name: &str) -> String {
        error_for(&self.error, name)
    }

    fn general_error(&self) -> String {
        match &self.error {
            Some(e) if !ITEM_FIELDS.iter().any(|f| e.field.starts_with(f)) => e.message.clone(),
            _ => String::new(),
        }
    }

    fn is_kind(&self, kind: &str) -> bool {
        self.form.kind == kind
    }

    fn is_every(&self, every: &str) -> bool {
        self.form.period_every == every
    }
}

/// The fields the item form shows errors beside; the API's other fields show at the top.
const ITEM_FIELDS: &[&str] = &[
    "id",
    "template",
    "value",
    "valid_days",
    "title",
    "cost_by_tier",
    "cost",
    "stock",
    "limits",
    "early_access",
    "available_from",
    "available_until",
    "categories",
    "brand_cost",
];

fn local_input(session: &Session, at: Option<jifen_core::Timestamp>) -> String {
    let tz = crate::service::program_tz(&session.program);
    at.map(|t| t.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_default()
}

fn from_local_input(session: &Session, text: &str) -> Option<jifen_core::Timestamp> {
    let tz = crate::service::program_tz(&session.program);
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M"))
        .ok()?;
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&chrono::Utc))
}

fn item_form(session: &Session, r: &RewardOut) -> ItemForm {
    use jifen_core::rewards::RewardKind as K;
    let s = &r.reward;
    let mut f = ItemForm {
        id: r.id.clone(),
        kind: crate::service::catalog::kind_str(&s.kind).to_owned(),
        title_zh: s.title.get("zh-CN").cloned().unwrap_or_default(),
        title_en: s.title.get("en").cloned().unwrap_or_default(),
        cost: s.cost.to_string(),
        tier_costs: pairs_text(&s.cost_by_tier),
        stock: s.stock.map(|n| n.to_string()).unwrap_or_default(),
        lifetime: s.limits.lifetime.map(|n| n.to_string()).unwrap_or_default(),
        period_count: s
            .limits
            .per_period
            .map(|p| p.count.to_string())
            .unwrap_or_default(),
        period_every: s
            .limits
            .per_period
            .map(|p| p.every.as_str().to_owned())
            .unwrap_or_else(|| "month".into()),
        per_redemption: s.limits.per_redemption.to_string(),
        early_access: pairs_text(&s.early_access),
        available_from: local_input(session, s.available_from),
        available_until: local_input(session, s.available_until),
        paused: s.status == jifen_core::rewards::RewardStatus::Paused,
        categories: s.categories.join(", "),
        brand_cost: s.brand_cost.map(yuan_field).unwrap_or_default(),
        ..ItemForm::default()
    };
    match &s.kind {
        K::Voucher { template } => f.template = template.clone(),
        K::Physical { shipping } => f.shipping = *shipping,
        K::PartnerPerk { partner } => f.partner = partner.clone().unwrap_or_default(),
        K::PointsAsCash { value, valid_days } => {
            f.value = yuan_field(*value);
            f.valid_days = valid_days.to_string();
        }
    }
    f
}

fn item_form_from(fields: &Fields) -> ItemForm {
    let s = |n: &str| field(fields, n).to_owned();
    ItemForm {
        id: s("id"),
        kind: s("kind"),
        template: s("template"),
        shipping: fields.contains_key("shipping"),
        partner: s("partner"),
        value: s("value"),
        valid_days: s("valid_days"),
        title_zh: s("title_zh"),
        title_en: s("title_en"),
        cost: s("cost"),
        tier_costs: s("tier_costs"),
        stock: s("stock"),
        lifetime: s("lifetime"),
        period_count: s("period_count"),
        period_every: s("period_every"),
        per_redemption: s("per_redemption"),
        early_access: s("early_access"),
        available_from: s("available_from"),
        available_until: s("available_until"),
        paused: fields.contains_key("paused"),
        categories: s("categories"),
        brand_cost: s("brand_cost"),
    }
}

/// A whole number typed in a field, or none when the field is empty.
fn number(lang: Lang, name: &str, text: &str) -> Result<Option<i64>, FormError> {
    if text.is_empty() {
        return Ok(None);
    }
    text.replace([',', '，'], "")
        .parse::<i64>()
        .map(Some)
        .map_err(|_| FormError::at(name, lang.t("rewards.not_a_number")))
}

/// The item's JSON for `PUT /v1/rewards/{id}`: the stored item (so fields the form does not
/// show are kept) with the form's fields written over it.
fn item_json(session: &Session, f: &ItemForm, stored: Option<Value>) -> Result<Value, FormError> {
    let lang = session.lang;
    let mut o: Map<String, Value> = match stored {
        Some(Value::Object(o)) => o,
        _ => Map::new(),
    };
    for k in ["template", "shipping", "partner", "value", "valid_days"] {
        o.remove(k);
    }
    o.insert("kind".into(), json!(f.kind));
    match f.kind.as_str() {
        "voucher" => {
            o.insert("template".into(), json!(f.template));
        }
        "physical" => {
            o.insert("shipping".into(), json!(f.shipping));
        }
        "partner_perk" => {
            if !f.partner.is_empty() {
                o.insert("partner".into(), json!(f.partner));
            }
        }
        "points_as_cash" => {
            let value = parse_yuan(&f.value)
                .ok_or_else(|| FormError::at("value", lang.t("rewards.not_an_amount")))?;
            o.insert("value".into(), json!(value));
            if let Some(d) = number(lang, "valid_days", &f.valid_days)? {
                o.insert("valid_days".into(), json!(d));
            }
        }
        _ => return Err(FormError::at("kind", lang.t("rewards.pick_kind"))),
    }
    let mut title = match o.remove("title") {
        Some(Value::Object(t)) => t,
        _ => Map::new(),
    };
    for (lang_tag, text) in [("zh-CN", &f.title_zh), ("en", &f.title_en)] {
        if text.is_empty() {
            title.remove(lang_tag);
        } else {
            title.insert(lang_tag.into(), json!(text));
        }
    }
    o.insert("title".into(), Value::Object(title));
    o.insert(
        "cost".into(),
        json!(number(lang, "cost", &f.cost)?.unwrap_or_default()),
    );
    let tier_costs = parse_pairs(&f.tier_costs).map_err(|bad| {
        FormError::at(
            "cost_by_tier",
            format!("{} {bad}", lang.t("rewards.pairs_bad")),
        )
    })?;
    o.insert("cost_by_tier".into(), json!(tier_costs));
    o.insert("stock".into(), json!(number(lang, "stock", &f.stock)?));
    let mut limits = Map::new();
    if let Some(n) = number(lang, "limits.lifetime", &f.lifetime)? {
        limits.insert("lifetime".into(), json!(n));
    }
    if let Some(n) = number(lang, "limits.per_period", &f.period_count)? {
        limits.insert(
            "per_period".into(),
            json!({"count": n, "every": f.period_every}),
        );
    }
    if let Some(n) = number(lang, "limits.per_redemption", &f.per_redemption)? {
        limits.insert("per_redemption".into(), json!(n));
    }
    o.insert("limits".into(), Value::Object(limits));
    let early = parse_pairs(&f.early_access).map_err(|bad| {
        FormError::at(
            "early_access",
            format!("{} {bad}", lang.t("rewards.pairs_bad")),
        )
    })?;
    o.insert("early_access".into(), json!(early));
    for (name, text) in [
        ("available_from", &f.available_from),
        ("available_until", &f.available_until),
    ] {
        let at = if text.is_empty() {
            None
        } else {
            Some(
                from_local_input(session, text)
                    .ok_or_else(|| FormError::at(name, lang.t("rewards.not_a_time")))?,
            )
        };
        o.insert(name.into(), json!(at));
    }
    o.insert(
        "status".into(),
        json!(if f.paused { "paused" } else { "active" }),
    );
    let categories: Vec<&str> = f
        .categories
        .split([',', '，'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    o.insert("categories".into(), json!(categories));
    if f.brand_cost.trim().is_empty() {
        o.remove("brand_cost");
    } else {
        let fen = parse_yuan(f.brand_cost.trim())
            .ok_or_else(|| FormError::at("brand_cost", lang.t("rewards.not_an_amount")))?;
        o.insert("brand_cost".into(), json!(fen));
    }
    Ok(Value::Object(o))
}

async fn template_rows(state: &AppState, session: &Session) -> Result<Vec<TemplateRow>, Failure> {
    let templates: Vec<TemplateOut> = serde_json::from_value(
        api::get(state, session, "/v1/voucher-templates").await?["data"].take(),
    )
    .map_err(|_| Failure::Api(crate::error::ApiError::Internal))?;
    Ok(templates
        .iter()
        .map(|t| TemplateRow {
            id: t.id.clone(),
            title: t.template.title_in(session.lang.code()).to_owned(),
            gives: gives_in(session.lang, &t.template),
            automatic: t.template.automatic,
        })
        .collect())
}

/// The stored item, if there is one.
async fn find_item(
    state: &AppState,
    session: &Session,
    id: &str,
) -> Result<Option<RewardOut>, Failure> {
    match api::get(state, session, &format!("/v1/rewards/{}", api::seg(id))).await {
        Ok(v) => Ok(serde_json::from_value(v).ok()),
        Err(f) if f.status == StatusCode::NOT_FOUND => Ok(None),
        Err(f) => Err(f.into()),
    }
}

/// Renders the item page: the stored item, or the form as submitted with its error.
async fn render_item(
    state: &AppState,
    session: &Session,
    stored: Option<&RewardOut>,
    form: Option<ItemForm>,
    error: Option<FormError>,
    toast: Option<Toast>,
) -> Result<Response, Failure> {
    let lang = session.lang;
    let here = match stored {
        Some(r) => format!("/console/rewards/items/{}", api::seg(&r.id)),
        None => "/console/rewards/items/new".to_owned(),
    };
    let form = form
        .or_else(|| stored.map(|r| item_form(session, r)))
        .unwrap_or_else(|| ItemForm {
            kind: "physical".into(),
            period_every: "month".into(),
            per_redemption: "10".into(),
            ..ItemForm::default()
        });
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let image = match stored {
        Some(r) => state.store.reward_image(&session.program.id, &r.id).await?,
        None => None,
    };
    let page = ItemPage {
        chrome: Chrome::new(session, "rewards", here).with_toast(toast),
        exists: stored.is_some(),
        form,
        error,
        image_url: stored.and_then(|r| r.image_url.clone()).unwrap_or_default(),
        image_note: image
            .map(|i| {
                format!(
                    "{} · {} KiB · {}",
                    i.content_type,
                    (i.size + 1023) / 1024,
                    crate::console::account::local_time(session, i.uploaded_at)
                )
            })
            .unwrap_or_default(),
        taken: stored.map_or(0, |r| r.taken),
        left: stored
            .map(|r| {
                r.left
                    .map_or_else(|| lang.t("rewards.unlimited").to_owned(), |l| l.to_string())
            })
            .unwrap_or_default(),
        templates: template_rows(state, session).await?,
        max_image_kib: crate::service::catalog::MAX_IMAGE_BYTES / 1024,
    };
    Ok((status, html(&page)).into_response())
}

async fn new_item(State(state): State<AppState>, session: Session) -> Result<Response, Failure> {
    render_item(&state, &session, None, None, None, None).await
}

async fn item_page(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, Failure> {
    let Some(item) = find_item(&state, &session, &id).await? else {
        return Err(Failure::NotFound);
    };
    let toast = saved_toast(session.lang, q.saved.is_some());
    render_item(&state, &session, Some(&item), None, None, toast).await
}

async fn save_item(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Result<Response, Failure> {
    let form = item_form_from(&fields);
    let stored = if form.id.is_empty() {
        None
    } else {
        find_item(&state, &session, &form.id).await?
    };
    if form.id.is_empty() {
        let e = FormError::at("id", session.lang.t("rewards.id_needed"));
        return render_item(&state, &session, None, Some(form), Some(e), None).await;
    }
    let stored_json = stored
        .as_ref()
        .and_then(|r| serde_json::to_value(&r.reward).ok());
    let body = match item_json(&session, &form, stored_json) {
        Ok(b) => b,
        Err(e) => {
            return render_item(&state, &session, stored.as_ref(), Some(form), Some(e), None).await;
        }
    };
    let path = format!("/v1/rewards/{}", api::seg(&form.id));
    match api::call(&state, &session, Method::PUT, &path, Some(body)).await {
        Ok(_) => Ok(crate::console::auth::redirect(
            &headers,
            &format!("/console/rewards/items/{}?saved=1", api::seg(&form.id)),
        )),
        Err(f) if f.status.is_client_error() => {
            let e = FormError::from_api(&f);
            render_item(&state, &session, stored.as_ref(), Some(form), Some(e), None).await
        }
        Err(f) => Err(f.into()),
    }
}

/// The upload form: the image's bytes, sent as they are to `PUT /v1/rewards/{id}/image`, where
/// they are checked.
async fn upload_image(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path(id): Path<String>,
    mut multipart: Multipart,
) -> Result<Response, Failure> {
    let lang = session.lang;
    let Some(item) = find_item(&state, &session, &id).await? else {
        return Err(Failure::NotFound);
    };
    let mut upload: Option<(String, Vec<u8>)> = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(part)) if part.name() == Some("image") => {
                let content_type = part
                    .content_type()
                    .unwrap_or("application/octet-stream")
                    .to_owned();
                match part.bytes().await {
                    Ok(bytes) => upload = Some((content_type, bytes.to_vec())),
                    Err(e) => {
                        let err = FormError::at("image", e.body_text());
                        return render_item(&state, &session, Some(&item), None, Some(err), None)
                            .await;
                    }
                }
            }
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(e) => {
                let err = FormError::at("image", e.body_text());
                return render_item(&state, &session, Some(&item), None, Some(err), None).await;
            }
        }
    }
    let (content_type, bytes) = upload.unwrap_or_default();
    let path = format!("/v1/rewards/{}/image", api::seg(&id));
    match api::call_raw(&state, &session, Method::PUT, &path, &content_type, bytes).await {
        Ok(_) => Ok(crate::console::auth::redirect(
            &headers,
            &format!("/console/rewards/items/{}?saved=1", api::seg(&id)),
        )),
        Err(f) if f.status.is_client_error() => {
            let err = FormError::at(
                "image",
                format!("{}{}", lang.t("rewards.image_refused"), f.message),
            );
            render_item(&state, &session, Some(&item), None, Some(err), None).await
        }
        Err(f) => Err(f.into()),
    }
}

// --- voucher templates ---------------------------------------------------------------------------

/// The most rungs the ladder editor shows (the API takes at most 10).
const RUNGS: usize = 6;

/// The template form's values, as typed.
#[derive(Debug, Clone, Default)]
pub struct TemplateForm {
    pub id: String,
    pub title_zh: String,
    pub title_en: String,
    /// `amount`, `percent` or `ladder`.
    pub kind: String,
    pub off: String,
    pub percent: String,
    pub max_off: String,
    /// (minimum spend, off) in yuan, as typed.
    pub rungs: Vec<(String, String)>,
    pub min_spend: String,
    pub days: String,
    pub max_uses: String,
    pub code_prefix: String,
    pub group: String,
    pub combinable: bool,
    pub automatic: bool,
    pub giftable: bool,
    /// The cart amount of the preview (yuan).
    pub cart: String,
}

/// The ladder preview: one sentence, or why there is none.
#[derive(Debug, Clone, Default)]
pub struct Preview {
    pub text: String,
    pub error: String,
}

#[derive(Template)]
#[template(path = "console/reward_template.html")]
struct TemplatePage {
    chrome: Chrome,
    exists: bool,
    form: TemplateForm,
    error: Option<FormError>,
    preview: Preview,
    gives: String,
    /// The codes of the batch just made or imported, and the duplicates of an import.
    batch: Vec<String>,
    duplicates: Vec<String>,
    form_id: String,
}

impl TemplatePage {
    fn err(&self, name: &str) -> String {
        error_for(&self.error, name)
    }

    fn general_error(&self) -> String {
        match &self.error {
            Some(e)
                if !TEMPLATE_FIELDS
                    .iter()
                    .any(|f| !e.field.is_empty() && e.field.starts_with(f)) =>
            {
                e.message.clone()
            }
            _ => String::new(),
        }
    }

    fn is_kind(&self, kind: &str) -> bool {
        self.form.kind == kind
    }
}

const TEMPLATE_FIELDS: &[&str] = &[
    "id",
    "title",
    "discount",
    "min_spend",
    "validity.days",
    "max_uses",
    "code_prefix",
    "stacking.group",
];

#[derive(Template)]
#[template(path = "console/_rewards_preview.html")]
struct PreviewFragment {
    preview: Preview,
}

fn template_form(t: &TemplateOut) -> TemplateForm {
    let v = &t.template;
    let mut f = TemplateForm {
        id: t.id.clone(),
        title_zh: v.title.get("zh-CN").cloned().unwrap_or_default(),
        title_en: v.title.get("en").cloned().unwrap_or_default(),
        min_spend: if v.min_spend > 0 {
            yuan_field(v.min_spend)
        } else {
            String::new()
        },
        days: v.validity.days.map(|d| d.to_string()).unwrap_or_default(),
        max_uses: v.max_uses.to_string(),
        code_prefix: v.code_prefix.clone().unwrap_or_default(),
        group: v.stacking.group.clone().unwrap_or_default(),
        combinable: v.stacking.combinable,
        automatic: v.automatic,
        giftable: v.giftable,
        ..TemplateForm::default()
    };
    match &v.discount {
        Discount::Amount { off } => {
            f.kind = "amount".into();
            f.off = yuan_field(*off);
        }
        Discount::Percent { percent, max_off } => {
            f.kind = "percent".into();
            f.percent = percent.to_string();
            f.max_off = max_off.map(yuan_field).unwrap_or_default();
        }
        Discount::Ladder { rungs } => {
            f.kind = "ladder".into();
            f.rungs = rungs
                .iter()
                .map(|r| (yuan_field(r.min_spend), yuan_field(r.off)))
                .collect();
        }
    }
    f.rungs.resize(RUNGS.max(f.rungs.len()), Default::default());
    f
}

fn template_form_from(fields: &Fields) -> TemplateForm {
    let s = |n: &str| field(fields, n).to_owned();
    let mut rungs = Vec::new();
    for i in 0..10 {
        let (min, off) = (s(&format!("rung_min_{i}")), s(&format!("rung_off_{i}")));
        if i < RUNGS || !min.is_empty() || !off.is_empty() {
            rungs.push((min, off));
        }
    }
    TemplateForm {
        id: s("id"),
        title_zh: s("title_zh"),
        title_en: s("title_en"),
        kind: s("kind"),
        off: s("off"),
        percent: s("percent"),
        max_off: s("max_off"),
        rungs,
        min_spend: s("min_spend"),
        days: s("days"),
        max_uses: s("max_uses"),
        code_prefix: s("code_prefix"),
        group: s("group"),
        combinable: fields.contains_key("combinable"),
        automatic: fields.contains_key("automatic"),
        giftable: fields.contains_key("giftable"),
        cart: s("cart"),
    }
}

fn amount(lang: Lang, name: &str, text: &str) -> Result<i64, FormError> {
    parse_yuan(text).ok_or_else(|| FormError::at(name, lang.t("rewards.not_an_amount")))
}

/// The template's JSON for `PUT /v1/voucher-templates/{id}`: the stored template (so its
/// restrictions, dates and description are kept) with the form's fields written over it.
fn template_json(lang: Lang, f: &TemplateForm, stored: Option<Value>) -> Result<Value, FormError> {
    let mut o: Map<String, Value> = match stored {
        Some(Value::Object(o)) => o,
        _ => Map::new(),
    };
    let mut title = match o.remove("title") {
        Some(Value::Object(t)) => t,
        _ => Map::new(),
    };
    for (tag, text) in [("zh-CN", &f.title_zh), ("en", &f.title_en)] {
        if text.is_empty() {
            title.remove(tag);
        } else {
            title.insert(tag.into(), json!(text));
        }
    }
    o.insert("title".into(), Value::Object(title));
    let discount = match f.kind.as_str() {
        "amount" => json!({"kind": "amount", "off": amount(lang, "discount.off", &f.off)?}),
        "percent" => {
            let percent = number(lang, "discount.percent", &f.percent)?.unwrap_or_default();
            let max_off = if f.max_off.is_empty() {
                None
            } else {
                Some(amount(lang, "discount.max_off", &f.max_off)?)
            };
            json!({"kind": "percent", "percent": percent, "max_off": max_off})
        }
        "ladder" => {
            let mut rungs = Vec::new();
            for (i, (min, off)) in f.rungs.iter().enumerate() {
                if min.is_empty() && off.is_empty() {
                    continue;
                }
                let at = rungs.len();
                rungs.push(json!({
                    "min_spend": amount(lang, &format!("discount.rungs[{at}].min_spend"), min)
                        .map_err(|e| FormError { field: format!("rung_min_{i}"), ..e })?,
                    "off": amount(lang, &format!("discount.rungs[{at}].off"), off)
                        .map_err(|e| FormError { field: format!("rung_off_{i}"), ..e })?,
                }));
            }
            json!({"kind": "ladder", "rungs": rungs})
        }
        _ => return Err(FormError::at("discount", lang.t("rewards.pick_kind"))),
    };
    o.insert("discount".into(), discount);
    let min_spend = if f.min_spend.is_empty() {
        0
    } else {
        amount(lang, "min_spend", &f.min_spend)?
    };
    o.insert("min_spend".into(), json!(min_spend));
    let mut validity = match o.remove("validity") {
        Some(Value::Object(v)) => v,
        _ => Map::new(),
    };
    match number(lang, "validity.days", &f.days)? {
        Some(d) => {
            validity.insert("days".into(), json!(d));
        }
        None => {
            validity.remove("days");
        }
    }
    o.insert("validity".into(), Value::Object(validity));
    if let Some(n) = number(lang, "max_uses", &f.max_uses)? {
        o.insert("max_uses".into(), json!(n));
    }
    o.insert(
        "code_prefix".into(),
        if f.code_prefix.is_empty() {
            Value::Null
        } else {
            json!(f.code_prefix.to_uppercase())
        },
    );
    o.insert(
        "stacking".into(),
        json!({
            "group": if f.group.is_empty() { Value::Null } else { json!(f.group) },
            "combinable": f.combinable,
        }),
    );
    o.insert("automatic".into(), json!(f.automatic));
    o.insert("giftable".into(), json!(f.giftable));
    Ok(Value::Object(o))
}

/// What a cart of `cart` fen gets from a template, by the checkout judge itself: the voucher
/// applied alone to a one-line cart.
pub fn judge_cart(t: &VoucherTemplate, cart: i64, now: jifen_core::Timestamp) -> Quote {
    let cart = Cart {
        site: None,
        lines: vec![Line {
            sku: "preview".into(),
            category: None,
            price: cart,
            quantity: 1,
        }],
    };
    let candidate = Candidate {
        code: "preview".into(),
        template_id: "preview".into(),
        terms: t,
        valid_from: None,
        valid_until: None,
        automatic: true,
        blocked: None,
    };
    quote(&cart, &[candidate], None, PointsAsk::default(), now)
}

/// The preview's sentence: "a ¥350 cart: ¥30 off; spend ¥49 more for ¥50 off".
pub fn preview_text(
    lang: Lang,
    t: &VoucherTemplate,
    cart: i64,
    now: jifen_core::Timestamp,
) -> String {
    let q = judge_cart(t, cart, now);
    let Some(v) = q.vouchers.first() else {
        return String::new();
    };
    let next = v.ladder.as_ref().and_then(|l| Some((l.next?, l.short_by?)));
    let cart_text = yuan(cart);
    let mut out = match lang {
        Lang::Zh => format!("{cart_text} 的订单："),
        Lang::En => format!("a {cart_text} cart: "),
    };
    if v.applies {
        out.push_str(&match lang {
            Lang::Zh => format!("减 {}", yuan(v.discount)),
            Lang::En => format!("{} off", yuan(v.discount)),
        });
    } else {
        out.push_str(lang.t("rewards.preview_nothing"));
        // Not a ladder, or below its first rung under a minimum spend: say what is missing.
        if next.is_none()
            && let Some(jifen_core::rewards::Reason::MinSpend { short_by, .. }) = &v.reason
        {
            out.push_str(&match lang {
                Lang::Zh => format!("；再买 {} 可用", yuan(*short_by)),
                Lang::En => format!("; spend {} more to use it", yuan(*short_by)),
            });
        }
    }
    match next {
        Some((rung, short_by)) => out.push_str(&match lang {
            Lang::Zh => format!("；再买 {} 可减 {}", yuan(short_by), yuan(rung.off)),
            Lang::En => format!("; spend {} more for {} off", yuan(short_by), yuan(rung.off)),
        }),
        None if v.applies && v.ladder.is_some() => out.push_str(lang.t("rewards.preview_top")),
        None => {}
    }
    out
}

/// The preview of a template form: the sentence, or what keeps the form from being a template.
fn preview_of(lang: Lang, f: &TemplateForm, now: jifen_core::Timestamp) -> Preview {
    let Some(cart) = parse_yuan(&f.cart) else {
        return Preview {
            text: String::new(),
            error: if f.cart.is_empty() {
                String::new()
            } else {
                lang.t("rewards.not_an_amount").to_owned()
            },
        };
    };
    let mut draft = match template_json(lang, f, None) {
        Ok(v) => v,
        Err(e) => {
            return Preview {
                text: String::new(),
                error: e.message,
            };
        }
    };
    // The preview needs only the discount: a missing title must not hide it.
    draft["title"] = json!({"en": "preview"});
    let t: VoucherTemplate = match serde_json::from_value(draft) {
        Ok(t) => t,
        Err(e) => {
            return Preview {
                text: String::new(),
                error: e.to_string(),
            };
        }
    };
    if let Err((field, message)) = t.validate() {
        return Preview {
            text: String::new(),
            error: format!("{field}: {message}"),
        };
    }
    Preview {
        text: preview_text(lang, &t, cart, now),
        error: String::new(),
    }
}

async fn find_template(
    state: &AppState,
    session: &Session,
    id: &str,
) -> Result<Option<TemplateOut>, Failure> {
    let path = format!("/v1/voucher-templates/{}", api::seg(id));
    match api::get(state, session, &path).await {
        Ok(v) => Ok(serde_json::from_value(v).ok()),
        Err(f) if f.status == StatusCode::NOT_FOUND => Ok(None),
        Err(f) => Err(f.into()),
    }
}

struct TemplateView {
    form: Option<TemplateForm>,
    error: Option<FormError>,
    toast: Option<Toast>,
    batch: Vec<String>,
    duplicates: Vec<String>,
    status: StatusCode,
}

impl Default for TemplateView {
    fn default() -> Self {
        TemplateView {
            form: None,
            error: None,
            toast: None,
            batch: Vec::new(),
            duplicates: Vec::new(),
            status: StatusCode::OK,
        }
    }
}

fn render_template(
    state: &AppState,
    session: &Session,
    stored: Option<&TemplateOut>,
    view: TemplateView,
) -> Response {
    let here = match stored {
        Some(t) => format!("/console/rewards/templates/{}", api::seg(&t.id)),
        None => "/console/rewards/templates/new".to_owned(),
    };
    let mut form = view
        .form
        .or_else(|| stored.map(template_form))
        .unwrap_or_else(|| TemplateForm {
            kind: "ladder".into(),
            rungs: vec![Default::default(); RUNGS],
            max_uses: "1".into(),
            combinable: true,
            giftable: true,
            ..TemplateForm::default()
        });
    if form.cart.is_empty() {
        form.cart = "350".into();
    }
    let preview = preview_of(session.lang, &form, state.clock.now());
    let status = if view.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        view.status
    };
    let page = TemplatePage {
        chrome: Chrome::new(session, "rewards", here).with_toast(view.toast),
        exists: stored.is_some(),
        form,
        error: view.error,
        preview,
        gives: stored
            .map(|t| gives_in(session.lang, &t.template))
            .unwrap_or_default(),
        batch: view.batch,
        duplicates: view.duplicates,
        form_id: form_id(),
    };
    (status, html(&page)).into_response()
}

async fn new_template(State(state): State<AppState>, session: Session) -> Response {
    render_template(&state, &session, None, TemplateView::default())
}

async fn template_page(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, Failure> {
    let Some(t) = find_template(&state, &session, &id).await? else {
        return Err(Failure::NotFound);
    };
    let view = TemplateView {
        toast: saved_toast(session.lang, q.saved.is_some()),
        ..TemplateView::default()
    };
    Ok(render_template(&state, &session, Some(&t), view))
}

async fn save_template(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Result<Response, Failure> {
    let lang = session.lang;
    let form = template_form_from(&fields);
    let stored = if form.id.is_empty() {
        None
    } else {
        find_template(&state, &session, &form.id).await?
    };
    let refuse = |error: FormError, stored: Option<&TemplateOut>| {
        render_template(
            &state,
            &session,
            stored,
            TemplateView {
                form: Some(form.clone()),
                error: Some(error),
                ..TemplateView::default()
            },
        )
    };
    if form.id.is_empty() {
        return Ok(refuse(
            FormError::at("id", lang.t("rewards.id_needed")),
            None,
        ));
    }
    let stored_json = stored
        .as_ref()
        .and_then(|t| serde_json::to_value(&t.template).ok());
    let body = match template_json(lang, &form, stored_json) {
        Ok(b) => b,
        Err(e) => return Ok(refuse(e, stored.as_ref())),
    };
    let path = format!("/v1/voucher-templates/{}", api::seg(&form.id));
    match api::call(&state, &session, Method::PUT, &path, Some(body)).await {
        Ok(_) => Ok(crate::console::auth::redirect(
            &headers,
            &format!("/console/rewards/templates/{}?saved=1", api::seg(&form.id)),
        )),
        Err(f) if f.status.is_client_error() => {
            Ok(refuse(FormError::from_api(&f), stored.as_ref()))
        }
        Err(f) => Err(f.into()),
    }
}

/// The ladder preview: for htmx the sentence alone, else the whole editor with it.
async fn preview(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Result<Response, Failure> {
    let form = template_form_from(&fields);
    if headers.contains_key("hx-request") {
        let preview = preview_of(session.lang, &form, state.clock.now());
        return Ok(html(&PreviewFragment { preview }));
    }
    let stored = if form.id.is_empty() {
        None
    } else {
        find_template(&state, &session, &form.id).await?
    };
    let view = TemplateView {
        form: Some(form),
        ..TemplateView::default()
    };
    Ok(render_template(&state, &session, stored.as_ref(), view))
}

async fn generate(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    Form(fields): Form<Fields>,
) -> Result<Response, Failure> {
    let lang = session.lang;
    let Some(t) = find_template(&state, &session, &id).await? else {
        return Err(Failure::NotFound);
    };
    let count = match number(lang, "count", field(&fields, "count")) {
        Ok(Some(n)) => n,
        Ok(None) => 0,
        Err(e) => {
            let view = TemplateView {
                error: Some(e),
                ..TemplateView::default()
            };
            return Ok(render_template(&state, &session, Some(&t), view));
        }
    };
    let prefix = field(&fields, "prefix").to_uppercase();
    let mut body = json!({"id": field(&fields, "form_id"), "count": count});
    if !prefix.is_empty() {
        body["prefix"] = json!(prefix);
    }
    let path = format!("/v1/voucher-templates/{}/codes", api::seg(&id));
    let view = match api::call(&state, &session, Method::POST, &path, Some(body)).await {
        Ok(a) => TemplateView {
            batch: codes_of(&a.body["codes"]),
            toast: Some(Toast {
                ok: true,
                message: lang.t("rewards.codes_made").into(),
            }),
            ..TemplateView::default()
        },
        Err(f) if f.status.is_client_error() => TemplateView {
            error: Some(FormError {
                field: format!("batch.{}", f.field.clone().unwrap_or_default()),
                message: f.message,
            }),
            ..TemplateView::default()
        },
        Err(f) => return Err(f.into()),
    };
    Ok(render_template(&state, &session, Some(&t), view))
}

fn codes_of(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c.as_str().map(str::to_owned))
        .collect()
}

/// A CSV of codes from the upload form (a file, or text pasted), sent as it is to the API.
async fn import(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    mut multipart: Multipart,
) -> Result<Response, Failure> {
    let lang = session.lang;
    let Some(t) = find_template(&state, &session, &id).await? else {
        return Err(Failure::NotFound);
    };
    let mut csv = Vec::new();
    while let Ok(Some(part)) = multipart.next_field().await {
        let name = part.name().unwrap_or_default().to_owned();
        if name == "file" || name == "text" {
            let bytes = part.bytes().await.unwrap_or_default();
            if !bytes.iter().all(u8::is_ascii_whitespace) {
                csv.extend_from_slice(&bytes);
                csv.push(b'\n');
            }
        }
    }
    let path = format!("/v1/voucher-templates/{}/codes/import", api::seg(&id));
    let view = match api::call_raw(&state, &session, Method::POST, &path, "text/csv", csv).await {
        Ok(a) => TemplateView {
            batch: codes_of(&a.body["codes"]),
            duplicates: codes_of(&a.body["duplicates"]),
            toast: Some(Toast {
                ok: true,
                message: lang.t("rewards.codes_imported").into(),
            }),
            ..TemplateView::default()
        },
        Err(f) if f.status.is_client_error() => TemplateView {
            error: Some(FormError {
                field: "import".into(),
                message: match &f.field {
                    Some(at) if !at.is_empty() => format!("{at}: {}", f.message),
                    _ => f.message.clone(),
                },
            }),
            ..TemplateView::default()
        },
        Err(f) => return Err(f.into()),
    };
    Ok(render_template(&state, &session, Some(&t), view))
}

async fn export(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let bytes = crate::service::vouchers::codes_csv(&state, &session.program, &id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{id}-codes.csv\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

// --- the checkout simulator ----------------------------------------------------------------------

/// Cart lines the simulator shows.
const LINES: usize = 4;

#[derive(Debug, Clone, Default)]
pub struct CartLine {
    pub sku: String,
    pub category: String,
    pub price: String,
    pub quantity: String,
}

#[derive(Debug, Clone, Default)]
pub struct SimForm {
    pub lines: Vec<CartLine>,
    pub member: String,
    pub vouchers: String,
    pub points: String,
    pub site: String,
}

/// One voucher of a simulated quote, readable.
pub struct SimVoucher {
    pub code: String,
    pub applies: bool,
    pub discount: String,
    pub why: String,
    pub hint: String,
}

pub struct SimResult {
    pub subtotal: String,
    pub discount: String,
    pub points_used: i64,
    pub points_value: String,
    pub points_max: i64,
    pub points_why: String,
    pub total: String,
    pub vouchers: Vec<SimVoucher>,
}

#[derive(Template)]
#[template(path = "console/reward_checkout.html")]
struct SimPage {
    chrome: Chrome,
    form: SimForm,
    error: Option<FormError>,
    result: Option<SimResult>,
}

impl SimPage {
    fn line_err(&self, row: impl std::borrow::Borrow<usize>) -> String {
        error_for(&self.error, &format!("line_{}", row.borrow()))
    }

    fn general_error(&self) -> String {
        match &self.error {
            Some(e) if !e.field.starts_with("line_") => e.message.clone(),
            _ => String::new(),
        }
    }
}

fn render_sim(
    session: &Session,
    form: SimForm,
    error: Option<FormError>,
    result: Option<SimResult>,
) -> Response {
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = SimPage {
        chrome: Chrome::new(session, "rewards", "/console/rewards/checkout"),
        form,
        error,
        result,
    };
    (status, html(&page)).into_response()
}

async fn simulator(session: Session) -> Response {
    let form = SimForm {
        lines: vec![CartLine::default(); LINES],
        ..SimForm::default()
    };
    render_sim(&session, form, None, None)
}

fn sim_result(q: &Quote) -> SimResult {
    SimResult {
        subtotal: yuan(q.subtotal),
        discount: yuan(q.discount),
        points_used: q.points.used,
        points_value: yuan(q.points.value),
        points_max: q.points.max_points,
        points_why: q
            .points
            .reason
            .as_ref()
            .map(|r| r.message())
            .unwrap_or_default(),
        total: yuan(q.total),
        vouchers: q
            .vouchers
            .iter()
            .map(|v| SimVoucher {
                code: v.code.clone(),
                applies: v.applies,
                discount: yuan(v.discount),
                why: v.reason.as_ref().map(|r| r.message()).unwrap_or_default(),
                hint: v
                    .ladder
                    .as_ref()
                    .and_then(|l| l.hint.clone())
                    .unwrap_or_default(),
            })
            .collect(),
    }
}

async fn simulate(
    State(state): State<AppState>,
    session: Session,
    Form(fields): Form<Fields>,
) -> Result<Response, Failure> {
    let lang = session.lang;
    let s = |n: &str| field(&fields, n).to_owned();
    let form = SimForm {
        lines: (0..LINES)
            .map(|i| CartLine {
                sku: s(&format!("sku_{i}")),
                category: s(&format!("category_{i}")),
                price: s(&format!("price_{i}")),
                quantity: s(&format!("quantity_{i}")),
            })
            .collect(),
        member: s("member"),
        vouchers: s("vouchers"),
        points: s("points"),
        site: s("site"),
    };
    let mut lines = Vec::new();
    for (i, l) in form.lines.iter().enumerate() {
        if l.sku.is_empty() && l.price.is_empty() {
            continue;
        }
        let at = lines.len();
        let Some(price) = parse_yuan(&l.price) else {
            let e = FormError::at(
                &format!("cart.lines[{at}].price"),
                lang.t("rewards.not_an_amount"),
            );
            return Ok(render_sim(
                &session,
                form.clone(),
                Some(relabel(e, at, i)),
                None,
            ));
        };
        let quantity = match number(lang, &format!("cart.lines[{at}].quantity"), &l.quantity) {
            Ok(q) => q.unwrap_or(1),
            Err(e) => {
                return Ok(render_sim(
                    &session,
                    form.clone(),
                    Some(relabel(e, at, i)),
                    None,
                ));
            }
        };
        let mut line = json!({"sku": l.sku, "price": price, "quantity": quantity});
        if !l.category.is_empty() {
            line["category"] = json!(l.category);
        }
        lines.push((i, line));
    }
    let rows: Vec<usize> = lines.iter().map(|(i, _)| *i).collect();
    let mut cart = json!({"lines": lines.into_iter().map(|(_, l)| l).collect::<Vec<_>>()});
    if !form.site.is_empty() {
        cart["site"] = json!(form.site);
    }
    let vouchers: Vec<&str> = form
        .vouchers
        .split([',', ' ', '\n', '，'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    let points = match number(lang, "points", &form.points) {
        Ok(p) => p.unwrap_or(0),
        Err(e) => return Ok(render_sim(&session, form, Some(e), None)),
    };
    let mut body = json!({"cart": cart, "vouchers": vouchers, "points": points});
    if !form.member.is_empty() {
        body["member"] = json!(form.member);
    }
    match api::call(
        &state,
        &session,
        Method::POST,
        "/v1/checkout/validate",
        Some(body),
    )
    .await
    {
        Ok(a) => {
            let q: Quote = serde_json::from_value(a.body)
                .map_err(|_| Failure::Api(crate::error::ApiError::Internal))?;
            Ok(render_sim(&session, form, None, Some(sim_result(&q))))
        }
        Err(f) if f.status.is_client_error() => {
            let mut e = FormError::from_api(&f);
            // The API counts the lines sent; the form shows them where they were typed.
            if let Some(rest) = e.field.strip_prefix("cart.lines[")
                && let Some((n, tail)) = rest.split_once(']')
                && let Some(row) = n.parse::<usize>().ok().and_then(|n| rows.get(n))
            {
                e.field = format!("line_{row}{tail}");
            }
            Ok(render_sim(&session, form, Some(e), None))
        }
        Err(f) => Err(f.into()),
    }
}

/// An error of the `at`th line sent, moved to the form's row `row`.
fn relabel(e: FormError, at: usize, row: usize) -> FormError {
    FormError {
        field: e
            .field
            .replacen(&format!("cart.lines[{at}]"), &format!("line_{row}"), 1),
        message: e.message,
    }
}

// --- texts ---------------------------------------------------------------------------------------

pub const ZH: &[(&str, &str)] = &[
    ("rewards.title", "奖励与券"),
    ("rewards.catalog", "积分商城"),
    ("rewards.templates", "券模板"),
    ("rewards.simulator", "结算模拟"),
    ("rewards.new_item", "新建商品"),
    ("rewards.new_template", "新建券模板"),
    ("rewards.none", "还没有内容。"),
    ("rewards.image", "图片"),
    ("rewards.item", "商品"),
    ("rewards.kind", "类型"),
    ("rewards.kind_voucher", "优惠券"),
    ("rewards.kind_physical", "实物礼品"),
    ("rewards.kind_partner_perk", "合作方权益"),
    ("rewards.kind_points_as_cash", "积分抵现券"),
    ("rewards.cost", "所需积分"),
    ("rewards.tier_costs", "等级价"),
    ("rewards.categories", "适合的品类"),
    (
        "rewards.categories_hint",
        "用逗号分隔，如 茶饮, 甜点；个性化推荐按会员常买的品类排序",
    ),
    ("rewards.brand_cost", "品牌成本（元）"),
    (
        "rewards.brand_cost_hint",
        "每件的成本，个性化推荐时成本低的略靠前；积分抵现券默认按面值",
    ),
    (
        "rewards.tier_costs_hint",
        "每个等级一项，如 gold=800, silver=900",
    ),
    ("rewards.stock", "库存"),
    ("rewards.stock_left", "剩余 / 总量"),
    ("rewards.taken", "已兑换"),
    ("rewards.unlimited", "不限"),
    ("rewards.limits", "兑换限制"),
    ("rewards.limit_lifetime", "每人累计"),
    ("rewards.limit_per_redemption", "每次最多"),
    ("rewards.per_day", "每人每天"),
    ("rewards.per_week", "每人每周"),
    ("rewards.per_month", "每人每月"),
    ("rewards.per_year", "每人每年"),
    ("rewards.period_limit", "周期限兑"),
    ("rewards.early_access", "提前兑换"),
    (
        "rewards.early_access_hint",
        "等级提前开放的小时数，如 gold=24",
    ),
    ("rewards.available_from", "开始兑换时间"),
    ("rewards.available_until", "结束兑换时间"),
    ("rewards.local_time_hint", "按本计划时区"),
    ("rewards.paused", "暂停兑换"),
    ("rewards.active", "兑换中"),
    ("rewards.id", "编号"),
    (
        "rewards.id_hint",
        "1–64 位小写字母、数字、- 或 _，保存后不可更改",
    ),
    ("rewards.id_needed", "请填写编号"),
    ("rewards.title_zh", "中文名称"),
    ("rewards.title_en", "英文名称"),
    ("rewards.template", "发放的券模板"),
    ("rewards.shipping", "需要邮寄"),
    ("rewards.partner", "合作方"),
    ("rewards.cash_value", "抵现金额（元）"),
    ("rewards.valid_days", "有效天数"),
    ("rewards.upload", "上传图片"),
    (
        "rewards.upload_hint",
        "PNG、JPEG、WebP 或 GIF，不超过 512 KiB；按文件内容识别格式。",
    ),
    ("rewards.no_image", "暂无图片"),
    ("rewards.image_refused", "图片未保存："),
    ("rewards.history", "修改记录"),
    ("rewards.history_all", "查看全部审计记录"),
    ("rewards.not_a_number", "请填写整数"),
    ("rewards.not_an_amount", "请填写金额（元），如 199 或 49.90"),
    ("rewards.not_a_time", "请填写日期时间，如 2026-06-18T20:00"),
    ("rewards.pairs_bad", "请按“等级=数值”填写，无法识别："),
    ("rewards.pick_kind", "请选择类型"),
    ("rewards.gives", "优惠内容"),
    ("rewards.automatic", "自动适用（无需券码）"),
    ("rewards.discount", "优惠方式"),
    ("rewards.discount_amount", "立减"),
    ("rewards.discount_percent", "折扣"),
    ("rewards.discount_ladder", "满减阶梯"),
    ("rewards.off", "减免金额（元）"),
    ("rewards.percent", "折扣比例（%，如 15 表示减 15%）"),
    ("rewards.max_off", "最多减（元）"),
    ("rewards.ladder", "满减阶梯"),
    (
        "rewards.ladder_hint",
        "每档：满多少元减多少元，门槛和减免都逐档递增。如 满 199 减 30，满 399 减 50。",
    ),
    ("rewards.rung_min", "满（元）"),
    ("rewards.rung_off", "减（元）"),
    ("rewards.min_spend", "最低消费（元）"),
    ("rewards.days", "领取后有效天数"),
    ("rewards.max_uses", "每个券码可用次数"),
    ("rewards.code_prefix", "券码前缀"),
    ("rewards.group", "互斥组"),
    ("rewards.group_hint", "同一组的券每单只能用一张"),
    ("rewards.combinable", "可与其他券叠加"),
    ("rewards.giftable", "可转赠好友"),
    ("rewards.preview", "效果预览"),
    ("rewards.preview_cart", "订单金额（元）"),
    ("rewards.preview_button", "预览"),
    ("rewards.preview_nothing", "暂无优惠"),
    ("rewards.preview_top", "（已达最高档）"),
    ("rewards.batches", "券码批次"),
    ("rewards.generate", "生成券码"),
    ("rewards.count", "数量"),
    ("rewards.prefix", "前缀（可选）"),
    ("rewards.codes_made", "券码已生成"),
    ("rewards.import", "导入 CSV"),
    (
        "rewards.import_hint",
        "每行：券码[,会员编号[,可用次数]]，可带表头 code。",
    ),
    ("rewards.import_text", "或直接粘贴"),
    ("rewards.codes_imported", "券码已导入"),
    ("rewards.duplicates", "已存在、未改动的券码"),
    ("rewards.export", "导出全部券码 CSV"),
    ("rewards.batch_codes", "本批券码"),
    (
        "rewards.sim_intro",
        "填写一个购物车，查看哪些券可用、各减多少、积分能抵多少以及实付金额。不会改动任何数据。",
    ),
    ("rewards.sim_lines", "商品"),
    ("rewards.sku", "SKU"),
    ("rewards.category", "品类"),
    ("rewards.price", "单价（元）"),
    ("rewards.quantity", "数量"),
    ("rewards.member", "会员编号"),
    (
        "rewards.member_hint",
        "留空为游客（仅公开券码，不可用积分）",
    ),
    ("rewards.vouchers", "券码"),
    ("rewards.vouchers_hint", "多个券码用逗号或空格分隔"),
    ("rewards.points", "使用积分"),
    ("rewards.site", "下单渠道"),
    ("rewards.simulate", "计算"),
    ("rewards.result", "计算结果"),
    ("rewards.subtotal", "商品合计"),
    ("rewards.voucher_discount", "券抵扣"),
    ("rewards.points_pay", "积分抵扣"),
    ("rewards.points_max", "本单最多可用积分"),
    ("rewards.total", "实付"),
    ("rewards.applies", "可用"),
    ("rewards.not_applies", "不可用"),
    ("rewards.why", "原因"),
    ("rewards.edit", "编辑"),
    ("rewards.readonly", "你的角色只能查看。"),
];

pub const EN: &[(&str, &str)] = &[
    ("rewards.title", "Rewards and vouchers"),
    ("rewards.catalog", "Catalog"),
    ("rewards.templates", "Voucher templates"),
    ("rewards.simulator", "Checkout simulator"),
    ("rewards.new_item", "New item"),
    ("rewards.new_template", "New template"),
    ("rewards.none", "Nothing yet."),
    ("rewards.image", "Image"),
    ("rewards.item", "Item"),
    ("rewards.kind", "Kind"),
    ("rewards.kind_voucher", "Voucher"),
    ("rewards.kind_physical", "Physical gift"),
    ("rewards.kind_partner_perk", "Partner perk"),
    ("rewards.kind_points_as_cash", "Points as cash"),
    ("rewards.cost", "Cost (points)"),
    ("rewards.tier_costs", "Tier prices"),
    ("rewards.categories", "Categories it suits"),
    (
        "rewards.categories_hint",
        "Comma-separated, e.g. 茶饮, 甜点; personal offers rank by the categories a member buys",
    ),
    ("rewards.brand_cost", "Cost to the brand (¥)"),
    (
        "rewards.brand_cost_hint",
        "Per unit; personal offers put cheaper ones slightly first; points-as-cash defaults to its value",
    ),
    (
        "rewards.tier_costs_hint",
        "One per tier, e.g. gold=800, silver=900",
    ),
    ("rewards.stock", "Stock"),
    ("rewards.stock_left", "Left / total"),
    ("rewards.taken", "Redeemed"),
    ("rewards.unlimited", "Unlimited"),
    ("rewards.limits", "Limits"),
    ("rewards.limit_lifetime", "per member ever"),
    ("rewards.limit_per_redemption", "per redemption"),
    ("rewards.per_day", "per member a day"),
    ("rewards.per_week", "per member a week"),
    ("rewards.per_month", "per member a month"),
    ("rewards.per_year", "per member a year"),
    ("rewards.period_limit", "Limit per period"),
    ("rewards.early_access", "Early access"),
    (
        "rewards.early_access_hint",
        "Hours a tier may redeem before opening, e.g. gold=24",
    ),
    ("rewards.available_from", "Opens at"),
    ("rewards.available_until", "Closes at"),
    ("rewards.local_time_hint", "in the program's time zone"),
    ("rewards.paused", "Paused"),
    ("rewards.active", "Active"),
    ("rewards.id", "Id"),
    (
        "rewards.id_hint",
        "1–64 of a-z, 0-9, - and _; fixed once saved",
    ),
    ("rewards.id_needed", "Give it an id"),
    ("rewards.title_zh", "Title (Chinese)"),
    ("rewards.title_en", "Title (English)"),
    ("rewards.template", "Voucher template it issues"),
    ("rewards.shipping", "Shipped"),
    ("rewards.partner", "Partner"),
    ("rewards.cash_value", "Cash value (¥)"),
    ("rewards.valid_days", "Valid days"),
    ("rewards.upload", "Upload image"),
    (
        "rewards.upload_hint",
        "PNG, JPEG, WebP or GIF, at most 512 KiB; the type is told by the file's bytes.",
    ),
    ("rewards.no_image", "No image"),
    ("rewards.image_refused", "Image not saved: "),
    ("rewards.history", "History"),
    ("rewards.history_all", "All audit records"),
    ("rewards.not_a_number", "Type a whole number"),
    (
        "rewards.not_an_amount",
        "Type an amount in yuan, e.g. 199 or 49.90",
    ),
    (
        "rewards.not_a_time",
        "Type a date and time, e.g. 2026-06-18T20:00",
    ),
    (
        "rewards.pairs_bad",
        "Write tier=number; this does not read:",
    ),
    ("rewards.pick_kind", "Pick a kind"),
    ("rewards.gives", "Gives"),
    ("rewards.automatic", "Automatic (no code needed)"),
    ("rewards.discount", "Discount"),
    ("rewards.discount_amount", "Amount off"),
    ("rewards.discount_percent", "Percent off"),
    ("rewards.discount_ladder", "Spend ladder"),
    ("rewards.off", "Amount off (¥)"),
    ("rewards.percent", "Percent off (15 takes 15% off)"),
    ("rewards.max_off", "At most (¥)"),
    ("rewards.ladder", "Spend ladder"),
    (
        "rewards.ladder_hint",
        "Each rung: spend at least so much, get so much off; both rise rung by rung. E.g. ¥30 off ¥199, ¥50 off ¥399.",
    ),
    ("rewards.rung_min", "Spend (¥)"),
    ("rewards.rung_off", "Off (¥)"),
    ("rewards.min_spend", "Minimum spend (¥)"),
    ("rewards.days", "Valid days from issue"),
    ("rewards.max_uses", "Uses per code"),
    ("rewards.code_prefix", "Code prefix"),
    ("rewards.group", "Stacking group"),
    ("rewards.group_hint", "One voucher of a group per order"),
    ("rewards.combinable", "Combines with other vouchers"),
    ("rewards.giftable", "Members may gift it"),
    ("rewards.preview", "Preview"),
    ("rewards.preview_cart", "Cart amount (¥)"),
    ("rewards.preview_button", "Preview"),
    ("rewards.preview_nothing", "no discount yet"),
    ("rewards.preview_top", " (the top rung)"),
    ("rewards.batches", "Code batches"),
    ("rewards.generate", "Generate codes"),
    ("rewards.count", "How many"),
    ("rewards.prefix", "Prefix (optional)"),
    ("rewards.codes_made", "Codes generated"),
    ("rewards.import", "Import CSV"),
    (
        "rewards.import_hint",
        "One per line: code[,member[,uses]]; a header row `code` is fine.",
    ),
    ("rewards.import_text", "Or paste them"),
    ("rewards.codes_imported", "Codes imported"),
    (
        "rewards.duplicates",
        "Codes that existed already (left as they were)",
    ),
    ("rewards.export", "Export all codes (CSV)"),
    ("rewards.batch_codes", "Codes of this batch"),
    (
        "rewards.sim_intro",
        "Fill in a cart to see which vouchers apply, what each takes off, what points pay, and the final amount. Nothing is changed.",
    ),
    ("rewards.sim_lines", "Lines"),
    ("rewards.sku", "SKU"),
    ("rewards.category", "Category"),
    ("rewards.price", "Unit price (¥)"),
    ("rewards.quantity", "Quantity"),
    ("rewards.member", "Member id"),
    (
        "rewards.member_hint",
        "Empty for a guest (public codes only, no points)",
    ),
    ("rewards.vouchers", "Voucher codes"),
    (
        "rewards.vouchers_hint",
        "Separate codes with commas or spaces",
    ),
    ("rewards.points", "Points to use"),
    ("rewards.site", "Site"),
    ("rewards.simulate", "Calculate"),
    ("rewards.result", "Result"),
    ("rewards.subtotal", "Subtotal"),
    ("rewards.voucher_discount", "Vouchers"),
    ("rewards.points_pay", "Points pay"),
    ("rewards.points_max", "Most points this order takes"),
    ("rewards.total", "To pay"),
    ("rewards.applies", "applies"),
    ("rewards.not_applies", "does not apply"),
    ("rewards.why", "Why"),
    ("rewards.edit", "Edit"),
    ("rewards.readonly", "Your role can only look."),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_fields_read_as_fen() {
        assert_eq!(parse_yuan("350"), Some(35_000));
        assert_eq!(parse_yuan("49.9"), Some(4_990));
        assert_eq!(parse_yuan("¥1,299.05"), Some(129_905));
        assert_eq!(parse_yuan("1.234"), None);
        assert_eq!(parse_yuan("-1"), None);
        assert_eq!(parse_yuan("abc"), None);
        assert_eq!(yuan_field(4_990), "49.90");
    }

    #[test]
    fn the_ladder_preview_reads_the_judge() {
        let t: VoucherTemplate = serde_json::from_value(json!({
            "title": {"en": "x"},
            "discount": {"kind": "ladder", "rungs": [
                {"min_spend": 19_900, "off": 3_000}, {"min_spend": 39_900, "off": 5_000}]}
        }))
        .unwrap();
        let now = chrono::Utc::now();
        assert_eq!(
            preview_text(Lang::En, &t, 35_000, now),
            "a ¥350 cart: ¥30 off; spend ¥49 more for ¥50 off"
        );
        assert_eq!(
            preview_text(Lang::Zh, &t, 35_000, now),
            "¥350 的订单：减 ¥30；再买 ¥49 可减 ¥50"
        );
        assert_eq!(
            preview_text(Lang::En, &t, 10_000, now),
            "a ¥100 cart: no discount yet; spend ¥99 more for ¥30 off"
        );
        assert_eq!(
            preview_text(Lang::En, &t, 50_000, now),
            "a ¥500 cart: ¥50 off (the top rung)"
        );
        assert_eq!(gives_in(Lang::Zh, &t), "满 ¥199 减 ¥30，满 ¥399 减 ¥50");
        assert_eq!(gives_in(Lang::En, &t), "¥30 off ≥ ¥199, ¥50 off ≥ ¥399");
    }
}
