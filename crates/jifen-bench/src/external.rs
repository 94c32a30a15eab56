//! Load from the two standard C load generators, each in its own process: `wrk` for HTTP and
//! `redis-benchmark` for Redis. Measured this way, neither side pays for a Rust client sharing
//! the machine's cores with the server, so the ratio of the two is the servers' own.
//!
//! Both tools come from Debian (`apt-get install wrk redis-tools`); when either is missing the
//! figures that need it are left out of the report, with a line on stderr saying so.

use std::process::Command;

/// Whether `wrk` and `redis-benchmark` are on the `PATH`.
pub fn available() -> bool {
    ["wrk", "redis-benchmark"].iter().all(|tool| {
        Command::new(tool)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success() || !o.stdout.is_empty() || !o.stderr.is_empty())
    })
}

/// What one `wrk` run measured.
#[derive(Debug, Clone, Copy)]
pub struct WrkResult {
    pub requests_per_second: f64,
    /// Answers outside 2xx and 3xx, plus socket errors.
    pub failures: u64,
}

/// `GET` requests from `wrk` (one thread, `connections` kept-alive connections, `seconds`),
/// each for the path the Lua expression `path` makes (`n` is a random integer in
/// `0..members`), with the API key as a bearer token.
pub fn wrk(
    base: &str,
    key: Option<&str>,
    path: &str,
    members: u64,
    connections: usize,
    seconds: u64,
) -> anyhow::Result<WrkResult> {
    let script = std::env::temp_dir().join(format!("jifen-bench-{}.lua", uuid::Uuid::now_v7()));
    let auth = key
        .map(|k| format!("wrk.headers[\"Authorization\"] = \"Bearer {k}\"\n"))
        .unwrap_or_default();
    std::fs::write(
        &script,
        format!(
            "{auth}math.randomseed(os.time())\n\
             request = function()\n  local n = math.random(0, {last})\n  \
             return wrk.format(\"GET\", {path})\nend\n",
            last = members.max(1) - 1,
        ),
    )?;
    let out = Command::new("wrk")
        .args(["-t1", &format!("-c{connections}"), &format!("-d{seconds}s")])
        .arg("-s")
        .arg(&script)
        .arg(base)
        .output();
    let _ = std::fs::remove_file(&script);
    let out = out?;
    let text = String::from_utf8_lossy(&out.stdout);
    anyhow::ensure!(out.status.success(), "wrk failed: {text}");
    parse_wrk(&text)
}

fn parse_wrk(text: &str) -> anyhow::Result<WrkResult> {
    let number_after = |label: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(label))
            .and_then(|rest| rest.split_whitespace().next())
            .map(str::to_owned)
    };
    let requests_per_second = number_after("Requests/sec:")
        .ok_or_else(|| anyhow::anyhow!("no Requests/sec in wrk's output: {text}"))?
        .parse()?;
    let mut failures = number_after("Non-2xx or 3xx responses:")
        .map(|n| n.parse::<u64>())
        .transpose()?
        .unwrap_or(0);
    // "Socket errors: connect 0, read 0, write 0, timeout 0"
    if let Some(line) = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Socket errors:"))
    {
        failures += line
            .split(',')
            .filter_map(|part| part.split_whitespace().last()?.parse::<u64>().ok())
            .sum::<u64>();
    }
    Ok(WrkResult {
        requests_per_second,
        failures,
    })
}

/// A sorted set of `members` in Redis for [`ZrevrankSet::measure`], dropped by
/// [`ZrevrankSet::drop_set`]. The set's members are named as `redis-benchmark` draws them
/// (`__rand_int__`, twelve digits).
pub struct ZrevrankSet {
    host: String,
    port: u16,
    key: String,
    members: u64,
    conn: redis::aio::MultiplexedConnection,
}

impl ZrevrankSet {
    pub async fn fill(url: &str, members: u64) -> anyhow::Result<ZrevrankSet> {
        let (host, port) = host_port(url)?;
        let key = format!("jifen-bench:ceiling:{}", uuid::Uuid::now_v7());
        let client = redis::Client::open(url)?;
        // A slice of the fill takes longer than the connection's default response timeout.
        let config = redis::AsyncConnectionConfig::new()
            .set_response_timeout(Some(std::time::Duration::from_secs(60)));
        let mut conn = client
            .get_multiplexed_async_connection_with_config(&config)
            .await?;
        // Filled by a script in slices, so Redis stays responsive to others meanwhile.
        let fill = redis::Script::new(
            "for i = tonumber(ARGV[1]), tonumber(ARGV[2]) do \
               redis.call('ZADD', KEYS[1], (i * 7919) % 1000000, string.format('%012d', i)) \
             end return 0",
        );
        for start in (0..members).step_by(100_000) {
            let end = (start + 100_000).min(members) - 1;
            fill.key(&key)
                .arg(start)
                .arg(end)
                .invoke_async::<i64>(&mut conn)
                .await?;
        }
        Ok(ZrevrankSet {
            host,
            port,
            key,
            members,
            conn,
        })
    }

    /// `ZREVRANK` of a random member from `redis-benchmark` (one thread, `connections`
    /// connections, no pipelining: one command per round trip, as the HTTP side sends one
    /// request per round trip), for about `seconds`. Returns operations per second.
    pub async fn measure(&self, connections: usize, seconds: u64) -> anyhow::Result<f64> {
        // Sized to last about `seconds` at the rates seen on two cores, then measured by the
        // tool.
        let requests = 60_000 * seconds.max(1);
        let args = [
            "-h".to_owned(),
            self.host.clone(),
            "-p".to_owned(),
            self.port.to_string(),
            "-c".to_owned(),
            connections.to_string(),
            "-n".to_owned(),
            requests.to_string(),
            "-r".to_owned(),
            self.members.to_string(),
            "--csv".to_owned(),
            "ZREVRANK".to_owned(),
            self.key.clone(),
            "__rand_int__".to_owned(),
        ];
        let out = tokio::task::spawn_blocking(move || {
            Command::new("redis-benchmark").args(args).output()
        })
        .await??;
        let text = String::from_utf8_lossy(&out.stdout);
        anyhow::ensure!(out.status.success(), "redis-benchmark failed: {text}");
        parse_redis_benchmark(&text)
    }

    pub async fn drop_set(mut self) -> anyhow::Result<()> {
        let _: () = redis::cmd("UNLINK")
            .arg(&self.key)
            .query_async(&mut self.conn)
            .await?;
        Ok(())
    }
}

/// The requests per second of `redis-benchmark --csv`: a header line, then
/// `"ZREVRANK …","43196.54",…`.
fn parse_redis_benchmark(text: &str) -> anyhow::Result<f64> {
    let line = text
        .lines()
        .find(|l| l.starts_with("\"ZREVRANK"))
        .ok_or_else(|| anyhow::anyhow!("no ZREVRANK line in redis-benchmark's output: {text}"))?;
    let field = line
        .split("\",\"")
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("no rate in {line}"))?;
    Ok(field.trim_matches('"').parse()?)
}

/// The host and port of a `redis://[user:password@]host[:port][/db]` URL.
fn host_port(url: &str) -> anyhow::Result<(String, u16)> {
    let rest = url
        .strip_prefix("redis://")
        .ok_or_else(|| anyhow::anyhow!("not a redis:// URL: {url}"))?;
    let authority = rest.split('/').next().unwrap_or_default();
    let address = authority.rsplit('@').next().unwrap_or_default();
    let (host, port) = match address.rsplit_once(':') {
        Some((host, port)) => (host, port.parse()?),
        None => (address, 6379),
    };
    anyhow::ensure!(!host.is_empty(), "no host in {url}");
    Ok((host.to_owned(), port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_wrk_output() {
        let text = "Running 15s test @ http://127.0.0.1:1234\n  1 threads and 32 connections\n\
            Thread Stats   Avg      Stdev     Max   +/- Stdev\n\
            Latency   610.42us  120.11us   4.10ms   80.00%\n\
            512345 requests in 15.00s, 98.12MB read\n\
            Socket errors: connect 0, read 2, write 0, timeout 1\n\
            Non-2xx or 3xx responses: 4\n\
            Requests/sec:  34156.33\nTransfer/sec:      6.54MB\n";
        let r = parse_wrk(text).unwrap();
        assert!((r.requests_per_second - 34156.33).abs() < 1e-6);
        assert_eq!(r.failures, 7);
        assert!(parse_wrk("nothing").is_err());
    }

    #[test]
    fn reads_redis_benchmark_csv() {
        let text = "\"test\",\"rps\",\"avg_latency_ms\"\n\"ZREVRANK k __rand_int__\",\"43196.54\",\"0.530\"\n";
        assert!((parse_redis_benchmark(text).unwrap() - 43196.54).abs() < 1e-6);
        assert!(parse_redis_benchmark("\"test\"\n").is_err());
        assert_eq!(
            host_port("redis://127.0.0.1:6380/0").unwrap(),
            ("127.0.0.1".to_owned(), 6380)
        );
    }
}
