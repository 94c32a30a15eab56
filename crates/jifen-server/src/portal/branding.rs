//! The portal's look per program — brand name, main colour, logo — and whether guests may
//! enrol: the `portal` object of the program's settings, read and set with `/v1/program`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use jifen_store::Program;

use crate::app::AppState;
use crate::error::ApiError;

/// The colour of a program that chose none.
pub const DEFAULT_COLOUR: &str = "#C8102E";
/// The longest brand name.
pub const MAX_BRAND_NAME: usize = 40;
/// The longest logo address.
pub const MAX_LOGO_URL: usize = 500;

/// The member portal's settings of a program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PortalSettings {
    /// The name the portal shows; the program's name when empty.
    #[schema(example = "百雀羚")]
    pub brand_name: String,
    /// The main colour, `#RRGGBB`.
    #[schema(example = "#C8102E")]
    pub colour: String,
    /// The logo's address (`https://…` or a `/media/…` path of this server).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
    /// Whether a friend without membership may enrol from the portal (claiming a gift).
    pub guests_may_enrol: bool,
}

impl Default for PortalSettings {
    fn default() -> Self {
        PortalSettings {
            brand_name: String::new(),
            colour: DEFAULT_COLOUR.into(),
            logo_url: None,
            guests_may_enrol: false,
        }
    }
}

/// A change to the portal's settings; absent fields stay as they are, `logo_url: null` removes
/// the logo.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PortalPatch {
    pub brand_name: Option<String>,
    /// `#RRGGBB`.
    pub colour: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable)]
    pub logo_url: Option<Option<String>>,
    pub guests_may_enrol: Option<bool>,
}

/// A field that may be absent (`None`), `null` (`Some(None)`) or a value.
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Whether `s` is a colour `#RRGGBB` (six hex digits, nothing else).
pub fn is_colour(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s.bytes().skip(1).all(|b| b.is_ascii_hexdigit())
}

impl PortalSettings {
    /// The program's settings, or the defaults (a stored document that does not read is logged
    /// and replaced by the defaults: it was checked when saved).
    pub async fn read(state: &AppState, program_id: &str) -> Result<PortalSettings, ApiError> {
        Ok(match state.store.portal_settings(program_id).await? {
            None => PortalSettings::default(),
            Some(text) => serde_json::from_str(&text).unwrap_or_else(|e| {
                tracing::error!(program = %program_id, error = %e, "unreadable portal settings");
                PortalSettings::default()
            }),
        })
    }

    /// The settings with a patch applied, checked field by field (`portal.colour` …).
    pub fn apply(mut self, patch: PortalPatch) -> Result<PortalSettings, ApiError> {
        if let Some(name) = patch.brand_name {
            let name = name.trim().to_owned();
            if name.chars().count() > MAX_BRAND_NAME || name.chars().any(char::is_control) {
                return Err(ApiError::invalid(
                    "portal.brand_name",
                    format!("at most {MAX_BRAND_NAME} characters, without control characters"),
                ));
            }
            self.brand_name = name;
        }
        if let Some(colour) = patch.colour {
            if !is_colour(&colour) {
                return Err(ApiError::invalid(
                    "portal.colour",
                    "a colour `#RRGGBB` (six hexadecimal digits) is expected",
                ));
            }
            self.colour = colour.to_ascii_uppercase();
        }
        if let Some(logo) = patch.logo_url {
            if let Some(url) = &logo {
                let safe = url.len() <= MAX_LOGO_URL
                    && (url.starts_with("https://") || url.starts_with("/media/"))
                    && !url
                        .chars()
                        .any(|c| c.is_whitespace() || c.is_control() || "\"'<>\\`".contains(c));
                if !safe {
                    return Err(ApiError::invalid(
                        "portal.logo_url",
                        format!(
                            "an https:// address or a /media/ path of at most {MAX_LOGO_URL} \
                             characters, without spaces or quotes"
                        ),
                    ));
                }
            }
            self.logo_url = logo;
        }
        if let Some(g) = patch.guests_may_enrol {
            self.guests_may_enrol = g;
        }
        Ok(self)
    }

    /// Stores the settings for the program.
    pub async fn save(&self, state: &AppState, program_id: &str) -> Result<(), ApiError> {
        let text = serde_json::to_string(self).map_err(|_| ApiError::Internal)?;
        state.store.set_portal_settings(program_id, &text).await?;
        Ok(())
    }
}

/// What the portal's pages show of a program's look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branding {
    pub name: String,
    /// `#RRGGBB`, checked when saved (and again here): safe inside a `style` attribute.
    pub colour: String,
    pub logo_url: Option<String>,
}

impl Default for Branding {
    fn default() -> Self {
        Branding {
            name: String::new(),
            colour: DEFAULT_COLOUR.into(),
            logo_url: None,
        }
    }
}

impl Branding {
    /// The program's look.
    pub async fn of(state: &AppState, program: &Program) -> Result<Branding, ApiError> {
        let s = PortalSettings::read(state, &program.id).await?;
        Ok(Branding {
            name: if s.brand_name.is_empty() {
                program.name.clone()
            } else {
                s.brand_name
            },
            colour: if is_colour(&s.colour) {
                s.colour
            } else {
                DEFAULT_COLOUR.into()
            },
            logo_url: s.logo_url,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_six_hex_digits() {
        assert!(is_colour("#C8102E") && is_colour("#00ff7a"));
        for bad in [
            "C8102E", "#C8102", "#C8102EE", "#G8102E", "#c81 2e", "red", "#C8102E;",
        ] {
            assert!(!is_colour(bad), "{bad}");
        }
    }

    #[test]
    fn a_patch_is_checked_field_by_field() {
        let s = PortalSettings::default()
            .apply(PortalPatch {
                brand_name: Some(" 百雀羚 ".into()),
                colour: Some("#00ff7a".into()),
                logo_url: Some(Some("https://cdn.example.cn/logo.png".into())),
                guests_may_enrol: Some(true),
            })
            .expect("valid");
        assert_eq!(s.brand_name, "百雀羚");
        assert_eq!(s.colour, "#00FF7A");
        assert!(s.guests_may_enrol);
        let field = |p: PortalPatch| match PortalSettings::default().apply(p) {
            Err(ApiError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field(PortalPatch {
                colour: Some("red".into()),
                ..Default::default()
            }),
            "portal.colour"
        );
        assert_eq!(
            field(PortalPatch {
                logo_url: Some(Some("javascript:alert(1)".into())),
                ..Default::default()
            }),
            "portal.logo_url"
        );
        let cleared = s
            .apply(PortalPatch {
                logo_url: Some(None),
                ..Default::default()
            })
            .expect("valid");
        assert_eq!(cleared.logo_url, None);
    }
}
