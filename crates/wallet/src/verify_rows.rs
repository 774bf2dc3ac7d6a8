//! The part of `qianbao verify` that reads the records the ledger does not hold: every stored
//! state must be one this build can name, and no stored amount may be below zero. The database
//! refuses such writes since migration 0011; rows written before it are found here, and the
//! server, which reads them as enums, reports them as damage instead of guessing.

use crate::domain::{BankKind, CardType};
use crate::money::records::{
    BreakKind, CaseStatus, Channel, ChargeStatus, Direction, IdempotencyState, MovementKind,
    MovementStatus, OrderStatus, RiskLabel, TimerKind,
};
use crate::records::{
    CardStatus, ClosingRequestStatus, CommandStatus, HolderStatus, KycReasonCode, KycReviewStatus,
    StaffStatus,
};
use crate::verify::VerifyReport;

/// A column whose values are names: its table, the column that identifies a row, the column,
/// and every value the code can read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedColumn {
    /// The table.
    pub table: &'static str,
    /// The column a problem names the row by.
    pub key: &'static str,
    /// The column of names.
    pub column: &'static str,
    /// The names this build reads.
    pub allowed: Vec<&'static str>,
}

/// A column of minor units that is never below zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AmountColumn {
    /// The table.
    pub table: &'static str,
    /// The column a problem names the row by.
    pub key: &'static str,
    /// The column of amounts.
    pub column: &'static str,
}

fn named(
    table: &'static str,
    key: &'static str,
    column: &'static str,
    allowed: Vec<&'static str>,
) -> NamedColumn {
    NamedColumn {
        table,
        key,
        column,
        allowed,
    }
}

/// Every column of names the records keep.
pub fn named_columns() -> Vec<NamedColumn> {
    let all = |v: &[&'static str]| v.to_vec();
    vec![
        named("movements", "id", "kind", MovementKind::names()),
        named("movements", "id", "direction", Direction::names()),
        named("movements", "id", "channel", Channel::names()),
        named("movements", "id", "status", MovementStatus::names()),
        // A card bought is the buyer's movement, never a shop's payment row: that channel is
        // not one a shop payment can have.
        named(
            "merchant_payments",
            "id",
            "channel",
            Channel::names()
                .into_iter()
                .filter(|c| *c != Channel::GiftCard.as_str())
                .collect(),
        ),
        named("holders", "id", "status", HolderStatus::names()),
        named("idempotency", "key", "state", IdempotencyState::names()),
        named("timers", "id", "kind", TimerKind::names()),
        named(
            "cards",
            "id",
            "card_type",
            all(&[CardType::Debit.as_str(), CardType::Credit.as_str()]),
        ),
        named("cards", "id", "status", CardStatus::names()),
        named("orders", "id", "status", OrderStatus::names()),
        named("pending_charges", "id", "status", ChargeStatus::names()),
        // Reconciliation.
        named(
            "bank_confirmations",
            "movement_id",
            "kind",
            BankKind::names(),
        ),
        named(
            "sandbox_bank_bookings",
            "reference",
            "kind",
            BankKind::names(),
        ),
        named("recon_cases", "id", "kind", BreakKind::names()),
        named("recon_cases", "id", "status", CaseStatus::names()),
        named("staff", "id", "status", StaffStatus::names()),
        named("console_commands", "id", "status", CommandStatus::names()),
        named("risk_labels", "movement_id", "label", RiskLabel::names()),
        // The KYC review queue.
        named("kyc_reviews", "id", "status", KycReviewStatus::names()),
        named("kyc_reviews", "id", "reason_code", KycReasonCode::names()),
        // Closing requests.
        named(
            "closing_requests",
            "id",
            "status",
            ClosingRequestStatus::names(),
        ),
        // Everyday life (issue 21) and rewards (issue 22).
        named(
            "red_packets",
            "id",
            "split",
            crate::red_packets::Split::names(),
        ),
        named(
            "red_packets",
            "id",
            "status",
            crate::red_packets::RedPacketStatus::names(),
        ),
        named(
            "bill_payments",
            "movement_id",
            "status",
            crate::bills::records::BillPaymentStatus::names(),
        ),
        named(
            "transit_ride_tokens",
            "token",
            "status",
            crate::transit::records::RideTokenStatus::names(),
        ),
        named(
            "transit_fare_tables",
            "merchant_id",
            "kind",
            crate::transit::fares::FareKind::names(),
        ),
        named(
            "transit_taps",
            "id",
            "direction",
            crate::transit::pairing::TapDirection::names(),
        ),
        named(
            "transit_rides",
            "id",
            "status",
            crate::transit::records::RideStatus::names(),
        ),
        named(
            "campaigns",
            "id",
            "kind",
            crate::rewards::CampaignKind::names(),
        ),
        named(
            "campaigns",
            "id",
            "status",
            crate::rewards::CampaignStatus::names(),
        ),
        named(
            "coupons",
            "id",
            "status",
            crate::rewards::CouponStatus::names(),
        ),
        // Points and gift cards.
        named(
            "points_history",
            "id",
            "kind",
            crate::points::PointsEvent::names(),
        ),
        named(
            "payment_parts",
            "payment_id",
            "source",
            crate::rewards::parts::PartSource::names(),
        ),
        named(
            "gift_cards",
            "id",
            "kind",
            crate::gift_cards::GiftCardKind::names(),
        ),
        named(
            "gift_cards",
            "id",
            "status",
            crate::gift_cards::GiftCardStatus::names(),
        ),
        named(
            "gift_cards",
            "id",
            "origin",
            crate::gift_cards::GiftCardOrigin::names(),
        ),
        named(
            "liability_snapshots",
            "id",
            "status",
            crate::proofs::liabilities::SnapshotStatus::names(),
        ),
    ]
}

/// Every column of amounts the records keep.
pub fn amount_columns() -> Vec<AmountColumn> {
    let amount = |table, key, column| AmountColumn { table, key, column };
    vec![
        amount("movements", "id", "amount"),
        amount("movements", "id", "fee"),
        amount("merchant_payments", "id", "amount"),
        amount("merchant_payments", "id", "fee"),
        amount("merchant_payments", "id", "refunded"),
        amount("merchant_payments", "id", "fee_refunded"),
        amount("merchant_refunds", "id", "amount"),
        amount("merchant_refunds", "id", "fee_back"),
        amount("orders", "id", "amount"),
        // Reconciliation.
        amount("bank_confirmations", "movement_id", "amount"),
        amount("sandbox_bank_bookings", "reference", "amount"),
        amount("recon_cases", "id", "bank_amount"),
        amount("recon_cases", "id", "our_amount"),
    ]
}

/// Adds a problem for each stored value the code cannot read: `(row key, value)` pairs a store
/// found in `column` outside its allowed names.
pub fn unreadable_names(
    report: &mut VerifyReport,
    column: &NamedColumn,
    found: &[(String, String)],
) {
    for (key, value) in found {
        report.problem(format!(
            "{} {key}: {} is {value:?}, which this qianbao cannot read",
            column.table, column.column
        ));
    }
}

/// Adds a problem for each amount below zero: `(row key, amount)` pairs a store found.
pub fn negative_amounts(report: &mut VerifyReport, column: &AmountColumn, found: &[(String, i64)]) {
    for (key, value) in found {
        report.problem(format!(
            "{} {key}: {} is {value}, below zero",
            column.table, column.column
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_unreadable_value_is_one_problem_naming_its_row() {
        let mut report = VerifyReport::default();
        let columns = named_columns();
        let status = columns
            .iter()
            .find(|c| c.table == "holders" && c.column == "status")
            .cloned();
        assert_eq!(
            status.as_ref().map(|c| c.allowed.clone()),
            Some(vec!["active", "frozen", "restricted", "closed"])
        );
        if let Some(status) = status {
            unreadable_names(&mut report, &status, &[("h1".into(), "gone".into())]);
        }
        negative_amounts(
            &mut report,
            &amount_columns()[0],
            &[("m1".into(), -5), ("m2".into(), -1)],
        );
        assert_eq!(report.problem_count, 3);
        assert!(report.problems[0].contains("holders h1: status is \"gone\""));
        assert!(report.problems[1].contains("movements m1: amount is -5"));
    }
}
