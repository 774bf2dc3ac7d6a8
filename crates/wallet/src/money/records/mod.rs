//! The rows the money use cases read and write, one role trait per kind of row, and [`MoneyTx`]:
//! every money call runs as plain code over it inside one transaction that also applies its
//! ledger entry, so the balance, the records, the inbox, the outboxes and the idempotency row
//! commit together or not at all.

pub mod idempotency;
pub mod ledger;
pub mod merchant_payments;
pub mod merchants;
pub mod movements;
pub mod notifications;
pub mod orders;
pub mod payment_codes;
pub mod pending_charges;
pub mod risk;
pub mod settings;
pub mod timers;
pub mod webhooks;

// Reconciliation and the funding invariant.
pub mod funding;
pub mod recon;

pub use idempotency::{IdempotencyRecord, IdempotencyRecords, IdempotencyState};
pub use ledger::{LedgerRecords, ReadAhead};
pub use merchant_payments::{MerchantPaymentRecord, MerchantPaymentRecords, RefundRecord};
pub use merchants::{MerchantRecord, MerchantRecords};
pub use movements::{
    Channel, Direction, MovementFilter, MovementKind, MovementRecord, MovementRecords,
    MovementStatus,
};
pub use notifications::{NotificationRecord, NotificationRecords};
pub use orders::{OrderRecord, OrderRecords, OrderStatus};
pub use payment_codes::{PaymentCodeRecord, PaymentCodeRecords};
pub use pending_charges::{ChargeStatus, PendingChargeRecord, PendingChargeRecords};
pub use risk::{
    BlockProbe, BlockRecord, DecisionRecord, FeatureQuery, Gathered, RiskLabel, RiskLabelRecord,
    RiskRecords, SnoozeRecord,
};
pub use settings::SettingRecords;
pub use timers::{TimerKind, TimerRecord, TimerRecords};
pub use webhooks::{WebhookOutbox, WebhookRecord};

// Reconciliation and the funding invariant.
pub use funding::{FundingAlertRecord, FundingCheckRecord, FundingRecords, KindTotal};
pub use recon::{
    BankConfirmation, BreakKind, CaseRecord, CaseStatus, ImportRecord, ReconCounts, ReconRecords,
};

use crate::records::Records;

/// Every role in one transaction: what a money call needs.
pub trait MoneyTx:
    Records
    + LedgerRecords
    + IdempotencyRecords
    + MovementRecords
    + MerchantRecords
    + OrderRecords
    + MerchantPaymentRecords
    + PaymentCodeRecords
    + PendingChargeRecords
    + NotificationRecords
    + TimerRecords
    + WebhookOutbox
    + SettingRecords
    + RiskRecords
    // Reconciliation and the funding invariant.
    + ReconRecords
    + FundingRecords
    // Red packets and their claims.
    + crate::red_packets::RedPacketRecords
    // Campaigns and coupons.
    + crate::rewards::RewardRecords
    // Points and the parts of payments paid beside the wallet.
    + crate::points::PointsRecords
    + crate::rewards::parts::PartRecords
    // Gift and membership cards.
    + crate::gift_cards::GiftCardRecords
    + crate::transit::TransitRecords
    // Bill payment: look-ups, payments, saved billers.
    + crate::bills::BillRecords
    + crate::budgets::BudgetRecords
    // The journal log's proofs and checkpoints.
    + crate::proofs::ProofRecords
    // Liability snapshots.
    + crate::proofs::LiabilityRecords
{
}

impl<T> MoneyTx for T where
    T: Records
        + LedgerRecords
        + IdempotencyRecords
        + MovementRecords
        + MerchantRecords
        + OrderRecords
        + MerchantPaymentRecords
        + PaymentCodeRecords
        + PendingChargeRecords
        + NotificationRecords
        + TimerRecords
        + WebhookOutbox
        + SettingRecords
        + RiskRecords
        // Reconciliation and the funding invariant.
        + ReconRecords
        + FundingRecords
        + crate::red_packets::RedPacketRecords
        + crate::rewards::RewardRecords
        // Points and the parts of payments paid beside the wallet.
        + crate::points::PointsRecords
        + crate::rewards::parts::PartRecords
        + crate::gift_cards::GiftCardRecords
        + crate::transit::TransitRecords
        + crate::bills::BillRecords
        + crate::budgets::BudgetRecords
        + crate::proofs::ProofRecords
        + crate::proofs::LiabilityRecords
        + ?Sized
{
}
