//! The operator's block list and snoozes: entries the block-list rule finds, and exemptions of
//! one holder from one rule until a time.

use super::records::{BlockRecord, SnoozeRecord};
use super::{Money, MoneyError};
use crate::storage::RecordStore;

impl Money {
    /// Adds an entry; false when it was there already.
    pub async fn block(
        &self,
        store: &impl RecordStore,
        entry: &BlockRecord,
    ) -> Result<bool, MoneyError> {
        let entry = entry.clone();
        self.run(store, move |r| Ok(r.add_risk_block(&entry)?))
            .await
    }

    /// Removes an entry; false when it was not there.
    pub async fn unblock(
        &self,
        store: &impl RecordStore,
        kind: &str,
        value: &str,
    ) -> Result<bool, MoneyError> {
        let (kind, value) = (kind.to_string(), value.to_string());
        self.run(store, move |r| Ok(r.remove_risk_block(&kind, &value)?))
            .await
    }

    /// The block list.
    pub async fn blocks(&self, store: &impl RecordStore) -> Result<Vec<BlockRecord>, MoneyError> {
        Ok(store.transact_read(|r| r.risk_blocks()).await?)
    }

    /// Sets a snooze (replacing one of the same holder and rule).
    pub async fn snooze(
        &self,
        store: &impl RecordStore,
        snooze: &SnoozeRecord,
    ) -> Result<(), MoneyError> {
        let snooze = snooze.clone();
        self.run(store, move |r| Ok(r.put_snooze(&snooze)?)).await
    }

    /// The holder id of a wallet id.
    pub async fn holder_of_wallet(
        &self,
        store: &impl RecordStore,
        wallet_id: &str,
    ) -> Result<Option<String>, MoneyError> {
        let wallet_id = wallet_id.to_string();
        Ok(store
            .transact_read(move |r| Ok(r.holder_by_wallet(&wallet_id)?.map(|h| h.id)))
            .await?)
    }
}
