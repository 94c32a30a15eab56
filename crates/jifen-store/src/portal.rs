//! The member portal's one-time links, its sessions and its per-program look.
//!
//! Like the console's sessions: a link's token and a session's secret are random, the store
//! keeps only their SHA-256, so a leaked database can be replayed neither as a link nor as a
//! cookie. A link is consumed by one conditional `UPDATE`, so two requests racing with the same
//! link open one session between them.

use async_trait::async_trait;
use jifen_core::Timestamp;

use crate::Result;

/// A one-time link into the portal for one member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalLink {
    /// The SHA-256 (hex) of the link's token.
    pub hash: String,
    pub program_id: String,
    /// The member's internal id.
    pub member_id: i64,
    /// The language the portal opens in: `zh-CN` or `en`.
    pub lang: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    /// When the link was used to enter; a link is used once.
    pub used_at: Option<Timestamp>,
    /// A phone number the brand verified, offered to the member to bind (E.164).
    pub phone: Option<String>,
}

/// A member's signed-in portal, in one program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalSession {
    /// The SHA-256 (hex) of the cookie's secret.
    pub hash: String,
    pub program_id: String,
    /// The member's internal id.
    pub member_id: i64,
    /// The token every state-changing request of the session carries.
    pub csrf: String,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    /// Idle expiry: moved forward as the session is used.
    pub expires_at: Timestamp,
    /// The verified phone number its link brought, offered to the member to bind (E.164).
    pub phone: Option<String>,
}

/// The portal's links, sessions and settings.
#[async_trait]
pub trait PortalStore {
    /// Keeps a new link.
    async fn create_portal_link(&self, link: &PortalLink) -> Result<()>;
    /// A link by its token's hash, used or expired ones included (for the language of the page
    /// that says it cannot be used).
    async fn portal_link(&self, hash: &str) -> Result<Option<PortalLink>>;
    /// Uses a link of the program: marks it used at `now` when it is unused and unexpired, and
    /// returns it; `None` (and nothing written) otherwise, a link of another program included.
    /// Of two concurrent uses, one wins.
    async fn consume_portal_link(
        &self,
        program_id: &str,
        hash: &str,
        now: Timestamp,
    ) -> Result<Option<PortalLink>>;

    async fn create_portal_session(&self, session: &PortalSession) -> Result<()>;
    /// A session by its secret's hash, expired ones included (the caller decides).
    async fn portal_session(&self, hash: &str) -> Result<Option<PortalSession>>;
    /// Records use of a session: `last_seen_at` and a later idle expiry.
    async fn touch_portal_session(
        &self,
        hash: &str,
        last_seen_at: Timestamp,
        expires_at: Timestamp,
    ) -> Result<()>;

    /// The external id of a member of the program, by internal id.
    async fn portal_member(&self, program_id: &str, member_id: i64) -> Result<Option<String>>;

    /// The program's portal settings (JSON text), if it set any.
    async fn portal_settings(&self, program_id: &str) -> Result<Option<String>>;
    async fn set_portal_settings(&self, program_id: &str, settings: &str) -> Result<()>;

    /// When the member's events of one type happened, in `[from, to)`, oldest first (at most
    /// `limit`): the check-in calendar.
    async fn member_event_times(
        &self,
        program_id: &str,
        member_id: i64,
        event_type: &str,
        from: Timestamp,
        to: Timestamp,
        limit: u32,
    ) -> Result<Vec<Timestamp>>;

    /// The attributes (JSON text) of the member's events of one type since `from`, the latest
    /// first (at most `limit`): the order lines personal offers learn from.
    async fn member_event_attributes(
        &self,
        program_id: &str,
        member_id: i64,
        event_type: &str,
        from: Timestamp,
        limit: u32,
    ) -> Result<Vec<String>>;
}

#[derive(sqlx::FromRow)]
pub(crate) struct LinkRow {
    hash: String,
    program_id: String,
    member_id: i64,
    lang: String,
    created_at: i64,
    expires_at: i64,
    used_at: Option<i64>,
    phone: Option<String>,
}

impl LinkRow {
    pub(crate) fn into_link(self) -> Result<PortalLink> {
        let at = crate::backend::at;
        Ok(PortalLink {
            hash: self.hash,
            program_id: self.program_id,
            member_id: self.member_id,
            lang: self.lang,
            created_at: at(self.created_at)?,
            expires_at: at(self.expires_at)?,
            used_at: self.used_at.map(at).transpose()?,
            phone: self.phone,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SessionRow {
    hash: String,
    program_id: String,
    member_id: i64,
    csrf: String,
    created_at: i64,
    last_seen_at: i64,
    expires_at: i64,
    phone: Option<String>,
}

impl SessionRow {
    pub(crate) fn into_session(self) -> Result<PortalSession> {
        let at = crate::backend::at;
        Ok(PortalSession {
            hash: self.hash,
            program_id: self.program_id,
            member_id: self.member_id,
            csrf: self.csrf,
            created_at: at(self.created_at)?,
            last_seen_at: at(self.last_seen_at)?,
            expires_at: at(self.expires_at)?,
            phone: self.phone,
        })
    }
}

pub(crate) const LINK_COLUMNS: &str =
    "hash, program_id, member_id, lang, created_at, expires_at, used_at, phone";
pub(crate) const SESSION_COLUMNS: &str =
    "hash, program_id, member_id, csrf, created_at, last_seen_at, expires_at, phone";

/// Expands the portal statements for a backend.
macro_rules! portal_impl {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::portal::PortalStore for $store {
            async fn create_portal_link(
                &self,
                l: &$crate::portal::PortalLink,
            ) -> $crate::Result<()> {
                let us = $crate::backend::us;
                let mut tx = self.begin_tx().await?;
                sqlx::query(&format!(
                    "INSERT INTO portal_links ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    $crate::portal::LINK_COLUMNS
                ))
                .bind(&l.hash)
                .bind(&l.program_id)
                .bind(l.member_id)
                .bind(&l.lang)
                .bind(us(l.created_at))
                .bind(us(l.expires_at))
                .bind(l.used_at.map(us))
                .bind(&l.phone)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn portal_link(
                &self,
                hash: &str,
            ) -> $crate::Result<Option<$crate::portal::PortalLink>> {
                let row: Option<$crate::portal::LinkRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM portal_links WHERE hash = $1",
                    $crate::portal::LINK_COLUMNS
                ))
                .bind(hash)
                .fetch_optional(self.reader())
                .await?;
                row.map(|r| r.into_link()).transpose()
            }

            async fn consume_portal_link(
                &self,
                program_id: &str,
                hash: &str,
                now: jifen_core::Timestamp,
            ) -> $crate::Result<Option<$crate::portal::PortalLink>> {
                let now = $crate::backend::us(now);
                let mut tx = self.begin_tx().await?;
                let done = sqlx::query(
                    "UPDATE portal_links SET used_at = $1 WHERE hash = $2 AND program_id = $3 \
                     AND used_at IS NULL AND expires_at > $1",
                )
                .bind(now)
                .bind(hash)
                .bind(program_id)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() != 1 {
                    tx.commit().await?;
                    return Ok(None);
                }
                let row: $crate::portal::LinkRow = sqlx::query_as(&format!(
                    "SELECT {} FROM portal_links WHERE hash = $1",
                    $crate::portal::LINK_COLUMNS
                ))
                .bind(hash)
                .fetch_one(&mut *tx)
                .await?;
                tx.commit().await?;
                row.into_link().map(Some)
            }

            async fn create_portal_session(
                &self,
                s: &$crate::portal::PortalSession,
            ) -> $crate::Result<()> {
                let us = $crate::backend::us;
                let mut tx = self.begin_tx().await?;
                sqlx::query(&format!(
                    "INSERT INTO portal_sessions ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    $crate::portal::SESSION_COLUMNS
                ))
                .bind(&s.hash)
                .bind(&s.program_id)
                .bind(s.member_id)
                .bind(&s.csrf)
                .bind(us(s.created_at))
                .bind(us(s.last_seen_at))
                .bind(us(s.expires_at))
                .bind(&s.phone)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn portal_session(
                &self,
                hash: &str,
            ) -> $crate::Result<Option<$crate::portal::PortalSession>> {
                let row: Option<$crate::portal::SessionRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM portal_sessions WHERE hash = $1",
                    $crate::portal::SESSION_COLUMNS
                ))
                .bind(hash)
                .fetch_optional(self.reader())
                .await?;
                row.map(|r| r.into_session()).transpose()
            }

            async fn touch_portal_session(
                &self,
                hash: &str,
                last_seen_at: jifen_core::Timestamp,
                expires_at: jifen_core::Timestamp,
            ) -> $crate::Result<()> {
                let mut tx = self.begin_tx().await?;
                sqlx::query(
                    "UPDATE portal_sessions SET last_seen_at = $1, expires_at = $2 \
                     WHERE hash = $3",
                )
                .bind($crate::backend::us(last_seen_at))
                .bind($crate::backend::us(expires_at))
                .bind(hash)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn portal_member(
                &self,
                program_id: &str,
                member_id: i64,
            ) -> $crate::Result<Option<String>> {
                let row: Option<(String,)> = sqlx::query_as(
                    "SELECT external_id FROM members WHERE id = $1 AND program_id = $2",
                )
                .bind(member_id)
                .bind(program_id)
                .fetch_optional(self.reader())
                .await?;
                Ok(row.map(|r| r.0))
            }

            async fn portal_settings(&self, program_id: &str) -> $crate::Result<Option<String>> {
                let row: Option<(String,)> =
                    sqlx::query_as("SELECT settings FROM portal_settings WHERE program_id = $1")
                        .bind(program_id)
                        .fetch_optional(self.reader())
                        .await?;
                Ok(row.map(|r| r.0))
            }

            async fn set_portal_settings(
                &self,
                program_id: &str,
                settings: &str,
            ) -> $crate::Result<()> {
                let mut tx = self.begin_tx().await?;
                sqlx::query(
                    "INSERT INTO portal_settings (program_id, settings) VALUES ($1, $2) \
                     ON CONFLICT (program_id) DO UPDATE SET settings = $2",
                )
                .bind(program_id)
                .bind(settings)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn member_event_times(
                &self,
                program_id: &str,
                member_id: i64,
                event_type: &str,
                from: jifen_core::Timestamp,
                to: jifen_core::Timestamp,
                limit: u32,
            ) -> $crate::Result<Vec<jifen_core::Timestamp>> {
                let rows: Vec<(i64,)> = sqlx::query_as(
                    "SELECT occurred_at FROM events WHERE member_id = $1 AND program_id = $2 \
                     AND type = $3 AND occurred_at >= $4 AND occurred_at < $5 \
                     ORDER BY occurred_at LIMIT $6",
                )
                .bind(member_id)
                .bind(program_id)
                .bind(event_type)
                .bind($crate::backend::us(from))
                .bind($crate::backend::us(to))
                .bind(i64::from(limit))
                .fetch_all(self.reader())
                .await?;
                rows.into_iter()
                    .map(|(t,)| $crate::backend::at(t))
                    .collect()
            }

            async fn member_event_attributes(
                &self,
                program_id: &str,
                member_id: i64,
                event_type: &str,
                from: jifen_core::Timestamp,
                limit: u32,
            ) -> $crate::Result<Vec<String>> {
                let rows: Vec<(String,)> = sqlx::query_as(
                    "SELECT attributes FROM events WHERE member_id = $1 AND program_id = $2 \
                     AND type = $3 AND occurred_at >= $4 ORDER BY occurred_at DESC LIMIT $5",
                )
                .bind(member_id)
                .bind(program_id)
                .bind(event_type)
                .bind($crate::backend::us(from))
                .bind(i64::from(limit))
                .fetch_all(self.reader())
                .await?;
                Ok(rows.into_iter().map(|(a,)| a).collect())
            }
        }
    };
}

pub(crate) use portal_impl;
