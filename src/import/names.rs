//! Names from a source made safe to write below `sites/NAME/`: a slug,
//! file name or `url` that holds `../`, a separator, a NUL or a leading
//! dot must not lead out of the site's folder, into another site, or into
//! a hidden file the build skips.

use super::report::Report;

/// `raw` (one file or folder name, already percent-decoded) as a name
/// that stays in its folder: control characters dropped, `/` and `\`
/// replaced by `-` (leading ones dropped), leading dots and surrounding
/// spaces trimmed. Empty when nothing usable is left (`..`, `/`): the
/// caller names it otherwise. A plain name comes back as it is.
pub fn segment(raw: &str) -> String {
    let cleaned: String = raw
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if matches!(c, '/' | '\\') { '\0' } else { c })
        .collect();
    cleaned
        .trim()
        .trim_start_matches(['.', '\0'])
        .trim_end_matches(['.', ' ', '\0'])
        .trim()
        .replace('\0', "-")
}

/// `raw` (a path such as a `url` value) as a relative path of safe
/// segments: `.` and `..` and empty segments dropped, each other segment
/// made safe by [`segment`]. Empty when nothing is left.
pub fn relative_path(raw: &str) -> String {
    raw.split(['/', '\\'])
        .map(segment)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("/")
}

/// What a value of the source that names a place (a slug, a `url` or
/// `path`, an alias) becomes in Grove.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fixed {
    /// It stays inside the site as written.
    Same,
    /// It led out of the site or its folder: this instead.
    Changed(String),
    /// Nothing of it names a place in the site.
    Dropped,
}

impl Fixed {
    /// A slug: one file or folder name ([`segment`]).
    pub fn slug(raw: &str) -> Fixed {
        Fixed::compare(segment(raw), raw)
    }

    /// A site path such as a `url` or `path` value ([`relative_path`]),
    /// slashes at either end aside.
    pub fn path(raw: &str) -> Fixed {
        Fixed::compare(relative_path(raw), raw.trim_matches('/'))
    }

    /// An alias: a site path (`/old/`); a full URL is dropped, and a
    /// changed alias is written `/path/`.
    pub fn alias(raw: &str) -> Fixed {
        if raw.contains("://") {
            return Fixed::Dropped;
        }
        match Fixed::path(raw) {
            Fixed::Changed(path) => Fixed::Changed(format!("/{path}/")),
            other => other,
        }
    }

    fn compare(safe: String, written: &str) -> Fixed {
        if safe.is_empty() {
            Fixed::Dropped
        } else if safe == written {
            Fixed::Same
        } else {
            Fixed::Changed(safe)
        }
    }

    /// Says in `report` what became of `what` (such as "slug `../x`") of
    /// the file `rel`; `instead` says what happens when it is dropped.
    pub fn report(&self, report: &mut Report, rel: &str, what: &str, instead: &str) {
        match self {
            Fixed::Same => {}
            Fixed::Changed(safe) => {
                report.changed(
                    rel,
                    format!("{what} leads out of the site: saved as `{safe}`"),
                );
            }
            Fixed::Dropped => {
                report.attention(
                    rel,
                    format!("{what} is no place in the site: dropped{instead}"),
                );
            }
        }
    }
}

/// Whether `rel`, a path an importer writes below the site folder, stays
/// there: relative, `/`-separated segments none of which is empty, `.`,
/// `..`, or holds a `\` or a control character.
pub fn stays_inside(rel: &str) -> bool {
    !rel.is_empty()
        && rel.split('/').all(|part| {
            !part.is_empty()
                && part != "."
                && part != ".."
                && !part.contains('\\')
                && !part.chars().any(char::is_control)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_lead_out_are_made_names() {
        for (raw, want) in [
            ("../../etc/passwd", "etc-passwd"),
            ("..", ""),
            (".", ""),
            ("/etc", "etc"),
            ("a\\..\\b", "a-..-b"),
            ("nul\0byte", "nulbyte"),
            (".hidden", "hidden"),
            ("  spaced  ", "spaced"),
            ("café-crème", "café-crème"),
            ("ok-slug", "ok-slug"),
        ] {
            let made = segment(raw);
            assert_eq!(made, want, "{raw:?}");
            assert!(
                made.is_empty() || stays_inside(&made),
                "{raw:?} -> {made:?}"
            );
        }
        for (raw, want) in [
            ("../../x/", "x"),
            ("/a/./b/../c", "a/b/c"),
            ("a\\b", "a/b"),
            ("/", ""),
        ] {
            assert_eq!(relative_path(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn places_are_kept_changed_or_dropped() {
        assert_eq!(Fixed::slug("ok"), Fixed::Same);
        assert_eq!(Fixed::slug("../x"), Fixed::Changed("x".into()));
        assert_eq!(Fixed::slug(".."), Fixed::Dropped);
        assert_eq!(Fixed::path("/a/b/"), Fixed::Same);
        assert_eq!(Fixed::path("/../../etc/"), Fixed::Changed("etc".into()));
        assert_eq!(Fixed::alias("/old.html"), Fixed::Same);
        assert_eq!(Fixed::alias("/../../y/"), Fixed::Changed("/y/".into()));
        assert_eq!(Fixed::alias("https://evil.example/"), Fixed::Dropped);
    }

    #[test]
    fn only_paths_below_the_folder_stay_inside() {
        for rel in ["content/a.md", "static/img/x.png", "content/café/index.md"] {
            assert!(stays_inside(rel), "{rel}");
        }
        for rel in [
            "",
            "/etc/passwd",
            "content/../../x",
            "content/./a.md",
            "content//a.md",
            "content\\..\\x",
            "content/a\0.md",
        ] {
            assert!(!stays_inside(rel), "{rel:?}");
        }
    }
}
