//! Closed wallets (注销): when each was closed and the phone it had, kept apart from the holder's
//! row so the phone can open a new wallet once the operator's cooling-off period has passed while
//! every old record stays attached to the old holder.

use crate::StoreError;

/// A closed wallet: whose, the phone it had, and when it was closed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClosingRecord {
    /// The holder whose wallet it was.
    pub holder_id: String,
    /// The phone the wallet had, E.164: the holder's row no longer holds it.
    pub phone: String,
    /// When it was closed (ms).
    pub closed_ms: i64,
}

crate::named! {
    /// Where a closing request stands.
    pub enum ClosingRequestStatus {
        /// Waiting for staff.
        Waiting = "waiting",
        /// Approved: the balance was swept to the card and the wallet closed.
        Done = "done",
        /// Rejected by staff: the wallet stays open.
        Rejected = "rejected",
    }
}

/// A holder's request to close with the wallet's balance swept to one of their cards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClosingRequestRecord {
    /// Its id.
    pub id: String,
    /// The holder asking.
    pub holder_id: String,
    /// The holder's active debit card the balance goes to.
    pub card_id: String,
    /// Where it stands.
    pub status: ClosingRequestStatus,
    /// When it was asked (ms).
    pub requested_ms: i64,
    /// When staff ended it (ms).
    pub decided_ms: Option<i64>,
    /// The staff member who ended it.
    pub decided_by: Option<String>,
    /// What came of it: the command that closed, or the reason for rejecting.
    pub outcome: String,
}

/// What stands in for a closed holder's phone and ID number digest in the rows that keep them
/// unique: never a phone or a digest, and different for every holder.
pub fn released(holder_id: &str) -> String {
    format!("closed:{holder_id}")
}

/// Closed wallets, and the releases that let a phone and a person open a new one.
pub trait ClosingRecords {
    /// Records that a wallet was closed.
    fn insert_closing(&mut self, closing: &ClosingRecord) -> Result<(), StoreError>;
    /// The newest closing of a wallet that had `phone` (E.164).
    fn latest_closing(&mut self, phone: &str) -> Result<Option<ClosingRecord>, StoreError>;
    /// Replaces the holder's phone with `stand_in`, so the phone is free for a new wallet.
    fn release_phone(&mut self, holder_id: &str, stand_in: &str) -> Result<(), StoreError>;
    /// Replaces the digest of the holder's verified ID number with `stand_in`, so the person can
    /// verify a new wallet; the sealed number and name stay with the old holder.
    fn release_id_number(&mut self, holder_id: &str, stand_in: &str) -> Result<(), StoreError>;
    /// Stores a waiting closing request; `Duplicate` while another of the holder's waits.
    fn insert_closing_request(&mut self, request: &ClosingRequestRecord) -> Result<(), StoreError>;
    /// One closing request.
    fn closing_request(&mut self, id: &str) -> Result<Option<ClosingRequestRecord>, StoreError>;
    /// The holder's waiting closing request, if there is one.
    fn waiting_closing_request(
        &mut self,
        holder_id: &str,
    ) -> Result<Option<ClosingRequestRecord>, StoreError>;
    /// The waiting closing requests, oldest first, at most `limit`.
    fn waiting_closing_requests(
        &mut self,
        limit: i64,
    ) -> Result<Vec<ClosingRequestRecord>, StoreError>;
    /// Ends a waiting request (its status, `decided_ms`, `decided_by` and `outcome`).
    fn end_closing_request(&mut self, request: &ClosingRequestRecord) -> Result<(), StoreError>;
}
