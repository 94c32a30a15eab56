//! The audit log: every change an API key or a console operator made, with the object's state
//! around it. Lines are only ever appended; the database itself refuses to change or remove one
//! (migration 0012), so this module has no way to do either.
//!
//! The statements live in [`audit_impl!`], expanded next to the other backend macros.

use async_trait::async_trait;
use jifen_core::Timestamp;

use crate::{AuditRecord, Result};

/// Which lines of the log to read; every field left `None` matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// `api_key:<id>` or `user:<id>`.
    pub actor: Option<String>,
    pub object_kind: Option<String>,
    pub object_id: Option<String>,
    /// Lines at or after this instant.
    pub since: Option<Timestamp>,
    /// Lines before this instant.
    pub until: Option<Timestamp>,
}

/// A stored line of the log, with its position (the cursor of the pages after it).
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub id: i64,
    pub record: AuditRecord,
}

/// Appending to and reading the audit log.
#[async_trait]
pub trait AuditStore {
    /// Appends a line; returns its id.
    async fn append_audit(&self, record: &AuditRecord) -> Result<i64>;

    /// A program's lines matching the filter, newest first, at most `limit`, before the line
    /// `before_id` when one is given.
    async fn list_audit(
        &self,
        program_id: &str,
        filter: &AuditFilter,
        limit: u32,
        before_id: Option<i64>,
    ) -> Result<Vec<AuditEntry>>;

    /// The current external ids of members given by their internal ids (the audit log names a
    /// member by the internal id, which an erasure keeps: the external id may be personal).
    /// Ids of no member of the program are left out.
    async fn member_external_ids(
        &self,
        program_id: &str,
        ids: &[i64],
    ) -> Result<Vec<(i64, String)>>;
}

pub(crate) const AUDIT_COLUMNS: &str = "id, program_id, actor, actor_name, action, object_kind, \
     object_id, at, before, after";

/// Expands the audit-log statements for a backend.
macro_rules! audit_impl {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::audit::AuditStore for $store {
            async fn append_audit(&self, a: &$crate::AuditRecord) -> $crate::Result<i64> {
                let us = $crate::backend::us;
                let mut tx = self.begin_tx().await?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO audit_log (program_id, actor, actor_name, action, object_kind, \
                     object_id, at, before, after) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                     RETURNING id",
                )
                .bind(&a.program_id)
                .bind(&a.actor)
                .bind(&a.actor_name)
                .bind(&a.action)
                .bind(&a.object_kind)
                .bind(&a.object_id)
                .bind(us(a.at))
                .bind(a.before.as_ref().map(|v| v.to_string()))
                .bind(a.after.as_ref().map(|v| v.to_string()))
                .fetch_one(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(id)
            }

            async fn list_audit(
                &self,
                program_id: &str,
                f: &$crate::audit::AuditFilter,
                limit: u32,
                before_id: Option<i64>,
            ) -> $crate::Result<Vec<$crate::audit::AuditEntry>> {
                let us = $crate::backend::us;
                let rows: Vec<$crate::personal::AuditRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM audit_log WHERE program_id = $1 AND id < $2 \
                     AND ($3 IS NULL OR actor = $3) \
                     AND ($4 IS NULL OR object_kind = $4) \
                     AND ($5 IS NULL OR object_id = $5) \
                     AND at >= $6 AND at < $7 \
                     ORDER BY id DESC LIMIT $8",
                    $crate::audit::AUDIT_COLUMNS
                ))
                .bind(program_id)
                .bind(before_id.unwrap_or(i64::MAX))
                .bind(&f.actor)
                .bind(&f.object_kind)
                .bind(&f.object_id)
                .bind(f.since.map(us).unwrap_or(i64::MIN))
                .bind(f.until.map(us).unwrap_or(i64::MAX))
                .bind(i64::from(limit))
                .fetch_all(self.reader())
                .await?;
                rows.into_iter()
                    .map(|r| {
                        let id = r.id;
                        Ok($crate::audit::AuditEntry {
                            id,
                            record: r.into_record()?,
                        })
                    })
                    .collect()
            }

            async fn member_external_ids(
                &self,
                program_id: &str,
                ids: &[i64],
            ) -> $crate::Result<Vec<(i64, String)>> {
                let mut out = Vec::with_capacity(ids.len());
                for id in ids {
                    let found: Option<String> = sqlx::query_scalar(
                        "SELECT external_id FROM members WHERE program_id = $1 AND id = $2",
                    )
                    .bind(program_id)
                    .bind(id)
                    .fetch_optional(self.reader())
                    .await?;
                    if let Some(external) = found {
                        out.push((*id, external));
                    }
                }
                Ok(out)
            }
        }
    };
}

pub(crate) use audit_impl;
