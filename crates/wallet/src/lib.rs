//! The wallet's use cases and rules, and the ports through which they reach storage and the outside.
//!
//! This crate knows no SQL and no HTTP: adapters in `qianbao-store` and `qianbao-server` implement
//! and call the ports defined here.

pub mod domain;
pub mod ports;
pub mod verify;

pub use ports::{AccountOwner, LedgerStore, StoreError};
pub use verify::VerifyReport;
