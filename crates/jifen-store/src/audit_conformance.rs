//! The behaviour every backend must show for the audit log: lines appended and read back newest
//! first, filtered by actor, object and time, paged, per program; and the database refusing to
//! change or remove a line.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use jifen_core::{PointPolicy, Timestamp};
use serde_json::json;

use crate::testkit::{Backend, TestDb};
use crate::{AuditFilter, AuditRecord, MemberPatch, Program, Store};

fn ts(text: &str) -> Timestamp {
    DateTime::parse_from_rfc3339(text)
        .expect("instant")
        .with_timezone(&Utc)
}

async fn setup(backend: Backend) -> (TestDb, Arc<dyn Store>) {
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
    (db, store)
}

fn record(program: &str, actor: &str, kind: &str, id: &str, at: Timestamp) -> AuditRecord {
    AuditRecord {
        program_id: program.into(),
        actor: actor.into(),
        actor_name: format!("name of {actor}"),
        action: format!("{kind}.put"),
        object_kind: kind.into(),
        object_id: id.into(),
        at,
        before: None,
        after: Some(json!({"id": id})),
    }
}

/// Lines come back newest first, with the filters and the cursor applied, in their program only.
pub async fn audit_log_filters_and_pages(backend: Backend) {
    let (_db, store) = setup(backend).await;
    let t0 = ts("2024-03-01T00:00:00Z");
    let lines = [
        record("p", "api_key:k1", "rule", "r1", t0),
        record("p", "user:u1", "rule", "r1", t0 + Duration::hours(1)),
        record("p", "user:u1", "reward", "w1", t0 + Duration::hours(2)),
        record("q", "user:u1", "rule", "r1", t0 + Duration::hours(3)),
        record("p", "api_key:k1", "member", "7", t0 + Duration::days(1)),
    ];
    let mut ids = Vec::new();
    for l in &lines {
        ids.push(store.append_audit(l).await.expect("append"));
    }
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids grow: {ids:?}");

    let all = store
        .list_audit("p", &AuditFilter::default(), 10, None)
        .await
        .unwrap();
    let got: Vec<&AuditRecord> = all.iter().map(|e| &e.record).collect();
    assert_eq!(got, vec![&lines[4], &lines[2], &lines[1], &lines[0]]);
    assert_eq!(all[0].id, ids[4]);

    let by_actor = AuditFilter {
        actor: Some("user:u1".into()),
        ..Default::default()
    };
    let got = store.list_audit("p", &by_actor, 10, None).await.unwrap();
    assert_eq!(
        got.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![ids[2], ids[1]]
    );

    let by_object = AuditFilter {
        object_kind: Some("rule".into()),
        object_id: Some("r1".into()),
        ..Default::default()
    };
    let got = store.list_audit("p", &by_object, 10, None).await.unwrap();
    assert_eq!(
        got.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![ids[1], ids[0]]
    );

    let by_kind = AuditFilter {
        object_kind: Some("member".into()),
        ..Default::default()
    };
    let got = store.list_audit("p", &by_kind, 10, None).await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].record, lines[4]);

    // `since` is inclusive, `until` exclusive.
    let by_time = AuditFilter {
        since: Some(t0 + Duration::hours(1)),
        until: Some(t0 + Duration::days(1)),
        ..Default::default()
    };
    let got = store.list_audit("p", &by_time, 10, None).await.unwrap();
    assert_eq!(
        got.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![ids[2], ids[1]]
    );

    // Pages: two, then the rest before the last one read.
    let first = store
        .list_audit("p", &AuditFilter::default(), 2, None)
        .await
        .unwrap();
    assert_eq!(
        first.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![ids[4], ids[2]]
    );
    let rest = store
        .list_audit("p", &AuditFilter::default(), 2, Some(first[1].id))
        .await
        .unwrap();
    assert_eq!(
        rest.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![ids[1], ids[0]]
    );

    let other = store
        .list_audit("q", &AuditFilter::default(), 10, None)
        .await
        .unwrap();
    assert_eq!(other.len(), 1);
    assert_eq!(other[0].record, lines[3]);
}

/// The database refuses to change or remove a line, whoever asks; appending still works, and so
/// does an erasure (which appends its own line and changes none).
pub async fn audit_log_is_immutable(backend: Backend) {
    let (db, store) = setup(backend).await;
    let at = ts("2024-03-01T00:00:00Z");
    store
        .append_audit(&record("p", "api_key:k1", "rule", "r1", at))
        .await
        .unwrap();
    for sql in [
        "UPDATE audit_log SET actor = 'someone else'",
        "UPDATE audit_log SET after = NULL WHERE object_id = 'r1'",
        "DELETE FROM audit_log",
        "DELETE FROM audit_log WHERE object_id = 'r1'",
    ] {
        let refused = crate::testkit::execute(&db.url, sql).await;
        let message = refused.expect_err(sql);
        assert!(message.contains("append-only"), "{sql}: {message}");
    }
    if backend == Backend::Postgres {
        let refused = crate::testkit::execute(&db.url, "TRUNCATE audit_log").await;
        assert!(refused.expect_err("truncate").contains("append-only"));
    }
    let left = store
        .list_audit("p", &AuditFilter::default(), 10, None)
        .await
        .unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].record.actor, "api_key:k1");

    // A member with a line of its own is erased: the erasure appends, the old line stays, and
    // the member is still found by its internal id under the pseudonym.
    let (m, _) = store
        .upsert_member(
            "p",
            &MemberPatch {
                external_id: "13800000001".into(),
                at,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let object = m.id.to_string();
    store
        .append_audit(&record("p", "user:u1", "member", &object, at))
        .await
        .unwrap();
    let erasure = crate::Erasure {
        program_id: "p".into(),
        member_id: m.id,
        pseudonym: "erased:1".into(),
        at,
        audit: AuditRecord {
            action: "member.erase".into(),
            ..record("p", "user:u1", "member", &object, at)
        },
    };
    assert!(store.erase_member(&erasure).await.expect("erase"));
    let member_lines = AuditFilter {
        object_kind: Some("member".into()),
        object_id: Some(object.clone()),
        ..Default::default()
    };
    let got = store
        .list_audit("p", &member_lines, 10, None)
        .await
        .unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].record.action, "member.erase");
    assert_eq!(
        store.member_external_ids("p", &[m.id, 999]).await.unwrap(),
        vec![(m.id, "erased:1".to_owned())]
    );
    assert!(
        store
            .member_external_ids("q", &[m.id])
            .await
            .unwrap()
            .is_empty()
    );
}
