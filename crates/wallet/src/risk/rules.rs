//! The rule set: a document of typed rules with parameters, validated when it is read, whose
//! content hash is its version.
//!
//! A rule is one of a fixed set of kinds, each with typed parameters, rather than an expression in
//! an embedded language: every kind states which features it reads, so the store reads only what
//! the rules can use, and every parameter has a range checked at start (ARCHITECTURE.md, "Risk
//! rules as data").

use super::decision::Verdict;
use super::features::{CallKind, Needs, Scope};
use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

crate::named! {
    /// Whether a rule's verdict counts.
    pub enum Mode {
        /// It counts.
        Enforce = "enforce",
        /// It is evaluated and recorded, not enforced: to watch a new rule before trusting it.
        Shadow = "shadow",
    }
}

named_serde!(Mode);

/// The kinds of rule and their parameters. Amounts are fen, windows and ages seconds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    content = "params",
    rename_all = "snake_case",
    deny_unknown_fields
)]
pub enum RuleKind {
    /// A payment of at least `min_amount`.
    AmountAtLeast {
        /// The smallest amount that fires.
        min_amount: i64,
    },
    /// Too many payments, or too much money, in a sliding window.
    Velocity {
        /// Whose payments are counted.
        scope: Scope,
        /// The window.
        window_s: i64,
        /// The most payments the window may hold, this one included.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_count: Option<i64>,
        /// The most money the window may hold, this payment included.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_amount: Option<i64>,
    },
    /// An amount far above the payer's own history.
    AboveHistory {
        /// How many times the largest earlier payment fires.
        factor: i64,
        /// Fewer earlier payments than this is no history to judge by.
        min_payments: i64,
        /// How far back the history reaches.
        lookback_s: i64,
        /// Smaller payments never fire.
        min_amount: i64,
    },
    /// A device first seen for this holder less than `device_age_s` ago.
    NewDevice {
        /// The age below which a device is new.
        device_age_s: i64,
        /// Smaller payments never fire.
        min_amount: i64,
    },
    /// A session younger than `session_age_s`.
    YoungSession {
        /// The age below which a session is young.
        session_age_s: i64,
        /// Smaller payments never fire.
        min_amount: i64,
    },
    /// The first payment to a payee.
    NewPayee {
        /// Smaller payments never fire.
        min_amount: i64,
    },
    /// Within `window_s` of a password or payment-password reset or a new-device login.
    AfterReset {
        /// How long after.
        window_s: i64,
        /// Smaller payments never fire.
        min_amount: i64,
    },
    /// At least `count` wrong payment passwords within `window_s`.
    WrongPins {
        /// The window.
        window_s: i64,
        /// How many wrong ones fire.
        count: i64,
        /// Smaller payments never fire.
        min_amount: i64,
    },
    /// A large payment at night, China time: from `from_hour` up to (not including) `to_hour`.
    NightTime {
        /// The first hour of the night.
        from_hour: i64,
        /// The hour the night ends.
        to_hour: i64,
        /// Smaller payments never fire.
        min_amount: i64,
    },
    /// A phone, wallet, merchant, card BIN or device on the operator's block list.
    BlockList {},
    /// More than `above_amount` to a holder whose wallet is younger than `payee_age_s`.
    YoungPayee {
        /// The wallet age below which the payee is new.
        payee_age_s: i64,
        /// Amounts above this fire.
        above_amount: i64,
    },
    /// Many different holders paying one young wallet in a short window (a mule).
    FanIn {
        /// The window.
        window_s: i64,
        /// How many different payers, this one included, fire.
        payers: i64,
        /// Only payees whose wallet is younger than this.
        payee_age_s: i64,
        /// Smaller payments never fire.
        min_amount: i64,
    },
}

/// The longest window or age a rule may name: 400 days.
const SECONDS_MAX: i64 = 400 * 86_400;
/// The largest amount a rule may name: ¥10 billion.
const AMOUNT_MAX: i64 = 1_000_000_000_000;

impl RuleKind {
    /// The kind's name.
    pub fn name(&self) -> &'static str {
        match self {
            RuleKind::AmountAtLeast { .. } => "amount_at_least",
            RuleKind::Velocity { .. } => "velocity",
            RuleKind::AboveHistory { .. } => "above_history",
            RuleKind::NewDevice { .. } => "new_device",
            RuleKind::YoungSession { .. } => "young_session",
            RuleKind::NewPayee { .. } => "new_payee",
            RuleKind::AfterReset { .. } => "after_reset",
            RuleKind::WrongPins { .. } => "wrong_pins",
            RuleKind::NightTime { .. } => "night_time",
            RuleKind::BlockList {} => "block_list",
            RuleKind::YoungPayee { .. } => "young_payee",
            RuleKind::FanIn { .. } => "fan_in",
        }
    }

    /// The calls a rule of this kind judges when the rule does not say.
    fn default_calls(&self) -> Vec<CallKind> {
        use CallKind as C;
        match self {
            RuleKind::BlockList {} => CallKind::ALL.to_vec(),
            RuleKind::YoungPayee { .. } | RuleKind::FanIn { .. } => vec![C::Transfer, C::Pay],
            RuleKind::Velocity { .. } => vec![C::Transfer, C::Pay, C::Withdrawal, C::Charge],
            _ => vec![C::Transfer, C::Pay, C::Withdrawal],
        }
    }

    /// The smallest amount the rule can fire on (0: any), so larger reads are skipped below it.
    pub fn min_amount(&self) -> i64 {
        match self {
            RuleKind::AmountAtLeast { min_amount }
            | RuleKind::AboveHistory { min_amount, .. }
            | RuleKind::NewDevice { min_amount, .. }
            | RuleKind::YoungSession { min_amount, .. }
            | RuleKind::NewPayee { min_amount }
            | RuleKind::AfterReset { min_amount, .. }
            | RuleKind::WrongPins { min_amount, .. }
            | RuleKind::NightTime { min_amount, .. }
            | RuleKind::FanIn { min_amount, .. } => *min_amount,
            RuleKind::YoungPayee { above_amount, .. } => above_amount.saturating_add(1),
            RuleKind::Velocity { .. } | RuleKind::BlockList {} => 0,
        }
    }

    /// Adds what this rule reads to `needs`.
    fn add_needs(&self, needs: &mut Needs) {
        match self {
            RuleKind::AmountAtLeast { .. } | RuleKind::NightTime { .. } => {}
            RuleKind::Velocity {
                scope, window_s, ..
            } => {
                needs.window(*scope, *window_s);
                if *scope == Scope::Device {
                    needs.session = true;
                }
            }
            RuleKind::AboveHistory { lookback_s, .. } => {
                needs.history_s = Some(needs.history_s.unwrap_or(0).max(*lookback_s));
            }
            RuleKind::NewDevice { .. } | RuleKind::YoungSession { .. } => needs.session = true,
            RuleKind::NewPayee { .. } => needs.first_to_payee = true,
            RuleKind::AfterReset { window_s, .. } => {
                needs.since_reset_s = Some(needs.since_reset_s.unwrap_or(0).max(*window_s));
            }
            RuleKind::WrongPins { window_s, .. } => {
                if !needs.wrong_pin_windows.contains(window_s) {
                    needs.wrong_pin_windows.push(*window_s);
                }
            }
            RuleKind::BlockList {} => needs.block_list = true,
            RuleKind::YoungPayee { .. } => {}
            RuleKind::FanIn { window_s, .. } => needs.window(Scope::Payee, *window_s),
        }
    }

    /// Checks every parameter's range; the message names the parameter.
    fn validate(&self) -> Result<(), String> {
        let seconds = |name: &str, v: i64| {
            if (1..=SECONDS_MAX).contains(&v) {
                Ok(())
            } else {
                Err(format!(
                    "{name} must be 1 to {SECONDS_MAX} seconds, not {v}"
                ))
            }
        };
        let amount = |name: &str, v: i64| {
            if (0..=AMOUNT_MAX).contains(&v) {
                Ok(())
            } else {
                Err(format!("{name} must be 0 to {AMOUNT_MAX} fen, not {v}"))
            }
        };
        let count = |name: &str, v: i64| {
            if (1..=1_000_000).contains(&v) {
                Ok(())
            } else {
                Err(format!("{name} must be 1 to 1000000, not {v}"))
            }
        };
        match self {
            RuleKind::AmountAtLeast { min_amount } => amount("min_amount", *min_amount),
            RuleKind::Velocity {
                window_s,
                max_count,
                max_amount,
                ..
            } => {
                seconds("window_s", *window_s)?;
                if max_count.is_none() && max_amount.is_none() {
                    return Err("give max_count, max_amount or both".into());
                }
                if let Some(n) = max_count {
                    count("max_count", *n)?;
                }
                if let Some(a) = max_amount {
                    amount("max_amount", *a)?;
                }
                Ok(())
            }
            RuleKind::AboveHistory {
                factor,
                min_payments,
                lookback_s,
                min_amount,
            } => {
                if !(2..=10_000).contains(factor) {
                    return Err(format!("factor must be 2 to 10000, not {factor}"));
                }
                count("min_payments", *min_payments)?;
                seconds("lookback_s", *lookback_s)?;
                amount("min_amount", *min_amount)
            }
            RuleKind::NewDevice {
                device_age_s,
                min_amount,
            } => {
                seconds("device_age_s", *device_age_s)?;
                amount("min_amount", *min_amount)
            }
            RuleKind::YoungSession {
                session_age_s,
                min_amount,
            } => {
                seconds("session_age_s", *session_age_s)?;
                amount("min_amount", *min_amount)
            }
            RuleKind::NewPayee { min_amount } => amount("min_amount", *min_amount),
            RuleKind::AfterReset {
                window_s,
                min_amount,
            } => {
                seconds("window_s", *window_s)?;
                amount("min_amount", *min_amount)
            }
            RuleKind::WrongPins {
                window_s,
                count: n,
                min_amount,
            } => {
                seconds("window_s", *window_s)?;
                count("count", *n)?;
                amount("min_amount", *min_amount)
            }
            RuleKind::NightTime {
                from_hour,
                to_hour,
                min_amount,
            } => {
                for (name, h) in [("from_hour", from_hour), ("to_hour", to_hour)] {
                    if !(0..=23).contains(h) {
                        return Err(format!("{name} must be 0 to 23, not {h}"));
                    }
                }
                if from_hour == to_hour {
                    return Err("from_hour and to_hour must differ".into());
                }
                amount("min_amount", *min_amount)
            }
            RuleKind::BlockList {} => Ok(()),
            RuleKind::YoungPayee {
                payee_age_s,
                above_amount,
            } => {
                seconds("payee_age_s", *payee_age_s)?;
                amount("above_amount", *above_amount)
            }
            RuleKind::FanIn {
                window_s,
                payers,
                payee_age_s,
                min_amount,
            } => {
                seconds("window_s", *window_s)?;
                if !(2..=1_000_000).contains(payers) {
                    return Err(format!("payers must be 2 to 1000000, not {payers}"));
                }
                seconds("payee_age_s", *payee_age_s)?;
                amount("min_amount", *min_amount)
            }
        }
    }
}

/// One rule: an id, a version, what it does when it fires, and its kind with parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// Stable id (`[a-z0-9_-]`, at most 64): what snoozes, traces and replays name.
    pub id: String,
    /// Bumped by the operator when the rule's meaning changes.
    pub version: u32,
    /// Enforced or shadow.
    pub mode: Mode,
    /// What the call gets when it fires.
    pub outcome: Verdict,
    /// The calls it judges.
    pub calls: Vec<CallKind>,
    /// What it checks.
    pub kind: RuleKind,
}

/// The calls on which a `hold` can reserve the payer's money for review.
pub const HOLDABLE: &[CallKind] = &[CallKind::Transfer, CallKind::Pay, CallKind::Withdrawal];

impl Rule {
    /// Whether the rule judges `call` paying `amount`.
    pub fn applies(&self, call: CallKind, amount: i64) -> bool {
        self.calls.contains(&call) && amount >= self.kind.min_amount()
    }
}

/// A rule as the document spells it.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleDoc {
    id: String,
    #[serde(default = "first_version")]
    version: u32,
    #[serde(default = "enforce")]
    mode: Mode,
    outcome: Verdict,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    calls: Option<Vec<CallKind>>,
    kind: String,
    #[serde(default)]
    params: serde_json::Value,
}

fn first_version() -> u32 {
    1
}

fn enforce() -> Mode {
    Mode::Enforce
}

impl TryFrom<RuleDoc> for Rule {
    type Error = String;

    fn try_from(doc: RuleDoc) -> Result<Rule, String> {
        let id = doc.id;
        let fail = |why: String| format!("rule {id:?}: {why}");
        if id.is_empty()
            || id.len() > 64
            || !id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
        {
            return Err(fail("the id must be 1–64 of a-z, 0-9, _ and -".into()));
        }
        if doc.version == 0 {
            return Err(fail("version must be 1 or more".into()));
        }
        let params = if doc.params.is_null() {
            serde_json::json!({})
        } else {
            doc.params
        };
        let kind: RuleKind =
            serde_json::from_value(serde_json::json!({"kind": doc.kind, "params": params}))
                .map_err(|e| fail(e.to_string()))?;
        kind.validate().map_err(fail)?;
        let calls = doc.calls.unwrap_or_else(|| kind.default_calls());
        if calls.is_empty() {
            return Err(fail("calls must name at least one call".into()));
        }
        if doc.outcome == Verdict::Allow {
            return Err(fail("a rule's outcome is step_up, hold or block".into()));
        }
        if doc.outcome == Verdict::Hold
            && let Some(call) = calls.iter().find(|c| !HOLDABLE.contains(c))
        {
            return Err(fail(format!(
                "a {call} cannot be held for review: hold only transfer, pay and withdrawal"
            )));
        }
        Ok(Rule {
            id,
            version: doc.version,
            mode: doc.mode,
            outcome: doc.outcome,
            calls,
            kind,
        })
    }
}

impl<'de> Deserialize<'de> for Rule {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Rule::try_from(RuleDoc::deserialize(d)?).map_err(de::Error::custom)
    }
}

impl Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let tagged = serde_json::to_value(&self.kind).map_err(serde::ser::Error::custom)?;
        RuleDoc {
            id: self.id.clone(),
            version: self.version,
            mode: self.mode,
            outcome: self.outcome,
            calls: Some(self.calls.clone()),
            kind: self.kind.name().to_string(),
            params: tagged
                .get("params")
                .cloned()
                .unwrap_or_else(|| serde_json::json!({})),
        }
        .serialize(s)
    }
}

/// The rules, in order, with no id twice (checked as the list is read, so the error names the
/// line of the second one).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
struct Rules(Vec<Rule>);

impl<'de> Deserialize<'de> for Rules {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Seen;
        impl<'de> Visitor<'de> for Seen {
            type Value = Rules;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of rules")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Rules, A::Error> {
                let mut rules: Vec<Rule> = Vec::new();
                while let Some(rule) = seq.next_element::<Rule>()? {
                    if rules.iter().any(|r| r.id == rule.id) {
                        return Err(de::Error::custom(format!(
                            "rule {:?}: duplicate rule id",
                            rule.id
                        )));
                    }
                    rules.push(rule);
                }
                Ok(Rules(rules))
            }
        }
        d.deserialize_seq(Seen)
    }
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RuleSetDoc {
    rules: Rules,
}

/// A rule set, validated, with its content hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleSet {
    rules: Vec<Rule>,
    hash: String,
}

impl<'de> Deserialize<'de> for RuleSet {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        RuleSetDoc::deserialize(d).map(|doc| RuleSet::new(doc.rules.0))
    }
}

/// Why a rule-set document was refused: the message names the line and column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RuleSetError(pub String);

impl RuleSet {
    /// The rules in order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The version: SHA-256 of the canonical document, hex.
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// A rule set of these rules.
    pub fn new(rules: Vec<Rule>) -> RuleSet {
        let canonical = RuleSet::canonical_of(&rules);
        let hash = hex(&Sha256::digest(canonical.as_bytes()));
        RuleSet { rules, hash }
    }

    /// No rules: every call is allowed (and still recorded).
    pub fn empty() -> RuleSet {
        RuleSet::new(Vec::new())
    }

    /// Reads a document `{"rules": [...]}`; the error names the line of what is wrong.
    pub fn parse(text: &str) -> Result<RuleSet, RuleSetError> {
        serde_json::from_str::<RuleSetDoc>(text)
            .map(|doc| RuleSet::new(doc.rules.0))
            .map_err(|e| RuleSetError(located(text, &e)))
    }

    fn canonical_of(rules: &[Rule]) -> String {
        serde_json::to_string(&RuleSetDoc {
            rules: Rules(rules.to_vec()),
        })
        .unwrap_or_default()
    }

    /// The canonical document: what is stored under the hash, so any decision can be judged again.
    pub fn canonical(&self) -> String {
        RuleSet::canonical_of(&self.rules)
    }

    /// What has to be read to judge `call` of `amount` (fen).
    pub fn needs(&self, call: CallKind, amount: i64) -> Needs {
        let mut needs = Needs::default();
        for rule in self.rules.iter().filter(|r| r.applies(call, amount)) {
            rule.kind.add_needs(&mut needs);
        }
        needs
    }
}

/// The error with the line of the rule it is about: serde reports where it stopped reading, which
/// for a rule refused as a whole is past its closing brace, so the rule's own `"id"` line is named
/// instead (the second one for a duplicate).
pub fn located(text: &str, e: &serde_json::Error) -> String {
    let message = e.to_string();
    let bare = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(m, _)| m);
    let id = bare
        .strip_prefix("rule \"")
        .and_then(|rest| rest.split_once('"'))
        .map(|(id, _)| id);
    let Some(id) = id else {
        return message;
    };
    let needle = format!("\"{id}\"");
    let lines: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("\"id\"") && l.contains(&needle))
        .map(|(i, _)| i + 1)
        .collect();
    let line = if bare.ends_with("duplicate rule id") {
        lines.get(1).or(lines.first())
    } else {
        lines.first()
    };
    match line {
        Some(n) => format!("line {n}: {bare}"),
        None => message,
    }
}

fn hex(bytes: &[u8]) -> String {
    crate::domain::hex_lower(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_round_trip_through_their_canonical_form() {
        let set = super::super::defaults::rule_set();
        let again = RuleSet::parse(&set.canonical()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again, set);
        assert_eq!(again.hash().len(), 64);
    }

    #[test]
    fn the_hash_changes_with_any_parameter() {
        let a = RuleSet::parse(
            r#"{"rules":[{"id":"big","kind":"amount_at_least","outcome":"step_up","params":{"min_amount":500000}}]}"#,
        );
        let b = RuleSet::parse(
            r#"{"rules":[{"id":"big","kind":"amount_at_least","outcome":"step_up","params":{"min_amount":500001}}]}"#,
        );
        let (a, b) = (
            a.unwrap_or_else(|e| panic!("{e}")),
            b.unwrap_or_else(|e| panic!("{e}")),
        );
        assert_ne!(a.hash(), b.hash());
    }

    fn refusal(text: &str) -> String {
        match RuleSet::parse(text) {
            Ok(_) => panic!("accepted {text}"),
            Err(e) => e.0,
        }
    }

    #[test]
    fn bad_documents_are_refused_with_their_line() {
        let unknown = "{\"rules\": [\n {\"id\": \"a\", \"kind\": \"amount_at_least\", \"outcome\": \"block\", \"params\": {\"min_amount\": 1}},\n {\"id\": \"b\", \"kind\": \"moon_phase\", \"outcome\": \"block\"}\n]}";
        let e = refusal(unknown);
        assert!(e.contains("moon_phase") && e.starts_with("line 3:"), "{e}");
        let duplicate = "{\"rules\": [\n {\"id\": \"a\", \"kind\": \"block_list\", \"outcome\": \"block\"},\n\n {\"id\": \"a\", \"kind\": \"block_list\", \"outcome\": \"block\"}\n]}";
        let e = refusal(duplicate);
        assert!(e.contains("duplicate") && e.starts_with("line 4:"), "{e}");
        let negative = "{\"rules\": [\n {\"kind\": \"velocity\", \"outcome\": \"block\",\n  \"id\": \"v\", \"params\": {\"scope\": \"holder\", \"window_s\": -60, \"max_count\": 3}}\n]}";
        let e = refusal(negative);
        assert!(e.contains("window_s") && e.starts_with("line 3:"), "{e}");
        for bad in [
            r#"{"rules":[{"id":"x","kind":"velocity","outcome":"block","params":{"scope":"holder","window_s":60}}]}"#,
            r#"{"rules":[{"id":"x","kind":"amount_at_least","outcome":"allow","params":{"min_amount":1}}]}"#,
            r#"{"rules":[{"id":"x","kind":"amount_at_least","outcome":"hold","calls":["refund"],"params":{"min_amount":1}}]}"#,
            r#"{"rules":[{"id":"x","kind":"amount_at_least","outcome":"block","params":{"min_amount":1,"max":2}}]}"#,
            r#"{"rules":[{"id":"X Y","kind":"block_list","outcome":"block"}]}"#,
            r#"{"rules":[{"id":"x","kind":"night_time","outcome":"block","params":{"from_hour":25,"to_hour":5,"min_amount":1}}]}"#,
            r#"{"rules":[{"id":"x","kind":"block_list","outcome":"block","colour":"red"}]}"#,
            r#"{"rules":[], "extra": 1}"#,
        ] {
            refusal(bad);
        }
    }

    #[test]
    fn needs_follow_the_amount_gates() {
        let set = super::super::defaults::rule_set();
        let small = set.needs(CallKind::Transfer, 100);
        assert!(small.block_list);
        assert!(!small.first_to_payee && small.history_s.is_none());
        let large = set.needs(CallKind::Transfer, 10_000_000);
        assert!(large.first_to_payee && large.history_s.is_some());
    }
}
