//! Risk control (风控): rules that judge every money call inside its own transaction.
//!
//! The core here is pure: a [`RuleSet`] is a typed, validated document whose content hash is its
//! version; [`Features`] are the values one call was judged on (read from the database by the
//! money-call shell, never from process memory); [`fn@judge`] turns the two into a [`Decision`] —
//! allow, step up, hold or block — with the trace of every rule that fired. Because a decision
//! keeps its features and the hash of its rule set, `verify` can recompute it and `risk replay` can
//! run a candidate rule set over the same history.

/// Serde for `named!` enums: written and read as their stored names, so a rule set, a trace and a
/// row spell a state the same way.
macro_rules! named_serde {
    ($($t:ty),*) => {$(
        impl Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                <$t>::parse(&text).ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "unknown value {text:?}: expected one of {}",
                        <$t>::names().join(", ")
                    ))
                })
            }
        }
    )*};
}

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
