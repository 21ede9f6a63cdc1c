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
    /// Who reads the site ("people making espresso at home").
    #[arg(long)]
    pub audience: Option<String>,
    /// One sentence about the site, for search results and feeds.
    #[arg(long)]
    pub description: Option<String>,
    /// What the site reviews, in the plural ("espresso grinders"):
    /// `{{ site.vars.product_kind }}` in briefs.
    #[arg(long, value_name = "KIND")]
    pub product_kind: Option<String>,
    /// The affiliate registry entry its review brief features.
    #[arg(long, value_name = "SLUG")]
    pub top_pick: Option<String>,
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
    let values = scaffold::SiteValues {
        title: &title,
        base_url: &base_url,
        niche: &niche,
        audience: args.audience.as_deref(),
        description: args.description.as_deref(),
        product_kind: args.product_kind.as_deref(),
        top_pick: args.top_pick.as_deref(),
    };
    scaffold::write_site(root, &args.name, &values)?;
    say!("Created {}", display_path(&dir.join("site.toml")).display());
    let left: Vec<&str> = [
        ("audience (--audience)", values.audience),
        ("description (--description)", values.description),
        ("[vars] product_kind (--product-kind)", values.product_kind),
        ("[vars] top_pick (--top-pick)", values.top_pick),
    ]
    .into_iter()
    .filter(|(_, given)| given.is_none())
    .map(|(name, _)| name)
    .collect();
    if !left.is_empty() {
        say!(
            "Still the example's: {}. Set them in its site.toml before drafting: briefs use them, and every site left at the example's drafts the same titles (`grove doctor` warns until then).",
            left.join(", ")
        );
    }
    say!(
        "Then set base_url and the [affiliate] tags, and run `grove doctor` and `grove build --site {}`",
        args.name
    );
    Ok(())
}
