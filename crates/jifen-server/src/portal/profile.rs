//! The profile page (我的资料): the member's name, birthday, gender and city, saved with
//! `PUT /v1/members/{id}` (the API's validation and errors), and the phone number the brand bound.
//!
//! When a save makes the profile complete, the page sends a `profile_completed` event through
//! `POST /v1/events`, as the brand would: the program's rule for it (if it has one) awards its
//! points, and the type counts once per member, so a later save earns nothing more. The event's
//! id is generated with the page, so a double tap sends it once.
//!
//! The page never takes a phone number: a number typed in a web page is unverified, and binding
//! it would let anyone claim someone else's number. The brand verifies it (an SMS code, WeChat's
//! phone number button) and binds it with `PUT /v1/members/{id}`; the page shows it.

use askama::Template;
use axum::extract::{Form, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::auth::{Visit, call, call_method};
use super::i18n::fill;
use super::{Chrome, Failure, html};
use crate::app::AppState;
use crate::console::api::seg;

/// The behaviour a completed profile records.
pub const EVENT_TYPE: &str = "profile_completed";
/// The genders the page offers (the API's, without `unknown`), with their label keys.
const GENDERS: [(&str, &str); 3] = [
    ("female", "profile.female"),
    ("male", "profile.male"),
    ("other", "profile.other"),
];
/// How old a page's id may be for its time to stand as the event's time.
const ID_TIME_WINDOW: Duration = Duration::hours(1);

/// A gender choice of the form.
pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "portal/profile.html")]
struct ProfilePage {
    chrome: Chrome,
    css: String,
    csrf: String,
    /// The id of the save's `profile_completed` event, generated with the page.
    event_id: String,
    action: String,
    name: String,
    birthday: String,
    /// A birthday once set is kept: birthday rewards would otherwise be had again by moving it.
    birthday_locked: bool,
    genders: Vec<Choice>,
    city: String,
    /// The bound phone number, masked ("138****0000").
    phone: Option<String>,
    /// The offer of the verified number the brand sent with the link, when it is not the bound
    /// one: "品牌已验证您的手机号 139****0001…".
    offer: Option<String>,
    phone_action: String,
    complete: bool,
    result: Option<String>,
    error: Option<String>,
}

/// The profile form (its CSRF token is checked by the guard).
#[derive(Debug, Default, Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    birthday: String,
    #[serde(default)]
    gender: String,
    #[serde(default)]
    city: String,
}

/// Whether the fields the page asks for are all filled: what "complete" means here.
pub fn is_complete(m: &jifen_store::Member) -> bool {
    let filled = |s: &Option<String>| s.as_deref().is_some_and(|s| !s.trim().is_empty());
    filled(&m.name) && m.birthday.is_some() && filled(&m.gender) && filled(&m.city)
}

/// A phone number as the page shows it: the middle digits hidden ("138****0000").
pub fn mask_phone(e164: &str) -> String {
    let national = e164.strip_prefix("+86").unwrap_or(e164);
    let chars: Vec<char> = national.chars().collect();
    if chars.len() < 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

/// `GET /portal/{program}/profile`.
pub async fn page(visit: Visit) -> Result<Response, Failure> {
    let form = ProfileForm {
        name: visit.member.name.clone().unwrap_or_default(),
        gender: visit.member.gender.clone().unwrap_or_default(),
        city: visit.member.city.clone().unwrap_or_default(),
        ..ProfileForm::default()
    };
    Ok(render(&visit, &visit.member, &form, None, None))
}

/// `POST /portal/{program}/profile`: saves the filled fields through `PUT /v1/members/{id}`
/// (an empty field keeps its value), then, when the profile is complete, sends the
/// `profile_completed` event. A refused save changes nothing and shows the form again with
/// what was typed and why.
pub async fn save(
    State(state): State<AppState>,
    visit: Visit,
    Form(form): Form<ProfileForm>,
) -> Result<Response, Failure> {
    if !crate::parse::could_be_id(&form.id) {
        return Err(Failure::Api(crate::error::ApiError::invalid(
            "id",
            "the page's id is missing or malformed: reload the page",
        )));
    }
    let mut body = Map::new();
    for (key, value) in [
        ("name", &form.name),
        ("gender", &form.gender),
        ("city", &form.city),
    ] {
        let value = value.trim();
        if !value.is_empty() {
            body.insert(key.into(), json!(value));
        }
    }
    let birthday = form.birthday.trim();
    if visit.member.birthday.is_none() && !birthday.is_empty() {
        body.insert("birthday".into(), json!(birthday));
    }
    let path = format!("/v1/members/{}", seg(&visit.member.external_id));
    if !body.is_empty()
        && let Err(f) = call_method(&state, &visit, Method::PUT, &path, Value::Object(body)).await
    {
        return match f {
            Failure::Answer(a) if a.status.is_client_error() => {
                let why = match a.field.as_deref() {
                    Some("birthday") => visit.t("profile.bad_birthday").to_owned(),
                    Some("name") | Some("city") => visit.t("profile.bad_text").to_owned(),
                    _ => fill(visit.t("profile.refused"), &[("why", &a.message)]),
                };
                let page = render(&visit, &visit.member, &form, None, Some(why));
                Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
            }
            other => Err(other),
        };
    }
    let member = state
        .store
        .get_member(&visit.program.id, &visit.member.external_id)
        .await?
        .ok_or(Failure::SessionExpired)?;
    let mut result = visit.t("profile.saved").to_owned();
    if is_complete(&member) && !completed_before(&state, &visit).await? {
        let now = state.clock.now();
        let answer = call(
            &state,
            &visit,
            "/v1/events",
            json!({
                "id": form.id,
                "type": EVENT_TYPE,
                "member": member.external_id,
                "occurred_at": id_time(&form.id, now).to_rfc3339(),
            }),
        )
        .await?;
        let points = answer["points"].as_i64().unwrap_or(0);
        if points > 0 {
            result = fill(
                visit.t("profile.earned"),
                &[("points", &points.to_string())],
            );
        }
    }
    let shown = ProfileForm {
        name: member.name.clone().unwrap_or_default(),
        gender: member.gender.clone().unwrap_or_default(),
        city: member.city.clone().unwrap_or_default(),
        ..ProfileForm::default()
    };
    Ok(render(&visit, &member, &shown, Some(result), None))
}

/// Whether the member has a `profile_completed` event already (sent by the portal or by the
/// brand): a save then sends none.
async fn completed_before(state: &AppState, visit: &Visit) -> Result<bool, Failure> {
    let start = visit.member.enrolled_at - Duration::days(36_500);
    let end = state.clock.now() + Duration::days(1);
    super::checkin::has_event(state, visit, EVENT_TYPE, start, end).await
}

/// The time of the page's id (`portal-<uuid v7>`), when it is within the last hour: the event's
/// time, so that a resend of the same form is the same event, and the API answers it as a
/// repeat of the first rather than a conflict. Else `now`.
pub fn id_time(id: &str, now: DateTime<Utc>) -> DateTime<Utc> {
    id.strip_prefix("portal-")
        .and_then(|u| uuid::Uuid::parse_str(u).ok())
        .and_then(|u| u.get_timestamp())
        .and_then(|ts| {
            let (secs, nanos) = ts.to_unix();
            DateTime::<Utc>::from_timestamp(i64::try_from(secs).ok()?, nanos)
        })
        .filter(|t| *t <= now && now - *t <= ID_TIME_WINDOW)
        .unwrap_or(now)
}

/// The verified number the session's link brought, unless it is bound to the member already.
fn offered(visit: &Visit, member: &jifen_store::Member) -> Option<String> {
    visit
        .offered_phone
        .clone()
        .filter(|p| member.phone.as_deref() != Some(p.as_str()))
}

/// `POST /portal/{program}/profile/phone`: binds the verified number the brand sent with the
/// session's link, through `PUT /v1/members/{id}` as the member. The form carries no number:
/// only the brand's can be bound. A number bound to another member is refused (the API's
/// `identity_taken`) and nothing changes.
pub async fn bind_phone(State(state): State<AppState>, visit: Visit) -> Result<Response, Failure> {
    let current = ProfileForm {
        name: visit.member.name.clone().unwrap_or_default(),
        gender: visit.member.gender.clone().unwrap_or_default(),
        city: visit.member.city.clone().unwrap_or_default(),
        ..ProfileForm::default()
    };
    let Some(phone) = offered(&visit, &visit.member) else {
        let why = visit.t("profile.no_phone_to_bind").to_owned();
        let page = render(&visit, &visit.member, &current, None, Some(why));
        return Ok((StatusCode::CONFLICT, page).into_response());
    };
    let path = format!("/v1/members/{}", seg(&visit.member.external_id));
    match call_method(&state, &visit, Method::PUT, &path, json!({"phone": phone})).await {
        Ok(_) => {}
        Err(Failure::Answer(a)) if a.status.is_client_error() => {
            let why = match a.code.as_str() {
                "identity_taken" => visit.t("profile.phone_taken").to_owned(),
                _ => fill(visit.t("profile.refused"), &[("why", &a.message)]),
            };
            let page = render(&visit, &visit.member, &current, None, Some(why));
            return Ok((StatusCode::CONFLICT, page).into_response());
        }
        Err(f) => return Err(f),
    }
    let member = state
        .store
        .get_member(&visit.program.id, &visit.member.external_id)
        .await?
        .ok_or(Failure::SessionExpired)?;
    let done = visit.t("profile.phone_bound_now").to_owned();
    Ok(render(&visit, &member, &current, Some(done), None))
}

fn render(
    visit: &Visit,
    member: &jifen_store::Member,
    form: &ProfileForm,
    result: Option<String>,
    error: Option<String>,
) -> Response {
    let chrome = visit.chrome("home", "profile");
    let birthday = match member.birthday {
        Some(d) => d.format("%Y-%m-%d").to_string(),
        None => form.birthday.clone(),
    };
    let page = ProfilePage {
        css: super::assets::css(),
        csrf: visit.csrf.clone(),
        event_id: format!("portal-{}", uuid::Uuid::now_v7()),
        action: format!("{}profile", chrome.base),
        name: form.name.clone(),
        birthday,
        birthday_locked: member.birthday.is_some(),
        genders: GENDERS
            .iter()
            .map(|&(value, key)| Choice {
                value,
                label: visit.t(key),
                selected: form.gender == *value,
            })
            .collect(),
        city: form.city.clone(),
        phone: member.phone.as_deref().map(mask_phone),
        offer: offered(visit, member).map(|p| {
            fill(
                visit.t("profile.phone_offer"),
                &[("phone", &mask_phone(&p))],
            )
        }),
        phone_action: format!("{}profile/phone", chrome.base),
        complete: is_complete(member),
        result,
        error,
        chrome,
    };
    html(&page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_masked() {
        assert_eq!(mask_phone("+8613800000000"), "138****0000");
        assert_eq!(mask_phone("+447700900123"), "+44****0123");
        assert_eq!(mask_phone("+1234"), "*****");
    }

    #[test]
    fn a_fresh_page_id_gives_its_time() {
        let now = Utc::now();
        let id = format!("portal-{}", uuid::Uuid::now_v7());
        let t = id_time(&id, now + Duration::seconds(5));
        assert!((now - t).num_seconds().abs() <= 1, "{t} {now}");
        // An old or foreign id stands for nothing: the event is now.
        let later = now + Duration::hours(2);
        assert_eq!(id_time(&id, later), later);
        assert_eq!(id_time("portal-x", now), now);
    }
}
