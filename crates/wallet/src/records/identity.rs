//! A holder's verified real name and the photos behind it.

use crate::StoreError;

/// A verified real-name record. Name and ID number are sealed; `id_blind` finds it by ID number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentityRecord {
    /// Whose.
    pub holder_id: String,
    /// The legal name, sealed.
    pub name_sealed: Vec<u8>,
    /// The name as others may see it (`*三`).
    pub masked_name: String,
    /// The ID number, sealed.
    pub id_sealed: Vec<u8>,
    /// Keyed digest of the ID number.
    pub id_blind: String,
    /// `YYYY-MM-DD`, taken from the ID number.
    pub birth_date: String,
    /// When it was verified (ms).
    pub verified_ms: i64,
}

/// Real-name records and ID photos.
pub trait IdentityRecords {
    /// The holder's verified identity.
    fn identity(&mut self, holder_id: &str) -> Result<Option<IdentityRecord>, StoreError>;
    /// Who holds the identity with this ID-number digest.
    fn identity_holder(&mut self, id_blind: &str) -> Result<Option<String>, StoreError>;
    /// Records a verified identity; `Duplicate` when another holder has the ID number.
    fn insert_identity(&mut self, identity: &IdentityRecord) -> Result<(), StoreError>;
    /// Stores a sealed photo of `kind` (`id` or `face`), replacing an earlier one.
    fn put_photo(
        &mut self,
        holder_id: &str,
        kind: &str,
        sealed: &[u8],
        content_type: &str,
        at_ms: i64,
    ) -> Result<(), StoreError>;
    /// Whether the holder has a photo of `kind`.
    fn has_photo(&mut self, holder_id: &str, kind: &str) -> Result<bool, StoreError>;
}
