//! A renderer kept by `grove serve`: it renders again only what changed
//! pages, templates or static files affect.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError};

use rayon::prelude::*;

use super::{LiveRecord, Output, SiteRenderer};
use crate::content::{PageBody, Rendered, SiteContent};
use crate::error::{Result, collect_all};
use crate::output::replace_file;
use crate::render::functions;
use crate::render::listing::page_listing;
use crate::render::pagination::pagers;
use crate::render::site_data::SiteData;
use crate::render::theme::SiteTemplates;
use serde_json::{Map, Value};
use tera::Context;

/// What changed, as a live renderer takes it in.
pub enum Update<'a> {
    /// Content read again that leaves the site's graph as it was.
    Content(ContentChanges),
    /// The site's templates loaded again; `changed` names the changed ones
    /// with every template using them (see [`SiteTemplates::users_of`]).
    Templates {
        /// The templates to render with from now on.
        templates: Box<SiteTemplates>,
        /// Templates whose outputs must be rendered again.
        changed: &'a BTreeSet<String>,
    },
    /// Static file `from` is to be served at `rel` below the site folder.
    Static {
        /// Where in the site's output.
        rel: &'a str,
        /// The file to copy.
        from: &'a Path,
    },
}

/// A site rendered once and kept in memory (content graph, listing views,
/// page HTML, templates, and which outputs read which sections), so that a
/// change renders only the outputs it affects. Made by
/// [`SiteRenderer::render_live`].
pub struct LiveRenderer {
    renderer: SiteRenderer,
}

/// Content read again after a change that leaves the site's graph as it
/// was.
#[derive(Debug, Default)]
pub struct ContentChanges {
    /// Pages by index: new bodies, and front matter that places them as
    /// before.
    pub pages: Vec<(usize, PageBody)>,
    /// Sections by index: new bodies (`_index.md`), front matter unchanged.
    pub sections: Vec<(usize, Rendered)>,
}

impl LiveRenderer {
    pub(super) fn new(renderer: SiteRenderer) -> LiveRenderer {
        assert!(renderer.live.is_some(), "a live renderer records");
        LiveRenderer { renderer }
    }

    /// The content graph being rendered.
    pub fn content(&self) -> &SiteContent {
        self.renderer.content()
    }

    /// The templates outputs are rendered with.
    pub fn templates(&self) -> &SiteTemplates {
        &self.renderer.templates
    }

    /// Points later writes at `out` (after the site folder was moved).
    pub fn set_out(&mut self, out: PathBuf) {
        self.renderer.target.out = out;
    }

    /// Takes in `update` and renders again every output it affects; files
    /// are written only once every output rendered, each replaced
    /// atomically. Returns the number of files written, or `None` when
    /// the change reaches beyond what can be rendered alone: the caller
    /// must render the whole site again.
    pub fn update(&mut self, update: Update<'_>) -> Result<Option<usize>> {
        let rendered = match update {
            Update::Content(changes) => self.renderer.update_content(changes)?,
            Update::Templates { templates, changed } => {
                self.renderer.update_templates(*templates, changed)?
            }
            Update::Static { rel, from } => {
                let bytes = std::fs::read(from)
                    .map_err(|source| crate::error::Error::io(from, "cannot read file", source))?;
                replace_file(&self.renderer.target.out.join(rel), &bytes)?;
                return Ok(Some(1));
            }
        };
        // Pages rendered again may show images made just now.
        if rendered.is_some() {
            self.renderer.copy_processed_images()?;
        }
        Ok(rendered)
    }
}

impl SiteRenderer {
    /// What this renderer records; only a [`LiveRenderer`]'s updates call
    /// this, and it always records.
    fn record(&self) -> &LiveRecord {
        self.live.as_ref().expect("a live renderer records")
    }

    /// The kept contexts of unpaginated sections, by section.
    fn kept_sections(&mut self) -> &mut HashMap<usize, Context> {
        self.live
            .as_mut()
            .expect("a live renderer records")
            .section_contexts
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Puts the content read again in place and renders again every output
    /// that shows it, then the feeds (and the sitemaps when front matter
    /// changed).
    ///
    /// - A section's body shows on its own pagers and wherever
    ///   `get_section` reads it.
    /// - A page shows on itself; on its neighbours when its title changed;
    ///   and, when a field of its listing view that some template reads
    ///   changed (summary, title...), on the section and term pagers
    ///   holding it, pages listing it as related and outputs reading its
    ///   section through `get_section`.
    ///
    /// `None` when the site's set of affiliate links changed (`/go/`
    /// pages come or go).
    fn update_content(&mut self, changed: ContentChanges) -> Result<Option<usize>> {
        let used_before = self.used_affiliates();
        let mut changes = Vec::with_capacity(changed.pages.len());
        let mut outputs = BTreeSet::new();
        let mut meta_changed = false;
        let sections: Vec<usize> = changed.sections.iter().map(|(i, _)| *i).collect();
        let stored = self.reads.stored.clone();
        self.with_data_mut(|data| {
            for (index, rendered) in changed.sections {
                data.content.replace_section_body(index, rendered);
            }
            for (index, mut body) in changed.pages {
                let html = std::mem::take(&mut body.rendered.html);
                let page = &data.content.pages[index];
                meta_changed |= page.meta != body.meta;
                if page.meta.title != body.meta.title {
                    // Neighbours link to the page by its title.
                    outputs.extend(page.previous.into_iter().chain(page.next).map(Output::Page));
                }
                data.content.replace_page_body(index, body);
                let listing = page_listing(&data.content.pages[index], &data.urls, &stored);
                let old = std::mem::replace(&mut data.listing[index], listing);
                changes.push((index, html, old));
            }
        });
        // Whether some template may read a listing field, by field.
        let mut read_fields: HashMap<String, bool> = HashMap::new();
        for (index, html, old_listing) in changes {
            self.page_html[index] = html;
            outputs.insert(Output::Page(index));
            if self.data.listing[index] != old_listing {
                self.update_kept_section(index);
            }
            // A field no template reads (often `word_count`) cannot change
            // what other outputs show.
            let shown_change = self.data.listing[index]
                .as_object()
                .into_iter()
                .flatten()
                .any(|(field, value)| {
                    old_listing.get(field) != Some(value)
                        && *read_fields
                            .entry(field.clone())
                            .or_insert_with(|| self.templates.may_read_listing_field(field))
                });
            if shown_change {
                outputs.extend(self.outputs_showing(index));
            }
        }
        for &section in &sections {
            outputs.extend(self.section_outputs(section));
            // Its kept context holds the old body.
            self.kept_sections().remove(&section);
        }
        if self.used_affiliates() != used_before {
            return Ok(None);
        }
        self.render_and_replace(|renderer| {
            renderer.render_outputs(&outputs)?;
            if meta_changed {
                renderer.write_crawler_files()?;
            }
            renderer.write_feeds()?;
            Ok(())
        })
        .map(Some)
    }

    /// Renders with `templates` from now on, and renders again every output
    /// whose template is in `changed`. Returns the number of files written,
    /// or `None` when the templates read listing fields that the listing
    /// values do not hold (every listing value must be made again).
    fn update_templates(
        &mut self,
        mut templates: SiteTemplates,
        changed: &BTreeSet<String>,
    ) -> Result<Option<usize>> {
        let reads = super::TemplateReads::of(&templates, self.content());
        if reads.stored != self.reads.stored {
            return Ok(None);
        }
        functions::register(
            &mut templates.tera,
            Arc::clone(&self.data),
            Arc::clone(&self.links),
            reads.function_fields(),
        );
        self.templates = templates;
        if reads != self.reads {
            // Kept section contexts were built with or without `seo`, and
            // with the listing fields their templates read then.
            self.reads = reads;
            self.kept_sections().clear();
        }
        let content = self.content();
        let mut outputs: BTreeSet<Output> = (0..content.pages.len())
            .filter(|&i| changed.contains(self.page_template(i)))
            .map(Output::Page)
            .collect();
        let sections: Vec<usize> = (0..content.sections.len())
            .filter(|&i| changed.contains(self.section_template(i)))
            .collect();
        let taxonomies: Vec<usize> = content
            .taxonomies
            .iter()
            .enumerate()
            .filter(|(_, t)| !t.terms.is_empty())
            .map(|(t, _)| t)
            .collect();
        for &t in &taxonomies {
            let taxonomy = &content.taxonomies[t];
            if changed.contains(&self.taxonomy_template(taxonomy, "list")) {
                outputs.insert(Output::TaxonomyList(t));
            }
        }
        if changed.contains("404.html") {
            outputs.insert(Output::NotFound);
        }
        self.render_and_replace(|renderer| {
            renderer.render_outputs(&outputs)?;
            let sections: Vec<Result<usize>> = sections
                .par_iter()
                .map(|&i| renderer.render_section(i, None))
                .collect();
            collect_all(sections)?;
            for &t in &taxonomies {
                let taxonomy = &renderer.content().taxonomies[t];
                if !changed.contains(&renderer.taxonomy_template(taxonomy, "single")) {
                    continue;
                }
                let value = renderer.taxonomy_value(t);
                let terms: Vec<Result<usize>> = (0..taxonomy.terms.len())
                    .into_par_iter()
                    .map(|k| renderer.render_term(t, k, &value, None))
                    .collect();
                collect_all(terms)?;
            }
            Ok(())
        })
        .map(Some)
    }

    /// Runs `render` with output captured, then replaces the captured files
    /// (none when `render` fails); returns how many.
    fn render_and_replace(&self, render: impl FnOnce(&Self) -> Result<()>) -> Result<usize> {
        let captured = || {
            self.record()
                .captured
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
        };
        *captured() = Some(Vec::new());
        let rendered = render(self);
        let files = captured().take().unwrap_or_default();
        rendered?;
        collect_all(
            files
                .par_iter()
                .map(|(path, text)| replace_file(path, text.as_bytes()))
                .collect::<Vec<_>>(),
        )?;
        Ok(files.len())
    }

    /// Puts page `index`'s listing view into the kept context of its
    /// section, if there is one.
    fn update_kept_section(&mut self, index: usize) {
        let content = self.content();
        let section = content.pages[index].section;
        let Some(position) = content.sections[section]
            .pages
            .iter()
            .position(|&p| p == index)
        else {
            return;
        };
        let fields = self.fields_read_by(self.section_template(section));
        let listing = self.data.listing_copy(index, fields);
        let contexts = self.kept_sections();
        let Some(context) = contexts.get_mut(&section) else {
            return;
        };
        // Tera's Context cannot lend a value mutably: take it out, change
        // it, and move it back in (inserting would copy it).
        if let Some(mut view) = context.remove("section") {
            view["pages"][position] = listing;
            let patch = Map::from_iter([("section".to_string(), view)]);
            context.extend(
                Context::from_value(Value::Object(patch)).expect("a JSON object is a context"),
            );
        }
    }

    /// Every pager of section `index`, and the outputs reading it through
    /// `get_section`.
    fn section_outputs(&self, index: usize) -> BTreeSet<Output> {
        let section = &self.content().sections[index];
        let count = section.meta.paginate_by.map_or(1, |per_page| {
            pagers(&section.path, section.pages.len(), per_page).len()
        });
        let mut outputs: BTreeSet<Output> = (1..=count)
            .map(|pager| Output::Section {
                section: index,
                pager,
            })
            .collect();
        let readers = self
            .record()
            .section_readers
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(readers) = readers.get(&index) {
            outputs.extend(readers.iter().copied());
        }
        outputs
    }

    /// Outputs that show page `index`'s listing view.
    fn outputs_showing(&self, index: usize) -> BTreeSet<Output> {
        let content = self.content();
        let page = &content.pages[index];
        // The pager of a listing holding the page: 1 when unpaginated.
        let pager_of = |pages: &[usize], paginate_by: Option<usize>| {
            let position = pages.iter().position(|&p| p == index)?;
            Some(paginate_by.map_or(1, |per_page| position / per_page.max(1) + 1))
        };
        let mut outputs = BTreeSet::new();
        let section = &content.sections[page.section];
        if let Some(pager) = pager_of(&section.pages, section.meta.paginate_by) {
            outputs.insert(Output::Section {
                section: page.section,
                pager,
            });
        }
        for (t, taxonomy) in content.taxonomies.iter().enumerate() {
            for (k, term) in taxonomy.terms.iter().enumerate() {
                if let Some(pager) = pager_of(&term.pages, taxonomy.config.paginate_by) {
                    outputs.insert(Output::Term {
                        taxonomy: t,
                        term: k,
                        pager,
                    });
                }
            }
        }
        outputs.extend(
            content
                .pages
                .iter()
                .enumerate()
                .filter(|(_, other)| other.related.contains(&index))
                .map(|(j, _)| Output::Page(j)),
        );
        let readers = self
            .record()
            .section_readers
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(readers) = readers.get(&page.section) {
            outputs.extend(readers.iter().copied());
        }
        outputs
    }

    /// Renders each of `outputs` again.
    fn render_outputs(&self, outputs: &BTreeSet<Output>) -> Result<()> {
        let results: Vec<Result<usize>> = outputs
            .par_iter()
            .map(|&output| match output {
                Output::Page(i) => self.render_page(i, self.page_html[i].clone()).map(|()| 1),
                Output::Section { section, pager } => self.render_section(section, Some(pager)),
                Output::TaxonomyList(t) => self.render_taxonomy_list(t, &self.taxonomy_value(t)),
                Output::Term {
                    taxonomy,
                    term,
                    pager,
                } => self.render_term(taxonomy, term, &self.taxonomy_value(taxonomy), Some(pager)),
                Output::NotFound => self.render_404(),
            })
            .collect();
        collect_all(results).map(drop)
    }

    /// Lets `change` modify the site data the template functions share:
    /// they are released first, so the renderer holds the only reference,
    /// and registered again afterwards.
    fn with_data_mut<R>(&mut self, change: impl FnOnce(&mut SiteData) -> R) -> R {
        functions::release(&mut self.templates.tera);
        let data = Arc::get_mut(&mut self.data)
            .expect("between renders only the renderer holds the site data");
        let result = change(data);
        functions::register(
            &mut self.templates.tera,
            Arc::clone(&self.data),
            Arc::clone(&self.links),
            self.reads.function_fields(),
        );
        result
    }
}
