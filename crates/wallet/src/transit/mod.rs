//! Transit ride codes (乘车码), docs/transit.md: a holder shows a signed, rotating QR; a gate
//! checks it offline; gates upload their taps; rides are paired and charged from the operator's
//! fare table under its daily cap, or owed until the next top-up.
//!
//! Pure: [`ride_code`] (the text), [`validator`] (the gate's check), [`fares`] (the table, the
//! cap), [`pairing`] (taps into rides). Use cases: [`riding`] (opening a code, the rides),
//! [`taps`] (an upload), [`fare_payment`] (a fare, owed fares), [`revocation`]. Rows: [`records`].

pub mod fare_payment;
pub mod fares;
pub mod pairing;
pub mod records;
pub mod revocation;
pub mod ride_code;
pub mod riding;
pub mod taps;
pub mod validator;

pub use records::TransitRecords;
