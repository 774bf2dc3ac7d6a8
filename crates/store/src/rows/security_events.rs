//! Counted security events as rows.

use super::SqlRecords;
use super::codes::window;
use qianbao_wallet::StoreError;
use qianbao_wallet::records::{SecurityEventRecords, SendWindow};

impl SecurityEventRecords for SqlRecords<'_> {
    fn security_events(
        &mut self,
        scope: &str,
        subject: &str,
        since_ms: i64,
    ) -> Result<SendWindow, StoreError> {
        window(&self.0.query_one(
            "SELECT count(*), min(at_ms), max(at_ms) FROM security_events
             WHERE scope = $1 AND subject = $2 AND at_ms >= $3",
            &[scope.into(), subject.into(), since_ms.into()],
        )?)
    }

    fn record_security_event(
        &mut self,
        scope: &str,
        subject: &str,
        at_ms: i64,
        forget_before_ms: i64,
    ) -> Result<(), StoreError> {
        self.0.write(
            "DELETE FROM security_events WHERE scope = $1 AND subject = $2 AND at_ms < $3",
            &[scope.into(), subject.into(), forget_before_ms.into()],
        )?;
        self.0.write(
            "INSERT INTO security_events (scope, subject, at_ms) VALUES ($1, $2, $3)",
            &[scope.into(), subject.into(), at_ms.into()],
        )?;
        Ok(())
    }
}
