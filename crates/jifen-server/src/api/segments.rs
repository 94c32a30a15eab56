//! Segments: named CEL conditions over members' features, their members (materialised, kept
//! current as features change), counted, listed, exported as CSV; a member's segments; and a
//! preview that counts a condition's members before it is saved.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use jifen_core::rules::Truth;
use jifen_core::segments::{MemberFeatures, facts, slug_ok};
use jifen_store::{Program, SegmentRow};

use crate::app::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiQuery, Auth, parse_json};
use crate::service::ledger::find_member;
use crate::service::program_tz;
use crate::service::segments::{compiled, members_of, refresh_soon};
use crate::service::with_retries;
use crate::shapes::{Page, PageQuery};

/// The longest name and description.
const MAX_NAME: usize = 100;
const MAX_DESCRIPTION: usize = 1_000;
/// Members a preview names.
const PREVIEW_SAMPLE: usize = 10;
/// Members a preview or an export reads at a time.
const SCAN_BATCH: u32 = 2_000;

/// A segment: what it is, and how many members it has now.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SegmentOut {
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The CEL condition over a member's features (docs/segments.md#features).
    pub condition: String,
    /// Grows with every change of the condition.
    pub version: i64,
    /// Members in the segment now.
    pub members: i64,
    /// Whether a full refresh has judged every member by this version of the condition
    /// (until then, `members` counts those judged so far).
    pub refreshed: bool,
    /// When a full refresh last judged every member by it.
    pub refreshed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A list of segments.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SegmentList {
    pub data: Vec<SegmentOut>,
}

/// A segment's definition.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SegmentIn {
    /// 1–100 characters.
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// A CEL condition over a member's features, e.g.
    /// `recency_days > 90 && monetary_365d > 100000`.
    pub condition: String,
}

/// A member of a segment.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SegmentMemberOut {
    pub external_id: String,
    /// Since when the member is in the segment (this time).
    pub since: DateTime<Utc>,
}

/// A segment a member is in.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MemberSegmentOut {
    pub slug: String,
    pub name: String,
    pub since: DateTime<Utc>,
}

/// A member's segments, with the features they were judged by.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MemberSegments {
    pub data: Vec<MemberSegmentOut>,
    /// The member's features now, as conditions read them.
    #[schema(value_type = Object)]
    pub features: Value,
}

/// A condition to count before it is saved.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewIn {
    pub condition: String,
}

/// How many members a condition admits now, judged by their stored features.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PreviewOut {
    /// Members the condition admits.
    pub members: i64,
    /// Members judged (the program's members, erased ones aside).
    pub judged: i64,
    /// Members for whom the condition could not be evaluated (they are left out), with the
    /// first reason.
    pub failed: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_failure: Option<String>,
    /// Some admitted members' external ids.
    pub sample: Vec<String>,
}

fn slug_checked(slug: &str) -> Result<(), ApiError> {
    if slug_ok(slug) {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "slug",
            "a segment's slug is 1–64 characters of a-z, 0-9, - and _",
        ))
    }
}

/// Checks a definition; the condition compiles (or a 422 says where it does not).
pub fn check(body: &SegmentIn) -> Result<(), ApiError> {
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(ApiError::invalid(
            "name",
            format!("name is 1–{MAX_NAME} characters"),
        ));
    }
    if body.description.chars().count() > MAX_DESCRIPTION {
        return Err(ApiError::invalid(
            "description",
            format!("description is at most {MAX_DESCRIPTION} characters"),
        ));
    }
    compiled(&body.condition).map_err(|e| ApiError::condition("condition", e))?;
    Ok(())
}

async fn out(state: &AppState, program: &Program, row: SegmentRow) -> Result<SegmentOut, ApiError> {
    let members = state.store.segment_size(&program.id, &row.slug).await?;
    Ok(SegmentOut {
        members,
        refreshed: row.refreshed_version == row.version,
        slug: row.slug,
        name: row.name,
        description: row.description,
        condition: row.condition,
        version: row.version,
        refreshed_at: row.refreshed_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

async fn find(state: &AppState, program: &Program, slug: &str) -> Result<SegmentRow, ApiError> {
    state
        .store
        .segment(&program.id, slug)
        .await?
        .ok_or_else(|| ApiError::SegmentNotFound(slug.to_owned()))
}

/// Define or change a segment: a name, a description and a CEL condition over members'
/// features. A new segment, or a changed condition, is refreshed in the background: every
/// member is judged again (`refreshed` turns true when done); a name or description alone
/// changes no membership.
#[utoipa::path(put, path = "/v1/segments/{slug}", tag = "segments",
    params(("slug" = String, Path, description = "1–64 of a-z 0-9 - _")),
    request_body = SegmentIn,
    responses((status = 201, body = SegmentOut), (status = 200, body = SegmentOut),
        (status = 422, body = ErrorBody)))]
pub async fn put_segment(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(slug): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    slug_checked(&slug)?;
    let body: SegmentIn = parse_json(&body)?;
    check(&body)?;
    let (new, changed) = with_retries(|| async {
        let mut tx = state.store.begin_write_for(&program.id).await?;
        let now = state.clock.now();
        let existing = tx
            .segment_defs(&program.id)
            .await?
            .into_iter()
            .find(|r| r.slug == slug);
        let changed = existing
            .as_ref()
            .is_none_or(|e| e.condition != body.condition);
        let row = SegmentRow {
            slug: slug.clone(),
            name: body.name.trim().to_owned(),
            description: body.description.clone(),
            condition: body.condition.clone(),
            version: existing
                .as_ref()
                .map_or(1, |e| e.version + i64::from(changed)),
            refreshed_version: existing.as_ref().map_or(0, |e| e.refreshed_version),
            refreshed_at: existing.as_ref().and_then(|e| e.refreshed_at),
            created_at: existing.as_ref().map_or(now, |e| e.created_at),
            updated_at: now,
        };
        if let Some(e) = &existing
            && e.name == row.name
            && e.description == row.description
            && !changed
        {
            return Ok((false, false));
        }
        let new = tx.save_segment(&program.id, &row).await?;
        tx.commit().await?;
        Ok((new, changed))
    })
    .await?;
    if changed {
        refresh_soon(&state, &program);
    }
    let row = find(&state, &program, &slug).await?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(out(&state, &program, row).await?)).into_response())
}

/// List the program's segments with their sizes.
#[utoipa::path(get, path = "/v1/segments", tag = "segments",
    responses((status = 200, body = SegmentList)))]
pub async fn list_segments(
    State(state): State<AppState>,
    Auth(program): Auth,
) -> Result<Json<SegmentList>, ApiError> {
    let mut data = Vec::new();
    for row in state.store.segments(&program.id).await? {
        data.push(out(&state, &program, row).await?);
    }
    Ok(Json(SegmentList { data }))
}

/// Show a segment with how many members it has now.
#[utoipa::path(get, path = "/v1/segments/{slug}", tag = "segments",
    params(("slug" = String, Path)),
    responses((status = 200, body = SegmentOut), (status = 404, body = ErrorBody)))]
pub async fn get_segment(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(slug): Path<String>,
) -> Result<Json<SegmentOut>, ApiError> {
    let row = find(&state, &program, &slug).await?;
    Ok(Json(out(&state, &program, row).await?))
}

/// Delete a segment and its memberships.
#[utoipa::path(delete, path = "/v1/segments/{slug}", tag = "segments",
    params(("slug" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_segment(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(slug): Path<String>,
) -> Result<StatusCode, ApiError> {
    let gone = with_retries(|| async {
        let mut tx = state.store.begin_write_for(&program.id).await?;
        let gone = tx.delete_segment(&program.id, &slug).await?;
        tx.commit().await?;
        Ok(gone)
    })
    .await?;
    if gone {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::SegmentNotFound(slug))
    }
}

/// List a segment's members, newest members first.
#[utoipa::path(get, path = "/v1/segments/{slug}/members", tag = "segments",
    params(("slug" = String, Path), PageQuery),
    responses((status = 200, body = Page<SegmentMemberOut>), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn list_segment_members(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(slug): Path<String>,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> Result<Json<Page<SegmentMemberOut>>, ApiError> {
    let limit = page.limit()?;
    let after = page.cursor()?;
    find(&state, &program, &slug).await?;
    let rows = state
        .store
        .segment_members(&program.id, &slug, limit, after)
        .await?;
    let next = (rows.len() == limit as usize)
        .then(|| rows.last().map(|r| r.member_id.to_string()))
        .flatten();
    Ok(Json(Page {
        data: rows
            .into_iter()
            .map(|r| SegmentMemberOut {
                external_id: r.external_id,
                since: r.since,
            })
            .collect(),
        next,
    }))
}

/// Export a segment's members as CSV: `external_id,since`, newest members first.
#[utoipa::path(get, path = "/v1/segments/{slug}/members.csv", tag = "segments",
    params(("slug" = String, Path)),
    responses((status = 200, body = String, content_type = "text/csv"),
        (status = 404, body = ErrorBody)))]
pub async fn export_segment_members(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(slug): Path<String>,
) -> Result<Response, ApiError> {
    let csv = crate::service::segments::members_csv(&state, &program, &slug).await?;
    let name = format!("attachment; filename=\"segment-{slug}.csv\"");
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/csv; charset=utf-8".to_owned(),
            ),
            (axum::http::header::CONTENT_DISPOSITION, name),
        ],
        csv,
    )
        .into_response())
}

/// The features of one member now, as a segment's condition reads them.
fn variables(program: &Program, features: &MemberFeatures, now: DateTime<Utc>) -> Value {
    Value::Object(features.variables(program_tz(program), now))
}

/// The segments a member is in, with the features conditions read for them now.
#[utoipa::path(get, path = "/v1/members/{external_id}/segments", tag = "segments",
    params(("external_id" = String, Path)),
    responses((status = 200, body = MemberSegments), (status = 404, body = ErrorBody)))]
pub async fn get_member_segments(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(external_id): Path<String>,
) -> Result<Json<MemberSegments>, ApiError> {
    let member = find_member(&state, &program, &external_id).await?;
    let now = state.clock.now();
    let names: std::collections::HashMap<String, String> = state
        .store
        .segments(&program.id)
        .await?
        .into_iter()
        .map(|s| (s.slug, s.name))
        .collect();
    let data = state
        .store
        .member_segments(&program.id, member.id)
        .await?
        .into_iter()
        .map(|(slug, since)| MemberSegmentOut {
            name: names.get(&slug).cloned().unwrap_or_default(),
            slug,
            since,
        })
        .collect();
    let set = state
        .store
        .member_features(&program.id, &[member.id])
        .await?;
    let features = members_of(set, now)
        .first()
        .map_or(Value::Null, |(_, f, _)| variables(&program, f, now));
    Ok(Json(MemberSegments { data, features }))
}

/// Count the members a condition admits now, judged by their stored features, without saving
/// anything: what the console's editor shows as it is typed. A condition that does not compile
/// is the same 422 as `PUT /v1/segments/{slug}` answers.
#[utoipa::path(post, path = "/v1/segment-previews", tag = "segments",
    request_body = PreviewIn,
    responses((status = 200, body = PreviewOut), (status = 422, body = ErrorBody)))]
pub async fn preview_segment(
    State(state): State<AppState>,
    Auth(program): Auth,
    body: axum::body::Bytes,
) -> Result<Json<PreviewOut>, ApiError> {
    let body: PreviewIn = parse_json(&body)?;
    Ok(Json(preview(&state, &program, &body.condition).await?))
}

/// Judges every member of the program by `condition`, batch by batch.
pub async fn preview(
    state: &AppState,
    program: &Program,
    condition: &str,
) -> Result<PreviewOut, ApiError> {
    let condition = compiled(condition).map_err(|e| ApiError::condition("condition", e))?;
    let (tz, now) = (program_tz(program), state.clock.now());
    let mut out = PreviewOut {
        members: 0,
        judged: 0,
        failed: 0,
        first_failure: None,
        sample: Vec::new(),
    };
    let mut after = 0;
    loop {
        let ids = state
            .store
            .member_ids_after(&program.id, after, SCAN_BATCH)
            .await?;
        let Some(last) = ids.last().copied() else {
            break;
        };
        after = last;
        let set = state.store.member_features(&program.id, &ids).await?;
        for (_, features, _) in members_of(set, now) {
            if features.status == "erased" {
                continue;
            }
            out.judged += 1;
            match condition.judge(&facts(&features, tz, now)) {
                Truth::True => {
                    out.members += 1;
                    if out.sample.len() < PREVIEW_SAMPLE {
                        out.sample.push(features.external_id);
                    }
                }
                Truth::False => {}
                Truth::Error(e) => {
                    out.failed += 1;
                    out.first_failure.get_or_insert(e);
                }
            }
        }
    }
    Ok(out)
}
