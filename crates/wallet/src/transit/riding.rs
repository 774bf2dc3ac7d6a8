//! Opening a ride code: the holder's token for the operator (made on first use), the next
//! counter, and the platform's signature — refused while a fare is owed or the wallet is frozen.

use std::sync::Arc;

use qianbao_secrets::ride_signing::{RidePublicKey, RideSigner};

use super::records::{RideRecord, RideTokenRecord, RideTokenStatus};
use super::ride_code::{LIFETIME_S, RideFields, RideToken};
use crate::money::records::{MerchantRecord, MoneyTx};
use crate::money::{Money, MoneyError};
use crate::storage::RecordStore;

/// The merchant category of transit operators.
pub const TRANSIT_CATEGORY: &str = "transit";

/// A ride code to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedRideCode {
    /// The QR's text.
    pub payload: String,
    /// When a gate stops taking it (ms): the app shows a new one by then.
    pub expires_ms: i64,
}

/// The operator `merchant_id` names: an open merchant of category `transit`, else `not_found`.
pub(crate) fn transit_operator(
    r: &mut dyn MoneyTx,
    merchant_id: &str,
) -> Result<MerchantRecord, MoneyError> {
    r.merchant(merchant_id)?
        .filter(|m| m.status == "active" && m.category == TRANSIT_CATEGORY)
        .ok_or(MoneyError::NotFound)
}

impl Money {
    /// The platform's ride-code key, public half: what gates hold.
    pub fn ride_public_key(&self) -> RidePublicKey {
        RideSigner::from_ring(&self.ctx.keys).public_key()
    }

    /// A new ride code for the holder at the operator `merchant_id`.
    pub async fn ride_code(
        &self,
        store: &impl RecordStore,
        holder_id: &str,
        merchant_id: &str,
    ) -> Result<IssuedRideCode, MoneyError> {
        let signer = Arc::new(RideSigner::from_ring(&self.ctx.keys));
        let (holder_id, merchant_id) = (holder_id.to_string(), merchant_id.to_string());
        let now = self.now_ms();
        let ids = self.ctx.ids.clone();
        self.run(store, move |r| {
            let holder = crate::money::active_holder(r, &holder_id)?;
            transit_operator(r, &merchant_id)?;
            if !r.owed_rides(&holder.id)?.is_empty() {
                return Err(MoneyError::FareOwed);
            }
            let token = match r.active_ride_token(&holder.id, &merchant_id)? {
                Some(token) => token,
                None => {
                    let token = RideTokenRecord {
                        token: RideToken::new_random(&ids).to_hex(),
                        holder_id: holder.id.clone(),
                        merchant_id: merchant_id.clone(),
                        status: RideTokenStatus::Active,
                        last_counter: 0,
                        created_ms: now,
                        revoked_ms: None,
                    };
                    r.insert_ride_token(&token)?;
                    token
                }
            };
            let counter = token.last_counter.saturating_add(1);
            r.set_ride_counter(&token.token, counter)?;
            let issued_s = now.div_euclid(1000);
            let fields = RideFields {
                token: RideToken::parse_hex(&token.token)
                    .ok_or_else(|| MoneyError::Internal("a stored ride token is not hex".into()))?,
                issued_s,
                counter: u64::try_from(counter).unwrap_or(0),
            };
            Ok(IssuedRideCode {
                payload: fields.sign(&signer),
                expires_ms: (issued_s + LIFETIME_S) * 1000,
            })
        })
        .await
    }

    /// The transit operators a holder can open a ride code for (at most 100), oldest first: the
    /// app's list to pick from.
    pub async fn transit_operators(
        &self,
        store: &impl RecordStore,
    ) -> Result<Vec<MerchantRecord>, MoneyError> {
        Ok(store
            .transact_read(move |r| r.transit_operators(100))
            .await?)
    }

    /// The holder's latest rides (at most 50), newest first.
    pub async fn rides(
        &self,
        store: &impl RecordStore,
        holder_id: &str,
    ) -> Result<Vec<RideRecord>, MoneyError> {
        let holder_id = holder_id.to_string();
        Ok(store
            .transact_read(move |r| r.rides(&holder_id, 50))
            .await?)
    }
}
