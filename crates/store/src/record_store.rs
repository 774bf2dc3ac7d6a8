//! The wallet's transactional port over [`Storage`]: holder-side work, money work and reads, each in a transaction of the right mode.

use crate::portable::{Mode, Storage, Value};
use crate::rows::SqlRecords;

use qianbao_wallet::StoreError;
use qianbao_wallet::money::records::MoneyTx;
use qianbao_wallet::records::{OutboxSms, Records};
use qianbao_wallet::storage::RecordStore;

impl RecordStore for Storage {
    fn reads_ahead(&self) -> bool {
        matches!(self, Storage::Postgres(_))
    }

    async fn transact<T: Send + 'static>(
        &self,
        work: impl Fn(&mut dyn Records) -> Result<T, StoreError> + Send + Sync + 'static,
    ) -> Result<T, StoreError> {
        Storage::transact(self, move |tx| work(&mut SqlRecords(tx))).await
    }

    async fn transact_money<T: Send + 'static>(
        &self,
        work: impl Fn(&mut dyn qianbao_wallet::money::records::MoneyTx) -> Result<T, StoreError>
        + Send
        + Sync
        + 'static,
    ) -> Result<T, StoreError> {
        self.money(crate::Mode::Money, work).await
    }

    async fn transact_read<T: Send + 'static>(
        &self,
        work: impl Fn(&mut dyn qianbao_wallet::money::records::MoneyTx) -> Result<T, StoreError>
        + Send
        + Sync
        + 'static,
    ) -> Result<T, StoreError> {
        self.money(crate::Mode::Read, work).await
    }

    async fn outbox(
        &self,
        phone: Option<String>,
        limit: i64,
    ) -> Result<Vec<OutboxSms>, StoreError> {
        Storage::transact(self, move |tx| {
            let limit = Value::Int(limit.clamp(1, 100));
            let rows = match &phone {
                Some(p) => tx.query(
                    "SELECT id, phone, text, code, status, created_ms FROM sms_outbox
                     WHERE phone = $1 ORDER BY id DESC LIMIT $2",
                    &[p.as_str().into(), limit],
                )?,
                None => tx.query(
                    "SELECT id, phone, text, code, status, created_ms FROM sms_outbox
                     ORDER BY id DESC LIMIT $1",
                    &[limit],
                )?,
            };
            rows.iter()
                .map(|row| {
                    Ok(OutboxSms {
                        id: row.int(0)?,
                        phone: row.text(1)?,
                        text: row.text(2)?,
                        code: row.opt_text(3)?,
                        status: row.text(4)?,
                        created_ms: row.int(5)?,
                    })
                })
                .collect()
        })
        .await
    }
}

impl Storage {
    /// Runs money work over both record sets in a transaction of `mode`.
    pub(crate) async fn money<T: Send + 'static>(
        &self,
        mode: Mode,
        work: impl Fn(&mut dyn MoneyTx) -> Result<T, StoreError> + Send + Sync + 'static,
    ) -> Result<T, StoreError> {
        self.transact_in(mode, move |tx| work(&mut SqlRecords(tx)))
            .await
    }
}
