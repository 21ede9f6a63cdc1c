//! Reading an earnings report: a CSV (or tab-separated) table, as programs
//! export it: in UTF-8 with or without a byte order mark, or UTF-16 (as
//! some spreadsheet exports are), maybe with a title line above the header.

use crate::error::{Error, Location, Result};

/// A report's rows, with its header and what came above it.
#[derive(Debug, Clone)]
pub struct Table {
    /// Lines above the header (a title such as "Fee-Earnings reports from
    /// 10-01-2026 to 10-31-2026").
    pub preamble: Vec<String>,
    /// Column names as written.
    pub header: Vec<String>,
    /// Rows, each with its 1-based line in the file.
    pub rows: Vec<(usize, Vec<String>)>,
}

impl Table {
    /// Reads `bytes` (from `path`, for messages); the header is the first
    /// line that holds every one of `required` (compared loosely, see
    /// [`column_key`]).
    pub fn parse(path: &std::path::Path, bytes: &[u8], required: &[&str]) -> Result<Table> {
        let text = decode(bytes);
        let lines: Vec<&str> = text.lines().collect();
        if let Some((index, line)) = lines
            .iter()
            .enumerate()
            .find(|(_, line)| line.len() > crate::stats::MAX_LINE)
        {
            return Err(Error::Content {
                location: Location::line(path, index + 1),
                message: format!(
                    "a line of {} bytes, over the {} KB a line of an earnings report may have: is this an earnings report?",
                    line.len(),
                    crate::stats::MAX_LINE / 1024
                ),
            });
        }
        let delimiter = delimiter(&lines);
        let wanted: Vec<String> = required.iter().map(|c| column_key(c)).collect();
        let header_index = lines.iter().position(|line| {
            let fields = split_record(line, delimiter);
            let keys: Vec<String> = fields.iter().map(|f| column_key(f)).collect();
            wanted.iter().all(|w| keys.contains(w))
        });
        let Some(header_index) = header_index else {
            return Err(Error::Content {
                location: Location::file(path),
                message: format!(
                    "no header line with the columns {}; is this the right --format?",
                    required.join(", ")
                ),
            });
        };
        let header = split_record(lines[header_index], delimiter);
        let body = lines[header_index + 1..].join("\n");
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(body.as_bytes());
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| Error::Content {
                location: Location::line(
                    path,
                    header_index + 1 + e.position().map_or(1, |p| p.line() as usize),
                ),
                message: format!("malformed CSV: {e}"),
            })?;
            let line = header_index + 1 + record.position().map_or(1, |p| p.line() as usize);
            let fields: Vec<String> = record.iter().map(|f| f.trim().to_string()).collect();
            if fields.iter().all(|f| f.is_empty()) {
                continue;
            }
            rows.push((line, fields));
        }
        Ok(Table {
            preamble: lines[..header_index]
                .iter()
                .map(|l| l.to_string())
                .collect(),
            header,
            rows,
        })
    }

    /// The index of the first column named like one of `names`.
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|name| {
            let key = column_key(name);
            self.header.iter().position(|h| column_key(h) == key)
        })
    }
}

/// A column name as compared: lowercase letters and digits only
/// (`Ad Fees($)` -> `adfees`, `SubId1` and `Sub Id 1` -> `subid1`).
pub fn column_key(name: &str) -> String {
    let name = name.trim().trim_start_matches('\u{feff}');
    let name = name.split('(').next().unwrap_or(name);
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The text of a report in UTF-8, UTF-8 with a byte order mark, or UTF-16
/// (with its mark).
pub(crate) fn decode(bytes: &[u8]) -> String {
    let utf16 = |units: Vec<u16>| String::from_utf16_lossy(&units);
    if let Some(rest) = bytes.strip_prefix(&[0xff, 0xfe]) {
        return utf16(
            rest.chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect(),
        );
    }
    if let Some(rest) = bytes.strip_prefix(&[0xfe, 0xff]) {
        return utf16(
            rest.chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect(),
        );
    }
    let bytes = bytes.strip_prefix(&[0xef, 0xbb, 0xbf]).unwrap_or(bytes);
    String::from_utf8_lossy(bytes).into_owned()
}

/// Tab if the first lines have more tabs than commas, else comma (or
/// semicolon, as spreadsheets in comma-decimal locales write).
pub(crate) fn delimiter(lines: &[&str]) -> u8 {
    let count = |c: char| {
        lines
            .iter()
            .take(10)
            .map(|l| l.matches(c).count())
            .sum::<usize>()
    };
    let (tabs, commas, semicolons) = (count('\t'), count(','), count(';'));
    if tabs > commas && tabs >= semicolons {
        b'\t'
    } else if semicolons > commas {
        b';'
    } else {
        b','
    }
}

fn split_record(line: &str, delimiter: u8) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(line.as_bytes());
    reader
        .records()
        .next()
        .and_then(|r| r.ok())
        .map(|r| r.iter().map(|f| f.trim().to_string()).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn header_is_found_below_a_title_in_any_encoding() {
        let text = "Fee-Earnings reports from 10-01-2026 to 10-31-2026\nName,Ad Fees($),Date\n\"Grinder, black\",\"1,234.50\",2026-10-02\n\n";
        let mut utf16 = vec![0xff, 0xfe];
        for unit in text.encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        let mut bom = vec![0xef, 0xbb, 0xbf];
        bom.extend_from_slice(text.as_bytes());
        for bytes in [text.as_bytes().to_vec(), bom, utf16] {
            let table = Table::parse(Path::new("r.csv"), &bytes, &["Ad Fees", "Date"]).unwrap();
            assert_eq!(table.preamble.len(), 1);
            assert_eq!(table.rows.len(), 1);
            assert_eq!(table.rows[0].1[0], "Grinder, black");
            assert_eq!(table.rows[0].0, 3);
            assert_eq!(table.column(&["Ad Fees"]), Some(1));
        }
        let tabs = "Date\tSite\tEstimated earnings (USD)\n2026-10-01\ta.example.com\t1.20\n";
        let table = Table::parse(Path::new("r.tsv"), tabs.as_bytes(), &["Date", "Site"]).unwrap();
        assert_eq!(table.rows[0].1, ["2026-10-01", "a.example.com", "1.20"]);
        assert!(Table::parse(Path::new("r.csv"), b"a,b\n1,2\n", &["Date"]).is_err());
    }
}
