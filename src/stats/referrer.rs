//! Where visitors come from: the referrer's host, with search engines
//! grouped under one name whatever their country domain.

/// The key a page view's referrer is counted under: `(direct)` without
/// one, `(internal)` from the site itself, `search:<engine>` from a search
/// engine, else the referring host without `www.`.
pub fn referrer_key(referrer: &str, own_hosts: &[&str]) -> String {
    let Some(host) = host_of(referrer) else {
        return "(direct)".to_string();
    };
    if own_hosts.iter().any(|own| same_host(own, &host)) {
        return "(internal)".to_string();
    }
    if let Some(engine) = search_engine(&host) {
        return format!("search:{engine}");
    }
    host.strip_prefix("www.").unwrap_or(&host).to_string()
}

/// The lowercase host of an absolute URL (`None` for empty or relative).
pub fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?;
    let host = super::format::strip_port(host);
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// The path of a URL (`/` when it has none).
pub fn path_of(url: &str) -> &str {
    let Some((_, rest)) = url.split_once("://") else {
        return url;
    };
    match rest.find('/') {
        Some(slash) => &rest[slash..],
        None => "/",
    }
}

/// Two host names equal, ignoring case and a leading `www.`.
pub fn same_host(a: &str, b: &str) -> bool {
    let strip = |h: &str| {
        let h = h.trim_end_matches('.');
        h.strip_prefix("www.").unwrap_or(h).to_ascii_lowercase()
    };
    strip(a) == strip(b)
}

/// Search engines by the second-level label of their host (any country
/// domain), or the host itself.
fn search_engine(host: &str) -> Option<&'static str> {
    let labels: Vec<&str> = host.split('.').collect();
    let has = |name: &str| labels.iter().rev().skip(1).any(|l| *l == name);
    if has("google") {
        Some("Google")
    } else if has("bing") {
        Some("Bing")
    } else if has("duckduckgo") {
        Some("DuckDuckGo")
    } else if host.contains("search.yahoo.") || has("yahoo") && host.starts_with("search.") {
        Some("Yahoo")
    } else if has("yandex") || has("ya") {
        Some("Yandex")
    } else if has("baidu") {
        Some("Baidu")
    } else if has("ecosia") {
        Some("Ecosia")
    } else if host == "search.brave.com" {
        Some("Brave Search")
    } else if has("qwant") {
        Some("Qwant")
    } else if has("startpage") {
        Some("Startpage")
    } else if has("naver") {
        Some("Naver")
    } else if has("seznam") {
        Some("Seznam")
    } else if has("perplexity") {
        Some("Perplexity")
    } else if host == "chatgpt.com" || host == "chat.openai.com" {
        Some("ChatGPT")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn referrers_are_grouped() {
        let own = ["cremacorner.example.com"];
        for (referrer, key) in [
            ("", "(direct)"),
            ("-", "(direct)"),
            ("https://www.google.com/", "search:Google"),
            ("https://www.google.co.uk/search?q=x", "search:Google"),
            ("https://www.bing.com/search?q=x", "search:Bing"),
            ("https://duckduckgo.com/", "search:DuckDuckGo"),
            ("https://search.brave.com/search?q=x", "search:Brave Search"),
            ("https://cremacorner.example.com/guides/", "(internal)"),
            ("http://www.reddit.com/r/espresso/", "reddit.com"),
            (
                "https://news.ycombinator.com/item?id=1",
                "news.ycombinator.com",
            ),
            (
                "https://user:pw@Forum.Example.org:8443/t/1",
                "forum.example.org",
            ),
            ("https://googleblog.example/", "googleblog.example"),
        ] {
            assert_eq!(referrer_key(referrer, &own), key, "{referrer}");
        }
        assert_eq!(path_of("https://a.example/guides/x/?q"), "/guides/x/?q");
        assert_eq!(path_of("https://a.example"), "/");
    }
}
