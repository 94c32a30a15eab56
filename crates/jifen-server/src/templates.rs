//! Ready programs: the files in `templates/` (built into the binary), loaded by
//! `jifen program create --template NAME`.

use serde::Deserialize;
use serde_json::Value;

use jifen_core::rewards::catalog::{RewardKind, RewardSpec};
use jifen_core::rewards::voucher::VoucherTemplate;
use jifen_core::rules::{CampaignSpec, RuleSpec, RuleStatus};
use std::collections::BTreeMap;

use jifen_core::tiers::{BenefitKind, MeterSpec, TierPolicy};
use jifen_core::{ExpiryPolicy, NegativeBalance, PointPolicy};
use jifen_store::Program;

use crate::app::AppState;
use crate::error::ApiError;
use crate::service::tiers::{METERS, SITES, SiteSpec, TIER_POLICY};
use crate::service::vouchers::{CHECKOUT, CheckoutSettings};

/// Every template: its name and its text.
pub const TEMPLATES: [(&str, &str); 11] = [
    (
        "taobao-points",
        include_str!("../../../templates/taobao-points.toml"),
    ),
    (
        "inoherb-checkin",
        include_str!("../../../templates/inoherb-checkin.toml"),
    ),
    (
        "wechat-behaviours",
        include_str!("../../../templates/wechat-behaviours.toml"),
    ),
    (
        "campaign-618",
        include_str!("../../../templates/campaign-618.toml"),
    ),
    (
        "alibaba-88",
        include_str!("../../../templates/alibaba-88.toml"),
    ),
    (
        "spend-tiers",
        include_str!("../../../templates/spend-tiers.toml"),
    ),
    (
        "tmall-voucher-ladder",
        include_str!("../../../templates/tmall-voucher-ladder.toml"),
    ),
    (
        "coffee-holiday-gifts",
        include_str!("../../../templates/coffee-holiday-gifts.toml"),
    ),
    (
        "referral-double-points",
        include_str!("../../../templates/referral-double-points.toml"),
    ),
    (
        "alipay-badges",
        include_str!("../../../templates/alipay-badges.toml"),
    ),
    (
        "cny-challenge-leaderboard",
        include_str!("../../../templates/cny-challenge-leaderboard.toml"),
    ),
];

/// A template as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default = "shanghai")]
    pub timezone: String,
    #[serde(default = "cny")]
    pub currency: String,
    #[serde(default)]
    pub policy: PolicyIn,
    #[serde(default)]
    pub campaigns: Vec<toml::Table>,
    #[serde(default)]
    pub rules: Vec<toml::Table>,
    #[serde(default)]
    pub sites: Vec<SiteSpec>,
    /// Meters by name.
    #[serde(default)]
    pub meters: BTreeMap<String, MeterSpec>,
    #[serde(default)]
    pub tier_policy: Option<TierPolicy>,
    #[serde(default)]
    pub partners: Vec<PartnerIn>,
    /// Voucher templates by id.
    #[serde(default)]
    pub voucher_templates: BTreeMap<String, VoucherTemplate>,
    /// Catalog items by id.
    #[serde(default)]
    pub rewards: BTreeMap<String, RewardSpec>,
    #[serde(default)]
    pub checkout: Option<CheckoutSettings>,
    /// The referral program (`PUT /v1/referral-program`).
    #[serde(default)]
    pub referrals: Option<jifen_core::referrals::ReferralSettings>,
    /// Badges by id (`PUT /v1/badges/{id}`).
    #[serde(default)]
    pub badges: BTreeMap<String, jifen_core::badges::BadgeSpec>,
    /// Challenges by id (`PUT /v1/challenges/{id}`).
    #[serde(default)]
    pub challenges: BTreeMap<String, jifen_core::challenges::ChallengeSpec>,
    /// Leaderboards by id (`PUT /v1/leaderboards/{id}`); a period is a window, not a campaign.
    #[serde(default)]
    pub leaderboards: BTreeMap<String, jifen_core::leaderboards::LeaderboardSpec>,
}

/// A partner of a template (its keys are created through the API).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartnerIn {
    pub id: String,
    pub name: String,
    pub identity_kind: String,
}

fn shanghai() -> String {
    "Asia/Shanghai".into()
}

fn cny() -> String {
    "CNY".into()
}

/// A policy; absent fields keep the defaults.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyIn {
    pub points_per_yuan: Option<i64>,
    pub pending_days: Option<u32>,
    pub expiry: Option<ExpiryPolicy>,
    pub negative_balance: Option<NegativeBalance>,
}

/// A template ready to apply: its policy, campaigns and rules checked.
#[derive(Debug)]
pub struct Loaded {
    pub template: Template,
    pub policy: PointPolicy,
    pub campaigns: Vec<(String, CampaignSpec)>,
    pub rules: Vec<(String, RuleSpec)>,
}

/// The names of every template.
pub fn names() -> Vec<&'static str> {
    TEMPLATES.iter().map(|(n, _)| *n).collect()
}

/// Reads and checks a template by name.
pub fn load(name: &str) -> anyhow::Result<Loaded> {
    let text = TEMPLATES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .ok_or_else(|| anyhow::anyhow!("no template {name}; templates: {}", names().join(", ")))?;
    parse(name, text)
}

/// Parses a template's text, checking every campaign and rule as the API would.
pub fn parse(name: &str, text: &str) -> anyhow::Result<Loaded> {
    let template: Template =
        toml::from_str(text).map_err(|e| anyhow::anyhow!("template {name}: {e}"))?;
    let d = PointPolicy::default();
    let p = &template.policy;
    let policy = PointPolicy {
        points_per_yuan: p.points_per_yuan.unwrap_or(d.points_per_yuan),
        pending_days: p.pending_days.unwrap_or(d.pending_days),
        expiry: p.expiry.unwrap_or(d.expiry),
        negative_balance: p.negative_balance.unwrap_or(d.negative_balance),
    };
    policy
        .validate()
        .map_err(|e| anyhow::anyhow!("template {name}: policy: {e}"))?;
    let mut campaigns = Vec::new();
    for (i, table) in template.campaigns.iter().enumerate() {
        let (id, value) = split_id(table, &format!("campaigns[{i}]"))?;
        let spec: CampaignSpec = serde_json::from_value(value)
            .map_err(|e| anyhow::anyhow!("template {name}: campaign {id}: {e}"))?;
        jifen_core::rules::validate_campaign(&id, &spec)
            .map_err(|e| anyhow::anyhow!("template {name}: campaign {id}: {e}"))?;
        campaigns.push((id, spec));
    }
    let mut rules = Vec::new();
    for (i, table) in template.rules.iter().enumerate() {
        let (id, value) = split_id(table, &format!("rules[{i}]"))?;
        let spec: RuleSpec = serde_json::from_value(value)
            .map_err(|e| anyhow::anyhow!("template {name}: rule {id}: {e}"))?;
        jifen_core::rules::Rule::compile(
            &id,
            1,
            RuleStatus::Active,
            spec.clone(),
            chrono::Utc::now(),
            None,
        )
        .map_err(|e| anyhow::anyhow!("template {name}: rule {id}: {e}"))?;
        if let Some(c) = &spec.campaign {
            anyhow::ensure!(
                campaigns.iter().any(|(k, _)| k == c),
                "template {name}: rule {id}: campaign {c} is not in the template"
            );
        }
        rules.push((id, spec));
    }
    for (meter, spec) in &template.meters {
        spec.validate(meter, &template.meters)
            .map_err(|e| anyhow::anyhow!("template {name}: meter {meter}: {e}"))?;
    }
    if let Some(p) = &template.tier_policy {
        p.validate()
            .map_err(|e| anyhow::anyhow!("template {name}: tier_policy: {e}"))?;
    }
    for (id, t) in &template.voucher_templates {
        t.validate().map_err(|(f, m)| {
            anyhow::anyhow!("template {name}: voucher template {id}: {f}: {m}")
        })?;
    }
    for (id, r) in &template.rewards {
        r.validate()
            .map_err(|(f, m)| anyhow::anyhow!("template {name}: reward {id}: {f}: {m}"))?;
        if let RewardKind::Voucher { template: v } = &r.kind {
            anyhow::ensure!(
                template.voucher_templates.contains_key(v),
                "template {name}: reward {id}: voucher template {v} is not in the template"
            );
        }
    }
    let mut named: Vec<(String, &str)> = rules
        .iter()
        .flat_map(|(id, spec)| {
            spec.effects.iter().filter_map(move |e| match e {
                jifen_core::rules::Effect::IssueVoucher { template } => {
                    Some((format!("rule {id}"), template.as_str()))
                }
                _ => None,
            })
        })
        .collect();
    if let Some(p) = &template.tier_policy {
        for tier in &p.tiers {
            for b in &tier.benefits {
                if let BenefitKind::UpgradeGift { gift }
                | BenefitKind::BirthdayGift { gift }
                | BenefitKind::PeriodicGift { gift, .. } = &b.kind
                    && let Some(v) = &gift.voucher
                {
                    named.push((format!("benefit {}", b.id), v.as_str()));
                }
            }
        }
    }
    for (id, b) in &template.badges {
        jifen_core::badges::Badge::compile(id, b.clone()).map_err(|e| {
            anyhow::anyhow!("template {name}: badge {id}: {}: {}", e.field, e.message)
        })?;
        for (i, l) in b.levels.iter().enumerate() {
            if let Some(v) = l.reward.as_ref().and_then(|r| r.voucher.as_deref()) {
                named.push((format!("badge {id} level {}", i + 1), v));
            }
        }
    }
    let badge_named = |by: String, badge: Option<&String>| -> anyhow::Result<()> {
        if let Some(b) = badge {
            anyhow::ensure!(
                template.badges.contains_key(b),
                "template {name}: {by}: badge {b} is not in the template"
            );
        }
        Ok(())
    };
    for (id, c) in &template.challenges {
        c.check().map_err(|e| {
            anyhow::anyhow!(
                "template {name}: challenge {id}: {}: {}",
                e.field,
                e.message
            )
        })?;
        for r in c.steps.iter().map(|s| &s.reward).chain(c.reward.as_ref()) {
            badge_named(format!("challenge {id}"), r.badge.as_ref())?;
            if let Some(v) = r.voucher.as_deref() {
                named.push((format!("challenge {id}"), v));
            }
        }
    }
    for (id, l) in &template.leaderboards {
        anyhow::ensure!(
            !matches!(
                l.period,
                jifen_core::leaderboards::PeriodSpec::Campaign { .. }
            ),
            "template {name}: leaderboard {id}: give the period as a window"
        );
        l.check().map_err(|e| {
            anyhow::anyhow!(
                "template {name}: leaderboard {id}: {}: {}",
                e.field,
                e.message
            )
        })?;
        for p in l.contest.iter().flat_map(|c| &c.prizes) {
            badge_named(format!("leaderboard {id}"), p.badge.as_ref())?;
            if let Some(v) = p.voucher.as_deref() {
                named.push((format!("leaderboard {id}"), v));
            }
        }
    }
    for (by, v) in named {
        anyhow::ensure!(
            template
                .voucher_templates
                .get(v)
                .is_some_and(|t| !t.automatic),
            "template {name}: {by}: voucher template {v} is not in the template (or is automatic)"
        );
    }
    if let Some(c) = &template.checkout {
        c.validate()
            .map_err(|e| anyhow::anyhow!("template {name}: checkout: {e}"))?;
    }
    if let Some(r) = &template.referrals {
        r.check()
            .map_err(|(f, m)| anyhow::anyhow!("template {name}: referrals.{f}: {m}"))?;
        for v in [&r.friend_reward, &r.referrer_reward]
            .into_iter()
            .filter_map(|w| w.voucher_template.as_deref())
        {
            anyhow::ensure!(
                template.voucher_templates.contains_key(v),
                "template {name}: referrals: voucher template {v} is not in the template"
            );
        }
    }
    Ok(Loaded {
        template,
        policy,
        campaigns,
        rules,
    })
}

/// A table's `id`, and the rest as JSON.
fn split_id(table: &toml::Table, at: &str) -> anyhow::Result<(String, Value)> {
    let mut table = table.clone();
    let id = match table.remove("id") {
        Some(toml::Value::String(id)) => id,
        _ => anyhow::bail!("{at} needs an id"),
    };
    Ok((id, serde_json::to_value(table)?))
}

/// Gives a new program a template's policy, campaigns, rules (live from now), sites, meters
/// and tier policy.
pub async fn apply(
    state: &AppState,
    program: &mut Program,
    loaded: &Loaded,
) -> Result<(), ApiError> {
    state
        .store
        .update_policy(&program.id, &loaded.policy)
        .await?;
    program.policy = loaded.policy;
    let t = &loaded.template;
    for (id, v) in &t.voucher_templates {
        let text = serde_json::to_string(v).map_err(|_| ApiError::Internal)?;
        let mut tx = state.store.begin_write().await?;
        tx.save_voucher_template(&program.id, id, &text, v.automatic, state.clock.now())
            .await?;
        tx.commit().await?;
    }
    for (id, r) in &t.rewards {
        let text = serde_json::to_string(r).map_err(|_| ApiError::Internal)?;
        let mut tx = state.store.begin_write().await?;
        tx.save_reward(&program.id, id, &text, r.stock, state.clock.now())
            .await?;
        tx.commit().await?;
    }
    let now = state.clock.now();
    for (id, b) in &t.badges {
        let row = jifen_store::BadgeRow {
            id: id.clone(),
            spec: serde_json::to_string(b).map_err(|_| ApiError::Internal)?,
            status: b.status.as_str().to_owned(),
            created_at: now,
            updated_at: now,
        };
        let mut tx = state.store.begin_write().await?;
        tx.save_badge(&program.id, &row).await?;
        tx.commit().await?;
    }
    for (id, c) in &t.challenges {
        let row = jifen_store::ChallengeRow {
            id: id.clone(),
            spec: serde_json::to_string(c).map_err(|_| ApiError::Internal)?,
            status: c.status.as_str().to_owned(),
            created_at: now,
            updated_at: now,
        };
        let mut tx = state.store.begin_write().await?;
        tx.save_challenge(&program.id, &row).await?;
        tx.commit().await?;
    }
    for (id, l) in &t.leaderboards {
        let text = serde_json::to_string(l).map_err(|_| ApiError::Internal)?;
        state
            .store
            .save_leaderboard(&program.id, id, &text, now)
            .await?;
    }
    for (id, spec) in &loaded.campaigns {
        let text = serde_json::to_string(spec).map_err(|_| ApiError::Internal)?;
        let mut tx = state.store.begin_write().await?;
        tx.save_campaign(&program.id, id, &text, state.clock.now())
            .await?;
        tx.commit().await?;
    }
    for (id, spec) in &loaded.rules {
        crate::service::rules::save_rule(
            state,
            program,
            id,
            Some(spec.clone()),
            RuleStatus::Active,
        )
        .await?;
    }
    let mut settings = Vec::new();
    if let Some(c) = &t.checkout {
        settings.push((CHECKOUT, serde_json::to_string(c)));
    }
    if let Some(r) = &t.referrals {
        settings.push((crate::service::referrals::SETTING, serde_json::to_string(r)));
    }
    if !t.sites.is_empty() {
        settings.push((SITES, serde_json::to_string(&t.sites)));
    }
    if !t.meters.is_empty() {
        settings.push((METERS, serde_json::to_string(&t.meters)));
    }
    if let Some(p) = &t.tier_policy {
        settings.push((TIER_POLICY, serde_json::to_string(p)));
    }
    for p in &t.partners {
        let record = jifen_store::PartnerRecord {
            id: p.id.clone(),
            name: p.name.clone(),
            site: format!("partner:{}", p.id),
            identity_kind: p.identity_kind.clone(),
            created_at: state.clock.now(),
        };
        let mut tx = state.store.begin_write().await?;
        tx.save_partner(&program.id, &record).await?;
        tx.commit().await?;
    }
    for (name, body) in settings {
        let body = body.map_err(|_| ApiError::Internal)?;
        let mut tx = state.store.begin_write().await?;
        tx.save_setting(&program.id, name, &body, state.clock.now())
            .await?;
        tx.commit().await?;
    }
    Ok(())
}
