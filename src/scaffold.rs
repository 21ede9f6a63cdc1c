//! Files written by `grove new` and `grove new-site`. The default theme is
//! compiled into the binary, so a new network builds without downloads.

use std::path::Path;

use crate::error::Result;
use crate::output::write_file;

/// The default theme, as (path below `themes/default/`, contents).
pub const DEFAULT_THEME: &[(&str, &str)] = &[
    (
        "static/style.css",
        include_str!("../themes/default/static/style.css"),
    ),
    (
        "templates/404.html",
        include_str!("../themes/default/templates/404.html"),
    ),
    (
        "templates/base.html",
        include_str!("../themes/default/templates/base.html"),
    ),
    (
        "templates/card.html",
        include_str!("../themes/default/templates/card.html"),
    ),
    (
        "templates/index.html",
        include_str!("../themes/default/templates/index.html"),
    ),
    (
        "templates/macros.html",
        include_str!("../themes/default/templates/macros.html"),
    ),
    (
        "templates/page.html",
        include_str!("../themes/default/templates/page.html"),
    ),
    (
        "templates/section.html",
        include_str!("../themes/default/templates/section.html"),
    ),
    (
        "templates/shortcodes/comparison_table.html",
        include_str!("../themes/default/templates/shortcodes/comparison_table.html"),
    ),
    (
        "templates/shortcodes/cta.html",
        include_str!("../themes/default/templates/shortcodes/cta.html"),
    ),
    (
        "templates/shortcodes/product_box.html",
        include_str!("../themes/default/templates/shortcodes/product_box.html"),
    ),
    (
        "templates/shortcodes/pros_cons.html",
        include_str!("../themes/default/templates/shortcodes/pros_cons.html"),
    ),
    (
        "templates/taxonomy_list.html",
        include_str!("../themes/default/templates/taxonomy_list.html"),
    ),
    (
        "templates/taxonomy_single.html",
        include_str!("../themes/default/templates/taxonomy_single.html"),
    ),
];

/// "home-espresso" -> "Home Espresso".
pub fn title_from_name(name: &str) -> String {
    name.split(['-', '_'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Writes a new network into `dir`: config, blueprint, one example site and
/// the default theme.
pub fn write_network(dir: &Path, name: &str) -> Result<()> {
    let grove_toml = format!(
        r#"[network]
name = "{}"
theme = "default"
output_dir = "public"
taxonomies = ["tags", "categories"]
default_language = "en"

[build]
smart_punctuation = true

# What `grove audit` checks before publishing. Pages meant to be alike in
# every site are listed in `shared`; "block" also stops `grove build` on an
# error finding.
[quality]
gate = "warn"
shared = ["about.md"]
"#,
        name.replace('"', "\\\"")
    );
    let files: &[(&str, &str)] = &[
        ("grove.toml", &grove_toml),
        (".gitignore", "/public/\n/.grove/\n"),
        (
            "content/_index.md",
            "+++\ntitle = \"{{ site.title }}\"\n+++\n\nWelcome to {{ site.title }}, a site about {{ site.niche }}.\n",
        ),
        (
            "content/about.md",
            "+++\ntitle = \"About\"\n+++\n\n{{ site.title }} is written for {{ site.audience }}.\n",
        ),
        (
            "content/guides/_index.md",
            "+++\ntitle = \"Guides\"\nsort_by = \"date\"\npaginate_by = 10\n+++\n",
        ),
    ];
    for (path, text) in files {
        write_file(&dir.join(path), text.as_bytes())?;
    }
    for (path, text) in DEFAULT_THEME {
        write_file(&dir.join("themes/default").join(path), text.as_bytes())?;
    }
    write_site(
        dir,
        "example",
        "Example Site",
        "https://example.com",
        "an example niche",
    )?;
    write_file(
        &dir.join("sites/example/content/guides/first-guide.md"),
        b"+++\ntitle = \"Your first guide\"\ndate = 2026-01-01\ntags = [\"getting started\"]\n+++\n\nWrite here. Link to other pages with [links like this](@/about.md).\n",
    )
}

/// Writes `sites/<name>/site.toml` and an empty `content/` folder.
pub fn write_site(root: &Path, name: &str, title: &str, base_url: &str, niche: &str) -> Result<()> {
    let quote = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
    let site_toml = format!(
        r#"title = "{}"
base_url = "{}"
niche = "{}"
audience = "people getting started"
description = ""
# language = "en"

[vars]
# Free-form values for templates and content: {{{{ site.vars.example }}}}

[affiliate]
# Program tags, e.g. amazon_tag = "mysite-20"
"#,
        quote(title),
        quote(base_url),
        quote(niche)
    );
    let dir = root.join("sites").join(name);
    write_file(&dir.join("site.toml"), site_toml.as_bytes())?;
    std::fs::create_dir_all(dir.join("content"))
        .map_err(|source| crate::Error::io(dir.join("content"), "cannot create folder", source))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_theme_matches_the_theme_folder() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
        let mut on_disk: Vec<String> = walkdir::WalkDir::new(&dir)
            .into_iter()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                e.path()
                    .strip_prefix(&dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        on_disk.sort();
        let embedded: Vec<String> = DEFAULT_THEME.iter().map(|(p, _)| p.to_string()).collect();
        assert_eq!(
            embedded, on_disk,
            "update DEFAULT_THEME when theme files change"
        );
    }

    #[test]
    fn titles_from_names() {
        assert_eq!(title_from_name("home-espresso"), "Home Espresso");
    }
}
