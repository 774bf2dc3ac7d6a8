//! What one call is judged on: the call itself and the values read about it from the database.
//! Every field a rule may read is here, so a stored decision can be judged again from its own
//! features, without looking at anything that happened after it.

use serde::{Deserialize, Serialize};

crate::named! {
    /// The money calls risk control judges.
    pub enum CallKind {
        /// A top-up from a bound card.
        Topup = "topup",
        /// A withdrawal to a bound card.
        Withdrawal = "withdrawal",
        /// A transfer to another holder.
        Transfer = "transfer",
        /// Paying a scanned code: a holder's receive code, a shop's static code or an order.
        Pay = "pay",
        /// A merchant charging a holder's payment code.
        Charge = "charge",
        /// A merchant's refund.
        Refund = "refund",
        /// A merchant's settlement to its bank.
        Settlement = "settlement",
    }
}

crate::named! {
    /// Whose payments a velocity counts.
    pub enum Scope {
        /// The payer's, over all devices.
        Holder = "holder",
        /// The payer's device's, over all wallets used on it.
        Device = "device",
        /// The payee's incoming, from everyone.
        Payee = "payee",
    }
}

named_serde!(CallKind, Scope);

/// Payments counted in one window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    /// Whose payments.
    pub scope: Scope,
    /// How far back, in seconds.
    pub window_s: i64,
    /// How many went through before this one.
    pub count: i64,
    /// How much they came to (fen).
    pub amount: i64,
    /// How many different payers they came from besides this call's (for the payee scope).
    #[serde(default)]
    pub payers: i64,
}

/// The payer's own payment history: how many and the largest, over the look-back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    /// Payments that went through.
    pub count: i64,
    /// The largest of them (fen).
    pub largest: i64,
}

/// Everything one call was judged on. `None` is "not read": no rule needed it for this call.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Features {
    /// Which call.
    pub call: Option<CallKind>,
    /// How much (fen).
    pub amount: i64,
    /// The hour of day in China (0–23).
    pub hour: u8,
    /// A second factor came with the call and was right.
    #[serde(default)]
    pub second_factor: bool,
    /// How old the payee's wallet is (s), when the payee is a holder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payee_age_s: Option<i64>,
    /// How old the session is (s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_age_s: Option<i64>,
    /// How long the device has been known for this holder (s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_age_s: Option<i64>,
    /// Seconds since the last password reset, payment-password reset or new-device login.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since_reset_s: Option<i64>,
    /// Whether the payer has never paid this payee before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_to_payee: Option<bool>,
    /// Wrong payment passwords in the window (window s, count).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wrong_pins: Vec<(i64, i64)>,
    /// The payer's history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<History>,
    /// Velocity windows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub windows: Vec<Window>,
    /// The block-list entries this call touches (`payer_phone`, `payer_wallet`, `payee_wallet`,
    /// `merchant`, `card_bin`, `device`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocked: Vec<String>,
}

impl Features {
    /// The counted window of `scope` over `window_s`, if it was read.
    pub fn window(&self, scope: Scope, window_s: i64) -> Option<&Window> {
        self.windows
            .iter()
            .find(|w| w.scope == scope && w.window_s == window_s)
    }

    /// The wrong payment passwords over `window_s`, if read.
    pub fn wrong_pins_in(&self, window_s: i64) -> Option<i64> {
        self.wrong_pins
            .iter()
            .find(|(w, _)| *w == window_s)
            .map(|(_, n)| *n)
    }
}

/// What a rule set needs read for one call: the adapter reads only these, so a small payment pays
/// only for the rules that can fire on it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Needs {
    /// Velocity windows to count.
    pub windows: Vec<(Scope, i64)>,
    /// The payer's history over this many seconds.
    pub history_s: Option<i64>,
    /// Whether the payer paid this payee before.
    pub first_to_payee: bool,
    /// Resets within this many seconds.
    pub since_reset_s: Option<i64>,
    /// Wrong payment passwords within these windows.
    pub wrong_pin_windows: Vec<i64>,
    /// The block lists.
    pub block_list: bool,
    /// The session's and device's age.
    pub session: bool,
}

impl Needs {
    pub(crate) fn window(&mut self, scope: Scope, window_s: i64) {
        if !self.windows.contains(&(scope, window_s)) {
            self.windows.push((scope, window_s));
        }
    }
}
