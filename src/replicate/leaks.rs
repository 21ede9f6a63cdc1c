//! Words of the source niche left in a brief for another niche. Variables
//! replace only the exact phrases a site names (`espresso grinders`); a
//! heading such as "Keep your grinder consistent" keeps `grinder`, and a
//! trail-running brief would ask for it. The words that say what the
//! source is about (its title, niche, audience, text `[vars]` and the
//! names of the products it links) that the target does not say too are
//! looked for in every field of the brief, by stem and whole word. The
//! site's description and its products' descriptions count too: "a
//! conical burr grinder" makes `burr` a word of the espresso site.

use std::collections::{BTreeMap, BTreeSet};

use crate::network::Site;
use crate::words::{significant_words, stem};

/// Words too general to tell niches apart, besides stop words.
const GENERAL: &[&str] = &[
    "about",
    "all",
    "beginner",
    "beginners",
    "buy",
    "buying",
    "choose",
    "compared",
    "easy",
    "entry",
    "everyday",
    "first",
    "get",
    "getting",
    "good",
    "great",
    "home",
    "how",
    "into",
    "learn",
    "level",
    "long",
    "making",
    "more",
    "most",
    "new",
    "people",
    "review",
    "reviews",
    "simple",
    "start",
    "started",
    "than",
    "that",
    "their",
    "them",
    "these",
    "this",
    "time",
    "tip",
    "tips",
    "top",
    "use",
    "using",
    "who",
    "year",
];

/// A product of the affiliate registry, as far as its words go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    /// Its name.
    pub name: String,
    /// Its one-line description.
    pub description: String,
}

/// A source word and where it comes from, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The word as the source writes it.
    pub word: String,
    /// What of the source says it (`vars.product_kind`, `product Baratza Encore`).
    pub from: String,
}

/// The source's niche words, by stem.
#[derive(Debug, Clone, Default)]
pub struct SourceWords {
    by_stem: BTreeMap<String, Origin>,
}

impl SourceWords {
    /// The words of `source`'s niche values and description, and of
    /// `products` (name and description of each product it links or
    /// names).
    pub fn new(source: &Site, products: &[Product]) -> SourceWords {
        let mut words = SourceWords::default();
        for (name, value) in source.niche_values() {
            words.add(value, &name);
        }
        words.add(&source.config.description, "description");
        for product in products {
            let from = format!("product {}", product.name);
            words.add(&product.name, &from);
            words.add(&product.description, &from);
        }
        words
    }

    fn add(&mut self, text: &str, from: &str) {
        for word in text.split(|c: char| !c.is_alphanumeric()) {
            let lower = word.to_lowercase();
            if lower.chars().count() < 4
                || GENERAL.contains(&lower.as_str())
                || significant_words(&lower).is_empty()
                || lower.chars().all(|c| c.is_ascii_digit())
            {
                continue;
            }
            self.by_stem.entry(stem(&lower)).or_insert(Origin {
                word: word.to_string(),
                from: from.to_string(),
            });
        }
    }

    /// These words less those `target` says too (its niche values and
    /// the names of `target_products`).
    pub fn not_said_by(&self, target: &Site, target_products: &[Product]) -> SourceWords {
        let theirs = SourceWords::new(target, target_products);
        SourceWords {
            by_stem: self
                .by_stem
                .iter()
                .filter(|(stem, _)| !theirs.by_stem.contains_key(*stem))
                .map(|(stem, origin)| (stem.clone(), origin.clone()))
                .collect(),
        }
    }

    /// The source words in `text` (as `text` writes them), each once, in
    /// order of appearance.
    pub fn found_in<'a>(&'a self, text: &str) -> Vec<(String, &'a Origin)> {
        let mut seen = BTreeSet::new();
        text.split(|c: char| !c.is_alphanumeric())
            .filter_map(|word| {
                let origin = self.by_stem.get(&stem(&word.to_lowercase()))?;
                seen.insert(&origin.word)
                    .then(|| (word.to_string(), origin))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(title: &str, niche: &str, kind: &str) -> Site {
        let toml = format!(
            "title = \"{title}\"\nbase_url = \"https://x.example.com\"\nniche = \"{niche}\"\naudience = \"people getting started\"\n[vars]\nproduct_kind = \"{kind}\"\n"
        );
        Site {
            name: "x".into(),
            dir: "sites/x".into(),
            config: toml::from_str(&toml).unwrap(),
            base_url: "https://x.example.com".into(),
            base_path: String::new(),
        }
    }

    #[test]
    fn words_only_the_source_says_are_found_by_stem() {
        let espresso = site("Crema Corner", "home espresso", "espresso grinders");
        let trail = site("Trail Tested", "trail running", "trail running shoes");
        let products = vec![Product {
            name: "Baratza Encore ESP".into(),
            description: "An entry-level conical burr grinder.".into(),
        }];
        let leaks = SourceWords::new(&espresso, &products).not_said_by(&trail, &[]);
        let found: Vec<String> = leaks
            .found_in("Keeps your Grinder consistent: brushing, burr removal, for people")
            .into_iter()
            .map(|(word, origin)| format!("{word} ({})", origin.from))
            .collect();
        assert_eq!(
            found,
            [
                "Grinder (vars.product_kind)",
                "burr (product Baratza Encore ESP)"
            ]
        );
        assert!(
            leaks
                .found_in("Lace your trail shoes for people getting started")
                .is_empty()
        );
        assert!(leaks.found_in("Home care").is_empty(), "too general");
    }
}
