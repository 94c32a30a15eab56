//! Images of catalog items: the bytes as uploaded, their type and SHA-256, one per item.
//!
//! The server checks what an upload is before it gets here; this crate keeps the bytes and
//! finds them again by item or by hash (the public URL names the hash, so a changed image gets
//! a new URL and browsers may cache each one forever).

use async_trait::async_trait;
use jifen_core::Timestamp;

use crate::Result;

/// An item's image with its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RewardImage {
    pub reward_id: String,
    /// `image/png`, `image/jpeg`, `image/webp` or `image/gif`.
    pub content_type: String,
    pub bytes: Vec<u8>,
    /// Lower-case hex of the SHA-256 of `bytes`.
    pub sha256: String,
    pub uploaded_at: Timestamp,
}

/// An item's image without its bytes, for lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    pub reward_id: String,
    pub content_type: String,
    pub sha256: String,
    /// Bytes.
    pub size: i64,
    pub uploaded_at: Timestamp,
}

/// Reward images.
#[async_trait]
pub trait MediaStore {
    /// Sets an item's image, replacing the one it had.
    async fn save_reward_image(&self, program_id: &str, image: &RewardImage) -> Result<()>;
    /// The program's item images, without their bytes, by item id.
    async fn reward_images(&self, program_id: &str) -> Result<Vec<ImageRef>>;
    /// One item's image, without its bytes.
    async fn reward_image(&self, program_id: &str, reward_id: &str) -> Result<Option<ImageRef>>;
    /// The type and bytes of the program's image with this hash.
    async fn media(&self, program_id: &str, sha256: &str) -> Result<Option<(String, Vec<u8>)>>;
}

pub(crate) type RefTuple = (String, String, String, i64, i64);

pub(crate) fn image_ref(r: RefTuple) -> Result<ImageRef> {
    Ok(ImageRef {
        reward_id: r.0,
        content_type: r.1,
        sha256: r.2,
        size: r.3,
        uploaded_at: crate::backend::at(r.4)?,
    })
}

pub(crate) const REF_COLUMNS: &str =
    "reward_id, content_type, sha256, CAST(LENGTH(bytes) AS BIGINT), uploaded_at";

/// Expands the media statements for a backend.
macro_rules! media_impl {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::media::MediaStore for $store {
            async fn save_reward_image(
                &self,
                program_id: &str,
                image: &$crate::media::RewardImage,
            ) -> $crate::Result<()> {
                let mut tx = self.begin_tx().await?;
                sqlx::query(
                    "INSERT INTO reward_images (program_id, reward_id, content_type, bytes, \
                     sha256, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (program_id, reward_id) DO UPDATE SET \
                     content_type = excluded.content_type, bytes = excluded.bytes, \
                     sha256 = excluded.sha256, uploaded_at = excluded.uploaded_at",
                )
                .bind(program_id)
                .bind(&image.reward_id)
                .bind(&image.content_type)
                .bind(&image.bytes)
                .bind(&image.sha256)
                .bind($crate::backend::us(image.uploaded_at))
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn reward_images(
                &self,
                program_id: &str,
            ) -> $crate::Result<Vec<$crate::media::ImageRef>> {
                let rows: Vec<$crate::media::RefTuple> = sqlx::query_as(&format!(
                    "SELECT {} FROM reward_images WHERE program_id = $1 ORDER BY reward_id",
                    $crate::media::REF_COLUMNS
                ))
                .bind(program_id)
                .fetch_all(self.reader())
                .await?;
                rows.into_iter().map($crate::media::image_ref).collect()
            }

            async fn reward_image(
                &self,
                program_id: &str,
                reward_id: &str,
            ) -> $crate::Result<Option<$crate::media::ImageRef>> {
                let row: Option<$crate::media::RefTuple> = sqlx::query_as(&format!(
                    "SELECT {} FROM reward_images WHERE program_id = $1 AND reward_id = $2",
                    $crate::media::REF_COLUMNS
                ))
                .bind(program_id)
                .bind(reward_id)
                .fetch_optional(self.reader())
                .await?;
                row.map($crate::media::image_ref).transpose()
            }

            async fn media(
                &self,
                program_id: &str,
                sha256: &str,
            ) -> $crate::Result<Option<(String, Vec<u8>)>> {
                let row: Option<(String, Vec<u8>)> = sqlx::query_as(
                    "SELECT content_type, bytes FROM reward_images \
                     WHERE program_id = $1 AND sha256 = $2 LIMIT 1",
                )
                .bind(program_id)
                .bind(sha256)
                .fetch_optional(self.reader())
                .await?;
                Ok(row)
            }
        }
    };
}

pub(crate) use media_impl;
