//! The phone of a closed wallet: it opens no new wallet until the operator's cooling-off period
//! has passed, and a login with the closed wallet's own password is told the wallet is closed.

use crate::StoreError;
use crate::opening::{Opening, OpeningError, verify_off_workers};
use crate::records::{HolderStatus, Records};
use crate::storage::RecordStore;
use crate::throttle::seconds_until;

impl Opening {
    /// Seconds until `e164` may open a wallet, while a wallet it had was closed less than the
    /// cooling-off period ago; `None` when it may now.
    pub(crate) fn cooling_off(
        &self,
        r: &mut dyn Records,
        e164: &str,
        now_ms: i64,
    ) -> Result<Option<u64>, StoreError> {
        let cooling_off_ms = self.policy.closed_phone_cooling_off_ms;
        Ok(r.latest_closing(e164)?
            .map(|c| c.closed_ms.saturating_add(cooling_off_ms))
            .filter(|ends_ms| now_ms < *ends_ms)
            .map(|ends_ms| seconds_until(now_ms, ends_ms)))
    }

    /// Whether `password` is the login password of the wallet `e164` last had, now closed: only
    /// someone who knew it is told the wallet is closed, anyone else gets the answer for a phone
    /// without a wallet.
    pub(crate) async fn closed_with(
        &self,
        store: &impl RecordStore,
        e164: &str,
        password: &str,
    ) -> Result<bool, OpeningError> {
        let e164 = e164.to_string();
        let closed = store
            .transact(move |r| {
                let Some(closing) = r.latest_closing(&e164)? else {
                    return Ok(None);
                };
                Ok(r.holder(&closing.holder_id)?
                    .filter(|h| h.status == HolderStatus::Closed))
            })
            .await?;
        match closed {
            Some(holder) => verify_off_workers(password, &holder.password_hash).await,
            None => Ok(false),
        }
    }
}
