//! How an amount of fen is written for people in alerts, SMS and refusals: `¥12.34`.

use qianbao_ledger::Amount;

/// An amount of fen as yuan with two decimals and the sign in front: `¥12.34`, `-¥1.00`.
pub fn yuan(amount: impl Into<Amount>) -> String {
    let minor = amount.into().minor();
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}¥{}.{:02}", abs / 100, abs % 100)
}

#[cfg(test)]
mod tests {
    use super::yuan;
    use qianbao_ledger::Amount;

    #[test]
    fn yuan_are_shown_with_two_decimals() {
        let yuan_of = |minor: i64| yuan(Amount::from_minor(minor));
        assert_eq!(yuan_of(1234), "¥12.34");
        assert_eq!(yuan_of(5), "¥0.05");
        assert_eq!(yuan_of(-100), "-¥1.00");
        assert_eq!(yuan_of(i64::MIN), "-¥92233720368547758.08");
    }
}
