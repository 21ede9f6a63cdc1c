//! Reading a log: a file (gzip-compressed or not, recognized by its first
//! bytes) or standard input, in large blocks.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use crate::error::{Error, Result};

/// Bytes read at a time; blocks are cut at the last line end.
pub const BLOCK: usize = 8 << 20;

/// Blocks counted and handed back, to be read into again: a fresh 8 MB
/// buffer per block costs the kernel zeroing its pages each time.
static SPARE_BLOCKS: std::sync::Mutex<Vec<Vec<u8>>> = std::sync::Mutex::new(Vec::new());

/// Spare blocks kept at most.
const SPARE_BLOCKS_KEPT: usize = 2;

/// An empty buffer, with a block's room when one was handed back.
fn spare_block() -> Vec<u8> {
    SPARE_BLOCKS
        .lock()
        .ok()
        .and_then(|mut spare| spare.pop())
        .unwrap_or_default()
}

/// Hands a block read by [`LogInput::read_block`] back when it is counted.
pub fn recycle_block(mut block: Vec<u8>) {
    block.clear();
    if let Ok(mut spare) = SPARE_BLOCKS.lock()
        && spare.len() < SPARE_BLOCKS_KEPT
    {
        spare.push(block);
    }
}

/// An open log.
pub struct LogInput {
    /// The name given on the command line (`-` for standard input).
    pub name: String,
    reader: Box<dyn Read + Send>,
    /// A compressed file or a pipe: it cannot grow, so its last line counts
    /// even without a line end.
    pub complete: bool,
    /// Bytes read ahead while looking at the start.
    pending: Vec<u8>,
}

/// The logs `names` name: a folder stands for every file below it (as a
/// CloudFront or Cloudflare bucket is synced into one), sorted by path,
/// hidden files and folders left out; other names are kept as given.
pub fn expand_folders(names: &[String]) -> Result<Vec<String>> {
    let mut files = Vec::new();
    for name in names {
        let path = Path::new(name);
        if name == "-" || !path.is_dir() {
            files.push(name.clone());
            continue;
        }
        let mut found = Vec::new();
        let entries = walkdir::WalkDir::new(path)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        for entry in entries {
            let entry = entry.map_err(|e| {
                let at = e.path().unwrap_or(path).to_path_buf();
                Error::io(&at, "cannot read log folder", e.into())
            })?;
            if entry.file_type().is_file() {
                found.push(entry.path().to_string_lossy().into_owned());
            }
        }
        if found.is_empty() {
            return Err(Error::Usage(format!(
                "{name}: the folder holds no log file"
            )));
        }
        files.extend(found);
    }
    Ok(files)
}

impl LogInput {
    /// Opens `name`: a path, or `-` for standard input.
    pub fn open(name: &str) -> Result<LogInput> {
        let (raw, piped): (Box<dyn Read + Send>, bool) = if name == "-" {
            (Box::new(std::io::stdin()), true)
        } else {
            let file =
                File::open(name).map_err(|source| Error::io(name, "cannot open log", source))?;
            (Box::new(file), false)
        };
        let mut buffered = BufReader::with_capacity(1 << 16, raw);
        let magic = buffered
            .fill_buf()
            .map_err(|source| Error::io(name, "cannot read log", source))?;
        let gzip = magic.starts_with(&[0x1f, 0x8b]);
        let reader: Box<dyn Read + Send> = if gzip {
            Box::new(flate2::read::MultiGzDecoder::new(buffered))
        } else {
            Box::new(buffered)
        };
        Ok(LogInput {
            name: name.to_string(),
            reader,
            complete: gzip || piped,
            pending: Vec::new(),
        })
    }

    /// The first `max` bytes (fewer at the end), kept to be read again by
    /// [`LogInput::next_block`].
    pub fn peek(&mut self, max: usize) -> Result<&[u8]> {
        while self.pending.len() < max {
            let mut chunk = vec![0; max - self.pending.len()];
            let read = self.read_some(&mut chunk)?;
            if read == 0 {
                break;
            }
            self.pending.extend_from_slice(&chunk[..read]);
        }
        Ok(&self.pending[..self.pending.len().min(max)])
    }

    /// The next block of about [`BLOCK`] bytes (cut anywhere; empty at
    /// the end). The bytes peeked first come first.
    pub fn read_block(&mut self) -> Result<Vec<u8>> {
        let mut block = spare_block();
        block.reserve(BLOCK + self.pending.len());
        block.append(&mut self.pending);
        let want = (BLOCK - block.len().min(BLOCK)) as u64;
        // `take` + `read_to_end` fills the spare capacity without zeroing it.
        (&mut self.reader)
            .take(want)
            .read_to_end(&mut block)
            .map_err(|source| Error::io(&self.name, "cannot read log", source))?;
        Ok(block)
    }

    fn read_some(&mut self, chunk: &mut [u8]) -> Result<usize> {
        loop {
            match self.reader.read(chunk) {
                Ok(read) => return Ok(read),
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(source) => return Err(Error::io(&self.name, "cannot read log", source)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn plain_and_gzip_logs_read_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let text = "line one\nline two\nthree";
        let plain = dir.path().join("a.log");
        std::fs::write(&plain, text).unwrap();
        let gz = dir.path().join("a.log.gz");
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(text.as_bytes()).unwrap();
        std::fs::write(&gz, encoder.finish().unwrap()).unwrap();
        for (path, complete) in [(plain, false), (gz, true)] {
            let mut input = LogInput::open(path.to_str().unwrap()).unwrap();
            assert_eq!(input.complete, complete);
            assert!(input.peek(1 << 16).unwrap().starts_with(b"line one\n"));
            let mut all = Vec::new();
            loop {
                let block = input.read_block().unwrap();
                if block.is_empty() {
                    break;
                }
                all.extend(block);
            }
            assert_eq!(all, text.as_bytes());
        }
    }
}
