//! The repository's example network: every site builds, blueprint pages are
//! expanded per site, overrides win, and every internal link resolves.

use std::collections::HashMap;
use std::path::Path;

use crate::common::{Fixture, attrs, files_below, site_folders, text, texts};
use scraper::Html;

const SITES: [(&str, &str); 3] = [
    ("beginner-aquariums", "First Tank Guide"),
    ("home-espresso", "Crema Corner"),
    ("trail-running", "Trailhead Gear"),
];

#[test]
fn every_site_builds_with_its_own_expanded_blueprint() {
    let net = Fixture::example();
    let output = net.build(&[]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("Built 3 sites"), "{stdout}");

    for (site, title) in SITES {
        let home = net.html(&format!("{site}/index.html"));
        assert_eq!(text(&home, "main h1"), title);
        assert_eq!(text(&home, "a.site-title"), title);
        assert_eq!(attrs(&home, "html", "lang"), vec!["en"]);
        // Blueprint text is expanded with this site's config, not another's.
        let intro = text(&home, "main .prose");
        assert!(
            intro.starts_with(&format!("{title} is an independent site about")),
            "{intro}"
        );
        for (other, other_title) in SITES {
            if other != site {
                assert!(!intro.contains(other_title), "{site} mentions {other}");
            }
        }
        // Blueprint sections exist in every site.
        for section in ["guides", "reviews"] {
            assert!(net.out(&format!("{site}/{section}/index.html")).is_file());
        }
        assert!(net.out(&format!("{site}/404.html")).is_file());
        assert!(net.out(&format!("{site}/style.css")).is_file());
    }
}

#[test]
fn site_files_override_blueprint_files_and_templates() {
    let net = Fixture::example();
    net.build(&[]);
    // home-espresso has its own about.md.
    let about = net.html("home-espresso/about/index.html");
    assert!(text(&about, ".prose").contains("notebook of ruined shots"));
    // The others get the blueprint's, expanded for them.
    let about = net.html("trail-running/about/index.html");
    assert_eq!(text(&about, "main h1"), "About Trailhead Gear");
    assert!(
        text(&about, ".prose").contains("covers trail-running gear for new and returning runners")
    );
    // beginner-aquariums overrides page.html; the others use the theme's.
    let page = net.html("beginner-aquariums/guides/choosing-first-fish/index.html");
    assert_eq!(texts(&page, "aside.notice").len(), 1);
    let page = net.html("home-espresso/guides/choosing-a-grinder/index.html");
    assert!(texts(&page, "aside.notice").is_empty());
}

#[test]
fn drafts_are_left_out_unless_asked_for() {
    let net = Fixture::example();
    net.build(&[]);
    assert!(
        !net.out("trail-running/guides/night-running/index.html")
            .exists()
    );
    assert!(!net.out("trail-running/tags/safety/index.html").exists());
    let guides = net.html("trail-running/guides/index.html");
    assert!(!texts(&guides, ".card-title").contains(&"Running trails after dark".to_string()));

    net.build(&["--drafts"]);
    let draft = net.html("trail-running/guides/night-running/index.html");
    assert_eq!(text(&draft, "main h1"), "Running trails after dark");
    assert!(net.out("trail-running/tags/safety/index.html").exists());
}

#[test]
fn taxonomy_pages_list_exactly_the_tagged_pages() {
    let net = Fixture::example();
    net.build(&[]);
    let beginners = net.html("trail-running/tags/beginners/index.html");
    let mut listed = texts(&beginners, ".card-title");
    listed.sort();
    assert_eq!(
        listed,
        vec![
            "How to choose trail-running shoes",
            "Preparing for your first trail race"
        ]
    );
    let tags = net.html("trail-running/tags/index.html");
    let terms = texts(&tags, ".terms-list a");
    assert!(terms.contains(&"beginners".to_string()) && terms.contains(&"shoes".to_string()));
    // Categories are paginated (paginate_by = 20): the term page has a paginator.
    let gear = net.html("trail-running/categories/gear-basics/index.html");
    assert_eq!(texts(&gear, ".card-title").len(), 2);
    let tags_on_page = net.html("trail-running/guides/first-trail-race/index.html");
    assert_eq!(
        attrs(&tags_on_page, ".terms a", "href"),
        vec![
            "/categories/training/",
            "/tags/racing/",
            "/tags/beginners/",
            "/tags/training/"
        ]
    );
}

#[test]
fn yaml_front_matter_pages_render() {
    let net = Fixture::example();
    net.build(&[]);
    let page = net.html("beginner-aquariums/guides/water-changes/index.html");
    assert_eq!(
        text(&page, "main h1"),
        "Weekly water changes without the hassle"
    );
    assert_eq!(attrs(&page, "time", "datetime")[0], "2026-09-05");
}

/// Every internal `href` in every built page points at a file that exists,
/// and every `#fragment` at an element with that id.
#[test]
fn every_internal_link_and_anchor_resolves() {
    let net = Fixture::example();
    net.build(&[]);
    for (site, _) in SITES {
        let root = net.out(site);
        let pages: HashMap<String, Html> = files_below(&root)
            .into_iter()
            .filter(|f| f.ends_with(".html"))
            .map(|f| {
                let html = Html::parse_document(&std::fs::read_to_string(root.join(&f)).unwrap());
                (f, html)
            })
            .collect();
        let mut checked = 0;
        for (file, html) in &pages {
            for href in attrs(html, "a[href], link[href]", "href") {
                if href.starts_with("http") || href.starts_with("mailto:") {
                    continue;
                }
                let (path, fragment) = match href.split_once('#') {
                    Some((p, f)) => (p.to_string(), Some(f.to_string())),
                    None => (href.clone(), None),
                };
                let target = if path.is_empty() {
                    file.clone()
                } else {
                    assert!(path.starts_with('/'), "{site}/{file}: relative link {href}");
                    let rel = path.trim_start_matches('/');
                    if rel.is_empty() || rel.ends_with('/') {
                        format!("{rel}index.html")
                    } else {
                        rel.to_string()
                    }
                };
                assert!(
                    Path::new(&root).join(&target).is_file(),
                    "{site}/{file}: broken link {href}"
                );
                if let Some(fragment) = fragment.filter(|f| !f.is_empty()) {
                    let target_html = &pages[&target];
                    let ids = attrs(target_html, &format!("[id='{fragment}']"), "id");
                    assert_eq!(ids.len(), 1, "{site}/{file}: no #{fragment} in {target}");
                }
                checked += 1;
            }
        }
        assert!(checked > 50, "{site}: only {checked} links checked");
    }
}

#[test]
fn output_is_byte_identical_across_builds() {
    let net = Fixture::example();
    let first = net.path().join("first");
    let second = net.path().join("second");
    net.build(&["--output", first.to_str().unwrap()]);
    net.build(&["--output", second.to_str().unwrap()]);
    let files = files_below(&first);
    assert_eq!(files, files_below(&second));
    assert!(files.len() > 50);
    for file in files {
        assert_eq!(
            std::fs::read(first.join(&file)).unwrap(),
            std::fs::read(second.join(&file)).unwrap(),
            "{file} differs"
        );
    }
}

#[test]
fn output_flag_and_site_filter_write_only_what_was_asked() {
    let net = Fixture::example();
    let out = net.path().join("elsewhere");
    net.build(&["--site", "home-espresso", "--output", out.to_str().unwrap()]);
    assert_eq!(site_folders(&out), ["home-espresso"]);
    assert!(!net.path().join("public").exists());
}

#[test]
fn shards_split_the_sites_without_overlap() {
    let net = Fixture::example();
    let mut seen = Vec::new();
    for shard in ["1/2", "2/2"] {
        let out = net.path().join(format!("shard-{}", &shard[..1]));
        net.build(&["--shard", shard, "--output", out.to_str().unwrap()]);
        seen.extend(site_folders(&out));
    }
    seen.sort();
    assert_eq!(
        seen,
        vec!["beginner-aquariums", "home-espresso", "trail-running"]
    );
}
