//! Looking a bill up: the biller is asked for the bill due on an account, and the answer is kept
//! as a row, so that paying it pays exactly what the holder saw.

use super::account::BillAccount;
use super::port::{Biller, LookedUp};
use super::records::BillLookupRecord;
use crate::ConnectorError;
use crate::money::{Money, MoneyError};
use crate::records::HolderRecord;
use crate::storage::RecordStore;
use qianbao_ledger::Amount;

/// How long a look-up may be paid: long enough to find the PIN, short enough that the bill
/// shown is the bill paid (the biller is asked again at payment anyway).
pub const LOOKUP_TTL_MS: i64 = 60 * 60_000;

/// A connector's failure as the holder is answered: a biller not answering is retryable
/// (`biller_unavailable`); an answer we could not read is ours to look into.
pub(crate) fn unavailable(e: ConnectorError) -> MoneyError {
    match e {
        ConnectorError::Unavailable(_) => MoneyError::BillerUnavailable,
        ConnectorError::Protocol(reason) => MoneyError::Internal(reason),
    }
}

impl Money {
    /// Every biller the connector reaches.
    pub async fn billers(&self) -> Result<Vec<Biller>, MoneyError> {
        self.billers.billers().await.map_err(unavailable)
    }

    /// The biller `biller_id` as the connector lists it; `bill_not_found` when it lists none.
    pub(crate) async fn biller(&self, biller_id: &str) -> Result<Biller, MoneyError> {
        self.billers()
            .await?
            .into_iter()
            .find(|b| b.id == biller_id)
            .ok_or(MoneyError::BillNotFound)
    }

    /// Looks up the bill due on `account` at `biller_id` for `holder`, and keeps it for paying:
    /// `bill_not_found`, `bill_already_paid` or `biller_unavailable` otherwise.
    pub async fn look_up_bill(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        biller_id: &str,
        account: &BillAccount,
    ) -> Result<BillLookupRecord, MoneyError> {
        let ids = self.ctx.ids.clone();
        let biller = self.biller(biller_id).await?;
        let bill = match self.billers.look_up(&biller.id, account).await {
            Ok(LookedUp::Due(bill)) => bill,
            Ok(LookedUp::NotFound) => return Err(MoneyError::BillNotFound),
            Ok(LookedUp::AlreadyPaid) => return Err(MoneyError::BillAlreadyPaid),
            Err(e) => return Err(unavailable(e)),
        };
        let now = self.now_ms();
        let lookup = BillLookupRecord {
            id: ids.movement_id(),
            holder_id: holder.id.clone(),
            biller_id: biller.id,
            biller_name: biller.name,
            account: account.as_str().to_string(),
            reference: bill.reference,
            amount: Amount::from(bill.amount),
            period: bill.period,
            masked_name: bill.masked_name,
            created_ms: now,
            expires_ms: now + LOOKUP_TTL_MS,
        };
        let kept = lookup.clone();
        self.run(store, move |r| Ok(r.insert_bill_lookup(&kept)?))
            .await?;
        Ok(lookup)
    }
}
