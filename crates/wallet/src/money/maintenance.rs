//! Maintenance windows (系统维护): while one is on, every money call answers 503 `maintenance`
//! with the operator's notice and `Retry-After`. The window is an operator setting in the
//! database, so every node sees it the moment it is set.

use crate::StoreError;
use crate::storage::RecordStore;

/// The operator setting that holds the window.
pub(crate) const KEY: &str = "maintenance";

/// A maintenance window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Maintenance {
    /// When it ends (ms).
    pub until_ms: i64,
    /// The notice shown to people.
    pub message: String,
}

impl Maintenance {
    /// `until_ms` and the message, on one line.
    fn encode(&self) -> String {
        format!("{} {}", self.until_ms, self.message)
    }
}

/// The window stored as `text`.
pub(crate) fn decode(text: &str) -> Option<Maintenance> {
    let (until, message) = text.split_once(' ').unwrap_or((text, ""));
    Some(Maintenance {
        until_ms: until.parse().ok()?,
        message: message.to_string(),
    })
}

/// Starts (or replaces) the window.
pub async fn start(
    store: &impl RecordStore,
    window: &Maintenance,
    now_ms: i64,
) -> Result<(), StoreError> {
    let value = window.encode();
    store
        .transact_money(move |r| r.put_setting(KEY, Some(&value), now_ms))
        .await
}

/// Ends the window.
pub async fn stop(store: &impl RecordStore, now_ms: i64) -> Result<(), StoreError> {
    store
        .transact_money(move |r| r.put_setting(KEY, None, now_ms))
        .await
}

/// The window set, if any (it may have ended already: compare `until_ms` with the time).
pub async fn current(store: &impl RecordStore) -> Result<Option<Maintenance>, StoreError> {
    let value = store.transact_read(|r| r.setting(KEY)).await?;
    Ok(value.as_deref().and_then(decode))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_reads_back_with_spaces_in_its_notice() {
        let m = Maintenance {
            until_ms: 42,
            message: "升级 系统".into(),
        };
        assert_eq!(decode(&m.encode()), Some(m));
        assert_eq!(decode("soon"), None);
    }
}
