//! What every handler can reach: the storage, the wallet's use cases, the metrics. Built once when
//! the application starts and cloned into each request by axum; handlers take it as
//! `State<AppState>`, so no route needs to know how the application is built. The router holds
//! [`Shared`]; each handler's `State<AppState>` is made from it once per request, with the
//! limits, fees and risk rules in force at that moment (an approved policy change swaps them).

use crate::live_policy::LivePolicy;
use axum::extract::FromRef;
use metrics_exporter_prometheus::PrometheusHandle;
use qianbao_store::Storage;
use qianbao_wallet::LedgerStore;
use qianbao_wallet::console::Console;
use qianbao_wallet::kyc::Kyc;
use qianbao_wallet::levels::LevelTable;
use qianbao_wallet::money::Money;
use qianbao_wallet::opening::Opening;
use std::sync::{Arc, RwLock};

/// What every handler can reach, behind one `Arc`: axum clones the state for every layer and
/// extractor of every request, and a copy of every service each time (their `Arc`s counted up and
/// down, the money policy copied) was a third of the server's time on a health check.
#[derive(Clone)]
pub struct AppState(Arc<Services>);

/// The services themselves, reached through [`AppState`].
#[derive(Clone)]
pub struct Services {
    /// The ledger's storage.
    pub store: Arc<dyn LedgerStore>,
    /// The same storage, for the wallet's records.
    pub storage: Storage,
    /// Sign-up, login and sessions.
    pub opening: Opening,
    /// The operator's console: staff, roles, holder 360, the audit log.
    pub console: Console,
    /// Real-name verification, cards and the payment password.
    pub kyc: Kyc,
    /// The limits of each real-name level.
    pub levels: Arc<LevelTable>,
    /// Top-ups, withdrawals, transfers, merchants and records.
    pub money: Money,
    /// The Prometheus exporter's handle.
    pub metrics: PrometheusHandle,
    /// Whether sandbox mode is on.
    pub sandbox: bool,
    /// The policy in force, which console policy changes replace.
    pub live: Arc<LivePolicy>,
    /// The journal log's checkpoints and proofs.
    pub proofs: qianbao_wallet::proofs::Proofs,
}

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

impl AppState {
    /// The state of an application built from `services`.
    pub fn new(services: Services) -> AppState {
        AppState(Arc::new(services))
    }

    /// This state with the policy in force now: the levels and the money use cases read it.
    pub fn in_force(&self) -> AppState {
        let mut services = Services::clone(self);
        services.money = self.live.money(&self.money);
        services.levels = services.money.levels.clone();
        AppState::new(services)
    }
}

/// The router's state: the state as built, and the same with the policy in force, made again only
/// when another policy comes into force. Each handler's `State<AppState>` is taken from it once per
/// request, so one call reads one policy from start to end.
#[derive(Clone)]
pub struct Shared {
    built: AppState,
    in_force: Arc<RwLock<(i64, AppState)>>,
}

impl Shared {
    /// The router's state for an application built as `state`.
    pub fn new(state: AppState) -> Shared {
        let in_force = (state.live.version(), state.in_force());
        Shared {
            built: state,
            in_force: Arc::new(RwLock::new(in_force)),
        }
    }

    /// The state as built, for what reads no policy (finding the caller of a request).
    pub fn built(&self) -> &AppState {
        &self.built
    }
}

impl FromRef<Shared> for AppState {
    fn from_ref(shared: &Shared) -> AppState {
        // The version is read before the policy: a state made from a newer policy than its
        // version says is only made again by the next request, never served stale.
        let version = shared.built.live.version();
        if let Ok(made) = shared.in_force.read()
            && made.0 == version
        {
            return made.1.clone();
        }
        let fresh = shared.built.in_force();
        if let Ok(mut made) = shared.in_force.write() {
            *made = (version, fresh.clone());
        }
        fresh
    }
}
