//! Decoded images: JPEG (zune-jpeg), PNG (png) and WebP (libwebp) to 8-bit
//! RGB or RGBA, turned the way the EXIF orientation says.

use super::probe::{Format, Probe};

/// The most pixels Grove decodes (a 100-megapixel image takes 400 MB as
/// RGBA): larger files are refused, not allowed to exhaust memory.
pub const MAX_PIXELS: u64 = 100_000_000;

/// 8-bit pixels, 3 (RGB) or 4 (RGBA, straight alpha) bytes each, row by row.
pub struct Pixels {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Whether each pixel has an alpha byte.
    pub alpha: bool,
    /// The bytes.
    pub data: Vec<u8>,
}

impl Pixels {
    /// Bytes per pixel.
    pub fn channels(&self) -> usize {
        if self.alpha { 4 } else { 3 }
    }
}

/// Decodes `bytes`, which `probe` describes, and applies its orientation.
pub fn decode(bytes: &[u8], probe: &Probe) -> Result<Pixels, String> {
    if u64::from(probe.width) * u64::from(probe.height) > MAX_PIXELS {
        return Err(format!(
            "{}x{} pixels is more than Grove decodes ({} megapixels); scale it down first",
            probe.width,
            probe.height,
            MAX_PIXELS / 1_000_000
        ));
    }
    let pixels = match probe.format {
        Format::Jpeg => jpeg(bytes)?,
        Format::Png => png(bytes)?,
        Format::Webp => webp(bytes)?,
        Format::Gif | Format::Svg => return Err("GIF and SVG images are not decoded".into()),
    };
    Ok(orient(pixels, probe.orientation))
}

fn jpeg(bytes: &[u8]) -> Result<Pixels, String> {
    use zune_core::bytestream::ZCursor;
    use zune_core::colorspace::ColorSpace;
    use zune_core::options::DecoderOptions;
    let options = DecoderOptions::default()
        .jpeg_set_out_colorspace(ColorSpace::RGB)
        .set_max_width(1 << 16)
        .set_max_height(1 << 16);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    let data = decoder
        .decode()
        .map_err(|e| format!("cannot decode the JPEG: {e:?}"))?;
    let (width, height) = decoder
        .dimensions()
        .ok_or("cannot decode the JPEG: no size after decoding")?;
    let pixels = Pixels {
        width: width as u32,
        height: height as u32,
        alpha: false,
        data,
    };
    check_length(pixels)
}

fn png(bytes: &[u8]) -> Result<Pixels, String> {
    let broken = |e: png::DecodingError| format!("cannot decode the PNG: {e}");
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().map_err(broken)?;
    let size = reader
        .output_buffer_size()
        .ok_or("cannot decode the PNG: it is too large")?;
    let mut buffer = vec![0; size];
    let info = reader.next_frame(&mut buffer).map_err(broken)?;
    buffer.truncate(info.buffer_size());
    let (width, height) = (info.width, info.height);
    let (alpha, data) = match info.color_type {
        png::ColorType::Rgb => (false, buffer),
        png::ColorType::Rgba => (true, buffer),
        png::ColorType::Grayscale => (false, buffer.iter().flat_map(|&v| [v, v, v]).collect()),
        png::ColorType::GrayscaleAlpha => (
            true,
            buffer
                .chunks_exact(2)
                .flat_map(|p| [p[0], p[0], p[0], p[1]])
                .collect(),
        ),
        png::ColorType::Indexed => {
            return Err("cannot decode the PNG: its palette was not expanded".into());
        }
    };
    check_length(Pixels {
        width,
        height,
        alpha,
        data,
    })
}

fn webp(bytes: &[u8]) -> Result<Pixels, String> {
    let features = webp::BitstreamFeatures::new(bytes)
        .ok_or("cannot decode the WebP: its header is malformed")?;
    if features.has_animation() {
        return Err(
            "an animated WebP cannot be resized; publish it from `static/` as it is".into(),
        );
    }
    let image = webp::Decoder::new(bytes)
        .decode()
        .ok_or("cannot decode the WebP: its data is malformed")?;
    check_length(Pixels {
        width: image.width(),
        height: image.height(),
        alpha: image.is_alpha(),
        data: image.to_vec(),
    })
}

fn check_length(pixels: Pixels) -> Result<Pixels, String> {
    let expected = pixels.width as usize * pixels.height as usize * pixels.channels();
    if pixels.data.len() == expected {
        Ok(pixels)
    } else {
        Err(format!(
            "the decoder gave {} bytes for {}x{} pixels; the file is probably damaged",
            pixels.data.len(),
            pixels.width,
            pixels.height
        ))
    }
}

/// Turns `pixels` as EXIF orientation `value` says (1: as stored; 2-8:
/// mirrored and/or turned by quarters).
pub fn orient(pixels: Pixels, value: u8) -> Pixels {
    if !(2..=8).contains(&value) {
        return pixels;
    }
    let (w, h) = (pixels.width as usize, pixels.height as usize);
    let swapped = super::exif::swaps_axes(value);
    let (out_w, out_h) = if swapped { (h, w) } else { (w, h) };
    let channels = pixels.channels();
    let mut data = vec![0; pixels.data.len()];
    for y in 0..out_h {
        for x in 0..out_w {
            // The stored pixel shown at (x, y).
            let (sx, sy) = match value {
                2 => (w - 1 - x, y),
                3 => (w - 1 - x, h - 1 - y),
                4 => (x, h - 1 - y),
                5 => (y, x),
                6 => (y, h - 1 - x),
                7 => (w - 1 - y, h - 1 - x),
                _ => (w - 1 - y, x),
            };
            let from = (sy * w + sx) * channels;
            let to = (y * out_w + x) * channels;
            data[to..to + channels].copy_from_slice(&pixels.data[from..from + channels]);
        }
    }
    Pixels {
        width: out_w as u32,
        height: out_h as u32,
        alpha: pixels.alpha,
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 3x2 image whose pixels are their own indices.
    fn numbered() -> Pixels {
        Pixels {
            width: 3,
            height: 2,
            alpha: false,
            data: (0..6u8).flat_map(|i| [i, i, i]).collect(),
        }
    }

    fn shown(pixels: &Pixels) -> Vec<u8> {
        pixels.data.chunks(3).map(|p| p[0]).collect()
    }

    /// Stored:      0 1 2
    ///              3 4 5
    #[test]
    fn orientations_turn_and_mirror_as_exif_defines() {
        let cases: [(u8, (u32, u32), [u8; 6]); 8] = [
            (1, (3, 2), [0, 1, 2, 3, 4, 5]),
            (2, (3, 2), [2, 1, 0, 5, 4, 3]),
            (3, (3, 2), [5, 4, 3, 2, 1, 0]),
            (4, (3, 2), [3, 4, 5, 0, 1, 2]),
            (5, (2, 3), [0, 3, 1, 4, 2, 5]),
            // 6: stored turned left, so shown turned a quarter clockwise.
            (6, (2, 3), [3, 0, 4, 1, 5, 2]),
            (7, (2, 3), [5, 2, 4, 1, 3, 0]),
            (8, (2, 3), [2, 5, 1, 4, 0, 3]),
        ];
        for (value, size, expected) in cases {
            let turned = orient(numbered(), value);
            assert_eq!((turned.width, turned.height), size, "orientation {value}");
            assert_eq!(shown(&turned), expected, "orientation {value}");
        }
    }
}
