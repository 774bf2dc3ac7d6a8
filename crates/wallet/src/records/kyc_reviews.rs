//! Real-name checks the identity verifier could not decide: each waits as a case for a member of
//! staff, who looks at the ID photo and approves or rejects it with a reason code.

use crate::StoreError;

crate::named! {
    /// Where a review case stands.
    pub enum KycReviewStatus {
        /// Waiting for a member of staff.
        Pending = "pending",
        /// Approved: the identity is the holder's and the level was raised.
        Approved = "approved",
        /// Rejected: the holder may try again.
        Rejected = "rejected",
    }
}

crate::named! {
    /// Why a reviewer decided as they did.
    pub enum KycReasonCode {
        /// Approve: the ID document is clear and genuine.
        DocumentClear = "document_clear",
        /// Approve: the face on the document matches.
        FaceMatches = "face_matches",
        /// Reject: the document cannot be read.
        DocumentUnreadable = "document_unreadable",
        /// Reject: the face is not the document's.
        FaceMismatch = "face_mismatch",
        /// Reject: the document has expired.
        DocumentExpired = "document_expired",
        /// Reject: the document looks forged or stolen.
        SuspectedFraud = "suspected_fraud",
    }
}

impl KycReasonCode {
    /// Whether the code gives a reason to approve (the others give one to reject).
    pub fn approves(self) -> bool {
        matches!(
            self,
            KycReasonCode::DocumentClear | KycReasonCode::FaceMatches
        )
    }
}

/// One review case. Name and ID number are sealed as a verified identity's are (associated data
/// `identity:<holder id>`), so approving copies them into the identity unchanged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KycReviewRecord {
    /// The case's id (UUID v7).
    pub id: String,
    /// Whose real-name check it is.
    pub holder_id: String,
    /// The legal name, sealed.
    pub name_sealed: Vec<u8>,
    /// The name as staff see it in the queue (`*三`).
    pub masked_name: String,
    /// The ID number, sealed.
    pub id_sealed: Vec<u8>,
    /// Keyed digest of the ID number.
    pub id_blind: String,
    /// The ID number as staff see it (`1101**********1234`).
    pub id_masked: String,
    /// `YYYY-MM-DD`, taken from the ID number.
    pub birth_date: String,
    /// Where it stands.
    pub status: KycReviewStatus,
    /// When the holder's check was sent to review (ms).
    pub submitted_ms: i64,
    /// When it was decided (ms).
    pub decided_ms: Option<i64>,
    /// The staff member who decided it.
    pub decided_by: Option<String>,
    /// Why, once decided.
    pub reason_code: Option<KycReasonCode>,
    /// The reviewer's note (may be empty).
    pub note: String,
}

/// The review cases, and the sealed ID photo a reviewer looks at.
pub trait KycReviewRecords {
    /// Adds a pending case; `Duplicate` when the holder has one pending already.
    fn insert_kyc_review(&mut self, review: &KycReviewRecord) -> Result<(), StoreError>;
    /// One case, whatever its status.
    fn kyc_review(&mut self, id: &str) -> Result<Option<KycReviewRecord>, StoreError>;
    /// The holder's pending case, if there is one.
    fn pending_kyc_review(
        &mut self,
        holder_id: &str,
    ) -> Result<Option<KycReviewRecord>, StoreError>;
    /// The pending cases, oldest first, at most `limit`, each with whether the holder's ID photo
    /// has arrived (read together: one round trip for the whole queue).
    fn pending_kyc_reviews(
        &mut self,
        limit: i64,
    ) -> Result<Vec<(KycReviewRecord, bool)>, StoreError>;
    /// Records a decision on a pending case: false (and nothing changed) if it was decided
    /// already.
    fn decide_kyc_review(&mut self, review: &KycReviewRecord) -> Result<bool, StoreError>;
    /// The holder's sealed photo of `kind` (`id` or `face`) and its content type.
    fn photo(
        &mut self,
        holder_id: &str,
        kind: &str,
    ) -> Result<Option<(Vec<u8>, String)>, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_codes_approve_and_four_reject() {
        let approving: Vec<_> = KycReasonCode::ALL
            .iter()
            .filter(|c| c.approves())
            .map(|c| c.as_str())
            .collect();
        assert_eq!(approving, ["document_clear", "face_matches"]);
        assert_eq!(KycReasonCode::ALL.len(), 6);
        assert_eq!(KycReasonCode::parse("looks_fine"), None);
    }
}
