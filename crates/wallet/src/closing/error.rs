//! Why a wallet was not closed: one enum, each variant with its stable API code.

use super::Blocker;
use crate::StoreError;
use crate::kyc::KycError;
use crate::opening::OpeningError;

/// Why a wallet was not closed. Nothing was changed, except the count of a wrong payment
/// password, login password or SMS code.
#[derive(Debug, thiserror::Error)]
pub enum ClosingError {
    /// Money is still in the wallet or on its way: each blocker says what to do about it.
    #[error("close_blocked")]
    Blocked(Vec<Blocker>),
    /// A closing request of the holder's waits for staff already.
    #[error("close_pending")]
    Pending,
    /// The card to sweep the balance to is not one of the holder's active debit cards.
    #[error("card_invalid")]
    SweepCard,
    /// The wallet is frozen: unfreeze it first (a frozen wallet may be in a thief's hands).
    #[error("account_frozen")]
    Frozen,
    /// The operator has restricted the wallet.
    #[error("account_restricted")]
    Restricted,
    /// The wallet has a payment password, and it must be the proof.
    #[error("pin_required")]
    PinRequired,
    /// The payment password was wrong, locked or never set.
    #[error(transparent)]
    Pin(KycError),
    /// The SMS code of purpose `close`, or the login password standing in for a payment password
    /// the wallet never had, was wrong, used, expired or locked.
    #[error(transparent)]
    Opening(OpeningError),
    /// Storage failed; nothing was changed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ClosingError {
    /// The API's code.
    pub fn code(&self) -> &'static str {
        match self {
            ClosingError::Blocked(_) => "close_blocked",
            ClosingError::Pending => "close_pending",
            ClosingError::SweepCard => "card_invalid",
            ClosingError::Frozen => "account_frozen",
            ClosingError::Restricted => "account_restricted",
            ClosingError::PinRequired => "pin_required",
            ClosingError::Pin(e) => e.code(),
            ClosingError::Opening(e) => e.code(),
            ClosingError::Store(_) => "storage_unavailable",
        }
    }
}

impl From<KycError> for ClosingError {
    fn from(e: KycError) -> Self {
        match e {
            KycError::Store(s) => ClosingError::Store(s),
            other => ClosingError::Pin(other),
        }
    }
}

impl From<OpeningError> for ClosingError {
    fn from(e: OpeningError) -> Self {
        match e {
            OpeningError::Store(s) => ClosingError::Store(s),
            other => ClosingError::Opening(other),
        }
    }
}
