//! A shop's own refund password (退款密码): six digits the owner chooses, asked by the till before
//! money goes back to a payer. The till is a shop's counter, where a cashier who is not the owner
//! may be signed in; the password keeps a refund from being one click there.
//!
//! The API key stays the credential for integrators: their refunds need no password unless they
//! send one, and one that is sent is checked. Only the till's browser session must send it
//! (the server's refund route decides which, from how the merchant authenticated).
//!
//! It is kept like the payment password: a keyed digest (never the digits) with a count of wrong
//! tries and a lock after the last allowed one, with the same numbers as the PIN's.

use super::records::MerchantRecord;
use super::{Money, MoneyError};
use crate::domain::{Pin, PinContext, PinError};
use crate::records::RefundPasswordRecord;
use crate::storage::RecordStore;
use qianbao_secrets::pin::{pin_digest, pin_matches};

/// Why a refund password was not accepted, or not set. Each has its stable API code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefundPasswordError {
    /// Not exactly six digits.
    #[error("refund_password_invalid")]
    Invalid,
    /// Too easy to guess (111111, 123456, …): names why.
    #[error("refund_password_weak")]
    Weak(&'static str),
    /// Wrong; this many tries are left before the till's refunds lock.
    #[error("refund_password_incorrect")]
    Incorrect {
        /// Tries left.
        attempts_left: u32,
    },
    /// Too many wrong tries: the till's refunds are locked for this long.
    #[error("refund_password_locked")]
    Locked {
        /// Seconds until the lock ends.
        retry_after_s: u64,
    },
    /// The till asked for a refund without the password.
    #[error("refund_password_required")]
    Required,
    /// The shop has no refund password yet: set one first (with the owner's payment password).
    #[error("refund_password_not_set")]
    NotSet,
}

impl RefundPasswordError {
    /// The API's code.
    pub fn code(&self) -> &'static str {
        match self {
            RefundPasswordError::Invalid => "refund_password_invalid",
            RefundPasswordError::Weak(_) => "refund_password_weak",
            RefundPasswordError::Incorrect { .. } => "refund_password_incorrect",
            RefundPasswordError::Locked { .. } => "refund_password_locked",
            RefundPasswordError::Required => "refund_password_required",
            RefundPasswordError::NotSet => "refund_password_not_set",
        }
    }
}

impl From<RefundPasswordError> for MoneyError {
    fn from(e: RefundPasswordError) -> Self {
        MoneyError::RefundPassword(e)
    }
}

/// What proves the right to set or change a shop's refund password.
#[derive(Clone, Copy, Debug)]
pub enum RefundPasswordProof<'a> {
    /// The shop's current refund password (counts toward its lock).
    Current(&'a str),
    /// The owner's payment password (counts toward the PIN's lock): the way to set a first one
    /// after opening, or to replace a forgotten one.
    OwnerPin(&'a str),
}

/// The subject a refund password's digest is bound to: the merchant's id under a prefix of its
/// own, so it can never equal a holder's PIN digest even if the two ids were to meet.
fn subject(merchant_id: &str) -> String {
    format!("refund-password:{merchant_id}")
}

/// Checks a new refund password: six digits, not one of the easy ones. The shop has no birth
/// date or ID number of its own to compare with, so only the generic rules apply.
pub fn parse_refund_password(text: &str) -> Result<Pin, RefundPasswordError> {
    let pin = Pin::parse(text).map_err(|_| RefundPasswordError::Invalid)?;
    pin.check_strength(&PinContext::default())
        .map_err(|e| match e {
            PinError::Weak(w) => RefundPasswordError::Weak(w.as_str()),
            _ => RefundPasswordError::Invalid,
        })?;
    Ok(pin)
}

impl Money {
    /// The record to keep for `merchant_id`'s new password, unlocked.
    pub(crate) fn refund_password_record(
        &self,
        merchant_id: &str,
        password: &Pin,
    ) -> RefundPasswordRecord {
        RefundPasswordRecord {
            merchant_id: merchant_id.to_string(),
            digest: pin_digest(&self.ctx.keys, &subject(merchant_id), password.expose()),
            failures: 0,
            locked_until_ms: None,
            set_ms: self.now_ms(),
        }
    }

    /// Whether the shop has a refund password (a read: no write lock).
    pub async fn refund_password_set(
        &self,
        store: &impl RecordStore,
        merchant_id: &str,
    ) -> Result<bool, MoneyError> {
        let merchant_id = merchant_id.to_string();
        Ok(store
            .transact_read(move |r| Ok(r.refund_password(&merchant_id)?.is_some()))
            .await?)
    }

    /// Sets or changes the shop's refund password, proven by the current one or the owner's PIN.
    pub async fn set_refund_password(
        &self,
        store: &impl RecordStore,
        merchant: &MerchantRecord,
        new_password: &str,
        proof: RefundPasswordProof<'_>,
    ) -> Result<(), MoneyError> {
        let new = parse_refund_password(new_password)?;
        match proof {
            RefundPasswordProof::Current(current) => {
                self.check_refund_password(store, &merchant.id, Some(current), true)
                    .await?;
            }
            RefundPasswordProof::OwnerPin(pin) => {
                self.check_pin(store, &merchant.holder_id, pin).await?;
            }
        }
        let record = self.refund_password_record(&merchant.id, &new);
        store
            .transact(move |r| r.put_refund_password(&record))
            .await?;
        Ok(())
    }

    /// Checks a refund's password. `None` passes only when `required` is false (an integrator
    /// calling with the API key); a password that is sent is always checked. A wrong one counts
    /// toward the lock, the last allowed one locks the shop's refunds by password for the PIN's
    /// lock time; a right one clears the count.
    pub async fn check_refund_password(
        &self,
        store: &impl RecordStore,
        merchant_id: &str,
        password: Option<&str>,
        required: bool,
    ) -> Result<(), MoneyError> {
        let Some(password) = password else {
            if !required {
                return Ok(());
            }
            return Err(if self.refund_password_set(store, merchant_id).await? {
                RefundPasswordError::Required
            } else {
                RefundPasswordError::NotSet
            }
            .into());
        };
        let merchant_id = merchant_id.to_string();
        let subject = subject(&merchant_id);
        let keys = self.ctx.keys.clone();
        let now = self.now_ms();
        let (tries_max, lock_ms) = (self.kyc.pin_tries_max, self.kyc.pin_lock_ms);
        let password = password.to_string();
        let outcome = store
            .transact(move |r| {
                let Some(mut record) = r.refund_password(&merchant_id)? else {
                    return Ok(Err(RefundPasswordError::NotSet));
                };
                if let Some(until) = record.locked_until_ms {
                    if now < until {
                        return Ok(Err(RefundPasswordError::Locked {
                            retry_after_s: u64::try_from((until - now + 999) / 1000).unwrap_or(1),
                        }));
                    }
                    record.locked_until_ms = None;
                    record.failures = 0;
                }
                if pin_matches(&keys, &subject, &password, &record.digest) {
                    if record.failures != 0 {
                        record.failures = 0;
                        r.put_refund_password(&record)?;
                    }
                    return Ok(Ok(()));
                }
                record.failures += 1;
                let left = tries_max - record.failures;
                let error = if left <= 0 {
                    record.locked_until_ms = Some(now + lock_ms);
                    RefundPasswordError::Locked {
                        retry_after_s: u64::try_from(lock_ms / 1000).unwrap_or(0),
                    }
                } else {
                    RefundPasswordError::Incorrect {
                        attempts_left: u32::try_from(left).unwrap_or(0),
                    }
                };
                r.put_refund_password(&record)?;
                Ok(Err(error))
            })
            .await?;
        outcome.map_err(MoneyError::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_refund_password_is_six_digits_and_not_an_easy_one() {
        assert!(parse_refund_password("480317").is_ok());
        for bad in ["", "12345", "1234567", "12a456"] {
            assert_eq!(
                parse_refund_password(bad).err(),
                Some(RefundPasswordError::Invalid),
                "{bad:?}"
            );
        }
        for weak in ["111111", "123456", "654321"] {
            assert!(
                matches!(
                    parse_refund_password(weak),
                    Err(RefundPasswordError::Weak(_))
                ),
                "{weak:?}"
            );
        }
    }

    #[test]
    fn codes_are_stable() {
        assert_eq!(
            RefundPasswordError::Incorrect { attempts_left: 2 }.code(),
            "refund_password_incorrect"
        );
        assert_eq!(
            RefundPasswordError::Required.code(),
            "refund_password_required"
        );
    }
}
