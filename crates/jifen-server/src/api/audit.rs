//! The audit log: every change made with an API key or in the console, newest first.

use axum::Json;
use axum::extract::State;

use crate::app::AppState;
use crate::audit::AuditEntryOut;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiQuery, Auth};
use crate::parse;
use crate::shapes::{Page, PageQuery};

/// Filters of the audit log; every one left out matches every line.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only changes by this actor: `api_key:<id>` or `user:<id>`.
    pub actor: Option<String>,
    /// Only changes to objects of this kind (`rule`, `member`, …).
    pub object_kind: Option<String>,
    /// Only changes to this object (with `object_kind`); a member by its external id.
    pub object_id: Option<String>,
    /// Only changes made at or after this instant (RFC 3339).
    pub since: Option<String>,
    /// Only changes made before this instant (RFC 3339).
    pub until: Option<String>,
    /// How many to answer: 1 to 200, 50 when absent.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next` cursor of the page before, to read the page after it.
    pub after: Option<String>,
}

/// The program's audit log, newest first: who (an API key or a console user), when, what, and
/// the object's state before and after. Failed writes, idempotent replays and members' own
/// activity (events, redemptions, holds, checkouts, gifts) are not in it. `object_id` without
/// `object_kind` is refused (`invalid_request`), as are instants that are not RFC 3339.
#[utoipa::path(get, path = "/v1/audit-log", tag = "program", params(AuditQuery),
    responses((status = 200, body = Page<AuditEntryOut>), (status = 422, body = ErrorBody)))]
pub async fn list_audit_log(
    State(state): State<AppState>,
    Auth(program): Auth,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<Page<AuditEntryOut>>, ApiError> {
    let paging = PageQuery {
        limit: q.limit,
        after: q.after.clone(),
    };
    let limit = paging.limit()?;
    let before = paging.cursor()?;
    if q.object_id.is_some() && q.object_kind.is_none() {
        return Err(ApiError::invalid(
            "object_id",
            "object_id needs object_kind: ids are unique per kind",
        ));
    }
    let instant = |field: &str, raw: &Option<String>| {
        raw.as_deref().map(|t| parse::instant(field, t)).transpose()
    };
    let query = crate::audit::Query {
        actor: q.actor,
        object_kind: q.object_kind,
        object_id: q.object_id,
        since: instant("since", &q.since)?,
        until: instant("until", &q.until)?,
    };
    let (data, next) = crate::audit::page(&state, &program, &query, limit, before).await?;
    Ok(Json(Page {
        data,
        next: next.map(|n| n.to_string()),
    }))
}
