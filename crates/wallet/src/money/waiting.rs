//! Payment-code charges that wait for the payer (WeChat's `USERPAYING`): above the
//! password-free limit the till's charge is kept, the payer's phone asks for the PIN, and the
//! payer confirms it (the merchant is paid under the charge's id, through the same rules as any
//! merchant payment), declines it, or lets it lapse. Only a confirmed charge moves money.

use super::call::Outcome;
use super::merchant::{event, serde_like_json};
use super::records::MerchantRecord;
use super::records::{
    Channel, ChargeStatus, MerchantPaymentRecord, MoneyTx, PendingChargeRecord, TimerKind,
    TimerRecord,
};
use super::risk::{Asker, Origin};
use super::{Alert, Done, IdempotencyKey, Money, MoneyError, Render, active_holder, yuan};
use crate::records::HolderRecord;
use crate::risk::CallKind;
use crate::storage::RecordStore;
use qianbao_ledger::{Amount, Currency, PositiveAmount};

/// A payment-code charge as the till asked for it.
pub(crate) struct Charge<'a> {
    pub(crate) code: &'a str,
    pub(crate) amount: PositiveAmount,
    pub(crate) description: &'a str,
    /// The payer's PIN was checked with the charge.
    pub(crate) pin_checked: bool,
    /// Above the password-free limits without the PIN, wait for the payer instead of refusing.
    pub(crate) wait: bool,
}

/// A charge's rules as they run inside its money transaction.
pub(crate) struct ChargeRules<'a> {
    pub(crate) digest: &'a str,
    pub(crate) merchant_id: &'a str,
    pub(crate) amount: PositiveAmount,
    pub(crate) description: &'a str,
    pub(crate) pin_checked: bool,
    pub(crate) wait: bool,
}

/// A charge waiting for its payer, as the till is told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwaitingCharge {
    /// The payment's id: the till polls it, and the payment takes it once confirmed.
    pub payment_id: String,
    /// What was asked.
    pub amount: Amount,
    /// When it lapses unconfirmed (ms).
    pub expires_ms: i64,
}

/// What a payment-code charge came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChargeOutcome {
    /// Paid at once (password-free, or with the PIN).
    Paid(Done),
    /// Waits for the payer to confirm on their phone (answered 202).
    Awaiting(AwaitingCharge),
}

impl Outcome for ChargeOutcome {
    fn resource_id(&self) -> &str {
        match self {
            ChargeOutcome::Paid(done) => &done.id,
            ChargeOutcome::Awaiting(waiting) => &waiting.payment_id,
        }
    }
}

/// A charge waiting for the holder, as their phone shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingCharge {
    /// The charge as kept.
    pub charge: PendingChargeRecord,
    /// Who asks for the money.
    pub merchant_name: String,
}

/// One of a merchant's payments as the till polls it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentView {
    /// Its id.
    pub id: String,
    /// `awaiting_payer`, `succeeded`, `declined` or `expired`.
    pub status: ChargeStatus,
    /// What was asked (and, once succeeded, paid).
    pub amount: Amount,
    /// The merchant's fee, once paid.
    pub fee: Amount,
    /// What was refunded of it.
    pub refunded: Amount,
    /// In what.
    pub currency: Currency,
    /// How it was paid (`payment_code` for a confirmed charge), once paid.
    pub channel: Option<Channel>,
    /// What it is for.
    pub description: String,
    /// When it was asked for (ms).
    pub created_ms: i64,
    /// When a waiting charge lapses (ms).
    pub expires_ms: Option<i64>,
}

impl Money {
    /// Keeps a charge above the password-free limits for its payer to confirm, inside the
    /// charge's transaction; nothing moves. The payer is told (their phone's stream shows it),
    /// and a timer lapses it.
    pub(crate) fn wait_for_payer(
        &self,
        r: &mut dyn MoneyTx,
        holder_id: &str,
        c: &ChargeRules<'_>,
        now: i64,
    ) -> Result<AwaitingCharge, MoneyError> {
        let ids = self.ctx.ids.clone();
        let payer = active_holder(r, holder_id)?;
        let merchant = r
            .merchant(c.merchant_id)?
            .filter(|m| m.status == "active")
            .ok_or(MoneyError::MerchantUnavailable)?;
        if merchant.holder_id == payer.id {
            return Err(MoneyError::InvalidPayee("yourself"));
        }
        let amount = c.amount.amount();
        let charge = PendingChargeRecord {
            id: ids.movement_id(),
            merchant_id: merchant.id.clone(),
            holder_id: payer.id.clone(),
            amount,
            currency: Currency::CNY,
            description: c.description.to_string(),
            status: ChargeStatus::AwaitingPayer,
            expires_ms: now + self.policy.awaiting_payer_ttl_ms,
            created_ms: now,
            decided_ms: None,
        };
        r.insert_pending_charge(&charge)?;
        r.insert_timer(&TimerRecord {
            id: ids.movement_id(),
            kind: TimerKind::ChargeLapse,
            subject: charge.id.clone(),
            due_ms: charge.expires_ms,
            attempts: 0,
            created_ms: now,
        })?;
        self.alert(
            r,
            Alert {
                holder: &payer,
                kind: "pending_charge",
                title: "待确认付款".into(),
                body: format!(
                    "{} 请求收款 {}，请输入支付密码确认",
                    merchant.name,
                    yuan(amount)
                ),
                title_en: "Payment to confirm".into(),
                body_en: format!(
                    "{} asks for {}: confirm with your payment password",
                    merchant.name,
                    yuan(amount)
                ),
                movement_id: &charge.id,
                // Nothing moved: no text message for it.
                amount: Amount::ZERO,
            },
        )?;
        charge_event(r, &ids, &merchant, &charge, "payment.awaiting_payer", now)?;
        Ok(AwaitingCharge {
            payment_id: charge.id,
            amount,
            expires_ms: charge.expires_ms,
        })
    }

    /// The holder's charges waiting for them, oldest first, with who asks.
    pub async fn pending_charges(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
    ) -> Result<Vec<PendingCharge>, MoneyError> {
        let (holder_id, now) = (holder.id.clone(), self.now_ms());
        Ok(store
            .transact_read(move |r| {
                let mut out = Vec::new();
                for charge in r.awaiting_charges(&holder_id, now)? {
                    let merchant_name = r
                        .merchant(&charge.merchant_id)?
                        .map(|m| m.name)
                        .unwrap_or_default();
                    out.push(PendingCharge {
                        charge,
                        merchant_name,
                    });
                }
                Ok(out)
            })
            .await?)
    }

    /// Checks, before the PIN is asked for, that the holder's charge `id` still waits: another
    /// holder's is `not_found`, a lapsed one `charge_expired`, a decided one
    /// `charge_not_awaiting`. Confirming checks all of it again in its transaction.
    pub async fn awaiting_charge(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        id: &str,
    ) -> Result<PendingChargeRecord, MoneyError> {
        let (holder_id, id, now) = (holder.id.clone(), id.to_string(), self.now_ms());
        let charge = store
            .transact_read(move |r| r.pending_charge(&id))
            .await?
            .filter(|c| c.holder_id == holder_id)
            .ok_or(MoneyError::NotFound)?;
        still_awaiting(&charge, now)?;
        Ok(charge)
    }

    /// The payer confirms their charge `id` (their PIN checked by the caller): the merchant is
    /// paid under the charge's id through the rules of any merchant payment, once.
    pub async fn confirm_charge(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        id: &str,
        origin: &Origin,
        key: &IdempotencyKey,
        render: Render<Done>,
    ) -> Result<Done, MoneyError> {
        let asker = Asker::new(origin, key, CallKind::Pay);
        let (holder_id, id) = (holder.id.clone(), id.to_string());
        let money = self.clone();
        let now = self.now_ms();
        self.call(store, key, render, now, move |r| {
            let charge = r
                .pending_charge(&id)?
                .filter(|c| c.holder_id == holder_id)
                .ok_or(MoneyError::NotFound)?;
            still_awaiting(&charge, now)?;
            let amount = PositiveAmount::new(charge.amount.minor()).ok_or(MoneyError::NotFound)?;
            let done = money.pay_merchant_as(
                r,
                &charge.id,
                None,
                &holder_id,
                &charge.merchant_id,
                amount,
                None,
                Channel::PaymentCode,
                &charge.description,
                &asker,
                now,
            )?;
            if !r.decide_pending_charge(&charge.id, ChargeStatus::Succeeded, now)? {
                return Err(MoneyError::ChargeNotAwaiting);
            }
            Ok(done)
        })
        .await
    }

    /// The payer declines their charge `id`: nothing moves, the merchant sees `declined`.
    /// Declining again is no change.
    pub async fn decline_charge(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        id: &str,
    ) -> Result<(), MoneyError> {
        let ids = self.ctx.ids.clone();
        let (holder_id, id) = (holder.id.clone(), id.to_string());
        let now = self.now_ms();
        self.run(store, move |r| {
            let charge = r
                .pending_charge(&id)?
                .filter(|c| c.holder_id == holder_id)
                .ok_or(MoneyError::NotFound)?;
            if charge.status == ChargeStatus::Declined {
                return Ok(());
            }
            still_awaiting(&charge, now)?;
            if !r.decide_pending_charge(&charge.id, ChargeStatus::Declined, now)? {
                return Err(MoneyError::ChargeNotAwaiting);
            }
            if let Some(merchant) = r.merchant(&charge.merchant_id)? {
                charge_event(r, &ids, &merchant, &charge, "payment.declined", now)?;
            }
            Ok(())
        })
        .await
    }

    /// Lapses a charge its payer did not confirm in time (its timer came due): the merchant sees
    /// `expired` and its webhook says so. A charge decided meanwhile is left as it is.
    pub(crate) async fn lapse_charge(
        &self,
        store: &impl RecordStore,
        timer: &TimerRecord,
    ) -> Result<bool, MoneyError> {
        let ids = self.ctx.ids.clone();
        let (id, timer_id) = (timer.subject.clone(), timer.id.clone());
        let now = self.now_ms();
        self.run(store, move |r| {
            if let Some(charge) = r.pending_charge(&id)?
                && charge.status_at(now) == ChargeStatus::Expired
                && r.decide_pending_charge(&charge.id, ChargeStatus::Expired, now)?
                && let Some(merchant) = r.merchant(&charge.merchant_id)?
            {
                charge_event(r, &ids, &merchant, &charge, "payment.expired", now)?;
            }
            r.delete_timer(&timer_id)?;
            Ok(true)
        })
        .await
    }

    /// One of the merchant's payments, waiting or made: a charge that waited for its payer
    /// shows where it stands; a payment made at once is `succeeded`.
    pub async fn merchant_payment(
        &self,
        store: &impl RecordStore,
        merchant: &MerchantRecord,
        id: &str,
    ) -> Result<PaymentView, MoneyError> {
        let (merchant_id, id, now) = (merchant.id.clone(), id.to_string(), self.now_ms());
        let (charge, paid) = store
            .transact_read(move |r| {
                let charge = r
                    .pending_charge(&id)?
                    .filter(|c| c.merchant_id == merchant_id);
                let paid = r
                    .merchant_payment(&id)?
                    .filter(|p| p.merchant_id == merchant_id);
                Ok((charge, paid))
            })
            .await?;
        payment_view(charge, paid, now)
    }
}

/// Refuses a charge that no longer waits at `now`.
fn still_awaiting(charge: &PendingChargeRecord, now: i64) -> Result<(), MoneyError> {
    match charge.status_at(now) {
        ChargeStatus::AwaitingPayer => Ok(()),
        ChargeStatus::Expired => Err(MoneyError::ChargeExpired),
        ChargeStatus::Succeeded | ChargeStatus::Declined => Err(MoneyError::ChargeNotAwaiting),
    }
}

/// A merchant's payment from its waiting charge and its payment, either or both.
fn payment_view(
    charge: Option<PendingChargeRecord>,
    paid: Option<MerchantPaymentRecord>,
    now: i64,
) -> Result<PaymentView, MoneyError> {
    match (charge, paid) {
        (charge, Some(p)) => Ok(PaymentView {
            id: p.id,
            status: ChargeStatus::Succeeded,
            amount: p.amount,
            fee: p.fee,
            refunded: p.refunded,
            currency: p.currency,
            channel: Some(p.channel),
            description: p.description,
            created_ms: charge.as_ref().map_or(p.created_ms, |c| c.created_ms),
            expires_ms: charge.map(|c| c.expires_ms),
        }),
        (Some(c), None) => Ok(PaymentView {
            status: c.status_at(now),
            id: c.id,
            amount: c.amount,
            fee: Amount::ZERO,
            refunded: Amount::ZERO,
            currency: c.currency,
            channel: None,
            description: c.description,
            created_ms: c.created_ms,
            expires_ms: Some(c.expires_ms),
        }),
        (None, None) => Err(MoneyError::NotFound),
    }
}

/// Queues a waiting charge's event for the merchant's webhook.
fn charge_event(
    r: &mut dyn MoneyTx,
    ids: &crate::ids::Ids,
    merchant: &MerchantRecord,
    charge: &PendingChargeRecord,
    name: &str,
    now: i64,
) -> Result<(), crate::StoreError> {
    event(
        r,
        ids,
        merchant,
        name,
        &serde_like_json(
            &[
                ("payment_id", &charge.id),
                ("status", name.trim_start_matches("payment.")),
            ],
            &[
                ("amount", charge.amount.minor()),
                ("expires_ms", charge.expires_ms),
            ],
        ),
        now,
    )
}
