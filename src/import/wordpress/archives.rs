//! A WordPress site's archive URLs: category, tag, author and date
//! archives and the feed. A static site has no such listings of its own
//! (except term pages), so each becomes the Grove page that lists the same
//! posts: a category or tag archive the term page (an alias in the term's
//! `_index.md`, which also carries the term's description), the others a
//! redirect to the posts section or the feed. Links and search results
//! that point at them keep answering.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use roxmltree::Node;

use super::{Item, POSTS, child_text, old_path, unescape};
use crate::import::OldUrl;
use crate::import::document::Document;
use crate::import::report::Report;

/// What the archives of an export become.
#[derive(Default)]
pub struct Archives {
    /// Term pages: (path below `content/`, their `_index.md`).
    pub term_pages: Vec<(String, Document)>,
    /// Redirects for site.toml: (old URL path, where it leads).
    pub redirects: Vec<(String, String)>,
    /// Every archive URL the WordPress site published.
    pub old_urls: Vec<OldUrl>,
}

/// A category or tag as the export defines it.
struct TermInfo {
    description: String,
    /// The parent category's nicename.
    parent: String,
}

/// The archives of `posts` (the published posts) of the export's
/// `channel`; `taxonomies` are those grove.toml configures.
pub fn archives(
    channel: Node<'_, '_>,
    posts: &[&Item],
    base: &str,
    taxonomies: &[String],
    report: &mut Report,
) -> Archives {
    let mut archives = Archives::default();
    if posts.is_empty() {
        return archives;
    }
    let posts_path = format!("/{POSTS}/");
    archives.add_redirect("/feed/", "/rss.xml", "the site's feed");
    term_archives(
        channel,
        posts,
        taxonomies,
        &posts_path,
        &mut archives,
        report,
    );
    let mut authors: BTreeSet<String> = BTreeSet::new();
    let mut dates: BTreeSet<String> = BTreeSet::new();
    let day_links = posts
        .iter()
        .any(|post| old_path(&post.link, base).is_some_and(|path| is_day_path(&path)));
    for post in posts {
        if !post.creator_login.is_empty() {
            authors.insert(slug::slugify(&post.creator_login));
        }
        if let Some(date) = post.date.as_deref().filter(|d| d.len() >= 10) {
            let (year, month, day) = (&date[..4], &date[5..7], &date[8..10]);
            dates.insert(format!("/{year}/"));
            dates.insert(format!("/{year}/{month}/"));
            if day_links {
                dates.insert(format!("/{year}/{month}/{day}/"));
            }
        }
    }
    for author in authors.iter().filter(|a| !a.is_empty()) {
        archives.add_redirect(
            &format!("/author/{author}/"),
            &posts_path,
            "an author archive",
        );
    }
    for date in &dates {
        archives.add_redirect(date, &posts_path, "a date archive");
    }
    if !authors.is_empty() || !dates.is_empty() {
        report.changed(
            "archives",
            format!(
                "author and date archives ({} URLs) lead to {posts_path}, which lists every post",
                authors.len() + dates.len()
            ),
        );
    }
    archives
}

impl Archives {
    fn add_redirect(&mut self, from: &str, to: &str, what: &str) {
        self.redirects.push((from.to_string(), to.to_string()));
        self.old_urls.push(OldUrl::new(from, what));
    }
}

/// Category and tag archives: a term page with the archive's URL as an
/// alias where grove.toml has the taxonomy, else a redirect to the posts.
fn term_archives(
    channel: Node<'_, '_>,
    posts: &[&Item],
    taxonomies: &[String],
    posts_path: &str,
    archives: &mut Archives,
    report: &mut Report,
) {
    let defined = defined_terms(channel);
    // (domain, nicename) -> (name, whether only drafts in Grove have it)
    let mut used: BTreeMap<(&str, &str), (&str, bool)> = BTreeMap::new();
    for post in posts {
        for term in &post.terms {
            if matches!(term.domain.as_str(), "category" | "post_tag") && !term.nicename.is_empty()
            {
                let entry = used
                    .entry((term.domain.as_str(), term.nicename.as_str()))
                    .or_insert((term.name.as_str(), true));
                entry.1 &= post.password;
            }
        }
    }
    // Two WordPress terms can share a Grove term (two categories named
    // `Foo A` under different parents): one page, both archives its aliases.
    let mut pages: BTreeMap<String, (Document, Vec<String>)> = BTreeMap::new();
    for ((domain, nicename), (name, only_drafts)) in used {
        let (taxonomy, archive) = if domain == "category" {
            (
                "categories",
                format!("/category/{}/", category_path(nicename, &defined)),
            )
        } else {
            ("tags", format!("/tag/{nicename}/"))
        };
        let what = format!(
            "the {} archive of `{name}`",
            if domain == "category" {
                "category"
            } else {
                "tag"
            }
        );
        if !taxonomies.iter().any(|t| t == taxonomy) {
            archives.add_redirect(&archive, posts_path, &what);
            report.attention(
                &archive,
                format!("{taxonomy} are not configured in grove.toml, so this archive leads to {posts_path}; add \"{taxonomy}\" to [network] taxonomies to give each its page"),
            );
            continue;
        }
        let slug = slug::slugify(name);
        if slug.is_empty() {
            continue; // the term itself is reported where it is used
        }
        let info = defined.get(&(domain.to_string(), nicename.to_string()));
        let (doc, aliases) = pages
            .entry(format!("{taxonomy}/{slug}/_index.md"))
            .or_insert_with(|| {
                let mut doc = Document::default();
                doc.set_str("title", name);
                (doc, Vec::new())
            });
        if let Some(description) = info.map(|i| i.description.trim()).filter(|d| !d.is_empty())
            && !doc.has("description")
        {
            doc.set_str("description", description);
        }
        aliases.push(archive.clone());
        let url = OldUrl::new(&archive, &what);
        archives.old_urls.push(if only_drafts {
            url.not_expected("only posts imported as drafts have this term, so it has no page")
        } else {
            url
        });
    }
    for (rel, (mut doc, aliases)) in pages {
        doc.set(
            "aliases",
            toml::Value::Array(aliases.into_iter().map(toml::Value::String).collect()),
        );
        archives.term_pages.push((rel, doc));
    }
}

/// Categories and tags the export's channel defines, by (domain,
/// nicename).
fn defined_terms(channel: Node<'_, '_>) -> HashMap<(String, String), TermInfo> {
    let mut defined = HashMap::new();
    for node in channel.children().filter(|n| n.is_element()) {
        let text = |name: &str| {
            child_text(node, name)
                .map(|t| unescape(&t))
                .unwrap_or_default()
        };
        let (domain, nicename, description, parent) = match node.tag_name().name() {
            "category" => (
                "category",
                text("category_nicename"),
                text("category_description"),
                text("category_parent"),
            ),
            "tag" => (
                "post_tag",
                text("tag_slug"),
                text("tag_description"),
                String::new(),
            ),
            _ => continue,
        };
        defined.insert(
            (domain.to_string(), nicename),
            TermInfo {
                description,
                parent,
            },
        );
    }
    defined
}

/// A category's archive path: its parents' nicenames, then its own.
fn category_path(nicename: &str, defined: &HashMap<(String, String), TermInfo>) -> String {
    let mut path = vec![nicename.to_string()];
    let mut current = nicename.to_string();
    while let Some(info) = defined.get(&("category".to_string(), current.clone())) {
        if info.parent.is_empty() || path.contains(&info.parent) || path.len() > 16 {
            break;
        }
        path.push(info.parent.clone());
        current = info.parent.clone();
    }
    path.reverse();
    path.join("/")
}

/// Whether `path` starts with a date to the day: `/2024/05/03/...`.
fn is_day_path(path: &str) -> bool {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    parts.len() >= 3
        && parts[0].len() == 4
        && parts[1].len() == 2
        && parts[2].len() == 2
        && parts[..3]
            .iter()
            .all(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_paths_are_told_from_others() {
        assert!(is_day_path("/2024/05/03/a-post/"));
        assert!(!is_day_path("/2024/05/a-post/"));
        assert!(!is_day_path("/a/b/c/"));
    }
}
