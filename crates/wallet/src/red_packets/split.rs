//! Splitting a group packet into its shares, once, when it is sent: evenly, or at random by the
//! "double mean" method (拼手气) — each share drawn in whole fen from [0.01, 2·M/N], M being what is
//! left and N the shares left, the last share taking the rest. Every share is at least one fen and
//! the shares sum to the packet exactly.

use qianbao_ledger::{Amount, PositiveAmount};

crate::named! {
    /// How a group packet is divided.
    pub enum Split {
        /// Equal shares; the fen that do not divide go one each to the first shares.
        Even = "even",
        /// The double-mean random split (拼手气).
        Random = "random",
    }
}

/// Why a packet cannot be split.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SplitError {
    /// No shares, or more shares than fen: every share must be at least one fen.
    #[error("every share must be at least one fen")]
    TooManyShares,
}

/// The shares of `total` split `shares` ways by `how`. `draw(n)` answers a uniformly random number
/// in `0..n` (n ≥ 1); the random split asks it once per share but the last, the even split never.
/// Randomness comes from the caller so the simulation can seed it and a test can fix it.
pub fn split(
    total: PositiveAmount,
    shares: u32,
    how: Split,
    mut draw: impl FnMut(u64) -> u64,
) -> Result<Vec<Amount>, SplitError> {
    let total = total.minor().unsigned_abs();
    let n = u64::from(shares);
    if n == 0 || n > total {
        return Err(SplitError::TooManyShares);
    }
    let fen = |v: u64| Amount::from_minor(i64::try_from(v).unwrap_or(i64::MAX));
    Ok(match how {
        Split::Even => {
            let (each, extra) = (total / n, total % n);
            (0..n).map(|i| fen(each + u64::from(i < extra))).collect()
        }
        Split::Random => {
            let mut left = total;
            let mut out = Vec::with_capacity(shares as usize);
            for remaining in (2..=n).rev() {
                // Twice the mean of what is left, but never so much that a later share would get
                // less than one fen.
                let most = (2 * left / remaining).min(left - (remaining - 1)).max(1);
                let share = 1 + draw(most).min(most - 1);
                out.push(fen(share));
                left -= share;
            }
            out.push(fen(left));
            out
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fen(v: i64) -> PositiveAmount {
        PositiveAmount::new(v).unwrap_or_else(|| panic!("{v}"))
    }

    #[test]
    fn even_shares_give_the_odd_fen_to_the_first() {
        let shares = split(fen(100), 3, Split::Even, |_| 0)
            .map(|s| s.iter().map(|a| a.minor()).collect::<Vec<_>>());
        assert_eq!(shares, Ok(vec![34, 33, 33]));
    }

    #[test]
    fn the_random_split_draws_within_twice_the_mean() {
        // ¥1.00 in 4: the first share is drawn from [1, 50]; a draw of the top gives 50.
        let shares = split(fen(100), 4, Split::Random, |n| n - 1);
        let shares: Vec<i64> = shares
            .unwrap_or_default()
            .iter()
            .map(|a| a.minor())
            .collect();
        assert_eq!(shares[0], 50);
        assert_eq!(shares.iter().sum::<i64>(), 100);
        // The lowest draws give one fen each and the last share the rest.
        let low: Vec<i64> = split(fen(100), 4, Split::Random, |_| 0)
            .unwrap_or_default()
            .iter()
            .map(|a| a.minor())
            .collect();
        assert_eq!(low, vec![1, 1, 1, 97]);
    }

    #[test]
    fn more_shares_than_fen_is_refused() {
        assert_eq!(
            split(fen(3), 4, Split::Even, |_| 0),
            Err(SplitError::TooManyShares)
        );
        assert_eq!(
            split(fen(3), 0, Split::Random, |_| 0),
            Err(SplitError::TooManyShares)
        );
        assert_eq!(
            split(fen(3), 3, Split::Random, |_| 0).map(|s| s.len()),
            Ok(3)
        );
    }

    proptest! {
        /// Whatever the draws: N shares, each at least one fen, summing to the packet exactly,
        /// and no random share but the last above twice the mean of what was left.
        #[test]
        fn shares_are_whole_fen_that_sum_to_the_packet(
            total in 1i64..=2_000_000,
            shares in 1u32..=100,
            seed in any::<u64>(),
            random in any::<bool>(),
        ) {
            let mut state = seed;
            let draw = |n: u64| {
                // SplitMix64: a fixed stream per seed, so a failure replays.
                state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let mut z = state;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                (z ^ (z >> 31)) % n
            };
            let how = if random { Split::Random } else { Split::Even };
            let result = split(fen(total), shares, how, draw);
            if i64::from(shares) > total {
                prop_assert_eq!(result, Err(SplitError::TooManyShares));
                return Ok(());
            }
            let got: Vec<i64> = result.unwrap_or_default().iter().map(|a| a.minor()).collect();
            prop_assert_eq!(got.len(), shares as usize);
            prop_assert!(got.iter().all(|s| *s >= 1));
            prop_assert_eq!(got.iter().sum::<i64>(), total);
            if random {
                let mut left = total;
                for (i, share) in got.iter().enumerate().take(got.len() - 1) {
                    let remaining = i64::from(shares) - i as i64;
                    prop_assert!(*share <= (2 * left / remaining).max(1), "share {} of {}", i, left);
                    left -= share;
                }
            }
        }
    }
}
