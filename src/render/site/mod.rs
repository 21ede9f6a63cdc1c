//! Renders one site: pages, sections, taxonomies, 404, redirects and static
//! files, written as they are produced so memory stays flat.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use rayon::prelude::*;
use serde_json::{Map, Value};
use tera::Context;
use walkdir::WalkDir;

use super::functions::{self, FunctionFields};
use super::listing::{ListingFields, page_listing};
use super::site_data::SiteData;
use super::theme::SiteTemplates;
use super::views::{OWN_PAGE_FIELDS, PageFields, page_full};
use crate::web_url::Urls;
mod claims;
mod files;
mod listings;
mod live;
mod redirects;

pub use live::{ContentChanges, LiveRenderer, Update};

use claims::{Claimant, Claims};

use crate::affiliate::AffiliateLinks;
use crate::content::{SiteContent, Taxonomy};
use crate::error::{Error, Location, Result, collect_all, display_path};
use crate::ignore::Ignore;
use crate::network::SeoSettings;
use crate::output::{FileWriter, copy_file, write_file};
use crate::seo::{Alternates, SiteHead};
use crate::templating::{self, template_error};

/// Counts of what a site's render produced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenderStats {
    /// Content pages rendered.
    pub pages: usize,
    /// Files written in all (pages, listings, redirects, static files).
    pub files: usize,
    /// Static files not published (see [`crate::ignore`]), below their
    /// static folder.
    pub ignored_static: Vec<String>,
    /// Files Grove would generate (`robots.txt`, `sitemap.xml`) that a
    /// static file of the same name replaces.
    pub replaced_by_static: Vec<String>,
}

/// A site's static folders (the theme's, then the site's, whose files
/// win) and the files of them it does not publish.
pub struct StaticFolders<'a> {
    /// The folders, in order.
    pub dirs: &'a [PathBuf],
    /// What is left out.
    pub ignore: &'a Ignore,
}

/// Where a site is rendered, and the config file named in errors about
/// network-wide settings (taxonomies).
#[derive(Debug, Clone)]
pub struct RenderTarget {
    /// The site's output folder.
    pub out: PathBuf,
    /// The network's `grove.toml`.
    pub network_file: PathBuf,
    /// Status of `/go/` lines in `_redirects`.
    pub redirect_status: u16,
    /// Lines of `ads.txt` (none: no file).
    pub ads_txt: Vec<String>,
    /// The IndexNow key, published as `<key>.txt`.
    pub indexnow_key: Option<String>,
    /// Sitemap, feed and related-page settings.
    pub seo: SeoSettings,
    /// Extra `robots.txt` lines (network's, then site's).
    pub robots_rules: Vec<String>,
    /// Translations of this site's pages in its language group.
    pub alternates: Alternates,
    /// `redirects` of site.toml: (old URL path, where it leads).
    pub redirects: Vec<(String, String)>,
    /// The site's `site.toml`, named in errors about its redirects.
    pub site_file: PathBuf,
    /// Whether each term has its own feeds (`term_feeds` in site.toml).
    pub term_feeds: bool,
}

/// One output file rendered through a template, named so that it can be
/// rendered again on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Output {
    /// A content page, by index.
    Page(usize),
    /// Pager `pager` (1 when unpaginated) of a section.
    Section {
        /// The section's index.
        section: usize,
        /// 1-based pager number.
        pager: usize,
    },
    /// The list of a taxonomy's terms.
    TaxonomyList(usize),
    /// Pager `pager` (1 when unpaginated) of a taxonomy term.
    Term {
        /// The taxonomy's index.
        taxonomy: usize,
        /// The term's index in the taxonomy.
        term: usize,
        /// 1-based pager number.
        pager: usize,
    },
    /// `404.html`.
    NotFound,
}

/// Copies a static file or content asset to `to`; with `strip`, an image
/// loses its metadata on the way (GPS positions, camera serials).
fn publish_file(from: &Path, to: &Path, strip: bool) -> Result<()> {
    let is_image = crate::image::Format::from_name(&from.to_string_lossy())
        .is_some_and(crate::image::Format::is_processed);
    if !(strip && is_image) {
        return copy_file(from, to);
    }
    let bytes =
        std::fs::read(from).map_err(|source| Error::io(from, "cannot read file", source))?;
    match crate::image::strip(&bytes) {
        Some(stripped) => write_file(to, &stripped),
        None => write_file(to, &bytes),
    }
}

/// Renders one site's content into an output folder.
pub struct SiteRenderer {
    data: Arc<SiteData>,
    templates: SiteTemplates,
    site: Value,
    lang: String,
    /// Where and with which settings the site is written (its
    /// translations moved to `head`).
    target: RenderTarget,
    head: SiteHead,
    /// What the templates read, worked out once per set of templates.
    reads: TemplateReads,
    links: Arc<AffiliateLinks>,
    /// Each page's HTML, taken out of the content graph so it can be moved
    /// into that page's context and freed once the page is written.
    page_html: Vec<String>,
    /// What a live renderer records while rendering (`None`: a one-off
    /// build, which records nothing).
    live: Option<LiveRecord>,
    /// Which source writes each output file.
    claims: Claims,
}

/// What a site's templates read, worked out from their sources (and the
/// content, for which templates show listing values) whenever they load.
#[derive(PartialEq)]
struct TemplateReads {
    /// Whether some template may read `seo`: when none does, the value is
    /// not computed (about a tenth of a build with templates that print
    /// their own head).
    seo: bool,
    /// The listing fields each template may read, by template name.
    listing_fields: HashMap<String, ListingFields>,
    /// The listing fields of related pages each template may read (all it
    /// reads but its own page's), by template name.
    related_fields: HashMap<String, ListingFields>,
    /// The listing fields every listing value holds: those the templates
    /// showing listing values may read (a value holding all of them is
    /// about 5 KB).
    stored: ListingFields,
    /// The listing fields any template may read (those of `get_section`'s
    /// values, which may go anywhere).
    read_by_any: ListingFields,
    /// The templates that may read `taxonomy.terms`: a term page rendered
    /// with another gets its taxonomy without the terms (copying every
    /// term into each term's page made sites of 2,000 tags quadratic).
    reading_terms: BTreeSet<String>,
    /// The fields of a page's own value ([`OWN_PAGE_FIELDS`]) each template
    /// never names (nor reads without naming), by template name: not made
    /// for pages it renders.
    unread_page_fields: HashMap<String, Vec<&'static str>>,
    /// The templates whose listing fields the stored listing values hold
    /// (but those made when copied): a page they render copies its own
    /// listing value instead of making one.
    shown_in_stored: BTreeSet<String>,
}

impl TemplateReads {
    fn of(templates: &SiteTemplates, content: &SiteContent) -> TemplateReads {
        let listing_fields: HashMap<String, ListingFields> = templates
            .names()
            .map(|name| (name.to_string(), templates.listing_fields(name)))
            .collect();
        let related_fields: HashMap<String, ListingFields> = templates
            .names()
            .map(|name| (name.to_string(), templates.related_fields(name)))
            .collect();
        let read_by_any = templates.listing_fields_of_all();
        let read_by = ReadBy {
            listings: &listing_fields,
            related: &related_fields,
            any: &read_by_any,
        };
        let stored = stored_listing_fields(templates, &read_by, content);
        let reading_terms = templates
            .names()
            .filter(|name| templates.may_mention(name, "terms"))
            .map(str::to_string)
            .collect();
        let shown_in_stored = listing_fields
            .iter()
            .filter(|(_, shown)| stored.covers(&shown.without_made()))
            .map(|(name, _)| name.clone())
            .collect();
        let unread_page_fields = templates
            .names()
            .map(|name| {
                let unread = OWN_PAGE_FIELDS
                    .into_iter()
                    .filter(|field| !templates.may_mention(name, field))
                    .collect();
                (name.to_string(), unread)
            })
            .collect();
        TemplateReads {
            seo: templates.may_name("seo"),
            unread_page_fields,
            shown_in_stored,
            listing_fields,
            related_fields,
            stored,
            read_by_any,
            reading_terms,
        }
    }

    /// The listing fields `template` may read.
    fn fields_of(&self, template: &str) -> &ListingFields {
        self.listing_fields
            .get(template)
            .unwrap_or(&ListingFields::All)
    }

    /// The listing fields of related pages `template` may read.
    fn related_fields_of(&self, template: &str) -> &ListingFields {
        self.related_fields
            .get(template)
            .unwrap_or(&ListingFields::All)
    }

    /// The fields of a page's own value `template` never names.
    fn unread_page_fields_of(&self, template: &str) -> &[&'static str] {
        self.unread_page_fields
            .get(template)
            .map_or(&[], Vec::as_slice)
    }

    /// Whether `template` may read `taxonomy.terms`.
    fn reads_terms(&self, template: &str) -> bool {
        self.reading_terms.contains(template)
    }

    /// The listing fields the template functions' values show.
    fn function_fields(&self) -> FunctionFields {
        FunctionFields {
            card: self.fields_of(super::cards::CARD_TEMPLATE).clone(),
            get_section: self.read_by_any.clone(),
        }
    }
}

/// What a [`LiveRenderer`] records while rendering, to render single
/// outputs again after a change.
#[derive(Default)]
struct LiveRecord {
    /// Outputs that called `get_section`, by section read.
    section_readers: Mutex<BTreeMap<usize, BTreeSet<Output>>>,
    /// Contexts of unpaginated sections, by section, kept between renders.
    section_contexts: Mutex<HashMap<usize, Context>>,
    /// When set, rendered files are collected here instead of written.
    captured: Mutex<Option<Vec<(PathBuf, String)>>>,
}

/// A template context under construction: owned values, handed to Tera
/// whole (cloning a value tree is far cheaper than re-serializing it).
type Vars = Map<String, Value>;

struct Job {
    output: Output,
    path: String,
    template: String,
    context: Vars,
    source: PathBuf,
}

impl SiteRenderer {
    /// Prepares rendering `content` with `templates` into `target`; `site`
    /// is the site's template value (see [`super::views`]).
    pub fn new(
        mut content: SiteContent,
        mut templates: SiteTemplates,
        site: Value,
        urls: Urls,
        mut target: RenderTarget,
        links: Arc<AffiliateLinks>,
    ) -> SiteRenderer {
        let page_html = content
            .pages
            .iter_mut()
            .map(|page| std::mem::take(&mut page.rendered.html))
            .collect();
        let reads = TemplateReads::of(&templates, &content);
        let listing = content
            .pages
            .par_iter()
            .map(|page| page_listing(page, &urls, &reads.stored))
            .collect();
        let head = SiteHead::new(
            &site,
            urls.clone(),
            target.seo.feeds,
            std::mem::take(&mut target.alternates),
            Arc::clone(&links),
        );
        let site_title = site["title"].as_str().unwrap_or_default().to_string();
        let lang = site["language"].as_str().unwrap_or("en").to_string();
        let page_by_rel = content
            .pages
            .iter()
            .enumerate()
            .map(|(i, page)| (page.rel.clone(), i))
            .collect();
        let data = Arc::new(SiteData {
            content,
            listing,
            page_by_rel,
            urls,
            site_title,
        });
        functions::register(
            &mut templates.tera,
            Arc::clone(&data),
            Arc::clone(&links),
            reads.function_fields(),
        );
        SiteRenderer {
            data,
            templates,
            site,
            lang,
            target,
            head,
            reads,
            links,
            page_html,
            live: None,
            claims: Claims::default(),
        }
    }

    /// Renders everything and copies static files; returns what was written.
    pub fn render(mut self, static_dirs: &StaticFolders<'_>) -> Result<RenderStats> {
        self.render_everything(static_dirs, true)
    }

    /// Renders like [`SiteRenderer::render`] and becomes a
    /// [`LiveRenderer`], which renders single outputs again after a change:
    /// page HTML stays in memory and the sections each output reads
    /// through `get_section` are recorded.
    pub fn render_live(
        mut self,
        static_dirs: &StaticFolders<'_>,
    ) -> Result<(LiveRenderer, RenderStats)> {
        self.live = Some(LiveRecord::default());
        let stats = self.render_everything(static_dirs, false)?;
        Ok((LiveRenderer::new(self), stats))
    }

    /// `move_html`: move each page's HTML into its context (after the
    /// feeds, which need it) instead of cloning it.
    fn render_everything(
        &mut self,
        static_dirs: &StaticFolders<'_>,
        move_html: bool,
    ) -> Result<RenderStats> {
        self.check_content_templates()?;
        let (static_files, ignored_static) = self.copy_static(static_dirs)?;
        let feeds = self.write_feeds()?;
        let page_html = move_html.then(|| std::mem::take(&mut self.page_html));
        // Sitemaps need no page HTML: they are written alongside pages.
        let (pages, (crawler_files, replaced_by_static)) = both(rayon::join(
            || self.render_pages(page_html),
            || self.write_crawler_files(),
        ))?;
        // Sections alongside term pages: the largest section is one task,
        // which would otherwise finish on one core with the others idle.
        let (sections, taxonomies) = both(rayon::join(
            || self.render_sections(),
            || self.render_taxonomies(),
        ))?;
        let listings = sections + taxonomies;
        let extra = self.render_404()? + self.write_redirects()? + self.copy_processed_images()?;
        Ok(RenderStats {
            pages,
            files: static_files + feeds + crawler_files + pages + listings + extra,
            ignored_static,
            replaced_by_static,
        })
    }

    /// The content graph being rendered.
    fn content(&self) -> &SiteContent {
        &self.data.content
    }

    fn context(&self, path: &str) -> Vars {
        let mut context = Map::new();
        context.insert("site".into(), self.site.clone());
        context.insert("lang".into(), Value::String(self.lang.clone()));
        context.insert(
            "current_path".into(),
            Value::String(self.data.urls.path(path)),
        );
        context.insert(
            "current_url".into(),
            Value::String(self.data.urls.permalink(path)),
        );
        context
    }

    /// The listing fields `template` may read.
    fn fields_read_by(&self, template: &str) -> &ListingFields {
        self.reads.fields_of(template)
    }

    /// Adds the `seo` value `make` computes, if a template may read it.
    fn insert_seo(&self, vars: &mut Vars, make: impl FnOnce() -> Value) {
        if self.reads.seo {
            vars.insert("seo".into(), make());
        }
    }

    /// Fails if a page or section names a template that does not exist:
    /// one error per missing template, with every file that names it.
    fn check_content_templates(&self) -> Result<()> {
        let content = self.content();
        let mut missing: BTreeMap<&str, Vec<&Path>> = BTreeMap::new();
        let pages =
            (0..content.pages.len()).map(|i| (self.page_template(i), Some(&content.pages[i].file)));
        let sections = (0..content.sections.len())
            .map(|i| (self.section_template(i), content.sections[i].file.as_ref()));
        for (template, file) in pages.chain(sections) {
            if !self.templates.has(template) {
                let file = file.map_or(Path::new("content/_index.md"), PathBuf::as_path);
                missing.entry(template).or_default().push(file);
            }
        }
        let errors = missing.into_iter().map(|(template, files)| {
            let mut message = missing_template(template);
            if files.len() > 1 {
                let listed: Vec<String> = files[1..files.len().min(4)]
                    .iter()
                    .map(|f| display_path(f).display().to_string())
                    .collect();
                let more = files.len().saturating_sub(4);
                message.push_str(&format!(
                    "; {} files name it: this one, {}{}",
                    files.len(),
                    listed.join(", "),
                    if more > 0 {
                        format!(" and {more} more")
                    } else {
                        String::new()
                    }
                ));
            }
            Error::Template {
                location: Location::file(files[0]),
                message,
            }
        });
        match Error::collect(errors.collect()) {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }

    fn check_template(&self, template: &str, source: &Path) -> Result<()> {
        if self.templates.has(template) {
            Ok(())
        } else {
            Err(Error::Template {
                location: Location::file(source),
                message: missing_template(template),
            })
        }
    }

    /// Renders `template` for `output`, recording the sections it reads
    /// when live.
    fn render_template(
        &self,
        output: Output,
        template: &str,
        context: &Context,
    ) -> tera::Result<String> {
        let Some(live) = &self.live else {
            return templating::render(&self.templates.tera, template, context);
        };
        let (html, read) = functions::recording_sections(|| {
            templating::render(&self.templates.tera, template, context)
        });
        let mut readers = live
            .section_readers
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        for outputs in readers.values_mut() {
            outputs.remove(&output);
        }
        for section in read {
            readers.entry(section).or_default().insert(output);
        }
        html
    }

    /// Writes `text` to `file` below the site folder for `claimant`, or
    /// keeps it for later while capturing. A file another source writes is
    /// an error naming both.
    fn emit(&self, file: &str, text: String, claimant: Claimant) -> Result<()> {
        self.claim(file, claimant)?;
        let path = self.target.out.join(file);
        if let Some(live) = &self.live {
            let mut captured = live.captured.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(files) = captured.as_mut() {
                files.push((path, text));
                return Ok(());
            }
        }
        write_file(&path, text.as_bytes())
    }

    fn run(&self, job: Job) -> Result<()> {
        let context = into_context(job.context);
        self.render_to_file(job.output, &job.template, &context, &job.path, &job.source)
    }

    /// Renders `output` with `template` and writes it to the file serving
    /// URL path `path`; errors name `source` and the template's file.
    fn render_to_file(
        &self,
        output: Output,
        template: &str,
        context: &Context,
        path: &str,
        source: &Path,
    ) -> Result<()> {
        let file = output_file(path);
        let failure = |e: tera::Error| self.render_failure(template, source, &e);
        if self.live.is_some() {
            let html = self
                .render_template(output, template, context)
                .map_err(failure)?;
            return self.emit(&file, html, Claimant::Rendered(output));
        }
        // A one-off build renders into a staging folder, which a failed
        // build discards: the page streams into its file.
        self.claim(&file, Claimant::Rendered(output))?;
        let mut writer = FileWriter::create(&self.target.out.join(&file))?;
        let rendered = templating::render_to(&self.templates.tera, template, context, &mut writer);
        writer.finish()?;
        rendered.map_err(failure)
    }

    /// The error for a failed render of `template` for `source`: at
    /// `source`, naming the template's file.
    fn render_failure(&self, template: &str, source: &Path, e: &tera::Error) -> Error {
        let mut error = template_error(source, e);
        if let (Error::Template { message, .. }, Some(file)) =
            (&mut error, self.templates.file_of(template))
        {
            message.push_str(&format!(
                " (in {})",
                crate::error::display_path(file).display()
            ));
        }
        error
    }

    /// `page_html`: each page's HTML to move into its context; `None`
    /// clones it from `self.page_html`.
    fn render_pages(&self, page_html: Option<Vec<String>>) -> Result<usize> {
        let results: Vec<Result<()>> = match page_html {
            Some(page_html) => page_html
                .into_par_iter()
                .enumerate()
                .map(|(i, html)| self.render_page(i, html))
                .collect(),
            None => (0..self.page_html.len())
                .into_par_iter()
                .map(|i| self.render_page(i, self.page_html[i].clone()))
                .collect(),
        };
        Ok(collect_all(results)?.len())
    }

    /// The template page `i` renders with.
    fn page_template(&self, i: usize) -> &str {
        page_template(self.content(), i)
    }

    /// The template section `i` renders with.
    fn section_template(&self, i: usize) -> &str {
        section_template(self.content(), i)
    }

    fn render_page(&self, i: usize, html: String) -> Result<()> {
        let content = self.content();
        let page = &content.pages[i];
        let template = self.page_template(i);
        self.check_template(template, &page.file)?;
        let mut context = self.context(&page.path);
        self.insert_seo(&mut context, || self.head.page(content, i, &html));
        let fields = PageFields {
            shown: self.fields_read_by(template),
            in_stored: self.reads.shown_in_stored.contains(template),
            related: self.reads.related_fields_of(template),
            unread: self.reads.unread_page_fields_of(template),
        };
        let view = page_full(&self.data, i, html, fields);
        context.insert("page".into(), view);
        self.run(Job {
            output: Output::Page(i),
            path: page.path.clone(),
            template: template.to_string(),
            context,
            source: page.file.clone(),
        })
    }

    fn render_404(&self) -> Result<usize> {
        if !self.templates.has("404.html") {
            return Ok(0);
        }
        let mut vars = self.context("/404.html");
        self.insert_seo(&mut vars, || self.head.not_found());
        let html = self
            .render_template(Output::NotFound, "404.html", &into_context(vars))
            .map_err(|e| {
                template_error(
                    self.templates
                        .file_of("404.html")
                        .unwrap_or(Path::new("404.html")),
                    &e,
                )
            })?;
        self.emit("404.html", html, Claimant::Rendered(Output::NotFound))?;
        Ok(1)
    }

    /// Copies static folders (later ones win) and content assets; returns
    /// how many files it copied and the static files it left out.
    fn copy_static(&self, folders: &StaticFolders<'_>) -> Result<(usize, Vec<String>)> {
        let mut files: BTreeMap<String, PathBuf> = BTreeMap::new();
        let mut ignored = Vec::new();
        for dir in folders.dirs.iter().filter(|d| d.is_dir()) {
            for entry in WalkDir::new(dir).sort_by_file_name() {
                let entry = entry.map_err(|e| {
                    Error::io(
                        e.path().unwrap_or(dir).to_path_buf(),
                        "cannot read static folder",
                        e.into(),
                    )
                })?;
                if entry.file_type().is_file() {
                    let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
                    let rel = rel.to_string_lossy().replace('\\', "/");
                    if folders.ignore.ignores(&rel) {
                        ignored.push(rel);
                    } else {
                        files.insert(rel, entry.path().to_path_buf());
                    }
                }
            }
        }
        // Static files of the site replace the theme's (above); a content
        // asset at the same place as a static file is a clash.
        let mut copies: Vec<(String, PathBuf)> = files.into_iter().collect();
        let content = self.content();
        copies.extend(content.assets.iter().filter_map(|asset| {
            content
                .asset_output(&asset.rel)
                .map(|output| (output, asset.path.clone()))
        }));
        for (rel, from) in &copies {
            self.claim(rel, Claimant::Copied(from.clone()))?;
        }
        let strip = content
            .images
            .as_ref()
            .is_some_and(|images| images.settings().strip_metadata);
        let count = copies.len();
        collect_all(
            copies
                .into_par_iter()
                .map(|(rel, from)| publish_file(&from, &self.target.out.join(rel), strip))
                .collect::<Vec<_>>(),
        )?;
        ignored.sort();
        ignored.dedup();
        Ok((count, ignored))
    }
}

impl SiteRenderer {
    /// Copies the processed images the site's pages and templates use
    /// (those not in the output yet, for the preview); returns how many
    /// the site has.
    fn copy_processed_images(&self) -> Result<usize> {
        let Some(images) = &self.content().images else {
            return Ok(0);
        };
        let published = images.published();
        for (rel, from) in &published {
            self.claim(rel, Claimant::Copied(from.clone()))?;
        }
        let count = published.len();
        collect_all(
            published
                .into_par_iter()
                .map(|(rel, from)| {
                    let to = self.target.out.join(rel);
                    if to.is_file() {
                        Ok(())
                    } else {
                        copy_file(&from, &to)
                    }
                })
                .collect::<Vec<_>>(),
        )?;
        Ok(count)
    }

    /// Claims output `file` for `claimant`; a clash is an error naming both
    /// sources, at the content file of one of them where there is one.
    fn claim(&self, file: &str, claimant: Claimant) -> Result<()> {
        let Err((held, holder)) = self.claims.claim(file, claimant.clone()) else {
            return Ok(());
        };
        let mut both = [self.describe(&claimant), self.describe(&holder)];
        both.sort();
        let [(first, first_file), (second, second_file)] = both;
        let location = first_file
            .or(second_file)
            .unwrap_or_else(|| self.target.network_file.clone());
        let what = if held == file {
            format!("both write `{file}` in the output")
        } else {
            // One is a file where the other needs a folder.
            let shorter = if held.len() < file.len() { &held } else { file };
            format!(
                "clash in the output: one writes a file `{shorter}`, the other needs a folder there"
            )
        };
        Err(Error::Content {
            location: Location::file(location),
            message: format!(
                "{first} and {second} {what}; change one of them (a `slug`, an alias, a tag) or remove the file"
            ),
        })
    }

    /// Who `claimant` is in a message, and its file, if it has one.
    fn describe(&self, claimant: &Claimant) -> (String, Option<PathBuf>) {
        let content = self.content();
        let shown = |path: &Path| crate::error::display_path(path).display().to_string();
        match claimant {
            Claimant::Rendered(Output::Page(i)) => {
                let file = &content.pages[*i].file;
                (format!("the page {}", shown(file)), Some(file.clone()))
            }
            Claimant::Rendered(Output::Section { section, pager }) => {
                let section = &content.sections[*section];
                let name = match &section.file {
                    Some(file) => format!("the section {}", shown(file)),
                    None => "the home page".to_string(),
                };
                let name = if *pager > 1 {
                    format!("page {pager} of {name}")
                } else {
                    name
                };
                (name, section.file.clone())
            }
            Claimant::Rendered(Output::TaxonomyList(t)) => (
                format!("the list of `{}` terms", content.taxonomies[*t].config.name),
                None,
            ),
            Claimant::Rendered(Output::Term { taxonomy, term, .. }) => {
                let taxonomy = &content.taxonomies[*taxonomy];
                let term = &taxonomy.terms[*term];
                let file = term.pages.first().map(|&p| content.pages[p].file.clone());
                (
                    format!(
                        "the page of the `{}` term `{}`",
                        taxonomy.config.name, term.name
                    ),
                    file,
                )
            }
            Claimant::Rendered(Output::NotFound) => ("the 404 page".to_string(), None),
            Claimant::Alias { alias, owner } => (
                format!("the alias `{alias}` of {}", shown(owner)),
                Some(owner.clone()),
            ),
            Claimant::FirstPager(path) => {
                (format!("the redirect from {path}page/1/ to {path}"), None)
            }
            Claimant::Affiliate(slug) => (format!("the cloaked link of affiliate `{slug}`"), None),
            Claimant::Generated(name) => (format!("the generated {name}"), None),
            Claimant::Copied(path) => (shown(path), Some(path.clone())),
        }
    }
}

/// Both counts of two steps run side by side, or the errors of either or
/// both (neither hides the other's).
fn both<A, B>((first, second): (Result<A>, Result<B>)) -> Result<(A, B)> {
    match (first, second) {
        (Ok(first), Ok(second)) => Ok((first, second)),
        (Err(first), Err(second)) => Err(Error::collect(vec![first, second]).expect("two errors")),
        (Err(error), _) | (_, Err(error)) => Err(error),
    }
}

/// The template page `i` of `content` renders with.
fn page_template(content: &SiteContent, i: usize) -> &str {
    let page = &content.pages[i];
    let section = &content.sections[page.section];
    page.meta
        .template
        .as_deref()
        .or(section.meta.page_template.as_deref())
        .unwrap_or("page.html")
}

/// The template section `i` of `content` renders with.
fn section_template(content: &SiteContent, i: usize) -> &str {
    let section = &content.sections[i];
    let default = if section.dir.is_empty() {
        "index.html"
    } else {
        "section.html"
    };
    section.meta.template.as_deref().unwrap_or(default)
}

/// The template of `taxonomy`'s `kind` page (`list` or `single`): its own
/// (`tags/single.html`) if the theme has one, else the shared one.
fn taxonomy_template(templates: &SiteTemplates, taxonomy: &Taxonomy, kind: &str) -> String {
    let specific = format!("{}/{kind}.html", taxonomy.config.name);
    if templates.has(&specific) {
        specific
    } else {
        format!("taxonomy_{kind}.html")
    }
}

/// The listing fields each template may read: of listings (sections',
/// term pages', `card.html`), of related pages (pages'), and any
/// template's.
struct ReadBy<'a> {
    listings: &'a HashMap<String, ListingFields>,
    related: &'a HashMap<String, ListingFields>,
    any: &'a ListingFields,
}

/// The listing fields every listing value must hold: those the templates
/// that show listing values read (sections', term pages' and `card.html`'s
/// listings, and pages' related pages when some page has them), or any
/// template's when one calls `get_section`, whose values may go anywhere;
/// but not those made when copied
/// ([`MADE_WHEN_COPIED`](super::listing::MADE_WHEN_COPIED)).
fn stored_listing_fields(
    templates: &SiteTemplates,
    read_by: &ReadBy<'_>,
    content: &SiteContent,
) -> ListingFields {
    if templates.may_name("get_section") {
        return read_by.any.without_made();
    }
    let mut showing: BTreeSet<String> = (0..content.sections.len())
        .map(|i| section_template(content, i).to_string())
        .collect();
    showing.extend(
        content
            .taxonomies
            .iter()
            .map(|taxonomy| taxonomy_template(templates, taxonomy, "single")),
    );
    showing.insert(super::cards::CARD_TEMPLATE.to_string());
    let listings = showing
        .iter()
        .filter_map(|template| read_by.listings.get(template));
    let page_templates: BTreeSet<&str> =
        if content.pages.iter().any(|page| !page.related.is_empty()) {
            (0..content.pages.len())
                .map(|i| page_template(content, i))
                .collect()
        } else {
            BTreeSet::new()
        };
    let related = page_templates
        .iter()
        .filter_map(|template| read_by.related.get(*template));
    ListingFields::union(listings.chain(related)).without_made()
}

/// The error message for a template that does not exist.
fn missing_template(template: &str) -> String {
    format!(
        "template `{template}` not found in the theme's templates/ or the site's templates/ folder"
    )
}

fn into_context(vars: Vars) -> Context {
    Context::from_value(Value::Object(vars)).expect("a JSON object is always a valid context")
}

/// The file that serves URL path `path`: `/a/b/` -> `a/b/index.html`;
/// aliases as users write them (`/old/`, `old`, `old.html`) map the same way.
fn output_file(path: &str) -> String {
    let trimmed = path.trim_matches('/');
    if trimmed.is_empty() {
        "index.html".to_string()
    } else if trimmed.ends_with(".html") {
        trimmed.to_string()
    } else {
        format!("{trimmed}/index.html")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_paths_map_to_index_files() {
        assert_eq!(output_file("/"), "index.html");
        assert_eq!(output_file("/a/b/"), "a/b/index.html");
        assert_eq!(output_file("/404.html"), "404.html");
        assert_eq!(output_file("old/url"), "old/url/index.html");
    }
}
