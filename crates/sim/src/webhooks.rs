//! The merchants' webhook receivers, simulated: every delivery the server makes is recorded here
//! instead of reaching the network, and some are refused (from the seed) so the outbox retries.

use crate::rng::Rng;
use async_trait::async_trait;
use qianbao_wallet::{ConnectorError, WebhookSender};
use std::sync::Mutex;

/// One delivery as a receiver saw it.
#[derive(Clone, Debug)]
pub struct Delivery {
    /// Where it was sent.
    pub url: String,
    /// The `Qianbao-Signature` header ("" when missing).
    pub signature: String,
    /// The `Qianbao-Event` header: `payment.succeeded`, `refund.succeeded`, …
    pub event: String,
    /// The body, as sent.
    pub body: String,
    /// Whether the receiver answered 2xx.
    pub taken: bool,
}

/// Every receiver at once, keyed by URL.
pub struct Receiver {
    state: Mutex<(Rng, Vec<Delivery>)>,
    /// How often, in percent, a receiver answers an error.
    refuse_percent: u64,
}

impl Receiver {
    /// Receivers that refuse `refuse_percent` in a hundred deliveries, chosen by `rng`.
    pub fn new(rng: Rng, refuse_percent: u64) -> Receiver {
        Receiver {
            state: Mutex::new((rng, Vec::new())),
            refuse_percent,
        }
    }

    /// Every delivery so far, in the order made.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.state.lock().map(|s| s.1.clone()).unwrap_or_default()
    }
}

#[async_trait]
impl WebhookSender for Receiver {
    async fn deliver(
        &self,
        url: &str,
        headers: &[(String, String)],
        body: &str,
    ) -> Result<(), ConnectorError> {
        let header = |wanted: &str| {
            headers
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(wanted))
                .map(|(_, value)| value.clone())
                .unwrap_or_default()
        };
        let (signature, event) = (header("Qianbao-Signature"), header("Qianbao-Event"));
        let mut state = self
            .state
            .lock()
            .map_err(|_| ConnectorError::Unavailable("receiver poisoned".into()))?;
        let taken = !state.0.chance(self.refuse_percent);
        state.1.push(Delivery {
            url: url.to_string(),
            signature,
            event,
            body: body.to_string(),
            taken,
        });
        if taken {
            Ok(())
        } else {
            Err(ConnectorError::Unavailable(
                "simulated receiver answered 503".into(),
            ))
        }
    }
}
