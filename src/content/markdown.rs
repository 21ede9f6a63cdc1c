//! Markdown to HTML with pulldown-cmark: heading anchors, a table of
//! contents, `@/` internal links, a summary and a word count.

use std::collections::HashSet;
use std::path::Path;

use pulldown_cmark::{
    CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd, html,
};
use serde::Serialize;

use super::images::{ImageUse, Loading};
use crate::error::{Error, Location, Result, line_col};
use crate::html_escape::escape_html;

/// The marker that ends a page's summary.
pub const SUMMARY_MARKER: &str = "<!-- more -->";

/// Rendering switches, from `grove.toml`'s `[build]`.
#[derive(Debug, Clone, Copy, Default)]
pub struct MarkdownOptions {
    /// Typographic quotes and dashes.
    pub smart_punctuation: bool,
    /// Add a `#` link inside each heading.
    pub anchor_links: bool,
    /// `target="_blank"` on links to other sites.
    pub external_links_new_tab: bool,
    /// How heading ids are made from heading text.
    pub heading_ids: super::UrlRules,
}

/// Resolves `@/path.md` and `aff:slug` links.
pub trait LinkResolver {
    /// The URL path for content file `target` (relative to `content/`), or
    /// why there is none.
    fn resolve(&self, target: &str) -> std::result::Result<String, String>;

    /// The anchor attributes (`href`, `rel`, `data-affiliate`...) of an
    /// affiliate link to `slug`, or why there is none.
    fn affiliate(&self, slug: &str) -> std::result::Result<String, String>;

    /// The statement the program of affiliate `slug` requires in the
    /// disclosure of a page linking it (Amazon's), if any.
    fn program_disclosure(&self, _slug: &str) -> Option<String> {
        None
    }

    /// The HTML an image becomes (`None`: the image as written), or why
    /// it cannot be published (a broken file).
    fn image(&self, _image: &ImageUse<'_>) -> std::result::Result<Option<String>, String> {
        Ok(None)
    }
}

/// The affiliate disclosure to insert in content with affiliate links, in
/// a `<p class="affiliate-disclosure">` with the statements the linked
/// programs require after it.
#[derive(Debug, Clone, Copy)]
pub struct Disclosure<'a> {
    /// The site's disclosure, ready HTML.
    pub html: &'a str,
    /// At the top of the content instead of before the first link.
    pub at_top: bool,
}

/// A heading, as a node of the table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Heading {
    /// 1 to 6.
    pub level: u8,
    /// The anchor id.
    pub id: String,
    /// The heading's text.
    pub title: String,
    /// Headings nested below this one.
    pub children: Vec<Heading>,
}

/// The result of rendering one content file's Markdown.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// The full HTML.
    pub html: String,
    /// HTML before `<!-- more -->`, if the marker is present.
    pub summary: Option<String>,
    /// Nested headings.
    pub toc: Vec<Heading>,
    /// Words of text (code included).
    pub word_count: usize,
    /// Affiliate slugs linked, in order of first use.
    pub affiliates: Vec<String>,
}

/// Where a Markdown body sits, for error messages.
#[derive(Debug, Clone, Copy)]
pub struct SourceRef<'a> {
    /// The content file.
    pub path: &'a Path,
    /// Its path below `content/` (relative images are found from it).
    pub rel: &'a str,
    /// 1-based line of the body's first line in that file.
    pub body_line: usize,
    /// Whether the template shows an image above the body (a cover),
    /// so that no image of the body is the one a reader sees first.
    pub has_cover: bool,
}

/// The Markdown extensions Grove renders with: CommonMark with tables,
/// footnotes, strikethrough, task lists and heading attributes. Anything
/// that reads content as the build will (the draft sanitizer, reviews)
/// must parse with these, or it may see other links and HTML.
pub fn parser_options(options: MarkdownOptions) -> Options {
    let mut parser_options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    if options.smart_punctuation {
        parser_options |= Options::ENABLE_SMART_PUNCTUATION;
    }
    parser_options
}

/// Renders `body` to HTML. Every unresolved `@/` link is reported, each with
/// its file and line.
pub fn render(
    body: &str,
    source: SourceRef<'_>,
    options: MarkdownOptions,
    links: &dyn LinkResolver,
    disclosure: Option<Disclosure<'_>>,
) -> Result<Rendered> {
    // CommonMark: U+0000 becomes U+FFFD (Tera expansion can bring one in).
    let body: std::borrow::Cow<'_, str> = if body.contains('\0') {
        std::borrow::Cow::Owned(body.replace('\0', "\u{FFFD}"))
    } else {
        std::borrow::Cow::Borrowed(body)
    };
    let body = body.as_ref();
    let mut rewriter = Rewriter {
        body,
        source,
        options,
        links,
        events: Vec::new(),
        errors: Vec::new(),
        word_count: 0,
        headings: Vec::new(),
        used_ids: HashSet::new(),
        heading_start: None,
        open_links: Vec::new(),
        open_tags: Vec::new(),
        affiliates: Vec::new(),
        first_affiliate: None,
        open_image: None,
        images: 0,
    };
    for (event, range) in Parser::new_ext(body, parser_options(options)).into_offset_iter() {
        rewriter.take(event, range.start);
    }
    rewriter.finish(disclosure)
}

/// The events of one body as Grove renders them, with what it learns on
/// the way (words, headings, affiliate links, broken links).
struct Rewriter<'a, 'r> {
    body: &'a str,
    source: SourceRef<'r>,
    options: MarkdownOptions,
    links: &'r dyn LinkResolver,
    events: Vec<Event<'a>>,
    errors: Vec<Error>,
    word_count: usize,
    /// Level, id and text of each heading, in order.
    headings: Vec<(u8, String, String)>,
    used_ids: HashSet<String>,
    /// Event index of the heading being read.
    heading_start: Option<usize>,
    /// For each open link, whether Grove wrote its tag (and so its end).
    open_links: Vec<bool>,
    /// Event indices of the tags open at this point: the first is the
    /// top-level block, before which a disclosure goes.
    open_tags: Vec<usize>,
    affiliates: Vec<String>,
    /// Event index of the top-level block holding the first affiliate link.
    first_affiliate: Option<usize>,
    /// The image being read: its start event's index, destination, title
    /// and byte offset.
    open_image: Option<(usize, CowStr<'a>, CowStr<'a>, usize)>,
    /// Images read so far.
    images: usize,
}

impl<'a> Rewriter<'a, '_> {
    /// Takes the parser's next event, found at byte `offset` of the body.
    fn take(&mut self, event: Event<'a>, offset: usize) {
        match &event {
            Event::Start(_) => self.open_tags.push(self.events.len()),
            Event::End(_) => {
                self.open_tags.pop();
            }
            _ => {}
        }
        let block_start = self.open_tags.first().copied().unwrap_or(self.events.len());
        let event = self.first_html_image(event);
        match event {
            // Hugo writes the marker without spaces: `<!--more-->`.
            Event::Html(ref html) | Event::InlineHtml(ref html) if is_summary_marker(html) => {
                let marker = CowStr::from(format!("{SUMMARY_MARKER}\n"));
                self.events.push(match event {
                    Event::Html(_) => Event::Html(marker),
                    _ => Event::InlineHtml(CowStr::from(SUMMARY_MARKER)),
                });
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(ref info))) => {
                let language = code_language(info);
                self.events
                    .push(Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(
                        language,
                    ))));
            }
            Event::Html(ref html) | Event::InlineHtml(ref html)
                if html.contains("data-affiliate=\"") =>
            {
                for slug in crate::affiliate::slugs_in_html(html) {
                    self.note_affiliate(slug, block_start);
                }
                self.events.push(event);
            }
            Event::Text(ref text) | Event::Code(ref text) => {
                self.word_count += count_words(text);
                self.events.push(event);
            }
            Event::Start(Tag::Heading { .. }) => {
                self.heading_start = Some(self.events.len());
                self.events.push(event);
            }
            Event::End(TagEnd::Heading(level)) => self.end_heading(level),
            Event::Start(Tag::Link { dest_url, .. }) if dest_url.starts_with("aff:") => {
                self.affiliate_link(&dest_url, offset, block_start);
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => self.link(link_type, dest_url, title, id, offset),
            Event::Start(Tag::Image {
                ref dest_url,
                ref title,
                ..
            }) => {
                self.open_image =
                    Some((self.events.len(), dest_url.clone(), title.clone(), offset));
                self.events.push(event);
            }
            Event::End(TagEnd::Image) => self.end_image(event),
            Event::End(TagEnd::Link) => {
                if self.open_links.pop() == Some(true) {
                    self.events.push(Event::Html(CowStr::from("</a>")));
                } else {
                    self.events.push(event);
                }
            }
            other => self.events.push(other),
        }
    }

    /// Records affiliate `slug`, linked in the top-level block starting at
    /// event `block_start`.
    fn note_affiliate(&mut self, slug: &str, block_start: usize) {
        self.first_affiliate.get_or_insert(block_start);
        if !self.affiliates.iter().any(|s| s == slug) {
            self.affiliates.push(slug.to_string());
        }
    }

    /// Ends a heading: its id (given or made unique), its anchor link, its
    /// entry in the table of contents.
    fn end_heading(&mut self, level: HeadingLevel) {
        let start = self.heading_start.take().unwrap_or(self.events.len());
        let title = plain_text(&self.events[start + 1..]);
        let id = finish_heading(
            &mut self.events[start],
            &title,
            self.options.heading_ids,
            &mut self.used_ids,
        );
        if self.options.anchor_links {
            self.events.push(Event::Html(CowStr::from(format!(
                " <a class=\"anchor\" href=\"#{}\" aria-label=\"Link to this section\">#</a>",
                escape_html(&id)
            ))));
        }
        self.events.push(Event::End(TagEnd::Heading(level)));
        self.headings.push((heading_level(level), id, title));
    }

    /// `[text](aff:slug)`: the registry's link tag, or a located error.
    fn affiliate_link(&mut self, dest_url: &str, offset: usize, block_start: usize) {
        let slug = &dest_url[4..];
        match self.links.affiliate(slug) {
            Ok(attributes) => {
                self.note_affiliate(slug, block_start);
                self.events
                    .push(Event::Html(CowStr::from(format!("<a {attributes}>"))));
            }
            Err(reason) => {
                self.errors.push(broken_link(
                    self.body,
                    offset,
                    self.source,
                    dest_url,
                    reason,
                ));
                self.events.push(Event::Html(CowStr::from("<a>")));
            }
        }
        self.open_links.push(true);
    }

    /// Images in HTML (a shortcode's product box) count among the page's
    /// images: when one comes before any Markdown image on a page without
    /// a cover, it is the image a reader sees first, fetched early instead
    /// of lazily.
    fn first_html_image(&mut self, event: Event<'a>) -> Event<'a> {
        let (html, inline) = match &event {
            Event::Html(html) => (html, false),
            Event::InlineHtml(html) => (html, true),
            _ => return event,
        };
        if self.images > 0 || !html.contains("<img") {
            return event;
        }
        self.images += 1;
        let Some(at) = html.find("<img") else {
            return event;
        };
        let end = html[at..].find('>').map_or(html.len(), |e| at + e);
        let lazy = " loading=\"lazy\"";
        let Some(found) = html[at..end].find(lazy).filter(|_| !self.source.has_cover) else {
            return event;
        };
        let mut changed = html.to_string();
        changed.replace_range(
            at + found..at + found + lazy.len(),
            " fetchpriority=\"high\"",
        );
        let changed = CowStr::from(changed);
        if inline {
            Event::InlineHtml(changed)
        } else {
            Event::Html(changed)
        }
    }

    /// Ends an image: the resolver's HTML replaces it (its alt text
    /// included), or it stays as written.
    fn end_image(&mut self, end: Event<'a>) {
        let Some((start, src, title, offset)) = self.open_image.take() else {
            self.events.push(end);
            return;
        };
        let alt = plain_text(&self.events[start + 1..]);
        let (line, _) = line_col(self.body, offset);
        let location = format!(
            "{}:{}",
            crate::error::display_path(self.source.path).display(),
            self.source.body_line + line - 1
        );
        // The page's first image is what a reader sees first, unless the
        // template shows a cover above the body.
        let loading = if self.images == 0 && !self.source.has_cover {
            Loading::First
        } else {
            Loading::Lazy
        };
        let request = ImageUse {
            src: &src,
            alt: &alt,
            title: &title,
            from: self.source.rel,
            location: &location,
            loading,
            sizes: None,
        };
        self.images += 1;
        match self.links.image(&request) {
            Ok(Some(html)) => {
                self.events.truncate(start);
                self.events.push(Event::InlineHtml(CowStr::from(html)));
            }
            Ok(None) => self.events.push(end),
            Err(reason) => {
                let (line, column) = line_col(self.body, offset);
                self.errors.push(Error::Content {
                    location: Location::line(self.source.path, self.source.body_line + line - 1)
                        .with_column(column),
                    message: format!("image `{src}`: {reason}"),
                });
                self.events.push(end);
            }
        }
    }

    /// Any other link: `@/` resolved (or a located error), external links
    /// opened in a new tab when the site asks.
    fn link(
        &mut self,
        link_type: LinkType,
        dest_url: CowStr<'a>,
        title: CowStr<'a>,
        id: CowStr<'a>,
        offset: usize,
    ) {
        let dest_url = match dest_url.strip_prefix("@/") {
            Some(target) => match resolve_internal(target, self.links) {
                Ok(url) => CowStr::from(url),
                Err(reason) => {
                    self.errors.push(broken_link(
                        self.body,
                        offset,
                        self.source,
                        &dest_url,
                        reason,
                    ));
                    dest_url
                }
            },
            None => dest_url,
        };
        let external = self.options.external_links_new_tab && is_external(&dest_url);
        self.open_links.push(external);
        if external {
            self.events.push(new_tab_link(&dest_url, &title));
        } else {
            self.events.push(Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }));
        }
    }

    /// The HTML and what was learned, or every broken link.
    fn finish(mut self, disclosure: Option<Disclosure<'_>>) -> Result<Rendered> {
        if let Some(error) = Error::collect(self.errors) {
            return Err(error);
        }
        if let (Some(disclosure), Some(first)) = (disclosure, self.first_affiliate) {
            let at = if disclosure.at_top { 0 } else { first };
            self.events.insert(
                at,
                disclosure_event(disclosure, &self.affiliates, self.links),
            );
        }
        let mut html_out = String::with_capacity(self.body.len() * 3 / 2);
        html::push_html(&mut html_out, self.events.into_iter());
        let summary = take_summary(&mut html_out);
        // Every page's HTML stays in memory until its page is rendered: give
        // back the room reserved for growth.
        html_out.shrink_to_fit();
        Ok(Rendered {
            html: html_out,
            summary,
            toc: nest_headings(self.headings),
            word_count: self.word_count,
            affiliates: self.affiliates,
        })
    }
}

/// A fenced code block's language: the info string's first word (`go
/// {hl_lines=[2,8]}` and `scss,linenos` are Go and SCSS).
fn code_language(info: &str) -> CowStr<'static> {
    CowStr::from(
        info.split(|c: char| c.is_whitespace() || c == ',' || c == '{')
            .next()
            .unwrap_or_default()
            .to_string(),
    )
}

/// The disclosure paragraph for a page linking `affiliates`: the site's
/// text, then each program's own statement it does not already hold.
fn disclosure_event(
    disclosure: Disclosure<'_>,
    affiliates: &[String],
    links: &dyn LinkResolver,
) -> Event<'static> {
    let mut text = disclosure.html.trim().to_string();
    let mut said: Vec<String> = Vec::new();
    for statement in affiliates
        .iter()
        .filter_map(|slug| links.program_disclosure(slug))
    {
        if !said.contains(&statement) && !text.contains(statement.as_str()) {
            text.push(' ');
            text.push_str(&statement);
            said.push(statement);
        }
    }
    Event::Html(CowStr::from(format!(
        "<p class=\"affiliate-disclosure\" role=\"note\">{text}</p>\n"
    )))
}

/// The HTML before the summary marker, the marker replaced by the
/// `#continue-reading` anchor; `None` without a marker.
fn take_summary(html: &mut String) -> Option<String> {
    let at = html.find(SUMMARY_MARKER)?;
    let summary = html[..at].trim_end().to_string();
    html.replace_range(
        at..at + SUMMARY_MARKER.len(),
        "<span id=\"continue-reading\"></span>",
    );
    Some(summary)
}

/// Whether `html` is the summary marker: `<!-- more -->`, with any
/// spacing (`<!--more-->`) or case.
fn is_summary_marker(html: &str) -> bool {
    html.trim()
        .strip_prefix("<!--")
        .and_then(|rest| rest.strip_suffix("-->"))
        .is_some_and(|inner| inner.trim().eq_ignore_ascii_case("more"))
}

/// Words in `text`: runs of characters between whitespace, as
/// `split_whitespace` counts them, with a byte loop for ASCII text (the
/// iterator was 3% of a build).
fn count_words(text: &str) -> usize {
    if !text.is_ascii() {
        return text.split_whitespace().count();
    }
    // A word starts at each non-space byte after a space byte (or at the
    // start): a branch-free pass the compiler vectorizes.
    let bytes = text.as_bytes();
    let Some(&first) = bytes.first() else {
        return 0;
    };
    // Counted in runs of at most 255 pairs into a byte, so the vectorized
    // loop adds 16 or 32 lanes at a time instead of 2 or 4 of a `usize`.
    let pairs = &bytes[..bytes.len() - 1];
    let starts: usize = pairs
        .chunks(255)
        .zip(bytes[1..].chunks(255))
        .map(|(before, after)| {
            let run = before
                .iter()
                .zip(after)
                .fold(0u8, |count, (&before, &byte)| {
                    count + u8::from(is_ascii_space(before) & !is_ascii_space(byte))
                });
            usize::from(run)
        })
        .sum();
    starts + usize::from(!is_ascii_space(first))
}

/// The ASCII characters `char::is_whitespace` accepts: space, and tab to
/// carriage return.
fn is_ascii_space(byte: u8) -> bool {
    (byte == b' ') | (byte.wrapping_sub(b'\t') < 5)
}

/// Words of text in a Markdown body (code included, markup excluded), as
/// counted for `page.word_count`.
pub fn word_count(body: &str) -> usize {
    Parser::new_ext(body, parser_options(MarkdownOptions::default()))
        .map(|event| match event {
            Event::Text(text) | Event::Code(text) => count_words(&text),
            _ => 0,
        })
        .sum()
}

/// A Markdown image as written: `![alt](src)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenImage {
    /// Its alternative text.
    pub alt: String,
    /// Its destination.
    pub src: String,
    /// 1-based line in `text`.
    pub line: usize,
}

/// Every Markdown image of `text` (a whole content file: its front matter
/// holds no image syntax), with its line.
pub fn written_images(text: &str) -> Vec<WrittenImage> {
    let mut images = Vec::new();
    let mut open: Option<(String, usize, String)> = None;
    for (event, range) in
        Parser::new_ext(text, parser_options(MarkdownOptions::default())).into_offset_iter()
    {
        match event {
            Event::Start(Tag::Image { dest_url, .. }) => {
                open = Some((dest_url.to_string(), range.start, String::new()));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, alt)) = open.as_mut() {
                    alt.push_str(&t);
                }
            }
            Event::End(TagEnd::Image) => {
                if let Some((src, offset, alt)) = open.take() {
                    images.push(WrittenImage {
                        alt: alt.trim().to_string(),
                        src,
                        line: line_col(text, offset).0,
                    });
                }
            }
            _ => {}
        }
    }
    images
}

/// Destinations of every link and image in a Markdown body.
pub fn link_destinations(body: &str) -> Vec<String> {
    Parser::new_ext(body, parser_options(MarkdownOptions::default()))
        .filter_map(|event| match event {
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                Some(dest_url.to_string())
            }
            _ => None,
        })
        .collect()
}

/// A broken-link error at byte `offset` of the body, located in the file.
fn broken_link(
    body: &str,
    offset: usize,
    source: SourceRef<'_>,
    link: &str,
    reason: String,
) -> Error {
    let (line, column) = line_col(body, offset);
    Error::BrokenLink {
        location: Location::line(source.path, source.body_line + line - 1).with_column(column),
        link: link.to_string(),
        reason,
    }
}

fn resolve_internal(target: &str, links: &dyn LinkResolver) -> std::result::Result<String, String> {
    let (file, anchor) = match target.split_once('#') {
        Some((file, anchor)) => (file, Some(anchor)),
        None => (target, None),
    };
    let url = links.resolve(file)?;
    Ok(match anchor {
        Some(anchor) => format!("{url}#{anchor}"),
        None => url,
    })
}

/// The opening tag of a link to another site that opens in a new tab.
fn new_tab_link(url: &str, title: &str) -> Event<'static> {
    let mut tag = format!("<a href=\"{}\"", escape_html(url));
    if !title.is_empty() {
        tag.push_str(&format!(" title=\"{}\"", escape_html(title)));
    }
    tag.push_str(" target=\"_blank\" rel=\"noopener\">");
    Event::Html(CowStr::from(tag))
}

fn is_external(url: &str) -> bool {
    url.starts_with("http://") || url.starts_with("https://") || url.starts_with("//")
}

/// Gives the heading start event at `start` its final id and returns it.
fn finish_heading(
    start: &mut Event<'_>,
    title: &str,
    rules: super::UrlRules,
    used: &mut HashSet<String>,
) -> String {
    let Event::Start(Tag::Heading { id, .. }) = start else {
        unreachable!("heading_start always points at a heading start event");
    };
    let base = match id {
        Some(explicit) => explicit.to_string(),
        None => {
            let slug = rules.heading(title);
            if slug.is_empty() {
                "section".to_string()
            } else {
                slug
            }
        }
    };
    let mut unique = base.clone();
    let mut n = 1;
    while !used.insert(unique.clone()) {
        unique = format!("{base}-{n}");
        n += 1;
    }
    *id = Some(CowStr::from(unique.clone()));
    unique
}

fn plain_text(events: &[Event<'_>]) -> String {
    let mut text = String::new();
    for event in events {
        if let Event::Text(t) | Event::Code(t) = event {
            text.push_str(t);
        }
    }
    text.trim().to_string()
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Turns a flat list of (level, id, title) into a tree: each heading holds
/// the deeper headings that follow it.
fn nest_headings(flat: Vec<(u8, String, String)>) -> Vec<Heading> {
    fn insert(into: &mut Vec<Heading>, heading: Heading) {
        match into.last_mut() {
            Some(last) if last.level < heading.level => insert(&mut last.children, heading),
            _ => into.push(heading),
        }
    }
    let mut roots = Vec::new();
    for (level, id, title) in flat {
        insert(
            &mut roots,
            Heading {
                level,
                id,
                title,
                children: Vec::new(),
            },
        );
    }
    roots
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_count_as_split_whitespace_counts_them() {
        for text in [
            "",
            "   ",
            "one",
            " two  words ",
            "tabs\tand\nlines\r\nand\x0bvertical\x0cfeed",
            "café au lait",
            "non\u{a0}breaking\u{3000}ideographic",
            // Longer than the 255-pair runs the ASCII count works in, with
            // words across run boundaries.
            &"ab cd  e\tfgh ".repeat(100),
            &"x ".repeat(128),
            &"y".repeat(600),
        ] {
            assert_eq!(
                count_words(text),
                text.split_whitespace().count(),
                "{text:?}"
            );
        }
    }

    struct Links;
    impl LinkResolver for Links {
        fn resolve(&self, target: &str) -> std::result::Result<String, String> {
            match target {
                "guides/a.md" => Ok("/guides/a/".into()),
                _ => Err("no such file".into()),
            }
        }
        fn affiliate(&self, slug: &str) -> std::result::Result<String, String> {
            match slug {
                "widget" => {
                    Ok("href=\"/go/widget/\" rel=\"sponsored\" data-affiliate=\"widget\"".into())
                }
                _ => Err(format!("unknown affiliate slug `{slug}`")),
            }
        }

        fn program_disclosure(&self, slug: &str) -> Option<String> {
            (slug == "widget").then(|| "Widgets pay us.".to_string())
        }
    }

    fn md(body: &str) -> Result<Rendered> {
        let source = SourceRef {
            path: Path::new("p.md"),
            rel: "p.md",
            body_line: 5,
            has_cover: false,
        };
        render(body, source, MarkdownOptions::default(), &Links, None)
    }

    fn md_disclosed(body: &str, at_top: bool) -> Rendered {
        let source = SourceRef {
            path: Path::new("p.md"),
            rel: "p.md",
            body_line: 1,
            has_cover: false,
        };
        let disclosure = Disclosure { html: "D", at_top };
        render(
            body,
            source,
            MarkdownOptions::default(),
            &Links,
            Some(disclosure),
        )
        .unwrap()
    }

    #[test]
    fn affiliate_links_get_attributes_and_a_disclosure_before_their_block() {
        let out = md_disclosed(
            "Intro.\n\n- item\n- buy [it](aff:widget) now\n\nMore [again](aff:widget).",
            false,
        );
        assert_eq!(out.affiliates, vec!["widget"]);
        assert!(
            out.html.contains(
                "<a href=\"/go/widget/\" rel=\"sponsored\" data-affiliate=\"widget\">it</a>"
            ),
            "{}",
            out.html
        );
        assert!(
            out.html
                .starts_with("<p>Intro.</p>\n<p class=\"affiliate-disclosure\" role=\"note\">D Widgets pay us.</p>\n<ul>"),
            "{}",
            out.html
        );
        assert_eq!(
            out.html.matches("class=\"affiliate-disclosure\"").count(),
            1
        );
        let top = md_disclosed("Intro.\n\nBuy [it](aff:widget).", true);
        assert!(
            top.html.starts_with(
                "<p class=\"affiliate-disclosure\" role=\"note\">D Widgets pay us.</p>\n<p>Intro."
            ),
            "{}",
            top.html
        );
        let none = md_disclosed("No links [here](https://example.com).", false);
        assert!(!none.html.contains("class=\"affiliate-disclosure\""));
        let from_html = md_disclosed(
            "Intro.\n\n<div class=\"box\"><a data-affiliate=\"widget\">x</a></div>\n",
            false,
        );
        assert_eq!(from_html.affiliates, vec!["widget"]);
        assert!(
            from_html
                .html
                .contains("<p>Intro.</p>\n<p class=\"affiliate-disclosure\" role=\"note\">D Widgets pay us.</p>\n<div class=\"box\">"),
            "{}",
            from_html.html
        );
    }

    #[test]
    fn unknown_affiliate_slugs_name_file_and_line() {
        let err = md("Text.\n\nBuy [it](aff:nope).").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("p.md:7:5: broken link `aff:nope`: unknown affiliate slug `nope`"),
            "{err}"
        );
    }

    #[test]
    fn headings_get_unique_ids_and_nest() {
        let out = md("# Intro\n\n## Part\n\n## Part\n\n# End {#fin}\n").unwrap();
        assert!(out.html.contains("<h2 id=\"part-1\">"), "{}", out.html);
        assert!(out.html.contains("<h1 id=\"fin\">"), "{}", out.html);
        assert_eq!(out.toc.len(), 2);
        assert_eq!(out.toc[0].children.len(), 2);
        assert_eq!(out.toc[0].children[1].id, "part-1");
    }

    #[test]
    fn internal_links_resolve_with_anchor() {
        let out = md("See [a](@/guides/a.md#top).").unwrap();
        assert!(out.html.contains("href=\"/guides/a/#top\""), "{}", out.html);
    }

    #[test]
    fn broken_links_name_file_and_line() {
        let err = md("Line one.\n\nSee [b](@/guides/b.md).").unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("p.md:7:5: broken link `@/guides/b.md`"),
            "{text}"
        );
    }

    #[test]
    fn summary_stops_at_the_marker() {
        let out = md("First.\n\n<!-- more -->\n\nSecond.").unwrap();
        assert_eq!(out.summary.as_deref(), Some("<p>First.</p>"));
        assert!(out.html.contains("continue-reading"));
        assert_eq!(out.word_count, 2);
        // Hugo's spelling, on its own line or inline.
        for body in [
            "First.\n\n<!--more-->\n\nSecond.",
            "First. <!--MORE-->\nSecond.",
        ] {
            let out = md(body).unwrap();
            assert!(
                out.summary.as_deref().unwrap().starts_with("<p>First."),
                "{body}"
            );
            assert!(!out.html.contains("<!--"), "{}", out.html);
        }
    }

    #[test]
    fn a_fences_language_is_its_first_word() {
        for (info, class) in [
            ("go {hl_lines=[2,8]}", "language-go"),
            ("scss,linenos", "language-scss"),
            ("rust", "language-rust"),
        ] {
            let out = md(&format!("```{info}\nx\n```")).unwrap();
            assert!(
                out.html.contains(&format!("<code class=\"{class}\">")),
                "{}",
                out.html
            );
        }
        assert!(md("```\nx\n```").unwrap().html.contains("<pre><code>x"));
    }

    #[test]
    fn gfm_extensions_are_on() {
        let out = md("| a |\n|---|\n| b |\n\n~~x~~ - [x] t[^1]\n\n[^1]: note").unwrap();
        assert!(out.html.contains("<table>"));
        assert!(out.html.contains("<del>x</del>"));
        assert!(out.html.contains("footnote"));
    }

    #[test]
    fn an_html_image_before_any_markdown_image_is_fetched_first() {
        let body = "<div class=\"box\"><img src=\"a.webp\" loading=\"lazy\" decoding=\"async\"></div>\n\n<p><img src=\"b.webp\" loading=\"lazy\"></p>\n";
        let html = md(body).unwrap().html;
        assert!(
            html.contains("<img src=\"a.webp\" fetchpriority=\"high\" decoding=\"async\">"),
            "{html}"
        );
        assert!(
            html.contains("<img src=\"b.webp\" loading=\"lazy\">"),
            "{html}"
        );
    }

    #[test]
    fn external_links_can_open_in_new_tab() {
        let options = MarkdownOptions {
            external_links_new_tab: true,
            ..Default::default()
        };
        let source = SourceRef {
            path: Path::new("p.md"),
            rel: "p.md",
            body_line: 1,
            has_cover: false,
        };
        let out = render(
            "[x](https://e.com/?a=1&b=2) [y](/local/)",
            source,
            options,
            &Links,
            None,
        )
        .unwrap();
        assert!(
            out.html.contains(
                "<a href=\"https://e.com/?a=1&amp;b=2\" target=\"_blank\" rel=\"noopener\">x</a>"
            ),
            "{}",
            out.html
        );
        assert!(out.html.contains("<a href=\"/local/\">y</a>"));
    }
}
