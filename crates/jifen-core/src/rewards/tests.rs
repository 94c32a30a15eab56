use std::collections::BTreeMap;

use chrono::Duration;
use chrono_tz::Tz;
use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::Timestamp;

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn now() -> Timestamp {
    at("2026-05-20T12:00:00Z")
}

fn title(en: &str) -> Localized {
    Localized::from([("en".to_owned(), en.to_owned())])
}

fn template(v: serde_json::Value) -> VoucherTemplate {
    let t: VoucherTemplate = serde_json::from_value(v).unwrap();
    t.validate().unwrap();
    t
}

fn line(sku: &str, category: Option<&str>, price: i64, quantity: u32) -> Line {
    Line {
        sku: sku.into(),
        category: category.map(Into::into),
        price,
        quantity,
    }
}

fn cart(lines: Vec<Line>) -> Cart {
    Cart { site: None, lines }
}

fn candidate<'a>(code: &str, terms: &'a VoucherTemplate) -> Candidate<'a> {
    Candidate {
        code: code.into(),
        template_id: format!("t-{}", code.to_lowercase()),
        terms,
        valid_from: None,
        valid_until: None,
        automatic: terms.automatic,
        blocked: None,
    }
}

fn no_points() -> PointsAsk {
    PointsAsk::default()
}

fn ladder() -> VoucherTemplate {
    template(json!({
        "title": {"zh-CN": "满减", "en": "Spend more, save more"},
        "discount": {"kind": "ladder", "rungs": [
            {"min_spend": 19_900, "off": 2_000},
            {"min_spend": 39_900, "off": 5_000},
            {"min_spend": 69_900, "off": 10_000}
        ]}
    }))
}

// ---- money and text ----

#[test]
fn yuan_prints_whole_yuan_without_decimals() {
    assert_eq!(yuan(4_100), "¥41");
    assert_eq!(yuan(4_150), "¥41.50");
    assert_eq!(yuan(4_105), "¥41.05");
    assert_eq!(yuan(-300), "-¥3");
    assert_eq!(yuan(0), "¥0");
    assert_eq!(yuan(5), "¥0.05");
    assert_eq!(yuan(-5), "-¥0.05");
    assert_eq!(yuan(i64::MIN), "-¥92233720368547758.08");
    assert_eq!(grouped(1_500), "1,500");
    assert_eq!(grouped(-1_234_567), "-1,234,567");
    assert_eq!(grouped(999), "999");
}

#[test]
fn titles_fall_back_from_the_language_to_chinese_to_english_to_any() {
    let mut t = ladder();
    assert_eq!(t.title_in("en"), "Spend more, save more");
    assert_eq!(t.title_in("fr"), "满减");
    t.title.remove("zh-CN");
    assert_eq!(t.title_in("fr"), "Spend more, save more");
    t.title = Localized::from([("ja".to_owned(), "割引".to_owned())]);
    assert_eq!(t.title_in("fr"), "割引");
    t.title.clear();
    assert_eq!(t.title_in("fr"), "");
}

// ---- voucher templates ----

#[test]
fn templates_read_with_defaults_and_refuse_unknown_fields() {
    let t =
        template(json!({"title": {"en": "¥10 off"}, "discount": {"kind": "amount", "off": 1000}}));
    assert_eq!(t.max_uses, 1);
    assert!(t.giftable);
    assert!(!t.automatic);
    assert_eq!(
        t.stacking,
        Stacking {
            group: None,
            combinable: true
        }
    );
    assert_eq!(t.validity, Validity::default());
    let back: VoucherTemplate = serde_json::from_value(serde_json::to_value(&t).unwrap()).unwrap();
    assert_eq!(back, t);
    assert!(
        serde_json::from_value::<VoucherTemplate>(
            json!({"title": {"en": "x"}, "discount": {"kind": "amount", "off": 1}, "colour": "red"})
        )
        .is_err()
    );
    assert!(
        serde_json::from_value::<VoucherTemplate>(
            json!({"title": {"en": "x"}, "discount": {"kind": "amount", "off": 1, "percent": 3}})
        )
        .is_err()
    );
    assert!(
        serde_json::from_value::<VoucherTemplate>(
            json!({"title": {"en": "x"}, "discount": {"kind": "amount", "off": 1}, "stacking": {"grp": "a"}})
        )
        .is_err()
    );
}

#[test]
fn template_validation_names_the_field() {
    let base = json!({"title": {"en": "x"}, "discount": {"kind": "amount", "off": 1000}});
    let check = |patch: serde_json::Value| {
        let mut v = base.clone();
        for (k, x) in patch.as_object().unwrap() {
            v[k] = x.clone();
        }
        let t: VoucherTemplate = serde_json::from_value(v).unwrap();
        t.validate().map_err(|(f, _)| f)
    };
    assert_eq!(check(json!({})), Ok(()));
    assert_eq!(check(json!({"title": {"en": " "}})), Err("title".into()));
    assert_eq!(
        check(json!({"discount": {"kind": "amount", "off": 0}})),
        Err("discount.off".into())
    );
    assert_eq!(
        check(json!({"discount": {"kind": "amount", "off": 10_000_000_001_i64}})),
        Err("discount.off".into())
    );
    assert_eq!(
        check(json!({"discount": {"kind": "percent", "percent": 101}})),
        Err("discount.percent".into())
    );
    assert_eq!(
        check(json!({"discount": {"kind": "percent", "percent": 10, "max_off": 0}})),
        Err("discount.max_off".into())
    );
    assert_eq!(
        check(json!({"discount": {"kind": "ladder", "rungs": []}})),
        Err("discount.rungs".into())
    );
    assert_eq!(
        check(json!({"discount": {"kind": "ladder", "rungs": [
            {"min_spend": 100, "off": 10}, {"min_spend": 200, "off": 10}]}})),
        Err("discount.rungs[1].off".into())
    );
    assert_eq!(
        check(json!({"discount": {"kind": "ladder", "rungs": [
            {"min_spend": 100, "off": 10}, {"min_spend": 100, "off": 20}]}})),
        Err("discount.rungs[1].min_spend".into())
    );
    assert_eq!(
        check(json!({"discount": {"kind": "ladder", "rungs": [{"min_spend": -1, "off": 10}]}})),
        Err("discount.rungs[0].min_spend".into())
    );
    let eleven: Vec<_> = (1..=11)
        .map(|i| json!({"min_spend": i * 100, "off": i}))
        .collect();
    assert_eq!(
        check(json!({"discount": {"kind": "ladder", "rungs": eleven}})),
        Err("discount.rungs".into())
    );
    assert_eq!(check(json!({"min_spend": -1})), Err("min_spend".into()));
    assert_eq!(
        check(json!({"validity": {"days": 0}})),
        Err("validity.days".into())
    );
    assert_eq!(
        check(json!({"validity": {"days": 3651}})),
        Err("validity.days".into())
    );
    assert_eq!(
        check(json!({"validity": {"days": 3, "until": "2026-06-01T00:00:00Z"}})),
        Err("validity.days".into())
    );
    assert_eq!(
        check(json!({"validity": {"days": 3}, "automatic": true})),
        Err("validity.days".into())
    );
    assert_eq!(
        check(
            json!({"validity": {"from": "2026-06-01T00:00:00Z", "until": "2026-06-01T00:00:00Z"}})
        ),
        Err("validity.until".into())
    );
    assert_eq!(
        check(json!({"stacking": {"group": "Platform"}})),
        Err("stacking.group".into())
    );
    assert_eq!(
        check(json!({"stacking": {"group": "a".repeat(41)}})),
        Err("stacking.group".into())
    );
    assert_eq!(check(json!({"stacking": {"group": "shop_1-a"}})), Ok(()));
    assert_eq!(check(json!({"max_uses": 0})), Err("max_uses".into()));
    assert_eq!(
        check(json!({"max_uses": 1_000_001})),
        Err("max_uses".into())
    );
    assert_eq!(
        check(json!({"code_prefix": "CN0"})),
        Err("code_prefix".into())
    );
    assert_eq!(check(json!({"code_prefix": "CNY"})), Ok(()));
    assert_eq!(
        check(json!({"restrictions": {"sites": ["store:*:x"]}})),
        Err("restrictions.sites[0]".into())
    );
}

#[test]
fn windows_and_cash_vouchers() {
    let cash = VoucherTemplate::cash(title("¥5"), 500, 30);
    cash.validate().unwrap();
    assert_eq!(cash.discount, Discount::Amount { off: 500 });
    assert_eq!(cash.max_uses, 1);
    assert!(cash.stacking.combinable && cash.stacking.group.is_none());
    assert_eq!(
        cash.window(now()),
        (Some(now()), Some(now() + Duration::days(30)))
    );
    let dated = template(json!({
        "title": {"en": "x"}, "discount": {"kind": "amount", "off": 1},
        "validity": {"until": "2026-06-01T00:00:00Z"}
    }));
    assert_eq!(
        dated.window(now()),
        (None, Some(at("2026-06-01T00:00:00Z")))
    );
    assert_eq!(ladder().window(now()), (None, None));
}

// ---- quotes ----

#[test]
fn ladder_gives_the_rung_reached_and_hints_the_next() {
    let t = ladder();
    let q = quote(
        &cart(vec![line("tea", None, 35_800, 1)]),
        &[candidate("LADDER", &t)],
        None,
        no_points(),
        now(),
    );
    let v = &q.vouchers[0];
    assert!(v.applies);
    assert_eq!(v.discount, 2_000);
    assert_eq!((q.subtotal, q.discount, q.total), (35_800, 2_000, 33_800));
    let l = v.ladder.as_ref().unwrap();
    assert_eq!(
        l.reached,
        Some(Rung {
            min_spend: 19_900,
            off: 2_000
        })
    );
    assert_eq!(
        l.next,
        Some(Rung {
            min_spend: 39_900,
            off: 5_000
        })
    );
    assert_eq!(l.short_by, Some(4_100));
    assert_eq!(l.hint.as_deref(), Some("spend ¥41 more for ¥50 off"));

    // Below the first rung: refused, with the way up.
    let q = quote(
        &cart(vec![line("tea", None, 15_800, 1)]),
        &[candidate("LADDER", &t)],
        None,
        no_points(),
        now(),
    );
    let v = &q.vouchers[0];
    assert!(!v.applies);
    let reason = v.reason.clone().unwrap();
    assert_eq!(
        reason,
        Reason::LadderNotReached {
            first: Rung {
                min_spend: 19_900,
                off: 2_000
            },
            short_by: 4_100
        }
    );
    assert_eq!(reason.message(), "spend ¥41 more for ¥20 off");
    assert_eq!(v.ladder.as_ref().unwrap().reached, None);
    assert_eq!(
        v.ladder.as_ref().unwrap().hint.as_deref(),
        Some("spend ¥41 more for ¥20 off")
    );

    // At the top rung: no hint.
    let q = quote(
        &cart(vec![line("tea", None, 70_000, 1)]),
        &[candidate("LADDER", &t)],
        None,
        no_points(),
        now(),
    );
    let l = q.vouchers[0].ladder.clone().unwrap();
    assert_eq!(q.vouchers[0].discount, 10_000);
    assert_eq!((l.next, l.short_by, l.hint), (None, None, None));
}

#[test]
fn percent_is_rounded_down_and_capped() {
    let t = template(json!({
        "title": {"en": "12% off, at most ¥30"},
        "discount": {"kind": "percent", "percent": 12, "max_off": 3_000}
    }));
    let q = quote(
        &cart(vec![line("a", None, 9_999, 1)]),
        &[candidate("P", &t)],
        None,
        no_points(),
        now(),
    );
    assert_eq!(q.vouchers[0].discount, 1_199);
    let q = quote(
        &cart(vec![line("a", None, 100_000, 1)]),
        &[candidate("P", &t)],
        None,
        no_points(),
        now(),
    );
    assert_eq!(q.vouchers[0].discount, 3_000);
    assert_eq!(q.total, 97_000);
}

#[test]
fn amount_is_at_most_the_eligible_subtotal_and_min_spend_counts_eligible_lines() {
    let t = template(json!({
        "title": {"en": "¥50 off shoes over ¥300"},
        "discount": {"kind": "amount", "off": 5_000},
        "min_spend": 30_000,
        "restrictions": {"categories": ["shoes"]}
    }));
    let c = cart(vec![
        line("run", Some("shoes"), 25_900, 1),
        line("sock", Some("socks"), 9_900, 2),
    ]);
    let q = quote(&c, &[candidate("S", &t)], None, no_points(), now());
    let v = &q.vouchers[0];
    assert_eq!(v.eligible_subtotal, 25_900);
    let reason = v.reason.clone().unwrap();
    assert_eq!(
        reason,
        Reason::MinSpend {
            min_spend: 30_000,
            short_by: 4_100
        }
    );
    assert_eq!(reason.message(), "spend ¥41 more to use this voucher");
    assert_eq!(reason.code(), "min_spend_not_met");

    let small =
        template(json!({"title": {"en": "x"}, "discount": {"kind": "amount", "off": 5_000}}));
    let q = quote(
        &cart(vec![line("pen", None, 300, 1)]),
        &[candidate("X", &small)],
        None,
        no_points(),
        now(),
    );
    assert_eq!((q.vouchers[0].discount, q.total), (300, 0));
}

#[test]
fn restrictions_by_sku_category_exclusion_and_site() {
    let t = template(json!({
        "title": {"en": "x"},
        "discount": {"kind": "percent", "percent": 10},
        "restrictions": {
            "skus": ["gift-box"],
            "categories": ["tea"],
            "exclude_skus": ["tea-rare"],
            "exclude_categories": ["tobacco"],
            "sites": ["store:*", "app"]
        }
    }));
    let lines = vec![
        line("gift-box", Some("tobacco"), 10_000, 1), // sku listed but category excluded
        line("gift-box", None, 20_000, 1),            // by sku
        line("green", Some("tea"), 3_000, 2),         // by category
        line("tea-rare", Some("tea"), 50_000, 1),     // excluded sku
        line("cup", Some("ware"), 7_000, 1),          // neither
    ];
    let mut c = Cart {
        site: Some("store:shanghai-1".into()),
        lines,
    };
    let q = quote(&c, &[candidate("R", &t)], None, no_points(), now());
    assert_eq!(q.vouchers[0].eligible_subtotal, 26_000);
    assert_eq!(q.vouchers[0].discount, 2_600);

    c.site = Some("app".into());
    assert!(quote(&c, &[candidate("R", &t)], None, no_points(), now()).vouchers[0].applies);

    for site in [Some("web"), Some("stor"), Some("app2"), None] {
        c.site = site.map(Into::into);
        let q = quote(&c, &[candidate("R", &t)], None, no_points(), now());
        assert_eq!(
            q.vouchers[0].reason,
            Some(Reason::SiteNotAllowed {
                site: site.map(Into::into)
            })
        );
        assert_eq!(q.vouchers[0].eligible_subtotal, 0);
    }

    c.site = Some("app".into());
    c.lines = vec![line("cup", Some("ware"), 7_000, 1)];
    let q = quote(&c, &[candidate("R", &t)], None, no_points(), now());
    assert_eq!(q.vouchers[0].reason, Some(Reason::NoEligibleLines));
}

#[test]
fn blocked_duplicate_and_validity_come_first() {
    let t = template(json!({"title": {"en": "x"}, "discount": {"kind": "amount", "off": 100}}));
    let c = cart(vec![line("a", None, 1_000, 1)]);
    let mut blocked = candidate("B", &t);
    blocked.blocked = Some(Reason::UsedUp { max_uses: 1 });
    let mut early = candidate("E", &t);
    early.valid_from = Some(now() + Duration::seconds(1));
    let mut late = candidate("L", &t);
    late.valid_until = Some(now());
    let mut edge = candidate("F", &t);
    edge.valid_from = Some(now());
    edge.valid_until = Some(now() + Duration::seconds(1));
    let q = quote(
        &c,
        &[
            blocked,
            candidate("A", &t),
            candidate("A", &t),
            early,
            late,
            edge,
        ],
        None,
        no_points(),
        now(),
    );
    let reasons: Vec<_> = q.vouchers.iter().map(|v| v.reason.clone()).collect();
    assert_eq!(
        reasons,
        vec![
            Some(Reason::UsedUp { max_uses: 1 }),
            None,
            Some(Reason::Duplicate),
            Some(Reason::NotYetValid {
                from: now() + Duration::seconds(1)
            }),
            Some(Reason::Expired { until: now() }),
            None,
        ]
    );
    assert_eq!(q.discount, 200);
    assert_eq!(q.vouchers[0].template, "t-b");
}

#[test]
fn one_voucher_per_group_the_bigger_one() {
    let small = template(
        json!({"title": {"en": "x"}, "discount": {"kind": "amount", "off": 1_000},
        "stacking": {"group": "platform"}}),
    );
    let big = template(
        json!({"title": {"en": "x"}, "discount": {"kind": "amount", "off": 3_000},
        "stacking": {"group": "platform"}}),
    );
    let other = template(json!({"title": {"en": "x"}, "discount": {"kind": "amount", "off": 500}}));
    let c = cart(vec![line("a", None, 50_000, 1)]);
    let q = quote(
        &c,
        &[
            candidate("SMALL", &small),
            candidate("BIG", &big),
            candidate("OTHER", &other),
        ],
        None,
        no_points(),
        now(),
    );
    assert!(!q.vouchers[0].applies);
    assert_eq!(
        q.vouchers[0].reason,
        Some(Reason::GroupConflict {
            group: "platform".into(),
            with: "BIG".into()
        })
    );
    assert_eq!(q.vouchers[0].discount, 0);
    assert_eq!(q.vouchers[0].eligible_subtotal, 50_000);
    assert!(q.vouchers[1].applies && q.vouchers[2].applies);
    assert_eq!(q.discount, 3_500);

    // Equal ones: the earlier is kept.
    let q = quote(
        &c,
        &[candidate("X", &big), candidate("Y", &big)],
        None,
        no_points(),
        now(),
    );
    assert!(q.vouchers[0].applies);
    assert_eq!(
        q.vouchers[1].reason,
        Some(Reason::GroupConflict {
            group: "platform".into(),
            with: "X".into()
        })
    );
}

#[test]
fn a_non_combinable_voucher_applies_alone_when_it_gives_more() {
    let alone = template(
        json!({"title": {"en": "x"}, "discount": {"kind": "amount", "off": 4_000},
        "stacking": {"combinable": false}}),
    );
    let a = template(json!({"title": {"en": "x"}, "discount": {"kind": "amount", "off": 1_500}}));
    let b = template(json!({"title": {"en": "x"}, "discount": {"kind": "amount", "off": 2_000}}));
    let c = cart(vec![line("a", None, 50_000, 1)]);
    let q = quote(
        &c,
        &[
            candidate("A", &a),
            candidate("ALONE", &alone),
            candidate("B", &b),
        ],
        None,
        no_points(),
        now(),
    );
    assert_eq!(q.discount, 4_000);
    assert!(q.vouchers[1].applies);
    for i in [0, 2] {
        assert_eq!(
            q.vouchers[i].reason,
            Some(Reason::NotCombinable {
                with: "ALONE".into()
            })
        );
    }

    // Two combinable ones that give more together win, and say what excluded the other.
    let b = template(json!({"title": {"en": "x"}, "discount": {"kind": "amount", "off": 3_000}}));
    let q = quote(
        &c,
        &[
            candidate("A", &a),
            candidate("ALONE", &alone),
            candidate("B", &b),
        ],
        None,
        no_points(),
        now(),
    );
    assert_eq!(q.discount, 4_500);
    assert!(q.vouchers[0].applies && q.vouchers[2].applies);
    assert_eq!(
        q.vouchers[1].reason,
        Some(Reason::NotCombinable { with: "A".into() })
    );
    assert_eq!(
        q.vouchers[1].reason.as_ref().unwrap().message(),
        "cannot be combined with A"
    );
}

#[test]
fn together_vouchers_take_at_most_the_subtotal() {
    let a = template(json!({"title": {"en": "x"}, "discount": {"kind": "amount", "off": 700}}));
    let b = template(json!({"title": {"en": "x"}, "discount": {"kind": "amount", "off": 600}}));
    let d = template(json!({"title": {"en": "x"}, "discount": {"kind": "amount", "off": 200}}));
    let c = cart(vec![line("a", None, 1_000, 1)]);
    let q = quote(
        &c,
        &[candidate("A", &a), candidate("B", &b), candidate("D", &d)],
        None,
        no_points(),
        now(),
    );
    assert_eq!((q.discount, q.total), (1_000, 0));
    assert_eq!(q.vouchers[0].discount, 700);
    assert_eq!(q.vouchers[1].discount, 300);
    // The last one gives nothing, so it is not used up.
    assert!(!q.vouchers[2].applies);
    assert_eq!(q.vouchers[2].reason, Some(Reason::NotNeeded));
    let sum: i64 = q.vouchers.iter().map(|v| v.discount).sum();
    assert_eq!(sum, q.discount);
}

#[test]
fn automatic_vouchers_stack_with_codes() {
    let auto = template(
        json!({"title": {"en": "x"}, "discount": {"kind": "amount", "off": 300},
        "automatic": true}),
    );
    let code =
        template(json!({"title": {"en": "x"}, "discount": {"kind": "amount", "off": 1_000}}));
    let q = quote(
        &cart(vec![line("a", None, 5_000, 1)]),
        &[
            candidate("7KQ2MX9RTB4H", &code),
            candidate("auto:spring", &auto),
        ],
        None,
        no_points(),
        now(),
    );
    assert!(q.vouchers[1].automatic);
    assert_eq!(q.discount, 1_300);
}

fn cash_1to1() -> CashSettings {
    CashSettings {
        points: 100,
        fen: 100,
        max_share_percent: 50,
    }
}

#[test]
fn points_pay_up_to_the_share_and_balance() {
    let c = cart(vec![line("a", None, 3_000, 1)]);
    let q = |requested, available, cash: Option<&CashSettings>| {
        quote(
            &c,
            &[],
            cash,
            PointsAsk {
                requested,
                available,
            },
            now(),
        )
        .points
    };
    let cash = cash_1to1();
    cash.validate().unwrap();
    // 100 points = ¥1 → 1 point = 1 fen. Half of ¥30 is 1,500 points.
    let p = q(1_000, 5_000, Some(&cash));
    assert_eq!(
        (p.used, p.value, p.max_points, p.max_value, p.reason.clone()),
        (1_000, 1_000, 1_500, 1_500, None)
    );
    let p = q(2_000, 5_000, Some(&cash));
    assert_eq!((p.used, p.value), (1_500, 1_500));
    let reason = p.reason.unwrap();
    assert_eq!(
        reason,
        Reason::PointsCapped {
            max_points: 1_500,
            max_share_percent: 50
        }
    );
    assert_eq!(
        reason.message(),
        "at most 1,500 points (50% of the order) can pay for this order"
    );
    let full = quote(
        &c,
        &[],
        Some(&cash),
        PointsAsk {
            requested: 2_000,
            available: 5_000,
        },
        now(),
    );
    assert_eq!(full.total, 1_500);

    let p = q(1_000, 400, Some(&cash));
    assert_eq!((p.used, p.max_points), (400, 400));
    assert_eq!(
        p.reason,
        Some(Reason::InsufficientPoints { available: 400 })
    );
    let p = q(1_000, -50, Some(&cash));
    assert_eq!(
        (p.used, p.reason),
        (0, Some(Reason::InsufficientPoints { available: 0 }))
    );

    let p = q(0, 5_000, Some(&cash));
    assert_eq!((p.used, p.reason, p.max_points), (0, None, 1_500));
    let p = q(0, 5_000, None);
    assert_eq!((p.used, p.reason, p.max_points), (0, None, 0));
    let p = q(10, 5_000, None);
    assert_eq!((p.used, p.reason), (0, Some(Reason::PointsNotAccepted)));
}

#[test]
fn points_round_down_to_whole_steps() {
    // 150 points = ¥1 → 3 points = 2 fen.
    let cash = CashSettings {
        points: 150,
        fen: 100,
        max_share_percent: 100,
    };
    let c = cart(vec![line("a", None, 10_000, 1)]);
    let p = quote(
        &c,
        &[],
        Some(&cash),
        PointsAsk {
            requested: 1_000,
            available: 5_000,
        },
        now(),
    )
    .points;
    assert_eq!((p.used, p.value), (999, 666));
    assert_eq!(p.reason, Some(Reason::PointsRounded { step: 3 }));
    assert_eq!(p.reason.unwrap().message(), "points pay in steps of 3");
    let p = quote(
        &c,
        &[],
        Some(&cash),
        PointsAsk {
            requested: 999,
            available: 5_000,
        },
        now(),
    )
    .points;
    assert_eq!((p.used, p.value, p.reason), (999, 666, None));
    // The whole order: ¥100 is 15,000 points; the balance caps first.
    let p = quote(
        &c,
        &[],
        Some(&cash),
        PointsAsk {
            requested: 20_000,
            available: 5_000,
        },
        now(),
    )
    .points;
    assert_eq!((p.used, p.value, p.max_points), (4_998, 3_332, 4_998));
    assert_eq!(
        p.reason,
        Some(Reason::InsufficientPoints { available: 5_000 })
    );
}

#[test]
fn points_pay_on_what_vouchers_leave() {
    let t = template(json!({"title": {"en": "x"}, "discount": {"kind": "amount", "off": 1_000}}));
    let cash = cash_1to1();
    let q = quote(
        &cart(vec![line("a", None, 3_000, 1)]),
        &[candidate("A", &t)],
        Some(&cash),
        PointsAsk {
            requested: 5_000,
            available: 5_000,
        },
        now(),
    );
    assert_eq!((q.discount, q.points.used, q.total), (1_000, 1_000, 1_000));
}

#[test]
fn cart_and_cash_validation() {
    let mut c = cart(vec![line("a", None, 100, 1)]);
    assert_eq!(c.validate(), Ok(()));
    c.lines.push(line("b", None, -1, 1));
    assert_eq!(c.validate().unwrap_err().0, "cart.lines[1].price");
    c.lines[1] = line("b", None, 1, 0);
    assert_eq!(c.validate().unwrap_err().0, "cart.lines[1].quantity");
    c.lines[1] = line("", None, 1, 1);
    assert_eq!(c.validate().unwrap_err().0, "cart.lines[1].sku");
    c.lines[1] = line(&"x".repeat(101), None, 1, 1);
    assert_eq!(c.validate().unwrap_err().0, "cart.lines[1].sku");
    assert_eq!(cart(vec![]).validate().unwrap_err().0, "cart.lines");
    assert_eq!(
        cart(vec![line("a", None, 1, 1); 501])
            .validate()
            .unwrap_err()
            .0,
        "cart.lines"
    );
    assert!(serde_json::from_value::<Cart>(json!({"lines": [], "coupon": "x"})).is_err());

    assert_eq!(
        CashSettings {
            points: 0,
            ..cash_1to1()
        }
        .validate()
        .unwrap_err()
        .0,
        "points"
    );
    assert_eq!(
        CashSettings {
            fen: 1_000_001,
            ..cash_1to1()
        }
        .validate()
        .unwrap_err()
        .0,
        "fen"
    );
    assert_eq!(
        CashSettings {
            max_share_percent: 0,
            ..cash_1to1()
        }
        .validate()
        .unwrap_err()
        .0,
        "max_share_percent"
    );
}

#[test]
fn reasons_serialize_with_code_message_and_data_and_round_trip() {
    let r = Reason::MinSpend {
        min_spend: 30_000,
        short_by: 4_100,
    };
    assert_eq!(
        serde_json::to_value(&r).unwrap(),
        json!({"code": "min_spend_not_met", "message": "spend ¥41 more to use this voucher",
            "min_spend": 30_000, "short_by": 4_100})
    );
    assert_eq!(
        serde_json::to_value(Reason::SiteNotAllowed { site: None }).unwrap(),
        json!({"code": "site_not_allowed", "message": "this voucher cannot be used here", "site": null})
    );
    let all = vec![
        Reason::UnknownCode,
        Reason::Mistyped,
        Reason::NotYours,
        Reason::UsedUp { max_uses: 3 },
        Reason::UsedByYou,
        Reason::Reserved,
        Reason::Gifted,
        Reason::Cancelled,
        Reason::NotYetValid { from: now() },
        Reason::Expired { until: now() },
        Reason::SiteNotAllowed {
            site: Some("web".into()),
        },
        Reason::SiteNotAllowed { site: None },
        Reason::NotInSegment {
            segments: vec!["lapsed-vip".into()],
        },
        Reason::NoEligibleLines,
        Reason::MinSpend {
            min_spend: 1,
            short_by: 1,
        },
        Reason::LadderNotReached {
            first: Rung {
                min_spend: 2,
                off: 1,
            },
            short_by: 2,
        },
        Reason::GroupConflict {
            group: "g".into(),
            with: "X".into(),
        },
        Reason::NotCombinable { with: "X".into() },
        Reason::Duplicate,
        Reason::NotNeeded,
        Reason::PointsNotAccepted,
        Reason::InsufficientPoints { available: 4 },
        Reason::PointsCapped {
            max_points: 1_500,
            max_share_percent: 50,
        },
        Reason::PointsRounded { step: 3 },
    ];
    let mut codes = std::collections::BTreeSet::new();
    for r in all {
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["code"], r.code());
        assert_eq!(v["message"], r.message());
        assert!(!r.message().is_empty());
        assert!(codes.insert(r.code()) || matches!(r, Reason::SiteNotAllowed { .. }));
        assert_eq!(serde_json::from_value::<Reason>(v).unwrap(), r);
    }
    assert_eq!(Reason::UnknownCode.message(), "no voucher has this code");
    assert_eq!(
        Reason::Mistyped.message(),
        "this code has a typo: check it again"
    );
    assert!(serde_json::from_value::<Reason>(json!({"code": "expired"})).is_err());
    assert!(serde_json::from_value::<Reason>(json!({"code": "nope"})).is_err());
    assert_eq!(
        serde_json::from_value::<Reason>(json!({"code": "duplicate"})).unwrap(),
        Reason::Duplicate
    );
}

#[test]
fn quotes_round_trip_as_json() {
    let t = ladder();
    let q = quote(
        &cart(vec![line("tea", None, 35_800, 1)]),
        &[candidate("LADDER", &t), candidate("LADDER", &t)],
        Some(&cash_1to1()),
        PointsAsk {
            requested: 7,
            available: 3,
        },
        now(),
    );
    let v = serde_json::to_value(&q).unwrap();
    assert_eq!(
        v["vouchers"][0]["ladder"]["hint"],
        "spend ¥41 more for ¥50 off"
    );
    assert!(v["vouchers"][0].get("reason").is_none());
    assert_eq!(v["vouchers"][1]["reason"]["code"], "duplicate");
    assert_eq!(v["points"]["reason"]["code"], "insufficient_points");
    assert_eq!(serde_json::from_value::<Quote>(v).unwrap(), q);
}

// ---- the catalog ----

fn tz() -> Tz {
    "Asia/Shanghai".parse().unwrap()
}

fn reward(v: serde_json::Value) -> RewardSpec {
    let r: RewardSpec = serde_json::from_value(v).unwrap();
    r.validate().unwrap();
    r
}

struct Who {
    tier: Option<&'static str>,
    titles: BTreeMap<String, String>,
    tags: Vec<String>,
    hours: u32,
    points: i64,
}

impl Who {
    fn new(tier: Option<&'static str>) -> Who {
        Who {
            tier,
            titles: BTreeMap::from([
                ("standard".to_owned(), "Standard".to_owned()),
                ("super".to_owned(), "Super".to_owned()),
                ("apass".to_owned(), "APASS".to_owned()),
            ]),
            tags: vec![],
            hours: 0,
            points: 10_000,
        }
    }

    fn view(&self) -> MemberView<'_> {
        MemberView {
            tier: self.tier,
            tier_titles: &self.titles,
            tags: &self.tags,
            tier_early_access_hours: self.hours,
            condition: None,
            segments: &[],
            available_points: self.points,
            redeemed_lifetime: 0,
            redeemed_in_period: 0,
            stock_left: None,
        }
    }
}

#[test]
fn reward_specs_keep_the_flat_json_shape_and_refuse_unknown_fields() {
    let v = json!({
        "kind": "voucher", "template": "spring-20",
        "title": {"en": "¥20 off"}, "cost": 2_000
    });
    let r = reward(v);
    assert_eq!(
        r.kind,
        RewardKind::Voucher {
            template: "spring-20".into()
        }
    );
    assert_eq!(
        r.limits,
        Limits {
            lifetime: None,
            per_period: None,
            per_redemption: 10
        }
    );
    assert_eq!(r.status, RewardStatus::Active);
    let back = serde_json::to_value(&r).unwrap();
    assert_eq!(back["kind"], "voucher");
    assert_eq!(back["template"], "spring-20");
    assert_eq!(serde_json::from_value::<RewardSpec>(back).unwrap(), r);

    for kind in [
        json!({"kind": "physical", "shipping": true}),
        json!({"kind": "physical"}),
        json!({"kind": "partner_perk", "partner": "hotel"}),
        json!({"kind": "partner_perk"}),
        json!({"kind": "points_as_cash", "value": 500}),
    ] {
        let mut v = kind.clone();
        v["title"] = json!({"en": "x"});
        v["cost"] = json!(1);
        let r = reward(v);
        let back = serde_json::to_value(&r).unwrap();
        assert_eq!(serde_json::from_value::<RewardSpec>(back).unwrap(), r);
    }
    let cash =
        reward(json!({"kind": "points_as_cash", "value": 500, "title": {"en": "x"}, "cost": 500}));
    assert_eq!(
        cash.kind,
        RewardKind::PointsAsCash {
            value: 500,
            valid_days: 30
        }
    );
    assert_eq!(cash.kind.initial_status(), RedemptionStatus::Issued);

    let refused = |v: serde_json::Value| {
        serde_json::from_value::<RewardSpec>(v)
            .unwrap_err()
            .to_string()
    };
    assert!(
        refused(json!({"kind": "voucher", "template": "t", "title": {}, "cost": 1, "price": 3}))
            .contains("price")
    );
    assert!(
        refused(json!({"kind": "physical", "template": "t", "title": {}, "cost": 1}))
            .contains("template")
    );
    assert!(refused(json!({"kind": "voucher", "title": {}, "cost": 1})).contains("template"));
    assert!(refused(json!({"kind": "points_as_cash", "title": {}, "cost": 1})).contains("value"));
    assert!(refused(json!({"kind": "lottery", "title": {}, "cost": 1})).contains("lottery"));
    assert!(
        refused(json!({"kind": "physical", "title": {}, "cost": 1, "limits": {"per_day": 1}}))
            .contains("per_day")
    );

    // The kind on its own reads and writes the same fields.
    assert_eq!(
        serde_json::to_value(RewardKind::PointsAsCash {
            value: 5,
            valid_days: 7
        })
        .unwrap(),
        json!({"kind": "points_as_cash", "value": 5, "valid_days": 7})
    );
}

#[test]
fn reward_validation_names_the_field() {
    let base = json!({"kind": "voucher", "template": "spring-20", "title": {"en": "x"}, "cost": 0});
    let check = |patch: serde_json::Value| {
        let mut v = base.clone();
        for (k, x) in patch.as_object().unwrap() {
            v[k] = x.clone();
        }
        let r: RewardSpec = serde_json::from_value(v).unwrap();
        r.validate().map_err(|(f, _)| f)
    };
    assert_eq!(check(json!({})), Ok(()));
    assert_eq!(check(json!({"title": {}})), Err("title".into()));
    assert_eq!(check(json!({"cost": -1})), Err("cost".into()));
    assert_eq!(check(json!({"cost": 1_000_000_001})), Err("cost".into()));
    assert_eq!(
        check(json!({"cost_by_tier": {"super": -5}})),
        Err("cost_by_tier.super".into())
    );
    assert_eq!(check(json!({"stock": -1})), Err("stock".into()));
    assert_eq!(
        check(json!({"limits": {"lifetime": 0}})),
        Err("limits.lifetime".into())
    );
    assert_eq!(
        check(json!({"limits": {"per_period": {"count": 0, "every": "month"}}})),
        Err("limits.per_period.count".into())
    );
    assert_eq!(
        check(json!({"limits": {"per_redemption": 101}})),
        Err("limits.per_redemption".into())
    );
    assert_eq!(
        check(json!({"images": ["ftp://x"]})),
        Err("images[0]".into())
    );
    assert_eq!(
        check(json!({"images": [format!("https://{}", "x".repeat(500))]})),
        Err("images[0]".into())
    );
    assert_eq!(
        check(json!({"images": vec!["https://cdn/x.png"; 11]})),
        Err("images".into())
    );
    assert_eq!(check(json!({"images": ["https://cdn/x.png"]})), Ok(()));
    assert_eq!(
        check(
            json!({"available_from": "2026-06-01T00:00:00Z", "available_until": "2026-05-01T00:00:00Z"})
        ),
        Err("available_until".into())
    );
    assert_eq!(
        check(json!({"early_access": {"super": 0}})),
        Err("early_access.super".into())
    );
    assert_eq!(
        check(json!({"early_access": {"super": 2_161}})),
        Err("early_access.super".into())
    );
    assert_eq!(
        check(json!({"template": "Spring 20"})),
        Err("template".into())
    );
    assert_eq!(
        check(json!({"kind": "partner_perk", "template": null, "partner": ""})),
        Err("partner".into())
    );
    assert_eq!(
        check(json!({"kind": "points_as_cash", "template": null, "value": 0})),
        Err("value".into())
    );
    assert_eq!(
        check(json!({"kind": "points_as_cash", "template": null, "value": 1, "valid_days": 0})),
        Err("valid_days".into())
    );
}

#[test]
fn cost_by_tier_and_totals() {
    let r = reward(
        json!({"kind": "physical", "title": {"zh-CN": "保温杯"}, "cost": 3_000,
        "cost_by_tier": {"super": 2_400}}),
    );
    assert_eq!(r.cost_for(None), 3_000);
    assert_eq!(r.cost_for(Some("standard")), 3_000);
    assert_eq!(r.cost_for(Some("super")), 2_400);
    assert_eq!(r.title_in("en"), "保温杯");
    let who = Who::new(Some("super"));
    let a = r.availability(&who.view(), 3, now());
    assert_eq!((a.cost, a.total, a.redeemable), (2_400, 7_200, true));
    assert_eq!(r.kind.initial_status(), RedemptionStatus::Requested);
}

#[test]
fn early_access_by_the_reward_map_or_the_tier_benefit() {
    let r = reward(
        json!({"kind": "physical", "title": {"en": "x"}, "cost": 100,
        "available_from": "2026-05-20T15:00:00Z",
        "early_access": {"apass": 24}}),
    );
    // No tier: opens at the start, in 3 hours.
    let who = Who::new(None);
    let a = r.availability(&who.view(), 1, now());
    assert_eq!(a.opens_at, Some(at("2026-05-20T15:00:00Z")));
    assert!(!a.redeemable);
    assert_eq!(
        a.locks,
        vec![Lock::OpensLater {
            opens_at: at("2026-05-20T15:00:00Z"),
            in_seconds: 10_800
        }]
    );
    assert_eq!(a.locks[0].message(), "opens for you in 3 h");
    assert_eq!(
        serde_json::to_value(&a.locks[0]).unwrap(),
        json!({"code": "opens_later", "message": "opens for you in 3 h",
            "opens_at": "2026-05-20T15:00:00Z", "in_seconds": 10_800})
    );
    // The reward's map gives APASS a day.
    let who = Who::new(Some("apass"));
    let a = r.availability(&who.view(), 1, now());
    assert_eq!(a.opens_at, Some(at("2026-05-19T15:00:00Z")));
    assert!(a.redeemable);
    // Super has no entry: its tier benefit counts (2 h → still 1 h away).
    let mut who = Who::new(Some("super"));
    who.hours = 2;
    let a = r.availability(&who.view(), 1, now());
    assert_eq!(a.opens_at, Some(at("2026-05-20T13:00:00Z")));
    assert_eq!(a.locks[0].message(), "opens for you in 1 h");
    // The map wins over the benefit.
    let mut who = Who::new(Some("apass"));
    who.hours = 1;
    assert!(r.availability(&who.view(), 1, now()).redeemable);
}

#[test]
fn waits_read_like_people_say_them() {
    let msg = |s| {
        Lock::OpensLater {
            opens_at: now(),
            in_seconds: s,
        }
        .message()
    };
    assert_eq!(msg(59), "opens for you in <1 min");
    assert_eq!(msg(45 * 60 + 30), "opens for you in 45 min");
    assert_eq!(msg(3 * 3_600), "opens for you in 3 h");
    assert_eq!(msg(3 * 3_600 + 20 * 60), "opens for you in 3 h 20 min");
    assert_eq!(msg(12 * 3_600 + 20 * 60), "opens for you in 12 h");
    assert_eq!(msg(50 * 3_600), "opens for you in 2 d");
}

#[test]
fn tiers_tags_and_conditions() {
    let r = reward(
        json!({"kind": "partner_perk", "partner": "hotel", "title": {"en": "x"}, "cost": 0,
        "eligibility": {"tiers": ["super", "apass"], "tags": ["vip"], "condition": "member.age >= 18"}}),
    );
    let who = Who::new(Some("standard"));
    let a = r.availability(&who.view(), 1, now());
    assert_eq!(
        a.locks,
        vec![
            Lock::NeedsTier {
                tiers: vec!["Super".into(), "APASS".into()]
            },
            Lock::NeedsTag {
                tags: vec!["vip".into()]
            },
            Lock::NotEligible,
        ]
    );
    assert_eq!(a.locks[0].message(), "needs Super or APASS tier");
    assert_eq!(a.locks[1].message(), "only for members tagged vip");
    let mut who = Who::new(Some("apass"));
    who.tags = vec!["new".into(), "vip".into()];
    let mut view = who.view();
    view.condition = Some(true);
    assert!(r.availability(&view, 1, now()).redeemable);
    view.condition = Some(false);
    assert_eq!(
        r.availability(&view, 1, now()).locks,
        vec![Lock::NotEligible]
    );

    let one = reward(json!({"kind": "physical", "title": {"en": "x"}, "cost": 0,
        "eligibility": {"tiers": ["super"]}}));
    let who = Who::new(None);
    let locks = one.availability(&who.view(), 1, now()).locks;
    assert_eq!(locks[0].message(), "needs Super tier");
}

#[test]
fn limits_stock_quantity_and_points() {
    let r = reward(
        json!({"kind": "physical", "title": {"en": "x"}, "cost": 500,
        "stock": 100,
        "limits": {"lifetime": 2, "per_period": {"count": 1, "every": "month"}, "per_redemption": 2}}),
    );
    let who = Who::new(None);
    let mut view = who.view();
    view.redeemed_in_period = 1;
    view.redeemed_lifetime = 1;
    view.stock_left = Some(1);
    view.available_points = 800;
    let a = r.availability(&view, 2, now());
    assert_eq!(
        a.locks,
        vec![
            Lock::SoldOut { stock_left: 1 },
            Lock::LimitReached {
                limit: 2,
                period: None
            },
            Lock::LimitReached {
                limit: 1,
                period: Some(Period::Month)
            },
            Lock::InsufficientPoints {
                cost: 1_000,
                available: 800,
                short_by: 200
            },
        ]
    );
    let messages: Vec<_> = a.locks.iter().map(Lock::message).collect();
    assert_eq!(
        messages,
        vec![
            "only 1 left",
            "limit of 2 reached",
            "limit of 1 per month reached",
            "needs 200 more points"
        ]
    );
    assert_eq!(
        serde_json::to_value(&a.locks[1]).unwrap(),
        json!({"code": "limit_reached", "message": "limit of 2 reached", "limit": 2, "period": null})
    );
    view.stock_left = Some(0);
    let a = r.availability(&view, 3, now());
    assert_eq!(a.locks[0].message(), "sold out");
    assert!(a.locks.contains(&Lock::TooMany { max: 2 }));
    assert!(
        r.availability(&view, 0, now())
            .locks
            .contains(&Lock::TooMany { max: 2 })
    );

    view = who.view();
    assert!(r.availability(&view, 1, now()).redeemable);

    // A free gift is redeemable with a negative balance.
    let free = reward(json!({"kind": "physical", "title": {"en": "x"}, "cost": 0}));
    view.available_points = -50;
    assert!(free.availability(&view, 1, now()).redeemable);
}

#[test]
fn paused_and_closed() {
    let r = reward(
        json!({"kind": "physical", "title": {"en": "x"}, "cost": 1, "status": "paused",
        "available_until": "2026-05-20T12:00:00Z"}),
    );
    let who = Who::new(None);
    let a = r.availability(&who.view(), 1, now());
    assert_eq!(
        a.locks,
        vec![
            Lock::Paused,
            Lock::Closed {
                closed_at: at("2026-05-20T12:00:00Z")
            }
        ]
    );
    assert_eq!(a.locks[0].message(), "not available at the moment");
    assert_eq!(a.closes_at, Some(at("2026-05-20T12:00:00Z")));
    assert!(
        r.availability(&who.view(), 1, now() - Duration::seconds(1))
            .locks
            == vec![Lock::Paused]
    );
}

#[test]
fn locks_and_availability_round_trip() {
    let all = vec![
        Lock::Paused,
        Lock::OpensLater {
            opens_at: now(),
            in_seconds: 5,
        },
        Lock::Closed { closed_at: now() },
        Lock::NeedsTier {
            tiers: vec!["Super".into()],
        },
        Lock::NeedsTag {
            tags: vec!["vip".into(), "svip".into()],
        },
        Lock::NotEligible,
        Lock::SoldOut { stock_left: 0 },
        Lock::LimitReached {
            limit: 1,
            period: Some(Period::Week),
        },
        Lock::LimitReached {
            limit: 1,
            period: None,
        },
        Lock::TooMany { max: 1 },
        Lock::InsufficientPoints {
            cost: 3,
            available: 1,
            short_by: 2,
        },
    ];
    for l in &all {
        let v = serde_json::to_value(l).unwrap();
        assert_eq!(v["code"], l.code());
        assert_eq!(v["message"], l.message());
        assert_eq!(&serde_json::from_value::<Lock>(v).unwrap(), l);
    }
    assert_eq!(all[4].message(), "only for members tagged vip or svip");
    let a = Availability {
        cost: 1,
        total: 1,
        opens_at: None,
        closes_at: None,
        redeemable: false,
        locks: all,
    };
    let v = serde_json::to_value(&a).unwrap();
    assert_eq!(serde_json::from_value::<Availability>(v).unwrap(), a);
}

#[test]
fn periods_start_at_local_midnight() {
    // 21 May 2026 02:00 in Shanghai, a Thursday.
    let t = at("2026-05-20T18:00:00Z");
    assert_eq!(Period::Day.start(t, tz()), at("2026-05-20T16:00:00Z"));
    assert_eq!(Period::Week.start(t, tz()), at("2026-05-17T16:00:00Z"));
    assert_eq!(Period::Month.start(t, tz()), at("2026-04-30T16:00:00Z"));
    assert_eq!(Period::Year.start(t, tz()), at("2025-12-31T16:00:00Z"));
    let utc: Tz = "UTC".parse().unwrap();
    assert_eq!(
        Period::Week.start(at("2026-05-18T00:00:00Z"), utc),
        at("2026-05-18T00:00:00Z")
    );
}

#[test]
fn redemption_statuses_move_forward_only() {
    use RedemptionStatus::*;
    let all = [Issued, Requested, Shipped, Delivered, Cancelled];
    let allowed = [
        (Requested, Shipped),
        (Shipped, Delivered),
        (Requested, Cancelled),
        (Shipped, Cancelled),
        (Issued, Cancelled),
    ];
    for from in all {
        assert_eq!(RedemptionStatus::parse(from.as_str()), Some(from));
        assert_eq!(serde_json::to_value(from).unwrap(), from.as_str());
        for to in all {
            assert_eq!(
                from.can_move_to(to),
                allowed.contains(&(from, to)),
                "{from:?} → {to:?}"
            );
        }
    }
    assert_eq!(RedemptionStatus::parse("lost"), None);
}

// ---- properties ----

fn arb_template() -> impl Strategy<Value = VoucherTemplate> {
    let discount = prop_oneof![
        (1i64..20_000).prop_map(|off| Discount::Amount { off }),
        (1u32..=100, proptest::option::of(1i64..10_000))
            .prop_map(|(percent, max_off)| Discount::Percent { percent, max_off }),
        proptest::collection::vec((1i64..5_000, 1i64..2_000), 1..4).prop_map(|steps| {
            let (mut min_spend, mut off) = (0, 0);
            let rungs = steps
                .into_iter()
                .map(|(s, o)| {
                    min_spend += s;
                    off += o;
                    Rung { min_spend, off }
                })
                .collect();
            Discount::Ladder { rungs }
        }),
    ];
    (
        discount,
        0i64..5_000,
        proptest::option::of(prop_oneof![Just("a"), Just("b")]),
        any::<bool>(),
        proptest::collection::vec(prop_oneof![Just("s1"), Just("s2"), Just("s3")], 0..2),
        proptest::collection::vec(prop_oneof![Just("c1"), Just("c2")], 0..2),
        proptest::option::of(prop_oneof![Just("c1"), Just("c2")]),
    )
        .prop_map(
            |(discount, min_spend, group, combinable, skus, categories, exclude)| VoucherTemplate {
                title: title("x"),
                description: Localized::new(),
                discount,
                min_spend,
                restrictions: Restrictions {
                    skus: skus.into_iter().map(Into::into).collect(),
                    categories: categories.into_iter().map(Into::into).collect(),
                    exclude_categories: exclude.into_iter().map(Into::into).collect(),
                    ..Restrictions::default()
                },
                validity: Validity::default(),
                stacking: Stacking {
                    group: group.map(Into::into),
                    combinable,
                },
                max_uses: 1,
                automatic: false,
                giftable: true,
                code_prefix: None,
            },
        )
}

fn arb_cart() -> impl Strategy<Value = Cart> {
    proptest::collection::vec(
        (
            prop_oneof![Just("s1"), Just("s2"), Just("s3"), Just("s4")],
            proptest::option::of(prop_oneof![Just("c1"), Just("c2"), Just("c3")]),
            0i64..20_000,
            1u32..4,
        ),
        1..6,
    )
    .prop_map(|lines| Cart {
        site: None,
        lines: lines
            .into_iter()
            .map(|(sku, cat, price, quantity)| line(sku, cat, price, quantity))
            .collect(),
    })
}

proptest! {
    #[test]
    fn quotes_never_go_negative_nor_give_more_than_eligible(
        c in arb_cart(),
        templates in proptest::collection::vec(arb_template(), 0..7),
        cash in proptest::option::of((1i64..1_000, 1i64..1_000, 1u32..=100)),
        requested in -10i64..100_000,
        available in -10i64..100_000,
    ) {
        for t in &templates {
            prop_assert_eq!(t.validate(), Ok(()));
        }
        let cands: Vec<_> = templates
            .iter()
            .enumerate()
            .map(|(i, t)| candidate(&format!("C{i}"), t))
            .collect();
        let cash = cash.map(|(points, fen, max_share_percent)| CashSettings { points, fen, max_share_percent });
        let q = quote(&c, &cands, cash.as_ref(), PointsAsk { requested, available }, now());
        prop_assert_eq!(q.subtotal, c.subtotal());
        prop_assert!(q.total >= 0);
        prop_assert!(q.discount >= 0 && q.discount <= q.subtotal);
        prop_assert_eq!(q.total, q.subtotal - q.discount - q.points.value);
        prop_assert_eq!(q.vouchers.iter().map(|v| v.discount).sum::<i64>(), q.discount);
        for (v, t) in q.vouchers.iter().zip(&templates) {
            prop_assert!(v.discount >= 0 && v.discount <= v.eligible_subtotal);
            prop_assert_eq!(v.applies, v.reason.is_none());
            if !v.applies {
                prop_assert_eq!(v.discount, 0);
            }
            if let Discount::Amount { off } = t.discount {
                prop_assert!(v.discount <= off);
            }
        }
        // Stacking: at most one per group, a non-combinable one alone.
        let applied: Vec<_> = q.vouchers.iter().zip(&templates).filter(|(v, _)| v.applies).collect();
        if applied.iter().any(|(_, t)| !t.stacking.combinable) {
            prop_assert_eq!(applied.len(), 1);
        }
        for g in ["a", "b"] {
            prop_assert!(applied.iter().filter(|(_, t)| t.stacking.group.as_deref() == Some(g)).count() <= 1);
        }
        // Points.
        let p = &q.points;
        prop_assert!(p.used >= 0 && p.used <= requested.max(0) && p.used <= available.max(0));
        prop_assert!(p.used <= p.max_points && p.value <= p.max_value);
        if let Some(cash) = cash {
            let base = q.subtotal - q.discount;
            prop_assert!(i128::from(p.max_value) * 100 <= i128::from(base) * i128::from(cash.max_share_percent));
            // The value is what the points are worth at the rate, exactly.
            prop_assert_eq!(i128::from(p.used) * i128::from(cash.fen), i128::from(p.value) * i128::from(cash.points));
        } else {
            prop_assert_eq!((p.used, p.value), (0, 0));
        }
        prop_assert_eq!(p.reason.is_some(), p.used < requested.max(0));
    }

    #[test]
    fn stacking_finds_the_best_total(
        c in arb_cart(),
        templates in proptest::collection::vec(arb_template(), 1..6),
    ) {
        let cands: Vec<_> = templates
            .iter()
            .enumerate()
            .map(|(i, t)| candidate(&format!("C{i}"), t))
            .collect();
        let q = quote(&c, &cands, None, no_points(), now());
        // Brute force over the candidates that pass alone.
        let alone: Vec<i64> = cands
            .iter()
            .map(|cand| {
                let one = quote(&c, std::slice::from_ref(cand), None, no_points(), now());
                if one.vouchers[0].reason.is_none() || one.vouchers[0].reason == Some(Reason::NotNeeded) {
                    one.vouchers[0].discount
                } else {
                    -1
                }
            })
            .collect();
        let n = cands.len();
        let mut best = 0i64;
        for mask in 0u32..(1 << n) {
            let set: Vec<usize> = (0..n).filter(|i| mask & (1 << i) != 0).collect();
            if set.iter().any(|i| alone[*i] < 0) {
                continue;
            }
            if set.len() > 1 && set.iter().any(|i| !templates[*i].stacking.combinable) {
                continue;
            }
            let grouped_ok = ["a", "b"].iter().all(|g| {
                set.iter().filter(|i| templates[**i].stacking.group.as_deref() == Some(*g)).count() <= 1
            });
            if !grouped_ok {
                continue;
            }
            let sum: i64 = set.iter().map(|i| alone[*i]).sum();
            best = best.max(sum.min(q.subtotal));
        }
        prop_assert_eq!(q.discount, best);
    }
}

#[test]
fn a_reward_for_segments_locks_members_outside_them() {
    let spec = reward(json!({
        "kind": "voucher", "template": "spring-20",
        "title": {"en": "¥20 off"}, "cost": 100,
        "eligibility": {"segments": ["lapsed-vip", "champions"]}
    }));
    assert!(spec.validate().is_ok());
    let titles = BTreeMap::new();
    let view = |segments: &'static [String]| MemberView {
        tier: None,
        tier_titles: &titles,
        tags: &[],
        tier_early_access_hours: 0,
        condition: None,
        segments,
        available_points: 1_000,
        redeemed_lifetime: 0,
        redeemed_in_period: 0,
        stock_left: None,
    };
    let now: Timestamp = "2026-06-01T00:00:00Z".parse().unwrap();
    let outside = spec.availability(&view(&[]), 1, now);
    assert!(outside.locks.contains(&Lock::NotEligible), "{outside:?}");
    static IN: std::sync::LazyLock<Vec<String>> =
        std::sync::LazyLock::new(|| vec!["champions".to_owned()]);
    let inside = spec.availability(&view(IN.as_slice()), 1, now);
    assert!(!inside.locks.contains(&Lock::NotEligible), "{inside:?}");
    let bad: RewardSpec = serde_json::from_value(json!({
        "kind": "voucher", "template": "spring-20",
        "title": {"en": "¥20 off"}, "cost": 100,
        "eligibility": {"segments": ["Not A Slug"]}
    }))
    .unwrap();
    assert_eq!(bad.validate().unwrap_err().0, "eligibility.segments[0]");
}
