//! How an amount of fen is written for people in alerts, SMS and refusals: `¥1,234.56`, the way
//! the pages write it (money.js), so a notice and the screen it points to read the same.

use qianbao_ledger::Amount;

/// An amount of fen as yuan with thousands separators, two decimals and the sign in front:
/// `¥12.34`, `¥1,000.00`, `-¥1.00`.
pub fn yuan(amount: impl Into<Amount>) -> String {
    let minor = amount.into().minor();
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}¥{}.{:02}", grouped(abs / 100), abs % 100)
}

/// Whole yuan with a comma every three digits from the right: `1234567` → `1,234,567`.
fn grouped(whole: u64) -> String {
    let digits = whole.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::yuan;
    use qianbao_ledger::Amount;

    #[test]
    fn yuan_are_shown_with_two_decimals_and_thousands_separators() {
        let yuan_of = |minor: i64| yuan(Amount::from_minor(minor));
        assert_eq!(yuan_of(1234), "¥12.34");
        assert_eq!(yuan_of(5), "¥0.05");
        assert_eq!(yuan_of(-100), "-¥1.00");
        assert_eq!(yuan_of(99_999), "¥999.99");
        assert_eq!(yuan_of(100_000), "¥1,000.00");
        assert_eq!(yuan_of(123_456_789), "¥1,234,567.89");
        assert_eq!(yuan_of(-100_000_000), "-¥1,000,000.00");
        assert_eq!(yuan_of(i64::MIN), "-¥92,233,720,368,547,758.08");
    }
}
