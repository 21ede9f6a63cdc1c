//! Renders one site: pages, sections, taxonomies, 404, redirects and static
//! files, written as they are produced so memory stays flat.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use rayon::prelude::*;
use serde_json::{Map, Value, json};
use tera::Context;
use walkdir::WalkDir;

use super::functions::{self, SiteData};
use super::pagination::{pager_path, pagers, paginator_value};
use super::redirect::{affiliate_redirect_page, redirect_page};
use super::theme::SiteTemplates;
use super::views::{Urls, page_full, page_listing, section_full};
mod files;
mod head;
mod update;

use crate::affiliate::{AffiliateLinks, GO_PREFIX};
use crate::content::{SiteContent, Taxonomy, Term};
use crate::error::{Error, Location, Result, collect_all};
use crate::network::SeoSettings;
use crate::output::{copy_file, write_file};
use crate::templating::template_error;

/// Counts of what a site's render produced.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RenderStats {
    /// Content pages rendered.
    pub pages: usize,
    /// Files written in all (pages, listings, redirects, static files).
    pub files: usize,
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
    /// Sitemap, feed and related-page settings.
    pub seo: SeoSettings,
    /// Extra `robots.txt` lines (network's, then site's).
    pub robots_rules: Vec<String>,
    /// Translations of this site's pages in its language group.
    pub alternates: Alternates,
}

/// Content path -> (language, absolute URL) of each translation, for
/// `hreflang` links (only paths published in two or more languages).
pub type Alternates = std::collections::HashMap<String, Vec<(String, String)>>;

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

/// Renders one site's content into an output folder.
pub struct SiteRenderer {
    data: Arc<SiteData>,
    templates: SiteTemplates,
    site: Value,
    lang: String,
    out: PathBuf,
    network_file: PathBuf,
    redirect_status: u16,
    ads_txt: Vec<String>,
    seo: SeoSettings,
    robots_rules: Vec<String>,
    alternates: Alternates,
    links: Arc<AffiliateLinks>,
    /// Each page's HTML, taken out of the content graph so it can be moved
    /// into that page's context and freed once the page is written.
    page_html: Vec<String>,
    /// Keep page HTML and record what each output read, so that outputs can
    /// be rendered again after a change (`grove serve`).
    retain: bool,
    /// Outputs that called `get_section`, by section read (when retaining).
    section_readers: Mutex<BTreeMap<usize, BTreeSet<Output>>>,
    /// Contexts of unpaginated sections, by section, kept between renders
    /// (when retaining).
    section_contexts: Mutex<HashMap<usize, Context>>,
    /// When set, rendered files are collected here instead of written.
    captured: Mutex<Option<Vec<(PathBuf, String)>>>,
}

/// A listing to render: a section or a taxonomy term.
struct Listing<'a> {
    base: &'a str,
    template: &'a str,
    source: &'a Path,
    paginate_by: Option<usize>,
    pages: &'a [usize],
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
        target: RenderTarget,
        links: Arc<AffiliateLinks>,
    ) -> SiteRenderer {
        let page_html = content
            .pages
            .iter_mut()
            .map(|page| std::mem::take(&mut page.rendered.html))
            .collect();
        let listing = content
            .pages
            .par_iter()
            .map(|page| page_listing(page, &urls))
            .collect();
        let site_title = site["title"].as_str().unwrap_or_default().to_string();
        let lang = site["language"].as_str().unwrap_or("en").to_string();
        let data = Arc::new(SiteData {
            content,
            listing,
            urls,
            site_title,
        });
        functions::register(&mut templates.tera, Arc::clone(&data), Arc::clone(&links));
        SiteRenderer {
            data,
            templates,
            site,
            lang,
            out: target.out,
            network_file: target.network_file,
            redirect_status: target.redirect_status,
            ads_txt: target.ads_txt,
            seo: target.seo,
            robots_rules: target.robots_rules,
            alternates: target.alternates,
            links,
            page_html,
            retain: false,
            section_readers: Mutex::default(),
            section_contexts: Mutex::default(),
            captured: Mutex::default(),
        }
    }

    /// Renders everything and copies static files; returns what was written.
    pub fn render(mut self, static_dirs: &[PathBuf]) -> Result<RenderStats> {
        self.render_everything(static_dirs, true)
    }

    /// Renders like [`SiteRenderer::render`] but keeps what is needed to
    /// render single outputs again after a page changes (see
    /// [`SiteRenderer::update_pages`]): page HTML stays in memory and the
    /// sections each output reads through `get_section` are recorded.
    pub fn render_retained(&mut self, static_dirs: &[PathBuf]) -> Result<RenderStats> {
        self.retain = true;
        self.render_everything(static_dirs, false)
    }

    /// Points later writes at `out` (after the site folder was moved).
    pub fn set_out(&mut self, out: PathBuf) {
        self.out = out;
    }

    /// `move_html`: move each page's HTML into its context (after the
    /// feeds, which need it) instead of cloning it.
    fn render_everything(
        &mut self,
        static_dirs: &[PathBuf],
        move_html: bool,
    ) -> Result<RenderStats> {
        let static_files = self.copy_static(static_dirs)?;
        let crawler_files = self.write_crawler_files()?;
        let page_html = move_html.then(|| std::mem::take(&mut self.page_html));
        let pages = self.render_pages(page_html)?;
        let listings = self.render_sections()? + self.render_taxonomies()?;
        let extra = self.render_404()? + self.write_redirects()?;
        Ok(RenderStats {
            pages,
            files: static_files + crawler_files + pages + listings + extra,
        })
    }

    /// The templates outputs are rendered with.
    pub fn templates(&self) -> &SiteTemplates {
        &self.templates
    }

    /// The content graph being rendered.
    pub fn content(&self) -> &SiteContent {
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

    fn check_template(&self, template: &str, source: &Path) -> Result<()> {
        if self.templates.has(template) {
            Ok(())
        } else {
            Err(Error::Template {
                location: Location::file(source),
                message: format!(
                    "template `{template}` not found in the theme's templates/ or the site's templates/ folder"
                ),
            })
        }
    }

    /// Renders `template` for `output`, recording the sections it reads
    /// when retaining.
    fn render_template(
        &self,
        output: Output,
        template: &str,
        context: &Context,
    ) -> tera::Result<String> {
        if !self.retain {
            return self.templates.tera.render(template, context);
        }
        let (html, read) =
            functions::recording_sections(|| self.templates.tera.render(template, context));
        let mut readers = self
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

    /// Writes `text` to `file` below the site folder, or keeps it for later
    /// while capturing.
    fn emit(&self, file: &str, text: String) -> Result<()> {
        let path = self.out.join(file);
        let mut captured = self.captured.lock().unwrap_or_else(PoisonError::into_inner);
        match captured.as_mut() {
            Some(files) => {
                files.push((path, text));
                Ok(())
            }
            None => {
                drop(captured);
                write_file(&path, text.as_bytes())
            }
        }
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
        let html = self
            .render_template(output, template, context)
            .map_err(|e| {
                let mut error = template_error(source, &e);
                if let (Error::Template { message, .. }, Some(file)) =
                    (&mut error, self.templates.file_of(template))
                {
                    message.push_str(&format!(
                        " (in {})",
                        crate::error::display_path(file).display()
                    ));
                }
                error
            })?;
        self.emit(&output_file(path), html)
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
        let content = self.content();
        let page = &content.pages[i];
        let section = &content.sections[page.section];
        page.meta
            .template
            .as_deref()
            .or(section.meta.page_template.as_deref())
            .unwrap_or("page.html")
    }

    /// The template section `i` renders with.
    fn section_template(&self, i: usize) -> &str {
        let section = &self.content().sections[i];
        let default = if section.dir.is_empty() {
            "index.html"
        } else {
            "section.html"
        };
        section.meta.template.as_deref().unwrap_or(default)
    }

    fn render_page(&self, i: usize, html: String) -> Result<()> {
        let content = self.content();
        let page = &content.pages[i];
        let template = self.page_template(i);
        self.check_template(template, &page.file)?;
        let mut context = self.context(&page.path);
        context.insert("seo".into(), self.page_head(i, &html));
        let view = page_full(
            content,
            i,
            &self.data.listing,
            html,
            &self.data.site_title,
            &self.data.urls,
        );
        context.insert("page".into(), view);
        self.run(Job {
            output: Output::Page(i),
            path: page.path.clone(),
            template: template.to_string(),
            context,
            source: page.file.clone(),
        })
    }

    fn render_sections(&self) -> Result<usize> {
        let results: Vec<Result<usize>> = (0..self.content().sections.len())
            .into_par_iter()
            .map(|i| self.render_section(i, None))
            .collect();
        Ok(collect_all(results)?.into_iter().sum())
    }

    /// Renders section `i`: every pager, or only pager `only`.
    fn render_section(&self, i: usize, only: Option<usize>) -> Result<usize> {
        let content = self.content();
        let section = &content.sections[i];
        let source = section
            .file
            .clone()
            .unwrap_or_else(|| PathBuf::from("content/_index.md"));
        let template = self.section_template(i);
        self.check_template(template, &source)?;
        let paginate_by = section.meta.paginate_by;
        if self.retain && paginate_by.is_none() {
            return self.render_kept_section(i, template, &source);
        }
        let view = section_full(
            content,
            i,
            &self.data.listing,
            &self.data.site_title,
            &self.data.urls,
            paginate_by.is_none(),
        );
        let listing = Listing {
            base: &section.path,
            template,
            source: &source,
            paginate_by,
            pages: &section.pages,
        };
        let output = |pager| Output::Section { section: i, pager };
        let shared = Vars::from_iter([("section".to_string(), view)]);
        self.render_listing(listing, only, &output, shared, &|context, path, number| {
            context.insert("seo".into(), self.section_head(i, path, number));
        })
    }

    /// Renders unpaginated section `i`, keeping its context for the next
    /// time: it holds every page's listing view, which would cost more to
    /// build again than to render (see [`SiteRenderer::update_pages`],
    /// which keeps it current).
    fn render_kept_section(&self, i: usize, template: &str, source: &Path) -> Result<usize> {
        let kept = self
            .section_contexts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&i);
        let path = &self.content().sections[i].path;
        let context = kept.unwrap_or_else(|| {
            let mut vars = self.context(path);
            let view = section_full(
                self.content(),
                i,
                &self.data.listing,
                &self.data.site_title,
                &self.data.urls,
                true,
            );
            vars.insert("section".into(), view);
            vars.insert("seo".into(), self.section_head(i, path, 1));
            into_context(vars)
        });
        let output = Output::Section {
            section: i,
            pager: 1,
        };
        self.render_to_file(output, template, &context, path, source)?;
        self.section_contexts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(i, context);
        Ok(1)
    }

    /// Renders a listing: one page, or one per pager when paginated (only
    /// pager `only` when given), each built and written in turn so only a
    /// few contexts exist at once. `shared` goes into every pager's context
    /// (moved, when there is one), `fill` adds what differs per pager.
    fn render_listing(
        &self,
        listing: Listing<'_>,
        only: Option<usize>,
        output: &(dyn Fn(usize) -> Output + Sync),
        shared: Vars,
        fill: &(dyn Fn(&mut Vars, &str, usize) + Sync),
    ) -> Result<usize> {
        let Some(per_page) = listing.paginate_by else {
            let mut context = self.context(listing.base);
            context.extend(shared);
            fill(&mut context, listing.base, 1);
            self.run(Job {
                output: output(1),
                path: listing.base.to_string(),
                template: listing.template.to_string(),
                context,
                source: listing.source.to_path_buf(),
            })?;
            return Ok(1);
        };
        let all = pagers(listing.base, listing.pages.len(), per_page);
        let results: Vec<Result<()>> = all
            .par_iter()
            .filter(|pager| only.is_none_or(|n| n == pager.number))
            .map(|pager| {
                let mut context = self.context(&pager.path);
                context.extend(shared.clone());
                fill(&mut context, &pager.path, pager.number);
                let items: Vec<Value> = listing.pages[pager.items.clone()]
                    .iter()
                    .map(|&p| self.data.listing[p].clone())
                    .collect();
                let paginator = paginator_value(
                    &all,
                    pager,
                    per_page,
                    listing.pages.len(),
                    items,
                    &self.data.urls,
                );
                context.insert("paginator".into(), paginator);
                self.run(Job {
                    output: output(pager.number),
                    path: pager.path.clone(),
                    template: listing.template.to_string(),
                    context,
                    source: listing.source.to_path_buf(),
                })
            })
            .collect();
        Ok(collect_all(results)?.len())
    }

    fn taxonomy_template(&self, taxonomy: &Taxonomy, kind: &str) -> String {
        let specific = format!("{}/{kind}.html", taxonomy.config.name);
        if self.templates.has(&specific) {
            specific
        } else {
            format!("taxonomy_{kind}.html")
        }
    }

    fn render_taxonomies(&self) -> Result<usize> {
        let mut written = 0;
        for (t, taxonomy) in self.content().taxonomies.iter().enumerate() {
            if taxonomy.terms.is_empty() {
                continue;
            }
            let value = self.taxonomy_value(t);
            written += self.render_taxonomy_list(t, &value)?;
            let results: Vec<Result<usize>> = (0..taxonomy.terms.len())
                .into_par_iter()
                .map(|k| self.render_term(t, k, &value, None))
                .collect();
            written += collect_all(results)?.into_iter().sum::<usize>();
        }
        Ok(written)
    }

    fn term_value(&self, taxonomy: &Taxonomy, term: &Term) -> Value {
        let urls = &self.data.urls;
        let path = format!("/{}/{}/", taxonomy.config.name, term.slug);
        json!({
            "name": term.name,
            "slug": term.slug,
            "path": urls.path(&path),
            "permalink": urls.permalink(&path),
            "page_count": term.pages.len(),
        })
    }

    /// The `taxonomy` value of taxonomy `t`, with its terms.
    fn taxonomy_value(&self, t: usize) -> Value {
        let taxonomy = &self.content().taxonomies[t];
        let urls = &self.data.urls;
        let base = format!("/{}/", taxonomy.config.name);
        json!({
            "name": taxonomy.config.name,
            "path": urls.path(&base),
            "permalink": urls.permalink(&base),
            "terms": taxonomy
                .terms
                .iter()
                .map(|term| self.term_value(taxonomy, term))
                .collect::<Vec<_>>(),
        })
    }

    /// Renders the list of taxonomy `t`'s terms; `value` is its `taxonomy`.
    fn render_taxonomy_list(&self, t: usize, value: &Value) -> Result<usize> {
        let taxonomy = &self.content().taxonomies[t];
        let source = &self.network_file;
        let name = &taxonomy.config.name;
        let base = format!("/{name}/");
        let template = self.taxonomy_template(taxonomy, "list");
        self.check_template(&template, source)?;
        let mut context = self.context(&base);
        context.insert("taxonomy".into(), value.clone());
        let label = capitalize(name);
        let about = format!("All {name} on {}.", self.data.site_title);
        context.insert("seo".into(), self.listing_head(&label, about, &base));
        self.run(Job {
            output: Output::TaxonomyList(t),
            path: base,
            template,
            context,
            source: source.clone(),
        })?;
        Ok(1)
    }

    /// Renders term `k` of taxonomy `t` (every pager, or only `only`);
    /// `taxonomy_value` is the taxonomy's `taxonomy` value.
    fn render_term(
        &self,
        t: usize,
        k: usize,
        taxonomy_value: &Value,
        only: Option<usize>,
    ) -> Result<usize> {
        let taxonomy = &self.content().taxonomies[t];
        let term = &taxonomy.terms[k];
        let source = &self.network_file;
        let template = self.taxonomy_template(taxonomy, "single");
        self.check_template(&template, source)?;
        let mut value = self.term_value(taxonomy, term);
        if taxonomy.config.paginate_by.is_none() {
            let pages = term.pages.iter().map(|&p| self.data.listing[p].clone());
            value["pages"] = Value::Array(pages.collect());
        }
        let path = format!("/{}/{}/", taxonomy.config.name, term.slug);
        let listing = Listing {
            base: &path,
            template: &template,
            source,
            paginate_by: taxonomy.config.paginate_by,
            pages: &term.pages,
        };
        let about = format!("Articles about {} on {}.", term.name, self.data.site_title);
        let output = |pager| Output::Term {
            taxonomy: t,
            term: k,
            pager,
        };
        let shared = Vars::from_iter([
            ("taxonomy".to_string(), taxonomy_value.clone()),
            ("term".to_string(), value),
        ]);
        self.render_listing(listing, only, &output, shared, &|context, path, _| {
            context.insert(
                "seo".into(),
                self.listing_head(&term.name, about.clone(), path),
            );
        })
    }

    fn render_404(&self) -> Result<usize> {
        if !self.templates.has("404.html") {
            return Ok(0);
        }
        let mut vars = self.context("/404.html");
        vars.insert("seo".into(), self.not_found_head());
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
        self.emit("404.html", html)?;
        Ok(1)
    }

    /// Redirect pages for aliases and for `/page/1/` of paginated listings.
    fn write_redirects(&self) -> Result<usize> {
        let content = self.content();
        let urls = &self.data.urls;
        // (alias as written, URL path it points to), for pages and sections.
        let aliases: Vec<(&str, &str)> = content
            .pages
            .iter()
            .flat_map(|p| {
                p.meta
                    .aliases
                    .iter()
                    .map(move |a| (a.as_str(), p.path.as_str()))
            })
            .chain(content.sections.iter().flat_map(|s| {
                s.meta
                    .aliases
                    .iter()
                    .map(move |a| (a.as_str(), s.path.as_str()))
            }))
            .collect();
        let mut redirects: BTreeMap<String, String> = aliases
            .iter()
            .map(|(alias, path)| (output_file(alias), urls.path(path)))
            .collect();
        for section in &content.sections {
            if section.meta.paginate_by.is_some() {
                redirects.insert(
                    output_file(&format!("{}page/1/", section.path)),
                    urls.path(&pager_path(&section.path, 1)),
                );
            }
        }
        for taxonomy in &content.taxonomies {
            if taxonomy.config.paginate_by.is_none() {
                continue;
            }
            for term in &taxonomy.terms {
                let base = format!("/{}/{}/", taxonomy.config.name, term.slug);
                redirects.insert(output_file(&format!("{base}page/1/")), urls.path(&base));
            }
        }
        // Host-level redirects for hosts that read `_redirects` (Netlify,
        // Cloudflare Pages): real 301s for aliases, 302s (configurable) for
        // affiliate links.
        let mut host_rules: Vec<String> = aliases
            .iter()
            .map(|(alias, path)| format!("{} {} 301", alias_url(alias, urls), urls.path(path)))
            .collect();
        let mut pages: Vec<(String, String)> = redirects
            .into_iter()
            .map(|(file, target)| (file, redirect_page(&target, &self.lang)))
            .collect();
        if self.links.style().cloak {
            for slug in self.used_affiliates() {
                let destination =
                    self.links
                        .destination(&slug)
                        .map_err(|message| Error::Content {
                            location: Location::file(&self.network_file),
                            message,
                        })?;
                let go = format!("{GO_PREFIX}{slug}/");
                host_rules.push(format!(
                    "{} {destination} {}",
                    urls.path(&go),
                    self.redirect_status
                ));
                pages.push((
                    output_file(&go),
                    affiliate_redirect_page(destination, &self.lang),
                ));
            }
        }
        host_rules.sort();
        host_rules.dedup();
        if !host_rules.is_empty() {
            pages.push(("_redirects".into(), host_rules.join("\n") + "\n"));
        }
        let count = pages.len();
        collect_all(
            pages
                .into_par_iter()
                .map(|(file, text)| self.emit(&file, text))
                .collect::<Vec<_>>(),
        )?;
        Ok(count)
    }

    /// Affiliate slugs linked anywhere in the site's content, sorted.
    fn used_affiliates(&self) -> Vec<String> {
        let content = self.content();
        let mut slugs: Vec<String> = content
            .pages
            .iter()
            .flat_map(|p| p.rendered.affiliates.iter())
            .chain(
                content
                    .sections
                    .iter()
                    .flat_map(|s| s.rendered.affiliates.iter()),
            )
            .cloned()
            .collect();
        slugs.sort();
        slugs.dedup();
        slugs
    }

    /// Copies static folders (later ones win) and content assets.
    fn copy_static(&self, static_dirs: &[PathBuf]) -> Result<usize> {
        let mut files: BTreeMap<String, PathBuf> = BTreeMap::new();
        for dir in static_dirs.iter().filter(|d| d.is_dir()) {
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
                    files.insert(
                        rel.to_string_lossy().into_owned(),
                        entry.path().to_path_buf(),
                    );
                }
            }
        }
        for asset in &self.content().assets {
            files.insert(asset.rel.clone(), asset.path.clone());
        }
        let count = files.len();
        collect_all(
            files
                .into_par_iter()
                .map(|(rel, from)| copy_file(&from, &self.out.join(rel)))
                .collect::<Vec<_>>(),
        )?;
        Ok(count)
    }
}

fn into_context(vars: Vars) -> Context {
    Context::from_value(Value::Object(vars)).expect("a JSON object is always a valid context")
}

/// "tags" -> "Tags".
fn capitalize(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// An alias as a root-relative URL: `old/url` -> `/old/url/`.
fn alias_url(alias: &str, urls: &Urls) -> String {
    let trimmed = alias.trim_matches('/');
    if trimmed.ends_with(".html") {
        urls.path(&format!("/{trimmed}"))
    } else {
        urls.path(&format!("/{trimmed}/"))
    }
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
