//! What Grove prints is safe for terminals and CI logs. Messages quote
//! text from outside: log lines, earnings reports, model answers, imported
//! titles. A control character or escape sequence in them could move the
//! cursor, rewrite lines a person already read, retitle the terminal or
//! hide text; bidirectional overrides could show a path or amount other
//! than the one printed. Every line Grove prints goes through [`clean`],
//! which writes such characters as visible escapes (`\u{1b}`); line ends
//! and tabs stay.

use std::borrow::Cow;

/// `text` with control characters (but `\n` and `\t`), C1 controls and
/// bidirectional formatting characters written as `\u{..}` escapes.
pub fn clean(text: &str) -> Cow<'_, str> {
    escape_unsafe(text, |c| format!("\\u{{{c:x}}}"))
}

/// JSON text (as `serde_json` writes it, control characters already
/// escaped) with C1 controls and bidirectional formatting characters
/// escaped too, as `\u009b`: still the same JSON, and safe to print.
pub fn clean_json(json: &str) -> Cow<'_, str> {
    escape_unsafe(json, |c| format!("\\u{c:04x}"))
}

/// `text` with each unsafe character replaced by `escape` of its code.
fn escape_unsafe(text: &str, escape: impl Fn(u32) -> String) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_unsafe(c) {
            out.push_str(&escape(c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `println!`, through [`clean`].
macro_rules! say {
    () => {
        println!()
    };
    ($($arg:tt)*) => {
        println!("{}", $crate::terminal::clean(&format!($($arg)*)))
    };
}

/// `eprintln!`, through [`clean`].
macro_rules! tell {
    () => {
        eprintln!()
    };
    ($($arg:tt)*) => {
        eprintln!("{}", $crate::terminal::clean(&format!($($arg)*)))
    };
}

/// `print!`, through [`clean`].
macro_rules! say_part {
    ($($arg:tt)*) => {
        print!("{}", $crate::terminal::clean(&format!($($arg)*)))
    };
}

pub(crate) use {say, say_part, tell};

/// The plural ending of a count in messages: `""` for one, else `"s"`
/// (`format!("{n} page{}", plural(n))`).
pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_shown_and_text_is_kept() {
        assert_eq!(
            clean("GET /\u{1b}[2J\u{1b}]0;owned\u{7}\r ok"),
            "GET /\\u{1b}[2J\\u{1b}]0;owned\\u{7}\\u{d} ok"
        );
        assert_eq!(clean("a\u{202e}txt.exe"), "a\\u{202e}txt.exe");
        assert_eq!(clean("\u{9b}31m"), "\\u{9b}31m");
        assert!(matches!(clean("Grüße\n\tİstanbul"), Cow::Borrowed(_)));
    }

    #[test]
    fn json_stays_json() {
        let value = serde_json::json!({"path": "/a\u{1b}[2J\u{9b}\u{202e}b"});
        let text = serde_json::to_string(&value).unwrap();
        let shown = clean_json(&text);
        assert!(!shown.chars().any(is_unsafe), "{shown}");
        let back: serde_json::Value = serde_json::from_str(&shown).unwrap();
        assert_eq!(back, value);
    }
}
