//! The fuzz targets, one function per parser; see the crate README for what each checks.

// EMVCo merchant-presented QR codes.
mod emvco;
mod identity;
mod ledger;
mod money;
mod photo;
mod signature;
// Reconciliation: the bank's statement file.
mod statement;

use crate::Target;

/// Every target, in the order `all` runs them.
pub(crate) const ALL: &[Target] = &[
    Target {
        name: "phone",
        about: "Phone::parse: E.164 shape, round trip, the typed digits kept, masked printing",
        run: identity::phone,
        test_cases: 20_000,
    },
    Target {
        name: "id_number",
        about: "IdNumber::parse_on: check character, birth date up to today, round trip, age",
        run: identity::id_number,
        test_cases: 10_000,
    },
    Target {
        name: "card_number",
        about: "CardNumber::parse: 13-19 digits, Luhn, the typed digits kept, masked printing",
        run: identity::card_number,
        test_cases: 20_000,
    },
    Target {
        name: "pin",
        about: "Pin::parse and check_strength: six ASCII digits; own details always weak",
        run: identity::pin,
        test_cases: 10_000,
    },
    Target {
        name: "password",
        about: "Password::parse: 8-128 characters as typed, no controls, no phone digits",
        run: identity::password,
        test_cases: 5_000,
    },
    Target {
        name: "legal_name",
        about: "LegalName::parse: trimmed input, 1-50 letters or ' .-·•, mask is * and the last",
        run: identity::legal_name,
        test_cases: 10_000,
    },
    Target {
        name: "photo",
        about: "Photo::inspect: PNG/JPEG decoding never panics; accepted photos are sound",
        run: photo::photo,
        test_cases: 60,
    },
    Target {
        name: "payload",
        about: "Payload::parse: issued ids, positive amounts, encode/parse round trip",
        run: money::payload,
        test_cases: 20_000,
    },
    Target {
        name: "emvco",
        about: "Emv/MerchantCode::parse: canonical re-encoding, round trip, CRC catches one byte",
        run: emvco::emvco,
        test_cases: 10_000,
    },
    Target {
        name: "payment_code",
        about: "Money::charge: 18 ASCII digits (trimmed) reach the store, nothing else does",
        run: money::payment_code,
        test_cases: 10_000,
    },
    Target {
        name: "instruction",
        about: "Instruction::decode: encode/decode round trip, and decoded text is canonical",
        run: ledger::instruction,
        test_cases: 20_000,
    },
    Target {
        name: "amount",
        about: "money::amount, yuan, Amount arithmetic, fees and limits on boundary numbers",
        run: money::amount,
        test_cases: 20_000,
    },
    Target {
        name: "names",
        about: "Currency, money::currency, AccountKind, HoldState, Delay, Purpose parse/as_str",
        run: money::names,
        test_cases: 20_000,
    },
    Target {
        name: "signature",
        about: "signature::verify: the documented grammar exactly; one-byte changes refused",
        run: signature::signature,
        test_cases: 3_000,
    },
    Target {
        name: "statement",
        about: "Statement::parse_csv: valid files round trip; others parse to a fixed point or name a line",
        run: statement::statement,
        test_cases: 3_000,
    },
];
