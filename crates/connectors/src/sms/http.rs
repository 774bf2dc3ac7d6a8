//! The production SMS gateway: one JSON POST per message to a provider configured by URL, API key,
//! sender and template.
//!
//! The protocol: `POST <url>` with `Authorization: Bearer <api_key>`, an `Idempotency-Key` stable
//! across retries, and `{"to": "+86…", "sender": "…", "text": "…"}`, `text` being the template
//! with `{text}` replaced by the message. Any 2xx means taken. A 4xx (other than 408 and 429)
//! means refused for good — a number the provider cannot reach, or our key rejected — and is
//! not retried. 5xx, 408, 429, timeouts and connection failures are retried with backoff up to
//! `retries` times, then reported as unavailable so the durable outbox tries again later.
//! 429 counts as busy, not refused: a rate limit passes, and `Refused` would drop the message.

use crate::config::{ApiKey, ConfigError, check_common, endpoint_url};
use crate::outbound::{Failure, Outbound, Retry};
use async_trait::async_trait;
use qianbao_wallet::{SmsError, SmsGateway};
use reqwest::Url;
use serde::Serialize;
use std::time::Duration;

/// The placeholder the template must contain, replaced by the message text.
const TEXT_PLACEHOLDER: &str = "{text}";
/// Longest template: a few SMS segments of wrapping around the text is already a lot.
const TEMPLATE_BYTES_MAX: usize = 1024;
/// Longest sender name; providers allow far less (11 characters for alphanumeric senders).
const SENDER_BYTES_MAX: usize = 64;

/// How to reach the SMS provider.
#[derive(Clone, Debug)]
pub struct HttpSmsConfig {
    /// The provider's send endpoint, `http://…` (or `https://…` with the `tls` feature).
    pub url: String,
    /// The provider's API key, sent as a bearer token.
    pub api_key: ApiKey,
    /// The sender name or number the provider shows.
    pub sender: String,
    /// The message as sent, with `{text}` where the platform's text goes, e.g. `【钱包】{text}`.
    pub template: String,
    /// Time allowed for each attempt, connection included.
    pub timeout: Duration,
    /// Extra attempts after the first on a transient failure (at most 10).
    pub retries: u32,
    /// Wait before the first retry; it doubles with each further one, up to 5 s.
    pub backoff: Duration,
}

/// An SMS gateway reached over HTTP.
pub struct HttpSms {
    outbound: Outbound,
    url: Url,
    sender: String,
    template: String,
}

impl std::fmt::Debug for HttpSms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpSms")
            .field("url", &self.url.as_str())
            .finish_non_exhaustive()
    }
}

/// The JSON the provider receives.
#[derive(Serialize)]
struct SendBody<'a> {
    to: &'a str,
    sender: &'a str,
    text: &'a str,
}

impl HttpSms {
    /// Checks the configuration and builds the gateway.
    pub fn new(config: HttpSmsConfig) -> Result<HttpSms, ConfigError> {
        let url = endpoint_url("url", &config.url)?;
        check_common(
            &config.api_key,
            config.timeout,
            config.retries,
            config.backoff,
        )?;
        // Without the placeholder every holder would get the template alone, never their code.
        if !config.template.contains(TEXT_PLACEHOLDER) || config.template.len() > TEMPLATE_BYTES_MAX
        {
            return Err(ConfigError::Invalid {
                field: "template",
                reason: "must contain {text} and have at most 1024 bytes".to_owned(),
            });
        }
        if config.sender.len() > SENDER_BYTES_MAX || config.sender.chars().any(char::is_control) {
            return Err(ConfigError::Invalid {
                field: "sender",
                reason: "must have at most 64 bytes and no control characters".to_owned(),
            });
        }
        let outbound = Outbound::new(
            "SMS gateway",
            &config.api_key,
            config.timeout,
            config.retries,
            config.backoff,
        )?;
        Ok(HttpSms {
            outbound,
            url,
            sender: config.sender,
            template: config.template,
        })
    }

    /// The text as the provider should send it.
    fn render(&self, text: &str) -> String {
        self.template.replace(TEXT_PLACEHOLDER, text)
    }
}

#[async_trait]
impl SmsGateway for HttpSms {
    async fn send(&self, phone: &str, text: &str) -> Result<(), SmsError> {
        // Same rule as the sandbox: only E.164 numbers reach a gateway; anything else is a bug
        // upstream, refused for good before it costs a provider call.
        if !phone.starts_with('+') {
            return Err(SmsError::Refused(format!(
                "not an E.164 number: {} digits",
                phone.len()
            )));
        }
        let rendered = self.render(text);
        let body = serde_json::to_vec(&SendBody {
            to: phone,
            sender: &self.sender,
            text: &rendered,
        })
        .map_err(|e| SmsError::Refused(format!("message could not be encoded: {e}")))?;
        // A repeated message is a nuisance; a lost one (a sign-up code) is a failure — so retry
        // even after a timeout, and let the provider dedupe by Idempotency-Key if it can.
        match self
            .outbound
            .post_json(&self.url, body, Retry::Always)
            .await
        {
            Ok(_answer) => Ok(()),
            Err(Failure::Refused(status)) => {
                Err(SmsError::Refused(format!("SMS gateway answered {status}")))
            }
            Err(Failure::Unavailable(reason)) => Err(SmsError::Unavailable(reason)),
            // A protocol surprise (a redirect, say) is a misconfiguration an operator fixes; the
            // outbox keeps the message until then instead of dropping it.
            Err(Failure::Protocol(reason)) => Err(SmsError::Unavailable(reason)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> HttpSmsConfig {
        HttpSmsConfig {
            url: "http://127.0.0.1:9/send".to_owned(),
            api_key: ApiKey::new("key"),
            sender: "QIANBAO".to_owned(),
            template: "【钱包】{text}".to_owned(),
            timeout: Duration::from_millis(200),
            retries: 2,
            backoff: Duration::from_millis(10),
        }
    }

    #[test]
    fn the_template_wraps_the_text() -> Result<(), ConfigError> {
        let sms = HttpSms::new(config())?;
        assert_eq!(sms.render("验证码 123456"), "【钱包】验证码 123456");
        Ok(())
    }

    #[test]
    fn a_template_without_the_placeholder_is_refused() {
        let mut bad = config();
        bad.template = "【钱包】".to_owned();
        assert!(matches!(
            HttpSms::new(bad),
            Err(ConfigError::Invalid {
                field: "template",
                ..
            })
        ));
    }

    #[test]
    fn the_config_prints_without_its_key() {
        let printed = format!("{:?}", config());
        assert!(!printed.contains("\"key\""), "{printed}");
        assert!(printed.contains("ApiKey(***)"), "{printed}");
    }
}
