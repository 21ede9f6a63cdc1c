//! Making a model's answer safe to write: reject what is unusable, unwrap
//! code fences, and sanitize raw HTML.

use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag};

use super::wire::Finish;
use crate::html_scan::{self, parse_tag};

/// Phrases that mark a refusal or an answer about itself instead of the
/// article. In a short answer they mean "unusable"; `grove review` warns
/// about them anywhere.
pub const AI_PHRASES: &[&str] = &[
    "as an ai language model",
    "as an ai model",
    "i'm sorry, but i can't",
    "i'm sorry, but i cannot",
    "i am sorry, but i cannot",
    "i cannot fulfill",
    "i can't help with",
    "i'm unable to help",
];

/// Checks an answer and returns its text, unwrapped from a code fence, or
/// why it cannot be used.
pub fn check_answer(text: &str, finish: Option<&Finish>) -> Result<String, String> {
    if finish == Some(&Finish::Length) {
        return Err("the answer was cut off at max_tokens (finish_reason = length); raise [llm] max_tokens or lower target_words".into());
    }
    if let Some(Finish::Other(reason)) = finish
        && (reason == "content_filter" || reason == "refusal")
    {
        return Err(format!("the model stopped with `{reason}`"));
    }
    let text = unwrap_fence(text.trim()).trim().to_string();
    if text.is_empty() {
        return Err("the answer is empty".into());
    }
    let words = text.split_whitespace().count();
    let head: String = text.chars().take(300).collect::<String>().to_lowercase();
    if words < 80 && AI_PHRASES.iter().any(|p| head.contains(p)) {
        return Err(format!(
            "the model refused: \"{}\"",
            text.chars().take(120).collect::<String>()
        ));
    }
    Ok(text)
}

/// `"```markdown\n...\n```"` -> `"..."`; anything else is returned as is.
fn unwrap_fence(text: &str) -> &str {
    let Some(rest) = text
        .strip_prefix("```")
        .or_else(|| text.strip_prefix("~~~"))
    else {
        return text;
    };
    let Some(first_newline) = rest.find('\n') else {
        return text;
    };
    let info = rest[..first_newline].trim();
    if !(info.is_empty() || ["markdown", "md"].contains(&info.to_lowercase().as_str())) {
        return text;
    }
    let body = &rest[first_newline + 1..];
    body.trim_end()
        .strip_suffix("```")
        .or_else(|| body.trim_end().strip_suffix("~~~"))
        .unwrap_or(body)
}

/// Drops a leading `# Heading` line: the page template shows the title.
pub fn drop_leading_title(text: &str) -> &str {
    let trimmed = text.trim_start();
    if trimmed.starts_with("# ") {
        trimmed
            .split_once('\n')
            .map_or("", |(_, rest)| rest.trim_start())
    } else {
        text
    }
}

/// Elements removed together with their content.
const DROP_WITH_CONTENT: &[&str] = &[
    "script", "style", "iframe", "object", "noscript", "template", "frameset",
];
/// Elements whose tags are removed but whose content is kept.
const DROP_TAG: &[&str] = &[
    "embed", "form", "input", "button", "textarea", "select", "base", "link", "meta", "frame",
    "applet",
];
/// Attributes that hold URLs.
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "poster",
    "background",
];

/// Sanitizes the raw HTML in Markdown `text` (no scripts, no event handlers,
/// no frames, no `javascript:` URLs) and neutralizes Markdown links with
/// script URLs. Everything else is left byte for byte.
pub fn sanitize_markdown(text: &str) -> String {
    let mut html_ranges: Vec<Range<usize>> = Vec::new();
    let mut link_fixes: Vec<Range<usize>> = Vec::new();
    for (event, range) in Parser::new_ext(text, Options::all()).into_offset_iter() {
        match event {
            Event::Html(_) | Event::InlineHtml(_) => match html_ranges.last_mut() {
                Some(last) if last.end == range.start => last.end = range.end,
                _ => html_ranges.push(range),
            },
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. })
                if is_script_url(&dest_url) =>
            {
                if let Some(at) = text[range.clone()].rfind(dest_url.as_ref()) {
                    let start = range.start + at;
                    link_fixes.push(start..start + dest_url.len());
                }
            }
            _ => {}
        }
    }
    let mut edits: Vec<(Range<usize>, String)> = html_ranges
        .into_iter()
        .map(|r| {
            let clean = sanitize_html(&text[r.clone()]);
            (r, clean)
        })
        .chain(link_fixes.into_iter().map(|r| (r, "#".to_string())))
        .collect();
    edits.sort_by_key(|(r, _)| r.start);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (range, replacement) in edits {
        if range.start < at {
            continue; // inside an edit already made
        }
        out.push_str(&text[at..range.start]);
        out.push_str(&replacement);
        at = range.end;
    }
    out.push_str(&text[at..]);
    out
}

fn is_script_url(url: &str) -> bool {
    let compact: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_lowercase();
    compact.starts_with("javascript:")
        || compact.starts_with("vbscript:")
        || compact.starts_with("data:text/html")
}

/// Sanitizes one run of raw HTML.
pub fn sanitize_html(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            let end = after.find("-->").map_or(rest.len(), |i| i + 4 + 3);
            out.push_str(&rest[..end]);
            rest = &rest[end..];
            continue;
        }
        let Some(tag) = parse_tag(rest) else {
            out.push_str("&lt;");
            rest = &rest[1..];
            continue;
        };
        let name = tag.name.to_lowercase();
        if DROP_WITH_CONTENT.contains(&name.as_str()) && !tag.closing {
            let close = format!("</{name}");
            rest = match find_ignoring_ascii_case(&rest[tag.len..], &close) {
                Some(i) => {
                    let close_start = tag.len + i;
                    let close_end = rest[close_start..]
                        .find('>')
                        .map_or(rest.len(), |j| close_start + j + 1);
                    &rest[close_end..]
                }
                None => "",
            };
            continue;
        }
        if DROP_WITH_CONTENT.contains(&name.as_str()) || DROP_TAG.contains(&name.as_str()) {
            rest = &rest[tag.len..];
            continue;
        }
        out.push_str(&rebuild_tag(&tag));
        rest = &rest[tag.len..];
    }
    out.push_str(rest);
    out
}

/// The byte offset of ASCII `needle` in `haystack`, ignoring ASCII case.
/// (Searching a lowercased copy would not do: lowercasing can change the
/// length of non-ASCII text, so its offsets need not fit the original.)
fn find_ignoring_ascii_case(haystack: &str, needle: &str) -> Option<usize> {
    let (haystack, needle) = (haystack.as_bytes(), needle.as_bytes());
    haystack
        .windows(needle.len())
        .position(|window| window.eq_ignore_ascii_case(needle))
}

fn rebuild_tag(tag: &html_scan::Tag<'_>) -> String {
    if tag.closing {
        return format!("</{}>", tag.name);
    }
    let mut out = format!("<{}", tag.name);
    for (name, value) in &tag.attributes {
        let lower = name.to_lowercase();
        if lower.starts_with("on") || lower == "srcdoc" {
            continue;
        }
        if URL_ATTRIBUTES.contains(&lower.as_str()) && value.is_some_and(is_script_url) {
            continue;
        }
        match value {
            Some(value) => out.push_str(&format!(" {name}=\"{}\"", value.replace('"', "&quot;"))),
            None => out.push_str(&format!(" {name}")),
        }
    }
    out.push_str(if tag.self_closing { " />" } else { ">" });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_are_unwrapped_and_plain_text_kept() {
        assert_eq!(
            check_answer("```markdown\n## A\n\nText\n```", None).unwrap(),
            "## A\n\nText"
        );
        assert_eq!(check_answer("```\nText\n```\n", None).unwrap(), "Text");
        assert_eq!(
            check_answer("Plain ```code``` text", None).unwrap(),
            "Plain ```code``` text"
        );
        assert_eq!(
            check_answer("```rust\nfn x() {}\n```", None).unwrap(),
            "```rust\nfn x() {}\n```"
        );
    }

    #[test]
    fn unusable_answers_are_rejected() {
        assert!(check_answer("  \n", None).is_err());
        assert!(check_answer("Text", Some(&Finish::Length)).is_err());
        assert!(check_answer("I'm sorry, but I can't write that.", None).is_err());
        assert!(check_answer("Text", Some(&Finish::Stop)).is_ok());
    }

    #[test]
    fn scripts_handlers_and_frames_are_removed() {
        let md = "Intro <b onclick=\"x()\">bold</b>.\n\n<script>\nalert(1)\n</script>\n\n<div class=\"box\" onmouseover='y()'>Kept</div>\n\n<iframe src=\"https://evil\"></iframe>\n\n[link](javascript:alert(1)) and <a href=\" JaVaScRiPt:z()\">a</a>\n\n`<script>` in code stays.\n";
        let clean = sanitize_markdown(md);
        assert!(!clean.contains("alert(1)\n"), "{clean}");
        assert!(
            !clean.contains("onclick") && !clean.contains("onmouseover"),
            "{clean}"
        );
        assert!(!clean.contains("iframe"), "{clean}");
        assert!(!clean.to_lowercase().contains("javascript:"), "{clean}");
        assert!(clean.contains("<b>bold</b>"), "{clean}");
        assert!(clean.contains("<div class=\"box\">Kept</div>"), "{clean}");
        assert!(clean.contains("[link](#)"), "{clean}");
        assert!(clean.contains("`<script>` in code stays."), "{clean}");
    }

    #[test]
    fn non_ascii_text_around_dropped_elements_is_kept_intact() {
        // `Ω` lowercases to the same length, `İ` (2 bytes) to 3 bytes: a
        // search in a lowercased copy would cut the original mid-character.
        for html in [
            "<style>Ω Ω</style>after",
            "<STYLE>İİİİ</Style>after",
            "<script>ﬁ İ</SCRIPT >after",
            "<style>unclosed İ",
        ] {
            let clean = sanitize_html(html);
            assert!(
                clean == "after" || clean.is_empty(),
                "{html:?} -> {clean:?}"
            );
        }
        assert_eq!(
            sanitize_markdown("Grüße İstanbul <b>ß</b>\n\n<style>Ω</style>\n\nΩ end\n"),
            "Grüße İstanbul <b>ß</b>\n\n\n\nΩ end\n"
        );
    }

    #[test]
    fn leading_title_is_dropped() {
        assert_eq!(drop_leading_title("# Title\n\nBody"), "Body");
        assert_eq!(drop_leading_title("## Part\n\nBody"), "## Part\n\nBody");
    }
}
