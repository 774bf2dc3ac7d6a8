//! The server's API tests: each starts the real application on a free port and talks HTTP to it,
//! or runs the real `qianbao` binary. One test binary, so the build links once.
#![allow(clippy::unwrap_used)]
#![allow(
    clippy::expect_used,
    reason = "a test that cannot go on stops with a message saying what was missing"
)]

/// These run on SQLite; `api_postgres` runs the opening, real-name, card, PIN, second-factor,
/// security, closing, money and merchant tests again on PostgreSQL.
pub const ON_POSTGRES: bool = false;

mod app_errors;
// Bill payment (生活缴费).
mod bills;
mod binary;
mod closing;
mod connectors;
mod console;
// Campaigns for a merchant from the console and the command line.
mod console_campaigns;
mod console_closing;
mod console_helpers;
mod console_kyc;
mod console_money;
mod console_policy;
mod fx;
mod hardening;
mod helpers;
mod kyc;
mod layers;
mod merchant;
// A shop's refund password, asked by the till.
mod merchant_refund_password;
mod money_alerts;
mod money_bank;
mod money_card_pay;
mod money_helpers;
mod money_limits;
mod money_pay;
mod money_records;
mod money_records_truth;
mod money_requests;
mod money_transfers;
// Red packets (红包).
mod money_waiting_charges;
mod notices_security;
mod opening;
mod ops;
mod red_packets;
// Campaigns and coupons.
mod points;
// Proof of liabilities: snapshots, the holder's proof, verify's checks.
mod liabilities;
// `qianbao proof verify`, offline: no database.
mod proof_cli;
mod proofs;
// The journal log over HTTP.
mod proofs_http;
// Statement exports that carry the log's proofs.
mod rewards;
mod statement_proofs;
// Gift and membership cards (礼品卡、会员卡).
mod gift_cards;
// Monthly budgets (消费预算).
mod budgets;
// Reconciliation against the bank's statements, and the funding invariant.
mod reconciliation;
mod risk;
mod security;
// What a till reads of a payment a coupon, points or gift cards paid in part.
mod till_breakdown;
mod totp;
// Transit ride codes (乘车码).
mod transit;
mod web;
mod webhooks;
