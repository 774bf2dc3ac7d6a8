//! The sandbox SMS gateway: takes every message and sends nothing. What "was sent" is the
//! platform's durable outbox, which the sandbox shows at `GET /v1/sandbox/sms`.

use async_trait::async_trait;
use qianbao_wallet::{SmsError, SmsGateway};

/// Accepts every message, so the outbox marks it sent.
#[derive(Clone, Copy, Debug, Default)]
pub struct SandboxSms;

#[async_trait]
impl SmsGateway for SandboxSms {
    async fn send(&self, phone: &str, _text: &str) -> Result<(), SmsError> {
        // Only E.164 numbers reach a gateway; anything else is a bug upstream, refused for good.
        if !phone.starts_with('+') {
            return Err(SmsError::Refused(format!(
                "not an E.164 number: {} digits",
                phone.len()
            )));
        }
        Ok(())
    }
}
