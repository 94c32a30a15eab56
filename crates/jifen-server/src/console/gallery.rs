//! The templates gallery: every ready program of `templates/` with what it sets up, and a
//! form that creates a program from one, exactly as `jifen program create --template` does.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;

use jifen_store::console::Role;

use crate::app::AppState;
use crate::console::auth::{self, Perm, Session};
use crate::console::i18n::Lang;
use crate::console::{Chrome, Failure, Route, Toast, html};

pub fn routes() -> Vec<Route> {
    vec![
        Route::new(Method::GET, "/console/templates", Perm::View, get(page)),
        Route::new(
            Method::POST,
            "/console/templates/{name}/create",
            Perm::Configure,
            post(create),
        ),
    ]
}

/// What a template sets up, in one group: a label key, how many, and their names.
pub struct Part {
    pub label: &'static str,
    pub names: Vec<String>,
}

pub struct Card {
    /// The template's file name (`alibaba-88`).
    pub key: String,
    pub title: String,
    pub description: String,
    pub timezone: String,
    pub currency: String,
    pub points_per_yuan: i64,
    pub parts: Vec<Part>,
}

#[derive(Template)]
#[template(path = "console/gallery.html")]
struct GalleryPage {
    chrome: Chrome,
    cards: Vec<Card>,
}

/// A localized text in the operator's language, else in any.
fn localized(texts: &jifen_core::rewards::Localized, lang: Lang) -> String {
    let code = lang.code();
    texts
        .get(code)
        .or_else(|| {
            texts
                .iter()
                .find(|(k, _)| k.starts_with(&code[..2]))
                .map(|(_, v)| v)
        })
        .or_else(|| texts.values().next())
        .cloned()
        .unwrap_or_default()
}

/// Every template as a card, read from the template itself.
pub fn cards(lang: Lang) -> Vec<Card> {
    let mut out = Vec::new();
    for name in crate::templates::names() {
        let Ok(loaded) = crate::templates::load(name) else {
            continue;
        };
        let t = &loaded.template;
        let mut parts = vec![
            Part {
                label: "gallery.rules",
                names: loaded.rules.iter().map(|(_, r)| r.name.clone()).collect(),
            },
            Part {
                label: "gallery.campaigns",
                names: loaded
                    .campaigns
                    .iter()
                    .map(|(_, c)| c.name.clone())
                    .collect(),
            },
            Part {
                label: "gallery.tiers",
                names: t
                    .tier_policy
                    .as_ref()
                    .map(|p| p.tiers.iter().map(|x| x.name.clone()).collect())
                    .unwrap_or_default(),
            },
            Part {
                label: "gallery.meters",
                names: t.meters.keys().cloned().collect(),
            },
            Part {
                label: "gallery.rewards",
                names: t
                    .rewards
                    .values()
                    .map(|r| localized(&r.title, lang))
                    .collect(),
            },
            Part {
                label: "gallery.voucher_templates",
                names: t
                    .voucher_templates
                    .values()
                    .map(|v| localized(&v.title, lang))
                    .collect(),
            },
            Part {
                label: "gallery.sites",
                names: t.sites.iter().map(|s| s.id.clone()).collect(),
            },
            Part {
                label: "gallery.partners",
                names: t.partners.iter().map(|p| p.name.clone()).collect(),
            },
        ];
        if t.checkout.is_some() {
            parts.push(Part {
                label: "gallery.checkout",
                names: Vec::new(),
            });
        }
        parts.retain(|p| !p.names.is_empty() || p.label == "gallery.checkout");
        out.push(Card {
            key: name.to_owned(),
            title: t.name.clone(),
            description: t.description.trim().to_owned(),
            timezone: t.timezone.clone(),
            currency: t.currency.clone(),
            points_per_yuan: loaded.policy.points_per_yuan,
            parts,
        });
    }
    out
}

async fn page(State(_state): State<AppState>, session: Session) -> Result<Response, Failure> {
    render(&session, None)
}

fn render(session: &Session, toast: Option<Toast>) -> Result<Response, Failure> {
    Ok(html(&GalleryPage {
        chrome: Chrome::new(session, "templates", "/console/templates").with_toast(toast),
        cards: cards(session.lang),
    }))
}

#[derive(Deserialize)]
struct CreateForm {
    /// The new program's name; the template's when empty.
    #[serde(default)]
    program_name: String,
}

/// Creates a program from a template (with the template's policy, rules, campaigns, tiers,
/// rewards…), makes the operator its owner and switches the session to it.
async fn create(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path(name): Path<String>,
    Form(form): Form<CreateForm>,
) -> Result<Response, Failure> {
    if !crate::templates::names().contains(&name.as_str()) {
        return Err(Failure::NotFound);
    }
    let program_name = form.program_name.trim();
    if program_name.chars().count() > 200 {
        return render(
            &session,
            Some(Toast::error(session.lang.t("gallery.name_too_long"))),
        );
    }
    let program_name = (!program_name.is_empty()).then_some(program_name);
    let created = crate::serve::create_program_from_template(
        state.store.clone(),
        state.clock.clone(),
        &name,
        program_name,
    )
    .await;
    let program = match created {
        Ok((program, _first_key)) => program,
        Err(e) => {
            tracing::warn!(template = %name, error = %e, "console: program from template failed");
            return render(
                &session,
                Some(Toast::error(format!(
                    "{}: {e}",
                    session.lang.t("gallery.failed")
                ))),
            );
        }
    };
    state
        .store
        .set_role(
            &session.operator.id,
            &program.id,
            Some(Role::Owner),
            state.clock.now(),
        )
        .await?;
    state
        .store
        .set_session_program(&session.secret_hash, &program.id)
        .await?;
    Ok(auth::redirect(&headers, "/console?created=1"))
}

pub const ZH: &[(&str, &str)] = &[
    ("gallery.title", "模板库"),
    (
        "gallery.intro",
        "每个模板都是一套现成的会员方案。选择一个模板创建新项目，您将成为新项目的所有者，随后可在控制台中调整各项设置。",
    ),
    ("gallery.policy", "积分政策"),
    ("gallery.per_yuan", "每消费 1 元得积分"),
    ("gallery.timezone", "时区"),
    ("gallery.currency", "币种"),
    ("gallery.rules", "规则"),
    ("gallery.campaigns", "活动"),
    ("gallery.tiers", "会员等级"),
    ("gallery.meters", "计量指标"),
    ("gallery.rewards", "兑换商品"),
    ("gallery.voucher_templates", "优惠券模板"),
    ("gallery.sites", "站点"),
    ("gallery.partners", "合作伙伴"),
    ("gallery.checkout", "积分抵现设置"),
    ("gallery.program_name", "新项目名称（留空则使用模板名称）"),
    ("gallery.create", "用此模板创建项目"),
    ("gallery.no_permission", "只有所有者和运营人员可以创建项目"),
    ("gallery.failed", "创建项目失败"),
    ("gallery.name_too_long", "项目名称最多 200 个字符"),
    ("gallery.created", "项目已创建，您是它的所有者"),
];

pub const EN: &[(&str, &str)] = &[
    ("gallery.title", "Templates"),
    (
        "gallery.intro",
        "Each template is a ready loyalty program. Create a program from one: you become its owner, and can change everything afterwards in the console.",
    ),
    ("gallery.policy", "Point policy"),
    ("gallery.per_yuan", "Points per yuan spent"),
    ("gallery.timezone", "Time zone"),
    ("gallery.currency", "Currency"),
    ("gallery.rules", "Rules"),
    ("gallery.campaigns", "Campaigns"),
    ("gallery.tiers", "Tiers"),
    ("gallery.meters", "Meters"),
    ("gallery.rewards", "Rewards"),
    ("gallery.voucher_templates", "Voucher templates"),
    ("gallery.sites", "Sites"),
    ("gallery.partners", "Partners"),
    ("gallery.checkout", "Points at checkout"),
    (
        "gallery.program_name",
        "New program's name (empty: the template's)",
    ),
    ("gallery.create", "Create a program from it"),
    (
        "gallery.no_permission",
        "Only owners and marketers create programs",
    ),
    ("gallery.failed", "The program could not be created"),
    (
        "gallery.name_too_long",
        "A program's name has at most 200 characters",
    ),
    ("gallery.created", "Program created; you are its owner"),
];
