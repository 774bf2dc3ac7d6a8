//! Closing lone taps: an entry whose exit never came (or an exit without its entry) is charged
//! the maximum fare once it is older than [`OPEN_RIDE_MS`] — by a pass every node runs, not only
//! when the same token's next taps arrive, which for a holder who never rides again is never.

use super::pairing::OPEN_RIDE_MS;
use super::taps::charge_open_taps;
use crate::money::{Money, MoneyError};
use crate::storage::RecordStore;

/// How many tokens one pass closes taps of.
const PASS_SIZE_MAX: i64 = 100;

impl Money {
    /// Charges the rides lone taps older than the pairing window make; answers how many tokens
    /// had some. Each token's taps close in their own money transaction, which pairs again what
    /// is open then, so two nodes passing at once charge a ride once.
    pub async fn close_lone_taps(&self, store: &impl RecordStore) -> Result<usize, MoneyError> {
        let ids = self.ctx.ids.clone();
        let now = self.now_ms();
        let stale = store
            .transact_read(move |r| r.stale_tap_tokens(now - OPEN_RIDE_MS, PASS_SIZE_MAX))
            .await?;
        let count = stale.len();
        for token in stale {
            let now = self.now_ms();
            let ids = ids.clone();
            self.run(store, move |r| {
                let Some(record) = r.ride_token(&token)? else {
                    return Ok(());
                };
                charge_open_taps(
                    r,
                    &ids,
                    &record.merchant_id,
                    &record.token,
                    &record.holder_id,
                    now,
                )
            })
            .await?;
        }
        Ok(count)
    }
}
