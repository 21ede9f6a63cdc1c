//! The `seo` value every template gets: title, description, canonical URL,
//! social preview tags, feeds and JSON-LD, decided here once so themes only
//! print them.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::description;
use super::jsonld::{self, ArticleData, Crumb};
use crate::affiliate::AffiliateLinks;
use crate::content::SiteContent;
use crate::image::{Anchor, Format, Geometry, Mode, Operation};
use crate::web_url::Urls;

/// Content path -> (language, absolute URL) of each translation, for
/// `hreflang` links (only paths published in two or more languages).
pub type Alternates = HashMap<String, Vec<(String, String)>>;

/// What every `seo` value of one site is made from: the site's settings,
/// its URLs, its translations and its affiliate registry (for the Product
/// JSON-LD of reviews).
pub struct SiteHead {
    urls: Urls,
    site_title: String,
    site_description: String,
    site_image: Option<String>,
    twitter: Option<String>,
    lang: String,
    feeds: bool,
    alternates: Alternates,
    links: Arc<AffiliateLinks>,
    /// What is the same in every `seo` value of the site, made once: the
    /// site's feed links (when `feeds`), `og_locale` and the JSON-LD
    /// organization node.
    site_feeds: Vec<Value>,
    og_locale: String,
    organization: Value,
}

/// What differs between kinds of pages.
struct HeadInput {
    pub title: String,
    pub description: String,
    pub path: String,
    pub og_type: &'static str,
    pub image: Option<String>,
    pub noindex: bool,
    pub graph: Vec<Value>,
    pub section_feed: Option<String>,
    /// The content path, for `hreflang` alternates.
    pub rel: Option<String>,
}

impl SiteHead {
    /// The head of a site whose template value is `site` (see
    /// `render::views::site_value`), with feed links when `feeds`.
    pub fn new(
        site: &Value,
        urls: Urls,
        feeds: bool,
        alternates: Alternates,
        links: Arc<AffiliateLinks>,
    ) -> SiteHead {
        let text = |key: &str| site[key].as_str().map(str::to_string);
        let site_image = site["image"]
            .as_str()
            .map(|image| absolute_image(&urls, image, "/"));
        let site_title = text("title").unwrap_or_default();
        let lang = text("language").unwrap_or_else(|| "en".to_string());
        let site_feeds = if feeds {
            vec![
                feed_link(
                    "application/rss+xml",
                    format!("{site_title} (RSS)"),
                    urls.path("/rss.xml"),
                ),
                feed_link(
                    "application/atom+xml",
                    format!("{site_title} (Atom)"),
                    urls.path("/atom.xml"),
                ),
            ]
        } else {
            Vec::new()
        };
        SiteHead {
            organization: jsonld::organization(&site_title, urls.base_url()),
            og_locale: lang.replace('-', "_"),
            site_feeds,
            site_title,
            site_description: text("description").unwrap_or_default(),
            site_image,
            twitter: text("twitter"),
            lang,
            urls,
            feeds,
            alternates,
            links,
        }
    }

    fn site_image(&self) -> Option<String> {
        self.site_image.clone()
    }

    /// Breadcrumbs from the home page through `sections` to an optional leaf.
    fn crumbs<'a>(
        &'a self,
        content: &'a SiteContent,
        sections: &[usize],
        leaf: Option<(&'a str, &str)>,
    ) -> Vec<Crumb<'a>> {
        let mut crumbs: Vec<Crumb<'_>> = sections
            .iter()
            .map(|&i| {
                let s = &content.sections[i];
                let name = if s.meta.title.is_empty() {
                    &self.site_title
                } else {
                    &s.meta.title
                };
                Crumb {
                    name,
                    url: self.urls.permalink(&s.path),
                }
            })
            .collect();
        if let Some((name, path)) = leaf {
            crumbs.push(Crumb {
                name,
                url: self.urls.permalink(path),
            });
        }
        crumbs
    }

    fn organization(&self) -> Value {
        self.organization.clone()
    }

    fn site_url(&self) -> &str {
        self.urls.base_url()
    }

    /// The `seo` value for page `index` of `content`, given its rendered
    /// HTML.
    pub fn page(&self, content: &SiteContent, index: usize, html: &str) -> Value {
        let page = &content.pages[index];
        let url = self.urls.permalink(&page.path);
        let description = description(
            page.meta.description.as_deref(),
            page.rendered.summary.as_deref(),
            html,
        );
        let image = page
            .meta
            .extra
            .get("image")
            .and_then(Value::as_str)
            .map(|i| {
                social_image(content, i, &page.rel).map_or_else(
                    || absolute_image(&self.urls, i, &page.path),
                    |path| self.urls.permalink(&path),
                )
            })
            .or_else(|| self.site_image());
        let keywords: Vec<&str> = page
            .meta
            .taxonomies
            .values()
            .flatten()
            .map(String::as_str)
            .collect();
        let article = jsonld::article(
            &ArticleData {
                headline: &page.meta.title,
                description: &description,
                url: &url,
                published: page.meta.date.as_ref().map(|d| d.rfc3339()),
                modified: page.meta.updated.as_ref().map(|d| d.rfc3339()),
                image: image.clone(),
                language: &self.lang,
                word_count: page.rendered.word_count,
                keywords,
            },
            self.site_url(),
        );
        let mut graph = vec![self.organization(), article];
        graph.push(jsonld::breadcrumbs(&self.crumbs(
            content,
            &content.ancestors(page.section),
            Some((&page.meta.title, &page.path)),
        )));
        if let Some(faq) = page.meta.extra.get("faq").and_then(Value::as_array) {
            let pairs: Vec<(&str, &str)> = faq
                .iter()
                .filter_map(|item| Some((item["question"].as_str()?, item["answer"].as_str()?)))
                .collect();
            if !pairs.is_empty() {
                graph.push(jsonld::faq(&pairs));
            }
        }
        if let Some(slug) = reviewed_product(html)
            && let Ok(product) = self.links.template_value(slug)
        {
            graph.push(jsonld::product_review(&product, self.site_url(), &url));
        }
        self.head(HeadInput {
            title: format!("{} | {}", page.meta.title, self.site_title),
            description,
            path: page.path.clone(),
            og_type: "article",
            image,
            noindex: page.meta.noindex,
            graph,
            section_feed: None,
            rel: Some(page.rel.clone()),
        })
    }

    /// The `seo` value for pager `number` (at URL path `path`) of section
    /// `index` of `content`.
    pub fn section(&self, content: &SiteContent, index: usize, path: &str, number: usize) -> Value {
        let section = &content.sections[index];
        let is_home = section.parent.is_none();
        let name = if section.meta.title.is_empty() {
            self.site_title.as_str()
        } else {
            &section.meta.title
        };
        let mut title = if is_home && name == self.site_title {
            name.to_string()
        } else {
            format!("{name} | {}", self.site_title)
        };
        if number > 1 {
            title = format!("{name} (page {number}) | {}", self.site_title);
        }
        let mut given = section.meta.description.clone();
        if given.as_deref().is_none_or(str::is_empty) && section.rendered.html.trim().is_empty() {
            given = Some(self.site_description.clone());
        }
        let description = description(given.as_deref(), None, &section.rendered.html);
        let mut graph = vec![self.organization()];
        if is_home {
            graph.push(jsonld::website(
                &self.site_title,
                self.site_url(),
                &description,
                &self.lang,
            ));
        } else {
            graph.push(jsonld::breadcrumbs(&self.crumbs(
                content,
                &content.ancestors(index),
                None,
            )));
        }
        let feed = (!is_home
            && self.feeds
            && section
                .pages
                .iter()
                .any(|&p| content.pages[p].meta.date.is_some()))
        .then(|| section.path.clone());
        self.head(HeadInput {
            title,
            description,
            path: path.to_string(),
            og_type: "website",
            image: self.site_image(),
            noindex: section.meta.noindex,
            graph,
            section_feed: feed,
            rel: (number == 1).then(|| section.rel.clone()),
        })
    }

    /// The `seo` value for taxonomy and other listing pages of `content`.
    pub fn listing(
        &self,
        content: &SiteContent,
        name: &str,
        description: String,
        path: &str,
    ) -> Value {
        let crumbs = self.crumbs(content, &[0], Some((name, path)));
        self.head(HeadInput {
            title: format!("{name} | {}", self.site_title),
            description,
            path: path.to_string(),
            og_type: "website",
            image: self.site_image(),
            noindex: false,
            graph: vec![self.organization(), jsonld::breadcrumbs(&crumbs)],
            section_feed: None,
            rel: None,
        })
    }

    /// The `seo` value of the 404 page: never indexed.
    pub fn not_found(&self) -> Value {
        self.head(HeadInput {
            title: format!("Page not found | {}", self.site_title),
            description: "This page does not exist.".into(),
            path: "/404.html".into(),
            og_type: "website",
            image: None,
            noindex: true,
            graph: Vec::new(),
            section_feed: None,
            rel: None,
        })
    }

    fn head(&self, input: HeadInput) -> Value {
        let urls = &self.urls;
        let mut feeds = self.site_feeds.clone();
        if let (true, Some(section)) = (self.feeds, &input.section_feed) {
            feeds.push(feed_link(
                "application/rss+xml",
                format!("{} (RSS)", input.title),
                urls.path(&format!("{section}rss.xml")),
            ));
        }
        let alternates: Vec<Value> = input
            .rel
            .as_ref()
            .and_then(|rel| self.alternates.get(rel))
            .map(|versions| {
                versions
                    .iter()
                    .map(|(lang, href)| json!({ "lang": lang, "href": href }))
                    .collect()
            })
            .unwrap_or_default();
        let twitter_card = if input.image.is_some() {
            "summary_large_image"
        } else {
            "summary"
        };
        let jsonld = if input.graph.is_empty() {
            Value::Null
        } else {
            Value::String(jsonld::graph(input.graph))
        };
        // Built as a map of moved values: `json!` would serialize each one
        // again (a tenth of the `seo` value's cost).
        let text = |text: &str| Value::String(text.to_string());
        Value::Object(Map::from_iter([
            ("title".to_string(), Value::String(input.title)),
            ("description".to_string(), Value::String(input.description)),
            (
                "canonical".to_string(),
                Value::String(urls.permalink(&input.path)),
            ),
            ("og_type".to_string(), text(input.og_type)),
            ("og_locale".to_string(), text(&self.og_locale)),
            ("site_name".to_string(), text(&self.site_title)),
            (
                "image".to_string(),
                input.image.map_or(Value::Null, Value::String),
            ),
            ("twitter_card".to_string(), text(twitter_card)),
            (
                "twitter_site".to_string(),
                self.twitter.as_deref().map_or(Value::Null, text),
            ),
            ("noindex".to_string(), Value::Bool(input.noindex)),
            ("feeds".to_string(), Value::Array(feeds)),
            ("alternates".to_string(), Value::Array(alternates)),
            ("jsonld".to_string(), jsonld),
        ]))
    }
}

/// A feed link of the `seo` value.
fn feed_link(kind: &str, title: String, href: String) -> Value {
    json!({ "type": kind, "title": title, "href": href })
}

/// The size social networks show a page's image at (Facebook's and
/// LinkedIn's recommendation; X crops it to 2:1 from the middle).
pub const SOCIAL_IMAGE: (u32, u32) = (1200, 630);

/// The site path of a page's image `src` (written in content file
/// `from`) cropped to [`SOCIAL_IMAGE`] as a JPEG, when it is a local image
/// Grove can process.
fn social_image(content: &SiteContent, src: &str, from: &str) -> Option<String> {
    let images = content.images.as_ref()?;
    let operation = Operation {
        geometry: Geometry {
            mode: Mode::Fill(Anchor::Center),
            width: Some(SOCIAL_IMAGE.0),
            height: Some(SOCIAL_IMAGE.1),
        },
        format: Format::Jpeg,
        quality: images.settings().quality.max(80),
    };
    if !images.settings().process {
        return None;
    }
    // A missing (or unfetched remote) image is `None`: the URL as written.
    let resized = images.resize(src, from, operation, false).ok()??;
    (resized.width > 0).then_some(resized.site_path)
}

/// An image URL as written (absolute, site-rooted, or relative to `base`)
/// made absolute.
fn absolute_image(urls: &Urls, image: &str, base: &str) -> String {
    if image.starts_with("http://") || image.starts_with("https://") {
        image.to_string()
    } else if let Some(rooted) = image.strip_prefix('/') {
        urls.permalink(&format!("/{rooted}"))
    } else {
        urls.permalink(&format!("{base}{image}"))
    }
}

/// The product a page reviews: the first element marked
/// `data-product="slug"` (the default theme's `product_box` shortcode marks
/// its box), if any. The attribute is the contract, not a theme's classes.
fn reviewed_product(html: &str) -> Option<&str> {
    let at = memchr::memmem::find(html.as_bytes(), PRODUCT_ATTRIBUTE.as_bytes())?;
    let rest = &html[at + PRODUCT_ATTRIBUTE.len()..];
    rest.split('"').next().filter(|slug| !slug.is_empty())
}

/// Marks the element showing the product a page reviews.
const PRODUCT_ATTRIBUTE: &str = "data-product=\"";
