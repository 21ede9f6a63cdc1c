//! Notices: what a site's content asks for that Grove does not do (a key
//! written for Zola, a translation), said once per kind with the files
//! that ask, rather than once per file.

use std::collections::BTreeMap;

/// Notices, by message, each with the files it concerns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Notices {
    by_message: BTreeMap<String, Vec<String>>,
}

/// How many file names a notice lists before "and N more".
const LISTED: usize = 3;

impl Notices {
    /// Records `message` for `file`.
    pub fn add(&mut self, message: impl Into<String>, file: impl Into<String>) {
        self.by_message
            .entry(message.into())
            .or_default()
            .push(file.into());
    }

    /// Adds every notice of `other`, its files prefixed with `prefix`
    /// (a site's name, when merging sites).
    pub fn merge(&mut self, other: &Notices, prefix: &str) {
        for (message, files) in &other.by_message {
            for file in files {
                self.add(message.clone(), format!("{prefix}{file}"));
            }
        }
    }

    /// The files recorded for `message`, in the order added.
    pub fn files_of(&self, message: &str) -> &[String] {
        self.by_message.get(message).map_or(&[], Vec::as_slice)
    }

    /// One line per message: `message (2 files: a.md, b.md)`.
    pub fn lines(&self) -> Vec<String> {
        self.by_message
            .iter()
            .map(|(message, files)| {
                let mut files = files.clone();
                files.sort();
                files.dedup();
                let mut listed = files[..files.len().min(LISTED)].join(", ");
                if files.len() > LISTED {
                    listed.push_str(&format!(" and {} more", files.len() - LISTED));
                }
                let count = match files.len() {
                    1 => "1 file".to_string(),
                    n => format!("{n} files"),
                };
                format!("{message} ({count}: {listed})")
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_message_with_its_files() {
        let mut notices = Notices::default();
        for file in ["d.md", "a.md", "c.md", "b.md", "a.md"] {
            notices.add("`render` is ignored", file);
        }
        notices.add("other", "x.md");
        let mut merged = Notices::default();
        merged.merge(&notices, "alpha/");
        assert_eq!(
            merged.lines(),
            vec![
                "`render` is ignored (4 files: alpha/a.md, alpha/b.md, alpha/c.md and 1 more)",
                "other (1 file: alpha/x.md)"
            ]
        );
    }
}
