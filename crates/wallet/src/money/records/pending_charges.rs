//! Payment-code charges that wait for the payer (WeChat's `USERPAYING`): kept until the payer
//! confirms with the PIN on their phone, declines, or lets the charge lapse.

use crate::StoreError;
use qianbao_ledger::{Amount, Currency};

crate::named! {
    /// Where a waiting charge stands.
    pub enum ChargeStatus {
        /// The payer's phone asks for the PIN; nothing has moved.
        AwaitingPayer = "awaiting_payer",
        /// The payer confirmed: the merchant was paid under the charge's id.
        Succeeded = "succeeded",
        /// The payer declined: nothing moved.
        Declined = "declined",
        /// Nobody confirmed in time: nothing moved.
        Expired = "expired",
    }
}

/// A charge waiting for its payer; its id is the payment's id once paid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingChargeRecord {
    /// Its id, which the merchant polls and the payment takes.
    pub id: String,
    /// Who charges.
    pub merchant_id: String,
    /// Whose payment code it was.
    pub holder_id: String,
    /// What the till asked for.
    pub amount: Amount,
    /// In what.
    pub currency: Currency,
    /// What the till said it is for.
    pub description: String,
    /// Where it stands as stored; a lapse not yet recorded still reads `awaiting_payer`.
    pub status: ChargeStatus,
    /// When it lapses (ms).
    pub expires_ms: i64,
    /// When the till asked (ms).
    pub created_ms: i64,
    /// When it was confirmed, declined or lapsed (ms).
    pub decided_ms: Option<i64>,
}

impl PendingChargeRecord {
    /// Where it stands at `now_ms`: a charge past its time is expired even before its timer ran.
    pub fn status_at(&self, now_ms: i64) -> ChargeStatus {
        if self.status == ChargeStatus::AwaitingPayer && now_ms >= self.expires_ms {
            ChargeStatus::Expired
        } else {
            self.status
        }
    }
}

/// Waiting charges.
pub trait PendingChargeRecords {
    /// Keeps a new waiting charge.
    fn insert_pending_charge(&mut self, charge: &PendingChargeRecord) -> Result<(), StoreError>;
    /// One charge.
    fn pending_charge(&mut self, id: &str) -> Result<Option<PendingChargeRecord>, StoreError>;
    /// Records the outcome of a charge still awaiting its payer; false when it was not awaiting
    /// (another node decided first).
    fn decide_pending_charge(
        &mut self,
        id: &str,
        status: ChargeStatus,
        at_ms: i64,
    ) -> Result<bool, StoreError>;
    /// The holder's charges awaiting them and not lapsed at `now_ms`, oldest first.
    fn awaiting_charges(
        &mut self,
        holder_id: &str,
        now_ms: i64,
    ) -> Result<Vec<PendingChargeRecord>, StoreError>;
}
