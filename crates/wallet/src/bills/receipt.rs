//! A bill payment's receipt as the holder sees it beside their record: the biller, the account
//! (masked), the period and the biller's receipt reference.

use super::account::BillAccount;
use super::records::BillPaymentStatus;
use crate::money::{Money, MoneyError};
use crate::records::HolderRecord;
use crate::storage::RecordStore;
use qianbao_ledger::Amount;

/// One bill payment, as its receipt shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BillReceipt {
    /// The holder's movement id.
    pub id: String,
    /// The biller.
    pub biller_id: String,
    /// The biller's name.
    pub biller_name: String,
    /// The account, masked (`****5678`).
    pub account_masked: String,
    /// The period billed.
    pub period: String,
    /// What was paid (fen).
    pub amount: Amount,
    /// Where it stands.
    pub status: BillPaymentStatus,
    /// The biller's receipt reference, once paid.
    pub receipt: Option<String>,
    /// Whether auto-pay made it.
    pub autopay: bool,
    /// When it was made (ms).
    pub created_ms: i64,
}

impl Money {
    /// The receipt of the holder's bill payment `movement_id`; another's is `not_found`.
    pub async fn bill_receipt(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        movement_id: &str,
    ) -> Result<BillReceipt, MoneyError> {
        let id = movement_id.to_string();
        let payment = store
            .transact_read(move |r| r.bill_payment(&id))
            .await?
            .filter(|p| p.holder_id == holder.id)
            .ok_or(MoneyError::NotFound)?;
        Ok(BillReceipt {
            id: payment.movement_id,
            biller_id: payment.biller_id,
            biller_name: payment.biller_name,
            account_masked: BillAccount::parse(&payment.account)
                .map(|a| a.masked())
                .unwrap_or_else(|| "****".into()),
            period: payment.period,
            amount: payment.amount,
            status: payment.status,
            receipt: payment.receipt,
            autopay: payment.autopay,
            created_ms: payment.created_ms,
        })
    }
}
