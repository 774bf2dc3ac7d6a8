//! Operator settings as rows.

use super::SqlRecords;
use qianbao_wallet::StoreError;
use qianbao_wallet::money::records::SettingRecords;

impl SettingRecords for SqlRecords<'_> {
    fn setting(&mut self, key: &str) -> Result<Option<String>, StoreError> {
        self.0
            .query_opt(
                "SELECT value FROM operator_settings WHERE key = $1",
                &[key.into()],
            )?
            .map(|row| row.text(0))
            .transpose()
    }

    fn put_setting(
        &mut self,
        key: &str,
        value: Option<&str>,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        match value {
            Some(value) => self.0.execute(
                "INSERT INTO operator_settings (key, value, updated_ms) VALUES ($1, $2, $3)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_ms = excluded.updated_ms",
                &[key.into(), value.into(), at_ms.into()],
            )?,
            None => self
                .0
                .execute("DELETE FROM operator_settings WHERE key = $1", &[key.into()])?,
        };
        Ok(())
    }
}
