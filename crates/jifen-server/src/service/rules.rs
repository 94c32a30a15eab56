//! A program's rules: saved as versions, compiled once per revision and shared by every request
//! of the node until a change bumps the revision.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use jifen_core::rules::{CampaignSpec, Campaigns, Rule, RuleSet, RuleSpec, RuleStatus};
use jifen_store::{CampaignRecord, EventTypeRecord, Program, RuleVersion, WriteTx};

use super::Failure;

/// Compiled rule sets by program, with the revision they were built from.
#[derive(Default)]
pub struct RuleCache {
    sets: Mutex<HashMap<String, Cached>>,
}

struct Cached {
    rev: i64,
    points_per_yuan: i64,
    set: Arc<Compiled>,
}

/// A program's rules, declared event types and tier settings, compiled.
pub struct Compiled {
    pub rules: Arc<RuleSet>,
    /// Declared event types with the validators of their attributes.
    pub types: HashMap<String, Arc<jsonschema::Validator>>,
    /// Meters, sites and the tier policy.
    pub settings: Arc<super::tiers::TierSettings>,
}

impl Compiled {
    pub fn new(
        program: &Program,
        versions: Vec<RuleVersion>,
        campaigns: &[CampaignRecord],
        types: &[EventTypeRecord],
        settings: Arc<super::tiers::TierSettings>,
    ) -> Compiled {
        Compiled {
            settings,
            rules: Arc::new(build(program, versions, campaigns)),
            types: types
                .iter()
                .filter_map(|t| {
                    let schema: serde_json::Value = serde_json::from_str(&t.schema).ok()?;
                    jsonschema::validator_for(&schema)
                        .map_err(|e| tracing::error!(event_type = %t.name, error = %e, "stored schema does not compile"))
                        .ok()
                        .map(|v| (t.name.clone(), Arc::new(v)))
                })
                .collect(),
        }
    }

    /// Checks a declared event type's attributes: the first error, with the attribute's path.
    pub fn check_attributes(
        &self,
        type_name: &str,
        attributes: &serde_json::Value,
        prefix: &str,
    ) -> Result<(), crate::error::ApiError> {
        let Some(validator) = self.types.get(type_name) else {
            return Err(crate::error::ApiError::UnknownEventType(
                type_name.to_owned(),
            ));
        };
        match validator.iter_errors(attributes).next() {
            None => Ok(()),
            Some(e) => {
                let path = e.instance_path().to_string();
                let field: String = path
                    .split('/')
                    .filter(|s| !s.is_empty())
                    .map(|s| {
                        if s.chars().all(|c| c.is_ascii_digit()) {
                            format!("[{s}]")
                        } else {
                            format!(".{s}")
                        }
                    })
                    .collect();
                Err(crate::error::ApiError::invalid(
                    format!("{prefix}attributes{field}"),
                    format!("attributes{field}: {e}"),
                ))
            }
        }
    }
}

impl RuleCache {
    fn get(&self, program: &Program, rev: i64) -> Option<Arc<Compiled>> {
        let sets = self.sets.lock().unwrap_or_else(|e| e.into_inner());
        sets.get(&program.id)
            .filter(|c| c.rev == rev && c.points_per_yuan == program.policy.points_per_yuan)
            .map(|c| c.set.clone())
    }

    fn put(&self, program: &Program, rev: i64, set: Arc<Compiled>) {
        let mut sets = self.sets.lock().unwrap_or_else(|e| e.into_inner());
        sets.insert(
            program.id.clone(),
            Cached {
                rev,
                points_per_yuan: program.policy.points_per_yuan,
                set,
            },
        );
    }
}

/// The program's rules and event types as of this transaction: from the cache when its
/// revision is current, else loaded and compiled.
pub async fn rules_in_tx(
    cache: &RuleCache,
    tx: &mut Box<dyn WriteTx>,
    program: &Program,
) -> Result<Arc<Compiled>, Failure> {
    let rev = tx.rules_rev(&program.id).await?;
    if let Some(set) = cache.get(program, rev) {
        return Ok(set);
    }
    let versions = tx.rule_versions(&program.id).await?;
    let campaigns = tx.campaigns(&program.id).await?;
    let types = tx.event_types(&program.id).await?;
    let settings = Arc::new(super::tiers::TierSettings::in_tx(tx, &program.id).await?);
    let set = Arc::new(Compiled::new(
        program, versions, &campaigns, &types, settings,
    ));
    cache.put(program, rev, set.clone());
    Ok(set)
}

/// A rule set from stored versions and campaigns. A stored version that no longer compiles
/// (it did when saved) is left out and logged.
pub fn build(
    program: &Program,
    versions: Vec<RuleVersion>,
    campaigns: &[CampaignRecord],
) -> RuleSet {
    let rules = versions
        .into_iter()
        .filter_map(|v| match compile_stored(&v) {
            Ok(rule) => Some(rule),
            Err(e) => {
                tracing::error!(rule = %v.id, version = v.version, error = %e, "stored rule does not compile");
                None
            }
        })
        .collect();
    RuleSet::new(
        rules,
        &campaign_map(campaigns),
        program.policy.points_per_yuan,
    )
}

pub fn campaign_map(campaigns: &[CampaignRecord]) -> Campaigns {
    campaigns
        .iter()
        .filter_map(|c| {
            serde_json::from_str::<CampaignSpec>(&c.spec)
                .map(|spec| (c.id.clone(), Arc::new(spec)))
                .map_err(|e| tracing::error!(campaign = %c.id, error = %e, "unreadable campaign"))
                .ok()
        })
        .collect()
}

/// Compiles one stored version.
pub fn compile_stored(v: &RuleVersion) -> Result<Rule, String> {
    let spec: RuleSpec = serde_json::from_str(&v.spec).map_err(|e| e.to_string())?;
    let status = RuleStatus::parse(&v.status).ok_or_else(|| format!("status {}", v.status))?;
    Rule::compile(&v.id, v.version, status, spec, v.live_from, v.live_until)
        .map_err(|e| e.to_string())
}

/// Where a save leaves a rule.
pub struct Saved {
    pub version: RuleVersion,
    /// The rule did not exist before.
    pub created: bool,
    /// A new version was written (false when the request matched the current version).
    pub changed: bool,
}

/// Saves a rule as a new version live from now, or changes its status (pause, resume,
/// archive) as a new version of the same spec. An archived rule is never changed again.
pub async fn save_rule(
    state: &crate::app::AppState,
    program: &Program,
    id: &str,
    spec: Option<RuleSpec>,
    status: RuleStatus,
) -> Result<Saved, crate::error::ApiError> {
    use crate::error::ApiError;
    use chrono::SubsecRound;
    super::with_retries(|| async {
        // Live from the start of the second it was saved: events stamped to the second (as
        // most systems send them) right after a save are judged by it.
        let now = state.clock.now().trunc_subsecs(0);
        let mut tx = state.store.begin_write().await?;
        let versions = tx.rule_versions(&program.id).await?;
        let current = versions.iter().rfind(|v| v.id == id).cloned();
        if current.as_ref().is_some_and(|v| v.status == "archived") {
            return Err(ApiError::RuleArchived(id.to_owned()).into());
        }
        let spec = match (spec.clone(), &current) {
            (Some(spec), _) => spec,
            (None, Some(v)) => serde_json::from_str(&v.spec).map_err(|_| ApiError::Internal)?,
            (None, None) => return Err(ApiError::RuleNotFound(id.to_owned()).into()),
        };
        // Compile before anything is written: a bad rule is a 422 naming the field.
        Rule::compile(id, 1, status, spec.clone(), now, None).map_err(|e| ApiError::rule("", e))?;
        if let Some(c) = &spec.campaign {
            let campaigns = tx.campaigns(&program.id).await?;
            if !campaigns.iter().any(|k| &k.id == c) {
                return Err(ApiError::invalid(
                    "campaign",
                    format!("campaign {c} does not exist: create it with PUT /v1/campaigns/{c}"),
                )
                .into());
            }
        }
        let templates: Vec<(String, &str)> = spec
            .effects
            .iter()
            .enumerate()
            .filter_map(|(i, e)| match e {
                jifen_core::rules::Effect::IssueVoucher { template } => {
                    Some((format!("effects[{i}].template"), template.as_str()))
                }
                _ => None,
            })
            .collect();
        super::vouchers::check_templates(&mut tx, &program.id, &templates).await?;
        super::badges::check_effects(&mut tx, &program.id, &spec.effects).await?;
        let text = serde_json::to_string(&spec).map_err(|_| ApiError::Internal)?;
        if let Some(v) = &current {
            let same_spec = serde_json::from_str::<RuleSpec>(&v.spec).ok().as_ref() == Some(&spec);
            if same_spec && v.status == status.as_str() {
                return Ok(Saved {
                    version: v.clone(),
                    created: false,
                    changed: false,
                });
            }
        }
        let version = tx
            .save_rule_version(&program.id, id, status.as_str(), &text, now)
            .await?;
        let versions = tx.rule_versions(&program.id).await?;
        tx.commit().await?;
        let saved = versions
            .into_iter()
            .find(|v| v.id == id && v.version == version)
            .ok_or(ApiError::Internal)?;
        Ok(Saved {
            version: saved,
            created: current.is_none(),
            changed: true,
        })
    })
    .await
}

/// The program's saved rules with `drafts` in place of the versions of the same ids (or added),
/// or the drafts alone, for simulations and backtests.
pub fn with_drafts(
    program: &Program,
    versions: &[RuleVersion],
    campaigns: &[CampaignRecord],
    drafts: Vec<Rule>,
    drafts_only: bool,
) -> RuleSet {
    let drafted: std::collections::BTreeSet<&str> = drafts.iter().map(|r| r.id.as_str()).collect();
    let mut rules: Vec<Rule> = if drafts_only {
        Vec::new()
    } else {
        versions
            .iter()
            .filter(|v| !drafted.contains(v.id.as_str()))
            .filter_map(|v| compile_stored(v).ok())
            .collect()
    };
    rules.extend(drafts);
    RuleSet::new(
        rules,
        &campaign_map(campaigns),
        program.policy.points_per_yuan,
    )
}
