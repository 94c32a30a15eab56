//! The application: shared state, the router and its layers.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::HeaderName;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::TraceLayer;

use jifen_store::Store;

use crate::api;
use crate::clock::Clock;
use crate::error::ApiError;

/// What every handler can reach: one pointer to the [`Shared`] parts, so that the clone each
/// layer and handler takes per request is one reference count, not one per part. Fields are
/// set through `DerefMut` while the state is being built (copy-on-write once it is shared).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl std::ops::DerefMut for AppState {
    fn deref_mut(&mut self) -> &mut Shared {
        Arc::make_mut(&mut self.0)
    }
}

/// The parts of [`AppState`].
#[derive(Clone)]
pub struct Shared {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub metrics: PrometheusHandle,
    pub openapi: Arc<String>,
    /// Recently checked API keys.
    pub keys: Arc<crate::keycache::KeyCache>,
    /// Single events waiting to be recorded together.
    pub coalescer: Arc<crate::service::coalesce::Coalescer>,
    /// Compiled rules by program.
    pub rules: Arc<crate::service::rules::RuleCache>,
    /// The buckets of the keys' rate limits.
    pub limiter: Arc<crate::rate_limit::RateLimiter>,
    /// The limit per key of programs that set none.
    pub rate_limit: crate::rate_limit::RateLimitSettings,
    /// Where rules' conditions are evaluated outside write transactions.
    pub judges: Arc<crate::service::judging::Judges>,
    /// Where error answers' `doc` links point (`docs_base_url`).
    pub docs: crate::error::DocsBase,
    /// Whether a client's address is the first `X-Forwarded-For` hop (`trust_forwarded_for`).
    pub trust_forwarded_for: bool,
    /// Leaderboards' rankings: in this process, or in Redis (`redis_url`).
    pub rankings: Arc<crate::service::leaderboards::Rankings>,
    /// The `[webhooks]` settings (whether endpoints may reach private targets).
    pub webhooks: crate::webhooks::WebhookSettings,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Self(Arc::new(Shared {
            store,
            clock,
            metrics: metrics_handle(),
            openapi: Arc::new(api::openapi_json()),
            keys: Arc::default(),
            coalescer: Arc::default(),
            rules: Arc::default(),
            limiter: Arc::default(),
            rate_limit: crate::rate_limit::RateLimitSettings::default(),
            judges: Arc::default(),
            docs: crate::error::DocsBase::default(),
            trust_forwarded_for: false,
            rankings: Arc::default(),
            webhooks: crate::webhooks::WebhookSettings::default(),
        }))
    }
}

/// The process-wide Prometheus recorder (installed once, shared by every app in the process).
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("jifen_http_request_duration_seconds".into()),
                    &[
                        0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
                    ],
                )
                .map(|b| b.build_recorder())
                .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder());
            let handle = recorder.handle();
            // Another recorder may be installed already (tests embedding the app); then this
            // handle still renders, just without the global counters.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A random (version 4) UUID for each request that comes without an id, drawn from the
/// thread's own generator: `Uuid::new_v4` asks the kernel for its bytes, a system call on every
/// request.
#[derive(Clone, Copy)]
struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let id = uuid::Builder::from_random_bytes(rand::random()).into_uuid();
        let mut text = uuid::Uuid::encode_buffer();
        axum::http::HeaderValue::from_str(id.hyphenated().encode_lower(&mut text))
            .ok()
            .map(RequestId::new)
    }
}

/// The `/v1` routes with the layers every one of them passes: the key (or the console's
/// operator) and its rate limit first.
fn v1_routes(state: &AppState) -> Router<AppState> {
    static ROUTES: OnceLock<Router<AppState>> = OnceLock::new();
    ROUTES
        .get_or_init(|| api::routes().split_for_parts().0)
        .clone()
        .route_layer(middleware::from_fn_with_state(state.clone(), v1_layer))
}

/// What every `/v1` request passes before its handler, in one layer: the path's parameters
/// checked ([`crate::strings::check_path`]), the key and its rate limit
/// ([`crate::rate_limit::limit_per_key`]), then the audit log, inside the key's limit because it
/// needs the principal the key gives.
async fn v1_layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if let Some(refused) = crate::strings::path_refusal(&req) {
        return refused.into_response();
    }
    crate::rate_limit::limited(&state, req, |req| {
        crate::audit::record(State(state.clone()), req, next)
    })
    .await
}

/// The `/v1` router alone, for the console's calls on behalf of an operator
/// ([`crate::console::api::call`]): the same handlers and layers as a request from outside.
pub fn v1_router(state: AppState) -> Router {
    v1_routes(&state)
        .fallback(|| async { ApiError::RouteNotFound })
        .layer(middleware::from_fn(json_errors))
        .with_state(state)
}

/// The whole HTTP surface.
pub fn router(state: AppState, max_body_bytes: usize) -> Router {
    let api = v1_routes(&state);
    Router::new()
        .route("/healthz", get(api::ops::healthz))
        .route("/readyz", get(api::ops::readyz))
        .route("/metrics", get(api::ops::metrics))
        .route("/openapi.json", get(api::ops::openapi))
        .route("/media/{program_id}/{file}", get(api::rewards::get_media))
        .route_layer(middleware::from_fn(crate::strings::check_path))
        .merge(api)
        .merge(crate::console::router(state.clone()))
        .merge(crate::portal::router(state.clone()))
        .fallback(|| async { ApiError::RouteNotFound })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .layer(middleware::from_fn_with_state(state.docs.clone(), edge))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let id = req
                .headers()
                .get(REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), uri = %req.uri(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(REQUEST_ID, RandomRequestId))
        .with_state(state)
}

/// What every request passes on its way in and out, in one layer (each layer of its own costs
/// every request a clone of the route and a boxed future): from the outside in, it counts the
/// request and its latency by route and status, writes error bodies with the server's
/// documentation links, refuses a target that is too long, and turns axum's plain-text
/// rejections into JSON errors.
async fn edge(State(docs): State<crate::error::DocsBase>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = req.extensions().get::<MatchedPath>().cloned();
    let method = req.method().clone();
    let res = match crate::limits::uri_too_long(&req) {
        Some(refused) => refused,
        None => plain_to_json(next.run(req).await).await,
    };
    let res = crate::error::with_docs_links(res, &docs);
    let route = route.as_ref().map_or("unmatched", MatchedPath::as_str);
    let (count, latency) = request_metrics(route, &method, res.status());
    count.increment(1);
    latency.record(started.elapsed().as_secs_f64());
    res
}

/// The request counter and latency histogram of a route, method and status. Kept per thread
/// once registered, so that a request does not build their labels and look them up in the
/// recorder's registry again.
fn request_metrics(
    route: &str,
    method: &axum::http::Method,
    status: axum::http::StatusCode,
) -> (metrics::Counter, metrics::Histogram) {
    type Handles = Vec<(
        axum::http::Method,
        u16,
        metrics::Counter,
        metrics::Histogram,
    )>;
    thread_local! {
        static HANDLES: std::cell::RefCell<std::collections::HashMap<String, Handles>> =
            std::cell::RefCell::default();
    }
    HANDLES.with_borrow_mut(|handles| {
        let of_route = match handles.get_mut(route) {
            Some(h) => h,
            None => handles.entry(route.to_owned()).or_default(),
        };
        if let Some((_, _, c, h)) = of_route
            .iter()
            .find(|(m, s, _, _)| m == method && *s == status.as_u16())
        {
            return (c.clone(), h.clone());
        }
        let labels = [
            ("route", route.to_owned()),
            ("method", method.to_string()),
            ("status", status.as_u16().to_string()),
        ];
        let c = metrics::counter!("jifen_http_requests_total", &labels);
        let h = metrics::histogram!("jifen_http_request_duration_seconds", &labels);
        of_route.push((method.clone(), status.as_u16(), c.clone(), h.clone()));
        (c, h)
    })
}

/// Turns the plain-text rejections of axum's own layers and extractors (body too large, a path
/// that is not UTF-8 once percent-decoded) into JSON errors.
async fn json_errors(req: Request, next: Next) -> Response {
    plain_to_json(next.run(req).await).await
}

/// [`json_errors`] of an answer.
async fn plain_to_json(res: Response) -> Response {
    let plain = res
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_none_or(|v| !v.as_bytes().starts_with(b"application/json"));
    match res.status() {
        axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
            let mut res = if plain {
                ApiError::PayloadTooLarge.into_response()
            } else {
                res
            };
            // The rest of the body is never read, so the connection cannot carry another
            // request: say so, or clients reuse it and fail.
            res.headers_mut().insert(
                axum::http::header::CONNECTION,
                axum::http::HeaderValue::from_static("close"),
            );
            res
        }
        _ if !plain => res,
        axum::http::StatusCode::BAD_REQUEST => {
            let text = axum::body::to_bytes(res.into_body(), 4096)
                .await
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default();
            if text.starts_with("Invalid URL") {
                // "Invalid URL: Invalid UTF-8 in `external_id`": name the parameter.
                let field = text.split('`').nth(1).unwrap_or("path").to_owned();
                ApiError::invalid(field, text).into_response()
            } else {
                ApiError::MalformedJson(text).into_response()
            }
        }
        _ => res,
    }
}

/// How long in-flight requests get to finish after a shutdown signal.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);
