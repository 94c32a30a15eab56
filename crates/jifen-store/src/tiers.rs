//! What tiers keep: program settings (meters, sites, the tier policy), members' standings,
//! their history, benefits granted, re-evaluation jobs and partners.
//!
//! The statements live in [`tiers_impl!`], expanded next to the other backend macros. Settings
//! are stored as the JSON their API takes; this crate does not interpret them.

use async_trait::async_trait;
use jifen_core::Timestamp;

use crate::Result;

/// Which members a read covers: some ids, or every member of a program with an id in a range.
#[derive(Debug, Clone, Copy)]
pub enum MemberSet<'a> {
    Ids(&'a [i64]),
    /// Members of a program with `first <= id <= last`.
    Range {
        program_id: &'a str,
        first: i64,
        last: i64,
    },
}

/// One addition to a meter as read back (or a sum of those before a read's `since`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeterPointRow {
    pub member_id: i64,
    pub meter: String,
    pub key: Option<String>,
    pub amount: i64,
    pub occurred_at: Timestamp,
}

/// A member's standing, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberTierRow {
    pub member_id: i64,
    pub tier: String,
    pub since: Timestamp,
    pub review_at: Option<Timestamp>,
    pub grace_until: Option<Timestamp>,
    pub override_tier: Option<String>,
    pub override_reason: Option<String>,
    pub override_until: Option<Timestamp>,
}

impl MemberTierRow {
    /// When the tier job must look at the member again: the review, or the end of a grace
    /// period the review started, or the end of an override.
    pub fn due_at(&self) -> Option<Timestamp> {
        let review = self.grace_until.or(self.review_at);
        [review, self.override_until].into_iter().flatten().min()
    }
}

/// One change of a member's tier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierChangeRow {
    /// Set by the store.
    pub id: i64,
    pub member_id: i64,
    pub kind: String,
    pub from_tier: String,
    pub to_tier: String,
    pub value: i64,
    pub at: Timestamp,
    /// The event, job or operator that caused it.
    pub cause: String,
    pub reason: Option<String>,
}

/// A benefit given to a member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenefitGrant {
    pub member_id: i64,
    pub tier: String,
    pub benefit: String,
    /// What makes it once: `upgrade:<instant>`, `2026-11`, `birthday:2026`.
    pub period: String,
    pub points: Option<i64>,
    pub voucher: Option<String>,
    pub granted_at: Timestamp,
}

/// A re-evaluation of every member of a program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierJobRecord {
    pub id: String,
    /// `running`, `done`.
    pub status: String,
    /// Why it runs: `policy_changed`, `requalification`, `requested`.
    pub reason: String,
    /// The last member id done.
    pub cursor: i64,
    pub members: i64,
    pub changes: i64,
    /// The instant the members are judged at.
    pub at: Timestamp,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A partner business.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerRecord {
    pub id: String,
    pub name: String,
    /// The site its events come from (`partner:hotel`).
    pub site: String,
    /// The identity kind a member links to be known to the partner.
    pub identity_kind: String,
    pub created_at: Timestamp,
}

/// The figure of a tier basis that is not a meter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BasisFigure {
    /// Points earned less clawed back, by when the entries took effect.
    PointsEarned,
    /// Order amounts less refunds, by when the orders were placed.
    Spend,
}

/// Reads of tiers outside a write.
#[async_trait]
pub trait TierStore: Send + Sync {
    /// A settings document of a program (`meters`, `sites`, `tier_policy`).
    async fn setting(&self, program_id: &str, name: &str) -> Result<Option<String>>;
    async fn meter_points(
        &self,
        members: MemberSet<'_>,
        since: Timestamp,
    ) -> Result<Vec<MeterPointRow>>;
    async fn basis_figures(
        &self,
        figure: BasisFigure,
        members: MemberSet<'_>,
        from: Option<Timestamp>,
        to: Timestamp,
    ) -> Result<Vec<(i64, i64)>>;
    async fn member_tiers(&self, members: MemberSet<'_>) -> Result<Vec<MemberTierRow>>;
    /// A member's tier changes, newest first, before the change `before` (an id).
    async fn tier_changes(
        &self,
        member_id: i64,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<TierChangeRow>>;
    /// A member's grants, newest first.
    async fn benefit_grants(&self, member_id: i64, limit: u32) -> Result<Vec<BenefitGrant>>;
    async fn tier_job(&self, program_id: &str, id: &str) -> Result<Option<TierJobRecord>>;
    /// Jobs that have not finished, of every program.
    async fn running_tier_jobs(&self) -> Result<Vec<(String, TierJobRecord)>>;
    /// Programs with a tier policy.
    async fn programs_with_tiers(&self) -> Result<Vec<String>>;
    /// Members whose standing is due for a look at `at`, by id, after `after`.
    async fn members_due(
        &self,
        program_id: &str,
        at: Timestamp,
        after: i64,
        limit: u32,
    ) -> Result<Vec<i64>>;
    /// Ids of a program's members after `after`, ascending (for pages of a job).
    async fn member_ids_after(&self, program_id: &str, after: i64, limit: u32) -> Result<Vec<i64>>;
    /// A program's members after `after`, ascending by id, as (id, external id, enrolled at):
    /// the light listing a read-only pass over every member pages through.
    async fn members_after(
        &self,
        program_id: &str,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(i64, String, Timestamp)>>;
    async fn partners(&self, program_id: &str) -> Result<Vec<PartnerRecord>>;
    /// Members with a stored standing, by the tier they hold (an override's tier while it
    /// lasts), by tier id. Members without a row hold the first tier.
    async fn tier_counts(&self, program_id: &str) -> Result<Vec<(String, i64)>>;
    /// How many members the program has.
    async fn member_count(&self, program_id: &str) -> Result<i64>;
}

/// Tier writes inside a write transaction.
#[async_trait]
pub trait TiersTx: Send {
    async fn setting(&mut self, program_id: &str, name: &str) -> Result<Option<String>>;
    /// Saves a settings document and bumps the rules revision.
    async fn save_setting(
        &mut self,
        program_id: &str,
        name: &str,
        body: &str,
        at: Timestamp,
    ) -> Result<()>;
    async fn meter_points(
        &mut self,
        members: MemberSet<'_>,
        since: Timestamp,
    ) -> Result<Vec<MeterPointRow>>;
    async fn basis_figures(
        &mut self,
        figure: BasisFigure,
        members: MemberSet<'_>,
        from: Option<Timestamp>,
        to: Timestamp,
    ) -> Result<Vec<(i64, i64)>>;
    /// Standings, locked until the end of the transaction.
    async fn member_tiers(&mut self, members: MemberSet<'_>) -> Result<Vec<MemberTierRow>>;
    /// Locks members (every one in the set), so that no event of theirs is judged meanwhile;
    /// returns (id, external id, enrolled at, birthday `MM-DD`).
    async fn lock_members(
        &mut self,
        members: MemberSet<'_>,
    ) -> Result<Vec<(i64, String, Timestamp, Option<String>)>>;
    async fn save_member_tiers(
        &mut self,
        program_id: &str,
        rows: &[MemberTierRow],
        at: Timestamp,
    ) -> Result<()>;
    async fn insert_tier_changes(&mut self, program_id: &str, rows: &[TierChangeRow])
    -> Result<()>;
    /// Records grants, skipping any (member, benefit, period) granted before; returns the
    /// (member, benefit, period) of those recorded now.
    async fn grant(
        &mut self,
        program_id: &str,
        grants: &[BenefitGrant],
    ) -> Result<Vec<(i64, String, String)>>;
    async fn save_tier_job(&mut self, program_id: &str, record: &TierJobRecord) -> Result<()>;
    /// Moves a running job's cursor from `from` to `to`, adding a page's counts; false (and
    /// nothing changed) when the cursor is not at `from` (the page before was not committed).
    /// Locks the job's row until the end of the transaction.
    async fn advance_tier_job(
        &mut self,
        program_id: &str,
        id: &str,
        from: i64,
        to: i64,
        counts: (i64, i64),
        at: Timestamp,
    ) -> Result<bool>;
    /// Locks a job's row until the end of the transaction (on PostgreSQL; SQLite's write
    /// transactions exclude each other already).
    async fn lock_tier_job(&mut self, program_id: &str, id: &str) -> Result<()>;
    /// Creates or renames a partner; true when new.
    async fn save_partner(&mut self, program_id: &str, partner: &PartnerRecord) -> Result<bool>;
}

/// The statements of [`TierStore`] and [`TiersTx`], for one backend.
macro_rules! tiers_impl {
    ($store:ident, $tx:ident, $db:ty, for_update = $for_update:literal) => {
        /// `WHERE <column> …` for a member set.
        fn push_members(
            q: &mut sqlx::QueryBuilder<'_, $db>,
            column: &str,
            members: $crate::MemberSet<'_>,
        ) {
            match members {
                $crate::MemberSet::Ids(ids) => {
                    q.push(format!(" WHERE {column} IN ("));
                    let mut l = q.separated(", ");
                    for id in ids {
                        l.push_bind(*id);
                    }
                    if ids.is_empty() {
                        l.push("NULL");
                    }
                    q.push(")");
                }
                $crate::MemberSet::Range {
                    first, last, ..
                } => {
                    q.push(format!(" WHERE {column} >= "))
                        .push_bind(first)
                        .push(format!(" AND {column} <= "))
                        .push_bind(last);
                }
            }
        }

        async fn select_meter_points(
            conn: &mut <$db as sqlx::Database>::Connection,
            members: $crate::MemberSet<'_>,
            since: jifen_core::Timestamp,
        ) -> $crate::Result<Vec<$crate::MeterPointRow>> {
            let since = $crate::backend::us(since);
            let mut q = sqlx::QueryBuilder::<$db>::new(
                "SELECT member_id, meter, key, amount >> 32, amount & 4294967295, occurred_at \
                 FROM meter_entries",
            );
            push_members(&mut q, "member_id", members);
            q.push(" AND occurred_at >= ").push_bind(since);
            q.push(format!(
                " UNION ALL SELECT member_id, meter, key, {}, MAX(occurred_at) FROM meter_entries",
                $crate::backend::exact_sum("amount")
            ));
            push_members(&mut q, "member_id", members);
            q.push(" AND occurred_at < ")
                .push_bind(since)
                .push(" GROUP BY member_id, meter, key");
            let rows: Vec<(i64, String, Option<String>, Option<i64>, Option<i64>, i64)> =
                q.build_query_as().persistent(false).fetch_all(&mut *conn).await?;
            rows.into_iter()
                .map(|(member_id, meter, key, high, low, at)| {
                    Ok($crate::MeterPointRow {
                        member_id,
                        meter,
                        key,
                        amount: $crate::backend::clamp_halves(high, low),
                        occurred_at: $crate::backend::at(at)?,
                    })
                })
                .collect()
        }

        async fn select_basis_figures(
            conn: &mut <$db as sqlx::Database>::Connection,
            figure: $crate::BasisFigure,
            members: $crate::MemberSet<'_>,
            from: Option<jifen_core::Timestamp>,
            to: jifen_core::Timestamp,
        ) -> $crate::Result<Vec<(i64, i64)>> {
            let (mut q, time) = match figure {
                $crate::BasisFigure::Spend => (
                    sqlx::QueryBuilder::<$db>::new(
                        format!(
                            "SELECT member_id, {} FROM orders",
                            $crate::backend::exact_sum("amount - refunded")
                        ),
                    ),
                    "occurred_at",
                ),
                $crate::BasisFigure::PointsEarned => (
                    sqlx::QueryBuilder::<$db>::new(
                        format!(
                            "SELECT member_id, {} FROM entries",
                            $crate::backend::exact_sum("points")
                        ),
                    ),
                    "effective_at",
                ),
            };
            push_members(&mut q, "member_id", members);
            if figure == $crate::BasisFigure::PointsEarned {
                q.push(" AND kind IN ('earn', 'clawback')");
            }
            if let Some(from) = from {
                q.push(format!(" AND {time} >= "))
                    .push_bind($crate::backend::us(from));
            }
            q.push(format!(" AND {time} <= "))
                .push_bind($crate::backend::us(to))
                .push(" GROUP BY member_id");
            let rows: Vec<(i64, Option<i64>, Option<i64>)> =
                q.build_query_as().persistent(false).fetch_all(&mut *conn).await?;
            Ok(rows
                .into_iter()
                .map(|(m, high, low)| (m, $crate::backend::clamp_halves(high, low)))
                .collect())
        }

        type MemberTierTuple = (
            i64,
            String,
            i64,
            Option<i64>,
            Option<i64>,
            Option<String>,
            Option<String>,
            Option<i64>,
        );

        fn member_tier_row(r: MemberTierTuple) -> $crate::Result<$crate::MemberTierRow> {
            let at = $crate::backend::at;
            Ok($crate::MemberTierRow {
                member_id: r.0,
                tier: r.1,
                since: at(r.2)?,
                review_at: r.3.map(at).transpose()?,
                grace_until: r.4.map(at).transpose()?,
                override_tier: r.5,
                override_reason: r.6,
                override_until: r.7.map(at).transpose()?,
            })
        }

        async fn select_member_tiers(
            conn: &mut <$db as sqlx::Database>::Connection,
            members: $crate::MemberSet<'_>,
            suffix: &str,
        ) -> $crate::Result<Vec<$crate::MemberTierRow>> {
            let mut q = sqlx::QueryBuilder::<$db>::new(
                "SELECT member_id, tier, since, review_at, grace_until, override_tier, \
                 override_reason, override_until FROM member_tiers",
            );
            push_members(&mut q, "member_id", members);
            if let $crate::MemberSet::Range { program_id, .. } = members {
                q.push(" AND program_id = ").push_bind(program_id.to_owned());
            }
            q.push(" ORDER BY member_id").push(suffix.to_owned());
            let rows: Vec<MemberTierTuple> =
                q.build_query_as().persistent(false).fetch_all(&mut *conn).await?;
            rows.into_iter().map(member_tier_row).collect()
        }

        type TierJobTuple = (String, String, String, i64, i64, i64, i64, i64, i64);

        fn tier_job_row(r: TierJobTuple) -> $crate::Result<$crate::TierJobRecord> {
            let at = $crate::backend::at;
            Ok($crate::TierJobRecord {
                id: r.0,
                status: r.1,
                reason: r.2,
                cursor: r.3,
                members: r.4,
                changes: r.5,
                at: at(r.6)?,
                created_at: at(r.7)?,
                updated_at: at(r.8)?,
            })
        }

        const TIER_JOB_COLUMNS: &str =
            "id, status, reason, cursor, members, changes, at, created_at, updated_at";

        async fn select_setting(
            conn: &mut <$db as sqlx::Database>::Connection,
            program_id: &str,
            name: &str,
        ) -> $crate::Result<Option<String>> {
            Ok(sqlx::query_scalar(
                "SELECT body FROM program_settings WHERE program_id = $1 AND name = $2",
            )
            .bind(program_id)
            .bind(name)
            .fetch_optional(&mut *conn)
            .await?)
        }

        #[async_trait::async_trait]
        impl $crate::TierStore for $store {
            async fn setting(
                &self,
                program_id: &str,
                name: &str,
            ) -> $crate::Result<Option<String>> {
                let mut conn = self.reader().acquire().await?;
                select_setting(&mut *conn, program_id, name).await
            }

            async fn meter_points(
                &self,
                members: $crate::MemberSet<'_>,
                since: jifen_core::Timestamp,
            ) -> $crate::Result<Vec<$crate::MeterPointRow>> {
                let mut conn = self.reader().acquire().await?;
                select_meter_points(&mut *conn, members, since).await
            }

            async fn basis_figures(
                &self,
                figure: $crate::BasisFigure,
                members: $crate::MemberSet<'_>,
                from: Option<jifen_core::Timestamp>,
                to: jifen_core::Timestamp,
            ) -> $crate::Result<Vec<(i64, i64)>> {
                let mut conn = self.reader().acquire().await?;
                select_basis_figures(&mut *conn, figure, members, from, to).await
            }

            async fn member_tiers(
                &self,
                members: $crate::MemberSet<'_>,
            ) -> $crate::Result<Vec<$crate::MemberTierRow>> {
                let mut conn = self.reader().acquire().await?;
                select_member_tiers(&mut *conn, members, "").await
            }

            async fn tier_changes(
                &self,
                member_id: i64,
                before: Option<i64>,
                limit: u32,
            ) -> $crate::Result<Vec<$crate::TierChangeRow>> {
                let rows: Vec<(i64, i64, String, String, String, i64, i64, String, Option<String>)> =
                    sqlx::query_as(
                        "SELECT id, member_id, kind, from_tier, to_tier, value, at, cause, reason \
                         FROM tier_changes WHERE member_id = $1 AND id < $2 \
                         ORDER BY id DESC LIMIT $3",
                    )
                    .bind(member_id)
                    .bind(before.unwrap_or(i64::MAX))
                    .bind(i64::from(limit))
                    .fetch_all(self.reader())
                    .await?;
                rows.into_iter()
                    .map(|r| {
                        Ok($crate::TierChangeRow {
                            id: r.0,
                            member_id: r.1,
                            kind: r.2,
                            from_tier: r.3,
                            to_tier: r.4,
                            value: r.5,
                            at: $crate::backend::at(r.6)?,
                            cause: r.7,
                            reason: r.8,
                        })
                    })
                    .collect()
            }

            async fn benefit_grants(
                &self,
                member_id: i64,
                limit: u32,
            ) -> $crate::Result<Vec<$crate::BenefitGrant>> {
                let rows: Vec<(i64, String, String, String, Option<i64>, Option<String>, i64)> =
                    sqlx::query_as(
                        "SELECT member_id, tier, benefit, period, points, voucher, granted_at \
                         FROM benefit_grants WHERE member_id = $1 ORDER BY id DESC LIMIT $2",
                    )
                    .bind(member_id)
                    .bind(i64::from(limit))
                    .fetch_all(self.reader())
                    .await?;
                rows.into_iter()
                    .map(|r| {
                        Ok($crate::BenefitGrant {
                            member_id: r.0,
                            tier: r.1,
                            benefit: r.2,
                            period: r.3,
                            points: r.4,
                            voucher: r.5,
                            granted_at: $crate::backend::at(r.6)?,
                        })
                    })
                    .collect()
            }

            async fn tier_job(
                &self,
                program_id: &str,
                id: &str,
            ) -> $crate::Result<Option<$crate::TierJobRecord>> {
                let row: Option<TierJobTuple> = sqlx::query_as(&format!(
                    "SELECT {TIER_JOB_COLUMNS} FROM tier_jobs WHERE program_id = $1 AND id = $2"
                ))
                .bind(program_id)
                .bind(id)
                .fetch_optional(self.reader())
                .await?;
                row.map(tier_job_row).transpose()
            }

            async fn running_tier_jobs(
                &self,
            ) -> $crate::Result<Vec<(String, $crate::TierJobRecord)>> {
                let rows: Vec<(String, String, String, String, i64, i64, i64, i64, i64, i64)> =
                    sqlx::query_as(&format!(
                        "SELECT program_id, {TIER_JOB_COLUMNS} FROM tier_jobs \
                         WHERE status = 'running' ORDER BY created_at, id"
                    ))
                    .fetch_all(self.reader())
                    .await?;
                rows.into_iter()
                    .map(|r| {
                        Ok((
                            r.0,
                            tier_job_row((r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9))?,
                        ))
                    })
                    .collect()
            }

            async fn tier_counts(
                &self,
                program_id: &str,
            ) -> $crate::Result<Vec<(String, i64)>> {
                Ok(sqlx::query_as(
                    "SELECT COALESCE(override_tier, tier) AS t, COUNT(*) FROM member_tiers \
                     WHERE program_id = $1 GROUP BY COALESCE(override_tier, tier) ORDER BY t",
                )
                .bind(program_id)
                .fetch_all(self.reader())
                .await?)
            }

            async fn member_count(&self, program_id: &str) -> $crate::Result<i64> {
                Ok(
                    sqlx::query_scalar("SELECT COUNT(*) FROM members WHERE program_id = $1")
                        .bind(program_id)
                        .fetch_one(self.reader())
                        .await?,
                )
            }

            async fn programs_with_tiers(&self) -> $crate::Result<Vec<String>> {
                Ok(sqlx::query_scalar(
                    "SELECT program_id FROM program_settings WHERE name = 'tier_policy' \
                     ORDER BY program_id",
                )
                .fetch_all(self.reader())
                .await?)
            }

            async fn members_due(
                &self,
                program_id: &str,
                at: jifen_core::Timestamp,
                after: i64,
                limit: u32,
            ) -> $crate::Result<Vec<i64>> {
                Ok(sqlx::query_scalar(
                    "SELECT member_id FROM member_tiers WHERE program_id = $1 \
                     AND due_at IS NOT NULL AND due_at <= $2 AND member_id > $3 \
                     ORDER BY member_id LIMIT $4",
                )
                .bind(program_id)
                .bind($crate::backend::us(at))
                .bind(after)
                .bind(i64::from(limit))
                .fetch_all(self.reader())
                .await?)
            }

            async fn member_ids_after(
                &self,
                program_id: &str,
                after: i64,
                limit: u32,
            ) -> $crate::Result<Vec<i64>> {
                Ok(sqlx::query_scalar(
                    "SELECT id FROM members WHERE program_id = $1 AND id > $2 \
                     ORDER BY id LIMIT $3",
                )
                .bind(program_id)
                .bind(after)
                .bind(i64::from(limit))
                .fetch_all(self.reader())
                .await?)
            }

            async fn members_after(
                &self,
                program_id: &str,
                after: i64,
                limit: u32,
            ) -> $crate::Result<Vec<(i64, String, jifen_core::Timestamp)>> {
                let rows: Vec<(i64, String, i64)> = sqlx::query_as(
                    "SELECT id, external_id, enrolled_at FROM members \
                     WHERE program_id = $1 AND id > $2 ORDER BY id LIMIT $3",
                )
                .bind(program_id)
                .bind(after)
                .bind(i64::from(limit))
                .fetch_all(self.reader())
                .await?;
                rows.into_iter()
                    .map(|(id, ext, at)| Ok((id, ext, $crate::backend::at(at)?)))
                    .collect()
            }

            async fn partners(
                &self,
                program_id: &str,
            ) -> $crate::Result<Vec<$crate::PartnerRecord>> {
                let rows: Vec<(String, String, String, String, i64)> = sqlx::query_as(
                    "SELECT id, name, site, identity_kind, created_at FROM partners \
                     WHERE program_id = $1 ORDER BY id",
                )
                .bind(program_id)
                .fetch_all(self.reader())
                .await?;
                rows.into_iter()
                    .map(|r| {
                        Ok($crate::PartnerRecord {
                            id: r.0,
                            name: r.1,
                            site: r.2,
                            identity_kind: r.3,
                            created_at: $crate::backend::at(r.4)?,
                        })
                    })
                    .collect()
            }
        }

        #[async_trait::async_trait]
        impl $crate::TiersTx for $tx {
            async fn setting(
                &mut self,
                program_id: &str,
                name: &str,
            ) -> $crate::Result<Option<String>> {
                select_setting(&mut *self.tx, program_id, name).await
            }

            async fn save_setting(
                &mut self,
                program_id: &str,
                name: &str,
                body: &str,
                at: jifen_core::Timestamp,
            ) -> $crate::Result<()> {
                sqlx::query(
                    "INSERT INTO program_settings (program_id, name, body, updated_at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (program_id, name) DO UPDATE \
                     SET body = excluded.body, updated_at = excluded.updated_at",
                )
                .bind(program_id)
                .bind(name)
                .bind(body)
                .bind($crate::backend::us(at))
                .execute(&mut *self.tx)
                .await?;
                sqlx::query("UPDATE programs SET rules_rev = rules_rev + 1 WHERE id = $1")
                    .bind(program_id)
                    .execute(&mut *self.tx)
                    .await?;
                Ok(())
            }

            async fn meter_points(
                &mut self,
                members: $crate::MemberSet<'_>,
                since: jifen_core::Timestamp,
            ) -> $crate::Result<Vec<$crate::MeterPointRow>> {
                select_meter_points(&mut *self.tx, members, since).await
            }

            async fn basis_figures(
                &mut self,
                figure: $crate::BasisFigure,
                members: $crate::MemberSet<'_>,
                from: Option<jifen_core::Timestamp>,
                to: jifen_core::Timestamp,
            ) -> $crate::Result<Vec<(i64, i64)>> {
                select_basis_figures(&mut *self.tx, figure, members, from, to).await
            }

            async fn member_tiers(
                &mut self,
                members: $crate::MemberSet<'_>,
            ) -> $crate::Result<Vec<$crate::MemberTierRow>> {
                select_member_tiers(&mut *self.tx, members, $for_update).await
            }

            async fn lock_members(
                &mut self,
                members: $crate::MemberSet<'_>,
            ) -> $crate::Result<Vec<(i64, String, jifen_core::Timestamp, Option<String>)>> {
                let mut q = sqlx::QueryBuilder::<$db>::new(
                    "SELECT id, external_id, enrolled_at, birthday FROM members",
                );
                push_members(&mut q, "id", members);
                if let $crate::MemberSet::Range { program_id, .. } = members {
                    q.push(" AND program_id = ").push_bind(program_id.to_owned());
                }
                q.push(" ORDER BY id").push($for_update);
                let rows: Vec<(i64, String, i64, Option<String>)> =
                    q.build_query_as().persistent(false).fetch_all(&mut *self.tx).await?;
                rows.into_iter()
                    .map(|(id, ext, at, birthday)| {
                        Ok((
                            id,
                            ext,
                            $crate::backend::at(at)?,
                            birthday.and_then(|b| b.get(5..10).map(str::to_owned)),
                        ))
                    })
                    .collect()
            }

            async fn save_member_tiers(
                &mut self,
                program_id: &str,
                rows: &[$crate::MemberTierRow],
                at: jifen_core::Timestamp,
            ) -> $crate::Result<()> {
                let us = $crate::backend::us;
                for chunk in rows.chunks(500) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO member_tiers (member_id, program_id, tier, since, review_at, \
                         grace_until, override_tier, override_reason, override_until, due_at, \
                         updated_at) ",
                    );
                    q.push_values(chunk, |mut b, r| {
                        b.push_bind(r.member_id)
                            .push_bind(program_id.to_owned())
                            .push_bind(r.tier.clone())
                            .push_bind(us(r.since))
                            .push_bind(r.review_at.map(us))
                            .push_bind(r.grace_until.map(us))
                            .push_bind(r.override_tier.clone())
                            .push_bind(r.override_reason.clone())
                            .push_bind(r.override_until.map(us))
                            .push_bind(r.due_at().map(us))
                            .push_bind(us(at));
                    });
                    q.push(
                        " ON CONFLICT (member_id) DO UPDATE SET tier = excluded.tier, \
                         since = excluded.since, review_at = excluded.review_at, \
                         grace_until = excluded.grace_until, \
                         override_tier = excluded.override_tier, \
                         override_reason = excluded.override_reason, \
                         override_until = excluded.override_until, due_at = excluded.due_at, \
                         updated_at = excluded.updated_at",
                    );
                    q.build().persistent(false).execute(&mut *self.tx).await?;
                }
                Ok(())
            }

            async fn insert_tier_changes(
                &mut self,
                program_id: &str,
                rows: &[$crate::TierChangeRow],
            ) -> $crate::Result<()> {
                for chunk in rows.chunks(500) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO tier_changes (program_id, member_id, kind, from_tier, \
                         to_tier, value, at, cause, reason) ",
                    );
                    q.push_values(chunk, |mut b, r| {
                        b.push_bind(program_id.to_owned())
                            .push_bind(r.member_id)
                            .push_bind(r.kind.clone())
                            .push_bind(r.from_tier.clone())
                            .push_bind(r.to_tier.clone())
                            .push_bind(r.value)
                            .push_bind($crate::backend::us(r.at))
                            .push_bind(r.cause.clone())
                            .push_bind(r.reason.clone());
                    });
                    q.build().persistent(false).execute(&mut *self.tx).await?;
                }
                // Each change is a `tier.changed` webhook message, in this transaction.
                if !rows.is_empty()
                    && webhook_wanted_in(
                        &mut self.tx,
                        program_id,
                        $crate::webhooks::kind::TIER_CHANGED,
                    )
                    .await?
                {
                    let mut ids: Vec<i64> = rows.iter().map(|r| r.member_id).collect();
                    ids.sort_unstable();
                    ids.dedup();
                    let external = webhook_external_ids_in(&mut self.tx, &ids).await?;
                    let messages: Vec<$crate::webhooks::NewWebhookMessage> = rows
                        .iter()
                        .map(|r| {
                            $crate::webhooks::tier_message(
                                external.get(&r.member_id).map(String::as_str).unwrap_or(""),
                                r,
                            )
                        })
                        .collect();
                    webhook_enqueue_in(&mut self.tx, program_id, &messages).await?;
                }
                Ok(())
            }

            async fn grant(
                &mut self,
                program_id: &str,
                grants: &[$crate::BenefitGrant],
            ) -> $crate::Result<Vec<(i64, String, String)>> {
                let mut done = Vec::new();
                for chunk in grants.chunks(500) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO benefit_grants (program_id, member_id, tier, benefit, period, \
                         points, voucher, granted_at) ",
                    );
                    q.push_values(chunk, |mut b, g| {
                        b.push_bind(program_id.to_owned())
                            .push_bind(g.member_id)
                            .push_bind(g.tier.clone())
                            .push_bind(g.benefit.clone())
                            .push_bind(g.period.clone())
                            .push_bind(g.points)
                            .push_bind(g.voucher.clone())
                            .push_bind($crate::backend::us(g.granted_at));
                    });
                    q.push(
                        " ON CONFLICT (member_id, benefit, period) DO NOTHING \
                         RETURNING member_id, benefit, period",
                    );
                    let rows: Vec<(i64, String, String)> =
                        q.build_query_as().persistent(false).fetch_all(&mut *self.tx).await?;
                    done.extend(rows);
                }
                Ok(done)
            }

            async fn save_tier_job(
                &mut self,
                program_id: &str,
                r: &$crate::TierJobRecord,
            ) -> $crate::Result<()> {
                sqlx::query(
                    "INSERT INTO tier_jobs (program_id, id, status, reason, cursor, members, \
                     changes, at, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                     ON CONFLICT (program_id, id) DO UPDATE SET status = excluded.status, \
                     cursor = excluded.cursor, members = excluded.members, \
                     changes = excluded.changes, updated_at = excluded.updated_at",
                )
                .bind(program_id)
                .bind(&r.id)
                .bind(&r.status)
                .bind(&r.reason)
                .bind(r.cursor)
                .bind(r.members)
                .bind(r.changes)
                .bind($crate::backend::us(r.at))
                .bind($crate::backend::us(r.created_at))
                .bind($crate::backend::us(r.updated_at))
                .execute(&mut *self.tx)
                .await?;
                Ok(())
            }

            async fn advance_tier_job(
                &mut self,
                program_id: &str,
                id: &str,
                from: i64,
                to: i64,
                (members, changes): (i64, i64),
                at: jifen_core::Timestamp,
            ) -> $crate::Result<bool> {
                let done = sqlx::query(
                    "UPDATE tier_jobs SET cursor = $1, members = members + $2, \
                     changes = changes + $3, updated_at = $4 \
                     WHERE program_id = $5 AND id = $6 AND cursor = $7 AND status = 'running'",
                )
                .bind(to)
                .bind(members)
                .bind(changes)
                .bind($crate::backend::us(at))
                .bind(program_id)
                .bind(id)
                .bind(from)
                .execute(&mut *self.tx)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn lock_tier_job(&mut self, program_id: &str, id: &str) -> $crate::Result<()> {
                let _: Option<i64> = sqlx::query_scalar(&format!(
                    "SELECT cursor FROM tier_jobs WHERE program_id = $1 AND id = $2{}",
                    $for_update
                ))
                .bind(program_id)
                .bind(id)
                .fetch_optional(&mut *self.tx)
                .await?;
                Ok(())
            }

            async fn save_partner(
                &mut self,
                program_id: &str,
                p: &$crate::PartnerRecord,
            ) -> $crate::Result<bool> {
                let existing: Option<String> = sqlx::query_scalar(
                    "SELECT id FROM partners WHERE program_id = $1 AND id = $2",
                )
                .bind(program_id)
                .bind(&p.id)
                .fetch_optional(&mut *self.tx)
                .await?;
                sqlx::query(
                    "INSERT INTO partners (program_id, id, name, site, identity_kind, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (program_id, id) DO UPDATE \
                     SET name = excluded.name",
                )
                .bind(program_id)
                .bind(&p.id)
                .bind(&p.name)
                .bind(&p.site)
                .bind(&p.identity_kind)
                .bind($crate::backend::us(p.created_at))
                .execute(&mut *self.tx)
                .await?;
                Ok(existing.is_none())
            }
        }
    };
}

pub(crate) use tiers_impl;
