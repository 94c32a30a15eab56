//! The behaviour every backend must show for reward images: one per item (a new upload
//! replaces it), listed without bytes, found by hash within the program only.

use chrono::{DateTime, Utc};
use jifen_core::{PointPolicy, Timestamp};

use crate::media::RewardImage;
use crate::testkit::{Backend, TestDb};
use crate::{Program, Store};

fn ts(text: &str) -> Timestamp {
    DateTime::parse_from_rfc3339(text)
        .expect("instant")
        .with_timezone(&Utc)
}

fn image(reward: &str, bytes: &[u8], sha: &str, at: &str) -> RewardImage {
    RewardImage {
        reward_id: reward.into(),
        content_type: "image/png".into(),
        bytes: bytes.to_vec(),
        sha256: sha.into(),
        uploaded_at: ts(at),
    }
}

pub async fn reward_images_replace_and_isolate(backend: Backend) {
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
    let first = image(
        "mug",
        &[0x89, b'P', b'N', b'G', 0, 1],
        "aa",
        "2024-01-02T00:00:00Z",
    );
    store.save_reward_image("p", &first).await.unwrap();
    let got = store.reward_image("p", "mug").await.unwrap().unwrap();
    assert_eq!((got.sha256.as_str(), got.size), ("aa", 6));
    assert_eq!(got.uploaded_at, ts("2024-01-02T00:00:00Z"));
    assert_eq!(
        store.media("p", "aa").await.unwrap(),
        Some(("image/png".into(), first.bytes.clone()))
    );
    // Another program sees nothing of it.
    assert_eq!(store.media("q", "aa").await.unwrap(), None);
    assert_eq!(store.reward_image("q", "mug").await.unwrap(), None);

    // A new upload replaces the image: the old hash is gone, the new one served.
    let second = image("mug", &[1, 2, 3], "bb", "2024-01-03T00:00:00Z");
    store.save_reward_image("p", &second).await.unwrap();
    assert_eq!(store.media("p", "aa").await.unwrap(), None);
    assert_eq!(
        store.media("p", "bb").await.unwrap(),
        Some(("image/png".into(), vec![1, 2, 3]))
    );
    store
        .save_reward_image("p", &image("cap", &[9], "cc", "2024-01-04T00:00:00Z"))
        .await
        .unwrap();
    let all: Vec<(String, String, i64)> = store
        .reward_images("p")
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.reward_id, r.sha256, r.size))
        .collect();
    assert_eq!(
        all,
        vec![
            ("cap".into(), "cc".into(), 1),
            ("mug".into(), "bb".into(), 3)
        ]
    );
    assert!(store.reward_images("q").await.unwrap().is_empty());
}
