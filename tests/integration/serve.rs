//! `grove serve`: HTTP behaviour (over raw TCP, so paths reach the server
//! exactly as sent), live-reload signals, error recovery, and incremental
//! output identical to a full build after every edit.

use crate::common;
use crate::common::serve as serve_helper;

use std::time::{Duration, Instant};

use crate::common::{Fixture, files_below, jpeg_photo};
use serve_helper::{Serve, events, get, next_event};

fn network() -> Fixture {
    let net = Fixture::new();
    // One related page each, so that some neighbours are not related.
    net.write(
        "grove.toml",
        "[network]\nname = \"Test\"\ntaxonomies = [\"tags\", \"categories\"]\n[seo]\nrelated_pages = 1\n",
    );
    net.write(
        "affiliates.toml",
        "[grinder]\nname = \"Grinder\"\nurl = \"https://shop.example/grinder?tag={{ site.affiliate.amazon_tag }}\"\n",
    );
    net.site("alpha", "Alpha");
    net.site("beta", "Beta");
    net.write(
        "content/guides/_index.md",
        "+++\ntitle = \"Guides\"\npaginate_by = 2\n+++\n",
    );
    net.write(
        "content/about.md",
        "+++\ntitle = \"About {{ site.title }}\"\n+++\nAbout.\n",
    );
    // An unpaginated section: its page is rendered from a kept context.
    net.write(
        "sites/alpha/content/notes/_index.md",
        "+++\ntitle = \"Notes\"\n+++\n",
    );
    for i in [1, 2] {
        net.write(
            &format!("sites/alpha/content/notes/n{i}.md"),
            &format!("+++\ntitle = \"Note {i}\"\ndate = 2026-02-0{i}\n+++\nNote {i}.\n\n<!-- more -->\n\nMore.\n"),
        );
    }
    net.write(
        "sites/beta/content/guides/b1.md",
        "+++\ntitle = \"Beta guide\"\ntags = [\"c\"]\n+++\nBeta.\n",
    );
    for (i, tag) in [(1, "a"), (2, "b"), (3, "a")] {
        net.write(
            &format!("sites/alpha/content/guides/g{i}.md"),
            &format!("+++\ntitle = \"Guide {i}\"\ndate = 2026-01-0{i}\ntags = [\"{tag}\"]\n+++\nGuide {i} text.\n"),
        );
    }
    net
}

#[test]
fn serves_files_safely_with_the_reload_script_in_html_only() {
    let net = network();
    let serve = Serve::start(&net, &["--site", "alpha"]);
    let port = serve.port("alpha");
    let (status, head, body) = get(port, "/guides/g1/");
    assert_eq!(status, 200);
    assert!(
        head.contains("content-type: text/html; charset=utf-8"),
        "{head}"
    );
    assert!(body.contains("<script id=\"grove-live-reload\">") && body.contains("Guide 1 text."));
    let (status, head, body) = get(port, "/style.css");
    assert_eq!(status, 200);
    assert!(head.contains("content-type: text/css"), "{head}");
    assert!(!body.contains("grove-live-reload"));
    let (status, head, _) = get(port, "/guides");
    assert_eq!(status, 301);
    assert!(head.contains("location: /guides/"), "{head}");
    let (status, _, body) = get(port, "/no/such/page/");
    assert_eq!(status, 404);
    assert!(body.contains("Page not found"), "the site's own 404 page");
    for attack in [
        "/../grove.toml",
        "/%2e%2e/grove.toml",
        "/..%2f..%2fgrove.toml",
        "/guides/..%5c..%5cgrove.toml",
        "/%2E%2E/%2E%2E/etc/passwd",
    ] {
        let (status, _, body) = get(port, attack);
        assert_eq!(status, 403, "{attack}");
        assert!(!body.contains("[network]"), "{attack} leaked grove.toml");
    }
    // Nothing of the preview reached the build output folder.
    assert!(!net.path().join("public").exists());
    let built = std::fs::read_to_string(serve.out.join("alpha/guides/g1/index.html")).unwrap();
    assert!(
        !built.contains("grove-live-reload"),
        "never in written output"
    );
}

#[test]
fn a_base_url_with_a_path_is_served_under_that_path() {
    let net = Fixture::new();
    net.write(
        "sites/blog/site.toml",
        "title = \"Blog\"\nbase_url = \"https://example.com/blog\"\nniche = \"n\"\naudience = \"a\"\n",
    );
    net.write(
        "sites/blog/content/guides/one.md",
        "+++\ntitle = \"One\"\n+++\nSee [home](@/_index.md).\n",
    );
    net.write(
        "sites/blog/content/_index.md",
        "+++\ntitle = \"Home\"\n+++\n",
    );
    let serve = Serve::start(&net, &[]);
    let port = serve.port("blog");
    let (status, _, body) = get(port, "/blog/guides/one/");
    assert_eq!(status, 200);
    assert!(
        body.contains("href=\"/blog/\""),
        "links carry the base path"
    );
    let (status, headers, _) = get(port, "/");
    assert_eq!(status, 301);
    assert!(headers.contains("location: /blog/"), "{headers}");
    let (status, headers, _) = get(port, "/blog/guides");
    assert_eq!(status, 301);
    assert!(headers.contains("location: /blog/guides/"), "{headers}");
    assert_eq!(get(port, "/blog").0, 301);
    assert_eq!(get(port, "/guides/one/").0, 404);
    assert_eq!(get(port, "/blogger/").0, 404);
}

#[test]
fn several_sites_get_an_index_and_their_own_ports() {
    let net = network();
    let serve = Serve::start(&net, &[]);
    assert_eq!(
        serve
            .ports
            .iter()
            .map(|(s, _)| s.as_str())
            .collect::<Vec<_>>(),
        ["alpha", "beta"]
    );
    let (_, _, about) = get(serve.port("beta"), "/about/");
    assert!(about.contains("About Beta"));
}

/// After each edit: wait for the signal, then compare the preview output
/// with a fresh full build, file by file.
#[test]
fn every_incremental_rebuild_equals_a_full_build() {
    let net = network();
    let serve = Serve::start(&net, &[]);
    let alpha = events(serve.port("alpha"));
    let beta = events(serve.port("beta"));
    std::thread::sleep(Duration::from_millis(300));

    let check = |label: &str| {
        let fresh = net
            .path()
            .join(format!("fresh-{}", label.replace(' ', "-")));
        net.build(&["--output", fresh.to_str().unwrap()]);
        for site in ["alpha", "beta"] {
            let served = files_below(&serve.out.join(site));
            assert_eq!(
                served,
                files_below(&fresh.join(site)),
                "{label}: file list of {site}"
            );
            for file in served {
                assert_eq!(
                    std::fs::read(serve.out.join(site).join(&file)).unwrap(),
                    std::fs::read(fresh.join(site).join(&file)).unwrap(),
                    "{label}: {site}/{file} differs from a full build"
                );
            }
        }
        serve.clear_log();
    };

    serve.clear_log();

    // A page body (front matter unchanged): rendered alone, with the
    // listings that show it (section pager, tag page, home page through
    // get_section, related pages) and the feeds.
    net.write(
        "sites/alpha/content/guides/g1.md",
        "+++\ntitle = \"Guide 1\"\ndate = 2026-01-01\ntags = [\"a\"]\n+++\nGuide 1 summary, new.\n\n<!-- more -->\n\nGuide 1 text, now longer.\n",
    );
    assert_eq!(next_event(&alpha), "reload {}");
    assert!(serve.next_build().starts_with("updated alpha"));
    check("page body edit");
    assert!(beta.try_recv().is_err(), "beta was not affected");

    // Pages of an unpaginated section, one after the other.
    for (i, summary) in [
        (2, "Second note, new summary."),
        (1, "First note, new summary."),
    ] {
        net.write(
            &format!("sites/alpha/content/notes/n{i}.md"),
            &format!("+++\ntitle = \"Note {i}\"\ndate = 2026-02-0{i}\n+++\n{summary}\n\n<!-- more -->\n\nMore.\n"),
        );
        assert_eq!(next_event(&alpha), "reload {}");
        assert!(serve.next_build().starts_with("updated alpha"));
        check("unpaginated section page edit");
    }

    // Section introductions (front matter unchanged): the section's pages
    // only, in an unpaginated site section and a paginated blueprint one.
    net.write(
        "sites/alpha/content/notes/_index.md",
        "+++\ntitle = \"Notes\"\n+++\nShort notes on [guide 1](@/guides/g1.md).\n",
    );
    assert_eq!(next_event(&alpha), "reload {}");
    assert!(serve.next_build().starts_with("updated alpha"));
    check("unpaginated section intro");
    net.write(
        "content/guides/_index.md",
        "+++\ntitle = \"Guides\"\npaginate_by = 2\n+++\nGuides for {{ site.title }}.\n",
    );
    assert_eq!(next_event(&alpha), "reload {}");
    assert_eq!(next_event(&beta), "reload {}");
    assert!(serve.next_build().starts_with("updated alpha, beta"));
    check("paginated blueprint section intro");

    // Two pages saved at once (as by `git checkout`): one batch.
    for (file, text) in [
        ("sites/alpha/content/notes/n1.md", "First note, batched."),
        ("sites/alpha/content/notes/n2.md", "Second note, batched."),
    ] {
        let date = if file.ends_with("n1.md") { "01" } else { "02" };
        let title = if file.ends_with("n1.md") {
            "Note 1"
        } else {
            "Note 2"
        };
        net.write(
            file,
            &format!("+++\ntitle = \"{title}\"\ndate = 2026-02-{date}\n+++\n{text}\n\n<!-- more -->\n\nMore.\n"),
        );
    }
    assert_eq!(next_event(&alpha), "reload {}");
    let fresh = net.path().join("fresh-batch");
    net.build(&["--output", fresh.to_str().unwrap(), "--site", "alpha"]);
    let started = Instant::now();
    // The two saves may still have come as two batches: wait for both.
    while let Some(difference) = first_difference(&serve.out.join("alpha"), &fresh.join("alpha")) {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "batch: {difference}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(100));
    serve.clear_log();
    while alpha.try_recv().is_ok() {}

    // A blueprint page body: rendered alone in every site.
    net.write(
        "content/about.md",
        "+++\ntitle = \"About {{ site.title }}\"\n+++\nAbout {{ site.title }}, in more words.\n",
    );
    assert_eq!(next_event(&alpha), "reload {}");
    assert_eq!(next_event(&beta), "reload {}");
    assert!(serve.next_build().starts_with("updated alpha, beta"));
    check("blueprint body edit");

    // A body gaining an affiliate link brings a /go/ page: built in full.
    net.write(
        "sites/alpha/content/guides/g3.md",
        "+++\ntitle = \"Guide 3\"\ndate = 2026-01-03\ntags = [\"a\"]\n+++\nGuide 3 text with [a grinder](aff:grinder).\n",
    );
    assert_eq!(next_event(&alpha), "reload {}");
    assert!(serve.next_build().starts_with("rebuilt alpha"));
    check("affiliate link added");

    // A broken link is reported; fixing it recovers the same output.
    net.write(
        "sites/alpha/content/guides/g3.md",
        "+++\ntitle = \"Guide 3\"\ndate = 2026-01-03\ntags = [\"a\"]\n+++\nSee [nothing](@/guides/none.md).\n",
    );
    let error = next_event(&alpha);
    assert!(error.contains("guides/g3.md:6:5"), "{error}");
    assert!(next_event(&beta).starts_with("build-error "));
    // While alpha is broken, an edit elsewhere is taken in, and alpha is
    // tried again: the error stays on show.
    net.write(
        "sites/beta/content/guides/b1.md",
        "+++\ntitle = \"Beta guide\"\ntags = [\"c\"]\n+++\nBeta, edited.\n",
    );
    for events in [&alpha, &beta] {
        assert_eq!(next_event(events), "reload {}");
        assert!(next_event(events).starts_with("build-error "));
    }
    // A new page (built in full): beta is built without alpha holding it back.
    net.write(
        "sites/beta/content/guides/b2.md",
        "+++\ntitle = \"Beta guide 2\"\n+++\nBeta 2.\n",
    );
    for events in [&alpha, &beta] {
        assert_eq!(next_event(events), "reload {}");
        assert!(next_event(events).starts_with("build-error "));
    }
    assert!(serve.out.join("beta/guides/b2/index.html").is_file());
    net.write(
        "sites/alpha/content/guides/g3.md",
        "+++\ntitle = \"Guide 3\"\ndate = 2026-01-03\ntags = [\"a\"]\n+++\nSee [guide 1](@/guides/g1.md).\n",
    );
    assert_eq!(next_event(&alpha), "reload {}");
    assert_eq!(next_event(&beta), "reload {}");
    check("broken link fixed");

    // Front matter that does not move the page (title, description,
    // updated): the page, its neighbours, its listings, sitemap and feeds.
    net.write(
        "sites/alpha/content/guides/g2.md",
        "+++\ntitle = \"Guide 2, retitled\"\ndescription = \"All about two.\"\ndate = 2026-01-02\nupdated = 2026-02-01\ntags = [\"b\"]\n+++\nGuide 2 text.\n",
    );
    assert_eq!(next_event(&alpha), "reload {}");
    let report = serve.next_build();
    assert!(report.starts_with("updated alpha"), "{report}");
    check("title edit");

    // Front matter that moves the page (its tags): alpha is built again.
    net.write(
        "sites/alpha/content/guides/g2.md",
        "+++\ntitle = \"Guide 2, renamed\"\ndate = 2026-01-02\ntags = [\"a\"]\n+++\nNew text.\n",
    );
    assert_eq!(next_event(&alpha), "reload {}");
    let report = serve.next_build();
    assert!(report.starts_with("rebuilt alpha"), "{report}");
    check("page edit");
    assert!(beta.try_recv().is_err(), "beta was not affected");
    assert!(
        std::fs::read_to_string(serve.out.join("alpha/guides/g2/index.html"))
            .unwrap()
            .contains("Guide 2, renamed")
    );

    // A new page, then its removal.
    net.write(
        "sites/alpha/content/guides/g4.md",
        "+++\ntitle = \"Guide 4\"\ndate = 2026-01-04\n+++\nFour.\n",
    );
    assert_eq!(next_event(&alpha), "reload {}");
    check("page added");
    std::fs::remove_file(net.path().join("sites/alpha/content/guides/g4.md")).unwrap();
    assert_eq!(next_event(&alpha), "reload {}");
    check("page removed");

    // The blueprint and the theme affect every site.
    net.write(
        "content/about.md",
        "+++\ntitle = \"About {{ site.title }}, again\"\n+++\nAbout.\n",
    );
    assert_eq!(next_event(&alpha), "reload {}");
    assert_eq!(next_event(&beta), "reload {}");
    check("blueprint edit");
    let base = net.read("themes/default/templates/base.html");
    net.write(
        "themes/default/templates/base.html",
        &base.replace("Skip to content", "Skip to the content"),
    );
    assert_eq!(next_event(&alpha), "reload {}");
    assert_eq!(next_event(&beta), "reload {}");
    let report = serve.next_build();
    assert!(report.starts_with("updated alpha, beta"), "{report}");
    check("template edit");

    // A template only term pages use, in one site's own templates folder
    // (a new folder: built in full), then edited (only its users).
    let single = net.read("themes/default/templates/taxonomy_single.html");
    net.write(
        "sites/alpha/templates/taxonomy_single.html",
        &single.replace("<h1", "<h1 data-override"),
    );
    assert_eq!(next_event(&alpha), "reload {}");
    assert!(serve.next_build().starts_with("rebuilt alpha"));
    check("template override added");
    net.write(
        "sites/alpha/templates/taxonomy_single.html",
        &single.replace("<h1", "<h1 data-override=\"2\""),
    );
    assert_eq!(next_event(&alpha), "reload {}");
    let report = serve.next_build();
    assert!(report.starts_with("updated alpha (1 file)"), "{report}");
    check("template override edited");
    // The theme's copy is hidden in alpha: only beta renders it again.
    net.write(
        "themes/default/templates/taxonomy_single.html",
        &single.replace("<h1", "<h1 data-theme"),
    );
    assert_eq!(next_event(&beta), "reload {}");
    assert!(serve.next_build().starts_with("updated beta"));
    check("hidden theme template edited");
    assert!(alpha.try_recv().is_err(), "alpha was not affected");

    // A shortcode: the pages calling it are read again, nothing else.
    net.write(
        "sites/alpha/content/guides/g2.md",
        "+++\ntitle = \"Guide 2, renamed\"\ndate = 2026-01-02\ntags = [\"a\"]\n+++\nNew text.\n\n{{ cta(slug=\"grinder\") }}\n",
    );
    assert_eq!(next_event(&alpha), "reload {}");
    check("shortcode called");
    let cta = net.read("themes/default/templates/shortcodes/cta.html");
    net.write(
        "themes/default/templates/shortcodes/cta.html",
        &cta.replace("Check the price of ", "See the price of "),
    );
    assert_eq!(next_event(&alpha), "reload {}");
    let report = serve.next_build();
    assert!(report.starts_with("updated alpha ("), "{report}");
    check("shortcode edited");
    assert!(
        std::fs::read_to_string(serve.out.join("alpha/guides/g2/index.html"))
            .unwrap()
            .contains("See the price of Grinder")
    );
    assert!(beta.try_recv().is_err(), "beta was not affected");

    // Word counts: no template reads them, so more words re-render only
    // the page; once a template of alpha shows them, every listing of it.
    let g1 = |words: &str| {
        format!(
            "+++\ntitle = \"Guide 1\"\ndate = 2026-01-01\ntags = [\"a\"]\n+++\nGuide 1 summary, new.\n\n<!-- more -->\n\n{words}\n"
        )
    };
    net.write("sites/alpha/content/guides/g1.md", &g1("Three more words."));
    assert_eq!(next_event(&alpha), "reload {}");
    let report = serve.next_build();
    assert!(report.starts_with("updated alpha (7 files)"), "{report}"); // page and 6 feeds
    check("word count, unread");
    net.write(
        "sites/alpha/templates/taxonomy_single.html",
        &single.replace(
            "{{ term.title }}</h1>",
            "{{ term.title }}</h1>{% for p in term.pages %}{{ p.word_count }} {% endfor %}",
        ),
    );
    assert_eq!(next_event(&alpha), "reload {}");
    check("word count shown");
    net.write(
        "sites/alpha/content/guides/g1.md",
        &g1("Four more words now."),
    );
    assert_eq!(next_event(&alpha), "reload {}");
    let report = serve.next_build();
    assert!(report.starts_with("updated alpha (10 files)"), "{report}"); // and every listing of it
    check("word count, read");

    // A stylesheet alone: swapped, not reloaded.
    let css = net.read("themes/default/static/style.css");
    net.write(
        "themes/default/static/style.css",
        &css.replace("--radius: 10px;", "--radius: 12px;"),
    );
    assert_eq!(next_event(&alpha), "css {}");
    assert_eq!(next_event(&beta), "css {}");
    let report = serve.next_build();
    assert!(
        report.starts_with("updated alpha, beta (2 files)"),
        "{report}"
    );
    check("css edit");

    // A site's own stylesheet hides the theme's (a new folder: built in
    // full); editing the hidden copy then changes only the other site.
    net.write("sites/beta/static/style.css", "body { color: red }\n");
    assert_eq!(next_event(&beta), "reload {}");
    check("site stylesheet added");
    net.write(
        "themes/default/static/style.css",
        &css.replace("--radius: 10px;", "--radius: 14px;"),
    );
    assert_eq!(next_event(&alpha), "css {}");
    let report = serve.next_build();
    assert!(report.starts_with("updated alpha (1 file)"), "{report}");
    check("hidden theme stylesheet edited");

    // Network config: taxonomies change for everyone.
    net.write(
        "grove.toml",
        "[network]\nname = \"Test\"\ntaxonomies = [\"tags\"]\n",
    );
    assert_eq!(next_event(&alpha), "reload {}");
    check("config edit");

    // A broken config is reported; a page edit meanwhile does not hide it,
    // and fixing the config builds everything.
    net.write("grove.toml", "[network\nname = \"Test\"\n");
    let error = next_event(&alpha);
    assert!(
        error.starts_with("build-error ") && error.contains("grove.toml"),
        "{error}"
    );
    net.write(
        "sites/alpha/content/guides/g1.md",
        &net.read("sites/alpha/content/guides/g1.md")
            .replace("Four more", "Five more"),
    );
    assert!(next_event(&alpha).starts_with("build-error "));
    net.write(
        "grove.toml",
        "[network]\nname = \"Test\"\ntaxonomies = [\"tags\"]\n",
    );
    assert_eq!(next_event(&alpha), "reload {}");
    check("config fixed");

    // A photo added beside a page (the site built again), then shown by
    // the page's body: made and published with the page alone, as a full
    // build does. (Last: a preview keeps the files of an image a page
    // stopped showing until the site is built again.)
    net.write_bytes(
        "sites/alpha/content/guides/shot.jpg",
        &jpeg_photo(960, 640, 1),
    );
    assert_eq!(next_event(&alpha), "reload {}");
    serve.next_build();
    check("image added");
    net.write(
        "sites/alpha/content/guides/g1.md",
        &format!(
            "{}\n![A shot](shot.jpg)\n",
            net.read("sites/alpha/content/guides/g1.md")
        ),
    );
    assert_eq!(next_event(&alpha), "reload {}");
    assert!(serve.next_build().starts_with("updated alpha"));
    check("image shown");
    assert!(
        files_below(&serve.out.join("alpha"))
            .iter()
            .any(|f| f.starts_with("processed_images/shot-960x640-")),
        "the image's files are published"
    );
}

#[test]
fn a_broken_template_is_reported_and_the_server_recovers() {
    let net = network();
    let serve = Serve::start(&net, &["--site", "alpha"]);
    let port = serve.port("alpha");
    let alpha = events(port);
    std::thread::sleep(Duration::from_millis(300));
    let page = net.read("themes/default/templates/page.html");
    net.write(
        "themes/default/templates/page.html",
        &page.replace("{{ page.title }}</h1>", "{{ page.title </h1>"),
    );
    let error = next_event(&alpha);
    assert!(error.starts_with("build-error "), "{error}");
    assert!(
        error.contains("themes/default/templates/page.html:"),
        "{error}"
    );
    // The last good output is still served, and new viewers see the error.
    let (status, _, body) = get(port, "/guides/g1/");
    assert_eq!(status, 200);
    assert!(body.contains("Guide 1 text."));
    let late = events(port);
    assert!(next_event(&late).starts_with("build-error "));

    let started = Instant::now();
    net.write("themes/default/templates/page.html", &page);
    assert_eq!(next_event(&alpha), "reload {}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// The first file of `preview` whose bytes differ from `fresh`, if any (or
/// the file lists, when they differ).
fn first_difference(preview: &std::path::Path, fresh: &std::path::Path) -> Option<String> {
    let files = files_below(preview);
    let expected = files_below(fresh);
    if files != expected {
        return Some(format!("file lists differ: {files:?} vs {expected:?}"));
    }
    files
        .into_iter()
        .find(|f| std::fs::read(preview.join(f)).ok() != std::fs::read(fresh.join(f)).ok())
}

/// A seeded sequence of edits of every kind the preview takes in without a
/// full build (page bodies, titles, descriptions, section introductions,
/// templates, shortcodes, stylesheets) on the example network, with its
/// shortcodes, affiliate links and three sites: after each, the preview
/// must come to equal a fresh full build.
#[test]
fn seeded_edits_of_the_example_network_match_a_full_build() {
    let net = Fixture::example();
    let serve = Serve::start(&net, &[]);
    let files = files_below(net.path());
    // Published pages: a draft's edits show nowhere.
    let pages: Vec<&String> = files
        .iter()
        .filter(|f| f.contains("content/") && f.ends_with(".md") && !f.ends_with("_index.md"))
        .filter(|f| !net.read(f).contains("draft = true"))
        .collect();
    let templates: Vec<&String> = files
        .iter()
        .filter(|f| f.starts_with("themes/default/templates/"))
        .collect();
    let sections: Vec<&String> = files
        .iter()
        .filter(|f| f.contains("content/") && f.ends_with("_index.md"))
        .collect();
    // xorshift64: the same edits on every run.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut pick = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let mut previous = net.path().join("fresh-start");
    net.build(&["--output", previous.to_str().unwrap()]);
    for n in 0..20 {
        let (file, kind) = match pick(6) {
            0 | 1 => (pages[pick(pages.len())].as_str(), "body"),
            2 => (pages[pick(pages.len())].as_str(), "front matter"),
            3 => (templates[pick(templates.len())].as_str(), "template"),
            4 => (sections[pick(sections.len())].as_str(), "body"),
            _ => ("themes/default/static/style.css", "stylesheet"),
        };
        let text = net.read(file);
        let edited = match kind {
            "body" => format!("{text}\nMore words, edit {n}.\n"),
            "front matter" => {
                let key = if n % 2 == 0 { "title" } else { "description" };
                text.lines()
                    .map(|line| match line.strip_prefix(&format!("{key} = \"")) {
                        Some(value) => format!("{key} = \"{n} {value}"),
                        None => line.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
                    + "\n"
            }
            "template" => visible_template_edit(&text, n),
            _ => format!("{text}/* edit {n} */\n"),
        };
        net.write(file, &edited);
        let fresh = net.path().join(format!("fresh-{n}"));
        net.build(&["--output", fresh.to_str().unwrap()]);
        // Every edit shows in the output, so the preview has something to
        // catch up with.
        assert!(
            first_difference(&previous, &fresh).is_some(),
            "edit {n} ({kind} of {file}) changed no output"
        );
        previous = fresh.clone();
        let started = Instant::now();
        while let Some(difference) = first_difference(&serve.out, &fresh) {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "edit {n} ({kind} of {file}): the preview differs from a full build: {difference}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// `template` with an HTML comment that shows in what it renders: inside
/// its first block or macro (text outside them is never rendered in a
/// template that extends another or only defines macros), else at the end.
fn visible_template_edit(template: &str, n: usize) -> String {
    let marker = format!("<!-- edit {n} -->");
    let opening = ["{% block ", "{%- block ", "{% macro ", "{%- macro "]
        .iter()
        .filter_map(|tag| template.find(tag))
        .min();
    match opening.and_then(|at| template[at..].find("%}").map(|end| at + end + 2)) {
        Some(inside) => format!("{}{marker}{}", &template[..inside], &template[inside..]),
        None => format!("{template}{marker}\n"),
    }
}

#[test]
fn sigterm_and_sighup_remove_the_private_preview_folder() {
    use std::io::BufRead;
    for signal in ["TERM", "HUP", "INT"] {
        let net = network();
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_grove"))
            .arg("--root")
            .arg(net.path())
            .args(["serve", "--port", "0"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        let line = stdout
            .lines()
            .map(Result::unwrap)
            .find(|l| l.starts_with("Building into"))
            .unwrap();
        let folder = line
            .strip_prefix("Building into ")
            .and_then(|rest| rest.split("; watching").next())
            .map(std::path::PathBuf::from)
            .unwrap();
        assert!(folder.join("alpha/index.html").is_file(), "{line}");
        let killed = std::process::Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = child.wait().unwrap();
        assert!(status.success(), "SIG{signal}: {status}");
        assert!(!folder.exists(), "SIG{signal} left {}", folder.display());
    }
}

#[test]
fn the_dashboard_is_served_on_the_first_port_and_reloads_when_stats_change() {
    for sites in [vec!["alpha", "beta"], vec!["alpha"]] {
        let net = network();
        let mut args = Vec::new();
        for site in &sites {
            args.extend(["--site", site]);
        }
        let serve = Serve::start(&net, &args);
        assert_ne!(serve.dashboard_port, 0);
        if sites.len() == 1 {
            // One site: the dashboard shares the site's port.
            assert_eq!(serve.dashboard_port, serve.port("alpha"));
        }
        let (status, head, body) = get(serve.dashboard_port, "/_grove/");
        assert_eq!(status, 200, "{body}");
        assert!(head.contains("content-type: text/html"), "{head}");
        assert!(body.contains("<h1>Test</h1>"), "{body}");
        assert!(
            body.contains("new EventSource(\"/_grove/events\")"),
            "{body}"
        );
        assert!(body.contains("grove stats import access.log"), "{body}");
        // Only under the preview's own names: a page of another site
        // whose name resolves to 127.0.0.1 (DNS rebinding) is refused.
        let port = serve.dashboard_port;
        for host in [
            format!("localhost:{port}"),
            format!("LOCALHOST:{port}"),
            format!("[::1]:{port}"),
        ] {
            assert_eq!(
                serve_helper::get_as(port, "/_grove/", &host).0,
                200,
                "{host}"
            );
        }
        for host in [
            format!("evil.example:{port}"),
            "localhost".to_string(),
            format!("127.0.0.1:{}", port + 1),
            format!("127.0.0.1.evil.example:{port}"),
            String::new(),
        ] {
            for path in ["/_grove/", "/_grove/events"] {
                let (status, _, body) = serve_helper::get_as(port, path, &host);
                assert_eq!(status, 403, "{host} {path}: {body}");
                assert!(!body.contains("<h1>Test</h1>"), "{body}");
            }
        }

        // Importing a log changes the stats database: the dashboard reloads.
        let events = serve_helper::events_at(serve.dashboard_port, "/_grove/events");
        std::thread::sleep(Duration::from_millis(200));
        net.write(
            "access.log",
            "1.2.3.4 - - [24/Nov/2026:10:00:00 +0000] \"GET /about/ HTTP/1.1\" 200 10 \"-\" \"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0\"\n",
        );
        let log = net.path().join("access.log");
        let output = net.grove(&["stats", "import", "--site", "alpha", log.to_str().unwrap()]);
        assert!(output.status.success());
        assert_eq!(next_event(&events), "reload {}");
        let (_, _, body) = get(serve.dashboard_port, "/_grove/");
        assert!(
            !body.contains("grove stats import access.log"),
            "the notice stays"
        );
    }
}

/// With templates that print their own head, `seo` is not computed, and
/// listings copy only the page fields their templates name; a template
/// edit that starts reading either gets it in the preview as in a full
/// build, including on an unpaginated section (rendered from a kept
/// context).
#[test]
fn a_template_that_starts_reading_seo_or_a_page_field_gets_it_in_the_preview() {
    let net = Fixture::new();
    net.site("alpha", "Alpha");
    let plain = "<!doctype html><title>{% block title %}{{ site.title }}{% endblock title %}</title>{% block content %}{% endblock content %}";
    net.write("sites/alpha/templates/base.html", plain);
    net.write(
        "sites/alpha/content/notes/_index.md",
        "+++\ntitle = \"Notes\"\ndescription = \"All the notes.\"\n+++\n",
    );
    net.write(
        "sites/alpha/content/notes/n1.md",
        "+++\ntitle = \"Note 1\"\ndescription = \"The first note.\"\n+++\nText.\n",
    );
    let serve = Serve::start(&net, &["--site", "alpha"]);
    let alpha = events(serve.port("alpha"));
    std::thread::sleep(Duration::from_millis(300));
    let page = serve.out.join("alpha/notes/n1/index.html");
    assert!(
        !std::fs::read_to_string(&page)
            .unwrap()
            .contains("The first note.")
    );

    let with_seo = plain.replace(
        "</title>",
        "</title><meta name=\"description\" content=\"{{ seo.description }}\">",
    );
    net.write("sites/alpha/templates/base.html", &with_seo);
    assert_eq!(next_event(&alpha), "reload {}");
    let fresh = net.path().join("fresh");
    net.build(&["--output", fresh.to_str().unwrap()]);
    assert_eq!(
        first_difference(&serve.out.join("alpha"), &fresh.join("alpha")),
        None
    );
    let html = scraper::Html::parse_document(&std::fs::read_to_string(&page).unwrap());
    assert_eq!(
        common::attrs(&html, "meta[name=description]", "content"),
        ["The first note."]
    );
    let section = scraper::Html::parse_document(
        &std::fs::read_to_string(serve.out.join("alpha/notes/index.html")).unwrap(),
    );
    assert_eq!(
        common::attrs(&section, "meta[name=description]", "content"),
        ["All the notes."]
    );

    // Listings copy only the page fields their templates name: a template
    // that starts naming one another template reads (`reading_time`, in
    // card.html) gets it, in the kept section context too; one no template
    // read (`word_count`, which listing values did not hold) builds the
    // site again.
    for (field, report) in [
        ("reading_time", "updated alpha"),
        ("word_count", "rebuilt alpha"),
    ] {
        serve.clear_log();
        net.write(
            "sites/alpha/templates/base.html",
            &with_seo.replace(
                "{% block content %}",
                &format!("{{% if section %}}{{% for p in section.pages %}}<i class=\"field\">{{{{ p.{field} }}}}</i>{{% endfor %}}{{% endif %}}{{% block content %}}"),
            ),
        );
        assert_eq!(next_event(&alpha), "reload {}");
        let built = serve.next_build();
        assert!(built.starts_with(report), "{field}: {built}");
        let fresh = net.path().join(format!("fresh-{field}"));
        net.build(&["--output", fresh.to_str().unwrap()]);
        assert_eq!(
            first_difference(&serve.out.join("alpha"), &fresh.join("alpha")),
            None,
            "{field}"
        );
        let section = scraper::Html::parse_document(
            &std::fs::read_to_string(serve.out.join("alpha/notes/index.html")).unwrap(),
        );
        assert_eq!(common::texts(&section, "i.field"), ["1"], "{field}");
    }
}
