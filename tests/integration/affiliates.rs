//! Affiliate links: registry, per-site tags, cloaked redirects, disclosures,
//! shortcodes, ads, and errors with file and line. Output is checked by
//! parsing the built HTML.

use crate::common::{Fixture, attrs, text, texts};

const REGISTRY: &str = r#"[widget-pro]
name = "Widget Pro"
program = "amazon"
url = "https://shop.example.com/dp/1?tag={{ site.affiliate.amazon_tag }}"
description = "A sturdy widget."
price = "$99"
rating = 4.5
pros = ["Sturdy", "Quiet"]
cons = ["Heavy"]

[gadget-mini]
name = "Gadget Mini"
url = "https://gadgets.example.com/mini"
price = "$20"

[never-used]
name = "Never used"
url = "https://example.com/unused"
"#;

fn network() -> Fixture {
    let net = Fixture::new();
    net.site("alpha", "Alpha");
    net.site("beta", "Beta");
    net.write("affiliates.toml", REGISTRY);
    net.write("content/guides/_index.md", "+++\ntitle = \"Guides\"\n+++\n");
    net.write(
        "content/guides/review.md",
        "+++\ntitle = \"Review\"\n+++\nFirst paragraph without links.\n\nSecond with [the widget](aff:widget-pro) and [a gadget](aff:gadget-mini).\n\nThird [widget again](aff:widget-pro).\n",
    );
    net.write("content/guides/plain.md", "+++\ntitle = \"Plain\"\n+++\nNo affiliate links, only [a normal one](https://example.com/).\n");
    net
}

#[test]
fn links_are_sponsored_cloaked_and_tagged_per_site() {
    let net = network();
    net.build(&[]);
    for site in ["alpha", "beta"] {
        let page = net.html(&format!("{site}/guides/review/index.html"));
        assert_eq!(
            attrs(&page, ".prose a[data-affiliate]", "href"),
            vec!["/go/widget-pro/", "/go/gadget-mini/", "/go/widget-pro/"]
        );
        for rel in attrs(&page, ".prose a[data-affiliate]", "rel") {
            assert_eq!(rel, "sponsored nofollow noopener");
        }
        assert!(attrs(&page, ".prose a[data-affiliate]", "target").is_empty());

        // Redirect pages exist only for used slugs, pointing at this site's tag.
        let go = net.html(&format!("{site}/go/widget-pro/index.html"));
        let destination = format!("https://shop.example.com/dp/1?tag={site}-20");
        assert_eq!(
            attrs(&go, "meta[http-equiv=refresh]", "content"),
            vec![format!("0; url={destination}")]
        );
        assert_eq!(
            attrs(&go, "meta[name=robots]", "content"),
            vec!["noindex, nofollow"]
        );
        assert_eq!(attrs(&go, "a", "rel"), vec!["sponsored nofollow noopener"]);
        assert!(
            !net.out(&format!("{site}/go/never-used/index.html"))
                .exists()
        );

        let redirects = std::fs::read_to_string(net.out(&format!("{site}/_redirects"))).unwrap();
        assert_eq!(
            redirects,
            format!(
                "/go/gadget-mini/ https://gadgets.example.com/mini 302\n/go/widget-pro/ {destination} 302\n"
            )
        );
        let robots = std::fs::read_to_string(net.out(&format!("{site}/robots.txt"))).unwrap();
        assert!(
            robots.contains("User-agent: *\nDisallow: /go/\n"),
            "{robots}"
        );
    }
}

#[test]
fn uncloaked_links_point_at_the_destination_and_can_open_a_new_tab() {
    let net = network();
    net.write(
        "grove.toml",
        "[network]\nname = \"T\"\n[affiliates]\ncloak = false\nnew_tab = true\n",
    );
    net.build(&[]);
    let page = net.html("alpha/guides/review/index.html");
    assert_eq!(
        attrs(&page, ".prose a[data-affiliate]", "href")[0],
        "https://shop.example.com/dp/1?tag=alpha-20"
    );
    assert_eq!(
        attrs(&page, ".prose a[data-affiliate]", "target")[0],
        "_blank"
    );
    assert!(!net.out("alpha/go").exists());
    assert!(!net.out("alpha/_redirects").exists());
}

#[test]
fn disclosure_appears_once_before_the_first_affiliate_link_and_only_there() {
    let net = network();
    net.build(&[]);
    let page = net.html("alpha/guides/review/index.html");
    let blocks: Vec<String> = {
        let selector = scraper::Selector::parse(".prose > *").unwrap();
        page.select(&selector)
            .map(|e| {
                e.value()
                    .attr("class")
                    .unwrap_or(e.value().name())
                    .to_string()
            })
            .collect()
    };
    assert_eq!(
        blocks,
        vec!["p", "affiliate-disclosure", "p", "p"],
        "disclosure sits before the second paragraph"
    );
    assert!(text(&page, ".affiliate-disclosure").contains("Alpha may earn a commission"));
    let plain = net.html("alpha/guides/plain/index.html");
    assert!(texts(&plain, ".affiliate-disclosure").is_empty());

    // Per-site text, and the top position.
    net.write(
        "grove.toml",
        "[network]\nname = \"T\"\n[affiliates]\ndisclosure_position = \"top\"\n",
    );
    let site = net.read("sites/beta/site.toml");
    net.write(
        "sites/beta/site.toml",
        &site.replace(
            "[vars]",
            "affiliate_disclosure = \"We earn from {{ site.title }} links.\"\n[vars]",
        ),
    );
    net.build(&[]);
    let page = net.html("beta/guides/review/index.html");
    // The page links an Amazon product: Amazon's statement follows.
    assert_eq!(
        text(&page, ".prose > :first-child"),
        "We earn from Beta links. As an Amazon Associate I earn from qualifying purchases."
    );
    let page = net.html("alpha/guides/review/index.html");
    assert!(text(&page, ".prose > :first-child").starts_with("Disclosure:"));
}

#[test]
fn shortcodes_render_registry_data() {
    let net = network();
    net.write(
        "sites/alpha/content/guides/boxes.md",
        "+++\ntitle = \"Boxes\"\n+++\nIntro.\n\n{{ product_box(slug=\"widget-pro\") }}\n\n{{ comparison_table(slugs=[\"widget-pro\", \"gadget-mini\"], fields=[\"price\", \"rating\", \"pros\"]) }}\n\n{{ pros_cons(slug=\"widget-pro\") }}\n\n{{ cta(slug=\"gadget-mini\", text=\"Get the gadget\") }}\n\nOutro with *Markdown* still working.\n",
    );
    net.build(&[]);
    let page = net.html("alpha/guides/boxes/index.html");
    assert_eq!(text(&page, ".product-box .product-name"), "Widget Pro");
    assert_eq!(
        text(&page, ".product-box .product-rating"),
        "Rated 4.5 out of 5"
    );
    // An Amazon price nobody checked is not shown (Amazon's terms).
    assert_eq!(
        text(&page, ".product-box a.button"),
        "Check the price on Amazon"
    );
    assert_eq!(
        attrs(&page, ".product-box a.button", "href"),
        vec!["/go/widget-pro/"]
    );
    assert_eq!(
        attrs(&page, ".product-box a.button", "rel"),
        vec!["sponsored nofollow noopener"]
    );
    assert_eq!(
        texts(&page, "table.comparison thead th"),
        vec!["Product", "Price", "Rating", "Pros", "Link"]
    );
    assert_eq!(
        texts(&page, "table.comparison tbody th"),
        vec!["Widget Pro", "Gadget Mini"]
    );
    assert_eq!(
        texts(&page, "table.comparison tbody tr:first-child td")[..3],
        ["See on Amazon", "4.5 / 5", "Sturdy; Quiet"]
    );
    // A product of a program without such terms shows its price.
    assert_eq!(
        texts(&page, "table.comparison tbody tr:nth-child(2) td")[0],
        "$20"
    );
    assert_eq!(texts(&page, ".pros li"), vec!["Sturdy", "Quiet"]);
    assert_eq!(texts(&page, ".cons li"), vec!["Heavy"]);
    assert_eq!(text(&page, ".cta a"), "Get the gadget");
    assert_eq!(texts(&page, ".prose em"), vec!["Markdown"]);
    // Links from shortcodes count: disclosure before the box, redirects written.
    assert_eq!(texts(&page, ".affiliate-disclosure").len(), 1);
    assert!(net.out("alpha/go/gadget-mini/index.html").is_file());
}

#[test]
fn a_site_can_override_registry_entries_and_shortcode_templates() {
    let net = network();
    net.write(
        "sites/beta/affiliates.toml",
        "[widget-pro]\nname = \"Widget Pro (EU)\"\nurl = \"https://shop.example.eu/dp/1\"\n",
    );
    net.write(
        "sites/beta/templates/shortcodes/cta.html",
        "{% set product = affiliate(slug=slug) %}<p class=\"cta custom\"><a {{ product.attrs | safe }}>Custom {{ text }}</a></p>\n",
    );
    let cta = "+++\ntitle = \"C\"\n+++\n{{ product_box(slug=\"widget-pro\") }}\n\n{{ cta(slug=\"widget-pro\", text=\"buy\") }}\n";
    net.write("content/guides/cta.md", cta);
    net.build(&[]);
    let beta = net.html("beta/guides/cta/index.html");
    assert_eq!(text(&beta, ".product-name"), "Widget Pro (EU)");
    assert_eq!(text(&beta, ".cta.custom a"), "Custom buy");
    let redirects = std::fs::read_to_string(net.out("beta/_redirects")).unwrap();
    assert!(
        redirects.contains("/go/widget-pro/ https://shop.example.eu/dp/1 302"),
        "{redirects}"
    );
    let alpha = net.html("alpha/guides/cta/index.html");
    assert_eq!(text(&alpha, ".product-name"), "Widget Pro");
    assert!(texts(&alpha, ".cta.custom").is_empty());
}

#[test]
fn unknown_slugs_are_errors_with_file_and_line() {
    let net = network();
    net.write(
        "sites/alpha/content/guides/bad.md",
        "+++\ntitle = \"Bad\"\n+++\nOk.\n\nBuy [it](aff:widget-max).\n",
    );
    let stderr = net.build_fails(&[]);
    assert!(stderr.contains("sites/alpha/content/guides/bad.md:6:5: broken link `aff:widget-max`: unknown affiliate slug `widget-max`"), "{stderr}");

    net.write(
        "sites/alpha/content/guides/bad.md",
        "+++\ntitle = \"Bad\"\n+++\nOk.\n\n{{ product_box(slug=\"widget-max\") }}\n",
    );
    let stderr = net.build_fails(&[]);
    assert!(
        stderr.contains("sites/alpha/content/guides/bad.md:6:"),
        "{stderr}"
    );
    assert!(
        stderr.contains("unknown affiliate slug `widget-max`"),
        "{stderr}"
    );
}

#[test]
fn a_missing_program_tag_names_the_registry_entry_and_the_site() {
    let net = network();
    let site = net.read("sites/beta/site.toml");
    net.write(
        "sites/beta/site.toml",
        &site.replace("amazon_tag = \"beta-20\"", "other_tag = \"x\""),
    );
    let stderr = net.build_fails(&[]);
    assert!(stderr.contains("affiliates.toml:1)"), "{stderr}");
    assert!(
        stderr.contains("needs `site.affiliate.amazon_tag`, which"),
        "{stderr}"
    );
    assert!(
        stderr.contains("sites/beta/site.toml does not define"),
        "{stderr}"
    );
    // A site that never links the entry needs no tag.
    net.write(
        "sites/beta/content/guides/review.md",
        "+++\ntitle = \"Review\"\n+++\nOnly [a gadget](aff:gadget-mini).\n",
    );
    net.build(&[]);
}

#[test]
fn ad_slots_and_ads_txt_come_from_site_config() {
    let net = network();
    net.build(&[]);
    let page = net.html("alpha/guides/plain/index.html");
    assert!(texts(&page, ".ad").is_empty(), "no ads by default");
    assert!(!net.out("alpha/ads.txt").exists());

    let site = net.read("sites/alpha/site.toml");
    net.write(
        "sites/alpha/site.toml",
        &format!("{site}[ads]\nads_txt = [\"example-ads.com, pub-1, DIRECT\"]\n[ads.slots]\nbefore_content = \"<ins class='slot-a'>Ad</ins>\"\nfooter = \"<ins class='slot-f'>Ad</ins>\"\n"),
    );
    net.build(&[]);
    let page = net.html("alpha/guides/plain/index.html");
    assert_eq!(
        texts(&page, "main > .ad-before-content ins.slot-a"),
        vec!["Ad"]
    );
    assert_eq!(texts(&page, "footer .ad-footer ins.slot-f"), vec!["Ad"]);
    assert_eq!(
        std::fs::read_to_string(net.out("alpha/ads.txt")).unwrap(),
        "example-ads.com, pub-1, DIRECT\n"
    );
    let beta = net.html("beta/guides/plain/index.html");
    assert!(texts(&beta, ".ad").is_empty());

    net.write(
        "sites/alpha/site.toml",
        &format!("{site}[ads.slots]\nsidebar = \"x\"\n"),
    );
    assert!(net.build_fails(&[]).contains("unknown ad slot `sidebar`"));
}

#[test]
fn the_affiliates_report_lists_usage_and_unused_entries() {
    let net = network();
    let output = net.grove(&["affiliates"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("widget-pro  Widget Pro: 2 sites, 2 pages"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  alpha                    guides/review.md"),
        "{stdout}"
    );
    assert!(
        stdout.contains("unused: never-used (Never used)"),
        "{stdout}"
    );
}

#[test]
fn a_sub_id_template_names_each_site_in_its_links() {
    let net = network();
    net.write(
        "affiliates.toml",
        &REGISTRY.replace(
            "https://gadgets.example.com/mini",
            "https://acme.sjv.io/c/1/2/3?subId1={{ site.name }}",
        ),
    );
    net.build(&[]);
    for site in ["alpha", "beta"] {
        let go = net.html(&format!("{site}/go/gadget-mini/index.html"));
        assert_eq!(
            attrs(&go, "meta[http-equiv=refresh]", "content"),
            vec![format!("0; url=https://acme.sjv.io/c/1/2/3?subId1={site}")]
        );
    }
}

#[test]
fn programs_rules_are_kept_by_default_and_configurable() {
    let net = network();
    let now = chrono::Utc::now();
    let fresh = (now - chrono::Duration::hours(3)).format("%Y-%m-%dT%H:%M:%SZ");
    let stale = (now - chrono::Duration::hours(30)).format("%Y-%m-%dT%H:%M:%SZ");
    let registry = REGISTRY.replace(
        "price = \"$99\"",
        &format!("price = \"$99\"\nprice_checked = {fresh}"),
    ) + &format!(
        "\n[old-widget]\nname = \"Old Widget\"\nprogram = \"amazon\"\nurl = \"https://shop.example.com/dp/2\"\nprice = \"$50\"\nprice_checked = {stale}\n\n[sas-thing]\nname = \"Thing\"\nprogram = \"shareasale\"\nurl = \"https://sas.example.com/t\"\nprice = \"$5\"\n"
    );
    net.write("affiliates.toml", &registry);
    net.write(
        "sites/alpha/content/guides/boxes.md",
        "+++\ntitle = \"Boxes\"\n+++\nIntro.\n\n{{ product_box(slug=\"widget-pro\") }}\n\n{{ product_box(slug=\"old-widget\") }}\n\n{{ product_box(slug=\"sas-thing\") }}\n",
    );
    net.build(&[]);
    let page = net.html("alpha/guides/boxes/index.html");
    let boxes = texts(&page, ".product-box a.button");
    assert_eq!(
        boxes,
        [
            "Check price",
            "Check the price on Amazon",
            "Check price ($5)"
        ]
    );
    let shown = texts(&page, ".product-box .product-price");
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert!(shown[0].starts_with("$99 (price as of "), "{shown:?}");
    assert!(shown[0].ends_with(" UTC)"), "{shown:?}");
    let disclosure = text(&page, ".affiliate-disclosure");
    assert_eq!(
        disclosure.matches("As an Amazon Associate").count(),
        1,
        "{disclosure}"
    );

    // Rules per program in grove.toml: a longer freshness for Amazon, a
    // statement for another program.
    net.write(
        "grove.toml",
        "[network]\nname = \"T\"\n[affiliates.programs.amazon]\nprice_max_age_hours = 48\n[affiliates.programs.shareasale]\nname = \"ShareASale\"\ndisclosure = \"Some links are ShareASale links.\"\nprice_max_age_hours = 0\n",
    );
    net.build(&[]);
    let page = net.html("alpha/guides/boxes/index.html");
    assert_eq!(
        texts(&page, ".product-box a.button"),
        [
            "Check price",
            "Check price",
            "Check the price on ShareASale"
        ]
    );
    let disclosure = text(&page, ".affiliate-disclosure");
    assert!(
        disclosure.contains("Some links are ShareASale links."),
        "{disclosure}"
    );
    assert!(
        disclosure.contains("As an Amazon Associate"),
        "{disclosure}"
    );
    // A page without Amazon links carries no Amazon statement.
    let plain = net.html("alpha/guides/review/index.html");
    assert!(text(&plain, ".affiliate-disclosure").contains("As an Amazon Associate"));
    net.write(
        "sites/alpha/content/guides/gadget.md",
        "+++\ntitle = \"Gadget\"\n+++\nA [gadget](aff:gadget-mini).\n",
    );
    net.build(&[]);
    let gadget = net.html("alpha/guides/gadget/index.html");
    assert!(!text(&gadget, ".affiliate-disclosure").contains("Amazon"));
}
