//! SMS codes and when they were sent, as rows.

use super::SqlRecords;
use crate::portable::Row;
use qianbao_wallet::StoreError;
use qianbao_wallet::records::{CodeRecords, OtpRecord, SendWindow};

pub(crate) fn window(row: &Row) -> Result<SendWindow, StoreError> {
    Ok(SendWindow {
        count: row.int(0)?,
        oldest_ms: row.opt_int(1)?,
        latest_ms: row.opt_int(2)?,
    })
}

impl CodeRecords for SqlRecords<'_> {
    fn otp(&mut self, phone: &str, purpose: &str) -> Result<Option<OtpRecord>, StoreError> {
        self.0
            .query_opt(
                "SELECT code_digest, expires_ms, wrong_tries FROM otps WHERE phone = $1 AND purpose = $2",
                &[phone.into(), purpose.into()],
            )?
            .map(|row| {
                Ok(OtpRecord {
                    phone: phone.to_string(),
                    purpose: purpose.to_string(),
                    code_digest: row.text(0)?,
                    expires_ms: row.int(1)?,
                    wrong_tries: row.int(2)?,
                })
            })
            .transpose()
    }

    fn put_otp(&mut self, otp: &OtpRecord) -> Result<(), StoreError> {
        self.0.write(
            "INSERT INTO otps (phone, purpose, code_digest, expires_ms, wrong_tries)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (phone, purpose) DO UPDATE SET code_digest = excluded.code_digest,
                 expires_ms = excluded.expires_ms, wrong_tries = excluded.wrong_tries",
            &[
                otp.phone.as_str().into(),
                otp.purpose.as_str().into(),
                otp.code_digest.as_str().into(),
                otp.expires_ms.into(),
                otp.wrong_tries.into(),
            ],
        )?;
        Ok(())
    }

    fn delete_otp(&mut self, phone: &str, purpose: &str) -> Result<(), StoreError> {
        self.0.write(
            "DELETE FROM otps WHERE phone = $1 AND purpose = $2",
            &[phone.into(), purpose.into()],
        )?;
        Ok(())
    }

    fn otp_sends_to_phone(&mut self, phone: &str, since_ms: i64) -> Result<SendWindow, StoreError> {
        window(&self.0.query_one(
            "SELECT count(*), min(sent_ms), max(sent_ms) FROM otp_sends
             WHERE phone = $1 AND sent_ms >= $2",
            &[phone.into(), since_ms.into()],
        )?)
    }

    fn otp_sends_from_ip(
        &mut self,
        client_ip: &str,
        since_ms: i64,
    ) -> Result<SendWindow, StoreError> {
        window(&self.0.query_one(
            "SELECT count(*), min(sent_ms), max(sent_ms) FROM otp_sends
             WHERE client_ip = $1 AND sent_ms >= $2",
            &[client_ip.into(), since_ms.into()],
        )?)
    }

    fn record_otp_send(
        &mut self,
        phone: &str,
        client_ip: &str,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        self.0.write(
            "INSERT INTO otp_sends (phone, client_ip, sent_ms) VALUES ($1, $2, $3)",
            &[phone.into(), client_ip.into(), at_ms.into()],
        )?;
        Ok(())
    }
}
