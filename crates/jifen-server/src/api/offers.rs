//! Personal offers: a member's rewards and vouchers ranked by an explainable score, and the
//! program's settings that weigh its parts.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::{Value, json};

use jifen_core::offers::OfferSettings;

use crate::app::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiQuery, Auth, parse_json};
use crate::service::offers::{self as service, DEFAULT_LIMIT, OffersOut};

/// The language of titles and reasons, and how many offers.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OffersQuery {
    /// `zh-CN` (default) or `en`.
    pub lang: Option<String>,
    /// How many offers: 1 to 200, 10 when absent.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// A member's personal offers, best first: the catalog rewards they can redeem now or are
/// saving for, and the vouchers in their wallet they can use, each with a score, the parts it
/// came from (category affinity from their order lines, segment targeting, tier, points,
/// the offer's cost to the brand, expiry) and the reasons to show ("常买茶饮", "距离兑换还差
/// 20 积分"). See docs/offers.md.
#[utoipa::path(get, path = "/v1/members/{external_id}/offers", tag = "offers",
    params(("external_id" = String, Path, description = "The brand's id for the member"),
        OffersQuery),
    responses((status = 200, body = OffersOut), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn member_offers(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(external_id): Path<String>,
    ApiQuery(q): ApiQuery<OffersQuery>,
) -> Result<Json<OffersOut>, ApiError> {
    let lang = q.lang.unwrap_or_else(|| "zh-CN".into());
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    Ok(Json(
        service::member_offers(&state, &program, &external_id, &lang, limit).await?,
    ))
}

/// Read the program's offer settings (the defaults until saved).
#[utoipa::path(get, path = "/v1/offers/settings", tag = "offers",
    responses((status = 200, description = "The settings", body = Object)))]
pub async fn get_offer_settings(
    State(state): State<AppState>,
    Auth(program): Auth,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(service::settings(&state, &program.id).await?)))
}

/// Save the program's offer settings: the weight of each part of the score (`affinity`,
/// `segment`, `tier`, `ready`, `near`, `thrift`, `expiring`; 0–1000 each), points added to
/// some rewards' scores (`boosts`, reward id → -1000 to 1000) and rewards never offered
/// (`hidden`). A part left out takes its default.
#[utoipa::path(put, path = "/v1/offers/settings", tag = "offers",
    request_body(content = Object, description = "The offer settings"),
    responses((status = 200, description = "The settings as saved", body = Object),
        (status = 422, body = ErrorBody)))]
pub async fn put_offer_settings(
    State(state): State<AppState>,
    Auth(program): Auth,
    body: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    let settings: OfferSettings = parse_json(&body)?;
    service::save_settings(&state, &program.id, &settings).await?;
    Ok(Json(json!(settings)))
}
