//! The operator's policy the simulation runs under: the sandbox's defaults with risk control's
//! rules off. Risk outcomes (second factor, holds for review) are a workload of their own still to
//! model; until then a step-up would only turn payments into refusals the model cannot predict.

use qianbao_server::policy::Policy;
use std::sync::Arc;

/// The sandbox's policy without risk rules.
pub fn simulated() -> Policy {
    let mut policy = Policy::defaults(true);
    policy.money.risk = Arc::new(qianbao_wallet::risk::RuleSet::empty());
    policy
}
