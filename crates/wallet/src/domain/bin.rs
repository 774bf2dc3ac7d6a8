//! The BIN table: a card's issuer, debit or credit, and scheme, from its first six digits.
//!
//! The data is `bins.csv` beside this file (`bin,issuer_zh,issuer_en,type,scheme`), compiled into
//! the binary so a lookup never touches the disk.
//!
//! Source and licence: the table was compiled by hand for this project, written down from
//! recollection of the issuing banks' publicly announced BIN ranges as commonly republished in
//! Chinese card-BIN listings; no dataset was downloaded or copied. A BIN-to-issuer
//! assignment is a fact, not copyrightable expression, so the table is distributed under the
//! project's own licence (Apache-2.0). It was not checked row by row against a live issuer
//! registry: issuers reassign and retire ranges, so treat the issuer name as a display hint and
//! let the bank connector have the final word. It also holds the sandbox's test BINs `411111`
//! (Visa) and `555555` (Mastercard), which API.md's Sandbox section requires.

use std::sync::LazyLock;

/// The table's text; parsed once, on first lookup.
const BINS_CSV: &str = include_str!("bins.csv");

/// Whether a card draws on the holder's own money or on the issuer's credit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CardType {
    /// A debit card (借记卡): top-ups are free.
    Debit,
    /// A credit card (信用卡): top-ups carry a fee; binding needs expiry and CVV.
    Credit,
}

impl CardType {
    /// The API's name for the type: `debit` or `credit`.
    pub fn as_str(&self) -> &'static str {
        match self {
            CardType::Debit => "debit",
            CardType::Credit => "credit",
        }
    }
}

/// The card network a card runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CardScheme {
    /// China UnionPay (银联).
    UnionPay,
    /// Visa.
    Visa,
    /// Mastercard.
    Mastercard,
    /// JCB.
    Jcb,
    /// American Express.
    Amex,
}

impl CardScheme {
    /// The table's name for the scheme: `unionpay`, `visa`, `mastercard`, `jcb` or `amex`.
    pub fn as_str(&self) -> &'static str {
        match self {
            CardScheme::UnionPay => "unionpay",
            CardScheme::Visa => "visa",
            CardScheme::Mastercard => "mastercard",
            CardScheme::Jcb => "jcb",
            CardScheme::Amex => "amex",
        }
    }
}

/// What the BIN table knows about one six-digit BIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BinInfo {
    /// The six-digit BIN.
    pub bin: &'static str,
    /// The issuer's Chinese name, e.g. `中国工商银行`.
    pub issuer_zh: &'static str,
    /// The issuer's English name, e.g. `Industrial and Commercial Bank of China`.
    pub issuer_en: &'static str,
    /// Debit or credit.
    pub card_type: CardType,
    /// The card network.
    pub scheme: CardScheme,
}

/// The parsed table, sorted by BIN for binary search.
static TABLE: LazyLock<Vec<BinInfo>> = LazyLock::new(|| parse_table(BINS_CSV));

/// The issuer, type and scheme of a six-digit BIN, or `None` if the table does not know it.
pub fn lookup(bin6: &str) -> Option<BinInfo> {
    TABLE
        .binary_search_by(|row| row.bin.cmp(bin6))
        .ok()
        .and_then(|i| TABLE.get(i).copied())
}

/// Every row of the table, sorted by BIN (for documentation and the operator console).
pub fn all() -> &'static [BinInfo] {
    &TABLE
}

/// Parses the CSV; a malformed row is skipped rather than taking the process down, and a unit
/// test proves the shipped file has none, so skipping never happens in a released build.
fn parse_table(csv: &'static str) -> Vec<BinInfo> {
    let mut rows: Vec<BinInfo> = csv.lines().skip(1).filter_map(parse_row).collect();
    rows.sort_by_key(|row| row.bin);
    rows.dedup_by_key(|row| row.bin);
    rows
}

/// One `bin,issuer_zh,issuer_en,type,scheme` line.
fn parse_row(line: &'static str) -> Option<BinInfo> {
    let mut fields = line.split(',').map(str::trim);
    let bin = fields
        .next()
        .filter(|b| b.len() == 6 && b.bytes().all(|c| c.is_ascii_digit()))?;
    let issuer_zh = fields.next().filter(|s| !s.is_empty())?;
    let issuer_en = fields.next().filter(|s| !s.is_empty())?;
    let card_type = match fields.next()? {
        "debit" => CardType::Debit,
        "credit" => CardType::Credit,
        _ => return None,
    };
    let scheme = match fields.next()? {
        "unionpay" => CardScheme::UnionPay,
        "visa" => CardScheme::Visa,
        "mastercard" => CardScheme::Mastercard,
        "jcb" => CardScheme::Jcb,
        "amex" => CardScheme::Amex,
        _ => return None,
    };
    if fields.next().is_some() {
        return None;
    }
    Some(BinInfo {
        bin,
        issuer_zh,
        issuer_en,
        card_type,
        scheme,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_row_of_the_shipped_table_parses_and_no_bin_repeats() {
        let data_lines: Vec<&str> = BINS_CSV.lines().skip(1).collect();
        assert_eq!(
            BINS_CSV.lines().next(),
            Some("bin,issuer_zh,issuer_en,type,scheme")
        );
        for line in &data_lines {
            assert!(parse_row(line).is_some(), "malformed row: {line:?}");
        }
        assert_eq!(all().len(), data_lines.len(), "a BIN appears twice");
    }

    #[test]
    fn the_table_covers_the_major_chinese_banks_with_at_least_sixty_real_bins() {
        let real = all()
            .iter()
            .filter(|row| !row.issuer_en.contains("sandbox"))
            .count();
        assert!(real >= 60, "only {real} real BINs");
        for bank in [
            "Industrial and Commercial Bank of China",
            "China Construction Bank",
            "Agricultural Bank of China",
            "Bank of China",
            "Bank of Communications",
            "China Merchants Bank",
            "Postal Savings Bank of China",
            "China CITIC Bank",
            "China Everbright Bank",
            "China Minsheng Bank",
            "Ping An Bank",
            "Shanghai Pudong Development Bank",
            "Industrial Bank",
            "Hua Xia Bank",
            "China Guangfa Bank",
        ] {
            let rows: Vec<_> = all().iter().filter(|row| row.issuer_en == bank).collect();
            assert!(
                rows.iter().any(|r| r.card_type == CardType::Debit),
                "{bank}: no debit BIN"
            );
            assert!(
                rows.iter().any(|r| r.card_type == CardType::Credit),
                "{bank}: no credit BIN"
            );
        }
    }

    #[test]
    fn the_sandbox_bins_of_the_api_contract_are_known() {
        let cases = [
            (
                "622202",
                "中国工商银行",
                CardType::Debit,
                CardScheme::UnionPay,
            ),
            (
                "621700",
                "中国建设银行",
                CardType::Debit,
                CardScheme::UnionPay,
            ),
            (
                "622848",
                "中国农业银行",
                CardType::Debit,
                CardScheme::UnionPay,
            ),
            (
                "411111",
                "Visa 测试卡（沙箱）",
                CardType::Credit,
                CardScheme::Visa,
            ),
            (
                "555555",
                "Mastercard 测试卡（沙箱）",
                CardType::Credit,
                CardScheme::Mastercard,
            ),
        ];
        for (bin, issuer_zh, card_type, scheme) in cases {
            let info = lookup(bin).unwrap();
            assert_eq!(
                (info.issuer_zh, info.card_type, info.scheme),
                (issuer_zh, card_type, scheme)
            );
        }
    }

    #[test]
    fn unknown_or_malformed_bins_are_not_found() {
        for bin in [
            "999999", "000000", "62220", "6222021", "", "62220x", "622202 ",
        ] {
            assert_eq!(lookup(bin), None, "{bin:?}");
        }
    }

    #[test]
    fn each_scheme_agrees_with_its_bin_range() {
        // The ranges the schemes own (ISO/IEC 7812 assignments); a typo in the CSV shows up here.
        for row in all() {
            let two: u32 = row.bin[..2].parse().unwrap();
            let expected = match two {
                40..=49 => CardScheme::Visa,
                51..=55 => CardScheme::Mastercard,
                35 => CardScheme::Jcb,
                34 | 37 => CardScheme::Amex,
                // 62 is UnionPay's range; 60 and 9x are the legacy domestic ranges it carries.
                60 | 62 | 90..=99 => CardScheme::UnionPay,
                _ => panic!("{}: BIN outside any known scheme's range", row.bin),
            };
            assert_eq!(row.scheme, expected, "{}", row.bin);
        }
    }

    #[test]
    fn malformed_rows_are_skipped() {
        for line in [
            "62220,中国工商银行,ICBC,debit,unionpay",
            "62220a,中国工商银行,ICBC,debit,unionpay",
            "622202,,ICBC,debit,unionpay",
            "622202,中国工商银行,ICBC,prepaid,unionpay",
            "622202,中国工商银行,ICBC,debit,diners",
            "622202,中国工商银行,ICBC,debit",
            "622202,中国工商银行,ICBC,debit,unionpay,extra",
            "",
        ] {
            assert_eq!(parse_row(line), None, "{line:?}");
        }
    }

    #[test]
    fn card_type_and_scheme_names_are_the_api_words() {
        assert_eq!(CardType::Debit.as_str(), "debit");
        assert_eq!(CardType::Credit.as_str(), "credit");
        assert_eq!(CardScheme::UnionPay.as_str(), "unionpay");
        assert_eq!(CardScheme::Amex.as_str(), "amex");
    }
}
