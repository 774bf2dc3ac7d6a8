//! The operations, opening, real-name, card, PIN, second-factor, security, closing, money and
//! merchant API tests again, every application on a fresh PostgreSQL database instead of SQLite:
//! the same rules must hold on both backends.
#![allow(clippy::unwrap_used)]
#![allow(
    clippy::expect_used,
    reason = "a test that cannot go on stops with a message saying what was missing"
)]

/// Every application of this binary runs on PostgreSQL.
pub const ON_POSTGRES: bool = true;

#[path = "api/app_errors.rs"]
mod app_errors;
// Bill payment (生活缴费).
#[path = "api/bills.rs"]
mod bills;
#[path = "api/closing.rs"]
mod closing;
#[path = "api/console.rs"]
mod console;
#[path = "api/console_campaigns.rs"]
mod console_campaigns;
#[path = "api/console_closing.rs"]
mod console_closing;
#[path = "api/console_helpers.rs"]
mod console_helpers;
#[path = "api/console_kyc.rs"]
mod console_kyc;
#[path = "api/console_money.rs"]
mod console_money;
#[path = "api/console_policy.rs"]
mod console_policy;
#[path = "api/fx.rs"]
mod fx;
// Transit ride codes (乘车码).
#[path = "api/budgets.rs"]
mod budgets;
#[path = "api/gift_cards.rs"]
mod gift_cards;
#[path = "api/hardening.rs"]
mod hardening;
#[path = "api/helpers.rs"]
mod helpers;
#[path = "api/kyc.rs"]
mod kyc;
#[path = "api/liabilities.rs"]
mod liabilities;
#[path = "api/merchant.rs"]
mod merchant;
#[path = "api/merchant_refund_password.rs"]
mod merchant_refund_password;
#[path = "api/money_alerts.rs"]
mod money_alerts;
#[path = "api/money_bank.rs"]
mod money_bank;
#[path = "api/money_card_pay.rs"]
mod money_card_pay;
#[path = "api/money_helpers.rs"]
mod money_helpers;
#[path = "api/money_limits.rs"]
mod money_limits;
#[path = "api/money_pay.rs"]
mod money_pay;
#[path = "api/money_records.rs"]
mod money_records;
#[path = "api/money_records_truth.rs"]
mod money_records_truth;
#[path = "api/money_requests.rs"]
mod money_requests;
#[path = "api/money_transfers.rs"]
mod money_transfers;
#[path = "api/money_waiting_charges.rs"]
mod money_waiting_charges;
#[path = "api/notices_security.rs"]
mod notices_security;
#[path = "api/opening.rs"]
mod opening;
#[path = "api/ops.rs"]
mod ops;
#[path = "api/points.rs"]
mod points;
#[path = "api/proofs.rs"]
mod proofs;
#[path = "api/proofs_http.rs"]
mod proofs_http;
#[path = "api/red_packets.rs"]
mod red_packets;
#[path = "api/rewards.rs"]
mod rewards;
#[path = "api/statement_proofs.rs"]
mod statement_proofs;
#[path = "api/transit.rs"]
mod transit;
// Reconciliation against the bank's statements, and the funding invariant.
#[path = "api/reconciliation.rs"]
mod reconciliation;
#[path = "api/risk.rs"]
mod risk;
#[path = "api/security.rs"]
mod security;
#[path = "api/till_breakdown.rs"]
mod till_breakdown;
#[path = "api/totp.rs"]
mod totp;
#[path = "api/webhooks.rs"]
mod webhooks;
