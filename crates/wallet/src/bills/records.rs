//! The rows of bill payment: the bills a holder looked up (so a payment pays exactly the amount
//! they saw), the payments made (one open payment per bill, held by a unique index), and the
//! billers a holder saved with their auto-pay settings.

use crate::StoreError;
use qianbao_ledger::Amount;

crate::named! {
    /// Where a bill's payment stands.
    pub enum BillPaymentStatus {
        /// The money left the wallet; the biller has not confirmed yet.
        Pending = "pending",
        /// The biller confirmed, with its receipt.
        Paid = "paid",
        /// The biller refused, and the money went back to the holder. The bill may be paid again.
        Refused = "refused",
    }
}

/// A bill as looked up for a holder: what paying `id` will pay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BillLookupRecord {
    /// Its id, the `bill_id` the holder pays (a UUID v7).
    pub id: String,
    /// Who looked it up: nobody else may pay under this id.
    pub holder_id: String,
    /// The biller.
    pub biller_id: String,
    /// The biller's name, as it was when looked up.
    pub biller_name: String,
    /// The account number.
    pub account: String,
    /// The biller's reference for the bill.
    pub reference: String,
    /// What is due (fen).
    pub amount: Amount,
    /// The period billed.
    pub period: String,
    /// The account holder's masked name, as the biller gave it.
    pub masked_name: String,
    /// When it was looked up (ms).
    pub created_ms: i64,
    /// When it may no longer be paid without looking it up again (ms).
    pub expires_ms: i64,
}

/// A bill's payment: the holder's movement, and what the biller was told and answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BillPaymentRecord {
    /// The holder's movement id, also our payment id at the biller.
    pub movement_id: String,
    /// The payer.
    pub holder_id: String,
    /// The look-up it paid.
    pub lookup_id: String,
    /// The biller.
    pub biller_id: String,
    /// The biller's name.
    pub biller_name: String,
    /// The account number.
    pub account: String,
    /// The biller's reference for the bill.
    pub reference: String,
    /// What was paid (fen).
    pub amount: Amount,
    /// The period billed.
    pub period: String,
    /// Where it stands.
    pub status: BillPaymentStatus,
    /// The biller's receipt reference, once paid.
    pub receipt: Option<String>,
    /// Whether auto-pay made it (no PIN: the holder agreed when switching auto-pay on).
    pub autopay: bool,
    /// When it was made (ms).
    pub created_ms: i64,
    /// When it last changed (ms).
    pub updated_ms: i64,
}

/// A biller and account a holder saved, with auto-pay when switched on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedBillerRecord {
    /// Its id (a UUID v7); also the subject of its auto-pay timer.
    pub id: String,
    /// Whose it is.
    pub holder_id: String,
    /// The biller.
    pub biller_id: String,
    /// The account number.
    pub account: String,
    /// The holder's name for it (`家里电费`).
    pub nickname: String,
    /// The day of the month (1–28, China time) auto-pay looks for a bill; `None` when off.
    pub autopay_day: Option<i64>,
    /// The most auto-pay pays without asking (fen); a bigger bill is left to the holder.
    pub autopay_cap: Option<Amount>,
    /// When it was saved (ms).
    pub created_ms: i64,
    /// When it last changed (ms).
    pub updated_ms: i64,
}

/// The bills, their payments and the saved billers.
pub trait BillRecords {
    /// Stores a look-up.
    fn insert_bill_lookup(&mut self, lookup: &BillLookupRecord) -> Result<(), StoreError>;
    /// A look-up by id.
    fn bill_lookup(&mut self, id: &str) -> Result<Option<BillLookupRecord>, StoreError>;
    /// Stores a payment; the store refuses a second open (not refused) payment of one bill.
    fn insert_bill_payment(&mut self, payment: &BillPaymentRecord) -> Result<(), StoreError>;
    /// A payment by its movement id.
    fn bill_payment(&mut self, movement_id: &str) -> Result<Option<BillPaymentRecord>, StoreError>;
    /// The open (pending or paid) payment of the bill `reference` at `biller_id`, if any.
    fn open_bill_payment(
        &mut self,
        biller_id: &str,
        reference: &str,
    ) -> Result<Option<BillPaymentRecord>, StoreError>;
    /// Records the biller's final answer on a payment.
    fn settle_bill_payment(
        &mut self,
        movement_id: &str,
        status: BillPaymentStatus,
        receipt: Option<&str>,
        at_ms: i64,
    ) -> Result<(), StoreError>;
    /// A holder's saved billers, oldest first.
    fn saved_billers(&mut self, holder_id: &str) -> Result<Vec<SavedBillerRecord>, StoreError>;
    /// A saved biller by id.
    fn saved_biller(&mut self, id: &str) -> Result<Option<SavedBillerRecord>, StoreError>;
    /// Saves a biller.
    fn insert_saved_biller(&mut self, saved: &SavedBillerRecord) -> Result<(), StoreError>;
    /// Replaces a saved biller's nickname and auto-pay settings.
    fn update_saved_biller(&mut self, saved: &SavedBillerRecord) -> Result<(), StoreError>;
    /// Forgets a saved biller.
    fn delete_saved_biller(&mut self, id: &str) -> Result<(), StoreError>;
}
