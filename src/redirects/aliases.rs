//! Adding an `aliases` entry to a page's front matter (TOML or YAML), so
//! that an old address redirects to it: the entry appended to a
//! one-line list, or a new `aliases` line added; only in a site's own
//! files (a blueprint page is every site's).

use std::path::Path;

use crate::content::front_matter::{self, Format};
use crate::error::{Error, Result};
use crate::output::write_atomic;

/// What adding an alias did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Added {
    /// Written.
    Written,
    /// The page has it already.
    AlreadyThere,
}

/// Adds `alias` to the page at `path`; `Err` (a usage error) says why
/// the file cannot take it.
pub fn add_alias(path: &Path, alias: &str) -> Result<Added> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, "cannot read file", e))?;
    let split = front_matter::split(path, &text)?;
    let toml = match split.format {
        Format::Toml => true,
        Format::Yaml => false,
        Format::None => {
            let out = format!("+++\naliases = [{}]\n+++\n{text}", quoted(alias));
            write_atomic(path, out.as_bytes())?;
            return Ok(Added::Written);
        }
    };
    let start = split.front_matter.as_ptr() as usize - text.as_ptr() as usize;
    let end = start + split.front_matter.len();
    let separator = if toml { '=' } else { ':' };
    let mut in_table = false;
    let mut offset = start;
    for line in text[start..end].split_inclusive('\n') {
        let trimmed = line.trim();
        in_table |= toml && trimmed.starts_with('[');
        let top = !in_table && (toml || !line.starts_with([' ', '\t']));
        if top
            && let Some((key, value)) = trimmed.split_once(separator)
            && key.trim() == "aliases"
        {
            let value = value.trim();
            if value.contains(&quoted(alias)) || value.contains(&format!("'{alias}'")) {
                return Ok(Added::AlreadyThere);
            }
            let Some(close) = value.rfind(']').filter(|_| value.starts_with('[')) else {
                return Err(Error::Usage(format!(
                    "{}: its aliases are not a one-line list: add \"{alias}\" to them yourself",
                    path.display()
                )));
            };
            let inner = value[1..close].trim();
            let list = if inner.is_empty() {
                format!("[{}]", quoted(alias))
            } else {
                format!("[{}, {}]", inner.trim_end_matches(','), quoted(alias))
            };
            let setting = if toml {
                format!("aliases = {list}")
            } else {
                format!("aliases: {list}")
            };
            let eol = if line.ends_with("\r\n") { "\r\n" } else { "\n" };
            let out = format!(
                "{}{setting}{eol}{}",
                &text[..offset],
                &text[offset + line.len()..]
            );
            write_atomic(path, out.as_bytes())?;
            return Ok(Added::Written);
        }
        offset += line.len();
    }
    let setting = if toml {
        format!("aliases = [{}]\n", quoted(alias))
    } else {
        format!("aliases: [{}]\n", quoted(alias))
    };
    let out = format!("{}{setting}{}", &text[..start], &text[start..]);
    write_atomic(path, out.as_bytes())?;
    Ok(Added::Written)
}

fn quoted(alias: &str) -> String {
    serde_json::to_string(alias).expect("a string serializes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_are_added_appended_or_left() {
        let dir = tempfile::tempdir().unwrap();
        let page = dir.path().join("a.md");
        std::fs::write(
            &page,
            "+++\ntitle = \"A\"\n[extra]\naliases = 1\n+++\nBody\n",
        )
        .unwrap();
        assert_eq!(add_alias(&page, "/old/").unwrap(), Added::Written);
        assert_eq!(
            std::fs::read_to_string(&page).unwrap(),
            "+++\naliases = [\"/old/\"]\ntitle = \"A\"\n[extra]\naliases = 1\n+++\nBody\n"
        );
        assert_eq!(add_alias(&page, "/older/").unwrap(), Added::Written);
        assert!(
            std::fs::read_to_string(&page)
                .unwrap()
                .contains("aliases = [\"/old/\", \"/older/\"]\n")
        );
        assert_eq!(add_alias(&page, "/old/").unwrap(), Added::AlreadyThere);
        std::fs::write(&page, "---\ntitle: A\naliases:\n  - /x/\n---\nBody\n").unwrap();
        assert!(add_alias(&page, "/old/").is_err());
        std::fs::write(&page, "---\ntitle: A\n---\nBody\n").unwrap();
        add_alias(&page, "/old/").unwrap();
        assert_eq!(
            std::fs::read_to_string(&page).unwrap(),
            "---\naliases: [\"/old/\"]\ntitle: A\n---\nBody\n"
        );
    }
}
