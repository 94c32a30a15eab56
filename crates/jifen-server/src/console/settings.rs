//! The settings page: the point policy (with a preview of a change on a sample member), the time
//! zone, sites, partners and their keys, API keys, operators and their roles, the support
//! adjustment limit, and the way to the audit log. Every role reads it; only the owner changes
//! anything, and every change is a `/v1` request ([`api::call`]), so it is validated and
//! recorded in the audit log as a request with a key would be.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use jifen_core::{ExpiryPolicy, NegativeBalance, PointPolicy};
use jifen_store::console::Role;

use crate::app::AppState;
use crate::console::account::local_time;
use crate::console::api::{self, ApiFailure, seg};
use crate::console::auth::{Perm, Session};
use crate::console::{Chrome, Failure, Route, Toast, html};

pub fn routes() -> Vec<Route> {
    let admin = |path: &'static str, h| Route::new(Method::POST, path, Perm::Administer, h);
    vec![
        Route::new(Method::GET, "/console/settings", Perm::View, get(page)),
        admin("/console/settings/policy", post(save_policy)),
        admin("/console/settings/timezone", post(save_timezone)),
        admin("/console/settings/sites", post(save_sites)),
        admin("/console/settings/partners", post(save_partner)),
        admin(
            "/console/settings/partners/{id}/keys",
            post(issue_partner_key),
        ),
        admin("/console/settings/keys", post(issue_key)),
        admin("/console/settings/keys/{id}/revoke", post(revoke_key)),
        admin("/console/settings/users", post(invite_user)),
        admin("/console/settings/users/role", post(change_role)),
        admin("/console/settings/users/remove", post(remove_user)),
        admin("/console/settings/support-limit", post(save_support_limit)),
    ]
}

/// How many of the sample member's lots the preview shows, newest first.
const PREVIEW_LOTS: usize = 5;
/// The purchase the preview prices when the member has no order: ¥268.00.
const SAMPLE_ORDER_FEN: i64 = 26_800;

/// The point policy form's fields, as typed (so a refused value is shown back as it was).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PolicyForm {
    #[serde(default)]
    pub points_per_yuan: String,
    #[serde(default)]
    pub pending_days: String,
    /// `never`, `rolling_days` or `end_of_year`.
    #[serde(default)]
    pub expiry_kind: String,
    #[serde(default)]
    pub expiry_days: String,
    #[serde(default)]
    pub years_after: String,
    #[serde(default)]
    pub negative_balance: String,
    /// The sample member of the preview.
    #[serde(default)]
    pub member: String,
    /// Set by the preview button.
    #[serde(default)]
    pub preview: Option<String>,
}

impl PolicyForm {
    fn of(p: &PointPolicy) -> PolicyForm {
        let (kind, days, years) = match p.expiry {
            ExpiryPolicy::Never => ("never", String::new(), String::new()),
            ExpiryPolicy::RollingDays { days } => ("rolling_days", days.to_string(), String::new()),
            ExpiryPolicy::EndOfYear { years_after } => {
                ("end_of_year", String::new(), years_after.to_string())
            }
        };
        PolicyForm {
            points_per_yuan: p.points_per_yuan.to_string(),
            pending_days: p.pending_days.to_string(),
            expiry_kind: kind.into(),
            expiry_days: days,
            years_after: years,
            negative_balance: match p.negative_balance {
                NegativeBalance::Allow => "allow",
                NegativeBalance::Forbid => "forbid",
            }
            .into(),
            member: String::new(),
            preview: None,
        }
    }

    /// The form as the body of `PATCH /v1/program`. Numbers that do not parse are sent as typed
    /// so the API names the field at fault.
    fn body(&self) -> Value {
        let num = |s: &str| {
            s.trim()
                .parse::<i64>()
                .map(Value::from)
                .unwrap_or_else(|_| Value::from(s))
        };
        let expiry = match self.expiry_kind.as_str() {
            "rolling_days" => json!({"kind": "rolling_days", "days": num(&self.expiry_days)}),
            "end_of_year" => json!({"kind": "end_of_year", "years_after": num(&self.years_after)}),
            _ => json!({"kind": "never"}),
        };
        json!({
            "points_per_yuan": num(&self.points_per_yuan),
            "pending_days": num(&self.pending_days),
            "expiry": expiry,
            "negative_balance": self.negative_balance,
        })
    }

    /// The proposed policy, when every field holds a value the API would take (checked by the
    /// core's own validation); else the field at fault and why.
    fn policy(&self) -> Result<PointPolicy, (String, String)> {
        let body = self.body();
        let policy: PointPolicy = serde_json::from_value(body).map_err(|e| {
            let field = [
                "points_per_yuan",
                "pending_days",
                "expiry",
                "negative_balance",
            ]
            .into_iter()
            .find(|f| e.to_string().contains(f))
            .unwrap_or("expiry");
            (field.to_owned(), e.to_string())
        })?;
        policy.validate().map_err(|e| {
            let field = match e {
                jifen_core::PolicyError::PointsPerYuan => "points_per_yuan",
                jifen_core::PolicyError::PendingDays => "pending_days",
                _ => "expiry",
            };
            (field.to_owned(), e.to_string())
        })?;
        Ok(policy)
    }
}

/// One of the sample member's lots, as it is and as it would be if earned under the proposal.
pub struct PreviewLot {
    pub earned: String,
    pub order: String,
    pub points_now: i64,
    pub points_new: String,
    pub available_now: String,
    pub available_new: String,
    pub expires_now: String,
    pub expires_new: String,
}

pub struct Preview {
    pub member: String,
    pub sample_yuan: String,
    pub sample_now: i64,
    pub sample_new: i64,
    pub lots: Vec<PreviewLot>,
    /// The proposal equals the policy in force.
    pub unchanged: bool,
}

pub struct PartnerRow {
    pub id: String,
    pub name: String,
    pub site: String,
    pub identity_kind: String,
}

pub struct KeyRow {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub created: String,
    pub revoked: String,
    pub partner: String,
}

pub struct UserRow {
    pub email: String,
    pub name: String,
    pub role: String,
    pub is_self: bool,
}

/// A secret shown once: a new key's, or a new account's password.
pub struct Shown {
    pub label: String,
    pub value: String,
}

/// A refusal of the API, and the form it answers.
pub struct FieldError {
    pub form: &'static str,
    pub field: String,
    pub message: String,
}

#[derive(Template)]
#[template(path = "console/settings.html")]
struct SettingsPage {
    chrome: Chrome,
    timezone: String,
    currency: String,
    policy: PolicyForm,
    preview: Option<Preview>,
    preview_error: String,
    sites: String,
    partners: Vec<PartnerRow>,
    keys: Vec<KeyRow>,
    users: Vec<UserRow>,
    roles: Vec<(&'static str, &'static str)>,
    support_limit: String,
    shown: Option<Shown>,
    failure: Option<FieldError>,
}

#[derive(Template)]
#[template(path = "console/_policy_preview.html")]
struct PreviewPartial {
    chrome: Chrome,
    preview: Option<Preview>,
    preview_error: String,
}

impl SettingsPage {
    /// The API's message for `field` of `form`, or nothing.
    fn error(&self, form: &str, field: &str) -> String {
        match &self.failure {
            Some(f) if f.form == form && (f.field == field || f.field.starts_with(field)) => {
                f.message.clone()
            }
            _ => String::new(),
        }
    }

    fn selected(&self, a: &str, b: &str) -> &'static str {
        if a == b { "selected" } else { "" }
    }
}

/// What a write did, for the page it answers with.
#[derive(Default)]
struct Outcome {
    toast: Option<Toast>,
    shown: Option<Shown>,
    failure: Option<FieldError>,
    /// The policy form as typed, when it was refused.
    policy: Option<PolicyForm>,
}

impl Outcome {
    fn saved(session: &Session) -> Outcome {
        Outcome {
            toast: Some(Toast::saved(session.lang)),
            ..Outcome::default()
        }
    }

    fn refused(session: &Session, form: &'static str, f: ApiFailure) -> Outcome {
        Outcome {
            toast: Some(Toast::error(format!(
                "{}{}",
                session.lang.t("toast.failed"),
                f.message
            ))),
            failure: Some(FieldError {
                form,
                field: f.field.unwrap_or_default(),
                message: f.message,
            }),
            ..Outcome::default()
        }
    }

    fn of(session: &Session, form: &'static str, r: Result<api::Answer, ApiFailure>) -> Outcome {
        Outcome::said(session, form, r, "toast.saved")
    }

    /// [`Outcome::of`] with its own words for a success (the text key `done`).
    fn said(
        session: &Session,
        form: &'static str,
        r: Result<api::Answer, ApiFailure>,
        done: &str,
    ) -> Outcome {
        match r {
            Ok(_) => Outcome {
                toast: Some(Toast {
                    ok: true,
                    message: session.lang.t(done).into(),
                }),
                ..Outcome::default()
            },
            Err(f) => Outcome::refused(session, form, f),
        }
    }
}

async fn page(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Query(form): Query<PolicyForm>,
) -> Result<Response, Failure> {
    if form.preview.is_some() && headers.contains_key("hx-request") {
        let (preview, preview_error) = preview(&state, &session, &form).await?;
        return Ok(html(&PreviewPartial {
            chrome: Chrome::new(&session, "settings", "/console/settings"),
            preview,
            preview_error,
        }));
    }
    let policy = form.preview.is_some().then_some(form);
    render(
        &state,
        &session,
        Outcome {
            policy,
            ..Outcome::default()
        },
    )
    .await
}

async fn render(state: &AppState, session: &Session, out: Outcome) -> Result<Response, Failure> {
    // The program as it is now (a write may just have changed it).
    let program = state
        .store
        .get_program(&session.program.id)
        .await?
        .unwrap_or_else(|| session.program.clone());
    let mut session = session.clone();
    session.program = program.clone();
    let session = &session;
    let (policy, with_preview) = match out.policy {
        Some(p) => {
            let with = p.preview.is_some();
            (p, with)
        }
        None => (PolicyForm::of(&program.policy), false),
    };
    let (preview, preview_error) = if with_preview {
        preview(state, session, &policy).await?
    } else {
        (None, String::new())
    };
    let sites = api::get(state, session, "/v1/sites").await?;
    let sites = sites["sites"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| {
            let id = s["id"].as_str().unwrap_or_default();
            match s["name"].as_str() {
                Some(n) if !n.is_empty() => format!("{id} {n}"),
                _ => id.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let partners = api::get(state, session, "/v1/partners").await?;
    let partners = partners["data"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| PartnerRow {
            id: text(&p["id"]),
            name: text(&p["name"]),
            site: text(&p["site"]),
            identity_kind: text(&p["identity_kind"]),
        })
        .collect();
    let keys = state
        .store
        .list_api_keys(&program.id)
        .await?
        .into_iter()
        .map(|k| KeyRow {
            created: local_time(session, k.created_at),
            revoked: k
                .revoked_at
                .map(|t| local_time(session, t))
                .unwrap_or_default(),
            partner: k.partner_id.unwrap_or_default(),
            id: k.id,
            name: k.name,
            prefix: k.prefix,
        })
        .collect();
    let users = state
        .store
        .program_operators(&program.id)
        .await?
        .into_iter()
        .map(|(o, r)| UserRow {
            is_self: o.id == session.operator.id,
            email: o.email,
            name: o.name,
            role: r.as_str().to_owned(),
        })
        .collect();
    let limit = api::get(state, session, "/v1/console-settings").await?;
    let roles = Role::ALL
        .iter()
        .map(|r| (r.as_str(), session.lang.t(&format!("role.{r}"))))
        .collect();
    Ok(html(&SettingsPage {
        chrome: Chrome::new(session, "settings", "/console/settings").with_toast(out.toast),
        timezone: program.timezone.clone(),
        currency: program.currency.clone(),
        policy,
        preview,
        preview_error,
        sites,
        partners,
        keys,
        users,
        roles,
        support_limit: limit["support_adjustment_limit"]
            .as_i64()
            .map(|l| l.to_string())
            .unwrap_or_default(),
        shown: out.shown,
        failure: out.failure,
    }))
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

/// What the proposed policy would change for the sample member (the one named, else the newest),
/// computed with the core's own functions: the dates and points of their latest lots had they
/// been earned under it, and the points of a purchase. Lots that exist keep their dates: a
/// policy change is not retroactive.
async fn preview(
    state: &AppState,
    session: &Session,
    form: &PolicyForm,
) -> Result<(Option<Preview>, String), Failure> {
    let lang = session.lang;
    let proposed = match form.policy() {
        Ok(p) => p,
        Err((field, message)) => return Ok((None, format!("{field}: {message}"))),
    };
    let program = &session.program;
    let tz = crate::service::program_tz(program);
    let current = program.policy;
    let external = if form.member.trim().is_empty() {
        state
            .store
            .list_members(&program.id, 1, None)
            .await?
            .into_iter()
            .next()
            .map(|m| m.external_id)
    } else {
        Some(form.member.trim().to_owned())
    };
    let Some(external) = external else {
        return Ok((None, lang.t("settings.preview_no_member").into()));
    };
    let Some(head) = state.store.member_head(&program.id, &external).await? else {
        return Ok((
            None,
            format!("{}{external}", lang.t("settings.preview_unknown_member")),
        ));
    };
    let rows = state.store.ledger(head.id).await?;
    let mut lots = rows.lots;
    lots.sort_by_key(|l| std::cmp::Reverse(l.id));
    let never = lang.t("settings.never");
    let show = |t: Option<jifen_core::Timestamp>| {
        t.map(|t| local_time(session, t))
            .unwrap_or_else(|| never.to_owned())
    };
    let mut out = Vec::new();
    let mut sample = None;
    for lot in lots.into_iter().take(PREVIEW_LOTS) {
        // A purchase's lot counts from the purchase; other lots from when they were recorded.
        let order = match &lot.order_id {
            Some(id) => state
                .store
                .order_history(&program.id, id)
                .await?
                .map(|h| h.order),
            None => None,
        };
        let earned = order.as_ref().map_or(lot.created_at, |o| o.occurred_at);
        let points_new = match &order {
            // A lot of exactly the policy's rate came from the default purchase rule, which
            // follows the policy; a rule of the program's own gives what it gives.
            Some(o) if lot.amount == PointPolicy::order_points(o.points_per_yuan, o.amount) => {
                PointPolicy::order_points(proposed.points_per_yuan, o.amount).to_string()
            }
            _ => lot.amount.to_string(),
        };
        if sample.is_none()
            && let Some(o) = &order
        {
            sample = Some(o.amount);
        }
        out.push(PreviewLot {
            earned: local_time(session, earned),
            order: lot.order_id.clone().unwrap_or_default(),
            points_now: lot.amount,
            points_new,
            available_now: local_time(session, lot.available_at),
            available_new: local_time(session, proposed.available_at(earned)),
            expires_now: show(lot.expires_at),
            expires_new: show(proposed.expires_at(earned, tz)),
        });
    }
    let sample = sample.unwrap_or(SAMPLE_ORDER_FEN);
    Ok((
        Some(Preview {
            member: external,
            sample_yuan: format!("{}.{:02}", sample / 100, sample % 100),
            sample_now: PointPolicy::order_points(current.points_per_yuan, sample),
            sample_new: PointPolicy::order_points(proposed.points_per_yuan, sample),
            lots: out,
            unchanged: proposed == current,
        }),
        String::new(),
    ))
}

async fn save_policy(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<PolicyForm>,
) -> Result<Response, Failure> {
    let r = api::call(
        &state,
        &session,
        Method::PATCH,
        "/v1/program",
        Some(form.body()),
    )
    .await;
    let mut out = Outcome::of(&session, "policy", r);
    if out.failure.is_some() {
        out.policy = Some(form);
    }
    render(&state, &session, out).await
}

#[derive(Deserialize)]
struct TimezoneForm {
    timezone: String,
}

async fn save_timezone(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<TimezoneForm>,
) -> Result<Response, Failure> {
    let r = api::call(
        &state,
        &session,
        Method::PATCH,
        "/v1/program",
        Some(json!({"timezone": form.timezone.trim()})),
    )
    .await;
    let out = Outcome::of(&session, "timezone", r);
    render(&state, &session, out).await
}

#[derive(Deserialize)]
struct SitesForm {
    /// One site a line: its id, then optionally a name after a space.
    sites: String,
}

async fn save_sites(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<SitesForm>,
) -> Result<Response, Failure> {
    let sites: Vec<Value> = form
        .sites
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| match l.split_once(char::is_whitespace) {
            Some((id, name)) => json!({"id": id, "name": name.trim()}),
            None => json!({"id": l}),
        })
        .collect();
    let r = api::call(
        &state,
        &session,
        Method::PUT,
        "/v1/sites",
        Some(json!({ "sites": sites })),
    )
    .await;
    let out = Outcome::of(&session, "sites", r);
    render(&state, &session, out).await
}

#[derive(Deserialize)]
struct PartnerForm {
    id: String,
    name: String,
}

async fn save_partner(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<PartnerForm>,
) -> Result<Response, Failure> {
    let id = form.id.trim();
    let r = api::call(
        &state,
        &session,
        Method::PUT,
        &format!("/v1/partners/{}", seg(id)),
        Some(json!({"name": form.name})),
    )
    .await;
    let out = Outcome::of(&session, "partner", r);
    render(&state, &session, out).await
}

#[derive(Deserialize)]
struct KeyForm {
    name: String,
}

/// The answer of a key's creation: the page with its secret, shown this once.
fn with_secret(
    session: &Session,
    form: &'static str,
    r: Result<api::Answer, ApiFailure>,
) -> Outcome {
    match r {
        Ok(a) => Outcome {
            shown: Some(Shown {
                label: format!(
                    "{} {}",
                    session.lang.t("settings.key_secret"),
                    text(&a.body["name"])
                ),
                value: text(&a.body["secret"]),
            }),
            ..Outcome::saved(session)
        },
        Err(f) => Outcome::refused(session, form, f),
    }
}

async fn issue_key(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<KeyForm>,
) -> Result<Response, Failure> {
    let r = api::call(
        &state,
        &session,
        Method::POST,
        "/v1/api-keys",
        Some(json!({"name": form.name.trim()})),
    )
    .await;
    let out = with_secret(&session, "key", r);
    render(&state, &session, out).await
}

async fn issue_partner_key(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<KeyForm>,
) -> Result<Response, Failure> {
    let r = api::call(
        &state,
        &session,
        Method::POST,
        &format!("/v1/partners/{}/api-keys", seg(&id)),
        Some(json!({"name": form.name.trim()})),
    )
    .await;
    let out = with_secret(&session, "partner_key", r);
    render(&state, &session, out).await
}

async fn revoke_key(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let r = api::call(
        &state,
        &session,
        Method::DELETE,
        &format!("/v1/api-keys/{}", seg(&id)),
        None,
    )
    .await;
    let out = Outcome::said(&session, "key", r, "settings.key_revoked");
    render(&state, &session, out).await
}

#[derive(Deserialize)]
struct UserForm {
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
}

async fn put_user(
    state: &AppState,
    session: &Session,
    form: &UserForm,
    which: &'static str,
) -> Outcome {
    let mut body = json!({"role": form.role});
    if !form.name.trim().is_empty() {
        body["name"] = json!(form.name.trim());
    }
    let r = api::call(
        state,
        session,
        Method::PUT,
        &format!("/v1/operators/{}", seg(form.email.trim())),
        Some(body),
    )
    .await;
    match r {
        Ok(a) => {
            let mut out = Outcome::saved(session);
            if let Some(p) = a.body["password"].as_str() {
                out.shown = Some(Shown {
                    label: format!(
                        "{} {}",
                        session.lang.t("settings.user_password"),
                        text(&a.body["email"])
                    ),
                    value: p.to_owned(),
                });
            }
            out
        }
        Err(f) => Outcome::refused(session, which, f),
    }
}

async fn invite_user(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<UserForm>,
) -> Result<Response, Failure> {
    let out = put_user(&state, &session, &form, "invite").await;
    render(&state, &session, out).await
}

async fn change_role(
    State(state): State<AppState>,
    session: Session,
    Form(mut form): Form<UserForm>,
) -> Result<Response, Failure> {
    // A role change never names the account: its name is its own.
    form.name.clear();
    let out = put_user(&state, &session, &form, "users").await;
    render(&state, &session, out).await
}

async fn remove_user(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<UserForm>,
) -> Result<Response, Failure> {
    let r = api::call(
        &state,
        &session,
        Method::DELETE,
        &format!("/v1/operators/{}", seg(form.email.trim())),
        None,
    )
    .await;
    let out = Outcome::said(&session, "users", r, "settings.user_removed");
    render(&state, &session, out).await
}

#[derive(Deserialize)]
struct LimitForm {
    support_adjustment_limit: String,
}

async fn save_support_limit(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<LimitForm>,
) -> Result<Response, Failure> {
    let raw = form.support_adjustment_limit.trim();
    let value = raw
        .parse::<i64>()
        .map(Value::from)
        .unwrap_or_else(|_| Value::from(raw));
    let r = api::call(
        &state,
        &session,
        Method::PUT,
        "/v1/console-settings",
        Some(json!({ "support_adjustment_limit": value })),
    )
    .await;
    let out = Outcome::of(&session, "limit", r);
    render(&state, &session, out).await
}

/// Simplified Chinese.
pub const ZH: &[(&str, &str)] = &[
    ("settings.title", "设置"),
    ("settings.policy", "积分规则"),
    (
        "settings.policy_help",
        "修改只对之后获得的积分生效：已有积分批次保留原有的可用日期与过期日期，退款按下单时记录的比例扣回。",
    ),
    ("settings.points_per_yuan", "每消费 1 元得积分"),
    ("settings.pending_days", "待生效天数（退货期）"),
    ("settings.expiry", "过期方式"),
    ("settings.expiry_never", "永不过期"),
    ("settings.expiry_rolling", "获得后 N 天过期"),
    ("settings.expiry_end_of_year", "年底清零（N 年后）"),
    ("settings.expiry_days", "天数 N"),
    ("settings.years_after", "年数 N"),
    ("settings.negative_balance", "退款扣回不足时"),
    (
        "settings.negative_allow",
        "记为欠分（之后获得的积分优先抵扣）",
    ),
    ("settings.negative_forbid", "直接核销，不记欠分"),
    ("settings.preview", "预览影响"),
    ("settings.preview_member", "示例会员（留空则取最新会员）"),
    ("settings.preview_title", "对示例会员的影响"),
    (
        "settings.preview_note",
        "下表为该会员最近的积分批次：左为现状（不会改变），右为若按新规则获得时的结果。",
    ),
    ("settings.preview_sample", "一笔 ¥{yuan} 的消费得积分"),
    ("settings.preview_unchanged", "新规则与当前规则相同。"),
    ("settings.preview_no_member", "项目还没有会员，无法预览。"),
    ("settings.preview_unknown_member", "找不到会员："),
    ("settings.earned", "获得时间"),
    ("settings.order", "订单"),
    ("settings.points", "积分"),
    ("settings.available", "可用时间"),
    ("settings.expires", "过期时间"),
    ("settings.now", "现状"),
    ("settings.new", "按新规则"),
    ("settings.never", "不过期"),
    ("settings.timezone", "时区"),
    (
        "settings.timezone_help",
        "IANA 时区名称，如 Asia/Shanghai。日历类规则与“年底清零”按此时区计算。",
    ),
    ("settings.currency", "币种"),
    ("settings.sites", "站点"),
    (
        "settings.sites_help",
        "每行一个站点：站点 ID，后接空格与名称（可省略）。以 :* 结尾表示一类站点。留空表示接受任何站点。",
    ),
    ("settings.partners", "合作伙伴"),
    ("settings.partner_id", "伙伴 ID"),
    ("settings.partner_name", "名称"),
    ("settings.partner_site", "站点"),
    ("settings.partner_identity", "会员身份类型"),
    ("settings.partner_save", "新增或改名"),
    ("settings.partner_key", "签发伙伴密钥"),
    ("settings.keys", "API 密钥"),
    ("settings.key_name", "用途名称"),
    ("settings.key_prefix", "前缀"),
    ("settings.key_created", "创建时间"),
    ("settings.key_revoked_at", "撤销时间"),
    ("settings.key_partner", "所属伙伴"),
    ("settings.key_issue", "签发新密钥"),
    ("settings.key_revoke", "撤销"),
    ("settings.key_revoked", "密钥已撤销，使用它的请求将被拒绝。"),
    ("settings.key_secret", "新密钥"),
    (
        "settings.shown_once",
        "请立即复制并妥善保存：离开此页后将无法再次查看。",
    ),
    ("settings.users", "用户与角色"),
    ("settings.user_email", "邮箱"),
    ("settings.user_name", "姓名"),
    ("settings.user_role", "角色"),
    ("settings.user_invite", "邀请用户"),
    (
        "settings.user_invite_help",
        "新账户会生成一次性密码，仅显示一次；已有账户直接获得此角色。",
    ),
    ("settings.user_change", "修改角色"),
    ("settings.user_remove", "移除"),
    (
        "settings.user_removed",
        "已移除该用户，其在本项目的登录会话已结束。",
    ),
    ("settings.user_password", "一次性密码："),
    ("settings.you", "（您）"),
    ("settings.support_limit", "客服单次调整积分上限"),
    (
        "settings.support_limit_help",
        "客服角色每次调整积分（增加或扣减）最多可动用的积分数。未设置时为 1000 积分。",
    ),
    ("settings.audit", "审计日志"),
    (
        "settings.audit_help",
        "所有修改（来自后台或 API）都记录在审计日志中，包括操作人、时间以及修改前后的值。",
    ),
    ("settings.audit_open", "查看审计日志"),
    ("settings.owner_only", "只有所有者可以修改这些设置。"),
];

/// English.
pub const EN: &[(&str, &str)] = &[
    ("settings.title", "Settings"),
    ("settings.policy", "Point policy"),
    (
        "settings.policy_help",
        "A change applies to points earned after it: existing lots keep their available and expiry dates, and refunds claw back at the rate recorded with the order.",
    ),
    ("settings.points_per_yuan", "Points per yuan spent"),
    ("settings.pending_days", "Pending days (return window)"),
    ("settings.expiry", "Expiry"),
    ("settings.expiry_never", "Never"),
    ("settings.expiry_rolling", "N days after earning"),
    ("settings.expiry_end_of_year", "End of year (N years after)"),
    ("settings.expiry_days", "Days N"),
    ("settings.years_after", "Years N"),
    (
        "settings.negative_balance",
        "When a refund finds too few points",
    ),
    (
        "settings.negative_allow",
        "Record debt (repaid first by later points)",
    ),
    ("settings.negative_forbid", "Write the rest off, no debt"),
    ("settings.preview", "Preview"),
    (
        "settings.preview_member",
        "Sample member (empty: the newest member)",
    ),
    (
        "settings.preview_title",
        "What the change does to the sample member",
    ),
    (
        "settings.preview_note",
        "The member's latest lots: as they are (they do not change), and as they would be if earned under the new policy.",
    ),
    ("settings.preview_sample", "Points for a ¥{yuan} purchase"),
    (
        "settings.preview_unchanged",
        "The proposal is the policy in force.",
    ),
    (
        "settings.preview_no_member",
        "The program has no members yet: nothing to preview.",
    ),
    ("settings.preview_unknown_member", "No such member: "),
    ("settings.earned", "Earned"),
    ("settings.order", "Order"),
    ("settings.points", "Points"),
    ("settings.available", "Available"),
    ("settings.expires", "Expires"),
    ("settings.now", "Now"),
    ("settings.new", "New policy"),
    ("settings.never", "never"),
    ("settings.timezone", "Time zone"),
    (
        "settings.timezone_help",
        "An IANA name such as Asia/Shanghai. Calendar rules and end-of-year expiry count in it.",
    ),
    ("settings.currency", "Currency"),
    ("settings.sites", "Sites"),
    (
        "settings.sites_help",
        "One site a line: its id, then a space and a name (optional). A family of sites ends with :*. Empty: any site.",
    ),
    ("settings.partners", "Partners"),
    ("settings.partner_id", "Partner id"),
    ("settings.partner_name", "Name"),
    ("settings.partner_site", "Site"),
    ("settings.partner_identity", "Identity kind"),
    ("settings.partner_save", "Add or rename"),
    ("settings.partner_key", "Issue a partner key"),
    ("settings.keys", "API keys"),
    ("settings.key_name", "What it is for"),
    ("settings.key_prefix", "Prefix"),
    ("settings.key_created", "Created"),
    ("settings.key_revoked_at", "Revoked"),
    ("settings.key_partner", "Partner"),
    ("settings.key_issue", "Issue a key"),
    ("settings.key_revoke", "Revoke"),
    (
        "settings.key_revoked",
        "The key is revoked: requests with it are refused.",
    ),
    ("settings.key_secret", "New key"),
    (
        "settings.shown_once",
        "Copy it now and keep it safe: it cannot be shown again.",
    ),
    ("settings.users", "Users and roles"),
    ("settings.user_email", "Email"),
    ("settings.user_name", "Name"),
    ("settings.user_role", "Role"),
    ("settings.user_invite", "Invite a user"),
    (
        "settings.user_invite_help",
        "A new account gets a one-time password, shown once; an existing account just gets the role.",
    ),
    ("settings.user_change", "Change role"),
    ("settings.user_remove", "Remove"),
    (
        "settings.user_removed",
        "The user is removed; their sessions in this program ended.",
    ),
    ("settings.user_password", "One-time password for"),
    ("settings.you", "(you)"),
    ("settings.support_limit", "Support adjustment limit"),
    (
        "settings.support_limit_help",
        "The most points one adjustment by a support operator may add or remove: 1,000 until you set it.",
    ),
    ("settings.audit", "Audit log"),
    (
        "settings.audit_help",
        "Every change, from the console or the API, is in the audit log: who, when, and the values before and after.",
    ),
    ("settings.audit_open", "Open the audit log"),
    (
        "settings.owner_only",
        "Only an owner may change these settings.",
    ),
];
