//! The operator's policy file (`serve --policy FILE`): limits per real-name level and the numbers
//! of codes, logins and payment passwords. Every key is optional; what is absent keeps its default
//! (SPEC §4, API.md). Amounts are in fen.
//!
//! ```json
//! {
//!   "levels": [
//!     {"balance_cap": 1000000, "per_payment": 200000, "per_day": 500000},
//!     {"balance_cap": 2000000, "per_payment": 500000, "per_day": 1000000},
//!     {"balance_cap": 50000000, "per_payment": 5000000, "per_day": 10000000},
//!     {"balance_cap": null, "per_payment": null, "per_day": null}
//!   ],
//!   "otp_ttl_s": 300, "otp_resend_s": 60, "otp_per_phone_daily_max": 10,
//!   "otp_per_ip_hourly_max": 20, "otp_wrong_tries_max": 5,
//!   "login_failures_max": 5, "pin_tries_max": 5, "pin_lock_s": 10800,
//!   "fees": {"credit_topup_bps": 10, "withdrawal_free": 100000, "withdrawal_bps": 10,
//!            "withdrawal_min": 10, "merchant_bps": 60},
//!   "password_free_payment": 50000, "password_free_daily": 100000, "static_qr_daily": 50000,
//!   "alert_sms_from": 100000, "payment_code_ttl_s": 60, "awaiting_payer_ttl_s": 60,
//!   "withdrawal_delay_s": 2,
//!   "webhook_private_hosts": false,
//!   "recovery_wrong_daily_max": 5, "unfreeze_after_reset_wait_s": 86400,
//!   "payee_lookups_per_holder_hourly_max": 30, "payee_lookups_per_ip_hourly_max": 120,
//!   "wrong_payment_codes_per_minute_max": 10,
//!   "risk": {"rules": [{"id": "large_payment", "kind": "amount_at_least",
//!                       "outcome": "step_up", "params": {"min_amount": 500000}}]},
//!   "risk_hold_review_s": 259200,
//!   "closed_phone_cooling_off_days": 30,
//!   "recon_date_tolerance_days": 1,
//!   "console_refund_four_eyes_from": 50000,
//!   "fx": {"currencies": ["CNY", "HKD", "USD", "EUR", "JPY", "GBP"], "spread_bps": 50,
//!          "spreads": {"USD/CNY": 30}, "quote_ttl_s": 30, "rate_stale_s": 86400},
//!   "qr_merchant_city": "LANZHOU",
//!   "red_packets": {"one_to_one_max": 20000, "group_max": 2000000, "group_shares_max": 100,
//!                   "ttl_s": 86400}
//! }
//! ```

use qianbao_ledger::Amount;
use qianbao_wallet::levels::{LevelTable, Limits};
use qianbao_wallet::opening::OpeningPolicy;
use serde::Deserialize;
use std::path::Path;

/// One level's limits in the file; `null` is no limit.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelLimits {
    /// The most the wallet may hold.
    pub balance_cap: Option<i64>,
    /// The most one payment may be.
    pub per_payment: Option<i64>,
    /// The most that may leave in a day.
    pub per_day: Option<i64>,
}

/// The fee schedule in the file (basis points and fen).
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeesFile {
    /// Credit-card top-ups, basis points.
    pub credit_topup_bps: Option<i64>,
    /// Withdrawals free over a holder's life up to this.
    pub withdrawal_free: Option<i64>,
    /// Withdrawals above that, basis points.
    pub withdrawal_bps: Option<i64>,
    /// The smallest withdrawal fee charged.
    pub withdrawal_min: Option<i64>,
    /// The merchant discount rate, basis points.
    pub merchant_bps: Option<i64>,
}

/// The currency policy in the file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FxFile {
    /// The enabled currencies (ISO 4217, CNY among them).
    pub currencies: Option<Vec<String>>,
    /// The spread of a pair not named in `spreads`, basis points.
    pub spread_bps: Option<u32>,
    /// Spreads by pair (`USD/CNY`), basis points; a pair's spread applies both ways.
    pub spreads: Option<std::collections::BTreeMap<String, u32>>,
    /// How long a quote may be used.
    pub quote_ttl_s: Option<i64>,
    /// A rate older than this gives no quote.
    pub rate_stale_s: Option<i64>,
}

/// The policy file.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyFile {
    /// L0 to L3.
    pub levels: Option<[LevelLimits; 4]>,
    /// How long a code lives.
    pub otp_ttl_s: Option<i64>,
    /// How soon one phone may ask again.
    pub otp_resend_s: Option<i64>,
    /// Codes per phone per day.
    pub otp_per_phone_daily_max: Option<i64>,
    /// Codes per client address per hour; `0` switches the limit off.
    pub otp_per_ip_hourly_max: Option<i64>,
    /// Wrong codes before a code dies.
    pub otp_wrong_tries_max: Option<i64>,
    /// Wrong passwords before login locks.
    pub login_failures_max: Option<i64>,
    /// Wrong payment passwords before payments lock.
    pub pin_tries_max: Option<i64>,
    /// How long that lock lasts.
    pub pin_lock_s: Option<i64>,
    /// The fee schedule.
    pub fees: Option<FeesFile>,
    /// The most one payment-code charge may be without the password.
    pub password_free_payment: Option<i64>,
    /// The most such charges may total in a day.
    pub password_free_daily: Option<i64>,
    /// The most static-QR payments may total in a day.
    pub static_qr_daily: Option<i64>,
    /// Movements from this amount on are also texted.
    pub alert_sms_from: Option<i64>,
    /// How long a payment code works.
    pub payment_code_ttl_s: Option<i64>,
    /// How long a charge above the password-free limit waits for its payer to confirm it.
    pub awaiting_payer_ttl_s: Option<i64>,
    /// How soon a withdrawal goes to the bank.
    pub withdrawal_delay_s: Option<i64>,
    /// Whether webhook URLs may name loopback or private addresses (default: only under the
    /// sandbox).
    pub webhook_private_hosts: Option<bool>,
    /// Wrong identity answers one phone may give during recovery in 24 hours, across codes.
    pub recovery_wrong_daily_max: Option<i64>,
    /// How long after a password reset an unfreeze waits; `0` lets it through at once.
    pub unfreeze_after_reset_wait_s: Option<i64>,
    /// Payee look-ups per holder per hour; `0` switches the limit off.
    pub payee_lookups_per_holder_hourly_max: Option<i64>,
    /// Payee look-ups per client address per hour; `0` switches the limit off.
    pub payee_lookups_per_ip_hourly_max: Option<i64>,
    /// Wrong payment codes per merchant per minute; `0` switches the limit off.
    pub wrong_payment_codes_per_minute_max: Option<i64>,
    /// The risk rules (`{"rules": [...]}`, `docs/risk.md`); absent keeps the default set, an
    /// empty list switches risk control's rules off (every call is still recorded).
    pub risk: Option<qianbao_wallet::risk::RuleSet>,
    /// How long a payment held for review waits for a reviewer before it is rejected by itself.
    pub risk_hold_review_s: Option<i64>,
    /// Days after a wallet is closed before its phone may open a new one; `0` lets it at once.
    pub closed_phone_cooling_off_days: Option<i64>,
    /// Reconciliation: how many days a statement line's date may be from the day we confirmed
    /// its movement before it is a break (default 1).
    pub recon_date_tolerance_days: Option<i64>,
    /// A refund on a merchant's behalf from the console above this many fen needs a second
    /// staff member's approval (default 50000).
    pub console_refund_four_eyes_from: Option<i64>,
    /// Currencies: which are enabled, spreads, quote lifetime and rate staleness.
    pub fx: Option<FxFile>,
    /// The city shops' EMVCo QR codes name (printable ASCII, at most 15 characters).
    pub qr_merchant_city: Option<String>,
    /// Red packets: the most one may hold, the most shares, how long it may be claimed.
    pub red_packets: Option<RedPacketsFile>,
}

/// Red packets' limits in the file (fen, seconds).
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedPacketsFile {
    /// The most a one-to-one packet may hold.
    pub one_to_one_max: Option<i64>,
    /// The most a group packet may hold.
    pub group_max: Option<i64>,
    /// The most shares a group packet may have.
    pub group_shares_max: Option<i64>,
    /// How long a packet may be claimed before what is left goes back.
    pub ttl_s: Option<i64>,
}

/// Lays the file's currency policy over `fx` and checks the result.
fn fx_policy(fx: &mut qianbao_wallet::fx::FxPolicy, f: &FxFile) -> Result<(), String> {
    use qianbao_ledger::Currency;
    use qianbao_wallet::fx::rates::Pair;
    if let Some(codes) = &f.currencies {
        fx.enabled = codes
            .iter()
            .map(|c| {
                Currency::parse(c)
                    .filter(|c| c.info().is_some())
                    .ok_or_else(|| format!("fx.currencies: {c:?} is not a currency qianbao knows"))
            })
            .collect::<Result<_, _>>()?;
    }
    if let Some(v) = f.spread_bps {
        fx.spread_bps = v;
    }
    if let Some(spreads) = &f.spreads {
        fx.spreads = spreads
            .iter()
            .map(|(pair, bps)| {
                Pair::parse(pair)
                    .map(|p| (p, *bps))
                    .map_err(|e| format!("fx.spreads: {pair}: {e}"))
            })
            .collect::<Result<_, _>>()?;
    }
    if let Some(v) = f.quote_ttl_s {
        fx.quote_ttl_ms = v.saturating_mul(1000);
    }
    if let Some(v) = f.rate_stale_s {
        fx.rate_stale_ms = v.saturating_mul(1000);
    }
    fx.check().map_err(|e| e.to_string())
}

/// The policy in force.
#[derive(Clone, Debug)]
pub struct Policy {
    /// Codes and logins.
    pub opening: OpeningPolicy,
    /// Limits per level.
    pub levels: LevelTable,
    /// Wrong payment passwords before payments lock.
    pub pin_tries_max: i64,
    /// How long that lock lasts, in ms.
    pub pin_lock_ms: i64,
    /// The fee schedule.
    pub fees: qianbao_wallet::money::fees::FeeSchedule,
    /// The other money numbers.
    pub money: qianbao_wallet::money::MoneyPolicy,
    /// Reconciliation's numbers.
    pub recon: qianbao_wallet::recon::ReconPolicy,
    /// Console refunds on a merchant's behalf above this (fen) are four-eyes commands.
    pub console_refund_four_eyes_from_minor: i64,
}

impl Policy {
    /// The defaults for the mode: under the sandbox the per-address code limit is off and codes are
    /// kept for the sandbox's SMS view.
    pub fn defaults(sandbox: bool) -> Policy {
        let mut opening = OpeningPolicy::default();
        if sandbox {
            opening.otp_per_ip_hourly_max = None;
            opening.keep_codes_in_outbox = true;
        }
        let mut money = qianbao_wallet::money::MoneyPolicy {
            // The sandbox's merchants test webhooks against receivers on the same machine.
            webhook_private_hosts: sandbox,
            ..Default::default()
        };
        if sandbox {
            // One tester's machine is every holder's address there.
            money.payee_lookups_per_ip_hourly_max = None;
        }
        Policy {
            opening,
            levels: LevelTable::default(),
            pin_tries_max: 5,
            pin_lock_ms: 3 * 3600 * 1000,
            fees: Default::default(),
            money,
            recon: Default::default(),
            console_refund_four_eyes_from_minor: qianbao_wallet::console::ConsolePolicy::default()
                .refund_four_eyes_from_minor,
        }
    }

    /// The defaults with `file`'s values over them; refuses numbers that make no sense.
    pub fn with(mut self, file: &PolicyFile) -> Result<Policy, String> {
        let positive = |name: &str, v: Option<i64>| match v {
            Some(n) if n <= 0 => Err(format!("{name} must be above zero, not {n}")),
            _ => Ok(v),
        };
        if let Some(levels) = &file.levels {
            for (i, l) in levels.iter().enumerate() {
                for v in [l.balance_cap, l.per_payment, l.per_day]
                    .into_iter()
                    .flatten()
                {
                    if v < 0 {
                        return Err(format!("levels[{i}]: limits cannot be negative"));
                    }
                }
            }
            self.levels = LevelTable(levels.map(|l| Limits {
                balance_cap: l.balance_cap.map(Amount::from_minor),
                per_payment: l.per_payment.map(Amount::from_minor),
                per_day: l.per_day.map(Amount::from_minor),
            }));
        }
        let o = &mut self.opening;
        if let Some(v) = positive("otp_ttl_s", file.otp_ttl_s)? {
            o.otp_ttl_ms = v * 1000;
        }
        if let Some(v) = positive("otp_resend_s", file.otp_resend_s)? {
            o.otp_resend_ms = v * 1000;
        }
        if let Some(v) = positive("otp_per_phone_daily_max", file.otp_per_phone_daily_max)? {
            o.otp_per_phone_daily_max = v;
        }
        if let Some(v) = file.otp_per_ip_hourly_max {
            o.otp_per_ip_hourly_max = (v > 0).then_some(v);
        }
        if let Some(v) = positive("otp_wrong_tries_max", file.otp_wrong_tries_max)? {
            o.otp_wrong_tries_max = v;
        }
        if let Some(v) = positive("login_failures_max", file.login_failures_max)? {
            o.login_failures_max = v;
        }
        if let Some(v) = positive("recovery_wrong_daily_max", file.recovery_wrong_daily_max)? {
            o.recovery_wrong_daily_max = v;
        }
        if let Some(v) = file.unfreeze_after_reset_wait_s {
            if v < 0 {
                return Err(format!(
                    "unfreeze_after_reset_wait_s cannot be negative, not {v}"
                ));
            }
            o.unfreeze_after_reset_wait_ms = v * 1000;
        }
        if let Some(v) = file.closed_phone_cooling_off_days {
            // Past 100 years the milliseconds would not fit; no operator means that.
            if !(0..=36_500).contains(&v) {
                return Err(format!(
                    "closed_phone_cooling_off_days must be 0 to 36500, not {v}"
                ));
            }
            o.closed_phone_cooling_off_ms = v * 86_400_000;
        }
        if let Some(v) = positive("pin_tries_max", file.pin_tries_max)? {
            self.pin_tries_max = v;
        }
        if let Some(v) = positive("pin_lock_s", file.pin_lock_s)? {
            self.pin_lock_ms = v * 1000;
        }
        let not_negative = |name: &str, v: Option<i64>| match v {
            Some(n) if n < 0 => Err(format!("{name} cannot be negative, not {n}")),
            _ => Ok(v),
        };
        if let Some(f) = &file.fees {
            let fees = &mut self.fees;
            if let Some(v) = not_negative("fees.credit_topup_bps", f.credit_topup_bps)? {
                fees.credit_topup_bps = v;
            }
            if let Some(v) = not_negative("fees.withdrawal_free", f.withdrawal_free)? {
                fees.withdrawal_free_minor = Amount::from_minor(v);
            }
            if let Some(v) = not_negative("fees.withdrawal_bps", f.withdrawal_bps)? {
                fees.withdrawal_bps = v;
            }
            if let Some(v) = not_negative("fees.withdrawal_min", f.withdrawal_min)? {
                fees.withdrawal_min_minor = Amount::from_minor(v);
            }
            if let Some(v) = not_negative("fees.merchant_bps", f.merchant_bps)? {
                fees.merchant_bps = v;
            }
        }
        let m = &mut self.money;
        if let Some(v) = not_negative("password_free_payment", file.password_free_payment)? {
            m.password_free_payment_minor = Amount::from_minor(v);
        }
        if let Some(v) = not_negative("password_free_daily", file.password_free_daily)? {
            m.password_free_daily_minor = Amount::from_minor(v);
        }
        if let Some(v) = not_negative("static_qr_daily", file.static_qr_daily)? {
            m.static_qr_daily_minor = Amount::from_minor(v);
        }
        if let Some(v) = positive("alert_sms_from", file.alert_sms_from)? {
            m.alert_sms_minor = Amount::from_minor(v);
        }
        if let Some(v) = positive("payment_code_ttl_s", file.payment_code_ttl_s)? {
            m.payment_code_ttl_ms = v * 1000;
        }
        if let Some(v) = positive("awaiting_payer_ttl_s", file.awaiting_payer_ttl_s)? {
            m.awaiting_payer_ttl_ms = v * 1000;
        }
        if let Some(v) = not_negative("withdrawal_delay_s", file.withdrawal_delay_s)? {
            m.withdrawal_delay_ms = v * 1000;
        }
        if let Some(v) = file.webhook_private_hosts {
            m.webhook_private_hosts = v;
        }
        if let Some(rules) = &file.risk {
            m.risk = std::sync::Arc::new(rules.clone());
        }
        if let Some(v) = positive("risk_hold_review_s", file.risk_hold_review_s)? {
            m.risk_hold_review_ms = v * 1000;
        }
        if let Some(f) = &file.fx {
            fx_policy(&mut m.fx, f)?;
        }
        if let Some(f) = &file.red_packets {
            let r = &mut m.red_packets;
            if let Some(v) = positive("red_packets.one_to_one_max", f.one_to_one_max)? {
                r.one_to_one_max = Amount::from_minor(v);
            }
            if let Some(v) = positive("red_packets.group_max", f.group_max)? {
                r.group_max = Amount::from_minor(v);
            }
            if let Some(v) = positive("red_packets.group_shares_max", f.group_shares_max)? {
                r.group_shares_max = u32::try_from(v.min(10_000)).unwrap_or(10_000);
            }
            if let Some(v) = positive("red_packets.ttl_s", f.ttl_s)? {
                r.ttl_ms = v * 1000;
            }
        }
        if let Some(city) = &file.qr_merchant_city {
            let fits = !city.is_empty()
                && city.len() <= 15
                && city.bytes().all(|b| (0x20..0x7f).contains(&b));
            if !fits {
                return Err("qr_merchant_city must be 1 to 15 printable ASCII characters".into());
            }
            m.qr_merchant_city = city.clone();
        }
        if let Some(v) = not_negative("recon_date_tolerance_days", file.recon_date_tolerance_days)?
        {
            self.recon.date_tolerance_days = v;
        }
        if let Some(v) = not_negative(
            "console_refund_four_eyes_from",
            file.console_refund_four_eyes_from,
        )? {
            self.console_refund_four_eyes_from_minor = v;
        }
        let off_at_zero = |v: i64| (v > 0).then_some(v);
        if let Some(v) = file.payee_lookups_per_holder_hourly_max {
            m.payee_lookups_per_holder_hourly_max = off_at_zero(v);
        }
        if let Some(v) = file.payee_lookups_per_ip_hourly_max {
            m.payee_lookups_per_ip_hourly_max = off_at_zero(v);
        }
        if let Some(v) = file.wrong_payment_codes_per_minute_max {
            m.wrong_payment_codes_per_minute_max = off_at_zero(v);
        }
        Ok(self)
    }

    /// Reads `path` over the defaults for the mode.
    pub fn load(path: &Path, sandbox: bool) -> Result<Policy, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the policy file {}: {e}", path.display()))?;
        let file: PolicyFile = serde_json::from_str(&text).map_err(|e| {
            format!(
                "the policy file {} is not valid: {}",
                path.display(),
                qianbao_wallet::risk::rules::located(&text, &e)
            )
        })?;
        Policy::defaults(sandbox).with(&file)
    }
}

/// The keys a console `policy_change` may set: those every money call reads afresh from the policy
/// in force (limits per level, fees, the password-free and static-QR limits, SMS alerts, risk
/// rules and how long a held payment waits). The others are read once at start-up, by the
/// connectors or the sign-up and login rules, and change only in the file.
pub const LIVE_KEYS: &[&str] = &[
    "levels",
    "fees",
    "password_free_payment",
    "password_free_daily",
    "static_qr_daily",
    "alert_sms_from",
    "risk",
    "risk_hold_review_s",
];

/// `None` as `0`: the file's way of saying "no limit" for the counters that `0` switches off.
fn or_zero(v: Option<i64>) -> i64 {
    v.unwrap_or(0)
}

impl Policy {
    /// The whole policy in the policy file's shape: reading it back as a file gives this policy.
    pub fn document(&self) -> serde_json::Value {
        let o = &self.opening;
        let m = &self.money;
        let f = &self.fees;
        let levels: Vec<serde_json::Value> = (0..4)
            .map(|i| {
                let l = self.levels.at(i);
                serde_json::json!({
                    "balance_cap": l.balance_cap.map(|a| a.minor()),
                    "per_payment": l.per_payment.map(|a| a.minor()),
                    "per_day": l.per_day.map(|a| a.minor()),
                })
            })
            .collect();
        let risk: serde_json::Value =
            serde_json::from_str(&m.risk.canonical()).unwrap_or(serde_json::Value::Null);
        serde_json::json!({
            "levels": levels,
            "otp_ttl_s": o.otp_ttl_ms / 1000,
            "otp_resend_s": o.otp_resend_ms / 1000,
            "otp_per_phone_daily_max": o.otp_per_phone_daily_max,
            "otp_per_ip_hourly_max": or_zero(o.otp_per_ip_hourly_max),
            "otp_wrong_tries_max": o.otp_wrong_tries_max,
            "login_failures_max": o.login_failures_max,
            "pin_tries_max": self.pin_tries_max,
            "pin_lock_s": self.pin_lock_ms / 1000,
            "fees": {
                "credit_topup_bps": f.credit_topup_bps,
                "withdrawal_free": f.withdrawal_free_minor.minor(),
                "withdrawal_bps": f.withdrawal_bps,
                "withdrawal_min": f.withdrawal_min_minor.minor(),
                "merchant_bps": f.merchant_bps,
            },
            "password_free_payment": m.password_free_payment_minor.minor(),
            "password_free_daily": m.password_free_daily_minor.minor(),
            "static_qr_daily": m.static_qr_daily_minor.minor(),
            "alert_sms_from": m.alert_sms_minor.minor(),
            "payment_code_ttl_s": m.payment_code_ttl_ms / 1000,
            "awaiting_payer_ttl_s": m.awaiting_payer_ttl_ms / 1000,
            "withdrawal_delay_s": m.withdrawal_delay_ms / 1000,
            "webhook_private_hosts": m.webhook_private_hosts,
            "recovery_wrong_daily_max": o.recovery_wrong_daily_max,
            "unfreeze_after_reset_wait_s": o.unfreeze_after_reset_wait_ms / 1000,
            "payee_lookups_per_holder_hourly_max": or_zero(m.payee_lookups_per_holder_hourly_max),
            "payee_lookups_per_ip_hourly_max": or_zero(m.payee_lookups_per_ip_hourly_max),
            "wrong_payment_codes_per_minute_max": or_zero(m.wrong_payment_codes_per_minute_max),
            "risk": risk,
            "risk_hold_review_s": m.risk_hold_review_ms / 1000,
            "closed_phone_cooling_off_days": o.closed_phone_cooling_off_ms / 86_400_000,
            "recon_date_tolerance_days": self.recon.date_tolerance_days,
        })
    }

    /// This policy with `changes` (a partial document in the file's shape, only [`LIVE_KEYS`])
    /// laid over it, checked by the same rules the file is; the refusal says what is wrong.
    pub fn changed(&self, changes: &serde_json::Value) -> Result<Policy, String> {
        let Some(keys) = changes.as_object() else {
            return Err("policy is an object in the policy file's shape".into());
        };
        if keys.is_empty() {
            return Err("policy names no key to change".into());
        }
        for key in keys.keys() {
            if !LIVE_KEYS.contains(&key.as_str()) {
                return Err(format!(
                    "{key} cannot be changed from the console (it is read at start-up, or is no \
                     policy key); the console changes {}",
                    LIVE_KEYS.join(", ")
                ));
            }
        }
        let file: PolicyFile =
            serde_json::from_value(changes.clone()).map_err(|e| e.to_string())?;
        self.clone().with(&file)
    }

    /// This policy with the [`LIVE_KEYS`] of a stored version's `document` laid over it: what
    /// the console approved outlives a restart, while the keys only the file sets stay the file's.
    pub fn with_version(self, document: &str) -> Result<Policy, String> {
        let document: serde_json::Value = serde_json::from_str(document)
            .map_err(|e| format!("a stored policy version is not valid JSON: {e}"))?;
        let live: serde_json::Map<String, serde_json::Value> = document
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, _)| LIVE_KEYS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let file: PolicyFile = serde_json::from_value(serde_json::Value::Object(live))
            .map_err(|e| format!("a stored policy version is not valid: {e}"))?;
        self.with(&file)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_file_keeps_every_default() {
        let p = Policy::defaults(false)
            .with(&PolicyFile::default())
            .unwrap();
        assert_eq!(p.levels, LevelTable::default());
        assert_eq!(p.opening.otp_per_ip_hourly_max, Some(20));
        assert_eq!(p.pin_lock_ms, 3 * 3600 * 1000);
    }

    #[test]
    fn given_values_replace_the_defaults_and_zero_switches_the_address_limit_off() {
        let file: PolicyFile = serde_json::from_str(
            r#"{"otp_per_ip_hourly_max": 0, "pin_tries_max": 3,
                "levels": [{"balance_cap": 1, "per_payment": 2, "per_day": 3},
                           {"balance_cap": 4, "per_payment": 5, "per_day": 6},
                           {"balance_cap": 7, "per_payment": 8, "per_day": 9},
                           {"balance_cap": null, "per_payment": null, "per_day": null}]}"#,
        )
        .unwrap();
        let p = Policy::defaults(false).with(&file).unwrap();
        assert_eq!(p.opening.otp_per_ip_hourly_max, None);
        assert_eq!(p.pin_tries_max, 3);
        assert_eq!(p.levels.at(1).per_payment, Some(Amount::from_minor(5)));
        assert_eq!(p.levels.at(3).balance_cap, None);
    }

    #[test]
    fn the_limits_on_guessing_are_read_and_zero_switches_them_off() {
        let defaults = Policy::defaults(false);
        assert_eq!(defaults.money.payee_lookups_per_ip_hourly_max, Some(120));
        assert_eq!(
            Policy::defaults(true).money.payee_lookups_per_ip_hourly_max,
            None
        );
        let file: PolicyFile = serde_json::from_str(
            r#"{"recovery_wrong_daily_max": 3, "unfreeze_after_reset_wait_s": 0,
                "payee_lookups_per_holder_hourly_max": 0, "payee_lookups_per_ip_hourly_max": 7,
                "wrong_payment_codes_per_minute_max": 2}"#,
        )
        .unwrap();
        let p = defaults.with(&file).unwrap();
        assert_eq!(p.opening.recovery_wrong_daily_max, 3);
        assert_eq!(p.opening.unfreeze_after_reset_wait_ms, 0);
        assert_eq!(p.money.payee_lookups_per_holder_hourly_max, None);
        assert_eq!(p.money.payee_lookups_per_ip_hourly_max, Some(7));
        assert_eq!(p.money.wrong_payment_codes_per_minute_max, Some(2));
        let negative: PolicyFile =
            serde_json::from_str(r#"{"unfreeze_after_reset_wait_s": -1}"#).unwrap();
        assert!(Policy::defaults(false).with(&negative).is_err());
    }

    #[test]
    fn the_cooling_off_of_a_closed_phone_is_read_in_days_and_zero_lets_it_at_once() {
        assert_eq!(
            Policy::defaults(false).opening.closed_phone_cooling_off_ms,
            30 * 86_400_000
        );
        let read = |text: &str| {
            let file: PolicyFile = serde_json::from_str(text).unwrap();
            Policy::defaults(false)
                .with(&file)
                .map(|p| p.opening.closed_phone_cooling_off_ms)
        };
        assert_eq!(
            read(r#"{"closed_phone_cooling_off_days": 7}"#),
            Ok(7 * 86_400_000)
        );
        assert_eq!(read(r#"{"closed_phone_cooling_off_days": 0}"#), Ok(0));
        assert!(read(r#"{"closed_phone_cooling_off_days": -1}"#).is_err());
        assert!(read(r#"{"closed_phone_cooling_off_days": 36501}"#).is_err());
    }

    #[test]
    fn the_date_tolerance_of_reconciliation_defaults_to_a_day_and_may_be_zero() {
        assert_eq!(Policy::defaults(false).recon.date_tolerance_days, 1);
        let zero: PolicyFile = serde_json::from_str(r#"{"recon_date_tolerance_days": 0}"#).unwrap();
        assert_eq!(
            Policy::defaults(false)
                .with(&zero)
                .unwrap()
                .recon
                .date_tolerance_days,
            0
        );
        let negative: PolicyFile =
            serde_json::from_str(r#"{"recon_date_tolerance_days": -1}"#).unwrap();
        assert!(Policy::defaults(false).with(&negative).is_err());
    }

    #[test]
    fn nonsense_values_and_unknown_keys_are_refused() {
        let negative: PolicyFile = serde_json::from_str(r#"{"pin_tries_max": 0}"#).unwrap();
        assert!(Policy::defaults(false).with(&negative).is_err());
        assert!(serde_json::from_str::<PolicyFile>(r#"{"pin_tries": 3}"#).is_err());
    }

    #[test]
    fn the_document_read_back_as_a_file_is_the_same_policy() {
        let p = Policy::defaults(false);
        let file: PolicyFile = serde_json::from_value(p.document()).unwrap();
        let again = Policy::defaults(true).with(&file).unwrap();
        assert_eq!(again.document(), p.document());
    }

    #[test]
    fn a_change_names_only_live_keys_and_is_checked_like_the_file() {
        let p = Policy::defaults(false);
        let changed = p
            .changed(&serde_json::json!({"fees": {"withdrawal_bps": 20}}))
            .unwrap();
        assert_eq!(changed.fees.withdrawal_bps, 20);
        assert_eq!(changed.fees.merchant_bps, p.fees.merchant_bps);
        assert!(p.changed(&serde_json::json!({"otp_ttl_s": 60})).is_err());
        assert!(
            p.changed(&serde_json::json!({"fees": {"withdrawal_bps": -1}}))
                .is_err()
        );
        assert!(
            p.changed(&serde_json::json!({"fees": {"nope": 1}}))
                .is_err()
        );
        assert!(p.changed(&serde_json::json!({})).is_err());
        let kept = Policy::defaults(false)
            .with_version(&changed.document().to_string())
            .unwrap();
        assert_eq!(kept.fees.withdrawal_bps, 20);
    }
}
