//! The one error type a client can see, mapped in one place to an HTTP status and a stable code.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use jifen_core::LedgerError;
use jifen_store::StoreError;

/// Every error the API answers with. The `code` of each is stable; the message is for people.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    #[error("missing or invalid API key: send `Authorization: Bearer jf_sk_…`")]
    Unauthorized,
    #[error("no such route")]
    RouteNotFound,
    #[error("method not allowed on this route")]
    MethodNotAllowed,
    #[error("the request body is not valid JSON: {0}")]
    MalformedJson(String),
    #[error("{message}")]
    Invalid { field: String, message: String },
    /// A CEL expression beyond one of the condition limits (docs/rules.md#condition-limits).
    #[error("{message}")]
    InvalidRule { field: String, message: String },
    #[error("the request body is larger than this server accepts (max_body_bytes)")]
    PayloadTooLarge,
    #[error("a batch holds at most {max} {items}; this one has {got}")]
    BatchTooLarge {
        /// What the batch holds, as the request's field names it: `events`, `members`.
        items: &'static str,
        max: usize,
        got: usize,
    },
    #[error("event {0} was not found")]
    EventNotFound(String),
    #[error("member {0} was not found")]
    MemberNotFound(String),
    #[error("order {0} was not found")]
    OrderNotFound(String),
    #[error("hold {0} was not found")]
    HoldNotFound(String),
    #[error("API key {0} was not found")]
    ApiKeyNotFound(String),
    #[error("event type {0} is not known to this program")]
    UnknownEventType(String),
    #[error("occurred_at is more than 5 minutes in the future")]
    OccurredInFuture,
    #[error("refunds of order {order_id} would total {total} fen, more than its {amount} fen")]
    RefundExceedsOrder {
        order_id: String,
        total: i64,
        amount: i64,
    },
    #[error("order {0} was recorded already")]
    OrderExists(String),
    #[error("{0}")]
    InsufficientPoints(String),
    #[error("hold {id} is {status}, not pending")]
    HoldNotPending { id: String, status: &'static str },
    #[error("{0}")]
    CommitExceedsHold(String),
    #[error("this id was used before with a different request body")]
    IdempotencyConflict,
    #[error("identity {kind}:{value} belongs to another member")]
    IdentityTaken { kind: String, value: String },
    #[error("rule {0} was not found")]
    RuleNotFound(String),
    #[error("rule {0} is archived: it can no longer change")]
    RuleArchived(String),
    #[error("rule {0} has awarded points: archive it instead of deleting it")]
    RuleHasAwarded(String),
    #[error("campaign {0} was not found")]
    CampaignNotFound(String),
    #[error("backtest {0} was not found")]
    BacktestNotFound(String),
    #[error("the program has no tier policy: save one with PUT /v1/tier-policy")]
    TierPolicyNotFound,
    #[error("tier job {0} was not found")]
    TierJobNotFound(String),
    #[error("partner {0} was not found")]
    PartnerNotFound(String),
    #[error("operator {0} has no role in the program")]
    OperatorNotFound(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("voucher template {0} was not found")]
    VoucherTemplateNotFound(String),
    #[error("leaderboard {0} was not found")]
    LeaderboardNotFound(String),
    #[error("voucher {0} was not found")]
    VoucherNotFound(String),
    #[error("reward {0} was not found")]
    RewardNotFound(String),
    #[error("reward redemption {0} was not found")]
    RedemptionNotFound(String),
    #[error("checkout {0} was not found")]
    CheckoutNotFound(String),
    #[error("gift {0} was not found")]
    GiftNotFound(String),
    #[error("badge {0} was not found")]
    BadgeNotFound(String),
    #[error("segment {0} was not found")]
    SegmentNotFound(String),
    #[error("challenge {0} was not found")]
    ChallengeNotFound(String),
    #[error("webhook endpoint {0} was not found")]
    WebhookEndpointNotFound(String),
    #[error("webhook message {0} was not found")]
    WebhookMessageNotFound(String),
    #[error("the reward cannot be redeemed now: {message} ({reason})")]
    RewardUnavailable { reason: String, message: String },
    #[error("voucher {code} does not apply: {message}")]
    VoucherNotApplicable {
        index: usize,
        code: String,
        message: String,
    },
    #[error("{0}")]
    PointsNotApplicable(String),
    #[error("checkout {id} is {status}, not pending")]
    CheckoutNotPending { id: String, status: String },
    #[error("{0}")]
    NotCancellable(String),
    #[error("{0}")]
    GiftUnavailable(String),
    #[error("{0}")]
    InvalidTransition(String),
    #[error("stock {stock} is below the {taken} units already redeemed")]
    StockBelowTaken { stock: i64, taken: i64 },
    #[error("referral code {code} belongs to no member of this program")]
    ReferralCodeUnknown { field: String, code: String },
    #[error("the program has no referral program: save one with PUT /v1/referral-program")]
    ReferralProgramNotFound,
    #[error("the database is not reachable; try again")]
    Unavailable,
    /// A 401 whose cause is worth saying (a key with a space in it).
    #[error("{0}")]
    BadCredentials(String),
    #[error("the request body names the key `{key}` twice in one object (at `{field}`)")]
    DuplicateKey { field: String, key: String },
    #[error(
        "too many requests with this API key: {per_second} a second, bursts of {burst}; \
         retry in {retry_after} s"
    )]
    RateLimited {
        per_second: u32,
        burst: u32,
        retry_after: u64,
    },
    #[error("the request is not valid HTTP/1.1 (request line or header)")]
    MalformedRequest,
    #[error("the URL is longer than the {max} bytes this server accepts")]
    UriTooLong { max: usize },
    #[error("the request's headers are larger than this server accepts")]
    HeadersTooLarge,
    #[error("internal error; the request id in x-request-id helps find it in the logs")]
    Internal,
    #[error("{0}; nothing was changed")]
    FigureOverflow(jifen_core::FigureOverflow),
}

/// The body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong, for programs (`code`) and for people (`message`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, machine-readable code (see `docs/api.md#error-codes`).
    pub code: &'static str,
    pub message: String,
    /// The request field at fault, as a path (`events[2].attributes.amount`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Where the code is documented: its section of the API guide, under the server's public
    /// documentation base (`docs_base_url`).
    pub doc: String,
}

/// Where the API guide lives for error links: an `http(s)` URL ending with `/`, under which
/// `api.md#<code>` is each code's section. Set once at startup (`docs_base_url`) and carried in
/// the application state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocsBase(Arc<str>);

impl DocsBase {
    /// The repository's own documentation: the workspace's `repository` URL +
    /// `/blob/main/docs/`.
    pub const DEFAULT: &'static str = concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/docs/");

    /// Checks a base URL: `http://` or `https://` with a host, no spaces, no query or fragment;
    /// a missing `/` at the end is added.
    pub fn new(url: &str) -> Result<Self, String> {
        let url = url.trim();
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .ok_or_else(|| format!("`{url}` is not an http:// or https:// URL"))?;
        let host = rest.split('/').next().unwrap_or_default();
        if host.is_empty() {
            return Err(format!("`{url}` names no host"));
        }
        if url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '?' || c == '#')
        {
            return Err(format!(
                "`{url}` must not hold spaces, control characters, a query or a fragment"
            ));
        }
        let mut base = url.to_owned();
        if !base.ends_with('/') {
            base.push('/');
        }
        Ok(DocsBase(base.into()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The link to an error code's section of the API guide.
    pub fn link(&self, code: &str) -> String {
        format!("{}api.md#{}", self.0, code.replace('_', "-"))
    }
}

impl Default for DocsBase {
    fn default() -> Self {
        DocsBase(Self::DEFAULT.into())
    }
}

impl ApiError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    /// A rule that cannot be saved, its field under `prefix` (`rules[2].`): `invalid_rule` when
    /// a CEL expression exceeds a condition limit, `invalid_request` otherwise.
    pub fn rule(prefix: &str, e: jifen_core::rules::RuleError) -> Self {
        let field = format!("{prefix}{}", e.field);
        match e.limit {
            Some(_) => ApiError::InvalidRule {
                field,
                message: e.message,
            },
            None => ApiError::invalid(field, e.message),
        }
    }

    /// A CEL expression at `field` that cannot be used: `invalid_rule` past a condition limit,
    /// `invalid_request` when it does not compile.
    pub fn condition(field: &str, e: jifen_core::rules::ConditionError) -> Self {
        match e.limit {
            Some(_) => ApiError::InvalidRule {
                field: field.to_owned(),
                message: format!("exceeds a limit: {e}"),
            },
            None => ApiError::invalid(field, e.to_string()),
        }
    }

    /// The stable code and HTTP status of each error: the one table of them.
    pub fn code_and_status(&self) -> (&'static str, StatusCode) {
        use StatusCode as S;
        match self {
            ApiError::Unauthorized => ("unauthorized", S::UNAUTHORIZED),
            ApiError::RouteNotFound => ("not_found", S::NOT_FOUND),
            ApiError::MethodNotAllowed => ("method_not_allowed", S::METHOD_NOT_ALLOWED),
            ApiError::MalformedJson(_) => ("malformed_json", S::BAD_REQUEST),
            ApiError::Invalid { .. } => ("invalid_request", S::UNPROCESSABLE_ENTITY),
            ApiError::InvalidRule { .. } => ("invalid_rule", S::UNPROCESSABLE_ENTITY),
            ApiError::PayloadTooLarge => ("payload_too_large", S::PAYLOAD_TOO_LARGE),
            ApiError::BatchTooLarge { .. } => ("batch_too_large", S::UNPROCESSABLE_ENTITY),
            ApiError::MemberNotFound(_) => ("member_not_found", S::NOT_FOUND),
            ApiError::OrderNotFound(_) => ("order_not_found", S::NOT_FOUND),
            ApiError::EventNotFound(_) => ("event_not_found", S::NOT_FOUND),
            ApiError::HoldNotFound(_) => ("hold_not_found", S::NOT_FOUND),
            ApiError::ApiKeyNotFound(_) => ("api_key_not_found", S::NOT_FOUND),
            ApiError::UnknownEventType(_) => ("unknown_event_type", S::UNPROCESSABLE_ENTITY),
            ApiError::OccurredInFuture => ("occurred_in_future", S::UNPROCESSABLE_ENTITY),
            ApiError::RefundExceedsOrder { .. } => {
                ("refund_exceeds_order", S::UNPROCESSABLE_ENTITY)
            }
            ApiError::OrderExists(_) => ("order_exists", S::CONFLICT),
            ApiError::InsufficientPoints(_) => ("insufficient_points", S::UNPROCESSABLE_ENTITY),
            ApiError::HoldNotPending { .. } => ("hold_not_pending", S::CONFLICT),
            ApiError::CommitExceedsHold(_) => ("commit_exceeds_hold", S::UNPROCESSABLE_ENTITY),
            ApiError::IdempotencyConflict => ("idempotency_conflict", S::CONFLICT),
            ApiError::IdentityTaken { .. } => ("identity_taken", S::CONFLICT),
            ApiError::RuleNotFound(_) => ("rule_not_found", S::NOT_FOUND),
            ApiError::RuleArchived(_) => ("rule_archived", S::CONFLICT),
            ApiError::RuleHasAwarded(_) => ("rule_has_awarded", S::CONFLICT),
            ApiError::CampaignNotFound(_) => ("campaign_not_found", S::NOT_FOUND),
            ApiError::BacktestNotFound(_) => ("backtest_not_found", S::NOT_FOUND),
            ApiError::TierPolicyNotFound => ("tier_policy_not_found", S::NOT_FOUND),
            ApiError::TierJobNotFound(_) => ("tier_job_not_found", S::NOT_FOUND),
            ApiError::PartnerNotFound(_) => ("partner_not_found", S::NOT_FOUND),
            ApiError::OperatorNotFound(_) => ("operator_not_found", S::NOT_FOUND),
            ApiError::Forbidden(_) => ("forbidden", S::FORBIDDEN),
            ApiError::VoucherTemplateNotFound(_) => ("voucher_template_not_found", S::NOT_FOUND),
            ApiError::LeaderboardNotFound(_) => ("leaderboard_not_found", S::NOT_FOUND),
            ApiError::VoucherNotFound(_) => ("voucher_not_found", S::NOT_FOUND),
            ApiError::RewardNotFound(_) => ("reward_not_found", S::NOT_FOUND),
            ApiError::RedemptionNotFound(_) => ("redemption_not_found", S::NOT_FOUND),
            ApiError::CheckoutNotFound(_) => ("checkout_not_found", S::NOT_FOUND),
            ApiError::GiftNotFound(_) => ("gift_not_found", S::NOT_FOUND),
            ApiError::BadgeNotFound(_) => ("badge_not_found", S::NOT_FOUND),
            ApiError::SegmentNotFound(_) => ("segment_not_found", S::NOT_FOUND),
            ApiError::ChallengeNotFound(_) => ("challenge_not_found", S::NOT_FOUND),
            ApiError::WebhookEndpointNotFound(_) => ("webhook_endpoint_not_found", S::NOT_FOUND),
            ApiError::WebhookMessageNotFound(_) => ("webhook_message_not_found", S::NOT_FOUND),
            ApiError::RewardUnavailable { .. } => ("reward_unavailable", S::UNPROCESSABLE_ENTITY),
            ApiError::VoucherNotApplicable { .. } => {
                ("voucher_not_applicable", S::UNPROCESSABLE_ENTITY)
            }
            ApiError::PointsNotApplicable(_) => ("points_not_applicable", S::UNPROCESSABLE_ENTITY),
            ApiError::CheckoutNotPending { .. } => ("checkout_not_pending", S::CONFLICT),
            ApiError::NotCancellable(_) => ("not_cancellable", S::CONFLICT),
            ApiError::GiftUnavailable(_) => ("gift_unavailable", S::CONFLICT),
            ApiError::InvalidTransition(_) => ("invalid_transition", S::CONFLICT),
            ApiError::StockBelowTaken { .. } => ("stock_below_taken", S::CONFLICT),
            ApiError::ReferralCodeUnknown { .. } => {
                ("referral_code_unknown", S::UNPROCESSABLE_ENTITY)
            }
            ApiError::ReferralProgramNotFound => ("referral_program_not_found", S::NOT_FOUND),
            ApiError::Unavailable => ("unavailable", S::SERVICE_UNAVAILABLE),
            ApiError::Internal => ("internal", S::INTERNAL_SERVER_ERROR),
            ApiError::BadCredentials(_) => ("unauthorized", S::UNAUTHORIZED),
            ApiError::DuplicateKey { .. } => ("malformed_json", S::BAD_REQUEST),
            ApiError::RateLimited { .. } => ("rate_limited", S::TOO_MANY_REQUESTS),
            ApiError::MalformedRequest => ("malformed_request", S::BAD_REQUEST),
            ApiError::UriTooLong { .. } => ("uri_too_long", S::URI_TOO_LONG),
            ApiError::HeadersTooLarge => ("headers_too_large", S::REQUEST_HEADER_FIELDS_TOO_LARGE),
            ApiError::FigureOverflow(_) => ("figure_overflow", S::UNPROCESSABLE_ENTITY),
        }
    }

    pub fn field(&self) -> Option<String> {
        match self {
            // An empty path is the body as a whole: no single field is at fault.
            ApiError::Invalid { field, .. } => Some(field.clone()).filter(|f| !f.is_empty()),
            ApiError::InvalidRule { field, .. } => Some(field.clone()),
            ApiError::BatchTooLarge { items, .. } => Some((*items).into()),
            ApiError::OccurredInFuture => Some("occurred_at".into()),
            ApiError::IdentityTaken { .. } => Some("identities".into()),
            ApiError::InsufficientPoints(_) | ApiError::CommitExceedsHold(_) => {
                Some("points".into())
            }
            ApiError::RefundExceedsOrder { .. } => Some("attributes.amount".into()),
            ApiError::VoucherNotApplicable { index, .. } => Some(format!("vouchers[{index}]")),
            ApiError::PointsNotApplicable(_) => Some("points".into()),
            ApiError::RewardUnavailable { .. } => Some("reward_id".into()),
            ApiError::StockBelowTaken { .. } => Some("stock".into()),
            ApiError::DuplicateKey { field, .. } => Some(field.clone()),
            ApiError::FigureOverflow(o) => Some(o.figure.into()),
            ApiError::ReferralCodeUnknown { field, .. } => Some(field.clone()),
            _ => None,
        }
    }

    /// The error as the JSON body a client gets, its `doc` link under `docs`.
    pub fn body(&self, docs: &DocsBase) -> ErrorBody {
        let (code, _) = self.code_and_status();
        ErrorBody {
            error: ErrorDetail {
                code,
                message: self.to_string(),
                field: self.field(),
                doc: docs.link(code),
            },
        }
    }

    pub fn status(&self) -> StatusCode {
        self.code_and_status().1
    }
}

/// An error answer's error, kept with the response so that [`with_docs_links`] can write its
/// body with the server's documentation base.
#[derive(Debug, Clone)]
pub struct Rendered(pub ApiError);

impl IntoResponse for ApiError {
    /// The answer with the default documentation base; [`with_docs_links`], in the router's
    /// outer layer, writes the body again with the server's own.
    fn into_response(self) -> Response {
        let status = self.status();
        let mut res = (status, axum::Json(self.body(&DocsBase::default()))).into_response();
        if matches!(self, ApiError::Unauthorized | ApiError::BadCredentials(_)) {
            res.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer realm=\"jifen\""),
            );
        }
        if let ApiError::RateLimited { retry_after, .. } = self {
            res.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(retry_after),
            );
        }
        res.extensions_mut().insert(Rendered(self));
        res
    }
}

/// Writes an error answer's body again with the server's documentation base (the state's
/// `docs`): errors are values that any layer or extractor may answer with, and the router's
/// outer layer, which knows the server's settings, passes every answer through this.
pub fn with_docs_links(res: Response, docs: &DocsBase) -> Response {
    let Some(Rendered(error)) = res.extensions().get::<Rendered>().cloned() else {
        return res;
    };
    let Ok(body) = serde_json::to_vec(&error.body(docs)) else {
        return res;
    };
    let (mut parts, _) = res.into_parts();
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(body))
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::IdentityTaken { kind, value } => ApiError::IdentityTaken { kind, value },
            StoreError::Database(sqlx_err) if is_unreachable(&sqlx_err) => {
                tracing::error!(error = %sqlx_err, "database unreachable");
                ApiError::Unavailable
            }
            other => {
                tracing::error!(error = %other, "store error");
                ApiError::Internal
            }
        }
    }
}

fn is_unreachable(e: &jifen_store::SqlxError) -> bool {
    matches!(
        e,
        jifen_store::SqlxError::PoolTimedOut
            | jifen_store::SqlxError::Io(_)
            | jifen_store::SqlxError::PoolClosed
    )
}

impl From<jifen_core::FigureOverflow> for ApiError {
    fn from(e: jifen_core::FigureOverflow) -> Self {
        ApiError::FigureOverflow(e)
    }
}

impl From<LedgerError> for ApiError {
    fn from(e: LedgerError) -> Self {
        match e {
            LedgerError::InsufficientPoints { .. } => ApiError::InsufficientPoints(e.to_string()),
            LedgerError::HoldNotFound(id) => ApiError::HoldNotFound(id),
            LedgerError::HoldNotPending { id, status } => ApiError::HoldNotPending {
                id,
                status: status.as_str(),
            },
            LedgerError::CommitExceedsHold { .. } => ApiError::CommitExceedsHold(e.to_string()),
            LedgerError::HoldExists(_) => ApiError::IdempotencyConflict,
            LedgerError::NonPositivePoints => {
                ApiError::invalid("points", "points must be positive")
            }
            LedgerError::FigureOverflow(o) => ApiError::FigureOverflow(o),
        }
    }
}
