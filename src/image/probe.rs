//! What an image file is without decoding it: its format, its size as
//! shown (EXIF orientation applied) and the orientation, read from the
//! first bytes (JPEG segments, PNG's IHDR, GIF's screen, WebP's chunks,
//! SVG's root attributes).

use super::exif;

/// The image formats Grove reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// JPEG (`.jpg`, `.jpeg`).
    Jpeg,
    /// PNG.
    Png,
    /// WebP.
    Webp,
    /// GIF, passed through (it may be animated).
    Gif,
    /// SVG, passed through (it scales by itself).
    Svg,
}

impl Format {
    /// The format a file name's extension says, if Grove reads it.
    pub fn from_name(name: &str) -> Option<Format> {
        let extension = name.rsplit_once('.')?.1.to_ascii_lowercase();
        Some(match extension.as_str() {
            "jpg" | "jpeg" | "jpe" => Format::Jpeg,
            "png" => Format::Png,
            "webp" => Format::Webp,
            "gif" => Format::Gif,
            "svg" => Format::Svg,
            _ => return None,
        })
    }

    /// The extension Grove gives files of this format.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Png => "png",
            Format::Webp => "webp",
            Format::Gif => "gif",
            Format::Svg => "svg",
        }
    }

    /// The MIME type, for `<source type>`.
    pub fn mime(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Webp => "image/webp",
            Format::Gif => "image/gif",
            Format::Svg => "image/svg+xml",
        }
    }

    /// Whether Grove resizes and re-encodes images of this format (GIF
    /// and SVG are published as they are).
    pub fn is_processed(self) -> bool {
        matches!(self, Format::Jpeg | Format::Png | Format::Webp)
    }
}

/// An image's format and size as a browser shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probe {
    /// What the bytes are.
    pub format: Format,
    /// Width as shown (after the EXIF orientation), in pixels; for an SVG
    /// without a usable size, 0.
    pub width: u32,
    /// Height as shown, in pixels.
    pub height: u32,
    /// The EXIF orientation, 1 (as stored) to 8.
    pub orientation: u8,
    /// Whether the pixels may be transparent (PNG with alpha or a
    /// transparency chunk, WebP with alpha).
    pub alpha: bool,
}

/// Reads `bytes` as an image; `name` (the file name) is used only to
/// tell SVG, which has no magic number. `Err` says what is wrong.
pub fn probe(bytes: &[u8], name: &str) -> Result<Probe, String> {
    let probe = if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        jpeg(bytes)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        png(bytes)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        gif(bytes)
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        webp(bytes)
    } else if Format::from_name(name) == Some(Format::Svg) {
        svg(bytes)
    } else {
        return Err(
            "not a JPEG, PNG, WebP, GIF or SVG image (its first bytes are none of theirs)".into(),
        );
    }?;
    if probe.format != Format::Svg && (probe.width == 0 || probe.height == 0) {
        return Err("the image says it is 0 pixels wide or high".into());
    }
    Ok(probe)
}

fn truncated() -> String {
    "the file ends before the image's header does: it is cut short or not an image".into()
}

fn be16(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from(u16::from_be_bytes(
        bytes.get(at..at + 2)?.try_into().ok()?,
    )))
}

fn le16(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from(u16::from_le_bytes(
        bytes.get(at..at + 2)?.try_into().ok()?,
    )))
}

fn le24(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at + 3)?;
    Some(u32::from(b[0]) | u32::from(b[1]) << 8 | u32::from(b[2]) << 16)
}

/// Walks JPEG segments up to the frame header, reading the EXIF
/// orientation on the way.
fn jpeg(bytes: &[u8]) -> Result<Probe, String> {
    let mut at = 2;
    let mut orientation = 1;
    loop {
        // Markers may be padded with any number of 0xFF.
        while bytes.get(at) == Some(&0xFF) && bytes.get(at + 1) == Some(&0xFF) {
            at += 1;
        }
        if bytes.get(at) != Some(&0xFF) {
            return Err(if at >= bytes.len() {
                truncated()
            } else {
                "a JPEG segment is malformed before the image size".into()
            });
        }
        let marker = *bytes.get(at + 1).ok_or_else(truncated)?;
        if (0xD0..=0xD9).contains(&marker) || marker == 0x01 {
            at += 2;
            continue;
        }
        let length = be16(bytes, at + 2).ok_or_else(truncated)? as usize;
        let body = bytes.get(at + 4..at + 2 + length).ok_or_else(truncated)?;
        match marker {
            0xE1 if body.starts_with(b"Exif\0\0") => {
                orientation = exif::orientation(&body[6..]).unwrap_or(1);
            }
            // Start of frame: any but DHT (C4), JPG (C8) and DAC (CC).
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                let height = be16(body, 1).ok_or_else(truncated)?;
                let width = be16(body, 3).ok_or_else(truncated)?;
                return Ok(oriented(Format::Jpeg, width, height, orientation, false));
            }
            0xDA => return Err("a JPEG with no frame header before its data".into()),
            _ => {}
        }
        at += 2 + length;
    }
}

fn oriented(format: Format, width: u32, height: u32, orientation: u8, alpha: bool) -> Probe {
    let (width, height) = if exif::swaps_axes(orientation) {
        (height, width)
    } else {
        (width, height)
    };
    Probe {
        format,
        width,
        height,
        orientation,
        alpha,
    }
}

fn png(bytes: &[u8]) -> Result<Probe, String> {
    if bytes.get(12..16) != Some(b"IHDR") {
        return Err(if bytes.len() < 16 {
            truncated()
        } else {
            "a PNG without its IHDR header".into()
        });
    }
    let word = |at: usize| -> Option<u32> {
        Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
    };
    let width = word(16).ok_or_else(truncated)?;
    let height = word(20).ok_or_else(truncated)?;
    let color_type = *bytes.get(25).ok_or_else(truncated)?;
    // Colour types 4 and 6 carry alpha; a tRNS chunk (before IDAT) adds it.
    let alpha = matches!(color_type, 4 | 6) || has_png_chunk(bytes, b"tRNS");
    Ok(oriented(Format::Png, width, height, 1, alpha))
}

fn has_png_chunk(bytes: &[u8], name: &[u8; 4]) -> bool {
    let mut at = 8;
    while let Some(header) = bytes.get(at..at + 8) {
        let length = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let kind = &header[4..8];
        if kind == name {
            return true;
        }
        if kind == b"IDAT" {
            return false;
        }
        at = at.saturating_add(12).saturating_add(length);
    }
    false
}

fn gif(bytes: &[u8]) -> Result<Probe, String> {
    let width = le16(bytes, 6).ok_or_else(truncated)?;
    let height = le16(bytes, 8).ok_or_else(truncated)?;
    Ok(oriented(Format::Gif, width, height, 1, true))
}

fn webp(bytes: &[u8]) -> Result<Probe, String> {
    let chunk = bytes.get(12..16).ok_or_else(truncated)?;
    let (width, height, alpha) = match chunk {
        b"VP8 " => {
            // Frame tag (3 bytes), start code (3), then 14-bit sizes.
            if bytes.get(23..26) != Some(&[0x9D, 0x01, 0x2A]) {
                return Err("a WebP whose VP8 frame has no start code".into());
            }
            let width = le16(bytes, 26).ok_or_else(truncated)? & 0x3FFF;
            let height = le16(bytes, 28).ok_or_else(truncated)? & 0x3FFF;
            (width, height, false)
        }
        b"VP8L" => {
            if bytes.get(20) != Some(&0x2F) {
                return Err("a lossless WebP without its signature byte".into());
            }
            let b = bytes.get(21..25).ok_or_else(truncated)?;
            let bits = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            (
                (bits & 0x3FFF) + 1,
                ((bits >> 14) & 0x3FFF) + 1,
                bits >> 28 & 1 == 1,
            )
        }
        b"VP8X" => {
            let flags = *bytes.get(20).ok_or_else(truncated)?;
            let width = le24(bytes, 24).ok_or_else(truncated)? + 1;
            let height = le24(bytes, 27).ok_or_else(truncated)? + 1;
            (width, height, flags & 0x10 != 0)
        }
        _ => {
            return Err(
                "a WebP of a kind Grove does not know (no VP8, VP8L or VP8X chunk first)".into(),
            );
        }
    };
    Ok(oriented(Format::Webp, width, height, 1, alpha))
}

/// An SVG's size from its root's `width` and `height` (in pixels, or
/// unitless), else from its `viewBox`; 0 when it has neither.
fn svg(bytes: &[u8]) -> Result<Probe, String> {
    let text =
        std::str::from_utf8(bytes).map_err(|_| "an SVG that is not UTF-8 text".to_string())?;
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    let document = roxmltree::Document::parse_with_options(text, options)
        .map_err(|e| format!("an SVG that is not well-formed XML: {e}"))?;
    let root = document.root_element();
    if root.tag_name().name() != "svg" {
        return Err("an .svg file whose root element is not <svg>".into());
    }
    let pixels = |name: &str| -> Option<f64> {
        let value = root.attribute(name)?.trim();
        let number = value.strip_suffix("px").unwrap_or(value).trim();
        number
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite() && *n > 0.0)
    };
    let view_box: Option<(f64, f64)> = root.attribute("viewBox").and_then(|v| {
        let numbers: Vec<f64> = v
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .filter_map(|s| s.parse().ok())
            .collect();
        match numbers[..] {
            [_, _, w, h] if w > 0.0 && h > 0.0 => Some((w, h)),
            _ => None,
        }
    });
    let (width, height) = match (pixels("width"), pixels("height"), view_box) {
        (Some(w), Some(h), _) => (w, h),
        (Some(w), None, Some((vw, vh))) => (w, w * vh / vw),
        (None, Some(h), Some((vw, vh))) => (h * vw / vh, h),
        (_, _, Some((vw, vh))) => (vw, vh),
        _ => (0.0, 0.0),
    };
    Ok(oriented(
        Format::Svg,
        width.round() as u32,
        height.round() as u32,
        1,
        true,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_sizes_come_from_attributes_or_the_view_box() {
        let size = |svg: &str| {
            let p = probe(svg.as_bytes(), "a.svg").unwrap();
            (p.width, p.height)
        };
        assert_eq!(
            size(r#"<svg xmlns="http://www.w3.org/2000/svg" width="120px" height="40"/>"#),
            (120, 40)
        );
        assert_eq!(
            size(r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 150"/>"#),
            (300, 150)
        );
        assert_eq!(
            size(r#"<svg xmlns="http://www.w3.org/2000/svg" width="600" viewBox="0,0,300,150"/>"#),
            (600, 300)
        );
        assert_eq!(
            size(r#"<svg xmlns="http://www.w3.org/2000/svg" width="100%"/>"#),
            (0, 0)
        );
    }

    #[test]
    fn gif_and_truncated_files() {
        let gif = b"GIF89a\x40\x01\xF0\x00\x80\x00\x00";
        let p = probe(gif, "a.gif").unwrap();
        assert_eq!((p.format, p.width, p.height), (Format::Gif, 320, 240));
        assert!(
            probe(b"\xFF\xD8\xFF\xE0\x00", "a.jpg")
                .unwrap_err()
                .contains("cut short")
        );
        assert!(probe(b"hello", "a.jpg").unwrap_err().contains("not a JPEG"));
    }
}
