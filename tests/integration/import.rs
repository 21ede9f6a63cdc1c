//! `grove import`: Hugo, Zola and WordPress sites (fixtures written from
//! the real formats in tests/data/import/) become Grove sites that build,
//! with a report of what changed and what needs a person; importing again
//! duplicates nothing and never overwrites an edit.

use crate::common;

use crate::common::{Fixture, attrs, repo, text, texts};

fn fixture(name: &str) -> String {
    repo()
        .join("tests/data/import")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// Runs `grove import`, expecting success; returns stdout.
fn import(net: &Fixture, kind: &str, source: &str, site: &str) -> String {
    let output = net.grove(&["import", kind, source, "--site", site]);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "grove import failed:\n{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

fn redirect_target(net: &Fixture, file: &str) -> String {
    attrs(&net.html(file), "meta[http-equiv=refresh]", "content")
        .pop()
        .unwrap_or_default()
}

#[test]
fn a_hugo_site_builds_with_its_urls_links_and_shortcodes() {
    let net = Fixture::new();
    let report = import(&net, "hugo", &fixture("hugo"), "gear");
    for needed in [
        "notes/todo.org",
        "taxonomy `series` is not configured",
        "expired on 2023-02-01",
        "layouts/",
    ] {
        assert!(report.contains(needed), "{needed} missing from:\n{report}");
    }
    assert!(
        report.contains("`summary` became `description`"),
        "{report}"
    );
    let site = net.read("sites/gear/site.toml");
    assert!(
        site.contains("base_url = \"https://gear.example.org\""),
        "{site}"
    );
    net.build(&[]);

    let post = net.html("gear/posts/first-run/index.html");
    assert_eq!(text(&post, "h1"), "My First Run in the Shoes");
    assert_eq!(
        texts(&post, ".page-header time"),
        vec!["May 3, 2024", "June 1, 2024"]
    );
    assert_eq!(
        attrs(&post, "meta[name=description]", "content"),
        vec!["A first outing on muddy trails."]
    );
    let links = attrs(&post, ".prose a", "href");
    assert!(
        links.contains(&"/posts/shoe-review/".to_string()),
        "{links:?}"
    );
    assert!(links.contains(&"/about/#contact".to_string()), "{links:?}");
    assert_eq!(
        attrs(&post, ".prose figure img", "src"),
        vec!["/images/logo.png"]
    );
    assert!(net.out("gear/images/logo.png").is_file());
    assert_eq!(
        texts(&post, ".prose figcaption"),
        vec!["The Gear Notes logo"]
    );
    assert_eq!(
        attrs(&post, ".prose iframe", "src"),
        vec!["https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"]
    );
    assert_eq!(
        attrs(&post, ".prose pre code", "class"),
        vec!["language-go", "language-text", "language-go-html-template"]
    );
    let code = texts(&post, ".prose pre code");
    // A shortcode Grove cannot translate is kept as text whole, its body
    // too: nothing in it renders live.
    assert_eq!(
        code[1],
        "{{< notice warning >}} Mind the **mud**. {{< /notice >}}"
    );
    assert!(code[2].contains("<h1>{{ .Title }}</h1>"), "{code:?}");
    let prose = text(&post, ".prose");
    assert!(prose.contains("Hugo shows {{ .Title }} as text"), "{prose}");
    assert!(
        prose.contains("Show a call with {{< youtube id >}}."),
        "{prose}"
    );
    // Tags and the permalink of Hugo's config.
    let tag = net.html("gear/tags/trail/index.html");
    assert!(attrs(&tag, "main a", "href").contains(&"/posts/first-run/".to_string()));
    assert_eq!(
        redirect_target(&net, "gear/2024/05/first-run/index.html"),
        "0; url=/posts/first-run/"
    );
    assert_eq!(
        redirect_target(&net, "gear/about-us/index.html"),
        "0; url=/about/"
    );
    // A bundle in a capitalised folder, its image beside it; JSON front matter.
    let bundle = net.html("gear/posts/shoe-review/index.html");
    assert_eq!(text(&bundle, "h1"), "Shoe Review");
    let shown = attrs(&bundle, ".prose img", "src");
    assert!(
        shown[0].starts_with("/processed_images/shoe-15x7-"),
        "{shown:?}"
    );
    assert!(net.out("gear/posts/shoe-review/shoe.jpg").is_file());
    // The summary marker, and the section Hugo made without an _index.md.
    assert_eq!(
        attrs(&post, "#continue-reading", "id"),
        vec!["continue-reading"]
    );
    let listing = net.html("gear/posts/index.html");
    assert_eq!(text(&listing, "h1"), "Posts");
    let listed = attrs(&listing, "main a", "href");
    assert!(
        listed.contains(&"/posts/first-run/".to_string()),
        "{listed:?}"
    );
    // Drafts and expired pages stay out.
    assert!(!net.out("gear/posts/unfinished").exists());
    assert!(!net.out("gear/posts/old-deal").exists());
    let about = net.read("sites/gear/content/about.md");
    assert!(about.contains("[extra]\nShowToc = true"), "{about}");
    assert!(about.contains("authors = [\"Ann Runner\"]"), "{about}");
}

#[test]
fn a_zola_site_builds_as_written() {
    let net = Fixture::new();
    let report = import(&net, "zola", &fixture("zola"), "shots");
    for needed in [
        "`gallery` is a shortcode Grove's theme does not have",
        "`quote` is a body shortcode",
        "templates/shortcodes/gallery.html",
        "sass/",
    ] {
        assert!(report.contains(needed), "{needed} missing from:\n{report}");
    }
    let output = net.build(&[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("translations into `fr` are not built"),
        "{stderr}"
    );
    assert!(stderr.contains("`insert_anchor_links`"), "{stderr}");

    let post = net.html("shots/blog/grinders/index.html");
    assert_eq!(text(&post, "h1"), "Choosing a Grinder");
    assert_eq!(
        texts(&post, ".page-header time"),
        vec!["February 1, 2024", "March 1, 2024"]
    );
    assert_eq!(texts(&post, ".prose aside.note"), vec!["Buy fresh beans."]);
    assert!(attrs(&post, ".prose a", "href").contains(&"/blog/dialing-in/".to_string()));
    let paragraphs = texts(&post, ".prose p");
    assert!(
        paragraphs.contains(&"{{ gallery() }}".to_string()),
        "{paragraphs:?}"
    );
    assert!(
        paragraphs
            .iter()
            .any(|p| p.starts_with("{% quote(author=\"Bo\") %}")),
        "{paragraphs:?}"
    );
    assert!(
        paragraphs.contains(&"To embed a video, write {{ youtube(id=\"abc\") }}.".to_string()),
        "{paragraphs:?}"
    );
    assert_eq!(
        texts(&post, ".prose pre code"),
        vec!["title = \"{{ page.title }}\"".to_string()]
    );
    let tags = net.html("shots/tags/grinders/index.html");
    assert!(attrs(&tags, "main a", "href").contains(&"/blog/grinders/".to_string()));
    assert!(net.out("shots/blog/dialing-in/chart.png").is_file());
    assert_eq!(
        redirect_target(&net, "shots/dialing/index.html"),
        "0; url=/blog/dialing-in/"
    );
    assert_eq!(text(&net.html("shots/about/index.html"), "h1"), "About");
    assert!(net.out("shots/favicon.ico").is_file());
    assert!(!net.out("shots/blog/grinders.fr").exists());
}

#[test]
fn a_wordpress_export_becomes_posts_and_pages() {
    let net = Fixture::new();
    let report = import(&net, "wordpress", &fixture("wordpress.xml"), "kettle");
    for needed in [
        "dynamic block `latest-posts`",
        "shortcode [amazon] is kept as text",
        "https://kettle.example.com/wp-content/uploads/2024/01/kettle-hero.jpg",
        "private in WordPress: imported as a draft",
        "in the trash: not imported",
        "navigation menu entries are not imported",
    ] {
        assert!(report.contains(needed), "{needed} missing from:\n{report}");
    }
    net.build(&[]);
    let post = net.html("kettle/blog/best-gooseneck-kettles/index.html");
    assert_eq!(text(&post, "h1"), "The Best Gooseneck Kettles – 2024");
    assert_eq!(
        attrs(&post, ".page-header time", "datetime"),
        vec!["2024-01-15T09:00:00+00:00"]
    );
    assert_eq!(
        attrs(&post, "meta[name=description]", "content"),
        vec!["Five gooseneck kettles, poured side by side."]
    );
    assert_eq!(texts(&post, ".prose h2"), vec!["Our picks"]);
    assert_eq!(
        texts(&post, ".prose li"),
        vec!["Fellow Stagg EKG", "Hario Buono"]
    );
    assert_eq!(texts(&post, ".prose table td"), vec!["Stagg", "0.9 l"]);
    assert!(
        attrs(&post, ".prose a", "href").contains(&"/blog/pour-over-basics/".to_string()),
        "a link to an old permalink becomes a link to the imported post"
    );
    assert_eq!(attrs(&post, ".prose img", "alt"), vec!["A kettle pouring"]);
    assert!(text(&post, ".prose").contains("[amazon box=\"B07XYZ1234\"]"));
    assert_eq!(
        redirect_target(&net, "kettle/2024/01/15/best-gooseneck-kettles/index.html"),
        "0; url=/blog/best-gooseneck-kettles/"
    );
    let tag = net.html("kettle/tags/kettles/index.html");
    assert!(attrs(&tag, "main a", "href").contains(&"/blog/best-gooseneck-kettles/".to_string()));

    let classic = net.html("kettle/blog/pour-over-basics/index.html");
    let paragraphs = texts(&classic, ".prose p");
    assert_eq!(paragraphs[0], "Pour-over is simple. It takes practice.");
    assert!(
        paragraphs.contains(&"You need a kettle, a dripper and {{ patience }}.".to_string()),
        "{paragraphs:?}"
    );
    assert_eq!(texts(&classic, ".prose figcaption"), vec!["Pour slowly"]);
    assert_eq!(
        texts(&classic, ".prose pre code"),
        vec!["bloom: 45 s total: 3:30"]
    );
    assert_eq!(texts(&classic, ".prose h3"), vec!["Ratio"]);

    let blog = net.html("kettle/blog/index.html");
    assert_eq!(text(&blog, "h1"), "Brew Log");
    let listed = attrs(&blog, "main a", "href");
    assert!(
        !listed.iter().any(|h| h.contains("cold-brew")
            || h.contains("supplier")
            || h.contains("spring-sale")),
        "{listed:?}"
    );
    assert_eq!(
        text(&net.html("kettle/about/team/index.html"), "h1"),
        "Our Team"
    );
    assert!(
        !net.out("kettle/blog/cold-brew-ideas").exists(),
        "drafts stay drafts"
    );
    assert!(
        !net.out("kettle/blog/supplier-prices").exists(),
        "private posts are not published"
    );
    let draft = net.read("sites/kettle/content/blog/cold-brew-ideas.md");
    assert!(draft.contains("draft = true"), "{draft}");
    assert!(draft.contains("authors = [\"Cara Brew\"]"), "{draft}");
}

#[test]
fn every_url_a_wordpress_site_published_answers_after_import() {
    let net = Fixture::new();
    let report = import(&net, "wordpress", &fixture("wordpress.xml"), "kettle");
    // Posts, pages, the home page, category, tag, author and date archives
    // and the feed: the import builds the site and looks each up.
    assert!(
        report.contains("18 of 18 old URLs answer"),
        "the import checks its old URLs:\n{report}"
    );
    net.build(&[]);
    // A slug WordPress stored percent-encoded is decoded once: a real
    // UTF-8 file name, and the old URL redirects, encoded once.
    assert!(
        net.path()
            .join("sites/kettle/content/blog/“great”-kettles.md")
            .is_file()
    );
    assert_eq!(
        redirect_target(&net, "kettle/2024/02/01/“great”-kettles/index.html"),
        "0; url=/blog/great-kettles/"
    );
    let redirects = std::fs::read_to_string(net.out("kettle/_redirects")).unwrap();
    assert!(
        redirects.contains("/2024/02/01/%E2%80%9Cgreat%E2%80%9D-kettles/ /blog/great-kettles/ 301"),
        "{redirects}"
    );
    assert!(!redirects.contains("%25"), "encoded twice: {redirects}");
    // Archives lead to the Grove page that lists the same posts; the
    // category keeps its description.
    assert_eq!(
        redirect_target(&net, "kettle/category/reviews/index.html"),
        "0; url=/categories/reviews/"
    );
    assert_eq!(
        redirect_target(&net, "kettle/tag/kettles/index.html"),
        "0; url=/tags/kettles/"
    );
    assert_eq!(
        redirect_target(&net, "kettle/feed/index.html"),
        "0; url=/rss.xml"
    );
    assert_eq!(
        redirect_target(&net, "kettle/2024/01/index.html"),
        "0; url=/blog/"
    );
    assert_eq!(
        redirect_target(&net, "kettle/author/cara/index.html"),
        "0; url=/blog/"
    );
    let category = net.html("kettle/categories/reviews/index.html");
    assert_eq!(text(&category, "h1"), "Reviews");
    assert!(
        texts(&category, ".lede").contains(&"Kettles and grinders we bought and used.".to_string())
    );
    // The network's blueprint stays out of an imported site.
    assert!(!net.out("kettle/guides").exists());
    assert!(!net.out("kettle/reviews").exists());
}

#[test]
fn an_import_that_does_not_build_says_so_and_fails() {
    let net = Fixture::new();
    let source = tempfile::tempdir().unwrap();
    std::fs::write(
        source.path().join("config.toml"),
        "title = \"Broken\"\nbase_url = \"https://broken.example.org\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(source.path().join("content")).unwrap();
    std::fs::write(
        source.path().join("content/a.md"),
        "+++\ntitle = \"A\"\n+++\nSee [the missing page](@/missing.md).\n",
    )
    .unwrap();
    let output = net.grove(&[
        "import",
        "zola",
        &source.path().to_string_lossy(),
        "--site",
        "broken",
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.contains("The imported site does not build:"),
        "{stdout}"
    );
    assert!(
        stdout.contains("content/a.md:4"),
        "the error names file and line:\n{stdout}"
    );
    assert!(stdout.contains("broken link `@/missing.md`"), "{stdout}");
    assert!(!stdout.contains("Imported into"), "{stdout}");
    assert!(stderr.contains("does not build"), "{stderr}");
    // The files are there to fix.
    assert!(net.path().join("sites/broken/content/a.md").is_file());
}

#[test]
fn a_hugo_site_with_the_quirks_of_real_ones_builds_and_keeps_its_urls() {
    let net = Fixture::new();
    let report = import(&net, "hugo", &fixture("hugo-quirks"), "yard");
    // contentDir from config/_default/languages.toml, two pages at one URL,
    // a YAML key given twice: said, not fatal.
    assert!(
        report.contains("its URL /same-place/ is also posts/hoe.md's"),
        "{report}"
    );
    assert!(report.contains("`title` is given twice"), "{report}");
    assert!(
        report.contains("26 of 26 old URLs answer"),
        "every URL Hugo publishes:\n{report}"
    );
    // A term only a section has leads to that section.
    assert!(
        report.contains("tags term `basics` is on no page, only on sections"),
        "{report}"
    );
    let site = net.read("sites/yard/site.toml");
    assert!(site.contains("url_rules = \"hugo\""), "{site}");
    assert!(site.contains("blueprint = false"), "{site}");
    net.build(&[]);
    // Hugo's heading ids and term URLs.
    let drill = net.html("yard/posts/black-decker-drill/index.html");
    assert_eq!(text(&drill, "h1"), "Black+Decker Drill — The Review");
    assert_eq!(
        attrs(&drill, ".prose h2", "id"),
        vec!["people--body", "battery--life"]
    );
    assert!(net.out("yard/tags/black+decker/index.html").is_file());
    for feed in [
        "index.xml",
        "posts/index.xml",
        "tags/index.xml",
        "tags/drills/index.xml",
    ] {
        assert!(net.out(&format!("yard/{feed}")).is_file(), "{feed}");
    }
    // The term page takes its title and description from its _index.md.
    let category = net.html("yard/categories/home-garden/index.html");
    assert_eq!(text(&category, "h1"), "Home & Garden");
    assert!(
        texts(&category, ".lede").contains(&"Everything for the house and the yard.".to_string())
    );
    // The site's own robots.txt is published, not Grove's.
    assert_eq!(
        std::fs::read_to_string(net.out("yard/robots.txt")).unwrap(),
        "User-agent: *\nDisallow: /private/\n"
    );
    assert_eq!(
        text(&net.html("yard/same-place-2/index.html"), "h1"),
        "Leaf Rake"
    );
    assert_eq!(text(&net.html("yard/about/index.html"), "h1"), "About us");
    assert!(!net.out("yard/reviews").exists(), "no blueprint section");
}

#[test]
fn an_affiliate_sites_links_products_and_cover_images_survive_the_move() {
    let net = Fixture::new();
    let report = import(&net, "hugo", &fixture("hugo-quirks"), "yard");
    assert!(
        report.contains("became the registry entry `amazon-b00mkb5txa`"),
        "{report}"
    );
    let registry = net.read("sites/yard/affiliates.toml");
    let entry = registry
        .split("\n\n")
        .find(|e| e.starts_with("[amazon-b00mkb5txa]"))
        .unwrap_or_else(|| panic!("{registry}"));
    for line in [
        "name = 'Weber Original Kettle 22\"'",
        "program = \"amazon\"",
        "url = \"https://www.amazon.com/dp/B00MKB5TXA?tag={{ site.affiliate.amazon_tag }}\"",
        "image = \"/images/weber.jpg\"",
        "price = \"$189.00\"",
        "rating = 4.7",
        "pros = [\"Even heat\", \"Lasts decades\"]",
        "cons = [\"Small ash catcher\"]",
    ] {
        assert!(
            entry.lines().any(|l| l == line),
            "{line} missing from {entry}"
        );
    }
    let site = net.read("sites/yard/site.toml");
    assert!(
        site.contains("[affiliate]\namazon_tag = \"yards-20\""),
        "{site}"
    );
    net.build(&[]);
    let page = net.html("yard/posts/weber-kettle-review/index.html");
    // The product box and pros and cons the theme drew from front matter.
    assert_eq!(
        text(&page, ".product-box .product-name"),
        "Weber Original Kettle 22\""
    );
    assert_eq!(texts(&page, ".pros li"), vec!["Even heat", "Lasts decades"]);
    assert_eq!(texts(&page, ".cons li"), vec!["Small ash catcher"]);
    // Every Amazon link of the page (text, button shortcode, HTML anchor,
    // the front matter's link list, the product box) is a sponsored link.
    let sponsored: Vec<String> = attrs(&page, "a[rel~=sponsored]", "href");
    assert_eq!(sponsored.len(), 5, "{sponsored:?}");
    let amazon_left: Vec<String> = attrs(&page, "a", "href")
        .into_iter()
        .filter(|h| h.contains("amazon.") || h.contains("amzn."))
        .filter(|h| !sponsored.contains(h))
        .collect();
    assert!(amazon_left.is_empty(), "{amazon_left:?}");
    assert!(
        !texts(&page, ".disclosure").is_empty() || text(&page, "main").contains("commission"),
        "a page with affiliate links carries the disclosure"
    );
    // The cover image stands above the text.
    assert_eq!(
        attrs(&page, "figure.cover img", "src"),
        vec!["/images/weber-cover.jpg"]
    );
    assert_eq!(
        texts(&page, "figure.cover figcaption"),
        vec!["Our test kettle"]
    );
}

#[test]
fn importing_again_duplicates_nothing_and_keeps_edits() {
    let net = Fixture::new();
    let source = tempfile::tempdir().unwrap();
    common::copy_dir(&repo().join("tests/data/import/zola"), source.path());
    let source_path = source.path().to_string_lossy().into_owned();
    let first = import(&net, "zola", &source_path, "shots");
    let files_after_first = common::files_below(&net.path().join("sites/shots"));
    assert!(first.starts_with("10 files written"), "{first}");

    let second = import(&net, "zola", &source_path, "shots");
    assert!(
        second.starts_with("0 files written, 10 unchanged, 0 kept"),
        "{second}"
    );
    assert_eq!(
        common::files_below(&net.path().join("sites/shots")),
        files_after_first
    );

    // A person edits one imported page; the source changes two.
    let edited = "sites/shots/content/pages/about.md";
    net.write(edited, "+++\ntitle = \"About us\"\n+++\nMy own words.\n");
    for page in ["content/pages/about.md", "content/blog/dialing-in/index.md"] {
        let path = source.path().join(page);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("coffee", "tea").replace("seconds", "s")).unwrap();
    }
    let third = import(&net, "zola", &source_path, "shots");
    assert!(
        third.starts_with("1 file written, 8 unchanged, 1 kept"),
        "{third}"
    );
    assert_eq!(
        net.read(edited),
        "+++\ntitle = \"About us\"\n+++\nMy own words.\n"
    );
    assert!(
        net.read("sites/shots/content/blog/dialing-in/index.md")
            .contains("28 s.")
    );
    assert_eq!(
        common::files_below(&net.path().join("sites/shots")),
        files_after_first
    );

    // A person deletes an imported page: importing again does not bring
    // it back, and says so.
    let deleted = "sites/shots/content/blog/grinders.md";
    std::fs::remove_file(net.path().join(deleted)).unwrap();
    let fourth = import(&net, "zola", &source_path, "shots");
    assert!(
        fourth.contains(
            "1 file deleted since the last import, not written again: content/blog/grinders.md"
        ),
        "{fourth}"
    );
    assert!(!net.path().join(deleted).exists());
}

#[test]
fn bad_sources_fail_with_a_clear_message() {
    let net = Fixture::new();
    let missing = net.grove(&["import", "hugo", "/nonexistent/site", "--site", "x"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("is not a folder"));
    net.write(
        "export.xml",
        "<rss><channel><item><title>Broken</title></channel></rss>",
    );
    let broken = net.grove(&[
        "import",
        "wordpress",
        &net.path().join("export.xml").to_string_lossy(),
        "--site",
        "x",
    ]);
    let stderr = String::from_utf8_lossy(&broken.stderr);
    assert!(!broken.status.success());
    assert!(
        stderr.contains("export.xml:1:") && stderr.contains("not a WordPress export"),
        "{stderr}"
    );
    assert!(
        !net.path().join("sites/x").exists(),
        "nothing is written on failure"
    );
    let dry = net.grove(&[
        "import",
        "zola",
        &fixture("zola"),
        "--site",
        "y",
        "--dry-run",
    ]);
    assert!(dry.status.success());
    assert!(String::from_utf8_lossy(&dry.stdout).contains("Dry run: nothing was written."));
    assert!(!net.path().join("sites/y").exists());
}

/// A WordPress export of `items`: (id, type, post_name, parent id, link).
fn wxr(items: &[(u32, &str, &str, u32, &str)]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<rss version=\"2.0\" xmlns:excerpt=\"http://wordpress.org/export/1.2/excerpt/\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:wp=\"http://wordpress.org/export/1.2/\">\n<channel><title>Hostile</title><link>https://h.example.com</link><wp:base_blog_url>https://h.example.com</wp:base_blog_url>\n",
    );
    for (id, kind, name, parent, link) in items {
        xml.push_str(&format!(
            "<item><title>Item {id}</title><link>{link}</link><dc:creator>a</dc:creator><content:encoded><![CDATA[<p>Body of {id}.</p>]]></content:encoded><excerpt:encoded><![CDATA[]]></excerpt:encoded><wp:post_id>{id}</wp:post_id><wp:post_date_gmt>2024-01-0{} 10:00:00</wp:post_date_gmt><wp:post_name><![CDATA[{name}]]></wp:post_name><wp:status>publish</wp:status><wp:post_parent>{parent}</wp:post_parent><wp:post_type>{kind}</wp:post_type><wp:post_password></wp:post_password></item>\n",
            id % 9 + 1
        ));
    }
    xml.push_str("</channel></rss>\n");
    xml
}

/// Every file below `dir` with its bytes, to compare before and after.
fn snapshot(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    common::files_below(dir)
        .into_iter()
        .map(|rel| {
            let bytes = std::fs::read(dir.join(&rel)).unwrap_or_default();
            (rel, bytes)
        })
        .collect()
}

#[test]
fn hostile_wordpress_names_never_lead_out_of_the_site_folder() {
    // The network sits two folders down in a sandbox, so `../` chains
    // have somewhere to land that the test can see.
    let sandbox = tempfile::tempdir().unwrap();
    let root = sandbox.path().join("a/net");
    std::fs::create_dir_all(&root).unwrap();
    common::copy_dir(&repo().join("themes"), &root.join("themes"));
    std::fs::write(root.join("grove.toml"), "[network]\nname = \"T\"\n").unwrap();
    std::fs::create_dir_all(root.join("sites/other")).unwrap();
    std::fs::write(
        root.join("sites/other/site.toml"),
        "title = \"Other\"\nbase_url = \"https://other.example.com\"\nniche = \"o\"\naudience = \"o\"\n",
    )
    .unwrap();
    let export = sandbox.path().join("export.xml");
    let names = [
        "../../../../../pwned-dots",
        "..%2F..%2F..%2F..%2F..%2Fpwned-encoded",
        "%2E%2E",
        "..",
        ".",
        "..\\..\\..\\pwned-backslash",
        "/tmp/pwned-absolute",
        "nul%00byte",
        "%2e%2e%2f%2e%2e%2fother%2fcontent%2fpwned-other",
        ".hidden-post",
    ];
    let mut items: Vec<(u32, &str, &str, u32, &str)> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            (
                i as u32 + 1,
                "post",
                *name,
                0,
                "https://h.example.com/../../x/",
            )
        })
        .collect();
    // Pages nested under parents whose slugs lead out.
    items.push((50, "page", "..", 0, "https://h.example.com/p/"));
    items.push((
        51,
        "page",
        "child-of-dots",
        50,
        "https://h.example.com/p/c/",
    ));
    items.push((
        52,
        "page",
        "../../../../../../pwned-parent",
        0,
        "https://h.example.com/q/",
    ));
    items.push((53, "page", "child", 52, "https://h.example.com/q/c/"));
    std::fs::write(&export, wxr(&items)).unwrap();
    let outside_before = snapshot(sandbox.path());
    let output = common::grove_in(
        &root,
        &[
            "import",
            "wordpress",
            export.to_str().unwrap(),
            "--site",
            "hostile",
        ],
    );
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{report}");
    // Nothing outside sites/hostile/ and .grove/ changed or appeared.
    let changed: Vec<String> = snapshot(sandbox.path())
        .into_iter()
        .filter(|(rel, _)| {
            !rel.starts_with("a/net/sites/hostile/") && !rel.starts_with("a/net/.grove/")
        })
        .filter(|entry| !outside_before.contains(entry))
        .map(|(rel, _)| rel)
        .collect();
    assert_eq!(changed, Vec::<String>::new(), "{report}");
    assert!(!std::path::Path::new("/tmp/pwned-absolute.md").exists());
    // Every post was imported under blog/, each rename named in the report.
    let written = common::files_below(&root.join("sites/hostile/content"));
    let posts = written
        .iter()
        .filter(|f| f.starts_with("blog/") && !f.ends_with("_index.md"));
    assert_eq!(posts.count(), names.len(), "{written:?}");
    assert!(
        written
            .iter()
            .all(|f| !f.split('/').any(|p| p.starts_with('.'))),
        "{written:?}"
    );
    let full = std::fs::read_to_string(root.join(".grove/import-hostile.md")).unwrap();
    for name in [
        "../../../../../pwned-dots",
        "..\\\\..\\\\..\\\\pwned-backslash",
        "/tmp/pwned-absolute",
        ".hidden-post",
    ] {
        assert!(
            full.contains(&format!("slug `{name}` cannot be a file name")),
            "{name} not reported:\n{full}"
        );
    }
    assert!(
        full.contains("leads out of the site: no redirect"),
        "{full}"
    );
    // And the site builds.
    let build = common::grove_in(&root, &["build"]);
    assert!(
        build.status.success(),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );
}

/// Files below `dir` of the imported site that hold `needle`.
fn files_holding(dir: &std::path::Path, needle: &[u8]) -> Vec<String> {
    snapshot(dir)
        .into_iter()
        .filter(|(_, bytes)| bytes.windows(needle.len()).any(|w| w == needle))
        .map(|(rel, _)| rel)
        .collect()
}

#[test]
fn imports_read_only_the_source_folder() {
    // A secret outside the source, which configuration and links point at.
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "TOP-SECRET-42").unwrap();
    std::fs::create_dir_all(outside.path().join("templates/shortcodes")).unwrap();
    std::fs::write(
        outside.path().join("templates/shortcodes/leak.html"),
        "TOP-SECRET-42",
    )
    .unwrap();
    let secret_dir = outside.path().to_str().unwrap().to_string();
    let hugo = tempfile::tempdir().unwrap();
    let write = |root: &std::path::Path, rel: &str, text: &str| {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        hugo.path(),
        "content/post.md",
        "+++\ntitle = \"Post\"\nurl = \"/../../../escape/\"\nslug = \"../..\"\naliases = [\"/../../old/\", \"https://evil.example/\"]\n+++\nHello.\n",
    );
    write(
        hugo.path(),
        "content/ok.md",
        "+++\ntitle = \"Ok\"\n+++\nFine.\n",
    );
    std::os::unix::fs::symlink(
        outside.path().join("secret.txt"),
        hugo.path().join("content/linked.txt"),
    )
    .unwrap();
    std::fs::create_dir_all(hugo.path().join("static")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.txt"),
        hugo.path().join("static/leak.txt"),
    )
    .unwrap();
    std::os::unix::fs::symlink(outside.path(), hugo.path().join("static/dir")).unwrap();
    let net = Fixture::new();
    for config in [
        format!("title = \"H\"\nstaticDir = \"{secret_dir}\"\n"),
        format!(
            "title = \"H\"\n[[module.mounts]]\nsource = \"{secret_dir}\"\ntarget = \"static\"\n"
        ),
        "title = \"H\"\nstaticDir = \"../../../../../../../../..\"\n".to_string(),
        "title = \"H\"\n".to_string(),
    ] {
        write(hugo.path(), "hugo.toml", &config);
        let report = import(&net, "hugo", hugo.path().to_str().unwrap(), "h");
        assert_eq!(
            files_holding(&net.path().join("sites/h"), b"TOP-SECRET-42"),
            Vec::<String>::new(),
            "{config}"
        );
        let full = net.read(".grove/import-h.md");
        if config.contains("static") || config.contains("mounts") {
            assert!(
                full.contains("leads outside the source folder"),
                "{config}\n{full}"
            );
        }
        if !config.contains("static") && !config.contains("mounts") {
            assert!(
                full.contains("static/leak.txt") && full.contains("a symbolic link: not followed"),
                "{full}"
            );
        }
        assert!(
            full.contains("leads out of the site: saved as `escape`"),
            "{full}"
        );
        assert!(
            full.contains(
                "alias `https://evil.example/` is no place in the site: dropped (a full URL"
            ),
            "{full}"
        );
        assert!(report.contains("2 pages"), "{report}");
    }
    net.build(&[]);
    assert!(net.out("h/escape/index.html").is_file());
    assert_eq!(redirect_target(&net, "h/old/index.html"), "0; url=/escape/");
    // A content folder outside the source is refused, with nothing written.
    write(
        hugo.path(),
        "hugo.toml",
        "title = \"H\"\ncontentDir = \"../../../../../../../../../..\"\n",
    );
    let refused = net.grove(&[
        "import",
        "hugo",
        hugo.path().to_str().unwrap(),
        "--site",
        "h2",
    ]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("leads outside"));
    assert!(!net.path().join("sites/h2").exists());

    // Zola: a theme named outside the source, symbolic links, paths out.
    let zola = tempfile::tempdir().unwrap();
    write(
        zola.path(),
        "config.toml",
        &format!(
            "title = \"Z\"\nbase_url = \"https://z.example.com\"\ntheme = \"../../../../../../../..{secret_dir}\"\n"
        ),
    );
    write(
        zola.path(),
        "content/a.md",
        "+++\ntitle = \"A\"\npath = \"../../../../x\"\naliases = [\"/../../y/\"]\n+++\nA.\n",
    );
    // Zola never expands front matter: imported, it is text too.
    write(
        zola.path(),
        "content/b.md",
        "+++\ntitle = \"{{ '<b>' ~ 'x' }}\"\n+++\nB.\n",
    );
    std::os::unix::fs::symlink(outside.path(), zola.path().join("content/linked")).unwrap();
    std::os::unix::fs::symlink(outside.path(), zola.path().join("static")).unwrap();
    import(&net, "zola", zola.path().to_str().unwrap(), "z");
    assert_eq!(
        files_holding(&net.path().join("sites/z"), b"TOP-SECRET-42"),
        Vec::<String>::new()
    );
    let full = net.read(".grove/import-z.md");
    assert!(full.contains("leads outside the source folder"), "{full}");
    assert!(full.contains("saved as `x`"), "{full}");
    net.build(&[]);
    assert!(net.out("z/x/index.html").is_file());
    assert_eq!(text(&net.html("z/b/index.html"), "h1"), "{{ '<b>' ~ 'x' }}");
}

#[test]
fn deeply_nested_bodies_and_oversized_fields_are_bounded() {
    let net = Fixture::new();
    let mut xml = wxr(&[(1, "post", "plain", 0, "https://h.example.com/plain/")]);
    let mut items = String::new();
    for (id, open, close) in [
        (2, "<em>", "</em>"),
        (3, "<ul><li>", "</li></ul>"),
        (4, "<blockquote>", "</blockquote>"),
        (5, "<table><tr><td>", "</td></tr></table>"),
        (6, "<div>", "</div>"),
    ] {
        let body = format!("{}deep {id}{}", open.repeat(30_000), close.repeat(30_000));
        items.push_str(&format!(
            "<item><title>Deep {id}</title><link>https://h.example.com/deep-{id}/</link><content:encoded><![CDATA[{body}]]></content:encoded><wp:post_id>{id}</wp:post_id><wp:post_date_gmt>2024-01-01 10:00:00</wp:post_date_gmt><wp:post_name>deep-{id}</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>\n"
        ));
    }
    let huge_title = "T".repeat(200_000);
    items.push_str(&format!(
        "<item><title>{huge_title}</title><content:encoded><![CDATA[<p>x</p>]]></content:encoded><wp:post_id>7</wp:post_id><wp:post_name>huge</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>\n"
    ));
    xml = xml.replace("</channel>", &format!("{items}</channel>"));
    net.write("deep.xml", &xml);
    let report = import(
        &net,
        "wordpress",
        &net.path().join("deep.xml").to_string_lossy(),
        "deep",
    );
    assert!(report.contains("6 pages"), "{report}");
    let full = net.read(".grove/import-deep.md");
    assert!(
        full.contains("HTML nested deeper than 200 elements"),
        "{full}"
    );
    assert!(
        full.contains("its <title> is 200000 bytes, over the 64 KB"),
        "{full}"
    );
    net.build(&[]);
    for id in 2..=6 {
        let page = net.html(&format!("deep/blog/deep-{id}/index.html"));
        assert!(
            text(&page, ".prose").contains(&format!("deep {id}")),
            "{id}"
        );
    }
}

/// Every URL a site built by `hugo` has: folders with an `index.html`,
/// and other files but the sitemap (which Grove writes itself).
fn published_urls(out: &std::path::Path) -> Vec<String> {
    let mut urls: Vec<String> = common::files_below(out)
        .into_iter()
        .filter(|rel| rel != "sitemap.xml")
        .map(|rel| match rel.strip_suffix("index.html") {
            Some(dir) => format!("/{dir}"),
            None => format!("/{rel}"),
        })
        .collect();
    urls.sort();
    urls
}

/// The ids of a page's headings.
fn heading_ids(html: &scraper::Html) -> Vec<String> {
    attrs(html, "h2, h3", "id")
}

#[test]
#[ignore = "needs Hugo (scripts/test-tools.sh installs it)"]
fn every_url_hugo_itself_publishes_answers_after_import() {
    let hugo_out = tempfile::tempdir().unwrap();
    let source = tempfile::tempdir().unwrap();
    common::copy_dir(&repo().join("tests/data/import/hugo-quirks"), source.path());
    let built = std::process::Command::new("hugo")
        .args(["--quiet", "--source"])
        .arg(source.path())
        .arg("--destination")
        .arg(hugo_out.path())
        .output()
        .expect("hugo runs (scripts/test-tools.sh installs it)");
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let hugo_urls = published_urls(hugo_out.path());
    assert!(hugo_urls.len() > 20, "{hugo_urls:?}");

    let net = Fixture::new();
    import(&net, "hugo", &fixture("hugo-quirks"), "yard");
    net.build(&[]);
    let grove_out = net.out("yard");
    let redirects = std::fs::read_to_string(grove_out.join("_redirects")).unwrap_or_default();
    let missing: Vec<&String> = hugo_urls
        .iter()
        .filter(|url| {
            let rel = url.trim_start_matches('/');
            let file = grove_out.join(rel);
            let page = grove_out.join(rel).join("index.html");
            !(file.is_file()
                || page.is_file()
                || redirects.lines().any(|l| l.starts_with(url.as_str())))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "Hugo publishes these, Grove does not: {missing:?}"
    );
    // Heading ids are Hugo's, so `#heading` links keep working.
    let hugo_page =
        std::fs::read_to_string(hugo_out.path().join("posts/black-decker-drill/index.html"))
            .unwrap();
    let hugo_ids = heading_ids(&scraper::Html::parse_document(&hugo_page));
    assert_eq!(hugo_ids, ["people--body", "battery--life"]);
    let grove_ids: Vec<String> = attrs(
        &net.html("yard/posts/black-decker-drill/index.html"),
        ".prose h2, .prose h3",
        "id",
    );
    assert_eq!(grove_ids, hugo_ids);
}
