//! The audit log: every change made through `/v1`, by an API key or by an operator of the
//! console (whose writes go through the same router), with who, when, what, and the object's
//! state before and after.
//!
//! One layer on the `/v1` routes ([`record`]) does it for every write route listed in
//! [`AUDITED`]: it reads the object before the handler runs and again after a successful
//! answer, and appends a line. Writes listed in [`NOT_AUDITED`] are left out on purpose, each
//! with its reason (mostly: members' own activity, which the ledger, events, holds, checkouts
//! and gifts already record immutably, at a volume the log is not meant for). A test walks the
//! API's routes and fails when a write route is in neither list.
//!
//! What is not recorded: failed writes (an answer other than 2xx changed nothing), idempotent
//! replays (the first request was recorded), and a `PUT`/`PATCH`/state change that left the
//! object as it was.
//!
//! When the line cannot be written, the change has already been committed by the handler: the
//! answer stays the handler's (a 500 would tell the client a committed change failed, and its
//! retry would be a replay that records nothing either), and the line is logged at error level
//! in full, with a counter (`jifen_audit_write_failures_total`) to alert on.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{FromRequestParts, MatchedPath, RawPathParams, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jifen_store::{AuditRecord, Program};
use serde_json::{Value, json};

use crate::app::AppState;
use crate::error::ApiError;
use crate::keycache::Principal;

/// Where a write route's object id comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A parameter of the route's path.
    Path(&'static str),
    /// The program itself (its settings: one object per program, named by the program's id).
    Program,
    /// A field of the JSON answer (objects the write creates with an id it chooses).
    Answer(&'static str),
    /// A fixed id (a route whose path names one object literally).
    Fixed(&'static str),
}

/// How to tell whether a successful write changed something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// The object's state is all the write changes: equal before and after means nothing
    /// happened (a `PUT` of the same content), and nothing is recorded.
    State,
    /// The write is an act whose result is not all in the object's state (codes generated, a
    /// job started, points adjusted): recorded unless it is an idempotent replay.
    Act,
}

/// One audited write route.
#[derive(Debug, Clone, Copy)]
pub struct Audited {
    pub method: &'static str,
    pub path: &'static str,
    pub action: &'static str,
    pub object_kind: &'static str,
    pub target: Target,
    pub effect: Effect,
}

const fn audited(
    method: &'static str,
    path: &'static str,
    action: &'static str,
    object_kind: &'static str,
    target: Target,
    effect: Effect,
) -> Audited {
    Audited {
        method,
        path,
        action,
        object_kind,
        target,
        effect,
    }
}

use Effect::{Act, State as Changed};
use Target::{Answer, Fixed, Path, Program as Itself};

/// Every write route the log records, with its action, object kind and id.
#[rustfmt::skip]
pub const AUDITED: &[Audited] = &[
    audited("PATCH", "/v1/program", "program.update", "program", Itself, Changed),
    audited("POST", "/v1/api-keys", "api_key.create", "api_key", Answer("id"), Act),
    audited("DELETE", "/v1/api-keys/{id}", "api_key.revoke", "api_key", Path("id"), Changed),
    audited("PUT", "/v1/members/{external_id}", "member.put", "member", Path("external_id"), Changed),
    audited("PUT", "/v1/members/batch", "member.put", "member", Fixed("batch"), Changed),
    audited("POST", "/v1/members/{external_id}/adjustments", "member.adjust", "member", Path("external_id"), Act),
    audited("PUT", "/v1/members/{external_id}/tier-override", "member.tier_override", "member", Path("external_id"), Changed),
    audited("DELETE", "/v1/members/{external_id}/tier-override", "member.tier_override_end", "member", Path("external_id"), Changed),
    audited("POST", "/v1/members/{external_id}/vouchers", "voucher.issue", "voucher", Answer("code"), Act),
    audited("PUT", "/v1/rules/{id}", "rule.put", "rule", Path("id"), Changed),
    audited("DELETE", "/v1/rules/{id}", "rule.delete", "rule", Path("id"), Changed),
    audited("POST", "/v1/rules/{id}/pause", "rule.pause", "rule", Path("id"), Changed),
    audited("POST", "/v1/rules/{id}/resume", "rule.resume", "rule", Path("id"), Changed),
    audited("POST", "/v1/rules/{id}/archive", "rule.archive", "rule", Path("id"), Changed),
    audited("POST", "/v1/rules/backtest", "backtest.start", "backtest", Answer("id"), Act),
    audited("PUT", "/v1/campaigns/{id}", "campaign.put", "campaign", Path("id"), Changed),
    audited("PUT", "/v1/event-types/{name}", "event_type.put", "event_type", Path("name"), Changed),
    audited("PUT", "/v1/meters/{name}", "meter.put", "meter", Path("name"), Changed),
    audited("PUT", "/v1/sites", "sites.put", "sites", Itself, Changed),
    audited("PUT", "/v1/tier-policy", "tier_policy.put", "tier_policy", Itself, Changed),
    audited("POST", "/v1/tier-jobs", "tier_job.start", "tier_job", Answer("id"), Act),
    audited("PUT", "/v1/partners/{id}", "partner.put", "partner", Path("id"), Changed),
    audited("POST", "/v1/partners/{id}/api-keys", "api_key.create", "api_key", Answer("id"), Act),
    audited("PUT", "/v1/voucher-templates/{id}", "voucher_template.put", "voucher_template", Path("id"), Changed),
    audited("POST", "/v1/voucher-templates/{id}/codes", "voucher_template.generate_codes", "voucher_template", Path("id"), Act),
    audited("POST", "/v1/voucher-templates/{id}/codes/import", "voucher_template.import_codes", "voucher_template", Path("id"), Act),
    audited("PUT", "/v1/rewards/{id}", "reward.put", "reward", Path("id"), Changed),
    audited("POST", "/v1/rewards/{id}/codes", "reward.add_codes", "reward", Path("id"), Act),
    audited("PUT", "/v1/checkout-settings", "checkout_settings.put", "checkout_settings", Itself, Changed),
    audited("PUT", "/v1/rewards/{id}/image", "reward.image", "reward", Path("id"), Changed),
    audited("PUT", "/v1/badges/{id}", "badge.put", "badge", Path("id"), Changed),
    audited("PUT", "/v1/badges/{id}/image", "badge.image", "badge", Path("id"), Changed),
    audited("PUT", "/v1/challenges/{id}", "challenge.put", "challenge", Path("id"), Changed),
    audited("PUT", "/v1/segments/{slug}", "segment.put", "segment", Path("slug"), Changed),
    audited("DELETE", "/v1/segments/{slug}", "segment.delete", "segment", Path("slug"), Changed),
    audited("PUT", "/v1/operators/{email}", "operator.put", "operator", Path("email"), Changed),
    audited("DELETE", "/v1/operators/{email}", "operator.remove", "operator", Path("email"), Changed),
    audited("PUT", "/v1/console-settings", "console_settings.put", "console_settings", Itself, Changed),
    audited("PUT", "/v1/leaderboards/{id}", "leaderboard.put", "leaderboard", Path("id"), Changed),
    audited("POST", "/v1/leaderboards/{id}/contests/{period}/settle", "contest.settle", "leaderboard", Path("id"), Act),
    audited("PUT", "/v1/referral-program", "referral_program.put", "referral_program", Itself, Changed),
    audited("POST", "/v1/webhooks/endpoints", "webhook_endpoint.create", "webhook_endpoint", Answer("id"), Act),
    audited("PATCH", "/v1/webhooks/endpoints/{id}", "webhook_endpoint.update", "webhook_endpoint", Path("id"), Changed),
    audited("DELETE", "/v1/webhooks/endpoints/{id}", "webhook_endpoint.delete", "webhook_endpoint", Path("id"), Changed),
    audited("POST", "/v1/webhooks/endpoints/{id}/rotate-secret", "webhook_endpoint.rotate_secret", "webhook_endpoint", Path("id"), Act),
    audited("POST", "/v1/webhooks/messages/{id}/replay", "webhook_message.replay", "webhook_message", Path("id"), Act),
    audited("POST", "/v1/webhooks/replay-failed", "webhook_message.replay_failed", "webhook_message", Fixed("failed"), Act),
    audited("PUT", "/v1/reminders/settings", "reminder_settings.put", "reminder_settings", Itself, Changed),
    audited("PUT", "/v1/offers/settings", "offer_settings.put", "offer_settings", Itself, Changed),
];

/// Write routes the log leaves out, and why.
#[rustfmt::skip]
pub const NOT_AUDITED: &[(&str, &str, &str)] = &[
    ("POST", "/v1/events", "members' events: kept immutably with their effects in the ledger"),
    ("POST", "/v1/segment-previews", "a preview counts a condition's members and writes nothing"),
    ("POST", "/v1/partner/events", "a partner's events: kept immutably like any event"),
    ("POST", "/v1/members/batch", "bulk synchronisation of profiles from the brand's systems: each answer says what it did, and the volume is an import's"),
    ("POST", "/v1/members/{external_id}/erase", "the erasure writes its own line, in its own transaction"),
    ("POST", "/v1/members/{external_id}/portal-links", "a one-time link into the portal: it changes nothing of the member, and it expires in minutes"),
    ("POST", "/v1/members/{external_id}/consents", "consent records are append-only already, with their source and time"),
    ("PUT", "/v1/members/{external_id}/notification-preferences", "every change is appended to the member's consent records, with its source and time"),
    ("POST", "/v1/members/{external_id}/redemptions", "a member's redemption: an entry of the ledger"),
    ("POST", "/v1/members/{external_id}/holds", "a reservation of points: kept with the ledger"),
    ("POST", "/v1/holds/{id}/commit", "a reservation of points: kept with the ledger"),
    ("POST", "/v1/holds/{id}/void", "a reservation of points: kept with the ledger"),
    ("POST", "/v1/members/{external_id}/vouchers/{code}/gift", "a member's gift: kept as a gift with its times"),
    ("POST", "/v1/gifts/{token}/claim", "a member's gift: kept as a gift with its times"),
    ("POST", "/v1/gifts/{token}/cancel", "a member's gift: kept as a gift with its times"),
    ("POST", "/v1/members/{external_id}/reward-redemptions", "a member's reward redemption: kept with its entries"),
    ("POST", "/v1/reward-redemptions/{id}/cancel", "a reward redemption's life: kept on the redemption and in the ledger"),
    ("POST", "/v1/reward-redemptions/{id}/fulfilment", "a reward redemption's life: kept on the redemption"),
    ("POST", "/v1/checkout/redeem", "a checkout: kept as a checkout with its entries"),
    ("POST", "/v1/checkout/{id}/confirm", "a checkout: kept as a checkout with its entries"),
    ("POST", "/v1/checkout/{id}/cancel", "a checkout: kept as a checkout with its entries"),
    ("POST", "/v1/members/{external_id}/challenges/{challenge}/join", "a member's join: recorded as a `challenge_joined` event, kept immutably like any event"),
    ("POST", "/v1/rules/simulate", "changes nothing"),
    ("POST", "/v1/checkout/validate", "changes nothing"),
    ("POST", "/v1/leaderboards/{id}/rebuild", "rebuilds a ranking from the scores the database keeps: changes nothing stored"),
];

/// The audited route for a method and a matched path, if any.
pub fn audited_route(method: &Method, path: &str) -> Option<&'static Audited> {
    AUDITED
        .iter()
        .find(|a| a.path == path && a.method == method.as_str())
}

/// An object's state for the log: what is stored (`public`), and for members the profile,
/// compared only to name the fields that changed and never stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// The id the log names the object by (a member's internal id: an erasure keeps it, while
    /// the external id may itself be personal data).
    pub id: String,
    pub public: Value,
    pub private: Option<Value>,
}

/// The layer on `/v1` that writes the log (see the module's documentation).
pub async fn record(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let Some(route) = req
        .extensions()
        .get::<MatchedPath>()
        .and_then(|p| audited_route(req.method(), p.as_str()))
    else {
        return next.run(req).await;
    };
    let Some(principal) = req.extensions().get::<Arc<Principal>>().cloned() else {
        return next.run(req).await;
    };
    let (mut parts, body) = req.into_parts();
    let given = match route.target {
        Target::Path(name) => RawPathParams::from_request_parts(&mut parts, &state)
            .await
            .ok()
            .and_then(|p| {
                p.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_owned())
            }),
        Target::Program => Some(principal.program.id.clone()),
        Target::Fixed(id) => Some(id.to_owned()),
        Target::Answer(_) => None,
    };
    let program = &principal.program;
    let before = match &given {
        Some(id) => snapshot(&state, program, route.object_kind, id)
            .await
            .unwrap_or(None),
        None => None,
    };
    let res = next.run(Request::from_parts(parts, body)).await;
    if !res.status().is_success() || res.headers().contains_key("idempotent-replayed") {
        return res;
    }
    let summarised = SUMMARISED.contains(&route.action);
    let (res, answer) = if matches!(route.target, Target::Answer(_)) || summarised {
        match read_answer(res).await {
            Ok(read) => read,
            Err(failed) => return failed,
        }
    } else {
        (res, None)
    };
    let given = match route.target {
        Target::Answer(field) => answer
            .as_ref()
            .and_then(|v| v.get(field).and_then(Value::as_str).map(str::to_owned)),
        _ => given,
    };
    let Some(given) = given else {
        return res;
    };
    let mut after = snapshot(&state, program, route.object_kind, &given)
        .await
        .unwrap_or(None);
    if summarised
        && let (Some(a), Some(answer)) = (after.as_mut(), answer.as_ref())
        && let Some(o) = a.public.as_object_mut()
    {
        o.insert("result".into(), summary(answer));
    }
    if route.effect == Effect::State && before == after {
        return res;
    }
    let object_id = after
        .as_ref()
        .or(before.as_ref())
        .map_or(given.clone(), |s| s.id.clone());
    let (before, after) = member_safe(before, after);
    let line = AuditRecord {
        program_id: program.id.clone(),
        actor: principal.actor.tag(),
        actor_name: principal.actor.display_name().to_owned(),
        action: route.action.to_owned(),
        object_kind: route.object_kind.to_owned(),
        object_id,
        at: state.clock.now(),
        before,
        after,
    };
    if let Err(e) = state.store.append_audit(&line).await {
        metrics::counter!("jifen_audit_write_failures_total").increment(1);
        tracing::error!(error = %e, line = ?line, "audit: the line could not be written");
    }
    res
}

/// Actions whose effect is in their answer rather than in the object's state (codes added to a
/// template or a pool): the line's `after` carries a summary of the answer as `result`.
const SUMMARISED: &[&str] = &[
    "voucher_template.generate_codes",
    "voucher_template.import_codes",
    "reward.add_codes",
];

/// The figures of an answer: numbers as they are, lists by their length (never the codes).
fn summary(answer: &Value) -> Value {
    let Some(o) = answer.as_object() else {
        return Value::Null;
    };
    o.iter()
        .filter_map(|(k, v)| match v {
            Value::Number(_) => Some((k.clone(), v.clone())),
            Value::Array(a) => Some((k.clone(), json!(a.len()))),
            _ => None,
        })
        .collect::<serde_json::Map<String, Value>>()
        .into()
}

/// The answer's body read as JSON, and the answer rebuilt with it; an answer that cannot be
/// read is a 500 (its body is gone).
async fn read_answer(res: Response) -> Result<(Response, Option<Value>), Response> {
    let (parts, body) = res.into_parts();
    match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => {
            let value = serde_json::from_slice::<Value>(&bytes).ok();
            Ok((Response::from_parts(parts, Body::from(bytes)), value))
        }
        Err(e) => {
            tracing::error!(error = %e, "audit: the answer could not be read");
            Err(ApiError::Internal.into_response())
        }
    }
}

/// Appends a line for a change made outside `/v1`: the console's own writes (operators and
/// their roles, `object_kind` `operator`), which no API route makes. Changes through `/v1` are
/// recorded by [`record`] and must not call this.
#[allow(clippy::too_many_arguments)]
pub async fn append(
    state: &AppState,
    program_id: &str,
    actor: &crate::actor::Actor,
    action: &str,
    object_kind: &str,
    object_id: &str,
    before: Option<Value>,
    after: Option<Value>,
) -> Result<i64, ApiError> {
    let line = AuditRecord {
        program_id: program_id.to_owned(),
        actor: actor.tag(),
        actor_name: actor.display_name().to_owned(),
        action: action.to_owned(),
        object_kind: object_kind.to_owned(),
        object_id: object_id.to_owned(),
        at: state.clock.now(),
        before,
        after,
    };
    Ok(state.store.append_audit(&line).await?)
}

/// The stored before/after: the public states, and for a member the names of the profile
/// fields that changed (never their values).
fn member_safe(
    before: Option<Snapshot>,
    after: Option<Snapshot>,
) -> (Option<Value>, Option<Value>) {
    let changed = match (&before, &after) {
        (b, Some(a)) if a.private.is_some() => {
            let old = b
                .as_ref()
                .and_then(|b| b.private.clone())
                .unwrap_or(Value::Null);
            let new = a.private.clone().unwrap_or(Value::Null);
            let keys: Vec<String> = new
                .as_object()
                .map(|o| {
                    o.iter()
                        .filter(|(k, v)| old.get(k.as_str()).unwrap_or(&Value::Null) != *v)
                        .map(|(k, _)| k.clone())
                        .collect()
                })
                .unwrap_or_default();
            Some(keys)
        }
        _ => None,
    };
    let before = before.map(|s| s.public);
    let after = after.map(|s| {
        let mut public = s.public;
        if let (Some(keys), Some(o)) = (&changed, public.as_object_mut())
            && !keys.is_empty()
        {
            o.insert("profile_changed".into(), json!(keys));
        }
        public
    });
    (before, after)
}

/// The object's state as the log keeps it, read from the store; `None` when there is none.
pub async fn snapshot(
    state: &AppState,
    program: &Program,
    kind: &str,
    id: &str,
) -> Result<Option<Snapshot>, ApiError> {
    let plain = |v: Value| {
        Some(Snapshot {
            id: id.to_owned(),
            public: v,
            private: None,
        })
    };
    let store = &state.store;
    let p = &program.id;
    Ok(match kind {
        "program" => {
            let portal = crate::portal::branding::PortalSettings::read(state, p).await?;
            store.get_program(p).await?.and_then(|p| {
                plain(json!(crate::api::program::ProgramOut::new(
                    &p,
                    state.rate_limit.limit(),
                    portal
                )))
            })
        }
        "api_key" => store
            .list_api_keys(p)
            .await?
            .iter()
            .find(|k| k.id == id)
            .and_then(|k| plain(json!(crate::api::program::ApiKeyOut::from(k)))),
        "member" => member(state, program, id).await?,
        "rule" => {
            let last = store
                .rule_versions(p)
                .await?
                .into_iter()
                .filter(|v| v.id == id)
                .max_by_key(|v| v.version);
            last.and_then(|v| {
                // Usage figures move with every event: not part of the rule's state.
                let mut out = json!(crate::api::rules::rule_out(&v, &Default::default()));
                strip(&mut out, "stats");
                plain(out)
            })
        }
        "campaign" => crate::api::rules::campaigns_out(state, p)
            .await?
            .into_iter()
            .find(|c| c.id == id)
            .and_then(|c| {
                let mut out = json!(c);
                strip(&mut out, "stats");
                plain(out)
            }),
        "event_type" => store
            .event_types(p)
            .await?
            .into_iter()
            .find(|t| t.name == id)
            .and_then(|t| {
                plain(json!({
                    "name": t.name,
                    "description": t.description,
                    "schema": serde_json::from_str::<Value>(&t.schema).ok(),
                }))
            }),
        "meter" | "sites" | "tier_policy" => {
            let settings = crate::service::tiers::TierSettings::read(state, p).await?;
            match kind {
                "meter" => settings.meters.specs.get(id).and_then(|m| plain(json!(m))),
                "sites" if settings.sites.is_empty() => None,
                "sites" => plain(json!(settings.sites)),
                _ => settings.policy.and_then(|t| plain(json!(t))),
            }
        }
        "tier_job" => store
            .tier_job(p, id)
            .await?
            .and_then(|j| plain(json!(crate::api::tiers::TierJobOut::from(j)))),
        "backtest" => store.get_backtest(p, id).await?.and_then(|b| {
            let mut out = json!(crate::api::rules::BacktestOut::from(b));
            strip(&mut out, "report");
            plain(out)
        }),
        "partner" => store
            .partners(p)
            .await?
            .into_iter()
            .find(|x| x.id == id)
            .and_then(|x| plain(json!(crate::api::partners::PartnerOut::from(x)))),
        "voucher_template" => match store.voucher_template(p, id).await? {
            Some(d) => plain(json!(crate::api::rewards::template_out(&d)?)),
            None => None,
        },
        "badge" => crate::api::badges::one_out(state, program, id)
            .await?
            .and_then(|b| plain(json!(b))),
        "webhook_endpoint" => store.webhook_endpoint(p, id).await?.and_then(|e| {
            plain(json!(crate::api::webhooks::EndpointOut::of(
                &e,
                state.clock.now()
            )))
        }),
        "webhook_message" => store
            .webhook_message(p, id)
            .await?
            .and_then(|(m, _)| plain(json!(crate::api::webhooks::MessageOut::from(&m)))),
        "segment" => store.segment(p, id).await?.and_then(|s| {
            plain(json!({
                "name": s.name,
                "description": s.description,
                "condition": s.condition,
            }))
        }),
        "challenge" => crate::api::challenges::one_out(state, program, id)
            .await?
            .and_then(|c| plain(json!(c))),
        "reward" => match store.reward(p, id).await? {
            Some(r) => {
                let image = store.reward_image(p, id).await?;
                plain(json!(crate::api::rewards::reward_out(
                    program,
                    &r,
                    image.as_ref()
                )?))
            }
            None => None,
        },
        "voucher" => {
            let rows = store.vouchers(p, &[id]).await?;
            crate::service::vouchers::vouchers_out(state, program, &rows)
                .await?
                .pop()
                .and_then(|v| plain(json!(v)))
        }
        "operator" => store
            .program_operators(p)
            .await?
            .into_iter()
            .find(|(o, _)| o.email == id)
            .and_then(|(o, role)| {
                plain(json!({"email": o.email, "name": o.name, "role": role.as_str()}))
            }),
        "console_settings" => {
            let limit = store.support_adjustment_limit(p).await?;
            plain(json!({"support_adjustment_limit": limit}))
        }
        "leaderboard" => store
            .leaderboard(p, id)
            .await?
            .and_then(|row| serde_json::from_str::<Value>(&row.spec).ok())
            .and_then(plain),
        "reminder_settings" => store
            .setting(p, crate::service::reminders::SETTING)
            .await?
            .and_then(|s| serde_json::from_str::<Value>(&s).ok())
            .and_then(&plain),
        "offer_settings" => store
            .setting(p, crate::service::offers::SETTING)
            .await?
            .and_then(|s| serde_json::from_str::<Value>(&s).ok())
            .and_then(&plain),
        "referral_program" => store
            .setting(p, crate::service::referrals::SETTING)
            .await?
            .and_then(|s| serde_json::from_str::<Value>(&s).ok())
            .and_then(&plain),
        "checkout_settings" => store
            .setting(p, crate::service::vouchers::CHECKOUT)
            .await?
            .and_then(|s| {
                plain(json!(crate::service::vouchers::CheckoutSettings::parse(
                    Some(s)
                )))
            }),
        _ => None,
    })
}

fn strip(v: &mut Value, key: &str) {
    if let Some(o) = v.as_object_mut() {
        o.remove(key);
    }
}

/// A member's state: status, tier and points in public; the profile (name, phone, birthday,
/// gender, city, attributes, identities) kept apart, only to name the fields that changed.
async fn member(
    state: &AppState,
    program: &Program,
    external_id: &str,
) -> Result<Option<Snapshot>, ApiError> {
    let Some(m) = state.store.get_member(&program.id, external_id).await? else {
        return Ok(None);
    };
    let now = state.clock.now();
    let tier = crate::api::tiers::standing(state, program, &m, now)
        .await?
        .map(|s| s.tier.id);
    let b = crate::service::ledger::balance_at(state, program, external_id, now).await?;
    let identities: Vec<String> = m
        .identities
        .iter()
        .map(|i| format!("{}:{}", i.kind, i.value))
        .collect();
    Ok(Some(Snapshot {
        id: m.id.to_string(),
        public: json!({
            "status": m.status,
            "tier": tier,
            "available": b.available,
            "pending": b.pending,
            "held": b.held,
            "lifetime_earned": b.lifetime_earned,
            "lifetime_redeemed": b.lifetime_redeemed,
        }),
        private: Some(json!({
            "name": m.name,
            "phone": m.phone,
            "birthday": m.birthday,
            "gender": m.gender,
            "city": m.city,
            "attributes": m.attributes,
            "identities": identities,
        })),
    }))
}

/// Which lines to read, as a client names them: a member by its external id.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub actor: Option<String>,
    pub object_kind: Option<String>,
    pub object_id: Option<String>,
    pub since: Option<jifen_core::Timestamp>,
    pub until: Option<jifen_core::Timestamp>,
}

/// A line of the log as the API and the console show it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct AuditEntryOut {
    /// The line's position in the log (what the next page's `after` is made of).
    pub id: i64,
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor: ActorOut,
    /// `rule.put`, `member.adjust`, `api_key.revoke`, …
    pub action: String,
    /// `member`, `rule`, `campaign`, `event_type`, `meter`, `sites`, `tier_policy`, `reward`,
    /// `voucher_template`, `voucher`, `partner`, `api_key`, `program`, `backtest`, `tier_job`,
    /// `checkout_settings`.
    pub object_kind: String,
    /// The object's id; a member's is its current external id (the pseudonym once erased).
    pub object_id: String,
    /// The object's state before the change; `null` when the change created it.
    #[schema(value_type = Option<Object>)]
    pub before: Option<Value>,
    /// The object's state after the change; `null` when the change removed it. A member's
    /// holds its status, tier and points, and `profile_changed`: the names of the profile
    /// fields that changed, never their values.
    #[schema(value_type = Option<Object>)]
    pub after: Option<Value>,
}

/// Who made a change.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ActorOut {
    /// `api_key:<id>` or `user:<id>`: what the `actor` filter takes.
    pub id: String,
    /// `api_key` or `user`.
    pub kind: String,
    /// The key's or the operator's name when the change was made.
    pub name: String,
}

/// A page of the program's log, newest first, before the line `before_id` when given; and the
/// cursor of the next page when there may be one.
pub async fn page(
    state: &AppState,
    program: &Program,
    q: &Query,
    limit: u32,
    before_id: Option<i64>,
) -> Result<(Vec<AuditEntryOut>, Option<i64>), ApiError> {
    let mut object_id = q.object_id.clone();
    if q.object_kind.as_deref() == Some("member")
        && let Some(external) = &q.object_id
    {
        // Lines name a member by its internal id: find it by the id the client knows.
        match state.store.get_member(&program.id, external).await? {
            Some(m) => object_id = Some(m.id.to_string()),
            None => return Ok((Vec::new(), None)),
        }
    }
    let filter = jifen_store::AuditFilter {
        actor: q.actor.clone(),
        object_kind: q.object_kind.clone(),
        object_id,
        since: q.since,
        until: q.until,
    };
    let rows = state
        .store
        .list_audit(&program.id, &filter, limit, before_id)
        .await?;
    let next = (rows.len() == limit as usize)
        .then(|| rows.last().map(|r| r.id))
        .flatten();
    let members: Vec<i64> = rows
        .iter()
        .filter(|r| r.record.object_kind == "member")
        .filter_map(|r| r.record.object_id.parse().ok())
        .collect::<std::collections::BTreeSet<i64>>()
        .into_iter()
        .collect();
    let names: std::collections::HashMap<String, String> = state
        .store
        .member_external_ids(&program.id, &members)
        .await?
        .into_iter()
        .map(|(id, ext)| (id.to_string(), ext))
        .collect();
    let out = rows
        .into_iter()
        .map(|e| {
            let r = e.record;
            let object_id = match r.object_kind.as_str() {
                "member" => names.get(&r.object_id).cloned().unwrap_or(r.object_id),
                _ => r.object_id,
            };
            let kind = r.actor.split(':').next().unwrap_or_default().to_owned();
            AuditEntryOut {
                id: e.id,
                at: r.at,
                actor: ActorOut {
                    id: r.actor,
                    kind,
                    name: r.actor_name,
                },
                action: r.action,
                object_kind: r.object_kind,
                object_id,
                before: r.before,
                after: r.after,
            }
        })
        .collect();
    Ok((out, next))
}
