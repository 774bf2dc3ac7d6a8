//! The operator's restriction list: phones and ID numbers (as keyed digests) that may not open or verify a wallet.

use crate::portable::{Storage, Value};
use qianbao_wallet::StoreError;

/// One entry of the operator's restriction list, as operators see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Restriction {
    /// `phone` or `id`.
    pub kind: String,
    /// The value, masked.
    pub masked: String,
    /// Why it was added.
    pub note: String,
    /// When (ms).
    pub created_ms: i64,
}

impl Storage {
    /// Adds `blind` (a keyed digest) of `kind` to the restriction list; false if it was there.
    pub async fn restrict(
        &self,
        kind: &str,
        blind: &str,
        masked: &str,
        note: &str,
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        let values = [kind, blind, note, masked].map(Value::from);
        self.transact(move |tx| {
            tx.execute(
                "INSERT INTO restrictions (kind, blind, note, masked, created_ms)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (kind, blind) DO NOTHING",
                &[
                    values[0].clone(),
                    values[1].clone(),
                    values[2].clone(),
                    values[3].clone(),
                    Value::Int(at_ms),
                ],
            )
            .map(|n| n == 1)
        })
        .await
    }

    /// Removes an entry; false if it was not there.
    pub async fn unrestrict(&self, kind: &str, blind: &str) -> Result<bool, StoreError> {
        let (kind, blind) = (Value::from(kind), Value::from(blind));
        self.transact(move |tx| {
            tx.execute(
                "DELETE FROM restrictions WHERE kind = $1 AND blind = $2",
                &[kind.clone(), blind.clone()],
            )
            .map(|n| n == 1)
        })
        .await
    }

    /// The whole list, newest first (at most 10,000 entries).
    pub async fn restrictions(&self) -> Result<Vec<Restriction>, StoreError> {
        self.transact(|tx| {
            tx.query(
                "SELECT kind, masked, note, created_ms FROM restrictions
                 ORDER BY created_ms DESC LIMIT 10000",
                &[],
            )?
            .iter()
            .map(|row| {
                Ok(Restriction {
                    kind: row.text(0)?,
                    masked: row.text(1)?,
                    note: row.text(2)?,
                    created_ms: row.int(3)?,
                })
            })
            .collect()
        })
        .await
    }
}
