//! `grove new-site`: add a niche site to a network.

use crate::terminal::say;
use std::path::Path;

use crate::error::{Error, Result, display_path};
use crate::network::is_slug;
use crate::scaffold;

/// Arguments of `grove new-site`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folder name of the site under sites/ (lowercase, digits, - or _).
    pub name: String,
    /// Site title (default: from the name).
    #[arg(long)]
    pub title: Option<String>,
    /// Where the site will be served.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// One line describing the topic.
    #[arg(long)]
    pub niche: Option<String>,
}

/// Runs `grove new-site`.
pub fn run(root: &Path, args: Args) -> Result<()> {
    if !is_slug(&args.name) {
        return Err(Error::Usage(format!(
            "site name `{}` must be lowercase letters, digits, `-` or `_`",
            args.name
        )));
    }
    let dir = root.join("sites").join(&args.name);
    if dir.exists() {
        return Err(Error::Usage(format!(
            "{} already exists",
            display_path(&dir).display()
        )));
    }
    let title = args
        .title
        .unwrap_or_else(|| scaffold::title_from_name(&args.name));
    let base_url = args
        .base_url
        .unwrap_or_else(|| format!("https://{}.example.com", args.name));
    let niche = args
        .niche
        .unwrap_or_else(|| args.name.replace(['-', '_'], " "));
    scaffold::write_site(root, &args.name, &title, &base_url, &niche)?;
    say!(
        "Created {}\nEdit its site.toml (base_url, audience, [vars], [affiliate] tags), then run `grove doctor` and `grove build --site {}`",
        display_path(&dir.join("site.toml")).display(),
        args.name
    );
    Ok(())
}
