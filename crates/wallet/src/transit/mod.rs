//! Transit ride codes (乘车码), docs/transit.md: a holder shows a signed, rotating QR; a gate
//! checks it offline; gates upload their taps; rides are paired and charged from the operator's
//! fare table under its daily cap, or owed until the next top-up.
//!
//! Pure: [`ride_code`] (the text), [`validator`] (the gate's check), [`fares`] (the table, the
//! cap), [`pairing`] (taps into rides). Use cases: [`riding`] (opening a code, the rides),
//! [`taps`] (an upload), [`lone_taps`] (the pass that charges taps whose pair never came),
//! [`fare_payment`] (a fare, owed fares), [`fare_tables`] (an operator's own table),
//! [`revocation`]. Rows: [`records`].

pub mod fare_payment;
pub mod fare_tables;
pub mod fares;
pub mod lone_taps;
pub mod pairing;
pub mod records;
pub mod revocation;
pub mod ride_code;
pub mod riding;
pub mod taps;
pub mod validator;

pub use records::TransitRecords;
