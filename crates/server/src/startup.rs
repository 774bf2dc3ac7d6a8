//! Building the application: open storage, make the wallet's use cases and connectors, start the
//! background work, bind the port. Tests build it on port 0 and read back the port; `main` builds
//! it from the command line.

use crate::live_policy::LivePolicy;
use crate::policy::Policy;
use crate::router::router;
use crate::serve::{ConnectionTimeouts, serve};
use crate::settings::Settings;
use crate::state::AppState;
use crate::{connectors, workers};
use axum::Router;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use qianbao_secrets::KeyRing;
use qianbao_store::Storage;
use qianbao_wallet::context::Context;
use qianbao_wallet::kyc::Kyc;
use qianbao_wallet::money::Money;
use qianbao_wallet::opening::Opening;
use qianbao_wallet::storage::RecordStore;
use qianbao_wallet::{LedgerStore, StoreError};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use tokio::net::TcpListener;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Storage refused to open (foreign file, newer schema, unreachable database).
    #[error(transparent)]
    Storage(#[from] StoreError),
    /// A connector's configuration is unusable (a bad URL, say).
    #[error("connector: {0}")]
    Connector(#[from] qianbao_connectors::ConfigError),
    /// The master key could not be read or made.
    #[error("master key: {0}")]
    Keys(#[from] qianbao_secrets::SecretError),
    /// A policy version stored by the console no longer passes the policy's rules.
    #[error("policy: {0}")]
    Policy(String),
    /// The journal log's origin or a witness key is unusable.
    #[error("proofs: {0}")]
    Proofs(String),
    /// The address could not be bound.
    #[error("cannot listen on {address}: {source}")]
    Listen {
        /// The address asked for.
        address: SocketAddr,
        /// What the OS said.
        source: std::io::Error,
    },
}

/// The proof use cases: the origin checked as a note key name, the operator's key from the ring.
fn proofs(
    settings: &Settings,
    ctx: &Context,
) -> Result<qianbao_wallet::proofs::Proofs, StartError> {
    let origin = settings.log_origin.clone();
    if origin.is_empty() || origin.chars().any(|c| c.is_whitespace() || c == '+') {
        return Err(StartError::Proofs(format!(
            "the log origin {origin:?} must be non-empty, without spaces or '+'"
        )));
    }
    Ok(qianbao_wallet::proofs::Proofs {
        origin,
        signer: Arc::new(
            qianbao_secrets::checkpoint_signing::CheckpointSigner::from_ring(&ctx.keys),
        ),
        witnesses: settings.witness_keys.clone().into(),
        clock: ctx.clock.clone(),
        publishing: Arc::default(),
    })
}

/// A built server, bound and ready to run.
pub struct Application {
    listener: TcpListener,
    router: Router,
    port: u16,
    store: Arc<dyn LedgerStore>,
    timeouts: ConnectionTimeouts,
}

/// The process-wide metrics recorder: the `metrics` facade takes one global recorder, and tests
/// build many applications in one process.
fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            // Another recorder may be installed by an embedding program; then ours just stays empty.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

/// The application without a listener and without its background loops running: the router
/// with its state, the storage, and the background work to run by hand. `Application::build`
/// binds a port and spawns the loops over it; the simulation (`crates/sim`) drives the router
/// with in-process requests and ticks the background work itself, so no task races its steps.
pub struct Parts {
    /// Every route with its layers, over the application's state.
    pub router: Router,
    /// The ledger's storage.
    pub store: Arc<dyn LedgerStore>,
    /// The same storage, for the wallet's records.
    pub storage: Storage,
    /// Due timers, outboxes and the daily checks, not yet running.
    pub background: workers::Background,
}

impl Parts {
    /// Opens storage and builds the router and the background work over it, starting nothing.
    pub async fn assemble(settings: &Settings) -> Result<Parts, StartError> {
        let seams = qianbao_store::Seams {
            clock: settings.clock.clone(),
            random: settings.random.clone(),
        };
        let storage = Storage::open_with(&settings.location, seams).await?;
        let store = storage.ledger();
        let keys = load_keys(
            settings.master_key.as_deref(),
            &settings.key_dir,
            settings.random.as_ref(),
        )?;
        let file_policy = settings.policy();
        // What the console approved outlives a restart: the newest stored version is laid over
        // the file (its live keys only; the rest stay the file's).
        let stored = RecordStore::transact(&storage, |r| r.latest_policy_version()).await?;
        let (version, policy) = match &stored {
            Some(v) => (
                v.version,
                file_policy
                    .clone()
                    .with_version(&v.document)
                    .map_err(StartError::Policy)?,
            ),
            None => (0, file_policy.clone()),
        };
        let live = Arc::new(LivePolicy::new(file_policy, version, policy.clone()));
        let ctx = Context::new(
            Arc::new(keys),
            settings.clock.clone(),
            settings.random.clone(),
        );
        let proofs = proofs(settings, &ctx)?;
        let connected = connectors::connect(
            &ctx.keys,
            settings.sandbox,
            &settings.connectors,
            Some(Arc::new(storage.clone())),
            settings.clock.clone(),
            settings.random.clone(),
        )?;
        let bank = match &settings.bank_wrapper {
            Some(wrap) => wrap(connected.bank.clone()),
            None => connected.bank.clone(),
        };
        let (opening, kyc, money) = services(
            ctx,
            &policy,
            connected.identity.clone(),
            bank,
            connected.billers.clone(),
        );
        // Every decision names its rule set by hash: the document is kept under it, so `verify`
        // and `risk replay` can judge any decision again.
        money
            .remember_rule_set(&storage)
            .await
            .map_err(|e| match e {
                qianbao_wallet::money::MoneyError::Store(e) => StartError::Storage(e),
                other => StartError::Storage(StoreError::Unavailable(other.to_string())),
            })?;
        // Merchants' own URLs, in sandbox mode too: there is nothing to stand in for. The policy
        // that lets a merchant set a private URL also lets delivery reach it; without it, the
        // connector refuses internal addresses on every connection, whatever a name resolves to.
        let webhooks: Arc<dyn qianbao_wallet::WebhookSender> = Arc::new(
            qianbao_connectors::HttpWebhooks::new(qianbao_connectors::WEBHOOK_TIMEOUT)?
                .allow_private_networks(policy.money.webhook_private_hosts)?,
        );
        let background = workers::Background {
            storage: storage.clone(),
            money: money.clone(),
            live: live.clone(),
            webhooks,
            sms: connected.sms,
            clock: settings.clock.clone(),
            redact_sms: !settings.sandbox,
            proofs: proofs.clone(),
            checkpoint_every: settings.checkpoint_every,
            liability_snapshot_at: settings.liability_snapshot_at,
            rate_feed: connected.rate_feed.zip(settings.rate_feed_interval),
        };
        let console = qianbao_wallet::console::Console {
            ctx: opening.ctx.clone(),
            policy: qianbao_wallet::console::ConsolePolicy {
                refund_four_eyes_from_minor: policy.console_refund_four_eyes_from_minor,
                recon: policy.recon,
                ..Default::default()
            },
            policy_rules: live.clone(),
        };
        let state = AppState::new(crate::state::Services {
            store: store.clone(),
            storage: storage.clone(),
            opening,
            console,
            kyc,
            levels: Arc::new(policy.levels.clone()),
            money,
            metrics: metrics_handle(),
            sandbox: settings.sandbox,
            live,
            proofs,
        });
        Ok(Parts {
            router: router(state, settings),
            store,
            storage,
            background,
        })
    }
}

impl Application {
    /// Opens storage, starts the background work and binds the listener.
    pub async fn build(settings: Settings) -> Result<Application, StartError> {
        let parts = Parts::assemble(&settings).await?;
        parts.background.spawn();
        let listener =
            TcpListener::bind(settings.listen)
                .await
                .map_err(|source| StartError::Listen {
                    address: settings.listen,
                    source,
                })?;
        let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
        Ok(Application {
            listener,
            router: parts.router,
            port,
            store: parts.store,
            timeouts: settings.connection_timeouts(),
        })
    }

    /// The port actually bound.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The storage the application runs on.
    pub fn store(&self) -> Arc<dyn LedgerStore> {
        self.store.clone()
    }

    /// Serves until `shutdown` completes, then stops taking connections and lets the requests in
    /// flight finish.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        serve(self.listener, self.router, self.timeouts, shutdown).await
    }
}

/// The use cases over `policy`, with the identity verifier and bank given.
fn services(
    ctx: Context,
    policy: &Policy,
    verifier: Arc<dyn qianbao_wallet::IdentityVerifier>,
    bank: Arc<dyn qianbao_wallet::Bank>,
    billers: Arc<dyn qianbao_wallet::bills::Billers>,
) -> (Opening, Kyc, Money) {
    let opening = Opening {
        ctx: ctx.clone(),
        policy: policy.opening.clone(),
    };
    let kyc = Kyc {
        ctx: ctx.clone(),
        opening: opening.clone(),
        verifier,
        bank,
        pin_tries_max: policy.pin_tries_max,
        pin_lock_ms: policy.pin_lock_ms,
    };
    let money = Money {
        ctx,
        kyc: kyc.clone(),
        levels: Arc::new(policy.levels.clone()),
        fees: policy.fees,
        policy: policy.money.clone(),
        billers,
    };
    (opening, kyc, money)
}

/// The money use cases for an operator's command (`admin risk release`, `risk replay`): the
/// policy's rules and limits over the system clock. Such a command never calls the bank or the
/// identity service itself (a released withdrawal is paid out by the server's worker), so the
/// sandbox connectors stand in for them.
pub fn operator_money(keys: KeyRing, policy: &Policy) -> Result<Money, StartError> {
    let ctx = Context::new(
        Arc::new(keys),
        Arc::new(qianbao_wallet::SystemClock),
        Arc::new(qianbao_wallet::OsRandomness),
    );
    let connected = connectors::connect(
        &ctx.keys,
        true,
        &Default::default(),
        None,
        ctx.clock.clone(),
        ctx.random.clone(),
    )?;
    Ok(services(
        ctx,
        policy,
        connected.identity,
        connected.bank,
        connected.billers,
    )
    .2)
}

/// The master key: from `master_key` (64 hex digits) if given, else the 0600 key file in
/// `key_dir`, made on first use from `random` (the OS's, outside the simulation).
pub fn load_keys(
    master_key: Option<&str>,
    key_dir: &std::path::Path,
    random: &dyn qianbao_wallet::Randomness,
) -> Result<KeyRing, StartError> {
    match master_key {
        Some(hex) => Ok(KeyRing::from_hex(hex)?),
        None => {
            std::fs::create_dir_all(key_dir).map_err(|e| {
                StartError::Storage(StoreError::Unavailable(format!(
                    "cannot make {}: {e}",
                    key_dir.display()
                )))
            })?;
            Ok(KeyRing::load_or_create(
                &key_dir.join(qianbao_secrets::KEY_FILE_NAME),
                random,
            )?)
        }
    }
}
