//! What referrals keep: who brought whom (once per friend), the identities ever seen in a
//! program (by digest), and members' time-boxed earn multipliers.
//!
//! The statements live in [`referrals_impl!`], expanded next to the other backend macros. The
//! decisions (codes, screening, qualification) are `jifen_core::referrals`'.

use async_trait::async_trait;
use jifen_core::Timestamp;

use crate::Result;

/// One referral as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralRow {
    /// Set by the store.
    pub id: i64,
    pub referrer_id: i64,
    pub friend_id: i64,
    pub code: String,
    /// `member` (attributed by `PUT /v1/members`) or `event:<id>`.
    pub source: String,
    pub status: String,
    pub reason: Option<String>,
    pub attributed_at: Timestamp,
    /// The program's local day of the attribution (`YYYY-MM-DD`).
    pub local_day: String,
    pub friend_points: i64,
    pub order_id: Option<String>,
    pub qualified_at: Option<Timestamp>,
    pub referrer_points: i64,
    pub clawed_back_at: Option<Timestamp>,
    pub updated_at: Timestamp,
}

/// A referral with the external ids of both members, for reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralView {
    pub row: ReferralRow,
    pub referrer: String,
    pub friend: String,
}

/// A referrer's referrals that count toward caps (on a day and in all), and their qualified
/// friends.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReferralCounts {
    pub today: i64,
    pub total: i64,
    pub qualified: i64,
}

/// A time-boxed earn multiplier of a member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoostRow {
    pub member_id: i64,
    pub source: String,
    /// Thousandths.
    pub factor: i64,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
}

/// A program's referral figures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReferralStats {
    /// Referrals by status.
    pub by_status: Vec<(String, i64)>,
    /// Members who brought at least one friend.
    pub referrers: i64,
    pub friend_points: i64,
    pub referrer_points: i64,
    /// Members with a boost active at the time asked.
    pub active_boosts: i64,
}

/// Referral reads outside a transaction.
#[async_trait]
pub trait ReferralStore: Send + Sync {
    /// A referrer's referrals, newest first, `limit` at most, before the id `before`.
    async fn referrals_of(
        &self,
        program_id: &str,
        referrer_id: i64,
        limit: u32,
        before: Option<i64>,
    ) -> Result<Vec<ReferralView>>;
    /// The referral that brought a member, if any.
    async fn referral_of_friend(
        &self,
        program_id: &str,
        friend_id: i64,
    ) -> Result<Option<ReferralView>>;
    async fn referral_stats(&self, program_id: &str, now: Timestamp) -> Result<ReferralStats>;
    /// Members' boosts, active or not.
    async fn boosts(&self, member_ids: &[i64]) -> Result<Vec<BoostRow>>;
}

/// Referral writes (and the reads they decide on) inside a write transaction.
#[async_trait]
pub trait ReferralsTx: Send {
    /// The referrals that brought these members, locked until the end of the transaction.
    async fn referrals_of_friends(
        &mut self,
        program_id: &str,
        friend_ids: &[i64],
    ) -> Result<Vec<ReferralRow>>;
    /// (friend, referrer) external ids for the friends among `friends` with a referral that may
    /// still change (pending or rewarded): whom a batch must lock besides its members.
    async fn open_referrers(
        &mut self,
        program_id: &str,
        friends: &[&str],
    ) -> Result<Vec<(String, String)>>;
    /// (id, external id) of the program's members among `ids`.
    async fn external_ids(&mut self, program_id: &str, ids: &[i64]) -> Result<Vec<(i64, String)>>;
    /// A member's bound identities, as (kind, value).
    async fn identities_of(&mut self, member_id: i64) -> Result<Vec<(String, String)>>;
    async fn referral_counts(
        &mut self,
        program_id: &str,
        referrer_id: i64,
        local_day: &str,
    ) -> Result<ReferralCounts>;
    /// Records a referral; `None` (and nothing written) when the friend has one already.
    async fn insert_referral(&mut self, program_id: &str, row: &ReferralRow)
    -> Result<Option<i64>>;
    /// Saves a referral's status, qualification and points.
    async fn update_referral(&mut self, program_id: &str, row: &ReferralRow) -> Result<()>;
    /// For each digest seen before, the member it was first seen on.
    async fn first_seen(
        &mut self,
        program_id: &str,
        digests: &[String],
    ) -> Result<Vec<(String, i64)>>;
    /// Remembers digests as seen on a member, keeping the first member of each.
    async fn note_seen(
        &mut self,
        program_id: &str,
        seen: &[(String, i64)],
        at: Timestamp,
    ) -> Result<()>;
    async fn boosts_in_tx(&mut self, member_ids: &[i64]) -> Result<Vec<BoostRow>>;
    /// Gives a boost; false (and nothing written) when the member has one of that source.
    async fn grant_boost(&mut self, program_id: &str, row: &BoostRow) -> Result<bool>;
}

/// The statements of [`ReferralStore`] and [`ReferralsTx`], for one backend.
macro_rules! referrals_impl {
    ($store:ident, $tx:ident, $db:ty, for_update = $for_update:literal) => {
        mod referrals_sql {
            use jifen_core::Timestamp;

            use super::$store;
            use super::$tx;
            use $crate::backend::{at, us};
            use $crate::referrals::{
                BoostRow, ReferralCounts, ReferralRow, ReferralStats, ReferralView,
            };
            use $crate::Result;

            type Conn = <$db as sqlx::Database>::Connection;

            const COLUMNS: &str = "r.id, r.referrer_id, r.friend_id, r.code, r.source, \
                r.status, r.reason, r.attributed_at, r.local_day, r.friend_points, r.order_id, \
                r.qualified_at, r.referrer_points, r.clawed_back_at, r.updated_at";

            #[derive(sqlx::FromRow)]
            struct Row {
                id: i64,
                referrer_id: i64,
                friend_id: i64,
                code: String,
                source: String,
                status: String,
                reason: Option<String>,
                attributed_at: i64,
                local_day: String,
                friend_points: i64,
                order_id: Option<String>,
                qualified_at: Option<i64>,
                referrer_points: i64,
                clawed_back_at: Option<i64>,
                updated_at: i64,
            }

            impl Row {
                fn into_row(self) -> Result<ReferralRow> {
                    Ok(ReferralRow {
                        id: self.id,
                        referrer_id: self.referrer_id,
                        friend_id: self.friend_id,
                        code: self.code,
                        source: self.source,
                        status: self.status,
                        reason: self.reason,
                        attributed_at: at(self.attributed_at)?,
                        local_day: self.local_day,
                        friend_points: self.friend_points,
                        order_id: self.order_id,
                        qualified_at: self.qualified_at.map(at).transpose()?,
                        referrer_points: self.referrer_points,
                        clawed_back_at: self.clawed_back_at.map(at).transpose()?,
                        updated_at: at(self.updated_at)?,
                    })
                }
            }

            #[derive(sqlx::FromRow)]
            struct ViewRow {
                #[sqlx(flatten)]
                row: Row,
                referrer: String,
                friend: String,
            }

            impl ViewRow {
                fn into_view(self) -> Result<ReferralView> {
                    Ok(ReferralView {
                        row: self.row.into_row()?,
                        referrer: self.referrer,
                        friend: self.friend,
                    })
                }
            }

            fn views_sql(filter: &str) -> String {
                format!(
                    "SELECT {COLUMNS}, a.external_id AS referrer, b.external_id AS friend \
                     FROM referrals r JOIN members a ON a.id = r.referrer_id \
                     JOIN members b ON b.id = r.friend_id WHERE r.program_id = $1 {filter}"
                )
            }

            fn boost(r: (i64, String, i64, i64, i64)) -> Result<BoostRow> {
                Ok(BoostRow {
                    member_id: r.0,
                    source: r.1,
                    factor: r.2,
                    starts_at: at(r.3)?,
                    ends_at: at(r.4)?,
                })
            }

            async fn select_boosts(conn: &mut Conn, member_ids: &[i64]) -> Result<Vec<BoostRow>> {
                let mut q = sqlx::QueryBuilder::<$db>::new(
                    "SELECT member_id, source, factor, starts_at, ends_at FROM member_boosts \
                     WHERE member_id IN (",
                );
                let mut l = q.separated(", ");
                for id in member_ids {
                    l.push_bind(*id);
                }
                if member_ids.is_empty() {
                    l.push("NULL");
                }
                q.push(") ORDER BY member_id, starts_at, source");
                let rows: Vec<(i64, String, i64, i64, i64)> =
                    q.build_query_as().fetch_all(&mut *conn).await?;
                rows.into_iter().map(boost).collect()
            }

            #[async_trait::async_trait]
            impl $crate::referrals::ReferralStore for $store {
                async fn referrals_of(
                    &self,
                    program_id: &str,
                    referrer_id: i64,
                    limit: u32,
                    before: Option<i64>,
                ) -> Result<Vec<ReferralView>> {
                    let sql = views_sql(
                        "AND r.referrer_id = $2 AND r.id < $3 ORDER BY r.id DESC LIMIT $4",
                    );
                    let rows: Vec<ViewRow> = sqlx::query_as(&sql)
                        .bind(program_id)
                        .bind(referrer_id)
                        .bind(before.unwrap_or(i64::MAX))
                        .bind(i64::from(limit))
                        .fetch_all(self.reader())
                        .await?;
                    rows.into_iter().map(ViewRow::into_view).collect()
                }

                async fn referral_of_friend(
                    &self,
                    program_id: &str,
                    friend_id: i64,
                ) -> Result<Option<ReferralView>> {
                    let sql = views_sql("AND r.friend_id = $2");
                    let row: Option<ViewRow> = sqlx::query_as(&sql)
                        .bind(program_id)
                        .bind(friend_id)
                        .fetch_optional(self.reader())
                        .await?;
                    row.map(ViewRow::into_view).transpose()
                }

                async fn referral_stats(
                    &self,
                    program_id: &str,
                    now: Timestamp,
                ) -> Result<ReferralStats> {
                    let by_status: Vec<(String, i64)> = sqlx::query_as(
                        "SELECT status, COUNT(*) FROM referrals WHERE program_id = $1 \
                         GROUP BY status ORDER BY status",
                    )
                    .bind(program_id)
                    .fetch_all(self.reader())
                    .await?;
                    let (referrers, friend_points, referrer_points): (
                        i64,
                        Option<i64>,
                        Option<i64>,
                    ) = sqlx::query_as(
                        "SELECT COUNT(DISTINCT referrer_id), \
                         CAST(SUM(friend_points) AS BIGINT), \
                         CAST(SUM(CASE WHEN status = 'clawed_back' THEN 0 \
                         ELSE referrer_points END) AS BIGINT) \
                         FROM referrals WHERE program_id = $1 AND status <> 'rejected'",
                    )
                    .bind(program_id)
                    .fetch_one(self.reader())
                    .await?;
                    let (active_boosts,): (i64,) = sqlx::query_as(
                        "SELECT COUNT(DISTINCT member_id) FROM member_boosts \
                         WHERE program_id = $1 AND starts_at <= $2 AND ends_at > $2",
                    )
                    .bind(program_id)
                    .bind(us(now))
                    .fetch_one(self.reader())
                    .await?;
                    Ok(ReferralStats {
                        by_status,
                        referrers,
                        friend_points: friend_points.unwrap_or(0),
                        referrer_points: referrer_points.unwrap_or(0),
                        active_boosts,
                    })
                }

                async fn boosts(&self, member_ids: &[i64]) -> Result<Vec<BoostRow>> {
                    let mut conn = self.reader().acquire().await?;
                    select_boosts(&mut conn, member_ids).await
                }
            }

            #[async_trait::async_trait]
            impl $crate::referrals::ReferralsTx for $tx {
                async fn referrals_of_friends(
                    &mut self,
                    program_id: &str,
                    friend_ids: &[i64],
                ) -> Result<Vec<ReferralRow>> {
                    let mut q = sqlx::QueryBuilder::<$db>::new(format!(
                        "SELECT {COLUMNS} FROM referrals r WHERE r.program_id = "
                    ));
                    q.push_bind(program_id.to_owned()).push(" AND r.friend_id IN (");
                    let mut l = q.separated(", ");
                    for id in friend_ids {
                        l.push_bind(*id);
                    }
                    if friend_ids.is_empty() {
                        l.push("NULL");
                    }
                    q.push(concat!(") ORDER BY r.id", $for_update));
                    let rows: Vec<Row> = q.build_query_as().fetch_all(&mut *self.tx).await?;
                    rows.into_iter().map(Row::into_row).collect()
                }

                async fn open_referrers(
                    &mut self,
                    program_id: &str,
                    friends: &[&str],
                ) -> Result<Vec<(String, String)>> {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "SELECT b.external_id, a.external_id FROM referrals r \
                         JOIN members a ON a.id = r.referrer_id \
                         JOIN members b ON b.id = r.friend_id \
                         WHERE r.status IN ('pending', 'rewarded') AND r.program_id = ",
                    );
                    q.push_bind(program_id.to_owned())
                        .push(" AND b.program_id = ")
                        .push_bind(program_id.to_owned())
                        .push(" AND b.external_id IN (");
                    let mut l = q.separated(", ");
                    for f in friends {
                        l.push_bind(f.to_string());
                    }
                    if friends.is_empty() {
                        l.push("NULL");
                    }
                    q.push(")");
                    Ok(q.build_query_as().fetch_all(&mut *self.tx).await?)
                }

                async fn external_ids(
                    &mut self,
                    program_id: &str,
                    ids: &[i64],
                ) -> Result<Vec<(i64, String)>> {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "SELECT id, external_id FROM members WHERE program_id = ",
                    );
                    q.push_bind(program_id.to_owned()).push(" AND id IN (");
                    let mut l = q.separated(", ");
                    for id in ids {
                        l.push_bind(*id);
                    }
                    if ids.is_empty() {
                        l.push("NULL");
                    }
                    q.push(")");
                    Ok(q.build_query_as().fetch_all(&mut *self.tx).await?)
                }

                async fn identities_of(&mut self, member_id: i64) -> Result<Vec<(String, String)>> {
                    Ok(sqlx::query_as(
                        "SELECT kind, value FROM identities WHERE member_id = $1 \
                         ORDER BY kind, value",
                    )
                    .bind(member_id)
                    .fetch_all(&mut *self.tx)
                    .await?)
                }

                async fn referral_counts(
                    &mut self,
                    program_id: &str,
                    referrer_id: i64,
                    local_day: &str,
                ) -> Result<ReferralCounts> {
                    let (today, total, qualified): (Option<i64>, i64, Option<i64>) =
                        sqlx::query_as(
                            "SELECT CAST(SUM(CASE WHEN local_day = $3 THEN 1 ELSE 0 END) \
                             AS BIGINT), COUNT(*), \
                             CAST(SUM(CASE WHEN status IN ('qualified', 'rewarded') \
                             THEN 1 ELSE 0 END) AS BIGINT) \
                             FROM referrals WHERE program_id = $1 AND referrer_id = $2 \
                             AND status NOT IN ('capped', 'rejected')",
                        )
                        .bind(program_id)
                        .bind(referrer_id)
                        .bind(local_day)
                        .fetch_one(&mut *self.tx)
                        .await?;
                    Ok(ReferralCounts {
                        today: today.unwrap_or(0),
                        total,
                        qualified: qualified.unwrap_or(0),
                    })
                }

                async fn insert_referral(
                    &mut self,
                    program_id: &str,
                    r: &ReferralRow,
                ) -> Result<Option<i64>> {
                    let id: Option<(i64,)> = sqlx::query_as(
                        "INSERT INTO referrals (program_id, referrer_id, friend_id, code, \
                         source, status, reason, attributed_at, local_day, friend_points, \
                         order_id, qualified_at, referrer_points, clawed_back_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
                         $15) ON CONFLICT (program_id, friend_id) DO NOTHING RETURNING id",
                    )
                    .bind(program_id)
                    .bind(r.referrer_id)
                    .bind(r.friend_id)
                    .bind(&r.code)
                    .bind(&r.source)
                    .bind(&r.status)
                    .bind(&r.reason)
                    .bind(us(r.attributed_at))
                    .bind(&r.local_day)
                    .bind(r.friend_points)
                    .bind(&r.order_id)
                    .bind(r.qualified_at.map(us))
                    .bind(r.referrer_points)
                    .bind(r.clawed_back_at.map(us))
                    .bind(us(r.updated_at))
                    .fetch_optional(&mut *self.tx)
                    .await?;
                    Ok(id.map(|(id,)| id))
                }

                async fn update_referral(
                    &mut self,
                    program_id: &str,
                    r: &ReferralRow,
                ) -> Result<()> {
                    sqlx::query(
                        "UPDATE referrals SET status = $1, reason = $2, friend_points = $3, \
                         order_id = $4, qualified_at = $5, referrer_points = $6, \
                         clawed_back_at = $7, updated_at = $8 \
                         WHERE program_id = $9 AND id = $10",
                    )
                    .bind(&r.status)
                    .bind(&r.reason)
                    .bind(r.friend_points)
                    .bind(&r.order_id)
                    .bind(r.qualified_at.map(us))
                    .bind(r.referrer_points)
                    .bind(r.clawed_back_at.map(us))
                    .bind(us(r.updated_at))
                    .bind(program_id)
                    .bind(r.id)
                    .execute(&mut *self.tx)
                    .await?;
                    Ok(())
                }

                async fn first_seen(
                    &mut self,
                    program_id: &str,
                    digests: &[String],
                ) -> Result<Vec<(String, i64)>> {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "SELECT digest, member_id FROM identities_seen WHERE program_id = ",
                    );
                    q.push_bind(program_id.to_owned()).push(" AND digest IN (");
                    let mut l = q.separated(", ");
                    for d in digests {
                        l.push_bind(d.clone());
                    }
                    if digests.is_empty() {
                        l.push("NULL");
                    }
                    q.push(") ORDER BY digest");
                    Ok(q.build_query_as().fetch_all(&mut *self.tx).await?)
                }

                async fn note_seen(
                    &mut self,
                    program_id: &str,
                    seen: &[(String, i64)],
                    when: Timestamp,
                ) -> Result<()> {
                    if seen.is_empty() {
                        return Ok(());
                    }
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO identities_seen (program_id, digest, member_id, seen_at) ",
                    );
                    q.push_values(seen, |mut b, (digest, member)| {
                        b.push_bind(program_id.to_owned())
                            .push_bind(digest.clone())
                            .push_bind(*member)
                            .push_bind(us(when));
                    });
                    q.push(" ON CONFLICT (program_id, digest) DO NOTHING");
                    q.build().execute(&mut *self.tx).await?;
                    Ok(())
                }

                async fn boosts_in_tx(&mut self, member_ids: &[i64]) -> Result<Vec<BoostRow>> {
                    select_boosts(&mut *self.tx, member_ids).await
                }

                async fn grant_boost(&mut self, program_id: &str, b: &BoostRow) -> Result<bool> {
                    let done = sqlx::query(
                        "INSERT INTO member_boosts (program_id, member_id, source, factor, \
                         starts_at, ends_at) VALUES ($1, $2, $3, $4, $5, $6) \
                         ON CONFLICT (member_id, source) DO NOTHING",
                    )
                    .bind(program_id)
                    .bind(b.member_id)
                    .bind(&b.source)
                    .bind(b.factor)
                    .bind(us(b.starts_at))
                    .bind(us(b.ends_at))
                    .execute(&mut *self.tx)
                    .await?;
                    Ok(done.rows_affected() == 1)
                }
            }
        }
    };
}

pub(crate) use referrals_impl;
