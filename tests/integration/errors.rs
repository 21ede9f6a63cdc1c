//! Bad input: each error names the file (and line), exits non-zero, and
//! leaves the previous output untouched.

use crate::common;

use crate::common::{Fixture, files_below, text};

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

/// Builds `net` with `files` written, expects failure; returns stderr.
fn fails_with(files: &[(&str, &str)]) -> String {
    let net = network();
    net.write(
        "affiliates.toml",
        "[grinder]\nname = \"Grinder\"\nurl = \"https://shop.example/grinder?tag={{ site.affiliate.amazon_tag }}\"\n",
    );
    for (file, text) in files {
        net.write(file, text);
    }
    let stderr = net.build_fails(&[]);
    assert!(!net.path().join("public/alpha").exists(), "{stderr}");
    // Paths relative to the network, as a user in its folder sees them.
    stderr.replace(&format!("{}/", net.path().display()), "")
}

#[test]
fn every_output_path_is_claimed_once_and_a_second_claim_names_both_sources() {
    // (files to write, what the error must say)
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str]);
    let cases: &[Case] = &[
        // An alias equal to another page's URL.
        (
            &[(
                "content/guides/two.md",
                "+++\ntitle = \"Two\"\naliases = [\"/guides/one/\"]\n+++\n",
            )],
            &[
                "the alias `/guides/one/` of content/guides/two.md",
                "the page content/guides/one.md",
                "both write `guides/one/index.html`",
            ],
        ),
        // A page where the taxonomy's list goes.
        (
            &[
                ("content/tags.md", "+++\ntitle = \"Tags\"\n+++\n"),
                (
                    "content/guides/three.md",
                    "+++\ntitle = \"Three\"\ntags = [\"x\"]\n+++\n",
                ),
            ],
            &["the page content/tags.md", "the list of `tags` terms"],
        ),
        // An alias over an affiliate redirect.
        (
            &[(
                "content/guides/three.md",
                "+++\ntitle = \"Three\"\naliases = [\"/go/grinder/\"]\n+++\nBuy [it](aff:grinder).\n",
            )],
            &[
                "the alias `/go/grinder/` of content/guides/three.md",
                "the cloaked link of affiliate `grinder`",
            ],
        ),
        // An alias where a generated file is: a file against a folder.
        (
            &[(
                "content/guides/three.md",
                "+++\ntitle = \"Three\"\naliases = [\"/sitemap.xml\"]\n+++\n",
            )],
            &[
                "content/guides/three.md:",
                "the generated sitemap.xml",
                "one writes a file `sitemap.xml`",
            ],
        ),
        // Three pages sharing an alias.
        (
            &[
                (
                    "content/a.md",
                    "+++\ntitle = \"A\"\naliases = [\"/old/\"]\n+++\n",
                ),
                (
                    "content/b.md",
                    "+++\ntitle = \"B\"\naliases = [\"/old/\"]\n+++\n",
                ),
            ],
            &["the alias `/old/` of content/a.md and the alias `/old/` of content/b.md"],
        ),
        // Tags that make the same URL, and one that makes none.
        (
            &[
                (
                    "content/a.md",
                    "+++\ntitle = \"A\"\ntags = [\"C++\"]\n+++\n",
                ),
                (
                    "content/b.md",
                    "+++\ntitle = \"B\"\ntags = [\"C#\", \"!!!\"]\n+++\n",
                ),
            ],
            &[
                "content/b.md: `tags` terms `C#` and `C++` (in content/a.md) both make the URL /tags/c/",
                "content/b.md: `tags` term `!!!` has no letter or digit",
            ],
        ),
    ];
    for (files, expected) in cases {
        let stderr = fails_with(files);
        for needle in *expected {
            assert!(
                stderr.contains(needle),
                "{files:?}\nwanted: {needle}\n{stderr}"
            );
        }
    }
}

#[test]
fn a_static_file_where_grove_writes_its_own_replaces_it_with_a_notice() {
    // Hugo and Zola sites carry their own robots.txt or sitemap.xml.
    let net = network();
    net.write("sites/alpha/static/sitemap.xml", "<urlset/>");
    let output = net.build(&[]);
    let stderr = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(net.read("public/alpha/sitemap.xml"), "<urlset/>");
    assert!(
        stderr.contains("a static file is published instead of the one Grove generates")
            && stderr.contains("static/sitemap.xml"),
        "{stderr}"
    );
}

#[test]
fn terms_differing_only_in_case_or_separators_are_one_term() {
    let net = network();
    net.write(
        "content/a.md",
        "+++\ntitle = \"A\"\ntags = [\"Gear basics\"]\n+++\n",
    );
    net.write(
        "content/b.md",
        "+++\ntitle = \"B\"\ntags = [\"gear-basics\"]\n+++\n",
    );
    net.build(&[]);
    let html = net.html("alpha/tags/gear-basics/index.html");
    let titles = common::texts(&html, "main article h2, main li a");
    assert!(
        titles.iter().any(|t| t == "A") && titles.iter().any(|t| t == "B"),
        "{titles:?}"
    );
}

#[test]
fn unsafe_urls_and_config_values_are_refused_with_file_and_line() {
    let registry = |url: &str| {
        format!("[grinder]\nname = \"Grinder\"\nprogram = \"amazon\"\nurl = \"{url}\"\n")
    };
    let site = |extra: &str| {
        format!(
            "title = \"Alpha\"\nniche = \"n\"\naudience = \"a\"\n{extra}\n[affiliate]\namazon_tag = \"alpha-20\"\n"
        )
    };
    let link = "+++\ntitle = \"Buy\"\n+++\nBuy [it](aff:grinder).\n";
    let cases: &[(&str, &str, &str)] = &[
        (
            "affiliates.toml",
            &registry("javascript:alert(1)"),
            "affiliates.toml:4: `url` of affiliate `grinder`: `javascript:alert(1)` is not an http:// or https:// URL",
        ),
        (
            "affiliates.toml",
            &registry("https://shop.example/x\\n/* https://evil.example 200"),
            "affiliates.toml:4: `url` of affiliate `grinder`: `https://shop.example/x\\n/* https://evil.example 200` holds a line break",
        ),
        (
            "affiliates.toml",
            &registry("{{ site.affiliate.amazon_tag }}/x"),
            "the URL of affiliate `grinder` (affiliates.toml:1), with the values of sites/alpha/site.toml: `alpha-20/x` is not an http:// or https:// URL",
        ),
        (
            "sites/alpha/site.toml",
            &site("base_url = \"https://alpha.example.com/\\\"><script>\""),
            "sites/alpha/site.toml:4: base_url: `https://alpha.example.com/\\\"><script>` holds `\"`",
        ),
        (
            "sites/alpha/site.toml",
            &site("base_url = \"https://alpha.example.com/?x=1\""),
            "sites/alpha/site.toml:4: base_url cannot have a query",
        ),
        (
            "sites/alpha/site.toml",
            &site("base_url = \"https://alpha.example.com\"\ntheme = \"../../outside\""),
            "sites/alpha/site.toml:5: theme `../../outside` must be the name of a folder under themes/",
        ),
        (
            "grove.toml",
            "[network]\nname = \"T\"\ntheme = \"/etc\"\n",
            "grove.toml:3: theme `/etc` must be the name of a folder",
        ),
        (
            "grove.toml",
            "[network]\nname = \"T\"\n[build]\nwords_per_minute = 0\n",
            "grove.toml:4: [build] words_per_minute must be at least 1",
        ),
        (
            "grove.toml",
            "[network]\nname = \"T\"\n[seo]\nrobots_rules = [\"Disallow: /a\\nAllow: /\"]\n",
            "grove.toml:4: robots rule `Disallow: /a\\nAllow: /` spans several lines",
        ),
    ];
    for (file, text, expected) in cases {
        let net = network();
        net.write(
            "affiliates.toml",
            &registry("https://shop.example/g?tag={{ site.affiliate.amazon_tag }}"),
        );
        net.write("content/buy.md", link);
        net.write(file, text);
        let stderr = net.build_fails(&[]);
        let stderr = stderr.replace(&format!("{}/", net.path().display()), "");
        assert!(stderr.contains(expected), "wanted: {expected}\n{stderr}");
    }
}

#[test]
fn a_key_written_where_its_variable_belongs_is_refused_unshown() {
    let net = network();
    let key = "sk-ant-api03-Zx9QkLmN0pQrStUvWxYz0123456789abcdef";
    for value in [key, "3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a"] {
        net.write(
            "grove.toml",
            &format!("[network]\nname = \"T\"\n\n[llm]\nprovider = \"openai\"\nmodel = \"m\"\napi_key_env = \"{value}\"\n"),
        );
        let output = net.grove(&["build"]);
        assert!(!output.status.success());
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(all.contains("grove.toml:7"), "{all}");
        assert!(all.contains("looks like an API key itself"), "{all}");
        assert!(!all.contains(&value[6..]), "the key was echoed: {all}");
    }
    // A variable's name is fine.
    net.write(
        "grove.toml",
        "[network]\nname = \"T\"\n\n[llm]\nprovider = \"openai\"\nmodel = \"m\"\napi_key_env = \"OPENAI_API_KEY\"\n",
    );
    net.build(&[]);
}
