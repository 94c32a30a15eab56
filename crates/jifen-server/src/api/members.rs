//! Members: create or update by the brand's own id, find by identity, list.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use jifen_store::Member;

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
    /// The referral that brought the member (answered by `PUT` with a `referral_code`, and by
    /// `GET /v1/members/{external_id}`): referrer, status, points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub referral: Option<serde_json::Value>,
    /// The member's earn multiplier active now, from a referral milestone:
    /// `{"factor": 2, "since": …, "until": …, "source": …}` (shown by `GET`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub boost: Option<serde_json::Value>,
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
            referral: None,
            boost: None,
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
    let mut body = body;
    let code = body.referral_code.take();
    let mut patch = patch_from(external_id, body, state.clock.now())?;
    if keeps_phone {
        crate::service::members::keep_profile_phone(&state, &program.id, &mut patch).await?;
    }
    let (member, created, referral) = match code {
        Some(code) => {
            crate::service::referrals::put_member_with_code(&state, &program, &patch, &code).await?
        }
        None => {
            let (member, created) = state.store.upsert_member(&program.id, &patch).await?;
            (member, created, None)
        }
    };
    crate::service::segments::rejudge(&state, &program, &[member.id]).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let mut out = MemberOut::from(&member);
    out.referral = referral;
    Ok((status, Json(out)))
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
    crate::api::referrals::decorate(&state, &program, &m, &mut out).await?;
    Ok(Json(out))
}

/// Filters of the member list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MemberQuery {
    /// `kind:value`, e.g. `phone:13800000000`; the list then holds the one member found.
    pub identity: Option<String>,
    /// How many to answer: 1 to 200, 50 when absent.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next` cursor of the page before, to read the page after it.
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

/// A batch of members to create or update.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MemberBatchIn {
    /// Chosen by the client: the batch's idempotency key. The same id with the same body
    /// answers the first answer again; with another body, `409 idempotency_conflict`.
    pub id: String,
    /// 1 to 1,000 members, applied in order.
    pub members: Vec<MemberBatchItemIn>,
}

/// One member of a batch: its `external_id` and the fields of `PUT /v1/members/{external_id}`
/// (`MemberIn`), with the same rules.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberBatchItemIn {
    /// The brand's id for the member.
    pub external_id: String,
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
    /// The whole list of identities the member keeps (the profile phone stays bound).
    pub identities: Option<Vec<IdentityIn>>,
}

/// What one member of a batch did.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MemberBatchResult {
    /// The member's position in `members`.
    pub index: usize,
    /// `null` when the item has no valid `external_id`.
    pub external_id: Option<String>,
    /// `created`, `updated`, `unchanged` (the member was exactly so already: nothing was
    /// written), or `failed` (nothing of this member was written).
    pub status: String,
    /// Why a `failed` member was refused: `code`, `message`, `field`
    /// (`members[3].phone`), `doc`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub error: Option<serde_json::Value>,
}

/// The answer to a batch: one result per member, in order.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MemberBatchOut {
    pub id: String,
    pub results: Vec<MemberBatchResult>,
}

/// Create or update up to 1,000 members at once. Each member answers for itself: one refused
/// does not stop the others. A retry with the batch's `id` answers the first answer.
#[utoipa::path(post, path = "/v1/members/batch", tag = "members", request_body = MemberBatchIn,
    responses((status = 200, description = "One result per member, failed ones included",
            body = MemberBatchOut),
        (status = 409, description = "The batch id was used with another body", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn post_member_batch(
    State(state): State<AppState>,
    Auth(program): Auth,
    // Strings are checked member by member (`batch_item`): a control character in one member
    // fails that member only, as any other invalid field does.
    crate::extract::ApiJsonItems(body): crate::extract::ApiJsonItems<serde_json::Value>,
) -> Result<axum::response::Response, ApiError> {
    use crate::service::members::{MAX_MEMBER_BATCH, upsert_batch};
    use serde_json::Value;
    let request_hash = crate::service::request_hash(&body);
    let Value::Object(mut map) = body else {
        return Err(ApiError::invalid(
            "",
            "send {\"id\": \"…\", \"members\": [...]}",
        ));
    };
    let id = match map.remove("id") {
        Some(Value::String(id)) => parse::client_id("id", &id)?,
        Some(_) => return Err(ApiError::invalid("id", "id must be a string")),
        None => return Err(ApiError::invalid("id", "missing field `id`")),
    };
    let members = match map.remove("members") {
        Some(Value::Array(list)) => list,
        Some(_) => return Err(ApiError::invalid("members", "members must be an array")),
        None => return Err(ApiError::invalid("members", "missing field `members`")),
    };
    // What is left besides `id` and `members` is refused; its strings are checked first, so
    // that the refusal never echoes a control character.
    crate::strings::check_value(&Value::Object(map.clone()))?;
    if let Some(key) = map.keys().next() {
        return Err(ApiError::invalid(
            key.clone(),
            format!("unknown field `{key}`: a batch holds only `id` and `members`"),
        ));
    }
    if members.len() > MAX_MEMBER_BATCH {
        return Err(ApiError::BatchTooLarge {
            items: "members",
            max: MAX_MEMBER_BATCH,
            got: members.len(),
        });
    }
    if members.is_empty() {
        return Err(ApiError::invalid(
            "members",
            "a batch needs at least one member",
        ));
    }
    let now = state.clock.now();
    let items = members.into_iter().map(|m| batch_item(m, now)).collect();
    let answer = upsert_batch(&state, &program, &id, &request_hash, items).await?;
    let out = serde_json::json!({"id": id, "results": answer.results});
    Ok(crate::api::points::answer(crate::service::Answer {
        status: StatusCode::OK,
        body: out,
        replayed: answer.replayed,
    }))
}

/// One member of a batch, parsed; its errors name fields from the member (`phone`), the
/// batch's answer puts them under `members[i]`.
fn batch_item(raw: serde_json::Value, now: DateTime<Utc>) -> crate::service::members::BatchItem {
    use crate::service::members::BatchItem;
    let serde_json::Value::Object(mut map) = raw else {
        return BatchItem {
            external_id: None,
            write: Err(ApiError::invalid("", "a member is a JSON object")),
        };
    };
    let external_id = match map.remove("external_id") {
        Some(serde_json::Value::String(e)) => parse::client_id("external_id", &e),
        Some(_) => Err(ApiError::invalid(
            "external_id",
            "external_id must be a string",
        )),
        None => Err(ApiError::invalid(
            "external_id",
            "missing field `external_id`",
        )),
    };
    let write = external_id.clone().and_then(|external_id| {
        crate::strings::check_value(&serde_json::Value::Object(map.clone()))?;
        let body: MemberIn = crate::api::events::from_value(serde_json::Value::Object(map), "")?;
        if body.referral_code.is_some() {
            return Err(ApiError::invalid(
                "referral_code",
                "a referral code is taken by PUT /v1/members/{external_id}, one member at a time",
            ));
        }
        let keeps_phone = body.identities.is_some() && body.phone.is_none();
        Ok((patch_from(external_id, body, now)?, keeps_phone))
    });
    BatchItem {
        external_id: external_id.ok(),
        write,
    }
}

/// `GET /v1/members/batch`: the member whose external id is `batch` (the batch route takes its
/// path for `POST` only).
pub async fn get_member_named_batch(
    state: State<AppState>,
    program: Auth,
) -> Result<Json<MemberOut>, ApiError> {
    get_member(state, program, Path("batch".to_owned())).await
}

/// `PUT /v1/members/batch`: the member whose external id is `batch`.
pub async fn put_member_named_batch(
    state: State<AppState>,
    program: Auth,
    body: ApiJson<MemberIn>,
) -> Result<(StatusCode, Json<MemberOut>), ApiError> {
    put_member(state, program, Path("batch".to_owned()), body).await
}
