//! `grove watch` against a web server on 127.0.0.1 serving a deployed
//! site and a shop: broken, stripped and discontinued affiliate links,
//! a tampered and a missing page, a robots.txt and a firewall turning
//! crawlers away; alerts recorded with first and last seen, sent to a
//! webhook once, resolved when fixed, shown on the dashboard; and the
//! database's traffic and crawlers judged against the weeks before.

use crate::common;
use crate::common::smtp;

use std::path::Path;
use std::sync::atomic::Ordering;

use crate::common::Fixture;
use crate::common::measuring::{CHROME, GOOGLEBOT, combined};
use crate::common::web::{Web, web};
use scraper::{Html, Selector};
use serde_json::Value;

fn network(www: &Path) -> (Fixture, Web) {
    let net = Fixture::new();
    let server = web(www.join("alpha"));
    let b = &server.base;
    net.write(
        "sites/alpha/site.toml",
        &format!("title = \"Alpha\"\nbase_url = \"{b}\"\nniche = \"coffee\"\n[affiliate]\nshop_tag = \"alpha-21\"\n"),
    );
    let config = net.read("grove.toml");
    net.write(
        "grove.toml",
        &format!(
            "{config}[deploy]\nurl = \"{}/{{{{ site.name }}}}\"\n\n[watch]\nhost_interval_secs = 0\namazon_interval_secs = 0\nsample_pages = 20\ntimeout_secs = 5\nwebhook_env = \"GROVE_TEST_WEBHOOK\"\n",
            www.display()
        ),
    );
    let mut registry = String::new();
    for slug in ["ok", "gone", "strip", "discontinued"] {
        registry.push_str(&format!(
            "[{slug}]\nname = \"Product {slug}\"\nurl = \"{b}/shop/{slug}?tag={{{{ site.affiliate.shop_tag }}}}\"\n\n"
        ));
    }
    net.write("affiliates.toml", &registry);
    for (page, slug) in [
        ("a", "ok"),
        ("b", "gone"),
        ("c", "strip"),
        ("d", "discontinued"),
    ] {
        net.write(
            &format!("sites/alpha/content/guides/{page}.md"),
            &format!("+++\ntitle = \"Guide {page}\"\n+++\nBuy [this one](aff:{slug}) today.\n"),
        );
    }
    assert!(net.build(&[]).status.success());
    let deployed = net.grove(&["deploy"]);
    assert!(
        deployed.status.success(),
        "{}",
        String::from_utf8_lossy(&deployed.stderr)
    );
    (net, server)
}

fn watch(net: &Fixture, server: &Web, args: &[&str]) -> (bool, Value) {
    let mut all = vec!["watch", "--json"];
    all.extend_from_slice(args);
    let output = net.grove_env(
        &all,
        &[("GROVE_TEST_WEBHOOK", &format!("{}/hook", server.base))],
    );
    let json = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.success(), json)
}

/// (kind, subject, new) of every open alert.
fn alerts(run: &Value) -> Vec<(String, String, bool)> {
    let mut all: Vec<_> = run["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["kind"].as_str().unwrap().to_string(),
                a["subject"].as_str().unwrap().to_string(),
                a["new"].as_bool().unwrap(),
            )
        })
        .collect();
    all.sort();
    all
}

#[test]
fn alerts_are_found_recorded_sent_and_resolved() {
    let www = tempfile::tempdir().unwrap();
    let (net, server) = network(www.path());
    let b = server.base.clone();

    let (ok, first) = watch(&net, &server, &[]);
    assert!(!ok, "new alerts fail the run: {first}");
    assert_eq!(
        alerts(&first),
        [
            ("affiliate_broken".to_string(), "gone".to_string(), true),
            ("affiliate_tag_lost".to_string(), "strip".to_string(), true),
            (
                "affiliate_unavailable".to_string(),
                "discontinued".to_string(),
                true
            ),
        ],
        "{first}"
    );
    assert_eq!(first["destinations"], 4);
    let hooks = server.hooks.lock().unwrap().clone();
    assert_eq!(hooks.len(), 1, "one post for the run");
    let hook: Value = serde_json::from_str(&hooks[0]).unwrap();
    let text = hook["text"].as_str().unwrap();
    assert!(
        text.contains("3 new alerts") && text.contains("affiliate_broken"),
        "{text}"
    );

    // The live copy goes wrong: a page replaced, one missing, a staging
    // robots.txt, and a firewall turning Googlebot away.
    let live = www.path().join("alpha");
    std::fs::write(live.join("guides/a/index.html"), "<title>Hacked</title>").unwrap();
    std::fs::remove_file(live.join("guides/b/index.html")).unwrap();
    std::fs::write(live.join("robots.txt"), "User-agent: *\nDisallow: /\n").unwrap();
    server.block_googlebot.store(true, Ordering::SeqCst);

    let (ok, second) = watch(&net, &server, &[]);
    assert!(!ok);
    let found = alerts(&second);
    let new: Vec<_> = found
        .iter()
        .filter(|a| a.2)
        .map(|a| (a.0.as_str(), a.1.as_str()))
        .collect();
    assert_eq!(
        new,
        [
            ("crawler_blocked", format!("{b}/ as Googlebot").as_str()),
            (
                "crawler_blocked",
                format!("{b}/robots.txt Bingbot").as_str()
            ),
            (
                "crawler_blocked",
                format!("{b}/robots.txt Googlebot").as_str()
            ),
            ("site_down", format!("{b}/guides/b/").as_str()),
            ("wrong_content", format!("{b}/guides/a/").as_str()),
        ],
        "{second}"
    );
    let wrong = second["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "wrong_content")
        .unwrap();
    assert!(
        wrong["message"].as_str().unwrap().contains("\"Hacked\""),
        "{wrong}"
    );
    // The affiliate alerts are the same alerts, first seen the first time.
    let broken = |run: &Value| {
        run["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["kind"] == "affiliate_broken")
            .unwrap()
            .clone()
    };
    assert_eq!(broken(&second)["first_seen"], broken(&first)["first_seen"]);
    assert_eq!(broken(&second)["new"], false);
    assert_eq!(server.hooks.lock().unwrap().len(), 2);

    // Deployed again and the firewall fixed: the live alerts resolve; a
    // run without new alerts succeeds and posts nothing.
    std::fs::remove_dir_all(&live).unwrap();
    std::fs::remove_file(net.path().join(".grove/deploy/alpha.json")).unwrap();
    assert!(net.grove(&["deploy"]).status.success());
    server.block_googlebot.store(false, Ordering::SeqCst);
    let (ok, third) = watch(&net, &server, &[]);
    assert!(ok, "{third}");
    assert_eq!(third["resolved"].as_array().unwrap().len(), 5, "{third}");
    assert_eq!(alerts(&third).len(), 3);
    assert_eq!(server.hooks.lock().unwrap().len(), 2);

    // The dashboard shows the open alerts first.
    let dashboard_file = common::measuring::file(&net, "dash.html");
    let dashboard = net.grove(&["dashboard", "--output", &dashboard_file]);
    assert!(
        dashboard.status.success(),
        "{}",
        String::from_utf8_lossy(&dashboard.stderr)
    );
    let html = Html::parse_document(&net.read("dash.html"));
    let rows = html
        .select(&Selector::parse("#alerts-table tbody tr").unwrap())
        .count();
    assert_eq!(rows, 3);
    let first_section = html
        .select(&Selector::parse("main > section").unwrap())
        .next()
        .unwrap();
    assert_eq!(first_section.value().attr("class"), Some("alerts"));
}

/// Imports `log` for site alpha, runs `grove watch --offline --json`,
/// which must fail (a new alert), and returns what it printed.
fn import_and_watch_offline(net: &Fixture, log: &str) -> Value {
    net.write("access.log", log);
    let log_file = common::measuring::file(net, "access.log");
    let imported = net.grove(&["stats", "import", "--site", "alpha", &log_file]);
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    let output = net.grove(&["watch", "--offline", "--json"]);
    assert!(!output.status.success(), "a new alert fails the run");
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn traffic_is_judged_against_the_same_weekday() {
    let net = Fixture::new();
    net.site("alpha", "Alpha");
    let today = chrono::Utc::now().date_naive();
    let mut log = String::new();
    for back in (1..=29).rev() {
        let day = today - chrono::Duration::days(back);
        let time = day.format("%d/%b/%Y:10:00:00").to_string();
        let (views, missing) = if back == 1 { (4, 80) } else { (60, 2) };
        for visitor in 0..views {
            log.push_str(&combined(
                &format!("10.0.{}.{visitor}", back % 250),
                &time,
                "GET /guides/a/",
                200,
                "-",
                CHROME,
            ));
        }
        for n in 0..missing {
            log.push_str(&combined(
                "10.1.0.1",
                &time,
                &format!("GET /old-{n}/"),
                404,
                "-",
                CHROME,
            ));
        }
    }
    let run = import_and_watch_offline(&net, &log);
    let kinds: Vec<&str> = run["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["not_found_spike", "views_drop"], "{run}");
    let yesterday = (today - chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    assert_eq!(run["stats_day"], yesterday.as_str());
    let drop = &run["alerts"][1]["message"];
    assert!(drop.as_str().unwrap().contains(": 4, against 60"), "{drop}");
    assert_eq!(run["destinations"], 0, "--offline fetches nothing");
}

#[test]
fn new_alerts_are_emailed_through_smtp() {
    let www = tempfile::tempdir().unwrap();
    let (net, _server) = network(www.path());
    let mail = smtp::start("alerts@example.com", "p@ss:word");
    let config = net
        .read("grove.toml")
        .replace("webhook_env = \"GROVE_TEST_WEBHOOK\"\n", "email_to = [\"me@example.com\", \"ops@example.com\"]\nemail_from = \"grove@example.com\"\n");
    net.write("grove.toml", &config);
    // The password holds `@` and `:`, percent-encoded in the URL.
    let url = format!(
        "smtp://alerts%40example.com:p%40ss%3Aword@127.0.0.1:{}",
        mail.port
    );
    let output = net.grove_env(&["watch", "--skip-affiliates"], &[("GROVE_SMTP_URL", &url)]);
    assert!(
        output.status.success(),
        "no new alert yet: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        mail.mails.lock().unwrap().is_empty(),
        "nothing new, nothing sent"
    );
    std::fs::remove_file(www.path().join("alpha/guides/b/index.html")).unwrap();
    let output = net.grove_env(&["watch", "--skip-affiliates"], &[("GROVE_SMTP_URL", &url)]);
    assert!(!output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("email to me@example.com, ops@example.com"),
        "{stdout}"
    );
    let mails = mail.mails.lock().unwrap().clone();
    assert_eq!(mails.len(), 1);
    let sent = &mails[0];
    assert_eq!(
        sent.login,
        Some(("alerts@example.com".to_string(), "p@ss:word".to_string()))
    );
    assert_eq!(sent.from, "grove@example.com");
    assert_eq!(sent.to, ["me@example.com", "ops@example.com"]);
    assert!(
        sent.data.contains("Subject: grove watch: 1 new alert\r\n"),
        "{}",
        sent.data
    );
    let body = sent
        .data
        .split("\r\n\r\n")
        .nth(1)
        .unwrap()
        .replace("\r\n", "");
    use base64::Engine;
    let text = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap(),
    )
    .unwrap();
    assert!(
        text.contains("site_down") && text.contains("/guides/b/"),
        "{text}"
    );
    // Without the server's address, the run says which variable to set.
    std::fs::remove_file(www.path().join("alpha/guides/a/index.html")).unwrap();
    let output = net.grove(&["watch", "--skip-affiliates"]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("GROVE_SMTP_URL is not set"));
    // What could not be sent goes with the next run.
    let output = net.grove_env(&["watch", "--skip-affiliates"], &[("GROVE_SMTP_URL", &url)]);
    assert!(output.status.success(), "not new any more");
    let mails = mail.mails.lock().unwrap().clone();
    assert_eq!(mails.len(), 2);
    let body = mails[1]
        .data
        .split("\r\n\r\n")
        .nth(1)
        .unwrap()
        .replace("\r\n", "");
    let text = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap(),
    )
    .unwrap();
    assert!(
        text.contains("/guides/a/") && !text.contains("/guides/b/"),
        "{text}"
    );
}

#[test]
fn a_crawler_suddenly_refused_is_an_alert_and_refused_impostors_are_not() {
    const BINGBOT: &str = "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)";
    let net = Fixture::new();
    net.site("alpha", "Alpha");
    let today = chrono::Utc::now().date_naive();
    let mut log = String::new();
    for back in (1..=29).rev() {
        let day = today - chrono::Duration::days(back);
        let time = day.format("%d/%b/%Y:10:00:00").to_string();
        // Googlebot let in, then a firewall rule turns 16 of 20 away.
        let refused = if back == 1 { 16 } else { 0 };
        for n in 0..20 {
            let status = if n < refused { 403 } else { 200 };
            let request = format!("GET /guides/page-{n}/");
            log.push_str(&combined(
                "66.249.66.1",
                &time,
                &request,
                status,
                "-",
                GOOGLEBOT,
            ));
        }
        // "Bingbot" half refused every day: impostors the firewall knows.
        for n in 0..10 {
            let status = if n % 2 == 0 { 403 } else { 200 };
            let request = format!("GET /guides/page-{n}/");
            log.push_str(&combined("10.9.0.1", &time, &request, status, "-", BINGBOT));
        }
    }
    let run = import_and_watch_offline(&net, &log);
    let found: Vec<(&str, &str)> = run["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["kind"].as_str().unwrap(), a["subject"].as_str().unwrap()))
        .collect();
    assert_eq!(found, [("crawler_refused", "Googlebot")], "{run}");
    let message = run["alerts"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("refused 16 of its 20 requests"),
        "{message}"
    );
    assert!(message.contains("0% on the"), "{message}");
}
