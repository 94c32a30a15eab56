//! The behaviour every backend must show for segments: features counted from a member's
//! history as of an instant (activity overall and per site, purchases and their value in the
//! window, refunds deducted), ranked into RFM scores 1–5 per program, definitions saved,
//! replaced and deleted with their members, memberships added and removed, listed by page and
//! found by member, all within their program only.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use jifen_core::{PointPolicy, Timestamp};
use serde_json::json;

use crate::segments::SegmentRow;
use crate::testkit::{Backend, TestDb};
use crate::{EventRecord, MemberPatch, Order, Program, Store};

fn ts(text: &str) -> Timestamp {
    DateTime::parse_from_rfc3339(text)
        .expect("instant")
        .with_timezone(&Utc)
}

async fn setup(backend: Backend, members: usize) -> (TestDb, Arc<dyn Store>, Vec<i64>) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    for id in ["p", "q"] {
        store
            .create_program(&Program {
                id: id.into(),
                name: id.into(),
                timezone: "Asia/Shanghai".into(),
                currency: "CNY".into(),
                policy: PointPolicy::default(),
                demo: false,
                rate_limit: None,
                created_at: ts("2024-01-01T00:00:00Z"),
            })
            .await
            .expect("program");
    }
    let mut ids = Vec::new();
    for n in 0..members {
        let (member, _) = store
            .upsert_member(
                "p",
                &MemberPatch {
                    external_id: format!("m-{n}"),
                    at: ts("2024-01-02T00:00:00Z"),
                    ..Default::default()
                },
            )
            .await
            .expect("member");
        ids.push(member.id);
    }
    (db, store, ids)
}

fn event(id: &str, member: i64, kind: &str, at: Timestamp, site: Option<&str>) -> EventRecord {
    EventRecord {
        program_id: "p".into(),
        id: id.into(),
        member_id: Some(member),
        kind: kind.into(),
        occurred_at: at,
        site: site.map(str::to_owned),
        attributes: json!({}),
        recorded_at: at,
    }
}

fn order(id: &str, member: i64, amount: i64, refunded: i64, at: Timestamp) -> Order {
    Order {
        program_id: "p".into(),
        order_id: id.into(),
        member_id: Some(member),
        guest_ref: None,
        amount,
        refunded,
        points_per_yuan: 1,
        points: None,
        occurred_at: at,
    }
}

fn segment(slug: &str, condition: &str, version: i64) -> SegmentRow {
    SegmentRow {
        slug: slug.into(),
        name: slug.into(),
        description: String::new(),
        condition: condition.into(),
        version,
        refreshed_version: 0,
        refreshed_at: None,
        created_at: ts("2024-01-03T00:00:00Z"),
        updated_at: ts("2024-01-03T00:00:00Z"),
    }
}

pub async fn features_are_counted_as_of_an_instant(backend: Backend) {
    let (_db, store, ids) = setup(backend, 3).await;
    let (m0, m1, m2) = (ids[0], ids[1], ids[2]);
    let now = ts("2025-06-01T00:00:00Z");
    let from = now - Duration::days(365);
    let mut tx = store.begin_write().await.unwrap();
    tx.insert_orders(&[
        // Inside the window, part refunded.
        order("o1", m0, 10_000, 2_000, ts("2025-05-01T00:00:00Z")),
        order("o2", m0, 5_000, 0, ts("2025-01-01T00:00:00Z")),
        // Wholly refunded: not a purchase that counts, nothing to its value.
        order("o3", m0, 7_000, 7_000, ts("2025-02-01T00:00:00Z")),
        // Before the window.
        order("o4", m0, 90_000, 0, ts("2024-05-01T00:00:00Z")),
        order("o5", m1, 1_000, 0, ts("2025-05-30T00:00:00Z")),
    ])
    .await
    .unwrap();
    tx.insert_events(&[
        event(
            "e1",
            m0,
            "purchase",
            ts("2025-05-01T00:00:00Z"),
            Some("tmall"),
        ),
        event(
            "e2",
            m0,
            "check_in",
            ts("2025-05-20T00:00:00Z"),
            Some("wechat_mp"),
        ),
        event(
            "e3",
            m0,
            "check_in",
            ts("2025-05-10T00:00:00Z"),
            Some("wechat_mp"),
        ),
        // Not the member's own activity.
        event(
            "e4",
            m0,
            "refund",
            ts("2025-05-25T00:00:00Z"),
            Some("tmall"),
        ),
        event("e5", m0, "birthday", ts("2025-05-26T00:00:00Z"), None),
        event("e6", m1, "purchase", ts("2025-05-30T00:00:00Z"), None),
    ])
    .await
    .unwrap();
    tx.count_features("p", &[m0, m1, m2], from, now)
        .await
        .unwrap();
    // Another program's members are not counted under this one.
    tx.count_features("q", &[m0], from, now).await.unwrap();
    tx.commit().await.unwrap();

    let set = store.member_features("p", &[m0, m1, m2]).await.unwrap();
    assert_eq!(set.rows.len(), 3);
    let r0 = &set.rows[0];
    assert_eq!(r0.member_id, m0);
    assert_eq!(r0.last_activity_at, Some(ts("2025-05-20T00:00:00Z")));
    assert_eq!((r0.frequency_365d, r0.monetary_365d), (2, 13_000));
    assert_eq!(r0.computed_at, Some(now));
    assert_eq!(r0.scores, None);
    let r1 = &set.rows[1];
    assert_eq!((r1.frequency_365d, r1.monetary_365d), (1, 1_000));
    let r2 = &set.rows[2];
    assert_eq!(r2.last_activity_at, None);
    assert_eq!((r2.frequency_365d, r2.monetary_365d), (0, 0));
    assert_eq!(
        set.sites,
        vec![
            (m0, "tmall".to_owned(), ts("2025-05-01T00:00:00Z")),
            (m0, "wechat_mp".to_owned(), ts("2025-05-20T00:00:00Z")),
        ]
    );
    assert!(
        store
            .member_features("q", &[m0])
            .await
            .unwrap()
            .rows
            .is_empty()
    );

    // A later count moves the window: o2 (1 January) falls out of it.
    let later = ts("2026-01-15T00:00:00Z");
    let mut tx = store.begin_write().await.unwrap();
    tx.count_features("p", &[m0], later - Duration::days(365), later)
        .await
        .unwrap();
    let set = tx.features_in_tx("p", &[m0]).await.unwrap();
    assert_eq!(
        (set.rows[0].frequency_365d, set.rows[0].monetary_365d),
        (1, 8_000)
    );
    tx.commit().await.unwrap();
}

pub async fn scores_rank_members_into_quintiles(backend: Backend) {
    let (_db, store, ids) = setup(backend, 10).await;
    let now = ts("2025-06-01T00:00:00Z");
    let mut tx = store.begin_write().await.unwrap();
    // Member n spent (n + 1) yuan n times, and was last active n days into May.
    let mut orders = Vec::new();
    let mut events = Vec::new();
    for (n, id) in ids.iter().enumerate() {
        for k in 0..n {
            orders.push(order(
                &format!("o{n}-{k}"),
                *id,
                100 * (n as i64 + 1),
                0,
                ts("2025-05-01T00:00:00Z"),
            ));
        }
        let at = ts("2025-05-01T00:00:00Z") + Duration::days(n as i64);
        events.push(event(&format!("e{n}"), *id, "check_in", at, None));
    }
    tx.insert_orders(&orders).await.unwrap();
    tx.insert_events(&events).await.unwrap();
    tx.count_features("p", &ids, now - Duration::days(365), now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // The inputs, ranked as the server ranks them, written back.
    assert!(store.rfm_inputs("q").await.unwrap().is_empty());
    let inputs = store.rfm_inputs("p").await.unwrap();
    assert_eq!(inputs.len(), 10);
    assert!(inputs.iter().all(|(_, held)| held.is_none()));
    let ranked: Vec<jifen_core::segments::RfmInput> = inputs.iter().map(|(i, _)| *i).collect();
    let scores: Vec<(i64, i64, i64, i64)> = ranked
        .iter()
        .zip(jifen_core::segments::rfm_scores(&ranked))
        .map(|(i, (r, f, m))| (i.member_id, r, f, m))
        .collect();
    let mut tx = store.begin_write().await.unwrap();
    tx.set_rfm_scores(&scores).await.unwrap();
    tx.commit().await.unwrap();
    let held: Vec<Option<(i64, i64, i64)>> = store
        .rfm_inputs("p")
        .await
        .unwrap()
        .into_iter()
        .map(|(_, h)| h)
        .collect();
    assert!(held.iter().all(Option::is_some), "{held:?}");
    let set = store.member_features("p", &ids).await.unwrap();
    let scores: Vec<(i64, i64, i64)> = set.rows.iter().map(|r| r.scores.unwrap()).collect();
    // Ten members, two per quintile, by recency, frequency and value alike.
    assert_eq!(
        scores,
        vec![
            (1, 1, 1),
            (1, 1, 1),
            (2, 2, 2),
            (2, 2, 2),
            (3, 3, 3),
            (3, 3, 3),
            (4, 4, 4),
            (4, 4, 4),
            (5, 5, 5),
            (5, 5, 5),
        ]
    );
}

pub async fn segments_and_memberships(backend: Backend) {
    let (_db, store, ids) = setup(backend, 5).await;
    let at = ts("2025-06-01T00:00:00Z");
    let mut tx = store.begin_write().await.unwrap();
    assert!(
        tx.save_segment("p", &segment("vip", "true", 1))
            .await
            .unwrap()
    );
    assert!(
        tx.save_segment("p", &segment("lapsed", "recency_days > 90", 1))
            .await
            .unwrap()
    );
    // Saving again replaces the definition.
    assert!(
        !tx.save_segment("p", &segment("vip", "tier == 'gold'", 2))
            .await
            .unwrap()
    );
    let added: Vec<(String, i64)> = ids.iter().map(|m| ("vip".to_owned(), *m)).collect();
    tx.set_memberships("p", &added, &[], at).await.unwrap();
    tx.set_memberships("p", &[("lapsed".into(), ids[0])], &[], at)
        .await
        .unwrap();
    // Adding a member again changes nothing (and keeps since).
    tx.set_memberships("p", &[("vip".into(), ids[0])], &[], at + Duration::days(1))
        .await
        .unwrap();
    tx.set_memberships("p", &[], &[("vip".into(), ids[4])], at)
        .await
        .unwrap();
    tx.mark_refreshed("p", "vip", 2, at).await.unwrap();
    // A mark for a version the definition no longer has is ignored.
    tx.mark_refreshed("p", "lapsed", 7, at).await.unwrap();
    tx.note_refresh_day("p", "2025-06-01", at).await.unwrap();
    tx.commit().await.unwrap();

    let defs = store.segments("p").await.unwrap();
    assert_eq!(
        defs.iter().map(|d| d.slug.as_str()).collect::<Vec<_>>(),
        vec!["lapsed", "vip"]
    );
    let vip = store.segment("p", "vip").await.unwrap().unwrap();
    assert_eq!((vip.condition.as_str(), vip.version), ("tier == 'gold'", 2));
    assert_eq!((vip.refreshed_version, vip.refreshed_at), (2, Some(at)));
    assert_eq!(
        store
            .segment("p", "lapsed")
            .await
            .unwrap()
            .unwrap()
            .refreshed_version,
        0
    );
    assert!(store.segment("q", "vip").await.unwrap().is_none());
    assert!(store.segments("q").await.unwrap().is_empty());
    assert_eq!(
        store.programs_with_segments().await.unwrap(),
        vec!["p".to_owned()]
    );
    assert_eq!(
        store.segments_refreshed_on("p").await.unwrap().as_deref(),
        Some("2025-06-01")
    );
    assert_eq!(store.segments_refreshed_on("q").await.unwrap(), None);

    assert_eq!(store.segment_size("p", "vip").await.unwrap(), 4);
    assert_eq!(store.segment_size("q", "vip").await.unwrap(), 0);
    // Pages of two, newest members first.
    let first = store.segment_members("p", "vip", 2, None).await.unwrap();
    assert_eq!(
        first.iter().map(|r| r.member_id).collect::<Vec<_>>(),
        vec![ids[3], ids[2]]
    );
    assert_eq!(first[0].external_id, "m-3");
    assert_eq!(first[0].since, at);
    let second = store
        .segment_members("p", "vip", 2, Some(ids[2]))
        .await
        .unwrap();
    assert_eq!(
        second.iter().map(|r| r.member_id).collect::<Vec<_>>(),
        vec![ids[1], ids[0]]
    );
    assert!(
        store
            .segment_members("q", "vip", 10, None)
            .await
            .unwrap()
            .is_empty()
    );

    assert_eq!(
        store.member_segments("p", ids[0]).await.unwrap(),
        vec![("lapsed".to_owned(), at), ("vip".to_owned(), at)]
    );
    assert!(store.member_segments("q", ids[0]).await.unwrap().is_empty());
    assert_eq!(
        store
            .member_in_segments("p", ids[0], &["vip", "nope"])
            .await
            .unwrap(),
        vec!["vip".to_owned()]
    );
    assert!(
        store
            .member_in_segments("p", ids[4], &["vip"])
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .member_in_segments("p", ids[0], &[])
            .await
            .unwrap()
            .is_empty()
    );
    let set = store.member_features("p", &[ids[0]]).await.unwrap();
    assert_eq!(
        set.memberships,
        vec![(ids[0], "lapsed".to_owned()), (ids[0], "vip".to_owned())]
    );

    // Deleting a segment takes its members with it; another program's is untouched.
    let mut tx = store.begin_write().await.unwrap();
    assert!(tx.delete_segment("p", "vip").await.unwrap());
    assert!(!tx.delete_segment("p", "vip").await.unwrap());
    assert!(!tx.delete_segment("q", "lapsed").await.unwrap());
    tx.commit().await.unwrap();
    assert_eq!(store.segment_size("p", "vip").await.unwrap(), 0);
    assert_eq!(store.segment_size("p", "lapsed").await.unwrap(), 1);
    assert_eq!(
        store.member_ids_after("p", ids[1], 2).await.unwrap(),
        vec![ids[2], ids[3]]
    );
    assert!(store.member_ids_after("q", 0, 10).await.unwrap().is_empty());
}
