//! The texts of the QR codes the platform issues, parsed strictly: a holder's receive code, a
//! merchant's static code and a merchant's order. Anything else scanned is `payload_invalid`.

/// The longest payload looked at; real ones are under 80 characters.
pub const PAYLOAD_LEN_MAX: usize = 256;

const SCHEME: &str = "qianbao://";

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

/// Why a payload is not one of ours.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("payload_invalid")]
pub struct PayloadInvalid;

/// An id as the platform issues them: 1–64 of `[0-9a-z-]`.
fn id(text: &str) -> Result<String, PayloadInvalid> {
    let ok = !text.is_empty()
        && text.len() <= 64
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase() || b == b'-');
    ok.then(|| text.to_string()).ok_or(PayloadInvalid)
}

impl Payload {
    /// Reads a scanned text.
    pub fn parse(text: &str) -> Result<Payload, PayloadInvalid> {
        if text.len() > PAYLOAD_LEN_MAX {
            return Err(PayloadInvalid);
        }
        let rest = text.trim().strip_prefix(SCHEME).ok_or(PayloadInvalid)?;
        let (kind, rest) = rest.split_once('/').ok_or(PayloadInvalid)?;
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
                let digits = query.strip_prefix("amount=").ok_or(PayloadInvalid)?;
                let amount = (!digits.is_empty()
                    && digits.len() <= 15
                    && digits.bytes().all(|b| b.is_ascii_digit()))
                .then(|| digits.parse::<i64>().ok())
                .flatten()
                .filter(|a| *a > 0)
                .ok_or(PayloadInvalid)?;
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
            _ => Err(PayloadInvalid),
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

#[cfg(test)]
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
            assert_eq!(Payload::parse(bad), Err(PayloadInvalid), "{bad:?}");
        }
        assert_eq!(
            Payload::parse(&format!("qianbao://o/{}", "a".repeat(300))),
            Err(PayloadInvalid)
        );
    }

    proptest! {
        #[test]
        fn parsing_any_text_never_panics(text in ".{0,300}") {
            let _ = Payload::parse(&text);
        }
    }
}
