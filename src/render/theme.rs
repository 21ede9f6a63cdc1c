//! Themes: `themes/<name>/templates/` parsed once per build, with a site's
//! `sites/<niche>/templates/` laid over them.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use tera::Tera;
use walkdir::WalkDir;

use super::listing::ListingFields;
use crate::error::{Error, Location, Result};
use crate::templating::{self, template_error, theme_tera};

/// A parsed theme.
pub struct Theme {
    /// `themes/<name>/`.
    pub dir: PathBuf,
    tera: Tera,
    sources: Vec<TemplateFile>,
}

/// One template file, as read.
#[derive(Debug, Clone)]
struct TemplateFile {
    name: String,
    path: PathBuf,
    text: String,
    /// See [`reads_unnamed_fields`].
    reads_unnamed_fields: bool,
}

impl Theme {
    /// Loads `themes/<name>/` below the network root. `config_file` is named
    /// in the error when the theme does not exist.
    pub fn load(root: &Path, name: &str, config_file: &Path) -> Result<Theme> {
        let dir = root.join("themes").join(name);
        let templates_dir = dir.join("templates");
        if !templates_dir.is_dir() {
            return Err(Error::Config {
                location: Location::file(config_file),
                message: format!(
                    "theme `{name}` not found: there is no {} folder",
                    templates_dir.display()
                ),
            });
        }
        let sources = template_files(&templates_dir)?;
        let mut tera = theme_tera();
        add_templates(&mut tera, &sources)?;
        Ok(Theme { dir, tera, sources })
    }

    /// `themes/<name>/static/`.
    pub fn static_dir(&self) -> PathBuf {
        self.dir.join("static")
    }

    /// This theme's templates with `site_templates` (if the folder exists)
    /// overriding templates of the same name.
    pub fn for_site(&self, site_templates: &Path) -> Result<SiteTemplates> {
        let mut tera = self.tera.clone();
        let mut names: HashSet<String> = self.sources.iter().map(|t| t.name.clone()).collect();
        if site_templates.is_dir() {
            let overrides = template_files(site_templates)?;
            // Re-adding every theme template with the overrides keeps
            // inheritance chains consistent across both folders.
            let mut all: Vec<TemplateFile> = self
                .sources
                .iter()
                .filter(|t| !overrides.iter().any(|o| o.name == t.name))
                .cloned()
                .collect();
            all.extend(overrides);
            names = all.iter().map(|t| t.name.clone()).collect();
            tera = theme_tera();
            add_templates(&mut tera, &all)?;
            return Ok(SiteTemplates {
                tera,
                names,
                sources: all,
            });
        }
        Ok(SiteTemplates {
            tera,
            names,
            sources: self.sources.clone(),
        })
    }
}

/// The templates one site renders with.
pub struct SiteTemplates {
    /// The Tera instance (functions are registered on it per site).
    pub tera: Tera,
    names: HashSet<String>,
    sources: Vec<TemplateFile>,
}

impl SiteTemplates {
    /// Every template name, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        let mut names: Vec<&str> = self.names.iter().map(String::as_str).collect();
        names.sort_unstable();
        names.into_iter()
    }

    /// Whether a template called `name` exists.
    pub fn has(&self, name: &str) -> bool {
        self.names.contains(name)
    }

    /// Whether both have the same template names.
    pub fn same_names(&self, other: &SiteTemplates) -> bool {
        self.names == other.names
    }

    /// The templates that use any of `changed`, themselves included:
    /// through `extends`, `include` or `import` (or `card()` for
    /// card.html), at any depth. A template
    /// uses another when its source names it in quotes, which may count a
    /// template that merely mentions the name, never miss one that uses it.
    pub fn users_of(&self, changed: &[String]) -> BTreeSet<String> {
        let mut users: BTreeSet<String> = changed.iter().cloned().collect();
        loop {
            let before = users.len();
            for template in &self.sources {
                // `card()` renders card.html without naming it.
                let calls_card = users.contains(super::cards::CARD_TEMPLATE)
                    && template.text.contains("card(rel");
                if !users.contains(&template.name)
                    && (calls_card || users.iter().any(|used| names(&template.text, used)))
                {
                    users.insert(template.name.clone());
                }
            }
            if users.len() == before {
                return users;
            }
        }
    }

    /// Whether some template may read `word` (a variable, function or
    /// field): it names it anywhere, or reads fields it does not name
    /// (dumps a value with `json_encode` or `__tera_context`, loops over an
    /// object's keys, or indexes with a variable: `value[key]`).
    ///
    /// Shortcodes only see their arguments (at content time), so they count
    /// only when a page template includes them.
    pub fn may_name(&self, word: &str) -> bool {
        self.templates_given_values()
            .any(|t| t.reads_unnamed_fields || t.text.contains(word))
    }

    /// Whether some template may read listing field `field`: it reads it
    /// by name from a value that may be a listing value (see
    /// [`names_field`]), or reads fields it does not name.
    pub fn may_read_listing_field(&self, field: &str) -> bool {
        let given: Vec<&TemplateFile> = self.templates_given_values().collect();
        let roots = own_value_roots(&given, &[]);
        given
            .iter()
            .any(|t| t.reads_unnamed_fields || names_field(&t.text, field, &roots))
    }

    /// The templates that render with values (pages, sections, the site):
    /// every template but the shortcodes no template includes, which only
    /// see their arguments (at content time).
    fn templates_given_values(&self) -> impl Iterator<Item = &TemplateFile> {
        let (shortcodes, page_templates): (Vec<&TemplateFile>, Vec<&TemplateFile>) = self
            .sources
            .iter()
            .partition(|t| t.name.starts_with("shortcodes/"));
        let included: Vec<&TemplateFile> = shortcodes
            .into_iter()
            .filter(|shortcode| {
                page_templates
                    .iter()
                    .any(|t| names(&t.text, &shortcode.name))
            })
            .collect();
        page_templates.into_iter().chain(included)
    }

    /// Which fields of listing values `template` may read: those named in
    /// it or in any template it uses (`extends`, `include`, `import`, at any
    /// depth), or all when one of them reads fields it does not name. Like
    /// [`SiteTemplates::users_of`], a mention counts as a use: a field may
    /// be kept needlessly, never dropped while read.
    pub fn listing_fields(&self, template: &str) -> ListingFields {
        self.listing_fields_besides(template, &[])
    }

    /// Which fields of listing values page template `template` may read
    /// besides its own page's (`page.x`, unless it binds `page` to
    /// another value): those of its related pages.
    pub fn related_fields(&self, template: &str) -> ListingFields {
        self.listing_fields_besides(template, &["page"])
    }

    /// [`SiteTemplates::listing_fields`], with the variables `own` also
    /// holding values that are not listing values.
    fn listing_fields_besides(&self, template: &str, own: &[&'static str]) -> ListingFields {
        let used = self.closure(template);
        if used.iter().any(|t| t.reads_unnamed_fields) {
            return ListingFields::All;
        }
        let roots = own_value_roots(&used, own);
        ListingFields::named(|field| used.iter().any(|t| names_field(&t.text, field, &roots)))
    }

    /// Whether `template`, or a template it uses, may read `word` (names
    /// it, or reads fields it does not name): a mention counts as a read.
    pub fn may_mention(&self, template: &str, word: &str) -> bool {
        self.closure(template)
            .iter()
            .any(|t| t.reads_unnamed_fields || t.text.contains(word))
    }

    /// `template` and every template it uses (`extends`, `include`,
    /// `import`), at any depth.
    fn closure(&self, template: &str) -> Vec<&TemplateFile> {
        let mut used: Vec<&TemplateFile> = Vec::new();
        let mut pending = vec![template];
        while let Some(name) = pending.pop() {
            let Some(file) = self.sources.iter().find(|t| t.name == name) else {
                continue;
            };
            if used.iter().any(|t| t.name == file.name) {
                continue;
            }
            used.push(file);
            pending.extend(
                self.sources
                    .iter()
                    .map(|t| t.name.as_str())
                    .filter(|other| names(&file.text, other)),
            );
        }
        used
    }

    /// Which fields of listing values any template may read: what a
    /// site's listing values need to hold. All when a template reads fields
    /// it does not name.
    pub fn listing_fields_of_all(&self) -> ListingFields {
        if self
            .templates_given_values()
            .any(|t| t.reads_unnamed_fields)
        {
            return ListingFields::All;
        }
        ListingFields::named(|field| self.may_read_listing_field(field))
    }

    /// The file a template was read from, for error messages.
    pub fn file_of(&self, name: &str) -> Option<&Path> {
        self.sources
            .iter()
            .find(|t| t.name == name)
            .map(|t| t.path.as_path())
    }
}

/// Whether template source `text` names the template `name` in quotes, as
/// `extends`, `include` and `import` do (or merely mentions it: a use may be
/// counted needlessly, never missed).
fn names(text: &str, name: &str) -> bool {
    ['"', '\'', '`']
        .iter()
        .any(|quote| text.contains(&format!("{quote}{name}{quote}")))
}

/// Variables of the template context that hold a value of their own, never
/// a listing value: `site.taxonomies` reads the site's field, not a listed
/// page's.
const OWN_VALUE_ROOTS: [&str; 6] = ["site", "seo", "section", "term", "taxonomy", "config"];

/// The [`OWN_VALUE_ROOTS`] and `more` that `templates` never bind to
/// another value: in every tag of every one of them the name is followed by
/// a `.` (a `for`, `set` or macro parameter of that name is followed by
/// something else).
fn own_value_roots(templates: &[&TemplateFile], more: &[&'static str]) -> Vec<&'static str> {
    OWN_VALUE_ROOTS
        .into_iter()
        .chain(more.iter().copied())
        .filter(|root| {
            templates.iter().all(|t| {
                tera_tags(&t.text).all(|tag| {
                    word_positions(tag, root).all(|at| tag[at + root.len()..].starts_with('.'))
                })
            })
        })
        .collect()
}

/// Where `word` stands in `text` as a whole word (not part of a longer
/// name or of a field path).
fn word_positions<'a>(text: &'a str, word: &'a str) -> impl Iterator<Item = usize> + 'a {
    let is_name = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word)
        .map(|(at, _)| at)
        .filter(move |&at| {
            let before = text[..at].chars().next_back();
            let after = text[at + word.len()..].chars().next();
            !before.is_some_and(|c| is_name(c) || c == '.') && !after.is_some_and(is_name)
        })
}

/// Whether `text` reads `field` of some value: names it as `.field` or as
/// a string (`["field"]`, `attribute="field"`), other than as `root.field`
/// for one of `roots` (variables that are never listing values). A mention
/// counts as a read, so a field is kept needlessly rather than dropped
/// while read; fields read without being named are
/// [`reads_unnamed_fields`]'s.
fn names_field(text: &str, field: &str, roots: &[&str]) -> bool {
    let is_name = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(field).any(|(at, _)| {
        let before = &text[..at];
        let read = before.ends_with(['.', '"', '\'', '`'])
            && !text[at + field.len()..].starts_with(is_name);
        read && !roots.iter().any(|root| {
            before
                .strip_suffix('.')
                .and_then(|before| before.strip_suffix(root))
                .is_some_and(|before| !before.ends_with(|c: char| is_name(c) || c == '.'))
        })
    })
}

/// Whether `text` (a template) may read fields of a value without naming
/// them; errs on the side of yes. Reading `a.b[key]` or looping over
/// `a.b`'s keys reads inside field `b`, which the template names.
fn reads_unnamed_fields(text: &str) -> bool {
    tera_tags(text).any(|tag| {
        if tag.contains("json_encode") || tag.contains("__tera_context") {
            return true;
        }
        // `{% for key, value in object %}`.
        let statement = tag.trim_start_matches('-').trim_start();
        if let Some((vars, object)) = statement
            .strip_prefix("for ")
            .and_then(|rest| rest.split_once(" in "))
        {
            let object = object.trim().split(['|', ' ']).next().unwrap_or_default();
            if vars.contains(',') && !object.contains('.') {
                return true;
            }
        }
        // `value[key]`: an index that is neither a number nor a string.
        tag.match_indices('[').any(|(at, _)| {
            let indexed: String = tag[..at]
                .chars()
                .rev()
                .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '.'))
                .collect();
            let after = tag[at + 1..].trim_start().chars().next();
            !indexed.is_empty()
                && !indexed.contains('.')
                && after.is_some_and(|c| c.is_alphabetic() || c == '_')
        })
    })
}

/// The insides of a template's `{{ ... }}` and `{% ... %}` tags.
fn tera_tags(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        // The first `{` opening a tag: searching for `{{` and `{%` apart
        // scanned the rest of the template twice per tag.
        let start = rest
            .match_indices('{')
            .map(|(at, _)| at)
            .find(|&at| matches!(rest.as_bytes().get(at + 1), Some(b'{' | b'%')))?;
        let close = if rest[start..].starts_with("{{") {
            "}}"
        } else {
            "%}"
        };
        let inner = &rest[start + 2..];
        let end = inner.find(close).unwrap_or(inner.len());
        rest = &inner[end..];
        Some(&inner[..end])
    })
}

fn template_files(dir: &Path) -> Result<Vec<TemplateFile>> {
    let mut files = Vec::new();
    for entry in WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| {
            Error::io(
                e.path().unwrap_or(dir).to_path_buf(),
                "cannot read templates",
                e.into(),
            )
        })?;
        if !entry.file_type().is_file() || entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let name = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        let path = entry.path().to_path_buf();
        let text = std::fs::read_to_string(&path)
            .map_err(|source| Error::io(&path, "cannot read template", source))?;
        files.push(TemplateFile {
            reads_unnamed_fields: reads_unnamed_fields(&text),
            name,
            path,
            text,
        });
    }
    Ok(files)
}

fn add_templates(tera: &mut Tera, files: &[TemplateFile]) -> Result<()> {
    let sources = files
        .iter()
        .map(|file| (file.name.clone(), file.text.clone()));
    if let Err(error) = tera.add_raw_templates(sources) {
        // Parsed one by one only now (parsing is most of loading a theme),
        // so a syntax error names its own file.
        for file in files {
            tera::Template::new(&file.name, None, &file.text)
                .map_err(|e| template_error(&file.path, &e))?;
        }
        // Inheritance errors (a missing parent): name the theme folder.
        let dir = files
            .first()
            .and_then(|file| strip_name(&file.path, &file.name))
            .unwrap_or_default();
        return Err(template_error(&dir, &error));
    }
    templating::instrument(tera);
    Ok(())
}

/// The templates folder, given a template's path and name.
fn strip_name(path: &Path, name: &str) -> Option<PathBuf> {
    let mut dir = path.to_path_buf();
    for _ in name.split('/') {
        dir = dir.parent()?.to_path_buf();
    }
    Some(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A theme of `files` (name, source) in a temporary folder (kept alive
    /// by the returned guard), loaded for a site without templates.
    fn site_templates(files: &[(&str, &str)]) -> (tempfile::TempDir, SiteTemplates) {
        let root = tempfile::tempdir().unwrap();
        let templates = root.path().join("themes/t/templates");
        std::fs::create_dir_all(&templates).unwrap();
        for (name, text) in files {
            std::fs::write(templates.join(name), text).unwrap();
        }
        let theme = Theme::load(root.path(), "t", Path::new("grove.toml")).unwrap();
        let site = theme.for_site(&root.path().join("none")).unwrap();
        (root, site)
    }

    #[test]
    fn users_of_a_template_are_found_through_every_kind_of_reference() {
        let (_root, site) = site_templates(&[
            (
                "base.html",
                "<main>{% block content %}{% endblock content %}</main>",
            ),
            (
                "macros.html",
                "{% macro card(x) %}{{ x }}{% endmacro card %}",
            ),
            (
                "partial.html",
                "{% import 'macros.html' as m %}{{ m::card(x=1) }}",
            ),
            (
                "page.html",
                "{% extends \"base.html\" %}{% block content %}{% include `partial.html` %}{% endblock content %}",
            ),
            ("other.html", "plain"),
            ("card.html", "<li>{{ page.title }}</li>"),
            (
                "section.html",
                "{% for p in pages %}{{ card(rel=p.relative_path) }}{% endfor %}",
            ),
        ]);
        let users = |name: &str| -> Vec<String> {
            site.users_of(&[name.to_string()]).into_iter().collect()
        };
        assert_eq!(
            users("macros.html"),
            ["macros.html", "page.html", "partial.html"]
        );
        assert_eq!(users("base.html"), ["base.html", "page.html"]);
        assert_eq!(users("other.html"), ["other.html"]);
        // `card()` renders card.html without naming it.
        assert_eq!(users("card.html"), ["card.html", "section.html"]);
    }

    #[test]
    fn listing_fields_are_those_a_template_and_what_it_uses_name() {
        let (_root, site) = site_templates(&[
            (
                "base.html",
                "<title>{{ page.title }}</title>{% block content %}{% endblock content %}",
            ),
            (
                "macros.html",
                "{% macro date(p) %}{{ p.date }}{% endmacro date %}",
            ),
            (
                "section.html",
                "{% extends 'base.html' %}{% import \"macros.html\" as m %}{% block content %}{% for p in section.pages %}<a href=\"{{ p.path }}\">{{ m::date(p=p) }}</a>{% endfor %}{% endblock content %}",
            ),
            ("dump.html", "{{ section.pages | json_encode() }}"),
        ]);
        assert_eq!(
            site.listing_fields("section.html"),
            ListingFields::Only(vec!["title", "date", "path"])
        );
        assert_eq!(site.listing_fields("dump.html"), ListingFields::All);
    }

    #[test]
    fn fields_of_the_site_and_other_own_values_are_not_listing_fields() {
        let section = "{% for p in section.pages %}{{ p.path }}{% endfor %}\
            {% for t in site.taxonomies %}{{ t.name }}{% endfor %}{{ seo.description }} {{ section.title }}";
        let (_root, site) = site_templates(&[("section.html", section)]);
        assert_eq!(
            site.listing_fields("section.html"),
            ListingFields::Only(vec!["path"])
        );
        // A loop that binds `site` to a listed page makes `site.` a read.
        let rebound = "{% for site in section.pages %}{{ site.taxonomies }}{% endfor %}";
        let (_root, site) = site_templates(&[("section.html", rebound)]);
        assert!(site.listing_fields("section.html").includes("taxonomies"));
        // A field read through a longer path still counts.
        let nested = "{{ section.pages[0].title }} {{ page.section.description }}\
            <title>{% block path %}{{ current_path }}{% endblock path %}</title>\
            {% for p in term.pages | sort(attribute=\"date\") %}{{ p[\"word_count\"] }}{% endfor %}";
        let (_root, site) = site_templates(&[("section.html", nested)]);
        assert_eq!(
            site.listing_fields("section.html"),
            ListingFields::Only(vec!["title", "description", "date", "word_count"])
        );
    }

    #[test]
    fn related_fields_are_those_read_of_values_other_than_the_page() {
        let page = "{{ page.title }}{{ page.taxonomies }}{% for item in page.related %}{{ item.path }}{% endfor %}";
        let (_root, site) = site_templates(&[("page.html", page)]);
        assert_eq!(
            site.related_fields("page.html"),
            ListingFields::Only(vec!["path"])
        );
        // Bound to a related page, `page` is a listing value.
        let rebound =
            "{{ page.title }}{% for page in page.related %}{{ page.description }}{% endfor %}";
        let (_root, site) = site_templates(&[("page.html", rebound)]);
        assert_eq!(
            site.related_fields("page.html"),
            ListingFields::Only(vec!["title", "description"])
        );
    }

    #[test]
    fn fields_read_without_their_name_are_detected() {
        for dynamic in [
            "{{ page | json_encode() }}",
            "{% for key, value in page %}{{ value }}{% endfor %}",
            "{%- for key, value in page | reverse %}{% endfor %}",
            "{{ page[field] }}",
            "{{ __tera_context }}",
        ] {
            assert!(reads_unnamed_fields(dynamic), "{dynamic}");
        }
        for named in [
            "{% for name, terms in page.taxonomies %}{% endfor %}",
            "{{ page.extra[key] }}",
            "{{ pages[0].title }} {{ page[\"title\"] }}",
            "{% for p in pages %}{{ p.title }}{% endfor %}",
            "<style>a[href] { color: red }</style>",
        ] {
            assert!(!reads_unnamed_fields(named), "{named}");
        }
    }
}
