//! A six-digit secret kept as a keyed digest with its count of wrong tries and its lock — the
//! payment password and a shop's refund password — is one row shape in two tables, read and
//! written here once for both.

use super::SqlRecords;
use crate::portable::Value;
use qianbao_wallet::StoreError;

/// The table a kind of secret lives in, and the column that says whose it is.
#[derive(Clone, Copy, Debug)]
pub(super) enum Secrets {
    /// Holders' payment passwords, by holder id.
    Pins,
    /// Shops' refund passwords, by merchant id.
    RefundPasswords,
}

impl Secrets {
    fn table_and_key(self) -> (&'static str, &'static str) {
        match self {
            Secrets::Pins => ("pins", "holder_id"),
            Secrets::RefundPasswords => ("refund_passwords", "merchant_id"),
        }
    }
}

/// One secret's row, without whose it is (the caller knows).
pub(super) struct LockedDigest {
    /// The keyed digest of the owner's id and the digits.
    pub(super) digest: String,
    /// Wrong tries since the last right one.
    pub(super) failures: i64,
    /// Locked until then (ms), if locked.
    pub(super) locked_until_ms: Option<i64>,
    /// When it was set (ms).
    pub(super) set_ms: i64,
}

impl SqlRecords<'_> {
    /// The secret of `owner` in `secrets`, if one is set.
    pub(super) fn locked_digest(
        &mut self,
        secrets: Secrets,
        owner: &str,
    ) -> Result<Option<LockedDigest>, StoreError> {
        let (table, key) = secrets.table_and_key();
        self.0
            .query_opt(
                &format!(
                    "SELECT digest, failures, locked_until_ms, set_ms FROM {table} WHERE {key} = $1"
                ),
                &[owner.into()],
            )?
            .map(|row| {
                Ok(LockedDigest {
                    digest: row.text(0)?,
                    failures: row.int(1)?,
                    locked_until_ms: row.opt_int(2)?,
                    set_ms: row.int(3)?,
                })
            })
            .transpose()
    }

    /// Writes the secret of `owner` in `secrets`, replacing the one there.
    pub(super) fn put_locked_digest(
        &mut self,
        secrets: Secrets,
        owner: &str,
        d: LockedDigest,
    ) -> Result<(), StoreError> {
        let (table, key) = secrets.table_and_key();
        let values: [Value; 5] = [
            owner.into(),
            d.digest.as_str().into(),
            d.failures.into(),
            d.locked_until_ms.into(),
            d.set_ms.into(),
        ];
        self.0.write(
            &format!(
                "INSERT INTO {table} ({key}, digest, failures, locked_until_ms, set_ms)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT ({key}) DO UPDATE SET digest = excluded.digest,
                     failures = excluded.failures, locked_until_ms = excluded.locked_until_ms,
                     set_ms = excluded.set_ms"
            ),
            &values,
        )
    }
}
