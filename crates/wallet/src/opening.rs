//! Opening a wallet and getting back into it: SMS codes with their rate limits, sign-up, login with
//! its lockout and new-device confirmation, sessions per device, and authenticating a token.
//!
//! Every check and the write it allows happen in one transaction over [`Records`]; the slow,
//! pure work (hashing a password) happens outside it, on the password threads
//! (`password_work`), never on the async workers.

use crate::context::Context;
use crate::domain::{Password, Phone};
use crate::kyc::{KycError, TotpGuard};
use crate::records::{HolderRecord, HolderStatus, OtpRecord, Records, SessionRecord};
use crate::storage::RecordStore;
use crate::{Randomness, SeededRandomness, StoreError};
use qianbao_secrets::field::blind_index;
use qianbao_secrets::password::{hash_password, verify_password};
use qianbao_secrets::token::{new_numeric_code, new_token, token_digest};
use std::sync::{Arc, Mutex, OnceLock, mpsc};
use zeroize::Zeroizing;

/// What an SMS code is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Opening a wallet.
    Signup,
    /// Logging in from a new device.
    Login,
    /// Resetting the login password.
    ResetPassword,
    /// Resetting the payment password.
    ResetPin,
    /// Unfreezing the wallet.
    Unfreeze,
    /// Confirming a large payment.
    StepUp,
    /// Freezing a wallet without a session (the phone is lost).
    Freeze,
    /// Closing the wallet for good (注销).
    Close,
}

impl Purpose {
    /// Every purpose.
    pub const ALL: [Purpose; 8] = [
        Purpose::Signup,
        Purpose::Login,
        Purpose::ResetPassword,
        Purpose::ResetPin,
        Purpose::Unfreeze,
        Purpose::StepUp,
        Purpose::Freeze,
        Purpose::Close,
    ];

    /// The API's name for it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Purpose::Signup => "signup",
            Purpose::Login => "login",
            Purpose::ResetPassword => "reset_password",
            Purpose::ResetPin => "reset_pin",
            Purpose::Unfreeze => "unfreeze",
            Purpose::StepUp => "step_up",
            Purpose::Freeze => "freeze",
            Purpose::Close => "close",
        }
    }

    /// Reads the API's name.
    pub fn parse(name: &str) -> Option<Purpose> {
        Purpose::ALL.into_iter().find(|p| p.as_str() == name)
    }
}

/// The operator's numbers for codes and logins. Defaults are API.md's.
#[derive(Clone, Debug)]
pub struct OpeningPolicy {
    /// How long a code lives.
    pub otp_ttl_ms: i64,
    /// How soon one phone may ask again.
    pub otp_resend_ms: i64,
    /// Codes one phone may ask for in 24 hours.
    pub otp_per_phone_daily_max: i64,
    /// Codes one client address may ask for in an hour; `None` switches the limit off (the
    /// sandbox default, where one tester's machine opens many wallets).
    pub otp_per_ip_hourly_max: Option<i64>,
    /// Wrong codes after which a code dies.
    pub otp_wrong_tries_max: i64,
    /// Wrong passwords after which login locks until recovery.
    pub login_failures_max: i64,
    /// Keep each code beside its SMS in the outbox, for the sandbox's SMS view. Never in production.
    pub keep_codes_in_outbox: bool,
    /// Wrong identity answers (ID or card numbers, given with a right code) one phone may give
    /// during recovery in 24 hours, across codes.
    pub recovery_wrong_daily_max: i64,
    /// How long after a password reset an unfreeze must wait (ms); 0 lets it through at once.
    pub unfreeze_after_reset_wait_ms: i64,
    /// How long after a wallet is closed its phone may not open another (ms); 0 lets it at once.
    pub closed_phone_cooling_off_ms: i64,
}

impl Default for OpeningPolicy {
    fn default() -> Self {
        OpeningPolicy {
            otp_ttl_ms: 5 * 60 * 1000,
            otp_resend_ms: 60 * 1000,
            otp_per_phone_daily_max: 10,
            otp_per_ip_hourly_max: Some(20),
            otp_wrong_tries_max: 5,
            login_failures_max: 5,
            keep_codes_in_outbox: false,
            recovery_wrong_daily_max: 5,
            unfreeze_after_reset_wait_ms: 24 * 3600 * 1000,
            closed_phone_cooling_off_ms: 30 * 24 * 3600 * 1000,
        }
    }
}

/// Why an opening or login call was refused. Each variant has the API's code.
#[derive(Debug, thiserror::Error)]
pub enum OpeningError {
    /// The phone number is not a valid one.
    #[error("phone_invalid")]
    PhoneInvalid,
    /// The purpose is not one of the API's.
    #[error("purpose_invalid")]
    PurposeInvalid,
    /// Codes were asked for too often; retry after this many seconds.
    #[error("otp_rate_limited")]
    OtpRateLimited {
        /// Seconds until the next request may succeed.
        retry_after_s: u64,
    },
    /// The code is wrong (or there is none).
    #[error("otp_invalid")]
    OtpInvalid {
        /// Wrong tries left before the code dies.
        attempts_left: Option<u32>,
    },
    /// The code is past its five minutes.
    #[error("otp_expired")]
    OtpExpired,
    /// The phone already has a wallet.
    #[error("phone_taken")]
    PhoneTaken,
    /// The password does not meet the rules.
    #[error("password_weak: {0}")]
    PasswordWeak(&'static str),
    /// The phone or person is on the operator's restriction list.
    #[error("account_restricted")]
    AccountRestricted,
    /// Phone or password wrong.
    #[error("invalid_credentials")]
    InvalidCredentials {
        /// Wrong passwords left before login locks.
        attempts_left: Option<u32>,
    },
    /// Login is locked by wrong passwords until the holder recovers the account.
    #[error("login_locked")]
    LoginLocked,
    /// A second factor is needed too: an SMS code of purpose `login` from a new device (`sms`,
    /// sent as `otp`), and the TOTP code once the holder turned TOTP on (`totp`).
    #[error("step_up_required")]
    StepUpRequired {
        /// The factors still to send: `sms`, `totp` or both.
        methods: Vec<&'static str>,
    },
    /// The TOTP code given at login is wrong, already used or too old.
    #[error("totp_invalid")]
    TotpInvalid {
        /// Tries left before the second factor locks.
        attempts_left: u32,
    },
    /// The TOTP second factor is locked by wrong codes.
    #[error("totp_locked")]
    TotpLocked {
        /// Seconds until the lock ends.
        retry_after_s: u64,
    },
    /// No valid session.
    #[error("unauthorized")]
    Unauthorized,
    /// Nothing of the caller's with that id.
    #[error("not_found")]
    NotFound,
    /// The ID number given is not the verified one.
    #[error("identity_mismatch")]
    IdentityMismatch {
        /// Tries left on the code it came with.
        attempts_left: Option<u32>,
    },
    /// Too many tries of something guessable; retry after this many seconds.
    #[error("rate_limited")]
    RateLimited {
        /// Seconds until a try may succeed.
        retry_after_s: u64,
    },
    /// The wallet's password was reset recently, so unfreezing waits this many seconds more.
    #[error("unfreeze_waiting")]
    UnfreezeWaiting {
        /// Seconds until an unfreeze may go through.
        retry_after_s: u64,
    },
    /// The wallet was closed (注销): it can no longer be logged into.
    #[error("account_closed")]
    AccountClosed,
    /// A wallet with this phone was closed recently; a new one may open after this many seconds.
    #[error("phone_cooling_off")]
    PhoneCoolingOff {
        /// Seconds until the phone may open a wallet.
        retry_after_s: u64,
    },
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The OS gave no randomness or the hasher failed.
    #[error("secrets: {0}")]
    Secrets(String),
}

impl OpeningError {
    /// The API's code.
    pub fn code(&self) -> &'static str {
        match self {
            OpeningError::PhoneInvalid => "phone_invalid",
            OpeningError::PurposeInvalid => "purpose_invalid",
            OpeningError::OtpRateLimited { .. } => "otp_rate_limited",
            OpeningError::OtpInvalid { .. } => "otp_invalid",
            OpeningError::OtpExpired => "otp_expired",
            OpeningError::PhoneTaken => "phone_taken",
            OpeningError::PasswordWeak(_) => "password_weak",
            OpeningError::AccountRestricted => "account_restricted",
            OpeningError::InvalidCredentials { .. } => "invalid_credentials",
            OpeningError::LoginLocked => "login_locked",
            OpeningError::StepUpRequired { .. } => "step_up_required",
            OpeningError::TotpInvalid { .. } => "totp_invalid",
            OpeningError::TotpLocked { .. } => "totp_locked",
            OpeningError::Unauthorized => "unauthorized",
            OpeningError::NotFound => "not_found",
            OpeningError::IdentityMismatch { .. } => "identity_mismatch",
            OpeningError::RateLimited { .. } => "rate_limited",
            OpeningError::UnfreezeWaiting { .. } => "unfreeze_waiting",
            OpeningError::AccountClosed => "account_closed",
            OpeningError::PhoneCoolingOff { .. } => "phone_cooling_off",
            OpeningError::Store(_) => "storage_unavailable",
            OpeningError::Secrets(_) => "internal",
        }
    }
}

fn secrets_error(e: impl std::fmt::Display) -> OpeningError {
    OpeningError::Secrets(e.to_string())
}

/// What the opening use cases need besides storage.
#[derive(Clone)]
pub struct Opening {
    /// The keys and the clock every use case shares.
    pub ctx: Context,
    /// The operator's numbers.
    pub policy: OpeningPolicy,
}

/// A code was queued: it lives this long, and another may be asked for after this.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OtpSent {
    /// Seconds the code lives.
    pub expires_in_s: u64,
    /// Seconds until another may be asked for.
    pub resend_after_s: u64,
}

/// A new holder and their first session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedUp {
    /// The holder's id.
    pub user_id: String,
    /// The wallet's id.
    pub wallet_id: String,
    /// The bearer token (shown once; only its digest is stored).
    pub token: String,
    /// The session's id.
    pub session_id: String,
    /// The device id to send on later logins, so this device is not asked for a code.
    pub device_id: String,
}

/// A new session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedIn {
    /// The bearer token (shown once).
    pub token: String,
    /// The session's id.
    pub session_id: String,
    /// The device id to send next time.
    pub device_id: String,
}

/// Who a valid token belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authenticated {
    /// The holder.
    pub holder: HolderRecord,
    /// The session used.
    pub session_id: String,
    /// The device the session was opened on (risk control counts per device).
    pub device_id: String,
}

/// The SMS a code travels in.
fn code_text(purpose: Purpose, code: &str) -> String {
    let what = match purpose {
        Purpose::Signup => "开通钱包",
        Purpose::Login => "新设备登录",
        Purpose::ResetPassword => "重置登录密码",
        Purpose::ResetPin => "重置支付密码",
        Purpose::Unfreeze => "解冻钱包",
        Purpose::StepUp => "确认支付",
        Purpose::Freeze => "冻结钱包",
        Purpose::Close => "注销钱包",
    };
    format!(
        "【钱包】您正在{what}，验证码 {code}，5分钟内有效。工作人员不会向您索取验证码，切勿告诉他人。"
    )
}

use crate::throttle::seconds_until;

impl Opening {
    /// The keyed digest a code is stored as.
    pub(crate) fn code_digest(&self, phone: &Phone, purpose: Purpose, code: &str) -> String {
        blind_index(
            &self.ctx.keys,
            "otp",
            &format!("{}|{}|{code}", phone.as_e164(), purpose.as_str()),
        )
    }

    /// Sends a code to `phone` for `purpose`, within the per-phone and per-address limits.
    pub async fn request_otp(
        &self,
        store: &impl RecordStore,
        phone: &str,
        purpose: &str,
        client_ip: &str,
    ) -> Result<OtpSent, OpeningError> {
        let phone = Phone::parse(phone).map_err(|_| OpeningError::PhoneInvalid)?;
        let purpose = Purpose::parse(purpose).ok_or(OpeningError::PurposeInvalid)?;
        let code = new_numeric_code(self.ctx.random(), 6).map_err(secrets_error)?;
        let digest = self.code_digest(&phone, purpose, &code);
        let now = self.ctx.clock.now_ms();
        let policy = self.policy.clone();
        let client_ip = client_ip.to_string();
        let outcome = store
            .transact(move |r| {
                let e164 = phone.as_e164();
                let day = r.otp_sends_to_phone(e164, now - 24 * 3600 * 1000)?;
                if let Some(latest) = day.latest_ms
                    && now < latest + policy.otp_resend_ms
                {
                    return Ok(Err(seconds_until(now, latest + policy.otp_resend_ms)));
                }
                if day.count >= policy.otp_per_phone_daily_max {
                    let oldest = day.oldest_ms.unwrap_or(now);
                    return Ok(Err(seconds_until(now, oldest + 24 * 3600 * 1000)));
                }
                if let Some(max) = policy.otp_per_ip_hourly_max {
                    let hour = r.otp_sends_from_ip(&client_ip, now - 3600 * 1000)?;
                    if hour.count >= max {
                        let oldest = hour.oldest_ms.unwrap_or(now);
                        return Ok(Err(seconds_until(now, oldest + 3600 * 1000)));
                    }
                }
                r.put_otp(&OtpRecord {
                    phone: e164.to_string(),
                    purpose: purpose.as_str().to_string(),
                    code_digest: digest.clone(),
                    expires_ms: now + policy.otp_ttl_ms,
                    wrong_tries: 0,
                })?;
                r.record_otp_send(e164, &client_ip, now)?;
                let kept = policy.keep_codes_in_outbox.then_some(code.as_str());
                r.queue_sms(e164, &code_text(purpose, &code), kept, now)?;
                Ok(Ok(()))
            })
            .await?;
        match outcome {
            Ok(()) => Ok(OtpSent {
                expires_in_s: u64::try_from(self.policy.otp_ttl_ms / 1000).unwrap_or(0),
                resend_after_s: u64::try_from(self.policy.otp_resend_ms / 1000).unwrap_or(0),
            }),
            Err(retry_after_s) => Err(OpeningError::OtpRateLimited { retry_after_s }),
        }
    }

    /// Checks `code` against the live code for `phone` and `purpose` inside a transaction. A wrong
    /// code counts against the code's tries (and that count is kept even though the call fails);
    /// a right one is returned unconsumed, for the caller to delete once everything else succeeded.
    pub(crate) fn check_code(
        &self,
        r: &mut dyn Records,
        phone: &str,
        purpose: Purpose,
        digest: &str,
        now: i64,
    ) -> Result<Result<(), OpeningError>, StoreError> {
        let Some(otp) = r.otp(phone, purpose.as_str())? else {
            return Ok(Err(OpeningError::OtpInvalid {
                attempts_left: None,
            }));
        };
        if now >= otp.expires_ms {
            return Ok(Err(OpeningError::OtpExpired));
        }
        if otp.code_digest != digest {
            let left = self.use_up_try(r, otp)?;
            return Ok(Err(OpeningError::OtpInvalid {
                attempts_left: Some(left),
            }));
        }
        Ok(Ok(()))
    }

    /// Checks and uses up an SMS code of purpose `step_up` sent to the holder's phone: the
    /// fallback second factor for a risky payment. A wrong code counts against the code's tries
    /// (`otp_invalid` with `attempts_left`; the code dies with its last try), an old one is
    /// `otp_expired`; a right one works once.
    pub async fn check_step_up_otp(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        code: &str,
    ) -> Result<(), OpeningError> {
        let this = self.clone();
        let phone = holder.phone.clone();
        let code = Zeroizing::new(code.to_string());
        let now = self.ctx.clock.now_ms();
        store
            .transact(move |r| this.check_step_up_otp_in(r, &phone, &code, now))
            .await?
    }

    /// [`Opening::check_step_up_otp`] inside the caller's transaction, for the holder's phone
    /// (E.164, as stored). A wrong code's count is written before the refusal is returned:
    /// commit whatever the answer (return the refusal as a value inside `Ok`), or it is lost.
    pub fn check_step_up_otp_in(
        &self,
        r: &mut dyn Records,
        phone: &str,
        code: &str,
        now_ms: i64,
    ) -> Result<Result<(), OpeningError>, StoreError> {
        let Ok(parsed) = Phone::parse(phone) else {
            return Ok(Err(OpeningError::PhoneInvalid));
        };
        let digest = self.code_digest(&parsed, Purpose::StepUp, code.trim());
        let e164 = parsed.as_e164();
        if let Err(e) = self.check_code(r, e164, Purpose::StepUp, &digest, now_ms)? {
            return Ok(Err(e));
        }
        r.delete_otp(e164, Purpose::StepUp.as_str())?;
        Ok(Ok(()))
    }

    /// One wrong try against a live code (a wrong code, or a wrong answer given with it): the
    /// code dies with its last try. Returns the tries left.
    pub(crate) fn use_up_try(
        &self,
        r: &mut dyn Records,
        mut otp: OtpRecord,
    ) -> Result<u32, StoreError> {
        otp.wrong_tries += 1;
        let left = self.policy.otp_wrong_tries_max - otp.wrong_tries;
        if left <= 0 {
            r.delete_otp(&otp.phone, &otp.purpose)?;
        } else {
            r.put_otp(&otp)?;
        }
        Ok(u32::try_from(left.max(0)).unwrap_or(0))
    }

    /// Opens a wallet: phone, its sign-up code and a login password. Only success uses up the code.
    pub async fn sign_up(
        &self,
        store: &impl RecordStore,
        phone: &str,
        code: &str,
        password: &str,
        device_name: Option<&str>,
    ) -> Result<SignedUp, OpeningError> {
        let ids = self.ctx.ids.clone();
        let phone = Phone::parse(phone).map_err(|_| OpeningError::PhoneInvalid)?;
        let password = Password::parse(password, &phone)
            .map_err(|e| OpeningError::PasswordWeak(e.reason()))?;
        let password_hash = hash_off_workers(&self.ctx.random, password.expose()).await?;
        let (token, token_digest) = new_token(self.ctx.random()).map_err(secrets_error)?;
        let digest = self.code_digest(&phone, Purpose::Signup, code.trim());
        let restricted_key = blind_index(&self.ctx.keys, "phone", phone.as_e164());
        let now = self.ctx.clock.now_ms();
        let device_name = clean_device_name(device_name);
        let this = self.clone();
        let made = store
            .transact(move |r| {
                let e164 = phone.as_e164();
                if r.is_restricted("phone", &restricted_key)? {
                    return Ok(Err(OpeningError::AccountRestricted));
                }
                // Before the code: a sign-up that lost a race for the phone (its code used up by
                // the winner) is told the phone is taken, not that its code is wrong.
                if r.holder_by_phone(e164)?.is_some() {
                    return Ok(Err(OpeningError::PhoneTaken));
                }
                if let Err(e) = this.check_code(r, e164, Purpose::Signup, &digest, now)? {
                    return Ok(Err(e));
                }
                // After the code, so only the phone's owner learns that it had a wallet.
                if let Some(retry_after_s) = this.cooling_off(r, e164, now)? {
                    return Ok(Err(OpeningError::PhoneCoolingOff { retry_after_s }));
                }
                let holder = HolderRecord {
                    id: ids.record_id(),
                    wallet_id: ids.record_id(),
                    phone: e164.to_string(),
                    password_hash: password_hash.clone(),
                    status: HolderStatus::Active,
                    kyc_level: 0,
                    login_failures: 0,
                    login_locked: false,
                    created_ms: now,
                };
                r.insert_holder(&holder)?;
                r.delete_otp(e164, Purpose::Signup.as_str())?;
                let device_id = ids.record_id();
                r.remember_device(&holder.id, &device_id, now)?;
                let session = SessionRecord {
                    id: ids.record_id(),
                    token_digest: token_digest.clone(),
                    holder_id: holder.id.clone(),
                    device_id: device_id.clone(),
                    device_name: device_name.clone(),
                    created_ms: now,
                    last_seen_ms: now,
                };
                r.insert_session(&session)?;
                Ok(Ok((holder, session)))
            })
            .await;
        match made {
            Ok(Ok((holder, session))) => Ok(SignedUp {
                user_id: holder.id,
                wallet_id: holder.wallet_id,
                token,
                session_id: session.id,
                device_id: session.device_id,
            }),
            Ok(Err(e)) => Err(e),
            // Two sign-ups raced and the other inserted first.
            Err(StoreError::Duplicate(_)) => Err(OpeningError::PhoneTaken),
            Err(e) => Err(e.into()),
        }
    }

    /// Logs in with phone and password; from a device not seen before, an SMS code of purpose
    /// `login` is needed too, and once the holder has turned TOTP on, a TOTP code (`totp`),
    /// checked by `totp_guard`. Wrong passwords count toward the login lock, wrong TOTP codes
    /// toward the second factor's. Nothing about the second factors is told before the password
    /// is right.
    #[allow(clippy::too_many_arguments)]
    pub async fn log_in(
        &self,
        store: &impl RecordStore,
        phone: &str,
        password: &str,
        device_id: Option<&str>,
        device_name: Option<&str>,
        code: Option<&str>,
        totp: Option<&str>,
        totp_guard: &TotpGuard,
    ) -> Result<LoggedIn, OpeningError> {
        let ids = self.ctx.ids.clone();
        let phone = Phone::parse(phone).map_err(|_| OpeningError::PhoneInvalid)?;
        let e164 = phone.as_e164().to_string();
        let found = {
            let e164 = e164.clone();
            store.transact(move |r| r.holder_by_phone(&e164)).await?
        };
        let Some(holder) = found else {
            if self.closed_with(store, &e164, password).await? {
                return Err(OpeningError::AccountClosed);
            }
            return Err(self.no_wallet_answer(store, &e164, password).await);
        };
        if holder.login_locked {
            return Err(OpeningError::LoginLocked);
        }
        let password_ok = verify_off_workers(password, &holder.password_hash).await?;
        let (token, token_digest) = new_token(self.ctx.random()).map_err(secrets_error)?;
        let code_digest = code.map(|c| self.code_digest(&phone, Purpose::Login, c.trim()));
        let device_id = device_id
            .map(str::trim)
            .filter(|d| !d.is_empty() && d.len() <= 128)
            .map_or_else(|| ids.record_id(), str::to_string);
        let device_name = clean_device_name(device_name);
        let totp = totp.map(|t| Zeroizing::new(t.to_string()));
        let totp_guard = totp_guard.clone();
        let now = self.ctx.clock.now_ms();
        let this = self.clone();
        let holder_id = holder.id.clone();
        store
            .transact(move |r| {
                // Read again inside the transaction: the counters may have moved since.
                let Some(holder) = r.holder(&holder_id)? else {
                    return Ok(Err(OpeningError::InvalidCredentials {
                        attempts_left: None,
                    }));
                };
                if holder.login_locked {
                    return Ok(Err(OpeningError::LoginLocked));
                }
                // Closed between the look-up and now (its phone has moved aside): told as a
                // login by phone after the closing is told.
                if holder.status == HolderStatus::Closed {
                    return Ok(Err(if password_ok {
                        OpeningError::AccountClosed
                    } else {
                        OpeningError::InvalidCredentials {
                            attempts_left: None,
                        }
                    }));
                }
                if !password_ok {
                    let failures = holder.login_failures + 1;
                    let locked = failures >= this.policy.login_failures_max;
                    r.set_login_failures(&holder.id, failures, locked)?;
                    return Ok(Err(if locked {
                        OpeningError::LoginLocked
                    } else {
                        OpeningError::InvalidCredentials {
                            attempts_left: u32::try_from(this.policy.login_failures_max - failures)
                                .ok(),
                        }
                    }));
                }
                // The password is right: only now may the answer tell which factors are missing,
                // all of them at once, before any is checked (so none is used up for nothing).
                let new_device = !r.device_known(&holder.id, &device_id)?;
                let totp_on = totp_guard.enabled_in(r, &holder.id)?;
                let mut missing = Vec::new();
                if new_device && code_digest.is_none() {
                    missing.push("sms");
                }
                if totp_on && totp.is_none() {
                    missing.push("totp");
                }
                if !missing.is_empty() {
                    return Ok(Err(OpeningError::StepUpRequired { methods: missing }));
                }
                // The SMS code is checked first and consumed last: a wrong TOTP code after a right
                // SMS code leaves the SMS code for the next try.
                if new_device
                    && let Some(digest) = &code_digest
                    && let Err(e) =
                        this.check_code(r, &holder.phone, Purpose::Login, digest, now)?
                {
                    return Ok(Err(e));
                }
                if totp_on && let Some(totp) = &totp {
                    match totp_guard.check_in(r, &holder.id, totp, now)? {
                        Ok(()) => {}
                        Err(KycError::TotpLocked { retry_after_s }) => {
                            return Ok(Err(OpeningError::TotpLocked { retry_after_s }));
                        }
                        Err(KycError::TotpInvalid { attempts_left }) => {
                            return Ok(Err(OpeningError::TotpInvalid { attempts_left }));
                        }
                        Err(other) => return Ok(Err(secrets_error(other))),
                    }
                }
                if new_device {
                    r.delete_otp(&holder.phone, Purpose::Login.as_str())?;
                    r.remember_device(&holder.id, &device_id, now)?;
                    r.record_security_event(
                        crate::records::security_events::NEW_DEVICE_LOGIN,
                        &holder.id,
                        now,
                        now - crate::records::security_events::RISK_EVENTS_KEPT_MS,
                    )?;
                    crate::security_notices::notify(
                        r,
                        &holder.id,
                        &crate::security_notices::SecurityNotice::NewDevice {
                            device: (device_name != UNNAMED_DEVICE).then(|| device_name.clone()),
                        },
                        now,
                    )?;
                }
                if holder.login_failures != 0 {
                    r.set_login_failures(&holder.id, 0, false)?;
                }
                let session = SessionRecord {
                    id: ids.record_id(),
                    token_digest: token_digest.clone(),
                    holder_id: holder.id.clone(),
                    device_id: device_id.clone(),
                    device_name: device_name.clone(),
                    created_ms: now,
                    last_seen_ms: now,
                };
                r.insert_session(&session)?;
                Ok(Ok(session))
            })
            .await?
            .map(|session| LoggedIn {
                token,
                session_id: session.id,
                device_id: session.device_id,
            })
    }

    /// The holder and session a bearer token belongs to.
    pub async fn authenticate(
        &self,
        store: &impl RecordStore,
        token: &str,
    ) -> Result<Authenticated, OpeningError> {
        let digest = token_digest(token);
        let now = self.ctx.clock.now_ms();
        // Every request authenticates: a read that takes no write lock, so it never waits for a
        // payment's commit.
        let (found, last_seen_ms) = store
            .transact_read(move |r| {
                let Some(session) = r.session_by_token(&digest)? else {
                    return Ok((None, 0));
                };
                // A closed wallet's sessions end as it closes; its holder is refused all the same.
                let Some(holder) = r
                    .holder(&session.holder_id)?
                    .filter(|h| h.status != HolderStatus::Closed)
                else {
                    return Ok((None, 0));
                };
                Ok((
                    Some(Authenticated {
                        holder,
                        device_id: session.device_id,
                        session_id: session.id,
                    }),
                    session.last_seen_ms,
                ))
            })
            .await?;
        let found = found.ok_or(OpeningError::Unauthorized)?;
        // Record use at most once a minute: a write per request would cost every call. The write
        // goes with the next batch of the money writer rather than in a write transaction of its
        // own: on SQLite those would queue for the one write lock against the money writer (whose
        // busy handler then sleeps), and when a minute had passed for every holder at once, a
        // burst of them stalled every payment for up to two seconds.
        if now - last_seen_ms > 60_000 {
            let session_id = found.session_id.clone();
            store
                .transact_money(move |r| r.touch_session(&session_id, now))
                .await?;
        }
        Ok(found)
    }

    /// The holder's live sessions, newest first.
    pub async fn sessions(
        &self,
        store: &impl RecordStore,
        holder_id: &str,
    ) -> Result<Vec<SessionRecord>, OpeningError> {
        let holder_id = holder_id.to_string();
        Ok(store.transact(move |r| r.sessions_of(&holder_id)).await?)
    }

    /// Ends one of the holder's sessions; another holder's session id is `NotFound`.
    pub async fn end_session(
        &self,
        store: &impl RecordStore,
        holder_id: &str,
        session_id: &str,
    ) -> Result<(), OpeningError> {
        let (holder_id, session_id) = (holder_id.to_string(), session_id.to_string());
        let now = self.ctx.clock.now_ms();
        let ended = store
            .transact(move |r| r.end_session(&holder_id, &session_id, now))
            .await?;
        if ended {
            Ok(())
        } else {
            Err(OpeningError::NotFound)
        }
    }
}

/// An Argon2id hash of a fixed string, checked against when the phone has no wallet so that a
/// wrong phone costs as long as a wrong password. Made once, on first use (on a password thread).
/// Its salt comes from a fixed seed: it guards no password, and a fixed one keeps it out of the
/// randomness a simulation replays.
fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        hash_password(
            &SeededRandomness::new(0),
            "qianbao: no holder has this phone",
        )
        .unwrap_or_default()
    })
}

/// [`hash_password`] on a password thread.
pub(crate) async fn hash_off_workers(
    random: &Arc<dyn Randomness>,
    password: &str,
) -> Result<String, OpeningError> {
    let password = Zeroizing::new(password.to_string());
    let random = random.clone();
    password_work(move || hash_password(random.as_ref(), &password))
        .await?
        .map_err(secrets_error)
}

/// [`verify_password`] on a password thread.
pub(crate) async fn verify_off_workers(password: &str, phc: &str) -> Result<bool, OpeningError> {
    let password = Zeroizing::new(password.to_string());
    let phc = phc.to_string();
    password_work(move || verify_password(&password, &phc)).await
}

/// Checks `password` against the dummy hash and ignores the answer: the phone has no wallet, and
/// this costs what a real check does.
pub(crate) async fn dummy_verify_off_workers(password: &str) {
    let password = Zeroizing::new(password.to_string());
    let _ = password_work(move || verify_password(&password, dummy_hash())).await;
}

/// A piece of password work, queued for the password threads.
type PasswordJob = Box<dyn FnOnce() + Send>;

/// Runs `work` (Argon2id: 19 MiB and tens of milliseconds) on one of a few long-lived password
/// threads, one per core, and waits for it without blocking an async worker.
///
/// On the async workers a hash stalled every request queued behind it; and since malloc keeps a
/// freed 19 MiB block in the arena of the thread that used it, how many threads ever hash is what
/// bounds the memory. Here that is the number of password threads, each reusing its own block;
/// callers beyond that wait in the queue, which holds a closure each, not 19 MiB. Work whose caller
/// has gone (its request dropped) is skipped.
pub(crate) async fn password_work<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, OpeningError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job: PasswordJob = Box::new(move || {
        if tx.is_closed() {
            return;
        }
        // A panic loses only this answer (the caller sees an error), not the thread.
        if let Ok(out) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)) {
            let _ = tx.send(out);
        }
    });
    let stopped = || OpeningError::Secrets("password threads unavailable".into());
    password_queue().send(job).map_err(|_| stopped())?;
    rx.await.map_err(|_| stopped())
}

/// The queue the password threads take work from; they start on first use.
fn password_queue() -> &'static mpsc::Sender<PasswordJob> {
    static QUEUE: OnceLock<mpsc::Sender<PasswordJob>> = OnceLock::new();
    QUEUE.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<PasswordJob>();
        let rx = Arc::new(Mutex::new(rx));
        let threads = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        for i in 0..threads {
            let rx = Arc::clone(&rx);
            // If no thread starts, the receiver is dropped and every send reports the error.
            let _ = std::thread::Builder::new()
                .name(format!("password-{i}"))
                .spawn(move || {
                    // The lock is held only while waiting for a job, never while running one.
                    while let Some(job) = rx.lock().ok().and_then(|rx| rx.recv().ok()) {
                        job();
                    }
                });
        }
        tx
    })
}

/// What a device that gave no name is called in the sessions list.
const UNNAMED_DEVICE: &str = "未命名设备";

/// The device name as stored: trimmed, control characters removed, at most 64 characters.
fn clean_device_name(name: Option<&str>) -> String {
    let cleaned: String = name
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .take(64)
        .collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() {
        UNNAMED_DEVICE.to_string()
    } else {
        cleaned.to_string()
    }
}
