//! `jifen`: the loyalty engine's one binary.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use serde_json::json;

use jifen_server::config::{LogFormat, Settings};
use jifen_server::{SystemClock, serve};

#[derive(Parser)]
#[command(
    name = "jifen",
    version,
    about = "Self-hostable customer-loyalty engine"
)]
struct Cli {
    /// A TOML settings file (defaults < file < JIFEN_* variables < flags).
    #[arg(long, global = true, env = "JIFEN_CONFIG")]
    config: Option<PathBuf>,
    /// sqlite://path/to/file.db or postgres://user@host/db
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (migrations run first).
    Serve {
        #[arg(long)]
        listen: Option<SocketAddr>,
        /// Create (once) a demo program with members and purchases, and print an API key for it.
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Settings.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Programs (tenants).
    Program {
        #[command(subcommand)]
        command: ProgramCommand,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Run the ledger maintenance job once (hold deadlines, expiry records) and exit.
    Maintain {
        /// Run as of this RFC 3339 instant instead of now (to rehearse a future date).
        #[arg(long)]
        at: Option<String>,
    },
    /// Copy the SQLite database to FILE while it is in use (a consistent snapshot). PostgreSQL
    /// is backed up with pg_dump or pg_basebackup (docs/operations.md).
    Backup {
        /// The file to write; it must not exist.
        #[arg(long)]
        to: PathBuf,
    },
    /// Put a backup made by `jifen backup` in place of the configured SQLite database. Refused
    /// while a process (a running jifen) has that database open.
    Restore {
        /// The backup file to restore.
        #[arg(long)]
        from: PathBuf,
        /// Replace the configured database when it exists.
        #[arg(long)]
        force: bool,
    },
    /// Exit 0 when a running jifen answers /healthz.
    Healthcheck {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
    },
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Print the effective settings, secrets redacted.
    Print,
}

#[derive(Subcommand)]
enum ProgramCommand {
    /// Create a program and print its id and a new secret API key as JSON. With `--template`,
    /// the program starts with a template's policy, campaigns and rules, and its sites, meters,
    /// tiers and partners (taobao-points, inoherb-checkin, wechat-behaviours, campaign-618,
    /// alibaba-88, spend-tiers, tmall-voucher-ladder, coffee-holiday-gifts).
    Create {
        /// The program's name (default: the template's).
        #[arg(long, required_unless_present = "template")]
        name: Option<String>,
        #[arg(long)]
        template: Option<String>,
        #[arg(long, default_value = "Asia/Shanghai")]
        timezone: String,
        #[arg(long, default_value = "CNY")]
        currency: String,
    },
    /// Issue a new secret API key for an existing program (for instance after losing or
    /// revoking every key) and print it as JSON.
    Key {
        #[arg(long)]
        program_id: String,
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

fn init_logs(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("JIFEN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Pretty => builder.init(),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut settings = Settings::load(cli.config.as_deref()).map_err(|e| anyhow::anyhow!("{e}"))?;
    if let Some(url) = cli.database_url {
        settings.database_url = url;
    }
    match cli.command {
        Command::Serve { listen, demo } => {
            if let Some(l) = listen {
                settings.listen = l;
            }
            settings.demo |= demo;
            init_logs(settings.log_format);
            serve::run(settings).await
        }
        Command::Migrate => {
            init_logs(settings.log_format);
            let store = serve::open_store(&settings).await?;
            println!("migrations applied ({})", store.backend());
            Ok(())
        }
        Command::Config {
            command: ConfigCommand::Print,
        } => {
            print!("{}", settings.to_redacted_toml());
            Ok(())
        }
        Command::Program {
            command:
                ProgramCommand::Create {
                    name,
                    template,
                    timezone,
                    currency,
                },
        } => {
            let store = serve::open_store(&settings).await?;
            let (program, secret) = match template {
                Some(t) => {
                    serve::create_program_from_template(
                        store,
                        Arc::new(SystemClock),
                        &t,
                        name.as_deref(),
                    )
                    .await?
                }
                None => {
                    serve::create_program(
                        store,
                        Arc::new(SystemClock),
                        name.as_deref().unwrap_or_default(),
                        &timezone,
                        &currency,
                    )
                    .await?
                }
            };
            println!(
                "{}",
                serde_json::to_string_pretty(&json!({
                    "program_id": program.id,
                    "name": program.name,
                    "timezone": program.timezone,
                    "currency": program.currency,
                    "api_key": secret,
                }))?
            );
            Ok(())
        }
        Command::Program {
            command: ProgramCommand::Key { program_id, name },
        } => {
            let store = serve::open_store(&settings).await?;
            anyhow::ensure!(
                store.get_program(&program_id).await?.is_some(),
                "no program {program_id}"
            );
            let state = jifen_server::AppState::new(store, Arc::new(SystemClock));
            let (key, secret) =
                jifen_server::api::program::issue_key(&state, &program_id, &name, None)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "{}",
                serde_json::to_string_pretty(&json!({
                    "program_id": program_id, "key_id": key.id, "name": key.name, "api_key": secret,
                }))?
            );
            Ok(())
        }
        Command::Openapi => {
            print!("{}", jifen_server::api::openapi_json());
            Ok(())
        }
        Command::Healthcheck { addr } => healthcheck(addr).await,
        Command::Backup { to } => {
            let report = jifen_store::backup::backup(&settings.database_url, &to).await?;
            println!(
                "{}",
                json!({"backup": to, "bytes": report.bytes, "members": report.members,
                       "entries": report.entries})
            );
            Ok(())
        }
        Command::Restore { from, force } => {
            let report = jifen_store::backup::restore(&from, &settings.database_url, force).await?;
            println!(
                "{}",
                json!({"restored": from, "database_url": settings.database_url,
                       "bytes": report.bytes, "members": report.members,
                       "entries": report.entries})
            );
            Ok(())
        }
        Command::Maintain { at } => {
            init_logs(settings.log_format);
            let store = serve::open_store(&settings).await?;
            let clock: Arc<dyn jifen_server::Clock> = match at {
                Some(raw) => Arc::new(jifen_server::ManualClock::new(
                    jifen_server::parse::instant("at", &raw).map_err(|e| anyhow::anyhow!("{e}"))?,
                )),
                None => Arc::new(SystemClock),
            };
            let state = jifen_server::AppState::new(store, clock);
            let started = std::time::Instant::now();
            let entries = jifen_server::jobs::maintain_ledgers(&state)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let birthday_events = jifen_server::jobs::birthdays(&state)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let tier_changes = jifen_server::service::tiers::review_due(&state)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let (lapsed_checkouts, returned_gifts) = jifen_server::jobs::lapse_rewards(&state)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "{}",
                json!({"entries": entries, "birthday_events": birthday_events,
                       "tier_changes": tier_changes, "lapsed_checkouts": lapsed_checkouts,
                       "returned_gifts": returned_gifts,
                       "seconds": started.elapsed().as_secs_f64()})
            );
            Ok(())
        }
    }
}

/// A minimal HTTP GET of /healthz, so containers and tests need no curl.
async fn healthcheck(addr: SocketAddr) -> anyhow::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await?;
    s.write_all(
        format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await?;
    anyhow::ensure!(
        buf.starts_with(b"HTTP/1.1 200"),
        "jifen at {addr} is not healthy"
    );
    println!("ok");
    Ok(())
}
