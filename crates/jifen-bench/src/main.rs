//! `jifen-bench`: builds datasets, drives a running jifen with load, measures ceilings in the
//! same run, and writes `docs/benchmarks.md`.

mod ceiling;
mod dataset;
mod external;
mod leaderboards;
mod load;
mod report;
mod scenarios;
mod segments;
mod server;
mod webhooks;

use std::path::PathBuf;

use std::time::Duration;

use clap::{Parser, Subcommand};

use load::Mode;
use scenarios::{Scenario, Target};

#[derive(Parser)]
#[command(
    name = "jifen-bench",
    about = "Benchmarks for jifen, as ratios to ceilings measured in the same run"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build a synthetic program straight through the store.
    Dataset {
        #[arg(long, default_value_t = 10_000)]
        members: u64,
        #[arg(long, default_value_t = 50.0)]
        entries_per_member: f64,
        #[arg(long, default_value = "sqlite://./jifen-data/bench.db")]
        database_url: String,
        #[arg(long, default_value_t = 618)]
        seed: u64,
    },
    /// Drive a running `jifen serve` with one scenario.
    Run {
        #[arg(value_enum)]
        scenario: Scenario,
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        jifen: String,
        #[arg(long, env = "JIFEN_KEY")]
        key: String,
        /// Members in the dataset (ids m00000000…).
        #[arg(long, default_value_t = 10_000)]
        members: u64,
        /// Requests per second (open loop); omit for closed loop at maximum throughput.
        #[arg(long)]
        rate: Option<f64>,
        #[arg(long, default_value_t = 16)]
        connections: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// The console operator the console scenarios sign in as.
        #[arg(long, env = "JIFEN_CONSOLE_EMAIL")]
        console_email: Option<String>,
        #[arg(long, env = "JIFEN_CONSOLE_PASSWORD")]
        console_password: Option<String>,
    },
    /// Serve the bare constant-JSON route used as the HTTP ceiling.
    BareServer {
        #[arg(long)]
        listen: std::net::SocketAddr,
    },
    /// Build a program of `members` (a light history: a few orders each) and time the
    /// re-evaluation of every member's tier that a policy change starts, through the API.
    Tiers {
        #[arg(long, default_value_t = 1_000_000)]
        members: u64,
        #[arg(long, default_value_t = 3.0)]
        entries_per_member: f64,
        #[arg(long, default_value = "sqlite://./jifen-data/bench-tiers.db")]
        database_url: String,
    },
    /// Build a program of `members` (a light history), rank them all on leaderboards, and
    /// measure rank queries (against Redis's ZREVRANK when --redis-url is given), a rebuild, a
    /// contest's settlement and ingest with live leaderboards; prints the rows as JSON.
    Leaderboards {
        #[arg(long, default_value_t = 1_000_000)]
        members: u64,
        #[arg(long, default_value_t = 1.0)]
        entries_per_member: f64,
        #[arg(long, default_value = "sqlite://./jifen-data/bench-leaderboards.db")]
        database_url: String,
        /// Redis for the ceiling and for rankings shared in Redis.
        #[arg(long)]
        redis_url: Option<String>,
        #[arg(long, default_value_t = 15)]
        seconds: u64,
        #[arg(long, default_value_t = 16)]
        connections: usize,
        /// Use the dataset already at --database-url (its program id and key).
        #[arg(long, requires = "key")]
        program_id: Option<String>,
        #[arg(long, env = "JIFEN_KEY")]
        key: Option<String>,
    },
    /// Build a program of `members` (a light history: one order each), define a segment and
    /// time its judgement over every member from scratch, time purchases that move members into
    /// a segment until their segments show it, and compare ingest with segments to ingest
    /// without; prints the rows as JSON.
    Segments {
        #[arg(long, default_value_t = 1_000_000)]
        members: u64,
        #[arg(long, default_value_t = 1.0)]
        entries_per_member: f64,
        #[arg(long, default_value = "sqlite://./jifen-data/bench-segments.db")]
        database_url: String,
        #[arg(long, default_value_t = 15)]
        seconds: u64,
        /// Purchases timed for the incremental figure.
        #[arg(long, default_value_t = 200)]
        changes: usize,
        /// Use the dataset already at --database-url (its key).
        #[arg(long, env = "JIFEN_KEY")]
        key: Option<String>,
    },
    /// Write `messages` webhook messages fanned out to `endpoints` endpoints, deliver them
    /// with the server's worker to a receiver on 127.0.0.1, and measure deliveries per second
    /// against a bare HTTP sender to the same receiver; prints the row as JSON.
    Webhooks {
        #[arg(long, default_value = "sqlite://./jifen-data/bench-webhooks.db")]
        database_url: String,
        #[arg(long, default_value_t = 100_000)]
        messages: u64,
        #[arg(long, default_value_t = 1)]
        endpoints: u64,
        #[arg(long, default_value_t = 4)]
        workers: usize,
        #[arg(long, default_value_t = 128)]
        concurrency: usize,
        #[arg(long, default_value_t = 512)]
        batch: u32,
        /// Requests in flight to any one endpoint (`webhooks.per_endpoint`).
        #[arg(long, default_value_t = 16)]
        per_endpoint: usize,
        #[arg(long, default_value_t = 600)]
        timeout_seconds: u64,
    },
    /// Run every scenario and ceiling and write the report.
    All {
        #[arg(long, default_value_t = 1_000_000)]
        members: u64,
        #[arg(long, default_value_t = 50.0)]
        entries_per_member: f64,
        /// Seconds per load measurement.
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        #[arg(long, value_delimiter = ',', default_value = "sqlite,postgres")]
        backends: Vec<String>,
        /// Folder for the SQLite files.
        #[arg(long, default_value = "./jifen-data/bench")]
        dir: PathBuf,
        #[arg(
            long,
            env = "JIFEN_BENCH_DATABASE_URL",
            default_value = "postgres://postgres@127.0.0.1:5432/postgres"
        )]
        postgres: String,
        #[arg(long, default_value = "docs/benchmarks.md")]
        out: PathBuf,
        #[arg(long, default_value = "docs/benchmarks.json")]
        json: PathBuf,
        /// A tiny, fast run that checks the harness works (no report written unless --out is given).
        #[arg(long)]
        smoke: bool,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // reqwest's TLS takes the process's rustls provider: ring, as in the server.
    jifen_server::webhooks::tls::install_crypto_provider();
    let cli = Cli::parse();
    match cli.command {
        Command::Dataset {
            members,
            entries_per_member,
            database_url,
            seed,
        } => {
            let store =
                jifen_store::connect(&database_url, &jifen_store::ConnectOptions::default())
                    .await?;
            let info = dataset::build(
                store,
                &dataset::DatasetSpec {
                    members,
                    entries_per_member,
                    seed,
                    now: chrono::Utc::now(),
                    progress: true,
                },
            )
            .await?;
            println!(
                "{}",
                serde_json::to_string_pretty(&serde_json::json!({
                    "program_id": info.program_id, "api_key": info.key, "members": info.members,
                    "orders": info.orders, "lots": info.lots, "entries": info.entries,
                    "seconds": info.seconds,
                }))?
            );
            Ok(())
        }
        Command::Run {
            scenario,
            jifen,
            key,
            members,
            rate,
            connections,
            seconds,
            console_email,
            console_password,
        } => {
            let console = matches!(
                scenario,
                Scenario::ConsoleSearch
                    | Scenario::ConsoleMember
                    | Scenario::ConsoleRules
                    | Scenario::Dashboard
            );
            let cookie = match (console, console_email, console_password) {
                (false, _, _) => None,
                (true, Some(email), Some(password)) => {
                    if matches!(scenario, Scenario::ConsoleSearch | Scenario::ConsoleMember) {
                        scenarios::console_setup(&jifen, &key).await?;
                    }
                    Some(scenarios::console_sign_in(&jifen, &email, &password).await?)
                }
                (true, _, _) => anyhow::bail!(
                    "the console scenarios sign in: give --console-email and --console-password"
                ),
            };
            let portal = if scenario.portal_page().is_some() {
                scenarios::portal_sessions(&jifen, &key, members, report::PORTAL_MEMBERS).await?
            } else {
                Vec::new()
            };
            let target = Target {
                base: jifen,
                key,
                members,
                duration: Duration::from_secs(seconds),
                run_id: format!("run{}", chrono::Utc::now().timestamp_millis()),
                cookie,
                portal,
            };
            let mode = rate.map_or(Mode::Closed, |rate| Mode::Open { rate });
            if matches!(
                scenario,
                Scenario::CheckoutValidate | Scenario::CheckoutRedeem
            ) {
                scenarios::checkout_setup(&target.base, &target.key).await?;
            }
            let r = scenarios::run_scenario(scenario, &target, mode, connections).await?;
            println!("{}", serde_json::to_string_pretty(&r)?);
            Ok(())
        }
        Command::BareServer { listen } => ceiling::bare_server(listen).await,
        Command::Leaderboards {
            members,
            entries_per_member,
            database_url,
            redis_url,
            seconds,
            connections,
            program_id,
            key,
        } => {
            let (program_id, key) = match (program_id, key) {
                (Some(p), Some(k)) => (p, k),
                _ => {
                    let store = jifen_store::connect(
                        &database_url,
                        &jifen_store::ConnectOptions::default(),
                    )
                    .await?;
                    let info = dataset::build(
                        store.clone(),
                        &dataset::DatasetSpec {
                            members,
                            entries_per_member,
                            seed: 618,
                            now: chrono::Utc::now(),
                            progress: true,
                        },
                    )
                    .await?;
                    eprintln!("program {} key {}", info.program_id, info.key);
                    (info.program_id, info.key)
                }
            };
            let backend = if database_url.starts_with("sqlite") {
                "sqlite"
            } else {
                "postgres"
            };
            let rows = leaderboards::rows(&leaderboards::Setup {
                backend,
                database_url: &database_url,
                program_id: &program_id,
                key: &key,
                members,
                seconds,
                connections,
                redis_url: redis_url.as_deref(),
            })
            .await?;
            println!("{}", serde_json::to_string_pretty(&rows)?);
            Ok(())
        }
        Command::Segments {
            members,
            entries_per_member,
            database_url,
            seconds,
            changes,
            key,
        } => {
            let key = match key {
                Some(k) => k,
                None => {
                    let store = jifen_store::connect(
                        &database_url,
                        &jifen_store::ConnectOptions::default(),
                    )
                    .await?;
                    let info = dataset::build(
                        store,
                        &dataset::DatasetSpec {
                            members,
                            entries_per_member,
                            seed: 618,
                            now: chrono::Utc::now(),
                            progress: true,
                        },
                    )
                    .await?;
                    eprintln!("program {} key {}", info.program_id, info.key);
                    info.key
                }
            };
            let backend = if database_url.starts_with("sqlite") {
                "sqlite"
            } else {
                "postgres"
            };
            let rows = segments::rows(&segments::Setup {
                backend,
                database_url: &database_url,
                key: &key,
                members,
                seconds,
                changes,
            })
            .await?;
            println!("{}", serde_json::to_string_pretty(&rows)?);
            Ok(())
        }
        Command::Webhooks {
            database_url,
            messages,
            endpoints,
            workers,
            concurrency,
            batch,
            per_endpoint,
            timeout_seconds,
        } => {
            let row = webhooks::run(&webhooks::Setup {
                database_url: &database_url,
                messages,
                endpoints,
                settings: jifen_server::webhooks::WebhookSettings {
                    workers,
                    concurrency,
                    batch,
                    per_endpoint,
                    poll_ms: 20,
                    ..Default::default()
                },
                timeout: std::time::Duration::from_secs(timeout_seconds),
            })
            .await?;
            println!("{}", serde_json::to_string_pretty(&row)?);
            Ok(())
        }
        Command::Tiers {
            members,
            entries_per_member,
            database_url,
        } => {
            let store =
                jifen_store::connect(&database_url, &jifen_store::ConnectOptions::default())
                    .await?;
            let info = dataset::build(
                store.clone(),
                &dataset::DatasetSpec {
                    members,
                    entries_per_member,
                    seed: 618,
                    now: chrono::Utc::now(),
                    progress: true,
                },
            )
            .await?;
            drop(store);
            let backend = if database_url.starts_with("sqlite") {
                "sqlite"
            } else {
                "postgres"
            };
            let served = server::start_jifen(&database_url).await?;
            let mut row = report::tier_row(backend, &served, &info.key, info.members).await?;
            row.peak_rss_mib = Some(served.peak_rss_mib());
            served.stop();
            println!("{}", serde_json::to_string_pretty(&row)?);
            Ok(())
        }
        Command::All {
            members,
            entries_per_member,
            seconds,
            backends,
            dir,
            postgres,
            out,
            json,
            smoke,
        } => {
            let plan = report::Plan {
                members: if smoke { members.min(300) } else { members },
                entries_per_member,
                seconds: if smoke { seconds.min(2) } else { seconds },
                backends,
                dir,
                postgres,
                smoke,
                command: std::env::args().collect::<Vec<_>>().join(" "),
            };
            let results = report::run_all(&plan).await?;
            if !smoke || std::env::args().any(|a| a == "--out") {
                report::write(&plan, &results, &out, &json)?;
                eprintln!("wrote {} and {}", out.display(), json.display());
            }
            let failed = results.iter().filter(|r| r.met == Some(false)).count();
            eprintln!("{} measurements, {failed} below target", results.len());
            Ok(())
        }
    }
}
