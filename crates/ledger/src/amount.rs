//! Money as an integer count of a currency's minor unit (fen for CNY). Never a float.

use std::fmt;

/// A signed count of minor units. Arithmetic is checked only: an overflow is a value, not a wrap.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Amount(i64);

impl Amount {
    /// Nothing.
    pub const ZERO: Amount = Amount(0);

    /// The amount of `minor` minor units (may be negative: a debit posting).
    pub const fn from_minor(minor: i64) -> Self {
        Amount(minor)
    }

    /// The count of minor units.
    pub const fn minor(self) -> i64 {
        self.0
    }

    /// `self + other`, or `None` on overflow.
    pub fn checked_add(self, other: Amount) -> Option<Amount> {
        self.0.checked_add(other.0).map(Amount)
    }

    /// `self - other`, or `None` on overflow.
    pub fn checked_sub(self, other: Amount) -> Option<Amount> {
        self.0.checked_sub(other.0).map(Amount)
    }

    /// `-self`, or `None` for `i64::MIN`.
    pub fn checked_neg(self) -> Option<Amount> {
        self.0.checked_neg().map(Amount)
    }

    /// Whether this is exactly zero.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// Whether this is below zero.
    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// Whether this is above zero.
    pub const fn is_positive(self) -> bool {
        self.0 > 0
    }
}

/// Sums and differences for the wallet's rules, whose amounts are bounded where they enter (at
/// most a trillion fen a movement), so an overflow here is a bug, never data: it stops the call
/// rather than wrapping into another amount. The ledger's own state changes keep to the checked
/// methods above, where an overflow is a refusal.
impl std::ops::Add for Amount {
    type Output = Amount;

    fn add(self, other: Amount) -> Amount {
        match self.checked_add(other) {
            Some(sum) => sum,
            None => panic!("amount overflow: {self} + {other}"),
        }
    }
}

impl std::ops::Sub for Amount {
    type Output = Amount;

    fn sub(self, other: Amount) -> Amount {
        match self.checked_sub(other) {
            Some(difference) => difference,
            None => panic!("amount overflow: {self} - {other}"),
        }
    }
}

impl std::ops::Neg for Amount {
    type Output = Amount;

    fn neg(self) -> Amount {
        match self.checked_neg() {
            Some(negated) => negated,
            None => panic!("amount overflow: -{self}"),
        }
    }
}

impl std::ops::AddAssign for Amount {
    fn add_assign(&mut self, other: Amount) {
        *self = *self + other;
    }
}

impl std::ops::SubAssign for Amount {
    fn sub_assign(&mut self, other: Amount) {
        *self = *self - other;
    }
}

impl std::iter::Sum for Amount {
    fn sum<I: Iterator<Item = Amount>>(iter: I) -> Amount {
        iter.fold(Amount::ZERO, |a, b| a + b)
    }
}

/// An amount above zero: what a caller may ask to move. The only way to make one is
/// [`PositiveAmount::new`], so a use case that takes one never has to ask again whether a
/// negative or zero amount slipped through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PositiveAmount(Amount);

impl PositiveAmount {
    /// `minor` minor units, if above zero.
    pub const fn new(minor: i64) -> Option<PositiveAmount> {
        if minor > 0 {
            Some(PositiveAmount(Amount(minor)))
        } else {
            None
        }
    }

    /// As a (signed) amount, for postings and sums.
    pub const fn amount(self) -> Amount {
        self.0
    }

    /// The count of minor units, always above zero.
    pub const fn minor(self) -> i64 {
        self.0.0
    }
}

impl From<PositiveAmount> for Amount {
    fn from(value: PositiveAmount) -> Amount {
        value.0
    }
}

impl fmt::Display for PositiveAmount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_agree_with_the_checked_methods() {
        let (a, b) = (Amount::from_minor(7), Amount::from_minor(-3));
        assert_eq!(a + b, Amount::from_minor(4));
        assert_eq!(a - b, Amount::from_minor(10));
        assert_eq!(-a, Amount::from_minor(-7));
        assert_eq!(
            [a, b, a].into_iter().sum::<Amount>(),
            Amount::from_minor(11)
        );
    }

    #[test]
    #[should_panic(expected = "amount overflow")]
    fn an_overflow_stops_rather_than_wraps() {
        let _ = Amount::from_minor(i64::MAX) + Amount::from_minor(1);
    }

    #[test]
    fn only_amounts_above_zero_are_positive() {
        assert_eq!(PositiveAmount::new(0), None);
        assert_eq!(PositiveAmount::new(-1), None);
        assert_eq!(PositiveAmount::new(i64::MIN), None);
        let one = PositiveAmount::new(1).map(PositiveAmount::minor);
        assert_eq!(one, Some(1));
        let max = PositiveAmount::new(i64::MAX).map(Amount::from);
        assert_eq!(max, Some(Amount::from_minor(i64::MAX)));
    }
}
