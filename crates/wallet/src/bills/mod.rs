//! Bill payment (生活缴费): water, electricity, gas and phone bills looked up at the biller and
//! paid from the wallet with the PIN, or by auto-pay on a day of the month under a cap the holder
//! set (`docs/bills.md`).
//!
//! A payment moves the amount from the wallet to the operator's bills-payable account in one
//! money transaction, then tells the biller outside it. The biller's confirmation marks the
//! payment succeeded with its receipt; a refusal gives the money back in the same flow; no answer
//! leaves it pending for a durable timer that asks the biller by our payment id and settles once.

pub mod account;
pub mod autopay;
pub mod lookup;
pub mod pay;
pub mod port;
pub mod receipt;
pub mod reconcile;
pub mod records;
pub mod saved;
pub mod settle;

pub use account::BillAccount;
pub use autopay::{AUTOPAY_DAY_MAX, next_autopay_ms};
pub use lookup::LOOKUP_TTL_MS;
pub use port::{BillOrder, Biller, BillerKind, Billers, DueBill, LookedUp, NoBillers, PaidAnswer};
pub use receipt::BillReceipt;
pub use records::{
    BillLookupRecord, BillPaymentRecord, BillPaymentStatus, BillRecords, SavedBillerRecord,
};
pub use saved::{Autopay, SAVED_BILLERS_MAX};
