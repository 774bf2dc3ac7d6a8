//! Merchants (shops) and their API keys.

use crate::StoreError;

/// A shop that takes payments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MerchantRecord {
    /// Its id.
    pub id: String,
    /// The holder who opened it.
    pub holder_id: String,
    /// Its name as payers see it.
    pub name: String,
    /// What it sells (`restaurant`, …).
    pub category: String,
    /// SHA-256 of the API key.
    pub key_digest: String,
    /// `active` or `suspended`.
    pub status: String,
    /// Where events are POSTed.
    pub webhook_url: Option<String>,
    /// The webhook signing secret, sealed.
    pub webhook_secret_sealed: Option<Vec<u8>>,
    /// When it was opened (ms).
    pub created_ms: i64,
}

/// Merchants, found by id, API key digest or owner.
pub trait MerchantRecords {
    /// One merchant.
    fn merchant(&mut self, id: &str) -> Result<Option<MerchantRecord>, StoreError>;
    /// The merchant whose API key has this digest.
    fn merchant_by_key(&mut self, key_digest: &str) -> Result<Option<MerchantRecord>, StoreError>;
    /// Adds a merchant.
    fn insert_merchant(&mut self, merchant: &MerchantRecord) -> Result<(), StoreError>;
    /// Saves a merchant's key digest, status and webhook.
    fn update_merchant(&mut self, merchant: &MerchantRecord) -> Result<(), StoreError>;
    /// The merchants a holder opened.
    fn merchants_of(&mut self, holder_id: &str) -> Result<Vec<MerchantRecord>, StoreError>;
}
