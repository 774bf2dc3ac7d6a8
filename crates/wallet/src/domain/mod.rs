//! Parse, don't validate: the wallet's input values as types whose constructors are the only way in.
//!
//! Each type here is built from untrusted text or bytes exactly once, at the edge, and afterwards
//! carries the proof that it is well formed: a `Phone` is always E.164, an `IdNumber` always has a
//! correct GB 11643 check character and a real birth date, a `CardNumber` always passes Luhn. Each
//! constructor's error enum has a `code()` that is the stable API error code (`phone_invalid`,
//! `id_number_invalid`, …), so the HTTP layer maps rejections without knowing the rules.
//!
//! Personal values (phone, ID number, card number) print masked through both `Display` and
//! `Debug`, and secrets (PIN, password) never print at all, so none of them can leak into a log
//! line by accident; the full value is reachable only through an explicitly named accessor.
//!
//! Everything here is pure: no I/O, no clock. What depends on today's date takes it
//! ([`IdNumber::parse_on`], [`ChinaDay::of_ms`] of the Clock port's now).

// Reconciliation: a movement's kind and references at the bank.
pub mod bank;
pub mod bin;
pub mod card_number;
pub mod card_security;
pub mod china_day;
pub mod display_text;
// The international merchant-presented QR format.
pub mod emvco;
pub mod id_number;
pub mod legal_name;
pub mod named;
pub mod network_address;
pub mod password;
pub mod phone;
pub mod photo;
pub mod pin;
pub mod qr_picture;
pub mod totp;
pub mod yuan;

pub use bank::{BankKind, BankReference};
pub use bin::{BinInfo, CardScheme, CardType};
pub use card_number::{CardError, CardNumber};
pub use card_security::{CardExpiry, Cvv};
pub use china_day::{CHINA_OFFSET, ChinaDay};
pub use display_text::{DisplayTextError, display_text};
pub use id_number::{ADULT_AGE, IdNumber, IdNumberError};
pub use legal_name::LegalName;
pub use password::{PASSWORD_CHARS_MAX, PASSWORD_CHARS_MIN, Password, PasswordError};
pub use phone::{Phone, PhoneError};
pub use photo::{
    GreyPicture, MAX_PHOTO_BYTES, MAX_PHOTO_PIXELS, MIN_PHOTO_SIDE_PX, Photo, PhotoError,
    PhotoFormat, PhotoInfo, grey_picture,
};
pub use pin::{Pin, PinContext, PinError, PinWeakness};

/// Bytes as lowercase hex: how digests (the audit chain's links, a statement file's SHA-256, a
/// red packet's commitment) are written for people and other programs to compare.
pub fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Folds a full-width form (U+FF01–U+FF5E, as typed by Chinese input methods: `１３８`, `＋`, `Ｘ`)
/// and the ideographic space (U+3000) to its ASCII twin; every other character is returned as is.
///
/// Why: holders copy numbers out of chat apps and IMEs in full-width mode; refusing `１３８…` would
/// be a needless failure, while folding cannot turn an invalid number into a different valid one.
pub(crate) fn fold_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFF01 + 0x21).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::fold_width;

    #[test]
    fn full_width_digits_signs_and_letters_fold_to_ascii() {
        let folded: String = "＋８６　１３８－Ｘｘ".chars().map(fold_width).collect();
        assert_eq!(folded, "+86 138-Xx");
    }

    #[test]
    fn characters_outside_the_full_width_block_are_left_alone() {
        for c in ['a', '1', '钱', '😀', '\u{FF00}', '\u{FF5F}', '\u{0000}'] {
            assert_eq!(fold_width(c), c);
        }
    }
}
