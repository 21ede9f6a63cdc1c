//! Front-matter keys of the generators Grove imports from, as data: a
//! table per generator says what each key becomes in Grove, and one
//! interpreter applies any table. Adding the keys of a theme is a line in
//! a table, not a branch in an importer.

use serde_json::Value;

use super::document::Document;
use super::report::Report;

/// What an imported front-matter key becomes. A key in no table is kept
/// under `[extra]` and reported as moved.
#[derive(Debug, Clone, Copy)]
pub enum KeyRule {
    /// Read by the importer's own steps (title, dates, slug...); the
    /// importer keeps under `[extra]` what those steps did not use.
    Read,
    /// `description` when the page has none; otherwise kept under `[extra]`.
    DescriptionUnlessSet,
    /// Kept under `[extra]`, with what Grove does instead.
    ExtraBecause(&'static str),
    /// Its table's keys spread into `[extra]` (Hugo's `params`); a value
    /// that is not a table is kept under `[extra]` as it is.
    SpreadIntoExtra,
    /// When `when` holds for the value, the page is imported as a draft
    /// and a person is told why; kept under `[extra]` either way.
    DraftWhen(fn(&Value) -> bool, &'static str),
    /// When `when` holds for the value, a person is told this (`{key}`
    /// stands for the key as written); kept under `[extra]` either way.
    NoteWhen(fn(&Value) -> bool, &'static str),
}

/// A generator's front-matter keys (lower case) and what each becomes.
pub type KeyTable = [(&'static str, KeyRule)];

/// The rule for `key` (lower case) in `table`, if it has one.
pub fn rule_for(table: &'static KeyTable, key: &str) -> Option<KeyRule> {
    table
        .iter()
        .find(|(name, _)| *name == key)
        .map(|&(_, rule)| rule)
}

/// What a table-driven key is, in file `rel`.
pub struct KeyValue<'a> {
    /// The file, for the report.
    pub rel: &'a str,
    /// The key as written.
    pub key: &'a str,
    /// Its value.
    pub value: &'a Value,
}

/// Applies `rule` (`None`: the key is in no table) to a key other than
/// [`KeyRule::Read`] ones; keys kept under `[extra]` without a reason of
/// their own are added to `moved`, for one line each in the report.
pub fn apply(
    rule: Option<KeyRule>,
    entry: &KeyValue<'_>,
    doc: &mut Document,
    report: &mut Report,
    moved: &mut Vec<String>,
) {
    let KeyValue { rel, key, value } = *entry;
    match rule {
        Some(KeyRule::DescriptionUnlessSet) => {
            if let Some(text) = value.as_str()
                && !doc.has("description")
            {
                doc.set_str("description", text);
                report.changed(rel, format!("`{key}` became `description`"));
                return;
            }
        }
        Some(KeyRule::ExtraBecause(reason)) => {
            doc.set_extra(key, value);
            report.changed(rel, format!("`{key}` moved under [extra]: {reason}"));
            return;
        }
        Some(KeyRule::SpreadIntoExtra) => {
            if let Value::Object(fields) = value {
                for (field, field_value) in fields {
                    doc.set_extra(field, field_value);
                }
                moved.push(key.to_string());
                return;
            }
        }
        Some(KeyRule::DraftWhen(when, why)) if when(value) => {
            report.attention(rel, why);
            doc.set("draft", toml::Value::Boolean(true));
        }
        Some(KeyRule::NoteWhen(when, note)) if when(value) => {
            report.attention(rel, note.replace("{key}", key));
        }
        Some(KeyRule::Read | KeyRule::DraftWhen(..) | KeyRule::NoteWhen(..)) | None => {}
    }
    doc.set_extra(key, value);
    moved.push(key.to_string());
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const TABLE: &KeyTable = &[
        (
            "menu",
            KeyRule::ExtraBecause("navigation comes from sections"),
        ),
        ("params", KeyRule::SpreadIntoExtra),
        (
            "headless",
            KeyRule::DraftWhen(|value| value == &json!(true), "a headless bundle"),
        ),
        (
            "layout",
            KeyRule::NoteWhen(|value| value != &json!("single"), "`{key}` chose a layout"),
        ),
        ("summary", KeyRule::DescriptionUnlessSet),
    ];

    /// The front matter and report after applying `TABLE` to `front`.
    fn import(front: serde_json::Value) -> (String, Report) {
        let (mut doc, mut report, mut moved) = (Document::default(), Report::default(), Vec::new());
        for (key, value) in front.as_object().unwrap() {
            let rule = rule_for(TABLE, &key.to_ascii_lowercase());
            apply(
                rule,
                &KeyValue {
                    rel: "a.md",
                    key,
                    value,
                },
                &mut doc,
                &mut report,
                &mut moved,
            );
        }
        for key in moved {
            report.changed("a.md", format!("`{key}` moved under [extra]"));
        }
        (doc.to_text(), report)
    }

    fn messages(items: &[super::super::report::Item]) -> Vec<&str> {
        items.iter().map(|item| item.message.as_str()).collect()
    }

    #[test]
    fn each_rule_does_what_its_table_line_says() {
        let (text, report) = import(json!({
            "Menu": "main",
            "params": {"hero": "x.jpg"},
            "headless": true,
            "layout": "landing",
            "summary": "Short.",
            "toc": true,
        }));
        assert!(text.contains("draft = true"), "{text}");
        assert!(text.contains("description = \"Short.\""), "{text}");
        assert!(
            text.contains("hero = \"x.jpg\"") && !text.contains("params"),
            "{text}"
        );
        assert!(
            text.contains("Menu = \"main\"") && text.contains("toc = true"),
            "{text}"
        );
        assert_eq!(
            messages(&report.attention),
            ["a headless bundle", "`layout` chose a layout"]
        );
        assert_eq!(
            messages(&report.changes),
            [
                "`Menu` moved under [extra]: navigation comes from sections",
                "`summary` became `description`",
                "`headless` moved under [extra]",
                "`layout` moved under [extra]",
                "`params` moved under [extra]",
                "`toc` moved under [extra]",
            ]
        );
    }

    #[test]
    fn a_rule_whose_condition_fails_keeps_the_key_under_extra() {
        let (text, report) = import(json!({"headless": false, "layout": "single"}));
        assert!(!text.contains("draft"), "{text}");
        assert!(report.attention.is_empty());
        assert!(text.contains("headless = false") && text.contains("layout = \"single\""));
    }
}
