//! `grove stats 404s --suggest`: each 404 path with traffic gets the page
//! it most likely meant; accepted, it becomes an alias, and the next build
//! redirects it.

use crate::common;

use crate::common::Fixture;
use crate::common::measuring::{FIREFOX, combined, file, grove};
use serde_json::Value;

fn network() -> Fixture {
    let net = Fixture::new();
    net.site("alpha", "Alpha");
    net.write(
        "sites/alpha/content/guides/dialing-in-espresso.md",
        "+++\ntitle = \"Dialing in\"\n+++\nText.\n",
    );
    net.write(
        "sites/alpha/content/reviews/best-grinders.md",
        "+++\ntitle = \"Grinders\"\n+++\nText.\n",
    );
    net.write("content/about.md", "+++\ntitle = \"About\"\n+++\nText.\n");
    assert!(net.build(&[]).status.success());
    let mut log = String::new();
    for (path, times) in [
        ("/blog/dialing-in-espresso/", 5),
        ("/reviews/best-grindres/", 3),
        ("/wp-login.php", 9),
        ("/contact-us/", 2),
        ("/about-us/", 1),
    ] {
        for i in 0..times {
            log += &combined(
                &format!("10.0.0.{i}"),
                "10/Nov/2026:10:00:00",
                &format!("GET {path}"),
                404,
                "-",
                FIREFOX,
            );
        }
    }
    net.write("access.log", &log);
    grove(
        &net,
        &[
            "stats",
            "import",
            "--site",
            "alpha",
            &file(&net, "access.log"),
        ],
    );
    net
}

#[test]
fn each_404_gets_the_page_it_meant_and_accepting_redirects_it() {
    let net = network();
    let json: Value =
        serde_json::from_str(&grove(&net, &["stats", "404s", "--suggest", "--json"])).unwrap();
    let rows = json["not_found"].as_array().unwrap();
    let row = |path: &str| {
        rows.iter()
            .find(|r| r["path"] == path)
            .unwrap_or_else(|| panic!("{path}: {json}"))
    };
    assert_eq!(rows[0]["path"], "/wp-login.php", "most asked first");
    assert_eq!(row("/wp-login.php")["suggestion"], Value::Null);
    assert_eq!(row("/blog/dialing-in-espresso/")["count"], 5);
    assert_eq!(
        row("/blog/dialing-in-espresso/")["suggestion"]["page"],
        "/guides/dialing-in-espresso/"
    );
    assert_eq!(
        row("/reviews/best-grindres/")["suggestion"]["page"],
        "/reviews/best-grinders/"
    );
    assert_eq!(row("/contact-us/")["suggestion"], Value::Null);
    assert_eq!(row("/about-us/")["suggestion"]["file"], "content/about.md");

    let before = net.read("sites/alpha/content/reviews/best-grinders.md");
    let stdout = grove(
        &net,
        &[
            "stats",
            "404s",
            "--suggest",
            "--accept",
            "/blog/dialing-in-espresso/",
            "/about-us/",
        ],
    );
    assert!(
        stdout.contains("left content/about.md alone: a blueprint page"),
        "{stdout}"
    );
    assert_eq!(
        net.read("sites/alpha/content/reviews/best-grinders.md"),
        before,
        "only what was accepted"
    );
    let page = net.read("sites/alpha/content/guides/dialing-in-espresso.md");
    assert!(
        page.contains("aliases = [\"/blog/dialing-in-espresso/\"]"),
        "{page}"
    );
    assert!(net.build(&[]).status.success());
    let redirect = net.html("alpha/blog/dialing-in-espresso/index.html");
    let refresh = common::attrs(&redirect, "meta[http-equiv=refresh]", "content");
    assert!(
        refresh[0].ends_with("/guides/dialing-in-espresso/"),
        "{refresh:?}"
    );
    // Accepting again changes nothing.
    let stdout = grove(
        &net,
        &[
            "stats",
            "404s",
            "--suggest",
            "--accept",
            "/blog/dialing-in-espresso/",
        ],
    );
    assert!(stdout.contains("already an alias"), "{stdout}");
    let unknown = net.grove(&["stats", "404s", "--suggest", "--accept", "/contact-us/"]);
    assert!(!unknown.status.success());
}
