//! The TOTP second factor (双因素认证): enrolling a secret, confirming it with a first code,
//! turning it off with the payment password, and checking a code for a login or a risky payment,
//! with the same lock as the payment password.
//!
//! The secret is stored only sealed, bound to the holder. Each check runs in a transaction of its
//! own (or the caller's, through [`TotpGuard`]) that also writes what it changed — the step a
//! right code used, a wrong code's count, the lock — and returns the refusal as a value inside a
//! committed transaction, so a wrong code is counted although the call fails.

use super::{Kyc, KycError, secrets};
use crate::StoreError;
use crate::domain::Phone;
use crate::domain::totp;
use crate::records::{HolderRecord, Records, TotpRecord};
use crate::security_notices::{SecurityNotice, notify};
use crate::storage::RecordStore;
use qianbao_secrets::KeyRing;
use qianbao_secrets::field::{open, seal};
use qianbao_secrets::token::new_secret_bytes;
use std::sync::Arc;
use zeroize::Zeroizing;

/// A new, unconfirmed secret as the holder's app takes it.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpEnrolment {
    /// The secret in RFC 4648 base32, for typing into the app.
    pub secret: String,
    /// The `otpauth://totp/…` URI, for the QR code.
    pub otpauth_uri: String,
}

impl std::fmt::Debug for TotpEnrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret never goes to a log line, even by a stray `{:?}`.
        f.write_str("TotpEnrolment(..)")
    }
}

/// What checking a TOTP code needs inside a transaction: the keys that open the secret and the
/// lock's numbers (the payment password's: the same tries, the same lock time). Another use case
/// (the login) holds one to check a code inside its own transaction.
#[derive(Clone)]
pub struct TotpGuard {
    keys: Arc<KeyRing>,
    tries_max: i64,
    lock_ms: i64,
}

/// What a code is checked for: using the confirmed factor, or confirming a new one.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    Confirmed,
    Unconfirmed,
}

/// The associated data a secret is sealed with: a secret copied to another holder's row does not open.
fn associated(holder_id: &str) -> String {
    format!("totp:{holder_id}")
}

impl TotpGuard {
    /// Whether the holder has a confirmed TOTP second factor.
    pub fn enabled_in(&self, r: &mut dyn Records, holder_id: &str) -> Result<bool, StoreError> {
        Ok(r.totp(holder_id)?.is_some_and(|t| t.confirmed))
    }

    /// Checks `code` for the holder's confirmed second factor inside the caller's transaction.
    /// A right code's step is stored so it never works again, and the wrong-code count clears; a
    /// wrong, reused or expired one counts toward the lock. The count is written before the
    /// refusal is returned: commit the transaction whatever the answer (return the refusal as a
    /// value inside `Ok`), or the count is lost.
    pub fn check_in(
        &self,
        r: &mut dyn Records,
        holder_id: &str,
        code: &str,
        now_ms: i64,
    ) -> Result<Result<(), KycError>, StoreError> {
        Ok(self
            .attempt(r, holder_id, code, now_ms, Stage::Confirmed)?
            .map(|_| ()))
    }

    /// One try: the record as it stands after a right code, or the refusal.
    fn attempt(
        &self,
        r: &mut dyn Records,
        holder_id: &str,
        code: &str,
        now_ms: i64,
        stage: Stage,
    ) -> Result<Result<TotpRecord, KycError>, StoreError> {
        let Some(mut record) = r.totp(holder_id)? else {
            return Ok(Err(KycError::TotpNotEnabled));
        };
        match (stage, record.confirmed) {
            (Stage::Confirmed, false) => return Ok(Err(KycError::TotpNotEnabled)),
            (Stage::Unconfirmed, true) => return Ok(Err(KycError::TotpAlreadyEnabled)),
            _ => {}
        }
        if let Some(until) = record.locked_until_ms {
            if now_ms < until {
                return Ok(Err(KycError::TotpLocked {
                    retry_after_s: u64::try_from((until - now_ms + 999) / 1000).unwrap_or(1),
                }));
            }
            record.locked_until_ms = None;
            record.failures = 0;
        }
        let secret = match open(
            &self.keys,
            &record.secret_sealed,
            associated(holder_id).as_bytes(),
        ) {
            Ok(secret) => Zeroizing::new(secret),
            Err(e) => return Ok(Err(secrets(e))),
        };
        let unix_s = now_ms.div_euclid(1000);
        if let Some(step) = totp::verify(&secret, code, unix_s, record.last_step) {
            record.last_step = step;
            record.failures = 0;
            r.set_totp_counters(holder_id, step, 0, None)?;
            return Ok(Ok(record));
        }
        record.failures += 1;
        let left = self.tries_max - record.failures;
        let refusal = if left <= 0 {
            record.locked_until_ms = Some(now_ms + self.lock_ms);
            KycError::TotpLocked {
                retry_after_s: u64::try_from(self.lock_ms / 1000).unwrap_or(0),
            }
        } else {
            KycError::TotpInvalid {
                attempts_left: u32::try_from(left).unwrap_or(0),
            }
        };
        r.set_totp_counters(
            holder_id,
            record.last_step,
            record.failures,
            record.locked_until_ms,
        )?;
        Ok(Err(refusal))
    }
}

impl Kyc {
    /// The TOTP check for another use case's transaction (the login's).
    pub fn totp_guard(&self) -> TotpGuard {
        TotpGuard {
            keys: self.ctx.keys.clone(),
            tries_max: self.pin_tries_max,
            lock_ms: self.pin_lock_ms,
        }
    }

    /// Makes a new secret for the holder's authenticator app, stored sealed and unconfirmed until
    /// [`Kyc::confirm_totp`] sees a first code. An unconfirmed one is replaced; a confirmed one
    /// must be turned off first (`totp_already_enabled`).
    pub async fn enrol_totp(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
    ) -> Result<TotpEnrolment, KycError> {
        let phone = Phone::parse(&holder.phone).map_err(|_| KycError::PhoneInvalid)?;
        let secret =
            new_secret_bytes::<{ totp::SECRET_BYTES }>(self.ctx.random()).map_err(secrets)?;
        let sealed = seal(
            self.keys(),
            self.ctx.random(),
            secret.as_slice(),
            associated(&holder.id).as_bytes(),
        )
        .map_err(secrets)?;
        let record = TotpRecord {
            holder_id: holder.id.clone(),
            secret_sealed: sealed,
            confirmed: false,
            last_step: -1,
            failures: 0,
            locked_until_ms: None,
            created_ms: self.clock().now_ms(),
        };
        store
            .transact(move |r| {
                if r.totp(&record.holder_id)?.is_some_and(|t| t.confirmed) {
                    return Ok(Err(KycError::TotpAlreadyEnabled));
                }
                r.put_totp(&record)?;
                Ok(Ok(()))
            })
            .await??;
        Ok(TotpEnrolment {
            secret: totp::base32(secret.as_slice()),
            otpauth_uri: totp::otpauth_uri(secret.as_slice(), &phone.masked()),
        })
    }

    /// Confirms the enrolled secret with a first code from the app; from then on it guards logins
    /// and risky payments. A wrong code is `totp_invalid` and counts toward the lock.
    pub async fn confirm_totp(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        code: &str,
    ) -> Result<(), KycError> {
        let guard = self.totp_guard();
        let holder_id = holder.id.clone();
        let code = Zeroizing::new(code.to_string());
        let now = self.clock().now_ms();
        store
            .transact(move |r| {
                match guard.attempt(r, &holder_id, &code, now, Stage::Unconfirmed)? {
                    Ok(mut record) => {
                        record.confirmed = true;
                        r.put_totp(&record)?;
                        notify(r, &holder_id, &SecurityNotice::TotpOn, now)?;
                        Ok(Ok(()))
                    }
                    Err(refusal) => Ok(Err(refusal)),
                }
            })
            .await?
    }

    /// Turns the second factor off (or drops an unconfirmed enrolment) with the payment password;
    /// a wrong one counts toward the payment lock as it does for a payment.
    pub async fn disable_totp(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        pin: &str,
    ) -> Result<(), KycError> {
        let enrolled = {
            let holder_id = holder.id.clone();
            store
                .transact_read(move |r| r.totp(&holder_id))
                .await?
                .is_some()
        };
        if !enrolled {
            return Err(KycError::TotpNotEnabled);
        }
        self.check_pin(store, &holder.id, pin).await?;
        let holder_id = holder.id.clone();
        let now = self.clock().now_ms();
        store
            .transact(move |r| {
                // Dropping an enrolment never confirmed turned nothing off: no notice.
                let was_on = r.totp(&holder_id)?.is_some_and(|t| t.confirmed);
                r.delete_totp(&holder_id)?;
                if was_on {
                    notify(r, &holder_id, &SecurityNotice::TotpOff, now)?;
                }
                Ok(())
            })
            .await?;
        Ok(())
    }

    /// Checks a TOTP code for a step-up or a login, in a transaction of its own: not enrolled or
    /// not confirmed is `totp_not_enabled`; a wrong, reused or expired code is `totp_invalid`
    /// with the tries left, and the last allowed one locks the factor for [`Kyc::pin_lock_ms`]
    /// (`totp_locked`). A right code clears the count and is never accepted again.
    pub async fn check_totp(
        &self,
        store: &impl RecordStore,
        holder_id: &str,
        code: &str,
    ) -> Result<(), KycError> {
        let guard = self.totp_guard();
        let holder_id = holder_id.to_string();
        let code = Zeroizing::new(code.to_string());
        let now = self.clock().now_ms();
        store
            .transact(move |r| guard.check_in(r, &holder_id, &code, now))
            .await?
    }

    /// Whether the holder has a confirmed TOTP second factor (a read: no write lock).
    pub async fn totp_enabled(
        &self,
        store: &impl RecordStore,
        holder_id: &str,
    ) -> Result<bool, KycError> {
        let holder_id = holder_id.to_string();
        Ok(store
            .transact_read(move |r| Ok(r.totp(&holder_id)?.is_some_and(|t| t.confirmed)))
            .await?)
    }
}
