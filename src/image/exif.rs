//! The one EXIF field Grove reads and writes: the orientation (tag
//! 0x0112 of the first IFD), from and to a TIFF structure as JPEG's APP1
//! segment carries it after `Exif\0\0`.

/// The orientation tag.
const ORIENTATION: u16 = 0x0112;

/// The orientation (1 to 8) the TIFF structure `tiff` records, if any.
pub fn orientation(tiff: &[u8]) -> Option<u8> {
    let big_endian = match tiff.get(0..4)? {
        b"MM\0*" => true,
        b"II*\0" => false,
        _ => return None,
    };
    let u16_at = |at: usize| -> Option<u16> {
        let b: [u8; 2] = tiff.get(at..at + 2)?.try_into().ok()?;
        Some(if big_endian {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        })
    };
    let u32_at = |at: usize| -> Option<u32> {
        let b: [u8; 4] = tiff.get(at..at + 4)?.try_into().ok()?;
        Some(if big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    };
    let ifd = u32_at(4)? as usize;
    let entries = usize::from(u16_at(ifd)?);
    (0..entries)
        .map(|i| ifd + 2 + i * 12)
        .find(|&entry| u16_at(entry) == Some(ORIENTATION))
        .and_then(|entry| u16_at(entry + 8))
        .and_then(|value| u8::try_from(value).ok())
        .filter(|value| (1..=8).contains(value))
}

/// Whether orientation `value` shows the image turned a quarter (its
/// width is the stored height).
pub fn swaps_axes(value: u8) -> bool {
    (5..=8).contains(&value)
}

/// A TIFF structure holding only `orientation`: what a stripped JPEG
/// keeps so that it still shows the right way up.
pub fn orientation_only(orientation: u8) -> Vec<u8> {
    let mut tiff = Vec::with_capacity(26);
    tiff.extend_from_slice(b"MM\0*");
    tiff.extend_from_slice(&8u32.to_be_bytes()); // the first IFD
    tiff.extend_from_slice(&1u16.to_be_bytes()); // one entry
    tiff.extend_from_slice(&ORIENTATION.to_be_bytes());
    tiff.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    tiff.extend_from_slice(&1u32.to_be_bytes()); // one value
    tiff.extend_from_slice(&u16::from(orientation).to_be_bytes());
    tiff.extend_from_slice(&[0, 0]); // padding of the value field
    tiff.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    tiff
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_written_orientation_reads_back() {
        for value in 1..=8 {
            assert_eq!(orientation(&orientation_only(value)), Some(value));
        }
    }

    #[test]
    fn little_endian_structures_read_too() {
        let tiff = [
            b'I', b'I', b'*', 0, 8, 0, 0, 0, // header, IFD at 8
            2, 0, // two entries
            0x0F, 0x01, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, // Make, ignored
            0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, // orientation 6
        ];
        assert_eq!(orientation(&tiff), Some(6));
        assert_eq!(orientation(&tiff[..20]), None);
        assert_eq!(orientation(b"nonsense"), None);
    }
}
