//! Every output file of a site has exactly one source. A second claim on a
//! file (an alias equal to a page's URL, a page with `slug = "tags"`, a
//! static `sitemap.xml`), or on a file where another claim needs a folder
//! (an alias `/sitemap.xml/`), is an error naming both sources, instead of
//! one silently replacing the other.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};

use super::Output;

/// What writes an output file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claimant {
    /// A page, section pager, taxonomy page or the 404 page.
    Rendered(Output),
    /// The redirect page of an alias, written in `owner`.
    Alias {
        /// The alias as written.
        alias: String,
        /// The content file declaring it.
        owner: PathBuf,
    },
    /// The `/page/1/` redirect of a paginated listing at this URL path.
    FirstPager(String),
    /// The `/go/<slug>/` redirect page of an affiliate link.
    Affiliate(String),
    /// A file Grove writes itself (sitemaps, feeds, `robots.txt`, ...).
    Generated(String),
    /// A static file or a content asset, copied from this path.
    Copied(PathBuf),
}

/// The files claimed so far, by path relative to the site folder.
#[derive(Default)]
pub struct Claims {
    taken: Mutex<BTreeMap<String, Claimant>>,
}

impl Claims {
    /// Claims `file` for `claimant`. Claiming a file again for the same
    /// claimant (rendering it again) is fine; otherwise returns who holds
    /// it, or the file standing where `file` needs a folder (or the file
    /// below `file` that needs it to be a folder).
    pub fn claim(&self, file: &str, claimant: Claimant) -> Result<(), (String, Claimant)> {
        let mut taken = self.taken.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(holder) = taken.get(file) {
            return if *holder == claimant {
                Ok(())
            } else {
                Err((file.to_string(), holder.clone()))
            };
        }
        let mut folder = file;
        while let Some((parent, _)) = folder.rsplit_once('/') {
            if let Some(holder) = taken.get(parent) {
                return Err((parent.to_string(), holder.clone()));
            }
            folder = parent;
        }
        let below = format!("{file}/");
        if let Some((inner, holder)) = taken.range(below.clone()..).next()
            && inner.starts_with(&below)
        {
            return Err((inner.clone(), holder.clone()));
        }
        taken.insert(file.to_string(), claimant);
        Ok(())
    }

    /// Who holds `file`, if anyone.
    pub fn holder(&self, file: &str) -> Option<Claimant> {
        let taken = self.taken.lock().unwrap_or_else(PoisonError::into_inner);
        taken.get(file).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn copied(path: &str) -> Claimant {
        Claimant::Copied(PathBuf::from(path))
    }

    #[test]
    fn a_file_is_claimed_once_and_never_where_a_folder_is_needed() {
        let claims = Claims::default();
        claims.claim("a/index.html", copied("x")).unwrap();
        // Again by the same claimant: rendering it again.
        claims.claim("a/index.html", copied("x")).unwrap();
        assert_eq!(
            claims.claim("a/index.html", copied("y")),
            Err(("a/index.html".into(), copied("x")))
        );
        claims.claim("sitemap.xml", copied("s")).unwrap();
        assert_eq!(
            claims.claim("sitemap.xml/index.html", copied("alias")),
            Err(("sitemap.xml".into(), copied("s")))
        );
        claims
            .claim("feeds/rss.xml/index.html", copied("page"))
            .unwrap();
        assert_eq!(
            claims.claim("feeds/rss.xml", copied("feed")),
            Err(("feeds/rss.xml/index.html".into(), copied("page")))
        );
        // Names that only share a prefix do not clash.
        claims.claim("a-b/index.html", copied("z")).unwrap();
        claims.claim("a.html", copied("z")).unwrap();
    }
}
