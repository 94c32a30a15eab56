//! What the rules engine keeps: rule versions, campaigns, usage counters for limits and
//! budgets, member streaks, tags, meter entries and the notification outbox.
//!
//! The statements live in [`rules_impl!`], expanded next to [`crate::backend::store_impl!`] in
//! each backend's module. Rules and campaigns are stored as the JSON their API takes; this
//! crate does not interpret them.

use async_trait::async_trait;
use jifen_core::Timestamp;

use crate::Result;

/// One version of a rule as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleVersion {
    pub id: String,
    pub version: i64,
    pub status: String,
    /// The rule's spec as JSON.
    pub spec: String,
    pub live_from: Timestamp,
    pub live_until: Option<Timestamp>,
}

/// A campaign as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignRecord {
    pub id: String,
    /// The campaign's spec as JSON.
    pub spec: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A usage counter: (scope, member id or 0 for all members, period).
pub type UsageKeyRow = (String, i64, String);

/// A usage counter's value (or, to [`RulesTx::add_usage`], what to add to it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageRow {
    pub scope: String,
    pub member_id: i64,
    pub period: String,
    pub count: i64,
    pub points: i64,
}

/// A member's run of days with events of a kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Streak {
    pub member_id: i64,
    pub kind: String,
    /// `YYYY-MM-DD` in program time.
    pub last_day: String,
    pub length: i64,
}

/// What rule conditions read about members besides their profile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberFacts {
    pub streaks: Vec<Streak>,
    /// (member id, tag).
    pub tags: Vec<(i64, String)>,
    /// (member id, meter, value).
    pub meters: Vec<(i64, String, i64)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeterEntry {
    pub member_id: i64,
    pub meter: String,
    pub amount: i64,
    pub occurred_at: Timestamp,
    pub rule_id: String,
    pub event_id: String,
    /// What the addition is about, for distinct-count meters.
    pub key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub program_id: String,
    pub member_id: i64,
    pub template: String,
    pub rule_id: String,
    pub event_id: String,
    pub created_at: Timestamp,
    /// Who it is for when not the member (`partner:<id>`).
    pub recipient: Option<String>,
    /// What it carries, as JSON.
    pub payload: Option<String>,
}

/// An event type a program declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventTypeRecord {
    pub name: String,
    pub description: String,
    /// The JSON schema of its attributes, as JSON.
    pub schema: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A backtest's progress and report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BacktestRecord {
    pub id: String,
    pub status: String,
    pub events_total: i64,
    pub events_done: i64,
    /// The report so far, as JSON.
    pub report: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Awarded points and members reached, per scope (`rule:<id>`, `campaign:<id>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageSummary {
    pub scope: String,
    pub points: i64,
    pub members: i64,
    pub count: i64,
}

/// Reads of rules and their effects outside a write.
#[async_trait]
pub trait RuleStore: Send + Sync {
    /// Every version of every rule of a program.
    async fn rule_versions(&self, program_id: &str) -> Result<Vec<RuleVersion>>;
    async fn campaigns(&self, program_id: &str) -> Result<Vec<CampaignRecord>>;
    /// Points awarded, members reached and times fired, per scope, from the members' lifetime
    /// counters.
    async fn usage_summaries(&self, program_id: &str) -> Result<Vec<UsageSummary>>;
    /// Counters as they stand (read only, for simulations).
    async fn usage(&self, program_id: &str, keys: &[UsageKeyRow]) -> Result<Vec<UsageRow>>;
    /// Streaks, tags and meters of some members.
    async fn member_facts(&self, member_ids: &[i64]) -> Result<MemberFacts>;
    /// Programs that have rules.
    async fn programs_with_rules(&self) -> Result<Vec<String>>;
    /// The event types a program declared.
    async fn event_types(&self, program_id: &str) -> Result<Vec<EventTypeRecord>>;
    /// External ids of active members born on a month and day (`MM`, `DD`), or in a month
    /// when `day` is `None`.
    async fn members_born(
        &self,
        program_id: &str,
        month: u32,
        day: Option<u32>,
    ) -> Result<Vec<String>>;
    /// How many events of a program occurred in `[from, to)`.
    async fn count_events(&self, program_id: &str, from: Timestamp, to: Timestamp) -> Result<i64>;
    /// Events of a program that occurred in `[from, to)`, by occurrence then id, after a cursor.
    async fn events_between(
        &self,
        program_id: &str,
        from: Timestamp,
        to: Timestamp,
        after: Option<(Timestamp, String)>,
        limit: u32,
    ) -> Result<Vec<crate::EventRecord>>;
    /// Points the events earned their members (`earn` entries they caused): (member id, event
    /// id, points), for events given as (member id, event id).
    async fn earned_by_events(&self, events: &[(i64, &str)]) -> Result<Vec<(i64, String, i64)>>;
    /// Members by internal id.
    async fn member_heads(&self, member_ids: &[i64]) -> Result<Vec<crate::MemberHead>>;
    async fn get_backtest(&self, program_id: &str, id: &str) -> Result<Option<BacktestRecord>>;
}

/// Rule writes inside a write transaction.
#[async_trait]
pub trait RulesTx: Send {
    /// The program's rules revision, bumped by every change to its rules or campaigns.
    async fn rules_rev(&mut self, program_id: &str) -> Result<i64>;
    async fn rule_versions(&mut self, program_id: &str) -> Result<Vec<RuleVersion>>;
    async fn campaigns(&mut self, program_id: &str) -> Result<Vec<CampaignRecord>>;
    async fn event_types(&mut self, program_id: &str) -> Result<Vec<EventTypeRecord>>;
    /// Creates or replaces a declared event type (bumping the rules revision); true when new.
    async fn save_event_type(
        &mut self,
        program_id: &str,
        name: &str,
        description: &str,
        schema: &str,
        at: Timestamp,
    ) -> Result<bool>;
    /// Saves a new version of a rule, live from `at` (closing the current one), and bumps the
    /// rules revision. Returns the new version number.
    async fn save_rule_version(
        &mut self,
        program_id: &str,
        id: &str,
        status: &str,
        spec: &str,
        at: Timestamp,
    ) -> Result<i64>;
    /// Deletes every version of a rule; false when there was none.
    async fn delete_rule(&mut self, program_id: &str, id: &str) -> Result<bool>;
    /// Creates or replaces a campaign; true when it is new.
    async fn save_campaign(
        &mut self,
        program_id: &str,
        id: &str,
        spec: &str,
        at: Timestamp,
    ) -> Result<bool>;
    /// Reads counters, locking them until the end of the transaction. Counters of all members
    /// (member id 0: budgets) are created when missing so that they can be locked.
    async fn lock_usage(&mut self, program_id: &str, keys: &[UsageKeyRow])
    -> Result<Vec<UsageRow>>;
    /// Adds to counters, creating them when missing.
    async fn add_usage(&mut self, program_id: &str, deltas: &[UsageRow]) -> Result<()>;
    async fn member_facts(&mut self, member_ids: &[i64]) -> Result<MemberFacts>;
    async fn save_streaks(&mut self, streaks: &[Streak]) -> Result<()>;
    async fn add_tags(&mut self, tags: &[(i64, String)], at: Timestamp) -> Result<()>;
    async fn remove_tags(&mut self, tags: &[(i64, String)]) -> Result<()>;
    async fn insert_meter_entries(&mut self, entries: &[MeterEntry]) -> Result<()>;
    async fn insert_notifications(&mut self, notifications: &[Notification]) -> Result<()>;
    /// Creates or updates a backtest's record.
    async fn save_backtest(&mut self, program_id: &str, record: &BacktestRecord) -> Result<()>;
}

/// The statements of [`RuleStore`] and [`RulesTx`], for one backend. Expanded in the module
/// that expanded [`crate::backend::store_impl!`] for the same types.
macro_rules! rules_impl {
    ($store:ident, $tx:ident, $db:ty, for_update = $for_update:literal) => {
        fn rule_version_row(
            r: (String, i64, String, String, i64, Option<i64>),
        ) -> $crate::Result<$crate::RuleVersion> {
            Ok($crate::RuleVersion {
                id: r.0,
                version: r.1,
                status: r.2,
                spec: r.3,
                live_from: $crate::backend::at(r.4)?,
                live_until: r.5.map($crate::backend::at).transpose()?,
            })
        }

        fn campaign_row(r: (String, String, i64, i64)) -> $crate::Result<$crate::CampaignRecord> {
            Ok($crate::CampaignRecord {
                id: r.0,
                spec: r.1,
                created_at: $crate::backend::at(r.2)?,
                updated_at: $crate::backend::at(r.3)?,
            })
        }

        const EVENT_TYPES: &str = "SELECT name, description, schema, created_at, updated_at \
             FROM event_types WHERE program_id = $1 ORDER BY name";

        fn event_type_row(
            r: (String, String, String, i64, i64),
        ) -> $crate::Result<$crate::rules::EventTypeRecord> {
            Ok($crate::rules::EventTypeRecord {
                name: r.0,
                description: r.1,
                schema: r.2,
                created_at: $crate::backend::at(r.3)?,
                updated_at: $crate::backend::at(r.4)?,
            })
        }

        const RULE_VERSIONS: &str = "SELECT id, version, status, spec, live_from, live_until \
             FROM rules WHERE program_id = $1 ORDER BY id, version";
        const CAMPAIGNS: &str = "SELECT id, spec, created_at, updated_at FROM campaigns \
             WHERE program_id = $1 ORDER BY id";

        async fn select_usage<'e, E>(
            exec: E,
            program_id: &str,
            keys: &[$crate::UsageKeyRow],
            suffix: &str,
        ) -> $crate::Result<Vec<$crate::UsageRow>>
        where
            E: sqlx::Executor<'e, Database = $db>,
        {
            if keys.is_empty() {
                return Ok(Vec::new());
            }
            // The keys as a table joined on the primary key: one index probe per key. (A chain
            // of ORs beside `program_id = …` made SQLite scan the program's every usage row and
            // test each against every key, a cost growing with the table; `CROSS JOIN` keeps
            // SQLite from choosing that order, with the keys inside, by itself.)
            let mut q = sqlx::QueryBuilder::<$db>::new("WITH k(scope, member_id, period) AS (");
            q.push_values(keys, |mut row, (scope, member, period)| {
                row.push_bind(scope.clone())
                    .push_bind(*member)
                    .push_bind(period.clone());
            });
            q.push(
                ") SELECT u.scope, u.member_id, u.period, u.count, u.points \
                 FROM k CROSS JOIN rule_usage u WHERE u.program_id = ",
            )
            .push_bind(program_id.to_owned())
            .push(" AND u.scope = k.scope AND u.member_id = k.member_id AND u.period = k.period")
            .push(" ORDER BY u.scope, u.member_id, u.period");
            if !suffix.is_empty() {
                // Lock the usage rows only (the keys are not a table).
                q.push(suffix).push(" OF u");
            }
            let rows: Vec<(String, i64, String, i64, i64)> =
                q.build_query_as().persistent(false).fetch_all(exec).await?;
            Ok(rows
                .into_iter()
                .map(
                    |(scope, member_id, period, count, points)| $crate::UsageRow {
                        scope,
                        member_id,
                        period,
                        count,
                        points,
                    },
                )
                .collect())
        }

        async fn select_member_facts(
            conn: &mut <$db as sqlx::Database>::Connection,
            member_ids: &[i64],
        ) -> $crate::Result<$crate::MemberFacts> {
            let mut facts = $crate::MemberFacts::default();
            if member_ids.is_empty() {
                return Ok(facts);
            }
            let list = |sql: &str| {
                let mut q = sqlx::QueryBuilder::<$db>::new(sql);
                q.push(" WHERE member_id IN (");
                let mut l = q.separated(", ");
                for id in member_ids {
                    l.push_bind(*id);
                }
                q.push(")");
                q
            };
            let mut q = list("SELECT member_id, kind, last_day, length FROM member_streaks");
            let rows: Vec<(i64, String, String, i64)> =
                q.build_query_as().persistent(false).fetch_all(&mut *conn).await?;
            facts.streaks = rows
                .into_iter()
                .map(|(member_id, kind, last_day, length)| $crate::Streak {
                    member_id,
                    kind,
                    last_day,
                    length,
                })
                .collect();
            let mut q = list("SELECT member_id, tag FROM member_tags");
            q.push(" ORDER BY member_id, tag");
            facts.tags = q.build_query_as().persistent(false).fetch_all(&mut *conn).await?;
            let mut q = list(&format!(
                "SELECT member_id, meter, {} FROM meter_entries",
                $crate::backend::exact_sum("amount")
            ));
            q.push(" GROUP BY member_id, meter ORDER BY member_id, meter");
            let rows: Vec<(i64, String, Option<i64>, Option<i64>)> =
                q.build_query_as().persistent(false).fetch_all(&mut *conn).await?;
            facts.meters = rows
                .into_iter()
                .map(|(m, meter, high, low)| (m, meter, $crate::backend::clamp_halves(high, low)))
                .collect();
            Ok(facts)
        }

        #[async_trait::async_trait]
        impl $crate::RuleStore for $store {
            async fn rule_versions(
                &self,
                program_id: &str,
            ) -> $crate::Result<Vec<$crate::RuleVersion>> {
                let rows: Vec<(String, i64, String, String, i64, Option<i64>)> =
                    sqlx::query_as(RULE_VERSIONS)
                        .bind(program_id)
                        .fetch_all(self.reader())
                        .await?;
                rows.into_iter().map(rule_version_row).collect()
            }

            async fn campaigns(
                &self,
                program_id: &str,
            ) -> $crate::Result<Vec<$crate::CampaignRecord>> {
                let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(CAMPAIGNS)
                    .bind(program_id)
                    .fetch_all(self.reader())
                    .await?;
                rows.into_iter().map(campaign_row).collect()
            }

            async fn usage_summaries(
                &self,
                program_id: &str,
            ) -> $crate::Result<Vec<$crate::UsageSummary>> {
                let rows: Vec<(String, Option<i64>, i64, Option<i64>)> = sqlx::query_as(
                    "SELECT scope, CAST(SUM(points) AS BIGINT), COUNT(*), CAST(SUM(count) AS BIGINT) \
                     FROM rule_usage \
                     WHERE program_id = $1 AND member_id <> 0 AND period = 'l' \
                     GROUP BY scope ORDER BY scope",
                )
                .bind(program_id)
                .fetch_all(self.reader())
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(scope, points, members, count)| $crate::UsageSummary {
                        scope,
                        points: points.unwrap_or(0),
                        members,
                        count: count.unwrap_or(0),
                    })
                    .collect())
            }

            async fn usage(
                &self,
                program_id: &str,
                keys: &[$crate::UsageKeyRow],
            ) -> $crate::Result<Vec<$crate::UsageRow>> {
                let mut out = Vec::new();
                for chunk in keys.chunks(200) {
                    out.extend(select_usage(self.reader(), program_id, chunk, "").await?);
                }
                Ok(out)
            }

            async fn member_facts(
                &self,
                member_ids: &[i64],
            ) -> $crate::Result<$crate::MemberFacts> {
                let mut conn = self.reader().acquire().await?;
                select_member_facts(&mut *conn, member_ids).await
            }

            async fn event_types(
                &self,
                program_id: &str,
            ) -> $crate::Result<Vec<$crate::rules::EventTypeRecord>> {
                let rows: Vec<(String, String, String, i64, i64)> = sqlx::query_as(EVENT_TYPES)
                    .bind(program_id)
                    .fetch_all(self.reader())
                    .await?;
                rows.into_iter().map(event_type_row).collect()
            }

            async fn count_events(
                &self,
                program_id: &str,
                from: jifen_core::Timestamp,
                to: jifen_core::Timestamp,
            ) -> $crate::Result<i64> {
                Ok(sqlx::query_scalar(
                    "SELECT COUNT(*) FROM events WHERE program_id = $1 \
                     AND occurred_at >= $2 AND occurred_at < $3",
                )
                .bind(program_id)
                .bind($crate::backend::us(from))
                .bind($crate::backend::us(to))
                .fetch_one(self.reader())
                .await?)
            }

            async fn events_between(
                &self,
                program_id: &str,
                from: jifen_core::Timestamp,
                to: jifen_core::Timestamp,
                after: Option<(jifen_core::Timestamp, String)>,
                limit: u32,
            ) -> $crate::Result<Vec<$crate::EventRecord>> {
                let (after_at, after_id) = match after {
                    Some((at, id)) => ($crate::backend::us(at), id),
                    None => ($crate::backend::us(from) - 1, String::new()),
                };
                let rows: Vec<(String, Option<i64>, String, i64, Option<String>, String, i64)> =
                    sqlx::query_as(
                        "SELECT id, member_id, type, occurred_at, site, attributes, recorded_at \
                         FROM events WHERE program_id = $1 AND occurred_at < $2 \
                         AND (occurred_at > $3 OR (occurred_at = $3 AND id > $4)) \
                         ORDER BY occurred_at, id LIMIT $5",
                    )
                    .bind(program_id)
                    .bind($crate::backend::us(to))
                    .bind(after_at)
                    .bind(after_id)
                    .bind(i64::from(limit))
                    .fetch_all(self.reader())
                    .await?;
                rows.into_iter()
                    .map(|r| {
                        Ok($crate::EventRecord {
                            program_id: program_id.to_owned(),
                            id: r.0,
                            member_id: r.1,
                            kind: r.2,
                            occurred_at: $crate::backend::at(r.3)?,
                            site: r.4,
                            attributes: serde_json::from_str(&r.5).unwrap_or_default(),
                            recorded_at: $crate::backend::at(r.6)?,
                        })
                    })
                    .collect()
            }

            async fn earned_by_events(
                &self,
                events: &[(i64, &str)],
            ) -> $crate::Result<Vec<(i64, String, i64)>> {
                let mut out = Vec::new();
                for chunk in events.chunks(400) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "SELECT member_id, cause_id, CAST(SUM(points) AS BIGINT) FROM entries \
                         WHERE kind = 'earn' AND cause_kind = 'event' AND member_id IN (",
                    );
                    let mut l = q.separated(", ");
                    for (m, _) in chunk {
                        l.push_bind(*m);
                    }
                    q.push(") AND cause_id IN (");
                    let mut l = q.separated(", ");
                    for (_, e) in chunk {
                        l.push_bind(e.to_string());
                    }
                    q.push(") GROUP BY member_id, cause_id");
                    let rows: Vec<(i64, String, Option<i64>)> =
                        q.build_query_as().persistent(false).fetch_all(self.reader()).await?;
                    out.extend(rows.into_iter().map(|(m, c, p)| (m, c, p.unwrap_or(0))));
                }
                Ok(out)
            }

            async fn member_heads(
                &self,
                member_ids: &[i64],
            ) -> $crate::Result<Vec<$crate::MemberHead>> {
                let mut out = Vec::new();
                for chunk in member_ids.chunks(500) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "SELECT id, external_id, status, ledger_seq, book, enrolled_at, birthday, \
                         attributes FROM members WHERE id IN (",
                    );
                    let mut l = q.separated(", ");
                    for id in chunk {
                        l.push_bind(*id);
                    }
                    q.push(")");
                    let rows: Vec<$crate::backend::HeadRow> =
                        q.build_query_as().persistent(false).fetch_all(self.reader()).await?;
                    out.extend(rows.into_iter().map(|r| r.into_head()));
                }
                Ok(out)
            }

            async fn get_backtest(
                &self,
                program_id: &str,
                id: &str,
            ) -> $crate::Result<Option<$crate::rules::BacktestRecord>> {
                let row: Option<(String, String, i64, i64, String, i64, i64)> = sqlx::query_as(
                    "SELECT id, status, events_total, events_done, report, created_at, updated_at \
                     FROM backtests WHERE program_id = $1 AND id = $2",
                )
                .bind(program_id)
                .bind(id)
                .fetch_optional(self.reader())
                .await?;
                row.map(|r| {
                    Ok($crate::rules::BacktestRecord {
                        id: r.0,
                        status: r.1,
                        events_total: r.2,
                        events_done: r.3,
                        report: r.4,
                        created_at: $crate::backend::at(r.5)?,
                        updated_at: $crate::backend::at(r.6)?,
                    })
                })
                .transpose()
            }

            async fn programs_with_rules(&self) -> $crate::Result<Vec<String>> {
                Ok(sqlx::query_scalar("SELECT DISTINCT program_id FROM rules ORDER BY program_id")
                    .fetch_all(self.reader())
                    .await?)
            }

            async fn members_born(
                &self,
                program_id: &str,
                month: u32,
                day: Option<u32>,
            ) -> $crate::Result<Vec<String>> {
                let (pattern, len) = match day {
                    Some(d) => (format!("{month:02}-{d:02}"), 5i64),
                    None => (format!("{month:02}"), 2i64),
                };
                Ok(sqlx::query_scalar(
                    "SELECT external_id FROM members WHERE program_id = $1 AND status = 'active' \
                     AND birthday IS NOT NULL AND substr(birthday, 6, CAST($2 AS INTEGER)) = $3 \
                     ORDER BY external_id",
                )
                .bind(program_id)
                .bind(len)
                .bind(pattern)
                .fetch_all(self.reader())
                .await?)
            }
        }

        #[async_trait::async_trait]
        impl $crate::RulesTx for $tx {
            async fn rules_rev(&mut self, program_id: &str) -> $crate::Result<i64> {
                let rev: Option<i64> =
                    sqlx::query_scalar("SELECT rules_rev FROM programs WHERE id = $1")
                        .bind(program_id)
                        .fetch_optional(&mut *self.tx)
                        .await?;
                Ok(rev.unwrap_or(0))
            }

            async fn rule_versions(
                &mut self,
                program_id: &str,
            ) -> $crate::Result<Vec<$crate::RuleVersion>> {
                let rows: Vec<(String, i64, String, String, i64, Option<i64>)> =
                    sqlx::query_as(RULE_VERSIONS)
                        .bind(program_id)
                        .fetch_all(&mut *self.tx)
                        .await?;
                rows.into_iter().map(rule_version_row).collect()
            }

            async fn campaigns(
                &mut self,
                program_id: &str,
            ) -> $crate::Result<Vec<$crate::CampaignRecord>> {
                let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(CAMPAIGNS)
                    .bind(program_id)
                    .fetch_all(&mut *self.tx)
                    .await?;
                rows.into_iter().map(campaign_row).collect()
            }

            async fn event_types(
                &mut self,
                program_id: &str,
            ) -> $crate::Result<Vec<$crate::rules::EventTypeRecord>> {
                let rows: Vec<(String, String, String, i64, i64)> = sqlx::query_as(EVENT_TYPES)
                    .bind(program_id)
                    .fetch_all(&mut *self.tx)
                    .await?;
                rows.into_iter().map(event_type_row).collect()
            }

            async fn save_event_type(
                &mut self,
                program_id: &str,
                name: &str,
                description: &str,
                schema: &str,
                at: jifen_core::Timestamp,
            ) -> $crate::Result<bool> {
                sqlx::query("UPDATE programs SET rules_rev = rules_rev + 1 WHERE id = $1")
                    .bind(program_id)
                    .execute(&mut *self.tx)
                    .await?;
                let at = $crate::backend::us(at);
                let updated = sqlx::query(
                    "UPDATE event_types SET description = $3, schema = $4, updated_at = $5 \
                     WHERE program_id = $1 AND name = $2",
                )
                .bind(program_id)
                .bind(name)
                .bind(description)
                .bind(schema)
                .bind(at)
                .execute(&mut *self.tx)
                .await?
                .rows_affected();
                if updated > 0 {
                    return Ok(false);
                }
                sqlx::query(
                    "INSERT INTO event_types (program_id, name, description, schema, created_at, \
                     updated_at) VALUES ($1, $2, $3, $4, $5, $5)",
                )
                .bind(program_id)
                .bind(name)
                .bind(description)
                .bind(schema)
                .bind(at)
                .execute(&mut *self.tx)
                .await?;
                Ok(true)
            }

            async fn save_rule_version(
                &mut self,
                program_id: &str,
                id: &str,
                status: &str,
                spec: &str,
                at: jifen_core::Timestamp,
            ) -> $crate::Result<i64> {
                // Bumping the revision locks the program's row: saves of one program's rules
                // are serialized, and version numbers never collide.
                sqlx::query("UPDATE programs SET rules_rev = rules_rev + 1 WHERE id = $1")
                    .bind(program_id)
                    .execute(&mut *self.tx)
                    .await?;
                let at = $crate::backend::us(at);
                let last: Option<(i64, i64)> = sqlx::query_as(
                    "SELECT version, live_from FROM rules WHERE program_id = $1 AND id = $2 \
                     ORDER BY version DESC LIMIT 1",
                )
                .bind(program_id)
                .bind(id)
                .fetch_optional(&mut *self.tx)
                .await?;
                // A version is live from the instant it was saved, and never before the one it
                // replaces (a node whose clock is behind cannot reorder history).
                let live_from = last.map_or(at, |(_, from)| at.max(from + 1));
                sqlx::query(
                    "UPDATE rules SET live_until = $3 \
                     WHERE program_id = $1 AND id = $2 AND live_until IS NULL",
                )
                .bind(program_id)
                .bind(id)
                .bind(live_from)
                .execute(&mut *self.tx)
                .await?;
                let version = last.map_or(1, |(v, _)| v + 1);
                sqlx::query(
                    "INSERT INTO rules (program_id, id, version, status, spec, live_from) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(program_id)
                .bind(id)
                .bind(version)
                .bind(status)
                .bind(spec)
                .bind(live_from)
                .execute(&mut *self.tx)
                .await?;
                Ok(version)
            }

            async fn delete_rule(&mut self, program_id: &str, id: &str) -> $crate::Result<bool> {
                sqlx::query("UPDATE programs SET rules_rev = rules_rev + 1 WHERE id = $1")
                    .bind(program_id)
                    .execute(&mut *self.tx)
                    .await?;
                let n = sqlx::query("DELETE FROM rules WHERE program_id = $1 AND id = $2")
                    .bind(program_id)
                    .bind(id)
                    .execute(&mut *self.tx)
                    .await?
                    .rows_affected();
                Ok(n > 0)
            }

            async fn save_campaign(
                &mut self,
                program_id: &str,
                id: &str,
                spec: &str,
                at: jifen_core::Timestamp,
            ) -> $crate::Result<bool> {
                sqlx::query("UPDATE programs SET rules_rev = rules_rev + 1 WHERE id = $1")
                    .bind(program_id)
                    .execute(&mut *self.tx)
                    .await?;
                let at = $crate::backend::us(at);
                let updated = sqlx::query(
                    "UPDATE campaigns SET spec = $3, updated_at = $4 \
                     WHERE program_id = $1 AND id = $2",
                )
                .bind(program_id)
                .bind(id)
                .bind(spec)
                .bind(at)
                .execute(&mut *self.tx)
                .await?
                .rows_affected();
                if updated > 0 {
                    return Ok(false);
                }
                sqlx::query(
                    "INSERT INTO campaigns (program_id, id, spec, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $4)",
                )
                .bind(program_id)
                .bind(id)
                .bind(spec)
                .bind(at)
                .execute(&mut *self.tx)
                .await?;
                Ok(true)
            }

            async fn lock_usage(
                &mut self,
                program_id: &str,
                keys: &[$crate::UsageKeyRow],
            ) -> $crate::Result<Vec<$crate::UsageRow>> {
                let totals: Vec<&$crate::UsageKeyRow> =
                    keys.iter().filter(|(_, m, _)| *m == 0).collect();
                if !totals.is_empty() {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO rule_usage (program_id, scope, member_id, period, count, \
                         points) ",
                    );
                    q.push_values(totals, |mut b, (scope, member, period)| {
                        b.push_bind(program_id)
                            .push_bind(scope)
                            .push_bind(*member)
                            .push_bind(period)
                            .push_bind(0i64)
                            .push_bind(0i64);
                    });
                    q.push(" ON CONFLICT DO NOTHING");
                    q.build().execute(&mut *self.tx).await?;
                }
                let mut out = Vec::new();
                for chunk in keys.chunks(200) {
                    out.extend(select_usage(&mut *self.tx, program_id, chunk, $for_update).await?);
                }
                Ok(out)
            }

            async fn add_usage(
                &mut self,
                program_id: &str,
                deltas: &[$crate::UsageRow],
            ) -> $crate::Result<()> {
                for chunk in deltas.chunks(ROWS_PER_STATEMENT) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO rule_usage (program_id, scope, member_id, period, count, \
                         points) ",
                    );
                    q.push_values(chunk, |mut b, d| {
                        b.push_bind(program_id)
                            .push_bind(&d.scope)
                            .push_bind(d.member_id)
                            .push_bind(&d.period)
                            .push_bind(d.count)
                            .push_bind(d.points);
                    });
                    q.push(
                        " ON CONFLICT (program_id, scope, member_id, period) DO UPDATE SET \
                         count = rule_usage.count + excluded.count, \
                         points = rule_usage.points + excluded.points",
                    );
                    q.build().persistent(chunk.len() == ROWS_PER_STATEMENT).execute(&mut *self.tx).await?;
                }
                Ok(())
            }

            async fn member_facts(
                &mut self,
                member_ids: &[i64],
            ) -> $crate::Result<$crate::MemberFacts> {
                select_member_facts(&mut *self.tx, member_ids).await
            }

            async fn save_streaks(&mut self, streaks: &[$crate::Streak]) -> $crate::Result<()> {
                for chunk in streaks.chunks(ROWS_PER_STATEMENT) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO member_streaks (member_id, kind, last_day, length) ",
                    );
                    q.push_values(chunk, |mut b, s| {
                        b.push_bind(s.member_id)
                            .push_bind(&s.kind)
                            .push_bind(&s.last_day)
                            .push_bind(s.length);
                    });
                    q.push(
                        " ON CONFLICT (member_id, kind) DO UPDATE SET \
                         last_day = excluded.last_day, length = excluded.length",
                    );
                    q.build().persistent(chunk.len() == ROWS_PER_STATEMENT).execute(&mut *self.tx).await?;
                }
                Ok(())
            }

            async fn add_tags(
                &mut self,
                tags: &[(i64, String)],
                at: jifen_core::Timestamp,
            ) -> $crate::Result<()> {
                for chunk in tags.chunks(ROWS_PER_STATEMENT) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO member_tags (member_id, tag, added_at) ",
                    );
                    q.push_values(chunk, |mut b, (m, t)| {
                        b.push_bind(*m)
                            .push_bind(t)
                            .push_bind($crate::backend::us(at));
                    });
                    q.push(" ON CONFLICT DO NOTHING");
                    q.build().persistent(chunk.len() == ROWS_PER_STATEMENT).execute(&mut *self.tx).await?;
                }
                Ok(())
            }

            async fn remove_tags(&mut self, tags: &[(i64, String)]) -> $crate::Result<()> {
                for (m, t) in tags {
                    sqlx::query("DELETE FROM member_tags WHERE member_id = $1 AND tag = $2")
                        .bind(*m)
                        .bind(t)
                        .execute(&mut *self.tx)
                        .await?;
                }
                Ok(())
            }

            async fn insert_meter_entries(
                &mut self,
                entries: &[$crate::MeterEntry],
            ) -> $crate::Result<()> {
                for chunk in entries.chunks(ROWS_PER_STATEMENT) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO meter_entries (member_id, meter, amount, occurred_at, \
                         rule_id, event_id, key) ",
                    );
                    q.push_values(chunk, |mut b, e| {
                        b.push_bind(e.member_id)
                            .push_bind(&e.meter)
                            .push_bind(e.amount)
                            .push_bind($crate::backend::us(e.occurred_at))
                            .push_bind(&e.rule_id)
                            .push_bind(&e.event_id)
                            .push_bind(&e.key);
                    });
                    q.build().persistent(chunk.len() == ROWS_PER_STATEMENT).execute(&mut *self.tx).await?;
                }
                Ok(())
            }

            async fn save_backtest(
                &mut self,
                program_id: &str,
                r: &$crate::rules::BacktestRecord,
            ) -> $crate::Result<()> {
                sqlx::query(
                    "INSERT INTO backtests (program_id, id, status, events_total, events_done, \
                     report, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                     ON CONFLICT (program_id, id) DO UPDATE SET status = excluded.status, \
                     events_total = excluded.events_total, events_done = excluded.events_done, \
                     report = excluded.report, updated_at = excluded.updated_at",
                )
                .bind(program_id)
                .bind(&r.id)
                .bind(&r.status)
                .bind(r.events_total)
                .bind(r.events_done)
                .bind(&r.report)
                .bind($crate::backend::us(r.created_at))
                .bind($crate::backend::us(r.updated_at))
                .execute(&mut *self.tx)
                .await?;
                Ok(())
            }

            async fn insert_notifications(
                &mut self,
                notifications: &[$crate::Notification],
            ) -> $crate::Result<()> {
                for chunk in notifications.chunks(ROWS_PER_STATEMENT) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO notifications (program_id, member_id, template, rule_id, \
                         event_id, created_at, recipient, payload) ",
                    );
                    q.push_values(chunk, |mut b, n| {
                        b.push_bind(&n.program_id)
                            .push_bind(n.member_id)
                            .push_bind(&n.template)
                            .push_bind(&n.rule_id)
                            .push_bind(&n.event_id)
                            .push_bind($crate::backend::us(n.created_at))
                            .push_bind(&n.recipient)
                            .push_bind(&n.payload);
                    });
                    q.build().persistent(chunk.len() == ROWS_PER_STATEMENT).execute(&mut *self.tx).await?;
                }
                // Every notification is also a `notification` webhook message, in this
                // transaction, for the endpoints that want one.
                let mut programs: Vec<&str> =
                    notifications.iter().map(|n| n.program_id.as_str()).collect();
                programs.sort_unstable();
                programs.dedup();
                for program_id in programs {
                    if !webhook_wanted_in(&mut self.tx, program_id, $crate::webhooks::kind::NOTIFICATION).await? {
                        continue;
                    }
                    let mine: Vec<&$crate::Notification> =
                        notifications.iter().filter(|n| n.program_id == program_id).collect();
                    let mut ids: Vec<i64> = mine.iter().map(|n| n.member_id).collect();
                    ids.sort_unstable();
                    ids.dedup();
                    let external = webhook_external_ids_in(&mut self.tx, &ids).await?;
                    let messages: Vec<$crate::webhooks::NewWebhookMessage> = mine
                        .iter()
                        .map(|n| {
                            $crate::webhooks::notification_message(
                                n,
                                external.get(&n.member_id).map(String::as_str).unwrap_or(""),
                            )
                        })
                        .collect();
                    webhook_enqueue_in(&mut self.tx, program_id, &messages).await?;
                }
                Ok(())
            }
        }
    };
}

pub(crate) use rules_impl;
