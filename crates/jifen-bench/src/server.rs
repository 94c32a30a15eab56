//! Running `jifen serve` (and the bare ceiling server) as child processes.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A child process serving HTTP on 127.0.0.1.
pub struct Served {
    pub child: Child,
    pub addr: String,
}

impl Served {
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Peak resident memory of the process so far, in MiB (VmHWM).
    pub fn peak_rss_mib(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    }

    /// SIGTERM, then wait.
    pub fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

/// The `jifen` binary: `JIFEN_BIN`, or the one built next to this one.
pub fn jifen_binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("JIFEN_BIN") {
        return PathBuf::from(bin);
    }
    let me = std::env::current_exe().unwrap_or_default();
    me.parent()
        .map(|d| d.join("jifen"))
        .unwrap_or_else(|| PathBuf::from("jifen"))
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(18_181)
}

/// Starts `jifen serve` on `database_url` and waits until it answers.
pub async fn start_jifen(database_url: &str) -> anyhow::Result<Served> {
    start_jifen_with(database_url, &[]).await
}

/// [`start_jifen`] with more settings as `JIFEN_*` variables (`JIFEN_REDIS_URL`).
pub async fn start_jifen_with(database_url: &str, env: &[(&str, &str)]) -> anyhow::Result<Served> {
    let addr = format!("127.0.0.1:{}", free_port());
    let child = Command::new(jifen_binary())
        .envs(env.iter().copied())
        .args(["serve", "--listen", &addr, "--database-url", database_url])
        .env("JIFEN_JOBS__ENABLED", "false")
        // The load drives one key far past the default rate limit (1,000 a second): lift it, so
        // the figures are the server's, with the limiter's own cost still in them.
        .env("JIFEN_RATE_LIMIT__PER_SECOND", "1000000")
        .env("JIFEN_RATE_LIMIT__BURST", "1000000")
        // The server logs warnings only, unless the caller names its own filter.
        .env(
            "JIFEN_LOG",
            std::env::var("JIFEN_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| anyhow::anyhow!("cannot start {}: {e}", jifen_binary().display()))?;
    let served = Served { child, addr };
    wait_ready(&served.base(), "/readyz").await?;
    Ok(served)
}

/// Starts this binary's bare axum server.
pub async fn start_bare() -> anyhow::Result<Served> {
    let addr = format!("127.0.0.1:{}", free_port());
    let child = Command::new(std::env::current_exe()?)
        .args(["bare-server", "--listen", &addr])
        .stdout(Stdio::null())
        .spawn()?;
    let served = Served { child, addr };
    wait_ready(&served.base(), "/bare").await?;
    Ok(served)
}

async fn wait_ready(base: &str, path: &str) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        if let Ok(r) = client.get(format!("{base}{path}")).send().await
            && r.status().is_success()
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("{base} did not become ready")
}
