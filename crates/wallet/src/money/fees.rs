//! The fee schedule (operator configuration): what each movement costs, in whole fen, computed
//! with integers only. Every fee is a posting to the operator's fee-income account.

use qianbao_ledger::{Amount, PositiveAmount};

/// Basis points in one whole (100 %).
const BPS_WHOLE: i128 = 10_000;

/// The operator's fees. The defaults are SPEC §2's and the money issue's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeeSchedule {
    /// Top-up from a credit card, in basis points of the amount (default 10 = 0.1 %).
    pub credit_topup_bps: i64,
    /// Withdrawals free over a holder's whole life up to this much (default ¥1,000).
    pub withdrawal_free_minor: Amount,
    /// Withdrawal fee above the free quota, in basis points (default 10 = 0.1 %).
    pub withdrawal_bps: i64,
    /// The smallest withdrawal fee once one is charged (default ¥0.10).
    pub withdrawal_min_minor: Amount,
    /// The merchant discount rate taken from the merchant's side (default 60 = 0.6 %).
    pub merchant_bps: i64,
}

impl Default for FeeSchedule {
    fn default() -> Self {
        FeeSchedule {
            credit_topup_bps: 10,
            withdrawal_free_minor: Amount::from_minor(100_000),
            withdrawal_bps: 10,
            withdrawal_min_minor: Amount::from_minor(10),
            merchant_bps: 60,
        }
    }
}

/// `amount × bps / 10 000`, rounded half up to a whole fen.
pub fn share(amount: Amount, bps: i64) -> Amount {
    let product = i128::from(amount.minor()) * i128::from(bps);
    let rounded = (product + BPS_WHOLE / 2).div_euclid(BPS_WHOLE);
    Amount::from_minor(i64::try_from(rounded).unwrap_or(i64::MAX))
}

impl FeeSchedule {
    /// The fee on a top-up of `amount`: free from debit cards.
    pub fn topup(&self, amount: PositiveAmount, credit_card: bool) -> Amount {
        if credit_card {
            share(amount.amount(), self.credit_topup_bps)
        } else {
            Amount::ZERO
        }
    }

    /// The fee on withdrawing `amount` when `withdrawn_before` has been withdrawn over the
    /// holder's life: only the part above the free quota is charged, at least the minimum.
    pub fn withdrawal(&self, amount: PositiveAmount, withdrawn_before: Amount) -> Amount {
        let free_left = (self.withdrawal_free_minor.minor() - withdrawn_before.minor()).max(0);
        let charged = amount.minor() - free_left.min(amount.minor());
        if charged <= 0 {
            return Amount::ZERO;
        }
        share(Amount::from_minor(charged), self.withdrawal_bps).max(self.withdrawal_min_minor)
    }

    /// The merchant's fee on a payment of `amount`.
    pub fn merchant(&self, amount: PositiveAmount) -> Amount {
        share(amount.amount(), self.merchant_bps).min(amount.amount())
    }
}

/// The part of a payment's merchant fee given back with a refund: in proportion, rounded down,
/// and the whole remainder with the refund that completes it, so a fully refunded payment has
/// given back exactly its fee.
pub fn fee_back(
    fee: Amount,
    paid: Amount,
    refunded_before: Amount,
    fee_refunded_before: Amount,
    refund: PositiveAmount,
) -> Amount {
    let (fee, paid, refund) = (fee.minor(), paid.minor(), refund.minor());
    let fee_left = fee - fee_refunded_before.minor();
    if refunded_before.minor() + refund >= paid {
        return Amount::from_minor(fee_left);
    }
    let proportional = i128::from(fee) * i128::from(refund) / i128::from(paid.max(1));
    Amount::from_minor(
        i64::try_from(proportional)
            .unwrap_or(0)
            .min(fee_left)
            .max(0),
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(minor: i64) -> PositiveAmount {
        PositiveAmount::new(minor).unwrap()
    }

    fn a(minor: i64) -> Amount {
        Amount::from_minor(minor)
    }

    #[test]
    fn the_default_schedule_charges_what_the_issue_says() {
        let f = FeeSchedule::default();
        assert_eq!(f.topup(p(100_000), false), a(0), "debit top-ups are free");
        assert_eq!(f.topup(p(100_000), true), a(100), "0.1 % of ¥1,000 is ¥1");
        assert_eq!(f.topup(p(5), true), a(0), "0.005 fen rounds to nothing");
        assert_eq!(f.topup(p(500), true), a(1), "0.5 fen rounds half up");
        assert_eq!(
            f.withdrawal(p(100_000), a(0)),
            a(0),
            "the first ¥1,000 is free"
        );
        assert_eq!(
            f.withdrawal(p(100_100), a(0)),
            a(10),
            "¥1 over the quota costs the ¥0.10 minimum"
        );
        assert_eq!(
            f.withdrawal(p(200_000), a(100_000)),
            a(200),
            "0.1 % of ¥2,000 once the quota is used"
        );
        assert_eq!(
            f.withdrawal(p(50_000), a(80_000)),
            a(30),
            "only the ¥300 above the quota is charged"
        );
        assert_eq!(
            f.withdrawal(p(5_000), a(100_000)),
            a(10),
            "0.1 % of ¥50 is below the ¥0.10 minimum"
        );
        assert_eq!(
            f.merchant(p(1_800)),
            a(11),
            "0.6 % of ¥18 is 10.8 fen, rounded to 11"
        );
        assert_eq!(f.merchant(p(1)), a(0));
    }

    #[test]
    fn a_refund_in_parts_gives_back_exactly_the_fee() {
        let (fee, paid) = (a(11), a(1_800));
        let first = fee_back(fee, paid, a(0), a(0), p(600)).minor();
        let second = fee_back(fee, paid, a(600), a(first), p(600)).minor();
        let third = fee_back(fee, paid, a(1_200), a(first + second), p(600)).minor();
        assert_eq!((first, second), (3, 3));
        assert_eq!(first + second + third, 11);
    }

    proptest! {
        #[test]
        fn fees_are_never_negative_nor_above_the_amount(amount in 1i64..1_000_000_000_000, before in 0i64..1_000_000_000) {
            let f = FeeSchedule::default();
            prop_assert!((0..=amount).contains(&f.topup(p(amount), true).minor()));
            prop_assert!((0..=amount).contains(&f.merchant(p(amount)).minor()));
            let w = f.withdrawal(p(amount), a(before));
            prop_assert!(!w.is_negative());
            prop_assert!(w.is_zero() || w >= f.withdrawal_min_minor);
        }

        #[test]
        fn refunds_in_any_parts_give_back_the_fee_exactly_once(paid in 1i64..10_000_000, cuts in proptest::collection::vec(1i64..1_000_000, 1..8)) {
            let fee = FeeSchedule::default().merchant(p(paid));
            let (mut refunded, mut back) = (0, 0);
            for cut in cuts {
                let refund = cut.min(paid - refunded);
                if refund == 0 { break; }
                let b = fee_back(fee, a(paid), a(refunded), a(back), p(refund)).minor();
                prop_assert!(b >= 0 && b <= refund);
                refunded += refund;
                back += b;
                prop_assert!(back <= fee.minor());
            }
            if refunded == paid { prop_assert_eq!(back, fee.minor()); }
        }
    }
}
