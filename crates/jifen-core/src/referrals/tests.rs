use chrono::{Duration, TimeZone, Utc};
use proptest::prelude::*;

use super::*;

fn settings() -> ReferralSettings {
    serde_json::from_value(serde_json::json!({
        "enabled": true,
        "friend_reward": {"points": 100},
        "referrer_reward": {"points": 500},
        "min_purchase": 10_000,
        "within_days": 30,
        "milestones": [{"friends": 2, "factor": 2, "days": 30}],
        "caps": {"per_day": 3, "total": 10},
    }))
    .unwrap()
}

fn at(day: i64) -> Timestamp {
    Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap() + Duration::days(day)
}

#[test]
fn a_code_uses_only_unambiguous_characters() {
    let code = code_for(1, salt_of("demo")).unwrap();
    assert_eq!(code.len(), CODE_LEN);
    assert!(!code.contains(['0', 'O', '1', 'I']), "{code}");
}

#[test]
fn codes_differ_between_programs() {
    assert_ne!(code_for(7, salt_of("a")), code_for(7, salt_of("b")));
    let code = code_for(7, salt_of("a")).unwrap();
    assert_ne!(member_for(&code, salt_of("b")), Some(7));
}

#[test]
fn codes_are_read_in_any_case_with_separators() {
    let salt = salt_of("demo");
    let code = code_for(42, salt).unwrap();
    let typed = format!("{}-{}", &code[..4], &code[4..]).to_lowercase();
    assert_eq!(member_for(&typed, salt), Some(42));
    assert_eq!(member_for("ABC", salt), None);
    assert_eq!(member_for("OOOOOOOO", salt), None);
    assert_eq!(member_for(&format!("{code}2"), salt), None);
}

#[test]
fn ids_beyond_forty_bits_have_no_code() {
    assert_eq!(code_for(-1, 0), None);
    assert_eq!(code_for(1 << 40, 0), None);
    assert!(code_for((1 << 40) - 1, 0).is_some());
}

#[test]
fn settings_are_checked() {
    assert_eq!(settings().check(), Ok(()));
    let mut s = settings();
    s.within_days = 0;
    assert_eq!(s.check().unwrap_err().0, "within_days");
    let mut s = settings();
    s.milestones.push(s.milestones[0].clone());
    assert_eq!(s.check().unwrap_err().0, "milestones[1].friends");
    let mut s = settings();
    s.milestones[0].factor = Factor(1_000);
    assert_eq!(s.check().unwrap_err().0, "milestones[0].factor");
    let mut s = settings();
    s.friend_reward.points = Some(-1);
    assert_eq!(s.check().unwrap_err().0, "friend_reward.points");
}

#[test]
fn screening_refuses_self_referral_and_seen_friends_and_caps() {
    let s = settings();
    let c = |first_seen_on: &'static [i64], today, total| Candidate {
        referrer: 1,
        friend: 2,
        first_seen_on,
        today,
        total,
    };
    assert_eq!(screen(&s, &c(&[], 0, 0)), (Status::Pending, None));
    assert_eq!(screen(&s, &c(&[2, 2], 0, 0)), (Status::Pending, None));
    assert_eq!(
        screen(&s, &c(&[2, 1], 0, 0)),
        (Status::Rejected, Some(Rejection::SelfReferral))
    );
    assert_eq!(
        screen(&s, &c(&[3], 0, 0)),
        (Status::Rejected, Some(Rejection::SeenBefore))
    );
    assert_eq!(screen(&s, &c(&[], 3, 3)), (Status::Capped, None));
    assert_eq!(screen(&s, &c(&[], 0, 10)), (Status::Capped, None));
    let same = Candidate {
        referrer: 2,
        friend: 2,
        first_seen_on: &[],
        today: 0,
        total: 0,
    };
    assert_eq!(screen(&s, &same).1, Some(Rejection::SelfReferral));
    let mut off = settings();
    off.enabled = false;
    assert_eq!(screen(&off, &c(&[], 0, 0)).1, Some(Rejection::ProgramOff));
}

#[test]
fn qualification_needs_the_amount_within_the_window() {
    let s = settings();
    assert!(s.qualifies(at(0), at(30), 10_000));
    assert!(!s.qualifies(at(0), at(30) + Duration::seconds(1), 10_000));
    assert!(!s.qualifies(at(0), at(1), 9_999));
    assert!(!s.qualifies(at(1), at(0), 10_000));
    let signed_up = at(0) + Duration::milliseconds(50);
    assert!(
        s.qualifies(signed_up, at(0), 10_000),
        "a clock a moment behind"
    );
    assert!(!s.qualifies(signed_up, at(0) - Duration::minutes(5), 10_000));
}

#[test]
fn a_refund_below_the_minimum_claws_back() {
    let mut s = settings();
    assert!(!s.claws_back(10_000));
    assert!(s.claws_back(9_999));
    s.claw_back = false;
    assert!(!s.claws_back(0));
    s.claw_back = true;
    s.min_purchase = 0;
    assert!(
        s.claws_back(0),
        "a full refund claws back even with no minimum"
    );
    assert!(!s.claws_back(1));
}

#[test]
fn the_strongest_active_boost_applies() {
    let m = |friends, factor| Milestone {
        friends,
        factor: Factor(factor),
        days: 30,
    };
    let a = Boost::from_milestone(&m(2, 2_000), at(0));
    let b = Boost::from_milestone(&m(5, 3_000), at(10));
    let boosts = [a.clone(), b.clone()];
    assert_eq!(active_boost(&boosts, at(5)), Some(&a));
    assert_eq!(active_boost(&boosts, at(15)), Some(&b));
    assert_eq!(active_boost(&boosts, at(35)), Some(&b));
    assert_eq!(active_boost(&boosts, at(40)), None);
    assert_eq!(active_boost(&boosts, at(-1)), None);
}

proptest! {
    #[test]
    fn codes_round_trip_and_never_collide(a in 0i64..(1 << 40), b in 0i64..(1 << 40), salt: u64) {
        let ca = code_for(a, salt).unwrap();
        prop_assert_eq!(member_for(&ca, salt), Some(a));
        prop_assert!(ca.bytes().all(|c| ALPHABET.contains(&c)));
        if a != b {
            prop_assert_ne!(ca, code_for(b, salt).unwrap());
        }
    }

    #[test]
    fn any_string_decodes_to_an_id_with_that_code(s in "[2-9A-Z]{8}", salt: u64) {
        if let Some(id) = member_for(&s, salt) {
            prop_assert_eq!(code_for(id, salt), Some(s));
        }
    }

    #[test]
    fn each_milestone_is_reached_once(steps in proptest::collection::vec(0u32..3, 0..20)) {
        let s = ReferralSettings {
            milestones: vec![
                Milestone { friends: 1, factor: Factor(1_500), days: 7 },
                Milestone { friends: 2, factor: Factor(2_000), days: 30 },
                Milestone { friends: 5, factor: Factor(3_000), days: 30 },
            ],
            ..settings()
        };
        let mut n = 0;
        let mut reached = Vec::new();
        for step in steps {
            reached.extend(s.milestones_reached(n, n + step).into_iter().map(|m| m.friends));
            n += step;
        }
        let expected: Vec<u32> = [1, 2, 5].into_iter().filter(|f| *f <= n).collect();
        prop_assert_eq!(reached, expected);
    }

    #[test]
    fn screening_never_passes_a_shared_identity(
        seen in proptest::collection::vec(1i64..5, 0..4), today in 0u32..5, total in 0u32..12
    ) {
        let s = settings();
        let c = Candidate { referrer: 1, friend: 2, first_seen_on: &seen, today, total };
        let (status, why) = screen(&s, &c);
        if seen.contains(&1) {
            prop_assert_eq!(why, Some(Rejection::SelfReferral));
        } else if seen.iter().any(|m| *m != 2) {
            prop_assert_eq!(why, Some(Rejection::SeenBefore));
        } else if today >= 3 || total >= 10 {
            prop_assert_eq!(status, Status::Capped);
        } else {
            prop_assert_eq!(status, Status::Pending);
        }
    }
}
