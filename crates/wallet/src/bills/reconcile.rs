//! The reconcile timer of a bill payment the biller did not confirm: it asks the biller by our
//! payment id; a payment the biller never received is sent again under the same id (the biller
//! dedupes by it); a final answer is applied once, and anything else is asked again later.

use super::port::{BillOrder, PaidAnswer};
use crate::money::records::{MovementRecord, MovementStatus, TimerRecord};
use crate::money::{Money, MoneyError};
use crate::storage::RecordStore;
use qianbao_ledger::PositiveAmount;

impl Money {
    /// Runs the `bill_reconcile` timer of `movement`. `Ok(true)` when the payment has ended (or
    /// had already); an error when the biller gave no final answer, so the timer backs off and
    /// asks again.
    pub(crate) async fn reconcile_bill(
        &self,
        store: &impl RecordStore,
        timer: &TimerRecord,
        movement: &MovementRecord,
    ) -> Result<bool, MoneyError> {
        let (id, timer_id) = (movement.id.clone(), timer.id.clone());
        let payment = store.transact_read(move |r| r.bill_payment(&id)).await?;
        let (Some(payment), MovementStatus::Pending) = (payment, movement.status) else {
            let id = timer_id.clone();
            self.run(store, move |r| Ok(r.delete_timer(&id)?)).await?;
            return Ok(true);
        };
        let mut answer = self
            .billers
            .payment_status(&payment.biller_id, &payment.movement_id)
            .await;
        if matches!(answer, Ok(PaidAnswer::Unknown)) {
            // Never received (or still being worked on): telling it again is safe, the biller
            // knows the payment by our id.
            let amount =
                PositiveAmount::new(payment.amount.minor()).ok_or(MoneyError::AmountInvalid)?;
            answer = self
                .billers
                .pay(&BillOrder {
                    payment_id: payment.movement_id.clone(),
                    biller_id: payment.biller_id.clone(),
                    reference: payment.reference.clone(),
                    amount,
                })
                .await;
        }
        if !matches!(answer, Ok(PaidAnswer::Paid { .. } | PaidAnswer::Refused)) {
            return Err(MoneyError::BillerUnavailable);
        }
        let (money, id, now) = (self.clone(), movement.id.clone(), self.now_ms());
        self.run(store, move |r| {
            money.settle_bill(r, &id, &answer, now)?;
            r.delete_timer(&timer_id)?;
            Ok(())
        })
        .await?;
        Ok(true)
    }
}
