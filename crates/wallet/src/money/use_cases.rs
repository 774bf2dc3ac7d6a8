//! `Money`: what the money use cases share besides storage — the context, the payment
//! password's check and the bank, the levels, the fees and the policy. Its methods live with the
//! use cases they are (`moves.rs`, `merchant.rs`, `timers.rs`, …).

use super::fees::FeeSchedule;
use super::policy::MoneyPolicy;
use crate::context::Context;
use crate::kyc::Kyc;
use crate::levels::LevelTable;
use std::sync::Arc;

/// What the money use cases need besides storage.
#[derive(Clone)]
pub struct Money {
    /// The keys and the clock every use case shares.
    pub ctx: Context,
    /// The payment password's check, and the bank.
    pub kyc: Kyc,
    /// The limits of each level.
    pub levels: Arc<LevelTable>,
    /// The fee schedule.
    pub fees: FeeSchedule,
    /// The other numbers.
    pub policy: MoneyPolicy,
    /// The billers, where bills are looked up and paid.
    pub billers: Arc<dyn crate::bills::Billers>,
}
