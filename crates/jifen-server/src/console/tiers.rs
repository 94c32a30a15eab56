//! The tiers page: the tier policy editor (names, thresholds, requalification and grace as
//! fields; the whole policy, benefits included, as JSON), the distribution of members over the
//! tiers, and re-evaluation jobs with their progress. Saving and starting jobs are `/v1`
//! requests ([`api::call`]).

use std::collections::{BTreeMap, HashMap};
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use jifen_core::Timestamp;

use crate::app::AppState;
use crate::console::account::local_time;
use crate::console::api::{self, ApiFailure, seg};
use crate::console::auth::{self, Perm, Session};
use crate::console::{Chrome, Failure, Route, Toast, html};

pub fn routes() -> Vec<Route> {
    vec![
        Route::new(Method::GET, "/console/tiers", Perm::View, get(page)),
        Route::new(
            Method::POST,
            "/console/tiers/policy",
            Perm::Configure,
            post(save_policy),
        ),
        Route::new(
            Method::POST,
            "/console/tiers/jobs",
            Perm::Configure,
            post(start_job),
        ),
        Route::new(
            Method::GET,
            "/console/tiers/jobs/{id}",
            Perm::View,
            get(job_partial),
        ),
        Route::new(
            Method::GET,
            "/console/tiers/closest",
            Perm::View,
            get(closest_partial),
        ),
    ]
}

/// How long a program's distribution is reused when it is counted on a page view (before the
/// background job's first count): counting a million members' standings is a scan, so page
/// views within this time share one count.
const DISTRIBUTION_TTL: Duration = Duration::from_secs(30);

type Counts = Vec<(String, i64)>;

/// A program's counts: when they were taken, members per stored tier, and all members.
type Counted = (Instant, Counts, i64);

static DISTRIBUTION: LazyLock<Mutex<HashMap<String, Counted>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// Members per stored tier, the member count, and when they were counted. The background
/// job counts them on each pass, with the dashboard's rollups; a page view only reads that
/// count. Before the job's first count, the page counts (a scan, shared for
/// [`DISTRIBUTION_TTL`]).
async fn counts(
    state: &AppState,
    program: &jifen_store::Program,
) -> Result<(Counts, i64, Timestamp), Failure> {
    use jifen_store::rollups::metric;
    if let Some(r) = state.store.rollup_state(&program.id).await?
        && let (Some(text), Some(at)) = (r.tiers.as_deref(), r.tiers_at)
        && let Ok(by_tier) = serde_json::from_str::<BTreeMap<String, i64>>(text)
        // The member count comes from the folded rollups: none yet, none to read.
        && r.folded_at.timestamp() > 0
    {
        let today = state
            .clock
            .now()
            .with_timezone(&crate::service::program_tz(program))
            .date_naive();
        let total = state
            .store
            .rollup_sum_until(&program.id, metric::MEMBERS_NEW, today)
            .await?;
        return Ok((by_tier.into_iter().collect(), total, at));
    }
    if let Ok(cache) = DISTRIBUTION.lock()
        && let Some((at, c, total)) = cache.get(&program.id)
        && at.elapsed() < DISTRIBUTION_TTL
    {
        let counted =
            state.clock.now() - chrono::Duration::from_std(at.elapsed()).unwrap_or_default();
        return Ok((c.clone(), *total, counted));
    }
    let c = state.store.tier_counts(&program.id).await?;
    let total = state.store.member_count(&program.id).await?;
    if let Ok(mut cache) = DISTRIBUTION.lock() {
        cache.insert(program.id.clone(), (Instant::now(), c.clone(), total));
    }
    Ok((c, total, state.clock.now()))
}

/// Forgets a program's distribution counted on a page view (its standings are being
/// re-evaluated).
fn forget(program_id: &str) {
    if let Ok(mut cache) = DISTRIBUTION.lock() {
        cache.remove(program_id);
    }
}

/// Counts a program's distribution again (a re-evaluation of its standings has finished), so
/// that the page shows the new standings without waiting for the job's next pass.
async fn recount(state: &AppState, program_id: &str) -> Result<(), Failure> {
    forget(program_id);
    state
        .store
        .refresh_tier_rollup(program_id, state.clock.now())
        .await?;
    Ok(())
}

pub struct TierRow {
    pub index: usize,
    pub id: String,
    pub name: String,
    /// As typed when the save was refused, else as saved.
    pub threshold: String,
    pub benefits: usize,
    pub members: i64,
    pub error: String,
}

pub struct JobView {
    pub id: String,
    pub running: bool,
    pub reason: String,
    pub members: i64,
    pub changes: i64,
    pub total: i64,
    pub percent: i64,
    pub updated: String,
}

#[derive(Template)]
#[template(path = "console/tiers.html")]
struct TiersPage {
    chrome: Chrome,
    has_policy: bool,
    basis: String,
    tiers: Vec<TierRow>,
    requalification: String,
    requal_days: String,
    grace_days: String,
    raw: String,
    chart: String,
    jobs: Vec<JobView>,
    failure: Option<(String, String)>,
    closest: Option<NearList>,
    counted: String,
}

#[derive(Template)]
#[template(path = "console/_tier_job.html")]
struct JobPartial {
    chrome: Chrome,
    job: JobView,
}

impl TiersPage {
    fn error(&self, field: &str) -> String {
        match &self.failure {
            Some((f, m)) if f == field || (field == "raw" && !f.starts_with("tiers[")) => m.clone(),
            _ => String::new(),
        }
    }
}

#[derive(Deserialize)]
struct PageQuery {
    job: Option<String>,
    /// Set by the link that computes the closest members without JavaScript.
    closest: Option<String>,
}

async fn page(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<PageQuery>,
) -> Result<Response, Failure> {
    let closest = match q.closest {
        Some(_) => Some(closest(&state, &session).await?),
        None => None,
    };
    let out = Outcome {
        closest,
        ..Outcome::default()
    };
    render(&state, &session, out, q.job).await
}

#[derive(Default)]
struct Outcome {
    toast: Option<Toast>,
    failure: Option<(String, String)>,
    /// The form as typed, when refused.
    typed: Option<Vec<(String, String)>>,
    /// The members closest to the next tier, when asked for.
    closest: Option<NearList>,
}

async fn job_view(
    state: &AppState,
    session: &Session,
    id: &str,
) -> Result<Option<JobView>, Failure> {
    let Some(job) = state.store.tier_job(&session.program.id, id).await? else {
        return Ok(None);
    };
    let total = state.store.member_count(&session.program.id).await?.max(1);
    let running = job.status == "running";
    Ok(Some(JobView {
        percent: if running {
            (job.members * 100 / total).min(99)
        } else {
            100
        },
        running,
        reason: job.reason,
        members: job.members,
        changes: job.changes,
        total,
        updated: local_time(session, job.updated_at),
        id: job.id,
    }))
}

async fn render(
    state: &AppState,
    session: &Session,
    out: Outcome,
    job: Option<String>,
) -> Result<Response, Failure> {
    let policy = match api::get(state, session, "/v1/tier-policy").await {
        Ok(v) => Some(v["policy"].clone()),
        Err(f) if f.code == "tier_policy_not_found" => None,
        Err(f) => return Err(f.into()),
    };
    let typed: HashMap<String, String> =
        out.typed.clone().unwrap_or_default().into_iter().collect();
    let (counts, total, counted) = counts(state, &session.program).await?;
    let mut tiers = Vec::new();
    if let Some(p) = &policy {
        let list = p["tiers"].as_array().cloned().unwrap_or_default();
        let stored: i64 = counts.iter().map(|(_, n)| n).sum();
        for (i, t) in list.iter().enumerate() {
            let id = t["id"].as_str().unwrap_or_default().to_owned();
            let mut members = counts
                .iter()
                .find(|(tier, _)| *tier == id)
                .map_or(0, |(_, n)| *n);
            if i == 0 {
                // Members without a stored standing hold the first tier.
                members += (total - stored).max(0);
            }
            let field = format!("tiers[{i}].threshold");
            tiers.push(TierRow {
                index: i,
                name: typed
                    .get(&format!("name_{i}"))
                    .cloned()
                    .unwrap_or_else(|| t["name"].as_str().unwrap_or_default().to_owned()),
                threshold: typed
                    .get(&format!("threshold_{i}"))
                    .cloned()
                    .unwrap_or_else(|| t["threshold"].to_string()),
                benefits: t["benefits"].as_array().map_or(0, Vec::len),
                members,
                error: match &out.failure {
                    Some((f, m)) if *f == field || f.starts_with(&format!("tiers[{i}]")) => {
                        m.clone()
                    }
                    _ => String::new(),
                },
                id,
            });
        }
    }
    let chart = json!({
        "names": tiers.iter().map(|t| t.name.clone()).collect::<Vec<_>>(),
        "members": tiers.iter().map(|t| t.members).collect::<Vec<_>>(),
    })
    .to_string();
    let mut jobs = Vec::new();
    for (program, j) in state.store.running_tier_jobs().await? {
        if program == session.program.id
            && Some(&j.id) != job.as_ref()
            && let Some(v) = job_view(state, session, &j.id).await?
        {
            jobs.push(v);
        }
    }
    if let Some(id) = &job
        && let Some(v) = job_view(state, session, id).await?
    {
        jobs.insert(0, v);
    }
    let p = policy.clone().unwrap_or(Value::Null);
    let requal = &p["requalification"];
    let page = TiersPage {
        chrome: Chrome::new(session, "tiers", "/console/tiers").with_toast(out.toast),
        has_policy: policy.is_some(),
        basis: p["basis"].to_string(),
        tiers,
        requalification: requal["kind"]
            .as_str()
            .unwrap_or("after_upgrade")
            .to_owned(),
        requal_days: typed.get("requal_days").cloned().unwrap_or_else(|| {
            requal["days"]
                .as_i64()
                .map(|d| d.to_string())
                .unwrap_or_default()
        }),
        grace_days: typed
            .get("grace_days")
            .cloned()
            .unwrap_or_else(|| p["grace_days"].as_i64().unwrap_or(0).to_string()),
        raw: typed.get("raw").cloned().unwrap_or_else(|| match &policy {
            Some(v) => serde_json::to_string_pretty(v).unwrap_or_default(),
            None => serde_json::to_string_pretty(&json!({
                "basis": {"kind": "points_earned", "window": {"kind": "rolling_days", "days": 365}},
                "tiers": [
                    {"id": "silver", "name": "银卡", "threshold": 0},
                    {"id": "gold", "name": "金卡", "threshold": 5000}
                ],
                "requalification": {"kind": "after_upgrade", "days": 365},
                "grace_days": 30
            }))
            .unwrap_or_default(),
        }),
        chart,
        jobs,
        failure: out.failure,
        closest: out.closest,
        counted: local_time(session, counted),
    };
    Ok(html(&page))
}

/// A number as typed, or the text itself so the API names the field at fault.
fn num(s: &str) -> Value {
    s.trim()
        .parse::<i64>()
        .map(Value::from)
        .unwrap_or_else(|_| Value::from(s.trim()))
}

async fn save_policy(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, Failure> {
    let get = |k: &str| {
        form.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    let body = if get("mode").as_deref() == Some("raw") {
        // Sent as typed: a policy that is not JSON is the API's to refuse.
        Err(get("raw").unwrap_or_default())
    } else {
        let mut p = api::get(&state, &session, "/v1/tier-policy").await?["policy"].clone();
        if let Some(list) = p["tiers"].as_array_mut() {
            for (i, t) in list.iter_mut().enumerate() {
                if let Some(n) = get(&format!("name_{i}")) {
                    t["name"] = json!(n.trim());
                }
                if let Some(th) = get(&format!("threshold_{i}")) {
                    t["threshold"] = num(&th);
                }
            }
        }
        if let Some(g) = get("grace_days") {
            p["grace_days"] = num(&g);
        }
        if let Some(d) = get("requal_days")
            && p["requalification"]["kind"] == "after_upgrade"
        {
            p["requalification"]["days"] = num(&d);
        }
        Ok(p)
    };
    let r = match body {
        Ok(v) => api::call(&state, &session, Method::PUT, "/v1/tier-policy", Some(v)).await,
        Err(text) => {
            api::call_raw(
                &state,
                &session,
                Method::PUT,
                "/v1/tier-policy",
                "application/json",
                text.into_bytes(),
            )
            .await
        }
    };
    match r {
        Ok(a) => {
            forget(&session.program.id);
            let job = a.body["job"]["id"].as_str().map(str::to_owned);
            render(
                &state,
                &session,
                Outcome {
                    toast: Some(Toast::saved(session.lang)),
                    ..Outcome::default()
                },
                job,
            )
            .await
        }
        Err(f) => refused(&state, &session, f, form).await,
    }
}

async fn refused(
    state: &AppState,
    session: &Session,
    f: ApiFailure,
    typed: Vec<(String, String)>,
) -> Result<Response, Failure> {
    let out = Outcome {
        toast: Some(Toast::error(format!(
            "{}{}",
            session.lang.t("toast.failed"),
            f.message
        ))),
        failure: Some((f.field.unwrap_or_default(), f.message)),
        typed: Some(typed),
        closest: None,
    };
    render(state, session, out, None).await
}

async fn start_job(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
) -> Result<Response, Failure> {
    let a = api::call(&state, &session, Method::POST, "/v1/tier-jobs", None).await?;
    forget(&session.program.id);
    let id = a.body["id"].as_str().unwrap_or_default().to_owned();
    if headers.contains_key("hx-request") {
        let Some(job) = job_view(&state, &session, &id).await? else {
            return Err(Failure::NotFound);
        };
        return Ok(html(&JobPartial {
            chrome: Chrome::new(&session, "tiers", "/console/tiers"),
            job,
        }));
    }
    Ok(auth::redirect(
        &headers,
        &format!("/console/tiers?job={}", seg(&id)),
    ))
}

async fn job_partial(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let Some(job) = job_view(&state, &session, &id).await? else {
        return Err(Failure::NotFound);
    };
    if !job.running {
        recount(&state, &session.program.id).await?;
    }
    Ok(html(&JobPartial {
        chrome: Chrome::new(&session, "tiers", "/console/tiers"),
        job,
    }))
}

/// How many members each tier lists as closest to the next.
const CLOSEST: usize = 5;
/// Members read per page of the pass.
const CLOSEST_PAGE: u32 = 1_000;
/// How long a program's list is reused: it is a pass over every member.
const CLOSEST_TTL: Duration = Duration::from_secs(600);

#[derive(Clone)]
pub struct Near {
    pub member: String,
    pub value: i64,
    pub next: String,
    pub missing: i64,
}

#[derive(Clone)]
pub struct NearTier {
    pub name: String,
    pub members: Vec<Near>,
}

type NearList = Vec<NearTier>;

static CLOSEST_CACHE: LazyLock<Mutex<HashMap<String, (Instant, NearList)>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

#[derive(Template)]
#[template(path = "console/_tiers_closest.html")]
struct ClosestPartial {
    chrome: Chrome,
    tiers: Vec<NearTier>,
    counted: String,
}

/// The members of each tier closest to the next one: a pass over the program's members with
/// the figures and standings the tier job reads, page by page, keeping the [`CLOSEST`] smallest
/// gaps per tier.
async fn closest(state: &AppState, session: &Session) -> Result<NearList, Failure> {
    use crate::service::tiers::{Figures, TierSettings, state_of};
    use jifen_store::MemberSet;

    let program = &session.program;
    if let Ok(cache) = CLOSEST_CACHE.lock()
        && let Some((at, list)) = cache.get(&program.id)
        && at.elapsed() < CLOSEST_TTL
    {
        return Ok(list.clone());
    }
    let settings = TierSettings::read(state, &program.id).await?;
    let Some(policy) = settings.policy.clone() else {
        return Ok(Vec::new());
    };
    let tz = crate::service::program_tz(program);
    let now = state.clock.now();
    let mut best: Vec<Vec<Near>> = policy.tiers.iter().map(|_| Vec::new()).collect();
    let mut after = None;
    loop {
        let page = state
            .store
            .list_members(&program.id, CLOSEST_PAGE, after)
            .await?;
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        let ids: Vec<i64> = page.iter().map(|m| m.id).collect();
        let rows = state.store.member_tiers(MemberSet::Ids(&ids)).await?;
        let figures = Figures::read(state, &settings, MemberSet::Ids(&ids), tz, now).await?;
        for m in &page {
            let row = rows.iter().find(|r| r.member_id == m.id);
            let standing = state_of(&policy, row, m.enrolled_at);
            let value = figures.value(&settings, m.id, tz, now);
            let progress = policy.progress(&standing, value);
            let (Some(next), Some(missing)) = (progress.next_tier, progress.missing) else {
                continue;
            };
            let held = policy.effective(&standing, now).id.clone();
            let Some(rank) = policy.tiers.iter().position(|t| t.id == held) else {
                continue;
            };
            let list = &mut best[rank];
            list.push(Near {
                member: m.external_id.clone(),
                value,
                next: policy
                    .tiers
                    .iter()
                    .find(|t| t.id == next)
                    .map_or(next.clone(), |t| t.name.clone()),
                missing,
            });
            list.sort_by_key(|n| n.missing);
            list.truncate(CLOSEST);
        }
        if page.len() < CLOSEST_PAGE as usize {
            break;
        }
    }
    let list: NearList = policy
        .tiers
        .iter()
        .zip(best)
        .filter(|(_, members)| !members.is_empty())
        .map(|(t, members)| NearTier {
            name: t.name.clone(),
            members,
        })
        .collect();
    if let Ok(mut cache) = CLOSEST_CACHE.lock() {
        cache.insert(program.id.clone(), (Instant::now(), list.clone()));
    }
    Ok(list)
}

async fn closest_partial(
    State(state): State<AppState>,
    session: Session,
) -> Result<Response, Failure> {
    let tiers = closest(&state, &session).await?;
    Ok(html(&ClosestPartial {
        counted: local_time(&session, state.clock.now()),
        chrome: Chrome::new(&session, "tiers", "/console/tiers"),
        tiers,
    }))
}

/// Simplified Chinese.
pub const ZH: &[(&str, &str)] = &[
    ("tiers.title", "会员等级"),
    ("tiers.policy", "等级规则"),
    (
        "tiers.no_policy",
        "尚未设置等级规则。可在下方以 JSON 填写并保存。",
    ),
    ("tiers.basis", "定级依据"),
    ("tiers.tier", "等级"),
    ("tiers.id", "ID"),
    ("tiers.name", "名称"),
    ("tiers.threshold", "门槛"),
    ("tiers.benefits", "权益数"),
    ("tiers.members", "会员数"),
    ("tiers.requal_days", "保级周期（升级后天数）"),
    ("tiers.requalification", "保级方式"),
    ("tiers.grace_days", "降级宽限天数"),
    ("tiers.raw", "完整规则（JSON，含权益）"),
    ("tiers.save_raw", "按 JSON 保存"),
    (
        "tiers.save_help",
        "保存后将重新评估所有会员：达到门槛立即升级，降级只在保级复核时发生。",
    ),
    ("tiers.distribution", "等级分布"),
    (
        "tiers.distribution_help",
        "按会员当前所持等级统计（含人工调整），由后台任务定期统计。",
    ),
    ("tiers.jobs", "重新评估"),
    (
        "tiers.jobs_help",
        "立即对所有会员重新评估等级：到期的复核、升级、已结束的人工调整与应发礼遇。",
    ),
    ("tiers.job_start", "开始重新评估"),
    ("tiers.job_running", "进行中"),
    ("tiers.job_done", "已完成"),
    ("tiers.job_progress", "已评估会员"),
    ("tiers.job_changes", "等级变化"),
    ("tiers.job_updated", "更新于"),
    ("tiers.job_reason", "原因"),
    ("tiers.closest", "最接近升级的会员"),
    (
        "tiers.closest_help",
        "每个等级中离下一等级门槛最近的会员。需要遍历全部会员，结果缓存 10 分钟。",
    ),
    ("tiers.closest_show", "计算名单"),
    ("tiers.member", "会员"),
    ("tiers.value", "当前值"),
    ("tiers.next", "下一等级"),
    ("tiers.missing", "还差"),
    ("tiers.counted", "统计于"),
];

/// English.
pub const EN: &[(&str, &str)] = &[
    ("tiers.title", "Tiers"),
    ("tiers.policy", "Tier policy"),
    (
        "tiers.no_policy",
        "The program has no tier policy yet. Write one as JSON below and save it.",
    ),
    ("tiers.basis", "Basis"),
    ("tiers.tier", "Tier"),
    ("tiers.id", "Id"),
    ("tiers.name", "Name"),
    ("tiers.threshold", "Threshold"),
    ("tiers.benefits", "Benefits"),
    ("tiers.members", "Members"),
    ("tiers.requal_days", "Requalify after (days since upgrade)"),
    ("tiers.requalification", "Requalification"),
    ("tiers.grace_days", "Grace days before a downgrade"),
    ("tiers.raw", "The whole policy (JSON, benefits included)"),
    ("tiers.save_raw", "Save the JSON"),
    (
        "tiers.save_help",
        "Saving re-evaluates every member: upgrades at once, downgrades only at requalification.",
    ),
    ("tiers.distribution", "Distribution"),
    (
        "tiers.distribution_help",
        "Members by the tier they hold (overrides included), counted by the background job on each pass.",
    ),
    ("tiers.jobs", "Re-evaluation"),
    (
        "tiers.jobs_help",
        "Re-evaluate every member now: due reviews, upgrades, ended overrides and gifts owed.",
    ),
    ("tiers.job_start", "Start a re-evaluation"),
    ("tiers.job_running", "Running"),
    ("tiers.job_done", "Done"),
    ("tiers.job_progress", "Members re-evaluated"),
    ("tiers.job_changes", "Tier changes"),
    ("tiers.job_updated", "Updated"),
    ("tiers.job_reason", "Reason"),
    ("tiers.closest", "Closest to the next tier"),
    (
        "tiers.closest_help",
        "In each tier, the members nearest the next tier's threshold. It reads every member, so the list is kept for 10 minutes.",
    ),
    ("tiers.closest_show", "Compute the list"),
    ("tiers.member", "Member"),
    ("tiers.value", "Value"),
    ("tiers.next", "Next tier"),
    ("tiers.missing", "Missing"),
    ("tiers.counted", "Counted at"),
];
