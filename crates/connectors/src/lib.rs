//! Connectors to the outside world: one module per kind, each implementing a port of
//! `qianbao-wallet` — most of them twice, a sandbox (for `serve --sandbox` and tests) and a
//! production one.
//!
//! - [`sms`]: [`SandboxSms`] takes every message (the durable outbox is what the sandbox shows);
//!   [`HttpSms`] posts to an HTTP SMS provider.
//! - [`identity`]: [`SandboxIdentity`] follows API.md's Sandbox rules on the ID number's sequence
//!   code; [`HttpIdentity`] asks an HTTP verifier about name + ID number and selfies.
//! - [`bank`]: [`SandboxBank`] binds the test cards of API.md (its references, codes and card
//!   tokens are HMACs under a secret) and keeps the money in in-memory books for the process's
//!   life — ¥1,000,000 per card, debits and credits deduped by reference — and what moved in the
//!   books it is given (the database, under the server), from which it prints its daily
//!   statements; [`HttpBank`] speaks to a bank's HTTP API.
//! - [`rates`]: [`SandboxRateFeed`] makes up mid-market rates against CNY that drift a little,
//!   deterministically, with the clock; [`HttpRateFeed`] asks a bank's or a vendor's rate feed,
//!   whose rates must arrive as decimal strings.
//! - [`billers`]: [`SandboxBillers`] makes up bills for a few billers in 兰州, 北京 and 上海, with
//!   test accounts for every answer (`docs/bills.md`); [`HttpBillers`] speaks to a bill network.
//! - [`webhook`]: [`HttpWebhooks`] POSTs signed events to the URLs merchants chose. It has no
//!   sandbox twin: merchants' receivers are real in sandbox mode too.
//!
//! Only this crate knows outside protocols. The production connectors to providers share one
//! outbound path: a JSON POST with `Authorization: Bearer <api key>`, an `Idempotency-Key` stable
//! across the retries of one call, a timeout per attempt, bounded retries with doubling backoff
//! on 5xx, 408, 429, timeouts and connection failures, no redirects, and answers capped at
//! 64 KiB. No request body — names, ID numbers, card numbers, CVVs, selfies — is ever logged or
//! put in an error message. Webhooks go to merchants, not providers: no key of ours, one attempt
//! per call (the outbox retries with backoff), no redirects, a timeout, and answers never read.
//!
//! **TLS.** Built by default, this crate speaks plain `http` only, and a connector configured
//! with an `https` URL is refused at construction with [`ConfigError::TlsNotBuilt`]; a merchant's
//! `https` webhook URL fails at each delivery instead, counted like any failed try. HTTPS comes
//! with the `tls` feature: rustls with the ring provider (ring builds with gcc alone; reqwest's
//! default rustls feature needs aws-lc-rs, which needs cmake). It is not on by default because
//! reqwest's `rustls-no-provider` feature, once on anywhere in a build, makes *every*
//! `reqwest::Client` in that build panic at construction unless a rustls provider is installed
//! process-wide first — including clients in other crates' tests. Whoever enables `tls` calls
//! `install_tls_provider()` at start, before building any other client (the production
//! connectors also call it themselves).

mod config;
mod outbound;

pub mod bank;
// Bill payment's billers.
pub mod billers;
pub mod identity;
pub mod rates;
pub mod sms;
pub mod webhook;

pub use bank::{HttpBank, HttpBankConfig, SandboxBank};
pub use billers::{HttpBillers, HttpBillersConfig, SandboxBillers};
pub use config::{ApiKey, BACKOFF_MAX, ConfigError, RETRIES_MAX, TIMEOUT_MAX};
pub use identity::{HttpIdentity, HttpIdentityConfig, SandboxIdentity};
pub use rates::{HttpRateFeed, HttpRateFeedConfig, SandboxRateFeed};
pub use sms::{HttpSms, HttpSmsConfig, SandboxSms};
pub use webhook::{HttpWebhooks, WEBHOOK_TIMEOUT};

/// Installs rustls's ring provider as the process default, so every `reqwest::Client` built
/// afterwards can speak TLS; does nothing if a provider is already installed. Idempotent.
#[cfg(feature = "tls")]
pub fn install_tls_provider() {
    // `Err` means another provider won the race or was installed on purpose: either serves.
    let _already_installed = rustls::crypto::ring::default_provider().install_default();
}
