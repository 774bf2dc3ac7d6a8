//! A merchant's orders, each paid at most once.

use crate::StoreError;
use qianbao_ledger::{Amount, Currency};

crate::named! {
    /// Where an order stands.
    pub enum OrderStatus {
        /// Waiting to be paid.
        Open = "open",
        /// Paid, once.
        Paid = "paid",
        /// Past its time unpaid (shown, not stored: an open order past its time).
        Expired = "expired",
    }
}

/// An order with a fixed amount, shown as a QR code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderRecord {
    /// Its id.
    pub id: String,
    /// Whose.
    pub merchant_id: String,
    /// Minor units.
    pub amount: Amount,
    /// ISO 4217.
    pub currency: Currency,
    /// What it is for.
    pub description: String,
    /// `open` or `paid` (expiry is read from `expires_ms`).
    pub status: OrderStatus,
    /// When it stops taking payment (ms).
    pub expires_ms: i64,
    /// The payment that paid it.
    pub payment_id: Option<String>,
    /// When it was made (ms).
    pub created_ms: i64,
}

/// Orders and their payment.
pub trait OrderRecords {
    /// One order.
    fn order(&mut self, id: &str) -> Result<Option<OrderRecord>, StoreError>;
    /// Adds an order.
    fn insert_order(&mut self, order: &OrderRecord) -> Result<(), StoreError>;
    /// Marks an order paid by `payment_id`.
    fn pay_order(&mut self, id: &str, payment_id: &str) -> Result<(), StoreError>;
    /// The merchant's orders still open at `now_ms` (unpaid, not expired), soonest to expire
    /// first, at most `limit`.
    fn open_orders_of(
        &mut self,
        merchant_id: &str,
        now_ms: i64,
        limit: i64,
    ) -> Result<Vec<OrderRecord>, StoreError>;
}
