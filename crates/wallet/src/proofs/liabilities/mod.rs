//! The daily proof of liabilities (issue 23 §4, `docs/proofs.md`): a Merkle sum tree over every
//! holder's and merchant's balances per currency, taken at one instant of the journal, kept in
//! tiles, and its root and totals appended to the journal's Merkle log as a leaf, so a snapshot
//! cannot be replaced or forked silently. A holder gets their leaf, its salt and the path of
//! sibling hashes and sums; `qianbao verify` recomputes every leaf from the journal.
//!
//! What is counted: every account the operator owes someone outside it — a holder's wallet in
//! each currency and their points (`PTS`), a merchant's takings, and each gift card's stored
//! value — one leaf per owner. The operator's own accounts (bank clearing, fees, escrows,
//! reserves) are not liabilities to a holder and are left out; assets at the bank are out of
//! band.

mod proof;
mod records;
mod schedule;
mod take;
mod verify;

pub use proof::LiabilityProof;
pub use records::{
    LedgerAccount, LiabilityRecords, OwnerBalance, SnapshotRecord, SnapshotStatus, StoredTile,
    UpperNode,
};
pub use schedule::{SnapshotSchedule, due_snapshot_id, take_due_snapshot};
pub use take::{SnapshotTaken, take_snapshot};
pub use verify::verify_liabilities;

use hmac::{Hmac, KeyInit, Mac};
use qianbao_ledger::AccountKind;
use qianbao_proofs::hash::Hash;
use sha2::Sha256;

/// The account kinds whose balances are liabilities to someone outside the operator.
pub const LIABILITY_KINDS: [AccountKind; 4] = [
    AccountKind::Wallet,
    AccountKind::Points,
    AccountKind::Merchant,
    AccountKind::GiftCard,
];

/// An owner's salt in a snapshot: HMAC-SHA-256 under the snapshot's key of the owner's id, so
/// the store keeps one key per snapshot, and a salt is new every snapshot.
pub fn owner_salt(key: &[u8], owner: &str) -> Hash {
    // HMAC takes a key of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(owner.as_bytes());
    mac.finalize().into_bytes().into()
}
