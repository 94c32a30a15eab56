//! The jifen server: HTTP API, authentication, background jobs, and the `jifen` binary.

pub mod actor;
pub mod api;
pub mod app;
pub mod audit;
pub mod cli;
pub mod clock;
pub mod config;
pub mod console;
pub mod demo;
pub mod error;
pub mod extract;
#[doc(hidden)]
pub mod fuzzing;
pub mod jobs;
pub mod json_keys;
pub mod keycache;
pub mod keys;
pub mod ledger_words;
pub mod limits;
pub mod parse;
pub mod portal;
pub mod profile;
pub mod rate_limit;
pub mod rehearsal;
pub mod serve;
pub mod service;
pub mod shapes;
pub mod strings;
pub mod templates;
pub mod webhooks;
pub mod wire;

pub use app::{AppState, router};
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::Settings;
