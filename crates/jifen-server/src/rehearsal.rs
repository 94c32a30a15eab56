//! `jifen maintain --at`: the background jobs rehearsed on a copy of the database as of another
//! instant. The database itself is never changed (see [`jifen_store::rehearsal`]).

use std::sync::Arc;
use std::time::Instant;

use serde_json::{Value, json};

use jifen_core::Timestamp;
use jifen_store::ConnectOptions;

use crate::app::AppState;
use crate::clock::ManualClock;
use crate::config::Settings;

/// Copies the configured database, runs every job on the copy as of `at`, removes the copy and
/// returns the report: what the jobs would write.
pub async fn rehearse(settings: &Settings, at: Timestamp) -> anyhow::Result<Value> {
    let options = ConnectOptions {
        max_connections: settings.max_connections,
        migrate: true,
    };
    let copy = jifen_store::rehearsal::copy(&settings.database_url, &options)
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot copy the database at {} to rehearse on: {e}",
                crate::config::redact_url(&settings.database_url)
            )
        })?;
    let outcome = run(&copy, at).await;
    let removed = copy.discard().await;
    let report = outcome?;
    removed.map_err(|e| {
        anyhow::anyhow!(
            "the rehearsal ran, but its copy could not be removed: {e}; the database itself \
             was not changed"
        )
    })?;
    Ok(report)
}

async fn run(copy: &jifen_store::rehearsal::Rehearsal, at: Timestamp) -> anyhow::Result<Value> {
    let before = copy.tally().await?;
    let started = Instant::now();
    let pass = {
        let state = AppState::new(copy.store(), Arc::new(ManualClock::new(at)));
        crate::jobs::run_once(&state)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
    };
    let seconds = started.elapsed().as_secs_f64();
    let grown = before.growth(&copy.tally().await?);
    let mut report = serde_json::to_value(pass)?;
    if let Value::Object(fields) = &mut report {
        fields.insert("rehearsal".into(), json!(true));
        fields.insert(
            "at".into(),
            json!(at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
        );
        fields.insert("entries_by_kind".into(), json!(grown.entries));
        fields.insert("rows_by_table".into(), json!(grown.tables));
        fields.insert("copy_seconds".into(), json!(copy.copy_seconds()));
        fields.insert("seconds".into(), json!(seconds));
    }
    Ok(report)
}
