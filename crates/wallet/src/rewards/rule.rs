//! A coupon's rule: an amount off above a minimum spend (满 30 减 5), or a percentage off with a
//! cap (85 折，最多减 20). Pure: what a coupon is worth at most (what claiming it reserves from the
//! campaign's budget) and what it takes off a given spend.

use qianbao_ledger::Amount;

/// How a coupon discounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CouponRule {
    /// A fixed amount off a spend of at least `min_spend`.
    AmountOff {
        /// What comes off.
        amount_off: Amount,
        /// The least a payment must be for the coupon to apply.
        min_spend: Amount,
    },
    /// A percentage off, never more than `max_off`, on a spend of at least `min_spend`.
    PercentOff {
        /// Percent off, 1 to 99.
        percent_off: u32,
        /// The most it takes off.
        max_off: Amount,
        /// The least a payment must be.
        min_spend: Amount,
    },
    /// A points campaign's: points earned per whole yuan paid (a point is worth a fen).
    PointsPerYuan {
        /// Points per yuan, 1 to 100.
        points_per_yuan: u32,
    },
}

/// The least a payment earns points on: one yuan.
const ONE_YUAN: Amount = Amount::from_minor(100);

/// Why a rule cannot be a campaign's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("coupon rule: {0}")]
pub struct RuleInvalid(pub &'static str);

impl CouponRule {
    /// Checks the rule: an amount off of at least one fen and below the minimum spend (a coupon
    /// never pays for a whole purchase), or 1–99 % with a cap of at least one fen.
    pub fn checked(self) -> Result<CouponRule, RuleInvalid> {
        match self {
            CouponRule::AmountOff {
                amount_off,
                min_spend,
            } => {
                if !amount_off.is_positive() {
                    return Err(RuleInvalid("amount_off"));
                }
                if min_spend <= amount_off {
                    return Err(RuleInvalid("min_spend"));
                }
            }
            CouponRule::PercentOff {
                percent_off,
                max_off,
                min_spend,
            } => {
                if !(1..=99).contains(&percent_off) {
                    return Err(RuleInvalid("percent_off"));
                }
                if !max_off.is_positive() {
                    return Err(RuleInvalid("max_off"));
                }
                if min_spend.minor() < 1 {
                    return Err(RuleInvalid("min_spend"));
                }
            }
            CouponRule::PointsPerYuan { points_per_yuan } => {
                if !(1..=100).contains(&points_per_yuan) {
                    return Err(RuleInvalid("points_per_yuan"));
                }
            }
        }
        Ok(self)
    }

    /// The most the coupon can take off: what a claim reserves from the budget.
    pub fn value(&self) -> Amount {
        match *self {
            CouponRule::AmountOff { amount_off, .. } => amount_off,
            CouponRule::PercentOff { max_off, .. } => max_off,
            // One yuan's points: the least a budget must back.
            CouponRule::PointsPerYuan { points_per_yuan } => {
                Amount::from_minor(i64::from(points_per_yuan))
            }
        }
    }

    /// The least a payment must be for the coupon to apply.
    pub fn min_spend(&self) -> Amount {
        match *self {
            CouponRule::AmountOff { min_spend, .. } | CouponRule::PercentOff { min_spend, .. } => {
                min_spend
            }
            CouponRule::PointsPerYuan { .. } => ONE_YUAN,
        }
    }

    /// What the coupon takes off `spend`, or `None` below the minimum spend. A percentage is
    /// rounded down to the fen (the payer pays the odd fen, the budget never gives more than the
    /// rule says); the payer always pays at least one fen.
    pub fn discount(&self, spend: Amount) -> Option<Amount> {
        if spend < self.min_spend() || !spend.is_positive() {
            return None;
        }
        let off = match *self {
            CouponRule::AmountOff { amount_off, .. } => amount_off.minor(),
            CouponRule::PercentOff {
                percent_off,
                max_off,
                ..
            } => {
                let pct = i128::from(spend.minor()) * i128::from(percent_off) / 100;
                i64::try_from(pct).unwrap_or(i64::MAX).min(max_off.minor())
            }
            // Points take nothing off; what they give is `points_earned`.
            CouponRule::PointsPerYuan { .. } => return None,
        };
        Some(Amount::from_minor(off.clamp(0, spend.minor() - 1)))
    }

    /// The points a payment of `spend` earns under a points rule: per whole yuan, rounded down
    /// (0 under any other rule).
    pub fn points_earned(&self, spend: Amount) -> i64 {
        match *self {
            CouponRule::PointsPerYuan { points_per_yuan } => {
                (spend.minor().max(0) / 100).saturating_mul(i64::from(points_per_yuan))
            }
            _ => 0,
        }
    }

    /// The rule as stored: `off:<fen>/min:<fen>`, `pct:<n>/max:<fen>/min:<fen>` or `pts:<n>`.
    pub fn to_text(&self) -> String {
        match *self {
            CouponRule::AmountOff {
                amount_off,
                min_spend,
            } => format!("off:{}/min:{}", amount_off.minor(), min_spend.minor()),
            CouponRule::PercentOff {
                percent_off,
                max_off,
                min_spend,
            } => format!(
                "pct:{percent_off}/max:{}/min:{}",
                max_off.minor(),
                min_spend.minor()
            ),
            CouponRule::PointsPerYuan { points_per_yuan } => format!("pts:{points_per_yuan}"),
        }
    }

    /// Reads [`CouponRule::to_text`] back.
    pub fn parse(text: &str) -> Option<CouponRule> {
        let parts: Vec<(&str, i64)> = text
            .split('/')
            .map(|p| {
                let (k, v) = p.split_once(':')?;
                Some((k, v.parse().ok()?))
            })
            .collect::<Option<_>>()?;
        let fen = Amount::from_minor;
        match parts.as_slice() {
            [("off", off), ("min", min)] => Some(CouponRule::AmountOff {
                amount_off: fen(*off),
                min_spend: fen(*min),
            }),
            [("pts", per)] => Some(CouponRule::PointsPerYuan {
                points_per_yuan: u32::try_from(*per).ok()?,
            }),
            [("pct", pct), ("max", max), ("min", min)] => Some(CouponRule::PercentOff {
                percent_off: u32::try_from(*pct).ok()?,
                max_off: fen(*max),
                min_spend: fen(*min),
            }),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fen(v: i64) -> Amount {
        Amount::from_minor(v)
    }

    #[test]
    fn points_are_earned_per_whole_yuan_and_take_nothing_off() {
        let rule = CouponRule::PointsPerYuan { points_per_yuan: 3 };
        assert_eq!(rule.points_earned(fen(99)), 0);
        assert_eq!(rule.points_earned(fen(1_999)), 57);
        assert_eq!(rule.discount(fen(10_000)), None);
        assert_eq!(CouponRule::parse(&rule.to_text()), Some(rule));
        assert!(
            CouponRule::PointsPerYuan { points_per_yuan: 0 }
                .checked()
                .is_err()
        );
        assert!(
            CouponRule::PointsPerYuan {
                points_per_yuan: 101
            }
            .checked()
            .is_err()
        );
    }

    #[test]
    fn five_off_thirty_applies_from_thirty() {
        let rule = CouponRule::AmountOff {
            amount_off: fen(500),
            min_spend: fen(3_000),
        };
        assert_eq!(rule.discount(fen(2_999)), None);
        assert_eq!(rule.discount(fen(3_000)), Some(fen(500)));
        assert_eq!(rule.value(), fen(500));
        assert_eq!(CouponRule::parse(&rule.to_text()), Some(rule));
    }

    #[test]
    fn fifteen_percent_off_is_rounded_down_and_capped() {
        let rule = CouponRule::PercentOff {
            percent_off: 15,
            max_off: fen(2_000),
            min_spend: fen(100),
        };
        assert_eq!(rule.discount(fen(999)), Some(fen(149)));
        assert_eq!(rule.discount(fen(1_000_000)), Some(fen(2_000)));
        assert_eq!(CouponRule::parse(&rule.to_text()), Some(rule));
    }

    #[test]
    fn rules_that_could_pay_a_whole_purchase_are_refused() {
        let off = |a, m| CouponRule::AmountOff {
            amount_off: fen(a),
            min_spend: fen(m),
        };
        assert_eq!(off(500, 500).checked(), Err(RuleInvalid("min_spend")));
        assert_eq!(off(0, 500).checked(), Err(RuleInvalid("amount_off")));
        let pct = |p, m| CouponRule::PercentOff {
            percent_off: p,
            max_off: fen(m),
            min_spend: fen(1),
        };
        assert_eq!(pct(100, 5).checked(), Err(RuleInvalid("percent_off")));
        assert_eq!(pct(10, 0).checked(), Err(RuleInvalid("max_off")));
        assert!(off(500, 501).checked().is_ok() && pct(99, 1).checked().is_ok());
        for bad in ["", "off:5", "pct:1/max:2", "off:x/min:2", "min:1/off:2"] {
            assert_eq!(CouponRule::parse(bad), None, "{bad}");
        }
    }

    proptest! {
        /// A coupon never takes more than its value (what its claim reserved from the budget),
        /// never the whole payment, and nothing below its minimum spend.
        #[test]
        fn a_discount_stays_within_the_coupons_value_and_the_spend(
            percent in 1u32..=99, cap in 1i64..100_000, min in 1i64..100_000,
            off in 1i64..50_000, spend in 0i64..10_000_000,
        ) {
            let rules = [
                CouponRule::PercentOff { percent_off: percent, max_off: fen(cap), min_spend: fen(min) },
                CouponRule::AmountOff { amount_off: fen(off), min_spend: fen(off + min) },
            ];
            for rule in rules {
                match rule.discount(fen(spend)) {
                    None => prop_assert!(spend < rule.min_spend().minor() || spend <= 0),
                    Some(d) => {
                        prop_assert!(d.minor() >= 0);
                        prop_assert!(d <= rule.value());
                        prop_assert!(d.minor() < spend);
                    }
                }
            }
        }
    }
}
