//! Versions of the operator's policy as rows (append-only: the table refuses UPDATE and DELETE).

use super::SqlRecords;
use crate::portable::Row;
use qianbao_wallet::StoreError;
use qianbao_wallet::records::{PolicyVersionRecord, PolicyVersionRecords};

const VERSION_COLUMNS: &str = "version, command_id, maker, checker, changes, document, created_ms";

fn version_from(row: &Row) -> Result<PolicyVersionRecord, StoreError> {
    Ok(PolicyVersionRecord {
        version: row.int(0)?,
        command_id: row.text(1)?,
        maker: row.text(2)?,
        checker: row.text(3)?,
        changes: row.text(4)?,
        document: row.text(5)?,
        created_ms: row.int(6)?,
    })
}

impl PolicyVersionRecords for SqlRecords<'_> {
    fn insert_policy_version(&mut self, v: &PolicyVersionRecord) -> Result<(), StoreError> {
        // Not `write`: a taken version number must come back from this statement as `Duplicate`.
        self.0.execute(
            &format!(
                "INSERT INTO policy_versions ({VERSION_COLUMNS})
                 VALUES ($1, $2, $3, $4, $5, $6, $7)"
            ),
            &[
                v.version.into(),
                v.command_id.as_str().into(),
                v.maker.as_str().into(),
                v.checker.as_str().into(),
                v.changes.as_str().into(),
                v.document.as_str().into(),
                v.created_ms.into(),
            ],
        )?;
        Ok(())
    }

    fn latest_policy_version(&mut self) -> Result<Option<PolicyVersionRecord>, StoreError> {
        self.0
            .query_opt(
                &format!(
                    "SELECT {VERSION_COLUMNS} FROM policy_versions ORDER BY version DESC LIMIT 1"
                ),
                &[],
            )?
            .as_ref()
            .map(version_from)
            .transpose()
    }

    fn policy_versions(&mut self, limit: i64) -> Result<Vec<PolicyVersionRecord>, StoreError> {
        self.0
            .query(
                &format!(
                    "SELECT {VERSION_COLUMNS} FROM policy_versions ORDER BY version DESC LIMIT $1"
                ),
                &[limit.clamp(1, 1_000).into()],
            )?
            .iter()
            .map(version_from)
            .collect()
    }
}
