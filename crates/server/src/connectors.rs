//! The outside systems this node talks to through the wallet's ports: the sandbox ones, the
//! production ones the operator configured, and a stand-in that says a connector is missing.

use crate::settings::Connectors;
use qianbao_connectors::ConfigError;
use qianbao_secrets::KeyRing;
use qianbao_wallet::{Bank, IdentityVerifier, SmsGateway};
use std::sync::Arc;

/// The three connectors the wallet's rules call through their ports.
pub(crate) struct Connected {
    /// Texts codes and money alerts.
    pub(crate) sms: Arc<dyn SmsGateway>,
    /// Checks a name against an ID number, and a face against the ID photo.
    pub(crate) identity: Arc<dyn IdentityVerifier>,
    /// Checks and binds cards, and moves money to and from them.
    pub(crate) bank: Arc<dyn Bank>,
}

/// The SMS gateway, identity verifier and bank: the sandbox ones under `--sandbox`; otherwise the
/// `configured` production ones, and for any not configured one that answers "unavailable", so
/// that nothing pretends (an SMS then waits in the outbox until a gateway is configured).
pub(crate) fn connect(
    keys: &KeyRing,
    sandbox: bool,
    configured: &Connectors,
) -> Result<Connected, ConfigError> {
    if sandbox {
        // The sandbox bank's secret is derived from the master key, so binding codes it issued
        // still check after a restart.
        let digest = qianbao_secrets::field::blind_index(keys, "sandbox-bank", "secret");
        let mut secret = [0u8; 32];
        for (i, byte) in secret.iter_mut().enumerate() {
            *byte =
                u8::from_str_radix(digest.get(2 * i..2 * i + 2).unwrap_or("00"), 16).unwrap_or(0);
        }
        return Ok(Connected {
            sms: Arc::new(qianbao_connectors::SandboxSms),
            identity: Arc::new(qianbao_connectors::SandboxIdentity::new()),
            bank: Arc::new(qianbao_connectors::SandboxBank::new(secret)),
        });
    }
    let sms: Arc<dyn SmsGateway> = match &configured.sms {
        Some(config) => Arc::new(qianbao_connectors::HttpSms::new(config.clone())?),
        None => Arc::new(NotConfigured),
    };
    let identity: Arc<dyn IdentityVerifier> = match &configured.identity {
        Some(config) => Arc::new(qianbao_connectors::HttpIdentity::new(config.clone())?),
        None => Arc::new(NotConfigured),
    };
    let bank: Arc<dyn Bank> = match &configured.bank {
        Some(config) => Arc::new(qianbao_connectors::HttpBank::new(config.clone())?),
        None => Arc::new(NotConfigured),
    };
    Ok(Connected {
        sms,
        identity,
        bank,
    })
}

/// A connector the operator has not configured: every call is "unavailable", with the reason.
struct NotConfigured;

/// What every call of a [`NotConfigured`] connector answers: how to configure one.
const NOT_CONFIGURED: &str =
    "this connector is not configured (see `qianbao serve --help`), or run with --sandbox";

#[async_trait::async_trait]
impl SmsGateway for NotConfigured {
    async fn send(&self, _: &str, _: &str) -> Result<(), qianbao_wallet::SmsError> {
        Err(qianbao_wallet::SmsError::Unavailable(NOT_CONFIGURED.into()))
    }
}

#[async_trait::async_trait]
impl IdentityVerifier for NotConfigured {
    async fn verify_name(
        &self,
        _: &str,
        _: &str,
    ) -> Result<qianbao_wallet::IdentityVerdict, qianbao_wallet::ConnectorError> {
        Err(qianbao_wallet::ConnectorError::Unavailable(
            NOT_CONFIGURED.into(),
        ))
    }

    async fn verify_face(
        &self,
        _: &str,
        _: &[u8],
    ) -> Result<qianbao_wallet::FaceVerdict, qianbao_wallet::ConnectorError> {
        Err(qianbao_wallet::ConnectorError::Unavailable(
            NOT_CONFIGURED.into(),
        ))
    }
}

#[async_trait::async_trait]
impl Bank for NotConfigured {
    async fn check_card(
        &self,
        _: &qianbao_wallet::CardCheck,
    ) -> Result<qianbao_wallet::CardCheckOutcome, qianbao_wallet::ConnectorError> {
        Err(qianbao_wallet::ConnectorError::Unavailable(
            NOT_CONFIGURED.into(),
        ))
    }

    async fn confirm_card(
        &self,
        _: &str,
        _: &str,
    ) -> Result<qianbao_wallet::CardConfirmOutcome, qianbao_wallet::ConnectorError> {
        Err(qianbao_wallet::ConnectorError::Unavailable(
            NOT_CONFIGURED.into(),
        ))
    }

    async fn debit(
        &self,
        _: &qianbao_wallet::BankMovement,
    ) -> Result<qianbao_wallet::BankOutcome, qianbao_wallet::ConnectorError> {
        Err(qianbao_wallet::ConnectorError::Unavailable(
            NOT_CONFIGURED.into(),
        ))
    }

    async fn credit(
        &self,
        _: &qianbao_wallet::BankMovement,
    ) -> Result<qianbao_wallet::BankOutcome, qianbao_wallet::ConnectorError> {
        Err(qianbao_wallet::ConnectorError::Unavailable(
            NOT_CONFIGURED.into(),
        ))
    }

    async fn movement_status(
        &self,
        _: &str,
    ) -> Result<Option<qianbao_wallet::BankOutcome>, qianbao_wallet::ConnectorError> {
        Err(qianbao_wallet::ConnectorError::Unavailable(
            NOT_CONFIGURED.into(),
        ))
    }
}
