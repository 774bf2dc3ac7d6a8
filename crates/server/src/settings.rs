//! What the server is started with: the address, the storage, the mode, the time limits, the keys,
//! the operator's policy and connectors. The command line fills it; tests change what they test.

use crate::policy::Policy;
use crate::serve::ConnectionTimeouts;
use qianbao_store::Location;
use qianbao_wallet::{Clock, OsRandomness, Randomness, SystemClock};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// How often the rate feed is asked unless told otherwise: rates move by the minute, and a feed
/// usually publishes no faster.
pub const RATE_FEED_INTERVAL: Duration = Duration::from_secs(60);

/// How often a checkpoint is published when the log has grown, unless told otherwise.
pub const CHECKPOINT_EVERY: Duration = Duration::from_secs(10);

/// What the server is started with.
#[derive(Clone)]
pub struct Settings {
    /// Address to listen on; port 0 picks a free one.
    pub listen: SocketAddr,
    /// Where the data lives.
    pub location: Location,
    /// Whether the sandbox connectors and `/v1/sandbox/*` are on.
    pub sandbox: bool,
    /// The longest a request may take before it is answered 503 `timeout`.
    pub request_timeout: Duration,
    /// The largest request body accepted, in bytes.
    pub body_limit_bytes: usize,
    /// The longest a client may take over a request's headers, counted from their first byte (on
    /// a new connection, from the connection itself); then the connection is closed. A socket
    /// that sends nothing, or headers a byte at a time, must not hold a connection for ever.
    pub header_read_timeout: Duration,
    /// The longest a keep-alive connection may wait for its next request; then it is closed.
    pub idle_timeout: Duration,
    /// The master key as 64 hex digits (`QIANBAO_MASTER_KEY`); when absent, a 0600 key file
    /// `master.key` in `key_dir` is read, or made on first start.
    pub master_key: Option<String>,
    /// Where the key file lives.
    pub key_dir: PathBuf,
    /// The operator's numbers; `None` takes the defaults for the mode (sandbox: no per-address
    /// code limit, and codes kept for the sandbox's SMS view).
    pub policy: Option<Policy>,
    /// The time, a port so tests can move it.
    pub clock: Arc<dyn Clock>,
    /// Where tokens, codes, salts, nonces, keys and ids draw their randomness: the OS's in
    /// production, a seeded stream in the simulation.
    pub random: Arc<dyn Randomness>,
    /// The production connectors the operator configured (ignored under the sandbox).
    pub connectors: Connectors,
    /// How often the rate feed is asked for the enabled currencies' rates (also once at start),
    /// when there is a feed: the sandbox's, or the one configured. `None` never asks, leaving
    /// rates to the operator's command; tests that set their own rates turn it off so a poll
    /// cannot replace them mid-test.
    pub rate_feed_interval: Option<Duration>,
    /// The journal log's origin line in its checkpoints (`--log-origin`).
    pub log_origin: String,
    /// The witnesses whose cosignatures of checkpoints are accepted (`--witness-key`).
    pub witness_keys: Vec<qianbao_proofs::note::VerifierKey>,
    /// How often a checkpoint is published when the log has grown; `None` only on demand.
    pub checkpoint_every: Option<Duration>,
    /// When the daily liability snapshot is taken (China time); `None` never by itself.
    pub liability_snapshot_at: Option<qianbao_wallet::proofs::liabilities::SnapshotSchedule>,
    /// Wraps the bank connector the server builds; `None` (always, outside tests) uses it as
    /// it is. The deterministic simulation (`crates/sim`) injects the bank's faults through it:
    /// an answer lost after the bank acted, or the server dying while it waits for the bank.
    pub bank_wrapper: Option<BankWrapper>,
}

/// A function that wraps the bank connector (see [`Settings::bank_wrapper`]).
pub type BankWrapper =
    Arc<dyn Fn(Arc<dyn qianbao_wallet::Bank>) -> Arc<dyn qianbao_wallet::Bank> + Send + Sync>;

/// The production connectors, each present when configured.
#[derive(Clone, Default)]
pub struct Connectors {
    /// The SMS provider.
    pub sms: Option<qianbao_connectors::HttpSmsConfig>,
    /// The identity verifier.
    pub identity: Option<qianbao_connectors::HttpIdentityConfig>,
    /// The bank.
    pub bank: Option<qianbao_connectors::HttpBankConfig>,
    /// The rate feed. Without one rates come only from the operator, which is a complete setup,
    /// not a missing connector.
    pub rate_feed: Option<qianbao_connectors::HttpRateFeedConfig>,
    /// The bill network, through which billers are reached.
    pub billers: Option<qianbao_connectors::HttpBillersConfig>,
}

impl Settings {
    /// Defaults for `location`: 127.0.0.1:8080, sandbox off, 30 s requests, 1 MiB bodies, 10 s
    /// for a request's headers, 60 s idle between requests, the rate feed asked every 60 s, a checkpoint every 10 s.
    pub fn new(location: Location) -> Self {
        Settings {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            location,
            sandbox: false,
            request_timeout: Duration::from_secs(30),
            body_limit_bytes: 1024 * 1024,
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            master_key: None,
            key_dir: PathBuf::from("./qianbao-data"),
            policy: None,
            clock: Arc::new(SystemClock),
            random: Arc::new(OsRandomness),
            connectors: Connectors::default(),
            rate_feed_interval: Some(RATE_FEED_INTERVAL),
            log_origin: qianbao_wallet::proofs::DEFAULT_ORIGIN.to_string(),
            witness_keys: Vec::new(),
            checkpoint_every: Some(CHECKPOINT_EVERY),
            liability_snapshot_at: Some(qianbao_wallet::proofs::liabilities::SnapshotSchedule {
                minute_of_day: 3 * 60,
            }),
            bank_wrapper: None,
        }
    }

    /// The two connection timeouts, as the connection loop takes them.
    pub fn connection_timeouts(&self) -> ConnectionTimeouts {
        ConnectionTimeouts {
            header_read: self.header_read_timeout,
            idle: self.idle_timeout,
        }
    }

    /// The policy in force.
    pub fn policy(&self) -> Policy {
        self.policy
            .clone()
            .unwrap_or_else(|| Policy::defaults(self.sandbox))
    }
}

/// The journal log's checkpoint settings on the command line (`qianbao serve`).
#[derive(Debug, clap::Args)]
pub struct LogArgs {
    /// The origin line of the journal log's checkpoints (c2sp.org/tlog-checkpoint), also the
    /// operator key's name in the signed notes: a name for this log, e.g. `wallet.example.com/log`.
    #[arg(long, env = "QIANBAO_LOG_ORIGIN", default_value = qianbao_wallet::proofs::DEFAULT_ORIGIN)]
    pub log_origin: String,
    /// A witness whose cosignatures of checkpoints are accepted, as a C2SP verifier key
    /// (`<name>+<key hash hex>+<base64(0x01 ‖ Ed25519 key)>`); repeat for more.
    #[arg(long = "witness-key", value_parser = parse_witness_key)]
    pub witness_keys: Vec<qianbao_proofs::note::VerifierKey>,
    /// How often a checkpoint is published when the log has grown, in seconds; 0 publishes only
    /// on demand (a read of the latest checkpoint publishes one when the log has grown).
    #[arg(
        long,
        env = "QIANBAO_CHECKPOINT_EVERY",
        default_value_t = 10,
        value_parser = clap::value_parser!(u64).range(0..=86_400)
    )]
    pub checkpoint_every: u64,
    /// When the daily proof-of-liabilities snapshot is taken, `HH:MM` China time, or `off`
    /// (then only `qianbao admin liabilities snapshot` takes one).
    #[arg(
        long,
        env = "QIANBAO_LIABILITY_SNAPSHOT_AT",
        default_value = "03:00",
        value_parser = parse_snapshot_at
    )]
    pub liability_snapshot_at: SnapshotAt,
}

/// `--liability-snapshot-at`: a time of day, or off.
#[derive(Clone, Copy, Debug)]
pub struct SnapshotAt(pub Option<qianbao_wallet::proofs::liabilities::SnapshotSchedule>);

fn parse_snapshot_at(text: &str) -> Result<SnapshotAt, String> {
    if text == "off" {
        return Ok(SnapshotAt(None));
    }
    qianbao_wallet::proofs::liabilities::SnapshotSchedule::parse(text)
        .map(|s| SnapshotAt(Some(s)))
        .ok_or_else(|| format!("{text:?} is not HH:MM (24-hour, China time) or off"))
}

impl LogArgs {
    /// Puts these into `settings`.
    pub fn apply(&self, settings: &mut Settings) {
        settings.log_origin = self.log_origin.clone();
        settings.witness_keys = self.witness_keys.clone();
        settings.checkpoint_every =
            (self.checkpoint_every > 0).then(|| Duration::from_secs(self.checkpoint_every));
        settings.liability_snapshot_at = self.liability_snapshot_at.0;
    }
}

/// Reads a `--witness-key` as a C2SP verifier key.
fn parse_witness_key(text: &str) -> Result<qianbao_proofs::note::VerifierKey, String> {
    qianbao_proofs::note::VerifierKey::parse(text).map_err(|e| e.to_string())
}
