//! `grove import zola`: a Zola site's content (front matter as written,
//! which Grove reads), shortcodes, static files and configuration, as a
//! Grove site.

use std::path::Path;

use serde_json::Value;

mod urls;

use super::document::{Document, json_to_toml};
use super::names::Fixed;
use super::report::Report;
use super::source::{SourceTree, files_below, parse_page, read_config};
use super::{Context, Imported, SiteSettings, copy_tree, report_unused_dirs};
use crate::content::{code_ranges, escape_front_matter, escaped_opener};
use crate::error::Result;

/// What a Zola shortcode template may use that Grove's shortcodes do not
/// offer: such templates are not copied, their calls are kept as text.
const ZOLA_ONLY: &[&str] = &[
    "config.",
    "page.",
    "section.",
    "nth",
    "lang",
    "resize_image",
    "load_data",
    "get_image_metadata",
    "get_url",
    "get_file_hash",
    "get_hash",
    "get_taxonomy",
    "get_page",
    "get_section",
    "trans(",
    "body",
];

/// Keys a rewritten front matter starts with, in this order.
const FIRST_KEYS: &[&str] = &[
    "title",
    "description",
    "date",
    "updated",
    "draft",
    "slug",
    "path",
    "weight",
];

/// Page keys Zola documents, and Grove's own.
const PAGE_KEYS: &[&str] = &[
    "title",
    "description",
    "updated",
    "date",
    "weight",
    "draft",
    "slug",
    "path",
    "aliases",
    "authors",
    "in_search_index",
    "template",
    "taxonomies",
    "extra",
    "noindex",
    "audit_allow",
];
/// Section keys Zola documents, and Grove's own.
const SECTION_KEYS: &[&str] = &[
    "title",
    "description",
    "draft",
    "sort_by",
    "weight",
    "template",
    "page_template",
    "paginate_by",
    "paginate_path",
    "paginate_reversed",
    "insert_anchor_links",
    "in_search_index",
    "render",
    "redirect_to",
    "transparent",
    "aliases",
    "generate_feeds",
    "generate_feed",
    "extra",
    "noindex",
];

/// Imports the Zola site in folder `from`.
pub fn import(from: &Path, context: &Context<'_>) -> Result<Imported> {
    let mut report = Report::default();
    let config_path = from.join("config.toml");
    let config = if config_path.is_file() {
        read_config(&config_path)?
    } else {
        report.attention(
            "config.toml",
            "no config.toml found: set title and base_url in site.toml",
        );
        Default::default()
    };
    let text = |key: &str| {
        config
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let mut imported = Imported::new(SiteSettings {
        title: text("title"),
        base_url: text("base_url"),
        description: text("description"),
        language: config
            .get("default_language")
            .and_then(Value::as_str)
            .map(str::to_string),
        url_rules: crate::content::UrlRules::Grove,
        term_feeds: match config.get("taxonomies") {
            Some(Value::Array(items)) => items
                .iter()
                .any(|t| t.get("feed").and_then(Value::as_bool) == Some(true)),
            _ => false,
        },
    });
    let mut shortcodes: Vec<String> = context.shortcodes.to_vec();
    // The site's shortcodes, then its theme's (the site's win).
    let tree = SourceTree::new(from)?;
    let mut sources = tree.files("templates/shortcodes", "templates/shortcodes", &mut report)?;
    if let Some(theme) = config.get("theme").and_then(Value::as_str) {
        let dir = format!("themes/{theme}/templates/shortcodes");
        for (rel, path) in tree.files(&dir, "config.toml theme", &mut report)? {
            if !sources.iter().any(|(r, _)| *r == rel) {
                sources.push((rel, path));
            }
        }
    }
    for (rel, path) in sources {
        let name = rel
            .trim_end_matches(".html")
            .trim_end_matches(".md")
            .to_string();
        let template = std::fs::read_to_string(&path).unwrap_or_default();
        let zola_only: Vec<&str> = ZOLA_ONLY
            .iter()
            .copied()
            .filter(|w| template.contains(w))
            .collect();
        let file = format!("templates/shortcodes/{rel}");
        if !rel.ends_with(".html") {
            report.attention(&file, "a Markdown shortcode: Grove shortcodes are HTML templates; its calls are kept as text");
        } else if !zola_only.is_empty() {
            report.attention(
                &file,
                format!("not copied: it uses {}, which Grove's shortcodes do not have; its calls are kept as text until you port it to sites/NAME/templates/shortcodes/", zola_only.join(", ")),
            );
        } else {
            imported.add_file(format!("templates/shortcodes/{rel}"), &path)?;
            report.changed(&file, "copied to the site's templates/shortcodes/");
            shortcodes.push(name);
        }
    }
    let configured_taxonomies: Vec<String> = match config.get("taxonomies") {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|t| t.get("name").and_then(Value::as_str).map(str::to_string))
            .collect(),
        _ => Vec::new(),
    };
    for name in configured_taxonomies
        .iter()
        .filter(|n| !context.taxonomies.contains(n))
    {
        report.attention(
            "config.toml",
            format!("taxonomy `{name}` is not configured in grove.toml: its terms are kept under [extra]; add \"{name}\" to [network] taxonomies to list them"),
        );
    }
    let mut old_urls = urls::ZolaUrls::new(&config);
    for (rel, path) in tree.files("content", "content", &mut report)? {
        if !rel.ends_with(".md") {
            imported.add_file(format!("content/{rel}"), &path)?;
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .map_err(|source| crate::error::Error::io(&path, "cannot read file", source))?;
        if let Ok(page) = parse_page(&path, &text) {
            old_urls.add(&rel, &page.front);
        }
        let text = adapt_front_matter(&rel, &path, text, context, &mut report)?;
        let text = protect_body(&rel, &text, &shortcodes, &mut report);
        let text = super::affiliate::rewrite_links(&text, &rel, &mut imported.products);
        imported.add_text(format!("content/{rel}"), literal_front_matter(text));
        report.pages += 1;
    }
    imported.old_urls = old_urls.finish(context.taxonomies);
    let static_files = tree.files("static", "static", &mut report)?;
    copy_tree(static_files, "static", &mut imported)?;
    report_unused_dirs(
        from,
        &[
            (
                "sass",
                "Sass files are not imported: Grove sites use the network's theme; put compiled CSS in static/",
            ),
            (
                "themes",
                "Zola themes are not imported: Grove sites use the network's theme",
            ),
        ],
        &mut report,
    );
    let templates = files_below(&from.join("templates"))?;
    if templates
        .iter()
        .any(|(rel, _)| !rel.starts_with("shortcodes/"))
    {
        report.attention(
            "templates/",
            "the site's own templates are not imported: Grove sites use the network's theme; a template of the same name in sites/NAME/templates/ overrides it",
        );
    }
    imported.report = report;
    Ok(imported)
}

/// The file's text with what Grove cannot use as written moved under
/// `[extra]`: terms of taxonomies grove.toml does not configure, and
/// templates (`template`, `page_template`) the theme does not have. The
/// front matter is then rewritten as TOML; otherwise the text is kept as
/// it is.
fn adapt_front_matter(
    rel: &str,
    path: &Path,
    text: String,
    context: &Context<'_>,
    report: &mut Report,
) -> Result<String> {
    let page = parse_page(path, &text)?;
    let mut front = page.front;
    let mut extra = match front.get("extra") {
        Some(Value::Object(extra)) => extra.clone(),
        _ => Default::default(),
    };
    let mut changed = false;
    if let Some(Value::Object(taxonomies)) = front.get_mut("taxonomies") {
        let unknown: Vec<String> = taxonomies
            .keys()
            .filter(|n| !context.taxonomies.contains(n))
            .cloned()
            .collect();
        for name in unknown {
            if let Some(terms) = taxonomies.remove(&name) {
                extra.insert(name.clone(), terms);
            }
            report.changed(
                rel,
                format!(
                    "terms of taxonomy `{name}` moved under [extra] (not configured in grove.toml)"
                ),
            );
            changed = true;
        }
        if taxonomies.is_empty() {
            front.remove("taxonomies");
        }
    }
    changed |= keep_paths_inside(rel, &mut front, report);
    let section = rel == "_index.md" || rel.ends_with("/_index.md");
    let known = if section { SECTION_KEYS } else { PAGE_KEYS };
    let unknown: Vec<String> = front
        .keys()
        .filter(|key| !known.contains(&key.as_str()))
        .cloned()
        .collect();
    for key in unknown {
        if let Some(value) = front.remove(&key) {
            extra.insert(key.clone(), value);
        }
        report.attention(
            rel,
            format!("`{key}` is not a front matter key of Zola (which ignored it) or Grove: moved under [extra]; a typo of a known key?"),
        );
        changed = true;
    }
    for key in ["template", "page_template"] {
        let Some(Value::String(template)) = front.get(key).cloned() else {
            continue;
        };
        if context.templates.contains(&template) {
            continue;
        }
        front.remove(key);
        extra.insert(format!("zola_{key}"), Value::String(template.clone()));
        report.attention(
            &format!("templates/{template}"),
            format!("not a template of the theme: pages naming it in `{key}` use the default one (the name is kept as extra.zola_{key}); port it to sites/NAME/templates/ to use it"),
        );
        report.changed(
            rel,
            format!("`{key}` moved under [extra]: the theme has no such template"),
        );
        changed = true;
    }
    if !changed {
        return Ok(text);
    }
    front.remove("extra");
    let mut doc = Document::default();
    let mut keys: Vec<&String> = front.keys().collect();
    keys.sort_by_key(|key| {
        FIRST_KEYS
            .iter()
            .position(|k| k == key)
            .unwrap_or(FIRST_KEYS.len())
    });
    for key in keys {
        match (&front[key], key.as_str()) {
            (Value::String(date), "date" | "updated") => doc.set_date(key, date),
            (value, _) => {
                if let Some(value) = json_to_toml(value) {
                    doc.set(key, value);
                }
            }
        }
    }
    for (key, value) in &extra {
        doc.set_extra(key, value);
    }
    doc.body = page.body;
    Ok(doc.to_text())
}

/// `text` with Tera syntax in its front matter written so that it prints
/// as it is: Zola never expands front matter, Grove does.
fn literal_front_matter(text: String) -> String {
    let start = crate::content::front_matter::body_offset(&text);
    let front = &text[..start];
    if !["{{", "{%", "{#"]
        .iter()
        .any(|opener| front.contains(opener))
    {
        return text;
    }
    format!(
        "{}{}",
        crate::content::escape_front_matter(front),
        &text[start..]
    )
}

/// `path`, `slug` and `aliases` that would lead out of the site made
/// paths inside it (or dropped when nothing is left), each reported;
/// whether anything changed.
fn keep_paths_inside(
    rel: &str,
    front: &mut serde_json::Map<String, Value>,
    report: &mut Report,
) -> bool {
    let mut changed = false;
    for (key, instead) in [
        ("path", ", the page keeps its file's URL"),
        ("slug", ", the page keeps its file's name"),
    ] {
        let Some(Value::String(written)) = front.get(key).cloned() else {
            continue;
        };
        let fixed = if key == "slug" {
            Fixed::slug(&written)
        } else {
            Fixed::path(&written)
        };
        let what = format!("`{key} = \"{}\"`", written.escape_debug());
        fixed.report(report, rel, &what, instead);
        match fixed {
            Fixed::Same => {}
            Fixed::Changed(safe) => {
                front.insert(key.into(), Value::String(safe));
                changed = true;
            }
            Fixed::Dropped => {
                front.remove(key);
                changed = true;
            }
        }
    }
    if let Some(Value::Array(aliases)) = front.get("aliases").cloned() {
        let mut kept = Vec::new();
        for alias in aliases {
            let Value::String(text) = &alias else {
                kept.push(alias);
                continue;
            };
            let fixed = Fixed::alias(text);
            fixed.report(report, rel, &format!("alias `{}`", text.escape_debug()), "");
            match fixed {
                Fixed::Same => kept.push(alias),
                Fixed::Changed(safe) => {
                    kept.push(Value::String(safe));
                    changed = true;
                }
                Fixed::Dropped => changed = true,
            }
        }
        front.insert("aliases".into(), Value::Array(kept));
    }
    changed
}

/// The body as Zola meant it: calls of shortcodes Grove has stay calls;
/// calls of others, body shortcodes (`{% name() %}...{% end %}`) and any
/// other template syntax print as written.
fn protect_body(rel: &str, text: &str, shortcodes: &[String], report: &mut Report) -> String {
    if !crate::content::front_matter::split(Path::new(rel), text)
        .is_ok_and(|s| s.body.contains('{'))
    {
        return text.to_string();
    }
    let body_start = crate::content::front_matter::body_offset(text);
    let body = &text[body_start..];
    let code = code_ranges(body);
    let mut out = String::with_capacity(text.len() + 32);
    // Zola's front matter is not a template; Grove's is.
    out.push_str(&escape_front_matter(&text[..body_start]));
    let mut at = 0;
    while let Some(found) = body[at..].find('{') {
        let start = at + found;
        if let Some(range) = code.iter().find(|r| r.contains(&start)) {
            out.push_str(&body[at..range.end]);
            at = range.end;
            continue;
        }
        out.push_str(&body[at..start]);
        let rest = &body[start..];
        let opener = rest.get(..2).unwrap_or_default();
        if !["{{", "{%", "{#"].contains(&opener) {
            out.push('{');
            at = start + 1;
            continue;
        }
        if rest[2..].starts_with("/*") {
            // Zola's escape: Grove prints it as the literal call.
            out.push_str(opener);
            at = start + 2;
            continue;
        }
        let close = if opener == "{%" { "%}" } else { "}}" };
        let call = rest.find(close).map(|end| &rest[2..end]).and_then(|inner| {
            let inner = inner.trim();
            let name = inner.split('(').next()?.trim();
            let is_call = inner.ends_with(')')
                && !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            (opener != "{#" && is_call).then(|| (name.to_string(), inner.to_string()))
        });
        let end_tag = opener == "{%"
            && rest
                .find(close)
                .is_some_and(|end| rest[2..end].trim() == "end");
        match call {
            Some((name, _)) if opener == "{{" && shortcodes.contains(&name) => {
                let end = rest.find(close).unwrap_or(0) + 2;
                out.push_str(&rest[..end]);
                at = start + end;
            }
            Some((name, inner)) => {
                let end = rest.find(close).unwrap_or(0) + 2;
                out.push_str(&format!("{opener}/* {inner} */{}", &close));
                at = start + end;
                let why = if opener == "{%" {
                    "a body shortcode (Grove's shortcodes take no body)"
                } else {
                    "a shortcode Grove's theme does not have"
                };
                report.attention(
                    rel,
                    format!(
                        "`{name}` is {why}: kept as text; write it as HTML or a Grove shortcode"
                    ),
                );
            }
            None if end_tag => {
                let end = rest.find(close).unwrap_or(0) + 2;
                out.push_str("{%/* end */%}");
                at = start + end;
            }
            None => {
                out.push_str(&escaped_opener(opener));
                at = start + 2;
            }
        }
    }
    out.push_str(&body[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_calls_stay_and_others_print_as_written() {
        let mut report = Report::default();
        let text = "+++\ntitle = \"A\"\n+++\n{{ product_box(slug=\"x\") }}\n\n{{ youtube(id=\"abc\") }}\n\n{% note(kind=\"tip\") %}\nHi\n{% end %}\n\nLiteral {{ page.title }} and `{{ code }}` and {{/* esc() */}}.\n";
        let out = protect_body("a.md", text, &["product_box".to_string()], &mut report);
        assert!(out.contains("{{ product_box(slug=\"x\") }}"), "{out}");
        assert!(out.contains("{{/* youtube(id=\"abc\") */}}"), "{out}");
        assert!(
            out.contains("{%/* note(kind=\"tip\") */%}\nHi\n{%/* end */%}"),
            "{out}"
        );
        assert!(out.contains("Literal {{ \"{{\" }} page.title }}"), "{out}");
        assert!(
            out.contains("`{{ code }}`") && out.contains("{{/* esc() */}}"),
            "{out}"
        );
        assert_eq!(report.attention.len(), 2);
    }
}
