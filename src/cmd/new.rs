//! `grove new`: scaffold a network that builds at once.

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
    println!(
        "Created network `{}` in {}\nNext: cd {} && grove build",
        args.name,
        display_path(&args.dir).display(),
        display_path(&args.dir).display()
    );
    Ok(())
}
