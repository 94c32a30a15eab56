//! The behaviour every backend must show for reminders: one row per member, kind, cause and
//! channel however often (and however concurrently) it is inserted; a pending reminder settled
//! once; due reminders by instant; sent ones counted since an instant; preferences replaced in
//! place.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use jifen_core::{PointPolicy, Timestamp};

use crate::reminders::{PreferenceRow, ReminderRow};
use crate::testkit::{Backend, TestDb};
use crate::{MemberPatch, Program, Store};

fn ts(text: &str) -> Timestamp {
    DateTime::parse_from_rfc3339(text)
        .expect("instant")
        .with_timezone(&Utc)
}

async fn setup(backend: Backend) -> (TestDb, Arc<dyn Store>, i64) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    store
        .create_program(&Program {
            id: "p".into(),
            name: "p".into(),
            timezone: "Asia/Shanghai".into(),
            currency: "CNY".into(),
            policy: PointPolicy::default(),
            demo: false,
            rate_limit: None,
            created_at: ts("2024-01-01T00:00:00Z"),
        })
        .await
        .expect("program");
    let (member, _) = store
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
    (db, store, member.id)
}

fn reminder(member_id: i64, cause: &str, channel: &str, not_before: &str) -> ReminderRow {
    ReminderRow {
        program_id: "p".into(),
        member_id,
        kind: "points_expiring".into(),
        cause: cause.into(),
        channel: channel.into(),
        template: "wx".into(),
        data: r#"{"points":10}"#.into(),
        status: "pending".into(),
        not_before: ts(not_before),
        stale_at: Some(ts("2024-03-01T00:00:00Z")),
        created_at: ts("2024-02-01T00:00:00Z"),
        sent_at: None,
        outcome: None,
    }
}

pub async fn reminders_are_recorded_and_sent_once(backend: Backend) {
    let (_db, store, m) = setup(backend).await;
    let rows = vec![
        reminder(m, "2024-03-01", "wechat", "2024-02-01T00:00:00Z"),
        reminder(m, "2024-03-01", "sms", "2024-02-01T00:00:00Z"),
        reminder(m, "2024-03-02", "wechat", "2024-02-02T00:00:00Z"),
    ];
    // Two writers insert the same reminders at once: each is recorded once.
    let (a, b) = tokio::join!(
        async {
            let mut tx = store.begin_write().await.expect("tx");
            let n = tx.insert_reminders(&rows).await.expect("insert");
            tx.commit().await.expect("commit");
            n
        },
        async {
            let mut tx = store.begin_write().await.expect("tx");
            let n = tx.insert_reminders(&rows).await.expect("insert");
            tx.commit().await.expect("commit");
            n
        }
    );
    assert_eq!(a + b, 3);
    let recorded = store.reminders_recorded("p", &[m]).await.expect("recorded");
    assert_eq!(recorded.len(), 3);
    let mine = store.member_reminders("p", m).await.expect("mine");
    assert_eq!(mine.len(), 3);
    assert!(
        mine.iter()
            .all(|r| r.status == "pending" && r.outcome.is_none())
    );

    // Due at an instant: the two of 1 February.
    let mut tx = store.begin_write().await.expect("tx");
    tx.lock_reminders("p").await.expect("lock");
    let due = tx
        .due_reminders("p", ts("2024-02-01T12:00:00Z"), 10)
        .await
        .expect("due");
    assert_eq!(due.len(), 2);
    assert_eq!(due[0].data, r#"{"points":10}"#);
    assert_eq!(due[0].stale_at, Some(ts("2024-03-01T00:00:00Z")));
    let sent_at = ts("2024-02-01T12:00:00Z");
    assert!(
        tx.settle_reminder(&due[0], "sent", due[0].not_before, Some(sent_at), None)
            .await
            .expect("send")
    );
    // Settled once: a second settle of the same reminder finds it no longer pending.
    assert!(
        !tx.settle_reminder(&due[0], "sent", due[0].not_before, Some(sent_at), None)
            .await
            .expect("again")
    );
    // Deferred: still pending, later.
    assert!(
        tx.settle_reminder(&due[1], "pending", ts("2024-02-03T00:00:00Z"), None, None)
            .await
            .expect("defer")
    );
    let sent = tx
        .reminders_sent_since("p", &[m], ts("2024-02-01T00:00:00Z"))
        .await
        .expect("sent");
    assert_eq!(sent, vec![(m, due[0].channel.clone(), sent_at)]);
    tx.commit().await.expect("commit");
    let pending = store
        .reminders_pending("p", ts("2024-02-04T00:00:00Z"), 10)
        .await
        .expect("pending");
    assert_eq!(pending.len(), 2);
    assert_eq!(pending[0].cause, "2024-03-02");
    assert_eq!(pending[1].not_before, ts("2024-02-03T00:00:00Z"));
}

pub async fn preferences_replace_in_place(backend: Backend) {
    let (_db, store, m) = setup(backend).await;
    let pref = |enabled: bool, source: &str, at: &str| PreferenceRow {
        program_id: "p".into(),
        member_id: m,
        kind: "birthday".into(),
        channel: "sms".into(),
        enabled,
        source: source.into(),
        updated_at: ts(at),
    };
    for p in [
        pref(false, "portal", "2024-02-01T00:00:00Z"),
        pref(true, "api", "2024-02-02T00:00:00Z"),
    ] {
        let mut tx = store.begin_write().await.expect("tx");
        tx.save_preferences(std::slice::from_ref(&p))
            .await
            .expect("save");
        tx.commit().await.expect("commit");
    }
    let rows = store
        .notification_preferences("p", &[m])
        .await
        .expect("prefs");
    assert_eq!(rows, vec![pref(true, "api", "2024-02-02T00:00:00Z")]);
    assert!(
        store
            .notification_preferences("p", &[])
            .await
            .expect("none")
            .is_empty()
    );
}
