//! The output folder must never be, hold, or sit inside the network's
//! sources: a build replaces site folders in it, so `output_dir = "sites"`
//! would replace every site with its own output, and `content/` would feed
//! old output back in as input.

use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};

/// The file that marks a network folder.
const NETWORK_FILE: &str = "grove.toml";

/// Refuses `out` (as given by `origin`, e.g. `--output`) when it is the file
/// system root, the home folder, the network folder `root` or a folder
/// above it, or is inside or holds one of the network's sources (`inputs`:
/// names of files and folders in `root`). Any other network `out` sits in
/// (a folder above it holding `grove.toml`) is protected the same way.
/// Symbolic links and `..` are resolved first, so no spelling of a source
/// folder gets through.
pub fn check_output_dir(out: &Path, origin: &str, root: &Path, inputs: &[&str]) -> Result<()> {
    let resolved = resolve(out);
    let root = resolve(root);
    let home = std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|h| resolve(Path::new(&h)));
    let reason = if resolved.parent().is_none() {
        Some("the file system's root".to_string())
    } else if home.as_ref() == Some(&resolved) {
        Some("your home folder".to_string())
    } else if root.starts_with(&resolved) {
        Some("the network's own folder, or a folder holding it".to_string())
    } else {
        sources_clash(&resolved, &root, inputs)
    };
    match reason {
        None => Ok(()),
        Some(reason) => Err(Error::Output {
            path: out.to_path_buf(),
            message: format!(
                "refusing to build here ({origin}): it is {reason}, and a build replaces the site folders of its output folder. Nothing was written. Choose a folder of its own, such as `public`"
            ),
        }),
    }
}

/// Why `path` (resolved) is, holds or sits inside the sources (`inputs`)
/// of the network at `root` (resolved) or of any network around `path`.
fn sources_clash(path: &Path, root: &Path, inputs: &[&str]) -> Option<String> {
    let enclosing = path
        .ancestors()
        .filter(|dir| dir.join(NETWORK_FILE).is_file())
        .map(Path::to_path_buf);
    std::iter::once(root.to_path_buf())
        .chain(enclosing)
        .find_map(|network| clash(path, &network, inputs))
}

/// Why the file at `path` is one of the network's sources or inside them
/// (`inputs`, as for [`check_output_dir`], of the network at `root` or of
/// a network around it), or inside a folder a build writes (one holding
/// `.grove-sites`); `None` when it is none of those. Symbolic links and
/// `..` are resolved first.
pub fn protected_file(path: &Path, root: &Path, inputs: &[&str]) -> Option<String> {
    let resolved = resolve(path);
    if let Some(reason) = sources_clash(&resolved, &resolve(root), inputs) {
        return Some(reason);
    }
    resolved
        .ancestors()
        .skip(1)
        .find(|dir| dir.join(super::staging::SITES_FILE).is_file())
        .map(|dir| format!("inside {}, a folder a build writes", dir.display()))
}

/// Why `out` may not hold output of `network` (whose sources are `inputs`).
fn clash(out: &Path, network: &Path, inputs: &[&str]) -> Option<String> {
    inputs.iter().find_map(|name| {
        let input = resolve(&network.join(name));
        let shown = input.display();
        if out.starts_with(&input) {
            Some(format!("inside {shown}, which holds a network's sources"))
        } else if input.starts_with(out) {
            Some(format!("a folder holding {shown}, a network's sources"))
        } else {
            None
        }
    })
}

/// `path` made absolute, with every symbolic link of the part that exists
/// resolved and `.` and `..` applied in order, as the system would.
pub fn resolve(path: &Path) -> PathBuf {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .unwrap_or_else(|_| PathBuf::from("/"))
            .join(path)
    };
    let mut resolved = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::Prefix(_) | Component::RootDir => resolved.push(component.as_os_str()),
            Component::CurDir => {}
            Component::ParentDir => {
                resolved.pop();
            }
            Component::Normal(name) => {
                resolved.push(name);
                if let Ok(real) = resolved.canonicalize() {
                    resolved = real;
                }
            }
        }
    }
    resolved
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn sources_and_their_parents_are_refused_however_spelled() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap().join("net");
        for folder in ["content", "sites/a/content", "themes", "public"] {
            std::fs::create_dir_all(root.join(folder)).unwrap();
        }
        std::os::unix::fs::symlink(root.join("sites"), dir.path().join("link")).unwrap();
        let inputs = ["content", "sites", "grove.toml"];
        let check = |out: PathBuf| check_output_dir(&out, "--output", &root, &inputs);
        for bad in [
            root.join("sites"),
            root.join("sites/a"),
            root.join("content"),
            root.join("content/new-folder/deeper"),
            root.join("public/../sites"),
            root.join("nothing/../content"),
            root.clone(),
            root.join("."),
            dir.path().to_path_buf(),
            dir.path().join("link/a"),
            PathBuf::from("/"),
        ] {
            let err = check(bad.clone()).unwrap_err();
            assert!(
                err.to_string().contains("Nothing was written"),
                "{}: {err}",
                bad.display()
            );
        }
        for good in [
            root.join("public"),
            root.join("out/new"),
            dir.path().join("elsewhere"),
        ] {
            assert!(check(good.clone()).is_ok(), "{}", good.display());
        }
    }

    #[test]
    fn the_sources_of_another_network_around_the_output_are_refused_too() {
        let dir = tempfile::tempdir().unwrap();
        let other = dir.path().canonicalize().unwrap().join("other");
        std::fs::create_dir_all(other.join("sites")).unwrap();
        std::fs::write(other.join("grove.toml"), "").unwrap();
        let root = dir.path().join("net");
        let check = |out: PathBuf| check_output_dir(&out, "--output", &root, &["sites"]);
        assert!(check(other.join("sites")).is_err());
        assert!(check(other.join("sites/x/y")).is_err());
        assert!(check(other.join("public")).is_ok());
    }

    #[test]
    fn the_home_folder_is_refused() {
        let home = std::env::var_os("HOME").expect("HOME is set");
        let root = PathBuf::from("/nonexistent/net");
        assert!(check_output_dir(Path::new(&home), "--output", &root, &[]).is_err());
    }
}
