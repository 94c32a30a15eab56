//! The behaviour every [`Store`] backend must show.
//!
//! Each function is one test body: it creates its own [`TestDb`] of the backend it is given and
//! checks one area of the [`Store`] and [`WriteTx`](crate::WriteTx) contracts.
//! `tests/conformance.rs` runs them all against every backend with [`crate::backend_tests!`]; a
//! new backend passes when the same list passes for it.
//!
//! Writes on SQLite go through a single connection, so a test never keeps a write transaction
//! open while it awaits another write of the same store on that backend; the bodies that check
//! concurrent writers do so on PostgreSQL, and check the sequential behaviour on SQLite.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use jifen_core::{
    Cause, CauseKind, Entry, EntryKind, ExpiryPolicy, HoldRecord, Lot, NegativeBalance,
    PointPolicy, Timestamp,
};
use serde_json::json;

use crate::testkit::{Backend, TestDb};
use crate::{
    ApiKey, Claim, EventRecord, IdempotencyKey, Identity, LedgerRows, Member, MemberPatch, Order,
    Program, RateLimit, Store, StoreError, StoredEntry, StoredHold,
};

// --- helpers ---------------------------------------------------------------------------------

/// An instant from RFC 3339 text.
fn ts(text: &str) -> Timestamp {
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("bad instant {text}: {e}"))
        .with_timezone(&Utc)
}

/// A fresh database of the backend and its store. Keep the database as long as the store.
async fn setup(backend: Backend) -> (TestDb, Arc<dyn Store>) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let expected = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    assert_eq!(store.backend(), expected);
    store.ping().await.expect("ping");
    (db, store)
}

fn program(id: &str) -> Program {
    Program {
        id: id.to_owned(),
        name: format!("Program {id}"),
        timezone: "Asia/Shanghai".to_owned(),
        currency: "CNY".to_owned(),
        policy: PointPolicy::default(),
        demo: false,
        created_at: ts("2024-01-01T08:00:00.000001Z"),
        rate_limit: None,
    }
}

async fn create_program(store: &Arc<dyn Store>, id: &str) -> Program {
    let p = program(id);
    store.create_program(&p).await.expect("create program");
    p
}

fn patch(external_id: &str, at: Timestamp) -> MemberPatch {
    MemberPatch {
        external_id: external_id.to_owned(),
        at,
        ..MemberPatch::default()
    }
}

fn ident(kind: &str, value: &str) -> Identity {
    Identity {
        kind: kind.to_owned(),
        value: value.to_owned(),
    }
}

/// Creates a member with no details; asserts it is new.
async fn new_member(store: &Arc<dyn Store>, program_id: &str, external_id: &str) -> Member {
    let (m, created) = store
        .upsert_member(program_id, &patch(external_id, ts("2024-02-01T00:00:00Z")))
        .await
        .expect("create member");
    assert!(created, "{external_id} should be new");
    m
}

fn lot(id: i64, amount: i64, created_at: Timestamp, expires_at: Option<Timestamp>) -> Lot {
    Lot {
        id,
        amount,
        available_at: created_at,
        expires_at,
        order_id: None,
        created_at,
    }
}

fn hold(id: &str, points: i64, created_at: Timestamp, deadline: Timestamp) -> HoldRecord {
    HoldRecord {
        id: id.to_owned(),
        points,
        created_at,
        deadline,
    }
}

fn entry(
    seq: i64,
    kind: EntryKind,
    points: i64,
    lot: Option<i64>,
    hold: Option<&str>,
    effective_at: Timestamp,
) -> Entry {
    let cause = match kind {
        EntryKind::Expire => Cause::new(CauseKind::Expiry, format!("lot-{}", lot.unwrap_or(0))),
        EntryKind::Hold => Cause::new(CauseKind::Hold, hold.unwrap_or("h")),
        EntryKind::Release => Cause::new(CauseKind::HoldVoid, hold.unwrap_or("h")),
        EntryKind::Redeem if hold.is_some() => {
            Cause::new(CauseKind::HoldCommit, hold.unwrap_or("h"))
        }
        EntryKind::Redeem => Cause::new(CauseKind::Redemption, format!("r-{seq}")),
        EntryKind::Adjust => Cause::new(CauseKind::Adjustment, format!("a-{seq}")),
        _ => Cause::new(CauseKind::Event, format!("ev-{seq}")),
    };
    Entry {
        seq,
        kind,
        points,
        lot,
        hold: hold.map(str::to_owned),
        order_id: None,
        cause,
        reason: None,
        effective_at,
    }
}

/// Appends rows to a member's ledger in a transaction of its own, and commits.
async fn seed(
    store: &Arc<dyn Store>,
    program_id: &str,
    member_id: i64,
    lots: &[Lot],
    holds: &[HoldRecord],
    entries: &[Entry],
) {
    let mut tx = store.begin_write().await.expect("begin");
    tx.append(
        program_id,
        member_id,
        lots,
        holds,
        entries,
        ts("2024-03-01T00:00:00Z"),
    )
    .await
    .expect("append");
    tx.commit().await.expect("commit");
}

/// Holds sorted by id: the store promises no order for them (the book keys them by id).
fn normalized(mut rows: LedgerRows) -> LedgerRows {
    rows.holds.sort_by(|a, b| a.id.cmp(&b.id));
    rows
}

fn assert_rows_eq(actual: LedgerRows, lots: &[Lot], holds: &[HoldRecord], entries: &[Entry]) {
    let actual = normalized(actual);
    let mut holds = holds.to_vec();
    holds.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(actual.lots, lots, "lots");
    assert_eq!(actual.holds, holds, "holds");
    assert_eq!(actual.entries, entries, "entries");
}

fn idem(program_id: &str, scope: &'static str, key: &str) -> IdempotencyKey {
    IdempotencyKey {
        program_id: program_id.to_owned(),
        scope,
        key: key.to_owned(),
    }
}

/// How long a test waits to be confident a blocked transaction stays blocked.
const BLOCKED_FOR: Duration = Duration::from_millis(300);

// --- programs and keys -----------------------------------------------------------------------

/// A program reads back as written, policy included; unknown ids are `None`; the list holds
/// every program, oldest first.
pub async fn program_roundtrip(backend: Backend) {
    let (_db, store) = setup(backend).await;
    assert_eq!(store.get_program("p1").await.unwrap(), None);

    let p = Program {
        id: "p1".to_owned(),
        name: "茶饮 Tea & Co".to_owned(),
        timezone: "Asia/Shanghai".to_owned(),
        currency: "CNY".to_owned(),
        policy: PointPolicy {
            points_per_yuan: 3,
            pending_days: 7,
            expiry: ExpiryPolicy::RollingDays { days: 365 },
            negative_balance: NegativeBalance::Forbid,
        },
        demo: false,
        created_at: ts("2024-05-06T07:08:09.123456Z"),
        rate_limit: None,
    };
    store.create_program(&p).await.unwrap();
    let q = Program {
        id: "p2".to_owned(),
        policy: PointPolicy {
            expiry: ExpiryPolicy::EndOfYear { years_after: 2 },
            ..PointPolicy::default()
        },
        created_at: ts("1969-12-31T23:59:59.999999Z"),
        ..program("p2")
    };
    store.create_program(&q).await.unwrap();

    assert_eq!(store.get_program("p1").await.unwrap(), Some(p.clone()));
    assert_eq!(store.get_program("p2").await.unwrap(), Some(q));
    assert_eq!(store.get_program("P1").await.unwrap(), None);

    // The same id twice is refused, and the first program is unchanged.
    let dup = Program {
        name: "other".to_owned(),
        ..p.clone()
    };
    assert!(store.create_program(&dup).await.is_err());
    assert_eq!(store.get_program("p1").await.unwrap(), Some(p.clone()));

    // Listed oldest first.
    let listed: Vec<String> = store
        .list_programs()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(listed, ["p2", "p1"]);
}

/// `demo_program` finds the oldest demo program; `update_policy` changes one program's policy.
pub async fn demo_program_and_policy(backend: Backend) {
    let (_db, store) = setup(backend).await;
    create_program(&store, "plain").await;
    assert_eq!(store.demo_program().await.unwrap(), None);

    let late = Program {
        demo: true,
        created_at: ts("2024-06-01T00:00:00Z"),
        ..program("demo-late")
    };
    let early = Program {
        demo: true,
        created_at: ts("2024-03-01T00:00:00Z"),
        ..program("demo-early")
    };
    store.create_program(&late).await.unwrap();
    store.create_program(&early).await.unwrap();
    assert_eq!(store.demo_program().await.unwrap(), Some(early.clone()));

    let policy = PointPolicy {
        points_per_yuan: 10,
        pending_days: 14,
        expiry: ExpiryPolicy::EndOfYear { years_after: 1 },
        negative_balance: NegativeBalance::Forbid,
    };
    store.update_policy("demo-early", &policy).await.unwrap();
    let got = store.get_program("demo-early").await.unwrap().unwrap();
    assert_eq!(got.policy, policy);
    assert_eq!(
        got,
        Program {
            policy,
            ..early.clone()
        }
    );
    // Other programs keep theirs.
    assert_eq!(
        store.get_program("demo-late").await.unwrap(),
        Some(late.clone())
    );
    assert_eq!(
        store.get_program("demo-late").await.unwrap(),
        Some(late.clone())
    );
    assert_eq!(
        store.get_program("plain").await.unwrap().unwrap().policy,
        PointPolicy::default()
    );
    // The time zone changes for that program only.
    store
        .update_timezone("demo-early", "Europe/Paris")
        .await
        .unwrap();
    assert_eq!(
        store
            .get_program("demo-early")
            .await
            .unwrap()
            .unwrap()
            .timezone,
        "Europe/Paris"
    );
    store
        .update_timezone("demo-early", &early.timezone)
        .await
        .unwrap();
    assert_eq!(
        store
            .get_program("demo-late")
            .await
            .unwrap()
            .unwrap()
            .timezone,
        late.timezone
    );
    // Updating a program that does not exist creates nothing.
    store.update_policy("missing", &policy).await.unwrap();
    assert_eq!(store.get_program("missing").await.unwrap(), None);

    // A program's own rate limit, and back to the server's default.
    assert_eq!(early.rate_limit, None);
    let limit = RateLimit {
        per_second: 5,
        burst: 20,
    };
    store
        .update_rate_limit("demo-early", Some(&limit))
        .await
        .unwrap();
    let got = store.get_program("demo-early").await.unwrap().unwrap();
    assert_eq!(got.rate_limit, Some(limit));
    assert_eq!(got.policy, policy, "the policy is kept");
    assert_eq!(
        store
            .get_program("demo-late")
            .await
            .unwrap()
            .unwrap()
            .rate_limit,
        None
    );
    store.update_rate_limit("demo-early", None).await.unwrap();
    assert_eq!(
        store
            .get_program("demo-early")
            .await
            .unwrap()
            .unwrap()
            .rate_limit,
        None
    );
    // A program created with one keeps it.
    let limited = Program {
        rate_limit: Some(limit),
        ..program("limited")
    };
    store.create_program(&limited).await.unwrap();
    assert_eq!(store.get_program("limited").await.unwrap(), Some(limited));
}

/// Keys: lookup by hash, newest first, revocation scoped to the key's program.
pub async fn api_key_lifecycle(backend: Backend) {
    let (_db, store) = setup(backend).await;
    let a = create_program(&store, "a").await;
    let b = create_program(&store, "b").await;
    let key = |id: &str, program: &str, at: &str| ApiKey {
        id: id.to_owned(),
        program_id: program.to_owned(),
        name: format!("key {id}"),
        prefix: format!("jf_{id}"),
        hash: format!("sha256-of-{id}"),
        created_at: ts(at),
        revoked_at: None,
        partner_id: None,
    };
    let k1 = key("k1", "a", "2024-01-01T00:00:00.000001Z");
    let k2 = key("k2", "a", "2024-01-03T00:00:00Z");
    let k3 = key("k3", "a", "2024-01-02T00:00:00Z");
    let kb = key("kb", "b", "2024-01-04T00:00:00Z");
    for k in [&k1, &k2, &k3, &kb] {
        store.create_api_key(k).await.unwrap();
    }

    assert_eq!(
        store.list_api_keys("a").await.unwrap(),
        vec![k2.clone(), k3.clone(), k1.clone()],
        "newest first"
    );
    assert_eq!(store.list_api_keys("b").await.unwrap(), vec![kb.clone()]);
    assert_eq!(store.list_api_keys("none").await.unwrap(), vec![]);

    assert_eq!(
        store.program_by_key_hash("sha256-of-k3").await.unwrap(),
        Some((a.clone(), k3.clone()))
    );
    assert_eq!(
        store.program_by_key_hash("sha256-of-kb").await.unwrap(),
        Some((b.clone(), kb.clone()))
    );
    assert_eq!(store.program_by_key_hash("unknown").await.unwrap(), None);

    // Program b cannot revoke a key of program a.
    let when = ts("2024-02-01T12:00:00.654321Z");
    assert!(!store.revoke_api_key("b", "k3", when).await.unwrap());
    assert!(
        store
            .program_by_key_hash("sha256-of-k3")
            .await
            .unwrap()
            .is_some()
    );
    assert!(!store.revoke_api_key("a", "missing", when).await.unwrap());

    assert!(store.revoke_api_key("a", "k3", when).await.unwrap());
    assert_eq!(
        store.program_by_key_hash("sha256-of-k3").await.unwrap(),
        None
    );
    // Revoking again changes nothing, not even the instant.
    let later = ts("2024-03-01T00:00:00Z");
    assert!(!store.revoke_api_key("a", "k3", later).await.unwrap());
    let revoked = ApiKey {
        revoked_at: Some(when),
        ..k3
    };
    assert_eq!(
        store.list_api_keys("a").await.unwrap(),
        vec![k2.clone(), revoked, k1.clone()]
    );
    // The other keys still work.
    assert_eq!(
        store.program_by_key_hash("sha256-of-k1").await.unwrap(),
        Some((a, k1))
    );
    assert_eq!(
        store.program_by_key_hash("sha256-of-kb").await.unwrap(),
        Some((b, kb))
    );
}

// --- members ---------------------------------------------------------------------------------

/// Upsert creates, then merges: fields left `None` keep their value.
pub async fn member_upsert_merges(backend: Backend) {
    let (_db, store) = setup(backend).await;
    create_program(&store, "p").await;
    assert_eq!(store.get_member("p", "u1").await.unwrap(), None);

    let t1 = ts("2024-02-29T10:11:12.131415Z");
    let attributes = json!({
        "tier": "gold",
        "tags": ["vip", "早鸟"],
        "visits": 12,
        "ratio": 0.25,
        "nested": {"ok": true, "none": null}
    });
    let first = MemberPatch {
        name: Some("李雷".to_owned()),
        phone: Some("+8613800000000".to_owned()),
        birthday: Some(NaiveDate::from_ymd_opt(2000, 2, 29).unwrap()),
        gender: Some("m".to_owned()),
        city: Some("上海".to_owned()),
        attributes: Some(attributes.clone()),
        ..patch("u1", t1)
    };
    let (created, is_new) = store.upsert_member("p", &first).await.unwrap();
    assert!(is_new);
    assert_eq!(created.program_id, "p");
    assert_eq!(created.external_id, "u1");
    assert_eq!(created.name.as_deref(), Some("李雷"));
    assert_eq!(created.phone.as_deref(), Some("+8613800000000"));
    assert_eq!(created.birthday, NaiveDate::from_ymd_opt(2000, 2, 29));
    assert_eq!(created.gender.as_deref(), Some("m"));
    assert_eq!(created.city.as_deref(), Some("上海"));
    assert_eq!(created.attributes, attributes);
    assert_eq!(created.status, "active", "default status");
    assert_eq!(created.identities, vec![]);
    assert_eq!(created.enrolled_at, t1);
    assert_eq!(created.updated_at, t1);
    assert_eq!(
        store.get_member("p", "u1").await.unwrap(),
        Some(created.clone())
    );

    // Only the city and the status change.
    let t2 = ts("2024-03-01T00:00:00.000002Z");
    let second = MemberPatch {
        city: Some("杭州".to_owned()),
        status: Some("frozen".to_owned()),
        ..patch("u1", t2)
    };
    let (updated, is_new) = store.upsert_member("p", &second).await.unwrap();
    assert!(!is_new);
    let expected = Member {
        city: Some("杭州".to_owned()),
        status: "frozen".to_owned(),
        updated_at: t2,
        ..created.clone()
    };
    assert_eq!(updated, expected);
    assert_eq!(
        store.get_member("p", "u1").await.unwrap(),
        Some(expected.clone())
    );

    // Attributes are replaced as a whole, and an early birthday reads back.
    let t3 = ts("2024-03-02T00:00:00Z");
    let third = MemberPatch {
        attributes: Some(json!({"tier": "silver"})),
        birthday: Some(NaiveDate::from_ymd_opt(1969, 12, 31).unwrap()),
        ..patch("u1", t3)
    };
    let (updated, _) = store.upsert_member("p", &third).await.unwrap();
    assert_eq!(
        updated,
        Member {
            attributes: json!({"tier": "silver"}),
            birthday: NaiveDate::from_ymd_opt(1969, 12, 31),
            updated_at: t3,
            ..expected
        }
    );

    // A member created with nothing but an id gets empty attributes.
    let (bare, is_new) = store.upsert_member("p", &patch("u2", t3)).await.unwrap();
    assert!(is_new);
    assert_ne!(bare.id, created.id);
    assert_eq!(bare.attributes, json!({}));
    assert_eq!(
        (bare.name, bare.phone, bare.birthday, bare.gender, bare.city),
        (None, None, None, None, None)
    );
}

/// Binding adds identities; `replace_identities` unbinds the ones not listed.
pub async fn identities_bind_and_replace(backend: Backend) {
    let (_db, store) = setup(backend).await;
    create_program(&store, "p").await;
    let t = ts("2024-02-01T00:00:00Z");
    let phone = ident("phone", "+8613800000001");
    let email = ident("email", "a@example.com");
    let wechat = ident("wechat_unionid", "oU1");

    let (m, _) = store
        .upsert_member(
            "p",
            &MemberPatch {
                bind: vec![phone.clone(), email.clone()],
                ..patch("u1", t)
            },
        )
        .await
        .unwrap();
    // Identities come sorted by kind, then value.
    assert_eq!(m.identities, vec![email.clone(), phone.clone()]);
    let found = store
        .member_by_identity("p", "phone", "+8613800000001")
        .await
        .unwrap()
        .expect("by phone");
    assert_eq!(found, m);
    assert_eq!(
        store
            .member_by_identity("p", "phone", "+86138")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .member_by_identity("p", "email", "+8613800000001")
            .await
            .unwrap(),
        None,
        "the kind is part of the identity"
    );

    // Binding again, and binding more, without replacing: all are kept.
    let (m, _) = store
        .upsert_member(
            "p",
            &MemberPatch {
                bind: vec![phone.clone(), wechat.clone()],
                ..patch("u1", t)
            },
        )
        .await
        .unwrap();
    assert_eq!(
        m.identities,
        vec![email.clone(), phone.clone(), wechat.clone()]
    );

    // Replacing keeps only what is listed.
    let (m, _) = store
        .upsert_member(
            "p",
            &MemberPatch {
                bind: vec![wechat.clone()],
                replace_identities: true,
                ..patch("u1", t)
            },
        )
        .await
        .unwrap();
    assert_eq!(m.identities, vec![wechat.clone()]);
    assert_eq!(
        store
            .get_member("p", "u1")
            .await
            .unwrap()
            .unwrap()
            .identities,
        vec![wechat.clone()]
    );
    assert_eq!(
        store
            .member_by_identity("p", "email", "a@example.com")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .member_by_identity("p", "wechat_unionid", "oU1")
            .await
            .unwrap()
            .map(|m| m.external_id),
        Some("u1".to_owned())
    );

    // An unbound identity is free for another member.
    let (other, _) = store
        .upsert_member(
            "p",
            &MemberPatch {
                bind: vec![email.clone()],
                ..patch("u2", t)
            },
        )
        .await
        .unwrap();
    assert_eq!(other.identities, vec![email]);
    assert_eq!(
        store
            .member_by_identity("p", "email", "a@example.com")
            .await
            .unwrap()
            .map(|m| m.id),
        Some(other.id)
    );

    // Replacing with nothing unbinds everything.
    let (m, _) = store
        .upsert_member(
            "p",
            &MemberPatch {
                replace_identities: true,
                ..patch("u1", t)
            },
        )
        .await
        .unwrap();
    assert_eq!(m.identities, vec![]);
    assert_eq!(
        store
            .member_by_identity("p", "wechat_unionid", "oU1")
            .await
            .unwrap(),
        None
    );
}

/// An upsert that names another member's identity fails with `IdentityTaken` and changes
/// nothing: not the member's fields, not its identities, and it creates no member.
pub async fn identity_taken_changes_nothing(backend: Backend) {
    let (_db, store) = setup(backend).await;
    create_program(&store, "p").await;
    let t = ts("2024-02-01T00:00:00Z");
    let phone = ident("phone", "+8613800000001");
    let email = ident("email", "b@example.com");
    let wechat = ident("wechat_unionid", "oB");

    let (a, _) = store
        .upsert_member(
            "p",
            &MemberPatch {
                bind: vec![phone.clone()],
                ..patch("a", t)
            },
        )
        .await
        .unwrap();
    let (b, _) = store
        .upsert_member(
            "p",
            &MemberPatch {
                name: Some("B".to_owned()),
                bind: vec![email.clone()],
                ..patch("b", t)
            },
        )
        .await
        .unwrap();

    let taken = |r: Result<(Member, bool), StoreError>| match r {
        Err(StoreError::IdentityTaken { kind, value }) => (kind, value),
        other => panic!("expected IdentityTaken, got {other:?}"),
    };

    // b tries to take a's phone while changing its name, binding a new identity and replacing.
    let grab = MemberPatch {
        name: Some("changed".to_owned()),
        city: Some("北京".to_owned()),
        bind: vec![wechat.clone(), phone.clone()],
        replace_identities: true,
        ..patch("b", ts("2024-02-02T00:00:00Z"))
    };
    let (kind, value) = taken(store.upsert_member("p", &grab).await);
    assert_eq!((kind.as_str(), value.as_str()), ("phone", "+8613800000001"));
    assert_eq!(store.get_member("p", "b").await.unwrap(), Some(b.clone()));
    assert_eq!(store.get_member("p", "a").await.unwrap(), Some(a.clone()));
    assert_eq!(
        store
            .member_by_identity("p", "wechat_unionid", "oB")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .member_by_identity("p", "email", "b@example.com")
            .await
            .unwrap()
            .map(|m| m.id),
        Some(b.id),
        "the replaced identity is still bound"
    );

    // A new member naming a taken identity is not created.
    let newcomer = MemberPatch {
        name: Some("C".to_owned()),
        bind: vec![email.clone()],
        ..patch("c", t)
    };
    let (kind, value) = taken(store.upsert_member("p", &newcomer).await);
    assert_eq!((kind.as_str(), value.as_str()), ("email", "b@example.com"));
    assert_eq!(store.get_member("p", "c").await.unwrap(), None);
    assert_eq!(store.list_members("p", 10, None).await.unwrap().len(), 2);

    // The store still works after the failures.
    let (b2, _) = store
        .upsert_member(
            "p",
            &MemberPatch {
                bind: vec![wechat.clone()],
                ..patch("b", t)
            },
        )
        .await
        .unwrap();
    assert_eq!(b2.identities, vec![email, wechat]);
}

/// The same identity, or external id, in two programs belongs to two different members.
pub async fn identities_are_per_program(backend: Backend) {
    let (_db, store) = setup(backend).await;
    create_program(&store, "p1").await;
    create_program(&store, "p2").await;
    create_program(&store, "p3").await;
    let t = ts("2024-02-01T00:00:00Z");
    let phone = ident("phone", "+8613800000009");

    let with_phone = |external: &str| MemberPatch {
        bind: vec![phone.clone()],
        ..patch(external, t)
    };
    let (m1, new1) = store.upsert_member("p1", &with_phone("x")).await.unwrap();
    let (m2, new2) = store.upsert_member("p2", &with_phone("x")).await.unwrap();
    assert!(new1 && new2);
    assert_ne!(m1.id, m2.id);
    assert_eq!(m2.program_id, "p2");

    let by = |p: &'static str| {
        let store = store.clone();
        async move {
            store
                .member_by_identity(p, "phone", "+8613800000009")
                .await
                .unwrap()
        }
    };
    assert_eq!(by("p1").await, Some(m1.clone()));
    assert_eq!(by("p2").await, Some(m2.clone()));
    assert_eq!(by("p3").await, None);
    assert_eq!(store.get_member("p3", "x").await.unwrap(), None);

    // Unbinding in one program leaves the other alone.
    store
        .upsert_member(
            "p1",
            &MemberPatch {
                replace_identities: true,
                ..patch("x", t)
            },
        )
        .await
        .unwrap();
    assert_eq!(by("p1").await, None);
    assert_eq!(by("p2").await, Some(m2));
}

/// `list_members`: newest first, pages joined by the `after` cursor without gaps or repeats,
/// only the program's members, with their identities.
pub async fn list_members_pages(backend: Backend) {
    let (_db, store) = setup(backend).await;
    create_program(&store, "p").await;
    create_program(&store, "q").await;
    let t = ts("2024-02-01T00:00:00Z");

    let mut created = Vec::new();
    for i in 0..7 {
        if i % 3 == 0 {
            new_member(&store, "q", &format!("q{i}")).await;
        }
        let (m, _) = store
            .upsert_member(
                "p",
                &MemberPatch {
                    bind: vec![ident("phone", &format!("+86138000000{i:02}"))],
                    ..patch(&format!("m{i}"), t)
                },
            )
            .await
            .unwrap();
        created.push(m);
    }
    // Updating a member does not move it.
    store
        .upsert_member(
            "p",
            &MemberPatch {
                name: Some("renamed".to_owned()),
                ..patch("m0", ts("2024-03-01T00:00:00Z"))
            },
        )
        .await
        .unwrap();
    created[0] = store.get_member("p", "m0").await.unwrap().unwrap();

    let mut expected = created.clone();
    expected.sort_by_key(|m| std::cmp::Reverse(m.id));
    assert_eq!(
        expected.iter().map(|m| &m.external_id).collect::<Vec<_>>(),
        ["m6", "m5", "m4", "m3", "m2", "m1", "m0"],
        "newest first"
    );

    let mut seen = Vec::new();
    let mut after = None;
    let mut pages = 0;
    loop {
        let page = store.list_members("p", 3, after).await.unwrap();
        pages += 1;
        assert!(page.len() <= 3);
        if page.is_empty() {
            break;
        }
        after = Some(page.last().unwrap().id);
        seen.extend(page);
        assert!(pages < 10, "pagination does not end");
    }
    assert_eq!(pages, 4, "3 + 3 + 1, then an empty page");
    assert_eq!(seen, expected);

    assert_eq!(store.list_members("p", 100, None).await.unwrap(), expected);
    assert_eq!(
        store
            .list_members("p", 2, Some(expected[2].id))
            .await
            .unwrap(),
        expected[3..5].to_vec()
    );
    assert_eq!(store.list_members("q", 100, None).await.unwrap().len(), 3);
    assert_eq!(store.list_members("none", 100, None).await.unwrap(), vec![]);

    // The light listing of a pass: oldest first, after a cursor, one program's.
    let mut oldest = expected.clone();
    oldest.reverse();
    let brief = |ms: &[Member]| -> Vec<(i64, String, Timestamp)> {
        ms.iter()
            .map(|m| (m.id, m.external_id.clone(), m.enrolled_at))
            .collect()
    };
    assert_eq!(
        store.members_after("p", 0, 100).await.unwrap(),
        brief(&oldest)
    );
    assert_eq!(
        store.members_after("p", oldest[1].id, 3).await.unwrap(),
        brief(&oldest[2..5])
    );
    assert!(
        store
            .members_after("p", oldest[6].id, 3)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.members_after("q", 0, 100).await.unwrap().len(), 3);
}

// --- ledger ----------------------------------------------------------------------------------

/// Lots, holds and entries read back exactly as appended, through the store and through a
/// write transaction, every field and optional instant included.
pub async fn ledger_roundtrip(backend: Backend) {
    let (_db, store) = setup(backend).await;
    create_program(&store, "p").await;
    let m = new_member(&store, "p", "u1").await;
    let other = new_member(&store, "p", "u2").await;

    let lots = vec![
        Lot {
            id: 1,
            amount: 500,
            available_at: ts("2024-03-08T09:10:11.121314Z"),
            expires_at: Some(ts("2025-03-01T09:10:11.999999Z")),
            order_id: Some("o-1".to_owned()),
            created_at: ts("2024-03-01T09:10:11.121314Z"),
        },
        Lot {
            id: 2,
            amount: 40,
            available_at: ts("2024-03-02T00:00:00.000001Z"),
            expires_at: None,
            order_id: None,
            created_at: ts("2024-03-02T00:00:00.000001Z"),
        },
    ];
    let holds = vec![
        hold(
            "h-2",
            30,
            ts("2024-03-09T01:02:03.000004Z"),
            ts("2024-03-09T01:17:03.000004Z"),
        ),
        hold(
            "h-1",
            10,
            ts("2024-03-09T01:00:00.5Z"),
            ts("2024-03-10T01:00:00.5Z"),
        ),
    ];
    let entries = vec![
        Entry {
            seq: 1,
            kind: EntryKind::Earn,
            points: 500,
            lot: Some(1),
            hold: None,
            order_id: Some("o-1".to_owned()),
            cause: Cause::new(CauseKind::Event, "evt-1"),
            reason: None,
            effective_at: ts("2024-03-01T09:10:11.121314Z"),
        },
        Entry {
            seq: 2,
            kind: EntryKind::Adjust,
            points: 40,
            lot: Some(2),
            hold: None,
            order_id: None,
            cause: Cause::new(CauseKind::Adjustment, "adj-1"),
            reason: Some("客服补偿 goodwill".to_owned()),
            effective_at: ts("2024-03-02T00:00:00.000001Z"),
        },
        Entry {
            seq: 3,
            kind: EntryKind::Hold,
            points: -30,
            lot: Some(2),
            hold: Some("h-2".to_owned()),
            order_id: None,
            cause: Cause::new(CauseKind::Hold, "h-2"),
            reason: None,
            effective_at: ts("2024-03-09T01:02:03.000004Z"),
        },
        Entry {
            seq: 4,
            kind: EntryKind::Clawback,
            points: -520,
            lot: None,
            hold: None,
            order_id: Some("o-1".to_owned()),
            cause: Cause::new(CauseKind::Event, "refund-1"),
            reason: None,
            effective_at: ts("2024-03-09T05:00:00Z"),
        },
        Entry {
            seq: 5,
            kind: EntryKind::WriteOff,
            points: 0,
            lot: None,
            hold: None,
            order_id: Some("o-1".to_owned()),
            cause: Cause::new(CauseKind::Event, "refund-1"),
            reason: Some("forbid".to_owned()),
            effective_at: ts("2024-03-09T05:00:00Z"),
        },
    ];
    let recorded_at = ts("2024-03-09T05:00:00.000123Z");

    let mut tx = store.begin_write().await.unwrap();
    tx.append("p", m.id, &lots, &holds, &entries, recorded_at)
        .await
        .unwrap();
    // The transaction sees its own rows before commit.
    assert_rows_eq(tx.ledger(m.id).await.unwrap(), &lots, &holds, &entries);
    tx.commit().await.unwrap();

    assert_rows_eq(store.ledger(m.id).await.unwrap(), &lots, &holds, &entries);
    let mut tx = store.begin_write().await.unwrap();
    assert_rows_eq(tx.ledger(m.id).await.unwrap(), &lots, &holds, &entries);
    drop(tx);

    // A second append adds rows after the first ones, of every remaining kind.
    let more_entries: Vec<Entry> = [
        (EntryKind::Redeem, -10, Some(2), Some("h-2")),
        (EntryKind::Release, 20, Some(2), Some("h-2")),
        (EntryKind::Redeem, -5, Some(2), None),
        (EntryKind::Repay, -5, Some(2), None),
        (EntryKind::Expire, -40, Some(1), None),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, (kind, points, lot, hold))| {
        entry(
            6 + i as i64,
            kind,
            points,
            lot,
            hold,
            ts("2025-03-01T09:10:11.999999Z"),
        )
    })
    .collect();
    let more_lots = vec![lot(3, 7, ts("2024-04-01T00:00:00Z"), None)];
    let mut tx = store.begin_write().await.unwrap();
    tx.append("p", m.id, &more_lots, &[], &more_entries, recorded_at)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let all_lots = [lots, more_lots].concat();
    let all_entries = [entries, more_entries].concat();
    assert_rows_eq(
        store.ledger(m.id).await.unwrap(),
        &all_lots,
        &holds,
        &all_entries,
    );
    let mut tx = store.begin_write().await.unwrap();
    assert_rows_eq(
        tx.ledger(m.id).await.unwrap(),
        &all_lots,
        &holds,
        &all_entries,
    );
    // Another member's ledger is its own.
    assert_rows_eq(tx.ledger(other.id).await.unwrap(), &[], &[], &[]);
    drop(tx);
    assert_rows_eq(store.ledger(other.id).await.unwrap(), &[], &[], &[]);

    // Rows are unique per member: the same lot number or sequence number again is refused.
    let mut tx = store.begin_write().await.unwrap();
    let again = tx
        .append(
            "p",
            m.id,
            &[],
            &[],
            &[entry(1, EntryKind::Earn, 1, None, None, recorded_at)],
            recorded_at,
        )
        .await;
    assert!(again.is_err(), "duplicate sequence number accepted");
    drop(tx);
    let mut tx = store.begin_write().await.unwrap();
    tx.append(
        "p",
        other.id,
        &[lot(1, 9, recorded_at, None)],
        &[],
        &[entry(1, EntryKind::Earn, 9, Some(1), None, recorded_at)],
        recorded_at,
    )
    .await
    .expect("numbers are per member");
    tx.commit().await.unwrap();
    assert_eq!(store.ledger(other.id).await.unwrap().entries.len(), 1);
    assert_eq!(store.ledger(m.id).await.unwrap().entries.len(), 10);
}

/// `list_entries`: newest first, pages joined by the `before` cursor, with when each entry was
/// recorded.
pub async fn list_entries_pages(backend: Backend) {
    let (_db, store) = setup(backend).await;
    create_program(&store, "p").await;
    let m = new_member(&store, "p", "u1").await;
    let other = new_member(&store, "p", "u2").await;

    let mut written = Vec::new();
    for batch in 0..3_i64 {
        let recorded_at = ts("2024-03-01T00:00:00.000007Z") + chrono::Duration::days(batch);
        let entries: Vec<Entry> = (1..=3)
            .map(|i| {
                let seq = batch * 3 + i;
                entry(
                    seq,
                    EntryKind::Earn,
                    seq * 10,
                    Some(seq),
                    None,
                    recorded_at - chrono::Duration::hours(1),
                )
            })
            .collect();
        let lots: Vec<Lot> = entries
            .iter()
            .map(|e| lot(e.seq, e.points, e.effective_at, None))
            .collect();
        let mut tx = store.begin_write().await.unwrap();
        tx.append("p", m.id, &lots, &[], &entries, recorded_at)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        written.extend(
            entries
                .into_iter()
                .map(|entry| StoredEntry { entry, recorded_at }),
        );
    }
    seed(
        &store,
        "p",
        other.id,
        &[],
        &[],
        &[entry(
            1,
            EntryKind::Adjust,
            -1,
            None,
            None,
            ts("2024-03-01T00:00:00Z"),
        )],
    )
    .await;

    let mut newest_first = written.clone();
    newest_first.reverse();
    assert_eq!(
        store.list_entries(m.id, 100, None).await.unwrap(),
        newest_first
    );

    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let page = store.list_entries(m.id, 4, before).await.unwrap();
        assert!(page.len() <= 4);
        let Some(last) = page.last() else { break };
        before = Some(last.entry.seq);
        seen.extend(page);
        assert!(seen.len() <= written.len(), "pages repeat entries");
    }
    assert_eq!(seen, newest_first);

    assert_eq!(
        store.list_entries(m.id, 2, Some(5)).await.unwrap(),
        newest_first[5..7].to_vec(),
        "seq 4 and 3"
    );
    assert_eq!(store.list_entries(m.id, 10, Some(1)).await.unwrap(), vec![]);
    assert_eq!(
        store.list_entries(other.id, 10, None).await.unwrap().len(),
        1
    );
    assert_eq!(store.list_entries(-1, 10, None).await.unwrap(), vec![]);
}

/// A write transaction dropped without commit leaves no trace of anything it wrote.
pub async fn dropped_tx_persists_nothing(backend: Backend) {
    let (_db, store) = setup(backend).await;
    create_program(&store, "p").await;
    let m = new_member(&store, "p", "u1").await;
    let t = ts("2024-03-01T00:00:00Z");
    let key = idem("p", "events", "k1");
    let lots = [lot(1, 100, t, None)];
    let holds = [hold("h1", 10, t, t + chrono::Duration::minutes(15))];
    let entries = [
        entry(1, EntryKind::Earn, 100, Some(1), None, t),
        entry(2, EntryKind::Hold, -10, Some(1), Some("h1"), t),
    ];
    let order = Order {
        program_id: "p".to_owned(),
        order_id: "o1".to_owned(),
        member_id: Some(m.id),
        guest_ref: None,
        amount: 10_000,
        refunded: 0,
        points_per_yuan: 1,
        points: Some(1_230),
        occurred_at: t,
    };
    let event = EventRecord {
        program_id: "p".to_owned(),
        id: "e1".to_owned(),
        member_id: Some(m.id),
        kind: "purchase".to_owned(),
        occurred_at: t,
        site: None,
        attributes: json!({}),
        recorded_at: t,
    };

    {
        let mut tx = store.begin_write().await.unwrap();
        assert_eq!(tx.claim(&key, "hash").await.unwrap(), Claim::New);
        tx.append("p", m.id, &lots, &holds, &entries, t)
            .await
            .unwrap();
        tx.insert_order(&order).await.unwrap();
        tx.insert_event(&event).await.unwrap();
        tx.complete(&key, 201, "{}").await.unwrap();
        assert_eq!(tx.ledger(m.id).await.unwrap().entries.len(), 2);
        assert!(tx.lock_order("p", "o1").await.unwrap().is_some());
        // Dropped here, without commit.
    }

    assert_rows_eq(store.ledger(m.id).await.unwrap(), &[], &[], &[]);
    assert_eq!(store.list_entries(m.id, 10, None).await.unwrap(), vec![]);
    assert_eq!(store.get_hold("p", "h1").await.unwrap(), None);

    // The same rows can be written again: nothing of the first attempt is in the way.
    let mut tx = store.begin_write().await.unwrap();
    assert_rows_eq(tx.ledger(m.id).await.unwrap(), &[], &[], &[]);
    assert_eq!(tx.lock_order("p", "o1").await.unwrap(), None);
    assert_eq!(tx.hold_member("p", "h1").await.unwrap(), None);
    assert_eq!(tx.claim(&key, "hash").await.unwrap(), Claim::New);
    tx.append("p", m.id, &lots, &holds, &entries, t)
        .await
        .unwrap();
    tx.insert_order(&order).await.unwrap();
    tx.insert_event(&event).await.unwrap();
    tx.commit().await.unwrap();
    assert_rows_eq(store.ledger(m.id).await.unwrap(), &lots, &holds, &entries);
}

// --- idempotency -----------------------------------------------------------------------------

/// Claim, complete, replay; a dropped claim frees the key. Keys are per program and scope.
pub async fn idempotency_lifecycle(backend: Backend) {
    let (_db, store) = setup(backend).await;
    let key = idem("p", "redemptions", "req-1");
    let body = r#"{"points":100,"note":"兑换"}"#;

    let mut tx = store.begin_write().await.unwrap();
    assert_eq!(tx.claim(&key, "hash-1").await.unwrap(), Claim::New);
    tx.complete(&key, 201, body).await.unwrap();
    tx.commit().await.unwrap();

    let existing = Claim::Existing {
        request_hash: "hash-1".to_owned(),
        status: 201,
        response: body.to_owned(),
    };
    let mut tx = store.begin_write().await.unwrap();
    // The stored hash comes back whatever the new request's hash is: the caller compares.
    assert_eq!(tx.claim(&key, "hash-1").await.unwrap(), existing);
    assert_eq!(tx.claim(&key, "hash-2").await.unwrap(), existing);
    // Another scope, program or key is a different key.
    for other in [
        idem("p", "events", "req-1"),
        idem("q", "redemptions", "req-1"),
        idem("p", "redemptions", "req-2"),
    ] {
        assert_eq!(tx.claim(&other, "hash-9").await.unwrap(), Claim::New);
    }
    drop(tx);

    // A second claim in the claiming transaction itself sees the claim.
    let mut tx = store.begin_write().await.unwrap();
    let fresh = idem("p", "redemptions", "req-3");
    assert_eq!(tx.claim(&fresh, "hash-3").await.unwrap(), Claim::New);
    assert!(matches!(
        tx.claim(&fresh, "hash-3").await.unwrap(),
        Claim::Existing { request_hash, .. } if request_hash == "hash-3"
    ));
    tx.complete(&fresh, 422, r#"{"error":"insufficient_points"}"#)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin_write().await.unwrap();
    assert_eq!(
        tx.claim(&fresh, "hash-3").await.unwrap(),
        Claim::Existing {
            request_hash: "hash-3".to_owned(),
            status: 422,
            response: r#"{"error":"insufficient_points"}"#.to_owned(),
        }
    );
    drop(tx);

    // A claim in a transaction that is dropped leaves nothing behind.
    let mut tx = store.begin_write().await.unwrap();
    let fresh = idem("p", "redemptions", "dropped");
    assert_eq!(tx.claim(&fresh, "hash-4").await.unwrap(), Claim::New);
    drop(tx);
    let mut tx = store.begin_write().await.unwrap();
    assert_eq!(tx.claim(&fresh, "hash-5").await.unwrap(), Claim::New);
    tx.commit().await.unwrap();
    let mut tx = store.begin_write().await.unwrap();
    assert!(matches!(
        tx.claim(&fresh, "hash-6").await.unwrap(),
        Claim::Existing { request_hash, .. } if request_hash == "hash-5"
    ));
    drop(tx);
}

/// Claims one transaction, completes it when the claim is new, and commits.
async fn claim_and_finish(
    store: Arc<dyn Store>,
    key: IdempotencyKey,
    hash: &'static str,
    barrier: Option<Arc<tokio::sync::Barrier>>,
) -> Claim {
    let mut tx = store.begin_write().await.unwrap();
    if let Some(b) = barrier {
        b.wait().await;
    }
    let claim = tx.claim(&key, hash).await.unwrap();
    if claim == Claim::New {
        tx.complete(&key, 201, &format!(r#"{{"by":"{hash}"}}"#))
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    claim
}

/// Two transactions claiming one key: exactly one owns it; the other waits for the owner's
/// commit and gets its answer (or the key, when the owner rolls back).
pub async fn idempotency_concurrent_claims(backend: Backend) {
    let (_db, store) = setup(backend).await;

    if backend == Backend::Sqlite {
        // One writer at a time: the second transaction starts after the first commits.
        let key = idem("p", "events", "seq");
        let first = claim_and_finish(store.clone(), key.clone(), "one", None).await;
        let second = claim_and_finish(store.clone(), key, "two", None).await;
        assert_eq!(first, Claim::New);
        assert_eq!(
            second,
            Claim::Existing {
                request_hash: "one".to_owned(),
                status: 201,
                response: r#"{"by":"one"}"#.to_owned(),
            }
        );
        return;
    }

    // The second claim blocks until the first transaction commits, then sees its answer.
    let key = idem("p", "events", "blocking");
    let mut first = store.begin_write().await.unwrap();
    assert_eq!(first.claim(&key, "h1").await.unwrap(), Claim::New);
    let second = tokio::spawn({
        let (store, key) = (store.clone(), key.clone());
        async move {
            let mut tx = store.begin_write().await.unwrap();
            let claim = tx.claim(&key, "h2").await.unwrap();
            let claimed_at = Instant::now();
            drop(tx);
            (claim, claimed_at)
        }
    });
    tokio::time::sleep(BLOCKED_FOR).await;
    assert!(
        !second.is_finished(),
        "the second claim did not wait for the first transaction"
    );
    first.complete(&key, 201, r#"{"ok":1}"#).await.unwrap();
    let committing = Instant::now();
    first.commit().await.unwrap();
    let (claim, claimed_at) = second.await.unwrap();
    assert!(claimed_at >= committing);
    assert_eq!(
        claim,
        Claim::Existing {
            request_hash: "h1".to_owned(),
            status: 201,
            response: r#"{"ok":1}"#.to_owned(),
        }
    );

    // When the first transaction rolls back, the waiting one gets the key.
    let key = idem("p", "events", "rollback");
    let mut first = store.begin_write().await.unwrap();
    assert_eq!(first.claim(&key, "h1").await.unwrap(), Claim::New);
    let second = tokio::spawn(claim_and_finish(store.clone(), key.clone(), "h2", None));
    tokio::time::sleep(BLOCKED_FOR).await;
    assert!(!second.is_finished());
    drop(first);
    assert_eq!(second.await.unwrap(), Claim::New);
    let mut tx = store.begin_write().await.unwrap();
    assert!(matches!(
        tx.claim(&key, "h3").await.unwrap(),
        Claim::Existing { request_hash, status: 201, .. } if request_hash == "h2"
    ));
    drop(tx);

    // Racing from the same start: exactly one new claim per key, the other sees its answer.
    for round in 0..5 {
        let key = idem("p", "events", &format!("race-{round}"));
        let barrier = Arc::new(tokio::sync::Barrier::new(2));
        let a = tokio::spawn(claim_and_finish(
            store.clone(),
            key.clone(),
            "a",
            Some(barrier.clone()),
        ));
        let b = tokio::spawn(claim_and_finish(store.clone(), key, "b", Some(barrier)));
        let claims = [a.await.unwrap(), b.await.unwrap()];
        let winners: Vec<&str> = ["a", "b"]
            .into_iter()
            .zip(&claims)
            .filter(|(_, c)| **c == Claim::New)
            .map(|(name, _)| name)
            .collect();
        assert_eq!(winners.len(), 1, "round {round}: {claims:?}");
        let winner = winners[0];
        let loser = claims.iter().find(|c| **c != Claim::New).unwrap();
        assert_eq!(
            *loser,
            Claim::Existing {
                request_hash: winner.to_owned(),
                status: 201,
                response: format!(r#"{{"by":"{winner}"}}"#),
            },
            "round {round}"
        );
    }
}

// --- orders, events, holds -------------------------------------------------------------------

/// Orders: insert, lock, refund; keyed by program and order id.
pub async fn orders_lifecycle(backend: Backend) {
    let (_db, store) = setup(backend).await;
    create_program(&store, "p").await;
    create_program(&store, "q").await;
    let m = new_member(&store, "p", "u1").await;
    let member_order = Order {
        program_id: "p".to_owned(),
        order_id: "o-1".to_owned(),
        member_id: Some(m.id),
        guest_ref: None,
        amount: 12_345,
        refunded: 0,
        points_per_yuan: 3,
        points: None,
        occurred_at: ts("2024-03-01T12:00:00.000321Z"),
    };
    let guest_order = Order {
        order_id: "o-2".to_owned(),
        member_id: None,
        guest_ref: Some("receipt-778".to_owned()),
        amount: 99,
        points_per_yuan: 1,
        ..member_order.clone()
    };
    let other_program = Order {
        program_id: "q".to_owned(),
        member_id: None,
        amount: 1,
        ..member_order.clone()
    };

    let mut tx = store.begin_write().await.unwrap();
    assert_eq!(tx.lock_order("p", "o-1").await.unwrap(), None);
    assert!(tx.insert_order(&member_order).await.unwrap());
    assert!(tx.insert_order(&guest_order).await.unwrap());
    tx.insert_order(&other_program)
        .await
        .expect("order ids are per program");
    assert_eq!(
        tx.lock_order("p", "o-1").await.unwrap(),
        Some(member_order.clone())
    );
    tx.commit().await.unwrap();

    let mut tx = store.begin_write().await.unwrap();
    assert_eq!(
        tx.lock_order("p", "o-1").await.unwrap(),
        Some(member_order.clone())
    );
    assert_eq!(
        tx.lock_order("p", "o-2").await.unwrap(),
        Some(guest_order.clone())
    );
    assert_eq!(
        tx.lock_order("q", "o-1").await.unwrap(),
        Some(other_program.clone())
    );
    assert_eq!(tx.lock_order("q", "o-2").await.unwrap(), None);
    tx.set_order_refunded("p", "o-1", 5_000).await.unwrap();
    assert_eq!(
        tx.lock_order("p", "o-1").await.unwrap().map(|o| o.refunded),
        Some(5_000)
    );
    tx.commit().await.unwrap();

    let mut tx = store.begin_write().await.unwrap();
    assert_eq!(
        tx.lock_order("p", "o-1").await.unwrap(),
        Some(Order {
            refunded: 5_000,
            ..member_order.clone()
        })
    );
    // Only that order changed.
    assert_eq!(
        tx.lock_order("q", "o-1").await.unwrap(),
        Some(other_program)
    );
    assert_eq!(tx.lock_order("p", "o-2").await.unwrap(), Some(guest_order));
    // A refund left uncommitted is not kept.
    tx.set_order_refunded("p", "o-1", 12_345).await.unwrap();
    drop(tx);
    let mut tx = store.begin_write().await.unwrap();
    assert_eq!(
        tx.lock_order("p", "o-1").await.unwrap().map(|o| o.refunded),
        Some(5_000)
    );
    drop(tx);

    // The same order id twice in one program is refused, and changes nothing.
    let mut tx = store.begin_write().await.unwrap();
    assert!(!tx.insert_order(&member_order).await.unwrap());
    assert_eq!(
        tx.lock_order("p", "o-1").await.unwrap().map(|o| o.refunded),
        Some(5_000)
    );
    drop(tx);
}

/// Events are unique per program: a repeated id in the same program is refused, in another
/// program it is fine.
pub async fn events_unique_per_program(backend: Backend) {
    let (_db, store) = setup(backend).await;
    create_program(&store, "p").await;
    create_program(&store, "q").await;
    let m = new_member(&store, "p", "u1").await;
    let event = EventRecord {
        program_id: "p".to_owned(),
        id: "evt-1".to_owned(),
        member_id: Some(m.id),
        kind: "purchase".to_owned(),
        occurred_at: ts("2024-03-01T12:00:00.000321Z"),
        site: Some("store-12".to_owned()),
        attributes: json!({"amount": 12_345, "sku": ["a", "b"]}),
        recorded_at: ts("2024-03-01T12:00:01Z"),
    };
    let guest = EventRecord {
        id: "evt-2".to_owned(),
        member_id: None,
        site: None,
        attributes: json!({}),
        ..event.clone()
    };

    let mut tx = store.begin_write().await.unwrap();
    tx.insert_event(&event).await.unwrap();
    tx.insert_event(&guest).await.unwrap();
    tx.commit().await.unwrap();

    // Committed before: refused.
    let mut tx = store.begin_write().await.unwrap();
    let dup = EventRecord {
        kind: "refund".to_owned(),
        ..event.clone()
    };
    assert!(tx.insert_event(&dup).await.is_err(), "duplicate event id");
    drop(tx);

    // Twice in one transaction: refused too.
    let mut tx = store.begin_write().await.unwrap();
    let fresh = EventRecord {
        id: "evt-3".to_owned(),
        ..event.clone()
    };
    tx.insert_event(&fresh).await.unwrap();
    assert!(tx.insert_event(&fresh).await.is_err());
    drop(tx);

    // The same id in another program is a different event.
    let mut tx = store.begin_write().await.unwrap();
    tx.insert_event(&EventRecord {
        program_id: "q".to_owned(),
        member_id: None,
        ..event.clone()
    })
    .await
    .expect("event ids are per program");
    // evt-3 was rolled back above, so it can be written now.
    tx.insert_event(&fresh).await.expect("evt-3 is free");
    tx.commit().await.unwrap();

    // Read back in one batch: the program's own, unknown ids left out, none of `q`'s.
    let ids = ["evt-1", "evt-2", "evt-3", "evt-9"].map(str::to_owned);
    let mut found = store.events_by_id("p", &ids).await.unwrap();
    found.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(found, vec![event.clone(), guest, fresh]);
    let theirs = store.events_by_id("q", &ids).await.unwrap();
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0].program_id, "q");
    assert!(store.events_by_id("p", &[]).await.unwrap().is_empty());
}

/// A hold is found by program and id, with its member.
pub async fn holds_lookup(backend: Backend) {
    let (_db, store) = setup(backend).await;
    create_program(&store, "p").await;
    create_program(&store, "q").await;
    let m = new_member(&store, "p", "u1").await;
    let n = new_member(&store, "q", "u9").await;
    let t = ts("2024-03-01T10:00:00.000001Z");
    let h = hold("h-1", 70, t, t + chrono::Duration::minutes(15));
    let h_q = hold("h-1", 5, t, t + chrono::Duration::hours(1));

    assert_eq!(store.get_hold("p", "h-1").await.unwrap(), None);
    seed(
        &store,
        "p",
        m.id,
        &[lot(1, 100, t, None)],
        std::slice::from_ref(&h),
        &[
            entry(1, EntryKind::Earn, 100, Some(1), None, t),
            entry(2, EntryKind::Hold, -70, Some(1), Some("h-1"), t),
        ],
    )
    .await;
    seed(&store, "q", n.id, &[], std::slice::from_ref(&h_q), &[]).await;

    assert_eq!(
        store.get_hold("p", "h-1").await.unwrap(),
        Some(StoredHold {
            record: h.clone(),
            member_id: m.id,
            member_external_id: "u1".to_owned(),
        })
    );
    assert_eq!(
        store.get_hold("q", "h-1").await.unwrap(),
        Some(StoredHold {
            record: h_q,
            member_id: n.id,
            member_external_id: "u9".to_owned(),
        })
    );
    assert_eq!(store.get_hold("p", "h-2").await.unwrap(), None);
    assert_eq!(store.get_hold("r", "h-1").await.unwrap(), None);

    let mut tx = store.begin_write().await.unwrap();
    assert_eq!(
        tx.hold_member("p", "h-1").await.unwrap(),
        Some("u1".to_owned())
    );
    assert_eq!(
        tx.hold_member("q", "h-1").await.unwrap(),
        Some("u9".to_owned())
    );
    assert_eq!(tx.hold_member("p", "nope").await.unwrap(), None);
    // A hold id is unique within its program.
    let again = tx
        .append("p", m.id, &[], &[hold("h-1", 1, t, t)], &[], t)
        .await;
    assert!(again.is_err(), "duplicate hold id accepted");
    drop(tx);
}

/// `members_to_maintain` lists exactly the members for whom time alone implies entries not
/// written yet: holds past their deadline with no redeem or release, lots expired with points
/// no `expire` entry records.
pub async fn members_to_maintain(backend: Backend) {
    let (_db, store) = setup(backend).await;
    create_program(&store, "p").await;
    create_program(&store, "q").await;
    let now = ts("2024-06-01T00:00:00Z");
    // (program, member, next_due_at): due at or before `now` means listed, oldest due first.
    let cases = [
        ("p", "never", None),
        ("p", "due-long-ago", Some(ts("2024-01-01T00:00:00Z"))),
        ("p", "due-now", Some(now)),
        ("p", "due-later", Some(ts("2024-07-01T00:00:00Z"))),
        ("q", "due-in-q", Some(ts("2024-03-01T00:00:00Z"))),
    ];
    for (program, external_id, due) in cases {
        let m = new_member(&store, program, external_id).await;
        let mut tx = store.begin_write().await.unwrap();
        let head = tx.lock_head(program, external_id).await.unwrap().unwrap();
        assert_eq!(
            (head.id, head.ledger_seq, head.book.clone()),
            (m.id, 0, None)
        );
        tx.save_book(m.id, 7, b"{\"book\":1}", due).await.unwrap();
        tx.commit().await.unwrap();
    }
    let listed = store.members_to_maintain(now, 100).await.unwrap();
    let names: Vec<&str> = listed.iter().map(|(_, e)| e.as_str()).collect();
    assert_eq!(names, vec!["due-long-ago", "due-in-q", "due-now"]);
    assert_eq!(listed[1].0, "q");
    assert_eq!(store.members_to_maintain(now, 1).await.unwrap().len(), 1);
    let head = store.member_head("p", "due-now").await.unwrap().unwrap();
    assert_eq!(head.ledger_seq, 7);
    assert_eq!(head.book.as_deref(), Some(&b"{\"book\":1}"[..]));
    assert_eq!(head.status, "active");
    // Saving a book with nothing due takes the member off the list.
    let mut tx = store.begin_write().await.unwrap();
    tx.save_book(head.id, 8, b"{}", None).await.unwrap();
    tx.commit().await.unwrap();
    let listed = store.members_to_maintain(now, 100).await.unwrap();
    assert!(listed.iter().all(|(_, e)| e != "due-now"));
    assert!(store.member_head("p", "nobody").await.unwrap().is_none());
}

// --- locking ---------------------------------------------------------------------------------

/// Locking a member (`lock_head`) serializes writers of one member: a second writer proceeds only after the
/// first commits, and then sees what it wrote. On PostgreSQL, writers of different members do
/// not wait for each other.
pub async fn lock_member_serializes_writers(backend: Backend) {
    let (_db, store) = setup(backend).await;
    create_program(&store, "p").await;
    let t = ts("2024-03-01T00:00:00Z");
    let (m, _) = store
        .upsert_member(
            "p",
            &MemberPatch {
                name: Some("A".to_owned()),
                bind: vec![ident("phone", "+8613800000077")],
                ..patch("u1", t)
            },
        )
        .await
        .unwrap();
    let n = new_member(&store, "p", "u2").await;
    assert_ne!(m.id, n.id);

    let mut first = store.begin_write().await.unwrap();
    let head = first.lock_head("p", "u1").await.unwrap();
    assert_eq!(
        head.map(|h| (h.id, h.external_id)),
        Some((m.id, "u1".to_owned()))
    );
    assert_eq!(first.lock_head("p", "nobody").await.unwrap(), None);
    assert_eq!(first.lock_head("q", "u1").await.unwrap(), None);

    let second = tokio::spawn({
        let store = store.clone();
        async move {
            let mut tx = store.begin_write().await.unwrap();
            let member = tx.lock_head("p", "u1").await.unwrap().expect("member");
            let locked_at = Instant::now();
            // Decide from what is there, as a real writer does.
            let seen = tx.ledger(member.id).await.unwrap();
            let seq = seen.entries.len() as i64 + 1;
            tx.append(
                "p",
                member.id,
                &[lot(seq, 5, t, None)],
                &[],
                &[entry(seq, EntryKind::Earn, 5, Some(seq), None, t)],
                t,
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            (locked_at, seen)
        }
    });

    tokio::time::sleep(BLOCKED_FOR).await;
    assert!(
        !second.is_finished(),
        "the second writer went ahead while the first held the member"
    );
    let earn = entry(1, EntryKind::Earn, 100, Some(1), None, t);
    first
        .append(
            "p",
            m.id,
            &[lot(1, 100, t, None)],
            &[],
            std::slice::from_ref(&earn),
            t,
        )
        .await
        .unwrap();
    let committing = Instant::now();
    first.commit().await.unwrap();

    let (locked_at, seen) = second.await.unwrap();
    assert!(
        locked_at >= committing,
        "the second writer locked the member before the first committed"
    );
    assert_eq!(
        seen.entries,
        vec![earn],
        "the second writer saw the first's entry"
    );
    let rows = store.ledger(m.id).await.unwrap();
    assert_eq!(
        rows.entries
            .iter()
            .map(|e| (e.seq, e.points))
            .collect::<Vec<_>>(),
        vec![(1, 100), (2, 5)]
    );

    if backend == Backend::Postgres {
        // Different members: no waiting.
        let mut first = store.begin_write().await.unwrap();
        first.lock_head("p", "u1").await.unwrap().expect("u1");
        let other = tokio::spawn({
            let store = store.clone();
            async move {
                let mut tx = store.begin_write().await.unwrap();
                let got = tx.lock_head("p", "u2").await.unwrap();
                tx.commit().await.unwrap();
                got
            }
        });
        let got = tokio::time::timeout(Duration::from_secs(10), other)
            .await
            .expect("locking another member waited for the first transaction")
            .unwrap();
        assert_eq!(got.map(|g| g.id), Some(n.id));

        // Orders lock the same way.
        first
            .insert_order(&Order {
                program_id: "p".to_owned(),
                order_id: "o".to_owned(),
                member_id: Some(m.id),
                guest_ref: None,
                amount: 100,
                refunded: 0,
                points_per_yuan: 1,
                points: None,
                occurred_at: t,
            })
            .await
            .unwrap();
        first.commit().await.unwrap();
        let mut first = store.begin_write().await.unwrap();
        first.lock_order("p", "o").await.unwrap().expect("order");
        let second = tokio::spawn({
            let store = store.clone();
            async move {
                let mut tx = store.begin_write().await.unwrap();
                let order = tx.lock_order("p", "o").await.unwrap().expect("order");
                drop(tx);
                order.refunded
            }
        });
        tokio::time::sleep(BLOCKED_FOR).await;
        assert!(!second.is_finished(), "lock_order did not wait");
        first.set_order_refunded("p", "o", 40).await.unwrap();
        first.commit().await.unwrap();
        assert_eq!(second.await.unwrap(), 40);
    }
}

/// Two upserts of one new member at once: one creates it, the other updates it; neither fails.
pub async fn concurrent_upserts_create_once(backend: Backend) {
    let (_db, store) = setup(backend).await;
    create_program(&store, "p").await;
    for round in 0..5 {
        let external = format!("u{round}");
        let barrier = Arc::new(tokio::sync::Barrier::new(2));
        let run = |name: &'static str| {
            let (store, barrier, external) = (store.clone(), barrier.clone(), external.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                let patch = MemberPatch {
                    city: Some(name.to_owned()),
                    bind: vec![ident("email", &format!("{external}@example.com"))],
                    ..patch(&external, ts("2024-02-01T00:00:00Z"))
                };
                store.upsert_member("p", &patch).await
            })
        };
        let (a, b) = (run("a"), run("b"));
        let (a, b) = (a.await.unwrap(), b.await.unwrap());
        let (a, a_new) = a.unwrap_or_else(|e| panic!("round {round}: first upsert failed: {e:?}"));
        let (b, b_new) = b.unwrap_or_else(|e| panic!("round {round}: second upsert failed: {e:?}"));
        assert!(
            a_new != b_new,
            "round {round}: exactly one creates the member"
        );
        assert_eq!(a.id, b.id);
        let stored = store.get_member("p", &external).await.unwrap().unwrap();
        assert_eq!(stored.id, a.id);
        assert_eq!(stored.identities.len(), 1);
    }
}

/// The multi-row reads and writes an event batch uses.
pub async fn batch_writes(backend: Backend) {
    let (_db, store) = setup(backend).await;
    create_program(&store, "p").await;
    create_program(&store, "q").await;
    let a = new_member(&store, "p", "a").await;
    let b = new_member(&store, "p", "b").await;
    new_member(&store, "q", "a").await;
    let at = ts("2024-03-01T12:00:00Z");

    let mut tx = store.begin_write().await.unwrap();
    let heads = tx.lock_heads("p", &["b", "nobody", "a"]).await.unwrap();
    let ids: Vec<i64> = heads.iter().map(|h| h.id).collect();
    assert_eq!(
        ids,
        vec![a.id, b.id],
        "existing members of the program, in id order"
    );

    let answers = [
        ("e1", "h1", 200, "{\"n\":1}"),
        ("e2", "h2", 200, "{\"n\":2}"),
    ];
    assert_eq!(tx.store_answers("p", "event", &answers).await.unwrap(), 2);
    let again = [("e2", "other", 200, "{}"), ("e3", "h3", 200, "{\"n\":3}")];
    assert_eq!(
        tx.store_answers("p", "event", &again).await.unwrap(),
        1,
        "e2 kept"
    );
    let mut found = tx
        .stored_answers("p", "event", &["e2", "e3", "e9"])
        .await
        .unwrap();
    found.sort();
    assert_eq!(
        found,
        vec![
            ("e2".into(), "h2".into(), 200, "{\"n\":2}".into()),
            ("e3".into(), "h3".into(), 200, "{\"n\":3}".into()),
        ]
    );
    assert!(
        tx.stored_answers("q", "event", &["e2"])
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        tx.stored_answers("p", "redemption", &["e2"])
            .await
            .unwrap()
            .is_empty()
    );

    let order = |id: &str, member: Option<i64>| Order {
        program_id: "p".into(),
        order_id: id.into(),
        member_id: member,
        guest_ref: None,
        amount: 10_000,
        refunded: 0,
        points_per_yuan: 1,
        points: None,
        occurred_at: at,
    };
    let orders = [order("o2", Some(a.id)), order("o1", Some(b.id))];
    assert_eq!(tx.insert_orders(&orders).await.unwrap(), 2);
    assert_eq!(
        tx.insert_orders(&[order("o1", None), order("o3", None)])
            .await
            .unwrap(),
        1
    );
    let locked = tx
        .lock_orders("p", &["o3", "o1", "o2", "o9"])
        .await
        .unwrap();
    let got: Vec<(&str, Option<i64>)> = locked
        .iter()
        .map(|o| (o.order_id.as_str(), o.member_id))
        .collect();
    assert_eq!(
        got,
        vec![("o1", Some(b.id)), ("o2", Some(a.id)), ("o3", None)]
    );

    let event = |id: &str, member: i64| EventRecord {
        program_id: "p".into(),
        id: id.into(),
        member_id: Some(member),
        kind: "purchase".into(),
        occurred_at: at,
        site: Some("tmall".into()),
        attributes: serde_json::json!({"order_id": id}),
        recorded_at: at,
    };
    tx.insert_events(&[event("e1", a.id), event("e2", b.id)])
        .await
        .unwrap();
    tx.save_books(&[
        (a.id, 3, b"{\"a\":1}".to_vec(), Some(at)),
        (b.id, 5, b"{\"b\":2}".to_vec(), None),
    ])
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let head_a = store.member_head("p", "a").await.unwrap().unwrap();
    assert_eq!(
        (head_a.ledger_seq, head_a.book.as_deref()),
        (3, Some(&b"{\"a\":1}"[..]))
    );
    let head_b = store.member_head("p", "b").await.unwrap().unwrap();
    assert_eq!(
        (head_b.ledger_seq, head_b.book.as_deref()),
        (5, Some(&b"{\"b\":2}"[..]))
    );
    let due = store.members_to_maintain(at, 10).await.unwrap();
    assert_eq!(due, vec![("p".to_owned(), "a".to_owned())]);
    let untouched = store.member_head("q", "a").await.unwrap().unwrap();
    assert_eq!((untouched.ledger_seq, untouched.book), (0, None));

    // A duplicate event id is refused as a whole statement, and the transaction says so.
    let mut tx = store.begin_write().await.unwrap();
    assert!(tx.insert_events(&[event("e1", a.id)]).await.is_err());
}

/// The indexes and constraints of the database, as text to compare.
async fn schema_fingerprint(backend: Backend, url: &str) -> Vec<(String, String)> {
    use sqlx::Connection;
    match backend {
        Backend::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(url).await.expect("connect");
            sqlx::query_as(
                "SELECT name, coalesce(sql, '') FROM sqlite_master WHERE type = 'index' \
                 ORDER BY name",
            )
            .fetch_all(&mut c)
            .await
            .expect("indexes")
        }
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(url).await.expect("connect");
            sqlx::query_as(
                "SELECT indexname::text, indexdef FROM pg_indexes \
                 WHERE schemaname = current_schema() \
                 UNION ALL \
                 SELECT conname::text, pg_get_constraintdef(oid) FROM pg_constraint \
                 WHERE connamespace = current_schema()::regnamespace ORDER BY 1, 2",
            )
            .fetch_all(&mut c)
            .await
            .expect("indexes and constraints")
        }
    }
}

/// A bulk load between `start_bulk_load` and `finish_bulk_load` stores every row as given
/// (text that `COPY` would read as structure included), and leaves the schema exactly as the
/// migrations made it, foreign keys enforced again.
pub async fn bulk_load_roundtrip(backend: Backend) {
    use crate::BulkMember;
    let (db, store) = setup(backend).await;
    create_program(&store, "p").await;
    let before = schema_fingerprint(backend, &db.url).await;
    assert!(before.iter().any(|(n, _)| n == "events_occurred"));

    store.start_bulk_load().await.expect("start");
    let during = schema_fingerprint(backend, &db.url).await;
    assert!(
        !during.iter().any(|(n, _)| n == "events_occurred"),
        "the index of events by time is dropped while loading"
    );

    let at = ts("2024-06-18T00:00:00.000001Z");
    let tricky = "a\tb\\c\nd\r\"e\" 积分 \\N";
    let mut redeem = entry(3, EntryKind::Redeem, -100, Some(1), None, at);
    redeem.reason = Some(tricky.to_owned());
    let mut earn = entry(1, EntryKind::Earn, 500, Some(1), None, at);
    earn.order_id = Some(format!("o-{tricky}"));
    let lots = vec![
        Lot {
            order_id: Some(format!("o-{tricky}")),
            ..lot(1, 500, at, Some(ts("2025-06-18T00:00:00Z")))
        },
        lot(2, 40, at, None),
    ];
    let holds = vec![hold("h-1", 30, at, ts("2024-06-18T00:15:00Z"))];
    let entries = vec![
        earn,
        entry(2, EntryKind::Adjust, 40, Some(2), None, at),
        redeem,
        entry(4, EntryKind::Hold, -30, Some(1), Some("h-1"), at),
    ];
    let member = |n: usize| BulkMember {
        external_id: format!("bulk-{n}"),
        phone: Some(format!("+8613800000{n:03}")),
        enrolled_at: Some(at),
        ledger: LedgerRows {
            lots: if n == 0 { lots.clone() } else { vec![] },
            holds: if n == 0 { holds.clone() } else { vec![] },
            entries: if n == 0 { entries.clone() } else { vec![] },
        },
        orders: vec![Order {
            program_id: String::new(),
            order_id: format!("o-{n}-{tricky}"),
            member_id: None,
            guest_ref: None,
            amount: 15_000,
            refunded: 0,
            points_per_yuan: 1,
            points: Some(150),
            occurred_at: at,
        }],
        events: vec![EventRecord {
            program_id: String::new(),
            id: format!("e-{n}"),
            member_id: None,
            kind: "purchase".to_owned(),
            occurred_at: at,
            site: Some("tmall".to_owned()),
            attributes: json!({"note": tricky, "amount": 15_000}),
            recorded_at: at,
        }],
        book: None,
    };
    let all: Vec<BulkMember> = (0..3).map(member).collect();
    store.bulk_load("p", &all[..2]).await.expect("bulk load");
    store.bulk_load("p", &all[2..]).await.expect("second chunk");
    store.finish_bulk_load().await.expect("finish");
    store.finish_bulk_load().await.expect("finish again");
    if backend == Backend::Sqlite {
        let wal = format!("{}-wal", db.url.trim_start_matches("sqlite://"));
        let len = std::fs::metadata(&wal).map_or(0, |m| m.len());
        assert_eq!(len, 0, "the load's WAL is copied back and truncated");
    }
    assert_eq!(
        schema_fingerprint(backend, &db.url).await,
        before,
        "indexes and keys as the migrations made them"
    );

    let loaded = store
        .get_member("p", "bulk-0")
        .await
        .expect("get")
        .expect("loaded");
    assert_eq!(loaded.identities, vec![ident("phone", "+8613800000000")]);
    assert_rows_eq(
        store.ledger(loaded.id).await.expect("ledger"),
        &lots,
        &holds,
        &entries,
    );
    assert_eq!(
        store
            .get_hold("p", "h-1")
            .await
            .expect("hold")
            .map(|h| h.member_external_id),
        Some("bulk-0".to_owned())
    );
    let mut tx = store.begin_write().await.expect("begin");
    let order = tx
        .lock_order("p", &format!("o-2-{tricky}"))
        .await
        .expect("order")
        .expect("loaded order");
    assert_eq!((order.amount, order.points), (15_000, Some(150)));
    let dup = tx
        .insert_event(&EventRecord {
            program_id: "p".to_owned(),
            member_id: Some(loaded.id),
            ..all[1].events[0].clone()
        })
        .await;
    assert!(dup.is_err(), "a loaded event's id is taken");
    drop(tx);
    let attributes: Vec<(String,)> = match backend {
        Backend::Sqlite => {
            use sqlx::Connection;
            let mut c = sqlx::SqliteConnection::connect(&db.url).await.expect("c");
            sqlx::query_as("SELECT attributes FROM events ORDER BY id")
                .fetch_all(&mut c)
                .await
                .expect("events")
        }
        Backend::Postgres => {
            use sqlx::Connection;
            let mut c = sqlx::PgConnection::connect(&db.url).await.expect("c");
            let orphan = sqlx::query(
                "INSERT INTO entries (member_id, seq, kind, points, cause_kind, cause_id, \
                 effective_at, recorded_at) VALUES (987654321, 1, 'adjust', 1, 'adjustment', \
                 'x', 0, 0)",
            )
            .execute(&mut c)
            .await;
            assert!(orphan.is_err(), "the foreign key is enforced again");
            sqlx::query_as("SELECT attributes FROM events ORDER BY id")
                .fetch_all(&mut c)
                .await
                .expect("events")
        }
    };
    assert_eq!(attributes.len(), 3);
    for (text,) in attributes {
        let value: serde_json::Value = serde_json::from_str(&text).expect("json");
        assert_eq!(value["note"], tricky);
    }
}
