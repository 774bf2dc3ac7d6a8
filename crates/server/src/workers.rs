//! The work every node runs beside the requests, for as long as the process runs: due timers, the
//! SMS outbox, the merchants' webhook outbox, the daily funding check, and the policy's newest
//! version. Each loop polls the database, so any node may run it, and each step is safe to run
//! twice.

use crate::live_policy::LivePolicy;
use qianbao_store::Storage;
use qianbao_wallet::money::Money;
use qianbao_wallet::{Clock, SmsGateway, WebhookSender};
use std::sync::Arc;
use std::time::Duration;

/// How often due timers (payouts, reconciliations, delayed transfers) are looked for.
const TIMER_POLL: Duration = Duration::from_millis(500);

/// Runs due timers for as long as the process runs. Every node runs them; each step is
/// idempotent (the movement's status is checked in its transaction, the bank dedupes).
pub(crate) async fn run_timers(storage: Storage, money: Money, live: Arc<LivePolicy>) {
    loop {
        tokio::time::sleep(TIMER_POLL).await;
        // The policy in force now, once per round, as a request reads it.
        match live.money(&money).run_due_timers(&storage).await {
            Ok((_, failed)) => {
                for (timer, error) in failed {
                    tracing::warn!(timer = %timer.id, kind = %timer.kind, error = %error, "timer failed; will retry");
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot read the timers; will retry"),
        }
    }
}

/// How often the newest stored policy version is looked for: a change approved on another node
/// reaches this one within this long (on the approving node it is in force at once).
const POLICY_POLL: Duration = Duration::from_secs(5);

/// Keeps the policy in force up to the newest stored version, for as long as the process runs.
pub(crate) async fn refresh_policy(storage: Storage, money: Money, live: Arc<LivePolicy>) {
    loop {
        tokio::time::sleep(POLICY_POLL).await;
        if let Err(e) = live.refresh(&storage, &money).await {
            tracing::warn!(error = %e, "cannot bring the policy up to its newest version; will retry");
        }
    }
}

/// How often the outbox is checked for SMS to send.
const SMS_POLL: Duration = Duration::from_millis(200);

/// Sends what the SMS outbox holds, oldest first, for as long as the process runs. Rows are only
/// marked sent after the gateway took them, so a crash re-sends rather than loses; in production
/// (`redact`) the text, which carries a code, is dropped once sent.
pub(crate) async fn deliver_sms(
    storage: Storage,
    gateway: Arc<dyn SmsGateway>,
    clock: Arc<dyn Clock>,
    redact: bool,
) {
    loop {
        tokio::time::sleep(SMS_POLL).await;
        let pending = match storage.pending_sms(100, clock.now_ms()).await {
            Ok(pending) => pending,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the SMS outbox; will retry");
                continue;
            }
        };
        for sms in pending {
            let result = match gateway.send(&sms.phone, &sms.text).await {
                Ok(()) => storage.sms_sent(sms.id, clock.now_ms(), redact).await,
                Err(e) => {
                    tracing::warn!(sms = sms.id, error = %e, "SMS not delivered");
                    let permanently = matches!(e, qianbao_wallet::SmsError::Refused(_));
                    storage
                        .sms_failed(sms.id, permanently, clock.now_ms())
                        .await
                }
            };
            if let Err(e) = result {
                tracing::warn!(sms = sms.id, error = %e, "cannot record SMS delivery");
            }
        }
    }
}

/// How often the webhook outbox is looked at for events due.
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

/// How often the funding check looks whether today (in China) was checked yet: one indexed read
/// when it was, so a day's check starts within this of midnight on some node.
const FUNDING_POLL: Duration = Duration::from_secs(5);

/// Checks the funding invariant once a day, for as long as the process runs. The day's row is
/// written with its alerts in one transaction that first looks for it, so across nodes each day
/// is checked once; a broken currency is an alert row and an error line in the log.
pub(crate) async fn check_funding_daily(storage: Storage, clock: Arc<dyn Clock>) {
    loop {
        tokio::time::sleep(FUNDING_POLL).await;
        match qianbao_wallet::recon::daily::check_once(&storage, clock.now_ms()).await {
            Ok(Some(check)) if check.alerts.is_empty() => {
                tracing::info!(
                    currencies = check.positions.len(),
                    "funding invariant holds"
                );
            }
            Ok(Some(check)) => {
                for alert in &check.alerts {
                    tracing::error!(
                        currency = %alert.currency,
                        difference = alert.difference.minor(),
                        "funding invariant broken: {}",
                        alert.detail
                    );
                }
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "cannot check the funding invariant; will retry"),
        }
    }
}
