//! Pixels to file bytes: WebP (libwebp), JPEG (jpeg-encoder, progressive)
//! and PNG (png). Nothing of the source's metadata is written: no EXIF,
//! no GPS, no camera serials.

use super::pixels::Pixels;
use super::probe::Format;

/// Encodes `pixels` as `format` at `quality` (1-100; PNG ignores it).
pub fn encode(pixels: &Pixels, format: Format, quality: u8) -> Result<Vec<u8>, String> {
    match format {
        Format::Webp => webp(pixels, quality),
        Format::Jpeg => jpeg(pixels, quality),
        Format::Png => png(pixels),
        Format::Gif | Format::Svg => Err(format!(
            "Grove does not write {} images",
            format.extension()
        )),
    }
}

fn webp(pixels: &Pixels, quality: u8) -> Result<Vec<u8>, String> {
    let mut config =
        webp::WebPConfig::new().map_err(|()| "libwebp refused its own default settings")?;
    config.quality = f32::from(quality.clamp(1, 100));
    // libwebp's default effort; 6 is slower for about 2% fewer bytes.
    config.method = 4;
    let encoder = if pixels.alpha {
        webp::Encoder::from_rgba(&pixels.data, pixels.width, pixels.height)
    } else {
        webp::Encoder::from_rgb(&pixels.data, pixels.width, pixels.height)
    };
    let memory = encoder
        .encode_advanced(&config)
        .map_err(|e| format!("cannot encode WebP: {e:?}"))?;
    Ok(memory.to_vec())
}

fn jpeg(pixels: &Pixels, quality: u8) -> Result<Vec<u8>, String> {
    // JPEG has no alpha: transparent pixels go on white, as browsers show
    // them on most pages.
    let rgb;
    let data = if pixels.alpha {
        rgb = flatten_on_white(&pixels.data);
        &rgb
    } else {
        &pixels.data
    };
    let (Ok(width), Ok(height)) = (u16::try_from(pixels.width), u16::try_from(pixels.height))
    else {
        return Err("JPEG images are at most 65,535 pixels wide and high".into());
    };
    let mut out = Vec::with_capacity(data.len() / 10);
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, quality.clamp(1, 100));
    encoder.set_progressive(true);
    encoder.set_optimized_huffman_tables(true);
    encoder
        .encode(data, width, height, jpeg_encoder::ColorType::Rgb)
        .map_err(|e| format!("cannot encode JPEG: {e}"))?;
    Ok(out)
}

fn flatten_on_white(rgba: &[u8]) -> Vec<u8> {
    rgba.chunks_exact(4)
        .flat_map(|p| {
            let a = u16::from(p[3]);
            let on_white = |c: u8| ((u16::from(c) * a + 255 * (255 - a) + 127) / 255) as u8;
            [on_white(p[0]), on_white(p[1]), on_white(p[2])]
        })
        .collect()
}

fn png(pixels: &Pixels) -> Result<Vec<u8>, String> {
    let failed = |e: png::EncodingError| format!("cannot encode PNG: {e}");
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, pixels.width, pixels.height);
    encoder.set_color(if pixels.alpha {
        png::ColorType::Rgba
    } else {
        png::ColorType::Rgb
    });
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Balanced);
    let mut writer = encoder.write_header().map_err(failed)?;
    writer.write_image_data(&pixels.data).map_err(failed)?;
    writer.finish().map_err(failed)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::pixels::decode;
    use crate::image::probe::probe;

    fn gradient(alpha: bool) -> Pixels {
        let (width, height) = (64u32, 48u32);
        let channels = if alpha { 4 } else { 3 };
        let data = (0..width * height)
            .flat_map(|i| {
                let (x, y) = ((i % width) as u8, (i / width) as u8);
                [x * 4, y * 5, 128, 200][..channels].to_vec()
            })
            .collect();
        Pixels {
            width,
            height,
            alpha,
            data,
        }
    }

    /// What is written reads back at its size, and close to its pixels.
    #[test]
    fn every_format_round_trips() {
        for (format, alpha) in [
            (Format::Webp, false),
            (Format::Webp, true),
            (Format::Jpeg, false),
            (Format::Jpeg, true),
            (Format::Png, true),
        ] {
            let pixels = gradient(alpha);
            let bytes = encode(&pixels, format, 90).unwrap();
            let found = probe(&bytes, "x").unwrap();
            assert_eq!((found.format, found.width, found.height), (format, 64, 48));
            let back = decode(&bytes, &found).unwrap();
            let shown = |p: &Pixels, i: usize| p.data[i * p.channels()..][..3].to_vec();
            for i in [0, 1000, 64 * 48 - 1] {
                let (a, b) = (shown(&pixels, i), shown(&back, i));
                let close = a.iter().zip(&b).all(|(x, y)| x.abs_diff(*y) < 24);
                if !(format == Format::Jpeg && alpha) {
                    assert!(close, "{format:?} alpha {alpha} pixel {i}: {a:?} vs {b:?}");
                }
            }
        }
    }
}
