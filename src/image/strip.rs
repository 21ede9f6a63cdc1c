//! Metadata taken out of image files published as they are: EXIF (GPS
//! position, camera serial numbers, dates), XMP, IPTC and comments, without
//! touching the pixels. A JPEG turned by its EXIF orientation keeps that
//! one field, so it still shows the right way up.

use super::exif;

/// `bytes` without their metadata, or `None` when there is none to take
/// out (or the file is not a JPEG, PNG or WebP Grove can walk safely).
pub fn strip(bytes: &[u8]) -> Option<Vec<u8>> {
    if bytes.starts_with(&[0xFF, 0xD8]) {
        jpeg(bytes)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        png(bytes)
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        webp(bytes)
    } else {
        None
    }
}

/// Keeps JFIF (APP0), ICC profiles (APP2), Adobe's colour transform
/// (APP14) and everything from the first scan on; drops other APPn
/// segments (APP1 EXIF and XMP, APP13 IPTC...) and comments.
fn jpeg(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&bytes[..2]);
    let mut at = 2;
    let mut dropped = false;
    let mut orientation = 1;
    let mut orientation_kept = false;
    loop {
        let marker = *bytes.get(at + 1)?;
        if bytes[at] != 0xFF {
            return None;
        }
        if marker == 0xFF {
            at += 1;
            continue;
        }
        if marker == 0xDA || marker == 0xD9 {
            // The scans and what follows are copied as they are.
            if orientation != 1 && !orientation_kept {
                let tiff = exif::orientation_only(orientation);
                let length = u16::try_from(tiff.len() + 8).ok()?;
                let insert_at = app0_end(&out);
                let mut segment = vec![0xFF, 0xE1];
                segment.extend_from_slice(&length.to_be_bytes());
                segment.extend_from_slice(b"Exif\0\0");
                segment.extend_from_slice(&tiff);
                out.splice(insert_at..insert_at, segment);
            }
            out.extend_from_slice(&bytes[at..]);
            return dropped.then_some(out);
        }
        let length = usize::from(u16::from_be_bytes(
            bytes.get(at + 2..at + 4)?.try_into().ok()?,
        ));
        let end = at + 2 + length;
        let segment = bytes.get(at..end)?;
        let keep = match marker {
            0xE1 if segment[4..].starts_with(b"Exif\0\0") => {
                orientation = exif::orientation(&segment[10..]).unwrap_or(1);
                // What an earlier strip left: the orientation alone.
                orientation_kept = segment[10..] == exif::orientation_only(orientation);
                orientation_kept
            }
            0xE0 | 0xE2 | 0xEE => true,
            0xE1 | 0xE3..=0xEF | 0xFE => false,
            _ => true,
        };
        if keep {
            out.extend_from_slice(segment);
        } else {
            dropped = true;
        }
        at = end;
    }
}

/// Where a segment may go after SOI and a JFIF APP0, which must come first.
fn app0_end(out: &[u8]) -> usize {
    if out.get(2..4) == Some(&[0xFF, 0xE0])
        && let Some(length) = out.get(4..6)
    {
        4 + usize::from(u16::from_be_bytes([length[0], length[1]]))
    } else {
        2
    }
}

/// Drops `eXIf`, text (`tEXt`, `zTXt`, `iTXt`) and `tIME` chunks.
fn png(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&bytes[..8]);
    let mut at = 8;
    let mut dropped = false;
    while at < bytes.len() {
        let length = u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as usize;
        let end = at.checked_add(12)?.checked_add(length)?;
        let chunk = bytes.get(at..end)?;
        match &chunk[4..8] {
            b"eXIf" | b"tEXt" | b"zTXt" | b"iTXt" | b"tIME" => dropped = true,
            _ => out.extend_from_slice(chunk),
        }
        at = end;
    }
    dropped.then_some(out)
}

/// Drops the `EXIF` and `XMP ` chunks of an extended WebP and clears their
/// flags.
fn webp(bytes: &[u8]) -> Option<Vec<u8>> {
    if bytes.get(12..16) != Some(b"VP8X") {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&bytes[..12]);
    let mut at = 12;
    let mut dropped = false;
    while at < bytes.len() {
        let length = u32::from_le_bytes(bytes.get(at + 4..at + 8)?.try_into().ok()?) as usize;
        // Chunks are padded to an even length.
        let end = (at + 8)
            .checked_add(length + (length & 1))?
            .min(bytes.len());
        let chunk = bytes.get(at..end)?;
        match &chunk[0..4] {
            b"EXIF" | b"XMP " => dropped = true,
            _ => out.extend_from_slice(chunk),
        }
        at = end;
    }
    if !dropped {
        return None;
    }
    out[20] &= !(0x08 | 0x04);
    let riff_size = u32::try_from(out.len() - 8).ok()?;
    out[4..8].copy_from_slice(&riff_size.to_le_bytes());
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(marker: u8, body: &[u8]) -> Vec<u8> {
        let mut s = vec![0xFF, marker];
        s.extend_from_slice(&u16::try_from(body.len() + 2).unwrap().to_be_bytes());
        s.extend_from_slice(body);
        s
    }

    #[test]
    fn a_jpeg_loses_its_exif_but_keeps_its_orientation_and_scan() {
        let mut exif_body = b"Exif\0\0".to_vec();
        let mut tiff = exif::orientation_only(6);
        tiff.extend_from_slice(b"GPS 48.8584 N 2.2945 E serial 12345");
        exif_body.extend_from_slice(&tiff);
        let mut jpeg = vec![0xFF, 0xD8];
        jpeg.extend(segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
        jpeg.extend(segment(0xE1, &exif_body));
        jpeg.extend(segment(0xFE, b"a comment"));
        jpeg.extend(segment(0xDB, &[0; 65]));
        jpeg.extend(segment(0xDA, &[1, 2, 3]));
        jpeg.extend_from_slice(&[9, 9, 9, 0xFF, 0xD9]);
        let stripped = strip(&jpeg).unwrap();
        let text = String::from_utf8_lossy(&stripped);
        assert!(!text.contains("GPS") && !text.contains("comment"), "{text}");
        assert!(stripped.ends_with(&[9, 9, 9, 0xFF, 0xD9]));
        let probe = crate::image::probe::probe(&stripped, "a.jpg");
        // No frame header in this sketch: the probe stops at the scan, but
        // the orientation segment sits right after JFIF.
        assert!(probe.is_err());
        let app1 = &stripped[20..];
        assert_eq!(&app1[..2], &[0xFF, 0xE1]);
        assert_eq!(exif::orientation(&app1[10..]), Some(6));
        assert_eq!(
            strip(&stripped),
            None,
            "nothing more to strip but the orientation"
        );
    }

    #[test]
    fn png_text_and_exif_chunks_go() {
        let chunk = |kind: &[u8; 4], data: &[u8]| {
            let mut c = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
            c.extend_from_slice(kind);
            c.extend_from_slice(data);
            c.extend_from_slice(&[0; 4]);
            c
        };
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend(chunk(b"IHDR", &[0; 13]));
        png.extend(chunk(b"tEXt", b"Author\0someone"));
        png.extend(chunk(b"eXIf", b"MM\0*GPS"));
        png.extend(chunk(b"IDAT", &[1, 2]));
        png.extend(chunk(b"IEND", &[]));
        let stripped = strip(&png).unwrap();
        let text = String::from_utf8_lossy(&stripped);
        assert!(!text.contains("someone") && !text.contains("GPS"));
        assert!(text.contains("IDAT") && text.contains("IEND"));
    }
}
