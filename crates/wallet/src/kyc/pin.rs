//! The payment password: setting it (not guessable from the holder's own data), checking it with its lock, and resetting it by SMS code, ID number and a bound card.

use super::{Kyc, KycError};
use crate::domain::{CardNumber, IdNumber, Phone, Pin, PinContext, PinError};
use crate::opening::Purpose;
use crate::records::security_events::{PIN_RESET, RISK_EVENTS_KEPT_MS, WRONG_PIN};
use crate::records::{HolderRecord, PinRecord};
use crate::security_notices::{SecurityNotice, notify};
use crate::storage::RecordStore;
use qianbao_secrets::field::blind_index;
use qianbao_secrets::pin::{pin_digest, pin_matches};

impl Kyc {
    /// Sets the payment password (six digits, not guessable from the holder's own data). Changing
    /// it needs the old one, which counts toward the lock like any payment.
    pub async fn set_pin(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        pin: &str,
        old_pin: Option<&str>,
    ) -> Result<(), KycError> {
        let identity = self.identity_of(store, &holder.id).await?;
        let new = Pin::parse(pin).map_err(|_| KycError::PinInvalid)?;
        let (_, id_number) = self.opened_identity(&identity)?;
        let id = IdNumber::parse_on(&id_number, self.today()).ok();
        let phone = Phone::parse(&holder.phone).ok();
        new.check_strength(&PinContext {
            birth_date: None,
            id_number: id.as_ref(),
            phone: phone.as_ref(),
        })
        .map_err(|e| match e {
            PinError::Weak(w) => KycError::PinWeak(w.as_str()),
            _ => KycError::PinInvalid,
        })?;
        let has_pin = {
            let holder_id = holder.id.clone();
            store.transact(move |r| r.pin(&holder_id)).await?.is_some()
        };
        if has_pin {
            let old = old_pin.ok_or(KycError::PinIncorrect {
                attempts_left: u32::try_from(self.pin_tries_max).unwrap_or(0),
            })?;
            self.check_pin(store, &holder.id, old).await?;
        }
        let record = PinRecord {
            holder_id: holder.id.clone(),
            digest: pin_digest(self.keys(), &holder.id, new.expose()),
            failures: 0,
            locked_until_ms: None,
            set_ms: self.clock().now_ms(),
        };
        store
            .transact(move |r| {
                r.put_pin(&record)?;
                // The first PIN is part of opening; a change is news to the owner.
                if has_pin {
                    notify(
                        r,
                        &record.holder_id,
                        &SecurityNotice::PinChanged,
                        record.set_ms,
                    )?;
                }
                Ok(())
            })
            .await?;
        Ok(())
    }

    /// Checks the payment password: a wrong one counts toward the lock, the last allowed one locks
    /// payments for [`Kyc::pin_lock_ms`]; a right one clears the count.
    pub async fn check_pin(
        &self,
        store: &impl RecordStore,
        holder_id: &str,
        pin: &str,
    ) -> Result<(), KycError> {
        let holder_id = holder_id.to_string();
        let keys = self.ctx.keys.clone();
        let now = self.clock().now_ms();
        let (tries_max, lock_ms) = (self.pin_tries_max, self.pin_lock_ms);
        let pin = pin.to_string();
        // The common case — the right PIN, no wrong tries to clear — needs no write, so it reads
        // without taking the write lock that every payment's commit needs.
        let clean = {
            let (holder_id, keys, pin) = (holder_id.clone(), keys.clone(), pin.clone());
            store
                .transact_read(move |r| {
                    Ok(r.pin(&holder_id)?.is_some_and(|record| {
                        record.failures == 0
                            && record.locked_until_ms.is_none()
                            && pin_matches(&keys, &holder_id, &pin, &record.digest)
                    }))
                })
                .await?
        };
        if clean {
            return Ok(());
        }
        store
            .transact(move |r| {
                let Some(mut record) = r.pin(&holder_id)? else {
                    return Ok(Err(KycError::PinNotSet));
                };
                if let Some(until) = record.locked_until_ms {
                    if now < until {
                        return Ok(Err(KycError::PinLocked {
                            retry_after_s: u64::try_from((until - now + 999) / 1000).unwrap_or(1),
                        }));
                    }
                    record.locked_until_ms = None;
                    record.failures = 0;
                }
                if pin_matches(&keys, &holder_id, &pin, &record.digest) {
                    if record.failures != 0 || record.locked_until_ms.is_some() {
                        record.failures = 0;
                        r.put_pin(&record)?;
                    }
                    return Ok(Ok(()));
                }
                record.failures += 1;
                r.record_security_event(WRONG_PIN, &holder_id, now, now - RISK_EVENTS_KEPT_MS)?;
                let left = tries_max - record.failures;
                let error = if left <= 0 {
                    record.locked_until_ms = Some(now + lock_ms);
                    KycError::PinLocked {
                        retry_after_s: u64::try_from(lock_ms / 1000).unwrap_or(0),
                    }
                } else {
                    KycError::PinIncorrect {
                        attempts_left: u32::try_from(left).unwrap_or(0),
                    }
                };
                r.put_pin(&record)?;
                Ok(Err(error))
            })
            .await?
    }

    /// Resets the payment password by SMS code, ID number and a bound card's number; unlocks payments.
    pub async fn reset_pin(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        code: &str,
        id_number: &str,
        card_number: &str,
        pin: &str,
    ) -> Result<(), KycError> {
        let identity = self.identity_of(store, &holder.id).await?;
        // A malformed number is a wrong answer like any other: it is counted in the transaction.
        let id_blind = IdNumber::parse_on(id_number, self.today())
            .ok()
            .map(|id| blind_index(self.keys(), "id", id.expose()));
        let card_blind = CardNumber::parse(card_number)
            .ok()
            .map(|c| blind_index(self.keys(), "card", c.expose()));
        let new = Pin::parse(pin).map_err(|_| KycError::PinInvalid)?;
        let phone = Phone::parse(&holder.phone).map_err(|_| KycError::PhoneInvalid)?;
        let (_, opened_id) = self.opened_identity(&identity)?;
        let id = IdNumber::parse_on(&opened_id, self.today()).ok();
        new.check_strength(&PinContext {
            birth_date: None,
            id_number: id.as_ref(),
            phone: Some(&phone),
        })
        .map_err(|e| match e {
            PinError::Weak(w) => KycError::PinWeak(w.as_str()),
            _ => KycError::PinInvalid,
        })?;
        let code_digest = self
            .opening
            .code_digest(&phone, Purpose::ResetPin, code.trim());
        let digest = pin_digest(self.keys(), &holder.id, new.expose());
        let now = self.clock().now_ms();
        let holder_id = holder.id.clone();
        let opening = self.opening.clone();
        store
            .transact(move |r| {
                let e164 = phone.as_e164();
                if let Err(e) = opening.recovery_allowed(r, e164, now)? {
                    return Ok(Err(KycError::Recovery(e)));
                }
                match opening.check_code(r, e164, Purpose::ResetPin, &code_digest, now)? {
                    Err(crate::opening::OpeningError::OtpExpired) => {
                        return Ok(Err(KycError::OtpExpired));
                    }
                    Err(crate::opening::OpeningError::OtpInvalid { attempts_left }) => {
                        return Ok(Err(KycError::OtpInvalid { attempts_left }));
                    }
                    Err(_) => {
                        return Ok(Err(KycError::OtpInvalid {
                            attempts_left: None,
                        }));
                    }
                    Ok(()) => {}
                }
                let card_ok = match &card_blind {
                    Some(blind) => r
                        .active_card(blind)?
                        .is_some_and(|c| c.holder_id == holder_id),
                    None => false,
                };
                let id_ok = match &id_blind {
                    Some(blind) => r.identity_holder(blind)?.as_deref() == Some(holder_id.as_str()),
                    None => false,
                };
                if !id_ok || !card_ok {
                    let refusal = opening.wrong_identity_answer(r, e164, Purpose::ResetPin, now)?;
                    let field = if id_ok { "card_number" } else { "id_number" };
                    return Ok(Err(KycError::RecoveryAt(refusal, field)));
                }
                r.delete_otp(e164, Purpose::ResetPin.as_str())?;
                r.put_pin(&PinRecord {
                    holder_id: holder_id.clone(),
                    digest: digest.clone(),
                    failures: 0,
                    locked_until_ms: None,
                    set_ms: now,
                })?;
                r.record_security_event(PIN_RESET, &holder_id, now, now - RISK_EVENTS_KEPT_MS)?;
                notify(r, &holder_id, &SecurityNotice::PinReset, now)?;
                Ok(Ok(()))
            })
            .await?
    }
}
