//! The rows of transit: ride tokens, operators' fare tables, taps (each kept once) and rides
//! (paid, or owed until the next top-up).

use super::fares::FareTable;
use super::pairing::TapDirection;
use crate::StoreError;
use crate::money::records::MerchantRecord;
use qianbao_ledger::Amount;

crate::named! {
    /// Whether a gate may still let a ride token through.
    pub enum RideTokenStatus {
        /// In use.
        Active = "active",
        /// Revoked (a lost phone's freeze): on every gate's revocation list.
        Revoked = "revoked",
    }
}

crate::named! {
    /// Where a ride's fare stands.
    pub enum RideStatus {
        /// Debited from the holder's wallet.
        Paid = "paid",
        /// The balance could not pay it: owed, and the ride code stops until it is paid.
        Owed = "owed",
        /// Nothing to pay: the day's cap was reached.
        Free = "free",
    }
}

/// A holder's ride token for one operator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RideTokenRecord {
    /// The token, 32 hex characters.
    pub token: String,
    /// Whose.
    pub holder_id: String,
    /// The operator's merchant id.
    pub merchant_id: String,
    /// Active or revoked.
    pub status: RideTokenStatus,
    /// The counter of the last code issued for it.
    pub last_counter: i64,
    /// When it was made (ms).
    pub created_ms: i64,
    /// When it was revoked (ms).
    pub revoked_ms: Option<i64>,
}

/// One tap a gate uploaded, kept once per token, counter and direction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TapRecord {
    /// Its id (a UUID v7).
    pub id: String,
    /// The operator whose gate saw it.
    pub merchant_id: String,
    /// The ride token in the code.
    pub token: String,
    /// The code's counter.
    pub counter: i64,
    /// In or out.
    pub direction: TapDirection,
    /// The station's code.
    pub station: String,
    /// When the gate saw it (ms).
    pub at_ms: i64,
    /// The ride it ended up in, once paired.
    pub ride_id: Option<String>,
}

/// A ride and its fare.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RideRecord {
    /// Its id (a UUID v7): the fare's movement has the same id.
    pub id: String,
    /// The operator.
    pub merchant_id: String,
    /// The rider.
    pub holder_id: String,
    /// Where they got on, if a gate saw it.
    pub entry_station: Option<String>,
    /// When (ms).
    pub entry_ms: Option<i64>,
    /// Where they got off, if a gate saw it.
    pub exit_station: Option<String>,
    /// When (ms).
    pub exit_ms: Option<i64>,
    /// The China day it counts toward for the cap (the day's start, ms).
    pub day_ms: i64,
    /// The fare before the cap.
    pub fare: Amount,
    /// What is charged after the cap.
    pub charged: Amount,
    /// Paid, owed or free.
    pub status: RideStatus,
    /// When it was recorded (ms).
    pub created_ms: i64,
    /// When its fare was paid (ms).
    pub paid_ms: Option<i64>,
}

/// Ride tokens, fare tables, taps and rides.
pub trait TransitRecords {
    /// The holder's active token for an operator.
    fn active_ride_token(
        &mut self,
        holder_id: &str,
        merchant_id: &str,
    ) -> Result<Option<RideTokenRecord>, StoreError>;
    /// A token by its hex.
    fn ride_token(&mut self, token: &str) -> Result<Option<RideTokenRecord>, StoreError>;
    /// Stores a new token.
    fn insert_ride_token(&mut self, token: &RideTokenRecord) -> Result<(), StoreError>;
    /// Sets the counter of the last code issued for a token.
    fn set_ride_counter(&mut self, token: &str, counter: i64) -> Result<(), StoreError>;
    /// Revokes every active token of the holder; how many there were.
    fn revoke_ride_tokens(&mut self, holder_id: &str, at_ms: i64) -> Result<u64, StoreError>;
    /// The operator's revoked tokens, and those of holders no longer active (frozen, closed):
    /// what gates must refuse. At most `limit`, newest first.
    fn refused_ride_tokens(
        &mut self,
        merchant_id: &str,
        limit: i64,
    ) -> Result<Vec<RideTokenRecord>, StoreError>;
    /// The operator's own fare table, when it set one.
    fn fare_table(&mut self, merchant_id: &str) -> Result<Option<FareTable>, StoreError>;
    /// Keeps a tap; `false` when the same token, counter and direction was kept before.
    fn insert_tap(&mut self, tap: &TapRecord) -> Result<bool, StoreError>;
    /// Replaces the operator's fare table.
    fn put_fare_table(
        &mut self,
        merchant_id: &str,
        table: &FareTable,
        at_ms: i64,
    ) -> Result<(), StoreError>;
    /// The tokens with a tap not yet in a ride from before `before_ms`, at most `limit`.
    fn stale_tap_tokens(&mut self, before_ms: i64, limit: i64) -> Result<Vec<String>, StoreError>;
    /// A token's taps not yet in a ride.
    fn open_taps(&mut self, token: &str) -> Result<Vec<TapRecord>, StoreError>;
    /// Puts a tap in a ride.
    fn set_tap_ride(&mut self, tap_id: &str, ride_id: &str) -> Result<(), StoreError>;
    /// Stores a ride.
    fn insert_ride(&mut self, ride: &RideRecord) -> Result<(), StoreError>;
    /// What the operator charged the holder (paid or owed) for rides of the day starting `day_ms`.
    fn charged_on_day(
        &mut self,
        holder_id: &str,
        merchant_id: &str,
        day_ms: i64,
    ) -> Result<Amount, StoreError>;
    /// The holder's owed rides, oldest first.
    fn owed_rides(&mut self, holder_id: &str) -> Result<Vec<RideRecord>, StoreError>;
    /// Marks an owed ride paid.
    fn set_ride_paid(&mut self, ride_id: &str, at_ms: i64) -> Result<(), StoreError>;
    /// The holder's latest rides, newest first, at most `limit`.
    fn rides(&mut self, holder_id: &str, limit: i64) -> Result<Vec<RideRecord>, StoreError>;
    /// The active merchants of category `transit` (what a holder picks a ride code for), oldest
    /// first, at most `limit`.
    fn transit_operators(&mut self, limit: i64) -> Result<Vec<MerchantRecord>, StoreError>;
}
