//! Transit's JSON (docs/transit.md): the ride code, the platform's public key, the revocation
//! list gates sync, a gate's tap upload and the holder's rides.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A ride code to show as a QR; a new one is needed by `expires_at` (60 s).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct RideCode {
    /// The QR's text: `QBR1.<fields>.<signature>` (docs/transit.md).
    pub payload: String,
    /// The payload as an SVG QR picture.
    pub qr_svg: String,
    /// When gates stop taking it (RFC 3339).
    pub expires_at: String,
}

/// `GET /v1/transit/public-key`: what a gate checks ride codes with; this JSON, saved to a file,
/// is what `qianbao transit validate --public-key FILE` reads.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct TransitPublicKey {
    /// Always `Ed25519`.
    pub algorithm: String,
    /// The 32-byte public key, 64 lowercase hex characters.
    pub public_key: String,
    /// The first 8 bytes of SHA-256 of the key, in hex: which key a gate holds.
    pub key_id: String,
}

/// `GET /v1/transit/revoked` (the operator's key): the ride tokens its gates must refuse. This
/// JSON, saved to a file, is what `qianbao transit validate --revoked FILE` reads.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct RevokedRideTokens {
    /// The operator.
    pub operator: String,
    /// Grows with every revocation: a gate whose list has this version is up to date.
    pub version: i64,
    /// When the list was made (RFC 3339).
    pub generated_at: String,
    /// The tokens, 32 hex characters each.
    pub revoked: Vec<String>,
}

/// One tap a gate saw.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TapLine {
    /// The ride code the gate read.
    pub payload: String,
    /// The station's code in the operator's fare table (`L1-03`).
    pub station: String,
    /// `in` or `out`.
    pub direction: String,
    /// When the gate read it (RFC 3339).
    pub at: String,
}

/// `POST /v1/transit/taps` (the operator's key): a batch of at most 1000 taps.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TapBatch {
    /// The taps, in any order.
    pub taps: Vec<TapLine>,
}

/// A line of a batch that was refused.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct RejectedTap {
    /// Its position in `taps`, from 0.
    pub index: usize,
    /// `malformed`, `bad_signature`, `expired`, `revoked`, `unknown_token`, `other_operator`,
    /// `unknown_station`, `future_time`, `time_invalid`, `direction_invalid` or `bus_exit` (an exit tap at
    /// a bus operator, whose fare is paid on boarding).
    pub reason: String,
}

/// What became of a batch: the good lines are kept, the bad ones listed.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct TapBatchResult {
    /// Lines kept (a tap sent before counts as kept, and is not charged again).
    pub accepted: usize,
    /// Lines refused, with why.
    pub rejected: Vec<RejectedTap>,
}

/// One ride in the holder's list.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct RideView {
    /// Its id (the fare's movement id).
    pub id: String,
    /// The operator's merchant id.
    pub operator: String,
    /// Where the holder got on, when a gate saw it.
    pub entry_station: Option<String>,
    /// When (RFC 3339).
    pub entry_at: Option<String>,
    /// Where the holder got off, when a gate saw it.
    pub exit_station: Option<String>,
    /// When (RFC 3339).
    pub exit_at: Option<String>,
    /// The fare before the daily cap, in fen.
    pub fare: i64,
    /// What is charged after the cap, in fen.
    pub charged: i64,
    /// `paid`, `owed` or `free`.
    pub status: String,
}

/// `GET /v1/me/rides`: the latest 50 rides and what is owed.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct RideList {
    /// Newest first.
    pub rides: Vec<RideView>,
    /// Owed fares, in fen: while above 0 the ride code is refused with `fare_owed`.
    pub owed: i64,
}

/// One station of a fare table.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct FareStation {
    /// The code gates send (`L1-01`): 1–16 printable ASCII characters, unique in the table.
    #[schema(min_length = 1, max_length = 16)]
    pub code: String,
    /// Its name, for the holder's records (1–40 characters).
    #[schema(min_length = 1, max_length = 40)]
    pub name: String,
    /// Its line (1–16 characters).
    #[schema(min_length = 1, max_length = 16)]
    pub line: String,
    /// Its position along the line: the stations travelled are the difference.
    pub index: i64,
}

/// `GET`/`PUT /v1/merchant/transit/fare-table`: how a transit operator prices rides, in fen.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct FareTableBody {
    /// `bus` (one flat fare, paid on boarding) or `metro` (by stations travelled).
    #[schema(pattern = r"^(bus|metro)$")]
    pub kind: String,
    /// Where the gates are (1–500).
    pub stations: Vec<FareStation>,
    /// A bus ride's fare.
    #[schema(minimum = 0, maximum = 100_000)]
    pub flat_fare: i64,
    /// The metro's fare up to `base_stations` stations.
    #[schema(minimum = 0, maximum = 100_000)]
    pub base_fare: i64,
    /// How many stations the base fare covers.
    #[schema(minimum = 0)]
    pub base_stations: i64,
    /// Each further `step_stations` stations (or part) add `step_fare`.
    #[schema(minimum = 1)]
    pub step_stations: i64,
    /// What each step adds.
    #[schema(minimum = 0, maximum = 100_000)]
    pub step_fare: i64,
    /// No ride costs more; a ride missing its entry or exit costs this.
    #[schema(minimum = 0, maximum = 100_000)]
    pub max_fare: i64,
    /// No holder pays the operator more in one China day.
    #[schema(minimum = 0, maximum = 100_000)]
    pub daily_cap: i64,
}

/// One transit operator a holder can open a ride code for (`GET /v1/transit/operators`).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct TransitOperator {
    /// Its merchant id: the `operator` of `GET /v1/me/ride-code`.
    pub id: String,
    /// Its name as riders see it.
    pub name: String,
}
