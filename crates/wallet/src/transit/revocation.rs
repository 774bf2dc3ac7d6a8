//! Revoking ride tokens (a lost phone's freeze) and the list gates sync: a gate refuses a code
//! whose token is on it, with no network at the moment of the tap.

use super::records::RideTokenRecord;
use super::riding::transit_operator;
use crate::StoreError;
use crate::money::records::MerchantRecord;
use crate::money::{Money, MoneyError};
use crate::storage::RecordStore;

/// Most tokens one list carries (newest first): a bound on the answer, far above what a city's
/// lost phones make between two syncs.
pub const REVOKED_LIST_MAX: i64 = 100_000;

/// Revokes every ride token of the holder at once: the freeze's hook.
pub async fn revoke_ride_tokens(
    store: &impl RecordStore,
    holder_id: &str,
    now_ms: i64,
) -> Result<(), StoreError> {
    let holder_id = holder_id.to_string();
    store
        .transact_money(move |r| r.revoke_ride_tokens(&holder_id, now_ms).map(|_| ()))
        .await
}

impl Money {
    /// The tokens the operator's gates must refuse: revoked ones, and those of holders frozen or
    /// closed by any path (a staff freeze too).
    pub async fn refused_ride_tokens(
        &self,
        store: &impl RecordStore,
        operator: &MerchantRecord,
    ) -> Result<Vec<RideTokenRecord>, MoneyError> {
        let operator_id = operator.id.clone();
        self.run(store, move |r| {
            transit_operator(r, &operator_id)?;
            Ok(r.refused_ride_tokens(&operator_id, REVOKED_LIST_MAX)?)
        })
        .await
    }
}
