//! One site's content graph: pages and sections with their URLs, rendered
//! Markdown, section membership and order, and taxonomies.

mod order;
mod related;
mod taxonomies;
mod term_pages;
mod urls;

use order::{attach_pages, compare_pages, link_sections};
use related::relate;
use taxonomies::build_taxonomies;
pub use taxonomies::term_key;
use urls::{Resolver, dir_url, is_section_file, page_url, parent_dir, url_map};
pub use urls::{url_parent_and_name, url_path};

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;
use tera::Context;

use super::front_matter;
use super::functions::ContentFunctions;
use super::images::SiteImages;
use super::include::{Include, LeftOut};
use super::language;
use super::markdown::{self, Disclosure, MarkdownOptions, Rendered, SourceRef};
use super::meta::ignored_key_notice;
use super::meta::{PageMeta, SectionMeta, SortBy};
use super::notice::Notices;
use super::sanitize::sanitize_markdown_trusting;
use super::source::{Blueprint, Expander, SourceFile};
use super::url_rules::UrlRules;
use crate::affiliate::AffiliateLinks;
use crate::error::{Result, collect_all};
use crate::ignore::Ignore;
use crate::network::TaxonomyConfig;

/// The notice for content images whose file is missing.
pub const MISSING_IMAGE_NOTICE: &str = "image not found beside the page, in content/ or in the static folders; published as written, so readers will see a broken image (`grove check` lists them all)";

/// The notice for remote images `[images] fetch_remote` could not fetch.
pub const UNFETCHED_IMAGE_NOTICE: &str =
    "remote image not fetched: left remote (it is fetched again on the next build)";

/// The notice for files a site does not publish.
pub const IGNORED_NOTICE: &str = "not published: an editor's backup, swap or lock file, a system file, or a file the `ignore` patterns name (grove.toml [network] or site.toml)";

/// What shapes loading beyond the files themselves.
#[derive(Clone, Copy)]
pub struct LoadOptions<'a> {
    /// Which unpublished pages (drafts, scheduled) to include.
    pub include: Include,
    /// Markdown switches.
    pub markdown: MarkdownOptions,
    /// Reading speed for `reading_time`.
    pub words_per_minute: usize,
    /// The network's taxonomies.
    pub taxonomies: &'a [TaxonomyConfig],
    /// The path part of the site's base URL (`/blog`), put in front of
    /// resolved `@/` links.
    pub base_path: &'a str,
    /// The site's affiliate links; without them an `aff:` link is an error.
    pub affiliates: Option<&'a AffiliateLinks>,
    /// The disclosure for content with affiliate links.
    pub disclosure: Option<Disclosure<'a>>,
    /// Shortcodes content may call.
    pub shortcodes: Option<&'a dyn ContentFunctions>,
    /// How many related pages each page gets.
    pub related_pages: usize,
    /// The site's language: files with another language's suffix
    /// (`post.fr.md`) are left out.
    pub language: &'a str,
    /// Files not published (editors' leftovers, `ignore` patterns).
    pub ignore: &'a Ignore,
    /// Whether the blueprint's pages are part of the site (`blueprint` in
    /// site.toml).
    pub blueprint_pages: bool,
    /// How term URLs are made (`url_rules` in site.toml).
    pub url_rules: UrlRules,
    /// How the site's images are found and made (`None`: content images
    /// stay as written).
    pub images: Option<&'a Arc<SiteImages>>,
}

/// A page: a Markdown file other than `_index.md`.
#[derive(Debug, Clone)]
pub struct Page {
    /// Path relative to the content root, e.g. `guides/grinders.md`.
    pub rel: String,
    /// The file it was read from.
    pub file: PathBuf,
    /// Front matter.
    pub meta: PageMeta,
    /// URL path below the site root, e.g. `/guides/grinders/`.
    pub path: String,
    /// Rendered Markdown.
    pub rendered: Rendered,
    /// Minutes to read, rounded up.
    pub reading_time: usize,
    /// Index of the section the page belongs to.
    pub section: usize,
    /// Neighbour before this page in its section's order.
    pub previous: Option<usize>,
    /// Neighbour after this page in its section's order.
    pub next: Option<usize>,
    /// The most related pages: most shared taxonomy terms, then newest.
    pub related: Vec<usize>,
    /// How its site makes term URLs (for the page's term links).
    pub url_rules: UrlRules,
}

/// A section: a folder with an `_index.md` (the root section always exists).
#[derive(Debug, Clone)]
pub struct Section {
    /// Path of its `_index.md` relative to the content root.
    pub rel: String,
    /// The `_index.md` file, if there is one.
    pub file: Option<PathBuf>,
    /// Folder relative to the content root (`""` for the root).
    pub dir: String,
    /// Front matter.
    pub meta: SectionMeta,
    /// URL path, e.g. `/guides/`.
    pub path: String,
    /// Rendered Markdown of `_index.md`.
    pub rendered: Rendered,
    /// Pages in display order.
    pub pages: Vec<usize>,
    /// Direct child sections, by weight then title.
    pub subsections: Vec<usize>,
    /// Enclosing section (`None` for the root).
    pub parent: Option<usize>,
}

/// One taxonomy of a site, e.g. its tags.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    /// The taxonomy's configuration.
    pub config: TaxonomyConfig,
    /// Terms sorted by slug.
    pub terms: Vec<Term>,
    /// Title and description from `content/<taxonomy>/_index.md`.
    pub text: ListingText,
}

pub use term_pages::ListingText;

/// One term of a taxonomy, e.g. the tag "Grinders".
#[derive(Debug, Clone)]
pub struct Term {
    /// The term as first written.
    pub name: String,
    /// URL segment.
    pub slug: String,
    /// Pages with this term, newest first.
    pub pages: Vec<usize>,
    /// Title and description from `content/<taxonomy>/<term>/_index.md`.
    pub text: ListingText,
}

/// Everything a site shows, ready to render.
#[derive(Debug, Clone)]
pub struct SiteContent {
    /// Pages sorted by `rel`.
    pub pages: Vec<Page>,
    /// Sections sorted by `rel`; index 0 is the root.
    pub sections: Vec<Section>,
    /// One entry per configured taxonomy.
    pub taxonomies: Vec<Taxonomy>,
    /// How the site makes term URLs (for templates' term links).
    pub url_rules: UrlRules,
    /// Non-Markdown files copied as they are.
    pub assets: Vec<SourceFile>,
    /// Content file (`rel`) to URL path, for `@/` links and `get_url`.
    pub urls: HashMap<String, String>,
    /// Content files left out (drafts, scheduled pages), named when
    /// something links them.
    pub left_out: HashMap<String, LeftOut>,
    /// What the content asks for that Grove does not do.
    pub notices: Notices,
    /// The site's images: where they are, what was made of them, what
    /// to publish.
    pub images: Option<Arc<SiteImages>>,
}

/// A page read again after a change that leaves the site's graph as it
/// was: its body, or front matter that does not place the page (see
/// [`PageMeta::places_like`]).
#[derive(Debug, Clone)]
pub struct PageBody {
    /// The front matter.
    pub meta: PageMeta,
    /// The rendered Markdown.
    pub rendered: Rendered,
    /// Minutes to read, rounded up.
    pub reading_time: usize,
}

enum Document {
    Page {
        rel: String,
        file: PathBuf,
        meta: PageMeta,
        body: Pending,
    },
    Section {
        rel: String,
        file: PathBuf,
        meta: SectionMeta,
        body: Pending,
    },
}

impl Document {
    /// The file's path below the content root, and the front matter keys
    /// it sets that Grove ignores.
    fn rel_and_ignored(&self) -> (&str, &[&'static str]) {
        match self {
            Document::Page { rel, meta, .. } => (rel, &meta.ignored),
            Document::Section { rel, meta, .. } => (rel, &meta.ignored),
        }
    }
}

impl SiteContent {
    /// Loads a site's content from the blueprint merged with
    /// `site_content_dir`; `context` expands Tera syntax in content.
    pub fn load(
        blueprint: &Blueprint,
        site_content_dir: &std::path::Path,
        context: &Context,
        options: LoadOptions<'_>,
    ) -> Result<SiteContent> {
        let mut notices = Notices::default();
        let mut sources = blueprint.merge_with(site_content_dir, options.blueprint_pages)?;
        sources.retain(|file| {
            let ignored = options.ignore.ignores(&file.rel);
            if ignored {
                notices.add(IGNORED_NOTICE, &file.rel);
            }
            !ignored
        });
        let (markdown_files, assets): (Vec<SourceFile>, Vec<SourceFile>) =
            sources.into_iter().partition(SourceFile::is_markdown);
        let images = options.images.cloned();
        if let Some(images) = &images {
            images.set_assets(assets.iter().map(|a| (a.rel.clone(), a.path.clone())));
        }
        let taxonomy_names: Vec<&str> =
            options.taxonomies.iter().map(|t| t.name.as_str()).collect();

        let expander = Expander::new(blueprint, options.shortcodes, context);
        let documents = collect_all(
            markdown_files
                .par_iter()
                .map(|file| read_document(file, &expander, &taxonomy_names))
                .collect::<Vec<_>>(),
        )?;
        // The documents share the texts they need; the rest is freed now.
        drop(markdown_files);

        let mut left_out = HashMap::new();
        let mut page_docs = Vec::with_capacity(documents.len());
        let mut section_docs = Vec::new();
        let draft_dirs = draft_section_dirs(&documents, options.include);
        for document in documents {
            let (rel, ignored) = document.rel_and_ignored();
            for key in ignored {
                notices.add(ignored_key_notice(key), rel);
            }
            if let Some(other) =
                language::suffix(rel).filter(|l| !language::same(l, options.language))
            {
                notices.add(
                    format!(
                        "translations into `{other}` are not built: a site has one language (this one's is `{}`); make a site with language = \"{other}\" in its site.toml and move them there",
                        options.language
                    ),
                    rel,
                );
                left_out.insert(rel.to_string(), LeftOut::Translation(other.to_string()));
                continue;
            }
            if draft_dirs.iter().any(|dir| is_below(rel, dir)) {
                left_out.insert(rel.to_string(), LeftOut::Draft);
                continue;
            }
            match &document {
                Document::Page { meta, rel, .. } => {
                    match options.include.leaves_out(meta.draft, meta.date.as_ref()) {
                        Some(why) => {
                            left_out.insert(rel.clone(), why);
                        }
                        None => page_docs.push(document),
                    }
                }
                Document::Section { .. } => section_docs.push(document),
            }
        }

        let (section_docs, term_files) =
            term_pages::split(section_docs, &taxonomy_names, &mut notices);
        let mut sections = section_stubs(section_docs);
        let mut pages = page_stubs(page_docs, &sections, options.url_rules);
        let mut urls = url_map(&pages, &sections)?;
        // `@/post.md` finds `post.en.md` on an English site, as in Zola.
        for (page, _) in &pages {
            if language::suffix(&page.rel).is_some() {
                urls.entry(language::strip(&page.rel))
                    .or_insert_with(|| page.path.clone());
            }
        }
        let resolver = Resolver {
            urls: &urls,
            left_out: &left_out,
            base_path: options.base_path,
            affiliates: options.affiliates,
            images: images.as_deref(),
        };
        render_markdown(&mut pages, &mut sections, options, &resolver)?;
        if let Some(images) = &images {
            for missing in images.missing() {
                notices.add(MISSING_IMAGE_NOTICE, missing);
            }
            for why in images.unavailable() {
                notices.add(UNFETCHED_IMAGE_NOTICE, why);
            }
        }
        link_sections(&mut sections);
        attach_pages(&mut pages, &mut sections);
        let mut taxonomies = build_taxonomies(&pages, options.taxonomies, options.url_rules)?;
        term_pages::apply(term_files, &mut taxonomies, options.url_rules, &mut notices);
        let related = relate(
            &pages,
            &sections,
            &taxonomies,
            options.related_pages,
            options.url_rules,
        );
        for ((page, _), related) in pages.iter_mut().zip(related) {
            page.related = related;
        }

        Ok(SiteContent {
            pages: pages.into_iter().map(|(page, _)| page).collect(),
            sections: sections.into_iter().map(|(section, _)| section).collect(),
            taxonomies,
            url_rules: options.url_rules,
            assets,
            urls,
            left_out,
            notices,
            images,
        })
    }

    /// Where a content asset goes in the output, relative to the site
    /// folder: beside its page for a page bundle (`Foo/index.md` is served
    /// at `/foo/`, so `Foo/a.png` goes to `foo/a.png`), else where it is.
    /// `None` for an asset of a bundle left out (a draft, a scheduled
    /// page): it is not published before its page.
    pub fn asset_output(&self, rel: &str) -> Option<String> {
        // The innermost enclosing folder with an `index.md` is the bundle.
        let mut dir = rel;
        while let Some(slash) = dir.rfind('/') {
            dir = &dir[..slash];
            let index = format!("{dir}/index.md");
            if let Some(path) = self.urls.get(&index) {
                let inner = &rel[dir.len() + 1..];
                return Some(format!("{}{inner}", path.trim_start_matches('/')));
            }
            if self.left_out.contains_key(&index) {
                return None;
            }
        }
        Some(rel.to_string())
    }

    /// Resolves `@/` links and affiliate slugs against this graph.
    fn resolver<'a>(&'a self, options: LoadOptions<'a>) -> Resolver<'a> {
        Resolver {
            urls: &self.urls,
            left_out: &self.left_out,
            base_path: options.base_path,
            affiliates: options.affiliates,
            images: self.images.as_deref(),
        }
    }

    /// Reads page `index` again from `file` (its changed source). Returns
    /// `None` when the change may move the page in the site's graph (front
    /// matter that places it, a title that orders it or shows in every
    /// page's navigation, or the file is no longer a page): only a full load
    /// then gives the right graph.
    pub fn reread_page(
        &self,
        index: usize,
        file: &SourceFile,
        expander: &Expander<'_>,
        options: LoadOptions<'_>,
    ) -> Result<Option<PageBody>> {
        let taxonomy_names: Vec<&str> =
            options.taxonomies.iter().map(|t| t.name.as_str()).collect();
        let page = &self.pages[index];
        let Document::Page { meta, body, .. } = read_document(file, expander, &taxonomy_names)?
        else {
            return Ok(None);
        };
        let section = &self.sections[page.section];
        let title_places = section.meta.sort_by == SortBy::Title || page.section == 0;
        if !meta.places_like(&page.meta) || (title_places && meta.title != page.meta.title) {
            return Ok(None);
        }
        let resolver = self.resolver(options);
        let cover = has_cover(&meta.extra);
        let rendered = render_body((&page.file, &page.rel, cover), &body, options, &resolver)?;
        Ok(Some(PageBody {
            meta,
            reading_time: reading_time(&rendered, options),
            rendered,
        }))
    }

    /// Reads section `index` again from `file` (its changed `_index.md`):
    /// its body rendered anew, or `None` when its front matter changed (or
    /// the file is no longer a section).
    pub fn reread_section(
        &self,
        index: usize,
        file: &SourceFile,
        expander: &Expander<'_>,
        options: LoadOptions<'_>,
    ) -> Result<Option<Rendered>> {
        let section = &self.sections[index];
        let (Document::Section { meta, body, .. }, Some(path)) =
            (read_document(file, expander, &[])?, &section.file)
        else {
            return Ok(None);
        };
        if meta != section.meta {
            return Ok(None);
        }
        let resolver = self.resolver(options);
        let cover = has_cover(&meta.extra);
        render_body((path, &section.rel, cover), &body, options, &resolver).map(Some)
    }

    /// Puts a section body from [`SiteContent::reread_section`] in place.
    pub fn replace_section_body(&mut self, index: usize, rendered: Rendered) {
        self.sections[index].rendered = rendered;
    }

    /// Puts a page from [`SiteContent::reread_page`] in place.
    pub fn replace_page_body(&mut self, index: usize, body: PageBody) {
        let page = &mut self.pages[index];
        page.meta = body.meta;
        page.rendered = body.rendered;
        page.reading_time = body.reading_time;
    }

    /// Index of the section whose `_index.md` is at `rel`.
    pub fn section_by_rel(&self, rel: &str) -> Option<usize> {
        self.sections.iter().position(|s| s.rel == rel)
    }

    /// The sections from the root down to `section`: a breadcrumb trail.
    pub fn ancestors(&self, mut section: usize) -> Vec<usize> {
        let mut chain = vec![section];
        while let Some(parent) = self.sections[section].parent {
            chain.push(parent);
            section = parent;
        }
        chain.reverse();
        chain
    }
}

fn read_document(
    file: &SourceFile,
    expander: &Expander<'_>,
    taxonomies: &[&str],
) -> Result<Document> {
    let expanded = expander.expand(file)?;
    let text = &expanded.text;
    let split = front_matter::split(&file.path, text)?;
    let fields = front_matter::parse_fields(&file.path, &split)?;
    // The body is the tail of the text: keep a shared reference, not a copy.
    let mut body = Pending {
        start: text.len() - split.body.len(),
        line: split.body_line,
        text: text.clone(),
    };
    Ok(if is_section_file(&file.rel) {
        Document::Section {
            rel: file.rel.clone(),
            file: file.path.clone(),
            meta: SectionMeta::from_fields(fields, taxonomies)?,
            body,
        }
    } else {
        let meta = PageMeta::from_fields(fields, taxonomies)?;
        if meta.is_generated() {
            // A model wrote it: what its template code printed is checked
            // as the model's own text was (shortcode output aside).
            let clean = sanitize_markdown_trusting(body.body(), &expanded.shortcode_html);
            if clean != body.body() {
                body = Pending {
                    start: 0,
                    line: body.line,
                    text: Arc::from(clean),
                };
            }
        }
        Document::Page {
            rel: file.rel.clone(),
            file: file.path.clone(),
            meta,
            body,
        }
    })
}

/// Folders of sections marked `draft = true`, unless drafts are included:
/// everything below them is left out.
fn draft_section_dirs(documents: &[Document], include: Include) -> Vec<String> {
    if include.drafts {
        return Vec::new();
    }
    documents
        .iter()
        .filter_map(|doc| match doc {
            Document::Section { rel, meta, .. } if meta.draft => Some(parent_dir(rel).to_string()),
            _ => None,
        })
        .collect()
}

/// Whether content file `rel` is inside folder `dir` (`""` holds all).
fn is_below(rel: &str, dir: &str) -> bool {
    dir.is_empty()
        || rel
            .strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// A Markdown body waiting to be rendered: the tail of a file's text.
struct Pending {
    text: Arc<str>,
    start: usize,
    line: usize,
}

impl Pending {
    fn empty() -> Pending {
        Pending {
            text: Arc::from(""),
            start: 0,
            line: 1,
        }
    }

    fn body(&self) -> &str {
        &self.text[self.start..]
    }
}

fn section_stubs(docs: Vec<Document>) -> Vec<(Section, Pending)> {
    let mut sections: Vec<(Section, Pending)> = docs
        .into_iter()
        .filter_map(|doc| match doc {
            Document::Section {
                rel,
                file,
                meta,
                body,
            } => {
                let dir = parent_dir(&rel).to_string();
                Some((
                    Section {
                        path: dir_url(&dir),
                        rel,
                        file: Some(file),
                        dir,
                        meta,
                        rendered: Rendered::default(),
                        pages: Vec::new(),
                        subsections: Vec::new(),
                        parent: None,
                    },
                    body,
                ))
            }
            Document::Page { .. } => None,
        })
        .collect();
    if !sections.iter().any(|(s, _)| s.dir.is_empty()) {
        sections.push((root_section(), Pending::empty()));
    }
    sections.sort_by(|a, b| a.0.dir.cmp(&b.0.dir));
    sections
}

fn root_section() -> Section {
    Section {
        rel: "_index.md".into(),
        file: None,
        dir: String::new(),
        meta: SectionMeta::default(),
        path: "/".into(),
        rendered: Rendered::default(),
        pages: Vec::new(),
        subsections: Vec::new(),
        parent: None,
    }
}

/// The nearest section whose folder contains `dir` (the root at worst).
fn nearest_section(sections: &[(Section, Pending)], mut dir: &str) -> usize {
    loop {
        if let Some(i) = sections.iter().position(|(s, _)| s.dir == dir) {
            return i;
        }
        if dir.is_empty() {
            return 0;
        }
        dir = parent_dir(dir);
    }
}

fn page_stubs(
    docs: Vec<Document>,
    sections: &[(Section, Pending)],
    url_rules: UrlRules,
) -> Vec<(Page, Pending)> {
    let mut pages: Vec<(Page, Pending)> = docs
        .into_iter()
        .filter_map(|doc| match doc {
            Document::Page {
                rel,
                file,
                meta,
                body,
            } => {
                let plain = language::strip(&rel);
                let (url_dir, name) = url_parent_and_name(&plain);
                let path = page_url(url_dir, name, meta.slug.as_deref(), meta.path.as_deref());
                let section = nearest_section(sections, url_dir);
                Some((
                    Page {
                        rel,
                        file,
                        meta,
                        path,
                        rendered: Rendered::default(),
                        reading_time: 0,
                        section,
                        previous: None,
                        next: None,
                        related: Vec::new(),
                        url_rules,
                    },
                    body,
                ))
            }
            Document::Section { .. } => None,
        })
        .collect();
    pages.sort_by(|a, b| a.0.rel.cmp(&b.0.rel));
    pages
}

fn render_markdown(
    pages: &mut [(Page, Pending)],
    sections: &mut [(Section, Pending)],
    options: LoadOptions<'_>,
    resolver: &Resolver<'_>,
) -> Result<()> {
    let page_results: Vec<Result<()>> = pages
        .par_iter_mut()
        .map(|(page, pending)| {
            let has_cover = has_cover(&page.meta.extra);
            page.rendered = render_body(
                (&page.file, &page.rel, has_cover),
                pending,
                options,
                resolver,
            )?;
            // The Markdown is not needed once rendered: free it before the
            // next pages' HTML piles up.
            *pending = Pending::empty();
            page.reading_time = reading_time(&page.rendered, options);
            Ok(())
        })
        .collect();
    let section_results: Vec<Result<()>> = sections
        .par_iter_mut()
        .map(|(section, pending)| {
            let Some(file) = &section.file else {
                return Ok(());
            };
            let has_cover = has_cover(&section.meta.extra);
            section.rendered =
                render_body((file, &section.rel, has_cover), pending, options, resolver)?;
            Ok(())
        })
        .collect();
    collect_all(section_results.into_iter().chain(page_results))?;
    Ok(())
}

/// Whether a page's `[extra]` names a cover image (`image`), which the
/// theme shows above the body.
fn has_cover(extra: &serde_json::Map<String, serde_json::Value>) -> bool {
    extra
        .get("image")
        .is_some_and(|v| v.as_str().is_some_and(|s| !s.is_empty()))
}

fn reading_time(rendered: &Rendered, options: LoadOptions<'_>) -> usize {
    rendered
        .word_count
        .div_ceil(options.words_per_minute.max(1))
}

/// Renders the Markdown body of `file` (`rel` below `content/`), whose
/// page shows a cover image above it when `has_cover`.
fn render_body(
    (file, rel, has_cover): (&std::path::Path, &str, bool),
    pending: &Pending,
    options: LoadOptions<'_>,
    resolver: &Resolver<'_>,
) -> Result<Rendered> {
    let source = SourceRef {
        path: file,
        rel,
        body_line: pending.line,
        has_cover,
    };
    markdown::render(
        pending.body(),
        source,
        options.markdown,
        resolver,
        options.disclosure,
    )
}
