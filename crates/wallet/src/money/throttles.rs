//! The money side's limits on guessing: payee look-ups, which name who has a wallet, and wrong
//! payment codes, which a till could send at random hoping to hit a live one. Both are counted in
//! the database (see [`crate::throttle`]), in a small transaction of their own.

use super::{Money, MoneyError};
use crate::storage::RecordStore;
use crate::throttle::Throttle;

const HOUR_MS: i64 = 3600 * 1000;

impl Money {
    /// Counts one payee look-up by `holder_id` from `client_ip`; `rate_limited` once either has
    /// made its hour's allowance (the refused look-up is not counted).
    pub(crate) async fn count_payee_lookup(
        &self,
        store: &impl RecordStore,
        holder_id: &str,
        client_ip: &str,
    ) -> Result<(), MoneyError> {
        let by_holder = Throttle {
            scope: "payee_lookup_holder",
            max: self.policy.payee_lookups_per_holder_hourly_max,
            window_ms: HOUR_MS,
        };
        let by_address = Throttle {
            scope: "payee_lookup_address",
            max: self.policy.payee_lookups_per_ip_hourly_max,
            window_ms: HOUR_MS,
        };
        if by_holder.max.is_none() && by_address.max.is_none() {
            return Ok(());
        }
        let (holder_id, client_ip) = (holder_id.to_owned(), client_ip.to_owned());
        let now = self.now_ms();
        store
            .transact(move |r| {
                if let Err(wait) = by_holder.check(r, &holder_id, now)? {
                    return Ok(Err(wait));
                }
                if let Err(wait) = by_address.check(r, &client_ip, now)? {
                    return Ok(Err(wait));
                }
                if by_holder.max.is_some() {
                    by_holder.record(r, &holder_id, now)?;
                }
                if by_address.max.is_some() {
                    by_address.record(r, &client_ip, now)?;
                }
                Ok(Ok(()))
            })
            .await?
            .map_err(|retry_after_s| MoneyError::RateLimited { retry_after_s })
    }

    fn wrong_code_throttle(&self) -> Throttle {
        Throttle {
            scope: "wrong_payment_code",
            max: self.policy.wrong_payment_codes_per_minute_max,
            window_ms: 60 * 1000,
        }
    }

    /// Before a merchant's charge: `rate_limited` while its wrong codes of the last minute are at
    /// the limit. A read.
    pub(crate) async fn payment_codes_allowed(
        &self,
        store: &impl RecordStore,
        merchant_id: &str,
    ) -> Result<(), MoneyError> {
        let throttle = self.wrong_code_throttle();
        if throttle.max.is_none() {
            return Ok(());
        }
        let merchant_id = merchant_id.to_owned();
        let now = self.now_ms();
        store
            .transact_read(move |r| throttle.check(r, &merchant_id, now))
            .await?
            .map_err(|retry_after_s| MoneyError::RateLimited { retry_after_s })
    }

    /// After a merchant's charge was refused for its code: counts it, then hands the refusal
    /// back. Other refusals pass through uncounted.
    pub(crate) async fn count_wrong_code<T>(
        &self,
        store: &impl RecordStore,
        merchant_id: &str,
        outcome: Result<T, MoneyError>,
    ) -> Result<T, MoneyError> {
        let wrong = matches!(
            outcome,
            Err(MoneyError::PaymentCodeInvalid | MoneyError::PaymentCodeExpired)
        );
        let throttle = self.wrong_code_throttle();
        if wrong && throttle.max.is_some() {
            let merchant_id = merchant_id.to_owned();
            let now = self.now_ms();
            store
                .transact(move |r| throttle.record(r, &merchant_id, now))
                .await?;
        }
        outcome
    }
}
