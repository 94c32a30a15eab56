//! The behaviour every backend must show for badges: definitions saved and replaced, a level
//! recorded once per member however often (and however concurrently) it is inserted, earned
//! levels found by member and by share token within their program only, counts per level.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use jifen_core::{PointPolicy, Timestamp};

use crate::badges::{BadgeRow, MemberBadgeRow};
use crate::testkit::{Backend, TestDb};
use crate::{EventRecord, MemberPatch, Program, Store};

fn ts(text: &str) -> Timestamp {
    DateTime::parse_from_rfc3339(text)
        .expect("instant")
        .with_timezone(&Utc)
}

async fn setup(backend: Backend) -> (TestDb, Arc<dyn Store>, i64, i64) {
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
    for m in ["m-1", "m-2"] {
        let (member, _) = store
            .upsert_member(
                "p",
                &MemberPatch {
                    external_id: m.into(),
                    at: ts("2024-01-02T00:00:00Z"),
                    ..Default::default()
                },
            )
            .await
            .expect("member");
        ids.push(member.id);
    }
    (db, store, ids[0], ids[1])
}

fn def(id: &str, spec: &str, at: &str) -> BadgeRow {
    BadgeRow {
        id: id.into(),
        spec: spec.into(),
        status: "active".into(),
        created_at: ts(at),
        updated_at: ts(at),
    }
}

fn earned(badge: &str, level: i64, member: i64, token: &str) -> MemberBadgeRow {
    MemberBadgeRow {
        program_id: "p".into(),
        badge_id: badge.into(),
        level,
        member_id: member,
        cause: "event:e1".into(),
        event_id: Some("e1".into()),
        token: token.into(),
        earned_at: ts("2024-02-01T00:00:00Z"),
    }
}

pub async fn badges_are_earned_once_per_level(backend: Backend) {
    let (_db, store, m1, m2) = setup(backend).await;
    let mut tx = store.begin_write().await.unwrap();
    assert!(
        tx.save_badge("p", &def("regular", "{\"v\":1}", "2024-01-03T00:00:00Z"))
            .await
            .unwrap()
    );
    // Saving again replaces the definition and keeps when it was created.
    assert!(
        !tx.save_badge("p", &def("regular", "{\"v\":2}", "2024-01-04T00:00:00Z"))
            .await
            .unwrap()
    );
    assert_eq!(tx.badge_defs("p").await.unwrap().len(), 1);
    assert!(tx.badge_defs("q").await.unwrap().is_empty());
    tx.commit().await.unwrap();
    let row = store.badge("p", "regular").await.unwrap().expect("saved");
    assert_eq!(row.spec, "{\"v\":2}");
    assert_eq!(row.created_at, ts("2024-01-03T00:00:00Z"));
    assert_eq!(row.updated_at, ts("2024-01-04T00:00:00Z"));
    assert!(store.badge("q", "regular").await.unwrap().is_none());

    let mut tx = store.begin_write().await.unwrap();
    let rows = [
        earned("regular", 1, m1, "t1"),
        earned("regular", 2, m1, "t2"),
    ];
    assert_eq!(tx.insert_member_badges(&rows).await.unwrap(), 2);
    // The same levels again (with other tokens) record nothing.
    let again = [
        earned("regular", 1, m1, "t3"),
        earned("regular", 1, m2, "t4"),
    ];
    assert_eq!(tx.insert_member_badges(&again).await.unwrap(), 1);
    let mut levels = tx.earned_levels("p", &[m1, m2]).await.unwrap();
    levels.sort();
    assert_eq!(
        levels,
        vec![
            (m1, "regular".into(), 1),
            (m1, "regular".into(), 2),
            (m2, "regular".into(), 1)
        ]
    );
    assert!(tx.earned_levels("q", &[m1]).await.unwrap().is_empty());
    assert!(tx.earned_levels("p", &[]).await.unwrap().is_empty());
    tx.commit().await.unwrap();

    let mine = store.member_badges("p", m1).await.unwrap();
    assert_eq!(mine.len(), 2);
    assert_eq!(mine[0].token, "t1");
    assert_eq!(mine[0].event_id.as_deref(), Some("e1"));
    assert_eq!(mine[0].earned_at, ts("2024-02-01T00:00:00Z"));
    let by_token = store.member_badge_by_token("p", "t2").await.unwrap();
    assert_eq!(by_token.map(|r| (r.member_id, r.level)), Some((m1, 2)));
    assert!(
        store
            .member_badge_by_token("q", "t2")
            .await
            .unwrap()
            .is_none(),
        "another program's address finds nothing"
    );
    assert!(
        store
            .member_badge_by_token("p", "t3")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store.badge_counts("p").await.unwrap(),
        vec![("regular".into(), 1, 2), ("regular".into(), 2, 1)]
    );
}

pub async fn concurrent_awards_record_one(backend: Backend) {
    let (_db, store, m1, _) = setup(backend).await;
    let mut tx = store.begin_write().await.unwrap();
    tx.save_badge("p", &def("first", "{}", "2024-01-03T00:00:00Z"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            loop {
                let attempt = async {
                    let mut tx = store.begin_write().await?;
                    let n = tx
                        .insert_member_badges(&[earned("first", 1, m1, &format!("c{i}"))])
                        .await?;
                    tx.commit().await?;
                    Ok::<u64, crate::StoreError>(n)
                };
                match attempt.await {
                    Ok(n) => return n,
                    Err(e) if e.is_transient() => continue,
                    Err(e) => panic!("{e}"),
                }
            }
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    assert_eq!(total, 1, "one transaction records the level");
    assert_eq!(store.member_badges("p", m1).await.unwrap().len(), 1);
}

pub async fn event_counts_by_type(backend: Backend) {
    let (_db, store, m1, m2) = setup(backend).await;
    let event = |id: &str, member: i64, kind: &str| EventRecord {
        program_id: "p".into(),
        id: id.into(),
        member_id: Some(member),
        kind: kind.into(),
        occurred_at: ts("2024-02-01T00:00:00Z"),
        site: None,
        attributes: serde_json::json!({}),
        recorded_at: ts("2024-02-01T00:00:00Z"),
    };
    let mut tx = store.begin_write().await.unwrap();
    tx.insert_events(&[
        event("e1", m1, "check_in"),
        event("e2", m1, "check_in"),
        event("e3", m1, "review"),
        event("e4", m2, "check_in"),
    ])
    .await
    .unwrap();
    let mut counts = tx.event_counts(&[m1, m2]).await.unwrap();
    counts.sort();
    assert_eq!(
        counts,
        vec![
            (m1, "check_in".into(), 2),
            (m1, "review".into(), 1),
            (m2, "check_in".into(), 1)
        ]
    );
    tx.commit().await.unwrap();
    assert_eq!(
        store.event_counts(m1).await.unwrap(),
        vec![("check_in".into(), 2), ("review".into(), 1)]
    );
}
