//! The funding invariant, per currency: the operator's funding account — the bank clearing
//! account, the mirror of the operator's money at the banks, which top-ups debit and payouts
//! credit — holds exactly what the platform owes and keeps:
//!
//! ```text
//! −clearing = holders' available + merchants' available
//!           + in flight (reserved by pending holds, settlements on their way, suspense)
//!           + the operator's own (fee income, promotions budget, manual adjustments)
//! ```
//!
//! Pure, over balances summed by kind. The ledger keeps every entry balanced, so on sound books
//! this holds by construction; what breaks it is a balance changed outside the ledger (a hand
//! edit, a restore of one table, a bug that wrote around the writer) — which is why it is checked
//! every day and by `qianbao verify`, and why it is stated in the operator's words.

use crate::money::records::KindTotal;
use qianbao_ledger::{AccountKind, Currency};
use std::collections::BTreeMap;
use std::fmt;

/// One currency's funding position. Sums are `i128`: each is a sum of sums of `i64` balances,
/// and a check that could overflow would be no check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FundingPosition {
    /// The currency.
    pub currency: Currency,
    /// What the funding account says the operator holds at the banks (minus its balance).
    pub funding: i128,
    /// What holders may spend.
    pub holders: i128,
    /// What merchants may settle.
    pub merchants: i128,
    /// What is on its way: reserved by pending holds (payouts waiting for the bank, delayed
    /// transfers, payments under review), settlements in transit, money in suspense.
    pub in_flight: i128,
    /// The operator's own: fees earned, the promotions budget, and the adjustments account
    /// (negative by what staff corrections put into wallets).
    pub operator: i128,
}

impl FundingPosition {
    /// A currency with nothing counted yet.
    pub fn empty(currency: Currency) -> FundingPosition {
        FundingPosition {
            currency,
            funding: 0,
            holders: 0,
            merchants: 0,
            in_flight: 0,
            operator: 0,
        }
    }

    /// What the funding account should hold.
    pub fn owed(&self) -> i128 {
        self.holders + self.merchants + self.in_flight + self.operator
    }

    /// What it holds beyond that (negative: short).
    pub fn difference(&self) -> i128 {
        self.funding - self.owed()
    }

    /// Whether the invariant holds.
    pub fn holds(&self) -> bool {
        self.difference() == 0
    }
}

impl fmt::Display for FundingPosition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: the funding account holds {} but holders {} + merchants {} + in flight {} \
             + the operator's own {} = {} (off by {})",
            self.currency,
            self.funding,
            self.holders,
            self.merchants,
            self.in_flight,
            self.operator,
            self.owed(),
            self.difference()
        )
    }
}

/// The position of each currency in `totals`, in currency order.
pub fn positions(totals: &[KindTotal]) -> Vec<FundingPosition> {
    let mut by_currency: BTreeMap<Currency, FundingPosition> = BTreeMap::new();
    for t in totals {
        let p = by_currency
            .entry(t.currency)
            .or_insert_with(|| FundingPosition::empty(t.currency));
        let (balance, held) = (i128::from(t.balance.minor()), i128::from(t.held.minor()));
        // Every kind is named, so a new kind of account cannot be left out of the invariant
        // without the compiler asking where it belongs.
        match t.kind {
            AccountKind::BankClearing => p.funding -= balance,
            AccountKind::Wallet => {
                p.holders += balance - held;
                p.in_flight += held;
            }
            AccountKind::Merchant => {
                p.merchants += balance - held;
                p.in_flight += held;
            }
            // Red packets not yet claimed and bills not yet passed to their billers are owed
            // to someone, like a settlement on its way.
            AccountKind::MerchantSettlement
            | AccountKind::Suspense
            | AccountKind::RedPacketEscrow
            | AccountKind::BillPayable
            // A campaign's budget is the merchant's, set aside until coupons spend it.
            | AccountKind::CampaignFunds
            // The yuan behind outstanding points and a gift card's stored value are owed to
            // whoever spends them.
            | AccountKind::PointsReserve
            | AccountKind::GiftCard => p.in_flight += balance,
            // Points are no bank's money: a holder's points and the issued side cancel in
            // their own unit, so the points unit always holds.
            AccountKind::Points | AccountKind::PointsIssued => p.operator += balance,
            // A currency holders got by conversion is funded by the operator's FX position in
            // it (negative: paid out), not by a bank account; what holders sold sits there too.
            AccountKind::FeeIncome
            | AccountKind::Promotions
            | AccountKind::Adjustments
            | AccountKind::FxPosition
            | AccountKind::FxIncome => p.operator += balance,
        }
    }
    by_currency.into_values().collect()
}

/// The currencies whose funding account is off.
pub fn breaks(totals: &[KindTotal]) -> Vec<FundingPosition> {
    positions(totals)
        .into_iter()
        .filter(|p| !p.holds())
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use qianbao_ledger::Amount;

    fn total(kind: AccountKind, currency: &str, balance: i64, held: i64) -> KindTotal {
        KindTotal {
            kind,
            currency: Currency::parse(currency).unwrap(),
            balance: Amount::from_minor(balance),
            held: Amount::from_minor(held),
        }
    }

    /// Books after top-ups of 10,000 (fee 10), a pending withdrawal of 2,000 (fee 2), a payment
    /// of 3,000 to a merchant (fee 18), and a settlement of 1,000 held.
    fn sound() -> Vec<KindTotal> {
        vec![
            total(AccountKind::BankClearing, "CNY", -10_010, 0),
            total(AccountKind::Wallet, "CNY", 10_000 - 3_000, 2_002),
            total(AccountKind::Merchant, "CNY", 2_982, 1_000),
            total(AccountKind::FeeIncome, "CNY", 10 + 18, 0),
        ]
    }

    #[test]
    fn sound_books_hold_the_invariant_and_say_where_the_money_is() {
        let got = positions(&sound());
        assert_eq!(got.len(), 1);
        let p = got[0];
        assert!(p.holds(), "{p}");
        assert_eq!(
            (p.funding, p.holders, p.merchants, p.in_flight, p.operator),
            (10_010, 4_998, 1_982, 3_002, 28)
        );
        assert!(breaks(&sound()).is_empty());
    }

    #[test]
    fn a_balance_changed_outside_the_ledger_breaks_its_currency_only() {
        let mut totals = sound();
        totals[1].balance = Amount::from_minor(7_100);
        totals.push(total(AccountKind::BankClearing, "USD", -500, 0));
        totals.push(total(AccountKind::Wallet, "USD", 500, 0));
        let broken = breaks(&totals);
        assert_eq!(broken.len(), 1);
        assert_eq!(broken[0].currency, Currency::CNY);
        assert_eq!(broken[0].difference(), -100);
        let line = broken[0].to_string();
        assert!(
            line.starts_with("CNY: the funding account holds 10010 but")
                && line.ends_with("(off by -100)"),
            "{line}"
        );
    }

    #[test]
    fn every_kind_of_account_counts_somewhere() {
        let mut totals = vec![total(AccountKind::BankClearing, "CNY", -1_200, 0)];
        for (kind, balance) in [
            (AccountKind::Wallet, 100),
            (AccountKind::Merchant, 100),
            (AccountKind::FeeIncome, 100),
            (AccountKind::MerchantSettlement, 100),
            (AccountKind::Promotions, 100),
            (AccountKind::Suspense, 300),
            (AccountKind::Adjustments, -100),
            (AccountKind::FxPosition, -50),
            (AccountKind::FxIncome, 50),
            (AccountKind::RedPacketEscrow, 100),
            (AccountKind::BillPayable, 100),
            (AccountKind::CampaignFunds, 100),
            (AccountKind::Points, 100),
            (AccountKind::PointsIssued, -100),
            (AccountKind::PointsReserve, 100),
            (AccountKind::GiftCard, 100),
        ] {
            totals.push(total(kind, "CNY", balance, 0));
        }
        assert_eq!(AccountKind::ALL.len(), totals.len());
        assert!(breaks(&totals).is_empty());
    }

    #[test]
    fn dollars_got_by_conversion_are_funded_by_the_fx_position_not_a_bank() {
        // ¥100 of top-ups, ¥100 converted into US$13.97 (spread ¥0.50): no dollar bank account.
        let totals = vec![
            total(AccountKind::BankClearing, "CNY", -10_000, 0),
            total(AccountKind::FxPosition, "CNY", 9_950, 0),
            total(AccountKind::FxIncome, "CNY", 50, 0),
            total(AccountKind::Wallet, "USD", 1_397, 0),
            total(AccountKind::FxPosition, "USD", -1_397, 0),
        ];
        assert!(breaks(&totals).is_empty(), "{:?}", breaks(&totals));
        // Dollars in a wallet that no conversion paid out would be a break.
        let mut made_up = totals.clone();
        made_up[3].balance = Amount::from_minor(2_000);
        assert_eq!(breaks(&made_up).len(), 1);
    }

    #[test]
    fn a_staff_adjustment_moves_money_within_what_is_owed() {
        // A four-eyes credit of 500 to a wallet: the wallet up, the adjustments account down.
        let mut totals = sound();
        totals[1].balance = Amount::from_minor(7_500);
        totals.push(total(AccountKind::Adjustments, "CNY", -500, 0));
        assert!(breaks(&totals).is_empty());
    }

    #[test]
    fn sums_too_large_for_one_balance_are_still_counted() {
        let totals = vec![
            total(AccountKind::BankClearing, "CNY", i64::MIN, 0),
            total(AccountKind::Wallet, "CNY", i64::MAX, 0),
            total(AccountKind::Merchant, "CNY", 1, 0),
        ];
        assert!(breaks(&totals).is_empty());
    }
}
