//! The outside systems this node talks to through the wallet's ports: the sandbox ones, the
//! production ones the operator configured, and a stand-in that says a connector is missing
//! (except the rate feed, which may rightly be absent: the operator then sets rates by hand).

use crate::settings::Connectors;
use qianbao_connectors::ConfigError;
use qianbao_secrets::KeyRing;
use qianbao_wallet::{
    Bank, Clock, IdentityVerifier, Randomness, RateFeed, SandboxBankBooks, SmsGateway,
};
use std::sync::Arc;

/// The three connectors the wallet's rules call through their ports, and the rate feed a worker
/// polls.
pub(crate) struct Connected {
    /// Texts codes and money alerts.
    pub(crate) sms: Arc<dyn SmsGateway>,
    /// Checks a name against an ID number, and a face against the ID photo.
    pub(crate) identity: Arc<dyn IdentityVerifier>,
    /// Checks and binds cards, and moves money to and from them.
    pub(crate) bank: Arc<dyn Bank>,
    /// Publishes mid-market rates; `None` when no feed is configured, and rates come only from
    /// the operator's command.
    pub(crate) rate_feed: Option<Arc<dyn RateFeed>>,
    /// Looks bills up and pays them (not configured: every call `biller_unavailable`).
    pub(crate) billers: Arc<dyn qianbao_wallet::bills::Billers>,
}

/// The sandbox bank's secret, derived from the master key, so binding codes it issued still
/// check after a restart and its bank references are the same on every node.
fn sandbox_secret(keys: &KeyRing) -> [u8; 32] {
    let digest = qianbao_secrets::field::blind_index(keys, "sandbox-bank", "secret");
    let mut secret = [0u8; 32];
    for (i, byte) in secret.iter_mut().enumerate() {
        *byte = u8::from_str_radix(digest.get(2 * i..2 * i + 2).unwrap_or("00"), 16).unwrap_or(0);
    }
    secret
}

/// The sandbox bank, keeping what it moved in `books` when given (the database: its statements
/// are then the same on every node and for the operator's commands), else in memory; over the
/// server's clock and randomness.
fn sandbox_bank(
    keys: &KeyRing,
    books: Option<Arc<dyn SandboxBankBooks>>,
    clock: Arc<dyn Clock>,
    random: Arc<dyn Randomness>,
) -> Arc<dyn Bank> {
    let secret = sandbox_secret(keys);
    let bank = match books {
        Some(books) => qianbao_connectors::SandboxBank::with_books(secret, books),
        None => qianbao_connectors::SandboxBank::new(secret),
    };
    Arc::new(bank.with_ports(clock, random))
}

/// The bank an operator's `recon statement` asks: the production one when `configured`, else
/// the sandbox bank over the books the sandbox server kept in the database.
pub(crate) fn statement_bank(
    keys: &KeyRing,
    books: Arc<dyn SandboxBankBooks>,
    configured: Option<qianbao_connectors::HttpBankConfig>,
) -> Result<Arc<dyn Bank>, ConfigError> {
    Ok(match configured {
        Some(config) => Arc::new(qianbao_connectors::HttpBank::new(config)?),
        None => sandbox_bank(
            keys,
            Some(books),
            Arc::new(qianbao_wallet::SystemClock),
            Arc::new(qianbao_wallet::OsRandomness),
        ),
    })
}

/// The SMS gateway, identity verifier, bank and rate feed: the sandbox ones under `--sandbox`
/// (the bank keeping what it moved in `bank_books` when given, the feed's rates moving with
/// `clock`); otherwise the `configured` production ones, and for any not configured one that
/// answers "unavailable", so that nothing pretends (an SMS then waits in the outbox until a
/// gateway is configured) — but no rate feed at all when none is configured.
pub(crate) fn connect(
    keys: &KeyRing,
    sandbox: bool,
    configured: &Connectors,
    bank_books: Option<Arc<dyn SandboxBankBooks>>,
    clock: Arc<dyn Clock>,
    random: Arc<dyn Randomness>,
) -> Result<Connected, ConfigError> {
    if sandbox {
        return Ok(Connected {
            sms: Arc::new(qianbao_connectors::SandboxSms),
            identity: Arc::new(qianbao_connectors::SandboxIdentity::new()),
            bank: sandbox_bank(keys, bank_books, clock.clone(), random),
            rate_feed: Some(Arc::new(qianbao_connectors::SandboxRateFeed::new(
                clock.clone(),
            ))),
            billers: Arc::new(qianbao_connectors::SandboxBillers::new(clock)),
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
    let rate_feed: Option<Arc<dyn RateFeed>> = match &configured.rate_feed {
        Some(config) => Some(Arc::new(qianbao_connectors::HttpRateFeed::new(
            config.clone(),
        )?)),
        None => None,
    };
    let billers: Arc<dyn qianbao_wallet::bills::Billers> = match &configured.billers {
        Some(config) => Arc::new(qianbao_connectors::HttpBillers::new(config.clone())?),
        None => Arc::new(qianbao_wallet::bills::NoBillers),
    };
    Ok(Connected {
        sms,
        identity,
        bank,
        rate_feed,
        billers,
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

    async fn statement(
        &self,
        _: qianbao_wallet::domain::ChinaDay,
    ) -> Result<qianbao_wallet::recon::Statement, qianbao_wallet::ConnectorError> {
        Err(qianbao_wallet::ConnectorError::Unavailable(
            NOT_CONFIGURED.into(),
        ))
    }
}
