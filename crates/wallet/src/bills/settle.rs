//! A bill payment's end, applied once inside a money transaction, whoever brings the biller's
//! answer (the payment's own flow, or the reconcile timer): paid is marked with the biller's
//! receipt; refused gives the money back from bills payable; no answer leaves it pending.

use super::port::PaidAnswer;
use super::records::BillPaymentStatus;
use crate::ConnectorError;
use crate::money::records::{MoneyTx, MovementStatus};
use crate::money::{
    Alert, Done, Money, MoneyError, Step, apply, entry_id, leg, legs, operator_account,
    wallet_account, yuan,
};
use qianbao_ledger::{AccountKind, Amount, Instruction};

/// The reconcile timer of the bill payment `movement_id`: one per payment.
pub(crate) fn reconcile_timer_id(movement_id: &str) -> String {
    format!("bill_reconcile:{movement_id}")
}

impl Money {
    /// Applies the biller's answer on a pending bill payment and returns it as it then stands;
    /// one that already ended is returned unchanged, so two bearers of one answer settle once.
    pub(crate) fn settle_bill(
        &self,
        r: &mut dyn MoneyTx,
        movement_id: &str,
        answer: &Result<PaidAnswer, ConnectorError>,
        now: i64,
    ) -> Result<Done, MoneyError> {
        let m = r.movement(movement_id)?.ok_or(MoneyError::NotFound)?;
        let mut done = Done {
            id: m.id.clone(),
            status: m.status,
            amount: m.amount,
            fee: m.fee,
            currency: m.currency,
            payee: Some(m.counterparty.clone()),
            discount: Amount::ZERO,
            beside: Default::default(),
        };
        if m.status != MovementStatus::Pending {
            return Ok(done);
        }
        let holder = r.holder(&m.owner_id)?.ok_or(MoneyError::NotFound)?;
        match answer {
            Ok(PaidAnswer::Paid { receipt }) => {
                r.set_movement_status(&m.id, MovementStatus::Succeeded, now)?;
                r.settle_bill_payment(&m.id, BillPaymentStatus::Paid, Some(receipt), now)?;
                self.alert(
                    r,
                    Alert {
                        holder: &holder,
                        kind: "bill",
                        title: "缴费成功".into(),
                        body: format!(
                            "{} 已缴给{}，回执 {receipt}",
                            yuan(m.amount),
                            m.counterparty
                        ),
                        title_en: "Bill paid".into(),
                        body_en: format!(
                            "{} paid to {}, receipt {receipt}",
                            yuan(m.amount),
                            m.counterparty
                        ),
                        movement_id: &m.id,
                        amount: m.amount,
                    },
                )?;
                done.status = MovementStatus::Succeeded;
            }
            Ok(PaidAnswer::Refused) => {
                // The money left the wallet in the payment's first transaction; the biller will
                // not take it, so it comes back from bills payable, the same amount, at once.
                let holder_wallet = wallet_account(r, &holder.wallet_id, m.currency)?;
                let payable = operator_account(r, AccountKind::BillPayable, m.currency)?;
                apply(
                    r,
                    &Instruction::Transfer {
                        id: entry_id(&m.id, Step::Void),
                        postings: legs([leg(&payable, -m.amount), leg(&holder_wallet, m.amount)]),
                    },
                )?;
                r.set_movement_status(&m.id, MovementStatus::Failed, now)?;
                r.settle_bill_payment(&m.id, BillPaymentStatus::Refused, None, now)?;
                self.alert(
                    r,
                    Alert {
                        holder: &holder,
                        kind: "bill_failed",
                        title: "缴费失败".into(),
                        body: format!(
                            "{}未接受 {} 的缴费，款项已退回余额",
                            m.counterparty,
                            yuan(m.amount)
                        ),
                        title_en: "Bill payment failed".into(),
                        body_en: format!(
                            "{} refused the payment of {}; it is back in the balance",
                            m.counterparty,
                            yuan(m.amount)
                        ),
                        movement_id: &m.id,
                        amount: Amount::ZERO,
                    },
                )?;
                done.status = MovementStatus::Failed;
            }
            // No final answer — none in time, or one we could not read — may hide a payment the
            // biller took: the money stays in bills payable until the biller says (the timer asks).
            Ok(PaidAnswer::Unknown) | Err(_) => {}
        }
        Ok(done)
    }
}
