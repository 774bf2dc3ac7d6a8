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
use std::sync::Arc;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
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

impl AppState {
    /// This state with the policy in force now: the levels and the money use cases read it.
    pub fn in_force(&self) -> AppState {
        let mut state = self.clone();
        state.money = self.live.money(&self.money);
        state.levels = state.money.levels.clone();
        state
    }
}

/// The router's state. Handlers take `State<AppState>`, made from it once per request by
/// [`AppState::in_force`], so one call reads one policy from start to end.
#[derive(Clone)]
pub struct Shared(pub AppState);

impl FromRef<Shared> for AppState {
    fn from_ref(shared: &Shared) -> AppState {
        shared.0.in_force()
    }
}
