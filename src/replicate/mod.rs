//! `grove replicate`: a page that performs becomes a brief for other
//! niches. The brief keeps the page's kind, section, structure (its
//! headings), length and taxonomy, says the niche in each target site's
//! words (its variables), and asks for an original article, not a
//! paraphrase. Briefs are appended to each target's `briefs.toml` (or the
//! blueprint's), never over an existing brief or page.

mod leaks;
pub mod variables;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use tera::Context;

use crate::affiliate::Registry;
use crate::build::{load_site, load_themes};
use crate::content::{Blueprint, Include, Page};
use crate::draft::brief::{BRIEFS_FILE, Brief, site_briefs};
use crate::draft::briefs_file::{self, BriefText};
use crate::draft::prompt::PROMPTS_DIR;
use crate::error::{Error, Location, Result};
use crate::network::{Network, Site};
use crate::render::views::site_context;
use crate::templating::expand_str;
use leaks::{Product, SourceWords};
use variables::{Variable, templatize, templatize_slug};

/// What the writer is told besides the structure: write anew.
const NOTES: &str = "Write an original article for {{ site.title }}, about {{ site.niche }}, for {{ site.audience }}. It follows the structure of an article that does well on another site of the network; do not paraphrase that article: every fact, example and recommendation must be right for this niche.";

/// What `grove replicate` should do.
#[derive(Debug, Clone, Default)]
pub struct ReplicateOptions {
    /// The page to replicate (a content file of a site).
    pub page: PathBuf,
    /// Target sites; every other site when empty and `all`.
    pub to: Vec<String>,
    /// Every site but the page's own.
    pub all: bool,
    /// Write one brief into the blueprint's `content/briefs.toml` instead.
    pub blueprint: bool,
    /// The article kind, when the page does not say.
    pub kind: Option<String>,
    /// Show what would be written; write nothing.
    pub dry_run: bool,
    /// Write briefs that still hold words of the source niche.
    pub force: bool,
}

/// One brief written (or refused) for a target.
#[derive(Debug, Clone)]
pub struct Replica {
    /// The target site, or `None` for the blueprint.
    pub site: Option<String>,
    /// The briefs file.
    pub file: PathBuf,
    /// Whether the title came out as the page's own (no variable in it).
    pub same_title: bool,
    /// Words of the source niche the brief still holds, each with where
    /// (a brief holding any is refused unless forced).
    pub leaks: Vec<String>,
    /// The brief's TOML text, or why none was written.
    pub result: std::result::Result<String, String>,
}

/// Turns the page into briefs for the targets.
pub fn replicate(network: &Network, options: &ReplicateOptions) -> Result<Vec<Replica>> {
    let (source, rel) = source_site(network, &options.page)?;
    let targets = targets(network, source, options)?;
    let blueprint = Blueprint::load(&network.root.join("content"))?;
    let themes = load_themes(network, &[source])?;
    let loaded = load_site(
        network,
        source,
        &blueprint,
        &themes[source.theme(&network.config)],
        Include::everything(),
    )?;
    let page = loaded
        .content
        .pages
        .iter()
        .find(|p| p.rel == rel)
        .ok_or_else(|| Error::Content {
            location: Location::file(&options.page),
            message: format!(
                "not a page of {} (a section's _index.md cannot be replicated)",
                source.name
            ),
        })?;
    let source_briefs = site_briefs(network, source)?;
    let brief_of_page = page
        .meta
        .extra
        .get("generated")
        .and_then(|g| g["brief"].as_str())
        .and_then(|slug| source_briefs.iter().find(|b| b.slug == slug));
    let kind = kind(network, page, brief_of_page, options)?;
    let variables = variables::variables(source, &targets);
    let template =
        BriefFields::template_of(network, page, brief_of_page, &kind, &variables, source)?;
    let registry = Registry::load(&network.root, source)?;
    // The source's products: those its pages link and those it names.
    let mut own: BTreeSet<&str> = loaded
        .content
        .pages
        .iter()
        .flat_map(|p| p.rendered.affiliates.iter().map(String::as_str))
        .collect();
    own.extend(
        source
            .config
            .vars
            .values()
            .filter_map(serde_json::Value::as_str),
    );
    let source_words = SourceWords::new(source, &products(&registry, own));
    let same_title = template.title == page.meta.title;

    let mut replicas = Vec::new();
    if options.blueprint {
        let file = network.root.join("content").join(BRIEFS_FILE);
        let mut leaks = Vec::new();
        let result = match blueprint_conflict(network, &targets, &template)? {
            Some(conflict) => Err(conflict),
            None => {
                // The blueprint brief is expanded for every target: each
                // must be free of the source's words.
                for target in &targets {
                    let words =
                        source_words.not_said_by(target, &named_products(&registry, target));
                    let fields = template.expand(Some(&site_context(network, target)));
                    if let Ok(fields) = fields {
                        leaks.extend(
                            fields
                                .leaks(&words)
                                .into_iter()
                                .map(|l| format!("{}: {l}", target.name)),
                        );
                    }
                }
                template.expand(None).map(|fields| fields.text())
            }
        };
        replicas.push(judged(
            Replica {
                site: None,
                file,
                result,
                same_title,
                leaks,
            },
            options.force,
        ));
    } else {
        for target in &targets {
            let mut leaks = Vec::new();
            let result = match target_conflict(network, target, &template)? {
                Some(conflict) => Err(conflict),
                None => template
                    .expand(Some(&site_context(network, target)))
                    .map(|fields| {
                        let words =
                            source_words.not_said_by(target, &named_products(&registry, target));
                        leaks = fields.leaks(&words);
                        fields.text()
                    }),
            };
            replicas.push(judged(
                Replica {
                    site: Some(target.name.clone()),
                    file: target.dir.join(BRIEFS_FILE),
                    result,
                    same_title,
                    leaks,
                },
                options.force,
            ));
        }
    }
    if !options.dry_run {
        let today = chrono::Utc::now().format("%Y-%m-%d");
        for replica in &replicas {
            if let Ok(text) = &replica.result {
                let header = format!(
                    "\n# Replicated by `grove replicate` from {} on {today}.\n",
                    template.source
                );
                briefs_file::append(&replica.file, &format!("{header}{text}"))?;
            }
        }
    }
    Ok(replicas)
}

/// `replica` refused when it holds words of the source niche, unless
/// `force`d (then written with its leaks listed).
fn judged(mut replica: Replica, force: bool) -> Replica {
    if !force && !replica.leaks.is_empty() && replica.result.is_ok() {
        replica.result = Err(format!(
            "the brief still says what the source site is about:\n    {}\n  a brief for another niche must not ask for them; edit the source page's headings (or the brief after writing it with --force)",
            replica.leaks.join("\n    ")
        ));
    }
    replica
}

/// The registry products `slugs` (others are not products).
fn products<'a>(registry: &Registry, slugs: impl IntoIterator<Item = &'a str>) -> Vec<Product> {
    slugs
        .into_iter()
        .filter_map(|slug| registry.get(slug))
        .map(|entry| Product {
            name: entry.name.clone(),
            description: entry.description.clone(),
        })
        .collect()
}

/// The products `site` names in its `[vars]` (such as `top_pick`): its
/// own, whose words its briefs may say.
fn named_products(registry: &Registry, site: &Site) -> Vec<Product> {
    products(
        registry,
        site.config
            .vars
            .values()
            .filter_map(serde_json::Value::as_str),
    )
}

/// The site whose content holds `page`, and the page's content path.
fn source_site<'a>(network: &'a Network, page: &Path) -> Result<(&'a Site, String)> {
    let error = |message: String| Error::Content {
        location: Location::file(page),
        message,
    };
    let canonical = page
        .canonicalize()
        .map_err(|source| Error::io(page, "cannot open file", source))?;
    if canonical.starts_with(
        network
            .root
            .join("content")
            .canonicalize()
            .unwrap_or_default(),
    ) {
        return Err(error(
            "this page is in the blueprint, so every site has it already; replicate a page of one site".into(),
        ));
    }
    for site in &network.sites {
        let content = site.dir.join("content");
        if let Ok(content) = content.canonicalize()
            && let Ok(rel) = canonical.strip_prefix(&content)
        {
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            return Ok((site, rel));
        }
    }
    Err(error(
        "not a content file of a site of this network (sites/<name>/content/...)".into(),
    ))
}

/// The target sites: those named, or every other one with `all`.
fn targets<'a>(
    network: &'a Network,
    source: &Site,
    options: &ReplicateOptions,
) -> Result<Vec<&'a Site>> {
    if options.all != options.to.is_empty() {
        return Err(Error::Usage(
            "name the target sites with --to SITE (repeat for several), or use --all".into(),
        ));
    }
    let targets: Vec<&Site> = if options.all {
        network
            .sites
            .iter()
            .filter(|s| s.name != source.name)
            .collect()
    } else {
        let picked = network.select(&options.to, None)?;
        if picked.iter().any(|s| s.name == source.name) {
            return Err(Error::Usage(format!(
                "the page is {}'s own; replicate it to other sites",
                source.name
            )));
        }
        picked
    };
    if targets.is_empty() {
        return Err(Error::Usage(
            "there is no other site to replicate to; add one with `grove new-site`".into(),
        ));
    }
    Ok(targets)
}

/// The article kind: the brief's that drafted the page, `--kind`, or the
/// section's name in the singular when there is a prompt by that name.
fn kind(
    network: &Network,
    page: &Page,
    brief: Option<&Brief>,
    options: &ReplicateOptions,
) -> Result<String> {
    let has_prompt = |kind: &str| {
        network
            .root
            .join(PROMPTS_DIR)
            .join(format!("{kind}.md"))
            .is_file()
    };
    if let Some(kind) = &options.kind {
        if !has_prompt(kind) {
            return Err(Error::Usage(format!(
                "no kind `{kind}`: there is no prompts/{kind}.md"
            )));
        }
        return Ok(kind.clone());
    }
    if let Some(brief) = brief {
        return Ok(brief.kind.clone());
    }
    let section = page.rel.rsplit_once('/').map_or("", |(dir, _)| dir);
    let singular = section.rsplit('/').next().unwrap_or_default();
    let singular = singular.strip_suffix('s').unwrap_or(singular);
    if !singular.is_empty() && has_prompt(singular) {
        return Ok(singular.to_string());
    }
    Err(Error::Usage(format!(
        "cannot tell what kind of article {} is; name it with --kind (a prompt in prompts/)",
        page.rel
    )))
}

/// A brief's fields: as templates over the targets' variables (made by
/// [`BriefFields::template_of`]), or expanded for one target (by
/// [`BriefFields::expand`]), ready to write.
struct BriefFields {
    /// The source page, relative to the network root.
    source: String,
    slug: String,
    title: String,
    section: String,
    kind: String,
    target_words: u32,
    keywords: Vec<String>,
    affiliates: Vec<String>,
    tags: Vec<String>,
    categories: Vec<String>,
    description: Option<String>,
    structure: Vec<String>,
}

impl BriefFields {
    fn template_of(
        network: &Network,
        page: &Page,
        brief: Option<&Brief>,
        kind: &str,
        variables: &[Variable],
        source: &Site,
    ) -> Result<BriefFields> {
        let file = Location::file(&page.file);
        let templated = |text: &str| {
            templatize(text, variables).ok_or_else(|| Error::Content {
                location: file.clone(),
                message: format!("\"{text}\" holds template syntax; replicate a page whose title and headings are plain text"),
            })
        };
        let all = |texts: &[String]| -> Result<Vec<String>> {
            texts.iter().map(|t| templated(t)).collect()
        };
        let (section, file_slug) = page.rel.rsplit_once('/').unwrap_or(("", &page.rel));
        let file_slug = file_slug.trim_end_matches(".md");
        let file_slug = if file_slug == "index" {
            section.rsplit('/').next().unwrap_or(file_slug)
        } else {
            file_slug
        };
        // Products the page links that a variable names (`top_pick`), as
        // that variable; others belong to this niche only.
        let affiliates = page
            .rendered
            .affiliates
            .iter()
            .filter_map(|slug| {
                variables
                    .iter()
                    .find(|v| v.value == *slug && v.expression.starts_with("site.vars."))
                    .map(|v| format!("{{{{ {} }}}}", v.expression))
            })
            .collect();
        let taxonomy = |name: &str| all(page.meta.taxonomies.get(name).map_or(&[], |t| t));
        let words = page.rendered.word_count as u32;
        let structure: Vec<String> = page.rendered.toc.iter().map(|h| h.title.clone()).collect();
        let section = if page.rel.ends_with("/index.md") {
            section.rsplit_once('/').map_or("", |(dir, _)| dir)
        } else {
            section
        };
        Ok(BriefFields {
            source: format!(
                "{}/{}",
                source
                    .dir
                    .strip_prefix(&network.root)
                    .unwrap_or(&source.dir)
                    .join("content")
                    .to_string_lossy(),
                page.rel
            ),
            slug: templatize_slug(file_slug, variables),
            title: templated(&page.meta.title)?,
            section: section.to_string(),
            kind: kind.to_string(),
            target_words: (words.div_ceil(50) * 50).max(300),
            keywords: all(brief.map_or(&[], |b| &b.keywords))?,
            affiliates,
            tags: taxonomy("tags")?,
            categories: taxonomy("categories")?,
            description: page
                .meta
                .description
                .as_deref()
                .map(templated)
                .transpose()?,
            structure: all(&structure)?,
        })
    }

    /// The brief's fields: templates as they are (for the blueprint), or
    /// expanded with a target's `context`.
    fn expand(&self, context: Option<&Context>) -> std::result::Result<BriefFields, String> {
        let value = |field: &str, text: &str| match context {
            Some(context) => expand_str(field, text, context)
                .map_err(|e| format!("`{field}` does not expand for this site: {e}")),
            None => Ok(text.to_string()),
        };
        let values = |field: &str, texts: &[String]| -> std::result::Result<Vec<String>, String> {
            texts.iter().map(|t| value(field, t)).collect()
        };
        Ok(BriefFields {
            slug: value("slug", &self.slug)?,
            title: value("title", &self.title)?,
            section: self.section.clone(),
            kind: self.kind.clone(),
            target_words: self.target_words,
            keywords: values("keywords", &self.keywords)?,
            affiliates: values("affiliates", &self.affiliates)?,
            tags: values("tags", &self.tags)?,
            categories: values("categories", &self.categories)?,
            description: self
                .description
                .as_deref()
                .map(|d| value("description", d))
                .transpose()?,
            structure: values("structure", &self.structure)?,
            source: self.source.clone(),
        })
    }

    /// The `[[brief]]` text.
    fn text(&self) -> String {
        BriefText::new()
            .string("slug", &self.slug)
            .string("title", &self.title)
            .string("section", &self.section)
            .string("kind", &self.kind)
            .number("target_words", self.target_words)
            .list("keywords", &self.keywords)
            .list("affiliates", &self.affiliates)
            .list("tags", &self.tags)
            .list("categories", &self.categories)
            .optional("description", self.description.as_deref())
            .list("structure", &self.structure)
            .string("notes", NOTES)
            .string("source", &self.source)
            .finish()
    }

    /// Every field a writer reads, by name, for the niche-word check.
    fn texts(&self) -> Vec<(&'static str, &str)> {
        let mut texts = vec![("slug", self.slug.as_str()), ("title", self.title.as_str())];
        texts.extend(self.description.as_deref().map(|d| ("description", d)));
        for (name, list) in [
            ("keywords", &self.keywords),
            ("tags", &self.tags),
            ("categories", &self.categories),
            ("structure", &self.structure),
        ] {
            texts.extend(list.iter().map(|item| (name, item.as_str())));
        }
        texts
    }

    /// Each source word a field still holds: `"Grinder" in structure "..."
    /// (from vars.product_kind)`.
    fn leaks(&self, words: &SourceWords) -> Vec<String> {
        self.texts()
            .into_iter()
            .flat_map(|(field, text)| {
                words.found_in(text).into_iter().map(move |(word, origin)| {
                    format!(
                        "\"{word}\" in {field} \"{text}\" (like \"{}\", from its {})",
                        origin.word, origin.from
                    )
                })
            })
            .collect()
    }
}

/// Why `target` cannot take the brief: it has no such section, or a brief
/// or page at that slug already.
fn target_conflict(
    network: &Network,
    target: &Site,
    template: &BriefFields,
) -> Result<Option<String>> {
    let context = site_context(network, target);
    match expand_str("slug", &template.slug, &context) {
        Ok(slug) => conflict(network, target, &template.section, &slug),
        Err(e) => Ok(Some(format!("the slug does not expand: {e}"))),
    }
}

/// Why the blueprint cannot take the brief: some site other than the
/// source has a brief or page at its slug.
fn blueprint_conflict(
    network: &Network,
    targets: &[&Site],
    template: &BriefFields,
) -> Result<Option<String>> {
    for target in targets {
        let context = site_context(network, target);
        let slug = expand_str("slug", &template.slug, &context).map_err(|e| {
            Error::Usage(format!("the slug does not expand for {}: {e}", target.name))
        })?;
        if let Some(conflict) = conflict(network, target, &template.section, &slug)? {
            return Ok(Some(format!("{}: {conflict}", target.name)));
        }
    }
    Ok(None)
}

fn conflict(network: &Network, target: &Site, section: &str, slug: &str) -> Result<Option<String>> {
    let rel = if section.is_empty() {
        format!("{slug}.md")
    } else {
        format!("{section}/{slug}.md")
    };
    let section_index = if section.is_empty() {
        None
    } else {
        Some(format!("{section}/_index.md"))
    };
    if let Some(index) = section_index
        && !target.dir.join("content").join(&index).is_file()
        && !network.root.join("content").join(&index).is_file()
    {
        return Ok(Some(format!("has no section `{section}`")));
    }
    if let Some(brief) = site_briefs(network, target)?
        .into_iter()
        .find(|b| b.slug == slug)
    {
        return Ok(Some(format!(
            "a brief `{slug}` exists ({}); it is never overwritten",
            brief.location
        )));
    }
    for content in [target.dir.join("content"), network.root.join("content")] {
        if content.join(&rel).is_file() {
            return Ok(Some(format!(
                "a page exists at {}",
                content.join(&rel).display()
            )));
        }
    }
    Ok(None)
}
