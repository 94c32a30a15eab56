//! The `jifen` command line: its commands, flags and their help.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "jifen",
    version,
    about = "Self-hostable customer-loyalty engine",
    after_help = "Every command accepts --config and --database-url. \
                  Run `jifen <command> --help` for a command's flags."
)]
pub struct Cli {
    /// A TOML settings file (defaults < file < JIFEN_* variables < flags).
    #[arg(long, global = true, env = "JIFEN_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The database: sqlite://path/to/file.db or postgres://user@host/db, instead of the
    /// `database_url` setting or JIFEN_DATABASE_URL (default sqlite://./jifen-data/jifen.db; a
    /// missing PostgreSQL database is created when the role may).
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (migrations run first) and run the background jobs until SIGTERM or SIGINT
    /// (Ctrl-C).
    Serve {
        /// The address to listen on, instead of the `listen` setting or JIFEN_LISTEN (default
        /// 127.0.0.1:8080; 0.0.0.0:8080 serves every interface).
        #[arg(long, value_name = "ADDR")]
        listen: Option<SocketAddr>,
        /// Create (once) a demo program with members and purchases, and print an API key for it.
        #[arg(long)]
        demo: bool,
        /// Keep leaderboards' rankings in this Redis (`redis://127.0.0.1:6379`), shared by every
        /// node, instead of the `redis_url` setting or JIFEN_REDIS_URL (default: none, each node
        /// ranks in its own memory).
        #[arg(long, value_name = "URL")]
        redis_url: Option<String>,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// The effective settings (`jifen config print`).
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Programs (tenants) and their API keys.
    Program {
        #[command(subcommand)]
        command: ProgramCommand,
    },
    /// Console operators (users) and their roles.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Run the background jobs once, for real, and exit; or, with --at, rehearse them on a copy.
    #[command(long_about = MAINTAIN_ABOUT)]
    Maintain {
        /// Rehearse as of this RFC 3339 instant on a copy of the database, and report what
        /// would happen: the database itself is never changed.
        #[arg(long, value_name = "INSTANT")]
        at: Option<String>,
    },
    /// Copy the SQLite database to a file while it is in use (a consistent snapshot).
    ///
    /// PostgreSQL is backed up with pg_dump or pg_basebackup (docs/operations.md).
    Backup {
        /// The file to write; it must not exist.
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
    },
    /// Put a backup made by `jifen backup` in place of the configured SQLite database.
    ///
    /// Refused while a process (a running jifen) has that database open.
    Restore {
        /// The backup file to restore.
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
        /// Replace the configured database when it exists.
        #[arg(long)]
        force: bool,
    },
    /// Exit 0 when a running jifen answers /healthz.
    Healthcheck {
        /// The address the running jifen listens on.
        #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
        addr: SocketAddr,
    },
    /// Print a completion script for a shell (bash, zsh or fish) on standard output.
    #[command(long_about = COMPLETIONS_ABOUT)]
    Completions {
        /// The shell to complete in.
        shell: Shell,
    },
}

const MAINTAIN_ABOUT: &str = "\
Run the background jobs once and exit: ledger maintenance (hold deadlines that passed, expired \
points), birthday rewards, tier reviews and the month's tier pass, lapsed checkouts and unclaimed \
gifts. Without --at it runs them for real: the work due now, written to the database, as \
`jifen serve` does every jobs.interval_seconds. It is the way to run due work by hand, or from \
cron on nodes with jobs.enabled = false.

With --at <instant> it is a rehearsal: the database is copied (SQLite: an online copy in the \
temporary folder; PostgreSQL: a scratch database <db>_rehearsal_<random> on the same server, which \
needs a role that may create databases), the jobs run on the copy as of that instant, the report \
(\"rehearsal\": true) says what they would write, and the copy is removed. The database itself is \
never changed.";

const COMPLETIONS_ABOUT: &str = "\
Print a completion script for a shell on standard output. For instance:
  bash: jifen completions bash > ~/.local/share/bash-completion/completions/jifen
  zsh:  jifen completions zsh > ~/.zfunc/_jifen   (with fpath+=~/.zfunc before compinit)
  fish: jifen completions fish > ~/.config/fish/completions/jifen.fish";

/// The shells `jifen completions` writes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

impl From<Shell> for clap_complete::Shell {
    fn from(s: Shell) -> Self {
        match s {
            Shell::Bash => clap_complete::Shell::Bash,
            Shell::Zsh => clap_complete::Shell::Zsh,
            Shell::Fish => clap_complete::Shell::Fish,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the effective settings, secrets redacted.
    Print,
}

#[derive(Debug, Subcommand)]
pub enum ProgramCommand {
    /// Create a program and print its id and a new secret API key as JSON.
    ///
    /// With `--template`, the program starts with a template's policy, campaigns and rules, and its
    /// sites, meters, tiers, partners, voucher templates, rewards and checkout settings
    /// (taobao-points, inoherb-checkin, wechat-behaviours, campaign-618, alibaba-88, spend-tiers,
    /// tmall-voucher-ladder, coffee-holiday-gifts).
    Create {
        /// The program's name (default: the template's).
        #[arg(long, required_unless_present = "template")]
        name: Option<String>,
        /// Start from this built-in template (one of the names listed above; the shell
        /// completions offer them).
        #[arg(
            long,
            value_name = "TEMPLATE",
            value_parser = clap::builder::PossibleValuesParser::new(crate::templates::names())
        )]
        template: Option<String>,
        /// The program's IANA time zone: days, months and birthdays are counted in it.
        #[arg(long, default_value = "Asia/Shanghai", value_name = "ZONE")]
        timezone: String,
        /// The program's ISO 4217 currency code.
        #[arg(long, default_value = "CNY", value_name = "CODE")]
        currency: String,
    },
    /// List every program: id, name, time zone, currency and when it was created.
    ///
    /// The template a program started from is not recorded: its settings were copied into the
    /// program, which has its own since.
    List {
        /// Print JSON (an array) instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// A program's API keys: list them, issue a new one, revoke one.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Issue a new secret API key for a program and print it as JSON (the same as
    /// `program keys issue`).
    Key {
        /// The program's id (`jifen program list` shows it).
        #[arg(long, value_name = "ID")]
        program_id: String,
        /// What the key is for.
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// List the program's keys, newest first, revoked ones included: id, name, prefix, created,
    /// revoked, partner.
    ///
    /// Secrets are never shown. The key `program create` printed is named `default`. When a key was last used is not recorded.
    List {
        /// The program's id (`jifen program list` shows it).
        #[arg(long, value_name = "ID")]
        program_id: String,
        /// Print JSON (an array) instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Issue a new secret API key (for instance after losing or revoking every key) and print
    /// it as JSON: the secret is shown this once.
    Issue {
        /// The program's id (`jifen program list` shows it).
        #[arg(long, value_name = "ID")]
        program_id: String,
        /// What the key is for.
        #[arg(long, default_value = "cli")]
        name: String,
    },
    /// Revoke a key: requests with it are refused from then on (within 2 seconds on servers
    /// already running).
    Revoke {
        /// The program's id (`jifen program list` shows it).
        #[arg(long, value_name = "ID")]
        program_id: String,
        /// The key's id (`jifen program keys list` shows it).
        #[arg(long, value_name = "ID")]
        key_id: String,
    },
}

/// `jifen user …`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Give an email a role in a program, creating its console account when there is none.
    ///
    /// A new account gets a generated password, printed once; with --password-stdin it takes the
    /// first line of standard input instead. An existing account keeps its password and gets the
    /// role (replacing its role in that program, if any).
    Create {
        /// The program's id (`jifen program list`).
        #[arg(long, value_name = "ID")]
        program: String,
        /// The operator's email: their sign-in name.
        #[arg(long)]
        email: String,
        /// What they may do: owner (everything), marketer (rules, campaigns, tiers, rewards),
        /// support (members and adjustments) or viewer (read only).
        #[arg(long, value_enum)]
        role: RoleArg,
        /// The name the console shows (default: the email's local part).
        #[arg(long)]
        name: Option<String>,
        /// Read the password from the first line of standard input (12 characters or more).
        #[arg(long)]
        password_stdin: bool,
    },
}

/// A console role, on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    /// Everything, including API keys, users, sites and partners.
    Owner,
    /// Rules, campaigns, tiers, rewards, vouchers, templates and backtests.
    Marketer,
    /// Member search and pages, point adjustments with a reason, voucher re-issue, tier overrides.
    Support,
    /// Read only.
    Viewer,
}

impl From<RoleArg> for jifen_store::console::Role {
    fn from(r: RoleArg) -> Self {
        match r {
            RoleArg::Owner => Self::Owner,
            RoleArg::Marketer => Self::Marketer,
            RoleArg::Support => Self::Support,
            RoleArg::Viewer => Self::Viewer,
        }
    }
}
