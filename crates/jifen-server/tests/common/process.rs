//! A real `jifen serve` process for tests: started on a free port with the demo program, its
//! API key read from its output, stopped with SIGTERM or killed outright.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;

pub const JIFEN: &str = env!("CARGO_BIN_EXE_jifen");
pub const KEY_LINE: &str = "API key (shown once): ";

/// `jifen` with none of the caller's `JIFEN_*` settings.
pub fn jifen() -> Command {
    let mut cmd = Command::new(JIFEN);
    for (k, _) in std::env::vars() {
        if k.starts_with("JIFEN_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("JIFEN_LOG", "warn");
    cmd
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// A `jifen serve` process; killed if the test ends without stopping it.
pub struct Server {
    pub child: Child,
    pub addr: String,
    pub key: String,
    stderr: mpsc::Receiver<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Server {
    /// Starts `jifen serve --demo` and waits until it prints its key and answers
    /// `jifen healthcheck`. Background jobs are off.
    pub fn start(database_url: &str) -> Server {
        Server::start_jobs(database_url, false)
    }

    /// [`Server::start`], with background jobs on (every second) or off.
    pub fn start_jobs(database_url: &str, jobs: bool) -> Server {
        let addr = format!("127.0.0.1:{}", free_port());
        let args = [
            "serve",
            "--demo",
            "--listen",
            &addr,
            "--database-url",
            database_url,
        ];
        Server::start_args(&args, &addr, jobs)
    }

    /// `jifen` with `args`, which must make it serve on `addr` and print a demo key.
    pub fn start_args(args: &[&str], addr: &str, jobs: bool) -> Server {
        Server::start_args_env(args, addr, jobs, &[])
    }

    /// [`Server::start`] with some `JIFEN_*` settings.
    #[allow(dead_code)]
    pub fn start_env(database_url: &str, env: &[(&str, &str)]) -> Server {
        let addr = format!("127.0.0.1:{}", free_port());
        let args = [
            "serve",
            "--demo",
            "--listen",
            &addr,
            "--database-url",
            database_url,
        ];
        Server::start_args_env(&args, &addr, false, env)
    }

    /// [`Server::start_args`] with some `JIFEN_*` settings.
    pub fn start_args_env(args: &[&str], addr: &str, jobs: bool, env: &[(&str, &str)]) -> Server {
        let addr = addr.to_owned();
        let mut child = jifen()
            .args(args)
            .envs(env.iter().copied())
            .env("JIFEN_JOBS__ENABLED", jobs.to_string())
            .env("JIFEN_JOBS__INTERVAL_SECONDS", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn jifen serve");
        // Drain both pipes in threads so the server never blocks on a full pipe.
        let (key_tx, key_rx) = mpsc::channel();
        let stdout = child.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(i) = line.find(KEY_LINE) {
                    let _ = key_tx.send(line[i + KEY_LINE.len()..].trim().to_owned());
                }
            }
        });
        let (err_tx, err_rx) = mpsc::channel();
        let mut stderr = child.stderr.take().expect("stderr");
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            let _ = err_tx.send(text);
        });
        let mut server = Server {
            child,
            addr,
            key: String::new(),
            stderr: err_rx,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        server.key = loop {
            if let Ok(k) = key_rx.try_recv() {
                break k;
            }
            server.fail_if_exited();
            assert!(Instant::now() < deadline, "no API key printed within 20 s");
            std::thread::sleep(Duration::from_millis(50));
        };
        assert!(server.key.starts_with("jf_sk_"), "{}", server.key);
        loop {
            let ok = jifen()
                .args(["healthcheck", "--addr", &server.addr])
                .output()
                .expect("jifen healthcheck");
            if ok.status.success() {
                assert_eq!(String::from_utf8_lossy(&ok.stdout).trim(), "ok");
                break;
            }
            server.fail_if_exited();
            assert!(
                Instant::now() < deadline,
                "jifen healthcheck did not succeed within 20 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }

    pub fn fail_if_exited(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            let err = self
                .stderr
                .recv_timeout(Duration::from_secs(5))
                .unwrap_or_default();
            panic!("jifen serve exited early ({status}):\n{err}");
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub async fn get(&self, key: &str, path: &str) -> (StatusCode, Value) {
        let res = super::http()
            .build()
            .expect("client")
            .get(self.url(path))
            .bearer_auth(key)
            .send()
            .await
            .expect("request");
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// [`Server::terminate`], and what the server wrote to standard error.
    #[allow(dead_code)]
    pub fn terminate_with_stderr(mut self) -> (ExitStatus, String) {
        let (_, none) = mpsc::channel();
        let stderr = std::mem::replace(&mut self.stderr, none);
        let status = self.terminate();
        let text = stderr
            .recv_timeout(Duration::from_secs(5))
            .unwrap_or_default();
        (status, text)
    }

    /// Sends SIGTERM and waits (bounded) for the process to end.
    pub fn terminate(mut self) -> ExitStatus {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill -TERM");
        assert!(sent.success());
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "jifen did not stop within 20 s of SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}
