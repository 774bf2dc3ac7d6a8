//! What every handler can reach: the storage, the wallet's use cases, the metrics. Built once when
//! the application starts and cloned into each request by axum; handlers take it as
//! `State<AppState>`, so no route needs to know how the application is built.

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
}
