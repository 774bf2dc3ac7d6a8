//! The webhook worker: delivers what the merchants' webhook outbox holds, for as long as the
//! process runs.

use qianbao_store::Storage;
use qianbao_wallet::WebhookSender;
use qianbao_wallet::money::Money;
use std::sync::Arc;
use std::time::Duration;

/// How often the outbox is looked at for events due.
const WEBHOOK_POLL: Duration = Duration::from_millis(500);

/// Delivers due webhook events, logging what failed. Every node runs it; two nodes may send the
/// same event, which receivers dedupe by its `Qianbao-Delivery` number (at least once, as
/// promised). Neither URLs nor bodies are logged: a merchant's URL may carry a token.
pub(crate) async fn deliver_webhooks(
    storage: Storage,
    money: Money,
    sender: Arc<dyn WebhookSender>,
) {
    loop {
        tokio::time::sleep(WEBHOOK_POLL).await;
        match money.deliver_webhooks(&storage, sender.as_ref()).await {
            Ok(pass) => {
                for (event, error) in pass.failed {
                    tracing::warn!(
                        delivery = event.id,
                        merchant = %event.merchant_id,
                        event = %event.event,
                        attempts = event.attempts + 1,
                        error = %error,
                        "webhook not delivered; will retry"
                    );
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot deliver webhooks; will retry"),
        }
    }
}
