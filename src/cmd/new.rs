//! `grove new`: scaffold a network that builds at once.

use crate::terminal::say;
use std::path::PathBuf;

use crate::error::{Error, Result, display_path};
use crate::scaffold;

/// Arguments of `grove new`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folder to create (must not exist, or be empty).
    pub dir: PathBuf,
    /// Name of the network.
    #[arg(long, default_value = "My network")]
    pub name: String,
}

/// Runs `grove new`.
pub fn run(args: Args) -> Result<()> {
    if args.dir.exists() {
        let mut entries = std::fs::read_dir(&args.dir)
            .map_err(|source| Error::io(&args.dir, "cannot read folder", source))?;
        if entries.next().is_some() {
            return Err(Error::Usage(format!(
                "{} already exists and is not empty; choose a new folder",
                args.dir.display()
            )));
        }
    }
    scaffold::write_network(&args.dir, &args.name)?;
    let dir = display_path(&args.dir).display().to_string();
    say!(
        "Created network `{}` in {dir}\n\
         Next:\n  \
         cd {dir}\n  \
         grove build          render the example site to public/\n  \
         grove serve          preview it with live reload\n  \
         grove doctor         check the setup, including the model server in grove.toml [llm]\n  \
         grove plan           the articles content/briefs.toml asks for\n  \
         grove draft          draft them (then grove review, grove approve)",
        args.name
    );
    Ok(())
}
