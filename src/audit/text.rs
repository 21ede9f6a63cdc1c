//! A page's own text: its rendered body without shortcode output (product
//! boxes, tables), the affiliate disclosure, scripts and styles; and the
//! words and sentences in it.

use crate::html_scan::{parse_tag, unescape};
use crate::render::{SHORTCODE_END, SHORTCODE_START};

/// The visible text of a rendered page body, blocks separated by newlines;
/// with `code` false, without code blocks and spans either.
pub fn page_text(html: &str, code: bool) -> String {
    let mut text = String::with_capacity(html.len() / 2);
    let mut rest = html;
    // Depth of elements being skipped, and their names.
    let mut skipping: Vec<String> = Vec::new();
    while let Some(lt) = rest.find('<') {
        if skipping.is_empty() {
            push_unescaped(&mut text, &rest[..lt]);
        }
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix(SHORTCODE_START) {
            rest = after
                .find(SHORTCODE_END)
                .map_or("", |end| &after[end + SHORTCODE_END.len()..]);
            text.push('\n');
            continue;
        }
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |end| &after[end + 3..]);
            continue;
        }
        let Some(tag) = parse_tag(rest) else {
            if skipping.is_empty() {
                text.push('<');
            }
            rest = &rest[1..];
            continue;
        };
        let name = tag.name.to_ascii_lowercase();
        let skipped = matches!(name.as_str(), "script" | "style" | "template")
            || (!code && matches!(name.as_str(), "pre" | "code"))
            || tag
                .attribute("class")
                .is_some_and(|c| c.split_whitespace().any(|c| c == "affiliate-disclosure"));
        if tag.closing {
            if skipping.last() == Some(&name) {
                skipping.pop();
            }
        } else if (skipped || !skipping.is_empty()) && !tag.self_closing && !is_void(&name) {
            skipping.push(name.clone());
        }
        if is_block(&name) {
            text.push('\n');
        }
        rest = &rest[tag.len..];
    }
    if skipping.is_empty() {
        push_unescaped(&mut text, rest);
    }
    text
}

/// Appends HTML text with its entities decoded (most text has none).
fn push_unescaped(out: &mut String, text: &str) {
    if text.contains('&') {
        out.push_str(&unescape(text));
    } else {
        out.push_str(text);
    }
}

fn is_void(name: &str) -> bool {
    matches!(
        name,
        "br" | "hr" | "img" | "input" | "meta" | "link" | "source" | "wbr" | "col" | "area"
    )
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "li"
            | "ul"
            | "ol"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "br"
            | "tr"
            | "td"
            | "th"
            | "table"
            | "blockquote"
            | "pre"
            | "section"
            | "figure"
            | "figcaption"
            | "dt"
            | "dd"
            | "hr"
    )
}

/// Calls `each` with every word of `text`: a run of letters and digits
/// (an apostrophe inside a word kept), lowercased. Returns how many.
pub fn for_each_word(text: &str, mut each: impl FnMut(&str)) -> usize {
    let mut count = 0;
    let mut word = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_alphanumeric() {
            word.push(c.to_ascii_lowercase());
            continue;
        }
        if !c.is_ascii() && c.is_alphanumeric() {
            word.extend(c.to_lowercase());
            continue;
        }
        let inner_apostrophe = (c == '\'' || c == '\u{2019}')
            && !word.is_empty()
            && chars.peek().is_some_and(|n| n.is_alphanumeric());
        if inner_apostrophe {
            word.push('\'');
        } else if !word.is_empty() {
            each(&word);
            count += 1;
            word.clear();
        }
    }
    if !word.is_empty() {
        each(&word);
        count += 1;
    }
    count
}

/// `text` lowercased with typographic apostrophes and quotes made
/// straight: how phrases are compared.
pub fn normalize(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' => '\'',
            '\u{201c}' | '\u{201d}' => '"',
            c => c,
        })
        .collect()
}

/// The sentences of `text` (split after `.`, `!` or `?` and at line ends),
/// trimmed, in order.
pub fn sentences(text: &str) -> Vec<&str> {
    let mut sentences = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let end = match b {
            b'.' | b'!' | b'?' => bytes.get(i + 1).is_none_or(|n| n.is_ascii_whitespace()),
            b'\n' => true,
            _ => false,
        };
        if end {
            let sentence = text[start..=i].trim();
            if !sentence.is_empty() {
                sentences.push(sentence);
            }
            start = i + 1;
        }
    }
    let last = text[start..].trim();
    if !last.is_empty() {
        sentences.push(last);
    }
    sentences
}

/// The 1-based line of the body of `source` (a content file, front
/// matter skipped) holding the first of `needles` found there, compared
/// [`normalize`]d; `None` when none is (the text came from a template or
/// shortcode, or spans lines).
pub fn line_of(source: &str, needles: &[&str]) -> Option<usize> {
    let lines: Vec<String> = source.lines().map(normalize).collect();
    let body = body_start(&lines);
    needles.iter().find_map(|needle| {
        let needle = normalize(needle.trim());
        if needle.is_empty() {
            return None;
        }
        lines[body..]
            .iter()
            .position(|line| line.contains(&needle))
            .map(|index| body + index + 1)
    })
}

/// Index of the first body line: after the closing `+++` or `---` of front
/// matter that opens the file.
fn body_start(lines: &[String]) -> usize {
    let Some(fence) = lines
        .first()
        .map(|l| l.trim_start_matches('\u{feff}').trim())
        .filter(|l| *l == "+++" || *l == "---")
    else {
        return 0;
    };
    lines[1..]
        .iter()
        .position(|line| line.trim() == fence)
        .map_or(0, |index| index + 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_pages_own_text_is_kept() {
        let html = format!(
            "<h2 id=\"a\">Intro</h2>\n<p class=\"affiliate-disclosure\" role=\"note\">We earn <em>commissions</em>.</p>\n<p>Own text &amp; more.</p>\n{SHORTCODE_START}\n<div class=\"product-box\"><p>Grinder</p></div>\n{SHORTCODE_END}\n<script>var x = 1;</script><p>End<br>line</p>"
        );
        let text = page_text(&html, true);
        assert_eq!(
            words(&text),
            ["intro", "own", "text", "more", "end", "line"],
            "{text:?}"
        );
        let code = "<p>Run <code>make it</code> now.</p><pre><code>x = 1</code></pre>";
        assert_eq!(
            words(&page_text(code, true)),
            ["run", "make", "it", "now", "x", "1"]
        );
        assert_eq!(words(&page_text(code, false)), ["run", "now"]);
    }

    fn words(text: &str) -> Vec<String> {
        let mut words = Vec::new();
        let count = for_each_word(text, |w| words.push(w.to_string()));
        assert_eq!(count, words.len());
        words
    }

    #[test]
    fn words_sentences_and_lines() {
        assert_eq!(
            words("Don't stop—ÉTÉ 2026!"),
            ["don't", "stop", "été", "2026"]
        );
        assert_eq!(
            sentences("One two. Three? Four\nfive 3.5 six"),
            ["One two.", "Three?", "Four", "five 3.5 six"]
        );
        assert_eq!(line_of("a\nAs an AI model\nc", &["as an ai"]), Some(2));
        assert_eq!(line_of("a", &["zzz", ""]), None);
        let page = "+++\ntitle = \"{{ site.title }}\"\n+++\n\nI’m here: {{ x }}\n";
        assert_eq!(line_of(page, &["{{"]), Some(5));
        assert_eq!(line_of(page, &["nope", "i'm here"]), Some(5));
    }
}
