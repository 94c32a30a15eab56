//! Meters, sites, the tier policy, members' tiers and benefits, and re-evaluation jobs.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use jifen_core::tiers::{BenefitKind, MeterSpec, Progress, TierOverride, TierPolicy};
use jifen_store::{MemberSet, Program, TierJobRecord};

use crate::api::types::PageQuery;
use crate::app::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Auth, parse_json};
use crate::service::ledger::find_member;
use crate::service::tiers::{
    Figures, METERS, SITES, SiteSpec, Standing, TIER_POLICY, TierSettings, create_job,
    override_tier, run_job, standing_of,
};

/// A meter as declared.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MeterOut {
    pub name: String,
    /// `kind` (`sum`, `distinct`, `weighted`), `window`, `parts`, `cap`, `title`, `description`.
    #[schema(value_type = Object)]
    pub spec: Value,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MeterList {
    pub data: Vec<MeterOut>,
}

/// Saves one settings document in its own transaction (bumping the rules revision, so every
/// node reloads it).
pub async fn save_setting(
    state: &AppState,
    program: &Program,
    name: &str,
    body: &str,
) -> Result<(), ApiError> {
    crate::service::with_retries(|| async {
        let mut tx = state.store.begin_write().await?;
        tx.save_setting(&program.id, name, body, state.clock.now())
            .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// List the program's meters.
#[utoipa::path(get, path = "/v1/meters", tag = "tiers",
    responses((status = 200, body = MeterList)))]
pub async fn list_meters(
    State(state): State<AppState>,
    Auth(program): Auth,
) -> Result<Json<MeterList>, ApiError> {
    let settings = TierSettings::read(&state, &program.id).await?;
    Ok(Json(MeterList {
        data: settings
            .meters
            .specs
            .iter()
            .map(|(name, spec)| MeterOut {
                name: name.clone(),
                spec: json!(spec),
            })
            .collect(),
    }))
}

/// Declare (or change) a meter: a non-spendable counter per member, fed by rules'
/// `add_to_meter` effects, with a window (`lifetime`, `rolling_days`, `calendar_month`,
/// `calendar_quarter`, `calendar_year`) and a kind (`sum`, `distinct` keys, or `weighted` sum of
/// other meters). Values are computed from the entries, so a change applies to the past too.
#[utoipa::path(put, path = "/v1/meters/{name}", tag = "tiers",
    params(("name" = String, Path, description = "1–64 of a-z 0-9 _ - . :")),
    request_body(content = Object, description = "The meter's spec"),
    responses((status = 201, body = MeterOut), (status = 200, body = MeterOut),
        (status = 422, body = ErrorBody)))]
pub async fn put_meter(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(name): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let spec: MeterSpec = parse_json(&body)?;
    let settings = TierSettings::read(&state, &program.id).await?;
    let mut specs = settings.meters.specs.clone();
    spec.validate(&name, &specs)
        .map_err(|e| ApiError::invalid(e.field, e.message))?;
    let created = specs.insert(name.clone(), spec.clone()).is_none();
    let text = serde_json::to_string(&specs).map_err(|_| ApiError::Internal)?;
    save_setting(&state, &program, METERS, &text).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(MeterOut {
            name,
            spec: json!(spec),
        }),
    )
        .into_response())
}

/// The sites a program's events come from.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SitesBody {
    /// `tmall`, `taobao`, `wechat_mp`, a family such as `store:*`… Empty: any site.
    pub sites: Vec<SiteSpec>,
}

/// List the program's declared sites.
#[utoipa::path(get, path = "/v1/sites", tag = "tiers",
    responses((status = 200, body = SitesBody)))]
pub async fn get_sites(
    State(state): State<AppState>,
    Auth(program): Auth,
) -> Result<Json<SitesBody>, ApiError> {
    let settings = TierSettings::read(&state, &program.id).await?;
    Ok(Json(SitesBody {
        sites: settings.sites,
    }))
}

/// Declare the program's sites. Once some are declared, an event from another site is refused
/// (`invalid_request` on `site`).
#[utoipa::path(put, path = "/v1/sites", tag = "tiers", request_body = SitesBody,
    responses((status = 200, body = SitesBody), (status = 422, body = ErrorBody)))]
pub async fn put_sites(
    State(state): State<AppState>,
    Auth(program): Auth,
    ApiJson(body): ApiJson<SitesBody>,
) -> Result<Json<SitesBody>, ApiError> {
    let mut seen = std::collections::BTreeSet::new();
    for (i, s) in body.sites.iter().enumerate() {
        let ok = match s.id.strip_suffix(":*") {
            Some(family) => jifen_core::rules::valid_name(family),
            None => jifen_core::rules::valid_name(&s.id) && !s.id.ends_with(':'),
        };
        if !ok {
            return Err(ApiError::invalid(
                format!("sites[{i}].id"),
                "a site is 1–64 characters of a-z, 0-9, _ - . : (a family of sites ends with `:*`)",
            ));
        }
        if !seen.insert(s.id.as_str()) {
            return Err(ApiError::invalid(
                format!("sites[{i}].id"),
                format!("site {} is listed twice", s.id),
            ));
        }
    }
    let text = serde_json::to_string(&body.sites).map_err(|_| ApiError::Internal)?;
    save_setting(&state, &program, SITES, &text).await?;
    Ok(Json(body))
}

/// A re-evaluation of every member's tier.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TierJobOut {
    pub id: String,
    /// `running` or `done`.
    pub status: String,
    /// `policy_changed`, `requested` or `periodic`.
    pub reason: String,
    /// Members re-evaluated so far.
    pub members: i64,
    /// Tier changes they caused.
    pub changes: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<TierJobRecord> for TierJobOut {
    fn from(r: TierJobRecord) -> Self {
        TierJobOut {
            id: r.id,
            status: r.status,
            reason: r.reason,
            members: r.members,
            changes: r.changes,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// The tier policy, and the re-evaluation its change started.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TierPolicyOut {
    /// `basis`, `tiers` (with their `benefits`), `requalification`, `grace_days`.
    #[schema(value_type = Object)]
    pub policy: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job: Option<TierJobOut>,
}

/// Show the program's tier policy.
#[utoipa::path(get, path = "/v1/tier-policy", tag = "tiers",
    responses((status = 200, body = TierPolicyOut), (status = 404, body = ErrorBody)))]
pub async fn get_tier_policy(
    State(state): State<AppState>,
    Auth(program): Auth,
) -> Result<Json<TierPolicyOut>, ApiError> {
    let settings = TierSettings::read(&state, &program.id).await?;
    let policy = settings.policy.ok_or(ApiError::TierPolicyNotFound)?;
    Ok(Json(TierPolicyOut {
        policy: json!(policy),
        job: None,
    }))
}

/// Save the tier policy: ordered tiers with thresholds on one figure (a meter, or points
/// earned or spend in a window), requalification, grace, and each tier's benefits. A change
/// starts a re-evaluation of every member (upgrades at once; downgrades only at reviews).
#[utoipa::path(put, path = "/v1/tier-policy", tag = "tiers",
    request_body(content = Object, description = "The tier policy"),
    responses((status = 200, body = TierPolicyOut), (status = 422, body = ErrorBody)))]
pub async fn put_tier_policy(
    State(state): State<AppState>,
    Auth(program): Auth,
    body: axum::body::Bytes,
) -> Result<Json<TierPolicyOut>, ApiError> {
    let policy: TierPolicy = parse_json(&body)?;
    policy
        .validate()
        .map_err(|e| ApiError::invalid(e.field, e.message))?;
    let refs: Vec<(String, &str)> = policy
        .tiers
        .iter()
        .enumerate()
        .flat_map(|(i, t)| {
            t.benefits
                .iter()
                .enumerate()
                .filter_map(move |(j, b)| match &b.kind {
                    BenefitKind::UpgradeGift { gift }
                    | BenefitKind::BirthdayGift { gift }
                    | BenefitKind::PeriodicGift { gift, .. } => gift
                        .voucher
                        .as_deref()
                        .map(|v| (format!("tiers[{i}].benefits[{j}].gift.voucher"), v)),
                    _ => None,
                })
        })
        .collect();
    crate::service::with_retries(|| async {
        let mut tx = state.store.begin_write().await?;
        crate::service::vouchers::check_templates(&mut tx, &program.id, &refs).await
    })
    .await?;
    let before = TierSettings::read(&state, &program.id).await?;
    if before.policy.as_ref() == Some(&policy) {
        return Ok(Json(TierPolicyOut {
            policy: json!(policy),
            job: None,
        }));
    }
    let text = serde_json::to_string(&policy).map_err(|_| ApiError::Internal)?;
    save_setting(&state, &program, TIER_POLICY, &text).await?;
    let id = format!("policy-{}", uuid::Uuid::now_v7());
    let job = start(&state, &program, &id, "policy_changed").await?;
    Ok(Json(TierPolicyOut {
        policy: json!(policy),
        job: Some(job.into()),
    }))
}

/// Creates a job and runs it in the background.
async fn start(
    state: &AppState,
    program: &Program,
    id: &str,
    reason: &str,
) -> Result<TierJobRecord, ApiError> {
    let record = create_job(state, program, id, reason).await?;
    let (state, program_id, id) = (state.clone(), program.id.clone(), id.to_owned());
    tokio::spawn(async move {
        if let Err(e) = run_job(&state, &program_id, &id).await {
            tracing::error!(job = %id, error = %e, "tier job failed; the background job resumes it");
        }
    });
    Ok(record)
}

/// Re-evaluate every member's tier now (reviews that are due, upgrades, ended overrides,
/// gifts owed). Runs in the background; follow it with `GET /v1/tier-jobs/{id}`.
#[utoipa::path(post, path = "/v1/tier-jobs", tag = "tiers",
    responses((status = 202, body = TierJobOut), (status = 404, body = ErrorBody)))]
pub async fn post_tier_job(
    State(state): State<AppState>,
    Auth(program): Auth,
) -> Result<(StatusCode, Json<TierJobOut>), ApiError> {
    let settings = TierSettings::read(&state, &program.id).await?;
    settings.policy.ok_or(ApiError::TierPolicyNotFound)?;
    let id = format!("requested-{}", uuid::Uuid::now_v7());
    let job = start(&state, &program, &id, "requested").await?;
    Ok((StatusCode::ACCEPTED, Json(job.into())))
}

/// Show a tier re-evaluation's progress.
#[utoipa::path(get, path = "/v1/tier-jobs/{id}", tag = "tiers",
    params(("id" = String, Path, description = "The job's id")),
    responses((status = 200, body = TierJobOut), (status = 404, body = ErrorBody)))]
pub async fn get_tier_job(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
) -> Result<Json<TierJobOut>, ApiError> {
    let job = state
        .store
        .tier_job(&program.id, &id)
        .await?
        .ok_or_else(|| ApiError::TierJobNotFound(id.clone()))?;
    Ok(Json(job.into()))
}

/// A tier, by id and name.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TierRef {
    pub id: String,
    pub name: String,
}

/// An operator's override.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideIn {
    /// The tier the member holds while the override lasts.
    pub tier: String,
    pub reason: String,
    /// When it ends (the member's standing applies again).
    pub until: DateTime<Utc>,
}

/// How far a member is from the next tier.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ProgressOut {
    /// The figure tiers are decided on (a meter's name, `points earned`, `spend (fen)`).
    pub basis: String,
    pub value: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_tier: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_threshold: Option<i64>,
    /// What is left to reach the next tier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing: Option<i64>,
    /// What keeps the tier held at its next review.
    pub keep_threshold: i64,
}

impl From<Progress> for ProgressOut {
    fn from(p: Progress) -> Self {
        ProgressOut {
            basis: p.basis,
            value: p.value,
            next_tier: p.next_tier,
            next_threshold: p.next_threshold,
            missing: p.missing,
            keep_threshold: p.keep_threshold,
        }
    }
}

/// A member's tier now.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StandingOut {
    /// The tier the member holds now (an override's while it lasts).
    pub tier: TierRef,
    /// The tier the member's figure earned (what holds when an override ends).
    pub earned_tier: String,
    pub since: DateTime<Utc>,
    /// When the member must qualify again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_at: Option<DateTime<Utc>>,
    /// Until when a member who did not qualify at the review keeps the tier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grace_until: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub r#override: Option<OverrideIn>,
    pub progress: ProgressOut,
}

/// The member's standing as of `at`, or `None` when the program has no tier policy.
pub async fn standing(
    state: &AppState,
    program: &Program,
    member: &jifen_store::Member,
    at: DateTime<Utc>,
) -> Result<Option<StandingOut>, ApiError> {
    let settings = TierSettings::read(state, &program.id).await?;
    standing_with(state, program, &settings, member, at).await
}

/// [`standing`] with the program's settings already read.
async fn standing_with(
    state: &AppState,
    program: &Program,
    settings: &TierSettings,
    member: &jifen_store::Member,
    at: DateTime<Utc>,
) -> Result<Option<StandingOut>, ApiError> {
    let (Some(policy), Some(Standing { state: s, value })) = (
        settings.policy.as_ref(),
        standing_of(state, program, settings, member, at).await?,
    ) else {
        return Ok(None);
    };
    let tier = policy.effective(&s, at);
    Ok(Some(StandingOut {
        tier: TierRef {
            id: tier.id.clone(),
            name: tier.name.clone(),
        },
        earned_tier: s.tier.clone(),
        since: s.since,
        review_at: s.review_at,
        grace_until: s.grace_until,
        r#override: s
            .override_
            .clone()
            .filter(|o| o.until > at)
            .map(|o| OverrideIn {
                tier: o.tier,
                reason: o.reason,
                until: o.until,
            }),
        progress: policy.progress(&s, value).into(),
    }))
}

/// One change of a member's tier.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TierChangeOut {
    /// `upgraded`, `downgraded`, `requalified`, `grace_started`, `override_set`,
    /// `override_ended`.
    pub kind: String,
    pub from: String,
    pub to: String,
    /// The figure when it happened.
    pub value: i64,
    pub at: DateTime<Utc>,
    /// The event, job (`tier-job:<id>`, `tier-review`) or `operator` behind it.
    pub cause: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A member's tier now and its history, newest first.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MemberTiersOut {
    pub standing: StandingOut,
    pub history: Vec<TierChangeOut>,
    pub next: Option<String>,
}

/// Show a member's tier, what is left to reach the next one, and the history of changes.
#[utoipa::path(get, path = "/v1/members/{external_id}/tiers", tag = "tiers",
    params(("external_id" = String, Path, description = "The brand's id for the member"), PageQuery),
    responses((status = 200, body = MemberTiersOut), (status = 404, body = ErrorBody)))]
pub async fn member_tiers(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(external_id): Path<String>,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> Result<Json<MemberTiersOut>, ApiError> {
    let (limit, before) = (page.limit()?, page.cursor()?);
    let member = find_member(&state, &program, &external_id).await?;
    let now = state.clock.now();
    let standing = standing(&state, &program, &member, now)
        .await?
        .ok_or(ApiError::TierPolicyNotFound)?;
    let rows = state
        .store
        .tier_changes(member.id, before, limit + 1)
        .await?;
    let next = (rows.len() > limit as usize).then(|| rows[limit as usize - 1].id.to_string());
    let history = rows
        .into_iter()
        .take(limit as usize)
        .map(|r| TierChangeOut {
            kind: r.kind,
            from: r.from_tier,
            to: r.to_tier,
            value: r.value,
            at: r.at,
            cause: r.cause,
            reason: r.reason,
        })
        .collect();
    Ok(Json(MemberTiersOut {
        standing,
        history,
        next,
    }))
}

/// Override a member's tier until a date (an operator's decision, with a reason). The change
/// is in the history, and partner perks follow the tier held.
#[utoipa::path(put, path = "/v1/members/{external_id}/tier-override", tag = "tiers",
    params(("external_id" = String, Path, description = "The brand's id for the member")),
    request_body = OverrideIn,
    responses((status = 200, body = StandingOut), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn put_override(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(external_id): Path<String>,
    ApiJson(body): ApiJson<OverrideIn>,
) -> Result<Json<StandingOut>, ApiError> {
    let member = find_member(&state, &program, &external_id).await?;
    let wanted = TierOverride {
        tier: body.tier,
        reason: body.reason,
        until: body.until,
    };
    override_tier(&state, &program, &member, Some(wanted)).await?;
    let now = state.clock.now();
    standing(&state, &program, &member, now)
        .await?
        .map(Json)
        .ok_or(ApiError::TierPolicyNotFound)
}

/// End a member's tier override now.
#[utoipa::path(delete, path = "/v1/members/{external_id}/tier-override", tag = "tiers",
    params(("external_id" = String, Path, description = "The brand's id for the member")),
    responses((status = 200, body = StandingOut), (status = 404, body = ErrorBody)))]
pub async fn delete_override(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(external_id): Path<String>,
) -> Result<Json<StandingOut>, ApiError> {
    let member = find_member(&state, &program, &external_id).await?;
    override_tier(&state, &program, &member, None).await?;
    let now = state.clock.now();
    standing(&state, &program, &member, now)
        .await?
        .map(Json)
        .ok_or(ApiError::TierPolicyNotFound)
}

/// A benefit a member has, and why.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BenefitOut {
    pub id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// `earn_multiplier`, `early_access`, `upgrade_gift`, `birthday_gift`, `periodic_gift`,
    /// `free_shipping`, `partner_perk`, `content`, `service`, with their fields.
    #[schema(value_type = Object)]
    pub detail: Value,
    /// Why the member has it.
    pub why: String,
}

/// A benefit given.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct GrantOut {
    pub benefit: String,
    pub tier: String,
    /// What made it once: `upgrade:<instant>`, `2026-11`, `birthday:2026`.
    pub period: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub points: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voucher: Option<String>,
    pub granted_at: DateTime<Utc>,
}

/// What a member has now, and what was given.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BenefitsOut {
    pub tier: TierRef,
    pub benefits: Vec<BenefitOut>,
    /// Gifts given, newest first (the last 50).
    pub granted: Vec<GrantOut>,
}

/// List the benefits a member has now (those of the tier held) and why, with the gifts given.
#[utoipa::path(get, path = "/v1/members/{external_id}/benefits", tag = "tiers",
    params(("external_id" = String, Path, description = "The brand's id for the member")),
    responses((status = 200, body = BenefitsOut), (status = 404, body = ErrorBody)))]
pub async fn member_benefits(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(external_id): Path<String>,
) -> Result<Json<BenefitsOut>, ApiError> {
    let member = find_member(&state, &program, &external_id).await?;
    Ok(Json(benefits_of(&state, &program, &member).await?))
}

/// The benefits of the member's tier now, with why, and the grants given.
pub async fn benefits_of(
    state: &AppState,
    program: &Program,
    member: &jifen_store::Member,
) -> Result<BenefitsOut, ApiError> {
    let settings = TierSettings::read(state, &program.id).await?;
    let policy = settings
        .policy
        .as_ref()
        .ok_or(ApiError::TierPolicyNotFound)?;
    let now = state.clock.now();
    let s = standing_with(state, program, &settings, member, now)
        .await?
        .ok_or(ApiError::TierPolicyNotFound)?;
    let tier = policy.tier(&s.tier.id).map_or(&policy.tiers[0], |(_, t)| t);
    let why = match &s.r#override {
        Some(o) => format!(
            "tier {} by an operator's override until {} ({})",
            tier.name,
            o.until.to_rfc3339(),
            o.reason
        ),
        None if tier.threshold == 0 => format!("tier {}: every member's", tier.name),
        None => format!(
            "tier {} since {}: {} {} ≥ {}",
            tier.name,
            s.since.to_rfc3339(),
            s.progress.basis,
            s.progress.value,
            tier.threshold
        ),
    };
    let benefits = tier
        .benefits
        .iter()
        .map(|b| BenefitOut {
            id: b.id.clone(),
            title: b.title.clone(),
            detail: json!(b.kind),
            why: why.clone(),
        })
        .collect();
    let granted = state
        .store
        .benefit_grants(member.id, 50)
        .await?
        .into_iter()
        .map(|g| GrantOut {
            benefit: g.benefit,
            tier: g.tier,
            period: g.period,
            points: g.points,
            voucher: g.voucher,
            granted_at: g.granted_at,
        })
        .collect();
    Ok(BenefitsOut {
        tier: s.tier,
        benefits,
        granted,
    })
}

/// When to read meters.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AtQuery {
    /// The instant (default: now).
    pub at: Option<DateTime<Utc>>,
}

/// A member's meters as of an instant.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MetersOut {
    pub at: DateTime<Utc>,
    pub meters: BTreeMap<String, i64>,
}

/// Show a member's meters (engagement score, spend in a window, distinct counts) as of now or
/// of any past instant.
#[utoipa::path(get, path = "/v1/members/{external_id}/meters", tag = "tiers",
    params(("external_id" = String, Path, description = "The brand's id for the member"), AtQuery),
    responses((status = 200, body = MetersOut), (status = 404, body = ErrorBody)))]
pub async fn member_meters(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(external_id): Path<String>,
    ApiQuery(q): ApiQuery<AtQuery>,
) -> Result<Json<MetersOut>, ApiError> {
    let member = find_member(&state, &program, &external_id).await?;
    let at = q.at.unwrap_or_else(|| state.clock.now());
    let settings = TierSettings::read(&state, &program.id).await?;
    let tz = crate::service::program_tz(&program);
    let ids = [member.id];
    let figures = Figures::read(&state, &settings, MemberSet::Ids(&ids), tz, at).await?;
    Ok(Json(MetersOut {
        at,
        meters: figures.meters(&settings, member.id, tz, at),
    }))
}
