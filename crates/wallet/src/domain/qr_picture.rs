//! Reading the QR code in a photo or screenshot: what "scan" means for a person who uploads a
//! picture of a till's code or of a friend's payment code instead of pointing a camera at it.

use super::photo::{GreyPicture, PhotoError, grey_picture};

/// The longest side a picture is searched at. Phone photos (4000 px and more) are shrunk to this
/// first: a QR code filling a tenth of such a photo still has modules of several pixels, and the
/// detector's time grows with the pixel count.
const SEARCH_SIDE_MAX: u32 = 1600;

/// Why no QR text came out of a picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum QrPictureError {
    /// Not an acceptable JPEG or PNG (see [`PhotoError`]).
    #[error(transparent)]
    Photo(#[from] PhotoError),
    /// The picture decoded, but no QR code in it could be read.
    #[error("no readable QR code was found in the picture")]
    NotFound,
}

impl QrPictureError {
    /// The stable API error code: `photo_invalid` or `qr_not_found`.
    pub fn code(&self) -> &'static str {
        match self {
            QrPictureError::Photo(e) => e.code(),
            QrPictureError::NotFound => "qr_not_found",
        }
    }
}

/// The text of the first readable QR code in a JPEG or PNG.
pub fn read_qr(bytes: &[u8], declared_content_type: &str) -> Result<String, QrPictureError> {
    let picture = shrink(grey_picture(bytes, declared_content_type)?);
    let (width, height) = (picture.width as usize, picture.height as usize);
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
        picture
            .pixels
            .get(y * width + x)
            .copied()
            .unwrap_or(u8::MAX)
    });
    prepared
        .detect_grids()
        .into_iter()
        .find_map(|grid| grid.decode().ok().map(|(_, text)| text))
        .ok_or(QrPictureError::NotFound)
}

/// The picture scaled down by a whole factor (each output pixel the mean of a square of input
/// pixels) until its longest side is at most [`SEARCH_SIDE_MAX`].
fn shrink(picture: GreyPicture) -> GreyPicture {
    let side = picture.width.max(picture.height);
    let factor = side.div_ceil(SEARCH_SIDE_MAX).max(1);
    if factor == 1 {
        return picture;
    }
    let (width, height) = (picture.width / factor, picture.height / factor);
    let (w_in, f) = (picture.width as usize, factor as usize);
    let mut pixels = Vec::with_capacity(width as usize * height as usize);
    for y in 0..height as usize {
        for x in 0..width as usize {
            let mut sum = 0u32;
            for dy in 0..f {
                let row = (y * f + dy) * w_in + x * f;
                sum += picture
                    .pixels
                    .get(row..row + f)
                    .map_or(0, |px| px.iter().map(|&p| u32::from(p)).sum());
            }
            pixels.push(u8::try_from(sum / (factor * factor)).unwrap_or(u8::MAX));
        }
    }
    GreyPicture {
        width,
        height,
        pixels,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A PNG of `text`'s QR code, `scale` pixels a module, with a quiet zone, and some grey noise
    /// pattern in the margin so the picture is not a bare code.
    fn qr_png(text: &str, scale: u32) -> Vec<u8> {
        let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
        let modules = code.width() as u32;
        let colors = code.to_colors();
        let side = (modules + 8) * scale;
        let mut pixels = vec![255u8; (side * side) as usize];
        for y in 0..modules {
            for x in 0..modules {
                if colors[(y * modules + x) as usize] == qrcode::Color::Dark {
                    for dy in 0..scale {
                        for dx in 0..scale {
                            let (px, py) = ((x + 4) * scale + dx, (y + 4) * scale + dy);
                            pixels[(py * side + px) as usize] = 20;
                        }
                    }
                }
            }
        }
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, side, side);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        encoder
            .write_header()
            .unwrap()
            .write_image_data(&pixels)
            .unwrap();
        out
    }

    #[test]
    fn reads_the_text_of_a_qr_code_in_a_png() {
        let text = "qianbao://o/ord_0192abcd";
        assert_eq!(read_qr(&qr_png(text, 6), "image/png").unwrap(), text);
    }

    #[test]
    fn reads_a_code_in_a_picture_that_must_be_shrunk_first() {
        // 2,000+ px on a side: searched at half size.
        let text = "qianbao://m/mch_42";
        let png = qr_png(text, 70);
        assert!(grey_picture(&png, "image/png").unwrap().width > SEARCH_SIDE_MAX);
        assert_eq!(read_qr(&png, "image/png").unwrap(), text);
    }

    #[test]
    fn a_picture_without_a_code_is_not_found_and_a_non_picture_is_photo_invalid() {
        let mut blank = Vec::new();
        let mut encoder = png::Encoder::new(&mut blank, 64, 64);
        encoder.set_color(png::ColorType::Grayscale);
        encoder
            .write_header()
            .unwrap()
            .write_image_data(&[200u8; 64 * 64])
            .unwrap();
        assert_eq!(
            read_qr(&blank, "image/png").unwrap_err(),
            QrPictureError::NotFound
        );
        let err = read_qr(b"%PDF-1.7", "image/png").unwrap_err();
        assert_eq!(err.code(), "photo_invalid");
    }

    #[test]
    fn a_jpeg_of_a_code_is_read_too() {
        let text = "qianbao://r/w_1?amount=1250";
        let png = qr_png(text, 8);
        let grey = grey_picture(&png, "image/png").unwrap();
        let mut jpeg = Vec::new();
        jpeg_encoder::Encoder::new(&mut jpeg, 90)
            .encode(
                &grey.pixels,
                u16::try_from(grey.width).unwrap(),
                u16::try_from(grey.height).unwrap(),
                jpeg_encoder::ColorType::Luma,
            )
            .unwrap();
        assert_eq!(read_qr(&jpeg, "image/jpeg").unwrap(), text);
    }
}
