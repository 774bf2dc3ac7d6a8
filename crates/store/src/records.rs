//! The wallet's records port, implemented once for both backends over the portable [`Tx`].

use crate::portable::{Row, Storage, Tx, Value};
use qianbao_wallet::StoreError;
use qianbao_wallet::records::{
    HolderRecord, OtpRecord, OutboxSms, RecordStore, Records, SendWindow, SessionRecord,
};

/// [`Records`] over one open transaction.
pub struct SqlRecords<'a>(pub &'a mut dyn Tx);

const HOLDER_COLUMNS: &str = "id, wallet_id, phone, password_hash, status, kyc_level, \
                              login_failures, login_locked, created_ms";

fn holder_from(row: &Row) -> Result<HolderRecord, StoreError> {
    Ok(HolderRecord {
        id: row.text(0)?,
        wallet_id: row.text(1)?,
        phone: row.text(2)?,
        password_hash: row.text(3)?,
        status: row.text(4)?,
        kyc_level: row.int(5)?,
        login_failures: row.int(6)?,
        login_locked: row.int(7)? != 0,
        created_ms: row.int(8)?,
    })
}

const SESSION_COLUMNS: &str =
    "id, token_digest, holder_id, device_id, device_name, created_ms, last_seen_ms";

fn session_from(row: &Row) -> Result<SessionRecord, StoreError> {
    Ok(SessionRecord {
        id: row.text(0)?,
        token_digest: row.text(1)?,
        holder_id: row.text(2)?,
        device_id: row.text(3)?,
        device_name: row.text(4)?,
        created_ms: row.int(5)?,
        last_seen_ms: row.int(6)?,
    })
}

fn window(row: &Row) -> Result<SendWindow, StoreError> {
    Ok(SendWindow {
        count: row.int(0)?,
        oldest_ms: row.opt_int(1)?,
        latest_ms: row.opt_int(2)?,
    })
}

impl Records for SqlRecords<'_> {
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
        self.0.execute(
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
        self.0.execute(
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
        self.0.execute(
            "INSERT INTO otp_sends (phone, client_ip, sent_ms) VALUES ($1, $2, $3)",
            &[phone.into(), client_ip.into(), at_ms.into()],
        )?;
        Ok(())
    }

    fn queue_sms(
        &mut self,
        phone: &str,
        text: &str,
        code: Option<&str>,
        at_ms: i64,
    ) -> Result<i64, StoreError> {
        self.0
            .query_one(
                "INSERT INTO sms_outbox (phone, text, code, created_ms) VALUES ($1, $2, $3, $4)
                 RETURNING id",
                &[phone.into(), text.into(), code.into(), at_ms.into()],
            )?
            .int(0)
    }

    fn holder_by_phone(&mut self, phone: &str) -> Result<Option<HolderRecord>, StoreError> {
        self.0
            .query_opt(
                &format!("SELECT {HOLDER_COLUMNS} FROM holders WHERE phone = $1"),
                &[phone.into()],
            )?
            .as_ref()
            .map(holder_from)
            .transpose()
    }

    fn holder(&mut self, id: &str) -> Result<Option<HolderRecord>, StoreError> {
        self.0
            .query_opt(
                &format!("SELECT {HOLDER_COLUMNS} FROM holders WHERE id = $1"),
                &[id.into()],
            )?
            .as_ref()
            .map(holder_from)
            .transpose()
    }

    fn insert_holder(&mut self, h: &HolderRecord) -> Result<(), StoreError> {
        self.0.execute(
            &format!(
                "INSERT INTO holders ({HOLDER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            ),
            &[
                h.id.as_str().into(),
                h.wallet_id.as_str().into(),
                h.phone.as_str().into(),
                h.password_hash.as_str().into(),
                h.status.as_str().into(),
                h.kyc_level.into(),
                h.login_failures.into(),
                h.login_locked.into(),
                h.created_ms.into(),
            ],
        )?;
        Ok(())
    }

    fn set_login_failures(
        &mut self,
        holder_id: &str,
        failures: i64,
        locked: bool,
    ) -> Result<(), StoreError> {
        self.0.execute(
            "UPDATE holders SET login_failures = $2, login_locked = $3 WHERE id = $1",
            &[holder_id.into(), failures.into(), locked.into()],
        )?;
        Ok(())
    }

    fn is_restricted(&mut self, kind: &str, blind: &str) -> Result<bool, StoreError> {
        Ok(self
            .0
            .query_opt(
                "SELECT 1 FROM restrictions WHERE kind = $1 AND blind = $2",
                &[kind.into(), blind.into()],
            )?
            .is_some())
    }

    fn device_known(&mut self, holder_id: &str, device_id: &str) -> Result<bool, StoreError> {
        Ok(self
            .0
            .query_opt(
                "SELECT 1 FROM devices WHERE holder_id = $1 AND device_id = $2",
                &[holder_id.into(), device_id.into()],
            )?
            .is_some())
    }

    fn remember_device(
        &mut self,
        holder_id: &str,
        device_id: &str,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        self.0.execute(
            "INSERT INTO devices (holder_id, device_id, first_seen_ms) VALUES ($1, $2, $3)
             ON CONFLICT (holder_id, device_id) DO NOTHING",
            &[holder_id.into(), device_id.into(), at_ms.into()],
        )?;
        Ok(())
    }

    fn insert_session(&mut self, s: &SessionRecord) -> Result<(), StoreError> {
        // One live session per device: a new login on the device ends the old one.
        self.0.execute(
            "UPDATE sessions SET ended_ms = $3
             WHERE holder_id = $1 AND device_id = $2 AND ended_ms IS NULL",
            &[
                s.holder_id.as_str().into(),
                s.device_id.as_str().into(),
                s.created_ms.into(),
            ],
        )?;
        self.0.execute(
            &format!(
                "INSERT INTO sessions ({SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
            ),
            &[
                s.id.as_str().into(),
                s.token_digest.as_str().into(),
                s.holder_id.as_str().into(),
                s.device_id.as_str().into(),
                s.device_name.as_str().into(),
                s.created_ms.into(),
                s.last_seen_ms.into(),
            ],
        )?;
        Ok(())
    }

    fn session_by_token(
        &mut self,
        token_digest: &str,
    ) -> Result<Option<SessionRecord>, StoreError> {
        self.0
            .query_opt(
                &format!(
                    "SELECT {SESSION_COLUMNS} FROM sessions WHERE token_digest = $1 AND ended_ms IS NULL"
                ),
                &[token_digest.into()],
            )?
            .as_ref()
            .map(session_from)
            .transpose()
    }

    fn sessions_of(&mut self, holder_id: &str) -> Result<Vec<SessionRecord>, StoreError> {
        self.0
            .query(
                &format!(
                    "SELECT {SESSION_COLUMNS} FROM sessions WHERE holder_id = $1 AND ended_ms IS NULL
                     ORDER BY created_ms DESC, id DESC LIMIT 100"
                ),
                &[holder_id.into()],
            )?
            .iter()
            .map(session_from)
            .collect()
    }

    fn end_session(
        &mut self,
        holder_id: &str,
        session_id: &str,
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        Ok(self.0.execute(
            "UPDATE sessions SET ended_ms = $3 WHERE id = $1 AND holder_id = $2 AND ended_ms IS NULL",
            &[session_id.into(), holder_id.into(), at_ms.into()],
        )? == 1)
    }

    fn touch_session(&mut self, session_id: &str, at_ms: i64) -> Result<(), StoreError> {
        self.0.execute(
            "UPDATE sessions SET last_seen_ms = $2 WHERE id = $1",
            &[session_id.into(), at_ms.into()],
        )?;
        Ok(())
    }
}

impl RecordStore for Storage {
    async fn transact<T: Send + 'static>(
        &self,
        work: impl Fn(&mut dyn Records) -> Result<T, StoreError> + Send + Sync + 'static,
    ) -> Result<T, StoreError> {
        Storage::transact(self, move |tx| work(&mut SqlRecords(tx))).await
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

/// How many times the outbox offers an SMS to the gateway before marking it failed.
const SMS_ATTEMPTS_MAX: i64 = 10;

impl Storage {
    /// The oldest SMS waiting to be sent, at most `limit`.
    pub async fn pending_sms(&self, limit: i64) -> Result<Vec<OutboxSms>, StoreError> {
        self.transact(move |tx| {
            tx.query(
                "SELECT id, phone, text, code, status, created_ms FROM sms_outbox
                 WHERE status = 'pending' ORDER BY id LIMIT $1",
                &[Value::Int(limit.clamp(1, 1000))],
            )?
            .iter()
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

    /// Marks an SMS sent. With `redact`, its text (which carries a code) is dropped: a sent code
    /// has no business staying in the database.
    pub async fn sms_sent(&self, id: i64, at_ms: i64, redact: bool) -> Result<(), StoreError> {
        self.transact(move |tx| {
            tx.execute(
                "UPDATE sms_outbox SET status = 'sent', sent_ms = $2, attempts = attempts + 1,
                     text = CASE WHEN $3 = 1 THEN '(sent; text removed)' ELSE text END
                 WHERE id = $1",
                &[
                    Value::Int(id),
                    Value::Int(at_ms),
                    Value::Int(i64::from(redact)),
                ],
            )
        })
        .await
        .map(|_| ())
    }

    /// Notes a failed delivery; after [`SMS_ATTEMPTS_MAX`] tries, or at once when the gateway
    /// refused it for good, the SMS is marked failed and no longer offered.
    pub async fn sms_failed(&self, id: i64, permanently: bool) -> Result<(), StoreError> {
        self.transact(move |tx| {
            tx.execute(
                "UPDATE sms_outbox SET attempts = attempts + 1,
                     status = CASE WHEN $2 = 1 OR attempts + 1 >= $3 THEN 'failed' ELSE status END
                 WHERE id = $1",
                &[
                    Value::Int(id),
                    Value::Int(i64::from(permanently)),
                    Value::Int(SMS_ATTEMPTS_MAX),
                ],
            )
        })
        .await
        .map(|_| ())
    }
}
