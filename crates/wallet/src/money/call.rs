//! The one shape every money call has, written once: inside one money transaction, the caller's
//! `Idempotency-Key` is claimed, the call's own rules run (and post their ledger entry), and the
//! reply is stored with the key — so the movement and the reply that reports it commit together,
//! and a retry finds either both or neither. A refusal anywhere rolls all of it back.
//!
//! The use cases plug their rules in as a closure; the server plugs in how a success is written
//! on the wire ([`Render`]), so the wallet never formats a body and the store never calls back
//! into the server. Risk control runs inside the rules (each call knows its payer, payee and amount
//! only there) through [`Money::screen`](super::risk); what it refuses is kept here, once.

use super::records::MoneyTx;
use super::{IdempotencyKey, Money, MoneyError, Render, claim, finish_claimed};
use crate::StoreError;
use crate::storage::RecordStore;

/// What a money call made, as far as the shell needs to know: the id its key is stored with.
pub trait Outcome: Clone + Send + 'static {
    /// The id of what the call made (the payer's movement, the refund).
    fn resource_id(&self) -> &str;
}

impl Outcome for super::Done {
    fn resource_id(&self) -> &str {
        &self.id
    }
}

impl Outcome for crate::fx::Converted {
    fn resource_id(&self) -> &str {
        &self.id
    }
}

impl Outcome for crate::red_packets::Sent {
    fn resource_id(&self) -> &str {
        &self.id
    }
}

impl Outcome for crate::rewards::Launched {
    fn resource_id(&self) -> &str {
        &self.campaign_id
    }
}

impl Outcome for crate::gift_cards::Issued {
    fn resource_id(&self) -> &str {
        &self.id
    }
}

impl Outcome for crate::gift_cards::Bought {
    fn resource_id(&self) -> &str {
        &self.movement_id
    }
}

impl Outcome for super::merchant::RefundDone {
    fn resource_id(&self) -> &str {
        &self.refund_id
    }
}

impl Money {
    /// Runs one money call at `now_ms` under `key`: claims the key, runs `rules`, stores the
    /// reply `render` writes for the outcome with the key, and commits — all in one transaction.
    pub(crate) async fn call<T: Outcome>(
        &self,
        store: &impl RecordStore,
        key: &IdempotencyKey,
        render: Render<T>,
        now_ms: i64,
        rules: impl Fn(&mut dyn MoneyTx) -> Result<T, MoneyError> + Send + Sync + 'static,
    ) -> Result<T, MoneyError> {
        self.call_after_reads(store, key, render, now_ms, |_| Ok(()), rules)
            .await
    }

    /// [`Money::call`] for a call that knows its reads before the first is needed: `reads` names
    /// them ([`MoneyTx::read_ahead`](super::records::LedgerRecords::read_ahead), the key's row
    /// among them) before the key is claimed, so a store can make them all in one round trip.
    pub(crate) async fn call_after_reads<T: Outcome>(
        &self,
        store: &impl RecordStore,
        key: &IdempotencyKey,
        render: Render<T>,
        now_ms: i64,
        reads: impl Fn(&mut dyn MoneyTx) -> Result<(), StoreError> + Send + Sync + 'static,
        rules: impl Fn(&mut dyn MoneyTx) -> Result<T, MoneyError> + Send + Sync + 'static,
    ) -> Result<T, MoneyError> {
        let key = key.clone();
        let stale_ms = self.policy.idempotency_stale_ms;
        let asked = key.clone();
        let result = self
            .run(store, move |r| {
                reads(r)?;
                let claimed = claim(r, &key, now_ms, stale_ms)?;
                let outcome = rules(r)?;
                let reply = render.reply(outcome.clone());
                finish_claimed(
                    r,
                    &key,
                    claimed.as_ref(),
                    outcome.resource_id(),
                    &reply,
                    now_ms,
                )?;
                Ok(outcome)
            })
            .await;
        self.keep_risk_refusal(store, &asked, result).await
    }

    /// Stores the decision behind a risk refusal, which the call's rollback took with it, and
    /// for a step-up the challenge that binds the second factor to this request: the same key
    /// sent again with another body (another amount or payee) is then `idempotency_conflict`.
    pub(crate) async fn keep_risk_refusal<T>(
        &self,
        store: &impl RecordStore,
        key: &IdempotencyKey,
        result: Result<T, MoneyError>,
    ) -> Result<T, MoneyError> {
        let Err(MoneyError::Risk(refusal)) = result else {
            return result;
        };
        let (record, key, now) = (refusal.record.clone(), key.clone(), self.now_ms());
        let step_up = refusal.verdict == crate::risk::Verdict::StepUp;
        let kept = self
            .run(store, move |r| {
                r.insert_risk_decision(&record)?;
                if step_up {
                    r.put_step_up_challenge(&key.caller, &key.key, &key.digest, now)?;
                }
                Ok(())
            })
            .await;
        kept?;
        Err(MoneyError::Risk(refusal))
    }
}
