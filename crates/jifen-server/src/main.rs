//! `jifen`: the loyalty engine's one binary.

use std::net::SocketAddr;
use std::sync::Arc;

use clap::{CommandFactory, Parser};
use serde_json::json;

use jifen_server::cli::{Cli, Command, ConfigCommand, KeysCommand, ProgramCommand, UserCommand};
use jifen_server::config::{LogFormat, Settings};
use jifen_server::{SystemClock, serve};

/// mimalloc rather than the system's allocator: a request makes and frees many small buffers
/// across threads, where glibc's malloc spent a sixth of a read route's CPU (see
/// docs/benchmarks.md, leaderboards).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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

/// A failed command prints its error and its causes on one line and exits 1, without the stack
/// backtrace `RUST_BACKTRACE` would add: the message says what to do, the trace would bury it.
#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> anyhow::Result<()> {
    // rustls' cryptography for every HTTPS client of the process (webhook deliveries): ring.
    jifen_server::webhooks::tls::install_crypto_provider();
    let cli = Cli::parse();
    let mut settings = Settings::load(cli.config.as_deref()).map_err(|e| anyhow::anyhow!("{e}"))?;
    if let Some(url) = cli.database_url {
        settings.database_url = url;
    }
    match cli.command {
        Command::Serve {
            listen,
            demo,
            redis_url,
        } => {
            if let Some(l) = listen {
                settings.listen = l;
            }
            if redis_url.is_some() {
                settings.redis_url = redis_url;
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
            command:
                ProgramCommand::Key { program_id, name }
                | ProgramCommand::Keys {
                    command: KeysCommand::Issue { program_id, name },
                },
        } => {
            let state = program_state(&settings, &program_id).await?;
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
        Command::Program {
            command:
                ProgramCommand::Keys {
                    command: KeysCommand::List { program_id, json },
                },
        } => {
            let state = program_state(&settings, &program_id).await?;
            let keys = state.store.list_api_keys(&program_id).await?;
            if json {
                let keys: Vec<_> = keys
                    .iter()
                    .map(jifen_server::api::program::ApiKeyOut::from)
                    .collect();
                println!("{}", serde_json::to_string_pretty(&keys)?);
            } else {
                let rows = keys
                    .iter()
                    .map(|k| {
                        vec![
                            k.id.clone(),
                            k.name.clone(),
                            k.prefix.clone(),
                            when(k.created_at),
                            k.revoked_at.map_or_else(|| "-".to_owned(), when),
                            k.partner_id.clone().unwrap_or_else(|| "-".to_owned()),
                        ]
                    })
                    .collect();
                print!(
                    "{}",
                    table(
                        &["ID", "NAME", "PREFIX", "CREATED", "REVOKED", "PARTNER"],
                        rows
                    )
                );
            }
            Ok(())
        }
        Command::Program {
            command:
                ProgramCommand::Keys {
                    command: KeysCommand::Revoke { program_id, key_id },
                },
        } => {
            let state = program_state(&settings, &program_id).await?;
            let revoked = state
                .store
                .revoke_api_key(&program_id, &key_id, jifen_server::Clock::now(&SystemClock))
                .await?;
            if !revoked {
                let keys = state.store.list_api_keys(&program_id).await?;
                anyhow::bail!(
                    "{}",
                    match keys.iter().find(|k| k.id == key_id) {
                        Some(_) => format!("key {key_id} is revoked already"),
                        None => format!(
                            "program {program_id} has no key {key_id} (`jifen program keys list \
                             --program-id {program_id}` lists them)"
                        ),
                    }
                );
            }
            println!(
                "{}",
                json!({"program_id": program_id, "key_id": key_id, "revoked": true})
            );
            Ok(())
        }
        Command::Program {
            command: ProgramCommand::List { json },
        } => {
            let store = serve::open_store(&settings).await?;
            let programs = store.list_programs().await?;
            if json {
                let list: Vec<_> = programs
                    .iter()
                    .map(|p| {
                        json!({"id": p.id, "name": p.name, "timezone": p.timezone,
                               "currency": p.currency, "demo": p.demo,
                               "created_at": p.created_at})
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                let rows = programs
                    .iter()
                    .map(|p| {
                        vec![
                            p.id.clone(),
                            p.name.clone(),
                            p.timezone.clone(),
                            p.currency.clone(),
                            when(p.created_at),
                            if p.demo { "demo" } else { "" }.to_owned(),
                        ]
                    })
                    .collect();
                print!(
                    "{}",
                    table(&["ID", "NAME", "TIMEZONE", "CURRENCY", "CREATED", ""], rows)
                );
            }
            Ok(())
        }
        Command::Completions { shell } => {
            clap_complete::generate(
                clap_complete::Shell::from(shell),
                &mut Cli::command(),
                "jifen",
                &mut std::io::stdout(),
            );
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Create {
                    program,
                    email,
                    role,
                    name,
                    password_stdin,
                },
        } => {
            let password = if password_stdin {
                let mut line = String::new();
                std::io::stdin().read_line(&mut line)?;
                Some(line.trim_end_matches(['\r', '\n']).to_owned())
            } else {
                None
            };
            let state = program_state(&settings, &program).await?;
            let added = jifen_server::console::operators::add(
                &state,
                &program,
                &email,
                name.as_deref(),
                role.into(),
                password,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "{}",
                serde_json::to_string_pretty(&json!({
                    "operator_id": added.operator.id,
                    "email": added.operator.email,
                    "name": added.operator.name,
                    "program_id": program,
                    "role": jifen_store::console::Role::from(role).as_str(),
                    "created": added.created,
                    "password": added.password,
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
        Command::Maintain { at: Some(raw) } => {
            init_logs(settings.log_format);
            let at =
                jifen_server::parse::instant("--at", &raw).map_err(|e| anyhow::anyhow!("{e}"))?;
            let report = jifen_server::rehearsal::rehearse(&settings, at).await?;
            println!("{report}");
            Ok(())
        }
        Command::Maintain { at: None } => {
            init_logs(settings.log_format);
            let store = serve::open_store(&settings).await?;
            let clock = Arc::new(SystemClock);
            let at = jifen_server::Clock::now(&*clock);
            let state = jifen_server::AppState::new(store, clock);
            let started = std::time::Instant::now();
            let pass = jifen_server::jobs::run_once(&state)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let mut report = serde_json::to_value(pass)?;
            report["rehearsal"] = json!(false);
            report["at"] = json!(at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true));
            report["seconds"] = json!(started.elapsed().as_secs_f64());
            println!("{report}");
            Ok(())
        }
    }
}

/// The store, with `program_id` checked to exist, and an app state over it.
async fn program_state(
    settings: &Settings,
    program_id: &str,
) -> anyhow::Result<jifen_server::AppState> {
    let store = serve::open_store(settings).await?;
    anyhow::ensure!(
        store.get_program(program_id).await?.is_some(),
        "no program {program_id} (`jifen program list` lists them)"
    );
    Ok(jifen_server::AppState::new(store, Arc::new(SystemClock)))
}

/// An instant as a table shows it: UTC, to the second.
fn when(t: jifen_core::Timestamp) -> String {
    t.format("%Y-%m-%d %H:%M:%SZ").to_string()
}

/// The columns a terminal gives a cell: two for East Asian wide characters (茶, ア, 한).
fn width(cell: &str) -> usize {
    cell.chars()
        .map(|c| match u32::from(c) {
            0x1100..=0x115F
            | 0x2E80..=0x303E
            | 0x3041..=0x33FF
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xA000..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x20000..=0x3FFFD => 2,
            _ => 1,
        })
        .sum()
}

/// Rows under a header, in columns as wide as their widest cell.
fn table(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(cell));
        }
    }
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w - width(c))))
            .collect();
        format!("{}\n", padded.join("  ").trim_end())
    };
    let mut out = line(header.iter().map(|h| (*h).to_owned()).collect());
    for row in rows {
        out.push_str(&line(row));
    }
    out
}

/// A minimal HTTP GET of /healthz, so containers and tests need no curl.
async fn healthcheck(addr: SocketAddr) -> anyhow::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| anyhow::anyhow!("no jifen answers at {addr}: {e}"))?;
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
