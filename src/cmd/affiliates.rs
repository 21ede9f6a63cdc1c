//! `grove affiliates`: which sites and pages use each registry entry.

use crate::terminal::plural;
use crate::terminal::say;
use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::build::{load_site, load_themes};
use crate::content::{Blueprint, Include};
use crate::error::{Result, collect_all};
use crate::network::Network;

/// Arguments of `grove affiliates`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this site (repeat for several).
    #[arg(long = "site", value_name = "NAME")]
    pub sites: Vec<String>,
    /// Count drafts too.
    #[arg(long)]
    pub drafts: bool,
}

/// Runs `grove affiliates`.
pub fn run(network: &Network, args: Args) -> Result<()> {
    let sites = network.select(&args.sites, None)?;
    let blueprint = Blueprint::load(&network.root.join("content"))?;
    let themes = load_themes(network, &sites)?;
    let loaded = collect_all(
        sites
            .par_iter()
            .map(|site| {
                load_site(
                    network,
                    site,
                    &blueprint,
                    &themes[site.theme(&network.config)],
                    Include::published().with(args.drafts, true),
                )
                .map(|l| (*site, l))
            })
            .collect::<Vec<_>>(),
    )?;
    // slug -> (name, site -> pages)
    let mut usage: BTreeMap<String, (String, BTreeMap<String, Vec<String>>)> = BTreeMap::new();
    for (site, loaded) in &loaded {
        let registry = loaded.links.registry();
        for slug in registry.slugs() {
            let name = registry
                .get(slug)
                .map(|e| e.name.clone())
                .unwrap_or_default();
            usage
                .entry(slug.to_string())
                .or_insert_with(|| (name, BTreeMap::new()));
        }
        let content = &loaded.content;
        let documents = content
            .pages
            .iter()
            .map(|p| (&p.rel, &p.rendered.affiliates))
            .chain(
                content
                    .sections
                    .iter()
                    .map(|s| (&s.rel, &s.rendered.affiliates)),
            );
        for (rel, slugs) in documents {
            for slug in slugs {
                if let Some((_, by_site)) = usage.get_mut(slug) {
                    by_site
                        .entry(site.name.clone())
                        .or_default()
                        .push(rel.clone());
                }
            }
        }
    }
    let mut unused = Vec::new();
    for (slug, (name, by_site)) in &usage {
        if by_site.is_empty() {
            unused.push(format!("{slug} ({name})"));
            continue;
        }
        let pages: usize = by_site.values().map(Vec::len).sum();
        say!(
            "{slug}  {name}: {} site{}, {pages} page{}",
            by_site.len(),
            plural(by_site.len()),
            plural(pages)
        );
        for (site, rels) in by_site {
            for rel in rels {
                say!("  {site:<24} {rel}");
            }
        }
    }
    if !unused.is_empty() {
        say!("unused: {}", unused.join(", "));
    }
    Ok(())
}
