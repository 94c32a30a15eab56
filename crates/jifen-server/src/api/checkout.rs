//! Checkouts (validate, redeem, confirm, cancel), their settings, and gifts of vouchers.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use jifen_core::rewards::checkout::Quote;

use super::points::answer;
use super::tiers::save_setting;
use crate::app::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, Auth, parse_json};
use crate::service::checkout::{CheckoutIn, CheckoutOut, Ending, end, get, redeem, validate};
use crate::service::gifts::{ClaimIn, GiftMove, GiftOut, preview, settle, token_hash};
use crate::service::ledger::find_member;
use crate::service::vouchers::{CHECKOUT, CheckoutSettings};

/// Show how checkouts work: points as cash, how long reservations and gifts wait.
#[utoipa::path(get, path = "/v1/checkout-settings", tag = "checkout",
    responses((status = 200, body = CheckoutSettings)))]
pub async fn get_settings(
    State(state): State<AppState>,
    Auth(program): Auth,
) -> Result<Json<CheckoutSettings>, ApiError> {
    let body = state.store.setting(&program.id, CHECKOUT).await?;
    Ok(Json(CheckoutSettings::parse(body)))
}

/// Set how checkouts work: `points_as_cash` (`{"points": 100, "fen": 100,
/// "max_share_percent": 50}`: 100 points pay ¥1, for at most half of the order),
/// `reservation_minutes` and `gift_hours`.
#[utoipa::path(put, path = "/v1/checkout-settings", tag = "checkout",
    request_body = CheckoutSettings,
    responses((status = 200, body = CheckoutSettings), (status = 422, body = ErrorBody)))]
pub async fn put_settings(
    State(state): State<AppState>,
    Auth(program): Auth,
    body: axum::body::Bytes,
) -> Result<Json<CheckoutSettings>, ApiError> {
    let settings: CheckoutSettings = parse_json(&body)?;
    settings.validate()?;
    let text = serde_json::to_string(&settings).map_err(|_| ApiError::Internal)?;
    save_setting(&state, &program, CHECKOUT, &text).await?;
    Ok(Json(settings))
}

/// Judge a cart without changing anything: which vouchers apply and the discount of each, the
/// best rung of each ladder and what more to spend for the next ("spend ¥41 more for ¥50
/// off"), what points can pay, and why anything does not apply.
#[utoipa::path(post, path = "/v1/checkout/validate", tag = "checkout",
    request_body = CheckoutIn,
    responses((status = 200, body = Object), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn post_validate(
    State(state): State<AppState>,
    Auth(program): Auth,
    ApiJson(body): ApiJson<CheckoutIn>,
) -> Result<Json<Quote>, ApiError> {
    Ok(Json(validate(&state, &program, &body).await?))
}

/// Redeem a cart as `validate` judges it: refused unless every voucher applies and every point
/// asked can pay; the points are held and the vouchers reserved until the deadline, for
/// `confirm` (the order is paid) or `cancel`. Unconfirmed, they are released by themselves.
#[utoipa::path(post, path = "/v1/checkout/redeem", tag = "checkout",
    request_body = CheckoutIn,
    responses((status = 201, body = CheckoutOut), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn post_redeem(
    State(state): State<AppState>,
    Auth(program): Auth,
    ApiJson(body): ApiJson<CheckoutIn>,
) -> Result<Response, ApiError> {
    Ok(answer(redeem(&state, &program, &body).await?))
}

/// Show a checkout.
#[utoipa::path(get, path = "/v1/checkout/{id}", tag = "checkout",
    params(("id" = String, Path)),
    responses((status = 200, body = CheckoutOut), (status = 404, body = ErrorBody)))]
pub async fn get_checkout(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
) -> Result<Json<CheckoutOut>, ApiError> {
    Ok(Json(get(&state, &program, &id).await?))
}

/// The order is paid: the held points are spent and the vouchers used. A repeat answers the
/// same.
#[utoipa::path(post, path = "/v1/checkout/{id}/confirm", tag = "checkout",
    params(("id" = String, Path)),
    responses((status = 200, body = CheckoutOut), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn post_confirm(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
) -> Result<Json<CheckoutOut>, ApiError> {
    Ok(Json(end(&state, &program, &id, Ending::Confirm).await?))
}

/// The order is abandoned: the points and vouchers are released. A repeat answers the same.
#[utoipa::path(post, path = "/v1/checkout/{id}/cancel", tag = "checkout",
    params(("id" = String, Path)),
    responses((status = 200, body = CheckoutOut), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn post_cancel(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
) -> Result<Json<CheckoutOut>, ApiError> {
    Ok(Json(end(&state, &program, &id, Ending::Cancel).await?))
}

/// Show a gift as its link does: what it gives, from whom, until when.
#[utoipa::path(get, path = "/v1/gifts/{token}", tag = "checkout",
    params(("token" = String, Path)),
    responses((status = 200, body = GiftOut), (status = 404, body = ErrorBody)))]
pub async fn get_gift(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(token): Path<String>,
) -> Result<Json<GiftOut>, ApiError> {
    Ok(Json(preview(&state, &program, &token).await?))
}

/// Claim a gift for a friend (enrolled now if not a member yet): the voucher becomes theirs.
/// A gift is claimed once; the same friend claiming again gets the same answer.
#[utoipa::path(post, path = "/v1/gifts/{token}/claim", tag = "checkout",
    params(("token" = String, Path)), request_body = ClaimIn,
    responses((status = 200, body = GiftOut), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn claim_gift(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(token): Path<String>,
    ApiJson(body): ApiJson<ClaimIn>,
) -> Result<Json<GiftOut>, ApiError> {
    let hash = token_hash(&token);
    Ok(Json(
        settle(&state, &program, &hash, GiftMove::Claim, Some(&body)).await?,
    ))
}

/// Who takes a gift back.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GiftCancelIn {
    /// The sender's external id: only the sender takes a gift back.
    pub member: String,
}

/// Take a gift back before a friend claims it: the voucher stays the sender's.
#[utoipa::path(post, path = "/v1/gifts/{token}/cancel", tag = "checkout",
    params(("token" = String, Path)), request_body = GiftCancelIn,
    responses((status = 200, body = GiftOut), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn cancel_gift(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(token): Path<String>,
    ApiJson(body): ApiJson<GiftCancelIn>,
) -> Result<Json<GiftOut>, ApiError> {
    let hash = token_hash(&token);
    let sender = find_member(&state, &program, &body.member).await?;
    let gift = state
        .store
        .gift(&program.id, &hash)
        .await?
        .ok_or_else(|| ApiError::GiftNotFound("this token".into()))?;
    if gift.sender_id != sender.id {
        return Err(ApiError::Forbidden(
            "only the member who made a gift takes it back".into(),
        ));
    }
    Ok(Json(
        settle(&state, &program, &hash, GiftMove::Cancel, None).await?,
    ))
}
