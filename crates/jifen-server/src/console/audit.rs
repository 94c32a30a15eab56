//! The audit log in the console: the one list with its filters (actor, object, dates in the
//! program's time zone), and an object's history, which other pages embed with
//! `<div hx-get="/console/history/<kind>/<id>" hx-trigger="load"></div>` (a full page without
//! htmx).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use axum::routing::get;
use chrono::{NaiveDate, TimeZone};
use serde::Deserialize;
use serde_json::Value;

use crate::app::AppState;
use crate::audit::AuditEntryOut;
use crate::console::api::seg;
use crate::console::auth::{Perm, Session};
use crate::console::i18n::Lang;
use crate::console::{Chrome, Failure, Route, html};

pub fn routes() -> Vec<Route> {
    vec![
        Route::new(Method::GET, "/console/audit", Perm::View, get(list)),
        Route::new(
            Method::GET,
            "/console/history/{kind}/{id}",
            Perm::View,
            get(history),
        ),
    ]
}

/// The object kinds the log names, in the order the filter offers them.
pub const KINDS: &[&str] = &[
    "member",
    "rule",
    "campaign",
    "event_type",
    "meter",
    "sites",
    "tier_policy",
    "reward",
    "badge",
    "segment",
    "challenge",
    "leaderboard",
    "webhook_endpoint",
    "webhook_message",
    "voucher_template",
    "voucher",
    "partner",
    "api_key",
    "program",
    "checkout_settings",
    "backtest",
    "tier_job",
    "operator",
    "console_settings",
];

/// Lines of a page of the list.
const PAGE: u32 = 50;
/// Lines of an object's history embedded in its page.
const HISTORY: u32 = 20;

/// One changed field: its path in the object, the old and the new value as text.
pub struct Change {
    pub field: String,
    pub old: String,
    pub new: String,
}

/// A line as the console shows it.
pub struct Row {
    pub at: String,
    pub actor_id: String,
    pub actor_name: String,
    pub actor_kind: &'static str,
    pub action: String,
    pub action_code: String,
    pub kind: String,
    pub kind_label: String,
    pub object_id: String,
    pub object_href: String,
    pub actor_href: String,
    pub changes: Vec<Change>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    pub actor: Option<String>,
    pub object_kind: Option<String>,
    pub object_id: Option<String>,
    /// First day, in the program's time zone (`YYYY-MM-DD`).
    pub from: Option<String>,
    /// Last day, included.
    pub to: Option<String>,
    pub after: Option<String>,
}

#[derive(Template)]
#[template(path = "console/audit.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<Row>,
    kinds: Vec<(&'static str, &'static str)>,
    actor: String,
    object_kind: String,
    object_id: String,
    from: String,
    to: String,
    next_href: Option<String>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "console/_history.html")]
struct HistoryPartial {
    lang: Lang,
    rows: Vec<Row>,
    all_href: String,
}

#[derive(Template)]
#[template(path = "console/audit_history.html")]
struct HistoryPage {
    chrome: Chrome,
    title: String,
    rows: Vec<Row>,
    all_href: String,
}

fn given(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The start of a day in the program's time zone.
fn day_start(session: &Session, raw: &str) -> Option<jifen_core::Timestamp> {
    let day = NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok()?;
    let tz = crate::service::program_tz(&session.program);
    tz.from_local_datetime(&day.and_hms_opt(0, 0, 0)?)
        .earliest()
        .map(|t| t.with_timezone(&chrono::Utc))
}

/// The href of the list with these filters.
pub fn list_href(q: &[(&str, &str)]) -> String {
    let parts: Vec<String> = q
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", seg(v)))
        .collect();
    if parts.is_empty() {
        "/console/audit".into()
    } else {
        format!("/console/audit?{}", parts.join("&"))
    }
}

async fn list(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<ListQuery>,
) -> Result<Response, Failure> {
    let lang = session.lang;
    let actor = given(&q.actor);
    let object_kind = given(&q.object_kind);
    let object_id = given(&q.object_id);
    let from = given(&q.from);
    let to = given(&q.to);
    let mut error = None;
    let since = match &from {
        Some(d) => day_start(&session, d).or_else(|| {
            error = Some(lang.t("audit.bad_date").to_owned());
            None
        }),
        None => None,
    };
    let until = match &to {
        Some(d) => day_start(
            &session,
            &NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.succ_opt())
                .map(|d| d.to_string())
                .unwrap_or_default(),
        )
        .or_else(|| {
            error = Some(lang.t("audit.bad_date").to_owned());
            None
        }),
        None => None,
    };
    let before = given(&q.after).and_then(|c| c.parse::<i64>().ok());
    let query = crate::audit::Query {
        actor: actor.clone(),
        object_kind: object_kind.clone(),
        // An id alone names nothing: ids are unique per kind.
        object_id: object_kind.as_ref().and(object_id.clone()),
        since,
        until,
    };
    let (entries, next) =
        crate::audit::page(&state, &session.program, &query, PAGE, before).await?;
    let rows = entries.iter().map(|e| row(&session, e)).collect();
    let filters = [
        ("actor", actor.clone().unwrap_or_default()),
        ("object_kind", object_kind.clone().unwrap_or_default()),
        ("object_id", object_id.clone().unwrap_or_default()),
        ("from", from.clone().unwrap_or_default()),
        ("to", to.clone().unwrap_or_default()),
    ];
    let next_href = next.map(|n| {
        let cursor = n.to_string();
        let mut all: Vec<(&str, &str)> = filters.iter().map(|(k, v)| (*k, v.as_str())).collect();
        all.push(("after", &cursor));
        list_href(&all)
    });
    let here_pairs: Vec<(&str, &str)> = filters.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let page = ListPage {
        chrome: Chrome::new(&session, "audit", list_href(&here_pairs)),
        rows,
        kinds: KINDS.iter().map(|k| (*k, kind_label(lang, k))).collect(),
        actor: actor.unwrap_or_default(),
        object_kind: object_kind.unwrap_or_default(),
        object_id: object_id.unwrap_or_default(),
        from: from.unwrap_or_default(),
        to: to.unwrap_or_default(),
        next_href,
        error,
    };
    Ok(html(&page))
}

async fn history(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path((kind, id)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let query = crate::audit::Query {
        object_kind: Some(kind.clone()),
        object_id: Some(id.clone()),
        ..Default::default()
    };
    let (entries, _) = crate::audit::page(&state, &session.program, &query, HISTORY, None).await?;
    let rows: Vec<Row> = entries.iter().map(|e| row(&session, e)).collect();
    let all_href = list_href(&[("object_kind", &kind), ("object_id", &id)]);
    if headers.contains_key("hx-request") {
        return Ok(html(&HistoryPartial {
            lang: session.lang,
            rows,
            all_href,
        }));
    }
    let here = format!("/console/history/{}/{}", seg(&kind), seg(&id));
    Ok(html(&HistoryPage {
        title: format!("{} {}", kind_label(session.lang, &kind), id),
        chrome: Chrome::new(&session, "audit", here),
        rows,
        all_href,
    }))
}

/// The label of an object kind (its code when the tables have none).
pub fn kind_label(lang: Lang, kind: &str) -> &'static str {
    let key = format!("audit.kind.{kind}");
    let text = lang.t(&key);
    if text == key { "" } else { text }
}

fn row(session: &Session, e: &AuditEntryOut) -> Row {
    let lang = session.lang;
    let key = format!("audit.action.{}", e.action);
    let label = lang.t(&key);
    let action = if label == key {
        e.action.clone()
    } else {
        label.to_owned()
    };
    let actor_kind = if e.actor.kind == "user" {
        lang.t("audit.actor_user")
    } else {
        lang.t("audit.actor_key")
    };
    let kind_label = match kind_label(lang, &e.object_kind) {
        "" => e.object_kind.clone(),
        l => l.to_owned(),
    };
    Row {
        at: crate::console::account::local_time(session, e.at),
        actor_href: list_href(&[("actor", &e.actor.id)]),
        actor_id: e.actor.id.clone(),
        actor_name: e.actor.name.clone(),
        actor_kind,
        action,
        action_code: e.action.clone(),
        object_href: list_href(&[("object_kind", &e.object_kind), ("object_id", &e.object_id)]),
        kind: e.object_kind.clone(),
        kind_label,
        object_id: e.object_id.clone(),
        changes: changes(e.before.as_ref(), e.after.as_ref()),
    }
}

/// The fields that differ between two states, by path (`policy.pending_days`), old → new.
pub fn changes(before: Option<&Value>, after: Option<&Value>) -> Vec<Change> {
    let mut old = std::collections::BTreeMap::new();
    let mut new = std::collections::BTreeMap::new();
    if let Some(b) = before {
        flatten("", b, 0, &mut old);
    }
    if let Some(a) = after {
        flatten("", a, 0, &mut new);
    }
    let fields: std::collections::BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    fields
        .into_iter()
        .filter(|f| old.get(*f) != new.get(*f))
        .map(|f| Change {
            field: f.clone(),
            old: old.get(f).cloned().unwrap_or_else(|| "—".into()),
            new: new.get(f).cloned().unwrap_or_else(|| "—".into()),
        })
        .collect()
}

/// Objects are walked three levels deep; below that, and for arrays, the value is shown as
/// compact JSON, cut at 160 characters.
fn flatten(
    prefix: &str,
    v: &Value,
    depth: usize,
    out: &mut std::collections::BTreeMap<String, String>,
) {
    match v {
        Value::Object(o) if depth < 3 && !o.is_empty() => {
            for (k, v) in o {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&path, v, depth + 1, out);
            }
        }
        _ => {
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Null => "—".into(),
                other => other.to_string(),
            };
            let text = if text.chars().count() > 160 {
                text.chars().take(160).collect::<String>() + "…"
            } else {
                text
            };
            out.insert(
                if prefix.is_empty() {
                    "value".into()
                } else {
                    prefix.to_owned()
                },
                text,
            );
        }
    }
}

/// Simplified Chinese.
pub const ZH: &[(&str, &str)] = &[
    ("audit.title", "审计日志"),
    (
        "audit.intro",
        "通过后台或 API 所做的每一项变更：谁、何时、做了什么，以及变更前后的值。记录只增不改。",
    ),
    ("audit.history", "变更历史"),
    ("audit.all", "在审计日志中查看全部"),
    ("audit.when", "时间"),
    ("audit.who", "操作人"),
    ("audit.what", "操作"),
    ("audit.object", "对象"),
    ("audit.changes", "变更内容"),
    ("audit.actor", "操作人 ID"),
    ("audit.actor_hint", "user:… 或 api_key:…"),
    ("audit.kind", "对象类型"),
    ("audit.kind_any", "全部类型"),
    ("audit.object_id", "对象 ID"),
    ("audit.from", "起始日期"),
    ("audit.to", "截止日期"),
    ("audit.filter", "筛选"),
    ("audit.reset", "清除筛选"),
    ("audit.empty", "没有符合条件的记录。"),
    ("audit.more", "更早的记录"),
    ("audit.bad_date", "日期格式应为 年-月-日，例如 2026-06-18。"),
    ("audit.actor_user", "后台用户"),
    ("audit.actor_key", "API 密钥"),
    ("audit.kind.member", "会员"),
    ("audit.kind.rule", "规则"),
    ("audit.kind.campaign", "活动"),
    ("audit.kind.event_type", "事件类型"),
    ("audit.kind.meter", "计量器"),
    ("audit.kind.sites", "站点"),
    ("audit.kind.tier_policy", "等级政策"),
    ("audit.kind.reward", "奖励"),
    ("audit.kind.badge", "勋章"),
    ("audit.kind.segment", "人群"),
    ("audit.kind.challenge", "挑战"),
    ("audit.kind.webhook_endpoint", "Webhook 端点"),
    ("audit.kind.webhook_message", "Webhook 消息"),
    ("audit.kind.leaderboard", "排行榜"),
    ("audit.kind.voucher_template", "优惠券模板"),
    ("audit.kind.voucher", "优惠券"),
    ("audit.kind.partner", "合作伙伴"),
    ("audit.kind.api_key", "API 密钥"),
    ("audit.kind.program", "积分计划"),
    ("audit.kind.checkout_settings", "结算设置"),
    ("audit.kind.backtest", "回测"),
    ("audit.kind.tier_job", "等级重算任务"),
    ("audit.kind.operator", "后台用户"),
    ("audit.kind.console_settings", "后台设置"),
    ("audit.kind.referral_program", "邀请有礼设置"),
    ("audit.kind.reminder_settings", "提醒设置"),
    ("audit.kind.offer_settings", "推荐设置"),
    ("audit.action.program.update", "修改积分政策"),
    ("audit.action.api_key.create", "创建 API 密钥"),
    ("audit.action.api_key.revoke", "吊销 API 密钥"),
    ("audit.action.member.put", "新建或修改会员资料"),
    ("audit.action.member.adjust", "手动调整积分"),
    ("audit.action.member.erase", "删除个人信息"),
    ("audit.action.member.tier_override", "手动指定等级"),
    ("audit.action.member.tier_override_end", "取消手动指定等级"),
    ("audit.action.voucher.issue", "发放优惠券"),
    ("audit.action.rule.put", "保存规则"),
    ("audit.action.rule.delete", "删除规则"),
    ("audit.action.rule.pause", "暂停规则"),
    ("audit.action.rule.resume", "恢复规则"),
    ("audit.action.rule.archive", "归档规则"),
    ("audit.action.backtest.start", "发起回测"),
    ("audit.action.campaign.put", "保存活动"),
    ("audit.action.event_type.put", "保存事件类型"),
    ("audit.action.meter.put", "保存计量器"),
    ("audit.action.sites.put", "保存站点"),
    ("audit.action.tier_policy.put", "保存等级政策"),
    ("audit.action.tier_job.start", "发起等级重算"),
    ("audit.action.partner.put", "保存合作伙伴"),
    ("audit.action.voucher_template.put", "保存优惠券模板"),
    ("audit.action.voucher_template.generate_codes", "生成券码"),
    ("audit.action.voucher_template.import_codes", "导入券码"),
    ("audit.action.reward.put", "保存奖励"),
    ("audit.action.reward.add_codes", "补充兑换码"),
    ("audit.action.checkout_settings.put", "保存结算设置"),
    ("audit.action.operator.add", "添加后台用户"),
    ("audit.action.operator.put", "保存后台用户"),
    ("audit.action.reward.image", "上传奖励图片"),
    ("audit.action.badge.put", "保存勋章"),
    ("audit.action.segment.put", "保存人群"),
    ("audit.action.segment.delete", "删除人群"),
    ("audit.action.challenge.put", "保存挑战"),
    ("audit.action.webhook_endpoint.create", "添加 Webhook 端点"),
    ("audit.action.webhook_endpoint.update", "修改 Webhook 端点"),
    ("audit.action.webhook_endpoint.delete", "删除 Webhook 端点"),
    (
        "audit.action.webhook_endpoint.rotate_secret",
        "轮换 Webhook 密钥",
    ),
    ("audit.action.webhook_message.replay", "重发 Webhook 消息"),
    (
        "audit.action.webhook_message.replay_failed",
        "重发失败的 Webhook 消息",
    ),
    ("audit.action.leaderboard.put", "保存排行榜"),
    ("audit.action.contest.settle", "结算排行榜竞赛"),
    ("audit.action.badge.image", "上传勋章图片"),
    ("audit.action.console_settings.put", "保存后台设置"),
    ("audit.action.referral_program.put", "保存邀请有礼设置"),
    ("audit.action.reminder_settings.put", "保存提醒设置"),
    ("audit.action.offer_settings.put", "保存推荐设置"),
    ("audit.action.operator.role", "修改后台用户角色"),
    ("audit.action.operator.remove", "移除后台用户"),
];

/// English.
pub const EN: &[(&str, &str)] = &[
    ("audit.title", "Audit log"),
    (
        "audit.intro",
        "Every change made in the console or with the API: who, when, what, and the values before and after. Lines are never changed or removed.",
    ),
    ("audit.history", "History"),
    ("audit.all", "See all in the audit log"),
    ("audit.when", "When"),
    ("audit.who", "Who"),
    ("audit.what", "Action"),
    ("audit.object", "Object"),
    ("audit.changes", "Changes"),
    ("audit.actor", "Actor id"),
    ("audit.actor_hint", "user:… or api_key:…"),
    ("audit.kind", "Object kind"),
    ("audit.kind_any", "Any kind"),
    ("audit.object_id", "Object id"),
    ("audit.from", "From"),
    ("audit.to", "To"),
    ("audit.filter", "Filter"),
    ("audit.reset", "Clear filters"),
    ("audit.empty", "No line matches."),
    ("audit.more", "Older lines"),
    (
        "audit.bad_date",
        "Dates are year-month-day, for example 2026-06-18.",
    ),
    ("audit.actor_user", "user"),
    ("audit.actor_key", "API key"),
    ("audit.kind.member", "Member"),
    ("audit.kind.rule", "Rule"),
    ("audit.kind.campaign", "Campaign"),
    ("audit.kind.event_type", "Event type"),
    ("audit.kind.meter", "Meter"),
    ("audit.kind.sites", "Sites"),
    ("audit.kind.tier_policy", "Tier policy"),
    ("audit.kind.reward", "Reward"),
    ("audit.kind.badge", "Badge"),
    ("audit.kind.segment", "Segment"),
    ("audit.kind.challenge", "Challenge"),
    ("audit.kind.webhook_endpoint", "Webhook endpoint"),
    ("audit.kind.webhook_message", "Webhook message"),
    ("audit.kind.leaderboard", "Leaderboard"),
    ("audit.kind.voucher_template", "Voucher template"),
    ("audit.kind.voucher", "Voucher"),
    ("audit.kind.partner", "Partner"),
    ("audit.kind.api_key", "API key"),
    ("audit.kind.program", "Program"),
    ("audit.kind.checkout_settings", "Checkout settings"),
    ("audit.kind.backtest", "Backtest"),
    ("audit.kind.tier_job", "Tier re-evaluation"),
    ("audit.kind.operator", "User"),
    ("audit.kind.console_settings", "Console settings"),
    ("audit.kind.referral_program", "Referral program"),
    ("audit.kind.reminder_settings", "Reminder settings"),
    ("audit.kind.offer_settings", "Offer settings"),
    ("audit.action.program.update", "Changed the point policy"),
    ("audit.action.api_key.create", "Created an API key"),
    ("audit.action.api_key.revoke", "Revoked an API key"),
    ("audit.action.member.put", "Created or changed a member"),
    ("audit.action.member.adjust", "Adjusted points"),
    ("audit.action.member.erase", "Erased personal data"),
    ("audit.action.member.tier_override", "Overrode the tier"),
    (
        "audit.action.member.tier_override_end",
        "Ended a tier override",
    ),
    ("audit.action.voucher.issue", "Issued a voucher"),
    ("audit.action.rule.put", "Saved a rule"),
    ("audit.action.rule.delete", "Deleted a rule"),
    ("audit.action.rule.pause", "Paused a rule"),
    ("audit.action.rule.resume", "Resumed a rule"),
    ("audit.action.rule.archive", "Archived a rule"),
    ("audit.action.backtest.start", "Started a backtest"),
    ("audit.action.campaign.put", "Saved a campaign"),
    ("audit.action.event_type.put", "Saved an event type"),
    ("audit.action.meter.put", "Saved a meter"),
    ("audit.action.sites.put", "Saved the sites"),
    ("audit.action.tier_policy.put", "Saved the tier policy"),
    (
        "audit.action.tier_job.start",
        "Started a tier re-evaluation",
    ),
    ("audit.action.partner.put", "Saved a partner"),
    (
        "audit.action.voucher_template.put",
        "Saved a voucher template",
    ),
    (
        "audit.action.voucher_template.generate_codes",
        "Generated voucher codes",
    ),
    (
        "audit.action.voucher_template.import_codes",
        "Imported voucher codes",
    ),
    ("audit.action.reward.put", "Saved a reward"),
    ("audit.action.reward.add_codes", "Added perk codes"),
    (
        "audit.action.checkout_settings.put",
        "Saved the checkout settings",
    ),
    ("audit.action.operator.add", "Added a user"),
    ("audit.action.operator.put", "Saved a user"),
    ("audit.action.reward.image", "Uploaded a reward's image"),
    ("audit.action.badge.put", "Saved a badge"),
    ("audit.action.segment.put", "Saved a segment"),
    ("audit.action.segment.delete", "Deleted a segment"),
    ("audit.action.challenge.put", "Saved a challenge"),
    (
        "audit.action.webhook_endpoint.create",
        "Added a webhook endpoint",
    ),
    (
        "audit.action.webhook_endpoint.update",
        "Changed a webhook endpoint",
    ),
    (
        "audit.action.webhook_endpoint.delete",
        "Deleted a webhook endpoint",
    ),
    (
        "audit.action.webhook_endpoint.rotate_secret",
        "Rotated a webhook secret",
    ),
    (
        "audit.action.webhook_message.replay",
        "Replayed a webhook message",
    ),
    (
        "audit.action.webhook_message.replay_failed",
        "Replayed failed webhook messages",
    ),
    ("audit.action.leaderboard.put", "Saved a leaderboard"),
    ("audit.action.contest.settle", "Settled a contest"),
    ("audit.action.badge.image", "Uploaded a badge's image"),
    (
        "audit.action.console_settings.put",
        "Saved the console's settings",
    ),
    (
        "audit.action.referral_program.put",
        "Saved the referral program",
    ),
    (
        "audit.action.reminder_settings.put",
        "Saved the reminder settings",
    ),
    (
        "audit.action.offer_settings.put",
        "Saved the offer settings",
    ),
    ("audit.action.operator.role", "Changed a user's role"),
    ("audit.action.operator.remove", "Removed a user"),
];
