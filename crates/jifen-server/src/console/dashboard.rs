//! The console's home: a program's figures for a period, read from the daily rollups (never
//! from the ledger), with how fresh they are.
//!
//! The rollups are folded by the background jobs loop ([`fold_all`]); a page view only reads
//! the sums (`RollupStore::rollup_*`), a few hundred rows whatever the program's size.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::Method;
use axum::response::Response;
use axum::routing::get;
use chrono::{Datelike, Duration, NaiveDate};
use serde::Deserialize;
use serde_json::json;

use jifen_store::rollups::{FoldOutcome, metric};

use crate::app::AppState;
use crate::console::auth::{Perm, Session};
use crate::console::{Chrome, Failure, Route, html};

pub fn routes() -> Vec<Route> {
    vec![Route::new(Method::GET, "/console", Perm::View, get(page))]
}

/// Members folded per transaction.
const FOLD_BATCH: u32 = 2_000;
/// The longest period the page shows, in days.
const MAX_DAYS: i64 = 366;
/// How many rules and campaigns the page lists.
const TOP: usize = 10;

/// Folds what every program's ledger gained since the last fold into its rollups, and counts
/// its members per tier. Returns what was folded.
pub async fn fold_all(state: &AppState) -> Result<FoldOutcome, crate::error::ApiError> {
    let mut total = FoldOutcome::default();
    for program in state.store.list_programs().await? {
        let tz = crate::service::program_tz(&program);
        loop {
            let done = state
                .store
                .fold_rollups(&program.id, tz, state.clock.now(), FOLD_BATCH)
                .await?;
            total.members += done.members;
            total.entries += done.entries;
            if done.members < u64::from(FOLD_BATCH) {
                break;
            }
        }
        state
            .store
            .refresh_tier_rollup(&program.id, state.clock.now())
            .await?;
    }
    Ok(total)
}

#[derive(Debug, Default, Deserialize)]
pub struct PeriodQuery {
    /// `7`, `30`, `90` (days up to today) or `custom` (with `from` and `to`).
    #[serde(default)]
    pub period: Option<String>,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    /// Set by the templates gallery after it created the program.
    #[serde(default)]
    pub created: Option<String>,
}

pub struct DayRow {
    pub day: String,
    pub issued: i64,
    pub redeemed: i64,
    pub expired: i64,
    pub clawed_back: i64,
    pub new_members: i64,
}

pub struct MonthRow {
    /// `YYYY-MM`, or the text for "never".
    pub month: String,
    pub points: i64,
}

pub struct TierRow {
    pub tier: String,
    pub members: i64,
}

pub struct TopRow {
    pub kind: &'static str,
    pub id: String,
    pub name: String,
    pub points: i64,
    pub cost: String,
}

#[derive(Template)]
#[template(path = "console/dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    period: String,
    from: String,
    to: String,
    fresh: String,
    members_total: i64,
    members_new: i64,
    members_active: i64,
    issued: i64,
    redeemed: i64,
    expired: i64,
    clawed_back: i64,
    redemption_rate: String,
    outstanding: i64,
    outstanding_value: String,
    point_value: String,
    debt: i64,
    days: Vec<DayRow>,
    months: Vec<MonthRow>,
    tiers: Vec<TierRow>,
    top: Vec<TopRow>,
    /// The charts' data, as JSON safe inside a `<script>` element.
    chart_data: String,
}

/// Fen as yuan, two decimals.
fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let f = fen.unsigned_abs();
    format!("¥{sign}{}.{:02}", f / 100, f % 100)
}

/// The value in fen of `points`: a point stands for what a member spends to earn it, the
/// program's `points_per_yuan` points for 100 fen. `None` when the program gives no points per
/// yuan.
fn value_fen(points: i64, points_per_yuan: i64) -> Option<i64> {
    (points_per_yuan > 0)
        .then(|| i64::try_from(i128::from(points) * 100 / i128::from(points_per_yuan)).ok())
        .flatten()
}

fn parse_day(s: Option<&str>) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s?.trim(), "%Y-%m-%d").ok()
}

/// The period asked for: (preset name, first day, last day), in the program's days.
pub fn period_of(q: &PeriodQuery, today: NaiveDate) -> (String, NaiveDate, NaiveDate) {
    let preset = q.period.as_deref().unwrap_or("30");
    if preset == "custom"
        && let (Some(mut from), Some(mut to)) =
            (parse_day(q.from.as_deref()), parse_day(q.to.as_deref()))
    {
        if from > to {
            std::mem::swap(&mut from, &mut to);
        }
        if (to - from).num_days() >= MAX_DAYS {
            from = to - Duration::days(MAX_DAYS - 1);
        }
        return ("custom".into(), from, to);
    }
    let days = match preset {
        "7" => 7,
        "90" => 90,
        _ => 30,
    };
    (days.to_string(), today - Duration::days(days - 1), today)
}

/// "14:32 (3 s ago)" in the program's time zone.
fn freshness(session: &Session, at: jifen_core::Timestamp, now: jifen_core::Timestamp) -> String {
    let lang = session.lang;
    let ago = (now - at).num_seconds().max(0);
    let ago = if ago < 60 {
        format!("{ago} {}", lang.t("dashboard.seconds"))
    } else if ago < 3600 {
        format!("{} {}", ago / 60, lang.t("dashboard.minutes"))
    } else {
        format!("{} {}", ago / 3600, lang.t("dashboard.hours"))
    };
    format!(
        "{} {}{}{}{}",
        lang.t("dashboard.as_of"),
        crate::console::account::local_time(session, at),
        lang.t("dashboard.sep"),
        ago,
        lang.t("dashboard.ago")
    )
}

/// The names of the program's rules and campaigns, by `rule:<id>` / `campaign:<id>`.
async fn names(state: &AppState, program_id: &str) -> Result<BTreeMap<String, String>, Failure> {
    let mut out = BTreeMap::new();
    let name_of = |spec: &str| {
        serde_json::from_str::<serde_json::Value>(spec)
            .ok()
            .and_then(|v| v.get("name").and_then(|n| n.as_str()).map(str::to_owned))
    };
    for v in state.store.rule_versions(program_id).await? {
        if let Some(n) = name_of(&v.spec) {
            out.insert(format!("{}{}", metric::RULE, v.id), n);
        }
    }
    for c in state.store.campaigns(program_id).await? {
        if let Some(n) = name_of(&c.spec) {
            out.insert(format!("{}{}", metric::CAMPAIGN, c.id), n);
        }
    }
    Ok(out)
}

async fn page(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, Failure> {
    let lang = session.lang;
    let program = &session.program;
    let tz = crate::service::program_tz(program);
    let now = state.clock.now();
    let today = now.with_timezone(&tz).date_naive();
    let (period, from, to) = period_of(&q, today);
    let store = &state.store;

    let rollup = store.rollup_state(&program.id).await?;
    let fresh = match &rollup {
        Some(r) if r.folded_at.timestamp() > 0 => freshness(&session, r.folded_at, now),
        _ => lang.t("dashboard.never").to_owned(),
    };

    // The period's days, and the 30 days up to today for the active members.
    let active_from = today - Duration::days(29);
    let figures = store
        .rollup_days(&program.id, from.min(active_from), to.max(today))
        .await?;
    let mut by_day: BTreeMap<NaiveDate, BTreeMap<&str, i64>> = BTreeMap::new();
    let mut members_active = 0;
    let mut scopes: BTreeMap<String, i64> = BTreeMap::new();
    for f in &figures {
        if f.metric == metric::MEMBERS_ACTIVE && f.day >= active_from && f.day <= today {
            members_active += f.value;
        }
        if f.day < from || f.day > to {
            continue;
        }
        if f.metric.starts_with(metric::RULE) || f.metric.starts_with(metric::CAMPAIGN) {
            *scopes.entry(f.metric.clone()).or_default() += f.value;
        } else {
            *by_day
                .entry(f.day)
                .or_default()
                .entry(f.metric.as_str())
                .or_default() += f.value;
        }
    }
    let get = |m: &BTreeMap<&str, i64>, k: &str| m.get(k).copied().unwrap_or(0);
    let mut days = Vec::new();
    let mut d = from;
    while d <= to {
        let m = by_day.get(&d).cloned().unwrap_or_default();
        days.push(DayRow {
            day: d.format("%Y-%m-%d").to_string(),
            issued: get(&m, metric::EARNED) + get(&m, metric::ADJUSTED_UP),
            redeemed: get(&m, metric::REDEEMED),
            expired: get(&m, metric::EXPIRED),
            clawed_back: get(&m, metric::CLAWED_BACK),
            new_members: get(&m, metric::MEMBERS_NEW),
        });
        d += Duration::days(1);
    }
    let sum = |f: fn(&DayRow) -> i64| days.iter().map(f).sum::<i64>();
    let issued = sum(|r| r.issued);
    let redeemed = sum(|r| r.redeemed);
    let expired = sum(|r| r.expired);
    let clawed_back = sum(|r| r.clawed_back);
    let members_new = sum(|r| r.new_members);
    let redemption_rate = if issued > 0 {
        format!("{:.1}%", redeemed as f64 * 100.0 / issued as f64)
    } else {
        "—".to_owned()
    };
    let members_total = store
        .rollup_sum_until(&program.id, metric::MEMBERS_NEW, today.max(to))
        .await?;

    // Points left by expiry month: what has not expired yet is the outstanding liability.
    let this_month = format!("{:04}-{:02}", today.year(), today.month());
    let mut outstanding = 0;
    let mut months = Vec::new();
    let mut never = 0;
    for (month, points) in store.rollup_lots(&program.id).await? {
        if month.is_empty() {
            never += points;
        } else if month >= this_month && points != 0 {
            months.push(MonthRow { month, points });
        }
    }
    outstanding += never + months.iter().map(|m| m.points).sum::<i64>();
    if never != 0 {
        months.push(MonthRow {
            month: lang.t("dashboard.never_expires").to_owned(),
            points: never,
        });
    }
    let ppy = program.policy.points_per_yuan;
    let money = |points: i64| value_fen(points, ppy).map_or_else(|| "—".to_owned(), yuan);
    let outstanding_value = money(outstanding);
    let point_value = value_fen(1_000, ppy).map_or_else(|| "—".to_owned(), yuan);

    let tiers: Vec<TierRow> = rollup
        .as_ref()
        .and_then(|r| r.tiers.as_deref())
        .and_then(|t| serde_json::from_str::<BTreeMap<String, i64>>(t).ok())
        .unwrap_or_default()
        .into_iter()
        .map(|(tier, members)| TierRow { tier, members })
        .collect();

    let names = if scopes.is_empty() {
        BTreeMap::new()
    } else {
        names(&state, &program.id).await?
    };
    let mut top: Vec<TopRow> = scopes
        .into_iter()
        .filter(|(_, p)| *p != 0)
        .map(|(scope, points)| {
            let (kind, id) = match scope.strip_prefix(metric::RULE) {
                Some(id) => ("dashboard.rule", id.to_owned()),
                None => (
                    "dashboard.campaign",
                    scope.trim_start_matches(metric::CAMPAIGN).to_owned(),
                ),
            };
            TopRow {
                kind,
                name: names.get(&scope).cloned().unwrap_or_else(|| id.clone()),
                id,
                points,
                cost: money(points),
            }
        })
        .collect();
    top.sort_by(|a, b| b.points.cmp(&a.points).then(a.id.cmp(&b.id)));
    top.truncate(TOP);

    let chart = json!({
        "days": days.iter().map(|r| &r.day).collect::<Vec<_>>(),
        "series": [
            {"name": lang.t("dashboard.issued"), "data": days.iter().map(|r| r.issued).collect::<Vec<_>>()},
            {"name": lang.t("dashboard.redeemed"), "data": days.iter().map(|r| r.redeemed).collect::<Vec<_>>()},
            {"name": lang.t("dashboard.expired"), "data": days.iter().map(|r| r.expired).collect::<Vec<_>>()},
            {"name": lang.t("dashboard.clawed_back"), "data": days.iter().map(|r| r.clawed_back).collect::<Vec<_>>()},
        ],
        "months": months.iter().map(|m| &m.month).collect::<Vec<_>>(),
        "monthPoints": months.iter().map(|m| m.points).collect::<Vec<_>>(),
        "monthLabel": lang.t("dashboard.points"),
        "tiers": tiers.iter().map(|t| json!({"name": t.tier, "value": t.members})).collect::<Vec<_>>(),
    });
    let chart_data = chart
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");

    let here = match period.as_str() {
        "custom" => format!("/console?period=custom&from={from}&to={to}"),
        p => format!("/console?period={p}"),
    };
    Ok(html(&DashboardPage {
        chrome: Chrome::new(&session, "dashboard", here).with_toast(q.created.is_some().then(
            || crate::console::Toast {
                ok: true,
                message: lang.t("gallery.created").into(),
            },
        )),
        period,
        from: from.format("%Y-%m-%d").to_string(),
        to: to.format("%Y-%m-%d").to_string(),
        fresh,
        members_total,
        members_new,
        members_active,
        issued,
        redeemed,
        expired,
        clawed_back,
        redemption_rate,
        outstanding,
        outstanding_value,
        point_value,
        debt: rollup.as_ref().map_or(0, |r| r.debt),
        days,
        months,
        tiers,
        top,
        chart_data,
    }))
}

pub const ZH: &[(&str, &str)] = &[
    ("dashboard.title", "概览"),
    ("dashboard.period", "统计周期"),
    ("dashboard.last_7", "近 7 天"),
    ("dashboard.last_30", "近 30 天"),
    ("dashboard.last_90", "近 90 天"),
    ("dashboard.custom", "自定义"),
    ("dashboard.from", "开始日期"),
    ("dashboard.to", "结束日期"),
    ("dashboard.apply", "查看"),
    ("dashboard.as_of", "数据截至"),
    ("dashboard.ago", "前"),
    ("dashboard.sep", "，"),
    ("dashboard.seconds", "秒"),
    ("dashboard.minutes", "分钟"),
    ("dashboard.hours", "小时"),
    (
        "dashboard.never",
        "统计数据尚未生成，后台任务会在几秒内完成首次汇总",
    ),
    ("dashboard.tz_note", "按项目时区统计"),
    ("dashboard.members", "会员"),
    ("dashboard.members_total", "会员总数"),
    ("dashboard.members_new", "周期内新增"),
    ("dashboard.members_active", "近 30 天活跃"),
    ("dashboard.points_flow", "积分发放与消耗"),
    ("dashboard.issued", "发放"),
    ("dashboard.redeemed", "兑换"),
    ("dashboard.expired", "过期"),
    ("dashboard.clawed_back", "退款扣回"),
    ("dashboard.redemption_rate", "兑换率"),
    ("dashboard.liability", "积分负债"),
    ("dashboard.outstanding", "未使用积分"),
    ("dashboard.outstanding_value", "折合金额"),
    ("dashboard.point_value", "每 1000 积分价值"),
    ("dashboard.debt", "会员欠分"),
    ("dashboard.by_expiry", "按到期月份"),
    ("dashboard.month", "到期月份"),
    ("dashboard.never_expires", "永不过期"),
    ("dashboard.points", "积分"),
    ("dashboard.day", "日期"),
    ("dashboard.new_members", "新会员"),
    ("dashboard.tiers", "等级分布"),
    ("dashboard.tier", "等级"),
    ("dashboard.no_tiers", "暂无会员等级数据"),
    ("dashboard.top", "规则与活动排行"),
    ("dashboard.kind", "类型"),
    ("dashboard.name", "名称"),
    ("dashboard.cost", "成本"),
    ("dashboard.rule", "规则"),
    ("dashboard.campaign", "活动"),
    ("dashboard.no_top", "本周期内没有规则或活动发放积分"),
    ("dashboard.table", "明细"),
];

pub const EN: &[(&str, &str)] = &[
    ("dashboard.title", "Dashboard"),
    ("dashboard.period", "Period"),
    ("dashboard.last_7", "Last 7 days"),
    ("dashboard.last_30", "Last 30 days"),
    ("dashboard.last_90", "Last 90 days"),
    ("dashboard.custom", "Custom"),
    ("dashboard.from", "From"),
    ("dashboard.to", "To"),
    ("dashboard.apply", "Show"),
    ("dashboard.as_of", "As of"),
    ("dashboard.ago", " ago"),
    ("dashboard.sep", ", "),
    ("dashboard.seconds", "s"),
    ("dashboard.minutes", "min"),
    ("dashboard.hours", "h"),
    (
        "dashboard.never",
        "Figures not computed yet: the background job folds them within seconds",
    ),
    ("dashboard.tz_note", "in the program's time zone"),
    ("dashboard.members", "Members"),
    ("dashboard.members_total", "Members in total"),
    ("dashboard.members_new", "New in period"),
    ("dashboard.members_active", "Active in last 30 days"),
    ("dashboard.points_flow", "Points issued and used"),
    ("dashboard.issued", "Issued"),
    ("dashboard.redeemed", "Redeemed"),
    ("dashboard.expired", "Expired"),
    ("dashboard.clawed_back", "Clawed back"),
    ("dashboard.redemption_rate", "Redemption rate"),
    ("dashboard.liability", "Points liability"),
    ("dashboard.outstanding", "Outstanding points"),
    ("dashboard.outstanding_value", "Value"),
    ("dashboard.point_value", "Value of 1,000 points"),
    ("dashboard.debt", "Owed by members"),
    ("dashboard.by_expiry", "By expiry month"),
    ("dashboard.month", "Expires in"),
    ("dashboard.never_expires", "Never"),
    ("dashboard.points", "Points"),
    ("dashboard.day", "Day"),
    ("dashboard.new_members", "New members"),
    ("dashboard.tiers", "Tier distribution"),
    ("dashboard.tier", "Tier"),
    ("dashboard.no_tiers", "No tier standings yet"),
    ("dashboard.top", "Top rules and campaigns"),
    ("dashboard.kind", "Kind"),
    ("dashboard.name", "Name"),
    ("dashboard.cost", "Cost"),
    ("dashboard.rule", "Rule"),
    ("dashboard.campaign", "Campaign"),
    (
        "dashboard.no_top",
        "No rule or campaign awarded points in this period",
    ),
    ("dashboard.table", "Details"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
        let q = PeriodQuery::default();
        let (p, from, to) = period_of(&q, today);
        assert_eq!(
            (p.as_str(), from.to_string(), to),
            ("30", "2026-03-02".into(), today)
        );
        let q = PeriodQuery {
            period: Some("custom".into()),
            from: Some("2026-02-10".into()),
            to: Some("2026-02-01".into()),
            created: None,
        };
        let (p, from, to) = period_of(&q, today);
        assert_eq!(
            (p.as_str(), from.to_string(), to.to_string()),
            ("custom", "2026-02-01".into(), "2026-02-10".into())
        );
    }

    #[test]
    fn money() {
        assert_eq!(value_fen(1_000, 1), Some(100_000));
        assert_eq!(value_fen(1_000, 10), Some(10_000));
        assert_eq!(value_fen(5, 0), None);
        assert_eq!(yuan(12_345), "¥123.45");
        assert_eq!(yuan(-5), "¥-0.05");
    }
}
