//! Where the dashboard may be written. It holds revenue figures, and
//! `--output` may name any path, so the page is never written over
//! anything that is not a dashboard: not the network's configuration,
//! not a file of its sources, not into a folder a build writes (and so
//! publishes), and not through a symbolic link. An existing file is
//! replaced only when it is a dashboard Grove wrote.

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};
use crate::network::{INPUTS, Network};
use crate::output::protected_file;

/// A line of the page's head that every dashboard Grove writes holds.
pub const SIGNATURE: &str = "<meta name=\"description\" content=\"Traffic, clicks, revenue and LLM spend of the network's sites.\">";

/// Refuses `output` unless the dashboard may be written there.
pub fn check(network: &Network, output: &Path) -> Result<()> {
    let refuse = |why: String| Error::Output {
        path: output.to_path_buf(),
        message: format!(
            "refusing to write the dashboard, which holds revenue figures, here: {why}. Nothing was written; write it elsewhere, e.g. the default .grove/dashboard/index.html"
        ),
    };
    if let Ok(meta) = std::fs::symlink_metadata(output) {
        if meta.file_type().is_symlink() {
            return Err(refuse(
                "it is a symbolic link, which could lead anywhere".into(),
            ));
        }
        if !meta.is_file() {
            return Err(refuse("it is not a file".into()));
        }
    }
    let published = network.output_dir();
    if crate::output::resolve(output).starts_with(crate::output::resolve(&published)) {
        return Err(refuse(format!(
            "it is inside {}, the published output",
            published.display()
        )));
    }
    let sources: Vec<&str> = INPUTS
        .iter()
        .copied()
        .filter(|name| *name != crate::state::DIR)
        .collect();
    if let Some(reason) = protected_file(output, &network.root, &sources) {
        return Err(refuse(format!("it is {reason}")));
    }
    if output.exists() && !is_dashboard(output) {
        return Err(refuse(
            "the file there is not a dashboard Grove wrote, and it replaces only those".into(),
        ));
    }
    Ok(())
}

/// Whether the file at `path` is a dashboard (its head holds
/// [`SIGNATURE`]).
fn is_dashboard(path: &Path) -> bool {
    let mut head = Vec::with_capacity(4096);
    std::fs::File::open(path)
        .and_then(|file| file.take(4096).read_to_end(&mut head))
        .is_ok_and(|_| String::from_utf8_lossy(&head).contains(SIGNATURE))
}
