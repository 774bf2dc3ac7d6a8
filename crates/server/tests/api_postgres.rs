//! The operations, opening, real-name, card, PIN, security, money and merchant API tests again,
//! every application on a fresh PostgreSQL database instead of SQLite: the same rules must hold on
//! both backends.
#![allow(clippy::unwrap_used)]

/// Every application of this binary runs on PostgreSQL.
pub const ON_POSTGRES: bool = true;

#[path = "api/hardening.rs"]
mod hardening;
#[path = "api/helpers.rs"]
mod helpers;
#[path = "api/kyc.rs"]
mod kyc;
#[path = "api/merchant.rs"]
mod merchant;
#[path = "api/money.rs"]
mod money;
#[path = "api/money_helpers.rs"]
mod money_helpers;
#[path = "api/opening.rs"]
mod opening;
#[path = "api/ops.rs"]
mod ops;
#[path = "api/security.rs"]
mod security;
#[path = "api/webhooks.rs"]
mod webhooks;
