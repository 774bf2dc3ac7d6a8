//! Durable timers: work that comes due later (payouts, reconciliations, delayed transfers).

use crate::StoreError;

crate::named! {
    /// What a timer does when it comes due.
    pub enum TimerKind {
        /// Pays a withdrawal or settlement out at the bank.
        WithdrawalPayout = "withdrawal_payout",
        /// Asks the bank again about a top-up it did not answer in time.
        TopupReconcile = "topup_reconcile",
        /// Lets a delayed transfer arrive.
        TransferRelease = "transfer_release",
        /// Rejects a payment held for review that no reviewer decided in time.
        RiskHoldExpiry = "risk_hold_expiry",
        /// Lapses a payment-code charge its payer did not confirm in time.
        ChargeLapse = "charge_lapse",
        /// Returns what nobody claimed of a red packet to its sender (subject: the packet).
        RedPacketExpiry = "red_packet_expiry",
        /// Asks a biller again about a bill payment it did not confirm (subject: the movement).
        BillReconcile = "bill_reconcile",
        /// Pays a holder's saved bill on their auto-pay day (subject: the saved biller account).
        BillAutopay = "bill_autopay",
        /// Ends a campaign: unused coupons lapse and what its budget kept goes back to the
        /// merchant (subject: the campaign).
        CampaignEnd = "campaign_end",
        /// Expires a gift card: what it still holds goes to its shop (subject: the card).
        GiftCardExpiry = "gift_card_expiry",
    }
}

/// Work due later.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimerRecord {
    /// Its id.
    pub id: String,
    /// `withdrawal_payout`, `topup_reconcile` or `transfer_release`.
    pub kind: TimerKind,
    /// What it acts on (a movement id).
    pub subject: String,
    /// When it is due (ms).
    pub due_ms: i64,
    /// Tries so far.
    pub attempts: i64,
    /// When it was set (ms).
    pub created_ms: i64,
}

/// Timers, found when due.
pub trait TimerRecords {
    /// Sets a timer.
    fn insert_timer(&mut self, timer: &TimerRecord) -> Result<(), StoreError>;
    /// Timers due at `now_ms`, earliest first.
    fn due_timers(&mut self, now_ms: i64, limit: i64) -> Result<Vec<TimerRecord>, StoreError>;
    /// One timer.
    fn timer(&mut self, id: &str) -> Result<Option<TimerRecord>, StoreError>;
    /// Removes a timer (its work is done).
    fn delete_timer(&mut self, id: &str) -> Result<(), StoreError>;
    /// Moves a timer later, counting a try.
    fn reschedule_timer(&mut self, id: &str, due_ms: i64, attempts: i64) -> Result<(), StoreError>;
    /// The timers set for `subject`, earliest due first.
    fn timers_for(&mut self, subject: &str) -> Result<Vec<TimerRecord>, StoreError>;
}
