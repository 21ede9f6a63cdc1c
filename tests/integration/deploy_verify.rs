//! After `grove deploy`: a sample of what was sent is fetched back from
//! the live site (a web server on 127.0.0.1 serving the target folder)
//! and compared; a host serving something else fails the deploy. The
//! changed pages go to IndexNow (a recording endpoint in the suite) with
//! the key the build published; a refused submission is kept and sent by
//! the next deploy.

use crate::common;

use std::path::Path;
use std::sync::atomic::Ordering;

use crate::common::Fixture;
use crate::common::web::{Web, web};
use serde_json::Value;

const KEY: &str = "5f0c2e8a9b1d4c7e";

fn network(www: &Path, server: &Web) -> Fixture {
    let net = Fixture::new();
    let b = &server.base;
    net.write(
        "sites/alpha/site.toml",
        &format!(
            "title = \"Alpha\"\nbase_url = \"{b}\"\nniche = \"coffee\"\nindexnow_key = \"{KEY}\"\n"
        ),
    );
    let config = net.read("grove.toml");
    net.write(
        "grove.toml",
        &format!(
            "{config}[deploy]\nurl = \"{}/{{{{ site.name }}}}\"\nverify_samples = 4\nverify_wait_secs = 0.2\n\n[seo]\nindexnow_endpoint = \"{b}/indexnow\"\n",
            www.display()
        ),
    );
    for page in ["a", "b", "c"] {
        write_page(&net, page, "First text.");
    }
    net.write(
        "sites/alpha/content/moved.md",
        "+++\ntitle = \"Moved\"\naliases = [\"/old/\"]\n+++\nHere now.\n",
    );
    assert!(net.build(&[]).status.success());
    net
}

fn write_page(net: &Fixture, page: &str, text: &str) {
    net.write(
        &format!("sites/alpha/content/guides/{page}.md"),
        &format!("+++\ntitle = \"Guide {page}\"\ndate = 2026-11-01\n+++\n{text}\n"),
    );
}

fn deploy(net: &Fixture) -> (bool, Value, String) {
    let output = net.grove(&["deploy", "--json"]);
    let json: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
    (
        output.status.success(),
        json["sites"][0].clone(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn url_list(body: &str) -> Vec<String> {
    let json: Value = serde_json::from_str(body).unwrap();
    let mut urls: Vec<String> = json["urlList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap().to_string())
        .collect();
    urls.sort();
    urls
}

#[test]
fn deploys_are_verified_and_changed_pages_submitted() {
    let www = tempfile::tempdir().unwrap();
    let server = web(www.path().join("alpha"));
    let net = network(www.path(), &server);
    let b = server.base.clone();
    assert_eq!(
        net.read(&format!("public/alpha/{KEY}.txt")),
        KEY,
        "the build publishes the key"
    );

    let (ok, first, stderr) = deploy(&net);
    assert!(ok, "{stderr}");
    assert_eq!(first["verified"]["checked"], 4, "{first}");
    assert_eq!(first["verified"]["mismatched"].as_array().unwrap().len(), 0);
    let pings = server.indexnow.lock().unwrap().clone();
    assert_eq!(pings.len(), 1);
    let ping: Value = serde_json::from_str(&pings[0]).unwrap();
    assert_eq!(ping["host"], "127.0.0.1");
    assert_eq!(ping["key"], KEY);
    assert_eq!(ping["keyLocation"], format!("{b}/{KEY}.txt"));
    let urls = url_list(&pings[0]);
    for page in ["/", "/guides/a/", "/guides/b/", "/guides/c/", "/moved/"] {
        assert!(urls.contains(&format!("{b}{page}")), "{page} in {urls:?}");
    }
    assert!(
        !urls
            .iter()
            .any(|u| u.contains("/old/") || u.ends_with("404.html")),
        "no redirects or 404: {urls:?}"
    );
    assert_eq!(first["indexnow"]["submitted"], urls.len());

    // One page changes: it is submitted, the others are not.
    write_page(&net, "a", "Second text.");
    assert!(net.build(&[]).status.success());
    let (ok, _, stderr) = deploy(&net);
    assert!(ok, "{stderr}");
    let pings = server.indexnow.lock().unwrap().clone();
    let urls = url_list(&pings[1]);
    assert!(urls.contains(&format!("{b}/guides/a/")), "{urls:?}");
    assert!(!urls.contains(&format!("{b}/guides/b/")), "{urls:?}");

    // IndexNow refuses: the deploy stands, the URLs wait for the next one.
    server.indexnow_status.store(429, Ordering::SeqCst);
    write_page(&net, "b", "Second text.");
    assert!(net.build(&[]).status.success());
    let (ok, third, stderr) = deploy(&net);
    assert!(ok, "{stderr}");
    assert!(
        third["indexnow"]["error"]
            .as_str()
            .unwrap()
            .contains("HTTP 429"),
        "{third}"
    );
    assert_eq!(third["indexnow"]["submitted"], 0);
    server.indexnow_status.store(200, Ordering::SeqCst);
    let (ok, fourth, _) = deploy(&net);
    assert!(ok);
    assert_eq!(fourth["uploaded"], 0, "nothing changed");
    let pings = server.indexnow.lock().unwrap().clone();
    assert!(url_list(pings.last().unwrap()).contains(&format!("{b}/guides/b/")));
    assert!(fourth["indexnow"]["submitted"].as_u64().unwrap() >= 1);

    // The live site serves something else than what was sent.
    let www_other = tempfile::tempdir().unwrap();
    let stale = web(www_other.path().to_path_buf());
    common::copy_dir(&www.path().join("alpha"), www_other.path());
    let site = net.read("sites/alpha/site.toml").replace(&b, &stale.base);
    net.write("sites/alpha/site.toml", &site);
    assert!(net.build(&[]).status.success());
    let (ok, fifth, stderr) = deploy(&net);
    assert!(!ok, "a mismatch fails the deploy");
    assert!(
        stderr.contains("served otherwise by the live site"),
        "{stderr}"
    );
    let mismatched = fifth["verified"]["mismatched"].as_array().unwrap();
    assert!(!mismatched.is_empty(), "{fifth}");
    assert!(mismatched[0][0].as_str().unwrap().starts_with(&stale.base));
}

#[test]
fn an_unreachable_site_is_noted_not_failed() {
    let www = tempfile::tempdir().unwrap();
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let net = Fixture::new();
    net.write(
        "sites/alpha/site.toml",
        &format!("title = \"Alpha\"\nbase_url = \"http://127.0.0.1:{port}\"\nniche = \"n\"\n"),
    );
    let config = net.read("grove.toml");
    net.write(
        "grove.toml",
        &format!(
            "{config}[deploy]\nurl = \"{}/{{{{ site.name }}}}\"\n",
            www.path().display()
        ),
    );
    assert!(net.build(&[]).status.success());
    let (ok, site, stderr) = deploy(&net);
    assert!(ok, "{stderr}");
    assert!(
        site["verified"]["unreachable"]
            .as_str()
            .unwrap()
            .contains("cannot connect"),
        "{site}"
    );
    assert!(site.get("indexnow").is_none(), "no key, no submission");
}
