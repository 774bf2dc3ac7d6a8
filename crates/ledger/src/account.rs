//! Ledger accounts: a holder's or merchant's wallet in one currency, and the operator's own accounts.

use crate::{Amount, Currency};
use std::fmt;

/// The store-assigned number of an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AccountId(pub i64);

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What an account is for. The kind decides whether its balance may go below zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AccountKind {
    /// A holder's wallet balance: money the operator owes the holder.
    Wallet,
    /// A merchant's takings not yet settled to its bank.
    Merchant,
    /// The mirror of the operator's money at the banks: debited as top-ups arrive, so it runs negative.
    BankClearing,
    /// Fees the operator has earned.
    FeeIncome,
    /// Money on its way from merchant balances to merchants' banks.
    MerchantSettlement,
    /// The operator's budget for coupons, cashback and red-packet subsidies.
    Promotions,
    /// Money whose place is not yet known (a bank answer still being reconciled).
    Suspense,
    /// The other side of staff corrections: what the operator has put into or taken out of
    /// wallets by manual adjustment.
    Adjustments,
    /// The operator's position in one currency from conversions: what it took in and paid out at
    /// mid rates. Runs negative in a currency it paid out more of than it took in.
    FxPosition,
    /// The spread the operator earned on conversions, in the sell currency.
    FxIncome,
    /// Red packets sent and not yet claimed: the senders' money, owed to whoever claims a share
    /// or back to the sender when the packet expires.
    RedPacketEscrow,
    /// Bills paid by holders and owed to the billers until the operator passes the money on.
    BillPayable,
    /// A merchant's campaign budgets set aside from its takings: what coupons may still give,
    /// back to the merchant when the campaign ends.
    CampaignFunds,
    /// A holder's loyalty points (积分), in the points unit: what the operator owes them in
    /// points. Never negative.
    Points,
    /// The other side of every holder's points: minus the points outstanding, so the points unit
    /// sums to zero. Negative by design.
    PointsIssued,
    /// The yuan set aside behind outstanding points, one fen a point: paid to a shop when points
    /// are redeemed there, back to the funding shop when they expire. Never negative.
    PointsReserve,
    /// One gift or membership card's stored value (owned by the card): the shop's liability to
    /// whoever holds the card, kept apart from any wallet balance. Never negative.
    GiftCard,
}

impl AccountKind {
    /// Every kind, in a fixed order.
    pub const ALL: [AccountKind; 17] = [
        AccountKind::Wallet,
        AccountKind::Merchant,
        AccountKind::BankClearing,
        AccountKind::FeeIncome,
        AccountKind::MerchantSettlement,
        AccountKind::Promotions,
        AccountKind::Suspense,
        AccountKind::Adjustments,
        AccountKind::FxPosition,
        AccountKind::FxIncome,
        AccountKind::RedPacketEscrow,
        AccountKind::BillPayable,
        AccountKind::CampaignFunds,
        AccountKind::Points,
        AccountKind::PointsIssued,
        AccountKind::PointsReserve,
        AccountKind::GiftCard,
    ];

    /// Whether postings may take the balance below zero. Money owed to people and earned fees
    /// can never be negative; the operator's clearing and funding accounts mirror outside money
    /// and are negative by design.
    pub const fn may_go_negative(self) -> bool {
        !matches!(
            self,
            AccountKind::Wallet
                | AccountKind::Merchant
                | AccountKind::FeeIncome
                | AccountKind::FxIncome
                | AccountKind::RedPacketEscrow
                | AccountKind::BillPayable
                | AccountKind::CampaignFunds
                | AccountKind::Points
                | AccountKind::PointsReserve
                | AccountKind::GiftCard
        )
    }

    /// The stable name stored in the database.
    pub const fn as_str(self) -> &'static str {
        match self {
            AccountKind::Wallet => "wallet",
            AccountKind::Merchant => "merchant",
            AccountKind::BankClearing => "bank_clearing",
            AccountKind::FeeIncome => "fee_income",
            AccountKind::MerchantSettlement => "merchant_settlement",
            AccountKind::Promotions => "promotions",
            AccountKind::Suspense => "suspense",
            AccountKind::Adjustments => "adjustments",
            AccountKind::FxPosition => "fx_position",
            AccountKind::FxIncome => "fx_income",
            AccountKind::RedPacketEscrow => "red_packet_escrow",
            AccountKind::BillPayable => "bill_payable",
            AccountKind::CampaignFunds => "campaign_funds",
            AccountKind::Points => "points",
            AccountKind::PointsIssued => "points_issued",
            AccountKind::PointsReserve => "points_reserve",
            AccountKind::GiftCard => "gift_card",
        }
    }

    /// Reads a stored name back.
    pub fn parse(name: &str) -> Option<AccountKind> {
        AccountKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// One account's state: what it holds and how much of that is reserved by pending holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// Its number.
    pub id: AccountId,
    /// What it is for.
    pub kind: AccountKind,
    /// The one currency it holds.
    pub currency: Currency,
    /// The sum of every posting to it.
    pub balance: Amount,
    /// How much of the balance pending holds have reserved.
    pub held: Amount,
}

impl Account {
    /// A new, empty account.
    pub fn open(id: AccountId, kind: AccountKind, currency: Currency) -> Self {
        Account {
            id,
            kind,
            currency,
            balance: Amount::ZERO,
            held: Amount::ZERO,
        }
    }

    /// What may still be spent: the balance less what holds reserve.
    pub fn available(&self) -> Amount {
        // balance and held are both bounded by the checks in Book, so this cannot overflow.
        Amount::from_minor(self.balance.minor().saturating_sub(self.held.minor()))
    }
}
