//! The operator console's API, `/v1/console/…`: staff sessions only (a holder's token or a
//! merchant's key answers 401), each call's permission checked by the use case it runs.

pub mod audit;
// Campaigns for a merchant: listed, launched, ended early.
pub mod campaigns;
pub mod closing;
pub mod commands;
// Exchange rates.
pub mod fx;
pub mod holder_actions;
pub mod holders;
pub mod kyc;
pub mod policy;
pub mod queues;
pub mod recon;
pub mod refunds;
pub mod session;
pub mod staff;
pub mod views;
