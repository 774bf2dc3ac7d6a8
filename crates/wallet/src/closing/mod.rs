//! Closing a wallet (注销): only with nothing left in it and nothing on its way — no balance, no
//! hold, no delayed transfer, no top-up waiting for the bank, no shop of the holder's with
//! takings, a settlement on its way or an open order — and otherwise a list of exactly what
//! blocks it. The records stay; the phone may open a new wallet after the operator's
//! cooling-off period.
//!
//! - `blockers.rs`: what blocks, decided from a picture of the wallet's money (pure).
//! - `close.rs`: the use case, one money transaction that decides and closes.
//! - `request.rs`: asking staff to close with the balance swept to a card.
//! - `phone.rs`: the closed wallet's phone at sign-up (cooling-off) and at login.
//! - `error.rs`: [`ClosingError`].

mod blockers;
mod close;
mod error;
mod phone;
mod request;

pub use crate::records::closing::released;
pub use blockers::{Balance, Blocker, BlockerKind, Shop, Standing, Waiting, blockers};
pub use close::CloseProof;
pub(crate) use close::{close, standing};

pub use error::ClosingError;
pub use request::CloseAsked;
