//! Reading the files of a ZIP archive (stored or deflated entries), as
//! Search Console's export downloads are: small archives of CSV files.
//! ZIP64 and encrypted archives are refused with a message.

use std::io::Read;

/// The most an entry may hold once inflated (a guard against zip bombs).
const MAX_ENTRY_BYTES: u64 = 512 << 20;

/// One file of an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZipEntry {
    /// Its name inside the archive (`Queries.csv`, `export/Pages.csv`).
    pub name: String,
    /// Its bytes, inflated.
    pub bytes: Vec<u8>,
}

/// Whether `bytes` start like a ZIP archive.
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

/// The files of the archive `bytes`, in the order of its central
/// directory (folders left out); `Err` says what is wrong with it.
pub fn read_zip(bytes: &[u8]) -> Result<Vec<ZipEntry>, String> {
    let end = find_end_of_directory(bytes).ok_or("not a ZIP archive (no end of directory)")?;
    let count = u16_at(bytes, end + 10)? as usize;
    let directory = u32_at(bytes, end + 16)? as usize;
    if count == 0xffff || directory == 0xffff_ffff {
        return Err("a ZIP64 archive; unpack it and give the CSV files".into());
    }
    let mut entries = Vec::with_capacity(count);
    let mut at = directory;
    for _ in 0..count {
        if u32_at(bytes, at)? != 0x0201_4b50 {
            return Err(format!("damaged central directory at byte {at}"));
        }
        let flags = u16_at(bytes, at + 8)?;
        let method = u16_at(bytes, at + 10)?;
        let compressed = u32_at(bytes, at + 20)? as usize;
        let size = u32_at(bytes, at + 24)? as u64;
        let name_len = u16_at(bytes, at + 28)? as usize;
        let extra_len = u16_at(bytes, at + 30)? as usize;
        let comment_len = u16_at(bytes, at + 32)? as usize;
        let local = u32_at(bytes, at + 42)? as usize;
        let name = slice(bytes, at + 46, name_len)?;
        let name = String::from_utf8_lossy(name).into_owned();
        at += 46 + name_len + extra_len + comment_len;
        if name.ends_with('/') {
            continue;
        }
        if flags & 1 != 0 {
            return Err(format!("{name} is encrypted"));
        }
        if size > MAX_ENTRY_BYTES {
            return Err(format!(
                "{name} holds {size} bytes, over the {} MB an entry may have",
                MAX_ENTRY_BYTES >> 20
            ));
        }
        if u32_at(bytes, local)? != 0x0403_4b50 {
            return Err(format!("damaged local header of {name}"));
        }
        let data_at =
            local + 30 + u16_at(bytes, local + 26)? as usize + u16_at(bytes, local + 28)? as usize;
        let data = slice(bytes, data_at, compressed)?;
        let content = match method {
            0 => data.to_vec(),
            8 => {
                let mut out = Vec::with_capacity(size as usize);
                flate2::read::DeflateDecoder::new(data)
                    .take(MAX_ENTRY_BYTES + 1)
                    .read_to_end(&mut out)
                    .map_err(|e| format!("{name}: cannot inflate: {e}"))?;
                out
            }
            other => {
                return Err(format!(
                    "{name} uses compression method {other}; only stored and deflated entries are read"
                ));
            }
        };
        if content.len() as u64 != size {
            return Err(format!(
                "{name}: {} bytes inflated, the archive says {size}: damaged archive",
                content.len()
            ));
        }
        entries.push(ZipEntry {
            name,
            bytes: content,
        });
    }
    Ok(entries)
}

/// The offset of the end-of-central-directory record (searched from the
/// end, past a comment of up to 64 KB).
fn find_end_of_directory(bytes: &[u8]) -> Option<usize> {
    if bytes.len() < 22 {
        return None;
    }
    let lowest = bytes.len().saturating_sub(22 + 0xffff);
    (lowest..=bytes.len() - 22)
        .rev()
        .find(|&i| bytes[i..i + 4] == *b"PK\x05\x06")
}

fn slice(bytes: &[u8], at: usize, len: usize) -> Result<&[u8], String> {
    at.checked_add(len)
        .and_then(|end| bytes.get(at..end))
        .ok_or_else(|| "the archive is cut short".to_string())
}

fn u16_at(bytes: &[u8], at: usize) -> Result<u16, String> {
    let b = slice(bytes, at, 2)?;
    Ok(u16::from_le_bytes([b[0], b[1]]))
}

fn u32_at(bytes: &[u8], at: usize) -> Result<u32, String> {
    let b = slice(bytes, at, 4)?;
    Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Write;

    /// A ZIP archive of `files`, deflated when `deflate` (for tests).
    pub(crate) fn zip_of(files: &[(&str, &[u8])], deflate: bool) -> Vec<u8> {
        let mut out = Vec::new();
        let mut directory = Vec::new();
        for (name, data) in files {
            let stored = if deflate {
                let mut encoder =
                    flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
                encoder.write_all(data).unwrap();
                encoder.finish().unwrap()
            } else {
                data.to_vec()
            };
            let method: u16 = if deflate { 8 } else { 0 };
            let offset = out.len() as u32;
            let crc = 0u32; // not checked by the reader
            let header = |sig: u32, central: bool| {
                let mut h = Vec::new();
                h.extend(sig.to_le_bytes());
                if central {
                    h.extend(20u16.to_le_bytes());
                }
                h.extend(20u16.to_le_bytes());
                h.extend(0u16.to_le_bytes());
                h.extend(method.to_le_bytes());
                h.extend([0u8; 4]);
                h.extend(crc.to_le_bytes());
                h.extend((stored.len() as u32).to_le_bytes());
                h.extend((data.len() as u32).to_le_bytes());
                h.extend((name.len() as u16).to_le_bytes());
                h.extend(0u16.to_le_bytes());
                if central {
                    // Comment length, disk, internal and external attributes.
                    h.extend([0u8; 10]);
                    h.extend(offset.to_le_bytes());
                }
                h.extend(name.as_bytes());
                h
            };
            out.extend(header(0x0403_4b50, false));
            out.extend(&stored);
            directory.extend(header(0x0201_4b50, true));
        }
        let directory_at = out.len() as u32;
        out.extend(&directory);
        out.extend(0x0605_4b50u32.to_le_bytes());
        out.extend([0u8; 4]);
        out.extend((files.len() as u16).to_le_bytes());
        out.extend((files.len() as u16).to_le_bytes());
        out.extend((directory.len() as u32).to_le_bytes());
        out.extend(directory_at.to_le_bytes());
        out.extend(0u16.to_le_bytes());
        out
    }

    #[test]
    fn stored_and_deflated_entries_read_back() {
        for deflate in [false, true] {
            let zip = zip_of(
                &[
                    ("Queries.csv", b"Top queries,Clicks\na,1\n"),
                    ("Pages.csv", "é".as_bytes()),
                ],
                deflate,
            );
            assert!(is_zip(&zip));
            let entries = read_zip(&zip).unwrap();
            assert_eq!(entries.len(), 2);
            assert_eq!(entries[0].name, "Queries.csv");
            assert_eq!(entries[0].bytes, b"Top queries,Clicks\na,1\n");
            assert_eq!(entries[1].bytes, "é".as_bytes());
        }
    }

    #[test]
    fn damaged_archives_are_errors_not_panics() {
        let zip = zip_of(&[("a.csv", b"hello world")], true);
        for cut in 0..zip.len() {
            let _ = read_zip(&zip[..cut]);
        }
        assert!(read_zip(b"not a zip").is_err());
    }
}
