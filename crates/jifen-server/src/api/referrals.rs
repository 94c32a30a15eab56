//! Referrals: the program's referral settings and figures, a member's code, link and QR code,
//! and the friends they brought.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use jifen_core::referrals::{ReferralSettings, Status};
use jifen_store::{Member, Program};

use crate::api::members::MemberOut;
use crate::api::types::{Page, PageQuery};
use crate::app::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiQuery, Auth, parse_json};
use crate::service::ledger::find_member;
use crate::service::referrals::{
    self as service, SETTING, active_boost, boost_json, code_of, link_of, referral_json,
};

/// Read the program's referral settings.
#[utoipa::path(get, path = "/v1/referral-program", tag = "referrals",
    responses((status = 200, description = "The settings as saved", body = Object),
        (status = 404, body = ErrorBody)))]
pub async fn get_referral_program(
    State(state): State<AppState>,
    Auth(program): Auth,
) -> Result<Json<Value>, ApiError> {
    let settings = service::settings(&state, &program.id)
        .await?
        .ok_or(ApiError::ReferralProgramNotFound)?;
    Ok(Json(json!(settings)))
}

/// Save the program's referral settings: on/off, the friend's reward at signup, the referrer's
/// reward when the friend's first purchase of at least `min_purchase` fen comes within
/// `within_days`, milestones (`{"friends": 2, "factor": 2, "days": 30}`: a personal earn
/// multiplier), caps of rewarded referrals per referrer (per day, in all), and whether a refund
/// claws the referrer's points back.
#[utoipa::path(put, path = "/v1/referral-program", tag = "referrals",
    request_body(content = Object, description = "The referral settings"),
    responses((status = 200, description = "The settings as saved", body = Object),
        (status = 422, body = ErrorBody)))]
pub async fn put_referral_program(
    State(state): State<AppState>,
    Auth(program): Auth,
    body: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    let settings: ReferralSettings = parse_json(&body)?;
    settings
        .check()
        .map_err(|(field, message)| ApiError::invalid(field, message))?;
    let refs: Vec<(String, &str)> = [
        ("friend_reward", &settings.friend_reward),
        ("referrer_reward", &settings.referrer_reward),
    ]
    .into_iter()
    .filter_map(|(f, r)| {
        r.voucher_template
            .as_deref()
            .map(|t| (format!("{f}.voucher_template"), t))
    })
    .collect();
    let text = serde_json::to_string(&settings).map_err(|_| ApiError::Internal)?;
    crate::service::with_retries(|| async {
        let mut tx = state.store.begin_write().await?;
        crate::service::vouchers::check_templates(&mut tx, &program.id, &refs).await?;
        tx.save_setting(&program.id, SETTING, &text, state.clock.now())
            .await?;
        tx.commit().await?;
        Ok(())
    })
    .await?;
    Ok(Json(json!(settings)))
}

/// A program's referral figures.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReferralStatsOut {
    /// Referrals by status: `pending`, `qualified`, `rewarded`, `capped`, `clawed_back`,
    /// `rejected` (each present, 0 when none).
    #[schema(value_type = Object)]
    pub referrals: Value,
    /// Every referral recorded.
    pub total: i64,
    /// Members who brought at least one friend (rejected referrals aside).
    pub referrers: i64,
    /// Points given to friends at signup, and to referrers (less what was clawed back).
    pub friend_points: i64,
    pub referrer_points: i64,
    /// Members with a milestone boost active now.
    pub active_boosts: i64,
}

/// Read the program's referral figures.
#[utoipa::path(get, path = "/v1/referral-program/stats", tag = "referrals",
    responses((status = 200, body = ReferralStatsOut)))]
pub async fn referral_program_stats(
    State(state): State<AppState>,
    Auth(program): Auth,
) -> Result<Json<ReferralStatsOut>, ApiError> {
    Ok(Json(stats(&state, &program).await?))
}

/// The program's referral figures.
pub async fn stats(state: &AppState, program: &Program) -> Result<ReferralStatsOut, ApiError> {
    let s = state
        .store
        .referral_stats(&program.id, state.clock.now())
        .await?;
    let mut by = serde_json::Map::new();
    for status in Status::ALL {
        by.insert(status.as_str().into(), json!(0));
    }
    let mut total = 0;
    for (status, n) in &s.by_status {
        by.insert(status.clone(), json!(n));
        total += n;
    }
    Ok(ReferralStatsOut {
        referrals: Value::Object(by),
        total,
        referrers: s.referrers,
        friend_points: s.friend_points,
        referrer_points: s.referrer_points,
        active_boosts: s.active_boosts,
    })
}

/// A member's referral code, what they share, and where they stand.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReferralCodeOut {
    pub member: String,
    /// 8 characters without `0`, `O`, `1` or `I`; stable for the member.
    pub code: String,
    /// The portal page a friend opens (a path on this server).
    pub link: String,
    /// The QR code of the link, as SVG.
    pub qr_svg: String,
    /// Friends by status (the member as a referrer).
    #[schema(value_type = Object)]
    pub friends: Value,
    /// The referral that brought the member, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub referred_by: Option<Value>,
    /// The member's boost active now, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub boost: Option<Value>,
}

/// Read a member's referral code, link and QR code.
#[utoipa::path(get, path = "/v1/members/{external_id}/referral", tag = "referrals",
    params(("external_id" = String, Path, description = "The brand's id for the member")),
    responses((status = 200, body = ReferralCodeOut), (status = 404, body = ErrorBody)))]
pub async fn member_referral_code(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(external_id): Path<String>,
) -> Result<Json<ReferralCodeOut>, ApiError> {
    let member = find_member(&state, &program, &external_id).await?;
    Ok(Json(code_out(&state, &program, &member).await?))
}

/// What `GET /v1/members/{external_id}/referral` answers.
pub async fn code_out(
    state: &AppState,
    program: &Program,
    member: &Member,
) -> Result<ReferralCodeOut, ApiError> {
    let code = code_of(&program.id, member.id);
    let link = link_of(&program.id, &code);
    let settings = service::settings(state, &program.id).await?;
    let mut friends = serde_json::Map::new();
    for status in Status::ALL {
        friends.insert(status.as_str().into(), json!(0));
    }
    // Counted from the member's latest referrals (a page of the most a list answers).
    let mut before = None;
    loop {
        let page = state
            .store
            .referrals_of(&program.id, member.id, 200, before)
            .await?;
        for r in &page {
            let n = friends
                .get(&r.row.status)
                .and_then(Value::as_i64)
                .unwrap_or(0);
            friends.insert(r.row.status.clone(), json!(n + 1));
        }
        if page.len() < 200 {
            break;
        }
        before = page.last().map(|r| r.row.id);
    }
    let referred_by = state
        .store
        .referral_of_friend(&program.id, member.id)
        .await?
        .map(|v| referral_json(&v.row, &v.referrer, &v.friend, settings.as_ref()));
    let boost = active_boost(state, member.id, state.clock.now())
        .await?
        .map(|b| boost_json(&b));
    Ok(ReferralCodeOut {
        member: member.external_id.clone(),
        qr_svg: qr_svg(&link),
        code,
        link,
        friends: Value::Object(friends),
        referred_by,
        boost,
    })
}

/// The link as a QR code, an SVG document.
pub fn qr_svg(link: &str) -> String {
    let Ok(qr) = qrcode::QrCode::new(link.as_bytes()) else {
        return String::new();
    };
    qr.render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build()
}

/// Read a member's referral QR code as an SVG image.
#[utoipa::path(get, path = "/v1/members/{external_id}/referral/qr.svg", tag = "referrals",
    params(("external_id" = String, Path, description = "The brand's id for the member")),
    responses((status = 200, description = "The QR code of the member's link",
            content_type = "image/svg+xml", body = String),
        (status = 404, body = ErrorBody)))]
pub async fn member_referral_qr(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(external_id): Path<String>,
) -> Result<Response, ApiError> {
    let member = find_member(&state, &program, &external_id).await?;
    let link = link_of(&program.id, &code_of(&program.id, member.id));
    Ok(([(header::CONTENT_TYPE, "image/svg+xml")], qr_svg(&link)).into_response())
}

/// One friend a member brought.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReferralOut {
    /// `referrer`, `friend`, `code`, `status` (`pending`, `qualified`, `rewarded`, `capped`,
    /// `clawed_back`, `rejected`), `reason` (for `rejected`: `self_referral`, `seen_before`,
    /// `program_off`), `attributed_at`, `source`, `friend_points`, `referrer_points`,
    /// `order_id`, `qualified_at`, `clawed_back_at`, `qualify_by` (while pending).
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub referral: Value,
}

/// List the friends a member brought, newest first, with their status.
#[utoipa::path(get, path = "/v1/members/{external_id}/referrals", tag = "referrals",
    params(("external_id" = String, Path, description = "The brand's id for the member"),
        PageQuery),
    responses((status = 200, body = Page<ReferralOut>), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn member_referrals(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(external_id): Path<String>,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> Result<Json<Page<ReferralOut>>, ApiError> {
    let limit = page.limit()?;
    let before = page.cursor()?;
    let member = find_member(&state, &program, &external_id).await?;
    let settings = service::settings(&state, &program.id).await?;
    let rows = state
        .store
        .referrals_of(&program.id, member.id, limit, before)
        .await?;
    let next = (rows.len() == limit as usize)
        .then(|| rows.last().map(|r| r.row.id.to_string()))
        .flatten();
    Ok(Json(Page {
        data: rows
            .iter()
            .map(|v| ReferralOut {
                referral: referral_json(&v.row, &v.referrer, &v.friend, settings.as_ref()),
            })
            .collect(),
        next,
    }))
}

/// Adds the member's referral and boost to `GET /v1/members/{external_id}`.
pub async fn decorate(
    state: &AppState,
    program: &Program,
    member: &Member,
    out: &mut MemberOut,
) -> Result<(), ApiError> {
    out.boost = active_boost(state, member.id, state.clock.now())
        .await?
        .map(|b| boost_json(&b));
    if let Some(v) = state
        .store
        .referral_of_friend(&program.id, member.id)
        .await?
    {
        let settings = service::settings(state, &program.id).await?;
        out.referral = Some(referral_json(
            &v.row,
            &v.referrer,
            &v.friend,
            settings.as_ref(),
        ));
    }
    Ok(())
}
