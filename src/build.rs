//! `grove build` as a library call: load, render every selected site in
//! parallel into a staging folder, then swap the results into place.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use tera::Context;

use crate::content::{Blueprint, LoadOptions, MarkdownOptions, SiteContent};
use crate::error::{Result, collect_all};
use crate::network::{NETWORK_FILE, Network, Shard, Site};
use crate::output::Staging;
use crate::render::views::{Urls, add_content_to_site, site_value};
use crate::render::{RenderTarget, SiteRenderer, Theme};

/// What to build and where.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Site names to build; all when empty.
    pub sites: Vec<String>,
    /// Include pages marked `draft = true`.
    pub drafts: bool,
    /// Output folder instead of the network's `output_dir`.
    pub output: Option<PathBuf>,
    /// Build only this part of the (selected) sites.
    pub shard: Option<Shard>,
}

/// What one site's build produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteSummary {
    /// The site's name.
    pub name: String,
    /// Content pages rendered.
    pub pages: usize,
    /// Files written.
    pub files: usize,
}

/// What a build produced.
#[derive(Debug, Clone)]
pub struct BuildSummary {
    /// One entry per built site, by name.
    pub sites: Vec<SiteSummary>,
    /// The output folder holding `<site>/` folders.
    pub output: PathBuf,
}

/// Builds the selected sites of `network`. On any error nothing in the
/// output folder changes.
pub fn build(network: &Network, options: &BuildOptions) -> Result<BuildSummary> {
    let sites = network.select(&options.sites, options.shard)?;
    let output = options
        .output
        .clone()
        .unwrap_or_else(|| network.output_dir());
    let blueprint = Blueprint::load(&network.root.join("content"))?;
    let themes = load_themes(network, &sites)?;
    let staging = Staging::new(&output)?;

    let results: Vec<Result<SiteSummary>> = sites
        .par_iter()
        .map(|site| {
            let theme = &themes[site.theme(&network.config)];
            build_site(
                network,
                site,
                &blueprint,
                theme,
                options.drafts,
                &staging.site_dir(&site.name),
            )
        })
        .collect();
    let summaries = collect_all(results)?;
    staging.commit(summaries.iter().map(|s| s.name.as_str()))?;
    Ok(BuildSummary {
        sites: summaries,
        output,
    })
}

/// Parses each theme used by `sites` once.
fn load_themes<'a>(network: &'a Network, sites: &[&'a Site]) -> Result<BTreeMap<&'a str, Theme>> {
    let mut names: BTreeMap<&str, PathBuf> = BTreeMap::new();
    for site in sites {
        let config_file = if site.config.theme.is_some() {
            site.dir.join("site.toml")
        } else {
            network.root.join(NETWORK_FILE)
        };
        names
            .entry(site.theme(&network.config))
            .or_insert(config_file);
    }
    let loaded = collect_all(
        names
            .par_iter()
            .map(|(name, config_file)| {
                Theme::load(&network.root, name, config_file).map(|t| (*name, t))
            })
            .collect::<Vec<_>>(),
    )?;
    Ok(loaded.into_iter().collect())
}

/// Loads, renders and writes one site into `out`.
pub fn build_site(
    network: &Network,
    site: &Site,
    blueprint: &Blueprint,
    theme: &Theme,
    drafts: bool,
    out: &Path,
) -> Result<SiteSummary> {
    let build = &network.config.build;
    let options = LoadOptions {
        drafts,
        markdown: MarkdownOptions {
            smart_punctuation: build.smart_punctuation,
            anchor_links: build.anchor_links,
            external_links_new_tab: build.external_links_new_tab,
        },
        words_per_minute: build.words_per_minute,
        taxonomies: &network.config.network.taxonomies,
        base_path: &site.base_path,
    };
    let mut site_json = site_value(network, site);
    let mut expand_context = Context::new();
    expand_context.insert("site", &site_json);

    let (content, templates) = rayon::join(
        || {
            SiteContent::load(
                blueprint,
                &site.dir.join("content"),
                &expand_context,
                options,
            )
        },
        || theme.for_site(&site.dir.join("templates")),
    );
    let (content, templates) = (content?, templates?);

    let urls = Urls::new(site);
    add_content_to_site(&mut site_json, &content, &urls);
    let target = RenderTarget {
        out: out.to_path_buf(),
        network_file: network.root.join(NETWORK_FILE),
    };
    let renderer = SiteRenderer::new(content, templates, site_json, urls, target);
    let stats = renderer.render(&[theme.static_dir(), site.dir.join("static")])?;
    Ok(SiteSummary {
        name: site.name.clone(),
        pages: stats.pages,
        files: stats.files,
    })
}
