//! Badges: marks of what a member did, in one or more levels (铜 / 银 / 金), each earned once.
//!
//! A level's criteria are CEL over the member (`member.meters`, `member.streaks`,
//! `member.counts`, `member.tags`), the `event` that is being recorded, the `program` and `now`:
//! a `progress` expression giving a number with the `target` it must reach, and/or a boolean
//! `condition`. A level with neither is only awarded by a rule's `award_badge` effect (or by a
//! contest or a challenge). Everything here is pure: the caller builds the facts, says which
//! levels the member holds, and stores what [`Badge::judge`] decides.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::limits::MAX_POINTS_PER_ENTRY;
use crate::rules::{Condition, ConditionError, Facts, Truth};

/// The most levels a badge has.
pub const MAX_LEVELS: usize = 10;

/// A badge as marketers write it (JSON through the API).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BadgeSpec {
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// One or more levels, lowest first.
    pub levels: Vec<LevelSpec>,
    #[serde(default)]
    pub status: BadgeStatus,
}

/// Whether a badge is still awarded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BadgeStatus {
    #[default]
    Active,
    /// No longer awarded; members keep the levels they earned.
    Archived,
}

impl BadgeStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            BadgeStatus::Active => "active",
            BadgeStatus::Archived => "archived",
        }
    }
}

/// One level of a badge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelSpec {
    /// `铜`, `bronze`, …
    pub name: String,
    /// A CEL expression giving a number: the level is reached when it is at least `target`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<i64>,
    /// A CEL expression that must be true (with `progress`, both must hold).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// What earning the level gives besides the badge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reward: Option<LevelReward>,
}

/// Points and/or a voucher given with a level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelReward {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<i64>,
    /// A voucher template id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voucher: Option<String>,
}

/// Why a definition is refused: the field (`levels[1].progress`) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadgeError {
    pub field: String,
    pub message: String,
    /// The CEL error, when an expression is why.
    pub condition: Option<ConditionError>,
}

impl BadgeError {
    fn new(field: impl Into<String>, message: impl Into<String>) -> BadgeError {
        BadgeError {
            field: field.into(),
            message: message.into(),
            condition: None,
        }
    }
}

/// A compiled level.
#[derive(Debug)]
struct Level {
    progress: Option<Condition>,
    condition: Option<Condition>,
}

/// A badge ready to judge events: its definition with its expressions compiled.
#[derive(Debug)]
pub struct Badge {
    pub id: String,
    pub spec: BadgeSpec,
    levels: Vec<Level>,
}

/// How far a member is towards a level that has a `progress`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// 1 for the first level.
    pub level: u32,
    pub name: String,
    pub value: i64,
    pub target: i64,
}

/// What judging a badge for a member decided.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Judged {
    /// Levels reached now that the member did not hold (1-based, lowest first).
    pub reached: Vec<u32>,
    /// The lowest level still not held that has a progress, with the member's progress.
    pub next: Option<Progress>,
    /// Expressions that could not be evaluated: (level, message). Such a level is not reached.
    pub errors: Vec<(u32, String)>,
}

/// What a level's expressions gave for a member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelOutcome {
    /// `None` when the level has no progress.
    pub progress: Option<Result<i64, String>>,
    pub target: Option<i64>,
    /// `None` when the level has no condition.
    pub condition: Option<Truth>,
}

impl LevelOutcome {
    /// Whether an automatic level is reached; levels without criteria never are by themselves.
    pub fn reached(&self) -> bool {
        if self.progress.is_none() && self.condition.is_none() {
            return false;
        }
        let progress = match (&self.progress, self.target) {
            (None, _) => true,
            (Some(Ok(v)), Some(t)) => *v >= t,
            _ => false,
        };
        let condition = match &self.condition {
            None => true,
            Some(t) => *t == Truth::True,
        };
        progress && condition
    }

    fn error(&self) -> Option<String> {
        match (&self.progress, &self.condition) {
            (Some(Err(e)), _) => Some(e.clone()),
            (_, Some(Truth::Error(e))) => Some(e.clone()),
            _ => None,
        }
    }
}

/// The levels to award and the progress to show, from each level's outcome (`None` for a level
/// not evaluated because the member holds it) and the levels held. Pure, so it can be tested
/// exhaustively: a level held is never awarded again.
pub fn decide(spec: &BadgeSpec, outcomes: &[Option<LevelOutcome>], held: &BTreeSet<u32>) -> Judged {
    let mut out = Judged::default();
    for (i, (level, outcome)) in spec.levels.iter().zip(outcomes).enumerate() {
        let n = level_number(i);
        if held.contains(&n) {
            continue;
        }
        let Some(outcome) = outcome else { continue };
        if let Some(e) = outcome.error() {
            out.errors.push((n, e));
        }
        if outcome.reached() {
            out.reached.push(n);
        } else if out.next.is_none()
            && let (Some(Ok(value)), Some(target)) = (&outcome.progress, outcome.target)
        {
            out.next = Some(Progress {
                level: n,
                name: level.name.clone(),
                value: *value,
                target,
            });
        }
    }
    out
}

/// Level numbers are 1-based.
fn level_number(index: usize) -> u32 {
    u32::try_from(index + 1).unwrap_or(u32::MAX)
}

impl Badge {
    /// Checks a definition and compiles its expressions.
    pub fn compile(id: &str, spec: BadgeSpec) -> Result<Badge, BadgeError> {
        validate(&spec)?;
        let mut levels = Vec::with_capacity(spec.levels.len());
        for (i, l) in spec.levels.iter().enumerate() {
            let compile = |what: &str, source: &Option<String>| {
                source
                    .as_deref()
                    .map(|s| {
                        Condition::compile(s).map_err(|e| BadgeError {
                            field: format!("levels[{i}].{what}"),
                            message: format!("{what}: {e}"),
                            condition: Some(e),
                        })
                    })
                    .transpose()
            };
            levels.push(Level {
                progress: compile("progress", &l.progress)?,
                condition: compile("condition", &l.condition)?,
            });
        }
        Ok(Badge {
            id: id.to_owned(),
            spec,
            levels,
        })
    }

    /// Whether any level is reached by its criteria (not only by an effect).
    pub fn is_automatic(&self) -> bool {
        self.levels
            .iter()
            .any(|l| l.progress.is_some() || l.condition.is_some())
    }

    /// Whether an expression reads `member.counts` (so the caller loads event counts).
    pub fn reads_counts(&self) -> bool {
        self.spec.levels.iter().any(|l| {
            [&l.progress, &l.condition]
                .into_iter()
                .flatten()
                .any(|s| s.contains("counts"))
        })
    }

    /// The event types the expressions read as `member.counts.<type>`: a member with no event
    /// of such a type counts 0 of it rather than make the expression fail.
    pub fn counted_types(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for l in &self.spec.levels {
            for source in [&l.progress, &l.condition].into_iter().flatten() {
                for (i, _) in source.match_indices("counts.") {
                    let name: String = source[i + "counts.".len()..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        out.insert(name);
                    }
                }
            }
        }
        out
    }

    /// The number of levels.
    pub fn level_count(&self) -> u32 {
        level_number(self.levels.len().saturating_sub(1))
    }

    /// The level's definition (1-based).
    pub fn level(&self, n: u32) -> Option<&LevelSpec> {
        let i = usize::try_from(n).ok()?.checked_sub(1)?;
        self.spec.levels.get(i)
    }

    /// Evaluates the levels the member does not hold against `facts`.
    pub fn judge(&self, facts: &Facts, held: &BTreeSet<u32>) -> Judged {
        let outcomes: Vec<Option<LevelOutcome>> = self
            .levels
            .iter()
            .zip(&self.spec.levels)
            .enumerate()
            .map(|(i, (compiled, spec))| {
                if held.contains(&level_number(i)) {
                    return None;
                }
                Some(LevelOutcome {
                    progress: compiled.progress.as_ref().map(|p| p.number(facts)),
                    target: spec.target,
                    condition: compiled.condition.as_ref().map(|c| c.eval(facts)),
                })
            })
            .collect();
        decide(&self.spec, &outcomes, held)
    }
}

/// Checks the parts of a definition that need no compiling.
pub fn validate(spec: &BadgeSpec) -> Result<(), BadgeError> {
    let name = spec.name.trim();
    if name.is_empty() || spec.name.chars().count() > 100 {
        return Err(BadgeError::new(
            "name",
            "a badge's name is 1–100 characters",
        ));
    }
    if spec.description.chars().count() > 1_000 {
        return Err(BadgeError::new(
            "description",
            "a description is at most 1,000 characters",
        ));
    }
    if spec.levels.is_empty() || spec.levels.len() > MAX_LEVELS {
        return Err(BadgeError::new(
            "levels",
            format!("a badge has 1 to {MAX_LEVELS} levels"),
        ));
    }
    for (i, l) in spec.levels.iter().enumerate() {
        let at = |f: &str| format!("levels[{i}].{f}");
        if l.name.trim().is_empty() || l.name.chars().count() > 40 {
            return Err(BadgeError::new(
                at("name"),
                "a level's name is 1–40 characters",
            ));
        }
        match (&l.progress, l.target) {
            (Some(_), Some(t)) if (1..=crate::limits::MAX_TOTAL).contains(&t) => {}
            (Some(_), Some(_)) => {
                return Err(BadgeError::new(at("target"), "a target is at least 1"));
            }
            (Some(_), None) => {
                return Err(BadgeError::new(
                    at("target"),
                    "a progress needs a target: the number it must reach",
                ));
            }
            (None, Some(_)) => {
                return Err(BadgeError::new(
                    at("progress"),
                    "a target needs a progress: the expression that counts towards it",
                ));
            }
            (None, None) => {}
        }
        if let Some(r) = &l.reward {
            if r.points.is_none() && r.voucher.is_none() {
                return Err(BadgeError::new(
                    at("reward"),
                    "a reward gives points, a voucher, or both",
                ));
            }
            if r.points
                .is_some_and(|p| !(1..=MAX_POINTS_PER_ENTRY).contains(&p))
            {
                return Err(BadgeError::new(
                    at("reward.points"),
                    format!("reward points are 1 to {MAX_POINTS_PER_ENTRY}"),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
