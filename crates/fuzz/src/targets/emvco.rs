//! `domain::emvco`: EMVCo merchant-presented QR codes, any scheme's (`Emv::parse`) and ours
//! (`MerchantCode::parse`), and `Payload::parse_stated` on top of them.

use crate::generate::{Rng, any_char, mutate_text, random_text, token_text};
use crate::{Case, Check, ensure};
use qianbao_ledger::KNOWN_CURRENCIES;
use qianbao_wallet::domain::emvco::{
    self, Emv, EmvError, Initiation, MerchantCode, TEXT_CHARS_MAX, crc16, parse_tlv,
};
use qianbao_wallet::money::payload::{PAYLOAD_LEN_MAX, Payload};

/// Characters of the ids the platform issues.
const ID_CHARS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz-";

/// Characters for the Chinese name: CJK, a four-byte emoji, a middle dot and ASCII. Now and then
/// a hidden character is put in too, which must be refused.
const LOCAL_CHARS: &[char] = &[
    '最', '佳', '运', '输', '北', '京', '钱', '包', '😀', '·', 'a', ' ',
];

/// Published codes of other schemes: the EMV QRCPS-MPM specification's example and the Pix
/// manuals' static, dynamic and multi-scheme examples.
const FOREIGN: &[&str] = &[
    "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***0708A60086670902ME91320016A0112233449988770708123456786304A13A",
    "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D",
    "00020101021226700014br.gov.bcb.pix2548pix.example.com/8b3da2f39a4140d1a91abd93113bd4415204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***630464E4",
    "00020104141234567890123426580014BR.GOV.BCB.PIX0136123e4567-e12b-12d1-a456-42665544000027300012BR.COM.OUTRO011001234567895204000053039865406123.455802BR5917NOME DO RECEBEDOR6008BRASILIA61087007490062190515RP12345678-201980390012BR.COM.OUTRO01190123.ABCD.3456.WXYZ6304AD38",
];

/// Other schemes' objects that can sit beside our template in one code.
const FOREIGN_OBJECTS: &[&str] = &[
    "29300012D156000000000510A93FO3230Q",
    "041412345678901234",
    "27300012BR.COM.OUTRO01100123456789",
    "91320016A011223344998877070812345678",
    "550201610870074900",
];

/// Tokens of the grammar.
const DICT: &[&str] = &[
    "000201",
    "010211",
    "010212",
    "0112",
    "26",
    "0010CN.QIANBAO",
    "CN.QIANBAO",
    "cn.qianbao",
    "01",
    "02",
    "5204",
    "5303156",
    "5303392",
    "5303986",
    "5303000",
    "54",
    "5405",
    "12.50",
    "0.00",
    "12.505",
    "-1",
    ".",
    "5802CN",
    "59",
    "60",
    "62",
    "0503***",
    "64",
    "0002ZH",
    "0002EN",
    "最佳运输",
    "6304",
    "63",
    "99",
    "00",
    "A13A",
    "\u{202e}",
];

/// `len` characters of `alphabet`.
fn text_of(rng: &mut Rng, alphabet: &[u8], len: usize) -> String {
    (0..len).map(|_| char::from(*rng.pick(alphabet))).collect()
}

/// Printable ASCII of 1 to `max` characters, the longest now and then, one too many rarely.
fn ans(rng: &mut Rng, max: usize) -> String {
    let len = match rng.below(20) {
        0 => max,
        1 => max + 1,
        _ => 1 + rng.below(max),
    };
    (0..len)
        .map(|_| char::from(b' ' + rng.below(95) as u8))
        .collect()
}

/// An id of 1–36 issued characters, sometimes longer, sometimes with a capital.
fn some_id(rng: &mut Rng) -> String {
    let len = match rng.below(20) {
        0 => 64,
        1 => 65,
        _ => 1 + rng.below(36),
    };
    let mut id = text_of(rng, ID_CHARS, len);
    if rng.chance(3) {
        id.replace_range(0..1, "M");
    }
    id
}

/// An amount in minor units: 1 and the most 13 characters can write (`max`) now and then, one
/// more than that or a non-positive or extreme `i64` rarely.
fn some_amount(rng: &mut Rng, max: i64) -> i64 {
    match rng.below(10) {
        0 => 1,
        1 => max,
        2 => max + 1,
        3 => *rng.pick(&[0, -1, i64::MAX, i64::MIN]),
        _ => rng.between(1, max),
    }
}

/// One of our codes, usually within the limits, sometimes just past one.
fn some_code(rng: &mut Rng) -> MerchantCode {
    let dynamic = rng.chance(50);
    let info = *rng.pick(KNOWN_CURRENCIES);
    let max: i64 = if info.exponent == 0 {
        9_999_999_999_999
    } else {
        999_999_999_999
    };
    let amount_minor = (dynamic || rng.chance(30)).then(|| some_amount(rng, max));
    MerchantCode {
        initiation: if dynamic {
            Initiation::Dynamic
        } else {
            Initiation::Static
        },
        merchant_id: some_id(rng),
        order_id: (dynamic || rng.chance(3)).then(|| some_id(rng)),
        mcc: {
            let len = if rng.chance(3) { 3 } else { 4 };
            rng.digits(len)
        },
        currency: info.currency,
        amount_minor,
        country: if rng.chance(90) {
            "CN".into()
        } else {
            text_of(rng, b"ABCXYZa", 2)
        },
        name: ans(rng, emvco::NAME_CHARS_MAX),
        city: ans(rng, emvco::CITY_CHARS_MAX),
        bill_number: rng
            .chance(40)
            .then(|| ans(rng, emvco::BILL_NUMBER_CHARS_MAX)),
        name_local: rng.chance(50).then(|| {
            let len = 1 + rng.below(emvco::NAME_CHARS_MAX + 1);
            let mut name: String = (0..len).map(|_| *rng.pick(LOCAL_CHARS)).collect();
            if rng.chance(5) {
                name.push('\u{202e}');
            }
            name
        }),
    }
}

/// `encoded` (one of our codes) with `foreign` (another scheme's object) put before its
/// category, and the CRC recomputed.
fn with_foreign(encoded: &str, foreign: &str) -> Option<String> {
    let emv = Emv::parse(encoded).ok()?;
    let mut text = String::new();
    for o in emv.objects() {
        if o.id == 52 {
            text.push_str(foreign);
        }
        if o.id != 63 {
            text.push_str(&format!(
                "{:02}{:02}{}",
                o.id,
                o.value.chars().count(),
                o.value
            ));
        }
    }
    text.push_str("6304AAAA");
    Some(recrc(&text))
}

/// Data objects as ID and value, to be edited and written again.
type Objects = Vec<(u8, String)>;

/// The ID–length–value text of `objects`.
fn write_objects(objects: &Objects) -> String {
    objects
        .iter()
        .map(|(id, value)| format!("{id:02}{:02}{value}", value.chars().count()))
        .collect()
}

/// Objects that are worth putting in a code or a template: EMVCo's root objects with odd values,
/// our template's sub-objects, a language and a bill number.
const SPARE_OBJECTS: &[(u8, &str)] = &[
    (0, "01"),
    (1, "11"),
    (1, "12"),
    (2, "4111111111111111"),
    (26, "0010CN.QIANBAO0102m1"),
    (27, "0010CN.QIANBAO0102m2"),
    (53, "986"),
    (53, "392"),
    (53, "156"),
    (54, "12.50"),
    (54, "1200"),
    (54, "0"),
    (58, "CN"),
    (59, "最佳运输"),
    (62, "0103o-1"),
    (64, "0002ZH0104最佳运输"),
    (65, "RFU"),
    (99, "0004ABCD"),
    (0, "CN.QIANBAO"),
    (2, "o-2"),
];

/// Applies one structural edit to `objects`: a value mutated (its length kept right), an object
/// dropped, repeated, moved, renumbered, set or added, or the same done one level down inside a
/// template.
fn mutate_objects(rng: &mut Rng, objects: &mut Objects, depth: u8) {
    let len = objects.len();
    if len == 0 {
        let (id, value) = *rng.pick(SPARE_OBJECTS);
        objects.push((id, value.to_string()));
        return;
    }
    let i = rng.below(len);
    match rng.below(7) {
        0 => {
            let value = mutate_text(rng, &objects[i].1, DICT);
            objects[i].1 = value;
        }
        1 => {
            objects.remove(i);
        }
        2 => {
            let copy = objects[i].clone();
            let at = rng.below(len + 1);
            objects.insert(at, copy);
        }
        3 => {
            let j = rng.below(len);
            objects.swap(i, j);
        }
        4 => {
            // Set the object of that ID if there is one, else add it.
            let (id, value) = *rng.pick(SPARE_OBJECTS);
            match objects.iter_mut().find(|(i, _)| *i == id) {
                Some(object) => object.1 = value.to_string(),
                None => {
                    let at = rng.below(len + 1);
                    objects.insert(at, (id, value.to_string()));
                }
            }
        }
        5 => objects[i].0 = rng.below(100) as u8,
        _ => {
            // Inside a template (26, 62, 64, or any that parses as one).
            if depth > 0 {
                return;
            }
            if let Ok(subs) = parse_tlv(&objects[i].1) {
                let mut subs: Objects = subs.into_iter().map(|o| (o.id, o.value)).collect();
                mutate_objects(rng, &mut subs, depth + 1);
                objects[i].1 = write_objects(&subs);
            }
        }
    }
}

/// `encoded` edited one to four times at the level of its data objects, then given a correct CRC:
/// a well-formed text that reaches every rule past the grammar and the CRC.
fn mutate_structure(rng: &mut Rng, encoded: &str) -> String {
    let Ok(emv) = Emv::parse(encoded) else {
        return encoded.to_string();
    };
    let mut objects: Objects = emv
        .objects()
        .iter()
        .filter(|o| o.id != 63)
        .map(|o| (o.id, o.value.clone()))
        .collect();
    for _ in 0..1 + rng.below(4) {
        mutate_objects(rng, &mut objects, 0);
    }
    let mut text = write_objects(&objects);
    text.push_str("6304AAAA");
    recrc(&text)
}

/// `text` with its CRC recomputed, so that a change before it reaches the checks after the CRC.
fn recrc(text: &str) -> String {
    let mut end = text.len().saturating_sub(4);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut body = text[..end].to_string();
    body.push_str(&format!("{:04X}", crc16(body.as_bytes())));
    body
}

/// `text` with one ASCII byte before its CRC's value replaced by another ASCII byte: a change
/// the CRC always detects (any burst of up to 16 bits is).
fn one_byte_changed(rng: &mut Rng, text: &str) -> Option<String> {
    let covered = text.len().checked_sub(4)?;
    let positions: Vec<usize> = (0..covered)
        .filter(|&i| text.as_bytes()[i].is_ascii())
        .collect();
    let &i = positions.get(rng.below(positions.len()))?;
    let mut bytes = text.as_bytes().to_vec();
    let old = bytes[i];
    let new = loop {
        let b = rng.below(0x80) as u8;
        if b != old {
            break b;
        }
    };
    bytes[i] = new;
    String::from_utf8(bytes).ok()
}

/// `Emv::parse` and `MerchantCode::parse`: what we encode within the limits parses back to
/// itself, and nothing else of ours does; whatever parses as EMV re-encodes to exactly its text;
/// whatever parses as ours re-encodes to a text that parses to the same code, and reads as the
/// same `Payload`; a code with one byte changed before its CRC never parses; nothing panics.
pub fn emvco(rng: &mut Rng, case: &mut Case) -> Check {
    let made = some_code(rng);
    let encoded = made.encode();
    let mut changed_one_byte = false;
    let input = match rng.below(100) {
        0..12 => encoded.clone(),
        12..25 => match one_byte_changed(rng, &encoded) {
            Some(text) => {
                changed_one_byte = true;
                text
            }
            None => encoded.clone(),
        },
        25..37 => mutate_text(rng, &encoded, DICT),
        // Mutated, then given a correct CRC: reaches the rules past the CRC.
        37..47 => recrc(&mutate_text(rng, &encoded, DICT)),
        47..65 => mutate_structure(rng, &encoded),
        // Ours beside other schemes' objects.
        65..72 => with_foreign(&encoded, rng.pick::<&str>(FOREIGN_OBJECTS))
            .unwrap_or_else(|| encoded.clone()),
        72..82 => {
            let foreign = *rng.pick(FOREIGN);
            if rng.chance(50) {
                foreign.to_string()
            } else {
                recrc(&mutate_text(rng, foreign, DICT))
            }
        }
        82..90 => recrc(&format!("{}6304AAAA", token_text(rng, DICT))),
        90..95 => {
            // Past the 512-character limit, by a little or by a lot.
            let pad: String = (0..TEXT_CHARS_MAX + rng.below(3))
                .map(|_| any_char(rng))
                .collect();
            recrc(&format!("{}{pad}6304AAAA", &encoded[..encoded.len() - 8]))
        }
        _ => random_text(rng),
    };
    case.text(&input);
    case.note("made", &made);
    let emv = Emv::parse(&input);
    let ours = MerchantCode::parse(&input);

    if input == encoded {
        ensure((ours.as_ref() == Ok(&made)) == made.check().is_ok(), || {
            format!(
                "{made:?} (check: {:?}) encoded and parsed as {ours:?}",
                made.check()
            )
        })?;
    }
    if changed_one_byte {
        ensure(emv.is_err(), || {
            format!("one byte changed before the CRC, and it parsed as {emv:?}")
        })?;
    }
    if let Ok(emv) = &emv {
        ensure(input.chars().count() <= TEXT_CHARS_MAX, || {
            "an over-long text parsed".into()
        })?;
        ensure(emv.encode() == input, || {
            format!("parsed as EMV, but re-encodes as {:?}", emv.encode())
        })?;
    }
    let Ok(code) = ours else {
        ensure(!(emv.is_err() && ours == Err(EmvError::NotOurs)), || {
            "not_ours for a text that is not valid EMV".into()
        })?;
        return Ok(());
    };
    ensure(emv.is_ok(), || "ours but not valid EMV".into())?;
    ensure(code.check().is_ok(), || {
        format!(
            "{code:?} parsed but fails its own check: {:?}",
            code.check()
        )
    })?;
    let again = MerchantCode::parse(&code.encode());
    ensure(again.as_ref() == Ok(&code), || {
        format!("{code:?} re-encoded parses as {again:?}")
    })?;
    if input.len() <= PAYLOAD_LEN_MAX {
        let payload = Payload::parse_stated(&input);
        let expected = match code.initiation {
            Initiation::Static => Payload::Merchant {
                merchant_id: code.merchant_id.clone(),
            },
            Initiation::Dynamic => Payload::Order {
                order_id: code.order_id.clone().unwrap_or_default(),
            },
        };
        let stated = code.amount_minor.map(|a| (code.currency, a));
        ensure(payload == Ok((expected, stated)), || {
            format!("{code:?} reads as the payload {payload:?}")
        })?;
    }
    Ok(())
}
