//! The operator's policy the simulation runs under: the sandbox's defaults — risk control's
//! default rules on — with tighter limits at L2 (every simulated holder binds a card, so is L2) so
//! the workload reaches them (`limit_never_exceeded` checks the acknowledged spending against
//! them), and holds for review decided by their timer within the settling day.

use qianbao_ledger::Amount;
use qianbao_server::policy::Policy;

/// L2's limits in the simulation, in fen: one payment, and what may leave a wallet in one China
/// day. Low enough that a busy holder meets them within a run (the workload spends up to ¥2,000
/// at a time), far above the ¥500 password-free limit so till charges still pass.
pub const LEVEL2_LIMITS: (i64, i64) = (150_000, 400_000);

/// How long a payment held for review waits for a reviewer before its timer rejects it: the
/// simulation has no reviewer, and the default 72 h would outlast the settling day.
const HOLD_REVIEW_MS: i64 = 12 * 3_600_000;

/// The default rules' "large payment" threshold (¥5,000) and the simulation's (¥1,200): below
/// the L2 per-payment limit above, so large payments ask for a second factor instead of being
/// refused by the limit first.
const LARGE_PAYMENT: (&str, &str) = (r#""min_amount": 500000"#, r#""min_amount": 120000"#);

/// Risk control's default rules, with the large-payment step-up brought within the limits.
fn rules() -> Result<qianbao_wallet::risk::RuleSet, String> {
    let (default, simulated) = LARGE_PAYMENT;
    let document = qianbao_wallet::risk::defaults::DOCUMENT;
    if !document.contains(default) {
        return Err("the default risk rules no longer have the large-payment threshold".into());
    }
    qianbao_wallet::risk::RuleSet::parse(&document.replacen(default, simulated, 1))
        .map_err(|e| format!("the simulation's risk rules: {e}"))
}

/// The sandbox's policy with the simulation's L2 limits, risk rules and hold review time.
pub fn simulated() -> Policy {
    let mut policy = Policy::defaults(true);
    policy.money.risk_hold_review_ms = HOLD_REVIEW_MS;
    // The defaults as they are, should the threshold ever move (a test of this crate says so).
    if let Ok(rules) = rules() {
        policy.money.risk = std::sync::Arc::new(rules);
    }
    let (per_payment, per_day) = LEVEL2_LIMITS;
    policy.levels.0[2].per_payment = Some(Amount::from_minor(per_payment));
    policy.levels.0[2].per_day = Some(Amount::from_minor(per_day));
    policy
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_simulated_rules_are_the_defaults_with_a_lower_large_payment() {
        let rules = super::rules().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            rules.rules().len(),
            qianbao_wallet::risk::defaults::rule_set().rules().len()
        );
    }
}
