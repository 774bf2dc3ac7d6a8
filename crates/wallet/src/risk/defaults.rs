//! The rule set a wallet starts with: what the seed articles imply, at numbers an operator would
//! pick on the first day. `docs/risk.md` lists them; the acceptance tests rely on three of them
//! (the block list, a second factor from ¥5,000, and holding more than ¥1,000 sent to a wallet
//! opened less than a day ago).

use super::rules::RuleSet;

/// The default rule set as a document (what `docs/risk.md` shows and an operator copies).
pub const DOCUMENT: &str = r#"{"rules": [
  {"id": "block_list", "kind": "block_list", "outcome": "block"},
  {"id": "large_payment", "kind": "amount_at_least", "outcome": "step_up",
   "params": {"min_amount": 500000}},
  {"id": "new_wallet_payee", "kind": "young_payee", "outcome": "hold",
   "params": {"payee_age_s": 86400, "above_amount": 100000}},
  {"id": "payee_fan_in", "kind": "fan_in", "outcome": "hold",
   "params": {"window_s": 3600, "payers": 10, "payee_age_s": 604800, "min_amount": 50000}},
  {"id": "after_reset", "kind": "after_reset", "outcome": "hold",
   "params": {"window_s": 86400, "min_amount": 200000}},
  {"id": "new_device", "kind": "new_device", "outcome": "step_up",
   "params": {"device_age_s": 86400, "min_amount": 200000}},
  {"id": "above_history", "kind": "above_history", "outcome": "step_up",
   "params": {"factor": 10, "min_payments": 5, "lookback_s": 7776000, "min_amount": 200000}},
  {"id": "new_payee", "kind": "new_payee", "outcome": "step_up",
   "params": {"min_amount": 300000}},
  {"id": "wrong_pins", "kind": "wrong_pins", "outcome": "step_up",
   "params": {"window_s": 3600, "count": 3, "min_amount": 50000}},
  {"id": "night_large", "kind": "night_time", "outcome": "step_up",
   "params": {"from_hour": 1, "to_hour": 5, "min_amount": 200000}},
  {"id": "holder_hourly_count", "kind": "velocity", "outcome": "step_up",
   "params": {"scope": "holder", "window_s": 3600, "max_count": 120}},
  {"id": "holder_daily_amount", "kind": "velocity", "outcome": "step_up",
   "params": {"scope": "holder", "window_s": 86400, "max_amount": 5000000}}
]}"#;

/// The default rule set.
pub fn rule_set() -> RuleSet {
    // The document is a constant checked by the tests: it always parses.
    RuleSet::parse(DOCUMENT).unwrap_or_else(|_| RuleSet::empty())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_default_document_parses() {
        let set = super::RuleSet::parse(super::DOCUMENT).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(set.rules().len(), 12);
    }
}
