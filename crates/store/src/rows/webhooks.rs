//! The webhook outbox as rows.

use super::SqlRecords;
use qianbao_wallet::StoreError;
use qianbao_wallet::money::records::{WebhookOutbox, WebhookRecord};

/// How many times a webhook event is offered before it is marked failed: with a wait doubling
/// from 1 s to at most 1 h, the first 12 tries span about 68 minutes and each later one an hour,
/// so 36 tries keep trying for about a day.
pub const WEBHOOK_ATTEMPTS_MAX: i64 = 36;

impl WebhookOutbox for SqlRecords<'_> {
    fn queue_webhook(
        &mut self,
        merchant_id: &str,
        event: &str,
        body: &str,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        self.0.write(
            "INSERT INTO webhook_outbox (merchant_id, event, body, created_ms) VALUES ($1, $2, $3, $4)",
            &[merchant_id.into(), event.into(), body.into(), at_ms.into()],
        )?;
        Ok(())
    }

    fn pending_webhooks(
        &mut self,
        now_ms: i64,
        limit: i64,
    ) -> Result<Vec<WebhookRecord>, StoreError> {
        self.0
            .query(
                "SELECT id, merchant_id, event, body, attempts FROM webhook_outbox
                 WHERE status = 'pending' AND next_attempt_ms <= $1 ORDER BY id LIMIT $2",
                &[now_ms.into(), limit.clamp(1, 1_000).into()],
            )?
            .iter()
            .map(|row| {
                Ok(WebhookRecord {
                    id: row.int(0)?,
                    merchant_id: row.text(1)?,
                    event: row.text(2)?,
                    body: row.text(3)?,
                    attempts: row.int(4)?,
                })
            })
            .collect()
    }

    fn webhook_tried(
        &mut self,
        id: i64,
        delivered: bool,
        next_ms: i64,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        if delivered {
            self.0.write(
                "UPDATE webhook_outbox SET status = 'delivered', attempts = attempts + 1,
                        delivered_ms = $2 WHERE id = $1",
                &[id.into(), at_ms.into()],
            )?;
        } else {
            self.0.write(
                "UPDATE webhook_outbox SET attempts = attempts + 1, next_attempt_ms = $2,
                        status = CASE WHEN attempts + 1 >= $3 THEN 'failed' ELSE 'pending' END
                 WHERE id = $1",
                &[id.into(), next_ms.into(), WEBHOOK_ATTEMPTS_MAX.into()],
            )?;
        }
        Ok(())
    }
}
