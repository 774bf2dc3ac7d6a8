//! The money rules where the rules are: limits, fees, holds, refunds, payment codes and timers,
//! run through the wallet's own use cases over a real SQLite store (a temp folder per test) and
//! the sandbox identity verifier and bank, without HTTP. Each test builds its own `World`
//! (`support`), and calls the money use cases only through its helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod fees;
mod holds;
mod limits;
mod payment_codes;
mod refunds;
mod risk;
mod timers;
