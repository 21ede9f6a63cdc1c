//! Listings: section pages and taxonomy pages, paginated or not.

use std::path::{Path, PathBuf};
use std::sync::PoisonError;

use rayon::prelude::*;
use serde_json::{Value, json};

use super::{Job, LiveRecord, Output, SiteRenderer, Vars, into_context};
use crate::content::{Taxonomy, Term};
use crate::error::{Result, collect_all};
use crate::render::pagination::{pagers, paginator_value};
use crate::render::views::section_full;

/// A listing to render: a section or a taxonomy term.
struct Listing<'a> {
    base: &'a str,
    template: &'a str,
    source: &'a Path,
    paginate_by: Option<usize>,
    pages: &'a [usize],
}

impl SiteRenderer {
    pub(super) fn render_sections(&self) -> Result<usize> {
        let results: Vec<Result<usize>> = (0..self.content().sections.len())
            .into_par_iter()
            .map(|i| self.render_section(i, None))
            .collect();
        Ok(collect_all(results)?.into_iter().sum())
    }

    /// Renders section `i`: every pager, or only pager `only`.
    pub(super) fn render_section(&self, i: usize, only: Option<usize>) -> Result<usize> {
        let content = self.content();
        let section = &content.sections[i];
        let source = section
            .file
            .clone()
            .unwrap_or_else(|| PathBuf::from("content/_index.md"));
        let template = self.section_template(i);
        self.check_template(template, &source)?;
        let paginate_by = section.meta.paginate_by;
        if let Some(live) = &self.live
            && paginate_by.is_none()
        {
            return self.render_kept_section(live, i, template, &source);
        }
        let view = section_full(
            &self.data,
            i,
            paginate_by.is_none().then(|| self.fields_read_by(template)),
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
            self.insert_seo(context, || {
                self.head.section(self.content(), i, path, number)
            });
        })
    }

    /// Renders unpaginated section `i`, keeping its context for the next
    /// time: it holds every page's listing view, which would cost more to
    /// build again than to render (see [`super::LiveRenderer`], which keeps
    /// it current).
    fn render_kept_section(
        &self,
        live: &LiveRecord,
        i: usize,
        template: &str,
        source: &Path,
    ) -> Result<usize> {
        let kept = live
            .section_contexts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&i);
        let path = &self.content().sections[i].path;
        let context = kept.unwrap_or_else(|| {
            let mut vars = self.context(path);
            let view = section_full(&self.data, i, Some(self.fields_read_by(template)));
            vars.insert("section".into(), view);
            self.insert_seo(&mut vars, || self.head.section(self.content(), i, path, 1));
            into_context(vars)
        });
        let output = Output::Section {
            section: i,
            pager: 1,
        };
        self.render_to_file(output, template, &context, path, source)?;
        live.section_contexts
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
        let fields = self.fields_read_by(listing.template);
        let results: Vec<Result<()>> = all
            .par_iter()
            .filter(|pager| only.is_none_or(|n| n == pager.number))
            .map(|pager| {
                let mut context = self.context(&pager.path);
                context.extend(shared.clone());
                fill(&mut context, &pager.path, pager.number);
                let items: Vec<Value> = listing.pages[pager.items.clone()]
                    .iter()
                    .map(|&p| self.data.listing_copy(p, fields))
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

    pub(super) fn taxonomy_template(&self, taxonomy: &Taxonomy, kind: &str) -> String {
        super::taxonomy_template(&self.templates, taxonomy, kind)
    }

    pub(super) fn render_taxonomies(&self) -> Result<usize> {
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
            "title": term.text.title.as_deref().unwrap_or(&term.name),
            "description": term.text.description,
            "slug": term.slug,
            "path": urls.path(&path),
            "permalink": urls.permalink(&path),
            "page_count": term.pages.len(),
        })
    }

    /// The `taxonomy` value of taxonomy `t`, with its terms.
    pub(super) fn taxonomy_value(&self, t: usize) -> Value {
        let taxonomy = &self.content().taxonomies[t];
        let urls = &self.data.urls;
        let base = format!("/{}/", taxonomy.config.name);
        json!({
            "name": taxonomy.config.name,
            "title": taxonomy.text.title,
            "description": taxonomy.text.description,
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
    pub(super) fn render_taxonomy_list(&self, t: usize, value: &Value) -> Result<usize> {
        let taxonomy = &self.content().taxonomies[t];
        let source = &self.target.network_file;
        let name = &taxonomy.config.name;
        let base = format!("/{name}/");
        let template = self.taxonomy_template(taxonomy, "list");
        self.check_template(&template, source)?;
        let mut context = self.context(&base);
        context.insert("taxonomy".into(), value.clone());
        let label = taxonomy
            .text
            .title
            .clone()
            .unwrap_or_else(|| capitalize(name));
        let about = taxonomy
            .text
            .description
            .clone()
            .unwrap_or_else(|| format!("All {name} on {}.", self.data.site_title));
        self.insert_seo(&mut context, || {
            self.head.listing(self.content(), &label, about, &base)
        });
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
    pub(super) fn render_term(
        &self,
        t: usize,
        k: usize,
        taxonomy_value: &Value,
        only: Option<usize>,
    ) -> Result<usize> {
        let taxonomy = &self.content().taxonomies[t];
        let term = &taxonomy.terms[k];
        let source = &self.target.network_file;
        let template = self.taxonomy_template(taxonomy, "single");
        self.check_template(&template, source)?;
        let mut value = self.term_value(taxonomy, term);
        if taxonomy.config.paginate_by.is_none() {
            let fields = self.fields_read_by(&template);
            let pages = term
                .pages
                .iter()
                .map(|&p| self.data.listing_copy(p, fields));
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
        let about = term.text.description.clone().unwrap_or_else(|| {
            format!("Articles about {} on {}.", term.name, self.data.site_title)
        });
        let title = term.text.title.as_deref().unwrap_or(&term.name);
        let output = |pager| Output::Term {
            taxonomy: t,
            term: k,
            pager,
        };
        let taxonomy_value = if self.reads.reads_terms(&template) {
            taxonomy_value.clone()
        } else {
            without_terms(taxonomy_value)
        };
        let shared = Vars::from_iter([
            ("taxonomy".to_string(), taxonomy_value),
            ("term".to_string(), value),
        ]);
        self.render_listing(listing, only, &output, shared, &|context, path, _| {
            self.insert_seo(context, || {
                self.head
                    .listing(self.content(), title, about.clone(), path)
            });
        })
    }
}

/// A `taxonomy` value without its `terms`, for term pages whose template
/// does not read them.
fn without_terms(taxonomy: &Value) -> Value {
    match taxonomy {
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .filter(|(key, _)| *key != "terms")
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// "tags" -> "Tags".
pub(super) fn capitalize(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}
