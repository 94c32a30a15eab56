//! What segments keep: members' features (the figures that cost a scan of their history),
//! a program's segment definitions (a CEL condition this crate does not interpret) and each
//! segment's members, materialised.
//!
//! The statements live in [`segments_impl!`], expanded next to the other backend macros.

use async_trait::async_trait;
use jifen_core::Timestamp;

use crate::Result;

/// Event types that are not a member's own activity: a refund undoes one, and `birthday` is
/// sent by jifen itself.
pub const NOT_ACTIVITY: [&str; 2] = ["refund", "birthday"];

/// The sum of a member's orders less refunds, clamped into `i64` instead of overflowing: summed
/// in two halves (the high 32 bits and the low), which no number of orders can take past `i64`,
/// then put together only when the total fits. A plain `SUM` fails on SQLite ("integer
/// overflow") and on PostgreSQL's cast for orders whose total leaves `i64`.
pub const CLAMPED_NET_SPEND: &str = "CASE \
    WHEN COUNT(*) = 0 THEN 0 \
    WHEN CAST(SUM((o.amount - o.refunded) >> 32) AS BIGINT) \
       + (CAST(SUM((o.amount - o.refunded) & 4294967295) AS BIGINT) >> 32) > 2147483646 \
      THEN 9223372036854775807 \
    WHEN CAST(SUM((o.amount - o.refunded) >> 32) AS BIGINT) \
       + (CAST(SUM((o.amount - o.refunded) & 4294967295) AS BIGINT) >> 32) < -2147483647 \
      THEN -9223372036854775807 \
    ELSE (CAST(SUM((o.amount - o.refunded) >> 32) AS BIGINT) \
       + (CAST(SUM((o.amount - o.refunded) & 4294967295) AS BIGINT) >> 32)) * 4294967296 \
       + (CAST(SUM((o.amount - o.refunded) & 4294967295) AS BIGINT) & 4294967295) END";

/// A segment definition as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentRow {
    pub slug: String,
    pub name: String,
    pub description: String,
    /// The CEL condition's text.
    pub condition: String,
    /// Grows with every change of the condition.
    pub version: i64,
    /// The version the last full refresh evaluated (0: none yet).
    pub refreshed_version: i64,
    pub refreshed_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// One member's stored features and profile, as read for evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureRow {
    pub member_id: i64,
    pub external_id: String,
    pub status: String,
    pub enrolled_at: Timestamp,
    pub gender: Option<String>,
    pub city: Option<String>,
    /// `YYYY-MM-DD`.
    pub birthday: Option<String>,
    /// The custom attributes' JSON.
    pub attributes: String,
    pub last_activity_at: Option<Timestamp>,
    pub frequency_365d: i64,
    pub monetary_365d: i64,
    /// The RFM scores of the last daily ranking: (recency, frequency, monetary), 1–5 each.
    pub scores: Option<(i64, i64, i64)>,
    /// When the figures were counted (`None`: never).
    pub computed_at: Option<Timestamp>,
    /// The member's standing tier, and an operator's override with its end.
    pub tier: Option<String>,
    pub override_tier: Option<String>,
    pub override_until: Option<Timestamp>,
}

/// Some members' features, with what is kept in tables of its own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeatureSet {
    pub rows: Vec<FeatureRow>,
    /// (member, tag).
    pub tags: Vec<(i64, String)>,
    /// (member, meter, value).
    pub meters: Vec<(i64, String, i64)>,
    /// (member, identity kind).
    pub identities: Vec<(i64, String)>,
    /// (member, site, last activity there).
    pub sites: Vec<(i64, String, Timestamp)>,
    /// (member, segment) the members are in now.
    pub memberships: Vec<(i64, String)>,
}

/// A member of a segment, as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentMemberRow {
    pub member_id: i64,
    pub external_id: String,
    pub since: Timestamp,
}

/// Reads of segments outside a write.
#[async_trait]
pub trait SegmentStore: Send + Sync {
    /// The program's segments, by slug.
    async fn segments(&self, program_id: &str) -> Result<Vec<SegmentRow>>;
    async fn segment(&self, program_id: &str, slug: &str) -> Result<Option<SegmentRow>>;
    /// How many members a segment has now.
    async fn segment_size(&self, program_id: &str, slug: &str) -> Result<i64>;
    /// A segment's members, by internal id descending (newest members first), after the
    /// cursor (an internal id) when one is given.
    async fn segment_members(
        &self,
        program_id: &str,
        slug: &str,
        limit: u32,
        after: Option<i64>,
    ) -> Result<Vec<SegmentMemberRow>>;
    /// The segments a member is in: (slug, since), by slug.
    async fn member_segments(
        &self,
        program_id: &str,
        member_id: i64,
    ) -> Result<Vec<(String, Timestamp)>>;
    /// Which of `slugs` the member is in.
    async fn member_in_segments(
        &self,
        program_id: &str,
        member_id: i64,
        slugs: &[&str],
    ) -> Result<Vec<String>>;
    /// Some members' features, as the last write left them.
    async fn member_features(&self, program_id: &str, member_ids: &[i64]) -> Result<FeatureSet>;
    /// What ranks the program's members (those with counted figures, erased ones aside) into
    /// RFM scores, with the scores they hold now.
    async fn rfm_inputs(
        &self,
        program_id: &str,
    ) -> Result<Vec<(jifen_core::segments::RfmInput, Option<(i64, i64, i64)>)>>;
    /// Programs that have at least one segment.
    async fn programs_with_segments(&self) -> Result<Vec<String>>;
    /// The program-time day of the program's last full refresh.
    async fn segments_refreshed_on(&self, program_id: &str) -> Result<Option<String>>;
}

/// Segment writes (and the reads that decide them) inside a write transaction.
#[async_trait]
pub trait SegmentsTx: Send {
    /// Creates or replaces a definition; true when new.
    async fn save_segment(&mut self, program_id: &str, row: &SegmentRow) -> Result<bool>;
    /// Deletes a definition and its members; false when there was none.
    async fn delete_segment(&mut self, program_id: &str, slug: &str) -> Result<bool>;
    /// The program's segments, by slug.
    async fn segment_defs(&mut self, program_id: &str) -> Result<Vec<SegmentRow>>;
    /// Locks members (in id order) until the end of the transaction.
    async fn lock_member_ids(&mut self, program_id: &str, member_ids: &[i64]) -> Result<()>;
    /// Counts the figures of some members from their history as of `now`: last activity
    /// (overall and per site), purchases and their value in `(window_from, now]`.
    async fn count_features(
        &mut self,
        program_id: &str,
        member_ids: &[i64],
        window_from: Timestamp,
        now: Timestamp,
    ) -> Result<()>;
    /// Writes members' RFM scores: (member, recency, frequency, monetary).
    async fn set_rfm_scores(&mut self, scores: &[(i64, i64, i64, i64)]) -> Result<()>;
    /// [`SegmentStore::member_features`] inside this transaction.
    async fn features_in_tx(&mut self, program_id: &str, member_ids: &[i64]) -> Result<FeatureSet>;
    /// The segments some members are in: (member, segment).
    async fn memberships_in_tx(
        &mut self,
        program_id: &str,
        member_ids: &[i64],
    ) -> Result<Vec<(i64, String)>>;
    /// Adds and removes memberships: (segment, member).
    async fn set_memberships(
        &mut self,
        program_id: &str,
        added: &[(String, i64)],
        removed: &[(String, i64)],
        at: Timestamp,
    ) -> Result<()>;
    /// Records that a full refresh evaluated a segment's version.
    async fn mark_refreshed(
        &mut self,
        program_id: &str,
        slug: &str,
        version: i64,
        at: Timestamp,
    ) -> Result<()>;
    /// Records the program-time day of a full refresh.
    async fn note_refresh_day(&mut self, program_id: &str, day: &str, at: Timestamp) -> Result<()>;
}

pub(crate) type SegmentTuple = (
    String,
    String,
    String,
    String,
    i64,
    i64,
    Option<i64>,
    i64,
    i64,
);

pub(crate) fn segment_row(r: SegmentTuple) -> Result<SegmentRow> {
    Ok(SegmentRow {
        slug: r.0,
        name: r.1,
        description: r.2,
        condition: r.3,
        version: r.4,
        refreshed_version: r.5,
        refreshed_at: r.6.map(crate::backend::at).transpose()?,
        created_at: crate::backend::at(r.7)?,
        updated_at: crate::backend::at(r.8)?,
    })
}

pub(crate) const SEGMENT_COLUMNS: &str = "slug, name, description, condition, version, \
     refreshed_version, refreshed_at, created_at, updated_at";

#[derive(sqlx::FromRow)]
pub(crate) struct FeatureDbRow {
    id: i64,
    external_id: String,
    status: String,
    enrolled_at: i64,
    gender: Option<String>,
    city: Option<String>,
    birthday: Option<String>,
    attributes: String,
    last_activity_at: Option<i64>,
    frequency_365d: Option<i64>,
    monetary_365d: Option<i64>,
    r_score: Option<i64>,
    f_score: Option<i64>,
    m_score: Option<i64>,
    computed_at: Option<i64>,
    tier: Option<String>,
    override_tier: Option<String>,
    override_until: Option<i64>,
}

impl FeatureDbRow {
    pub(crate) fn into_row(self) -> Result<FeatureRow> {
        let at = crate::backend::at;
        Ok(FeatureRow {
            member_id: self.id,
            external_id: self.external_id,
            status: self.status,
            enrolled_at: at(self.enrolled_at)?,
            gender: self.gender,
            city: self.city,
            birthday: self.birthday,
            attributes: self.attributes,
            last_activity_at: self.last_activity_at.map(at).transpose()?,
            frequency_365d: self.frequency_365d.unwrap_or(0),
            monetary_365d: self.monetary_365d.unwrap_or(0),
            scores: match (self.r_score, self.f_score, self.m_score) {
                (Some(r), Some(f), Some(m)) => Some((r, f, m)),
                _ => None,
            },
            computed_at: self.computed_at.map(at).transpose()?,
            tier: self.tier,
            override_tier: self.override_tier,
            override_until: self.override_until.map(at).transpose()?,
        })
    }
}

/// The member, feature and tier columns, from `members m LEFT JOIN member_features f LEFT JOIN
/// member_tiers t`.
pub(crate) const FEATURE_SELECT: &str = "SELECT m.id, m.external_id, m.status, m.enrolled_at, \
     m.gender, m.city, m.birthday, m.attributes, f.last_activity_at, f.frequency_365d, \
     f.monetary_365d, f.r_score, f.f_score, f.m_score, f.computed_at, t.tier, t.override_tier, \
     t.override_until FROM members m LEFT JOIN member_features f ON f.member_id = m.id \
     LEFT JOIN member_tiers t ON t.member_id = m.id WHERE m.program_id = ";

/// Expands the segment statements for a backend.
macro_rules! segments_impl {
    ($store:ty, $tx:ty, $db:ty, for_update = $for_update:literal) => {
        /// Pushes ` IN (…)` of the ids.
        fn push_ids(q: &mut sqlx::QueryBuilder<'_, $db>, ids: &[i64]) {
            q.push(" IN (");
            let mut l = q.separated(", ");
            for id in ids {
                l.push_bind(*id);
            }
            l.push_unseparated(")");
        }

        /// The segments some members of a program are in: (member, segment). Read by member
        /// alone and kept to the program's here: with the program's id in the condition,
        /// SQLite reads every membership of the program through the primary key instead of
        /// the members' few through their index.
        async fn memberships_on(
            conn: &mut <$db as sqlx::Database>::Connection,
            program_id: &str,
            ids: &[i64],
        ) -> $crate::Result<Vec<(i64, String)>> {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            let mut q = sqlx::QueryBuilder::<$db>::new(
                "SELECT member_id, segment, program_id FROM segment_members WHERE member_id",
            );
            push_ids(&mut q, ids);
            q.push(" ORDER BY member_id, segment");
            let rows: Vec<(i64, String, String)> = q
                .build_query_as()
                .persistent(false)
                .fetch_all(&mut *conn)
                .await?;
            Ok(rows
                .into_iter()
                .filter(|r| r.2 == program_id)
                .map(|(m, s, _)| (m, s))
                .collect())
        }

        /// The features of some members of a program, on one connection.
        async fn features_on(
            conn: &mut <$db as sqlx::Database>::Connection,
            program_id: &str,
            ids: &[i64],
        ) -> $crate::Result<$crate::segments::FeatureSet> {
            use $crate::segments::{FeatureDbRow, FeatureSet};
            let mut set = FeatureSet::default();
            if ids.is_empty() {
                return Ok(set);
            }
            let mut q = sqlx::QueryBuilder::<$db>::new($crate::segments::FEATURE_SELECT);
            q.push_bind(program_id.to_owned()).push(" AND m.id");
            push_ids(&mut q, ids);
            q.push(" ORDER BY m.id");
            let rows: Vec<FeatureDbRow> = q
                .build_query_as()
                .persistent(false)
                .fetch_all(&mut *conn)
                .await?;
            set.rows = rows
                .into_iter()
                .map(FeatureDbRow::into_row)
                .collect::<$crate::Result<_>>()?;
            let mut q = sqlx::QueryBuilder::<$db>::new(
                "SELECT member_id, tag FROM member_tags WHERE member_id",
            );
            push_ids(&mut q, ids);
            q.push(" ORDER BY member_id, tag");
            set.tags = q
                .build_query_as()
                .persistent(false)
                .fetch_all(&mut *conn)
                .await?;
            let mut q = sqlx::QueryBuilder::<$db>::new(format!(
                "SELECT member_id, meter, {} FROM meter_entries WHERE member_id",
                $crate::backend::exact_sum("amount")
            ));
            push_ids(&mut q, ids);
            q.push(" GROUP BY member_id, meter ORDER BY member_id, meter");
            let rows: Vec<(i64, String, Option<i64>, Option<i64>)> = q
                .build_query_as()
                .persistent(false)
                .fetch_all(&mut *conn)
                .await?;
            set.meters = rows
                .into_iter()
                .map(|(m, meter, high, low)| {
                    (m, meter, $crate::backend::clamp_halves(high, low))
                })
                .collect();
            let mut q = sqlx::QueryBuilder::<$db>::new(
                "SELECT DISTINCT member_id, kind FROM identities WHERE member_id",
            );
            push_ids(&mut q, ids);
            q.push(" ORDER BY member_id, kind");
            set.identities = q
                .build_query_as()
                .persistent(false)
                .fetch_all(&mut *conn)
                .await?;
            let mut q = sqlx::QueryBuilder::<$db>::new(
                "SELECT member_id, site, last_at FROM member_sites WHERE member_id",
            );
            push_ids(&mut q, ids);
            q.push(" ORDER BY member_id, site");
            let rows: Vec<(i64, String, i64)> = q
                .build_query_as()
                .persistent(false)
                .fetch_all(&mut *conn)
                .await?;
            set.sites = rows
                .into_iter()
                .map(|(m, s, t)| Ok((m, s, $crate::backend::at(t)?)))
                .collect::<$crate::Result<_>>()?;
            set.memberships = memberships_on(&mut *conn, program_id, ids).await?;
            Ok(set)
        }

        #[async_trait::async_trait]
        impl $crate::segments::SegmentStore for $store {
            async fn segments(
                &self,
                program_id: &str,
            ) -> $crate::Result<Vec<$crate::segments::SegmentRow>> {
                let rows: Vec<$crate::segments::SegmentTuple> = sqlx::query_as(&format!(
                    "SELECT {} FROM segments WHERE program_id = $1 ORDER BY slug",
                    $crate::segments::SEGMENT_COLUMNS
                ))
                .bind(program_id)
                .fetch_all(self.reader())
                .await?;
                rows.into_iter().map($crate::segments::segment_row).collect()
            }

            async fn segment(
                &self,
                program_id: &str,
                slug: &str,
            ) -> $crate::Result<Option<$crate::segments::SegmentRow>> {
                let row: Option<$crate::segments::SegmentTuple> = sqlx::query_as(&format!(
                    "SELECT {} FROM segments WHERE program_id = $1 AND slug = $2",
                    $crate::segments::SEGMENT_COLUMNS
                ))
                .bind(program_id)
                .bind(slug)
                .fetch_optional(self.reader())
                .await?;
                row.map($crate::segments::segment_row).transpose()
            }

            async fn segment_size(&self, program_id: &str, slug: &str) -> $crate::Result<i64> {
                Ok(sqlx::query_scalar(
                    "SELECT CAST(COUNT(*) AS BIGINT) FROM segment_members \
                     WHERE program_id = $1 AND segment = $2",
                )
                .bind(program_id)
                .bind(slug)
                .fetch_one(self.reader())
                .await?)
            }

            async fn segment_members(
                &self,
                program_id: &str,
                slug: &str,
                limit: u32,
                after: Option<i64>,
            ) -> $crate::Result<Vec<$crate::segments::SegmentMemberRow>> {
                let rows: Vec<(i64, String, i64)> = sqlx::query_as(
                    "SELECT s.member_id, m.external_id, s.since FROM segment_members s \
                     JOIN members m ON m.id = s.member_id \
                     WHERE s.program_id = $1 AND s.segment = $2 AND s.member_id < $3 \
                     ORDER BY s.member_id DESC LIMIT $4",
                )
                .bind(program_id)
                .bind(slug)
                .bind(after.unwrap_or(i64::MAX))
                .bind(i64::from(limit))
                .fetch_all(self.reader())
                .await?;
                rows.into_iter()
                    .map(|(member_id, external_id, since)| {
                        Ok($crate::segments::SegmentMemberRow {
                            member_id,
                            external_id,
                            since: $crate::backend::at(since)?,
                        })
                    })
                    .collect()
            }

            async fn member_segments(
                &self,
                program_id: &str,
                member_id: i64,
            ) -> $crate::Result<Vec<(String, jifen_core::Timestamp)>> {
                // By member alone, kept to the program here (see `memberships_on`).
                let rows: Vec<(String, i64, String)> = sqlx::query_as(
                    "SELECT segment, since, program_id FROM segment_members \
                     WHERE member_id = $1 ORDER BY segment",
                )
                .bind(member_id)
                .fetch_all(self.reader())
                .await?;
                rows.into_iter()
                    .filter(|r| r.2 == program_id)
                    .map(|(s, t, _)| Ok((s, $crate::backend::at(t)?)))
                    .collect()
            }

            async fn member_in_segments(
                &self,
                program_id: &str,
                member_id: i64,
                slugs: &[&str],
            ) -> $crate::Result<Vec<String>> {
                if slugs.is_empty() {
                    return Ok(Vec::new());
                }
                let mut q = sqlx::QueryBuilder::<$db>::new(
                    "SELECT segment FROM segment_members WHERE member_id = ",
                );
                q.push_bind(member_id)
                    .push(" AND program_id = ")
                    .push_bind(program_id.to_owned())
                    .push(" AND segment IN (");
                let mut l = q.separated(", ");
                for s in slugs {
                    l.push_bind(s.to_string());
                }
                q.push(") ORDER BY segment");
                Ok(q.build_query_scalar()
                    .persistent(false)
                    .fetch_all(self.reader())
                    .await?)
            }

            async fn member_features(
                &self,
                program_id: &str,
                member_ids: &[i64],
            ) -> $crate::Result<$crate::segments::FeatureSet> {
                let mut conn = self.reader().acquire().await?;
                features_on(&mut *conn, program_id, member_ids).await
            }

            async fn rfm_inputs(
                &self,
                program_id: &str,
            ) -> $crate::Result<
                Vec<(jifen_core::segments::RfmInput, Option<(i64, i64, i64)>)>,
            > {
                type Row = (i64, i64, i64, i64, Option<i64>, Option<i64>, Option<i64>);
                let rows: Vec<Row> = sqlx::query_as(
                    "SELECT f.member_id, COALESCE(f.last_activity_at, m.enrolled_at), \
                     f.frequency_365d, f.monetary_365d, f.r_score, f.f_score, f.m_score \
                     FROM member_features f JOIN members m ON m.id = f.member_id \
                     WHERE f.program_id = $1 AND m.status <> 'erased'",
                )
                .bind(program_id)
                .fetch_all(self.reader())
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(member_id, recency, frequency, monetary, r, f, m)| {
                        (
                            jifen_core::segments::RfmInput {
                                member_id,
                                recency,
                                frequency,
                                monetary,
                            },
                            r.zip(f).zip(m).map(|((r, f), m)| (r, f, m)),
                        )
                    })
                    .collect())
            }

            async fn programs_with_segments(&self) -> $crate::Result<Vec<String>> {
                Ok(sqlx::query_scalar(
                    "SELECT DISTINCT program_id FROM segments ORDER BY program_id",
                )
                .fetch_all(self.reader())
                .await?)
            }

            async fn segments_refreshed_on(
                &self,
                program_id: &str,
            ) -> $crate::Result<Option<String>> {
                Ok(
                    sqlx::query_scalar("SELECT day FROM segment_refreshes WHERE program_id = $1")
                        .bind(program_id)
                        .fetch_optional(self.reader())
                        .await?,
                )
            }
        }

        #[async_trait::async_trait]
        impl $crate::segments::SegmentsTx for $tx {
            async fn save_segment(
                &mut self,
                program_id: &str,
                row: &$crate::segments::SegmentRow,
            ) -> $crate::Result<bool> {
                let existing: Option<i64> = sqlx::query_scalar(
                    "SELECT created_at FROM segments WHERE program_id = $1 AND slug = $2",
                )
                .bind(program_id)
                .bind(&row.slug)
                .fetch_optional(&mut *self.tx)
                .await?;
                sqlx::query(
                    "INSERT INTO segments (program_id, slug, name, description, condition, \
                     version, refreshed_version, refreshed_at, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                     ON CONFLICT (program_id, slug) DO UPDATE SET name = excluded.name, \
                     description = excluded.description, condition = excluded.condition, \
                     version = excluded.version, refreshed_version = excluded.refreshed_version, \
                     refreshed_at = excluded.refreshed_at, updated_at = excluded.updated_at",
                )
                .bind(program_id)
                .bind(&row.slug)
                .bind(&row.name)
                .bind(&row.description)
                .bind(&row.condition)
                .bind(row.version)
                .bind(row.refreshed_version)
                .bind(row.refreshed_at.map($crate::backend::us))
                .bind($crate::backend::us(row.created_at))
                .bind($crate::backend::us(row.updated_at))
                .execute(&mut *self.tx)
                .await?;
                Ok(existing.is_none())
            }

            async fn delete_segment(
                &mut self,
                program_id: &str,
                slug: &str,
            ) -> $crate::Result<bool> {
                sqlx::query("DELETE FROM segment_members WHERE program_id = $1 AND segment = $2")
                    .bind(program_id)
                    .bind(slug)
                    .execute(&mut *self.tx)
                    .await?;
                let gone = sqlx::query("DELETE FROM segments WHERE program_id = $1 AND slug = $2")
                    .bind(program_id)
                    .bind(slug)
                    .execute(&mut *self.tx)
                    .await?
                    .rows_affected();
                Ok(gone > 0)
            }

            async fn segment_defs(
                &mut self,
                program_id: &str,
            ) -> $crate::Result<Vec<$crate::segments::SegmentRow>> {
                let rows: Vec<$crate::segments::SegmentTuple> = sqlx::query_as(&format!(
                    "SELECT {} FROM segments WHERE program_id = $1 ORDER BY slug",
                    $crate::segments::SEGMENT_COLUMNS
                ))
                .bind(program_id)
                .fetch_all(&mut *self.tx)
                .await?;
                rows.into_iter().map($crate::segments::segment_row).collect()
            }

            async fn lock_member_ids(
                &mut self,
                program_id: &str,
                member_ids: &[i64],
            ) -> $crate::Result<()> {
                if member_ids.is_empty() || $for_update.is_empty() {
                    return Ok(());
                }
                let mut q =
                    sqlx::QueryBuilder::<$db>::new("SELECT id FROM members WHERE program_id = ");
                q.push_bind(program_id.to_owned()).push(" AND id");
                push_ids(&mut q, member_ids);
                q.push(" ORDER BY id");
                q.push($for_update);
                let _: Vec<i64> = q
                    .build_query_scalar()
                    .persistent(false)
                    .fetch_all(&mut *self.tx)
                    .await?;
                Ok(())
            }

            async fn count_features(
                &mut self,
                program_id: &str,
                member_ids: &[i64],
                window_from: jifen_core::Timestamp,
                now: jifen_core::Timestamp,
            ) -> $crate::Result<()> {
                if member_ids.is_empty() {
                    return Ok(());
                }
                let (from, now) = ($crate::backend::us(window_from), $crate::backend::us(now));
                let not_activity = format!(
                    "('{}')",
                    $crate::segments::NOT_ACTIVITY.join("', '")
                );
                let mut q = sqlx::QueryBuilder::<$db>::new(format!(
                    "INSERT INTO member_features (member_id, program_id, last_activity_at, \
                     frequency_365d, monetary_365d, window_from, computed_at) \
                     SELECT m.id, m.program_id, \
                     (SELECT MAX(e.occurred_at) FROM events e WHERE e.member_id = m.id \
                      AND e.type NOT IN {not_activity}), \
                     (SELECT CAST(COUNT(*) AS BIGINT) FROM orders o WHERE o.member_id = m.id \
                      AND o.amount > o.refunded AND o.occurred_at > "
                ));
                q.push_bind(from)
                    .push(" AND o.occurred_at <= ")
                    .push_bind(now)
                    .push(
                        format!(
                            "), (SELECT {} FROM orders o WHERE o.member_id = m.id \
                             AND o.occurred_at > ",
                            $crate::segments::CLAMPED_NET_SPEND
                        ),
                    )
                    .push_bind(from)
                    .push(" AND o.occurred_at <= ")
                    .push_bind(now)
                    .push("), ")
                    .push_bind(from)
                    .push(", ")
                    .push_bind(now)
                    .push(" FROM members m WHERE m.program_id = ")
                    .push_bind(program_id.to_owned())
                    .push(" AND m.id");
                push_ids(&mut q, member_ids);
                q.push(
                    " ON CONFLICT (member_id) DO UPDATE SET \
                     last_activity_at = excluded.last_activity_at, \
                     frequency_365d = excluded.frequency_365d, \
                     monetary_365d = excluded.monetary_365d, \
                     window_from = excluded.window_from, computed_at = excluded.computed_at",
                );
                q.build().persistent(false).execute(&mut *self.tx).await?;
                let mut q = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO member_sites (member_id, program_id, site, last_at) \
                     SELECT e.member_id, ",
                );
                // By member alone (a member's events are all of its program): with the
                // program's id in the condition too, SQLite picks the program's index for a
                // batch of thousands of members and reads every event of the program.
                q.push_bind(program_id.to_owned()).push(format!(
                    ", e.site, MAX(e.occurred_at) FROM events e WHERE e.site IS NOT NULL \
                     AND e.type NOT IN {not_activity} AND e.member_id"
                ));
                push_ids(&mut q, member_ids);
                q.push(
                    " GROUP BY e.member_id, e.site \
                     ON CONFLICT (member_id, site) DO UPDATE SET last_at = excluded.last_at",
                );
                q.build().persistent(false).execute(&mut *self.tx).await?;
                Ok(())
            }

            async fn set_rfm_scores(
                &mut self,
                scores: &[(i64, i64, i64, i64)],
            ) -> $crate::Result<()> {
                for chunk in scores.chunks(1_000) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "WITH v (member_id, r, f, m) AS (",
                    );
                    q.push_values(chunk, |mut b, (id, r, f, m)| {
                        b.push_bind(*id).push_bind(*r).push_bind(*f).push_bind(*m);
                    });
                    q.push(
                        ") UPDATE member_features SET r_score = v.r, f_score = v.f, \
                         m_score = v.m FROM v WHERE member_features.member_id = v.member_id",
                    );
                    q.build().persistent(false).execute(&mut *self.tx).await?;
                }
                Ok(())
            }

            async fn features_in_tx(
                &mut self,
                program_id: &str,
                member_ids: &[i64],
            ) -> $crate::Result<$crate::segments::FeatureSet> {
                features_on(&mut *self.tx, program_id, member_ids).await
            }

            async fn memberships_in_tx(
                &mut self,
                program_id: &str,
                member_ids: &[i64],
            ) -> $crate::Result<Vec<(i64, String)>> {
                memberships_on(&mut *self.tx, program_id, member_ids).await
            }

            async fn set_memberships(
                &mut self,
                program_id: &str,
                added: &[(String, i64)],
                removed: &[(String, i64)],
                at: jifen_core::Timestamp,
            ) -> $crate::Result<()> {
                for chunk in added.chunks(1_000) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO segment_members (program_id, segment, member_id, since) ",
                    );
                    q.push_values(chunk, |mut b, (segment, member)| {
                        b.push_bind(program_id.to_owned())
                            .push_bind(segment.clone())
                            .push_bind(*member)
                            .push_bind($crate::backend::us(at));
                    });
                    q.push(" ON CONFLICT (program_id, segment, member_id) DO NOTHING");
                    q.build().persistent(false).execute(&mut *self.tx).await?;
                }
                let mut by_segment: std::collections::BTreeMap<&str, Vec<i64>> =
                    std::collections::BTreeMap::new();
                for (segment, member) in removed {
                    by_segment.entry(segment.as_str()).or_default().push(*member);
                }
                for (segment, members) in by_segment {
                    for chunk in members.chunks(1_000) {
                        let mut q = sqlx::QueryBuilder::<$db>::new(
                            "DELETE FROM segment_members WHERE program_id = ",
                        );
                        q.push_bind(program_id.to_owned())
                            .push(" AND segment = ")
                            .push_bind(segment.to_owned())
                            .push(" AND member_id");
                        push_ids(&mut q, chunk);
                        q.build().persistent(false).execute(&mut *self.tx).await?;
                    }
                }
                Ok(())
            }

            async fn mark_refreshed(
                &mut self,
                program_id: &str,
                slug: &str,
                version: i64,
                at: jifen_core::Timestamp,
            ) -> $crate::Result<()> {
                sqlx::query(
                    "UPDATE segments SET refreshed_version = $1, refreshed_at = $2 \
                     WHERE program_id = $3 AND slug = $4 AND version = $5",
                )
                .bind(version)
                .bind($crate::backend::us(at))
                .bind(program_id)
                .bind(slug)
                .bind(version)
                .execute(&mut *self.tx)
                .await?;
                Ok(())
            }

            async fn note_refresh_day(
                &mut self,
                program_id: &str,
                day: &str,
                at: jifen_core::Timestamp,
            ) -> $crate::Result<()> {
                sqlx::query(
                    "INSERT INTO segment_refreshes (program_id, day, at) VALUES ($1, $2, $3) \
                     ON CONFLICT (program_id) DO UPDATE SET day = excluded.day, at = excluded.at",
                )
                .bind(program_id)
                .bind(day)
                .bind($crate::backend::us(at))
                .execute(&mut *self.tx)
                .await?;
                Ok(())
            }
        }
    };
}

pub(crate) use segments_impl;
