//! Partners: separate businesses (a hotel group, a travel site) with keys of their own. A
//! partner's key sends events of the partner's site only, for members who linked an identity
//! of the partner's kind, and reads only those members' tier and benefits.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use jifen_store::{Member, PartnerRecord, Program};

use crate::api::program::{ApiKeyOut, issue_key};
use crate::app::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, Auth, PartnerAuth};
use crate::service::coalesce::Coalescer;
use crate::service::events::EventKind;

/// A partner.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PartnerOut {
    pub id: String,
    pub name: String,
    /// The site its events come from: `partner:<id>`.
    pub site: String,
    /// The identity kind members link to be known to the partner.
    pub identity_kind: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<PartnerRecord> for PartnerOut {
    fn from(p: PartnerRecord) -> Self {
        PartnerOut {
            id: p.id,
            name: p.name,
            site: p.site,
            identity_kind: p.identity_kind,
            created_at: p.created_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerIn {
    pub name: String,
    /// The identity kind members link (default `<id>_member`, e.g. `hotel_member`). Fixed once
    /// the partner exists.
    #[serde(default)]
    pub identity_kind: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PartnerList {
    pub data: Vec<PartnerOut>,
}

/// List the program's partners.
#[utoipa::path(get, path = "/v1/partners", tag = "partners",
    responses((status = 200, body = PartnerList)))]
pub async fn list_partners(
    State(state): State<AppState>,
    Auth(program): Auth,
) -> Result<Json<PartnerList>, ApiError> {
    let data = state.store.partners(&program.id).await?;
    Ok(Json(PartnerList {
        data: data.into_iter().map(PartnerOut::from).collect(),
    }))
}

/// Create (or rename) a partner. Its events come from the site `partner:<id>`; members are
/// known to it by an identity of its kind, which they link like any other identity.
#[utoipa::path(put, path = "/v1/partners/{id}", tag = "partners",
    params(("id" = String, Path, description = "1–32 of a-z 0-9 _")),
    request_body = PartnerIn,
    responses((status = 201, body = PartnerOut), (status = 200, body = PartnerOut),
        (status = 422, body = ErrorBody)))]
pub async fn put_partner(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PartnerIn>,
) -> Result<Response, ApiError> {
    let ok_id = !id.is_empty()
        && id.len() <= 32
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !ok_id {
        return Err(ApiError::invalid(
            "id",
            "a partner id is 1–32 lowercase letters, digits and _, starting with a letter",
        ));
    }
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::invalid("name", "a name is 1 to 100 characters"));
    }
    let kind = body
        .identity_kind
        .clone()
        .unwrap_or_else(|| format!("{id}_member"));
    crate::parse::identity("identity_kind", &kind, "x").map_err(|_| {
        ApiError::invalid(
            "identity_kind",
            "an identity kind is lowercase letters, digits and _",
        )
    })?;
    let existing = state.store.partners(&program.id).await?;
    let before = existing.iter().find(|p| p.id == id);
    if let (Some(p), Some(k)) = (before, &body.identity_kind)
        && &p.identity_kind != k
    {
        return Err(ApiError::invalid(
            "identity_kind",
            "a partner's identity kind cannot change",
        ));
    }
    let record = PartnerRecord {
        id: id.clone(),
        name: name.to_owned(),
        site: format!("partner:{id}"),
        identity_kind: before.map_or(kind, |p| p.identity_kind.clone()),
        created_at: before.map_or_else(|| state.clock.now(), |p| p.created_at),
    };
    let created = crate::service::with_retries(|| async {
        let mut tx = state.store.begin_write().await?;
        let created = tx.save_partner(&program.id, &record).await?;
        tx.commit().await?;
        Ok(created)
    })
    .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(PartnerOut::from(record))).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerKeyIn {
    pub name: String,
}

/// Create an API key for a partner. The key reaches only `/v1/partner/…`. Its secret is in
/// this answer only; revoke it like any key (`DELETE /v1/api-keys/{id}`).
#[utoipa::path(post, path = "/v1/partners/{id}/api-keys", tag = "partners",
    params(("id" = String, Path, description = "The partner's id")),
    request_body = PartnerKeyIn,
    responses((status = 201, body = ApiKeyOut), (status = 404, body = ErrorBody)))]
pub async fn create_partner_key(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PartnerKeyIn>,
) -> Result<(StatusCode, Json<ApiKeyOut>), ApiError> {
    partner(&state, &program, &id).await?;
    let name = crate::parse::client_id("name", &body.name)?;
    let (key, secret) = issue_key(&state, &program.id, &name, Some(&id)).await?;
    let mut out = ApiKeyOut::from(&key);
    out.secret = Some(secret);
    Ok((StatusCode::CREATED, Json(out)))
}

async fn partner(state: &AppState, program: &Program, id: &str) -> Result<PartnerRecord, ApiError> {
    state
        .store
        .partners(&program.id)
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or_else(|| ApiError::PartnerNotFound(id.to_owned()))
}

/// The member who linked `value` as the partner's identity. Any other member is "not found",
/// whether or not it exists.
async fn linked(
    state: &AppState,
    program: &Program,
    partner: &PartnerRecord,
    value: &str,
) -> Result<Member, ApiError> {
    let ident = crate::parse::identity("member", &partner.identity_kind, value)
        .map_err(|_| ApiError::MemberNotFound(value.to_owned()))?;
    state
        .store
        .member_by_identity(&program.id, &ident.kind, &ident.value)
        .await?
        .ok_or_else(|| ApiError::MemberNotFound(value.to_owned()))
}

/// Send one event as a partner: `member` is the member's id at the partner (the identity they
/// linked), `site` is the partner's (or absent). Event and order ids are the partner's own:
/// they cannot collide with the brand's. The answer tells what it earned and any tier change.
#[utoipa::path(post, path = "/v1/partner/events", tag = "partners",
    request_body(content = crate::api::events::EventIn, description = "One event"),
    responses((status = 200, body = Object), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn partner_event(
    State(state): State<AppState>,
    PartnerAuth(program, partner_id): PartnerAuth,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<Value>, ApiError> {
    let partner = partner(&state, &program, &partner_id).await?;
    let mut event = crate::api::events::parse_event(body, "", state.clock.now())?;
    if event.site.as_ref().is_some_and(|s| *s != partner.site) {
        return Err(ApiError::Forbidden(format!(
            "partner {} sends events of its own site ({}) only",
            partner.id, partner.site
        )));
    }
    if event.guest {
        return Err(ApiError::invalid(
            "attributes.guest",
            "partners send events of linked members only",
        ));
    }
    let at_partner = event.member.clone();
    let member = linked(&state, &program, &partner, &at_partner).await?;
    let ns = |id: &str| format!("{}:{id}", partner.site);
    event.id = ns(&event.id);
    event.member = member.external_id;
    event.site = Some(partner.site.clone());
    match &mut event.kind {
        EventKind::Purchase { order_id, .. } | EventKind::Refund { order_id, .. } => {
            *order_id = ns(order_id);
            if let Some(o) = event.attributes.get_mut("order_id") {
                *o = json!(order_id);
            }
        }
        EventKind::Behaviour { .. } => {}
    }
    let answer = Coalescer::record_one(&state, &program, event).await?;
    let answer: Value = serde_json::from_str(answer.get()).map_err(|_| ApiError::Internal)?;
    // What the partner may see: what the event did, not the member's ledger.
    let mut out = json!({
        "id": answer["id"].as_str().and_then(|i| i.strip_prefix(&format!("{}:", partner.site))),
        "type": answer["type"],
        "member": at_partner,
        "status": answer["status"],
        "points": answer["points"],
    });
    if let Some(tier) = answer.get("tier") {
        out["tier"] = tier.clone();
    }
    Ok(Json(out))
}

/// A linked member as a partner sees them.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PartnerMemberOut {
    /// The member's id at the partner.
    pub member: String,
    pub tier: crate::api::tiers::TierRef,
    /// The tier's benefits, and why the member has them.
    pub benefits: Vec<crate::api::tiers::BenefitOut>,
}

/// Read a linked member's tier and benefits, as a partner.
#[utoipa::path(get, path = "/v1/partner/members/{member}", tag = "partners",
    params(("member" = String, Path, description = "The member's id at the partner")),
    responses((status = 200, body = PartnerMemberOut), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn partner_member(
    State(state): State<AppState>,
    PartnerAuth(program, partner_id): PartnerAuth,
    Path(value): Path<String>,
) -> Result<Json<PartnerMemberOut>, ApiError> {
    let partner = partner(&state, &program, &partner_id).await?;
    let member = linked(&state, &program, &partner, &value).await?;
    let b = crate::api::tiers::benefits_of(&state, &program, &member).await?;
    Ok(Json(PartnerMemberOut {
        member: value,
        tier: b.tier,
        benefits: b.benefits,
    }))
}
