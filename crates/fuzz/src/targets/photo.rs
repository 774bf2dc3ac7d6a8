//! `Photo::inspect`: the uploaded ID photo or selfie, decoded by the PNG and JPEG decoders.

use crate::generate::{Rng, mutate, random_text};
use crate::{Case, Check, ensure};
use qianbao_wallet::domain::{MAX_PHOTO_PIXELS, MIN_PHOTO_SIDE_PX, Photo, PhotoError, PhotoFormat};
use std::sync::OnceLock;

/// The PNG file signature.
const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";
/// SOI followed by the next marker's FF.
const JPEG_MAGIC: &[u8] = b"\xFF\xD8\xFF";

/// Markers, chunk names and numbers that matter to the two formats.
const IMAGE_DICT: &[&[u8]] = &[
    b"\xFF\xD9",
    b"\xFF\xDA",
    b"\xFF\xC0",
    b"\xFF\xC2",
    b"\xFF\xC4",
    b"\xFF\xDB",
    b"\xFF\xDD\x00\x04\x00\x01",
    b"\xFF\xD0",
    b"\xFF\xE1\x00\x08\xFF\xD9\xFF\xD9",
    b"\xFF\x00",
    b"\xFF\xFF",
    b"\x00\x00",
    b"\x01\x2C",
    b"\xFF\xFF\xFF\xFF",
    b"\x7F\xFF\xFF\xFF",
    b"\x00\x00\x00\x00",
    b"IDAT",
    b"IEND",
    b"IHDR",
    b"PLTE",
    b"tRNS",
    b"acTL",
    b"\x89PNG\r\n\x1a\n",
];

/// Smooth but not constant pixels, so the compressed data has some structure to break.
fn pixels(width: u32, height: u32, channels: u32) -> Vec<u8> {
    (0..width * height * channels)
        .map(|i| {
            let (p, c) = (i / channels, i % channels);
            let (x, y) = (p % width, p / width);
            ((x * 3 + y * 5 + c * 70 + (x * y) % 17) % 256) as u8
        })
        .collect()
}

/// A PNG made with the png crate's encoder.
fn png(width: u32, height: u32, color: png::ColorType, depth: png::BitDepth) -> Option<Vec<u8>> {
    let channels = match color {
        png::ColorType::Grayscale | png::ColorType::Indexed => 1,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
    };
    let bits = match depth {
        png::BitDepth::One => 1,
        png::BitDepth::Two => 2,
        png::BitDepth::Four => 4,
        png::BitDepth::Eight => 8,
        png::BitDepth::Sixteen => 16,
    };
    let row_bytes = (width * channels * bits).div_ceil(8);
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(color);
    encoder.set_depth(depth);
    if color == png::ColorType::Indexed {
        encoder.set_palette(
            (0..=255u8)
                .flat_map(|i| [i, 255 - i, i / 2])
                .collect::<Vec<u8>>(),
        );
    }
    let mut writer = encoder.write_header().ok()?;
    writer
        .write_image_data(&pixels(row_bytes, height, 1))
        .ok()?;
    writer.finish().ok()?;
    Some(out)
}

/// A JPEG made with the jpeg-encoder crate.
fn jpeg(
    width: u16,
    height: u16,
    color: jpeg_encoder::ColorType,
    tweak: impl FnOnce(&mut jpeg_encoder::Encoder<&mut Vec<u8>>),
) -> Option<Vec<u8>> {
    let channels = match color {
        jpeg_encoder::ColorType::Luma => 1,
        jpeg_encoder::ColorType::Cmyk => 4,
        _ => 3,
    };
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 75);
    tweak(&mut encoder);
    encoder
        .encode(
            &pixels(u32::from(width), u32::from(height), channels),
            width,
            height,
            color,
        )
        .ok()?;
    Some(out)
}

/// Valid seed images of every kind the decoders distinguish: PNG colour types and depths, and
/// baseline, progressive, grey, CMYK, restart-interval and subsampled JPEGs. Most are just big
/// enough (300×300) to be fully decoded; two small ones stop at the size check.
fn seeds() -> &'static [Vec<u8>] {
    static SEEDS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        use jpeg_encoder::{ColorType as J, SamplingFactor};
        use png::{BitDepth as D, ColorType as P};
        [
            png(300, 300, P::Rgb, D::Eight),
            png(300, 302, P::Grayscale, D::Eight),
            png(301, 300, P::Rgba, D::Eight),
            png(300, 300, P::Indexed, D::Eight),
            png(300, 300, P::Grayscale, D::Sixteen),
            png(300, 300, P::Grayscale, D::One),
            png(16, 16, P::Rgb, D::Eight),
            jpeg(300, 300, J::Rgb, |_| {}),
            jpeg(300, 304, J::Luma, |_| {}),
            jpeg(304, 300, J::Cmyk, |_| {}),
            jpeg(300, 300, J::Rgb, |e| e.set_progressive(true)),
            jpeg(300, 300, J::Rgb, |e| e.set_restart_interval(7)),
            jpeg(300, 300, J::Rgb, |e| {
                e.set_sampling_factor(SamplingFactor::F_2_1)
            }),
            jpeg(8, 8, J::Rgb, |_| {}),
        ]
        .into_iter()
        .flatten()
        .collect()
    })
}

/// Recomputes every PNG chunk's CRC, so that a mutation inside a chunk reaches the decoder's
/// logic instead of stopping at the checksum.
fn fix_png_crcs(bytes: &mut [u8]) {
    let mut i = PNG_MAGIC.len();
    while i + 12 <= bytes.len() {
        let len = u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]) as usize;
        let Some(end) = (i + 8).checked_add(len) else {
            return;
        };
        if end + 4 > bytes.len() {
            return;
        }
        let crc = crc32(&bytes[i + 4..end]);
        bytes[end..end + 4].copy_from_slice(&crc.to_be_bytes());
        i = end + 4;
    }
}

/// CRC-32 (IEEE) as PNG uses it.
fn crc32(data: &[u8]) -> u32 {
    static TABLE: OnceLock<[u32; 256]> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut table = [0u32; 256];
        for (n, slot) in table.iter_mut().enumerate() {
            let mut c = n as u32;
            for _ in 0..8 {
                c = if c & 1 == 1 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
            *slot = c;
        }
        table
    });
    !data.iter().fold(!0u32, |c, &b| {
        table[((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8)
    })
}

/// Sets the dimensions a header declares: IHDR for a PNG, the first SOF for a JPEG.
fn set_dimensions(rng: &mut Rng, bytes: &mut [u8]) {
    let pick = |rng: &mut Rng| -> u32 {
        *rng.pick(&[
            0,
            1,
            299,
            300,
            301,
            7071,
            7072,
            10_000,
            65_535,
            65_536,
            u32::MAX,
            1 << 31,
        ])
    };
    if bytes.starts_with(PNG_MAGIC) && bytes.len() >= 24 {
        let (w, h) = (pick(rng), pick(rng));
        bytes[16..20].copy_from_slice(&w.to_be_bytes());
        bytes[20..24].copy_from_slice(&h.to_be_bytes());
    } else if let Some(at) = bytes
        .windows(2)
        .position(|w| w[0] == 0xFF && matches!(w[1], 0xC0..=0xC3))
        && at + 9 <= bytes.len()
    {
        let (h, w) = (pick(rng) as u16, pick(rng) as u16);
        bytes[at + 5..at + 7].copy_from_slice(&h.to_be_bytes());
        bytes[at + 7..at + 9].copy_from_slice(&w.to_be_bytes());
    }
}

/// Content types: the accepted ones in their odd spellings, near misses and garbage.
const DECLARED: &[&str] = &[
    "image/png",
    "image/jpeg",
    "image/jpg",
    "image/pjpeg",
    "IMAGE/PNG",
    " image/jpeg ; charset=binary",
    "image/png;",
    "",
    "image/gif",
    "application/pdf",
    "image/png2",
    "image/jpeg\0",
    "ｉｍａｇｅ/png",
    "image/ png",
    "\u{3000}image/png",
];

/// The wallet's rule for the declared type, restated: the part before `;`, trimmed, any case.
fn declared_ok(declared: &str) -> bool {
    let essence = declared
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    matches!(
        essence.as_str(),
        "image/jpeg" | "image/jpg" | "image/pjpeg" | "image/png"
    )
}

/// `Photo::inspect` on mutated seed images, header-dimension edits, random bytes and odd content
/// types: never a panic; an accepted photo has the format its magic bytes say, 300×300 to 50
/// megapixels, and at least one bit of data for every 8×8 block of its largest component; the
/// label only ever refuses as `format`; `Photo::parse` agrees, and so does a second look under
/// the other label.
pub fn photo(rng: &mut Rng, case: &mut Case) -> Check {
    let seeds = seeds();
    let mut bytes = rng.pick(seeds).clone();
    match rng.below(100) {
        0..5 => {}
        5..75 => {
            let dict: Vec<&[u8]> = IMAGE_DICT
                .iter()
                .copied()
                .chain(seeds.iter().map(Vec::as_slice))
                .collect();
            mutate(rng, &mut bytes, &dict, 1 << 20);
            if rng.chance(20) {
                set_dimensions(rng, &mut bytes);
            }
            if bytes.starts_with(PNG_MAGIC) && rng.chance(70) {
                fix_png_crcs(&mut bytes);
            }
        }
        75..85 => {
            set_dimensions(rng, &mut bytes);
            fix_png_crcs(&mut bytes);
        }
        85..95 => {
            // Random bytes, mostly behind a real signature.
            let magic: &[u8] = match rng.below(3) {
                0 => PNG_MAGIC,
                1 => JPEG_MAGIC,
                _ => b"",
            };
            let n = rng.below(2000);
            bytes = [magic, &rng.bytes(n)].concat();
        }
        _ => {
            // Truncated at an arbitrary point.
            let n = rng.below(bytes.len() + 1);
            bytes.truncate(n);
        }
    }
    let declared = if rng.chance(90) {
        (*rng.pick(DECLARED)).to_owned()
    } else {
        random_text(rng)
    };
    case.bytes(&bytes);
    case.note("declared", &declared);
    let result = Photo::inspect(&bytes, &declared);
    let magic = if bytes.starts_with(PNG_MAGIC) {
        Some(PhotoFormat::Png)
    } else if bytes.starts_with(JPEG_MAGIC) {
        Some(PhotoFormat::Jpeg)
    } else {
        None
    };
    if !declared_ok(&declared) || magic.is_none() {
        return ensure(result == Err(PhotoError::Format), || {
            format!("expected `format`, got {result:?}")
        });
    }
    ensure(result != Err(PhotoError::Format), || {
        "`format` for a JPEG or PNG declared as one".into()
    })?;
    if let Err(PhotoError::TooSmall { width, height }) = result {
        ensure(
            width < MIN_PHOTO_SIDE_PX || height < MIN_PHOTO_SIDE_PX,
            || format!("{width}×{height} called too small"),
        )?;
    }
    if rng.chance(10) {
        let other = if declared_ok(&declared) && declared.to_ascii_lowercase().contains("png") {
            "image/jpeg"
        } else {
            "image/png"
        };
        let again = Photo::inspect(&bytes, other);
        ensure(again == result, || {
            format!("under {other:?} the answer changed to {again:?}")
        })?;
    }
    let Ok(info) = result else { return Ok(()) };
    ensure(Some(info.format) == magic, || {
        format!("{:?} for bytes that start as {magic:?}", info.format)
    })?;
    ensure(
        info.width >= MIN_PHOTO_SIDE_PX
            && info.height >= MIN_PHOTO_SIDE_PX
            && u64::from(info.width) * u64::from(info.height) <= MAX_PHOTO_PIXELS,
        || format!("accepted at {}×{}", info.width, info.height),
    )?;
    // Every 8×8 block of the image's widest component codes its DC coefficient in at least one
    // bit, and that component has at least a quarter of the blocks (sampling factors are at most
    // 4); a file too small for that claims pixels it does not carry.
    let blocks = u64::from(info.width / 8) * u64::from(info.height / 32);
    ensure(bytes.len() as u64 * 8 >= blocks, || {
        format!(
            "{} bytes accepted as {}×{} pixels",
            bytes.len(),
            info.width,
            info.height
        )
    })?;
    if rng.chance(10) {
        let photo = Photo::parse(bytes.clone(), &declared);
        ensure(
            photo.as_ref().map(Photo::info) == Ok(info)
                && photo.as_ref().map(Photo::bytes) == Ok(bytes.as_slice()),
            || format!("parse disagrees with inspect: {photo:?}"),
        )?;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_seed_is_made_and_the_big_ones_are_accepted() {
        let seeds = seeds();
        assert_eq!(seeds.len(), 14);
        let accepted = seeds
            .iter()
            .filter(|s| Photo::inspect(s, "image/png").is_ok())
            .count();
        assert_eq!(accepted, 12);
    }

    #[test]
    fn crc_fixing_keeps_a_valid_png_valid() {
        let mut bytes = seeds()[0].clone();
        let before = bytes.clone();
        fix_png_crcs(&mut bytes);
        assert_eq!(bytes, before);
    }
}
