//! `grove build` as a library call: load, render every selected site in
//! parallel into a staging folder, then swap the results into place.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use tera::Context;

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::affiliate::{AffiliateLinks, LinkStyle, Programs, Registry};
use crate::content::images::SiteImages;
use crate::content::{
    Blueprint, Date, Disclosure, IGNORED_NOTICE, Include, LeftOut, LoadOptions, MarkdownOptions,
    Notices, SiteContent,
};
use crate::error::{Error, Result, collect_all};
use crate::ignore::Ignore;
use crate::image::ImageCache;
use crate::network::{DisclosurePosition, INPUTS, NETWORK_FILE, Network, Shard, Site};
use crate::output::{Staging, check_output_dir};
use crate::render::views::{add_content_to_site, site_value};
use crate::render::{RenderTarget, Shortcodes, SiteRenderer, SiteTemplates, StaticFolders, Theme};
use crate::seo::Alternates;
use crate::web_url::Urls;

mod live;
mod published;
mod record;
use crate::templating::{expand_str, template_error};
pub use live::{Change, ChangeKind, LiveSite, PageUpdate};
pub use published::{PublishedPage, published_pages};
pub use record::{BuildRecord, SiteRecord};

/// What to build and where.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Site names to build; all when empty.
    pub sites: Vec<String>,
    /// Include pages marked `draft = true`.
    pub drafts: bool,
    /// Include pages dated in the future (scheduled).
    pub future: bool,
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
    /// Pages marked `draft = true` (built only with `--drafts`).
    pub drafts: usize,
    /// Pages dated in the future, left out (built only with `--future`).
    pub scheduled: usize,
    /// When the next of them goes out.
    pub next_scheduled: Option<Date>,
    /// Files written.
    pub files: usize,
    /// What the site's content asks for that Grove does not do.
    pub notices: Notices,
    /// Each page's URL path (below the base path) and its content file
    /// (relative to the network root), for reports.
    pub page_files: Vec<(String, String)>,
    /// Each page's URL path and title, for reports (which search queries
    /// no page targets).
    pub page_titles: Vec<(String, String)>,
}

/// What a build produced.
#[derive(Debug, Clone)]
pub struct BuildSummary {
    /// One entry per built site, by name.
    pub sites: Vec<SiteSummary>,
    /// The output folder holding `<site>/` folders.
    pub output: PathBuf,
    /// What was repaired in the output folder before building: commits of
    /// killed builds completed, their staging folders removed.
    pub notes: Vec<String>,
}

impl BuildSummary {
    /// The notices of every site, files named `site: rel`.
    pub fn notices(&self) -> Notices {
        let mut all = Notices::default();
        for site in &self.sites {
            all.merge(&site.notices, &format!("{}: ", site.name));
        }
        all
    }
}

/// The output folder for `requested` (`--output`), else the network's
/// `output_dir`; refused if it is, holds or sits inside the network's
/// sources.
pub fn output_dir(network: &Network, requested: Option<&Path>) -> Result<PathBuf> {
    let (output, origin) = match requested {
        Some(dir) => (dir.to_path_buf(), "--output".to_string()),
        None => (
            network.output_dir(),
            format!(
                "output_dir in {}",
                network.root.join(NETWORK_FILE).display()
            ),
        ),
    };
    check_output_dir(&output, &origin, &network.root, INPUTS)?;
    Ok(output)
}

/// Builds the selected sites of `network`. On any error nothing in the
/// output folder changes.
pub fn build(network: &Network, options: &BuildOptions) -> Result<BuildSummary> {
    build_sites(network, options, false).map(|(summary, _)| summary)
}

/// Builds like [`build`] and keeps each built site loaded, so that a page
/// edit can be rendered without building the site again (`grove serve`).
pub fn build_live(
    network: &Network,
    options: &BuildOptions,
) -> Result<(BuildSummary, Vec<LiveSite>)> {
    build_sites(network, options, true)
}

fn build_sites(
    network: &Network,
    options: &BuildOptions,
    retain: bool,
) -> Result<(BuildSummary, Vec<LiveSite>)> {
    let sites = network.select(&options.sites, options.shard)?;
    let output = output_dir(network, options.output.as_deref())?;
    let blueprint = Blueprint::load(&network.root.join("content"))?;
    let grouped: Vec<&Site> = network
        .sites
        .iter()
        .filter(|s| s.config.language_group.is_some())
        .collect();
    let themes = load_themes(
        network,
        &sites.iter().chain(&grouped).copied().collect::<Vec<_>>(),
    )?;
    let include = Include::published().with(options.drafts, options.future);
    let translations = translations(network, &grouped, &blueprint, &themes, include)?;
    let staging = Staging::new(&output)?;
    let mut notes = staging.notes().to_vec();
    // Held for the whole build, so every site shares one cache in memory.
    let image_cache = ImageCache::open(&image_cache_dir(network));

    let results: Vec<Result<(SiteSummary, Option<LiveSite>)>> = sites
        .par_iter()
        .map(|site| {
            let theme = &themes[site.theme(&network.config)];
            let alternates = site
                .config
                .language_group
                .as_ref()
                .and_then(|g| translations.get(g))
                .cloned()
                .unwrap_or_default();
            build_site(
                network,
                site,
                &blueprint,
                theme,
                include,
                &staging.site_dir(&site.name),
                alternates,
                retain,
            )
        })
        .collect();
    let (summaries, live): (Vec<SiteSummary>, Vec<Option<LiveSite>>) =
        collect_all(results)?.into_iter().unzip();
    staging.commit(summaries.iter().map(|s| s.name.as_str()))?;
    notes.extend(collect_images(network, &image_cache, sites.len()));
    let live = live
        .into_iter()
        .flatten()
        .map(|mut site| {
            site.renderer.set_out(output.join(&site.name));
            site
        })
        .collect();
    Ok((
        BuildSummary {
            sites: summaries,
            output,
            notes,
        },
        live,
    ))
}

/// For each language group, content path -> (language, URL) of every site
/// of the group publishing that path. Every site of a group counts, built
/// now or not: its pages are live on its own domain.
fn translations(
    network: &Network,
    grouped: &[&Site],
    blueprint: &Blueprint,
    themes: &BTreeMap<&str, Theme>,
    include: Include,
) -> Result<HashMap<String, Alternates>> {
    let loaded = collect_all(
        grouped
            .par_iter()
            .map(|site| {
                let theme = &themes[site.theme(&network.config)];
                load_site(network, site, blueprint, theme, include).map(|loaded| {
                    let urls = Urls::new(&site.base_url, &site.base_path);
                    let content = &loaded.content;
                    let paths: Vec<(String, String)> = content
                        .pages
                        .iter()
                        .filter(|p| !p.meta.noindex)
                        .map(|p| (p.rel.clone(), urls.permalink(&p.path)))
                        .chain(
                            content
                                .sections
                                .iter()
                                .map(|s| (s.rel.clone(), urls.permalink(&s.path))),
                        )
                        .collect();
                    (*site, paths)
                })
            })
            .collect::<Vec<_>>(),
    )?;
    let mut groups: HashMap<String, Alternates> = HashMap::new();
    for (site, paths) in loaded {
        let group = site
            .config
            .language_group
            .clone()
            .expect("only grouped sites");
        let language = site.language(&network.config).to_string();
        let alternates = groups.entry(group).or_default();
        for (rel, url) in paths {
            alternates
                .entry(rel)
                .or_default()
                .push((language.clone(), url));
        }
    }
    for alternates in groups.values_mut() {
        alternates.retain(|_, versions| versions.len() > 1);
        for versions in alternates.values_mut() {
            versions.sort();
        }
    }
    Ok(groups)
}

/// Parses each theme used by `sites` once.
pub fn load_themes<'a>(
    network: &'a Network,
    sites: &[&'a Site],
) -> Result<BTreeMap<&'a str, Theme>> {
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

/// A site loaded and ready to render.
pub struct LoadedSite {
    /// Its content graph.
    pub content: SiteContent,
    /// Its templates (theme with the site's overrides).
    pub templates: SiteTemplates,
    /// Its affiliate links.
    pub links: Arc<AffiliateLinks>,
    /// The `site` value templates see (without navigation).
    pub site_json: Value,
    /// What content expansion and Markdown rendering need again to re-read
    /// a single page.
    pub reader: PageReader,
}

/// What re-reading one page of a loaded site needs: the pieces of
/// [`LoadOptions`] that are not in the network's configuration.
pub struct PageReader {
    context: Context,
    shortcodes: Shortcodes,
    links: Arc<AffiliateLinks>,
    disclosure: String,
    ignore: Ignore,
    /// The site's images.
    images: Arc<SiteImages>,
    /// The theme's and the site's static folders.
    static_dirs: Vec<PathBuf>,
}

impl PageReader {
    /// The load options for `site` of `network`.
    fn options<'a>(
        &'a self,
        network: &'a Network,
        site: &'a Site,
        include: Include,
    ) -> LoadOptions<'a> {
        let build = &network.config.build;
        let settings = &network.config.affiliates;
        LoadOptions {
            include,
            markdown: MarkdownOptions {
                smart_punctuation: build.smart_punctuation,
                anchor_links: build.anchor_links,
                external_links_new_tab: build.external_links_new_tab,
                heading_ids: site.config.url_rules,
            },
            words_per_minute: build.words_per_minute,
            taxonomies: &network.config.network.taxonomies,
            base_path: &site.base_path,
            affiliates: Some(&self.links),
            disclosure: Some(Disclosure {
                html: &self.disclosure,
                at_top: settings.disclosure_position == DisclosurePosition::Top,
            }),
            shortcodes: Some(&self.shortcodes),
            related_pages: network.config.seo.related_pages,
            language: site.language(&network.config),
            ignore: &self.ignore,
            blueprint_pages: site.config.blueprint,
            url_rules: site.config.url_rules,
            images: Some(&self.images),
        }
    }

    /// The theme's and the site's static folders, later ones winning.
    pub fn static_dirs(&self) -> &[PathBuf] {
        &self.static_dirs
    }

    /// The files the site does not publish.
    pub fn ignore(&self) -> &Ignore {
        &self.ignore
    }
}

/// Marks the processed images a build used; after a build of every site,
/// removes those unused for `[images] keep_unused_days`. Returns what to
/// tell (a removal, or why the cache could not be cleaned).
fn collect_images(network: &Network, cache: &ImageCache, built: usize) -> Option<String> {
    if built < network.sites.len() {
        cache.mark_used();
        return None;
    }
    let settings = &network.config.images;
    let days = settings.keep_unused_days;
    let remote = Duration::from_secs(u64::from(settings.remote_max_age_hours) * 3600);
    match cache.collect(Duration::from_secs(u64::from(days) * 86_400), remote) {
        Ok(collected) if collected.files > 0 => Some(format!(
            "removed {} processed image{} no build used for {days} days from {} ({:.1} MB)",
            collected.files,
            if collected.files == 1 { "" } else { "s" },
            image_cache_dir(network).display(),
            collected.bytes as f64 / 1e6
        )),
        Ok(_) => None,
        Err(e) => Some(format!(
            "could not clean {}: {e}",
            image_cache_dir(network).display()
        )),
    }
}

/// `.grove/images/` of `network`.
pub fn image_cache_dir(network: &Network) -> PathBuf {
    crate::state::dir(&network.root).join(crate::state::IMAGES_DIR)
}

/// What a build says of a static file published instead of one Grove
/// generates.
const REPLACED_BY_STATIC_NOTICE: &str = "a static file is published instead of the one Grove generates; delete it to get Grove's (with every page and the sitemap's address)";

/// Loads one site: templates, affiliate links, shortcodes, then content.
pub fn load_site(
    network: &Network,
    site: &Site,
    blueprint: &Blueprint,
    theme: &Theme,
    include: Include,
) -> Result<LoadedSite> {
    load_site_with(network, site, blueprint, theme, include, false)
}

/// Loads one site like [`load_site`]; with `mark_shortcodes`, shortcode
/// output in pages is marked (see [`crate::render::SHORTCODE_START`]), for
/// analysis.
pub fn load_site_with(
    network: &Network,
    site: &Site,
    blueprint: &Blueprint,
    theme: &Theme,
    include: Include,
    mark_shortcodes: bool,
) -> Result<LoadedSite> {
    let site_json = site_value(network, site);
    let mut context = Context::new();
    context.insert("site", &site_json);

    let templates = theme.for_site(&site.dir.join("templates"))?;
    let settings = &network.config.affiliates;
    let links = Arc::new(AffiliateLinks::new(
        Registry::load(&network.root, site)?,
        Programs::new(&settings.programs),
        context.clone(),
        site.dir.join("site.toml"),
        &site.base_path,
        LinkStyle {
            cloak: settings.cloak,
            new_tab: settings.new_tab,
        },
    ));
    let static_dirs = vec![theme.static_dir(), site.dir.join("static")];
    let images = Arc::new(SiteImages::new(
        ImageCache::open(&image_cache_dir(network)),
        network.config.images.clone(),
        &static_dirs,
        &site.base_path,
    ));
    let reader = PageReader {
        disclosure: disclosure_html(network, site, &context)?,
        shortcodes: {
            let shortcodes = Shortcodes::new(
                &templates,
                Arc::clone(&links),
                Arc::clone(&images),
                site_json.clone(),
            );
            if mark_shortcodes {
                shortcodes.marked()
            } else {
                shortcodes
            }
        },
        links: Arc::clone(&links),
        context,
        ignore: site.ignore(&network.config),
        images,
        static_dirs,
    };
    let options = reader.options(network, site, include);
    let content = SiteContent::load(
        blueprint,
        &site.dir.join("content"),
        &reader.context,
        options,
    )?;
    Ok(LoadedSite {
        content,
        templates,
        links,
        site_json,
        reader,
    })
}

/// The disclosure's text: the site's, else the network's, expanded
/// with `site`.
fn disclosure_html(network: &Network, site: &Site, context: &Context) -> Result<String> {
    let (text, file) = match &site.config.affiliate_disclosure {
        Some(text) => (text.as_str(), site.dir.join("site.toml")),
        None => (
            network.config.affiliates.disclosure.as_str(),
            network.root.join(NETWORK_FILE),
        ),
    };
    let text = expand_str("affiliate disclosure", text, context).map_err(|e| {
        let mut error = template_error(&file, &e);
        if let Error::Template { message, .. } = &mut error {
            *message = format!("in the affiliate disclosure: {message}");
        }
        error
    })?;
    Ok(text.trim().to_string())
}

/// Loads, renders and writes one site into `out`; with `retain`, returns
/// it still loaded as well.
#[allow(clippy::too_many_arguments)]
fn build_site(
    network: &Network,
    site: &Site,
    blueprint: &Blueprint,
    theme: &Theme,
    include: Include,
    out: &Path,
    alternates: Alternates,
    retain: bool,
) -> Result<(SiteSummary, Option<LiveSite>)> {
    let LoadedSite {
        content,
        templates,
        links,
        mut site_json,
        reader,
    } = load_site(network, site, blueprint, theme, include)?;
    let draft_pages = content
        .left_out
        .values()
        .filter(|why| **why == LeftOut::Draft)
        .count()
        + content.pages.iter().filter(|p| p.meta.draft).count();
    let scheduled: Vec<Date> = content
        .left_out
        .values()
        .filter_map(|why| match why {
            LeftOut::Scheduled(date) => Some(date.clone()),
            LeftOut::Draft | LeftOut::Translation(_) => None,
        })
        .collect();
    let next_scheduled = scheduled.iter().min_by_key(|d| d.instant()).cloned();
    let mut notices = content.notices.clone();
    let page_files: Vec<(String, String)> = content
        .pages
        .iter()
        .map(|page| {
            let file = page.file.strip_prefix(&network.root).unwrap_or(&page.file);
            (page.path.clone(), file.to_string_lossy().replace('\\', "/"))
        })
        .collect();
    let page_titles: Vec<(String, String)> = content
        .pages
        .iter()
        .map(|page| (page.path.clone(), page.meta.title.clone()))
        .collect();
    let urls = Urls::new(&site.base_url, &site.base_path);
    add_content_to_site(&mut site_json, &content, &urls);
    let indexnow_key = match crate::seo::indexnow::site_key(network, site) {
        Some((key, file)) => {
            crate::seo::indexnow::check_key(&key).map_err(|message| Error::Config {
                location: crate::error::Location::file(&file),
                message,
            })?;
            Some(key)
        }
        None => None,
    };
    let target = RenderTarget {
        indexnow_key,
        out: out.to_path_buf(),
        network_file: network.root.join(NETWORK_FILE),
        redirect_status: network.config.affiliates.redirect_status,
        ads_txt: site.config.ads.ads_txt.clone(),
        seo: network.config.seo.clone(),
        robots_rules: network
            .config
            .seo
            .robots_rules
            .iter()
            .chain(&site.config.robots_rules)
            .cloned()
            .collect(),
        alternates,
        redirects: site
            .config
            .redirects
            .iter()
            .map(|(from, to)| (from.clone(), to.clone()))
            .collect(),
        site_file: site.dir.join("site.toml"),
        term_feeds: site.config.term_feeds,
    };
    let renderer = SiteRenderer::new(content, templates, site_json, urls, target, links);
    let static_dirs = StaticFolders {
        dirs: reader.static_dirs(),
        ignore: reader.ignore(),
    };
    let (stats, live) = if retain {
        let (renderer, stats) = renderer.render_live(&static_dirs)?;
        let live = LiveSite {
            name: site.name.clone(),
            renderer,
            reader,
            include,
        };
        (stats, Some(live))
    } else {
        (renderer.render(&static_dirs)?, None)
    };
    for rel in &stats.ignored_static {
        notices.add(IGNORED_NOTICE, format!("static/{rel}"));
    }
    for name in &stats.replaced_by_static {
        notices.add(REPLACED_BY_STATIC_NOTICE, format!("static/{name}"));
    }
    let summary = SiteSummary {
        name: site.name.clone(),
        pages: stats.pages,
        drafts: draft_pages,
        scheduled: scheduled.len(),
        next_scheduled,
        files: stats.files,
        notices,
        page_files,
        page_titles,
    };
    Ok((summary, live))
}
