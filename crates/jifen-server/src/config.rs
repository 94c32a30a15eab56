//! Settings: defaults, then a TOML file, then `JIFEN_*` environment variables, then flags.

use std::fmt;
use std::net::SocketAddr;
use std::path::Path;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// Everything `jifen serve` can be told.
#[derive(Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// `sqlite://path/to/file.db` or `postgres://user@host/db`.
    pub database_url: String,
    /// Database connections for reads (and writes on PostgreSQL).
    pub max_connections: u32,
    /// Create (once) a demo program with a few members and purchases.
    pub demo: bool,
    /// `pretty` for a terminal, `json` for log collectors.
    pub log_format: LogFormat,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Public base URL of the documentation: error answers link to `<base>api.md#<code>`.
    pub docs_base_url: String,
    /// Background jobs (hold deadlines, expiry records); switch off on nodes that only serve.
    pub jobs: JobSettings,
    /// The rate limit per API key of programs that set none of their own.
    pub rate_limit: crate::rate_limit::RateLimitSettings,
    /// Take a client's address from the first `X-Forwarded-For` hop (behind a reverse proxy
    /// that sets it) rather than the connection's peer: the console's sign-in lockout counts
    /// failures per address.
    pub trust_forwarded_for: bool,
    /// `redis://host:port/db`: keep leaderboards' rankings in Redis, shared by every node that
    /// serves the same database. Unset: each node ranks in its own memory (one node).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redis_url: Option<String>,
    /// Webhook delivery: the worker, timeouts, endpoint health, and whether endpoints may
    /// reach private addresses (`allow_private_targets`).
    pub webhooks: crate::webhooks::WebhookSettings,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct JobSettings {
    pub enabled: bool,
    /// Seconds between two runs of the ledger maintenance job.
    pub interval_seconds: u64,
}

impl Default for JobSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            interval_seconds: 30,
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: "sqlite://./jifen-data/jifen.db".into(),
            max_connections: 8,
            demo: false,
            log_format: LogFormat::Pretty,
            max_body_bytes: 2 * 1024 * 1024,
            docs_base_url: crate::error::DocsBase::DEFAULT.into(),
            jobs: JobSettings::default(),
            rate_limit: crate::rate_limit::RateLimitSettings::default(),
            trust_forwarded_for: false,
            redis_url: None,
            webhooks: crate::webhooks::WebhookSettings::default(),
        }
    }
}

/// The top-level settings, as `JIFEN_*` variables name them.
const SETTINGS: [&str; 12] = [
    "listen",
    "database_url",
    "max_connections",
    "demo",
    "log_format",
    "max_body_bytes",
    "jobs",
    "rate_limit",
    "docs_base_url",
    "trust_forwarded_for",
    "redis_url",
    "webhooks",
];

impl Settings {
    /// Reads defaults, then `file` (when given), then `JIFEN_*` variables
    /// (`JIFEN_DATABASE_URL`, `JIFEN_JOBS__ENABLED`, …).
    pub fn load(file: Option<&Path>) -> Result<Self, Box<figment::Error>> {
        let mut fig = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(path) = file {
            fig = fig.merge(Toml::file_exact(path));
        }
        // Only variables that name a setting: JIFEN_LOG, JIFEN_CONFIG and the test suite's
        // JIFEN_TEST_DATABASE_URL are read elsewhere.
        fig = fig.merge(
            Env::prefixed("JIFEN_")
                .filter(|key| {
                    SETTINGS.iter().any(|s| {
                        key.as_str().eq_ignore_ascii_case(s)
                            || key
                                .as_str()
                                .to_ascii_lowercase()
                                .starts_with(&format!("{s}__"))
                    })
                })
                .split("__"),
        );
        let mut settings: Settings = fig.extract().map_err(Box::new)?;
        crate::rate_limit::check(&settings.rate_limit.limit())
            .map_err(|(field, msg)| Box::new(figure_error(format!("rate_limit.{field}: {msg}"))))?;
        settings.docs_base_url = crate::error::DocsBase::new(&settings.docs_base_url)
            .map_err(|msg| Box::new(figure_error(format!("docs_base_url: {msg}"))))?
            .as_str()
            .to_owned();
        Ok(settings)
    }

    /// The settings as TOML, with the database password hidden.
    pub fn to_redacted_toml(&self) -> String {
        let mut shown = self.clone();
        shown.database_url = redact_url(&self.database_url);
        shown.redis_url = self.redis_url.as_deref().map(redact_url);
        toml::to_string_pretty(&shown).unwrap_or_default()
    }
}

fn figure_error(msg: String) -> figment::Error {
    figment::Error::from(msg)
}

/// Hides the password of a URL (`postgres://user:secret@host` → `postgres://user:***@host`).
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((creds, host)) = rest.split_once('@') else {
        return url.to_owned();
    };
    match creds.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("listen", &self.listen)
            .field("database_url", &redact_url(&self.database_url))
            .field("max_connections", &self.max_connections)
            .field("demo", &self.demo)
            .field("log_format", &self.log_format)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("jobs", &self.jobs)
            .field("rate_limit", &self.rate_limit)
            .field("docs_base_url", &self.docs_base_url)
            .field("trust_forwarded_for", &self.trust_forwarded_for)
            .field("redis_url", &self.redis_url.as_deref().map(redact_url))
            .field("webhooks", &self.webhooks)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact_url("postgres://jifen:s3cret@db:5432/jifen"),
            "postgres://jifen:***@db:5432/jifen"
        );
        assert_eq!(redact_url("sqlite://./a.db"), "sqlite://./a.db");
        let s = Settings {
            database_url: "postgres://u:p@h/d".into(),
            ..Settings::default()
        };
        assert!(!format!("{s:?}").contains(":p@"));
        assert!(!s.to_redacted_toml().contains(":p@"));
        assert!(s.to_redacted_toml().contains("[jobs]"));
    }

    #[test]
    fn file_then_environment() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jifen.toml");
        std::fs::write(
            &path,
            "listen = \"0.0.0.0:9090\"\nmax_connections = 3\n[jobs]\ninterval_seconds = 7\n",
        )
        .unwrap();
        let s = Settings::load(Some(&path)).unwrap();
        assert_eq!(s.listen.port(), 9090);
        assert_eq!(s.max_connections, 3);
        assert_eq!(s.jobs.interval_seconds, 7);
        assert!(s.jobs.enabled, "unset keys keep their defaults");
        std::fs::write(&path, "listne = \"0.0.0.0:1\"\n").unwrap();
        assert!(
            Settings::load(Some(&path)).is_err(),
            "a misspelt key is refused"
        );
        assert!(Settings::load(Some(&dir.path().join("missing.toml"))).is_err());
        std::fs::write(&path, "[rate_limit]\nper_second = 50\n").unwrap();
        let s = Settings::load(Some(&path)).unwrap();
        assert_eq!((s.rate_limit.per_second, s.rate_limit.burst), (50, 2_000));
        std::fs::write(&path, "[rate_limit]\nburst = 0\n").unwrap();
        let e = Settings::load(Some(&path)).unwrap_err();
        assert!(e.to_string().contains("rate_limit.burst"), "{e}");
    }

    #[test]
    fn docs_base_url_is_checked_and_ends_with_a_slash() {
        assert_eq!(
            Settings::default().docs_base_url,
            "https://github.com/jifen-loyalty/jifen/blob/main/docs/"
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jifen.toml");
        std::fs::write(&path, "docs_base_url = \"https://docs.example.cn/jifen\"\n").unwrap();
        let s = Settings::load(Some(&path)).unwrap();
        assert_eq!(s.docs_base_url, "https://docs.example.cn/jifen/");
        assert!(s.to_redacted_toml().contains("docs_base_url"));
        for bad in [
            "docs/",
            "ftp://x/",
            "https:///docs/",
            "https://x/a b/",
            "https://x/?q",
        ] {
            std::fs::write(&path, format!("docs_base_url = \"{bad}\"\n")).unwrap();
            let e = Settings::load(Some(&path)).unwrap_err();
            assert!(e.to_string().contains("docs_base_url"), "{bad}: {e}");
        }
    }
}
