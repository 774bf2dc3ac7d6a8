//! EMVCo merchant-presented QR codes (EMV QRCPS-MPM), the format UnionPay, most national QR
//! schemes and Alipay+ read, so that a merchant's code can be scanned by wallets other than ours.
//!
//! Two layers, because a scanned code can be valid EMV and still not be ours:
//!
//! - [`Emv::parse`] checks what EMVCo itself requires of any merchant-presented code: the
//!   ID–length–value grammar, the CRC, the payload format indicator first and the CRC last, no
//!   repeated ID, the mandatory objects and the format of the root values. Other schemes' merchant
//!   account templates (02–51) and unreserved templates (80–99) are carried and left alone: a real
//!   code often names several schemes at once.
//! - [`MerchantCode::parse`] reads one of our codes on top of that: our merchant account template
//!   (ID 26, globally unique identifier [`QIANBAO_GUID`]), a currency the platform knows, an amount
//!   in that currency's minor units, and what a dynamic code must carry. A valid code of another
//!   scheme is [`EmvError::NotOurs`].
//!
//! Lengths count characters (Unicode scalar values), as EMVCo defines them and as the JavaScript and
//! Python libraries count; the CRC is computed over the UTF-8 bytes. Pure code: no I/O.

use crate::domain::display_text::is_hidden;
use qianbao_ledger::Currency;

/// The longest text looked at, in characters: EMVCo's own ceiling for a merchant-presented code.
pub const TEXT_CHARS_MAX: usize = 512;

/// The globally unique identifier of our merchant account template (ID 26, sub-ID 00): a reverse
/// domain name, as EMVCo suggests, so no other scheme's template can be mistaken for ours.
pub const QIANBAO_GUID: &str = "CN.QIANBAO";

/// What goes in the merchant name (ID 59) when the real name is not printable ASCII: EMVCo allows
/// only that alphabet there, so the real name goes in the language template (ID 64).
pub const NAME_FALLBACK: &str = "QIANBAO MERCHANT";

/// The language of our alternate-language template (ID 64, sub-ID 00).
pub const LANGUAGE_ZH: &str = "ZH";

/// Most characters of the merchant name (ID 59), and of the alternate-language name (64-01).
pub const NAME_CHARS_MAX: usize = 25;

/// Most characters of the merchant city (ID 60).
pub const CITY_CHARS_MAX: usize = 15;

/// Most characters of the bill number (62-01).
pub const BILL_NUMBER_CHARS_MAX: usize = 25;

/// Most characters of an id in our template: the ids the platform issues are at most this long.
pub const ID_CHARS_MAX: usize = 64;

/// Most characters of the transaction amount (ID 54), point included.
pub const AMOUNT_CHARS_MAX: usize = 13;

/// A value's length is two decimal digits.
const VALUE_CHARS_MAX: usize = 99;

// Root IDs (EMV QRCPS-MPM, table 3.3).
const ID_FORMAT: u8 = 0;
const ID_INITIATION: u8 = 1;
const ID_OURS: u8 = 26;
const ID_MCC: u8 = 52;
const ID_CURRENCY: u8 = 53;
const ID_AMOUNT: u8 = 54;
const ID_COUNTRY: u8 = 58;
const ID_NAME: u8 = 59;
const ID_CITY: u8 = 60;
const ID_ADDITIONAL: u8 = 62;
const ID_CRC: u8 = 63;
const ID_LANGUAGE: u8 = 64;

/// Merchant account information templates, ours among them; 02–25 are primitive and owned by
/// the card networks, 26–51 are templates whose sub-ID 00 says whose they are.
const ACCOUNT_IDS: std::ops::RangeInclusive<u8> = 2..=51;
const ACCOUNT_TEMPLATE_IDS: std::ops::RangeInclusive<u8> = 26..=51;

// Sub-IDs of our template, of the additional data template and of the language template.
const SUB_GUID: u8 = 0;
const SUB_MERCHANT_ID: u8 = 1;
const SUB_ORDER_ID: u8 = 2;
const SUB_BILL_NUMBER: u8 = 1;
const SUB_LANGUAGE: u8 = 0;
const SUB_LOCAL_NAME: u8 = 1;

/// Why a text is not a valid EMV merchant-presented code, or not one of ours. Each has a stable
/// short reason that callers can hand on (`PayloadInvalid` does).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EmvError {
    /// More than [`TEXT_CHARS_MAX`] characters.
    #[error("too_long")]
    TooLong,
    /// An ID or length that is not two ASCII digits, a zero length, or a length running past the
    /// end of the text (or of its template).
    #[error("length_invalid")]
    LengthInvalid,
    /// The CRC (ID 63) is not four uppercase hex digits, or not the CRC of the text before it.
    #[error("crc_mismatch")]
    CrcMismatch,
    /// The payload format indicator is not first, or the CRC not last.
    #[error("tag_order")]
    TagOrder,
    /// An ID appears twice in the same template.
    #[error("tag_duplicate")]
    TagDuplicate,
    /// A mandatory data object is absent.
    #[error("tag_missing")]
    TagMissing,
    /// A value is not of its format (payload format indicator, point of initiation, category,
    /// currency code, country, name, city, ids, language).
    #[error("format_invalid")]
    FormatInvalid,
    /// The amount is not a positive decimal of at most 13 characters, or has more fraction digits
    /// than its currency's exponent.
    #[error("amount_invalid")]
    AmountInvalid,
    /// The currency's numeric code is not one the platform holds.
    #[error("currency_unknown")]
    CurrencyUnknown,
    /// A valid EMV code, but without our merchant account template: another scheme's.
    #[error("not_ours")]
    NotOurs,
}

impl EmvError {
    /// The stable short reason, the same text as `Display`.
    pub fn reason(self) -> &'static str {
        match self {
            EmvError::TooLong => "too_long",
            EmvError::LengthInvalid => "length_invalid",
            EmvError::CrcMismatch => "crc_mismatch",
            EmvError::TagOrder => "tag_order",
            EmvError::TagDuplicate => "tag_duplicate",
            EmvError::TagMissing => "tag_missing",
            EmvError::FormatInvalid => "format_invalid",
            EmvError::AmountInvalid => "amount_invalid",
            EmvError::CurrencyUnknown => "currency_unknown",
            EmvError::NotOurs => "not_ours",
        }
    }
}

/// CRC-16/CCITT-FALSE (polynomial 0x1021, initial value 0xFFFF, no reflection, no final XOR), the
/// checksum EMVCo prescribes (ISO/IEC 13239).
pub fn crc16(bytes: &[u8]) -> u16 {
    let mut crc: u16 = 0xFFFF;
    for &byte in bytes {
        crc ^= u16::from(byte) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// One data object: a two-digit ID and its value (a template's value is itself data objects).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataObject {
    /// The ID, 0–99.
    pub id: u8,
    /// The value, 1–99 characters.
    pub value: String,
}

/// The two ASCII digits at the start of `bytes` as a number.
fn two_digits(bytes: &[u8]) -> Option<u8> {
    match bytes {
        [a, b, ..] if a.is_ascii_digit() && b.is_ascii_digit() => {
            Some((a - b'0') * 10 + (b - b'0'))
        }
        _ => None,
    }
}

/// Reads a sequence of data objects, the text of the whole code or of one template, with nothing
/// left over. This is only the grammar: no CRC, no order, no duplicates checked.
pub fn parse_tlv(text: &str) -> Result<Vec<DataObject>, EmvError> {
    let mut objects = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let head = rest.as_bytes();
        let id = two_digits(head).ok_or(EmvError::LengthInvalid)?;
        let len = two_digits(head.get(2..).unwrap_or_default()).ok_or(EmvError::LengthInvalid)?;
        if len == 0 {
            return Err(EmvError::LengthInvalid);
        }
        // The four bytes just read are ASCII digits, so byte 4 starts a character.
        let body = &rest[4..];
        // The byte offset after `len` characters; the end of the text counts as one.
        let end = body
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(body.len()))
            .nth(usize::from(len))
            .ok_or(EmvError::LengthInvalid)?;
        objects.push(DataObject {
            id,
            value: body[..end].to_string(),
        });
        rest = &body[end..];
    }
    Ok(objects)
}

/// Appends one data object; the length is in characters.
fn push_tlv(out: &mut String, id: u8, value: &str) {
    out.push_str(&format!("{id:02}{:02}", value.chars().count()));
    out.push_str(value);
}

/// Appends the CRC object: its ID and length are part of what the CRC covers.
fn with_crc(mut body: String) -> String {
    body.push_str("6304");
    let crc = crc16(body.as_bytes());
    body.push_str(&format!("{crc:04X}"));
    body
}

/// Refuses a template whose IDs repeat: which of two values counts would be a guess.
fn unique_ids(objects: &[DataObject]) -> Result<(), EmvError> {
    let mut seen = [false; 100];
    for o in objects {
        let slot = seen
            .get_mut(usize::from(o.id))
            .ok_or(EmvError::LengthInvalid)?;
        if *slot {
            return Err(EmvError::TagDuplicate);
        }
        *slot = true;
    }
    Ok(())
}

/// The value of sub-ID `id` in a template already checked for duplicates.
fn sub(objects: &[DataObject], id: u8) -> Option<&str> {
    objects
        .iter()
        .find(|o| o.id == id)
        .map(|o| o.value.as_str())
}

/// Whether `text` is `n` ASCII digits.
fn digits(text: &str, n: usize) -> bool {
    text.len() == n && text.bytes().all(|b| b.is_ascii_digit())
}

/// EMVCo's "ans": printable ASCII, 1 to `max` characters.
fn ans(text: &str, max: usize) -> bool {
    !text.is_empty() && text.len() <= max && text.bytes().all(|b| (b' '..=b'~').contains(&b))
}

/// Whether `text` is an id as the platform issues them (wallets, shops, orders): 1–64 of
/// `[0-9a-z-]`.
pub fn issued_id(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= ID_CHARS_MAX
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase() || b == b'-')
}

/// Splits an amount into its integer and fraction digits: digits, at most one point, at least one
/// digit before it, at most 13 characters. No sign, no exponent, no separators.
fn amount_parts(text: &str) -> Option<(&str, &str)> {
    if text.len() > AMOUNT_CHARS_MAX {
        return None;
    }
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    let ok = !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit());
    ok.then_some((int, frac))
}

/// 10^exponent; `None` past what an i64 holds (the currency table's exponents are 0 and 2).
fn scale(exponent: u8) -> Option<i64> {
    10i64.checked_pow(u32::from(exponent))
}

/// Reads an amount in major units as minor units of a currency with `exponent` digits: "12.5"
/// with exponent 2 is 1250. More fraction digits than the exponent would be a sub-minor amount
/// the ledger cannot hold, so they are refused rather than rounded.
pub fn amount_minor(text: &str, exponent: u8) -> Result<i64, EmvError> {
    let (int, frac) = amount_parts(text).ok_or(EmvError::AmountInvalid)?;
    let missing = usize::from(exponent)
        .checked_sub(frac.len())
        .ok_or(EmvError::AmountInvalid)?;
    // At most 13 digits in all, so these fit an i64 with room to spare.
    let int: i64 = int.parse().map_err(|_| EmvError::AmountInvalid)?;
    let frac: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse().map_err(|_| EmvError::AmountInvalid)?
    };
    let whole = scale(exponent).and_then(|s| int.checked_mul(s));
    let part = u8::try_from(missing)
        .ok()
        .and_then(scale)
        .and_then(|pad| frac.checked_mul(pad));
    let minor = whole
        .zip(part)
        .and_then(|(whole, part)| whole.checked_add(part))
        .ok_or(EmvError::AmountInvalid)?;
    if minor <= 0 {
        return Err(EmvError::AmountInvalid);
    }
    Ok(minor)
}

/// Writes minor units as EMVCo wants the amount: major units with exactly `exponent` fraction
/// digits ("12.50", "1200" for an exponent of 0).
pub fn format_amount(minor: i64, exponent: u8) -> String {
    match scale(exponent) {
        Some(s) if exponent > 0 => format!(
            "{}.{:0width$}",
            minor / s,
            (minor % s).unsigned_abs(),
            width = usize::from(exponent)
        ),
        _ => minor.to_string(),
    }
}

/// How a code is meant to be used (ID 01).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Initiation {
    /// "11": the same code for every payment, printed at the till; the payer types the amount
    /// unless the code states one.
    Static,
    /// "12": a code for one payment, an order of a fixed amount.
    Dynamic,
}

impl Initiation {
    /// The value of ID 01.
    pub fn code(self) -> &'static str {
        match self {
            Initiation::Static => "11",
            Initiation::Dynamic => "12",
        }
    }
}

/// A text that is a valid EMV merchant-presented code, whoever's it is: its data objects in the
/// order read, the payload format indicator first and the CRC last.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Emv {
    objects: Vec<DataObject>,
}

impl Emv {
    /// Checks `text` against what EMVCo requires of every merchant-presented code: at most 512
    /// characters; well-formed data objects; "000201" first and a correct CRC last; no ID twice;
    /// the mandatory objects (a merchant account, 52, 53, 58, 59, 60) present; the point of
    /// initiation "11" or "12" if present; a four-digit category, a three-digit currency, a
    /// two-letter country, a positive amount of at most 13 characters, a name of at most 25 and a
    /// city of at most 15 characters. Other objects are kept unread.
    pub fn parse(text: &str) -> Result<Emv, EmvError> {
        // The byte test first, so a huge text is refused without counting its characters.
        if text.len() > TEXT_CHARS_MAX * 4 || text.chars().count() > TEXT_CHARS_MAX {
            return Err(EmvError::TooLong);
        }
        let objects = parse_tlv(text)?;
        let has = |id: u8| objects.iter().any(|o| o.id == id);
        let misplaced = |id: u8| {
            if has(id) {
                EmvError::TagOrder
            } else {
                EmvError::TagMissing
            }
        };
        let (Some(first), Some(last)) = (objects.first(), objects.last()) else {
            return Err(EmvError::TagMissing);
        };
        if first.id != ID_FORMAT {
            return Err(misplaced(ID_FORMAT));
        }
        if last.id != ID_CRC {
            return Err(misplaced(ID_CRC));
        }
        if last.value.chars().count() != 4 {
            return Err(EmvError::LengthInvalid);
        }
        if !last
            .value
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
        {
            return Err(EmvError::CrcMismatch);
        }
        // The CRC's value is the last four characters, all ASCII, so this is a character boundary.
        let covered = &text[..text.len() - 4];
        if format!("{:04X}", crc16(covered.as_bytes())) != last.value {
            return Err(EmvError::CrcMismatch);
        }
        unique_ids(&objects)?;
        let emv = Emv { objects };
        for id in [ID_MCC, ID_CURRENCY, ID_COUNTRY, ID_NAME, ID_CITY] {
            if emv.get(id).is_none() {
                return Err(EmvError::TagMissing);
            }
        }
        if !emv.objects.iter().any(|o| ACCOUNT_IDS.contains(&o.id)) {
            return Err(EmvError::TagMissing);
        }
        let field = |id: u8| emv.get(id).unwrap_or_default();
        let shown = |text: &str, max: usize| {
            text.chars().count() <= max && !text.chars().any(char::is_control)
        };
        let formats_ok = field(ID_FORMAT) == "01"
            && emv
                .get(ID_INITIATION)
                .is_none_or(|p| p == "11" || p == "12")
            && digits(field(ID_MCC), 4)
            && digits(field(ID_CURRENCY), 3)
            && field(ID_COUNTRY).len() == 2
            && field(ID_COUNTRY).bytes().all(|b| b.is_ascii_alphabetic())
            && shown(field(ID_NAME), NAME_CHARS_MAX)
            && shown(field(ID_CITY), CITY_CHARS_MAX);
        if !formats_ok {
            return Err(EmvError::FormatInvalid);
        }
        if let Some(amount) = emv.get(ID_AMOUNT) {
            // EMVCo: "shall be different from zero". The exponent is checked only where the
            // currency is known, by `MerchantCode`.
            let positive = amount_parts(amount)
                .is_some_and(|(int, frac)| int.bytes().chain(frac.bytes()).any(|b| b != b'0'));
            if !positive {
                return Err(EmvError::AmountInvalid);
            }
        }
        Ok(emv)
    }

    /// The data objects in the order read, the CRC last.
    pub fn objects(&self) -> &[DataObject] {
        &self.objects
    }

    /// The value of root ID `id`, if present.
    pub fn get(&self, id: u8) -> Option<&str> {
        sub(&self.objects, id)
    }

    /// The point of initiation, if the code states one (EMVCo makes it optional).
    pub fn initiation(&self) -> Option<Initiation> {
        match self.get(ID_INITIATION)? {
            "11" => Some(Initiation::Static),
            "12" => Some(Initiation::Dynamic),
            _ => None,
        }
    }

    /// The text again, with its CRC computed afresh: for a parsed code, exactly the text read.
    pub fn encode(&self) -> String {
        let mut body = String::new();
        for o in self.objects.iter().filter(|o| o.id != ID_CRC) {
            push_tlv(&mut body, o.id, &o.value);
        }
        with_crc(body)
    }
}

/// What one of our merchant codes carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MerchantCode {
    /// Static (the till's printed code) or dynamic (one order).
    pub initiation: Initiation,
    /// The merchant's id (our template's sub-ID 01), as the platform issues ids.
    pub merchant_id: String,
    /// The order's id (our template's sub-ID 02): required by a dynamic code, refused in a static
    /// one. It lives in our template rather than in the bill number because EMVCo caps the bill
    /// number at 25 characters and the platform's order ids are 36-character UUIDs.
    pub order_id: Option<String>,
    /// The merchant category code (ISO 18245), four digits.
    pub mcc: String,
    /// The transaction currency, written as its ISO 4217 numeric code.
    pub currency: Currency,
    /// The amount in the currency's minor units: required by a dynamic code; a static code may
    /// fix one.
    pub amount_minor: Option<i64>,
    /// ISO 3166-1 alpha-2 country code, in capitals ("CN").
    pub country: String,
    /// The merchant name (ID 59): 1–25 printable ASCII characters.
    pub name: String,
    /// The merchant city (ID 60): 1–15 printable ASCII characters.
    pub city: String,
    /// The bill number (62-01): 1–25 printable ASCII characters, shown by other schemes' wallets.
    pub bill_number: Option<String>,
    /// The merchant name in Chinese (template 64, language "ZH"): 1–25 characters, none hidden.
    pub name_local: Option<String>,
}

impl MerchantCode {
    /// Checks that the code is within EMVCo's limits and ours, so that [`MerchantCode::encode`]
    /// writes a text that [`MerchantCode::parse`] reads back to this same value.
    pub fn check(&self) -> Result<(), EmvError> {
        let ids_ok = issued_id(&self.merchant_id) && self.order_id.as_deref().is_none_or(issued_id);
        let local_ok = self.name_local.as_deref().is_none_or(|n| {
            let count = n.chars().count();
            (1..=NAME_CHARS_MAX).contains(&count) && !n.chars().any(is_hidden)
        });
        let ok = ids_ok
            && self.ours_template().chars().count() <= VALUE_CHARS_MAX
            && digits(&self.mcc, 4)
            && self.country.len() == 2
            && self.country.bytes().all(|b| b.is_ascii_uppercase())
            && ans(&self.name, NAME_CHARS_MAX)
            && ans(&self.city, CITY_CHARS_MAX)
            && self
                .bill_number
                .as_deref()
                .is_none_or(|b| ans(b, BILL_NUMBER_CHARS_MAX))
            && local_ok;
        if !ok {
            return Err(EmvError::FormatInvalid);
        }
        let info = self.currency.info().ok_or(EmvError::CurrencyUnknown)?;
        if let Some(amount) = self.amount_minor {
            let text = format_amount(amount, info.exponent);
            if amount <= 0 || text.len() > AMOUNT_CHARS_MAX {
                return Err(EmvError::AmountInvalid);
            }
        }
        match self.initiation {
            Initiation::Dynamic if self.amount_minor.is_none() || self.order_id.is_none() => {
                Err(EmvError::TagMissing)
            }
            // A static code is for many payments, so it cannot name one order.
            Initiation::Static if self.order_id.is_some() => Err(EmvError::FormatInvalid),
            _ => Ok(()),
        }
    }

    /// The value of our merchant account template.
    fn ours_template(&self) -> String {
        let mut t = String::new();
        push_tlv(&mut t, SUB_GUID, QIANBAO_GUID);
        push_tlv(&mut t, SUB_MERCHANT_ID, &self.merchant_id);
        if let Some(order_id) = &self.order_id {
            push_tlv(&mut t, SUB_ORDER_ID, order_id);
        }
        t
    }

    /// The text to put in the QR code, objects in ascending ID order as EMVCo recommends. Only a
    /// code that passes [`MerchantCode::check`] gives a text that parses.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        push_tlv(&mut out, ID_FORMAT, "01");
        push_tlv(&mut out, ID_INITIATION, self.initiation.code());
        push_tlv(&mut out, ID_OURS, &self.ours_template());
        push_tlv(&mut out, ID_MCC, &self.mcc);
        let info = self.currency.info();
        push_tlv(
            &mut out,
            ID_CURRENCY,
            &format!("{:03}", info.map_or(0, |i| i.numeric)),
        );
        if let Some(amount) = self.amount_minor {
            let exponent = info.map_or(2, |i| i.exponent);
            push_tlv(&mut out, ID_AMOUNT, &format_amount(amount, exponent));
        }
        push_tlv(&mut out, ID_COUNTRY, &self.country);
        push_tlv(&mut out, ID_NAME, &self.name);
        push_tlv(&mut out, ID_CITY, &self.city);
        if let Some(bill) = &self.bill_number {
            let mut t = String::new();
            push_tlv(&mut t, SUB_BILL_NUMBER, bill);
            push_tlv(&mut out, ID_ADDITIONAL, &t);
        }
        if let Some(local) = &self.name_local {
            let mut t = String::new();
            push_tlv(&mut t, SUB_LANGUAGE, LANGUAGE_ZH);
            push_tlv(&mut t, SUB_LOCAL_NAME, local);
            push_tlv(&mut out, ID_LANGUAGE, &t);
        }
        with_crc(out)
    }

    /// Reads one of our codes: [`Emv::parse`], then [`MerchantCode::from_emv`].
    pub fn parse(text: &str) -> Result<MerchantCode, EmvError> {
        MerchantCode::from_emv(&Emv::parse(text)?)
    }

    /// Reads our code out of a valid EMV code: our template in one of IDs 26–51 (any other
    /// scheme's code is [`EmvError::NotOurs`]), the point of initiation, a currency the platform
    /// holds, an amount with no more fraction digits than its exponent, well-formed 62 and 64
    /// templates, and for a dynamic code an amount and an order id. Sub-IDs we do not write are
    /// ignored, so that a later version can add some.
    pub fn from_emv(emv: &Emv) -> Result<MerchantCode, EmvError> {
        let mut ours = None;
        for o in emv.objects() {
            if !ACCOUNT_TEMPLATE_IDS.contains(&o.id) {
                continue;
            }
            // Another scheme's template need not even parse: it is theirs to define.
            let Ok(subs) = parse_tlv(&o.value) else {
                continue;
            };
            if subs
                .iter()
                .any(|s| s.id == SUB_GUID && s.value == QIANBAO_GUID)
            {
                if ours.is_some() {
                    return Err(EmvError::TagDuplicate);
                }
                ours = Some(subs);
            }
        }
        let ours = ours.ok_or(EmvError::NotOurs)?;
        unique_ids(&ours)?;
        let merchant_id = sub(&ours, SUB_MERCHANT_ID).ok_or(EmvError::TagMissing)?;
        let order_id = sub(&ours, SUB_ORDER_ID).map(str::to_string);
        let initiation = match emv.get(ID_INITIATION) {
            None => return Err(EmvError::TagMissing),
            Some(_) => emv.initiation().ok_or(EmvError::FormatInvalid)?,
        };
        let field = |id: u8| emv.get(id).ok_or(EmvError::TagMissing);
        let numeric: u16 = field(ID_CURRENCY)?
            .parse()
            .map_err(|_| EmvError::FormatInvalid)?;
        let currency = Currency::from_numeric(numeric).ok_or(EmvError::CurrencyUnknown)?;
        let amount_minor = emv
            .get(ID_AMOUNT)
            .map(|text| amount_minor(text, currency.exponent()))
            .transpose()?;
        let bill_number = match emv.get(ID_ADDITIONAL) {
            None => None,
            Some(value) => {
                let subs = parse_tlv(value)?;
                unique_ids(&subs)?;
                sub(&subs, SUB_BILL_NUMBER).map(str::to_string)
            }
        };
        let name_local = match emv.get(ID_LANGUAGE) {
            None => None,
            Some(value) => {
                let subs = parse_tlv(value)?;
                unique_ids(&subs)?;
                let language = sub(&subs, SUB_LANGUAGE).ok_or(EmvError::TagMissing)?;
                let name = sub(&subs, SUB_LOCAL_NAME).ok_or(EmvError::TagMissing)?;
                if language != LANGUAGE_ZH {
                    return Err(EmvError::FormatInvalid);
                }
                Some(name.to_string())
            }
        };
        let code = MerchantCode {
            initiation,
            merchant_id: merchant_id.to_string(),
            order_id,
            mcc: field(ID_MCC)?.to_string(),
            currency,
            amount_minor,
            country: field(ID_COUNTRY)?.to_string(),
            name: field(ID_NAME)?.to_string(),
            city: field(ID_CITY)?.to_string(),
            bill_number,
            name_local,
        };
        code.check()?;
        Ok(code)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use qianbao_ledger::KNOWN_CURRENCIES;

    /// The example of EMV QRCPS-MPM v1.1, appendix (a dynamic code of two schemes, 29 and 31,
    /// with a Chinese language template and an unreserved template 91). Its CRC, A13A, checks.
    const SPEC_EXAMPLE: &str = "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***0708A60086670902ME91320016A0112233449988770708123456786304A13A";

    /// Examples printed in the Banco Central do Brasil's manuals (Pix "Manual de Padrões para
    /// Iniciação do Pix" 2.6.3, 2.7.2 and 2.8.5, and the BR Code manual 2.2), as reproduced in
    /// public implementations; each one's CRC checks, so the transcription is right. Pix codes
    /// are EMV merchant-presented codes: one has no point of initiation, one is dynamic without
    /// an amount, one carries a Mastercard object (04), a second scheme (27), a postal code (61)
    /// and an unreserved template (80).
    const PIX_EXAMPLES: &[&str] = &[
        "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D",
        "00020101021226700014br.gov.bcb.pix2548pix.example.com/8b3da2f39a4140d1a91abd93113bd4415204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***630464E4",
        "00020126180014br.gov.bcb.pix5204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***80740014br.gov.bcb.pix2552pix.example.com/rec/2353c790eefb11eaadc10242ac1200026304F2DA",
        "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865406100.505802BR5913Fulano de Tal6008BRASILIA62070503***80740014br.gov.bcb.pix2552pix.example.com/rec/2353c790eefb11eaadc10242ac12000263042875",
        "00020104141234567890123426580014BR.GOV.BCB.PIX0136123e4567-e12b-12d1-a456-42665544000027300012BR.COM.OUTRO011001234567895204000053039865406123.455802BR5917NOME DO RECEBEDOR6008BRASILIA61087007490062190515RP12345678-201980390012BR.COM.OUTRO01190123.ABCD.3456.WXYZ6304AD38",
    ];

    fn jpy() -> Currency {
        Currency::parse("JPY").unwrap()
    }

    fn static_code() -> MerchantCode {
        MerchantCode {
            initiation: Initiation::Static,
            merchant_id: "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b".into(),
            order_id: None,
            mcc: "5812".into(),
            currency: Currency::CNY,
            amount_minor: None,
            country: "CN".into(),
            name: "QIANBAO MERCHANT".into(),
            city: "BEIJING".into(),
            bill_number: None,
            name_local: Some("老北京炸酱面".into()),
        }
    }

    fn dynamic_code() -> MerchantCode {
        MerchantCode {
            initiation: Initiation::Dynamic,
            order_id: Some("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c".into()),
            amount_minor: Some(1250),
            name: "NOODLE BAR".into(),
            name_local: None,
            bill_number: Some("A-1001".into()),
            ..static_code()
        }
    }

    /// Rewrites `text`'s CRC so that only the change made to it is tested.
    fn recrc(text: &str) -> String {
        with_crc(text[..text.len() - 8].to_string())
    }

    #[test]
    fn the_crc_is_ccitt_false() {
        assert_eq!(crc16(b"123456789"), 0x29B1);
        assert_eq!(crc16(b""), 0xFFFF);
    }

    #[test]
    fn the_specification_example_is_valid_emv_but_not_ours() {
        let emv = Emv::parse(SPEC_EXAMPLE).unwrap();
        assert!(SPEC_EXAMPLE.ends_with("6304A13A"));
        // 248 characters, 260 bytes: lengths count characters.
        assert_eq!(SPEC_EXAMPLE.chars().count(), 248);
        assert_eq!(emv.get(ID_LANGUAGE), Some("0002ZH0104最佳运输0202北京"));
        assert_eq!(emv.get(ID_AMOUNT), Some("23.72"));
        assert_eq!(emv.initiation(), Some(Initiation::Dynamic));
        assert_eq!(emv.encode(), SPEC_EXAMPLE);
        assert_eq!(MerchantCode::parse(SPEC_EXAMPLE), Err(EmvError::NotOurs));
    }

    #[test]
    fn published_pix_examples_are_valid_emv_but_not_ours() {
        for text in PIX_EXAMPLES {
            let emv = Emv::parse(text).unwrap_or_else(|e| panic!("{e}: {text}"));
            assert_eq!(&emv.encode(), text);
            assert_eq!(MerchantCode::parse(text), Err(EmvError::NotOurs), "{text}");
        }
    }

    #[test]
    fn a_static_code_with_a_chinese_name_reads_back() {
        let code = static_code();
        let text = code.encode();
        assert!(text.starts_with("00020101021126"), "{text}");
        assert!(text.contains("5303156"), "{text}");
        assert!(text.contains("64160002ZH0106老北京炸酱面"), "{text}");
        assert_eq!(Emv::parse(&text).unwrap().get(ID_AMOUNT), None);
        assert_eq!(MerchantCode::parse(&text), Ok(code));
    }

    #[test]
    fn a_dynamic_code_reads_back_with_its_amount_and_order() {
        let code = dynamic_code();
        let text = code.encode();
        assert!(text.contains("540512.50"), "{text}");
        assert!(text.contains("62100106A-1001"), "{text}");
        assert!(text.contains("0236"), "{text}");
        assert_eq!(MerchantCode::parse(&text), Ok(code));
    }

    #[test]
    fn yen_amounts_have_no_fraction() {
        let code = MerchantCode {
            currency: jpy(),
            amount_minor: Some(1200),
            ..dynamic_code()
        };
        let text = code.encode();
        assert!(text.contains("53033925404120058"), "{text}");
        assert_eq!(MerchantCode::parse(&text), Ok(code));
        let fractional = recrc(&text.replacen("54041200", "54071200.00", 1));
        assert_eq!(
            MerchantCode::parse(&fractional),
            Err(EmvError::AmountInvalid)
        );
    }

    #[test]
    fn amounts_read_with_fewer_fraction_digits_never_more() {
        assert_eq!(amount_minor("12.50", 2), Ok(1250));
        assert_eq!(amount_minor("12.5", 2), Ok(1250));
        assert_eq!(amount_minor("12.", 2), Ok(1200));
        assert_eq!(amount_minor("12", 2), Ok(1200));
        assert_eq!(amount_minor("0.01", 2), Ok(1));
        assert_eq!(amount_minor("1200", 0), Ok(1200));
        assert_eq!(amount_minor("9999999999.99", 2), Ok(999_999_999_999));
        for bad in [
            "12.505",
            "1.5",
            "0",
            "0.00",
            "-1",
            "+1",
            "1e3",
            ".5",
            "",
            "1,000",
            "1.2.3",
            "12345678901234",
            " 1",
            "１",
        ] {
            let exponent = if bad == "1.5" { 0 } else { 2 };
            assert_eq!(
                amount_minor(bad, exponent),
                Err(EmvError::AmountInvalid),
                "{bad:?}"
            );
        }
        assert_eq!(format_amount(1250, 2), "12.50");
        assert_eq!(format_amount(5, 2), "0.05");
        assert_eq!(format_amount(1200, 0), "1200");
    }

    #[test]
    fn each_broken_rule_has_its_reason() {
        let good = dynamic_code().encode();
        let cases: Vec<(String, EmvError)> = vec![
            // One character changed, CRC left as it was.
            (good.replacen("NOODLE", "NOODLF", 1), EmvError::CrcMismatch),
            // A CRC in lower case is not what EMVCo prescribes.
            (good.to_lowercase(), EmvError::CrcMismatch),
            (
                format!("{}{}", &good[..good.len() - 4], "a13a"),
                EmvError::CrcMismatch,
            ),
            // A length running past the end, a letter for a length, a zero length.
            (
                good.replacen("5910NOODLE BAR", "5999NOODLE BAR", 1),
                EmvError::LengthInvalid,
            ),
            (
                recrc(&good.replacen("5910", "59A0", 1)),
                EmvError::LengthInvalid,
            ),
            (
                recrc(&good.replacen("5802CN", "5800", 1)),
                EmvError::LengthInvalid,
            ),
            (good[..good.len() - 1].to_string(), EmvError::LengthInvalid),
            // The CRC not last, the payload format indicator not first.
            (format!("{good}5802CN"), EmvError::TagOrder),
            (
                recrc(&format!("5802CN{}", good.replacen("5802CN", "", 1))),
                EmvError::TagOrder,
            ),
            // Twice the same ID.
            (
                recrc(&good.replacen("5802CN", "5802CN5802CN", 1)),
                EmvError::TagDuplicate,
            ),
            // A mandatory object missing.
            (recrc(&good.replacen("5802CN", "", 1)), EmvError::TagMissing),
            (
                recrc(&good.replacen("6007BEIJING", "", 1)),
                EmvError::TagMissing,
            ),
            (recrc(&good.replacen("010212", "", 1)), EmvError::TagMissing),
            // A dynamic code without its amount.
            (
                recrc(&good.replacen("540512.50", "", 1)),
                EmvError::TagMissing,
            ),
            // Values not of their format.
            (
                recrc(&good.replacen("000201", "000202", 1)),
                EmvError::FormatInvalid,
            ),
            (
                recrc(&good.replacen("010212", "010213", 1)),
                EmvError::FormatInvalid,
            ),
            (
                recrc(&good.replacen("52045812", "5204581A", 1)),
                EmvError::FormatInvalid,
            ),
            (
                recrc(&good.replacen("5802CN", "5802C1", 1)),
                EmvError::FormatInvalid,
            ),
            // Amounts.
            (
                recrc(&good.replacen("540512.50", "54050.000", 1)),
                EmvError::AmountInvalid,
            ),
            (
                recrc(&good.replacen("540512.50", "5406-12.50", 1)),
                EmvError::AmountInvalid,
            ),
            (
                recrc(&good.replacen("540512.50", "540612.505", 1)),
                EmvError::AmountInvalid,
            ),
            (
                recrc(&good.replacen("540512.50", "5405abcde", 1)),
                EmvError::AmountInvalid,
            ),
            // A currency the platform does not hold (the real, 986).
            (
                recrc(&good.replacen("5303156", "5303986", 1)),
                EmvError::CurrencyUnknown,
            ),
            // Not our template.
            (
                recrc(&good.replacen("CN.QIANBAO", "CN.QIANBAX", 1)),
                EmvError::NotOurs,
            ),
            // Too long.
            ("0".repeat(TEXT_CHARS_MAX + 1), EmvError::TooLong),
        ];
        for (text, want) in cases {
            assert_eq!(MerchantCode::parse(&text), Err(want), "{text}");
            assert_eq!(want.to_string(), want.reason());
        }
    }

    #[test]
    fn a_static_code_may_not_name_an_order_nor_a_dynamic_one_omit_it() {
        let static_with_order = MerchantCode {
            order_id: Some("o-1".into()),
            ..static_code()
        };
        assert_eq!(static_with_order.check(), Err(EmvError::FormatInvalid));
        assert_eq!(
            MerchantCode::parse(&static_with_order.encode()),
            Err(EmvError::FormatInvalid)
        );
        let dynamic_without_order = MerchantCode {
            order_id: None,
            ..dynamic_code()
        };
        assert_eq!(
            MerchantCode::parse(&dynamic_without_order.encode()),
            Err(EmvError::TagMissing)
        );
    }

    #[test]
    fn other_schemes_templates_are_carried_beside_ours() {
        // Our code with the specification example's two foreign templates and its template 91.
        let text = static_code().encode();
        let foreign = "29300012D156000000000510A93FO3230Q91320016A011223344998877070812345678";
        let with_others = recrc(&text.replacen("52045812", &format!("{foreign}52045812"), 1));
        assert_eq!(MerchantCode::parse(&with_others), Ok(static_code()));
        // Our template in 27 rather than 26 is still ours; in both it is ambiguous.
        let value = Emv::parse(&text).unwrap().get(ID_OURS).unwrap().to_string();
        let ours = format!("26{}{value}", value.len());
        assert!(text.contains(&ours), "{text}");
        let moved = recrc(&text.replacen(&ours, &format!("27{}", &ours[2..]), 1));
        assert_eq!(MerchantCode::parse(&moved), Ok(static_code()));
        let twice = recrc(&text.replacen(&ours, &format!("{ours}27{}", &ours[2..]), 1));
        assert_eq!(MerchantCode::parse(&twice), Err(EmvError::TagDuplicate));
    }

    #[test]
    fn a_language_template_must_be_chinese_and_named() {
        let text = static_code().encode();
        let other = recrc(&text.replacen("0002ZH", "0002EN", 1));
        assert_eq!(MerchantCode::parse(&other), Err(EmvError::FormatInvalid));
        let unnamed = recrc(&text.replacen("64160002ZH0106老北京炸酱面", "64060002ZH", 1));
        assert_eq!(MerchantCode::parse(&unnamed), Err(EmvError::TagMissing));
    }

    #[test]
    fn the_limits_are_enforced_on_encoding() {
        for bad in [
            MerchantCode {
                name: "最佳".into(),
                ..static_code()
            },
            MerchantCode {
                name: "A".repeat(26),
                ..static_code()
            },
            MerchantCode {
                city: "A".repeat(16),
                ..static_code()
            },
            MerchantCode {
                merchant_id: "M1".into(),
                ..static_code()
            },
            MerchantCode {
                country: "cn".into(),
                ..static_code()
            },
            MerchantCode {
                name_local: Some("\u{202e}最佳".into()),
                ..static_code()
            },
        ] {
            assert_eq!(bad.check(), Err(EmvError::FormatInvalid), "{bad:?}");
            assert!(MerchantCode::parse(&bad.encode()).is_err(), "{bad:?}");
        }
        let huge = MerchantCode {
            amount_minor: Some(1_000_000_000_000),
            ..dynamic_code()
        };
        assert_eq!(huge.check(), Err(EmvError::AmountInvalid));
        let most = MerchantCode {
            amount_minor: Some(999_999_999_999),
            ..dynamic_code()
        };
        assert_eq!(MerchantCode::parse(&most.encode()), Ok(most));
    }

    fn any_code() -> impl Strategy<Value = MerchantCode> {
        let id = "[0-9a-z-]{1,36}";
        (
            any::<bool>(),
            id,
            id,
            "[0-9]{4}",
            0..KNOWN_CURRENCIES.len(),
            proptest::option::of(1i64..=i64::MAX),
            "[A-Z]{2}",
            "[ -~]{1,25}",
            "[ -~]{1,15}",
            proptest::option::of("[ -~]{1,25}"),
            proptest::option::of("[a-z 一-龥😀-🙏·]{1,25}"),
        )
            .prop_map(
                |(
                    dynamic,
                    merchant_id,
                    order_id,
                    mcc,
                    c,
                    amount,
                    country,
                    name,
                    city,
                    bill,
                    local,
                )| {
                    let info = KNOWN_CURRENCIES[c];
                    // The largest amount of 13 characters in this currency.
                    let max = if info.exponent == 0 {
                        9_999_999_999_999
                    } else {
                        999_999_999_999
                    };
                    let amount = amount.map(|a| 1 + a % max);
                    MerchantCode {
                        initiation: if dynamic {
                            Initiation::Dynamic
                        } else {
                            Initiation::Static
                        },
                        merchant_id,
                        order_id: dynamic.then_some(order_id),
                        mcc,
                        currency: info.currency,
                        amount_minor: if dynamic {
                            Some(amount.unwrap_or(1))
                        } else {
                            amount
                        },
                        country,
                        name,
                        city,
                        bill_number: bill,
                        name_local: local,
                    }
                },
            )
    }

    proptest! {
        #[test]
        fn any_code_within_the_limits_reads_back(code in any_code()) {
            prop_assert_eq!(code.check(), Ok(()));
            let text = code.encode();
            prop_assert!(text.chars().count() <= TEXT_CHARS_MAX);
            prop_assert_eq!(Emv::parse(&text).map(|e| e.encode()), Ok(text.clone()));
            prop_assert_eq!(MerchantCode::parse(&text), Ok(code));
        }

        #[test]
        fn parsing_any_text_never_panics(text in ".{0,600}") {
            let _ = MerchantCode::parse(&text);
        }

        #[test]
        fn a_damaged_code_never_parses_as_another(
            code in any_code(),
            at in any::<usize>(),
            cut in any::<bool>(),
            c in any::<char>(),
        ) {
            let text = code.encode();
            let mut chars: Vec<char> = text.chars().collect();
            let i = at % chars.len();
            // One ASCII byte for another is a burst of at most 8 bits, which the CRC always
            // catches; other changes can shift bytes, so for them only the absence of a panic is
            // certain.
            let one_byte = !cut && chars[i].is_ascii() && c.is_ascii();
            if cut {
                chars.truncate(i);
            } else {
                chars[i] = c;
            }
            let damaged: String = chars.into_iter().collect();
            let parsed = MerchantCode::parse(&damaged);
            if one_byte && damaged != text {
                prop_assert!(parsed.is_err(), "{damaged}");
            }
            if cut {
                prop_assert!(parsed.is_err(), "{damaged}");
            }
        }
    }
}
