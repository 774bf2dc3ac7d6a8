//! Risk control's rows: each call's decision, the rule sets that made them, the block list,
//! snoozes, and the step-up challenges that bind a second factor to one call. Velocity and
//! history are counted over the stored decisions, inside the money transaction that posts, so a
//! count and the payment it lets through cannot be split by a concurrent call.

use crate::StoreError;
use crate::risk::features::History;
use crate::risk::{CallKind, Needs, Verdict, Window};

/// One stored decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecisionRecord {
    /// Its id.
    pub id: String,
    /// Whose stream of calls it is counted in: `holder:<id>` (money out), `topup:<id>` (a
    /// holder's top-ups) or `merchant:<id>`.
    pub subject: String,
    /// The device the call came from, when a holder's session made it.
    pub device_id: Option<String>,
    /// Who is paid: `holder:<id>`, `merchant:<id>` or `card:<id>`.
    pub payee: Option<String>,
    /// Which call.
    pub call: CallKind,
    /// How much (fen).
    pub amount: i64,
    /// The verdict.
    pub verdict: Verdict,
    /// The reason code the caller was given.
    pub reason: Option<String>,
    /// The hash of the rule set that decided.
    pub rule_set: String,
    /// The features, the rules that fired and the snoozes, as JSON (see [`crate::risk::Decision`]).
    pub trace: String,
    /// The movement the call made (none when refused).
    pub movement_id: Option<String>,
    /// The caller of the idempotency key.
    pub caller: String,
    /// The idempotency key.
    pub idem_key: String,
    /// Whether the money moved or is held: velocity and history count only these.
    pub counted: bool,
    /// When (ms).
    pub created_ms: i64,
}

/// A block-list entry one call touches, and the label it shows as in the trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockProbe {
    /// `phone`, `wallet`, `merchant`, `card_bin` or `device`.
    pub kind: &'static str,
    /// The value to look for.
    pub value: String,
    /// How the trace names it (`payer_wallet`, `payee_wallet`, …).
    pub label: &'static str,
}

/// What to read for one call.
#[derive(Clone, Debug)]
pub struct FeatureQuery<'a> {
    /// Whose money leaves.
    pub subject: &'a str,
    /// The holder behind the subject, for snoozes, resets and wrong PINs.
    pub holder_id: Option<&'a str>,
    /// Who is paid.
    pub payee: Option<&'a str>,
    /// The calling device.
    pub device_id: Option<&'a str>,
    /// The calling session.
    pub session_id: Option<&'a str>,
    /// Now (ms): only what happened up to it is read, so a replay (which asks as of just before
    /// the payment) sees what the call saw.
    pub now_ms: i64,
    /// What the rules need.
    pub needs: &'a Needs,
    /// The block-list entries to look for.
    pub probes: &'a [BlockProbe],
}

/// What was read for one call.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Gathered {
    /// Counted windows, one per need.
    pub windows: Vec<Window>,
    /// The subject's payment history.
    pub history: Option<History>,
    /// Whether the subject never paid this payee before.
    pub first_to_payee: Option<bool>,
    /// The last reset or new-device login within the window (ms).
    pub last_reset_ms: Option<i64>,
    /// Wrong payment passwords per window (window s, count).
    pub wrong_pins: Vec<(i64, i64)>,
    /// The labels of the block-list entries found.
    pub blocked: Vec<String>,
    /// When the session started (ms).
    pub session_created_ms: Option<i64>,
    /// When the device was first seen for this holder (ms).
    pub device_first_seen_ms: Option<i64>,
    /// The rules snoozed for this holder now.
    pub snoozed: Vec<String>,
}

/// A block-list entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockRecord {
    /// `phone`, `wallet`, `merchant`, `card_bin` or `device`.
    pub kind: String,
    /// The value.
    pub value: String,
    /// Why.
    pub note: String,
    /// When (ms).
    pub created_ms: i64,
}

/// A snooze: one holder exempt from one rule until a time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnoozeRecord {
    /// The holder.
    pub holder_id: String,
    /// The rule.
    pub rule_id: String,
    /// Until (ms).
    pub until_ms: i64,
    /// Why.
    pub reason: String,
    /// When set (ms).
    pub created_ms: i64,
}

/// Risk control's rows.
pub trait RiskRecords {
    /// Reads what `query.needs` asks for, as of `query.now_ms`.
    fn risk_features(&mut self, query: &FeatureQuery<'_>) -> Result<Gathered, StoreError>;
    /// Stores a decision.
    fn insert_risk_decision(&mut self, decision: &DecisionRecord) -> Result<(), StoreError>;
    /// The decision that made a movement.
    fn risk_decision_of(&mut self, movement_id: &str)
    -> Result<Option<DecisionRecord>, StoreError>;
    /// Up to `limit` decisions made at or after `since_ms`, in id order, after the id given.
    fn risk_decisions_page(
        &mut self,
        since_ms: i64,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<DecisionRecord>, StoreError>;
    /// `subject`'s newest decisions, at most `limit` of those that moved money and `limit` of
    /// those refused, newest first (the console's holder 360).
    fn risk_decisions_of(
        &mut self,
        subject: &str,
        limit: i64,
    ) -> Result<Vec<DecisionRecord>, StoreError>;
    /// How many decisions were made at or after `since_ms`.
    fn risk_decisions_count(&mut self, since_ms: i64) -> Result<u64, StoreError>;
    /// Keeps a rule set's canonical document under its hash (once).
    fn remember_rule_set(
        &mut self,
        hash: &str,
        document: &str,
        now_ms: i64,
    ) -> Result<(), StoreError>;
    /// A rule set's document by hash.
    fn rule_set_document(&mut self, hash: &str) -> Result<Option<String>, StoreError>;
    /// Adds a block-list entry; false when it was there.
    fn add_risk_block(&mut self, block: &BlockRecord) -> Result<bool, StoreError>;
    /// Removes one; false when it was not there.
    fn remove_risk_block(&mut self, kind: &str, value: &str) -> Result<bool, StoreError>;
    /// The whole block list.
    fn risk_blocks(&mut self) -> Result<Vec<BlockRecord>, StoreError>;
    /// Sets (or replaces) a snooze.
    fn put_snooze(&mut self, snooze: &SnoozeRecord) -> Result<(), StoreError>;
    /// Labels a reviewed held payment with what it turned out to be.
    fn put_risk_label(&mut self, label: &RiskLabelRecord) -> Result<(), StoreError>;
    /// The label of a reviewed payment, if it has one.
    fn risk_label(&mut self, movement_id: &str) -> Result<Option<RiskLabel>, StoreError>;
    /// The step-up challenge under an idempotency key: the digest of the request it was for.
    fn step_up_challenge(&mut self, caller: &str, key: &str) -> Result<Option<String>, StoreError>;
    /// Records that the request with `digest` under the key was asked for a second factor.
    fn put_step_up_challenge(
        &mut self,
        caller: &str,
        key: &str,
        digest: &str,
        now_ms: i64,
    ) -> Result<(), StoreError>;
}

crate::named! {
    /// What a reviewed held payment turned out to be: the ground truth `risk replay` measures a
    /// rule set's precision against.
    pub enum RiskLabel {
        /// It was fraud.
        ConfirmedFraud = "confirmed_fraud",
        /// It was the holder's own, rightful payment.
        FalsePositive = "false_positive",
        /// Not fraud, but worth the look (a mistaken payee, a scam in progress stopped).
        ValuableAlert = "valuable_alert",
    }
}

impl RiskLabel {
    /// Whether holding it was right.
    pub fn was_worth_holding(self) -> bool {
        self != RiskLabel::FalsePositive
    }
}

/// A reviewer's label on a held payment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RiskLabelRecord {
    /// The payer's movement.
    pub movement_id: String,
    /// What it was.
    pub label: RiskLabel,
    /// Who labelled it (`staff:<id>` or `cli`).
    pub actor: String,
    /// When (ms).
    pub at_ms: i64,
}
