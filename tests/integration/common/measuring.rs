//! Helpers for the measuring commands' tests (`stats`, `revenue`,
//! `report`): a two-site network, log lines, and the report as JSON.

use serde_json::Value;

use super::Fixture;

pub const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
pub const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
pub const GOOGLEBOT: &str =
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
pub const GPTBOT: &str = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)";

/// Two sites: alpha at a domain's root, beta under `/blog`.
pub fn network() -> Fixture {
    let net = Fixture::new();
    net.site("alpha", "Alpha");
    net.write(
        "sites/beta/site.toml",
        "title = \"Beta\"\nbase_url = \"https://beta.example.com/blog\"\nniche = \"b\"\n[affiliate]\namazon_tag = \"beta-20\"\nimpact_sub = \"beta-sub\"\n",
    );
    net.write(
        "affiliates.toml",
        "[grinder]\nname = \"Grinder\"\nprogram = \"amazon\"\nurl = \"https://www.amazon.com/dp/B0BH3WMZ8X?tag={{ site.affiliate.amazon_tag }}\"\n",
    );
    net
}

/// A Combined Log Format line.
pub fn combined(
    ip: &str,
    time: &str,
    request: &str,
    status: u16,
    referrer: &str,
    agent: &str,
) -> String {
    format!(
        "{ip} - - [{time} +0000] \"{request} HTTP/1.1\" {status} 512 \"{referrer}\" \"{agent}\"\n"
    )
}

pub fn file(net: &Fixture, name: &str) -> String {
    net.path().join(name).to_str().unwrap().to_string()
}

pub fn grove(net: &Fixture, args: &[&str]) -> String {
    let output = net.grove(args);
    assert!(
        output.status.success(),
        "grove {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// `grove revenue import --format amazon amazon.csv`, expecting success.
pub fn amazon_import(net: &Fixture) -> String {
    grove(
        net,
        &[
            "revenue",
            "import",
            "--format",
            "amazon",
            &file(net, "amazon.csv"),
        ],
    )
}

pub fn report(net: &Fixture, since: &str, until: &str) -> Value {
    let text = grove(
        net,
        &["report", "--json", "--since", since, "--until", until],
    );
    serde_json::from_str(&text).unwrap()
}

pub fn site<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["sites"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["site"] == name)
        .unwrap()
}
