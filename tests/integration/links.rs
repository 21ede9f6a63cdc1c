//! `grove links`: suggestions where a page's prose names another page
//! (by title, keywords or the searches it is found for) and never in
//! headings, code or links; orphans and weak pages; `grove links apply`
//! writes `@/` links only where it may, and the build follows them.

use crate::common;

use crate::common::Fixture;
use serde_json::{Value, json};

fn network() -> Fixture {
    let net = Fixture::new();
    net.site("alpha", "Alpha");
    net.write(
        "sites/alpha/content/guides/burr-grinders.md",
        "+++\ntitle = \"Burr grinders explained\"\n[extra]\nkeywords = [\"burr grinder\"]\n+++\nFlat or conical, a burr grinder crushes evenly.\n",
    );
    net.write(
        "sites/alpha/content/guides/dialing-in.md",
        "+++\ntitle = \"How to dial in espresso: a method\"\n+++\nStart with fresh beans. A Burr Grinder makes the difference.\nA conical burr set stays cool.\n",
    );
    net.write(
        "sites/alpha/content/reviews/machines.md",
        "+++\ntitle = \"Espresso machines for beginners\"\n+++\nRead [dialing in](@/guides/dialing-in.md) first.\n\n## Pairing with a burr grinder\n\nUse `burr grinder` settings, or the [burr grinder shop](https://shop.example.com/).\n\n```\nburr grinder\n```\n",
    );
    net.write(
        "content/shared.md",
        "+++\ntitle = \"Shared notes for every site\"\n+++\nEvery site says: a burr grinder helps.\n",
    );
    let output = net.build(&[]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    net
}

fn links_json(net: &Fixture) -> Value {
    let output = net.grove(&["links", "--site", "alpha", "--json"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn pairs(json: &Value) -> Vec<(String, String, String)> {
    json["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["from"].as_str().unwrap().to_string(),
                s["to"].as_str().unwrap().to_string(),
                s["anchor"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pages(json: &Value, key: &str) -> Vec<String> {
    json[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["page"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn suggestions_come_from_prose_and_orphans_are_listed() {
    let net = network();
    let json = links_json(&net);
    let found = pairs(&json);
    assert!(
        // Matched in any case, the anchor as written.
        found.contains(&(
            "/guides/dialing-in/".into(),
            "/guides/burr-grinders/".into(),
            "Burr Grinder".into()
        )),
        "{found:?}"
    );
    assert!(
        found.contains(&(
            "/shared/".into(),
            "/guides/burr-grinders/".into(),
            "burr grinder".into()
        )),
        "{found:?}"
    );
    // Not from a heading, code or an existing link: the machines page
    // names the burr grinder only there.
    assert!(
        !found
            .iter()
            .any(|(from, _, _)| from == "/reviews/machines/"),
        "{found:?}"
    );
    let first = &json["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["from"] == "/guides/dialing-in/")
        .unwrap();
    assert_eq!(first["sentence"], "A Burr Grinder makes the difference.");
    assert_eq!(first["line"], 4);
    assert_eq!(first["site"], "alpha");
    let orphans = pages(&json, "orphans");
    assert!(
        orphans.contains(&"/guides/burr-grinders/".to_string()),
        "{orphans:?}"
    );
    assert!(
        orphans.contains(&"/reviews/machines/".to_string()),
        "{orphans:?}"
    );
    assert!(!orphans.contains(&"/guides/dialing-in/".to_string()));
    assert!(pages(&json, "weak").contains(&"/guides/dialing-in/".to_string()));

    // A section's introduction linking a page is a link from content.
    net.write(
        "sites/alpha/content/reviews/_index.md",
        "+++\ntitle = \"Reviews\"\n+++\nStart with [the machines](@/reviews/machines.md).\n",
    );
    let json = links_json(&net);
    assert!(!pages(&json, "orphans").contains(&"/reviews/machines/".to_string()));
}

#[test]
fn a_search_query_names_a_page_too() {
    let net = network();
    // A one-word title names nothing; the search it is found for does.
    net.write(
        "sites/alpha/content/guides/tamping.md",
        "+++\ntitle = \"Tamping\"\n+++\nPress evenly.\n",
    );
    net.write(
        "sites/alpha/content/reviews/tampers.md",
        "+++\ntitle = \"Tampers\"\n+++\nEveryone asks how hard to tamp. Thirty pounds is plenty.\n",
    );
    assert!(net.build(&[]).status.success());
    let before = pairs(&links_json(&net));
    assert!(
        !before.iter().any(|(_, to, _)| to == "/guides/tamping/"),
        "{before:?}"
    );
    let rows = json!({"rows": [
        {"keys": ["2026-11-01", "https://alpha.example.com/guides/burr-grinders/", "conical burr set"],
         "clicks": 3, "impressions": 40, "ctr": 0.075, "position": 6.0},
        {"keys": ["2026-11-01", "https://alpha.example.com/guides/tamping/", "how hard to tamp"],
         "clicks": 1, "impressions": 30, "ctr": 0.03, "position": 9.0}]});
    net.write("gsc.json", &rows.to_string());
    let file = net.path().join("gsc.json");
    assert!(
        net.grove(&["seo", "import", file.to_str().unwrap()])
            .status
            .success()
    );
    let json = links_json(&net);
    // The page's text names the guide twice (its keyword and its query):
    // one link to it is suggested.
    let from_dialing: Vec<_> = pairs(&json)
        .into_iter()
        .filter(|(from, _, _)| from == "/guides/dialing-in/")
        .collect();
    assert_eq!(from_dialing.len(), 1, "{from_dialing:?}");
    assert!(
        pairs(&json).contains(&(
            "/reviews/tampers/".into(),
            "/guides/tamping/".into(),
            "how hard to tamp".into()
        )),
        "{:?}",
        pairs(&json)
    );
}

#[test]
fn apply_writes_links_where_it_may_and_the_build_follows_them() {
    let net = network();
    let output = net.grove(&[
        "links",
        "apply",
        "--site",
        "alpha",
        "--to",
        "/guides/burr-grinders/",
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("left content/shared.md alone"), "{stdout}");
    assert!(stdout.contains("a blueprint page"), "{stdout}");
    let text = net.read("sites/alpha/content/guides/dialing-in.md");
    assert!(
        text.contains("A [Burr Grinder](@/guides/burr-grinders.md) makes the difference."),
        "{text}"
    );
    assert!(!net.read("content/shared.md").contains("]("));
    assert!(net.build(&[]).status.success());
    let html = net.html("alpha/guides/dialing-in/index.html");
    assert!(
        common::attrs(&html, "main a", "href")
            .iter()
            .any(|h| h.ends_with("/guides/burr-grinders/")),
        "{:?}",
        common::attrs(&html, "a", "href")
    );
    let json = links_json(&net);
    assert!(!pages(&json, "orphans").contains(&"/guides/burr-grinders/".to_string()));
    assert!(
        !pairs(&json)
            .iter()
            .any(|(from, to, _)| from == "/guides/dialing-in/" && to == "/guides/burr-grinders/")
    );

    // A page with a refresh draft waiting beside it is left alone.
    net.write(
        "sites/alpha/content/guides/burr-grinders.refresh.md",
        "+++\ntitle = \"x\"\ndraft = true\n+++\nx\n",
    );
    net.write(
        "sites/alpha/content/guides/burr-grinders.md",
        "+++\ntitle = \"Burr grinders explained\"\n+++\nDial in espresso with a method: see how to dial in espresso.\n",
    );
    let before = net.read("sites/alpha/content/guides/burr-grinders.md");
    let output = net.grove(&["links", "apply", "--site", "alpha", "--all"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("a refresh draft of it is waiting"),
        "{stdout}"
    );
    assert_eq!(
        net.read("sites/alpha/content/guides/burr-grinders.md"),
        before
    );
}
