//! Renders one site: pages, sections, taxonomies, 404, redirects and static
//! files, written as they are produced so memory stays flat.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::{Value, json};
use tera::Context;
use walkdir::WalkDir;

use super::functions::{self, SiteData};
use super::pagination::{pager_path, pagers, paginator_value};
use super::redirect::redirect_page;
use super::theme::SiteTemplates;
use super::views::{Urls, page_full, page_listing, section_full};
use crate::content::{SiteContent, Taxonomy};
use crate::error::{Error, Location, Result, collect_all};
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

/// Renders one site's content into an output folder.
pub struct SiteRenderer {
    data: Arc<SiteData>,
    templates: SiteTemplates,
    site: Value,
    lang: String,
    out: PathBuf,
}

struct Job {
    path: String,
    template: String,
    context: Context,
    source: PathBuf,
}

impl SiteRenderer {
    /// Prepares rendering `content` with `templates` into `out`; `site` is
    /// the site's template value (see [`super::views`]).
    pub fn new(
        content: SiteContent,
        mut templates: SiteTemplates,
        site: Value,
        urls: Urls,
        out: PathBuf,
    ) -> SiteRenderer {
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
        functions::register(&mut templates.tera, Arc::clone(&data));
        SiteRenderer {
            data,
            templates,
            site,
            lang,
            out,
        }
    }

    /// Renders everything and copies static files; returns what was written.
    pub fn render(&self, static_dirs: &[PathBuf]) -> Result<RenderStats> {
        let static_files = self.copy_static(static_dirs)?;
        let pages = self.render_pages()?;
        let listings = self.render_sections()? + self.render_taxonomies()?;
        let extra = self.render_404()? + self.write_redirects()?;
        Ok(RenderStats {
            pages,
            files: static_files + pages + listings + extra,
        })
    }

    fn content(&self) -> &SiteContent {
        &self.data.content
    }

    fn context(&self, path: &str) -> Context {
        let mut context = Context::new();
        context.insert("site", &self.site);
        context.insert("lang", &self.lang);
        context.insert("current_path", &self.data.urls.path(path));
        context.insert("current_url", &self.data.urls.permalink(path));
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

    fn run(&self, job: Job) -> Result<()> {
        let html = self
            .templates
            .tera
            .render(&job.template, &job.context)
            .map_err(|e| {
                let mut error = template_error(&job.source, &e);
                if let (Error::Template { message, .. }, Some(file)) =
                    (&mut error, self.templates.file_of(&job.template))
                {
                    message.push_str(&format!(
                        " (in {})",
                        crate::error::display_path(file).display()
                    ));
                }
                error
            })?;
        write_file(&self.out.join(output_file(&job.path)), html.as_bytes())
    }

    fn render_pages(&self) -> Result<usize> {
        let content = self.content();
        let results: Vec<Result<()>> = (0..content.pages.len())
            .into_par_iter()
            .map(|i| {
                let page = &content.pages[i];
                let section = &content.sections[page.section];
                let template = page
                    .meta
                    .template
                    .as_deref()
                    .or(section.meta.page_template.as_deref())
                    .unwrap_or("page.html");
                self.check_template(template, &page.file)?;
                let mut context = self.context(&page.path);
                let view = page_full(
                    content,
                    i,
                    &self.data.listing[i],
                    &self.data.site_title,
                    &self.data.urls,
                );
                context.insert("page", &view);
                self.run(Job {
                    path: page.path.clone(),
                    template: template.to_string(),
                    context,
                    source: page.file.clone(),
                })
            })
            .collect();
        Ok(collect_all(results)?.len())
    }

    fn render_sections(&self) -> Result<usize> {
        let content = self.content();
        let mut jobs = Vec::new();
        for (i, section) in content.sections.iter().enumerate() {
            let source = section
                .file
                .clone()
                .unwrap_or_else(|| PathBuf::from("content/_index.md"));
            let default = if section.dir.is_empty() {
                "index.html"
            } else {
                "section.html"
            };
            let template = section.meta.template.as_deref().unwrap_or(default);
            self.check_template(template, &source)?;
            let paginate = section.meta.paginate_by;
            let view = section_full(
                content,
                i,
                &self.data.listing,
                &self.data.site_title,
                &self.data.urls,
                paginate.is_none(),
            );
            let items: Vec<&Value> = section
                .pages
                .iter()
                .map(|&p| &self.data.listing[p])
                .collect();
            jobs.extend(self.paginated_jobs(
                &section.path,
                template,
                &source,
                paginate,
                &items,
                |context| {
                    context.insert("section", &view);
                },
            ));
        }
        self.run_all(jobs)
    }

    /// One job per pager of a listing (one job when not paginated), plus a
    /// redirect from `/page/1/` to the listing.
    fn paginated_jobs(
        &self,
        base: &str,
        template: &str,
        source: &Path,
        paginate_by: Option<usize>,
        items: &[&Value],
        fill: impl Fn(&mut Context),
    ) -> Vec<Job> {
        let mut jobs = Vec::new();
        let Some(per_page) = paginate_by else {
            let mut context = self.context(base);
            fill(&mut context);
            jobs.push(Job {
                path: base.to_string(),
                template: template.to_string(),
                context,
                source: source.to_path_buf(),
            });
            return jobs;
        };
        let all = pagers(base, items.len(), per_page);
        for pager in &all {
            let mut context = self.context(&pager.path);
            fill(&mut context);
            let slice = items[pager.items.clone()].to_vec();
            let paginator =
                paginator_value(&all, pager, per_page, items.len(), slice, &self.data.urls);
            context.insert("paginator", &paginator);
            jobs.push(Job {
                path: pager.path.clone(),
                template: template.to_string(),
                context,
                source: source.to_path_buf(),
            });
        }
        jobs
    }

    fn run_all(&self, jobs: Vec<Job>) -> Result<usize> {
        let count = jobs.len();
        collect_all(
            jobs.into_par_iter()
                .map(|job| self.run(job))
                .collect::<Vec<_>>(),
        )?;
        Ok(count)
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
        let content = self.content();
        let urls = &self.data.urls;
        let mut jobs = Vec::new();
        let source = PathBuf::from("grove.toml");
        for taxonomy in content.taxonomies.iter().filter(|t| !t.terms.is_empty()) {
            let name = &taxonomy.config.name;
            let base = format!("/{name}/");
            let terms: Vec<Value> = taxonomy
                .terms
                .iter()
                .map(|term| {
                    let path = format!("{base}{}/", term.slug);
                    json!({
                        "name": term.name,
                        "slug": term.slug,
                        "path": urls.path(&path),
                        "permalink": urls.permalink(&path),
                        "page_count": term.pages.len(),
                    })
                })
                .collect();
            let taxonomy_value = json!({
                "name": name,
                "path": urls.path(&base),
                "permalink": urls.permalink(&base),
                "terms": terms,
            });

            let list_template = self.taxonomy_template(taxonomy, "list");
            self.check_template(&list_template, &source)?;
            let mut context = self.context(&base);
            context.insert("taxonomy", &taxonomy_value);
            jobs.push(Job {
                path: base.clone(),
                template: list_template,
                context,
                source: source.clone(),
            });

            let single_template = self.taxonomy_template(taxonomy, "single");
            self.check_template(&single_template, &source)?;
            for (term, term_value) in taxonomy.terms.iter().zip(&terms) {
                let items: Vec<&Value> =
                    term.pages.iter().map(|&p| &self.data.listing[p]).collect();
                let mut term_value = term_value.clone();
                if taxonomy.config.paginate_by.is_none() {
                    term_value["pages"] = json!(items);
                }
                let term_path = format!("{base}{}/", term.slug);
                jobs.extend(self.paginated_jobs(
                    &term_path,
                    &single_template,
                    &source,
                    taxonomy.config.paginate_by,
                    &items,
                    |context| {
                        context.insert("taxonomy", &taxonomy_value);
                        context.insert("term", &term_value);
                    },
                ));
            }
        }
        self.run_all(jobs)
    }

    fn render_404(&self) -> Result<usize> {
        if !self.templates.has("404.html") {
            return Ok(0);
        }
        let context = self.context("/404.html");
        let html = self
            .templates
            .tera
            .render("404.html", &context)
            .map_err(|e| {
                template_error(
                    self.templates
                        .file_of("404.html")
                        .unwrap_or(Path::new("404.html")),
                    &e,
                )
            })?;
        write_file(&self.out.join("404.html"), html.as_bytes())?;
        Ok(1)
    }

    /// Redirect pages for aliases and for `/page/1/` of paginated listings.
    fn write_redirects(&self) -> Result<usize> {
        let content = self.content();
        let urls = &self.data.urls;
        let mut redirects: BTreeMap<String, String> = BTreeMap::new();
        for page in &content.pages {
            for alias in &page.meta.aliases {
                redirects.insert(output_file(alias), urls.path(&page.path));
            }
        }
        for section in &content.sections {
            for alias in &section.meta.aliases {
                redirects.insert(output_file(alias), urls.path(&section.path));
            }
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
        let count = redirects.len();
        collect_all(
            redirects
                .into_par_iter()
                .map(|(file, target)| {
                    write_file(
                        &self.out.join(file),
                        redirect_page(&target, &self.lang).as_bytes(),
                    )
                })
                .collect::<Vec<_>>(),
        )?;
        Ok(count)
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
