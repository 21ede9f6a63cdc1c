//! Deploying to a folder on this machine: the new tree is made beside the
//! target (unchanged files hard-linked from it, changed ones copied from
//! the output, files Grove did not deploy kept), then swapped in at once,
//! so a web server never serves half a deploy.

use std::collections::BTreeMap;
use std::path::Path;

use super::Plan;
use crate::error::{Error, Result};
use crate::network::Network;
use crate::output::{Filesystem, Swapped, resolve, swap_in};

/// Refuses a target that is the file system's root, the home folder, the
/// network's folder or one above it, or inside its sources or output.
pub fn check(network: &Network, folder: &Path) -> Result<()> {
    let target = resolve(folder);
    let root = resolve(&network.root);
    let home = std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|h| resolve(Path::new(&h)));
    let inside = ["content", "sites", "themes", "prompts", ".grove"]
        .iter()
        .map(|name| root.join(name))
        .chain([resolve(&network.output_dir())])
        .find(|source| target.starts_with(source));
    let reason = if target.parent().is_none() {
        Some("the file system's root".to_string())
    } else if home.as_ref() == Some(&target) {
        Some("your home folder".to_string())
    } else if root.starts_with(&target) {
        Some("the network's folder, or a folder holding it".to_string())
    } else {
        inside.map(|source| format!("inside {}", source.display()))
    };
    match reason {
        Some(reason) => Err(Error::Output {
            path: folder.to_path_buf(),
            message: format!(
                "refusing to deploy here: it is {reason}, and a deploy replaces what it deployed there. Nothing was written; choose the web server's folder for the site"
            ),
        }),
        None => Ok(()),
    }
}

/// Makes `folder` hold `built`'s files as `plan` says, keeping files Grove
/// did not deploy (`deployed` lists those it did).
pub fn apply(
    built: &Path,
    folder: &Path,
    plan: &Plan,
    deployed: &BTreeMap<String, String>,
) -> Result<()> {
    let name = folder
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "site".into());
    let parent = folder.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, "cannot create folder", e))?;
    let staging = parent.join(format!(".{name}.grove-deploy-{}", std::process::id()));
    let aside = parent.join(format!(".{name}.grove-old-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    let result = (|| -> Result<()> {
        std::fs::create_dir_all(&staging)
            .map_err(|e| Error::io(&staging, "cannot create folder", e))?;
        if folder.is_dir() {
            link_tree(folder, &staging, &plan.delete, deployed)?;
        }
        for path in &plan.upload {
            let to = staging.join(path);
            if let Some(dir) = to.parent() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| Error::io(dir, "cannot create folder", e))?;
            }
            // A linked old version is replaced, never written through.
            let _ = std::fs::remove_file(&to);
            std::fs::copy(built.join(path), &to)
                .map_err(|e| Error::io(&to, "cannot write file", e))?;
        }
        let swapped = swap_in(&mut Filesystem, &staging, folder, &aside)
            .map_err(|e| Error::io(folder, "cannot put the new files in place", e))?;
        match swapped {
            Swapped::Exchanged => {
                let _ = std::fs::remove_dir_all(&staging);
            }
            Swapped::Moved(Some(old)) => {
                let _ = std::fs::remove_dir_all(old);
            }
            Swapped::Moved(None) => {}
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}

/// Hard-links (or copies) every file of `from` into `to`, but the
/// deployed files being deleted.
fn link_tree(
    from: &Path,
    to: &Path,
    delete: &[String],
    deployed: &BTreeMap<String, String>,
) -> Result<()> {
    for entry in walkdir::WalkDir::new(from) {
        let entry =
            entry.map_err(|e| Error::Usage(format!("cannot read {}: {e}", from.display())))?;
        let rel = entry.path().strip_prefix(from).expect("walked below");
        let rel_text = rel.to_string_lossy().replace('\\', "/");
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest)
                .map_err(|e| Error::io(&dest, "cannot create folder", e))?;
        } else if !(delete.contains(&rel_text) && deployed.contains_key(&rel_text))
            && std::fs::hard_link(entry.path(), &dest).is_err()
        {
            std::fs::copy(entry.path(), &dest)
                .map_err(|e| Error::io(&dest, "cannot write file", e))?;
        }
    }
    Ok(())
}
