//! `grove import`: an existing Hugo, Zola or WordPress site becomes a
//! Grove site in `sites/NAME/`. Each source has its own reader, which
//! turns the source into files and a [`Report`]; [`write::write_files`]
//! puts the files in place without ever overwriting a person's edits, so
//! importing again updates what is unchanged and duplicates nothing.

mod affiliate;
mod collisions;
mod document;
mod html_markdown;
mod hugo;
mod hugo_shortcodes;
mod keys;
mod names;
mod report;
mod source;
mod verify;
mod wordpress;
mod write;
mod zola;

use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;

use collisions::{dedupe_aliases, dedupe_terms, dedupe_urls};
pub use report::Report;
use write::{OutputFile, write_files};

use crate::error::{Error, Result};
use crate::network::Network;

/// Which generator the source site was made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SourceKind {
    /// A Hugo site folder.
    Hugo,
    /// A Zola site folder.
    Zola,
    /// A WordPress export file (WXR, from Tools > Export).
    Wordpress,
}

/// What to import and where.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The source's generator.
    pub kind: SourceKind,
    /// The site folder, or the WXR file for WordPress.
    pub source: PathBuf,
    /// The Grove site to create or update: `sites/<site>/`.
    pub site: String,
    /// Report what would happen without writing.
    pub dry_run: bool,
}

/// What importers need besides the source.
pub struct Context<'a> {
    /// Taxonomies configured in grove.toml: terms of others go under
    /// `[extra]`, reported.
    pub taxonomies: &'a [String],
    /// The moment the import runs (expired pages become drafts).
    pub now: NaiveDateTime,
    /// Shortcodes the network's theme offers (Zola calls to others are
    /// kept as text).
    pub shortcodes: &'a [String],
    /// Templates the site's theme has (`page.html`, `shortcodes/x.html`).
    pub templates: &'a [String],
}

/// A site's settings read from the source's configuration.
#[derive(Debug, Clone, Default)]
pub struct SiteSettings {
    /// The site's title.
    pub title: String,
    /// Where it is served.
    pub base_url: String,
    /// One line about it.
    pub description: String,
    /// Its language code.
    pub language: Option<String>,
    /// Whose URL rules its old URLs follow (`url_rules` in site.toml).
    pub url_rules: crate::content::UrlRules,
    /// Whether its terms had feeds of their own (`term_feeds`).
    pub term_feeds: bool,
}

/// A URL the source site published, which the imported site should
/// answer (with a page or a redirect to one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OldUrl {
    /// Its path below the site's root, decoded: `/2024/05/café/`.
    pub path: String,
    /// What published it, for the report: a file, an item, "a feed".
    pub source: String,
    /// Why the import knows it will not answer (a page imported as a
    /// draft), said if it does not.
    pub expected_missing: Option<String>,
}

impl OldUrl {
    /// The URL at `path` (a leading `/` added) published by `source`.
    pub fn new(path: &str, source: &str) -> OldUrl {
        OldUrl {
            path: format!("/{}", path.trim_start_matches('/')),
            source: source.to_string(),
            expected_missing: None,
        }
    }

    /// The same URL, with why it is not expected to answer.
    pub fn not_expected(mut self, why: &str) -> OldUrl {
        self.expected_missing = Some(why.to_string());
        self
    }
}

/// What an importer produced.
pub struct Imported {
    settings: SiteSettings,
    files: Vec<OutputFile>,
    report: Report,
    /// Old URLs that no page owns and where they lead (site.toml
    /// `[redirects]`).
    redirects: Vec<(String, String)>,
    /// Every URL the source published.
    old_urls: Vec<OldUrl>,
    /// Affiliate links and products found in the pages.
    products: affiliate::Products,
    /// Files whose path had to change to stay in the site folder: (as
    /// the source names it, as written).
    renamed: Vec<(String, String)>,
}

impl Imported {
    fn new(settings: SiteSettings) -> Imported {
        Imported {
            settings,
            files: Vec::new(),
            report: Report::default(),
            redirects: Vec::new(),
            old_urls: Vec::new(),
            products: affiliate::Products::default(),
            renamed: Vec::new(),
        }
    }

    fn add_text(&mut self, rel: String, text: String) {
        let rel = self.safe(rel);
        self.files.push(OutputFile::text(rel, text));
    }

    fn add_file(&mut self, rel: String, path: &Path) -> Result<()> {
        let bytes =
            std::fs::read(path).map_err(|source| Error::io(path, "cannot read file", source))?;
        let rel = self.safe(rel);
        self.files.push(OutputFile { rel, bytes });
        Ok(())
    }

    /// `rel` made a plain path below the site folder (a file name from
    /// the source may hold a `\` or a control character), recorded when
    /// it changed.
    fn safe(&mut self, rel: String) -> String {
        let safe = names::relative_path(&rel);
        if safe != rel {
            self.renamed.push((rel, safe.clone()));
        }
        safe
    }
}

/// Imports `options.source` into the network; returns the report (also
/// written to `.grove/import-<site>.md` unless a dry run).
pub fn import(network: &Network, options: &ImportOptions) -> Result<Report> {
    if options.site.is_empty()
        || options.site.contains(['/', '\\'])
        || options.site.starts_with('.')
    {
        return Err(Error::Usage(format!(
            "`--site {}` must be a folder name such as `espresso`",
            options.site
        )));
    }
    let templates = theme_templates(network, &options.site);
    let theme_shortcodes: Vec<String> = templates
        .iter()
        .filter_map(|t| t.strip_prefix("shortcodes/")?.strip_suffix(".html"))
        .map(str::to_string)
        .collect();
    let context = Context {
        taxonomies: &network
            .config
            .network
            .taxonomies
            .iter()
            .map(|t| t.name.clone())
            .collect::<Vec<_>>(),
        now: chrono::Utc::now().naive_utc(),
        shortcodes: &theme_shortcodes,
        templates: &templates,
    };
    let source = &options.source;
    let mut imported = match options.kind {
        SourceKind::Hugo => hugo::import(&existing_dir(source)?, &context)?,
        SourceKind::Zola => zola::import(&existing_dir(source)?, &context)?,
        SourceKind::Wordpress => wordpress::import(source, &context)?,
    };
    affiliate::report_products(&imported.products, &mut imported.report);
    if !imported.products.is_empty() {
        imported.files.push(OutputFile::text(
            "affiliates.toml",
            imported.products.registry_toml(),
        ));
    }
    let amazon_tag = imported.products.amazon_tag().map(|(tag, _)| tag);
    imported.files.push(OutputFile::text(
        "site.toml",
        site_toml(
            &imported.settings,
            &imported.redirects,
            amazon_tag.as_deref(),
            &mut imported.report,
        ),
    ));
    let site_dir = network.root.join("sites").join(&options.site);
    let mut report = imported.report;
    for (from, to) in imported.renamed {
        report.changed(
            &from.escape_debug().to_string(),
            format!("its name cannot be written as it is (it would lead out of its folder or be hidden): saved as {to}"),
        );
    }
    write_files(
        &network.root,
        &site_dir,
        &imported.files,
        options.dry_run,
        &mut report,
    )?;
    if !options.dry_run {
        report.verification = Some(verify::verify(
            &network.root,
            &options.site,
            &imported.old_urls,
        )?);
        let path =
            crate::state::dir(&network.root).join(crate::state::import_report(&options.site));
        let title = format!("Import of {} into sites/{}", source.display(), options.site);
        crate::output::write_atomic(&path, report.full(&title).as_bytes())?;
    }
    Ok(report)
}

fn existing_dir(path: &Path) -> Result<PathBuf> {
    if path.is_dir() {
        Ok(path.to_path_buf())
    } else {
        Err(Error::Usage(format!(
            "{} is not a folder: give the folder of the site to import (the one holding its content/ folder)",
            path.display()
        )))
    }
}

/// Templates the site's theme and the site itself have, by name
/// (`page.html`, `shortcodes/product_box.html`).
fn theme_templates(network: &Network, site: &str) -> Vec<String> {
    let theme = network
        .sites
        .iter()
        .find(|s| s.name == site)
        .and_then(|s| s.config.theme.clone())
        .unwrap_or_else(|| network.config.network.theme.clone());
    let mut names: Vec<String> = [
        network.root.join("themes").join(theme).join("templates"),
        network.root.join("sites").join(site).join("templates"),
    ]
    .iter()
    .filter_map(|dir| source::files_below(dir).ok())
    .flatten()
    .map(|(rel, _)| rel)
    .collect();
    names.sort();
    names.dedup();
    names
}

/// `site.toml` for the imported site.
fn site_toml(
    settings: &SiteSettings,
    redirects: &[(String, String)],
    amazon_tag: Option<&str>,
    report: &mut Report,
) -> String {
    let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
    let title = if settings.title.is_empty() {
        "Imported site"
    } else {
        &settings.title
    };
    let base_url = if settings.base_url.is_empty() {
        report.attention(
            "site.toml",
            "the source names no base URL: set `base_url` in site.toml",
        );
        "https://example.com"
    } else {
        settings.base_url.trim_end_matches('/')
    };
    let niche = if settings.description.is_empty() {
        title
    } else {
        &settings.description
    };
    report.attention(
        "site.toml",
        "check `niche` and `audience` in site.toml: `grove draft` and `grove research` write for them",
    );
    let audience = format!("readers of {title}");
    let mut text = format!(
        "# Imported by `grove import`; edit freely: a file you changed is never overwritten by a later import.\ntitle = {}\nbase_url = {}\n# What the site is about and who reads it (used when drafting): guessed\n# by `grove import` from the source's title and description; check them.\nniche = {}\naudience = {}\n# The site is itself: none of the network blueprint's pages or briefs.\nblueprint = false\n",
        quote(title),
        quote(base_url),
        quote(niche),
        quote(&audience)
    );
    if !settings.description.is_empty() {
        text.push_str(&format!("description = {}\n", quote(&settings.description)));
    }
    if let Some(language) = &settings.language {
        text.push_str(&format!("language = {}\n", quote(language)));
    }
    if settings.url_rules == crate::content::UrlRules::Hugo {
        text.push_str("# Term URLs, heading ids and feeds as Hugo made them, so old links answer.\nurl_rules = \"hugo\"\n");
    }
    if settings.term_feeds {
        text.push_str("# Each term has its own feeds, as it had before.\nterm_feeds = true\n");
    }
    if let Some(tag) = amazon_tag {
        text.push_str(&format!(
            "\n# The tracking tag the source's Amazon links carried; every registry link uses it.\n[affiliate]\namazon_tag = {}\n",
            quote(tag)
        ));
    }
    if !redirects.is_empty() {
        text.push_str("\n# Old URLs of the source that no page owns (archives, feeds), and where they lead.\n[redirects]\n");
        for (from, to) in redirects {
            text.push_str(&format!("{} = {}\n", quote(from), quote(to)));
        }
    }
    text
}

/// Adds every file of `files` (from a walk of a source folder) as
/// `<to>/<rel>`.
fn copy_tree(files: Vec<(String, PathBuf)>, to: &str, imported: &mut Imported) -> Result<()> {
    for (rel, path) in files {
        imported.add_file(format!("{to}/{rel}"), &path)?;
    }
    Ok(())
}

/// Reports each folder of `dirs` (name, what to do) that exists in `from`
/// and holds files: not imported, said once.
fn report_unused_dirs(from: &Path, dirs: &[(&str, &str)], report: &mut Report) {
    for (dir, message) in dirs {
        let path = from.join(dir);
        let has_files = source::files_below(&path).is_ok_and(|files| !files.is_empty());
        if has_files {
            report.attention(&format!("{dir}/"), *message);
        }
    }
}

/// A date as Grove reads it (`2024-05-01`, RFC 3339), from the forms
/// generators write; `None` if it is not a date.
pub fn normalize_date(text: &str) -> Option<String> {
    let text = text.trim();
    if crate::content::Date::parse(text).is_some() {
        return Some(text.to_string());
    }
    for format in [
        "%Y-%m-%d %H:%M:%S %z",
        "%Y-%m-%d %H:%M:%S%.f %z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M %z",
    ] {
        if let Ok(date) = chrono::DateTime::parse_from_str(text, format) {
            return Some(date.to_rfc3339());
        }
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(date) = NaiveDateTime::parse_from_str(text, format) {
            return Some(date.format("%Y-%m-%dT%H:%M:%S").to_string());
        }
    }
    None
}
