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
    forget_closest(program_id);
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
    closest: Option<NearView>,
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
    let closest = q
        .closest
        .map(|_| NearView::of(closest(&state, &session.program), &session));
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
    closest: Option<NearView>,
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
/// Members read per page of the pass: one id range, its standings and its figures.
const CLOSEST_PAGE: u32 = 5_000;
/// How long a program's list is reused: it is a pass over every member.
const CLOSEST_TTL: Duration = Duration::from_secs(600);
/// A pass that has not reported a page for this long has died (its task panicked or the
/// store failed without an answer): the next request starts another.
const CLOSEST_STALLED: Duration = Duration::from_secs(300);

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

/// Where a program's pass over its members stands. The pass runs in the background, because
/// at a million members it takes about half a minute; the page polls it.
#[derive(Clone)]
enum Pass {
    Running {
        /// Tells this pass from one started after it was forgotten.
        id: u64,
        read: i64,
        total: i64,
        /// When it last reported a page.
        moved: Instant,
    },
    Ready {
        taken: Instant,
        at: Timestamp,
        list: NearList,
    },
    Failed {
        message: String,
    },
}

static PASSES: LazyLock<Mutex<HashMap<String, Pass>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));
static PASS_IDS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// Records what a pass reports, unless it was forgotten (or replaced) meanwhile.
fn report(program_id: &str, id: u64, next: Pass) {
    if let Ok(mut passes) = PASSES.lock()
        && let Some(Pass::Running { id: current, .. }) = passes.get(program_id)
        && *current == id
    {
        passes.insert(program_id.to_owned(), next);
    }
}

/// The program's list as it stands: a fresh one, or the pass computing it (started now when
/// there is none, the last one is older than [`CLOSEST_TTL`], failed or stalled).
fn closest(state: &AppState, program: &jifen_store::Program) -> Pass {
    let Ok(mut passes) = PASSES.lock() else {
        return Pass::Failed {
            message: "the list's state is unavailable".to_owned(),
        };
    };
    match passes.get(&program.id) {
        Some(p @ Pass::Ready { taken, .. }) if taken.elapsed() < CLOSEST_TTL => return p.clone(),
        Some(p @ Pass::Running { moved, .. }) if moved.elapsed() < CLOSEST_STALLED => {
            return p.clone();
        }
        _ => {}
    }
    let id = PASS_IDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let running = Pass::Running {
        id,
        read: 0,
        total: 0,
        moved: Instant::now(),
    };
    passes.insert(program.id.clone(), running.clone());
    let (state, program) = (state.clone(), program.clone());
    tokio::spawn(async move {
        let next = match pass(&state, &program, id).await {
            Ok(list) => Pass::Ready {
                taken: Instant::now(),
                at: state.clock.now(),
                list,
            },
            Err(e) => {
                tracing::error!(program = %program.id, error = %e, "closest to the next tier");
                Pass::Failed {
                    message: e.to_string(),
                }
            }
        };
        report(&program.id, id, next);
    });
    running
}

/// Forgets a program's list (its policy or standings changed).
fn forget_closest(program_id: &str) {
    if let Ok(mut passes) = PASSES.lock() {
        passes.remove(program_id);
    }
}

/// The members of each tier closest to the next one: a pass over the program's members by id
/// range, with the standings and figures the tier job reads, keeping the [`CLOSEST`] smallest
/// gaps per tier. It reads, and locks nothing.
async fn pass(
    state: &AppState,
    program: &jifen_store::Program,
    id: u64,
) -> Result<NearList, crate::error::ApiError> {
    use crate::service::tiers::{Figures, TierSettings, state_of};
    use jifen_store::MemberSet;

    let settings = TierSettings::read(state, &program.id).await?;
    let Some(policy) = settings.policy.clone() else {
        return Ok(Vec::new());
    };
    let total = state.store.member_count(&program.id).await?;
    let tz = crate::service::program_tz(program);
    let now = state.clock.now();
    let names: HashMap<&str, &str> = policy
        .tiers
        .iter()
        .map(|t| (t.id.as_str(), t.name.as_str()))
        .collect();
    let mut best: Vec<Vec<Near>> = policy.tiers.iter().map(|_| Vec::new()).collect();
    let (mut after, mut read) = (0, 0);
    loop {
        let page = state
            .store
            .members_after(&program.id, after, CLOSEST_PAGE)
            .await?;
        let (Some(first), Some(last)) = (page.first(), page.last()) else {
            break;
        };
        let range = MemberSet::Range {
            program_id: &program.id,
            first: first.0,
            last: last.0,
        };
        let rows: HashMap<i64, _> = state
            .store
            .member_tiers(range)
            .await?
            .into_iter()
            .map(|r| (r.member_id, r))
            .collect();
        let figures = Figures::read(state, &settings, range, tz, now).await?;
        for (member, external_id, enrolled_at) in &page {
            let standing = state_of(&policy, rows.get(member), *enrolled_at);
            let value = figures.value(&settings, *member, tz, now);
            let progress = policy.progress(&standing, value);
            let (Some(next), Some(missing)) = (progress.next_tier, progress.missing) else {
                continue;
            };
            let held = &policy.effective(&standing, now).id;
            let Some(rank) = policy.tiers.iter().position(|t| t.id == *held) else {
                continue;
            };
            let list = &mut best[rank];
            if list.len() == CLOSEST && list.last().is_some_and(|n| n.missing <= missing) {
                continue;
            }
            list.push(Near {
                member: external_id.clone(),
                value,
                next: names
                    .get(next.as_str())
                    .map_or(next.clone(), |n| (*n).to_owned()),
                missing,
            });
            list.sort_by_key(|n| n.missing);
            list.truncate(CLOSEST);
        }
        after = last.0;
        read += page.len() as i64;
        report(
            &program.id,
            id,
            Pass::Running {
                id,
                read,
                total: total.max(read),
                moved: Instant::now(),
            },
        );
        if page.len() < CLOSEST_PAGE as usize {
            break;
        }
    }
    Ok(policy
        .tiers
        .iter()
        .zip(best)
        .filter(|(_, members)| !members.is_empty())
        .map(|(t, members)| NearTier {
            name: t.name.clone(),
            members,
        })
        .collect())
}

/// The list or the pass computing it, as the page shows it.
pub struct NearView {
    pub running: bool,
    pub read: i64,
    pub total: i64,
    pub percent: i64,
    pub failed: String,
    pub counted: String,
    pub tiers: NearList,
}

impl NearView {
    fn of(pass: Pass, session: &Session) -> NearView {
        let mut view = NearView {
            running: false,
            read: 0,
            total: 0,
            percent: 100,
            failed: String::new(),
            counted: String::new(),
            tiers: Vec::new(),
        };
        match pass {
            Pass::Running { read, total, .. } => {
                view.running = true;
                view.read = read;
                view.total = total;
                view.percent = (read * 100).checked_div(total).unwrap_or(0).min(99);
            }
            Pass::Ready { at, list, .. } => {
                view.counted = local_time(session, at);
                view.tiers = list;
            }
            Pass::Failed { message } => view.failed = message,
        }
        view
    }
}

#[derive(Template)]
#[template(path = "console/_tiers_closest.html")]
struct ClosestPartial {
    chrome: Chrome,
    near: NearView,
}

async fn closest_partial(
    State(state): State<AppState>,
    session: Session,
) -> Result<Response, Failure> {
    let near = NearView::of(closest(&state, &session.program), &session);
    Ok(html(&ClosestPartial {
        chrome: Chrome::new(&session, "tiers", "/console/tiers"),
        near,
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
        "每个等级中离下一等级门槛最近的会员。需要在后台遍历全部会员（百万会员约需半分钟），结果保留 10 分钟。",
    ),
    ("tiers.closest_show", "计算名单"),
    ("tiers.closest_running", "正在计算"),
    ("tiers.closest_read", "已读取会员"),
    ("tiers.closest_failed", "名单未能算出："),
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
        "In each tier, the members nearest the next tier's threshold. It reads every member in the background (about half a minute at a million members), and the list is kept for 10 minutes.",
    ),
    ("tiers.closest_show", "Compute the list"),
    ("tiers.closest_running", "Computing"),
    ("tiers.closest_read", "Members read"),
    ("tiers.closest_failed", "The list could not be computed:"),
    ("tiers.member", "Member"),
    ("tiers.value", "Value"),
    ("tiers.next", "Next tier"),
    ("tiers.missing", "Missing"),
    ("tiers.counted", "Counted at"),
];
