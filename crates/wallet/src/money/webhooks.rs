//! Delivering merchants' webhook events from the durable outbox, at least once.
//!
//! The money transactions queue each event in `webhook_outbox` with the payment or refund that
//! caused it. A pass reads the events due, signs each for the merchant's current secret, POSTs
//! it, and records the outcome: delivered, or tried again after a backoff doubling from 1 s up
//! to 1 h (the store gives up after its `WEBHOOK_ATTEMPTS_MAX` tries). An event is only marked
//! delivered after a 2xx, so a crash between the two sends it again; receivers dedupe by the
//! `Qianbao-Delivery` header, the outbox row's number, which every retry keeps.

use super::records::WebhookRecord;
use super::{Money, MoneyError};
use crate::storage::RecordStore;
use crate::{ConnectorError, WebhookSender};
use std::collections::HashSet;
use zeroize::Zeroizing;

/// How many events one pass takes on.
const PASS_SIZE_MAX: i64 = 100;
/// The wait after the first failed try; it doubles with each further one.
const BACKOFF_FIRST_MS: i64 = 1_000;
/// The longest wait between two tries.
const BACKOFF_MAX_MS: i64 = 3_600_000;

/// Why one event was not delivered on a pass; it is offered again after its backoff.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// The receiver did not answer 2xx, or could not be reached.
    #[error(transparent)]
    Receiver(#[from] ConnectorError),
    /// An earlier event to the same merchant failed on this pass, so this one was not sent.
    #[error("deferred: an earlier event to this merchant failed on this pass")]
    Deferred,
    /// The merchant's signing secret does not open (the master key changed?).
    #[error("the webhook secret cannot be opened: {0}")]
    Secret(String),
}

/// What one pass over the outbox did.
#[derive(Debug, Default)]
pub struct WebhookPass {
    /// Events a receiver took (answered 2xx).
    pub delivered: usize,
    /// Events dropped because their merchant no longer has a webhook.
    pub dropped: usize,
    /// Events not delivered, each with why; every one is offered again later.
    pub failed: Vec<(WebhookRecord, DeliveryError)>,
}

/// The wait before the try after `attempts` failed ones: 1 s, 2 s, 4 s, … at most 1 h.
pub fn backoff_ms(attempts: i64) -> i64 {
    let doublings = u32::try_from(attempts.clamp(0, 62)).unwrap_or(0);
    BACKOFF_FIRST_MS
        .checked_mul(1_i64 << doublings)
        .map_or(BACKOFF_MAX_MS, |ms| ms.min(BACKOFF_MAX_MS))
}

/// The headers an event is POSTed with: its signature for `secret` at unix time `t`, its name,
/// and its outbox number for receivers to dedupe by.
pub fn webhook_headers(secret: &[u8], t: i64, event: &WebhookRecord) -> Vec<(String, String)> {
    vec![
        ("Content-Type".into(), "application/json".into()),
        (
            qianbao_secrets::signature::HEADER_NAME.into(),
            qianbao_secrets::signature::sign(secret, t, event.body.as_bytes()),
        ),
        ("Qianbao-Event".into(), event.event.clone()),
        ("Qianbao-Delivery".into(), event.id.to_string()),
    ]
}

impl Money {
    /// Delivers every webhook event due now through `sender`, oldest first, and records each
    /// outcome. Failures come back with the pass (this crate logs nothing); only a storage
    /// failure ends the pass early, and the events it did not record are sent again later.
    pub async fn deliver_webhooks(
        &self,
        store: &impl RecordStore,
        sender: &dyn WebhookSender,
    ) -> Result<WebhookPass, MoneyError> {
        let now = self.now_ms();
        let due = store
            .transact_read(move |r| r.pending_webhooks(now, PASS_SIZE_MAX))
            .await?;
        let mut pass = WebhookPass::default();
        // Merchants whose receiver failed on this pass: their other events wait for a later
        // pass rather than each costing a timeout, which would hold up every other merchant.
        let mut failing: HashSet<String> = HashSet::new();
        for event in due {
            if failing.contains(&event.merchant_id) {
                self.tried(store, &event, false).await?;
                pass.failed.push((event, DeliveryError::Deferred));
                continue;
            }
            match self.deliver_one(store, sender, &event).await? {
                Outcome::Delivered => pass.delivered += 1,
                Outcome::Dropped => pass.dropped += 1,
                Outcome::Failed(error) => {
                    failing.insert(event.merchant_id.clone());
                    pass.failed.push((event, error));
                }
            }
        }
        Ok(pass)
    }

    /// Signs, sends and records one event.
    async fn deliver_one(
        &self,
        store: &impl RecordStore,
        sender: &dyn WebhookSender,
        event: &WebhookRecord,
    ) -> Result<Outcome, MoneyError> {
        let merchant_id = event.merchant_id.clone();
        let merchant = store
            .transact_read(move |r| r.merchant(&merchant_id))
            .await?;
        let target = merchant.and_then(|m| m.webhook_url.zip(m.webhook_secret_sealed));
        let Some((url, sealed)) = target else {
            // The merchant is gone or removed its webhook: nobody is left to deliver to. Marked
            // delivered so the outbox stops offering it; the row stays as the record.
            self.tried(store, event, true).await?;
            return Ok(Outcome::Dropped);
        };
        let secret = match qianbao_secrets::field::open(
            &self.ctx.keys,
            &sealed,
            format!("webhook:{}", event.merchant_id).as_bytes(),
        ) {
            Ok(secret) => Zeroizing::new(secret),
            Err(e) => {
                self.tried(store, event, false).await?;
                return Ok(Outcome::Failed(DeliveryError::Secret(e.to_string())));
            }
        };
        // Signed at sending time, not queueing time: receivers check the timestamp against their
        // clock, and a retry hours later must still pass.
        let t = self.now_ms().div_euclid(1000);
        let headers = webhook_headers(&secret, t, event);
        match sender.deliver(&url, &headers, &event.body).await {
            Ok(()) => {
                self.tried(store, event, true).await?;
                Ok(Outcome::Delivered)
            }
            Err(e) => {
                self.tried(store, event, false).await?;
                Ok(Outcome::Failed(e.into()))
            }
        }
    }

    /// Records a try of `event`: delivered, or failed with the next try after its backoff.
    async fn tried(
        &self,
        store: &impl RecordStore,
        event: &WebhookRecord,
        delivered: bool,
    ) -> Result<(), MoneyError> {
        let (id, now) = (event.id, self.now_ms());
        let next_ms = now.saturating_add(backoff_ms(event.attempts));
        self.run(store, move |r| {
            Ok(r.webhook_tried(id, delivered, next_ms, now)?)
        })
        .await
    }
}

/// What became of one event.
enum Outcome {
    Delivered,
    Dropped,
    Failed(DeliveryError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_a_second_up_to_an_hour() {
        let waits: Vec<i64> = (0..14).map(backoff_ms).collect();
        assert_eq!(
            waits,
            [
                1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 512_000,
                1_024_000, 2_048_000, 3_600_000, 3_600_000
            ]
        );
        assert_eq!(backoff_ms(-1), 1_000);
        assert_eq!(backoff_ms(i64::MAX), 3_600_000);
    }

    #[test]
    fn headers_carry_a_signature_that_verifies_the_body_exactly() {
        let event = WebhookRecord {
            id: 42,
            merchant_id: "m".into(),
            event: "payment.succeeded".into(),
            body: r#"{"id":"e","type":"payment.succeeded"}"#.into(),
            attempts: 0,
        };
        let secret = b"whsec_test";
        let headers = webhook_headers(secret, 1_800_000_000, &event);
        let value = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        assert_eq!(value("Content-Type"), "application/json");
        assert_eq!(value("Qianbao-Event"), "payment.succeeded");
        assert_eq!(value("Qianbao-Delivery"), "42");
        let signature = value("Qianbao-Signature");
        assert!(signature.starts_with("t=1800000000,v1="), "{signature}");
        assert_eq!(
            qianbao_secrets::signature::verify(
                secret,
                &signature,
                event.body.as_bytes(),
                1_800_000_000,
                300
            ),
            Ok(())
        );
    }
}
