//! HTML to Markdown, for WordPress post bodies: paragraphs, headings,
//! lists, quotes, code, emphasis, links and images become Markdown; what
//! Markdown cannot say (tables, embeds, figures with captions, styled
//! inline elements) stays as raw HTML, which Markdown passes through.
//!
//! With `autop`, text outside block elements is split into paragraphs at
//! blank lines and its single line breaks are kept, as WordPress's classic
//! editor (`wpautop`) shows them.

use crate::html_scan::{parse_tag, unescape};

/// How to convert.
pub struct Options<'a> {
    /// Text outside blocks is paragraphs split at blank lines.
    pub autop: bool,
    /// Rewrites a link or image URL (an old permalink to an `@/` link).
    pub rewrite_url: &'a dyn Fn(&str) -> String,
}

/// A parsed HTML node.
#[derive(Debug, Clone)]
enum Node {
    /// Text as written (character references not decoded).
    Text(String),
    Element(Element),
    /// A comment's text.
    Comment(String),
}

#[derive(Debug, Clone)]
struct Element {
    name: String,
    /// Attributes as written (values not decoded).
    attributes: Vec<(String, Option<String>)>,
    children: Vec<Node>,
}

impl Element {
    fn attribute(&self, name: &str) -> Option<String> {
        self.attributes
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.as_deref().map(unescape))
    }
}

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];
const RAW_TEXT: &[&str] = &["script", "style", "textarea"];
/// Elements that end an open `<p>`.
const CLOSES_P: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "details",
    "div",
    "dl",
    "fieldset",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "ul",
];
/// Containers whose children are read as blocks, their own markup dropped.
const TRANSPARENT: &[&str] = &[
    "div", "section", "article", "main", "header", "footer", "aside", "span", "font", "center",
];

/// The deepest element kept: tags opened deeper are dropped and their
/// content joins the element they are in (browsers stop nesting at 512).
/// Converting and dropping the tree recurse, so its depth must be bounded
/// whatever the input: 100,000 nested `<em>` would overflow the stack.
pub const MAX_DEPTH: usize = 200;

/// Parses `html` into nodes, tolerating what browsers tolerate: unclosed
/// `<p>` and `<li>`, stray closing tags. The tree is at most [`MAX_DEPTH`]
/// deep; the count of tags dropped to keep it so comes with it.
fn parse(html: &str) -> (Vec<Node>, usize) {
    let mut flattened = 0;
    let mut stack: Vec<Element> = vec![Element {
        name: String::new(),
        attributes: Vec::new(),
        children: Vec::new(),
    }];
    let mut rest = html;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("<!--") {
            let end = after.find("-->").unwrap_or(after.len());
            push(&mut stack, Node::Comment(after[..end].to_string()));
            rest = after.get(end + 3..).unwrap_or("");
            continue;
        }
        if rest.starts_with('<')
            && let Some(tag) = parse_tag(rest)
        {
            let name = tag.name.to_ascii_lowercase();
            rest = &rest[tag.len..];
            if tag.closing {
                if let Some(depth) = stack.iter().rposition(|e| e.name == name)
                    && depth > 0
                {
                    while stack.len() > depth {
                        close(&mut stack);
                    }
                }
                continue;
            }
            let top = stack.last().map(|e| e.name.as_str()).unwrap_or_default();
            if (top == "p" && CLOSES_P.contains(&name.as_str())) || (top == "li" && name == "li") {
                close(&mut stack);
            }
            let element = Element {
                attributes: tag
                    .attributes
                    .iter()
                    .map(|(n, v)| (n.to_ascii_lowercase(), v.map(str::to_string)))
                    .collect(),
                name: name.clone(),
                children: Vec::new(),
            };
            if stack.len() > MAX_DEPTH && !VOID.contains(&name.as_str()) {
                flattened += 1;
            } else if VOID.contains(&name.as_str()) || tag.self_closing {
                push(&mut stack, Node::Element(element));
            } else if RAW_TEXT.contains(&name.as_str()) {
                let end_tag = format!("</{name}");
                let end = rest
                    .to_ascii_lowercase()
                    .find(&end_tag)
                    .unwrap_or(rest.len());
                let mut element = element;
                element.children.push(Node::Text(rest[..end].to_string()));
                push(&mut stack, Node::Element(element));
                rest = &rest[end..];
                if let Some(close_at) = rest.find('>') {
                    rest = &rest[close_at + 1..];
                }
            } else {
                stack.push(element);
            }
            continue;
        }
        let first = rest.chars().next().map_or(1, char::len_utf8);
        let end = rest[first..].find('<').map_or(rest.len(), |i| i + first);
        push(&mut stack, Node::Text(rest[..end].to_string()));
        rest = &rest[end..];
    }
    while stack.len() > 1 {
        close(&mut stack);
    }
    let nodes = stack.pop().map(|root| root.children).unwrap_or_default();
    (nodes, flattened)
}

fn push(stack: &mut [Element], node: Node) {
    if let Some(top) = stack.last_mut() {
        top.children.push(node);
    }
}

fn close(stack: &mut Vec<Element>) {
    if let Some(element) = stack.pop() {
        push(stack, Node::Element(element));
    }
}

/// Converts `html` to Markdown; also returns how many tags nested deeper
/// than [`MAX_DEPTH`] were dropped (their text is kept).
pub fn to_markdown(html: &str, options: &Options<'_>) -> (String, usize) {
    let (nodes, flattened) = parse(html);
    let blocks = Converter { options }.blocks(&nodes, options.autop);
    let mut out = blocks.join("\n\n");
    out.push('\n');
    (out, flattened)
}

struct Converter<'a> {
    options: &'a Options<'a>,
}

impl Converter<'_> {
    /// Nodes in block context, as Markdown blocks.
    fn blocks(&self, nodes: &[Node], autop: bool) -> Vec<String> {
        let mut blocks = Vec::new();
        let mut run: Vec<&Node> = Vec::new();
        for node in nodes {
            match node {
                Node::Element(e) if is_block(e) => {
                    self.flush(&mut run, autop, &mut blocks);
                    blocks.extend(self.block(e));
                }
                Node::Comment(text) if is_more(text) => {
                    self.flush(&mut run, autop, &mut blocks);
                    blocks.push("<!-- more -->".into());
                }
                Node::Comment(_) => {}
                node => run.push(node),
            }
        }
        self.flush(&mut run, autop, &mut blocks);
        blocks
    }

    /// Ends a run of inline nodes: one paragraph, or with `autop` one per
    /// blank-line-separated part.
    fn flush(&self, run: &mut Vec<&Node>, autop: bool, blocks: &mut Vec<String>) {
        if run.is_empty() {
            return;
        }
        let text = self.inline(run.drain(..), autop);
        if autop {
            for paragraph in text.split("\n\n") {
                let lines: Vec<String> = paragraph
                    .lines()
                    .map(|l| collapse_spaces(l.trim()))
                    .filter(|l| !l.is_empty())
                    .collect();
                if !lines.is_empty() {
                    blocks.push(lines.join("\\\n"));
                }
            }
        } else {
            let text = text.trim();
            if !text.is_empty() {
                blocks.push(text.to_string());
            }
        }
    }

    /// One block element as Markdown blocks.
    fn block(&self, e: &Element) -> Vec<String> {
        let one = |text: String| {
            if text.trim().is_empty() {
                Vec::new()
            } else {
                vec![text]
            }
        };
        match e.name.as_str() {
            "p" => one(self.inline(e.children.iter(), false).trim().to_string()),
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                let level = e.name[1..].parse().unwrap_or(2);
                let text = self
                    .inline(e.children.iter(), false)
                    .trim()
                    .replace('\n', " ");
                one(format!("{} {text}", "#".repeat(level)))
            }
            "ul" | "ol" => one(self.list(e)),
            "blockquote" => {
                let inner = self.blocks(&e.children, self.options.autop).join("\n\n");
                one(inner
                    .lines()
                    .map(|l| {
                        if l.is_empty() {
                            ">".to_string()
                        } else {
                            format!("> {l}")
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("\n"))
            }
            "pre" => one(code_block(e)),
            "hr" => vec!["* * *".into()],
            "figure" => self.figure(e),
            name if TRANSPARENT.contains(&name) => self.blocks(&e.children, self.options.autop),
            _ => one(raw_html(&Node::Element(e.clone()))),
        }
    }

    fn list(&self, e: &Element) -> String {
        let ordered = e.name == "ol";
        let mut number: usize = e
            .attribute("start")
            .and_then(|s| s.parse().ok())
            .unwrap_or(1);
        let mut items = Vec::new();
        for child in &e.children {
            let Node::Element(item) = child else { continue };
            if item.name != "li" {
                continue;
            }
            let marker = if ordered {
                format!("{number}. ")
            } else {
                "- ".to_string()
            };
            number += 1;
            let body = self.blocks(&item.children, false).join("\n\n");
            let indent = " ".repeat(marker.len());
            let mut lines = body.lines();
            let mut text = format!("{marker}{}", lines.next().unwrap_or_default());
            for line in lines {
                text.push('\n');
                if !line.is_empty() {
                    text.push_str(&indent);
                    text.push_str(line);
                }
            }
            items.push(text);
        }
        items.join("\n")
    }

    /// A figure: a lone image becomes Markdown; with a caption or other
    /// content it stays HTML; an embed's URL becomes a link.
    fn figure(&self, e: &Element) -> Vec<String> {
        let elements: Vec<&Element> = e
            .children
            .iter()
            .filter_map(|n| match n {
                Node::Element(c) => Some(c),
                _ => None,
            })
            .collect();
        if let [only] = elements.as_slice()
            && (only.name == "img" || only.name == "a")
        {
            return vec![self.inline(e.children.iter(), false).trim().to_string()];
        }
        let text = text_content(&e.children);
        let url = text.trim();
        if e.attribute("class")
            .is_some_and(|c| c.contains("wp-block-embed"))
            && url.starts_with("http")
            && !url.contains(char::is_whitespace)
        {
            return vec![format!("<{url}>")];
        }
        vec![raw_html(&Node::Element(e.clone()))]
    }

    /// Inline nodes as Markdown text; newlines are kept with `keep_lines`
    /// (for `autop`), else collapsed like other whitespace.
    fn inline<'n>(&self, nodes: impl Iterator<Item = &'n Node>, keep_lines: bool) -> String {
        let mut out = String::new();
        for node in nodes {
            match node {
                Node::Text(text) => out.push_str(&escape_text(&unescape(text), keep_lines)),
                Node::Comment(_) => {}
                Node::Element(e) => out.push_str(&self.inline_element(e, keep_lines)),
            }
        }
        if !keep_lines {
            out = collapse_spaces(&out);
        }
        out
    }

    fn inline_element(&self, e: &Element, keep_lines: bool) -> String {
        let inner = || self.inline(e.children.iter(), keep_lines);
        let wrap = |mark: &str| {
            let text = inner();
            let trimmed = text.trim();
            if trimmed.is_empty() {
                return text;
            }
            let lead = &text[..text.len() - text.trim_start().len()];
            let trail = &text[text.trim_end().len()..];
            format!("{lead}{mark}{trimmed}{mark}{trail}")
        };
        match e.name.as_str() {
            "strong" | "b" => wrap("**"),
            "em" | "i" => wrap("*"),
            "del" | "s" | "strike" => wrap("~~"),
            "code" => {
                let code = unescape(&text_content(&e.children));
                let fence = if code.contains('`') { "``" } else { "`" };
                let pad = if code.starts_with('`') || code.ends_with('`') {
                    " "
                } else {
                    ""
                };
                format!("{fence}{pad}{code}{pad}{fence}")
            }
            "br" => {
                if keep_lines {
                    "\n".into()
                } else {
                    "\\\n".into()
                }
            }
            "img" => self.image(e),
            "a" => {
                let text = inner();
                match e.attribute("href") {
                    Some(href) if !href.is_empty() => {
                        let href = (self.options.rewrite_url)(&href);
                        let title = e
                            .attribute("title")
                            .map(|t| format!(" \"{}\"", t.replace('"', "\\\"")))
                            .unwrap_or_default();
                        format!("[{}]({}{title})", text.trim(), destination(&href))
                    }
                    _ => text,
                }
            }
            "span" | "font" | "u" | "small" | "label" => inner(),
            "sup" | "sub" | "mark" | "abbr" | "kbd" | "cite" | "q" | "time" | "var" | "samp"
            | "iframe" | "video" | "audio" | "script" | "button" | "input" => {
                raw_html(&Node::Element(e.clone())).replace('\n', " ")
            }
            _ => inner(),
        }
    }

    fn image(&self, e: &Element) -> String {
        let src = (self.options.rewrite_url)(&e.attribute("src").unwrap_or_default());
        let alt = e
            .attribute("alt")
            .unwrap_or_default()
            .replace(['[', ']'], "");
        let title = e
            .attribute("title")
            .map(|t| format!(" \"{}\"", t.replace('"', "\\\"")))
            .unwrap_or_default();
        format!("![{alt}]({}{title})", destination(&src))
    }
}

fn is_block(e: &Element) -> bool {
    matches!(
        e.name.as_str(),
        "p" | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "ul"
            | "ol"
            | "blockquote"
            | "pre"
            | "hr"
            | "figure"
            | "div"
            | "section"
            | "article"
            | "main"
            | "header"
            | "footer"
            | "aside"
            | "table"
            | "dl"
            | "details"
            | "form"
            | "iframe"
            | "video"
            | "audio"
            | "object"
            | "embed"
            | "noscript"
            | "style"
            | "script"
            | "center"
            | "address"
            | "fieldset"
            | "nav"
    )
}

/// `<!--more-->`, in any spacing.
fn is_more(comment: &str) -> bool {
    comment.trim().eq_ignore_ascii_case("more")
}

/// A fenced code block from `<pre>` (with or without `<code>`); the
/// language from a `language-x` or `lang-x` class.
fn code_block(pre: &Element) -> String {
    let code = pre.children.iter().find_map(|n| match n {
        Node::Element(e) if e.name == "code" => Some(e),
        _ => None,
    });
    let class = code
        .and_then(|c| c.attribute("class"))
        .or_else(|| pre.attribute("class"))
        .unwrap_or_default();
    let language = class
        .split_whitespace()
        .find_map(|c| {
            c.strip_prefix("language-")
                .or_else(|| c.strip_prefix("lang-"))
        })
        .unwrap_or_default();
    let text = unescape(&text_content(&pre.children));
    let text = text.trim_matches('\n');
    let mut fence = "```".to_string();
    while text.contains(&fence) {
        fence.push('`');
    }
    format!("{fence}{language}\n{text}\n{fence}")
}

/// The text of nodes, tags dropped, `<br>` as a newline; references not
/// decoded.
fn text_content(nodes: &[Node]) -> String {
    let mut out = String::new();
    for node in nodes {
        match node {
            Node::Text(text) => out.push_str(text),
            Node::Element(e) if e.name == "br" => out.push('\n'),
            Node::Element(e) => out.push_str(&text_content(&e.children)),
            Node::Comment(_) => {}
        }
    }
    out
}

/// A node as HTML again, with no blank lines (which would end a Markdown
/// HTML block).
fn raw_html(node: &Node) -> String {
    let mut out = String::new();
    write_html(node, &mut out);
    let mut text = out.trim().to_string();
    while text.contains("\n\n") {
        text = text.replace("\n\n", "\n");
    }
    text.lines()
        .map(str::trim_start)
        .collect::<Vec<_>>()
        .join("\n")
}

fn write_html(node: &Node, out: &mut String) {
    match node {
        Node::Text(text) => out.push_str(text),
        Node::Comment(_) => {}
        Node::Element(e) => {
            out.push('<');
            out.push_str(&e.name);
            for (name, value) in &e.attributes {
                out.push(' ');
                out.push_str(name);
                if let Some(value) = value {
                    out.push_str(&format!("=\"{}\"", value.replace('"', "&quot;")));
                }
            }
            out.push('>');
            if VOID.contains(&e.name.as_str()) {
                return;
            }
            for child in &e.children {
                write_html(child, out);
            }
            out.push_str(&format!("</{}>", e.name));
        }
    }
}

/// A link destination: in `<>` when it holds spaces or parentheses.
fn destination(url: &str) -> String {
    if url.contains([' ', '(', ')']) {
        format!("<{}>", url.replace('>', "%3E"))
    } else {
        url.to_string()
    }
}

/// Decoded text with Markdown's special characters escaped.
fn escape_text(text: &str, keep_lines: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let prev = if i > 0 { chars[i - 1] } else { ' ' };
        let next = chars.get(i + 1).copied().unwrap_or(' ');
        match c {
            '\\' | '`' | '*' | '[' | ']' | '<' => {
                out.push('\\');
                out.push(c);
            }
            '_' if !(prev.is_alphanumeric() && next.is_alphanumeric()) => out.push_str("\\_"),
            '\u{a0}' => out.push('\u{a0}'),
            '\n' | '\r' | '\t' if !keep_lines => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Runs of spaces to one, and what would start a Markdown block at the
/// start of the text escaped.
fn collapse_spaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last_space = false;
    for c in text.chars() {
        if c == ' ' || c == '\t' {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(c);
            last_space = c == '\n';
        }
    }
    escape_line_start(&out)
}

/// Escapes a leading `#`, `>`, `-`, `+`, `=` or `1.` of each line, which
/// Markdown would read as a block.
fn escape_line_start(text: &str) -> String {
    text.split('\n')
        .map(|line| {
            let trimmed = line.trim_start();
            let digits = trimmed.chars().take_while(char::is_ascii_digit).count();
            let numbered =
                digits > 0 && matches!(trimmed[digits..].chars().next(), Some('.') | Some(')'));
            if numbered {
                format!("{}\\{}", &trimmed[..digits], &trimmed[digits..])
            } else if trimmed.starts_with(['#', '>', '-', '+', '=']) {
                format!("\\{trimmed}")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(html: &str, autop: bool) -> String {
        let rewrite = |url: &str| url.replace("https://old.example.com/hello/", "@/blog/hello.md");
        to_markdown(
            html,
            &Options {
                autop,
                rewrite_url: &rewrite,
            },
        )
        .0
    }

    #[test]
    fn deep_nesting_is_flattened_not_a_stack_overflow() {
        for (open, close) in [
            ("<em>", "</em>"),
            ("<ul><li>", "</li></ul>"),
            ("<blockquote>", "</blockquote>"),
            ("<table><tr><td>", "</td></tr></table>"),
            ("<div>", "</div>"),
            ("<em>", ""),
        ] {
            let depth = 100_000;
            let html = format!("{}deep text{}", open.repeat(depth), close.repeat(depth));
            // On a thread with a small stack, as rayon's workers have.
            let (markdown, flattened) = std::thread::Builder::new()
                .stack_size(2 << 20)
                .spawn(move || {
                    let rewrite = |url: &str| url.to_string();
                    let options = Options {
                        autop: false,
                        rewrite_url: &rewrite,
                    };
                    to_markdown(&html, &options)
                })
                .unwrap()
                .join()
                .unwrap();
            assert!(markdown.contains("deep text"), "{open}");
            assert!(flattened > 0, "{open}");
        }
    }

    #[test]
    fn common_markup_becomes_markdown() {
        let html = "<h2>Pick <em>one</em></h2>\n<p>A <strong>bold</strong> move &amp; a <a href=\"https://old.example.com/hello/\">link</a> with <code>a*b</code>.</p>\n<ul><li>One</li><li>Two <b>2</b></li></ul><ol start=\"3\"><li>Three<li>Four</ol><blockquote><p>Quoted</p></blockquote><pre class=\"wp-block-code\"><code class=\"language-rust\">fn main() {\n    x &lt; y;\n}</code></pre><hr><p><img src=\"a.png\" alt=\"An [a]\"></p>";
        let out = md(html, false);
        assert_eq!(
            out,
            "## Pick *one*\n\nA **bold** move & a [link](@/blog/hello.md) with `a*b`.\n\n- One\n- Two **2**\n\n3. Three\n4. Four\n\n> Quoted\n\n```rust\nfn main() {\n    x < y;\n}\n```\n\n* * *\n\n![An a](a.png)\n"
        );
    }

    #[test]
    fn classic_editor_text_is_split_into_paragraphs() {
        let out = md(
            "First line\nsecond line\n\nNew paragraph with *stars*.<!--more-->\n\nAfter.",
            true,
        );
        assert_eq!(
            out,
            "First line\\\nsecond line\n\nNew paragraph with \\*stars\\*.\n\n<!-- more -->\n\nAfter.\n"
        );
    }

    #[test]
    fn what_markdown_cannot_say_stays_html() {
        let out = md(
            "<figure class=\"wp-block-image\"><img src=\"b.jpg\" alt=\"\"/><figcaption>Cap</figcaption></figure>\n\n<table><tr><td>1</td></tr>\n\n<tr><td>2</td></tr></table><p>x<sup>2</sup></p>",
            false,
        );
        assert!(out.contains("<figure class=\"wp-block-image\"><img src=\"b.jpg\" alt=\"\"><figcaption>Cap</figcaption></figure>"), "{out}");
        assert!(
            out.contains("<table><tr><td>1</td></tr>\n<tr><td>2</td></tr></table>"),
            "{out}"
        );
        assert!(out.contains("x<sup>2</sup>"), "{out}");
        let embed = md(
            "<figure class=\"wp-block-embed is-type-video\"><div class=\"wp-block-embed__wrapper\">\nhttps://www.youtube.com/watch?v=abc\n</div></figure>",
            false,
        );
        assert_eq!(embed, "<https://www.youtube.com/watch?v=abc>\n");
    }

    #[test]
    fn text_may_start_with_any_character() {
        assert_eq!(md("“Quoted” <b>bold</b> é", false), "“Quoted” **bold** é\n");
        assert_eq!(md("< not a tag", false), "\\< not a tag\n");
    }

    #[test]
    fn text_that_looks_like_markdown_is_escaped() {
        let out = md(
            "<p># not a heading</p><p>1. not a list</p><p>snake_case and _under_</p>",
            false,
        );
        assert_eq!(
            out,
            "\\# not a heading\n\n1\\. not a list\n\nsnake_case and \\_under\\_\n"
        );
    }
}
