//! The spending limits of SPEC §4 as pure checks: per payment, per day, the balance cap, and the
//! two PBOC barcode caps (static QR codes from the balance; payment codes without the password).
//! Over a limit the answer names the limit and the headroom left.

use crate::levels::Limits;
use qianbao_ledger::{Amount, PositiveAmount};

/// Which limit a movement would break.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// The most one payment may be at the holder's level.
    PerPayment,
    /// The most that may leave the wallet in a day at the holder's level.
    PerDay,
    /// The most the receiving wallet may hold at its level.
    BalanceCap,
    /// Paying merchants' static QR codes from the balance, per day (PBOC: ¥500).
    StaticQrDaily,
    /// One payment by payment code without the password (小额免密).
    PasswordFreePayment,
    /// Payment-code charges without the password, per day (PBOC: ¥1,000).
    PasswordFreeDaily,
}

impl Limit {
    /// The name the API returns in `limit`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Limit::PerPayment => "per_payment",
            Limit::PerDay => "per_day",
            Limit::BalanceCap => "balance_cap",
            Limit::StaticQrDaily => "static_qr_daily",
            Limit::PasswordFreePayment => "password_free_payment",
            Limit::PasswordFreeDaily => "password_free_daily",
        }
    }
}

/// A limit that would be broken, and how much room is left under it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exceeded {
    /// Which limit.
    pub limit: Limit,
    /// What may still move under it (zero when nothing may).
    pub headroom_minor: Amount,
}

/// `amount` fits under `cap` given `used`; `None` caps are no limit.
fn within(
    limit: Limit,
    cap: Option<Amount>,
    used: Amount,
    amount: PositiveAmount,
) -> Result<(), Exceeded> {
    match cap {
        Some(cap) if used.minor().saturating_add(amount.minor()) > cap.minor() => Err(Exceeded {
            limit,
            headroom_minor: Amount::from_minor(cap.minor().saturating_sub(used.minor()).max(0)),
        }),
        _ => Ok(()),
    }
}

/// A payment of `amount` by a holder with `limits` who has spent `spent_today` today.
pub fn check_spending(
    limits: &Limits,
    spent_today: Amount,
    amount: PositiveAmount,
) -> Result<(), Exceeded> {
    within(Limit::PerPayment, limits.per_payment, Amount::ZERO, amount)?;
    within(Limit::PerDay, limits.per_day, spent_today, amount)
}

/// Money arriving in a wallet holding `balance` whose level allows `limits`.
pub fn check_receiving(
    limits: &Limits,
    balance: Amount,
    amount: PositiveAmount,
) -> Result<(), Exceeded> {
    within(Limit::BalanceCap, limits.balance_cap, balance, amount)
}

/// A cap of `cap` per day on a channel where `used_today` has gone already.
pub fn check_daily(
    limit: Limit,
    cap: Amount,
    used_today: Amount,
    amount: PositiveAmount,
) -> Result<(), Exceeded> {
    within(limit, Some(cap), used_today, amount)
}

/// Milliseconds at the start of the day containing `now_ms`, in China (UTC+8), where a wallet's
/// day begins and ends.
pub fn day_start_ms(now_ms: i64) -> i64 {
    crate::domain::ChinaDay::of_ms(now_ms).start_ms()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn p(minor: i64) -> PositiveAmount {
        PositiveAmount::new(minor).unwrap()
    }

    fn a(minor: i64) -> Amount {
        Amount::from_minor(minor)
    }
    use crate::levels::LevelTable;

    #[test]
    fn each_limit_names_itself_and_the_headroom_left() {
        let l0 = LevelTable::default().at(0);
        assert_eq!(check_spending(&l0, a(0), p(200_000)), Ok(()));
        assert_eq!(
            check_spending(&l0, a(0), p(200_001)),
            Err(Exceeded {
                limit: Limit::PerPayment,
                headroom_minor: a(200_000)
            })
        );
        assert_eq!(
            check_spending(&l0, a(450_000), p(100_000)),
            Err(Exceeded {
                limit: Limit::PerDay,
                headroom_minor: a(50_000)
            })
        );
        assert_eq!(
            check_receiving(&l0, a(999_000), p(2_000)),
            Err(Exceeded {
                limit: Limit::BalanceCap,
                headroom_minor: a(1_000)
            })
        );
        let l3 = LevelTable::default().at(3);
        assert_eq!(
            check_spending(&l3, a(i64::MAX - 1), p(1)),
            Ok(()),
            "L3 has no limits"
        );
        assert_eq!(check_receiving(&l3, a(i64::MAX - 1), p(1)), Ok(()));
    }

    #[test]
    fn the_day_turns_at_midnight_in_china() {
        // 2026-12-01T15:59:59Z is 23:59:59 in Beijing; a second later is the next day there.
        let before = 1_796_140_799_000;
        assert_eq!(day_start_ms(before), 1_796_054_400_000);
        assert_eq!(day_start_ms(before + 1_000), before + 1_000);
    }
}
