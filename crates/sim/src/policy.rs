//! The operator's policy the simulation runs under: the sandbox's defaults with risk control's
//! rules off, and tighter limits at L2 (every simulated holder binds a card, so is L2) so the
//! workload reaches them: `limit_never_exceeded` checks the acknowledged spending against them.
//! Risk outcomes (second factor, holds for review) are a workload of their own still to model;
//! until then a step-up would only turn payments into refusals the model cannot predict.

use qianbao_ledger::Amount;
use qianbao_server::policy::Policy;
use std::sync::Arc;

/// L2's limits in the simulation, in fen: one payment, and what may leave a wallet in one China
/// day. Low enough that a busy holder meets them within a run (the workload spends up to ¥2,000
/// at a time), far above the ¥500 password-free limit so till charges still pass.
pub const LEVEL2_LIMITS: (i64, i64) = (150_000, 400_000);

/// The sandbox's policy without risk rules, with the simulation's L2 limits.
pub fn simulated() -> Policy {
    let mut policy = Policy::defaults(true);
    policy.money.risk = Arc::new(qianbao_wallet::risk::RuleSet::empty());
    let (per_payment, per_day) = LEVEL2_LIMITS;
    policy.levels.0[2].per_payment = Some(Amount::from_minor(per_payment));
    policy.levels.0[2].per_day = Some(Amount::from_minor(per_day));
    policy
}
