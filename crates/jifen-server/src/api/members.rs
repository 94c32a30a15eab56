//! Members: create or update by the brand's own id, find by identity, list.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use jifen_store::{Identity, Member, MemberPatch};

use super::types::{Page, PageQuery};
use crate::app::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Auth};
use crate::parse;

/// A way to find a member.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentityIn {
    /// phone, wechat_unionid, wechat_openid, tmall_ouid, email, or a custom kind.
    pub kind: String,
    pub value: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Female,
    Male,
    Other,
    Unknown,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum MemberStatus {
    Active,
    Suspended,
}

/// A member's profile and identities. Absent fields keep their value; `identities`, when
/// present, is the whole list the member keeps (the profile phone is always bound as well).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberIn {
    pub name: Option<String>,
    /// Normalized to E.164 (+86 when no country code is given) and bound as a `phone` identity.
    pub phone: Option<String>,
    /// `YYYY-MM-DD`.
    pub birthday: Option<String>,
    pub gender: Option<Gender>,
    pub city: Option<String>,
    /// Any JSON object of the brand's own attributes.
    #[schema(value_type = Option<Object>)]
    pub attributes: Option<serde_json::Value>,
    pub status: Option<MemberStatus>,
    pub identities: Option<Vec<IdentityIn>>,
}

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

/// Longest free-text profile field.
const MAX_TEXT: usize = 256;

fn text(field: &str, v: Option<String>) -> Result<Option<String>, ApiError> {
    match v {
        Some(s) if s.chars().count() > MAX_TEXT || s.chars().any(char::is_control) => {
            Err(ApiError::invalid(
                field,
                format!(
                    "{field} must be at most {MAX_TEXT} characters, with no control characters"
                ),
            ))
        }
        other => Ok(other),
    }
}

pub(crate) fn patch_from(
    external_id: String,
    body: MemberIn,
    at: DateTime<Utc>,
) -> Result<MemberPatch, ApiError> {
    let phone = body
        .phone
        .as_deref()
        .map(|p| parse::phone("phone", p))
        .transpose()?;
    let birthday = body
        .birthday
        .as_deref()
        .map(|d| parse::date("birthday", d))
        .transpose()?;
    if let Some(a) = &body.attributes
        && !a.is_object()
    {
        return Err(ApiError::invalid(
            "attributes",
            "attributes must be a JSON object",
        ));
    }
    if let Some(a) = &body.attributes
        && let Err((path, message)) = jifen_core::rules::limits::check_attributes(a)
    {
        let field = if path.is_empty() {
            "attributes".to_owned()
        } else {
            format!("attributes.{path}")
        };
        return Err(ApiError::invalid(field, message));
    }
    let replace_identities = body.identities.is_some();
    let mut bind: Vec<Identity> = body
        .identities
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(i, ident)| parse::identity(&format!("identities[{i}]"), &ident.kind, &ident.value))
        .collect::<Result<_, _>>()?;
    if let Some(p) = &phone {
        bind.push(Identity {
            kind: "phone".into(),
            value: p.clone(),
        });
    }
    bind.sort();
    bind.dedup();
    Ok(MemberPatch {
        external_id,
        name: text("name", body.name)?,
        phone,
        birthday,
        gender: body.gender.map(|g| {
            serde_json::to_value(g)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        }),
        city: text("city", body.city)?,
        attributes: body.attributes,
        status: body.status.map(|s| match s {
            MemberStatus::Active => "active".to_owned(),
            MemberStatus::Suspended => "suspended".to_owned(),
        }),
        bind,
        replace_identities,
        at,
    })
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
