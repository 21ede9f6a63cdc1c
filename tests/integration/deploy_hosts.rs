//! `grove deploy` to Netlify (file-digest deploys) and Cloudflare Pages
//! (direct upload) through fakes of their APIs on 127.0.0.1: the first
//! deploy sends every file, the next only what the host lacks, digests
//! and hashes are checked by the fake, `_redirects` reaches the host,
//! busy answers are tried again, the deployed site is verified where the
//! fake serves it, and tokens come from the environment only.

use crate::common;
use crate::common::hosts;

use crate::common::Fixture;
use hosts::{Api, Host, TOKEN};
use serde_json::Value;

fn network(host: &Host, deploy: &str) -> Fixture {
    let net = Fixture::new();
    let b = &host.base;
    net.write(
        "sites/alpha/site.toml",
        &format!("title = \"Alpha\"\nbase_url = \"{b}/live\"\nniche = \"coffee\"\n[affiliate]\namazon_tag = \"alpha-20\"\n{deploy}endpoint = \"{b}{}\"\nverify_wait_secs = 0.1\n",
            if deploy.contains("cloudflare") { "/client/v4" } else { "" }),
    );
    net.write(
        "affiliates.toml",
        "[grinder]\nname = \"Grinder\"\nurl = \"https://www.amazon.com/dp/B0?tag={{ site.affiliate.amazon_tag }}\"\n",
    );
    for page in ["a", "b", "c"] {
        write_page(&net, page, "First text.");
    }
    net.write(
        "sites/alpha/content/moved.md",
        "+++\ntitle = \"Moved\"\naliases = [\"/old/\"]\n+++\nBuy [it](aff:grinder).\n",
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

fn deploy(net: &Fixture, env: &[(&str, &str)]) -> (bool, Value, String) {
    let output = net.grove_env(&["deploy", "--json"], env);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let json = serde_json::from_slice(&output.stdout)
        .map(|v: Value| v["sites"][0].clone())
        .unwrap_or(Value::Null);
    (output.status.success(), json, stderr)
}

#[test]
fn netlify_gets_only_what_it_lacks() {
    let host = hosts::start(Api::Netlify);
    let net = network(&host, "[deploy]\nurl = \"netlify://alpha-site-id\"\n");
    let env = [("NETLIFY_AUTH_TOKEN", TOKEN)];
    let files = common::files_below(&net.out("alpha"));

    let (ok, first, stderr) = deploy(&net, &env);
    assert!(ok, "{stderr}");
    assert_eq!(first["target"], "netlify://alpha-site-id");
    assert_eq!(first["uploaded"], files.len());
    let puts = host.count("PUT", "/api/v1/deploys/");
    // Files with the same bytes share a digest and are sent once.
    assert!(puts > 0 && puts <= files.len(), "{puts} of {}", files.len());
    assert_eq!(first["release"]["sent"], puts, "{first}");
    assert_eq!(first["release"]["id"], "deploy1");
    let live: Vec<String> = host
        .live_paths()
        .iter()
        .map(|p| p.trim_start_matches('/').to_string())
        .collect();
    assert_eq!(live, files, "the live deploy is the build");
    assert!(live.contains(&"_redirects".to_string()));
    assert_eq!(first["verified"]["checked"], 5, "{first}");
    assert_eq!(first["verified"]["mismatched"].as_array().unwrap().len(), 0);

    // Nothing changed: a deploy is made, nothing is sent.
    host.clear();
    let (ok, second, _) = deploy(&net, &env);
    assert!(ok);
    assert_eq!(second["uploaded"], 0);
    assert_eq!(host.count("POST", "/api/v1/sites/alpha-site-id/deploys"), 1);
    assert_eq!(host.count("PUT", "/"), 0);

    // One page changes, the API is busy at first: tried again, and only
    // the changed files go.
    write_page(&net, "b", "Second text.");
    assert!(net.build(&[]).status.success());
    host.clear();
    host.fail_next(1);
    let (ok, third, stderr) = deploy(&net, &env);
    assert!(ok, "{stderr}");
    let uploaded: Vec<&str> = third["uploaded_paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(uploaded.contains(&"guides/b/index.html"), "{uploaded:?}");
    assert!(!uploaded.contains(&"guides/a/index.html"));
    let puts: Vec<String> = host
        .calls()
        .into_iter()
        .filter(|c| c.0 == "PUT")
        .map(|c| c.1)
        .collect();
    assert!(
        puts.iter()
            .any(|p| p.ends_with("/files/guides/b/index.html")),
        "{puts:?}"
    );
    assert!(
        puts.len() <= uploaded.len(),
        "{puts:?} against {uploaded:?}"
    );
}

#[test]
fn netlify_credentials_come_from_the_environment() {
    let host = hosts::start(Api::Netlify);
    let net = network(
        &host,
        "[deploy]\nurl = \"netlify://alpha-site-id\"\ntoken_env = \"MY_NETLIFY\"\n",
    );
    let (ok, _, stderr) = deploy(&net, &[]);
    assert!(!ok);
    assert!(stderr.contains("MY_NETLIFY is not set"), "{stderr}");
    let (ok, _, stderr) = deploy(&net, &[("MY_NETLIFY", "wrong-token")]);
    assert!(!ok);
    assert!(
        stderr.contains("HTTP 401") && stderr.contains("check the token"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("wrong-token"),
        "the token is never printed"
    );
    assert!(
        !net.path().join(".grove/deploy/alpha.json").exists(),
        "a failed deploy records nothing"
    );
}

#[test]
fn cloudflare_pages_gets_only_what_it_lacks() {
    let host = hosts::start(Api::CloudflarePages);
    let net = network(
        &host,
        "[deploy]\nurl = \"cloudflare-pages://alpha\"\naccount_id = \"acc123\"\n",
    );
    let env = [("CLOUDFLARE_API_TOKEN", TOKEN)];
    let files = common::files_below(&net.out("alpha"));

    let (ok, first, stderr) = deploy(&net, &env);
    assert!(ok, "{stderr}");
    assert_eq!(first["uploaded"], files.len());
    assert_eq!(host.count("POST", "/client/v4/pages/assets/upload"), 1);
    // The manifest holds the assets; `_redirects` went as its own part.
    let live: Vec<String> = host
        .live_paths()
        .iter()
        .map(|p| p.trim_start_matches('/').to_string())
        .collect();
    let assets: Vec<String> = files
        .iter()
        .filter(|f| *f != "_redirects")
        .cloned()
        .collect();
    assert_eq!(live, assets);
    let redirects = host.redirects().expect("_redirects sent");
    assert!(
        redirects.contains("/live/old/ /live/moved/ 301"),
        "{redirects}"
    );
    assert!(
        redirects.contains("/live/go/grinder/ https://www.amazon.com/dp/B0?tag=alpha-20"),
        "{redirects}"
    );
    assert_eq!(
        first["verified"]["mismatched"].as_array().unwrap().len(),
        0,
        "{first}"
    );

    host.clear();
    let (ok, _, _) = deploy(&net, &env);
    assert!(ok);
    assert_eq!(
        host.count("POST", "/client/v4/pages/assets/upload"),
        0,
        "nothing is missing"
    );
    assert_eq!(
        host.count(
            "POST",
            "/client/v4/accounts/acc123/pages/projects/alpha/deployments"
        ),
        1
    );

    write_page(&net, "c", "Second text.");
    assert!(net.build(&[]).status.success());
    host.clear();
    let (ok, third, stderr) = deploy(&net, &env);
    assert!(ok, "{stderr}");
    let upload = host
        .calls()
        .into_iter()
        .find(|c| c.1 == "/client/v4/pages/assets/upload")
        .unwrap();
    let sent: Vec<Value> = serde_json::from_slice(&upload.2).unwrap();
    assert!(sent.len() <= third["uploaded"].as_u64().unwrap() as usize);
    assert!(!sent.is_empty());

    // No account: named.
    net.write(
        "sites/alpha/site.toml",
        &net.read("sites/alpha/site.toml")
            .replace("account_id = \"acc123\"\n", ""),
    );
    let (ok, _, stderr) = deploy(&net, &env);
    assert!(!ok);
    assert!(stderr.contains("CLOUDFLARE_ACCOUNT_ID"), "{stderr}");
}
