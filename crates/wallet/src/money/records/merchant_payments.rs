//! What merchants were paid, and what of it was refunded (never more than paid).

use super::movements::Channel;
use crate::StoreError;
use qianbao_ledger::{Amount, Currency};

/// A payment a merchant received, with what has been refunded of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MerchantPaymentRecord {
    /// The payment's id (the payer's movement id).
    pub id: String,
    /// Who was paid.
    pub merchant_id: String,
    /// Who paid.
    pub holder_id: String,
    /// Minor units the payer paid.
    pub amount: Amount,
    /// The merchant's fee on it (merchant discount rate).
    pub fee: Amount,
    /// ISO 4217.
    pub currency: Currency,
    /// Refunded so far.
    pub refunded: Amount,
    /// Fee given back with those refunds.
    pub fee_refunded: Amount,
    /// The order it paid, if any.
    pub order_id: Option<String>,
    /// `order`, `static_qr`, `payment_code` or `payment_code_free`.
    pub channel: Channel,
    /// The merchant's description.
    pub description: String,
    /// When (ms).
    pub created_ms: i64,
}

/// A refund of (part of) a merchant payment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundRecord {
    /// The refund's id.
    pub id: String,
    /// Whose payment.
    pub merchant_id: String,
    /// Which payment.
    pub payment_id: String,
    /// Minor units back to the payer.
    pub amount: Amount,
    /// Fee given back to the merchant with it.
    pub fee_back: Amount,
    /// Why, as the merchant wrote it.
    pub reason: String,
    /// When (ms).
    pub created_ms: i64,
}

/// Merchant payments and their refunds.
pub trait MerchantPaymentRecords {
    /// One merchant payment.
    fn merchant_payment(&mut self, id: &str) -> Result<Option<MerchantPaymentRecord>, StoreError>;
    /// Adds a merchant payment.
    fn insert_merchant_payment(
        &mut self,
        payment: &MerchantPaymentRecord,
    ) -> Result<(), StoreError>;
    /// Saves how much of a payment is refunded.
    fn set_refunded(
        &mut self,
        id: &str,
        refunded: Amount,
        fee_refunded: Amount,
    ) -> Result<(), StoreError>;
    /// A merchant's payments, newest first, before `before_id` if given.
    fn merchant_payments(
        &mut self,
        merchant_id: &str,
        before_id: Option<&str>,
        limit: i64,
    ) -> Result<Vec<MerchantPaymentRecord>, StoreError>;
    /// Adds a refund.
    fn insert_refund(&mut self, refund: &RefundRecord) -> Result<(), StoreError>;
}
