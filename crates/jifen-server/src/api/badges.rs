//! Badges: definitions with their levels and how many members hold each, a member's badges
//! with their progress towards the next level, and each badge's image.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use jifen_core::badges::{Badge, BadgeSpec, Progress};
use jifen_core::rules::Facts;
use jifen_store::media::{ImageRef, RewardImage};
use jifen_store::{BadgeRow, Program};

use crate::app::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Auth, parse_json};
use crate::service::badges::{badge_error, compiled, member_facts, share_path};
use crate::service::catalog::{check_image, image_url};
use crate::service::ledger::find_member;
use crate::service::with_retries;

/// A badge's image is kept with the catalog's images, under this key.
pub fn image_key(badge_id: &str) -> String {
    format!("badge:{badge_id}")
}

fn id_ok(id: &str) -> Result<(), ApiError> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "id",
            "id is 1–64 characters of a-z, 0-9, - and _",
        ))
    }
}

/// One level of a badge, with how many members hold it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BadgeLevelOut {
    /// 1 for the first level.
    pub level: u32,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// `{"points": …, "voucher": "<template>"}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub reward: Option<Value>,
    /// Members who earned this level.
    pub members: i64,
}

/// A badge definition with its statistics.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BadgeOut {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// `active` (awarded) or `archived` (no longer awarded; members keep what they earned).
    pub status: String,
    pub levels: Vec<BadgeLevelOut>,
    /// Whether levels are awarded by their criteria (else only by rules' `award_badge`).
    pub automatic: bool,
    /// The address of the badge's image (`PUT /v1/badges/{id}/image`), relative to the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A list of badges.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BadgeList {
    pub data: Vec<BadgeOut>,
}

pub(crate) fn badge_out(
    program: &Program,
    row: &BadgeRow,
    badge: &Badge,
    counts: &HashMap<(String, i64), i64>,
    image: Option<&ImageRef>,
) -> BadgeOut {
    let levels = badge
        .spec
        .levels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
            BadgeLevelOut {
                level: n,
                name: l.name.clone(),
                progress: l.progress.clone(),
                target: l.target,
                condition: l.condition.clone(),
                reward: l.reward.as_ref().map(|r| serde_json::json!(r)),
                members: counts
                    .get(&(row.id.clone(), i64::from(n)))
                    .copied()
                    .unwrap_or(0),
            }
        })
        .collect();
    BadgeOut {
        id: row.id.clone(),
        name: badge.spec.name.clone(),
        description: badge.spec.description.clone(),
        status: row.status.clone(),
        levels,
        automatic: badge.is_automatic(),
        image_url: image.map(|i| image_url(&program.id, &i.sha256, &i.content_type)),
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

async fn counts(
    state: &AppState,
    program: &Program,
) -> Result<HashMap<(String, i64), i64>, ApiError> {
    Ok(state
        .store
        .badge_counts(&program.id)
        .await?
        .into_iter()
        .map(|(b, l, n)| ((b, l), n))
        .collect())
}

/// One badge as the API shows it.
pub(crate) async fn one_out(
    state: &AppState,
    program: &Program,
    id: &str,
) -> Result<Option<BadgeOut>, ApiError> {
    let Some(row) = state.store.badge(&program.id, id).await? else {
        return Ok(None);
    };
    let badge = compiled(&row)?;
    let image = state
        .store
        .reward_image(&program.id, &image_key(id))
        .await?;
    let counts = counts(state, program).await?;
    Ok(Some(badge_out(
        program,
        &row,
        &badge,
        &counts,
        image.as_ref(),
    )))
}

/// Every badge of the program as the API shows them.
pub(crate) async fn all_out(
    state: &AppState,
    program: &Program,
) -> Result<Vec<BadgeOut>, ApiError> {
    let rows = state.store.badges(&program.id).await?;
    let counts = counts(state, program).await?;
    let images: BTreeMap<String, ImageRef> = state
        .store
        .reward_images(&program.id)
        .await?
        .into_iter()
        .map(|i| (i.reward_id.clone(), i))
        .collect();
    rows.iter()
        .map(|row| {
            let badge = compiled(row)?;
            Ok(badge_out(
                program,
                row,
                &badge,
                &counts,
                images.get(&image_key(&row.id)),
            ))
        })
        .collect()
}

/// Define or change a badge: a name, a description, and one or more levels (铜 / 银 / 金),
/// each with criteria — a CEL `progress` giving a number with the `target` it must reach,
/// and/or a boolean `condition`, over `member.meters`, `member.streaks`, `member.counts`
/// (events by type), `member.tags`, `event`, `program` and `now` — and an optional `reward`
/// (points and/or a voucher template). A level without criteria is awarded only by a rule's
/// `award_badge` effect. `status: archived` stops awarding it; members keep what they earned.
#[utoipa::path(put, path = "/v1/badges/{id}", tag = "badges",
    params(("id" = String, Path, description = "1–64 of a-z 0-9 - _")),
    request_body(content = Object, description = "The badge"),
    responses((status = 201, body = BadgeOut), (status = 200, body = BadgeOut),
        (status = 422, body = ErrorBody)))]
pub async fn put_badge(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    id_ok(&id)?;
    let spec: BadgeSpec = parse_json(&body)?;
    let status = spec.status;
    Badge::compile(&id, spec.clone()).map_err(badge_error)?;
    let text = serde_json::to_string(&spec).map_err(|_| ApiError::Internal)?;
    let new = with_retries(|| async {
        let mut tx = state.store.begin_write().await?;
        let templates: Vec<(String, &str)> = spec
            .levels
            .iter()
            .enumerate()
            .filter_map(|(i, l)| {
                let v = l.reward.as_ref()?.voucher.as_deref()?;
                Some((format!("levels[{i}].reward.voucher"), v))
            })
            .collect();
        crate::service::vouchers::check_templates(&mut tx, &program.id, &templates).await?;
        let now = state.clock.now();
        let existing = tx
            .badge_defs(&program.id)
            .await?
            .into_iter()
            .find(|r| r.id == id);
        let row = BadgeRow {
            id: id.clone(),
            spec: text.clone(),
            status: status.as_str().to_owned(),
            created_at: existing.as_ref().map_or(now, |r| r.created_at),
            updated_at: now,
        };
        if let Some(e) = &existing
            && e.spec == row.spec
            && e.status == row.status
        {
            return Ok(false);
        }
        let new = tx.save_badge(&program.id, &row).await?;
        tx.commit().await?;
        Ok(new)
    })
    .await?;
    let out = one_out(&state, &program, &id)
        .await?
        .ok_or(ApiError::Internal)?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(out)).into_response())
}

/// List the program's badges, each level with how many members earned it.
#[utoipa::path(get, path = "/v1/badges", tag = "badges",
    responses((status = 200, body = BadgeList)))]
pub async fn list_badges(
    State(state): State<AppState>,
    Auth(program): Auth,
) -> Result<Json<BadgeList>, ApiError> {
    Ok(Json(BadgeList {
        data: all_out(&state, &program).await?,
    }))
}

/// Show a badge, each level with how many members earned it.
#[utoipa::path(get, path = "/v1/badges/{id}", tag = "badges",
    params(("id" = String, Path)),
    responses((status = 200, body = BadgeOut), (status = 404, body = ErrorBody)))]
pub async fn get_badge(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
) -> Result<Json<BadgeOut>, ApiError> {
    one_out(&state, &program, &id)
        .await?
        .map(Json)
        .ok_or(ApiError::BadgeNotFound(id))
}

/// Upload a badge's image: its bytes as the body (PNG, JPEG, WebP or GIF of at most 512 KiB,
/// told by its bytes). It replaces the badge's image; `image_url` is its public address.
#[utoipa::path(put, path = "/v1/badges/{id}/image", tag = "badges",
    params(("id" = String, Path)),
    request_body(content = Vec<u8>, content_type = "image/*",
        description = "The image's bytes: PNG, JPEG, WebP or GIF, at most 512 KiB"),
    responses((status = 200, body = BadgeOut), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn put_badge_image(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<BadgeOut>, ApiError> {
    if state.store.badge(&program.id, &id).await?.is_none() {
        return Err(ApiError::BadgeNotFound(id));
    }
    let declared = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let content_type = check_image(&body, declared)?;
    let image = RewardImage {
        reward_id: image_key(&id),
        content_type: content_type.to_owned(),
        sha256: hex::encode(Sha256::digest(&body)),
        bytes: body.to_vec(),
        uploaded_at: state.clock.now(),
    };
    state.store.save_reward_image(&program.id, &image).await?;
    one_out(&state, &program, &id)
        .await?
        .map(Json)
        .ok_or(ApiError::Internal)
}

/// A level a member earned.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EarnedBadgeOut {
    pub badge: String,
    pub name: String,
    pub level: u32,
    pub level_name: String,
    pub earned_at: DateTime<Utc>,
    /// What awarded it: `event:<id>`, `contest:<id>`, …
    pub cause: String,
    /// The event that earned it, when an event did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    /// The public share page of the level, relative to the server.
    pub share_path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
}

/// A member's progress towards the next level of a badge.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BadgeProgressOut {
    pub badge: String,
    pub name: String,
    /// The next level (1 for the first).
    pub level: u32,
    pub level_name: String,
    pub value: i64,
    pub target: i64,
}

/// A member's badges.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MemberBadgesOut {
    /// Levels earned, oldest first.
    pub earned: Vec<EarnedBadgeOut>,
    /// For each active badge with a next level that has a progress: how far the member is.
    pub progress: Vec<BadgeProgressOut>,
}

/// What a member earned and how far they are, for the API and the portal.
pub(crate) async fn member_badges(
    state: &AppState,
    program: &Program,
    member: &jifen_store::Member,
) -> Result<MemberBadgesOut, ApiError> {
    let rows = state.store.badges(&program.id).await?;
    let images: BTreeMap<String, ImageRef> = state
        .store
        .reward_images(&program.id)
        .await?
        .into_iter()
        .map(|i| (i.reward_id.clone(), i))
        .collect();
    let image_of = |id: &str| {
        images
            .get(&image_key(id))
            .map(|i| image_url(&program.id, &i.sha256, &i.content_type))
    };
    let mut badges = BTreeMap::new();
    for row in &rows {
        badges.insert(row.id.clone(), (row, compiled(row)?));
    }
    let earned_rows = state.store.member_badges(&program.id, member.id).await?;
    let mut held: HashMap<&str, BTreeSet<u32>> = HashMap::new();
    let mut earned = Vec::new();
    for r in &earned_rows {
        let level = u32::try_from(r.level).unwrap_or(0);
        held.entry(r.badge_id.as_str()).or_default().insert(level);
        let Some((_, badge)) = badges.get(&r.badge_id) else {
            continue;
        };
        earned.push(EarnedBadgeOut {
            badge: r.badge_id.clone(),
            name: badge.spec.name.clone(),
            level,
            level_name: badge
                .level(level)
                .map(|l| l.name.clone())
                .unwrap_or_default(),
            earned_at: r.earned_at,
            cause: r.cause.clone(),
            event_id: r.event_id.clone(),
            share_path: share_path(&program.id, &r.token),
            image_url: image_of(&r.badge_id),
        });
    }
    let mut progress = Vec::new();
    let active: Vec<&std::sync::Arc<Badge>> = badges
        .values()
        .filter(|(row, b)| row.status == "active" && b.is_automatic())
        .map(|(_, b)| b)
        .collect();
    if !active.is_empty() {
        let now = state.clock.now();
        let counted: BTreeSet<String> = active.iter().flat_map(|b| b.counted_types()).collect();
        let member_facts = member_facts(state, program, member, &counted, now).await?;
        let program_facts = serde_json::json!({
            "id": program.id, "name": program.name, "timezone": program.timezone,
            "currency": program.currency,
        });
        // Outside an event, `event` is empty: criteria that read it show no progress.
        let facts = Facts::new(&serde_json::json!({}), &member_facts, &program_facts, now);
        for badge in active {
            let none = BTreeSet::new();
            let mine = held.get(badge.id.as_str()).unwrap_or(&none);
            if let Some(Progress {
                level,
                name,
                value,
                target,
            }) = badge.judge(&facts, mine).next
            {
                progress.push(BadgeProgressOut {
                    badge: badge.id.clone(),
                    name: badge.spec.name.clone(),
                    level,
                    level_name: name,
                    value,
                    target,
                });
            }
        }
    }
    Ok(MemberBadgesOut { earned, progress })
}

/// A member's badges: the levels earned (when, by what event, and each one's public share
/// page) and the progress towards the next level of each active badge.
#[utoipa::path(get, path = "/v1/members/{external_id}/badges", tag = "badges",
    params(("external_id" = String, Path)),
    responses((status = 200, body = MemberBadgesOut), (status = 404, body = ErrorBody)))]
pub async fn get_member_badges(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(external_id): Path<String>,
) -> Result<Json<MemberBadgesOut>, ApiError> {
    let member = find_member(&state, &program, &external_id).await?;
    Ok(Json(member_badges(&state, &program, &member).await?))
}
