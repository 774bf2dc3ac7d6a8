//! `Photo`: an uploaded ID photo or selfie, proven to be a whole JPEG or PNG of a usable size.
//!
//! The checks run cheapest first, so hostile input costs as little as possible: the byte count
//! (before any parsing), the declared type, the magic bytes, the header's dimensions (before any
//! pixel buffer is allocated), and only then a full decode of every pixel, which is what finds a
//! truncated or corrupt file that a header-only check would pass.
//!
//! Declared type: it must name JPEG or PNG (`image/jpeg`, `image/jpg`, `image/pjpeg`,
//! `image/png`, parameters and case ignored), else `format`. When it names the other of the two
//! (a PNG screenshot uploaded as `image/jpeg`, which phones and browsers do when they label by
//! file extension), the photo is accepted and [`PhotoInfo::format`] reports what the bytes really
//! are: the decoder, not the label, decides, and callers must store and serve the sniffed type.

use std::fmt;
use std::io::Cursor;
use zune_jpeg::JpegDecoder;
use zune_jpeg::zune_core::bytestream::ZCursor;
use zune_jpeg::zune_core::colorspace::ColorSpace;
use zune_jpeg::zune_core::options::DecoderOptions;

/// The largest upload accepted, 5 MiB (API.md); the HTTP layer should stop reading past it.
pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;
/// The smallest width and height, in pixels, at which an ID card's text is still legible.
pub const MIN_PHOTO_SIDE_PX: u32 = 300;
/// The most pixels decoded. A 5 MiB file can declare a 65535×65535 image; this cap bounds the
/// decode buffer (one byte a pixel for JPEG, one row for PNG) and the decoders' own working
/// memory, while leaving room for the 48–50 megapixel photos of current phone cameras.
pub const MAX_PHOTO_PIXELS: u64 = 50_000_000;
/// What the PNG decoder may allocate for its own buffers (a row, chunk data, decompression state).
const PNG_DECODER_BYTES_MAX: usize = 16 * 1024 * 1024;

/// The file signature of a PNG.
const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";
/// A JPEG starts with SOI (FF D8) followed by the next marker's FF.
const JPEG_MAGIC: &[u8] = b"\xFF\xD8\xFF";

/// The two image formats accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PhotoFormat {
    /// JPEG (JFIF/Exif).
    Jpeg,
    /// PNG.
    Png,
}

impl PhotoFormat {
    /// The MIME type to store and serve the photo under.
    pub fn content_type(&self) -> &'static str {
        match self {
            PhotoFormat::Jpeg => "image/jpeg",
            PhotoFormat::Png => "image/png",
        }
    }
}

/// What inspection found out about an acceptable photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhotoInfo {
    /// The real format, from the bytes (see the module doc on declared types).
    pub format: PhotoFormat,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// Why a photo was refused; every variant answers `photo_invalid` with its `reason()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    /// Neither JPEG nor PNG (by declared type or by content): a PDF, a HEIC, text.
    #[error("the photo must be a JPEG or PNG image")]
    Format,
    /// More than 5 MiB, or more pixels than the decoder will take on.
    #[error("the photo is larger than 5 MiB or 50 megapixels")]
    TooLarge,
    /// Narrower or lower than 300 pixels.
    #[error("the photo is {width}×{height} pixels; at least 300×300 is needed")]
    TooSmall {
        /// The photo's width in pixels.
        width: u32,
        /// The photo's height in pixels.
        height: u32,
    },
    /// It starts like a JPEG or PNG but does not decode: truncated or corrupt.
    #[error("the photo could not be read; it may be damaged or incomplete")]
    Unreadable,
}

impl PhotoError {
    /// The stable API error code.
    pub fn code(&self) -> &'static str {
        "photo_invalid"
    }

    /// The API's `reason` field: `format`, `too_large`, `too_small` or `unreadable`.
    pub fn reason(&self) -> &'static str {
        match self {
            PhotoError::Format => "format",
            PhotoError::TooLarge => "too_large",
            PhotoError::TooSmall { .. } => "too_small",
            PhotoError::Unreadable => "unreadable",
        }
    }
}

/// An uploaded photo whose bytes decoded completely as a JPEG or PNG of an acceptable size.
#[derive(Clone, PartialEq, Eq)]
pub struct Photo {
    /// The bytes as uploaded (never re-encoded: the verifier wants the original).
    bytes: Vec<u8>,
    /// What inspection found.
    info: PhotoInfo,
}

impl Photo {
    /// Checks size, declared type, real format, dimensions and a full decode, in that order.
    pub fn inspect(bytes: &[u8], declared_content_type: &str) -> Result<PhotoInfo, PhotoError> {
        if bytes.len() > MAX_PHOTO_BYTES {
            return Err(PhotoError::TooLarge);
        }
        let format = sniff(bytes, declared_content_type)?;
        let (width, height) = match format {
            PhotoFormat::Png => decode_png(bytes, MIN_PHOTO_SIDE_PX, None)?,
            PhotoFormat::Jpeg => decode_jpeg(bytes, MIN_PHOTO_SIDE_PX, None)?,
        };
        Ok(PhotoInfo {
            format,
            width,
            height,
        })
    }

    /// Like [`Photo::inspect`], keeping the bytes in a `Photo` that proves they passed.
    pub fn parse(bytes: Vec<u8>, declared_content_type: &str) -> Result<Photo, PhotoError> {
        let info = Photo::inspect(&bytes, declared_content_type)?;
        Ok(Photo { bytes, info })
    }

    /// The bytes as uploaded.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The bytes as uploaded, by value (for encryption at rest).
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// The real format and the dimensions.
    pub fn info(&self) -> PhotoInfo {
        self.info
    }
}

/// A decoded picture as one grey byte a pixel, row by row: what a QR reader looks at.
#[derive(Clone, PartialEq, Eq)]
pub struct GreyPicture {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width × height` luma values, row-major.
    pub pixels: Vec<u8>,
}

impl fmt::Debug for GreyPicture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GreyPicture({}×{})", self.width, self.height)
    }
}

/// Decodes a JPEG or PNG of any size up to the caps into grey pixels, with the same checks as
/// [`Photo::inspect`] except the minimum size (a screenshot of a QR code may be small).
pub fn grey_picture(bytes: &[u8], declared_content_type: &str) -> Result<GreyPicture, PhotoError> {
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(PhotoError::TooLarge);
    }
    let format = sniff(bytes, declared_content_type)?;
    let mut pixels = Vec::new();
    let (width, height) = match format {
        PhotoFormat::Png => decode_png(bytes, 1, Some(&mut pixels))?,
        PhotoFormat::Jpeg => decode_jpeg(bytes, 1, Some(&mut pixels))?,
    };
    Ok(GreyPicture {
        width,
        height,
        pixels,
    })
}

/// The real format of an upload whose declared type names JPEG or PNG, from its magic bytes.
fn sniff(bytes: &[u8], declared_content_type: &str) -> Result<PhotoFormat, PhotoError> {
    declared_format(declared_content_type).ok_or(PhotoError::Format)?;
    if bytes.starts_with(PNG_MAGIC) {
        Ok(PhotoFormat::Png)
    } else if bytes.starts_with(JPEG_MAGIC) {
        Ok(PhotoFormat::Jpeg)
    } else {
        Err(PhotoError::Format)
    }
}

/// ITU-R BT.601 luma of an 8-bit RGB pixel, in integers.
fn luma(r: u8, g: u8, b: u8) -> u8 {
    let y = (299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b)) / 1000;
    u8::try_from(y).unwrap_or(u8::MAX)
}

impl fmt::Debug for Photo {
    /// The size and format only: the bytes are a person's face or ID card.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Photo({}, {}×{}, {} bytes)",
            self.info.format.content_type(),
            self.info.width,
            self.info.height,
            self.bytes.len()
        )
    }
}

/// The format a `Content-Type` header names, if it is one we take.
fn declared_format(content_type: &str) -> Option<PhotoFormat> {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "image/jpeg" | "image/jpg" | "image/pjpeg" => Some(PhotoFormat::Jpeg),
        "image/png" => Some(PhotoFormat::Png),
        _ => None,
    }
}

/// Refuses dimensions past the pixel cap (`too_large`) or under `min_side` (`too_small`).
fn check_dimensions(width: u32, height: u32, min_side: u32) -> Result<(), PhotoError> {
    if u64::from(width) * u64::from(height) > MAX_PHOTO_PIXELS {
        return Err(PhotoError::TooLarge);
    }
    if width < min_side || height < min_side {
        return Err(PhotoError::TooSmall { width, height });
    }
    Ok(())
}

/// Decodes every row of a PNG, one row at a time, then reads to IEND so a truncated tail fails;
/// with `grey`, each row is also kept there as luma.
fn decode_png(
    bytes: &[u8],
    min_side: u32,
    mut grey: Option<&mut Vec<u8>>,
) -> Result<(u32, u32), PhotoError> {
    let limits = png::Limits {
        bytes: PNG_DECODER_BYTES_MAX,
    };
    let mut decoder = png::Decoder::new_with_limits(Cursor::new(bytes), limits);
    // The header alone first, so a huge declared size is refused before the decoder sizes
    // anything by it.
    let header = decoder
        .read_header_info()
        .map_err(|_| PhotoError::Unreadable)?;
    let (width, height) = (header.width, header.height);
    check_dimensions(width, height, min_side)?;
    if grey.is_some() {
        // Palettes and low bit depths expanded, 16-bit cut to 8: every row is then 8-bit grey,
        // grey+alpha, RGB or RGBA.
        decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    }
    let mut reader = decoder.read_info().map_err(|_| PhotoError::Unreadable)?;
    let channels = reader.output_color_type().0.samples();
    // Row by row: the pixels are checked without ever holding the whole image in memory.
    while let Some(row) = reader.next_row().map_err(|_| PhotoError::Unreadable)? {
        if let Some(out) = grey.as_deref_mut() {
            out.extend(row.data().chunks_exact(channels).map(|px| match px {
                [y] | [y, _] => *y,
                [r, g, b] | [r, g, b, _] => luma(*r, *g, *b),
                _ => 0,
            }));
        }
    }
    reader.finish().map_err(|_| PhotoError::Unreadable)?;
    Ok((width, height))
}

/// One-bits put between the last scan's data and EOI in the copy that is decoded: 16 bytes, as
/// stuffed FF 00 pairs, hold the longest Huffman code with its extra bits (31 bits) four times.
const JPEG_ONE_BITS: [u8; 32] = {
    let mut bits = [0u8; 32];
    let mut i = 0;
    while i < bits.len() {
        bits[i] = 0xFF;
        i += 2;
    }
    bits
};

/// Decodes a whole JPEG; strict mode, because the lenient default fills a truncated image with
/// grey and reports success, which is exactly the damaged upload this check exists to catch.
/// With `grey`, the pixels are kept there as luma.
fn decode_jpeg(
    bytes: &[u8],
    min_side: u32,
    grey: Option<&mut Vec<u8>>,
) -> Result<(u32, u32), PhotoError> {
    // Dimension limits are left at JPEG's own maximum so that `check_dimensions` decides, with
    // the right reason, instead of the decoder failing with a generic error.
    let options = DecoderOptions::default()
        .set_strict_mode(true)
        .set_max_width(usize::from(u16::MAX))
        .set_max_height(usize::from(u16::MAX));
    let mut decoder = JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    decoder
        .decode_headers()
        .map_err(|_| PhotoError::Unreadable)?;
    let (width, height) = decoder.dimensions().ok_or(PhotoError::Unreadable)?;
    let width = u32::try_from(width).map_err(|_| PhotoError::Unreadable)?;
    let height = u32::try_from(height).map_err(|_| PhotoError::Unreadable)?;
    check_dimensions(width, height, min_side)?;
    // The decoder pads a scan that ends early with zero bits and calls it done, even in strict
    // mode, so a file missing its last few bytes would pass; its markers must reach EOI.
    let layout = jpeg_layout(bytes).ok_or(PhotoError::Unreadable)?;
    let scan_bytes = layout.scan_bytes;
    // It pads just the same when a marker (an early EOI) cuts a scan short, so a 16×16 JPEG whose
    // header says 7071×7071 decoded "fine" from 600 bytes. Every 8×8 block of the component with
    // the widest sampling codes its DC coefficient in at least one bit, and that component has at
    // least a quarter of the image's rows of blocks (sampling factors are at most 4): a scan with
    // fewer bits than that is missing data.
    let blocks = u64::from(width / 8) * u64::from(height / 32);
    if (scan_bytes as u64).saturating_mul(8) < blocks {
        return Err(PhotoError::Unreadable);
    }
    // Grey output where the decoder supports it (YCbCr and grey inputs): every scan is still
    // entropy-decoded, but the buffer is one byte a pixel instead of three.
    let output = match decoder.input_colorspace() {
        Some(ColorSpace::YCbCr | ColorSpace::Luma) => ColorSpace::Luma,
        _ => ColorSpace::RGB,
    };
    // Reaching EOI is not enough either: a scan cut short and closed with an EOI (what a
    // "repair" tool or an attacker writes) is zero-padded just the same. So the copy decoded has
    // one-bits between the last scan's data and EOI. A complete scan never reads them (encoders
    // pad a scan's last byte with one-bits too), while a short one must; and no encoder assigns
    // the all-one-bits Huffman code (T.81 annex K reserves it), so the decoder fails on the next
    // code it reads (in strict mode only: the lenient one would stop there and report success).
    let probe = [
        &bytes[..layout.eoi_at],
        &JPEG_ONE_BITS[..],
        &[0xFF, 0xD9][..],
    ]
    .concat();
    let mut decoder = JpegDecoder::new_with_options(
        ZCursor::new(probe.as_slice()),
        options.jpeg_set_out_colorspace(output),
    );
    decoder
        .decode_headers()
        .map_err(|_| PhotoError::Unreadable)?;
    let size = decoder.output_buffer_size().ok_or(PhotoError::Unreadable)?;
    let mut pixels = vec![0u8; size];
    decoder
        .decode_into(&mut pixels)
        .map_err(|_| PhotoError::Unreadable)?;
    if let Some(out) = grey {
        *out = match output {
            ColorSpace::Luma => pixels,
            _ => pixels
                .chunks_exact(3)
                .map(|px| luma(px[0], px[1], px[2]))
                .collect(),
        };
    }
    Ok((width, height))
}

/// What walking a JPEG's markers found, up to its end of image.
struct JpegLayout {
    /// Bytes of entropy-coded data in all its scans (a stuffed FF 00 counts as one).
    scan_bytes: usize,
    /// Where the EOI marker (with any fill bytes before it) starts.
    eoi_at: usize,
}

/// Walks a JPEG's marker segments and entropy-coded scans from SOI; `None` when they do not
/// reach an EOI marker, or when the scans before it leave a coefficient of a component unsent or
/// short of its last bit (a progressive file cut between two scans). Bytes after EOI are allowed
/// (phones append maker data and MPF images there); an EOI inside a segment, such as an Exif
/// thumbnail's, does not count, because segments are skipped by their declared length.
fn jpeg_layout(bytes: &[u8]) -> Option<JpegLayout> {
    let at = |i: usize| bytes.get(i).copied();
    let mut i = 2; // past SOI
    let mut scan_bytes = 0;
    let mut progressive = false;
    // Per component of the frame: its id, and which of its 64 coefficients a scan has sent to
    // their last bit.
    let mut components: Vec<(u8, [bool; 64])> = Vec::new();
    loop {
        if at(i) != Some(0xFF) {
            return None;
        }
        let marker_at = i;
        while at(i) == Some(0xFF) {
            i += 1; // a marker may be preceded by any number of fill bytes
        }
        let marker = at(i)?;
        i += 1;
        match marker {
            0xD9 => {
                let complete = !components.is_empty()
                    && components.iter().all(|(_, sent)| sent.iter().all(|&s| s));
                return complete.then_some(JpegLayout {
                    scan_bytes,
                    eoi_at: marker_at,
                });
            }
            // Standalone markers (RSTn, TEM) carry no length.
            0xD0..=0xD7 | 0x01 => continue,
            _ => {}
        }
        let (hi, lo) = (at(i)?, at(i + 1)?);
        let length = usize::from(u16::from_be_bytes([hi, lo]));
        if length < 2 {
            return None;
        }
        let segment = bytes.get(i + 2..i + length)?;
        i += length;
        // SOF0 to SOF15, less DHT, JPG and DAC, which share the range.
        if matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            progressive = matches!(marker, 0xC2 | 0xC6 | 0xCA | 0xCE);
            let count = usize::from(*segment.get(5)?);
            components = (0..count)
                .map(|n| segment.get(6 + 3 * n).map(|&id| (id, [false; 64])))
                .collect::<Option<_>>()?;
        }
        if marker == 0xDA {
            let count = usize::from(*segment.first()?);
            let (start, end) = (*segment.get(1 + 2 * count)?, *segment.get(2 + 2 * count)?);
            let last_bit = segment.get(3 + 2 * count)? & 0x0F;
            // A sequential scan sends every coefficient whole, whatever its header says (libjpeg
            // only warns about other values there); a progressive one the band Ss..=Se, to bit Al.
            let (band, whole) = if progressive {
                (usize::from(start)..=usize::from(end).min(63), last_bit == 0)
            } else {
                (0..=63, true)
            };
            for n in 0..count {
                let id = *segment.get(1 + 2 * n)?;
                if let Some((_, sent)) = components.iter_mut().find(|(c, _)| *c == id) {
                    for coefficient in sent.get_mut(band.clone()).unwrap_or_default() {
                        *coefficient |= whole;
                    }
                }
            }
            // Entropy-coded data follows SOS: FF is stuffed as FF 00 and restart markers may
            // appear; the first other marker ends the scan.
            loop {
                match (at(i), at(i + 1)) {
                    (None, _) | (Some(0xFF), None) => return None,
                    (Some(0xFF), Some(0x00)) => {
                        i += 2;
                        scan_bytes += 1;
                    }
                    (Some(0xFF), Some(0xD0..=0xD7)) => i += 2,
                    (Some(0xFF), Some(0xFF)) => i += 1,
                    (Some(0xFF), Some(_)) => break,
                    (Some(_), _) => {
                        i += 1;
                        scan_bytes += 1;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A real PNG of the given size, made with the png crate's encoder: a gradient, so the
    /// compressed data is not trivially constant.
    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().unwrap();
        let pixels: Vec<u8> = (0..width * height * 3).map(|i| (i % 251) as u8).collect();
        writer.write_image_data(&pixels).unwrap();
        writer.finish().unwrap();
        out
    }

    /// A real baseline JPEG of the given size, made with the jpeg-encoder crate.
    fn jpeg(width: u16, height: u16, color: jpeg_encoder::ColorType) -> Vec<u8> {
        let channels = match color {
            jpeg_encoder::ColorType::Luma => 1,
            jpeg_encoder::ColorType::Cmyk => 4,
            _ => 3,
        };
        let pixels: Vec<u8> = (0..usize::from(width) * usize::from(height) * channels)
            .map(|i| (i % 253) as u8)
            .collect();
        let mut out = Vec::new();
        let encoder = jpeg_encoder::Encoder::new(&mut out, 85);
        encoder.encode(&pixels, width, height, color).unwrap();
        out
    }

    /// A real 300×300 colour JPEG from an encoder set up by `setup` (progressive, restart
    /// intervals, chroma subsampling), as cameras and editors write them.
    fn jpeg_with(setup: impl FnOnce(&mut jpeg_encoder::Encoder<&mut Vec<u8>>)) -> Vec<u8> {
        let pixels: Vec<u8> = (0..300 * 300 * 3).map(|i| (i % 253) as u8).collect();
        let mut out = Vec::new();
        let mut encoder = jpeg_encoder::Encoder::new(&mut out, 85);
        setup(&mut encoder);
        encoder
            .encode(&pixels, 300, 300, jpeg_encoder::ColorType::Rgb)
            .unwrap();
        out
    }

    /// The JPEGs the truncation tests cut: each way of laying out a scan.
    fn jpeg_layouts() -> Vec<(&'static str, Vec<u8>)> {
        vec![
            ("baseline", jpeg(300, 300, jpeg_encoder::ColorType::Rgb)),
            ("grey", jpeg(300, 300, jpeg_encoder::ColorType::Luma)),
            ("cmyk", jpeg(300, 300, jpeg_encoder::ColorType::Cmyk)),
            (
                "4:2:0",
                jpeg_with(|e| e.set_sampling_factor(jpeg_encoder::SamplingFactor::F_2_2)),
            ),
            (
                "restart intervals",
                jpeg_with(|e| e.set_restart_interval(4)),
            ),
            ("progressive", jpeg_with(|e| e.set_progressive(true))),
            (
                "progressive 4:2:0 with restarts",
                jpeg_with(|e| {
                    e.set_progressive(true);
                    e.set_restart_interval(2);
                    e.set_sampling_factor(jpeg_encoder::SamplingFactor::F_2_2);
                }),
            ),
        ]
    }

    /// A PNG whose IHDR claims the given size, with no pixel data behind it.
    fn png_header_only(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = png(1, 1);
        // IHDR's width and height sit at bytes 16..24; its CRC at 29..33 must be recomputed.
        bytes[16..20].copy_from_slice(&width.to_be_bytes());
        bytes[20..24].copy_from_slice(&height.to_be_bytes());
        let crc = crc32(&bytes[12..29]);
        bytes[29..33].copy_from_slice(&crc.to_be_bytes());
        bytes
    }

    /// CRC-32 (IEEE), as PNG chunks use; bitwise because speed does not matter here.
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &byte in data {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn a_png_of_exactly_the_minimum_size_is_accepted() {
        let info = Photo::inspect(&png(300, 300), "image/png").unwrap();
        assert_eq!(
            info,
            PhotoInfo {
                format: PhotoFormat::Png,
                width: 300,
                height: 300
            }
        );
    }

    #[test]
    fn jpegs_in_colour_grey_and_cmyk_are_accepted() {
        for color in [
            jpeg_encoder::ColorType::Rgb,
            jpeg_encoder::ColorType::Luma,
            jpeg_encoder::ColorType::Cmyk,
        ] {
            let info = Photo::inspect(&jpeg(320, 400, color), "image/jpeg").unwrap();
            assert_eq!(
                info,
                PhotoInfo {
                    format: PhotoFormat::Jpeg,
                    width: 320,
                    height: 400
                }
            );
        }
    }

    #[test]
    fn one_pixel_short_in_either_direction_is_too_small() {
        let cases = [
            (
                png(299, 300),
                PhotoError::TooSmall {
                    width: 299,
                    height: 300,
                },
            ),
            (
                png(300, 299),
                PhotoError::TooSmall {
                    width: 300,
                    height: 299,
                },
            ),
            (
                png(1, 1),
                PhotoError::TooSmall {
                    width: 1,
                    height: 1,
                },
            ),
            (
                jpeg(299, 300, jpeg_encoder::ColorType::Rgb),
                PhotoError::TooSmall {
                    width: 299,
                    height: 300,
                },
            ),
        ];
        for (bytes, want) in cases {
            assert_eq!(Photo::inspect(&bytes, "image/png"), Err(want));
            assert_eq!(want.reason(), "too_small");
        }
    }

    #[test]
    fn a_file_over_five_mebibytes_is_too_large_without_being_decoded() {
        // Garbage that no decoder would accept: only the size check can have answered.
        let mut bytes = vec![0xAB; MAX_PHOTO_BYTES + 1];
        bytes[..8].copy_from_slice(PNG_MAGIC);
        assert_eq!(
            Photo::inspect(&bytes, "image/png"),
            Err(PhotoError::TooLarge)
        );
        assert_eq!(
            Photo::inspect(&bytes, "application/pdf"),
            Err(PhotoError::TooLarge)
        );
        assert_eq!(PhotoError::TooLarge.reason(), "too_large");
        // Exactly at the limit the size check passes, and the garbage is then found unreadable.
        bytes.truncate(MAX_PHOTO_BYTES);
        assert_eq!(
            Photo::inspect(&bytes, "image/png"),
            Err(PhotoError::Unreadable)
        );
    }

    #[test]
    fn a_huge_declared_size_is_too_large_before_any_pixel_buffer_exists() {
        for (width, height) in [(10_000, 5_001), (65_535, 65_535), (1, 50_000_001)] {
            let bytes = png_header_only(width, height);
            assert_eq!(
                Photo::inspect(&bytes, "image/png"),
                Err(PhotoError::TooLarge),
                "{width}×{height}"
            );
        }
        // Just under the cap the header is fine, and the missing pixels make it unreadable.
        let bytes = png_header_only(10_000, 5_000);
        assert_eq!(
            Photo::inspect(&bytes, "image/png"),
            Err(PhotoError::Unreadable)
        );
    }

    #[test]
    fn what_is_not_a_jpeg_or_png_is_the_wrong_format() {
        let cases: [(&[u8], &str); 7] = [
            (
                b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
                "image/jpeg",
            ), // renamed PDF
            (b"%PDF-1.4", "image/png"),
            (b"hello, this is a text file\n", "image/png"),
            (b"GIF89a\x01\x00\x01\x00", "image/jpeg"),
            (b"\x00\x00\x00\x18ftypheic", "image/jpeg"), // an iPhone HEIC
            (b"", "image/png"),
            (b"\x89PN", "image/png"), // too short to hold the signature
        ];
        for (bytes, declared) in cases {
            assert_eq!(
                Photo::inspect(bytes, declared),
                Err(PhotoError::Format),
                "{bytes:?}"
            );
        }
        assert_eq!(PhotoError::Format.reason(), "format");
    }

    #[test]
    fn a_declared_type_other_than_jpeg_or_png_is_the_wrong_format() {
        let bytes = png(300, 300);
        for declared in [
            "application/pdf",
            "image/gif",
            "image/heic",
            "text/plain",
            "",
            "image/png2",
            "png",
        ] {
            assert_eq!(
                Photo::inspect(&bytes, declared),
                Err(PhotoError::Format),
                "{declared:?}"
            );
        }
    }

    #[test]
    fn declared_types_are_matched_ignoring_case_and_parameters() {
        let bytes = png(300, 300);
        for declared in [
            "image/png",
            "IMAGE/PNG",
            " image/png ",
            "image/png; charset=binary",
        ] {
            assert!(Photo::inspect(&bytes, declared).is_ok(), "{declared:?}");
        }
    }

    #[test]
    fn a_mislabelled_jpeg_or_png_is_accepted_as_what_it_really_is() {
        let info = Photo::inspect(&png(300, 300), "image/jpeg").unwrap();
        assert_eq!(info.format, PhotoFormat::Png);
        let jpeg = jpeg(300, 300, jpeg_encoder::ColorType::Rgb);
        let info = Photo::inspect(&jpeg, "image/png").unwrap();
        assert_eq!(info.format, PhotoFormat::Jpeg);
        assert_eq!(info.format.content_type(), "image/jpeg");
    }

    #[test]
    fn a_truncated_or_corrupted_image_is_unreadable() {
        let png = png(300, 300);
        let jpeg = jpeg(300, 300, jpeg_encoder::ColorType::Rgb);
        let mut png_bad_crc = png.clone();
        png_bad_crc[45] ^= 0xFF; // in the first IDAT chunk's data, past its type at 37..41
        let cases: Vec<(&str, Vec<u8>, &str)> = vec![
            (
                "png cut in half",
                png[..png.len() / 2].to_vec(),
                "image/png",
            ),
            (
                "png without IEND",
                png[..png.len() - 12].to_vec(),
                "image/png",
            ),
            ("png cut after the header", png[..40].to_vec(), "image/png"),
            ("png signature only", PNG_MAGIC.to_vec(), "image/png"),
            ("png with a corrupt chunk", png_bad_crc, "image/png"),
            (
                "jpeg cut in half",
                jpeg[..jpeg.len() / 2].to_vec(),
                "image/jpeg",
            ),
            (
                "jpeg missing its last ten bytes",
                jpeg[..jpeg.len() - 10].to_vec(),
                "image/jpeg",
            ),
            (
                "jpeg missing its last hundred bytes",
                jpeg[..jpeg.len() - 100].to_vec(),
                "image/jpeg",
            ),
            (
                "jpeg cut after the headers",
                jpeg[..700].to_vec(),
                "image/jpeg",
            ),
            ("jpeg magic only", JPEG_MAGIC.to_vec(), "image/jpeg"),
        ];
        for (what, bytes, declared) in cases {
            assert_eq!(
                Photo::inspect(&bytes, declared),
                Err(PhotoError::Unreadable),
                "{what}"
            );
        }
        assert_eq!(PhotoError::Unreadable.reason(), "unreadable");
        assert_eq!(PhotoError::Unreadable.code(), "photo_invalid");
    }

    #[test]
    fn jpegs_laid_out_as_cameras_and_editors_write_them_are_accepted() {
        for (what, bytes) in jpeg_layouts() {
            let info = Photo::inspect(&bytes, "image/jpeg");
            assert_eq!(info.map(|i| (i.width, i.height)), Ok((300, 300)), "{what}");
            let picture = grey_picture(&bytes, "image/jpeg").unwrap();
            assert_eq!(picture.pixels.len(), 300 * 300, "{what}");
        }
    }

    /// Issue 14, item 9a: a JPEG cut in its scan data and closed again with an EOI marker was
    /// accepted, the decoder filling the missing blocks with zero bits. Without the EOI put back
    /// it was refused already; both must be.
    #[test]
    fn a_jpeg_cut_short_is_unreadable_with_or_without_an_end_marker_put_back() {
        for (what, whole) in jpeg_layouts() {
            let n = whole.len();
            let first_scan = whole.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap();
            // The attack's cut points, then every 40th of the scan data up to its last 2 bytes
            // (a cut of the very last byte can lose nothing but encoder padding).
            let mut cuts = vec![n / 2, n * 3 / 4, n * 9 / 10, n - 4];
            cuts.extend((0..40).map(|k| first_scan + 4 + k * (n - 4 - first_scan - 4) / 40));
            for cut in cuts {
                let cut_short = &whole[..cut];
                assert_eq!(
                    Photo::inspect(cut_short, "image/jpeg"),
                    Err(PhotoError::Unreadable),
                    "{what} cut at {cut} of {n}"
                );
                let end_put_back = [cut_short, &b"\xFF\xD9"[..]].concat();
                assert_eq!(
                    Photo::inspect(&end_put_back, "image/jpeg"),
                    Err(PhotoError::Unreadable),
                    "{what} cut at {cut} of {n}, EOI put back"
                );
                assert_eq!(
                    grey_picture(&end_put_back, "image/jpeg"),
                    Err(PhotoError::Unreadable),
                    "{what} cut at {cut} of {n}, EOI put back, as a QR picture"
                );
            }
            assert_eq!(
                Photo::inspect(&whole[..n - 2], "image/jpeg"),
                Err(PhotoError::Unreadable),
                "{what} without its EOI"
            );
        }
    }

    #[test]
    fn a_progressive_jpeg_missing_its_last_scans_is_unreadable() {
        let whole = jpeg_with(|e| e.set_progressive(true));
        let scans: Vec<usize> = (0..whole.len() - 1)
            .filter(|&i| whole[i..i + 2] == [0xFF, 0xDA])
            .collect();
        assert!(scans.len() > 2, "{} scans", scans.len());
        // Cut exactly between two scans, every scan before the cut whole, and the EOI put back.
        for &next_scan in &scans[1..] {
            let cut_between_scans = [&whole[..next_scan], &b"\xFF\xD9"[..]].concat();
            assert_eq!(
                Photo::inspect(&cut_between_scans, "image/jpeg"),
                Err(PhotoError::Unreadable),
                "cut before the scan at {next_scan}"
            );
        }
    }

    #[test]
    fn bytes_after_a_jpegs_end_marker_are_allowed() {
        let mut bytes = jpeg(300, 300, jpeg_encoder::ColorType::Rgb);
        bytes.extend_from_slice(b"SEFT maker trailer \xFF\xD8 and more");
        assert!(Photo::inspect(&bytes, "image/jpeg").is_ok());
    }

    #[test]
    fn an_end_marker_inside_a_segment_does_not_complete_a_truncated_jpeg() {
        let whole = jpeg(300, 300, jpeg_encoder::ColorType::Rgb);
        // An APP1 segment holding an embedded thumbnail's end marker, right after SOI.
        let app1: &[u8] = b"\xFF\xE1\x00\x08\xFF\xD9\xFF\xD9\xFF\xD9";
        let with_thumbnail = [&whole[..2], app1, &whole[2..]].concat();
        assert!(Photo::inspect(&with_thumbnail, "image/jpeg").is_ok());
        let truncated = &with_thumbnail[..with_thumbnail.len() - 10];
        assert_eq!(
            Photo::inspect(truncated, "image/jpeg"),
            Err(PhotoError::Unreadable)
        );
    }

    /// Found by `qianbao-fuzz photo` (seed 1, case 2922): an 8×8 JPEG whose SOF was rewritten
    /// to 7071×7071 was accepted from 657 bytes, the decoder padding the missing 50 megapixels.
    #[test]
    fn fuzz_found_a_jpeg_whose_header_claims_more_pixels_than_its_scan_holds_is_unreadable() {
        let found = "ffd8ffe000104a46494600010200000100010000ffc00011081b9f1b9f03002200011101021101ff\
            db004300080606070605080707070909080a0c140d0c0b0b0c1912130f141d1a1f1e1d1a1c1c2024\
            2e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffdb0043010909090c0b0c18\
            0d0d1832211c21323232323232323232323232323232323232323232323232323232323232323232\
            3232323232323232323232323232323232ffc4001f00000105010101010101000000000000000001\
            02030405060708090a0bffc400b5100002010303020403050504040000017d010203000411051221\
            31410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a2526272829\
            2a3435363738393a434445464748494a535455565758595a636465666768696a737475767778797a\
            838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6\
            c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffc4001f010003\
            0101010101010101010000000000000102030405060708090a0bffc400b511000201020404030407\
            05040400010277000102031104052131061241510761711322328108144291a1b1c109233352f015\
            6272d10a162434e125f11718191a262728292a35363738393a434445464748494a53545556575859\
            5a636465666768696a737475767778797a82838485868788898a92939495969798999aa2a3a4a5a6\
            a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae2e3e4e5e6e7e8e9ea\
            f2f3f4f5f6f7f8f9faffda000c03000001110211003f00e6ad34e5dabf2e49f6ab9fd9dff4c7f4ff\
            00ebd4f69ff2cff0feb5a55f547cd9ffd9";
        let bytes: Vec<u8> = (0..found.len() / 2)
            .map(|i| u8::from_str_radix(&found[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        assert_eq!(bytes.len(), 657);
        assert_eq!(
            Photo::inspect(&bytes, "\u{3000}image/png"),
            Err(PhotoError::Unreadable)
        );
        // The same trick on a real photo's header, in every colour model.
        for color in [
            jpeg_encoder::ColorType::Rgb,
            jpeg_encoder::ColorType::Luma,
            jpeg_encoder::ColorType::Cmyk,
        ] {
            let mut bytes = jpeg(16, 16, color);
            let sof = bytes.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
            bytes[sof + 5..sof + 9].copy_from_slice(&[0x1B, 0x9F, 0x1B, 0x9F]); // 7071×7071
            assert_eq!(
                Photo::inspect(&bytes, "image/jpeg"),
                Err(PhotoError::Unreadable)
            );
        }
    }

    #[test]
    fn parse_keeps_the_original_bytes_and_debug_hides_them() {
        let bytes = png(300, 301);
        let photo = Photo::parse(bytes.clone(), "image/png").unwrap();
        assert_eq!(photo.bytes(), bytes.as_slice());
        assert_eq!(photo.info().height, 301);
        assert_eq!(
            format!("{photo:?}"),
            format!("Photo(image/png, 300×301, {} bytes)", bytes.len())
        );
        assert_eq!(photo.into_bytes(), bytes);
    }
}
