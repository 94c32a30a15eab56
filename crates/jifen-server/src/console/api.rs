//! The console's writes: requests into the `/v1` router itself, on behalf of the signed-in
//! operator. Validation, idempotency, limits and errors are the API's own; the audit log names
//! the operator.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::Value;
use tower::ServiceExt;

use crate::actor::InternalCall;
use crate::app::AppState;
use crate::console::auth::Session;
use crate::keycache::Principal;

/// The most an answer of the API may weigh when read by the console.
const ANSWER_LIMIT: usize = 16 * 1024 * 1024;

/// An error answer of the API, as the console shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiFailure {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    /// The field at fault, when the API named one.
    pub field: Option<String>,
}

impl std::fmt::Display for ApiFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

/// A successful answer: its status and JSON body (`Null` when empty).
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
}

/// Sends `method path` with a JSON body to the `/v1` router as the session's operator.
pub async fn call(
    state: &AppState,
    session: &Session,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Result<Answer, ApiFailure> {
    let bytes = body
        .map(|b| serde_json::to_vec(&b).unwrap_or_default())
        .unwrap_or_default();
    call_raw(state, session, method, path, "application/json", bytes).await
}

/// [`call`] with a body of any type (a CSV import).
pub async fn call_raw(
    state: &AppState,
    session: &Session,
    method: Method,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> Result<Answer, ApiFailure> {
    call_with(
        state,
        session.program.clone(),
        session.actor(),
        method,
        path,
        content_type,
        body,
    )
    .await
}

/// Puts the JSON document typed into a settings editor (the form's `raw` field) at `path` as
/// the session's operator. A refusal comes back with the document as typed, to show again.
pub async fn put_typed(
    state: &AppState,
    session: &Session,
    path: &str,
    form: &[(String, String)],
) -> Result<Answer, (ApiFailure, String)> {
    let raw = form
        .iter()
        .find(|(k, _)| k == "raw")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    call_raw(
        state,
        session,
        Method::PUT,
        path,
        "application/json",
        raw.clone().into_bytes(),
    )
    .await
    .map_err(|f| (f, raw))
}

/// Puts a JSON definition typed into an editor at `{collection}/{id}` (`collection` such as
/// `/v1/badges`) as the session's operator. An empty id is refused as the API refuses a field,
/// with the message `required` names in the session's language.
pub async fn put_definition(
    state: &AppState,
    session: &Session,
    collection: &str,
    id: &str,
    definition: &str,
    required: &str,
) -> Result<Answer, ApiFailure> {
    if id.is_empty() {
        return Err(ApiFailure {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid_request".into(),
            message: session.lang.t(required).into(),
            field: Some("id".into()),
        });
    }
    call_raw(
        state,
        session,
        Method::PUT,
        &format!("{collection}/{}", seg(id)),
        "application/json",
        definition.as_bytes().to_vec(),
    )
    .await
}

impl ApiFailure {
    /// The toast of a refusal and the field at fault with why, in the session's language.
    pub fn shown(self, session: &Session) -> (super::Toast, (String, String)) {
        let toast = super::Toast::error(format!(
            "{}{}",
            session.lang.t("toast.failed"),
            self.message
        ));
        (toast, (self.field.unwrap_or_default(), self.message))
    }
}

/// [`call`] as any actor of a program (the member portal calls as the program, with the
/// member as the actor).
pub async fn call_as(
    state: &AppState,
    program: &jifen_store::Program,
    actor: crate::actor::Actor,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Result<Answer, ApiFailure> {
    let bytes = body
        .map(|b| serde_json::to_vec(&b).unwrap_or_default())
        .unwrap_or_default();
    call_with(
        state,
        program.clone(),
        actor,
        method,
        path,
        "application/json",
        bytes,
    )
    .await
}

async fn call_with(
    state: &AppState,
    program: jifen_store::Program,
    actor: crate::actor::Actor,
    method: Method,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> Result<Answer, ApiFailure> {
    let mut req = Request::builder().method(method).uri(path);
    if !body.is_empty() {
        req = req.header(header::CONTENT_TYPE, content_type);
    }
    let mut req = req.body(Body::from(body)).map_err(|e| ApiFailure {
        status: StatusCode::BAD_REQUEST,
        code: "invalid_request".into(),
        message: e.to_string(),
        field: None,
    })?;
    req.extensions_mut().insert(InternalCall {
        principal: Principal {
            program,
            partner_id: None,
            actor: actor.clone(),
        },
        actor,
    });
    let router = crate::app::v1_router(state.clone());
    let res = match router.oneshot(req).await {
        Ok(r) => r,
        Err(never) => match never {},
    };
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), ANSWER_LIMIT)
        .await
        .unwrap_or_default();
    let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if status.is_success() {
        return Ok(Answer { status, body });
    }
    let error = &body["error"];
    Err(ApiFailure {
        status,
        code: error["code"].as_str().unwrap_or("internal").to_owned(),
        message: error["message"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| String::from_utf8_lossy(&bytes).into_owned()),
        field: error["field"].as_str().map(str::to_owned),
    })
}

/// [`call`] for a read (`GET`).
pub async fn get(state: &AppState, session: &Session, path: &str) -> Result<Value, ApiFailure> {
    call(state, session, Method::GET, path, None)
        .await
        .map(|a| a.body)
}

/// A path segment, percent-encoded (member ids may hold any character).
pub fn seg(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
