//! `grove audit` against a committed corpus with known ground truth
//! (tests/data/audit: base articles and controlled variants of them), and
//! the quality gate on `review`, `approve` and `build`.
//!
//! Similarities are checked against an exact Jaccard computed here, on the
//! Markdown sources, with a tokenizer of the test's own.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;
use std::process::Output;

use crate::common::{Fixture, copy_dir, files_below, repo};
use serde_json::Value;

const THRESHOLD: f64 = 0.8;

/// The corpus network: the generated variant sites and the hand-written
/// `problems` site.
fn corpus() -> Fixture {
    let fixture = Fixture::new();
    let data = repo().join("tests/data/audit");
    copy_dir(&data.join("sites"), &fixture.path().join("sites"));
    copy_dir(
        &data.join("problems"),
        &fixture.path().join("sites/problems"),
    );
    fixture
}

fn audit(fixture: &Fixture, args: &[&str]) -> (Value, Output) {
    let mut all = vec!["audit", "--json"];
    all.extend_from_slice(args);
    let output = fixture.grove(&all);
    let json = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "audit --json printed no JSON ({e}):\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (json, output)
}

fn findings<'a>(json: &'a Value, code: &str) -> Vec<&'a Value> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .collect()
}

/// Words as a reader sees them: runs of letters and digits, lowercased,
/// with an apostrophe inside a word kept.
fn words(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut words = Vec::new();
    let mut word = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let next_is_alnum = chars.get(i + 1).is_some_and(|n| n.is_alphanumeric());
        if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        } else if (c == '\'' || c == '’') && !word.is_empty() && next_is_alnum {
            word.push('\'');
        } else if !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// The body of a content file: everything after the closing `+++`.
fn body(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let rest = text.strip_prefix("+++\n").expect("TOML front matter");
    let end = rest.find("\n+++\n").expect("front matter end");
    rest[end + 5..].to_string()
}

/// The set of five-word shingles of a body.
fn shingles(body: &str) -> HashSet<String> {
    words(body).windows(5).map(|w| w.join(" ")).collect()
}

fn jaccard(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    let shared = a.intersection(b).count();
    shared as f64 / (a.len() + b.len() - shared) as f64
}

/// Every corpus page (`sites/<site>/content/<file>` relative to the root)
/// with its shingles.
fn corpus_pages(fixture: &Fixture) -> BTreeMap<String, HashSet<String>> {
    files_below(&fixture.path().join("sites"))
        .into_iter()
        .filter(|f| f.ends_with(".md"))
        .map(|f| {
            let file = format!("sites/{f}");
            let shingles = shingles(&body(&fixture.path().join(&file)));
            (file, shingles)
        })
        .collect()
}

/// Every reported near-duplicate pair, as (smaller file, larger file) ->
/// similarity, from each finding's list of similar pages.
fn reported_pairs(json: &Value) -> BTreeMap<(String, String), f64> {
    let mut pairs = BTreeMap::new();
    for finding in findings(json, "near-duplicate") {
        let file = finding["file"].as_str().unwrap().to_string();
        let similar = finding["similar"].as_array().unwrap();
        assert_eq!(finding["other_file"], similar[0]["file"]);
        assert_eq!(finding["similarity"], similar[0]["similarity"]);
        for other in similar {
            let other_file = other["file"].as_str().unwrap().to_string();
            let key = if file < other_file {
                (file.clone(), other_file)
            } else {
                (other_file, file.clone())
            };
            let similarity = other["similarity"].as_f64().unwrap();
            if let Some(seen) = pairs.insert(key.clone(), similarity) {
                assert_eq!(seen, similarity, "both pages of {key:?} give one figure");
            }
        }
    }
    pairs
}

#[test]
fn near_duplicates_are_exactly_the_pairs_at_or_above_the_threshold() {
    let fixture = corpus();
    let (json, output) = audit(&fixture, &[]);
    assert!(!output.status.success(), "error findings fail the audit");
    let pages = corpus_pages(&fixture);
    assert_eq!(json["pages"], pages.len());
    let reported = reported_pairs(&json);

    let files: Vec<&String> = pages.keys().collect();
    let (mut above, mut near_below, mut well_below) = (0, 0, 0);
    for (i, a) in files.iter().enumerate() {
        for b in &files[i + 1..] {
            let exact = jaccard(&pages[*a], &pages[*b]);
            let key = ((*a).clone(), (*b).clone());
            match reported.get(&key) {
                Some(similarity) => {
                    assert!(
                        (similarity - exact).abs() < 1e-9,
                        "{key:?}: reported {similarity}, exact {exact}"
                    );
                    assert!(exact >= THRESHOLD, "{key:?} reported at {exact}");
                }
                None => assert!(exact < THRESHOLD, "{key:?} missed at {exact}"),
            }
            if exact >= THRESHOLD {
                above += 1;
            } else if exact >= THRESHOLD - 0.1 {
                near_below += 1;
            } else if exact > 0.3 {
                well_below += 1;
            }
        }
    }
    // The corpus exercises both sides of the threshold, closely.
    assert!(above >= 15, "{above} pairs above the threshold");
    assert!(near_below >= 3, "{near_below} pairs just below");
    assert!(well_below >= 3, "{well_below} related pairs well below");
    let light = reported.get(&(
        "sites/light-edits/content/sourdough.md".to_string(),
        "sites/originals/content/sourdough.md".to_string(),
    ));
    assert!(light.is_some(), "1% of words swapped is a near-duplicate");
    for variant in ["medium-edits", "rewrites"] {
        let key = (
            format!("sites/{variant}/content/sourdough.md"),
            "sites/originals/content/sourdough.md".to_string(),
        );
        assert!(!reported.contains_key(&key), "{variant} is not reported");
    }
}

#[test]
fn boilerplate_catches_niche_swaps_that_pairwise_similarity_misses() {
    let fixture = corpus();
    let pages = corpus_pages(&fixture);
    let niches: Vec<&String> = pages.keys().filter(|f| f.contains("/niche-")).collect();
    assert_eq!(niches.len(), 4);
    for (i, a) in niches.iter().enumerate() {
        for b in &niches[i + 1..] {
            let exact = jaccard(&pages[*a], &pages[*b]);
            assert!(exact < THRESHOLD, "{a} and {b} are {exact} alike");
        }
    }
    let (json, _) = audit(&fixture, &[]);
    let flagged: BTreeMap<&str, f64> = findings(&json, "boilerplate")
        .into_iter()
        .map(|f| (f["file"].as_str().unwrap(), f["value"].as_f64().unwrap()))
        .collect();
    for niche in &niches {
        let share = flagged
            .get(niche.as_str())
            .unwrap_or_else(|| panic!("{niche} not flagged"));
        assert!(*share > 0.5 && *share < 1.0, "{niche}: {share}");
        let copies: Vec<_> = findings(&json, "near-duplicate")
            .into_iter()
            .filter(|f| f["file"] == niche.as_str())
            .filter(|f| f["other_file"].as_str().unwrap().contains("/niche-"))
            .collect();
        assert!(copies.is_empty(), "{niche} paired with another niche");
    }
    // Unrelated pages share nothing with other sites.
    assert!(!flagged.contains_key("sites/problems/content/thin.md"));

    // The share is configurable: above it, nothing is reported.
    fixture.write(
        "grove.toml",
        "[network]\nname = \"Test\"\n[quality]\nboilerplate_share = 0.7\n",
    );
    let (json, _) = audit(&fixture, &[]);
    let flagged: Vec<&str> = findings(&json, "boilerplate")
        .into_iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert!(
        flagged.iter().all(|f| !f.contains("/niche-")),
        "{flagged:?}"
    );
    assert!(flagged.contains(&"sites/originals/content/sourdough.md"));
}

#[test]
fn page_problems_name_the_file_and_line() {
    let fixture = corpus();
    let (json, _) = audit(&fixture, &["--site", "problems"]);
    let lines = |code: &str, file: &str| -> Vec<u64> {
        findings(&json, code)
            .into_iter()
            .filter(|f| f["file"] == format!("sites/problems/content/{file}"))
            .map(|f| f["line"].as_u64().expect("a line"))
            .collect()
    };
    assert_eq!(lines("ai-phrase", "leftover.md"), [13, 22]);
    assert_eq!(lines("repeated-sentence", "looping.md"), [11]);
    for finding in findings(&json, "ai-phrase") {
        assert_eq!(finding["severity"], "error");
        assert_eq!(finding["site"], "problems");
    }
    let thin = findings(&json, "thin");
    let thin_page = thin
        .iter()
        .find(|f| f["file"] == "sites/problems/content/thin.md")
        .expect("thin.md is thin");
    let counted = words(&body(
        &fixture.path().join("sites/problems/content/thin.md"),
    ))
    .len();
    assert_eq!(thin_page["value"], counted as f64);
    assert_eq!(thin_page["limit"], 300.0);
    assert_eq!(thin_page["severity"], "warning");
    assert!(thin_page.get("line").is_none());
    // Only the selected site is reported.
    assert!(
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["site"] == "problems")
    );
    assert_eq!(json["pages"], 3);
}

#[test]
fn reports_are_ordered_and_the_same_on_every_run() {
    let fixture = corpus();
    let run = |threads: &str| {
        let output = fixture.grove_env(&["audit", "--json"], &[("RAYON_NUM_THREADS", threads)]);
        String::from_utf8(output.stdout).unwrap()
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    assert_eq!(one, run("3"));
    let json: Value = serde_json::from_str(&one).unwrap();
    let order: Vec<(String, u8, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["site"].as_str().unwrap().to_string(),
                u8::from(f["severity"] == "warning"),
                f["file"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted, "grouped by site, errors first, then by file");

    let text = fixture.grove(&["audit"]);
    let stdout = String::from_utf8_lossy(&text.stdout);
    let problems = stdout.find("problems: 3 pages").expect("a site heading");
    let leftover = stdout
        .find("leftover.md:13")
        .expect("a finding with its line");
    let thin = stdout.find("warning thin").expect("a warning");
    assert!(problems < leftover && leftover < thin, "{stdout}");
    assert!(String::from_utf8_lossy(&text.stderr).contains("error findings"));
}

#[test]
fn pages_can_acknowledge_findings_and_config_can_share_pages() {
    let fixture = corpus();
    let path = "sites/problems/content/leftover.md";
    let text = fixture.read(path);
    fixture.write(
        path,
        &text.replacen(
            "+++\n",
            "+++\naudit_allow = [\"ai-phrase\", \"thin\", \"orphan\"]\n",
            1,
        ),
    );
    let (json, _) = audit(&fixture, &["--site", "problems"]);
    let on_leftover: Vec<&Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["file"] == path)
        .collect();
    assert!(on_leftover.is_empty(), "{on_leftover:?}");
    assert_eq!(findings(&json, "repeated-sentence").len(), 1);

    fixture.write(
        path,
        &text.replacen("+++\n", "+++\naudit_allow = [\"ai-phrases\"]\n", 1),
    );
    let output = fixture.grove(&["audit"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("leftover.md") && stderr.contains("unknown finding `ai-phrases`"),
        "{stderr}"
    );
    fixture.write(path, &text);

    // Pages meant to be alike everywhere are left out by configuration.
    fixture.write(
        "grove.toml",
        "[network]\nname = \"Test\"\n[quality]\nshared = [\"houseplants.md\"]\n",
    );
    let (json, _) = audit(&fixture, &[]);
    // (Being shared says nothing of links: an orphan is still reported.)
    for finding in json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] != "orphan")
    {
        let file = finding["file"].as_str().unwrap();
        let other = finding["other_file"].as_str().unwrap_or_default();
        assert!(
            !file.ends_with("houseplants.md") && !other.ends_with("houseplants.md"),
            "{finding}"
        );
    }
    assert!(!findings(&json, "near-duplicate").is_empty());
}

#[test]
fn bad_quality_settings_name_the_file() {
    let fixture = corpus();
    for (table, wanted) in [
        ("near_duplicate = 1.5", "near_duplicate"),
        ("gate = \"strict\"", "`strict`"),
        ("min_word = 10", "min_word"),
    ] {
        fixture.write(
            "grove.toml",
            &format!("[network]\nname = \"Test\"\n[quality]\n{table}\n"),
        );
        let output = fixture.grove(&["audit"]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success());
        assert!(
            stderr.contains("grove.toml") && stderr.contains(wanted),
            "{table}: {stderr}"
        );
    }
}

#[test]
fn the_example_network_audits_clean() {
    let fixture = Fixture::example();
    let (json, output) = audit(&fixture, &[]);
    assert!(output.status.success(), "{json}");
    assert_eq!(json["findings"], Value::Array(Vec::new()));
    assert!(json["pages"].as_u64().unwrap() >= 15);
    // The record the dashboard reads.
    let record: Value =
        serde_json::from_str(&fixture.read(".grove/audit.json")).expect("an audit record");
    assert_eq!(record["sites"]["home-espresso"]["errors"], 0);

    // Link-heavy pages are thin, counted in the rendered page (product
    // boxes and tables included) against the page's own words.
    let config = fixture.read("grove.toml");
    fixture.write(
        "grove.toml",
        &config.replace(
            "[quality]\n",
            "[quality]\nmax_affiliate_links_per_100_words = 1.0\n",
        ),
    );
    let (json, output) = audit(&fixture, &["--site", "trail-running"]);
    assert!(output.status.success(), "warnings do not fail the audit");
    let dense = findings(&json, "thin");
    assert_eq!(dense.len(), 1, "{dense:?}");
    assert_eq!(
        dense[0]["file"],
        "sites/trail-running/content/reviews/road-to-trail-shoes-compared.md"
    );
    assert!(dense[0]["value"].as_f64().unwrap() > 1.0);
}

/// A copy of an example article as a new draft of the same site.
const COPY: &str = "sites/home-espresso/content/guides/grinder-copy.md";

fn draft_copy(fixture: &Fixture) {
    let original = fixture.read("sites/home-espresso/content/guides/choosing-a-grinder.md");
    let draft = original
        .replacen("+++\n", "+++\ndraft = true\n", 1)
        .replace("Choosing an espresso grinder", "Which grinder for espresso");
    fixture.write(COPY, &draft);
}

#[test]
fn review_shows_findings_and_approve_refuses_errors_unless_forced() {
    let fixture = Fixture::example();
    draft_copy(&fixture);
    let review = fixture.grove(&["review", "--site", "home-espresso"]);
    let stdout = String::from_utf8_lossy(&review.stdout);
    assert!(review.status.success());
    assert!(
        stdout.contains("audit: error   near-duplicate")
            && stdout.contains("choosing-a-grinder.md"),
        "{stdout}"
    );

    let copy = fixture.path().join(COPY);
    let copy_arg = copy.to_str().unwrap();
    let before = fixture.read(COPY);
    let refused = fixture.grove(&["approve", copy_arg]);
    let stdout = String::from_utf8_lossy(&refused.stdout);
    assert!(!refused.status.success());
    assert!(
        stdout.contains("refused") && stdout.contains("near-duplicate"),
        "{stdout}"
    );
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--force"));
    assert_eq!(fixture.read(COPY), before, "a refused draft is untouched");

    let forced = fixture.grove(&["approve", "--force", copy_arg]);
    assert!(forced.status.success());
    assert!(fixture.read(COPY).contains("draft = false"));
}

#[test]
fn approve_follows_the_gate_of_the_drafts_site() {
    let fixture = Fixture::example();
    draft_copy(&fixture);
    let site = fixture.read("sites/home-espresso/site.toml");
    fixture.write(
        "sites/home-espresso/site.toml",
        &format!("{site}\n[quality]\ngate = \"off\"\n"),
    );
    let copy = fixture.path().join(COPY);
    let output = fixture.grove(&["approve", copy.to_str().unwrap()]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(fixture.read(COPY).contains("draft = false"));
}

#[test]
fn a_blocking_gate_stops_the_build_and_leaves_the_output() {
    let fixture = Fixture::example();
    let page = "sites/home-espresso/content/guides/leftover.md";
    fixture.write(
        page,
        "+++\ntitle = \"Descaling an espresso machine\"\ndescription = \"When and how to descale a home espresso machine without harming its seals.\"\n+++\n\nDescale every two months in hard-water areas.\n\nAs an AI language model, I cannot see your machine.\n",
    );
    // Gate "warn" (the example's) builds.
    fixture.build(&[]);
    let published = files_below(&fixture.path().join("public"));
    assert!(published.contains(&"home-espresso/guides/leftover/index.html".to_string()));
    let home = fixture.read("public/home-espresso/index.html");

    let site = fixture.read("sites/home-espresso/site.toml");
    fixture.write(
        "sites/home-espresso/site.toml",
        &format!("{site}\n[quality]\ngate = \"block\"\n"),
    );
    let stderr = fixture.build_fails(&[]);
    assert!(
        stderr.contains("leftover.md:8") && stderr.contains("ai-phrase"),
        "{stderr}"
    );
    assert!(stderr.contains("gate = \"block\""), "{stderr}");
    assert_eq!(files_below(&fixture.path().join("public")), published);
    assert_eq!(fixture.read("public/home-espresso/index.html"), home);

    // Other sites are not gated by it.
    fixture.build(&["--site", "trail-running"]);
    // Acknowledging the finding lets the build through.
    let text = fixture.read(page);
    fixture.write(
        page,
        &text.replacen("+++\n", "+++\naudit_allow = [\"ai-phrase\"]\n", 1),
    );
    fixture.build(&[]);
}

#[test]
fn findings_name_both_pages_of_a_pair_across_sites() {
    let fixture = corpus();
    let (json, _) = audit(&fixture, &["--site", "light-edits"]);
    let sites: BTreeSet<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["site"].as_str().unwrap())
        .collect();
    assert_eq!(sites, BTreeSet::from(["light-edits"]));
    let pair = findings(&json, "near-duplicate")
        .into_iter()
        .find(|f| f["file"] == "sites/light-edits/content/houseplants.md")
        .expect("the light edit is a near-duplicate");
    let others: Vec<&str> = pair["similar"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["site"].as_str().unwrap())
        .collect();
    assert!(others.contains(&"originals"), "{others:?}");
    assert!(pair["other_site"].is_string());
}

#[test]
fn a_page_naming_another_sites_niche_or_products_is_found() {
    let net = Fixture::example();
    let page = "sites/trail-running/content/guides/stolen.md";
    net.write(
        page,
        "+++\ntitle = \"Trail shoes for winter\"\ndescription = \"How to pick trail shoes that keep your grinder consistent, like espresso grinders do.\"\n+++\n\nPick shoes with lugs for mud and snow. Fit matters more than weight in winter.\n\nClean the Baratza Encore ESP weekly, just like your shoes.\n",
    );
    let (json, _) = audit(&net, &["--site", "trail-running"]);
    let found = findings(&json, "other-niche");
    assert_eq!(found.len(), 1, "{json}");
    let finding = found[0];
    assert_eq!(finding["file"], page);
    assert_eq!(finding["severity"], "warning");
    let message = finding["message"].as_str().unwrap();
    assert!(
        message.contains("\"espresso grinders\" (the vars.product_kind of home-espresso)"),
        "{message}"
    );
    assert!(
        message.contains("\"Baratza Encore ESP\" (a product home-espresso links"),
        "{message}"
    );
    // "winter" is home-espresso's vars.season too, but one word says
    // nothing of whose it is; the site's own pages are not flagged.
    assert!(!message.contains("winter"), "{message}");
    let (all, _) = audit(&net, &[]);
    assert_eq!(findings(&all, "other-niche").len(), 1, "{all}");
    // Acknowledged, it is not reported.
    let text = net.read(page).replace(
        "+++\n\nPick",
        "audit_allow = [\"other-niche\"]\n+++\n\nPick",
    );
    net.write(page, &text);
    let (json, _) = audit(&net, &["--site", "trail-running"]);
    assert!(findings(&json, "other-niche").is_empty(), "{json}");
}
