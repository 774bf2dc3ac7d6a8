//! The texts of the QR codes the platform issues, parsed strictly: a holder's receive code, a
//! merchant's static code and a merchant's order. Anything else scanned is `payload_invalid`.
//!
//! Two forms are read. Our own `qianbao://` texts, which only our wallet understands, and
//! EMVCo merchant-presented codes (`000201…`, see [`crate::domain::emvco`]) carrying our merchant
//! account template, which other schemes' wallets can scan too: a static one is a merchant's code,
//! a dynamic one an order.

use crate::domain::emvco::{self, EmvError, Initiation, MerchantCode};
use qianbao_ledger::Currency;

/// The longest payload looked at, in bytes. The `qianbao://` texts are under 80; our EMVCo codes
/// stay under 400 even with 25 four-byte characters in the language template.
pub const PAYLOAD_LEN_MAX: usize = 512;

const SCHEME: &str = "qianbao://";

/// How every EMVCo merchant-presented code begins: the payload format indicator, version 01.
const EMV_PREFIX: &str = "000201";

/// The country our merchant codes name.
const COUNTRY: &str = "CN";

/// What a scanned QR code asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Payload {
    /// Pay a holder: their receive code, maybe with the amount fixed.
    Receive {
        /// The payee's wallet id.
        wallet_id: String,
        /// The amount the payee asked for, in minor units.
        amount_minor: Option<i64>,
    },
    /// Pay a merchant's static code; the payer types the amount.
    Merchant {
        /// The merchant's id.
        merchant_id: String,
    },
    /// Pay a merchant's order of a fixed amount.
    Order {
        /// The order's id.
        order_id: String,
    },
}

/// Why a payload is not one of ours. The reason tells which rule the text broke (for logs and
/// tests); the error itself prints as `payload_invalid` whatever the reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("payload_invalid")]
pub struct PayloadInvalid {
    /// A stable short reason: `too_long`, `format_invalid` for a `qianbao://` text (or anything
    /// else), or the [`EmvError::reason`] of an EMVCo code (`crc_mismatch`, `not_ours`, …).
    pub reason: &'static str,
}

/// A text that is none of the forms.
const FORMAT_INVALID: PayloadInvalid = PayloadInvalid {
    reason: "format_invalid",
};

impl From<EmvError> for PayloadInvalid {
    fn from(e: EmvError) -> PayloadInvalid {
        PayloadInvalid { reason: e.reason() }
    }
}

/// An id as the platform issues them: 1–64 of `[0-9a-z-]`.
fn id(text: &str) -> Result<String, PayloadInvalid> {
    crate::domain::emvco::issued_id(text)
        .then(|| text.to_string())
        .ok_or(FORMAT_INVALID)
}

impl Payload {
    /// Reads a scanned text.
    pub fn parse(text: &str) -> Result<Payload, PayloadInvalid> {
        Payload::parse_stated(text).map(|(payload, _)| payload)
    }

    /// Reads a scanned text, with the amount and currency it states: an EMVCo code can state
    /// them, and a payment must refuse one whose amount or currency differs from the order it
    /// names (or that the payer typed). `None` for `qianbao://` texts and for EMVCo static codes
    /// without an amount.
    pub fn parse_stated(text: &str) -> Result<(Payload, Option<(Currency, i64)>), PayloadInvalid> {
        if text.len() > PAYLOAD_LEN_MAX {
            return Err(PayloadInvalid { reason: "too_long" });
        }
        let text = text.trim();
        if text.starts_with(EMV_PREFIX) {
            let code = MerchantCode::parse(text)?;
            let stated = code.amount_minor.map(|amount| (code.currency, amount));
            let payload = match (code.initiation, &code.order_id) {
                (Initiation::Static, _) => Payload::Merchant {
                    merchant_id: id(&code.merchant_id)?,
                },
                (Initiation::Dynamic, Some(order_id)) => Payload::Order {
                    order_id: id(order_id)?,
                },
                // `MerchantCode::parse` refuses a dynamic code without an order.
                (Initiation::Dynamic, None) => return Err(EmvError::TagMissing.into()),
            };
            return Ok((payload, stated));
        }
        Payload::parse_ours(text).map(|payload| (payload, None))
    }

    /// Reads a `qianbao://` text.
    fn parse_ours(text: &str) -> Result<Payload, PayloadInvalid> {
        let rest = text.strip_prefix(SCHEME).ok_or(FORMAT_INVALID)?;
        let (kind, rest) = rest.split_once('/').ok_or(FORMAT_INVALID)?;
        let (path, query) = match rest.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (rest, None),
        };
        match (kind, query) {
            ("r", None) => Ok(Payload::Receive {
                wallet_id: id(path)?,
                amount_minor: None,
            }),
            ("r", Some(query)) => {
                let digits = query.strip_prefix("amount=").ok_or(FORMAT_INVALID)?;
                let amount = (!digits.is_empty()
                    && digits.len() <= 15
                    && digits.bytes().all(|b| b.is_ascii_digit()))
                .then(|| digits.parse::<i64>().ok())
                .flatten()
                .filter(|a| *a > 0)
                .ok_or(FORMAT_INVALID)?;
                Ok(Payload::Receive {
                    wallet_id: id(path)?,
                    amount_minor: Some(amount),
                })
            }
            ("m", None) => Ok(Payload::Merchant {
                merchant_id: id(path)?,
            }),
            ("o", None) => Ok(Payload::Order {
                order_id: id(path)?,
            }),
            _ => Err(FORMAT_INVALID),
        }
    }

    /// The text to put in the QR code.
    pub fn encode(&self) -> String {
        match self {
            Payload::Receive {
                wallet_id,
                amount_minor: None,
            } => format!("{SCHEME}r/{wallet_id}"),
            Payload::Receive {
                wallet_id,
                amount_minor: Some(amount),
            } => format!("{SCHEME}r/{wallet_id}?amount={amount}"),
            Payload::Merchant { merchant_id } => format!("{SCHEME}m/{merchant_id}"),
            Payload::Order { order_id } => format!("{SCHEME}o/{order_id}"),
        }
    }
}

/// Whether `text` is printable ASCII, the only alphabet of EMVCo's name and city (IDs 59, 60).
fn printable_ascii(text: &str) -> bool {
    text.bytes().all(|b| (b' '..=b'~').contains(&b))
}

/// The first `max` characters of `text`, without the spaces a cut can leave at its end.
fn cut(text: &str, max: usize) -> String {
    text.chars()
        .take(max)
        .collect::<String>()
        .trim_end()
        .to_string()
}

/// Our code for a merchant, with its names and city as EMVCo can carry them: a name in printable
/// ASCII goes in ID 59, cut to 25 characters; any other name goes, cut likewise, in the Chinese
/// language template (64), with [`emvco::NAME_FALLBACK`] in 59, which EMVCo requires. The city must
/// be printable ASCII (it is cut to 15 characters): there is no ASCII name to fall back on.
fn merchant_code(
    merchant_id: &str,
    name: &str,
    city: &str,
    mcc: &str,
) -> Result<MerchantCode, EmvError> {
    let name = name.trim();
    let city = city.trim();
    if name.is_empty() || city.is_empty() || !printable_ascii(city) {
        return Err(EmvError::FormatInvalid);
    }
    let (name, name_local) = if printable_ascii(name) {
        (cut(name, emvco::NAME_CHARS_MAX), None)
    } else {
        (
            emvco::NAME_FALLBACK.to_string(),
            Some(cut(name, emvco::NAME_CHARS_MAX)),
        )
    };
    Ok(MerchantCode {
        initiation: Initiation::Static,
        merchant_id: merchant_id.to_string(),
        order_id: None,
        mcc: mcc.to_string(),
        currency: Currency::CNY,
        amount_minor: None,
        country: COUNTRY.to_string(),
        name,
        city: cut(city, emvco::CITY_CHARS_MAX),
        bill_number: None,
        name_local,
    })
}

/// The EMVCo text of a merchant's static code, which any EMVCo wallet can read and ours reads as
/// [`Payload::Merchant`]. `mcc` is the four-digit merchant category code (ISO 18245). EMVCo makes
/// the currency mandatory even where the payer types the amount: it is the renminbi. Fails when
/// the id is not an issued id, the MCC not four digits or the city not printable ASCII.
pub fn merchant_static_code(
    merchant_id: &str,
    name: &str,
    city: &str,
    mcc: &str,
) -> Result<String, EmvError> {
    let code = merchant_code(merchant_id, name, city, mcc)?;
    code.check()?;
    Ok(code.encode())
}

/// The EMVCo text of a merchant's order, a dynamic code stating its amount (in `currency`'s
/// minor units), which our wallet reads as [`Payload::Order`] (with
/// [`Payload::parse_stated`] giving the amount). The order id is also the bill number (62-01)
/// when it fits EMVCo's 25 characters, for other schemes' wallets to show. Fails as
/// [`merchant_static_code`] does, and when the currency is not one the platform holds, the
/// amount is not positive or is longer than EMVCo's 13 characters, or the two ids are together
/// longer than our template holds (77 characters; the platform's are 36 each).
pub fn merchant_order_code(
    merchant_id: &str,
    order_id: &str,
    name: &str,
    city: &str,
    mcc: &str,
    currency: Currency,
    amount_minor: i64,
) -> Result<String, EmvError> {
    let code = MerchantCode {
        initiation: Initiation::Dynamic,
        order_id: Some(order_id.to_string()),
        currency,
        amount_minor: Some(amount_minor),
        bill_number: (order_id.chars().count() <= emvco::BILL_NUMBER_CHARS_MAX)
            .then(|| order_id.to_string()),
        ..merchant_code(merchant_id, name, city, mcc)?
    };
    code.check()?;
    Ok(code.encode())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_kind_reads_back_what_was_encoded() {
        for p in [
            Payload::Receive {
                wallet_id: "0193-ab".into(),
                amount_minor: None,
            },
            Payload::Receive {
                wallet_id: "w1".into(),
                amount_minor: Some(100),
            },
            Payload::Merchant {
                merchant_id: "m1".into(),
            },
            Payload::Order {
                order_id: "o-1".into(),
            },
        ] {
            assert_eq!(Payload::parse(&p.encode()), Ok(p));
        }
    }

    #[test]
    fn anything_else_is_invalid() {
        for bad in [
            "",
            "qianbao://",
            "qianbao://r/",
            "qianbao://x/abc",
            "https://r/abc",
            "qianbao://r/ABC",
            "qianbao://r/a?amount=0",
            "qianbao://r/a?amount=-1",
            "qianbao://r/a?amount=1.5",
            "qianbao://r/a?amount=99999999999999999999",
            "qianbao://m/a?amount=1",
            "qianbao://o/a/b",
            "qianbao://r/a'; DROP TABLE holders;--",
        ] {
            assert_eq!(Payload::parse(bad), Err(FORMAT_INVALID), "{bad:?}");
        }
        assert_eq!(
            Payload::parse(&format!("qianbao://o/{}", "a".repeat(300))),
            Err(FORMAT_INVALID)
        );
        assert_eq!(
            Payload::parse(&format!("qianbao://o/{}", "a".repeat(600))),
            Err(PayloadInvalid { reason: "too_long" })
        );
    }

    const MERCHANT: &str = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
    const ORDER: &str = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c";

    fn reason(text: &str) -> Option<&'static str> {
        Payload::parse_stated(text).err().map(|e| e.reason)
    }

    #[test]
    fn a_static_emv_code_is_the_merchant() {
        let text = merchant_static_code(MERCHANT, "Noodle Bar", "BEIJING", "5812").unwrap();
        assert!(text.starts_with("000201010211"), "{text}");
        assert!(text.contains("5910Noodle Bar"), "{text}");
        // No language template for an ASCII name.
        assert_eq!(MerchantCode::parse(&text).unwrap().name_local, None);
        let merchant = Payload::Merchant {
            merchant_id: MERCHANT.into(),
        };
        assert_eq!(Payload::parse_stated(&text), Ok((merchant.clone(), None)));
        // As scanned, with the line end a scanner may add.
        assert_eq!(Payload::parse(&format!("{text}\r\n")), Ok(merchant));
    }

    #[test]
    fn a_chinese_name_goes_in_the_language_template() {
        let text = merchant_static_code(MERCHANT, "老北京炸酱面", "Beijing", "5812").unwrap();
        assert!(text.contains("5916QIANBAO MERCHANT"), "{text}");
        assert!(text.contains("64160002ZH0106老北京炸酱面"), "{text}");
        let code = MerchantCode::parse(&text).unwrap();
        assert_eq!(code.name_local.as_deref(), Some("老北京炸酱面"));
        assert_eq!(code.currency, Currency::CNY);
        // Names longer than EMVCo's 25 characters are cut, cities to 15.
        let long = "一二三四五六七八九十".repeat(3);
        let text =
            merchant_static_code(MERCHANT, &long, "SHANGHAI PUDONG NEW AREA", "5812").unwrap();
        let code = MerchantCode::parse(&text).unwrap();
        assert_eq!(code.name_local, Some(long.chars().take(25).collect()));
        assert_eq!(code.city, "SHANGHAI PUDONG");
        let text = merchant_static_code(MERCHANT, &"Noodle ".repeat(5), "X", "5812").unwrap();
        assert_eq!(
            MerchantCode::parse(&text).unwrap().name,
            "Noodle Noodle Noodle Nood"
        );
    }

    #[test]
    fn a_dynamic_emv_code_is_the_order_with_its_amount() {
        let yen = Currency::parse("JPY").unwrap();
        for (currency, amount, written) in
            [(Currency::CNY, 1250, "540512.50"), (yen, 1200, "54041200")]
        {
            let text = merchant_order_code(
                MERCHANT,
                ORDER,
                "老北京炸酱面",
                "BEIJING",
                "5812",
                currency,
                amount,
            )
            .unwrap();
            assert!(text.starts_with("000201010212"), "{text}");
            assert!(text.contains(written), "{text}");
            assert!(text.len() <= PAYLOAD_LEN_MAX);
            assert_eq!(
                Payload::parse_stated(&text),
                Ok((
                    Payload::Order {
                        order_id: ORDER.into()
                    },
                    Some((currency, amount))
                ))
            );
        }
        // A short order id is also the bill number, for other schemes' wallets to show.
        let text =
            merchant_order_code("m1", "o-1", "Shop", "BEIJING", "5812", Currency::CNY, 1).unwrap();
        assert!(text.contains("62070103o-1"), "{text}");
        // The platform's 36-character order ids are not: EMVCo allows 25.
        let text =
            merchant_order_code(MERCHANT, ORDER, "Shop", "BEIJING", "5812", Currency::CNY, 1)
                .unwrap();
        assert_eq!(MerchantCode::parse(&text).unwrap().bill_number, None);
        // The longest code the platform makes fits the payload limit with room to spare.
        let text = merchant_order_code(
            MERCHANT,
            ORDER,
            &"😀".repeat(30),
            &"B".repeat(20),
            "5812",
            Currency::CNY,
            999_999_999_999,
        )
        .unwrap();
        assert!(text.len() < 400, "{} bytes: {text}", text.len());
    }

    #[test]
    fn codes_that_cannot_be_made_are_refused() {
        let zar = Currency::parse("ZAR").unwrap();
        for result in [
            merchant_static_code(MERCHANT, "Shop", "北京", "5812"),
            merchant_static_code(MERCHANT, "Shop", "", "5812"),
            merchant_static_code(MERCHANT, " ", "BEIJING", "5812"),
            merchant_static_code(MERCHANT, "Shop", "BEIJING", "restaurant"),
            merchant_static_code("M1", "Shop", "BEIJING", "5812"),
            merchant_order_code(
                &"m".repeat(40),
                &"o".repeat(40),
                "Shop",
                "BJ",
                "5812",
                Currency::CNY,
                1,
            ),
        ] {
            assert_eq!(result, Err(EmvError::FormatInvalid));
        }
        let order = |currency, amount| {
            merchant_order_code(MERCHANT, ORDER, "Shop", "BJ", "5812", currency, amount)
        };
        assert_eq!(order(zar, 100), Err(EmvError::CurrencyUnknown));
        assert_eq!(order(Currency::CNY, 0), Err(EmvError::AmountInvalid));
        assert_eq!(order(Currency::CNY, -5), Err(EmvError::AmountInvalid));
        assert_eq!(
            order(Currency::CNY, 1_000_000_000_000),
            Err(EmvError::AmountInvalid)
        );
        assert!(order(Currency::CNY, 999_999_999_999).is_ok());
    }

    #[test]
    fn other_emv_codes_are_refused_with_a_reason() {
        // The example of the EMVCo specification: valid, but another scheme's.
        let spec = "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***0708A60086670902ME91320016A0112233449988770708123456786304A13A";
        assert_eq!(reason(spec), Some("not_ours"));
        let ours = merchant_static_code(MERCHANT, "Shop", "BEIJING", "5812").unwrap();
        assert_eq!(
            reason(&ours.replacen("Shop", "Shoq", 1)),
            Some("crc_mismatch")
        );
        assert_eq!(reason(&ours[..ours.len() - 2]), Some("length_invalid"));
        assert_eq!(reason("000201"), Some("tag_missing"));
        assert_eq!(reason("qianbao://m/"), Some("format_invalid"));
        assert_eq!(reason(&"0".repeat(513)), Some("too_long"));
    }

    #[test]
    fn our_own_texts_state_no_amount() {
        let text = "qianbao://r/w1?amount=100";
        assert_eq!(
            Payload::parse_stated(text),
            Ok((
                Payload::Receive {
                    wallet_id: "w1".into(),
                    amount_minor: Some(100)
                },
                None
            ))
        );
    }

    proptest! {
        #[test]
        fn parsing_any_text_never_panics(text in ".{0,300}") {
            let _ = Payload::parse(&text);
        }
    }
}
