//! Niche words as site variables: where a page's text says what its site
//! is about (its niche, title, audience or one of its `[vars]`), that
//! phrase becomes the Tera expression for it, so that a brief made from the
//! page says what each target site is about instead.

use crate::network::Site;

/// A site value that may stand for a phrase of the source page.
#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    /// The Tera expression: `site.niche`, `site.vars.product_kind`.
    pub expression: String,
    /// Its value in the source site.
    pub value: String,
}

/// The source site's values that every target site also has, longest
/// first (so that "trail-running shoes" wins over "shoes").
pub fn variables(source: &Site, targets: &[&Site]) -> Vec<Variable> {
    let config = &source.config;
    let mut variables: Vec<Variable> = [
        ("site.title", &config.title),
        ("site.niche", &config.niche),
        ("site.audience", &config.audience),
    ]
    .into_iter()
    .map(|(expression, value)| Variable {
        expression: expression.to_string(),
        value: value.clone(),
    })
    .collect();
    for (key, value) in &config.vars {
        let every_target_has_it = targets.iter().all(|t| {
            t.config
                .vars
                .get(key)
                .is_some_and(serde_json::Value::is_string)
        });
        if let Some(value) = value.as_str()
            && every_target_has_it
            && is_identifier(key)
        {
            variables.push(Variable {
                expression: format!("site.vars.{key}"),
                value: value.to_string(),
            });
        }
    }
    variables.retain(|v| v.value.trim().chars().count() >= 3);
    variables.sort_by(|a, b| {
        b.value
            .chars()
            .count()
            .cmp(&a.value.chars().count())
            .then_with(|| a.expression.cmp(&b.expression))
    });
    variables
}

fn is_identifier(key: &str) -> bool {
    key.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A piece of text: as written, or a variable.
#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Text(String),
    Variable {
        expression: String,
        capitalize: bool,
    },
}

/// `text` with every whole-word, case-insensitive occurrence of a
/// variable's value replaced by its expression (`{{ site.niche }}`);
/// at the start of a sentence, the value capitalized. Returns `None` for
/// text that holds template syntax already.
pub fn templatize(text: &str, variables: &[Variable]) -> Option<String> {
    if ["{{", "{%", "{#"].iter().any(|d| text.contains(d)) {
        return None;
    }
    let mut pieces = vec![Piece::Text(text.to_string())];
    for variable in variables {
        pieces = pieces
            .into_iter()
            .flat_map(|piece| match piece {
                Piece::Text(text) => split(&text, variable),
                other => vec![other],
            })
            .collect();
    }
    Some(
        pieces
            .into_iter()
            .map(|piece| match piece {
                Piece::Text(text) => text,
                Piece::Variable {
                    expression,
                    capitalize: true,
                } => format!("{{{{ {expression} | capitalize }}}}"),
                Piece::Variable { expression, .. } => format!("{{{{ {expression} }}}}"),
            })
            .collect(),
    )
}

/// A slug with every slugified variable value in it replaced by the
/// expression for it, slugified: `best-espresso-grinders` becomes
/// `best-{{ site.vars.product_kind | slugify }}`.
pub fn templatize_slug(slug: &str, variables: &[Variable]) -> String {
    let slugged: Vec<Variable> = variables
        .iter()
        .map(|v| Variable {
            expression: v.expression.clone(),
            value: slug::slugify(&v.value),
        })
        .filter(|v| !v.value.is_empty())
        .collect();
    let mut pieces = vec![Piece::Text(slug.to_string())];
    for variable in &slugged {
        pieces = pieces
            .into_iter()
            .flat_map(|piece| match piece {
                Piece::Text(text) => split(&text, variable),
                other => vec![other],
            })
            .collect();
    }
    pieces
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(text) => text,
            Piece::Variable { expression, .. } => format!("{{{{ {expression} | slugify }}}}"),
        })
        .collect()
}

/// `text` split around whole-word occurrences of `variable`'s value.
fn split(text: &str, variable: &Variable) -> Vec<Piece> {
    let lower = text.to_lowercase();
    let value = variable.value.to_lowercase();
    // Lowercasing can change byte lengths outside ASCII; match only where
    // it does not, so offsets in `lower` are offsets in `text`.
    if value.is_empty() || lower.len() != text.len() {
        return vec![Piece::Text(text.to_string())];
    }
    let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let mut pieces = Vec::new();
    let mut rest = 0;
    let mut from = 0;
    while let Some(found) = lower[from..].find(&value) {
        let start = from + found;
        let end = start + value.len();
        let bounded = !word(text[..start].chars().next_back()) && !word(text[end..].chars().next());
        if bounded {
            if start > rest {
                pieces.push(Piece::Text(text[rest..start].to_string()));
            }
            let starts_upper = text[start..].chars().next().is_some_and(char::is_uppercase);
            let value_lower = variable
                .value
                .chars()
                .next()
                .is_some_and(char::is_lowercase);
            pieces.push(Piece::Variable {
                expression: variable.expression.clone(),
                capitalize: starts_upper && value_lower,
            });
            rest = end;
        }
        from = start + value[..].chars().next().map_or(1, char::len_utf8);
    }
    if rest < text.len() {
        pieces.push(Piece::Text(text[rest..].to_string()));
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Vec<Variable> {
        vec![
            Variable {
                expression: "site.vars.product_kind".into(),
                value: "espresso grinders".into(),
            },
            Variable {
                expression: "site.niche".into(),
                value: "home espresso".into(),
            },
        ]
    }

    #[test]
    fn niche_phrases_become_variables() {
        assert_eq!(
            templatize("The best espresso grinders for home espresso", &vars()).unwrap(),
            "The best {{ site.vars.product_kind }} for {{ site.niche }}"
        );
        assert_eq!(
            templatize("Espresso grinders compared", &vars()).unwrap(),
            "{{ site.vars.product_kind | capitalize }} compared"
        );
        // Whole words only, and nothing else touched.
        assert_eq!(
            templatize("Espresso grindersmith", &vars()).unwrap(),
            "Espresso grindersmith"
        );
        assert_eq!(templatize("Price: {{ x }}", &vars()), None);
        assert_eq!(
            templatize_slug("best-espresso-grinders-2026", &vars()),
            "best-{{ site.vars.product_kind | slugify }}-2026"
        );
    }
}
