//! The wallet's records port, implemented once for both backends over the portable [`Tx`].

use crate::portable::{Row, Storage, Tx, Value};
use qianbao_wallet::StoreError;
use qianbao_wallet::records::{
    CardRecord, HolderRecord, IdentityRecord, OtpRecord, OutboxSms, PinRecord, RecordStore,
    Records, SendWindow, SessionRecord,
};
use qianbao_wallet::till::TillSessionRecord;

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

const CARD_COLUMNS: &str = "id, holder_id, number_sealed, number_blind, bin, last4, bank_name, \
                            card_type, reserved_phone, bank_reference, token_sealed, status, \
                            is_default, confirm_tries, created_ms";

fn card_from(row: &Row) -> Result<CardRecord, StoreError> {
    Ok(CardRecord {
        id: row.text(0)?,
        holder_id: row.text(1)?,
        number_sealed: row.bytes(2)?,
        number_blind: row.text(3)?,
        bin: row.text(4)?,
        last4: row.text(5)?,
        bank_name: row.text(6)?,
        card_type: row.text(7)?,
        reserved_phone: row.text(8)?,
        bank_reference: row.text(9)?,
        token_sealed: row.opt_bytes(10)?,
        status: row.text(11)?,
        is_default: row.int(12)? != 0,
        confirm_tries: row.int(13)?,
        created_ms: row.int(14)?,
    })
}

fn window(row: &Row) -> Result<SendWindow, StoreError> {
    Ok(SendWindow {
        count: row.int(0)?,
        oldest_ms: row.opt_int(1)?,
        latest_ms: row.opt_int(2)?,
    })
}

impl SqlRecords<'_> {
    /// Inserts one row: `columns` is the comma-separated list, `values` one per column, in order.
    /// The row may be sent with the next statement (see [`Tx::write`]).
    pub(crate) fn insert(
        &mut self,
        table: &str,
        columns: &str,
        values: &[Value],
    ) -> Result<(), StoreError> {
        debug_assert_eq!(
            columns.split(',').count(),
            values.len(),
            "{table}: columns and values differ"
        );
        let placeholders: Vec<String> = (1..=values.len()).map(|i| format!("${i}")).collect();
        self.0.write(
            &format!(
                "INSERT INTO {table} ({columns}) VALUES ({})",
                placeholders.join(", ")
            ),
            values,
        )
    }

    /// The holder whose `column` (a unique one: id, phone, wallet id) is `value`.
    pub(crate) fn holder_where(
        &mut self,
        column: &str,
        value: &str,
    ) -> Result<Option<HolderRecord>, StoreError> {
        let (sql, values) = holder_read(column, value);
        self.0
            .query_opt(&sql, &values)?
            .as_ref()
            .map(holder_from)
            .transpose()
    }
}

/// The read of the holder whose `column` is `value`.
pub(crate) fn holder_read(column: &str, value: &str) -> (String, Vec<Value>) {
    (
        format!("SELECT {HOLDER_COLUMNS} FROM holders WHERE {column} = $1"),
        vec![value.into()],
    )
}

/// The read of a holder's verified identity, by holder id.
pub(crate) const IDENTITY_READ: &str =
    "SELECT name_sealed, masked_name, id_sealed, id_blind, birth_date, verified_ms
     FROM identities WHERE holder_id = $1";

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
        self.holder_where("phone", phone)
    }

    fn holder(&mut self, id: &str) -> Result<Option<HolderRecord>, StoreError> {
        self.holder_where("id", id)
    }

    fn insert_holder(&mut self, h: &HolderRecord) -> Result<(), StoreError> {
        self.insert(
            "holders",
            HOLDER_COLUMNS,
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
        )
    }

    fn set_login_failures(
        &mut self,
        holder_id: &str,
        failures: i64,
        locked: bool,
    ) -> Result<(), StoreError> {
        self.0.write(
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
        self.0.write(
            "INSERT INTO devices (holder_id, device_id, first_seen_ms) VALUES ($1, $2, $3)
             ON CONFLICT (holder_id, device_id) DO NOTHING",
            &[holder_id.into(), device_id.into(), at_ms.into()],
        )?;
        Ok(())
    }

    fn insert_session(&mut self, s: &SessionRecord) -> Result<(), StoreError> {
        // One live session per device: a new login on the device ends the old one.
        self.0.write(
            "UPDATE sessions SET ended_ms = $3
             WHERE holder_id = $1 AND device_id = $2 AND ended_ms IS NULL",
            &[
                s.holder_id.as_str().into(),
                s.device_id.as_str().into(),
                s.created_ms.into(),
            ],
        )?;
        self.insert(
            "sessions",
            SESSION_COLUMNS,
            &[
                s.id.as_str().into(),
                s.token_digest.as_str().into(),
                s.holder_id.as_str().into(),
                s.device_id.as_str().into(),
                s.device_name.as_str().into(),
                s.created_ms.into(),
                s.last_seen_ms.into(),
            ],
        )
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
        self.0.write(
            "UPDATE sessions SET last_seen_ms = $2 WHERE id = $1",
            &[session_id.into(), at_ms.into()],
        )?;
        Ok(())
    }

    fn set_kyc_level(&mut self, holder_id: &str, level: i64) -> Result<(), StoreError> {
        self.0.write(
            "UPDATE holders SET kyc_level = $2 WHERE id = $1",
            &[holder_id.into(), level.into()],
        )?;
        Ok(())
    }

    fn set_status(&mut self, holder_id: &str, status: &str) -> Result<(), StoreError> {
        self.0.write(
            "UPDATE holders SET status = $2 WHERE id = $1",
            &[holder_id.into(), status.into()],
        )?;
        Ok(())
    }

    fn set_password_hash(&mut self, holder_id: &str, hash: &str) -> Result<(), StoreError> {
        self.0.write(
            "UPDATE holders SET password_hash = $2, login_failures = 0, login_locked = 0 WHERE id = $1",
            &[holder_id.into(), hash.into()],
        )?;
        Ok(())
    }

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

    fn cards_of(&mut self, holder_id: &str) -> Result<Vec<CardRecord>, StoreError> {
        self.0
            .query(
                &format!(
                    "SELECT {CARD_COLUMNS} FROM cards
                     WHERE holder_id = $1 AND status IN ('active', 'pending_otp')
                     ORDER BY created_ms, id LIMIT 100"
                ),
                &[holder_id.into()],
            )?
            .iter()
            .map(card_from)
            .collect()
    }

    fn card(&mut self, holder_id: &str, card_id: &str) -> Result<Option<CardRecord>, StoreError> {
        self.0
            .query_opt(
                &format!("SELECT {CARD_COLUMNS} FROM cards WHERE id = $1 AND holder_id = $2"),
                &[card_id.into(), holder_id.into()],
            )?
            .as_ref()
            .map(card_from)
            .transpose()
    }

    fn active_card(&mut self, number_blind: &str) -> Result<Option<CardRecord>, StoreError> {
        self.0
            .query_opt(
                &format!(
                    "SELECT {CARD_COLUMNS} FROM cards WHERE number_blind = $1 AND status = 'active'"
                ),
                &[number_blind.into()],
            )?
            .as_ref()
            .map(card_from)
            .transpose()
    }

    fn insert_card(&mut self, c: &CardRecord) -> Result<(), StoreError> {
        self.insert(
            "cards",
            CARD_COLUMNS,
            &[
                c.id.as_str().into(),
                c.holder_id.as_str().into(),
                c.number_sealed.as_slice().into(),
                c.number_blind.as_str().into(),
                c.bin.as_str().into(),
                c.last4.as_str().into(),
                c.bank_name.as_str().into(),
                c.card_type.as_str().into(),
                c.reserved_phone.as_str().into(),
                c.bank_reference.as_str().into(),
                c.token_sealed.clone().into(),
                c.status.as_str().into(),
                c.is_default.into(),
                c.confirm_tries.into(),
                c.created_ms.into(),
            ],
        )
    }

    fn update_card(&mut self, c: &CardRecord) -> Result<(), StoreError> {
        self.0.write(
            "UPDATE cards SET status = $3, token_sealed = $4, is_default = $5, confirm_tries = $6
             WHERE id = $1 AND holder_id = $2",
            &[
                c.id.as_str().into(),
                c.holder_id.as_str().into(),
                c.status.as_str().into(),
                c.token_sealed.clone().into(),
                c.is_default.into(),
                c.confirm_tries.into(),
            ],
        )?;
        Ok(())
    }

    fn pin(&mut self, holder_id: &str) -> Result<Option<PinRecord>, StoreError> {
        self.0
            .query_opt(
                "SELECT digest, failures, locked_until_ms, set_ms FROM pins WHERE holder_id = $1",
                &[holder_id.into()],
            )?
            .map(|row| {
                Ok(PinRecord {
                    holder_id: holder_id.to_string(),
                    digest: row.text(0)?,
                    failures: row.int(1)?,
                    locked_until_ms: row.opt_int(2)?,
                    set_ms: row.int(3)?,
                })
            })
            .transpose()
    }

    fn put_pin(&mut self, p: &PinRecord) -> Result<(), StoreError> {
        self.0.write(
            "INSERT INTO pins (holder_id, digest, failures, locked_until_ms, set_ms)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (holder_id) DO UPDATE SET digest = excluded.digest,
                 failures = excluded.failures, locked_until_ms = excluded.locked_until_ms,
                 set_ms = excluded.set_ms",
            &[
                p.holder_id.as_str().into(),
                p.digest.as_str().into(),
                p.failures.into(),
                p.locked_until_ms.into(),
                p.set_ms.into(),
            ],
        )?;
        Ok(())
    }

    // ---- The till's sessions ----------------------------------------------------------------
    fn insert_till_session(&mut self, s: &TillSessionRecord) -> Result<(), StoreError> {
        self.insert(
            "till_sessions",
            TILL_SESSION_COLUMNS,
            &[
                s.id.as_str().into(),
                s.token_digest.as_str().into(),
                s.merchant_id.as_str().into(),
                s.key_digest.as_str().into(),
                s.created_ms.into(),
                s.last_used_ms.into(),
            ],
        )
    }

    fn till_session_by_token(
        &mut self,
        token_digest: &str,
    ) -> Result<Option<TillSessionRecord>, StoreError> {
        self.0
            .query_opt(
                &format!(
                    "SELECT {TILL_SESSION_COLUMNS} FROM till_sessions
                     WHERE token_digest = $1 AND ended_ms IS NULL"
                ),
                &[token_digest.into()],
            )?
            .map(|row| {
                Ok(TillSessionRecord {
                    id: row.text(0)?,
                    token_digest: row.text(1)?,
                    merchant_id: row.text(2)?,
                    key_digest: row.text(3)?,
                    created_ms: row.int(4)?,
                    last_used_ms: row.int(5)?,
                })
            })
            .transpose()
    }

    fn touch_till_session(&mut self, session_id: &str, at_ms: i64) -> Result<(), StoreError> {
        self.0.write(
            "UPDATE till_sessions SET last_used_ms = $2 WHERE id = $1",
            &[session_id.into(), at_ms.into()],
        )?;
        Ok(())
    }

    fn end_till_session(&mut self, session_id: &str, at_ms: i64) -> Result<bool, StoreError> {
        Ok(self.0.execute(
            "UPDATE till_sessions SET ended_ms = $2 WHERE id = $1 AND ended_ms IS NULL",
            &[session_id.into(), at_ms.into()],
        )? == 1)
    }
    // ---- end of the till's sessions ---------------------------------------------------------
}

/// The columns of `till_sessions` a [`TillSessionRecord`] is read from and written to, in order.
const TILL_SESSION_COLUMNS: &str =
    "id, token_digest, merchant_id, key_digest, created_ms, last_used_ms";

impl RecordStore for Storage {
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

/// How many times the outbox offers an SMS to the gateway before marking it failed: with the
/// backoff below, a little over an hour of trying.
const SMS_ATTEMPTS_MAX: i64 = 20;

/// The longest wait between two offers of one SMS.
const SMS_BACKOFF_MAX_MS: i64 = 5 * 60 * 1000;

impl Storage {
    /// The oldest SMS due to be sent at `now_ms`, at most `limit`.
    pub async fn pending_sms(&self, limit: i64, now_ms: i64) -> Result<Vec<OutboxSms>, StoreError> {
        self.transact(move |tx| {
            tx.query(
                "SELECT id, phone, text, code, status, created_ms FROM sms_outbox
                 WHERE status = 'pending' AND next_attempt_ms <= $2 ORDER BY id LIMIT $1",
                &[Value::Int(limit.clamp(1, 1000)), Value::Int(now_ms)],
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

    /// Notes a failed delivery at `now_ms`: the SMS is offered again after a wait that doubles
    /// from two seconds up to [`SMS_BACKOFF_MAX_MS`]; after [`SMS_ATTEMPTS_MAX`] tries, or at once
    /// when the gateway refused it for good, it is marked failed and no longer offered.
    pub async fn sms_failed(
        &self,
        id: i64,
        permanently: bool,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        self.transact(move |tx| {
            let attempts = tx
                .query_opt(
                    "SELECT attempts FROM sms_outbox WHERE id = $1",
                    &[Value::Int(id)],
                )?
                .map_or(Ok(0), |row| row.int(0))?
                + 1;
            let wait_ms = (1000_i64 << attempts.clamp(0, 20)).min(SMS_BACKOFF_MAX_MS);
            let failed = permanently || attempts >= SMS_ATTEMPTS_MAX;
            tx.execute(
                "UPDATE sms_outbox SET attempts = $2, next_attempt_ms = $3,
                     status = CASE WHEN $4 = 1 THEN 'failed' ELSE status END
                 WHERE id = $1",
                &[
                    Value::Int(id),
                    Value::Int(attempts),
                    Value::Int(now_ms + wait_ms),
                    Value::from(failed),
                ],
            )
        })
        .await
        .map(|_| ())
    }
}

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
