//! The members page, for support agents above all: one search box that finds a member by any
//! of their ids (external id, phone in any common format, WeChat, Tmall, email, an order), and
//! the member page with everything about them and the actions the role allows.
//!
//! Reads use the store and the services (the member page must render fast on a large program:
//! every query here is by member, indexed, and paged). Writes go through the `/v1` handlers
//! ([`api::call`]), so their validation, idempotency and errors are the API's.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{NaiveDate, NaiveTime, TimeZone};
use serde::Deserialize;
use serde_json::{Value, json};

use jifen_core::{CauseKind, EntryKind, Timestamp};
use jifen_store::{Member, StoredEntry};

use crate::app::AppState;
use crate::console::account::local_time;
use crate::console::api::{self, ApiFailure, seg};
use crate::console::auth::{self, Perm, Session};
use crate::console::i18n::Lang;
use crate::console::{Chrome, Failure, Route, Toast, html};
use crate::parse;

pub use crate::console::operators::DEFAULT_SUPPORT_LIMIT;
/// Members per page of the recent-members list.
const MEMBERS_PAGE: u32 = 50;
/// Ledger entries per page of the member page.
const LEDGER_PAGE: usize = 50;
/// Entries read per query while filtering the ledger.
const LEDGER_BATCH: u32 = 200;
/// The most entries one filtered page examines: a rare filter on a long ledger stops there and
/// offers the next page instead of reading the whole ledger in one request.
const LEDGER_SCAN: usize = 2_000;
/// Recent entries the events and checkouts sections are drawn from.
const RECENT_ENTRIES: u32 = 200;
/// The most events and checkouts the page shows.
const RECENT_ITEMS: usize = 20;

pub fn routes() -> Vec<Route> {
    vec![
        Route::new(Method::GET, "/console/members", Perm::View, get(search)),
        Route::new(
            Method::GET,
            "/console/members/{id}",
            Perm::View,
            get(member_page),
        ),
        Route::new(
            Method::GET,
            "/console/members/{id}/ledger",
            Perm::View,
            get(ledger_part),
        ),
        Route::new(
            Method::POST,
            "/console/members/{id}/adjust",
            Perm::Serve,
            post(adjust),
        ),
        Route::new(
            Method::POST,
            "/console/members/{id}/vouchers",
            Perm::Serve,
            post(issue_voucher),
        ),
        Route::new(
            Method::POST,
            "/console/members/{id}/tier-override",
            Perm::Serve,
            post(override_tier),
        ),
        Route::new(
            Method::POST,
            "/console/members/{id}/status",
            Perm::Serve,
            post(set_status),
        ),
    ]
}

// --- search ----------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
struct SearchQuery {
    #[serde(default)]
    q: String,
    after: Option<String>,
}

pub struct MemberRow {
    pub id: String,
    pub href: String,
    pub name: String,
    pub phone: String,
    pub status: String,
    pub suspended: bool,
    pub enrolled: String,
    /// How the search found the member (empty in the recent list).
    pub matched: String,
}

#[derive(Template)]
#[template(path = "console/members.html")]
struct SearchPage {
    chrome: Chrome,
    q: String,
    searched: bool,
    rows: Vec<MemberRow>,
    next: Option<String>,
}

/// The ways `q` may name members, with the member each finds (a member once, first way wins).
pub async fn find(
    state: &AppState,
    program_id: &str,
    q: &str,
) -> Result<Vec<(&'static str, Member)>, Failure> {
    let q = q.trim();
    let mut found: Vec<(&'static str, Member)> = Vec::new();
    if q.is_empty() || !parse::could_be_id(q) {
        return Ok(found);
    }
    let mut add = |how: &'static str, m: Option<Member>| {
        if let Some(m) = m
            && !found.iter().any(|(_, f)| f.id == m.id)
        {
            found.push((how, m));
        }
    };
    add("external_id", state.store.get_member(program_id, q).await?);
    if let Ok(phone) = parse::phone("q", q) {
        add(
            "phone",
            state
                .store
                .member_by_identity(program_id, "phone", &phone)
                .await?,
        );
    }
    if q.contains('@') {
        add(
            "email",
            state
                .store
                .member_by_identity(program_id, "email", &q.to_lowercase())
                .await?,
        );
    }
    for kind in ["wechat_unionid", "wechat_openid", "tmall_ouid"] {
        add(
            kind,
            state.store.member_by_identity(program_id, kind, q).await?,
        );
    }
    // `kind:value` names any identity, custom kinds included, as `?identity=` of the API does.
    if let Ok(ident) = parse::identity_query(q) {
        add(
            "identity",
            state
                .store
                .member_by_identity(program_id, &ident.kind, &ident.value)
                .await?,
        );
    }
    if let Some(order) = state.store.order_history(program_id, q).await?
        && let Some(owner) = order.member_external_id
    {
        add("order", state.store.get_member(program_id, &owner).await?);
    }
    Ok(found)
}

fn member_row(session: &Session, m: &Member, matched: &str) -> MemberRow {
    MemberRow {
        id: m.external_id.clone(),
        href: format!("/console/members/{}", seg(&m.external_id)),
        name: m.name.clone().unwrap_or_default(),
        phone: m.phone.clone().unwrap_or_default(),
        suspended: m.status == "suspended",
        status: session
            .lang
            .t(&format!("members.status_{}", m.status))
            .to_owned(),
        enrolled: local_time(session, m.enrolled_at),
        matched: if matched.is_empty() {
            String::new()
        } else {
            session.lang.t(&format!("members.by_{matched}")).to_owned()
        },
    }
}

async fn search(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Query(q): Query<SearchQuery>,
) -> Result<Response, Failure> {
    let text = q.q.trim().to_owned();
    let here = if text.is_empty() {
        "/console/members".to_owned()
    } else {
        format!("/console/members?q={}", seg(&text))
    };
    let chrome = Chrome::new(&session, "members", here);
    if !text.is_empty() {
        let found = find(&state, &session.program.id, &text).await?;
        if let [(_, only)] = found.as_slice() {
            return Ok(auth::redirect(
                &headers,
                &format!("/console/members/{}", seg(&only.external_id)),
            ));
        }
        let rows = found
            .iter()
            .map(|(how, m)| member_row(&session, m, how))
            .collect();
        return Ok(html(&SearchPage {
            chrome,
            q: text,
            searched: true,
            rows,
            next: None,
        }));
    }
    let after = match q.after.as_deref() {
        Some(a) => Some(a.parse::<i64>().map_err(|_| Failure::NotFound)?),
        None => None,
    };
    let members = state
        .store
        .list_members(&session.program.id, MEMBERS_PAGE, after)
        .await?;
    let next = (members.len() == MEMBERS_PAGE as usize)
        .then(|| members.last().map(|m| m.id.to_string()))
        .flatten();
    Ok(html(&SearchPage {
        chrome,
        q: String::new(),
        searched: false,
        rows: members
            .iter()
            .map(|m| member_row(&session, m, ""))
            .collect(),
        next,
    }))
}

// --- the member page -------------------------------------------------------------------------

#[derive(Deserialize, Default, Clone)]
pub struct PageQuery {
    /// The balance's as-of date, `YYYY-MM-DD` in the program's zone.
    #[serde(default)]
    pub at: String,
    /// Ledger filters: an entry kind, a first and a last day.
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    /// The ledger page: entries before this sequence number.
    pub before: Option<i64>,
    /// What was just done, for the toast after a redirect.
    pub done: Option<String>,
}

pub struct Figure {
    pub label: &'static str,
    pub value: i64,
}

pub struct LotRow {
    pub id: i64,
    pub amount: i64,
    pub left: i64,
    pub state: &'static str,
    pub state_class: &'static str,
    pub available_at: String,
    pub expires_at: String,
    pub order: String,
}

pub struct EntryRow {
    pub seq: i64,
    pub when: String,
    pub kind: &'static str,
    pub text: String,
    pub points: i64,
}

pub struct LedgerView {
    pub member: String,
    /// The member's id as a path segment.
    pub path: String,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub kind: String,
    pub from: String,
    pub to: String,
    pub rows: Vec<EntryRow>,
    /// The link to the next page, when there may be one.
    pub next: Option<String>,
    pub first: Option<String>,
}

impl LedgerView {
    /// The ledger section alone at a link of the page, for htmx.
    pub fn part(&self, href: &str) -> String {
        let (path, query) = href.split_once('?').unwrap_or((href, ""));
        if query.is_empty() {
            format!("{path}/ledger")
        } else {
            format!("{path}/ledger?{query}")
        }
    }
}

pub struct TierView {
    pub name: String,
    pub earned: String,
    pub since: String,
    pub review: String,
    pub override_text: String,
    pub basis: String,
    pub value: i64,
    pub next_tier: String,
    pub missing: i64,
    pub percent: i64,
    pub history: Vec<TierChangeRow>,
    pub tiers: Vec<(String, String)>,
}

pub struct TierChangeRow {
    pub when: String,
    pub text: String,
    pub reason: String,
}

pub struct VoucherRow {
    pub code: String,
    pub template: String,
    pub title: String,
    pub gives: String,
    pub state: String,
    pub valid_until: String,
    pub issued: String,
}

pub struct SimpleRow {
    pub id: String,
    pub when: String,
    pub what: String,
    pub status: String,
}

/// One of the member's personal offers, with its score and where it came from.
pub struct OfferRow {
    pub title: String,
    pub kind: String,
    pub id: String,
    pub score: String,
    pub reasons: String,
    /// `affinity 24 · ready 20 · thrift 5`.
    pub parts: String,
}

/// An error of an action form, shown at the form (and its field).
#[derive(Default, Clone)]
pub struct FormError {
    pub form: String,
    pub field: String,
    pub message: String,
}

/// The values of an action form sent back with its error, so nothing typed is lost.
#[derive(Default, Clone)]
pub struct Sent {
    pub points: String,
    pub reason: String,
    pub template: String,
    pub tier: String,
    pub until: String,
}

#[derive(Template)]
#[template(path = "console/member.html")]
struct MemberPage {
    chrome: Chrome,
    m: Profile,
    balance_at: String,
    balance_date: String,
    figures: Vec<Figure>,
    expiring: Vec<(String, i64)>,
    lots: Vec<LotRow>,
    ledger: LedgerView,
    tier: Option<TierView>,
    vouchers: Vec<VoucherRow>,
    offers: Vec<OfferRow>,
    templates: Vec<(String, String)>,
    redemptions: Vec<SimpleRow>,
    events: Vec<SimpleRow>,
    checkouts: Vec<SimpleRow>,
    gifts: Vec<SimpleRow>,
    error: FormError,
    sent: Sent,
    /// Fresh idempotency ids, one per action form.
    ids: [String; 4],
    limit: Option<i64>,
    history_href: String,
    audit_href: String,
}

impl MemberPage {
    fn err(&self, form: &str) -> &str {
        if self.error.form == form {
            &self.error.message
        } else {
            ""
        }
    }
    fn bad(&self, form: &str, field: &str) -> bool {
        self.error.form == form && (self.error.field == field || self.error.field.is_empty())
    }
}

#[derive(Template)]
#[template(path = "console/_member_ledger.html")]
struct LedgerPart {
    chrome: Chrome,
    ledger: LedgerView,
}

pub struct Profile {
    pub id: String,
    pub path: String,
    pub name: String,
    pub phone: String,
    pub birthday: String,
    pub gender: String,
    pub city: String,
    pub status: String,
    pub suspended: bool,
    pub enrolled: String,
    pub identities: Vec<(String, String)>,
    pub attributes: String,
}

fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// A date typed in a form as the end of that day in the program's zone.
fn end_of_day(session: &Session, raw: &str) -> Option<Timestamp> {
    let day = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").ok()?;
    let tz = crate::service::program_tz(&session.program);
    let local = day.and_time(NaiveTime::from_hms_opt(23, 59, 59)?);
    tz.from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&chrono::Utc))
}

/// A date typed in a form as the start of that day in the program's zone.
fn start_of_day(session: &Session, raw: &str) -> Option<Timestamp> {
    let day = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").ok()?;
    let tz = crate::service::program_tz(&session.program);
    tz.from_local_datetime(&day.and_time(NaiveTime::MIN))
        .earliest()
        .map(|t| t.with_timezone(&chrono::Utc))
}

fn local_date(session: &Session, at: Timestamp) -> String {
    let tz = crate::service::program_tz(&session.program);
    at.with_timezone(&tz).format("%Y-%m-%d").to_string()
}

fn fill(text: &str, pairs: &[(&str, &str)]) -> String {
    let mut out = text.to_owned();
    for (k, v) in pairs {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

/// An entry in plain language: "订单 T-1001 获得 268 积分", "退款扣回 100 积分".
pub fn describe(lang: Lang, e: &jifen_core::Entry) -> String {
    let n = e.points.unsigned_abs().to_string();
    let order = e.order_id.clone().unwrap_or_default();
    let reason = e.reason.clone().unwrap_or_default();
    let hold = e.hold.clone().unwrap_or_default();
    let key = format!("members.entry_{}", crate::ledger_words::phrase(e));
    let mut text = fill(
        lang.t(&key),
        &[
            ("n", &n),
            ("order", &order),
            ("hold", &hold),
            ("cause", &e.cause.id),
        ],
    );
    if !reason.is_empty() {
        text.push_str(&fill(
            lang.t("members.entry_reason"),
            &[("reason", &reason)],
        ));
    }
    text
}

fn entry_kind_label(lang: Lang, kind: EntryKind) -> &'static str {
    lang.t(&format!("members.kind_{}", kind.as_str()))
}

fn entry_row(session: &Session, s: &StoredEntry) -> EntryRow {
    EntryRow {
        seq: s.entry.seq,
        when: local_time(session, s.entry.effective_at),
        kind: entry_kind_label(session.lang, s.entry.kind),
        text: describe(session.lang, &s.entry),
        points: s.entry.points,
    }
}

fn ledger_href(member: &str, q: &PageQuery, before: Option<i64>) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    for (k, v) in [("kind", &q.kind), ("from", &q.from), ("to", &q.to)] {
        if !v.is_empty() {
            pairs.push((k, v.clone()));
        }
    }
    if let Some(b) = before {
        pairs.push(("before", b.to_string()));
    }
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    if query.is_empty() {
        format!("/console/members/{}", seg(member))
    } else {
        format!("/console/members/{}?{query}", seg(member))
    }
}

/// One page of the member's ledger, newest first, filtered: read by member in batches (the
/// primary key's order), never across the program.
async fn ledger_view(
    state: &AppState,
    session: &Session,
    member: &Member,
    q: &PageQuery,
) -> Result<LedgerView, Failure> {
    let kind = EntryKind::parse(&q.kind);
    let from = start_of_day(session, &q.from);
    let to = end_of_day(session, &q.to);
    let mut rows = Vec::new();
    let mut before = q.before;
    let mut scanned = 0usize;
    let mut more = false;
    'scan: loop {
        let batch = state
            .store
            .list_entries(member.id, LEDGER_BATCH, before)
            .await?;
        let full = batch.len() == LEDGER_BATCH as usize;
        for s in &batch {
            scanned += 1;
            before = Some(s.entry.seq);
            let e = &s.entry;
            let keep = kind.is_none_or(|k| e.kind == k)
                && from.is_none_or(|f| e.effective_at >= f)
                && to.is_none_or(|t| e.effective_at <= t);
            if keep {
                rows.push(entry_row(session, s));
                if rows.len() == LEDGER_PAGE {
                    more = s.entry.seq > 1 || full;
                    break 'scan;
                }
            }
            if scanned >= LEDGER_SCAN {
                more = s.entry.seq > 1;
                break 'scan;
            }
        }
        if !full {
            break;
        }
    }
    let lang = session.lang;
    Ok(LedgerView {
        member: member.external_id.clone(),
        path: seg(&member.external_id),
        kinds: EntryKind::ALL
            .iter()
            .map(|k| (k.as_str(), entry_kind_label(lang, *k)))
            .collect(),
        kind: q.kind.clone(),
        from: q.from.clone(),
        to: q.to.clone(),
        rows,
        next: more.then(|| ledger_href(&member.external_id, q, before)),
        first: q
            .before
            .is_some()
            .then(|| ledger_href(&member.external_id, q, None)),
    })
}

async fn member_of(state: &AppState, session: &Session, id: &str) -> Result<Member, Failure> {
    crate::service::ledger::find_member(state, &session.program, id)
        .await
        .map_err(|e| match e {
            crate::error::ApiError::MemberNotFound(_) => Failure::NotFound,
            other => Failure::Api(other),
        })
}

fn profile(session: &Session, m: &Member) -> Profile {
    Profile {
        id: m.external_id.clone(),
        path: seg(&m.external_id),
        name: m.name.clone().unwrap_or_default(),
        phone: m.phone.clone().unwrap_or_default(),
        birthday: m.birthday.map(|d| d.to_string()).unwrap_or_default(),
        gender: m.gender.clone().unwrap_or_default(),
        city: m.city.clone().unwrap_or_default(),
        suspended: m.status == "suspended",
        status: session
            .lang
            .t(&format!("members.status_{}", m.status))
            .to_owned(),
        enrolled: local_time(session, m.enrolled_at),
        identities: m
            .identities
            .iter()
            .map(|i| (i.kind.clone(), i.value.clone()))
            .collect(),
        attributes: match &m.attributes {
            Value::Object(o) if o.is_empty() => String::new(),
            Value::Null => String::new(),
            other => other.to_string(),
        },
    }
}

async fn tier_view(
    state: &AppState,
    session: &Session,
    m: &Member,
) -> Result<Option<TierView>, Failure> {
    let now = state.clock.now();
    let Some(s) = crate::api::tiers::standing(state, &session.program, m, now).await? else {
        return Ok(None);
    };
    let lang = session.lang;
    let settings = crate::service::tiers::TierSettings::read(state, &session.program.id).await?;
    let Some(policy) = settings.policy.as_ref() else {
        return Ok(None);
    };
    let tiers: Vec<(String, String)> = policy
        .tiers
        .iter()
        .map(|t| (t.id.clone(), t.name.clone()))
        .collect();
    let name_of = |id: &str| {
        tiers
            .iter()
            .find(|(i, _)| i == id)
            .map_or_else(|| id.to_owned(), |(_, n)| n.clone())
    };
    let history = state
        .store
        .tier_changes(m.id, None, 20)
        .await?
        .into_iter()
        .map(|c| TierChangeRow {
            when: local_time(session, c.at),
            text: fill(
                lang.t(&format!("members.tier_{}", c.kind)),
                &[
                    ("from", &name_of(&c.from_tier)),
                    ("to", &name_of(&c.to_tier)),
                ],
            ),
            reason: c.reason.unwrap_or_default(),
        })
        .collect();
    let basis = match &policy.basis {
        jifen_core::tiers::Basis::PointsEarned { .. } => lang.t("members.basis_points").to_owned(),
        jifen_core::tiers::Basis::Spend { .. } => lang.t("members.basis_spend").to_owned(),
        jifen_core::tiers::Basis::Meter { meter } => meter.clone(),
    };
    let p = &s.progress;
    let percent = match p.next_threshold {
        Some(t) if t > 0 => (p.value.saturating_mul(100) / t).clamp(0, 100),
        _ => 100,
    };
    Ok(Some(TierView {
        name: s.tier.name.clone(),
        earned: name_of(&s.earned_tier),
        since: local_time(session, s.since),
        review: s
            .review_at
            .map(|t| local_time(session, t))
            .unwrap_or_default(),
        override_text: s
            .r#override
            .as_ref()
            .map(|o| {
                fill(
                    lang.t("members.override_now"),
                    &[
                        ("tier", &name_of(&o.tier)),
                        ("until", &local_time(session, o.until)),
                        ("reason", &o.reason),
                    ],
                )
            })
            .unwrap_or_default(),
        basis,
        value: p.value,
        next_tier: p.next_tier.as_deref().map(name_of).unwrap_or_default(),
        missing: p.missing.unwrap_or(0),
        percent,
        history,
        tiers,
    }))
}

/// The balance (as of the chosen day, or now) and the lots with points left, soonest expiry
/// first. One read of the member's book serves both when the balance is the current one.
async fn book_section(
    state: &AppState,
    session: &Session,
    m: &Member,
    q: &PageQuery,
) -> Result<(jifen_core::Balance, Vec<LotRow>), Failure> {
    let lang = session.lang;
    let now = state.clock.now();
    let program = &session.program;
    let ledger = crate::service::ledger::book_at(state, program, &m.external_id, now, false);
    let (book, balance) = match end_of_day(session, &q.at) {
        Some(at) => {
            let ((_, book), balance) = tokio::try_join!(
                ledger,
                crate::service::ledger::balance_at(state, program, &m.external_id, at)
            )?;
            (book, balance)
        }
        None => {
            let (_, book) = ledger.await?;
            let balance = book.balance();
            (book, balance)
        }
    };
    let soon = now + chrono::Duration::days(30);
    let mut lots: Vec<_> = book
        .lots()
        .filter(|(_, left)| *left > 0)
        .map(|(lot, left)| {
            let (state, class) = if lot.is_expired_at(now) {
                ("members.lot_expired", "bad")
            } else if lot.is_pending_at(now) {
                ("members.lot_pending", "warn")
            } else if lot.expires_at.is_some_and(|t| t <= soon) {
                ("members.lot_expiring", "warn")
            } else {
                ("members.lot_available", "ok")
            };
            (
                lot.expires_at,
                LotRow {
                    id: lot.id,
                    amount: lot.amount,
                    left,
                    state: lang.t(state),
                    state_class: class,
                    available_at: local_time(session, lot.available_at),
                    expires_at: lot
                        .expires_at
                        .map(|t| local_time(session, t))
                        .unwrap_or_else(|| lang.t("members.never").to_owned()),
                    order: lot.order_id.clone().unwrap_or_default(),
                },
            )
        })
        .collect();
    lots.sort_by_key(|(exp, lot)| (exp.is_none(), *exp, lot.id));
    Ok((balance, lots.into_iter().map(|(_, l)| l).collect()))
}

/// The events and checkouts behind the member's recent entries, newest first.
async fn activity_section(
    state: &AppState,
    session: &Session,
    m: &Member,
) -> Result<(Vec<SimpleRow>, Vec<SimpleRow>), Failure> {
    let lang = session.lang;
    let program = &session.program;
    let recent = state.store.list_entries(m.id, RECENT_ENTRIES, None).await?;
    let mut event_ids = Vec::new();
    let mut checkout_ids = Vec::new();
    for s in &recent {
        let e = &s.entry;
        if e.cause.kind == CauseKind::Event
            && event_ids.len() < RECENT_ITEMS
            && !event_ids.contains(&e.cause.id)
        {
            event_ids.push(e.cause.id.clone());
        }
        if let Some(checkout) = e
            .hold
            .as_deref()
            .and_then(|h| h.strip_prefix(crate::service::checkout::CHECKOUT_HOLD))
            && checkout_ids.len() < RECENT_ITEMS
            && !checkout_ids.iter().any(|c| c == checkout)
        {
            checkout_ids.push(checkout.to_owned());
        }
    }
    // One read for the events; checkouts are few, read together.
    let (mut found, found_checkouts) = tokio::try_join!(
        state.store.events_by_id(&program.id, &event_ids),
        futures_util::future::try_join_all(
            checkout_ids
                .iter()
                .map(|c| state.store.checkout(&program.id, c))
        ),
    )?;
    // Newest first, as the entries that name them.
    found.sort_by_key(|r| event_ids.iter().position(|i| *i == r.id));
    let events = found
        .into_iter()
        .map(|r| {
            let mut what = r.kind.clone();
            if let Some(site) = &r.site {
                what.push_str(" · ");
                what.push_str(site);
            }
            if let Some(order) = r.attributes.get("order_id").and_then(Value::as_str) {
                what.push_str(" · ");
                what.push_str(order);
            }
            SimpleRow {
                id: r.id.clone(),
                when: local_time(session, r.occurred_at),
                what,
                status: String::new(),
            }
        })
        .collect();
    let checkouts = found_checkouts
        .into_iter()
        .flatten()
        .map(|c| SimpleRow {
            id: c.id.clone(),
            when: local_time(session, c.created_at),
            what: c.hold_id.clone().unwrap_or_default(),
            status: lang.t(&format!("members.checkout_{}", c.status)).to_owned(),
        })
        .collect();
    Ok((events, checkouts))
}

/// The member's vouchers and the gifts made of them.
async fn wallet_section(
    state: &AppState,
    session: &Session,
    m: &Member,
) -> Result<(Vec<VoucherRow>, Vec<SimpleRow>), Failure> {
    let lang = session.lang;
    let program = &session.program;
    let listed = api::get(
        state,
        session,
        &format!("/v1/members/{}/vouchers", seg(&m.external_id)),
    )
    .await
    .map(|v| v["data"].as_array().cloned().unwrap_or_default())
    .unwrap_or_default();
    let vouchers = listed
        .iter()
        .map(|v| {
            let s = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
            VoucherRow {
                code: s("code"),
                template: s("template"),
                title: s("title"),
                gives: s("gives"),
                state: lang
                    .t(&format!("members.voucher_{}", s("state")))
                    .to_owned(),
                valid_until: v["valid_until"]
                    .as_str()
                    .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| local_time(session, t.with_timezone(&chrono::Utc)))
                    .unwrap_or_default(),
                issued: v["issued_at"]
                    .as_str()
                    .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| local_time(session, t.with_timezone(&chrono::Utc)))
                    .unwrap_or_default(),
            }
        })
        .collect();
    let codes: Vec<&str> = listed.iter().filter_map(|v| v["code"].as_str()).collect();
    let gift_rows = state.store.gifts_of(&program.id, &codes).await?;
    let people: Vec<i64> = gift_rows
        .iter()
        .flat_map(|g| [Some(g.sender_id), g.recipient_id])
        .flatten()
        .collect();
    let names = state.store.external_ids(&people).await?;
    let name_of = |id: i64| {
        names
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    let gifts = gift_rows
        .iter()
        .map(|g| SimpleRow {
            id: g.code.clone(),
            when: local_time(session, g.created_at),
            what: fill(
                lang.t("members.gift_text"),
                &[
                    ("from", &name_of(g.sender_id)),
                    (
                        "to",
                        &g.recipient_id
                            .map(name_of)
                            .unwrap_or_else(|| "—".to_owned()),
                    ),
                ],
            ),
            status: lang.t(&format!("members.gift_{}", g.status)).to_owned(),
        })
        .collect();
    Ok((vouchers, gifts))
}

/// The member's personal offers, as `GET /v1/members/{id}/offers` ranks them.
async fn offers_section(
    state: &AppState,
    session: &Session,
    m: &Member,
) -> Result<Vec<OfferRow>, Failure> {
    let lang = session.lang;
    let listed = api::get(
        state,
        session,
        &format!(
            "/v1/members/{}/offers?lang={}&limit=10",
            seg(&m.external_id),
            lang.code()
        ),
    )
    .await
    .map(|v| v["data"].as_array().cloned().unwrap_or_default())
    .unwrap_or_default();
    Ok(listed
        .iter()
        .map(|o| {
            let s = |k: &str| o[k].as_str().unwrap_or_default().to_owned();
            let texts = |k: &str, f: &dyn Fn(&Value) -> String, sep: &str| {
                o[k].as_array()
                    .into_iter()
                    .flatten()
                    .map(f)
                    .collect::<Vec<_>>()
                    .join(sep)
            };
            OfferRow {
                title: s("title"),
                kind: lang.t(&format!("members.offer_{}", s("kind"))).to_owned(),
                id: s("id"),
                score: o["score"].as_f64().unwrap_or_default().to_string(),
                reasons: texts(
                    "reasons",
                    &|r| r["text"].as_str().unwrap_or_default().to_owned(),
                    "；",
                ),
                parts: texts(
                    "parts",
                    &|p| {
                        format!(
                            "{} {}",
                            p["part"].as_str().unwrap_or_default(),
                            p["points"].as_f64().unwrap_or_default()
                        )
                    },
                    " · ",
                ),
            }
        })
        .collect())
}

/// The member's latest reward redemptions.
async fn redemptions_section(
    state: &AppState,
    session: &Session,
    m: &Member,
) -> Result<Vec<SimpleRow>, Failure> {
    let lang = session.lang;
    Ok(state
        .store
        .member_redemptions(m.id, 50, None)
        .await?
        .iter()
        .map(|r| SimpleRow {
            id: r.id.clone(),
            when: local_time(session, r.created_at),
            what: fill(
                lang.t("members.redemption_text"),
                &[
                    ("reward", &r.reward_id),
                    ("quantity", &r.quantity.to_string()),
                    ("points", &r.points.to_string()),
                ],
            ),
            status: lang
                .t(&format!("members.redemption_{}", r.status))
                .to_owned(),
        })
        .collect())
}

/// The voucher templates a support agent can issue from (none for those who cannot).
async fn templates_section(
    state: &AppState,
    session: &Session,
) -> Result<Vec<(String, String)>, Failure> {
    let program = &session.program;
    Ok(if session.can(Perm::Serve) {
        state
            .store
            .voucher_templates(&program.id)
            .await?
            .into_iter()
            .map(|t| {
                let title = serde_json::from_str::<Value>(&t.body)
                    .ok()
                    .and_then(|d| {
                        let title = &d["title"];
                        title["zh-CN"]
                            .as_str()
                            .or(title["en"].as_str())
                            .or(title.as_str())
                            .map(str::to_owned)
                    })
                    .unwrap_or_default();
                (t.id.clone(), title)
            })
            .collect()
    } else {
        Vec::new()
    })
}

async fn render_page(
    state: &AppState,
    session: &Session,
    id: &str,
    q: &PageQuery,
    toast: Option<Toast>,
    error: FormError,
    sent: Sent,
) -> Result<Response, Failure> {
    let m = member_of(state, session, id).await?;
    let lang = session.lang;
    let now = state.clock.now();
    let program = &session.program;
    // The sections read independent rows: read them together, not one after another.
    let (
        (balance, lots),
        ledger,
        tier,
        (events, checkouts),
        (vouchers, gifts),
        offers,
        redemptions,
        templates,
        limit,
    ) = tokio::try_join!(
        book_section(state, session, &m, q),
        ledger_view(state, session, &m, q),
        tier_view(state, session, &m),
        activity_section(state, session, &m),
        wallet_section(state, session, &m),
        offers_section(state, session, &m),
        redemptions_section(state, session, &m),
        templates_section(state, session),
        async {
            if session.role == jifen_store::console::Role::Support {
                support_limit(state, &program.id).await.map(Some)
            } else {
                Ok(None)
            }
        },
    )?;
    let figures = vec![
        Figure {
            label: lang.t("members.available"),
            value: balance.available,
        },
        Figure {
            label: lang.t("members.pending"),
            value: balance.pending,
        },
        Figure {
            label: lang.t("members.held"),
            value: balance.held,
        },
        Figure {
            label: lang.t("members.negative"),
            value: balance.negative,
        },
        Figure {
            label: lang.t("members.lifetime_earned"),
            value: balance.lifetime_earned,
        },
        Figure {
            label: lang.t("members.lifetime_redeemed"),
            value: balance.lifetime_redeemed,
        },
        Figure {
            label: lang.t("members.expired"),
            value: balance.expired,
        },
        Figure {
            label: lang.t("members.clawed_back"),
            value: balance.clawed_back,
        },
    ];
    let expiring = balance
        .expiring
        .iter()
        .map(|e| (local_time(session, e.at), e.points))
        .collect();
    let mut here = format!("/console/members/{}", seg(&m.external_id));
    if !q.at.is_empty() {
        here.push_str(&format!("?at={}", seg(&q.at)));
    }
    let page = MemberPage {
        chrome: Chrome::new(session, "members", here).with_toast(toast),
        balance_at: local_time(session, balance.at),
        balance_date: if q.at.is_empty() {
            local_date(session, now)
        } else {
            q.at.clone()
        },
        figures,
        expiring,
        lots,
        ledger,
        tier,
        vouchers,
        offers,
        templates,
        redemptions,
        events,
        checkouts,
        gifts,
        error,
        sent,
        ids: [new_id(), new_id(), new_id(), new_id()],
        limit,
        history_href: format!("/console/history/member/{}", seg(&m.external_id)),
        audit_href: format!(
            "/console/audit?object_kind=member&object_id={}",
            seg(&m.external_id)
        ),
        m: profile(session, &m),
    };
    Ok(html(&page))
}

async fn member_page(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, Failure> {
    let toast = q.done.as_deref().and_then(|d| {
        let key = match d {
            "adjusted" => "members.done_adjusted",
            "issued" => "members.done_issued",
            "overridden" => "members.done_overridden",
            "suspended" => "members.done_suspended",
            "active" => "members.done_active",
            _ => return None,
        };
        Some(Toast {
            ok: true,
            message: session.lang.t(key).into(),
        })
    });
    render_page(
        &state,
        &session,
        &id,
        &q,
        toast,
        FormError::default(),
        Sent::default(),
    )
    .await
}

/// The ledger section alone, for htmx paging and filtering.
async fn ledger_part(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, Failure> {
    let m = member_of(&state, &session, &id).await?;
    let ledger = ledger_view(&state, &session, &m, &q).await?;
    Ok(html(&LedgerPart {
        chrome: Chrome::new(
            &session,
            "members",
            format!("/console/members/{}", seg(&id)),
        ),
        ledger,
    }))
}

// --- actions ---------------------------------------------------------------------------------

/// The most one adjustment by a support agent may move in the program.
pub async fn support_limit(state: &AppState, program_id: &str) -> Result<i64, Failure> {
    Ok(state
        .store
        .support_adjustment_limit(program_id)
        .await?
        .unwrap_or(DEFAULT_SUPPORT_LIMIT))
}

/// After an action: back to the member page with its toast; on an API error, the page again
/// with the error at its form (and nothing changed: the API wrote nothing).
async fn after(
    state: &AppState,
    session: &Session,
    headers: &HeaderMap,
    id: &str,
    form: &str,
    sent: Sent,
    result: Result<&'static str, ApiFailure>,
) -> Result<Response, Failure> {
    match result {
        Ok(done) => Ok(auth::redirect(
            headers,
            &format!("/console/members/{}?done={done}", seg(id)),
        )),
        Err(f) => {
            let status = f.status;
            let error = FormError {
                form: form.to_owned(),
                field: f.field.clone().unwrap_or_default(),
                message: f.message.clone(),
            };
            let toast = Some(Toast::error(format!(
                "{}{}",
                session.lang.t("toast.failed"),
                f.message
            )));
            let page = render_page(
                state,
                session,
                id,
                &PageQuery::default(),
                toast,
                error,
                sent,
            )
            .await?;
            let mut res = page.into_response();
            *res.status_mut() = if status.is_success() {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                status
            };
            Ok(res)
        }
    }
}

fn refused(field: &str, message: String) -> ApiFailure {
    ApiFailure {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        code: "invalid_request".into(),
        message,
        field: Some(field.into()),
    }
}

#[derive(Deserialize)]
struct AdjustForm {
    id: String,
    #[serde(default)]
    points: String,
    #[serde(default)]
    reason: String,
}

async fn adjust(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path(member): Path<String>,
    Form(form): Form<AdjustForm>,
) -> Result<Response, Failure> {
    let lang = session.lang;
    let sent = Sent {
        points: form.points.clone(),
        reason: form.reason.clone(),
        ..Sent::default()
    };
    let result = async {
        let points: i64 = form
            .points
            .trim()
            .parse()
            .map_err(|_| refused("points", lang.t("members.points_number").into()))?;
        if form.reason.trim().is_empty() {
            return Err(refused("reason", lang.t("members.reason_needed").into()));
        }
        // The owner sets how much a support agent may move at once; owners are not limited.
        if session.role == jifen_store::console::Role::Support {
            let limit = support_limit(&state, &session.program.id)
                .await
                .map_err(|_| refused("points", lang.t("error.title").into()))?;
            if points.unsigned_abs() > limit.unsigned_abs() {
                return Err(refused(
                    "points",
                    fill(
                        lang.t("members.over_limit"),
                        &[("limit", &limit.to_string())],
                    ),
                ));
            }
        }
        api::call(
            &state,
            &session,
            Method::POST,
            &format!("/v1/members/{}/adjustments", seg(&member)),
            Some(json!({"id": form.id, "points": points, "reason": form.reason.trim()})),
        )
        .await
        .map(|_| "adjusted")
    }
    .await;
    after(&state, &session, &headers, &member, "adjust", sent, result).await
}

#[derive(Deserialize)]
struct VoucherForm {
    id: String,
    #[serde(default)]
    template: String,
}

async fn issue_voucher(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path(member): Path<String>,
    Form(form): Form<VoucherForm>,
) -> Result<Response, Failure> {
    let sent = Sent {
        template: form.template.clone(),
        ..Sent::default()
    };
    let result = api::call(
        &state,
        &session,
        Method::POST,
        &format!("/v1/members/{}/vouchers", seg(&member)),
        Some(json!({"id": form.id, "template": form.template})),
    )
    .await
    .map(|_| "issued");
    after(&state, &session, &headers, &member, "voucher", sent, result).await
}

#[derive(Deserialize)]
struct OverrideForm {
    #[serde(default)]
    tier: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    until: String,
}

async fn override_tier(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path(member): Path<String>,
    Form(form): Form<OverrideForm>,
) -> Result<Response, Failure> {
    let lang = session.lang;
    let sent = Sent {
        tier: form.tier.clone(),
        reason: form.reason.clone(),
        until: form.until.clone(),
        ..Sent::default()
    };
    let result = async {
        let until = end_of_day(&session, &form.until)
            .ok_or_else(|| refused("until", lang.t("members.until_needed").into()))?;
        if form.reason.trim().is_empty() {
            return Err(refused("reason", lang.t("members.reason_needed").into()));
        }
        // A PUT: sending the same form again sets the same override.
        api::call(
            &state,
            &session,
            Method::PUT,
            &format!("/v1/members/{}/tier-override", seg(&member)),
            Some(json!({"tier": form.tier, "reason": form.reason.trim(),
                        "until": until.to_rfc3339()})),
        )
        .await
        .map(|_| "overridden")
    }
    .await;
    after(&state, &session, &headers, &member, "tier", sent, result).await
}

#[derive(Deserialize)]
struct StatusForm {
    status: String,
}

async fn set_status(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path(member): Path<String>,
    Form(form): Form<StatusForm>,
) -> Result<Response, Failure> {
    let done = match form.status.as_str() {
        "suspended" => "suspended",
        _ => "active",
    };
    // A PUT of the status alone: the rest of the profile is kept, and a repeat changes nothing.
    let result = api::call(
        &state,
        &session,
        Method::PUT,
        &format!("/v1/members/{}", seg(&member)),
        Some(json!({"status": form.status})),
    )
    .await
    .map(|_| done);
    after(
        &state,
        &session,
        &headers,
        &member,
        "status",
        Sent::default(),
        result,
    )
    .await
}

/// Simplified Chinese.
pub const ZH: &[(&str, &str)] = &[
    ("members.title", "会员"),
    ("members.search_label", "查找会员"),
    (
        "members.search_hint",
        "会员编号、手机号、微信 UnionID/OpenID、天猫 OUID、邮箱或订单号",
    ),
    ("members.no_match", "没有找到匹配的会员，请检查输入后重试。"),
    ("members.several", "找到多个会员"),
    ("members.recent", "最近加入的会员"),
    ("members.external_id", "会员编号"),
    ("members.name", "姓名"),
    ("members.phone", "手机号"),
    ("members.status", "状态"),
    ("members.enrolled", "入会时间"),
    ("members.matched", "匹配方式"),
    ("members.by_external_id", "会员编号"),
    ("members.by_phone", "手机号"),
    ("members.by_email", "邮箱"),
    ("members.by_wechat_unionid", "微信 UnionID"),
    ("members.by_wechat_openid", "微信 OpenID"),
    ("members.by_tmall_ouid", "天猫 OUID"),
    ("members.by_identity", "身份标识"),
    ("members.by_order", "订单号"),
    ("members.status_active", "正常"),
    ("members.status_suspended", "已冻结"),
    ("members.back", "返回会员列表"),
    ("members.profile", "基本资料"),
    ("members.birthday", "生日"),
    ("members.gender", "性别"),
    ("members.city", "城市"),
    ("members.identities", "身份标识"),
    ("members.identity_kind", "类型"),
    ("members.attributes", "自定义属性"),
    ("members.balance", "积分余额"),
    ("members.as_of", "截至日期"),
    ("members.show", "查看"),
    ("members.figures_at", "数据截至"),
    ("members.available", "可用积分"),
    ("members.pending", "待生效积分"),
    ("members.held", "冻结中"),
    ("members.negative", "欠分"),
    ("members.lifetime_earned", "累计获得"),
    ("members.lifetime_redeemed", "累计使用"),
    ("members.expired", "已过期"),
    ("members.clawed_back", "退款扣回"),
    ("members.expiring_soon", "30 天内将过期"),
    ("members.lots", "积分批次"),
    ("members.lot_state", "状态"),
    ("members.lot_left", "剩余"),
    ("members.lot_amount", "获得"),
    ("members.lot_available_at", "生效时间"),
    ("members.lot_expires_at", "过期时间"),
    ("members.order", "订单"),
    ("members.lot_expired", "已过期"),
    ("members.lot_pending", "待生效"),
    ("members.lot_expiring", "即将过期"),
    ("members.lot_available", "可用"),
    ("members.never", "永不过期"),
    ("members.actions", "会员操作"),
    ("members.adjust", "调整积分"),
    ("members.adjust_points", "积分（正数增加，负数扣减）"),
    ("members.limit_is", "单次调整上限："),
    ("members.reason", "原因（必填）"),
    ("members.adjust_submit", "确认调整"),
    ("members.issue_voucher", "发放优惠券"),
    ("members.template", "券模板"),
    ("members.issue_submit", "发放"),
    ("members.override", "指定等级"),
    ("members.tier", "会员等级"),
    ("members.until", "有效期至"),
    ("members.override_submit", "确认指定"),
    ("members.suspended_note", "该会员已冻结：可恢复为正常状态。"),
    ("members.reactivate", "恢复会员"),
    (
        "members.suspend_note",
        "冻结后会员状态变为“已冻结”，积分保留。",
    ),
    ("members.suspend", "冻结会员"),
    ("members.since", "自"),
    ("members.review", "下次复核"),
    ("members.to_next", "距离升级到"),
    ("members.tier_history", "等级变更记录"),
    ("members.basis_points", "累计获得积分"),
    ("members.basis_spend", "消费金额（分）"),
    ("members.no_tiers", "本项目未设置会员等级。"),
    ("members.ledger", "积分明细"),
    ("members.vouchers", "优惠券"),
    ("members.offers", "个性化推荐"),
    (
        "members.offers_note",
        "按得分排序：常买品类、人群定向、等级、积分是否够用、品牌成本、到期时间。",
    ),
    ("members.offer", "推荐"),
    ("members.offer_reward", "积分兑换"),
    ("members.offer_voucher", "卡包优惠券"),
    ("members.score", "得分"),
    ("members.reasons", "理由"),
    ("members.parts", "得分构成"),
    ("members.code", "券码"),
    ("members.voucher", "券"),
    ("members.state", "状态"),
    ("members.valid_until", "有效期至"),
    ("members.issued_at", "发放时间"),
    ("members.reissue", "补发"),
    ("members.redemptions", "礼品兑换"),
    ("members.events", "行为与订单事件"),
    ("members.checkouts", "结算"),
    ("members.gifts", "转赠"),
    ("members.audit_link", "在审计日志中查看全部记录"),
    ("members.kind", "类型"),
    ("members.all_kinds", "全部类型"),
    ("members.from", "开始日期"),
    ("members.to", "结束日期"),
    ("members.filter", "筛选"),
    ("members.when", "时间"),
    ("members.what", "明细"),
    ("members.points", "积分"),
    ("members.no_entries", "没有符合条件的积分记录。"),
    ("members.newest", "回到最新"),
    ("members.older", "更早的记录"),
    ("members.entry_benefit", "等级礼遇赠送 {n} 积分"),
    ("members.entry_badge", "勋章奖励 {n} 积分"),
    ("members.entry_earn_order", "订单 {order} 获得 {n} 积分"),
    ("members.entry_earn", "获得 {n} 积分（{cause}）"),
    (
        "members.entry_clawback_order",
        "订单 {order} 退款扣回 {n} 积分",
    ),
    ("members.entry_clawback", "退款扣回 {n} 积分"),
    ("members.entry_redeem_hold", "兑换 -{n} 积分（{hold}）"),
    ("members.entry_redeem", "兑换 -{n} 积分"),
    ("members.entry_adjust_up", "人工调整 +{n} 积分"),
    ("members.entry_adjust_down", "人工调整 -{n} 积分"),
    ("members.entry_hold", "冻结 {n} 积分（{hold}）"),
    ("members.entry_release", "解冻 {n} 积分（{hold}）"),
    ("members.entry_expire", "积分过期 -{n}"),
    (
        "members.entry_write_off",
        "退款应扣 {n} 积分，余额不足已核销",
    ),
    ("members.entry_repay", "偿还欠分 {n}"),
    ("members.entry_reason", "，原因：{reason}"),
    ("members.kind_earn", "获得"),
    ("members.kind_clawback", "退款扣回"),
    ("members.kind_redeem", "兑换"),
    ("members.kind_adjust", "人工调整"),
    ("members.kind_hold", "冻结"),
    ("members.kind_release", "解冻"),
    ("members.kind_expire", "过期"),
    ("members.kind_write_off", "核销"),
    ("members.kind_repay", "还欠分"),
    ("members.tier_upgraded", "由 {from} 升级为 {to}"),
    ("members.tier_downgraded", "由 {from} 降级为 {to}"),
    ("members.tier_requalified", "保级成功：{to}"),
    (
        "members.tier_grace_started",
        "未达保级条件，{to} 进入宽限期",
    ),
    ("members.tier_override_set", "人工指定等级：{from} → {to}"),
    ("members.tier_override_ended", "人工指定结束：{from} → {to}"),
    (
        "members.override_now",
        "当前为人工指定等级 {tier}，有效期至 {until}，原因：{reason}",
    ),
    ("members.checkout_pending", "待支付"),
    ("members.checkout_confirmed", "已完成"),
    ("members.checkout_cancelled", "已取消"),
    ("members.checkout_expired", "已超时"),
    ("members.voucher_usable", "可用"),
    ("members.voucher_reserved", "使用中"),
    ("members.voucher_used", "已使用"),
    ("members.voucher_gifted", "转赠中"),
    ("members.voucher_not_yet_valid", "未到生效时间"),
    ("members.voucher_expired", "已过期"),
    ("members.voucher_cancelled", "已作废"),
    ("members.gift_text", "{from} 转赠给 {to}"),
    ("members.gift_offered", "待领取"),
    ("members.gift_claimed", "已领取"),
    ("members.gift_returned", "已退回"),
    ("members.gift_cancelled", "已取消"),
    (
        "members.redemption_text",
        "{reward} × {quantity}，{points} 积分",
    ),
    ("members.redemption_issued", "已发放"),
    ("members.redemption_requested", "待发货"),
    ("members.redemption_shipped", "已发货"),
    ("members.redemption_delivered", "已签收"),
    ("members.redemption_cancelled", "已取消"),
    ("members.done_adjusted", "积分已调整。"),
    ("members.done_issued", "优惠券已发放。"),
    ("members.done_overridden", "会员等级已指定。"),
    ("members.done_suspended", "会员已冻结。"),
    ("members.done_active", "会员已恢复正常。"),
    (
        "members.points_number",
        "请输入一个整数积分，例如 100 或 -50。",
    ),
    ("members.reason_needed", "请填写原因。"),
    (
        "members.over_limit",
        "超出客服单次调整上限（{limit} 积分），未做任何修改。如需更大额度，请联系项目所有者。",
    ),
    ("members.until_needed", "请选择有效期截止日期。"),
];

/// English.
pub const EN: &[(&str, &str)] = &[
    ("members.title", "Members"),
    ("members.search_label", "Find a member"),
    (
        "members.search_hint",
        "Member id, phone, WeChat UnionID/OpenID, Tmall OUID, email or order id",
    ),
    (
        "members.no_match",
        "No member matches: check what you typed and try again.",
    ),
    ("members.several", "Several members match"),
    ("members.recent", "Newest members"),
    ("members.external_id", "Member id"),
    ("members.name", "Name"),
    ("members.phone", "Phone"),
    ("members.status", "Status"),
    ("members.enrolled", "Joined"),
    ("members.matched", "Found by"),
    ("members.by_external_id", "Member id"),
    ("members.by_phone", "Phone"),
    ("members.by_email", "Email"),
    ("members.by_wechat_unionid", "WeChat UnionID"),
    ("members.by_wechat_openid", "WeChat OpenID"),
    ("members.by_tmall_ouid", "Tmall OUID"),
    ("members.by_identity", "Identity"),
    ("members.by_order", "Order id"),
    ("members.status_active", "Active"),
    ("members.status_suspended", "Suspended"),
    ("members.back", "Back to members"),
    ("members.profile", "Profile"),
    ("members.birthday", "Birthday"),
    ("members.gender", "Gender"),
    ("members.city", "City"),
    ("members.identities", "Identities"),
    ("members.identity_kind", "Kind"),
    ("members.attributes", "Attributes"),
    ("members.balance", "Points"),
    ("members.as_of", "As of"),
    ("members.show", "Show"),
    ("members.figures_at", "Figures at"),
    ("members.available", "Available"),
    ("members.pending", "Pending"),
    ("members.held", "Held"),
    ("members.negative", "Owed"),
    ("members.lifetime_earned", "Earned in all"),
    ("members.lifetime_redeemed", "Redeemed in all"),
    ("members.expired", "Expired"),
    ("members.clawed_back", "Clawed back"),
    ("members.expiring_soon", "Expiring in the next 30 days"),
    ("members.lots", "Lots"),
    ("members.lot_state", "State"),
    ("members.lot_left", "Left"),
    ("members.lot_amount", "Earned"),
    ("members.lot_available_at", "Available from"),
    ("members.lot_expires_at", "Expires"),
    ("members.order", "Order"),
    ("members.lot_expired", "Expired"),
    ("members.lot_pending", "Pending"),
    ("members.lot_expiring", "Expiring soon"),
    ("members.lot_available", "Available"),
    ("members.never", "Never"),
    ("members.actions", "Actions"),
    ("members.adjust", "Adjust points"),
    (
        "members.adjust_points",
        "Points (positive adds, negative takes)",
    ),
    ("members.limit_is", "Most per adjustment:"),
    ("members.reason", "Reason (required)"),
    ("members.adjust_submit", "Adjust"),
    ("members.issue_voucher", "Issue a voucher"),
    ("members.template", "Voucher template"),
    ("members.issue_submit", "Issue"),
    ("members.override", "Override the tier"),
    ("members.tier", "Tier"),
    ("members.until", "Until"),
    ("members.override_submit", "Override"),
    (
        "members.suspended_note",
        "This member is suspended: you may reactivate them.",
    ),
    ("members.reactivate", "Reactivate"),
    (
        "members.suspend_note",
        "A suspended member keeps their points; the status shows as suspended.",
    ),
    ("members.suspend", "Suspend"),
    ("members.since", "since"),
    ("members.review", "next review"),
    ("members.to_next", "left to reach"),
    ("members.tier_history", "Tier history"),
    ("members.basis_points", "Points earned"),
    ("members.basis_spend", "Spend (fen)"),
    ("members.no_tiers", "This program has no tiers."),
    ("members.ledger", "Ledger"),
    ("members.vouchers", "Vouchers"),
    ("members.offers", "Personal offers"),
    (
        "members.offers_note",
        "Ranked by score: categories bought, segment targeting, tier, points, cost to the brand, expiry.",
    ),
    ("members.offer", "Offer"),
    ("members.offer_reward", "Reward"),
    ("members.offer_voucher", "Voucher in wallet"),
    ("members.score", "Score"),
    ("members.reasons", "Reasons"),
    ("members.parts", "Score parts"),
    ("members.code", "Code"),
    ("members.voucher", "Voucher"),
    ("members.state", "State"),
    ("members.valid_until", "Valid until"),
    ("members.issued_at", "Issued"),
    ("members.reissue", "Re-issue"),
    ("members.redemptions", "Reward redemptions"),
    ("members.events", "Events"),
    ("members.checkouts", "Checkouts"),
    ("members.gifts", "Gifts"),
    ("members.audit_link", "See every change in the audit log"),
    ("members.kind", "Kind"),
    ("members.all_kinds", "All kinds"),
    ("members.from", "From"),
    ("members.to", "To"),
    ("members.filter", "Filter"),
    ("members.when", "When"),
    ("members.what", "What"),
    ("members.points", "Points"),
    ("members.no_entries", "No ledger entry matches."),
    ("members.newest", "Newest"),
    ("members.older", "Older"),
    ("members.entry_benefit", "Tier gift: {n} points"),
    ("members.entry_badge", "Badge reward: {n} points"),
    (
        "members.entry_earn_order",
        "Order {order} earned {n} points",
    ),
    ("members.entry_earn", "Earned {n} points ({cause})"),
    (
        "members.entry_clawback_order",
        "Refund of order {order} took back {n} points",
    ),
    ("members.entry_clawback", "Refund took back {n} points"),
    ("members.entry_redeem_hold", "Redeemed -{n} points ({hold})"),
    ("members.entry_redeem", "Redeemed -{n} points"),
    ("members.entry_adjust_up", "Adjusted +{n} points"),
    ("members.entry_adjust_down", "Adjusted -{n} points"),
    ("members.entry_hold", "Held {n} points ({hold})"),
    ("members.entry_release", "Released {n} held points ({hold})"),
    ("members.entry_expire", "Points expired -{n}"),
    (
        "members.entry_write_off",
        "Refund could not take back {n} points: written off",
    ),
    ("members.entry_repay", "Repaid {n} owed points"),
    ("members.entry_reason", "; reason: {reason}"),
    ("members.kind_earn", "Earn"),
    ("members.kind_clawback", "Clawback"),
    ("members.kind_redeem", "Redeem"),
    ("members.kind_adjust", "Adjustment"),
    ("members.kind_hold", "Hold"),
    ("members.kind_release", "Release"),
    ("members.kind_expire", "Expiry"),
    ("members.kind_write_off", "Write-off"),
    ("members.kind_repay", "Repayment"),
    ("members.tier_upgraded", "Upgraded from {from} to {to}"),
    ("members.tier_downgraded", "Downgraded from {from} to {to}"),
    ("members.tier_requalified", "Requalified for {to}"),
    (
        "members.tier_grace_started",
        "Did not requalify: {to} in grace",
    ),
    (
        "members.tier_override_set",
        "Tier overridden: {from} → {to}",
    ),
    (
        "members.tier_override_ended",
        "Override ended: {from} → {to}",
    ),
    (
        "members.override_now",
        "Overridden to {tier} until {until}; reason: {reason}",
    ),
    ("members.checkout_pending", "Pending"),
    ("members.checkout_confirmed", "Confirmed"),
    ("members.checkout_cancelled", "Cancelled"),
    ("members.checkout_expired", "Expired"),
    ("members.voucher_usable", "Usable"),
    ("members.voucher_reserved", "Reserved"),
    ("members.voucher_used", "Used"),
    ("members.voucher_gifted", "Offered as a gift"),
    ("members.voucher_not_yet_valid", "Not valid yet"),
    ("members.voucher_expired", "Expired"),
    ("members.voucher_cancelled", "Cancelled"),
    ("members.gift_text", "{from} to {to}"),
    ("members.gift_offered", "Offered"),
    ("members.gift_claimed", "Claimed"),
    ("members.gift_returned", "Returned"),
    ("members.gift_cancelled", "Cancelled"),
    (
        "members.redemption_text",
        "{reward} × {quantity}, {points} points",
    ),
    ("members.redemption_issued", "Issued"),
    ("members.redemption_requested", "To ship"),
    ("members.redemption_shipped", "Shipped"),
    ("members.redemption_delivered", "Delivered"),
    ("members.redemption_cancelled", "Cancelled"),
    ("members.done_adjusted", "Points adjusted."),
    ("members.done_issued", "Voucher issued."),
    ("members.done_overridden", "Tier overridden."),
    ("members.done_suspended", "Member suspended."),
    ("members.done_active", "Member reactivated."),
    (
        "members.points_number",
        "Type a whole number of points, like 100 or -50.",
    ),
    ("members.reason_needed", "A reason is required."),
    (
        "members.over_limit",
        "Over the support limit per adjustment ({limit} points): nothing was changed. Ask the program's owner for a larger one.",
    ),
    ("members.until_needed", "Choose the day the override ends."),
];
