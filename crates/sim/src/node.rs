//! One incarnation of the wallet server: the real router and SQLite store over the simulation's
//! folder, on a current-thread runtime of its own. A crash drops the whole node — runtime, tasks,
//! router, store and its writer threads — and a restart builds a new one over the same files.

use crate::bank::{BankPlan, FaultyBank};
use crate::client::{Call, Reply, send};
use crate::clock::SimClock;
use crate::webhooks::Receiver;
use qianbao_server::{Parts, Settings};
use qianbao_store::Location;
use qianbao_wallet::VerifyReport;
use std::path::Path;
use std::sync::Arc;

/// A running server, driven by hand.
pub struct Node {
    // Dropped before the runtime: the store's handles are released while their runtime lives.
    parts: Parts,
    /// The bank's faults, whose crash signal ends a request or a tick mid-way.
    plan: Arc<BankPlan>,
    runtime: tokio::runtime::Runtime,
}

impl Node {
    /// Builds a server over `dir` with the simulation's clock, master key and policy, and
    /// randomness seeded from the master key (itself from the seed) and this boot's number;
    /// webhooks go to `receiver`, bank movements through `plan`'s faults. Starts no background
    /// task: the simulation ticks the background work.
    pub fn boot(
        dir: &Path,
        clock: Arc<SimClock>,
        master_key_hex: &str,
        receiver: Arc<Receiver>,
        plan: Arc<BankPlan>,
    ) -> Result<Node, String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot make a runtime: {e}"))?;
        let mut settings = Settings::new(Location::SqliteDir(dir.to_path_buf()));
        settings.sandbox = true;
        // The store, the sandbox bank and every use case read the simulated clock through it.
        settings.clock = clock;
        // Every token, code, salt, nonce, key and id from one stream per incarnation: the same
        // seed replays them, and a restart after a crash draws a new stream (its number is kept
        // beside the database, which outlives the crash) instead of repeating the first one's
        // tokens and ids.
        let boot = {
            let path = dir.join("sim-boots");
            let boot = match std::fs::read_to_string(&path) {
                Ok(text) => text
                    .trim()
                    .parse::<u64>()
                    .map_err(|e| format!("{} is damaged: {e}", path.display()))?,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
                Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
            };
            std::fs::write(&path, (boot + 1).to_string())
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            boot
        };
        // The stream's seed: the first eight bytes of SHA-256 over the master key (drawn from the
        // simulation's seed) and the boot's number.
        use sha2::Digest;
        let digest = sha2::Sha256::new()
            .chain_update(b"qianbao sim randomness")
            .chain_update(master_key_hex.as_bytes())
            .chain_update(boot.to_le_bytes())
            .finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        settings.random = Arc::new(qianbao_wallet::SeededRandomness::new(u64::from_le_bytes(
            first,
        )));
        settings.key_dir = dir.to_path_buf();
        // A key from the seed, not a key file from the OS's randomness: the same seed encrypts,
        // signs and derives the sandbox bank's secret the same way.
        settings.master_key = Some(master_key_hex.to_string());
        settings.policy = Some(crate::policy::simulated());
        // Neither rates nor checkpoints: the workload has no FX yet, and checkpoints are taken on
        // the proofs' own interval, not the simulation's. The daily liability snapshot stays on
        // (03:00 China time by default): the clock's jumps across days take one, and verify
        // checks each against the journal.
        settings.rate_feed_interval = None;
        settings.checkpoint_every = None;
        let faults = plan.clone();
        settings.bank_wrapper = Some(Arc::new(move |bank| {
            Arc::new(FaultyBank::new(bank, faults.clone())) as Arc<dyn qianbao_wallet::Bank>
        }));
        let parts = runtime
            .block_on(Parts::assemble(&settings))
            .map_err(|e| format!("cannot start the server: {e}"))?;
        let parts = Parts {
            background: parts.background.with_webhooks(receiver),
            ..parts
        };
        Ok(Node {
            parts,
            plan,
            runtime,
        })
    }

    /// Sends one request and waits for its whole reply; `None` when the server died while it
    /// waited (a planned bank fault), and must be dropped.
    pub fn call(&self, call: Call) -> Option<Reply> {
        self.runtime.block_on(async {
            tokio::select! {
                // The request first: the signal only counts once the request can go no further.
                biased;
                reply = send(&self.parts.router, call) => Some(reply),
                () = self.plan.crashed.notified() => None,
            }
        })
    }

    /// One pass of every background loop: due timers, outboxes, daily checks. False when the
    /// server died during it, and must be dropped.
    pub fn tick(&self) -> bool {
        self.runtime.block_on(async {
            tokio::select! {
                biased;
                () = self.parts.background.tick() => true,
                () = self.plan.crashed.notified() => false,
            }
        })
    }

    /// Sets mid rates (`("USD/CNY", "7.1234")`) as set at `now_ms`, as `qianbao admin fx set`
    /// does: the rate feed is off, so the seed decides every rate.
    pub fn set_rates(&self, rates: &[(String, String)], now_ms: i64) -> Result<(), String> {
        let rates = rates
            .iter()
            .map(|(pair, rate)| qianbao_wallet::fx::operator_rate(pair, rate, "operator", now_ms))
            .collect::<Result<Vec<_>, String>>()?;
        self.runtime.block_on(async {
            qianbao_wallet::fx::set_rates(&self.parts.storage, rates)
                .await
                .map_err(|e| e.to_string())
        })
    }

    /// What `qianbao verify` reports: the store's replay of the journal, then the wallet's own
    /// checks (risk decisions, funding, red packets, rewards, gift cards, liability snapshots,
    /// the audit chain).
    pub fn verify(&self) -> Result<VerifyReport, String> {
        self.runtime.block_on(async {
            let mut report = self.parts.store.verify().await.map_err(|e| e.to_string())?;
            let storage = &self.parts.storage;
            qianbao_wallet::verify_wallet::verify_wallet(storage, &mut report)
                .await
                .map_err(|e| e.to_string())?;
            Ok(report)
        })
    }
}
