//! The answers every operation can give, added to the OpenAPI document in one pass rather than
//! route by route: what the layers in front of the handlers answer (key, rate limit, URL and
//! body size, HTTP parse errors, the database), and what any body, query string or path
//! parameter can be refused with, and the `409` of a write made idempotent by a required `id`.
//! An operation that describes one of these itself keeps its own.

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::{Object, Schema, Type};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, Response};

/// A shared answer: its name under `components.responses`, and what it says.
struct Common {
    status: &'static str,
    name: &'static str,
    description: &'static str,
}

const ANY: [Common; 8] = [
    Common {
        status: "400",
        name: "BadRequest",
        description: "`malformed_request`: not valid HTTP; `malformed_json`: a body that is not \
                      JSON or names a key twice",
    },
    Common {
        status: "401",
        name: "Unauthorized",
        description: "`unauthorized`: no API key, an unknown or revoked one, or one with a space",
    },
    Common {
        status: "403",
        name: "Forbidden",
        description: "`forbidden`: a partner's key outside `/v1/partner/…`, or a program's key on it",
    },
    Common {
        status: "414",
        name: "UriTooLong",
        description: "`uri_too_long`: the URL is longer than 8 KiB",
    },
    Common {
        status: "429",
        name: "RateLimited",
        description: "`rate_limited`: the key's token bucket is empty; retry after `Retry-After` \
                      seconds",
    },
    Common {
        status: "431",
        name: "HeadersTooLarge",
        description: "`headers_too_large`: the request's head is larger than the server reads",
    },
    Common {
        status: "500",
        name: "Internal",
        description: "`internal`: an unexpected error; the `x-request-id` finds it in the logs",
    },
    Common {
        status: "503",
        name: "Unavailable",
        description: "`unavailable`: the database cannot be reached; retry with the same id",
    },
];

const PAYLOAD_TOO_LARGE: Common = Common {
    status: "413",
    name: "PayloadTooLarge",
    description: "`payload_too_large`: the body is larger than `max_body_bytes`",
};

const INVALID: Common = Common {
    status: "422",
    name: "InvalidRequest",
    description: "`invalid_request`: a field or parameter is missing, of the wrong type or out of \
                  range; `field` names it",
};

const IDEMPOTENCY_CONFLICT: Common = Common {
    status: "409",
    name: "IdempotencyConflict",
    description: "`idempotency_conflict`: the id was used before with a different body",
};

const NOT_FOUND: Common = Common {
    status: "404",
    name: "NotFound",
    description: "The program has nothing with this id (the code names what: \
                  `member_not_found`, `rule_not_found`…)",
};

fn error_response(c: &Common) -> Response {
    let mut r = ResponseBuilder::new().description(c.description).content(
        "application/json",
        Content::new(Some(RefOr::Ref(Ref::from_schema_name("ErrorBody")))),
    );
    if c.status == "429" {
        let int = |d: &str| {
            HeaderBuilder::new()
                .schema(Object::with_type(Type::Integer))
                .description(Some(d))
                .build()
        };
        r = r
            .header("Retry-After", int("Seconds until the key may send again"))
            .header(
                "RateLimit-Limit",
                int("The key's burst: requests it may send at once"),
            )
            .header("RateLimit-Remaining", int("Requests the key may send now"))
            .header(
                "RateLimit-Reset",
                int("Seconds until the key's bucket is full"),
            );
    }
    r.build()
}

/// Adds the shared answers to every `/v1` operation of `api`.
pub fn add_common_responses(api: &mut OpenApi) {
    let components = api.components.get_or_insert_with(Default::default);
    let commons = [
        &PAYLOAD_TOO_LARGE,
        &INVALID,
        &NOT_FOUND,
        &IDEMPOTENCY_CONFLICT,
    ];
    for c in ANY.iter().chain(commons) {
        components
            .responses
            .insert(c.name.into(), RefOr::T(error_response(c)));
    }
    let schemas = components.schemas.clone();
    for (path, item) in api.paths.paths.iter_mut() {
        if !path.starts_with("/v1/") {
            continue;
        }
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in operations.into_iter().flatten() {
            let idempotent = takes_required_id(op, &schemas);
            add_to(op, idempotent);
        }
    }
}

/// Whether the operation's body must carry an `id`: the client-chosen id that makes the write
/// idempotent, which a different body under the same id answers with `409`.
fn takes_required_id(
    op: &Operation,
    schemas: &std::collections::BTreeMap<String, RefOr<Schema>>,
) -> bool {
    let Some(body) = &op.request_body else {
        return false;
    };
    body.content.values().any(|c| {
        let schema = match &c.schema {
            Some(RefOr::Ref(r)) => r
                .ref_location
                .rsplit('/')
                .next()
                .and_then(|name| schemas.get(name)),
            other => other.as_ref(),
        };
        matches!(schema, Some(RefOr::T(Schema::Object(o))) if o.required.iter().any(|f| f == "id"))
    })
}

fn add_to(op: &mut Operation, idempotent: bool) {
    let params = op.parameters.as_deref().unwrap_or(&[]);
    let takes = |place: ParameterIn| params.iter().any(|p| p.parameter_in == place);
    let has_query = takes(ParameterIn::Query);
    let has_path = takes(ParameterIn::Path);
    let has_body = op.request_body.is_some();
    let mut add = |c: &Common| {
        op.responses
            .responses
            .entry(c.status.into())
            .or_insert_with(|| RefOr::Ref(Ref::from_response_name(c.name)));
    };
    ANY.iter().for_each(&mut add);
    if has_body {
        add(&PAYLOAD_TOO_LARGE);
    }
    if has_body || has_query || has_path {
        add(&INVALID);
    }
    if has_path {
        add(&NOT_FOUND);
    }
    if idempotent {
        add(&IDEMPOTENCY_CONFLICT);
    }
}
