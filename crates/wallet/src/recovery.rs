//! The guards around getting back into a wallet, where an attacker holding the phone (and so its
//! SMS codes) guesses what only the owner knows.
//!
//! - A wrong identity answer (ID number, card number) given with a right code counts against that
//!   code's tries exactly as a wrong code does, and against the phone's recovery limit across
//!   codes, so a thief who knows the birth date and area cannot walk the 3-digit sequence.
//! - A wrong password for a phone without a wallet counts toward a lock as it would for a wallet,
//!   so `attempts_left` and `login_locked` do not tell which phones have wallets.
//! - Unfreezing soon after a password reset waits: the reset is what a thief does first.

use crate::StoreError;
use crate::money::records::{MoneyTx, NotificationRecord};
use crate::opening::{Opening, OpeningError, Purpose};
use crate::records::{HolderRecord, Records};
use crate::throttle::{Throttle, seconds_until};
use qianbao_secrets::field::blind_index;

const DAY_MS: i64 = 24 * 3600 * 1000;

/// Wrong identity answers during recovery, per phone (E.164).
const RECOVERY_WRONG: &str = "recovery_wrong";
/// Wrong passwords for a phone that has no wallet, per keyed digest of the phone.
const NO_WALLET_PASSWORD: &str = "no_wallet_password";
/// Password resets, per holder: what the unfreeze waiting period reads.
use crate::records::security_events::PASSWORD_RESET;

/// How long a phone without a wallet stays "locked" after its wrong passwords. A wallet's lock
/// lasts until recovery; this long is as good as for ever to a guesser, and lets rows expire.
const NO_WALLET_LOCK_MS: i64 = 30 * DAY_MS;

impl Opening {
    fn recovery_throttle(&self) -> Throttle {
        Throttle {
            scope: RECOVERY_WRONG,
            max: Some(self.policy.recovery_wrong_daily_max),
            window_ms: DAY_MS,
        }
    }

    /// Inside a recovery call's transaction, before its code is checked: refuses with
    /// `rate_limited` once the phone has given too many wrong identity answers today.
    pub(crate) fn recovery_allowed(
        &self,
        r: &mut dyn Records,
        phone: &str,
        now_ms: i64,
    ) -> Result<Result<(), OpeningError>, StoreError> {
        Ok(self
            .recovery_throttle()
            .check(r, phone, now_ms)?
            .map_err(|retry_after_s| OpeningError::RateLimited { retry_after_s }))
    }

    /// A wrong identity answer given with the right code for `purpose`: one of the code's tries is
    /// used up (the code dies with the last) and the phone's recovery limit counts it. Returns the
    /// refusal to answer with, which says how many tries are left on the code.
    pub(crate) fn wrong_identity_answer(
        &self,
        r: &mut dyn Records,
        phone: &str,
        purpose: Purpose,
        now_ms: i64,
    ) -> Result<OpeningError, StoreError> {
        self.recovery_throttle().record(r, phone, now_ms)?;
        let attempts_left = match r.otp(phone, purpose.as_str())? {
            Some(otp) => self.use_up_try(r, otp)?,
            None => 0,
        };
        Ok(OpeningError::IdentityMismatch {
            attempts_left: Some(attempts_left),
        })
    }

    fn no_wallet_throttle(&self) -> Throttle {
        Throttle {
            scope: NO_WALLET_PASSWORD,
            max: Some(self.policy.login_failures_max),
            window_ms: NO_WALLET_LOCK_MS,
        }
    }

    /// Whether a phone without a wallet looks locked, as a wallet's login would after as many
    /// wrong passwords.
    async fn no_wallet_locked(
        &self,
        store: &impl crate::storage::RecordStore,
        e164: &str,
    ) -> Result<bool, OpeningError> {
        let (throttle, subject) = (self.no_wallet_throttle(), self.phone_subject(e164));
        let now = self.ctx.clock.now_ms();
        Ok(store
            .transact(move |r| throttle.check(r, &subject, now))
            .await?
            .is_err())
    }

    /// A wrong password for a phone without a wallet: counted like a wallet's, and answered with
    /// the same error a wallet's login gives.
    async fn wrong_password_without_wallet(
        &self,
        store: &impl crate::storage::RecordStore,
        e164: &str,
    ) -> OpeningError {
        let (throttle, subject) = (self.no_wallet_throttle(), self.phone_subject(e164));
        let max = self.policy.login_failures_max;
        let now = self.ctx.clock.now_ms();
        let counted = store
            .transact(move |r| {
                throttle.record(r, &subject, now)?;
                r.security_events(throttle.scope, &subject, now - throttle.window_ms)
            })
            .await;
        match counted {
            Ok(window) if window.count >= max => OpeningError::LoginLocked,
            Ok(window) => OpeningError::InvalidCredentials {
                attempts_left: u32::try_from(max - window.count).ok(),
            },
            Err(e) => e.into(),
        }
    }

    /// The whole answer to a password for a phone without a wallet: as slow as a real check (so
    /// timing does not tell either), locked or counted down exactly as a wallet's login is.
    pub(crate) async fn no_wallet_answer(
        &self,
        store: &impl crate::storage::RecordStore,
        e164: &str,
        password: &str,
    ) -> OpeningError {
        match self.no_wallet_locked(store, e164).await {
            Ok(true) => return OpeningError::LoginLocked,
            Ok(false) => {}
            Err(e) => return e,
        }
        crate::opening::dummy_verify_off_workers(password).await;
        self.wrong_password_without_wallet(store, e164).await
    }

    /// The phone as a keyed digest: the events table never holds phones nobody registered.
    fn phone_subject(&self, e164: &str) -> String {
        blind_index(&self.ctx.keys, "phone", e164)
    }

    /// Notes a password reset, which starts the unfreeze waiting period.
    pub(crate) fn password_was_reset(
        &self,
        r: &mut dyn Records,
        holder_id: &str,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let wait = self.policy.unfreeze_after_reset_wait_ms;
        r.record_security_event(PASSWORD_RESET, holder_id, now_ms, now_ms - wait.max(DAY_MS))
    }

    /// Whether an unfreeze must still wait after a recent password reset: `Some(seconds)` until it
    /// may go through.
    pub(crate) fn unfreeze_wait(
        &self,
        r: &mut dyn Records,
        holder_id: &str,
        now_ms: i64,
    ) -> Result<Option<u64>, StoreError> {
        let wait = self.policy.unfreeze_after_reset_wait_ms;
        if wait <= 0 {
            return Ok(None);
        }
        let resets = r.security_events(PASSWORD_RESET, holder_id, now_ms - wait)?;
        Ok(resets
            .latest_ms
            .map(|reset_ms| seconds_until(now_ms, reset_ms + wait)))
    }

    /// Tells the owner, by SMS and in the inbox, that an unfreeze was asked for soon after a
    /// password reset and waits: if it was not them, the waiting period is theirs to call the
    /// operator in.
    pub(crate) fn unfreeze_delayed_notice(
        &self,
        r: &mut dyn MoneyTx,
        holder: &HolderRecord,
        retry_after_s: u64,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let hours = retry_after_s.div_ceil(3600);
        let title = "解冻申请已延后".to_owned();
        let body = format!(
            "登录密码刚被重置，为保护资金，钱包将在约{hours}小时后才能解冻。如非本人操作，请立即联系客服。"
        );
        r.queue_sms(
            &holder.phone,
            &format!("【钱包】{title}：{body}"),
            None,
            now_ms,
        )?;
        r.insert_notification(&NotificationRecord {
            id: 0,
            holder_id: holder.id.clone(),
            kind: "security".to_owned(),
            title,
            body,
            title_en: "Unfreezing is delayed".to_owned(),
            body_en: format!(
                "The login password was reset just now, so the wallet can be unfrozen in about \
                 {hours} h. If this was not you, call the operator's support at once."
            ),
            movement_id: None,
            created_ms: now_ms,
        })
    }
}
