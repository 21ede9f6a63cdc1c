//! `content/<taxonomy>/<term>/_index.md` and `content/<taxonomy>/_index.md`,
//! as Hugo reads them: not sections, but the title and description of a
//! term's page (or of the taxonomy's list of terms). Grove renders term
//! pages itself, so such a file would otherwise claim the term page's URL
//! a second time.

use std::path::PathBuf;

use super::{Document, Taxonomy};
use crate::content::notice::Notices;
use crate::content::url_rules::UrlRules;

/// The title, description and old URLs a taxonomy or term page takes
/// from its `_index.md`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListingText {
    /// Shown instead of the term's name (or the taxonomy's).
    pub title: Option<String>,
    /// Shown under the title, and the page's meta description.
    pub description: Option<String>,
    /// Old URLs that redirect to the page (`/category/tools/` of a
    /// WordPress site).
    pub aliases: Vec<String>,
    /// The `_index.md` they come from.
    pub file: Option<PathBuf>,
}

/// A term page's `_index.md`, taken out of the sections.
pub struct TermFile {
    rel: String,
    taxonomy: String,
    /// The term's folder; `None` for the taxonomy's own `_index.md`.
    term: Option<String>,
    text: ListingText,
}

/// Splits the files of `sections` that describe a taxonomy or term page
/// off the sections; notes what of them is not used.
pub fn split(
    sections: Vec<Document>,
    taxonomies: &[&str],
    notices: &mut Notices,
) -> (Vec<Document>, Vec<TermFile>) {
    let mut kept = Vec::with_capacity(sections.len());
    let mut terms = Vec::new();
    for document in sections {
        let Document::Section {
            rel,
            meta,
            body,
            file,
        } = &document
        else {
            kept.push(document);
            continue;
        };
        let Some((taxonomy, term)) = listing_of(rel, taxonomies) else {
            kept.push(document);
            continue;
        };
        if !body.body().trim().is_empty() {
            notices.add(
                "the text of a term page's `_index.md` is not shown: Grove's term pages show its title and description; put the text in `description`",
                rel,
            );
        }
        terms.push(TermFile {
            rel: rel.clone(),
            taxonomy: taxonomy.to_string(),
            term: term.map(str::to_string),
            text: ListingText {
                title: Some(meta.title.clone()).filter(|t| !t.is_empty()),
                description: meta.description.clone().filter(|d| !d.is_empty()),
                aliases: meta.aliases.clone(),
                file: Some(file.clone()),
            },
        });
    }
    (kept, terms)
}

/// The taxonomy and term folder `rel` describes, if it is
/// `<taxonomy>/_index.md` or `<taxonomy>/<term>/_index.md`.
fn listing_of<'a>(rel: &'a str, taxonomies: &[&str]) -> Option<(&'a str, Option<&'a str>)> {
    let dir = rel.strip_suffix("/_index.md")?;
    let (taxonomy, term) = match dir.split_once('/') {
        Some((taxonomy, term)) if !term.contains('/') => (taxonomy, Some(term)),
        Some(_) => return None,
        None => (dir, None),
    };
    taxonomies.contains(&taxonomy).then_some((taxonomy, term))
}

/// Gives each taxonomy and term the text of its file; a file for a term
/// no page has is noted (Grove publishes term pages of used terms only).
pub fn apply(
    files: Vec<TermFile>,
    taxonomies: &mut [Taxonomy],
    url_rules: UrlRules,
    notices: &mut Notices,
) {
    for file in files {
        let Some(taxonomy) = taxonomies
            .iter_mut()
            .find(|t| t.config.name == file.taxonomy)
        else {
            continue;
        };
        let Some(folder) = &file.term else {
            taxonomy.text = file.text;
            continue;
        };
        let slug = url_rules.term(folder);
        // Hugo versions differ on `Home & Garden`: `home-garden` or
        // `home--garden`; a folder of either names the same term.
        let loose = |s: &str| {
            s.split('-')
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join("-")
        };
        match taxonomy
            .terms
            .iter_mut()
            .find(|t| t.slug == *folder || t.slug == slug || loose(&t.slug) == loose(folder))
        {
            Some(term) => {
                let mut text = file.text;
                let own = format!("/{}/{}/", taxonomy.config.name, term.slug);
                text.aliases.retain(|alias| format!("/{}/", alias.trim_matches('/')) != own);
                if term.slug != *folder {
                    // The folder's URL was the term page's: it still answers.
                    text.aliases.push(format!("/{}/{folder}/", taxonomy.config.name));
                }
                term.text = text;
            }
            None => notices.add(
                "no page has this term, so its term page is not published (only terms in use get one)",
                &file.rel,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_files_directly_in_a_taxonomy_or_term_folder_describe_it() {
        let taxonomies = ["tags", "categories"];
        assert_eq!(
            listing_of("tags/_index.md", &taxonomies),
            Some(("tags", None))
        );
        assert_eq!(
            listing_of("categories/home-garden/_index.md", &taxonomies),
            Some(("categories", Some("home-garden")))
        );
        assert_eq!(listing_of("tags/a/b/_index.md", &taxonomies), None);
        assert_eq!(listing_of("posts/_index.md", &taxonomies), None);
        assert_eq!(listing_of("tags/post.md", &taxonomies), None);
    }
}
