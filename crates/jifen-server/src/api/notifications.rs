//! The notification outbox: what rules, tier changes, benefits and gifts wrote for members (or
//! partners) to be told, read by polling until jifen delivers them itself.

use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use jifen_store::{NotificationFilter, OutboxNotification, Program};

use super::types::{Page, PageQuery};
use crate::app::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiQuery, Auth};
use crate::parse;
use crate::service::ledger::find_member;

/// A notification of the outbox.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct NotificationOut {
    /// Increasing in the order notifications were written.
    pub id: i64,
    /// What the notification is about: the `template` of a rule's `notify` effect, or one jifen
    /// writes itself (`tier_upgraded`, `tier_downgraded`, `tier_requalified`,
    /// `tier_grace_started`, `tier_override_set`, `tier_override_ended`, `benefit_granted`,
    /// `partner_perk_granted`, `partner_perk_revoked`, `gift_claimed`, `gift_cancelled`,
    /// `gift_returned`); for a reminder, the brand's template name for its kind and channel
    /// (the kind itself is `payload.reason`).
    pub kind: String,
    /// The member's external id (for a partner's notification, the member it concerns).
    pub member: String,
    /// The rule whose `notify` effect wrote it; `tiers` for tier changes and benefits;
    /// `reminders` for reminders; `null` for gifts.
    pub rule_id: Option<String>,
    /// What caused it: an event id, a tier job or override, `gift:<code>`,
    /// `reminder:<kind>:<cause>:<channel>`.
    pub cause: String,
    pub created_at: DateTime<Utc>,
    /// Always `null`: jifen does not deliver notifications yet.
    pub delivered_at: Option<DateTime<Utc>>,
    /// Who it is for when not the member: `partner:<id>`; `null` for the member.
    pub recipient: Option<String>,
    /// What it carries (tier changes, benefits, perks, gifts; a reminder's `reason`, `channel`,
    /// `template`, `cause` and `data`); `null` for a rule's `notify`.
    #[schema(value_type = Option<Object>)]
    pub payload: Option<Value>,
}

impl From<OutboxNotification> for NotificationOut {
    fn from(n: OutboxNotification) -> Self {
        NotificationOut {
            id: n.id,
            kind: n.template,
            member: n.member_external_id,
            rule_id: Some(n.rule_id).filter(|r| !r.is_empty()),
            cause: n.event_id,
            created_at: n.created_at,
            delivered_at: n.delivered_at,
            recipient: n.recipient,
            payload: n
                .payload
                .as_deref()
                .map(|p| serde_json::from_str(p).unwrap_or(Value::String(p.to_owned()))),
        }
    }
}

/// Filters of the outbox.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    /// Only notifications of this kind (`tier_upgraded`, a rule's template…).
    pub kind: Option<String>,
    /// Only notifications of this member (external id); an unknown member has none.
    pub member: Option<String>,
    /// Only notifications written at or after this instant (RFC 3339).
    pub since: Option<String>,
    /// Only notifications written before this instant (RFC 3339).
    pub until: Option<String>,
    /// How many to answer: 1 to 200, 50 when absent.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next` cursor of the page before, to read the page after it.
    pub after: Option<String>,
}

/// Filters of a member's outbox.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MemberNotificationQuery {
    /// Only notifications of this kind (`tier_upgraded`, a rule's template…).
    pub kind: Option<String>,
    /// Only notifications written at or after this instant (RFC 3339).
    pub since: Option<String>,
    /// Only notifications written before this instant (RFC 3339).
    pub until: Option<String>,
    /// How many to answer: 1 to 200, 50 when absent.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next` cursor of the page before, to read the page after it.
    pub after: Option<String>,
}

/// The program's notification outbox, newest first.
#[utoipa::path(get, path = "/v1/notifications", tag = "notifications",
    params(NotificationQuery),
    responses((status = 200, body = Page<NotificationOut>), (status = 422, body = ErrorBody)))]
pub async fn list_notifications(
    State(state): State<AppState>,
    Auth(program): Auth,
    ApiQuery(q): ApiQuery<NotificationQuery>,
) -> Result<Json<Page<NotificationOut>>, ApiError> {
    let mut f = filter(&q.kind, &q.since, &q.until, None)?;
    let page_query = PageQuery {
        limit: q.limit,
        after: q.after,
    };
    if let Some(m) = q.member.as_deref() {
        let m = parse::client_id("member", m)?;
        match state.store.member_head(&program.id, &m).await? {
            Some(head) => f.member_id = Some(head.id),
            None => {
                // A filter, not an address: a member the program does not have has none.
                page_query.limit()?;
                page_query.cursor()?;
                return Ok(Json(Page {
                    data: Vec::new(),
                    next: None,
                }));
            }
        }
    }
    page(&state, &program, &f, page_query).await
}

/// A member's notifications, newest first.
#[utoipa::path(get, path = "/v1/members/{external_id}/notifications", tag = "notifications",
    params(("external_id" = String, Path, description = "The brand's id for the member"),
        MemberNotificationQuery),
    responses((status = 200, body = Page<NotificationOut>), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn member_notifications(
    State(state): State<AppState>,
    Auth(program): Auth,
    Path(external_id): Path<String>,
    ApiQuery(q): ApiQuery<MemberNotificationQuery>,
) -> Result<Json<Page<NotificationOut>>, ApiError> {
    let member = find_member(&state, &program, &external_id).await?;
    let f = filter(&q.kind, &q.since, &q.until, Some(member.id))?;
    let page_query = PageQuery {
        limit: q.limit,
        after: q.after,
    };
    page(&state, &program, &f, page_query).await
}

fn filter(
    kind: &Option<String>,
    since: &Option<String>,
    until: &Option<String>,
    member_id: Option<i64>,
) -> Result<NotificationFilter, ApiError> {
    let since = since
        .as_deref()
        .map(|s| parse::query_instant("since", s))
        .transpose()?;
    let until = until
        .as_deref()
        .map(|s| parse::query_instant("until", s))
        .transpose()?;
    if let (Some(s), Some(u)) = (since, until)
        && u < s
    {
        return Err(ApiError::invalid("until", "until is before since"));
    }
    Ok(NotificationFilter {
        template: kind
            .as_deref()
            .map(|k| parse::client_id("kind", k))
            .transpose()?,
        member_id,
        since,
        until,
    })
}

async fn page(
    state: &AppState,
    program: &Program,
    f: &NotificationFilter,
    q: PageQuery,
) -> Result<Json<Page<NotificationOut>>, ApiError> {
    let limit = q.limit()?;
    let rows = state
        .store
        .list_notifications(&program.id, f, limit, q.cursor()?)
        .await?;
    let next = (rows.len() == limit as usize)
        .then(|| rows.last().map(|n| n.id.to_string()))
        .flatten();
    Ok(Json(Page {
        data: rows.into_iter().map(NotificationOut::from).collect(),
        next,
    }))
}
