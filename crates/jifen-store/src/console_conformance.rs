//! The behaviour every backend must show for the console: operators unique by email, roles per
//! program, sessions found by their secret's hash, revoked and expired, and sign-in failures
//! counted since the last success.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use jifen_core::{PointPolicy, Timestamp};

use crate::console::{ConsoleSession, Operator, Role};
use crate::testkit::{Backend, TestDb};
use crate::{Program, Store};

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

fn operator(id: &str, email: &str) -> Operator {
    Operator {
        id: id.into(),
        email: email.into(),
        name: format!("Name {id}"),
        created_at: ts("2024-01-02T00:00:00Z"),
        disabled_at: None,
    }
}

fn session(secret_hash: &str, id: &str, operator_id: &str, program: &str) -> ConsoleSession {
    let at = ts("2024-02-01T00:00:00Z");
    ConsoleSession {
        secret_hash: secret_hash.into(),
        id: id.into(),
        operator_id: operator_id.into(),
        program_id: program.into(),
        csrf: format!("csrf-{id}"),
        created_at: at,
        last_seen_at: at,
        expires_at: at + Duration::hours(8),
        revoked_at: None,
        address: Some("127.0.0.1".into()),
        user_agent: Some("test".into()),
    }
}

pub async fn operators_and_roles(backend: Backend) {
    let (_db, store) = setup(backend).await;
    let at = ts("2024-01-03T00:00:00Z");
    assert!(
        store
            .create_operator(&operator("o1", "a@x.cn"), "h1")
            .await
            .unwrap()
    );
    assert!(
        !store
            .create_operator(&operator("o2", "a@x.cn"), "h2")
            .await
            .unwrap(),
        "an email is one account"
    );
    assert!(store.get_operator("o2").await.unwrap().is_none());
    let (found, hash) = store.operator_by_email("a@x.cn").await.unwrap().unwrap();
    assert_eq!((found.id.as_str(), hash.as_str()), ("o1", "h1"));
    store.set_password("o1", "h3").await.unwrap();
    assert_eq!(
        store.operator_by_email("a@x.cn").await.unwrap().unwrap().1,
        "h3"
    );

    store
        .set_role("o1", "p", Some(Role::Marketer), at)
        .await
        .unwrap();
    store
        .set_role("o1", "q", Some(Role::Viewer), at)
        .await
        .unwrap();
    store
        .set_role("o1", "p", Some(Role::Owner), at)
        .await
        .unwrap();
    assert_eq!(
        store.roles_of("o1").await.unwrap(),
        vec![("p".into(), Role::Owner), ("q".into(), Role::Viewer)]
    );
    assert_eq!(store.role_in("o1", "q").await.unwrap(), Some(Role::Viewer));
    let ops = store.program_operators("p").await.unwrap();
    assert_eq!(ops.len(), 1);
    assert_eq!((ops[0].0.email.as_str(), ops[0].1), ("a@x.cn", Role::Owner));

    // Removing a role revokes the operator's sessions in that program only.
    store
        .create_session(&session("s-p", "sp", "o1", "p"))
        .await
        .unwrap();
    store
        .create_session(&session("s-q", "sq", "o1", "q"))
        .await
        .unwrap();
    store.set_role("o1", "q", None, at).await.unwrap();
    assert_eq!(store.role_in("o1", "q").await.unwrap(), None);
    let now = ts("2024-02-01T01:00:00Z");
    let live: Vec<String> = store
        .live_sessions("o1", now)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(live, vec!["sp".to_owned()]);
}

pub async fn sessions_expire_and_revoke(backend: Backend) {
    let (_db, store) = setup(backend).await;
    store
        .create_operator(&operator("o1", "a@x.cn"), "h")
        .await
        .unwrap();
    store
        .set_role("o1", "p", Some(Role::Owner), ts("2024-01-03T00:00:00Z"))
        .await
        .unwrap();
    let s = session("hash-1", "s1", "o1", "p");
    store.create_session(&s).await.unwrap();
    assert_eq!(
        store.session_by_secret("hash-1").await.unwrap(),
        Some(s.clone())
    );
    assert!(store.session_by_secret("hash-2").await.unwrap().is_none());

    let later = ts("2024-02-01T07:00:00Z");
    store
        .touch_session("hash-1", later, later + Duration::hours(8))
        .await
        .unwrap();
    let touched = store.session_by_secret("hash-1").await.unwrap().unwrap();
    assert_eq!(touched.last_seen_at, later);
    assert_eq!(touched.expires_at, later + Duration::hours(8));
    store.set_session_program("hash-1", "q").await.unwrap();
    assert_eq!(
        store
            .session_by_secret("hash-1")
            .await
            .unwrap()
            .unwrap()
            .program_id,
        "q"
    );
    // Past its idle expiry a session is not live.
    assert!(
        store
            .live_sessions("o1", later + Duration::hours(9))
            .await
            .unwrap()
            .is_empty()
    );

    assert!(
        !store.revoke_session("o2", "s1", later).await.unwrap(),
        "not o2's"
    );
    assert!(store.revoke_session("o1", "s1", later).await.unwrap());
    assert!(
        !store.revoke_session("o1", "s1", later).await.unwrap(),
        "once"
    );
    let revoked = store.session_by_secret("hash-1").await.unwrap().unwrap();
    assert_eq!(revoked.revoked_at, Some(later));
    // A revoked session is not moved forward.
    store
        .touch_session(
            "hash-1",
            later + Duration::hours(1),
            later + Duration::hours(9),
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .session_by_secret("hash-1")
            .await
            .unwrap()
            .unwrap()
            .last_seen_at,
        later
    );
    assert!(store.live_sessions("o1", later).await.unwrap().is_empty());
}

pub async fn login_failures_count_since_success(backend: Backend) {
    let (_db, store) = setup(backend).await;
    let t0 = ts("2024-05-01T00:00:00Z");
    for i in 0..3 {
        store
            .record_login("a@x.cn", "10.0.0.1", t0 + Duration::seconds(i), false)
            .await
            .unwrap();
    }
    store
        .record_login("b@x.cn", "10.0.0.1", t0 + Duration::seconds(5), false)
        .await
        .unwrap();
    let f = store
        .login_failures("a@x.cn", "10.0.0.1", t0 - Duration::minutes(15))
        .await
        .unwrap();
    assert_eq!((f.by_email, f.by_address), (3, 4));
    assert_eq!(f.latest, Some(t0 + Duration::seconds(5)));
    // The window bounds the count.
    let f = store
        .login_failures("a@x.cn", "10.0.0.1", t0 + Duration::seconds(2))
        .await
        .unwrap();
    assert_eq!((f.by_email, f.by_address), (1, 2));
    // A success starts the count over, for its email and its address.
    store
        .record_login("a@x.cn", "10.0.0.1", t0 + Duration::seconds(10), true)
        .await
        .unwrap();
    store
        .record_login("a@x.cn", "10.0.0.2", t0 + Duration::seconds(11), false)
        .await
        .unwrap();
    let f = store
        .login_failures("a@x.cn", "10.0.0.1", t0 - Duration::minutes(15))
        .await
        .unwrap();
    assert_eq!((f.by_email, f.by_address), (1, 0));
}

pub async fn support_adjustment_limit(backend: Backend) {
    let (_db, store) = setup(backend).await;
    assert_eq!(store.support_adjustment_limit("p").await.unwrap(), None);
    store.set_support_adjustment_limit("p", 500).await.unwrap();
    store.set_support_adjustment_limit("p", 800).await.unwrap();
    assert_eq!(
        store.support_adjustment_limit("p").await.unwrap(),
        Some(800)
    );
    assert_eq!(store.support_adjustment_limit("q").await.unwrap(), None);
}
