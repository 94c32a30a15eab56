//! `GET /v1/orders/{order_id}`: an order, its refunds, and the points it moved.

use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use jifen_core::EntryKind;

use super::types::EntryOut;
use crate::app::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Auth;
use crate::parse;

/// A refund of an order.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RefundOut {
    /// The refund event's id.
    pub event_id: String,
    /// Fen refunded.
    pub amount: i64,
    pub occurred_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
}

/// An event of an order: its purchase, then its refunds.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OrderEventOut {
    pub id: String,
    /// `purchase` or `refund`.
    #[serde(rename = "type")]
    pub kind: String,
    pub occurred_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
}

/// An order and what it did to the member's points.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OrderOut {
    pub order_id: String,
    /// The member's external id, or the guest's reference for a guest's order.
    pub member: String,
    pub guest: bool,
    /// The order's amount, in fen.
    pub amount: i64,
    /// Fen refunded so far: the sum of `refunds`.
    pub refunded: i64,
    pub occurred_at: DateTime<Utc>,
    pub refunds: Vec<RefundOut>,
    /// Points the purchase earned (`earn` entries).
    pub points_credited: i64,
    /// Points its refunds took back (`clawback` entries, as a positive number).
    pub points_clawed_back: i64,
    /// Points its refunds asked back that the member no longer had, and the policy did not let
    /// become debt (`write_off` entries, as a positive number).
    pub points_written_off: i64,
    /// What the order is worth now: credited − clawed back − written off. A further refund
    /// claws back against this figure.
    pub net_points: i64,
    /// The purchase and refund events of the order, oldest first.
    pub events: Vec<OrderEventOut>,
    /// The member's ledger entries that name the order.
    pub entries: Vec<EntryOut>,
}

/// Show an order: its member, amount, refunds and the points it credited and clawed back.
#[utoipa::path(get, path = "/v1/orders/{order_id}", tag = "events",
    params(("order_id" = String, Path, description = "The order's id, as its purchase named it")),
    responses((status = 200, body = OrderOut), (status = 404, body = ErrorBody)))]
pub async fn get_order(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(order_id): Path<String>,
) -> Result<Json<OrderOut>, ApiError> {
    let not_found = || ApiError::OrderNotFound(order_id.clone());
    if !parse::could_be_id(&order_id) {
        return Err(not_found());
    }
    let h = state
        .store
        .order_history(&program.id, &order_id)
        .await?
        .ok_or_else(not_found)?;
    let sum = |kind: EntryKind| -> i64 {
        h.entries
            .iter()
            .filter(|e| e.entry.kind == kind)
            .map(|e| e.entry.points)
            .fold(0, i64::saturating_add)
    };
    let credited = sum(EntryKind::Earn);
    let clawed_back = sum(EntryKind::Clawback).saturating_neg();
    let written_off = sum(EntryKind::WriteOff).saturating_neg();
    let refunds = h
        .events
        .iter()
        .filter(|e| e.kind == "refund")
        .map(|e| RefundOut {
            event_id: e.id.clone(),
            amount: e
                .attributes
                .get("amount")
                .and_then(Value::as_i64)
                .unwrap_or(0),
            occurred_at: e.occurred_at,
            recorded_at: e.recorded_at,
        })
        .collect();
    let o = &h.order;
    Ok(Json(OrderOut {
        order_id: o.order_id.clone(),
        member: h
            .member_external_id
            .clone()
            .or_else(|| o.guest_ref.clone())
            .unwrap_or_default(),
        guest: o.member_id.is_none(),
        amount: o.amount,
        refunded: o.refunded,
        occurred_at: o.occurred_at,
        refunds,
        points_credited: credited,
        points_clawed_back: clawed_back,
        points_written_off: written_off,
        net_points: credited
            .saturating_sub(clawed_back)
            .saturating_sub(written_off),
        events: h
            .events
            .iter()
            .map(|e| OrderEventOut {
                id: e.id.clone(),
                kind: e.kind.clone(),
                occurred_at: e.occurred_at,
                recorded_at: e.recorded_at,
            })
            .collect(),
        entries: h.entries.iter().map(EntryOut::from).collect(),
    }))
}
