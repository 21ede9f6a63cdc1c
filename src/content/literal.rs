//! What Tera must not evaluate in content: code (fenced and indented
//! blocks, code spans) and Zola's escaped calls (`{{/* shortcode() */}}`,
//! `{%/* ... */%}`), which stand for the literal call. Before expansion
//! each is set aside and replaced by a token Tera passes through; after
//! expansion the tokens are replaced by the text they stand for.

use pulldown_cmark::{Event, Options, Parser, Tag};

/// Token delimiters: private-use characters. Text may hold them too (a
/// hostile draft or import can), so a token also carries [`nonce`]: a
/// token written in a file never matches, and a literal can only come
/// back where Tera put it.
const OPEN: char = '\u{F8F0}';
const CLOSE: char = '\u{F8F1}';

/// A random number of this process, part of every token, which content
/// cannot know (it is in no context and no file).
fn nonce() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    static NONCE: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *NONCE.get_or_init(|| {
        std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish()
    })
}

/// A content file's text as Tera sees it, and the literal text its tokens
/// stand for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protected {
    /// The text with literal parts replaced by tokens.
    pub template: String,
    literals: Vec<String>,
}

/// Whether `text` holds Tera syntax.
pub(super) fn has_tera_syntax(text: &str) -> bool {
    text.contains("{{") || text.contains("{%") || text.contains("{#")
}

impl Protected {
    /// `text` with its code (after the front matter, which starts at byte
    /// `body_start`) and escaped calls set aside; `None` when it holds no
    /// Tera syntax at all. What is left may need no Tera either (see
    /// [`Protected::needs_tera`]).
    pub fn new(text: &str, body_start: usize) -> Option<Protected> {
        if !has_tera_syntax(text) {
            return None;
        }
        let body = &text[body_start..];
        let mut template = String::with_capacity(text.len());
        // Zola's calls with arguments separated by spaces get commas.
        let set_aside_escapes = |text: &str, literals: &mut Vec<String>| {
            set_aside_escapes(&super::call_commas::add_missing_commas(text), literals)
        };
        let mut literals = Vec::new();
        template.push_str(&set_aside_escapes(&text[..body_start], &mut literals));
        let mut done = 0;
        for range in code_ranges(body) {
            let code = &body[range.clone()];
            if !has_tera_syntax(code) {
                continue;
            }
            template.push_str(&set_aside_escapes(&body[done..range.start], &mut literals));
            template.push_str(&token(literals.len()));
            literals.push(unescape_calls(code));
            done = range.end;
        }
        template.push_str(&set_aside_escapes(&body[done..], &mut literals));
        Some(Protected { template, literals })
    }

    /// Whether the template holds Tera syntax besides what was set aside.
    pub fn needs_tera(&self) -> bool {
        has_tera_syntax(&self.template)
    }

    /// `rendered` (the template's output) with each token replaced by the
    /// literal text it stands for.
    pub fn restore(&self, rendered: &str) -> String {
        if self.literals.is_empty() {
            return rendered.to_string();
        }
        let mut out = String::with_capacity(rendered.len());
        let mut rest = rendered;
        while let Some(start) = rest.find(OPEN) {
            out.push_str(&rest[..start]);
            let after = &rest[start + OPEN.len_utf8()..];
            let literal = after.find(CLOSE).and_then(|end| {
                let (nonce, index) = after[..end].split_once(':')?;
                if u64::from_str_radix(nonce, 16).ok()? != self::nonce() {
                    return None;
                }
                Some((self.literals.get(index.parse::<usize>().ok()?)?, end))
            });
            match literal {
                Some((text, end)) => {
                    out.push_str(text);
                    rest = &after[end + CLOSE.len_utf8()..];
                }
                None => {
                    out.push(OPEN);
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// Front matter that is not a template (imported from another generator)
/// with its Tera syntax written so that it prints as it is. Backtick
/// strings (`{{ `{{` }}`) fit inside TOML and YAML strings of any quoting.
pub fn escape_front_matter(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    escape_openers(text, '`', &mut out);
    out
}

/// `body`, Markdown that is not a template (a Hugo or WordPress page),
/// with Tera syntax outside code written so that it prints as it is:
/// `{{` becomes `{{ "{{" }}`. Code needs no escaping: it is never
/// evaluated.
pub fn escape_template_syntax(body: &str) -> String {
    if !has_tera_syntax(body) {
        return body.to_string();
    }
    let mut out = String::with_capacity(body.len() + 16);
    let mut done = 0;
    for range in code_ranges(body) {
        escape_openers(&body[done..range.start], '"', &mut out);
        out.push_str(&body[range.clone()]);
        done = range.end;
    }
    escape_openers(&body[done..], '"', &mut out);
    out
}

/// Tera that prints `opener` (`{{`, `{%` or `{#`) as text: `{{ "{{" }}`.
pub fn escaped_opener(opener: &str) -> String {
    format!("{{{{ \"{opener}\" }}}}")
}

/// Appends `text` to `out` with every Tera opener written as a string
/// expression quoted with `quote`.
fn escape_openers(text: &str, quote: char, out: &mut String) {
    let mut rest = text;
    while let Some(at) = rest.find('{') {
        out.push_str(&rest[..at]);
        match rest
            .get(at..at + 2)
            .filter(|o| ["{{", "{%", "{#"].contains(o))
        {
            Some(opener) => {
                out.push_str(&format!("{{{{ {quote}{opener}{quote} }}}}"));
                rest = &rest[at + 2..];
            }
            None => {
                out.push('{');
                rest = &rest[at + 1..];
            }
        }
    }
    out.push_str(rest);
}

fn token(index: usize) -> String {
    format!("{OPEN}{:x}:{index}{CLOSE}", nonce())
}

/// Byte ranges of `body` holding code: fenced and indented code blocks
/// and code spans, in order.
pub fn code_ranges(body: &str) -> Vec<std::ops::Range<usize>> {
    let mut ranges: Vec<std::ops::Range<usize>> = Vec::new();
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS;
    for (event, range) in Parser::new_ext(body, options).into_offset_iter() {
        let is_code = matches!(event, Event::Code(_) | Event::Start(Tag::CodeBlock(_)));
        if is_code && ranges.last().is_none_or(|last| range.start >= last.end) {
            ranges.push(range);
        }
    }
    ranges
}

/// Zola's escaped calls in code stand for the call itself:
/// `{{/* f() */}}` -> `{{ f() }}`.
fn unescape_calls(code: &str) -> String {
    code.replace("{{/*", "{{")
        .replace("*/}}", "}}")
        .replace("{%/*", "{%")
        .replace("*/%}", "%}")
}

/// `text` with each escaped call outside code set aside as the literal
/// call.
fn set_aside_escapes(text: &str, literals: &mut Vec<String>) -> String {
    if !text.contains("/*") {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let next = [("{{/*", "*/}}"), ("{%/*", "*/%}")]
            .iter()
            .filter_map(|&(open, close)| rest.find(open).map(|at| (at, close)))
            .min_by_key(|&(at, _)| at);
        let Some((at, close)) = next else {
            break;
        };
        let Some(end) = rest[at..].find(close).map(|e| at + e + close.len()) else {
            break;
        };
        out.push_str(&rest[..at]);
        out.push_str(&token(literals.len()));
        literals.push(unescape_calls(&rest[at..end]));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str, rendered: impl Fn(&str) -> String) -> String {
        let protected = Protected::new(text, 0).expect("has Tera syntax");
        protected.restore(&rendered(&protected.template))
    }

    #[test]
    fn code_is_set_aside_and_restored() {
        let text = "Hi {{ name }}.\n\n```jinja\n{{ page.title }}\n```\n\nUse `{% if x %}` here.\n\n    {{ indented }}\n";
        let protected = Protected::new(text, 0).unwrap();
        assert!(!protected.template.contains("page.title"));
        assert!(!protected.template.contains("{% if x %}"));
        assert!(!protected.template.contains("indented"));
        assert!(protected.template.contains("{{ name }}"));
        let out = round_trip(text, |t| t.replace("{{ name }}", "Ann"));
        assert_eq!(out, text.replace("{{ name }}", "Ann"));
    }

    #[test]
    fn code_alone_needs_no_tera_and_front_matter_is_expanded() {
        let code = Protected::new("Just `{{ x }}` in code.\n", 0).unwrap();
        assert!(!code.needs_tera());
        assert_eq!(code.restore(&code.template), "Just `{{ x }}` in code.\n");
        assert_eq!(Protected::new("No syntax.", 0), None);
        let text = "+++\ntitle = \"{{ site.title }}\"\n+++\n    indented code {{ x }}\n";
        // The front matter is never read as Markdown.
        let body_start = text.rfind("+++\n").unwrap() + 4;
        let protected = Protected::new(text, body_start).unwrap();
        assert!(!protected.template.contains("{{ x }}"));
        assert!(
            protected
                .template
                .starts_with("+++\ntitle = \"{{ site.title }}\"")
        );
    }

    #[test]
    fn escaped_template_syntax_prints_as_written() {
        let body = "Hugo's {{ .Title }} and {% x %} and {#c#}, `{{ code }}` kept.\n";
        let escaped = escape_template_syntax(body);
        assert!(escaped.contains("`{{ code }}`"), "{escaped}");
        let mut tera = tera::Tera::default();
        tera.add_raw_template("t", &Protected::new(&escaped, 0).unwrap().template)
            .unwrap();
        let protected = Protected::new(&escaped, 0).unwrap();
        let rendered = tera.render("t", &tera::Context::new()).unwrap();
        assert_eq!(protected.restore(&rendered), body);
    }

    #[test]
    fn escaped_front_matter_prints_as_written() {
        for text in [
            "title = \"use {{}} and {% x %}\"\n",
            "title = 'say \"{{ x }}\"'\n",
        ] {
            let escaped = escape_front_matter(text);
            let mut tera = tera::Tera::default();
            tera.add_raw_template("t", &escaped).unwrap();
            assert_eq!(tera.render("t", &tera::Context::new()).unwrap(), text);
        }
    }

    #[test]
    fn zola_escapes_print_the_literal_call() {
        let text = "```\n{{/* youtube(id=\"x\") */}}\n```\n\nOutside: {{/* gallery() */}} and {%/* quote() */%}.\n";
        let out = round_trip(text, str::to_string);
        assert_eq!(
            out,
            "```\n{{ youtube(id=\"x\") }}\n```\n\nOutside: {{ gallery() }} and {% quote() %}.\n"
        );
    }

    #[test]
    fn tokens_follow_the_template_logic() {
        let text = "{% if false %}`{{ a }}`{% endif %}{% for i in [1, 2] %}`{{ b }}`{% endfor %}";
        let protected = Protected::new(text, 0).unwrap();
        // As Tera would render it: the `if` drops a token, the loop doubles one.
        let rendered = format!("{0}{0}", token(1));
        assert_eq!(protected.restore(&rendered), "`{{ b }}``{{ b }}`");
    }

    #[test]
    fn a_token_written_in_the_text_is_not_a_literal() {
        // A hostile file writes a token where raw HTML would run the code
        // span's text; it must stay as written.
        let wrong_separator = token(0).replace(':', ";");
        for forged in ["\u{F8F0}0\u{F8F1}", &wrong_separator, "\u{F8F0}0:0\u{F8F1}"] {
            let text = format!("<div>\n{forged}\n\n`{{{{x}}}}<script>`\n");
            let protected = Protected::new(&text, 0).unwrap();
            let restored = protected.restore(&protected.template);
            assert_eq!(restored.matches("<script>").count(), 1, "{restored}");
            assert!(restored.contains(forged), "{restored}");
        }
    }
}
