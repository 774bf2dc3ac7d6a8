//! How an amount of fen is written for people in alerts, SMS and refusals: `¥12.34`.

/// `minor` fen as yuan with two decimals and the sign in front: `¥12.34`, `-¥1.00`.
pub fn yuan(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}¥{}.{:02}", abs / 100, abs % 100)
}

#[cfg(test)]
mod tests {
    use super::yuan;

    #[test]
    fn yuan_are_shown_with_two_decimals() {
        assert_eq!(yuan(1234), "¥12.34");
        assert_eq!(yuan(5), "¥0.05");
        assert_eq!(yuan(-100), "-¥1.00");
        assert_eq!(yuan(i64::MIN), "-¥92233720368547758.08");
    }
}
