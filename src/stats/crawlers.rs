//! Which requests come from crawlers rather than people, by user agent.
//!
//! Search engines' and AI companies' crawlers are named (is Google still
//! crawling? is GPTBot?); every other bot, preview fetcher, monitor, HTTP
//! library and headless browser is one group. The list is Grove's own,
//! from the crawlers' documented user agents, with tests; a request with
//! no user agent at all counts as a crawler too.

/// Crawlers reported by name: (lowercase substring of the user agent,
/// name). Order matters where one name contains another.
const NAMED: &[(&str, &str)] = &[
    // Search engines.
    ("googlebot", "Googlebot"),
    ("google-inspectiontool", "Googlebot"),
    ("storebot-google", "Googlebot"),
    ("adsbot-google", "Google Ads"),
    ("mediapartners-google", "Google AdSense"),
    ("googleother", "GoogleOther"),
    ("bingbot", "Bingbot"),
    ("bingpreview", "Bingbot"),
    ("adidxbot", "Bingbot"),
    ("applebot-extended", "Applebot-Extended"),
    ("applebot", "Applebot"),
    ("duckduckbot", "DuckDuckBot"),
    ("duckassistbot", "DuckAssistBot"),
    ("yandex", "YandexBot"),
    ("baiduspider", "Baiduspider"),
    ("sogou", "Sogou"),
    ("seznambot", "SeznamBot"),
    ("naver", "Yeti (Naver)"),
    ("yeti/", "Yeti (Naver)"),
    ("petalbot", "PetalBot"),
    ("qwantbot", "Qwant"),
    ("qwantify", "Qwant"),
    ("mojeekbot", "MojeekBot"),
    ("yahoo! slurp", "Yahoo Slurp"),
    ("ecosia", "Ecosia"),
    // AI crawlers and assistants.
    ("gptbot", "GPTBot"),
    ("chatgpt-user", "ChatGPT-User"),
    ("oai-searchbot", "OAI-SearchBot"),
    ("claudebot", "ClaudeBot"),
    ("claude-user", "Claude-User"),
    ("claude-searchbot", "Claude-SearchBot"),
    ("claude-web", "ClaudeBot"),
    ("anthropic-ai", "ClaudeBot"),
    ("perplexitybot", "PerplexityBot"),
    ("perplexity-user", "Perplexity-User"),
    ("ccbot", "CCBot"),
    ("bytespider", "Bytespider"),
    ("amazonbot", "Amazonbot"),
    ("meta-externalagent", "Meta-ExternalAgent"),
    ("meta-externalfetcher", "Meta-ExternalFetcher"),
    ("facebookbot", "FacebookBot"),
    ("cohere-ai", "cohere-ai"),
    ("cohere-training-data-crawler", "cohere-ai"),
    ("diffbot", "Diffbot"),
    ("youbot", "YouBot"),
    ("mistralai-user", "MistralAI-User"),
    ("ai2bot", "AI2Bot"),
    ("timpibot", "Timpibot"),
    ("imagesiftbot", "ImagesiftBot"),
];

/// Words that mark any other automated client.
const GENERIC: &[&str] = &[
    "bot",
    "crawl",
    "spider",
    "slurp",
    "scrap",
    "fetch",
    "archiver",
    "monitor",
    "uptime",
    "check",
    "scan",
    "preview",
    "favicon",
    "python",
    "curl/",
    "wget",
    "go-http-client",
    "java/",
    "okhttp",
    "libwww-perl",
    "httpclient",
    "axios",
    "node-fetch",
    "headless",
    "phantomjs",
    "lighthouse",
    "pingdom",
    "facebookexternalhit",
    "whatsapp",
    "http://",
    "https://",
];

/// Devices and browsers whose names contain a generic word.
const NOT_BOTS: &[&str] = &["cubot", "bot-i"];

/// People's browsers whose user agent does not start with `Mozilla/` or
/// `Opera/`: text browsers, feature phones (WAP, MIDP, MAUI) and in-app
/// browsers, as a real log holds them.
const OTHER_BROWSERS: &[&str] = &[
    "midori/",
    "lynx/",
    "links (",
    "elinks",
    "w3m/",
    "up.browser",
    "openwave",
    "midp-",
    "maui",
    "semc-browser",
    "opera mini",
    "ucweb",
    "ucbrowser",
    "nokia",
    "blackberry",
    "windows mobile",
    "instagram",
];

/// The group every unnamed crawler is counted in.
pub const OTHER: &str = "Other crawlers";

/// The crawler a user agent belongs to, or `None` for a person's browser.
pub fn crawler(user_agent: &str) -> Option<&'static str> {
    let agent = user_agent.trim();
    if agent.is_empty() || agent == "-" {
        return Some(OTHER);
    }
    let lower = agent.to_ascii_lowercase();
    if let Some((_, name)) = NAMED.iter().find(|(pattern, _)| lower.contains(pattern)) {
        return Some(name);
    }
    let generic = GENERIC.iter().any(|word| lower.contains(word));
    let excused = NOT_BOTS.iter().any(|word| lower.contains(word))
        && !lower.contains("bot/")
        && !lower.contains("crawl");
    if generic && !excused {
        return Some(OTHER);
    }
    // A browser names itself `Mozilla/...`, `Opera/...` or is one of the
    // few others people use; anything else is a program.
    let browser = lower.starts_with("mozilla/")
        || lower.starts_with("opera/")
        || OTHER_BROWSERS.iter().any(|name| lower.contains(name));
    if !browser {
        return Some(OTHER);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_crawlers_are_named() {
        for (agent, name) in [
            (
                "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
                "Googlebot",
            ),
            (
                "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/127.0.6533.119 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
                "Googlebot",
            ),
            (
                "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36",
                "Bingbot",
            ),
            (
                "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
                "GPTBot",
            ),
            (
                "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; +claudebot@anthropic.com)",
                "ClaudeBot",
            ),
            (
                "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; PerplexityBot/1.0; +https://perplexity.ai/perplexitybot)",
                "PerplexityBot",
            ),
            ("CCBot/2.0 (https://commoncrawl.org/faq/)", "CCBot"),
            (
                "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
                "YandexBot",
            ),
            (
                "DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)",
                "DuckDuckBot",
            ),
        ] {
            assert_eq!(crawler(agent), Some(name), "{agent}");
        }
    }

    #[test]
    fn other_clients_are_grouped_and_browsers_are_people() {
        for agent in [
            "",
            "-",
            "curl/8.5.0",
            "python-requests/2.31.0",
            "Wget/1.21.4",
            "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
            "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36",
            "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
            "SomeTool/1.0",
        ] {
            assert_eq!(crawler(agent), Some(OTHER), "{agent}");
        }
        for agent in [
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
            "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36",
            // From a real log (semicomplete.com, 2015): a browser that is
            // not `Mozilla/`, a text browser, a feature phone.
            "Midori/0.2 (X11; Linux; U; fr-fr) WebKit/531.2+",
            "Lynx/2.8.7rel.2 libwww-FM/2.14 SSL-MM/1.4.1 OpenSSL/1.0.1f",
            "SAMSUNG-GT-E2232/1.0 Openwave/6.2.3 Profile/MIDP-2.0 Configuration/CLDC-1.1 UP.Browser/6.2.3.3.c.1.101 (GUI) MMP/2.0",
        ] {
            assert_eq!(crawler(agent), None, "{agent}");
        }
    }
}
