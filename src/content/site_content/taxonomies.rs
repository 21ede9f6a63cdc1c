//! Taxonomies: each configured taxonomy's terms, gathered from the
//! pages, with their URLs and pages.

use std::collections::BTreeMap;

use super::{ListingText, Page, Pending, Taxonomy, Term, compare_pages};
use crate::content::meta::SortBy;
use crate::content::url_rules::UrlRules;
use crate::error::{Error, Location, Result};
use crate::network::TaxonomyConfig;

/// Each taxonomy's terms, by slug. Names that differ only in case or in
/// how words are separated (`Gear basics`, `gear-basics`) are one term;
/// other names that give the same slug (`C++`, `C#`, `c`) would silently
/// share one page, so they are an error, as is a name with no letter or
/// digit to make a URL of.
pub(super) fn build_taxonomies(
    pages: &[(Page, Pending)],
    configs: &[TaxonomyConfig],
    url_rules: UrlRules,
) -> Result<Vec<Taxonomy>> {
    let mut errors = Vec::new();
    let taxonomies = configs
        .iter()
        .map(|config| {
            let taxonomy = &config.name;
            let mut terms: BTreeMap<String, Term> = BTreeMap::new();
            for (i, (page, _)) in pages.iter().enumerate() {
                for name in page.meta.taxonomies.get(taxonomy).into_iter().flatten() {
                    let slug = url_rules.term(name);
                    if slug.is_empty() {
                        errors.push(Error::Content {
                            location: Location::file(&page.file),
                            message: format!(
                                "`{taxonomy}` term `{name}` has no letter or digit to make its URL from; rename it"
                            ),
                        });
                        continue;
                    }
                    let term = terms.entry(slug.clone()).or_insert_with(|| Term {
                        name: name.clone(),
                        slug,
                        pages: Vec::new(),
                        text: ListingText::default(),
                    });
                    if term_key(&term.name) != term_key(name) {
                        let first = term.pages.first().map(|&p| &pages[p].0.file);
                        errors.push(Error::Content {
                            location: Location::file(&page.file),
                            message: format!(
                                "`{taxonomy}` terms `{name}` and `{}`{} both make the URL /{taxonomy}/{}/ and would share one page; rename one of them",
                                term.name,
                                first.map_or(String::new(), |f| format!(
                                    " (in {})",
                                    crate::error::display_path(f).display()
                                )),
                                term.slug
                            ),
                        });
                        continue;
                    }
                    if term.pages.last() != Some(&i) {
                        term.pages.push(i);
                    }
                }
            }
            let mut terms: Vec<Term> = terms.into_values().collect();
            for term in &mut terms {
                term.pages
                    .sort_by(|&a, &b| compare_pages(&pages[a].0, &pages[b].0, SortBy::Date));
            }
            Taxonomy {
                config: config.clone(),
                terms,
                text: ListingText::default(),
            }
        })
        .collect();
    match Error::collect(errors) {
        Some(error) => Err(error),
        None => Ok(taxonomies),
    }
}

/// A term name as compared with another: lowercase, with spaces, `-` and
/// `_` all one separator.
pub fn term_key(name: &str) -> String {
    name.to_lowercase()
        .split(|c: char| c.is_whitespace() || c == '-' || c == '_')
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
