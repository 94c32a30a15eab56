//! Who made a change: an API key, an operator signed in to the console, or a member in the
//! portal. Every write through `/v1` carries one (the key's layer, the console or the portal
//! sets it), and the audit log records it.

use crate::keycache::Principal;

/// The author of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A program's (or a partner's) API key.
    ApiKey { id: String, name: String },
    /// An operator signed in to the console.
    User {
        id: String,
        email: String,
        name: String,
    },
    /// A member acting in the member portal (by internal id: the external id may be personal).
    Portal { member_id: String },
}

impl Actor {
    /// The stored form: `api_key:<id>` or `user:<id>`.
    pub fn tag(&self) -> String {
        match self {
            Actor::ApiKey { id, .. } => format!("api_key:{id}"),
            Actor::User { id, .. } => format!("user:{id}"),
            Actor::Portal { member_id } => format!("portal:{member_id}"),
        }
    }

    /// What a person reads: the key's name, the operator's name, or `member portal`.
    pub fn display_name(&self) -> &str {
        match self {
            Actor::ApiKey { name, .. } | Actor::User { name, .. } => name,
            Actor::Portal { .. } => "member portal",
        }
    }
}

/// A request the console (or the portal) makes to the `/v1` router on behalf of a signed-in
/// operator (or member): the same
/// handlers, validation, idempotency and errors as a request with an API key, with the operator
/// as its actor. Only code in this process can attach it (an extension, never a header), and the
/// key layer takes it in place of an `Authorization` header.
#[derive(Debug, Clone)]
pub struct InternalCall {
    pub principal: Principal,
    pub actor: Actor,
}
