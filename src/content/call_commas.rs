//! Zola reads a shortcode call's arguments separated by spaces as well as
//! by commas (`{{ figure(src="a.jpg" alt="A") }}`); Tera, which expands
//! Grove content, needs the commas. Calls written that way get them.

use std::borrow::Cow;

/// `text` with a comma between the arguments of each `{{ name(...) }}` or
/// `{% name(...) %}` call that separates them by spaces only; anything
/// that is not such a call is left as it is.
pub fn add_missing_commas(text: &str) -> Cow<'_, str> {
    let mut insertions = Vec::new();
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(found) = find_opener(&bytes[at..]) {
        let start = at + found;
        match call_insertions(bytes, start + 2) {
            Some((end, commas)) => {
                insertions.extend(commas);
                at = end;
            }
            None => at = start + 2,
        }
    }
    if insertions.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + insertions.len());
    let mut done = 0;
    for at in insertions {
        out.push_str(&text[done..at]);
        out.push(',');
        done = at;
    }
    out.push_str(&text[done..]);
    Cow::Owned(out)
}

fn find_opener(bytes: &[u8]) -> Option<usize> {
    bytes.windows(2).position(|w| w == b"{{" || w == b"{%")
}

fn skip_spaces(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && bytes[at].is_ascii_whitespace() {
        at += 1;
    }
    at
}

fn identifier_end(bytes: &[u8], at: usize) -> Option<usize> {
    let first = *bytes.get(at)?;
    if !(first.is_ascii_alphabetic() || first == b'_') {
        return None;
    }
    let mut end = at + 1;
    while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
        end += 1;
    }
    Some(end)
}

/// For a call starting after its opener at `at`: where it ends and the
/// byte offsets that need a comma; `None` if it is not a plain call.
fn call_insertions(bytes: &[u8], at: usize) -> Option<(usize, Vec<usize>)> {
    let mut at = skip_spaces(bytes, at);
    at = identifier_end(bytes, at)?;
    at = skip_spaces(bytes, at);
    if bytes.get(at) != Some(&b'(') {
        return None;
    }
    at += 1;
    let mut commas = Vec::new();
    loop {
        at = skip_spaces(bytes, at);
        if bytes.get(at) == Some(&b')') {
            at += 1;
            break;
        }
        at = identifier_end(bytes, at)?;
        at = skip_spaces(bytes, at);
        if bytes.get(at) != Some(&b'=') {
            return None;
        }
        at = value_end(bytes, skip_spaces(bytes, at + 1))?;
        let value_end = at;
        at = skip_spaces(bytes, at);
        match bytes.get(at)? {
            b',' => at += 1,
            b')' => {}
            b if b.is_ascii_alphabetic() || *b == b'_' => commas.push(value_end),
            _ => return None,
        }
    }
    at = skip_spaces(bytes, at);
    let closer = bytes.get(at..at + 2)?;
    (closer == b"}}" || closer == b"%}").then_some((at + 2, commas))
}

/// The end of one argument value: a quoted string, an array, or a bare
/// word (number, boolean, variable).
fn value_end(bytes: &[u8], at: usize) -> Option<usize> {
    match *bytes.get(at)? {
        quote @ (b'"' | b'\'' | b'`') => {
            let mut end = at + 1;
            while *bytes.get(end)? != quote {
                end += if bytes[end] == b'\\' { 2 } else { 1 };
            }
            Some(end + 1)
        }
        b'[' => {
            let mut end = at + 1;
            loop {
                end = skip_spaces(bytes, end);
                match *bytes.get(end)? {
                    b']' => return Some(end + 1),
                    b',' => end += 1,
                    _ => end = value_end(bytes, end)?,
                }
            }
        }
        _ => {
            let mut end = at;
            while end < bytes.len()
                && (bytes[end].is_ascii_alphanumeric() || matches!(bytes[end], b'_' | b'.' | b'-'))
            {
                end += 1;
            }
            (end > at).then_some(end)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_separated_by_spaces_get_commas() {
        assert_eq!(
            add_missing_commas(r#"A {{ figure(src="a b.jpg" alt='x, "y"' width=300) }} B"#),
            r#"A {{ figure(src="a b.jpg", alt='x, "y"', width=300) }} B"#
        );
        assert_eq!(
            add_missing_commas(r#"{% note(kind="tip" tags=["a" , "b"]) %}body{% end %}"#),
            r#"{% note(kind="tip", tags=["a" , "b"]) %}body{% end %}"#
        );
    }

    #[test]
    fn other_template_code_is_left_alone() {
        for text in [
            r#"{{ figure(src="a", alt="b") }}"#,
            "{{ page.title }}",
            "{% if x %}y{% endif %}",
            r#"{{ f(a="1" + "2") }}"#,
            "{{ unclosed(a=1",
        ] {
            assert!(
                matches!(add_missing_commas(text), Cow::Borrowed(_)),
                "{text}"
            );
        }
    }
}
