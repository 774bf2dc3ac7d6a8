//! The input generator: a seeded PRNG, hostile text and bytes, mutations of valid seeds, and
//! boundary numbers. Everything is a pure function of the [`Rng`], so a case replays exactly.

/// SplitMix64: tiny, fast, and good enough to drive a fuzzer; not for anything secret.
#[derive(Clone, Debug)]
pub struct Rng(u64);

/// SplitMix64's increment (the golden ratio in 64 bits).
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// One SplitMix64 output step over `z`.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    /// A generator whose whole output is decided by `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(mix(seed))
    }

    /// The generator for case number `case` of a run started with `seed`.
    pub fn for_case(seed: u64, case: u64) -> Rng {
        Rng::new(seed ^ mix(case.wrapping_mul(GOLDEN).wrapping_add(1)))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN);
        mix(self.0)
    }

    /// A number in `0..n` (`0` when `n` is 0); the modulo bias is irrelevant here.
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        // usize is at most 64 bits on every target this builds for.
        (self.next_u64() % n as u64) as usize
    }

    /// A number in `lo..=hi`.
    pub fn between(&mut self, lo: i64, hi: i64) -> i64 {
        let span = hi.abs_diff(lo).wrapping_add(1);
        if span == 0 {
            // The whole i64 range.
            return self.next_u64() as i64;
        }
        lo.wrapping_add((self.next_u64() % span) as i64)
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    /// One of `items`, which must not be empty.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// An ASCII digit.
    pub fn digit(&mut self) -> char {
        char::from(b'0' + self.below(10) as u8)
    }

    /// `n` ASCII digits.
    pub fn digits(&mut self, n: usize) -> String {
        (0..n).map(|_| self.digit()).collect()
    }

    /// `n` random bytes.
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u64() as u8).collect()
    }
}

/// Characters parsers get wrong: full-width forms, other scripts' digits, controls, invisible
/// formatting, case-folding oddities, emoji, the replacement character and the last scalar.
pub const ODD_CHARS: &[char] = &[
    '０',
    '１',
    '９',
    '＋',
    '－',
    'Ｘ',
    'ｘ',
    '　',
    '\u{FF00}',
    '\u{FF5F}',
    '\0',
    '\t',
    '\n',
    '\r',
    '\u{b}',
    '\u{c}',
    '\u{1b}',
    '\u{7f}',
    '\u{85}',
    '\u{a0}',
    '\u{ad}',
    '\u{200b}',
    '\u{200d}',
    '\u{200e}',
    '\u{202e}',
    '\u{2028}',
    '\u{2060}',
    '\u{2066}',
    '\u{feff}',
    '\u{fffd}',
    '\u{ffff}',
    '\u{10ffff}',
    '\u{e000}',
    '٣',
    '۴',
    '߅',
    '१',
    '๓',
    '𝟘',
    '①',
    'Ⅻ',
    '²',
    '😀',
    '🇨',
    '钱',
    '包',
    'é',
    '\u{301}',
    'İ',
    'ß',
    'ﬀ',
    'K',
    'Σ',
    'ſ',
    'ǅ',
    '-',
    '+',
    ' ',
];

/// Separators and punctuation that the grammars use.
const PUNCTUATION: &[u8] = b" -+.,:;=/?&#%'\"\\()[]{}<>_~";

/// One character, weighted towards what the parsers look at.
pub fn any_char(rng: &mut Rng) -> char {
    match rng.below(100) {
        0..30 => rng.digit(),
        30..45 => char::from(b' ' + rng.below(95) as u8),
        45..55 => char::from(*rng.pick(PUNCTUATION)),
        55..75 => *rng.pick(ODD_CHARS),
        // The full-width block and the ideographic space around it.
        75..85 => char::from_u32(0xFF00 + rng.below(0x60) as u32).unwrap_or('０'),
        85..90 => char::from(rng.below(0x20) as u8),
        _ => loop {
            if let Some(c) = char::from_u32(rng.below(0x11_0000) as u32) {
                break c;
            }
        },
    }
}

/// Random text: usually short, sometimes a few hundred characters, rarely far past any limit.
pub fn random_text(rng: &mut Rng) -> String {
    let len = match rng.below(100) {
        0..70 => rng.below(24),
        70..90 => rng.below(128),
        90..98 => rng.below(600),
        _ => {
            // Very long, but cheap to build: one short run repeated.
            let unit: String = (0..1 + rng.below(4)).map(|_| any_char(rng)).collect();
            return unit.repeat(1 + rng.below(40_000));
        }
    };
    (0..len).map(|_| any_char(rng)).collect()
}

/// Text made of the grammar's own tokens and a few random characters: structure without validity.
pub fn token_text(rng: &mut Rng, dict: &[&str]) -> String {
    let mut out = String::new();
    for _ in 0..1 + rng.below(12) {
        if dict.is_empty() || rng.chance(25) {
            out.push(any_char(rng));
        } else {
            out.push_str(rng.pick::<&str>(dict));
        }
    }
    out
}

/// Values that sit on a boundary of some integer type or decimal length.
pub fn boundary_i64(rng: &mut Rng) -> i64 {
    let base: i64 = match rng.below(8) {
        0 => *rng.pick(&[
            i64::MIN,
            i64::MAX,
            0,
            1,
            -1,
            i64::from(i32::MAX),
            i64::from(u32::MAX),
        ]),
        1..3 => 10i64.pow(rng.below(19) as u32),
        3..5 => 1i64 << rng.below(63),
        5 => rng.next_u64() as i64,
        _ => rng.between(-1000, 1_000_000),
    };
    let nudged = base.wrapping_add(rng.between(-2, 2));
    if rng.chance(20) {
        nudged.wrapping_neg()
    } else {
        nudged
    }
}

/// A byte from the usual suspects: 0, 0xFF, sign bits, ASCII digits and separators.
fn interesting_byte(rng: &mut Rng) -> u8 {
    *rng.pick(&[
        0x00, 0x01, 0x7F, 0x80, 0xFF, 0xFE, 0xC0, 0xE0, 0xF0, b'0', b'9', b'+', b'-', b' ', b',',
        b'=', b':', b'/', b'?', b'x', b'X', b'\n', b'\t',
    ])
}

/// Applies one to eight random edits to `data`: bit flips, byte sets, insertions (bytes, whole
/// UTF-8 characters, dictionary tokens), deletions, duplications, splices with `others`, digit
/// swaps that keep a number's shape, truncation. The result is at most `max_len` bytes.
pub fn mutate(rng: &mut Rng, data: &mut Vec<u8>, dict: &[&[u8]], max_len: usize) {
    let ops = 1usize << rng.below(4);
    for _ in 0..ops {
        let len = data.len();
        match rng.below(15) {
            0 if len > 0 => {
                let i = rng.below(len);
                data[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                data[i] = interesting_byte(rng);
            }
            2 => {
                let i = rng.below(len + 1);
                let b = rng.next_u64() as u8;
                data.insert(i, b);
            }
            3 => {
                let i = rng.below(len + 1);
                let mut buf = [0u8; 4];
                let c = any_char(rng).encode_utf8(&mut buf).as_bytes().to_vec();
                data.splice(i..i, c);
            }
            4 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(16));
                data.drain(i..i + n);
            }
            5 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(64));
                let copy = data[i..i + n].to_vec();
                let at = rng.below(len + 1);
                data.splice(at..at, copy);
            }
            6 if !dict.is_empty() => {
                let i = rng.below(len + 1);
                let token = rng.pick(dict).to_vec();
                data.splice(i..i, token);
            }
            7 if !dict.is_empty() && len > 0 => {
                let i = rng.below(len);
                let token = rng.pick(dict);
                let end = (i + token.len()).min(len);
                data.splice(i..end, token.iter().copied());
            }
            8 => {
                let positions: Vec<usize> =
                    (0..len).filter(|&i| data[i].is_ascii_digit()).collect();
                if !positions.is_empty() {
                    let i = *rng.pick(&positions);
                    data[i] = b'0' + rng.below(10) as u8;
                }
            }
            9 if len > 0 => data.truncate(rng.below(len)),
            10 if !dict.is_empty() => {
                let other = rng.pick(dict);
                let cut = rng.below(len + 1);
                let from = rng.below(other.len() + 1);
                data.truncate(cut);
                data.extend_from_slice(&other[from..]);
            }
            11 if len > 1 => {
                let (i, j) = (rng.below(len), rng.below(len));
                data.swap(i, j);
            }
            12 if len > 0 => {
                let i = rng.below(len);
                data[i] = data[i].wrapping_add(rng.between(-3, 3) as u8);
            }
            13 if len > 0 => {
                let i = rng.below(len);
                let b = data[i];
                let most = if rng.chance(10) { 5000 } else { 40 };
                let n = rng.below(most);
                data.splice(i..i, std::iter::repeat_n(b, n));
            }
            _ => {
                let i = rng.below(len + 1);
                let b = interesting_byte(rng);
                data.insert(i, b);
            }
        }
        data.truncate(max_len);
    }
}

/// `mutate` for text: the result is turned back into a string, invalid UTF-8 becoming U+FFFD.
pub fn mutate_text(rng: &mut Rng, text: &str, dict: &[&str]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let dict: Vec<&[u8]> = dict.iter().map(|t| t.as_bytes()).collect();
    mutate(rng, &mut bytes, &dict, 4096);
    match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

/// The full-width twin of an ASCII character (`1` → `１`, space → ideographic space).
pub fn full_width(c: char) -> char {
    match c {
        ' ' => '\u{3000}',
        '!'..='~' => char::from_u32(u32::from(c) + 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// What the wallet's parsers fold before reading: full-width forms and the ideographic space.
pub fn fold_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// Formats text with a random mix of spaces, dashes and full-width forms, the way people type it.
pub fn decorate(rng: &mut Rng, text: &str, separators: &[char]) -> String {
    let wide = rng.chance(25);
    let mut out = String::new();
    if rng.chance(10) {
        out.push(if wide { '\u{3000}' } else { ' ' });
    }
    for (i, c) in text.chars().enumerate() {
        if i > 0 && !separators.is_empty() && rng.chance(15) {
            let s = *rng.pick(separators);
            out.push(if wide && rng.chance(50) {
                full_width(s)
            } else {
                s
            });
        }
        out.push(if wide || rng.chance(3) {
            full_width(c)
        } else {
            c
        });
    }
    if rng.chance(10) {
        out.push(' ');
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_stream() {
        let (mut a, mut b) = (Rng::for_case(7, 3), Rng::for_case(7, 3));
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        assert_ne!(
            Rng::for_case(7, 3).next_u64(),
            Rng::for_case(7, 4).next_u64()
        );
    }

    #[test]
    fn between_stays_in_range_including_the_whole_i64_range() {
        let mut rng = Rng::new(1);
        for _ in 0..1000 {
            let v = rng.between(-3, 5);
            assert!((-3..=5).contains(&v));
            let _ = rng.between(i64::MIN, i64::MAX);
        }
    }

    #[test]
    fn width_folding_undoes_full_width() {
        for c in ' '..='~' {
            assert_eq!(fold_width(full_width(c)), c);
        }
    }

    #[test]
    fn mutation_respects_the_length_cap() {
        let mut rng = Rng::new(9);
        for _ in 0..500 {
            let mut data = b"13812345678".to_vec();
            mutate(&mut rng, &mut data, &[b"+86"], 64);
            assert!(data.len() <= 64);
        }
    }
}
