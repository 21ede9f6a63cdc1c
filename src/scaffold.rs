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

/// The prompts `grove new` writes, as (path below `prompts/`, contents):
/// one per kind of article its briefs use, and the one `grove refresh`'s
/// briefs use.
pub const DEFAULT_PROMPTS: &[(&str, &str)] = &[
    ("guide.md", include_str!("../prompts/guide.md")),
    ("review.md", include_str!("../prompts/review.md")),
    ("refresh.md", include_str!("../prompts/refresh.md")),
];

/// `grove.toml` of a new network; `{name}` is the network's name.
const NETWORK_TOML: &str = r#"[network]
name = "{name}"
theme = "default"
output_dir = "public"
taxonomies = ["tags", "categories"]
default_language = "en"

[build]
smart_punctuation = true

# How `grove draft` and `grove research` reach a model. By default, a local
# OpenAI-compatible server: Ollama at its default address, after
# `ollama pull llama3.2`. llama.cpp's server, vLLM and LM Studio work the
# same way: change base_url and model. `grove doctor` checks that the server
# answers and knows the model.
[llm]
provider = "openai"
base_url = "http://localhost:11434/v1"
model = "llama3.2"
max_tokens = 2000
max_concurrency = 2
timeout_secs = 300
# USD per million tokens, for the estimates of `grove plan` and the costs of
# `grove usage`: a local model costs nothing.
input_price_per_million = 0.0
output_price_per_million = 0.0

# OpenAI instead (the key stays in the environment, never in this file):
# provider = "openai"
# base_url = "https://api.openai.com/v1"
# model = "gpt-4o-mini"
# api_key_env = "OPENAI_API_KEY"
# input_price_per_million = ...    your model's current prices
# output_price_per_million = ...

# Anthropic instead:
# provider = "anthropic"
# model = "claude-3-5-haiku-latest"
# api_key_env = "ANTHROPIC_API_KEY"
# input_price_per_million = ...
# output_price_per_million = ...

# What `grove audit` checks before publishing. Pages meant to be alike in
# every site are listed in `shared`; "block" also stops `grove build` on an
# error finding.
[quality]
gate = "warn"
shared = ["about.md"]
"#;

/// The blueprint's briefs: articles `grove draft` writes for every site,
/// in each site's own words through its variables.
const BRIEFS_TOML: &str = r#"# Articles `grove draft` writes for every site. Every string is a Tera
# template expanded with the site (its site.toml), so each brief becomes a
# different article per niche. Drafts land in
# sites/<site>/content/<section>/<slug>.md with draft = true; `grove review`
# shows them and `grove approve` publishes them. `kind` picks the prompt in
# prompts/<kind>.md. A site can add its own in sites/<site>/briefs.toml.

[[brief]]
slug = "getting-started"
title = "Getting started with {{ site.niche }}"
section = "guides"
kind = "guide"
target_words = 600
keywords = ["{{ site.niche }}", "beginner", "first steps"]
tags = ["getting started"]
description = "The first things to know about {{ site.niche }}, in plain words."

[[brief]]
slug = "best-{{ site.vars.product_kind | slugify }}"
title = "The best {{ site.vars.product_kind }} for {{ site.audience }}"
section = "reviews"
kind = "review"
target_words = 700
keywords = ["best {{ site.vars.product_kind }}"]
affiliates = ["{{ site.vars.top_pick }}"]
tags = ["reviews"]
outline = true
"#;

/// The affiliate registry of a new network: one entry to copy.
const AFFILIATES_TOML: &str = r#"# The network's affiliate registry: one entry per product or link, by slug.
# Content links to an entry as [text](aff:slug) or with the product_box
# shortcode; `url` is a Tera template, so each site gets its own tracking tag
# from the [affiliate] table of its site.toml. `grove affiliates` shows which
# pages use each entry.

[example-product]
name = "Example Product"
program = "amazon"
url = "https://www.amazon.com/dp/B000000000?tag={{ site.affiliate.amazon_tag }}"
description = "Replace with a product your readers need, in one sentence."
price = "$49"
rating = 4.5
pros = ["What it does well"]
cons = ["What to know before buying"]
"#;

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

/// Writes a new network into `dir`: config (with a local model for
/// drafting), blueprint with briefs, prompts, affiliate registry, one
/// example site and the default theme.
pub fn write_network(dir: &Path, name: &str) -> Result<()> {
    let name = name.replace('\\', "\\\\").replace('"', "\\\"");
    let grove_toml = NETWORK_TOML.replace("{name}", &name);
    let files: &[(&str, &str)] = &[
        ("grove.toml", &grove_toml),
        (".gitignore", "/public/\n/.grove/\n"),
        ("affiliates.toml", AFFILIATES_TOML),
        ("content/briefs.toml", BRIEFS_TOML),
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
        (
            "content/reviews/_index.md",
            "+++\ntitle = \"Reviews\"\nsort_by = \"date\"\npaginate_by = 10\n+++\n",
        ),
    ];
    for (path, text) in files {
        write_file(&dir.join(path), text.as_bytes())?;
    }
    for (path, text) in DEFAULT_PROMPTS {
        write_file(&dir.join("prompts").join(path), text.as_bytes())?;
    }
    for (path, text) in DEFAULT_THEME {
        write_file(&dir.join("themes/default").join(path), text.as_bytes())?;
    }
    write_site(
        dir,
        "example",
        &SiteValues {
            title: "Example Site",
            base_url: "https://example.com",
            niche: "an example niche",
            ..SiteValues::default()
        },
    )?;
    write_file(
        &dir.join("sites/example/content/guides/first-guide.md"),
        b"+++\ntitle = \"Your first guide\"\ndate = 2026-01-01\ntags = [\"getting started\"]\n+++\n\nWrite here. Link to other pages with [links like this](@/about.md).\n",
    )
}

/// The values a new site starts with until its owner says otherwise:
/// (key in site.toml, value). `grove doctor` warns while any is left, since
/// every site with them drafts the same titles.
pub const EXAMPLE_VALUES: [(&str, &str); 4] = [
    ("audience", "people getting started"),
    ("description", ""),
    ("vars.product_kind", "starter kits"),
    ("vars.top_pick", "example-product"),
];

/// What a new site is about; `None` leaves the example's value.
#[derive(Debug, Clone, Default)]
pub struct SiteValues<'a> {
    /// The site title.
    pub title: &'a str,
    /// Where it is served.
    pub base_url: &'a str,
    /// One line about its topic.
    pub niche: &'a str,
    /// Who reads it.
    pub audience: Option<&'a str>,
    /// One sentence about it.
    pub description: Option<&'a str>,
    /// What it reviews (`vars.product_kind`).
    pub product_kind: Option<&'a str>,
    /// The registry entry its review brief features (`vars.top_pick`).
    pub top_pick: Option<&'a str>,
}

/// Writes `sites/<name>/site.toml` (with the variables the scaffold's
/// briefs use and an affiliate tag) and an empty `content/` folder.
pub fn write_site(root: &Path, name: &str, values: &SiteValues<'_>) -> Result<()> {
    let quote = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
    let example = |key: &str| {
        EXAMPLE_VALUES
            .iter()
            .find(|(k, _)| *k == key)
            .map_or("", |(_, v)| *v)
    };
    let site_toml = format!(
        r#"title = "{}"
# Where the site will be served: links, the sitemap and feeds use it.
base_url = "{}"
niche = "{}"
audience = "{}"
description = "{}"
# language = "en"

# Free-form values for templates, content and briefs: {{{{ site.vars.product_kind }}}}
[vars]
product_kind = "{}"
# The affiliate registry entry (affiliates.toml) the review brief features.
top_pick = "{}"

# This site's tags for affiliate programs, used by the registry's URLs.
[affiliate]
amazon_tag = "{}-20"
"#,
        quote(values.title),
        quote(values.base_url),
        quote(values.niche),
        quote(values.audience.unwrap_or(example("audience"))),
        quote(values.description.unwrap_or(example("description"))),
        quote(values.product_kind.unwrap_or(example("vars.product_kind"))),
        quote(values.top_pick.unwrap_or(example("vars.top_pick"))),
        quote(name)
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
