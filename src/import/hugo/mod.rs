//! `grove import hugo`: a Hugo site's content, front matter, shortcodes,
//! permalinks and static files, as a Grove site.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

mod urls;

use super::affiliate;
use super::document::{Document, string_list};
use super::hugo_shortcodes::{self, Page};
use super::keys::{KeyRule, KeyTable, KeyValue, apply, rule_for};
use super::names::Fixed;
use super::report::Report;
use super::source::{SourcePage, SourceTree, read_config, read_page};
use super::{
    Context, Imported, SiteSettings, copy_tree, dedupe_aliases, dedupe_terms, dedupe_urls,
    normalize_date, report_unused_dirs,
};
use crate::content::{
    UrlRules, escape_template_syntax, hugo_urlize, url_parent_and_name, url_path,
};
use crate::error::{Error, Result};

/// Extensions Hugo reads as Markdown.
const MARKDOWN: &[&str] = &["md", "markdown", "mdown", "mkd", "mkdn"];
/// Content formats Grove does not read.
const OTHER_FORMATS: &[&str] = &["org", "adoc", "asciidoc", "rst", "pandoc", "pdc", "ipynb"];

/// Layouts (and types) that ask for nothing special: Hugo's own defaults
/// and those of sites that came from Jekyll.
const DEFAULT_LAYOUTS: &[&str] = &[
    "post", "posts", "page", "pages", "single", "list", "default", "blog",
];

/// Hugo's publication date keys, the first present wins.
const DATE_KEYS: &[&str] = &["date", "publishdate", "pubdate", "published"];
/// Hugo's last-modified keys, the first present wins.
const UPDATE_KEYS: &[&str] = &["lastmod", "modified"];

/// What the import needs from a Hugo site's configuration.
#[derive(Debug, Default)]
struct HugoConfig {
    settings: SiteSettings,
    /// Plural taxonomy names (`tags`, `categories`).
    taxonomies: Vec<String>,
    /// URL pattern per section (`posts` -> `/:year/:month/:title/`).
    permalinks: BTreeMap<String, String>,
    content_dir: String,
    static_dir: String,
}

/// Imports the Hugo site in folder `from`.
pub fn import(from: &Path, context: &Context<'_>) -> Result<Imported> {
    let mut report = Report::default();
    let config = read_hugo_config(from, &mut report)?;
    let tree = SourceTree::new(from)?;
    if let Err(target) = tree.folder(&config.content_dir) {
        return Err(Error::Usage(format!(
            "the Hugo configuration's content folder `{}` leads outside {} (to {}): Grove imports only what is inside the source folder; import the folder that holds the content",
            config.content_dir.escape_debug(),
            from.display(),
            target.display()
        )));
    }
    let sources = tree.files(&config.content_dir, "contentDir", &mut report)?;
    let index = ContentIndex::new(&sources);
    let mut imported = Imported::new(config.settings.clone());
    let mut has_index: BTreeSet<String> = BTreeSet::new();
    let mut page_dirs: BTreeSet<String> = BTreeSet::new();
    let mut documents: Vec<(String, String, Document)> = Vec::new();
    let mut source_docs: Vec<urls::SourceDoc> = Vec::new();
    for (rel, path) in &sources {
        let ext = extension(rel);
        if MARKDOWN.contains(&ext.as_str()) {
            let page = read_page(path)?;
            for key in &page.duplicates {
                report.changed(
                    rel,
                    format!("`{key}` is given twice in the front matter: the last value is kept, as Hugo does"),
                );
            }
            let out_rel = index.grove_rel(rel);
            let front = page.front.clone();
            let converted = convert_page(
                rel,
                &out_rel,
                page,
                &Converting {
                    config: &config,
                    index: &index,
                    context,
                },
                &mut imported.products,
                &mut report,
            );
            source_docs.push(urls::SourceDoc {
                rel: rel.clone(),
                out_rel: out_rel.clone(),
                front,
                published: published_by_hugo(&out_rel, &converted, &config, context),
                aliases: converted.strings("aliases"),
            });
            documents.push((rel.clone(), out_rel.clone(), converted));
            report.pages += 1;
            let dir = parent(&out_rel);
            let name = &out_rel[dir.len()..].trim_start_matches('/');
            if name.starts_with("_index.") || *name == "index.md" {
                has_index.insert(dir.to_string());
            }
            // Hugo lists every top-level folder holding pages as a section.
            page_dirs.insert(dir.split('/').next().unwrap_or_default().to_string());
        } else if OTHER_FORMATS.contains(&ext.as_str()) {
            report.attention(
                rel,
                "not imported: Grove reads Markdown; convert the file to Markdown (.md)",
            );
        } else if ext == "html" || ext == "htm" {
            report.attention(rel, "not imported: an HTML content page; save its body as Markdown (.md) with front matter, or as a static file");
        } else {
            imported.add_file(format!("content/{rel}"), path)?;
        }
    }
    imported.old_urls = urls::old_urls(&source_docs, &config, context.taxonomies);
    lead_section_terms_to_sections(&mut documents, &mut report);
    dedupe_urls(
        &mut documents,
        imported.settings.language.as_deref(),
        &mut report,
    );
    dedupe_aliases(
        &mut documents,
        imported.settings.language.as_deref(),
        &mut report,
    );
    dedupe_terms(&mut documents, UrlRules::Hugo, &mut report);
    for (rel, doc) in term_variant_pages(&documents) {
        imported.add_text(format!("content/{rel}"), doc.to_text());
    }
    for (_, out_rel, doc) in documents {
        imported.add_text(format!("content/{out_rel}"), doc.to_text());
    }
    // Hugo lists every top-level folder as a section even without an
    // `_index.md`; Grove needs the file.
    for dir in page_dirs
        .iter()
        .filter(|d| !d.is_empty() && !d.contains('/'))
    {
        if !has_index.contains(dir) {
            let mut doc = Document::default();
            doc.set_str("title", &title_case(dir));
            imported.add_text(format!("content/{dir}/_index.md"), doc.to_text());
            report.changed(
                &format!("{dir}/"),
                "section page `_index.md` created, as Hugo lists the folder",
            );
        }
    }
    let static_files = tree.files(&config.static_dir, "staticDir", &mut report)?;
    copy_tree(static_files, "static", &mut imported)?;
    report_unused_dirs(
        from,
        &[
            (
                "layouts",
                "the site's own layouts are not imported: Grove sites use the network's theme; port what you need as templates in sites/NAME/templates/",
            ),
            (
                "themes",
                "Hugo themes are not imported: Grove sites use the network's theme",
            ),
            (
                "assets",
                "asset pipeline files are not imported: put finished CSS, JS and images in static/",
            ),
            (
                "data",
                "data files are not imported: move values templates need into site.toml [vars]",
            ),
            ("i18n", "translation strings are not imported"),
        ],
        &mut report,
    );
    imported.report = report;
    Ok(imported)
}

/// Finds and reads the configuration, merged as Hugo merges it: the
/// root `hugo.*`/`config.*`, then every file of `config/_default/` (a
/// `params.toml` sets `params`, `languages.toml` sets `languages`,
/// `menus.en.toml` sets `languages.en.menus`); a site without any imports
/// with defaults.
fn read_hugo_config(from: &Path, report: &mut Report) -> Result<HugoConfig> {
    let mut config = HugoConfig {
        content_dir: "content".into(),
        static_dir: "static".into(),
        taxonomies: vec!["tags".into(), "categories".into()],
        ..HugoConfig::default()
    };
    let files = config_files(from);
    let Some(first) = files.first() else {
        report.attention(
            "hugo.toml",
            "no configuration file found: set title and base_url in site.toml",
        );
        return Ok(config);
    };
    let path = first.clone();
    let mut map = Map::new();
    for file in &files {
        let read = read_config(file)?;
        let stem = file
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let at: Vec<String> = match stem.split_once('.') {
            _ if stem == "hugo" || stem == "config" => Vec::new(),
            Some((key, language)) => vec!["languages".into(), language.into(), key.into()],
            None => vec![stem.to_string()],
        };
        merge_at(&mut map, &at, read);
    }
    let text = |key: &str| get(&map, key).and_then(Value::as_str).map(str::to_string);
    config.settings = SiteSettings {
        title: text("title").unwrap_or_default(),
        base_url: text("baseURL").unwrap_or_default(),
        description: get(&map, "params")
            .and_then(|p| get_map(p, "description").or_else(|| get_map(p, "subtitle")))
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| text("description"))
            .unwrap_or_default(),
        language: text("languageCode")
            .or_else(|| text("defaultContentLanguage"))
            .map(|l| l.split(['-', '_']).next().unwrap_or("en").to_lowercase()),
        url_rules: UrlRules::Hugo,
        term_feeds: false,
    };
    if let Some(dir) = text("contentDir") {
        config.content_dir = dir;
    }
    if let Some(dir) = text("staticDir") {
        config.static_dir = dir;
    }
    // A multilingual site keeps each language's content in its own folder:
    // `[languages.en] contentDir`, or a module mount onto `content`.
    let default_language = text("defaultContentLanguage").unwrap_or_else(|| "en".into());
    let language_dir = get(&map, "languages")
        .and_then(|languages| get_map(languages, &default_language))
        .and_then(|language| get_map(language, "contentDir"))
        .and_then(Value::as_str);
    if let Some(dir) = language_dir {
        config.content_dir = dir.to_string();
    }
    let mounts = get(&map, "module")
        .and_then(|module| get_map(module, "mounts"))
        .and_then(Value::as_array);
    for mount in mounts.into_iter().flatten() {
        let field = |key: &str| get_map(mount, key).and_then(Value::as_str);
        match (field("source"), field("target")) {
            (Some(source), Some("content")) if language_dir.is_none() => {
                config.content_dir = source.to_string();
            }
            (Some(source), Some("static")) => config.static_dir = source.to_string(),
            _ => {}
        }
    }
    if let Some(Value::Object(taxonomies)) = get(&map, "taxonomies") {
        config.taxonomies = taxonomies
            .values()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
    }
    if let Some(Value::Object(permalinks)) = get(&map, "permalinks") {
        let patterns = match get_map(&Value::Object(permalinks.clone()), "page") {
            Some(Value::Object(page)) => page.clone(),
            _ => permalinks.clone(),
        };
        for (section, pattern) in patterns {
            if let Value::String(pattern) = pattern {
                config.permalinks.insert(section, pattern);
            }
        }
    }
    let languages = get(&map, "languages").and_then(Value::as_object);
    if languages.is_some_and(|languages| languages.len() > 1) {
        report.attention(
            &display_name(from, &path),
            "a multilingual site: pages in the default language are imported; other languages are left out when built (make a site per language)",
        );
    }
    Ok(config)
}

/// The configuration files Hugo reads, root file first.
fn config_files(from: &Path) -> Vec<PathBuf> {
    const EXTENSIONS: &[&str] = &["toml", "yaml", "yml", "json"];
    let root = ["hugo", "config"].iter().find_map(|name| {
        EXTENSIONS
            .iter()
            .map(|ext| from.join(format!("{name}.{ext}")))
            .find(|p| p.is_file())
    });
    let dir = from.join("config").join("_default");
    let mut in_dir: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    in_dir.retain(|p| {
        p.is_file()
            && p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| EXTENSIONS.contains(&e))
    });
    // The directory's own hugo/config file first, then the others by name.
    in_dir.sort_by_key(|p| {
        let stem = p.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        (stem != "hugo" && stem != "config", p.clone())
    });
    root.into_iter().chain(in_dir).collect()
}

/// Merges `value` into `map` below the keys of `at` (case-insensitively,
/// as Hugo matches keys): tables merge, other values are replaced.
fn merge_at(map: &mut Map<String, Value>, at: &[String], value: Map<String, Value>) {
    let Some((key, rest)) = at.split_first() else {
        for (key, value) in value {
            merge_value(map, key, value);
        }
        return;
    };
    let existing = map.keys().find(|k| k.eq_ignore_ascii_case(key)).cloned();
    let entry = map
        .entry(existing.unwrap_or_else(|| key.clone()))
        .or_insert_with(|| Value::Object(Map::new()));
    if !entry.is_object() {
        *entry = Value::Object(Map::new());
    }
    if let Value::Object(inner) = entry {
        merge_at(inner, rest, value);
    }
}

fn merge_value(map: &mut Map<String, Value>, key: String, value: Value) {
    let existing = map.keys().find(|k| k.eq_ignore_ascii_case(&key)).cloned();
    match (existing.and_then(|k| map.get_mut(&k)), value) {
        (Some(Value::Object(old)), Value::Object(new)) => {
            for (key, value) in new {
                merge_value(old, key, value);
            }
        }
        (Some(old), value) => *old = value,
        (None, value) => {
            map.insert(key, value);
        }
    }
}

/// Case-insensitive lookup: Hugo's keys are.
fn get<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    map.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

fn get_map<'a>(value: &'a Value, key: &str) -> Option<&'a Value> {
    value.as_object().and_then(|map| get(map, key))
}

fn display_name(from: &Path, path: &Path) -> String {
    path.strip_prefix(from)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// The source's content files, for `ref` links.
struct ContentIndex {
    rels: BTreeSet<String>,
}

impl ContentIndex {
    fn new(sources: &[(String, PathBuf)]) -> ContentIndex {
        ContentIndex {
            rels: sources.iter().map(|(rel, _)| rel.clone()).collect(),
        }
    }

    /// Where a source Markdown file goes: same place, `.md` extension.
    fn grove_rel(&self, rel: &str) -> String {
        match rel.rsplit_once('.') {
            Some((stem, ext)) if MARKDOWN.contains(&ext) => format!("{stem}.md"),
            _ => rel.to_string(),
        }
    }

    /// Resolves a `ref` target from page `from` to an `@/` link, as Hugo
    /// does: relative to the page, then to the content root; with or
    /// without extension; a bundle or section folder; else a unique file
    /// name.
    fn resolve(&self, from: &str, target: &str) -> Option<String> {
        let (path, anchor) = match target.split_once('#') {
            Some((path, anchor)) => (path, format!("#{anchor}")),
            None => (target, String::new()),
        };
        if path.is_empty() {
            return Some(anchor);
        }
        let bases: Vec<&str> = if path.starts_with('/') {
            vec![""]
        } else {
            vec![parent(from), ""]
        };
        let path = path.trim_matches('/');
        for base in bases {
            let joined = normalize(&format!("{base}/{path}"));
            let tries = [
                joined.clone(),
                format!("{joined}.md"),
                format!("{joined}/index.md"),
                format!("{joined}/_index.md"),
            ];
            if let Some(found) = tries.iter().find(|t| self.rels.contains(*t)) {
                return Some(format!("@/{}{anchor}", self.grove_rel(found)));
            }
        }
        let name = path.rsplit('/').next().unwrap_or(path);
        let matches: Vec<&String> = self
            .rels
            .iter()
            .filter(|rel| {
                let file = rel.rsplit('/').next().unwrap_or(rel);
                file == name || file.rsplit_once('.').is_some_and(|(stem, _)| stem == name)
            })
            .collect();
        match matches.as_slice() {
            [one] => Some(format!("@/{}{anchor}", self.grove_rel(one))),
            _ => None,
        }
    }
}

/// `a/./b/../c` -> `a/c`, without leading or trailing slashes.
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    parts.join("/")
}

fn parent(rel: &str) -> &str {
    rel.rfind('/').map_or("", |i| &rel[..i])
}

fn extension(rel: &str) -> String {
    rel.rsplit_once('.')
        .filter(|(stem, _)| !stem.ends_with('/') && !stem.is_empty())
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default()
}

fn title_case(dir: &str) -> String {
    let mut chars = dir.chars();
    match chars.next() {
        Some(first) => first
            .to_uppercase()
            .chain(chars)
            .collect::<String>()
            .replace(['-', '_'], " "),
        None => String::new(),
    }
}

/// A term only sections have (Hugo lists sections on term pages, Grove
/// lists pages): its URL becomes an alias of the first section that has
/// it, so the old term page (and, on Hugo's rules, its feed) still leads
/// to what it listed.
fn lead_section_terms_to_sections(
    documents: &mut [(String, String, Document)],
    report: &mut Report,
) {
    let on_pages: BTreeSet<(String, String)> = documents
        .iter()
        .filter(|(_, rel, _)| !rel.ends_with("_index.md"))
        .flat_map(|(_, _, doc)| {
            doc.taxonomies.iter().flat_map(|(taxonomy, terms)| {
                terms.iter().map(|t| (taxonomy.clone(), hugo_urlize(t)))
            })
        })
        .collect();
    let mut led: BTreeSet<(String, String)> = BTreeSet::new();
    for (file, rel, doc) in documents.iter_mut() {
        if !rel.ends_with("_index.md") || rel == "_index.md" {
            continue;
        }
        let mut aliases = doc.strings("aliases");
        for (taxonomy, terms) in &doc.taxonomies {
            for term in terms {
                let key = (taxonomy.clone(), hugo_urlize(term));
                if key.1.is_empty() || on_pages.contains(&key) || !led.insert(key.clone()) {
                    continue;
                }
                aliases.push(format!("/{}/{}/", key.0, key.1));
                report.changed(
                    file,
                    format!("{taxonomy} term `{term}` is on no page, only on sections: its old term page leads to this section"),
                );
            }
        }
        if !aliases.is_empty() {
            doc.set(
                "aliases",
                toml::Value::Array(aliases.into_iter().map(toml::Value::String).collect()),
            );
        }
    }
}

/// Hugo versions make two URLs of a term with punctuation between words:
/// `Home & Garden` is `/categories/home-garden/` in some and
/// `/categories/home--garden/` in others. The site uses the first (see
/// [`hugo_urlize`]); for each term whose other form differs, and whose
/// page the source does not describe itself, a term `_index.md` makes
/// the other form an alias.
fn term_variant_pages(documents: &[(String, String, Document)]) -> Vec<(String, Document)> {
    let existing: BTreeSet<&str> = documents.iter().map(|(_, rel, _)| rel.as_str()).collect();
    let mut pages: BTreeMap<String, Document> = BTreeMap::new();
    for (_, _, doc) in documents {
        for (taxonomy, terms) in &doc.taxonomies {
            for term in terms {
                let collapsed = hugo_urlize(term);
                let spaced = spaced_urlize(term);
                let rel = format!("{taxonomy}/{collapsed}/_index.md");
                let own = format!("{taxonomy}/{spaced}/_index.md");
                if collapsed == spaced
                    || collapsed.is_empty()
                    || existing.contains(rel.as_str())
                    || existing.contains(own.as_str())
                {
                    continue;
                }
                pages.entry(rel).or_insert_with(|| {
                    let mut page = Document::default();
                    page.set_str("title", term);
                    page.set(
                        "aliases",
                        toml::Value::Array(vec![toml::Value::String(format!(
                            "/{taxonomy}/{spaced}/"
                        ))]),
                    );
                    page
                });
            }
        }
    }
    pages.into_iter().collect()
}

/// Hugo's `urlize` in the versions that turn every space into `-`
/// (`Home & Garden` -> `home--garden`).
fn spaced_urlize(text: &str) -> String {
    text.trim()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '.' | '/' | '\\' | '_' | '#' | '+' | '~' | '-' | '@' => Some(c),
            c if c.is_alphanumeric() => Some(c),
            _ => None,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// What converting a page reads besides the page.
struct Converting<'a> {
    config: &'a HugoConfig,
    index: &'a ContentIndex,
    context: &'a Context<'a>,
}

/// One page: front matter mapped to Grove's keys, shortcodes translated,
/// affiliate links and products moved to the registry, template syntax
/// escaped, the Hugo URL kept as an alias.
fn convert_page(
    rel: &str,
    out_rel: &str,
    page: SourcePage,
    with: &Converting<'_>,
    products: &mut affiliate::Products,
    report: &mut Report,
) -> Document {
    let (config, index, context) = (with.config, with.index, with.context);
    let mut doc = Document::default();
    let front = &page.front;
    map_front_matter(rel, front, config, context, &mut doc, report);
    if let Some(alias) = hugo_url_alias(out_rel, front, config)
        && !front.keys().any(|k| k.eq_ignore_ascii_case("url"))
    {
        let mut aliases = doc.strings("aliases");
        if !aliases.contains(&alias) {
            aliases.push(alias);
            report.changed(
                rel,
                "its Hugo URL differs from Grove's and is kept as an alias",
            );
        }
        set_aliases(&mut doc, aliases);
    }
    let resolve = |target: &str| index.resolve(rel, target);
    let shortcodes = Page {
        file: rel,
        resolve: &resolve,
        params: front,
    };
    let body = hugo_shortcodes::translate(&page.body, &shortcodes, report);
    let body = affiliate::rewrite_links(&body, rel, products);
    let title = doc.get_str("title").unwrap_or_default().to_string();
    let product = products.product(front, &title);
    let mut boxes = product
        .map(|(slug, used)| product_boxes(rel, &slug, &used, products, context, report))
        .unwrap_or_default();
    if let Some((key, list)) = products.product_list(front, rel) {
        for (name, slug) in &list {
            boxes.push_str(&format!(
                "- [{}](aff:{slug})\n",
                name.replace(['[', ']'], "")
            ));
        }
        boxes.push('\n');
        report.changed(
            rel,
            format!("the products of front matter `{key}` became registry entries, listed as links at the top of the page (the theme drew them from front matter: where they stood is a guess)"),
        );
    }
    cover_image(rel, front, &mut doc, report);
    doc.body = format!("{boxes}{}", escape_template_syntax(&body));
    doc
}

/// The product box (and pros and cons) for the product a page's front
/// matter describes, as the theme's shortcodes when it has them, else as
/// a registry link; reported as a guess of where the theme drew them.
fn product_boxes(
    rel: &str,
    slug: &str,
    used: &[String],
    products: &affiliate::Products,
    context: &Context<'_>,
    report: &mut Report,
) -> String {
    let has = |name: &str| context.shortcodes.iter().any(|s| s == name);
    let mut boxes = String::new();
    if has("product_box") {
        boxes.push_str(&format!("{{{{ product_box(slug=\"{slug}\") }}}}\n\n"));
    } else {
        boxes.push_str(&format!("[Check the price](aff:{slug})\n\n"));
    }
    if products.has_pros_or_cons(slug) && has("pros_cons") {
        boxes.push_str(&format!("{{{{ pros_cons(slug=\"{slug}\") }}}}\n\n"));
    }
    report.changed(
        rel,
        format!(
            "front matter {} became the registry entry `{slug}` (affiliates.toml), shown as a product box{} at the top of the page: the theme drew it from front matter, so where it stood is a guess; move the call if it belongs elsewhere",
            used.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", "),
            if products.has_pros_or_cons(slug) { " with pros and cons" } else { "" }
        ),
    );
    boxes
}

/// A cover image a theme drew from front matter (`cover.image` of
/// PaperMod, `featured_image`, `image`, `thumbnail`): `[extra] image`,
/// which Grove's theme shows above the text and uses for social previews.
fn cover_image(rel: &str, front: &Map<String, Value>, doc: &mut Document, report: &mut Report) {
    let cover = get(front, "cover");
    let image = cover
        .and_then(|c| get_map(c, "image"))
        .or_else(|| cover.filter(|c| c.is_string()))
        .or_else(|| {
            [
                "featured_image",
                "featuredImage",
                "featureimage",
                "image",
                "thumbnail",
                "hero",
            ]
            .iter()
            .find_map(|k| get(front, k))
        })
        .and_then(Value::as_str)
        .filter(|i| !i.trim().is_empty());
    let Some(image) = image else { return };
    doc.set_extra("image", &Value::String(image.to_string()));
    for (key, from) in [("image_alt", "alt"), ("image_caption", "caption")] {
        if let Some(text) = cover.and_then(|c| get_map(c, from)).and_then(Value::as_str) {
            doc.set_extra(key, &Value::String(text.to_string()));
        }
    }
    report.changed(
        rel,
        "its cover image became `[extra] image` (shown above the text)",
    );
}

/// Maps Hugo's front matter keys to Grove's; the rest goes under
/// `[extra]`, reported.
fn map_front_matter(
    rel: &str,
    front: &Map<String, Value>,
    config: &HugoConfig,
    context: &Context<'_>,
    doc: &mut Document,
    report: &mut Report,
) {
    let lower: LowerKeys<'_> = front
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), (k, v)))
        .collect();
    let text = |key: &str| lower_text(&lower, key);
    doc.set_str("title", &text("title").unwrap_or_default());
    let description = text("description").filter(|d| !d.trim().is_empty());
    if let Some(description) = &description {
        doc.set_str("description", description);
    }
    let date = DATE_KEYS
        .iter()
        .find_map(|key| lower.get(*key).map(|(_, v)| (*key, *v)));
    if let Some((key, value)) = date {
        set_date(rel, key, "date", value, doc, report);
    }
    let updated = UPDATE_KEYS
        .iter()
        .find_map(|key| lower.get(*key).map(|(_, v)| (*key, *v)));
    if let Some((key, value)) = updated {
        set_date(rel, key, "updated", value, doc, report);
    }
    map_draft(rel, &lower, context, doc, report);
    map_slug_and_url(rel, &lower, doc, report);
    if let Some(weight) = lower
        .get("weight")
        .and_then(|(_, v)| v.as_i64())
        .filter(|w| *w != 0)
    {
        doc.set("weight", toml::Value::Integer(weight));
    }
    let aliases = doc_aliases(front, rel, report);
    if !aliases.is_empty() {
        set_aliases(doc, aliases);
    }
    if lower
        .get("robotsnoindex")
        .is_some_and(|(_, v)| v.as_bool() == Some(true))
    {
        doc.set("noindex", toml::Value::Boolean(true));
    }
    let authors = ["authors", "author"]
        .iter()
        .filter_map(|k| lower.get(*k).and_then(|(_, v)| string_list(v)))
        .flatten()
        .collect::<Vec<_>>();
    if !authors.is_empty() {
        doc.set(
            "authors",
            toml::Value::Array(authors.into_iter().map(toml::Value::String).collect()),
        );
    }
    let chosen = ChosenKeys {
        date: date.map(|(k, _)| k),
        updated: updated.map(|(k, _)| k),
    };
    map_other_keys(rel, front, config, context, &chosen, doc, report);
}

/// Front matter keys by lower-cased name, as Hugo reads them: (name as
/// written, value).
type LowerKeys<'a> = BTreeMap<String, (&'a String, &'a Value)>;

/// The text value of lower-cased `key`.
fn lower_text(lower: &LowerKeys<'_>, key: &str) -> Option<String> {
    lower
        .get(key)
        .and_then(|(_, v)| v.as_str())
        .map(str::to_string)
}

/// `draft`, and an expiry date in the past (Hugo no longer published
/// the page) made a draft; a future one reported.
fn map_draft(
    rel: &str,
    lower: &LowerKeys<'_>,
    context: &Context<'_>,
    doc: &mut Document,
    report: &mut Report,
) {
    let text = |key: &str| lower_text(lower, key);
    let mut draft = lower
        .get("draft")
        .is_some_and(|(_, v)| v.as_bool() == Some(true) || v.as_str() == Some("true"));
    if let Some(expiry) = ["expirydate", "unpublishdate"].iter().find_map(|k| text(k)) {
        let expired = normalize_date(&expiry)
            .and_then(|d| crate::content::Date::parse(&d))
            .is_some_and(|d| d.instant() <= context.now);
        if expired {
            draft = true;
            report.attention(
                rel,
                format!("expired on {expiry}, so Hugo no longer published it: imported as a draft"),
            );
        } else {
            report.attention(
                rel,
                format!(
                    "expires on {expiry}: Grove does not unpublish pages; remove it by hand then"
                ),
            );
        }
    }
    if draft {
        doc.set("draft", toml::Value::Boolean(true));
    }
}

/// `slug` and `url`, made names that stay in the site folder.
fn map_slug_and_url(rel: &str, lower: &LowerKeys<'_>, doc: &mut Document, report: &mut Report) {
    let text = |key: &str| lower_text(lower, key);
    if let Some(slug) = text("slug").filter(|s| !s.is_empty()) {
        let fixed = Fixed::slug(&slug);
        let what = format!("slug `{}`", slug.escape_debug());
        fixed.report(report, rel, &what, ", the page keeps its file's name");
        match fixed {
            Fixed::Same => doc.set_str("slug", &slug),
            Fixed::Changed(safe) => doc.set_str("slug", &safe),
            Fixed::Dropped => {}
        }
    }
    if let Some(url) = text("url") {
        let fixed = Fixed::path(&url);
        let path = match &fixed {
            Fixed::Same => Some(url.trim_matches('/').to_string()),
            Fixed::Changed(safe) => Some(safe.clone()),
            Fixed::Dropped => None,
        };
        match path {
            Some(path) if path.contains('.') => report.attention(
                rel,
                format!(
                    "`url = \"{}\"` names a file, which cannot be a Grove page URL; the page keeps its folder's URL",
                    url.escape_debug()
                ),
            ),
            Some(path) => {
                fixed.report(report, rel, &format!("`url = \"{}\"`", url.escape_debug()), "");
                doc.set_str("path", &path);
            }
            None => fixed.report(
                report,
                rel,
                &format!("`url = \"{}\"`", url.escape_debug()),
                ", the page keeps its folder's URL",
            ),
        }
    }
}

/// Which of Hugo's alternative keys a page's front matter used.
struct ChosenKeys<'a> {
    /// The date key used (`date`, `publishDate`, ...).
    date: Option<&'a str>,
    /// The last-modified key used.
    updated: Option<&'a str>,
}

/// Every other key, as [`HUGO_KEYS`] says: unused alternatives, `summary`,
/// `params`, Hugo-only keys reported; taxonomies; the rest under
/// `[extra]`, reported.
fn map_other_keys(
    rel: &str,
    front: &Map<String, Value>,
    config: &HugoConfig,
    context: &Context<'_>,
    chosen: &ChosenKeys<'_>,
    doc: &mut Document,
    report: &mut Report,
) {
    let mut moved = Vec::new();
    for (key, value) in front {
        let lower_key = key.to_ascii_lowercase();
        let rule = rule_for(HUGO_KEYS, &lower_key);
        if let Some(KeyRule::Read) = rule {
            if !used_by_the_import(&lower_key, chosen, doc) {
                doc.set_extra(key, value);
                moved.push(key.clone());
            }
            continue;
        }
        let entry = KeyValue { rel, key, value };
        let describes = matches!(rule, Some(KeyRule::DescriptionUnlessSet))
            && value.is_string()
            && !doc.has("description");
        if !describes && config.taxonomies.contains(&lower_key) {
            map_terms(&entry, &lower_key, context, doc, report);
            continue;
        }
        apply(rule, &entry, doc, report, &mut moved);
    }
    for key in moved {
        report.changed(rel, format!("`{key}` moved under [extra]"));
    }
}

/// Hugo's front-matter keys besides taxonomies, and what each becomes.
const HUGO_KEYS: &KeyTable = &[
    ("title", KeyRule::Read),
    ("description", KeyRule::Read),
    ("date", KeyRule::Read),
    ("publishdate", KeyRule::Read),
    ("pubdate", KeyRule::Read),
    ("published", KeyRule::Read),
    ("lastmod", KeyRule::Read),
    ("modified", KeyRule::Read),
    ("expirydate", KeyRule::Read),
    ("unpublishdate", KeyRule::Read),
    ("draft", KeyRule::Read),
    ("slug", KeyRule::Read),
    ("url", KeyRule::Read),
    ("weight", KeyRule::Read),
    ("aliases", KeyRule::Read),
    ("robotsnoindex", KeyRule::Read),
    ("author", KeyRule::Read),
    ("authors", KeyRule::Read),
    ("summary", KeyRule::DescriptionUnlessSet),
    ("params", KeyRule::SpreadIntoExtra),
    (
        "headless",
        KeyRule::DraftWhen(
            |value| value.as_bool() == Some(true),
            "a headless bundle (not rendered by Hugo): imported as a draft",
        ),
    ),
    (
        "build",
        KeyRule::DraftWhen(
            never_rendered,
            "`build.render = never` in Hugo: imported as a draft",
        ),
    ),
    (
        "_build",
        KeyRule::DraftWhen(
            never_rendered,
            "`build.render = never` in Hugo: imported as a draft",
        ),
    ),
    (
        "cascade",
        KeyRule::NoteWhen(
            |_| true,
            "`cascade` front matter is not applied to the pages below: set the values on them",
        ),
    ),
    ("layout", KeyRule::NoteWhen(names_a_layout, LAYOUT_NOTE)),
    ("type", KeyRule::NoteWhen(names_a_layout, LAYOUT_NOTE)),
    ("menu", KeyRule::ExtraBecause(MENU_REASON)),
    ("menus", KeyRule::ExtraBecause(MENU_REASON)),
];

const LAYOUT_NOTE: &str = "`{key}` chose a Hugo layout: pick a Grove template with `template = \"...\"` if the page needs one";
const MENU_REASON: &str = "Grove's theme builds navigation from sections";

/// Whether Hugo's `build` options say the page is never rendered.
fn never_rendered(build: &Value) -> bool {
    let render = get_map(build, "render");
    render.and_then(Value::as_str) == Some("never")
        || render.and_then(Value::as_bool) == Some(false)
}

/// Whether a `layout` or `type` names a layout other than Hugo's usual ones.
fn names_a_layout(value: &Value) -> bool {
    !value
        .as_str()
        .is_some_and(|v| DEFAULT_LAYOUTS.contains(&v.to_ascii_lowercase().as_str()))
}

/// Whether the import's own steps used key `lower_key` (a date key that
/// was not the one chosen, or a slug that did not become one, was not).
fn used_by_the_import(lower_key: &str, chosen: &ChosenKeys<'_>, doc: &Document) -> bool {
    let unused_date = DATE_KEYS.contains(&lower_key) && chosen.date != Some(lower_key);
    let unused_update = UPDATE_KEYS.contains(&lower_key) && chosen.updated != Some(lower_key);
    let unused_slug = lower_key == "slug" && !doc.has("slug");
    !(unused_date || unused_update || unused_slug)
}

/// A taxonomy's terms: into the page's terms when Grove's network has the
/// taxonomy, else under `[extra]` with a note.
fn map_terms(
    entry: &KeyValue<'_>,
    taxonomy: &str,
    context: &Context<'_>,
    doc: &mut Document,
    report: &mut Report,
) {
    let terms = string_list(entry.value).unwrap_or_default();
    if context.taxonomies.contains(&taxonomy.to_string()) {
        doc.add_terms(taxonomy, terms);
    } else if !terms.is_empty() {
        doc.set_extra(entry.key, entry.value);
        report.attention(
            entry.rel,
            format!("taxonomy `{taxonomy}` is not configured in grove.toml: its terms are under [extra]; add \"{taxonomy}\" to [network] taxonomies to list them"),
        );
    }
}

/// Sets date field `target` from Hugo's `key`, reporting a date Grove
/// cannot read.
fn set_date(
    rel: &str,
    key: &str,
    target: &str,
    value: &Value,
    doc: &mut Document,
    report: &mut Report,
) {
    let Some(text) = value.as_str() else {
        return;
    };
    match normalize_date(text) {
        Some(date) => {
            doc.set_date(target, &date);
            if key != target {
                report.changed(rel, format!("`{key}` became `{target}`"));
            }
        }
        None => {
            doc.set_extra(key, value);
            report.attention(rel, format!("`{key} = \"{text}\"` is not a date Grove reads: moved under [extra]; write it as 2024-05-01"));
        }
    }
}

/// The page's Hugo aliases as site paths: relative ones are relative to
/// the page's folder.
/// The page's `aliases` as site paths: relative ones resolved against its
/// folder, any leading out of the site made a path inside it (reported).
fn doc_aliases(front: &Map<String, Value>, rel: &str, report: &mut Report) -> Vec<String> {
    let Some(aliases) = get(front, "aliases").and_then(string_list) else {
        return Vec::new();
    };
    let mut kept = Vec::new();
    for alias in aliases.into_iter().filter(|a| !a.trim().is_empty()) {
        let path = if alias.starts_with('/') || alias.contains("://") {
            alias.clone()
        } else {
            format!("/{}", normalize(&format!("{}/{alias}", parent(rel))))
        };
        let fixed = Fixed::alias(&path);
        let what = format!("alias `{}`", alias.escape_debug());
        let instead = if alias.contains("://") {
            " (a full URL: Grove redirects paths of the site only)"
        } else {
            ""
        };
        fixed.report(report, rel, &what, instead);
        match fixed {
            Fixed::Same => kept.push(path),
            Fixed::Changed(safe) => kept.push(safe),
            Fixed::Dropped => {}
        }
    }
    kept
}

fn set_aliases(doc: &mut Document, aliases: Vec<String>) {
    doc.set(
        "aliases",
        toml::Value::Array(aliases.into_iter().map(toml::Value::String).collect()),
    );
}

/// Whether Hugo published the page: not a draft (nor expired, headless or
/// unrendered, which the import makes drafts), not dated in the future,
/// not a translation into another language than the site's.
fn published_by_hugo(
    out_rel: &str,
    doc: &Document,
    config: &HugoConfig,
    context: &Context<'_>,
) -> bool {
    let future = doc
        .get_str("date")
        .and_then(crate::content::Date::parse)
        .is_some_and(|date| date.instant() > context.now);
    let language = config.settings.language.as_deref().unwrap_or("en");
    let translation = crate::content::language_suffix(out_rel)
        .is_some_and(|l| !crate::content::same_language(l, language));
    !doc.has("draft") && !future && !translation
}

/// The URL Hugo gave the page, when Grove's differs: `/section/:title/`
/// permalinks, Hugo's lower-cased paths and its own way of making slugs.
fn hugo_url_alias(
    out_rel: &str,
    front: &Map<String, Value>,
    config: &HugoConfig,
) -> Option<String> {
    let slug_field = get(front, "slug")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    let grove_url = url_path(out_rel, slug_field, None);
    let hugo_url = if out_rel.ends_with("_index.md") {
        // A section: Hugo lower-cases its folder's path.
        let dir = parent(out_rel);
        let top = dir.split('/').next().unwrap_or_default();
        if dir.is_empty() || config.taxonomies.iter().any(|t| t == top) {
            return None; // the home page, or a taxonomy's or term's page
        }
        format!("/{}/", hugo_urlize(dir))
    } else {
        hugo_page_url(out_rel, front, config)?
    };
    (hugo_url != grove_url).then_some(hugo_url)
}

/// The URL Hugo gives a page (not a section) from its path, front matter
/// and the permalinks configuration (`url` aside); `None` for a section
/// or when a permalink needs a value the page lacks.
fn hugo_page_url(out_rel: &str, front: &Map<String, Value>, config: &HugoConfig) -> Option<String> {
    let file = out_rel.rsplit('/').next().unwrap_or(out_rel);
    if file.starts_with("_index.") || out_rel == "index.md" {
        return None;
    }
    let (url_dir, stem) = url_parent_and_name(out_rel);
    let slug_field = get(front, "slug")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    let section = url_dir.split('/').next().unwrap_or_default();
    let title = get(front, "title")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let hugo_url = match config.permalinks.get(section) {
        Some(pattern) => expand_permalink(pattern, front, url_dir, stem, title)?,
        None => {
            let name = slug_field.map_or_else(|| hugo_urlize(stem), str::to_string);
            match url_dir {
                "" => format!("/{}/", hugo_urlize(&name)),
                dir => format!("/{}/{name}/", hugo_urlize(dir)),
            }
        }
    };
    Some(hugo_url)
}

/// Expands a Hugo permalink pattern for one page; `None` when it needs a
/// value the page lacks (a date).
fn expand_permalink(
    pattern: &str,
    front: &Map<String, Value>,
    url_dir: &str,
    stem: &str,
    title: &str,
) -> Option<String> {
    let date = ["date", "publishDate"]
        .iter()
        .find_map(|k| get(front, k).and_then(Value::as_str))
        .and_then(normalize_date)
        .and_then(|d| crate::content::Date::parse(&d))
        .map(|d| d.instant());
    let slug = get(front, "slug")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    let mut out = String::new();
    for (i, part) in pattern.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        let value = match part {
            ":year" => date?.format("%Y").to_string(),
            ":month" => date?.format("%m").to_string(),
            ":monthname" => date?.format("%B").to_string().to_lowercase(),
            ":day" => date?.format("%d").to_string(),
            ":yearday" => date?.format("%j").to_string(),
            ":title" => hugo_urlize(title),
            ":slug" => slug.map_or_else(|| hugo_urlize(title), hugo_urlize),
            ":slugorfilename" | ":slugorcontentbasename" => {
                slug.map_or_else(|| hugo_urlize(stem), hugo_urlize)
            }
            ":filename" | ":contentbasename" => hugo_urlize(stem),
            ":section" => url_dir.split('/').next().unwrap_or_default().to_string(),
            ":sections" => url_dir.to_string(),
            other => other.to_string(),
        };
        out.push_str(&value);
    }
    if !out.starts_with('/') {
        out.insert(0, '/');
    }
    if !out.ends_with('/') && !out.rsplit('/').next().unwrap_or_default().contains('.') {
        out.push('/');
    }
    Some(out.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn permalinks_and_hugo_urls_become_aliases_where_grove_differs() {
        let mut config = HugoConfig::default();
        let front = json!({"title": "Hello, World!", "date": "2021-03-04T10:00:00Z"});
        let front = front.as_object().unwrap();
        assert_eq!(hugo_url_alias("posts/hello.md", front, &config), None);
        assert_eq!(
            hugo_url_alias("posts/My_Post.md", front, &config).as_deref(),
            Some("/posts/my_post/")
        );
        config
            .permalinks
            .insert("posts".into(), "/:year/:month/:title/".into());
        assert_eq!(
            hugo_url_alias("posts/hello.md", front, &config).as_deref(),
            Some("/2021/03/hello-world/")
        );
        assert_eq!(hugo_url_alias("posts/_index.md", front, &config), None);
    }

    #[test]
    fn refs_resolve_as_hugo_does() {
        let sources: Vec<(String, PathBuf)> = [
            "posts/a.md",
            "posts/b/index.md",
            "docs/_index.md",
            "about.markdown",
        ]
        .iter()
        .map(|r| (r.to_string(), PathBuf::new()))
        .collect();
        let index = ContentIndex::new(&sources);
        assert_eq!(
            index.resolve("posts/x.md", "a.md").as_deref(),
            Some("@/posts/a.md")
        );
        assert_eq!(
            index.resolve("posts/x.md", "/posts/b#top").as_deref(),
            Some("@/posts/b/index.md#top")
        );
        assert_eq!(
            index.resolve("x.md", "docs").as_deref(),
            Some("@/docs/_index.md")
        );
        assert_eq!(
            index.resolve("posts/x.md", "about").as_deref(),
            Some("@/about.md")
        );
        assert_eq!(index.resolve("x.md", "nowhere"), None);
        assert_eq!(index.resolve("x.md", "#frag").as_deref(), Some("#frag"));
    }
}
