//! The wallet's use cases and rules, and the ports through which they reach storage and the outside.
//!
//! This crate knows no SQL and no HTTP: adapters in `qianbao-store` and `qianbao-server` implement
//! and call the ports defined here.

// Bill payment (生活缴费): billers, look-ups, payments and auto-pay.
pub mod bills;
// Monthly budgets (消费预算).
pub mod budgets;
pub mod console;
pub mod context;
pub mod domain;
// Several currencies: rates, quotes and conversions.
pub mod fx;
pub mod gift_cards;
pub mod ids;
pub mod kyc;
pub mod levels;
pub mod money;
pub mod opening;
pub mod points;
pub mod ports;
// Proofs a holder can check: the journal log's checkpoints and proofs.
pub mod proofs;
pub mod records;
// Red packets: the split and its fairness commitment.
pub mod recovery;
pub mod red_packets;
pub mod rewards;
// Reconciliation against the bank's statements, and the funding invariant.
pub mod recon;
pub mod risk;
pub mod security;
// Test-only switches re-introducing known bugs, for the simulation (`crates/sim`) to catch.
#[cfg(feature = "sim-bugs")]
pub mod sim_bugs;
// The inbox notices for changes to how a wallet is guarded.
pub mod security_notices;
pub mod storage;
pub mod throttle;
// Transit ride codes (乘车码), fares and taps.
pub mod till;
pub mod transit;
pub mod verify;
pub mod verify_audit;
pub mod verify_holds;
pub mod verify_risk;
pub mod verify_rows;
// The funding invariant, checked by `qianbao verify`.
pub mod verify_funding;
pub mod verify_red_packets;
pub mod verify_rewards;
// Gift and membership cards against their ledger accounts.
pub mod verify_gift_cards;
pub mod verify_wallet;

// Closing wallets (注销).
pub mod closing;

pub use ports::{
    AccountOwner, Bank, BankMovement, BankOutcome, CardCheck, CardCheckOutcome, CardConfirmOutcome,
    Clock, ConnectorError, FaceVerdict, FeedRate, IdentityVerdict, IdentityVerifier, LedgerStore,
    OsRandomness, Randomness, RateFeed, SeededRandomness, SmsError, SmsGateway, StoreError,
    SystemClock, WebhookSender,
};
pub use verify::VerifyReport;
// Reconciliation: the sandbox bank's books.
pub use ports::{BankBooking, SandboxBankBooks};
