//! What the rules decided about one call, and why.

use super::features::Features;
use serde::{Deserialize, Serialize};

crate::named! {
    /// What risk control does with a call, in increasing severity.
    pub enum Verdict {
        /// Let it through.
        Allow = "allow",
        /// Reserve the money and let staff decide (202 `held_for_review`).
        Hold = "hold",
        /// Ask for a second factor first (401 `step_up_required`).
        StepUp = "step_up",
        /// Refuse it (403 `risk_blocked`).
        Block = "block",
    }
}

impl Verdict {
    /// How severe: a call gets the most severe verdict of the rules that fired.
    pub fn severity(self) -> u8 {
        match self {
            Verdict::Allow => 0,
            Verdict::Hold => 1,
            Verdict::StepUp => 2,
            Verdict::Block => 3,
        }
    }
}

named_serde!(Verdict);

/// One rule that fired: what it saw against what it allows. Staff see this; the holder sees only
/// the reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fired {
    /// The rule's id.
    pub rule: String,
    /// The rule's version.
    pub version: u32,
    /// The rule's kind.
    pub kind: String,
    /// What the rule asks for.
    pub outcome: Verdict,
    /// The value it saw (an amount in fen, a count, seconds).
    pub saw: i64,
    /// The threshold that value crossed.
    pub threshold: i64,
    /// What `saw` and `threshold` measure, in words.
    pub measure: String,
    /// Evaluated and recorded, not enforced.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub shadow: bool,
    /// Exempted for this holder by a snooze.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub snoozed: bool,
}

impl Fired {
    /// Whether this firing counts toward the call's verdict.
    pub fn enforced(&self) -> bool {
        !self.shadow && !self.snoozed
    }
}

/// The rules' decision about one call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// The content hash of the rule set that decided.
    pub rule_set: String,
    /// The verdict.
    pub verdict: Verdict,
    /// The stable reason code the holder is given (none when allowed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Every rule that fired, enforced or not, in rule-set order.
    pub fired: Vec<Fired>,
    /// What the rules saw.
    pub features: Features,
}
