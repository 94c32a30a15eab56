//! Conditions are bounded when they are compiled: conditions that once aborted the process or
//! took seconds per event are refused naming the limit and where; the worst accepted ones are
//! cheap, and evaluate on an ordinary thread's stack.

use chrono::{TimeZone, Utc};
use jifen_core::rules::limits::{self, MAX_COST, MAX_DEPTH, MAX_NODES};
use jifen_core::rules::{Condition, ConditionError, Facts, Truth};
use serde_json::json;

fn refused(source: &str) -> ConditionError {
    match Condition::compile(source) {
        Ok(_) => panic!("{source:.80} was accepted"),
        Err(e) => e,
    }
}

fn sum(terms: usize) -> String {
    format!("{} > 0", vec!["1"; terms].join("+"))
}

/// Seven comprehensions, each inside the body of the one before.
fn nested_comprehensions(levels: usize) -> String {
    let vars = ["a", "b", "c", "d", "e", "f", "g", "h"];
    let mut c = String::from("true");
    for v in vars[..levels].iter().rev() {
        c = format!("[0,1,2,3,4,5,6,7,8,9].all({v}, {c})");
    }
    c
}

fn facts(event: &serde_json::Value) -> Facts {
    let at = Utc.with_ymd_and_hms(2026, 6, 18, 4, 0, 0).unwrap();
    Facts::new(
        event,
        &json!({"id": "m", "tags": ["vip"], "meters": {"taoqizhi": 1200}, "streaks": {}}),
        &json!({"id": "p"}),
        at,
    )
}

#[test]
fn a_sum_of_1500_terms_is_refused_before_it_is_parsed() {
    // It once overflowed the stack of the thread that judged the next event.
    let e = refused(&sum(1_500));
    assert_eq!(e.limit, Some("nodes"), "{e}");
    assert_eq!((e.line, e.column), (1, 2 * MAX_NODES as i64 + 2), "{e}");
    assert!(e.to_string().contains("500"), "{e}");
}

#[test]
fn a_sum_of_20000_terms_is_refused_by_its_length() {
    // It once aborted the process while being saved.
    let e = refused(&sum(20_000));
    assert_eq!(e.limit, Some("source_bytes"), "{e}");
    assert!(e.message.contains("4096"), "{e}");
}

#[test]
fn seven_nested_comprehensions_are_refused_at_the_third() {
    // They once made each purchase take 40 s.
    let source = nested_comprehensions(7);
    let e = refused(&source);
    assert_eq!(e.limit, Some("comprehension_nesting"), "{e}");
    let third = source.match_indices("[0,1").nth(2).unwrap().0;
    assert_eq!(e.line, 1);
    assert!(
        (third as i64..third as i64 + 40).contains(&(e.column - 1)),
        "{e} (third comprehension at {third})"
    );
}

#[test]
fn two_nested_comprehensions_over_literal_lists_pass_while_cheap() {
    assert!(Condition::compile(&nested_comprehensions(2)).is_ok());
    let three = refused(&nested_comprehensions(3));
    assert_eq!(three.limit, Some("comprehension_nesting"));
}

#[test]
fn iterating_over_the_event_inside_an_iteration_over_it_is_refused_by_cost() {
    let e = refused(
        "event.attributes.lines.exists(l, event.attributes.lines.exists(m, m.sku == l.sku))",
    );
    assert_eq!(e.limit, Some("cost"), "{e}");
    assert!(e.message.contains(&MAX_COST.to_string()), "{e}");
}

#[test]
fn each_limit_names_itself_and_where() {
    let deep = format!("{}1{} > 0", "(".repeat(40), ")".repeat(40));
    let e = refused(&deep);
    assert_eq!((e.limit, e.line, e.column), (Some("depth"), 1, 33), "{e}");

    let chain = sum(MAX_DEPTH + 2);
    assert_eq!(refused(&chain).limit, Some("depth"));

    let list = format!("event.site in [{}]", vec!["\"x\""; 201].join(","));
    let e = refused(&list);
    assert_eq!((e.limit, e.column), (Some("list_items"), 15), "{e}");

    let long = format!("event.site == \"{}\"", "x".repeat(513));
    let e = refused(&long);
    assert_eq!((e.limit, e.column), (Some("string_bytes"), 15), "{e}");

    // A selection is placed at its last dot.
    let e = refused("\nevent.site.matches(event.attributes.pattern)");
    assert_eq!((e.limit, e.line, e.column), (Some("regex"), 2, 36), "{e}");

    let e = refused("event.site.matches(\"(\\\\w{100}){100}\")");
    assert_eq!(e.limit, Some("regex"), "{e}");
    assert!(e.message.contains("compiles to more than"), "{e}");

    let text = e.to_string();
    assert!(text.contains("limit `regex`"), "{text}");
}

#[test]
fn realistic_conditions_pass() {
    for c in [
        r#"event.attributes.lines.exists(l, l.category == "tea")"#,
        r#"member.meter("taoqizhi") >= 1000 && event.site in ["tmall","taobao"]"#,
        "event.amount >= 9900 && member.meter('618-orders') == 2",
        "member.streak('check_in') % 7 == 0",
        "has(event.attributes.text) && size(event.attributes.text) >= 15",
        "event.attributes.lines.map(l, l.category)",
        r#"event.attributes.lines.filter(l, l.category == "tea").map(l, l.amount * l.quantity).size() > 0"#,
        r#"event.attributes.lines.exists(l, l.category in ["tea", "coffee", "cups"] && l.quantity >= 2)"#,
        r#"member.has_tag("vip") || timestamp(member.enrolled_at) < now - duration("720h")"#,
        r#"event.attributes.text.matches("^[a-z]+(-[0-9]{2,4})?$")"#,
    ] {
        if let Err(e) = Condition::compile(c) {
            panic!("{c}: {e}");
        }
    }
}

#[test]
fn the_worst_accepted_conditions_are_accepted_and_evaluate() {
    let worst = limits::worst_accepted_conditions();
    assert!(worst.len() >= 5);
    let facts = facts(&limits::largest_event());
    for c in &worst {
        let condition = Condition::compile(c).unwrap_or_else(|e| panic!("{c}: {e}"));
        // Every one of them is false against the largest event: every iteration ran.
        assert_eq!(condition.eval(&facts), Truth::False, "{c}");
    }
}

#[test]
fn the_deepest_accepted_condition_evaluates_on_a_2_mib_stack() {
    // Evaluation recurses once per level of the tree (the depth limit bounds it); a tokio
    // worker's stack is 2 MiB. In a debug build frames are at their largest.
    let deepest_sum = limits::worst_accepted_conditions()
        .into_iter()
        .find(|c| c.starts_with("1 + 1"))
        .expect("the deepest shape");
    // As deep as accepted, inside two comprehensions: their scopes add frames.
    let nested = |k: usize| {
        let body = (0..k).fold("event.amount == q + r".to_owned(), |acc, _| {
            format!("!({acc})")
        });
        format!("[1, 2].exists(q, [3, 4].exists(r, {body}))")
    };
    let deepest_nested = (1..MAX_DEPTH)
        .map(nested)
        .take_while(|c| Condition::compile(c).is_ok())
        .last()
        .expect("a nested condition is accepted");
    assert!(Condition::compile(&nested(MAX_DEPTH)).is_err());
    let handle = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || {
            let facts = facts(&limits::largest_event());
            [deepest_sum, deepest_nested]
                .map(|c| Condition::compile(&c).expect("accepted").eval(&facts))
        })
        .expect("thread");
    let outcomes = handle.join().expect("no stack overflow");
    assert_eq!(outcomes[0], Truth::False);
    assert!(
        matches!(outcomes[1], Truth::True | Truth::False),
        "{:?}",
        outcomes[1]
    );
}

#[test]
fn parsing_never_uses_the_callers_stack() {
    // A caller with a stack far too small for the parser's recursion on a long chain: the
    // parse runs on a thread of its own, and the refusal comes back.
    let handle = std::thread::Builder::new()
        .stack_size(128 * 1024)
        .spawn(|| {
            let chain = format!("{} < 0", vec!["1"; MAX_NODES].join("+"));
            let e = Condition::compile(&chain).expect_err("too deep");
            (e.limit, Condition::compile("1 + 1 == 2").is_ok())
        })
        .expect("thread");
    assert_eq!(handle.join().expect("no overflow"), (Some("depth"), true));
}

#[test]
fn hostile_texts_are_refused_without_a_crash() {
    for source in [
        "!".repeat(4_000) + "true",
        "-".repeat(4_000) + "1",
        "[".repeat(4_000),
        "(".repeat(30) + &"a.".repeat(1_000) + "b",
        format!("{}true", "!".repeat(400)),
        format!("{}1", "-".repeat(499)),
        format!("{}x{}", "f(".repeat(31), ")".repeat(31)),
        "\"".repeat(4_000),
        "'unterminated".into(),
        format!("{}a", "a.".repeat(499)),
        "1 ? 2 : ".repeat(100) + "3",
    ] {
        let _ = Condition::compile(&source);
    }
}

#[test]
fn attributes_are_bounded_at_the_edge() {
    assert!(limits::check_attributes(&limits::largest_event()["attributes"]).is_ok());
    let lines: Vec<_> = (0..201).map(|i| json!({"sku": i})).collect();
    let e = limits::check_attributes(&json!({"lines": lines})).unwrap_err();
    assert_eq!(e.0, "lines");
    let mut deep = json!(1);
    for _ in 0..9 {
        deep = json!([deep]);
    }
    let e = limits::check_attributes(&json!({"a": deep})).unwrap_err();
    assert!(e.0.starts_with("a[0]"), "{e:?}");
    let e = limits::check_attributes(&json!({"l": [{"t": "x".repeat(4_097)}]})).unwrap_err();
    assert_eq!(e.0, "l[0].t");
}
