//! The publishing schedule: pages dated in the future stay out of the
//! build (pages, listings, sitemaps, feeds) until their date, and `grove
//! approve` spreads drafts over the coming days at a site's pace.

use crate::common;

use std::process::Output;

use crate::common::{Fixture, attrs, files_below};

fn ok(output: &Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "grove failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

const LATER: &str = "sites/home-espresso/content/guides/later.md";

fn page(title: &str, front: &str) -> String {
    format!(
        "+++\ntitle = \"{title}\"\ndescription = \"A page about {title}.\"\n{front}+++\n\nSome words about {title}.\n"
    )
}

#[test]
fn future_pages_are_not_built_until_their_date() {
    let net = Fixture::example();
    net.write(LATER, &page("Later", "date = 2999-01-01\n"));
    net.write(
        "sites/home-espresso/content/guides/today.md",
        &page(
            "Today",
            &format!("date = {}\n", chrono::Utc::now().date_naive()),
        ),
    );
    let stdout = ok(&net.grove(&["build"]));
    assert!(
        stdout.contains("1 page scheduled, not built before their date (--future builds them); the next goes out on 2999-01-01"),
        "{stdout}"
    );
    assert!(
        stdout.contains("1 scheduled, next on 2999-01-01"),
        "{stdout}"
    );
    let files = files_below(&net.path().join("public/home-espresso"));
    assert!(files.contains(&"guides/today/index.html".to_string()));
    assert!(!files.iter().any(|f| f.contains("later")), "{files:?}");
    // Not listed anywhere either.
    let guides = net.html("home-espresso/guides/index.html");
    let links = attrs(&guides, "main a", "href");
    assert!(links.iter().any(|l| l.contains("/guides/today/")));
    assert!(!links.iter().any(|l| l.contains("later")), "{links:?}");
    for file in ["sitemap.xml", "atom.xml", "rss.xml"] {
        let path = net.out(&format!("home-espresso/{file}"));
        if path.exists() {
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(
                !text.contains("/guides/later/"),
                "{file} lists the scheduled page"
            );
        }
    }

    // --future builds it.
    ok(&net.grove(&["build", "--future", "--site", "home-espresso"]));
    assert!(net.out("home-espresso/guides/later/index.html").is_file());

    // A published page linking to it is an error that says when it is due.
    net.write(
        "sites/home-espresso/content/guides/today.md",
        &format!(
            "{}\nSee [later](@/guides/later.md).\n",
            page("Today", "date = 2026-01-01\n")
        ),
    );
    let stderr = net.build_fails(&[]);
    assert!(
        stderr.contains("today.md") && stderr.contains("scheduled for 2999-01-01"),
        "{stderr}"
    );
}

fn draft(net: &Fixture, path: &str, title: &str) {
    net.write(path, &page(title, "date = 2026-11-20\ndraft = true\n"));
}

#[test]
fn approve_spreads_drafts_over_the_days_at_each_sites_pace() {
    let net = Fixture::example();
    // One page is already due on the first day.
    net.write(LATER, &page("Later", "date = 2999-01-01\n"));
    let drafts = [
        "sites/home-espresso/content/guides/a.md",
        "sites/home-espresso/content/guides/b.md",
        "sites/home-espresso/content/guides/c.md",
        "sites/trail-running/content/guides/d.md",
    ];
    for (i, path) in drafts.iter().enumerate() {
        draft(&net, path, &format!("Draft {i}"));
    }
    let mut args = vec![
        "approve",
        "--force",
        "--schedule",
        "2 per day",
        "--start",
        "2999-01-01",
    ];
    let paths: Vec<String> = drafts
        .iter()
        .map(|d| net.path().join(d).to_string_lossy().into_owned())
        .collect();
    args.extend(paths.iter().map(String::as_str));
    let stdout = ok(&net.grove(&args));
    assert!(
        stdout.contains("4 scheduled from 2999-01-01 to 2999-01-02"),
        "{stdout}"
    );
    let date_of = |path: &str| {
        let meta: toml::Table = net
            .read(path)
            .trim_start_matches("+++\n")
            .split("+++\n")
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(meta["draft"].as_bool(), Some(false));
        meta["date"].to_string()
    };
    // Two a day in home-espresso, where later.md takes one place on the
    // first day; trail-running has its own places.
    assert_eq!(date_of(drafts[0]), "2999-01-01");
    assert_eq!(date_of(drafts[1]), "2999-01-02");
    assert_eq!(date_of(drafts[2]), "2999-01-02");
    assert_eq!(date_of(drafts[3]), "2999-01-01");

    // Approved, they wait for their day.
    let stdout = ok(&net.grove(&["build"]));
    assert!(stdout.contains("5 pages scheduled"), "{stdout}");
    assert!(!net.out("home-espresso/guides/a/index.html").exists());
}

#[test]
fn a_sites_publish_per_day_schedules_without_being_asked() {
    let net = Fixture::example();
    let site = net.read("sites/trail-running/site.toml");
    net.write(
        "sites/trail-running/site.toml",
        &site.replacen("title = ", "publish_per_day = 1\ntitle = ", 1),
    );
    // A YAML draft without a date gets one.
    for name in ["x", "y"] {
        net.write(
            &format!("sites/trail-running/content/guides/{name}.md"),
            &format!("---\ntitle: Draft {name}\ndraft: true\n---\n\nWords.\n"),
        );
    }
    let x = net.path().join("sites/trail-running/content/guides/x.md");
    let y = net.path().join("sites/trail-running/content/guides/y.md");
    let stdout = ok(&net.grove(&[
        "approve",
        "--force",
        x.to_str().unwrap(),
        y.to_str().unwrap(),
    ]));
    let today = chrono::Utc::now().date_naive();
    let tomorrow = today.succ_opt().unwrap();
    assert!(stdout.contains(&format!("for {today}")), "{stdout}");
    assert!(stdout.contains(&format!("for {tomorrow}")), "{stdout}");
    let x = net.read("sites/trail-running/content/guides/x.md");
    assert_eq!(
        x,
        format!("---\ntitle: Draft x\ndraft: false\ndate: {today}\n---\n\nWords.\n")
    );

    // Without a pace, approving publishes at once and keeps the date.
    draft(&net, "sites/home-espresso/content/guides/now.md", "Now");
    let path = net.path().join("sites/home-espresso/content/guides/now.md");
    ok(&net.grove(&["approve", "--force", path.to_str().unwrap()]));
    let text = net.read("sites/home-espresso/content/guides/now.md");
    assert!(
        text.contains("date = 2026-11-20\ndraft = false\n"),
        "{text}"
    );
}

#[test]
fn bad_paces_are_refused_with_the_file_or_flag() {
    let net = Fixture::example();
    draft(&net, "sites/home-espresso/content/guides/a.md", "A");
    let path = net.path().join("sites/home-espresso/content/guides/a.md");
    let path = path.to_str().unwrap();
    for args in [
        vec!["approve", "--schedule", "0 per day", path],
        vec!["approve", "--schedule", "often", path],
        vec!["approve", "--start", "2999-01-01", path],
        vec![
            "approve",
            "--schedule",
            "1 per day",
            "--start",
            "soon",
            path,
        ],
    ] {
        let output = net.grove(&args);
        assert!(!output.status.success(), "{args:?}");
    }
    assert!(
        net.read("sites/home-espresso/content/guides/a.md")
            .contains("draft = true")
    );
    let site = net.read("sites/home-espresso/site.toml");
    net.write(
        "sites/home-espresso/site.toml",
        &site.replacen("title = ", "publish_per_day = 0\ntitle = ", 1),
    );
    let output = net.grove(&["approve", path]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("site.toml:1"), "{stderr}");
}

#[test]
fn two_approves_at_once_give_each_day_once() {
    let net = Fixture::example();
    let drafts: Vec<String> = (0..40)
        .map(|i| format!("sites/home-espresso/content/guides/race-{i:02}.md"))
        .collect();
    for (i, path) in drafts.iter().enumerate() {
        draft(&net, path, &format!("Race {i}"));
    }
    // Two people approve halves of the drafts at the same moment, at one
    // a day: every draft must get a day of its own.
    let spawn = |half: &[String]| {
        let mut command = net.command([
            "approve",
            "--force",
            "--schedule",
            "1 per day",
            "--start",
            "2999-03-01",
        ]);
        command.args(half.iter().map(|d| net.path().join(d)));
        command.spawn().unwrap()
    };
    common::all_succeed(vec![spawn(&drafts[..20]), spawn(&drafts[20..])]);
    let mut days: Vec<String> = drafts
        .iter()
        .map(|d| {
            let text = net.read(d);
            text.lines()
                .find(|l| l.starts_with("date = "))
                .unwrap()
                .to_string()
        })
        .collect();
    days.sort();
    days.dedup();
    assert_eq!(days.len(), drafts.len(), "{days:?}");
}
