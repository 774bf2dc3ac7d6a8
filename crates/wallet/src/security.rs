//! Keeping the account safe when the phone is lost or the password forgotten: freezing from any
//! browser, unfreezing with the full identity check, and resetting the login password (which also
//! unlocks login). Every password check here counts toward the login lock, so none of these calls
//! can be used to guess a password.

use crate::StoreError;
use crate::domain::{IdNumber, Password, Phone};
use crate::opening::{Opening, OpeningError, Purpose, hash_off_workers, verify_off_workers};
use crate::records::{HolderRecord, HolderStatus, Records};
use crate::security_notices::{SecurityNotice, notify};
use crate::storage::RecordStore;
use qianbao_secrets::field::blind_index;

/// How someone without a session proves the wallet is theirs, to freeze it.
pub enum FreezeProof<'a> {
    /// The login password.
    Password(&'a str),
    /// An SMS code of purpose `freeze` and the verified ID number.
    Code {
        /// The code.
        code: &'a str,
        /// The ID number.
        id_number: &'a str,
    },
}

impl Opening {
    fn id_blind(&self, id_number: &str) -> Option<String> {
        let today = crate::domain::ChinaDay::of_ms(self.ctx.now_ms()).date();
        IdNumber::parse_on(id_number, today)
            .ok()
            .map(|id| blind_index(&self.ctx.keys, "id", id.expose()))
    }

    /// Freezes the caller's own wallet: no money leaves it until it is unfrozen.
    pub async fn freeze(
        &self,
        store: &impl RecordStore,
        holder_id: &str,
    ) -> Result<(), OpeningError> {
        let holder_id = holder_id.to_string();
        let now = self.ctx.clock.now_ms();
        let frozen = holder_id.clone();
        store
            .transact(move |r| {
                r.set_status(&holder_id, HolderStatus::Frozen)?;
                notify(
                    r,
                    &holder_id,
                    &SecurityNotice::Frozen { by_staff: false },
                    now,
                )
            })
            .await?;
        // A lost phone's ride codes stop at the gates on their next sync.
        Ok(crate::transit::revocation::revoke_ride_tokens(store, &frozen, now).await?)
    }

    /// Freezes a wallet without a session (the phone is lost): phone plus password, or phone plus an
    /// SMS code of purpose `freeze` plus the ID number. The answer never says whether the phone has
    /// a wallet.
    pub async fn freeze_by_phone(
        &self,
        store: &impl RecordStore,
        phone: &str,
        proof: FreezeProof<'_>,
    ) -> Result<(), OpeningError> {
        let phone = Phone::parse(phone).map_err(|_| OpeningError::PhoneInvalid)?;
        let holder = self.holder_by_phone(store, &phone).await?;
        match proof {
            FreezeProof::Password(password) => {
                let holder = self
                    .check_password(store, phone.as_e164(), holder, password)
                    .await?;
                self.freeze(store, &holder.id).await
            }
            FreezeProof::Code { code, id_number } => {
                let digest = self.code_digest(&phone, Purpose::Freeze, code.trim());
                let id_blind = self.id_blind(id_number);
                let this = self.clone();
                let now = self.ctx.clock.now_ms();
                let frozen = store
                    .transact(move |r| {
                        let e164 = phone.as_e164();
                        if let Err(e) = this.recovery_allowed(r, e164, now)? {
                            return Ok(Err(e));
                        }
                        if let Err(e) = this.check_code(r, e164, Purpose::Freeze, &digest, now)? {
                            return Ok(Err(e));
                        }
                        let holder = match r.holder_by_phone(e164)? {
                            Some(h) if id_matches(r, &h.id, id_blind.as_deref())? => h,
                            _ => {
                                let refusal =
                                    this.wrong_identity_answer(r, e164, Purpose::Freeze, now)?;
                                return Ok(Err(refusal));
                            }
                        };
                        r.delete_otp(e164, Purpose::Freeze.as_str())?;
                        r.set_status(&holder.id, HolderStatus::Frozen)?;
                        notify(
                            r,
                            &holder.id,
                            &SecurityNotice::Frozen { by_staff: false },
                            now,
                        )?;
                        Ok(Ok(holder.id))
                    })
                    .await??;
                // A lost phone's ride codes stop at the gates on their next sync.
                Ok(crate::transit::revocation::revoke_ride_tokens(store, &frozen, now).await?)
            }
        }
    }

    /// Unfreezes the caller's wallet: an SMS code of purpose `unfreeze`, the ID number and the
    /// login password, all three.
    pub async fn unfreeze(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        code: &str,
        id_number: &str,
        password: &str,
    ) -> Result<(), OpeningError> {
        let holder = self
            .check_password(store, &holder.phone, Some(holder.clone()), password)
            .await?;
        let phone = Phone::parse(&holder.phone).map_err(|_| OpeningError::PhoneInvalid)?;
        let digest = self.code_digest(&phone, Purpose::Unfreeze, code.trim());
        let id_blind = self.id_blind(id_number);
        let this = self.clone();
        let now = self.ctx.clock.now_ms();
        store
            .transact_money(move |r| {
                let e164 = phone.as_e164();
                if let Err(e) = this.recovery_allowed(r, e164, now)? {
                    return Ok(Err(e));
                }
                if let Err(e) = this.check_code(r, e164, Purpose::Unfreeze, &digest, now)? {
                    return Ok(Err(e));
                }
                if !id_matches(r, &holder.id, id_blind.as_deref())? {
                    let refusal = this.wrong_identity_answer(r, e164, Purpose::Unfreeze, now)?;
                    return Ok(Err(refusal));
                }
                r.delete_otp(e164, Purpose::Unfreeze.as_str())?;
                let frozen = r
                    .holder(&holder.id)?
                    .is_some_and(|h| h.status == HolderStatus::Frozen);
                if frozen && let Some(retry_after_s) = this.unfreeze_wait(r, &holder.id, now)? {
                    // Every proof was right, yet a thief who reset the password would have them
                    // all: the owner is told, and has the waiting period to reach the operator.
                    this.unfreeze_delayed_notice(r, &holder, retry_after_s, now)?;
                    return Ok(Err(OpeningError::UnfreezeWaiting { retry_after_s }));
                }
                if frozen {
                    r.set_status(&holder.id, HolderStatus::Active)?;
                    notify(r, &holder.id, &SecurityNotice::Unfrozen, now)?;
                }
                Ok(Ok(()))
            })
            .await?
    }

    /// Resets the login password with an SMS code of purpose `reset_password` (and the ID number
    /// once the holder is verified); unlocks login and ends every session.
    pub async fn reset_password(
        &self,
        store: &impl RecordStore,
        phone: &str,
        code: &str,
        id_number: Option<&str>,
        new_password: &str,
    ) -> Result<(), OpeningError> {
        let phone = Phone::parse(phone).map_err(|_| OpeningError::PhoneInvalid)?;
        let password = Password::parse(new_password, &phone)
            .map_err(|e| OpeningError::PasswordWeak(e.reason()))?;
        let hash = hash_off_workers(&self.ctx.random, password.expose()).await?;
        let digest = self.code_digest(&phone, Purpose::ResetPassword, code.trim());
        let id_blind = id_number.and_then(|id| self.id_blind(id));
        let id_given = id_number.is_some();
        let this = self.clone();
        let now = self.ctx.clock.now_ms();
        store
            .transact(move |r| {
                let e164 = phone.as_e164();
                if let Err(e) = this.recovery_allowed(r, e164, now)? {
                    return Ok(Err(e));
                }
                if let Err(e) = this.check_code(r, e164, Purpose::ResetPassword, &digest, now)? {
                    return Ok(Err(e));
                }
                let Some(holder) = r.holder_by_phone(e164)? else {
                    return Ok(Err(OpeningError::OtpInvalid {
                        attempts_left: None,
                    }));
                };
                if r.identity(&holder.id)?.is_some()
                    && (!id_given || !id_matches(r, &holder.id, id_blind.as_deref())?)
                {
                    let refusal =
                        this.wrong_identity_answer(r, e164, Purpose::ResetPassword, now)?;
                    return Ok(Err(refusal));
                }
                r.delete_otp(e164, Purpose::ResetPassword.as_str())?;
                r.set_password_hash(&holder.id, &hash)?;
                this.password_was_reset(r, &holder.id, now)?;
                notify(r, &holder.id, &SecurityNotice::PasswordReset, now)?;
                // The authenticator may be what was lost (or what a thief with a session turned
                // on): the reset, which proved the phone and the ID, turns TOTP off; it can be
                // turned on again from the new session.
                r.delete_totp(&holder.id)?;
                for session in r.sessions_of(&holder.id)? {
                    r.end_session(&holder.id, &session.id, now)?;
                }
                Ok(Ok(()))
            })
            .await?
    }

    async fn holder_by_phone(
        &self,
        store: &impl RecordStore,
        phone: &Phone,
    ) -> Result<Option<HolderRecord>, StoreError> {
        let e164 = phone.as_e164().to_string();
        store.transact(move |r| r.holder_by_phone(&e164)).await
    }

    /// Checks a login password like a login does: a wrong one counts toward the lock.
    pub(crate) async fn check_password(
        &self,
        store: &impl RecordStore,
        phone_e164: &str,
        holder: Option<HolderRecord>,
        password: &str,
    ) -> Result<HolderRecord, OpeningError> {
        let Some(holder) = holder else {
            return Err(self.no_wallet_answer(store, phone_e164, password).await);
        };
        if holder.login_locked {
            return Err(OpeningError::LoginLocked);
        }
        if verify_off_workers(password, &holder.password_hash).await? {
            return Ok(holder);
        }
        let max = self.policy.login_failures_max;
        let id = holder.id.clone();
        store
            .transact(move |r| {
                let failures = r.holder(&id)?.map_or(0, |h| h.login_failures) + 1;
                let locked = failures >= max;
                r.set_login_failures(&id, failures, locked)?;
                Ok(if locked {
                    OpeningError::LoginLocked
                } else {
                    OpeningError::InvalidCredentials {
                        attempts_left: u32::try_from(max - failures).ok(),
                    }
                })
            })
            .await
            .map_or_else(|e| Err(e.into()), Err)
    }
}

/// Whether `id_blind` is the holder's verified ID number.
fn id_matches(
    r: &mut dyn Records,
    holder_id: &str,
    id_blind: Option<&str>,
) -> Result<bool, StoreError> {
    Ok(match (r.identity(holder_id)?, id_blind) {
        (Some(identity), Some(blind)) => identity.id_blind == blind,
        _ => false,
    })
}
