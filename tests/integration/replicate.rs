//! `grove replicate`: a page becomes briefs for other niches, in their
//! words; nothing existing is overwritten; the drafts that follow are
//! audited against the page.

use crate::common::llm_server;

use std::process::Output;

use crate::common::Fixture;
use llm_server::{FakeLlm, Reply};

/// A page of home-espresso that names its niche and product kind.
const PAGE: &str = "sites/home-espresso/content/reviews/espresso-grinders-tested.md";

fn network() -> Fixture {
    let net = Fixture::example();
    net.write(
        PAGE,
        "+++\ntitle = \"The best espresso grinders for home espresso for beginners\"\ndescription = \"Which espresso grinders suit home espresso for beginners, and why.\"\ndate = 2026-10-01\ntags = [\"comparison\"]\ncategories = [\"Gear basics\"]\n+++\n\nOur pick is the [Baratza Encore ESP](aff:baratza-encore-esp).\n\n## What we looked for in espresso grinders\n\nFine steps and low retention, tested for two weeks each. Grind size matters more than anything else in a shot.\n\n## Our pick\n\nThe Encore ESP is easy to live with and holds its value.\n\n## The short version\n\nBuy the grinder first and the machine second.\n",
    );
    net
}

fn ok(output: &Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "grove failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

fn briefs(net: &Fixture, file: &str) -> Vec<toml::Table> {
    let table: toml::Table = net.read(file).parse().unwrap();
    table["brief"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_table().unwrap().clone())
        .collect()
}

#[test]
fn a_page_becomes_a_brief_in_each_target_sites_words() {
    let net = network();
    let page = net.path().join(PAGE);
    let before = net.read("sites/trail-running/site.toml");
    let stdout = ok(&net.grove(&["replicate", page.to_str().unwrap(), "--to", "trail-running"]));
    assert!(
        stdout.contains("wrote a brief for trail-running"),
        "{stdout}"
    );
    assert_eq!(net.read("sites/trail-running/site.toml"), before);

    let written = briefs(&net, "sites/trail-running/briefs.toml");
    let brief = written.last().unwrap();
    let text = |key: &str| brief[key].as_str().unwrap().to_string();
    let list = |key: &str| -> Vec<String> {
        brief[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    // The niche and product kind are the target's.
    assert_eq!(
        text("title"),
        "The best trail-running shoes for trail-running gear for new and returning runners"
    );
    assert_eq!(text("slug"), "trail-running-shoes-tested");
    assert_eq!(text("section"), "reviews");
    assert_eq!(text("kind"), "review");
    assert_eq!(
        list("structure"),
        [
            "What we looked for in trail-running shoes",
            "Our pick",
            "The short version"
        ]
    );
    // The page's top pick is the site's `top_pick`: the target's own.
    assert_eq!(list("affiliates"), ["hoka-speedgoat-5"]);
    assert_eq!(list("tags"), ["comparison"]);
    assert!(brief["target_words"].as_integer().unwrap() >= 300);
    assert!(text("notes").contains("do not paraphrase"));
    assert_eq!(text("source"), PAGE);

    // A brief like any other: planned, and drafted with the structure and
    // the instruction to write anew in the prompt.
    let plan = ok(&net.grove(&["plan", "--site", "trail-running"]));
    assert!(plan.contains("trail-running-shoes-tested.md"), "{plan}");
    let server = FakeLlm::start(None);
    set_llm(&net, &server);
    server.script(|req, _| Reply::Text(llm_server::article_for(req, 400)));
    ok(&net.grove(&[
        "draft",
        "--site",
        "trail-running",
        "--brief",
        "trail-running-shoes-tested",
    ]));
    let prompt = server.requests().last().unwrap().prompt();
    assert!(
        prompt.contains("- What we looked for in trail-running shoes"),
        "{prompt}"
    );
    assert!(
        prompt.contains("Write an original article for Trailhead Gear"),
        "{prompt}"
    );
}

fn set_llm(net: &Fixture, server: &FakeLlm) {
    let config = net
        .read("grove.toml")
        .replace("http://127.0.0.1:8088/v1", &server.base_url);
    net.write("grove.toml", &config);
}

#[test]
fn existing_briefs_and_pages_are_never_overwritten() {
    let net = network();
    let page = net.path().join(PAGE);
    let page = page.to_str().unwrap();
    ok(&net.grove(&["replicate", page, "--to", "trail-running"]));
    let once = net.read("sites/trail-running/briefs.toml");
    // Again: refused for trail-running (its brief exists), written for the
    // aquarium site.
    let output = net.grove(&["replicate", page, "--all"]);
    assert!(!output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("refused for trail-running: a brief `trail-running-shoes-tested` exists"),
        "{stdout}"
    );
    assert!(
        stdout.contains("wrote a brief for beginner-aquariums"),
        "{stdout}"
    );
    assert_eq!(net.read("sites/trail-running/briefs.toml"), once);
    let aquarium = briefs(&net, "sites/beginner-aquariums/briefs.toml");
    assert_eq!(
        aquarium.last().unwrap()["slug"].as_str(),
        Some("aquarium-filters-tested")
    );

    // A page at that path counts too.
    net.write(
        "sites/home-espresso/content/reviews/second.md",
        "+++\ntitle = \"Choosing an espresso grinder\"\n+++\n\nText.\n",
    );
    let second = net
        .path()
        .join("sites/home-espresso/content/reviews/second.md");
    net.write(
        "sites/beginner-aquariums/content/reviews/second.md",
        "+++\ntitle = \"Mine\"\n+++\nMine.\n",
    );
    let output = net.grove(&[
        "replicate",
        second.to_str().unwrap(),
        "--to",
        "beginner-aquariums",
    ]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("a page exists"));
    // The title says nothing in variables: Grove says so.
    let dry = ok(&net.grove(&[
        "replicate",
        second.to_str().unwrap(),
        "--to",
        "trail-running",
        "--dry-run",
        "--force",
    ]));
    assert!(dry.contains("note: the title names nothing"), "{dry}");
    assert!(dry.contains("would write a brief"), "{dry}");
}

#[test]
fn into_the_blueprint_the_brief_stays_in_variables() {
    let net = network();
    let page = net.path().join(PAGE);
    ok(&net.grove(&["replicate", page.to_str().unwrap(), "--all", "--blueprint"]));
    let brief = briefs(&net, "content/briefs.toml").pop().unwrap();
    assert_eq!(
        brief["title"].as_str(),
        Some("The best {{ site.vars.product_kind }} for {{ site.niche }}")
    );
    assert_eq!(
        brief["slug"].as_str(),
        Some("{{ site.vars.product_kind | slugify }}-tested")
    );
    // Every site expands it; the page's own site has the article already.
    let plan = ok(&net.grove(&["plan"]));
    assert!(plan.contains("aquarium-filters-tested.md"), "{plan}");
    assert!(plan.contains("trail-running-shoes-tested.md"), "{plan}");
    let own = plan
        .lines()
        .find(|l| l.contains("espresso-grinders-tested.md"))
        .unwrap();
    assert!(own.trim_start().starts_with("written"), "{own}");
}

#[test]
fn drafts_from_a_replica_are_audited_against_the_page() {
    let net = network();
    let page = net.path().join(PAGE);
    ok(&net.grove(&["replicate", page.to_str().unwrap(), "--to", "trail-running"]));
    // A model that copies the page instead of writing anew.
    let copied = net.read(PAGE);
    let body = copied.rsplit("+++\n").next().unwrap().to_string();
    let server = FakeLlm::start(None);
    set_llm(&net, &server);
    server.script(move |_, _| Reply::Text(body.repeat(3)));
    ok(&net.grove(&[
        "draft",
        "--site",
        "trail-running",
        "--brief",
        "trail-running-shoes-tested",
    ]));
    let output = net.grove(&["audit", "--drafts", "--json", "--site", "trail-running"]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let copy = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "near-duplicate")
        .expect("the copy is found");
    assert_eq!(
        copy["file"],
        "sites/trail-running/content/reviews/trail-running-shoes-tested.md"
    );
    assert_eq!(copy["other_file"], PAGE);
}

#[test]
fn bad_requests_are_refused_with_reasons() {
    let net = network();
    let page = net.path().join(PAGE);
    let page = page.to_str().unwrap();
    let blueprint_page = net.path().join("content/about.md");
    for (args, expected) in [
        (vec![page], "--to SITE"),
        (vec![page, "--to", "home-espresso"], "home-espresso's own"),
        (vec![page, "--to", "nowhere"], "unknown site `nowhere`"),
        (
            vec![page, "--to", "trail-running", "--kind", "essay"],
            "no kind `essay`",
        ),
        (
            vec![blueprint_page.to_str().unwrap(), "--all"],
            "in the blueprint",
        ),
        (vec!["/etc/hostname", "--all"], "not a content file"),
    ] {
        let mut all = vec!["replicate"];
        all.extend(args);
        let output = net.grove(&all);
        assert!(!output.status.success(), "{all:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{all:?}: {stderr}");
    }
    assert!(!net.path().join("sites/trail-running/briefs.toml").exists());
}

#[test]
fn words_of_the_source_niche_no_variable_replaced_are_refused() {
    let net = network();
    // Headings, a tag and a keyword that say espresso in words no variable
    // of the target replaces.
    let page = "sites/home-espresso/content/guides/grinder-care.md";
    net.write(
        page,
        "+++\ntitle = \"Grinder care for home espresso\"\ndescription = \"How home espresso grinders stay consistent.\"\ntags = [\"burrs\"]\n+++\n\n## Keeps your grinder consistent: brushing, burr removal\n\nText.\n\n## Take out the upper burr\n\nText.\n\n## How often to clean\n\nText.\n",
    );
    let path = net.path().join(page);
    let output = net.grove(&[
        "replicate",
        path.to_str().unwrap(),
        "--to",
        "trail-running",
        "--kind",
        "guide",
    ]);
    assert!(!output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    for needed in [
        "refused for trail-running: the brief still says what the source site is about",
        "\"grinder\" in structure \"Keeps your grinder consistent: brushing, burr removal\"",
        "\"burr\" in structure \"Take out the upper burr\"",
        "\"burrs\" in tags",
        "\"Grinder\" in title",
    ] {
        assert!(stdout.contains(needed), "{needed} missing:\n{stdout}");
    }
    assert!(!net.path().join("sites/trail-running/briefs.toml").exists());
    // With --force it is written, and the words are listed again.
    let forced = ok(&net.grove(&[
        "replicate",
        path.to_str().unwrap(),
        "--to",
        "trail-running",
        "--kind",
        "guide",
        "--force",
    ]));
    assert!(
        forced.contains("warning: it still says what the source site is about"),
        "{forced}"
    );
    assert!(
        net.read("sites/trail-running/briefs.toml")
            .contains("upper burr")
    );
}
