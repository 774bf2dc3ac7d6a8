//! The fee schedule (operator configuration): what each movement costs, in whole fen, computed
//! with integers only. Every fee is a posting to the operator's fee-income account.

/// Basis points in one whole (100 %).
const BPS_WHOLE: i128 = 10_000;

/// The operator's fees. The defaults are SPEC §2's and the money issue's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeeSchedule {
    /// Top-up from a credit card, in basis points of the amount (default 10 = 0.1 %).
    pub credit_topup_bps: i64,
    /// Withdrawals free over a holder's whole life up to this much (default ¥1,000).
    pub withdrawal_free_minor: i64,
    /// Withdrawal fee above the free quota, in basis points (default 10 = 0.1 %).
    pub withdrawal_bps: i64,
    /// The smallest withdrawal fee once one is charged (default ¥0.10).
    pub withdrawal_min_minor: i64,
    /// The merchant discount rate taken from the merchant's side (default 60 = 0.6 %).
    pub merchant_bps: i64,
}

impl Default for FeeSchedule {
    fn default() -> Self {
        FeeSchedule {
            credit_topup_bps: 10,
            withdrawal_free_minor: 100_000,
            withdrawal_bps: 10,
            withdrawal_min_minor: 10,
            merchant_bps: 60,
        }
    }
}

/// `amount × bps / 10 000`, rounded half up to a whole fen.
pub fn share(amount_minor: i64, bps: i64) -> i64 {
    let product = i128::from(amount_minor) * i128::from(bps);
    let rounded = (product + BPS_WHOLE / 2).div_euclid(BPS_WHOLE);
    i64::try_from(rounded).unwrap_or(i64::MAX)
}

impl FeeSchedule {
    /// The fee on a top-up of `amount_minor`: free from debit cards.
    pub fn topup(&self, amount_minor: i64, credit_card: bool) -> i64 {
        if credit_card {
            share(amount_minor, self.credit_topup_bps)
        } else {
            0
        }
    }

    /// The fee on withdrawing `amount_minor` when `withdrawn_before_minor` has been withdrawn
    /// over the holder's life: only the part above the free quota is charged, at least the minimum.
    pub fn withdrawal(&self, amount_minor: i64, withdrawn_before_minor: i64) -> i64 {
        let free_left = (self.withdrawal_free_minor - withdrawn_before_minor).max(0);
        let charged = amount_minor - free_left.min(amount_minor);
        if charged <= 0 {
            return 0;
        }
        share(charged, self.withdrawal_bps).max(self.withdrawal_min_minor)
    }

    /// The merchant's fee on a payment of `amount_minor`.
    pub fn merchant(&self, amount_minor: i64) -> i64 {
        share(amount_minor, self.merchant_bps).min(amount_minor)
    }
}

/// The part of a payment's merchant fee given back with a refund: in proportion, rounded down,
/// and the whole remainder with the refund that completes it, so a fully refunded payment has
/// given back exactly its fee.
pub fn fee_back(
    fee: i64,
    paid: i64,
    refunded_before: i64,
    fee_refunded_before: i64,
    refund: i64,
) -> i64 {
    if refunded_before + refund >= paid {
        return fee - fee_refunded_before;
    }
    let proportional = i128::from(fee) * i128::from(refund) / i128::from(paid.max(1));
    i64::try_from(proportional)
        .unwrap_or(0)
        .min(fee - fee_refunded_before)
        .max(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_default_schedule_charges_what_the_issue_says() {
        let f = FeeSchedule::default();
        assert_eq!(f.topup(100_000, false), 0, "debit top-ups are free");
        assert_eq!(f.topup(100_000, true), 100, "0.1 % of ¥1,000 is ¥1");
        assert_eq!(f.topup(5, true), 0, "0.005 fen rounds to nothing");
        assert_eq!(f.topup(500, true), 1, "0.5 fen rounds half up");
        assert_eq!(f.withdrawal(100_000, 0), 0, "the first ¥1,000 is free");
        assert_eq!(
            f.withdrawal(100_100, 0),
            10,
            "¥1 over the quota costs the ¥0.10 minimum"
        );
        assert_eq!(
            f.withdrawal(200_000, 100_000),
            200,
            "0.1 % of ¥2,000 once the quota is used"
        );
        assert_eq!(
            f.withdrawal(50_000, 80_000),
            30,
            "only the ¥300 above the quota is charged"
        );
        assert_eq!(
            f.withdrawal(5_000, 100_000),
            10,
            "0.1 % of ¥50 is below the ¥0.10 minimum"
        );
        assert_eq!(
            f.merchant(1_800),
            11,
            "0.6 % of ¥18 is 10.8 fen, rounded to 11"
        );
        assert_eq!(f.merchant(1), 0);
    }

    #[test]
    fn a_refund_in_parts_gives_back_exactly_the_fee() {
        let (fee, paid) = (11, 1_800);
        let first = fee_back(fee, paid, 0, 0, 600);
        let second = fee_back(fee, paid, 600, first, 600);
        let third = fee_back(fee, paid, 1_200, first + second, 600);
        assert_eq!((first, second), (3, 3));
        assert_eq!(first + second + third, fee);
    }

    proptest! {
        #[test]
        fn fees_are_never_negative_nor_above_the_amount(amount in 1i64..1_000_000_000_000, before in 0i64..1_000_000_000) {
            let f = FeeSchedule::default();
            prop_assert!((0..=amount).contains(&f.topup(amount, true)));
            prop_assert!((0..=amount).contains(&f.merchant(amount)));
            let w = f.withdrawal(amount, before);
            prop_assert!(w >= 0);
            prop_assert!(w == 0 || w >= f.withdrawal_min_minor);
        }

        #[test]
        fn refunds_in_any_parts_give_back_the_fee_exactly_once(paid in 1i64..10_000_000, cuts in proptest::collection::vec(1i64..1_000_000, 1..8)) {
            let fee = FeeSchedule::default().merchant(paid);
            let (mut refunded, mut back) = (0, 0);
            for cut in cuts {
                let refund = cut.min(paid - refunded);
                if refund == 0 { break; }
                let b = fee_back(fee, paid, refunded, back, refund);
                prop_assert!(b >= 0 && b <= refund);
                refunded += refund;
                back += b;
                prop_assert!(back <= fee);
            }
            if refunded == paid { prop_assert_eq!(back, fee); }
        }
    }
}
