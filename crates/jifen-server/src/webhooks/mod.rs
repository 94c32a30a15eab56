//! Webhooks: endpoints a program registers, messages written to an outbox in the same
//! transaction as their cause (see `jifen_store::webhooks`), and the worker that delivers
//! them signed by the Standard Webhooks scheme, over HTTP or HTTPS, with retries, health and
//! SSRF checks.

pub mod deliver;
pub mod signing;
pub mod targets;
pub mod tls;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// `[webhooks]` settings.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct WebhookSettings {
    /// Run the delivery worker on this node. Several nodes on one PostgreSQL database may all
    /// deliver: each claims its own deliveries.
    pub deliver: bool,
    /// Let endpoints reach private, loopback and link-local addresses (a receiver on the same
    /// machine or network). Off by default: such targets are refused when an endpoint is saved
    /// and at every send.
    pub allow_private_targets: bool,
    /// Seconds an endpoint has to answer an attempt.
    pub timeout_seconds: u64,
    /// Delivery loops on this node; each claims up to `batch` deliveries at a time.
    pub workers: usize,
    /// Deliveries one loop claims at a time.
    pub batch: u32,
    /// Requests one loop has in flight at once.
    pub concurrency: usize,
    /// Requests this node has in flight to any one endpoint at once, across its loops (a slow
    /// or small receiver is not flooded, and does not hold every request slot).
    pub per_endpoint: usize,
    /// Milliseconds a loop waits when nothing was due.
    pub poll_ms: u64,
    /// An endpoint every attempt to which failed for this many days is disabled (0: never).
    pub disable_after_days: u32,
    /// A PEM file of CA certificates trusted for `https://` endpoints besides the system's
    /// roots (receivers whose certificates a brand's private CA issued). Read when the server
    /// starts; a file that cannot be read or holds no valid certificate stops it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra_ca_file: Option<PathBuf>,
    /// `points.expiring` messages announce points expiring within this many days, once per
    /// member and expiry day (0: none are written).
    pub points_expiring_days: u32,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            deliver: true,
            allow_private_targets: false,
            timeout_seconds: 15,
            workers: 2,
            batch: 256,
            concurrency: 64,
            per_endpoint: 16,
            poll_ms: 500,
            disable_after_days: 5,
            extra_ca_file: None,
            points_expiring_days: 7,
        }
    }
}
