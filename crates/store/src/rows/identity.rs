//! Verified identities and ID photos as rows.

use super::SqlRecords;
use qianbao_wallet::StoreError;
use qianbao_wallet::records::{IdentityRecord, IdentityRecords};

/// The read of a holder's verified identity, by holder id.
pub(crate) const IDENTITY_READ: &str =
    "SELECT name_sealed, masked_name, id_sealed, id_blind, birth_date, verified_ms
     FROM identities WHERE holder_id = $1";

impl IdentityRecords for SqlRecords<'_> {
    fn identity(&mut self, holder_id: &str) -> Result<Option<IdentityRecord>, StoreError> {
        self.0
            .query_opt(IDENTITY_READ, &[holder_id.into()])?
            .map(|row| {
                Ok(IdentityRecord {
                    holder_id: holder_id.to_string(),
                    name_sealed: row.bytes(0)?,
                    masked_name: row.text(1)?,
                    id_sealed: row.bytes(2)?,
                    id_blind: row.text(3)?,
                    birth_date: row.text(4)?,
                    verified_ms: row.int(5)?,
                })
            })
            .transpose()
    }

    fn identity_holder(&mut self, id_blind: &str) -> Result<Option<String>, StoreError> {
        self.0
            .query_opt(
                "SELECT holder_id FROM identities WHERE id_blind = $1",
                &[id_blind.into()],
            )?
            .map(|row| row.text(0))
            .transpose()
    }

    fn insert_identity(&mut self, i: &IdentityRecord) -> Result<(), StoreError> {
        self.insert(
            "identities",
            "holder_id, name_sealed, masked_name, id_sealed, id_blind, birth_date, verified_ms",
            &[
                i.holder_id.as_str().into(),
                i.name_sealed.as_slice().into(),
                i.masked_name.as_str().into(),
                i.id_sealed.as_slice().into(),
                i.id_blind.as_str().into(),
                i.birth_date.as_str().into(),
                i.verified_ms.into(),
            ],
        )
    }

    fn put_photo(
        &mut self,
        holder_id: &str,
        kind: &str,
        sealed: &[u8],
        content_type: &str,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        self.0.write(
            "INSERT INTO identity_photos (holder_id, kind, sealed, content_type, created_ms)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (holder_id, kind) DO UPDATE SET sealed = excluded.sealed,
                 content_type = excluded.content_type, created_ms = excluded.created_ms",
            &[
                holder_id.into(),
                kind.into(),
                sealed.into(),
                content_type.into(),
                at_ms.into(),
            ],
        )?;
        Ok(())
    }

    fn has_photo(&mut self, holder_id: &str, kind: &str) -> Result<bool, StoreError> {
        Ok(self
            .0
            .query_opt(
                "SELECT 1 FROM identity_photos WHERE holder_id = $1 AND kind = $2",
                &[holder_id.into(), kind.into()],
            )?
            .is_some())
    }
}
