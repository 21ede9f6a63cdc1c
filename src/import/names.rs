//! Names from a source made safe to write below `sites/NAME/`: a slug,
//! file name or `url` that holds `../`, a separator, a NUL or a leading
//! dot must not lead out of the site's folder, into another site, or into
//! a hidden file the build skips.

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
