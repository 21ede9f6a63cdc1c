//! What an affiliate site earns from survives the move: links to Amazon
//! (and to the big networks' tracking hosts) in imported pages become
//! links to entries of the site's registry (`sites/NAME/affiliates.toml`),
//! so they render with `rel="sponsored"`, the site's tracking tag and the
//! disclosure; product fields a theme drew from front matter (name,
//! price, rating, image, link, pros and cons) become a registry entry and
//! a product box with pros and cons on the page.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Map, Value};

use super::report::Report;
use crate::content::code_ranges;

/// Amazon's stores, by host suffix.
const AMAZON_HOSTS: &[&str] = &[
    "amazon.com",
    "amazon.co.uk",
    "amazon.de",
    "amazon.fr",
    "amazon.it",
    "amazon.es",
    "amazon.ca",
    "amazon.com.au",
    "amazon.co.jp",
    "amazon.in",
    "amazon.nl",
    "amazon.se",
    "amazon.com.mx",
    "amazon.com.br",
    "amazon.pl",
    "amazon.sg",
    "amazon.ae",
    "amazon.sa",
    "amazon.com.tr",
    "amazon.com.be",
];

/// Amazon's short-link hosts (no product id or tag can be read).
const AMAZON_SHORT: &[&str] = &["amzn.to", "amzn.eu", "a.co", "amzn.com"];

/// Tracking hosts of affiliate networks: (host suffix, program).
const NETWORK_HOSTS: &[(&str, &str)] = &[
    ("shareasale.com", "shareasale"),
    ("awin1.com", "awin"),
    ("anrdoezrs.net", "cj"),
    ("jdoqocy.com", "cj"),
    ("tkqlhce.com", "cj"),
    ("dpbolvw.net", "cj"),
    ("kqzyfj.com", "cj"),
    ("click.linksynergy.com", "rakuten"),
    ("go.skimresources.com", "skimlinks"),
    ("sjv.io", "impact"),
    ("pxf.io", "impact"),
    ("avantlink.com", "avantlink"),
];

/// One registry entry being built.
#[derive(Debug, Clone, Default)]
struct Entry {
    name: String,
    program: String,
    url: String,
    image: Option<String>,
    price: Option<String>,
    rating: Option<f64>,
    pros: Vec<String>,
    cons: Vec<String>,
}

/// The registry entries and tracking tags an import found.
#[derive(Debug, Default)]
pub struct Products {
    entries: BTreeMap<String, Entry>,
    /// Amazon tracking tags seen, with how often.
    amazon_tags: BTreeMap<String, usize>,
    /// Links made registry links.
    pub links: usize,
    /// Affiliate links and products that could not be carried over (an
    /// anchor with markup inside, a list item without a URL): (source
    /// file, what), for the report.
    unread: Vec<(String, String)>,
}

/// Labels that name no product (`Check price`), not used as entry names.
fn generic_label(label: &str) -> bool {
    let lower = label.to_lowercase();
    lower.len() < 3
        || [
            "check", "buy", "price", "amazon", "here", "click", "view", "see ", "shop", "deal",
            "link",
        ]
        .iter()
        .any(|w| lower.contains(w))
}

impl Products {
    /// The registry slug for an affiliate link to `url` labelled `label`
    /// in a page's text (registering and counting it), or `None` if `url`
    /// is no affiliate link.
    pub fn link(&mut self, url: &str, label: &str) -> Option<String> {
        let slug = self.register(url, label)?;
        self.links += 1;
        Some(slug)
    }

    /// Whether `url` is a link the registry would take.
    fn is_affiliate(url: &str) -> bool {
        split_url(url).is_some_and(|(host, _, _)| {
            AMAZON_HOSTS
                .iter()
                .chain(AMAZON_SHORT)
                .any(|h| host_is(&host, h))
                || NETWORK_HOSTS.iter().any(|(h, _)| host_is(&host, h))
        })
    }

    /// Registers the entry for an affiliate link to `url` (a product box's
    /// or a text link's) and returns its slug.
    fn register(&mut self, url: &str, label: &str) -> Option<String> {
        let (host, path, query) = split_url(url)?;
        let label = label.trim();
        let (slug, entry) = if let Some(domain) = AMAZON_HOSTS.iter().find(|h| host_is(&host, h)) {
            let tag = query_value(query, "tag");
            if let Some(tag) = &tag {
                *self.amazon_tags.entry(tag.clone()).or_default() += 1;
            }
            match asin(path) {
                Some(asin) => (
                    format!("amazon-{}", asin.to_lowercase()),
                    Entry {
                        name: asin.clone(),
                        program: "amazon".into(),
                        url: format!(
                            "https://www.{domain}/dp/{asin}?tag={{{{ site.affiliate.amazon_tag }}}}"
                        ),
                        ..Entry::default()
                    },
                ),
                None => {
                    // A search or list page: the same URL with the site's tag.
                    let url = match &tag {
                        Some(tag) => url.replacen(
                            &format!("tag={tag}"),
                            "tag={{ site.affiliate.amazon_tag }}",
                            1,
                        ),
                        None => url.to_string(),
                    };
                    (
                        format!("amazon-{}", short_hash(&url)),
                        Entry {
                            name: label.to_string(),
                            program: "amazon".into(),
                            url,
                            ..Entry::default()
                        },
                    )
                }
            }
        } else if AMAZON_SHORT.iter().any(|h| host_is(&host, h)) {
            let code = slug::slugify(path.trim_matches('/'));
            (
                format!("amazon-{code}"),
                Entry {
                    name: label.to_string(),
                    program: "amazon".into(),
                    url: url.to_string(),
                    ..Entry::default()
                },
            )
        } else if let Some((_, program)) = NETWORK_HOSTS.iter().find(|(h, _)| host_is(&host, h)) {
            (
                format!("{program}-{}", short_hash(url)),
                Entry {
                    name: label.to_string(),
                    program: (*program).to_string(),
                    url: url.to_string(),
                    ..Entry::default()
                },
            )
        } else {
            return None;
        };
        let existing = self.entries.entry(slug.clone()).or_insert(entry);
        if (existing.name.is_empty() || existing.name.len() == 10 && !existing.name.contains(' '))
            && !generic_label(label)
        {
            existing.name = label.to_string();
        }
        Some(slug)
    }

    /// A product a page's front matter describes (the fields themes of
    /// review sites read), registered; its slug, and the keys it used.
    pub fn product(
        &mut self,
        front: &Map<String, Value>,
        title: &str,
    ) -> Option<(String, Vec<String>)> {
        let text = |keys: &[&str]| {
            keys.iter().find_map(|k| {
                front.get(*k).and_then(|v| match v {
                    Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
            })
        };
        let link = text(&[
            "affiliate_link",
            "affiliate_url",
            "amazon_link",
            "amazon_url",
            "buy_link",
            "product_link",
            "product_url",
        ]);
        let asin_field = text(&["asin", "amazon_asin"]);
        let url = link.or_else(|| {
            asin_field
                .as_ref()
                .map(|a| format!("https://www.amazon.com/dp/{a}"))
        })?;
        let name = text(&["product_name", "product", "productName", "product_title"])
            .unwrap_or_else(|| title.to_string());
        let slug = self.register(&url, &name)?;
        let used: Vec<String> = [
            "affiliate_link",
            "affiliate_url",
            "amazon_link",
            "amazon_url",
            "buy_link",
            "product_link",
            "product_url",
            "asin",
            "amazon_asin",
            "product_name",
            "product",
            "productName",
            "product_title",
            "product_image",
            "price",
            "rating",
            "pros",
            "cons",
        ]
        .iter()
        .filter(|k| front.contains_key(**k))
        .map(|k| (*k).to_string())
        .collect();
        let entry = self.entries.get_mut(&slug).expect("just registered");
        entry.name = name;
        entry.image = entry
            .image
            .take()
            .or_else(|| text(&["product_image", "productImage"]));
        entry.price = entry.price.take().or_else(|| text(&["price"]));
        entry.rating = entry.rating.or_else(|| {
            front
                .get("rating")
                .and_then(Value::as_f64)
                .filter(|r| (0.0..=5.0).contains(r))
        });
        for (key, list) in [("pros", &mut entry.pros), ("cons", &mut entry.cons)] {
            if list.is_empty()
                && let Some(items) = front.get(key).and_then(super::document::string_list)
            {
                *list = items;
            }
        }
        Some((slug, used))
    }

    /// Products a front-matter list names (`affiliate_links`, `products`:
    /// items with a `name` and a `url` or `link`), registered: (name,
    /// slug) of each, and the key of the list.
    pub fn product_list(
        &mut self,
        front: &Map<String, Value>,
        file: &str,
    ) -> Option<(String, Vec<(String, String)>)> {
        let (key, items) = ["affiliate_links", "products", "product_links", "buy_links"]
            .iter()
            .find_map(|k| {
                front
                    .get(*k)
                    .and_then(Value::as_array)
                    .map(|items| (*k, items))
            })?;
        let mut found = Vec::new();
        for item in items {
            let field = |k: &str| {
                item.get(k)
                    .and_then(Value::as_str)
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
            };
            let (Some(name), Some(url)) = (
                field("name").or_else(|| field("title")),
                field("url").or_else(|| field("link")),
            ) else {
                self.unread.push((
                    file.to_string(),
                    format!("an item of front matter `{key}` without a name and a URL"),
                ));
                continue;
            };
            if let Some(slug) = self.register(url, name) {
                if let Some(entry) = self.entries.get_mut(&slug) {
                    entry.price = entry
                        .price
                        .take()
                        .or_else(|| field("price").map(str::to_string));
                }
                found.push((name.to_string(), slug));
            }
        }
        (!found.is_empty()).then(|| (key.to_string(), found))
    }

    /// Whether the entry `slug` has pros or cons.
    pub fn has_pros_or_cons(&self, slug: &str) -> bool {
        self.entries
            .get(slug)
            .is_some_and(|e| !e.pros.is_empty() || !e.cons.is_empty())
    }

    /// Whether any entry was registered.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The Amazon tag most links carried, and the others.
    pub fn amazon_tag(&self) -> Option<(String, Vec<String>)> {
        let (best, _) = self
            .amazon_tags
            .iter()
            .max_by_key(|(tag, n)| (**n, std::cmp::Reverse((*tag).clone())))?;
        let others = self
            .amazon_tags
            .keys()
            .filter(|t| *t != best)
            .cloned()
            .collect();
        Some((best.clone(), others))
    }

    /// The site's `affiliates.toml`.
    pub fn registry_toml(&self) -> String {
        let mut out = String::from(
            "# Products and links found by `grove import` in the source's pages; content links\n# to them as [text](aff:slug). Edit freely: an edited file is never overwritten.\n",
        );
        let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
        for (slug, entry) in &self.entries {
            let _ = write!(
                out,
                "\n[{slug}]\nname = {}\nprogram = {}\nurl = {}\n",
                quote(&entry.name),
                quote(&entry.program),
                quote(&entry.url)
            );
            if let Some(image) = &entry.image {
                let _ = writeln!(out, "image = {}", quote(image));
            }
            if let Some(price) = &entry.price {
                let _ = writeln!(out, "price = {}", quote(price));
            }
            if let Some(rating) = entry.rating {
                let _ = writeln!(out, "rating = {rating}");
            }
            for (key, list) in [("pros", &entry.pros), ("cons", &entry.cons)] {
                if !list.is_empty() {
                    let items: Vec<String> = list.iter().map(|i| quote(i)).collect();
                    let _ = writeln!(out, "{key} = [{}]", items.join(", "));
                }
            }
        }
        out
    }
}

/// `markdown` with each affiliate link (Markdown `[text](url)`, or an
/// HTML `<a href>` around plain text) made a registry link `aff:slug`;
/// code is left alone. An affiliate link that cannot be one (an anchor
/// with markup inside) stays as written and is noted for the report;
/// `file` names the source file.
pub fn rewrite_links(markdown: &str, file: &str, products: &mut Products) -> String {
    let code = code_ranges(markdown);
    let in_code = |at: usize| code.iter().any(|r| r.contains(&at));
    let mut out = String::with_capacity(markdown.len());
    let mut done = 0;
    let mut at = 0;
    while let Some(found) = markdown[at..].find("](") {
        let open_paren = at + found + 1;
        at = open_paren + 1;
        if in_code(open_paren) {
            continue;
        }
        let Some(close) = markdown[open_paren..].find(')') else {
            break;
        };
        let target = &markdown[open_paren + 1..open_paren + close];
        let url = target.split_whitespace().next().unwrap_or_default();
        let Some(label_start) = markdown[..open_paren - 1].rfind('[') else {
            continue;
        };
        let label = &markdown[label_start + 1..open_paren - 1];
        if let Some(slug) = products.link(url, label) {
            out.push_str(&markdown[done..open_paren + 1]);
            out.push_str(&format!("aff:{slug}"));
            done = open_paren + 1 + url.len();
        }
    }
    out.push_str(&markdown[done..]);
    rewrite_anchors(&out, file, products)
}

/// HTML anchors to affiliate links whose text is plain: as Markdown
/// registry links.
fn rewrite_anchors(text: &str, file: &str, products: &mut Products) -> String {
    if !text.contains("<a ") {
        return text.to_string();
    }
    let code = code_ranges(text);
    let mut out = String::with_capacity(text.len());
    let mut done = 0;
    let mut at = 0;
    while let Some(found) = text[at..].find("<a ") {
        let start = at + found;
        at = start + 3;
        if code.iter().any(|r| r.contains(&start)) {
            continue;
        }
        let Some(tag_end) = text[start..].find('>').map(|i| start + i) else {
            break;
        };
        let Some(close) = text[tag_end..].find("</a>").map(|i| tag_end + i) else {
            continue;
        };
        let inner = &text[tag_end + 1..close];
        let Some(href) = crate::html_scan::parse_tag(&text[start..=tag_end])
            .and_then(|tag| tag.attribute("href").map(crate::html_scan::unescape))
        else {
            continue;
        };
        if inner.contains('<') || inner.contains(['[', ']']) {
            if Products::is_affiliate(&href) {
                products.unread.push((
                    file.to_string(),
                    format!("the link to {href} (markup inside it)"),
                ));
            }
            continue;
        }
        if let Some(slug) = products.link(&href, inner) {
            out.push_str(&text[done..start]);
            out.push_str(&format!("[{}](aff:{slug})", inner.trim()));
            done = close + 4;
            at = done;
        }
    }
    out.push_str(&text[done..]);
    out
}

/// Host, path and query of an absolute http(s) URL.
fn split_url(url: &str) -> Option<(String, &str, &str)> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = rest[..end].to_lowercase();
    let after = &rest[end..];
    let after = after.split('#').next().unwrap_or_default();
    let (path, query) = after.split_once('?').unwrap_or((after, ""));
    Some((host, path, query))
}

fn host_is(host: &str, suffix: &str) -> bool {
    host == suffix || host.ends_with(&format!(".{suffix}"))
}

fn query_value(query: &str, key: &str) -> Option<String> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty())
}

/// The ASIN in an Amazon product path (`/dp/B0…`, `/gp/product/B0…`,
/// `/Some-Name/dp/B0…`, `/exec/obidos/ASIN/B0…`).
fn asin(path: &str) -> Option<String> {
    let parts: Vec<&str> = path.split('/').collect();
    parts.windows(2).find_map(|pair| {
        let marker = pair[0].to_ascii_lowercase();
        let candidate = pair[1];
        (matches!(marker.as_str(), "dp" | "product" | "asin" | "d")
            && candidate.len() == 10
            && candidate.chars().all(|c| c.is_ascii_alphanumeric()))
        .then(|| candidate.to_ascii_uppercase())
    })
}

/// A short stable name for a URL without a product id.
fn short_hash(text: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(text.as_bytes());
    digest[..4].iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes what the import did with affiliate links into the report.
pub fn report_products(products: &Products, report: &mut Report) {
    for (file, what) in &products.unread {
        report.attention(
            file,
            format!("{what} is not a registry link: it stays as written, without rel=\"sponsored\" or the disclosure; write it as [text](aff:slug)"),
        );
    }
    if products.is_empty() {
        return;
    }
    report.changed(
        "affiliates.toml",
        format!("{} affiliate links became registry links (`aff:`), with rel=\"sponsored\" and the disclosure; the products are in the site's affiliates.toml", products.links),
    );
    if let Some((_, others)) = products.amazon_tag()
        && !others.is_empty()
    {
        report.attention(
            "site.toml",
            format!("the source's Amazon links carried other tags too ({}): every link now uses [affiliate] amazon_tag", others.join(", ")),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amazon_and_network_links_become_registry_links() {
        let mut products = Products::default();
        let out = rewrite_links(
            "A [Weber Kettle](https://www.amazon.com/dp/B00MKB5TXA?tag=site-20) and [check price](https://www.amazon.com/Weber-Kettle/dp/b00mkb5txa/ref=x?tag=site-20).\n\n`[code](https://www.amazon.com/dp/B000000000)` <a href=\"https://amzn.to/3xYz\">Deal</a> [other](https://example.com/)",
            "post.md",
            &mut products,
        );
        assert_eq!(
            out,
            "A [Weber Kettle](aff:amazon-b00mkb5txa) and [check price](aff:amazon-b00mkb5txa).\n\n`[code](https://www.amazon.com/dp/B000000000)` [Deal](aff:amazon-3xyz) [other](https://example.com/)"
        );
        assert_eq!(products.links, 3);
        assert_eq!(
            products.amazon_tag(),
            Some(("site-20".to_string(), Vec::new()))
        );
        let registry = products.registry_toml();
        assert!(registry.contains("[amazon-b00mkb5txa]\nname = \"Weber Kettle\"\nprogram = \"amazon\"\nurl = \"https://www.amazon.com/dp/B00MKB5TXA?tag={{ site.affiliate.amazon_tag }}\""), "{registry}");
    }

    #[test]
    fn anchors_are_read_as_html_and_what_stays_is_reported() {
        let mut products = Products::default();
        let out = rewrite_links(
            "<a data-href=\"https://example.com/\" href=\"https://amzn.to/abc\">Kettle</a> and <a href=\"https://amzn.to/def\"><b>Deal</b></a>",
            "post.md",
            &mut products,
        );
        assert_eq!(
            out,
            "[Kettle](aff:amazon-abc) and <a href=\"https://amzn.to/def\"><b>Deal</b></a>"
        );
        let mut report = Report::default();
        report_products(&products, &mut report);
        assert_eq!(report.attention.len(), 1, "{:?}", report.attention);
        assert_eq!(report.attention[0].file, "post.md");
        assert!(report.attention[0].message.starts_with(
            "the link to https://amzn.to/def (markup inside it) is not a registry link"
        ));
    }

    #[test]
    fn front_matter_products_become_entries() {
        let mut products = Products::default();
        let front: Map<String, Value> = serde_json::from_str(
            r#"{"product_name": "Apple AirPods Pro 3", "price": "$249.00", "rating": 4.3,
                "affiliate_link": "https://www.amazon.com/dp/B0DGJ9HD5V?tag=a-20",
                "product_image": "/images/a.jpg", "pros": ["Long battery"], "cons": ["Pricey"]}"#,
        )
        .unwrap();
        let (slug, used) = products.product(&front, "Review").unwrap();
        assert_eq!(slug, "amazon-b0dgj9hd5v");
        assert!(used.contains(&"pros".to_string()));
        assert!(products.has_pros_or_cons(&slug));
        let registry = products.registry_toml();
        assert!(
            registry.contains(
                "price = \"$249.00\"\nrating = 4.3\npros = [\"Long battery\"]\ncons = [\"Pricey\"]"
            ),
            "{registry}"
        );
        assert!(registry.contains("image = \"/images/a.jpg\""), "{registry}");
    }
}
