use chrono_tz::Tz;

use super::*;
use crate::Timestamp;

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn tz() -> Tz {
    "Asia/Shanghai".parse().unwrap()
}

fn policy(requalification: Requalification, grace_days: u32) -> TierPolicy {
    serde_json::from_value(serde_json::json!({
        "basis": {"kind": "meter", "meter": "taoqizhi"},
        "tiers": [
            {"id": "standard", "name": "Standard", "threshold": 0},
            {"id": "super", "name": "Super", "threshold": 1000, "benefits": [
                {"id": "x1.5", "kind": "earn_multiplier", "factor": 1.5, "event_types": ["purchase"]},
                {"id": "hotel", "kind": "partner_perk", "partner": "hotel", "perk": "gold"}
            ]},
            {"id": "apass", "name": "APASS", "threshold": 2500}
        ],
        "requalification": serde_json::to_value(requalification).unwrap(),
        "grace_days": grace_days
    }))
    .unwrap()
}

#[test]
fn upgrades_at_once_and_downgrades_only_at_review() {
    let p = policy(Requalification::AfterUpgrade { days: 365 }, 0);
    p.validate().unwrap();
    let s0 = p.initial(at("2026-01-01T00:00:00Z"));
    assert!(
        p.on_activity(&s0, 999, at("2026-02-01T00:00:00Z"), tz())
            .is_none()
    );
    let up = p
        .on_activity(&s0, 1000, at("2026-02-01T00:00:00Z"), tz())
        .unwrap();
    assert_eq!(
        (up.kind, up.from.as_str(), up.to.as_str()),
        (ChangeKind::Upgrade, "standard", "super")
    );
    assert_eq!(up.next.review_at, Some(at("2027-02-01T00:00:00Z")));
    let s1 = up.next;
    // Below the threshold between reviews: nothing changes.
    assert!(
        p.review(&s1, 10, at("2026-12-01T00:00:00Z"), tz())
            .is_none()
    );
    // At the review: kept when qualified, with the next review a year on.
    let kept = p
        .review(&s1, 1200, at("2027-02-01T00:00:00Z"), tz())
        .unwrap();
    assert_eq!(kept.kind, ChangeKind::Requalified);
    assert_eq!(kept.next.since, s1.since);
    assert_eq!(kept.next.review_at, Some(at("2028-02-01T00:00:00Z")));
    // Else lost, down to the tier the figure reaches.
    let down = p.review(&s1, 10, at("2027-02-01T00:00:00Z"), tz()).unwrap();
    assert_eq!(
        (down.kind, down.to.as_str()),
        (ChangeKind::Downgrade, "standard")
    );
    assert_eq!(down.next.review_at, None);
    // Straight to APASS.
    let jump = p
        .on_activity(&s0, 3000, at("2026-02-01T00:00:00Z"), tz())
        .unwrap();
    assert_eq!(jump.to, "apass");
}

#[test]
fn grace_keeps_the_tier_and_activity_can_end_it() {
    let p = policy(Requalification::FixedDate { month: 1, day: 1 }, 30);
    let s0 = p.initial(at("2025-01-01T00:00:00Z"));
    let s1 = p
        .on_activity(&s0, 2600, at("2026-03-05T00:00:00Z"), tz())
        .unwrap()
        .next;
    // The next 1 January at midnight in Shanghai.
    assert_eq!(s1.review_at, Some(at("2026-12-31T16:00:00Z")));
    let review = at("2026-12-31T16:00:00Z");
    let grace = p.review(&s1, 1500, review, tz()).unwrap();
    assert_eq!(grace.kind, ChangeKind::GraceStarted);
    assert_eq!(grace.next.tier, "apass");
    let s2 = grace.next;
    assert!(
        p.review(&s2, 1500, review + chrono::Duration::days(10), tz())
            .is_none()
    );
    // Qualifying again during the grace period ends it.
    let again = p
        .on_activity(&s2, 2500, review + chrono::Duration::days(10), tz())
        .unwrap();
    assert_eq!(
        (again.kind, again.next.grace_until),
        (ChangeKind::Requalified, None)
    );
    // Else the grace period ends in a downgrade to what the figure reaches.
    let down = p
        .review(&s2, 1500, review + chrono::Duration::days(30), tz())
        .unwrap();
    assert_eq!(
        (down.kind, down.to.as_str()),
        (ChangeKind::Downgrade, "super")
    );
    assert!(down.next.review_at.is_some());
}

#[test]
fn overrides_win_until_they_end() {
    let p = policy(Requalification::default(), 0);
    let mut s = p.initial(at("2026-01-01T00:00:00Z"));
    s.override_ = Some(TierOverride {
        tier: "apass".into(),
        reason: "VIP complaint".into(),
        until: at("2026-03-01T00:00:00Z"),
    });
    assert_eq!(p.effective(&s, at("2026-02-01T00:00:00Z")).id, "apass");
    assert_eq!(p.effective(&s, at("2026-03-01T00:00:00Z")).id, "standard");
    let ended = p.review(&s, 0, at("2026-03-02T00:00:00Z"), tz()).unwrap();
    assert_eq!(ended.kind, ChangeKind::OverrideEnded);
    assert_eq!(ended.next.override_, None);
}

#[test]
fn progress_names_what_is_left() {
    let p = policy(Requalification::default(), 0);
    let s = p.initial(at("2026-01-01T00:00:00Z"));
    let pr = p.progress(&s, 660);
    assert_eq!(pr.next_tier.as_deref(), Some("super"));
    assert_eq!(pr.missing, Some(340));
    let top = p
        .on_activity(&s, 2600, at("2026-02-01T00:00:00Z"), tz())
        .unwrap()
        .next;
    assert_eq!(p.progress(&top, 2600).next_tier, None);
    assert_eq!(p.progress(&top, 2600).keep_threshold, 2500);
}

#[test]
fn benefits_read_as_data() {
    let p = policy(Requalification::default(), 0);
    let sup = &p.tiers[1];
    assert_eq!(
        TierPolicy::earn_factor(sup, "purchase").map(|(id, f)| (id, f.0)),
        Some(("x1.5", 1_500))
    );
    assert!(TierPolicy::earn_factor(sup, "review").is_none());
    assert!(TierPolicy::perks(sup).contains(&("hotel", "gold")));
    let mut evaluation = crate::rules::Evaluation::default();
    evaluation.awards.push(crate::rules::Award {
        rule: "r".into(),
        version: 1,
        points: 101,
        pending_days: None,
        expiry: None,
    });
    apply_earn_multiplier(&mut evaluation, "super", crate::rules::Factor(1_500));
    assert_eq!(evaluation.points(), 151);
    assert_eq!(
        Every::Quarter.period(at("2026-11-28T00:00:00Z"), tz()),
        "2026-Q4"
    );
}

#[test]
fn bad_policies_name_the_field() {
    let mut p = policy(Requalification::default(), 0);
    p.tiers[2].threshold = 900;
    assert_eq!(p.validate().unwrap_err().field, "tiers[2].threshold");
    let mut p = policy(Requalification::default(), 0);
    p.tiers[0].threshold = 5;
    assert_eq!(p.validate().unwrap_err().field, "tiers[0].threshold");
    let mut p = policy(Requalification::FixedDate { month: 2, day: 30 }, 0);
    assert_eq!(p.validate().unwrap_err().field, "requalification");
    p.requalification = Requalification::default();
    p.tiers[1].benefits[0].kind = BenefitKind::EarnMultiplier {
        factor: crate::rules::Factor(900),
        event_types: vec![],
    };
    assert_eq!(
        p.validate().unwrap_err().field,
        "tiers[1].benefits[0].factor"
    );
}
