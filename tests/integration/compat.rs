//! Content written for Zola or Hugo builds as its authors meant: nothing
//! is lost silently. Each test builds a site and reads the parsed HTML.

use crate::common::{Fixture, attrs, png_image, text, texts};

fn alpha() -> Fixture {
    let net = Fixture::new();
    net.site("alpha", "Alpha");
    net
}

#[test]
fn blank_lines_before_the_front_matter_are_skipped() {
    let net = alpha();
    net.write(
        "sites/alpha/content/notes/spaced.md",
        "\n  \n+++\ntitle = \"Spaced\"\n+++\nBody text.\n",
    );
    net.build(&[]);
    let page = net.html("alpha/notes/spaced/index.html");
    assert_eq!(text(&page, "h1"), "Spaced");
    assert!(!text(&page, ".prose").contains("title ="));
}

#[test]
fn code_is_never_evaluated_as_a_template() {
    let net = alpha();
    net.write(
        "sites/alpha/content/notes/templates.md",
        "+++\ntitle = \"Templates\"\n+++\nThis site is {{ site.title }}.\n\n\
         ```jinja\n<h1>{{ page.title }}</h1>\n{% if x %}y{% endif %}\n```\n\n\
         Inline `{{ config.base_url }}` too.\n\n    {# indented #}\n\n\
         Zola escape: {{/* youtube(id=\"abc\") */}} and {%/* note() */%}.\n",
    );
    net.build(&[]);
    let page = net.html("alpha/notes/templates/index.html");
    let paragraphs = texts(&page, ".prose p");
    assert_eq!(paragraphs[0], "This site is Alpha.");
    assert_eq!(
        texts(&page, ".prose pre code"),
        vec![
            "<h1>{{ page.title }}</h1> {% if x %}y{% endif %}".to_string(),
            "{# indented #}".to_string()
        ]
    );
    assert!(texts(&page, ".prose p code").contains(&"{{ config.base_url }}".to_string()));
    assert!(
        paragraphs
            .contains(&"Zola escape: {{ youtube(id=\"abc\") }} and {% note() %}.".to_string()),
        "{paragraphs:?}"
    );
}

#[test]
fn a_tera_error_in_content_says_how_to_write_it_literally() {
    let net = alpha();
    net.write(
        "sites/alpha/content/notes/broken.md",
        "+++\ntitle = \"Broken\"\n+++\nWrite {{ like this\n",
    );
    let stderr = net.build_fails(&[]);
    assert!(stderr.contains("broken.md"), "{stderr}");
    assert!(stderr.contains("evaluated as a Tera template"), "{stderr}");
}

#[test]
fn hugo_summary_markers_and_fence_info_strings() {
    let net = alpha();
    net.write(
        "sites/alpha/content/blog/_index.md",
        "+++\ntitle = \"Blog\"\n+++\n",
    );
    net.write(
        "sites/alpha/content/blog/post.md",
        "+++\ntitle = \"Post\"\ndate = 2024-05-01\n+++\nThe teaser.\n\n<!--more-->\n\nThe rest.\n\n\
         ```go {hl_lines=[2,8]}\nfmt.Println()\n```\n\n```scss,linenos\na {}\n```\n",
    );
    net.build(&[]);
    let page = net.html("alpha/blog/post/index.html");
    assert_eq!(
        attrs(&page, ".prose pre code", "class"),
        vec!["language-go", "language-scss"]
    );
    let listing = net.html("alpha/blog/index.html");
    let summary = texts(&listing, "main p").join(" ");
    assert!(summary.contains("The teaser."), "{summary}");
    assert!(!summary.contains("The rest."), "{summary}");
}

#[test]
fn bundle_assets_go_beside_the_page_at_its_url() {
    let net = alpha();
    net.write(
        "sites/alpha/content/themes/DeepThought/index.md",
        "+++\ntitle = \"Deep Thought\"\n+++\n![Screenshot](screenshot.png)\n",
    );
    net.write_bytes(
        "sites/alpha/content/themes/DeepThought/screenshot.png",
        &png_image(40, 30, false),
    );
    net.write(
        "sites/alpha/content/themes/Renamed/index.md",
        "+++\ntitle = \"Renamed\"\nslug = \"other\"\n+++\n![Pic](pic.png)\n",
    );
    net.write_bytes(
        "sites/alpha/content/themes/Renamed/pic.png",
        &png_image(4, 3, true),
    );
    net.write(
        "sites/alpha/content/themes/Secret/index.md",
        "+++\ntitle = \"Secret\"\ndraft = true\n+++\n![Pic](pic.png)\n",
    );
    net.write_bytes(
        "sites/alpha/content/themes/Secret/pic.png",
        &png_image(4, 3, true),
    );
    net.build(&[]);
    let page = net.html("alpha/themes/deepthought/index.html");
    // The image shown is made from the bundle's file; the file itself is
    // published beside the page too, for links to it.
    let src = attrs(&page, ".prose img", "src");
    assert!(
        src[0].starts_with("/processed_images/screenshot-40x30-"),
        "{src:?}"
    );
    assert!(net.out(&format!("alpha{}", src[0])).is_file());
    assert!(net.out("alpha/themes/deepthought/screenshot.png").is_file());
    assert!(!net.out("alpha/themes/DeepThought").exists());
    assert!(net.out("alpha/themes/other/pic.png").is_file());
    assert!(
        !net.out("alpha/themes/secret").exists() && !net.out("alpha/themes/Secret").exists(),
        "a draft bundle's files are not published"
    );
    net.build(&["--drafts"]);
    assert!(net.out("alpha/themes/secret/pic.png").is_file());
}

#[test]
fn duplicate_aliases_name_both_files() {
    let net = alpha();
    for name in ["one", "two"] {
        net.write(
            &format!("sites/alpha/content/{name}.md"),
            &format!("+++\ntitle = \"{name}\"\naliases = [\"/old/\"]\n+++\n"),
        );
    }
    let stderr = net.build_fails(&[]);
    assert!(
        stderr.contains("one.md") && stderr.contains("two.md"),
        "{stderr}"
    );
    // An alias at a real page's URL names both files too.
    net.write(
        "sites/alpha/content/two.md",
        "+++\ntitle = \"two\"\naliases = [\"/three/\"]\n+++\n",
    );
    net.write(
        "sites/alpha/content/three.md",
        "+++\ntitle = \"three\"\n+++\n",
    );
    let stderr = net.build_fails(&[]);
    assert!(
        stderr.contains("two.md") && stderr.contains("three.md"),
        "{stderr}"
    );
}

#[test]
fn check_decodes_entities_in_urls() {
    let net = alpha();
    net.write(
        "sites/alpha/content/links.md",
        "+++\ntitle = \"Links\"\n+++\n<a href=\"https:&#x2F;&#x2F;github.com&#x2F;getzola\">Zola</a> and \
         <a href=\"&#x2F;links&#x2F;\">here</a>\n",
    );
    net.build(&[]);
    let output = net.grove(&["check", "--offline"]);
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn every_unknown_key_is_named_at_once_in_the_files_own_syntax() {
    let net = alpha();
    net.write(
        "sites/alpha/content/post.md",
        "---\ntitle: Post\nsummary: S\nauthor: Ann\ncover: c.png\nShowToc: true\n---\n",
    );
    let stderr = net.build_fails(&[]);
    assert!(stderr.contains("post.md:3"), "{stderr}");
    for key in [
        "`summary` (line 3)",
        "`author` (line 4)",
        "`cover` (line 5)",
        "`ShowToc` (line 6)",
    ] {
        assert!(stderr.contains(key), "{key} missing: {stderr}");
    }
    assert!(
        stderr.contains("`extra:`") && !stderr.contains("[extra]"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("unknown keys").count(), 1, "{stderr}");
}

#[test]
fn zola_front_matter_works_as_written() {
    let net = alpha();
    net.write(
        "sites/alpha/content/blog/_index.md",
        "+++\ntitle = \"Blog\"\nsort_by = \"update_date\"\ninsert_anchor_links = \"right\"\nin_search_index = true\ngenerate_feeds = true\n[extra]\nicon = \"b\"\n+++\n",
    );
    net.write(
        "sites/alpha/content/docs/_index.md",
        "+++\ntitle = \"Docs\"\nrender = false\ninsert_anchor_links = \"left\"\n+++\n",
    );
    net.write(
        "sites/alpha/content/blog/first.md",
        "+++\ntitle = \"First\"\ndate = 2024-01-02\npath = \"hello/world\"\nauthors = [\"Ann\"]\nin_search_index = false\n[taxonomies]\ntags = [\"Rust\", \"Web\"]\n+++\nHi.\n",
    );
    let output = net.build(&[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let page = net.html("alpha/hello/world/index.html");
    assert_eq!(text(&page, "h1"), "First");
    let tags = net.html("alpha/tags/rust/index.html");
    assert!(
        attrs(&tags, "main a", "href")
            .iter()
            .any(|h| h.ends_with("/hello/world/"))
    );
    // One notice per key, naming how many files set it.
    assert_eq!(
        stderr.matches("`insert_anchor_links`").count(),
        1,
        "{stderr}"
    );
    assert!(
        stderr.contains("`in_search_index` in front matter has no effect"),
        "{stderr}"
    );
    assert!(
        stderr.contains("(2 files: alpha: blog/_index.md, alpha: blog/first.md)"),
        "{stderr}"
    );
    assert!(stderr.contains("`render`"), "{stderr}");
}

#[test]
fn a_taxonomy_table_names_only_configured_taxonomies() {
    let net = alpha();
    net.write(
        "sites/alpha/content/post.md",
        "+++\ntitle = \"Post\"\n[taxonomies]\nseries = [\"x\"]\n+++\n",
    );
    let stderr = net.build_fails(&[]);
    assert!(stderr.contains("post.md:3"), "{stderr}");
    assert!(
        stderr.contains("taxonomy `series` is not configured"),
        "{stderr}"
    );
    assert!(stderr.contains("configured: tags, categories"), "{stderr}");
}

#[test]
fn a_draft_section_leaves_out_everything_below_it() {
    let net = alpha();
    net.write(
        "sites/alpha/content/wip/_index.md",
        "+++\ntitle = \"WIP\"\ndraft = true\n+++\n",
    );
    net.write("sites/alpha/content/wip/a.md", "+++\ntitle = \"A\"\n+++\n");
    net.write(
        "sites/alpha/content/wip/deep/b.md",
        "+++\ntitle = \"B\"\n+++\n",
    );
    net.build(&[]);
    assert!(!net.out("alpha/wip").exists());
    net.build(&["--drafts"]);
    assert!(net.out("alpha/wip/a/index.html").is_file());
    assert!(net.out("alpha/wip/deep/b/index.html").is_file());
}

#[test]
fn translations_in_the_sites_language_are_the_page_and_others_are_named() {
    let net = alpha();
    net.write(
        "sites/alpha/content/blog/post.en.md",
        "+++\ntitle = \"Post\"\n+++\nSee [the other](@/blog/other.md).\n",
    );
    net.write(
        "sites/alpha/content/blog/other.md",
        "+++\ntitle = \"Other\"\n+++\n",
    );
    net.write(
        "sites/alpha/content/blog/_index.fr.md",
        "+++\ntitle = \"Blogue\"\n+++\n",
    );
    for lang in ["fr", "de"] {
        net.write(
            &format!("sites/alpha/content/blog/post.{lang}.md"),
            "+++\ntitle = \"Traduit\"\n+++\n",
        );
    }
    net.write(
        "sites/alpha/content/v1.2.md",
        "+++\ntitle = \"Version\"\n+++\n",
    );
    let output = net.build(&[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let page = net.html("alpha/blog/post/index.html");
    assert_eq!(text(&page, "h1"), "Post");
    assert!(net.out("alpha/v1-2/index.html").is_file());
    assert!(
        stderr.contains("translations into `fr` are not built"),
        "{stderr}"
    );
    assert!(
        stderr.contains("(2 files: alpha: blog/_index.fr.md, alpha: blog/post.fr.md)"),
        "{stderr}"
    );
    assert!(stderr.contains("translations into `de`"), "{stderr}");
    net.write(
        "sites/alpha/content/blog/other.md",
        "+++\ntitle = \"Other\"\n+++\n[fr](@/blog/post.fr.md)\n",
    );
    let stderr = net.build_fails(&[]);
    assert!(stderr.contains("translation into `fr`"), "{stderr}");
}

#[test]
fn a_missing_template_is_named_once_with_the_files_using_it() {
    let net = alpha();
    for i in 0..6 {
        net.write(
            &format!("sites/alpha/content/p{i}.md"),
            &format!("+++\ntitle = \"P{i}\"\ntemplate = \"fancy.html\"\n+++\n"),
        );
    }
    let stderr = net.build_fails(&[]);
    assert_eq!(
        stderr.matches("template `fancy.html` not found").count(),
        1,
        "{stderr}"
    );
    assert!(stderr.contains("6 files name it"), "{stderr}");
    assert!(stderr.contains("and 2 more"), "{stderr}");
}
