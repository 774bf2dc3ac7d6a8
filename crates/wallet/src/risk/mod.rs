//! Risk control (风控): rules that judge every money call inside its own transaction.
//!
//! The core here is pure: a [`RuleSet`] is a typed, validated document whose content hash is its
//! version; [`Features`] are the values one call was judged on (read from the database by the
//! money-call shell, never from process memory); [`fn@judge`] turns the two into a [`Decision`] —
//! allow, step up, hold or block — with the trace of every rule that fired. Because a decision
//! keeps its features and the hash of its rule set, `verify` can recompute it and `risk replay` can
//! run a candidate rule set over the same history.

pub mod decision;
pub mod defaults;
pub mod features;
pub mod judge;
pub mod reasons;
pub mod rules;

pub use decision::{Decision, Fired, Verdict};
pub use features::{CallKind, Features, Needs, Scope, Window};
pub use judge::judge;
pub use rules::{Mode, Rule, RuleKind, RuleSet, RuleSetError};
