//! A member's profile and identities as requests carry them, and their parse into what the
//! store writes: shared by the members routes and by the services that enrol members (a gift's
//! claim).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use jifen_store::{Identity, MemberPatch};

use crate::error::ApiError;
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
    /// A referrer's code (8 characters; case and dashes do not matter). Taken only when the
    /// request creates the member: the member is attributed to the code's member, once. For
    /// an existing member it is ignored. An unknown code is refused with
    /// `referral_code_unknown` and nothing is written.
    pub referral_code: Option<String>,
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

pub fn patch_from(
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
