//! Members: create or update by the brand's own id, find by identity, list.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use jifen_store::{Identity, Member};

use super::types::{Page, PageQuery};
use crate::app::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Auth};
use crate::parse;
pub use crate::profile::{Gender, IdentityIn, MemberIn, MemberStatus, patch_from};

/// A member.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MemberOut {
    pub external_id: String,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub birthday: Option<NaiveDate>,
    pub gender: Option<String>,
    pub city: Option<String>,
    #[schema(value_type = Object)]
    pub attributes: serde_json::Value,
    pub status: String,
    pub identities: Vec<IdentityIn>,
    pub enrolled_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The member's tier and what is left to reach the next one (when the program has tiers;
    /// shown by `GET /v1/members/{external_id}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<crate::api::tiers::StandingOut>,
}

impl From<&Member> for MemberOut {
    fn from(m: &Member) -> Self {
        MemberOut {
            external_id: m.external_id.clone(),
            name: m.name.clone(),
            phone: m.phone.clone(),
            birthday: m.birthday,
            gender: m.gender.clone(),
            city: m.city.clone(),
            attributes: m.attributes.clone(),
            status: m.status.clone(),
            identities: m
                .identities
                .iter()
                .map(|i| IdentityIn {
                    kind: i.kind.clone(),
                    value: i.value.clone(),
                })
                .collect(),
            enrolled_at: m.enrolled_at,
            updated_at: m.updated_at,
            tier: None,
        }
    }
}

/// Create or update a member by the brand's own id.
#[utoipa::path(put, path = "/v1/members/{external_id}", tag = "members", request_body = MemberIn,
    params(("external_id" = String, Path, description = "The brand's id for the member")),
    responses((status = 201, description = "Created", body = MemberOut),
        (status = 200, description = "Updated", body = MemberOut),
        (status = 409, description = "An identity belongs to another member", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn put_member(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(external_id): Path<String>,
    ApiJson(body): ApiJson<MemberIn>,
) -> Result<(StatusCode, Json<MemberOut>), ApiError> {
    let external_id = parse::client_id("external_id", &external_id)?;
    let keeps_phone = body.identities.is_some() && body.phone.is_none();
    let mut patch = patch_from(external_id, body, state.clock.now())?;
    // A new identity list replaces the old one, but the profile phone stays bound.
    if keeps_phone
        && let Some(phone) = state
            .store
            .get_member(&program.id, &patch.external_id)
            .await?
            .and_then(|m| m.phone)
    {
        let ident = Identity {
            kind: "phone".into(),
            value: phone,
        };
        if !patch.bind.contains(&ident) {
            patch.bind.push(ident);
            patch.bind.sort();
        }
    }
    let (member, created) = state.store.upsert_member(&program.id, &patch).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(MemberOut::from(&member))))
}

/// Show a member.
#[utoipa::path(get, path = "/v1/members/{external_id}", tag = "members",
    params(("external_id" = String, Path, description = "The brand's id for the member")),
    responses((status = 200, body = MemberOut), (status = 404, body = ErrorBody)))]
pub async fn get_member(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(external_id): Path<String>,
) -> Result<Json<MemberOut>, ApiError> {
    let m = crate::service::ledger::find_member(&state, &program, &external_id).await?;
    let mut out = MemberOut::from(&m);
    out.tier = crate::api::tiers::standing(&state, &program, &m, state.clock.now()).await?;
    Ok(Json(out))
}

/// Filters of the member list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MemberQuery {
    /// `kind:value`, e.g. `phone:13800000000`; the list then holds the one member found.
    pub identity: Option<String>,
    pub limit: Option<u32>,
    pub after: Option<String>,
}

/// List members, newest first, or find one by identity.
#[utoipa::path(get, path = "/v1/members", tag = "members", params(MemberQuery),
    responses((status = 200, body = Page<MemberOut>), (status = 422, body = ErrorBody)))]
pub async fn list_members(
    State(state): State<AppState>,
    Auth(program): Auth,
    ApiQuery(q): ApiQuery<MemberQuery>,
) -> Result<Json<Page<MemberOut>>, ApiError> {
    if let Some(raw) = &q.identity {
        let ident = parse::identity_query(raw)?;
        let found = state
            .store
            .member_by_identity(&program.id, &ident.kind, &ident.value)
            .await?;
        return Ok(Json(Page {
            data: found.iter().map(MemberOut::from).collect(),
            next: None,
        }));
    }
    let page = PageQuery {
        limit: q.limit,
        after: q.after,
    };
    let limit = page.limit()?;
    let members = state
        .store
        .list_members(&program.id, limit, page.cursor()?)
        .await?;
    let next = (members.len() == limit as usize)
        .then(|| members.last().map(|m| m.id.to_string()))
        .flatten();
    Ok(Json(Page {
        data: members.iter().map(MemberOut::from).collect(),
        next,
    }))
}
