//! A Grove content file being assembled by an importer: front matter
//! fields in a readable order, taxonomies, `[extra]`, and the Markdown
//! body, written out as TOML front matter.

use std::str::FromStr;

use serde_json::Value;

/// A content file to write.
#[derive(Debug, Clone, Default)]
pub struct Document {
    /// Top-level keys in the order given (`title` first).
    fields: Vec<(String, toml::Value)>,
    /// Taxonomy terms by taxonomy name.
    pub(super) taxonomies: Vec<(String, Vec<String>)>,
    /// The `[extra]` table.
    extra: toml::Table,
    /// The Markdown body.
    pub body: String,
}

impl Document {
    /// Sets top-level `key` (replacing an earlier value).
    pub fn set(&mut self, key: &str, value: toml::Value) {
        match self.fields.iter_mut().find(|(k, _)| k == key) {
            Some(field) => field.1 = value,
            None => self.fields.push((key.to_string(), value)),
        }
    }

    /// Sets a string field.
    pub fn set_str(&mut self, key: &str, value: &str) {
        self.set(key, toml::Value::String(value.to_string()));
    }

    /// Sets a date field: a bare TOML datetime when it is one, else text.
    pub fn set_date(&mut self, key: &str, date: &str) {
        let value = toml::value::Datetime::from_str(date)
            .map(toml::Value::Datetime)
            .unwrap_or_else(|_| toml::Value::String(date.to_string()));
        self.set(key, value);
    }

    /// Top-level string `key`.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| v.as_str())
    }

    /// Top-level `key` as a list of strings (empty when unset).
    pub fn strings(&self, key: &str) -> Vec<String> {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| v.as_array())
            .map(|items| {
                items
                    .iter()
                    .filter_map(|i| i.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Removes top-level `key`.
    pub fn remove(&mut self, key: &str) {
        self.fields.retain(|(k, _)| k != key);
    }

    /// Whether top-level `key` is set.
    pub fn has(&self, key: &str) -> bool {
        self.fields.iter().any(|(k, _)| k == key)
    }

    /// Adds terms to taxonomy `name`.
    pub fn add_terms(&mut self, name: &str, terms: Vec<String>) {
        let terms: Vec<String> = terms.into_iter().filter(|t| !t.trim().is_empty()).collect();
        if terms.is_empty() {
            return;
        }
        match self.taxonomies.iter_mut().find(|(n, _)| n == name) {
            Some((_, existing)) => {
                for term in terms {
                    if !existing.contains(&term) {
                        existing.push(term);
                    }
                }
            }
            None => self.taxonomies.push((name.to_string(), terms)),
        }
    }

    /// Puts `value` under `[extra]` as `key`.
    pub fn set_extra(&mut self, key: &str, value: &Value) {
        if let Some(value) = json_to_toml(value) {
            self.extra.insert(key.to_string(), value);
        }
    }

    /// Appends `value` to the list `[extra]` `key`.
    pub fn push_extra(&mut self, key: &str, value: &str) {
        let entry = self
            .extra
            .entry(key.to_string())
            .or_insert_with(|| toml::Value::Array(Vec::new()));
        if let toml::Value::Array(items) = entry {
            items.push(toml::Value::String(value.to_string()));
        }
    }

    /// The file's text: `+++` TOML front matter, then the body.
    pub fn to_text(&self) -> String {
        let mut out = String::from("+++\n");
        for (key, value) in &self.fields {
            out.push_str(&format!("{} = {value}\n", toml_key(key)));
        }
        for (name, terms) in &self.taxonomies {
            let terms =
                toml::Value::Array(terms.iter().cloned().map(toml::Value::String).collect());
            out.push_str(&format!("{} = {terms}\n", toml_key(name)));
        }
        if !self.extra.is_empty() {
            let mut wrapper = toml::Table::new();
            wrapper.insert("extra".into(), toml::Value::Table(self.extra.clone()));
            let extra = toml::to_string(&wrapper).unwrap_or_default();
            if !out.ends_with("+++\n") || !self.fields.is_empty() || !self.taxonomies.is_empty() {
                out.push('\n');
            }
            out.push_str(extra.trim_start_matches('\n'));
            if !out.ends_with('\n') {
                out.push('\n');
            }
        }
        out.push_str("+++\n");
        // Front matter is expanded as a template too: its text stays text.
        let mut out = crate::content::escape_front_matter(&out);
        let body = self.body.trim_start_matches('\n');
        out.push_str(body);
        if !body.is_empty() && !body.ends_with('\n') {
            out.push('\n');
        }
        out
    }
}

/// `key` as a TOML key: bare when it can be, else quoted.
fn toml_key(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        key.to_string()
    } else {
        toml::Value::String(key.to_string()).to_string()
    }
}

/// A JSON value as TOML; `None` for null, which TOML cannot hold.
pub fn json_to_toml(value: &Value) -> Option<toml::Value> {
    Some(match value {
        Value::Null => return None,
        Value::Bool(b) => toml::Value::Boolean(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => toml::Value::Integer(i),
            None => toml::Value::Float(n.as_f64()?),
        },
        Value::String(s) => toml::Value::String(s.clone()),
        Value::Array(items) => toml::Value::Array(items.iter().filter_map(json_to_toml).collect()),
        Value::Object(map) => toml::Value::Table(
            map.iter()
                .filter_map(|(k, v)| Some((k.clone(), json_to_toml(v)?)))
                .collect(),
        ),
    })
}

/// A JSON value as a list of strings: a list of scalars, or one scalar
/// (`tags: rust`), or `None`.
pub fn string_list(value: &Value) -> Option<Vec<String>> {
    let scalar = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    match value {
        Value::Array(items) => items.iter().map(scalar).collect(),
        Value::Null => Some(Vec::new()),
        other => scalar(other).map(|s| vec![s]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn writes_readable_toml_front_matter() {
        let mut doc = Document::default();
        doc.set_str("title", "A \"quoted\" title");
        doc.set_date("date", "2024-05-01T10:00:00Z");
        doc.set_date("updated", "sometime");
        doc.add_terms("tags", vec!["Rust".into(), "".into()]);
        doc.set_extra("ShowToc", &json!(true));
        doc.set_extra("cover", &json!({"image": "c.png", "alt": null}));
        doc.body = "Body.".into();
        let text = doc.to_text();
        assert!(text.starts_with("+++\ntitle = 'A \"quoted\" title'\ndate = 2024-05-01T10:00:00Z\nupdated = \"sometime\"\ntags = [\"Rust\"]\n"), "{text}");
        let front = text.split("+++\n").nth(1).unwrap();
        let table: toml::Table = toml::from_str(front).unwrap();
        assert_eq!(table["extra"]["ShowToc"].as_bool(), Some(true));
        assert_eq!(table["extra"]["cover"]["image"].as_str(), Some("c.png"));
        assert!(text.ends_with("+++\nBody.\n"), "{text}");
    }
}
