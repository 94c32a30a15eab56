//! The behaviour every backend must show for referrals: one referral per friend, counts per
//! referrer by day and status, identities remembered by digest with their first member (through
//! unbinding), boosts once per source, and reads scoped to their program.

use chrono::{DateTime, Utc};
use jifen_core::referrals::identity_digest;
use jifen_core::{PointPolicy, Timestamp};

use crate::referrals::{BoostRow, ReferralRow};
use crate::testkit::{Backend, TestDb};
use crate::{Identity, MemberPatch, Program, Store};

fn ts(text: &str) -> Timestamp {
    DateTime::parse_from_rfc3339(text)
        .expect("instant")
        .with_timezone(&Utc)
}

fn patch(id: &str, idents: &[(&str, &str)], replace: bool) -> MemberPatch {
    MemberPatch {
        external_id: id.into(),
        name: None,
        phone: None,
        birthday: None,
        gender: None,
        city: None,
        attributes: None,
        status: None,
        bind: idents
            .iter()
            .map(|(k, v)| Identity {
                kind: (*k).into(),
                value: (*v).into(),
            })
            .collect(),
        replace_identities: replace,
        at: ts("2026-06-01T00:00:00Z"),
    }
}

fn referral(referrer: i64, friend: i64, status: &str, day: &str) -> ReferralRow {
    ReferralRow {
        id: 0,
        referrer_id: referrer,
        friend_id: friend,
        code: "ABCDEFGH".into(),
        source: "member".into(),
        status: status.into(),
        reason: None,
        attributed_at: ts(&format!("{day}T02:00:00Z")),
        local_day: day.into(),
        friend_points: 100,
        order_id: None,
        qualified_at: None,
        referrer_points: 0,
        clawed_back_at: None,
        updated_at: ts(&format!("{day}T02:00:00Z")),
    }
}

pub async fn referrals_once_per_friend_with_counts_and_boosts(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store: std::sync::Arc<dyn Store> = db.store().await;
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
    for m in ["r", "f1", "f2", "f3"] {
        let (member, _) = store
            .upsert_member(
                "p",
                &patch(m, &[("wechat_unionid", &format!("u-{m}"))], false),
            )
            .await
            .unwrap();
        ids.push(member.id);
    }
    let (r, f1, f2, f3) = (ids[0], ids[1], ids[2], ids[3]);
    let (other, _) = store
        .upsert_member("q", &patch("r", &[], false))
        .await
        .unwrap();

    // Identities are remembered on their first member, and stay after unbinding.
    store
        .upsert_member("p", &patch("r", &[], true))
        .await
        .unwrap();
    let mut tx = store.begin_write().await.unwrap();
    let digest = identity_digest("wechat_unionid", "u-r");
    let seen = tx
        .first_seen("p", &[digest.clone(), identity_digest("phone", "+86 none")])
        .await
        .unwrap();
    assert_eq!(seen, vec![(digest.clone(), r)]);
    assert!(
        tx.first_seen("q", std::slice::from_ref(&digest))
            .await
            .unwrap()
            .is_empty()
    );
    tx.note_seen("p", &[(digest.clone(), f1)], ts("2026-06-02T00:00:00Z"))
        .await
        .unwrap();
    assert_eq!(
        tx.first_seen("p", std::slice::from_ref(&digest))
            .await
            .unwrap()[0]
            .1,
        r
    );
    assert!(tx.identities_of(r).await.unwrap().is_empty());
    assert_eq!(
        tx.identities_of(f1).await.unwrap(),
        vec![("wechat_unionid".to_owned(), "u-f1".to_owned())]
    );

    // One referral per friend.
    let first = tx
        .insert_referral("p", &referral(r, f1, "pending", "2026-06-01"))
        .await
        .unwrap();
    assert!(first.is_some());
    assert_eq!(
        tx.insert_referral("p", &referral(f2, f1, "pending", "2026-06-01"))
            .await
            .unwrap(),
        None
    );
    tx.insert_referral("p", &referral(r, f2, "capped", "2026-06-01"))
        .await
        .unwrap();
    tx.insert_referral("p", &referral(r, f3, "pending", "2026-06-02"))
        .await
        .unwrap();
    let counts = tx.referral_counts("p", r, "2026-06-01").await.unwrap();
    assert_eq!((counts.today, counts.total, counts.qualified), (1, 2, 0));

    // Updates, and what a batch locks.
    let mut row = tx.referrals_of_friends("p", &[f1]).await.unwrap().remove(0);
    assert_eq!(row.id, first.unwrap());
    row.status = "rewarded".into();
    row.order_id = Some("o-1".into());
    row.qualified_at = Some(ts("2026-06-03T00:00:00Z"));
    row.referrer_points = 500;
    tx.update_referral("p", &row).await.unwrap();
    let counts = tx.referral_counts("p", r, "2026-06-02").await.unwrap();
    assert_eq!((counts.today, counts.total, counts.qualified), (1, 2, 1));
    let open = tx
        .open_referrers("p", &["f1", "f2", "f3", "r"])
        .await
        .unwrap();
    assert_eq!(open.len(), 2, "capped is not open: {open:?}");
    assert!(open.iter().all(|(_, referrer)| referrer == "r"));
    assert_eq!(
        tx.external_ids("p", &[r, other.id]).await.unwrap(),
        vec![(r, "r".to_owned())]
    );

    // Boosts once per source.
    let boost = BoostRow {
        member_id: r,
        source: "referral_milestone:2".into(),
        factor: 2_000,
        starts_at: ts("2026-06-03T00:00:00Z"),
        ends_at: ts("2026-07-03T00:00:00Z"),
    };
    assert!(tx.grant_boost("p", &boost).await.unwrap());
    assert!(!tx.grant_boost("p", &boost).await.unwrap());
    assert_eq!(tx.boosts_in_tx(&[r]).await.unwrap(), vec![boost.clone()]);
    tx.commit().await.unwrap();

    // Reads.
    let list = store.referrals_of("p", r, 2, None).await.unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].friend, "f3");
    let rest = store
        .referrals_of("p", r, 2, Some(list[1].row.id))
        .await
        .unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].row, row);
    assert!(
        store
            .referrals_of("q", r, 10, None)
            .await
            .unwrap()
            .is_empty()
    );
    let of = store.referral_of_friend("p", f1).await.unwrap().unwrap();
    assert_eq!(
        (of.referrer.as_str(), of.row.status.as_str()),
        ("r", "rewarded")
    );
    assert!(store.referral_of_friend("q", f1).await.unwrap().is_none());
    let stats = store
        .referral_stats("p", ts("2026-06-10T00:00:00Z"))
        .await
        .unwrap();
    assert_eq!(
        stats.by_status,
        vec![
            ("capped".to_owned(), 1),
            ("pending".to_owned(), 1),
            ("rewarded".to_owned(), 1)
        ]
    );
    assert_eq!(
        (stats.referrers, stats.friend_points, stats.referrer_points),
        (1, 300, 500)
    );
    assert_eq!(stats.active_boosts, 1);
    let later = store
        .referral_stats("p", ts("2026-08-01T00:00:00Z"))
        .await
        .unwrap();
    assert_eq!(later.active_boosts, 0);
    assert_eq!(store.boosts(&[r, f1]).await.unwrap(), vec![boost]);
    assert_eq!(
        store
            .referral_stats("q", ts("2026-06-10T00:00:00Z"))
            .await
            .unwrap(),
        Default::default()
    );
}
