//! JSON-LD structured data (schema.org), built as JSON values and printed
//! safely for a `<script type="application/ld+json">` element.

use serde_json::{Value, json};

/// A crumb of a `BreadcrumbList`.
pub struct Crumb<'a> {
    /// Name.
    pub name: &'a str,
    /// Absolute URL.
    pub url: String,
}

/// `{"@context": "https://schema.org", "@graph": [...]}` as text that cannot
/// end its `<script>` element early (`<` is written `\u003c`).
pub fn graph(nodes: Vec<Value>) -> String {
    // The document `{"@context": ..., "@graph": nodes}` (keys in
    // serde_json's order), with the nodes serialized where they are.
    let mut text = Vec::with_capacity(1024);
    text.extend_from_slice(br#"{"@context":"https://schema.org","@graph":"#);
    let mut serializer = serde_json::Serializer::with_formatter(&mut text, ScriptSafe);
    serde::Serialize::serialize(&nodes, &mut serializer).expect("JSON values always serialize");
    text.push(b'}');
    String::from_utf8(text).expect("serde_json writes UTF-8")
}

/// Compact JSON with `<`, `>` and `&` in strings written as `\u003c`,
/// `\u003e` and `\u0026`, in one pass (they occur nowhere else in JSON).
struct ScriptSafe;

impl serde_json::ser::Formatter for ScriptSafe {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut rest = fragment.as_bytes();
        while let Some(at) = memchr::memchr3(b'<', b'>', b'&', rest) {
            writer.write_all(&rest[..at])?;
            writer.write_all(match rest[at] {
                b'<' => b"\\u003c",
                b'>' => b"\\u003e",
                _ => b"\\u0026",
            })?;
            rest = &rest[at + 1..];
        }
        writer.write_all(rest)
    }
}

/// The site as an `Organization` (publisher and author of its articles).
pub fn organization(name: &str, url: &str) -> Value {
    json!({ "@type": "Organization", "@id": format!("{url}/#organization"), "name": name, "url": format!("{url}/") })
}

/// `WebSite`, for the home page.
pub fn website(name: &str, url: &str, description: &str, language: &str) -> Value {
    json!({
        "@type": "WebSite",
        "@id": format!("{url}/#website"),
        "name": name,
        "url": format!("{url}/"),
        "description": description,
        "inLanguage": language,
        "publisher": { "@id": format!("{url}/#organization") },
    })
}

/// `BreadcrumbList` from the home page down to the current page.
pub fn breadcrumbs(crumbs: &[Crumb<'_>]) -> Value {
    let items: Vec<Value> = crumbs
        .iter()
        .enumerate()
        .map(|(i, c)| json!({ "@type": "ListItem", "position": i + 1, "name": c.name, "item": c.url }))
        .collect();
    json!({ "@type": "BreadcrumbList", "itemListElement": items })
}

/// What an article node needs.
pub struct ArticleData<'a> {
    /// Headline.
    pub headline: &'a str,
    /// Description.
    pub description: &'a str,
    /// Absolute URL.
    pub url: &'a str,
    /// RFC 3339 publication date.
    pub published: Option<String>,
    /// RFC 3339 modification date.
    pub modified: Option<String>,
    /// Absolute image URL.
    pub image: Option<String>,
    /// Language code.
    pub language: &'a str,
    /// Words in the article.
    pub word_count: usize,
    /// Tags.
    pub keywords: Vec<&'a str>,
}

/// `BlogPosting` (an `Article`), published by the site.
pub fn article(data: &ArticleData<'_>, site_url: &str) -> Value {
    let mut node = json!({
        "@type": "BlogPosting",
        "headline": data.headline,
        "description": data.description,
        "url": data.url,
        "mainEntityOfPage": { "@type": "WebPage", "@id": data.url },
        "inLanguage": data.language,
        "wordCount": data.word_count,
        "author": { "@id": format!("{site_url}/#organization") },
        "publisher": { "@id": format!("{site_url}/#organization") },
    });
    if let Some(published) = &data.published {
        node["datePublished"] = json!(published);
        node["dateModified"] = json!(data.modified.as_ref().unwrap_or(published));
    }
    if let Some(image) = &data.image {
        node["image"] = json!(image);
    }
    if !data.keywords.is_empty() {
        node["keywords"] = json!(data.keywords.join(", "));
    }
    node
}

/// `FAQPage` from question/answer pairs.
pub fn faq(pairs: &[(&str, &str)]) -> Value {
    let questions: Vec<Value> = pairs
        .iter()
        .map(|(q, a)| json!({ "@type": "Question", "name": q, "acceptedAnswer": { "@type": "Answer", "text": a } }))
        .collect();
    json!({ "@type": "FAQPage", "mainEntity": questions })
}

/// `Product` with the site's `Review` of it (the registry's rating).
pub fn product_review(product: &Value, site_url: &str, page_url: &str) -> Value {
    let mut node = json!({
        "@type": "Product",
        "name": product["name"],
        "description": product["description"],
    });
    if let Some(image) = product["image"].as_str() {
        node["image"] = json!(image);
    }
    if let Some(rating) = product["rating"].as_f64() {
        node["review"] = json!({
            "@type": "Review",
            "url": page_url,
            "author": { "@id": format!("{site_url}/#organization") },
            "reviewRating": { "@type": "Rating", "ratingValue": rating, "bestRating": 5, "worstRating": 1 },
        });
    }
    node
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_breaking_text_is_escaped_and_still_json() {
        let text = graph(vec![
            json!({ "@type": "Thing", "name": "</script><b>x</b> & y" }),
        ]);
        assert!(!text.contains("</script>"));
        assert!(!text.contains(['<', '>', '&']));
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["@context"], "https://schema.org");
        assert_eq!(back["@graph"][0]["name"], "</script><b>x</b> & y");
    }
}
