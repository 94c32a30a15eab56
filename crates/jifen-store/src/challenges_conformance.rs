//! The behaviour every backend must show for challenges: definitions saved and replaced,
//! contributions kept once per (event, item), awards once per (challenge, period, member, step)
//! with a status that can change, joins once per member, each read within its program only.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use jifen_core::{PointPolicy, Timestamp};

use crate::challenges::{ChallengeAwardRow, ChallengeJoinRow, ChallengeRow, ContributionRow};
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

fn contribution(member: i64, event: &str, item: &str, amount: i64) -> ContributionRow {
    ContributionRow {
        program_id: "p".into(),
        challenge_id: "c".into(),
        period: "2024-03".into(),
        member_id: member,
        event_id: event.into(),
        order_id: Some("o1".into()),
        item: item.into(),
        amount,
        occurred_at: ts("2024-03-02T00:00:00Z"),
    }
}

/// Definitions, contributions, awards and joins, kept once each and read back as written.
pub async fn challenges_keep_progress_once(backend: Backend) {
    let (_db, store, m) = setup(backend).await;
    let mut row = ChallengeRow {
        id: "c".into(),
        spec: "{\"name\":\"c\"}".into(),
        status: "active".into(),
        created_at: ts("2024-03-01T00:00:00Z"),
        updated_at: ts("2024-03-01T00:00:00Z"),
    };
    let mut tx = store.begin_write().await.expect("tx");
    assert!(tx.save_challenge("p", &row).await.expect("save"));
    row.status = "archived".into();
    assert!(!tx.save_challenge("p", &row).await.expect("replace"));
    let rows = [
        contribution(m, "e1", "2024-03-02", 1),
        contribution(m, "e1", "2024-03-03", 1),
        contribution(m, "e2", "2024-03-02", -1),
    ];
    assert_eq!(tx.insert_contributions(&rows).await.expect("insert"), 3);
    // The same event's item again is kept as it was.
    assert_eq!(
        tx.insert_contributions(&[contribution(m, "e1", "2024-03-02", 5)])
            .await
            .expect("again"),
        0
    );
    let mut award = ChallengeAwardRow {
        program_id: "p".into(),
        challenge_id: "c".into(),
        period: "2024-03".into(),
        member_id: m,
        step: 0,
        event_id: "e1".into(),
        points: 100,
        status: "awarded".into(),
        awarded_at: ts("2024-03-02T00:00:00Z"),
        revoked_at: None,
    };
    tx.save_challenge_awards(std::slice::from_ref(&award))
        .await
        .expect("award");
    award.status = "revoked".into();
    award.revoked_at = Some(ts("2024-03-03T00:00:00Z"));
    tx.save_challenge_awards(std::slice::from_ref(&award))
        .await
        .expect("revoke");
    let join = ChallengeJoinRow {
        program_id: "p".into(),
        challenge_id: "c".into(),
        member_id: m,
        event_id: "j1".into(),
        joined_at: ts("2024-03-01T01:00:00Z"),
    };
    assert_eq!(
        tx.insert_challenge_joins(std::slice::from_ref(&join))
            .await
            .expect("join"),
        1
    );
    let mut later = join.clone();
    later.event_id = "j2".into();
    later.joined_at = ts("2024-03-05T00:00:00Z");
    assert_eq!(
        tx.insert_challenge_joins(&[later])
            .await
            .expect("join again"),
        0
    );
    let state = tx.challenge_state("p", &[m]).await.expect("state");
    assert_eq!(state.contributions.len(), 3);
    tx.commit().await.expect("commit");

    let read = store.challenge("p", "c").await.expect("read").expect("one");
    assert_eq!(read.status, "archived");
    assert_eq!(read.created_at, ts("2024-03-01T00:00:00Z"));
    assert!(store.challenge("q", "c").await.expect("other").is_none());
    assert_eq!(store.challenges("p").await.expect("list").len(), 1);
    let mine = store.member_challenges("p", m).await.expect("mine");
    assert_eq!(mine.contributions.len(), 3);
    assert!(mine.contributions.iter().any(|c| c.amount == -1));
    assert_eq!(mine.awards, vec![award]);
    assert_eq!(mine.joins, vec![join]);
    let other = store.member_challenges("q", m).await.expect("other");
    assert!(other.contributions.is_empty() && other.awards.is_empty() && other.joins.is_empty());
}
