//! What an import did: files written, kept or unchanged, what was changed
//! on the way in, and every item that needs a person. Nothing is dropped
//! without a line here.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::verify::Verification;
use crate::terminal::plural;

/// One thing about one source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The file it concerns, relative to the source.
    pub file: String,
    /// What happened or what to do.
    pub message: String,
}

/// The report of one import.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Files written (new, or rewritten because the source changed).
    pub written: Vec<String>,
    /// Files already imported, identical to what the source gives now.
    pub unchanged: Vec<String>,
    /// Files left as they are because a person wrote or edited them.
    pub kept: Vec<String>,
    /// Files an earlier import wrote that a person has deleted since:
    /// not written again.
    pub deleted: Vec<String>,
    /// Changes made on the way in (a key moved, a shortcode translated).
    pub changes: Vec<Item>,
    /// What needs a person: a shortcode kept as text, a dynamic block, an
    /// attachment to download.
    pub attention: Vec<Item>,
    /// Markdown pages among the files imported.
    pub pages: usize,
    /// Whether the imported site builds and its old URLs answer (none
    /// for a dry run).
    pub verification: Option<Verification>,
}

/// How many files a grouped line names before "and N more".
const LISTED: usize = 5;

impl Report {
    /// Records a change to `file`.
    pub fn changed(&mut self, file: &str, message: impl Into<String>) {
        self.changes.push(Item {
            file: file.to_string(),
            message: message.into(),
        });
    }

    /// Records that `file` needs a person.
    pub fn attention(&mut self, file: &str, message: impl Into<String>) {
        self.attention.push(Item {
            file: file.to_string(),
            message: message.into(),
        });
    }

    /// Source files that need a person, each once.
    pub fn files_needing_attention(&self) -> usize {
        let mut files: Vec<&str> = self.attention.iter().map(|i| i.file.as_str()).collect();
        files.sort_unstable();
        files.dedup();
        files.len()
    }

    /// The short form for the terminal: counts, then each message once
    /// with the files it concerns.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{} file{} written, {} unchanged, {} kept (edited since the last import); {} page{}, {} needing a person",
            self.written.len(),
            plural(self.written.len()),
            self.unchanged.len(),
            self.kept.len(),
            self.pages,
            plural(self.pages),
            self.files_needing_attention()
        );
        if !self.deleted.is_empty() {
            let mut listed = self.deleted[..self.deleted.len().min(LISTED)].join(", ");
            if self.deleted.len() > LISTED {
                let _ = write!(listed, " and {} more", self.deleted.len() - LISTED);
            }
            let _ = writeln!(
                out,
                "{} file{} deleted since the last import, not written again: {listed}",
                self.deleted.len(),
                plural(self.deleted.len())
            );
        }
        for (title, items) in [
            ("Needs a person", &self.attention),
            ("Changed on the way in", &self.changes),
        ] {
            if items.is_empty() {
                continue;
            }
            let _ = writeln!(out, "{title}:");
            for (message, files) in grouped(items) {
                let mut listed = files[..files.len().min(LISTED)].join(", ");
                if files.len() > LISTED {
                    let _ = write!(listed, " and {} more", files.len() - LISTED);
                }
                let _ = writeln!(out, "  {message} ({listed})");
            }
        }
        if let Some(verification) = &self.verification {
            out.push_str(&verification_summary(verification, MISSING_LISTED));
        }
        out
    }

    /// Whether the imported site was built and does not build.
    pub fn does_not_build(&self) -> bool {
        self.verification
            .as_ref()
            .is_some_and(|v| v.build_errors.is_some())
    }

    /// The full form, as Markdown: every file and item.
    pub fn full(&self, title: &str) -> String {
        let mut out = format!("# {title}\n\n{}", self.summary());
        for (heading, items) in [
            ("Needs a person", &self.attention),
            ("Changed on the way in", &self.changes),
        ] {
            let _ = writeln!(out, "\n## {heading}\n");
            for item in items {
                let _ = writeln!(out, "- `{}`: {}", item.file, item.message);
            }
        }
        if let Some(verification) = &self.verification
            && verification.missing.len() > MISSING_LISTED
        {
            let _ = writeln!(out, "\n## Old URLs that do not answer\n");
            for (url, why) in &verification.missing {
                let _ = writeln!(out, "- `{}` ({}): {why}", url.path, url.source);
            }
        }
        for (heading, files) in [
            ("Written", &self.written),
            ("Kept (edited since the last import)", &self.kept),
            (
                "Deleted since the last import (not written again)",
                &self.deleted,
            ),
            ("Unchanged", &self.unchanged),
        ] {
            let _ = writeln!(out, "\n## {heading}\n");
            for file in files {
                let _ = writeln!(out, "- `{file}`");
            }
        }
        out
    }
}

/// How many old URLs that do not answer the summary lists.
const MISSING_LISTED: usize = 20;

/// The lines saying whether the imported site builds and how many old
/// URLs answer, listing up to `listed` that do not.
fn verification_summary(verification: &Verification, listed: usize) -> String {
    let mut out = String::new();
    if let Some(errors) = &verification.build_errors {
        let _ = writeln!(out, "The imported site does not build:");
        for line in errors.lines() {
            let _ = writeln!(out, "  {line}");
        }
        return out;
    }
    let _ = writeln!(
        out,
        "{} of {} old URLs answer (checked in a build of the imported site)",
        verification.answering,
        verification.checked()
    );
    for (url, why) in verification.missing.iter().take(listed) {
        let _ = writeln!(out, "  {} ({}): {why}", url.path, url.source);
    }
    if verification.missing.len() > listed {
        let _ = writeln!(
            out,
            "  and {} more (all in the full report)",
            verification.missing.len() - listed
        );
    }
    out
}

/// Items grouped by message, in first-seen order, files deduplicated.
fn grouped(items: &[Item]) -> Vec<(&str, Vec<&str>)> {
    let mut order: Vec<&str> = Vec::new();
    let mut files: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for item in items {
        let entry = files.entry(&item.message).or_insert_with(|| {
            order.push(&item.message);
            Vec::new()
        });
        if !entry.contains(&item.file.as_str()) {
            entry.push(&item.file);
        }
    }
    order
        .into_iter()
        .map(|message| (message, files.remove(message).unwrap_or_default()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_groups_items_by_message() {
        let mut report = Report::default();
        for file in ["a.md", "b.md", "a.md"] {
            report.attention(file, "shortcode `notice` kept as text");
        }
        report.changed("c.md", "`cover` moved under [extra]");
        let summary = report.summary();
        assert!(summary.contains("2 needing a person"), "{summary}");
        assert!(
            summary.contains("  shortcode `notice` kept as text (a.md, b.md)\n"),
            "{summary}"
        );
        assert!(
            summary.contains("`cover` moved under [extra] (c.md)"),
            "{summary}"
        );
    }
}
