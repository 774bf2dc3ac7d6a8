//! The holder's inbox: an alert per movement, written in the movement's transaction.

use crate::StoreError;

/// One alert in a holder's inbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotificationRecord {
    /// Its number; later alerts have larger ones.
    pub id: i64,
    /// Whose.
    pub holder_id: String,
    /// What happened (`topup`, `transfer_in`, …).
    pub kind: String,
    /// One line.
    pub title: String,
    /// The details.
    pub body: String,
    /// The line in English.
    pub title_en: String,
    /// The details in English.
    pub body_en: String,
    /// The movement it is about.
    pub movement_id: Option<String>,
    /// When (ms).
    pub created_ms: i64,
}

/// The inbox.
pub trait NotificationRecords {
    /// Adds an alert to a holder's inbox (numbered by the store, in order).
    fn insert_notification(&mut self, n: &NotificationRecord) -> Result<(), StoreError>;
    /// A holder's alerts, newest first: before `before_id` if given, after `after_id` if given.
    fn notifications(
        &mut self,
        holder_id: &str,
        before_id: Option<i64>,
        after_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<NotificationRecord>, StoreError>;
}
