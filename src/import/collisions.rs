//! Where Hugo and Zola silently let one page win, Grove refuses two
//! writers of one URL: before writing, an import gives every page a URL
//! of its own, every alias one owner and every term a URL of its own,
//! each change in the report.

use std::collections::HashMap;

use super::document::Document;
use super::report::Report;

/// Gives each page a URL no earlier document (in order; sections first)
/// has: Hugo publishes one of two pages at one URL and drops the other
/// silently; here the later one moves to `<url>-2/` (or `-3`, ...),
/// reported. `documents` are (source file, Grove path below `content/`,
/// document); translations into other languages than `language` are left
/// alone (they are not built).
pub fn dedupe_urls(
    documents: &mut [(String, String, Document)],
    language: Option<&str>,
    report: &mut Report,
) {
    let built = |rel: &str| is_built(rel, language);
    let mut owners: HashMap<String, String> = HashMap::new();
    let mut order: Vec<usize> = (0..documents.len()).collect();
    order.sort_by_key(|&i| !documents[i].1.ends_with("_index.md"));
    for i in order {
        let (file, rel, doc) = &mut documents[i];
        if !built(rel) {
            continue;
        }
        let url = crate::content::url_path(rel, doc.get_str("slug"), doc.get_str("path"));
        let Some(owner) = owners.get(&url).cloned() else {
            owners.insert(url, file.clone());
            continue;
        };
        if rel.ends_with("_index.md") {
            report.attention(
                file,
                format!("its URL {url} is also {owner}'s: move one of them"),
            );
            continue;
        }
        let stem = url.trim_end_matches('/');
        let free = (2..)
            .map(|n| format!("{stem}-{n}/"))
            .find(|candidate| !owners.contains_key(candidate))
            .expect("some suffix is free");
        doc.remove("slug");
        doc.set(
            "path",
            toml::Value::String(free.trim_matches('/').to_string()),
        );
        report.attention(
            file,
            format!("its URL {url} is also {owner}'s (the source publishes only one of them): published at {free}; give it a URL of its own"),
        );
        owners.insert(free, file.clone());
    }
}

/// Whether a document at `rel` is built on a site in `language`: not a
/// translation into another language (`post.fr.md`).
fn is_built(rel: &str, language: Option<&str>) -> bool {
    crate::content::language_suffix(rel)
        .is_none_or(|l| language.is_some_and(|site| crate::content::same_language(l, site)))
}

/// Keeps each alias on the first document (in order) that claims it, and
/// only where no page is at that URL: Grove refuses two writers of one
/// URL, while Hugo silently picks one. `documents` are (source file,
/// Grove path below `content/`, document); each alias dropped is reported.
pub fn dedupe_aliases(
    documents: &mut [(String, String, Document)],
    language: Option<&str>,
    report: &mut Report,
) {
    let mut owners: HashMap<String, String> = documents
        .iter()
        .filter(|(_, rel, _)| is_built(rel, language))
        .map(|(file, rel, doc)| {
            (
                crate::content::url_path(rel, doc.get_str("slug"), doc.get_str("path")),
                file.clone(),
            )
        })
        .collect();
    // Grove writes the list of each taxonomy's terms at /<taxonomy>/.
    for (_, _, doc) in documents.iter() {
        for (taxonomy, _) in &doc.taxonomies {
            owners
                .entry(format!("/{taxonomy}/"))
                .or_insert_with(|| format!("Grove's list of {taxonomy}"));
        }
    }
    // Pages that are built claim their aliases before translations that
    // are not (an English post keeps its alias over its Persian copy).
    let mut order: Vec<usize> = (0..documents.len()).collect();
    order.sort_by_key(|&i| !is_built(&documents[i].1, language));
    for i in order {
        let (file, _, doc) = &mut documents[i];
        let aliases = doc.strings("aliases");
        if aliases.is_empty() {
            continue;
        }
        let mut kept = Vec::new();
        for alias in aliases {
            let key = format!("/{}/", alias.trim_matches('/'));
            match owners.get(&key) {
                Some(owner) if owner == &*file => {
                    report.changed(file, format!("alias `{alias}` is the page's own URL in Grove: dropped"));
                }
                Some(owner) => report.attention(
                    file,
                    format!("alias `{alias}` is also the URL or an alias of {owner}, which keeps it: an old URL can lead to one page only"),
                ),
                None => {
                    owners.insert(key, file.clone());
                    kept.push(toml::Value::String(alias));
                }
            }
        }
        if kept.is_empty() {
            doc.remove("aliases");
        } else {
            doc.set("aliases", toml::Value::Array(kept));
        }
    }
}

/// Keeps a taxonomy term only where its URL is its own: Grove makes term
/// URLs ASCII (`故事` and `股市` both become /tags/gu-shi/), so of two
/// terms sharing a URL the first (in document order) stays a term and the
/// other moves under `[extra]`, reported.
pub fn dedupe_terms(
    documents: &mut [(String, String, Document)],
    rules: crate::content::UrlRules,
    report: &mut Report,
) {
    let mut first: std::collections::HashMap<(String, String), String> =
        std::collections::HashMap::new();
    for (file, _, doc) in documents.iter_mut() {
        let mut moved: Vec<(String, String)> = Vec::new();
        for (taxonomy, terms) in &mut doc.taxonomies {
            terms.retain(|term| {
                let key = (taxonomy.clone(), rules.term(term));
                match first.get(&key) {
                    Some(owner) if crate::content::term_key(owner) != crate::content::term_key(term) => {
                        report.attention(
                            file,
                            format!("{taxonomy} term `{term}` would share the URL /{taxonomy}/{}/ with `{owner}`: kept under [extra] as {taxonomy}; rename it to list it", key.1),
                        );
                        moved.push((taxonomy.clone(), term.clone()));
                        false
                    }
                    Some(_) => true,
                    None => {
                        first.insert(key, term.clone());
                        true
                    }
                }
            });
        }
        doc.taxonomies.retain(|(_, terms)| !terms.is_empty());
        for (taxonomy, term) in moved {
            doc.push_extra(&taxonomy, &term);
        }
    }
}
