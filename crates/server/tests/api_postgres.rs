//! The operations, opening, real-name, card, PIN and security API tests again, every application
//! on a fresh PostgreSQL database instead of SQLite: the same rules must hold on both backends.
#![allow(clippy::unwrap_used)]

/// Every application of this binary runs on PostgreSQL.
pub const ON_POSTGRES: bool = true;

#[path = "api/helpers.rs"]
mod helpers;
#[path = "api/kyc.rs"]
mod kyc;
#[path = "api/opening.rs"]
mod opening;
#[path = "api/ops.rs"]
mod ops;
#[path = "api/security.rs"]
mod security;
