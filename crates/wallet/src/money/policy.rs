//! The operator's numbers for money besides the levels and fees: caps, delays, lifetimes,
//! throttles.
use crate::risk::RuleSet;
use qianbao_ledger::Amount;
use std::sync::Arc;

/// The operator's numbers for money (besides the levels and fees).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MoneyPolicy {
    /// How long a payment code works.
    pub payment_code_ttl_ms: i64,
    /// How long a charge above the password-free limit waits for its payer to confirm it on
    /// their phone (like the payment code it came from, 60 s) before it lapses.
    pub awaiting_payer_ttl_ms: i64,
    /// The most one payment-code charge may be without the password (小额免密, default ¥500).
    pub password_free_payment_minor: Amount,
    /// The most payment-code charges without the password may total in a day (PBOC, ¥1,000).
    pub password_free_daily_minor: Amount,
    /// The most paying static QR codes from the balance may total in a day (PBOC, ¥500).
    pub static_qr_daily_minor: Amount,
    /// Movements of at least this much are also sent by SMS (default ¥1,000).
    pub alert_sms_minor: Amount,
    /// How soon a withdrawal is sent to the bank.
    pub withdrawal_delay_ms: i64,
    /// How long an order waits to be paid unless the merchant says otherwise.
    pub order_ttl_ms: i64,
    /// The longest an order may wait.
    pub order_ttl_max_ms: i64,
    /// The largest amount any one call may move (a bound on hostile input).
    pub amount_max_minor: Amount,
    /// How long a first request with a key counts as running before a retry may take over.
    pub idempotency_stale_ms: i64,
    /// Whether merchants may point webhooks at loopback and private addresses (the sandbox, where
    /// the receiver runs beside the server); off in production, so a merchant cannot make the
    /// platform call into its own network.
    pub webhook_private_hosts: bool,
    /// Payee look-ups one holder may make in an hour (`None`: no limit): each answers with a
    /// wallet id and a masked name, so unthrottled they would list who has a wallet.
    pub payee_lookups_per_holder_hourly_max: Option<i64>,
    /// Payee look-ups one client address may make in an hour (`None`: no limit, the sandbox
    /// default, where one tester's machine is every holder).
    pub payee_lookups_per_ip_hourly_max: Option<i64>,
    /// Wrong or used-up payment codes one merchant may send in a minute (`None`: no limit).
    pub wrong_payment_codes_per_minute_max: Option<i64>,
    /// The risk rules every money call is judged by (`docs/risk.md`).
    pub risk: Arc<RuleSet>,
    /// How long a payment held for review waits for a reviewer before it is rejected by itself.
    pub risk_hold_review_ms: i64,
    /// Currencies: which are enabled, spreads, quote lifetime, rate staleness.
    pub fx: crate::fx::FxPolicy,
    /// The city shops' EMVCo QR codes name (tag 60: printable ASCII, at most 15 characters).
    pub qr_merchant_city: String,
    /// Red packets: the most one may hold, shares, and how long it may be claimed.
    pub red_packets: crate::red_packets::RedPacketPolicy,
}

impl Default for MoneyPolicy {
    fn default() -> Self {
        MoneyPolicy {
            payment_code_ttl_ms: 60_000,
            awaiting_payer_ttl_ms: 60_000,
            password_free_payment_minor: Amount::from_minor(50_000),
            password_free_daily_minor: Amount::from_minor(100_000),
            static_qr_daily_minor: Amount::from_minor(50_000),
            alert_sms_minor: Amount::from_minor(100_000),
            withdrawal_delay_ms: 2_000,
            order_ttl_ms: 15 * 60_000,
            order_ttl_max_ms: 24 * 3_600_000,
            amount_max_minor: Amount::from_minor(1_000_000_000_000),
            idempotency_stale_ms: 60_000,
            webhook_private_hosts: false,
            payee_lookups_per_holder_hourly_max: Some(30),
            payee_lookups_per_ip_hourly_max: Some(120),
            wrong_payment_codes_per_minute_max: Some(10),
            risk: Arc::new(crate::risk::defaults::rule_set()),
            risk_hold_review_ms: 72 * 3_600_000,
            fx: crate::fx::FxPolicy::default(),
            qr_merchant_city: "BEIJING".into(),
            red_packets: crate::red_packets::RedPacketPolicy::default(),
        }
    }
}
