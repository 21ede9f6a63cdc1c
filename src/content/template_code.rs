//! Template code a content file holds outside code, and whether it can
//! build markup. `grove approve` refuses a draft holding such code: text a
//! model wrote is data, and Tera that joins strings (`"<scr" ~ "ipt>"`),
//! filters them (`| safe`), sets variables or defines macros can print
//! HTML that no sanitizer saw.
//!
//! What only prints what it says is allowed: the escape forms Grove writes
//! (`{{ "{{" }}`), Zola's escaped calls (`{{/* call() */}}`), comments,
//! values of the context named plainly (`{{ site.title }}`: the owner's
//! configuration) and calls with literal arguments (`{{ product_box(slug="x") }}`:
//! the theme's shortcodes, which escape what they print).

use super::literal::code_ranges;

/// Template code found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateCode {
    /// Byte offset of its opener in the text.
    pub offset: usize,
    /// The code as written (cut at 80 characters).
    pub code: String,
}

/// Template code in `text` that may build markup, outside the code of the
/// body (which starts at byte `body_start`), in order.
pub fn markup_building_code(text: &str, body_start: usize) -> Vec<TemplateCode> {
    let body_start = body_start.min(text.len());
    let mut skipped: Vec<std::ops::Range<usize>> = code_ranges(&text[body_start..])
        .into_iter()
        .map(|r| r.start + body_start..r.end + body_start)
        .collect();
    skipped.reverse();
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(found_at) = text[at..].find('{') {
        let start = at + found_at;
        while skipped.last().is_some_and(|r| r.end <= start) {
            skipped.pop();
        }
        if let Some(code) = skipped.last().filter(|r| r.start <= start) {
            at = code.end;
            continue;
        }
        let rest = &text[start..];
        let Some(end) = statement_end(rest) else {
            at = start + 1;
            continue;
        };
        let statement = &rest[..end];
        if !prints_only_what_it_says(statement) {
            found.push(TemplateCode {
                offset: start,
                code: statement.chars().take(80).collect(),
            });
        }
        at = start + end;
    }
    found
}

/// The length of the Tera statement at the start of `text` (an opener,
/// then up to its closer outside string literals, or the rest of the text
/// when it is never closed); `None` when `text` does not start with one.
fn statement_end(text: &str) -> Option<usize> {
    let closer = match text.get(..2)? {
        "{{" => "}}",
        "{%" => "%}",
        "{#" => "#}",
        _ => return None,
    };
    if text.starts_with("{{/*") || text.starts_with("{%/*") {
        let end = text.find("*/").map_or(text.len(), |e| e + 2);
        return Some(if text[end..].starts_with(closer) {
            end + 2
        } else {
            end
        });
    }
    if closer == "#}" {
        return Some(text.find("#}").map_or(text.len(), |e| e + 2));
    }
    let mut quote: Option<char> = None;
    for (i, c) in text.char_indices().skip(2) {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if matches!(c, '"' | '\'' | '`') => quote = Some(c),
            None if text[i..].starts_with(closer) => return Some(i + 2),
            None => {}
        }
    }
    Some(text.len())
}

/// Whether a whole statement only prints text as written: a comment, an
/// escaped call, an escape form, a plainly named value or a call with
/// literal arguments.
fn prints_only_what_it_says(statement: &str) -> bool {
    if statement.starts_with("{#") || statement.starts_with("{{/*") {
        return true;
    }
    let Some(inner) = statement
        .strip_prefix("{{")
        .and_then(|s| s.strip_suffix("}}"))
    else {
        return false; // `{% ... %}`, or never closed
    };
    let inner = inner.trim_start_matches('-').trim_end_matches('-').trim();
    is_escape_form(inner) || is_plain_path(inner) || is_literal_call(inner)
}

/// `"{{"`, `'{%'`, `` `{#` ``: what Grove writes to print an opener.
fn is_escape_form(inner: &str) -> bool {
    ["\"", "'", "`"].iter().any(|q| {
        inner
            .strip_prefix(q)
            .and_then(|s| s.strip_suffix(q))
            .is_some_and(|s| ["{{", "{%", "{#"].contains(&s))
    })
}

/// `site.title`, `site.vars.top_pick`: a value of the context, no filter.
fn is_plain_path(inner: &str) -> bool {
    !inner.is_empty() && inner.split('.').all(is_identifier)
}

fn is_identifier(word: &str) -> bool {
    let mut chars = word.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `name(key="text", n=2, on=true, list=["a", "b"])`: a function called
/// with literal arguments only.
fn is_literal_call(inner: &str) -> bool {
    let Some((name, args)) = inner.split_once('(') else {
        return false;
    };
    let Some(args) = args.trim_end().strip_suffix(')') else {
        return false;
    };
    if !is_identifier(name.trim()) {
        return false;
    }
    let mut rest = args.trim();
    while !rest.is_empty() {
        let Some((key, after)) = rest.split_once('=') else {
            return false;
        };
        if !is_identifier(key.trim()) {
            return false;
        }
        let Some(after) = literal(after.trim_start()) else {
            return false;
        };
        rest = after.trim_start();
        if let Some(after) = rest.strip_prefix(',') {
            rest = after.trim_start();
        } else if !rest.is_empty() {
            return false;
        }
    }
    true
}

/// The text after a literal at the start of `text`: a string, a number,
/// `true`/`false`, or a list of literals.
fn literal(text: &str) -> Option<&str> {
    let first = text.chars().next()?;
    if matches!(first, '"' | '\'' | '`') {
        let end = text[1..].find(first)?;
        return Some(&text[end + 2..]);
    }
    if let Some(mut rest) = text.strip_prefix('[') {
        loop {
            rest = rest.trim_start();
            if let Some(after) = rest.strip_prefix(']') {
                return Some(after);
            }
            rest = literal(rest)?.trim_start();
            rest = rest.strip_prefix(',').unwrap_or(rest);
        }
    }
    for word in ["true", "false"] {
        if let Some(after) = text.strip_prefix(word)
            && !after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
        {
            return Some(after);
        }
    }
    let number = text
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || c == '.' || (i == 0 && c == '-')))
        .map_or(text.len(), |(i, _)| i);
    (number > 0 && text[..number].chars().any(|c| c.is_ascii_digit())).then(|| &text[number..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<String> {
        markup_building_code(text, 0)
            .into_iter()
            .map(|c| c.code)
            .collect()
    }

    #[test]
    fn code_that_builds_markup_is_found() {
        for text in [
            r#"{{ "<scr" ~ "ipt>alert(1)</scr" ~ "ipt>" }}"#,
            r#"{{ "<img src=x one" ~ "rror=alert(2)>" | safe }}"#,
            r#"{{ "<b>" }}"#,
            "{% set x = \"<script>\" %}{{ x }}",
            "{% macro m() %}<script>{% endmacro m %}",
            "{{ site.title | replace(from=\"a\", to=\"<script>\") }}",
            "{{ product_box(slug=\"a\" ~ \"b\") }}",
            "{{ unclosed",
            "{%- raw -%}",
        ] {
            assert!(!found(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn code_that_prints_what_it_says_is_allowed() {
        for text in [
            "Print {{ \"{{\" }} and {{ '{%' }} and {{ `{#` }}.",
            "{# a comment #}",
            "{{/* product_box(slug=\"x\") */}}",
            "{{ site.title }} and {{- site.vars.top_pick -}}",
            "{{ product_box(slug=\"baratza\", stars=4.5, pros=[\"quiet\", 'cheap'], open=true) }}",
            "{{ cta() }}",
            "A { brace } and }} closers.",
            "`{{ \"<scr\" ~ \"ipt>\" }}` in a code span",
            "```\n{% set x = 1 %}\n```\n",
        ] {
            assert_eq!(found(text), Vec::<String>::new(), "{text}");
        }
    }

    #[test]
    fn offsets_point_at_the_opener_and_front_matter_code_counts() {
        let text = "+++\ntitle = \"{{ 'a' ~ 'b' }}\"\n+++\nText `{{ x ~ y }}` and {{ \"<i>\" }}.\n";
        let body_start = text.rfind("+++\n").unwrap() + 4;
        let code = markup_building_code(text, body_start);
        let offsets: Vec<usize> = code.iter().map(|c| c.offset).collect();
        assert_eq!(
            offsets,
            [text.find("{{ 'a'").unwrap(), text.find("{{ \"<i>").unwrap()]
        );
    }
}
