//! The ledger inside a money call's transaction: accounts, and entries applied through the same `Book` as the group-commit writer.

use super::movements::Channel;
use crate::{AccountOwner, StoreError};
use qianbao_ledger::{Account, AccountKind, Applied, Currency, Instruction, Rejection};

/// A read a money call is about to make, named so that the store may make several at once
/// ([`LedgerRecords::read_ahead`]). Each is the read of the method it names, with its arguments.
#[derive(Clone, Copy, Debug)]
pub enum ReadAhead<'a> {
    /// [`IdempotencyRecords::idempotency`](super::IdempotencyRecords::idempotency).
    Idempotency {
        /// The caller.
        caller: &'a str,
        /// Their key.
        key: &'a str,
    },
    /// [`HolderRecords::holder`](crate::records::HolderRecords::holder).
    Holder(&'a str),
    /// [`HolderRecords::holder_by_phone`](crate::records::HolderRecords::holder_by_phone), with the phone in E.164.
    HolderByPhone(&'a str),
    /// [`HolderRecords::holder_by_wallet`](crate::records::HolderRecords::holder_by_wallet).
    HolderByWallet(&'a str),
    /// [`IdentityRecords::identity`](crate::records::IdentityRecords::identity).
    Identity(&'a str),
    /// [`MovementRecords::spent_since`](super::MovementRecords::spent_since).
    SpentSince {
        /// Whose spending.
        owner_id: &'a str,
        /// From when.
        since_ms: i64,
        /// Through which channels.
        channels: &'a [Channel],
    },
    /// [`MerchantRecords::merchant`](super::MerchantRecords::merchant).
    Merchant(&'a str),
    /// [`RiskRecords::risk_features`](super::RiskRecords::risk_features): the risk stage's reads,
    /// which then cost the call no round trip of their own.
    RiskFeatures(&'a super::FeatureQuery<'a>),
    /// [`LedgerRecords::account`] (an account found, not one to open).
    Account {
        /// Whose.
        owner: &'a AccountOwner,
        /// Of which kind.
        kind: AccountKind,
        /// In which currency.
        currency: Currency,
    },
}

/// Accounts and ledger entries, in the money call's transaction.
pub trait LedgerRecords {
    /// Reads the call is about to make, all known before the first is needed: a store may make
    /// them together (PostgreSQL: in one round trip) and answer them from that until anything is
    /// written. A hint only: the reads are then made as usual, and may be made again.
    fn read_ahead(&mut self, reads: &[ReadAhead<'_>]) -> Result<(), StoreError> {
        let _ = reads;
        Ok(())
    }
    /// Applies a ledger instruction inside this transaction. A rejection changes nothing.
    fn apply(
        &mut self,
        instruction: &Instruction,
    ) -> Result<Result<Applied, Rejection>, StoreError>;
    /// The account `owner` holds of `kind` in `currency`, opened empty if missing.
    fn account(
        &mut self,
        owner: &AccountOwner,
        kind: AccountKind,
        currency: Currency,
    ) -> Result<Account, StoreError>;
    /// Every account of `owner`.
    fn accounts_of(&mut self, owner: &AccountOwner) -> Result<Vec<Account>, StoreError>;
}
