//! Content written for Zola or Hugo builds as its authors meant: nothing
//! is lost silently. Each test builds a site and reads the parsed HTML.

mod common;

use common::{Fixture, attrs, text, texts};

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
        paragraphs.contains(&"Zola escape: {{ youtube(id=\"abc\") }} and {% note() %}.".to_string()),
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
    net.write("sites/alpha/content/themes/DeepThought/screenshot.png", "png");
    net.write(
        "sites/alpha/content/themes/Renamed/index.md",
        "+++\ntitle = \"Renamed\"\nslug = \"other\"\n+++\n![Pic](pic.png)\n",
    );
    net.write("sites/alpha/content/themes/Renamed/pic.png", "png");
    net.write(
        "sites/alpha/content/themes/Secret/index.md",
        "+++\ntitle = \"Secret\"\ndraft = true\n+++\n![Pic](pic.png)\n",
    );
    net.write("sites/alpha/content/themes/Secret/pic.png", "png");
    net.build(&[]);
    let page = net.html("alpha/themes/deepthought/index.html");
    assert_eq!(attrs(&page, ".prose img", "src"), vec!["screenshot.png"]);
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
    assert!(stderr.contains("one.md") && stderr.contains("two.md"), "{stderr}");
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
