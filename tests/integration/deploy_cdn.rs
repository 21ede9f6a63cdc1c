//! After `grove deploy`, the CDN in front forgets what changed: a
//! CloudFront invalidation signed for the `cloudfront` service, or
//! Cloudflare purges of 30 URLs at most each, against fakes of both APIs
//! on 127.0.0.1. A refused invalidation fails the deploy and is sent
//! again by the next one.

use crate::common::hosts;

use crate::common::Fixture;
use hosts::{Api, Host, TOKEN};
use serde_json::Value;

fn network(www: &std::path::Path, cdn: &Host, table: &str) -> Fixture {
    let net = Fixture::new();
    net.write(
        "sites/alpha/site.toml",
        &format!(
            "title = \"Alpha\"\nbase_url = \"https://alpha.example.com\"\nniche = \"n\"\n[deploy]\nurl = \"{}/alpha\"\nverify = false\ncdn_endpoint = \"{}{table}",
            www.display(),
            cdn.base
        ),
    );
    for page in ["a", "b"] {
        write_page(&net, page, "First.");
    }
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
    let json = serde_json::from_slice::<Value>(&output.stdout)
        .map(|v| v["sites"][0].clone())
        .unwrap_or(Value::Null);
    (
        output.status.success(),
        json,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn cloudfront_invalidates_the_changed_paths() {
    let cdn = hosts::start(Api::Cdn);
    let www = tempfile::tempdir().unwrap();
    let net = network(
        www.path(),
        &cdn,
        "\"\ncloudfront_distribution = \"E2QWRUHAPOMQZL\"\n",
    );
    let env = [
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "secret"),
    ];
    let (ok, first, stderr) = deploy(&net, &env);
    assert!(ok, "{stderr}");
    assert_eq!(first["cdn"]["cdn"], "cloudfront");
    let invalidated = first["cdn"]["invalidated"].as_array().unwrap();
    assert!(
        invalidated.contains(&Value::from("/")) && invalidated.contains(&Value::from("/guides/a/")),
        "{invalidated:?}"
    );
    write_page(&net, "b", "Second.");
    assert!(net.build(&[]).status.success());
    let (ok, second, stderr) = deploy(&net, &env);
    assert!(ok, "{stderr}");
    let paths: Vec<&str> = second["cdn"]["invalidated"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(
        paths.contains(&"/guides/b/") && paths.contains(&"/guides/b/index.html"),
        "{paths:?}"
    );
    assert!(!paths.contains(&"/guides/a/"), "{paths:?}");
    let calls = cdn.calls();
    let body = String::from_utf8_lossy(&calls.last().unwrap().2).into_owned();
    assert!(body.contains("<Path>/guides/b/</Path>"), "{body}");
    assert_eq!(
        calls.last().unwrap().1,
        "/2020-05-31/distribution/E2QWRUHAPOMQZL/invalidation"
    );
}

#[test]
fn cloudflare_purges_in_batches_and_a_refusal_is_sent_again() {
    let cdn = hosts::start(Api::Cdn);
    let www = tempfile::tempdir().unwrap();
    let net = network(
        www.path(),
        &cdn,
        "/client/v4\"\ncloudflare_zone = \"zone123\"\n",
    );
    // A wrong token: the files are deployed, the purge is refused and kept.
    let (ok, _, stderr) = deploy(&net, &[("CLOUDFLARE_API_TOKEN", "wrong")]);
    assert!(!ok);
    assert!(stderr.contains("HTTP 403"), "{stderr}");
    let manifest: Value = serde_json::from_str(&net.read(".grove/deploy/alpha.json")).unwrap();
    let pending = manifest["cdn_pending"].as_array().unwrap().len();
    assert!(pending > 0);
    cdn.clear();
    // Nothing changed since, yet what was not purged is purged now.
    let (ok, site, stderr) = deploy(&net, &[("CLOUDFLARE_API_TOKEN", TOKEN)]);
    assert!(ok, "{stderr}");
    assert_eq!(site["uploaded"], 0);
    let purges = cdn.count("POST", "/client/v4/zones/zone123/purge_cache");
    assert_eq!(
        purges,
        pending.div_ceil(30).max(1),
        "{pending} URLs, 30 a request"
    );
    let urls = site["cdn"]["invalidated"].as_array().unwrap();
    assert!(
        urls.iter()
            .any(|u| u == "https://alpha.example.com/guides/a/"),
        "{urls:?}"
    );
    let manifest: Value = serde_json::from_str(&net.read(".grove/deploy/alpha.json")).unwrap();
    assert!(manifest.get("cdn_pending").is_none());
}
