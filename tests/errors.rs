//! Bad input: each error names the file (and line), exits non-zero, and
//! leaves the previous output untouched.

mod common;

use common::{Fixture, files_below, text};

fn network() -> Fixture {
    let net = Fixture::new();
    net.site("alpha", "Alpha");
    net.write(
        "content/_index.md",
        "+++\ntitle = \"{{ site.title }}\"\n+++\nHello.\n",
    );
    net.write("content/guides/_index.md", "+++\ntitle = \"Guides\"\n+++\n");
    net.write(
        "content/guides/one.md",
        "+++\ntitle = \"One\"\ndate = 2026-01-01\n+++\nOne.\n",
    );
    net
}

#[test]
fn broken_internal_link_names_file_line_and_column() {
    let net = network();
    net.write(
        "sites/alpha/content/guides/two.md",
        "+++\ntitle = \"Two\"\n+++\n\nFirst paragraph.\n\nSee [one](@/guides/one.md) and [gone](@/guides/gone.md).\n",
    );
    let stderr = net.build_fails(&[]);
    let expected = net
        .path()
        .canonicalize()
        .unwrap()
        .join("sites/alpha/content/guides/two.md:7:32: broken link `@/guides/gone.md`");
    assert!(
        stderr.contains(&expected.to_string_lossy().to_string()),
        "{stderr}"
    );
}

#[test]
fn link_to_a_draft_says_it_is_a_draft() {
    let net = network();
    net.write(
        "content/guides/later.md",
        "+++\ntitle = \"Later\"\ndraft = true\n+++\n",
    );
    net.write(
        "content/guides/one.md",
        "+++\ntitle = \"One\"\n+++\nSee [later](@/guides/later.md).\n",
    );
    let stderr = net.build_fails(&[]);
    assert!(stderr.contains("one.md:4:5: broken link"), "{stderr}");
    assert!(stderr.contains("is a draft"), "{stderr}");
    net.build(&["--drafts"]);
}

#[test]
fn malformed_front_matter_names_file_and_line() {
    let net = network();
    net.write(
        "sites/alpha/content/bad.md",
        "+++\ntitle = \"Bad\"\ntags = [\"a\", \n+++\n",
    );
    let stderr = net.build_fails(&[]);
    assert!(stderr.contains("sites/alpha/content/bad.md:3:"), "{stderr}");
    assert!(stderr.contains("invalid front matter"), "{stderr}");

    net.write(
        "sites/alpha/content/bad.md",
        "---\ntitle: Bad\ndate: 1 May\n---\n",
    );
    let stderr = net.build_fails(&[]);
    assert!(
        stderr.contains("sites/alpha/content/bad.md:3: invalid front matter: `date`"),
        "{stderr}"
    );
}

#[test]
fn every_bad_file_is_reported_at_once() {
    let net = network();
    net.write("sites/alpha/content/a.md", "+++\ntitle = 1\n+++\n");
    net.write("sites/alpha/content/b.md", "+++\ndraft = \"yes\"\n+++\n");
    let stderr = net.build_fails(&[]);
    assert!(
        stderr.contains("a.md:2:") && stderr.contains("b.md:2:"),
        "{stderr}"
    );
    assert!(stderr.contains("2 errors"), "{stderr}");
}

#[test]
fn malformed_site_toml_names_file_and_line() {
    let net = network();
    net.write(
        "sites/alpha/site.toml",
        "title = \"Alpha\"\nbase_url = \"https://a.example.com\"\nniche = \"a\"\ntitel = \"x\"\n",
    );
    let stderr = net.build_fails(&[]);
    assert!(stderr.contains("sites/alpha/site.toml:4:1:"), "{stderr}");
    assert!(stderr.contains("unknown field `titel`"), "{stderr}");
}

#[test]
fn malformed_grove_toml_names_line() {
    let net = network();
    net.write("grove.toml", "[network]\nname = \"x\"\ntheme = \n");
    let stderr = net.build_fails(&[]);
    assert!(stderr.contains("grove.toml:3:"), "{stderr}");
}

#[test]
fn missing_template_names_the_page_and_template() {
    let net = network();
    net.write(
        "content/guides/one.md",
        "+++\ntitle = \"One\"\ntemplate = \"fancy.html\"\n+++\n",
    );
    let stderr = net.build_fails(&[]);
    assert!(
        stderr.contains("content/guides/one.md: template error: template `fancy.html` not found"),
        "{stderr}"
    );
}

#[test]
fn template_syntax_error_names_template_file_and_line() {
    let net = network();
    net.write("sites/alpha/templates/page.html", "{% extends \"base.html\" %}\n{% block content %}\n{{ page.title | }}\n{% endblock content %}\n");
    let stderr = net.build_fails(&[]);
    assert!(
        stderr.contains("sites/alpha/templates/page.html:3:"),
        "{stderr}"
    );
}

#[test]
fn template_render_error_names_page_and_template() {
    let net = network();
    net.write("sites/alpha/templates/page.html", "{% extends \"base.html\" %}\n{% block content %}{{ page.nope.deeper }}{% endblock content %}\n");
    let stderr = net.build_fails(&[]);
    assert!(
        stderr.contains("content/guides/one.md: template error:"),
        "{stderr}"
    );
    assert!(
        stderr.contains("sites/alpha/templates/page.html"),
        "{stderr}"
    );
}

#[test]
fn tera_error_in_blueprint_content_names_the_blueprint_file() {
    let net = network();
    net.write(
        "content/about.md",
        "+++\ntitle = \"About\"\n+++\n\n{{ site.title \n",
    );
    let stderr = net.build_fails(&[]);
    assert!(stderr.contains("content/about.md:"), "{stderr}");
    net.write(
        "content/about.md",
        "+++\ntitle = \"About\"\n+++\n\n{{ site.nothing_here }}\n",
    );
    let stderr = net.build_fails(&[]);
    assert!(
        stderr.contains("content/about.md: template error:"),
        "{stderr}"
    );
}

#[test]
fn unknown_site_lists_the_known_ones() {
    let net = network();
    let stderr = net.build_fails(&["--site", "beta"]);
    assert!(stderr.contains("unknown site `beta`"), "{stderr}");
    assert!(stderr.contains("known sites: alpha"), "{stderr}");
}

#[test]
fn duplicate_urls_name_both_files() {
    let net = network();
    net.write(
        "sites/alpha/content/guides/copy.md",
        "+++\ntitle = \"Copy\"\nslug = \"one\"\n+++\n",
    );
    let stderr = net.build_fails(&[]);
    assert!(
        stderr.contains("URL /guides/one/ is also produced by `guides/"),
        "{stderr}"
    );
}

#[test]
fn bad_invocations_are_rejected() {
    let net = network();
    let stderr = net.build_fails(&["--shard", "3/2"]);
    assert!(stderr.contains("invalid shard"), "{stderr}");
    let output = common::grove_in(&net.path().join("sites"), &["build"]);
    assert!(!output.status.success());
}

#[test]
fn a_failed_build_leaves_the_previous_output_intact() {
    let net = network();
    net.site("beta", "Beta");
    net.build(&[]);
    let before = files_below(&net.path().join("public"));
    let old_page = std::fs::read(net.out("alpha/guides/one/index.html")).unwrap();

    // One good edit and one broken site: nothing of either may land.
    net.write(
        "content/guides/one.md",
        "+++\ntitle = \"One, edited\"\n+++\nEdited.\n",
    );
    net.write("sites/beta/content/broken.md", "+++\ntitle = \n+++\n");
    net.build_fails(&[]);

    assert_eq!(
        files_below(&net.path().join("public")),
        before,
        "no staging leftovers"
    );
    assert_eq!(
        std::fs::read(net.out("alpha/guides/one/index.html")).unwrap(),
        old_page
    );

    std::fs::remove_file(net.path().join("sites/beta/content/broken.md")).unwrap();
    net.build(&[]);
    assert_eq!(
        text(&net.html("alpha/guides/one/index.html"), "main h1"),
        "One, edited"
    );
}

#[test]
fn content_cannot_read_environment_variables() {
    let net = network();
    net.write(
        "content/about.md",
        "+++\ntitle = \"About\"\n+++\n{{ get_env(name=\"PATH\") }}\n",
    );
    let stderr = net.build_fails(&[]);
    assert!(stderr.contains("get_env is disabled"), "{stderr}");
}

#[test]
fn template_recursion_is_an_error_naming_the_template_not_a_crash() {
    for (file, text, named) in [
        (
            "sites/alpha/templates/page.html",
            "{% include \"page.html\" %}",
            "page.html is nested too deeply",
        ),
        (
            "sites/alpha/templates/macros.html",
            "{% macro card(page) %}{{ self::card(page=page) }}{% endmacro card %}",
            "macros.html, macro `card` is nested too deeply",
        ),
        (
            "content/guides/loop.md",
            "{% macro m() %}{{ self::m() }}{% endmacro m %}+++\ntitle = \"Loop\"\n+++\n{{ self::m() }}\n",
            "guides/loop.md, macro `m` is nested too deeply",
        ),
    ] {
        let net = network();
        net.build(&[]);
        let before = files_below(&net.path().join("public"));
        net.write(file, text);
        if file.ends_with("macros.html") {
            net.write(
                "sites/alpha/templates/page.html",
                "{% import \"macros.html\" as m %}{{ m::card(page=page) }}",
            );
        }
        let output = net.grove(&["build"]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{file}: {stderr}");
        assert!(stderr.contains(named), "{file}: {stderr}");
        assert!(!stderr.contains("overflowed"), "{stderr}");
        assert_eq!(files_below(&net.path().join("public")), before, "{file}");
    }
}
