//! The console's operators, their roles in programs, their sessions and sign-in attempts.
//!
//! An operator is one account per email, with a role in each program it may run. A session is
//! kept server-side: the cookie carries a secret, the store keeps its SHA-256, so a leaked
//! database cannot be replayed as a cookie.

use std::fmt;

use async_trait::async_trait;
use jifen_core::Timestamp;
use serde::{Deserialize, Serialize};

use crate::Result;

/// What an operator may do in a program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including API keys, users, sites and partners.
    Owner,
    /// Rules, campaigns, tiers, rewards, vouchers, templates and backtests.
    Marketer,
    /// Members: search, point adjustments with a reason, voucher re-issue, tier overrides.
    Support,
    /// Reads only.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Owner, Role::Marketer, Role::Support, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Marketer => "marketer",
            Role::Support => "support",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A console account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    pub id: String,
    /// Lower-cased.
    pub email: String,
    pub name: String,
    pub created_at: Timestamp,
    pub disabled_at: Option<Timestamp>,
}

/// A signed-in browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleSession {
    /// The SHA-256 (hex) of the cookie's secret.
    pub secret_hash: String,
    /// The public handle, listed on the operator's page and used to revoke it.
    pub id: String,
    pub operator_id: String,
    /// The program the session works in.
    pub program_id: String,
    /// The token every state-changing request must carry.
    pub csrf: String,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    /// Idle expiry: moved forward as the session is used.
    pub expires_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
    pub address: Option<String>,
    pub user_agent: Option<String>,
}

/// Failed sign-ins counted for a lockout.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoginFailures {
    /// For the account, since its last success.
    pub by_email: u32,
    /// From the address, since its last success.
    pub by_address: u32,
    /// The latest failure counted, either way.
    pub latest: Option<Timestamp>,
}

/// Operators, roles, sessions and sign-in attempts.
#[async_trait]
pub trait ConsoleStore {
    /// Creates an operator. `Ok(false)` when the email is taken (nothing is written).
    async fn create_operator(&self, operator: &Operator, password_hash: &str) -> Result<bool>;
    async fn get_operator(&self, id: &str) -> Result<Option<Operator>>;
    /// The operator and its password hash, by (lower-cased) email.
    async fn operator_by_email(&self, email: &str) -> Result<Option<(Operator, String)>>;
    async fn set_password(&self, operator_id: &str, password_hash: &str) -> Result<()>;

    /// Gives the operator `role` in the program (replacing one it had), or removes it (`None`);
    /// removing also revokes the operator's sessions in that program.
    async fn set_role(
        &self,
        operator_id: &str,
        program_id: &str,
        role: Option<Role>,
        at: Timestamp,
    ) -> Result<()>;
    /// The programs the operator has a role in, with the role, by program id.
    async fn roles_of(&self, operator_id: &str) -> Result<Vec<(String, Role)>>;
    /// The operator's role in one program.
    async fn role_in(&self, operator_id: &str, program_id: &str) -> Result<Option<Role>>;
    /// The program's operators and their roles, by email.
    async fn program_operators(&self, program_id: &str) -> Result<Vec<(Operator, Role)>>;

    async fn create_session(&self, session: &ConsoleSession) -> Result<()>;
    /// A session by its secret's hash, revoked or expired ones included (the caller decides).
    async fn session_by_secret(&self, secret_hash: &str) -> Result<Option<ConsoleSession>>;
    /// Records use of a session: `last_seen_at` and a later idle expiry.
    async fn touch_session(
        &self,
        secret_hash: &str,
        last_seen_at: Timestamp,
        expires_at: Timestamp,
    ) -> Result<()>;
    /// Moves a session to another program (the operator's role there was checked).
    async fn set_session_program(&self, secret_hash: &str, program_id: &str) -> Result<()>;
    /// Revokes one of the operator's sessions by its public id. `false` when it has none such
    /// (or it was revoked already).
    async fn revoke_session(
        &self,
        operator_id: &str,
        session_id: &str,
        at: Timestamp,
    ) -> Result<bool>;
    /// The operator's sessions that are neither revoked nor expired at `now`, newest first.
    async fn live_sessions(&self, operator_id: &str, now: Timestamp)
    -> Result<Vec<ConsoleSession>>;

    async fn record_login(&self, email: &str, address: &str, at: Timestamp, ok: bool)
    -> Result<()>;
    /// Failures since `since` and since the last success of the email (and of the address).
    async fn login_failures(
        &self,
        email: &str,
        address: &str,
        since: Timestamp,
    ) -> Result<LoginFailures>;

    /// The most points one support adjustment may move in the program, if the owner set it.
    async fn support_adjustment_limit(&self, program_id: &str) -> Result<Option<i64>>;
    async fn set_support_adjustment_limit(&self, program_id: &str, limit: i64) -> Result<()>;
}

#[derive(sqlx::FromRow)]
pub(crate) struct OperatorRow {
    id: String,
    email: String,
    name: String,
    created_at: i64,
    disabled_at: Option<i64>,
}

impl OperatorRow {
    pub(crate) fn into_operator(self) -> Result<Operator> {
        Ok(Operator {
            id: self.id,
            email: self.email,
            name: self.name,
            created_at: crate::backend::at(self.created_at)?,
            disabled_at: self.disabled_at.map(crate::backend::at).transpose()?,
        })
    }
}

pub(crate) fn role(s: &str) -> Result<Role> {
    Role::parse(s).ok_or_else(|| crate::StoreError::Corrupt(format!("unknown role {s:?}")))
}

#[derive(sqlx::FromRow)]
pub(crate) struct SessionRow {
    secret_hash: String,
    id: String,
    operator_id: String,
    program_id: String,
    csrf: String,
    created_at: i64,
    last_seen_at: i64,
    expires_at: i64,
    revoked_at: Option<i64>,
    address: Option<String>,
    user_agent: Option<String>,
}

impl SessionRow {
    pub(crate) fn into_session(self) -> Result<ConsoleSession> {
        let at = crate::backend::at;
        Ok(ConsoleSession {
            secret_hash: self.secret_hash,
            id: self.id,
            operator_id: self.operator_id,
            program_id: self.program_id,
            csrf: self.csrf,
            created_at: at(self.created_at)?,
            last_seen_at: at(self.last_seen_at)?,
            expires_at: at(self.expires_at)?,
            revoked_at: self.revoked_at.map(at).transpose()?,
            address: self.address,
            user_agent: self.user_agent,
        })
    }
}

pub(crate) const OPERATOR_COLUMNS: &str = "o.id, o.email, o.name, o.created_at, o.disabled_at";
pub(crate) const SESSION_COLUMNS: &str = "secret_hash, id, operator_id, program_id, csrf, \
     created_at, last_seen_at, expires_at, revoked_at, address, user_agent";

/// Expands the console statements for a backend.
macro_rules! console_impl {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::console::ConsoleStore for $store {
            async fn create_operator(
                &self,
                o: &$crate::console::Operator,
                password_hash: &str,
            ) -> $crate::Result<bool> {
                let mut tx = self.begin_tx().await?;
                let done = sqlx::query(
                    "INSERT INTO operators (id, email, name, password_hash, created_at, \
                     disabled_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                )
                .bind(&o.id)
                .bind(&o.email)
                .bind(&o.name)
                .bind(password_hash)
                .bind($crate::backend::us(o.created_at))
                .bind(o.disabled_at.map($crate::backend::us))
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(done.rows_affected() == 1)
            }

            async fn get_operator(
                &self,
                id: &str,
            ) -> $crate::Result<Option<$crate::console::Operator>> {
                let row: Option<$crate::console::OperatorRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM operators o WHERE o.id = $1",
                    $crate::console::OPERATOR_COLUMNS
                ))
                .bind(id)
                .fetch_optional(self.reader())
                .await?;
                row.map(|r| r.into_operator()).transpose()
            }

            async fn operator_by_email(
                &self,
                email: &str,
            ) -> $crate::Result<Option<($crate::console::Operator, String)>> {
                #[derive(sqlx::FromRow)]
                struct Row {
                    #[sqlx(flatten)]
                    operator: $crate::console::OperatorRow,
                    password_hash: String,
                }
                let row: Option<Row> = sqlx::query_as(&format!(
                    "SELECT {}, o.password_hash FROM operators o WHERE o.email = $1",
                    $crate::console::OPERATOR_COLUMNS
                ))
                .bind(email)
                .fetch_optional(self.reader())
                .await?;
                row.map(|r| Ok((r.operator.into_operator()?, r.password_hash)))
                    .transpose()
            }

            async fn set_password(
                &self,
                operator_id: &str,
                password_hash: &str,
            ) -> $crate::Result<()> {
                let mut tx = self.begin_tx().await?;
                sqlx::query("UPDATE operators SET password_hash = $1 WHERE id = $2")
                    .bind(password_hash)
                    .bind(operator_id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn set_role(
                &self,
                operator_id: &str,
                program_id: &str,
                role: Option<$crate::console::Role>,
                at: jifen_core::Timestamp,
            ) -> $crate::Result<()> {
                let mut tx = self.begin_tx().await?;
                match role {
                    Some(role) => {
                        sqlx::query(
                            "INSERT INTO operator_roles (operator_id, program_id, role, \
                             created_at) VALUES ($1, $2, $3, $4) \
                             ON CONFLICT (program_id, operator_id) DO UPDATE SET role = $3",
                        )
                        .bind(operator_id)
                        .bind(program_id)
                        .bind(role.as_str())
                        .bind($crate::backend::us(at))
                        .execute(&mut *tx)
                        .await?;
                    }
                    None => {
                        sqlx::query(
                            "DELETE FROM operator_roles WHERE operator_id = $1 \
                             AND program_id = $2",
                        )
                        .bind(operator_id)
                        .bind(program_id)
                        .execute(&mut *tx)
                        .await?;
                        sqlx::query(
                            "UPDATE console_sessions SET revoked_at = $1 \
                             WHERE operator_id = $2 AND program_id = $3 AND revoked_at IS NULL",
                        )
                        .bind($crate::backend::us(at))
                        .bind(operator_id)
                        .bind(program_id)
                        .execute(&mut *tx)
                        .await?;
                    }
                }
                tx.commit().await?;
                Ok(())
            }

            async fn roles_of(
                &self,
                operator_id: &str,
            ) -> $crate::Result<Vec<(String, $crate::console::Role)>> {
                let rows: Vec<(String, String)> = sqlx::query_as(
                    "SELECT program_id, role FROM operator_roles WHERE operator_id = $1 \
                     ORDER BY program_id",
                )
                .bind(operator_id)
                .fetch_all(self.reader())
                .await?;
                rows.into_iter()
                    .map(|(p, r)| Ok((p, $crate::console::role(&r)?)))
                    .collect()
            }

            async fn role_in(
                &self,
                operator_id: &str,
                program_id: &str,
            ) -> $crate::Result<Option<$crate::console::Role>> {
                let row: Option<(String,)> = sqlx::query_as(
                    "SELECT role FROM operator_roles WHERE operator_id = $1 AND program_id = $2",
                )
                .bind(operator_id)
                .bind(program_id)
                .fetch_optional(self.reader())
                .await?;
                row.map(|(r,)| $crate::console::role(&r)).transpose()
            }

            async fn program_operators(
                &self,
                program_id: &str,
            ) -> $crate::Result<Vec<($crate::console::Operator, $crate::console::Role)>> {
                #[derive(sqlx::FromRow)]
                struct Row {
                    #[sqlx(flatten)]
                    operator: $crate::console::OperatorRow,
                    role: String,
                }
                let rows: Vec<Row> = sqlx::query_as(&format!(
                    "SELECT {}, r.role FROM operator_roles r \
                     JOIN operators o ON o.id = r.operator_id \
                     WHERE r.program_id = $1 ORDER BY o.email",
                    $crate::console::OPERATOR_COLUMNS
                ))
                .bind(program_id)
                .fetch_all(self.reader())
                .await?;
                rows.into_iter()
                    .map(|r| Ok((r.operator.into_operator()?, $crate::console::role(&r.role)?)))
                    .collect()
            }

            async fn create_session(
                &self,
                s: &$crate::console::ConsoleSession,
            ) -> $crate::Result<()> {
                let mut tx = self.begin_tx().await?;
                let us = $crate::backend::us;
                sqlx::query(&format!(
                    "INSERT INTO console_sessions ({}) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                    $crate::console::SESSION_COLUMNS
                ))
                .bind(&s.secret_hash)
                .bind(&s.id)
                .bind(&s.operator_id)
                .bind(&s.program_id)
                .bind(&s.csrf)
                .bind(us(s.created_at))
                .bind(us(s.last_seen_at))
                .bind(us(s.expires_at))
                .bind(s.revoked_at.map(us))
                .bind(&s.address)
                .bind(&s.user_agent)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn session_by_secret(
                &self,
                secret_hash: &str,
            ) -> $crate::Result<Option<$crate::console::ConsoleSession>> {
                let row: Option<$crate::console::SessionRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM console_sessions WHERE secret_hash = $1",
                    $crate::console::SESSION_COLUMNS
                ))
                .bind(secret_hash)
                .fetch_optional(self.reader())
                .await?;
                row.map(|r| r.into_session()).transpose()
            }

            async fn touch_session(
                &self,
                secret_hash: &str,
                last_seen_at: jifen_core::Timestamp,
                expires_at: jifen_core::Timestamp,
            ) -> $crate::Result<()> {
                let mut tx = self.begin_tx().await?;
                sqlx::query(
                    "UPDATE console_sessions SET last_seen_at = $1, expires_at = $2 \
                     WHERE secret_hash = $3 AND revoked_at IS NULL",
                )
                .bind($crate::backend::us(last_seen_at))
                .bind($crate::backend::us(expires_at))
                .bind(secret_hash)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn set_session_program(
                &self,
                secret_hash: &str,
                program_id: &str,
            ) -> $crate::Result<()> {
                let mut tx = self.begin_tx().await?;
                sqlx::query("UPDATE console_sessions SET program_id = $1 WHERE secret_hash = $2")
                    .bind(program_id)
                    .bind(secret_hash)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn revoke_session(
                &self,
                operator_id: &str,
                session_id: &str,
                at: jifen_core::Timestamp,
            ) -> $crate::Result<bool> {
                let mut tx = self.begin_tx().await?;
                let done = sqlx::query(
                    "UPDATE console_sessions SET revoked_at = $1 \
                     WHERE operator_id = $2 AND id = $3 AND revoked_at IS NULL",
                )
                .bind($crate::backend::us(at))
                .bind(operator_id)
                .bind(session_id)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(done.rows_affected() == 1)
            }

            async fn live_sessions(
                &self,
                operator_id: &str,
                now: jifen_core::Timestamp,
            ) -> $crate::Result<Vec<$crate::console::ConsoleSession>> {
                let rows: Vec<$crate::console::SessionRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM console_sessions WHERE operator_id = $1 \
                     AND revoked_at IS NULL AND expires_at > $2 ORDER BY created_at DESC, id",
                    $crate::console::SESSION_COLUMNS
                ))
                .bind(operator_id)
                .bind($crate::backend::us(now))
                .fetch_all(self.reader())
                .await?;
                rows.into_iter().map(|r| r.into_session()).collect()
            }

            async fn record_login(
                &self,
                email: &str,
                address: &str,
                at: jifen_core::Timestamp,
                ok: bool,
            ) -> $crate::Result<()> {
                let mut tx = self.begin_tx().await?;
                sqlx::query(
                    "INSERT INTO login_attempts (email, address, at, ok) VALUES ($1, $2, $3, $4)",
                )
                .bind(email)
                .bind(address)
                .bind($crate::backend::us(at))
                .bind(ok)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn login_failures(
                &self,
                email: &str,
                address: &str,
                since: jifen_core::Timestamp,
            ) -> $crate::Result<$crate::console::LoginFailures> {
                let since = $crate::backend::us(since);
                // Failures after the later of `since` and the last success, by one column.
                let mut counts = [(0u32, None::<i64>); 2];
                for (slot, (column, value)) in
                    counts.iter_mut().zip([("email", email), ("address", address)])
                {
                    let sql = format!(
                        "SELECT COUNT(*), MAX(at) FROM login_attempts a \
                         WHERE a.{column} = $1 AND a.at >= $2 AND a.ok = $3 \
                         AND a.at > COALESCE((SELECT MAX(b.at) FROM login_attempts b \
                         WHERE b.{column} = $1 AND b.ok = $4), -1)"
                    );
                    let (n, latest): (i64, Option<i64>) = sqlx::query_as(&sql)
                        .bind(value)
                        .bind(since)
                        .bind(false)
                        .bind(true)
                        .fetch_one(self.reader())
                        .await?;
                    *slot = (u32::try_from(n).unwrap_or(u32::MAX), latest);
                }
                let [(by_email, e_latest), (by_address, a_latest)] = counts;
                Ok($crate::console::LoginFailures {
                    by_email,
                    by_address,
                    latest: e_latest
                        .max(a_latest)
                        .map($crate::backend::at)
                        .transpose()?,
                })
            }

            async fn support_adjustment_limit(
                &self,
                program_id: &str,
            ) -> $crate::Result<Option<i64>> {
                let row: Option<(i64,)> = sqlx::query_as(
                    "SELECT support_adjustment_limit FROM console_settings \
                     WHERE program_id = $1",
                )
                .bind(program_id)
                .fetch_optional(self.reader())
                .await?;
                Ok(row.map(|r| r.0))
            }

            async fn set_support_adjustment_limit(
                &self,
                program_id: &str,
                limit: i64,
            ) -> $crate::Result<()> {
                let mut tx = self.begin_tx().await?;
                sqlx::query(
                    "INSERT INTO console_settings (program_id, support_adjustment_limit) \
                     VALUES ($1, $2) ON CONFLICT (program_id) \
                     DO UPDATE SET support_adjustment_limit = $2",
                )
                .bind(program_id)
                .bind(limit)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }
        }
    };
}

pub(crate) use console_impl;
