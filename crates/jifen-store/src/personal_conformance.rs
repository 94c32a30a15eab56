//! The behaviour every backend must show for data-subject requests: the export reads every
//! table that refers to a member, consent records are append-only and idempotent, and an
//! erasure removes the profile and identities, keeps the ledger under a pseudonym, and writes
//! its audit record, once.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use jifen_core::{Cause, CauseKind, Entry, EntryKind, Lot, PointPolicy, Timestamp};
use serde_json::{Value, json};

use crate::personal::MEMBER_TABLES;
use crate::testkit::{Backend, TestDb};
use crate::{
    AuditRecord, ConsentRecord, Erasure, EventRecord, Identity, MemberPatch, Program, Store,
};

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

/// A member of `p` with a profile, two identities, one earned lot and a purchase event whose
/// attributes carry free-form text.
async fn seeded_member(store: &Arc<dyn Store>, external_id: &str, phone: &str) -> i64 {
    let at = ts("2024-03-01T10:00:00Z");
    let (m, _) = store
        .upsert_member(
            "p",
            &MemberPatch {
                external_id: external_id.into(),
                name: Some("Li Wei".into()),
                phone: Some(phone.into()),
                city: Some("Hangzhou".into()),
                attributes: Some(json!({"note": "likes oolong"})),
                bind: vec![
                    Identity {
                        kind: "phone".into(),
                        value: phone.into(),
                    },
                    Identity {
                        kind: "email".into(),
                        value: format!("{external_id}@example.com"),
                    },
                ],
                at,
                ..Default::default()
            },
        )
        .await
        .expect("member");
    let mut tx = store.begin_write().await.expect("tx");
    tx.insert_event(&EventRecord {
        program_id: "p".into(),
        id: format!("evt-{external_id}"),
        member_id: Some(m.id),
        kind: "purchase".into(),
        occurred_at: at,
        site: Some("tmall".into()),
        attributes: json!({"amount": 5_000, "order_id": "o-1", "lines": [{"sku": "tea"}],
                           "address": "1 West Lake Road", "note": "call me"}),
        recorded_at: at,
    })
    .await
    .expect("event");
    let lot = Lot {
        id: 1,
        amount: 50,
        available_at: at,
        expires_at: None,
        order_id: Some("o-1".into()),
        created_at: at,
    };
    let entry = Entry {
        seq: 1,
        kind: EntryKind::Earn,
        points: 50,
        lot: Some(1),
        hold: None,
        order_id: Some("o-1".into()),
        cause: Cause::new(CauseKind::Event, format!("evt-{external_id}")),
        reason: None,
        effective_at: at,
    };
    tx.append("p", m.id, &[lot], &[], &[entry], at)
        .await
        .expect("append");
    tx.commit().await.expect("commit");
    m.id
}

fn consent(id: &str, member_id: i64, purpose: &str, granted: bool, at: &str) -> ConsentRecord {
    ConsentRecord {
        program_id: "p".into(),
        id: id.into(),
        member_id,
        purpose: purpose.into(),
        granted,
        at: ts(at),
        source: "signup_form".into(),
        channel: Some("wechat_mp".into()),
        recorded_at: ts(at),
        seq: 0,
    }
}

/// Every table the schema has with a column naming a member is one the export reads.
pub async fn export_covers_every_member_table(backend: Backend) {
    let (_db, store) = setup(backend).await;
    let columns = store.member_columns().await.expect("columns");
    assert!(columns.len() >= MEMBER_TABLES.len(), "{columns:?}");
    for (table, column) in &columns {
        assert!(
            MEMBER_TABLES.iter().any(|(t, c)| t == table && c == column),
            "{table}.{column} refers to a member but the export does not read it: \
             add it to jifen_store::personal::MEMBER_TABLES"
        );
    }
    for (table, column) in MEMBER_TABLES {
        assert!(
            columns.iter().any(|(t, c)| t == table && c == column),
            "{table}.{column} is in MEMBER_TABLES but not in the schema"
        );
    }
}

/// The export holds the member's rows, as JSON, and none of another member's.
pub async fn export_reads_a_members_rows(backend: Backend) {
    let (_db, store) = setup(backend).await;
    let id = seeded_member(&store, "u1", "+8613800000001").await;
    let other = seeded_member(&store, "u2", "+8613800000002").await;
    store
        .add_consent(&consent(
            "c-1",
            id,
            "marketing_sms",
            true,
            "2024-03-01T10:00:00Z",
        ))
        .await
        .expect("consent");
    let rows = store.member_rows(id).await.expect("export");
    let table = |name: &str| -> Vec<Value> {
        rows.iter()
            .find(|(t, _)| t == name)
            .map(|(_, r)| r.clone())
            .unwrap_or_else(|| panic!("no {name} in the export"))
    };
    assert_eq!(rows.len(), 37, "one list per table: {rows:?}");
    let identities = table("identities");
    assert_eq!(identities.len(), 2);
    assert!(identities.iter().any(|i| i["value"] == "u1@example.com"));
    assert_eq!(table("entries").len(), 1);
    assert_eq!(table("entries")[0]["points"], 50);
    assert_eq!(table("lots").len(), 1);
    let events = table("events");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["id"], "evt-u1");
    assert_eq!(table("consents")[0]["purpose"], "marketing_sms");
    assert!(table("gifts").is_empty());
    let all = serde_json::to_string(&rows).unwrap();
    assert!(!all.contains("evt-u2") && !all.contains("u2@example.com"));
    assert_ne!(id, other);
}

/// Consent records are appended; a second record with the same id changes nothing and returns
/// the first; a member's records read newest first, in pages.
pub async fn consents_are_append_only(backend: Backend) {
    let (_db, store) = setup(backend).await;
    let id = seeded_member(&store, "u1", "+8613800000001").await;
    let first = store
        .add_consent(&consent(
            "c-1",
            id,
            "marketing_sms",
            true,
            "2024-03-01T10:00:00Z",
        ))
        .await
        .expect("consent");
    assert!(first.seq > 0);
    assert_eq!(first.channel.as_deref(), Some("wechat_mp"));
    let again = store
        .add_consent(&consent(
            "c-1",
            id,
            "marketing_sms",
            false,
            "2024-03-02T10:00:00Z",
        ))
        .await
        .expect("retry");
    assert_eq!(again, first, "the id's first record stands");
    let withdrawn = store
        .add_consent(&consent(
            "c-2",
            id,
            "marketing_sms",
            false,
            "2024-03-05T10:00:00Z",
        ))
        .await
        .expect("withdrawal");
    let all = store.consents(id, 10, None).await.expect("list");
    assert_eq!(all, vec![withdrawn.clone(), first.clone()]);
    let page = store.consents(id, 1, Some(withdrawn.seq)).await.unwrap();
    assert_eq!(page, vec![first]);
}

/// An erasure removes the profile, identities and free-form text, keeps the ledger under the
/// pseudonym, writes one audit record, and a second one changes nothing.
pub async fn erasure_keeps_the_ledger_under_a_pseudonym(backend: Backend) {
    let (_db, store) = setup(backend).await;
    let id = seeded_member(&store, "u1", "+8613800000001").await;
    let other = seeded_member(&store, "u2", "+8613800000002").await;
    let before = store.ledger(id).await.expect("ledger");
    let at = ts("2024-04-01T00:00:00Z");
    let erasure = Erasure {
        program_id: "p".into(),
        member_id: id,
        pseudonym: "erased:abc".into(),
        at,
        audit: AuditRecord {
            program_id: "p".into(),
            actor: "api_key:k1".into(),
            actor_name: "crm".into(),
            action: "member.erase".into(),
            object_kind: "member".into(),
            object_id: "erased:abc".into(),
            at,
            before: Some(json!({"status": "active"})),
            after: Some(json!({"status": "erased"})),
        },
    };
    // Another program cannot erase the member.
    let wrong = Erasure {
        program_id: "q".into(),
        ..erasure.clone()
    };
    assert!(!store.erase_member(&wrong).await.unwrap());
    assert!(store.get_member("p", "u1").await.unwrap().is_some());

    assert!(store.erase_member(&erasure).await.expect("erase"));
    assert!(store.get_member("p", "u1").await.unwrap().is_none());
    let m = store
        .get_member("p", "erased:abc")
        .await
        .unwrap()
        .expect("kept under the pseudonym");
    assert_eq!(m.status, "erased");
    assert_eq!(m.id, id);
    assert!(m.name.is_none() && m.phone.is_none() && m.city.is_none());
    assert_eq!(m.attributes, json!({}));
    assert!(m.identities.is_empty());
    assert!(
        store
            .member_by_identity("p", "phone", "+8613800000001")
            .await
            .unwrap()
            .is_none()
    );
    let after = store.ledger(id).await.expect("ledger");
    assert_eq!(after.entries, before.entries, "the ledger stays");
    assert_eq!(after.lots, before.lots);
    let rows = store.member_rows(id).await.unwrap();
    let events = &rows.iter().find(|(t, _)| t == "events").unwrap().1;
    let attributes: Value = match &events[0]["attributes"] {
        Value::String(s) => serde_json::from_str(s).unwrap(),
        v => v.clone(),
    };
    assert_eq!(
        attributes,
        json!({"amount": 5_000, "order_id": "o-1", "lines": [{"sku": "tea"}]}),
        "only the attributes figures are computed from stay"
    );
    // The other member is untouched.
    let u2 = store.get_member("p", "u2").await.unwrap().expect("u2");
    assert_eq!(u2.name.as_deref(), Some("Li Wei"));
    assert_eq!(u2.identities.len(), 2);
    let u2_rows = store.member_rows(other).await.unwrap();
    assert!(
        serde_json::to_string(&u2_rows)
            .unwrap()
            .contains("West Lake")
    );

    // Once only: a second erasure writes nothing, and there is one audit record.
    assert!(!store.erase_member(&erasure).await.unwrap());
    let audit = store
        .audit_records("p", "member", "erased:abc")
        .await
        .unwrap();
    assert_eq!(audit, vec![erasure.audit.clone()]);
    assert!(
        store
            .audit_records("q", "member", "erased:abc")
            .await
            .unwrap()
            .is_empty()
    );
    // The external id is free again: a new member can take it.
    let (fresh, created) = store
        .upsert_member(
            "p",
            &MemberPatch {
                external_id: "u1".into(),
                at,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(created);
    assert_ne!(fresh.id, id);
}
