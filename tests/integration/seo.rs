//! What crawlers, social networks and feed readers get: sitemaps, robots.txt,
//! feeds (parsed with a real feed parser), head tags and JSON-LD (parsed as
//! JSON), related pages.

use crate::common;

use std::collections::BTreeSet;

use crate::common::{Fixture, attrs, text, texts};
use serde_json::Value;

fn network() -> Fixture {
    let net = Fixture::new();
    net.site("alpha", "Alpha");
    net.write(
        "content/_index.md",
        "+++\ntitle = \"Alpha home\"\n+++\nWelcome to the home page.\n",
    );
    net.write(
        "content/guides/_index.md",
        "+++\ntitle = \"Guides\"\ndescription = \"All the guides.\"\n+++\n",
    );
    net.write("affiliates.toml", "[widget]\nname = \"Widget\"\nurl = \"https://shop.example.com/w\"\ndescription = \"A widget.\"\nrating = 4.5\n");
    let page = |title: &str, date: &str, tags: &str, extra: &str| {
        format!(
            "+++\ntitle = \"{title}\"\ndate = {date}\ntags = [{tags}]\n{extra}+++\nFirst paragraph of {title} with a [link](/guides/) and an image ![x](/img.png).\n\n<!-- more -->\n\nMore text.\n"
        )
    };
    net.write(
        "sites/alpha/content/guides/one.md",
        &page(
            "One",
            "2026-01-01",
            "\"a\", \"b\"",
            "updated = 2026-03-01\naliases = [\"/old-one/\"]\n",
        ),
    );
    net.write(
        "sites/alpha/content/guides/two.md",
        &page(
            "Two",
            "2026-02-01",
            "\"a\", \"b\"",
            "description = \"Two's own description.\"\n",
        ),
    );
    net.write(
        "sites/alpha/content/guides/three.md",
        &page("Three", "2026-03-01", "\"a\"", ""),
    );
    net.write(
        "sites/alpha/content/guides/four.md",
        &page("Four", "2026-04-01", "\"c\"", ""),
    );
    net.write(
        "sites/alpha/content/guides/draft.md",
        &page("Draft", "2026-05-01", "\"a\"", "draft = true\n"),
    );
    net.write(
        "sites/alpha/content/guides/hidden.md",
        &page("Hidden", "2026-05-02", "\"a\"", "noindex = true\n"),
    );
    net.write(
        "sites/alpha/content/guides/faq.md",
        "+++\ntitle = \"FAQ & more\"\ndate = 2026-01-15\n[[extra.faq]]\nquestion = \"Is it </script> safe?\"\nanswer = \"Yes.\"\n[[extra.faq]]\nquestion = \"Why?\"\nanswer = \"Because.\"\n+++\nAnswers below.\n\n{{ product_box(slug=\"widget\") }}\n",
    );
    net.write(
        "sites/alpha/content/about.md",
        "+++\ntitle = \"About\"\n+++\nAbout us.\n",
    );
    net
}

fn xml(net: &Fixture, rel: &str) -> String {
    std::fs::read_to_string(net.out(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn sitemap_urls(text: &str) -> Vec<(String, Option<String>)> {
    let doc = roxmltree::Document::parse(text).unwrap();
    let root = doc.root_element();
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.sitemaps.org/schemas/sitemap/0.9")
    );
    root.children()
        .filter(|n| n.is_element())
        .map(|url| {
            let child = |name: &str| {
                url.children()
                    .find(|c| c.has_tag_name(name))
                    .and_then(|c| c.text())
                    .map(str::to_string)
            };
            (child("loc").unwrap(), child("lastmod"))
        })
        .collect()
}

#[test]
fn sitemap_lists_published_indexable_pages_with_lastmod() {
    let net = network();
    net.build(&["--drafts"]);
    let urls = sitemap_urls(&xml(&net, "alpha/sitemap.xml"));
    let locs: BTreeSet<&str> = urls.iter().map(|(l, _)| l.as_str()).collect();
    let base = "https://alpha.example.com";
    for path in [
        "/",
        "/guides/",
        "/guides/one/",
        "/guides/two/",
        "/guides/faq/",
        "/about/",
        "/tags/",
        "/tags/a/",
    ] {
        assert!(
            locs.contains(format!("{base}{path}").as_str()),
            "{path} missing from {locs:?}"
        );
    }
    for path in [
        "/guides/draft/",
        "/guides/hidden/",
        "/old-one/",
        "/go/widget/",
        "/404.html",
    ] {
        assert!(
            !locs.contains(format!("{base}{path}").as_str()),
            "{path} must not be listed"
        );
    }
    let lastmod = |path: &str| {
        urls.iter()
            .find(|(l, _)| *l == format!("{base}{path}"))
            .unwrap()
            .1
            .clone()
    };
    assert_eq!(
        lastmod("/guides/one/").as_deref(),
        Some("2026-03-01"),
        "updated wins over date"
    );
    assert_eq!(lastmod("/guides/two/").as_deref(), Some("2026-02-01"));
    assert_eq!(lastmod("/about/"), None);
    assert_eq!(
        lastmod("/guides/").as_deref(),
        Some("2026-04-01"),
        "a section changes with its newest page"
    );
}

#[test]
fn large_sitemaps_become_an_index() {
    let net = network();
    net.write(
        "grove.toml",
        "[network]\nname = \"T\"\n[seo]\nsitemap_max_urls = 4\n",
    );
    net.build(&[]);
    let index = roxmltree::Document::parse(&xml(&net, "alpha/sitemap.xml"))
        .unwrap()
        .root_element()
        .tag_name()
        .name()
        .to_string();
    assert_eq!(index, "sitemapindex");
    let text = xml(&net, "alpha/sitemap.xml");
    let doc = roxmltree::Document::parse(&text).unwrap();
    let parts: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .map(|n| n.text().unwrap().to_string())
        .collect();
    assert!(parts.len() >= 3, "{parts:?}");
    let mut all = Vec::new();
    for part in &parts {
        let file = part.strip_prefix("https://alpha.example.com/").unwrap();
        let urls = sitemap_urls(&xml(&net, &format!("alpha/{file}")));
        assert!(urls.len() <= 4);
        all.extend(urls);
    }
    assert!(all.iter().any(|(l, _)| l.ends_with("/guides/one/")));
}

#[test]
fn robots_txt_points_to_the_sitemap_with_configured_rules() {
    let net = network();
    net.write(
        "grove.toml",
        "[network]\nname = \"T\"\n[seo]\nrobots_rules = [\"Disallow: /private/\"]\n",
    );
    let site = net.read("sites/alpha/site.toml");
    net.write(
        "sites/alpha/site.toml",
        &site.replace("[vars]", "robots_rules = [\"Disallow: /tmp/\"]\n[vars]"),
    );
    net.build(&[]);
    assert_eq!(
        xml(&net, "alpha/robots.txt"),
        "User-agent: *\nDisallow: /go/\nDisallow: /private/\nDisallow: /tmp/\n\nSitemap: https://alpha.example.com/sitemap.xml\n"
    );
}

#[test]
fn feeds_parse_and_list_dated_published_pages_newest_first() {
    let net = network();
    net.build(&[]);
    for (file, expected_kind) in [
        ("alpha/rss.xml", feed_rs::model::FeedType::RSS2),
        ("alpha/atom.xml", feed_rs::model::FeedType::Atom),
    ] {
        let feed = feed_rs::parser::parse(xml(&net, file).as_bytes())
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(feed.feed_type, expected_kind);
        assert_eq!(feed.title.unwrap().content, "Alpha");
        let titles: Vec<String> = feed
            .entries
            .iter()
            .map(|e| e.title.clone().unwrap().content)
            .collect();
        assert_eq!(
            titles,
            vec!["Four", "Three", "Two", "FAQ & more", "One"],
            "{file}"
        );
        let first = &feed.entries[0];
        assert_eq!(
            first.links[0].href,
            "https://alpha.example.com/guides/four/"
        );
        assert!(first.published.is_some());
        let body = first
            .content
            .as_ref()
            .and_then(|c| c.body.clone())
            .or_else(|| first.summary.as_ref().map(|s| s.content.clone()))
            .unwrap_or_default();
        assert!(
            body.contains("href=\"https://alpha.example.com/guides/\""),
            "absolute links: {body}"
        );
        assert!(
            body.contains("src=\"https://alpha.example.com/img.png\""),
            "{body}"
        );
        assert!(
            !body.contains("More text"),
            "summary only by default: {body}"
        );
    }
    let section = feed_rs::parser::parse(xml(&net, "alpha/guides/rss.xml").as_bytes()).unwrap();
    assert_eq!(section.entries.len(), 5);
    assert!(!net.out("alpha/tags/rss.xml").exists());

    net.write("grove.toml", "[network]\nname = \"T\"\ntaxonomies = [\"tags\"]\n[seo]\nfeed_limit = 2\nfeed_full_content = true\n");
    net.build(&[]);
    let feed = feed_rs::parser::parse(xml(&net, "alpha/atom.xml").as_bytes()).unwrap();
    assert_eq!(feed.entries.len(), 2);
    let body = feed.entries[0]
        .content
        .as_ref()
        .unwrap()
        .body
        .clone()
        .unwrap();
    assert!(body.contains("More text"), "full content: {body}");
}

#[test]
fn head_tags_describe_every_page() {
    let net = network();
    net.build(&[]);
    let page = net.html("alpha/guides/one/index.html");
    assert_eq!(attrs(&page, "html", "lang"), vec!["en"]);
    assert_eq!(text(&page, "title"), "One | Alpha");
    assert_eq!(
        attrs(&page, "meta[name=description]", "content"),
        vec!["First paragraph of One with a link and an image ."]
    );
    assert_eq!(
        attrs(&page, "link[rel=canonical]", "href"),
        vec!["https://alpha.example.com/guides/one/"]
    );
    assert_eq!(
        attrs(&page, "meta[property='og:type']", "content"),
        vec!["article"]
    );
    assert_eq!(
        attrs(&page, "meta[property='og:url']", "content"),
        vec!["https://alpha.example.com/guides/one/"]
    );
    assert_eq!(
        attrs(&page, "meta[name='twitter:card']", "content"),
        vec!["summary"]
    );
    assert_eq!(
        attrs(
            &page,
            "link[rel=alternate][type='application/rss+xml']",
            "href"
        ),
        vec!["/rss.xml"]
    );
    assert!(attrs(&page, "meta[name=robots]", "content").is_empty());

    let two = net.html("alpha/guides/two/index.html");
    assert_eq!(
        attrs(&two, "meta[name=description]", "content"),
        vec!["Two's own description."]
    );
    let hidden = net.html("alpha/guides/hidden/index.html");
    assert_eq!(
        attrs(&hidden, "meta[name=robots]", "content"),
        vec!["noindex"]
    );
    let missing = net.html("alpha/404.html");
    assert_eq!(
        attrs(&missing, "meta[name=robots]", "content"),
        vec!["noindex"]
    );
    let guides = net.html("alpha/guides/index.html");
    assert_eq!(text(&guides, "title"), "Guides | Alpha");
    assert_eq!(
        attrs(&guides, "meta[name=description]", "content"),
        vec!["All the guides."]
    );
    assert_eq!(
        attrs(
            &guides,
            "link[rel=alternate][type='application/rss+xml']",
            "href"
        ),
        vec!["/rss.xml", "/guides/rss.xml"]
    );

    // A social image from the site config, made absolute.
    let site = net.read("sites/alpha/site.toml");
    net.write(
        "sites/alpha/site.toml",
        &site.replace(
            "[vars]",
            "image = \"/social.png\"\ntwitter = \"@alpha\"\n[vars]",
        ),
    );
    net.build(&[]);
    let page = net.html("alpha/guides/one/index.html");
    assert_eq!(
        attrs(&page, "meta[property='og:image']", "content"),
        vec!["https://alpha.example.com/social.png"]
    );
    assert_eq!(
        attrs(&page, "meta[name='twitter:card']", "content"),
        vec!["summary_large_image"]
    );
    assert_eq!(
        attrs(&page, "meta[name='twitter:site']", "content"),
        vec!["@alpha"]
    );
}

fn graph(html: &scraper::Html) -> Vec<Value> {
    let scripts = texts(html, "script[type='application/ld+json']");
    assert_eq!(scripts.len(), 1);
    let raw = {
        let selector = scraper::Selector::parse("script[type='application/ld+json']").unwrap();
        html.select(&selector).next().unwrap().inner_html()
    };
    let value: Value =
        serde_json::from_str(&raw).unwrap_or_else(|e| panic!("invalid JSON-LD ({e}): {raw}"));
    assert_eq!(value["@context"], "https://schema.org");
    value["@graph"].as_array().unwrap().clone()
}

fn of_type<'a>(graph: &'a [Value], kind: &str) -> &'a Value {
    graph
        .iter()
        .find(|n| n["@type"] == kind)
        .unwrap_or_else(|| panic!("no {kind} in {graph:?}"))
}

#[test]
fn json_ld_uses_schema_org_types() {
    let net = network();
    net.build(&[]);
    let home = graph(&net.html("alpha/index.html"));
    assert_eq!(
        of_type(&home, "WebSite")["url"],
        "https://alpha.example.com/"
    );
    assert_eq!(of_type(&home, "Organization")["name"], "Alpha");

    let page = graph(&net.html("alpha/guides/one/index.html"));
    let article = of_type(&page, "BlogPosting");
    assert_eq!(article["headline"], "One");
    assert_eq!(article["datePublished"], "2026-01-01T00:00:00+00:00");
    assert_eq!(article["dateModified"], "2026-03-01T00:00:00+00:00");
    assert_eq!(
        article["publisher"]["@id"],
        "https://alpha.example.com/#organization"
    );
    let crumbs = of_type(&page, "BreadcrumbList")["itemListElement"]
        .as_array()
        .unwrap()
        .clone();
    let names: Vec<&str> = crumbs.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["Alpha home", "Guides", "One"]);
    assert_eq!(crumbs[2]["position"], 3);
    assert!(
        page.iter()
            .all(|n| n["@type"] != "FAQPage" && n["@type"] != "Product")
    );

    let faq_page = net.html("alpha/guides/faq/index.html");
    let faq = graph(&faq_page);
    let questions = of_type(&faq, "FAQPage")["mainEntity"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(questions[0]["name"], "Is it </script> safe?");
    assert_eq!(questions[1]["acceptedAnswer"]["text"], "Because.");
    assert_eq!(
        texts(&faq_page, ".faq h3"),
        vec!["Is it </script> safe?", "Why?"]
    );
    let product = of_type(&faq, "Product");
    assert_eq!(product["name"], "Widget");
    assert_eq!(product["review"]["reviewRating"]["ratingValue"], 4.5);
}

#[test]
fn pages_list_related_pages_by_shared_taxonomies() {
    let net = network();
    net.build(&[]);
    let one = net.html("alpha/guides/one/index.html");
    // Two shares tags a and b; Three shares a; then by date.
    assert_eq!(texts(&one, ".related .card-title")[..2], ["Two", "Three"]);
    assert_eq!(texts(&one, ".related .card-title").len(), 3);
    let four = net.html("alpha/guides/four/index.html");
    assert_eq!(
        texts(&four, ".related .card-title").len(),
        3,
        "topped up from the section"
    );
}

#[test]
fn aliases_get_redirect_pages_and_host_redirects() {
    let net = network();
    net.build(&[]);
    assert_eq!(
        attrs(
            &net.html("alpha/old-one/index.html"),
            "link[rel=canonical]",
            "href"
        ),
        vec!["/guides/one/"]
    );
    let redirects = xml(&net, "alpha/_redirects");
    assert!(
        redirects.contains("/old-one/ /guides/one/ 301\n"),
        "{redirects}"
    );
}

/// Validates every sitemap of the example network against the sitemaps.org
/// schema with xmllint. Ignored by default: `scripts/test-tools.sh`
/// installs xmllint and the schema, and CI runs it with `--ignored`.
#[test]
#[ignore = "needs scripts/test-tools.sh"]
fn sitemaps_validate_against_the_sitemaps_org_schema() {
    let schema = common::repo().join(".test-tools/sitemap.xsd");
    assert!(schema.is_file(), "run scripts/test-tools.sh first");
    let net = Fixture::example();
    net.build(&["--drafts"]);
    let mut validated = 0;
    for site in ["beginner-aquariums", "home-espresso", "trail-running"] {
        let output = std::process::Command::new("xmllint")
            .args(["--noout", "--schema"])
            .arg(&schema)
            .arg(net.out(&format!("{site}/sitemap.xml")))
            .output()
            .expect("xmllint is installed by scripts/test-tools.sh");
        assert!(
            output.status.success(),
            "{site}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        validated += 1;
    }
    assert_eq!(validated, 3);
}

#[test]
fn translated_pages_link_their_language_versions() {
    let net = network();
    net.site("alpha-de", "Alpha DE");
    for (site, language) in [("alpha", "en"), ("alpha-de", "de")] {
        let config = net.read(&format!("sites/{site}/site.toml"));
        net.write(
            &format!("sites/{site}/site.toml"),
            &config.replace(
                "[vars]",
                &format!("language = \"{language}\"\nlanguage_group = \"alpha\"\n[vars]"),
            ),
        );
    }
    net.write(
        "sites/alpha-de/content/about.md",
        "+++\ntitle = \"Über uns\"\nslug = \"ueber-uns\"\n+++\nÜber uns.\n",
    );
    net.build(&["--site", "alpha"]);
    let about = net.html("alpha/about/index.html");
    let alternates: Vec<(String, String)> = {
        let selector = scraper::Selector::parse("link[rel=alternate][hreflang]").unwrap();
        about
            .select(&selector)
            .map(|e| {
                (
                    e.value().attr("hreflang").unwrap().to_string(),
                    e.value().attr("href").unwrap().to_string(),
                )
            })
            .collect()
    };
    assert_eq!(
        alternates,
        vec![
            (
                "de".to_string(),
                "https://alpha-de.example.com/ueber-uns/".to_string()
            ),
            (
                "en".to_string(),
                "https://alpha.example.com/about/".to_string()
            ),
        ]
    );
    let only_here = net.html("alpha/guides/one/index.html");
    assert!(
        attrs(&only_here, "link[hreflang]", "href").is_empty(),
        "no translation, no hreflang"
    );
    assert!(
        !net.out("alpha-de").exists(),
        "the other site was not built, only read"
    );
}
