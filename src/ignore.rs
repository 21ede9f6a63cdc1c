//! Files a build never publishes: what editors, systems and version
//! control leave beside content and static files (`draft.md~`,
//! `post.md.bak`, `#post.md#`, `.post.md.swp`, `.DS_Store`, `.git/`), so a
//! draft's text cannot leak through its backup; and what a network or site
//! names in its `ignore` list. A pattern starting with `!` publishes what
//! the others would leave out (`"!*.bak"`).
//!
//! Patterns are globs (`*.psd`, `raw/**`). One without `/` matches a file
//! or folder name at any depth (everything below a matched folder is
//! left out); one with `/` matches the path below the content or static
//! folder, as `.gitignore` patterns do.

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::{Deserialize, Deserializer};

/// What editors, systems and version control leave behind.
const LEFTOVERS: &[&str] = &[
    "*~",
    "*.bak",
    "*.orig",
    "*.rej",
    "*.swp",
    "*.swo",
    "*.swx",
    "*.tmp",
    "*.save",
    "*.kate-swp",
    "#*#",
    ".#*",
    ".~lock.*#",
    "~$*",
    "4913",
    ".goutputstream-*",
    "*___jb_tmp___",
    "*___jb_old___",
    ".DS_Store",
    "._*",
    "Thumbs.db",
    "ehthumbs.db",
    "desktop.ini",
    "__MACOSX",
    ".git",
    ".svn",
    ".hg",
    ".bzr",
    ".idea",
    ".vscode",
];

/// An `ignore` list of `grove.toml`'s `[network]` or a `site.toml`: glob
/// patterns, checked when the configuration loads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Patterns(Vec<String>);

impl<'de> Deserialize<'de> for Patterns {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let patterns = Vec::<String>::deserialize(deserializer)?;
        for pattern in &patterns {
            let glob = pattern.strip_prefix('!').unwrap_or(pattern);
            if glob.is_empty() {
                return Err(serde::de::Error::custom(
                    "an empty pattern: write file patterns such as \"*.psd\" or \"raw/**\"",
                ));
            }
            Glob::new(glob).map_err(|e| {
                serde::de::Error::custom(format!(
                    "`{pattern}` is not a file pattern ({}); write patterns such as \"*.psd\" or \"raw/**\"",
                    e.kind()
                ))
            })?;
        }
        Ok(Patterns(patterns))
    }
}

/// The rules of one site: the leftovers, then the network's and the
/// site's patterns.
#[derive(Debug, Clone)]
pub struct Ignore {
    names: GlobSet,
    paths: GlobSet,
    kept_names: GlobSet,
    kept_paths: GlobSet,
}

impl Ignore {
    /// The leftovers and every list of `lists` (the network's, the site's).
    pub fn new(lists: &[&Patterns]) -> Ignore {
        let mut names = GlobSetBuilder::new();
        let mut paths = GlobSetBuilder::new();
        let mut kept_names = GlobSetBuilder::new();
        let mut kept_paths = GlobSetBuilder::new();
        let patterns = LEFTOVERS.iter().copied().chain(
            lists
                .iter()
                .flat_map(|list| list.0.iter().map(String::as_str)),
        );
        for pattern in patterns {
            let (glob, kept) = match pattern.strip_prefix('!') {
                Some(glob) => (glob, true),
                None => (pattern, false),
            };
            let Ok(compiled) = Glob::new(glob.trim_start_matches('/')) else {
                continue; // checked when the configuration loaded
            };
            let by_path = glob.contains('/');
            let set = match (by_path, kept) {
                (false, false) => &mut names,
                (true, false) => &mut paths,
                (false, true) => &mut kept_names,
                (true, true) => &mut kept_paths,
            };
            set.add(compiled);
        }
        let build = |builder: GlobSetBuilder| builder.build().unwrap_or_else(|_| GlobSet::empty());
        Ignore {
            names: build(names),
            paths: build(paths),
            kept_names: build(kept_names),
            kept_paths: build(kept_paths),
        }
    }

    /// Whether the file at `rel` (below a content or static folder, with
    /// `/` separators) is left out.
    pub fn ignores(&self, rel: &str) -> bool {
        let matches = |names: &GlobSet, paths: &GlobSet| {
            paths.is_match(rel) || rel.split('/').any(|name| names.is_match(name))
        };
        matches(&self.names, &self.paths) && !matches(&self.kept_names, &self.kept_paths)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patterns(list: &[&str]) -> Patterns {
        Patterns(list.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn leftovers_are_left_out_and_content_is_not() {
        let ignore = Ignore::new(&[]);
        for rel in [
            "guides/draft.md~",
            "guides/post.md.bak",
            "guides/#post.md#",
            "guides/.post.md.swp",
            "guides/.#post.md",
            ".DS_Store",
            "img/._photo.jpg",
            "img/Thumbs.db",
            ".git/config",
            "guides/post.md.orig",
            "docs/~$report.docx",
            "__MACOSX/img/a.png",
        ] {
            assert!(ignore.ignores(rel), "{rel}");
        }
        for rel in [
            "guides/post.md",
            "img/photo.jpg",
            ".well-known/security.txt",
            ".htaccess",
            ".nojekyll",
            "backup/index.html",
            "guides/tilde~name.md",
        ] {
            assert!(!ignore.ignores(rel), "{rel}");
        }
    }

    #[test]
    fn a_site_adds_patterns_and_keeps_what_it_names() {
        let network = patterns(&["*.psd"]);
        let site = patterns(&["raw/**", "!*.bak", "private"]);
        let ignore = Ignore::new(&[&network, &site]);
        assert!(ignore.ignores("img/hero.psd"));
        assert!(ignore.ignores("raw/notes.txt"));
        assert!(ignore.ignores("a/private/x.md"));
        assert!(!ignore.ignores("guides/old.bak"));
        assert!(ignore.ignores("guides/old.md~"));
        assert!(!ignore.ignores("rawer/notes.txt"));
    }

    #[test]
    fn bad_patterns_are_refused_when_read() {
        let bad: Result<Patterns, _> = toml::from_str::<toml::Value>("x = [\"[bad\"]")
            .unwrap()
            .get("x")
            .unwrap()
            .clone()
            .try_into();
        assert!(
            bad.unwrap_err()
                .to_string()
                .contains("is not a file pattern")
        );
    }
}
