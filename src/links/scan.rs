//! Where a page's own prose is in its Markdown source: text outside
//! headings, code, links, images, HTML and template code, as byte ranges
//! of the file, each with the paragraph it is in (for the sentence shown
//! beside a suggestion).

use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// A stretch of prose a link could be added in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prose {
    /// Its bytes in the file.
    pub range: Range<usize>,
    /// The paragraph (or list item, table cell) it is in.
    pub block: Range<usize>,
}

/// The prose of `text` (a whole file), its body starting at `body_at`.
pub fn prose(text: &str, body_at: usize) -> Vec<Prose> {
    let body = &text[body_at..];
    let mut found = Vec::new();
    let mut skip = 0usize;
    let mut blocks: Vec<Range<usize>> = Vec::new();
    let parser = Parser::new_ext(body, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH);
    for (event, range) in parser.into_offset_iter() {
        match event {
            Event::Start(tag) => {
                if matches!(
                    tag,
                    Tag::Heading { .. }
                        | Tag::CodeBlock(_)
                        | Tag::Link { .. }
                        | Tag::Image { .. }
                        | Tag::HtmlBlock
                        | Tag::MetadataBlock(_)
                ) {
                    skip += 1;
                }
                if matches!(tag, Tag::Paragraph | Tag::Item | Tag::TableCell) {
                    blocks.push(range.clone());
                }
            }
            Event::End(end) => {
                if matches!(
                    end,
                    TagEnd::Heading(_)
                        | TagEnd::CodeBlock
                        | TagEnd::Link
                        | TagEnd::Image
                        | TagEnd::HtmlBlock
                        | TagEnd::MetadataBlock(_)
                ) {
                    skip = skip.saturating_sub(1);
                }
                if matches!(end, TagEnd::Paragraph | TagEnd::Item | TagEnd::TableCell) {
                    blocks.pop();
                }
            }
            Event::Text(_) if skip == 0 => {
                let raw = &body[range.clone()];
                // Template code (a shortcode call) is not prose.
                if ["{{", "}}", "{%", "%}"].iter().any(|t| raw.contains(t)) {
                    continue;
                }
                if let Some(block) = blocks.last() {
                    found.push(Prose {
                        range: range.start + body_at..range.end + body_at,
                        block: block.start + body_at..block.end + body_at,
                    });
                }
            }
            _ => {}
        }
    }
    found
}

/// The sentence of `block` (a paragraph's bytes in `text`) around `at`,
/// on one line.
pub fn sentence(text: &str, block: &Range<usize>, at: Range<usize>) -> String {
    let paragraph = &text[block.clone()];
    let (start, end) = (at.start - block.start, at.end - block.start);
    let is_end = |s: &str| s.ends_with(['.', '!', '?']);
    let mut from = 0;
    for (i, _) in paragraph[..start].char_indices() {
        if is_end(&paragraph[..i]) && paragraph[i..].starts_with(char::is_whitespace) {
            from = i;
        }
    }
    let to = paragraph[end..]
        .char_indices()
        .find(|(i, c)| {
            matches!(c, '.' | '!' | '?')
                && paragraph[end + i + 1..]
                    .chars()
                    .next()
                    .is_none_or(char::is_whitespace)
        })
        .map_or(paragraph.len(), |(i, c)| end + i + c.len_utf8());
    paragraph[from..to]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_leaves_out_headings_code_links_and_template_code() {
        let text = "+++\ntitle = \"x\"\n+++\n## A grinder heading\n\nA grinder here. See [the grinder](@/a.md).\n\n```\ngrinder\n```\n\nInline `grinder` and {{ shortcode(grinder=1) }} too.\n";
        let body_at = text.find("## ").unwrap();
        let found = prose(text, body_at);
        let pieces: Vec<&str> = found.iter().map(|p| &text[p.range.clone()]).collect();
        assert!(pieces.contains(&"A grinder here. See "), "{pieces:?}");
        assert!(pieces.contains(&"Inline "), "{pieces:?}");
        assert!(
            pieces
                .iter()
                .all(|p| !p.contains("heading") && !p.contains("the grinder"))
        );
        assert!(pieces.iter().all(|p| *p != "grinder\n"));
        assert!(!pieces.iter().any(|p| p.contains("shortcode")));
        let first = &found[0];
        let at = text.find("grinder here").unwrap();
        assert_eq!(sentence(text, &first.block, at..at + 7), "A grinder here.");
    }
}
