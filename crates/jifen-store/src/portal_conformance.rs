//! The behaviour every backend must show for the member portal: a link is used once (even by
//! two requests at the same time), only under its program, and never after it expires, sessions are found by their
//! secret's hash and moved forward with use, settings are per program, and a member's event
//! times are read by type and window.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use jifen_core::{PointPolicy, Timestamp};
use serde_json::json;

use crate::portal::{PortalLink, PortalSession};
use crate::testkit::{Backend, TestDb};
use crate::{EventRecord, MemberPatch, Program, Store};

fn ts(text: &str) -> Timestamp {
    DateTime::parse_from_rfc3339(text)
        .expect("instant")
        .with_timezone(&Utc)
}

async fn setup(backend: Backend) -> (TestDb, Arc<dyn Store>, i64) {
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
    let (m, _) = store
        .upsert_member(
            "p",
            &MemberPatch {
                external_id: "m-1".into(),
                at: ts("2024-01-02T00:00:00Z"),
                ..Default::default()
            },
        )
        .await
        .expect("member");
    (db, store, m.id)
}

fn link(hash: &str, member_id: i64, expires_at: &str) -> PortalLink {
    PortalLink {
        hash: hash.into(),
        program_id: "p".into(),
        member_id,
        lang: "en".into(),
        created_at: ts("2024-02-01T00:00:00Z"),
        expires_at: ts(expires_at),
        used_at: None,
        phone: None,
    }
}

pub async fn portal_links_are_used_once(backend: Backend) {
    let (_db, store, member) = setup(backend).await;
    store
        .create_portal_link(&PortalLink {
            phone: Some("+8613800000001".into()),
            ..link("h1", member, "2024-02-01T00:05:00Z")
        })
        .await
        .unwrap();
    assert_eq!(
        store.portal_link("h1").await.unwrap().map(|l| l.used_at),
        Some(None)
    );
    assert!(store.portal_link("nope").await.unwrap().is_none());
    let now = ts("2024-02-01T00:01:00Z");
    assert!(
        store
            .consume_portal_link("q", "h1", now)
            .await
            .unwrap()
            .is_none(),
        "another program's address does not use the link"
    );
    assert_eq!(
        store.portal_link("h1").await.unwrap().unwrap().used_at,
        None
    );
    let used = store.consume_portal_link("p", "h1", now).await.unwrap();
    let used = used.expect("the first use enters");
    assert_eq!((used.member_id, used.used_at), (member, Some(now)));
    assert_eq!(used.phone.as_deref(), Some("+8613800000001"));
    assert!(
        store
            .consume_portal_link("p", "h1", now)
            .await
            .unwrap()
            .is_none(),
        "a second use fails"
    );
    assert!(
        store
            .consume_portal_link("p", "nope", now)
            .await
            .unwrap()
            .is_none()
    );

    // An expired link cannot be used, and stays unused.
    store
        .create_portal_link(&link("h2", member, "2024-02-01T00:05:00Z"))
        .await
        .unwrap();
    let late = ts("2024-02-01T00:05:00Z");
    assert!(
        store
            .consume_portal_link("p", "h2", late)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store.portal_link("h2").await.unwrap().unwrap().used_at,
        None
    );

    // Of many concurrent uses of one link, exactly one enters.
    store
        .create_portal_link(&link("h3", member, "2024-02-01T00:05:00Z"))
        .await
        .unwrap();
    let tries = (0..8).map(|_| {
        let store = store.clone();
        tokio::spawn(async move { store.consume_portal_link("p", "h3", now).await })
    });
    let mut entered = 0;
    for t in tries {
        if t.await.expect("task").expect("consume").is_some() {
            entered += 1;
        }
    }
    assert_eq!(entered, 1);
}

pub async fn portal_sessions_and_settings(backend: Backend) {
    let (_db, store, member) = setup(backend).await;
    let at = ts("2024-02-01T00:00:00Z");
    let s = PortalSession {
        hash: "s1".into(),
        program_id: "p".into(),
        member_id: member,
        csrf: "c1".into(),
        created_at: at,
        last_seen_at: at,
        expires_at: at + Duration::minutes(30),
        phone: Some("+8613800000002".into()),
    };
    store.create_portal_session(&s).await.unwrap();
    assert_eq!(store.portal_session("s1").await.unwrap(), Some(s.clone()));
    assert!(store.portal_session("s2").await.unwrap().is_none());
    let later = at + Duration::minutes(10);
    store
        .touch_portal_session("s1", later, later + Duration::minutes(30))
        .await
        .unwrap();
    let touched = store.portal_session("s1").await.unwrap().unwrap();
    assert_eq!(touched.last_seen_at, later);
    assert_eq!(touched.expires_at, later + Duration::minutes(30));
    assert_eq!(touched.created_at, at);

    assert_eq!(
        store.portal_member("p", member).await.unwrap().as_deref(),
        Some("m-1")
    );
    assert_eq!(store.portal_member("q", member).await.unwrap(), None);
    assert_eq!(store.portal_settings("p").await.unwrap(), None);
    store
        .set_portal_settings("p", r##"{"colour":"#112233"}"##)
        .await
        .unwrap();
    store
        .set_portal_settings("p", r##"{"colour":"#445566"}"##)
        .await
        .unwrap();
    assert_eq!(
        store.portal_settings("p").await.unwrap().as_deref(),
        Some(r##"{"colour":"#445566"}"##)
    );
    assert_eq!(store.portal_settings("q").await.unwrap(), None);
}

pub async fn member_event_times_by_type_and_window(backend: Backend) {
    let (_db, store, member) = setup(backend).await;
    let day = |d: u32| ts(&format!("2024-03-{d:02}T02:00:00Z"));
    let mut tx = store.begin_write().await.expect("tx");
    for (id, kind, d) in [
        ("e1", "check_in", 1),
        ("e2", "check_in", 2),
        ("e3", "share", 2),
        ("e4", "check_in", 5),
        ("e5", "check_in", 31),
        ("e6", "purchase", 3),
        ("e7", "purchase", 6),
        ("e8", "purchase", 9),
    ] {
        tx.insert_event(&EventRecord {
            program_id: "p".into(),
            id: id.into(),
            member_id: Some(member),
            kind: kind.into(),
            occurred_at: day(d),
            site: None,
            attributes: json!({"day": d}),
            recorded_at: day(d),
        })
        .await
        .expect("event");
    }
    tx.commit().await.expect("commit");
    let times = store
        .member_event_times("p", member, "check_in", day(2), day(31), 100)
        .await
        .unwrap();
    assert_eq!(times, vec![day(2), day(5)]);
    let first = store
        .member_event_times("p", member, "check_in", day(1), day(31), 1)
        .await
        .unwrap();
    assert_eq!(first, vec![day(1)]);
    assert!(
        store
            .member_event_times("q", member, "check_in", day(1), day(31), 100)
            .await
            .unwrap()
            .is_empty()
    ); // The attributes of a type's events since a day, the latest first, at most `limit`.
    let attrs = store
        .member_event_attributes("p", member, "purchase", day(4), 10)
        .await
        .unwrap();
    let days: Vec<serde_json::Value> = attrs
        .iter()
        .map(|a| serde_json::from_str::<serde_json::Value>(a).unwrap()["day"].clone())
        .collect();
    assert_eq!(days, vec![json!(9), json!(6)]);
    let one = store
        .member_event_attributes("p", member, "purchase", day(1), 1)
        .await
        .unwrap();
    assert_eq!(one.len(), 1);
    assert!(
        store
            .member_event_attributes("q", member, "purchase", day(1), 10)
            .await
            .unwrap()
            .is_empty()
    );
}
