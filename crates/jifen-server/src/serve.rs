//! Starting and stopping the server.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;

use jifen_core::PointPolicy;
use jifen_store::{ConnectOptions, Program, Store};

use crate::app::{AppState, router};
use crate::clock::{Clock, SystemClock};
use crate::config::Settings;

/// Opens the configured store (running migrations).
pub async fn open_store(settings: &Settings) -> anyhow::Result<Arc<dyn Store>> {
    let options = ConnectOptions {
        max_connections: settings.max_connections,
        migrate: true,
    };
    jifen_store::connect(&settings.database_url, &options)
        .await
        .with_context(|| {
            format!(
                "cannot open the database at {}",
                crate::config::redact_url(&settings.database_url)
            )
        })
}

/// Binds the listening socket, with an error an operator can act on.
pub async fn listen(addr: std::net::SocketAddr) -> anyhow::Result<TcpListener> {
    TcpListener::bind(addr).await.map_err(|e| match e.kind() {
        std::io::ErrorKind::AddrInUse => anyhow::anyhow!(
            "cannot listen on {addr}: address in use (another process listens there; stop it, \
             or choose another address with --listen); nothing was changed"
        ),
        _ => anyhow::anyhow!("cannot listen on {addr}: {e}"),
    })
}

/// Runs `jifen serve` until SIGINT or SIGTERM, then lets in-flight requests finish.
///
/// The files the settings name are read first, then the address is taken: a server that is
/// misconfigured or cannot listen fails before it touches the database (no migrations, no demo
/// key issued or revoked).
pub async fn run(settings: Settings) -> anyhow::Result<()> {
    // Read even on a node that does not deliver, so that a bad file is found at its start.
    let sender = crate::webhooks::deliver::Sender::new(&settings.webhooks)?;
    let listener = listen(settings.listen).await?;
    let store = open_store(&settings).await?;
    let mut state = AppState::new(store, Arc::new(SystemClock));
    state.rate_limit = settings.rate_limit;
    state.trust_forwarded_for = settings.trust_forwarded_for;
    state.webhooks = settings.webhooks.clone();
    if let Some(url) = &settings.redis_url {
        let rankings = crate::service::leaderboards::Rankings::redis(url)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        state.rankings = Arc::new(rankings);
    }
    state.docs = crate::error::DocsBase::new(&settings.docs_base_url)
        .map_err(|e| anyhow::anyhow!("docs_base_url: {e}"))?;
    if settings.demo {
        let (program, secret) = crate::demo::ensure_demo(&state)
            .await
            .map_err(|e| anyhow::anyhow!("cannot create the demo program: {e}"))?;
        let (email, password) = crate::demo::ensure_demo_owner(&state, &program.id)
            .await
            .map_err(|e| anyhow::anyhow!("cannot create the demo owner: {e}"))?;
        let addr = listener.local_addr().unwrap_or(settings.listen);
        let banner = format!(
            "\n  jifen demo program \"{}\" ({})\n  API key (shown once): {secret}\n\n  \
             curl -H \"Authorization: Bearer {secret}\" http://{addr}/v1/members\n\n  \
             Console: http://{addr}/console\n  \
             Sign in as {email} with password {password} (shown once)\n\n",
            program.name, program.id,
        );
        // Best effort: a closed stdout (`jifen serve --demo | head`) must not stop the server,
        // as `println!` would by panicking.
        let mut out = std::io::stdout().lock();
        let _ = std::io::Write::write_all(&mut out, banner.as_bytes());
        let _ = std::io::Write::flush(&mut out);
    }
    let jobs = settings.jobs.enabled.then(|| {
        crate::jobs::spawn(
            state.clone(),
            Duration::from_secs(settings.jobs.interval_seconds.max(1)),
        )
    });
    let deliveries = settings.webhooks.deliver.then(|| {
        crate::webhooks::deliver::spawn(
            state.store.clone(),
            state.clock.clone(),
            sender,
            settings.webhooks.clone(),
        )
    });
    tracing::info!(
        listen = %settings.listen,
        database = state.store.backend(),
        "jifen is serving"
    );
    let stopping = std::sync::Arc::new(tokio::sync::Notify::new());
    let signalled = stopping.clone();
    let listener = crate::wire::JsonErrorsListener::new(listener, state.docs.clone());
    let server = axum::serve(
        listener,
        router(state, settings.max_body_bytes)
            .into_make_service_with_connect_info::<crate::wire::Peer>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        signalled.notify_one();
    });
    tokio::select! {
        served = server => served?,
        () = async {
            stopping.notified().await;
            tokio::time::sleep(crate::app::SHUTDOWN_GRACE).await;
        } => tracing::warn!("grace period over; stopping with requests still in flight"),
    }
    if let Some(j) = jobs {
        j.abort();
    }
    for d in deliveries.into_iter().flatten() {
        d.abort();
    }
    tracing::info!("jifen stopped");
    Ok(())
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}

/// Creates a program with a first API key; returns the program and the key's secret.
/// Creates a program from a template (its policy, campaigns and rules live from now), named
/// `name` or after the template, and issues its first key.
pub async fn create_program_from_template(
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    template: &str,
    name: Option<&str>,
) -> anyhow::Result<(Program, String)> {
    let loaded = crate::templates::load(template)?;
    let t = &loaded.template;
    let (mut program, secret) = create_program(
        store.clone(),
        clock.clone(),
        name.unwrap_or(&t.name),
        &t.timezone,
        &t.currency,
    )
    .await?;
    let state = AppState::new(store, clock);
    crate::templates::apply(&state, &mut program, &loaded)
        .await
        .map_err(|e| anyhow::anyhow!("template {template}: {e}"))?;
    Ok((program, secret))
}

pub async fn create_program(
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    name: &str,
    timezone: &str,
    currency: &str,
) -> anyhow::Result<(Program, String)> {
    let tz: chrono_tz::Tz = timezone.parse().map_err(|_| {
        anyhow::anyhow!("unknown time zone {timezone}; use an IANA name like Asia/Shanghai")
    })?;
    anyhow::ensure!(
        currency.len() == 3 && currency.chars().all(|c| c.is_ascii_uppercase()),
        "currency must be an ISO 4217 code like CNY"
    );
    anyhow::ensure!(!name.trim().is_empty(), "a program needs a name");
    let program = Program {
        id: uuid::Uuid::now_v7().to_string(),
        name: name.to_owned(),
        timezone: tz.name().to_owned(),
        currency: currency.to_owned(),
        policy: PointPolicy::default(),
        demo: false,
        created_at: clock.now(),
        rate_limit: None,
    };
    store.create_program(&program).await?;
    let state = AppState::new(store, clock);
    let (_, secret) = crate::api::program::issue_key(&state, &program.id, "default", None)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok((program, secret))
}
