//! The risk stage of the money-call shell: it reads the features the rules need inside the call's
//! own transaction, judges, and stores the decision with the posting. A hold comes back to the
//! caller (who reserves the money instead of moving it); a step-up or a block comes back as
//! [`MoneyError::Risk`], which rolls the call back, and the shell then stores the decision alone.

use super::records::{BlockProbe, DecisionRecord, FeatureQuery, IdempotencyState, MoneyTx};
use super::{IdempotencyKey, Money, MoneyError, RiskRefusal, SecondFactorRefusal};
use crate::records::HolderRecord;
use crate::risk::features::CallKind;
use crate::risk::{Decision, Features, Needs, Verdict, judge, reasons};
use crate::storage::RecordStore;
use qianbao_ledger::Amount;

/// Who makes a money call, as risk control needs to know: the session and device, and whether a
/// second factor came with the call and was right.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    /// The holder's session, when a holder calls.
    pub session_id: Option<String>,
    /// The holder's device, when a holder calls.
    pub device_id: Option<String>,
    /// A second factor came with the call and was checked.
    pub second_factor: bool,
}

impl Origin {
    /// A call from a merchant's key or the platform itself: no session, no device.
    pub fn merchant() -> Origin {
        Origin::default()
    }
}

/// A money call's asker as the rules inside its transaction need it: where it came from, its key,
/// and which call it is.
#[derive(Clone, Debug)]
pub(crate) struct Asker {
    pub(crate) origin: Origin,
    pub(crate) key: IdempotencyKey,
    pub(crate) call: CallKind,
}

impl Asker {
    pub(crate) fn new(origin: &Origin, key: &IdempotencyKey, call: CallKind) -> Asker {
        Asker {
            origin: origin.clone(),
            key: key.clone(),
            call,
        }
    }
}

/// Whose money a call moves out.
#[derive(Clone, Copy)]
pub(crate) enum Subject<'a> {
    /// A holder's.
    Holder(&'a HolderRecord),
    /// A merchant's (refunds, settlements).
    Merchant(&'a str),
}

/// Who a call pays.
#[derive(Clone, Copy)]
pub(crate) enum Payee<'a> {
    /// Another holder.
    Holder(&'a HolderRecord),
    /// A merchant.
    Merchant(&'a str),
    /// A bank card (top-ups and withdrawals), by id with its number's first six digits.
    Card { id: &'a str, bin: &'a str },
}

/// One call as risk control sees it.
pub(crate) struct Ask<'a> {
    pub(crate) subject: Subject<'a>,
    pub(crate) payee: Payee<'a>,
    pub(crate) amount: Amount,
    /// The movement the call is about to make.
    pub(crate) movement_id: &'a str,
}

impl Ask<'_> {
    /// Whose stream of calls this one is counted in: a holder's money out, a holder's top-ups
    /// (money in, counted apart so a top-up never uses up a payment velocity), or a merchant's.
    fn subject_key(&self, call: CallKind) -> String {
        match self.subject {
            Subject::Holder(h) if call == CallKind::Topup => format!("topup:{}", h.id),
            Subject::Holder(h) => format!("holder:{}", h.id),
            Subject::Merchant(id) => format!("merchant:{id}"),
        }
    }

    fn payee_key(&self) -> String {
        match self.payee {
            Payee::Holder(h) => format!("holder:{}", h.id),
            Payee::Merchant(id) => format!("merchant:{id}"),
            Payee::Card { id, .. } => format!("card:{id}"),
        }
    }

    /// Whether a hold can reserve this call's money: a payment to a shop cannot wait for review
    /// (the shop is at the counter), so a hold there is a block.
    fn holdable(&self, call: CallKind) -> bool {
        holdable(call, matches!(self.payee, Payee::Holder(_)))
    }

    /// The block-list entries this call touches: the payer's phone and wallet when money leaves a
    /// holder, the payee's wallet, the merchant on either side, the card's BIN, the device.
    fn probes(&self, call: CallKind, origin: &Origin) -> Vec<BlockProbe> {
        let mut probes = Vec::new();
        let probe = |kind, value: &str, label| BlockProbe {
            kind,
            value: value.to_string(),
            label,
        };
        match self.subject {
            Subject::Holder(h) if call != CallKind::Topup => {
                probes.push(probe("phone", &h.phone, "payer_phone"));
                probes.push(probe("wallet", &h.wallet_id, "payer_wallet"));
            }
            Subject::Holder(_) => {}
            Subject::Merchant(id) => probes.push(probe("merchant", id, "merchant")),
        }
        match self.payee {
            Payee::Holder(h) => {
                probes.push(probe("wallet", &h.wallet_id, "payee_wallet"));
                probes.push(probe("phone", &h.phone, "payee_phone"));
            }
            Payee::Merchant(id) => probes.push(probe("merchant", id, "merchant")),
            Payee::Card { bin, .. } => probes.push(probe("card_bin", bin, "card_bin")),
        }
        if let Some(device) = &origin.device_id {
            probes.push(probe("device", device, "device"));
        }
        probes
    }
}

/// What is kept as a decision's trace: enough to judge it again.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Trace {
    /// The rules that fired.
    pub fired: Vec<crate::risk::Fired>,
    /// What they saw.
    pub features: Features,
    /// The rules snoozed for the holder then.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub snoozed: Vec<String>,
    /// The session the call came from, so a replay can read its age as it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
}

impl Trace {
    /// Reads a stored trace.
    pub fn parse(text: &str) -> Option<Trace> {
        serde_json::from_str(text).ok()
    }
}

/// Judges a stored call again under `rules` from `features` and `snoozed`, as the money call's
/// risk stage did (`session_id`: the holder's session the call came from, if any).
pub fn rejudge(
    rules: &crate::risk::RuleSet,
    record: &DecisionRecord,
    features: &Features,
    snoozed: &[String],
    session_id: Option<&str>,
) -> Decision {
    let mut decision = judge(rules, features, snoozed);
    let holdable = holdable(
        record.call,
        record
            .payee
            .as_deref()
            .is_some_and(|p| p.starts_with("holder:")),
    );
    decision.verdict = settled(decision.verdict, holdable, session_id.is_some());
    decision
}

/// Whether a call's money can wait for a reviewer: a transfer, a withdrawal, or paying a holder's
/// receive code — not a payment to a shop, which is at its counter.
fn holdable(call: CallKind, to_a_holder: bool) -> bool {
    matches!(call, CallKind::Transfer | CallKind::Withdrawal)
        || (call == CallKind::Pay && to_a_holder)
}

/// The verdict a call can carry out: a hold where the money cannot wait (a payment to a shop) is
/// a block, and so is a step-up where no holder is there to give a second factor (a merchant's
/// charge, refund or settlement).
fn settled(verdict: Verdict, holdable: bool, holder_present: bool) -> Verdict {
    match verdict {
        Verdict::Hold if !holdable => Verdict::Block,
        Verdict::StepUp if !holder_present => Verdict::Block,
        other => other,
    }
}

/// The hour of day in China (UTC+8) at `ms`.
fn china_hour(ms: i64) -> u8 {
    let into_day = ms - crate::domain::ChinaDay::of_ms(ms).start_ms();
    u8::try_from(into_day / 3_600_000).unwrap_or(0)
}

impl Money {
    /// Judges `ask` inside the call's transaction. `Allow` and `Hold` come back with the decision
    /// stored; a step-up or a block is [`MoneyError::Risk`].
    pub(crate) fn screen(
        &self,
        r: &mut dyn MoneyTx,
        asker: &Asker,
        ask: &Ask<'_>,
        now_ms: i64,
    ) -> Result<Verdict, MoneyError> {
        let origin = &asker.origin;
        let rules = &self.policy.risk;
        let amount = ask.amount.minor();
        let call = asker.call;
        let holder_id = match ask.subject {
            Subject::Holder(h) => Some(h.id.as_str()),
            Subject::Merchant(_) => None,
        };
        let mut features = Features {
            call: Some(call),
            amount,
            hour: china_hour(now_ms),
            second_factor: origin.second_factor,
            payee_age_s: match ask.payee {
                Payee::Holder(h) => Some((now_ms - h.created_ms) / 1000),
                _ => None,
            },
            ..Features::default()
        };
        let mut snoozed = Vec::new();
        if let Some(plan) = self.feature_plan(asker, ask, now_ms) {
            let got = r.risk_features(&plan.query())?;
            features.windows = got.windows;
            features.history = got.history;
            features.first_to_payee = got.first_to_payee;
            features.since_reset_s = got.last_reset_ms.map(|at| (now_ms - at) / 1000);
            features.wrong_pins = got.wrong_pins;
            features.blocked = got.blocked;
            features.session_age_s = got.session_created_ms.map(|at| (now_ms - at) / 1000);
            // A session whose device was never recorded is a device seen for the first time now.
            features.device_age_s = got
                .session_created_ms
                .map(|at| (now_ms - got.device_first_seen_ms.unwrap_or(at)) / 1000);
            snoozed = got.snoozed;
        }
        let mut decision = judge(rules, &features, &snoozed);
        // Kept in step with `rejudge`, which verify and replay use.
        decision.verdict = settled(
            decision.verdict,
            ask.holdable(call),
            origin.session_id.is_some(),
        );
        let record = self.decision_record(asker, ask, &decision, snoozed, now_ms);
        match decision.verdict {
            Verdict::Allow | Verdict::Hold => {
                r.insert_risk_decision(&record)?;
                Ok(decision.verdict)
            }
            verdict => {
                let reason = decision
                    .reason
                    .as_deref()
                    .map(reasons::known)
                    .unwrap_or("risk");
                let methods = if verdict == Verdict::StepUp {
                    self.second_factor_methods(r, holder_id)?
                } else {
                    Vec::new()
                };
                Err(MoneyError::Risk(Box::new(RiskRefusal {
                    verdict,
                    reason,
                    methods,
                    record,
                })))
            }
        }
    }

    fn decision_record(
        &self,
        asker: &Asker,
        ask: &Ask<'_>,
        decision: &Decision,
        snoozed: Vec<String>,
        now_ms: i64,
    ) -> DecisionRecord {
        let ids = self.ctx.ids.clone();
        let trace = Trace {
            fired: decision.fired.clone(),
            features: decision.features.clone(),
            snoozed,
            session_id: asker.origin.session_id.clone(),
        };
        let counted = matches!(decision.verdict, Verdict::Allow | Verdict::Hold);
        DecisionRecord {
            id: ids.movement_id(),
            subject: ask.subject_key(asker.call),
            device_id: asker.origin.device_id.clone(),
            payee: Some(ask.payee_key()),
            call: asker.call,
            amount: ask.amount.minor(),
            verdict: decision.verdict,
            reason: decision.reason.clone(),
            rule_set: decision.rule_set.clone(),
            trace: serde_json::to_string(&trace).unwrap_or_default(),
            movement_id: counted.then(|| ask.movement_id.to_string()),
            caller: asker.key.caller.clone(),
            idem_key: asker.key.key.clone(),
            counted,
            created_ms: now_ms,
        }
    }
}

/// What one call's features are read with: the statements a store makes from it are the same
/// whether the call's transaction asks for them at the start (read ahead, with its other reads,
/// in one round trip) or when the risk stage runs, so the answer read ahead is the one used.
pub(crate) struct FeaturePlan {
    subject: String,
    holder_id: Option<String>,
    payee: String,
    device_id: Option<String>,
    session_id: Option<String>,
    now_ms: i64,
    needs: Needs,
    probes: Vec<BlockProbe>,
}

impl FeaturePlan {
    /// The query a store reads the features with.
    pub(crate) fn query(&self) -> FeatureQuery<'_> {
        FeatureQuery {
            subject: &self.subject,
            holder_id: self.holder_id.as_deref(),
            payee: Some(&self.payee),
            device_id: self.device_id.as_deref(),
            session_id: self.session_id.as_deref(),
            now_ms: self.now_ms,
            needs: &self.needs,
            probes: &self.probes,
        }
    }
}

impl Money {
    /// What `ask` by `asker` at `now_ms` must read for the rules in force; `None` when no rule
    /// applies to it (nothing is read).
    pub(crate) fn feature_plan(
        &self,
        asker: &Asker,
        ask: &Ask<'_>,
        now_ms: i64,
    ) -> Option<FeaturePlan> {
        let rules = &self.policy.risk;
        let (call, amount) = (asker.call, ask.amount.minor());
        if !rules.rules().iter().any(|rule| rule.applies(call, amount)) {
            return None;
        }
        let needs = rules.needs(call, amount);
        let probes = if needs.block_list {
            ask.probes(call, &asker.origin)
        } else {
            Vec::new()
        };
        Some(FeaturePlan {
            subject: ask.subject_key(call),
            holder_id: match ask.subject {
                Subject::Holder(h) => Some(h.id.clone()),
                Subject::Merchant(_) => None,
            },
            payee: ask.payee_key(),
            device_id: asker.origin.device_id.clone(),
            session_id: asker.origin.session_id.clone(),
            now_ms,
            needs,
            probes,
        })
    }

    /// The second factors a holder can give: a TOTP code once enrolled, an SMS code always.
    fn second_factor_methods(
        &self,
        r: &mut dyn MoneyTx,
        holder_id: Option<&str>,
    ) -> Result<Vec<&'static str>, MoneyError> {
        let totp = match holder_id {
            Some(id) => self.kyc.totp_guard().enabled_in(r, id)?,
            None => false,
        };
        Ok(if totp {
            vec!["totp", "sms"]
        } else {
            vec!["sms"]
        })
    }

    /// Checks the second factor sent with a holder's money call, before the call runs: it must be
    /// for this request (a step-up asked under the same key for another body — another amount
    /// or payee — is `idempotency_conflict`), and right. A right one is used up here, so it
    /// can never confirm another call.
    pub async fn prove_second_factor(
        &self,
        store: &impl RecordStore,
        opening: &crate::opening::Opening,
        holder: &HolderRecord,
        key: &IdempotencyKey,
        proof: SecondFactorProof,
    ) -> Result<(), MoneyError> {
        let k = key.clone();
        let (asked, earlier) = store
            .transact_read(move |r| {
                Ok((
                    r.step_up_challenge(&k.caller, &k.key)?,
                    r.idempotency(&k.caller, &k.key)?,
                ))
            })
            .await?;
        if asked.is_some_and(|digest| digest != key.digest) {
            return Err(MoneyError::IdempotencyConflict);
        }
        // An earlier attempt of this very call is still running: its row is written only once
        // the call got past its second factor, so this retry (after a crash, or a bank that did
        // not answer) is the same call, already proven. Asking again for the code that attempt
        // used up refused the retry while the first attempt's card payment went on — and the
        // money the bank took then landed in the balance (found by the simulation, seed 307).
        if earlier.is_some_and(|row| {
            row.request_digest == key.digest && row.state == IdempotencyState::Running
        }) {
            return Ok(());
        }
        match proof {
            SecondFactorProof::Totp(code) => self
                .kyc
                .check_totp(store, &holder.id, &code)
                .await
                .map_err(|e| match e {
                    crate::kyc::KycError::Store(s) => MoneyError::Store(s),
                    e => MoneyError::SecondFactor(Box::new(SecondFactorRefusal::Totp(e))),
                }),
            SecondFactorProof::Sms(code) => opening
                .check_step_up_otp(store, holder, &code)
                .await
                .map_err(|e| match e {
                    crate::opening::OpeningError::Store(s) => MoneyError::Store(s),
                    e => MoneyError::SecondFactor(Box::new(SecondFactorRefusal::Sms(e))),
                }),
        }
    }
}

/// A second factor as sent with a money call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecondFactorProof {
    /// A TOTP code from the holder's authenticator.
    Totp(String),
    /// An SMS code of purpose `step_up`.
    Sms(String),
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_hour_is_chinas() {
        let hour_ms = 3_600_000;
        assert_eq!(super::china_hour(0), 8, "midnight UTC is 08:00 in China");
        assert_eq!(super::china_hour(16 * hour_ms), 0);
        assert_eq!(super::china_hour(16 * hour_ms - 1), 23);
        assert_eq!(super::china_hour(1_800_000_000_000), 16);
    }
}
