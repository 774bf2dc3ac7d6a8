//! The durable webhook outbox: events queued in the transaction that causes them.

use crate::StoreError;

/// A webhook event waiting for delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookRecord {
    /// Its number.
    pub id: i64,
    /// To whom.
    pub merchant_id: String,
    /// `payment.succeeded`, `refund.succeeded`, …
    pub event: String,
    /// The JSON body, exactly as signed and sent.
    pub body: String,
    /// Tries so far.
    pub attempts: i64,
}

/// Merchants' webhook events waiting to be delivered.
pub trait WebhookOutbox {
    /// Queues a webhook event for a merchant.
    fn queue_webhook(
        &mut self,
        merchant_id: &str,
        event: &str,
        body: &str,
        at_ms: i64,
    ) -> Result<(), StoreError>;
    /// Events due for delivery.
    fn pending_webhooks(
        &mut self,
        now_ms: i64,
        limit: i64,
    ) -> Result<Vec<WebhookRecord>, StoreError>;
    /// Records a delivery (`delivered`), or a failed try with the next one due at `next_ms`.
    fn webhook_tried(
        &mut self,
        id: i64,
        delivered: bool,
        next_ms: i64,
        at_ms: i64,
    ) -> Result<(), StoreError>;
}
