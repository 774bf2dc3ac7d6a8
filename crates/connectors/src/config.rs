//! What the production connectors are configured with: credentials that never print, checked
//! URLs, and the limits every outside call runs under.

use reqwest::Url;
use std::fmt;
use std::time::Duration;
use zeroize::Zeroizing;

/// Most retries a connector may be configured with: a provider down for good must not hold a
/// request (and the outbox worker behind it) for minutes.
pub const RETRIES_MAX: u32 = 10;
/// Longest timeout per attempt: the holder is waiting on the other end of most calls.
pub const TIMEOUT_MAX: Duration = Duration::from_secs(60);
/// Longest wait between two attempts, however many retries came before.
pub const BACKOFF_MAX: Duration = Duration::from_secs(5);
/// Longest API key accepted: far above any provider's, small enough to rule out a pasted file.
const API_KEY_BYTES_MAX: usize = 4096;
/// Longest URL accepted.
const URL_BYTES_MAX: usize = 2048;

/// A provider's API key: sent as `Authorization: Bearer …`, printed as `ApiKey(***)`, wiped on drop.
#[derive(Clone)]
pub struct ApiKey(Zeroizing<String>);

impl ApiKey {
    /// Wraps the key as issued by the provider.
    pub fn new(key: impl Into<String>) -> ApiKey {
        ApiKey(Zeroizing::new(key.into()))
    }

    /// The key itself, for the `Authorization` header only; never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    /// Masked, so a config printed at start-up or in a panic does not leak the credential.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

impl From<String> for ApiKey {
    fn from(key: String) -> ApiKey {
        ApiKey::new(key)
    }
}

impl From<&str> for ApiKey {
    fn from(key: &str) -> ApiKey {
        ApiKey::new(key)
    }
}

/// Why a production connector could not be built from its configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The URL does not parse, is not http/https, or carries credentials, a query or a fragment.
    #[error("{field}: {reason}")]
    Url {
        /// Which setting (`url`, `base_url`).
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// An `https` URL while this build has no TLS (the `tls` feature is off).
    #[error(
        "{field}: https URLs need qianbao-connectors built with its `tls` feature (rustls + ring); \
         this build speaks plain http only"
    )]
    TlsNotBuilt {
        /// Which setting.
        field: &'static str,
    },
    /// Another setting is out of range (empty API key, zero timeout, too many retries, …).
    #[error("{field}: {reason}")]
    Invalid {
        /// Which setting.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The HTTP client could not be built.
    #[error("HTTP client: {0}")]
    Client(String),
}

/// Checks an endpoint URL: http or https (https only with TLS built in), no credentials in it
/// (URLs end up in logs; the key goes in `api_key`), no query or fragment.
pub(crate) fn endpoint_url(field: &'static str, text: &str) -> Result<Url, ConfigError> {
    let bad = |reason: &str| ConfigError::Url {
        field,
        reason: reason.to_owned(),
    };
    if text.len() > URL_BYTES_MAX {
        return Err(bad("longer than 2048 bytes"));
    }
    let url = Url::parse(text).map_err(|e| ConfigError::Url {
        field,
        reason: format!("not a URL ({e})"),
    })?;
    match url.scheme() {
        "http" => {}
        "https" if cfg!(feature = "tls") => {}
        "https" => return Err(ConfigError::TlsNotBuilt { field }),
        _ => return Err(bad("only http and https URLs are supported")),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("must not carry credentials; put the key in api_key"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("must not have a query or fragment"));
    }
    Ok(url)
}

/// `base` (checked as [`endpoint_url`]) with `path` appended below whatever path it already has,
/// so `https://h/gateway` + `v1/x` is `https://h/gateway/v1/x` (plain `Url::join` would drop
/// `gateway`).
pub(crate) fn endpoint_below(
    field: &'static str,
    base: &str,
    path: &str,
) -> Result<Url, ConfigError> {
    endpoint_url(field, base)?;
    endpoint_url(field, &format!("{}/{path}", base.trim_end_matches('/')))
}

/// Checks the settings every production connector shares.
pub(crate) fn check_common(
    api_key: &ApiKey,
    timeout: Duration,
    retries: u32,
    backoff: Duration,
) -> Result<(), ConfigError> {
    let invalid = |field, reason: &str| {
        Err(ConfigError::Invalid {
            field,
            reason: reason.to_owned(),
        })
    };
    let key = api_key.expose();
    if key.is_empty() || key.len() > API_KEY_BYTES_MAX {
        return invalid("api_key", "must have 1 to 4096 bytes");
    }
    // The key goes into a header verbatim; anything but visible ASCII would be refused by the
    // provider or, worse, split the header.
    if !key.bytes().all(|b| b.is_ascii_graphic()) {
        return invalid("api_key", "must be visible ASCII characters only");
    }
    if timeout.is_zero() || timeout > TIMEOUT_MAX {
        return invalid("timeout", "must be more than zero and at most 60 s");
    }
    if retries > RETRIES_MAX {
        return invalid("retries", "must be at most 10");
    }
    if backoff > BACKOFF_MAX {
        return invalid("backoff", "must be at most 5 s");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_api_key_never_prints() {
        let key = ApiKey::new("sk_live_secret");
        assert_eq!(format!("{key:?}"), "ApiKey(***)");
        assert_eq!(key.expose(), "sk_live_secret");
    }

    #[test]
    fn plain_http_urls_are_accepted_and_others_refused() {
        assert!(endpoint_url("url", "http://127.0.0.1:8080/send").is_ok());
        for bad in [
            "ftp://host/x",
            "file:///etc/passwd",
            "not a url",
            "http://user:pw@host/x",
            "http://host/x?key=1",
            "http://host/x#f",
        ] {
            assert!(
                matches!(endpoint_url("url", bad), Err(ConfigError::Url { .. })),
                "{bad}"
            );
        }
    }

    #[cfg(not(feature = "tls"))]
    #[test]
    fn https_urls_are_refused_with_a_clear_error_when_tls_is_not_built() {
        let err = endpoint_url("url", "https://sms.example.com/send");
        assert!(matches!(
            err,
            Err(ConfigError::TlsNotBuilt { field: "url" })
        ));
        let text = err
            .map(|_| ())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(text.contains("tls"), "{text}");
    }

    #[cfg(feature = "tls")]
    #[test]
    fn https_urls_are_accepted_when_tls_is_built() {
        assert!(endpoint_url("url", "https://sms.example.com/send").is_ok());
    }

    #[test]
    fn paths_are_appended_below_the_base_path() {
        let url = endpoint_below("base_url", "http://h:1/gateway/", "v1/cards/check");
        assert_eq!(
            url.map(|u| u.to_string()).ok().as_deref(),
            Some("http://h:1/gateway/v1/cards/check")
        );
    }

    #[test]
    fn out_of_range_settings_are_refused() {
        let key = ApiKey::new("k");
        let ok = Duration::from_millis(100);
        assert!(check_common(&key, ok, 3, ok).is_ok());
        assert!(check_common(&ApiKey::new(""), ok, 3, ok).is_err());
        assert!(check_common(&ApiKey::new("a b"), ok, 3, ok).is_err());
        assert!(check_common(&ApiKey::new("a\nb"), ok, 3, ok).is_err());
        assert!(check_common(&key, Duration::ZERO, 3, ok).is_err());
        assert!(check_common(&key, Duration::from_secs(61), 3, ok).is_err());
        assert!(check_common(&key, ok, 11, ok).is_err());
        assert!(check_common(&key, ok, 3, Duration::from_secs(6)).is_err());
    }
}
