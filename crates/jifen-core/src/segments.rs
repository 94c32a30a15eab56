//! Segments: a named CEL condition over a member's features, and the features it reads.
//!
//! What a member's features are (docs/segments.md#features) is decided here from what the
//! store kept; whether a member is in a segment is the condition's verdict on them. No I/O:
//! the caller passes the time and the program's time zone.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde_json::{Map, Value, json};

use crate::Timestamp;
use crate::rules::{Condition, ConditionError, Facts, Truth};

/// The variables a segment's condition reads.
pub const SEGMENT_VARIABLES: [&str; 19] = [
    "recency_days",
    "last_activity_at",
    "frequency_365d",
    "monetary_365d",
    "r_score",
    "f_score",
    "m_score",
    "rfm",
    "tier",
    "tags",
    "meters",
    "attributes",
    "profile",
    "identities",
    "sites",
    "enrolled_days",
    "status",
    "external_id",
    "now",
];

/// The longest condition a segment may have, in bytes.
pub const MAX_CONDITION_BYTES: usize = 4_096;

/// A member's features, as the store kept them and its tables hold them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MemberFeatures {
    pub external_id: String,
    pub status: String,
    pub enrolled_at: Timestamp,
    /// The last event the member sent (not a refund, not a `birthday` jifen sent), if any.
    pub last_activity_at: Option<Timestamp>,
    /// Purchases in the 365 days before the figures were counted, not wholly refunded.
    pub frequency_365d: i64,
    /// What those purchases came to, less refunds, in minor units.
    pub monetary_365d: i64,
    /// The RFM scores of the last daily ranking: (recency, frequency, monetary).
    pub scores: Option<(i64, i64, i64)>,
    /// The tier the member holds now (an operator's override while it lasts).
    pub tier: Option<String>,
    pub tags: Vec<String>,
    pub meters: BTreeMap<String, i64>,
    /// Custom profile attributes (a JSON object).
    pub attributes: Value,
    pub gender: Option<String>,
    pub city: Option<String>,
    pub birthday: Option<NaiveDate>,
    /// The kinds of identities the member has: `phone`, `wechat_unionid`, …
    pub identities: Vec<String>,
    /// The last activity per site.
    pub sites: BTreeMap<String, Timestamp>,
}

/// Whole days between two instants' dates in the program's time zone (0 on the same day).
pub fn days_between(from: Timestamp, to: Timestamp, tz: Tz) -> i64 {
    let (a, b) = (
        from.with_timezone(&tz).date_naive(),
        to.with_timezone(&tz).date_naive(),
    );
    (b - a).num_days()
}

impl MemberFeatures {
    /// The variables a condition reads for this member at `now`.
    pub fn variables(&self, tz: Tz, now: Timestamp) -> Map<String, Value> {
        let since = self.last_activity_at.unwrap_or(self.enrolled_at);
        let (r, f, m) = match self.scores {
            Some((r, f, m)) => (json!(r), json!(f), json!(m)),
            None => (Value::Null, Value::Null, Value::Null),
        };
        let rfm = self
            .scores
            .map_or(Value::Null, |(r, f, m)| json!(format!("{r}{f}{m}")));
        let sites: Map<String, Value> = self
            .sites
            .iter()
            .map(|(site, at)| (site.clone(), json!(days_between(*at, now, tz))))
            .collect();
        let profile = json!({
            "gender": self.gender,
            "city": self.city,
            "birthday": self.birthday.map(|b| b.format("%Y-%m-%d").to_string()),
            "birthday_month": self.birthday.map(|b| chrono::Datelike::month(&b)),
        });
        let attributes = if self.attributes.is_object() {
            self.attributes.clone()
        } else {
            json!({})
        };
        let mut v = Map::new();
        v.insert("recency_days".into(), json!(days_between(since, now, tz)));
        v.insert(
            "last_activity_at".into(),
            self.last_activity_at
                .map_or(Value::Null, |t| json!(t.to_rfc3339())),
        );
        v.insert("frequency_365d".into(), json!(self.frequency_365d));
        v.insert("monetary_365d".into(), json!(self.monetary_365d));
        v.insert("r_score".into(), r);
        v.insert("f_score".into(), f);
        v.insert("m_score".into(), m);
        v.insert("rfm".into(), rfm);
        v.insert("tier".into(), json!(self.tier));
        v.insert("tags".into(), json!(self.tags));
        v.insert("meters".into(), json!(self.meters));
        v.insert("attributes".into(), attributes);
        v.insert("profile".into(), profile);
        v.insert("identities".into(), json!(self.identities));
        v.insert("sites".into(), Value::Object(sites));
        v.insert(
            "enrolled_days".into(),
            json!(days_between(self.enrolled_at, now, tz)),
        );
        v.insert("status".into(), json!(self.status));
        v.insert("external_id".into(), json!(self.external_id));
        v
    }
}

/// A segment's condition, compiled.
#[derive(Debug)]
pub struct SegmentCondition(Condition);

impl SegmentCondition {
    /// Compiles a condition over [`SEGMENT_VARIABLES`].
    pub fn compile(source: &str) -> Result<SegmentCondition, ConditionError> {
        if source.len() > MAX_CONDITION_BYTES {
            return Err(ConditionError {
                message: format!("a condition is at most {MAX_CONDITION_BYTES} bytes"),
                line: 1,
                column: 1,
                limit: Some("bytes"),
            });
        }
        Condition::compile_over(source, &SEGMENT_VARIABLES).map(SegmentCondition)
    }

    pub fn source(&self) -> &str {
        self.0.source()
    }

    /// Whether a member with these facts is in the segment. A condition that cannot be
    /// evaluated for a member (a missing attribute, a score not ranked yet) leaves them out.
    pub fn admits(&self, facts: &Facts) -> bool {
        matches!(self.0.eval(facts), Truth::True)
    }

    /// The verdict with the reason an evaluation failed, for previews.
    pub fn judge(&self, facts: &Facts) -> Truth {
        self.0.eval(facts)
    }
}

/// The facts a member's features give a condition.
pub fn facts(features: &MemberFeatures, tz: Tz, now: Timestamp) -> Facts {
    Facts::from_variables(&features.variables(tz, now), now)
}

/// Whether `slug` can name a segment: 1–64 characters of a-z, 0-9, `-` and `_`.
pub fn slug_ok(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 64
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// Which memberships change: the segments (of `segments`) the member enters and leaves, given
/// the ones they are in now.
pub fn changes<'a>(
    verdicts: impl IntoIterator<Item = (&'a str, bool)>,
    current: &[&str],
) -> (Vec<&'a str>, Vec<&'a str>) {
    let (mut enter, mut leave) = (Vec::new(), Vec::new());
    for (slug, admitted) in verdicts {
        let is_in = current.contains(&slug);
        if admitted && !is_in {
            enter.push(slug);
        } else if !admitted && is_in {
            leave.push(slug);
        }
    }
    (enter, leave)
}

/// One member's RFM inputs: their id, when they were last active (or enrolled; any ordered
/// number, such as microseconds), their purchases and their net spend over the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RfmInput {
    pub member_id: i64,
    pub recency: i64,
    pub frequency: i64,
    pub monetary: i64,
}

/// Quintile scores 1–5 by recency (most recent = 5), frequency and monetary value (most = 5):
/// `1 + 5 × (rank − 1) ÷ n` (integer division), where a value's rank is one more than the number
/// of members with a smaller one, so equal values share a score. In the order of `inputs`.
pub fn rfm_scores(inputs: &[RfmInput]) -> Vec<(i64, i64, i64)> {
    let n = inputs.len() as i64;
    let sorted = |f: fn(&RfmInput) -> i64| {
        let mut v: Vec<i64> = inputs.iter().map(f).collect();
        v.sort_unstable();
        v
    };
    let (r, f, m) = (
        sorted(|i| i.recency),
        sorted(|i| i.frequency),
        sorted(|i| i.monetary),
    );
    let score = |sorted: &[i64], x: i64| 1 + 5 * (sorted.partition_point(|v| *v < x) as i64) / n;
    inputs
        .iter()
        .map(|i| {
            (
                score(&r, i.recency),
                score(&f, i.frequency),
                score(&m, i.monetary),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    fn ts(s: &str) -> Timestamp {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn member() -> MemberFeatures {
        MemberFeatures {
            external_id: "m1".into(),
            status: "active".into(),
            enrolled_at: ts("2025-01-01T00:00:00Z"),
            last_activity_at: Some(ts("2026-01-01T15:59:00Z")),
            frequency_365d: 3,
            monetary_365d: 150_000,
            scores: Some((2, 5, 5)),
            tier: Some("gold".into()),
            tags: vec!["vip".into()],
            meters: BTreeMap::from([("taoqizhi".into(), 1_200)]),
            attributes: json!({"skin": "dry"}),
            identities: vec!["phone".into()],
            sites: BTreeMap::from([("tmall".into(), ts("2025-12-01T00:00:00Z"))]),
            ..MemberFeatures::default()
        }
    }

    #[test]
    fn recency_counts_days_in_program_time() {
        let tz: Tz = "Asia/Shanghai".parse().unwrap();
        // 15:59 UTC on 1 January is 23:59 in Shanghai; 16:01 UTC on 2 January is the 3rd.
        assert_eq!(
            days_between(ts("2026-01-01T15:59:00Z"), ts("2026-01-02T16:01:00Z"), tz),
            2
        );
        let v = member().variables(tz, ts("2026-04-11T00:00:00Z"));
        assert_eq!(v["recency_days"], json!(100));
        assert_eq!(v["rfm"], json!("255"));
        assert_eq!(v["sites"]["tmall"], json!(131));
    }

    #[test]
    fn the_issue_example_admits_a_lapsed_high_value_member() {
        let tz: Tz = "Asia/Shanghai".parse().unwrap();
        let c = SegmentCondition::compile("recency_days > 90 && monetary_365d > 100000").unwrap();
        let m = member();
        assert!(c.admits(&facts(&m, tz, ts("2026-04-11T00:00:00Z"))));
        assert!(!c.admits(&facts(&m, tz, ts("2026-02-01T00:00:00Z"))));
        let c = SegmentCondition::compile(
            "tier == 'gold' && 'vip' in tags && meters.taoqizhi >= 1000 \
             && 'phone' in identities && attributes.skin == 'dry' && sites.tmall < 200",
        )
        .unwrap();
        assert!(c.admits(&facts(&m, tz, ts("2026-04-11T00:00:00Z"))));
    }

    #[test]
    fn unscored_members_are_left_out_rather_than_failing() {
        let tz: Tz = "Asia/Shanghai".parse().unwrap();
        let c = SegmentCondition::compile("r_score >= 4").unwrap();
        let m = MemberFeatures {
            scores: None,
            ..member()
        };
        assert!(!c.admits(&facts(&m, tz, ts("2026-04-11T00:00:00Z"))));
    }

    #[test]
    fn unknown_variables_are_refused_with_their_place() {
        let e = SegmentCondition::compile("recency_days > 90 &&\n  event.amount > 1").unwrap_err();
        assert_eq!((e.line, e.column), (2, 3));
        assert!(e.message.contains("unknown variable `event`"), "{e}");
        let e = SegmentCondition::compile("recency_days >").unwrap_err();
        assert_eq!(e.line, 1);
    }

    #[test]
    fn changes_name_what_to_enter_and_leave() {
        let (enter, leave) = changes([("a", true), ("b", false), ("c", true)], &["b", "c"]);
        assert_eq!((enter, leave), (vec!["a"], vec!["b"]));
    }

    #[test]
    fn rfm_scores_are_quintiles_with_ties_shared() {
        let inputs: Vec<RfmInput> = (0..10)
            .map(|n| RfmInput {
                member_id: n,
                recency: n * 10,
                frequency: n / 2,
                monetary: if n < 5 { 0 } else { 100 },
            })
            .collect();
        let scores = rfm_scores(&inputs);
        let r: Vec<i64> = scores.iter().map(|s| s.0).collect();
        let f: Vec<i64> = scores.iter().map(|s| s.1).collect();
        let m: Vec<i64> = scores.iter().map(|s| s.2).collect();
        assert_eq!(r, vec![1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
        // Pairs share a frequency: each pair takes the rank of its first.
        assert_eq!(f, vec![1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
        // Five share 0 (rank 1), five share 100 (rank 6).
        assert_eq!(m, vec![1, 1, 1, 1, 1, 3, 3, 3, 3, 3]);
        assert!(rfm_scores(&[]).is_empty());
    }
}
