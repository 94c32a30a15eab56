//! Personal offers: the rewards and vouchers a member can use, ranked by a score that says
//! where each of its points came from.
//!
//! The score is a sum of parts. Each part is a fraction between 0 and 1 of what the member and
//! the offer are (how much of the member's spend is in the offer's categories, whether the
//! member's points cover it) times the part's weight, which the program sets. Parts with words
//! for the member give the offer its reasons ("常买茶饮", "距离兑换还差 20 积分"), strongest
//! first; the others (what the offer costs the brand, a brand's own boost) only move it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The most offers a list holds (the API's page limit).
pub const MAX_LIMIT: u32 = 200;
/// A category counts as one the member "often buys" from this share of their spend.
pub const OFTEN_SHARE: f64 = 0.2;
/// A voucher is "about to expire" within this many days.
pub const EXPIRING_DAYS: i64 = 7;

/// How much each part of the score can weigh (0–1000 each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Weights {
    /// The share of the member's spend in the offer's categories.
    pub affinity: u32,
    /// The offer is for a segment the member is in.
    pub segment: u32,
    /// The offer is for the member's tier, or cheaper for it.
    pub tier: u32,
    /// The member can use it now (a reward their points cover, a voucher in the wallet).
    pub ready: u32,
    /// How close the member's points are to a reward they cannot afford yet.
    pub near: u32,
    /// How little the offer costs the brand, against the dearest offer in the list.
    pub thrift: u32,
    /// How soon a voucher in the wallet expires.
    pub expiring: u32,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            affinity: 40,
            segment: 25,
            tier: 15,
            ready: 20,
            near: 10,
            thrift: 10,
            expiring: 15,
        }
    }
}

/// A program's offer settings: the weights, and the brand's own nudges.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OfferSettings {
    pub weights: Weights,
    /// Points added to the score of a reward (by id), or taken away (negative): the brand's own
    /// ranking, on top of the computed one.
    pub boosts: BTreeMap<String, i32>,
    /// Rewards never offered (by id), though members can still redeem them.
    pub hidden: Vec<String>,
}

impl OfferSettings {
    /// Checks settings before they are saved: the field at fault and why.
    pub fn check(&self) -> Result<(), (String, String)> {
        let w = &self.weights;
        for (name, v) in [
            ("affinity", w.affinity),
            ("segment", w.segment),
            ("tier", w.tier),
            ("ready", w.ready),
            ("near", w.near),
            ("thrift", w.thrift),
            ("expiring", w.expiring),
        ] {
            if v > 1_000 {
                return Err((format!("weights.{name}"), "a weight is 0 to 1000".into()));
            }
        }
        if self.boosts.len() > 500 {
            return Err(("boosts".into(), "at most 500 boosts".into()));
        }
        for (id, boost) in &self.boosts {
            if !id_ok(id) {
                return Err((
                    "boosts".into(),
                    format!("{id:?} is not a reward id (1–64 of a-z, 0-9, _ and -)"),
                ));
            }
            if !(-1_000..=1_000).contains(boost) {
                return Err((format!("boosts.{id}"), "a boost is -1000 to 1000".into()));
            }
        }
        if self.hidden.len() > 500 {
            return Err(("hidden".into(), "at most 500 hidden rewards".into()));
        }
        if let Some(bad) = self.hidden.iter().find(|id| !id_ok(id)) {
            return Err((
                "hidden".into(),
                format!("{bad:?} is not a reward id (1–64 of a-z, 0-9, _ and -)"),
            ));
        }
        Ok(())
    }
}

fn id_ok(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// What the member bought, by category: the amounts of their order lines (fen), refunds taken
/// off, over the window the caller read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Affinity {
    spend: BTreeMap<String, i64>,
    total: i64,
}

impl Affinity {
    /// From (category, amount) pairs: refunds come as negative amounts; a category whose
    /// refunds pass its purchases counts as nothing.
    pub fn new<'a>(lines: impl IntoIterator<Item = (&'a str, i64)>) -> Affinity {
        let mut spend: BTreeMap<String, i64> = BTreeMap::new();
        for (category, amount) in lines {
            let c = spend.entry(category.to_owned()).or_default();
            *c = c.saturating_add(amount);
        }
        spend.retain(|_, v| *v > 0);
        let total = spend.values().fold(0i64, |a, v| a.saturating_add(*v));
        Affinity { spend, total }
    }

    /// The member's share of spend in any of `categories` (0–1), and the category with the
    /// largest share.
    pub fn best<'a>(&self, categories: &'a [String]) -> Option<(&'a str, f64)> {
        if self.total <= 0 {
            return None;
        }
        categories
            .iter()
            .filter_map(|c| {
                let s = *self.spend.get(c)?;
                Some((c.as_str(), s as f64 / self.total as f64))
            })
            .max_by(|a, b| a.1.total_cmp(&b.1).then_with(|| b.0.cmp(a.0)))
    }

    /// Categories by spend, largest first (at most `n`), with their share.
    pub fn top(&self, n: usize) -> Vec<(String, f64)> {
        let mut v: Vec<(String, f64)> = self
            .spend
            .iter()
            .map(|(c, s)| (c.clone(), *s as f64 / self.total as f64))
            .collect();
        v.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v.truncate(n);
        v
    }
}

/// What is known of one offer, for scoring.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Candidate {
    /// The categories the offer suits (a reward's own, and its voucher template's).
    pub categories: Vec<String>,
    /// The segment (its name) the offer is targeted at that the member is in.
    pub segment: Option<String>,
    /// The member's tier (its title) when the offer is only for some tiers and this is one.
    pub tier_only: Option<String>,
    /// The member's tier (title) and their price, when it is below the offer's base cost.
    pub tier_price: Option<(String, i64)>,
    /// Usable now: a reward the member's points cover and that is open, or a voucher in the
    /// wallet that can be used today.
    pub ready: bool,
    /// Points the member lacks (a reward), with its cost for them.
    pub short: Option<(i64, i64)>,
    /// What one unit costs the brand (fen), when known.
    pub brand_cost: Option<i64>,
    /// Whole days until a voucher expires (0: today).
    pub expires_in_days: Option<i64>,
    /// The brand's boost of the offer.
    pub boost: i32,
}

/// The language of reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    /// `en…` is English; anything else Chinese (the programs' own language).
    pub fn of(tag: &str) -> Lang {
        if tag.to_ascii_lowercase().starts_with("en") {
            Lang::En
        } else {
            Lang::Zh
        }
    }
}

/// One part of a score: its name, the fraction the offer earned, and what that is worth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Part {
    /// `affinity`, `segment`, `tier`, `ready`, `near`, `thrift`, `expiring` or `boost`.
    pub part: String,
    /// 0–1 (the boost: 1).
    pub fraction: f64,
    /// fraction × weight, rounded to a tenth.
    pub points: f64,
    /// The words for the member, for parts that have them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
}

/// Why an offer is shown: a stable code and the sentence for the member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// `often_buys`, `for_segment`, `tier_only`, `tier_price`, `enough_points`,
    /// `points_short`, `in_wallet`, `expires_soon`.
    pub code: String,
    pub text: String,
}

/// A scored offer: its score, and its parts, the largest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub score: f64,
    pub parts: Vec<Part>,
}

impl Scored {
    /// The reasons to show, strongest first.
    pub fn reasons(&self) -> Vec<Reason> {
        self.parts.iter().filter_map(|p| p.reason.clone()).collect()
    }
}

fn tenth(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn reason(code: &str, text: String) -> Option<Reason> {
    Some(Reason {
        code: code.into(),
        text,
    })
}

/// Scores offers against one member. `dearest` is the largest known cost to the brand among
/// the offers being ranked, against which `thrift` is judged; an offer whose cost is unknown
/// gets half of `thrift`, as one of middling cost would.
pub fn score(
    c: &Candidate,
    affinity: &Affinity,
    weights: &Weights,
    dearest: Option<i64>,
    lang: Lang,
) -> Scored {
    let zh = lang == Lang::Zh;
    let mut parts = Vec::new();
    fn add(parts: &mut Vec<Part>, name: &str, fraction: f64, weight: u32, why: Option<Reason>) {
        let fraction = fraction.clamp(0.0, 1.0);
        // A weight of 0 turns the part off: it neither counts nor gives a reason.
        if fraction > 0.0 && weight > 0 {
            parts.push(Part {
                part: name.into(),
                fraction: (fraction * 1000.0).round() / 1000.0,
                points: tenth(fraction * f64::from(weight)),
                reason: why,
            });
        }
    }
    if let Some((category, share)) = affinity.best(&c.categories) {
        let why = (share >= OFTEN_SHARE).then(|| {
            if zh {
                format!("常买{category}")
            } else {
                format!("You often buy {category}")
            }
        });
        add(
            &mut parts,
            "affinity",
            share,
            weights.affinity,
            why.and_then(|t| reason("often_buys", t)),
        );
    }
    if let Some(name) = &c.segment {
        let text = if zh {
            format!("为「{name}」会员准备")
        } else {
            format!("Picked for {name} members")
        };
        add(
            &mut parts,
            "segment",
            1.0,
            weights.segment,
            reason("for_segment", text),
        );
    }
    if let Some(tier) = &c.tier_only {
        let text = if zh {
            format!("{tier}专享")
        } else {
            format!("For {tier} members")
        };
        add(
            &mut parts,
            "tier",
            1.0,
            weights.tier,
            reason("tier_only", text),
        );
    } else if let Some((tier, cost)) = &c.tier_price {
        let text = if zh {
            format!("{tier}价 {cost} 积分")
        } else {
            format!("{tier} price: {cost} points")
        };
        add(
            &mut parts,
            "tier",
            1.0,
            weights.tier,
            reason("tier_price", text),
        );
    }
    if c.ready {
        let (code, text) = match (c.expires_in_days.is_some(), zh) {
            (true, true) => ("in_wallet", "已在卡包，可直接使用".to_owned()),
            (true, false) => ("in_wallet", "In your wallet, ready to use".to_owned()),
            (false, true) => ("enough_points", "积分够兑换".to_owned()),
            (false, false) => ("enough_points", "You have enough points".to_owned()),
        };
        add(&mut parts, "ready", 1.0, weights.ready, reason(code, text));
    }
    if let Some((short_by, cost)) = c.short {
        let fraction = if cost > 0 {
            1.0 - short_by as f64 / cost as f64
        } else {
            0.0
        };
        let text = if zh {
            format!("距离兑换还差 {short_by} 积分")
        } else if short_by == 1 {
            "1 more point to redeem".to_owned()
        } else {
            format!("{short_by} more points to redeem")
        };
        // The shortfall is said even when it is large: it is what the member needs to know.
        let why = reason("points_short", text);
        if fraction > 0.0 {
            add(&mut parts, "near", fraction, weights.near, why);
        } else if weights.near > 0 {
            parts.push(Part {
                part: "near".into(),
                fraction: 0.0,
                points: 0.0,
                reason: why,
            });
        }
    }
    let thrift = match (c.brand_cost, dearest) {
        (Some(cost), Some(max)) if max > 0 => 1.0 - cost.clamp(0, max) as f64 / max as f64,
        (Some(_), _) => 1.0,
        (None, _) => 0.5,
    };
    add(&mut parts, "thrift", thrift, weights.thrift, None);
    if let Some(days) = c.expires_in_days
        && days < EXPIRING_DAYS
    {
        let days = days.max(0);
        let text = match (zh, days) {
            (true, 0) => "今天过期".to_owned(),
            (true, d) => format!("{d} 天后过期"),
            (false, 0) => "Expires today".to_owned(),
            (false, 1) => "Expires tomorrow".to_owned(),
            (false, d) => format!("Expires in {d} days"),
        };
        let fraction = 1.0 - days as f64 / EXPIRING_DAYS as f64;
        add(
            &mut parts,
            "expiring",
            fraction,
            weights.expiring,
            reason("expires_soon", text),
        );
    }
    if c.boost != 0 {
        parts.push(Part {
            part: "boost".into(),
            fraction: 1.0,
            points: f64::from(c.boost),
            reason: None,
        });
    }
    parts.sort_by(|a, b| b.points.total_cmp(&a.points));
    let score = tenth(parts.iter().map(|p| p.points).sum());
    Scored { score, parts }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tea() -> Affinity {
        Affinity::new([("茶饮", 6_000), ("咖啡", 3_000), ("甜点", 1_000)])
    }

    #[test]
    fn affinity_shares_and_refunds() {
        let a = Affinity::new([
            ("茶饮", 5_000),
            ("茶饮", -1_000),
            ("咖啡", 3_000),
            ("甜点", 1_000),
            ("果汁", -50),
        ]);
        assert_eq!(a.best(&["茶饮".into()]), Some(("茶饮", 0.5)));
        assert_eq!(a.best(&["果汁".into()]), None);
        assert_eq!(a.best(&["咖啡".into(), "茶饮".into()]).unwrap().0, "茶饮");
        assert_eq!(a.top(1), vec![("茶饮".to_owned(), 0.5)]);
        assert_eq!(Affinity::new([]).best(&["茶饮".into()]), None);
    }

    #[test]
    fn parts_add_up_and_explain() {
        let c = Candidate {
            categories: vec!["茶饮".into()],
            short: Some((20, 200)),
            brand_cost: Some(500),
            ..Candidate::default()
        };
        let s = score(&c, &tea(), &Weights::default(), Some(1_000), Lang::Zh);
        // affinity 0.6 × 40 = 24, near 0.9 × 10 = 9, thrift 0.5 × 10 = 5.
        assert_eq!(s.score, 38.0);
        let texts: Vec<String> = s.reasons().into_iter().map(|r| r.text).collect();
        assert_eq!(texts, vec!["常买茶饮", "距离兑换还差 20 积分"]);
        let en = score(&c, &tea(), &Weights::default(), Some(1_000), Lang::En);
        assert_eq!(en.reasons()[0].text, "You often buy 茶饮");
        assert_eq!(en.reasons()[1].text, "20 more points to redeem");
    }

    #[test]
    fn a_small_share_moves_the_score_without_a_reason() {
        let c = Candidate {
            categories: vec!["甜点".into()],
            ready: true,
            ..Candidate::default()
        };
        let s = score(&c, &tea(), &Weights::default(), None, Lang::Zh);
        assert!(
            s.parts
                .iter()
                .any(|p| p.part == "affinity" && p.points == 4.0)
        );
        assert_eq!(s.reasons()[0].code, "enough_points");
        assert_eq!(s.reasons().len(), 1);
    }

    #[test]
    fn a_large_shortfall_is_still_said() {
        let c = Candidate {
            short: Some((500, 500)),
            ..Candidate::default()
        };
        let s = score(
            &c,
            &Affinity::default(),
            &Weights::default(),
            None,
            Lang::Zh,
        );
        assert_eq!(s.reasons()[0].text, "距离兑换还差 500 积分");
        assert_eq!(s.score, 5.0);
    }

    #[test]
    fn vouchers_expiring_and_boosts() {
        let c = Candidate {
            ready: true,
            expires_in_days: Some(0),
            boost: -3,
            ..Candidate::default()
        };
        let s = score(
            &c,
            &Affinity::default(),
            &Weights::default(),
            None,
            Lang::En,
        );
        let codes: Vec<String> = s.reasons().into_iter().map(|r| r.code).collect();
        assert_eq!(codes, vec!["in_wallet", "expires_soon"]);
        // ready 20 + expiring 15 + thrift 5 - 3.
        assert_eq!(s.score, 37.0);
        let later = Candidate {
            expires_in_days: Some(30),
            ..c
        };
        let s = score(
            &later,
            &Affinity::default(),
            &Weights::default(),
            None,
            Lang::En,
        );
        assert!(!s.parts.iter().any(|p| p.part == "expiring"));
    }

    #[test]
    fn tier_and_segment_reasons() {
        let c = Candidate {
            segment: Some("流失高价值".into()),
            tier_price: Some(("金卡".into(), 80)),
            ..Candidate::default()
        };
        let s = score(
            &c,
            &Affinity::default(),
            &Weights::default(),
            None,
            Lang::Zh,
        );
        let texts: Vec<String> = s.reasons().into_iter().map(|r| r.text).collect();
        assert_eq!(texts, vec!["为「流失高价值」会员准备", "金卡价 80 积分"]);
    }

    #[test]
    fn a_weight_of_zero_turns_its_part_off() {
        let c = Candidate {
            categories: vec!["茶饮".into()],
            short: Some((500, 500)),
            ..Candidate::default()
        };
        let weights = Weights {
            affinity: 0,
            near: 0,
            ..Weights::default()
        };
        let s = score(&c, &tea(), &weights, None, Lang::Zh);
        assert!(s.reasons().is_empty(), "{s:?}");
        assert_eq!(s.parts.len(), 1, "only thrift: {s:?}");
    }

    #[test]
    fn settings_are_checked() {
        let mut s = OfferSettings::default();
        assert!(s.check().is_ok());
        s.weights.near = 1_001;
        assert_eq!(s.check().unwrap_err().0, "weights.near");
        s.weights.near = 10;
        s.boosts.insert("Bad Id".into(), 1);
        assert_eq!(s.check().unwrap_err().0, "boosts");
        s.boosts.clear();
        s.boosts.insert("tea".into(), 5_000);
        assert_eq!(s.check().unwrap_err().0, "boosts.tea");
        s.boosts.clear();
        s.hidden.push(String::new());
        assert_eq!(s.check().unwrap_err().0, "hidden");
        let parsed: Result<OfferSettings, _> = serde_json::from_str(r#"{"weight": {}}"#);
        assert!(parsed.is_err());
    }
}
