//! Connectors to the outside world, one module per kind, each implementing a port of
//! `qianbao-wallet` with a sandbox implementation (for `serve --sandbox` and tests) and, as they
//! arrive, a production one.

pub mod sms;
