//! Content features on small fixture networks: sections, sorting,
//! pagination, aliases, bundles, summaries, tables of contents, base paths,
//! and the scaffolding commands.

use crate::common;

use crate::common::{Fixture, attrs, grove_in, text, texts};

fn network_with_pages(count: usize, section_front_matter: &str) -> Fixture {
    let net = Fixture::new();
    net.site("alpha", "Alpha");
    net.write(
        "content/blog/_index.md",
        &format!("+++\ntitle = \"Blog\"\n{section_front_matter}\n+++\n"),
    );
    for i in 1..=count {
        net.write(
            &format!("sites/alpha/content/blog/post-{i}.md"),
            &format!("+++\ntitle = \"Post {i}\"\ndate = 2026-01-{i:02}\nweight = {}\ntags = [\"all\"]\n+++\nBody {i}.\n", 100 - i),
        );
    }
    net
}

#[test]
fn sections_paginate_with_working_pager_links() {
    let net = network_with_pages(5, "paginate_by = 2");
    net.build(&[]);
    let first = net.html("alpha/blog/index.html");
    assert_eq!(texts(&first, ".card-title"), vec!["Post 5", "Post 4"]);
    assert_eq!(attrs(&first, "a[rel=next]", "href"), vec!["/blog/page/2/"]);
    let last = net.html("alpha/blog/page/3/index.html");
    assert_eq!(texts(&last, ".card-title"), vec!["Post 1"]);
    assert_eq!(attrs(&last, "a[rel=prev]", "href"), vec!["/blog/page/2/"]);
    assert!(attrs(&last, "a[rel=next]", "href").is_empty());
    let redirect = net.html("alpha/blog/page/1/index.html");
    assert_eq!(
        attrs(&redirect, "link[rel=canonical]", "href"),
        vec!["/blog/"]
    );
    assert!(!net.out("alpha/blog/page/4/index.html").exists());
}

#[test]
fn sections_sort_by_weight_and_title() {
    let net = network_with_pages(3, "sort_by = \"weight\"");
    net.build(&[]);
    let blog = net.html("alpha/blog/index.html");
    assert_eq!(
        texts(&blog, ".card-title"),
        vec!["Post 3", "Post 2", "Post 1"]
    );
    let page = net.html("alpha/blog/post-2/index.html");
    assert_eq!(
        attrs(&page, ".pager a", "href"),
        vec!["/blog/post-3/", "/blog/post-1/"]
    );

    net.write(
        "content/blog/_index.md",
        "+++\ntitle = \"Blog\"\nsort_by = \"title\"\n+++\n",
    );
    net.write(
        "sites/alpha/content/blog/post-2.md",
        "+++\ntitle = \"Alpha post\"\n+++\n",
    );
    net.build(&[]);
    let blog = net.html("alpha/blog/index.html");
    assert_eq!(
        texts(&blog, ".card-title"),
        vec!["Alpha post", "Post 1", "Post 3"]
    );
}

#[test]
fn taxonomy_terms_paginate_when_configured() {
    let net = network_with_pages(5, "");
    net.write(
        "grove.toml",
        "[network]\nname = \"T\"\ntaxonomies = [{ name = \"tags\", paginate_by = 2 }]\n",
    );
    net.build(&[]);
    let term = net.html("alpha/tags/all/index.html");
    assert_eq!(texts(&term, ".card-title"), vec!["Post 5", "Post 4"]);
    assert!(net.out("alpha/tags/all/page/3/index.html").is_file());
    assert!(!net.out("alpha/categories/index.html").exists());
}

#[test]
fn aliases_redirect_to_the_page() {
    let net = network_with_pages(1, "");
    net.write(
        "sites/alpha/content/blog/post-1.md",
        "+++\ntitle = \"Post 1\"\naliases = [\"/old/post/\", \"legacy.html\"]\n+++\n",
    );
    net.build(&[]);
    for file in ["alpha/old/post/index.html", "alpha/legacy.html"] {
        let html = net.html(file);
        assert_eq!(
            attrs(&html, "link[rel=canonical]", "href"),
            vec!["/blog/post-1/"]
        );
        assert_eq!(
            attrs(&html, "meta[name=robots]", "content"),
            vec!["noindex"]
        );
        assert_eq!(
            attrs(&html, "meta[http-equiv=refresh]", "content"),
            vec!["0; url=/blog/post-1/"]
        );
    }
}

#[test]
fn summaries_toc_anchors_and_reading_time() {
    let net = Fixture::new();
    net.site("alpha", "Alpha");
    let words = "word ".repeat(450);
    net.write("content/guides/_index.md", "+++\ntitle = \"Guides\"\n+++\n");
    net.write(
        "sites/alpha/content/guides/deep.md",
        &format!(
            "+++\ntitle = \"Deep\"\n+++\nIntro text here.\n\n<!-- more -->\n\n## First part\n\n{words}\n\n### Detail\n\nMore.\n\n## First part\n\nAgain.\n\n## Table\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nA note[^1].\n\n[^1]: The footnote.\n"
        ),
    );
    net.build(&[]);
    let page = net.html("alpha/guides/deep/index.html");
    assert_eq!(
        attrs(&page, ".prose h2", "id"),
        vec!["first-part", "first-part-1", "table"]
    );
    assert_eq!(
        attrs(&page, ".toc a", "href"),
        vec!["#first-part", "#detail", "#first-part-1", "#table"]
    );
    assert!(
        text(&page, ".meta").contains("3 min read"),
        "{}",
        text(&page, ".meta")
    );
    assert_eq!(texts(&page, ".prose td"), vec!["1", "2"]);
    assert_eq!(texts(&page, ".footnote-definition").len(), 1);
    // The summary (text before <!-- more -->) is the card text in listings.
    let guides = net.html("alpha/guides/index.html");
    assert_eq!(texts(&guides, ".card p")[0], "Intro text here.");
}

#[test]
fn base_url_with_a_path_prefixes_every_link() {
    let net = network_with_pages(2, "");
    net.write(
        "sites/alpha/site.toml",
        "title = \"Alpha\"\nbase_url = \"https://example.com/alpha/\"\nniche = \"a\"\n",
    );
    net.write(
        "sites/alpha/content/about.md",
        "+++\ntitle = \"About\"\n+++\n[Blog](@/blog/_index.md)\n",
    );
    net.build(&[]);
    let about = net.html("alpha/about/index.html");
    assert_eq!(attrs(&about, ".prose a", "href"), vec!["/alpha/blog/"]);
    assert_eq!(
        attrs(&about, "link[rel=stylesheet]", "href"),
        vec!["/alpha/style.css"]
    );
    assert_eq!(
        attrs(&about, "link[rel=canonical]", "href"),
        vec!["https://example.com/alpha/about/"]
    );
}

#[test]
fn page_bundles_keep_their_assets() {
    let net = Fixture::new();
    net.site("alpha", "Alpha");
    net.write(
        "sites/alpha/content/guides/kit/index.md",
        "+++\ntitle = \"Kit\"\n+++\n![A photo of the kit](photo.txt)\n",
    );
    net.write("sites/alpha/content/guides/kit/photo.txt", "pretend image");
    net.write("content/briefs.toml", "[[brief]]\n");
    net.build(&[]);
    let page = net.html("alpha/guides/kit/index.html");
    assert_eq!(
        attrs(&page, ".prose img", "alt"),
        vec!["A photo of the kit"]
    );
    assert!(net.out("alpha/guides/kit/photo.txt").is_file());
    assert!(
        !net.out("alpha/briefs.toml").exists(),
        "briefs are not published"
    );
}

#[test]
fn static_files_layer_theme_then_site() {
    let net = network_with_pages(1, "");
    net.write("themes/default/static/robots-note.txt", "theme");
    net.write("sites/alpha/static/robots-note.txt", "site");
    net.write("sites/alpha/static/img/logo.svg", "<svg/>");
    net.build(&[]);
    assert_eq!(
        std::fs::read_to_string(net.out("alpha/robots-note.txt")).unwrap(),
        "site"
    );
    assert!(net.out("alpha/img/logo.svg").is_file());
}

#[test]
fn new_scaffolds_a_network_that_builds() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("net");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_grove"))
        .args(["new", root.to_str().unwrap(), "--name", "Mine"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let output = grove_in(
        &root,
        &["new-site", "bird-feeders", "--niche", "garden bird feeders"],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let again = grove_in(&root, &["new-site", "bird-feeders"]);
    assert!(
        !again.status.success(),
        "new-site must not overwrite a site"
    );

    let output = grove_in(&root, &["build"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let home = scraper::Html::parse_document(
        &std::fs::read_to_string(root.join("public/bird-feeders/index.html")).unwrap(),
    );
    assert_eq!(text(&home, "main h1"), "Bird Feeders");
    assert!(text(&home, ".prose").contains("a site about garden bird feeders"));
    assert!(
        root.join("public/example/guides/first-guide/index.html")
            .is_file()
    );

    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_grove"))
        .args(["new", root.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        !refused.status.success(),
        "new must refuse a non-empty folder"
    );
}

#[test]
fn help_is_available_for_every_command() {
    let grove = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_grove"))
            .args(args)
            .output()
            .unwrap();
        assert!(output.status.success(), "{args:?}");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let top = grove(&["--help"]);
    // Every subcommand `grove --help` lists, whatever their number.
    let commands: Vec<String> = top
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect();
    assert!(commands.len() >= 11, "{top}");
    for command in &commands {
        let help = grove(&[command, "--help"]);
        assert!(
            help.contains(&format!("Usage: grove {command}")),
            "{command}: {help}"
        );
        assert!(help.contains("--root"), "{command}: {help}");
    }
}

#[test]
fn non_ascii_and_spaced_slugs_are_percent_encoded_in_links_and_the_sitemap() {
    let net = Fixture::new();
    net.site("alpha", "Alpha");
    net.write("content/guías/_index.md", "+++\ntitle = \"Guías\"\n+++\n");
    net.write(
        "content/guías/tips.md",
        "+++\ntitle = \"Tips\"\nslug = \"mi café 100%\"\n+++\nBody.\n",
    );
    net.write(
        "content/about.md",
        "+++\ntitle = \"About\"\n+++\nSee [tips](@/guías/tips.md).\n\nNUL:\u{0}here.\n",
    );
    net.build(&[]);
    let encoded = "/gu%C3%ADas/mi%20caf%C3%A9%20100%25/";
    assert!(net.out("alpha/guías/mi café 100%/index.html").is_file());
    let about = net.html("alpha/about/index.html");
    assert_eq!(attrs(&about, ".prose a", "href"), vec![encoded]);
    let section = net.html("alpha/guías/index.html");
    assert!(attrs(&section, "main a", "href").contains(&encoded.to_string()));
    let sitemap = std::fs::read_to_string(net.out("alpha/sitemap.xml")).unwrap();
    let doc = roxmltree::Document::parse(&sitemap).unwrap();
    let locs: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .filter_map(|n| n.text())
        .collect();
    assert!(
        locs.contains(&format!("https://alpha.example.com{encoded}").as_str()),
        "{locs:?}"
    );
    assert!(
        locs.iter().all(|l| l.is_ascii() && !l.contains(' ')),
        "{locs:?}"
    );
    // NUL never reaches a page: CommonMark's replacement character does.
    let html = std::fs::read_to_string(net.out("alpha/about/index.html")).unwrap();
    assert!(
        !html.contains('\0') && html.contains("NUL:\u{FFFD}here"),
        "{html}"
    );
    // And the link checker finds every encoded link.
    let check = net.grove(&["check", "--offline"]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
}

#[test]
fn one_card_template_serves_every_listing() {
    let net = network_with_pages(3, "");
    // A site's card.html replaces the theme's, in every listing at once.
    net.write(
        "sites/alpha/templates/card.html",
        "<li class=\"card\"><h{{ level }} class=\"card-title\">{{ page.title }}</h{{ level }}><p class=\"teaser\">{{ page.summary_text }}</p></li>",
    );
    net.write(
        "sites/alpha/content/blog/post-1.md",
        "+++\ntitle = \"Post 1\"\ndate = 2026-01-01\ntags = [\"all\"]\n+++\nFish &amp; chips, <em>hot</em>.\n\n<!-- more -->\n\nMore.\n",
    );
    net.build(&[]);
    let section = net.html("alpha/blog/index.html");
    assert_eq!(
        texts(&section, "h2.card-title"),
        vec!["Post 3", "Post 2", "Post 1"]
    );
    // summary_text is plain text: tags dropped, entities decoded once.
    assert_eq!(
        texts(&section, ".teaser").last().map(String::as_str),
        Some("Fish & chips, hot.")
    );
    let tag = net.html("alpha/tags/all/index.html");
    assert_eq!(texts(&tag, "h2.card-title").len(), 3);
    let page = net.html("alpha/blog/post-3/index.html");
    assert_eq!(
        texts(&page, "h3.card-title").len(),
        2,
        "related pages, at level 3"
    );
    // A card for a page that does not exist is an error naming the template.
    net.write(
        "sites/alpha/templates/section.html",
        "{{ card(rel=\"blog/nope.md\") }}",
    );
    let stderr = net.build_fails(&[]);
    assert!(stderr.contains("card: no page `blog/nope.md`"), "{stderr}");
}

#[test]
fn get_section_limits_the_pages_it_copies() {
    let net = network_with_pages(5, "");
    net.write(
        "sites/alpha/templates/index.html",
        "{% set s = get_section(path=\"blog/_index.md\", limit=2) %}<p id=\"n\">{{ s.pages | length }} of {{ s.page_count }}: {% for p in s.pages %}{{ p.title }};{% endfor %}</p>",
    );
    net.build(&[]);
    let home = net.html("alpha/index.html");
    assert_eq!(text(&home, "#n"), "2 of 5: Post 5;Post 4;");
}

#[test]
fn editor_leftovers_are_never_published() {
    let net = network_with_pages(1, "");
    let secret = "SECRET-DRAFT-TEXT";
    for leftover in [
        "sites/alpha/content/blog/post-1.md~",
        "sites/alpha/content/blog/post-1.md.bak",
        "sites/alpha/content/blog/#post-1.md#",
        "sites/alpha/content/blog/post-1.md.orig",
        "sites/alpha/content/blog/.post-1.md.swp",
        "content/blog/notes.md.tmp",
        "sites/alpha/static/.DS_Store",
        "sites/alpha/static/img/Thumbs.db",
        "sites/alpha/static/css/site.css~",
        "sites/alpha/static/.git/config",
        "sites/alpha/static/raw/hero.psd",
        "themes/default/static/style.css.bak",
    ] {
        net.write(leftover, secret);
    }
    for kept in [
        "sites/alpha/static/.well-known/security.txt",
        "sites/alpha/static/.htaccess",
        "sites/alpha/static/keep.bak",
    ] {
        net.write(kept, "public");
    }
    let site_toml = net.read("sites/alpha/site.toml");
    net.write(
        "sites/alpha/site.toml",
        &site_toml.replace("[vars]", "ignore = [\"*.psd\", \"!keep.bak\"]\n[vars]"),
    );
    let output = net.build(&[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("note: not published: an editor's backup"),
        "{stderr}"
    );
    let published = common::files_below(&net.out("alpha"));
    for file in &published {
        let bytes = std::fs::read(net.out("alpha").join(file)).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(secret),
            "{file} was published"
        );
    }
    for kept in [".well-known/security.txt", ".htaccess", "keep.bak"] {
        assert!(
            published.contains(&kept.to_string()),
            "{kept}: {published:?}"
        );
    }
    assert!(published.contains(&"blog/post-1/index.html".to_string()));
    // A pattern that is not one is an error naming the file and line.
    net.write(
        "sites/alpha/site.toml",
        &site_toml.replace("[vars]", "ignore = [\"[oops\"]\n[vars]"),
    );
    let error = net.build_fails(&[]);
    assert!(error.contains("site.toml:5:"), "{error}");
    assert!(error.contains("`[oops` is not a file pattern"), "{error}");
}

#[test]
fn a_term_template_that_reads_the_taxonomys_terms_still_gets_them() {
    // Term pages get their taxonomy without its terms unless the template
    // (or one it uses) mentions them: both must render what they ask for.
    let net = network_with_pages(3, "");
    net.write(
        "sites/alpha/content/blog/other.md",
        "+++\ntitle = \"Other\"\ndate = 2026-02-01\ntags = [\"second\"]\n+++\nBody.\n",
    );
    net.write(
        "sites/alpha/templates/taxonomy_single.html",
        "{% extends \"base.html\" %}{% block content %}<h1>{{ term.name }}</h1><p id=\"count\">{{ taxonomy.terms | length }}</p>{% endblock content %}",
    );
    net.build(&[]);
    let html = net.html("alpha/tags/all/index.html");
    assert_eq!(common::text(&html, "#count"), "2");
}

#[test]
fn listings_that_read_a_pages_terms_get_them_though_listing_values_do_not_keep_them() {
    // Listing values do not keep `taxonomies`: each template that reads them
    // (a section, a term page, a card, a page's related pages, get_section)
    // must still get every page's terms, and a template that does not
    // must still render.
    let net = network_with_pages(3, "");
    net.write(
        "sites/alpha/content/blog/post-2.md",
        "+++\ntitle = \"Post 2\"\ndate = 2026-01-02\ntags = [\"all\", \"Coffee Gear\"]\n+++\nBody 2.\n",
    );
    let terms = "{% for name, terms in p.taxonomies %}{% for t in terms %}[{{ name }}:{{ t.name }}:{{ t.path }}]{% endfor %}{% endfor %}";
    net.write(
        "sites/alpha/templates/section.html",
        &format!("{{% for p in section.pages %}}<p class=\"s\">{terms}</p>{{% endfor %}}"),
    );
    net.write(
        "sites/alpha/templates/taxonomy_single.html",
        &format!("{{% for p in term.pages %}}<p class=\"t\">{terms}</p>{{% endfor %}}"),
    );
    net.write(
        "sites/alpha/templates/card.html",
        &format!("{{% set p = page %}}<p class=\"c\">{terms}</p>"),
    );
    net.write(
        "sites/alpha/templates/page.html",
        &format!("{{% for p in page.related %}}<p class=\"r\">{terms}</p>{{{{ card(rel=p.relative_path) }}}}{{% endfor %}}"),
    );
    net.write(
        "sites/alpha/templates/index.html",
        &format!("{{% set s = get_section(path=\"blog/_index.md\") %}}{{% for p in s.pages %}}<p class=\"g\">{terms}</p>{{% endfor %}}"),
    );
    net.build(&[]);
    let post_2 = "[tags:all:/tags/all/][tags:Coffee Gear:/tags/coffee-gear/]";
    let section = net.html("alpha/blog/index.html");
    assert_eq!(
        texts(&section, "p.s"),
        ["[tags:all:/tags/all/]", post_2, "[tags:all:/tags/all/]"]
    );
    let term = net.html("alpha/tags/coffee-gear/index.html");
    assert_eq!(texts(&term, "p.t"), [post_2]);
    let page = net.html("alpha/blog/post-1/index.html");
    assert!(
        texts(&page, "p.r").contains(&post_2.to_string()),
        "{:?}",
        texts(&page, "p.r")
    );
    assert!(
        texts(&page, "p.c").contains(&post_2.to_string()),
        "{:?}",
        texts(&page, "p.c")
    );
    let home = net.html("alpha/index.html");
    assert!(
        texts(&home, "p.g").contains(&post_2.to_string()),
        "{:?}",
        texts(&home, "p.g")
    );
}

#[test]
fn a_pages_own_fields_are_made_for_templates_that_read_them_however_they_read_them() {
    // Breadcrumbs, neighbours, contents and related pages are made only for
    // page templates that may read them: read through a macro in another
    // file, by string index, or by `json_encode`, they must be there; a
    // template that names none of them must still render.
    let net = network_with_pages(3, "");
    net.write(
        "sites/alpha/content/blog/post-2.md",
        "+++\ntitle = \"Post 2\"\ndate = 2026-01-02\ntags = [\"all\"]\n+++\n## First\n\nBody.\n\n## Second\n",
    );
    net.write(
        "sites/alpha/templates/crumbs.html",
        "{% macro trail(items) %}{% for a in items %}<a class=\"crumb\" href=\"{{ a.path }}\">{{ a.title }}</a>{% endfor %}{% endmacro %}",
    );
    net.write(
        "sites/alpha/templates/page.html",
        "{% import \"crumbs.html\" as crumbs %}{{ crumbs::trail(items=page.ancestors) }}\
         <p id=\"toc\">{{ page[\"toc\"] | length }}</p>\
         <p id=\"prev\">{% if page.previous %}{{ page.previous.title }}{% endif %}</p>\
         <p id=\"next\">{% if page.next %}{{ page.next.title }}{% endif %}</p>\
         {% for r in page.related %}<p class=\"rel\">{{ r.title }}</p>{% endfor %}",
    );
    net.write(
        "sites/alpha/content/blog/dump.md",
        "+++\ntitle = \"Dump\"\ndate = 2025-01-01\ntemplate = \"dump.html\"\n+++\nBody.\n",
    );
    net.write(
        "sites/alpha/templates/dump.html",
        "<pre id=\"dump\">{{ page | json_encode }}</pre>",
    );
    net.write(
        "sites/alpha/content/blog/bare.md",
        "+++\ntitle = \"Bare\"\ndate = 2025-01-02\ntemplate = \"bare.html\"\n+++\nBody.\n",
    );
    net.write(
        "sites/alpha/templates/bare.html",
        "<h1>{{ page.title }}</h1>{{ page.content | safe }}",
    );
    net.build(&[]);
    let post = net.html("alpha/blog/post-2/index.html");
    assert_eq!(texts(&post, "a.crumb"), ["Alpha", "Blog"]);
    assert_eq!(common::text(&post, "#toc"), "2");
    assert_eq!(common::text(&post, "#prev"), "Post 3");
    assert_eq!(common::text(&post, "#next"), "Post 1");
    assert!(texts(&post, "p.rel").contains(&"Post 1".to_string()));
    let dump = net.html("alpha/blog/dump/index.html");
    let value: serde_json::Value =
        serde_json::from_str(&common::text(&dump, "#dump")).expect("the page value as JSON");
    for field in ["toc", "ancestors", "previous", "next", "related", "content"] {
        assert!(
            value.get(field).is_some(),
            "json_encode lacks `{field}`: {value}"
        );
    }
    let bare = net.html("alpha/blog/bare/index.html");
    assert_eq!(common::text(&bare, "h1"), "Bare");
}
